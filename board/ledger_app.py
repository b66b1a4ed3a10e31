"""The year-end ranking on the projector (年底总排名, 现场公布): the ledger's standings, fitted to the screen, with
the announcer's reveal (A hides every rank; → or space shows one person at a time from the last place; Esc all).
Read-only; the ledger's store is opened per request, so the page follows entries as they are recorded."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from board.app import SecurityHeaders, _page


def ranking(directory: Path, quarter: int = 4) -> dict:
    from ledger.points import summary
    from ledger.store import Ledger

    ledger = Ledger.open(directory)
    try:
        scheme, entries = ledger.scheme(), ledger.entries()
    finally:
        ledger.close()
    result = summary(scheme, entries, quarter)
    zh = scheme.language == "zh"
    return {
        "title": scheme.title,
        "subtitle": ("年度积分总排名" if quarter == 4 else f"第{quarter}季度积分汇总") if zh else
        ("Year-end ranking" if quarter == 4 else f"Through Q{quarter}"),
        "rows": [{"rank": s.rank, "tied": s.tied, "name": scheme.person(s.person).name,
                  "unit": scheme.person(s.person).unit, "total": str(s.total), "level": s.level or ""}
                 for s in result.standings],
        "tie_word": "并列" if zh else "tie",
    }


def create_ledger_app(directory: Path) -> Starlette:
    async def page(request: Request) -> Response:
        return HTMLResponse(_page("ledger"))

    async def script(request: Request) -> Response:
        return Response(_page("ledger", "js"), media_type="text/javascript; charset=utf-8")

    async def data(request: Request) -> Response:
        try:
            quarter = int(request.query_params.get("quarter", "4"))
        except ValueError:
            quarter = 4
        quarter = min(4, max(1, quarter))
        return JSONResponse(await run_in_threadpool(ranking, directory, quarter))

    app = Starlette(routes=[Route("/", page), Route("/ledger", page), Route("/static/ledger.js", script),
                            Route("/api/ranking", data)])
    return SecurityHeaders(app)  # type: ignore[return-value]

"""The meeting server: projector board, 唱票 view, review queue, stations, and the station API.

Plain HTML pages with a little JavaScript (no build step); live updates by server-sent events."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from board.results import to_json
from board.service import BadRequest, GroupCommit, MeetingService
from meeting.errors import TallyError
from scanner.remote import WIRE_TYPE, decode_post

PAGES = ("board", "changpiao", "review", "stations")


def _page(name: str) -> str:
    return resources.files("board").joinpath("pages", f"{name}.html").read_text(encoding="utf-8")


def create_app(directory: Path, *, poll_seconds: float = 0.1) -> Starlette:
    service = MeetingService(directory)
    group_commit = GroupCommit(service)

    def authorised(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        given = header[7:] if header.lower().startswith("bearer ") else request.query_params.get("token", "")
        return hmac.compare_digest(given.encode(), service.token.encode())

    def deny() -> JSONResponse:
        return JSONResponse({"error": "missing or wrong meeting token"}, status_code=401)

    async def page(request: Request) -> Response:
        return HTMLResponse(_page(request.path_params["name"]))

    async def home(request: Request) -> Response:
        return RedirectResponse("/board")

    async def events(request: Request) -> Response:
        async def stream():
            seen = -1
            idle = 0.0
            polled = 0.0
            while not await request.is_disconnected():
                if polled >= 0.5:  # a local scan or entry writes the store directly: follow it
                    await run_in_threadpool(service.poll)
                    polled = 0.0
                if service.version != seen:
                    seen = service.version
                    yield f"data: {seen}\n\n"
                    idle = 0.0
                elif idle > 15:
                    yield ": keep-alive\n\n"
                    idle = 0.0
                await asyncio.sleep(poll_seconds)
                idle += poll_seconds
                polled += poll_seconds

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def board_json(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(service.board))

    async def changpiao_json(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(service.changpiao))

    async def results_json(request: Request) -> Response:
        results = await run_in_threadpool(service.results)
        return Response(to_json(service.meeting, results), media_type="application/json")

    async def stations_json(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(service.stations))

    async def review_json(request: Request) -> Response:
        if not authorised(request):
            return deny()
        return JSONResponse(await run_in_threadpool(service.review_queue))

    async def reading_json(request: Request) -> Response:
        if not authorised(request):
            return deny()
        return await _guard(service.reading, request.path_params["id"])

    async def reading_image(request: Request) -> Response:
        if not authorised(request):
            return deny()
        try:
            data = await run_in_threadpool(service.image, request.path_params["id"])
        except BadRequest as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        return Response(data, media_type="image/jpeg")

    async def decision(request: Request) -> Response:
        if not authorised(request):
            return deny()
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        return await _guard(lambda: {"decision": service.decide(request.path_params["id"], body)}, status=201)

    async def post_reading(request: Request) -> Response:
        if not authorised(request):
            return deny()
        image = None
        if request.headers.get("content-type", "").split(";")[0].strip() == WIRE_TYPE:
            try:
                body, image = decode_post(await request.body())
            except (ValueError, UnicodeDecodeError) as exc:
                return JSONResponse({"error": f"malformed reading: {exc}"}, status_code=400)
        else:
            body = await _json_body(request)
            if isinstance(body, Response):
                return body
        try:
            item = service.prepare(body, image)  # quick checks, in the event loop: no thread hand-off
        except BadRequest as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        outcome = await group_commit.record(item)  # recorded with the posts that came with it, one commit
        if isinstance(outcome, BaseException):
            return JSONResponse({"error": str(outcome)}, status_code=503)
        status = {"counted": 201, "review": 201, "already_counted": 200}.get(outcome.kind, 409)
        return JSONResponse({"outcome": outcome.kind, "id": outcome.reading_id, "reasons": list(outcome.reasons),
                             "message": outcome.message}, status_code=status)

    async def _json_body(request: Request) -> dict[str, Any] | Response:
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return JSONResponse({"error": "the body is not JSON"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "the body must be a JSON object"}, status_code=400)
        return body

    async def _guard(fn, *args: Any, status: int = 200) -> Response:
        try:
            return JSONResponse(await run_in_threadpool(fn, *args), status_code=status)
        except BadRequest as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except TallyError as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)

    routes = [
        Route("/", home),
        Route("/events", events),
        Route("/api/board", board_json),
        Route("/api/changpiao", changpiao_json),
        Route("/api/results", results_json),
        Route("/api/stations", stations_json),
        Route("/api/review", review_json),
        Route("/api/readings", post_reading, methods=["POST"]),
        Route("/api/readings/{id:int}", reading_json),
        Route("/api/readings/{id:int}/image", reading_image),
        Route("/api/readings/{id:int}/decision", decision, methods=["POST"]),
        Route("/{name:str}", page),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        service.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.service = service

    async def not_found(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": "not found"}, status_code=404)

    app.add_exception_handler(FileNotFoundError, not_found)
    return app

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

from archive.results import to_json
from board.service import BadRequest, GroupCommit, MeetingService
from meeting.errors import TallyError
from scanner.remote import WIRE_TYPE, decode_post

PAGES = ("board", "changpiao", "review", "stations")  # the ledger's page is served by board.ledger_app
MAX_POST_BYTES = 8 * 1024 * 1024  # a station's sheet: JSON and a ~100 KiB JPEG; a 12 MP phone JPEG is ~5 MiB
MAX_FORM_BYTES = 1024 * 1024  # a review decision
SECURITY_HEADERS = {
    # no inline script anywhere: a value a station or reviewer sent can never run as code in a page
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                               "form-action 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _page(name: str, suffix: str = "html") -> str:
    return resources.files("board").joinpath("pages", f"{name}.{suffix}").read_text(encoding="utf-8")


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses other laptops can reach (not loopback), from its network interfaces."""
    import socket

    found: list[str] = []
    try:
        import fcntl
        import struct

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for _, name in socket.if_nameindex():
                try:
                    packed = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))  # SIOCGIFADDR
                except OSError:
                    continue
                found.append(socket.inet_ntoa(packed[20:24]))
    except (ImportError, OSError, AttributeError):  # not Linux: what the host name resolves to
        try:
            found = [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
        except OSError:
            found = []
    return [a for a in dict.fromkeys(found) if not a.startswith("127.")]


def raise_open_files(want: int = 65536) -> int:
    """Raise this process's open-file limit towards the hard limit (each live page and station holds one), where
    the system allows; returns the limit in force."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = want if hard == resource.RLIM_INFINITY else min(want, hard)
        if soft != resource.RLIM_INFINITY and soft < target:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            return target
        return soft
    except (ImportError, ValueError, OSError):
        return -1


class SecurityHeaders:
    """Plain ASGI: every response carries SECURITY_HEADERS (streams included, no buffering)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message = dict(message, headers=[*message.get("headers", []),
                                                 *[(k, v) for k, v in self.headers if k not in present]])
            await send(message)

        await self.app(scope, receive, with_headers)


class TooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (TooLarge) as soon as it passes `limit` bytes: never buffered whole first."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def station_qr_svg(url: str) -> bytes:
    """The station address as a QR code (SVG), for a station laptop's or a phone's camera to open."""
    import io

    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def station_qr_text(url: str) -> str:
    """The station address as a QR code in the terminal (half blocks: two modules per character, dark on light)."""
    import io

    import qrcode

    code = qrcode.QRCode(border=1)
    code.add_data(url)
    text = io.StringIO()
    code.print_ascii(out=text, invert=True)
    return text.getvalue()


def create_app(directory: Path, *, poll_seconds: float = 0.1, max_viewers: int = 200,
               max_viewers_per_address: int = 20, station_urls: tuple[str, ...] = ()) -> Starlette:
    """The meeting server. `max_viewers` (and per address) caps the live pages' event streams, so that board
    clients can never starve the stations of connections. `station_urls`: the addresses other laptops reach
    this server at (shown with a QR code on /stations)."""
    service = MeetingService(directory)
    group_commit = GroupCommit(service)
    viewers: dict[str, int] = {}

    def authorised(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        given = header[7:] if header.lower().startswith("bearer ") else request.query_params.get("token", "")
        return hmac.compare_digest(given.encode(), service.token.encode())

    def deny() -> JSONResponse:
        return JSONResponse({"error": "missing or wrong meeting token"}, status_code=401)

    async def page(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in PAGES:
            return JSONResponse({"error": "not found"}, status_code=404)
        return HTMLResponse(_page(name))

    async def script(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in PAGES:
            return JSONResponse({"error": "not found"}, status_code=404)
        return Response(_page(name, "js"), media_type="text/javascript; charset=utf-8")

    async def home(request: Request) -> Response:
        return RedirectResponse("/board")

    async def events(request: Request) -> Response:
        address = request.client.host if request.client else "?"
        if sum(viewers.values()) >= max_viewers or viewers.get(address, 0) >= max_viewers_per_address:
            return JSONResponse({"error": "too many live pages open; close some, then reload"}, status_code=503,
                                headers={"Retry-After": "10"})
        viewers[address] = viewers.get(address, 0) + 1

        async def stream():
            try:
                async for part in _stream():
                    yield part
            finally:
                viewers[address] -= 1
                if viewers[address] <= 0:
                    del viewers[address]

        async def _stream():
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

    async def history_json(request: Request) -> Response:
        if not authorised(request):
            return deny()
        return JSONResponse(await run_in_threadpool(service.history))

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
                body, image = decode_post(await read_body(request, MAX_POST_BYTES))
            except TooLarge:
                return _too_large(MAX_POST_BYTES)
            except (ValueError, UnicodeDecodeError, RecursionError) as exc:
                return JSONResponse({"error": f"malformed reading: {str(exc)[:200]}"}, status_code=400)
            if not isinstance(body, dict):
                return JSONResponse({"error": "malformed reading: the JSON line must be an object"}, status_code=400)
        else:
            body = await _json_body(request, MAX_POST_BYTES)
            if isinstance(body, Response):
                return body
        try:
            item = service.prepare(body, image)  # quick checks, in the event loop: no thread hand-off
        except BadRequest as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        outcome = await group_commit.record(item)  # recorded with the posts that came with it, one commit
        if isinstance(outcome, BaseException):
            return JSONResponse({"error": str(outcome)}, status_code=503)
        # refused (more than returned/issued, sealed) and conflict (this key was a different sheet): 409
        status = {"counted": 201, "review": 201, "already_counted": 200}.get(outcome.kind, 409)
        return JSONResponse({"outcome": outcome.kind, "id": outcome.reading_id, "reasons": list(outcome.reasons),
                             "message": outcome.message}, status_code=status)

    def _too_large(limit: int) -> Response:
        return JSONResponse({"error": f"the request is larger than {limit // (1024 * 1024)} MiB"}, status_code=413)

    async def _json_body(request: Request, limit: int = MAX_FORM_BYTES) -> dict[str, Any] | Response:
        try:
            body = json.loads(await read_body(request, limit))
        except TooLarge:
            return _too_large(limit)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return JSONResponse({"error": "the body is not JSON (or nested too deeply)"}, status_code=400)
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

    async def station_urls_json(request: Request) -> Response:
        return JSONResponse([{"url": url, "qr": f"/api/station-qr/{i}.svg"} for i, url in enumerate(station_urls)])

    async def station_qr(request: Request) -> Response:
        index = request.path_params["index"]
        if not 0 <= index < len(station_urls):
            return JSONResponse({"error": "not found"}, status_code=404)
        return Response(station_qr_svg(station_urls[index]), media_type="image/svg+xml")

    routes = [
        Route("/", home),
        Route("/api/station-urls", station_urls_json),
        Route("/api/station-qr/{index:int}.svg", station_qr),
        Route("/events", events),
        Route("/api/board", board_json),
        Route("/api/changpiao", changpiao_json),
        Route("/api/results", results_json),
        Route("/api/stations", stations_json),
        Route("/api/review", review_json),
        Route("/api/history", history_json),
        Route("/api/readings", post_reading, methods=["POST"]),
        Route("/api/readings/{id:int}", reading_json),
        Route("/api/readings/{id:int}/image", reading_image),
        Route("/api/readings/{id:int}/decision", decision, methods=["POST"]),
        Route("/static/{name:str}.js", script),
        Route("/{name:str}", page),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        service.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.service = service

    app.add_middleware(SecurityHeaders)

    async def not_found(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": "not found"}, status_code=404)

    app.add_exception_handler(FileNotFoundError, not_found)
    return app

"""A scanning station's side of the station API: readings are posted to the meeting server, which checks and
records them (its single writer keeps the store consistent). Same interface as ScanSession.commit."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

from meeting.errors import TallyError
from scanner.reader import SheetRead
from scanner.session import Draft, Outcome


class StationError(TallyError):
    exit_code = 1


# The station wire format: one line of JSON (the reading), a newline, then the sheet's JPEG as raw bytes. JSON never
# holds a raw newline, so the first one ends it; the image is not base64'd (that alone cost 0.5 ms a post).
# `POST /api/readings` also takes plain JSON with the image base64'd under "image", for hand-made clients.
WIRE_TYPE = "application/x-tallykit-reading"


def encode_post(body: dict, image: bytes) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" + image


def decode_post(data: bytes) -> tuple[dict, bytes]:
    """Raises ValueError with what is wrong."""
    head, sep, image = data.partition(b"\n")
    if not sep:
        raise ValueError("no newline after the JSON line")
    body = json.loads(head)
    if not isinstance(body, dict):
        raise ValueError("the first line must be a JSON object")
    return body, image


class RemoteSession:
    def __init__(self, server: str, token: str, station: str, timeout: float = 10.0) -> None:
        self.url = server.rstrip("/") + "/api/readings"
        self.token = token
        self.station = station
        self.timeout = timeout

    def commit(self, read: SheetRead, key: str | None = None) -> Outcome:
        d = Draft.from_read(read, key or f"frame:{uuid.uuid4().hex}", self.station)
        body = {
            "key": d.key, "station": self.station, "code": read.code, "states": d.states,
            "marks": json.loads(d.marks), "reasons": list(d.reasons),
            "fingerprint": {k: v.hex() for k, v in d.fingerprint.items()},
        }
        request = urllib.request.Request(self.url, encode_post(body, d.image), method="POST", headers={
            "Content-Type": WIRE_TYPE, "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                answer = json.loads(exc.read())
            except ValueError:
                answer = {}
            if exc.code == 401:
                raise StationError("the meeting server refused the token; copy it from `tallykit serve`") from None
            if exc.code == 409:
                return Outcome("refused", None, (), answer.get("message") or answer.get("error", ""))
            return Outcome("refused", None, (), answer.get("error", f"server answered {exc.code}"))
        except (urllib.error.URLError, TimeoutError) as exc:
            raise StationError(f"cannot reach the meeting server at {self.url} ({exc}); is `tallykit serve` "
                               "running and reachable?") from None
        return Outcome(answer["outcome"], answer.get("id"), tuple(answer.get("reasons", [])), answer.get("message", ""))

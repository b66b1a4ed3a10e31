"""A scanning station's side of the station API: readings are posted to the meeting server, which checks and
records them (its single writer keeps the store consistent). Same interface as ScanSession.commit."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid

from meeting.errors import TallyError
from scanner.reader import SheetRead
from scanner.session import Draft, Outcome


class StationError(TallyError):
    exit_code = 1


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
            "image": base64.b64encode(d.image).decode("ascii"),
        }
        request = urllib.request.Request(self.url, json.dumps(body).encode("utf-8"), method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
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

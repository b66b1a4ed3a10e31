"""Recording what the reader saw: double-scan checks, the count check, and one transaction per sheet."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from meeting.errors import StoreError
from meeting.model import Meeting
from meeting.store import Store
from scanner.marks import fingerprint_similarity
from scanner.reader import SheetRead


@dataclass(frozen=True)
class Outcome:
    kind: str  # counted | review | already_counted | refused | dry_run
    reading_id: int | None
    reasons: tuple[str, ...]
    message: str = ""


def _fingerprint_blob(fp: dict[str, bytes]) -> bytes:
    return json.dumps({k: v.hex() for k, v in sorted(fp.items())}, separators=(",", ":")).encode("ascii")


def fingerprint_from_blob(blob: bytes | None) -> dict[str, bytes]:
    if not blob:
        return {}
    return {k: bytes.fromhex(v) for k, v in json.loads(blob.decode("ascii")).items()}


def marks_json(read: SheetRead) -> str:
    return json.dumps({
        "boxes": {k: [v.state, v.fill] for k, v in sorted(read.ink.boxes.items())},
        "zones": dict(sorted(read.ink.zones.items())),
        "result": read.interpretation.result,
        "fit_error_mm": round(read.fit.error_mm, 3),
        "contrast": read.ink.contrast,
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class ScanSession:
    def __init__(self, store: Store, meeting: Meeting, *, station: str, operator: str, dry_run: bool = False) -> None:
        self.store = store
        self.meeting = meeting
        self.station = station
        self.operator = operator
        self.dry_run = dry_run

    def commit(self, read: SheetRead, key: str | None = None) -> Outcome:
        layout, payload = read.layout, read.payload
        reasons = list(read.interpretation.reasons)
        earlier = [r for r in self.store.readings(layout.round_id, layout.group_id)
                   if r["layout_hash"] == layout.hash and r["page"] == payload.page]
        if payload.serial is not None:  # a named sheet: the serial says whether it was read before
            same = [r for r in earlier if r["serial"] == payload.serial]
            if same:
                before = json.loads(same[-1]["marks"])
                now = {k: v.state for k, v in read.ink.boxes.items()}
                if {k: v[0] for k, v in before["boxes"].items()} == now:
                    return Outcome("already_counted", same[-1]["id"], (),
                                   f"sheet {payload.serial} page {payload.page} was read before (#{same[-1]['id']})")
                reasons.append(f"conflict:{same[-1]['id']}")
        else:  # a secret ballot: only its ink can tell a re-scan from another voter's identical choices
            threshold = float(self.meeting.scan.rescan_similarity)
            for r in earlier:
                if fingerprint_similarity(read.ink.fingerprint, fingerprint_from_blob(r["fingerprint"])) >= threshold:
                    reasons.append(f"possible_rescan:{r['id']}")
                    break
        status = "review" if reasons else "counted"
        if self.dry_run:
            return Outcome("dry_run", None, tuple(reasons))
        count = self.store.ballot_counts().get((layout.round_id, layout.group_id))
        if count is None or count.issued == 0:
            return Outcome("refused", None, tuple(reasons), f"no ballots were recorded as issued for round "
                           f"{layout.round_id} group {layout.group_id}; print them with `tallykit print` first")
        row = {
            "key": key or f"frame:{uuid.uuid4().hex}",
            "round_id": layout.round_id,
            "group_id": layout.group_id,
            "layout_hash": layout.hash,
            "page": payload.page,
            "serial": payload.serial,
            "status": status,
            "marks": marks_json(read),
            "reasons": json.dumps(reasons, ensure_ascii=False),
            "fingerprint": _fingerprint_blob(read.ink.fingerprint),
            "image": read.jpeg(),
            "station": self.station,
            "read_at": _now(),
        }
        try:
            reading_id = self.store.add_reading(row, self.operator, issued=count.issued)
        except StoreError as exc:  # more sheets than ballots issued, or a sealed round: never recorded
            return Outcome("refused", None, tuple(reasons), str(exc))
        if reading_id is None:
            return Outcome("already_counted", None, (), "this file was scanned before")
        return Outcome(status, reading_id, tuple(reasons))


def _now() -> str:
    from meeting.store import now

    return now()

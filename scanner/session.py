"""Recording what a reader saw: double-scan checks, the count check, and one transaction per sheet (a savepoint
within a batch's transaction: a chunk of photos, a server's posts).

The same checks serve a sheet read here (`commit`) and one posted by another scanning station (`record`)."""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from meeting.errors import StoreError
from meeting.model import Meeting
from meeting.store import Store, now
from scanner.marks import normalised, similarities
from scanner.reader import SheetRead


@dataclass(frozen=True)
class Outcome:
    kind: str  # counted | review | already_counted | refused | dry_run
    reading_id: int | None
    reasons: tuple[str, ...]
    message: str = ""


@dataclass(frozen=True)
class Draft:
    """A sheet read, ready to be recorded, wherever it was read."""

    round_id: str
    group_id: str
    layout_hash: str
    page: int
    serial: str | None
    states: dict[str, str]  # box id → empty | marginal | marked
    marks: str  # JSON: boxes, zones, result, fit error, contrast
    reasons: tuple[str, ...]
    fingerprint: dict[str, bytes]
    image: bytes  # JPEG of the rectified sheet
    key: str = field(default_factory=lambda: f"frame:{uuid.uuid4().hex}")
    station: str = "main"

    @functools.cached_property
    def signature(self) -> str:
        marked = sorted(k for k, v in self.states.items() if v != "empty")
        return hashlib.sha256(json.dumps(marked).encode()).hexdigest()[:32]

    @classmethod
    def from_read(cls, read: SheetRead, key: str | None, station: str) -> Draft:
        return cls(read.layout.round_id, read.layout.group_id, read.layout.hash, read.payload.page, read.payload.serial,
                   {k: v.state for k, v in read.ink.boxes.items()}, marks_json(read), read.interpretation.reasons,
                   read.ink.fingerprint, read.jpeg(), key or f"frame:{uuid.uuid4().hex}", station)


def fingerprint_blob(fp: dict[str, bytes]) -> bytes:
    return json.dumps({k: v.hex() for k, v in sorted(fp.items())}, separators=(",", ":")).encode("ascii")


def fingerprint_from_blob(blob: bytes | None) -> dict[str, bytes]:
    if not blob:
        return {}
    return {k: bytes.fromhex(v) for k, v in json.loads(blob.decode("ascii")).items()}


# (store path, reading id) → normalised fingerprint; readings never change, so this never goes stale
_FINGERPRINTS: dict[tuple[str, int], tuple[tuple[str, ...], Any]] = {}


def _fingerprints(store: Store, ids: list[int]) -> list[tuple[tuple[str, ...], Any]]:
    path = str(store.path)
    missing = [i for i in ids if (path, i) not in _FINGERPRINTS]
    if missing:
        if len(_FINGERPRINTS) > 200_000:
            _FINGERPRINTS.clear()
        for i, blob in store.fingerprints(missing).items():
            _FINGERPRINTS[(path, i)] = normalised(fingerprint_from_blob(blob))
    return [_FINGERPRINTS[(path, i)] for i in ids]


def forget_fingerprints() -> None:
    """After a transaction was rolled back: reading ids cached in it may be given to other sheets."""
    _FINGERPRINTS.clear()


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
        return self.record(Draft.from_read(read, key, self.station))

    def record(self, d: Draft) -> Outcome:
        earlier = self.store.reading_by_key(d.key)
        if earlier is not None:  # the same key again: a re-send is answered as before; another sheet is a conflict
            same = (earlier["layout_hash"], earlier["page"]) == (d.layout_hash, d.page) and \
                {k: v[0] for k, v in json.loads(earlier["marks"])["boxes"].items()} == d.states
            if same:
                return Outcome("already_counted", earlier["id"], (), "this sheet was recorded before")
            return Outcome("conflict", None, (), f"the key {d.key} was used for another sheet (#{earlier['id']}); "
                           "send this sheet with a new key")
        reasons = list(d.reasons)
        if d.serial is not None:  # a named sheet: the serial says whether it was read before
            same = self.store.same_sheet(d.layout_hash, d.page, serial=d.serial)
            if same:
                before = {k: v[0] for k, v in json.loads(same[-1]["marks"])["boxes"].items()}
                if before == d.states:
                    return Outcome("already_counted", same[-1]["id"], (),
                                   f"sheet {d.serial} page {d.page} was read before (#{same[-1]['id']})")
                reasons.append(f"conflict:{same[-1]['id']}")
        else:  # a secret ballot: only its ink tells a re-scan from another voter with the same choices
            threshold = float(self.meeting.scan.rescan_similarity)
            earlier = [r["id"] for r in self.store.same_sheet(d.layout_hash, d.page, signature=d.signature)]
            mine = normalised(d.fingerprint)
            scores = similarities(mine, _fingerprints(self.store, earlier))
            for reading_id, score in zip(earlier, scores, strict=True):
                if score >= threshold:
                    reasons.append(f"possible_rescan:{reading_id}")
                    break
        status = "review" if reasons else "counted"
        if self.dry_run:
            return Outcome("dry_run", None, tuple(reasons))
        count = self.store.ballot_count(d.round_id, d.group_id)
        if count is None or count.issued == 0:
            return Outcome("refused", None, tuple(reasons), f"no ballots were recorded as issued for round "
                           f"{d.round_id} group {d.group_id}; print them with `tallykit print` first")
        row = {
            "key": d.key, "round_id": d.round_id, "group_id": d.group_id, "layout_hash": d.layout_hash,
            "page": d.page, "serial": d.serial, "status": status, "marks": d.marks,
            "reasons": json.dumps(reasons, ensure_ascii=False), "fingerprint": fingerprint_blob(d.fingerprint),
            "image": d.image, "station": d.station, "read_at": now(), "signature": d.signature,
        }
        try:
            reading_id = self.store.add_reading(row, self.operator, issued=count.issued)
        except StoreError as exc:  # more sheets than ballots issued, or a sealed round: never recorded
            return Outcome("refused", None, tuple(reasons), str(exc))
        if reading_id is None:
            return Outcome("already_counted", None, (), "this sheet was recorded before")
        if d.serial is None:  # the next sheet with the same marks compares against this one: no need to read it back
            _FINGERPRINTS[(str(self.store.path), reading_id)] = mine
        return Outcome(status, reading_id, tuple(reasons))

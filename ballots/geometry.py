"""The layout data model: every position in millimetres from the page's top-left corner.

A layout is data: `ballots` computes it once per (round, group), stores it in the meeting store under its
hash, and both the PDF renderer and the scanner read that one layout. The hash covers geometry and the
meaning of every box and zone, not cosmetic text, so fixing a typo does not invalidate printed paper.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

LAYOUT_VERSION = 1


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def key(self) -> list[str]:
        return [f"{v:.2f}" for v in (self.x, self.y, self.w, self.h)]


@dataclass(frozen=True)
class Marker:
    """An ArUco 4x4 marker; ids 0..3 run clockwise from the top-left corner."""

    id: int
    rect: Rect


@dataclass(frozen=True)
class Mark:
    """What ink in a box means.

    kind: option  (vote/rating: `candidate` gets `option`, within post `section`)
          write_in (a write-in row's box: `section`, `row`, `option`)
          digit   (score grid: `candidate`, `criterion`, `place` tens/units/half, `digit`)
          answer  (survey: `question`, `option`)
    """

    kind: str
    section: str | None = None
    candidate: str | None = None
    option: str | None = None
    criterion: str | None = None
    place: str | None = None
    digit: int | None = None
    question: str | None = None
    row: int | None = None

    def key(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Box:
    """A mark box the scanner reads."""

    id: str
    rect: Rect
    mark: Mark


@dataclass(frozen=True)
class Zone:
    """A region kept as an image for people to read: write-in names, handwritten scores, free text,
    signatures. kind: write_in_name | score_hand | total_hand | free_text | signature."""

    id: str
    rect: Rect
    kind: str
    candidate: str | None = None
    criterion: str | None = None
    question: str | None = None
    section: str | None = None
    row: int | None = None


@dataclass(frozen=True)
class Text:
    """Cosmetic text, already fitted: its lines at `size` points fit `rect`."""

    rect: Rect
    lines: tuple[str, ...]
    size: float
    align: str = "L"  # L, C, R
    grey: int = 0


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.2
    grey: int = 150


@dataclass(frozen=True)
class Page:
    number: int
    markers: tuple[Marker, ...]
    qr: Rect
    calibration: tuple[Rect, Rect]  # a blank box and a solid box: this page's white and black
    boxes: tuple[Box, ...]
    zones: tuple[Zone, ...] = ()
    texts: tuple[Text, ...] = ()
    lines: tuple[Line, ...] = ()
    serial_slot: Rect | None = None  # where a named sheet's serial (e.g. 评委席位) is printed
    banner_slot: Rect | None = None  # where TEST is printed on a test sheet

    def meaning(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "markers": [[m.id, *m.rect.key()] for m in self.markers],
            "qr": self.qr.key(),
            "calibration": [r.key() for r in self.calibration],
            "boxes": [[b.id, *b.rect.key(), b.mark.key()] for b in self.boxes],
            "zones": [[z.id, z.kind, *z.rect.key()] for z in self.zones],
        }


@dataclass(frozen=True)
class Layout:
    meeting_id: str
    round_id: str
    group_id: str
    form: str  # vote | rating | score | survey
    paper: str
    width: float
    height: float
    named: bool  # named forms carry a per-sheet serial; secret ballots do not
    pages: tuple[Page, ...]
    hash: str = field(default="", compare=False)

    def geometry_hash(self) -> str:
        material = {
            "version": LAYOUT_VERSION,
            "meeting": self.meeting_id,
            "round": self.round_id,
            "group": self.group_id,
            "form": self.form,
            "paper": [self.paper, f"{self.width:.2f}", f"{self.height:.2f}"],
            "named": self.named,
            "pages": [p.meaning() for p in self.pages],
        }
        text = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Layout:
        data = json.loads(text)
        pages = tuple(_page(p) for p in data.pop("pages"))
        return cls(pages=pages, **data)

    def box_count(self) -> int:
        return sum(len(p.boxes) for p in self.pages)


def _rect(d: dict[str, float]) -> Rect:
    return Rect(**d)


def _page(d: dict[str, Any]) -> Page:
    return Page(
        number=d["number"],
        markers=tuple(Marker(m["id"], _rect(m["rect"])) for m in d["markers"]),
        qr=_rect(d["qr"]),
        calibration=(_rect(d["calibration"][0]), _rect(d["calibration"][1])),
        boxes=tuple(Box(b["id"], _rect(b["rect"]), Mark(**b["mark"])) for b in d["boxes"]),
        zones=tuple(Zone(rect=_rect(z.pop("rect")), **z) for z in d["zones"]),
        texts=tuple(Text(_rect(t["rect"]), tuple(t["lines"]), t["size"], t["align"], t["grey"]) for t in d["texts"]),
        lines=tuple(Line(**ln) for ln in d["lines"]),
        serial_slot=_rect(d["serial_slot"]) if d["serial_slot"] else None,
        banner_slot=_rect(d["banner_slot"]) if d["banner_slot"] else None,
    )

"""Mark reader: ink in every box of the stored layout, measured against the blank form.

The rectified page is flat-field corrected (uneven light, shadows), then normalised by the page's own
calibration strip (a blank box is its white, a solid box its black). Ink counts only where the blank
form is white: printed text, lines and outlines are masked out using the layout's geometry. Each box gets
a fill score in [0, 1] (the share of its interior covered by pen strokes); below `empty` it is empty, at or
above `marked` it is marked, in between (or with faint strokes, or ink hugging the box from outside) it is
marginal and goes to a person.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ballots.geometry import Page, Rect

PX_PER_MM = 4.0  # canonical resolution for reading marks
INK = 0.22  # normalised ink above this is pen ink (printed outlines stay below it inside a box)
LIGHT = 0.12  # ... above this, perhaps a very light stroke
RING_MARGINAL = 0.06  # ink just around an empty box, as a share of that ring: someone may have meant it
FAINT_MARGINAL = 0.03  # very light ink in an empty box, as a share of its inner part: a faint stroke
MIN_CONTRAST = 0.25  # white minus black of the calibration strip, after flat-field correction


@dataclass(frozen=True)
class Thresholds:
    empty: float = 0.02
    marked: float = 0.15


@dataclass(frozen=True)
class BoxInk:
    fill: float  # share of the interior with pen ink
    faint: float  # share of the inner interior with at least very light ink
    ring: float  # share of a ring just outside the box with ink
    state: str  # empty | marked | marginal


@dataclass(frozen=True)
class PageInk:
    boxes: dict[str, BoxInk]
    zones: dict[str, float]  # ink share in handwriting zones (write-in names, free text, signatures)
    contrast: float
    fingerprint: dict[str, bytes]  # box id → 8x8 ink thumbnail, for boxes with any ink


class LowContrast(Exception):
    pass


def _px(v: float) -> int:
    return round(v * PX_PER_MM)


def _inner(r: Rect, margin: float) -> tuple[int, int, int, int]:
    return _px(r.x + margin), _px(r.y + margin), _px(r.x + r.w - margin), _px(r.y + r.h - margin)


def _outer(r: Rect, grow: float) -> tuple[int, int, int, int]:
    return _px(r.x - grow), _px(r.y - grow), _px(r.x + r.w + grow), _px(r.y + r.h + grow)


def box_margin(r: Rect) -> float:
    return max(0.8, 0.12 * min(r.w, r.h))


@dataclass(frozen=True)
class _Prep:
    printed: np.ndarray  # 1 where the blank form has print (or might, near outlines)
    open_sum: np.ndarray  # integral of (1 - printed)


_PREPS: dict[tuple[str, int], _Prep] = {}


def _prep(key: tuple[str, int], page: Page, width_mm: float, height_mm: float) -> _Prep:
    """The printed mask of a layout page, made once per (layout hash, page)."""
    if key not in _PREPS:
        if len(_PREPS) > 64:
            _PREPS.clear()
        _PREPS[key] = _make_prep(page, width_mm, height_mm)
    return _PREPS[key]


def _make_prep(page: Page, width_mm: float, height_mm: float) -> _Prep:
    shape = (_px(height_mm), _px(width_mm))
    printed = np.zeros(shape, np.uint8)
    for t in page.texts:
        x0, y0, x1, y1 = _outer(t.rect, 0.3)
        printed[max(0, y0):y1, max(0, x0):x1] = 1
    for ln in page.lines:
        cv2.line(printed, (_px(ln.x1), _px(ln.y1)), (_px(ln.x2), _px(ln.y2)), 1, max(1, _px(0.9)))
    for b in page.boxes:  # a box and its outline: ink there belongs to that box, not to a neighbour's ring
        x0, y0, x1, y1 = _outer(b.rect, 0.6)
        printed[max(0, y0):y1, max(0, x0):x1] = 1
    for r in (*[m.rect for m in page.markers], *page.calibration):
        x0, y0, x1, y1 = _outer(r, 0.8)
        printed[max(0, y0):y1, max(0, x0):x1] = 1
    x0, y0, x1, y1 = _outer(page.qr, 5.0)
    printed[max(0, y0):y1, max(0, x0):x1] = 1
    return _Prep(printed, cv2.integral(1 - printed))


def _sum(integral: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> float:
    h, w = integral.shape[0] - 1, integral.shape[1] - 1
    x0, x1 = min(max(x0, 0), w), min(max(x1, 0), w)
    y0, y1 = min(max(y0, 0), h), min(max(y1, 0), h)
    return float(integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0])


def flat_field(page: np.ndarray) -> np.ndarray:
    """Divide out the light: the paper's local white becomes 1.0.

    The white is a morphological closing on a 1 px/mm copy: it removes dark things narrower than 9 mm
    (text, outlines, ticks, filled boxes) yet follows the light, and a shadow's edge, within a few mm."""
    h, w = page.shape
    f = int(PX_PER_MM)
    small = cv2.resize(page, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    white = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    white = cv2.GaussianBlur(white, (0, 0), 1.0)
    white = cv2.resize(white, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    return page.astype(np.float32) / np.maximum(white, 1.0)


def read_ink(page_img: np.ndarray, layout_hash: str, page: Page, width_mm: float, height_mm: float,
             thresholds: Thresholds) -> PageInk:
    norm = flat_field(page_img)
    blank, solid = page.calibration
    bx0, by0, bx1, by1 = _inner(blank, 1.2)
    sx0, sy0, sx1, sy1 = _inner(solid, 1.2)
    white = float(np.median(norm[by0:by1, bx0:bx1]))
    black = float(np.median(norm[sy0:sy1, sx0:sx1]))
    contrast = white - black
    if contrast < MIN_CONTRAST:
        raise LowContrast(f"calibration contrast {contrast:.2f}")
    ink = np.clip((white - norm) / contrast, 0.0, 1.0)
    inked = (ink > INK).astype(np.uint8)
    light = (ink > LIGHT).astype(np.uint8)
    prep = _prep((layout_hash, page.number), page, width_mm, height_mm)
    ink_sum = cv2.integral(inked)
    light_sum = cv2.integral(light)
    open_ink_sum = cv2.integral(inked & (1 - prep.printed))
    boxes: dict[str, BoxInk] = {}
    fingerprint: dict[str, bytes] = {}
    for b in page.boxes:
        margin = box_margin(b.rect)
        x0, y0, x1, y1 = _inner(b.rect, margin)
        area = max(1, (x1 - x0) * (y1 - y0))
        fill = _sum(ink_sum, x0, y0, x1, y1) / area
        x0, y0, x1, y1 = _inner(b.rect, margin + 0.3)
        faint_fill = _sum(light_sum, x0, y0, x1, y1) / max(1, (x1 - x0) * (y1 - y0))
        ox = _outer(b.rect, 1.6)
        ring_area = _sum(prep.open_sum, *ox)
        ring = _sum(open_ink_sum, *ox) / ring_area if ring_area > 4 else 0.0
        if fill >= thresholds.marked:
            state = "marked"
        elif fill <= thresholds.empty and faint_fill < FAINT_MARGINAL and ring < RING_MARGINAL:
            state = "empty"
        else:
            state = "marginal"
        boxes[b.id] = BoxInk(round(fill, 4), round(faint_fill, 4), round(ring, 4), state)
        if fill > thresholds.empty or faint_fill >= thresholds.marked:
            gx0, gy0, gx1, gy1 = _outer(b.rect, 0.8)
            patch = ink[max(0, gy0):gy1, max(0, gx0):gx1]
            thumb = cv2.resize(patch, (8, 8), interpolation=cv2.INTER_AREA)
            fingerprint[b.id] = (thumb * 255).astype(np.uint8).tobytes()
    zones: dict[str, float] = {}
    for z in page.zones:
        x0, y0, x1, y1 = _inner(z.rect, 0.3)
        open_area = _sum(prep.open_sum, x0, y0, x1, y1)
        zones[z.id] = round(_sum(open_ink_sum, x0, y0, x1, y1) / open_area, 4) if open_area > 4 else 0.0
    return PageInk(boxes, zones, round(contrast, 3), fingerprint)


def fingerprint_similarity(a: dict[str, bytes], b: dict[str, bytes]) -> float:
    """How alike two sheets' strokes are, 0..1: the same sheet scanned twice scores high, two voters low."""
    if not a or not b or set(a) != set(b):
        return 0.0
    scores = []
    for key in a:
        x = np.frombuffer(a[key], np.uint8).astype(np.float32)
        y = np.frombuffer(b[key], np.uint8).astype(np.float32)
        x -= x.mean()
        y -= y.mean()
        denom = float(np.sqrt((x * x).sum() * (y * y).sum()))
        scores.append(float((x * y).sum()) / denom if denom > 1e-6 else 0.0)
    return max(0.0, min(scores))

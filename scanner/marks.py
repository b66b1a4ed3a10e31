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
RING_MARGINAL = 0.06  # ink just around an empty box, as a share of that ring: someone may have meant it
# A faint stroke: the darkest 5% of a box's inner part, above the bare paper around it, above what the
# page's other empty-looking boxes of that size show (their outline halo, the blur, the light). Measured on
# the test deck (22,000 empty boxes, 390 faint strokes of grey 95-125): empty at most 0.043, faint at least
# 0.074; in a larger run of faint strokes alone, one of 1,100 measured 0.045.
FAINT_LEVEL = 0.052
MIN_CONTRAST = 0.25  # white minus black of the calibration strip, after flat-field correction


@dataclass(frozen=True)
class Thresholds:
    empty: float = 0.02
    marked: float = 0.12


@dataclass(frozen=True)
class BoxInk:
    fill: float  # share of the interior with pen ink
    faint: float  # darkness of the inner part's darkest 5%, above paper and above the page's empty boxes
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


def _paper_level(signed: np.ndarray, printed: np.ndarray, inked: np.ndarray) -> np.ndarray:
    """The darkness of bare paper around every point, at 1 px/mm: a blur that ignores print and ink."""
    f = int(PX_PER_MM)
    h, w = signed.shape
    size = (max(1, w // f), max(1, h // f))
    bare = ((printed == 0) & (inked == 0)).astype(np.float32)
    num = cv2.GaussianBlur(cv2.resize(signed * bare, size, interpolation=cv2.INTER_AREA), (0, 0), 2.0)
    den = cv2.GaussianBlur(cv2.resize(bare, size, interpolation=cv2.INTER_AREA), (0, 0), 2.0)
    return num / np.maximum(den, 1e-3)


def _faint_levels(signed: np.ndarray, baseline: np.ndarray, page: Page, ink_sum: np.ndarray,
                  thresholds: Thresholds) -> dict[str, float]:
    """Per box: its inner part's 95th-percentile darkness, above the paper around it, above the median of
    the page's empty-looking boxes of the same size. Boxes of one size are read in one vectorised pass."""
    groups: dict[tuple[int, int], list[tuple[str, int, int, float, bool]]] = {}
    h_img, w_img = signed.shape
    for b in page.boxes:
        x0, y0, x1, y1 = _inner(b.rect, box_margin(b.rect) + 0.3)
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(w_img, x1), min(h_img, y1)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        level = float(baseline[min(int(b.rect.cy), baseline.shape[0] - 1),
                               min(int(b.rect.cx), baseline.shape[1] - 1)])
        fx0, fy0, fx1, fy1 = _inner(b.rect, box_margin(b.rect))
        looks_empty = _sum(ink_sum, fx0, fy0, fx1, fy1) / max(1, (fx1 - fx0) * (fy1 - fy0)) <= thresholds.empty
        groups.setdefault((y1 - y0, x1 - x0), []).append((b.id, x0, y0, level, looks_empty))
    out = {b.id: 0.0 for b in page.boxes}
    for (h, w), members in groups.items():
        xs = np.array([m[1] for m in members])
        ys = np.array([m[2] for m in members])
        rows = ys[:, None, None] + np.arange(h)[None, :, None]
        cols = xs[:, None, None] + np.arange(w)[None, None, :]
        patches = signed[rows, cols]
        flat = patches.reshape(len(members), h * w)
        k = int(0.95 * (h * w - 1))
        p95 = np.partition(flat, k, axis=1)[:, k] - np.array([m[3] for m in members])
        empties = p95[np.array([m[4] for m in members])]
        reference = float(np.median(empties)) if empties.size >= 3 else 0.0
        for m, value in zip(members, p95, strict=True):
            out[m[0]] = float(value) - reference
    return out


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
    signed = (white - norm) / contrast
    ink = np.clip(signed, 0.0, 1.0)
    inked = (ink > INK).astype(np.uint8)
    prep = _prep((layout_hash, page.number), page, width_mm, height_mm)
    ink_sum = cv2.integral(inked)
    open_ink_sum = cv2.integral(inked & (1 - prep.printed))
    baseline = _paper_level(signed, prep.printed, inked)
    faint = _faint_levels(signed, baseline, page, ink_sum, thresholds)
    boxes: dict[str, BoxInk] = {}
    fingerprint: dict[str, bytes] = {}
    for b in page.boxes:
        x0, y0, x1, y1 = _inner(b.rect, box_margin(b.rect))
        fill = _sum(ink_sum, x0, y0, x1, y1) / max(1, (x1 - x0) * (y1 - y0))
        ox = _outer(b.rect, 1.6)
        ring_area = _sum(prep.open_sum, *ox)
        ring = _sum(open_ink_sum, *ox) / ring_area if ring_area > 4 else 0.0
        if fill >= thresholds.marked:
            state = "marked"
        elif fill <= thresholds.empty and faint[b.id] < FAINT_LEVEL and ring < RING_MARGINAL:
            state = "empty"
        else:
            state = "marginal"
        boxes[b.id] = BoxInk(round(fill, 4), round(faint[b.id], 4), round(ring, 4), state)
        if state != "empty":
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

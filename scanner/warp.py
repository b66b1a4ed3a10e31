"""Where the boxes really are: the page's residual bend, measured on its own printed box outlines.

The corner markers fix the page by a homography, which is exact only for flat paper seen through a straight
lens. A sheet that curls, a crease, a wide webcam lens's barrel distortion or a phone's rolling shutter leave
the middle of the page a millimetre or two away from where the homography puts it, so a box's outline falls
into the part read as ink and an empty box looks touched. The printed outlines and table lines are known
(the layout), so the page measures its own bend: each patch of the rectified page is matched against the
blank form's outlines nearby, a smooth warp (a polynomial in x and y) is fitted through the patch offsets,
and the page is resampled with it. The fit must explain the patches well, or the page is left as it was
(and its doubts go to a person, as before).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ballots.geometry import Page

CELL_MM = 24.0  # patch size
SEARCH_MM = 3.0  # how far a patch may have moved
SEARCH_WIDE_MM = 6.0  # on a page whose outlines are seen nowhere near the layout's (a wide lens's strong barrel
# left the middle of the page 3-4 mm from where the corner markers put it: measured, 7 of 90 clean frames refused)
MIN_SCORE = 0.45  # normalised correlation a patch needs to count
MIN_SHIFT_PX = 0.75  # below this (0.2 mm) at every box, the page is where the homography put it (flat pages: 0.2-0.5)
MAX_RESIDUAL_PX = 1.2  # the fitted warp must explain every patch within this (RMS), or it is not used
AMBIGUOUS = 0.08  # a patch whose second-best match (3 px or more away) scores within this of its best is unused


_Patches = list[tuple[int, int, int, int, bool, bool]]
_Stats = dict[tuple[int, int, int, int], tuple[float, float]]
_TEMPLATES: dict[tuple, tuple[np.ndarray, _Patches, _Stats]] = {}


def _template(key: tuple[str, int], page: Page, width_mm: float, height_mm: float,
              px_per_mm: float) -> tuple[np.ndarray, _Patches, _Stats]:
    """The blank form's outlines (dark = 1), the patches worth matching (x0 y0 x1 y1 in pixels, and whether
    each pins x and y) and the sum and sum of squares of the outlines in each quarter of a patch (see _scores)."""
    full = (*key, px_per_mm)
    if full not in _TEMPLATES:
        if len(_TEMPLATES) > 32:
            _TEMPLATES.clear()
        _TEMPLATES[full] = _make_template(page, width_mm, height_mm, px_per_mm)
    return _TEMPLATES[full]


def _make_template(page: Page, width_mm: float, height_mm: float, px_per_mm: float
                   ) -> tuple[np.ndarray, _Patches, _Stats]:
    h, w = round(height_mm * px_per_mm), round(width_mm * px_per_mm)
    t = np.zeros((h, w), np.float32)

    def p(v: float) -> int:  # fixed point, 1/16 px: outlines drawn where they are, not rounded to a pixel
        return round(v * px_per_mm * 16)

    def box(r, thickness: int) -> None:
        cv2.rectangle(t, (p(r.x), p(r.y)), (p(r.x + r.w), p(r.y + r.h)), 1.0, thickness, cv2.LINE_AA, 4)

    for b in page.boxes:
        box(b.rect, 1)
    blank, solid = page.calibration
    box(blank, 1)
    box(solid, -1)
    for ln in page.lines:
        cv2.line(t, (p(ln.x1), p(ln.y1)), (p(ln.x2), p(ln.y2)), 1.0, max(1, round(ln.width * px_per_mm)),
                 cv2.LINE_AA, 4)
    t = cv2.GaussianBlur(t, (0, 0), 0.8)
    cell = round(CELL_MM * px_per_mm)
    step = cell // 2  # overlapping patches: a small form's few boxes still give enough of them
    patches = []
    for y0 in range(0, h - cell // 2, step):
        for x0 in range(0, w - cell // 2, step):
            x1, y1 = min(w, x0 + cell), min(h, y0 + cell)
            part = t[y0:y1, x0:x1]
            # outlines across x pin the patch's x, outlines across y its y (a lone table line pins one)
            gx = float(np.abs(cv2.Sobel(part, cv2.CV_32F, 1, 0)).sum()) > 40.0 * px_per_mm
            gy = float(np.abs(cv2.Sobel(part, cv2.CV_32F, 0, 1)).sum()) > 40.0 * px_per_mm
            if gx or gy:
                patches.append((x0, y0, x1, y1, gx, gy))
    stats: _Stats = {}
    for x0, y0, x1, y1, *_pins in patches:
        xm, ym = (x0 + x1) // 2, (y0 + y1) // 2
        for q in ((x0, y0, xm, ym), (xm, y0, x1, ym), (x0, ym, xm, y1), (xm, ym, x1, y1)):
            part = t[q[1]:q[3], q[0]:q[2]].astype(np.float64)
            stats[q] = (float(part.sum()), float((part * part).sum()))
    return t, patches, stats


def _basis(x: np.ndarray, y: np.ndarray, terms: int) -> np.ndarray:
    cols = [np.ones_like(x), x, y, x * x, x * y, y * y, x * x * x, x * x * y, x * y * y, y * y * y]
    return np.stack(cols[:terms], axis=-1)


@dataclass(frozen=True, eq=False)
class Bend:
    """A page's measured bend: where each pixel of the straightened page comes from in the rectified one."""

    map_x: np.ndarray
    map_y: np.ndarray

    def apply(self, image: np.ndarray) -> np.ndarray:
        """`image` (a rectified page of the size the bend was measured on) resampled straight."""
        return cv2.remap(image, self.map_x, self.map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=255)


def straighten(image: np.ndarray, key: tuple[str, int], page: Page, width_mm: float, height_mm: float,
               px_per_mm: float) -> np.ndarray | None:
    """The rectified page resampled so its printed outlines sit where the layout has them, or None when it
    already does (or when its bend cannot be measured well enough to trust)."""
    bend = measure_bend(image, key, page, width_mm, height_mm, px_per_mm)
    return None if bend is None else bend.apply(image)


def measure_bend(image: np.ndarray, key: tuple[str, int], page: Page, width_mm: float, height_mm: float,
                 px_per_mm: float, search_mm: float = SEARCH_MM) -> Bend | None:
    """The bend that straightens the rectified page (see `straighten`), or None. `search_mm`: how far a patch may
    have moved."""
    template, patches, stats = _template(key, page, width_mm, height_mm, px_per_mm)
    dark = 255.0 - image.astype(np.float32)
    r = round(search_mm * px_per_mm)
    h, w = image.shape
    inside = [p for p in patches if p[0] - r >= 0 and p[1] - r >= 0 and p[2] + r <= w and p[3] + r <= h]
    every = _scores(dark, template, stats, [p[:4] for p in inside], r)
    found: list[tuple[float, float, float, float, bool, bool]] = []  # x y dx dy, pins x, pins y
    for (x0, y0, x1, y1, pin_x, pin_y), scores in zip(inside, every, strict=True):
        peak = _peak(scores, r, MIN_SCORE, pin_x, pin_y)
        if peak is None:
            continue
        dx, dy, pin_x, pin_y = peak
        found.append(((x0 + x1) / 2, (y0 + y1) / 2, dx, dy, pin_x, pin_y))
    for m in page.markers:  # the homography holds at the corner markers: the bend is nil there
        found.append((m.rect.cx * px_per_mm, m.rect.cy * px_per_mm, 0.0, 0.0, True, True))
    gy, gx = np.mgrid[0:h:16, 0:w:16].astype(np.float64)
    field = np.zeros((*gx.shape, 2))
    centres = np.array([(b.rect.cx * px_per_mm / w, b.rect.cy * px_per_mm / h) for b in page.boxes]).reshape(-1, 2)
    at_boxes = 0.0
    for axis in (0, 1):
        rows = np.array([(f[0], f[1], f[2 + axis]) for f in found if f[4 + axis]], np.float64).reshape(-1, 3)
        fitted = _fit(rows[:, 0] / w, rows[:, 1] / h, rows[:, 2], len(page.markers))
        if fitted is None:
            return None
        terms, coef = fitted
        field[..., axis] = _basis(gx / w, gy / h, terms) @ coef
        at_boxes = max(at_boxes, float(np.abs(_basis(centres[:, 0], centres[:, 1], terms) @ coef).max(initial=0)))
    if at_boxes < MIN_SHIFT_PX:  # the boxes are where the homography put them
        return None
    np.clip(field, -r, r, out=field)  # never further than a patch was allowed to move
    size = (w, h)
    map_x = cv2.resize(field[..., 0].astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
    map_y = cv2.resize(field[..., 1].astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
    map_x += np.arange(w, dtype=np.float32)[None, :]
    map_y += np.arange(h, dtype=np.float32)[:, None]
    return Bend(map_x, map_y)


def _scores(dark: np.ndarray, template: np.ndarray, stats: dict[tuple[int, int, int, int], tuple[float, float]],
            patches: list[tuple[int, int, int, int]], r: int) -> np.ndarray:
    """Each patch (x0 y0 x1 y1) of the blank form's outlines correlated with the page at every shift up to `r`:
    what cv2.matchTemplate's TM_CCOEFF_NORMED gives, (patches, 2r+1, 2r+1), the first score for the patch moved by
    -r, -r. The patches overlap by half, so each is made of four quarters that serve up to four patches each: every
    quarter is correlated once (0.05 ms, where a whole patch took 0.135), and a patch's correlation is its quarters'
    sum, normalised by the sums of the page under each window (in double precision, as OpenCV does) and the
    template's (`stats`: each quarter's sum and sum of squares). Scores within 4e-6 of matchTemplate's; the bend
    measured in 19 ms at median instead of 28 (356 pages: the test deck's and folded ballots; every bend the
    same). A patch of an odd size is matched whole."""
    n = 2 * r + 1
    out = np.empty((len(patches), n, n), np.float32)
    index: dict[tuple[int, int, int, int], int] = {}
    whole: list[int] = []  # patches of an odd size: matched whole
    parts = np.zeros((len(patches), 4), np.int64)
    for i, (x0, y0, x1, y1) in enumerate(patches):
        if (x1 - x0) % 2 or (y1 - y0) % 2:
            whole.append(i)
            continue
        xm, ym = (x0 + x1) // 2, (y0 + y1) // 2
        for j, q in enumerate(((x0, y0, xm, ym), (xm, y0, x1, ym), (x0, ym, xm, y1), (xm, ym, x1, y1))):
            parts[i, j] = index.setdefault(q, len(index))
    corr = np.empty((len(index), n, n), np.float32)
    sums = np.empty((len(index), 2, n, n), np.float64)  # the page's sum and sum of squares under each window
    t_sums = np.array([stats[q] for q in index], np.float64).reshape(-1, 2)  # the template quarter's
    ints: dict[tuple[int, int], np.ndarray] = {}  # a quarter's integral images of the page and of its square
    for q, k in index.items():
        x0, y0, x1, y1 = q
        qh, qw = y1 - y0, x1 - x0
        if (qh, qw) not in ints:
            ints[(qh, qw)] = np.empty((2, qh + n, qw + n), np.float64)
        sat = ints[(qh, qw)]
        region = dark[y0 - r:y1 + r, x0 - r:x1 + r]
        cv2.matchTemplate(region, template[y0:y1, x0:x1], cv2.TM_CCORR, result=corr[k])
        cv2.integral2(region, sat[0], sat[1], sdepth=cv2.CV_64F)
        sums[k] = sat[:, qh:, qw:] - sat[:, :n, qw:] - sat[:, qh:, :n] + sat[:, :n, :n]
    quartered = np.setdiff1d(np.arange(len(patches)), whole)
    if len(quartered):
        q = parts[quartered]
        c, s = corr[q].sum(axis=1, dtype=np.float64), sums[q].sum(axis=1)
        t_sum, t_sq = t_sums[q].sum(axis=1).T
        area = np.array([(patches[i][2] - patches[i][0]) * (patches[i][3] - patches[i][1]) for i in quartered],
                        np.float64)
        mean = t_sum / area
        norm = t_sq - t_sum * mean  # the template's squared deviation from its mean
        num = c - mean[:, None, None] * s[:, 0]
        t = np.sqrt(np.maximum(s[:, 1] - s[:, 0] * s[:, 0] / area[:, None, None], 0.0)) * np.sqrt(norm)[:, None, None]
        a = np.abs(num)
        with np.errstate(divide="ignore", invalid="ignore"):  # as OpenCV: a flat window scores 0
            scores = np.where(a < t, num / t, np.where(a < 1.125 * t, np.sign(num), 0.0))
        scores[norm < np.finfo(np.float64).eps * area] = 1.0  # a blank template matches everywhere (as OpenCV)
        out[quartered] = scores
    for i in whole:
        x0, y0, x1, y1 = patches[i]
        out[i] = cv2.matchTemplate(dark[y0 - r:y1 + r, x0 - r:x1 + r], template[y0:y1, x0:x1], cv2.TM_CCOEFF_NORMED)
    return out


def _peak(scores: np.ndarray, r: int, least: float, pin_x: bool = True, pin_y: bool = True
          ) -> tuple[float, float, bool, bool] | None:
    """The shift (dx dy, from -r; sub-pixel along each axis pinned) where a template matches best (`scores`, normed
    correlation at every shift up to `r`), and which axes it pins (`pin_x`, `pin_y`, and not at the search's edge).
    None below `least`, pinning neither axis, or without a clear winner: evenly spaced outlines (a grid of digit
    bubbles, a table) match one step over almost as well (AMBIGUOUS)."""
    _lo, best, _lp, (bx, by) = cv2.minMaxLoc(scores)
    pin_x = pin_x and 0 < bx < 2 * r
    pin_y = pin_y and 0 < by < 2 * r
    if best < least or not (pin_x or pin_y):
        return None
    others = scores.copy()
    cv2.rectangle(others, (bx - 3, by - 3), (bx + 3, by + 3), -1.0, -1)
    if cv2.minMaxLoc(others)[1] > best - AMBIGUOUS:
        return None
    dx = bx - r + (_vertex(scores[by, bx - 1], scores[by, bx], scores[by, bx + 1]) if pin_x else 0.0)
    dy = by - r + (_vertex(scores[by - 1, bx], scores[by, bx], scores[by + 1, bx]) if pin_y else 0.0)
    return dx, dy, pin_x, pin_y


def _vertex(a: float, b: float, c: float) -> float:
    """Sub-pixel peak: the vertex of a parabola through the best score and its two neighbours."""
    d = a - 2 * b + c
    return 0.0 if d >= 0 else float(0.5 * (a - c) / d)


def _fit(x: np.ndarray, y: np.ndarray, d: np.ndarray, anchors: int) -> tuple[int, np.ndarray] | None:
    """A smooth bend through the patches' shifts along one axis, or None when too few patches measure it or
    the patches disagree with any smooth bend."""
    measured = len(d) - anchors
    if measured < 4:
        return None
    terms = 10 if measured >= 20 else 6 if measured >= 8 else 3
    a = _basis(x, y, terms)
    keep = np.ones(len(d), bool)
    coef = np.zeros(terms)
    for _ in range(2):  # one round of dropping patches the smooth bend does not explain (a tick, a fold)
        coef, *_ = np.linalg.lstsq(a[keep], d[keep], rcond=None)
        err = np.abs(a @ coef - d)
        keep = err <= max(3 * float(np.median(err[keep])), 0.5)
    if keep.sum() < max(4 + anchors, terms + 2):
        return None
    rms = float(np.sqrt(np.mean((a[keep] @ coef - d[keep]) ** 2)))
    return None if rms > MAX_RESIDUAL_PX else (terms, coef)


LOCAL_MARGIN_MM = 1.5  # paper around a box's outline in its template
LOCAL_MIN_SCORE = 0.6  # normalised correlation a box's outline needs to say where it is
LOCAL_NEIGHBOURS = 4  # a box's shift must agree with the median of its nearest measured boxes' within LOCAL_AGREE_PX
LOCAL_AGREE_PX = 3.0
# A soft picture (a far sheet, a webcam out of focus) blurs a box's thin outline into a wide grey band that the
# template's outline matches only below LOCAL_MIN_SCORE (measured: 0.54-0.57 on a 2.4 px/mm frame of sharpness 11
# whose boxes lay 1.2 mm off the layout, a light tick moved out of its box's inside); the outline blurred by
# LOCAL_SOFT_PX more matches it at 0.67-0.70, and is tried where the sharp one finds nothing
LOCAL_SOFT_PX = 1.0


_SOFT: dict[tuple, np.ndarray] = {}


def _soft(key: tuple[str, int], page: Page, width_mm: float, height_mm: float, px_per_mm: float) -> np.ndarray:
    """The blank form's outlines blurred as a soft picture shows them (see LOCAL_SOFT_PX)."""
    full = (*key, px_per_mm)
    if full not in _SOFT:
        if len(_SOFT) > 32:
            _SOFT.clear()
        template = _template(key, page, width_mm, height_mm, px_per_mm)[0]
        _SOFT[full] = cv2.GaussianBlur(template, (0, 0), LOCAL_SOFT_PX)
    return _SOFT[full]


def measure_local_bend(image: np.ndarray, key: tuple[str, int], page: Page, width_mm: float, height_mm: float,
                       px_per_mm: float) -> Bend | None:
    """A bend measured box by box, for a page the smooth bend cannot straighten: a ballot folded in four and opened
    again stands as a ridge along a fold, and the parts of the page move in a tent, not a smooth polynomial
    (measured: survey forms, whose few boxes give a dozen patches, folded 5-10 mm high, 9 of 30 had a column of boxes
    moved 3-8 px off the layout after straightening, and were refused as covered). Each box's printed outline is
    found within SEARCH_MM (a clear, unambiguous match or none), shifts that disagree with their neighbours' are
    dropped, and the page is moved between the boxes by inverse-distance weighting (exact at each box; nil at the
    corner markers). None when fewer than three boxes are found or none has moved."""
    template, _patches, _stats = _template(key, page, width_mm, height_mm, px_per_mm)
    dark = 255.0 - image.astype(np.float32)
    h, w = image.shape
    r = round(SEARCH_MM * px_per_mm)
    m = round(LOCAL_MARGIN_MM * px_per_mm)
    points: list[tuple[float, float, float, float]] = []  # x y dx dy
    for b in page.boxes:
        x0, y0 = round(b.rect.x * px_per_mm) - m, round(b.rect.y * px_per_mm) - m
        x1, y1 = round((b.rect.x + b.rect.w) * px_per_mm) + m, round((b.rect.y + b.rect.h) * px_per_mm) + m
        if x0 - r < 0 or y0 - r < 0 or x1 + r > w or y1 + r > h:
            continue
        part = dark[y0 - r:y1 + r, x0 - r:x1 + r]
        scores = cv2.matchTemplate(part, template[y0:y1, x0:x1], cv2.TM_CCOEFF_NORMED)
        peak = _peak(scores, r, LOCAL_MIN_SCORE)
        if peak is None:  # a soft picture's outlines: matched as soft as they are (see LOCAL_SOFT_PX)
            soft = _soft(key, page, width_mm, height_mm, px_per_mm)
            peak = _peak(cv2.matchTemplate(part, soft[y0:y1, x0:x1], cv2.TM_CCOEFF_NORMED), r, LOCAL_MIN_SCORE)
        if peak is not None and peak[2] and peak[3]:  # a box pins both ways, or says nothing
            points.append(((x0 + x1) / 2, (y0 + y1) / 2, peak[0], peak[1]))
    if len(points) < 3:
        return None
    p = np.array(points, np.float64)
    near = np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1])
    np.fill_diagonal(near, np.inf)
    k = min(LOCAL_NEIGHBOURS, len(p) - 1)
    nearest = np.argsort(near, axis=1)[:, :k]
    typical = np.median(p[nearest][:, :, 2:], axis=1)
    p = p[np.hypot(*(p[:, 2:] - typical).T) <= LOCAL_AGREE_PX]  # a mark's ink matched instead of its outline
    if len(p) < 3 or np.abs(p[:, 2:]).max() < MIN_SHIFT_PX:
        return None
    anchors = np.array([(mk.rect.cx * px_per_mm, mk.rect.cy * px_per_mm, 0.0, 0.0) for mk in page.markers])
    p = np.concatenate([p, anchors.reshape(-1, 4)])
    gy, gx = np.mgrid[0:h:8, 0:w:8].astype(np.float32)
    p = p.astype(np.float32)
    weight = np.square(gx[..., None] - p[:, 0]) + np.square(gy[..., None] - p[:, 1])  # (rows, cols, points)
    np.maximum(weight, 1.0, out=weight)
    np.square(weight, out=weight)
    np.reciprocal(weight, out=weight)  # inverse distance to the 4th power: a box's own shift rules around it
    weights = weight.reshape(-1, len(p))
    field = ((weights @ p[:, 2:]) / weights.sum(axis=1, keepdims=True)).reshape(*gx.shape, 2)
    np.clip(field, -r, r, out=field)
    map_x = cv2.resize(field[..., 0].astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    map_y = cv2.resize(field[..., 1].astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    map_x += np.arange(w, dtype=np.float32)[None, :]
    map_y += np.arange(h, dtype=np.float32)[:, None]
    return Bend(map_x, map_y)

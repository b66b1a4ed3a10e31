"""Page finder: four ArUco markers → homography → the page in canonical millimetre coordinates.

Markers are found on a downscaled frame and their corners refined at full resolution. The fit of all 16
marker corners to the printed geometry is checked; a page whose fit error is high is not read (fail closed).
With one marker hidden (a thumb, the frame's edge) the other three give twelve corners, enough for the fit;
the reader then reads the sheet only if every box that matters is inside the picture.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ballots.layout import MARKER_INSET, MARKER_SIZE, PAPER
from meeting.lang import Why, say, why

# Markers are looked for on a copy 960 px wide with one thresholding window, then with two windows, then on a copy
# 1280 px wide; their corners are then refined at full resolution. The first window is 3 px: a marker's edges are
# all the contour needs (its cells are read from the grey picture), and a small window leaves fewer false
# candidates in the print. Measured on 521 deck frames (every damage kind, 1080p and 720p) and 100 photos: the same
# pages and markers found as with the 9 px window it replaces (609 pages, 580 with all four), the search 2.74 ms
# on average instead of 3.38 (a 13 px window was slower still and found no more); with `shrink` below, 2.4 ms (609
# pages, 579 with all four: one 720p frame's fourth marker is not found, its page fits on three).
PASSES = ((960, (3, 3)), (960, (5, 25)), (1280, (5, 25)))
TRACK_WINDOWS = (9, 9)  # the tracked markers' mosaic is at full resolution: 3 px lost a marker in 15 % of frames
TRACK_CELL = 112  # live video: each marker's window around its last place, in a 2 x 2 mosaic of this cell size
# A wide lens bends straight lines (barrel distortion): a sheet filling the picture of such a webcam fits a homography
# only to 0.66-0.87 mm (measured: the deck's lens, the page at 88-96 % of the frame; 5 of 48 sheets refused). One
# radial term is then fitted to the markers' corners: the picture's point d (from its middle, in half widths) shows
# the straight scene's point u, d = u (1 + k |u|^2), k from LENS_K, then LENS_FINE around the best (18 tries, 3.7 ms
# in all). When the corners fit the page within the limit so, the picture is straightened by k and the page found
# there again, with the same limit: a page that is bent itself (a curl, a fold) still fails it.
LENS_K = np.round(np.arange(-0.32, 0.3201, 0.08), 3)
LENS_FINE = np.round(np.arange(-0.04, 0.0401, 0.01), 3)
# A lens can also move the page's middle while the corners still fit (lens_from_outlines): k is then the bend under
# which the box outlines stand out from their insides the most, by OUTLINE_LENS_MIN grey levels at least and
# OUTLINE_LENS_GAIN times as much as where the page was fitted
OUTLINE_LENS_MIN = 8.0
OUTLINE_LENS_GAIN = 2.0
# A mirrored picture (a webcam or its driver set to mirror, as for video calls; a phone's front camera) shows the
# markers turned over, which no ArUco dictionary reads: every sheet would be "no sheet in view". When fewer than
# three markers are found, the first pass's copy turned over is searched too (0.9 ms, only then); three markers or
# more there: NoPage.mirrored, and the reader reads the picture turned back. Turning over loses nothing, and the
# code's HMAC still says whether the sheet is the meeting's.
MIRROR_MARKERS = 3


@dataclass(frozen=True)
class PageFit:
    paper: str
    width_mm: float
    height_mm: float
    homography: np.ndarray  # frame pixels → page millimetres
    error_mm: float  # RMS distance of the 16 marker corners from where the fit puts them
    page_fraction: float  # share of the frame the page covers
    px_per_mm: float  # how many frame pixels one millimetre of paper gets (for "too far")
    corners_px: np.ndarray  # the page's four corners in the frame (for the preview outline)
    markers: int = 4  # markers the fit used: 3 when one is hidden (a thumb) or cut off by the frame's edge
    frame_size: tuple[int, int] = (0, 0)  # width, height of the frame
    mirrored: bool = False  # found in the picture turned over left to right (a mirrored camera): see MIRROR_MARKERS

    def in_view(self, x: float, y: float, w: float, h: float, margin_px: float = 2.0) -> bool:
        """Whether a page region (mm) lies wholly inside the frame."""
        pts = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float64).reshape(-1, 1, 2)
        px = cv2.perspectiveTransform(pts, np.linalg.inv(self.homography)).reshape(-1, 2)
        fw, fh = self.frame_size
        return bool(np.all(px >= margin_px) and np.all(px[:, 0] <= fw - margin_px)
                    and np.all(px[:, 1] <= fh - margin_px))

    def to_canonical(self, px_per_mm: float) -> np.ndarray:
        scale = np.diag([px_per_mm, px_per_mm, 1.0])
        return scale @ self.homography


@dataclass(frozen=True)
class NoPage:
    reason: str  # no_page | missing_marker | two_pages | fit_error
    why: Why | None = None  # what was measured, as words (see meeting.lang.Why)
    markers: int = 0
    lens: float | None = None  # fit_error: a wide lens's bend (see LENS_K) under which the markers fit the page
    mirrored: bool = False  # the markers are there in the picture turned over left to right (see MIRROR_MARKERS)

    @property
    def detail(self) -> str:
        return say(self.why, "en") if self.why else ""


@functools.lru_cache(maxsize=4)
def _detector(windows: tuple[int, int] = (5, 25)) -> cv2.aruco.ArucoDetector:
    params = cv2.aruco.DetectorParameters()
    params.adaptiveThreshWinSizeMin, params.adaptiveThreshWinSizeMax = windows
    params.adaptiveThreshWinSizeStep = max(1, windows[1] - windows[0])
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_NONE  # refined at full resolution instead
    # Read each cell from a 10x10 sample ignoring a third of its border: measured on the test deck at 720p,
    # 98 of 100 damaged frames had all four markers found (77 with the defaults), and faster.
    params.perspectiveRemovePixelPerCell = 10
    params.perspectiveRemoveIgnoredMarginPerCell = 0.33
    return cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50), params)


@functools.lru_cache(maxsize=4)
def marker_corners_mm(paper: str) -> np.ndarray:
    """(4 markers × 4 corners × 2) page coordinates in mm, markers ordered by id, corners TL TR BR BL."""
    w, h = PAPER[paper]
    s, i = MARKER_SIZE, MARKER_INSET
    origins = [(i, i), (w - i - s, i), (w - i - s, h - i - s), (i, h - i - s)]
    return np.array([[(x, y), (x + s, y), (x + s, y + s), (x, y + s)] for x, y in origins], dtype=np.float64)


def shrink(gray: np.ndarray, scale: float) -> np.ndarray:
    """`gray` resized by `scale` (< 1): whole-number steps as block means (OpenCV's fast path), what is left
    bilinear. Block means at a fractional scale are 6 to 20 times slower (measured: 1280 -> 960 px 1.3 ms against
    0.2; 1920 -> 1280 px 2.4 ms): a 720p frame, a phone's photo and the finer pass paid that on every search."""
    h, w = gray.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    steps = int(1 / scale + 1e-9)
    if steps >= 2:
        gray = cv2.resize(gray, (w // steps, h // steps), interpolation=cv2.INTER_AREA)
    if (gray.shape[1], gray.shape[0]) != size:
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_LINEAR)
    return gray


def to_gray(frame: np.ndarray) -> np.ndarray:
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def _track(gray: np.ndarray, hint: PageFit) -> dict[int, np.ndarray] | None:
    """The four markers where the last frame had them: each looked for only in a small window around its last
    place (a sheet on the stand moves a few pixels between frames), the four windows searched at once as one
    small picture. None when any is not there."""
    h, w = gray.shape
    inverse = np.linalg.inv(hint.homography)
    cell = TRACK_CELL
    mosaic = np.full((2 * cell, 2 * cell), 255, np.uint8)
    placed = []
    for marker_id, corners_mm in enumerate(marker_corners_mm(hint.paper)):
        px = cv2.perspectiveTransform(corners_mm.reshape(-1, 1, 2), inverse).reshape(-1, 2)
        side = float(np.max(px.max(axis=0) - px.min(axis=0)))
        grow = 0.6 * side + 8
        x0, y0 = (int(max(0, v - grow)) for v in px.min(axis=0))
        x1, y1 = int(min(w, px[:, 0].max() + grow)), int(min(h, px[:, 1].max() + grow))
        if x1 - x0 < side or y1 - y0 < side or side < 12:
            return None
        scale = min(1.0, (cell - 4) / max(x1 - x0, y1 - y0))  # each window fits its cell of the mosaic
        crop = gray[y0:y1, x0:x1]
        if scale < 1:
            crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        oy, ox = (marker_id // 2) * cell + 2, (marker_id % 2) * cell + 2
        mosaic[oy:oy + crop.shape[0], ox:ox + crop.shape[1]] = crop
        placed.append((scale, x0, y0, ox, oy))
    corners, ids, _ = _detector(TRACK_WINDOWS).detectMarkers(mosaic)
    found: dict[int, np.ndarray] = {}
    for c, i in zip(corners, () if ids is None else ids.ravel(), strict=True):
        marker_id = int(i)
        if marker_id > 3:
            continue
        scale, x0, y0, ox, oy = placed[marker_id]
        c = c.reshape(4, 2)
        inside = (c[:, 0] >= ox) & (c[:, 0] < ox + TRACK_CELL - 2) & (c[:, 1] >= oy) & (c[:, 1] < oy + TRACK_CELL - 2)
        if marker_id in found or not inside.all():
            return None  # twice, or not in its own window: search the whole picture
        found[marker_id] = (c - np.array([ox, oy], np.float32)) / scale + np.array([x0, y0], np.float32)
    return found if len(found) == 4 else None


def find_page(gray: np.ndarray, max_error_mm: float = 0.6, hint: PageFit | None = None,
              paper_first: str | None = None, try_lens: bool = True, try_mirror: bool = True) -> PageFit | NoPage:
    """The page in this frame. `hint`: the last frame's fit (live video): its markers are looked for near where
    they were first, which is a fraction of the full search; the full search runs when any is not found.
    `paper_first`: the paper size to try first (the last sheet's). `try_lens`: when the markers do not fit, look for
    a wide lens's bend under which they do (NoPage.lens; 3.7 ms): only where the caller would use it.
    `try_mirror`: when fewer than three markers are found, look for them in the picture turned over (see
    MIRROR_MARKERS)."""
    h, w = gray.shape
    tried: set[tuple[float, tuple[int, int]]] = set()
    found: dict[int, np.ndarray] = {}
    resized: dict[float, np.ndarray] = {}
    scale = first = min(1.0, PASSES[0][0] / max(w, h))  # the first pass's copy (the mirror's search too)
    tracked = _track(gray, hint) if hint is not None and hint.markers == 4 and hint.frame_size == (w, h) else None
    for width, windows in () if tracked else PASSES:
        scale = min(1.0, width / max(w, h))
        if (scale, windows) in tried:
            continue
        tried.add((scale, windows))
        found = {}
        if scale not in resized:
            resized[scale] = shrink(gray, scale) if scale < 1 else gray
        corners, ids, _ = _detector(windows).detectMarkers(resized[scale])
        for c, marker_id in zip(corners, () if ids is None else ids.ravel(), strict=True):
            marker_id = int(marker_id)
            if marker_id > 3:
                continue
            if marker_id in found:
                return NoPage("two_pages", markers=len(found))
            found[marker_id] = c.reshape(4, 2) / scale
        if len(found) == 4:
            break
    if tracked:
        found = tracked
    if len(found) < 3:  # three markers give twelve corners: enough for the homography; fewer are not
        missing = sorted({0, 1, 2, 3} - set(found))
        seen = why("reject_detail.markers", missing=", ".join(map(str, missing)))
        mirrored = try_mirror and first in resized and _mirrored(resized[first], PASSES[0][1])
        return NoPage("missing_marker" if found else "no_page", seen, len(found), mirrored=mirrored)
    used = sorted(found)
    src = np.concatenate([found[i] for i in used]).astype(np.float32)
    win = max(2, round(3 / scale))
    cv2.cornerSubPix(gray, src.reshape(-1, 1, 2), (win, win), (-1, -1),
                     (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_COUNT, 20, 0.05))
    best: PageFit | None = None
    # the paper sizes' marker layouts differ by millimetres (measured: a wrong paper fits at 3.7 mm or worse, the
    # right one within 0.9): the first paper that fits within max_error_mm is the sheet's; the last one read first
    first = paper_first if paper_first in PAPER else (hint.paper if hint is not None else None)
    for paper in sorted(PAPER, key=lambda p: p != first):
        if best is not None and best.error_mm <= max_error_mm:
            break
        dst = marker_corners_mm(paper)[used].reshape(-1, 2)
        homography, error = _fit(src.astype(np.float64), dst)
        if homography is None:
            continue
        if best is None or error < best.error_mm:
            pw, ph = PAPER[paper]
            page = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float64).reshape(-1, 1, 2)
            outline = cv2.perspectiveTransform(page, np.linalg.inv(homography)).reshape(-1, 2)
            area = float(cv2.contourArea(outline.astype(np.float32)))
            best = PageFit(paper, pw, ph, homography, error, area / float(w * h), float(np.sqrt(area / (pw * ph))),
                           outline, len(used), (w, h))
    if best is None or best.error_mm > max_error_mm:
        detail = why("reject_detail.fit", mm=f"{best.error_mm:.2f}") if best else why("reject_detail.no_fit")
        lens = _lens(src.astype(np.float64), marker_corners_mm(best.paper)[used].reshape(-1, 2), (w, h),
                     max_error_mm) if best is not None and try_lens else None
        return NoPage("fit_error", detail, len(used), lens)
    return best


def _mirrored(small: np.ndarray, windows: tuple[int, int]) -> bool:
    """Whether the page's markers are seen in `small` turned over left to right (see MIRROR_MARKERS)."""
    _corners, ids, _ = _detector(windows).detectMarkers(cv2.flip(small, 1))
    return ids is not None and len({int(i) for i in ids.ravel() if int(i) <= 3}) >= MIRROR_MARKERS


def _fit(src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray | None, float]:
    """The homography taking `src` to `dst` (float64 points) and the RMS distance of `src` from `dst` under it;
    (None, inf) when there is none."""
    homography, _ = cv2.findHomography(src, dst, 0)
    if homography is None:
        return None, np.inf
    projected = cv2.perspectiveTransform(src.reshape(-1, 1, 2), homography).reshape(-1, 2)
    return homography, float(np.sqrt(np.mean(np.sum((projected - dst) ** 2, axis=1))))


def _best_bend(cost: Callable[[float], float]) -> tuple[float, float]:
    """The lens bend k of least `cost`, LENS_K first, then LENS_FINE around the best, and that cost."""
    k0 = min(LENS_K, key=cost)
    costs = {k: cost(k) for k in (round(float(k0 + step), 3) for step in LENS_FINE)}
    k = min(costs, key=costs.__getitem__)
    return k, costs[k]


def _unbend(points: np.ndarray, k: float, size: tuple[int, int]) -> np.ndarray | None:
    """Where the picture's `points` (px) lie in the straight scene under the lens bend `k` (see LENS_K); None when
    the bend cannot be undone there (folded over itself)."""
    centre, half = np.array([size[0] / 2, size[1] / 2]), size[0] / 2
    d = (points - centre) / half
    rd = np.hypot(d[:, 0], d[:, 1])
    ru = rd.copy()
    for _ in range(8):  # Newton's steps on each radius: k ru^3 + ru = rd
        slope = 3 * k * ru * ru + 1
        if np.any(slope <= 0.1):
            return None
        ru = ru - (k * ru ** 3 + ru - rd) / slope
    if np.any(ru < 0) or np.max(np.abs(k * ru ** 3 + ru - rd)) > 1e-9:
        return None
    scale = np.divide(ru, rd, out=np.ones_like(rd), where=rd > 0)
    return d * scale[:, None] * half + centre


def _lens(src: np.ndarray, dst: np.ndarray, size: tuple[int, int], max_error_mm: float) -> float | None:
    """The lens bend k (LENS_K) under which the markers' corners (`src`, px) fit the page's (`dst`, mm) within
    `max_error_mm`, the best of them; None when none does."""
    def error(k: float) -> float:
        straight = _unbend(src, k, size)
        return np.inf if straight is None else _fit(straight, dst)[1]

    k, least = _best_bend(error)
    return k if k != 0 and least <= max_error_mm else None


def _bend(points: np.ndarray, k: float, size: tuple[int, int]) -> np.ndarray:
    """Where the straight scene's `points` (px) show in the picture under the lens bend `k`: d = u (1 + k |u|^2)."""
    centre, half = np.array([size[0] / 2, size[1] / 2]), size[0] / 2
    u = (points - centre) / half
    return u * (1 + k * np.sum(u * u, axis=1, keepdims=True)) * half + centre


def lens_from_outlines(gray: np.ndarray, fit: PageFit, boxes_mm: Sequence[tuple[float, float, float, float]]
                       ) -> float | None:
    """The lens bend k (LENS_K) under which the page's printed box outlines (`boxes_mm`: x y w h) stand out from the
    boxes' insides the most, when far more than as the page was fitted: a wide lens can move the page's middle
    while its corner markers still fit (their fit error says nothing there), and the outlines are then not where the
    page puts them. None when no bend shows them so (OUTLINE_LENS_GAIN)."""
    if fit.markers < 4 or not len(boxes_mm):
        return None
    size = fit.frame_size
    dst = marker_corners_mm(fit.paper).reshape(-1, 2)
    src = cv2.perspectiveTransform(dst.reshape(-1, 1, 2), np.linalg.inv(fit.homography)).reshape(-1, 2)
    t = np.array([0.15, 0.3, 0.5, 0.7, 0.85])
    edge, inside = [], []
    for x, y, w, h in boxes_mm:
        edge += [(x + v * w, y) for v in t] + [(x + v * w, y + h) for v in t] + \
                [(x, y + v * h) for v in t] + [(x + w, y + v * h) for v in t]
        inside += [(x + a * w, y + b * h) for a in (0.3, 0.7) for b in (0.3, 0.7)]
    pts = np.array(edge + inside, np.float64)
    n_edge = len(edge)

    def contrast(k: float) -> float:
        straight = _unbend(src, k, size) if k else src
        if straight is None:
            return -np.inf
        homography, _ = cv2.findHomography(dst, straight, 0)  # page mm -> the straight scene's px
        if homography is None:
            return -np.inf
        at = cv2.perspectiveTransform(pts.reshape(-1, 1, 2), homography).reshape(-1, 2)
        at = _bend(at, k, size).astype(np.float32) if k else at.astype(np.float32)
        seen = cv2.remap(gray, at[:, 0].reshape(1, -1), at[:, 1].reshape(1, -1), cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE).ravel().astype(np.float64)
        return float(np.mean(seen[n_edge:]) - np.mean(seen[:n_edge]))  # outlines darker than insides

    plain = contrast(0.0)
    k, least = _best_bend(lambda k: -contrast(k))
    best = -least
    return k if k != 0 and best >= OUTLINE_LENS_MIN and best >= OUTLINE_LENS_GAIN * max(plain, 0.0) else None


@functools.lru_cache(maxsize=2)
def _lens_maps(size: tuple[int, int], k: float) -> tuple[np.ndarray, np.ndarray]:
    """Where each pixel of the straightened picture is taken from in the bent one (cv2.remap's fixed-point maps):
    d = u (1 + k |u|^2). Made once per picture size and bend, as a camera keeps its lens (4-67 ms at 1080p)."""
    w, h = size
    half = np.float32(w / 2)
    ux = (np.arange(w, dtype=np.float32) - np.float32(w / 2)) / half
    uy = (np.arange(h, dtype=np.float32) - np.float32(h / 2)) / half
    factor = 1 + np.float32(k) * (uy[:, None] * uy[:, None] + ux[None, :] * ux[None, :])
    return cv2.convertMaps(ux[None, :] * factor * half + np.float32(w / 2),
                           uy[:, None] * factor * half + np.float32(h / 2), cv2.CV_16SC2)


def straighten(frame: np.ndarray, k: float) -> np.ndarray:
    """The picture as a lens without the bend `k` (see LENS_K) would have taken it; outside the picture: black."""
    map1, map2 = _lens_maps((frame.shape[1], frame.shape[0]), k)
    return cv2.remap(frame, map1, map2, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def rectify(gray: np.ndarray, fit: PageFit, px_per_mm: float) -> np.ndarray:
    """The whole page, upright, at `px_per_mm`."""
    size = (round(fit.width_mm * px_per_mm), round(fit.height_mm * px_per_mm))
    return cv2.warpPerspective(gray, fit.to_canonical(px_per_mm), size, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def rectify_window(gray: np.ndarray, fit: PageFit, px_per_mm: float, window: tuple[int, int, int, int] | None
                   ) -> tuple[np.ndarray, Callable[[], None]]:
    """The whole page's canvas with only `window` (page pixels x0 y0 x1 y1) rectified, and a function that
    rectifies the rest when the whole page is wanted (to keep its picture): a live frame reads the window alone.
    No window: the whole page at once."""
    w, h = round(fit.width_mm * px_per_mm), round(fit.height_mm * px_per_mm)
    if window is None:
        return rectify(gray, fit, px_per_mm), lambda: None
    canvas = np.empty((h, w), np.uint8)
    canonical = fit.to_canonical(px_per_mm)

    def warp(x0: int, y0: int, x1: int, y1: int) -> None:
        if x1 <= x0 or y1 <= y0:
            return
        shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], dtype=np.float64)
        view = canvas[y0:y1, x0:x1]
        out = cv2.warpPerspective(gray, shift @ canonical, (x1 - x0, y1 - y0), dst=view, flags=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_CONSTANT, borderValue=255)
        if out is not view:  # written in place (measured), but never rely on it
            view[...] = out

    x0, y0, x1, y1 = window
    warp(x0, y0, x1, y1)
    done: list[bool] = []

    def complete() -> None:
        if not done:
            done.append(True)
            warp(0, 0, w, y0)
            warp(0, y1, w, h)
            warp(0, y0, x0, y1)
            warp(x1, y0, w, y1)

    return canvas, complete


def rectify_region(gray: np.ndarray, fit: PageFit, x: float, y: float, w: float, h: float,
                   px_per_mm: float) -> np.ndarray:
    """A region of the page (mm), upright, at `px_per_mm`."""
    shift = np.array([[1, 0, -x * px_per_mm], [0, 1, -y * px_per_mm], [0, 0, 1]], dtype=np.float64)
    size = (round(w * px_per_mm), round(h * px_per_mm))
    return cv2.warpPerspective(gray, shift @ fit.to_canonical(px_per_mm), size, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=255)

"""One frame in, one verdict out: a sheet read (with its interpretation) or a rejection with its reason.

frame → page finder → QR on the rectified crop → payload verified against this meeting → its stored layout
→ rectified page → mark reader → interpretation.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from ballots.geometry import Layout, Page
from ballots.layout import QR_MODULE, qr_rect, unaccepted_change
from ballots.payload import TEST_VERSION, VERSION, Payload, PayloadError, layout_prefix, verify
from meeting.lang import Why, rejection_words, say, why
from meeting.model import Meeting
from scanner import qr
from scanner.interpret import Interpretation, interpret
from scanner.marks import (
    OFFSET_GAIN,
    OFFSET_STRAIGHTEN,
    OUTLINE_PAGE_MIN,
    PX_PER_MM,
    LowContrast,
    PageInk,
    Thresholds,
    prepare,
    read_ink,
    window_px,
)
from scanner.memory import keep_freed_memory
from scanner.pagefinder import (
    NoPage,
    PageFit,
    find_page,
    lens_from_outlines,
    rectify,
    rectify_region,
    rectify_window,
    straighten,
    to_gray,
)
from scanner.warp import SEARCH_MM, SEARCH_WIDE_MM, Bend, measure_bend, measure_local_bend

QR_PX_PER_MM = 8.0
QR_COARSE_PX_PER_MM = 5.0  # a live frame's code is tried at this first
QR_MIN_PX_PER_MM = 2.2  # measured: codes stop decoding below ~2 px per mm of the frame
MIN_SHARPNESS = 15.0  # variance of the Laplacian of the page's reading window; below it the frame is soft (sharp
# 1080p frames measure 90-1000; blurred by a 2 px Gaussian, the ones whose code still reads measure 12-70 and read
# correctly). A soft frame is still read when its marks can be decided (dim light lowers this number without hiding
# a mark): rejected only when many boxes are in doubt
MIN_SHARPNESS_FLOOR = 2.0  # below this nothing on the page can be told apart
MIN_PAPER_LEVEL = 60.0  # the paper's grey (0-255) in the picture; darker is too dark to trust a faint mark
# A page found by three corner markers (the fourth hidden or outside the picture) whose boxes' outlines show at most
# this (their median darkness; plain webcam frames 0.06 at least, 0.18 at median) is refused: move it into view.
# Measured: a rating sheet under the deck's barrel lens with one marker outside the picture read at 0.02, its boxes
# 2.8 mm off the layout near the missing corner (the table's lines seen instead of the outlines), and a small light
# tick in the real box was read as nothing
OUTLINE_CORNER_MIN = 0.05
WHITE_PAPER_LEVEL = 250.0  # paper at the camera's white: a sign of too much light only with the outlines unseen
# (45 % of the deck's frames that read well have paper this light)
# a picture is straightened for a wide lens (pagefinder.straighten) only up to this size: its maps and copy take
# 300 MB at peak for a 12 MP photo, 940 MB for 48 MP (measured), in every reader process of a batch
LENS_MAX_PIXELS = 13_000_000
FAR_PX_PER_MM = 2.3  # measured: far sheets lose faint outlines (1.8-2.0 px/mm), no hand needed: "too far"
# A picture in black and white only (a scanner set to "black and white", a phone scanner app's B&W mode, a 1-bit
# TIFF or PNG) has had every grey turned to black or white: a light tick (grey 150-200) may have become paper, and the
# ballot would be counted without it. Such a picture is refused, never read: scan or photograph the sheet in grey or
# colour. Measured, the share of the page's pixels between grey 48 and 207 (BILEVEL_GREYS): black-and-white pictures
# 0-0.1 % (saved as JPEG, its ringing included); camera frames under seven of the deck's damage kinds 15 % at least
# (none of 528 clean sheets under all eleven refused so), 12 MP photos 17 %, a phone app's "enhance" filter 4.6 %, a
# flat grey office scan at 200 dpi 2.4 %, the kit's own pages as drawn 1.4-3.0 %. Not caught: a black-and-white
# picture resized afterwards (its edges averaged into greys): 2-11 %, like a grey scan
BILEVEL_GREYS = (48, 207)
BILEVEL_GREY_MAX = 0.005
BILEVEL_SAMPLES = 120_000  # pixels looked at (an even grid over the page, or the picture when no page is found)
FULL_SEARCH_EVERY = 10  # live video: frames read near the last fit before the whole picture is searched again

@dataclass(frozen=True)
class Rejected:
    """Why a frame was not read: `reason` (a `reject.*` phrase in meeting.lang: the operator's next step) and what
    was measured (`why`), both said in the meeting's language by `message`."""

    reason: str  # no_page, blurred, …, or a payload rejection (foreign, bad_mac, …)
    why: Why | None = None
    fit: PageFit | None = None
    note: str = ""  # an English-only explanation (a changed layout's difference), shown in English lines

    @property
    def detail(self) -> str:
        """What was measured, in English (logs, tests)."""
        return "; ".join(x for x in (self.note, say(self.why, "en") if self.why else "") if x)

    def message(self, language: str = "en") -> str:
        head = rejection_words(self.reason, language)
        detail = self.detail if language == "en" else say(self.why, language) if self.why else ""
        if not detail:
            return head
        return f"{head}（{detail}）" if language == "zh" else f"{head} ({detail})"


@dataclass(frozen=True)
class SheetRead:
    payload: Payload
    layout: Layout
    page: Page
    ink: PageInk
    interpretation: Interpretation
    fit: PageFit
    sharpness: float
    canvas: np.ndarray = field(repr=False, compare=False)  # the rectified page, grey (see `image`)
    code: str = ""  # the QR text as read
    complete: Callable[[], None] | None = field(default=None, repr=False, compare=False)  # rectifies the rest

    @property
    def image(self) -> np.ndarray:
        """The rectified page, grey: the reader rectified only its reading window; the rest is made on demand."""
        if self.complete is not None:
            self.complete()
        return self.canvas

    @property
    def key(self) -> tuple:
        """What must stay the same over consecutive frames before a live reading commits."""
        states = tuple(sorted((k, v.state) for k, v in self.ink.boxes.items()))
        return (self.layout.hash, self.payload.page, self.payload.serial, states, self.interpretation.signature())

    def jpeg(self, quality: int = 80) -> bytes:
        ok, data = cv2.imencode(".jpg", self.image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        return data.tobytes()


def _turned(colour: Callable[[], np.ndarray | None] | None) -> Callable[[], np.ndarray | None] | None:
    """`colour`, its picture turned over left to right (a mirrored picture, see pagefinder.MIRROR_MARKERS); None
    stays None."""
    if colour is None:
        return None

    def turned() -> np.ndarray | None:
        picture = colour()
        return None if picture is None else cv2.flip(picture, 1)
    return turned


def _sharpness(image: np.ndarray) -> float:
    """Variance of the page's Laplacian: its mean square (a third of meanStdDev's time; a Laplacian's mean over a
    page is nil, measured below 1e-4 of the variance)."""
    lap = cv2.Laplacian(image, cv2.CV_16S)
    return cv2.norm(lap, cv2.NORM_L2SQR) / float(lap.size)


def _grey_share(gray: np.ndarray, fit: PageFit | None) -> float | None:
    """The share of grey pixels (BILEVEL_GREYS) over the page (its outline's bounding box; the whole picture when no
    page was found), from an even grid of about BILEVEL_SAMPLES pixels. None when the picture is not black and white
    at all (less than 0.2 % black or 20 % white: a dark picture, a blank wall, a lens cap): "no sheet" says more."""
    h, w = gray.shape
    x0, y0, x1, y1 = 0, 0, w, h
    if fit is not None:
        low, high = fit.corners_px.min(axis=0), fit.corners_px.max(axis=0)
        x0, y0 = max(0, int(low[0])), max(0, int(low[1]))
        x1, y1 = min(w, math.ceil(float(high[0])) + 1), min(h, math.ceil(float(high[1])) + 1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    step = max(1, int(math.sqrt((x1 - x0) * (y1 - y0) / BILEVEL_SAMPLES)))
    grid = np.ascontiguousarray(gray[y0:y1:step, x0:x1:step])
    hist = cv2.calcHist([grid], [0], None, [256], [0, 256]).ravel()
    lo, hi = BILEVEL_GREYS
    n = float(grid.size)
    if hist[:lo].sum() < 0.002 * n or hist[hi + 1:].sum() < 0.2 * n:
        return None
    return float(hist[lo:hi + 1].sum()) / n


def _too_far(fit: PageFit, needed: float, measured: Why) -> Rejected:
    """A sheet with too few pixels per millimetre: too far away, or, when even a sheet filling the picture (turned
    to suit it, 90 % of it) would not get `needed`, a camera whose resolution is too low (a 640 x 480 webcam gets
    at most 1.9 px/mm on A4): bringing the sheet closer cannot help, another camera or photos can."""
    fw, fh = fit.frame_size
    w, h = fit.width_mm, fit.height_mm
    best = 0.9 * max(min(fw / w, fh / h), min(fw / h, fh / w))
    if best < needed:
        return Rejected("low_resolution", measured, fit)
    return Rejected("too_far", measured, fit)


def _code_in_colour(picture: np.ndarray | None, gray: np.ndarray, fit: PageFit,
                    region: tuple[float, float, float, float]) -> str | None:
    """The code read where every colour is light: a ballot stamped with the organisation's red seal over its code
    (the corner where seals go) reads dark in grey, and the code's modules under it are lost (measured: a seal
    centred within 8 mm of the code, 25 of 100 sheets not read); in the lightest of each pixel's three colours the
    seal's ink is near paper and the black modules stay black. Only asked for when the grey picture gave no code;
    a code read is verified as any other."""
    if picture is None or picture.ndim != 3 or picture.shape[:2] != gray.shape:
        return None
    crop = rectify_region(picture, fit, *region, QR_PX_PER_MM)
    text = qr.decode(np.ascontiguousarray(crop.max(axis=2)))
    # a decoder may make a short text of what is left of a code under a seal (measured once in 100: "968"): only
    # one of ours is taken, or the sheet would be called another meeting's
    return text if text is not None and text.startswith((VERSION + ":", TEST_VERSION + ":")) else None


def _undecided(ink: PageInk) -> int:
    """Boxes in doubt (marginal, struck) or not seen: what straightening the page may settle."""
    return sum(b.state not in ("empty", "marked") for b in ink.boxes.values()) + len(ink.hidden)


def _unseen(ink: PageInk) -> bool:
    """Whether the page's outlines were not all seen where the layout has them (a box hidden, or none plain): its
    offset then measures nothing (see PageInk.offset)."""
    return bool(ink.hidden) or ink.outlines < OUTLINE_PAGE_MIN


BEND_REUSE_EMPTY = 3  # empty boxes whose outlines vouch for a reused bend (fewer: the offset is not measured)


def _doubts(ink: PageInk) -> frozenset[str]:
    """The boxes in doubt (marginal, struck) or not seen."""
    return frozenset([k for k, b in ink.boxes.items() if b.state not in ("empty", "marked")] + list(ink.hidden))


@dataclass(frozen=True)
class _LastPage:
    """Live video: how the last frame's page ended: its bend (none when straightening did not help) and its
    doubts."""

    key: tuple[str, int]  # layout hash, page number
    bends: tuple[Bend, ...]
    doubts: frozenset[str]
    offset: float  # how far its empty boxes' outlines lay from the layout's (px, see PageInk.offset)


def _settled(ink: PageInk, last: _LastPage) -> bool:
    """Whether this reading ends as the last frame of the page did: the same boxes in doubt, and the outlines of
    at least BEND_REUSE_EMPTY empty boxes where the layout has them (offset under OFFSET_STRAIGHTEN: the test a page
    read as it is passes), or as near them as on the last frame (a bend larger than straightening undoes)."""
    empty = sum(b.state == "empty" for b in ink.boxes.values())
    near = ink.offset < max(OFFSET_STRAIGHTEN, last.offset + OFFSET_GAIN)
    return _doubts(ink) == last.doubts and near and empty >= BEND_REUSE_EMPTY


class SheetReader:
    def __init__(self, meeting: Meeting, secret: bytes, layouts: dict[str, Layout], thresholds: Thresholds,
                 *, allow_test: bool = False, max_fit_error_mm: float = 0.6, min_sharpness: float = MIN_SHARPNESS,
                 min_px_per_mm: float = 1.7) -> None:
        self.meeting = meeting
        self.secret = secret
        self._changed: dict[str, str | None] = {}
        self.layouts = {layout_prefix(h): layout for h, layout in layouts.items()}
        self.prefix_to_hash = {p: layout.hash for p, layout in self.layouts.items()}
        self.thresholds = thresholds
        self.allow_test = allow_test
        self.max_fit_error_mm = max_fit_error_mm
        self.min_sharpness = min_sharpness
        self.min_px_per_mm = min_px_per_mm
        self.timings: dict[str, float] = {}
        self._last_fit: PageFit | None = None
        self._tracked = 0
        self._paper: str | None = None  # the last sheet's paper size: tried first
        self._last_page: _LastPage | None = None  # live: how the last frame's page ended (see _LastPage)
        self._lens: float | None = None  # live: the camera's lens bend, once its frames needed it (see LENS_K)
        self._mirror = False  # live: the camera's picture is mirrored (see pagefinder.MIRROR_MARKERS)
        keep_freed_memory()  # a frame's big arrays reuse the last frame's memory (half the time, measured)

    @classmethod
    def for_meeting(cls, meeting: Meeting, secret: bytes, layouts: dict[str, Layout], *,
                    allow_test: bool = False) -> SheetReader:
        scan = meeting.scan
        return cls(meeting, secret, layouts, Thresholds(float(scan.mark_empty), float(scan.mark_marked)),
                   allow_test=allow_test, max_fit_error_mm=float(scan.max_fit_error_mm))

    def changed(self, layout: Layout) -> str | None:
        """What changed in the meeting since this paper was printed (English), unless it still fits or was accepted."""
        if layout.hash not in self._changed:
            self._changed[layout.hash] = unaccepted_change(self.meeting, layout)
        return self._changed[layout.hash]

    def prepare(self) -> None:
        """Make now what reading each printed page first needs (its prep, its names' print: see marks.prepare), so
        that a live camera's first sheet of each kind reads at camera rate. Up to the prep cache's bound."""
        prepare([((layout.hash, page.number), page, layout.width, layout.height) for layout in self.layouts.values()
                 for page in layout.pages])

    def reset(self) -> None:
        """Forget the last frame's page (another video, or a sheet just put down): the next frame searches it all."""
        self._last_fit, self._tracked, self._last_page, self._lens, self._mirror = None, 0, None, None, False

    def _through(self, image: np.ndarray, complete: Callable[[], None], layout: Layout, page: Page,
                 last: _LastPage) -> tuple[np.ndarray, PageInk] | None:
        """This frame's page read through the last frame's bend, if it ends as the last frame did (_settled)."""
        complete()
        for bend in last.bends:
            image = bend.apply(image)
        try:
            ink = read_ink(image, layout.hash, page, layout.width, layout.height, self.thresholds)
        except LowContrast:
            return None
        return (image, ink) if _settled(ink, last) else None

    def _straightened(self, image: np.ndarray, bend: Bend, layout: Layout, page: Page
                      ) -> tuple[np.ndarray, PageInk] | None:
        """The rectified page moved by `bend`, and read; None when its calibration strip cannot be read then."""
        straight = bend.apply(image)
        try:
            return straight, read_ink(straight, layout.hash, page, layout.width, layout.height, self.thresholds)
        except LowContrast:
            return None

    def read(self, frame: np.ndarray, *, video: bool = False, reuse_bend: bool = False,
             colour: Callable[[], np.ndarray | None] | None = None) -> SheetRead | Rejected:
        """One frame's verdict. `video` (a live camera or a video file): the page is looked for where the last
        frame had it first (every FULL_SEARCH_EVERY-th frame searches the whole picture anyway: a second sheet
        coming into view), and only the page's reading window is rectified, the rest when its picture is kept (a
        reading commits once in many frames). A photo's page is rectified whole at once: its picture is kept.
        `reuse_bend` (live video, a frame whose reading cannot commit: its sheet was recorded and is waiting to be
        taken away): the last frame's bend is reused while the page still reads as it did (see _LastPage).
        `colour`: the picture in colour, for a frame given in grey (a photo is decoded grey): asked for only when
        the code cannot be read in grey (see _code_in_colour)."""
        return self._read(frame, video, reuse_bend, colour, lensing=False)

    def _read(self, frame: np.ndarray, video: bool, reuse_bend: bool, colour: Callable[[], np.ndarray | None] | None,
              *, lensing: bool, mirrored: bool = False) -> SheetRead | Rejected:
        """`read`; `lensing`: `frame` is a picture already straightened by the bend its box outlines showed (see
        lens_from_outlines), not to be straightened so again; `mirrored`: `frame` is already turned back over."""
        t0 = time.perf_counter()
        mirror = mirrored
        if video and self._mirror and not mirror:  # a live camera's mirrored picture, once found: every frame turned
            frame, colour, mirror = cv2.flip(frame, 1), _turned(colour), True
        gray = to_gray(frame)
        hint = self._last_fit if video and self._tracked < FULL_SEARCH_EVERY else None
        self._tracked = self._tracked + 1 if hint is not None else 0
        lens = self._lens if video else None  # a live camera's wide lens, once found: every frame straightened
        if lens is not None:
            gray = straighten(gray, lens)
        fit = find_page(gray, self.max_fit_error_mm, hint, self._paper,
                        try_lens=lens is None and gray.size <= LENS_MAX_PIXELS, try_mirror=not mirror)
        if not video and not lensing:  # a camera never gives black and white; a file may (see BILEVEL_GREYS)
            page_fit = fit if isinstance(fit, PageFit) else None
            share = _grey_share(gray, page_fit)
            if share is not None and share < BILEVEL_GREY_MAX:
                return Rejected("black_white", why("reject_detail.grey_share", share=f"{share:.2%}"), page_fit)
        if isinstance(fit, NoPage) and fit.mirrored:  # the picture is mirrored: read it turned back over
            frame, gray, colour, mirror = cv2.flip(frame, 1), cv2.flip(gray, 1), _turned(colour), True
            fit = find_page(gray, self.max_fit_error_mm, None, self._paper,
                            try_lens=lens is None and gray.size <= LENS_MAX_PIXELS, try_mirror=False)
        if isinstance(fit, NoPage) and fit.lens is not None:
            # the markers fit the page once a wide lens's bend is taken away (see pagefinder.LENS_K): the picture
            # is straightened and the page found again there, with the same fit-error limit
            lens = fit.lens
            gray = straighten(gray, lens)
            fit = find_page(gray, self.max_fit_error_mm, None, self._paper, try_lens=False, try_mirror=False)
        if video:  # kept while the camera sees a page (cleared with a frame without one: another camera, a new sheet)
            self._lens = lens if isinstance(fit, PageFit) else None
            self._mirror = mirror and isinstance(fit, PageFit)
        if mirror and isinstance(fit, PageFit):  # its frame coordinates are the turned picture's (see preview)
            fit = replace(fit, mirrored=True)
        self._last_fit = fit if isinstance(fit, PageFit) else None
        self._paper = fit.paper if isinstance(fit, PageFit) else self._paper
        t1 = time.perf_counter()
        if isinstance(fit, NoPage):
            self.timings = {"find": t1 - t0}
            return Rejected(fit.reason, fit.why)
        if fit.px_per_mm < self.min_px_per_mm:
            return _too_far(fit, max(self.min_px_per_mm, QR_MIN_PX_PER_MM),
                            why("reject_detail.px_per_mm", px=f"{fit.px_per_mm:.1f}"))
        code_rect = qr_rect(fit.paper)
        pad = 4 * QR_MODULE + 1.0
        region = (code_rect.x - pad, code_rect.y - pad, code_rect.w + 2 * pad, code_rect.h + 2 * pad)  # mm, quiet zone
        whole = None if video else rectify(gray, fit, PX_PER_MM)  # a photo's page: rectified whole, its picture kept
        # The code is read at a coarse resolution first, by zxing-cpp alone, then from the finer crop by both decoders.
        # Measured on 609 deck frames and photos: the page as rectified (4 px/mm) reads 97 % of what the 8 px/mm crop
        # reads, in 0.25 ms instead of 0.6; a 5 px/mm crop 99 % in 0.3 ms. A code read is error-corrected, then
        # verified by its HMAC: a coarse read is never a guess.
        if whole is not None:
            rx, ry, rw, rh = region
            x0, y0 = math.floor(rx * PX_PER_MM), math.floor(ry * PX_PER_MM)
            x1, y1 = math.ceil((rx + rw) * PX_PER_MM), math.ceil((ry + rh) * PX_PER_MM)
            text = qr.decode_zxing(whole[max(0, y0):y1, max(0, x0):x1])
        else:
            text = qr.decode_zxing(rectify_region(gray, fit, *region, QR_COARSE_PX_PER_MM))
        if text is None:
            text = qr.decode(rectify_region(gray, fit, *region, QR_PX_PER_MM))
        if text is None:
            picture = frame if frame.ndim == 3 else colour() if colour is not None else None
            if picture is not None and lens is not None:
                picture = straighten(picture, lens)
            text = _code_in_colour(picture, gray, fit, region)
        t2 = time.perf_counter()
        if text is None:
            self.timings = {"find": t1 - t0, "qr": t2 - t1}
            if fit.px_per_mm < QR_MIN_PX_PER_MM:  # say what helps
                return _too_far(fit, QR_MIN_PX_PER_MM, why("reject_detail.px_per_mm", px=f"{fit.px_per_mm:.1f}"))
            return Rejected("no_qr", fit=fit)
        try:
            payload = verify(text, self.meeting.info.id, self.secret, self.prefix_to_hash, allow_test=self.allow_test)
        except PayloadError as exc:
            return Rejected(exc.reason, exc.why, fit)
        layout = self.layouts[payload.layout_prefix]
        changed = self.changed(layout)
        if changed:
            return Rejected("layout_changed", why("reject_detail.accept", prefix=payload.layout_prefix), fit,
                            changed)  # what changed (English)
        if layout.paper != fit.paper or payload.pages != len(layout.pages):
            return Rejected("paper_mismatch", why("reject_detail.paper", paper=fit.paper, layout=layout.paper), fit)
        page = layout.pages[payload.page - 1]
        if fit.markers < 4:  # one corner hidden: read only if everything that counts is in the picture
            regions = [b.rect for b in page.boxes] + list(page.calibration) + \
                [z.rect for z in page.zones if z.kind != "signature"]
            outside = [r for r in regions if not fit.in_view(r.x, r.y, r.w, r.h)]
            if outside:
                return Rejected("out_of_view", why("reject_detail.outside", n=len(outside)), fit)
        x0, y0, x1, y1 = window = window_px((layout.hash, page.number), page, layout.width, layout.height)
        image, complete = (whole, lambda: None) if whole is not None else rectify_window(gray, fit, PX_PER_MM, window)
        reading = image[y0:y1, x0:x1]
        t3 = time.perf_counter()
        sample = reading[::8, ::8].ravel()  # the paper's grey: the 90th percentile of a sparse sample
        paper = float(np.partition(sample, int(0.9 * (sample.size - 1)))[int(0.9 * (sample.size - 1))])
        if paper < MIN_PAPER_LEVEL:  # a few grey levels between ink and paper: noise and JPEG could make marks
            return Rejected("too_dark", why("reject_detail.grey", grey=f"{paper:.0f}"), fit)
        sharpness = _sharpness(reading)
        if sharpness < MIN_SHARPNESS_FLOOR:
            return Rejected("blurred", why("reject_detail.sharpness", s=f"{sharpness:.0f}"), fit)
        # A live sheet already recorded and still in view: the page's bend (curl, a fold: 22 ms at median to measure
        # on a folded ballot, twice that with doubts left) is reused from the last frame while the page reads as it
        # ended then (_settled): the same boxes in doubt, the outlines where the layout has them. A sheet that moved,
        # flattened or was swapped fails that and is measured again, and so is every frame that searches the whole
        # picture. Frames that may commit a reading always measure their own bend: the frames that confirm a
        # reading stay independent measurements.
        last = self._last_page if reuse_bend and hint is not None and self._last_page is not None and \
            self._last_page.key == (layout.hash, page.number) else None
        bends: tuple[Bend, ...] = ()
        settled = False
        if last is not None and last.bends:
            through = self._through(image, complete, layout, page, last)
            if through is not None:
                (image, ink), bends, settled = through, last.bends, True
        if not settled:
            try:
                ink = read_ink(reading, layout.hash, page, layout.width, layout.height, self.thresholds)
            except LowContrast as exc:
                return Rejected("low_contrast", why("reject_detail.contrast", c=f"{exc.contrast:.2f}"), fit)
            # the last frame found no bend that settles these doubts: none is looked for again
            settled = last is not None and not last.bends and _settled(ink, last)
        for _step in range(0 if settled else 2):
            doubts = _undecided(ink)
            bent = ink.offset >= OFFSET_STRAIGHTEN and not _unseen(ink)
            if not doubts and not bent:
                break
            # a doubt, or outlines not where the layout has them, may be the page's bend (curl, a fold, a wide lens):
            # measure the bend on the printed outlines and read the straightened page, kept when it leaves fewer
            # boxes in doubt and hides none more, or, for a page seen bent, when its outlines lie closer to the
            # layout, whatever it shows then (a light tick the bend had moved out of its box's inside is a doubt that
            # must be shown). A page whose outlines are not all seen has an offset that measures nothing (_unseen):
            # it is judged by its doubts (measured: a clean barrel + crease ballot, none of its outlines plain at an
            # offset of 0.92, was left so and refused). A second step follows a bend larger than one step may measure.
            complete()  # the bend is measured on the whole page's outlines
            bend = measure_bend(image, (layout.hash, page.number), page, layout.width, layout.height, PX_PER_MM,
                                SEARCH_WIDE_MM if ink.outlines < OUTLINE_PAGE_MIN else SEARCH_MM)
            moved = None if bend is None else self._straightened(image, bend, layout, page)
            if moved is None:
                break
            straight, again = moved
            if (again.offset > ink.offset - OFFSET_GAIN) if bent else \
                    (_undecided(again) >= doubts or len(again.hidden) > len(ink.hidden)):
                break
            image, ink = straight, again
            bends += (bend,)
        if (_undecided(ink) or ink.offset >= OFFSET_STRAIGHTEN) and not settled:
            # boxes not where the smooth bend puts them (a fold's ridge moves the page in a tent; a survey's few
            # boxes cannot pin a wide lens's bend): each box is looked for where it is and the page moved so. Kept
            # only when it shows every box and, as above, for a page seen bent when its outlines lie closer to the
            # layout, whatever it shows then, else when it leaves fewer boxes in doubt; a page whose outlines were
            # not all seen, when it shows them all (measured: two ballots filling a wide lens's picture showed every
            # box this way at an offset of 1.3, and were refused when it asked them to bring it lower)
            complete()
            bend = measure_local_bend(image, (layout.hash, page.number), page, layout.width, layout.height, PX_PER_MM)
            moved = None if bend is None else self._straightened(image, bend, layout, page)
            if moved is not None:
                straight, again = moved
                if not again.hidden and (
                        again.outlines >= OUTLINE_PAGE_MIN if _unseen(ink) else
                        again.offset < ink.offset - OFFSET_GAIN if ink.offset >= OFFSET_STRAIGHTEN else
                        again.offset < OFFSET_STRAIGHTEN and _undecided(again) < _undecided(ink)):
                    image, ink = straight, again
                    bends += (bend,)
        if video:
            self._last_page = _LastPage((layout.hash, page.number), bends, _doubts(ink), ink.offset)
        if fit.markers < 4 and OUTLINE_PAGE_MIN <= ink.outlines < OUTLINE_CORNER_MIN:
            # three markers fix the page only near them: their homography is extrapolated to the fourth corner,
            # and a wide lens's bend leaves the boxes there millimetres off (the outlines seen are others)
            return Rejected("out_of_view", why("reject_detail.corner_outlines", o=f"{ink.outlines:.2f}"), fit)
        if ink.outlines < OUTLINE_PAGE_MIN:
            if fit.px_per_mm < FAR_PX_PER_MM:  # a far sheet's faint outlines: bringing it closer helps
                return _too_far(fit, FAR_PX_PER_MM, why("reject_detail.px_per_mm", px=f"{fit.px_per_mm:.1f}"))
            seen = why("reject_detail.outlines", o=f"{ink.outlines:.2f}")
            # not the blur's when the picture is sharp or its paper at the camera's white: the outlines' light grey
            # washed out (too much light, glare: measured, clean frames at 1.3 times the exposure, 7 of 8, half of
            # them soft for want of edges) or not where the page puts them (a bent sheet, a wide lens's edges)
            washed = paper >= WHITE_PAPER_LEVEL or sharpness >= self.min_sharpness
            if washed and lens is None and not lensing and gray.size <= LENS_MAX_PIXELS:
                # a wide lens that moves the page's middle while its corners fit: the bend found on the outlines
                k = lens_from_outlines(gray, fit, [(b.rect.x, b.rect.y, b.rect.w, b.rect.h) for b in page.boxes])
                if k is not None:
                    again = self._read(straighten(frame, k), video, False, None, lensing=True, mirrored=mirror)
                    if isinstance(again, SheetRead):
                        if video:
                            self._lens, self._mirror = k, mirror
                        return again
            return Rejected("boxes_unseen" if washed else "blurred", seen, fit)
        if ink.hidden:  # a box that cannot be seen is never read as empty: a vote under a thumb would be lost
            hidden = {"n": len(ink.hidden), "boxes": ", ".join(ink.hidden[:3])}
            if fit.px_per_mm < FAR_PX_PER_MM:
                return _too_far(fit, FAR_PX_PER_MM, why("reject_detail.px_hidden", px=f"{fit.px_per_mm:.1f}", **hidden))
            return Rejected("covered", why("reject_detail.hidden", **hidden), fit)
        if sharpness < self.min_sharpness:  # a soft picture: read it if its marks can be decided
            # (boxes in doubt because a straight line crosses them, a seal, a voter's ink beside them or over
            # their answer's words, correction tape or a stain are not the blur's: a new picture cannot help)
            doubtful = sum(b.state == "marginal" for b in ink.boxes.values()) - ink.lines - ink.drawn - ink.sealed - \
                ink.beside - ink.whited - ink.stained
            if doubtful >= max(2, 0.1 * len(ink.boxes)):
                return Rejected("blurred", why("reject_detail.undecidable", s=f"{sharpness:.0f}", n=doubtful), fit)
        t4 = time.perf_counter()
        rnd = self.meeting.round(layout.round_id)
        result = interpret(rnd, layout, page, ink)
        t5 = time.perf_counter()
        self.timings = {"find": t1 - t0, "qr": t2 - t1, "rectify": t3 - t2, "marks": t4 - t3, "interpret": t5 - t4}
        return SheetRead(payload, layout, page, ink, result, fit, sharpness, image, text, complete)

"""Test deck: the kit's own PDFs, filled in like people do, then photographed like a webcam would.

Every sheet comes with its ground truth. Used by the scanner tests, the benchmarks and `tallykit demo`.

    deck = Deck(meeting_dir)                       # a meeting folder that has printed its forms
    sheet = deck.fill(("CP", "QZ"), rng, style)    # a filled page image (BGR, 200 dpi) and its truth
    frame = camera(sheet.image, rng, (1920, 1080)) # the same page as a damaged camera frame
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium

from ballots.geometry import Box, Layout, Page, Rect
from meeting.folder import MeetingFolder
from meeting.model import Meeting, ScoreSpec, SurveySpec, VoteSpec
from scanner.reader import SheetReader

DPI = 200
PX = DPI / 25.4
PENS = [(35, 35, 35), (140, 60, 25), (160, 90, 40), (60, 40, 30)]  # BGR: black, blue inks


@dataclass
class Truth:
    layout: Layout
    page: int
    serial: str | None
    marks: dict[str, str] = field(default_factory=dict)  # box id → tick|cross|circle|fill|faint|outside
    strays: int = 0
    struck: str | None = None  # a box whose mark the voter crossed out (not intended)
    erased: str | None = None  # a box whose pencil mark the voter rubbed out, a ghost left (not intended)
    category: str = "clean"  # clean | big | faint | light | outside | stray | overvote | blank | write_in | erased

    @property
    def intended(self) -> set[str]:
        return set(self.marks)


@dataclass
class FilledSheet:
    image: np.ndarray  # BGR page at DPI
    truth: Truth


class Deck:
    def __init__(self, meeting_dir: Path) -> None:
        folder = MeetingFolder.open(meeting_dir)
        store = folder.store()
        try:
            self.meeting: Meeting = folder.accepted(store).meeting
            from ballots.geometry import Layout as L

            self.layouts = {(r["round_id"], r["group_id"]): L.from_json(r["layout"]) for r in store.layouts().values()}
            self.secret = folder.keys(store).hmac_secret
        finally:
            store.close()
        self.print_dir = meeting_dir / "print"
        self._blank: dict[tuple[str, str, int, int], np.ndarray] = {}

    def reader(self, *, allow_test: bool = False) -> SheetReader:
        """A reader for this meeting's printed forms, as `tallykit scan` makes one."""
        return SheetReader.for_meeting(self.meeting, self.secret, {lay.hash: lay for lay in self.layouts.values()},
                                       allow_test=allow_test)

    def blank(self, key: tuple[str, str], copy: int, page: int) -> np.ndarray:
        """Page `page` (1-based) of copy `copy` (0-based) of the printed PDF, as a BGR image."""
        layout = self.layouts[key]
        cache_key = (*key, copy if layout.named else 0, page)
        if cache_key not in self._blank:
            pdf = pdfium.PdfDocument(str(self.print_dir / f"{key[0]}-{key[1]}.pdf"))
            try:
                index = (copy if layout.named else 0) * len(layout.pages) + page - 1
                gray = pdf[index].render(scale=DPI / 72, grayscale=True).to_numpy()
            finally:
                pdf.close()
            self._blank[cache_key] = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
        return self._blank[cache_key]

    def fill(self, key: tuple[str, str], rng: np.random.Generator, category: str = "clean", copy: int = 0,
             page: int = 1) -> FilledSheet:
        layout = self.layouts[key]
        rnd = self.meeting.round(key[0])
        if category == "write_in" and not any(b.mark.kind == "write_in" for b in layout.pages[page - 1].boxes):
            category = "clean"  # only ballots with write-in rows
        img = self.blank(key, copy, page).copy()
        p = layout.pages[page - 1]
        truth = Truth(layout, page, str(copy + 1) if layout.named else None, category=category)
        chosen = _choose(rnd.spec, layout, p, rng, category)
        boxes = {b.id: b for b in p.boxes}
        styles = ["tick", "tick", "tick", "cross", "circle", "fill"]
        pen = PENS[int(rng.integers(len(PENS)))]
        for box_id in sorted(chosen):  # sorted: the same seed draws the same sheet whatever the hash seed
            truth.marks[box_id] = str(rng.choice(styles))
        if category == "big":  # confident ticks larger than their boxes, running over the edges
            truth.marks = dict.fromkeys(truth.marks, "big")
        if category == "corrected" and chosen:  # a choice struck out, another box ticked instead
            free = [b.id for b in p.boxes if b.id not in truth.marks and b.mark.kind in ("option", "answer")
                    and _group_of(p, b.id) == _group_of(p, sorted(truth.marks)[0])]
            if free:
                struck = sorted(truth.marks)[0]
                truth.struck = struck
                del truth.marks[struck]
                truth.marks[str(rng.choice(free))] = "tick"
        if category == "erased" and chosen:  # a pencil mark rubbed out, leaving its ghost; another box marked instead
            gone = sorted(truth.marks)[0]
            same = _group_of(p, gone)
            row = boxes[gone].mark.candidate if isinstance(rnd.spec, VoteSpec) and rnd.spec.mode == "approve" \
                else None
            free = [b.id for b in p.boxes if b.id not in truth.marks and b.mark.kind in ("option", "answer", "digit")
                    and _group_of(p, b.id) == same and (row is None or b.mark.candidate == row)]
            if free:
                truth.erased = gone
                del truth.marks[gone]
                truth.marks[str(rng.choice(free))] = "tick"
        if category == "ink":  # a red or blue ballpoint, or a soft pencil
            pen = INKS[str(rng.choice(sorted(INKS)))]
        if category in ("faint", "outside") and chosen:
            special = rng.choice(sorted(chosen))
            truth.marks[special] = category
        if category == "light" and chosen:  # a light tick as the only mark of its question or post
            special = str(rng.choice(sorted(chosen)))
            group = _group_of(p, special)
            for box_id in [b for b in truth.marks if b != special and _group_of(p, b) == group]:
                del truth.marks[box_id]
            truth.marks[special] = "light"
        for box_id, style in sorted(truth.marks.items()):
            draw_mark(img, boxes[box_id].rect, style, rng, pen)
        if truth.struck:
            draw_mark(img, boxes[truth.struck].rect, "struck", rng, pen)
        if truth.erased:
            erased_mark(img, boxes[truth.erased].rect, rng)
        for z in p.zones:
            if z.kind in ("score_hand", "total_hand", "signature") or (
                z.kind == "write_in_name" and any(boxes[b].mark.kind == "write_in" and
                                                   boxes[b].mark.row == z.row and boxes[b].mark.section == z.section
                                                   for b in truth.marks)):
                scribble(img, z.rect, rng, pen)
        if category == "stray":
            truth.strays = int(rng.integers(1, 4))
            for _ in range(truth.strays):
                stray_dot(img, p, rng, pen)
        return FilledSheet(img, truth)


    def mark(self, key: tuple[str, str], box_ids: set[str], rng: np.random.Generator, copy: int = 0,
             page: int = 1, names: dict[str, str] | None = None) -> FilledSheet:
        """A page with exactly these boxes ticked (a test that needs given votes), in a pen and style drawn by
        `rng`; `names` writes a scribble into the write-in name zones of those rows ("section/row" → name)."""
        layout = self.layouts[key]
        img = self.blank(key, copy, page).copy()
        p = layout.pages[page - 1]
        boxes = {b.id: b for b in p.boxes}
        unknown = sorted(box_ids - set(boxes))
        if unknown:
            raise KeyError(f"no box {unknown[0]} on page {page} of {key}")
        truth = Truth(layout, page, str(copy + 1) if layout.named else None, category="given")
        pen = PENS[int(rng.integers(len(PENS)))]
        for box_id in sorted(box_ids):
            truth.marks[box_id] = str(rng.choice(["tick", "tick", "cross", "fill"]))
            draw_mark(img, boxes[box_id].rect, truth.marks[box_id], rng, pen)
        for z in p.zones:
            if z.kind == "write_in_name" and f"{z.section}/{z.row}" in (names or {}):
                scribble(img, z.rect, rng, pen)
        return FilledSheet(img, truth)


def _group_of(page: Page, box_id: str) -> str:
    """The part of a sheet whose marks belong together: a post's section, a question, a candidate's row."""
    mark = next(b.mark for b in page.boxes if b.id == box_id)
    if mark.kind == "answer":
        return f"q:{mark.question}"
    if mark.kind == "digit":
        return f"s:{mark.candidate}/{mark.criterion}"
    return f"c:{mark.section}" if mark.section else f"r:{mark.candidate}"


def _choose(spec, layout: Layout, page: Page, rng: np.random.Generator, category: str) -> set[str]:
    """Which boxes a voter marks: a valid, complete sheet unless the category says otherwise."""
    if category == "blank":
        return set()
    chosen: set[str] = set()
    if isinstance(spec, VoteSpec):
        by_section: dict[str, list[Box]] = {}
        for b in page.boxes:
            by_section.setdefault(b.mark.section, []).append(b)
        for section in spec.sections:
            boxes = by_section.get(section.post, [])
            if not boxes:
                continue
            cands = sorted({b.mark.candidate for b in boxes if b.mark.kind == "option"})
            if spec.mode == "approve":
                agree_left = section.max_choices
                for cid in cands:
                    options = [o.id for o in spec.options]
                    pick = rng.choice(options)
                    if pick == options[0]:
                        if agree_left == 0:
                            pick = options[1]
                        agree_left -= pick == options[0]
                    chosen.add(f"{cid}/{pick}")
            else:
                k = int(rng.integers(1, section.max_choices + 1))
                for cid in rng.choice(cands, size=min(k, len(cands)), replace=False):
                    chosen.add(f"{cid}/{spec.options[0].id}")
        if category == "overvote":  # one tick too many in one post's section
            section = spec.sections[0]
            boxes = [b for b in page.boxes if b.mark.kind == "option" and b.mark.section == section.post]
            if spec.mode == "approve":
                cid = str(rng.choice(sorted({b.mark.candidate for b in boxes})))
                chosen |= {f"{cid}/{o.id}" for o in spec.options[:2]}
            else:
                chosen = {c for c in chosen if not any(c == b.id for b in boxes)}
                picks = rng.choice(boxes, size=min(len(boxes), section.max_choices + 1), replace=False)
                chosen |= {b.id for b in picks}
        if category == "write_in":
            w = [b for b in page.boxes if b.mark.kind == "write_in"]
            chosen.add(w[0].id)
        return chosen
    if layout.form == "rating":
        cands = sorted({b.mark.candidate for b in page.boxes})
        grades = sorted({b.mark.option for b in page.boxes})
        for cid in cands:
            chosen.add(f"{cid}/{rng.choice(grades)}")
        if category == "overvote":
            cid = rng.choice(cands)
            chosen |= {f"{cid}/{g}" for g in grades[:2]}
        return chosen
    if isinstance(spec, SurveySpec):
        for q in spec.questions:
            ids = [b.id for b in page.boxes if b.mark.question == q.id]
            if not ids:
                continue
            n = int(rng.integers(1, q.max_choices + 1)) if q.type == "multi" else 1
            chosen |= set(rng.choice(ids, size=n, replace=False).tolist())
        if category == "overvote":
            q = next(q for q in spec.questions if q.type == "single")
            chosen |= {b.id for b in page.boxes if b.mark.question == q.id}
        return chosen
    if isinstance(spec, ScoreSpec):
        crits = {c.id: c for c in spec.criteria}
        cells = sorted({(b.mark.candidate, b.mark.criterion) for b in page.boxes})
        for cid, crit in cells:
            c = crits[crit]
            steps = int(c.max / c.step)
            value = c.step * int(rng.integers(steps // 2, steps + 1))
            tens, units, half = int(value) // 10, int(value) % 10, value % 1 == Decimal("0.5")
            if c.max >= 10:
                chosen.add(f"{cid}/{crit}/T{tens}")
            chosen.add(f"{cid}/{crit}/U{units}")
            if half:
                chosen.add(f"{cid}/{crit}/H")
        if category == "overvote":
            cid, crit = cells[int(rng.integers(len(cells)))]
            units = [b.id for b in page.boxes if b.mark.candidate == cid and b.mark.criterion == crit
                     and b.mark.place == "units" and b.id not in chosen]
            chosen.add(str(rng.choice(units)))
        return chosen
    raise ValueError("no paper form")


def _pt(x: float, y: float) -> tuple[int, int]:
    return round(x * PX), round(y * PX)


def draw_mark(img: np.ndarray, r: Rect, style: str, rng: np.random.Generator, pen: tuple[int, int, int]) -> None:
    j = lambda s: float(rng.uniform(-s, s))  # noqa: E731
    thick = max(2, round(float(rng.uniform(0.35, 0.6)) * PX))
    x, y, w, h = r.x, r.y, r.w, r.h
    if style == "outside":  # a tick aimed at the box but drawn partly off it
        dx = float(rng.choice([-1, 1])) * w * float(rng.uniform(0.45, 0.6))
        x += dx
        style = "tick"
    if style == "faint":  # a light, thin stroke: a dry pen, a hard pencil
        pen = (150, 150, 150)
        thick = max(1, round(0.3 * PX))
        style = "tick"
    if style == "light":  # the pen barely pressed: about one camera pixel wide (0.25 mm), grey 150-200
        grey = int(rng.integers(150, 201))
        pen = (grey, grey, grey)
        thick = 2
        style = "tick"
    if style == "big":  # a confident tick larger than the box: its long arm runs over the edge, into a neighbour's ring
        big = float(rng.uniform(1.3, 1.7))
        x, y = x + w / 2 - w * big / 2, y + h / 2 - h * big / 2 - h * 0.15
        w, h = w * big, h * big
        style = "tick"
    if style == "struck":  # a mark crossed out: the tick, then scribbled over past the box's edges
        draw_mark(img, r, "tick", rng, pen)
        pts = []
        for i in range(int(rng.integers(5, 8))):
            t = i / 6
            pts += [(x - w * 0.12 + w * 1.24 * t + j(0.05), y - h * 0.15 + j(0.05)),
                    (x - w * 0.12 + w * 1.24 * t + j(0.08), y + h * 1.15 + j(0.05))]
        cv2.polylines(img, [np.array([_pt(*p) for p in pts], np.int32)], False, pen, thick + 1, cv2.LINE_AA)
        return
    if style == "tick":
        pts = [(x + w * (0.18 + j(0.06)), y + h * (0.5 + j(0.08))),
               (x + w * (0.42 + j(0.06)), y + h * (0.82 + j(0.05))),
               (x + w * (0.92 + j(0.1)), y + h * (0.08 + j(0.1)))]
        cv2.polylines(img, [np.array([_pt(*p) for p in pts], np.int32)], False, pen, thick, cv2.LINE_AA)
    elif style == "cross":
        for a, b in (((0.15, 0.15), (0.85, 0.85)), ((0.85, 0.15), (0.15, 0.85))):
            cv2.line(img, _pt(x + w * (a[0] + j(0.07)), y + h * (a[1] + j(0.07))),
                     _pt(x + w * (b[0] + j(0.07)), y + h * (b[1] + j(0.07))), pen, thick, cv2.LINE_AA)
    elif style == "circle":
        cv2.ellipse(img, _pt(x + w / 2 + j(0.4), y + h / 2 + j(0.4)),
                    (int(w * (0.36 + j(0.05)) * PX), int(h * (0.33 + j(0.05)) * PX)), float(rng.uniform(0, 180)), 0,
                    360, pen, thick, cv2.LINE_AA)
    elif style == "fill":
        yy = y + h * 0.15
        pts = []
        while yy < y + h * 0.85:
            pts += [(x + w * (0.12 + j(0.05)), yy), (x + w * (0.88 + j(0.05)), yy + h * 0.06)]
            yy += h * 0.12
        cv2.polylines(img, [np.array([_pt(*p) for p in pts], np.int32)], False, pen, thick + 2, cv2.LINE_AA)
    else:
        raise ValueError(style)


def erased_mark(img: np.ndarray, r: Rect, rng: np.random.Generator) -> None:
    """A soft pencil's tick rubbed out with an eraser: what is left is its ghost (8-30 % of its darkness, smeared a
    little by the rubbing) and a scuffed, slightly greyer patch of paper where the eraser went, over the box's edges."""
    tick = np.full_like(img, 255)
    draw_mark(tick, r, "tick", rng, INKS["pencil"])
    dark = 255.0 - tick.astype(np.float32)
    dark = cv2.GaussianBlur(dark, (0, 0), float(rng.uniform(0.5, 1.5)) * PX / 4) * float(rng.uniform(0.08, 0.3))
    patch = np.zeros(img.shape[:2], np.float32)
    cx, cy = _pt(r.x + r.w / 2 + float(rng.uniform(-1, 1)), r.y + r.h / 2 + float(rng.uniform(-1, 1)))
    cv2.ellipse(patch, (cx, cy), (round(r.w * float(rng.uniform(0.6, 0.9)) * PX), round(r.h * float(rng.uniform(
        0.5, 0.8)) * PX)), float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
    patch = cv2.GaussianBlur(patch, (0, 0), 1.0 * PX) * float(rng.uniform(0.0, 8.0))
    out = img.astype(np.float32) - dark - patch[..., None]
    img[:] = np.clip(out, 0, 255).astype(np.uint8)


def scribble(img: np.ndarray, r: Rect, rng: np.random.Generator, pen: tuple[int, int, int]) -> None:
    """Handwriting-like strokes inside a zone (a written score, a name, a signature)."""
    n = int(rng.integers(2, 5))
    x = r.x + r.w * 0.15
    for _ in range(n):
        cx, cy = x + float(rng.uniform(0, r.w * 0.12)), r.y + r.h / 2
        pts = [_pt(cx + float(rng.uniform(-1.5, 1.5)), cy + float(rng.uniform(-r.h * 0.3, r.h * 0.3)))
               for _ in range(5)]
        cv2.polylines(img, [np.array(pts, np.int32)], False, pen, 2, cv2.LINE_AA)
        x += r.w * 0.7 / n


def words_across(img: np.ndarray, r: Rect, rng: np.random.Generator, pen: tuple[int, int, int],
                 before: float | None = None) -> None:
    """A voter writing two to four characters along a row, over the box `r` (同意 across it, a comment): each a few
    straight strokes in a cell 5-9 mm high, the box somewhere under the words (`before`: the share of the words
    left of the box's centre, 0.2-0.8 when not given)."""
    size, n = float(rng.uniform(5, 9)), int(rng.integers(2, 5))
    x0 = r.x + r.w / 2 - (float(rng.uniform(0.2, 0.8)) if before is None else before) * n * size * 1.1
    y0 = r.cy - size / 2 + float(rng.uniform(-1.5, 1.5))
    thick = max(2, round(float(rng.uniform(0.35, 0.6)) * PX))
    u = lambda a, b: float(rng.uniform(a, b))  # noqa: E731
    for c in range(n):
        x, y = x0 + c * size * 1.1, y0
        for _ in range(int(rng.integers(4, 9))):
            kind = rng.random()
            if kind < 0.25:  # across
                yy = y + u(0.1, 0.9) * size
                p1, p2 = (x + u(0, 0.3) * size, yy), (x + u(0.6, 1) * size, yy + u(-0.05, 0.05) * size)
            elif kind < 0.5:  # down
                xx = x + u(0.1, 0.9) * size
                p1, p2 = (xx, y + u(0, 0.3) * size), (xx + u(-0.05, 0.05) * size, y + u(0.6, 1) * size)
            else:  # slanted
                p1 = (x + u(0, 1) * size, y + u(0, 0.5) * size)
                p2 = (p1[0] + u(-0.5, 0.5) * size, p1[1] + u(0.3, 0.6) * size)
            cv2.line(img, _pt(*p1), _pt(*p2), pen, thick, cv2.LINE_AA)


def seal(img: np.ndarray, cx: float, cy: float, rng: np.random.Generator) -> None:
    """The organisation's red seal stamped on the sheet, centred at (cx, cy) mm: a ring 38-42 mm across, a star in
    the middle, its name along the ring and across under the star; the ink uneven and translucent (the print shows
    through it)."""
    h, w = img.shape[:2]
    m = np.zeros((h, w), np.float32)
    c = _pt(cx, cy)
    radius = float(rng.uniform(19, 21)) * PX
    cv2.circle(m, c, round(radius), 1.0, max(2, round(float(rng.uniform(0.9, 1.4)) * PX)), cv2.LINE_AA)
    turn = float(rng.uniform(0, 2 * math.pi))
    star = []
    for k in range(10):
        r = float(rng.uniform(6, 8)) * PX * (1.0 if k % 2 == 0 else 0.38)
        a = turn + k * math.pi / 5 - math.pi / 2
        star.append((c[0] + r * math.cos(a), c[1] + r * math.sin(a)))
    cv2.fillPoly(m, [np.round(np.array(star)).astype(np.int32)], 1.0, cv2.LINE_AA)
    letters = [(radius - 5.5 * PX, turn + math.radians(160 + 18 * k)) for k in range(12)]
    spots = [(c[0] + r * math.cos(a), c[1] + r * math.sin(a)) for r, a in letters]
    spots += [(c[0] + (k - 2) * 4.5 * PX, c[1] + 11 * PX) for k in range(5)]
    for x, y in spots:  # each character a few strokes
        for _ in range(int(rng.integers(4, 6))):
            p1 = (round(x + float(rng.uniform(-2, 2)) * PX), round(y + float(rng.uniform(-2, 2)) * PX))
            p2 = (round(x + float(rng.uniform(-2, 2)) * PX), round(y + float(rng.uniform(-2, 2)) * PX))
            cv2.line(m, p1, p2, 1.0, max(1, round(0.5 * PX)), cv2.LINE_AA)
    texture = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), 2.0)
    texture = np.clip((texture - texture.mean()) / (texture.std() + 1e-6) * 0.25 + float(rng.uniform(0.7, 0.95)), 0, 1)
    m *= texture
    ink = np.array([float(rng.uniform(30, 70)), float(rng.uniform(30, 70)), float(rng.uniform(190, 230))], np.float32)
    f = img.astype(np.float32)
    img[...] = np.clip(f * (1 - m[..., None]) + np.minimum(f, ink) * m[..., None], 0, 255).astype(np.uint8)


def stray_dot(img: np.ndarray, page: Page, rng: np.random.Generator, pen: tuple[int, int, int]) -> None:
    """A small dot somewhere blank, at least 3 mm from every box."""
    for _ in range(200):
        x, y = float(rng.uniform(20, 190)), float(rng.uniform(60, 265))
        if all(not (b.rect.x - 3 < x < b.rect.x + b.rect.w + 3 and b.rect.y - 3 < y < b.rect.y + b.rect.h + 3)
               for b in page.boxes):
            cv2.circle(img, _pt(x, y), max(2, int(float(rng.uniform(0.3, 0.6)) * PX)), pen, -1, cv2.LINE_AA)
            return


def camera(page: np.ndarray, rng: np.random.Generator, size: tuple[int, int] = (1920, 1080),
           max_tilt: float = 25.0, fill: tuple[float, float] = (0.7, 0.92), rotation: float | None = None,
           blur: float | None = None, noise: float | None = None, jpeg: int | None = None,
           light: bool = True, shadow: float = 0.5, shadow_edge: tuple[float, float] = (4.0, 25.0)) -> np.ndarray:
    """The page as a webcam sees it: perspective, any rotation, uneven light and shadow, blur, noise, JPEG."""
    fw, fh = size
    ph, pw = page.shape[:2]
    tx = math.radians(float(rng.uniform(-max_tilt, max_tilt)))
    ty = math.radians(float(rng.uniform(-max_tilt, max_tilt)))
    rz = math.radians(float(rng.uniform(0, 360)) if rotation is None else rotation)
    rx = np.array([[1, 0, 0], [0, math.cos(tx), -math.sin(tx)], [0, math.sin(tx), math.cos(tx)]])
    ry = np.array([[math.cos(ty), 0, math.sin(ty)], [0, 1, 0], [-math.sin(ty), 0, math.cos(ty)]])
    rzm = np.array([[math.cos(rz), -math.sin(rz), 0], [math.sin(rz), math.cos(rz), 0], [0, 0, 1]])
    corners = np.array([[-pw / 2, -ph / 2, 0], [pw / 2, -ph / 2, 0], [pw / 2, ph / 2, 0], [-pw / 2, ph / 2, 0]])
    distance = 2.2 * max(pw, ph)
    pts3 = corners @ (rzm @ rx @ ry).T
    proj = pts3[:, :2] * distance / (distance + pts3[:, 2:3])
    span = proj.max(axis=0) - proj.min(axis=0)
    scale = min(fw / span[0], fh / span[1]) * float(rng.uniform(*fill))
    proj = (proj - proj.min(axis=0)) * scale
    room = np.array([fw, fh]) - (proj.max(axis=0))
    proj += np.array([float(rng.uniform(0, max(room[0], 1))), float(rng.uniform(0, max(room[1], 1)))])
    # shrink the page close to its final size first (area filter), then warp: no aliasing
    pre = min(1.0, scale * 1.3)
    small = cv2.resize(page, None, fx=pre, fy=pre, interpolation=cv2.INTER_AREA) if pre < 1 else page
    sh, sw = small.shape[:2]
    src = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float32)
    m = cv2.getPerspectiveTransform(src, proj.astype(np.float32))
    base = np.array([rng.uniform(60, 140), rng.uniform(60, 130), rng.uniform(50, 120)], np.float32)
    bg = np.empty((fh, fw, 3), np.float32)
    bg[:] = base
    texture = cv2.resize(rng.normal(0, 12, (fh // 16, fw // 16)).astype(np.float32), (fw, fh))
    bg += texture[..., None]
    frame = np.clip(bg, 0, 255).astype(np.uint8)
    cv2.warpPerspective(small, m, (fw, fh), dst=frame, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT)
    f = frame.astype(np.float32)
    if light:
        yy, xx = np.mgrid[0:fh:8, 0:fw:8].astype(np.float32)
        gx, gy = float(rng.uniform(-0.35, 0.35)), float(rng.uniform(-0.35, 0.35))
        gain = 0.95 + gx * (xx / fw - 0.5) + gy * (yy / fh - 0.5)
        gain = cv2.resize(gain, (fw, fh), interpolation=cv2.INTER_LINEAR)
        if rng.random() < shadow:  # a shadow across part of the sheet (a hand, the camera arm), soft or sharp
            yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
            cx, cy = float(rng.uniform(0, fw)), float(rng.uniform(0, fh))
            angle = float(rng.uniform(0, math.pi))
            d = (xx - cx) * math.cos(angle) + (yy - cy) * math.sin(angle)
            edge = float(rng.uniform(*shadow_edge))
            gain *= 1.0 - float(rng.uniform(0.2, 0.45)) / (1.0 + np.exp(np.clip(-d / edge, -50, 50)))
        f *= gain[..., None]
    sigma = float(rng.uniform(0.0, 1.3)) if blur is None else blur
    if sigma > 0.2:
        f = cv2.GaussianBlur(f, (0, 0), sigma)
    n = float(rng.uniform(2.0, 6.0)) if noise is None else noise
    f += rng.normal(0, n, (fh, fw, 1)).astype(np.float32)
    frame = np.clip(f, 0, 255).astype(np.uint8)
    quality = int(rng.integers(60, 93)) if jpeg is None else jpeg
    _ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def folded(page: np.ndarray, rng: np.random.Generator, height: tuple[float, float] = (1.0, 10.0),
           distance: tuple[float, float] = (300.0, 500.0)) -> np.ndarray:
    """A page folded in four (to go into a ballot box) and opened again: it does not lie flat. One fold stands as a
    ridge, the other as a valley, `height` mm high; seen by a camera `distance` mm above, the page's parts move by
    height x (their distance from the camera's axis) / distance, a bend of a millimetre or more that the corner
    markers' homography does not know. The four panels face the light a little differently (their brightness
    0.88-1.04), with a shadow along each fold."""
    h, w = page.shape[:2]
    wm, hm = w / PX, h / PX
    d = float(rng.uniform(*distance))
    cx, cy = wm / 2 + float(rng.uniform(-40, 40)), hm / 2 + float(rng.uniform(-40, 40))  # the camera's axis
    a, b = float(rng.uniform(*height)), float(rng.uniform(*height))
    ridge_across = bool(rng.random() < 0.5)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    x, y = xx / PX, yy / PX
    u, v = (x - wm / 2) / (wm / 2), (y - hm / 2) / (hm / 2)
    z = (a * (1 - np.abs(u)) + b * np.abs(v)) if ridge_across else (a * np.abs(u) + b * (1 - np.abs(v)))
    z -= z.min()
    out = cv2.remap(page, xx - z * (x - cx) / d * PX, yy - z * (y - cy) / d * PX, cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    shade = np.ones((h, w), np.float32)
    for sx in (-1, 1):
        for sy in (-1, 1):
            shade[(np.sign(u) == sx) & (np.sign(v) == sy)] = float(rng.uniform(0.88, 1.04))
    shade = cv2.GaussianBlur(shade, (0, 0), 1.5)
    shade *= 1 - 0.15 * np.exp(-((np.abs(u) * wm / 2) / 0.8) ** 2) - 0.15 * np.exp(-((np.abs(v) * hm / 2) / 0.8) ** 2)
    return np.clip(out * shade[..., None], 0, 255).astype(np.uint8)


HALL = ("motion", "rolling", "exposure", "glare", "barrel", "crease", "lowlight", "hand", "overlap")
CAMERA_HALL = ("sharpen",)  # a picture's processing after it was taken (see `hall`), on top of the hall's damage
PAGE_HALL = ("folded",)  # damage to the paper itself, made before the camera (see `folded`)
INKS = {"red": (40, 40, 200), "blue": (170, 80, 20), "pencil": (105, 105, 105)}


def hall(frame: np.ndarray, rng: np.random.Generator, kinds: tuple[str, ...],
         other: np.ndarray | None = None) -> np.ndarray:
    """More of a real hall on a camera frame: hand shake (motion blur), a rolling shutter's skew, exposure and
    white balance drift, a glare spot, a wide lens's barrel distortion, a crease across the sheet, low light with
    noise smeared by the camera's denoiser, a hand holding the sheet (over a corner, or reaching over the boxes),
    another sheet lying partly over this one (`other`: a blank or filled page image), sharpening (an unsharp mask:
    edges darker on their dark side, lighter on their light side, the noise and the JPEG's blocks with them). The
    frame is sharpened after its JPEG, as a phone gallery's or an app's "enhance" does to a saved photo: harsher than
    a camera's own sharpening, made before its one JPEG (measured, clean sheets of every form kind under amount
    0.5-1.5: 12 of 100 to a person sharpened after, 8 of 100 before)."""
    f = frame.astype(np.float32)
    h, w = f.shape[:2]
    for kind in kinds:
        if kind == "hand":
            f = _hand(f, rng)
            continue
        if kind == "overlap":
            if other is not None:
                f = _overlap(f, other, rng)
            continue
        if kind == "motion":
            n = int(rng.integers(4, 9))
            k = np.zeros((n, n), np.float32)
            k[n // 2, :] = 1.0 / n
            turn = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), float(rng.uniform(0, 180)), 1)
            k = cv2.warpAffine(k, turn, (n, n))
            f = cv2.filter2D(f, -1, k / max(float(k.sum()), 1e-6))
        elif kind == "rolling":
            shift = float(rng.uniform(-6, 6))
            m = np.float32([[1, shift / h, 0], [0, 1, 0]])
            f = cv2.warpAffine(f, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
        elif kind == "exposure":
            f = f * float(rng.uniform(0.75, 1.25)) * rng.uniform(0.9, 1.1, 3).astype(np.float32)
        elif kind == "glare":
            cx, cy = float(rng.uniform(0.3, 0.7)) * w, float(rng.uniform(0.3, 0.7)) * h
            yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
            r = float(rng.uniform(0.03, 0.07)) * w
            spot = np.exp(-(((xx - cx) ** 2 + ((yy - cy) * 1.6) ** 2) / (2 * r * r)))
            f = f + (spot * float(rng.uniform(60, 140)))[..., None]
        elif kind == "barrel":
            k1 = float(rng.uniform(-0.12, -0.04))
            yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
            nx, ny = (xx - w / 2) / (w / 2), (yy - h / 2) / (w / 2)
            r2 = nx * nx + ny * ny
            f = cv2.remap(f, (nx * (1 + k1 * r2)) * (w / 2) + w / 2, (ny * (1 + k1 * r2)) * (w / 2) + h / 2,
                          cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        elif kind == "crease":
            yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
            a = float(rng.uniform(0, np.pi))
            x0, y0 = float(rng.uniform(0.3, 0.7)) * w, float(rng.uniform(0.3, 0.7)) * h
            d = (xx - x0) * np.cos(a) + (yy - y0) * np.sin(a)
            f = f * (1 - 0.22 * np.exp(-(d / 3.0) ** 2) + 0.08 * np.exp(-((d - 6) / 4.0) ** 2))[..., None]
        elif kind == "sharpen":
            f = f + float(rng.uniform(0.5, 1.5)) * (f - cv2.GaussianBlur(f, (0, 0), float(rng.uniform(1.0, 2.0))))
        elif kind == "lowlight":
            f = f * 0.45 + rng.normal(0, 7, f.shape).astype(np.float32)
            f = cv2.bilateralFilter(np.clip(f, 0, 255).astype(np.uint8), 5, 40, 3).astype(np.float32)
        else:
            raise ValueError(kind)
    return np.clip(f, 0, 255).astype(np.uint8)


def _hand(f: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A hand: a palm and fingers in a skin tone with soft shading, near an edge or a corner of the frame's sheet
    area, or reaching into the middle."""
    h, w = f.shape[:2]
    mask = np.zeros((h, w), np.float32)
    cx, cy = float(rng.uniform(0.05, 0.95)) * w, float(rng.uniform(0.05, 0.95)) * h
    size = float(rng.uniform(0.06, 0.16)) * w
    angle = float(rng.uniform(0, 360))
    cv2.ellipse(mask, (round(cx), round(cy)), (round(size), round(size * 0.7)), angle, 0, 360, 1.0, -1)
    for _finger in range(int(rng.integers(1, 5))):
        a = math.radians(angle + float(rng.uniform(-50, 50)))
        length = size * float(rng.uniform(1.0, 1.8))
        tip = (round(cx + math.cos(a) * length), round(cy + math.sin(a) * length))
        cv2.line(mask, (round(cx), round(cy)), tip, 1.0, max(3, round(size * 0.28)))
    mask = cv2.GaussianBlur(mask, (0, 0), 2.5)[..., None]
    skin = np.array([float(rng.uniform(120, 170)), float(rng.uniform(140, 185)), float(rng.uniform(185, 230))],
                    np.float32)
    shade = cv2.GaussianBlur(rng.normal(1.0, 0.08, (h // 16, w // 16)).astype(np.float32), (0, 0), 2)
    skin_img = skin * cv2.resize(shade, (w, h))[..., None]
    return f * (1 - mask) + skin_img * mask


def _overlap(f: np.ndarray, other: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Another sheet lying over part of this one (dropped on the stand, the next ballot pushed in early)."""
    h, w = f.shape[:2]
    top = camera(other, rng, (w, h), fill=(0.6, 0.9), shadow=0.0, blur=0.5, noise=2.0, jpeg=95).astype(np.float32)
    paper = cv2.GaussianBlur(cv2.cvtColor(top.astype(np.uint8), cv2.COLOR_BGR2GRAY), (0, 0), 6) > 170
    mask = cv2.erode(paper.astype(np.uint8), np.ones((9, 9), np.uint8))
    dx, dy = (float(rng.uniform(0.25, 0.6)) * w * float(rng.choice([-1, 1])),
              float(rng.uniform(0.1, 0.5)) * h * float(rng.choice([-1, 1])))
    shift = np.float32([[1, 0, dx], [0, 1, dy]])
    top = cv2.warpAffine(top, shift, (w, h))
    mask = cv2.warpAffine(mask, shift, (w, h)).astype(np.float32)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.0)[..., None]
    return f * (1 - mask) + top * mask

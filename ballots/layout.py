"""From the meeting definition to page layouts in millimetres: every mark box with its meaning,
four ArUco markers, the QR code, a calibration strip, and the fitted (cosmetic) texts around them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ballots.fonts import Measurer
from ballots.geometry import Box, Layout, Line, Mark, Marker, Page, Rect, Text, Zone
from meeting.errors import TallyError
from meeting.lang import all_words, text
from meeting.model import Meeting, RatingSpec, Round, ScoreSpec, SurveySpec, VoteSpec

PAPER = {"A4": (210.0, 297.0), "A3": (297.0, 420.0), "A5": (210.0, 148.0)}  # A5: landscape, a judge's slip
SLIP_PAPER = "A5"
MARKER_SIZE = 13.5  # ArUco 4x4: 6 cells of 2.25 mm
MARKER_INSET = 10.0  # from the paper edge: well inside any printer's unprintable margin
QR_MODULES = 29  # QR version 3
QR_MODULE = 1.2  # mm per module: at least 1 mm for a webcam to read it
QR_SIZE = QR_MODULES * QR_MODULE
BOX = 7.0  # a tick box
CAL = 7.0  # calibration boxes
SIDE = 15.0  # left and right content margin
LINE_MM_PER_PT = 0.3528 * 1.25  # line height for a font size in points
MIN_SIZE = 7.0  # never print smaller than this (points)

INK = 0
TABLE_GREY = 170
BOX_GREY = 140


class LayoutError(TallyError):
    exit_code = 2


def qr_rect(paper: str) -> Rect:
    """Where the QR code is on every page of this paper size (left of the top-right marker)."""
    width = PAPER[paper][0]
    return Rect(round(width - MARKER_INSET - MARKER_SIZE - 2.3 - 4 * QR_MODULE - QR_SIZE, 2), MARKER_INSET, QR_SIZE,
                QR_SIZE)


def line_height(size: float) -> float:
    return size * LINE_MM_PER_PT


_TOKEN = re.compile(r"[A-Za-z0-9_.,;:!?'\"()\-/]+\s*|\s+|.", re.S)


def wrap(measure: Measurer, content: str, width: float, size: float) -> list[str]:
    """Greedy wrap: CJK breaks between any characters, other words stay whole."""
    lines: list[str] = []
    current = ""
    for token in _TOKEN.findall(content):
        trial = current + token
        if current and measure.width(trial.rstrip(), size) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current = trial
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


def fit(measure: Measurer, content: str, width: float, height: float, size: float, what: str,
        max_lines: int = 3) -> tuple[list[str], float]:
    """Shrink, then wrap, until `content` fits the cell; never clip: too long is an error naming `what`."""
    s = size
    while s >= MIN_SIZE:
        if measure.width(content, s) <= width and line_height(s) <= height + 0.01:
            return [content], s
        s -= 0.5
    s = size
    while s >= MIN_SIZE:
        lines = wrap(measure, content, width, s)
        if len(lines) <= max_lines and len(lines) * line_height(s) <= height + 0.01 and all(
            measure.width(line, s) <= width for line in lines
        ):
            return lines, s
        s -= 0.5
    raise LayoutError(f"{what}: \"{content}\" does not fit its cell ({width:.0f} x {height:.0f} mm) even at "
                      f"{MIN_SIZE:g} pt on {max_lines} lines; shorten it")


def fit_grow(measure: Measurer, content: str, width: float, height: float, size: float, what: str,
             max_lines: int = 3) -> tuple[list[str], float, float]:
    """Like fit(), but a cell may grow taller (up to `max_lines` lines) rather than fail: (lines, size, height)."""
    try:
        lines, s = fit(measure, content, width, height, size, what, max_lines)
        return lines, s, height
    except LayoutError:
        lines, s = fit(measure, content, width, max_lines * line_height(size), size, what, max_lines)
        return lines, s, max(height, len(lines) * line_height(s) + 0.5)


@dataclass
class _Draft:
    boxes: list[Box] = field(default_factory=list)
    zones: list[Zone] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    top: float = 0.0


class _Flow:
    """Places blocks top to bottom, opening a new page (and repeating a table header) when one is full."""

    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.pages: list[_Draft] = []
        self.y = 0.0
        self.repeat: Callable[[], None] | None = None
        self.new_page()

    @property
    def page(self) -> _Draft:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(_Draft())
        self.y = self.b.content_top(len(self.pages))
        self.page.top = self.y
        if self.repeat is not None:
            self.repeat()

    def need(self, height: float) -> None:
        if self.y + height > self.b.bottom:
            if self.y <= self.page.top + 0.01 or height > self.b.bottom - self.b.content_top(2) - 20:
                raise LayoutError(f"round {self.b.rnd.id}: a block of {height:.0f} mm does not fit on one page")
            self.new_page()

    def text(self, rect: Rect, content: str, size: float, what: str, align: str = "L", max_lines: int = 3,
             grey: int = INK) -> None:
        lines, s = fit(self.b.m, content, rect.w, rect.h, size, what, max_lines)
        self.page.texts.append(Text(rect, tuple(lines), s, align, grey))

    def hline(self, y: float, x1: float | None = None, x2: float | None = None, grey: int = TABLE_GREY) -> None:
        self.page.lines.append(Line(x1 if x1 is not None else self.b.left, y, x2 if x2 is not None else self.b.right,
                                    y, 0.2, grey))

    def box(self, box_id: str, cx: float, cy: float, mark: Mark, size: float = BOX) -> None:
        self.page.boxes.append(Box(box_id, Rect(round(cx - size / 2, 2), round(cy - size / 2, 2), size, size), mark))

    def zone(self, zone: Zone) -> None:
        self.page.zones.append(zone)


class _Builder:
    def __init__(self, meeting: Meeting, rnd: Round, group_id: str, paper: str, measure: Measurer) -> None:
        if paper not in PAPER:
            raise LayoutError(f'paper "{paper}" is not supported; use one of: {", ".join(PAPER)}')
        self.meeting, self.rnd, self.group_id, self.paper, self.m = meeting, rnd, group_id, paper, measure
        self.lang = meeting.language
        self.W, self.H = PAPER[paper]
        self.left, self.right = SIDE, self.W - SIDE
        self.width = self.right - self.left
        self.named = not rnd.secret
        self.bottom = self.H - MARKER_INSET - MARKER_SIZE - 3.0
        self.instructions: list[str] = []
        self._instruction_height = 0.0
        self.slips = isinstance(rnd.spec, ScoreSpec) and rnd.spec.slips

    def t(self, key: str, **values: object) -> str:
        return text(key, self.lang, **values)

    # -- page frame ---------------------------------------------------------------------------------
    def header_top(self) -> float:
        return MARKER_INSET + QR_SIZE + 3.0

    def content_top(self, page_number: int) -> float:
        top = self.header_top()
        if page_number == 1 or self.slips:  # every slip stands alone: its own instructions
            return top + self._instruction_height + 2.0
        return top + 2.0

    def prepare_instructions(self, lines: list[str]) -> None:
        self.instructions = lines
        size = 9.0
        height = 0.0
        self._fitted: list[tuple[list[str], float]] = []
        for i, line in enumerate(lines, start=1):
            wrapped = wrap(self.m, f"{i}. {line}", self.width, size)
            self._fitted.append((wrapped, size))
            height += len(wrapped) * line_height(size)
        self._instruction_height = height

    def frame(self, number: int, total: int, draft: _Draft) -> Page:
        W, H = self.W, self.H
        inset, ms = MARKER_INSET, MARKER_SIZE
        markers = (
            Marker(0, Rect(inset, inset, ms, ms)),
            Marker(1, Rect(W - inset - ms, inset, ms, ms)),
            Marker(2, Rect(W - inset - ms, H - inset - ms, ms, ms)),
            Marker(3, Rect(inset, H - inset - ms, ms, ms)),
        )
        qr = qr_rect(self.paper)
        foot_y = H - inset - CAL
        calibration = (Rect(inset + ms + 5.0, foot_y, CAL, CAL), Rect(inset + ms + 5.0 + CAL + 2.0, foot_y, CAL, CAL))
        texts = list(draft.texts)
        title_x = inset + ms + 3.5
        title_w = qr.x - 4 * QR_MODULE - 1.0 - title_x
        y = inset + 0.5
        title, size = fit(self.m, self.meeting.info.title, title_w, 13.0, 15.0, "meeting.title", max_lines=2)
        texts.append(Text(Rect(title_x, y, title_w, len(title) * line_height(size)), tuple(title), size, "C"))
        y += len(title) * line_height(size) + 1.0
        form = self.t(f"form.{self.rnd.kind}", round=self.rnd.name) + self.t(
            "form.group", group=self.meeting.group(self.group_id).name)
        if number > 1 and not self.slips:  # a slip stands alone: never "continued"
            form += self.t("form.continued")
        sub, size = fit(self.m, form, title_w, 11.0, 12.0, f"rounds.{self.rnd.id}.name", max_lines=2)
        texts.append(Text(Rect(title_x, y, title_w, len(sub) * line_height(size)), tuple(sub), size, "C"))
        y += len(sub) * line_height(size) + 0.5
        serial_slot = Rect(title_x, y, title_w, 5.0) if self.named else None
        banner_slot = Rect(title_x, qr.y + qr.h - 6.0, title_w, 6.0)
        if number == 1 or self.slips:
            iy = self.header_top()
            for wrapped, size in self._fitted:
                texts.append(Text(Rect(self.left, iy, self.width, len(wrapped) * line_height(size)),
                                  tuple(wrapped), size, "L"))
                iy += len(wrapped) * line_height(size)
        texts.append(Text(Rect(calibration[1].x + CAL + 1.5, foot_y + 1.5, 20, 4), (self.t("form.calibration"),),
                          7.0, "L", 120))
        return Page(number, markers, qr, calibration, tuple(draft.boxes), tuple(draft.zones), tuple(texts),
                    tuple(draft.lines), serial_slot, banner_slot)

    def finish(self, flow: _Flow, form: str) -> Layout:
        if self.named:
            self._signature(flow)
        total = len(flow.pages)
        pages = tuple(self.frame(i, total, d) for i, d in enumerate(flow.pages, start=1))
        layout = Layout(self.meeting.info.id, self.rnd.id, self.group_id, form, self.paper, self.W, self.H,
                        self.named, pages)
        return replace(layout, hash=layout.geometry_hash())

    def _signature(self, flow: _Flow) -> None:
        flow.repeat = None
        flow.need(14.0)
        y = flow.y + 6.0
        label = self.t("form.sign.judge" if self.rnd.kind == "score" else "form.sign.named")
        lw = self.m.width(label, 11.0) + 2
        flow.page.texts.append(Text(Rect(self.left, y, lw, 6), (label,), 11.0))
        flow.zone(Zone("signature", Rect(self.left + lw, y - 3.0, 70.0, 9.0), "signature"))
        flow.hline(y + 6.0, self.left + lw, self.left + lw + 70.0, grey=INK)
        date = self.t("form.sign.date")
        flow.page.texts.append(Text(Rect(self.left + lw + 78, y, self.right - self.left - lw - 78, 6), (date,),
                                    11.0))
        flow.y = y + 8.0


# -- forms ------------------------------------------------------------------------------------------
def _vote(b: _Builder) -> Layout:
    spec = b.rnd.spec
    assert isinstance(spec, VoteSpec)
    names = "”“".join(o.name for o in spec.options)
    overvote = b.t(f"form.how.overvote.{spec.overvote}")
    how = [b.t("form.ink")]
    if spec.mode == "approve":
        how.append(b.t("form.how.approve", options=names))
        how.append(b.t("form.how.approve_limit", first=spec.options[0].name, overvote=overvote))
    else:
        how.append(b.t("form.how.choose", overvote=overvote))
    if any(s.write_ins for s in spec.sections):
        how.append(b.t("form.how.write_in"))
    b.prepare_instructions(how)
    flow = _Flow(b)
    for section in spec.sections:
        _vote_section(b, flow, spec, section)
    return b.finish(flow, "vote")


def _vote_section(b: _Builder, flow: _Flow, spec: VoteSpec, section) -> None:
    """A post's section stays on one page, so the 'at most K' rule can be checked on every sheet: in one
    column, else in as many as fit the width, on this page, else on a fresh one; larger than a page is an error."""
    post = b.meeting.post(section.post)
    head_h, row_h, write_h, gutter = 16.0, 10.0, 12.0, 6.0

    def plan(columns: int):
        col_width = (b.width - gutter * (columns - 1)) / columns
        col_w = min(24.0 if spec.mode == "approve" else 30.0, (col_width - 40.0) / len(spec.options))
        name_w = col_width - col_w * len(spec.options) - 4
        if col_w < 12.0 or name_w < 25.0:
            return None  # too narrow for this many columns
        rows = []
        for cid in section.candidates:
            lines, size, text_h = fit_grow(b.m, b.meeting.candidate(cid).name, name_w, row_h - 1.6, 13.0,
                                           f"candidates.{cid}.name")
            rows.append((cid, lines, size, text_h + 1.6))
        rows += [(None, [], 0.0, write_h)] * section.write_ins
        per_col = -(-len(rows) // columns)
        cols = [rows[i * per_col:(i + 1) * per_col] for i in range(columns)]
        height = head_h + max(sum(r[3] for r in col) for col in cols)
        return col_width, col_w, cols, height

    choice = None
    for fresh in (False, True):
        if fresh:
            if flow.y <= flow.page.top + 0.01:
                break  # already at the top of a page: a fresh one would not have more room
            flow.new_page()
        for columns in (1, 2, 3, 4):
            candidate_plan = plan(columns)
            if candidate_plan is None:
                break
            if candidate_plan[3] <= b.bottom - flow.y:
                choice = candidate_plan
                break
        if choice is not None:
            break
    if choice is None:
        raise LayoutError(f"posts.{post.id}: its {len(section.candidates)} candidates do not fit on one page, which "
                          "the 'elect at most K' rule needs; print on A3 (--paper A3) or split the post")
    col_width, col_w, cols, height = choice
    y0 = flow.y
    flow.text(Rect(b.left, y0 + 1, b.width, 6), b.t("form.section", post=post.name, k=section.max_choices), 12.0,
              f"posts.{post.id}.name", max_lines=1)
    top = y0 + 8.0
    write_row = 0
    for c, column in enumerate(cols):
        x0 = b.left + c * (col_width + gutter)
        x1 = x0 + col_width
        opt_x0 = x1 - col_w * len(spec.options)
        flow.text(Rect(x0 + 2, top + 1.5, opt_x0 - x0 - 4, 5), b.t("form.col.candidate"), 10.0, "header")
        for i, o in enumerate(spec.options):
            flow.text(Rect(opt_x0 + i * col_w, top + 1.5, col_w, 5), o.name, 10.0, f"options.{o.id}", "C",
                      max_lines=1)
        flow.hline(top, x0, x1)
        flow.hline(top + 8.0, x0, x1)
        y = top + 8.0
        for cid, lines, size, h in column:
            if cid is not None:
                flow.page.texts.append(Text(Rect(x0 + 2, y + 0.8, opt_x0 - x0 - 4, h - 1.6), tuple(lines), size))
                for i, o in enumerate(spec.options):
                    flow.box(f"{cid}/{o.id}", opt_x0 + (i + 0.5) * col_w, y + h / 2,
                             Mark("option", section=section.post, candidate=cid, option=o.id))
            else:
                write_row += 1
                flow.text(Rect(x0 + 2, y + 0.6, opt_x0 - x0 - 6, 3.6), b.t("form.write_in"), 8.0, "write-in",
                          grey=90)
                flow.zone(Zone(f"{section.post}/W{write_row}/name", Rect(x0 + 2, y + 0.5, opt_x0 - x0 - 6, h - 1.0),
                               "write_in_name", section=section.post, row=write_row))
                flow.hline(y + h - 1.8, x0 + 4, opt_x0 - 4, grey=BOX_GREY)
                flow.box(f"{section.post}/W{write_row}/{spec.options[0].id}", opt_x0 + 0.5 * col_w, y + h / 2,
                         Mark("write_in", section=section.post, row=write_row, option=spec.options[0].id))
            y += h
            flow.hline(y, x0, x1)
    flow.y = y0 + height + 4.0


def _rating(b: _Builder) -> Layout:
    spec = b.rnd.spec
    assert isinstance(spec, RatingSpec)
    b.prepare_instructions([b.t("form.ink"), b.t("form.how.rating", grades="”“".join(g.name for g in spec.grades))])
    flow = _Flow(b)
    col_w = min(24.0, (b.width - 80.0) / len(spec.grades))
    opt_x0 = b.right - col_w * len(spec.grades)
    name_w = 38.0
    row_h = 10.0

    def head() -> None:
        y = flow.y
        flow.text(Rect(b.left + 2, y + 1.5, name_w - 2, 5), b.t("form.col.name"), 10.0, "header")
        flow.text(Rect(b.left + name_w, y + 1.5, opt_x0 - b.left - name_w - 2, 5), b.t("form.col.post"), 10.0,
                  "header")
        for i, g in enumerate(spec.grades):
            flow.text(Rect(opt_x0 + i * col_w, y + 1.5, col_w, 5), g.name, 10.0, f"grades.{g.id}", "C", max_lines=1)
        flow.hline(y)
        flow.hline(y + 8.0)
        flow.y = y + 8.0

    flow.repeat = head
    head()
    for cid in b.rnd.candidates:
        cand = b.meeting.candidate(cid)
        name, name_size, name_h = fit_grow(b.m, cand.name, name_w - 3, row_h - 1.6, 13.0, f"candidates.{cid}.name")
        post_w = opt_x0 - b.left - name_w - 2
        post, post_size, post_h = fit_grow(b.m, b.meeting.post(cand.post).name, post_w, row_h - 1.6, 10.0,
                                           f"posts.{cand.post}.name")
        h = max(name_h, post_h) + 1.6
        flow.need(h)
        y = flow.y
        flow.page.texts.append(Text(Rect(b.left + 2, y + 0.8, name_w - 3, h - 1.6), tuple(name), name_size))
        flow.page.texts.append(Text(Rect(b.left + name_w, y + 0.8, post_w, h - 1.6), tuple(post), post_size))
        for i, g in enumerate(spec.grades):
            flow.box(f"{cid}/{g.id}", opt_x0 + (i + 0.5) * col_w, y + h / 2,
                     Mark("option", section=cand.post, candidate=cid, option=g.id))
        flow.y = y + h
        flow.hline(flow.y)
    flow.repeat = None
    return b.finish(flow, "rating")


def _survey(b: _Builder) -> Layout:
    spec = b.rnd.spec
    assert isinstance(spec, SurveySpec)
    b.prepare_instructions([b.t("form.ink"), b.t("form.how.survey")])
    flow = _Flow(b)
    for n, q in enumerate(spec.questions, start=1):
        hint = {"single": b.t("form.single"), "multi": b.t("form.multi", k=q.max_choices),
                "scale": b.t("form.scale", n=len(q.options)), "text": b.t("form.free_text")}[q.type]
        content = f"{n}. {q.text}{hint}"
        lines = wrap(b.m, content, b.width, 11.0)
        q_h = len(lines) * line_height(11.0)
        body_h = 32.0 if q.type == "text" else BOX + 3.0
        flow.need(q_h + body_h + 3.0)
        y = flow.y
        flow.text(Rect(b.left, y, b.width, q_h), content, 11.0, f"questions.{q.id}.text", max_lines=len(lines))
        y += q_h + 1.0
        if q.type == "text":
            flow.zone(Zone(f"{q.id}/text", Rect(b.left + 4, y, b.width - 4, body_h - 2), "free_text", question=q.id))
            flow.page.lines.extend(_frame(Rect(b.left + 4, y, b.width - 4, body_h - 2), BOX_GREY))
        else:
            x = b.left + 4
            for o in q.options:
                label_w = b.m.width(o.name, 11.0)
                if x + BOX + 2 + label_w > b.right:
                    raise LayoutError(f"questions.{q.id}.options: the options do not fit on one line; shorten them")
                flow.box(f"{q.id}/{o.id}", x + BOX / 2, y + BOX / 2 + 0.5, Mark("answer", question=q.id, option=o.id))
                flow.page.texts.append(Text(Rect(x + BOX + 1.5, y + 1.5, label_w + 1, 5), (o.name,), 11.0))
                x += BOX + 1.5 + label_w + 8.0
        flow.y = y + body_h + 2.0
    return b.finish(flow, "survey")


def _frame(r: Rect, grey: int) -> list[Line]:
    return [Line(r.x, r.y, r.x + r.w, r.y, 0.2, grey), Line(r.x, r.y + r.h, r.x + r.w, r.y + r.h, 0.2, grey),
            Line(r.x, r.y, r.x, r.y + r.h, 0.2, grey), Line(r.x + r.w, r.y, r.x + r.w, r.y + r.h, 0.2, grey)]


def digit_places(maximum: Decimal, step: Decimal) -> tuple[range | None, range, bool]:
    """Which bubbles a criterion needs: tens (0..max//10, or none below 10), units 0..9, and the half."""
    top = int(maximum)
    tens = range(0, top // 10 + 1) if top >= 10 else None
    units = range(0, 10) if top >= 10 else range(0, top + 1)
    return tens, units, step == Decimal("0.5")


def _score(b: _Builder) -> Layout:
    spec = b.rnd.spec
    assert isinstance(spec, ScoreSpec)
    if spec.slips:
        _slip_instructions(b)
    else:
        b.prepare_instructions([b.t("form.ink"), b.t("form.how.score")])
    flow = _Flow(b)
    places = {c.id: digit_places(c.max, c.step) for c in spec.criteria}
    n_tens = max((len(t) for t, _, _ in places.values() if t is not None), default=0)
    has_half = any(h for _, _, h in places.values())
    name_w, hand_w, gap = 38.0, 22.0, 3.0
    slots = n_tens + 10 + (1 if has_half else 0)
    gaps = gap * ((1 if n_tens else 0) + (1 if has_half else 0) + 1)
    pitch = min(6.2, (b.width - name_w - hand_w - gaps) / slots)
    if pitch < 4.4:
        raise LayoutError(f"round {b.rnd.id}: a criterion maximum of {max(c.max for c in spec.criteria)} needs "
                          "too many bubbles for one line; lower it or split the criterion")
    bubble = round(min(4.6, pitch - 1.2), 2)
    tens_x = b.left + name_w
    units_x = tens_x + (n_tens * pitch + gap if n_tens else 0)
    half_x = units_x + 10 * pitch + gap
    hand_x = b.right - hand_w
    row_h = 6.6
    head_h = 14.6
    block_h = head_h + row_h * len(spec.criteria) + 3.0
    for n, cid in enumerate(b.rnd.candidates):
        cand = b.meeting.candidate(cid)
        if spec.slips and n:  # 现场亮分: one candidate per slip, each slip signed and handed in on its own
            b._signature(flow)
            flow.new_page()
        flow.need(block_h)
        y = flow.y
        flow.hline(y, grey=INK)
        flow.text(Rect(b.left + 1, y + 0.8, 70, 6), f"{cand.name}（{b.meeting.post(cand.post).name}）"
                  if b.lang == "zh" else f"{cand.name} ({b.meeting.post(cand.post).name})", 12.0,
                  f"candidates.{cid}.name", max_lines=1)
        total = b.t("form.total")
        tw = b.m.width(total, 10.0) + 1
        flow.text(Rect(hand_x - tw - 1, y + 1.5, tw, 5), total, 10.0, "total")
        flow.zone(Zone(f"{cid}/total", Rect(hand_x, y + 0.6, hand_w, 6.2), "total_hand", candidate=cid))
        flow.page.lines.extend(_frame(Rect(hand_x, y + 0.6, hand_w, 6.2), BOX_GREY))
        hy = y + 7.0  # place labels (十位/个位/半分), then the digits under them
        dy = hy + 3.6
        flow.text(Rect(b.left + 1, dy - 0.4, name_w - 2, 4.0), b.t("form.col.criterion"), 8.0, "header", grey=90)
        if n_tens:
            flow.text(Rect(tens_x, hy, n_tens * pitch, 3.6), b.t("form.tens"), 7.5, "header", "C", grey=90)
        for d in range(n_tens):
            flow.text(Rect(tens_x + d * pitch, dy, pitch, 3.4), str(d), 7.5, "digit", "C", grey=90)
        flow.text(Rect(units_x, hy, 10 * pitch, 3.6), b.t("form.units"), 7.5, "header", "C", grey=90)
        for d in range(10):
            flow.text(Rect(units_x + d * pitch, dy, pitch, 3.4), str(d), 7.5, "digit", "C", grey=90)
        if has_half:
            flow.text(Rect(half_x - 2, hy, pitch + 4, 3.6), b.t("form.half"), 7.5, "header", "C", grey=90)
            flow.text(Rect(half_x, dy, pitch, 3.4), ".5", 7.5, "digit", "C", grey=90)
        flow.text(Rect(hand_x, dy - 0.4, hand_w, 4.0), b.t("form.hand"), 8.0, "header", "C", grey=90)
        ry = y + head_h
        for c in spec.criteria:
            tens, units, half = places[c.id]
            label = b.t("form.criterion", name=c.name, max=f"{c.max.normalize():f}")
            flow.text(Rect(b.left + 1, ry + 0.6, name_w - 2, row_h - 1.2), label, 10.0, f"criteria.{c.id}.name",
                      max_lines=2)
            cy = ry + row_h / 2
            for d in tens or ():
                flow.box(f"{cid}/{c.id}/T{d}", tens_x + (d + 0.5) * pitch, cy,
                         Mark("digit", candidate=cid, criterion=c.id, place="tens", digit=d), bubble)
            for d in units:
                flow.box(f"{cid}/{c.id}/U{d}", units_x + (d + 0.5) * pitch, cy,
                         Mark("digit", candidate=cid, criterion=c.id, place="units", digit=d), bubble)
            if half:
                flow.box(f"{cid}/{c.id}/H", half_x + 0.5 * pitch, cy,
                         Mark("digit", candidate=cid, criterion=c.id, place="half", digit=5), bubble)
            hand = Rect(hand_x, ry + 0.4, hand_w, row_h - 0.8)
            flow.zone(Zone(f"{cid}/{c.id}/hand", hand, "score_hand", candidate=cid, criterion=c.id))
            flow.page.lines.extend(_frame(hand, BOX_GREY))
            ry += row_h
        flow.y = y + block_h
    return b.finish(flow, "score")


def _slip_instructions(b: _Builder) -> None:
    """A slip has room for one line of instructions."""
    b.prepare_instructions([b.t("form.how.slip")])


BUILDERS = {"vote": _vote, "rating": _rating, "survey": _survey, "score": _score}


def build_layout(meeting: Meeting, round_id: str, group_id: str, measure: Measurer, paper: str = "A4") -> Layout:
    rnd = meeting.round(round_id)
    if rnd.kind not in BUILDERS:
        raise LayoutError(f"round {round_id} is a {rnd.kind} round; it has no paper form")
    if group_id not in rnd.groups:
        raise LayoutError(f"group {group_id} does not take part in round {round_id}")
    if isinstance(rnd.spec, ScoreSpec) and rnd.spec.slips:
        paper = SLIP_PAPER  # 现场亮分 slips are half an A4 page whatever the other forms use
    return BUILDERS[rnd.kind](_Builder(meeting, rnd, group_id, paper, measure))


def meeting_text(meeting: Meeting) -> str:
    """Every character the forms of this meeting may print: to choose a font that has them all."""
    parts = [meeting.info.title]
    parts += [p.name for p in meeting.posts] + [c.name for c in meeting.candidates] + [g.name for g in meeting.groups]
    for r in meeting.rounds:
        parts.append(r.name)
        spec = r.spec
        if isinstance(spec, VoteSpec):
            parts += [o.name for o in spec.options]
        elif isinstance(spec, RatingSpec):
            parts += [g.name for g in spec.grades]
        elif isinstance(spec, SurveySpec):
            parts += [q.text for q in spec.questions] + [o.name for q in spec.questions for o in q.options]
        elif isinstance(spec, ScoreSpec):
            parts += [c.name for c in spec.criteria]
    parts += all_words("form.", meeting.language)
    return "".join(parts) + "0123456789.%（）()：:/√×—-"


def unaccepted_change(meeting: Meeting, layout) -> str | None:
    """What changed in the meeting since paper was printed with `layout` — or None when it still fits the meeting,
    or the organiser accepted it (`[scan] accept_layouts`)."""
    from ballots.payload import layout_prefix

    return None if layout_prefix(layout.hash) in meeting.scan.accept_layouts else layout_mismatch(meeting, layout)


def stale_paper(meeting: Meeting, layout) -> str | None:
    """Why paper printed with `layout` must not be counted now, in one line with the way out — or None when it still
    fits the meeting, or the organiser accepted it. One answer for the station API and `check`."""
    from ballots.payload import layout_prefix

    problem = unaccepted_change(meeting, layout)
    if problem is None:
        return None
    return (f"{problem}: printed before the meeting was changed; re-print it, or accept this paper with "
            f'[scan] accept_layouts = ["{layout_prefix(layout.hash)}"]')


def layout_mismatch(meeting: Meeting, layout) -> str | None:
    """Why paper printed with `layout` no longer says what the accepted meeting asks, or None when it still does:
    the round or group gone, candidates added or removed, options, grades, criteria or questions changed. A typo
    fixed in a name or a title changes nothing here (the paper stays valid)."""
    rnd = next((r for r in meeting.rounds if r.id == layout.round_id), None)
    if rnd is None:
        return f"round {layout.round_id} is no longer in the meeting"
    if layout.group_id not in rnd.groups:
        return f"group {layout.group_id} no longer votes in round {rnd.id}"
    marks = [b.mark for p in layout.pages for b in p.boxes]
    spec = rnd.spec
    if rnd.kind in ("vote", "rating", "score"):
        printed = {m.candidate for m in marks if m.candidate}
        now = set(rnd.candidates)
        if printed != now:
            added, gone = sorted(now - printed), sorted(printed - now)
            what = [f"added {', '.join(added)}" if added else "", f"removed {', '.join(gone)}" if gone else ""]
            return "candidates " + "; ".join(w for w in what if w)
    if rnd.kind == "vote":
        if {m.option for m in marks if m.kind == "option"} != {o.id for o in spec.options}:
            return "the vote's options changed"
        rows: dict[str, int] = {}
        for m in marks:
            if m.kind == "write_in" and m.section:
                rows[m.section] = max(rows.get(m.section, 0), m.row or 0)
        if any(rows.get(s.post, 0) != s.write_ins for s in spec.sections):
            return "the write-in rows changed"
    elif rnd.kind == "rating" and {m.option for m in marks} != {g.id for g in spec.grades}:
        return "the grades changed"
    elif rnd.kind == "score":
        if {m.criterion for m in marks if m.criterion} != {c.id for c in spec.criteria}:
            return "the criteria changed"
        tops = {c.id: c.max for c in spec.criteria}
        tens: dict[str, int] = {}
        for m in marks:
            if m.kind == "digit" and m.place == "tens" and m.criterion and m.digit is not None:
                tens[m.criterion] = max(tens.get(m.criterion, 0), m.digit)
        for crit, top in tops.items():
            if top >= 10 and tens.get(crit, 0) != int(top) // 10:
                return f"the maximum of {crit} changed"
    elif rnd.kind == "survey" and {(m.question, m.option) for m in marks} != {
            (q.id, o.id) for q in spec.questions for o in q.options}:
        return "the questions or their options changed"
    return None

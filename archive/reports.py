"""The tally report sheets that the staff sign and the archive keeps (PDF, the meeting's language).

Every number comes from the same tables as `tallykit tally` (archive/results.tables), so paper and screen agree.
Each page carries the corner markers of the kit's forms and a QR code with the results digest, so a photo of the
signed paper can be recognised and checked (`tallykit attach`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import qrcode
from fpdf import FPDF
from fpdf.fonts import FontFace
from qrcode.constants import ERROR_CORRECT_M

from archive.results import group_rows, invalid_lines, notes, num, round_notes, tables
from ballots.fonts import FontSpec
from ballots.layout import MARKER_INSET, MARKER_SIZE
from ballots.render import black_runs, marker_cells
from meeting.canon import b32
from meeting.lang import text
from meeting.model import Meeting, RatingSpec
from tally.model import RatingResult, Results, ScoreResult, SurveyResult, VoteResult

REPORT_PREFIX = "TKR1"
QR_MODULE_MM = 1.0
QR_TOP = MARKER_INSET
PAGE_W, PAGE_H = 210.0, 297.0
SIDE = 15.0
KINDS = ("DIST", "RETN", "RSLT", "SCOR", "MANU", "RANK")


@dataclass(frozen=True)
class ReportCode:
    """What a report sheet's QR code says: which meeting, which sheet, and the results it was printed from."""

    meeting_id: str
    kind: str
    round_id: str | None
    digest: str  # hex SHA-256 of the canonical results

    def text(self) -> str:
        return ":".join((REPORT_PREFIX, self.meeting_id, self.kind, self.round_id or "-",
                         b32(bytes.fromhex(self.digest))))

    @classmethod
    def parse(cls, value: str) -> ReportCode | None:
        import base64

        parts = value.strip().split(":")
        if len(parts) != 5 or parts[0] != REPORT_PREFIX or parts[2] not in KINDS:
            return None
        try:
            raw = base64.b32decode(parts[4] + "=" * (-len(parts[4]) % 8))
        except ValueError:
            return None
        if len(raw) != 32:
            return None
        return cls(parts[1], parts[2], None if parts[3] == "-" else parts[3], raw.hex())


@dataclass(frozen=True)
class Seal:
    rounds: tuple[str, ...]
    sealed_at: str
    forced: dict[str, tuple[int, str]]  # round → (sheets in review when sealed, the reason given)


@dataclass(frozen=True)
class Sheet:
    kind: str
    round_id: str | None
    title: str
    file_name: str


def qr_box() -> tuple[float, float, float]:
    """x, y and size (mm) of the QR code on a report page: left of the top-right marker."""
    size = 33 * QR_MODULE_MM  # version 4
    return PAGE_W - MARKER_INSET - MARKER_SIZE - 4.0 - size, QR_TOP, size


class _Pdf(FPDF):
    def __init__(self, code: str, footer_text: str) -> None:
        super().__init__(unit="mm", format="A4")
        qr = qrcode.QRCode(version=4, error_correction=ERROR_CORRECT_M, border=0)
        qr.add_data(code.encode("ascii"))
        qr.make(fit=False)
        self.qr = tuple(tuple(r) for r in qr.get_matrix())  # the same on every page: encoded once
        self.footer_text = footer_text

    def header(self) -> None:
        ms = MARKER_SIZE
        for marker_id, (x, y) in enumerate(((MARKER_INSET, MARKER_INSET), (PAGE_W - MARKER_INSET - ms, MARKER_INSET),
                                            (PAGE_W - MARKER_INSET - ms, PAGE_H - MARKER_INSET - ms),
                                            (MARKER_INSET, PAGE_H - MARKER_INSET - ms))):
            self._cells(x, y, marker_cells(marker_id), ms / 6)
        qx, qy, size = qr_box()
        self._cells(qx, qy, self.qr, size / len(self.qr))
        self.set_y(MARKER_INSET + size + 4)

    def footer(self) -> None:
        self.set_y(PAGE_H - MARKER_INSET - 6)
        self.set_x(MARKER_INSET + MARKER_SIZE + 3)
        self.set_font_size(7.5)
        self.set_text_color(90)
        self.cell(PAGE_W - 2 * (MARKER_INSET + MARKER_SIZE + 3), 4,
                  f"{self.footer_text}    {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)

    def _cells(self, x: float, y: float, cells: tuple[tuple[bool, ...], ...], module: float) -> None:
        self.set_fill_color(0)
        for r, c, n in black_runs(cells):
            self.rect(x + c * module, y + r * module, n * module + 0.001, module + 0.001, style="F")


def sheets(meeting: Meeting, results: Results) -> list[Sheet]:
    """The report sheets this meeting gets, in the order of the day."""
    lang = meeting.language
    out = [Sheet("DIST", None, text("report.dist", lang), f"01-{text('report.dist', lang)}.pdf"),
           Sheet("RETN", None, text("report.retn", lang), f"02-{text('report.retn', lang)}.pdf")]
    for i, rnd in enumerate(meeting.rounds, start=1):
        r = results.rounds[rnd.id]
        key = {VoteResult: "report.vote", RatingResult: "report.rating", SurveyResult: "report.survey",
               ScoreResult: "report.score"}.get(type(r), "report.manual")
        kind = "SCOR" if isinstance(r, ScoreResult) else ("MANU" if key == "report.manual" else "RSLT")
        title = text(key, lang)
        out.append(Sheet(kind, rnd.id, title, f"{i + 2:02d}-{rnd.id}-{title}.pdf"))
    if meeting.composite is not None:
        title = text("report.rank", lang)
        out.append(Sheet("RANK", None, title, f"{len(meeting.rounds) + 3:02d}-{title}.pdf"))
    return out


def write_reports(meeting: Meeting, results: Results, seal: Seal, digest: str, fingerprint: str, font: FontSpec,
                  out: Path, printed: dict[tuple[str, str], tuple[int, int]]) -> list[Path]:
    """Write every report sheet into `out`. `printed`: (round, group) → (issued, spares)."""
    written = []
    for sheet in sheets(meeting, results):
        path = out / sheet.file_name
        _write(meeting, results, seal, digest, fingerprint, font, sheet, path, printed)
        written.append(path)
    return written


def _signers(meeting: Meeting) -> tuple[str, ...]:
    if meeting.report.signers:
        return meeting.report.signers
    return tuple(text(f"signer.{k}", meeting.language) for k in ("counter", "scrutineer", "caller", "chair"))


def _write(meeting: Meeting, results: Results, seal: Seal, digest: str, fingerprint: str, font: FontSpec,
           sheet: Sheet, path: Path, printed: dict[tuple[str, str], tuple[int, int]]) -> None:
    lang = meeting.language
    t = lambda k, **kw: text(k, lang, **kw)  # noqa: E731
    code = ReportCode(meeting.info.id, sheet.kind, sheet.round_id, digest)
    pdf = _Pdf(code.text(), f"{meeting.info.title} · {sheet.title} · {digest[:16]}")
    pdf.set_title(f"{meeting.info.title} {sheet.title}")
    pdf.set_creator("tallykit")
    pdf.set_creation_date(dt.datetime.combine(meeting.info.date, dt.time(8, 0), tzinfo=dt.UTC))
    pdf.add_font("body", fname=str(font.path), collection_font_number=font.index)
    pdf.set_font("body", size=10)
    pdf.set_margins(SIDE, MARKER_INSET + 37, SIDE)
    pdf.set_auto_page_break(True, margin=MARKER_INSET + MARKER_SIZE + 6)
    pdf.add_page()
    # title block, left of the QR code
    qx, _, _ = qr_box()
    pdf.set_xy(MARKER_INSET + MARKER_SIZE + 3, MARKER_INSET + 2)
    pdf.set_font_size(16)
    pdf.multi_cell(qx - pdf.get_x() - 3, 8, sheet.title, align="L")
    pdf.set_x(MARKER_INSET + MARKER_SIZE + 3)
    pdf.set_font_size(9)
    pdf.multi_cell(qx - pdf.get_x() - 3, 5, t("report.meeting", title=meeting.info.title,
                                               date=meeting.info.date.isoformat()), align="L")
    if meeting.info.venue:
        pdf.set_x(MARKER_INSET + MARKER_SIZE + 3)
        pdf.multi_cell(qx - pdf.get_x() - 3, 5, t("report.venue", venue=meeting.info.venue), align="L")
    if sheet.round_id is not None:
        rnd = meeting.round(sheet.round_id)
        pdf.set_x(MARKER_INSET + MARKER_SIZE + 3)
        pdf.set_font_size(11)
        pdf.multi_cell(qx - pdf.get_x() - 3, 6, f"{t('round')}：{rnd.name}（{rnd.id}）" if lang == "zh" else
                       f"{t('round')}: {rnd.name} ({rnd.id})", align="L")
    pdf.set_y(max(pdf.get_y() + 2, MARKER_INSET + 37))
    names = "、".join(meeting.round(r).name for r in seal.rounds) if lang == "zh" else \
        ", ".join(meeting.round(r).name for r in seal.rounds)
    pdf.set_font_size(9)
    pdf.cell(0, 5, t("report.sealed", rounds=names, at=local_time(seal.sealed_at, lang)), new_x="LMARGIN",
             new_y="NEXT")
    if sheet.round_id is not None and sheet.round_id not in seal.rounds:
        pdf.set_text_color(200, 0, 0)
        pdf.cell(0, 5, t("report.not_sealed"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
    for round_id, (n, reason) in seal.forced.items():
        if sheet.round_id in (None, round_id):
            pdf.set_text_color(200, 0, 0)
            pdf.multi_cell(0, 5, f"{meeting.round(round_id).name}: {t('report.forced', n=n, reason=reason)}",
                           new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0)
    loud = [line for rnd in meeting.rounds if sheet.round_id in (None, rnd.id) and sheet.kind != "DIST"
            for line in invalid_lines(meeting, results, rnd.id)]
    if loud:
        pdf.set_text_color(200, 0, 0)
        pdf.set_font_size(12)
        for line in loud:
            pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
    pdf.ln(2)
    for rows in _body(meeting, results, sheet, printed):
        _table(pdf, rows)
        pdf.ln(3)
    for line in _notes(meeting, results, sheet):
        if line in loud:
            continue
        pdf.set_font_size(9)
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    _closing(pdf, meeting, digest, fingerprint)
    pdf.alias_nb_pages()
    tmp = path.with_name(path.name + ".tmp")
    pdf.output(str(tmp))
    tmp.replace(path)


def _body(meeting: Meeting, results: Results, sheet: Sheet, printed: dict[tuple[str, str], tuple[int, int]]
          ) -> list[list[list[str]]]:
    lang = meeting.language
    t = lambda k, **kw: text(k, lang, **kw)  # noqa: E731
    counted = [rnd for rnd in meeting.rounds if getattr(results.rounds[rnd.id], "groups", None)]
    if sheet.kind == "DIST":
        rows = [[t("round"), t("group"), t("expected"), t("report.printed"), t("issued"), t("report.left")]]
        for rnd in counted:
            for g in results.rounds[rnd.id].groups:
                issued, spares = printed.get((rnd.id, g.group_id), (g.issued, 0))
                rows.append([rnd.name, meeting.group(g.group_id).name, str(g.expected), str(issued + spares),
                             str(issued), str(spares)])
        return [rows]
    if sheet.kind == "RETN":
        rows = [[t("round"), t("group"), t("expected"), t("report.present"), t("issued"), t("returned"),
                 t("report.read")]]
        for rnd in counted:
            for g in results.rounds[rnd.id].groups:
                rows.append([rnd.name, meeting.group(g.group_id).name, str(g.expected), "", str(g.issued),
                             str(g.returned) if g.returned_recorded else "", str(g.read)])
        return [rows]
    if sheet.kind == "RANK":
        comp = meeting.composite
        assert comp is not None
        return [tables(meeting, results)[comp.name]]
    rnd = meeting.round(sheet.round_id or "")
    r = results.rounds[rnd.id]
    out = []
    if getattr(r, "groups", None):
        counts = group_rows(meeting, results)
        out.append([counts[0][1:], *[row[1:] for row in counts[1:] if row[0] == rnd.name]])
    if isinstance(r, ScoreResult):
        judges = max((len(c.judges) for c in r.candidates), default=0)
        d = meeting.info.decimals
        scaled = r.max_total != 100
        rows = [[t("candidate"), *[t("report.judge", n=i + 1) for i in range(judges)], t("highest"), t("lowest"),
                 t("trimmed"), *(["/100"] if scaled else [])]]
        for c in sorted(r.candidates, key=lambda c: -(c.trimmed_mean or -1)):
            rows.append([meeting.candidate(c.candidate_id).name,
                         *[f"{j.normalize():f}" for j in c.judges], *[""] * (judges - len(c.judges)),
                         num(c.highest, 1), num(c.lowest, 1), num(c.trimmed_mean, d),
                         *([num(c.trimmed_mean / r.max_total * 100 if c.trimmed_mean is not None else None, d)]
                           if scaled else [])])
        out.append(rows)
    else:
        out.append(tables(meeting, results)[f"{rnd.id} {rnd.name}"])
    return out


def _notes(meeting: Meeting, results: Results, sheet: Sheet) -> list[str]:
    lang = meeting.language
    lines = notes(meeting, results)
    if sheet.kind == "RANK" and meeting.composite is not None:
        parts = []
        for p in meeting.composite.parts:
            name = meeting.round(p.round).name + (f"（{meeting.group(p.group).name}）" if p.group else "")
            parts.append(f"{name} {p.weight.normalize():f}%")
        return [text("report.weights", lang, parts="、".join(parts) if lang == "zh" else ", ".join(parts)), *lines]
    if sheet.round_id is None:
        return [line for line in lines if any(rnd.name in line for rnd in meeting.rounds)]
    rnd = meeting.round(sheet.round_id)
    rules = []
    if isinstance(rnd.spec, RatingSpec):  # how 弃权 enters the points is part of the result: say it
        rules.append(text(f"rule.ungraded.{rnd.spec.ungraded}", lang))
    return rules + round_notes(meeting, results, rnd.id)


def local_time(iso: str, language: str) -> str:
    """A stored ISO time as people read it, in this computer's time zone: 2026年12月15日 14:30."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(iso).astimezone()
    except (TypeError, ValueError):
        return str(iso)
    if language == "zh":
        return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
    return f"{moment:%d %B %Y %H:%M}"


_NUMERIC = set("0123456789.%()=—- /")


def _table(pdf: FPDF, rows: list[list[str]]) -> None:
    """A table across the page: columns as wide as their longest text needs, numbers right-aligned; fpdf2 breaks
    pages and repeats the heading row."""
    if not rows:
        return
    columns = len(rows[0])
    rows = [row + [""] * (columns - len(row)) for row in rows]
    width = PAGE_W - 2 * SIDE
    size = 9.0 if columns <= 8 else 7.5
    pdf.set_font_size(size)
    need = []
    for c in range(columns):
        body = max((pdf.get_string_width(r[c]) for r in rows[1:]), default=0.0)
        head = min(pdf.get_string_width(rows[0][c]), 28.0)  # headings may wrap
        need.append(max(body, head) + 3)
    scale = width / sum(need)
    widths = [w * scale for w in need]
    numeric = [all(set(r[c]) <= _NUMERIC for r in rows[1:]) for c in range(columns)]
    with pdf.table(col_widths=widths, width=width, line_height=size * 0.5,
                   text_align=["RIGHT" if n else "LEFT" for n in numeric], first_row_as_headings=True,
                   headings_style=FontFace(fill_color=(235, 235, 235)), borders_layout="SINGLE_TOP_LINE",
                   padding=1) as table:
        for row in rows:
            cells = table.row()
            for value in row:
                cells.cell(value)


def _closing(pdf: FPDF, meeting: Meeting, digest: str, fingerprint: str) -> None:
    lang = meeting.language
    signers = _signers(meeting)
    need = 22 + 10 * ((len(signers) + 1) // 2)
    if pdf.get_y() + need > PAGE_H - MARKER_INSET - MARKER_SIZE - 6:
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font_size(8.5)
    grouped = " ".join(digest[i:i + 8] for i in range(0, 64, 8))
    pdf.cell(0, 4.5, f"{text('report.digest', lang)}: {grouped}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 4.5, f"{text('report.key', lang)}: {fingerprint}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    pdf.set_font_size(11)
    half = (PAGE_W - 2 * SIDE) / 2
    for i, who in enumerate(signers):
        pdf.cell(half, 10, f"{who}：" + "_" * 18 if lang == "zh" else f"{who}: " + "_" * 18,
                 new_x="RIGHT" if i % 2 == 0 else "LMARGIN", new_y="TOP" if i % 2 == 0 else "NEXT")
    if len(signers) % 2:
        pdf.ln(10)
    top = pdf.get_y()
    pdf.cell(0, 10, text("report.date", lang), new_x="LMARGIN", new_y="NEXT")
    # 盖章处: where the election committee or the Party committee puts its seal (a 42 mm seal fits)
    size = 44.0
    x = PAGE_W - SIDE - size
    y = min(top - 6, PAGE_H - MARKER_INSET - MARKER_SIZE - size - 4)
    with pdf.local_context(draw_color=(150, 150, 150), dash_pattern={"dash": 1.5, "gap": 1.2}):
        pdf.ellipse(x, y, size, size)
    pdf.set_text_color(150)
    pdf.set_font_size(9)
    pdf.set_xy(x, y + size / 2 - 2.5)
    pdf.cell(size, 5, text("report.stamp", lang), align="C")
    pdf.set_text_color(0)

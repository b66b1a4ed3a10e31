"""Layouts → PDF with fpdf2: vector ArUco markers and QR codes, light box outlines, the CJK font embedded."""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import qrcode
from fpdf import FPDF
from fpdf.errors import FPDFException
from qrcode.constants import ERROR_CORRECT_M

from ballots.fonts import FontError, FontSpec, find_font
from ballots.geometry import Layout, Page, Rect
from ballots.layout import BOX_GREY, QR_MODULE, QR_MODULES, line_height
from meeting.lang import text

ARUCO_DICT = cv2.aruco.DICT_4X4_50


@dataclass(frozen=True)
class Sheet:
    """One physical copy of a form: its layout, its serial (named forms) and the QR text of each page."""

    layout: Layout
    serial: str | None
    payloads: tuple[str, ...]  # one per page
    test: bool = False


@functools.lru_cache(maxsize=8)
def marker_cells(marker_id: int) -> tuple[tuple[bool, ...], ...]:
    """6x6 cells (black border included) of an ArUco 4x4 marker; True = black."""
    dictionary = cv2.aruco.getPredefinedDictionary(ARUCO_DICT)
    img = dictionary.generateImageMarker(marker_id, 6)
    return tuple(tuple(bool(v < 128) for v in row) for row in img)


# A fixed mask: choosing the best of 8 per code costs ~3.5 ms in qrcode (7x the rest of the encoding) and
# 1,000 named sheets need 1,000+ codes. Over random payloads of our format, mask 3 has the lowest average
# penalty score of the eight (586 against 586-743) and is the best mask for 38% of them.
QR_MASK = 3


@functools.lru_cache(maxsize=4096)
def qr_cells(payload: str) -> tuple[tuple[bool, ...], ...]:
    qr = qrcode.QRCode(version=3, error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK)
    qr.add_data(payload.encode("ascii"), optimize=0)
    qr.make(fit=False)
    matrix = qr.get_matrix()
    if len(matrix) != QR_MODULES:
        raise ValueError(f"QR code for {payload!r} is not version 3")
    return tuple(tuple(row) for row in matrix)


def black_runs(cells: tuple[tuple[bool, ...], ...]) -> list[tuple[int, int, int]]:
    """Horizontal runs of black cells: (row, first column, length)."""
    out = []
    for r, row in enumerate(cells):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                out.append((r, start, c - start))
            else:
                c += 1
    return out


WATERMARK_GREY = 226  # light enough to stay below the reader's ink level (0.22 of black) wherever it lies


class Renderer:
    def __init__(self, font: FontSpec, language: str, title: str, date: dt.date) -> None:
        self.language = language
        self.pdf = FPDF(unit="mm", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margin(0)
        self.pdf.c_margin = 0
        self.pdf.add_font("body", fname=str(font.path), collection_font_number=font.index)
        self.pdf.set_font("body", size=10)
        self.pdf.set_title(title)
        self.pdf.set_creator("tallykit")
        self.pdf.set_creation_date(dt.datetime.combine(date, dt.time(8, 0), tzinfo=dt.UTC))
        self._size = 10.0
        self._static: dict[tuple[str, int], bytes] = {}

    def add(self, sheet: Sheet) -> None:
        for page, payload in zip(sheet.layout.pages, sheet.payloads, strict=True):
            self._page(sheet, page, payload)

    def _font(self, size: float) -> None:
        if size != self._size:
            self.pdf.set_font_size(size)
            self._size = size

    def _cells(self, rect: Rect, cells: tuple[tuple[bool, ...], ...], module: float) -> None:
        for r, c, n in black_runs(cells):
            self.pdf.rect(rect.x + c * module, rect.y + r * module, n * module + 0.001, module + 0.001, style="F")

    def _page(self, sheet: Sheet, page: Page, payload: str) -> None:
        layout = sheet.layout
        pdf = self.pdf
        pdf.add_page(format=(layout.width, layout.height))
        if sheet.test:  # under everything else: the page's print and the voter's marks stay on top of it
            self._watermark(page, layout)
        key = (layout.hash, page.number)
        static = self._static.get(key)
        if static is None:
            # Draw what every copy of this page shares once, through fpdf2, inside q/Q, and keep its bytes.
            saved = (pdf.draw_color, pdf.fill_color, pdf.text_color, pdf.line_width, self._size)
            pdf._out("q")
            contents = pdf.pages[pdf.page].contents
            start = len(contents)
            self._draw_static(page)
            static = bytes(contents[start:])
            pdf._out("Q")
            # Q restored the PDF's graphics state; bring fpdf2's idea of it back in line.
            pdf.draw_color, pdf.fill_color, pdf.text_color, pdf.line_width, self._size = saved
            pdf.font_size_pt = saved[4]
            pdf.current_font_is_set_on_page = False
            self._static[key] = static
        else:
            pdf._out(b"q\n" + static + b"Q")
        # What differs per copy: the QR code, the serial, the TEST banner, and the page number text
        # (which also registers the font on this page).
        pdf._out(self._qr_ops(page.qr, payload, layout.height))
        blank = page.calibration[0]
        self._text(Rect(blank.x + 2 * blank.w + 24.0, blank.y + 1.0, layout.width - 2 * (blank.x + 2 * blank.w + 24.0),
                        5.0), (text("form.page", self.language, i=page.number, n=len(layout.pages)),), 9.0, "C", 0)
        if page.serial_slot is not None and sheet.serial is not None:
            key_text = "form.seat" if layout.form == "score" else "form.serial"
            self._text(page.serial_slot, (text(key_text, self.language, n=sheet.serial),), 11.0, "C", 0)
        if sheet.test and page.banner_slot is not None:
            pdf.set_text_color(200, 0, 0)
            self._text(page.banner_slot, (text("form.test", self.language),), 12.0, "C", None)
            pdf.set_text_color(0)

    def _watermark(self, page: Page, layout) -> None:
        """测试样张 TEST in large light letters across the page, kept off the boxes, the markers, the calibration
        strip and the code (a rehearsal sheet reads like a real one: no box looks touched)."""
        pdf = self.pdf
        words = text("form.test.watermark", self.language)
        size = 64.0 if layout.width >= 200 else 44.0
        self._font(size)
        pdf.set_text_color(WATERMARK_GREY)
        width = pdf.get_string_width(words)
        cx, cy = layout.width / 2, layout.height / 2
        angle = math.degrees(math.atan2(layout.height, layout.width))
        with pdf.rotation(angle, cx, cy):
            pdf.text(cx - width / 2, cy + size * 0.3528 / 3, words)
        pdf.set_text_color(0)
        pdf.set_fill_color(255)
        keep = [b.rect for b in page.boxes] + [m.rect for m in page.markers] + list(page.calibration) + [page.qr]
        for r in keep:
            grow = 4 * 1.2 if r is page.qr else 1.2
            pdf.rect(r.x - grow, r.y - grow, r.w + 2 * grow, r.h + 2 * grow, style="F")

    def _draw_static(self, page: Page) -> None:
        pdf = self.pdf
        pdf.set_fill_color(0)
        for m in page.markers:
            self._cells(m.rect, marker_cells(m.id), m.rect.w / 6)
        blank, solid = page.calibration
        pdf.rect(solid.x, solid.y, solid.w, solid.h, style="F")
        pdf.set_draw_color(BOX_GREY)
        pdf.set_line_width(0.3)
        pdf.rect(blank.x, blank.y, blank.w, blank.h)
        for b in page.boxes:
            pdf.rect(b.rect.x, b.rect.y, b.rect.w, b.rect.h)
        grey = -1
        width = -1.0
        for ln in page.lines:
            if ln.grey != grey:
                pdf.set_draw_color(ln.grey)
                grey = ln.grey
            if ln.width != width:
                pdf.set_line_width(ln.width)
                width = ln.width
            pdf.line(ln.x1, ln.y1, ln.x2, ln.y2)
        for t in page.texts:
            self._text(t.rect, t.lines, t.size, t.align, t.grey)
        pdf.set_text_color(0)

    def _qr_ops(self, rect: Rect, payload: str, page_height: float) -> str:
        """The QR code as raw PDF path operators (black squares in runs), in points from the bottom-left."""
        k = self.pdf.k
        m = QR_MODULE
        ops = ["q 0 g"]
        for r, c, n in black_runs(qr_cells(payload)):
            x = (rect.x + c * m) * k
            y = (page_height - rect.y - (r + 1) * m) * k
            ops.append(f"{x:.2f} {y:.2f} {n * m * k + 0.01:.2f} {m * k + 0.01:.2f} re")
        ops.append("f Q")
        return "\n".join(ops)

    def _text(self, rect: Rect, lines: Iterable[str], size: float, align: str, grey: int | None) -> None:
        lines = list(lines)
        self._font(size)
        if grey is not None:
            self.pdf.set_text_color(grey)
        lh = line_height(size)
        y = rect.y + (rect.h - lh * len(lines)) / 2
        for line in lines:
            self.pdf.set_xy(rect.x, y)
            self.pdf.cell(rect.w, lh, line, align=align)
            y += lh

    def write(self, path: Path) -> None:
        """Write atomically: the PDF appears complete, or not at all."""
        tmp = path.with_name(f".{path.name}.part")
        try:
            self.pdf.output(str(tmp))
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


def print_darkness(page: Page, width_mm: float, height_mm: float, px_per_mm: float) -> np.ndarray | None:
    """What the printer puts on this page that every copy shares (markers, boxes, lines, texts), drawn as for the PDF
    and rasterised by pdfium: darkness 0-1 (float32) at `px_per_mm`. The scanner compares a read page's printed words
    with it. None when no installed font has the page's characters (a reader without the fonts the forms were
    printed with cannot know their letters' shapes)."""
    return print_darkness_pages([(page, width_mm, height_mm)], px_per_mm)[0]


def print_darkness_pages(pages: Sequence[tuple[Page, float, float]], px_per_mm: float) -> list[np.ndarray | None]:
    """`print_darkness` of many pages (page, width, height), drawn in one document: the forms' font is parsed once
    (0.2-0.3 s of a page's 0.25), not once a page. Pages whose characters no one font has are drawn one by one."""
    import pypdfium2 as pdfium  # only a reader comparing printed words needs it

    if not pages:
        return []
    words = "".join("".join(t.lines) for page, _w, _h in pages for t in page.texts)
    try:
        font = find_font(words or "0")
    except FontError:
        return [print_darkness(*one, px_per_mm) for one in pages] if len(pages) > 1 else [None]
    try:  # layouts the printer drew once; should it fail here, the scanner only goes without the comparison
        renderer = Renderer(font, "zh", "", dt.date(2026, 1, 1))
        for page, width_mm, height_mm in pages:
            renderer.pdf.add_page(format=(width_mm, height_mm))
            renderer._draw_static(page)
        document = pdfium.PdfDocument(bytes(renderer.pdf.output()))
        try:
            greys = [document[i].render(scale=px_per_mm * 25.4 / 72, grayscale=True).to_numpy()
                     for i in range(len(pages))]
        finally:
            document.close()
    except (FPDFException, pdfium.PdfiumError, ValueError, OSError):
        return [None] * len(pages)
    return [(255 - g.reshape(g.shape[0], g.shape[1], -1)[:, :, 0].astype(np.float32)) / 255 for g in greys]

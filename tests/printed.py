"""Helpers for tests that print a meeting and look at the pages the way a scanner or a person would."""

from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import zxingcpp

from ballots.geometry import Layout, Rect
from meeting.folder import MeetingFolder

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def render(pdf_path: Path, page_index: int, dpi: int = 300) -> np.ndarray:
    """A page as an 8-bit grey image (0 = black), rendered by pdfium."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return pdf[page_index].render(scale=dpi / 72, grayscale=True).to_numpy().copy()
    finally:
        pdf.close()


def page_count(pdf_path: Path) -> int:
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def stored_layouts(meeting_dir: Path) -> dict[tuple[str, str], Layout]:
    store = MeetingFolder.open(meeting_dir).store()
    try:
        return {(r["round_id"], r["group_id"]): Layout.from_json(r["layout"]) for r in store.layouts().values()}
    finally:
        store.close()


def edge_offsets(img: np.ndarray, rect: Rect, dpi: int, window: float = 0.9) -> list[float]:
    """Measured minus expected position (mm) of the four outline edges of a box, found as the darkest
    line of pixels within `window` mm of where the layout says each edge is."""
    px = dpi / 25.4
    out = []
    x0, x1, y0, y1 = rect.x, rect.x + rect.w, rect.y, rect.y + rect.h
    rows = slice(int((y0 + rect.h * 0.25) * px), int((y1 - rect.h * 0.25) * px))
    cols = slice(int((x0 + rect.w * 0.25) * px), int((x1 - rect.w * 0.25) * px))
    for edge, vertical in ((x0, True), (x1, True), (y0, False), (y1, False)):
        lo, hi = int((edge - window) * px), int((edge + window) * px) + 1
        if vertical:
            profile = 255.0 - img[rows, lo:hi].mean(axis=0)
        else:
            profile = 255.0 - img[lo:hi, cols].mean(axis=1)
        if profile.max() < 20:  # no outline found at all
            out.append(float("inf"))
            continue
        found = (lo + float(np.argmax(profile)) + 0.5) / px
        out.append(found - edge)
    return out


@functools.lru_cache(maxsize=1)
def _aruco() -> cv2.aruco.ArucoDetector:
    return cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50))


def find_markers(img: np.ndarray, dpi: int) -> dict[int, tuple[float, float]]:
    """ArUco id → top-left corner (mm) as OpenCV finds it on the rendered page."""
    corners, ids, _ = _aruco().detectMarkers(img)
    px = dpi / 25.4
    if ids is None:
        return {}
    return {int(i): (float(c[0][0][0]) / px, float(c[0][0][1]) / px) for c, i in zip(corners, ids.ravel(), strict=True)}


def decode_qr(img: np.ndarray, rect: Rect, dpi: int) -> str:
    """Decode the QR code from the crop of its known position (as the scanner will)."""
    px = dpi / 25.4
    pad = 6.0
    crop = img[int((rect.y - pad) * px): int((rect.y + rect.h + pad) * px),
               int((rect.x - pad) * px): int((rect.x + rect.w + pad) * px)]
    found = zxingcpp.read_barcodes(crop, formats=zxingcpp.BarcodeFormat.QRCode)
    return found[0].text if found else ""

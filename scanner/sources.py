"""Frame sources: a camera, a video file, a folder of photos, a PDF scan. Each yields frames in order."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from meeting.errors import TallyError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


class SourceError(TallyError):
    exit_code = 2


@dataclass(frozen=True)
class Frame:
    image: np.ndarray | None  # None: the file could not be decoded
    name: str  # file name, "page 3", "frame 120"
    index: int
    key: str | None = None  # for a file: its SHA-256, so scanning the same file twice records it once


def images(folder: Path) -> Iterator[Frame]:
    if not folder.is_dir():
        raise SourceError(f"{folder}: no such folder of photos")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise SourceError(f"{folder}: no photos here (looked for {', '.join(sorted(IMAGE_SUFFIXES))})")
    for i, path in enumerate(files):
        data = path.read_bytes()
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        yield Frame(image, path.name, i, "file:" + hashlib.sha256(data).hexdigest())


def pdf(path: Path, dpi: int = 200) -> Iterator[Frame]:
    import pypdfium2 as pdfium

    if not path.is_file():
        raise SourceError(f"{path}: no such PDF file")
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise SourceError(f"{path}: is not a readable PDF ({exc})") from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        for i in range(len(doc)):
            image = doc[i].render(scale=dpi / 72, grayscale=True).to_numpy().copy()
            yield Frame(image, f"page {i + 1}", i, f"pdf:{digest}:{i + 1}")
    finally:
        doc.close()


def video(path: Path) -> Iterator[Frame]:
    if not path.is_file():
        raise SourceError(f"{path}: no such video file")
    _quiet_opencv()
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise SourceError(f"{path}: cannot be opened as a video")
    try:
        i = 0
        while True:
            ok, image = capture.read()
            if not ok:
                break
            yield Frame(image, f"frame {i}", i)
            i += 1
    finally:
        capture.release()


def _quiet_opencv() -> None:
    """OpenCV's own warnings (a missing camera, a codec) would bury our one-line messages."""
    with contextlib.suppress(AttributeError):  # older builds have no logging module
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)


def camera(index: int, width: int = 1920, height: int = 1080) -> Iterator[Frame]:
    _quiet_opencv()
    capture = cv2.VideoCapture(index)
    if not capture.isOpened():
        raise SourceError(f"camera {index} cannot be opened; check the cable, close other camera programs, "
                          "or try --camera 1")
    capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    try:
        i = 0
        while True:
            ok, image = capture.read()
            if not ok:
                raise SourceError(f"camera {index} stopped sending pictures")
            yield Frame(image, f"frame {i}", i)
            i += 1
    finally:
        capture.release()

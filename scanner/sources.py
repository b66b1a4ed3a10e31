"""Frame sources: a camera, a video file, a folder of photos, a PDF scan. Each yields frames in order."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import simplejpeg

from meeting.errors import TallyError
from meeting.lang import text

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}
MAX_IMAGE_SIDE = 16_000  # a 12 MP phone photo is 4032×3024; a scan at 600 dpi of A3 is 7016×9921
MAX_IMAGE_PIXELS = 80_000_000


class SourceError(TallyError):
    exit_code = 2


@dataclass(frozen=True)
class Frame:
    image: np.ndarray | None  # None: the file could not be decoded (`problem` says why when known)
    name: str  # file name, "page 3", "frame 120"
    index: int
    key: str | None = None  # for a file: its SHA-256, so scanning the same file twice records it once
    problem: str | None = None
    colour: Callable[[], np.ndarray | None] | None = field(default=None, repr=False, compare=False)  # a grey
    # photo's picture in colour, decoded only when asked (a seal over the code: see reader._code_in_colour)


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a picture's header (JPEG, PNG; TIFF, BMP, WebP by Pillow), without decoding it: a small
    file can claim a huge picture and cost gigabytes to decode (a 4.7 MB TIFF of 20,000 px square took 0.9 GB).
    None when the header is not a picture's or is broken."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not data.startswith(b"\xff\xd8"):
        return _header_size(data)
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start-of-frame segment
            return int.from_bytes(data[i + 7:i + 9], "big"), int.from_bytes(data[i + 5:i + 7], "big")
        if length < 2:
            return None
        i += 2 + length
    return None


# Pillow's reader of each other kind of picture, by the bytes it starts with: opened directly, a reader reads the
# header only (Image.open would refuse a huge one before saying its size)
_HEADERS = ((b"II*\x00", "TiffImagePlugin", "TiffImageFile"), (b"MM\x00*", "TiffImagePlugin", "TiffImageFile"),
            (b"BM", "BmpImagePlugin", "BmpImageFile"), (b"RIFF", "WebPImagePlugin", "WebPImageFile"))


def _header_size(data: bytes) -> tuple[int, int] | None:
    """A TIFF's, BMP's or WebP's width and height from its header (Pillow's readers; no pixel decoded)."""
    import importlib
    import io
    import warnings

    for magic, module, reader in _HEADERS:
        if data.startswith(magic):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # a broken header's warnings: it is said unreadable anyway
                    plugin = importlib.import_module(f"PIL.{module}")
                    size = getattr(plugin, reader)(io.BytesIO(data)).size
            except Exception:  # any broken header: decoding it is left to OpenCV, which says why
                return None
            return int(size[0]), int(size[1])
    return None


def oversize(w: int, h: int) -> bool:
    """Whether a picture of w × h pixels is larger than any camera or scanner makes (MAX_IMAGE_PIXELS, _SIDE): a
    photo, a PDF page as drawn, a video's frames."""
    return w * h > MAX_IMAGE_PIXELS or max(w, h) > MAX_IMAGE_SIDE


def too_large(data: bytes, language: str = "en") -> str | None:
    """Why an image file must not be decoded, if it must not: a picture larger than any camera or scanner makes."""
    size = image_size(data)
    if size is not None and oversize(*size):
        return text("unreadable.too_large", language, w=size[0], h=size[1], mp=MAX_IMAGE_PIXELS // 1_000_000)
    return None


PHONE_FORMATS = {".heic", ".heif", ".avif", ".dng", ".raw", ".cr2", ".nef", ".arw"}  # taken, but not read here
# what operating systems and cameras leave in a folder: never a sheet
NOT_PHOTOS = {"thumbs.db", "desktop.ini", ".ds_store"}


def image_paths(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise SourceError(f"{folder}: no such folder of photos")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        if any(p.suffix.lower() in PHONE_FORMATS for p in folder.iterdir()):
            raise SourceError(f"{folder}: the photos here are HEIC or RAW, which are not read; save them as JPEG "
                              "(on an iPhone: Settings → Camera → Formats → Most Compatible)")
        raise SourceError(f"{folder}: no photos here (looked for {', '.join(sorted(IMAGE_SUFFIXES))})")
    return files


def skipped(folder: Path, language: str = "en") -> list[tuple[str, str]]:
    """What else is in a folder of photos, with why it is not read: a sheet photographed as HEIC, or put in a
    subfolder, is never skipped in silence. Hidden files and what the system leaves there are left out."""
    out = []
    for p in sorted(folder.iterdir()):
        name = p.name
        if name.startswith(".") or name.lower() in NOT_PHOTOS or (p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES):
            continue
        if p.is_dir():
            out.append((name, text("unreadable.subfolder", language)))
        elif p.suffix.lower() in PHONE_FORMATS:
            out.append((name, text("unreadable.phone_format", language, kind=p.suffix.lstrip(".").upper())))
        else:
            out.append((name, text("unreadable.not_photo", language,
                                   kinds=", ".join(s.lstrip(".") for s in sorted(IMAGE_SUFFIXES)))))
    return out


def images(folder: Path, language: str = "en") -> Iterator[Frame]:
    """The photos of a folder in name order; a file that must not or cannot be decoded says why in `language`."""
    for i, path in enumerate(image_paths(folder)):
        data = path.read_bytes()
        key = "file:" + hashlib.sha256(data).hexdigest()
        problem = too_large(data, language)
        if problem:
            yield Frame(None, path.name, i, key, problem)
            continue
        yield Frame(decode_photo(data), path.name, i, key, colour=functools.partial(decode_colour, data))


def decode_photo(data: bytes) -> np.ndarray | None:
    """A photo's grey picture as stored, or None when it cannot be decoded. Grey only: the reader works on grey, and
    decoding only a JPEG's grey plane is a third faster (5.5 vs 8.8 ms, 1080p). Its EXIF orientation is not applied:
    the page is found at any angle and rectified upright, and a phone's upright shot, stored turned with a tag
    saying so, need not be turned first (7 of 44 ms on a 12 MP photo, measured).

    A JPEG is decoded by simplejpeg (libjpeg-turbo, as OpenCV's own decoder): the same pixels, a fifth faster
    (measured on 120 webcam photos of 400 kB: 4.5 vs 5.5 ms each, every pixel equal). Whatever it refuses or fails on
    (a damaged file, a kind it does not know) goes to OpenCV as before, which decodes what it can of it."""
    if data.startswith(b"\xff\xd8"):
        try:
            return simplejpeg.decode_jpeg(data, colorspace="GRAY")[..., 0]
        except Exception:  # any failure of this faster decoder: OpenCV then decodes it, or says it cannot
            pass
    return _decode(data, cv2.IMREAD_GRAYSCALE)


def decode_colour(data: bytes) -> np.ndarray | None:
    """A photo's picture in colour (BGR), as `decode_photo` places it (its EXIF orientation not applied)."""
    return _decode(data, cv2.IMREAD_COLOR)


def _decode(data: bytes, mode: int) -> np.ndarray | None:
    try:
        return cv2.imdecode(np.frombuffer(data, np.uint8), mode | cv2.IMREAD_IGNORE_ORIENTATION)
    except cv2.error:  # e.g. a TIFF or WebP header past OpenCV's own pixel limit
        return None


def pdf(path: Path, dpi: int = 200, language: str = "en") -> Iterator[Frame]:
    """The pages of a PDF scan, drawn in grey at `dpi`. A page larger than any scanner makes (a poster, a hostile
    file: 5 m square would take 1.4 GB) or one that cannot be drawn is said why in `language`, never drawn."""
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
            name, key = f"page {i + 1}", f"pdf:{digest}:{i + 1}"
            try:
                page = doc[i]
                w, h = (math.ceil(v * dpi / 72) for v in page.get_size())
            except pdfium.PdfiumError:
                yield Frame(None, name, i, key, text("unreadable.decode", language))
                continue
            if oversize(w, h):
                yield Frame(None, name, i, key, text("unreadable.too_large", language, w=w, h=h,
                                                     mp=MAX_IMAGE_PIXELS // 1_000_000))
                continue
            # a page scanned in black and white stays so: drawn smoothly, its edges would become greys and the
            # reader could not tell it from a grey scan (it refuses black-and-white pictures: see
            # reader.BILEVEL_GREYS)
            try:
                image = page.render(scale=dpi / 72, grayscale=True,
                                    no_smoothimage=_bilevel_scan(page)).to_numpy().copy()
            except pdfium.PdfiumError:
                yield Frame(None, name, i, key, text("unreadable.decode", language))
                continue
            yield Frame(image, name, i, key)
    finally:
        doc.close()


BILEVEL_CODECS = {"CCITTFaxDecode", "JBIG2Decode"}  # compressions made for 1-bit scans only


def _bilevel_scan(page) -> bool:
    """Whether a PDF page is mostly a black-and-white (1 bit a pixel) scanned picture: its 1-bit images cover half
    of the page or more."""
    import pypdfium2 as pdfium

    covered = 0.0
    try:
        for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=3):
            one_bit = obj.get_metadata().bits_per_pixel == 1 or bool(BILEVEL_CODECS & set(obj.get_filters()))
            if one_bit:
                left, bottom, right, top = obj.get_bounds()
                covered += max(0.0, right - left) * max(0.0, top - bottom)
    except (pdfium.PdfiumError, ValueError, TypeError):  # an image that cannot be inspected: drawn as any other
        return False
    width, height = page.get_size()
    return covered >= 0.5 * width * height


def video(path: Path) -> Iterator[Frame]:
    if not path.is_file():
        raise SourceError(f"{path}: no such video file")
    _quiet_opencv()
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise SourceError(f"{path}: cannot be opened as a video")
    w, h = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    if oversize(w, h):  # each frame decoded would take w × h × 3 bytes
        capture.release()
        raise SourceError(f"{path}: its frames are {w}×{h} pixels, larger than any camera makes (at most "
                          f"{MAX_IMAGE_SIDE} pixels a side, {MAX_IMAGE_PIXELS // 1_000_000} megapixels)")
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


def camera_source(spec: str | int) -> int | str:
    """`--camera` as given: a device number (0 = the first camera) or a stream URL, as a phone's IP-camera app
    publishes it (http://…/video MJPEG, rtsp://…)."""
    text = str(spec).strip()
    if text.isdigit():
        return int(text)
    if text.lower().startswith(("http://", "https://", "rtsp://", "rtmp://")):
        return text
    raise SourceError(f'--camera "{text}" is neither a camera number (0, 1, …) nor a stream URL '
                      "(http://… or rtsp://… as a phone camera app shows it)")


def cameras_found(limit: int = 6) -> list[int]:
    """The camera numbers that open on this computer (looked for among the first few)."""
    found = []
    for i in range(limit):
        capture = cv2.VideoCapture(i)
        try:
            if capture.isOpened():
                found.append(i)
        finally:
            capture.release()
    return found


def camera(index: int | str, width: int = 1920, height: int = 1080) -> Iterator[Frame]:
    _quiet_opencv()
    index = camera_source(index)
    capture = cv2.VideoCapture(index)
    if not capture.isOpened():
        if isinstance(index, str):
            raise SourceError(f"the stream {index} cannot be opened; check that the phone and this laptop are on "
                              "the same network and the camera app is streaming")
        others = [i for i in cameras_found() if i != index]
        hint = (f"cameras found: {', '.join(map(str, others))}; use --camera {others[0]}" if others
                else "no camera was found: check the cable and close other camera programs")
        raise SourceError(f"camera {index} cannot be opened; {hint}")
    if isinstance(index, int):
        # A USB webcam sends 1920 x 1080 at 30 frames a second only as MJPEG: uncompressed, USB 2 carries 5 a second,
        # and many webcams then offer a lower resolution only. Asked before the size (the size is chosen within
        # the format); a camera without MJPEG keeps its own format.
        capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
    capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    try:
        i = 0
        while True:
            ok, image = capture.read()
            if not ok:
                if isinstance(index, str):  # a phone's stream ends when its app stops: the scan ends with it
                    return
                raise SourceError(f"camera {index} stopped sending pictures")
            yield Frame(image, f"frame {i}", i)
            i += 1
    finally:
        capture.release()

"""QR decoding on the rectified crop of the code's known position: zxing-cpp first, pyzbar as fallback.

Measured here on rectified crops (bench/bench_scan.py): zxing-cpp is the faster and more robust of the two,
so it is primary. pyzbar needs the system library libzbar0; scanning works without it.
"""

from __future__ import annotations

import functools

import numpy as np
import zxingcpp


@functools.lru_cache(maxsize=1)
def _pyzbar():
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError):  # libzbar0 missing: zxing-cpp alone
        return None
    return pyzbar


def decode_zxing(crop: np.ndarray) -> str | None:
    found = zxingcpp.read_barcodes(crop, formats=zxingcpp.BarcodeFormat.QRCode)
    return found[0].text if found else None


def decode_pyzbar(crop: np.ndarray) -> str | None:
    lib = _pyzbar()
    if lib is None:
        return None
    found = lib.decode(crop, symbols=[lib.ZBarSymbol.QRCODE])
    return found[0].data.decode("ascii", "replace") if found else None


def decode(crop: np.ndarray) -> str | None:
    return decode_zxing(crop) or decode_pyzbar(crop)


def pyzbar_available() -> bool:
    return _pyzbar() is not None


def find_codes(frame: np.ndarray, regions_mm: tuple[tuple[float, float, float, float], ...] = ()) -> list[str]:
    """Every QR text in a photo: the whole frame first (a phone photo has modules large enough); if that finds
    nothing, the page's corner markers are found and each known code region (mm) is read from the rectified crop."""
    import cv2

    from scanner.pagefinder import NoPage, find_page, rectify_region, to_gray

    gray = to_gray(frame) if frame.ndim == 3 else frame
    found = [r.text for r in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)]
    if found:
        return found
    lib = _pyzbar()
    if lib is not None:
        found = [c.data.decode("ascii", "replace") for c in lib.decode(gray, symbols=[lib.ZBarSymbol.QRCODE])]
        if found:
            return found
    fit = find_page(gray, max_error_mm=1.5, try_lens=False)
    if isinstance(fit, NoPage):
        return []
    out = []
    for x, y, w, h in regions_mm:
        crop = rectify_region(gray, fit, x - 4, y - 4, w + 8, h + 8, 8.0)
        text = decode(cv2.GaussianBlur(crop, (3, 3), 0)) or decode(crop)
        if text:
            out.append(text)
    return out

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

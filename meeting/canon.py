"""Canonical JSON and digests: the same data always gives the same bytes, so hashes and signatures hold."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

_PRIMITIVE = (str, int, bool, type(None))


def _plain(value: Any) -> Any:
    if type(value) in _PRIMITIVE:
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, dict):
        return {str(k): v if type(v) in _PRIMITIVE else _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        raise TypeError("floats are not canonical; use Decimal")
    return value


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text; Decimals as strings, bytes by their SHA-256."""
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")

"""A strict reader over parsed TOML: typed getters that know their key path and reject unknown keys."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from meeting.errors import DefinitionError

_MISSING: Any = object()
# entries of a list of tables: far beyond any meeting, well within what a sheet and a board can hold
LIMITS = {"posts": 100, "candidates": 500, "groups": 50, "rounds": 50, "criteria": 20, "questions": 200,
          "options": 10, "grades": 10, "levels": 10, "parts": 20}

_TYPE_NAMES = {
    str: "text in quotes",
    int: "a whole number",
    bool: "true or false",
    list: "a list [...]",
    dict: "a table",
    float: "a number",
    dt.date: "a date",
}


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f'"{shown}" (text)'
    if isinstance(value, int):
        return f"{value} (a whole number)"
    if isinstance(value, float):
        return f"{value} (a number)"
    return f"{value!s} ({type(value).__name__})"


class Table:
    """One TOML table at a key path, e.g. `rounds[2].criteria[1]` (list positions count from 1)."""

    def __init__(self, data: dict[str, Any], path: str, source: str) -> None:
        self.data = data
        self.path = path
        self.source = source
        self._seen: set[str] = set()

    # -- errors -----------------------------------------------------------------------------
    def key_path(self, key: str | None = None) -> str:
        if key is None:
            return self.path
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str | None, message: str) -> DefinitionError:
        return DefinitionError(self.source, self.key_path(key), message)

    # -- raw access -------------------------------------------------------------------------
    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, default: Any, expected: str) -> Any:
        self._seen.add(key)
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise self.error(key, f"is missing; add {key} = <{expected}>")
        return default

    def _wrong(self, key: str, value: object, expected: str) -> DefinitionError:
        return self.error(key, f"must be {expected}, not {_describe(value)}")

    # -- typed getters ----------------------------------------------------------------------
    def text(
        self,
        key: str,
        default: Any = _MISSING,
        *,
        pattern: str | None = None,
        hint: str = "",
        choices: Iterable[str] | None = None,
        max_len: int = 200,
    ) -> Any:
        value = self._get(key, default, "text")
        if value is default and key not in self.data:
            return value
        if not isinstance(value, str):
            raise self._wrong(key, value, "text in quotes")
        value = value.strip()
        if choices is not None:
            allowed = list(choices)
            if value not in allowed:
                raise self.error(key, f'"{value}" is not allowed; use one of: {", ".join(allowed)}')
            return value
        if not value:
            raise self.error(key, "is empty; write the text between the quotes")
        if len(value) > max_len:
            raise self.error(key, f"is {len(value)} characters long; at most {max_len} are allowed")
        if pattern and not re.fullmatch(pattern, value):
            raise self.error(key, f'"{value}" is not allowed: {hint}')
        return value

    def integer(self, key: str, default: Any = _MISSING, *, lo: int | None = None, hi: int | None = None) -> Any:
        value = self._get(key, default, "number")
        if value is default and key not in self.data:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._wrong(key, value, "a whole number")
        if lo is not None and value < lo:
            raise self.error(key, f"is {value}; it must be at least {lo}")
        if hi is not None and value > hi:
            raise self.error(key, f"is {value}; it must be at most {hi}")
        return value

    def decimal(
        self, key: str, default: Any = _MISSING, *, lo: Decimal | None = None, hi: Decimal | None = None,
        lo_open: bool = False,
    ) -> Any:
        value = self._get(key, default, "number")
        if value is default and key not in self.data:
            return value
        number = to_decimal(value)
        if number is None:
            raise self._wrong(key, value, "a number")
        if lo is not None and (number < lo or (lo_open and number == lo)):
            bound = "more than" if lo_open else "at least"
            raise self.error(key, f"is {number}; it must be {bound} {lo}")
        if hi is not None and number > hi:
            raise self.error(key, f"is {number}; it must be at most {hi}")
        return number

    def fraction(self, key: str, default: Any = _MISSING) -> Any:
        """A share between 0 and 1, written "1/3", 0.5 or "50%"."""
        value = self._get(key, default, "share")
        if value is default and key not in self.data:
            return value
        share: Fraction | None = None
        if isinstance(value, str):
            text = value.strip()
            try:
                share = Fraction(text[:-1].strip()) / 100 if text.endswith("%") else Fraction(text)
            except (ValueError, ZeroDivisionError):
                share = None
        elif isinstance(value, int | float) and not isinstance(value, bool):
            share = Fraction(str(value))
        if share is None:
            raise self._wrong(key, value, 'a share such as "1/3", "50%" or 0.5')
        if not 0 < share < 1:
            raise self.error(key, f"is {value}; it must be a share between 0 and 1, such as \"1/3\"")
        return share

    def boolean(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default, "true or false")
        if value is default and key not in self.data:
            return value
        if not isinstance(value, bool):
            raise self._wrong(key, value, "true or false")
        return value

    def date(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default, "a date like 2026-12-01")
        if value is default and key not in self.data:
            return value
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self._wrong(key, value, "a date written like 2026-12-01")

    def text_list(self, key: str, default: Any = _MISSING, *, allow_empty: bool = False) -> Any:
        value = self._get(key, default, 'a list like ["a", "b"]')
        if value is default and key not in self.data:
            return value
        if not isinstance(value, list):
            raise self._wrong(key, value, 'a list like ["a", "b"]')
        if not value and not allow_empty:
            raise self.error(key, "is an empty list; name at least one")
        items: list[str] = []
        for i, item in enumerate(value, start=1):
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{key}[{i}]", f"must be text in quotes, not {_describe(item)}")
            if item.strip() in items:
                raise self.error(f"{key}[{i}]", f'"{item.strip()}" is listed twice')
            items.append(item.strip())
        return tuple(items)

    def table(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default, "table")
        if value is default and key not in self.data:
            return value
        if not isinstance(value, dict):
            raise self._wrong(key, value, f"a table [{self.key_path(key)}]")
        return Table(value, self.key_path(key), self.source)

    def tables(self, key: str, *, required: bool = True) -> list[Table]:
        value = self._get(key, _MISSING if required else [], "list of tables")
        if not isinstance(value, list):
            raise self._wrong(key, value, f"a list of tables, written [[{self.key_path(key)}]]")
        if required and not value:
            raise self.error(key, f"is empty; add at least one [[{self.key_path(key)}]]")
        limit = LIMITS.get(key, 1000)
        if len(value) > limit:
            raise self.error(key, f"has {len(value)} entries; at most {limit} are allowed")
        out = []
        for i, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                raise self.error(f"{key}[{i}]", f"must be a table, not {_describe(item)}")
            out.append(Table(item, f"{self.key_path(key)}[{i}]", self.source))
        return out

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        return self._get(key, default, "value")

    def done(self) -> None:
        """Every key of the table must have been read: an unknown key is usually a typo."""
        for key in self.data:
            if key not in self._seen:
                close = difflib.get_close_matches(key, sorted(self._seen), n=1, cutoff=0.6)
                hint = f'; did you mean "{close[0]}"?' if close else (
                    f"; allowed here: {', '.join(sorted(self._seen))}" if self._seen else ""
                )
                raise self.error(key, f"is not a known setting{hint}")


def to_decimal(value: object) -> Decimal | None:
    """A TOML number or numeric text as an exact Decimal (floats through their shortest repr)."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, str):
            number = Decimal(value.strip())
        else:
            return None
    except InvalidOperation:
        return None
    return number if number.is_finite() else None

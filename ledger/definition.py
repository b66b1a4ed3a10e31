"""ledger.toml → Scheme, with the same strict reader as meeting.toml: one line naming the key for each mistake."""

from __future__ import annotations

import tomllib
from decimal import Decimal

from ledger.model import MEASURES, Category, Conversion, Level, Person, Scheme
from meeting.definition import decode
from meeting.errors import DefinitionError
from meeting.reader import Table

ID = r"[A-Za-z][A-Za-z0-9_-]{0,15}"
ID_HINT = "a short id: a letter, then letters, digits, - or _ (at most 16)"
GENDERS = {"男": "M", "m": "M", "M": "M", "女": "F", "f": "F", "F": "F", "": ""}


def load_text(content: str, source: str = "ledger.toml", *, require_id: bool = True) -> Scheme:
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(source, "", f"is not valid TOML: {exc}") from None
    return build(Table(data, "", source), require_id=require_id)


def load_bytes(raw: bytes, source: str = "ledger.toml", *, require_id: bool = True) -> Scheme:
    return load_text(decode(raw, source), source, require_id=require_id)


def _unique(tables: list[Table], make, what: str) -> list:
    items, seen = [], {}
    for t in tables:
        item = make(t)
        if item.id.upper() in seen:
            raise t.error("id", f'"{item.id}" is already used by {seen[item.id.upper()]}; every {what} needs its '
                                "own id")
        seen[item.id.upper()] = t.path
        items.append(item)
    return items


def _person(t: Table) -> Person:
    gender = t.text("gender", "", choices=list(GENDERS)) if t.has("gender") else ""
    person = Person(t.text("id", pattern=ID, hint=ID_HINT), t.text("name", max_len=40), t.text("unit", "") or "",
                    t.text("post", "") or "", GENDERS[gender], t.integer("birth_year", None, lo=1900, hi=2100),
                    t.text("education", "") or "")
    t.done()
    return person


def _category(t: Table) -> Category:
    category = Category(t.text("id", pattern=ID, hint=ID_HINT), t.text("name", max_len=40),
                        t.decimal("cap", None, lo=Decimal(0)), t.decimal("period_cap", None, lo=Decimal(0)),
                        t.decimal("weight", Decimal(1), lo=Decimal(0), lo_open=True), t.decimal("floor", None))
    t.done()
    return category


def _conversion(t: Table, categories: set[str]) -> Conversion:
    conversion = Conversion(t.text("id", pattern=ID, hint=ID_HINT), t.text("measure", choices=MEASURES),
                            t.text("category"), t.decimal("factor", Decimal(1)), t.text("round", "") or "")
    if conversion.category not in categories:
        raise t.error("category", f'"{conversion.category}" is not a category; known categories: '
                                  f"{', '.join(sorted(categories))}")
    t.done()
    return conversion


def _level(t: Table) -> Level:
    level = Level(t.text("name", max_len=20), t.decimal("at_least", None), t.decimal("below", None),
                  t.decimal("at_most_share", None, lo=Decimal(0), hi=Decimal(1)), t.boolean("otherwise", False))
    if level.otherwise and (level.at_least is not None or level.below is not None or level.at_most_share):
        raise t.error("otherwise", "a level with otherwise = true takes no conditions; remove them")
    if not level.otherwise and level.at_least is None and level.below is None and level.at_most_share is None:
        raise t.error(None, "a level needs at_least, below or at_most_share (or otherwise = true)")
    t.done()
    return level


def build(root: Table, *, require_id: bool = True) -> Scheme:
    info = root.table("ledger")
    scheme_id = info.text("id", None, pattern=r"[A-Z0-9]{8}", hint="8 letters or digits (`tallykit ledger init` "
                                                                     "writes one)")
    if scheme_id is None and require_id:
        raise info.error("id", 'is missing; `tallykit ledger init` writes one, or add id = "ABCD1234"')
    title = info.text("title", max_len=120)
    year = info.integer("year", lo=2000, hi=2100)
    language = info.text("language", "zh", choices=("zh", "en"))
    decimals = info.integer("decimals", 1, lo=0, hi=4)
    notice_days = info.integer("notice_days", 5, lo=1, hi=60)
    objections = info.text("objections", "") or ""
    info.done()
    people = _unique(root.tables("people"), _person, "person")
    categories = _unique(root.tables("categories"), _category, "category")
    known = {c.id for c in categories}
    conversions = _unique(root.tables("conversions", required=False), lambda t: _conversion(t, known),
                          "conversion")
    levels = [_level(t) for t in root.tables("levels", required=False)]
    if sum(lv.otherwise for lv in levels) > 1:
        raise root.error("levels", "only one level may be otherwise = true")
    root.done()
    return Scheme(scheme_id or "", title, year, language, decimals, tuple(people), tuple(categories),
                  tuple(conversions), tuple(levels), notice_days, objections)

"""The ledger's domain: a scheme (people, categories with caps and weights, conversions from sealed meetings,
levels) and its entries. Frozen dataclasses; points are exact Decimals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Measure = Literal["composite", "rating_points", "judge_mean", "vote_share", "satisfaction"]
MEASURES: tuple[str, ...] = ("composite", "rating_points", "judge_mean", "vote_share", "satisfaction")


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    unit: str = ""  # village or office
    post: str = ""
    gender: str = ""  # M | F | ""
    birth_year: int | None = None
    education: str = ""


@dataclass(frozen=True)
class Category:
    """An indicator (指标): what its points count for, at most `cap` a year and `period_cap` a quarter."""

    id: str
    name: str
    cap: Decimal | None = None  # points a year at most (e.g. 遵守纪律 400)
    period_cap: Decimal | None = None  # points a quarter at most
    weight: Decimal = Decimal(1)  # the category's weight in the total (四级联评: one per evaluating level)
    floor: Decimal | None = None  # deductions never take the category below this (e.g. 0)


@dataclass(frozen=True)
class Conversion:
    """How a sealed meeting's result becomes a category's points: the candidate's `measure` × `factor`."""

    id: str
    measure: Measure
    category: str
    factor: Decimal = Decimal(1)
    round: str = ""  # the meeting's round to take (rating_points, judge_mean, vote_share); "" = the only one


@dataclass(frozen=True)
class Level:
    """A year-end level: given to people whose total is at least `at_least` (and below `below`), at most
    `at_most_share` of all people, best first; a tie that would cross that share gets none of it."""

    name: str
    at_least: Decimal | None = None
    below: Decimal | None = None
    at_most_share: Decimal | None = None
    otherwise: bool = False


@dataclass(frozen=True)
class Scheme:
    id: str
    title: str
    year: int
    language: str
    decimals: int
    people: tuple[Person, ...]
    categories: tuple[Category, ...]
    conversions: tuple[Conversion, ...] = ()
    levels: tuple[Level, ...] = ()
    notice_days: int = 5  # 公示期
    objections: str = ""  # where to raise objections during the 公示

    def person(self, pid: str) -> Person:
        return next(p for p in self.people if p.id == pid)

    def category(self, cid: str) -> Category:
        return next(c for c in self.categories if c.id == cid)


@dataclass(frozen=True)
class Entry:
    """One 加分/扣分 event: never edited; a correction is a new entry reversing this one (`reverses`)."""

    id: int
    person: str
    category: str
    date: dt.date
    points: Decimal
    source: str  # "hand", "sheet:<file>", "bundle:<digest>"
    operator: str
    reason: str
    reverses: int | None = None

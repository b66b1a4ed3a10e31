"""The ledger's arithmetic: pure, exact (Decimal), no I/O; the same entries always give the same standings.

Per person and category, entries count in the quarter of their date (within the scheme's year). A quarter's
points are held to the category's `period_cap`; the year's running sum to its `cap` (and never below its
`floor`). What a cap cut is kept and shown, never silently dropped. A reversed entry and its reversal count for
nothing. A person's total is the weighted sum of their categories; it is rounded half-up once, to the scheme's
decimals, and people are ranked on that published number: equal totals share a rank (1, 1, 3). Levels are
given best first: a level capped to a share of people never splits a tie — a tie that would cross the share
gets none of that level, and the note says so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from ledger.model import Category, Entry, Scheme

ZERO = Decimal(0)


def quarter(date: dt.date) -> int:
    return (date.month - 1) // 3 + 1


def half_up(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    """One person's points in one category, year to date (through the summary's last quarter)."""

    category: str
    raw: Decimal  # the entries' sum
    counted: Decimal  # after the caps and the floor
    quarter: Decimal  # counted in the summary's own quarter (the year-to-date increase)
    cut: Decimal  # raw - counted where a cap held points back (0 otherwise)
    by_quarter: tuple[Decimal, ...]  # counted per quarter 1..4, after caps


@dataclass(frozen=True)
class Standing:
    person: str
    exact: Decimal  # weighted total, exact
    total: Decimal  # as published: half-up once at the scheme's decimals
    quarter: Decimal  # the weighted points of the summary's own quarter, published the same way
    rank: int
    tied: bool
    level: str | None
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Summary:
    year: int
    through: int  # quarters 1..through are in; a year-end ranking has through = 4
    standings: tuple[Standing, ...]  # best first
    notes: tuple[str, ...]  # what the caps cut, ties at a level's share, reversed entries


def effective(entries: Iterable[Entry], year: int) -> list[Entry]:
    """The entries that count: this year's, without reversed entries and their reversals."""
    entries = list(entries)
    reversed_ids = {e.reverses for e in entries if e.reverses is not None}
    return [e for e in entries if e.date.year == year and e.reverses is None and e.id not in reversed_ids]


def _category_line(cat: Category, by_q: dict[int, Decimal], through: int) -> Line:
    raw_q = [by_q.get(q, ZERO) for q in range(1, 5)]
    counted_q = [min(v, cat.period_cap) if cat.period_cap is not None else v for v in raw_q]
    running, capped = ZERO, []
    for v in counted_q:  # the year's running sum, held to the cap and the floor
        running += v
        c = min(running, cat.cap) if cat.cap is not None else running
        capped.append(max(c, cat.floor) if cat.floor is not None else c)
    increments = tuple(capped[i] - (capped[i - 1] if i else ZERO) for i in range(4))
    raw = sum(raw_q[:through], ZERO)
    counted = capped[through - 1]
    previous = capped[through - 2] if through > 1 else ZERO
    return Line(cat.id, raw, counted, counted - previous, max(raw - counted, ZERO), increments)


def summary(scheme: Scheme, entries: Iterable[Entry], through: int = 4) -> Summary:
    """Standings for quarters 1..`through` of the scheme's year (一季一汇总: through = that quarter)."""
    if not 1 <= through <= 4:
        raise ValueError("through is a quarter, 1 to 4")
    points: dict[tuple[str, str], dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for e in effective(entries, scheme.year):
        points[(e.person, e.category)][quarter(e.date)] += e.points
    notes: list[str] = []
    rows = []
    for person in scheme.people:
        lines = tuple(_category_line(c, points.get((person.id, c.id), {}), through) for c in scheme.categories)
        exact = sum((scheme.category(ln.category).weight * ln.counted for ln in lines), ZERO)
        this_quarter = sum((scheme.category(ln.category).weight * ln.quarter for ln in lines), ZERO)
        for ln in lines:
            if ln.cut:
                notes.append(f"cap:{person.id}:{ln.category}:{ln.cut}")
        rows.append((person.id, exact, half_up(exact, scheme.decimals), half_up(this_quarter, scheme.decimals),
                     lines))
    totals = [r[2] for r in rows]
    ranked = sorted(rows, key=lambda r: (-r[2], r[0]))
    levels = _levels(scheme, [(r[0], r[2]) for r in ranked], notes) if through == 4 else {}
    standings = tuple(Standing(pid, exact, total, q, 1 + sum(t > total for t in totals), totals.count(total) > 1,
                               levels.get(pid), lines) for pid, exact, total, q, lines in ranked)
    return Summary(scheme.year, through, standings, tuple(notes))


def _levels(scheme: Scheme, ranked: list[tuple[str, Decimal]], notes: list[str]) -> dict[str, str]:
    """Each person's year-end level, by the scheme's rules in their order (see the module's docstring)."""
    given: dict[str, str] = {}
    n = len(ranked)
    for level in scheme.levels:
        if level.otherwise:
            for pid, _ in ranked:
                given.setdefault(pid, level.name)
            continue
        fits = [(pid, t) for pid, t in ranked if pid not in given
                and (level.at_least is None or t >= level.at_least) and (level.below is None or t < level.below)]
        if level.at_most_share is not None:
            limit = int((level.at_most_share * n).to_integral_value(rounding=ROUND_FLOOR))
            if fits and limit == 0:  # the share of this few people is less than one person
                notes.append(f"level_none:{level.name}:{level.at_most_share}:{n}")
            if len(fits) > limit:
                edge = fits[limit][1]  # the first total that does not fit in the share
                kept = [(pid, t) for pid, t in fits[:limit] if t != edge]
                if len(kept) < limit:
                    notes.append(f"level_tie:{level.name}:{edge}")
                fits = kept
        for pid, _ in fits:
            given[pid] = level.name
    return given

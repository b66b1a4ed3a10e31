"""A spreadsheet of entries (the month's 签到 record, a 加分 list): every row checked before any is recorded.

Columns, by their header (Chinese or English, any order): 人员/person (id or name), 项目/category (id or name),
日期/date, 分值/points, 原因/reason. A bad row stops the whole import with one line naming the row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ledger.model import Scheme
from meeting.errors import TallyError
from tally.compute import normalise_name

HEADERS = {
    "person": ("人员", "姓名", "person", "name"),
    "category": ("项目", "考核项目", "指标", "category"),
    "date": ("日期", "date"),
    "points": ("分值", "分数", "积分", "points"),
    "reason": ("原因", "事由", "reason"),
}
MAX_ROWS = 20_000
MAX_BYTES = 20 * 1024 * 1024


class SheetError(TallyError):
    exit_code = 2


@dataclass(frozen=True)
class SheetRow:
    row: int
    person: str
    category: str
    date: dt.date
    points: Decimal
    reason: str


def _cells(path: Path) -> list[list[object]]:
    if not path.is_file():
        raise SheetError(f"{path}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise SheetError(f"{path}: larger than {MAX_BYTES // 1024 // 1024} MB; split it")
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise SheetError(f"{path}: cannot be read as an XLSX workbook ({type(exc).__name__})") from None
        return [list(r) for r in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)]
    if path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise SheetError(f"{path}: is neither UTF-8 nor GBK text")
        return [list(r) for r in csv.reader(io.StringIO(text))][: MAX_ROWS + 1]
    raise SheetError(f"{path}: give an .xlsx or .csv file")


def _key(text: object) -> str:
    """A cell or a name as compared: one spelling (tally's normalise_name), any letter case."""
    return normalise_name(str(text or "")).lower()


def read_sheet(path: Path, scheme: Scheme) -> list[SheetRow]:
    """Every row as an entry for this scheme, or a SheetError naming the first bad row and column."""
    cells = _cells(path)
    if not cells:
        raise SheetError(f"{path}: is empty")
    header = [_key(h) for h in cells[0]]
    where: dict[str, int] = {}
    for field, names in HEADERS.items():
        found = [i for i, h in enumerate(header) if h in {_key(n) for n in names}]
        if not found:
            raise SheetError(f"{path}: no column {names[0]} ({'/'.join(names[1:])}) in the first row")
        where[field] = found[0]
    people = {_key(p.id): p.id for p in scheme.people} | {_key(p.name): p.id for p in scheme.people}
    doubles = {_key(p.name) for p in scheme.people if [q.name for q in scheme.people].count(p.name) > 1}
    categories = {_key(c.id): c.id for c in scheme.categories} | {_key(c.name): c.id for c in scheme.categories}
    rows = []
    for n, raw in enumerate(cells[1:], start=2):
        if all(_key(v) == "" for v in raw):
            continue
        value = {f: (raw[i] if i < len(raw) else None) for f, i in where.items()}

        def bad(field: str, problem: str, n: int = n) -> SheetError:
            return SheetError(f"{path.name}: row {n}, {HEADERS[field][0]}: {problem}; nothing was imported")

        who = _key(value["person"])
        if who in doubles:
            raise bad("person", f'"{value["person"]}" names two people; use the person\'s id')
        if who not in people:
            raise bad("person", f'"{value["person"]}" is not a person of this ledger')
        if _key(value["category"]) not in categories:
            raise bad("category", f'"{value["category"]}" is not a category of this ledger')
        day = value["date"]
        if isinstance(day, dt.datetime):
            day = day.date()
        if not isinstance(day, dt.date):
            try:
                day = dt.date.fromisoformat(str(day).strip().replace("/", "-"))
            except ValueError:
                raise bad("date", f'"{value["date"]}" is not a date; write it like 2027-03-15') from None
        if day.year != scheme.year:
            raise bad("date", f"{day} is not in {scheme.year}, the year of this ledger")
        try:
            points = Decimal(str(value["points"]).strip())
        except InvalidOperation:
            raise bad("points", f'"{value["points"]}" is not a number') from None
        if not points.is_finite() or abs(points) > 100000:
            raise bad("points", f'"{value["points"]}" is out of range')
        reason = str(value["reason"] or "").strip()
        if not reason:
            raise bad("reason", "is empty; say why")
        rows.append(SheetRow(n, people[who], categories[_key(value["category"])], day, points, reason[:200]))
    if len(cells) > MAX_ROWS + 1:
        raise SheetError(f"{path}: more than {MAX_ROWS} rows; split it")
    if not rows:
        raise SheetError(f"{path}: has no entries under its header row")
    return rows

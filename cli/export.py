"""Writing results to CSV, JSON and XLSX files, each written whole or not at all."""

from __future__ import annotations

import csv
import io
import os
import re
from decimal import Decimal
from pathlib import Path

from archive.results import Cell, CountShare, Many, Num, cells, group_cells, invalid_lines, notes, round_title, to_json
from meeting.lang import text
from meeting.model import Meeting
from tally.model import Results


def _safe(name: str) -> str:
    """A file name part: no path or shell-special characters."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_")[:60] or "sheet"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_export(meeting: Meeting, results: Results, fmt: str, out: Path, bom: bool) -> list[Path]:
    encoding = "utf-8-sig" if bom else "utf-8"
    lang = meeting.language
    loud = {rnd.id: invalid_lines(meeting, results, rnd.id) for rnd in meeting.rounds}
    typed = cells(meeting, results)
    sheets: dict[str, list[list[Cell]]] = {text("ballot_counts", lang): group_cells(meeting, results)}
    for title, rows in typed.items():
        rnd = next((r for r in meeting.rounds if round_title(r) == title), None)
        lines = loud.get(rnd.id, []) if rnd is not None else []
        sheets[title] = [*[[line] for line in lines], *rows] if lines else rows
    stem = f"{meeting.info.id}-results"
    if fmt == "json":
        path = out if out.suffix == ".json" else out / f"{stem}.json"
        _atomic_write(path, to_json(meeting, results).encode(encoding))
        return [path]
    if fmt == "csv":
        paths = []
        for name, rows in sheets.items():
            buf = io.StringIO()
            csv.writer(buf).writerows([[str(c) for c in row] for row in rows])
            path = out / f"{stem}-{_safe(name)}.csv"
            _atomic_write(path, buf.getvalue().encode(encoding))
            paths.append(path)
        lines = notes(meeting, results)
        if lines:
            path = out / f"{stem}-{_safe(text('notes', lang))}.csv"
            _atomic_write(path, "\n".join(lines).encode(encoding) + b"\n")
            paths.append(path)
        return paths
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for name, rows in sheets.items():
        _sheet(book, _sheet_title(name, used), rows, meeting.info.decimals)
    lines = notes(meeting, results)
    if lines:
        ws = book.create_sheet(_sheet_title(text("notes", lang), used))
        for line in lines:
            ws.append([line])
        ws.column_dimensions["A"].width = 100
    path = out if out.suffix == ".xlsx" else out / f"{stem}.xlsx"
    buf = io.BytesIO()
    book.save(buf)
    _atomic_write(path, buf.getvalue())
    return [path]


_BAD_TITLE = re.compile(r"[\\/:*?\[\]]")


def _sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique worksheet title: none of \\ / : * ? [ ], not blank, not quoted, at most 31 characters."""
    base = _BAD_TITLE.sub("_", name).strip().strip("'")[:31] or "sheet"
    title, n = base, 1
    while title.lower() in used:
        n += 1
        title = f"{base[:31 - len(str(n)) - 1]}_{n}"
    used.add(title.lower())
    return title


def _sheet(book, title: str, rows: list[list[Cell]], decimals: int) -> None:
    """One table: a loud line first when the round cannot stand; then the header row; every number a number
    with its format (79.70 shows 79.70, shares as %); votes-and-share cells as two columns, judges one each."""
    from openpyxl.styles import Font

    ws = book.create_sheet(title)
    loud = 0
    while loud < len(rows) and len(rows[loud]) == 1 and len(rows) > loud + 1 and len(rows[loud + 1]) > 1:
        ws.append([str(rows[loud][0])])
        ws.cell(ws.max_row, 1).font = Font(bold=True, color="C00000")
        loud += 1
    header, body = rows[loud], rows[loud + 1:]
    spans = []  # per column: how many spreadsheet columns it takes
    for i in range(len(header)):
        column = [r[i] for r in body if i < len(r)]
        if any(isinstance(c, CountShare) for c in column):
            spans.append(2)
        elif any(isinstance(c, Many) for c in column):
            spans.append(max((len(c.values) for c in column if isinstance(c, Many)), default=1) or 1)
        else:
            spans.append(1)
    heads: list[str] = []
    for i, h in enumerate(header):
        if spans[i] == 1 and not any(isinstance(r[i], Many) for r in body if i < len(r)):
            heads.append(str(h))
        elif any(isinstance(r[i], CountShare) for r in body if i < len(r)):
            heads += [str(h), f"{h} %"]
        else:
            heads += [f"{h} {n}" for n in range(1, spans[i] + 1)]
    ws.append(heads)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in body:
        out: list[tuple[object, str | None]] = []
        for i, c in enumerate(row):
            span = spans[i] if i < len(spans) else 1
            if isinstance(c, CountShare):
                out += [(c.count, "0"), (float(c.share), "0.0%")]
            elif isinstance(c, Many):
                out += [(float(v), _fmt(1)) for v in c.values] + [(None, None)] * (span - len(c.values))
            elif isinstance(c, Num):
                value = c.number()
                out.append((None if value is None else (float(value) if isinstance(value, Decimal) else value),
                            ("0." + "0" * (c.places + 2) + "%" if c.places else "0%") if c.percent
                            else _fmt(c.places)))
            else:
                out += [(c, None)] + [(None, None)] * (span - 1)
        ws.append([v for v, _ in out])
        for col, (_, number_format) in enumerate(out, start=1):
            if number_format:
                ws.cell(ws.max_row, col).number_format = number_format
    for column in ws.columns:
        width = max(len(str(c.value if c.value is not None else "")) for c in column[loud:] or column)
        ws.column_dimensions[column[0].column_letter].width = min(50, 4 + width * 1.6)


def _fmt(places: int) -> str:
    return "0." + "0" * places if places else "0"

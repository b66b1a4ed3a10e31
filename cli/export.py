"""Writing results to CSV, JSON and XLSX files, each written whole or not at all."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

from board.results import group_rows, notes, tables, to_json
from meeting.model import Meeting
from tally.model import Results


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_")[:60] or "sheet"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_export(meeting: Meeting, results: Results, fmt: str, out: Path, bom: bool) -> list[Path]:
    encoding = "utf-8-sig" if bom else "utf-8"
    sheets = {"ballots": group_rows(meeting, results), **tables(meeting, results)}
    stem = f"{meeting.info.id}-results"
    if fmt == "json":
        path = out if out.suffix == ".json" else out / f"{stem}.json"
        _atomic_write(path, to_json(meeting, results).encode(encoding))
        return [path]
    if fmt == "csv":
        paths = []
        for name, rows in sheets.items():
            buf = io.StringIO()
            csv.writer(buf).writerows(rows)
            path = out / f"{stem}-{_safe(name)}.csv"
            _atomic_write(path, buf.getvalue().encode(encoding))
            paths.append(path)
        return paths
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(_safe(name)[:31])
        for row in rows:
            ws.append([_cell(v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for column in ws.columns:
            width = max(len(str(c.value or "")) for c in column)
            ws.column_dimensions[column[0].column_letter].width = min(50, 4 + width * 1.6)
    lines = notes(meeting, results)
    if lines:
        ws = book.create_sheet("notes")
        for line in lines:
            ws.append([line])
    path = out if out.suffix == ".xlsx" else out / f"{stem}.xlsx"
    buf = io.BytesIO()
    book.save(buf)
    _atomic_write(path, buf.getvalue())
    return [path]


def _cell(value: str):
    """Numbers as numbers in a spreadsheet; everything else as text."""
    try:
        if re.fullmatch(r"-?\d+(\.\d+)?", value):
            return float(value) if "." in value else int(value)
    except (TypeError, ValueError):
        pass
    return value

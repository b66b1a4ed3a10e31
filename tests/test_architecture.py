"""DESIGN §2: data flows one way, and imports follow it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ("meeting", "ballots", "scanner", "tally", "archive", "ledger", "board", "cli", "templates")
# room -> the project rooms it may import
ALLOWED = {
    "meeting": set(),
    "templates": set(),
    "ballots": {"meeting"},
    "scanner": {"ballots", "meeting"},
    "tally": {"meeting"},
    "archive": {"meeting", "ballots", "scanner", "tally"},  # above the tally, below the live server
    "ledger": {"meeting", "ballots", "tally", "archive"},  # beside the archive: reads bundles, keeps its own store
    "board": {"meeting", "ballots", "scanner", "tally", "archive", "ledger", "templates"},
    "cli": {"meeting", "ballots", "scanner", "tally", "archive", "ledger", "board", "templates"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(ROOMS)


@pytest.mark.parametrize("room", ROOMS)
def test_room_imports_only_what_design_allows(room):
    for path in (ROOT / room).rglob("*.py"):
        extra = _imports(path) - ALLOWED[room] - {room}
        assert not extra, f"{path.relative_to(ROOT)} imports {sorted(extra)}"


def test_only_the_stores_touch_sqlite():
    for room in ROOMS:
        if room in ("meeting", "ledger"):  # the meeting's store, and the ledger's own
            continue
        for path in (ROOT / room).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
            assert not names & {"sqlite3", "sqlite_utils"}, f"{path.relative_to(ROOT)} touches SQLite"

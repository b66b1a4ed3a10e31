"""Rows as the store keeps them (plain dicts, passed in) → the tally's input types. No I/O here."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from tally.model import Count, Manual, Sheet

DECISIONS = ("accept", "correct", "void", "duplicate")


def sheets(readings: Iterable[dict[str, Any]], decisions: Iterable[dict[str, Any]]) -> list[Sheet]:
    """Each reading as the count sees it: the latest review decision on it wins."""
    latest: dict[int, dict[str, Any]] = {}
    for d in sorted(decisions, key=lambda d: d["id"]):
        latest[d["reading_id"]] = d
    out = []
    for r in readings:
        result = json.loads(r["marks"])["result"]
        names: tuple[tuple[str, int, str], ...] = ()
        decision = latest.get(r["id"])
        if decision is None:
            state = "counted" if r["status"] == "counted" else "pending"
        elif decision["decision"] in ("accept", "correct"):
            state = "counted"
            corrected = json.loads(decision["corrected"]) if decision.get("corrected") else {}
            if decision["decision"] == "correct" and "result" in corrected:
                result = corrected["result"]
            names = _names(corrected.get("write_in_names"))
        elif decision["decision"] == "void":
            state = "void"
        else:
            state = "excluded"
        out.append(Sheet(r["round_id"], r["group_id"], r["page"], r["serial"], state, result, names))
    return out


def manual(rows: Iterable[dict[str, Any]]) -> list[Manual]:
    return [Manual(r["round_id"], r["candidate_id"], Decimal(r["value"]), r["operator"], r["id"]) for r in rows]


def counts(rows: Iterable[Any]) -> dict[tuple[str, str], Count]:
    """From the store's BallotCount values (round_id, group_id, issued, returned)."""
    return {(c.round_id, c.group_id): Count(c.issued, c.returned) for c in rows}


def _names(entries: Any) -> tuple[tuple[str, int, str], ...]:
    """Write-in names as a review decision stored them; an entry the count cannot use is left out (the server
    refuses such entries; this keeps a damaged store from stopping the count)."""
    out = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, list | tuple) and len(entry) == 3 and isinstance(entry[2], str):
            try:
                out.append((str(entry[0]), int(entry[1]), entry[2]))
            except (TypeError, ValueError):
                continue
    return tuple(out)

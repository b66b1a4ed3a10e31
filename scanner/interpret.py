"""Interpretation: box states → what the sheet says, per round kind, and every doubt as a named reason.

A reading with any reason goes to the review queue instead of the count. Reasons are `code` or
`code:subject` (e.g. `overvote:ZR`, `marginal:C03/agree`), codes from REASONS.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ballots.geometry import Layout, Page
from meeting.model import Round, ScoreSpec, SurveySpec, VoteSpec
from scanner.marks import BoxInk, PageInk

ZONE_INK = 0.01  # a handwriting zone with more ink than this has something written in it

REASONS = {
    "marginal": "a mark too faint or too small to be sure of, or beside its box",
    "overvote": "more marks than allowed",
    "undervote": "a candidate with no option marked",
    "blank": "nothing marked on the sheet",
    "write_in": "a write-in: a person must read and type the name",
    "two_digits": "two digits marked in one column of a score",
    "score_missing": "a criterion without a score",
    "score_incomplete": "a score with the tens or the units missing",
    "over_max": "a score above the criterion's maximum",
    "possible_rescan": "this sheet's ink matches a sheet already counted",
    "conflict": "this numbered sheet was read before with different marks",
    "struck": "a mark crossed out (a correction): a person reads what the voter meant",
    "print_line": "a straight line runs across the whole sheet through marked boxes (a printer's or scanner's streak)",
    "seal": "a round seal is stamped over marked boxes: a person decides which marks are the voter's",
    "line_through": "a straight line runs through marked boxes and on out of them (a line drawn through a "
                    "candidate's row or across the ballot, or a printer's streak): a person decides",
}


@dataclass(frozen=True)
class Interpretation:
    result: dict[str, Any]
    reasons: tuple[str, ...]

    def signature(self) -> tuple[str, tuple[str, ...]]:
        import json

        return json.dumps(self.result, sort_keys=True, ensure_ascii=False), self.reasons


STATES = ("empty", "marginal", "marked", "struck")


def from_states(rnd: Round, layout: Layout, page: Page, states: dict[str, str],
                zones: dict[str, float] | None = None, fills: dict[str, float] | None = None) -> Interpretation:
    """What a sheet says from its box states (and the ink in its handwriting zones) alone: the same rules as a
    sheet read here. Used for a station's post (the server interprets, it never takes a station's result) and by
    `verify`, which recomputes every stored reading's result."""
    boxes = {b.id: BoxInk((fills or {}).get(b.id, 0.0), 0.0, 0.0, states[b.id]) for b in page.boxes}
    return interpret(rnd, layout, page, PageInk(boxes, {z.id: (zones or {}).get(z.id, 0.0) for z in page.zones}, 0.0))


def interpret(rnd: Round, layout: Layout, page: Page, ink: PageInk) -> Interpretation:
    # first: the operator sees it (a dirty scanner sends every sheet to a person; a line drawn across is the voter's)
    # (a seal's ring and name make lines too: it is said first)
    reasons: list[str] = (["seal"] if ink.sealed else []) + (["print_line"] if ink.lines else []) + \
        (["line_through"] if ink.drawn else [])
    for b in page.boxes:
        if ink.boxes[b.id].state == "marginal":
            reasons.append(f"marginal:{b.id}")
        elif ink.boxes[b.id].state == "struck":  # crossed out: the voter's intent is for a person to read
            reasons.append(f"struck:{b.id}")
    marked = {b.id for b in page.boxes if ink.boxes[b.id].state == "marked"}
    spec = rnd.spec
    if isinstance(spec, VoteSpec):
        result = _vote(spec, page, ink, marked, reasons)
    elif layout.form == "rating":
        result = _rating(page, marked, reasons)
    elif isinstance(spec, SurveySpec):
        result = _survey(spec, page, ink, marked, reasons)
    elif isinstance(spec, ScoreSpec):
        result = _score(spec, page, ink, reasons)
    else:  # pragma: no cover - layouts exist only for paper rounds
        raise ValueError(f"round {rnd.id} has no paper form")
    if not marked and not any(r.startswith(("marginal", "struck")) for r in reasons) and not any(
        v > ZONE_INK for k, v in ink.zones.items() if not k.startswith("signature")
    ):
        reasons = ["blank"]  # one reason says it all: nothing on the sheet
    return Interpretation(result, tuple(dict.fromkeys(reasons)))


def _vote(spec: VoteSpec, page: Page, ink: PageInk, marked: set[str], reasons: list[str]) -> dict[str, Any]:
    by_candidate: dict[str, list[str]] = defaultdict(list)
    section_of: dict[str, str] = {}
    write_ins = []
    for b in page.boxes:
        if b.mark.kind == "option":
            section_of[b.mark.candidate] = b.mark.section
            if b.id in marked:
                by_candidate[b.mark.candidate].append(b.mark.option)
            else:
                by_candidate.setdefault(b.mark.candidate, [])
    first = spec.options[0].id
    votes: dict[str, str | None] = {}
    count: dict[str, int] = defaultdict(int)
    for cid, chosen in by_candidate.items():
        if len(chosen) > 1:
            reasons.append(f"overvote:{cid}")
        elif not chosen and spec.mode == "approve" and not any(
            r.startswith(f"marginal:{cid}/") for r in reasons
        ):
            reasons.append(f"undervote:{cid}")
        votes[cid] = chosen[0] if len(chosen) == 1 else None
        if first in chosen:
            count[section_of[cid]] += 1
    for b in page.boxes:
        if b.mark.kind != "write_in":
            continue
        zone = f"{b.mark.section}/W{b.mark.row}/name"
        written = ink.zones.get(zone, 0.0) > ZONE_INK
        ticked = b.id in marked
        if written or ticked:
            reasons.append(f"write_in:{b.mark.section}/W{b.mark.row}")
            write_ins.append({"section": b.mark.section, "row": b.mark.row, "ticked": ticked, "written": written})
        if ticked:
            count[b.mark.section] += 1
    limits = {s.post: s.max_choices for s in spec.sections}
    for section, n in count.items():
        if n > limits[section]:
            reasons.append(f"overvote:{section}")
    return {"votes": votes, "write_ins": write_ins, "counts": dict(count)}


def _rating(page: Page, marked: set[str], reasons: list[str]) -> dict[str, Any]:
    grades: dict[str, list[str]] = defaultdict(list)
    for b in page.boxes:
        grades.setdefault(b.mark.candidate, [])
        if b.id in marked:
            grades[b.mark.candidate].append(b.mark.option)
    out: dict[str, str | None] = {}
    for cid, chosen in grades.items():
        if len(chosen) > 1:
            reasons.append(f"overvote:{cid}")
        elif not chosen and not any(r.startswith(f"marginal:{cid}/") for r in reasons):
            reasons.append(f"undervote:{cid}")
        out[cid] = chosen[0] if len(chosen) == 1 else None
    return {"grades": out}


def _survey(spec: SurveySpec, page: Page, ink: PageInk, marked: set[str], reasons: list[str]) -> dict[str, Any]:
    questions = {q.id: q for q in spec.questions}
    answers: dict[str, list[str]] = defaultdict(list)
    for b in page.boxes:
        answers.setdefault(b.mark.question, [])
        if b.id in marked:
            answers[b.mark.question].append(b.mark.option)
    for qid, chosen in answers.items():
        if len(chosen) > questions[qid].max_choices:
            reasons.append(f"overvote:{qid}")
    texts = {z.question: ink.zones.get(z.id, 0.0) > ZONE_INK for z in page.zones if z.kind == "free_text"}
    return {"answers": dict(answers), "comments": texts}


def _score(spec: ScoreSpec, page: Page, ink: PageInk, reasons: list[str]) -> dict[str, Any]:
    criteria = {c.id: c for c in spec.criteria}
    grid: dict[tuple[str, str], dict[str, list[int]]] = {}
    for b in page.boxes:
        cell = grid.setdefault((b.mark.candidate, b.mark.criterion), {"tens": [], "units": [], "half": [],
                                                                        "has_tens": []})
        if b.mark.place == "tens":
            cell["has_tens"] = [1]
        if ink.boxes[b.id].state == "marked":
            cell[b.mark.place].append(b.mark.digit)
    scores: dict[str, dict[str, str | None]] = defaultdict(dict)
    for (cid, crit), cell in grid.items():
        subject = f"{cid}/{crit}"
        value: Decimal | None = None
        if len(cell["tens"]) > 1 or len(cell["units"]) > 1:
            reasons.append(f"two_digits:{subject}")
        elif not cell["tens"] and not cell["units"] and not cell["half"]:
            if not any(r.startswith(f"marginal:{subject}/") for r in reasons):
                reasons.append(f"score_missing:{subject}")
        elif (cell["has_tens"] and not cell["tens"]) or not cell["units"]:
            reasons.append(f"score_incomplete:{subject}")
        else:
            tens = cell["tens"][0] if cell["tens"] else 0
            value = Decimal(tens * 10 + cell["units"][0]) + (Decimal("0.5") if cell["half"] else 0)
            if value > criteria[crit].max:
                reasons.append(f"over_max:{subject}")
                value = None
        scores[cid][crit] = None if value is None else f"{value}"
    return {"scores": dict(scores)}

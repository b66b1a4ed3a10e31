"""From a sealed meeting's results to ledger points: which person each candidate is, and what a conversion
makes of their result. Pure: the caller verified the bundle and hands over its meeting and results.

A candidate is a ledger person when the meeting file says so (`person = "P01"` on the candidate), when the
operator maps them (`--map C01=P01`), or when exactly one person has the same name (spaces and full-width
forms ignored) and no differing birth year. Any doubt — two people of that name, or a birth year that differs —
stops the import with the candidates to map by hand: a result is never given to a guessed person.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledger.model import Conversion, Scheme
from meeting.errors import TallyError
from meeting.model import Meeting
from tally.compute import normalise_name
from tally.model import RatingResult, Results, ScoreResult, SurveyResult, VoteResult


class LedgerImportError(TallyError):
    exit_code = 1


def match_people(scheme: Scheme, meeting: Meeting, mapped: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """candidate id → person id, and the candidates that are no ledger person (reported, not imported)."""
    people = {p.id: p for p in scheme.people}
    by_name: dict[str, list[str]] = {}
    for p in scheme.people:
        by_name.setdefault(normalise_name(p.name), []).append(p.id)
    out, outside, doubts = {}, [], []
    for c in meeting.candidates:
        pid = mapped.get(c.id) or c.person
        if pid:
            if pid not in people:
                raise LedgerImportError(f'candidate {c.id} {c.name} is mapped to "{pid}", not a person of this ledger')
            out[c.id] = pid
            continue
        same = by_name.get(normalise_name(c.name), [])
        if c.birth_year is not None:
            same = [p for p in same if people[p].birth_year in (None, c.birth_year)]
        if len(same) == 1:
            out[c.id] = same[0]
        elif len(same) > 1:
            doubts.append(f"{c.id} {c.name} (could be {', '.join(same)})")
        elif by_name.get(normalise_name(c.name)):
            doubts.append(f"{c.id} {c.name} (same name, another birth year)")
        else:
            outside.append(f"{c.id} {c.name}")
    if doubts:
        raise LedgerImportError("not sure who is who: " + "; ".join(doubts) + "; map them with --map CANDIDATE=PERSON")
    taken: dict[str, str] = {}
    for cid, pid in out.items():
        if pid in taken:
            raise LedgerImportError(f"candidates {taken[pid]} and {cid} are both person {pid}; map them with --map")
        taken[pid] = cid
    return out, outside


@dataclass(frozen=True)
class Converted:
    person: str
    candidate: str  # "" for a survey's satisfaction
    value: Decimal  # the meeting's number
    points: Decimal  # value × factor


def convert(conversion: Conversion, meeting: Meeting, results: Results, sealed: set[str], people: dict[str, str],
            survey_person: str = "") -> list[Converted]:
    """The points a conversion gives each matched person from the sealed results."""
    measure, factor = conversion.measure, conversion.factor
    if measure == "composite":
        if meeting.composite is None or not results.ranking:
            raise LedgerImportError("the meeting has no composite result (a part is missing or invalid)")
        if any(p.round not in sealed for p in meeting.composite.parts):
            raise LedgerImportError("not every part of the composite is sealed; seal them before importing")
        values = {r.candidate_id: r.composite for r in results.ranking}
    else:
        kinds = {"rating_points": RatingResult, "judge_mean": ScoreResult, "vote_share": VoteResult,
                 "satisfaction": SurveyResult}
        wanted = kinds[measure]
        rounds = [r for rid, r in results.rounds.items() if isinstance(r, wanted)
                  and (not conversion.round or rid == conversion.round)]
        if len(rounds) != 1:
            which = f"round {conversion.round}" if conversion.round else f"one {measure} round"
            raise LedgerImportError(f"the meeting has {len(rounds)} rounds for {which}; set round = … in the "
                               f"conversion {conversion.id}")
        res = rounds[0]
        if res.round_id not in sealed:
            raise LedgerImportError(f"round {res.round_id} is not sealed in this bundle; seal it before importing")
        if getattr(res, "void", False):
            raise LedgerImportError(f"round {res.round_id} is void (选举无效 or 测评无效); its result gives no points")
        if isinstance(res, SurveyResult):
            if res.satisfaction is None:
                raise LedgerImportError(f"round {res.round_id} has no satisfaction yet")
            person = survey_person or (next(iter(people.values())) if len(people) == 1 else "")
            if not person:
                raise LedgerImportError("a survey's satisfaction is about one person: give --person P01")
            return [Converted(person, "", res.satisfaction, res.satisfaction * factor)]
        if isinstance(res, RatingResult):
            values = {c.candidate_id: c.points for c in res.candidates}
        elif isinstance(res, ScoreResult):
            values = {c.candidate_id: c.trimmed_mean for c in res.candidates if c.trimmed_mean is not None}
        else:
            values = {c.candidate_id: c.share for c in res.candidates if not c.write_in}
    return [Converted(people[cid], cid, value, value * factor) for cid, value in values.items() if cid in people]

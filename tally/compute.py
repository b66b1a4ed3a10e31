"""Pure counting: sheets + manual entries + ballot counts + the meeting's rules → results. No I/O, no clock:
the same inputs always give the same results, so results can be recomputed from the archive and checked."""

from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from meeting.model import (
    ManualSpec,
    Meeting,
    RatingSpec,
    Round,
    ScoreSpec,
    SurveySpec,
    VoteSection,
    VoteSpec,
)
from tally.model import (
    WRITE_IN,
    CandidateRating,
    CandidateScore,
    CandidateVotes,
    Cohort,
    Count,
    GroupCounts,
    Invalid,
    Manual,
    ManualResult,
    QuestionResult,
    Ranked,
    RatingResult,
    Results,
    RoundResult,
    ScoreResult,
    Sheet,
    SurveyResult,
    VoteResult,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
COLLEGE = ("大专", "本科", "大学", "研究生", "硕士", "博士", "college", "bachelor", "master", "doctor")


def half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_exact(value: Fraction, places: int) -> Decimal:
    """An exact value rounded half-up (四舍五入) once: 79.875 → 79.88, 40.5 → 41 at 0 places."""
    scaled = value * 10 ** places
    n = math.floor(scaled + Fraction(1, 2)) if scaled >= 0 else -math.floor(-scaled + Fraction(1, 2))
    return Decimal(n).scaleb(-places)


def as_decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def normalise_name(name: str) -> str:
    """One spelling per written-in person: full-width letters and digits to half-width (NFKC), no spaces of any
    width, so 李四, 李 四 and 李\u3000四 are one person."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def person_name(meeting: Meeting, candidate_id: str) -> str:
    """A listed candidate's name, or the name of a person written in (另选他人)."""
    if candidate_id.startswith(WRITE_IN):
        return candidate_id[len(WRITE_IN):]
    return meeting.candidate(candidate_id).name


def _share(part: int | Decimal, whole: int | Decimal) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else ZERO


def _ballots(sheets: Iterable[Sheet], rnd: Round, groups: Sequence[str] | None = None) -> list[Sheet]:
    wanted = set(groups) if groups else set(rnd.groups)
    return [s for s in sheets if s.round_id == rnd.id and s.group_id in wanted and s.state != "excluded"]


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _is_blank(result: dict) -> bool:
    for key in ("votes", "grades"):
        if any(v for v in _dict(result.get(key)).values()):
            return False
    if any(isinstance(w, dict) and w.get("ticked") for w in _list(result.get("write_ins"))):
        return False
    if any(v for v in _dict(result.get("answers")).values()):
        return False
    return not any(v for c in _dict(result.get("scores")).values() for v in _dict(c).values())


def group_counts(meeting: Meeting, rnd: Round, sheets: list[Sheet], counts: dict[tuple[str, str], Count],
                 invalid: Counter | None = None) -> tuple[GroupCounts, ...]:
    """Expected / issued / returned / read / valid / void / blank / pending per group, from page 1 of sheets."""
    out = []
    for gid in rnd.groups:
        first = [s for s in sheets if s.group_id == gid and s.page == 1]
        pending = sum(s.state == "pending" for s in first)
        void = sum(s.state == "void" for s in first) + (invalid or Counter())[gid]
        read = len(first)
        blank = sum(s.state == "counted" and _is_blank(s.result) for s in first)
        count = counts.get((rnd.id, gid), Count(0, None))
        returned = count.returned if count.returned is not None else read
        out.append(GroupCounts(gid, meeting.group(gid).expected, count.issued, returned, read,
                               read - void - pending, void, blank, pending,
                               count.issued > 0 and returned > count.issued, count.returned is not None))
    return tuple(out)


def validity(groups: Sequence[GroupCounts], quorum: str, quorum_share: Fraction) -> tuple[Invalid, ...]:
    """Why a round's count cannot stand, if it cannot: more returned than issued (per group), more sheets read
    than returned (a conflict), or not more than `quorum_share` of the registered voters voting (选举无效)."""
    out = [Invalid("returned_over_issued", g.group_id, g.returned, g.issued) for g in groups if g.vote_void]
    out += [Invalid("read_over_returned", g.group_id, g.read, g.returned) for g in groups
            if g.returned_recorded and g.read > g.returned]
    started = any(g.returned_recorded or g.read for g in groups)  # before any ballot: waiting, not invalid
    if quorum == "registered" and groups and started:
        voted, registered = sum(g.returned for g in groups), sum(g.expected for g in groups)
        if not voted * quorum_share.denominator > quorum_share.numerator * registered:
            out.append(Invalid("below_quorum", None, voted, registered,
                               provisional=not all(g.returned_recorded for g in groups)))
    return tuple(out)


# -- vote ---------------------------------------------------------------------------------------------
def vote(meeting: Meeting, rnd: Round, sheets: Iterable[Sheet], counts: dict[tuple[str, str], Count],
         groups: Sequence[str] | None = None) -> VoteResult:
    spec = rnd.spec
    assert isinstance(spec, VoteSpec)
    ballots = _ballots(sheets, rnd, groups)
    first = spec.options[0].id
    option_ids = {o.id for o in spec.options}
    limits = {s.post: s for s in spec.sections}
    section_of = {c: s.post for s in spec.sections for c in s.candidates}
    listed_by_name = {s.post: {normalise_name(meeting.candidate(c).name): c for c in s.candidates}
                      for s in spec.sections}
    name_of = {c: normalise_name(meeting.candidate(c).name) for c in section_of}
    tallies: dict[str, dict[str, Counter]] = {s.post: {c: Counter() for c in s.candidates} for s in spec.sections}
    invalid_ballots: Counter = Counter()  # ballots voided by the overvote rule, per group
    chosen_on: list[dict[str, set[str]]] = []  # cross-post rule: per ballot, section → people given the first option
    for sheet in ballots:
        if sheet.state != "counted":
            continue
        names = {(sec, row): normalise_name(name) for sec, row, name in sheet.write_in_names if isinstance(name, str)}
        per_section: dict[str, dict[str, str]] = defaultdict(dict)
        for cid, option in _dict(sheet.result.get("votes")).items():
            if option in option_ids and cid in section_of:
                per_section[section_of[cid]][cid] = option
        written: dict[str, list[str]] = defaultdict(list)
        for w in _list(sheet.result.get("write_ins")):
            if not isinstance(w, dict) or w.get("section") not in limits:
                continue
            sec = w["section"]
            name = names.get((sec, w.get("row")))
            if not name or not (w.get("ticked") or not spec.write_in_needs_mark):
                continue
            person = listed_by_name[sec].get(name, WRITE_IN + name)
            if person in per_section[sec] or person in written[sec]:
                continue  # the same person twice on one ballot counts once (a listed row already marked wins)
            written[sec].append(person)
        over = [sec for sec in limits
                if sum(opt == first for opt in per_section[sec].values()) + len(written[sec]) > limits[sec].max_choices]
        if over and spec.overvote == "ballot":
            if sheet.page == 1:
                invalid_ballots[sheet.group_id] += 1
            continue
        chosen: dict[str, set[str]] = defaultdict(set)
        for sec in limits:
            if sec in over:
                continue
            for cid, option in per_section[sec].items():
                tallies[sec][cid][option] += 1
                if option == first:
                    chosen[sec].add(name_of[cid])
            for person in written[sec]:
                tallies[sec].setdefault(person, Counter())[first] += 1
                chosen[sec].add(name_of.get(person, person[len(WRITE_IN):]))
        if spec.cross_post:
            chosen_on.append(chosen)
    gc = tuple(g for g in group_counts(meeting, rnd, ballots, counts, invalid_ballots)
               if not groups or g.group_id in groups)
    base = {
        "registered": sum(g.expected for g in gc),
        "issued": sum(g.issued for g in gc),
        "returned": sum(g.returned for g in gc),
        "valid": sum(g.valid for g in gc),
    }[spec.majority_base]
    flaws = validity(gc, spec.quorum, spec.quorum_share)
    void = bool(flaws)
    candidates: list[CandidateVotes] = []
    unfilled: dict[str, int] = {}
    rerun: dict[str, tuple[str, ...]] = {}
    reasons: dict[str, str] = {}
    write_ins: dict[str, dict[str, int]] = {}
    not_elected: dict[str, str] = {}  # cross-post: a person's name → the section where they were not elected
    elected_all: set[str] = set()
    for section in spec.sections:
        people = tallies[section.post]
        if spec.cross_post and not_elected:
            _carry(section, people, chosen_on, not_elected, listed_by_name[section.post], first)
        paper = {c: i for i, c in enumerate(section.candidates)}
        votes = {c: people[c][first] for c in people}
        ordered = sorted(people, key=lambda c: (-votes[c], paper.get(c, len(paper)), c))
        elected: set[str] = set()
        tied: set[str] = set()
        k = section.max_choices
        if not void:
            eligible = [c for c in ordered if _eligible(votes[c], base, spec)]
            if len(eligible) > k and votes[eligible[k - 1]] == votes[eligible[k]]:
                line = votes[eligible[k - 1]]
                tied = {c for c in eligible if votes[c] == line}
                elected = {c for c in eligible if votes[c] > line}
            else:
                elected = set(eligible[:k])
        elected_all |= elected
        for c in ordered:
            options = {o.id: people[c][o.id] for o in spec.options}
            candidates.append(CandidateVotes(c, section.post, options, _share(options[first], base), c in elected,
                                             c in tied, c[len(WRITE_IN):] if c.startswith(WRITE_IN) else None))
        written_here = {c[len(WRITE_IN):]: votes[c] for c in ordered if c.startswith(WRITE_IN)}
        if written_here:
            write_ins[section.post] = written_here
        if spec.cross_post:
            for c in ordered:
                if c not in elected and votes[c]:
                    not_elected[normalise_name(person_name(meeting, c))] = section.post
        left = k - len(elected)
        if void or not left:
            continue
        unfilled[section.post] = left
        if tied:
            rerun[section.post] = tuple(c for c in ordered if c in tied)
            reasons[section.post] = "tie"
            continue
        rest = [c for c in ordered if c not in elected and votes[c] > 0]
        size = spec.rerun_list_size(left)
        if len(rest) > size:
            line = votes[rest[size - 1]]
            rest = [c for c in rest if votes[c] >= line]  # everyone tied at the cut-off is on the list
        rerun[section.post] = tuple(rest)
        reasons[section.post] = "unfilled"
    no_woman = spec.women and not void and bool(elected_all) and not any(
        meeting.candidate(c).gender == "F" for c in elected_all if not c.startswith(WRITE_IN))
    return VoteResult(rnd.id, gc, base, tuple(candidates), write_ins, unfilled, rerun, void, flaws, reasons,
                      no_woman)


def _carry(section: VoteSection, people: dict[str, Counter], chosen_on: list[dict[str, set[str]]],
           not_elected: dict[str, str], listed: dict[str, str], first: str) -> None:
    """跨职位计票: a person not elected on a higher post has the ballots that chose them there counted for them on
    this post too; a ballot that chose the same person on both posts counts once."""
    for name, higher in not_elected.items():
        extra = 0
        for chosen in chosen_on:
            here = chosen.setdefault(section.post, set())
            if name not in here and name in chosen.get(higher, ()):
                extra += 1
                here.add(name)
        if extra:
            people.setdefault(listed.get(name, WRITE_IN + name), Counter())[first] += extra


def vote_line(spec: VoteSpec, base: int) -> int:
    """The fewest votes that can elect: more than half of the base (过半数), or in a re-run (另行选举) at least
    rerun_min_share of it (e.g. ⅓, rounded up)."""
    if spec.rerun and spec.rerun_min_share is not None:
        share = spec.rerun_min_share
        return -(-base * share.numerator // share.denominator)
    return base // 2 + 1


def _eligible(votes: int, base: int, spec: VoteSpec) -> bool:
    return base > 0 and votes > 0 and votes >= vote_line(spec, base)


# -- rating --------------------------------------------------------------------------------------------
def rating(meeting: Meeting, rnd: Round, sheets: Iterable[Sheet], counts: dict[tuple[str, str], Count],
           groups: Sequence[str] | None = None) -> RatingResult:
    spec = rnd.spec
    assert isinstance(spec, RatingSpec)
    ballots = _ballots(sheets, rnd, groups)
    tallies: dict[str, Counter] = {c: Counter() for c in rnd.candidates}
    grade_ids = {g.id for g in spec.grades}
    for sheet in ballots:
        if sheet.state == "counted":
            for cid, grade in _dict(sheet.result.get("grades")).items():
                if grade in grade_ids and cid in tallies:
                    tallies[cid][grade] += 1
    gc = tuple(g for g in group_counts(meeting, rnd, ballots, counts) if not groups or g.group_id in groups)
    flaws = validity(gc, spec.quorum, spec.quorum_share)
    valid = sum(g.valid for g in gc)
    out = []
    for cid in rnd.candidates:
        c = {g.id: tallies[cid][g.id] for g in spec.grades}
        graded = sum(c.values())
        points = rating_points(spec, c, valid)
        level = None
        if not flaws:
            for rule in spec.levels:
                if all(cond.holds(sum(c[g] for g in cond.grades), valid) for cond in rule.conditions):
                    level = rule.name
                    break
        out.append(CandidateRating(cid, c, {g: _share(n, valid) for g, n in c.items()},
                                   as_decimal(points) if points is not None else ZERO, level, max(0, valid - graded)))
    return RatingResult(rnd.id, gc, tuple(out), bool(flaws), flaws)


def rating_points(spec: RatingSpec, counts: dict[str, int], valid: int) -> Fraction | None:
    """Σ(grade points × votes) over the ballots that graded the candidate (ungraded = "abstain": 弃权 left out)
    or over every valid ballot (ungraded = "zero"). None when there is nothing to divide by."""
    total = sum((Fraction(g.points or 0) * counts[g.id] for g in spec.grades), Fraction(0))
    whole = sum(counts.values()) if spec.ungraded == "abstain" else valid
    return total / whole if whole > 0 else None


# -- score ---------------------------------------------------------------------------------------------
def score(meeting: Meeting, rnd: Round, sheets: Iterable[Sheet], counts: dict[tuple[str, str], Count]) -> ScoreResult:
    spec = rnd.spec
    assert isinstance(spec, ScoreSpec)
    ballots = _ballots(sheets, rnd)
    by_judge: dict[tuple[str, str], dict[str, dict[str, object]]] = defaultdict(dict)
    for sheet in ballots:
        if sheet.state != "counted":
            continue
        judge = (sheet.group_id, sheet.serial or f"page-{id(sheet)}")
        for cid, crits in _dict(sheet.result.get("scores")).items():
            by_judge[judge].setdefault(cid, {}).update(_dict(crits))
    criteria = [c.id for c in spec.criteria]
    tops = {c.id: c.max for c in spec.criteria}
    judges = sorted(by_judge, key=lambda j: (j[0], _serial_key(j[1])))
    out = []
    for cid in rnd.candidates:
        totals: list[Decimal] = []
        incomplete: list[str] = []
        per_criterion: dict[str, list[Decimal]] = defaultdict(list)
        for judge in judges:
            if cid not in by_judge[judge]:
                continue  # this judge's page with the candidate is not read (yet)
            values = {k: v for k, v in ((k, _score_value(by_judge[judge][cid].get(k), tops[k])) for k in criteria)
                      if v is not None}
            for k, v in values.items():
                per_criterion[k].append(v)
            if len(values) == len(criteria):
                totals.append(sum(values.values(), ZERO))
                continue
            incomplete.append(judge[1])
            if spec.incomplete == "zero":
                totals.append(sum(values.values(), ZERO))
        trimmed, dropped = _trimmed_mean(totals, spec, len(judges))
        out.append(CandidateScore(
            cid, tuple(totals), max(totals) if totals else None, min(totals) if totals else None,
            sum(totals, ZERO), as_decimal(trimmed) if trimmed is not None else None,
            {k: sum(per_criterion[k], ZERO) / len(per_criterion[k]) for k in criteria if per_criterion[k]}, dropped,
            tuple(incomplete)))
    return ScoreResult(rnd.id, group_counts(meeting, rnd, ballots, counts), tuple(out), spec.max_total)


def _score_value(value: object, top: Decimal) -> Decimal | None:
    """A criterion's score as stored: a number from 0 to the criterion's max; anything else is no score."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    try:
        number = Decimal(value)
    except (ArithmeticError, ValueError):
        return None
    return number if number.is_finite() and 0 <= number <= top else None


def _serial_key(serial: str) -> tuple[int, str]:
    return (int(serial), serial) if serial.isdigit() else (1 << 30, serial)


def _trimmed_mean(totals: list[Decimal], spec: ScoreSpec, judges: int) -> tuple[Fraction | None, int]:
    """去掉最高分和最低分: drop trim_high highest and trim_low lowest when at least trim_min_judges judges scored
    the round (one rule for every candidate, even one a judge left incomplete), while some total is left."""
    if not totals:
        return None, 0
    trim = judges >= spec.trim_min_judges and len(totals) > spec.trim_low + spec.trim_high
    return _kept_mean(totals, spec, trim), spec.trim_low + spec.trim_high if trim else 0


def _kept_mean(totals: Sequence[Decimal], spec: ScoreSpec, trim: bool) -> Fraction:
    """The exact mean of the judge totals the trim rule keeps."""
    ordered = sorted(totals)
    kept = ordered[spec.trim_low: len(ordered) - spec.trim_high] if trim else ordered
    return sum((Fraction(k) for k in kept), Fraction(0)) / len(kept)


# -- survey --------------------------------------------------------------------------------------------
def survey(meeting: Meeting, rnd: Round, sheets: Iterable[Sheet], counts: dict[tuple[str, str], Count]) -> SurveyResult:
    spec = rnd.spec
    assert isinstance(spec, SurveySpec)
    ballots = _ballots(sheets, rnd)
    tallies: dict[str, Counter] = {q.id: Counter() for q in spec.questions}
    known = {q.id: {o.id for o in q.options} for q in spec.questions}
    answered: Counter = Counter()
    comments = 0
    for sheet in ballots:
        if sheet.state != "counted":
            continue
        for qid, chosen in _dict(sheet.result.get("answers")).items():
            picked = [o for o in dict.fromkeys(_list(chosen)) if isinstance(o, str) and o in known.get(qid, ())]
            if picked:
                answered[qid] += 1
                tallies[qid].update(picked)
        comments += any(_dict(sheet.result.get("comments")).values())
    satisfied_names = set(spec.satisfied)
    out = []
    sat_total = ans_total = 0
    for q in spec.questions:
        if q.type == "text":
            continue
        c = {o.id: tallies[q.id][o.id] for o in q.options}
        sat_ids = {o.id for o in q.options if o.name in satisfied_names}
        sat = sum(c[o] for o in sat_ids) if q.type != "multi" else 0
        rate = _share(sat, answered[q.id]) if sat_ids and q.type != "multi" else None
        if rate is not None:
            sat_total += sat
            ans_total += answered[q.id]
        out.append(QuestionResult(q.id, c, answered[q.id], {o: _share(n, answered[q.id]) for o, n in c.items()}, rate))
    gc = group_counts(meeting, rnd, ballots, counts)
    flaws = validity(gc, spec.quorum, spec.quorum_share)
    return SurveyResult(rnd.id, gc, tuple(out), _share(sat_total, ans_total) if ans_total else None, comments,
                        bool(flaws), flaws)


# -- manual --------------------------------------------------------------------------------------------
def manual(rnd: Round, entries: Iterable[Manual]) -> ManualResult:
    spec = rnd.spec
    assert isinstance(spec, ManualSpec)
    latest: dict[str, Manual] = {}
    for e in sorted((e for e in entries if e.round_id == rnd.id), key=lambda e: e.seq):
        latest[e.candidate_id] = e
    return ManualResult(rnd.id, {c: e.value for c, e in latest.items()}, {c: e.operator for c, e in latest.items()},
                        spec.max)


# -- composite and ranking ----------------------------------------------------------------------------------
def part_fractions(meeting: Meeting, rnd: Round, result: RoundResult, group_result: RoundResult | None = None
                   ) -> dict[str, Fraction]:
    """A round brought to a 100-point scale per candidate, exactly: the stated rule for each kind. Nothing for
    a round whose count cannot stand (void, below quorum, a conflict)."""
    r = group_result or result
    if getattr(r, "void", False):
        return {}
    if isinstance(r, ScoreResult):
        spec = rnd.spec
        assert isinstance(spec, ScoreSpec)
        out = {}
        for c in r.candidates:
            if c.judges:
                out[c.candidate_id] = _kept_mean(c.judges, spec, bool(c.dropped)) / Fraction(r.max_total) * 100
        return out
    if isinstance(r, VoteResult):
        spec = rnd.spec
        assert isinstance(spec, VoteSpec)
        valid = sum(g.valid for g in r.groups)
        first = spec.options[0].id
        return {c.candidate_id: Fraction(c.options[first] * 100, valid) for c in r.candidates} if valid else {}
    if isinstance(r, RatingResult):
        spec = rnd.spec
        assert isinstance(spec, RatingSpec)
        top = max(Fraction(g.points or 0) for g in spec.grades)
        valid = sum(g.valid for g in r.groups)
        if not valid or not top:
            return {}
        out = {}
        for c in r.candidates:
            points = rating_points(spec, c.counts, valid)
            if points is not None:
                out[c.candidate_id] = points / top * 100
        return out
    if isinstance(r, ManualResult):
        return {c: Fraction(v) / Fraction(r.max) * 100 for c, v in r.values.items()}
    return {}


def part_values(meeting: Meeting, rnd: Round, result: RoundResult, group_result: RoundResult | None = None
                ) -> dict[str, Decimal]:
    """`part_fractions` as Decimals, for showing."""
    return {c: as_decimal(v) for c, v in part_fractions(meeting, rnd, result, group_result).items()}


def tally(meeting: Meeting, sheets: Sequence[Sheet], entries: Sequence[Manual],
          counts: dict[tuple[str, str], Count]) -> Results:
    rounds: dict[str, RoundResult] = {}
    notes: list[str] = []
    for rnd in meeting.rounds:
        if rnd.kind == "vote":
            rounds[rnd.id] = vote(meeting, rnd, sheets, counts)
        elif rnd.kind == "rating":
            rounds[rnd.id] = rating(meeting, rnd, sheets, counts)
        elif rnd.kind == "score":
            rounds[rnd.id] = score(meeting, rnd, sheets, counts)
        elif rnd.kind == "survey":
            rounds[rnd.id] = survey(meeting, rnd, sheets, counts)
        else:
            rounds[rnd.id] = manual(rnd, entries)
        result = rounds[rnd.id]
        for flaw in getattr(result, "invalid", ()):
            notes.append(f"invalid:{rnd.id}/{flaw.group or '*'}:{flaw.kind}:{flaw.got}/{flaw.limit}")
        for g in getattr(result, "groups", ()):
            if g.vote_void:
                notes.append(f"void:{rnd.id}/{g.group_id}:{g.returned}>{g.issued}")
            if g.pending:
                notes.append(f"pending:{rnd.id}/{g.group_id}:{g.pending}")
        if isinstance(result, VoteResult):
            notes += [f"tie:{rnd.id}/{c.candidate_id}" for c in result.candidates if c.tie]
            if result.no_woman:
                notes.append(f"no_woman:{rnd.id}")
        if isinstance(result, ScoreResult):
            notes += [f"incomplete:{rnd.id}/{c.candidate_id}/{j}" for c in result.candidates for j in c.incomplete]
    ranking, missing = _rank(meeting, sheets, counts, rounds)
    notes += [f"tie:composite/{r.candidate_id}" for r in ranking if r.tied]
    return Results(rounds, ranking, missing, cohort(meeting, _selected(meeting, rounds, ranking)), tuple(notes))


def _rank(meeting: Meeting, sheets: Sequence[Sheet], counts: dict[tuple[str, str], Count],
          rounds: dict[str, RoundResult]) -> tuple[tuple[Ranked, ...], tuple[str, ...]]:
    """The composite, exact, rounded half-up once; ranked within each post (each post selects its own seats, e.g.
    一职双备: 2 per post). Ties share a rank (1, 2, 2, 4); a tie across a post's last seat selects none of them."""
    composite = meeting.composite
    if composite is None:
        return (), ()
    values: dict[str, dict[str, Fraction]] = {}
    missing = []
    for p in composite.parts:
        rnd = meeting.round(p.round)
        label = f"{p.round}/{p.group}" if p.group else p.round
        sub = None
        if p.group and rnd.kind == "vote":
            sub = vote(meeting, rnd, sheets, counts, [p.group])
        elif p.group and rnd.kind == "rating":
            sub = rating(meeting, rnd, sheets, counts, [p.group])
        v = part_fractions(meeting, rnd, rounds[p.round], sub)
        if getattr(rounds[p.round], "void", False) or any(c not in v for c in rnd.candidates):
            missing.append(label)
        values[label] = v
    if missing:
        return (), tuple(missing)
    labels = [f"{p.round}/{p.group}" if p.group else p.round for p in composite.parts]
    candidates = meeting.round(composite.parts[0].round).candidates
    d = meeting.info.decimals
    scored = []
    for c in candidates:
        exact = sum((values[label][c] * Fraction(p.weight) / 100
                     for label, p in zip(labels, composite.parts, strict=True)), Fraction(0))
        breaks = tuple(round_exact(values[_label_for(composite, r)][c], d) for r in composite.tie_break)
        scored.append((c, {label: as_decimal(values[label][c]) for label in labels}, round_exact(exact, d), breaks))
    ranked = []
    for post in meeting.posts:
        here = [s for s in scored if meeting.candidate(s[0]).post == post.id]
        here.sort(key=lambda s: (s[2], s[3]), reverse=True)
        for c, parts, rounded, breaks in here:
            key = (rounded, breaks)
            same = sum(1 for s in here if (s[2], s[3]) == key)
            rank = 1 + sum(1 for s in here if (s[2], s[3]) > key)
            selected = rank + same - 1 <= post.seats  # the whole tied group fits within the seats
            ranked.append(Ranked(c, parts, rounded, rank, same > 1, post.id, selected))
    return tuple(ranked), ()


def _label_for(composite, round_id: str) -> str:
    p = next(p for p in composite.parts if p.round == round_id)
    return f"{p.round}/{p.group}" if p.group else p.round


def _selected(meeting: Meeting, rounds: dict[str, RoundResult], ranking: tuple[Ranked, ...]) -> list[str]:
    if ranking:
        return [r.candidate_id for r in ranking if r.selected]
    elected = [c.candidate_id for r in rounds.values() if isinstance(r, VoteResult) for c in r.candidates
               if c.elected and not c.write_in]
    return list(dict.fromkeys(elected))


def cohort(meeting: Meeting, selected: Sequence[str]) -> Cohort | None:
    """Who was selected, in the numbers the seeds report: 平均年龄, 大专及以上学历, 女性, background."""
    if not selected:
        return None
    people = [meeting.candidate(c) for c in selected]
    ages = [Decimal(meeting.info.date.year - p.birth_year) for p in people if p.birth_year]
    return Cohort(
        count=len(people),
        average_age=half_up(sum(ages, ZERO) / len(ages), 1) if ages else None,
        college_or_above=sum(1 for p in people if p.education and any(k in p.education.lower() for k in COLLEGE)),
        women=sum(1 for p in people if p.gender == "F"),
        backgrounds=dict(Counter(p.background for p in people if p.background)),
    )

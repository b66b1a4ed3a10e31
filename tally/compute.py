"""Pure counting: sheets + manual entries + ballot counts + the meeting's rules → results. No I/O, no clock:
the same inputs always give the same results, so results can be recomputed from the archive and checked."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from meeting.model import (
    ManualSpec,
    Meeting,
    RatingSpec,
    Round,
    ScoreSpec,
    SurveySpec,
    VoteSpec,
)
from tally.model import (
    CandidateRating,
    CandidateScore,
    CandidateVotes,
    Cohort,
    Count,
    GroupCounts,
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


def _share(part: int | Decimal, whole: int | Decimal) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else ZERO


def _ballots(sheets: Iterable[Sheet], rnd: Round, groups: Sequence[str] | None = None) -> list[Sheet]:
    wanted = set(groups) if groups else set(rnd.groups)
    return [s for s in sheets if s.round_id == rnd.id and s.group_id in wanted and s.state != "excluded"]


def _is_blank(result: dict) -> bool:
    for key in ("votes", "grades"):
        if any(v for v in result.get(key, {}).values()):
            return False
    if any(w.get("ticked") for w in result.get("write_ins", [])):
        return False
    if any(v for v in result.get("answers", {}).values()):
        return False
    return not any(v for c in result.get("scores", {}).values() for v in c.values())


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
                               count.issued > 0 and returned > count.issued))
    return tuple(out)


# -- vote ---------------------------------------------------------------------------------------------
def vote(meeting: Meeting, rnd: Round, sheets: Iterable[Sheet], counts: dict[tuple[str, str], Count],
         groups: Sequence[str] | None = None) -> VoteResult:
    spec = rnd.spec
    assert isinstance(spec, VoteSpec)
    ballots = _ballots(sheets, rnd, groups)
    first = spec.options[0].id
    limits = {s.post: s for s in spec.sections}
    section_of = {c: s.post for s in spec.sections for c in s.candidates}
    tallies: dict[str, Counter] = {c: Counter() for c in section_of}
    write_ins: dict[str, Counter] = defaultdict(Counter)
    invalid: Counter = Counter()  # ballots voided by the overvote rule, per group
    for sheet in ballots:
        if sheet.state != "counted":
            continue
        votes = sheet.result.get("votes", {})
        names = {(sec, row): name for sec, row, name in sheet.write_in_names}
        per_section: dict[str, list] = defaultdict(list)
        for cid, option in votes.items():
            if option is not None and cid in section_of:
                per_section[section_of[cid]].append((cid, option))
        written: dict[str, list[str]] = defaultdict(list)
        for w in sheet.result.get("write_ins", []):
            name = names.get((w["section"], w["row"]))
            if name and (w.get("ticked") or not spec.write_in_needs_mark):
                written[w["section"]].append(name)
        over = [sec for sec in set(per_section) | set(written)
                if sum(opt == first for _, opt in per_section[sec]) + len(written[sec]) > limits[sec].max_choices]
        if over and spec.overvote == "ballot":
            if sheet.page == 1:
                invalid[sheet.group_id] += 1
            continue
        for sec, chosen in per_section.items():
            if sec in over:
                continue
            for cid, option in chosen:
                tallies[cid][option] += 1
        for sec, names_here in written.items():
            if sec not in over:
                write_ins[sec].update(names_here)
    gc = tuple(g for g in group_counts(meeting, rnd, ballots, counts, invalid) if not groups or g.group_id in groups)
    base = {
        "registered": sum(g.expected for g in gc),
        "issued": sum(g.issued for g in gc),
        "returned": sum(g.returned for g in gc),
        "valid": sum(g.valid for g in gc),
    }[spec.majority_base]
    candidates: list[CandidateVotes] = []
    unfilled: dict[str, int] = {}
    rerun: dict[str, tuple[str, ...]] = {}
    for section in spec.sections:
        ordered = sorted(section.candidates, key=lambda c: (-tallies[c][first], section.candidates.index(c)))
        eligible = [c for c in ordered if _eligible(tallies[c][first], base, spec)]
        elected: set[str] = set()
        tied: set[str] = set()
        k = section.max_choices
        if len(eligible) > k and tallies[eligible[k - 1]][first] == tallies[eligible[k]][first]:
            line = tallies[eligible[k - 1]][first]
            tied = {c for c in eligible if tallies[c][first] == line}
            elected = {c for c in eligible[:k] if c not in tied}
        else:
            elected = set(eligible[:k])
        for c in section.candidates:
            options = {o.id: tallies[c][o.id] for o in spec.options}
            candidates.append(CandidateVotes(c, section.post, options, _share(options[first], base), c in elected,
                                             c in tied))
        left = k - len(elected)
        if left:
            unfilled[section.post] = left
            rest = [c for c in ordered if c not in elected]
            rerun[section.post] = tuple(rest[: max(left + 1, 2 * left)])
    return VoteResult(rnd.id, gc, base, tuple(candidates), {s: dict(v) for s, v in write_ins.items()}, unfilled,
                      rerun, any(g.vote_void for g in gc))


def _eligible(votes: int, base: int, spec: VoteSpec) -> bool:
    if base <= 0 or votes <= 0:
        return False
    if spec.rerun and spec.rerun_min_share is not None:
        share = spec.rerun_min_share
        return votes * share.denominator >= share.numerator * base
    return votes * 2 > base  # more than half (过半数)


# -- rating --------------------------------------------------------------------------------------------
def rating(meeting: Meeting, rnd: Round, sheets: Iterable[Sheet], counts: dict[tuple[str, str], Count],
           groups: Sequence[str] | None = None) -> RatingResult:
    spec = rnd.spec
    assert isinstance(spec, RatingSpec)
    ballots = _ballots(sheets, rnd, groups)
    tallies: dict[str, Counter] = {c: Counter() for c in rnd.candidates}
    for sheet in ballots:
        if sheet.state == "counted":
            for cid, grade in sheet.result.get("grades", {}).items():
                if grade is not None and cid in tallies:
                    tallies[cid][grade] += 1
    gc = tuple(g for g in group_counts(meeting, rnd, ballots, counts) if not groups or g.group_id in groups)
    valid = sum(g.valid for g in gc)
    points = {g.id: g.points or ZERO for g in spec.grades}
    out = []
    for cid in rnd.candidates:
        c = {g.id: tallies[cid][g.id] for g in spec.grades}
        total_points = sum((points[g] * n for g, n in c.items()), ZERO)
        level = None
        for rule in spec.levels:
            reached = sum(c[g] for g in rule.grades)
            if valid and reached * rule.min_share.denominator >= rule.min_share.numerator * valid:
                level = rule.name
                break
        out.append(CandidateRating(cid, c, {g: _share(n, valid) for g, n in c.items()}, _share(total_points, valid)
                                   if valid else ZERO, level))
    return RatingResult(rnd.id, gc, tuple(out), any(g.vote_void for g in gc))


# -- score ---------------------------------------------------------------------------------------------
def score(meeting: Meeting, rnd: Round, sheets: Iterable[Sheet], counts: dict[tuple[str, str], Count]) -> ScoreResult:
    spec = rnd.spec
    assert isinstance(spec, ScoreSpec)
    ballots = _ballots(sheets, rnd)
    by_judge: dict[tuple[str, str], dict[str, dict[str, str | None]]] = defaultdict(dict)
    for sheet in ballots:
        if sheet.state != "counted":
            continue
        judge = (sheet.group_id, sheet.serial or f"page-{id(sheet)}")
        for cid, crits in sheet.result.get("scores", {}).items():
            by_judge[judge].setdefault(cid, {}).update(crits)
    criteria = [c.id for c in spec.criteria]
    out = []
    for cid in rnd.candidates:
        totals: list[Decimal] = []
        per_criterion: dict[str, list[Decimal]] = defaultdict(list)
        for judge in sorted(by_judge, key=lambda j: (j[0], _serial_key(j[1]))):
            crits = by_judge[judge].get(cid, {})
            values = {k: Decimal(v) for k, v in crits.items() if v is not None}
            for k, v in values.items():
                per_criterion[k].append(v)
            if all(k in values for k in criteria):
                totals.append(sum((values[k] for k in criteria), ZERO))
        trimmed, dropped = _trimmed_mean(totals, spec)
        out.append(CandidateScore(
            cid, tuple(totals), max(totals) if totals else None, min(totals) if totals else None,
            sum(totals, ZERO), trimmed,
            {k: sum(per_criterion[k], ZERO) / len(per_criterion[k]) for k in criteria if per_criterion[k]}, dropped))
    return ScoreResult(rnd.id, group_counts(meeting, rnd, ballots, counts), tuple(out), spec.max_total)


def _serial_key(serial: str) -> tuple[int, str]:
    return (int(serial), serial) if serial.isdigit() else (1 << 30, serial)


def _trimmed_mean(totals: list[Decimal], spec: ScoreSpec) -> tuple[Decimal | None, int]:
    """去掉最高分和最低分: drop trim_high highest and trim_low lowest when at least trim_min_judges scored."""
    if not totals:
        return None, 0
    ordered = sorted(totals)
    if len(ordered) >= spec.trim_min_judges:
        kept = ordered[spec.trim_low: len(ordered) - spec.trim_high]
    else:
        kept = ordered
    return sum(kept, ZERO) / len(kept), len(ordered) - len(kept)


# -- survey --------------------------------------------------------------------------------------------
def survey(meeting: Meeting, rnd: Round, sheets: Iterable[Sheet], counts: dict[tuple[str, str], Count]) -> SurveyResult:
    spec = rnd.spec
    assert isinstance(spec, SurveySpec)
    ballots = _ballots(sheets, rnd)
    tallies: dict[str, Counter] = {q.id: Counter() for q in spec.questions}
    answered: Counter = Counter()
    comments = 0
    for sheet in ballots:
        if sheet.state != "counted":
            continue
        for qid, chosen in sheet.result.get("answers", {}).items():
            if chosen and qid in tallies:
                answered[qid] += 1
                tallies[qid].update(chosen)
        comments += any(sheet.result.get("comments", {}).values())
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
    return SurveyResult(rnd.id, gc, tuple(out), _share(sat_total, ans_total) if ans_total else None, comments,
                        any(g.vote_void for g in gc))


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
def part_values(meeting: Meeting, rnd: Round, result: RoundResult, group_result: RoundResult | None = None
                ) -> dict[str, Decimal]:
    """A round brought to a 100-point scale per candidate: the stated rule for each kind."""
    r = group_result or result
    if isinstance(r, ScoreResult):
        return {c.candidate_id: c.trimmed_mean / r.max_total * HUNDRED for c in r.candidates
                if c.trimmed_mean is not None}
    if isinstance(r, VoteResult):
        spec = rnd.spec
        assert isinstance(spec, VoteSpec)
        valid = sum(g.valid for g in r.groups)
        first = spec.options[0].id
        return {c.candidate_id: _share(c.options[first], valid) * HUNDRED for c in r.candidates} if valid else {}
    if isinstance(r, RatingResult):
        spec = rnd.spec
        assert isinstance(spec, RatingSpec)
        top = max(g.points or ZERO for g in spec.grades)
        if not sum(g.valid for g in r.groups):
            return {}
        return {c.candidate_id: c.points / top * HUNDRED if top else ZERO for c in r.candidates}
    if isinstance(r, ManualResult):
        return {c: v / r.max * HUNDRED for c, v in r.values.items()}
    return {}


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
        for g in getattr(result, "groups", ()):
            if g.vote_void:
                notes.append(f"void:{rnd.id}/{g.group_id}:{g.returned}>{g.issued}")
            if g.pending:
                notes.append(f"pending:{rnd.id}/{g.group_id}:{g.pending}")
        if isinstance(result, VoteResult):
            notes += [f"tie:{rnd.id}/{c.candidate_id}" for c in result.candidates if c.tie]
    ranking, missing = _rank(meeting, sheets, counts, rounds)
    notes += [f"tie:composite/{r.candidate_id}" for r in ranking if r.tied]
    return Results(rounds, ranking, missing, cohort(meeting, _selected(meeting, rounds, ranking)), tuple(notes))


def _rank(meeting: Meeting, sheets: Sequence[Sheet], counts: dict[tuple[str, str], Count],
          rounds: dict[str, RoundResult]) -> tuple[tuple[Ranked, ...], tuple[str, ...]]:
    composite = meeting.composite
    if composite is None:
        return (), ()
    values: dict[str, dict[str, Decimal]] = {}
    missing = []
    for p in composite.parts:
        rnd = meeting.round(p.round)
        label = f"{p.round}/{p.group}" if p.group else p.round
        sub = None
        if p.group and rnd.kind == "vote":
            sub = vote(meeting, rnd, sheets, counts, [p.group])
        elif p.group and rnd.kind == "rating":
            sub = rating(meeting, rnd, sheets, counts, [p.group])
        v = part_values(meeting, rnd, rounds[p.round], sub)
        if any(c not in v for c in rnd.candidates):
            missing.append(label)
        values[label] = v
    if missing:
        return (), tuple(missing)
    labels = [f"{p.round}/{p.group}" if p.group else p.round for p in composite.parts]
    candidates = meeting.round(composite.parts[0].round).candidates
    scored = []
    for c in candidates:
        exact = sum((values[label][c] * p.weight / HUNDRED for label, p in zip(labels, composite.parts, strict=True)),
                    ZERO)
        rounded = half_up(exact, meeting.info.decimals)
        breaks = tuple(half_up(values[_label_for(composite, r)][c], meeting.info.decimals)
                       for r in composite.tie_break)
        scored.append((c, {label: values[label][c] for label in labels}, rounded, breaks))
    scored.sort(key=lambda s: (s[2], s[3]), reverse=True)
    ranked = []
    for c, parts, rounded, breaks in scored:
        key = (rounded, breaks)
        same = sum(1 for s in scored if (s[2], s[3]) == key)
        rank = 1 + sum(1 for s in scored if (s[2], s[3]) > key)  # ties share a rank (1, 2, 2, 4)
        ranked.append(Ranked(c, parts, rounded, rank, same > 1))
    return tuple(ranked), ()


def _label_for(composite, round_id: str) -> str:
    p = next(p for p in composite.parts if p.round == round_id)
    return f"{p.round}/{p.group}" if p.group else p.round


def _selected(meeting: Meeting, rounds: dict[str, RoundResult], ranking: tuple[Ranked, ...]) -> list[str]:
    if ranking:
        posts = {meeting.candidate(r.candidate_id).post for r in ranking}
        seats = sum(meeting.post(p).seats for p in posts)
        return [r.candidate_id for r in ranking if r.rank <= seats]
    elected = [c.candidate_id for r in rounds.values() if isinstance(r, VoteResult) for c in r.candidates if c.elected]
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

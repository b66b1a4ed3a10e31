"""Results for people: gather the tally's inputs from the store, show them as rich tables in the meeting's
language, and flatten them into rows for CSV / XLSX and a JSON document."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from rich.console import Group as RenderGroup
from rich.table import Table

from meeting.lang import text
from meeting.model import Meeting, RatingSpec, ScoreSpec, SurveySpec, VoteSpec
from meeting.store import Store
from tally import inputs
from tally.compute import half_up, person_name, tally, vote_line
from tally.model import ManualResult, RatingResult, Results, ScoreResult, SurveyResult, VoteResult


def collect(store: Store, meeting: Meeting) -> Results:
    return tally(meeting, inputs.sheets(store.all_readings(), store.decisions()), inputs.manual(store.manual_entries()),
                 inputs.counts(store.ballot_counts().values()))


def pct(share: Decimal, places: int) -> str:
    return f"{half_up(share * 100, places)}%"


def num(value: Decimal | None, places: int) -> str:
    return "—" if value is None else f"{half_up(value, places)}"


@dataclass(frozen=True)
class Num:
    """A number in a results table: shown with `places` decimals (a share as a percentage); a spreadsheet gets it
    as a number with that format."""

    value: Decimal | int | None
    places: int = 0
    percent: bool = False

    def __str__(self) -> str:
        if self.value is None:
            return "—"
        if self.percent:
            return pct(Decimal(self.value), self.places)
        return f"{half_up(Decimal(self.value), self.places)}" if self.places or isinstance(self.value, Decimal) \
            else str(self.value)

    def number(self) -> Decimal | int | None:
        """The value as a spreadsheet holds it (a share stays 0..1; its cell format shows the %)."""
        if self.value is None:
            return None
        return half_up(Decimal(self.value), self.places + (2 if self.percent else 0))


@dataclass(frozen=True)
class CountShare:
    """Votes and their share, shown together ("20 (57.1%)"); a spreadsheet gets two numeric columns."""

    count: int
    share: Decimal
    places: int = 1

    def __str__(self) -> str:
        return f"{self.count} ({pct(self.share, self.places)})"


@dataclass(frozen=True)
class Many:
    """Several numbers in one cell (each judge's total); a spreadsheet gets one column each."""

    values: tuple[Decimal, ...]

    def __str__(self) -> str:
        return " ".join(f"{v.normalize():f}" for v in self.values)


Cell = str | Num | CountShare | Many


def round_title(rnd) -> str:
    return f"{rnd.id} {rnd.name}"


def cells(meeting: Meeting, results: Results) -> dict[str, list[list[Cell]]]:
    """Per round (and the ranking) a table of typed cells: header row first. The screen, CSV, PDF and XLSX all
    show these; `tables()` is the same as text."""
    lang, d = meeting.language, meeting.info.decimals
    t = lambda k, **kw: text(k, lang, **kw)  # noqa: E731
    out: dict[str, list[list[Cell]]] = {}
    for rnd in meeting.rounds:
        r = results.rounds[rnd.id]
        rows: list[list[Cell]] = []
        if isinstance(r, VoteResult):
            spec = rnd.spec
            assert isinstance(spec, VoteSpec)
            rows.append([t("post"), t("candidate"), *[o.name for o in spec.options], t("share"), t("elected")])
            for c in r.candidates:
                mark = "✓" if c.elected else (t("tie") if c.tie else "")
                who = person_name(meeting, c.candidate_id)
                if c.write_in:
                    who = t("written_in", name=who)
                rows.append([meeting.post(c.section).name, who, *[Num(c.options[o.id]) for o in spec.options],
                             Num(c.share, d, percent=True), mark])
        elif isinstance(r, RatingResult):
            spec = rnd.spec
            assert isinstance(spec, RatingSpec)
            levels = [t("level")] if spec.levels else []
            rows.append([t("candidate"), *[g.name for g in spec.grades], t("abstain"), t("points"), *levels])
            valid = sum(g.valid for g in r.groups)
            for c in r.candidates:
                rows.append([meeting.candidate(c.candidate_id).name,
                             *[CountShare(c.counts[g.id], c.shares[g.id]) for g in spec.grades],
                             CountShare(c.abstain, Decimal(c.abstain) / valid if valid else Decimal(0)),
                             Num(c.points, d), *([c.level or ""] if spec.levels else [])])
        elif isinstance(r, ScoreResult):
            scaled = r.max_total != 100  # a /100 column only when it says something 最后得分 does not
            rows.append([t("candidate"), t("judges"), t("highest"), t("lowest"), t("trimmed"),
                         *(["/100"] if scaled else [])])
            for c in sorted(r.candidates, key=lambda c: -(c.trimmed_mean or Decimal(-1))):
                rows.append([meeting.candidate(c.candidate_id).name, Many(c.judges),
                             Num(c.highest, 1), Num(c.lowest, 1), Num(c.trimmed_mean, d),
                             *([Num(c.trimmed_mean / r.max_total * 100 if c.trimmed_mean is not None else None, d)]
                               if scaled else [])])
        elif isinstance(r, SurveyResult):
            spec = rnd.spec
            assert isinstance(spec, SurveySpec)
            options = list(dict.fromkeys(o.name for q in spec.questions for o in q.options))
            rows.append([t("question"), *options, t("satisfaction")])
            texts = {q.id: q for q in spec.questions}
            for q in r.questions:
                by_name = {o.name: o.id for o in texts[q.question_id].options}
                answer: list[Cell] = [CountShare(q.counts[by_name[n]], q.shares[by_name[n]]) if n in by_name else ""
                                      for n in options]
                rows.append([texts[q.question_id].text, *answer,
                             Num(q.satisfaction, d, percent=True) if q.satisfaction is not None else ""])
            if r.satisfaction is not None:
                rows.append([t("satisfaction"), *[""] * len(options), Num(r.satisfaction, d, percent=True)])
        elif isinstance(r, ManualResult):
            rows.append([t("candidate"), t("value"), t("operator")])
            for cid in rnd.candidates:
                rows.append([meeting.candidate(cid).name, Num(r.values.get(cid), 1), r.operators.get(cid, "")])
        out[round_title(rnd)] = rows
    if meeting.composite:  # the header even before every part is in: the notes say what is missing
        comp = meeting.composite
        labels = [f"{p.round}/{p.group}" if p.group else p.round for p in comp.parts]
        members = meeting.round(comp.parts[0].round).candidates
        per_post = len({meeting.candidate(c).post for c in members}) > 1  # 一职双备: say whose post it is
        header: list[Cell] = [*([t("post")] if per_post else []), t("rank"), t("candidate")]
        for p in comp.parts:
            name = meeting.round(p.round).name + (f"（{meeting.group(p.group).name}）" if p.group else "")
            header.append(f"{name} {p.weight.normalize():f}%")
        rows = [[*header, comp.name, t("selected")]]
        for r in results.ranking:
            rows.append([*([meeting.post(r.post).name] if per_post else []), f"{r.rank}{'=' if r.tied else ''}",
                         meeting.candidate(r.candidate_id).name, *[Num(r.parts[label], d) for label in labels],
                         Num(r.composite, d), "✓" if r.selected else ""])
        out[comp.name] = rows
    return out


def tables(meeting: Meeting, results: Results) -> dict[str, list[list[str]]]:
    """`cells()` as text: shared by the screen, CSV and the report sheets."""
    return {title: [[str(c) for c in row] for row in rows] for title, rows in cells(meeting, results).items()}


def invalid_lines(meeting: Meeting, results: Results, round_id: str, skip: tuple[str, ...] = ()) -> list[str]:
    """The one loud line per reason a round's count cannot stand (选举无效 …), in the meeting's language."""
    lang = meeting.language
    rnd = meeting.round(round_id)
    out = []
    for flaw in getattr(results.rounds[round_id], "invalid", ()):
        if flaw.kind in skip:
            continue
        group = meeting.group(flaw.group).name if flaw.group else ""
        what = text("invalid.vote" if rnd.kind == "vote" else "invalid.rating", lang)
        match flaw.kind:
            case "below_quorum":
                spec = rnd.spec
                share = getattr(spec, "quorum_share", None)
                half = text("half", lang) if share is None or share == Fraction(1, 2) else f"{share}"
                key = "invalid.below_quorum_so_far" if flaw.provisional else "invalid.below_quorum"
                line = text(key, lang, round=rnd.name, what=what, got=flaw.got, limit=flaw.limit, share=half)
            case "returned_over_issued":
                line = text("vote_void", lang, round=rnd.name, group=group, returned=flaw.got, issued=flaw.limit)
            case "read_over_returned":
                line = text("invalid.read_over_returned", lang, round=rnd.name, group=group, got=flaw.got,
                            limit=flaw.limit)
            case _:
                raise AssertionError(flaw.kind)
        out.append(line)
    return out


def round_notes(meeting: Meeting, results: Results, round_id: str, unsettled: bool = False) -> list[str]:
    """One round's loud facts in the meeting's language: why its count cannot stand, sheets in review, the vote
    line, unfilled seats with the re-run list, ties, a missing woman member, incomplete judges' sheets.
    `unsettled`: its returned ballots are not all read yet — conclusions wait."""
    lang = meeting.language
    rnd = meeting.round(round_id)
    r = results.rounds[round_id]
    out = list(invalid_lines(meeting, results, round_id))
    for g in getattr(r, "groups", ()):
        if g.pending:
            out.append(text("pending_note", lang, round=rnd.name, group=meeting.group(g.group_id).name,
                            n=g.pending))
    if isinstance(r, VoteResult) and not unsettled:
        spec = rnd.spec
        assert isinstance(spec, VoteSpec)
        if r.base and not r.void:
            line = vote_line(spec, r.base)
            if spec.rerun and spec.rerun_min_share is not None:
                out.append(text("vote_line.rerun", lang, round=rnd.name, n=line, base=r.base,
                                share=str(spec.rerun_min_share)))
            else:
                out.append(text("vote_line", lang, round=rnd.name, n=line, base=r.base,
                                what=text(f"base.{spec.majority_base}", lang)))
        sep = "、" if lang == "zh" else ", "
        for section, n in r.unfilled.items():
            names = sep.join(person_name(meeting, c) for c in r.rerun_candidates.get(section, ()))
            key = "tie_revote" if r.rerun_reason.get(section) == "tie" else "unfilled"
            post = f"{rnd.name}·{meeting.post(section).name}" if lang == "zh" else \
                f"{rnd.name}: {meeting.post(section).name}"
            out.append(text(key, lang, post=post, n=n, names=names or "—"))
        if r.no_woman:
            out.append(text("no_woman", lang, round=rnd.name))
    if isinstance(r, ScoreResult):
        spec = rnd.spec
        assert isinstance(spec, ScoreSpec)
        for c in r.candidates:
            for judge in c.incomplete:
                out.append(text("score_incomplete", lang, round=rnd.name, judge=judge,
                                candidate=meeting.candidate(c.candidate_id).name,
                                rule=text(f"incomplete.{spec.incomplete}", lang)))
    return out


def notes(meeting: Meeting, results: Results, unsettled: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The loud facts in the meeting's language, every round's and the meeting's. `unsettled`: rounds whose
    returned ballots are not all read yet — their conclusions (尚缺, 另行选举, 平票, no woman) wait."""
    lang = meeting.language
    out = []
    for rnd in meeting.rounds:
        out += round_notes(meeting, results, rnd.id, rnd.id in unsettled)
    if results.missing:
        out.append(text("missing_parts", lang, parts=", ".join(results.missing)))
    if results.cohort:
        c = results.cohort
        out.append(text("cohort", lang, n=c.count, age=c.average_age if c.average_age is not None else "—",
                        college=c.college_or_above, women=c.women))
    return out


def group_cells(meeting: Meeting, results: Results) -> list[list[Cell]]:
    """选票情况 per round and group; 收回 is "—" until a returned count is recorded (never the sheets read)."""
    lang = meeting.language
    rows: list[list[Cell]] = [[text(k, lang) for k in ("round", "group", "expected", "issued", "returned", "read",
                                                       "valid", "void", "blank", "pending")]]
    for rnd in meeting.rounds:
        for g in getattr(results.rounds[rnd.id], "groups", ()):
            rows.append([rnd.name, meeting.group(g.group_id).name,
                         *map(Num, (g.expected, g.issued, g.returned if g.returned_recorded else None, g.read,
                                    g.valid, g.void, g.blank, g.pending))])
    return rows


def group_rows(meeting: Meeting, results: Results) -> list[list[str]]:
    return [[str(c) for c in row] for row in group_cells(meeting, results)]


def render(meeting: Meeting, results: Results, only: str | None = None) -> RenderGroup:
    parts: list[Any] = []
    counts = group_rows(meeting, results)
    if len(counts) > 1 and only is None:
        parts.append(_table(text("ballot_counts", meeting.language), counts))
    loud = set()
    for rnd in meeting.rounds:
        loud.update(invalid_lines(meeting, results, rnd.id))
    for title, rows in tables(meeting, results).items():
        if only and not title.startswith(f"{only} ") and title != (meeting.composite and meeting.composite.name):
            continue
        rnd = next((r for r in meeting.rounds if round_title(r) == title), None)
        if rnd is not None and getattr(results.rounds[rnd.id], "void", False):
            title += "  " + text("invalid.title", meeting.language)
        parts.append(_table(title, rows))
    for line in notes(meeting, results):
        parts.append(f"[bold red]! {line}[/bold red]" if line in loud else f"! {line}")
    return RenderGroup(*parts)


def _table(title: str, rows: list[list[str]]) -> Table:
    table = Table(title=title, title_justify="left")
    for i, h in enumerate(rows[0]):
        table.add_column(h, justify="left" if i < 2 else "right", overflow="fold")
    for row in rows[1:]:
        table.add_row(*row)
    return table


_SHARE_KEYS = ("share", "shares", "satisfaction")


def to_json(meeting: Meeting, results: Results) -> str:
    """The results as JSON: every number with the meeting's decimals (shares, 0..1, with two more, so that a
    share prints as the same percentage as on the sheets); plus the notes in the meeting's language."""
    from dataclasses import asdict

    d = meeting.info.decimals

    def plain(v: Any, key: str = "") -> Any:
        if isinstance(v, Decimal):
            return str(half_up(v, d + 2 if key in _SHARE_KEYS else d))
        if isinstance(v, dict):
            return {str(k): plain(x, key if key in _SHARE_KEYS else str(k)) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [plain(x, key) for x in v]
        return v

    doc = {"meeting": {"id": meeting.info.id, "title": meeting.info.title, "date": meeting.info.date.isoformat(),
                       "decimals": d},
           "rounds": {k: plain(asdict(v)) for k, v in results.rounds.items()},
           "ranking": plain([asdict(r) for r in results.ranking]), "missing": list(results.missing),
           "cohort": plain(asdict(results.cohort)) if results.cohort else None, "notes": list(results.notes),
           "messages": notes(meeting, results)}
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True)

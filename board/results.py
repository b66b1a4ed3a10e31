"""Results for people: gather the tally's inputs from the store, show them as rich tables in the meeting's
language, and flatten them into rows for CSV / XLSX and a JSON document."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from rich.console import Group as RenderGroup
from rich.table import Table

from meeting.lang import text
from meeting.model import Meeting, RatingSpec, SurveySpec, VoteSpec
from meeting.store import Store
from tally import inputs
from tally.compute import half_up, tally
from tally.model import ManualResult, RatingResult, Results, ScoreResult, SurveyResult, VoteResult


def collect(store: Store, meeting: Meeting) -> Results:
    return tally(meeting, inputs.sheets(store.all_readings(), store.decisions()), inputs.manual(store.manual_entries()),
                 inputs.counts(store.ballot_counts().values()))


def pct(share: Decimal, places: int) -> str:
    return f"{half_up(share * 100, places)}%"


def num(value: Decimal | None, places: int) -> str:
    return "—" if value is None else f"{half_up(value, places)}"


def tables(meeting: Meeting, results: Results) -> dict[str, list[list[str]]]:
    """Per round (and the ranking) a table: header row first. Shared by the screen, CSV and XLSX."""
    lang, d = meeting.language, meeting.info.decimals
    t = lambda k, **kw: text(k, lang, **kw)  # noqa: E731
    out: dict[str, list[list[str]]] = {}
    for rnd in meeting.rounds:
        r = results.rounds[rnd.id]
        rows: list[list[str]] = []
        if isinstance(r, VoteResult):
            spec = rnd.spec
            assert isinstance(spec, VoteSpec)
            rows.append([t("post"), t("candidate"), *[o.name for o in spec.options], t("share"), t("elected")])
            for c in r.candidates:
                mark = "✓" if c.elected else (t("tie") if c.tie else "")
                rows.append([meeting.post(c.section).name, meeting.candidate(c.candidate_id).name,
                             *[str(c.options[o.id]) for o in spec.options], pct(c.share, d), mark])
            for section, names in r.write_ins.items():
                for name, n in sorted(names.items(), key=lambda kv: -kv[1]):
                    rows.append([meeting.post(section).name, f"{t('write_ins')}：{name}", str(n), *[""] * (
                        len(spec.options) - 1), "", ""])
        elif isinstance(r, RatingResult):
            spec = rnd.spec
            assert isinstance(spec, RatingSpec)
            levels = [t("level")] if spec.levels else []
            rows.append([t("candidate"), *[g.name for g in spec.grades], t("points"), *levels])
            for c in r.candidates:
                rows.append([meeting.candidate(c.candidate_id).name,
                             *[f"{c.counts[g.id]} ({pct(c.shares[g.id], 1)})" for g in spec.grades], num(c.points, d),
                             *([c.level or ""] if spec.levels else [])])
        elif isinstance(r, ScoreResult):
            rows.append([t("candidate"), t("judges"), t("highest"), t("lowest"), t("trimmed"), "/100"])
            for c in sorted(r.candidates, key=lambda c: -(c.trimmed_mean or Decimal(-1))):
                rows.append([meeting.candidate(c.candidate_id).name, " ".join(f"{j.normalize():f}" for j in c.judges),
                             num(c.highest, 1), num(c.lowest, 1), num(c.trimmed_mean, d),
                             num(c.trimmed_mean / r.max_total * 100 if c.trimmed_mean is not None else None, d)])
        elif isinstance(r, SurveyResult):
            spec = rnd.spec
            assert isinstance(spec, SurveySpec)
            options = list(dict.fromkeys(o.name for q in spec.questions for o in q.options))
            rows.append([t("question"), *options, t("satisfaction")])
            texts = {q.id: q for q in spec.questions}
            for q in r.questions:
                by_name = {o.name: o.id for o in texts[q.question_id].options}
                cells = [f"{q.counts[by_name[n]]} ({pct(q.shares[by_name[n]], 1)})" if n in by_name else ""
                         for n in options]
                rows.append([texts[q.question_id].text, *cells,
                             pct(q.satisfaction, d) if q.satisfaction is not None else ""])
            if r.satisfaction is not None:
                rows.append([t("satisfaction"), *[""] * len(options), pct(r.satisfaction, d)])
        elif isinstance(r, ManualResult):
            rows.append([t("candidate"), t("value"), t("operator")])
            for cid in rnd.candidates:
                rows.append([meeting.candidate(cid).name, num(r.values.get(cid), 1), r.operators.get(cid, "")])
        out[f"{rnd.id} {rnd.name}"] = rows
    if meeting.composite:  # the header even before every part is in: the notes say what is missing
        comp = meeting.composite
        labels = [f"{p.round}/{p.group}" if p.group else p.round for p in comp.parts]
        header = [t("rank"), t("candidate")]
        for p in comp.parts:
            name = meeting.round(p.round).name + (f"（{meeting.group(p.group).name}）" if p.group else "")
            header.append(f"{name} {p.weight.normalize():f}%")
        rows = [[*header, comp.name]]
        for r in results.ranking:
            rows.append([f"{r.rank}{'=' if r.tied else ''}", meeting.candidate(r.candidate_id).name,
                         *[num(r.parts[label], d) for label in labels], f"{r.composite}"])
        out[comp.name] = rows
    return out


def notes(meeting: Meeting, results: Results) -> list[str]:
    lang = meeting.language
    out = []
    for rnd in meeting.rounds:
        r = results.rounds[rnd.id]
        for g in getattr(r, "groups", ()):
            if g.vote_void:
                out.append(text("vote_void", lang, round=rnd.name, group=meeting.group(g.group_id).name,
                                returned=g.returned, issued=g.issued))
            if g.pending:
                out.append(text("pending_note", lang, round=rnd.name, group=meeting.group(g.group_id).name,
                                n=g.pending))
        if isinstance(r, VoteResult):
            for section, n in r.unfilled.items():
                names = "、".join(meeting.candidate(c).name for c in r.rerun_candidates.get(section, ()))
                out.append(text("unfilled", lang, post=meeting.post(section).name, n=n, names=names or "—"))
    if results.missing:
        out.append(text("missing_parts", lang, parts=", ".join(results.missing)))
    if results.cohort:
        c = results.cohort
        out.append(text("cohort", lang, n=c.count, age=c.average_age if c.average_age is not None else "—",
                        college=c.college_or_above, women=c.women))
    return out


def group_rows(meeting: Meeting, results: Results) -> list[list[str]]:
    lang = meeting.language
    rows = [[text(k, lang) for k in ("round", "group", "expected", "issued", "returned", "valid", "void", "blank",
                                     "pending")]]
    for rnd in meeting.rounds:
        for g in getattr(results.rounds[rnd.id], "groups", ()):
            rows.append([rnd.name, meeting.group(g.group_id).name, *map(str, (g.expected, g.issued, g.returned,
                                                                              g.valid, g.void, g.blank, g.pending))])
    return rows


def render(meeting: Meeting, results: Results, only: str | None = None) -> RenderGroup:
    parts: list[Any] = []
    counts = group_rows(meeting, results)
    if len(counts) > 1 and only is None:
        parts.append(_table(text("ballots", meeting.language), counts))
    for title, rows in tables(meeting, results).items():
        if only and not title.startswith(f"{only} ") and title != (meeting.composite and meeting.composite.name):
            continue
        parts.append(_table(title, rows))
    for line in notes(meeting, results):
        parts.append(f"[bold red]! {line}[/bold red]" if "无效" in line or "VOID" in line else f"! {line}")
    return RenderGroup(*parts)


def _table(title: str, rows: list[list[str]]) -> Table:
    table = Table(title=title, title_justify="left")
    for i, h in enumerate(rows[0]):
        table.add_column(h, justify="left" if i < 2 else "right", overflow="fold")
    for row in rows[1:]:
        table.add_row(*row)
    return table


def to_json(meeting: Meeting, results: Results) -> str:
    from dataclasses import asdict

    def plain(v: Any) -> Any:
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [plain(x) for x in v]
        return v

    doc = {"meeting": {"id": meeting.info.id, "title": meeting.info.title, "date": meeting.info.date.isoformat()},
           "rounds": {k: plain(asdict(v)) for k, v in results.rounds.items()},
           "ranking": plain([asdict(r) for r in results.ranking]), "missing": list(results.missing),
           "cohort": plain(asdict(results.cohort)) if results.cohort else None, "notes": list(results.notes)}
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True)

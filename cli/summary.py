"""Rich renderings of a meeting (summary) and of its state (status), in the meeting's language."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from rich.console import Group as RenderGroup
from rich.panel import Panel
from rich.table import Table

from meeting.lang import text
from meeting.model import ManualSpec, Meeting, RatingSpec, Round, ScoreSpec, SurveySpec, VoteSpec
from meeting.store import BallotCount, Integrity


def _num(value: object) -> str:
    return f"{value}".rstrip("0").rstrip(".") if "." in f"{value}" else f"{value}"


def describe_rules(rnd: Round, meeting: Meeting) -> str:
    lang = meeting.language
    sep = "；" if lang == "zh" else "; "
    spec = rnd.spec
    if isinstance(spec, ScoreSpec):
        crit = " ".join(f"{c.name}{_num(c.max)}" for c in spec.criteria)
        trim = (text("rule.trim", lang, high=spec.trim_high, low=spec.trim_low, min=spec.trim_min_judges)
                if spec.trim_high or spec.trim_low else text("rule.no_trim", lang))
        return sep.join((crit, text("rule.max_total", lang, total=_num(spec.max_total)), trim))
    if isinstance(spec, VoteSpec):
        parts = [text(f"rule.{spec.mode}", lang)]
        parts += [text("rule.elect", lang, post=meeting.post(s.post).name, k=s.max_choices) for s in spec.sections]
        if spec.sections and spec.sections[0].write_ins:
            parts.append(text("rule.write_ins", lang, n=spec.sections[0].write_ins))
        parts.append(text("rule.base", lang, base=text(f"base.{spec.majority_base}", lang)))
        parts.append(text(f"rule.overvote.{spec.overvote}", lang))
        if spec.rerun_min_share is not None:
            parts.append(text("rule.rerun", lang, share=str(spec.rerun_min_share)))
        if spec.rerun:
            parts.append(text("rule.is_rerun", lang))
        parts.append(_quorum(spec, lang))
        parts.append(text("rule.rerun_list", lang, rule=spec.rerun_list))
        if spec.women:
            parts.append(text("rule.women", lang))
        if spec.cross_post:
            parts.append(text("rule.cross_post", lang))
        return sep.join(parts)
    if isinstance(spec, RatingSpec):
        parts = ["/".join(f"{g.name}{_num(g.points)}" for g in spec.grades), _quorum(spec, lang),
                 text(f"rule.ungraded.{spec.ungraded}", lang)]
        return sep.join(parts)
    if isinstance(spec, SurveySpec):
        parts = [text("rule.questions", lang, n=len(spec.questions))]
        if spec.quorum != "none":
            parts.append(_quorum(spec, lang))
        if spec.satisfied:
            parts.append(text("rule.satisfied", lang, names="+".join(spec.satisfied)))
        return sep.join(parts)
    assert isinstance(spec, ManualSpec)
    label = (f"（{spec.label}）" if lang == "zh" else f" ({spec.label})") if spec.label else ""
    return text("rule.manual", lang, max=_num(spec.max)) + label


def _quorum(spec: VoteSpec | RatingSpec | SurveySpec, lang: str) -> str:
    if spec.quorum == "none":
        return text("rule.quorum.none", lang)
    share = text("half", lang) if spec.quorum_share == Fraction(1, 2) else str(spec.quorum_share)
    return text("rule.quorum", lang, share=share)


def meeting_summary(meeting: Meeting) -> RenderGroup:
    lang = meeting.language
    t = lambda key: text(key, lang)  # noqa: E731
    info = meeting.info
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column(overflow="fold")
    head.add_row(t("meeting_id"), info.id or "—")
    head.add_row(t("date"), info.date.isoformat())
    if info.venue:
        head.add_row(t("venue"), info.venue)
    if info.organiser:
        head.add_row(t("organiser"), info.organiser)
    parts: list[object] = [Panel(head, title=f"[bold]{info.title}[/bold]", expand=False)]

    if meeting.candidates:
        cands = Table(title=t("candidates"), title_justify="left")
        for col in ("id", "name", "post", "gender", "birth_year", "education"):
            cands.add_column(t(col))
        for c in meeting.candidates:
            post = meeting.post(c.post)
            cands.add_row(c.id, c.name, f"{post.name}（{t('seats')}{post.seats}）",
                          t(f"gender.{c.gender}") if c.gender else "", str(c.birth_year or ""), c.education or "")
        parts.append(cands)

    groups = Table(title=t("groups"), title_justify="left")
    for col in ("id", "group", "expected", "ballots"):
        groups.add_column(t(col), justify="right" if col in ("expected", "ballots") else "left")
    for g in meeting.groups:
        groups.add_row(g.id, g.name, str(g.expected), str(g.ballots))
    parts.append(groups)

    rounds = Table(title=t("rounds"), title_justify="left")
    for col in ("id", "round", "kind", "groups", "candidates", "form"):
        rounds.add_column(t(col), overflow="fold")
    rules = Table.grid(padding=(0, 1))
    rules.add_column(style="bold", no_wrap=True)
    rules.add_column(overflow="fold")
    for r in meeting.rounds:
        rounds.add_row(
            r.id, r.name, t(f"kind.{r.kind}"),
            "、".join(meeting.group(g).name for g in r.groups) or "—",
            str(len(r.candidates)) if r.candidates else "—",
            "—" if r.kind == "manual" else t("secret" if r.secret else "named"),
        )
        rules.add_row(f"{r.id} {r.name}", describe_rules(r, meeting))
    parts.append(rounds)
    parts.append(Panel(rules, title=t("rules"), title_align="left", expand=False))

    if meeting.composite:
        comp = Table(title=meeting.composite.name, title_justify="left")
        comp.add_column(t("part"))
        comp.add_column(t("weight"), justify="right")
        for p in meeting.composite.parts:
            name = meeting.round(p.round).name
            if p.group:
                name += f"（{meeting.group(p.group).name}）"
            comp.add_row(name, f"{_num(p.weight)}%")
        parts.append(comp)
    return RenderGroup(*parts)


@dataclass(frozen=True)
class RoundState:
    round_id: str
    group_id: str | None
    expected: int
    issued: int
    returned: int | None
    read: int
    review: int
    state: str


def round_states(meeting: Meeting, counts: dict[tuple[str, str], BallotCount],
                 readings: dict[tuple[str, str, str], int], manual: dict[str, int],
                 sheets: dict[tuple[str, str, str], int] | None = None) -> list[RoundState]:
    """`readings`: every page read, by state; `sheets`: the same for first pages only (a sheet is read when its
    page 1 is), default `readings`. In review counts every page: any page can need a person."""
    sheets = readings if sheets is None else sheets
    states = []
    for r in meeting.rounds:
        if r.kind == "manual":
            n = manual.get(r.id, 0)
            states.append(RoundState(r.id, None, len(r.candidates), 0, None, n, 0,
                                     "entered" if n else "manual"))
            continue
        for gid in r.groups:
            bc = counts.get((r.id, gid), BallotCount(r.id, gid, 0, None, 0))
            read = sum(n for (rr, gg, status), n in sheets.items() if rr == r.id and gg == gid
                       and status != "review")
            review = readings.get((r.id, gid, "review"), 0)
            first = sheets.get((r.id, gid, "review"), 0)  # sheets whose page 1 waits in review
            if bc.returned is not None and bc.returned > bc.issued:
                state = "void"
            elif bc.issued == 0:
                state = "waiting"
            elif read + review + first == 0:
                state = "issued"
            elif read + first >= (bc.returned if bc.returned is not None else bc.issued):
                state = "complete"
            else:
                state = "counting"
            # 已读 counts every sheet recorded, in review or not, as the board does
            states.append(RoundState(r.id, gid, meeting.group(gid).expected, bc.issued, bc.returned, read + first,
                                     review, state))
    return states


def next_step(meeting: Meeting, states: list[RoundState], integrity: Integrity, edited: bool,
              sealed: frozenset[str] = frozenset(), directory: str = "DIR") -> str:
    """What to do next, as a complete command for this meeting folder."""
    lang = meeting.language
    d = _quoted(directory)
    if not integrity.ok:
        return text("next.broken", lang)
    if edited:
        return text("next.check", lang, dir=d)
    for s in states:
        if s.round_id in sealed:  # a sealed round takes no more sheets or entries
            continue
        name = meeting.round(s.round_id).name
        if s.state == "waiting":
            return text("next.print", lang, round=name, id=s.round_id, dir=d)
        if s.state in ("issued", "counting"):
            return text("next.scan", lang, round=name, id=s.round_id, group=s.group_id, dir=d)
        if s.state == "manual":
            return text("next.enter", lang, round=name, id=s.round_id, dir=d)
    waiting = sum(s.review for s in states if s.round_id not in sealed)
    if waiting:
        return text("next.review", lang, n=waiting, dir=d)
    if {r.id for r in meeting.rounds} - sealed:
        return text("next.seal", lang, dir=d)
    return text("next.sealed", lang, dir=d)


def _quoted(path: str) -> str:
    import shlex

    return shlex.quote(str(path))


def status_view(meeting: Meeting, states: list[RoundState], integrity: Integrity, edited: bool,
                notes: list[str], sealed: frozenset[str] = frozenset(), directory: str = "DIR") -> RenderGroup:
    lang = meeting.language
    t = lambda key, **kw: text(key, lang, **kw)  # noqa: E731
    table = Table(title=f"{meeting.info.title}（{meeting.info.id}）", title_justify="left")
    for col in ("round", "group", "expected", "issued", "returned", "read", "review", "state"):
        table.add_column(t(col), justify="right" if col not in ("round", "group", "state") else "left")
    for s in states:
        rnd = meeting.round(s.round_id)
        state = t(f"state.{s.state}", n=s.read) if s.state == "entered" else t(f"state.{s.state}")
        if s.round_id in sealed:
            state = f"{state} · {t('state.sealed')}"
        style = "bold red" if s.state == "void" else ""
        table.add_row(
            f"{rnd.id} {rnd.name}",
            meeting.group(s.group_id).name if s.group_id else "—",
            str(s.expected), str(s.issued) if s.group_id else "—",
            "—" if s.returned is None else str(s.returned), str(s.read), str(s.review),
            f"[{style}]{state}[/{style}]" if style else state,
        )
    for s in states:
        if s.state == "void":
            lines_void = t("void.note", round=meeting.round(s.round_id).name, group=meeting.group(s.group_id).name,
                           returned=s.returned, issued=s.issued)
            notes = [lines_void, *notes]
    audit = (t("audit.ok", n=integrity.rows) if integrity.ok
             else f"[bold red]{t('audit.broken', problem=integrity.problem)}[/bold red]")
    lines = Table.grid(padding=(0, 2))
    lines.add_column(style="bold")
    lines.add_column(overflow="fold")  # a long folder in the command to copy wraps, never cut short with "…"
    lines.add_row(t("audit"), audit)
    for note in notes:
        lines.add_row("!", f"[bold red]{note}[/bold red]")
    lines.add_row(t("next"), next_step(meeting, states, integrity, edited, sealed, directory))
    return RenderGroup(table, lines)

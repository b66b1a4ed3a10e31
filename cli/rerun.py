"""另行选举 / 再次投票: the next round of a vote, made from its result, as TOML appended to meeting.toml.

The user never edits TOML by hand during a live meeting: `tallykit rerun` plans the round here (pure: meeting,
results and the file's text in, the new text out), and the CLI checks, accepts and prints it."""

from __future__ import annotations

import json
from dataclasses import dataclass

from meeting.definition import load_text
from meeting.errors import TallyError
from meeting.lang import text
from meeting.model import Meeting, VoteSpec
from tally.compute import person_name
from tally.model import WRITE_IN, Results, VoteResult


class RerunError(TallyError):
    exit_code = 2


@dataclass(frozen=True)
class RerunPlan:
    round_id: str
    name: str
    toml: str  # the whole meeting.toml with the new round (and any written-in people as candidates)
    seats: dict[str, int]  # post → seats this round fills
    candidates: dict[str, tuple[str, ...]]  # post → names on its ballot
    tie: bool  # a re-vote among tied candidates (就票数相等的候选人再次投票) rather than a further election


def _q(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _free_id(used: set[str], stem: str, width: int) -> str:
    for n in range(2, 100):
        candidate = f"{stem[: width - len(str(n))]}{n}"
        if candidate.upper() not in used:
            return candidate
    raise RerunError(f"no free id left for {stem}…; rename some rounds or candidates")


def plan_rerun(meeting: Meeting, results: Results, round_id: str, current: str,
               posts: tuple[str, ...] = ()) -> RerunPlan:
    """The next round of vote `round_id`: for each post with unfilled seats (or only `posts`), those seats and the
    re-run list (or exactly the tied candidates) from the result; every other setting as the round had it, with
    `rerun = true` (most votes win, with at least rerun_min_share of the ballots cast, ⅓ by default)."""
    rnd = next((r for r in meeting.rounds if r.id == round_id), None)
    if rnd is None or rnd.kind != "vote":
        votes = ", ".join(r.id for r in meeting.rounds if r.kind == "vote") or "none"
        raise RerunError(f'"{round_id}" is not a vote round of this meeting; vote rounds: {votes}')
    spec = rnd.spec
    assert isinstance(spec, VoteSpec)
    result = results.rounds[rnd.id]
    assert isinstance(result, VoteResult)
    if result.void:
        raise RerunError(f"round {rnd.id} is invalid ({', '.join(f.kind for f in result.invalid)}): nobody was "
                         "elected and the whole vote must be held again; a re-run is only for unfilled seats")
    pending = sum(g.pending for g in result.groups)
    if pending:
        raise RerunError(f"round {rnd.id} still has {pending} sheet(s) in review; decide them on /review first, "
                         "the re-run list depends on them")
    todo = {p: n for p, n in result.unfilled.items() if not posts or p in posts}
    if posts:
        unknown = [p for p in posts if p not in result.unfilled]
        if unknown:
            raise RerunError(f"post {unknown[0]} has no unfilled seat in round {rnd.id}; posts with unfilled seats: "
                             f"{', '.join(result.unfilled) or 'none'}")
    if not todo:
        raise RerunError(f"round {rnd.id} filled every seat; there is nothing to elect again")
    empty = [p for p in todo if not result.rerun_candidates.get(p)]
    if empty:
        raise RerunError(f"post {empty[0]} has nobody on its re-run list (no votes for anyone not elected); add "
                         "candidates by hand in meeting.toml and run `tallykit check`")
    tie = all(result.rerun_reason.get(p) == "tie" for p in todo)
    used_ids = {c.id.upper() for c in meeting.candidates}
    new_round = _free_id({r.id.upper() for r in meeting.rounds}, rnd.id, 6)
    lang = meeting.language
    lines = ["", f"# {text('rerun.header', lang, round=rnd.id, date=meeting.info.date.isoformat())}"]
    chosen: list[str] = []
    names: dict[str, tuple[str, ...]] = {}
    for post, people in result.rerun_candidates.items():
        if post not in todo:
            continue
        shown = []
        for person in people:
            if person.startswith(WRITE_IN):  # a person written in becomes a listed candidate of the re-run
                listed = next((c for c in meeting.candidates
                               if c.post == post and c.name == person_name(meeting, person)), None)
                if listed is None:
                    cid = _free_id(used_ids, "X", 16)
                    used_ids.add(cid.upper())
                    lines += ["[[candidates]]", f"id = {_q(cid)}", f"name = {_q(person_name(meeting, person))}",
                              f"post = {_q(post)}", f"note = {_q(text('rerun.written_in', lang, round=rnd.id))}", ""]
                else:
                    cid = listed.id
                chosen.append(cid)
            else:
                chosen.append(person)
            shown.append(person_name(meeting, person))
        names[post] = tuple(shown)
    seats = ", ".join(f"{p} = {n}" for p, n in todo.items())
    name = text("rerun.tie_name" if tie else "rerun.name", lang, round=rnd.name)
    lines += [
        "[[rounds]]",
        f"id = {_q(new_round)}",
        f"name = {_q(name)}",
        'kind = "vote"',
        f"groups = [{', '.join(_q(g) for g in rnd.groups)}]",
        f"candidates = [{', '.join(_q(c) for c in chosen)}]",
        f"secret = {str(rnd.secret).lower()}",
        f"mode = {_q(spec.mode)}",
        f"max_choices = {{ {seats} }}",
        f"options = [{', '.join(f'{{ id = {_q(o.id)}, name = {_q(o.name)} }}' for o in spec.options)}]",
        f"write_ins = {spec.sections[0].write_ins if spec.sections else 0}",
        f"majority_base = {_q(spec.majority_base)}",
        f"overvote = {_q(spec.overvote)}",
        f"write_in_needs_mark = {str(spec.write_in_needs_mark).lower()}",
        f'rerun_min_share = "{spec.rerun_min_share or "1/3"}"',
        "rerun = true",
        f"quorum = {_q(spec.quorum)}",
        f'quorum_share = "{spec.quorum_share}"',
        f"rerun_list = {_q(spec.rerun_list)}",
        f"contested = {_q(spec.contested)}",
        f"women = {str(spec.women).lower()}",
        f"cross_post = {str(spec.cross_post).lower()}",
        "",
    ]
    new_text = current.rstrip("\n") + "\n" + "\n".join(lines)
    load_text(new_text, "meeting.toml")  # the planned file must be valid before anything is written
    return RerunPlan(new_round, name, new_text, todo, names, tie)

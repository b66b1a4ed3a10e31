"""What to print for a meeting: one PDF per (round, group), copies = ballots issued (+ spares).

Planning is pure; writing renders the PDFs atomically; recording stores the layouts and issued counts
in one transaction, only after every PDF was written."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ballots.fonts import FontSpec, Measurer
from ballots.geometry import Layout
from ballots.layout import LayoutError, build_layout
from ballots.payload import Payload, encode, layout_prefix
from ballots.render import Renderer, Sheet
from meeting.model import Meeting
from meeting.store import Store

PAPER_KINDS = ("score", "vote", "rating", "survey")


@dataclass(frozen=True)
class PrintJob:
    round_id: str
    group_id: str
    layout: Layout
    sheets: tuple[Sheet, ...]
    issued: int  # ballots for the group (the count recorded as issued)
    spares: int
    path: Path

    @property
    def pages(self) -> int:
        return len(self.sheets) * len(self.layout.pages)


def select(meeting: Meeting, rounds: Sequence[str] = (), groups: Sequence[str] = ()) -> list[tuple[str, str]]:
    """The (round, group) pairs to print; an unknown or paperless choice is a one-line error."""
    known = {r.id.upper(): r for r in meeting.rounds}
    chosen = []
    for rid in rounds:
        rnd = known.get(rid.upper())
        if rnd is None:
            names = ", ".join(r.id for r in meeting.rounds)
            raise LayoutError(f'round "{rid}" is not in this meeting; rounds: {names}')
        if rnd.kind not in PAPER_KINDS:
            raise LayoutError(f"round {rnd.id} ({rnd.name}) is entered by staff; it has no paper form")
        chosen.append(rnd)
    if not rounds:
        chosen = [r for r in meeting.rounds if r.kind in PAPER_KINDS]
    if not chosen:
        raise LayoutError("this meeting has no round with a paper form")
    group_ids = {g.id.upper(): g.id for g in meeting.groups}
    wanted = []
    for gid in groups:
        if gid.upper() not in group_ids:
            names = ", ".join(g.id for g in meeting.groups)
            raise LayoutError(f'group "{gid}" is not in this meeting; groups: {names}')
        wanted.append(group_ids[gid.upper()])
    pairs = [(r.id, g) for r in chosen for g in r.groups if not wanted or g in wanted]
    if not pairs:
        raise LayoutError(f"none of the groups {', '.join(wanted)} takes part in the chosen rounds")
    return pairs


def plan(meeting: Meeting, secret: bytes, measure: Measurer, out_dir: Path, *, rounds: Sequence[str] = (),
         groups: Sequence[str] = (), spares: int = 0, test: bool = False, paper: str = "A4") -> list[PrintJob]:
    if spares < 0:
        raise LayoutError("spares must be 0 or more")
    jobs = []
    for rid, gid in select(meeting, rounds, groups):
        layout = build_layout(meeting, rid, gid, measure, paper)
        issued = meeting.group(gid).ballots
        copies = issued + spares if not test else max(1, spares)  # a rehearsal: one copy (or --spares N copies)
        prefix = layout_prefix(layout.hash)
        sheets = []
        serials: list[str | None] = [str(n) for n in range(1, copies + 1)] if layout.named else [None]
        for serial in serials:
            payloads = tuple(
                encode(Payload(meeting.info.id, rid, gid, prefix, p.number, len(layout.pages), serial, test), secret)
                for p in layout.pages
            )
            sheets.append(Sheet(layout, serial, payloads, test))
        if not layout.named:
            sheets = sheets * copies  # secret ballots: every copy the same, no serial
        name = f"{rid}-{gid}{'-TEST' if test else ''}.pdf"
        jobs.append(PrintJob(rid, gid, layout, tuple(sheets), issued, spares, out_dir / name))
    return jobs


def write(jobs: Sequence[PrintJob], meeting: Meeting, font: FontSpec) -> dict[Path, str]:
    """Render every job to its PDF; returns path → SHA-256 of the file."""
    written = {}
    for job in jobs:
        renderer = Renderer(font, meeting.language, f"{meeting.info.title} {job.round_id}-{job.group_id}",
                            meeting.info.date)
        for sheet in job.sheets:
            renderer.add(sheet)
        job.path.parent.mkdir(parents=True, exist_ok=True)
        renderer.write(job.path)
        written[job.path] = hashlib.sha256(job.path.read_bytes()).hexdigest()
    return written


def record(store: Store, jobs: Sequence[PrintJob], files: dict[Path, str], actor: str, *, test: bool) -> None:
    """Store the layouts and (for a real print) the issued counts, in one transaction."""
    with store.transaction():
        stored = store.layouts()
        prefixes = {layout_prefix(h): h for h in stored}
        for job in jobs:
            h = job.layout.hash
            other = prefixes.get(layout_prefix(h))
            if other is not None and other != h:
                raise LayoutError(f"layout {h[:12]} collides with stored layout {other[:12]}; change the round id")
            store.save_layout(h, job.round_id, job.group_id, len(job.layout.pages), job.layout.to_json(), actor)
            prefixes[layout_prefix(h)] = h
            if not test:
                store.set_ballot_count(job.round_id, job.group_id, actor, issued=job.issued, spares=job.spares)
        store.audit(actor, "print.test" if test else "print", "print", {
            "files": {p.name: sha for p, sha in files.items()},
            "jobs": [{"round": j.round_id, "group": j.group_id, "layout": j.layout.hash, "sheets": len(j.sheets),
                      "issued": j.issued, "spares": j.spares} for j in jobs],
        })

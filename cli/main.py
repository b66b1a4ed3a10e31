"""tallykit command line: thin verbs that parse, call the rooms below, and print with rich."""

from __future__ import annotations

import functools
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import typer.main
from rich.console import Console
from rich.table import Table

import templates
from cli.summary import meeting_summary, round_states, status_view
from cli.wrap import install as cjk_line_breaks
from meeting.definition import definition_digest, load_file, load_text
from meeting.errors import StoreError, TallyError
from meeting.folder import DEFINITION, MeetingFolder
from meeting.lang import text as words

app = typer.Typer(
    name="tallykit",
    help="Run open selection meetings on paper: define the meeting, print QR-coded forms, scan, tally, archive.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
console = Console()
cjk_line_breaks()  # rich's tables break Chinese between characters, never before "；" or after "（"

F = TypeVar("F", bound=Callable[..., Any])


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"tallykit {version('tallykit')}")
        except PackageNotFoundError:
            typer.echo("tallykit (not installed as a package)")
        raise typer.Exit(0)


@app.callback()
def _main(
    show_version: Annotated[bool, typer.Option("--version", help="Print the version and exit", callback=_version,
                                               is_eager=True)] = False,
) -> None:
    """Run open selection meetings on paper: define the meeting, print QR-coded forms, scan, tally, archive."""


_said_in: list[str] = []  # the language of the command running now (set by user_errors)


def say(zh: str, en: str) -> str:
    """A line for the person at the laptop, in the language of the meeting the command works on."""
    from cli.errors_zh import message_language

    return zh if (_said_in[-1] if _said_in else message_language()) == "zh" else en


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one line to stderr, in the meeting's language, and return the Exit to raise."""
    from cli.errors_zh import error_line, message_language

    typer.echo(error_line(message, _said_in[-1] if _said_in else message_language()), err=True)
    return typer.Exit(code)


def user_errors(fn: F) -> F:
    """Turn every error a user can cause into one line on stderr (in the language of the meeting the command
    works on) and its exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from cli.errors_zh import message_language

        _said_in.append(message_language(kwargs.get("directory") or kwargs.get("target") or kwargs.get("bundle")))
        try:
            return fn(*args, **kwargs)
        except TallyError as exc:
            raise fail(str(exc), exc.exit_code) from None
        finally:
            _said_in.pop()

    return wrapper  # type: ignore[return-value]


def default_operator(meeting: Any = None) -> str:
    """Who is doing this, when --operator is not given: $TALLYKIT_OPERATOR, else the meeting's `[meeting]
    operator` (the person running the count, named once), else the computer's login name."""
    name = os.environ.get("TALLYKIT_OPERATOR")
    if name:
        return name
    if meeting is not None and getattr(meeting.info, "operator", ""):
        return meeting.info.operator
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


Operator = Annotated[
    str,
    typer.Option("--operator", help="Who is doing this, for the audit log [default: $TALLYKIT_OPERATOR or login]"),
]


@app.command("templates")
def list_templates() -> None:
    """List the built-in meeting templates."""
    table = Table(title="Built-in templates (tallykit init --template NAME DIR)", title_justify="left")
    table.add_column("NAME", style="bold")
    table.add_column("会议")
    table.add_column("What it runs", overflow="fold")
    for t in templates.TEMPLATES:
        name = f"{t.name} (default)" if t.name == templates.DEFAULT else t.name
        table.add_row(name, t.title, t.description)
    console.print(table)


@app.command()
@user_errors
def init(
    directory: Annotated[Path, typer.Argument(help="New (or empty) folder for the meeting")],
    template: Annotated[
        str | None, typer.Option("--template", "-t", help="Built-in template to start from (see `templates`)")
    ] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from", help="Start from your own meeting file (TOML) instead")
    ] = None,
    operator: Operator = "",
) -> None:
    """Create a meeting folder: meeting.toml, the store, and the meeting's keys."""
    if template and from_file:
        raise fail("give --template or --from, not both", 2)
    if from_file is not None:
        source = from_file.name
        load_file(from_file, require_id=False)  # one-line error naming the key path if it is not valid
        text = from_file.read_bytes().decode("utf-8").removeprefix("\ufeff")
    else:
        name = template or templates.DEFAULT
        chosen = templates.get(name)
        if chosen is None:
            known = ", ".join(t.name for t in templates.TEMPLATES)
            raise fail(f'unknown template "{name}"; choose one of: {known}', 2)
        source, text = f"{chosen.name}.toml", chosen.read_text()
    folder = MeetingFolder.init(directory, text, operator or default_operator(), source=source)
    store = folder.store()
    try:
        meeting = folder.accepted(store).meeting
        fingerprint = store.meta("key_fingerprint")
    finally:
        store.close()
    if _said_in:  # the meeting exists now: its lines are said in its language
        from cli.errors_zh import message_language

        _said_in[-1] = message_language(directory)
    console.print(meeting_summary(meeting))
    console.print(say(f"\n已创建会议 [bold]{meeting.info.id}[/bold]：{directory}",
                      f"\nCreated meeting [bold]{meeting.info.id}[/bold] in {directory}"), soft_wrap=True)
    console.print(say(f"  {DEFINITION}  请编辑，然后运行：tallykit check {directory}",
                      f"  {DEFINITION}  edit it, then run: tallykit check {directory}"), soft_wrap=True)
    console.print(say(f"  meeting.key   请妥善保密并备份（密钥指纹 {fingerprint}）",
                      f"  meeting.key   keep it secret and back it up (key fingerprint {fingerprint})"), soft_wrap=True)


@app.command()
@user_errors
def check(
    target: Annotated[Path, typer.Argument(help="A meeting folder, or a meeting file (.toml) to validate only")],
    restore: Annotated[
        bool, typer.Option("--restore", help="Write the last accepted meeting.toml back when the file was lost")
    ] = False,
    operator: Operator = "",
) -> None:
    """Validate a meeting file and print its summary; in a meeting folder, accept the edited meeting.toml."""
    if target.is_file() or target.suffix.lower() == ".toml":
        meeting = load_file(target, require_id=False)
        console.print(meeting_summary(meeting))
        _print_warnings(meeting)
        console.print(say(f"\n{target}：有效（仅检查，未记录）", f"\n{target}: valid (checked only; nothing recorded)"))
        return
    folder = MeetingFolder.open(target)
    store = folder.store()
    try:
        if restore:
            _restore_definition(folder, store)
            return
        meeting, text, sha = folder.load_current(store)
        latest = store.latest_definition()
        console.print(meeting_summary(meeting))
        _print_warnings(meeting)
        _print_paper(meeting, store, target, changed=latest is None or latest["sha256"] != sha)
        if latest is not None and latest["sha256"] == sha:
            console.print(say(f"\n{DEFINITION}：有效；与已接受的第 {latest['version']} 版相同",
                              f"\n{DEFINITION}: valid; unchanged since version {latest['version']} was accepted"))
        else:
            version = store.accept_definition(text, sha, operator or default_operator(meeting))
            console.print(say(f"\n{DEFINITION}：有效；已接受为第 {version} 版（已记入审计日志）",
                              f"\n{DEFINITION}: valid; accepted as version {version} (recorded in the audit log)"))
    finally:
        store.close()


def _print_warnings(meeting: Any) -> None:
    from meeting.definition import warnings

    for line in warnings(meeting):
        console.print(f"[bold yellow]! {line}[/bold yellow]", soft_wrap=True)


def _print_paper(meeting: Any, store: Any, directory: Path, *, changed: bool) -> None:
    """After an edit: which printed forms no longer say what the meeting asks (re-print them, or accept the old
    paper), and that the rest stays valid."""
    from rich.markup import escape

    from ballots.geometry import Layout
    from ballots.layout import stale_paper

    latest: dict[tuple[str, str], str] = {}
    for row in store.layouts().values():  # the last printed layout of each round and group counts
        latest[(row["round_id"], row["group_id"])] = row["layout"]
    stale = []
    for (round_id, group_id), layout_json in latest.items():
        problem = stale_paper(meeting, Layout.from_json(layout_json))
        if problem:
            stale.append(f"{round_id}-{group_id}.pdf: {problem} (re-print: tallykit print {directory} --round "
                         f"{round_id} --group {group_id})")

    from meeting.errors_zh import in_chinese

    for line in stale:
        console.print(f"[bold red]! {escape(say(in_chinese(line) or line, line))}[/bold red]", soft_wrap=True)
    if changed and latest and not stale:
        console.print(say("已印制的表单仍与本会议相符：已印的纸张继续有效",
                          "printed forms still fit this meeting: the paper already printed stays valid"),
                      soft_wrap=True)


def _restore_definition(folder: MeetingFolder, store: Any) -> None:
    if folder.definition_path.exists():
        raise fail(f"{folder.definition_path} exists; move it away first if you want the accepted version back", 2)
    latest = store.latest_definition()
    load_text(latest["toml"], DEFINITION)
    if definition_digest(latest["toml"].encode("utf-8")) != latest["sha256"]:
        raise StoreError("the accepted definition in the store does not match its digest; the store is damaged")
    folder.definition_path.write_text(latest["toml"], encoding="utf-8")
    console.print(say(f"{folder.definition_path}：已恢复第 {latest['version']} 版",
                      f"{folder.definition_path}: restored version {latest['version']}"))


@app.command()
@user_errors
def status(directory: Annotated[Path, typer.Argument(help="The meeting folder")]) -> None:
    """Show each round's counts, the audit chain, and what to do next."""
    folder = MeetingFolder.open(directory)
    store = folder.store()
    try:
        accepted = folder.accepted(store)
        integrity = store.check_integrity()
        states = round_states(accepted.meeting, store.ballot_counts(), store.reading_counts(),
                              store.manual_counts(), store.reading_counts(first_pages=True))
        sealed = frozenset(s["round_id"] for s in store.seals())
        from archive.results import collect, invalid_lines

        results = collect(store, accepted.meeting)
    finally:
        store.close()
    notes = [line for rnd in accepted.meeting.rounds  # 选举无效 (quorum), read > returned; status says > issued
             for line in invalid_lines(accepted.meeting, results, rnd.id, skip=("returned_over_issued",))]
    if accepted.changed:
        notes.append(f"{DEFINITION} differs from accepted version {accepted.version}")
    if folder.key_permissions_loose():
        notes.append(f"{folder.key_path} is readable by others: chmod 600 {folder.key_path}")
    console.print(status_view(accepted.meeting, states, integrity, accepted.changed, notes, sealed, str(directory)))
    if not integrity.ok:
        raise fail(f"{integrity.message()}; stop, keep every file as it is, and tell the chair", 1)


@app.command("print")
@user_errors
def print_forms(
    directory: Annotated[Path, typer.Argument(help="The meeting folder")],
    round_ids: Annotated[
        list[str] | None, typer.Option("--round", "-r", help="Only this round (repeat for more); default: all")
    ] = None,
    group_ids: Annotated[
        list[str] | None, typer.Option("--group", "-g", help="Only this voter group (repeat for more); default: all")
    ] = None,
    spares: Annotated[int, typer.Option("--spares", min=0, help="Extra copies per group, beyond ballots issued "
                                        "(with --test: how many rehearsal copies, default 1)")] = 0,
    test: Annotated[
        bool, typer.Option("--test", help="Print TEST sheets for a rehearsal, one copy per form: marked on paper "
                           "and in the QR code, never counted, and no ballots recorded as issued")
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for the PDFs [default: DIR/print]")] = None,
    font: Annotated[
        Path | None, typer.Option("--font", help="A TrueType/OpenType font with every character the forms need")
    ] = None,
    paper: Annotated[str, typer.Option("--paper", help="A4 or A3")] = "A4",
    operator: Operator = "",
) -> None:
    """Print the forms as PDFs: one per round and voter group, copies = ballots issued (+ spares)."""
    from ballots.fonts import Measurer, find_font
    from ballots.layout import meeting_text
    from ballots.printing import plan, record, write

    folder = MeetingFolder.open(directory)
    store = folder.store()
    try:
        meeting = _unchanged(folder, store, directory, "then print").meeting
        keys = folder.keys(store)
        chosen_font = find_font(meeting_text(meeting), font)
        out_dir = out or directory / "print"
        jobs = plan(meeting, keys.hmac_secret, Measurer(chosen_font), out_dir, rounds=round_ids or (),
                    groups=group_ids or (), spares=spares, test=test, paper=paper.upper())
        if not test:
            counts = store.reading_counts()
            for job in jobs:
                read = sum(n for (r, g, _), n in counts.items() if (r, g) == (job.round_id, job.group_id))
                if read:
                    raise fail(f"round {job.round_id} group {job.group_id} already has {read} sheets read; printing "
                               "more ballots now would break the count (use --test for practice sheets)", 2)
        files: dict[Path, str] = {}
        try:
            files = write(jobs, meeting, chosen_font)
            record(store, jobs, files, operator or default_operator(meeting), test=test)
        except BaseException:
            for path in (j.path for j in jobs):
                path.unlink(missing_ok=True)
            raise
    finally:
        store.close()
    _print_summary(meeting, jobs, test)


def _unchanged(folder: MeetingFolder, store: Any, directory: Path, then: str = "") -> Any:
    """The accepted meeting, refusing when meeting.toml was edited since: print and rerun work on what was
    accepted, never on an edit nobody checked."""
    accepted = folder.accepted(store)
    if accepted.changed:
        raise fail(f"{DEFINITION} was edited since version {accepted.version} was accepted; "
                   f"run `tallykit check {directory}` first{', ' + then if then else ''}", 2)
    return accepted


def _print_summary(meeting: Any, jobs: list[Any], test: bool) -> None:
    from meeting.lang import text as word

    lang = meeting.language
    table = Table(title=word("printed", lang) + (" (TEST)" if test else ""), title_justify="left")
    for key in ("round", "group", "form", "pages_per_sheet", "sheets", "spares", "file"):
        table.add_column(word(key, lang), justify="right" if key in ("pages_per_sheet", "sheets", "spares") else "left",
                         overflow="fold")
    for job in jobs:
        rnd = meeting.round(job.round_id)
        table.add_row(f"{rnd.id} {rnd.name}", meeting.group(job.group_id).name,
                      word("named" if job.layout.named else "secret", lang), str(len(job.layout.pages)),
                      str(len(job.sheets)), str(job.spares), str(job.path))
    console.print(table)
    if test:
        console.print(say("测试样张：正式计票时永不计入；未登记任何发出的选票。",
                          "TEST sheets: never counted at a real count; no ballots were recorded as issued."))


@app.command()
@user_errors
def scan(
    directory: Annotated[Path, typer.Argument(help="The meeting folder")],
    camera: Annotated[str | None, typer.Option("--camera", help="Read live from this camera (0 = the first) or a "
                                               "phone camera's stream URL (http://…, rtsp://…)")] = None,
    video: Annotated[Path | None, typer.Option("--video", help="Read live from a video file")] = None,
    images: Annotated[Path | None, typer.Option("--images", help="Read a folder of photos, one sheet each")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Read a scanned PDF, one sheet per page")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and show, record nothing (TEST sheets are read only this way)")
    ] = False,
    window: Annotated[
        bool, typer.Option("--window/--no-window", help="Show the camera preview when a display exists")
    ] = True,
    station: Annotated[str, typer.Option("--station", help="Name of this scanning station")] = "main",
    server: Annotated[
        str | None, typer.Option("--server", help="Send readings to the meeting server at this URL (a station)")
    ] = None,
    token: Annotated[str | None, typer.Option("--token", help="The meeting token that `tallykit serve` printed")]
    = None,
    operator: Operator = "",
) -> None:
    """Read completed sheets and record one reading per sheet; doubtful ones go to the review queue."""
    from scanner import sources
    from scanner.scan_cli import run_batch, run_images, run_live

    chosen = [name for name, value in (("--camera", camera), ("--video", video), ("--images", images),
                                       ("--pdf", pdf)) if value is not None]
    if len(chosen) != 1:
        raise fail("give exactly one of --camera N, --video FILE, --images FOLDER or --pdf FILE", 2)
    if (server is None) != (token is None):
        raise fail("a station needs both --server URL and --token TOKEN (printed by `tallykit serve`)", 2)
    folder = MeetingFolder.open(directory)
    store = folder.store()
    try:
        accepted = folder.accepted(store)
        who = operator or default_operator(accepted.meeting)
        remote = None
        if server is not None:
            from scanner.remote import RemoteSession

            remote = RemoteSession(server, token or "", station if station != "main" else f"station-{os.getpid()}")
        if images is not None:
            definition = store.latest_definition()["toml"]
            run_images(console, folder, store, accepted.meeting, images, definition, who, station, dry_run, remote)
        elif pdf is not None:
            pages = sources.pdf(pdf, language=accepted.meeting.language)
            run_batch(console, folder, store, accepted.meeting, pages, who, station, dry_run, remote)
        else:
            frames = sources.video(video) if video is not None else sources.camera(camera or "0")
            show = window and camera is not None and bool(os.environ.get("DISPLAY"))  # a URL shows too
            run_live(console, folder, store, accepted.meeting, frames, who, station, dry_run, show, remote)
    finally:
        store.close()


def _open_accepted(directory: Path):
    folder = MeetingFolder.open(directory)
    store = folder.store()
    return folder, store, folder.accepted(store).meeting


@app.command("tally")
@user_errors
def tally_command(
    directory: Annotated[Path, typer.Argument(help="The meeting folder")],
    round_id: Annotated[str | None, typer.Option("--round", "-r", help="Show only this round")] = None,
) -> None:
    """Count every round from the readings, review decisions and manual entries; rank the composite."""
    from archive.results import collect, render

    _, store, meeting = _open_accepted(directory)
    try:
        if round_id is not None and round_id not in {r.id for r in meeting.rounds}:
            known = ", ".join(r.id for r in meeting.rounds)
            raise fail(f'round "{round_id}" is not in this meeting; rounds: {known}', 2)
        results = collect(store, meeting)
    finally:
        store.close()
    console.print(render(meeting, results, round_id))


@app.command()
@user_errors
def enter(
    directory: Annotated[Path, typer.Argument(help="The meeting folder")],
    round_id: Annotated[str, typer.Option("--round", "-r", help="A manual round, e.g. 党委政府综合评分")],
    candidate: Annotated[str, typer.Option("--candidate", "-c", help="Candidate id (or exact name)")],
    score: Annotated[str, typer.Option("--score", "-s", help="The score, at most one decimal, e.g. 88.5")],
    note: Annotated[str, typer.Option("--note", help="Why, or where the score comes from")] = "",
    operator: Operator = "",
) -> None:
    """Record a score that is entered by staff (a manual round), with who entered it."""
    from decimal import Decimal, InvalidOperation

    from meeting.model import ManualSpec

    _, store, meeting = _open_accepted(directory)
    try:
        rounds = {r.id: r for r in meeting.rounds}
        rnd = rounds.get(round_id) or next((r for r in meeting.rounds if r.name == round_id.strip()), None)
        if rnd is None or rnd.kind != "manual":
            manual = ", ".join(r.id for r in meeting.rounds if r.kind == "manual") or "none"
            raise fail(f'"{round_id}" is not a manual round of this meeting; manual rounds: {manual}', 2)
        by_name = {meeting.candidate(c).name: c for c in rnd.candidates}
        cid = candidate if candidate in rnd.candidates else by_name.get(candidate)
        if cid is None:
            known = ", ".join(rnd.candidates)
            raise fail(f'"{candidate}" is not a candidate of round {rnd.id}; candidates: {known}', 2)
        try:
            value = Decimal(score.strip())
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise fail(f'--score "{score}" is not a number; write it like 88 or 88.5', 2) from None
        spec = rnd.spec
        assert isinstance(spec, ManualSpec)
        if not 0 <= value <= spec.max:
            raise fail(f"--score {value} is outside 0 to {spec.max.normalize():f}, the maximum of round {rnd.id}", 2)
        if value != value.quantize(Decimal("0.1")):
            raise fail(f"--score {value} has more than one decimal; scores are entered to one decimal", 2)
        who = operator or default_operator(meeting)
        entry = store.enter_manual(rnd.id, cid, f"{value}", who, note)
    finally:
        store.close()
    console.print(say(f"{rnd.name}：{meeting.candidate(cid).name} {value}（#{entry}，{who}）",
                      f"{rnd.name}: {meeting.candidate(cid).name} {value} (#{entry}, {who})"))


@app.command()
@user_errors
def returned(
    directory: Annotated[Path, typer.Argument(help="The meeting folder")],
    count: Annotated[int, typer.Argument(help="Ballots found in the box", min=0)],
    round_id: Annotated[str, typer.Option("--round", "-r", help="The round")],
    group_id: Annotated[str, typer.Option("--group", "-g", help="The voter group")],
    operator: Operator = "",
) -> None:
    """Record how many ballots came back (选票收回) for a round and voter group, counted when the box is opened.
    More returned than issued makes that vote void, and the board and reports say so."""
    _, store, meeting = _open_accepted(directory)
    try:
        rnd = next((r for r in meeting.rounds if r.id == round_id), None)
        if rnd is None or rnd.kind == "manual":
            known = ", ".join(r.id for r in meeting.rounds if r.kind != "manual")
            raise fail(f'"{round_id}" is not a round with ballots in this meeting; rounds: {known}', 2)
        if group_id not in rnd.groups:
            raise fail(f'"{group_id}" is not a voter group of round {rnd.id}; groups: {", ".join(rnd.groups)}', 2)
        if rnd.id in {s["round_id"] for s in store.seals()}:
            raise fail(f"round {rnd.id} is sealed; its counts can no longer change", 1)
        current = store.ballot_count(rnd.id, group_id)
        if current is None or current.issued == 0:
            raise fail(f"no ballots were recorded as issued for round {rnd.id} group {group_id}; print them first", 1)
        new = store.set_ballot_count(rnd.id, group_id, operator or default_operator(meeting), returned=count)
        read = sum(n for (r, g, _), n in store.reading_counts(first_pages=True).items()
                   if r == rnd.id and g == group_id)
    finally:
        store.close()
    where = f"{rnd.name}（{meeting.group(group_id).name}）"
    console.print(say(f"{where}：收回 {new.returned} 张，发出 {new.issued} 张",
                      f"{where}: {new.returned} returned of {new.issued} issued"))
    if new.returned is not None and read > new.returned:
        note = words("invalid.read_over_returned", meeting.language, round=rnd.name,
                     group=meeting.group(group_id).name, got=read, limit=new.returned)
        console.print(f"[bold red]{note}[/bold red]")
    if new.returned is not None and new.returned > new.issued:
        note = words("void.note", meeting.language, round=rnd.name, group=meeting.group(group_id).name,
                     returned=new.returned, issued=new.issued)
        console.print(f"[bold red]{note}[/bold red]")


@app.command()
@user_errors
def rerun(
    directory: Annotated[Path, typer.Argument(help="The meeting folder")],
    round_id: Annotated[str, typer.Option("--round", "-r", help="The vote round whose seats stayed unfilled")],
    posts: Annotated[
        list[str] | None, typer.Option("--post", "-p", help="Only this post (repeat for more); default: every post "
                                       "with unfilled seats")
    ] = None,
    print_now: Annotated[bool, typer.Option("--print/--no-print", help="Print the new round's ballots")] = True,
    spares: Annotated[int, typer.Option("--spares", min=0, help="Extra copies per group, beyond ballots issued")] = 0,
    font: Annotated[
        Path | None, typer.Option("--font", help="A TrueType/OpenType font with every character the forms need")
    ] = None,
    operator: Operator = "",
) -> None:
    """另行选举: make the next vote from a round's result (unfilled seats; a tie at the last seat is voted again
    among exactly the tied), add it to meeting.toml, accept it and print its ballots."""
    from archive.results import collect
    from cli.rerun import plan_rerun

    folder = MeetingFolder.open(directory)
    store = folder.store()
    try:
        accepted = _unchanged(folder, store, directory)
        current, _ = folder.read_definition()
        plan = plan_rerun(accepted.meeting, collect(store, accepted.meeting), round_id, current, tuple(posts or ()))
        path = folder.definition_path
        tmp = path.with_name(f".{path.name}.part")
        tmp.write_text(plan.toml, encoding="utf-8")
        tmp.replace(path)
        try:
            version = store.accept_definition(plan.toml, definition_digest(plan.toml.encode("utf-8")),
                                              operator or default_operator(accepted.meeting))
        except BaseException:
            path.write_text(current, encoding="utf-8")  # nothing half-done: the file as it was
            raise
        meeting = folder.accepted(store).meeting
    finally:
        store.close()
    lang = meeting.language
    sep = "、" if lang == "zh" else ", "
    console.print(words("rerun.made", lang, id=plan.round_id, name=plan.name, version=version))
    for post, seats in plan.seats.items():
        console.print(words("rerun.post", lang, post=meeting.post(post).name, k=seats,
                            names=sep.join(plan.candidates[post])))
    if print_now:
        print_forms(directory, round_ids=[plan.round_id], group_ids=None, spares=spares, test=False, out=None,
                    font=font, paper="A4", operator=operator)


@app.command()
@user_errors
def export(
    directory: Annotated[Path, typer.Argument(help="The meeting folder")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, json or xlsx")] = "xlsx",
    out: Annotated[Path | None, typer.Option("--out", help="File (json, xlsx) or folder (csv) [default: DIR/export]")]
    = None,
    bom: Annotated[bool | None, typer.Option("--bom/--no-bom", help="UTF-8 with a BOM mark (csv, json) [default: "
                                             "CSV of a Chinese meeting has one, so Excel on Chinese Windows reads it; "
                                             "--no-bom for scripts]")] = None,
) -> None:
    """Export the results: CSV (one file per round), JSON, or XLSX (one sheet per round and the ranking)."""
    from cli.export import write_export

    fmt = fmt.lower()
    if fmt not in ("csv", "json", "xlsx"):
        raise fail(f'--format "{fmt}" is not known; use csv, json or xlsx', 2)
    _, store, meeting = _open_accepted(directory)
    try:
        from archive.results import collect

        results = collect(store, meeting)
    finally:
        store.close()
    if bom is None:
        bom = fmt == "csv" and meeting.language == "zh"
    paths = write_export(meeting, results, fmt, out or directory / "export", bom)
    for p in paths:
        console.print(str(p), soft_wrap=True)


@app.command()
@user_errors
def serve(
    directory: Annotated[Path, typer.Argument(help="The meeting folder")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on; 0.0.0.0 lets stations on the LAN in")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port")] = 8000,
    max_viewers: Annotated[int, typer.Option("--max-viewers", min=1, help="Live pages open at once (board, 唱票, "
                                             "review); more are told to wait, stations are never starved")] = 200,
    max_viewers_per_address: Annotated[int, typer.Option("--max-viewers-per-address", min=1,
                                                         help="Live pages open at once from one computer")] = 20,
) -> None:
    """Start the meeting server: projector board, 唱票 view, review queue, stations and the station API."""
    import socket

    import uvicorn

    from board.app import create_app, lan_addresses, raise_open_files, station_qr_text

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:  # before any URL is printed
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise fail(f"port {port} is in use (another `tallykit serve`?); try --port {port + 1}", 1) from None
            raise fail(f"cannot listen on {host}:{port} ({exc.strerror}); check --host", 1) from None
    raise_open_files()
    others = lan_addresses() if host in ("0.0.0.0", "::") else []
    app_ = create_app(directory, max_viewers=max_viewers, max_viewers_per_address=max_viewers_per_address,
                      station_urls=tuple(f"http://{address}:{port}" for address in others))
    token = app_.state.service.token
    local = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    console.print(say(f"投影大屏：  {local}/board", f"board (projector):  {local}/board"), soft_wrap=True)
    console.print(say(f"唱票屏幕：  {local}/changpiao", f"唱票 (reading out): {local}/changpiao"), soft_wrap=True)
    console.print(say(f"复核队列：  {local}/review?token={token}", f"review queue:       {local}/review?token={token}"),
                  soft_wrap=True)
    console.print(say(f"扫描站：    {local}/stations", f"stations:           {local}/stations"), soft_wrap=True)
    if host in ("0.0.0.0", "::"):
        for address in others:
            console.print(say(f"其他电脑访问：http://{address}:{port}/board",
                              f"from other laptops: http://{address}:{port}/board"), soft_wrap=True)
        station = f"http://{others[0]}:{port}" if others else f"http://<this laptop's address>:{port}"
        console.print(say(f"扫描站电脑运行（会议文件夹 = 该电脑上本会议文件夹的副本）：\n"
                          f"  tallykit scan 会议文件夹 --camera 0 --server {station} --token {token}",
                          f"a station laptop scans with (MEETING = its copy of this meeting folder):\n"
                          f"  tallykit scan MEETING --camera 0 --server {station} --token {token}"), soft_wrap=True)
        if others:  # the station address as a QR code, for a phone or a laptop camera to open
            console.print(say(f"扫描站地址 {station}：", f"station address {station}:"), soft_wrap=True)
            console.print(station_qr_text(station), highlight=False, soft_wrap=True)
        if not others:
            console.print(say("没有找到网络地址：请把本电脑接入会场网络",
                              "no network address found: connect this laptop to the hall's network"), soft_wrap=True)
    else:
        console.print(say(f"其他电脑要作为扫描站，服务器需以 `--host 0.0.0.0` 启动；在本电脑上另开一个窗口扫描："
                          f"tallykit scan {directory} --camera 0 --server {local} --token {token}",
                          f"stations on other laptops need `--host 0.0.0.0`; on this laptop a second window scans "
                          f"with: tallykit scan {directory} --camera 0 --server {local} --token {token}"),
                      soft_wrap=True)
    uvicorn.run(app_, host=host, port=port, log_level="warning")


@app.command()
@user_errors
def seal(
    directory: Annotated[Path, typer.Argument(help="The meeting folder")],
    round_ids: Annotated[list[str] | None, typer.Option("--round", "-r", help="Seal this round (repeatable)")] = None,
    all_rounds: Annotated[bool, typer.Option("--all", help="Seal every round not sealed yet")] = False,
    force: Annotated[bool, typer.Option("--force", help="Seal although sheets still wait in review (needs --reason)")]
    = False,
    reason: Annotated[str, typer.Option("--reason", help="Why sealing is forced; printed on the report sheets")] = "",
    make_zip: Annotated[bool, typer.Option("--zip", help="Also write the bundle as one .zip file")] = False,
    font: Annotated[Path | None, typer.Option("--font", help="A TTF/TTC/OTF font with the meeting's characters")]
    = None,
    operator: Operator = "",
) -> Path:
    """Freeze rounds (no more sheets, decisions or entries), sign the results, write the report sheets and the
    archive bundle."""
    from archive.bundle import seal as seal_rounds

    if bool(round_ids) == all_rounds:
        raise fail("give --round R (one or more) or --all", 2)
    if force and not reason.strip():
        raise fail("--force needs --reason \"why\": the reason is printed on the report sheets", 2)
    folder, store, meeting = _open_accepted(directory)
    try:
        if folder.accepted(store).changed:
            raise fail("meeting.toml was edited after it was accepted; run `tallykit check DIR` (or put it back) "
                       "before sealing", 1)
        todo = [r.id for r in meeting.rounds] if all_rounds else list(round_ids or [])
        result = seal_rounds(folder, store, meeting, todo, operator or default_operator(meeting),
                             reason.strip() if force else None, make_zip=make_zip, font=font)
    finally:
        store.close()
    if result.rounds:
        names = "、".join(meeting.round(r).name for r in result.rounds)
        console.print(say(f"已封存：{names}", f"sealed: {names}"))
    else:
        console.print(say("已经封存：归档包已重新生成", "already sealed: its bundle was written again"))
    console.print(say(f"结果摘要（SHA-256）：{result.digest}", f"results digest (SHA-256): {result.digest}"))
    console.print(say(f"归档包：{result.bundle}", f"bundle: {result.bundle}"), soft_wrap=True)
    if result.zip:
        console.print(say(f"压缩包：{result.zip}", f"zip:    {result.zip}"), soft_wrap=True)
    console.print(say("请打印以下报告单并签字：", "report sheets to print and sign:"))
    for p in result.reports:
        console.print(f"  {p}", soft_wrap=True)
    return result.bundle


@app.command()
@user_errors
def verify(
    bundle: Annotated[Path, typer.Argument(help="An archive bundle folder (DIR/archive/...) or its .zip")],
    fingerprint: Annotated[
        str | None, typer.Option("--fingerprint", help="The key fingerprint printed on the signed report sheets; "
                                 "the bundle must be signed with that key")
    ] = None,
) -> None:
    """Check an archive bundle: every file's hash, the signature, the audit chain, the sheet images, and the results
    recomputed from the readings and decisions. Exit 0 when all hold, 1 naming each difference."""
    from archive.bundle import verify as verify_bundle

    v = verify_bundle(bundle, fingerprint)
    labels = {"files": "文件", "meeting": "会议", "results digest": "结果摘要", "sealed": "封存",
              "key fingerprint": "密钥指纹", "recomputed digest": "重新计算的摘要",
              "readings rechecked": "复核的识别记录"}
    for k, value in v.facts.items():
        console.print(f"{say(labels.get(k, k), k)}: {value}", soft_wrap=True, highlight=False)
    if v.ok and fingerprint:
        console.print(say("[bold green]核验通过[/bold green]：归档包自用报告单上所印密钥签名以来未被改动",
                          "[bold green]OK[/bold green]: the bundle is unchanged since it was signed with the key "
                          "printed on the paper"), soft_wrap=True)
        return
    if v.ok:  # whoever holds a key can sign a bundle: only the paper says whose key it must be
        from rich.panel import Panel

        key = v.facts.get("key fingerprint", "?")
        console.print(Panel(f"[bold]{key}[/bold]", title=say("签名密钥", "signed by key"), expand=False))
        console.print(say(f"[bold green]核验通过，签名密钥 {key}[/bold green]：归档包自该密钥签名以来未被改动。"
                          f'请把此密钥与签字报告单上印的指纹核对，或运行 `tallykit verify {bundle} --fingerprint "…"`',
                          f"[bold green]OK, signed by key {key}[/bold green]: the bundle is unchanged since this key "
                          "signed it. Compare this key with the fingerprint printed on the signed report sheets, or "
                          f'run `tallykit verify {bundle} --fingerprint "…"` with it'), soft_wrap=True)
        return
    for problem in v.problems:
        typer.echo(say(f"已改动：{problem}", f"CHANGED: {problem}"), err=True)
    typer.echo(say(f"核验未通过：{len(v.problems)} 处问题；归档包与签名时不一致",
                   f"verify failed: {len(v.problems)} problem(s); the bundle is not as it was signed"), err=True)
    raise typer.Exit(1)


@app.command()
@user_errors
def attach(
    directory: Annotated[Path, typer.Argument(help="The meeting folder")],
    image: Annotated[Path | None, typer.Option("--image", help="A photo of the signed report sheet")] = None,
    camera: Annotated[int | None, typer.Option("--camera", help="Take the photo with this camera")] = None,
    operator: Operator = "",
) -> None:
    """Recognise a signed report sheet by its QR code, check it was printed from the sealed results, and keep its
    photo in the archive (a new bundle is written)."""
    import cv2

    from archive.bundle import attach as attach_photo
    from archive.reports import qr_box
    from scanner import sources
    from scanner.qr import find_codes

    if (image is None) == (camera is None):
        raise fail("give --image PHOTO or --camera N", 2)
    folder, store, meeting = _open_accepted(directory)
    try:
        x, y, size = qr_box()
        codes: list[str] = []
        if image is not None:
            try:
                data = image.read_bytes()
            except OSError:  # no such file, a folder, no permission
                raise fail(f"{image}: cannot be read as a picture (JPEG or PNG)", 2) from None
            w, h = sources.image_size(data) or (0, 0)
            if sources.oversize(w, h):  # never decoded
                raise fail(f"{image}: too large: {w}×{h} pixels (at most {sources.MAX_IMAGE_PIXELS // 1_000_000} "
                           "megapixels)", 2)
            frame = sources.decode_colour(data)
            if frame is None:
                raise fail(f"{image}: cannot be read as a picture (JPEG or PNG)", 2)
            codes = find_codes(frame, ((x, y, size, size),))
        else:
            waiting = say("请把签好字的报告单放在摄像头下……", "hold the signed report sheet under the camera…")
            with console.status(waiting):
                for n, shot in enumerate(sources.camera(camera or 0)):
                    codes = find_codes(shot.image, ((x, y, size, size),))
                    if any(c.startswith("TKR1:") for c in codes) or n > 300:
                        frame = shot.image
                        break
        reports = [c for c in codes if c.startswith("TKR1:")]
        if not reports:
            raise fail("no report sheet QR code found in the picture; show the whole sheet, flat and sharp", 1)
        raw = data if image is not None else b""
        if not raw.startswith(b"\xff\xd8"):  # a JPEG photo is kept as it is; anything else is stored as JPEG
            raw = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
        done = attach_photo(folder, store, meeting, reports[0], raw,
                            image.name if image is not None else f"camera-{camera}.jpg",
                            operator or default_operator(meeting))
    finally:
        store.close()
    what, digest = f"{done.kind} {done.round_id or ''}", done.digest[:16]
    console.print(say(f"已存档 #{done.attachment_id}：{what}（结果 {digest}…）",
                      f"attached #{done.attachment_id}: {what} (results {digest}…)"))
    console.print(say(f"新归档包：{done.bundle}", f"new bundle: {done.bundle}"), soft_wrap=True)


@app.command()
@user_errors
def demo(
    directory: Annotated[Path, typer.Argument(help="Folder for the demo meeting (replaced if a demo made it)")]
    = Path("demo-meeting"),
    operator: Operator = "",
) -> None:
    """Run a whole meeting on the built-in sample: print, fill, film, scan, review, tally, seal and verify."""
    from archive.results import collect, tables
    from cli.demo import run

    bundle = run(console, directory, operator or default_operator())
    _, store, meeting = _open_accepted(directory)
    try:
        results = collect(store, meeting)
    finally:
        store.close()
    console.rule("结果 · results")
    if meeting.composite is not None:
        rows = tables(meeting, results)[meeting.composite.name]
        table = Table(title=meeting.composite.name, title_justify="left")
        for i, h in enumerate(rows[0]):  # every column shown, headers wrapped (never cut with "…") to fit
            table.add_column(h, justify="left" if i < 2 else "right", overflow="fold")
        for row in rows[1:]:
            table.add_row(*row)
        console.print(table)
    console.print("PDFs:")
    for pdf in sorted((directory / "print").glob("*.pdf")) + sorted((bundle / "reports").glob("*.pdf")):
        console.print(f"  {pdf}", soft_wrap=True, highlight=False)
    console.print(f"verified bundle: {bundle}", soft_wrap=True, highlight=False)


from cli.ledger import ledger_app  # noqa: E402  (registered after the shared pieces it uses are defined)

app.add_typer(ledger_app, name="ledger")


def main() -> None:
    from cli.help_zh import localise, system_language, typer_words_in_chinese

    try:
        if system_language() == "zh":  # --help (and typer's own words) in the system's language
            typer_words_in_chinese()
            command = typer.main.get_command(app)
            localise(command)
            command(prog_name="tallykit")
        else:
            app()
    except KeyboardInterrupt:
        typer.echo(say("已中断；未保留任何写了一半的内容", "interrupted; nothing half-written was kept"), err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()

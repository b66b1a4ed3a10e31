"""`tallykit ledger …`: the year's ledger (积分量化) — create one from a built-in scheme, record 加分/扣分 entries
and corrections, and see the quarter summary or the year-end ranking."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal, InvalidOperation
from decimal import Decimal as D
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

import templates

ledger_app = typer.Typer(help="The year's ledger: people carried through the year's evaluations (积分量化).",
                         no_args_is_help=True, rich_markup_mode=None)


def _main():  # the shared pieces of cli.main, imported late (cli.main registers this app)
    from cli import main

    return main


def _user_errors(fn):
    """cli.main's user_errors, looked up when the command runs (cli.main imports this module at its end)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return _main().user_errors(fn)(*args, **kwargs)

    return wrapper


@ledger_app.command("templates")
def ledger_templates() -> None:
    """List the built-in ledger schemes."""
    main = _main()
    table = Table(title="Built-in ledger schemes (tallykit ledger init --template NAME DIR)", title_justify="left")
    table.add_column("NAME")
    table.add_column("方案")
    table.add_column("What it counts")
    for t in templates.LEDGER_TEMPLATES:
        table.add_row(t.name, t.title, t.description)
    main.console.print(table)


@ledger_app.command("init")
@_user_errors
def ledger_init(
    directory: Annotated[Path, typer.Argument(help="New (or empty) folder for the ledger")],
    template: Annotated[str, typer.Option("--template", "-t", help="Built-in scheme (see `ledger templates`)")]
    = "ledger-shuangqianfen",
    operator: Annotated[str, typer.Option("--operator", help="Who is doing this, for the audit log")] = "",
) -> None:
    """Create a ledger folder: ledger.toml (people, categories, caps, levels) and its store."""
    from ledger.store import Ledger

    main = _main()
    chosen = templates.get_ledger(template)
    if chosen is None:
        known = ", ".join(t.name for t in templates.LEDGER_TEMPLATES)
        raise main.fail(f'unknown template "{template}"; choose one of: {known}', 2)
    with Ledger.init(directory, chosen.read_text(), operator or main.default_operator()) as ledger:
        scheme = ledger.scheme()
    main.console.print(main.say(f"已新建积分台账：{scheme.title}（{len(scheme.people)} 人）；编辑 "
                                f"{directory}/ledger.toml 后运行 tallykit ledger check {directory}",
                                f"ledger created: {scheme.title} ({len(scheme.people)} people); edit "
                                f"{directory}/ledger.toml, then run tallykit ledger check {directory}"),
                       soft_wrap=True)


@ledger_app.command("check")
@_user_errors
def ledger_check(
    directory: Annotated[Path, typer.Argument(help="The ledger folder")],
    operator: Annotated[str, typer.Option("--operator", help="Who is doing this, for the audit log")] = "",
) -> None:
    """Check the edited ledger.toml and accept it (recorded in the audit log)."""
    from ledger.store import Ledger

    main = _main()
    with Ledger.open(directory) as ledger:
        version = ledger.accept(operator or main.default_operator())
    main.console.print(main.say(f"ledger.toml 有效；已确认为第 {version} 版", f"ledger.toml: valid; version "
                                f"{version} accepted"))


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _main().fail(f'{what} "{text}" is not a number; write it like 10 or -2.5', 2) from None
    if not value.is_finite() or abs(value) > 100000 or value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise _main().fail(f"{what} {text} is out of range (at most 100000, two decimals)", 2)
    return value


@ledger_app.command("add")
@_user_errors
def ledger_add(
    directory: Annotated[Path, typer.Argument(help="The ledger folder")],
    person: Annotated[str, typer.Option("--person", "-p", help="Person id, e.g. P01")],
    category: Annotated[str, typer.Option("--category", "-c", help="Category id, e.g. JL")],
    points: Annotated[str, typer.Option("--points", help="Points to add (negative for a deduction, 扣分)")],
    reason: Annotated[str, typer.Option("--reason", help="Why: the event, e.g. 抗洪抢险")],
    date: Annotated[str, typer.Option("--date", help="When it happened, 2027-03-15 [default: today]")] = "",
    photo: Annotated[Path | None, typer.Option("--photo", help="A photo of the evidence (JPEG or PNG), kept with "
                                               "the entry")] = None,
    operator: Annotated[str, typer.Option("--operator", help="Who records it, for the audit log")] = "",
) -> None:
    """Record a 加分/扣分 entry (never edited later: `ledger reverse` takes it back)."""
    from ledger.store import Ledger

    main = _main()
    try:
        when = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        raise main.fail(f'--date "{date}" is not a date; write it like 2027-03-15', 2) from None
    value = _decimal(points, "--points")
    evidence = None
    if photo is not None:
        if not photo.is_file():
            raise main.fail(f"{photo}: no such photo", 2)
        raw = photo.read_bytes()
        if len(raw) > 20 * 1024 * 1024 or not (raw.startswith(b"\xff\xd8") or raw.startswith(b"\x89PNG")):
            raise main.fail(f"{photo}: give a JPEG or PNG photo of at most 20 MB", 2)
        evidence = (photo.name, raw)
    with Ledger.open(directory) as ledger:
        entry = ledger.add(person, category, when, value, reason, operator or main.default_operator(),
                           evidence=evidence)
    main.console.print(main.say(f"已记录 #{entry}", f"recorded #{entry}"))


@ledger_app.command("reverse")
@_user_errors
def ledger_reverse(
    directory: Annotated[Path, typer.Argument(help="The ledger folder")],
    entry: Annotated[int, typer.Option("--entry", help="The entry to take back, e.g. 12")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is taken back")],
    operator: Annotated[str, typer.Option("--operator", help="Who corrects it, for the audit log")] = "",
) -> None:
    """Take back an entry: a new entry reverses it; both stay in the audit log, neither counts."""
    from ledger.store import Ledger

    main = _main()
    with Ledger.open(directory) as ledger:
        new = ledger.reverse(entry, reason, operator or main.default_operator())
    main.console.print(main.say(f"已冲销 #{entry}（#{new}）", f"reversed #{entry} (#{new})"))


@ledger_app.command("summary")
@_user_errors
def ledger_summary(
    directory: Annotated[Path, typer.Argument(help="The ledger folder")],
    quarter: Annotated[int, typer.Option("--quarter", "-q", min=1, max=4,
                                         help="Through this quarter (一季一汇总); 4 is the year-end ranking")] = 4,
    out: Annotated[Path | None, typer.Option("--out", help="Also write it as XLSX and PDF into this folder")] = None,
    font: Annotated[Path | None, typer.Option("--font", help="A TTF/TTC/OTF font with the ledger's characters")]
    = None,
) -> None:
    """The standings: per person and category year to date, the quarter's points, rank (ties shared), what a cap
    cut, and at year end the levels."""
    from ledger.points import half_up, summary
    from ledger.store import Ledger

    main = _main()
    with Ledger.open(directory) as ledger:
        problem = ledger.check_chain()
        scheme, entries = ledger.scheme(), ledger.entries()
    if problem:
        raise main.fail(f"{problem}; stop, keep every file as it is, and tell the chair", 1)
    result = summary(scheme, entries, quarter)
    zh = scheme.language == "zh"
    title = f"{scheme.title}　" + (f"第{quarter}季度汇总" if zh and quarter < 4 else "年度总排名" if zh else
                                    f"through Q{quarter}")
    table = Table(title=title, title_justify="left")
    for h in (["名次", "姓名", "单位"] if zh else ["Rank", "Name", "Unit"]):
        table.add_column(h)
    for c in scheme.categories:
        table.add_column(c.name + (f"（上限{c.cap.normalize():f}）" if zh and c.cap is not None else ""),
                         justify="right", overflow="fold")
    table.add_column("本季" if zh else "Quarter", justify="right")
    table.add_column("累计" if zh else "Total", justify="right")
    if quarter == 4:
        table.add_column("等次" if zh else "Level")
    for s in result.standings:
        p = scheme.person(s.person)
        cells = [f"{s.rank}{'（并列）' if zh and s.tied else ' (tie)' if s.tied else ''}", p.name, p.unit]
        for ln in s.lines:
            shown = f"{half_up(ln.counted, scheme.decimals)}"
            cells.append(shown + (f"（超限{ln.cut.normalize():f}未计）" if zh and ln.cut else
                                  f" ({ln.cut.normalize():f} over cap)" if ln.cut else ""))
        cells += [f"{s.quarter}", f"{s.total}"]
        if quarter == 4:
            cells.append(s.level or "")
        table.add_row(*cells)
    main.console.print(table)
    if out is not None:
        from ledger.sheets import write_summary_pdf, write_summary_xlsx

        out.mkdir(parents=True, exist_ok=True)
        stem = f"{scheme.year}-Q{quarter}" if quarter < 4 else f"{scheme.year}-年度"
        write_summary_xlsx(out / f"{stem}-汇总.xlsx", scheme, result)
        write_summary_pdf(out / f"{stem}-汇总.pdf", scheme, result, _font(scheme, font))
        main.console.print(main.say(f"已写出：{out / (stem + '-汇总.xlsx')}、{out / (stem + '-汇总.pdf')}",
                                    f"written: {out / (stem + '-汇总.xlsx')}, {out / (stem + '-汇总.pdf')}"),
                           soft_wrap=True)
    for note in result.notes:
        if note.startswith("level_none:"):
            _, level, share, n = note.split(":")
            pct = f"{D(share) * 100:.0f}%"
            main.console.print(main.say(f"! {level}：名额为 {n} 人的 {pct}，不足 1 人，无人评为{level}",
                                        f"! {level}: {pct} of {n} people is less than one person; "
                                        "nobody gets it"), soft_wrap=True)
        if note.startswith("level_tie:"):
            _, level, total = note.split(":")
            main.console.print(main.say(f"! {level}：{total} 分并列跨过名额上限，并列者均不评为{level}",
                                        f"! {level}: a tie at {total} crosses the level's share; none of the "
                                        "tied get it"), soft_wrap=True)


@ledger_app.command("import")
@_user_errors
def ledger_import(
    directory: Annotated[Path, typer.Argument(help="The ledger folder")],
    bundle: Annotated[Path, typer.Argument(help="A sealed meeting's archive bundle (folder or .zip)")],
    conversion: Annotated[str, typer.Option("--conversion", help="The ledger's conversion to apply, e.g. QFZ")],
    fingerprint: Annotated[str | None, typer.Option("--fingerprint", help="The key fingerprint printed on the "
                                                    "meeting's signed report sheets")] = None,
    mapping: Annotated[list[str] | None, typer.Option("--map", help="CANDIDATE=PERSON, when the names do not "
                                                      "say it (repeatable)")] = None,
    person: Annotated[str, typer.Option("--person", help="Whom a survey's satisfaction is about")] = "",
    date: Annotated[str, typer.Option("--date", help="The entries' date [default: the meeting's date]")] = "",
    operator: Annotated[str, typer.Option("--operator", help="Who imports it, for the audit log")] = "",
) -> None:
    """Import a sealed meeting: verify its bundle, match its candidates to people (asking on any doubt), convert
    the chosen result into a category's points. The same bundle counts once."""
    from archive.bundle import sealed_results
    from ledger.importer import convert, match_people
    from ledger.store import Ledger

    main = _main()
    pairs = {}
    for item in mapping or []:
        cid, _, pid = item.partition("=")
        if not cid.strip() or not pid.strip():
            raise main.fail(f'--map "{item}" is not CANDIDATE=PERSON, e.g. C01=P01', 2)
        pairs[cid.strip()] = pid.strip()
    with Ledger.open(directory) as ledger:
        scheme = ledger.scheme()
        chosen = next((c for c in scheme.conversions if c.id == conversion), None)
        if chosen is None:
            known = ", ".join(c.id for c in scheme.conversions) or "none"
            raise main.fail(f'"{conversion}" is not a conversion of this ledger; conversions: {known}', 2)
        sealed = sealed_results(bundle, fingerprint)
        people, outside = match_people(scheme, sealed.meeting, pairs)
        rows = convert(chosen, sealed.meeting, sealed.results, set(sealed.sealed), people, person)
        try:
            when = dt.date.fromisoformat(date) if date else sealed.meeting.info.date
        except ValueError:
            raise main.fail(f'--date "{date}" is not a date; write it like 2027-03-15', 2) from None
        title = f"{sealed.meeting.info.title} ({sealed.meeting.info.id})"
        measure = {"composite": "综合成绩", "rating_points": "测评得分", "judge_mean": "评委平均分",
                   "vote_share": "得票率", "satisfaction": "满意率"}.get(chosen.measure, chosen.measure) \
            if scheme.language == "zh" else chosen.measure
        reasons = [(r.person, r.points, f"{title}：{measure} {r.value.normalize():f} × "
                    f"{chosen.factor.normalize():f}") for r in rows]
        ids = ledger.import_points(sealed.digest, chosen.id, str(bundle), title, chosen.category, when, reasons,
                                   operator or main.default_operator())
    main.console.print(main.say(f"已导入 {len(ids)} 条：{title}，结果摘要 {sealed.digest[:16]}…",
                                f"imported {len(ids)} entries: {title}, results {sealed.digest[:16]}…"),
                       soft_wrap=True)
    if outside:
        main.console.print(main.say("不在本台账中的候选人（未导入）：", "candidates who are not in this ledger "
                                    "(not imported): ") + "、".join(outside), soft_wrap=True)


@ledger_app.command("sheet")
@_user_errors
def ledger_sheet(
    directory: Annotated[Path, typer.Argument(help="The ledger folder")],
    file: Annotated[Path, typer.Argument(help="An .xlsx or .csv with columns 人员, 项目, 日期, 分值, 原因")],
    operator: Annotated[str, typer.Option("--operator", help="Who imports it, for the audit log")] = "",
) -> None:
    """Import a spreadsheet of entries (e.g. the month's 签到 record): every row checked first; one bad row stops
    it with the row and column named, and nothing is recorded."""
    import hashlib

    from ledger.sheet import read_sheet
    from ledger.store import Ledger

    main = _main()
    with Ledger.open(directory) as ledger:
        rows = read_sheet(file, ledger.scheme())
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        ids = ledger.import_sheet(file.name, digest, [(r.person, r.category, r.date, r.points, r.reason)
                                                       for r in rows], operator or main.default_operator())
    main.console.print(main.say(f"已导入 {len(ids)} 条：{file.name}", f"imported {len(ids)} entries: {file.name}"))


def _font(scheme, explicit: Path | None):
    from ballots.fonts import find_font

    fixed = ("名次姓名单位合计等次公示期至异议反映注超出上限分未计入并列跨过额均不评为内容摘要签名密钥指纹封存经办"
             "审核日期年月盖章处一人一档生度截至第季累记录项目原因与来源录入会议结果表格导手工冲销已半全组织部门请向"
             "间如有，。：（）“”…")
    text = scheme.title + "".join(p.name + p.unit + p.post for p in scheme.people) + \
        "".join(c.name for c in scheme.categories) + "".join(lv.name for lv in scheme.levels) + scheme.objections + \
        fixed
    return find_font(text, explicit)


@ledger_app.command("notice")
@_user_errors
def ledger_notice(
    directory: Annotated[Path, typer.Argument(help="The ledger folder")],
    half: Annotated[int, typer.Option("--half", min=1, max=2, help="1: the first half (quarters 1-2); 2: the year")],
    start: Annotated[str, typer.Option("--from", help="First day of the 公示 [default: today]")] = "",
    font: Annotated[Path | None, typer.Option("--font", help="A TTF/TTC/OTF font with the ledger's characters")]
    = None,
    operator: Annotated[str, typer.Option("--operator", help="Who seals it, for the audit log")] = "",
) -> None:
    """半年一公示: seal the period (its entries are frozen), sign its standings with the ledger's key and write the
    公示 sheet (list, points, rank, 公示期, where to object, digest and QR code, signature and stamp lines).
    A period already sealed is printed again as it was sealed."""
    from ledger.points import summary
    from ledger.sheets import notice_document, write_notice
    from ledger.store import Ledger

    main = _main()
    period = f"H{half}"
    with Ledger.open(directory) as ledger:
        problem = ledger.check_chain()
        if problem:
            raise main.fail(f"{problem}; stop, keep every file as it is, and tell the chair", 1)
        scheme = ledger.scheme()
        sealed = next((p for p in ledger.periods() if p["period"] == period), None)
        if sealed is None:
            try:
                first = dt.date.fromisoformat(start) if start else dt.date.today()
            except ValueError:
                raise main.fail(f'--from "{start}" is not a date; write it like 2027-07-05', 2) from None
            last = first + dt.timedelta(days=scheme.notice_days - 1)
            result = summary(scheme, ledger.entries(), 2 if half == 1 else 4)
            document = notice_document(scheme, result, period, first, last)
            sealed = ledger.seal_period(period, document, first, last, operator or main.default_operator())
        else:
            sealed = sealed | {"fingerprint": ledger.public_fingerprint()}
        out = directory / "notices"
        out.mkdir(exist_ok=True)
        path = out / f"{scheme.year}-{period}-公示.pdf"
        write_notice(path, scheme, sealed, _font(scheme, font))
    main.console.print(main.say(f"已封存 {period}（摘要 {sealed['digest'][:16]}…）；公示单：{path}",
                                f"{period} sealed (digest {sealed['digest'][:16]}…); notice: {path}"),
                       soft_wrap=True)


@ledger_app.command("files")
@_user_errors
def ledger_files(
    directory: Annotated[Path, typer.Argument(help="The ledger folder")],
    quarter: Annotated[int, typer.Option("--quarter", "-q", min=1, max=4, help="Through this quarter")] = 4,
    font: Annotated[Path | None, typer.Option("--font", help="A TTF/TTC/OTF font with the ledger's characters")]
    = None,
) -> None:
    """一人一档: one PDF per person — every entry with its date and source, quarter subtotals, rank and level."""
    from ledger.points import summary
    from ledger.sheets import write_person_file
    from ledger.store import Ledger

    main = _main()
    with Ledger.open(directory) as ledger:
        scheme, entries = ledger.scheme(), ledger.entries()
        imports = {i["digest"]: i["meeting"] for i in ledger.imports()}
    result = summary(scheme, entries, quarter)
    spec = _font(scheme, font)
    out = directory / "files"
    out.mkdir(exist_ok=True)
    for p in scheme.people:
        write_person_file(out / f"{p.id}-{p.name}.pdf", scheme, p.id, [e for e in entries if e.person == p.id],
                          result, imports, spec)
    main.console.print(main.say(f"已生成 {len(scheme.people)} 份一人一档：{out}",
                                f"{len(scheme.people)} per-person files: {out}"), soft_wrap=True)


@ledger_app.command("verify")
@_user_errors
def ledger_verify(directory: Annotated[Path, typer.Argument(help="The ledger folder")]) -> None:
    """Recompute everything from the store: the audit chain, every entry against it, each sealed 公示 against
    its signature and against the entries, and each imported meeting's bundle where it still is."""
    from ledger.verify import verify

    main = _main()
    found = verify(directory)
    if found.problems:
        for line in found.problems:
            typer.echo(main.say(f"不一致：{line}", f"CHANGED: {line}"), err=True)
        raise typer.Exit(1)
    main.console.print(main.say(f"核验通过：{found.entries} 条记录、审计链、已封存的公示与 {found.bundles} 个导入的"
                                "归档包均一致",
                                f"OK: {found.entries} entries, the audit chain, the sealed notices and {found.bundles} "
                                "imported bundles agree"))


@ledger_app.command("board")
@_user_errors
def ledger_board(
    directory: Annotated[Path, typer.Argument(help="The ledger folder")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port")] = 8010,
) -> None:
    """The year-end ranking on the projector (现场公布: A hides every rank, → shows one at a time from the last)."""
    import uvicorn

    from board.ledger_app import create_ledger_app
    from ledger.store import Ledger

    main = _main()
    Ledger.open(directory).close()  # a ledger folder, or one line saying it is not
    main.console.print(main.say(f"投影页面：http://{host}:{port}/ledger（?quarter=1 看季度汇总）",
                                f"projector page: http://{host}:{port}/ledger (?quarter=1 for a quarter)"),
                       soft_wrap=True)
    uvicorn.run(create_ledger_app(directory), host=host, port=port, log_level="warning")


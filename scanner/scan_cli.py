"""The scan verb's two modes, kept out of cli/ so the CLI stays thin: batch (photos, PDF pages: one frame,
one sheet) and live (camera, video: a reading commits after several identical frames)."""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ballots.geometry import Layout
from ballots.payload import layout_prefix
from meeting.errors_zh import in_chinese
from meeting.folder import MeetingFolder
from meeting.lang import outcome_words, reason_words, rejection_words, text
from meeting.model import Meeting
from meeting.store import Store
from scanner.live import LiveLoop
from scanner.reader import Rejected, SheetReader
from scanner.session import Outcome, ScanSession, forget_fingerprints
from scanner.sources import Frame

STYLE = {"counted": "green", "review": "yellow", "already_counted": "cyan", "refused": "bold red",
         "dry_run": "blue"}


def _reader(folder: MeetingFolder, store: Store, meeting: Meeting, dry_run: bool) -> SheetReader:
    layouts = {h: Layout.from_json(r["layout"]) for h, r in store.layouts().items()}
    if not layouts:
        from meeting.errors import StoreError

        raise StoreError("no forms were printed for this meeting yet; run `tallykit print` first")
    return SheetReader.for_meeting(meeting, folder.keys(store).hmac_secret, layouts, allow_test=dry_run)


def _line(console: Console, text: str) -> None:
    """One sheet's line: never wrapped mid-name, no automatic colouring of numbers (a third of rich's time)."""
    console.print(text, soft_wrap=True, highlight=False)


def describe(meeting: Meeting, outcome: Outcome | None, verdict) -> str:
    if isinstance(verdict, Rejected):
        return _rejected(meeting.language, verdict.message(meeting.language))
    return _describe_where(meeting, outcome, verdict.layout, verdict.payload.serial, verdict.payload.page)


def _describe_where(meeting: Meeting, outcome: Outcome | None, layout: Layout, serial: str | None, page: int) -> str:
    rnd = meeting.round(layout.round_id)
    where = f"{rnd.name} · {meeting.group(layout.group_id).name}"
    if serial:
        where += f" · No.{serial}"
    if len(layout.pages) > 1:
        where += f" · p{page}/{len(layout.pages)}"
    if outcome is None:
        return where
    style = STYLE.get(outcome.kind, "")
    lang = meeting.language
    line = f"[{style}]{outcome_words(outcome.kind, lang)}[/{style}]" + \
        (f" #{outcome.reading_id}" if outcome.reading_id else "")
    if outcome.reasons:
        shown = reason_words(meeting, layout.round_id, list(outcome.reasons[:4]))
        sep = "，" if lang == "zh" else ", "
        line += " (" + sep.join(shown) + (" …" if len(outcome.reasons) > 4 else "") + ")"
    if outcome.message:  # said in English by the store (an error's one wording): in the meeting's language here
        said = (in_chinese(outcome.message) or outcome.message) if lang == "zh" else outcome.message
        line += f"{_colon(lang)}{escape(said)}"
    return f"{line} — {where}"


def _summary(console: Console, meeting: Meeting, counts: Counter, dry_run: bool) -> None:
    zh = meeting.language == "zh"
    title = ("试读：未记录任何结果" if zh else "Dry run: nothing recorded") if dry_run else ("扫描汇总" if zh else
                                                                                     "Scan summary")
    table = Table(title=title, title_justify="left")
    table.add_column("结果" if zh else "outcome")
    table.add_column("张数" if zh else "sheets", justify="right")
    for kind, n in sorted(counts.items()):
        table.add_row(_outcome_row(kind, meeting.language), str(n))
    console.print(table)
    if counts.get("review"):
        console.print(f"{counts['review']} 张待复核：请在复核页面由人决定" if zh else
                      f"{counts['review']} sheet(s) wait in the review queue: a person decides them.")


def run_batch(console: Console, folder: MeetingFolder, store: Store, meeting: Meeting, frames: Iterable[Frame],
              operator: str, station: str, dry_run: bool, remote=None,
              left: Iterable[tuple[str, str]] = ()) -> None:
    """Frames read here one after another. `left`: files of a photo folder that are not read (name, why)."""
    reader = _reader(folder, store, meeting, dry_run)
    session = remote or ScanSession(store, meeting, station=station, operator=operator, dry_run=dry_run)
    counts: Counter = Counter()
    _not_opened(console, meeting, counts, left)
    for frame in frames:
        if frame.image is None:
            _unreadable(console, meeting, counts, frame.name, frame.problem)
            continue
        if remote is None and frame.key and store.has_reading(frame.key):  # a restarted scan skips what it recorded
            _scanned_before(console, meeting, counts, frame.name)
            continue
        verdict = reader.read(frame.image, colour=frame.colour)
        outcome = None if isinstance(verdict, Rejected) else session.commit(verdict, key=frame.key)
        counts[outcome.kind if outcome else f"rejected:{verdict.reason}"] += 1
        _line(console, f"{_where(frame.name, meeting.language)}: {describe(meeting, outcome, verdict)}")
    _summary(console, meeting, counts, dry_run)


def run_images(console: Console, folder: MeetingFolder, store: Store, meeting: Meeting, photos: Path,
               definition: str, operator: str, station: str, dry_run: bool, remote=None,
               workers: int | None = None) -> None:
    """A folder of photos: read on every core (a pool of reader processes), recorded here in the photos' order, a
    chunk of photos in one transaction. Small folders, stations and single-core machines read here, one photo
    after another."""
    from scanner import pool, sources

    paths = sources.image_paths(photos)
    left = sources.skipped(photos, meeting.language)  # said and counted as not read, never skipped in silence
    workers = min(pool.cores(), 8) if workers is None else workers
    if workers <= 1 or len(paths) < 8 or remote is not None:
        run_batch(console, folder, store, meeting, sources.images(photos, meeting.language), operator, station,
                  dry_run, remote, left)
        return
    reader = _reader(folder, store, meeting, dry_run)  # checks that forms were printed
    layouts = {h: r["layout"] for h, r in store.layouts().items()}
    session = ScanSession(store, meeting, station=station, operator=operator, dry_run=dry_run)
    counts: Counter = Counter()
    _not_opened(console, meeting, counts, left)
    for chunk in pool.read_all(paths, definition, reader.secret, layouts, allow_test=dry_run, station=station,
                               workers=workers):
        # A chunk's sheets are recorded in one transaction, then said: one write to the disk instead of one a
        # sheet (this process's work a photo 1.34 -> 0.76 ms, measured, CPU the readers need). A crash before its
        # commit loses none of what was said recorded; its photos are read again at the next scan.
        outcomes: list[Outcome | str | None] = []
        try:
            with store.db.atomic():
                for done in chunk:
                    if done.draft is None:
                        outcomes.append(None)
                    elif store.has_reading(done.key):  # a restarted scan skips what it recorded
                        outcomes.append("before")
                    else:
                        outcomes.append(session.record(done.draft))
        except BaseException:
            forget_fingerprints()  # reading ids cached in the rolled-back chunk may be given to other sheets
            raise
        for done, outcome in zip(chunk, outcomes, strict=True):
            if outcome is None:
                if done.reason == "unreadable":
                    _unreadable(console, meeting, counts, done.name, done.problem)
                else:
                    counts[f"rejected:{done.reason}"] += 1
                    said = _rejected(meeting.language, done.problem or "")
                    _line(console, f"{_where(done.name, meeting.language)}: {said}")
            elif outcome == "before":
                _scanned_before(console, meeting, counts, done.name)
            else:
                assert isinstance(outcome, Outcome) and done.draft is not None
                counts[outcome.kind] += 1
                _line(console, f"{_where(done.name, meeting.language)}: "
                      f"{describe_draft(meeting, outcome, done.draft, reader)}")
    _summary(console, meeting, counts, dry_run)


def _unreadable(console: Console, meeting: Meeting, counts: Counter, name: str, problem: str | None) -> None:
    counts["unreadable"] += 1
    lang = meeting.language
    why = problem or text("unreadable.decode", lang)
    _line(console, f"{_where(name, lang)}: [red]{outcome_words('unreadable', lang)}[/red]{_colon(lang)}{escape(why)}")


def _not_opened(console: Console, meeting: Meeting, counts: Counter, left: Iterable[tuple[str, str]]) -> None:
    """The files of a photo folder that are not read (name, why): each said and counted, never skipped in silence."""
    for name, why in left:
        _unreadable(console, meeting, counts, name, why)


def _scanned_before(console: Console, meeting: Meeting, counts: Counter, name: str) -> None:
    """A restarted scan skips the files it recorded: said once per file, never counted twice."""
    counts["already_counted"] += 1
    lang = meeting.language
    why = "此文件已扫描过" if lang == "zh" else "this file was scanned before"
    _line(console, f"{_where(name, lang)}: [cyan]{outcome_words('already_counted', lang)}[/cyan]{_colon(lang)}{why}")


def describe_draft(meeting: Meeting, outcome: Outcome, draft, reader: SheetReader) -> str:
    layout = reader.layouts[layout_prefix(draft.layout_hash)]
    return _describe_where(meeting, outcome, layout, draft.serial, draft.page)


def run_live(console: Console, folder: MeetingFolder, store: Store, meeting: Meeting, frames: Iterable[Frame],
             operator: str, station: str, dry_run: bool, show: bool, remote=None) -> None:
    reader = _reader(folder, store, meeting, dry_run)
    reader.prepare()  # the first sheet of each kind reads at camera rate (a batch draws what it needs as it goes)
    session = remote or ScanSession(store, meeting, station=station, operator=operator, dry_run=dry_run)
    loop = LiveLoop(reader, session, meeting.scan.confirm_frames)
    counts: Counter = Counter()
    last_status = ""
    preview = None
    if show:
        from scanner.preview import Preview

        preview = Preview(meeting.language)
    try:
        for frame in frames:
            event = loop.feed(frame.image)
            if event.outcome is not None:
                counts[event.outcome.kind] += 1
                sys.stdout.write("\a")  # the beep
                said = describe(meeting, event.outcome, event.verdict)
                _line(console, f"{_where(frame.name, meeting.language)}: {said}")
            elif event.status != last_status and console.is_terminal:  # status changes only on a screen
                console.print(f"[dim]{status_text(event.status, meeting.language)}[/dim]")
            last_status = event.status
            if preview is not None and not preview.show(frame.image, event, meeting.language):
                break
    except KeyboardInterrupt:
        console.print("已停止" if meeting.language == "zh" else "stopped")
    finally:
        if preview is not None:
            preview.close()
    _summary(console, meeting, counts, dry_run)


STATUS = {
    "no_page": ("请放入选票", "show a sheet"),
    "missing_marker": ("四角标记未全部看到：请完整放入", "a corner marker is hidden: show the whole sheet"),
    "two_pages": ("一次只放一张", "one sheet at a time"),
    "fit_error": ("纸张弯曲：请压平", "the sheet is bent: flatten it"),
    "too_far": ("太远：请靠近镜头", "too far: bring the sheet closer"),
    "low_resolution": ("摄像头分辨率太低：请换高清摄像头（720p以上）", "camera resolution too low: use 720p or better"),
    "blurred": ("模糊：请拿稳", "blurred: hold still"),
    "out_of_view": ("部分选票在画面外：请整张放入画面", "part of the sheet is out of view: bring it all in"),
    "layout_changed": ("此票为会议修改前印制：请重新印制", "printed before the meeting was changed: re-print"),
    "too_dark": ("太暗：请加光", "too dark: add light"),
    "boxes_unseen": ("框线看不清：避免过亮反光、压平、放画面中间", "outlines unseen: less glare, flatten, mid-picture"),
    "glare": ("反光：请调整角度", "glare: tilt the sheet"),
    "no_qr": ("二维码无法识别", "QR code unreadable"),
    "covered": ("选票有部分看不清（遮挡、反光或纸张不平）：请移开遮挡或把纸压平",
                "part of the sheet cannot be seen (covered, glare, or not flat): clear it or flatten it"),
    "low_contrast": ("校准条看不清：请加光、避免反光", "calibration strip unreadable: more light, less glare"),
    "paper_mismatch": ("纸张尺寸与版式不符", "the paper size does not match the form"),
    "hold_still": ("识别中，请保持不动", "reading, hold still"),
    "done_remove_sheet": ("已记录，请换下一张", "recorded: next sheet"),
}


def status_text(status: str, language: str) -> str:
    """A live status in a few words (a payload's rejection in its full words)."""
    pair = STATUS.get(status)
    if pair is None:
        return rejection_words(status, language)
    return pair[0] if language == "zh" else pair[1]


def _where(name: str, language: str) -> str:
    """Which picture a line is about: a photo's file name as it is (never read as markup), a PDF's page or a
    video's frame in the meeting's language."""
    numbered = re.fullmatch(r"(page|frame) (\d+)", name)
    if numbered and language == "zh":
        return f"第{numbered[2]}{'页' if numbered[1] == 'page' else '帧'}"
    return escape(name)


def _colon(language: str) -> str:
    return "：" if language == "zh" else ": "


def _rejected(language: str, message: str) -> str:
    """A picture that was not read, and why (the reason already in the meeting's language)."""
    return f"[red]{outcome_words('rejected', language)}[/red]{_colon(language)}{escape(message)}"


def _outcome_row(kind: str, language: str) -> str:
    """A summary row's name: an outcome, or a rejection with its reason in a few words."""
    code, _, reason = kind.partition(":")
    if not reason:
        return outcome_words(kind, language)
    what = re.split("[：:]", rejection_words(reason, language))[0]  # the what, not the how
    return f"{outcome_words(code, language)}{_colon(language)}{what}"



"""`tallykit demo`: a whole meeting on the built-in 竞聘演讲 + 民主测评 template, end to end.

print every sheet → fill them like people would (scanner/deck.py) → film them as a webcam would (a video) →
scan the video through the live loop → decide the review queue (demo reasons, logged) → enter the staff scores →
tally → seal → verify the bundle. Everything it writes is in the demo folder."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import cv2
import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from meeting.errors import TallyError

MARKER = ".tallykit-demo"
FRAME = (1920, 1080)
HOLD = 5  # frames a sheet stays in view (the live loop commits after 3 identical readings)
GAP = 2  # empty frames between sheets: the sheet left the view
# the share of rating forms filled in a way that needs a person: faint ticks, blank forms, two grades for one
# candidate; the rest are filled cleanly (some with stray dots the reader must ignore)
CATEGORIES = (("clean", 0.80), ("stray", 0.08), ("faint", 0.04), ("blank", 0.04), ("overvote", 0.04))
DEMO_REASONS = {
    "accept": "演示：复核人核对原票，按机器读数确认",
    "duplicate": "演示：同一张票重复扫描，不重复计票",
}


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)


class DemoFolderError(TallyError):
    exit_code = 2


def prepare_folder(directory: Path) -> None:
    if directory.exists():
        if not (directory / MARKER).is_file():
            raise DemoFolderError(f"{directory} exists and was not made by the demo; give another folder")
        shutil.rmtree(directory)


def run(console: Console, directory: Path, operator: str, seed: int = 2026) -> Path:
    """Run the demo meeting; returns the verified bundle's path."""
    from cli.main import init, print_forms

    started = time.perf_counter()
    prepare_folder(directory)
    console.rule("1. 创建会议 · create the meeting (template jingpin-ceping)")
    init(directory, template="jingpin-ceping", from_file=None, operator=operator)
    (directory / MARKER).touch()
    console.rule("2. 印制 · print every form")
    print_forms(directory, round_ids=None, group_ids=None, spares=2, test=False, out=None, font=None, paper="A4",
                operator=operator)
    video = directory / "demo-webcam.avi"
    n_sheets = film(console, directory, video, seed)
    console.rule(f"4. 扫描 · scan the video ({n_sheets} sheets) through the live loop")
    scan_video(console, directory, video, operator)
    console.rule("5. 复核 · the review queue, decided with demo reasons")
    review(console, directory)
    console.rule("6. 录入 · staff scores (党委政府综合评分)")
    enter_scores(directory, operator, seed)
    console.rule("7. 统分 · tally")
    from cli.main import tally_command

    tally_command(directory, round_id=None)
    console.rule("8. 封存 · seal every round, report sheets, signed bundle")
    from cli.main import seal, verify

    bundle = seal(directory, round_ids=None, all_rounds=True, force=False, reason="", make_zip=True, font=None,
                  operator=operator)
    console.rule("9. 校验 · verify the bundle")
    verify(bundle, fingerprint=None)  # exits 1, naming each difference, if it does not verify
    console.print(f"\ndemo finished in {time.perf_counter() - started:.0f} s", highlight=False)
    return bundle


def film(console: Console, directory: Path, video: Path, seed: int) -> int:
    """Fill every printed sheet and film it as a webcam would: a few frames per sheet, empty table between."""
    from scanner.deck import Deck, camera

    deck = Deck(directory)
    rng = np.random.default_rng(seed)
    counts = {(c.round_id, c.group_id): c.issued for c in _counts(directory)}
    pages = []
    for key, layout in sorted(deck.layouts.items()):
        for copy in range(counts.get(key, 0)):
            for page in range(1, len(layout.pages) + 1):
                pages.append((key, copy, page))
    names, weights = zip(*CATEGORIES, strict=True)
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, FRAME)
    if not writer.isOpened():
        raise TallyError(f"cannot write the demo video {video}; OpenCV has no MJPG writer here")
    table = _table(rng)
    # sensor noise that differs from frame to frame (a few pre-drawn patterns, added and taken away saturating)
    grain = [(rng.integers(0, 4, (FRAME[1], FRAME[0], 3), dtype=np.uint8),
              rng.integers(0, 4, (FRAME[1], FRAME[0], 3), dtype=np.uint8)) for _ in range(HOLD)]
    console.rule(f"3. 填票并拍摄 · fill {len(pages)} sheets like people would, film them like a webcam")
    try:
        with _progress(console) as progress:
            task = progress.add_task("fill + film", total=len(pages))
            for key, copy, page in pages:
                named = deck.layouts[key].named
                category = "clean" if named else str(rng.choice(names, p=weights))
                sheet = deck.fill(key, rng, category, copy=copy, page=page)
                frame = camera(sheet.image, rng, FRAME, max_tilt=10, fill=(0.8, 0.9), blur=0.6, noise=3.0, jpeg=90,
                               shadow=0.3)
                for up, down in grain:
                    writer.write(cv2.subtract(cv2.add(frame, up), down))
                for _ in range(GAP):
                    writer.write(table)
                progress.advance(task)
    finally:
        writer.release()
    return len(pages)


def _table(rng: np.random.Generator) -> np.ndarray:
    """An empty table top under the camera."""
    w, h = FRAME
    base = np.full((h, w, 3), (70, 95, 120), np.uint8)
    return np.clip(base.astype(np.int16) + rng.normal(0, 4, base.shape).astype(np.int16), 0, 255).astype(np.uint8)


def _counts(directory: Path):
    from meeting.folder import MeetingFolder

    store = MeetingFolder.open(directory).store()
    try:
        return list(store.ballot_counts().values())
    finally:
        store.close()


def scan_video(console: Console, directory: Path, video: Path, operator: str) -> None:
    from collections import Counter

    from meeting.folder import MeetingFolder
    from scanner import sources
    from scanner.live import LiveLoop
    from scanner.scan_cli import _reader
    from scanner.session import ScanSession

    folder = MeetingFolder.open(directory)
    store = folder.store()
    try:
        meeting = folder.accepted(store).meeting
        reader = _reader(folder, store, meeting, dry_run=False)
        reader.prepare()
        loop = LiveLoop(reader, ScanSession(store, meeting, station="demo", operator=operator),
                        meeting.scan.confirm_frames)
        total = int(cv2.VideoCapture(str(video)).get(cv2.CAP_PROP_FRAME_COUNT))
        outcomes: Counter = Counter()
        with _progress(console) as progress:
            task = progress.add_task("scan frames", total=total)
            for frame in sources.video(video):
                event = loop.feed(frame.image)
                if event.outcome is not None:
                    outcomes[event.outcome.kind] += 1
                progress.advance(task)
    finally:
        store.close()
    console.print("recorded: " + ", ".join(f"{k} {n}" for k, n in sorted(outcomes.items())), highlight=False)


def review(console: Console, directory: Path) -> None:
    """Decide every sheet in the review queue the way a chief scrutineer would in the demo: re-scans are not
    counted twice; everything else is checked against the paper and accepted as read. Each decision is logged."""
    import json

    from meeting.folder import MeetingFolder

    store = MeetingFolder.open(directory).store()
    try:
        decided = {d["reading_id"] for d in store.decisions()}
        waiting = [r for r in store.all_readings() if r["status"] == "review" and r["id"] not in decided]
        tally: dict[str, int] = {}
        for r in waiting:
            reasons = json.loads(r["reasons"])
            decision = "duplicate" if any(x.startswith(("possible_rescan", "conflict")) for x in reasons) else "accept"
            store.decide(r["id"], decision, f"{DEMO_REASONS[decision]}（{', '.join(reasons)}）", "演示复核人")
            tally[decision] = tally.get(decision, 0) + 1
    finally:
        store.close()
    console.print(f"{len(waiting)} sheets were in review: " + (", ".join(f"{k} {n}" for k, n in tally.items()) or
                                                               "none"), highlight=False)


def enter_scores(directory: Path, operator: str, seed: int) -> None:
    from decimal import Decimal

    from cli.main import _open_accepted, enter

    _, store, meeting = _open_accepted(directory)
    store.close()
    rng = np.random.default_rng(seed + 1)
    for rnd in meeting.rounds:
        if rnd.kind == "manual":
            for cid in rnd.candidates:
                value = Decimal(int(rng.integers(800, 980))) / 10
                enter(directory, round_id=rnd.id, candidate=cid, score=f"{value}", note="演示：党委政府综合评分",
                      operator=operator)

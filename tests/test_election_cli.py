"""A village election through the CLI as the hall runs it, on the kit's own printed ballots photographed like a
webcam: print → scan → tally shows an unfilled seat → rerun → print → scan → elected with ⅓; and an election
below quorum whose signed report sheet says 选举无效."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np

from archive.results import collect
from meeting.folder import MeetingFolder
from scanner.deck import Deck, camera


def _village(cli, tmp_path: Path, registered: int, issued: int) -> Path:
    folder = tmp_path / "village"
    assert cli("init", folder, "--template", "cunweihui", "--operator", "t").exit_code == 0
    toml = folder / "meeting.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("expected = 820\nballots = 780",
                                                             f"expected = {registered}\nballots = {issued}"),
                    encoding="utf-8")
    assert cli("check", folder).exit_code == 0
    assert cli("print", folder).exit_code == 0
    return folder


def _scan(cli, folder: Path, round_id: str, ballots: list[dict[str, str]], seed: int, photos: Path) -> str:
    """Each ballot as {candidate: option}: ticked on the printed ballot, photographed, scanned."""
    deck = Deck(folder)
    rng = np.random.default_rng(seed)
    photos.mkdir()
    for n, votes in enumerate(ballots):
        sheet = deck.mark((round_id, "XM"), {f"{c}/{o}" for c, o in votes.items()}, rng)
        cv2.imwrite(str(photos / f"{n:03d}.jpg"), camera(sheet.image, rng, max_tilt=6))
    result = cli("scan", folder, "--images", photos)
    assert result.exit_code == 0, result.output
    return result.stdout


def _results(folder: Path):
    store = MeetingFolder.open(folder).store()
    try:
        meeting = MeetingFolder.open(folder).accepted(store).meeting
        assert not any(s == "review" for (_, _, s) in store.reading_counts()), store.reading_counts()
        return meeting, collect(store, meeting)
    finally:
        store.close()


def _elected(results, round_id: str) -> set[str]:
    return {c.candidate_id for c in results.rounds[round_id].candidates if c.elected}


HEAD = {"Z1": "agree", "Z2": "disagree", "F1": "agree", "F2": "disagree"}


def test_unfilled_seat_then_rerun_elects_with_a_third(cli, tmp_path):
    folder = _village(cli, tmp_path, registered=9, issued=9)
    assert cli("returned", folder, "7", "-r", "XJ", "-g", "XM").exit_code == 0  # 7 of 9 voted: valid
    # 委员 (3 seats) on 7 ballots: W1 6, W2 6, W3 3, W4 3 — more than half of 7 is 4: one seat stays unfilled
    agree = [("W1", "W2", "W3"), ("W1", "W2", "W4"), ("W1", "W2", "W3"), ("W1", "W2", "W4"), ("W1", "W2"),
             ("W1", "W3"), ("W2", "W4")]
    ballots = []
    for i, yes in enumerate(agree):
        head = dict(HEAD, Z2="abstain") if i == 2 else dict(HEAD, F2="abstain") if i == 3 else HEAD
        ballots.append({**head, **{w: ("agree" if w in yes else "disagree") for w in ("W1", "W2", "W3", "W4")}})
    _scan(cli, folder, "XJ", ballots, 11, tmp_path / "first")
    meeting, results = _results(folder)
    assert _elected(results, "XJ") == {"Z1", "F1", "W1", "W2"}
    shown = cli("tally", folder).stdout.replace("\n", "")
    assert "委员尚缺1名" in shown and "梁春燕、董海" in shown and "至少4票" in shown  # more than half of 7
    sealed = cli("seal", folder, "--round", "XJ")  # the first vote is final: its signed sheet says what is left
    assert sealed.exit_code == 0, sealed.output
    report = next((folder / "archive").glob("*/reports/*选举统计结果报告单*.pdf"))
    text = subprocess.run(["pdftotext", str(report), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "委员尚缺1名" in flat and "梁春燕、董海" in flat and "至少4票" in flat

    made = cli("rerun", folder, "--round", "XJ", "--operator", "t")
    assert made.exit_code == 0, made.output
    assert "XJ2" in made.stdout and (folder / "print" / "XJ2-XM.pdf").exists()
    assert cli("check", folder).exit_code == 0  # the file as written is the accepted version
    meeting, _ = _results(folder)
    rerun = meeting.round("XJ2")
    assert rerun.spec.rerun and rerun.candidates == ("W3", "W4")
    assert [(s.post, s.max_choices) for s in rerun.spec.sections] == [("WY", 1)]

    assert cli("returned", folder, "6", "-r", "XJ2", "-g", "XM").exit_code == 0
    pairs = [("agree", "disagree"), ("agree", "abstain"), ("disagree", "agree"), ("abstain", "abstain"),
             ("disagree", "disagree"), ("abstain", "disagree")]
    _scan(cli, folder, "XJ2", [{"W3": a, "W4": b} for a, b in pairs], 12, tmp_path / "second")
    meeting, results = _results(folder)
    # most votes with at least ⅓ of the 6 ballots cast: 梁春燕 2 (exactly ⅓: enough), 董海 1
    assert _elected(results, "XJ2") == {"W3"}
    assert cli("rerun", folder, "--round", "XJ2").exit_code == 2  # every seat filled: nothing to elect again


def test_below_quorum_the_signed_report_says_the_election_is_invalid(cli, tmp_path):
    folder = _village(cli, tmp_path, registered=20, issued=20)
    assert cli("returned", folder, "4", "-r", "XJ", "-g", "XM").exit_code == 0  # 4 of 20 registered
    yes = {w: "agree" for w in ("W1", "W2", "W3")}
    ballots = [{**HEAD, **yes, "W4": "disagree"}, {**HEAD, **yes, "W4": "abstain"},
               {**HEAD, "W1": "agree", "W2": "disagree", "W3": "agree", "W4": "agree"},
               {**HEAD, "W1": "agree", "W2": "agree", "W3": "disagree", "W4": "agree"}]
    _scan(cli, folder, "XJ", ballots, 13, tmp_path / "photos")
    _, results = _results(folder)
    assert not _elected(results, "XJ")
    shown = cli("tally", folder).stdout
    assert "选举无效：参加投票4人，未过登记选民20人的半数" in shown.replace("\n", "")
    sealed = cli("seal", folder, "--all")
    assert sealed.exit_code == 0, sealed.output
    report = next((folder / "archive").glob("*/reports/*选举统计结果报告单*.pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(report), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "选举无效：参加投票4人，未过登记选民20人的半数" in text.replace(" ", "")
    assert "✓" not in text
    assert cli("rerun", folder, "--round", "XJ").exit_code == 2  # an invalid vote is held again, not re-run


def test_sheets_read_never_exceed_ballots_returned(cli, tmp_path):
    folder = _village(cli, tmp_path, registered=9, issued=9)
    assert cli("returned", folder, "6", "-r", "XJ", "-g", "XM").exit_code == 0
    rows = ("W1", "W2", "W3", "W4")
    ballots = [{**HEAD, **{w: ("agree" if j != i % 4 else "abstain") if j < 3 else "disagree"
                           for j, w in enumerate(rows)}} for i in range(7)]
    ballots[5]["Z2"] = "abstain"
    ballots[6]["F2"] = "abstain"
    said = _scan(cli, folder, "XJ", ballots, 21, tmp_path / "photos")  # 7 sheets for 6 returned: the 7th refused
    assert "拒收：轮次 XJ 群体 XM：已记录 6 张，而登记收回 6 张；此张不计入" in said.replace("\n", "")  # in Chinese
    store = MeetingFolder.open(folder).store()
    try:
        assert len(store.readings("XJ")) == 6
    finally:
        store.close()
    # the count is lowered after reading: a loud conflict, nobody elected, and the round cannot be sealed
    lowered = cli("returned", folder, "5", "-r", "XJ", "-g", "XM")
    assert lowered.exit_code == 0 and "已读6张，多于登记收回的5张" in lowered.stdout.replace("\n", "")
    _, results = _results(folder)
    assert results.rounds["XJ"].void and not _elected(results, "XJ")
    sealed = cli("seal", folder, "--all")
    assert sealed.exit_code != 0 and "6 sheets were read but 5 ballots are recorded as returned" in sealed.stderr
    assert cli("returned", folder, "6", "-r", "XJ", "-g", "XM").exit_code == 0
    _, results = _results(folder)
    assert not results.rounds["XJ"].void and _elected(results, "XJ") >= {"Z1", "F1"}

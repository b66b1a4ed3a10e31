"""tally / enter / export through the CLI, on sheets scanned from the kit's own printed forms."""

from __future__ import annotations

import json
import shutil

import pytest
from openpyxl import load_workbook

from meeting.folder import MeetingFolder
from tests.conftest import scan_sample, snapshot


@pytest.fixture(scope="module")
def counted_base(printed, tmp_path_factory):
    """The sample meeting with 7 judges' sheets and 12 rating forms scanned, and the manual scores entered."""
    from tests.conftest import Cli

    cli = Cli()
    tmp_path = tmp_path_factory.mktemp("counted")
    folder = tmp_path / "meeting"
    shutil.copytree(printed["jingpin-ceping"], folder)
    scan_sample(cli, folder, tmp_path / "photos", 17, ["clean"] * 12)
    return folder


@pytest.fixture
def counted(counted_base, tmp_path):
    folder = tmp_path / "meeting"
    shutil.copytree(counted_base, folder)
    return folder


def test_tally_shows_every_round_and_the_ranking(counted, cli):
    result = cli("tally", counted)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for word in ("竞聘演讲", "民主测评", "党委政府综合评分", "综合成绩", "王建国", "最后得分", "名次"):
        assert word in out, word
    store = MeetingFolder.open(counted).store()
    assert len(store.readings("YJ")) == 14 and len(store.readings("CP")) == 12


def test_a_later_entry_replaces_an_earlier_one_and_both_stay_in_the_log(counted, cli):
    assert cli("enter", counted, "-r", "DW", "-c", "王建国", "-s", "70", "--note", "corrected").exit_code == 0
    from archive.results import collect

    folder = MeetingFolder.open(counted)
    store = folder.store()
    results = collect(store, folder.accepted(store).meeting)
    assert str(results.rounds["DW"].values["C01"]) == "70"
    assert [r["value"] for r in store.manual_entries() if r["candidate_id"] == "C01"] == ["85.5", "70"]


@pytest.mark.parametrize(("args", "message"), [
    (["-r", "DW", "-c", "C99", "-s", "80"], '"C99" is not a candidate of round DW'),
    (["-r", "DW", "-c", "C01", "-s", "八十"], 'is not a number; write it like 88 or 88.5'),
    (["-r", "DW", "-c", "C01", "-s", "100.5"], "is outside 0 to 100"),
    (["-r", "DW", "-c", "C01", "-s", "88.25"], "more than one decimal"),
    (["-r", "CP", "-c", "C01", "-s", "80"], '"CP" is not a manual round of this meeting; manual rounds: DW'),
])
def test_bad_manual_entries_record_nothing(counted, cli, args, message):
    before = snapshot(counted)
    result = cli("enter", counted, *args)
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1
    assert snapshot(counted) == before


def test_exports(counted, cli, tmp_path):
    result = cli("export", counted, "--format", "xlsx", "--out", tmp_path / "r.xlsx")
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "r.xlsx")
    assert any("竞聘演讲" in name for name in book.sheetnames) and "综合成绩" in book.sheetnames
    assert "选票情况" in book.sheetnames and "ballots" not in book.sheetnames
    ranking = list(book["综合成绩"].values)
    assert ranking[0][:2] == ("名次", "候选人") and len(ranking) == 7  # one post: no post column
    composite = book["综合成绩"].cell(2, len(ranking[0]) - 1)
    assert isinstance(composite.value, float | int) and composite.number_format == "0.00"  # 79.70 shows 79.70
    rating = book[next(n for n in book.sheetnames if "民主测评" in n)]
    head = [c.value for c in rating[1]]
    assert head[1:3] == ["优秀", "优秀 %"]  # counts and shares in their own numeric columns
    assert isinstance(rating.cell(2, 2).value, int) and rating.cell(2, 3).number_format == "0.0%"
    assert 0 <= rating.cell(2, 3).value <= 1
    speech = book[next(n for n in book.sheetnames if "竞聘演讲" in n)]
    judges = [c.value for c in speech[1]]
    assert judges[1:3] == ["评委打分 1", "评委打分 2"]  # one column per judge
    assert all(isinstance(speech.cell(2, 2 + j).value, int | float) for j in range(2))

    result = cli("export", counted, "--format", "csv", "--out", tmp_path / "csv")
    files = sorted((tmp_path / "csv").glob("*.csv"))
    assert result.exit_code == 0 and len(files) >= 5  # ballots, three rounds, the ranking (and notes)
    assert all(f.read_bytes().startswith(b"\xef\xbb\xbf") for f in files)  # a Chinese meeting: BOM by default
    result = cli("export", counted, "--format", "csv", "--out", tmp_path / "plain", "--no-bom")
    assert result.exit_code == 0 and not any(f.read_bytes().startswith(b"\xef\xbb\xbf")
                                             for f in (tmp_path / "plain").glob("*.csv"))

    result = cli("export", counted, "--format", "json", "--out", tmp_path / "r.json")
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert set(doc["rounds"]) == {"YJ", "CP", "DW"} and len(doc["ranking"]) == 6
    points = [c["points"] for c in doc["rounds"]["CP"]["candidates"]]
    assert all(len(p.split(".")[1]) == 2 for p in points)  # the meeting's decimals, every time
    shares = [s for c in doc["rounds"]["CP"]["candidates"] for s in c["shares"].values()]
    assert all(len(s.split(".")[1]) == 4 for s in shares)

    assert cli("export", counted, "--format", "pdf").exit_code == 2


def test_any_round_name_is_a_valid_sheet_title(tmp_path):
    """Excel refuses \\ / : * ? [ ] in sheet titles and more than 31 characters: the export makes them valid."""
    import templates
    from cli.export import write_export
    from meeting.definition import load_text
    from tally.compute import tally

    text = templates.get("jingpin-ceping").read_text().replace("[meeting]", '[meeting]\nid = "TEST1234"', 1)
    text = text.replace('name = "民主测评"', 'name = "[民主测评]:第一轮/群众*代表?很长很长很长很长很长的名字"', 1)
    meeting = load_text(text)
    [path] = write_export(meeting, tally(meeting, [], [], {}), "xlsx", tmp_path / "r.xlsx", False)
    names = load_workbook(path).sheetnames
    assert all(len(n) <= 31 and not set(n) & set("\\/:*?[]") for n in names) and len(set(names)) == len(names)


def test_enter_takes_the_rounds_name_too(counted, cli):
    result = cli("enter", counted, "-r", "党委政府综合评分", "-c", "王建国", "-s", "77")
    assert result.exit_code == 0, result.output


def test_the_meetings_operator_is_named_once(counted, cli, monkeypatch):
    """`[meeting] operator` names who runs the count: entries record it, never the computer's login name."""
    monkeypatch.delenv("TALLYKIT_OPERATOR", raising=False)
    toml = counted / "meeting.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[meeting]", '[meeting]\noperator = "张会计"', 1),
                    encoding="utf-8")
    assert cli("check", counted).exit_code == 0
    assert cli("enter", counted, "-r", "DW", "-c", "王建国", "-s", "79").exit_code == 0
    store = MeetingFolder.open(counted).store()
    try:
        assert store.manual_entries()[-1]["operator"] == "张会计"
    finally:
        store.close()

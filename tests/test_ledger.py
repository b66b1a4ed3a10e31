"""The year's ledger: its definition, and its arithmetic on hand-computed worked examples (caps, conversions,
weights, ties, levels) and on random entries (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import templates
from ledger.definition import load_text
from ledger.model import Category, Entry, Level, Person, Scheme
from ledger.points import summary
from meeting.errors import DefinitionError


def scheme(name: str) -> Scheme:
    return load_text(templates.get_ledger(name).read_text(), name, require_id=False)


def entries(*rows: tuple) -> list[Entry]:
    """(person, category, "MM-DD", points[, reverses])"""
    out = []
    for i, row in enumerate(rows, start=1):
        person, category, day, points, *rest = row
        month, dom = (int(x) for x in day.split("-"))
        out.append(Entry(i, person, category, dt.date(2027, month, dom), D(str(points)), "hand", "t", "r",
                         rest[0] if rest else None))
    return out


def test_the_three_built_in_schemes_load():
    for t in templates.LEDGER_TEMPLATES:
        s = scheme(t.name)
        assert s.people and s.categories and s.levels and s.year == 2027
    assert [c.cap for c in scheme("ledger-shuangqianfen").categories] == [D(400), D(200), D(1400)]
    assert sum(c.weight for c in scheme("ledger-sijilianping").categories) == D(1)


def test_shuangqianfen_worked_example_caps_deductions_ties_and_levels():
    """双千分 (hand-computed): 王建国 JL 150+150+150 = 450 → 400 (cap cut 50), LS 120+100 = 220 → 200 (cut 20),
    CJ 900 × 1.4 = 1260: 1860. 李晓梅 380 + 150 + 950 × 1.4 = 1860: a tie, both rank 1. 张伟 400 + 200 + 1190 =
    1790 (rank 3), 陈志强 390 + 180 + 1218 = 1788 (4), 刘芳 300 − 50 (扣分) + 100 + 840 = 1190 (5). 优秀 is at
    most 20 % of 5 people = 1 and needs 1800: the two tied at 1860 would both have it — a tie is never split,
    so nobody is 优秀 and the note says why; 不称职 is below 1200: 刘芳; the rest 称职."""
    s = scheme("ledger-shuangqianfen")
    rows = entries(
        ("P01", "JL", "02-10", 150), ("P01", "JL", "05-10", 150), ("P01", "JL", "08-10", 150),
        ("P01", "LS", "06-01", 120), ("P01", "LS", "07-20", 100), ("P01", "CJ", "12-20", D(900) * D("1.4")),
        ("P02", "JL", "03-01", 380), ("P02", "LS", "09-01", 150), ("P02", "CJ", "12-20", D(950) * D("1.4")),
        ("P03", "JL", "03-01", 400), ("P03", "LS", "09-01", 200), ("P03", "CJ", "12-20", 1190),
        ("P05", "JL", "03-01", 390), ("P05", "LS", "09-01", 180), ("P05", "CJ", "12-20", D(870) * D("1.4")),
        ("P04", "JL", "03-01", 300), ("P04", "JL", "04-15", -50), ("P04", "LS", "09-01", 100),
        ("P04", "CJ", "12-20", 840),
    )
    year = summary(s, rows)
    got = {st.person: (st.total, st.rank, st.tied, st.level) for st in year.standings}
    assert got == {"P01": (D("1860.0"), 1, True, "称职"), "P02": (D("1860.0"), 1, True, "称职"),
                   "P03": (D("1790.0"), 3, False, "称职"), "P05": (D("1788.0"), 4, False, "称职"),
                   "P04": (D("1190.0"), 5, False, "不称职")}
    assert "level_tie:优秀:1860.0" in year.notes
    p01 = {ln.category: ln for ln in next(x for x in year.standings if x.person == "P01").lines}
    assert (p01["JL"].raw, p01["JL"].counted, p01["JL"].cut) == (D(450), D(400), D(50))
    assert (p01["LS"].counted, p01["LS"].cut) == (D(200), D(20))
    assert "cap:P01:JL:50" in year.notes and "cap:P01:LS:20" in year.notes
    # 一季一汇总 through Q2: 王建国 JL 300 + LS 120 = 420 year to date, of which Q2 brought 150 + 120 = 270
    q2 = next(x for x in summary(s, rows, through=2).standings if x.person == "P01")
    assert (q2.total, q2.quarter, q2.level) == (D("420.0"), D("270.0"), None)
    # a correction: the 扣分 of 刘芳 reversed (both entries stay in the store, neither counts): 1240, 称职
    corrected = summary(s, [*rows, Entry(99, "P04", "JL", dt.date(2027, 6, 1), D(50), "hand", "t", "wrong", 17)])
    assert next(x for x in corrected.standings if x.person == "P04").total == D("1240.0")


def test_period_caps_and_weights_worked_examples():
    """一人一档 驻村在岗 at most 4 a quarter and 15 a year: 3+3, 5, 4, 4 → 4, 4, 4, 4 → 16 → 15 (cut 4 of 19).
    四级联评: 0.2 × 92 + 0.3 × 88 + 0.3 × 95 + 0.2 × 90 = 91.30 (two decimals)."""
    s = scheme("ledger-yirenyidang")
    rows = entries(("X01", "ZC", "01-05", 3), ("X01", "ZC", "02-05", 3), ("X01", "ZC", "05-05", 5),
                   ("X01", "ZC", "08-05", 4), ("X01", "ZC", "11-05", 4))
    zc = next(ln for ln in summary(s, rows).standings[0].lines if ln.category == "ZC")
    assert (zc.raw, zc.by_quarter, zc.counted, zc.cut) == (D(19), (D(4), D(4), D(4), D(3)), D(15), D(4))
    s = scheme("ledger-sijilianping")
    rows = entries(("S01", "XJ", "12-01", 92), ("S01", "ZJ", "12-01", 88), ("S01", "CJ", "12-01", 95),
                   ("S01", "QZ", "12-01", 90))
    first = summary(s, rows).standings[0]
    assert (first.person, first.total, first.exact) == ("S01", D("91.30"), D("91.3"))


def test_a_level_share_takes_the_best_first_and_never_splits_a_tie():
    people = tuple(Person(f"P{i}", f"p{i}") for i in range(1, 11))
    s = Scheme("X", "t", 2027, "zh", 0, people, (Category("A", "a"),),
               levels=(Level("优秀", at_most_share=D("0.2")), Level("称职", otherwise=True)))
    rows = entries(*[(f"P{i}", "A", "03-01", 100 - i) for i in range(1, 11)])  # 99, 98, 97, …
    got = {x.person: x.level for x in summary(s, rows).standings}
    assert [p for p, lv in got.items() if lv == "优秀"] == ["P1", "P2"]  # 20 % of 10
    rows = entries(*[(f"P{i}", "A", "03-01", 90 if i <= 3 else 80) for i in range(1, 11)])  # three tied first
    year = summary(s, rows)
    assert all(x.level == "称职" for x in year.standings) and "level_tie:优秀:90" in year.notes


@st.composite
def ledgers(draw):
    n = draw(st.integers(1, 6))
    cats = []
    for i in range(draw(st.integers(1, 3))):
        cap = draw(st.none() | st.integers(0, 300).map(D))
        period = draw(st.none() | st.integers(0, 120).map(D))
        weight = draw(st.sampled_from([D(1), D("0.5"), D("0.25"), D(2)]))
        cats.append(Category(f"C{i}", f"c{i}", cap, period, weight, draw(st.none() | st.just(D(0)))))
    share = draw(st.sampled_from([None, D("0.2"), D("0.5")]))
    levels = (Level("A", at_least=draw(st.integers(-50, 200).map(D)), at_most_share=share),
              Level("B", otherwise=True))
    s = Scheme("X", "t", 2027, "zh", draw(st.integers(0, 2)), tuple(Person(f"P{i}", f"p{i}") for i in range(n)),
               tuple(cats), levels=levels)
    rows = []
    for i in range(draw(st.integers(0, 30))):
        rows.append(Entry(i + 1, f"P{draw(st.integers(0, n - 1))}", draw(st.sampled_from([c.id for c in cats])),
                          dt.date(2027, draw(st.integers(1, 12)), 1), D(draw(st.integers(-40, 90))), "hand", "t", "r"))
    return s, rows


@settings(max_examples=150, deadline=None)
@given(ledgers())
def test_caps_ranks_and_levels_hold_for_any_entries(case):
    s, rows = case
    year = summary(s, rows)
    totals = [x.total for x in year.standings]
    for x in year.standings:
        assert x.rank == 1 + sum(t > x.total for t in totals)  # equal published totals share a rank
        assert x.tied == (totals.count(x.total) > 1)
        for ln in x.lines:
            cat = s.category(ln.category)
            if cat.cap is not None and (cat.floor is None or cat.floor <= cat.cap):
                assert ln.counted <= cat.cap
            if cat.floor is not None:
                assert ln.counted >= cat.floor
            assert ln.cut >= 0 and sum(ln.by_quarter) == ln.counted
        assert x.exact == sum(s.category(ln.category).weight * ln.counted for ln in x.lines)
    a = [x for x in year.standings if x.level == "A"]
    share = s.levels[0].at_most_share
    if share is not None:
        assert len(a) <= int(share * len(s.people))
    for x in a:  # never a split tie: everyone with that total who meets the bar has the level too
        assert all(y.level == "A" for y in year.standings if y.total == x.total)
    # an entry and its reversal change nothing
    if rows:
        extra = [*rows, Entry(1000, rows[0].person, rows[0].category, rows[0].date, D(77), "hand", "t", "r"),
                 Entry(1001, rows[0].person, rows[0].category, rows[0].date, D(-77), "hand", "t", "r", 1000)]
        assert summary(s, extra) == year


def test_ledger_file_mistakes_are_one_line_naming_the_key():
    text = templates.get_ledger("ledger-shuangqianfen").read_text()
    with pytest.raises(DefinitionError, match=r"conversions\[1\]\.category: \"XX\" is not a category"):
        load_text(text.replace('category = "CJ"\nfactor = 1.4', 'category = "XX"\nfactor = 1.4'), require_id=False)
    with pytest.raises(DefinitionError, match=r"ledger\.id: is missing"):
        load_text(text)
    with pytest.raises(DefinitionError, match=r"levels\[3\]\.otherwise: a level with otherwise = true takes no"):
        load_text(text.replace("name = \"称职\"\notherwise = true", "name = \"称职\"\notherwise = true\nbelow = 5"),
                  require_id=False)


def test_ledger_commands_record_entries_corrections_and_the_standings(cli, tmp_path):
    """`tallykit ledger`: init from a scheme, add 加分/扣分, reverse one (both kept, neither counts), the quarter
    summary and the year-end ranking with levels; a bad entry is one line and records nothing; an entry edited
    outside tallykit is found by the audit chain."""
    import sqlite3

    folder = tmp_path / "year"
    assert cli("ledger", "init", folder, "-t", "ledger-shuangqianfen").exit_code == 0
    for person, cat, points, day in (("P01", "JL", "150", "2027-02-10"), ("P01", "JL", "300", "2027-05-10"),
                                     ("P02", "LS", "120", "2027-06-01"), ("P03", "JL", "-20", "2027-03-01")):
        done = cli("ledger", "add", folder, "-p", person, "-c", cat, "--points", points, "--date", day,
                   "--reason", "按时到村")
        assert done.exit_code == 0, done.output
    assert cli("ledger", "reverse", folder, "--entry", "4", "--reason", "误扣").exit_code == 0
    q2 = cli("ledger", "summary", folder, "--quarter", "2")
    assert q2.exit_code == 0 and "第2季度汇总" in q2.stdout and "（超" in q2.stdout  # 450 held to 400, cut shown
    bad = cli("ledger", "add", folder, "-p", "P09", "-c", "JL", "--points", "1", "--reason", "x", messages="")
    assert bad.exit_code != 0 and bad.stderr.startswith("错误：“P09”不是本台账的人员") and bad.stderr.count("\n") == 1
    assert cli("ledger", "add", folder, "-p", "P01", "-c", "JL", "--points", "1", "--date", "2026-12-31",
               "--reason", "x").exit_code != 0  # another year
    from ledger.store import Ledger

    ledger = Ledger.open(folder)
    assert len(ledger.entries()) == 5 and ledger.check_chain() is None
    ledger.close()
    year = cli("ledger", "summary", folder)
    assert year.exit_code == 0 and "年度总排名" in year.stdout and "不称职" in year.stdout
    db = sqlite3.connect(folder / "ledger.db")
    db.execute("UPDATE entries SET points = '900' WHERE id = 3")
    db.commit()
    db.close()
    tampered = cli("ledger", "summary", folder)
    assert tampered.exit_code == 1 and "entry #3 is not as the audit log recorded it" in tampered.stderr


@pytest.fixture(scope="module")
def sealed_meeting(printed, tmp_path_factory):
    """The sample 竞聘 meeting, its forms printed, filled, photographed and scanned by the kit, sealed."""
    import shutil

    from tests.conftest import Cli, scan_sample

    cli = Cli()
    tmp = tmp_path_factory.mktemp("ledger")
    folder = tmp / "meeting"
    shutil.copytree(printed["jingpin-ceping"], folder)
    scan_sample(cli, folder, tmp / "photos", 31, ["clean"] * 8)
    assert cli("seal", folder, "--all").exit_code == 0
    return next(p for p in (folder / "archive").iterdir() if p.is_dir())


def test_a_sealed_meeting_is_imported_once_with_its_people_and_its_conversion(sealed_meeting, cli, tmp_path):
    """村级工作 = the meeting's composite × 1.4, for the people the candidates are (names and birth years match);
    a candidate who is no ledger person is named and left out; the same bundle twice, a bundle that does not
    verify, a doubt about who is who, or a date outside the ledger's year: refused, nothing recorded."""
    import shutil

    from archive.bundle import sealed_results
    from ledger.store import Ledger

    folder = tmp_path / "year"
    assert cli("ledger", "init", folder, "-t", "ledger-shuangqianfen").exit_code == 0
    refused = cli("ledger", "import", folder, sealed_meeting, "--conversion", "QFZ")  # the meeting is in 2026
    assert refused.exit_code != 0 and "is not in 2027, the year of this ledger" in refused.stderr
    done = cli("ledger", "import", folder, sealed_meeting, "--conversion", "QFZ", "--date", "2027-12-20")
    assert done.exit_code == 0, done.output
    assert "imported 5 entries" in done.stdout and "C06 赵丽娟" in done.stdout
    sealed = sealed_results(sealed_meeting)
    composite = {r.candidate_id: r.composite for r in sealed.results.ranking}
    ledger = Ledger.open(folder)
    entries = {e.person: e for e in ledger.entries()}
    assert set(entries) == {"P01", "P02", "P03", "P04", "P05"}
    assert entries["P01"].points == composite["C01"] * D("1.4") and entries["P01"].category == "CJ"
    assert entries["P01"].source == f"bundle:{sealed.digest}"
    assert ledger.check_chain() is None
    ledger.close()
    again = cli("ledger", "import", folder, sealed_meeting, "--conversion", "QFZ", "--date", "2027-12-20")
    assert again.exit_code != 0 and "a bundle counts once" in again.stderr
    tampered = tmp_path / "tampered"
    shutil.copytree(sealed_meeting, tampered)
    (tampered / "results.json").write_text((tampered / "results.json").read_text().replace("8", "9", 1))
    bad = cli("ledger", "import", folder, tampered, "--conversion", "QFZ", "--date", "2027-12-20")
    assert bad.exit_code != 0 and "does not verify" in bad.stderr
    twins = tmp_path / "twins"  # two people named 王建国 with no birth year: who is who is asked, never guessed
    assert cli("ledger", "init", twins, "-t", "ledger-shuangqianfen").exit_code == 0
    toml = twins / "ledger.toml"
    toml.write_text(toml.read_text().replace('name = "李晓梅"', 'name = "王建国"').replace("birth_year = 1988\n", "")
                    .replace("birth_year = 1992\n", ""), encoding="utf-8")
    assert cli("ledger", "check", twins).exit_code == 0
    doubt = cli("ledger", "import", twins, sealed_meeting, "--conversion", "QFZ", "--date", "2027-12-20")
    assert doubt.exit_code != 0 and "not sure who is who: C01 王建国 (could be P01, P02)" in doubt.stderr
    ledger = Ledger.open(twins)
    assert ledger.entries() == []
    ledger.close()
    mapped = cli("ledger", "import", twins, sealed_meeting, "--conversion", "QFZ", "--date", "2027-12-20",
                 "--map", "C01=P01", "--map", "C02=P02")
    assert mapped.exit_code == 0, mapped.output


def test_a_spreadsheet_of_entries_is_checked_whole_and_imported_once(cli, tmp_path):
    """The month's 签到 record as XLSX (Chinese headers, names or ids) and as a GBK CSV from Excel: all rows or
    none; a bad row is one line naming the row and the column."""
    from openpyxl import Workbook

    from ledger.store import Ledger

    folder = tmp_path / "year"
    assert cli("ledger", "init", folder, "-t", "ledger-shuangqianfen").exit_code == 0
    book = Workbook()
    sheet = book.active
    sheet.append(["人员", "项目", "日期", "分值", "原因"])
    sheet.append(["王建国", "遵守纪律", dt.datetime(2027, 3, 1), 10, "3月签到全勤"])
    sheet.append(["P02", "JL", "2027-03-01", 8, "3月签到缺1次"])
    sheet.append([None, None, None, None, None])
    sheet.append(["张 伟", "政府临时性工作任务", "2027/03/15", "20", "森林防火"])
    good = tmp_path / "march.xlsx"
    book.save(good)
    done = cli("ledger", "sheet", folder, good)
    assert done.exit_code == 0 and "imported 3 entries" in done.stdout, done.output
    again = cli("ledger", "sheet", folder, good)
    assert again.exit_code != 0 and "a file counts once" in again.stderr
    bad = tmp_path / "april.csv"
    bad.write_bytes("人员,项目,日期,分值,原因\n刘芳,JL,2027-04-01,10,全勤\n陈志强,JL,2027-04-01,十,全勤\n"
                    .encode("gb18030"))
    refused = cli("ledger", "sheet", folder, bad)
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1
    assert "april.csv: row 3, 分值: \"十\" is not a number; nothing was imported" in refused.stderr
    ledger = Ledger.open(folder)
    got = sorted((e.person, e.category, e.points) for e in ledger.entries())
    assert got == [("P01", "JL", D(10)), ("P02", "JL", D(8)), ("P03", "LS", D(20))]  # april: nothing
    assert ledger.check_chain() is None
    ledger.close()


def test_half_year_notice_is_sealed_signed_frozen_and_verified_and_each_person_has_a_file(sealed_meeting, cli,
                                                                                           tmp_path):
    """半年一公示: the first half's standings sealed and signed, the 公示 sheet printed (list, points, 公示期, where to
    object, digest); entries of a sealed period are frozen; `ledger verify` recomputes the notice from the entries
    and re-checks the imported bundle; an entry edited in the store or a notice not matching its entries is found.
    一人一档: one PDF per person with every entry and its source."""
    import shutil
    import sqlite3
    import subprocess

    folder = tmp_path / "year"
    assert cli("ledger", "init", folder, "-t", "ledger-shuangqianfen").exit_code == 0
    assert cli("ledger", "import", folder, sealed_meeting, "--conversion", "QFZ", "--date", "2027-03-20").exit_code == 0
    assert cli("ledger", "add", folder, "-p", "P01", "-c", "JL", "--points", "100", "--date", "2027-02-01",
               "--reason", "签到").exit_code == 0
    done = cli("ledger", "notice", folder, "--half", "1", "--from", "2027-07-05")
    assert done.exit_code == 0, done.output
    pdf = folder / "notices" / "2027-H1-公示.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "上半年积分公示" in text and "2027-07-05" in text and "2027-07-09" in text and "王建国" in text
    frozen = cli("ledger", "add", folder, "-p", "P01", "-c", "JL", "--points", "5", "--date", "2027-03-01",
                 "--reason", "补录")
    assert frozen.exit_code != 0 and "already sealed and published" in frozen.stderr
    assert cli("ledger", "add", folder, "-p", "P01", "-c", "JL", "--points", "5", "--date", "2027-07-20",
               "--reason", "补录3月签到").exit_code == 0  # the current period takes it, with the reason
    again = cli("ledger", "notice", folder, "--half", "1")  # printed again as sealed
    assert again.exit_code == 0 and pdf.is_file()
    ok = cli("ledger", "verify", folder)
    assert ok.exit_code == 0 and "1 imported bundles agree" in ok.stdout, ok.output
    files = cli("ledger", "files", folder)
    assert files.exit_code == 0 and len(list((folder / "files").glob("*.pdf"))) == 5
    one = subprocess.run(["pdftotext", "-layout", str(folder / "files" / "P01-王建国.pdf"), "-"],
                         capture_output=True, text=True).stdout
    assert "一人一档" in one and "签到" in one and "会议结果" in one
    tampered = tmp_path / "tampered"
    shutil.copytree(folder, tampered)
    db = sqlite3.connect(tampered / "ledger.db")
    db.execute("UPDATE periods SET document = replace(document, '王建国', '王建军')")
    db.commit()
    db.close()
    bad = cli("ledger", "verify", tampered)
    assert bad.exit_code == 1 and "H1: its 公示 document is not the one signed" in bad.stderr


def test_sijilianping_end_to_end_a_quarterly_rating_of_eight_people_scanned_sealed_imported(cli, tmp_path):
    """四级联评: the quarter's 民主测评 of the 8 大学生 (the kit's own rating forms, filled, photographed, scanned),
    sealed and imported as 村级评价; the county, township and masses' scores from a spreadsheet; the quarter's
    weighted totals are 0.2 × 县级 + 0.3 × 乡镇 + 0.3 × 村级 + 0.2 × 群众, computed here by hand from the sealed
    rating points; the 公示 sealed and verified; a file per person."""
    import cv2
    import numpy as np

    from archive.bundle import sealed_results
    from ledger.store import Ledger
    from scanner.deck import Deck, camera

    ledger_dir = tmp_path / "sijilianping"
    assert cli("ledger", "init", ledger_dir, "-t", "ledger-sijilianping").exit_code == 0
    scheme = Ledger.open(ledger_dir).scheme()
    meeting = tmp_path / "q1-ceping"
    assert cli("init", "-t", "niandu-ceping", meeting).exit_code == 0
    toml = meeting / "meeting.toml"
    text = toml.read_text(encoding="utf-8")
    start, end = text.index("[[candidates]]"), text.index("[[groups]]")
    people = "".join(f'[[candidates]]\nid = "L{i}"\nname = "{p.name}"\npost = "WY"\n\n'
                     for i, p in enumerate(scheme.people, start=1))
    text = text[:start] + people + text[end:]
    text = text.replace("expected = 45", "expected = 6").replace("expected = 35", "expected = 4")
    toml.write_text(text, encoding="utf-8")
    assert cli("check", meeting).exit_code == 0
    assert cli("print", meeting, "--round", "CP").exit_code == 0
    deck = Deck(meeting)
    rng = np.random.default_rng(8)
    photos = tmp_path / "photos"
    photos.mkdir()
    for rid, gid in deck.layouts:
        for i in range({"DY": 6, "CM": 4}[gid]):
            sheet = deck.fill((rid, gid), rng, "clean")
            cv2.imwrite(str(photos / f"{gid}-{i}.jpg"), camera(sheet.image, rng, max_tilt=10))
    scanned = cli("scan", meeting, "--images", photos)
    assert scanned.exit_code == 0 and "review" not in scanned.stdout, scanned.output
    assert cli("seal", meeting, "--all").exit_code == 0
    bundle = next(p for p in (meeting / "archive").iterdir() if p.is_dir())
    done = cli("ledger", "import", ledger_dir, bundle, "--conversion", "CP", "--date", "2027-03-25")
    assert done.exit_code == 0 and "imported 8 entries" in done.stdout, done.output
    sheet = tmp_path / "q1.csv"
    scores = {p.id: (80 + i, 85 + i, 70 + 2 * i) for i, p in enumerate(scheme.people)}
    sheet.write_text("人员,项目,日期,分值,原因\n" + "".join(
        f"{pid},{cat},2027-03-28,{value},第一季度{cat}评价\n"
        for pid, values in scores.items() for cat, value in zip(("XJ", "ZJ", "QZ"), values, strict=True)),
        encoding="utf-8")
    assert cli("ledger", "sheet", ledger_dir, sheet).exit_code == 0
    ratings = {c.candidate_id: c.points for c in sealed_results(bundle).results.rounds["CP"].candidates}
    expected = {}
    for i, p in enumerate(scheme.people, start=1):
        xj, zj, qz = (D(v) for v in scores[p.id])
        expected[p.id] = (D("0.2") * xj + D("0.3") * zj + D("0.3") * ratings[f"L{i}"] + D("0.2") * qz).quantize(
            D("0.01"), rounding="ROUND_HALF_UP")
    from ledger.points import summary

    ledger = Ledger.open(ledger_dir)
    q1 = summary(ledger.scheme(), ledger.entries(), through=1)
    ledger.close()
    assert {s.person: s.total for s in q1.standings} == expected
    assert cli("ledger", "summary", ledger_dir, "--quarter", "1", "--out", tmp_path / "out").exit_code == 0
    assert (tmp_path / "out" / "2027-Q1-汇总.xlsx").is_file() and (tmp_path / "out" / "2027-Q1-汇总.pdf").is_file()
    assert cli("ledger", "notice", ledger_dir, "--half", "1", "--from", "2027-07-01").exit_code == 0
    assert cli("ledger", "files", ledger_dir).exit_code == 0
    assert cli("ledger", "verify", ledger_dir).exit_code == 0


def test_yirenyidang_end_to_end_a_months_survey_hand_entries_with_a_photo_the_year(cli, tmp_path):
    """一人一档: the masses' 说事议事 evaluation of 马腾 (a 满意度 survey on the kit's forms, scanned, sealed)
    imported as 群众评议 = satisfaction × 10, hand entries (one with its evidence photo), the quarter cap of 驻村在岗,
    the first half's 公示, then the year's: levels, the signed year sheet, the files, verify."""
    import cv2
    import numpy as np

    from archive.bundle import sealed_results
    from ledger.points import summary
    from ledger.store import Ledger
    from scanner.deck import Deck, camera

    ledger_dir = tmp_path / "fushan"
    assert cli("ledger", "init", ledger_dir, "-t", "ledger-yirenyidang").exit_code == 0
    meeting = tmp_path / "shuoshi"
    assert cli("init", "-t", "manyidu", meeting).exit_code == 0
    toml = meeting / "meeting.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("expected = 40", "expected = 3")
                    .replace("expected = 60", "expected = 3").replace("expected = 80", "expected = 4"),
                    encoding="utf-8")
    assert cli("check", meeting).exit_code == 0
    assert cli("print", meeting).exit_code == 0
    deck = Deck(meeting)
    rng = np.random.default_rng(12)
    photos = tmp_path / "photos"
    photos.mkdir()
    for rid, gid in deck.layouts:
        for i in range({"DB": 3, "CG": 3, "QZ": 4}[gid]):
            cv2.imwrite(str(photos / f"{gid}-{i}.jpg"), camera(deck.fill((rid, gid), rng).image, rng, max_tilt=10))
    assert cli("scan", meeting, "--images", photos).exit_code == 0
    assert cli("seal", meeting, "--all").exit_code == 0
    bundle = next(p for p in (meeting / "archive").iterdir() if p.is_dir())
    no_person = cli("ledger", "import", ledger_dir, bundle, "--conversion", "MYD", "--date", "2027-06-28")
    assert no_person.exit_code != 0 and "give --person" in no_person.stderr
    done = cli("ledger", "import", ledger_dir, bundle, "--conversion", "MYD", "--date", "2027-06-28",
               "--person", "X01")
    assert done.exit_code == 0 and "imported 1 entries" in done.stdout, done.output
    satisfaction = sealed_results(bundle).results.rounds["MY"].satisfaction
    photo = tmp_path / "certificate.jpg"
    cv2.imwrite(str(photo), np.full((40, 60, 3), 200, np.uint8))
    for args in (("X01", "ZC", "6", "2027-02-10"), ("X01", "ZC", "3", "2027-05-10"), ("X01", "FZ", "12", "2027-04-01"),
                 ("X02", "ZC", "4", "2027-03-01"), ("X03", "MS", "9", "2027-06-01")):
        person, cat, points, day = args
        extra = ["--photo", photo] if cat == "FZ" else []
        assert cli("ledger", "add", ledger_dir, "-p", person, "-c", cat, "--points", points, "--date", day,
                   "--reason", "月度考评", *extra).exit_code == 0
    assert cli("ledger", "notice", ledger_dir, "--half", "1", "--from", "2027-07-01").exit_code == 0
    for person, cat, points in (("X01", "ZZ", "10"), ("X01", "JL", "10"), ("X01", "SS", "15"), ("X01", "MS", "15"),
                                ("X01", "JC", "10"), ("X01", "ZC", "4"), ("X02", "ZZ", "8"), ("X03", "ZZ", "9")):
        assert cli("ledger", "add", ledger_dir, "-p", person, "-c", cat, "--points", points, "--date", "2027-11-15",
                   "--reason", "年终考核").exit_code == 0
    ledger = Ledger.open(ledger_dir)
    year = summary(ledger.scheme(), ledger.entries())
    assert ledger.check_chain() is None and ledger.evidence(
        next(e for e in ledger.entries() if "+photo:" in e.source).source.split("+photo:")[1]) is not None
    ledger.close()
    x01 = next(s for s in year.standings if s.person == "X01")
    lines = {ln.category: ln for ln in x01.lines}
    assert lines["ZC"].by_quarter[0] == D(4) and lines["ZC"].cut == D(2)  # 6 in Q1 held to the quarter's 4
    assert lines["QZ"].counted == min(D(10), satisfaction * 10)
    # hand-computed: 10 + 10 + (4 + 3 + 4) + 15 + 12 + 15 + 10 + QZ
    assert x01.exact == D(10) + D(10) + D(11) + D(15) + D(12) + D(15) + D(10) + min(D(10), satisfaction * 10)
    assert x01.total >= 85 and x01.rank == 1  # 优秀 needs 85, but at most 30 % of 3 people is less than one:
    assert x01.level == "合格" and "level_none:优秀:0.3:3" in year.notes  # nobody, and the note says why
    assert {s.person: s.level for s in year.standings}["X02"] == "不合格"  # 4 + 8 = 12 points, below 60
    assert cli("ledger", "notice", ledger_dir, "--half", "2", "--from", "2028-01-05").exit_code == 0
    assert (ledger_dir / "notices" / "2027-H2-公示.pdf").is_file()
    assert cli("ledger", "files", ledger_dir).exit_code == 0
    ok = cli("ledger", "verify", ledger_dir)
    assert ok.exit_code == 0 and "1 imported bundles agree" in ok.stdout, ok.output


def test_every_measure_converts_from_the_sealed_results_and_edits_never_drop_points(sealed_meeting, cli, tmp_path):
    """judge mean (the 竞聘演讲's trimmed mean) and rating points convert per candidate from the sealed results;
    a ledger.toml edit that would drop a person or a category with entries is refused."""
    from archive.bundle import sealed_results
    from ledger.importer import convert, match_people
    from ledger.model import Conversion

    s = scheme("ledger-shuangqianfen")
    sealed = sealed_results(sealed_meeting)
    people, outside = match_people(s, sealed.meeting, {})
    assert outside == ["C06 赵丽娟"] and people["C01"] == "P01"
    judge = convert(Conversion("J", "judge_mean", "JL", D(4)), sealed.meeting, sealed.results, set(sealed.sealed),
                    people)
    means = {c.candidate_id: c.trimmed_mean for c in sealed.results.rounds["YJ"].candidates}
    assert {r.person: r.points for r in judge} == {people[c]: means[c] * 4 for c in people}
    rating = convert(Conversion("R", "rating_points", "LS", D(2)), sealed.meeting, sealed.results,
                     set(sealed.sealed), people)
    points = {c.candidate_id: c.points for c in sealed.results.rounds["CP"].candidates}
    assert {r.person: r.points for r in rating} == {people[c]: points[c] * 2 for c in people}
    folder = tmp_path / "year"
    assert cli("ledger", "init", folder, "-t", "ledger-shuangqianfen").exit_code == 0
    assert cli("ledger", "add", folder, "-p", "P05", "-c", "LS", "--points", "5", "--date", "2027-01-05",
               "--reason", "森林防火").exit_code == 0
    toml = folder / "ledger.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text[:text.index('[[people]]\nid = "P05"')], encoding="utf-8")
    refused = cli("ledger", "check", folder)
    assert refused.exit_code != 0 and "person P05 has entries (#1)" in refused.stderr


def test_a_file_that_is_not_this_ledgers_store_is_one_line(cli, tmp_path):
    folder = tmp_path / "year"
    assert cli("ledger", "init", folder, "-t", "ledger-yirenyidang").exit_code == 0
    (folder / "ledger.db").write_bytes(b"not a database at all" * 100)
    bad = cli("ledger", "summary", folder)
    assert bad.exit_code != 0 and bad.stderr.count("\n") == 1 and "is not a ledger store" in bad.stderr
    missing = cli("ledger", "summary", tmp_path / "nowhere")
    assert missing.exit_code != 0 and "is not a ledger folder" in missing.stderr

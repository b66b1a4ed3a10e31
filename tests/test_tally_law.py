"""Counting by the law (《村民委员会组织法》 art. 34, 另行选举) and local practice: worked examples computed by hand,
and hypothesis properties. Each rule that differs between places is a setting; each test names the rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import templates
from archive.results import invalid_lines, notes, tables, to_json
from meeting.definition import load_text, warnings
from meeting.errors import DefinitionError
from tally.compute import normalise_name, round_exact, tally
from tally.model import Count, Manual, Sheet, VoteResult


def _template(name: str, edit=lambda s: s) -> str:
    return edit(templates.get(name).read_text().replace("[meeting]", '[meeting]\nid = "TEST1234"', 1))


def _meeting(name: str, edit=lambda s: s):
    return load_text(_template(name, edit))


def _ballot(votes: dict[str, str], write_ins=(), names=(), round_id: str = "XJ") -> Sheet:
    return Sheet(round_id, "XM", 1, None, "counted", {"votes": votes, "write_ins": list(write_ins)}, tuple(names))


def _wi(section: str, row: int = 1) -> dict:
    return {"section": section, "row": row, "ticked": True, "written": True}


def _village(w: dict[str, int], returned: int, *, issued: int = 780, recorded: bool = True, extra=(),
             edit=lambda s: s):
    """The 村委会 template (820 registered, 780 issued): 主任 Z1 and 副主任 F1 agreed on every ballot, 委员 agree
    votes as given (never more than 3 on one ballot), then `extra` ballots as given."""
    meeting = _meeting("cunweihui", edit)
    ballots = [{"Z1": "agree", "Z2": "disagree", "F1": "agree", "F2": "disagree"} for _ in range(returned)]
    load = [0] * returned
    for cid, n in w.items():
        for i in sorted(range(returned), key=lambda i: (load[i], i))[:n]:
            ballots[i][cid] = "agree"
            load[i] += 1
    assert max(load, default=0) <= 3
    sheets = [_ballot(b) for b in ballots] + list(extra)
    count = Count(issued, returned + len(extra) if recorded else None)
    return meeting, tally(meeting, sheets, [], {("XJ", "XM"): count})


def _by_id(result):
    return {c.candidate_id: c for c in result.candidates}


# -- 1, 2: quorum; a void or invalid vote elects nobody, and says so everywhere ----------------------------------
def test_below_quorum_the_election_is_invalid_and_nobody_is_elected():
    # 820 registered: 410 voting is exactly half, not more than half → 选举无效, although 宋德才 has 400 of 410
    meeting, results = _village({"W2": 400}, 410)
    vote = results.rounds["XJ"]
    assert vote.void and [f.kind for f in vote.invalid] == ["below_quorum"]
    assert (vote.invalid[0].got, vote.invalid[0].limit) == (410, 820)
    assert not any(c.elected for c in vote.candidates) and vote.unfilled == {} and vote.rerun_candidates == {}
    line = "【村民委员会选举】选举无效：参加投票410人，未过登记选民820人的半数"
    assert invalid_lines(meeting, results, "XJ") == [line] and line in notes(meeting, results)
    assert all(row[-1] == "" for row in tables(meeting, results)["XJ 村民委员会选举"][1:])  # no ✓ anywhere
    assert '"elected": true' not in to_json(meeting, results) and results.cohort is None
    # one more voter: 411 of 820 is more than half, and the same votes elect
    _, results = _village({"W2": 400}, 411)
    assert not results.rounds["XJ"].void and _by_id(results.rounds["XJ"])["W2"].elected


def test_quorum_is_a_setting_and_counts_sheets_read_until_the_returned_count_is_recorded():
    meeting, results = _village({"W2": 30}, 30, recorded=False)
    flaw = results.rounds["XJ"].invalid[0]
    assert flaw.kind == "below_quorum" and flaw.provisional
    assert "已读30张，尚未过登记选民820人的半数（收回票数未登记）" in invalid_lines(meeting, results, "XJ")[0]
    _, results = _village({"W2": 30}, 30, edit=lambda s: s.replace('quorum = "registered"', 'quorum = "none"'))
    assert not results.rounds["XJ"].void and _by_id(results.rounds["XJ"])["W2"].elected  # 30 of 30


def test_more_returned_than_issued_voids_the_vote_and_elects_nobody():
    meeting, results = _village({"W1": 600, "W2": 600}, 781, issued=780)
    vote = results.rounds["XJ"]
    assert vote.void and "returned_over_issued" in [f.kind for f in vote.invalid]
    assert not any(c.elected for c in vote.candidates)
    assert any("多于发出780张" in line for line in invalid_lines(meeting, results, "XJ"))


def test_more_sheets_read_than_returned_is_a_conflict_that_elects_nobody():
    meeting = _meeting("cunweihui")
    sheets = [_ballot({"Z1": "agree"}) for _ in range(8)]
    vote = tally(meeting, sheets, [], {("XJ", "XM"): Count(780, 5)}).rounds["XJ"]
    assert vote.void and ("read_over_returned", 8, 5) in [(f.kind, f.got, f.limit) for f in vote.invalid]
    assert not _by_id(vote)["Z1"].elected  # not 8 of 5 = 160 %


# -- 3: write-ins are candidates --------------------------------------------------------------------------------
def test_write_ins_are_one_person_however_spaced_and_are_elected_like_listed_candidates():
    assert normalise_name("李 四") == normalise_name("李\u3000四") == normalise_name(" 李四 ") == "李四"
    assert normalise_name("ＡＢ１") == "AB1"
    spellings = ["李四", "李 四", "李\u3000四"]
    extra = [_ballot({"Z1": "agree", "F1": "agree"}, [_wi("WY")], [("WY", 1, spellings[i % 3])])
             for i in range(450)]
    # 500 returned: 50 plain ballots + 450 writing 李四 in for 委员: 450 of 500 is more than half
    meeting, results = _village({"W1": 300}, 50, issued=780, extra=extra)
    vote = results.rounds["XJ"]
    li = _by_id(vote)["+李四"]
    assert (li.options["agree"], li.elected, li.name, li.section) == (450, True, "李四", "WY")
    assert vote.write_ins == {"WY": {"李四": 450}}
    assert any("李四（另选）" in row[1] and row[-1] == "✓" for row in tables(meeting, results)["XJ 村民委员会选举"])


def test_a_write_in_naming_a_listed_candidate_counts_for_that_candidate_once():
    meeting = _meeting("cunweihui")
    both = _ballot({"W1": "agree"}, [_wi("WY")], [("WY", 1, "唐 小红")])  # 唐小红 is W1
    only = _ballot({}, [_wi("WY")], [("WY", 1, "唐小红")])
    vote = tally(meeting, [both, only], [], {("XJ", "XM"): Count(780, 2)}).rounds["XJ"]
    assert _by_id(vote)["W1"].options["agree"] == 2 and not vote.write_ins


def test_a_write_in_below_the_threshold_is_on_the_rerun_list():
    extra = [_ballot({}, [_wi("WY")], [("WY", 1, "王五")]) for _ in range(350)]
    _, results = _village({"W1": 440, "W2": 430, "W3": 100}, 450, issued=800, extra=extra)
    vote = results.rounds["XJ"]  # 800 returned: more than half is 401; 王五 350, W3 100
    assert not _by_id(vote)["+王五"].elected and vote.unfilled == {"WY": 1}
    assert vote.rerun_candidates["WY"] == ("+王五", "W3")


# -- 4, 5: the re-run list, ties ----------------------------------------------------------------------------------
def test_everyone_tied_at_the_cut_off_is_on_the_rerun_list():
    # 750 returned, K = 3: W1 480 and W2 400 elected (more than 375); one seat left, a list of 2 ("unfilled+1"),
    # but W3 and W4 tie at 250 with 王五 250 written in: all three are on the list, none dropped by file order
    extra = [_ballot({}, [_wi("WY")], [("WY", 1, "王五")]) for _ in range(250)]
    _, results = _village({"W1": 480, "W2": 400, "W3": 250, "W4": 250}, 500, extra=extra)
    vote = results.rounds["XJ"]
    assert vote.unfilled == {"WY": 1} and vote.rerun_reason == {"WY": "unfilled"}
    assert set(vote.rerun_candidates["WY"]) == {"W3", "W4", "+王五"}


def test_rerun_list_size_is_a_setting():
    edit = lambda s: s.replace('rerun_list = "unfilled+1"', 'rerun_list = "2x unfilled"')  # noqa: E731
    _, results = _village({"W1": 600, "W3": 300, "W4": 200, "W2": 100}, 780, edit=edit)
    vote = results.rounds["XJ"]  # two seats left → 4 on the list
    assert vote.unfilled == {"WY": 2} and vote.rerun_candidates["WY"] == ("W3", "W4", "W2")
    with pytest.raises(DefinitionError, match="rerun_list"):
        _meeting("cunweihui", lambda s: s.replace('rerun_list = "unfilled+1"', 'rerun_list = "lots"'))


def test_a_tie_at_the_last_seat_elects_neither_and_revotes_exactly_the_tied():
    meeting, results = _village({"W1": 600, "W2": 450, "W3": 420, "W4": 420}, 780)
    vote = results.rounds["XJ"]
    c = _by_id(vote)
    assert (c["W1"].elected, c["W2"].elected, c["W3"].elected, c["W4"].elected) == (True, True, False, False)
    assert c["W3"].tie and c["W4"].tie
    assert vote.rerun_candidates == {"WY": ("W3", "W4")} and vote.rerun_reason == {"WY": "tie"}
    assert any("梁春燕、董海票数相等" in line for line in notes(meeting, results))


# -- 8: 差额, women, cross-post ------------------------------------------------------------------------------------
def test_uncontested_posts_are_refused_or_warned_per_setting():
    one_for_one = lambda s: s.replace('name = "罗文斌"\npost = "ZR"', 'name = "罗文斌"\npost = "FZ"')  # noqa: E731
    with pytest.raises(DefinitionError, match="差额选举"):
        _meeting("cunweihui", one_for_one)  # 主任: one candidate for one seat, contested = "refuse"
    meeting = _meeting("cunweihui", lambda s: one_for_one(s).replace('contested = "refuse"', 'contested = "warn"'))
    assert any("主任候选人1人，应选1人" in w for w in warnings(meeting))
    assert warnings(_meeting("cunweihui")) == []


def test_no_woman_elected_is_said_when_the_rule_is_on():
    meeting, results = _village({"W2": 600, "W4": 500}, 780)  # Z1 杨光明, F1 谢桂兰 (a woman) elected
    assert not results.rounds["XJ"].no_woman
    edit = lambda s: s.replace('name = "谢桂兰"\npost = "FZ"\ngender = "女"',  # noqa: E731
                               'name = "谢桂兰"\npost = "FZ"\ngender = "男"')
    meeting, results = _village({"W2": 600, "W4": 500}, 780, edit=edit)
    assert results.rounds["XJ"].no_woman and "no_woman:XJ" in results.notes
    assert any("没有妇女成员" in line for line in notes(meeting, results))


def test_cross_post_votes_carry_to_lower_posts_once_per_ballot():
    no_quorum = lambda s: s.replace('quorum = "registered"', 'quorum = "none"')  # noqa: E731
    edit = lambda s: no_quorum(s).replace("cross_post = false", "cross_post = true")  # noqa: E731
    meeting = _meeting("cunweihui", edit)
    # 10 returned: 罗文斌 (Z2, 主任) gets 4 主任 votes (not elected: 杨光明 has 6); 3 ballots also write him in for
    # 委员, 2 of them ballots that chose him for 主任 → 委员 votes for 罗文斌: 4 + 1 = 5 … not more than half of 10
    sheets = []
    for i in range(10):
        votes = {"Z1": "agree" if i >= 4 else "disagree", "Z2": "agree" if i < 4 else "disagree"}
        write = [_wi("WY")] if i in (0, 1, 9) else []
        names = [("WY", 1, "罗文斌")] if write else []
        sheets.append(_ballot(votes, write, names))
    vote = tally(meeting, sheets, [], {("XJ", "XM"): Count(10, 10)}).rounds["XJ"]
    assert _by_id(vote)["+罗文斌"].options["agree"] == 5
    plain = tally(_meeting("cunweihui", no_quorum), sheets, [], {("XJ", "XM"): Count(10, 10)}).rounds["XJ"]
    assert _by_id(plain)["+罗文斌"].options["agree"] == 3  # the setting off: only the write-ins


# -- 9, 10: rating levels and 弃权 ----------------------------------------------------------------------------------
def _rating(grades: list[str | None], edit=lambda s: s):
    meeting = _meeting("niandu-ceping", edit)
    sheets = [Sheet("CP", "DY", 1, None, "counted", {"grades": {"L1": g} if g else {}}) for g in grades]
    result = tally(meeting, sheets, [], {("CP", "DY"): Count(45, len(grades)), ("CP", "CM"): Count(35, 0)})
    return meeting, result, _by_id(result.rounds["CP"])["L1"]


def test_more_than_a_third_is_more_than_exactly_a_third():
    # 45 ballots: 15 不称职 is exactly ⅓ — not 不称职; 16 is 超过 ⅓
    _, _, l1 = _rating(["BC"] * 15 + ["CZ"] * 15 + ["JB"] * 15)
    assert l1.level == "基本称职"
    _, _, l1 = _rating(["BC"] * 16 + ["CZ"] * 15 + ["JB"] * 14)
    assert l1.level == "不称职"


def test_excellent_needs_excellent_votes_not_only_competent_ones():
    _, _, l1 = _rating(["CZ"] * 45)  # 45 称职, 0 优秀: 称职, not 优秀
    assert l1.level == "称职"
    _, _, l1 = _rating(["YX"] * 23 + ["CZ"] * 18 + ["JB"] * 4)  # 23 of 45 优秀 (> ½), 41 of 45 优秀+称职 (≥ 90 %)
    assert l1.level == "优秀"
    _, _, l1 = _rating(["YX"] * 22 + ["CZ"] * 19 + ["JB"] * 4)  # 22 of 45 is not more than half
    assert l1.level == "称职"


def test_a_row_left_blank_is_an_abstention_shown_and_left_out_of_the_points():
    # 45 valid: 20 优秀, 10 称职, 15 left L1 blank → 弃权 15; points over the 30 who graded: (2000 + 800) / 30
    grades = ["YX"] * 20 + ["CZ"] * 10 + [None] * 15
    meeting, results, l1 = _rating(grades)
    assert l1.abstain == 15 and sum(l1.counts.values()) + l1.abstain == 45
    assert l1.points == Decimal(2800) / Decimal(30)
    row = next(r for r in tables(meeting, results)["CP 年度民主测评"] if r[0] == "杨振华")
    assert row[5] == "15 (33.3%)" and row[6] == "93.33"
    _, _, zero = _rating(grades, lambda s: s.replace('[[rounds.grades]]', 'ungraded = "zero"\n\n[[rounds.grades]]',
                                                     1))
    assert zero.points == Decimal(2800) / Decimal(45)  # the other setting: the blank rows count 0 points


# -- 11: a judge's sheet with a missing criterion -------------------------------------------------------------------
def test_an_incomplete_judge_sheet_keeps_the_trim_rule_and_is_named():
    meeting = _meeting("jingpin-ceping")
    crit = (("NR", 40), ("YY", 30), ("XX", 10), ("SJ", 10), ("ZH", 10))
    sheets = []
    for judge, total in enumerate([80, 85, 90, 88, 92, 70, 95], start=1):
        scores = {}
        rest = total
        for cid, top in crit:
            scores[cid] = str(min(top, rest))
            rest -= min(top, rest)
        if judge == 3:
            scores["ZH"] = None  # judge 3 left 综合印象 of C01 blank, accepted in review as it is
        sheets.append(Sheet("YJ", "PS", 1, str(judge), "counted", {"scores": {"C01": scores}}))
    results = tally(meeting, sheets, [], {})
    c01 = _by_id(results.rounds["YJ"])["C01"]
    # 7 judges scored the round, so the trim rule holds for C01 too: of the other six (80 85 88 92 70 95) drop
    # 95 and 70 → (80 + 85 + 88 + 92) / 4 = 86.25
    assert c01.incomplete == ("3",) and c01.dropped == 2 and c01.trimmed_mean == Decimal("86.25")
    assert "incomplete:YJ/C01/3" in results.notes
    assert any("第3号评委对王建国的评分缺项" in line for line in notes(meeting, results))


def _split(total: int, criteria) -> dict[str, str]:
    out = {}
    for cid, top in criteria:
        out[cid] = str(min(top, total))
        total -= min(top, total)
    return out


# -- 12: 一职双备, selection per post --------------------------------------------------------------------------------
def test_gongxuan_selects_two_per_post():
    meeting = _meeting("gongxuan-houbei")
    sj = ["A1", "A2", "A3", "A4"]
    zr = ["B1", "B2", "B3", "B4"]
    # every 书记 candidate scores above every 主任 candidate in both speeches and the vote
    score = {"A1": 95, "A2": 94, "A3": 93, "A4": 92, "B1": 80, "B2": 79, "B3": 78, "B4": 70}
    sheets = []
    for judge in range(1, 8):
        yj = {c: _split(v, (("NR", 40), ("YY", 30), ("XX", 10), ("SJ", 10), ("ZH", 10))) for c, v in score.items()}
        db = {c: {"LJ": "40", "SL": "30", "CS": str(v - 70)} for c, v in score.items()}
        sheets += [Sheet("YJ", "PS", 1, str(judge), "counted", {"scores": yj}),
                   Sheet("DB", "PS", 1, str(judge), "counted", {"scores": db})]
    for i in range(60):
        chosen = {c: "choose" for c in (["A1", "A2"] if i % 2 else ["A3", "A4"]) + (["B1", "B2"] if i < 40 else [])}
        sheets.append(Sheet("PX", "DY", 1, None, "counted", {"votes": chosen}))
    counts = {("PX", "DY"): Count(60, 60), ("PX", "CM"): Count(40, 0), ("YJ", "PS"): Count(7, 7),
              ("DB", "PS"): Count(7, 7)}
    results = tally(meeting, sheets, [], counts)
    assert not results.missing, (results.missing, results.notes)
    selected = {r.candidate_id for r in results.ranking if r.selected}
    assert len(selected & set(sj)) == 2 and len(selected & set(zr)) == 2  # two per post, not four 书记
    assert {r.rank for r in results.ranking if r.post == "ZR"} == {1, 2, 3, 4}
    assert results.cohort is not None and results.cohort.count == 4
    table = tables(meeting, results)["综合成绩"]
    assert table[0][:3] == ["职位", "名次", "候选人"] and sum(row[-1] == "✓" for row in table[1:]) == 4


# -- 13: exact rounding -------------------------------------------------------------------------------------------
_EXACT = """
[meeting]
id = "TEST1234"
title = "t"
date = 2026-12-01
decimals = {decimals}
[[posts]]
id = "P"
name = "岗位"
seats = 1
[[candidates]]
id = "C1"
name = "甲"
post = "P"
[[groups]]
id = "PS"
name = "评委"
expected = 3
[[rounds]]
id = "A"
name = "甲环节"
kind = "score"
groups = ["PS"]
[[rounds.criteria]]
id = "T"
name = "总分"
max = 100
[[rounds]]
id = "B"
name = "乙环节"
kind = "manual"
[[rounds]]
id = "C"
name = "丙环节"
kind = "score"
groups = ["PS"]
[[rounds.criteria]]
id = "T"
name = "总分"
max = 100
[composite]
[[composite.parts]]
round = "A"
weight = {a}
[[composite.parts]]
round = "B"
weight = {b}
[[composite.parts]]
round = "C"
weight = {c}
"""


def test_the_composite_is_exact_and_rounded_half_up_once():
    meeting = load_text(_EXACT.format(decimals=2, a="12.5", b="37.5", c=50))
    # parts 125/3 (41 42 42), 68, 295/3 (98 98.5 98.5): 12.5 % × 125/3 + 37.5 % × 68 + 50 % × 295/3 = 79.875
    sheets = [Sheet("A", "PS", 1, str(j), "counted", {"scores": {"C1": {"T": v}}}) for j, v in
              enumerate(["41", "42", "42"], start=1)]
    sheets += [Sheet("C", "PS", 1, str(j), "counted", {"scores": {"C1": {"T": v}}}) for j, v in
               enumerate(["98", "98.5", "98.5"], start=1)]
    results = tally(meeting, sheets, [Manual("B", "C1", Decimal(68), "x", 1)], {})
    assert results.ranking[0].composite == Decimal("79.88")
    assert str(round_exact(__import__("fractions").Fraction(81, 2), 0)) == "41"
    meeting = load_text(_EXACT.format(decimals=0, a=20, b=60, c=20))
    flat = [Sheet(r, "PS", 1, str(j), "counted", {"scores": {"C1": {"T": "40.5"}}}) for r in "AC" for j in (1, 2, 3)]
    results = tally(meeting, flat, [Manual("B", "C1", Decimal("40.5"), "x", 1)], {})
    assert str(results.ranking[0].composite) == "41"  # an exact 40.5 at 0 decimals is 41, not 40


# -- properties -----------------------------------------------------------------------------------------------------
VILLAGE = _meeting("cunweihui")
WY = ["W1", "W2", "W3", "W4"]
ballot = st.fixed_dictionaries({c: st.sampled_from(["agree", "disagree", "abstain"]) for c in WY})
names = st.sampled_from(["李四", "李 四", "王五", "赵六"])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(ballot, st.one_of(st.none(), names)), max_size=30), st.integers(0, 40),
       st.integers(0, 40))
def test_a_void_or_invalid_round_elects_nobody(ballots, issued, returned):
    sheets = [_ballot(v, [_wi("WY")] if n else [], [("WY", 1, n)] if n else []) for v, n in ballots]
    vote = tally(VILLAGE, sheets, [], {("XJ", "XM"): Count(issued, returned)}).rounds["XJ"]
    # 820 registered: at most 40 returned is always below quorum; returned > issued voids too
    assert vote.void and not any(c.elected or c.tie for c in vote.candidates) and not vote.rerun_candidates


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(ballot, st.one_of(st.none(), names)), min_size=1, max_size=40))
def test_nobody_is_elected_without_more_than_half_and_ties_at_the_cut_off_are_all_listed(ballots):
    meeting = _meeting("cunweihui", lambda s: s.replace('quorum = "registered"', 'quorum = "none"'))
    sheets = [_ballot(v, [_wi("WY")] if n else [], [("WY", 1, n)] if n else []) for v, n in ballots]
    vote = tally(meeting, sheets, [], {("XJ", "XM"): Count(780, len(sheets))}).rounds["XJ"]
    assert isinstance(vote, VoteResult)
    wy = [c for c in vote.candidates if c.section == "WY"]
    for c in wy:
        if c.elected:
            assert c.options["agree"] * 2 > vote.base  # a write-in vote never elects below the threshold
    elected = sum(c.elected for c in wy)
    assert elected <= 3
    listed = vote.rerun_candidates.get("WY", ())
    if listed:
        cut = min(_by_id(vote)[c].options["agree"] for c in listed)
        tied_out = [c.candidate_id for c in wy if not c.elected and c.options["agree"] == cut
                    and c.candidate_id not in listed]
        assert not tied_out  # everyone tied at the cut-off is on the list
        assert vote.unfilled["WY"] == 3 - elected

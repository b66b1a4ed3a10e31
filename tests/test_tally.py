"""Tally rules: worked examples with numbers computed by hand, and hypothesis properties."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import templates
from meeting.definition import load_text
from tally.compute import half_up, tally
from tally.model import Count, Manual, RatingResult, ScoreResult, Sheet, VoteResult


def _meeting(name: str, extra: str = ""):
    return load_text(templates.get(name).read_text().replace("[meeting]", '[meeting]\nid = "TEST1234"', 1) + extra)


def _score_sheet(serial: int, totals: dict[str, int]) -> Sheet:
    """A judge's sheet giving each candidate `total`, split over the five criteria (40/30/10/10/10)."""
    scores = {}
    for cid, total in totals.items():
        rest = total
        parts = {}
        for crit, top in (("NR", 40), ("YY", 30), ("XX", 10), ("SJ", 10), ("ZH", 10)):
            give = min(top, rest - 0)
            parts[crit] = str(give)
            rest -= give
        scores[cid] = parts
    return Sheet("YJ", "PS", 1, str(serial), "counted", {"scores": scores})


def _rating(cid_grades: dict[str, str], group: str = "QZ", round_id: str = "CP") -> Sheet:
    return Sheet(round_id, group, 1, None, "counted", {"grades": cid_grades})


def test_worked_example_40_20_40_with_seven_judges():
    meeting = _meeting("jingpin-ceping")
    cands = [c.id for c in meeting.candidates]
    judge_totals = {  # C01: drop 95 and 70 → (80 + 85 + 88 + 90 + 92) / 5 = 87
        "C01": [80, 85, 90, 88, 92, 70, 95],
    }
    sheets = []
    for j in range(7):
        totals = {c: 75 for c in cands}
        totals["C01"] = judge_totals["C01"][j]
        sheets.append(_score_sheet(j + 1, totals))
    # 50 ballots: C01 30 优秀, 15 称职, 5 基本称职 → (30×100 + 15×80 + 5×60) / 50 = 90
    for i in range(50):
        grade = "excellent" if i < 30 else "competent" if i < 45 else "basic"
        sheets.append(_rating({c: ("competent" if c != "C01" else grade) for c in cands}))
    entries = [Manual("DW", c, Decimal("88") if c == "C01" else Decimal("80"), "王书记", i)
               for i, c in enumerate(cands)]
    counts = {("YJ", "PS"): Count(7, 7), ("CP", "QZ"): Count(50, 50)}
    results = tally(meeting, sheets, entries, counts)
    speech = results.rounds["YJ"]
    assert isinstance(speech, ScoreResult)
    c01 = next(c for c in speech.candidates if c.candidate_id == "C01")
    assert (c01.highest, c01.lowest, c01.dropped, c01.trimmed_mean) == (95, 70, 2, Decimal(87))
    assert c01.total == 600
    rating = results.rounds["CP"]
    assert isinstance(rating, RatingResult)
    assert next(c for c in rating.candidates if c.candidate_id == "C01").points == Decimal(90)
    # 综合成绩 = 90 × 40% + 87 × 20% + 88 × 40% = 36 + 17.4 + 35.2 = 88.60
    top = results.ranking[0]
    assert (top.candidate_id, top.composite, top.rank, top.tied) == ("C01", Decimal("88.60"), 1, False)
    # everyone else: 80 × 0.4 + 75 × 0.2 + 80 × 0.4 = 79.00, five-way tie for 2nd
    others = results.ranking[1:]
    assert {r.composite for r in others} == {Decimal("79.00")} and {r.rank for r in others} == {2}
    assert all(r.tied for r in others)


def _ballot(votes: dict[str, str | None], write_ins=(), names=()) -> Sheet:
    return Sheet("XJ", "XM", 1, None, "counted", {"votes": votes, "write_ins": list(write_ins)}, tuple(names))


def _election(w_votes: list[int], returned: int = 780, issued: int = 780, extra: str = ""):
    """村委会 election: 780 ballots; 主任 and 副主任 clear winners; 委员 (K=3) agree votes as given."""
    meeting = _meeting("cunweihui", extra)
    ballots = [{"Z1": "agree" if i < 600 else "disagree", "Z2": "disagree", "F1": "agree" if i < 500 else "abstain",
                "F2": "disagree"} for i in range(returned)]
    agrees = [0] * returned
    for cid, n in zip(["W1", "W2", "W3", "W4"], w_votes, strict=True):
        # give this candidate's agrees to the ballots with the fewest so far: never more than K = 3 on one
        for i in sorted(range(returned), key=lambda i: (agrees[i], i))[:n]:
            ballots[i][cid] = "agree"
            agrees[i] += 1
        for b in ballots:
            b.setdefault(cid, "disagree")
    assert max(agrees) <= 3
    sheets = [_ballot(b) for b in ballots]
    return meeting, tally(meeting, sheets, [], {("XJ", "XM"): Count(issued, returned)})


def _by_id(result: VoteResult):
    return {c.candidate_id: c for c in result.candidates}


def test_village_election_with_one_seat_unfilled():
    # majority base = ballots returned (780): more than half is 391 or more.
    # 委员: W1 600, W2 450, W3 390 (not more than half), W4 100
    _, results = _election([600, 450, 390, 100])
    vote = results.rounds["XJ"]
    assert isinstance(vote, VoteResult) and vote.base == 780 and not vote.void
    c = _by_id(vote)
    assert c["Z1"].elected and c["F1"].elected and not c["Z2"].elected
    assert (c["W1"].elected, c["W2"].elected, c["W3"].elected) == (True, True, False)
    assert vote.unfilled == {"WY": 1}
    assert vote.rerun_candidates["WY"] == ("W3", "W4")  # 另行选举: best of the rest first
    assert c["W3"].share == Decimal(390) / Decimal(780)


def test_tie_for_the_last_seat_elects_neither():
    _, results = _election([600, 450, 420, 420])
    c = _by_id(results.rounds["XJ"])
    assert (c["W1"].elected, c["W2"].elected) == (True, True)
    assert c["W3"].tie and c["W4"].tie and not c["W3"].elected and not c["W4"].elected
    assert results.rounds["XJ"].unfilled == {"WY": 1}
    assert "tie:XJ/W3" in results.notes


def test_rerun_elects_with_a_third():
    meeting, results = _election([600, 450, 300, 100], extra="")
    assert not _by_id(results.rounds["XJ"])["W3"].elected  # 300 is not more than half of 780
    rerun = templates.get("cunweihui").read_text().replace('rerun_min_share = "1/3"',
                                                           'rerun_min_share = "1/3"\nrerun = true')
    meeting = load_text(rerun.replace("[meeting]", '[meeting]\nid = "TEST1234"', 1))
    sheets = [_ballot({"W3": "agree" if i < 260 else "disagree"}) for i in range(780)]
    vote = tally(meeting, sheets, [], {("XJ", "XM"): Count(780, 780)}).rounds["XJ"]
    assert _by_id(vote)["W3"].elected  # 260 ≥ 780 / 3


def test_more_returned_than_issued_voids_the_vote_loudly():
    _, results = _election([600, 450, 420, 100], returned=781, issued=780)
    vote = results.rounds["XJ"]
    assert vote.void and vote.groups[0].vote_void
    assert "void:XJ/XM:781>780" in results.notes


def test_overvote_voids_the_section_or_the_ballot_per_setting():
    # section rule (the template's): three agrees on 主任 (K=1) void that section only
    over = {"Z1": "agree", "Z2": "agree", "F1": "agree", "W1": "agree"}
    meeting = _meeting("cunweihui")
    vote = tally(meeting, [_ballot(over)], [], {("XJ", "XM"): Count(780, 1)}).rounds["XJ"]
    c = _by_id(vote)
    assert c["Z1"].options["agree"] == 0 and c["F1"].options["agree"] == 1 and vote.groups[0].valid == 1
    ballot_rule = templates.get("cunweihui").read_text().replace('overvote = "section"', 'overvote = "ballot"')
    meeting = load_text(ballot_rule.replace("[meeting]", '[meeting]\nid = "TEST1234"', 1))
    vote = tally(meeting, [_ballot(over)], [], {("XJ", "XM"): Count(780, 1)}).rounds["XJ"]
    assert _by_id(vote)["F1"].options["agree"] == 0
    assert (vote.groups[0].valid, vote.groups[0].void) == (0, 1)  # cast, and void


def test_write_ins_count_as_named_in_review():
    meeting = _meeting("cunweihui")
    sheets = [_ballot({"Z1": "disagree", "Z2": "disagree"}, [{"section": "ZR", "row": 1, "ticked": True,
                                                               "written": True}], [("ZR", 1, "李四")])
              for _ in range(400)]
    vote = tally(meeting, sheets, [], {("XJ", "XM"): Count(780, 400)}).rounds["XJ"]
    assert vote.write_ins == {"ZR": {"李四": 400}}


def test_rating_points_with_100_80_60_40():
    meeting = _meeting("niandu-ceping")
    # L1: 20 优秀, 10 称职, 4 基本称职, 1 不称职 out of 35 valid → (2000 + 800 + 240 + 40) / 35 = 88
    grades = ["YX"] * 20 + ["CZ"] * 10 + ["JB"] * 4 + ["BC"]
    sheets = [_rating({"L1": g}, "CM") for g in grades]
    # 45 of the 80 registered (35 村民代表 + 10 党员) voted: more than half, the rating stands
    rating = tally(meeting, sheets, [], {("CP", "CM"): Count(35, 35), ("CP", "DY"): Count(45, 10)}).rounds["CP"]
    l1 = next(c for c in rating.candidates if c.candidate_id == "L1")
    assert l1.points == Decimal(88)
    assert l1.counts == {"YX": 20, "CZ": 10, "JB": 4, "BC": 1}
    assert half_up(l1.shares["YX"] * 100, 2) == Decimal("57.14")
    # 优秀 + 称职 = 30 of 35 = 85.7%: not the 90% of 优秀, but the 70% of 称职
    assert l1.level == "称职"


# -- properties --------------------------------------------------------------------------------------------
RATING = _meeting("niandu-ceping")
GRADES = [g.id for g in RATING.rounds[0].spec.grades]
ratings = st.lists(st.fixed_dictionaries({c.id: st.sampled_from([*GRADES, None]) for c in RATING.candidates}),
                   max_size=40)


@settings(max_examples=60, deadline=None)
@given(ratings, st.randoms())
def test_results_do_not_depend_on_ballot_order(ballots, rnd):
    sheets = [_rating(b, "DY") for b in ballots]
    counts = {("CP", "DY"): Count(45, len(sheets))}
    shuffled = list(sheets)
    rnd.shuffle(shuffled)
    assert tally(RATING, sheets, [], counts) == tally(RATING, shuffled, [], counts)


@settings(max_examples=60, deadline=None)
@given(ratings)
def test_a_blank_ballot_changes_only_cast_and_blank(ballots):
    sheets = [_rating(b, "DY") for b in ballots]
    before = tally(RATING, sheets, [], {("CP", "DY"): Count(45, None)}).rounds["CP"]
    after = tally(RATING, [*sheets, _rating({}, "DY")], [], {("CP", "DY"): Count(45, None)}).rounds["CP"]
    assert [c.counts for c in before.candidates] == [c.counts for c in after.candidates]
    g0, g1 = before.groups[0], after.groups[0]
    assert (g1.read, g1.blank, g1.returned) == (g0.read + 1, g0.blank + 1, g0.returned + 1)
    assert (g1.void, g1.pending) == (g0.void, g0.pending)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=1, max_size=15))
def test_trimmed_mean_lies_between_the_lowest_and_highest_judge(totals):
    meeting = _meeting("jingpin-ceping")
    sheets = [_score_sheet(i + 1, {"C01": t}) for i, t in enumerate(totals)]
    c01 = next(c for c in tally(meeting, sheets, [], {}).rounds["YJ"].candidates if c.candidate_id == "C01")
    assert min(totals) <= c01.trimmed_mean <= max(totals)
    assert c01.dropped == (2 if len(totals) >= 5 else 0)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 100), st.lists(st.integers(1, 98), min_size=2, max_size=2))
def test_composite_of_equal_parts_equals_the_part(value, cuts):
    a, b = sorted(cuts)
    if a == b:
        b = a + 1
    weights = (a, b - a, 100 - b)
    text = templates.get("jingpin-ceping").read_text()
    olds = ("weight = 40\n\n[[composite.parts]]\nround = \"YJ\"", "weight = 20", "round = \"DW\"\nweight = 40")
    for old, new in zip(olds,
                        (f"weight = {weights[0]}\n\n[[composite.parts]]\nround = \"YJ\"", f"weight = {weights[1]}",
                         f"round = \"DW\"\nweight = {weights[2]}"), strict=True):
        text = text.replace(old, new, 1)
    meeting = load_text(text.replace("[meeting]", '[meeting]\nid = "TEST1234"', 1))
    cands = [c.id for c in meeting.candidates]
    grade = {100: "excellent", 80: "competent", 60: "basic", 40: "incompetent"}
    v = min(grade, key=lambda g: abs(g - value))  # a rating reaches only 100/80/60/40 with one ballot
    sheets = [_score_sheet(1, {c: v for c in cands}), _rating({c: grade[v] for c in cands})]
    entries = [Manual("DW", c, Decimal(v), "x", i) for i, c in enumerate(cands)]
    results = tally(meeting, sheets, entries, {("CP", "QZ"): Count(50, 50), ("YJ", "PS"): Count(7, 1)})
    assert {r.composite for r in results.ranking} == {half_up(Decimal(v), 2)}


def test_shuffling_votes_keeps_elections():
    meeting, _results = _election([600, 450, 390, 100])
    sheets = [_ballot({"W1": "agree" if i % 3 else "abstain"}) for i in range(30)]
    a = tally(meeting, sheets, [], {("XJ", "XM"): Count(780, 30)})
    random.Random(1).shuffle(sheets)
    assert a == tally(meeting, sheets, [], {("XJ", "XM"): Count(780, 30)})

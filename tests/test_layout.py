"""Layouts lay out legibly: nothing overlaps, nothing is clipped, big forms go multi-page; payloads fit QR v3."""

from __future__ import annotations

import itertools

import pytest

import templates
from ballots.fonts import Measurer, find_font
from ballots.geometry import Layout, Rect
from ballots.layout import MIN_SIZE, LayoutError, build_layout, line_height
from ballots.payload import Payload, PayloadError, encode, layout_prefix, parse, verify
from ballots.render import qr_cells
from meeting.definition import load_text
from meeting.model import Meeting
from tests.printed import ARTIFACTS, edge_offsets, find_markers, render, stored_layouts


def _meeting(text: str) -> Meeting:
    return load_text(text.replace("[meeting]", '[meeting]\nid = "TEST1234"', 1))


def big_meeting_text(name: str = "候选人") -> str:
    cands = "\n".join(f'[[candidates]]\nid = "C{i:02d}"\nname = "{name}{i:02d}"\npost = "A"\n' for i in range(1, 31))
    criteria = "\n".join(f'[[rounds.criteria]]\nid = "K{i}"\nname = "{n}"\nmax = {m}\n'
                         for i, (n, m) in enumerate([("演讲内容", 40), ("语言表达", 30), ("形象风度", 10),
                                                     ("时间把握", 10), ("综合印象", 10)]))
    return f"""[meeting]
title = "大型测试会议：三十名候选人民主推荐和十二名评委评分"
date = 2026-12-01

[[posts]]
id = "A"
name = "村级后备干部"
seats = 5

{cands}
[[groups]]
id = "V"
name = "党员和村民代表"
expected = 120

[[groups]]
id = "J"
name = "评审组"
expected = 12

[[rounds]]
id = "TP"
name = "民主推荐"
kind = "vote"
groups = ["V"]
write_ins = 2

[[rounds]]
id = "PF"
name = "竞聘演讲"
kind = "score"
groups = ["J"]
candidates = [{", ".join(f'"C{i:02d}"' for i in range(1, 16))}]
trim_min_judges = 7

{criteria}"""


def _overlap(a: Rect, b: Rect, gap: float = 0.0) -> bool:
    return not (a.x + a.w + gap <= b.x or b.x + b.w + gap <= a.x or a.y + a.h + gap <= b.y or b.y + b.h + gap <= a.y)


def assert_legible(layout: Layout, measure: Measurer) -> None:
    """No box overlaps another box, a text, a marker, the QR code or the calibration strip; every text line
    fits its cell at a readable size; every box is on the paper."""
    for page in layout.pages:
        keep_out = [m.rect for m in page.markers] + [Rect(page.qr.x - 4.8, page.qr.y - 4.8, page.qr.w + 9.6,
                                                          page.qr.h + 9.6)] + list(page.calibration)
        for box in page.boxes:
            r = box.rect
            assert r.x > 0 and r.x + r.w < layout.width and r.y > 0 and r.y + r.h < layout.height
            assert r.w >= 4.0 and r.h >= 4.0, f"{box.id} is too small to tick"
            for k in keep_out:
                assert not _overlap(r, k, 1.0), f"{box.id} on page {page.number} is too close to {k}"
            for t in page.texts:
                assert not _overlap(r, t.rect), f"{box.id} overlaps text {t.lines}"
        if layout.form == "vote":  # a section never splits across pages: K is checked per sheet
            sections_here = {b.mark.section for b in page.boxes}
            for other in layout.pages:
                if other is not page:
                    assert not sections_here & {b.mark.section for b in other.boxes}
        for a, b in itertools.combinations(page.boxes, 2):
            assert not _overlap(a.rect, b.rect, 0.5), f"{a.id} and {b.id} overlap on page {page.number}"
        for t in page.texts:
            assert t.size >= MIN_SIZE
            assert len(t.lines) * line_height(t.size) <= t.rect.h + 0.05, f"{t.lines} is taller than its cell"
            for line in t.lines:
                assert measure.width(line, t.size) <= t.rect.w + 0.05, f"{line!r} is wider than its cell"


@pytest.fixture(scope="module")
def measure() -> Measurer:
    return Measurer(find_font("候选人评审组测试"))


@pytest.mark.parametrize("name", [t.name for t in templates.TEMPLATES])
def test_template_layouts_are_legible(name, measure):
    meeting = _meeting(templates.get(name).read_text())
    for rnd in meeting.rounds:
        for gid in rnd.groups:
            assert_legible(build_layout(meeting, rnd.id, gid, measure), measure)


def test_thirty_candidate_vote_and_twelve_judge_score_sheet(cli, tmp_path, measure):
    source = tmp_path / "big.toml"
    source.write_text(big_meeting_text(), encoding="utf-8")
    folder = tmp_path / "big"
    assert cli("init", "--from", source, folder).exit_code == 0
    result = cli("print", folder)
    assert result.exit_code == 0, result.output
    layouts = stored_layouts(folder)
    vote, score = layouts[("TP", "V")], layouts[("PF", "J")]
    assert len(vote.pages) == 1 and len(score.pages) == 4  # the vote's one section in two columns
    assert sum(len(p.boxes) for p in vote.pages) == 30 * 3 + 2
    # per candidate: max 40 = tens 0-4 + units + half (16), max 30 (15), three of max 10 (13 each)
    assert sum(len(p.boxes) for p in score.pages) == 15 * (16 + 15 + 3 * 13)
    ARTIFACTS.mkdir(exist_ok=True)
    for layout, pdf in ((vote, folder / "print" / "TP-V.pdf"), (score, folder / "print" / "PF-J.pdf")):
        assert_legible(layout, measure)
        for index, page in enumerate(layout.pages):
            img = render(pdf, index, 300)
            worst = max(abs(o) for b in page.boxes for o in edge_offsets(img, b.rect, 300))
            assert worst <= 0.5, f"{pdf.name} page {index + 1}: a box is {worst:.2f} mm off"
            small = render(pdf, index, 100)
            assert sorted(find_markers(small, 100)) == [0, 1, 2, 3]
            import PIL.Image

            PIL.Image.fromarray(small).save(ARTIFACTS / f"{pdf.stem}-p{index + 1}.png")
    # every page of a 12-judge print is there: 12 sheets of 4 pages
    from tests.printed import page_count

    assert page_count(folder / "print" / "PF-J.pdf") == 12 * 4


def test_long_names_wrap_rather_than_clip(measure):
    long_name = "欧阳" + "明" * 38  # 40 characters, the longest a name may be
    text = templates.get("niandu-ceping").read_text().replace('name = "杨振华"', f'name = "{long_name}"')
    meeting = _meeting(text)
    layout = build_layout(meeting, "CP", "DY", measure)
    assert_legible(layout, measure)
    lines = next(t.lines for p in layout.pages for t in p.texts if t.lines[0].startswith("欧阳"))
    assert len(lines) > 1 and "".join(lines) == long_name

    vote = _meeting(templates.get("cunweihui").read_text().replace('name = "杨光明"', f'name = "{long_name}"'))
    layout = build_layout(vote, "XJ", "XM", measure)
    assert_legible(layout, measure)
    assert any("".join(t.lines) == long_name for p in layout.pages for t in p.texts)


def test_text_that_cannot_fit_is_an_error_not_a_clip(measure):
    option = "非常满意" * 12
    text = templates.get("manyidu").read_text().replace(
        'text = "政治建设：贯彻落实党的路线方针政策和上级决策部署"',
        f'text = "政治建设"\noptions = ["{option}", "{option}2", "{option}3"]')
    with pytest.raises(LayoutError, match=r"questions\.Q1\.options: the options do not fit on one line"):
        build_layout(_meeting(text), "MY", "DB", measure)


def test_payload_round_trip_and_every_rejection():
    secret = b"s" * 32
    p = Payload("TEST1234", "YJ", "PS", "ABCDEF", 1, 2, "7")
    code = encode(p, secret)
    assert verify(code, "TEST1234", secret, {"ABCDEF": "ff" * 32}) == p
    for bad, reason in [
        ("https://example.org/", "foreign"),
        ("TK1:TEST1234:YJ", "malformed"),
        (code.replace(":1/2:", ":3/2:"), "malformed"),
        (code.replace(":7:", ":8:"), "bad_mac"),
        (code[:-1] + ("A" if code[-1] != "A" else "B"), "bad_mac"),
    ]:
        with pytest.raises(PayloadError) as caught:
            verify(bad, "TEST1234", secret)
        assert caught.value.reason == reason, bad
    with pytest.raises(PayloadError) as caught:
        verify(code, "OTHER123", secret)
    assert caught.value.reason == "wrong_meeting"
    with pytest.raises(PayloadError) as caught:
        verify(code, "TEST1234", b"x" * 32)
    assert caught.value.reason == "bad_mac"
    with pytest.raises(PayloadError) as caught:
        verify(code, "TEST1234", secret, {"ZZZZZZ": "00" * 32})
    assert caught.value.reason == "unknown_layout"
    assert parse(code)[0].serial == "7"


def test_the_longest_payload_fits_qr_version_3():
    longest = Payload("ABCD1234", "ABCDEF", "ABCDEF", layout_prefix("ab" * 32), 12, 12, "1000", test=True)
    code = encode(longest, b"k" * 32)
    assert len(code) <= 61  # version 3-M alphanumeric capacity
    assert len(qr_cells(code)) == 29


def test_a_section_too_big_for_a_page_is_an_error_that_says_a3(measure):
    text = big_meeting_text()
    extra = "\n".join(f'[[candidates]]\nid = "D{i:02d}"\nname = "候补{i:02d}"\npost = "A"\n' for i in range(1, 31))
    meeting = _meeting(text.replace("[[groups]]", extra + "\n[[groups]]", 1))
    with pytest.raises(LayoutError, match=r"posts\.A: its 60 candidates do not fit on one page.*--paper A3"):
        build_layout(meeting, "TP", "V", measure)
    a3 = build_layout(meeting, "TP", "V", measure, paper="A3")
    assert len(a3.pages) == 1
    assert_legible(a3, measure)

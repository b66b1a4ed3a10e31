"""Printing: every template prints; the PDFs open in pdfium and poppler with real Chinese text; every box
of the stored layout lands on the rendered page within 0.5 mm; QR codes decode and verify."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import templates
from ballots.payload import PayloadError, verify
from meeting.definition import load_text
from meeting.folder import MeetingFolder
from tests.conftest import snapshot
from tests.printed import decode_qr, edge_offsets, find_markers, page_count, render, stored_layouts

NAMES = [t.name for t in templates.TEMPLATES]
DPI = 300


def _pdftotext(path: Path, first: int = 1, last: int = 1) -> str:
    exe = shutil.which("pdftotext")
    assert exe, "poppler-utils is missing; `make test` installs it"
    out = subprocess.run([exe, "-f", str(first), "-l", str(last), "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True)
    return out.stdout


@pytest.mark.parametrize("name", NAMES)
def test_pdfs_open_with_pdfium_and_poppler_and_carry_the_chinese_text(name, printed):
    folder = printed[name]
    store = MeetingFolder.open(folder).store()
    meeting = MeetingFolder.open(folder).accepted(store).meeting
    layouts = stored_layouts(folder)
    for rnd in meeting.rounds:
        if rnd.kind == "manual":
            continue
        for gid in rnd.groups:
            pdf = folder / "print" / f"{rnd.id}-{gid}.pdf"
            layout = layouts[(rnd.id, gid)]
            copies = meeting.group(gid).ballots + 2
            assert page_count(pdf) == copies * len(layout.pages)
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
            assert re.search(rf"Pages:\s+{copies * len(layout.pages)}", info)
            fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
            assert re.search(r"WenQuanYi\S*\s+CID TrueType\s+Identity-H\s+yes yes yes", fonts), fonts  # embedded
            words = _pdftotext(pdf, 1, len(layout.pages)).replace(" ", "")
            assert meeting.info.title.replace(" ", "") in words.replace("\n", "")
            assert rnd.name in words
            assert meeting.group(gid).name in words
            for cid in rnd.candidates:
                assert meeting.candidate(cid).name in words, f"{cid} missing from {pdf.name}"
            assert "\ufffd" not in words and "□" not in words


@pytest.mark.parametrize("name", NAMES)
def test_every_box_lands_within_half_a_millimetre(name, printed):
    folder = printed[name]
    keys = MeetingFolder.open(folder).keys(MeetingFolder.open(folder).store())
    for (rid, gid), layout in stored_layouts(folder).items():
        pdf = folder / "print" / f"{rid}-{gid}.pdf"
        # the first copy's pages, and the last copy's last page (drawn from the cached page content)
        indexes = [*range(len(layout.pages)), page_count(pdf) - 1]
        for index in indexes:
            page = layout.pages[index % len(layout.pages)]
            img = render(pdf, index, DPI)
            worst = 0.0
            for box in (*page.boxes, *[b for b in page.calibration[:1]]):
                rect = box.rect if hasattr(box, "rect") else box
                for off in edge_offsets(img, rect, DPI):
                    worst = max(worst, abs(off))
            assert worst <= 0.5, f"{pdf.name} page {index + 1}: a box edge is {worst:.2f} mm off"
            markers = find_markers(render(pdf, index, 150), 150)
            assert sorted(markers) == [0, 1, 2, 3], f"{pdf.name} page {index + 1}: markers {sorted(markers)}"
            for m in page.markers:
                x, y = markers[m.id]
                assert abs(x - m.rect.x) <= 0.5 and abs(y - m.rect.y) <= 0.5
            payload = verify(decode_qr(img, page.qr, DPI), layout.meeting_id, keys.hmac_secret)
            assert (payload.round_id, payload.group_id, payload.page, payload.pages) == (
                rid.upper(), gid.upper(), page.number, len(layout.pages))


def test_secret_ballots_are_identical_and_named_sheets_carry_serials(printed):
    folder = printed["gongxuan-houbei"]
    layouts = stored_layouts(folder)
    vote = layouts[("PX", "DY")]
    pdf = folder / "print" / "PX-DY.pdf"
    codes = {decode_qr(render(pdf, i, 200), vote.pages[0].qr, 200) for i in (0, 17, page_count(pdf) - 1)}
    assert len(codes) == 1 and ":-:" in codes.pop()  # no serial on a secret ballot

    score = layouts[("YJ", "PS")]
    pdf = folder / "print" / "YJ-PS.pdf"
    pages = len(score.pages)
    serials = []
    for sheet in range(page_count(pdf) // pages):
        code = decode_qr(render(pdf, sheet * pages, 200), score.pages[0].qr, 200)
        serials.append(code.split(":")[6])
    assert serials == [str(n) for n in range(1, 10)]  # 7 judges + 2 spares
    assert "评委席位：第9号" in _pdftotext(pdf, 8 * pages + 1, 8 * pages + 1).replace(" ", "")
    assert "评委签名" in _pdftotext(pdf, pages, pages)


def test_print_records_layouts_and_issued_counts_in_the_audit_log(printed):
    store = MeetingFolder.open(printed["cunweihui"]).store()
    count = store.ballot_counts()[("XJ", "XM")]
    assert (count.issued, count.spares) == (780, 2)
    actions = [r["action"] for r in store.audit_rows()]
    assert actions[-3:] == ["layout.store", "ballots.count", "print"]
    assert store.check_integrity().ok


def test_test_print_is_marked_and_never_counts(cli, meeting_dir):
    result = cli("print", meeting_dir, "--test", "--round", "CP")
    assert result.exit_code == 0, result.output
    pdf = meeting_dir / "print" / "CP-QZ-TEST.pdf"
    assert "测试样张" in _pdftotext(pdf).replace(" ", "")
    assert page_count(pdf) == 1  # one rehearsal copy, not one per voter
    folder = MeetingFolder.open(meeting_dir)
    store = folder.store()
    assert store.ballot_counts() == {}  # a test print issues nothing
    layout = stored_layouts(meeting_dir)[("CP", "QZ")]
    code = decode_qr(render(pdf, 0, 200), layout.pages[0].qr, 200)
    keys = folder.keys(store)
    with pytest.raises(PayloadError) as caught:
        verify(code, layout.meeting_id, keys.hmac_secret)
    assert caught.value.reason == "test_sheet"
    assert verify(code, layout.meeting_id, keys.hmac_secret, allow_test=True).test


def test_print_refuses_an_unaccepted_edit_and_writes_nothing(cli, meeting_dir):
    path = meeting_dir / "meeting.toml"
    path.write_text(path.read_text().replace("expected = 50", "expected = 55"), encoding="utf-8")
    before = snapshot(meeting_dir)
    result = cli("print", meeting_dir)
    assert result.exit_code == 2
    assert "was edited since version 1 was accepted; run `tallykit check" in result.stderr
    assert snapshot(meeting_dir) == before


@pytest.mark.parametrize(("args", "message"), [
    (["--round", "ZZ"], 'round "ZZ" is not in this meeting; rounds: YJ, CP, DW'),
    (["--round", "DW"], "round DW (党委政府综合评分) is entered by staff; it has no paper form"),
    (["--group", "XX"], 'group "XX" is not in this meeting; groups: PS, QZ'),
    (["--round", "YJ", "--group", "QZ"], "none of the groups QZ takes part in the chosen rounds"),
    (["--paper", "B5"], 'paper "B5" is not supported; use one of: A4, A3'),
    (["--font", "/nonexistent.ttf"], "/nonexistent.ttf: font file not found"),
])
def test_bad_print_requests_write_nothing(cli, meeting_dir, args, message):
    before = snapshot(meeting_dir)
    result = cli("print", meeting_dir, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr and result.stderr.count("\n") == 1
    assert snapshot(meeting_dir) == before


def test_a_font_without_the_glyphs_is_refused(cli, meeting_dir, tmp_path):
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    from ballots.fonts import KNOWN_FONTS

    source = next(Path(f) for f in KNOWN_FONTS if Path(f).exists())
    font = TTCollection(str(source)).fonts[0] if source.suffix == ".ttc" else None
    latin = tmp_path / "latin.ttf"
    subsetter = subset.Subsetter()
    subsetter.populate(text="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    subsetter.subset(font)
    font.save(str(latin))
    result = cli("print", meeting_dir, "--font", latin)
    assert result.exit_code == 2
    assert "has no glyph for" in result.stderr
    assert not (meeting_dir / "print").exists()


def test_a3_paper(cli, meeting_dir):
    assert cli("print", meeting_dir, "--paper", "a3", "--round", "CP", "--test").exit_code == 0
    layout = stored_layouts(meeting_dir)[("CP", "QZ")]
    assert (layout.paper, layout.width, layout.height) == ("A3", 297.0, 420.0)
    img = render(meeting_dir / "print" / "CP-QZ-TEST.pdf", 0, 150)
    assert abs(img.shape[0] - 420 / 25.4 * 150) <= 1 and abs(img.shape[1] - 297 / 25.4 * 150) <= 1
    assert sorted(find_markers(img, 150)) == [0, 1, 2, 3]


def test_layout_hash_ignores_cosmetic_text(sample_text):
    from ballots.fonts import Measurer, find_font
    from ballots.layout import build_layout, meeting_text

    def layout_of(text):
        meeting = load_text(text.replace("[meeting]", '[meeting]\nid = "TEST1234"'))
        measure = Measurer(find_font(meeting_text(meeting)))
        return {(r, g): build_layout(meeting, r, g, measure).hash for r, g in (("YJ", "PS"), ("CP", "QZ"))}

    base = layout_of(sample_text)
    cosmetic = sample_text.replace("青山镇2026年驻村指导员竞聘大会", "青山镇2026年驻村指导员竞争上岗大会").replace(
        'name = "王建国"', 'name = "王健国"').replace('name = "语言表达"', 'name = "语言表达能力"')
    assert layout_of(cosmetic) == base
    meaningful = sample_text.replace("max = 30", "max = 25").replace("max = 10\n\n[[rounds.criteria]]\nid = \"SJ\"",
                                                                      "max = 15\n\n[[rounds.criteria]]\nid = \"SJ\"")
    changed = layout_of(meaningful)
    assert changed[("YJ", "PS")] != base[("YJ", "PS")]
    assert changed[("CP", "QZ")] == base[("CP", "QZ")]


def test_fonts_are_looked_for_where_each_system_keeps_them(tmp_path, monkeypatch):
    """Township laptops run Windows, government offices Kylin/UOS, some organisers a Mac: each one's CJK fonts are
    found without --font, and the hint when none is found fits the machine."""
    import shutil as _shutil

    import ballots.fonts as fonts

    win = fonts.font_candidates("win32", {"WINDIR": r"D:\Windows", "LOCALAPPDATA": r"C:\Users\li\AppData\Local"})
    assert win[0] == r"D:\Windows\Fonts\msyh.ttc" and r"D:\Windows\Fonts\simhei.ttf" in win
    assert r"C:\Users\li\AppData\Local\Microsoft\Windows\Fonts\simsun.ttc" in win
    assert fonts.font_candidates("win32", {})[0] == r"C:\Windows\Fonts\msyh.ttc"
    assert fonts.font_candidates("darwin", {"HOME": "/Users/li"})[0] == "/System/Library/Fonts/PingFang.ttc"
    linux = fonts.font_candidates("linux", {})
    assert linux[0].endswith("wqy-microhei.ttc") and any("CESI" in f for f in linux)  # Kylin/UOS
    assert "msyh.ttc" in fonts.install_hint("win32") and "apt-get" not in fonts.install_hint("win32")
    assert "PingFang" in fonts.install_hint("darwin") and "apt-get" in fonts.install_hint("linux")
    # the finder takes the first candidate of the platform that has the glyphs (here a Windows-named copy)
    source = next(Path(f) for f in fonts.KNOWN_FONTS if Path(f).exists())
    yahei = tmp_path / "msyh.ttc"
    _shutil.copy(source, yahei)
    monkeypatch.setattr(fonts, "font_candidates", lambda: [str(tmp_path / "missing.ttf"), str(yahei)])
    monkeypatch.setattr(fonts, "_fontconfig_candidates", lambda: [])
    assert fonts.find_font("村民委员会选举").path == yahei
    monkeypatch.setattr(fonts, "font_candidates", lambda: [])
    with pytest.raises(fonts.FontError, match="no CJK font found"):
        fonts.find_font("村民委员会选举")


def test_the_key_file_permission_check_means_something_on_each_system(tmp_path):
    """On Linux and macOS a key file others may read is flagged (chmod 600); on Windows mode bits mean nothing
    (every file says 0o666) and no false alarm is raised."""
    import os

    from meeting.keys import loose_permissions

    key = tmp_path / "meeting.key"
    key.write_text("{}")
    os.chmod(key, 0o644)
    assert loose_permissions(key, "linux") and loose_permissions(key, "darwin")
    assert not loose_permissions(key, "win32")
    os.chmod(key, 0o600)
    assert not loose_permissions(key, "linux")


def test_rehearsal_sheets_carry_a_large_diagonal_watermark_that_never_touches_a_box(cli, meeting_dir, tmp_path):
    """print --test: 测试样张 TEST in large light letters across the page, under the print and off every box,
    marker, the calibration strip and the code; filled in and photographed, such a sheet reads like a real one."""
    import numpy as np

    from scanner.deck import Deck, camera
    from scanner.reader import Rejected

    assert cli("print", meeting_dir, "--round", "CP").exit_code == 0
    assert cli("print", meeting_dir, "--round", "CP", "--test").exit_code == 0
    real = render(meeting_dir / "print" / "CP-QZ.pdf", 0, 100).astype(int)
    test = render(meeting_dir / "print" / "CP-QZ-TEST.pdf", 0, 100).astype(int)
    layout = stored_layouts(meeting_dir)[("CP", "QZ")]
    px = 100 / 25.4
    light = (np.abs(test - real) > 12) & (test > 200)  # the watermark's light grey where the real page is white
    h = light.shape[0]
    assert light[h // 4:3 * h // 4].mean() > 0.01  # large, across the middle of the page
    for r in [b.rect for b in layout.pages[0].boxes] + [m.rect for m in layout.pages[0].markers]:
        x0, y0, x1, y1 = (int(v * px) for v in (r.x - 0.5, r.y - 0.5, r.x + r.w + 0.5, r.y + r.h + 0.5))
        assert not light[y0:y1, x0:x1].any(), r
    rehearsal = tmp_path / "rehearsal"
    rehearsal.mkdir()
    shutil.copy(meeting_dir / "print" / "CP-QZ-TEST.pdf", rehearsal / "CP-QZ.pdf")
    deck = Deck(meeting_dir)
    deck.print_dir = rehearsal
    reader = deck.reader(allow_test=True)
    rng = np.random.default_rng(9)
    for _ in range(6):
        sheet = deck.fill(("CP", "QZ"), rng)
        read = reader.read(camera(sheet.image, rng, max_tilt=12))
        assert not isinstance(read, Rejected) and read.payload.test and not read.interpretation.reasons
        assert {k for k, b in read.ink.boxes.items() if b.state == "marked"} == sheet.truth.intended

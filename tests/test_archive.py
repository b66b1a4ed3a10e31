"""seal / verify / attach: sealing rules, report sheets against the tally, the signed bundle and tampering."""

from __future__ import annotations

import base64
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest

from archive.bundle import verify
from archive.results import collect, tables
from meeting.folder import MeetingFolder
from meeting.store import StoreError
from scanner.deck import Deck, camera
from tests.conftest import scan_sample


@pytest.fixture(scope="module")
def scanned_base(printed, tmp_path_factory):
    """The sample meeting: 7 judges' sheets, 10 rating forms of which one blank (so one sheet waits in review),
    and the staff scores entered."""
    from tests.conftest import Cli

    cli = Cli()
    tmp = tmp_path_factory.mktemp("archive")
    folder = tmp / "meeting"
    shutil.copytree(printed["jingpin-ceping"], folder)
    scan_sample(cli, folder, tmp / "photos", 23, ["blank"] + ["clean"] * 9)
    deck = Deck(folder)
    rng = np.random.default_rng(24)
    spare = tmp / "spare"
    spare.mkdir()
    cv2.imwrite(str(spare / "late.jpg"), camera(deck.fill(("CP", "QZ"), rng).image, rng, max_tilt=8))
    return folder, spare


@pytest.fixture
def scanned(scanned_base, tmp_path):
    folder = tmp_path / "meeting"
    shutil.copytree(scanned_base[0], folder)
    return folder


@pytest.fixture(scope="module")
def sealed_base(scanned_base, tmp_path_factory):
    from tests.conftest import Cli

    folder = tmp_path_factory.mktemp("sealed") / "meeting"
    shutil.copytree(scanned_base[0], folder)
    cli = Cli()
    result = cli("seal", folder, "--all", "--force", "--reason", "测试：空白票待定", "--zip", "--operator", "监票人甲")
    assert result.exit_code == 0, result.output
    bundles = [p for p in (folder / "archive").iterdir() if p.is_dir()]
    assert len(bundles) == 1
    return folder, bundles[0]


@pytest.fixture
def bundle(sealed_base, tmp_path):
    copy = tmp_path / sealed_base[1].name
    shutil.copytree(sealed_base[1], copy)
    return copy


def _review_waiting(folder: Path) -> int:
    store = MeetingFolder.open(folder).store()
    try:
        return sum(n for (_, _, state), n in store.reading_counts().items() if state == "review")
    finally:
        store.close()


def _seals(folder: Path) -> list[dict]:
    store = MeetingFolder.open(folder).store()
    try:
        return store.seals()
    finally:
        store.close()


# -- sealing --------------------------------------------------------------------------------------------------
def test_sealing_with_sheets_in_review_is_refused_unless_forced_with_a_reason(scanned, cli):
    assert _review_waiting(scanned) == 1  # the blank rating form
    refused = cli("seal", scanned, "--round", "CP")
    assert refused.exit_code == 1 and "wait in review (CP: 1)" in refused.stderr
    assert refused.stderr.count("\n") == 1 and _seals(scanned) == []
    no_reason = cli("seal", scanned, "--round", "CP", "--force")
    assert no_reason.exit_code == 2 and "--reason" in no_reason.stderr and _seals(scanned) == []
    assert not (scanned / "archive").exists() or not any((scanned / "archive").iterdir())
    forced = cli("seal", scanned, "--round", "CP", "--force", "--reason", "主持人同意先封存")
    assert forced.exit_code == 0, forced.output
    seals = _seals(scanned)
    assert [s["round_id"] for s in seals] == ["CP"] and "主持人同意先封存" in seals[0]["reason"]
    # the forced reason is printed on the round's report sheet
    report = next((scanned / "archive").glob("*/reports/*-CP-*.pdf"))
    assert "主持人同意先封存" in _pdf_text(report)
    again = cli("seal", scanned, "--round", "CP")
    assert again.exit_code == 0 and "already sealed" in again.stdout  # writes the bundle again, seals nothing new
    assert len(_seals(scanned)) == 1


def test_a_sealed_round_takes_no_sheet_decision_or_entry(scanned_base, scanned, cli):
    assert cli("seal", scanned, "--all", "--force", "--reason", "测试").exit_code == 0
    late = cli("scan", scanned, "--images", scanned_base[1])
    assert late.exit_code == 0 and "拒收：轮次 CP 已封存，不能再记录表单" in late.stdout
    store = MeetingFolder.open(scanned).store()
    try:
        assert len(store.readings("CP")) == 10
        waiting = [r for r in store.all_readings() if r["status"] == "review"]
        with pytest.raises(StoreError, match="sealed"):
            store.decide(waiting[0]["id"], "accept", "late", "someone")
    finally:
        store.close()
    entry = cli("enter", scanned, "-r", "DW", "-c", "C01", "-s", "90")
    assert entry.exit_code != 0 and "sealed" in entry.stderr and entry.stderr.count("\n") == 1


def test_seal_needs_a_round_and_knows_the_rounds(scanned, cli):
    assert cli("seal", scanned).exit_code == 2
    unknown = cli("seal", scanned, "--round", "XX", "--force", "--reason", "x")
    assert unknown.exit_code == 1 and 'round "XX" is not in this meeting' in unknown.stderr
    assert _seals(scanned) == []


# -- the report sheets ----------------------------------------------------------------------------------------
def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _numbers(line: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?%?", line)


def test_report_sheets_show_the_numbers_of_tally(sealed_base, cli):
    folder, bundle_dir = sealed_base
    shown = cli("tally", folder)
    assert shown.exit_code == 0
    store = MeetingFolder.open(folder).store()
    try:
        meeting = MeetingFolder.open(folder).accepted(store).meeting
        results = collect(store, meeting)
    finally:
        store.close()
    on_screen = set(_numbers(shown.stdout))
    reports = {p.name: _pdf_text(p) for p in (bundle_dir / "reports").glob("*.pdf")}
    assert len(reports) == 6, sorted(reports)
    by_round = {"CP": "民主测评结果报告单", "DW": "成绩录入表", "YJ": "评分汇总表"}
    checked = 0
    for title, rows in tables(meeting, results).items():
        round_id = title.split()[0]
        name = next(n for n in reports if by_round.get(round_id, "综合成绩排名表") in n)
        pdf_lines = reports[name].splitlines()
        for row in rows[1:]:
            candidate = row[1] if round_id not in by_round else row[0]  # the ranking leads with the rank
            expected = [n for cell in row for n in _numbers(cell)]
            if round_id == "YJ":  # the score summary spells out each judge; tally lists them in one cell
                expected = [n for cell in row[1:] for n in _numbers(cell)]
            pdf_line = next(line for line in pdf_lines if candidate in line)
            assert _numbers(pdf_line)[-len(expected):] == expected, (name, pdf_line, expected)
            assert set(expected) <= on_screen, (candidate, expected)  # rich may fold a row: compare the numbers
            checked += 1
    assert checked >= 18
    digest = (bundle_dir / "seal.json").read_text()
    for text in reports.values():
        assert "计票人" in text and "监票人" in text and "唱票人" in text and "主持人" in text
        assert re.search(r"[0-9a-f]{8} [0-9a-f]{8}", text) and text.count(":") >= 1
        flat = text.replace(" ", "")
        assert re.search(r"[0-9a-f]{64}", flat) and re.search(r"[0-9a-f]{64}", flat).group(0) in digest


def test_report_sheets_carry_a_qr_code_with_the_results_digest(sealed_base):
    from archive.reports import ReportCode
    from scanner.qr import find_codes

    _, bundle_dir = sealed_base
    import json

    digest = json.loads((bundle_dir / "seal.json").read_text())["results_sha256"]
    for path in sorted((bundle_dir / "reports").glob("*.pdf")):
        pdf = pdfium.PdfDocument(str(path))
        page = pdf[0].render(scale=150 / 72, grayscale=True).to_numpy()
        pdf.close()
        codes = [ReportCode.parse(c) for c in find_codes(page)]
        assert len(codes) == 1 and codes[0] is not None and codes[0].digest == digest, path.name


def test_signers_follow_the_meeting_file(scanned, cli):
    toml = scanned / "meeting.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[report]\nsigners = ["总监票人", "计票员"]\n',
                    encoding="utf-8")
    assert cli("check", scanned).exit_code == 0
    assert cli("seal", scanned, "--round", "YJ").exit_code == 0
    text = _pdf_text(next((scanned / "archive").glob("*/reports/*-YJ-*.pdf")))
    assert "总监票人" in text and "计票员" in text and "唱票人" not in text


# -- verify and tampering --------------------------------------------------------------------------------------
def test_an_untouched_bundle_and_its_zip_verify(sealed_base, cli):
    import json

    _, bundle_dir = sealed_base
    for target in (bundle_dir, bundle_dir.with_suffix(".zip")):
        result = cli("verify", target)
        assert result.exit_code == 0, result.output
        assert "OK" in result.stdout
    printed = json.loads((bundle_dir / "seal.json").read_text())["public_key_fingerprint"]
    assert cli("verify", bundle_dir, "--fingerprint", printed.lower()).exit_code == 0


def _verify_fails(cli, bundle_dir: Path, *names: str) -> str:
    result = cli("verify", bundle_dir)
    assert result.exit_code == 1, result.output
    for name in names:
        assert name in result.stderr, (name, result.stderr)
    return result.stderr


def _flip(path: Path, where: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    i = min(int(len(data) * where), len(data) - 1)
    data[i] ^= 0x01
    path.write_bytes(bytes(data))


def test_one_changed_byte_in_any_file_is_found_and_named(bundle, cli):
    files = sorted(p for p in bundle.rglob("*") if p.is_file())
    images = [p for p in files if p.parent.name == "images"]
    chosen = [p for p in files if p.parent.name != "images"] + images[:2]
    assert len(chosen) >= 14
    for path in chosen:
        original = path.read_bytes()
        _flip(path, 0.37)
        name = path.relative_to(bundle).as_posix()
        _verify_fails(cli, bundle, name)
        path.write_bytes(original)
    assert cli("verify", bundle).exit_code == 0  # every byte back: it verifies again


def test_an_edited_reading_in_the_store_is_found(bundle, cli):
    db = sqlite3.connect(bundle / "meeting.db")
    db.execute("DROP TRIGGER readings_no_update")
    row = db.execute("SELECT id, marks FROM readings WHERE round_id = 'CP' AND status = 'counted' LIMIT 1").fetchone()
    marks = row[1]
    grades = re.findall(r'"(C0\d)":"([a-z]+)"', marks)
    assert grades, marks
    cid, grade = grades[0]
    other = "excellent" if grade != "excellent" else "basic"
    db.execute("UPDATE readings SET marks = ? WHERE id = ?", [marks.replace(f'"{cid}":"{grade}"',
                                                                             f'"{cid}":"{other}"', 1), row[0]])
    db.commit()
    db.close()
    err = _verify_fails(cli, bundle, "meeting.db: changed", "changed behind the audit log", "results")
    assert "recomputed" in err


def test_a_swapped_sheet_image_is_found(bundle, cli):
    images = sorted((bundle / "images").glob("*.jpg"))
    a, b = images[0], images[1]
    da, db_ = a.read_bytes(), b.read_bytes()
    a.write_bytes(db_)
    b.write_bytes(da)
    err = _verify_fails(cli, bundle, f"images/{a.name}", f"images/{b.name}")
    assert "not the image recorded for reading" in err


def test_a_replaced_public_key_is_found_even_when_everything_is_signed_again(bundle, cli):
    """A forger with their own key re-signs the statement and rewrites the manifest: the bundled store still
    names the meeting's real key, and the key is not the one printed on the paper."""
    import hashlib
    import json

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from meeting.canon import canonical_json
    from meeting.keys import fingerprint, public_pem

    forged = Ed25519PrivateKey.generate()
    (bundle / "meeting.pub").write_text(public_pem(forged.public_key()), encoding="ascii")
    _verify_fails(cli, bundle, "meeting.pub")
    lines = []
    for line in (bundle / "MANIFEST.sha256").read_text().splitlines():
        digest, name = line.split("  ", 1)
        if name == "meeting.pub":
            digest = hashlib.sha256((bundle / name).read_bytes()).hexdigest()
        lines.append(f"{digest}  {name}\n")
    (bundle / "MANIFEST.sha256").write_text("".join(lines))
    statement = json.loads((bundle / "seal.json").read_text())
    statement["manifest_sha256"] = hashlib.sha256((bundle / "MANIFEST.sha256").read_bytes()).hexdigest()
    statement["public_key_fingerprint"] = fingerprint(forged.public_key())
    (bundle / "seal.json").write_text(json.dumps(statement, ensure_ascii=False))
    (bundle / "seal.sig").write_text(base64.b64encode(forged.sign(canonical_json(statement).encode())).decode())
    err = _verify_fails(cli, bundle, "meeting.pub", "recorded in meeting.db")
    assert err.count("CHANGED") == 1
    # and the fingerprint on the signed paper is not the forger's
    result = cli("verify", bundle, "--fingerprint", "0000 1111 2222 3333 4444 5555")
    assert result.exit_code == 1 and "the one given (from the signed paper)" in result.stderr


def test_a_file_added_to_the_bundle_is_found(bundle, cli):
    (bundle / "images" / "999999-CP-QZ-p1.jpg").write_bytes(b"\xff\xd8 extra ballot")
    _verify_fails(cli, bundle, "images/999999-CP-QZ-p1.jpg: not in the manifest")


def test_verify_of_something_that_is_not_a_bundle_is_one_line(tmp_path, cli):
    result = cli("verify", tmp_path)
    assert result.exit_code == 1 and "not a tallykit bundle" in result.stderr and result.stderr.count("\n") == 1
    missing = cli("verify", tmp_path / "nope")
    assert missing.exit_code == 1 and "no such bundle" in missing.stderr


# -- attaching the signed paper --------------------------------------------------------------------------------
def _photo(pdf_path: Path, out: Path, seed: int, size=(1920, 1080)) -> Path:
    pdf = pdfium.PdfDocument(str(pdf_path))
    gray = pdf[0].render(scale=200 / 72, grayscale=True).to_numpy()
    pdf.close()
    page = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    cv2.putText(page, "Zhang San", (500, 1900), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 3, (120, 40, 20), 4)  # signed
    cv2.imwrite(str(out), camera(page, np.random.default_rng(seed), size, max_tilt=12))
    return out


def test_attach_a_photo_of_the_signed_sheet(sealed_base, tmp_path, cli):
    folder = tmp_path / "meeting"
    shutil.copytree(sealed_base[0], folder)
    report = next((folder / "archive").glob("*/reports/*综合成绩排名表.pdf"))
    photo = _photo(report, tmp_path / "signed.jpg", 5)
    done = cli("attach", folder, "--image", photo, "--operator", "监票人甲")
    assert done.exit_code == 0, done.output
    assert "RANK" in done.stdout
    newest = Path(done.stdout.split("new bundle:")[1].split()[0])
    assert (newest / "attachments").is_dir() and next((newest / "attachments").iterdir()).read_bytes() == \
        photo.read_bytes()
    assert cli("verify", newest).exit_code == 0
    again = cli("attach", folder, "--image", photo)
    assert again.exit_code == 1 and "already attached" in again.stderr


def test_attach_refuses_a_sheet_of_other_results_or_no_sheet(sealed_base, scanned, tmp_path, cli):
    # a report printed from other results: seal the unsealed copy differently, then show it to the sealed meeting
    assert cli("enter", scanned, "-r", "DW", "-c", "C01", "-s", "60").exit_code == 0
    assert cli("seal", scanned, "--all", "--force", "--reason", "x").exit_code == 0
    other = next((scanned / "archive").glob("*/reports/*综合成绩排名表.pdf"))
    folder = tmp_path / "sealed"
    shutil.copytree(sealed_base[0], folder)
    wrong = cli("attach", folder, "--image", _photo(other, tmp_path / "other.jpg", 6))
    assert wrong.exit_code == 1 and "no seal of this meeting recorded" in wrong.stderr
    blank = tmp_path / "blank.jpg"
    cv2.imwrite(str(blank), np.full((720, 1280, 3), 200, np.uint8))
    nothing = cli("attach", folder, "--image", blank)
    assert nothing.exit_code == 1 and "no report sheet QR code" in nothing.stderr
    # a file claiming a huge picture is never decoded (a 20,000 px square TIFF took 0.9 GB); a folder is no picture
    huge = tmp_path / "huge.png"
    huge.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (60000).to_bytes(4, "big") * 2 + b"\x08\x00\x00\x00\x00")
    big = cli("attach", folder, "--image", huge)
    assert big.exit_code == 2 and big.stderr.count("\n") == 1, big.stderr
    assert "too large: 60000×60000 pixels (at most 80 megapixels)" in big.stderr
    assert cli("attach", folder, "--image", tmp_path).exit_code == 2
    store = MeetingFolder.open(folder).store()
    try:
        assert store.attachments() == []
    finally:
        store.close()


def test_returned_ballots_are_recorded_and_shown_on_the_return_report(scanned, cli):
    bad = cli("returned", scanned, "10", "-r", "CP", "-g", "XX")
    assert bad.exit_code == 2 and 'not a voter group of round CP' in bad.stderr
    over = cli("returned", scanned, "51", "-r", "CP", "-g", "QZ")
    assert over.exit_code == 0 and "51 returned of 50 issued" in over.stdout and "无效" in over.stdout
    assert "投票无效" in cli("status", scanned).stdout
    ok = cli("returned", scanned, "48", "-r", "CP", "-g", "QZ", "--operator", "计票人乙")
    assert ok.exit_code == 0 and "48 returned of 50 issued" in ok.stdout
    assert cli("seal", scanned, "--all", "--force", "--reason", "x").exit_code == 0
    text = _pdf_text(next((scanned / "archive").glob("*/reports/02-*.pdf")))
    line = next(line for line in text.splitlines() if "群众代表" in line)
    assert _numbers(line) == ["50", "50", "48", "10"]  # expected, issued, returned, read (present: by hand)
    late = cli("returned", scanned, "49", "-r", "CP", "-g", "QZ")
    assert late.exit_code == 1 and "sealed" in late.stderr


@pytest.mark.parametrize("template", ["jingpin-ceping", "gongxuan-houbei", "niandu-ceping", "manyidu", "cunweihui"])
def test_every_template_seals_into_a_bundle_that_verifies(printed, template, tmp_path, cli):
    """Before any sheet is read too: the report sheets list what is missing instead of failing."""
    folder = tmp_path / template
    shutil.copytree(printed[template], folder)
    result = cli("seal", folder, "--all")
    assert result.exit_code == 0, result.output
    bundle_dir = next(p for p in (folder / "archive").iterdir() if p.is_dir())
    names = sorted(p.name for p in (bundle_dir / "reports").glob("*.pdf"))
    assert names[0].startswith("01-") and names[1].startswith("02-") and len(names) >= 3
    for name in names:
        assert "签名公钥指纹" in _pdf_text(bundle_dir / "reports" / name)
    assert verify(bundle_dir).ok


def test_when_the_report_sheets_cannot_be_made_nothing_is_sealed(scanned, tmp_path, cli):
    result = cli("seal", scanned, "--all", "--force", "--reason", "x", "--font", tmp_path / "missing.ttf")
    assert result.exit_code != 0 and result.stderr.count("\n") == 1
    assert _seals(scanned) == [] and not list((scanned / "archive").glob("*/seal.json"))


def test_status_counts_sheets_not_pages_and_names_the_next_command(scanned, cli):
    out = cli("status", scanned).stdout
    yj = next(line for line in out.splitlines() if "YJ" in line)
    assert _numbers(yj) == ["7", "7", "7", "0"] and "已读完" in yj  # 7 judges' sheets of 2 pages each
    cp = next(line for line in out.splitlines() if "CP" in line)
    assert _numbers(cp) == ["50", "50", "30", "10", "1"] and "计票中" in cp  # 30 returned; 10 read, 1 in review
    assert "tallykit scan" in out
    assert cli("returned", scanned, "10", "-r", "CP", "-g", "QZ").exit_code == 0
    assert "tallykit serve" in cli("status", scanned).stdout  # all read: decide the one in review next


def test_writing_the_bundle_again_at_once_makes_a_second_bundle(sealed_base, tmp_path, cli, monkeypatch):
    import archive.bundle

    folder = tmp_path / "meeting"
    shutil.copytree(sealed_base[0], folder)
    monkeypatch.setattr(archive.bundle, "now", lambda: "2026-12-15T10:00:00+08:00")  # the same second, twice
    for _ in range(2):
        result = cli("seal", folder, "--all", "--zip")
        assert result.exit_code == 0 and "already sealed" in result.stdout, result.output
    bundles = sorted(p for p in (folder / "archive").iterdir() if p.is_dir())
    assert len(bundles) == 3 and all(verify(b).ok for b in bundles)


def test_a_sheet_recorded_while_the_bundle_is_written_cannot_make_it_disagree(scanned, cli, monkeypatch):
    """A station keeps scanning an unsealed round while another is sealed: the bundle is made from the store's
    backup alone, so its results, images and chain head agree with its meeting.db whatever lands meanwhile."""
    from meeting.store import Store

    original = Store.backup

    def backup_after_a_late_sheet(self, path):
        row = self.db.execute("SELECT * FROM readings WHERE round_id = 'CP' ORDER BY id LIMIT 1").fetchone()
        names = [d[0] for d in self.db.execute("SELECT * FROM readings LIMIT 0").description]
        late = dict(zip(names, row, strict=True))
        late.pop("id")
        late["key"] = f"late-{late['key']}"
        self.add_reading(late, "station", issued=None)  # lands after the seal, before the copy
        original(self, path)

    assert cli("returned", scanned, "11", "-r", "CP", "-g", "QZ").exit_code == 0
    monkeypatch.setattr(Store, "backup", backup_after_a_late_sheet)
    assert cli("seal", scanned, "--round", "YJ").exit_code == 0
    bundle_dir = next(p for p in (scanned / "archive").iterdir() if p.is_dir())
    assert verify(bundle_dir).ok
    import json

    groups = json.loads((bundle_dir / "results.json").read_text())["rounds"]["CP"]["groups"]
    assert groups[0]["read"] == 11  # the late sheet is in the results as in the bundled store


def test_report_sheets_read_as_people_write_them(sealed_base):
    """Local date and time in the meeting's language, no "!" before the notes, no /100 column that only repeats
    最后得分 (the score sheet's criteria already add up to 100)."""
    _folder, bundle_dir = sealed_base
    text = _pdf_text(next((bundle_dir / "reports").glob("*评分汇总表*.pdf")))
    assert re.search(r"20\d\d年\d{1,2}月\d{1,2}日 \d\d:\d\d", text) and "T0" not in text.split("封存")[1][:40]
    assert "/100" not in text and "! " not in text


def test_every_report_sheet_has_a_place_for_the_seal(sealed_base):
    _folder, bundle_dir = sealed_base
    for report in (bundle_dir / "reports").glob("*.pdf"):
        assert "盖章处" in _pdf_text(report).replace(" ", ""), report.name

"""`tallykit demo` (what `make demo` runs): a whole meeting, ending with a verified bundle."""

from __future__ import annotations

import re
from pathlib import Path

from archive.bundle import verify
from meeting.folder import MeetingFolder


def test_demo_runs_a_whole_meeting_and_ends_verified(tmp_path, cli):
    folder = tmp_path / "demo-meeting"
    result = cli("demo", folder, "--operator", "demo")
    assert result.exit_code == 0, result.output
    out = result.stdout
    bundle = Path(re.search(r"verified bundle: (\S+)", out).group(1))
    assert verify(bundle).ok
    for step in ("印制", "填票", "扫描", "复核", "录入", "统分", "封存", "校验", "综合成绩"):
        assert step in out, step
    pdfs = [Path(p) for p in re.findall(r"^\s+(\S+\.pdf)$", out, re.M)]
    assert len(pdfs) >= 9 and all(p.is_file() for p in pdfs)
    store = MeetingFolder.open(folder).store()
    try:
        counts = store.ballot_counts()
        read = store.reading_counts()
        assert sum(n for (r, _, s), n in read.items() if r == "CP" and s in ("counted", "decided")) == \
            counts[("CP", "QZ")].issued  # every rating form filmed was read once
        assert {s["round_id"] for s in store.seals()} == {"YJ", "CP", "DW"}
        assert all(d["reason"].startswith("演示") for d in store.decisions())
        from archive.results import collect, tables

        meeting = MeetingFolder.open(folder).accepted(store).meeting
        headers = tables(meeting, collect(store, meeting))[meeting.composite.name][0]
    finally:
        store.close()
    final = out.split("结果 · results")[1].split("PDFs:")[0]
    assert "…" not in final  # on an 80-column terminal every column is shown, headers wrapped, never cut
    lines = [ln for ln in final.splitlines() if ln.startswith("┃")]
    columns = ["".join("".join(cell.split()) for cell in cells) for cells in zip(*(ln.split("┃")[1:-1] for ln in lines),
                                                                         strict=True)]
    assert columns == ["".join(h.split()) for h in headers], (columns, headers)


def test_demo_never_replaces_a_folder_it_did_not_make(tmp_path, cli):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("x")
    result = cli("demo", tmp_path / "mine")
    assert result.exit_code == 2 and "was not made by the demo" in result.stderr
    assert (tmp_path / "mine" / "keep.txt").exists()

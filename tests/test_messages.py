"""Every error a room raises for a person to read has its Chinese: a Chinese meeting's staff never meet an English
line after 错误：. The rooms' source is read (not a list kept by hand), so a new error without its entry in
meeting/errors_zh.py fails here, naming the file and line."""

from __future__ import annotations

import ast
from pathlib import Path

from meeting.errors_zh import _PROBLEMS, in_chinese

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ("cli", "ballots", "scanner", "tally", "meeting", "board", "archive", "ledger")
# raised for programmers or for the network API (English by design), or codes said elsewhere (payload reasons)
NOT_FOR_PEOPLE = {"ValueError", "TypeError", "AssertionError", "KeyError", "RuntimeError", "NotImplementedError",
                  "BadRequest", "HTTPException", "Exit", "SystemExit", "PayloadError", "LowContrast"}
# the values a placeholder is tried with: a number, a period, a bound's word
SAMPLES = ("7", "H1", "above")


def _sample(node: ast.expr, value: str) -> str | None:
    """The English line a message expression makes, its placeholders filled with `value`; None when the whole
    message is computed elsewhere (passed on from another error)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else value for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left, value), _sample(node.right, value)
        return None if left is None or right is None else left + right
    return None


def _messages():
    """(where, kind, message expression): every `raise X(...)` with a message a person reads."""
    for room in ROOMS:
        for path in sorted((ROOT / room).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
                    continue
                call = node.exc
                name = getattr(call.func, "id", getattr(call.func, "attr", ""))
                if name in NOT_FOR_PEOPLE:
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                if name in ("error", "bad") and len(call.args) == 2:  # a meeting file's key, a ledger sheet's cell
                    yield where, "problem", call.args[1]
                elif name == "DefinitionError" and len(call.args) == 3:
                    yield where, "problem", call.args[2]
                elif name == "_wrong":  # "must be <expected>, not <value>": one pattern for all
                    continue
                else:
                    yield where, "line", call.args[0]


def _said(kind: str, line: str) -> bool:
    line = " ".join(line.split())
    if kind == "problem":
        return any(p.fullmatch(line) for p, _ in _PROBLEMS)
    return in_chinese(line) is not None


def test_every_error_a_person_reads_has_its_chinese():
    messages = list(_messages())
    assert len(messages) > 150  # the walk finds the rooms' errors (a broken walk would pass anything)
    missing = []
    for where, kind, node in messages:
        lines = [_sample(node, v) for v in SAMPLES]
        if lines[0] is None:  # passed on whole from another error (`str(exc)`), said where that one is made
            continue
        if not any(_said(kind, line) for line in lines if line is not None):
            missing.append(f"{where}: {lines[0]}")
    assert not missing, "errors without Chinese (add them to meeting/errors_zh.py):\n" + "\n".join(missing)


def test_a_chinese_line_keeps_the_parts_it_names():
    said = in_chinese("round XJ group CW: 31 sheets are already recorded and only 31 ballots were issued; this "
                      "sheet is not counted. Check for a double scan or a foreign ballot")
    assert said == "轮次 XJ 群体 CW：已记录 31 张，而只发出 31 张选票；此张不计入。请检查是否重复扫描或混入外来选票"
    # a nested part (what a setting must be, a sheet row's problem) is said in Chinese too
    assert in_chinese('meeting.toml: rounds.XJ.quorum_share: must be a whole number, not "abc"') == \
        'meeting.toml：rounds.XJ.quorum_share：应为整数，而不是 "abc"'
    assert in_chinese('points.csv: row 3, points: "x" is not a number; nothing was imported') == \
        "points.csv：第 3 行“points”列：“x”不是数字；未导入任何内容"
    assert in_chinese("something nobody wrote down") is None


def test_every_rejection_is_said_in_both_languages():
    """Each reason the reader, the page finder or a sheet's code can give for not reading a picture has its words
    (reject.* in meeting.lang), Chinese and English; the measured detail follows the same language."""
    import re

    from ballots.payload import REASONS
    from meeting.lang import _WORDS, why
    from scanner.reader import Rejected

    source = (ROOT / "scanner" / "reader.py").read_text(encoding="utf-8") + \
        (ROOT / "scanner" / "pagefinder.py").read_text(encoding="utf-8")
    reasons = set(re.findall(r'(?:Rejected|NoPage)\(\s*"(\w+)"', source)) | set(REASONS)
    reasons |= set(re.findall(r'NoPage\("(\w+)" if found else "(\w+)"', source)[0])
    assert {"blurred", "covered", "too_far", "missing_marker", "no_page", "bad_mac"} <= reasons
    for reason in reasons:
        words = _WORDS.get(f"reject.{reason}")
        assert words and words.get("zh") and words.get("en"), reason
    far = Rejected("too_far", why("reject_detail.px_per_mm", px="2.1"))
    assert far.message("en") == "the sheet is too far away: bring it closer (2.1 pixels per mm)"
    assert far.message("zh") == "纸张离镜头太远：请靠近（每毫米2.1像素）"
    assert far.detail == "2.1 pixels per mm"
    # paper printed before a change: what changed and the accept line, each said once
    stale = Rejected("layout_changed", why("reject_detail.accept", prefix="ABCDEF"), None, "candidates added C07")
    said = stale.message("en")
    assert said == ("printed before the meeting was changed: re-print it (candidates added C07; or accept this paper "
                    'as it is: [scan] accept_layouts = ["ABCDEF"])')
    assert stale.message("zh").count("ABCDEF") == 1 and "重新印制" in stale.message("zh")


def test_every_line_a_command_prints_follows_the_meetings_language():
    """A line printed with English words in it (not through say()/text(), which pick the meeting's language) would
    show English in a Chinese meeting. The demo is bilingual by design (its section titles say both); --version
    names the product, like --help it follows no meeting."""
    import ast
    import re

    files = sorted([*(ROOT / "cli").glob("*.py"), ROOT / "scanner" / "scan_cli.py", *(ROOT / "ledger").glob("*.py"),
                    *(ROOT / "archive").glob("*.py")])
    shown = ("print", "rule", "status", "log", "input", "echo", "secho")  # a line, a spinner, a prompt
    bad = []
    for path in files:
        if path.name == "demo.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef) or fn.name in ("demo", "_version"):  # --version: the product's
                continue
            for node in ast.walk(fn):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in shown and node.args):
                    continue
                first = node.args[0]
                if isinstance(first, ast.BinOp):
                    first = first.left
                parts = [first.value] if isinstance(first, ast.Constant) and isinstance(first.value, str) else \
                    [v.value for v in first.values if isinstance(v, ast.Constant)] if isinstance(first, ast.JoinedStr) \
                    else []
                words = re.sub(r"\[/?[a-z ]+\]", "", " ".join(parts))  # rich's markup is not words
                if re.search(r"[A-Za-z]{3,}", words):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {words[:60]!r}")
    assert not bad, "printed without say()/text():\n" + "\n".join(sorted(set(bad)))

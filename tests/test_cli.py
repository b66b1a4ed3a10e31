"""The CLI verbs of the foundation: templates, init, check, status."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys

from meeting.folder import MeetingFolder
from tests.conftest import snapshot


def test_help_lists_the_verbs(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for verb in ("init", "templates", "check", "status"):
        assert re.search(rf"^\s+{verb}\s", result.stdout, re.M), verb


def test_templates_lists_each_with_a_description(cli):
    result = cli("templates")
    assert result.exit_code == 0
    for name in ("jingpin-ceping", "gongxuan-houbei", "niandu-ceping", "manyidu", "cunweihui"):
        assert name in result.stdout


def test_init_prints_the_summary_and_the_id(cli, tmp_path):
    result = cli("init", tmp_path / "m")
    assert result.exit_code == 0
    meeting_id = MeetingFolder.open(tmp_path / "m").store().meta("meeting_id")
    assert re.fullmatch(r"[A-Z2-7]{8}", meeting_id)
    assert f"Created meeting {meeting_id}" in result.stdout
    assert "青山镇2026年驻村指导员竞聘大会" in result.stdout
    assert f'id = "{meeting_id}"' in (tmp_path / "m" / "meeting.toml").read_text()


def test_init_into_an_empty_folder_works(cli, tmp_path):
    (tmp_path / "m").mkdir()
    assert cli("init", tmp_path / "m").exit_code == 0


def test_two_meetings_get_different_ids(cli, tmp_path):
    cli("init", tmp_path / "a")
    cli("init", tmp_path / "b")
    ids = {MeetingFolder.open(tmp_path / x).store().meta("meeting_id") for x in "ab"}
    assert len(ids) == 2


def test_init_refuses_a_folder_in_use_and_writes_nothing(cli, meeting_dir, tmp_path):
    before = snapshot(meeting_dir)
    result = cli("init", meeting_dir)
    assert result.exit_code == 2
    assert result.stderr == f"error: {meeting_dir}: already holds a meeting; give a new or empty folder\n"
    assert snapshot(meeting_dir) == before
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("x")
    assert cli("init", other).exit_code == 2
    assert snapshot(other) == {"notes.txt": b"x"}


def test_init_unknown_template(cli, tmp_path):
    result = cli("init", "--template", "nope", tmp_path / "m")
    assert result.exit_code == 2
    assert 'unknown template "nope"; choose one of: jingpin-ceping' in result.stderr
    assert not (tmp_path / "m").exists()


def test_check_accepts_an_edit_once_and_records_it(cli, meeting_dir):
    path = meeting_dir / "meeting.toml"
    path.write_text(path.read_text().replace("expected = 50", "expected = 60"), encoding="utf-8")
    status = cli("status", meeting_dir)
    assert status.exit_code == 0 and "differs from accepted version 1" in status.stdout
    result = cli("check", meeting_dir, "--operator", "王会计")
    assert result.exit_code == 0
    assert "accepted as version 2" in result.stdout
    store = MeetingFolder.open(meeting_dir).store()
    assert store.audit_rows()[-1]["action"] == "definition.accept"
    assert store.audit_rows()[-1]["actor"] == "王会计"
    assert cli("check", meeting_dir).stdout.count("unchanged since version 2") == 1
    assert MeetingFolder.open(meeting_dir).accepted(store).meeting.group("QZ").expected == 60


def test_check_refuses_a_bad_edit_and_records_nothing(cli, meeting_dir):
    path = meeting_dir / "meeting.toml"
    path.write_text(path.read_text().replace("weight = 20", "weight = 25"), encoding="utf-8")
    db_before = (meeting_dir / "meeting.db").read_bytes()
    result = cli("check", meeting_dir)
    assert result.exit_code == 2
    assert result.stderr == ("error: meeting.toml: composite.parts: weights add up to 105% (40 + 25 + 40); "
                             "they must add up to 100%\n")
    assert (meeting_dir / "meeting.db").read_bytes() == db_before


def test_check_refuses_a_changed_meeting_id(cli, meeting_dir):
    path = meeting_dir / "meeting.toml"
    path.write_text(re.sub(r'id = "[A-Z2-7]{8}"', 'id = "OTHER123"', path.read_text(), count=1), encoding="utf-8")
    result = cli("check", meeting_dir)
    assert result.exit_code == 2
    assert 'meeting.toml: meeting.id: is "OTHER123" but this meeting is' in result.stderr


def test_check_restore_brings_back_a_lost_file(cli, meeting_dir):
    original = (meeting_dir / "meeting.toml").read_text()
    assert cli("check", meeting_dir, "--restore").exit_code == 2  # refuses to overwrite
    (meeting_dir / "meeting.toml").unlink()
    assert "is missing" in cli("check", meeting_dir).stderr
    result = cli("check", meeting_dir, "--restore")
    assert result.exit_code == 0, result.stderr
    assert (meeting_dir / "meeting.toml").read_text() == original


def test_status_shows_counts_and_next_step(cli, meeting_dir):
    store = MeetingFolder.open(meeting_dir).store()
    store.set_ballot_count("YJ", "PS", "clerk", issued=7)
    store.set_ballot_count("CP", "QZ", "clerk", issued=48, returned=49)
    store.close()
    result = cli("status", meeting_dir)
    assert result.exit_code == 0
    assert "投票无效" in result.stdout  # returned > issued: that vote is void, said loudly
    assert "民主测评（群众代表）：收回49张，多于发出的48张，该组投票无效" in result.stdout
    assert "下一步" in result.stdout and "收回并扫描选票" in result.stdout
    flat = "".join(result.stdout.split())
    assert f"tallykitscan{meeting_dir}--camera0".replace(" ", "") in flat  # a command to copy, folder included


def test_status_never_cuts_short_the_command_to_copy_however_long_its_folder(cli, meeting_dir, tmp_path):
    """A meeting kept deep in a user's folders (a desktop, a dated folder, the meeting's own long name): the next
    step's command is shown whole, wrapped over lines, never cut with "…" (it is copied into the terminal as is)."""
    deep = tmp_path / ("2026年青山镇驻村指导员竞聘大会材料" * 3) / "现场扫描与统分" / "meeting-folder-of-the-day"
    shutil.copytree(meeting_dir, deep)
    result = cli("status", deep)
    assert result.exit_code == 0, result.stderr
    assert "…" not in result.stdout
    next_line = "".join(result.stdout.split("下一步", 1)[1].split())  # the next step's command, its lines joined
    assert shlex.quote(str(deep)).replace(" ", "") in next_line


def test_a_chinese_template_runs_in_english(cli, tmp_path):
    """A template written in Chinese, switched to English: the default answers are named in English, and the
    satisfaction rule written with their Chinese names still finds them; the rules are said with English marks."""
    folder = tmp_path / "survey"
    assert cli("init", "-t", "manyidu", folder).exit_code == 0
    toml = folder / "meeting.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('language = "zh"', 'language = "en"'), encoding="utf-8")
    result = cli("check", folder)
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    assert "9 questions; satisfaction: Satisfied+Fairly satisfied" in flat, flat
    assert "；" not in flat


def test_status_in_english(cli, tmp_path, sample_text):
    source = tmp_path / "en.toml"
    source.write_text(sample_text.replace('language = "zh"', 'language = "en"'), encoding="utf-8")
    assert cli("init", "--from", source, tmp_path / "m").exit_code == 0
    result = cli("status", tmp_path / "m")
    assert "Next" in result.stdout and "print and hand out the forms" in result.stdout


def test_status_of_a_missing_folder(cli, tmp_path):
    result = cli("status", tmp_path / "nope")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "tallykit init" in result.stderr


def test_console_script_runs(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "tallykit")
    out = subprocess.run([exe, "init", str(tmp_path / "m")], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    out = subprocess.run([exe, "check", str(tmp_path / "m" / "x.toml")], capture_output=True, text=True,
                         check=False)
    assert out.returncode == 2 and out.stderr == f"error: {tmp_path / 'm' / 'x.toml'}: file not found; check the path\n"


def test_version_is_printed(cli):
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("tallykit ")


def test_serve_on_a_busy_port_says_so_in_one_line(meeting_dir):
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        exe = os.path.join(os.path.dirname(sys.executable), "tallykit")
        result = subprocess.run([exe, "serve", str(meeting_dir), "--port", str(port)], capture_output=True, text=True,
                                timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == f"error: port {port} is in use (another `tallykit serve`?); try --port {port + 1}"


def test_serve_says_its_addresses_in_the_meetings_language(meeting_dir):
    """The lines `serve` prints first (where the board, the 唱票 screen, the review queue and the stations are) are
    in the meeting's language: Chinese here, nothing English but the addresses and the command to copy."""
    import os
    import re
    import signal
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    exe = os.path.join(os.path.dirname(sys.executable), "tallykit")
    proc = subprocess.Popen([exe, "serve", str(meeting_dir), "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "200", "TALLYKIT_MESSAGES": ""})
    try:
        lines = [proc.stdout.readline() for _ in range(5)]
        # the lines come before the server listens: Ctrl-C is sent once it does (on a busy machine a signal sent
        # while the server was still starting left it running past the wait)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    said = "".join(lines)
    assert "/board" in said and "/changpiao" in said and "/review?token=" in said, said
    words = re.sub(r"https?://\S+|`[^`]*`|tallykit scan .*", "", said)
    assert not re.search(r"[A-Za-z]{3,}", words), said


def test_lan_addresses_are_not_loopback():
    from board.app import lan_addresses

    assert all(not a.startswith("127.") and a.count(".") == 3 for a in lan_addresses())


def test_help_follows_the_systems_language(tmp_path):
    """A Chinese system (LANG=zh_CN…, or LC_ALL, or a Chinese Windows) gets --help in Chinese, every command and
    option; others get English. A new option without its Chinese fails here."""
    import typer.main

    from cli.help_zh import HELP_ZH, system_language
    from cli.main import app

    texts = []

    def walk(command):
        texts.extend(h for h in [command.help, *(getattr(p, "help", None) for p in command.params)] if h)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    assert len(texts) > 60 and [t for t in texts if t not in HELP_ZH] == []
    assert system_language({"LANG": "zh_CN.UTF-8"}) == "zh" and system_language({"LANG": "en_US.UTF-8"}) == "en"
    assert system_language({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"  # LC_ALL wins, as POSIX says
    assert system_language({"LANGUAGE": "zh_CN:en"}) == "zh" and system_language({}, "linux") == "en"
    exe = os.path.join(os.path.dirname(sys.executable), "tallykit")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    zh = subprocess.run([exe, "print", "--help"], capture_output=True, text=True, env={**env, "LANG": "zh_CN.UTF-8"})
    assert zh.returncode == 0 and "用法：" in zh.stdout and "把表单打印为 PDF" in zh.stdout
    assert "显示本帮助后退出" in zh.stdout
    assert "Print the forms" not in zh.stdout
    en = subprocess.run([exe, "print", "--help"], capture_output=True, text=True, env={**env, "LANG": "C.UTF-8"})
    assert en.returncode == 0 and "Print the forms as PDFs" in en.stdout and "用法" not in en.stdout
    # a user error is still one line and a non-zero exit in the Chinese route
    bad = subprocess.run([exe, "status", str(tmp_path / "nowhere")], capture_output=True, text=True,
                         env={**env, "LANG": "zh_CN.UTF-8"})
    assert bad.returncode != 0 and bad.stderr.count("\n") == 1


def test_rule_lines_never_start_a_line_with_a_separator(cli, tmp_path):
    """In a narrow terminal the rules column wraps: after a "；" or "，", never before it (nor after a "（")."""
    import io

    from rich.console import Console

    import cli.main  # noqa: F401  (installs the line breaking)
    from cli.summary import meeting_summary
    from meeting.definition import load_text
    from templates import get

    for name in ("cunweihui", "niandu-ceping", "gongxuan-houbei"):
        summary = meeting_summary(load_text(get(name).read_text(), name, require_id=False))
        for width in range(50, 161, 4):
            console = Console(file=io.StringIO(), width=width, color_system=None)
            console.print(summary)
            cells = [c.strip() for ln in console.file.getvalue().splitlines() for c in re.split("[│┃]", ln)]
            assert not [c for c in cells if c[:1] in ("；", "，", "、", "）")], (name, width)
            assert not [c for c in cells if c[-1:] == "（"], (name, width)


def test_errors_are_said_in_the_meetings_language(cli, tmp_path):
    """A Chinese meeting's errors are Chinese lines (错误：…), an English meeting's English; with no meeting
    folder the system's language decides; every line stays one line with a non-zero exit."""
    from cli.errors_zh import ERRORS_ZH, error_line, in_chinese

    zh = tmp_path / "zh"
    assert cli("init", "-t", "cunweihui", zh).exit_code == 0
    bad = cli("enter", zh, "--round", "NOPE", "--candidate", "x", "--score", "1", "--note", "r", messages="")
    assert bad.exit_code == 2 and bad.stderr.startswith("错误：“NOPE”不是本会议的人工录入轮次")
    assert bad.stderr.count("\n") == 1
    bad = cli("seal", zh, messages="")
    assert bad.stderr.strip() == "错误：请给出 --round 轮次（可多个）或 --all"
    printed = cli("print", zh, "--test", messages="")  # the lines a person reads, not only errors
    assert "测试样张：正式计票时永不计入" in printed.stdout and "TEST sheets" not in printed.stdout
    en = tmp_path / "en"
    assert cli("init", "-t", "cunweihui", en).exit_code == 0
    toml = en / "meeting.toml"
    toml.write_text(toml.read_text().replace('language = "zh"', 'language = "en"'))
    assert cli("check", en).exit_code == 0
    bad = cli("seal", en, messages="")
    assert bad.stderr.strip() == "error: give --round R (one or more) or --all"
    missing = cli("status", tmp_path / "nowhere", messages="zh")
    assert missing.stderr.strip() == f"错误：{tmp_path / 'nowhere'}：没有这个会议文件夹；请先用 `tallykit init " \
                                     f"{tmp_path / 'nowhere'}` 新建"
    # every entry of the catalogue keeps the parts it names, and an unknown line is kept whole
    assert in_chinese("port 8000 is in use (another `tallykit serve`?); try --port 8001") == \
        "端口 8000 已被占用（另一个 `tallykit serve`？）；请试 --port 8001"
    assert error_line("something new happened", "zh") == "错误：something new happened"
    toml = zh / "meeting.toml"  # a meeting file's mistakes: file and key kept, the problem said in Chinese
    toml.write_text(toml.read_text().replace('title = "', 'title = “'), encoding="utf-8")
    bad = cli("check", zh, messages="")
    assert bad.exit_code == 2 and "不是有效的 TOML 格式" in bad.stderr and "中文引号" in bad.stderr
    assert in_chinese("meeting.toml: rounds.XJ.quorum_share: is 2; it must be at most 1") == \
        "meeting.toml：rounds.XJ.quorum_share：是 2；不能大于 1"
    assert len(ERRORS_ZH) >= 60

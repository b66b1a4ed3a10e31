"""Bad meeting files: one-line errors that name the key path, exit code 2, nothing written."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import tomli_w

from meeting.definition import load_bytes, load_text
from meeting.errors import DefinitionError
from tests.conftest import snapshot


def _set(path: str, value):
    """Mutation that sets a dotted path like rounds[2].groups (list positions count from 1)."""

    def apply(data):
        parent, key = _walk(data, path)
        parent[key] = value

    return apply


def _delete(path: str):
    def apply(data):
        parent, key = _walk(data, path)
        del parent[key]

    return apply


def _walk(data, path: str):
    parts = []
    for segment in path.split("."):
        name, _, rest = segment.partition("[")
        parts.append(name)
        if rest:
            parts.append(int(rest.rstrip("]")) - 1)
    node = data
    for p in parts[:-1]:
        node = node[p]
    return node, parts[-1]


def _add_vote_round(k: int):
    def apply(data):
        data["rounds"].append({"id": "TP", "name": "投票", "kind": "vote", "groups": ["QZ"], "mode": "choose",
                               "max_choices": k})

    return apply


CASES: list[tuple[str, Callable, str, str]] = [
    ("missing title", _delete("meeting.title"), "meeting.title", "is missing"),
    ("text for a number", _set("groups[1].expected", "seven"), "groups[1].expected", "whole number"),
    ("bool for a number", _set("groups[1].expected", True), "groups[1].expected", "whole number"),
    ("unknown group", _set("rounds[2].groups", ["XX"]), "rounds[2].groups[1]", 'known groups: PS, QZ'),
    ("weights not 100", _set("composite.parts[1].weight", 30), "composite.parts", "add up to 90"),
    ("negative weight", _set("composite.parts[1].weight", -40), "composite.parts[1].weight", "more than 0"),
    ("duplicate candidate id", _set("candidates[2].id", "C01"), "candidates[2].id", "already used"),
    ("duplicate round id, other case", _set("rounds[2].id", "yj"), "rounds[2].id", "already used"),
    ("K larger than candidates", _add_vote_round(7), "rounds[4].max_choices", "only 6 candidates"),
    ("round without candidates", _set("rounds[1].candidates", []), "rounds[1].candidates", "no candidates"),
    ("unknown candidate", _set("rounds[1].candidates", ["C01", "C99"]), "rounds[1].candidates[2]",
     "not a candidate"),
    ("typo in a key", lambda d: d["rounds"][0].update(trim_hihg=1), "rounds[1].trim_hihg", "did you mean"),
    ("bad date", _set("meeting.date", "2026-13-01"), "meeting.date", "2026-12-01"),
    ("unknown language", _set("meeting.language", "fr"), "meeting.language", "zh, en"),
    ("max off the step", _set("rounds[1].criteria[1].max", 40.3), "rounds[1].criteria[1].max", "multiple"),
    ("unknown post", _set("candidates[3].post", "XX"), "candidates[3].post", "ZC"),
    ("more ballots than voters", _set("groups[2].ballots", 51), "groups[2].ballots", "more than the 50"),
    ("composite names unknown round", _set("composite.parts[2].round", "ZZ"), "composite.parts[2].round",
     "not a round"),
    ("too few judges to trim", _set("rounds[1].trim_min_judges", 2), "rounds[1].trim_min_judges", "at least 3"),
    ("meeting id not QR-safe", _set("meeting.id", "ab"), "meeting.id", "capital letters"),
    ("no rounds", _set("rounds", []), "rounds", "is empty"),
    ("rounds not a list of tables", _set("rounds", "YJ"), "rounds", "list of tables"),
    ("no meeting table", _delete("meeting"), "meeting", "is missing"),
    ("group of a manual round", _set("rounds[3].groups", ["PS"]), "rounds[3].groups", "entered by staff"),
    ("unknown kind", _set("rounds[2].kind", "poll"), "rounds[2].kind", "score, vote, rating, survey, manual"),
    ("empty name", _set("candidates[1].name", "  "), "candidates[1].name", "is empty"),
    ("gender", _set("candidates[1].gender", "x"), "candidates[1].gender", "男, 女"),
    ("group not in round for composite", _set("composite.parts[1].group", "PS"), "composite.parts[1].group",
     "does not take part"),
]


@pytest.fixture
def valid(sample_data) -> dict:
    data = copy.deepcopy(sample_data)
    data["meeting"] = {"id": "TEST1234", **data["meeting"]}
    return data


def test_the_unmodified_sample_is_valid(valid):
    meeting = load_text(tomli_w.dumps(valid))
    assert meeting.info.id == "TEST1234"
    assert meeting.composite.parts[0].weight == Decimal(40)


@pytest.mark.parametrize(("label", "mutate", "path", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_file_names_the_key_path(label, mutate, path, words, valid, cli, tmp_path):
    mutate(valid)
    raw = tomli_w.dumps(valid).encode("utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_bytes(raw, "meeting.toml")
    message = str(caught.value)
    assert caught.value.path == path
    assert message.startswith(f"meeting.toml: {path}: ")
    assert words in message
    assert "\n" not in message
    _cli_rejects(raw, cli, tmp_path, f"{path}: ")


def _cli_rejects(raw: bytes, cli, tmp_path: Path, expected: str) -> None:
    """`check FILE` and `init --from FILE` exit 2 with one line naming the problem, and write nothing."""
    bad = tmp_path / "bad.toml"
    bad.write_bytes(raw)
    before = snapshot(tmp_path)
    result = cli("check", bad)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: bad.toml: ")
    assert expected in result.stderr
    result = cli("init", "--from", bad, tmp_path / "new")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and expected in result.stderr
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "new").exists()


def test_non_utf8_file(sample_text, cli, tmp_path):
    raw = sample_text.encode("gb18030")
    with pytest.raises(DefinitionError, match=r"not UTF-8 text .* save the file with UTF-8 encoding"):
        load_bytes(raw)
    _cli_rejects(raw, cli, tmp_path, "not UTF-8")


def test_toml_syntax_error_gives_the_line(sample_text, cli, tmp_path):
    raw = sample_text.replace('name = "评审组"', 'name = "评审组', 1).encode("utf-8")
    with pytest.raises(DefinitionError, match=r"not valid TOML: .*line \d+"):
        load_bytes(raw)
    _cli_rejects(raw, cli, tmp_path, "not valid TOML")


def test_empty_file(cli, tmp_path):
    _cli_rejects(b"", cli, tmp_path, "meeting: is missing")


def test_utf8_bom_is_accepted(sample_text):
    meeting = load_bytes(b"\xef\xbb\xbf" + sample_text.encode("utf-8"), require_id=False)
    assert meeting.info.title.startswith("青山镇")


def test_missing_file(cli, tmp_path):
    result = cli("check", tmp_path / "nope.toml")
    assert result.exit_code == 2
    assert "file not found" in result.stderr


def test_shares_and_numbers_are_exact(valid):
    valid["rounds"].append({"id": "TP", "name": "投票", "kind": "vote", "groups": ["QZ"], "write_ins": 1,
                            "rerun_min_share": "1/3", "max_choices": {"ZC": 2}})
    valid["rounds"][0]["criteria"][0]["max"] = 39.5
    meeting = load_text(tomli_w.dumps(valid))
    vote = meeting.round("TP").spec
    assert str(vote.rerun_min_share) == "1/3"
    assert vote.sections[0].max_choices == 2
    assert meeting.round("YJ").spec.criteria[0].max == Decimal("39.5")


@pytest.mark.parametrize(("line", "hint"), [
    ('title = “大会”', "curly quotes"),
    ("date = 2026年12月18日", "write 2026-12-18"),
    ('title ＝ "大会"', "full-width punctuation"),
])
def test_toml_errors_name_the_usual_cause(line, hint):
    from meeting.definition import load_text
    from meeting.errors import DefinitionError

    with pytest.raises(DefinitionError) as caught:
        load_text(f"[meeting]\n{line}\n")
    assert hint in str(caught.value) and "line 2" in str(caught.value) and "\n" not in str(caught.value)

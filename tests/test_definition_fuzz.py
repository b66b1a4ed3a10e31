"""Hypothesis: any damage to a valid meeting file is either still a valid meeting (and then every
cross-reference holds) or a one-line DefinitionError naming a key path that is really in the file."""

from __future__ import annotations

import copy
import datetime as dt
import re
import tempfile
import tomllib
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import templates
from meeting.definition import load_bytes
from meeting.errors import DefinitionError
from meeting.model import Meeting
from tests.conftest import Cli, snapshot

BASES = []
for _t in templates.TEMPLATES:
    _data = tomllib.loads(_t.read_text())
    _data["meeting"] = {"id": "FUZZ0001", **_data["meeting"]}
    BASES.append(_data)

values = st.one_of(
    st.booleans(),
    st.integers(min_value=-3, max_value=2000),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-10, max_value=200),
    st.text(max_size=12),
    st.sampled_from(["PS", "QZ", "C01", "YJ", "ZC", "DY", "XM", "score", "vote", "zh", "2026-12-01", "1/3"]),
    st.lists(st.sampled_from(["PS", "QZ", "C01", "C02", "XX", "YJ"]), max_size=3),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2110, 1, 1)),
    st.dictionaries(st.sampled_from(["id", "name", "max", "x"]), st.integers(0, 50), max_size=2),
)


def _paths(node, prefix=()):
    """Every (path) into the document: dict keys and list positions."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


@st.composite
def damaged(draw):
    data = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 2))):
        paths = list(_paths(data))
        path = draw(st.sampled_from(paths))
        parent = data
        for p in path[:-1]:
            parent = parent[p]
        key = path[-1]
        action = draw(st.sampled_from(["delete", "replace", "rename", "duplicate"]))
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(values)
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["nmae", "weigth", "seat", "group", "kind2"]))] = parent.pop(key)
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
    return data


def _resolves(data, path: str, allow_missing_last: bool) -> bool:
    segments: list[str | int] = []
    for part in path.split("."):
        m = re.fullmatch(r"([^\[\]]+)((?:\[\d+\])*)", part)
        assert m, f"malformed key path {path!r}"
        segments.append(m.group(1))
        segments += [int(i) - 1 for i in re.findall(r"\[(\d+)\]", m.group(2))]
    node = data
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if isinstance(seg, int):
            if not isinstance(node, list) or not 0 <= seg < len(node):
                return False
        elif not isinstance(node, dict) or seg not in node:
            return last and allow_missing_last
        node = node[seg]
    return True


def _sound(meeting: Meeting) -> None:
    """What validation promises about an accepted meeting."""
    groups = {g.id for g in meeting.groups}
    cands = {c.id for c in meeting.candidates}
    for r in meeting.rounds:
        assert set(r.groups) <= groups
        assert set(r.candidates) <= cands
        if r.kind in ("score", "vote", "rating", "manual"):
            assert r.candidates
    for g in meeting.groups:
        assert 0 <= g.ballots <= g.expected
    if meeting.composite:
        assert sum(p.weight for p in meeting.composite.parts) == 100
    ids = [r.id.upper() for r in meeting.rounds]
    assert len(ids) == len(set(ids))


@settings(max_examples=400, deadline=None)
@given(damaged())
def test_damage_is_caught_with_a_real_key_path(data):
    raw = tomli_w.dumps(data).encode("utf-8")
    try:
        meeting = load_bytes(raw, "meeting.toml")
    except DefinitionError as exc:
        message = str(exc)
        assert "\n" not in message
        assert message.startswith("meeting.toml: ")
        assert exc.path, message
        assert _resolves(data, exc.path, allow_missing_last=True), message
    else:
        _sound(meeting)
    event("valid" if "meeting" in locals() else "rejected")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_cli_exit_code_and_nothing_written(data):
    raw = tomli_w.dumps(data).encode("utf-8")
    try:
        load_bytes(raw, "meeting.toml", require_id=False)  # init writes its own meeting id
        valid = True
    except DefinitionError:
        valid = False
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "meeting.toml"
        source.write_bytes(raw)
        before = snapshot(Path(tmp))
        result = Cli()("init", "--from", source, Path(tmp) / "new")
        if valid:
            assert result.exit_code == 0, result.stderr
            assert (Path(tmp) / "new" / "meeting.db").exists()
        else:
            assert result.exit_code == 2
            assert result.stderr.startswith("error: meeting.toml: ") and result.stderr.count("\n") == 1
            assert snapshot(Path(tmp)) == before

"""Every built-in template is a runnable meeting: it validates, inits, checks and reports status."""

from __future__ import annotations

import tomllib

import pytest

import templates
from meeting.definition import load_text
from meeting.model import ScoreSpec, VoteSpec

NAMES = [t.name for t in templates.TEMPLATES]


def test_at_least_five_templates_with_distinct_names():
    assert len(NAMES) >= 5
    assert len(set(NAMES)) == len(NAMES)
    assert templates.DEFAULT in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_template_loads(name):
    text = templates.get(name).read_text()
    assert "id =" not in tomllib.loads(text)["meeting"], "init writes the meeting id; templates carry none"
    meeting = load_text(text, f"{name}.toml", require_id=False)
    assert meeting.info.language == "zh"
    assert meeting.rounds


@pytest.mark.parametrize("name", NAMES)
def test_template_checks_inits_and_reports_status(name, cli, tmp_path):
    path = tmp_path / f"{name}.toml"
    path.write_text(templates.get(name).read_text(), encoding="utf-8")
    result = cli("check", path)
    assert result.exit_code == 0, result.output
    assert "valid" in result.output

    folder = tmp_path / name
    assert cli("init", "--template", name, folder).exit_code == 0
    result = cli("check", folder)
    assert result.exit_code == 0, result.output
    assert "unchanged since version 1" in result.output
    result = cli("status", folder)
    assert result.exit_code == 0, result.output
    assert "完整" in result.output  # audit chain intact


def test_templates_cover_the_meeting_kinds():
    meetings = {n: load_text(templates.get(n).read_text(), require_id=False) for n in NAMES}
    kinds = {r.kind for m in meetings.values() for r in m.rounds}
    assert kinds == {"score", "vote", "rating", "survey", "manual"}

    sample = meetings["jingpin-ceping"]  # 群众 40% + 评审组 20% + 党委政府综合 40%
    weights = {(p.round, p.group): p.weight for p in sample.composite.parts}
    assert {sample.round(r).kind: w for (r, _), w in weights.items()} == {"rating": 40, "score": 20, "manual": 40}
    speech = sample.round("YJ").spec
    assert isinstance(speech, ScoreSpec)
    assert [c.max for c in speech.criteria] == [40, 30, 10, 10, 10]

    reserves = meetings["gongxuan-houbei"]  # 一职双备: every post elects two
    vote = next(r for r in reserves.rounds if r.kind == "vote")
    assert isinstance(vote.spec, VoteSpec)
    assert [s.max_choices for s in vote.spec.sections] == [2, 2]
    assert set(vote.groups) == {"DY", "CM"}

    election = meetings["cunweihui"]  # 同意/不同意/弃权, 另选他人, 应选K人
    spec = election.rounds[0].spec
    assert isinstance(spec, VoteSpec)
    assert [o.name for o in spec.options] == ["同意", "不同意", "弃权"]
    assert all(s.write_ins == 1 for s in spec.sections)
    assert [s.max_choices for s in spec.sections] == [1, 1, 3]

    survey = meetings["manyidu"].rounds[0].spec
    assert sum(q.type == "single" for q in survey.questions) == 8
    assert [o.name for o in survey.questions[0].options] == ["满意", "基本满意", "不满意"]

    rating = meetings["niandu-ceping"].rounds[0].spec
    assert [(g.name, g.points) for g in rating.grades] == [("优秀", 100), ("称职", 80), ("基本称职", 60),
                                                          ("不称职", 40)]

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import templates
from cli.main import app


class Cli:
    """Runs `tallykit ...` in-process; stdout and stderr kept apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | Path):
        return self.runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def sample_text() -> str:
    return templates.get(templates.DEFAULT).read_text()


@pytest.fixture
def sample_data(sample_text: str) -> dict:
    return tomllib.loads(sample_text)


@pytest.fixture
def meeting_dir(tmp_path: Path, cli: Cli) -> Path:
    target = tmp_path / "meeting"
    result = cli("init", target, "--operator", "tester")
    assert result.exit_code == 0, result.output
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder with its bytes: to prove a failed command wrote nothing."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def printed(tmp_path_factory) -> dict[str, Path]:
    """Every template, initialised and printed (2 spares per group) once for the whole test session."""
    root = tmp_path_factory.mktemp("printed")
    out = {}
    runner = Cli()
    for t in templates.TEMPLATES:
        folder = root / t.name
        assert runner("init", "--template", t.name, folder).exit_code == 0
        result = runner("print", folder, "--spares", "2")
        assert result.exit_code == 0, result.output
        out[t.name] = folder
    return out

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import templates
from cli.main import app

REPORTS = "TALLYKIT_TEST_REPORTS"  # the folder the tests' tables go to, shown at the end of the run (see `report`)
_REPORTS_KEY = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("TALLYKIT_MESSAGES", "en")  # subprocesses too: the tests read the English error lines
    if not hasattr(config, "workerinput"):  # the run itself, not one of its parallel workers (pytest-xdist)
        folder = Path(tempfile.mkdtemp(prefix="tallykit-test-reports-"))
        os.environ[REPORTS] = str(folder)  # the workers, started after this, find it there
        config.stash[_REPORTS_KEY] = folder


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    folder = config.stash.get(_REPORTS_KEY, None)
    if folder is None:
        return
    for path in sorted(folder.glob("*.txt")):
        terminalreporter.write_sep("=", path.stem)
        terminalreporter.write_line(path.read_text(encoding="utf-8").rstrip("\n"))
    shutil.rmtree(folder, ignore_errors=True)


def report(name: str, lines: str) -> None:
    """Lines for the end of the test run's output (the scanner deck's acceptance table), whichever worker ran the
    test, passed or failed: the run's workers keep their own output to themselves."""
    folder = os.environ.get(REPORTS)
    if folder is None or not Path(folder).is_dir():  # the test run without this conftest's configure
        print(lines)
        return
    with (Path(folder) / f"{name}.txt").open("a", encoding="utf-8") as out:
        out.write(lines + "\n")


class Cli:
    """Runs `tallykit ...` in-process; stdout and stderr kept apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, messages: str = "en"):
        """Error lines in English by default (as a script reads them, TALLYKIT_MESSAGES=en); messages="" lets
        them follow the meeting's language, as a person sees them."""
        return self.runner.invoke(app, [str(a) for a in args], catch_exceptions=False,
                                  env={"TALLYKIT_MESSAGES": messages})


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
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from meeting.folder import MeetingFolder
    from meeting.keys import MeetingKeys

    root = tmp_path_factory.mktemp("printed")
    out = {}
    runner = Cli()
    for i, t in enumerate(templates.TEMPLATES):
        folder = root / t.name
        # fixed ids and keys: the same QR codes every run, so the scanner deck is reproducible
        meeting_id = f"TEST000{i}"
        keys = MeetingKeys(meeting_id, bytes([i]) * 32, Ed25519PrivateKey.from_private_bytes(bytes([i + 1]) * 32))
        MeetingFolder.init(folder, t.read_text(), "tester", meeting_id=meeting_id, keys=keys)
        result = runner("print", folder, "--spares", "2")
        assert result.exit_code == 0, result.output
        out[t.name] = folder
    return out


def scan_sample(cli: Cli, folder: Path, photos: Path, seed: int, ratings: list[str]) -> None:
    """The sample meeting (jingpin-ceping) counted: its 7 judges' sheets (2 pages each) and one rating form per
    entry of `ratings` (a deck category: clean, blank, ...) photographed like a webcam and scanned, then the staff
    scores entered."""
    import cv2
    import numpy as np

    from scanner.deck import Deck, camera

    deck = Deck(folder)
    rng = np.random.default_rng(seed)
    photos.mkdir()
    forms = [(("YJ", "PS"), "clean", seat, page) for seat in range(7) for page in (1, 2)]
    forms += [(("CP", "QZ"), category, 0, 1) for category in ratings]
    for n, (key, category, copy, page) in enumerate(forms):  # fill then photograph each: the seed's draw order
        sheet = deck.fill(key, rng, category, copy=copy, page=page)
        cv2.imwrite(str(photos / f"{n:03d}.jpg"), camera(sheet.image, rng, max_tilt=8))
    # 30 of the 50 群众代表 returned their forms (more than half: the rating stands); 12 of them are read here
    assert cli("returned", folder, "30", "--round", "CP", "--group", "QZ").exit_code == 0
    result = cli("scan", folder, "--images", photos)
    assert result.exit_code == 0, result.output
    for i, cid in enumerate(["C01", "C02", "C03", "C04", "C05", "C06"]):
        assert cli("enter", folder, "-r", "DW", "-c", cid, "-s", f"{85 + i}.5", "--operator", "王书记").exit_code == 0

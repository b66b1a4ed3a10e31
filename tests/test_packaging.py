"""The kit that runs in the hall is the one the tests ran on: dependencies pinned with hashes, and a folder of
wheels that installs the kit on a laptop with no network."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pins(lock: Path) -> dict[str, str]:
    text = lock.read_text()
    pins = {}
    for name, pinned in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M):
        pins.setdefault(name.lower().replace("_", "-"), pinned)
    # every requirement carries at least one sha256, so pip runs in hash-checking mode
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text.split("\n", 2)[2])
    assert all("--hash=sha256:" in block for block in blocks if block.strip()), lock.name
    return pins


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_dependency_is_pinned_with_hashes_and_installed_at_that_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    run = _pins(ROOT / "requirements.lock")
    dev = _pins(ROOT / "requirements-dev.lock")
    for requirement in project["dependencies"]:
        assert _name(requirement) in run, f"{requirement} is not in requirements.lock: run `make lock`"
    for requirement in project["optional-dependencies"]["dev"]:
        assert _name(requirement) in dev, f"{requirement} is not in requirements-dev.lock: run `make lock`"
    wrong = []
    for name, pinned in dev.items():
        try:
            if version(name) != pinned:
                wrong.append(f"{name} {version(name)} (lock: {pinned})")
        except PackageNotFoundError:
            pass  # a platform's own dependency (colorama on Windows, …)
    assert not wrong, "the tests run on other versions than the lock pins: " + ", ".join(wrong)


def test_the_wheelhouse_installs_the_kit_with_the_network_switched_off(tmp_path):
    house = tmp_path / "wheelhouse"
    made = subprocess.run(["bash", str(ROOT / "scripts" / "wheelhouse.sh"), str(house)], cwd=ROOT,
                          env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr[-2000:]
    assert (house / "requirements.lock").is_file() and "--no-index" in (house / "INSTALL.txt").read_text()
    assert any(p.name.startswith("tallykit-") for p in house.glob("*.whl"))
    venv = tmp_path / "hall-laptop"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # no index, no configured wheel folders, no pip.conf: only the wheelhouse
    offline = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    offline.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(house)]
    for args in (["--require-hashes", "-r", str(house / "requirements.lock")], ["--no-deps", "tallykit"]):
        done = subprocess.run([*pip, *args], env=offline, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
    exe = str(venv / "bin" / "tallykit")
    meeting = tmp_path / "cunweihui"
    for args in (["--version"], ["init", "-t", "cunweihui", str(meeting)], ["check", str(meeting)],
                 ["print", str(meeting), "--test"]):
        done = subprocess.run([exe, *args], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, (args, done.stderr[-1000:])
    assert list((meeting / "print").glob("*.pdf"))

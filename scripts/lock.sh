#!/usr/bin/env bash
# Regenerate the lock files from pyproject.toml: every dependency pinned, with the sha256 of every file of that
# release (Linux, Windows and macOS wheels alike), resolved for every platform at once (uv's universal mode).
# `make test`, `make demo` and `make wheelhouse` install from these files, so the kit that runs in the hall is the
# one the tests ran on. Run `make lock` after changing the dependencies in pyproject.toml, then `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
tool="$(mktemp -d)"
trap 'rm -rf "$tool"' EXIT
"$PYTHON" -m venv "$tool"
"$tool/bin/python" -m pip install --quiet uv
common=(--universal --generate-hashes --python-version 3.11 --quiet)
"$tool/bin/uv" pip compile "${common[@]}" -o requirements.lock pyproject.toml
"$tool/bin/uv" pip compile "${common[@]}" --extra dev -o requirements-dev.lock pyproject.toml
echo "wrote requirements.lock (to run the kit) and requirements-dev.lock (to test it)"

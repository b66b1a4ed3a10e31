#!/usr/bin/env bash
# Fail with the fix when the Python that will make .venv is older than 3.11.
set -euo pipefail
python="${1:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    echo "tallykit needs Python 3.11 or newer; install it with: sudo apt-get install python3 python3-venv" >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "tallykit needs Python 3.11 or newer, $python is $("$python" -V 2>&1); run: make PYTHON=python3.11 ..." >&2
    exit 1
fi

#!/usr/bin/env bash
# A folder of wheels from which a laptop with no network installs the kit: every dependency at the version and
# hash of requirements.lock, the kit's own wheel, the lock itself and the two install commands (INSTALL.txt).
# Built for the platform it runs on (Linux x86_64 here); for another one, e.g. a Windows hall laptop:
#   PLATFORM=win_amd64 make wheelhouse
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
out="${1:-wheelhouse}"
rm -rf "$out" && mkdir -p "$out"
platform=()
if [[ -n "${PLATFORM:-}" ]]; then
    platform=(--platform "$PLATFORM" --python-version "${PYVERSION:-3.11}" --implementation cp)
fi
"$PYTHON" -m pip download --quiet --require-hashes --only-binary=:all: "${platform[@]}" -r requirements.lock -d "$out"
"$PYTHON" -m pip wheel --quiet --no-deps -w "$out" .
rm -rf build  # setuptools' working folder, left in the source tree
cp requirements.lock "$out/"
cat > "$out/INSTALL.txt" <<'TXT'
tallykit, offline: on the hall laptop (Python 3.11 or newer), in this folder:

  python -m venv tallykit-env          (Windows: py -m venv tallykit-env)
  tallykit-env/bin/python -m pip install --no-index --find-links . --require-hashes -r requirements.lock
  tallykit-env/bin/python -m pip install --no-index --find-links . --no-deps tallykit
  tallykit-env/bin/tallykit demo       (Windows: tallykit-env\Scripts\tallykit demo)

Every file is checked against the hash in requirements.lock; nothing is fetched from the network.
TXT
echo "$out/: $(ls "$out"/*.whl | wc -l) wheels, $(du -sh "$out" | cut -f1); see $out/INSTALL.txt"

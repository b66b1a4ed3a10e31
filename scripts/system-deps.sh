#!/usr/bin/env bash
# Make sure the Debian/Ubuntu packages tallykit needs are installed.
#   scripts/system-deps.sh            libzbar0 (QR fallback), libgl1 (OpenCV), fonts-wqy-microhei (CJK font)
#   scripts/system-deps.sh --test     also poppler-utils (pdftotext, pdfinfo) and chromium, for the test suite
# As root it installs what is missing with apt-get; otherwise it prints the exact command and fails.
# Set TALLYKIT_SKIP_SYSTEM_DEPS=1 to skip this check (you then own the consequences).
set -euo pipefail

[[ "${TALLYKIT_SKIP_SYSTEM_DEPS:-}" == 1 ]] && exit 0

python="${PYTHON:-python3}"
# Each entry lists alternative names of one package (Debian 13 renamed some with a t64 suffix).
wanted=("libzbar0 libzbar0t64" "libgl1" "fonts-wqy-microhei")
[[ "${1:-}" == "--test" ]] && wanted+=("poppler-utils" "chromium")

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "tallykit: this is not a Debian/Ubuntu system; install by hand: zbar (libzbar), libGL, the WenQuanYi Micro Hei font${1:+, poppler}" >&2
    echo "then run again with TALLYKIT_SKIP_SYSTEM_DEPS=1" >&2
    exit 1
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for alternatives in "${wanted[@]}"; do
    found=0
    for p in $alternatives; do
        if installed "$p"; then found=1; break; fi
    done
    [[ $found == 1 ]] || missing+=("$alternatives")
done
# A fresh Debian python3 cannot make a virtual environment without python3-venv.
if ! "$python" -c "import ensurepip, venv" >/dev/null 2>&1; then
    missing+=("python3-venv")
fi
[[ ${#missing[@]} == 0 ]] && exit 0

first_names() { for alternatives in "${missing[@]}"; do set -- $alternatives; printf '%s ' "$1"; done; }

if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "tallykit needs these system packages; install them with:" >&2
    echo "    sudo apt-get update && sudo apt-get install --no-install-recommends $(first_names)" >&2
    exit 1
fi

echo "tallykit: installing system packages: $(first_names)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
packages=()
for alternatives in "${missing[@]}"; do
    chosen=""
    for p in $alternatives; do
        if apt-cache show "$p" >/dev/null 2>&1; then chosen="$p"; break; fi
    done
    if [[ -z "$chosen" ]]; then
        echo "tallykit: no package among '$alternatives' is known to apt; check your apt sources" >&2
        exit 1
    fi
    packages+=("$chosen")
done
apt-get install -y -qq --no-install-recommends "${packages[@]}"

#!/usr/bin/env bash
# Install passim (github.com/dasmiq/passim, the Viral Texts project's text-reuse tool) into a
# virtualenv, for `bench/reuse.sh a` to time it on the same corpus as `stemma reuse`.
#
# Usage:  bench/install-passim.sh [SOURCE]     SOURCE: a passim checkout or a pip URL
#         (default git+https://github.com/dasmiq/passim). Needs python3-venv and Java 17.
# Then:   PASSIM=$PASSIM_VENV/bin/passim bench/reuse.sh a
# Environment: PASSIM_VENV (bench/out/passim-venv).
#
# passim's `spark-submit --packages` downloads GraphFrames from Maven Central at run time;
# where that is unreachable, bench/reuse.sh falls back to bench/passim-shim (see there).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SOURCE=${1:-git+https://github.com/dasmiq/passim}
PASSIM_VENV=${PASSIM_VENV:-bench/out/passim-venv}
command -v java >/dev/null || { echo "install-passim: Java 17 is needed (apt-get install openjdk-17-jre-headless)" >&2; exit 2; }
python3 -m venv "$PASSIM_VENV"
"$PASSIM_VENV/bin/pip" install -q --upgrade pip
"$PASSIM_VENV/bin/pip" install -q "$SOURCE"
echo "passim installed: $PASSIM_VENV/bin/passim ($("$PASSIM_VENV/bin/pip" list 2>/dev/null | grep -Ei '^(passim|pyspark|graphframes)' | tr -s ' ' | paste -sd ';'))"

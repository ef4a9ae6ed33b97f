#!/usr/bin/env bash
# Licence-family benchmark: every SPDX licence text in ../shared/data/licenses/spdx is indexed,
# varied the way licences are varied in the wild (names replaced, a clause added or dropped,
# re-wrapped, a title added; deterministic for SEED) and traced among all of them; the label is
# the licence it came from. Prints the share of variants whose licence stemma ranks first and in
# its top 3, the median segments per trace, and, in the same run, the nearest licence by tf-idf
# cosine (scikit-learn, word 1-2-grams). Then the same for the variants inside a README (prose
# around the licence), for Debian's licence files (real copies) and for real variants: the licence
# paragraphs of this machine's /usr/share/doc/*/copyright files (DEP-5), labelled by the licence
# each names. And the issue's own real case: ScanCode's licence database (scancode-toolkit's
# wheel, pinned, downloaded once with pip into bench/out/scancode-wheel and read with zipfile),
# its 2,600 licence texts indexed and ~300 of its real licence texts found in the wild (rules
# with is_license_text, one licence key each) traced among them; the exclusions are in
# load_scancode in bench/licences.py. Misses of the real subsets are listed, with each
# candidate's whole-text identity to the variant, in OUT/dep5-misses.jsonl and
# OUT/scancode-misses.jsonl.
# Printed, not a test (bench/licences.py has the details).
#
# Usage (from the repository root):  bench/licences.sh
# Tuning is done on the development sample (SEED); the figures to report are the held-out
# sample's (HOLDOUT_SEED: synthetic variants made with it, ScanCode rules the first sample did
# not draw, the other half of the DEP-5 paragraphs), printed after it for stemma and tf-idf
# alike. DEVELOPMENT_ONLY=1 traces the development sample only (while tuning);
# HOLDOUT_SEED= (empty) has no held-out sample (DEP-5: all paragraphs).
#
# Environment: DATA (../shared/data), OUT (bench/out/licences), SEED (1), HOLDOUT_SEED (2), VARIANTS (1 per
#              licence), JOBS (2 traces at a time), CANDIDATES (stemma's default), LIMIT (all),
#              SUBSETS (spdx,debian,dep5,scancode), SCANCODE_VARIANTS (300).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-bench/out/licences}
SEED=${SEED:-1}
VARIANTS=${VARIANTS:-1}
JOBS=${JOBS:-2}

cargo build --release -p stemma
# scikit-learn for the baseline, in a virtualenv of its own (PyPI).
VENV=bench/out/venv-licences
if ! "$VENV/bin/python" -c 'import sklearn' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet scikit-learn
fi
# ScanCode's licence database: a wheel from PyPI, fetched once (never in CI).
SCANCODE_VERSION=32.5.0
SCANCODE_DIR=bench/out/scancode-wheel
SUBSETS=${SUBSETS:-spdx,debian,dep5,scancode}
wheel=
if [[ ,$SUBSETS, == *,scancode,* ]]; then
    wheel=$(ls "$SCANCODE_DIR"/scancode_toolkit-"$SCANCODE_VERSION"-*.whl 2>/dev/null | head -1 || true)
    if [ -z "$wheel" ]; then
        "$VENV/bin/pip" download --quiet --no-deps "scancode-toolkit==$SCANCODE_VERSION" -d "$SCANCODE_DIR"
        wheel=$(ls "$SCANCODE_DIR"/scancode_toolkit-"$SCANCODE_VERSION"-*.whl | head -1)
    fi
fi
extra=(--subsets "$SUBSETS" --scancode-variants "${SCANCODE_VARIANTS:-300}")
[ -n "$wheel" ] && extra+=(--scancode "$wheel")
HOLDOUT_SEED=${HOLDOUT_SEED-2}
[ -n "$HOLDOUT_SEED" ] && extra+=(--holdout-seed "$HOLDOUT_SEED")
[ -n "${DEVELOPMENT_ONLY:-}" ] && extra+=(--development-only)
[ -n "${CANDIDATES:-}" ] && extra+=(--candidates "$CANDIDATES")
[ -n "${LIMIT:-}" ] && extra+=(--limit "$LIMIT")
"$VENV/bin/python" bench/licences.py --stemma ${CARGO_TARGET_DIR:-target}/release/stemma --data "$DATA" --out "$OUT" \
    --seed "$SEED" --variants "$VARIANTS" --jobs "$JOBS" "${extra[@]}"

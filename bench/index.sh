#!/usr/bin/env bash
# Index and trace benchmark: builds corpora of DOCS documents from ../shared/data (Reuters
# stories and licences, plus derived documents with planted reuse whose sources are known),
# indexes each with `stemma index add`, and traces 200 held-out derived documents. Prints
# ingest docs/s and MB/s (ratio to `wc -w` on the same bytes), index bytes per document, trace
# latency p50/p95, peak RSS, and planted-source recall in the top 10. Printed, not a test.
#
# Usage (from the repository root):  bench/index.sh
# Environment: DATA (../shared/data), OUT (bench/out/index), SIZES ("10000 100000"),
#              QUERIES (200), SEED (1).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-bench/out/index}
SIZES=${SIZES:-"10000 100000"}
QUERIES=${QUERIES:-200}
SEED=${SEED:-1}

cargo build --release -p stemma
echo "machine: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for docs in $SIZES; do
    python3 bench/index_corpus.py --stemma target/release/stemma --data "$DATA" --out "$OUT" \
        --docs "$docs" --queries "$QUERIES" --seed "$SEED"
done

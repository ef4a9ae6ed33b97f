#!/usr/bin/env bash
# Index and trace benchmark: builds corpora of DOCS documents from ../shared/data (Reuters
# stories and licences, plus derived documents with planted reuse whose sources are known),
# indexes each with `stemma index add`, and traces 200 held-out derived documents. Prints
# ingest docs/s and MB/s (ratio to `wc -w` on the same bytes), index bytes per document, trace
# latency p50/p95, peak RSS, and planted-source recall in the top 10. Printed, not a test.
#
# Last run (2 cores shared with other work, load average ~4; commit be358f8):
#   10k docs (12.4 MB):   ingest 13.4 MB/s, 10,779 docs/s (wc -w 210 MB/s), 1,653 B/doc on disk,
#                         trace p50 11.2 ms / p95 16.6 ms, trace RSS 18 MB, recall@10 0.997
#   100k docs (155 MB):   ingest 8.5 MB/s, 5,468 docs/s (wc -w 202 MB/s), peak RSS 309 MB,
#                         2,025 B/doc, trace p50 25.3 ms / p95 36.2 ms, RSS 45 MB, recall@10 0.995
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

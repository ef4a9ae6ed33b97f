#!/usr/bin/env bash
# Index and trace benchmark: builds corpora of DOCS documents from ../shared/data (Reuters
# stories and licences, plus derived documents with planted reuse whose sources are known),
# indexes each with `stemma index add`, and traces 200 held-out derived documents. Prints
# ingest docs/s and MB/s (ratio to `wc -w` on the same bytes), index bytes per document, trace
# latency p50/p95, peak RSS, and planted-source recall in the top 10. Printed, not a test.
#
# Last run (quiet 2-core machine; ingest is the best of three fresh builds, disk synced first):
#   10k docs (12.4 MB):   ingest 24.5 MB/s, 19,818 docs/s (wc -w 224 MB/s), 1,544 B/doc on disk,
#                         trace p50 7.0 ms / p95 10.2 ms, trace RSS 16 MB, recall@10 0.997
#   100k docs (155 MB):   ingest 27.9 MB/s, 17,971 docs/s (wc -w 232 MB/s), peak RSS 253 MB,
#                         1,851 B/doc, trace p50 11.2 ms / p95 13.3 ms, RSS 40 MB, recall@10 0.995
#   100k docs with verbatim, edited (10-30 %) and reworded (KJV -> WEB) planted sources, load
#   average ~20 (figures of time are pessimistic): recall@10 verbatim / edited / reworded
#   0.979 / 0.977 / 0.990 with both candidate channels, 0.979 / 0.931 / 0.796 with fingerprints
#   only; 1,908 B/doc on disk (the BM25 channel reads postings the index already had).
#   Same, after short originals, the verbatim-copy tolerance and near-identical originals
#   counting (load ~29): 0.995 / 0.983 / 0.990 (fingerprints only 0.995 / 0.936 / 0.796).
#
# First, ingest of real texts (bench/ingest_real.py: Reuters-21578 + the SPDX licences, MB/s
# and the ratio to `wc -w` on the same files, best of RUNS).
#
# Usage (from the repository root):  bench/index.sh
# Environment: DATA (../shared/data), OUT (bench/out/index), SIZES ("10000 100000"),
#              QUERIES (300), SEED (1), RUNS (5), BASELINE (another stemma binary, e.g. the
#              previous commit's, timed on the real texts and traced on the planted queries in
#              the same rounds: latency, CPU per trace and recall beside the new binary's).
#              SIZES="" runs the real texts only. MISSES=1 lists each planted source the
#              default trace misses.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-bench/out/index}
# `-`, not `:-`: SIZES= (empty) means the real texts only, as documented above.
SIZES=${SIZES-"10000 100000"}
QUERIES=${QUERIES:-300}
SEED=${SEED:-1}

cargo build --release -p stemma -p stemma-bench
BIN=${CARGO_TARGET_DIR:-target}/release
mkdir -p "$OUT"
"$BIN/stemma-bench" genesis-verses --data "$DATA" --out "$OUT/genesis-verses.jsonl"
echo "machine: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
python3 bench/ingest_real.py --stemma "$BIN/stemma" --data "$DATA" --runs "${RUNS:-5}" \
    ${BASELINE:+--baseline "$BASELINE"}
for docs in $SIZES; do
    python3 bench/index_corpus.py --stemma "$BIN/stemma" --data "$DATA" --out "$OUT" \
        --verses "$OUT/genesis-verses.jsonl" \
        --docs "$docs" --queries "$QUERIES" --seed "$SEED" ${BASELINE:+--baseline "$BASELINE"}
done

#!/usr/bin/env bash
# Quality benchmark: PAN text-alignment measures of `stemma pan` per obfuscation type.
#
# Builds the release binaries, generates the PAN-style corpus from ../shared/data (unless it
# is already there with the same seed and size), runs `stemma pan` over all pairs, scores each
# obfuscation type with `stemma eval pan`, and prints one table with the targets.
#
# Usage (from the repository root):  bench/quality.sh
# Environment: DATA (../shared/data), OUT (bench/out/pan), DET (bench/out/pan-det),
#              SEED (1), PAIRS (pairs per type, 100), REGEN=1 to force regeneration,
#              STRICT=1 to exit with status 3 when a target is missed,
#              STEMMA_ARGS (extra options for `stemma pan`, e.g. "--threads 1").
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-bench/out/pan}
DET=${DET:-bench/out/pan-det}
SEED=${SEED:-1}
PAIRS=${PAIRS:-100}
TYPES=(none random reorder paraphrase negative)

cargo build --release -p stemma -p stemma-bench
STEMMA=target/release/stemma
BENCH=target/release/stemma-bench

stamp="seed=$SEED pairs_per_type=$PAIRS generator=$(sha256sum "$BENCH" | cut -c1-16)"
if [[ "${REGEN:-0}" == 1 || ! -f "$OUT/pairs" || "$(cat "$OUT/.stamp" 2>/dev/null)" != "$stamp" ]]; then
    "$BENCH" gen-pan --data "$DATA" --out "$OUT" --seed "$SEED" --pairs-per-type "$PAIRS"
    echo "$stamp" > "$OUT/.stamp"
else
    echo "using the corpus in $OUT ($stamp)"
fi

rm -rf "$DET"
mkdir -p "$DET"
echo "running: $STEMMA pan $OUT/pairs $OUT/src $OUT/susp $DET ${STEMMA_ARGS:-}"
start=$(date +%s.%N)
# shellcheck disable=SC2086 # STEMMA_ARGS is a list of options
"$STEMMA" pan "$OUT/pairs" "$OUT/src" "$OUT/susp" "$DET" ${STEMMA_ARGS:-}
end=$(date +%s.%N)

for type in "${TYPES[@]}"; do
    "$STEMMA" eval pan "$OUT/truth/$type" "$DET" --pairs "$OUT/truth/$type/pairs" --json \
        > "$DET/eval-$type.json"
done

status=0
python3 - "$DET" "$start" "$end" "${TYPES[@]}" <<'PY' || status=$?
import json, sys

det, start, end, types = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
targets = {"none": 0.98, "random": 0.92, "reorder": 0.85, "paraphrase": 0.88, "negative": 0.99}

def fmt(value):
    return "-" if value is None else f"{value:.3f}"

rows, misses, total_pairs = [], 0, 0
for t in types:
    with open(f"{det}/eval-{t}.json", encoding="utf-8") as f:
        e = json.load(f)
    pairs = e["pairs"]
    total_pairs += pairs
    if t == "negative":
        # No cases: the measure is the share of pairs without any detection.
        value = 1.0 - e["pairs_with_detections"] / pairs if pairs else 0.0
        p = r = g = None
        measure = f"no-det {value:.3f}"
    else:
        p, r, g, value = e["precision"], e["recall"], e["granularity"], e["plagdet"]
        measure = f"{value:.3f}"
    ok = value >= targets[t]
    misses += not ok
    rows.append((t, str(pairs), fmt(p), fmt(r), fmt(g), measure, f">= {targets[t]:.2f}",
                 "PASS" if ok else "MISS"))

header = ("type", "pairs", "precision", "recall", "granularity", "plagdet", "target", "result")
widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]
line = lambda row: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
print()
print(line(header))
print("  ".join("-" * w for w in widths))
for row in rows:
    print(line(row))
elapsed = end - start
print(f"\nstemma pan: {total_pairs} pairs in {elapsed:.2f} s ({total_pairs / elapsed:.0f} pairs/s); "
      f"{misses} target(s) missed")
with open(f"{det}/summary.tsv", "w", encoding="utf-8") as f:
    for row in [header] + rows:
        f.write("\t".join(row) + "\n")
sys.exit(3 if misses else 0)
PY
if [[ $status -eq 3 && "${STRICT:-0}" != 1 ]]; then
    exit 0
fi
exit "$status"

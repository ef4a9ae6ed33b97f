#!/usr/bin/env bash
# Quality benchmark: PAN text-alignment measures of `stemma pan` per obfuscation type, on the
# standard corpus and on the self-similar subset (KJV Genesis sources, repeated formulas),
# for the default (one alignment per region) and, as the baseline run in the same command,
# for `--all-alignments` (every alignment a detection).
#
# Builds the release binaries, generates the PAN-style corpus from ../shared/data (unless it
# is already there with the same seed and size), runs `stemma pan` over all pairs twice,
# scores each type with `stemma eval pan`, and prints one table with the targets.
#
# Usage (from the repository root):  bench/quality.sh
# Environment: DATA (../shared/data), OUT (bench/out/pan), DET (bench/out/pan-det),
#              DET_ALL (bench/out/pan-det-all), SEED (1), PAIRS (pairs per type, 100),
#              GENESIS_PAIRS (pairs per type of the self-similar subset, PAIRS),
#              REGEN=1 to force regeneration, STRICT=1 to exit with status 3 when a target is
#              missed, STEMMA_ARGS (extra options for `stemma pan`, e.g. "--threads 1").
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-bench/out/pan}
DET=${DET:-bench/out/pan-det}
DET_ALL=${DET_ALL:-bench/out/pan-det-all}
SEED=${SEED:-1}
PAIRS=${PAIRS:-100}
GENESIS_PAIRS=${GENESIS_PAIRS:-$PAIRS}
TYPES=(none random reorder paraphrase negative)
if [[ $GENESIS_PAIRS -gt 0 ]]; then
    TYPES+=(genesis-none genesis-random genesis-reorder genesis-paraphrase genesis-negative)
fi

cargo build --release -p stemma -p stemma-bench
STEMMA=${CARGO_TARGET_DIR:-target}/release/stemma
BENCH=${CARGO_TARGET_DIR:-target}/release/stemma-bench

stamp="seed=$SEED pairs_per_type=$PAIRS genesis=$GENESIS_PAIRS generator=$(sha256sum "$BENCH" | cut -c1-16)"
if [[ "${REGEN:-0}" == 1 || ! -f "$OUT/pairs" || "$(cat "$OUT/.stamp" 2>/dev/null)" != "$stamp" ]]; then
    "$BENCH" gen-pan --data "$DATA" --out "$OUT" --seed "$SEED" --pairs-per-type "$PAIRS" \
        --genesis-pairs-per-type "$GENESIS_PAIRS"
    echo "$stamp" > "$OUT/.stamp"
else
    echo "using the corpus in $OUT ($stamp)"
fi

# run_pan DIR [OPTIONS...]: detections of every pair into DIR, one eval JSON per type there;
# prints the wall time in seconds.
run_pan() {
    local dir=$1
    shift
    rm -rf "$dir"
    mkdir -p "$dir"
    echo "running: $STEMMA pan $OUT/pairs $OUT/src $OUT/susp $dir $* ${STEMMA_ARGS:-}" >&2
    local start end
    start=$(date +%s.%N)
    # shellcheck disable=SC2086 # STEMMA_ARGS is a list of options
    "$STEMMA" pan "$OUT/pairs" "$OUT/src" "$OUT/susp" "$dir" "$@" ${STEMMA_ARGS:-} >&2
    end=$(date +%s.%N)
    for type in "${TYPES[@]}"; do
        "$STEMMA" eval pan "$OUT/truth/$type" "$dir" --pairs "$OUT/truth/$type/pairs" --json \
            > "$dir/eval-$type.json"
    done
    python3 -c "print($end - $start)"
}

seconds=$(run_pan "$DET")
seconds_all=$(run_pan "$DET_ALL" --all-alignments)

status=0
python3 - "$DET" "$DET_ALL" "$seconds" "$seconds_all" "${TYPES[@]}" <<'PY' || status=$?
import json, sys

det, det_all, seconds, seconds_all, types = (sys.argv[1], sys.argv[2], float(sys.argv[3]),
                                              float(sys.argv[4]), sys.argv[5:])
plagdet_targets = {"none": 0.98, "random": 0.95, "reorder": 0.92, "paraphrase": 0.90}
PRECISION_TARGET = 0.95
CLEAN_TARGET = 1.0

def fmt(value):
    return "-" if value is None else f"{value:.3f}"

def measures(folder, t):
    with open(f"{folder}/eval-{t}.json", encoding="utf-8") as f:
        e = json.load(f)
    if t.endswith("negative"):
        clean = 1.0 - e["pairs_with_detections"] / e["pairs"] if e["pairs"] else 0.0
        return e["pairs"], None, None, None, clean
    return e["pairs"], e["precision"], e["recall"], e["granularity"], e["plagdet"]

rows, misses, total_pairs = [], 0, 0
for t in types:
    pairs, p, r, g, value = measures(det, t)
    _, p_all, _, g_all, value_all = measures(det_all, t)
    total_pairs += pairs
    base = t.removeprefix("genesis-")
    if base == "negative":
        ok = value >= CLEAN_TARGET
        measure, measure_all = f"clean {value:.3f}", f"clean {value_all:.3f}"
        target = f"clean >= {CLEAN_TARGET:.2f}"
    else:
        ok = value >= plagdet_targets[base] and p >= PRECISION_TARGET
        measure, measure_all = f"{value:.3f}", f"{value_all:.3f}"
        target = f">= {plagdet_targets[base]:.2f}, P >= {PRECISION_TARGET:.2f}"
    misses += not ok
    rows.append((t, str(pairs), fmt(p), fmt(r), fmt(g), measure, fmt(p_all), fmt(g_all),
                 measure_all, target, "PASS" if ok else "MISS"))

header = ("type", "pairs", "precision", "recall", "granularity", "plagdet",
          "all: precision", "all: granularity", "all: plagdet", "target (default)", "result")
widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]
line = lambda row: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
print()
print("default: one alignment per region; all: --all-alignments (every alignment a detection)")
print(line(header))
print("  ".join("-" * w for w in widths))
for row in rows:
    print(line(row))
print(f"\nstemma pan: {total_pairs} pairs in {seconds:.2f} s ({total_pairs / seconds:.0f} pairs/s); "
      f"--all-alignments: {seconds_all:.2f} s ({total_pairs / seconds_all:.0f} pairs/s); "
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

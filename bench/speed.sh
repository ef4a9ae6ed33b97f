#!/usr/bin/env bash
# Speed benchmark: `stemma compare` on two ~1 MB documents (one core) and `stemma pan` over the
# PAN corpus (all cores), each against `wc -w` on the same bytes run in the same command (the
# one-pass floor: reading and splitting every word once).
#
# Usage (from the repository root):  bench/speed.sh
# Environment: DATA (../shared/data), OUT (bench/out/speed), PAN_OUT (bench/out/pan),
#              SIZE (bytes per document, 1000000), SHARED (0.2), SEED (1),
#              WC_RUNS (5), COMPARE_RUNS (3), PAN_RUNS (3): best of N runs is reported.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-bench/out/speed}
PAN_OUT=${PAN_OUT:-bench/out/pan}
SIZE=${SIZE:-1000000}
SHARED=${SHARED:-0.2}
SEED=${SEED:-1}
WC_RUNS=${WC_RUNS:-5}
COMPARE_RUNS=${COMPARE_RUNS:-3}
PAN_RUNS=${PAN_RUNS:-3}

cargo build --release -p stemma -p stemma-bench
STEMMA=${CARGO_TARGET_DIR:-target}/release/stemma
BENCH=${CARGO_TARGET_DIR:-target}/release/stemma-bench

"$BENCH" gen-speed --data "$DATA" --out "$OUT" --seed "$SEED" --size "$SIZE" --shared "$SHARED"
if [[ ! -f "$PAN_OUT/pairs" ]]; then
    "$BENCH" gen-pan --data "$DATA" --out "$PAN_OUT" --seed "$SEED"
fi

HAVE_TIME=0
if [[ -x /usr/bin/time ]]; then HAVE_TIME=1; fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# best_of N CMD...: run CMD N times (output discarded, stderr shown on failure); set BEST_S
# (fastest wall time, in seconds) and PEAK_KB (largest peak RSS in kB, or "-" without
# /usr/bin/time).
best_of() {
    local runs=$1
    shift
    local best_ns="" peak=0 start end ns rss
    for ((run = 0; run < runs; run++)); do
        start=$(date +%s%N)
        local timer=()
        if [[ $HAVE_TIME == 1 ]]; then timer=(/usr/bin/time -v -o "$TMP/time"); fi
        if ! "${timer[@]}" "$@" > /dev/null 2> "$TMP/stderr"; then
            cat "$TMP/stderr" >&2
            echo "speed.sh: failed: $*" >&2
            exit 1
        fi
        end=$(date +%s%N)
        ns=$((end - start))
        if [[ -z $best_ns || $ns -lt $best_ns ]]; then best_ns=$ns; fi
        if [[ $HAVE_TIME == 1 ]]; then
            rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time")
            if ((rss > peak)); then peak=$rss; fi
        fi
    done
    BEST_S=$(python3 -c "print(f'{$best_ns / 1e9:.4f}')")
    if [[ $HAVE_TIME == 1 ]]; then PEAK_KB=$peak; else PEAK_KB="-"; fi
}

# One core for compare: pinned with taskset when available, and one worker thread.
PIN=()
if command -v taskset > /dev/null; then PIN=(taskset -c 0); fi

compare_bytes=$(cat "$OUT/a.txt" "$OUT/b.txt" | wc -c)
best_of "$WC_RUNS" wc -w "$OUT/a.txt" "$OUT/b.txt"
wc_compare_s=$BEST_S wc_compare_kb=$PEAK_KB
best_of "$COMPARE_RUNS" "${PIN[@]}" "$STEMMA" --threads 1 compare "$OUT/a.txt" "$OUT/b.txt" --json
compare_s=$BEST_S compare_kb=$PEAK_KB

pairs=$(wc -l < "$PAN_OUT/pairs")
pan_files=("$PAN_OUT"/src/*.txt "$PAN_OUT"/susp/*.txt)
pan_bytes=$(cat "${pan_files[@]}" | wc -c)
best_of "$WC_RUNS" wc -w "${pan_files[@]}"
wc_pan_s=$BEST_S wc_pan_kb=$PEAK_KB
rm -rf "$TMP/det"
best_of "$PAN_RUNS" "$STEMMA" pan "$PAN_OUT/pairs" "$PAN_OUT/src" "$PAN_OUT/susp" "$TMP/det"
pan_s=$BEST_S pan_kb=$PEAK_KB

python3 - <<PY
rows = [
    ("wc -w a.txt b.txt", $compare_bytes, $wc_compare_s, "$wc_compare_kb", "", ""),
    ("stemma compare (1 core)", $compare_bytes, $compare_s, "$compare_kb",
     f"{$compare_s / $wc_compare_s:.1f}x wc", "< 0.5 s"),
    ("wc -w pan corpus", $pan_bytes, $wc_pan_s, "$wc_pan_kb", "", ""),
    ("stemma pan (all cores)", $pan_bytes, $pan_s, "$pan_kb",
     f"{$pan_s / $wc_pan_s:.1f}x wc", ">= 1000 pairs/s"),
]
passes = {
    "stemma compare (1 core)": $compare_s < 0.5,
    "stemma pan (all cores)": $pairs / $pan_s >= 1000,
}
header = ("command", "MB", "best s", "MB/s", "peak RSS MB", "vs floor", "target", "result")
table = []
for name, size, seconds, rss_kb, ratio, target in rows:
    rss = "-" if rss_kb == "-" else f"{int(rss_kb) / 1024:.1f}"
    result = "" if name not in passes else ("PASS" if passes[name] else "MISS")
    table.append((name, f"{size / 1e6:.2f}", f"{seconds:.3f}", f"{size / 1e6 / seconds:.1f}",
                  rss, ratio, target, result))
widths = [max(len(r[i]) for r in table + [header]) for i in range(len(header))]
line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
print()
print(line(header))
print("  ".join("-" * w for w in widths))
for r in table:
    print(line(r))
print(f"\nstemma pan: $pairs pairs in {$pan_s:.3f} s = {$pairs / $pan_s:.0f} pairs/s "
      f"(target >= 1000 pairs/s); cores: $(nproc)")
PY

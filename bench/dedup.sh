#!/usr/bin/env bash
# Near-duplicate documents: `stemma dedup` side by side with datasketch (MinHashLSH) and rensa
# (RMinHashLSH, batch API), with the same shingles (5 words), signature size, bands and
# threshold, each engine in its own process, in alternating order (best of two rounds):
#   a. planted corpus: Reuters-21578 (with its own re-filings) and Gutenberg passages, plus
#      1,400 copies planted at known edit rates (0–10 % of words substituted, inserted or
#      deleted; some re-wrapped, some with boilerplate added): docs/s, MB/s, docs per CPU
#      second, peak RSS, index bytes per document; precision / recall / F1 of same-cluster
#      pairs against exact Jaccard, recall of planted copies per edit rate, agreement with
#      datasketch; `wc -w` on the same text bytes;
#   b. version histories: the GPL family 1991–2018, the Debian constitution, and a synthetic
#      chain v01 → v20 (1.5 % of words edited per step): does any cluster chain?
#   c. what catches more than a 5-word-shingle Jaccard of 0.8: stemma with other shingle
#      sizes and thresholds (every pair still checked exactly), recall per edit rate and cost;
#   d. growth: GROWTH short documents (default "100000 1000000"; add 10000000) under
#      --memory MEMORY (8G): time and peak RSS each;
#   e. `stemma index add --dedup` of 1,000 new short documents (2 % near copies) into an index
#      of 100,000 built with `index add --dedup`: the time now (only the new documents'
#      neighbourhood is read, through the band keys stored by --dedup) beside the time
#      without the keys, which re-sketches the whole index (what an index built without
#      --dedup costs each --dedup): `index add` without --dedup plus `index dups` over the
#      whole index, and, with BASELINE=another stemma binary (say, main before the keys),
#      that binary's own `index add --dedup` on a copy of the same index (its lines must be
#      the same).
#
# Usage (from the repository root):  bench/dedup.sh [a] [b] [c] [d] [e]   (default: a b c d e)
# Environment: DATA (../shared/data), OUT (bench/out/dedup), SEED (1), GROWTH, MEMORY,
#              VENV (bench/out/venv: datasketch and rensa are pip-installed there), BASELINE.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-bench/out/dedup}
SEED=${SEED:-1}
GROWTH=${GROWTH:-"100000 1000000"}
MEMORY=${MEMORY:-8G}
VENV=${VENV:-bench/out/venv}
# rensa needs bands to divide the signature: 21 bands of 6 rows = 126 values, the layout
# stemma picks for 0.8 (a pair at the threshold is found with probability 0.998).
NGRAM=5 THRESHOLD=0.8 BANDS=21 ROWS=6
PERM=$((BANDS * ROWS))
PARTS=("$@")
[[ ${#PARTS[@]} -eq 0 ]] && PARTS=(a b c d e)
want() { [[ " ${PARTS[*]} " == *" $1 "* ]]; }

cargo build --release -p stemma >/dev/null
mkdir -p "$OUT"
cp "${CARGO_TARGET_DIR:-target}/release/stemma" "$OUT/stemma"
STEMMA="$OUT/stemma"
PY="python3 bench/dedup.py"
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c "import datasketch, rensa" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q datasketch rensa
fi
VPY="$VENV/bin/python bench/dedup.py"
echo "datasketch $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("datasketch"))'), rensa $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("rensa"))'), $(nproc) cores"

# timed NAME CMD...: run CMD; records wall, CPU (user + system) seconds and peak RSS (MB).
declare -A WALL CPU RSS
timed() {
    local name=$1 log
    shift
    log=$(mktemp)
    # The child's own rusage (wait4): CPU seconds to the microsecond (/usr/bin/time prints
    # hundredths, a 6 % step for a 0.18 s run). Not getrusage(RUSAGE_CHILDREN): on this
    # machine it already holds ~0.05 CPU s when python3 starts, before any child, which
    # counted as a fifth of stemma's time on part a's corpus.
    python3 -c '
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, r = os.wait4(child.pid, 0)
wall = time.perf_counter() - start
open(sys.argv[1], "w").write(f"{wall:.3f} {r.ru_utime:.4f} {r.ru_stime:.4f} {r.ru_maxrss}\n")
sys.exit(os.waitstatus_to_exitcode(status))' "$log" "$@"
    read -r w u s m < <(tail -1 "$log")
    rm -f "$log"
    local cpu
    cpu=$(python3 -c "print(round($u + $s, 4))")
    # Best of the rounds: the least wall time and, apart, the least CPU time.
    if [[ -z "${WALL[$name]:-}" ]] || python3 -c "import sys; sys.exit(0 if $w < ${WALL[$name]} else 1)"; then
        WALL[$name]=$w RSS[$name]=$((m / 1024))
    fi
    if [[ -z "${CPU[$name]:-}" ]] || python3 -c "import sys; sys.exit(0 if $cpu < ${CPU[$name]} else 1)"; then
        CPU[$name]=$cpu
    fi
}

engine() {
    local name=$1 corpus=$2 out=$3
    case $name in
        stemma-1t) timed "$name" "$STEMMA" dedup -q --threads 1 "$corpus" --out "$out" --json \
            --ngram $NGRAM --num-perm $PERM --bands $BANDS --threshold $THRESHOLD --memory "$MEMORY" >"$out.summary.json" ;;
        stemma-2t) timed "$name" "$STEMMA" dedup -q --threads 2 "$corpus" --out "$out" --json \
            --ngram $NGRAM --num-perm $PERM --bands $BANDS --threshold $THRESHOLD --memory "$MEMORY" >"$out.summary.json" ;;
        datasketch) timed "$name" $VPY datasketch "$corpus" "$out" $BANDS $ROWS $THRESHOLD $NGRAM ;;
        rensa) timed "$name" $VPY rensa "$corpus" "$out" $BANDS $ROWS $THRESHOLD $NGRAM ;;
    esac
}

if want a; then
    echo "== a. planted near-duplicates (Reuters-21578 + Gutenberg, copies at known edit rates)"
    $PY gen "$DATA" "$OUT" "$SEED"
    CORPUS="$OUT/planted.jsonl"
    ENGINES=(stemma-1t stemma-2t datasketch rensa)
    for round in 1 2; do
        order=("${ENGINES[@]}")
        [[ $round == 2 ]] && order=(rensa datasketch stemma-2t stemma-1t)
        for e in "${order[@]}"; do engine "$e" "$CORPUS" "$OUT/$e.jsonl"; done
        # stemma's fixed cost (process start, thread pool, output): one document.
        head -n 1 "$CORPUS" >"$OUT/one.jsonl"
        timed stemma-start "$STEMMA" dedup -q --threads 1 "$OUT/one.jsonl" --out "$OUT/one.out.jsonl" --json >/dev/null
    done
    $PY text "$CORPUS" "$OUT/planted.txt"
    for _ in 1 2 3; do timed wc wc -w "$OUT/planted.txt" >/dev/null; done
    python3 - <<EOF
import json, os
out = "$OUT"
wall = {$(for e in stemma-1t stemma-2t datasketch rensa wc; do printf '"%s": %s, ' "$e" "${WALL[$e]}"; done)}
cpu = {$(for e in stemma-1t stemma-2t datasketch rensa wc; do printf '"%s": %s, ' "$e" "${CPU[$e]}"; done)}
rss = {$(for e in stemma-1t stemma-2t datasketch rensa wc; do printf '"%s": %s, ' "$e" "${RSS[$e]}"; done)}
summary = json.load(open(os.path.join(out, "stemma-1t.jsonl.summary.json")))["summary"]
docs, text_bytes = summary["documents"], summary["bytes"]
index = {"stemma-1t": summary["index_bytes"], "stemma-2t": summary["index_bytes"]}
store = summary.get("store_bytes", 0)
for e in ("datasketch", "rensa"):
    index[e] = json.load(open(os.path.join(out, e + ".jsonl.stats.json")))["index_bytes"]
print(f"  {docs} documents, {text_bytes / 1e6:.1f} MB of text; wall and CPU seconds are the best of two rounds")
print(f"  {'engine':<11} {'wall s':>7} {'CPU s':>7} {'docs/s':>9} {'docs/CPU-s':>11} {'MB/s':>7} {'peak RSS':>9} {'index B/doc':>12}")
for e in ("stemma-1t", "stemma-2t", "datasketch", "rensa", "wc"):
    w, c = max(wall[e], 0.01), max(cpu[e], 0.01)
    ib = f"{index[e] / docs:>12.0f}" if e in index else f"{'-':>12}"
    print(f"  {e:<11} {w:>7.2f} {c:>7.2f} {docs / w:>9.0f} {docs / c:>11.0f} {text_bytes / 1e6 / w:>7.1f} {rss[e]:>6} MB {ib}")
per_core = lambda e: docs / max(cpu[e], 0.01)
print(f"  stemma (1 thread) per CPU second: {per_core('stemma-1t') / per_core('datasketch'):.0f}x datasketch (target >= 50x), "
      f"{per_core('stemma-1t') / per_core('rensa'):.1f}x rensa (target >= 2x); "
      f"{wall['stemma-1t'] / max(wall['wc'], 0.01):.1f}x the time of wc -w on the same text (target <= 5x); "
      f"index bytes/doc {index['stemma-1t'] / index['datasketch']:.2f} of datasketch's (target <= 0.25); "
      f"with the shingle sets kept for exact verification ({store / docs:.0f} B/doc, which datasketch and rensa "
      f"do not keep: they do not verify) {(index['stemma-1t'] + store) / index['datasketch']:.2f}")
# The same ratio over the work alone: the Python engines' interpreter start and imports
# (before they read the corpus) and the pickling that measures their index size are left
# out; so is stemma's fixed cost, its CPU time on a one-document corpus.
stats = {e: json.load(open(os.path.join(out, e + ".jsonl.stats.json"))) for e in ("datasketch", "rensa")}
start = $(printf '%s' "${CPU[stemma-start]}")
work = {"stemma-1t": max(cpu["stemma-1t"] - start, 0.01),
        "datasketch": stats["datasketch"]["work_cpu"], "rensa": stats["rensa"]["work_cpu"]}
print(f"  work only (start-up apart: datasketch {stats['datasketch']['startup_cpu']:.2f} CPU s, rensa "
      f"{stats['rensa']['startup_cpu']:.2f}, stemma {start:.3f} on one document): docs per CPU second "
      f"stemma {docs / work['stemma-1t']:.0f}, datasketch {docs / work['datasketch']:.0f}, rensa {docs / work['rensa']:.0f}: "
      f"{work['datasketch'] / work['stemma-1t']:.0f}x datasketch, {work['rensa'] / work['stemma-1t']:.1f}x rensa")
EOF
    $PY score "$CORPUS" "$OUT/planted-truth.jsonl" $THRESHOLD $NGRAM \
        "$OUT/stemma-1t.jsonl" "$OUT/stemma-2t.jsonl" "$OUT/datasketch.jsonl" "$OUT/rensa.jsonl"
    if cmp -s "$OUT/stemma-1t.jsonl" "$OUT/stemma-2t.jsonl"; then
        echo "  stemma on 1 and 2 threads: byte-identical output"
    else
        echo "  stemma on 1 and 2 threads: OUTPUTS DIFFER"
    fi
    echo "  targets: F1 >= 0.95, planted recall (true Jaccard >= $THRESHOLD) >= 0.98, not below datasketch or rensa"
    echo "  three of Reuters' own re-filings stemma found:"
    python3 - "$OUT/stemma-1t.jsonl" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
shown = 0
for r in recs:
    if r["id"].startswith("reuters") and r["duplicate_of"] and r["duplicate_of"].startswith("reuters") and not r["exact"]:
        print(f"    {r['id']} ~ {r['duplicate_of']} (Jaccard {r['similarity']})")
        shown += 1
        if shown == 3:
            break
n = sum(1 for r in recs if r["id"].startswith("reuters") and r["duplicate_of"] and r["duplicate_of"].startswith("reuters"))
print(f"    ({n} Reuters stories in all are re-filings of another, exact or near)")
EOF
fi

if want b; then
    echo "== b. version histories (GPL 1991–2018, Debian constitution, synthetic chain v01 → v20)"
    [[ -f "$OUT/versions.jsonl" ]] || $PY gen "$DATA" "$OUT" "$SEED" >/dev/null
    for e in stemma-1t datasketch rensa; do engine "$e" "$OUT/versions.jsonl" "$OUT/versions-$e.jsonl"; done
    $PY chain "$OUT/versions.jsonl" $THRESHOLD $NGRAM "$OUT/versions-stemma-1t.jsonl" \
        "$OUT/versions-datasketch.jsonl" "$OUT/versions-rensa.jsonl"
fi

if want c; then
    echo "== c. what catches more than 5-word shingles at 0.8 (stemma, every pair verified exactly)"
    [[ -f "$OUT/planted.jsonl" ]] || $PY gen "$DATA" "$OUT" "$SEED" >/dev/null
    for v in "5 0.8" "5 0.6" "3 0.8" "3 0.7" "3 0.6" "2 0.6"; do
        read -r n t <<<"$v"
        out="$OUT/variant-n$n-t$t.jsonl"
        timed "n$n-t$t" "$STEMMA" dedup -q --threads 1 "$OUT/planted.jsonl" --out "$out" --json \
            --ngram "$n" --threshold "$t" --memory "$MEMORY" >"$out.summary.json"
        python3 - "$OUT" "$out" "$n" "$t" "${WALL[n$n-t$t]}" <<'EOF'
import json, sys, collections
out_dir, path, n, t, wall = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
recs = {}
for line in open(path):
    r = json.loads(line)
    recs[r["id"]] = r
truth = [json.loads(l) for l in open(f"{out_dir}/planted-truth.jsonl")]
found = collections.defaultdict(list)
for tr in truth:
    c, s = recs[tr["copy"]], recs[tr["source"]]
    found[tr["rate"]].append(c["cluster"] is not None and c["cluster"] == s["cluster"])
summary = json.load(open(path + ".summary.json"))["summary"]
rates = " ".join(f"{r:.1%}:{sum(v) / len(v):.2f}" for r, v in sorted(found.items()))
print(f"  {n}-word shingles, Jaccard >= {t}: planted copies found per edit rate {rates}; "
      f"{wall:.2f} s, {summary['candidate_pairs']} candidate pairs, {summary['verified_pairs']} verified, "
      f"{summary['removed']} documents removed")
EOF
    done
    echo "  (a lower threshold also joins Reuters' own related stories: the removed count shows it)"
fi

if want d; then
    echo "== d. growth: short documents (~40 words, 2 % near copies), --memory $MEMORY"
    for n in $GROWTH; do
        corpus="$OUT/growth-$n.jsonl"
        [[ -f "$corpus" ]] || $PY gen-growth "$DATA" "$corpus" "$n" "$SEED"
        timed "growth-$n" "$STEMMA" dedup -q "$corpus" --out "$OUT/growth-$n.out.jsonl" --json --memory "$MEMORY" \
            >"$OUT/growth-$n.summary.json"
        python3 - "$OUT/growth-$n.summary.json" "$n" "${WALL[growth-$n]}" "${RSS[growth-$n]}" "$(du -m "$corpus" | cut -f1)" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
n, wall, rss, mb = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"  {n:>9} documents ({mb} MB): {wall:.1f} s ({n / max(wall, 0.01):.0f} docs/s), peak RSS {rss} MB, "
      f"{s['removed']} removed, {s['spilled_runs']} runs spilled ({s['spilled_bytes'] / 1e6:.0f} MB), "
      f"index {s['index_bytes'] / n:.0f} B/doc + shingle sets {s.get('store_bytes', 0) / n:.0f} B/doc")
EOF
        rm -f "$OUT/growth-$n.out.jsonl"
    done
    echo "  target: 10M short documents within 8 GB"
fi

if want e; then
    echo "== e. index add --dedup: 1,000 new documents into an index of 100,000"
    corpus="$OUT/growth-101000.jsonl"
    [[ -f "$corpus" ]] || $PY gen-growth "$DATA" "$corpus" 101000 "$SEED"
    head -n 100000 "$corpus" >"$OUT/add-base.jsonl"
    tail -n 1000 "$corpus" >"$OUT/add-new.jsonl"
    rm -rf "$OUT/add-index"
    # With --dedup, as an index kept with --dedup is: its documents have their band keys.
    timed add-base "$STEMMA" index --index "$OUT/add-index" add -q --dedup "$OUT/add-base.jsonl" \
        >/dev/null
    echo "  index of 100,000 built with --dedup in ${WALL[add-base]} s"
    for round in 1 2; do
        for copy in now plain base; do
            rm -rf "$OUT/add-$copy"
            cp -r "$OUT/add-index" "$OUT/add-$copy"
        done
        timed add-dedup "$STEMMA" index --index "$OUT/add-now" add -q --dedup "$OUT/add-new.jsonl" \
            >"$OUT/add-now.txt"
        timed add-plain "$STEMMA" index --index "$OUT/add-plain" add -q "$OUT/add-new.jsonl"
        timed dups-whole "$STEMMA" index dups -q --index "$OUT/add-plain" --json >/dev/null
        if [[ -n "${BASELINE:-}" ]]; then
            timed add-baseline "$BASELINE" index --index "$OUT/add-base" add -q --dedup \
                "$OUT/add-new.jsonl" >"$OUT/add-baseline.txt"
        fi
    done
    python3 - "$OUT/add-now.txt" <<EOF
import sys
now, plain, whole = ${WALL[add-dedup]}, ${WALL[add-plain]}, ${WALL[dups-whole]}
lines = open(sys.argv[1]).read().splitlines()
print(f"  index add --dedup now: {now:.2f} s ({len(lines)} lines reported); best of two rounds")
print(f"  before (re-sketching the whole index): index add {plain:.2f} s + index dups {whole:.2f} s"
      f" = {plain + whole:.2f} s ({(plain + whole) / now:.1f}x the time now)")
EOF
    if [[ -n "${BASELINE:-}" ]]; then
        echo "  BASELINE $BASELINE index add --dedup: ${WALL[add-baseline]} s" \
            "($(python3 -c "print(round(${WALL[add-baseline]} / ${WALL[add-dedup]}, 1))")x the time now)"
        if cmp -s "$OUT/add-now.txt" "$OUT/add-baseline.txt"; then
            echo "  its lines are the same as now"
        else
            echo "  MISMATCH: its lines differ from now (diff $OUT/add-now.txt $OUT/add-baseline.txt)"
        fi
    fi
    rm -rf "$OUT/add-index" "$OUT/add-now" "$OUT/add-plain" "$OUT/add-base"
fi

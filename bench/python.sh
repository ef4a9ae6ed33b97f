#!/usr/bin/env bash
# Python package and Spark job benchmarks, each beside the CLI run in the same command:
#   equal   — the same clusters: `stemma reuse` vs the Spark job on local[2] (both plans:
#             distributed and single-task) vs the Arrow pipeline, on bench/reuse.sh's
#             corpus (a) and Reuters-21578 (cmp of the files);
#   compare — `stemma.compare` on two ~1 MB texts vs `stemma compare --json` (best of 5: the
#             first call of a fresh process; also with the whole result read, and a warm call);
#   plain   — the same for `stemma.diff` (a real pair of versions, and 2 x 1 MB) and
#             `Index.trace` (LGPL-2.1 against the SPDX licences' index);
#   arrow   — the Arrow batch path (stemma.arrow.reuse) vs `stemma reuse` on 10k short
#             documents: throughput;
#   spark   — the Spark job on local[2] vs `stemma reuse` on GROWTH documents (100k): wall
#             times, per-step table, peak RSS of driver + JVM + Python workers (the 1M run:
#             GROWTH=1000000 SPARK_MEMORY=3g CLI_MEMORY=8G);
#   scale   — step times and shuffle sizes from Spark's metrics on 1, 2 and 4 partitions
#             (SCALE_N documents, 10k by default);
#   passim  — passim on bench/reuse.sh's corpus (bench/install-passim.sh) vs the Spark job;
#   cluster — the Spark job against a standalone cluster started here (a master and a worker
#             from pip's pyspark), given by its spark:// URL, both plans: the CLI's records?
#
# Usage (from the repository root):  bench/python.sh [equal] [compare] [plain] [arrow] [spark] [scale] [passim] [cluster]
# Environment: DATA (../shared/data), OUT (bench/out/python), GROWTH (100000), SCALE_N (10000),
#              PASSIM (passim command), SPARK_MEMORY (the Spark job's driver memory, 4g),
#              CLI_MEMORY (`stemma reuse --memory` in the spark part, 2G).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-bench/out/python}
GROWTH=${GROWTH:-100000}
SCALE_N=${SCALE_N:-10000}
PASSIM=${PASSIM:-passim}
PARTS=("$@")
[[ ${#PARTS[@]} -eq 0 ]] && PARTS=(equal compare plain arrow spark scale)
want() { [[ " ${PARTS[*]} " == *" $1 "* ]]; }
mkdir -p "$OUT"

cargo build --release -p stemma -p stemma-bench >/dev/null
TARGET=${CARGO_TARGET_DIR:-target}
cp "$TARGET/release/stemma" "$OUT/stemma"
STEMMA=$OUT/stemma
VENV=$OUT/venv
if [[ ! -x $VENV/bin/python ]]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -m pip install --quiet 'pyarrow>=19' 'pyspark>=3.5' pandas
echo "== pip install ./python (release build, reusing the CLI's compiled crates)"
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target} "$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps ./python
PY=$VENV/bin/python
export PYSPARK_PYTHON=$PY

# best WALLS… : the smallest.
best() { printf '%s\n' "$@" | sort -g | head -1; }
# wall CMD…: run CMD, print its wall time in seconds (output discarded).
wall() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>"$OUT/stderr" || { cat "$OUT/stderr" >&2; echo "failed: $*" >&2; exit 1; }
    end=$(date +%s%N)
    python3 -c "print(f'{($end - $start) / 1e9:.3f}')"
}
spark_job() { # spark_job CORPUS OUTDIR [OPTIONS…]
    rm -rf "$2"
    "$PY" -m stemma.spark reuse "$1" "$2" --master 'local[2]' --driver-memory 4g "${@:3}"
}

corpus_a=$OUT/splice/corpus.jsonl
[[ -f $corpus_a ]] || python3 bench/reuse.py gen-splice "$DATA" "$OUT/splice" 1 >/dev/null

if want equal; then
    echo "== equal: the same clusters, record for record"
    for corpus in "$corpus_a" "$DATA/news/reuters21578.jsonl"; do
        name=$(basename "$corpus" .jsonl)
        cli_s=$(wall "$STEMMA" reuse -q "$corpus" --out "$OUT/$name-cli.jsonl")
        spark_s=$(wall spark_job "$corpus" "$OUT/$name-spark" --plan distributed)
        cat "$OUT/$name-spark"/part-* >"$OUT/$name-spark.jsonl"
        single_s=$(wall spark_job "$corpus" "$OUT/$name-single" --plan single)
        cat "$OUT/$name-single"/part-* >"$OUT/$name-single.jsonl"
        arrow_s=$(wall "$PY" -c "import sys, stemma.arrow as a; t = a.reuse(a.read_jsonl(sys.argv[1]));
open(sys.argv[2], 'w').write(''.join(r + '\n' for r in t['record'].to_pylist()))" "$corpus" "$OUT/$name-arrow.jsonl")
        verdict() { cmp -s "$OUT/$name-cli.jsonl" "$1" && echo identical || echo DIFFERENT; }
        echo "$name: $(wc -l <"$OUT/$name-cli.jsonl") member records; CLI ${cli_s} s;" \
            "Spark local[2] distributed plan ${spark_s} s: $(verdict "$OUT/$name-spark.jsonl");" \
            "single-task plan ${single_s} s: $(verdict "$OUT/$name-single.jsonl"); Arrow pipeline ${arrow_s} s: $(verdict "$OUT/$name-arrow.jsonl")"
        rm -rf "$OUT/$name-spark" "$OUT/$name-single"
    done
fi

# first_call KIND ARGS…: a fresh Python process imports stemma, then times one plain call
# (compare A B, diff OLD NEW, trace INDEX DOC: Index opened and trace run) and, after it,
# reading every field of the result (each object the call returned, to the last diff span),
# then the same call again in that process; prints "FIRST READ WARM" in seconds.
first_call() {
    "$PY" - "$@" <<'PY'
import pathlib, sys, time
import stemma
kind, *args = sys.argv[1:]
paths = [pathlib.Path(a) for a in args]
def call():
    if kind == "compare":
        return stemma.compare(*paths)
    if kind == "diff":
        return stemma.diff(*paths)
    return stemma.Index(paths[0], create=False).trace(paths[1])
def read(value):
    """Every field of a result, recursively (what a user reading it all would build)."""
    if isinstance(value, list):
        for item in value:
            read(item)
    elif hasattr(value, "__match_args__"):
        for name in value.__match_args__:
            read(getattr(value, name))
t0 = time.perf_counter(); result = call(); t1 = time.perf_counter(); read(result); t2 = time.perf_counter()
call(); t3 = time.perf_counter()
print(f"{t1 - t0:.4f} {t2 - t0:.4f} {t3 - t2:.4f}")
PY
}
# plain_vs_cli NAME CLI_ARGS… -- KIND PY_ARGS…: the CLI (whole process, --json printed) and
# the plain function (first call of a fresh process, then every field read, then a warm
# call), best of 5 each, alternating; the load average beside them.
plain_vs_cli() {
    local name=$1 cli_args=() py_args=() cli=() firsts=() reads=() warms=() f r w
    shift
    while [[ $1 != -- ]]; do cli_args+=("$1"); shift; done
    shift
    py_args=("$@")
    for _ in 1 2 3 4 5; do
        cli+=("$(wall "$STEMMA" "${cli_args[@]}")")
        read -r f r w < <(first_call "${py_args[@]}")
        firsts+=("$f") reads+=("$r") warms+=("$w")
    done
    local c p
    c=$(best "${cli[@]}") p=$(best "${firsts[@]}")
    echo "$name: CLI (process, JSON printed) ${c} s; the Python call (first in its process) ${p} s:" \
        "ratio $(python3 -c "print(f'{$p / $c:.2f}')"); with every field of the result read $(best "${reads[@]}") s;" \
        "warm call $(best "${warms[@]}") s (best of 5 each; load average $(cut -d' ' -f1-3 /proc/loadavg))"
}

if want compare; then
    echo "== compare: two ~1 MB texts (target: stemma.compare within 10 % of the CLI)"
    "$TARGET/release/stemma-bench" gen-speed --data "$DATA" --out "$OUT/speed" --seed 1 --size 1000000 --shared 0.2 >/dev/null
    plain_vs_cli stemma.compare compare "$OUT/speed/a.txt" "$OUT/speed/b.txt" --json -- compare "$OUT/speed/a.txt" "$OUT/speed/b.txt"
fi

if want plain; then
    echo "== plain: stemma.diff and Index.trace against the CLI (the same fixed costs as compare?)"
    versions=$DATA/versions/debian-constitution
    plain_vs_cli "stemma.diff (Debian constitution 1.0 -> 1.9, 31 KB)" diff "$versions/constitution.1.0.txt" \
        "$versions/constitution.1.9.current.txt" --json -- diff "$versions/constitution.1.0.txt" "$versions/constitution.1.9.current.txt"
    "$TARGET/release/stemma-bench" gen-speed --data "$DATA" --out "$OUT/speed" --seed 1 --size 1000000 --shared 0.2 >/dev/null
    plain_vs_cli "stemma.diff (two ~1 MB texts, 6.6 MB of JSON)" diff "$OUT/speed/a.txt" "$OUT/speed/b.txt" --json \
        -- diff "$OUT/speed/a.txt" "$OUT/speed/b.txt"
    index=$OUT/licences.stemma
    if [[ ! -d $index ]]; then "$STEMMA" index add -q --index "$index" "$DATA/licenses/spdx/texts" >/dev/null 2>&1; fi
    plain_vs_cli "Index.trace (LGPL-2.1 against the SPDX licences)" trace --index "$index" examples/LGPL-2.1.txt --json \
        -- trace "$index" examples/LGPL-2.1.txt
fi

if want arrow; then
    echo "== arrow: 10k short documents (target: the Arrow path >= 80 % of the CLI's throughput)"
    corpus=$OUT/growth-10000.jsonl
    [[ -f $corpus ]] || python3 bench/reuse.py gen-growth "$DATA" "$corpus" 10000 1 >/dev/null
    # The whole process (Python's start, `import stemma.arrow` with pyarrow and numpy, the JSON
    # Lines read, every stage, the records written) and, inside it, the same without Python's
    # start and the imports (the script writes both to $OUT/arrow-inside).
    arrow_script="import sys, time
t0 = time.perf_counter()
import stemma.arrow as a
t1 = time.perf_counter()
t = a.reuse(a.read_jsonl(sys.argv[1]))
open(sys.argv[2], 'w').write(''.join(r + '\n' for r in t['record'].to_pylist()))
open(sys.argv[3], 'w').write(f'{time.perf_counter() - t1:.3f} {t1 - t0:.3f}\\n')"
    cli=() arrow=() inside=() imports=()
    for _ in 1 2 3; do
        cli+=("$(wall "$STEMMA" reuse -q "$corpus" --out "$OUT/arrow-cli.jsonl")")
        arrow+=("$(wall "$PY" -c "$arrow_script" "$corpus" "$OUT/arrow-py.jsonl" "$OUT/arrow-inside")")
        read -r in_s imp_s <"$OUT/arrow-inside"
        inside+=("$in_s") imports+=("$imp_s")
    done
    c=$(best "${cli[@]}") a=$(best "${arrow[@]}") i=$(best "${inside[@]}") m=$(best "${imports[@]}")
    same=$(cmp -s "$OUT/arrow-cli.jsonl" "$OUT/arrow-py.jsonl" && echo identical || echo DIFFERENT)
    pct() { python3 -c "print(f'{100 * $c / $1:.0f}')"; }
    echo "CLI ${c} s ($(python3 -c "print(f'{10000 / $c:.0f}')") docs/s); Arrow path, whole process ${a} s" \
        "($(python3 -c "print(f'{10000 / $a:.0f}')") docs/s): $(pct "$a") % of the CLI's throughput;" \
        "in process (JSON Lines read, all stages, records written) ${i} s: $(pct "$i") %;" \
        "import stemma.arrow ${m} s; records ${same} (best of 3 each)"
fi

if want spark; then
    echo "== spark: $GROWTH documents, the Spark job on local[2] beside stemma reuse (target: within 3x the CLI's wall time)"
    corpus=$OUT/growth-$GROWTH.jsonl
    [[ -f $corpus ]] || python3 bench/reuse.py gen-growth "$DATA" "$corpus" "$GROWTH" 1 >/dev/null
    cli_s=$(wall "$STEMMA" reuse -q --memory "${CLI_MEMORY:-2G}" "$corpus" --out "$OUT/growth-cli.jsonl")
    # The whole run: Python and the JVM started, the job, the part files written.
    # The job's default partitions (one per 64 MB of input, 4 at least on local[2]).
    "$PY" bench/spark_reuse.py "$corpus" "$OUT/growth-spark" 'local[2]' 0 "${SPARK_MEMORY:-4g}" 2>"$OUT/spark.log" | tee "$OUT/spark.txt" \
        || { tail -20 "$OUT/spark.log"; exit 1; }
    spark_s=$(sed -n 's/^wall \([0-9.]*\) s.*/\1/p' "$OUT/spark.txt")
    peak_mb=$(sed -n 's/^peak RSS, driver and executors in all: \([0-9]*\) MB.*/\1/p' "$OUT/spark.txt")
    cat "$OUT/growth-spark"/part-* >"$OUT/growth-spark.jsonl"
    same=$(cmp -s "$OUT/growth-cli.jsonl" "$OUT/growth-spark.jsonl" && echo identical || echo DIFFERENT)
    echo "CLI ${cli_s} s; Spark local[2] ${spark_s} s: $(python3 -c "print(f'{$spark_s / $cli_s:.1f}')")x the CLI (target <= 3x); clusters ${same};" \
        "peak RSS of driver and executors $(python3 -c "print(f'{$peak_mb * 1048576 / 1e9:.2f}')") GB (target at 1M documents: <= 8 GB)"
    rm -rf "$OUT/growth-spark" "$OUT/growth-spark.jsonl" "$OUT/growth-cli.jsonl"
fi

if want scale; then
    echo "== scale: stage times and shuffle sizes, $SCALE_N documents, local[2], 1 / 2 / 4 partitions"
    corpus=$OUT/growth-$SCALE_N.jsonl
    [[ -f $corpus ]] || python3 bench/reuse.py gen-growth "$DATA" "$corpus" "$SCALE_N" 1 >/dev/null
    for p in 1 2 4; do
        "$PY" bench/spark_reuse.py "$corpus" "$OUT/scale-$p" 'local[2]' "$p" 4g 2>"$OUT/spark.log" || { tail -20 "$OUT/spark.log"; exit 1; }
        rm -rf "$OUT/scale-$p"
    done
fi

if want passim; then
    echo "== passim on bench/reuse.sh's corpus (a), beside the Spark job on local[2] (target: the Spark job >= 30x faster)"
    # Whole runs each: Python and the JVM started, the corpus read, the clusters written; the
    # job's plan is its default (auto: one task for this 1.7 MB corpus). Best of 3.
    runs=()
    for _ in 1 2 3; do runs+=("$(wall spark_job "$corpus_a" "$OUT/splice-spark")"); done
    spark_s=$(best "${runs[@]}")
    plan=$(grep -o '([a-z]* plan)' "$OUT/stderr" | tail -1)
    cli_s=$(wall "$STEMMA" reuse -q "$corpus_a" --out "$OUT/splice-cli.jsonl")
    same=$(cat "$OUT/splice-spark"/part-* | cmp -s - "$OUT/splice-cli.jsonl" && echo identical || echo DIFFERENT)
    echo "Spark job ${spark_s} s ${plan}, best of 3 whole runs (${runs[*]}); stemma reuse ${cli_s} s; clusters ${same}"
    if command -v "$PASSIM" >/dev/null 2>&1; then
        OUT=$OUT/reuse PASSIM=$PASSIM bench/reuse.sh a | tee "$OUT/passim.txt" | grep -i passim
        passim_s=$(sed -n 's/^passim ([^)]*): \([0-9.]*\) s.*/\1/p' "$OUT/passim.txt" | head -1)
        echo "Spark job ${spark_s} s; passim ${passim_s:-?} s, same run: the Spark job is" \
            "$(python3 -c "print(f'{${passim_s:-0} / $spark_s:.0f}')")x faster (target >= 30x)"
    else
        # Not measured here: the README's figure for passim on this corpus (PASSIM=… bench/reuse.sh a).
        echo "passim is not installed here (bench/install-passim.sh; then PASSIM=…): against the README's" \
            "passim figure (bench/reuse.sh a, quiet machine at 3605ffc), 210.8 s (not this run), the Spark job is $(python3 -c "print(f'{210.8 / $spark_s:.0f}')")x faster (target >= 30x)"
    fi
    rm -rf "$OUT/splice-spark" "$OUT/splice-cli.jsonl"
fi

if want cluster; then
    echo "== cluster: the job against a Spark standalone cluster given by its master URL (a master and a worker, separate JVMs, from pip's pyspark)"
    spark_home=$("$PY" -c "import os, pyspark; print(os.path.dirname(pyspark.__file__))")
    port=${CLUSTER_PORT:-7177}
    master_url=spark://127.0.0.1:$port
    export SPARK_HOME=$spark_home SPARK_LOCAL_IP=127.0.0.1
    "$spark_home/bin/spark-class" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" \
        --webui-port $((port + 1000)) >"$OUT/master.log" 2>&1 &
    master_pid=$!
    "$spark_home/bin/spark-class" org.apache.spark.deploy.worker.Worker "$master_url" --cores 2 --memory 2g \
        --webui-port $((port + 1001)) --work-dir "$OUT/worker" >"$OUT/worker.log" 2>&1 &
    worker_pid=$!
    trap 'kill "$worker_pid" "$master_pid" 2>/dev/null || true' EXIT
    for _ in $(seq 60); do grep -q "Successfully registered with master" "$OUT/worker.log" && break; sleep 1; done
    "$STEMMA" reuse -q "$corpus_a" --out "$OUT/cluster-cli.jsonl" >/dev/null
    for plan in distributed single; do
        rm -rf "$OUT/cluster-$plan"
        s=$(wall "$PY" -m stemma.spark reuse "$corpus_a" "$OUT/cluster-$plan" --master "$master_url" --plan "$plan")
        same=$(cat "$OUT/cluster-$plan"/part-* | cmp -s - "$OUT/cluster-cli.jsonl" && echo identical || echo DIFFERENT)
        echo "--master $master_url, $plan plan: ${s} s; $(wc -l <"$OUT/cluster-cli.jsonl") member records: ${same} to stemma reuse's"
        rm -rf "$OUT/cluster-$plan"
    done
    echo "executors the worker launched: $(grep -c 'Asked to launch executor' "$OUT/worker.log")"
    kill "$worker_pid" "$master_pid" 2>/dev/null || true
    trap - EXIT
    rm -rf "$OUT/worker" "$OUT/cluster-cli.jsonl"
fi

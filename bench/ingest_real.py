#!/usr/bin/env python3
"""Ingest speed on real texts (run by bench/index.sh): `stemma index add` of the Reuters-21578
stories (news/reuters21578.jsonl, 10,788 stories) and the 728 SPDX licence texts
(licenses/spdx/texts) into a fresh index, beside `wc -w` on the same files, in the same run.

Prints MB/s over the input bytes, the ratio to `wc -w`, and the CPU seconds (user + system,
all threads) per run: wall time on a shared machine moves with everyone else's work, the CPU
seconds far less. Each figure is the best of RUNS runs, stemma and `wc -w` alternating, so
both see the same machine. Target: >= 40 MB/s on 2 cores, within 5x of `wc -w`.

--baseline BINARY (bench/index.sh: BASELINE=...) also runs another stemma binary (say, the
previous commit's) in the same rounds, alternating, and prints its figures beside: the least
and the median CPU seconds of a run of each, and their ratios.
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time


def run(cmd):
    """Wall seconds and CPU seconds (user + system, all threads) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stemma", default="target/release/stemma")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--baseline", help="another stemma binary, timed in the same rounds")
    args = ap.parse_args()

    jsonl = os.path.join(args.data, "news/reuters21578.jsonl")
    texts = os.path.join(args.data, "licenses/spdx/texts")
    files = [jsonl] + sorted(os.path.join(texts, f) for f in os.listdir(texts))
    size = sum(os.path.getsize(f) for f in files)
    tmp = tempfile.mkdtemp(prefix="stemma-ingest-real-")
    index = os.path.join(tmp, "index")
    stemma_runs, wc_runs, base_runs = [], [], []

    def add(binary):
        shutil.rmtree(index, ignore_errors=True)
        os.sync()
        return run([binary, "index", "--index", index, "add", jsonl, texts, "--quiet"])

    try:
        for _ in range(args.runs):
            stemma_runs.append(add(args.stemma))
            wc_runs.append(run(["wc", "-w"] + files))
            if args.baseline:
                base_runs.append(add(args.baseline))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    wall, cpu = min(stemma_runs)
    wc_wall, _ = min(wc_runs)
    print(f"load average: {' '.join(open('/proc/loadavg').read().split()[:3])} on {os.cpu_count()} cores "
          "(other work on this machine slows every figure)")
    print(f"real corpus: Reuters-21578 JSONL + {len(files) - 1} licence texts, {size / 1e6:.1f} MB")
    print(f"stemma index add runs: {', '.join(f'{w:.2f} s ({c:.2f} CPU s)' for w, c in stemma_runs)}")
    print(f"ingest (real texts): {size / 1e6 / wall:.1f} MB/s ({wall:.2f} s, {cpu:.2f} CPU s; "
          f"wc -w: {size / 1e6 / wc_wall:.0f} MB/s, stemma takes {wall / wc_wall:.1f}x wc -w) "
          f"[target >= 40 MB/s, <= 5x wc -w]")
    if base_runs:
        b_wall, b_cpu = min(base_runs)
        b_cpu_best = min(c for _, c in base_runs)
        cpu_best = min(c for _, c in stemma_runs)
        print(f"baseline {args.baseline}: {size / 1e6 / b_wall:.1f} MB/s ({b_wall:.2f} s, {b_cpu:.2f} CPU s; "
              f"{b_wall / wc_wall:.1f}x wc -w); least CPU seconds of a run: this build {cpu_best:.2f}, "
              f"baseline {b_cpu_best:.2f} ({cpu_best / b_cpu_best:.2f}x)")
        # The median of the alternating runs moves less than the least under load: one
        # quiet moment can give either binary its best run.
        cpu_median = statistics.median(c for _, c in stemma_runs)
        b_cpu_median = statistics.median(c for _, c in base_runs)
        print(f"median CPU seconds of a run: this build {cpu_median:.2f}, baseline "
              f"{b_cpu_median:.2f} ({cpu_median / b_cpu_median:.2f}x)")


if __name__ == "__main__":
    main()

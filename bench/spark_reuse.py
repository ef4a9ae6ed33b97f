"""Runs `stemma.spark.reuse` in this process and prints its wall time and, per step of the
job, its wall time and what Spark's own metrics (its REST API on the driver's UI port, on
this machine only) record of its stages: how many, their tasks' run time, and the bytes
they wrote to and read from shuffles.

It also samples, every 0.2 s, the resident memory (RSS, from /proc) of this process and all
its descendants: the driver's Python, the JVM (driver and, on local[N], the executors) and
the Python workers. It prints the peak of their sum (what the job needs in all), its parts
at that moment, the largest single Python process, and each step's peak sum.

Usage: python3 bench/spark_reuse.py CORPUS OUT MASTER PARTITIONS [DRIVER_MEMORY] [PLAN]
PLAN: the job's plan (distributed by default: the stages across the cluster, whatever the
corpus's size; auto, or single: every stage in one task).
"""

import json
import os
import sys
import threading
import time
import urllib.request
from collections import OrderedDict


class TreeRss:
    """Peak RSS of this process and its descendants, sampled from /proc."""

    def __init__(self, every: float = 0.2) -> None:
        self.every = every
        self.peak = 0
        self.peak_parts = {}
        self.peak_python_process = 0  # the largest RSS of one Python process (a worker)
        self.samples = []  # (time, sum of RSS, of which Python)
        self.cpu_ticks = {}  # pid: the CPU time (user + system) last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        children = {}
        rss = {}
        ticks = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read()
                with open(f"/proc/{pid}/statm") as f:
                    pages = int(f.read().split()[1])
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            children.setdefault(int(fields[1]), []).append(int(pid))
            ticks[int(pid)] = int(fields[11]) + int(fields[12])
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            rss[int(pid)] = (name, pages * os.sysconf("SC_PAGE_SIZE"))
        total, parts, todo = 0, {}, [os.getpid()]
        while todo:
            pid = todo.pop()
            todo += children.get(pid, [])
            if pid in ticks:
                self.cpu_ticks[pid] = ticks[pid]
            if pid in rss:
                name, size = rss[pid]
                kind = "jvm" if name == "java" else "python"
                parts[kind] = parts.get(kind, 0) + size
                parts[kind + " processes"] = parts.get(kind + " processes", 0) + 1
                if kind == "python":
                    self.peak_python_process = max(self.peak_python_process, size)
                total += size
        self.samples.append((time.time(), total, parts.get("python", 0)))
        if total > self.peak:
            self.peak, self.peak_parts = total, parts

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def cpu_seconds(self) -> float:
        """CPU time of the processes seen (a worker that ended between two samples loses
        at most 0.2 s)."""
        return sum(self.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    corpus, out, master, partitions = sys.argv[1:5]
    memory = sys.argv[5] if len(sys.argv) > 5 else "2g"
    plan = sys.argv[6] if len(sys.argv) > 6 else "distributed"
    started = time.time()
    rss = TreeRss()
    from pyspark.sql import SparkSession

    import stemma.spark

    spark = (
        SparkSession.builder.master(master)
        .appName("stemma reuse bench")
        .config("spark.driver.memory", memory)
        .config("spark.ui.port", "4049")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    ready = time.time()
    timings = []
    stemma.spark.reuse(spark, [corpus], out, partitions=int(partitions), timings=timings, plan=plan)
    done = time.time()
    rss.stop()
    cpu = rss.cpu_seconds()
    ui = spark.sparkContext.uiWebUrl or "http://127.0.0.1:4049"
    app = spark.sparkContext.applicationId
    api = f"{ui}/api/v1/applications/{app}"
    stages = json.load(urllib.request.urlopen(f"{api}/stages?status=complete"))
    # A stage belongs to the step its job was run for (the job's description).
    step_of = {}
    for job in json.load(urllib.request.urlopen(f"{api}/jobs")):
        for stage in job.get("stageIds", []):
            step_of[stage] = job.get("description") or job.get("name", "")
    print(
        f"wall {done - started:.1f} s ({master}, {partitions} partitions, {plan} plan): Spark session {ready - started:.1f} s, "
        f"job {done - ready:.1f} s; CPU {cpu:.1f} s (driver, JVM and Python workers)"
    )
    per_step = OrderedDict((name, [secs, 0, 0, 0.0, 0, 0]) for name, secs in timings)
    # Each step's peak RSS: the samples taken while it ran (the steps run one after another
    # from `ready`; a step's wall time is the span between its start and the next's).
    step_peak = OrderedDict()
    at = ready
    for name, secs in timings:
        key = "components" if name.startswith("components") else name
        peak = max(((total, python) for t, total, python in rss.samples if at <= t < at + secs), default=(0, 0))
        step_peak[key] = max(step_peak.get(key, (0, 0)), peak)
        at += secs
    for s in stages:
        name = step_of.get(s["stageId"], s["name"]).removeprefix("stemma reuse: ")
        if name.startswith("components "):
            name = "components"
        row = per_step.setdefault(name, [0.0, 0, 0, 0.0, 0, 0])
        row[1] += 1
        row[2] += s["numTasks"]
        row[3] += s.get("executorRunTime", 0) / 1000
        row[4] += s.get("shuffleWriteBytes", 0)
        row[5] += s.get("shuffleReadBytes", 0)
    merged = OrderedDict()
    for name, row in per_step.items():
        key = "components" if name.startswith("components") else name
        if key in merged:
            merged[key] = [a + b for a, b in zip(merged[key], row)]
        else:
            merged[key] = list(row)
    print(
        f"{'step':<12} {'wall s':>7} {'stages':>6} {'tasks':>6} {'task s':>7} {'shuffle write MB':>16} "
        f"{'shuffle read MB':>15} {'peak RSS MB':>11} {'of it Python':>12}"
    )
    for name, (secs, n, tasks, run, write, read) in merged.items():
        peak, python = step_peak.get(name, (0, 0))
        peak_text = f"{peak >> 20:>11} {python >> 20:>12}" if peak else f"{'':>11} {'':>12}"
        print(f"{name:<12} {secs:>7.1f} {n:>6} {tasks:>6} {run:>7.1f} {write / 1e6:>16.1f} {read / 1e6:>15.1f} {peak_text}")
    total_w = sum(s.get("shuffleWriteBytes", 0) for s in stages) / 1e6
    print(f"{len(stages)} stages; total shuffle write {total_w:.1f} MB")
    mb = {k: v >> 20 for k, v in rss.peak_parts.items()}
    print(
        f"peak RSS, driver and executors in all: {rss.peak >> 20} MB (JVM {mb.get('jvm', 0)} MB, "
        f"Python driver and workers {mb.get('python', 0)} MB in {rss.peak_parts.get('python processes', 0)} "
        f"processes; the largest Python process {rss.peak_python_process >> 20} MB; /proc, every 0.2 s)"
    )
    spark.stop()


if __name__ == "__main__":
    main()

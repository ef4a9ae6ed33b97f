"""Runs `stemma.spark.reuse` in this process and prints its wall time and, per step of the
job, its wall time and what Spark's own metrics (its REST API on the driver's UI port, on
this machine only) record of its stages: how many, their tasks' run time, and the bytes
they wrote to and read from shuffles.

Usage: python3 bench/spark_reuse.py CORPUS OUT MASTER PARTITIONS [DRIVER_MEMORY]
"""

import json
import sys
import time
import urllib.request
from collections import OrderedDict


def main() -> None:
    corpus, out, master, partitions = sys.argv[1:5]
    memory = sys.argv[5] if len(sys.argv) > 5 else "2g"
    started = time.time()
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
    stemma.spark.reuse(spark, [corpus], out, partitions=int(partitions), timings=timings)
    done = time.time()
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
        f"wall {done - started:.1f} s ({master}, {partitions} partitions): Spark session {ready - started:.1f} s, "
        f"job {done - ready:.1f} s"
    )
    per_step = OrderedDict((name, [secs, 0, 0, 0.0, 0, 0]) for name, secs in timings)
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
    print(f"{'step':<12} {'wall s':>7} {'stages':>6} {'tasks':>6} {'task s':>7} {'shuffle write MB':>16} {'shuffle read MB':>15}")
    for name, (secs, n, tasks, run, write, read) in merged.items():
        print(f"{name:<12} {secs:>7.1f} {n:>6} {tasks:>6} {run:>7.1f} {write / 1e6:>16.1f} {read / 1e6:>15.1f}")
    total_w = sum(s.get("shuffleWriteBytes", 0) for s in stages) / 1e6
    print(f"{len(stages)} stages; total shuffle write {total_w:.1f} MB")
    spark.stop()


if __name__ == "__main__":
    main()

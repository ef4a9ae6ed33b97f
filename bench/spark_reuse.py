"""Runs `stemma.spark.reuse` in this process and prints its wall time and, per stage, the
time and shuffle bytes that Spark's own metrics record (its REST API on the driver's UI
port, on this machine only).

Usage: python3 bench/spark_reuse.py CORPUS OUT MASTER PARTITIONS [DRIVER_MEMORY]
"""

import json
import sys
import time
import urllib.request


def main() -> None:
    corpus, out, master, partitions = sys.argv[1:5]
    memory = sys.argv[5] if len(sys.argv) > 5 else "2g"
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
    started = time.time()
    stemma.spark.reuse(spark, [corpus], out, partitions=int(partitions))
    wall = time.time() - started
    ui = "http://127.0.0.1:4049"  # the port set above, on loopback
    app = spark.sparkContext.applicationId
    stages = json.load(urllib.request.urlopen(f"{ui}/api/v1/applications/{app}/stages?status=complete"))
    print(f"wall {wall:.1f} s ({master}, {partitions} partitions)")
    print(f"{'stage':>5} {'tasks':>5} {'run s':>7} {'shuffle write MB':>16} {'shuffle read MB':>15}  name")
    for s in sorted(stages, key=lambda s: s["stageId"]):
        run = s.get("executorRunTime", 0) / 1000
        write = s.get("shuffleWriteBytes", 0) / 1e6
        read = s.get("shuffleReadBytes", 0) / 1e6
        if run < 0.05 and write < 0.01 and read < 0.01:
            continue
        print(f"{s['stageId']:>5} {s['numTasks']:>5} {run:>7.1f} {write:>16.1f} {read:>15.1f}  {s['name'][:60]}")
    total_w = sum(s.get("shuffleWriteBytes", 0) for s in stages) / 1e6
    print(f"total shuffle write {total_w:.0f} MB")
    spark.stop()


if __name__ == "__main__":
    main()

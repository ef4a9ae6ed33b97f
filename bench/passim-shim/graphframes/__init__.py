"""A stand-in for GraphFrames' Python API, as far as passim uses it.

passim (github.com/dasmiq/passim) imports `graphframes.GraphFrame` and calls only
`GraphFrame(vertices, edges)`, `.cache()` and `.connectedComponents()`. The real class
drives a JVM library that `spark-submit --packages` downloads from Maven Central at run
time; where Maven Central is unreachable (as on our benchmark machine, which reaches only
PyPI, crates.io, npm and Debian), passim cannot run at all. This module computes the same
connected components with plain Spark DataFrames (minimum-label propagation), so that
`bench/reuse.sh a` can time passim on the same machine. Everything else passim does is
unchanged. It is slower or faster than GraphFrames' own algorithm by a factor we do not
know; the bench says so when it prints the ratio.
"""

import sys
import time

from pyspark.sql import functions as F


class GraphFrame:
    """Vertices with an `id` column, edges with `src` and `dst` columns of the same type."""

    def __init__(self, v, e):
        self.vertices = v
        self.edges = e

    def cache(self):
        self.vertices = self.vertices.cache()
        self.edges = self.edges.cache()
        return self

    def connectedComponents(self, **_ignored):
        """`vertices` with a `component` column: the least vertex number of its component.
        Prints its own wall time to standard error, so that the bench can tell passim's time
        apart from this stand-in's."""
        started = time.monotonic()
        numbered = self.vertices.select("id").distinct().withColumn(
            "vid", F.monotonically_increasing_id()
        ).localCheckpoint()
        ids = numbered.select(F.col("id").alias("key"), "vid")
        pairs = (
            self.edges.join(ids, self.edges["src"] == ids["key"])
            .select(F.col("vid").alias("a"), "dst")
            .join(ids, F.col("dst") == ids["key"])
            .select("a", F.col("vid").alias("b"))
            .where("a != b")
        )
        both = pairs.union(pairs.select(F.col("b").alias("a"), F.col("a").alias("b")))
        both = both.distinct().localCheckpoint()
        labels = numbered.select("vid", F.col("vid").alias("label")).localCheckpoint()
        rounds = 0
        while True:
            rounds += 1
            offered = both.join(labels, both["a"] == labels["vid"]).select(
                F.col("b").alias("vid"), "label"
            )
            updated = (
                labels.union(offered)
                .groupBy("vid")
                .agg(F.min("label").alias("label"))
                .localCheckpoint()
            )
            changed = (
                updated.join(labels.withColumnRenamed("label", "old"), "vid")
                .where("label < old")
                .limit(1)
                .count()
            )
            labels = updated
            if changed == 0:
                break
        components = (
            numbered.join(labels, "vid")
            .select("id", F.col("label").alias("component"))
            .join(self.vertices, "id")
            .localCheckpoint()
        )
        print(
            f"passim-shim: connected components of {numbered.count()} vertices and "
            f"{both.count() // 2} edges in {rounds} rounds, "
            f"{time.monotonic() - started:.1f} s",
            file=sys.stderr,
        )
        return components

"""``stemma dedup`` on Spark: the same records as ``stemma dedup INPUT… --out``, line for line.

The stages are the CLI's (``stemma_dedup``'s public functions through :mod:`stemma.arrow`):

1. documents as :func:`stemma.spark.read_documents` gives them (``doc``: the CLI's input
   order); each is sketched (words, bytes, normalized-text hash, LSH band keys);
2. exact duplicates: the first document (lowest ``doc``) of each hash represents it; only
   representatives are paired;
3. band keys shuffled by key; per partition the pairs of each key's documents, then the
   distinct pairs;
4. verification: pairs in blocks by their first document, each block with the texts it
   needs; the exact Jaccard of shingles against the threshold;
5. connected components of the verified pairs (:func:`stemma.spark.connected_components`,
   as reuse);
6. each component's documents (with their exact duplicates) and edges to one task, which
   runs the CLI's star clustering; clusters numbered by their kept document (a global sort);
7. the records, written as text, in input order.
"""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence

__all__ = ["dedup", "check_dedup_options"]


def check_dedup_options(
    *, threshold: float = 0.8, ngram: int = 5, num_perm: int = 128, bands: Optional[int] = None, keep: str = "first"
):
    """Refuse options the CLI refuses, with its messages (before any Spark work); returns
    the band layout (bands, rows per band)."""
    from .. import _stemma

    return _stemma.dedup_layout(threshold, ngram, num_perm, bands, keep)


def dedup(
    spark: Any,
    inputs: Sequence[str] = (),
    output: Optional[str] = None,
    *,
    threshold: float = 0.8,
    ngram: int = 5,
    num_perm: int = 128,
    bands: Optional[int] = None,
    keep: str = "first",
    partitions: Optional[int] = None,
    max_bytes: int = 64 << 20,
    threads: int = 1,
    documents: Any = None,
):
    """``stemma dedup INPUTS… --out OUTPUT`` on Spark: returns the records as a DataFrame
    (``doc``, ``record``: the CLI's ``--out`` line) and, when ``output`` is given, writes
    them there as text files (part files in order: their concatenation equals the CLI's
    file). ``documents`` may be a DataFrame from :func:`stemma.spark.read_documents` instead
    of ``inputs``. ``partitions`` sets the shuffles' partitions (default: Spark's default
    parallelism × 2); ``threads`` the rayon threads of each task."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from .. import arrow as sa
    from . import connected_components, read_documents
    from .blocks import block_of, pair_blocks, split_block

    n_bands, rows = check_dedup_options(threshold=threshold, ngram=ngram, num_perm=num_perm, bands=bands, keep=keep)
    sc = spark.sparkContext
    parts = partitions or max(2, sc.defaultParallelism * 2)
    spark.conf.set("spark.sql.shuffle.partitions", str(parts))
    docs = documents if documents is not None else read_documents(spark, inputs, max_bytes=max_bytes)
    docs = docs.persist(StorageLevel.MEMORY_AND_DISK)

    # 1. Sketches.
    def sketch_batches(batches):
        for batch in batches:
            per_text, per_key = sa.dedup_sketch(
                batch.column("text"), ngram=ngram, num_perm=num_perm, bands=n_bands, rows=rows, threads=threads
            )
            # Keys come in row order (none for a text without words).
            counts = np.bincount(per_key.column("row").to_numpy(), minlength=batch.num_rows)
            offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())
            keys = pa.ListArray.from_arrays(offsets, pc.cast(per_key.column("key"), pa.int64(), safe=False))
            yield pa.RecordBatch.from_arrays(
                [
                    batch.column("doc"),
                    pc.cast(per_text.column("hash"), pa.int64(), safe=False),
                    pc.cast(per_text.column("words"), pa.int64()),
                    pc.cast(per_text.column("bytes"), pa.int64()),
                    keys,
                ],
                names=["doc", "hash", "words", "bytes", "keys"],
            )

    sketches = docs.select("doc", "text").mapInArrow(
        sketch_batches, "doc long, hash long, words long, bytes long, keys array<long>"
    )
    # 2. Exact duplicates: the first document of each normalized text stands for it.
    sketches = sketches.withColumn("group", F.min("doc").over(Window.partitionBy("hash")))
    sketches = sketches.persist(StorageLevel.MEMORY_AND_DISK)

    # 3. Candidate pairs of the representatives sharing a band key.
    band_rows = sketches.where(F.col("doc") == F.col("group")).select(F.explode("keys").alias("key"), "doc")

    def pair_batches(batches):
        batch_list = list(batches)
        if not batch_list:
            return
        table = pa.concat_batches(batch_list)
        pairs = sa.dedup_bucket_pairs(table.column("key"), table.column("doc"), threads=threads)
        yield pa.RecordBatch.from_arrays(
            [pc.cast(pairs.column("a"), pa.int64()), pc.cast(pairs.column("b"), pa.int64())], names=["a", "b"]
        )

    candidates = band_rows.repartition(parts, "key").mapInArrow(pair_batches, "a long, b long").distinct()

    # 4. Verification, in blocks of pairs by their first document with the texts they need.
    candidates = candidates.withColumn("block", block_of(spark, F.col("a"), parts)).persist(StorageLevel.MEMORY_AND_DISK)

    def verify_batches(batches):
        block = split_block(batches)
        if block is None:
            return
        pairs, text, a, b = block
        found = sa.dedup_verify(text, a, b, ngram=ngram, threshold=threshold, threads=threads)
        at = found.column("pair")
        yield pa.RecordBatch.from_arrays(
            [pc.take(pairs.column("a"), at), pc.take(pairs.column("b"), at), found.column("similarity")],
            names=["a", "b", "similarity"],
        )

    edges = pair_blocks(docs, candidates, parts).mapInArrow(verify_batches, "a long, b long, similarity double")
    edges = edges.persist(StorageLevel.MEMORY_AND_DISK)

    # 5. Components of the verified pairs; a representative in none is its own.
    components = connected_components(edges.select(F.col("a").alias("u"), F.col("b").alias("v")), partitions=parts)
    nodes = (
        sketches.select("doc", "group", "words", "bytes")
        .join(components.select(F.col("node").alias("group"), "component"), "group", "left")
        .withColumn("component", F.coalesce("component", "group"))
    )
    if keep == "earliest":
        nodes = nodes.join(docs.select("doc", "date"), "doc")
    else:
        nodes = nodes.withColumn("date", F.lit(None).cast("string"))
    tagged_edges = edges.join(components.select(F.col("node").alias("a"), "component"), "a")

    # 6. Star clusters, a component per task.
    work = nodes.select(
        "component", F.lit(True).alias("is_node"), "doc", "group", "date", "words", "bytes",
        F.lit(None).cast("long").alias("a"), F.lit(None).cast("long").alias("b"), F.lit(None).cast("double").alias("similarity"),
    ).unionByName(
        tagged_edges.select(
            "component", F.lit(False).alias("is_node"), F.lit(None).cast("long").alias("doc"), F.lit(None).cast("long").alias("group"),
            F.lit(None).cast("string").alias("date"), F.lit(None).cast("long").alias("words"), F.lit(None).cast("long").alias("bytes"),
            "a", "b", "similarity",
        )
    )

    def cluster_batches(batches):
        batch_list = list(batches)
        if not batch_list:
            return
        table = pa.concat_batches(batch_list)
        is_node = table.column("is_node")
        node_rows = table.filter(is_node)
        edge_rows = table.filter(pc.invert(is_node))
        out = sa.dedup_clusters(node_rows, edge_rows, keep=keep, threads=threads)
        yield pa.RecordBatch.from_arrays(
            [
                node_rows.column("doc"), node_rows.column("words"), node_rows.column("bytes"),
                pc.cast(out.column("kept"), pa.int64()), out.column("similarity"), out.column("exact"), out.column("clustered"),
            ],
            names=["doc", "words", "bytes", "kept", "similarity", "exact", "clustered"],
        )

    outcomes = work.repartition(parts, "component").mapInArrow(
        cluster_batches, "doc long, words long, bytes long, kept long, similarity double, exact boolean, clustered boolean"
    ).persist(StorageLevel.MEMORY_AND_DISK)
    kept_docs = outcomes.where("clustered").select("kept").distinct().orderBy("kept")
    numbered = spark.createDataFrame(kept_docs.rdd.zipWithIndex().map(lambda t: (t[0][0], t[1] + 1)), "kept long, cluster long")

    # 7. Records, in input order.
    ids = docs.select("doc", "id")
    rows = (
        outcomes.join(numbered, "kept", "left")
        .join(ids, "doc")
        .join(ids.select(F.col("doc").alias("kept"), F.col("id").alias("kept_id")), "kept")
        .select(
            "doc", "id", F.coalesce("cluster", F.lit(0)).alias("cluster"),
            F.when(F.col("kept") != F.col("doc"), F.col("kept_id")).alias("duplicate_of"),
            "similarity", "exact", "words", "bytes",
        )
    )

    def record_batches(batches):
        for batch in batches:
            lines = sa.dedup_records(batch, threads=threads)
            yield pa.RecordBatch.from_arrays([batch.column("doc"), pc.cast(lines, pa.string())], names=["doc", "record"])

    records = rows.mapInArrow(record_batches, "doc long, record string").orderBy("doc")
    if output is not None:
        records.select("record").write.mode("overwrite").text(os.fspath(output))
    return records

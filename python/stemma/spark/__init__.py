"""PySpark jobs of stemma.

``python -m stemma.spark reuse INPUT… OUTPUT`` (or :func:`reuse` from a pipeline) runs
``stemma reuse`` on Spark and writes the same cluster records as ``stemma reuse INPUT… --out``:
the same clusters, members, offsets and cluster ids, line for line.

The stages are the CLI's, each a ``mapInArrow`` over Arrow batches into the Rust core
(:mod:`stemma.arrow`):

1. documents: passim-style JSON Lines (read as the CLI reads them, same default ids) or
   Parquet with ``id``, ``series``, ``date``, ``text``; each gets its index in the CLI's
   input order (``zipWithIndex``, never ``monotonically_increasing_id``);
2. anchors of each document, shuffled by anchor; per partition the document-frequency band
   and the pairs of each anchor, counted, then summed per pair across partitions;
3. alignment: candidate pairs in blocks by their first document, each block with the texts
   it needs;
4. nodes: each document's passage spans grouped into nodes (all of a document's spans in one
   task); the alignments that join two nodes are the edges;
5. connected components of the edges by alternating large-star / small-star steps (Kiveris
   et al. 2014) in DataFrames (GraphFrames' jars come from a Maven repository);
6. each component's edges to one task, which runs the CLI's star clustering; each cluster's
   members to one task, which orders them; clusters numbered by a global sort;
7. the records, written as text, ordered by cluster then member.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator, List, Optional, Sequence

__all__ = ["reuse", "read_documents", "connected_components", "check_options"]


def read_documents(spark: Any, inputs: Sequence[str], *, max_bytes: int = 64 << 20, partitions: Optional[int] = None):
    """The documents of ``inputs`` as a DataFrame (``doc`` long: the CLI's input order;
    ``id``, ``series``, ``date``, ``title``, ``text``, ``extra``).

    JSON Lines files and folders are walked and parsed as ``stemma reuse`` does (default ids
    ``FILE:LINE``, other fields kept in ``extra``); a Parquet file or folder (``.parquet``)
    is read with Spark and its documents ordered by ``id``."""
    import pyarrow as pa
    from pyspark.sql import types as T

    from .. import _stemma
    from .. import arrow as sa

    sc = spark.sparkContext
    schema = T.StructType(
        [
            T.StructField("doc", T.LongType(), False),
            T.StructField("id", T.StringType(), True),
            T.StructField("series", T.StringType(), True),
            T.StructField("date", T.StringType(), True),
            T.StructField("title", T.StringType(), True),
            T.StructField("text", T.StringType(), True),
            T.StructField("extra", T.StringType(), True),
        ]
    )
    parquet = [p for p in inputs if os.fspath(p).rstrip("/").endswith(".parquet")]
    if parquet:
        if len(parquet) != len(inputs):
            raise _stemma.StemmaError("give either Parquet or JSON Lines inputs, not both")
        from pyspark.sql import functions as F

        df = spark.read.parquet(*parquet)
        missing = {"text"} - set(df.columns)
        if missing:
            raise _stemma.StemmaError(f"{parquet[0]}: no 'text' column")
        cols = [F.col(c).cast("string") if c in df.columns else F.lit(None).cast("string") for c in ("id", "series", "date", "title")]
        df = df.select(*[c.alias(n) for c, n in zip(cols, ("id", "series", "date", "title"))], F.col("text"), F.lit(None).cast("string").alias("extra"))
        rows = df.orderBy("id").rdd.zipWithIndex().map(lambda t: (t[1],) + tuple(t[0]))
        return spark.createDataFrame(rows, schema)

    files = _stemma.walk_inputs([os.fspath(p) for p in inputs])
    if not files:
        raise _stemma.StemmaError("nothing to read: give files, folders or JSON Lines corpora")
    rdds = []
    for path, input_id, is_jsonl in files:
        if not is_jsonl:
            raise _stemma.StemmaError(f"{path}: the Spark job reads JSON Lines (.jsonl) or Parquet")
        if not os.path.exists(path):
            raise _stemma.StemmaError(f"{path}: file not found")
        # Lines with their 1-based numbers, in file order.
        numbered = sc.textFile(os.path.abspath(path), partitions).zipWithIndex()

        def parse(it: Iterator, path=path, input_id=input_id) -> Iterator:
            lines: List[str] = []
            numbers: List[int] = []

            def flush():
                if not lines:
                    return []
                batch = sa.parse_jsonl(
                    path, input_id, pa.array(numbers, pa.uint64()), pa.array(lines, pa.large_string()), max_bytes=max_bytes
                )
                cols = [batch.column(n).to_pylist() for n in ("id", "series", "date", "title", "text", "extra")]
                lines.clear()
                numbers.clear()
                return zip(*cols)

            for line, index in it:
                lines.append(line)
                numbers.append(index + 1)
                if len(lines) >= 4096:
                    yield from flush()
            yield from flush()

        rdds.append(numbered.mapPartitions(parse))
    docs = sc.union(rdds) if len(rdds) > 1 else rdds[0]
    rows = docs.zipWithIndex().map(lambda t: (t[1],) + tuple(t[0]))
    return spark.createDataFrame(rows, schema)


def connected_components(edges: Any, *, checkpoint: bool = True):
    """Connected components of an undirected graph given as a DataFrame of edges (``u``,
    ``v``: longs), by alternating large-star and small-star steps (Kiveris et al., 2014).
    Returns (``node``, ``component``): every node of an edge and the least node of its
    component."""
    from pyspark.sql import functions as F

    u, v = F.col("u"), F.col("v")
    e = edges.select(F.greatest(u, v).alias("u"), F.least(u, v).alias("v")).where(u != v).distinct()

    def large_star(e):
        both = e.unionByName(e.select(v.alias("u"), u.alias("v")))
        m = both.groupBy("u").agg(F.min("v").alias("m"))
        return (
            both.join(m, "u")
            .where(F.col("v") > F.col("u"))
            .select(F.col("v").alias("u"), F.least(F.col("m"), F.col("u")).alias("v"))
            .distinct()
        )

    def small_star(e):
        oriented = e.select(F.greatest(u, v).alias("u"), F.least(u, v).alias("v"))
        m = oriented.groupBy("u").agg(F.min("v").alias("m"))
        moved = oriented.join(m, "u").where(F.col("v") != F.col("m")).select(F.col("v").alias("u"), F.col("m").alias("v"))
        return moved.unionByName(m.select("u", F.col("m").alias("v"))).distinct()

    while True:
        e = small_star(large_star(e))
        if checkpoint:
            e = e.localCheckpoint()
        # Done when the edges are stars: no centre (v) is itself a leaf (u) of an edge.
        centres = e.select(F.col("v").alias("u")).distinct()
        if e.join(centres, "u").limit(1).count() == 0:
            break
    leaves = e.select(F.col("u").alias("node"), F.col("v").alias("component"))
    roots = e.select(F.col("v").alias("node"), F.col("v").alias("component")).distinct()
    return leaves.unionByName(roots)


def check_options(*, min_df: int = 2, max_df: int = 100, min_overlap: float = 0.8) -> None:
    """Refuse options the CLI refuses, with its messages (before any Spark work)."""
    from .. import _stemma

    if min_df > max_df:
        raise _stemma.StemmaError(f"--min-df ({min_df}) is larger than --max-df ({max_df})")
    if not 0.0 <= min_overlap <= 1.0:
        raise _stemma.StemmaError(f"--min-overlap must be between 0 and 1, not {min_overlap}")


def reuse(
    spark: Any,
    inputs: Sequence[str],
    output: Optional[str] = None,
    *,
    partitions: Optional[int] = None,
    anchor_ngram: int = 3,
    min_df: int = 2,
    max_df: int = 100,
    min_shared: int = 2,
    skip_same_series: bool = False,
    min_overlap: float = 0.8,
    min_anchor_density: float = 0.0,
    ngram: Optional[int] = None,
    min_words: Optional[int] = None,
    max_gap: Optional[int] = None,
    min_identity: Optional[float] = None,
    sentence_seeds: bool = True,
    all_alignments: bool = False,
    max_bytes: int = 64 << 20,
    threads: int = 1,
    documents: Any = None,
):
    """``stemma reuse INPUTS… --out OUTPUT`` on Spark: returns the members as a DataFrame
    (``cluster``, ``rank``, ``record``: the CLI's ``--out`` line) and, when ``output`` is
    given, writes the records there as text files (part files in order: their concatenation
    equals the CLI's file). ``documents`` may be a DataFrame from :func:`read_documents`
    instead of ``inputs``. ``partitions`` sets the shuffles' partitions (default: Spark's
    default parallelism × 2); ``threads`` the rayon threads of each task."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from .. import _stemma
    from .. import arrow as sa

    check_options(min_df=min_df, max_df=max_df, min_overlap=min_overlap)
    sc = spark.sparkContext
    parts = partitions or max(2, sc.defaultParallelism * 2)
    # Joins and aggregations shuffle into as many partitions as the stages do (Spark's
    # default, 200, costs more in task overhead than this job's work on small corpora).
    spark.conf.set("spark.sql.shuffle.partitions", str(parts))
    docs = documents if documents is not None else read_documents(spark, inputs, max_bytes=max_bytes)
    docs = docs.persist(StorageLevel.MEMORY_AND_DISK)

    # 2. Anchors, band, pairs.
    def anchor_batches(batches):
        for batch in batches:
            found = sa.anchors(batch.column("text"), anchor_ngram, threads=threads)
            rows = found.column("row")
            cols = [pc.cast(found.column("anchor"), pa.int64(), safe=False), pc.take(batch.column("doc"), rows)]
            names = ["anchor", "doc"]
            if skip_same_series:
                cols.append(pc.take(batch.column("series_key"), rows))
                names.append("series_key")
            yield pa.RecordBatch.from_arrays(cols, names=names)

    anchor_input = docs.select("doc", "text")
    anchor_schema = "anchor long, doc long"
    if skip_same_series:
        # 0 is no series (a series hashing to 0 would read as none: one in 2^64).
        key = F.when(F.col("series").isNull(), F.lit(0)).otherwise(F.xxhash64("series"))
        anchor_input = docs.select("doc", "text", key.alias("series_key"))
        anchor_schema += ", series_key long"
    anchor_table = anchor_input.mapInArrow(anchor_batches, anchor_schema)

    def band_batches(batches):
        batch_list = list(batches)
        if not batch_list:
            return
        table = pa.concat_batches(batch_list)
        series = table.column("series_key") if skip_same_series else None
        pairs, boilerplate, _ = sa.band_pairs(
            table.column("anchor"), table.column("doc"), series,
            min_df=min_df, max_df=max_df, skip_same_series=skip_same_series, threads=threads,
        )
        packed = pc.bit_wise_or(pc.shift_left(pc.cast(pairs.column("a"), pa.uint64()), 32), pc.cast(pairs.column("b"), pa.uint64()))
        yield pa.RecordBatch.from_arrays(
            [pa.array([0] * pairs.num_rows, pa.int8()), pc.cast(packed, pa.int64(), safe=False), pc.cast(pairs.column("shared"), pa.int32())],
            names=["kind", "value", "count"],
        )
        yield pa.RecordBatch.from_arrays(
            [pa.array([1] * len(boilerplate), pa.int8()), pc.cast(boilerplate, pa.int64(), safe=False), pa.array([0] * len(boilerplate), pa.int32())],
            names=["kind", "value", "count"],
        )

    banded = anchor_table.repartition(parts, "anchor").mapInArrow(band_batches, "kind byte, value long, count int")
    banded = banded.persist(StorageLevel.MEMORY_AND_DISK)
    boilerplate = pa.array(
        sorted(r[0] for r in banded.where("kind = 1").select("value").collect()), pa.int64()
    )
    boilerplate = pc.cast(boilerplate, pa.uint64(), safe=False)
    boilerplate_b = sc.broadcast(boilerplate.to_numpy())
    candidates = (
        banded.where("kind = 0")
        .groupBy("value")
        .agg(F.sum("count").alias("shared"))
        .where(F.col("shared") >= min_shared)
        .select(F.shiftright("value", 32).alias("a"), (F.col("value").bitwiseAND(F.lit(0xFFFFFFFF))).alias("b"))
    )

    # 3. Alignment: blocks of pairs by their first document, each with the texts it needs.
    candidates = candidates.withColumn("block", F.col("a") % parts).persist(StorageLevel.MEMORY_AND_DISK)
    needed = candidates.select("block", F.col("a").alias("doc")).unionByName(candidates.select("block", F.col("b").alias("doc"))).distinct()
    texts = needed.join(docs.select("doc", "text"), "doc")
    work = candidates.select("block", "a", "b", F.lit(None).cast("long").alias("doc"), F.lit(None).cast("string").alias("text")).unionByName(
        texts.select("block", F.lit(None).cast("long").alias("a"), F.lit(None).cast("long").alias("b"), "doc", "text")
    )
    align_options = dict(
        ngram=ngram, min_words=min_words, max_gap=max_gap, min_identity=min_identity, sentence_seeds=sentence_seeds,
        all_alignments=all_alignments, anchor_ngram=anchor_ngram, max_df=max_df, min_shared=min_shared, min_anchor_density=min_anchor_density,
    )

    def align_batches(batches):
        batch_list = list(batches)
        if not batch_list:
            return
        table = pa.concat_batches(batch_list)
        is_pair = pc.is_valid(table.column("a"))
        pairs = table.filter(is_pair)
        docs_here = table.filter(pc.invert(is_pair))
        # One copy of each text (several blocks of this task may need it), by document.
        unique = pc.unique(docs_here.column("doc")).sort()
        first = pc.index_in(unique, value_set=docs_here.column("doc"))
        text = pc.take(docs_here.column("text"), first)
        a = pc.index_in(pairs.column("a"), value_set=unique)
        b = pc.index_in(pairs.column("b"), value_set=unique)
        found, _ = sa.align_pairs(text, a, b, pa.array(boilerplate_b.value, pa.uint64()), threads=threads, **align_options)
        pair_rows = found.column("pair")
        k = _rank_within(pair_rows)
        yield pa.RecordBatch.from_arrays(
            [
                pc.take(pairs.column("a"), pair_rows),
                pc.take(pairs.column("b"), pair_rows),
                k,
                pc.cast(found.column("a_start"), pa.int64()),
                pc.cast(found.column("a_end"), pa.int64()),
                pc.cast(found.column("b_start"), pa.int64()),
                pc.cast(found.column("b_end"), pa.int64()),
                found.column("score"),
                found.column("joins"),
            ],
            names=["a", "b", "k", "a_start", "a_end", "b_start", "b_end", "score", "joins"],
        )

    passages = work.repartition(parts, "block").mapInArrow(
        align_batches, "a long, b long, k long, a_start long, a_end long, b_start long, b_end long, score double, joins boolean"
    ).persist(StorageLevel.MEMORY_AND_DISK)

    # 4. Nodes: each document's occurrences in one task.
    pair_key = (F.shiftleft(F.col("a"), 32).bitwiseOR(F.col("b"))).alias("pair")
    occurrences = passages.select(
        F.col("a").alias("doc"), F.col("a_start").alias("start"), F.col("a_end").alias("end"), pair_key,
        (F.col("k") * 2).alias("within"), "score", "joins",
    ).unionByName(
        passages.select(
            F.col("b").alias("doc"), F.col("b_start").alias("start"), F.col("b_end").alias("end"), pair_key,
            (F.col("k") * 2 + 1).alias("within"), "score", "joins",
        )
    )

    def node_batches(batches):
        batch_list = list(batches)
        if not batch_list:
            return
        table = pa.concat_batches(batch_list)
        c = table.column
        nodes = sa.group_spans(c("doc"), c("start"), c("end"), c("pair"), c("within"), min_overlap=min_overlap, threads=threads)
        key = pc.bit_wise_or(pc.shift_left(c("doc"), 32), pc.cast(nodes.column("node"), pa.int64()))
        yield pa.RecordBatch.from_arrays(
            [
                sa._column(c("pair")), sa._column(c("within")), sa._column(c("doc")), sa._column(key),
                pc.cast(nodes.column("node_start"), pa.int64()), pc.cast(nodes.column("node_end"), pa.int64()),
                sa._column(c("score")), sa._column(c("joins")),
            ],
            names=["pair", "within", "doc", "node", "node_start", "node_end", "score", "joins"],
        )

    nodes = occurrences.repartition(parts, "doc").mapInArrow(
        node_batches, "pair long, within long, doc long, node long, node_start long, node_end long, score double, joins boolean"
    ).persist(StorageLevel.MEMORY_AND_DISK)
    x_side = nodes.where("within % 2 = 0 AND joins").select("pair", (F.col("within") / 2).cast("long").alias("k"), F.col("node").alias("x"), "score")
    y_side = nodes.where("within % 2 = 1 AND joins").select("pair", ((F.col("within") - 1) / 2).cast("long").alias("k"), F.col("node").alias("y"))
    edges = x_side.join(y_side, ["pair", "k"]).where(F.col("x") != F.col("y")).select("x", "y", "score").persist(StorageLevel.MEMORY_AND_DISK)

    # 5. Connected components; 6. star clustering per component.
    components = connected_components(edges.select(F.col("x").alias("u"), F.col("y").alias("v")))
    tagged = edges.join(components.withColumnRenamed("node", "x"), "x")

    def star_batches(batches):
        batch_list = list(batches)
        if not batch_list:
            return
        table = pa.concat_batches(batch_list)
        c = table.column
        stars = sa.star_clusters(c("component"), c("x"), c("y"), c("score"), threads=threads)
        yield pa.RecordBatch.from_arrays(
            [pc.cast(stars.column("node"), pa.int64(), safe=False), pc.cast(stars.column("centre"), pa.int64(), safe=False)],
            names=["node", "centre"],
        )

    centres = tagged.repartition(parts, "component").mapInArrow(star_batches, "node long, centre long").where("centre != -1")
    extents = nodes.select("node", "doc", "node_start", "node_end").dropDuplicates(["node"])
    members = centres.join(extents, "node").join(docs.select("doc", "id", "date"), "doc")

    def assemble_batches(batches):
        batch_list = list(batches)
        if not batch_list:
            return
        table = pa.concat_batches(batch_list)
        c = table.column
        order = sa.assemble_clusters(c("centre"), c("node"), c("id"), c("date"), c("node_start"), c("node_end"), threads=threads)
        yield pa.RecordBatch.from_arrays(
            [
                sa._column(c("centre")), sa._column(c("doc")), sa._column(c("node_start")), sa._column(c("node_end")),
                sa._column(c("date")), sa._column(c("id")),
                pc.cast(order.column("rank"), pa.int64()), pc.cast(order.column("size"), pa.int64()),
                pc.cast(order.column("first_id"), pa.string()), pc.cast(order.column("first_start"), pa.int64()),
                pc.cast(order.column("first_end"), pa.int64()),
            ],
            names=["centre", "doc", "start", "end", "date", "id", "rank", "size", "first_id", "first_start", "first_end"],
        )

    ordered = members.repartition(parts, "centre").mapInArrow(
        assemble_batches,
        "centre long, doc long, start long, end long, date string, id string, rank long, size long, first_id string, first_start long, first_end long",
    ).persist(StorageLevel.MEMORY_AND_DISK)
    heads = ordered.where("rank = 0").orderBy(
        F.col("size").desc(), "first_id", "first_start", "first_end", "centre"
    ).select("centre", F.when(F.col("date").isNotNull(), F.col("id")).alias("earliest"))
    numbered = spark.createDataFrame(
        heads.rdd.zipWithIndex().map(lambda t: (t[0][0], t[1] + 1, t[0][1])), "centre long, cluster long, earliest string"
    )

    # 7. Records.
    rows = ordered.select("centre", "doc", "start", "end", "rank", "size").join(numbered, "centre").join(
        docs.select("doc", "id", "series", "date", "title", "text", "extra"), "doc"
    )

    def record_batches(batches):
        for batch in batches:
            lines = sa.cluster_records(batch, threads=threads)
            yield pa.RecordBatch.from_arrays(
                [batch.column("cluster"), batch.column("rank"), pc.cast(lines, pa.string())], names=["cluster", "rank", "record"]
            )

    records = rows.select(
        "cluster", "rank", "size", "id", "series", "date", "title", "text", "extra", "start", "end", "earliest"
    ).mapInArrow(record_batches, "cluster long, rank long, record string").orderBy("cluster", "rank")
    if output is not None:
        records.select("record").write.mode("overwrite").text(os.fspath(output))
    return records


def _rank_within(pair_rows):
    """0, 1, 2… within each run of equal values (the passages of one pair are consecutive)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    index = pa.array(range(len(pair_rows)), pa.int64())
    first = pc.cast(pc.index_in(pair_rows, value_set=pair_rows), pa.int64())
    return pc.subtract(index, first)

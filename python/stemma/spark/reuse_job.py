"""The ``reuse`` job: ``stemma reuse`` on Spark, stage by stage (see the package's doc).

Each step ends in a computed, locally checkpointed DataFrame, named after the step (the
stages' names in Spark's UI and REST API): few jobs, each doing one step's work once, so that
the job's fixed costs (a stage's scheduling, a Python worker's batch, the driver's planning)
stay small beside the work.
"""

from __future__ import annotations

import os
import time
from typing import Any, List, Optional, Sequence, Tuple, Union

#: The steps of the job, in order, as they name Spark's stages.
STEPS = ("read", "anchors", "pairs", "align", "nodes", "components", "stars", "members", "order", "records")

#: The step of the single-task plan: read, every stage of the CLI and the records, in one task.
SINGLE_STEP = "one task"

#: Inputs of at most this many bytes run as one task (``plan="auto"``): one split of the
#: reader (:data:`stemma.spark.documents.SPLIT_BYTES`) holds them, so one task reads them
#: anyway, and the distributed plan's ~70 stages would cost more than the work (a 2 MB
#: corpus: seconds of work, minutes of stages).
SINGLE_TASK_BYTES = 32 << 20

#: Bytes of analyzed texts an alignment task holds at once (about 8 a byte of text): its
#: pairs are aligned a few at a time, whatever the size of its block.
ALIGN_MEMORY = 256 << 20

#: The plans of :func:`reuse`.
PLANS = ("auto", "single", "distributed")


def check_options(*, min_df: int = 2, max_df: int = 100, min_overlap: float = 0.8) -> None:
    """Refuse options the CLI refuses, with its messages (before any Spark work)."""
    from .. import _stemma

    if min_df > max_df:
        raise _stemma.StemmaError(f"--min-df ({min_df}) is larger than --max-df ({max_df})")
    if not 0.0 <= min_overlap <= 1.0:
        raise _stemma.StemmaError(f"--min-overlap must be between 0 and 1, not {min_overlap}")


class _Steps:
    """Names the stages of each step and keeps its wall time."""

    def __init__(self, sc: Any, timings: Optional[List[Tuple[str, float]]]) -> None:
        self.sc = sc
        self.timings = timings
        self.name: Optional[str] = None
        self.started = time.time()

    def start(self, name: str) -> None:
        self.stop()
        self.name = name
        self.started = time.time()
        self.sc.setJobDescription(f"stemma reuse: {name}")
        self.sc.setLocalProperty("callSite.short", f"stemma reuse: {name}")

    def stop(self) -> None:
        if self.name is not None and self.timings is not None:
            self.timings.append((self.name, time.time() - self.started))
        self.name = None

    def keep(self, df: Any) -> Any:
        """``df`` computed now and kept (memory, else disk), its plan cut there: the later
        steps' plans start from it, not from the whole job's lineage (the driver plans
        and matches each query against cached plans: with every step's plan behind it, the
        last steps spent seconds there per job)."""
        # Local checkpoints are kept as MEMORY_AND_DISK (Spark's default for them).
        return df.localCheckpoint(eager=True)

    def keep_cached(self, df: Any) -> Tuple[Any, int]:
        """``df`` persisted and computed now, and its rows counted, for a DataFrame of a
        short plan that later joins use: Spark keeps knowing its partitioning and measured
        size (a checkpoint's partitioning did not spare the texts a shuffle in the joins on
        ``doc``). :meth:`release` frees it too."""
        from pyspark import StorageLevel

        df = df.persist(StorageLevel.MEMORY_AND_DISK)
        return df, df.count()

    def release(self, *dfs: Any) -> None:
        """Frees the blocks of kept DataFrames no later step reads (``unpersist`` does not
        reach a checkpoint's: they would stay until the JVM's garbage collector ran)."""
        for df in dfs:
            if df.is_cached:
                df.unpersist()
            else:
                df._jdf.logicalPlan().rdd().unpersist(False)
        # The shuffle files of the steps behind them go when Spark's cleaner sees their
        # objects collected in the driver's JVM: a collection now, not when the heap fills
        # (at 1M documents the shuffles of every step would fill the disk first).
        self.sc._jvm.System.gc()

    def close(self) -> None:
        self.stop()
        self.sc.setJobDescription(None)
        self.sc.setLocalProperty("callSite.short", None)


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
    timings: Optional[List[Tuple[str, float]]] = None,
    plan: str = "auto",
    single_task_bytes: int = SINGLE_TASK_BYTES,
    driver_edges: Optional[int] = None,
    align_memory: Union[int, str] = ALIGN_MEMORY,
):
    """``stemma reuse INPUTS… --out OUTPUT`` on Spark: returns the members as a DataFrame
    (``cluster``, ``rank``, ``record``: the CLI's ``--out`` line) and, when ``output`` is
    given, writes the records there as text files (part files in order: their concatenation
    equals the CLI's file). ``documents`` may be a DataFrame from :func:`read_documents`
    instead of ``inputs``. ``partitions`` sets the shuffles' partitions (default:
    :func:`default_partitions`); ``threads`` the rayon threads of each task. ``timings``, a
    list, gets each step's name and wall time in seconds (see :data:`STEPS`).

    ``plan``: ``"distributed"`` runs each stage across the cluster (:data:`STEPS`);
    ``"single"`` reads the documents through Spark and runs every stage in one task
    (:func:`stemma.arrow.reuse`, all of the task's cores), as the CLI would; ``"auto"`` (the
    default) is ``"single"`` for JSON Lines or Parquet inputs of at most
    ``single_task_bytes`` bytes (:data:`SINGLE_TASK_BYTES`), else ``"distributed"``. The
    records are the same whichever plan runs (the single plan's DataFrame is not cached:
    using it after the write runs its task again). ``driver_edges``: the connected components of
    at most this many alignment edges are found on the driver, in one job
    (:data:`stemma.spark.components.DRIVER_EDGES` by default; 0: always in rounds of
    shuffles). ``align_memory``: the bytes of analyzed texts an alignment task holds at once
    (``"256M"``, ``"1G"`` or a number; :data:`ALIGN_MEMORY` by default; about 8 a byte of
    text), beside its block's texts.

    >>> records = reuse(spark, ["corpus.jsonl"], "clusters/")  # doctest: +SKIP
    >>> records.first().record  # the first line of `stemma reuse corpus.jsonl --out …`  # doctest: +SKIP
    """
    from pyspark.sql import functions as F
    from pyspark.sql import Window

    from .blocks import block_of
    from .. import _size, _stemma
    from .components import connected_components
    from .documents import _is_parquet, jsonl_splits, read_documents

    check_options(min_df=min_df, max_df=max_df, min_overlap=min_overlap)
    align_memory = _size(align_memory)
    if plan not in PLANS:
        raise ValueError(f"plan must be one of {', '.join(PLANS)}, not {plan!r}")
    sc = spark.sparkContext
    align_options = dict(
        ngram=ngram, min_words=min_words, max_gap=max_gap, min_identity=min_identity, sentence_seeds=sentence_seeds,
        all_alignments=all_alignments, anchor_ngram=anchor_ngram, max_df=max_df, min_shared=min_shared,
        min_anchor_density=min_anchor_density,
    )
    if plan == "single" or (plan == "auto" and documents is None and input_bytes(inputs) <= single_task_bytes):
        steps = _Steps(sc, timings)
        try:
            steps.start(SINGLE_STEP)
            if documents is None and not _is_parquet(inputs):
                # The reader's parsing runs in the task's own function: one Python worker.
                source, read = jsonl_splits(spark, inputs, max_bytes=max_bytes, partitions=1)
            else:
                source = documents if documents is not None else read_documents(spark, inputs, max_bytes=max_bytes)
                read = None
            cluster_options = dict(min_df=min_df, skip_same_series=skip_same_series, min_overlap=min_overlap)
            records = _single_task(source, read, _task_cores(sc, threads), cluster_options, align_options)
            # Not cached (caching cost a tenth of a small job): using the returned DataFrame
            # after the write runs the task again.
            if output is not None:
                records.select("record").write.mode("overwrite").text(os.fspath(output))
            return records
        finally:
            steps.close()

    parts = partitions or default_partitions(sc, None if documents is not None else inputs)
    # The alignment's tasks are uneven (a block's pairs cost what its documents' lengths
    # make them cost), so the last of a stage would run alone on one of the executor's cores:
    # each gets the executor's cores. While two run at once their threads share the cores
    # (twice the threads of the cores at most, which rayon's work stealing bears well).
    heavy = _task_cores(sc, threads)
    # Joins and aggregations shuffle into as many partitions as the stages do (Spark's
    # default, 200, costs more in task overhead than this job's work on small corpora).
    spark.conf.set("spark.sql.shuffle.partitions", str(parts))
    # A checkpointed DataFrame's size is the planner's estimate of the plan it came from, and
    # a mapInArrow's is its input's (the documents: a few split numbers), so the planner
    # would broadcast the texts to every task. Joins are planned without broadcasts; the
    # adaptive executor still broadcasts a side whose shuffle measured small.
    spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")
    spark.conf.set("spark.sql.adaptive.autoBroadcastJoinThreshold", "10MB")
    steps = _Steps(sc, timings)
    try:
        steps.start("read")
        docs = documents if documents is not None else read_documents(spark, inputs, max_bytes=max_bytes, partitions=parts)
        # Partitioned by document as the joins on it are (into `parts` partitions): the
        # texts then stay in place when the alignment and the records join them.
        docs, read = steps.keep_cached(docs.repartition(parts, "doc"))
        if read == 0:
            raise _stemma.StemmaError("no documents were read")  # as the CLI and the single-task plan

        steps.start("anchors")
        banded = steps.keep(_banded(spark, docs, parts, anchor_ngram, min_df, max_df, skip_same_series, threads))
        boilerplate = sorted(r[0] for r in banded.where("kind = 1").select("value").collect())

        steps.start("pairs")
        candidates = (
            banded.where("kind = 0")
            .groupBy("value")
            .agg(F.sum("count").alias("shared"))
            .where(F.col("shared") >= min_shared)
            .select(F.shiftright("value", 32).alias("a"), (F.col("value").bitwiseAND(F.lit(0xFFFFFFFF))).alias("b"))
            .withColumn("block", block_of(spark, F.col("a"), parts))
        )
        candidates = steps.keep(candidates)
        steps.release(banded)

        steps.start("align")
        passages = steps.keep(_passages(sc, docs, candidates, parts, boilerplate, align_options, heavy, align_memory))
        steps.release(candidates)

        steps.start("nodes")
        nodes = steps.keep(_nodes(passages, parts, min_overlap, threads))
        steps.release(passages)
        x_side = nodes.where("within % 2 = 0 AND joins").select(
            "pair", (F.col("within") / 2).cast("long").alias("k"), F.col("node").alias("x"), "score"
        )
        y_side = nodes.where("within % 2 = 1 AND joins").select(
            "pair", ((F.col("within") - 1) / 2).cast("long").alias("k"), F.col("node").alias("y")
        )
        edges = steps.keep(x_side.join(y_side, ["pair", "k"]).where(F.col("x") != F.col("y")).select("x", "y", "score"))

        steps.start("components")
        components = connected_components(
            edges.select(F.col("x").alias("u"), F.col("y").alias("v")),
            partitions=parts,
            on_round=lambda n: steps.start(f"components {n + 1}"),
            **({} if driver_edges is None else {"driver_edges": driver_edges}),
        )
        steps.start("stars")
        tagged = edges.join(components.withColumnRenamed("node", "x"), "x")
        centres = tagged.repartition(parts, "component").mapInArrow(_star_batches(threads), "node long, centre long").where("centre != -1")
        centres = steps.keep(centres)
        steps.release(edges)

        steps.start("members")
        extents = nodes.select("node", "doc", "node_start", "node_end").dropDuplicates(["node"])
        members = centres.join(extents, "node").join(docs.select("doc", "id", "date"), "doc")
        ordered = steps.keep(
            members.repartition(parts, "centre").mapInArrow(
                _assemble_batches(threads),
                "centre long, doc long, start long, end long, date string, id string, rank long, size long, "
                "first_id string, first_start long, first_end long",
            )
        )
        steps.release(nodes, centres)

        steps.start("order")
        # Clusters numbered in the CLI's order: one row per cluster, sorted in one task.
        heads = ordered.where("rank = 0").select(
            "centre", "size", "first_id", "first_start", "first_end", F.when(F.col("date").isNotNull(), F.col("id")).alias("earliest")
        )
        by_order = Window.orderBy(F.col("size").desc(), "first_id", "first_start", "first_end", "centre")
        numbered = steps.keep(heads.select("centre", F.row_number().over(by_order).cast("long").alias("cluster"), "earliest"))

        steps.start("records")
        rows = ordered.select("centre", "doc", "start", "end", "rank", "size").join(numbered, "centre").join(
            docs.select("doc", "id", "series", "date", "title", "text", "extra"), "doc"
        )
        records = rows.select(
            "cluster", "rank", "size", "id", "series", "date", "title", "text", "extra", "start", "end", "earliest"
        ).mapInArrow(_record_batches(threads), "cluster long, rank long, record string")
        # Kept: the global sort samples its input, then sorts it (two passes).
        records = steps.keep(records).orderBy("cluster", "rank")
        steps.release(docs, ordered, numbered)
        if output is not None:
            records.select("record").write.mode("overwrite").text(os.fspath(output))
        return records
    finally:
        steps.close()


#: Input bytes per partition by default: a task's memory (its share of the anchor records,
#: of the pairs and their texts) then stays the same whatever the corpus's size.
PARTITION_BYTES = 64 << 20


def default_partitions(sc: Any, inputs: Optional[Sequence[str]]) -> int:
    """The shuffles' partitions of a job: twice Spark's default parallelism (two tasks a
    core, so that an uneven task does not leave a core idle), or one per
    :data:`PARTITION_BYTES` of ``inputs`` when that is more."""
    by_size = -(-input_bytes(inputs) // PARTITION_BYTES) if inputs else 0
    return max(2, sc.defaultParallelism * 2, by_size)


def input_bytes(inputs: Sequence[str]) -> int:
    """The bytes of the files ``inputs`` name (JSON Lines files and folders as the CLI walks
    them; Parquet files and folders), the size the ``auto`` plan goes by."""
    from .. import _stemma

    paths = [os.fspath(p) for p in inputs]
    if any(p.rstrip("/").endswith(".parquet") for p in paths):
        total = 0
        for p in paths:
            if os.path.isdir(p):
                total += sum(os.path.getsize(os.path.join(d, f)) for d, _, names in os.walk(p) for f in names)
            elif os.path.exists(p):
                total += os.path.getsize(p)
        return total
    return sum(os.path.getsize(p) for p, _, _ in _stemma.walk_inputs(paths) if os.path.exists(p))


def _task_cores(sc, threads: int) -> int:
    """Threads for a task that runs alone: ``threads`` when given (> 1), else the cores of an
    executor (``local[N]``'s N, or ``spark.executor.cores``)."""
    if threads > 1:
        return threads
    if sc.master.startswith("local"):
        return max(1, sc.defaultParallelism)
    return max(1, int(sc.getConf().get("spark.executor.cores", "1")))


def _single_task(source, read, threads, cluster_options, align_options):
    """Every document in one task, which runs the CLI's stages (:func:`stemma.arrow.reuse`)
    and yields the records in order (one partition, so the written part file is the CLI's).
    ``source``: documents, or what ``read`` (a function from batches to batches of
    documents) reads them from."""

    def whole_batches(batches):
        import pyarrow as pa
        import pyarrow.compute as pc

        from .. import _stemma, arrow as sa

        batch_list = [b for b in (read(batches) if read is not None else batches) if b.num_rows]
        if not batch_list:
            raise _stemma.StemmaError("no documents were read")  # as the CLI
        table = pa.Table.from_batches(batch_list).sort_by("doc")
        found = sa.reuse(table, threads=threads, **cluster_options, **align_options)
        for batch in found.select(["cluster", "rank", "record"]).to_batches(max_chunksize=8192):
            yield pa.RecordBatch.from_arrays(
                [pc.cast(batch.column(0), pa.int64()), pc.cast(batch.column(1), pa.int64()), pc.cast(batch.column(2), pa.string())],
                names=["cluster", "rank", "record"],
            )

    return source.coalesce(1).mapInArrow(whole_batches, "cluster long, rank long, record string")


def _banded(spark, docs, parts, anchor_ngram, min_df, max_df, skip_same_series, threads):
    """Anchors of each document, shuffled by anchor; per partition the pairs of documents of
    each anchor in the document-frequency band, counted (``kind`` 0: ``value`` is the pair
    ``a << 32 | b``), and the anchors above it (``kind`` 1: ``value`` is the anchor).

    The (anchor, document) records travel packed: per batch of documents, one row for each
    partition holding its records' columns as bytes (the JVM moves a few large rows instead
    of a row per record, ~150 a document)."""
    from pyspark.sql import functions as F

    from .blocks import partition_keys

    keys = partition_keys(spark, parts)

    def anchor_batches(batches):
        import numpy as np
        import pyarrow as pa

        from .. import arrow as sa

        for batch in batches:
            found = sa.anchors(batch.column("text"), anchor_ngram, threads=threads)
            anchor = found.column("anchor").to_numpy().view(np.int64)
            rows = found.column("row").to_numpy()
            columns = [anchor, batch.column("doc").to_numpy()[rows]]
            if skip_same_series:
                columns.append(batch.column("series_key").to_numpy()[rows])
            # The partition of an anchor: any function of it (anchors are hashes).
            part = (anchor.view(np.uint64) % np.uint64(parts)).astype(np.int64)
            order = np.argsort(part, kind="stable")
            bounds = np.searchsorted(part[order], np.arange(parts + 1))
            columns = [c[order] for c in columns]
            here = [p for p in range(parts) if bounds[p] < bounds[p + 1]]
            packed = [pa.array([c[bounds[p] : bounds[p + 1]].tobytes() for p in here], pa.binary()) for c in columns]
            yield pa.RecordBatch.from_arrays([pa.array([keys[p] for p in here], pa.int64())] + packed, names=packed_names)

    packed_names = ["part", "anchor", "doc"] + (["series_key"] if skip_same_series else [])
    anchor_schema = "part long, anchor binary, doc binary" + (", series_key binary" if skip_same_series else "")
    anchor_input = docs.select("doc", "text")
    if skip_same_series:
        # 0 is no series (a series hashing to 0 would read as none: one in 2^64).
        key = F.when(F.col("series").isNull(), F.lit(0)).otherwise(F.xxhash64("series"))
        anchor_input = docs.select("doc", "text", key.alias("series_key"))

    def band_batches(batches):
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        from .. import arrow as sa

        batch_list = list(batches)
        if not batch_list:
            return
        table = pa.Table.from_batches(batch_list)

        def unpacked(name):
            return pa.array(np.concatenate([np.frombuffer(b, np.int64) for b in table.column(name).to_pylist()]))

        series = unpacked("series_key") if skip_same_series else None
        pairs, boilerplate, _ = sa.band_pairs(
            unpacked("anchor"), unpacked("doc"), series,
            min_df=min_df, max_df=max_df, skip_same_series=skip_same_series, threads=threads,
        )
        packed = pc.bit_wise_or(pc.shift_left(pc.cast(pairs.column("a"), pa.uint64()), 32), pc.cast(pairs.column("b"), pa.uint64()))
        yield pa.RecordBatch.from_arrays(
            [pa.nulls(pairs.num_rows, pa.int8()).fill_null(0), pc.cast(packed, pa.int64(), safe=False), pc.cast(pairs.column("shared"), pa.int32())],
            names=["kind", "value", "count"],
        )
        yield pa.RecordBatch.from_arrays(
            [pa.nulls(len(boilerplate), pa.int8()).fill_null(1), pc.cast(boilerplate, pa.int64(), safe=False), pa.nulls(len(boilerplate), pa.int32()).fill_null(0)],
            names=["kind", "value", "count"],
        )

    anchor_table = anchor_input.mapInArrow(anchor_batches, anchor_schema)
    return anchor_table.repartition(parts, "part").mapInArrow(band_batches, "kind byte, value long, count int")


def _passages(sc, docs, candidates, parts, boilerplate, align_options, threads, align_memory):
    """Candidate pairs aligned in blocks by their first document, each block with the texts
    it needs: the passages kept, in each pair's order (``k``). A block's pairs are aligned a
    few at a time, as many as their analyzed texts fit in ``align_memory`` bytes."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from .. import arrow as sa
    from .blocks import pair_blocks, split_block

    boilerplate_b = sc.broadcast(np.array(boilerplate, dtype=np.int64).view(np.uint64))

    def align_batches(batches):
        block = split_block(batches)
        if block is None:
            return
        pairs, text, a, b = block
        found, _ = sa.align_pairs(
            text, a, b, pa.array(boilerplate_b.value, pa.uint64()), threads=threads, memory=align_memory, **align_options
        )
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

    return pair_blocks(docs, candidates, parts).mapInArrow(
        align_batches, "a long, b long, k long, a_start long, a_end long, b_start long, b_end long, score double, joins boolean"
    )


def _nodes(passages, parts, min_overlap, threads):
    """Each document's occurrences (its side of a passage) in one task, grouped into nodes
    (``node``: the document << 32 | its node number)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyspark.sql import functions as F

    from .. import arrow as sa

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

    return occurrences.repartition(parts, "doc").mapInArrow(
        node_batches, "pair long, within long, doc long, node long, node_start long, node_end long, score double, joins boolean"
    )


def _star_batches(threads):
    """Each task's whole components, star-clustered as the CLI does."""

    def star_batches(batches):
        import pyarrow as pa
        import pyarrow.compute as pc

        from .. import arrow as sa

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

    return star_batches


def _assemble_batches(threads):
    """Each task's whole clusters, their members ranked as the CLI does."""

    def assemble_batches(batches):
        import pyarrow as pa
        import pyarrow.compute as pc

        from .. import arrow as sa

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

    return assemble_batches


def _record_batches(threads):
    """The CLI's ``--out`` lines of member rows."""

    def record_batches(batches):
        import pyarrow as pa
        import pyarrow.compute as pc

        from .. import arrow as sa

        for batch in batches:
            lines = sa.cluster_records(batch, threads=threads)
            yield pa.RecordBatch.from_arrays(
                [batch.column("cluster"), batch.column("rank"), pc.cast(lines, pa.string())], names=["cluster", "rank", "record"]
            )

    return record_batches


def _rank_within(pair_rows):
    """0, 1, 2… within each run of equal values (the passages of one pair are consecutive)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    index = pa.array(range(len(pair_rows)), pa.int64())
    first = pc.cast(pc.index_in(pair_rows, value_set=pair_rows), pa.int64())
    return pc.subtract(index, first)

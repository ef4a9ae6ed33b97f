"""Pairs of documents in blocks, each block in one task with the texts its pairs need: the
alignment of ``reuse`` and the verification of ``dedup`` run this way.

A pair goes to the block of its first document (:func:`block_of`: one block a partition);
each text a block needs travels to it once, whichever of its pairs need it.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

def block_of(spark: Any, doc: Any, parts: int):
    """The block of pairs whose first document is ``doc``: a value that Spark's hash
    partitioning into ``parts`` sends to partition ``hash(doc) mod parts``, one block per
    partition. (``doc mod parts`` would not do: a handful of values hashed into as many
    partitions collide, and one task gets the work of several.)"""
    from pyspark.sql import functions as F

    # Longs, as spark.range's: an int literal would hash as an int, to other partitions.
    keys = F.array(*[F.lit(key).cast("long") for key in partition_keys(spark, parts)])
    return F.element_at(keys, (F.pmod(F.hash(doc), F.lit(parts)) + 1).cast("int"))


def partition_keys(spark: Any, parts: int) -> List[int]:
    """For each partition ``p`` of ``parts``, a long that Spark's hash partitioning (by a
    long column, into ``parts``) sends to ``p``."""
    from pyspark.sql import functions as F

    # Spark's hash partitioning is pmod(hash(key), parts), hash being F.hash's Murmur3.
    found: Dict[int, int] = {}
    size = parts * 16
    while len(found) < parts:
        rows = spark.range(0, size).select("id", F.pmod(F.hash("id"), F.lit(parts)).alias("p")).collect()
        for key, part in rows:
            found.setdefault(part, key)
        size *= 4
    return [found[p] for p in range(parts)]


def pair_blocks(docs: Any, candidates: Any, parts: int):
    """``candidates`` (``block``, ``a``, ``b``) and the texts of ``docs`` (``doc``, ``text``)
    they need, as rows of one DataFrame (pair rows: ``a``, ``b`` set; text rows: ``doc``,
    ``text`` set), partitioned by block: :func:`split_block` takes a task's rows apart."""
    from pyspark.sql import functions as F

    needed = candidates.select("block", F.col("a").alias("doc")).unionByName(candidates.select("block", F.col("b").alias("doc"))).distinct()
    texts = needed.join(docs.select("doc", "text"), "doc")
    no_long, no_text = F.lit(None).cast("long"), F.lit(None).cast("string")
    work = candidates.select("block", "a", "b", no_long.alias("doc"), no_text.alias("text")).unionByName(
        texts.select("block", no_long.alias("a"), no_long.alias("b"), "doc", "text")
    )
    return work.repartition(parts, "block")


def split_block(batches: Iterator) -> Optional[Tuple[Any, Any, Any, Any]]:
    """A task's rows of :func:`pair_blocks`: its pairs (a batch with ``a``, ``b``, sorted by
    ``a`` then ``b``, so that consecutive pairs share their first text), one copy of each
    text they need (several blocks of the task may need it) in the order of the documents,
    and each pair's rows ``a`` and ``b`` in those texts; ``None`` for no pairs.

    Each batch Spark hands over is taken apart as it comes and then dropped: the task holds
    its texts once (twice for a moment, while they are put in order), not the batches beside
    them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    a_parts, b_parts, doc_parts, text_parts = [], [], [], []
    for batch in batches:
        is_pair = pc.is_valid(batch.column("a"))
        pairs = batch.select(["a", "b"]).filter(is_pair)
        a_parts.append(pairs.column(0))
        b_parts.append(pairs.column(1))
        docs = batch.select(["doc", "text"]).filter(pc.invert(is_pair))
        doc_parts.append(docs.column(0))
        # Large strings: a block's texts may pass 2 GiB (the offsets are cast, not the text).
        text_parts.append(docs.column(1).cast(pa.large_string()))
        del batch, is_pair, pairs, docs
    if not a_parts or not sum(len(p) for p in a_parts):
        return None
    pairs = pa.RecordBatch.from_arrays([pa.concat_arrays(a_parts), pa.concat_arrays(b_parts)], names=["a", "b"])
    pairs = pairs.take(pc.sort_indices(pairs, [("a", "ascending"), ("b", "ascending")]))
    doc = pa.concat_arrays(doc_parts)
    text = pa.concat_arrays(text_parts)
    del text_parts
    # One copy of each text, in the order of the documents: a pair's rows then come in the
    # order of its documents, the order the CLI aligns them in.
    unique = pc.unique(doc).sort()
    text = text.take(pc.index_in(unique, value_set=doc))
    a = pc.index_in(pairs.column("a"), value_set=unique)
    b = pc.index_in(pairs.column("b"), value_set=unique)
    return pairs, text, a, b

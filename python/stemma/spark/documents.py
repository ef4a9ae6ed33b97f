"""Reading a corpus into a DataFrame of documents, as ``stemma reuse`` reads it.

JSON Lines files are cut into byte ranges (splits) and each task parses its ranges with the
Rust reader (:func:`stemma.arrow.parse_jsonl`), handing Arrow batches straight to Spark: no
document passes through Python objects or pickling. Line numbers (the CLI's default ids
``FILE:LINE``) come from a first, cheap pass that counts the line ends of each split.
"""

from __future__ import annotations

import os
from typing import Any, Iterator, List, Optional, Sequence, Tuple

#: The columns of a documents DataFrame, as Spark's DDL.
DOCUMENT_SCHEMA = "doc long, id string, series string, date string, title string, text string, extra string"

#: Bytes of a split: large enough that a task's fixed cost is small beside its parsing.
SPLIT_BYTES = 32 << 20

def read_documents(spark: Any, inputs: Sequence[str], *, max_bytes: int = 64 << 20, partitions: Optional[int] = None):
    """The documents of ``inputs`` as a DataFrame (``doc`` long: a number in the CLI's input
    order, ascending with it; ``id``, ``series``, ``date``, ``title``, ``text``, ``extra``).

    JSON Lines files and folders are walked and parsed as ``stemma reuse`` does (default ids
    ``FILE:LINE``, other fields kept in ``extra``); a Parquet file or folder (``.parquet``)
    is read with Spark and its documents ordered by ``id`` (then series, date, title,
    text). ``doc`` may skip numbers (blank lines keep theirs): only its order matters."""
    if _is_parquet(inputs):
        return _read_parquet(spark, inputs)
    splits, parse = jsonl_splits(spark, inputs, max_bytes=max_bytes, partitions=partitions)
    return splits.mapInArrow(parse, DOCUMENT_SCHEMA)


def jsonl_splits(spark: Any, inputs: Sequence[str], *, max_bytes: int = 64 << 20, partitions: Optional[int] = None):
    """The byte ranges of JSON Lines ``inputs`` as a DataFrame (``id``: the split's number,
    one a partition) and the function that parses them: from Arrow batches of split numbers
    to batches of documents (:data:`DOCUMENT_SCHEMA`), for ``mapInArrow`` alone
    (:func:`read_documents`) or inside a task's own function (the single-task plan)."""
    from .. import _stemma

    files = _stemma.walk_inputs([os.fspath(p) for p in inputs])
    if not files:
        raise _stemma.StemmaError("nothing to read: give files, folders or JSON Lines corpora")
    for path, _, is_jsonl in files:
        if not is_jsonl:
            raise _stemma.StemmaError(f"{path}: the Spark job reads JSON Lines (.jsonl) or Parquet")
        if not os.path.exists(path):
            raise _stemma.StemmaError(f"{path}: file not found")
    parts = partitions or spark.sparkContext.defaultParallelism
    splits = plan_splits([(os.path.abspath(p), i, os.path.getsize(p)) for p, i, _ in files], parts)
    sc = spark.sparkContext

    # The line ends before each split, for its first line number and its file's first
    # document number. The driver counts them (files are local or on a shared file system,
    # as `walk_inputs` walked them): a sequential scan, quicker than a job.
    first_line, first_doc = [], []
    docs_before = 0
    lines_before = 0
    last_path = None
    for split, path, _, start, end in splits:
        if path != last_path:
            if last_path is not None:
                docs_before += lines_before + 1  # + 1: a last line without a line end
            lines_before, last_path = 0, path
        first_line.append(lines_before)
        first_doc.append(docs_before)
        if split + 1 < len(splits):  # nothing comes after the last
            lines_before += count_newlines(path, start, end)
    plan = sc.broadcast((splits, first_line, first_doc))

    def parse_batches(batches: Iterator) -> Iterator:
        splits, lines_before, docs_before = plan.value
        for batch in batches:
            for split in batch.column(0).to_pylist():
                _, path, input_id, start, end = splits[split]
                yield from _parse_split(path, input_id, start, end, lines_before[split], docs_before[split], max_bytes)

    # Numbers only (no Python rows to convert): one split a partition.
    return spark.range(0, len(splits), 1, len(splits)), parse_batches


def _is_parquet(inputs: Sequence[str]) -> bool:
    """Whether ``inputs`` are Parquet (all of them; a mix is refused)."""
    from .. import _stemma

    parquet = [p for p in inputs if os.fspath(p).rstrip("/").endswith(".parquet")]
    if parquet and len(parquet) != len(inputs):
        raise _stemma.StemmaError("give either Parquet or JSON Lines inputs, not both")
    return bool(parquet)


def plan_splits(files: Sequence[Tuple[str, str, int]], partitions: int) -> List[Tuple[int, str, str, int, int]]:
    """Byte ranges of ``files`` (path, input id, size), in input order: (split number, path,
    input id, start, end). A file is cut into about ``partitions`` ranges of at most
    :data:`SPLIT_BYTES`; a line belongs to the range holding its first byte.

    >>> plan_splits([("a.jsonl", "a.jsonl", 10), ("b.jsonl", "b.jsonl", 0)], 2)
    [(0, 'a.jsonl', 'a.jsonl', 0, 5), (1, 'a.jsonl', 'a.jsonl', 5, 10), (2, 'b.jsonl', 'b.jsonl', 0, 0)]
    """
    total = sum(size for _, _, size in files)
    step = max(1, min(SPLIT_BYTES, -(-total // max(1, partitions))))
    splits: List[Tuple[int, str, str, int, int]] = []
    for path, input_id, size in files:
        start = 0
        while True:
            end = min(size, start + step)
            splits.append((len(splits), path, input_id, start, end))
            if end >= size:
                break
            start = end
    return splits


def count_newlines(path: str, start: int, end: int) -> int:
    """The line ends in bytes [``start``, ``end``) of the file at ``path``."""
    newlines = 0
    with open(path, "rb") as f:
        f.seek(start)
        left = end - start
        while left > 0:
            chunk = f.read(min(left, 16 << 20))
            if not chunk:
                break
            newlines += chunk.count(b"\n")
            left -= len(chunk)
    return newlines


def split_lines(f: Any, start: int, end: int) -> Tuple[int, bytes]:
    """The lines whose first byte lies in [``start``, ``end``) of the open binary file ``f``,
    as bytes (whole lines, each with its line end but perhaps the last), and how many line
    ends lie in [``start``, first line) (0 or 1). :func:`stemma.arrow.lines` cuts them."""
    if start > 0:
        f.seek(start - 1)
        data = f.read(end - start + 1)
        first = data.find(b"\n")
        if first < 0 or start + first >= end:
            return 0, b""
        skipped = 1 if first > 0 else 0
        body = data[first + 1 :]
    else:
        f.seek(0)
        body = f.read(end)
        skipped = 0
    if not body or body.endswith(b"\n"):
        return skipped, body
    # The last line runs past the range: read on to its end.
    tail = []
    while True:
        chunk = f.read(1 << 16)
        if not chunk:
            break
        cut = chunk.find(b"\n")
        if cut >= 0:
            tail.append(chunk[:cut])
            break
        tail.append(chunk)
    return skipped, body + b"".join(tail)


def _parse_split(path: str, input_id: str, start: int, end: int, lines_before: int, docs_before: int, max_bytes: int) -> Iterator:
    import pyarrow as pa
    import pyarrow.compute as pc

    from .. import arrow as sa

    with open(path, "rb") as f:
        skipped, body = split_lines(f, start, end)
    lines = sa.lines(body)
    first = lines_before + skipped + 1  # the first line's 1-based number in its file
    batch_lines = 8192
    for at in range(0, len(lines), batch_lines):
        text = lines.slice(at, batch_lines)
        numbers = pa.array(range(first + at, first + at + len(text)), pa.uint64())
        records = sa.parse_jsonl(path, input_id, numbers, text, max_bytes=max_bytes)
        doc = pc.add(pc.cast(records.column("line"), pa.int64()), docs_before - 1)
        yield pa.RecordBatch.from_arrays(
            [doc] + [pc.cast(records.column(n), pa.string()) for n in ("id", "series", "date", "title", "text", "extra")],
            names=["doc", "id", "series", "date", "title", "text", "extra"],
        )


def _read_parquet(spark: Any, paths: Sequence[str]):
    from pyspark.sql import functions as F

    from .. import _stemma

    df = spark.read.parquet(*paths)
    if "text" not in df.columns:
        raise _stemma.StemmaError(f"{paths[0]}: no 'text' column")
    names = ("id", "series", "date", "title")
    cols = [F.col(c).cast("string") if c in df.columns else F.lit(None).cast("string") for c in names]
    df = df.select(*[c.alias(n) for c, n in zip(cols, names)], F.col("text"), F.lit(None).cast("string").alias("extra"))
    # Numbered in id order; rows of one id by their other fields, so that the numbers do not
    # depend on how Spark split the files (rows equal in every field are interchangeable).
    rows = df.orderBy(*names, "text").rdd.zipWithIndex().map(lambda t: (t[1],) + tuple(t[0]))
    return spark.createDataFrame(rows, DOCUMENT_SCHEMA)

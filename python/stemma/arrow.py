"""Batch functions over Apache Arrow, for engines that hand over columns, not rows.

Each stage of ``stemma reuse`` is one function, pyarrow arrays in and out (read in place
through the Arrow C data interface; results handed over without a copy):

1. :func:`anchors` — the distinct anchors (hashed 3-word n-grams of content stems) of each
   text of a batch;
2. :func:`band_pairs` — for every record of some anchors: the pairs of documents of each
   anchor in the document-frequency band, counted, and the boilerplate anchors;
3. :func:`align_pairs` — each candidate pair of a batch aligned, passages kept as reuse;
4. :func:`group_spans`, :func:`star_clusters`, :func:`assemble_clusters` — passages'
   spans grouped into nodes per document, the star clustering of whole connected components
   of the alignment graph, and each cluster's members in order;
5. :func:`parse_jsonl` and :func:`cluster_records` — reading passim-style records and
   writing the CLI's cluster records.

``stemma dedup`` too: :func:`dedup` runs it over a table in this process (the CLI's records
as columns), and its stages are :func:`dedup_sketch`, :func:`dedup_bucket_pairs`,
:func:`dedup_verify`, :func:`dedup_clusters` and :func:`dedup_records` (the Spark job's).

:func:`reuse` runs them all in this process, as an engine would: its records equal the CLI's
``--out`` lines. Every function releases the GIL and takes a thread count.

>>> import pyarrow as pa
>>> batch = anchors(pa.array(["red fox jumps high", "one"]))
>>> batch.column("row").to_pylist()
[0, 0]
"""

from __future__ import annotations

import os
from typing import Any, Dict, Optional, Tuple

import pyarrow as pa

from . import _stemma

# pyarrow.compute is imported by the functions that use it: the in-process pipeline needs
# none of it, and its import is a sixth of `import stemma.arrow`.

#: The centre of a node that is in no cluster.
NO_CLUSTER = (1 << 64) - 1

_LOW32 = (1 << 32) - 1


class _Exported:
    """A (schema, array) capsule pair from the native module, for ``pa.array``."""

    __slots__ = ("_capsules",)

    def __init__(self, capsules: Tuple[Any, Any]) -> None:
        self._capsules = capsules

    def __arrow_c_array__(self, requested_schema: Any = None) -> Tuple[Any, Any]:
        return self._capsules


def _array(capsules: Tuple[Any, Any]) -> pa.Array:
    return pa.array(_Exported(capsules))


def _column(values: Any) -> pa.Array:
    """An array from an Array, a ChunkedArray (combined) or a Python sequence."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if isinstance(values, pa.Array):
        return values
    return pa.array(values)


def anchors(texts: Any, ngram: int = 3, *, threads: Optional[int] = None) -> pa.RecordBatch:
    """The distinct anchors of each text: a batch of (``row``: uint32, the text's row;
    ``anchor``: uint64), in row order, each row's anchors ascending."""
    rows, hashes = _stemma.anchors(_column(texts), ngram, threads)
    return pa.RecordBatch.from_arrays([_array(rows), _array(hashes)], names=["row", "anchor"])


def band_pairs(
    anchor: Any,
    doc: Any,
    series: Any = None,
    *,
    min_df: int = 2,
    max_df: int = 100,
    skip_same_series: bool = False,
    min_shared: int = 1,
    threads: Optional[int] = None,
) -> Tuple[pa.RecordBatch, pa.Array, Dict[str, int]]:
    """Document pairs of the anchors in the band, from (anchor, doc) records holding every
    record of each of their anchors (an engine partitions the table by anchor). ``series``
    (an integer key per record, 0 for none) is needed only with ``skip_same_series``.
    ``min_shared`` drops the pairs sharing fewer anchors here: the candidates, when the
    records are all of the corpus's (an engine sums the counts of its batches first).

    Returns a batch of (``a``, ``b``: uint32, a < b; ``shared``: uint32, anchors they
    share here), sorted by (a, b); the boilerplate anchors (above ``max_df``, ascending);
    and the counts ``anchors_in_band`` and ``anchors_over_max_df``."""
    a, b, counts, boilerplate, in_band, over = _stemma.band_pairs(
        _column(anchor), _column(doc), None if series is None else _column(series),
        min_df, max_df, skip_same_series, min_shared, threads,
    )
    batch = pa.RecordBatch.from_arrays([_array(a), _array(b), _array(counts)], names=["a", "b", "shared"])
    return batch, _array(boilerplate), {"anchors_in_band": in_band, "anchors_over_max_df": over}


#: The alignment options of ``stemma reuse`` (``None``: the CLI's default).
ALIGN_DEFAULTS: Dict[str, Any] = {
    "ngram": None,
    "min_words": None,
    "max_gap": None,
    "min_identity": None,
    "sentence_seeds": True,
    "all_alignments": False,
    "anchor_ngram": 3,
    "max_df": 100,
    "min_shared": 2,
    "min_anchor_density": 0.0,
}


def align_pairs(
    texts: Any,
    a: Any,
    b: Any,
    boilerplate: Any = None,
    *,
    threads: Optional[int] = None,
    memory: Optional[int] = None,
    **options: Any,
) -> Tuple[pa.RecordBatch, int]:
    """Align each pair (``a[i]``, ``b[i]``) of rows of ``texts``; passages resting on the
    ``boilerplate`` anchors alone, or short and not close, are dropped (as ``stemma
    reuse``). ``options``: see :data:`ALIGN_DEFAULTS`. ``memory``: bytes the analyzed texts
    may take at once (about 8 a byte of text; 512 MiB by default, as the CLI's default
    ``--memory`` allows): consecutive pairs are aligned together while their texts fit, so
    pairs sorted by ``a`` analyze each text fewer times.

    Returns a batch with one row per passage kept, in pair order: ``pair`` (row of its pair),
    ``a``, ``b``, byte spans ``a_start``, ``a_end``, ``b_start``, ``b_end``, ``a_tokens``,
    ``b_tokens``, ``matched``, ``identity``, ``score``, ``kind``, ``shared_anchors``, and
    ``joins`` (whether it may join a cluster); and the number of passages dropped."""
    unknown = set(options) - set(ALIGN_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown options: {', '.join(sorted(unknown))}")
    o = {**ALIGN_DEFAULTS, **options}
    if boilerplate is None:
        boilerplate = pa.array([], pa.uint64())
    columns, dropped = _stemma.align_pairs(
        _column(texts), _column(a), _column(b), _column(boilerplate),
        o["ngram"], o["min_words"], o["max_gap"], o["min_identity"], o["sentence_seeds"], o["all_alignments"],
        o["anchor_ngram"], o["max_df"], o["min_shared"], o["min_anchor_density"], threads, memory,
    )
    names = list(columns)
    return pa.RecordBatch.from_arrays([_array(columns[n]) for n in names], names=names), dropped


def group_spans(
    doc: Any, start: Any, end: Any, pair: Any, within: Any, *, min_overlap: float = 0.8,
    threads: Optional[int] = None,
) -> pa.RecordBatch:
    """Occurrences (a passage's span in a document) grouped per document into nodes; every
    occurrence of a document must be in the batch; (``pair``, ``within``) breaks ties:
    integers in the order of the passage's rank among all passages, then of its side (0 for
    ``a``, 1 for ``b``). Returns, per occurrence, ``node`` (its node's number within its
    document), ``node_start`` and ``node_end`` (the node's extent)."""
    node, node_start, node_end = _stemma.group_spans(
        _column(doc), _column(start), _column(end), _column(pair), _column(within), min_overlap, threads
    )
    return pa.RecordBatch.from_arrays(
        [_array(node), _array(node_start), _array(node_end)], names=["node", "node_start", "node_end"]
    )


def star_clusters(
    component: Any, x: Any, y: Any, score: Any, *, threads: Optional[int] = None
) -> pa.RecordBatch:
    """Star clustering of whole connected components: edges (x, y, score) between nodes
    numbered in the crate's node order (document row << 32 | node), tagged with their
    component. Returns each ``node`` and its ``centre`` (:data:`NO_CLUSTER` for none)."""
    nodes, centres = _stemma.star_clusters(
        _column(component), _column(x), _column(y), _column(score), threads
    )
    return pa.RecordBatch.from_arrays([_array(nodes), _array(centres)], names=["node", "centre"])


def assemble_clusters(
    centre: Any, node: Any, id: Any, date: Any, start: Any, end: Any, *, threads: Optional[int] = None
) -> pa.RecordBatch:
    """Members of whole clusters in order: per node row, ``rank`` in its cluster and the
    cluster's order key (``size``, ``first_id``, ``first_start``, ``first_end``; clusters
    sort by size descending, then the rest ascending, then centre)."""
    rank, size, first_id, first_start, first_end = _stemma.assemble_clusters(
        _column(centre), _column(node), _column(id), _column(date), _column(start), _column(end), threads
    )
    return pa.RecordBatch.from_arrays(
        [_array(rank), _array(size), _array(first_id), _array(first_start), _array(first_end)],
        names=["rank", "size", "first_id", "first_start", "first_end"],
    )


def parse_jsonl(input_path: str, input_id: str, line: Any, text: Any, *, max_bytes: int = 64 << 20) -> pa.RecordBatch:
    """Records of JSON Lines (passim's fields) as ``stemma reuse`` reads them: the lines of
    the file ``input_path`` (default ids ``INPUT_ID:LINE``) with their 1-based numbers.
    Returns ``line``, ``id``, ``series``, ``date``, ``title``, ``text`` and ``extra`` (the
    record's other fields as JSON, or null); blank lines are skipped, a bad line raises
    :class:`stemma.StemmaError` with the CLI's message."""
    columns = _stemma.parse_jsonl(input_path, input_id, _column(line), _column(text), max_bytes)
    names = list(columns)
    return pa.RecordBatch.from_arrays([_array(columns[n]) for n in names], names=names)


def cluster_records(batch: pa.RecordBatch, *, threads: Optional[int] = None) -> pa.Array:
    """The CLI's ``--out`` lines (JSON, without line ends) of member rows with columns
    ``cluster``, ``size``, ``id``, ``series``, ``date``, ``title``, ``text``, ``extra``,
    ``start``, ``end`` (bytes) and ``earliest`` (the cluster's earliest witness id, or
    null)."""
    c = batch.column
    return _array(
        _stemma.cluster_records(
            c("cluster"), c("size"), c("id"), c("series"), c("date"), c("title"), c("text"),
            c("extra"), c("start"), c("end"), c("earliest"), threads,
        )
    )


def lines(data: bytes) -> pa.Array:
    """The lines of ``data`` without their line ends (``\\n``), as a ``large_string`` array
    over one copy of the bytes (no Python object per line); a last line without a line end
    counts, nothing after a final line end does. Invalid UTF-8 raises ``ArrowInvalid``.

    >>> lines(b"a\\n\\nbc").to_pylist()
    ['a', '', 'bc']
    """
    import numpy as np
    import pyarrow.compute as pc

    if data and not data.endswith(b"\n"):
        data += b"\n"
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10)
    offsets = np.empty(len(ends) + 1, np.int64)
    offsets[0] = 0
    offsets[1:] = ends + 1
    with_ends = pa.LargeBinaryArray.from_buffers(pa.large_binary(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return pc.cast(pc.binary_slice(with_ends, 0, -1), pa.large_string())


def read_jsonl(*paths: Any, max_bytes: int = 64 << 20, threads: Optional[int] = None) -> pa.Table:
    """The documents of JSON Lines corpora (files, or folders walked as ``stemma reuse``
    walks them), read as the CLI reads them, in its order: ``line``, ``id``, ``series``,
    ``date``, ``title``, ``text``, ``extra``, as :func:`parse_jsonl` gives them."""
    columns = _stemma.read_jsonl([os.fspath(p) for p in paths], max_bytes, threads)
    return pa.Table.from_batches([pa.RecordBatch.from_arrays([_array(c) for c in columns.values()], names=list(columns))])


def _texts(values: Any) -> pa.Array:
    """A column of strings as the native module reads them (utf8, large or view: in place)."""
    column = _column(values)
    t = column.type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return column
    import pyarrow.compute as pc

    return pc.cast(column, pa.large_string())


def _strings(table: pa.Table, name: str) -> pa.Array:
    import pyarrow.compute as pc

    if name in table.column_names:
        return pc.cast(_column(table[name]), pa.large_string())
    return pa.nulls(table.num_rows, pa.large_string())


def reuse(
    table: pa.Table,
    *,
    min_df: int = 2,
    skip_same_series: bool = False,
    min_overlap: float = 0.8,
    threads: Optional[int] = None,
    **options: Any,
) -> pa.Table:
    """``stemma reuse`` over a table of documents (``text``, and optionally ``id``,
    ``series``, ``date``, ``title``, ``extra`` as JSON), in this process, stage by stage over
    Arrow. Returns the cluster members in the CLI's order: ``cluster``, ``rank``, ``size``,
    ``doc`` (row), ``start``, ``end`` (bytes) and ``record`` (the CLI's ``--out`` line).
    ``options``: see :data:`ALIGN_DEFAULTS`."""
    o = {**ALIGN_DEFAULTS, **options}
    texts = _texts(table["text"])
    if len(texts) == 0:
        raise _stemma.StemmaError("no documents were read")  # as the CLI

    # 1–3. Anchors, band, candidate pairs.
    anchor_batch = anchors(texts, o["anchor_ngram"], threads=threads)
    series_key = None
    if skip_same_series:
        import pyarrow.compute as pc

        codes = pc.dictionary_encode(_strings(table, "series")).indices
        keys = pc.fill_null(pc.add(pc.cast(codes, pa.uint64()), pa.scalar(1, pa.uint64())), 0)
        series_key = pc.take(keys, anchor_batch.column("row"))
    candidates, boilerplate, _ = band_pairs(
        anchor_batch.column("anchor"), anchor_batch.column("row"), series_key, min_df=min_df, max_df=o["max_df"],
        skip_same_series=skip_same_series, min_shared=o["min_shared"], threads=threads,
    )
    del anchor_batch

    # 4. Alignment: passages in candidate order, as the CLI's.
    passages, _ = align_pairs(texts, candidates.column("a"), candidates.column("b"), boilerplate, threads=threads, **options)

    # 5. Clusters, and their members' records.
    return cluster_passages(passages, table, min_overlap=min_overlap, threads=threads)


def cluster_passages(
    passages: pa.RecordBatch, documents: Any, *, min_overlap: float = 0.8, threads: Optional[int] = None
) -> pa.Table:
    """Stage 5 for every passage of a corpus at once, as ``stemma reuse`` runs it (an engine
    holding them all in one task; else :func:`group_spans`, :func:`star_clusters`,
    :func:`assemble_clusters` and :func:`cluster_records` over its components): the
    passages of :func:`align_pairs` (columns ``a``, ``b``, spans, ``score``, ``joins``, in
    candidate order) grouped into nodes, star-clustered, and the members written.
    ``documents``: a table (or batch) with ``text`` and optionally ``id`` (else the row
    number), ``series``, ``date``, ``title``, ``extra``. Returns the members in the CLI's
    order: ``cluster``, ``rank``, ``size``, ``doc`` (row), ``start``, ``end`` (bytes) and
    ``record`` (the CLI's ``--out`` line)."""
    names = ["a", "b", "a_start", "a_end", "b_start", "b_end", "score", "joins"]
    found = {n: passages.column(n) for n in names}
    docs = {n: _texts(documents[n]) for n in ["text", "id", "series", "date", "title", "extra"] if n in documents.column_names}
    columns = _stemma.cluster_passages(found, docs, min_overlap, threads)
    return pa.table({n: _array(c) for n, c in columns.items()})


def dedup(
    table: pa.Table,
    *,
    threshold: float = 0.8,
    ngram: int = 5,
    num_perm: int = 128,
    bands: Optional[int] = None,
    keep: str = "first",
    memory: int = 2 << 30,
    tmp: Optional[str] = None,
    threads: Optional[int] = None,
) -> pa.Table:
    """``stemma dedup`` over a table of documents (``text``, and optionally ``id`` and
    ``date``), in row order, in this process. Returns one row per document with the CLI's
    record fields: ``id``, ``cluster`` (null: no duplicate), ``kept``, ``duplicate_of`` (the
    kept document's id, null when kept), ``similarity`` (null when kept), ``exact``,
    ``words``, ``bytes``; and ``kept_row``, the kept document's row. The summary (``stemma
    dedup --json``) is in the table's metadata under ``b"summary"``.

    >>> import pyarrow as pa
    >>> text = "one two three four five six seven eight nine ten eleven twelve"
    >>> t = dedup(pa.table({"id": ["a", "b", "c"], "text": [text, text.upper(), "something else entirely here"]}))
    >>> t.column("duplicate_of").to_pylist()
    [None, 'a', None]
    """
    import pyarrow.compute as pc

    texts = pc.cast(_column(table["text"]), pa.large_string())
    n = len(texts)
    ids = _strings(table, "id") if "id" in table.column_names else pa.array([str(i) for i in range(n)], pa.large_string())
    dates = _strings(table, "date") if "date" in table.column_names else None
    columns, summary = _stemma.dedup_batch(
        texts, dates, threshold, ngram, num_perm, bands, keep, memory, os.fspath(tmp) if tmp is not None else None, threads
    )
    c = {name: _array(capsules) for name, capsules in columns.items()}
    duplicate_of = pc.if_else(c["kept"], pa.scalar(None, pa.large_string()), pc.take(ids, c["kept_row"]))
    out = pa.table(
        {
            "id": ids,
            "cluster": c["cluster"],
            "kept": c["kept"],
            "duplicate_of": duplicate_of,
            "similarity": c["similarity"],
            "exact": c["exact"],
            "words": c["words"],
            "bytes": c["bytes"],
            "kept_row": c["kept_row"],
        }
    )
    return out.replace_schema_metadata({"summary": summary})


def dedup_sketch(
    texts: Any, *, ngram: int = 5, num_perm: int = 128, bands: int = 21, rows: int = 6, threads: Optional[int] = None
) -> Tuple[pa.RecordBatch, pa.RecordBatch]:
    """Stage 1 of ``stemma dedup``: per text, its ``words``, ``bytes`` and normalized-text
    ``hash`` (equal for exact duplicates); and its LSH band keys as (``row``, ``key``)."""
    words, nbytes, hashes, rows_, keys = _stemma.dedup_sketch(_column(texts), ngram, num_perm, bands, rows, threads)
    per_text = pa.RecordBatch.from_arrays([_array(words), _array(nbytes), _array(hashes)], names=["words", "bytes", "hash"])
    per_key = pa.RecordBatch.from_arrays([_array(rows_), _array(keys)], names=["row", "key"])
    return per_text, per_key


def dedup_bucket_pairs(key: Any, doc: Any, *, max_bucket: Optional[int] = None, threads: Optional[int] = None) -> pa.RecordBatch:
    """Stage 2: the distinct candidate pairs (``a`` < ``b``) of documents sharing a band key,
    from (key, doc) rows holding every row of each key present."""
    a, b = _stemma.dedup_bucket_pairs(_column(key), _column(doc), max_bucket, threads)
    return pa.RecordBatch.from_arrays([_array(a), _array(b)], names=["a", "b"])


def dedup_verify(texts: Any, a: Any, b: Any, *, ngram: int = 5, threshold: float = 0.8, threads: Optional[int] = None) -> pa.RecordBatch:
    """Stage 3: pairs (``a``, ``b``: rows of ``texts``) on the exact Jaccard of their
    shingles; returns ``pair`` (the row of each pair reaching ``threshold``) and its
    ``similarity``."""
    rows, similarity = _stemma.dedup_verify(_column(texts), _column(a), _column(b), ngram, threshold, threads)
    return pa.RecordBatch.from_arrays([_array(rows), _array(similarity)], names=["pair", "similarity"])


def dedup_clusters(nodes: Any, edges: Any, *, keep: str = "first", threads: Optional[int] = None) -> pa.RecordBatch:
    """Stage 4: star clusters of whole components. ``nodes``: ``component``, ``doc`` (input
    order), ``group`` (its exact-duplicate representative: the first document of its
    normalized text), ``date``, ``words``, ``bytes``; ``edges``: ``component``, ``a``, ``b``,
    ``similarity``. Returns per node row: ``kept`` (its kept document), ``similarity``,
    ``exact``, ``clustered``; clusters are numbered by kept document."""
    n, e = nodes.column, edges.column
    kept, similarity, exact, clustered = _stemma.dedup_clusters(
        _column(n("component")), _column(n("doc")), _column(n("group")), _column(n("date")),
        _column(n("words")), _column(n("bytes")),
        _column(e("component")), _column(e("a")), _column(e("b")), _column(e("similarity")), keep, threads,
    )
    return pa.RecordBatch.from_arrays(
        [_array(kept), _array(similarity), _array(exact), _array(clustered)], names=["kept", "similarity", "exact", "clustered"]
    )


def dedup_records(batch: Any, *, threads: Optional[int] = None) -> pa.Array:
    """The CLI's ``--out`` lines of rows with ``id``, ``cluster`` (0: none),
    ``duplicate_of`` (null when kept), ``similarity``, ``exact``, ``words``, ``bytes``."""
    c = batch.column
    return _array(
        _stemma.dedup_records(
            _column(c("id")), _column(c("cluster")), _column(c("duplicate_of")), _column(c("similarity")),
            _column(c("exact")), _column(c("words")), _column(c("bytes")), threads,
        )
    )

"""stemma: where did these words come from?

Plain functions for notebooks, each doing what a ``stemma`` command does and returning the
same data as its ``--json`` output, as typed objects (``.to_dict()`` gives the JSON back):

>>> import stemma
>>> c = stemma.compare("The quick brown fox jumps over the lazy dog near the river bank today.",
...                    "Yesterday the quick brown fox jumps over the lazy dog near the river bank.")
>>> c.summary.passages, c.passages[0].kind
(1, 'verbatim')

- :func:`compare` — every passage two documents share (``stemma compare``);
- :func:`diff` — version comparison by clauses (``stemma diff``);
- :class:`Index` — a persistent corpus: ``add``, ``trace``, ``search`` (``stemma index``,
  ``stemma trace``);
- :func:`reuse` — passages reused across a corpus, clustered (``stemma reuse``);
- :func:`dedup` — near-duplicate documents, clustered around the one kept (``stemma dedup``).

Batch functions over Apache Arrow are in :mod:`stemma.arrow`, the PySpark jobs in
:mod:`stemma.spark`. A text is given as ``str``; a file as ``pathlib.Path`` (read as the CLI
reads it: format, encoding, id). Work runs without the GIL, on ``threads`` threads (all cores
by default). Bad input raises :class:`StemmaError` with the CLI's message.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import _stemma
from ._stemma import StemmaError
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._types import (
        AddResult,
        AlignedPassage,
        Change,
        Clause,
        ClusterMember,
        Comparison,
        CompareSummary,
        Dedup,
        DedupRecord,
        DedupSummary,
        Diff,
        DiffSummary,
        DocumentInfo,
        Passage,
        Reuse,
        ReuseSummary,
        SearchHit,
        SearchResult,
        Segment,
        Span,
        Trace,
        TraceSource,
        TraceSummary,
        Version,
    )

#: The result classes, from :mod:`stemma._types`, loaded when first used: an engine's
#: ``import stemma.arrow`` needs none of them (they cost a first call ~1 ms).
_RESULT_TYPE_NAMES = (
    "AddResult",
    "AlignedPassage",
    "Change",
    "Clause",
    "ClusterMember",
    "Comparison",
    "CompareSummary",
    "Dedup",
    "DedupRecord",
    "DedupSummary",
    "Diff",
    "DiffSummary",
    "DocumentInfo",
    "Passage",
    "Reuse",
    "ReuseSummary",
    "SearchHit",
    "SearchResult",
    "Segment",
    "Span",
    "Trace",
    "TraceSource",
    "TraceSummary",
    "Version",
)
_RESULT_TYPES = frozenset(_RESULT_TYPE_NAMES)


def _results():
    """:mod:`stemma._types`, loaded."""
    from . import _types

    return _types


def __getattr__(name: str) -> Any:
    if name in _RESULT_TYPES:
        return getattr(_results(), name)
    raise AttributeError(f"module 'stemma' has no attribute {name!r}")


__version__ = _stemma.__version__

__all__ = [
    "StemmaError",
    "compare",
    "diff",
    "Index",
    "reuse",
    "dedup",
    *_RESULT_TYPE_NAMES,
]

#: The CLI's default ``--max-bytes``: larger inputs are refused.
MAX_BYTES = 64 << 20

Document = Union[str, "os.PathLike[str]"]


def _source(doc: Document, what: str) -> Tuple[Optional[str], Optional[str]]:
    """(path, text) of a document argument: a ``str`` is a text, a path-like a file."""
    if isinstance(doc, str):
        return None, doc
    if isinstance(doc, os.PathLike):
        return os.fspath(doc), None
    raise TypeError(f"{what}: expected a text (str) or a file (pathlib.Path), not {type(doc).__name__}")


def compare(
    a: Document,
    b: Document,
    *,
    ngram: Optional[int] = None,
    min_words: Optional[int] = None,
    max_gap: Optional[int] = None,
    min_identity: Optional[float] = None,
    sentence_seeds: bool = True,
    all_alignments: bool = False,
    max_bytes: int = MAX_BYTES,
    threads: Optional[int] = None,
    a_id: str = "a",
    b_id: str = "b",
) -> Comparison:
    """Every passage ``a`` and ``b`` share, as ``stemma compare A B --json``.

    Options are the CLI's (``None``: its default): ``ngram`` (3), ``min_words`` (12),
    ``max_gap`` (40), ``min_identity`` (0), ``sentence_seeds`` (off is
    ``--no-sentence-seeds``), ``all_alignments`` (``--all-alignments``). Texts get the ids ``a_id`` and ``b_id``; files their names.

    >>> shared = "Everyone is permitted to copy and distribute verbatim copies of this license document."
    >>> c = compare(f"Preamble. {shared}", f"{shared} The end.")
    >>> (c.passages[0].a.start, c.passages[0].b.start, c.summary.kinds)
    (10, 0, {'verbatim': 1})
    """
    a_path, a_text = _source(a, "a")
    b_path, b_text = _source(b, "b")
    out = _stemma.compare(
        a_path, a_text, a_id, b_path, b_text, b_id,
        ngram, min_words, max_gap, min_identity, sentence_seeds, all_alignments, max_bytes, threads,
    )
    return _results().Comparison.from_dict(json.loads(out))


def diff(
    old: Document,
    new: Document,
    *,
    granularity: str = "clause",
    ignore_case: bool = False,
    ignore_punctuation: bool = False,
    ignore_numbering: bool = False,
    deadline_ms: int = 3000,
    max_bytes: int = MAX_BYTES,
    threads: Optional[int] = None,
    old_id: str = "old",
    new_id: str = "new",
) -> Diff:
    """Version comparison by numbered points and clauses, as ``stemma diff OLD NEW --json``.

    ``granularity`` is ``"clause"``, ``"paragraph"`` or ``"sentence"``.

    >>> d = diff("1. Pay within 30 days.\\n2. Ship by air.\\n", "1. Ship by air.\\n")
    >>> d.summary.counts["removed"], d.summary.counts["renumbered"]
    (1, 1)
    """
    old_path, old_text = _source(old, "old")
    new_path, new_text = _source(new, "new")
    out = _stemma.diff(
        old_path, old_text, old_id, new_path, new_text, new_id,
        granularity, ignore_case, ignore_punctuation, ignore_numbering, deadline_ms, max_bytes, threads,
    )
    return _results().Diff.from_dict(json.loads(out))


def _records(items: Iterable[Any]) -> Tuple[List[str], List[str]]:
    """Split items into paths and JSON records (one line each)."""
    paths: List[str] = []
    lines: List[str] = []
    for item in items:
        if isinstance(item, Mapping):
            lines.append(json.dumps(item, ensure_ascii=False))
        elif isinstance(item, (str, os.PathLike)):
            paths.append(os.fspath(item))
        else:
            raise TypeError(f"expected a path or a record (dict), not {type(item).__name__}")
    return paths, lines


class Index:
    """A stemma index: a folder of tantivy segments (``stemma index``).

    >>> import tempfile
    >>> ix = Index(tempfile.mkdtemp() + "/ix")
    >>> ix.add([{"id": "gpl", "text": "This program is free software; you can redistribute it and/or modify it."}]).added
    1
    >>> [h.id for h in ix.search("redistribute").hits]
    ['gpl']
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"] = ".stemma", *, create: bool = True) -> None:
        """Open the index at ``path``; create it when it does not exist and ``create``."""
        self.path = os.fspath(path)
        self._native = _stemma.NativeIndex(self.path, create)

    def add(
        self,
        items: Iterable[Any],
        *,
        source: Optional[str] = None,
        date: Optional[str] = None,
        max_bytes: int = MAX_BYTES,
        threads: Optional[int] = None,
    ) -> AddResult:
        """Add files, folders, JSON Lines corpora (paths) and records (dicts with ``text`` and
        optionally ``id``, ``title``, ``source``/``series``, ``date``, ``lang``), as ``stemma
        index add --strict``: the first input that cannot be read raises and nothing is
        added. A document whose id exists is replaced unless unchanged. ``source`` and
        ``date`` are set on every document added."""
        paths, lines = _records(items)
        added, replaced, unchanged = self._native.add(paths, lines, source, date, max_bytes, threads)
        return _results().AddResult(added, replaced, unchanged)

    def trace(
        self,
        doc: Optional[Document] = None,
        *,
        id: Optional[str] = None,
        candidates: int = 30,
        max_df: Optional[int] = None,
        ngram: Optional[int] = None,
        min_words: Optional[int] = None,
        max_gap: Optional[int] = None,
        min_identity: Optional[float] = None,
        sentence_seeds: bool = True,
        all_alignments: bool = False,
        max_bytes: int = MAX_BYTES,
        threads: Optional[int] = None,
        doc_id: str = "doc",
        cross_lingual: str = "auto",
        xling_candidates: int = 10,
    ) -> Trace:
        """Which indexed sources explain ``doc`` (a text, or a file as ``pathlib.Path``), or
        the indexed document ``id`` against the rest, as ``stemma trace … --json``.

        ``cross_lingual`` (``"auto"`` or ``"never"``) and ``xling_candidates`` are the CLI's
        ``--cross-lingual`` and ``--xling-candidates``: with the model installed
        (``STEMMA_MODEL_DIR``) and an index holding sentence embeddings, sources in other
        languages are searched and the result has the CLI's ``cross_lingual`` section."""
        if (doc is None) == (id is None):
            raise StemmaError("give a document to trace, or id=")
        if cross_lingual not in ("auto", "never"):
            raise StemmaError(f"cross_lingual must be 'auto' or 'never', not {cross_lingual!r}")
        path, text = _source(doc, "doc") if doc is not None else (None, None)
        out = self._native.trace(
            path, text, doc_id, id, candidates, max_df,
            ngram, min_words, max_gap, min_identity, sentence_seeds, all_alignments, max_bytes, threads,
            0 if cross_lingual == "never" else xling_candidates,
        )
        return _results().Trace.from_dict(json.loads(out))

    def search(self, query: str, limit: int = 10) -> SearchResult:
        """BM25 search over titles and texts, as ``stemma index search QUERY --json``."""
        return _results().SearchResult.from_dict(json.loads(self._native.search(query, limit)))

    def __len__(self) -> int:
        """Documents in the index."""
        return self._native.documents()

    def __repr__(self) -> str:
        return f"stemma.Index({self.path!r})"


_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def _size(value: Union[int, str]) -> int:
    """Bytes of "8G", "512M", 1000000 (powers of 1024), as the CLI's ``--memory``."""
    if isinstance(value, int):
        return value
    text = value.strip().lower().rstrip("bi")
    number = text.rstrip("kmgt")
    unit = text[len(number):].strip()
    try:
        return int(float(number) * _UNITS[unit])
    except (ValueError, KeyError):
        raise StemmaError(f"'{value}' is not a size (e.g. 512M, 8G)") from None


def reuse(
    records: Iterable[Any] = (),
    *,
    paths: Iterable[Union[str, "os.PathLike[str]"]] = (),
    anchor_ngram: int = 3,
    min_df: int = 2,
    max_df: int = 100,
    min_shared: int = 2,
    skip_same_series: bool = False,
    min_overlap: float = 0.8,
    min_anchor_density: float = 0.0,
    memory: Union[int, str] = "2G",
    tmp: Optional[Union[str, "os.PathLike[str]"]] = None,
    ngram: Optional[int] = None,
    min_words: Optional[int] = None,
    max_gap: Optional[int] = None,
    min_identity: Optional[float] = None,
    sentence_seeds: bool = True,
    all_alignments: bool = False,
    max_bytes: int = MAX_BYTES,
    pairs: bool = False,
    threads: Optional[int] = None,
) -> Reuse:
    """Passages reused across a corpus, clustered, earliest witness first, as ``stemma reuse
    PATHS… --out clusters.jsonl [--pairs pairs.jsonl] --json``.

    ``records`` are dicts with passim's fields (``id``, ``series``, ``date``, ``text``; other
    fields are carried into the members), read after the files of ``paths``; the options are
    the CLI's. ``pairs=True`` also returns every pairwise alignment.

    >>> notice = ("This program is free software; you can redistribute it and/or modify it under "
    ...           "the terms of the GNU General Public License as published by the Free Software Foundation.")
    >>> r = reuse([{"id": "a", "date": "1850-01-02", "text": f"Weather. {notice} Rain."},
    ...            {"id": "b", "text": f"Prices rose. {notice}"}])
    >>> [(m.id, m.earliest_id) for m in r.members]
    [('a', 'a'), ('b', 'a')]
    """
    path_list = [os.fspath(p) for p in paths]
    stray, lines = _records(records)
    if stray:
        raise TypeError("records are dicts; give files and folders with paths=")
    summary, clusters, pair_lines = _stemma.reuse(
        path_list, lines, anchor_ngram, min_df, max_df, min_shared, skip_same_series,
        min_overlap, min_anchor_density, _size(memory), os.fspath(tmp) if tmp is not None else None,
        ngram, min_words, max_gap, min_identity, sentence_seeds, all_alignments, max_bytes, pairs, threads,
    )
    t = _results()
    return t.Reuse(
        summary=t.ReuseSummary.from_dict(json.loads(summary)),
        members=[t.ClusterMember.from_dict(json.loads(line)) for line in clusters.splitlines()],
        pairs=[t.AlignedPassage.from_dict(json.loads(line)) for line in pair_lines.splitlines()],
    )


def dedup(
    records: Iterable[Any] = (),
    *,
    paths: Iterable[Union[str, "os.PathLike[str]"]] = (),
    threshold: float = 0.8,
    ngram: int = 5,
    num_perm: int = 128,
    bands: Optional[int] = None,
    keep: str = "first",
    memory: Union[int, str] = "2G",
    tmp: Optional[Union[str, "os.PathLike[str]"]] = None,
    max_bytes: int = MAX_BYTES,
    threads: Optional[int] = None,
) -> Dedup:
    """Near-duplicate documents, as ``stemma dedup PATHS… --out dups.jsonl --json``: exact
    duplicates by normalized text, near ones by MinHash-LSH verified on the exact Jaccard of
    ``ngram``-word shingles (``threshold``), clustered around the kept document (``keep``:
    ``"first"``, ``"earliest"`` or ``"longest"``) so that clusters do not chain.

    ``records`` are dicts with ``text`` and optionally ``id`` and ``date`` (other fields are
    ignored), read after the files of ``paths``; the options are the CLI's. Returns the
    summary and one :class:`DedupRecord` per document, in input order.

    >>> story = ("The central bank raised its main interest rate by a quarter point on Tuesday, "
    ...          "citing persistent inflation in services and a tight labour market today.")
    >>> d = dedup([{"id": "a", "text": story}, {"id": "b", "text": story.upper()},
    ...            {"id": "c", "text": "Local team wins the cup after a dramatic penalty shoot-out."}])
    >>> [(r.id, r.cluster, r.kept, r.duplicate_of, r.exact) for r in d.records]
    [('a', 1, True, None, False), ('b', 1, False, 'a', True), ('c', None, True, None, False)]
    """
    path_list = [os.fspath(p) for p in paths]
    stray, lines = _records(records)
    if stray:
        raise TypeError("records are dicts; give files and folders with paths=")
    summary, out = _stemma.dedup(
        path_list, lines, threshold, ngram, num_perm, bands, keep, _size(memory),
        os.fspath(tmp) if tmp is not None else None, max_bytes, threads,
    )
    t = _results()
    return t.Dedup(
        summary=t.DedupSummary.from_dict(json.loads(summary)),
        records=[t.DedupRecord.from_dict(json.loads(line)) for line in out.splitlines()],
    )

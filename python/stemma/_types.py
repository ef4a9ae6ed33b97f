"""Typed results: each is built from the CLI's JSON and gives it back unchanged with
``to_dict()``, so ``stemma.compare(a, b).to_dict()`` equals ``stemma compare A B --json``.

Fields follow the JSON schemas (``stemma.compare/1``, ``stemma.diff/1``, ``stemma.trace/1``,
``stemma.index-search/1``, ``stemma.reuse/1``, ``stemma.dedup/1``); fields added to a schema later are kept by
``to_dict()`` even before a field of the class names them.
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from typing import Any, Dict, List, Optional, Tuple, Type, TypeVar

T = TypeVar("T", bound="Record")

#: Each result class's fields and their types.
_FIELDS: Dict[type, List[Tuple[str, Any]]] = {}


class Record:
    """Base of every result: typed fields (a frozen dataclass), and the JSON they were read
    from."""

    _raw: Dict[str, Any]

    @classmethod
    def from_dict(cls: Type[T], data: Dict[str, Any]) -> T:
        """Build from a JSON object of the schema (unknown fields are kept for ``to_dict``)."""
        fields = _FIELDS.get(cls)
        if fields is None:
            # Resolved once per class: get_type_hints evaluates every annotation.
            hints = typing.get_type_hints(cls)
            fields = _FIELDS[cls] = [(f.name, hints[f.name]) for f in dataclasses.fields(cls)]
        values = {name: _convert(hint, data.get(name)) for name, hint in fields}
        obj = cls(**values)
        object.__setattr__(obj, "_raw", data)
        return obj

    def to_dict(self) -> Dict[str, Any]:
        """The JSON object, exactly as the CLI's ``--json`` prints it (a deep copy)."""
        return copy.deepcopy(self._raw)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union:  # Optional[X]
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value) if len(inner) == 1 else value
    if origin in (list, List) and args:
        return [_convert(args[0], v) for v in value]
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.from_dict(value)
    return value


@dataclasses.dataclass(frozen=True)
class Span(Record):
    """A range of a document: bytes ``[start, end)`` of its UTF-8 text, and characters."""

    start: int
    end: int
    char_start: int
    char_end: int
    tokens: Optional[int] = None


@dataclasses.dataclass(frozen=True)
class DocumentInfo(Record):
    """A document's metadata and size, as read."""

    id: str
    title: Optional[str]
    source: Optional[str]
    date: Optional[str]
    lang: Optional[str]
    encoding: str
    replaced: int
    bytes: int
    chars: int
    words: int


@dataclasses.dataclass(frozen=True)
class Passage(Record):
    """One passage the two documents share."""

    number: int
    kind: str
    identity: float
    score: float
    matched_tokens: int
    a: Span
    b: Span
    a_text: str
    b_text: str
    a_diffs: List[Span]
    b_diffs: List[Span]


@dataclasses.dataclass(frozen=True)
class CompareSummary(Record):
    """Counts and coverage of a comparison."""

    passages: int
    kinds: Dict[str, int]
    a_coverage: float
    b_coverage: float
    a_shared_chars: int
    b_shared_chars: int


@dataclasses.dataclass(frozen=True)
class Comparison(Record):
    """``stemma compare A B --json`` (schema ``stemma.compare/1``)."""

    schema: str
    options: Dict[str, Any]
    a: DocumentInfo
    b: DocumentInfo
    summary: CompareSummary
    passages: List[Passage]


@dataclasses.dataclass(frozen=True)
class Clause(Record):
    """A clause (numbered point, paragraph or sentence) of a version."""

    index: int
    name: str
    kind: str
    label: Optional[str]
    label_span: Optional[Span]
    span: Span
    body: Span
    depth: int
    parent: Optional[int]


@dataclasses.dataclass(frozen=True)
class Version(Record):
    """One version of a diff and its clauses."""

    id: str
    encoding: str
    chars: int
    clauses: List[Clause]


@dataclasses.dataclass(frozen=True)
class DiffSummary(Record):
    """The one-line summary and the counts of each kind of change."""

    text: str
    a_clauses: int
    b_clauses: int
    counts: Dict[str, int]
    renumbered_from: Optional[int]
    complete: bool


@dataclasses.dataclass(frozen=True)
class Change(Record):
    """One change between the versions: clauses of the old (``a``) and new (``b``) side."""

    kind: str
    label: Optional[str]
    a: List[int]
    b: List[int]
    moved: bool
    renumbered: bool
    text_changed: bool
    confidence: Optional[float]
    retained_pct: Optional[float]
    redline: List[Dict[str, Any]]
    redline_complete: Optional[bool]


@dataclasses.dataclass(frozen=True)
class Diff(Record):
    """``stemma diff OLD NEW --json`` (schema ``stemma.diff/1``)."""

    schema: str
    a: Version
    b: Version
    options: Dict[str, Any]
    summary: DiffSummary
    changes: List[Change]


@dataclasses.dataclass(frozen=True)
class TraceSummary(Record):
    """How much of the target its sources explain."""

    candidates: int
    sources: int
    segments: int
    explained_chars: int
    explained_share: float
    unexplained_chars: int
    unexplained_share: float


@dataclasses.dataclass(frozen=True)
class TraceSource(Record):
    """A source of the target, ranked."""

    rank: int
    id: str
    title: Optional[str]
    source: Optional[str]
    date: Optional[str]
    chars: int
    share: float
    reused_chars: int
    segments: int


@dataclasses.dataclass(frozen=True)
class Segment(Record):
    """A stretch of the target attributed to one source."""

    number: int
    source: str
    kind: str
    identity: float
    score: float
    words: int
    target: Span
    source_span: Span
    target_text: str
    source_text: str


@dataclasses.dataclass(frozen=True)
class Trace(Record):
    """``stemma trace DOC --json`` (schema ``stemma.trace/1``)."""

    schema: str
    options: Dict[str, Any]
    target: DocumentInfo
    summary: TraceSummary
    sources: List[TraceSource]
    timeline: List[Dict[str, Any]]
    candidates: List[Dict[str, Any]]
    segments: List[Segment]
    #: What the cross-lingual channel did (absent from a monolingual trace): ``status``,
    #: ``target_lang``, each candidate's language, notes.
    cross_lingual: Optional[Dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class SearchHit(Record):
    """A document matching a search, with a snippet."""

    id: str
    title: Optional[str]
    score: float
    snippet: str
    highlights: List[List[int]]


@dataclasses.dataclass(frozen=True)
class SearchResult(Record):
    """``stemma index search QUERY --json`` (schema ``stemma.index-search/1``)."""

    schema: str
    query: str
    hits: List[SearchHit]


@dataclasses.dataclass(frozen=True)
class ClusterMember(Record):
    """One line of ``stemma reuse --out``: a member of a cluster (passim's fields; offsets in
    characters)."""

    cluster: int
    size: int
    id: str
    series: Optional[str]
    date: Optional[str]
    begin: int
    end: int
    text: str
    earliest_id: Optional[str]
    earliest_by: str
    title: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class AlignedPassage(Record):
    """One line of ``stemma reuse --pairs``: a pairwise alignment (passim's fields)."""

    id1: str
    id2: str
    b1: int
    e1: int
    n1: int
    b2: int
    e2: int
    n2: int
    matches: int
    score: float
    identity: float
    kind: str
    cluster: int
    s1: str
    s2: str


@dataclasses.dataclass(frozen=True)
class ReuseSummary(Record):
    """``stemma reuse --json`` (schema ``stemma.reuse/1``)."""

    schema: str
    stats: Dict[str, int]
    members: int
    largest: int
    size_histogram: List[List[Any]]
    dated_clusters: int
    options: Dict[str, Any]
    top: List[Dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class Reuse:
    """The result of :func:`stemma.reuse`: the summary, every cluster member (the lines of
    ``--out``) and, when asked for, every pairwise alignment (the lines of ``--pairs``)."""

    summary: ReuseSummary
    members: List[ClusterMember]
    pairs: List[AlignedPassage]

    def to_dict(self) -> Dict[str, Any]:
        """The summary, as ``stemma reuse --json`` prints it."""
        return self.summary.to_dict()

    def clusters(self) -> Dict[int, List[ClusterMember]]:
        """Members grouped by cluster id, largest cluster first, earliest witness first."""
        out: Dict[int, List[ClusterMember]] = {}
        for m in self.members:
            out.setdefault(m.cluster, []).append(m)
        return out


@dataclasses.dataclass(frozen=True)
class DedupRecord(Record):
    """What became of one document (a line of ``stemma dedup --out``): its ``cluster``
    (``None`` when it has no duplicate), whether it is ``kept``, the id of the document it
    duplicates and their Jaccard ``similarity`` (``None`` when kept), whether it is an
    ``exact`` duplicate (same normalized text), its ``words`` and ``bytes``."""

    id: str
    cluster: Optional[int]
    kept: bool
    duplicate_of: Optional[str]
    similarity: Optional[float]
    exact: bool
    words: int
    bytes: int


@dataclasses.dataclass(frozen=True)
class DedupSummary(Record):
    """``stemma dedup --json`` (schema ``stemma.dedup/1``): the options, the counts
    (``summary``: documents, clusters, removed, bytes_saved, candidate and verified pairs…)
    and the 20 largest clusters."""

    schema: str
    options: Dict[str, Any]
    summary: Dict[str, int]
    largest: List[Dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class Dedup:
    """The result of :func:`stemma.dedup`: the summary and one record per document, in
    input order (the lines of ``--out``)."""

    summary: DedupSummary
    records: List[DedupRecord]

    def to_dict(self) -> Dict[str, Any]:
        """The summary, as ``stemma dedup --json`` prints it."""
        return self.summary.to_dict()

    def clusters(self) -> Dict[int, List[DedupRecord]]:
        """Records grouped by cluster id, the kept document first."""
        out: Dict[int, List[DedupRecord]] = {}
        for r in self.records:
            if r.cluster is not None:
                out.setdefault(r.cluster, []).append(r)
        for members in out.values():
            members.sort(key=lambda r: not r.kept)
        return out

    def kept(self) -> List[DedupRecord]:
        """The documents left after deduplication: the kept and the unique ones."""
        return [r for r in self.records if r.kept]


@dataclasses.dataclass(frozen=True)
class AddResult:
    """What :meth:`stemma.Index.add` did."""

    added: int
    replaced: int
    unchanged: int

    def to_dict(self) -> Dict[str, int]:
        """``{"added": …, "replaced": …, "unchanged": …}``."""
        return dataclasses.asdict(self)

"""Typed results: each is built from the CLI's JSON and gives it back unchanged with
``to_dict()``, so ``stemma.compare(a, b).to_dict()`` equals ``stemma compare A B --json``.

Fields follow the JSON schemas (``stemma.compare/1``, ``stemma.diff/1``, ``stemma.trace/1``,
``stemma.index-search/1``, ``stemma.reuse/1``, ``stemma.dedup/1``); fields added to a schema later are kept by
``to_dict()`` even before a field of the class names them.

The classes are frozen and typed like dataclasses (keyword or positional construction,
``repr``, ``==``, ``hash``, pickling, ``__match_args__``; type checkers see them through
``dataclass_transform``), but are not made by :mod:`dataclasses`: making two dozen
dataclasses costs ~10 ms and importing :mod:`dataclasses` (with :mod:`inspect`) ~6 ms,
which the first call in a process would pay (this module is imported then, not by ``import
stemma``, so that ``import stemma.arrow`` stays light), while these cost ~0.7 ms. Each
class's fields are sorted once, at import, from its annotations: plain ones are read from
the JSON object at once, and those holding results when first read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Optional, Tuple, Type, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Any:
        """Only type checkers read it (``typing`` has it from Python 3.11)."""
        return lambda cls: cls


T = TypeVar("T", bound="Record")

#: Every result class by name, to resolve the annotations that name one.
_CLASSES: Dict[str, type] = {}
_NO_DEFAULT = object()
_new = object.__new__


class FrozenInstanceError(AttributeError):
    """A field of a result was assigned or deleted: results are frozen."""


@dataclass_transform(frozen_default=True, eq_default=True)
class Frozen:
    """Base of every result: typed fields, given by the class's annotations, that cannot be
    reassigned; built by position or keyword (``Span(0, 5, 0, 5)``); equal when of the same
    class with equal fields; hashed on the fields; printed as ``Span(start=0, end=5, …)``.

    >>> Span(0, 5, 0, 5) == Span(start=0, end=5, char_start=0, char_end=5, tokens=None)
    True
    """

    #: The fields, in order (the annotations of the class and of its bases).
    _fields: ClassVar[Tuple[str, ...]] = ()
    #: The default of each field that has one (a class attribute of the same name).
    _defaults: ClassVar[Dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [name for name in cls.__dict__.get("__annotations__", {}) if not name.startswith("_")]
        cls._fields = tuple(dict.fromkeys([*cls._fields, *own]))
        cls._defaults = {**cls._defaults, **{n: cls.__dict__[n] for n in own if n in cls.__dict__}}
        setattr(cls, "__match_args__", cls._fields)  # what a dataclass sets, for `match`
        _CLASSES[cls.__name__] = cls

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name = type(self).__name__
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{name}() takes {len(fields)} positional arguments but {len(args)} were given")
        values = dict(zip(fields, args))
        for field, value in kwargs.items():
            if field not in fields:
                raise TypeError(f"{name}() got an unexpected keyword argument {field!r}")
            if field in values:
                raise TypeError(f"{name}() got multiple values for argument {field!r}")
            values[field] = value
        for field in fields:
            if field not in values:
                default = self._defaults.get(field, _NO_DEFAULT)
                if default is _NO_DEFAULT:
                    raise TypeError(f"{name}() missing required argument {field!r}")
                values[field] = default
        self.__dict__.update((field, values[field]) for field in fields)

    def _values(self) -> Tuple[Any, ...]:
        return tuple(getattr(self, field) for field in self._fields)

    def __repr__(self) -> str:
        inner = ", ".join(f"{field}={value!r}" for field, value in zip(self._fields, self._values()))
        return f"{type(self).__qualname__}({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


class Record(Frozen):
    """A result read from a JSON object of a schema, which ``to_dict()`` gives back."""

    #: Fields read as they are (numbers, strings, lists and objects of those).
    _plain: ClassVar[Tuple[str, ...]] = ()

    @classmethod
    def from_dict(cls: Type[T], data: Dict[str, Any]) -> T:
        """Build from a JSON object of the schema (unknown fields are kept for ``to_dict``;
        a missing field is ``None``). Fields holding results (a passage's spans, a
        comparison's passages) are built from ``data`` when first read."""
        obj = _new(cls)
        values = obj.__dict__
        plain = cls._plain
        values.update(zip(plain, map(data.get, plain)))
        values["_raw"] = data
        return obj

    @classmethod
    def _from_list(cls: Type[T], items: List[Dict[str, Any]]) -> List[T]:
        """``[cls.from_dict(item) for item in items]``, with the lookups done once."""
        plain = cls._plain
        out: List[T] = []
        append = out.append
        for data in items:
            obj = _new(cls)
            values = obj.__dict__
            values.update(zip(plain, map(data.get, plain)))
            values["_raw"] = data
            append(obj)
        return out

    def to_dict(self) -> Dict[str, Any]:
        """The JSON object, exactly as the CLI's ``--json`` prints it (a deep copy)."""
        raw = self.__dict__.get("_raw")
        if raw is None:  # built by hand, not read
            return {field: _to_json(value) for field, value in zip(self._fields, self._values())}
        return _copy_json(raw)


def _copy_json(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists and scalars)."""
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_json(v) for v in value]
    return value


def _to_json(value: Any) -> Any:
    """A JSON value of a field of a result built by hand."""
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    return value


def _result_class(annotation: str) -> Optional[Tuple[bool, Type[Record]]]:
    """(a list?, the class) when an annotation names a result class (``Span``,
    ``Optional[Span]``, ``List[Span]``), else None. Annotations are strings here (``from
    __future__ import annotations``) and read without evaluating them."""
    inner = annotation
    if inner.startswith("Optional[") and inner.endswith("]"):
        inner = inner[len("Optional["):-1]
    many = inner.startswith("List[") and inner.endswith("]")
    if many:
        inner = inner[len("List["):-1]
    cls = _CLASSES.get(inner)
    if isinstance(cls, type) and issubclass(cls, Record):
        return many, cls
    return None


class _Nested:
    """A field holding results (``Passage.a``, ``Comparison.passages``): read from the
    object's JSON when first read, then kept in the object (whose attribute hides this
    descriptor from then on). A call returns at once with the top level built: a notebook
    that looks at a summary and a few passages does not pay for 1,600 diff spans; reading
    them all costs what building them eagerly would have."""

    __slots__ = ("name", "many", "record")

    def __init__(self, name: str, many: bool, record: Type[Record]) -> None:
        self.name, self.many, self.record = name, many, record

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        values = obj.__dict__
        value = values["_raw"].get(self.name)
        if value is not None:
            value = self.record._from_list(value) if self.many else self.record.from_dict(value)
        values[self.name] = value
        return value


def _make_converters() -> None:
    """Once per result class: its plain fields, read at once, and a :class:`_Nested` for
    each field holding results."""
    for cls in _CLASSES.values():
        if not issubclass(cls, Record):
            continue
        annotations: Dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            annotations.update(klass.__dict__.get("__annotations__", {}))
        plain = []
        for field in cls._fields:
            shape = _result_class(annotations[field])
            if shape is None:
                plain.append(field)
            else:
                setattr(cls, field, _Nested(field, *shape))
        cls._plain = tuple(plain)


class Span(Record):
    """A range of a document: bytes ``[start, end)`` of its UTF-8 text, and characters."""

    start: int
    end: int
    char_start: int
    char_end: int
    tokens: Optional[int] = None


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


class CompareSummary(Record):
    """Counts and coverage of a comparison."""

    passages: int
    kinds: Dict[str, int]
    a_coverage: float
    b_coverage: float
    a_shared_chars: int
    b_shared_chars: int


class Comparison(Record):
    """``stemma compare A B --json`` (schema ``stemma.compare/1``)."""

    schema: str
    options: Dict[str, Any]
    a: DocumentInfo
    b: DocumentInfo
    summary: CompareSummary
    passages: List[Passage]


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


class Version(Record):
    """One version of a diff and its clauses."""

    id: str
    encoding: str
    chars: int
    clauses: List[Clause]


class DiffSummary(Record):
    """The one-line summary and the counts of each kind of change."""

    text: str
    a_clauses: int
    b_clauses: int
    counts: Dict[str, int]
    renumbered_from: Optional[int]
    complete: bool


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


class Diff(Record):
    """``stemma diff OLD NEW --json`` (schema ``stemma.diff/1``)."""

    schema: str
    a: Version
    b: Version
    options: Dict[str, Any]
    summary: DiffSummary
    changes: List[Change]


class TraceSummary(Record):
    """How much of the target its sources explain."""

    candidates: int
    sources: int
    segments: int
    explained_chars: int
    explained_share: float
    unexplained_chars: int
    unexplained_share: float


class TraceSource(Record):
    """A source of the target, ranked: ``chars``/``share`` attributed to it, ``reused_chars``
    it would explain alone, its ``identity``, ``source_share`` (how much of it the target
    covers) and ``closeness`` (seen from both sides)."""

    rank: int
    id: str
    title: Optional[str]
    source: Optional[str]
    date: Optional[str]
    chars: int
    share: float
    reused_chars: int
    segments: int
    identity: float
    source_share: float
    closeness: float


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


class Trace(Record):
    """``stemma trace DOC --json`` (schema ``stemma.trace/1``)."""

    schema: str
    options: Dict[str, Any]
    target: DocumentInfo
    summary: TraceSummary
    #: The segmentation's sources (each explaining some words), closest first.
    sources: List[TraceSource]
    #: Runners-up: candidates explaining the same words less well, closest first.
    alternatives: List[TraceSource]
    #: Every aligned candidate, closest first seen from both sides as a whole (what each
    #: would explain alone): the ranking to read first; its first is the closest source.
    by_closeness: List[TraceSource]
    timeline: List[Dict[str, Any]]
    candidates: List[Dict[str, Any]]
    segments: List[Segment]
    #: What the cross-lingual channel did (absent from a monolingual trace): ``status``,
    #: ``target_lang``, each candidate's language, notes.
    cross_lingual: Optional[Dict[str, Any]]


class SearchHit(Record):
    """A document matching a search, with a snippet."""

    id: str
    title: Optional[str]
    score: float
    snippet: str
    highlights: List[List[int]]


class SearchResult(Record):
    """``stemma index search QUERY --json`` (schema ``stemma.index-search/1``)."""

    schema: str
    query: str
    hits: List[SearchHit]


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


class Reuse(Frozen):
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


class DedupSummary(Record):
    """``stemma dedup --json`` (schema ``stemma.dedup/1``): the options, the counts
    (``summary``: documents, clusters, removed, bytes_saved, candidate and verified pairs…)
    and the 20 largest clusters."""

    schema: str
    options: Dict[str, Any]
    summary: Dict[str, int]
    largest: List[Dict[str, Any]]


class Dedup(Frozen):
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


class AddResult(Frozen):
    """What :meth:`stemma.Index.add` did."""

    added: int
    replaced: int
    unchanged: int

    def to_dict(self) -> Dict[str, int]:
        """``{"added": …, "replaced": …, "unchanged": …}``."""
        return {field: getattr(self, field) for field in self._fields}


_make_converters()

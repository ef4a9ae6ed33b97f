"""Type stubs of the native module (use the wrappers in ``stemma`` and ``stemma.arrow``)."""

from os import PathLike
from typing import Any, Dict, List, Optional, Tuple, final

__version__: str

class StemmaError(ValueError):
    """Bad input or options: the message is the CLI's."""

_Capsules = Tuple[Any, Any]

def compare(
    a_path: Optional[str], a_text: Optional[str], a_id: str,
    b_path: Optional[str], b_text: Optional[str], b_id: str,
    ngram: Optional[int], min_words: Optional[int], max_gap: Optional[int], min_identity: Optional[float],
    sentence_seeds: bool, all_alignments: bool, max_bytes: int, threads: Optional[int],
) -> str: ...
def diff(
    old_path: Optional[str], old_text: Optional[str], old_id: str,
    new_path: Optional[str], new_text: Optional[str], new_id: str,
    granularity: str, ignore_case: bool, ignore_punctuation: bool, ignore_numbering: bool,
    deadline_ms: int, max_bytes: int, threads: Optional[int],
) -> str: ...
def reuse(
    paths: List[str], lines: List[str], anchor_ngram: int, min_df: int, max_df: int, min_shared: int,
    skip_same_series: bool, min_overlap: float, min_anchor_density: float, memory: int, tmp: Optional[str],
    ngram: Optional[int], min_words: Optional[int], max_gap: Optional[int], min_identity: Optional[float],
    sentence_seeds: bool, all_alignments: bool, max_bytes: int, want_pairs: bool, threads: Optional[int],
) -> Tuple[str, str, str]: ...

@final
class NativeIndex:
    def __new__(cls, path: str | PathLike[str], create: bool) -> NativeIndex: ...
    def add(
        self, paths: List[str], lines: List[str], source: Optional[str], date: Optional[str],
        max_bytes: int, threads: Optional[int],
    ) -> Tuple[int, int, int]: ...
    def trace(
        self, path: Optional[str], text: Optional[str], text_id: str, id: Optional[str], candidates: int,
        max_df: Optional[int], ngram: Optional[int], min_words: Optional[int], max_gap: Optional[int],
        min_identity: Optional[float], sentence_seeds: bool, all_alignments: bool, max_bytes: int, threads: Optional[int],
        xling_candidates: int,
    ) -> str: ...
    def search(self, query: str, limit: int) -> str: ...
    @staticmethod
    def only_stopwords(query: str) -> bool: ...
    def documents(self) -> int: ...

def anchors(texts: Any, ngram: int, threads: Optional[int]) -> Tuple[_Capsules, _Capsules]: ...
def band_pairs(
    anchor: Any, doc: Any, series: Any, min_df: int, max_df: int, skip_same_series: bool, min_shared: int,
    threads: Optional[int],
) -> Tuple[_Capsules, _Capsules, _Capsules, _Capsules, int, int]: ...
def align_pairs(
    texts: Any, a: Any, b: Any, boilerplate: Any, ngram: Optional[int], min_words: Optional[int],
    max_gap: Optional[int], min_identity: Optional[float], sentence_seeds: bool, all_alignments: bool, anchor_ngram: int,
    max_df: int, min_shared: int, min_anchor_density: float, threads: Optional[int], memory: Optional[int] = None,
) -> Tuple[Dict[str, _Capsules], int]: ...
def group_spans(
    doc: Any, start: Any, end: Any, pair: Any, within: Any, min_overlap: float, threads: Optional[int]
) -> Tuple[_Capsules, _Capsules, _Capsules]: ...
def star_clusters(component: Any, x: Any, y: Any, score: Any, threads: Optional[int]) -> Tuple[_Capsules, _Capsules]: ...
def assemble_clusters(
    centre: Any, node: Any, id: Any, date: Any, start: Any, end: Any, threads: Optional[int]
) -> Tuple[_Capsules, _Capsules, _Capsules, _Capsules, _Capsules]: ...
def parse_jsonl(input_path: str, input_id: str, line: Any, text: Any, max_bytes: int) -> Dict[str, _Capsules]: ...
def walk_inputs(paths: List[str]) -> List[Tuple[str, str, bool]]: ...
def read_jsonl(paths: List[str], max_bytes: int, threads: Optional[int]) -> Dict[str, _Capsules]: ...
def cluster_passages(
    passages: Dict[str, Any], documents: Dict[str, Any], min_overlap: float, threads: Optional[int]
) -> Dict[str, _Capsules]: ...
def cluster_records(
    cluster: Any, size: Any, id: Any, series: Any, date: Any, title: Any, text: Any, extra: Any,
    start: Any, end: Any, earliest: Any, threads: Optional[int],
) -> _Capsules: ...

def dedup_layout(threshold: float, ngram: int, num_perm: int, bands: Optional[int], keep: str) -> Tuple[int, int]: ...
def dedup(
    paths: List[str], lines: List[str], threshold: float, ngram: int, num_perm: int, bands: Optional[int],
    keep: str, memory: int, tmp: Optional[str], max_bytes: int, threads: Optional[int],
) -> Tuple[str, str]: ...
def dedup_batch(
    text: Any, date: Optional[Any], threshold: float, ngram: int, num_perm: int, bands: Optional[int],
    keep: str, memory: int, tmp: Optional[str], threads: Optional[int],
) -> Tuple[Dict[str, _Capsules], str]: ...
def dedup_sketch(
    texts: Any, ngram: int, num_perm: int, bands: int, rows: int, threads: Optional[int],
) -> Tuple[_Capsules, _Capsules, _Capsules, _Capsules, _Capsules]: ...
def dedup_bucket_pairs(key: Any, doc: Any, max_bucket: Optional[int], threads: Optional[int]) -> Tuple[_Capsules, _Capsules]: ...
def dedup_verify(texts: Any, a: Any, b: Any, ngram: int, threshold: float, threads: Optional[int]) -> Tuple[_Capsules, _Capsules]: ...
def dedup_clusters(
    component: Any, doc: Any, group: Any, date: Any, words: Any, bytes: Any,
    edge_component: Any, a: Any, b: Any, similarity: Any, keep: str, threads: Optional[int],
) -> Tuple[_Capsules, _Capsules, _Capsules, _Capsules]: ...
def dedup_records(
    id: Any, cluster: Any, duplicate_of: Any, similarity: Any, exact: Any, words: Any, bytes: Any, threads: Optional[int],
) -> _Capsules: ...

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

from .components import connected_components
from .documents import read_documents
from .reuse_job import check_options, reuse

__all__ = ["reuse", "read_documents", "connected_components", "check_options"]

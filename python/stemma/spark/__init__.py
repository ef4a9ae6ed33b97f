"""PySpark jobs of stemma.

``python -m stemma.spark reuse INPUT… OUTPUT`` (or :func:`reuse` from a pipeline) runs
``stemma reuse`` on Spark and writes the same cluster records as ``stemma reuse INPUT… --out``:
the same clusters, members, offsets and cluster ids, line for line.

The stages are the CLI's, each a ``mapInArrow`` over Arrow batches into the Rust core
(:mod:`stemma.arrow`):

1. read: passim-style JSON Lines cut into byte ranges, each parsed by the Rust reader
   straight into Arrow (as the CLI reads them, same default ids), or Parquet with ``id``,
   ``series``, ``date``, ``text``; each document gets a number in the CLI's input order
   (from line numbers: never ``monotonically_increasing_id``);
2. anchors: each document's anchors, shuffled by anchor (packed: a row per batch and
   partition, not per anchor); per partition the document-frequency band and the pairs of
   each anchor, counted;
3. pairs: the counts summed per pair across partitions, the candidates kept;
4. align: candidate pairs in blocks by their first document, each block with the texts it
   needs;
5. nodes: each document's passage spans grouped into nodes (all of a document's spans in
   one task); the alignments that join two nodes are the edges;
6. components: connected components of the edges in DataFrames, by rounds of local
   union-find keyed by node (hash-to-min; GraphFrames' jars come from a Maven repository),
   or on the driver in one job when the graph is small (up to 4M edges);
7. stars, members, order: each component's edges to one task, which runs the CLI's star
   clustering; each cluster's members to one task, which orders them; clusters numbered by
   a global sort;
8. records: written as text, ordered by cluster then member.

:mod:`stemma.spark.reuse_job` holds the job, :mod:`stemma.spark.documents` the reader,
:mod:`stemma.spark.blocks` the pairs in blocks with their texts (alignment, verification) and
:mod:`stemma.spark.components` the connected components. A small input (at most
:data:`~stemma.spark.reuse_job.SINGLE_TASK_BYTES`) runs the same stages in one task instead
(``plan="single"``): the job's fixed costs, not its work, would dominate its ~70 stages.

``python -m stemma.spark dedup INPUT… OUTPUT`` (or :func:`dedup`) runs ``stemma dedup`` the
same way (:mod:`stemma.spark.dedup_job`): its records equal ``stemma dedup INPUT… --out``.
"""

from __future__ import annotations

from .components import connected_components
from .documents import read_documents
from .reuse_job import check_options, reuse
from .dedup_job import check_dedup_options, dedup

__all__ = ["reuse", "dedup", "read_documents", "connected_components", "check_options", "check_dedup_options"]

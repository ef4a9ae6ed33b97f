"""Connected components of a graph held as a DataFrame of edges, without GraphFrames (whose
jars come from a Maven repository).

Rounds of local contraction keyed by node, a hash-to-min scheme (Rastogi et al., 2013,
"Finding Connected Components in Map-Reduce in Logarithmic Rounds") in the spirit of the
large-star step of Kiveris et al. (2014): each round shuffles every edge, both ways, to the
partition of its first node, so a partition holds every edge of its nodes; there, each node
it sees is linked to the least node of its local component (vectorised union-find). Linking
keeps the components, and ends in stars: each node pointing at its component's least node.
One shuffle per round; on a few partitions most graphs need two rounds, the second finding
nothing to change. A graph of a few million edges is collected instead and solved on the
driver by the same local union-find over all of it: one job instead of ~20 stages.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Optional


#: Graphs of at most this many edges are solved on the driver (16 bytes an edge: 64 MB),
#: in one job instead of rounds of shuffles.
DRIVER_EDGES = 4_000_000


def connected_components(
    edges: Any,
    *,
    partitions: Optional[int] = None,
    on_round: Optional[Callable[[int], None]] = None,
    max_rounds: int = 64,
    driver_edges: int = DRIVER_EDGES,
):
    """Connected components of an undirected graph given as a DataFrame of edges (``u``,
    ``v``: longs). Returns (``node``, ``component``): every node of an edge and the least
    node of its component, computed (locally checkpointed). ``on_round(n)`` is called before
    each round (the job names its stages after it). A graph of at most ``driver_edges``
    edges is collected and solved on the driver (:func:`local_roots` over all of it: the
    same components, in one job).

    >>> cc = connected_components(spark.createDataFrame([(1, 2), (3, 2), (7, 8)], "u long, v long"))  # doctest: +SKIP
    >>> sorted(map(tuple, cc.collect()))  # doctest: +SKIP
    [(1, 1), (2, 1), (3, 1), (7, 7), (8, 7)]
    """
    from pyspark.sql import functions as F

    u, v = F.col("u"), F.col("v")
    parts = partitions or int(edges.sparkSession.conf.get("spark.sql.shuffle.partitions"))
    e = edges.select("u", "v").where(u != v)
    if driver_edges > 0 and e.count() <= driver_edges:
        return _on_driver(edges.sparkSession, e.toArrow())
    for n in range(max_rounds):
        if on_round is not None:
            on_round(n)
        both = e.unionByName(e.select(v.alias("u"), u.alias("v")))
        e = both.repartition(parts, "u").mapInArrow(_root_batches, "u long, v long").localCheckpoint()
        if _stars(e):
            break
    else:
        raise RuntimeError(f"connected components: not done after {max_rounds} rounds")
    leaves = e.select(F.col("u").alias("node"), F.col("v").alias("component")).distinct()
    roots = e.select(F.col("v").alias("node"), F.col("v").alias("component")).distinct()
    return leaves.unionByName(roots).localCheckpoint()


def _on_driver(spark: Any, edges: Any):
    """The components of a graph whose edges (a pyarrow table ``u``, ``v``) are all here."""
    import numpy as np
    import pyarrow as pa

    u = edges.column("u").to_numpy().astype(np.int64)
    v = edges.column("v").to_numpy().astype(np.int64)
    everything = np.unique(np.concatenate([u, v]))
    moved, roots = local_roots(u, v)
    component = everything.copy()
    component[np.searchsorted(everything, moved)] = roots
    table = pa.table({"node": pa.array(everything, pa.int64()), "component": pa.array(component, pa.int64())})
    return spark.createDataFrame(table).localCheckpoint()


def _stars(e: Any) -> bool:
    """Whether the edges (node, root) are stars: each node has one root, and no root has one."""
    from pyspark.sql import functions as F

    as_leaf = e.select(F.col("u").alias("node"), F.col("v").alias("root"), F.lit(False).alias("is_root"))
    as_root = e.select(F.col("v").alias("node"), F.lit(None).cast("long").alias("root"), F.lit(True).alias("is_root"))
    nodes = as_leaf.unionByName(as_root).groupBy("node").agg(
        F.countDistinct("root").alias("roots"), F.max("is_root").alias("is_root")
    )
    return nodes.where("roots > 1 OR (roots = 1 AND is_root)").limit(1).count() == 0


def local_roots(u: Any, v: Any):
    """For the edges (``u[i]``, ``v[i]``) (numpy integer arrays): each node that is not the
    least of its component, and that least node (vectorised union-find: hooking the larger
    root under the smaller, then pointer jumping).

    >>> import numpy as np
    >>> nodes, roots = local_roots(np.array([5, 9, 7]), np.array([9, 3, 8]))
    >>> nodes.tolist(), roots.tolist()
    ([5, 8, 9], [3, 7, 3])
    """
    import numpy as np

    nodes, index = np.unique(np.concatenate([u, v]), return_inverse=True)
    iu, iv = index[: len(u)], index[len(u) :]
    # Nodes are numbered in ascending order, so the least index is the least node.
    label = np.arange(len(nodes))
    while True:
        lu, lv = label[iu], label[iv]
        differ = lu != lv
        if not differ.any():
            break
        lu, lv = lu[differ], lv[differ]
        np.minimum.at(label, np.maximum(lu, lv), np.minimum(lu, lv))
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
    moved = label != np.arange(len(nodes))
    return nodes[moved], nodes[label[moved]]


def _root_batches(batches: Iterator) -> Iterator:
    import numpy as np
    import pyarrow as pa

    batch_list = list(batches)
    if not batch_list:
        return
    table = pa.concat_batches(batch_list)
    u = table.column("u").to_numpy(zero_copy_only=False)
    v = table.column("v").to_numpy(zero_copy_only=False)
    nodes, roots = local_roots(u.astype(np.int64), v.astype(np.int64))
    yield pa.RecordBatch.from_arrays([pa.array(nodes, pa.int64()), pa.array(roots, pa.int64())], names=["u", "v"])

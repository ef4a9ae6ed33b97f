"""The Arrow batch functions: each stage on its own, and all of them together giving the
CLI's cluster records byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import stemma
import stemma.arrow as sa
from conftest import FIXTURES

NOTICE = (
    "This program is free software; you can redistribute it and/or modify it under the terms of "
    "the GNU General Public License as published by the Free Software Foundation."
)


def test_anchors_of_a_batch():
    texts = pa.array(["red fox jumps high", None, "the red fox jumps high fences"], pa.string())
    batch = sa.anchors(texts)
    assert batch.column("row").to_pylist() == [0, 0, 2, 2, 2]
    assert batch.column("anchor").type == pa.uint64()
    first = batch.column("anchor").to_pylist()
    assert set(first[:2]) < set(first[2:])  # the same n-grams hash alike
    # Chunked and large strings are accepted too.
    chunked = pa.chunked_array([pa.array(["red fox jumps high"], pa.large_string())])
    assert sa.anchors(chunked).column("anchor").to_pylist() == first[:2]


def test_band_pairs_counts_shared_anchors_and_drops_boilerplate():
    anchor = pa.array([10, 10, 11, 11, 12, 12, 12], pa.uint64())
    doc = pa.array([0, 2, 0, 2, 0, 1, 2], pa.uint32())
    pairs, boilerplate, stats = sa.band_pairs(anchor, doc, max_df=2)
    assert pairs.to_pydict() == {"a": [0], "b": [2], "shared": [2]}
    assert boilerplate.to_pylist() == [12]
    assert stats == {"anchors_in_band": 2, "anchors_over_max_df": 1}
    series = pa.array([1, 1, 1, 1, 1, 2, 1], pa.int64())
    same, _, _ = sa.band_pairs(anchor, doc, series, max_df=2, skip_same_series=True)
    assert same.num_rows == 0
    with pytest.raises(stemma.StemmaError, match="same length"):
        sa.band_pairs(anchor, doc.slice(1))
    # Candidates: the pairs sharing at least min_shared anchors.
    assert sa.band_pairs(anchor, doc, max_df=2, min_shared=2)[0].num_rows == 1
    assert sa.band_pairs(anchor, doc, max_df=2, min_shared=3)[0].num_rows == 0


def test_align_pairs_finds_the_shared_passage():
    texts = pa.array([f"Weather for Tuesday. {NOTICE} Rain later.", f"Market prices rose. {NOTICE}", "Gardening notes."])
    passages, dropped = sa.align_pairs(texts, pa.array([0, 0]), pa.array([1, 2]))
    assert (passages.num_rows, dropped) == (1, 0)
    row = passages.to_pylist()[0]
    assert (row["pair"], row["a"], row["b"], row["joins"]) == (0, 0, 1, True)
    assert texts[1].as_py()[row["b_start"]:row["b_end"]].startswith("This program")
    with pytest.raises(stemma.StemmaError, match="rows must be distinct"):
        sa.align_pairs(texts, pa.array([0]), pa.array([7]))
    with pytest.raises(TypeError, match="unknown options"):
        sa.align_pairs(texts, pa.array([0]), pa.array([1]), bogus=1)


def test_align_pairs_within_a_small_memory_finds_the_same_passages():
    """A memory that holds one pair's texts at a time: every pair aligned in its own batch,
    pairs given in either order, the same passages as all at once."""
    texts = pa.array([f"Note {i}. {NOTICE} End {i}." if i % 2 else f"Other {i}. {NOTICE}" for i in range(6)])
    a, b = pa.array([0, 3, 5, 1, 2, 4]), pa.array([1, 1, 0, 4, 5, 3])
    whole, dropped = sa.align_pairs(texts, a, b)
    small, small_dropped = sa.align_pairs(texts, a, b, memory=1)
    assert whole.num_rows == 6
    assert (small.to_pylist(), small_dropped) == (whole.to_pylist(), dropped)


def test_star_clusters_per_component():
    # Component 1: node 1 is aligned with 0, 2 and 3; component 4: 4 with 5.
    edges = pa.table({"component": [0, 0, 0, 4], "x": [0, 1, 3, 4], "y": [1, 2, 1, 5], "score": [9.0, 8.0, 7.0, 3.0]})
    stars = sa.star_clusters(edges["component"], edges["x"], edges["y"], edges["score"])
    assert stars.to_pydict() == {"node": [0, 1, 2, 3, 4, 5], "centre": [1, 1, 1, 1, 4, 4]}


def test_group_spans_joins_spans_covering_the_same_text():
    doc = pa.array([7, 7, 7, 8])
    start = pa.array([0, 5, 50, 0])
    end = pa.array([100, 100, 150, 10])
    nodes = sa.group_spans(doc, start, end, pa.array([0, 1, 2, 0]), pa.array([0, 0, 0, 1]))
    assert nodes.column("node").to_pylist() == [0, 0, 1, 0]
    assert nodes.column("node_end").to_pylist() == [100, 100, 150, 10]


def test_parse_jsonl_reads_as_the_cli():
    lines = pa.array(['{"id": "a", "series": "s", "text": "One.", "url": "u"}', "  ", '{"text": "Two."}'])
    batch = sa.parse_jsonl("c.jsonl", "c.jsonl", pa.array([1, 2, 3], pa.uint64()), lines)
    assert batch.column("id").to_pylist() == ["a", "c.jsonl:3"]
    assert batch.column("extra").to_pylist() == ['{"url":"u"}', None]
    with pytest.raises(stemma.StemmaError, match=r"^c.jsonl:9: not JSON"):
        sa.parse_jsonl("c.jsonl", "c.jsonl", pa.array([9], pa.uint64()), pa.array(["{"]))


def test_the_arrow_pipeline_writes_the_cli_records(cli, tmp_path):
    corpus = FIXTURES / "reuse-small.jsonl"
    out = tmp_path / "clusters.jsonl"
    cli.run("reuse", "-q", corpus, "--out", out)
    table = sa.read_jsonl(corpus)
    assert table.num_rows == 35
    members = sa.reuse(table, threads=2)
    assert "\n".join(members.column("record").to_pylist()) + "\n" == out.read_text()
    # Clusters numbered from 1, members ranked from 0.
    assert members.column("cluster")[0].as_py() == 1 and members.column("rank")[0].as_py() == 0
    assert pc.all(pc.greater_equal(members.column("size"), 2)).as_py()


def test_read_jsonl_reads_as_the_cli_and_fails_with_its_messages(cli, tmp_path):
    table = sa.read_jsonl(FIXTURES / "reuse-small.jsonl")
    assert table.column_names == ["line", "id", "series", "date", "title", "text", "extra"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "One."}\n{"text": 5}\n')
    done = cli.run("reuse", "-q", bad, check=False)
    with pytest.raises(stemma.StemmaError) as e:
        sa.read_jsonl(bad)
    assert f"stemma: {e.value}" == done.stderr.strip().splitlines()[-1]
    (tmp_path / "notes.txt").write_text("a text")
    with pytest.raises(stemma.StemmaError, match=r"notes.txt: not a JSON Lines file"):
        sa.read_jsonl(tmp_path / "notes.txt")
    missing = tmp_path / "missing.jsonl"
    done = cli.run("reuse", "-q", missing, check=False)
    with pytest.raises(stemma.StemmaError) as e:
        sa.read_jsonl(missing)
    assert f"stemma: {e.value}" == done.stderr.strip().splitlines()[-1]
    (tmp_path / "empty").mkdir()
    with pytest.raises(stemma.StemmaError, match="nothing to read"):
        sa.read_jsonl(tmp_path / "empty")
    (tmp_path / "empty.jsonl").write_text("")
    with pytest.raises(stemma.StemmaError, match="^no documents were read$"):
        sa.reuse(sa.read_jsonl(tmp_path / "empty.jsonl"))


def test_cluster_passages_names_documents_by_row_without_ids():
    texts = pa.array([f"Weather for Tuesday. {NOTICE} Rain later.", f"Market prices rose. {NOTICE}", "Gardening notes."])
    members = sa.reuse(pa.table({"text": texts}))
    assert members.column("doc").to_pylist() == [0, 1]
    records = [json.loads(r) for r in members.column("record").to_pylist()]
    assert [(r["id"], r["cluster"], r["size"]) for r in records] == [("0", 1, 2), ("1", 1, 2)]
    assert records[1]["text"].startswith("This program")
    passages, _ = sa.align_pairs(texts, pa.array([0]), pa.array([1]))
    with pytest.raises(stemma.StemmaError, match="span outside the text"):
        sa.cluster_passages(passages, pa.table({"text": pa.array(["short", "texts", "here"])}))


def test_the_pipeline_converts_no_python_value(tmp_path):
    # pyarrow's first conversion of a Python value (pa.scalar, pa.array of a list) imports
    # pandas when it is installed: 0.15-0.4 s of a 1 s run. The pipeline needs none.
    pytest.importorskip("pandas")
    script = (
        "import sys, stemma.arrow as a; t = a.reuse(a.read_jsonl(sys.argv[1])); "
        "t['record'].to_pylist(); print('pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script, str(FIXTURES / "reuse-small.jsonl")], capture_output=True, text=True)
    assert (done.stdout.strip(), done.stderr) == ("False", "")

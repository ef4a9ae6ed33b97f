"""The Spark job on local[2] writes the CLI's cluster records, record for record."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO

pytest.importorskip("pyspark")


def test_spark_reuse_equals_the_cli(cli, tmp_path):
    corpus = FIXTURES / "reuse-small.jsonl"
    expected = tmp_path / "clusters.jsonl"
    cli.run("reuse", "-q", corpus, "--out", expected)
    out = tmp_path / "spark"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    done = subprocess.run(
        [sys.executable, "-m", "stemma.spark", "reuse", str(corpus), str(out), "--master", "local[2]", "--partitions", "2",
         "--plan", "distributed", "--driver-edges", "0",  # components in rounds of shuffles
         "--align-memory", "1K"],  # each block's pairs aligned a few at a time
        capture_output=True, text=True, env=env, cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    parts = sorted(p for p in out.iterdir() if p.name.startswith("part-"))
    lines = [line for p in parts for line in p.read_text().splitlines()]
    want = expected.read_text().splitlines()
    assert len(lines) == len(want) > 100
    # Sorted clusters compared record by record (and the order is the CLI's too).
    for got, exp in zip(lines, want):
        assert json.loads(got) == json.loads(exp)
    assert lines == want


@pytest.mark.parametrize("plan", ["distributed", "auto"])
def test_spark_reuse_of_a_folder_equals_the_cli(cli, tmp_path, plan, class_cache):
    """Two files in a folder, blank lines and records without ids (default ids FILE:LINE),
    each file cut into several byte ranges (distributed), or read and clustered in one task
    (auto: a small input): the CLI's records still, and nothing on standard output with
    the JVM's class archive written (by this job or an earlier one) or mapped."""
    lines = (FIXTURES / "reuse-small.jsonl").read_text().splitlines()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, chunk in (("a.jsonl", lines[:20]), ("b.jsonl", lines[20:])):
        out = []
        for i, line in enumerate(chunk):
            record = json.loads(line)
            if i % 3 == 1:
                del record["id"]
            out.append(json.dumps(record))
            if i % 4 == 2:
                out.append("   ")
        (corpus / name).write_text("\n".join(out))  # b.jsonl: no line end after the last
    expected = tmp_path / "clusters.jsonl"
    cli.run("reuse", "-q", corpus, "--out", expected)
    want = expected.read_text().splitlines()
    assert any(".jsonl:" in line for line in want)  # some members have default ids
    out = tmp_path / "spark"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    done = subprocess.run(
        [sys.executable, "-m", "stemma.spark", "reuse", str(corpus), str(out), "--master", "local[2]", "--partitions", "5",
         "--plan", plan],
        capture_output=True, text=True, env=env, cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"({'single' if plan == 'auto' else plan} plan)" in done.stderr
    assert done.stdout == ""  # the JVM's messages about its class archive are off
    got = [line for p in sorted(out.glob("part-*")) for line in p.read_text().splitlines()]
    assert got == want
    # Written whole by the first job (moved into place once its JVM exited), then mapped.
    assert [p.name for p in (class_cache / "stemma").iterdir() if not p.name.endswith(".jsa")] == []
    assert len(list((class_cache / "stemma").glob("spark-classes-*.jsa"))) == 1


def test_spark_reuse_of_parquet_equals_the_cli(cli, tmp_path, class_cache):
    """Parquet with passim's columns (id, series, date, text), in a folder of two files:
    documents are numbered in id order, then by their other fields, whatever the files
    (twins of one id here), so the records are `stemma reuse`'s on the same documents as
    JSON Lines in that order."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    columns = ("id", "series", "date", "text")
    lines = (FIXTURES / "reuse-small.jsonl").read_text().splitlines()
    records = [{c: json.loads(line).get(c) for c in columns} for line in lines]
    # Twins: an id given again, the same text in another series (sorting before the
    # first's), in the smaller file, which Spark reads after the larger one: they fall in
    # the same clusters as their first, on the same date, so their order shows.
    twins = [dict(r, series="0-reprints") for i, r in enumerate(records) if i % 4 == 0]
    folder = tmp_path / "corpus.parquet"
    folder.mkdir()
    for name, rows in (("a.parquet", records), ("b.parquet", twins)):
        pq.write_table(pa.table({c: [r[c] for r in rows] for c in columns}), folder / name)

    def order(r):
        return [(r[c] is not None, r[c] or "") for c in columns]  # Spark's: nulls first

    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in sorted(records + twins, key=order)))
    expected = tmp_path / "clusters.jsonl"
    cli.run("reuse", "-q", corpus, "--out", expected)
    out = tmp_path / "spark"
    done = subprocess.run(
        [sys.executable, "-m", "stemma.spark", "reuse", str(folder), str(out), "--master", "local[2]"],
        capture_output=True, text=True, env=dict(os.environ, PYSPARK_PYTHON=sys.executable), cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = [line for p in sorted(out.glob("part-*")) for line in p.read_text().splitlines()]
    assert got == expected.read_text().splitlines() and len(got) > 100


def test_spark_reports_a_bad_line_as_the_cli(cli, tmp_path):
    """A line that is not JSON fails a Spark task; the job says so in the CLI's one line and
    exits 2 (not Spark's traceback)."""
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text('{"id": "a", "text": "one two three"}\n{"id": broken\n')
    want = cli.run("reuse", corpus, check=False)
    assert want.returncode == 2
    done = subprocess.run(
        [sys.executable, "-m", "stemma.spark", "reuse", str(corpus), str(tmp_path / "o"), "--master", "local[1]"],
        capture_output=True, text=True, env=dict(os.environ, PYSPARK_PYTHON=sys.executable),
    )
    assert done.returncode == 2, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    # The CLI names the file as given, the job by its absolute path (executors read it there).
    assert last == want.stderr.strip().splitlines()[-1].replace(f"stemma: {corpus}", f"stemma: {corpus.resolve()}")
    assert last.endswith("bad.jsonl:2: not JSON: expected value (column 8)")

    # An empty corpus is refused in the CLI's words, not written as an empty result, by
    # either plan (auto picks the single-task plan for it).
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    want = cli.run("reuse", "--cross-lingual", "never", empty, check=False)
    for plan in ("auto", "distributed"):
        done = subprocess.run(
            [sys.executable, "-m", "stemma.spark", "reuse", str(empty), str(tmp_path / plan), "--master", "local[1]",
             "--plan", plan],
            capture_output=True, text=True, env=dict(os.environ, PYSPARK_PYTHON=sys.executable),
        )
        assert (done.returncode, want.returncode) == (2, 2), (plan, done.stderr[-3000:])
        assert done.stderr.strip().splitlines()[-1] == want.stderr.strip() == "stemma: no documents were read", plan
        assert not (tmp_path / plan / "_SUCCESS").exists(), plan  # nothing written


def test_spark_refuses_bad_options(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "stemma.spark", "reuse", str(FIXTURES / "reuse-small.jsonl"), str(tmp_path / "o"),
         "--master", "local[1]", "--min-df", "5", "--max-df", "2"],
        capture_output=True, text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "stemma: --min-df (5) is larger than --max-df (2)"
    done = subprocess.run(
        [sys.executable, "-m", "stemma.spark", "reuse", str(FIXTURES / "reuse-small.jsonl"), str(tmp_path / "o"),
         "--master", "local[1]", "--align-memory", "lots"],
        capture_output=True, text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "stemma: 'lots' is not a size (e.g. 512M, 8G)"


def test_splits_give_every_line_once_with_its_number():
    from stemma.arrow import lines as cut_lines
    from stemma.spark.documents import count_newlines, plan_splits, split_lines

    rng = random.Random(7)
    for trial in range(300):
        lines = [b"x" * rng.choice([0, 0, 1, 2, 5, 30]) for _ in range(rng.randint(0, 12))]
        data = b"\n".join(lines) + (b"\n" if rng.random() < 0.5 else b"")
        f = io.BytesIO(data)
        splits = plan_splits([("f", "f", len(data))], rng.randint(1, 9))
        got, lines_before = [], 0
        for _, _, _, start, end in splits:
            skipped, found = split_lines(f, start, end)
            first = lines_before + skipped + 1
            got += [(first + i, line.encode()) for i, line in enumerate(cut_lines(found).to_pylist())]
            lines_before += data[start:end].count(b"\n")
        want = list(enumerate(data.split(b"\n"), 1))
        if data.endswith(b"\n") or not data:
            want.pop()
        assert got == want, (trial, data, splits)


def test_local_roots_are_the_least_node_of_each_component():
    import numpy as np

    from stemma.spark.components import local_roots

    rng = random.Random(3)
    for _ in range(200):
        n = rng.randint(2, 40)
        edges = [(rng.randrange(n) * 3, rng.randrange(n) * 3) for _ in range(rng.randint(1, 50))]
        nodes, roots = local_roots(np.array([e[0] for e in edges]), np.array([e[1] for e in edges]))
        got = dict(zip(nodes.tolist(), roots.tolist()))
        # Reference: components by repeated merging of sets.
        comps = []
        for a, b in edges:
            joined = [c for c in comps if a in c or b in c]
            merged = {a, b}.union(*joined)
            comps = [c for c in comps if c not in joined] + [merged]
        for c in comps:
            least = min(c)
            for x in c:
                assert got.get(x, x) == least

"""stemma.dedup, stemma.arrow.dedup and the Spark dedup job give the CLI's records."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import stemma
from conftest import FIXTURES, REPO

CORPUS = FIXTURES / "dedup-small.jsonl"


def cli_records(cli, tmp_path, *options):
    out = tmp_path / "dups.jsonl"
    cli.run("dedup", "-q", CORPUS, "--out", out, *options)
    return out.read_text().splitlines()


@pytest.mark.parametrize(
    "options",
    [{}, {"keep": "earliest"}, {"keep": "longest", "threshold": 0.7}, {"ngram": 3, "num_perm": 64, "bands": 16}],
)
def test_dedup_equals_the_cli(cli, tmp_path, options):
    flags = [x for k, v in options.items() for x in (f"--{k.replace('_', '-')}", str(v))]
    want = cli_records(cli, tmp_path, *flags)
    result = stemma.dedup(paths=[CORPUS], **options)
    assert [r.to_dict() for r in result.records] == [json.loads(line) for line in want]
    assert result.to_dict() == cli.json("dedup", "-q", CORPUS, "--json", *flags)
    # The corpus has exact copies, near copies and a version history cut into stars.
    kinds = {(r.exact, r.kept) for r in result.records if r.cluster is not None}
    assert kinds == {(True, False), (False, False), (False, True)}
    for members in result.clusters().values():
        assert members[0].kept and all(m.duplicate_of == members[0].id for m in members[1:])


def test_dedup_records_typed():
    story = ("The central bank raised its main interest rate by a quarter point on Tuesday, citing "
             "persistent inflation in services and a tight labour market, and signalled more to come.")
    d = stemma.dedup([{"id": "a", "text": story}, {"id": "b", "text": story.replace("Tuesday", "Wednesday")},
                      {"id": "c", "text": "Local team wins the cup after a dramatic penalty shoot-out."}], threshold=0.5)
    a, b, c = d.records
    assert isinstance(b, stemma.DedupRecord)
    assert (b.cluster, b.kept, b.duplicate_of, b.exact) == (1, False, "a", False)
    assert 0.5 <= b.similarity < 1
    assert c.cluster is None and c.kept and c.similarity is None
    assert [r.id for r in d.kept()] == ["a", "c"]
    assert d.summary.summary["removed"] == 1


def test_dedup_refuses_what_the_cli_refuses(cli, tmp_path):
    for flags, kwargs in [(["--threshold", "1.5"], {"threshold": 1.5}), (["--num-perm", "8", "--bands", "9"], {"num_perm": 8, "bands": 9})]:
        done = cli.run("dedup", CORPUS, "--out", tmp_path / "x", *flags, check=False)
        assert done.returncode == 2
        with pytest.raises(stemma.StemmaError) as e:
            stemma.dedup(paths=[CORPUS], **kwargs)
        assert f"stemma: {e.value}" == done.stderr.strip().splitlines()[-1]
    with pytest.raises(stemma.StemmaError, match="--keep must be"):
        stemma.dedup(paths=[CORPUS], keep="newest")
    with pytest.raises(stemma.StemmaError, match="nothing to read"):
        stemma.dedup([])


def test_arrow_dedup_equals_the_cli(cli, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import stemma.arrow as sa

    want = [json.loads(line) for line in cli_records(cli, tmp_path, "--keep", "earliest")]
    table = sa.dedup(sa.read_jsonl(CORPUS), keep="earliest", threads=2)
    fields = ["id", "cluster", "kept", "duplicate_of", "similarity", "exact", "words", "bytes"]
    got = [dict(zip(fields, row)) for row in zip(*(table.column(f).to_pylist() for f in fields))]
    assert got == want
    assert json.loads(table.schema.metadata[b"summary"])["summary"]["removed"] == sum(not r["kept"] for r in want)
    assert isinstance(table.column("kept_row"), pa.ChunkedArray)


def test_spark_dedup_equals_the_cli(cli, tmp_path):
    pytest.importorskip("pyspark")
    # Dated documents kept first and a lower threshold: larger components, exact copies in them.
    options = ["--keep", "earliest", "--threshold", "0.7"]
    want = cli_records(cli, tmp_path, *options)
    out = tmp_path / "spark"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    done = subprocess.run(
        [sys.executable, "-m", "stemma.spark", "dedup", str(CORPUS), str(out), "--master", "local[2]", "--partitions", "3", *options],
        capture_output=True, text=True, env=env, cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for p in sorted(out.glob("part-*")) for line in p.read_text().splitlines()]
    assert len(lines) == len(want) == 256
    for got, exp in zip(lines, want):
        assert json.loads(got) == json.loads(exp)
    assert lines == want


def test_spark_dedup_refuses_bad_options(tmp_path):
    pytest.importorskip("pyspark")
    done = subprocess.run(
        [sys.executable, "-m", "stemma.spark", "dedup", str(CORPUS), str(tmp_path / "o"), "--threshold", "0"],
        capture_output=True, text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "stemma: --threshold must be in (0, 1], not 0"

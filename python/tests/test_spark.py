"""The Spark job on local[2] writes the CLI's cluster records, record for record."""

from __future__ import annotations

import json
import os
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
        [sys.executable, "-m", "stemma.spark", "reuse", str(corpus), str(out), "--master", "local[2]", "--partitions", "2"],
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


def test_spark_refuses_bad_options(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "stemma.spark", "reuse", str(FIXTURES / "reuse-small.jsonl"), str(tmp_path / "o"),
         "--master", "local[1]", "--min-df", "5", "--max-df", "2"],
        capture_output=True, text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "stemma: --min-df (5) is larger than --max-df (2)"

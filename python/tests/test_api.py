"""The plain functions return what the CLI's --json prints, and fail as the CLI fails."""

from __future__ import annotations

import json
import os
import pathlib
import pickle
import random
import subprocess
import sys
import threading
import time

import pytest

import stemma
from conftest import EXAMPLES, FIXTURES

LGPL = EXAMPLES / "LGPL-2.1.txt"
GPL = EXAMPLES / "GPL-2.txt"


def test_compare_files_equals_the_cli(cli):
    result = stemma.compare(LGPL, GPL)
    assert result.to_dict() == cli.json("compare", LGPL, GPL, "--json")
    assert isinstance(result, stemma.Comparison)
    assert result.a.id == "LGPL-2.1.txt" and result.summary.passages == len(result.passages) > 10
    p = result.passages[0]
    assert isinstance(p.a, stemma.Span)
    # Offsets are exact: the spans cut the reported texts out of the files.
    assert LGPL.read_text()[p.a.start:p.a.end] == p.a_text


def test_results_are_frozen_typed_values():
    result = stemma.compare(LGPL, GPL)
    p = result.passages[0]
    with pytest.raises(AttributeError, match="cannot assign to field 'kind'"):
        p.kind = "edited"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.a
    # Equal by value, hashed on the fields, printed with them, pickled with the JSON.
    span = stemma.Span(p.a.start, p.a.end, char_start=p.a.char_start, char_end=p.a.char_end, tokens=p.a.tokens)
    assert span == p.a and hash(span) == hash(p.a) and span != p.b
    assert repr(span) == f"Span(start={p.a.start}, end={p.a.end}, char_start={p.a.char_start}, char_end={p.a.char_end}, tokens={p.a.tokens})"
    again = pickle.loads(pickle.dumps(result))
    assert again == result and again.to_dict() == result.to_dict()
    assert again.passages[-1].b_diffs == result.passages[-1].b_diffs
    # Built by hand, a result gives its fields as JSON; the constructor checks its arguments.
    assert stemma.Span(0, 4, 0, 4).to_dict() == {"start": 0, "end": 4, "char_start": 0, "char_end": 4, "tokens": None}
    with pytest.raises(TypeError, match="missing required argument 'char_end'"):
        stemma.Span(0, 4, 0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'begin'"):
        stemma.Span(0, 4, 0, 4, begin=0)
    # A field holding results is built when first read, from the JSON: the same either way.
    fresh = stemma.Comparison.from_dict(result.to_dict())
    assert [q.a_diffs for q in fresh.passages] == [q.a_diffs for q in result.passages]


def test_a_first_call_builds_no_dataclass():
    # The first call of a process used to import dataclasses (with inspect) and make two
    # dozen dataclasses: ~25 ms, on a call whose engine takes ~40 ms on 2 x 1 MB.
    script = (
        "import sys, stemma; stemma.compare('the quick brown fox', 'the quick brown fox');"
        "print(sorted(m for m in ('dataclasses', 'inspect', 'stemma._types') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["['stemma._types']"]
    # And `import stemma.arrow` (an engine's) loads no result class.
    pytest.importorskip("pyarrow")
    done = subprocess.run(
        [sys.executable, "-c", "import sys, stemma.arrow; print('stemma._types' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )
    assert done.stdout.strip() == "False"


def test_compare_options_equal_the_cli(cli):
    result = stemma.compare(LGPL, GPL, ngram=4, min_words=20, min_identity=0.8, sentence_seeds=False)
    expected = cli.json(
        "compare", LGPL, GPL, "--json", "--ngram", "4", "--min-words", "20", "--min-identity", "0.8", "--no-sentence-seeds"
    )
    assert result.to_dict() == expected
    assert all(p.identity >= 0.8 for p in result.passages)


def test_compare_texts():
    shared = "Everyone is permitted to copy and distribute verbatim copies of this license document."
    result = stemma.compare(f"Préambule. {shared}", f"{shared} The end.", a_id="x")
    assert result.a.id == "x" and result.b.id == "b"
    (p,) = result.passages
    assert (p.kind, p.a.char_start, p.b.start) == ("verbatim", 11, 0)
    assert p.a.start == len("Préambule. ".encode())  # bytes, and chars beside them


def test_thread_count_does_not_change_the_result():
    one = stemma.compare(LGPL, GPL, threads=1).to_dict()
    assert stemma.compare(LGPL, GPL, threads=2).to_dict() == one


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_threads_sizes_the_pool_that_does_the_work():
    # `threads=7` runs the call on a pool of 7 threads (not the cores' count), made once for
    # that size and kept.
    script = (
        "import os, stemma\n"
        "count = lambda: len(os.listdir('/proc/self/task'))\n"
        "before = count(); stemma.compare('the quick brown fox', 'the quick brown fox', threads=7); first = count()\n"
        "stemma.diff('1. one', '1. two', threads=7); print(first - before, count() - first)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["7", "0"], done.stdout


def test_diff_equals_the_cli(cli, tmp_path):
    old = tmp_path / "old.txt"
    new = tmp_path / "new.txt"
    old.write_text("1. Pay within 30 days.\n2. Ship by air.\n3. Keep the receipt.\n")
    new.write_text("1. Pay within 60 days.\n2. Keep the receipt.\n")
    result = stemma.diff(old, new)
    assert result.to_dict() == cli.json("diff", old, new, "--json")
    assert result.summary.counts["removed"] == 1
    sentence = stemma.diff(old, new, granularity="sentence", ignore_numbering=True)
    assert sentence.to_dict() == cli.json("diff", old, new, "--json", "--granularity", "sentence", "--ignore-numbering")


def test_index_add_trace_search_equal_the_cli(cli, tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    index = stemma.Index(ours)
    added = index.add([GPL, {"id": "note", "text": "A short note about free software licences."}])
    assert added.to_dict() == {"added": 2, "replaced": 0, "unchanged": 0}
    assert index.add([GPL]).unchanged == 1
    assert len(index) == 2
    note = tmp_path / "note.jsonl"
    note.write_text(json.dumps({"id": "note", "text": "A short note about free software licences."}) + "\n")
    cli.run("index", "add", "-q", "--index", theirs, GPL, note)

    trace = index.trace(LGPL)
    # The CLI's defaults, cross-lingual channel included: with the model installed (CI
    # installs it) both say the same about an index without embeddings; on the CLI's index
    # (embedded when the model is installed) both search it.
    assert trace.to_dict() == cli.json("trace", "--index", ours, LGPL, "--json")
    assert trace.to_dict()["sources"] == cli.json("trace", "--index", theirs, LGPL, "--json")["sources"]
    on_theirs = stemma.Index(theirs).trace(LGPL)
    assert on_theirs.to_dict() == cli.json("trace", "--index", theirs, LGPL, "--json")
    if os.environ.get("STEMMA_REQUIRE_MODEL") == "1":
        assert on_theirs.cross_lingual["status"] == "searched"
    never = stemma.Index(theirs).trace(LGPL, cross_lingual="never")
    assert "cross_lingual" not in never.to_dict()
    assert never.to_dict() == cli.json("trace", "--index", theirs, LGPL, "--json", "--cross-lingual", "never")
    assert trace.sources[0].id == "GPL-2.txt"
    # Every aligned candidate, closest first: typed like the sources, the CLI's order.
    assert trace.by_closeness[0].id == "GPL-2.txt" and trace.by_closeness[0].rank == 1
    assert [s.id for s in on_theirs.by_closeness] == [
        s["id"] for s in cli.json("trace", "--index", theirs, LGPL, "--json")["by_closeness"]]
    assert {s.id for s in trace.by_closeness} == {s.id for s in trace.sources + trace.alternatives}
    assert 0 < trace.by_closeness[0].closeness <= 1
    by_id = index.trace(id="GPL-2.txt")
    assert by_id.target.id == "GPL-2.txt"

    hits = index.search("warranty")
    assert [h.id for h in hits.hits] == ["GPL-2.txt"]
    assert hits.to_dict() == cli.json("index", "search", "warranty", "--index", theirs, "--json")


def test_reuse_equals_the_cli(cli, tmp_path):
    corpus = FIXTURES / "reuse-small.jsonl"
    out, pairs = tmp_path / "clusters.jsonl", tmp_path / "pairs.jsonl"
    # The Python API has no cross-lingual path: compare with the CLI's monolingual run.
    summary = cli.json("reuse", "-q", corpus, "--out", out, "--pairs", pairs, "--json", "--cross-lingual", "never")
    result = stemma.reuse(paths=[corpus], pairs=True)
    assert result.to_dict() == summary
    assert [m.to_dict() for m in result.members] == [json.loads(line) for line in out.read_text().splitlines()]
    assert [p.to_dict() for p in result.pairs] == [json.loads(line) for line in pairs.read_text().splitlines()]
    clusters = result.clusters()
    assert len(clusters) == summary["stats"]["clusters"] > 10
    # Records in, the same records out.
    records = [json.loads(line) for line in corpus.read_text().splitlines()]
    again = stemma.reuse(records)
    assert [m.to_dict() for m in again.members] == [m.to_dict() for m in result.members]
    first = again.members[0]
    assert first.to_dict()["kind"] in {"licence", "splice"}  # extra fields carried over


def test_errors_carry_the_cli_messages(cli, tmp_path):
    missing = tmp_path / "missing.txt"
    done = cli.run("compare", missing, LGPL, check=False)
    assert done.returncode == 2
    with pytest.raises(stemma.StemmaError) as e:
        stemma.compare(missing, LGPL)
    assert done.stderr.strip() == f"stemma: {e.value}"

    with pytest.raises(stemma.StemmaError, match="empty"):
        stemma.compare("", "some text")
    with pytest.raises(stemma.StemmaError, match=r"--min-df \(5\) is larger than --max-df \(2\)"):
        stemma.reuse([{"text": "x"}], min_df=5, max_df=2)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    done = cli.run("reuse", "-q", "--cross-lingual", "never", empty, check=False)
    with pytest.raises(stemma.StemmaError) as e:
        stemma.reuse(paths=[empty])
    assert (done.returncode, done.stderr.strip()) == (2, f"stemma: {e.value}")
    with pytest.raises(stemma.StemmaError, match="^records:2: "):
        stemma.reuse([{"text": "x"}, {"id": "no text"}])
    with pytest.raises(stemma.StemmaError, match="--min-identity must be between 0 and 1"):
        stemma.compare("a b c", "a b c", min_identity=2)
    with pytest.raises(stemma.StemmaError):
        stemma.Index(tmp_path / "nowhere", create=False)
    with pytest.raises(TypeError):
        stemma.compare(42, "x")  # type: ignore[arg-type]
    assert issubclass(stemma.StemmaError, ValueError)


def test_the_gil_is_released_during_work():
    # Distinct copies (a text repeated verbatim is all boilerplate and returns at once):
    # GPL-2's words shuffled 40 ways, 30 of them shared, ≈ 700 and 530 kB.
    words = (EXAMPLES / "GPL-2.txt").read_text().split()

    def copies(seeds):
        out = []
        for seed in seeds:
            shuffled = list(words)
            random.Random(seed).shuffle(shuffled)
            out.append(" ".join(shuffled))
        return "\n\n".join(out)

    text, other = copies(range(40)), copies(range(10, 40))
    done = threading.Event()
    ticks = 0

    def work():
        stemma.compare(text, other, threads=1)
        done.set()

    worker = threading.Thread(target=work)
    started = time.perf_counter()
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    worker.join()
    elapsed = time.perf_counter() - started
    # With the GIL held for the whole call, this loop could not run until it returned (a
    # tick or two at most); a loaded machine slows its sleeps, hence the low bar.
    assert elapsed > 0.05 and ticks > 3, (elapsed, ticks)


def test_types_are_documented():
    for name in stemma.__all__:
        assert getattr(stemma, name).__doc__, name
    assert (pathlib.Path(stemma.__file__).parent / "_stemma.pyi").exists()
    assert (pathlib.Path(stemma.__file__).parent / "py.typed").exists()

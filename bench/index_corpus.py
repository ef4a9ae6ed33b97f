#!/usr/bin/env python3
"""Index and trace benchmark for `stemma index` / `stemma trace` (run by bench/index.sh).

Builds a corpus of N documents from ../shared/data: Reuters stories, licences and the King
James Genesis in chapter-sized parts (the originals, dated 1987, the 1990s and 1611), plus
derived documents (dated 2000-2025) with planted reuse whose sources are known: 1-3 passages of
40-120 words from originals, between filler sentences, each planted one of three ways:
verbatim; edited (10-30% of the words replaced, dropped or inserted); or, in the queries
only, reworded (the same verses of Genesis in the World English Bible, a modern revision: few
exact n-grams survive).
Each original is copied by many derived documents, so a trace must tell the origin from its
later copies. The filler
is drawn word by word from the word frequencies of the Gutenberg books, so that it carries no
reuse of its own and the planted sources are the whole truth (real sentences shared between
derived documents would be true, unlabelled sources). 200 more derived documents are held out
of the index as trace queries.

Prints: ingest docs/s and MB/s (with the ratio to `wc -w` on the same bytes), peak RSS of the
ingest, index bytes per document, trace latency p50/p95 over the queries (one `stemma trace`
process each: start-up and index opening included), peak RSS of the traces, and recall of the
planted sources in the top-10 candidates and in the attributed sources, for each way of
planting, with both candidate channels (the default) and with the fingerprint channel alone
(`--bm25-candidates 0`, the baseline) and the BM25 channel alone (`--candidates 0`) in the
same run.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

TMP = tempfile.mkdtemp(prefix="stemma-index-bench-")

EDIT_RATES = (0.10, 0.30)
KINDS = ("verbatim", "edited", "reworded")


def load_genesis(verses):
    """KJV Genesis in parts of about 800 words (whole verse groups), each with its verse
    groups [(kjv, web)] for reworded planting. `verses` is `stemma-bench genesis-verses`'s
    output."""
    groups = []
    with open(verses, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            groups.append((rec["kjv"], rec["web"]))
    parts, current = [], []
    for g in groups:
        current.append(g)
        if sum(len(k.split()) for k, _ in current) >= 800:
            parts.append(current)
            current = []
    if current:
        parts.append(current)
    return [{
        "id": f"genesis-kjv/{i + 1:02d}",
        "title": f"Genesis (KJV), part {i + 1}",
        "series": "kjv",
        "date": "1611-05-02",
        "text": "\n".join(k for k, _ in part),
        "groups": part,
    } for i, part in enumerate(parts)]


def load_originals(data):
    originals = []
    with open(os.path.join(data, "news/reuters21578.jsonl"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            rec = json.loads(line)
            month, day = 1 + (i // 28) % 12, 1 + i % 28
            originals.append({
                "id": rec["id"],
                "title": rec.get("title") or None,
                "series": "reuters",
                "date": f"1987-{month:02d}-{day:02d}",
                "text": rec["text"],
            })
    lic_dir = os.path.join(data, "licenses/spdx")
    if os.path.isdir(os.path.join(lic_dir, "texts")):
        lic_dir = os.path.join(lic_dir, "texts")
    for i, name in enumerate(sorted(os.listdir(lic_dir))):
        if not name.endswith(".txt"):
            continue
        with open(os.path.join(lic_dir, name), encoding="utf-8", errors="replace") as f:
            text = f.read()
        originals.append({
            "id": "spdx/" + name[:-4],
            "title": name[:-4],
            "series": "spdx",
            "date": f"19{90 + i % 10}-{1 + i % 12:02d}-15",
            "text": text,
        })
    return originals


def load_filler(data):
    """A unigram model of the Gutenberg prose: (words, cumulative weights)."""
    counts = {}
    lit = os.path.join(data, "literature/gutenberg")
    for name in sorted(os.listdir(lit)):
        with open(os.path.join(lit, name), encoding="utf-8", errors="replace") as f:
            for w in re.findall(r"[A-Za-z']+", f.read()):
                counts[w.lower()] = counts.get(w.lower(), 0) + 1
    words = sorted(counts)
    cum, total = [], 0
    for w in words:
        total += counts[w]
        cum.append(total)
    return words, cum


def filler_text(rng, filler, sentences):
    words, cum = filler
    out = []
    for _ in range(sentences):
        s = rng.choices(words, cum_weights=cum, k=rng.randint(8, 30))
        out.append(" ".join(s).capitalize() + ".")
    return " ".join(out)


def edit(rng, words, vocab):
    """10-30% of the words edited: replaced (half), dropped or followed by an inserted word."""
    rate = rng.uniform(*EDIT_RATES)
    out = []
    for w in words:
        r = rng.random()
        if r >= rate:
            out.append(w)
        elif r < rate / 2:
            out.append(rng.choice(vocab))
        elif r < rate * 3 / 4:
            continue
        else:
            out.extend((w, rng.choice(vocab)))
    return out


def reworded(rng, src, length):
    """Consecutive verse groups of a Genesis part, about `length` KJV words: (kjv, web)."""
    groups = src["groups"]
    start = rng.randrange(len(groups))
    end = start
    while end < len(groups) and sum(len(k.split()) for k, _ in groups[start:end]) < length:
        end += 1
    while start > 0 and sum(len(k.split()) for k, _ in groups[start:end]) < length:
        start -= 1
    return " ".join(k for k, _ in groups[start:end]), " ".join(w for _, w in groups[start:end])


def derived(rng, number, pools, filler, vocab, query=False):
    """One document with 1-3 planted passages; returns (record, [(source id, original words,
    kind)]). A query plants each kind alike (reworded from a Genesis part); the corpus draws
    its sources uniformly."""
    eligible, genesis = pools
    k = rng.choice((1, 1, 2, 2, 3))
    parts = [filler_text(rng, filler, rng.randint(1, 4))]
    planted = []
    used = set()
    for _ in range(k):
        if query:
            kind = rng.choice(KINDS)
            src = rng.choice(genesis if kind == "reworded" else eligible)
        else:
            # The corpus copies verbatim or edited, never reworded: a document holding the
            # very words of a query's rewording would be a closer source than the KJV part
            # it was reworded from, and an equally true answer.
            src = rng.choice(eligible)
            kind = rng.choice(KINDS[:2])
        if src["id"] in used:
            continue
        used.add(src["id"])
        length = rng.randint(40, 120)
        if kind == "reworded":
            original, passage = reworded(rng, src, length)
        else:
            words = src["words"]
            start = rng.randint(0, max(0, len(words) - length))
            original = " ".join(words[start:start + length])
            passage = original if kind == "verbatim" else " ".join(
                edit(rng, words[start:start + length], vocab))
        planted.append((src["id"], original, kind))
        parts.append(passage)
        parts.append(filler_text(rng, filler, rng.randint(1, 4)))
    record = {
        "id": f"derived-{number:06d}",
        "series": "derived",
        "date": f"20{rng.randint(0, 25):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "text": "\n\n".join(parts),
    }
    return record, planted


def generate(data, verses, out, total, queries, seed):
    rng = random.Random(seed)
    genesis = load_genesis(verses)
    originals = load_originals(data)
    filler = load_filler(data)
    vocab = filler[0][::7]
    n_orig = min(len(originals) + len(genesis), max(1, int(total * 0.6)))
    rng.shuffle(originals)
    # Every Genesis part is in the corpus: the reworded queries need their sources.
    originals = genesis + originals[:n_orig - len(genesis)]
    for o in originals:
        o["words"] = o["text"].split()
    eligible = [o for o in originals if len(o["words"]) >= 60]
    pools = (eligible, genesis)
    os.makedirs(out, exist_ok=True)
    corpus = os.path.join(out, f"corpus-{total}.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for o in originals:
            f.write(json.dumps({k: o[k] for k in ("id", "title", "series", "date", "text")}) + "\n")
        for i in range(total - len(originals)):
            rec, _ = derived(rng, i, pools, filler, vocab)
            f.write(json.dumps(rec) + "\n")
    qdir = os.path.join(out, f"queries-{total}")
    subprocess.run(["rm", "-rf", qdir], check=True)
    os.makedirs(qdir, exist_ok=True)
    truth = {}
    for q in range(queries):
        rec, planted = derived(rng, 900000 + q, pools, filler, vocab, query=True)
        path = os.path.join(qdir, f"q{q:03d}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(rec["text"])
        truth[path] = planted
    with open(os.path.join(out, f"truth-{total}.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, indent=0)
    texts = {o["id"]: " ".join(o["words"]) for o in originals}
    return corpus, truth, texts


def timed(cmd, stdout=subprocess.DEVNULL):
    """Run cmd under /usr/bin/time; return (seconds, its peak RSS in MB, stdout or None, CPU
    seconds (user + system, from the child's rusage: microseconds, where /usr/bin/time's
    hundredths are a large step for a 20 ms trace)).

    (os.wait4's ru_maxrss would include this script's own memory, inherited at fork.)
    """
    rss_file = os.path.join(TMP, "rss")
    start = time.perf_counter()
    with open(os.path.join(TMP, "stderr"), "w+b") as err:
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd,
                                stdout=stdout, stderr=err)
        out = proc.stdout.read() if stdout is subprocess.PIPE else None
        # Reaped here, not by subprocess, to read the child's rusage.
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        secs = time.perf_counter() - start
        if proc.returncode != 0:
            err.seek(0)
            sys.stderr.write(err.read().decode(errors="replace"))
            sys.exit(f"index_corpus.py: failed: {' '.join(cmd)}")
    with open(rss_file) as f:
        rss = int(f.read().split()[-1]) / 1024
    return secs, rss, out, usage.ru_utime + usage.ru_stime


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stemma", default="target/release/stemma")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--verses", required=True,
                    help="KJV/WEB verse groups of Genesis (stemma-bench genesis-verses)")
    ap.add_argument("--out", default="bench/out/index")
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--candidates", type=int, default=None,
                    help="candidates per trace (default: stemma's)")
    ap.add_argument("--baseline", default=None,
                    help="another stemma binary (e.g. the previous commit's), traced in the same "
                         "rounds with both channels and with fingerprints only")
    ap.add_argument("--reuse-index", action="store_true",
                    help="keep an index built by an earlier run (no ingest figures)")
    args = ap.parse_args()

    print(f"load average: {' '.join(open('/proc/loadavg').read().split()[:3])} (other work on this machine slows every figure)")
    t0 = time.perf_counter()
    corpus, truth, texts = generate(args.data, args.verses, args.out, args.docs, args.queries, args.seed)
    size = os.path.getsize(corpus)
    print(f"== {args.docs} documents: {corpus} ({size / 1e6:.1f} MB), generated in {time.perf_counter() - t0:.1f} s")

    index = os.path.join(args.out, f"index-{args.docs}")
    if not (args.reuse_index and os.path.isdir(index)):
        ingest(args, corpus, index, size)
    baseline_index = None
    if args.baseline:
        # The baseline traces an index of its own making, from the same corpus: an older
        # stemma may not read a newer index format (format 4 came with the fingerprint store).
        baseline_index = index + "-baseline"
        if not (args.reuse_index and os.path.isdir(baseline_index)):
            subprocess.run(["rm", "-rf", baseline_index], check=True)
            secs = timed([args.baseline, "index", "--index", baseline_index, "add", corpus, "--quiet"])[0]
            print(f"baseline index: built by {args.baseline} in {secs:.1f} s")
    trace(args, index, truth, texts, baseline_index)


def ingest(args, corpus, index, size):
    wc_best = min(timed(["wc", "-w", corpus])[0] for _ in range(3))
    # Best of three fresh builds, as for every speed figure here; the disk is synced first so
    # the generator's freshly written corpus and the last index's deletion are not flushed
    # during the measurement.
    runs = []
    for _ in range(3):
        subprocess.run(["rm", "-rf", index], check=True)
        os.sync()
        runs.append(timed([args.stemma, "index", "--index", index, "add", corpus, "--quiet"])[:2])
    secs, rss = min(runs)
    print(f"ingest runs: {', '.join(f'{r[0]:.2f} s' for r in runs)} (best counted)")
    stats = json.loads(subprocess.run([args.stemma, "index", "--index", index, "stats", "--json"],
                                      check=True, capture_output=True).stdout)["stats"]
    docs = stats["documents"]
    print(f"ingest: {docs / secs:,.0f} docs/s, {size / 1e6 / secs:.1f} MB/s "
          f"({secs:.1f} s; wc -w: {size / 1e6 / wc_best:.0f} MB/s, stemma takes {secs / wc_best:.0f}x wc -w) "
          f"[target >= 25 MB/s]; peak RSS {rss:.0f} MB")
    print(f"index: {docs} documents, {stats['disk_bytes'] / 1e6:.1f} MB on disk, "
          f"{stats['disk_bytes'] / max(docs, 1):,.0f} bytes per document "
          f"({stats['disk_bytes'] / max(stats['text_bytes'], 1):.2f}x the text), {stats['segments']} segments")


# Share of the planted words' bigrams an original must hold to count as the same words.
NEAR_COPY_BIGRAMS = 0.9
_bigram_cache = {}


def bigrams(text):
    words = re.findall(r"\w+", text.lower())
    return set(zip(words, words[1:]))


def holds(source, text, passage):
    """Whether the original `source` (its `text`) holds the words of `passage`: their middle
    word for word, or 90 % of their word bigrams. The corpus has families of near-identical
    originals (Reuters stories re-filed with a typo fixed, licences derived from one another);
    the trace gives shared words to the earliest of equally close sources, and the dates here
    are drawn, so any original holding the same words is as right as the planted one."""
    if text is None:
        return False
    words = passage.split()
    mid = len(words) // 2
    if " ".join(words[max(0, mid - 6):mid + 6]) in text:
        return True
    if source not in _bigram_cache:
        _bigram_cache[source] = bigrams(text)
    planted = bigrams(passage)
    return len(planted & _bigram_cache[source]) >= NEAR_COPY_BIGRAMS * max(len(planted), 1)


CHANNELS = (
    ("both channels", []),
    ("fingerprints only", ["--bm25-candidates", "0"]),
    ("BM25 only", ["--candidates", "0"]),
)


def trace(args, index, truth, texts, baseline_index=None):
    stats = json.loads(subprocess.run([args.stemma, "index", "--index", index, "stats", "--json"],
                                      check=True, capture_output=True).stdout)["stats"]
    extra = [] if args.candidates is None else ["--candidates", str(args.candidates)]
    planted = [p for ps in truth.values() for p in ps]
    counts = {kind: sum(p[2] == kind for p in planted) for kind in KINDS}
    print(f"trace: {len(truth)} queries against {stats['documents']} documents, one process each; "
          f"{len(planted)} planted sources: " + ", ".join(f"{counts[k]} {k}" for k in KINDS))
    runs = [(name, args.stemma, flags, index) for name, flags in CHANNELS]
    if args.baseline:
        # The baseline binary, traced in the same rounds (query by query, in turn), so that
        # the load of a shared machine weighs on both alike.
        runs += [(f"baseline: {name}", args.baseline, flags, baseline_index or index)
                 for name, flags in CHANNELS[:2]]
    measured = {name: {"latencies": [], "cpu": [], "rss": 0.0, "aligned": [], "misses": [],
                       "found": {key: {k: 0 for k in KINDS}
                                 for key in ("attributed", "by-id", "aligned", "top10")}}
                for name, _, _, _ in runs}
    for path, planted_here in sorted(truth.items()):
        for name, binary, flags, traced in runs:
            m = measured[name]
            found = m["found"]
            secs, rss, out, cpu = timed([binary, "trace", "--index", traced, path, "--json"]
                                        + extra + flags, stdout=subprocess.PIPE)
            report = json.loads(out)
            m["latencies"].append(secs * 1000)
            m["cpu"].append(cpu * 1000)
            m["rss"] = max(m["rss"], rss)
            m["aligned"].append(len(report["candidates"]))
            top10 = set(report["candidates"][:10])
            all_cands = set(report["candidates"])
            srcs = {s["id"] for s in report["sources"][:10]}
            for src, words, kind in planted_here:
                found["top10"][kind] += src in top10
                found["aligned"][kind] += src in all_cands
                found["by-id"][kind] += src in srcs
                # An earlier dated original holding the same words is an equally right answer
                # (the Reuters corpus has re-filed stories): the trace gives the words to the
                # earliest.
                hit = src in srcs or any(holds(s, texts.get(s), words) for s in srcs)
                found["attributed"][kind] += hit
                if not hit:
                    rank = report["candidates"].index(src) if src in all_cands else None
                    m["misses"].append((os.path.basename(path), kind, src, rank,
                                        [s["id"] for s in report["sources"][:3]]))
    results = {name: m["found"] for name, m in measured.items()}
    for name, _, _, _ in runs:
        m = measured[name]
        if name == CHANNELS[0][0] and os.environ.get("MISSES"):
            # Which planted sources the default trace misses, and whether they were aligned.
            for query, kind, src, rank, top in m["misses"]:
                where = "not a candidate" if rank is None else f"candidate #{rank + 1}"
                print(f"    miss: {query} {kind} {src} ({where}); attributed: {top}")
        print(f"  {name:17}: p50 {pct(m['latencies'], 50):.1f} ms, p95 {pct(m['latencies'], 95):.1f} ms "
              f"[targets <= 30 / 100 ms]; CPU per trace: mean {sum(m['cpu']) / len(m['cpu']):.1f} ms, "
              f"p50 {pct(m['cpu'], 50):.1f} ms; peak RSS {m['rss']:.0f} MB; candidates aligned: "
              f"median {pct(m['aligned'], 50)}, max {max(m['aligned'])}")
    names = [name for name, _, _, _ in runs]

    def rate(found, kind):
        return found[kind] / max(counts[kind], 1)

    print("planted-source recall@10 (top-10 attributed sources, an earlier original with the "
          "same words counting) [target >= 0.99 for each kind]:")
    for kind in KINDS:
        row = ", ".join(f"{name} {rate(results[name]['attributed'], kind):.3f}"
                        for name in names)
        print(f"  {kind:9}: {row}")
    print("planted source among the candidates aligned (what each channel adds):")
    for kind in KINDS:
        row = ", ".join(f"{name} {rate(results[name]['aligned'], kind):.3f}"
                        for name in names)
        print(f"  {kind:9}: {row}")
    both = results["both channels"]
    total = len(planted)
    print(f"all kinds: recall@10 {sum(both['attributed'].values()) / total:.4f} "
          f"({sum(both['by-id'].values()) / total:.4f} by id); fingerprints only "
          f"{sum(results['fingerprints only']['attributed'].values()) / total:.4f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Corpora, baseline engines and scoring for bench/dedup.sh (near-duplicate documents).

    dedup.py gen DATA OUT_DIR SEED            planted.jsonl + truth, versions.jsonl + chain
    dedup.py gen-growth DATA OUT.jsonl N SEED N short documents (~40 words), 2 % near copies
    dedup.py datasketch CORPUS OUT B R T N    MinHashLSH (B bands of R rows), union-find
    dedup.py rensa CORPUS OUT B R T N         rensa RMinHashLSH batch API, union-find
    dedup.py score CORPUS TRUTH T OUTS…       precision / recall / F1 / per edit rate / agreement
    dedup.py chain CORPUS OUTS…               the version-history corpus: does a cluster chain?
    dedup.py text CORPUS OUT.txt              the texts alone (for `wc -w` on the same bytes)

Every engine sees the same words: stemma's UAX#29 rules for ASCII (the corpora are folded to
ASCII), lower-cased; shingles are N consecutive words (a text of fewer than N words is one
shingle). The baselines' outputs are JSON Lines like `stemma dedup --out`: `id`, `cluster`.
"""
import json
import os
import random
import re
import sys
import time
import unicodedata
from collections import defaultdict

WORD = re.compile(
    r"[A-Za-z0-9_]+(?:(?:(?<=[A-Za-z])[:.'](?=[A-Za-z])|(?<=[0-9])[,;.'](?=[0-9]))[A-Za-z0-9_]+)*"
)
RATES = [0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.10]
KINDS = ["words", "rewrap", "boilerplate"]
BOILERPLATE = (
    "Copyright 1987 Reuters Limited. All rights reserved. Republication or redistribution "
    "of this content is expressly prohibited without the prior written consent of the publisher."
)


def words(text):
    return [w.lower() for w in WORD.findall(text) if any(c.isalnum() for c in w)]


def shingles(text, n):
    w = words(text)
    if not w:
        return set()
    n = min(n, len(w))
    return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}


def jaccard(a, b):
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def ascii_fold(text):
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def reuters(data):
    out = []
    for line in open(os.path.join(data, "news", "reuters21578.jsonl"), encoding="utf-8"):
        r = json.loads(line)
        out.append((r["id"], ascii_fold(r["text"])))
    return out


def gutenberg_passages(data, size=400):
    folder = os.path.join(data, "literature", "gutenberg")
    out = []
    for name in sorted(os.listdir(folder)):
        text = ascii_fold(open(os.path.join(folder, name), encoding="utf-8", errors="replace").read())
        spans = [m.span() for m in re.finditer(r"\S+", text)]
        for k, i in enumerate(range(0, len(spans) - size, size)):
            out.append((f"{name[:-4]}-{k:04d}", text[spans[i][0]:spans[i + size - 1][1]]))
    return out


def edit(text, rate, rng, vocab):
    """Word edits at `rate` of the words: a third substituted, a third deleted, a third
    inserted; spacing kept as it was."""
    parts = re.split(r"(\s+)", text)
    out = []
    for p in parts:
        if not p or p.isspace():
            out.append(p)
            continue
        r = rng.random()
        if r < rate / 3:
            out.append(rng.choice(vocab))
        elif r < 2 * rate / 3:
            out.append("")
        elif r < rate:
            out.append(p + " " + rng.choice(vocab))
        else:
            out.append(p)
    return re.sub(r"  +", " ", "".join(out))


def rewrap(text, width, rng):
    lines, line = [], ""
    for w in text.split():
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return "\n".join(lines)


def write_jsonl(path, docs):
    with open(path, "w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")


def gen(data, out_dir, seed):
    rng = random.Random(seed)
    os.makedirs(out_dir, exist_ok=True)
    news = reuters(data)
    books = gutenberg_passages(data)
    vocab = sorted({w for _, t in news[:2000] for w in t.split() if w.isalpha()})
    docs = [{"id": i, "text": t} for i, t in news] + [{"id": i, "text": t} for i, t in books]
    sources = rng.sample([d for d in news if len(d[1].split()) >= 80], 700) + rng.sample(books, 700)
    copies, truth = [], []
    for n, (sid, text) in enumerate(sources):
        rate = RATES[n % len(RATES)]
        kind = KINDS[(n // len(RATES)) % len(KINDS)]
        copy = edit(text, rate, rng, vocab)
        if kind == "rewrap":
            copy = rewrap(copy, rng.choice([50, 60, 72]), rng)
        elif kind == "boilerplate":
            copy = copy + "\n\n" + BOILERPLATE
        cid = f"copy-{n:04d}"
        copies.append({"id": cid, "text": copy})
        truth.append({"copy": cid, "source": sid, "rate": rate, "kind": kind})
    rng.shuffle(copies)
    write_jsonl(os.path.join(out_dir, "planted.jsonl"), docs + copies)
    write_jsonl(os.path.join(out_dir, "planted-truth.jsonl"), truth)

    # Version histories: the GPL family as published 1991–2018, the Debian constitution, and
    # a synthetic chain v01 → v20, each 1.5 % of words edited from the one before.
    versions = []
    root = os.path.join(data, "versions")
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if name.endswith((".notes", ".tsv", ".odt", ".rtf")):
                continue
            path = os.path.join(folder, name)
            text = ascii_fold(open(path, encoding="utf-8", errors="replace").read())
            versions.append({"id": os.path.relpath(path, root), "text": text})
    base = books[rng.randrange(len(books))][1] + "\n\n" + books[rng.randrange(len(books))][1]
    chain = []
    text = base
    for v in range(1, 21):
        chain.append({"id": f"chain-v{v:02d}", "text": text})
        text = edit(text, 0.015, rng, vocab)
    write_jsonl(os.path.join(out_dir, "versions.jsonl"), versions + chain)
    print(f"planted.jsonl: {len(docs) + len(copies)} documents ({len(copies)} planted copies); "
          f"versions.jsonl: {len(versions) + len(chain)} documents ({len(chain)} in the synthetic chain)")


def gen_growth(data, out, n, seed):
    """Short documents (~40 words) of Reuters sentences; 2 % are near copies of an earlier
    one (one word changed)."""
    rng = random.Random(seed)
    sentences = []
    for _, t in reuters(data):
        for s in re.split(r"(?<=[.!?])\s+", " ".join(t.split())):
            if 6 <= len(s.split()) <= 30:
                sentences.append(s)
    recent = []
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            if recent and rng.random() < 0.02:
                w = rng.choice(recent).split(" ")
                w[rng.randrange(len(w))] = rng.choice(sentences).split(" ")[0]
                text = " ".join(w)
            else:
                text = " ".join(rng.choice(sentences) for _ in range(3))
                if len(recent) < 1000:
                    recent.append(text)
                else:
                    recent[rng.randrange(1000)] = text
            f.write('{"id":"g%d","text":%s}\n' % (i, json.dumps(text)))


def load(corpus):
    ids, texts = [], []
    for line in open(corpus, encoding="utf-8"):
        r = json.loads(line)
        ids.append(r["id"])
        texts.append(r["text"])
    return ids, texts


def union_find(n, pairs):
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]


def write_clusters(out, ids, roots):
    sizes = defaultdict(int)
    for r in roots:
        sizes[r] += 1
    with open(out, "w", encoding="utf-8") as f:
        for i, r in zip(ids, roots):
            f.write(json.dumps({"id": i, "cluster": r + 1 if sizes[r] > 1 else None}) + "\n")


def write_stats(out, started, work_cpu, extra):
    """The engine's figures, with its CPU seconds apart: `startup_cpu`, the interpreter's start
    and the imports (before `started`); `work_cpu`, reading the corpus to writing the clusters
    (measuring the index's size by pickling it comes after, and is in neither)."""
    extra = dict(extra, startup_cpu=started, work_cpu=work_cpu)
    with open(out + ".stats.json", "w") as f:
        json.dump(extra, f)


def shingle_bytes(texts, n):
    return [[s.encode("utf-8") for s in shingles(t, n)] for t in texts]


def run_datasketch(corpus, out, b, r, threshold, n):
    import pickle
    from datasketch import MinHash, MinHashLSH
    started = time.process_time()
    ids, texts = load(corpus)
    num_perm = b * r
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=(b, r))
    hashes = []
    for i, t in enumerate(texts):
        m = MinHash(num_perm=num_perm)
        m.update_batch(shingle_bytes([t], n)[0])
        hashes.append(m)
        lsh.insert(i, m)
    pairs = [(i, j) for i, m in enumerate(hashes) for j in lsh.query(m) if j != i]
    roots = union_find(len(ids), pairs)
    write_clusters(out, ids, roots)
    work_cpu = time.process_time() - started
    index_bytes = len(pickle.dumps(lsh)) + len(pickle.dumps(hashes))
    write_stats(out, started, work_cpu, {"index_bytes": index_bytes, "candidates": len(pairs) // 2})


def run_rensa(corpus, out, b, r, threshold, n):
    import pickle
    from rensa import RMinHash, RMinHashLSH
    started = time.process_time()
    ids, texts = load(corpus)
    num_perm = b * r
    sets = [shingles(t, n) or {""} for t in texts]
    hashes = RMinHash.from_token_sets(sets, num_perm, 42)
    lsh = RMinHashLSH(threshold, num_perm, b)
    lsh.insert_many(hashes)
    found = lsh.query_all(hashes)
    pairs = [(i, j) for i, js in enumerate(found) for j in js if j != i]
    roots = union_find(len(ids), pairs)
    write_clusters(out, ids, roots)
    work_cpu = time.process_time() - started
    try:
        index_bytes = len(pickle.dumps(lsh)) + len(pickle.dumps(hashes))
    except Exception:
        # Not picklable: the digests (4 bytes a value) and one key per band per document.
        index_bytes = len(ids) * (num_perm * 4 + b * 16)
    write_stats(out, started, work_cpu, {"index_bytes": index_bytes, "candidates": len(pairs) // 2})


def clusters_of(path, index):
    groups = defaultdict(list)
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        if r.get("cluster") is not None:
            groups[r["cluster"]].append(index[r["id"]])
    return list(groups.values())


def removed_of(path, index):
    """Documents an engine removes: stemma's records say which are kept; for the baselines,
    the first of each cluster is kept."""
    removed, first = set(), {}
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        if r.get("cluster") is None:
            continue
        k = index[r["id"]]
        if "kept" in r:
            if not r["kept"]:
                removed.add(k)
        elif r["cluster"] in first:
            removed.add(k)
        else:
            first[r["cluster"]] = k
    return removed


def pair_set(groups):
    out = set()
    for g in groups:
        g = sorted(g)
        for x in range(len(g)):
            for y in range(x + 1, len(g)):
                out.add((g[x], g[y]))
    return out


def score(corpus, truth_path, threshold, n, outs):
    ids, texts = load(corpus)
    index = {i: k for k, i in enumerate(ids)}
    names = [os.path.basename(o).replace(".jsonl", "") for o in outs]
    pairs = {name: pair_set(clusters_of(o, index)) for name, o in zip(names, outs)}
    truth = [json.loads(l) for l in open(truth_path)] if truth_path != "-" else []
    planted = {tuple(sorted((index[t["copy"]], index[t["source"]]))): t for t in truth}
    rng = random.Random(7)
    sample = {tuple(sorted(rng.sample(range(len(ids)), 2))) for _ in range(100_000)}
    evaluated = set().union(*pairs.values()) | set(planted) | sample
    cache = {}

    def sh(k):
        if k not in cache:
            cache[k] = shingles(texts[k], n)
        return cache[k]

    sim = {p: jaccard(sh(p[0]), sh(p[1])) for p in evaluated}
    positives = {p for p, s in sim.items() if s >= threshold}
    print(f"  ground truth: exact Jaccard of {n}-word shingles on {len(evaluated)} pairs "
          f"(every pair any engine put in one cluster, the planted pairs, 100,000 random pairs); "
          f"{len(positives)} pairs ≥ {threshold}")
    print(f"  {'engine':<22} {'pairs':>8} {'precision':>9} {'recall':>7} {'F1':>6} {'dedup recall':>12}   planted recall (J ≥ t)   planted found per edit rate " + " ".join(f"{r:.1%}" for r in RATES))
    result = {}
    for name in names:
        p = pairs[name]
        tp = len(p & positives)
        prec = tp / len(p) if p else 1.0
        rec = tp / len(positives) if positives else 1.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        above = [q for q in planted if sim[q] >= threshold]
        planted_rec = sum(q in p for q in above) / len(above) if above else 1.0
        per_rate = []
        for r in RATES:
            qs = [q for q, t in planted.items() if t["rate"] == r]
            per_rate.append(sum(q in p for q in qs) / len(qs) if qs else float("nan"))
        removed = removed_of(outs[names.index(name)], index)
        both_kept = sum(1 for q in positives if q[0] not in removed and q[1] not in removed)
        dedup_rec = 1 - both_kept / len(positives) if positives else 1.0
        result[name] = (prec, rec, f1, planted_rec, p)
        print(f"  {name:<22} {len(p):>8} {prec:>9.4f} {rec:>7.4f} {f1:>6.4f} {dedup_rec:>12.4f}   {planted_rec:>22.4f}   "
              + " ".join(f"{x:>4.2f}" for x in per_rate))
    print("  (pairs: same-cluster pairs; dedup recall: share of pairs >= the threshold that do not survive "
          "as two kept documents)")
    if planted:
        print("  share of planted copies whose true Jaccard is ≥ %s, per edit rate: " % threshold + ", ".join(
            f"{r:.1%} {sum(sim[q] >= threshold for q, t in planted.items() if t['rate'] == r) / max(1, sum(1 for t in planted.values() if t['rate'] == r)):.2f}"
            for r in RATES))
        print("  mean true Jaccard of planted copies per edit rate: " + ", ".join(
            f"{r:.1%} {sum(sim[q] for q, t in planted.items() if t['rate'] == r) / max(1, sum(1 for t in planted.values() if t['rate'] == r)):.3f}"
            for r in RATES))
    base = next((x for x in names if x.startswith("datasketch")), None)
    if base:
        for name in names:
            if name == base:
                continue
            a, b = result[name][4], result[base][4]
            only_here = a - b
            only_base = b - a
            agree = len(a & b) / len(a | b) if a | b else 1.0
            wrong_base = sum(1 for q in only_base if sim[q] < threshold)
            wrong_here = sum(1 for q in only_here if sim[q] < threshold)
            print(f"  agreement {name} vs {base}: {agree:.3f} of pairs; {len(only_here)} pairs only here "
                  f"({wrong_here} below {threshold}), {len(only_base)} only in {base} ({wrong_base} below {threshold})")
            flagged = sorted(only_base | only_here)[:3]
            for q in flagged:
                print(f"    mismatch: {ids[q[0]]} ~ {ids[q[1]]}: true Jaccard {sim[q]:.3f}, "
                      f"{'only ' + base if q in only_base else 'only ' + name}")
    summary = {name: {"precision": v[0], "recall": v[1], "f1": v[2], "planted_recall": v[3]} for name, v in result.items()}
    json.dump(summary, open(os.path.join(os.path.dirname(outs[0]), "quality.json"), "w"), indent=1)


def chain(corpus, threshold, n, outs):
    ids, texts = load(corpus)
    index = {i: k for k, i in enumerate(ids)}
    chain_ids = [index[i] for i in ids if i.startswith("chain-v")]
    sets = {k: shingles(texts[k], n) for k in chain_ids}
    far = [(a, b) for a in chain_ids for b in chain_ids if a < b and jaccard(sets[a], sets[b]) < threshold]
    print(f"  synthetic chain: J(v01, v02) = {jaccard(sets[chain_ids[0]], sets[chain_ids[1]]):.3f}, "
          f"J(v01, v20) = {jaccard(sets[chain_ids[0]], sets[chain_ids[-1]]):.3f}; {len(far)} of its pairs are below {threshold}")
    for o in outs:
        groups = clusters_of(o, index)
        name = os.path.basename(o).replace(".jsonl", "")
        cin = [sorted(ids[k] for k in g if k in sets) for g in groups]
        cin = [c for c in cin if c]
        widest = max((len(c) for c in cin), default=0)
        bad = 0
        worst = 1.0
        for g in groups:
            for x in g:
                for y in g:
                    if x < y:
                        s = jaccard(shingles(texts[x], n), shingles(texts[y], n))
                        worst = min(worst, s)
                        bad += s < threshold
        print(f"  {name:<22} clusters {len(groups):>3}; chain versions in one cluster at most {widest:>2} of 20; "
              f"v01 and v20 together: {'YES' if any('chain-v01' in c and 'chain-v20' in c for c in cin) else 'no'}; "
              f"pairs in a cluster below {threshold}: {bad} (lowest {worst:.3f})")


def text(corpus, out):
    with open(out, "w", encoding="utf-8") as f:
        for line in open(corpus, encoding="utf-8"):
            f.write(json.loads(line)["text"])
            f.write("\n")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "gen-growth":
        gen_growth(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif cmd in ("datasketch", "rensa"):
        corpus, out, b, r, t, n = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
        t0 = time.time()
        (run_datasketch if cmd == "datasketch" else run_rensa)(corpus, out, b, r, t, n)
    elif cmd == "score":
        score(sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]), sys.argv[6:])
    elif cmd == "chain":
        chain(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5:])
    elif cmd == "text":
        text(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)

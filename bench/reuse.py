#!/usr/bin/env python3
"""Corpora and scoring for bench/reuse.sh (stemma reuse, passim's job).

    reuse.py gen-splice DATA OUT_DIR SEED     passim-style corpus + truth
    reuse.py score OUT_DIR CLUSTERS.jsonl     recall / precision / histogram / mixing
    reuse.py gen-growth DATA OUT.jsonl N SEED synthetic corpus of N documents (~1 KB each)
    reuse.py show-reuters CLUSTERS.jsonl      three re-filed stories found in Reuters-21578

Standard library only, so the bench runs wherever python3 does.
"""
import glob
import hashlib
import json
import os
import random
import re
import sys
from collections import Counter, defaultdict

# Dates the licences were published: the earliest witness of a licence passage.
LICENCE_DATES = {
    "GPL-1": "1989-02-01", "GPL-2": "1991-06-01", "GPL-3": "2007-06-29",
    "LGPL-2": "1991-06-01", "LGPL-2.1": "1999-02-01", "LGPL-3": "2007-06-29",
    "GFDL-1.2": "2002-11-01", "GFDL-1.3": "2008-11-03", "MPL-1.1": "1999-12-01",
    "MPL-2.0": "2012-01-03", "Apache-2.0": "2004-01-01", "Artistic": "1997-01-01",
    "BSD": "1999-07-22", "CC0-1.0": "2009-03-01",
    "GPL": "2007-06-29", "LGPL": "2007-06-29", "GFDL": "2008-11-03",
}

CONFUSIONS = [("e", "c"), ("c", "e"), ("l", "1"), ("1", "l"), ("i", "l"), ("o", "0"),
              ("rn", "m"), ("m", "rn"), ("h", "b"), ("u", "n"), ("n", "u"), ("a", "o"),
              ("s", "5"), ("t", "f"), ("f", "t"), ("I", "l"), ("O", "0"), ("E", "F")]


def licences(data):
    """The distinct Debian licence texts (aliases are exact copies: kept once)."""
    folder = os.path.join(data, "licenses", "debian")
    seen, out = set(), []
    for name in sorted(os.listdir(folder)):
        text = open(os.path.join(folder, name), encoding="utf-8").read()
        digest = hashlib.sha1(text.encode()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        out.append((name, text))
    return out


def ocr_noise(text, rate, rng):
    """OCR-like noise: about `rate` of the characters substituted by look-alikes, dropped,
    or doubled, never across a line break."""
    out, i = [], 0
    while i < len(text):
        if text[i] != "\n" and rng.random() < rate:
            r = rng.random()
            for a, b in CONFUSIONS:
                if r < 0.7 and text.startswith(a, i):
                    out.append(b)
                    i += len(a)
                    break
            else:
                if r < 0.85:  # dropped
                    i += 1
                elif r < 0.95:  # doubled
                    out.append(text[i] * 2)
                    i += 1
                else:  # a stray letter
                    out.append(rng.choice("ilrnmvwce.,'"))
                    out.append(text[i])
                    i += 1
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def passage(rng, lic, min_chars=200, max_chars=1500):
    """A passage of a licence text, cut at word boundaries."""
    name, text = lic
    want = rng.randint(min_chars, max_chars)
    want = min(want, len(text) - 1)
    start = rng.randint(0, len(text) - want)
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = min(len(text), start + want)
    while end < len(text) and not text[end].isspace():
        end += 1
    return {"licence": name, "src_begin": start, "src_end": end, "text": text[start:end]}


def filler_words(data):
    words = []
    folder = os.path.join(data, "literature", "gutenberg")
    for name in ["austen-emma.txt", "chesterton-thursday.txt", "melville-moby_dick.txt"]:
        words += re.findall(r"[A-Za-z]+", open(os.path.join(folder, name), encoding="utf-8", errors="replace").read())
    return words


def gen_splice(data, out_dir, seed):
    rng = random.Random(seed)
    os.makedirs(out_dir, exist_ok=True)
    lics = licences(data)
    words = filler_words(data)
    pool = [passage(rng, rng.choice(lics)) for _ in range(40)]
    docs, truth = [], []
    for name, text in lics:
        docs.append({"id": f"licence/{name}", "series": "debian", "date": LICENCE_DATES.get(name, "2000-01-01"),
                     "text": text, "kind": "licence"})
    for d in range(300):
        noise = rng.randint(0, 6) / 100
        series = f"paper-{rng.randint(1, 12):02d}"
        date = f"{rng.randint(2013, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        doc_id = f"splice-{d:03d}"
        parts, planted = [], []
        pos = 0

        def add(s):
            nonlocal pos
            parts.append(s)
            pos += len(s)

        for k in range(rng.randint(2, 5)):
            # Filler: words drawn independently, so filler never aligns with filler.
            add(" ".join(rng.choice(words) for _ in range(rng.randint(25, 120))) + "\n\n")
            if rng.random() < 0.5:
                v = rng.randrange(len(pool))
                p = dict(pool[v], viral=v)
            else:
                p = dict(passage(rng, rng.choice(lics)), viral=None)
            noisy = ocr_noise(p["text"], noise, rng)
            begin = pos
            add(noisy)
            planted.append({"doc": doc_id, "begin": begin, "end": pos, "noise": noise,
                            "licence": p["licence"], "src_begin": p["src_begin"], "src_end": p["src_end"],
                            "viral": p["viral"], "chars": len(p["text"]), "source_text": p["text"]})
            add("\n\n")
        add(" ".join(rng.choice(words) for _ in range(rng.randint(25, 120))))
        docs.append({"id": doc_id, "series": series, "date": date, "text": "".join(parts),
                     "kind": "splice", "noise": noise})
        truth += planted
    with open(os.path.join(out_dir, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    with open(os.path.join(out_dir, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f)
    size = os.path.getsize(os.path.join(out_dir, "corpus.jsonl"))
    print(f"corpus: {len(docs)} documents ({len(lics)} licences, 300 spliced), {len(truth)} planted passages, {size / 1e6:.2f} MB")


def shingles(text, n=5):
    w = re.findall(r"\w+", text.lower())
    return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}


def score(out_dir, clusters_path):
    truth = json.load(open(os.path.join(out_dir, "truth.json"), encoding="utf-8"))
    members = defaultdict(list)  # doc -> [(begin, end, cluster)]
    sizes = {}
    for line in open(clusters_path, encoding="utf-8"):
        r = json.loads(line)
        members[r["id"]].append((r["begin"], r["end"], r["cluster"]))
        sizes[r["cluster"]] = r["size"]
    # Recall: a planted passage is found when one member covers >= 50 % of it.
    found_by = defaultdict(lambda: [0, 0])
    recalled = []
    for t in truth:
        length = t["end"] - t["begin"]
        best = max((min(e, t["end"]) - max(b, t["begin"]) for b, e, _ in members.get(t["doc"], [])), default=0)
        ok = best >= 0.5 * length
        recalled.append(ok)
        for key in ("all", f"noise {round(t['noise'] * 100)}%", "under 300 chars" if t["chars"] < 300 else None):
            if key:
                found_by[key][0] += ok
                found_by[key][1] += 1
    print("recall of planted passages (>= 50 % covered by one output passage):")
    for key in ["all"] + [f"noise {n}%" for n in range(7)] + ["under 300 chars"]:
        if key in found_by:
            k, n = found_by[key]
            print(f"  {key:16} {k / n:.3f}  ({k}/{n})")
    # Character precision over the spliced documents: output chars inside planted passages.
    planted_by_doc = defaultdict(list)
    for t in truth:
        planted_by_doc[t["doc"]].append((t["begin"], t["end"]))
    inside = total = 0
    for doc, ms in members.items():
        if not doc.startswith("splice-"):
            continue
        covered = set()
        for b, e, _ in ms:
            covered.update(range(b, e))
        total += len(covered)
        inside += sum(1 for c in covered if any(b <= c < e for b, e in planted_by_doc[doc]))
    print(f"character precision (spliced documents): {inside / max(total, 1):.3f}  ({inside}/{total} chars)")
    # Histogram of cluster sizes.
    buckets = [(2, 2), (3, 3), (4, 5), (6, 10), (11, 20), (21, 50), (51, 100), (101, 10**9)]
    hist = Counter()
    for s in sizes.values():
        for lo, hi in buckets:
            if lo <= s <= hi:
                hist[(lo, hi)] += 1
    print(f"clusters: {len(sizes)}; sizes: " + ", ".join(
        f"{lo if lo == hi else f'{lo}-{hi}' if hi < 10**9 else f'{lo}+'}: {hist[(lo, hi)]}" for lo, hi in buckets))
    # Mixing: members of spliced documents attributed to the planted passage they lie in;
    # two planted passages of one cluster are different texts when they share no 5-word
    # shingle (licences that share text, like GPL-2 and LGPL-2.1, are not counted as mixed).
    by_cluster = defaultdict(set)
    for doc, ms in members.items():
        for b, e, c in ms:
            for i, t in enumerate(truth):
                if t["doc"] == doc and min(e, t["end"]) - max(b, t["begin"]) >= 0.5 * (e - b):
                    by_cluster[c].add(i)
    cache = {}
    mixed = []
    for c, ids in by_cluster.items():
        ids = sorted(ids)
        sh = [cache.setdefault(i, shingles(truth[i]["source_text"])) for i in ids]
        bad = any(not (sh[x] & sh[y]) for x in range(len(ids)) for y in range(x + 1, len(ids)))
        if bad:
            mixed.append(c)
    print(f"clusters mixing two different licence passages: {len(mixed)}" + (f" (e.g. clusters {sorted(mixed)[:5]})" if mixed else ""))
    return found_by


def score_passim(out_dir, out_json):
    """Score passim's out.json (a folder of JSON-lines parts, or one file) like ours: its
    records have the same `cluster`, `size`, `id`, `begin`, `end` fields, in characters."""
    parts = sorted(glob.glob(os.path.join(out_json, "*.json"))) if os.path.isdir(out_json) else [out_json]
    merged = os.path.join(out_dir, "passim-clusters.jsonl")
    records = 0
    with open(merged, "w", encoding="utf-8") as f:
        for part in parts:
            for line in open(part, encoding="utf-8"):
                if line.strip():
                    f.write(line if line.endswith("\n") else line + "\n")
                    records += 1
    print(f"passim's output: {records} records in {len(parts)} parts; the same scoring:")
    score(out_dir, merged)


def gen_growth(data, out, n, seed):
    """N documents of ~1 KB: random words from a fixed vocabulary, and in 1 of 4 documents one
    of max(1,000, N / 100) reused passages, so that each passage has ~25 witnesses at every
    size (real clusters, not boilerplate above --max-df). The first 1,000 come from the
    licences; beyond 100k documents the others come from the Gutenberg books (the licences
    are too short to give 10,000 passages that do not overlap)."""
    rng = random.Random(seed)
    words = sorted(set(w.lower() for w in filler_words(data)))
    lics = licences(data)
    pool = [passage(rng, rng.choice(lics), 200, 600)["text"] for _ in range(1000)]
    if n // 100 > len(pool):
        books_rng = random.Random(seed + 1)
        folder = os.path.join(data, "literature", "gutenberg")
        books = [(name, open(os.path.join(folder, name), encoding="utf-8", errors="replace").read())
                 for name in sorted(os.listdir(folder))]
        weights = [len(text) for _, text in books]
        while len(pool) < n // 100:
            book = books_rng.choices(books, weights)[0]
            pool.append(passage(books_rng, book, 200, 600)["text"])
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            body = " ".join(rng.choice(words) for _ in range(rng.randint(120, 170)))
            if i % 4 == 0:
                cut = rng.randint(0, len(body))
                while cut < len(body) and body[cut] != " ":
                    cut += 1
                body = body[:cut] + " " + rng.choice(pool) + " " + body[cut:]
            date = f"{1850 + i % 50}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            f.write(json.dumps({"id": f"g{i:07d}", "series": f"s{i % 97}", "date": date, "text": body}) + "\n")


def show_reuters(clusters_path, data):
    texts = {}
    for line in open(os.path.join(data, "news", "reuters21578.jsonl"), encoding="utf-8"):
        r = json.loads(line)
        texts[r["id"]] = r
    clusters = defaultdict(list)
    for line in open(clusters_path, encoding="utf-8"):
        r = json.loads(line)
        clusters[r["cluster"]].append(r)
    # Re-filed stories: clusters of 2-3 members whose passages are whole stories and nearly
    # the same text (a weekly report with new figures is a template, not a re-filing).
    import difflib
    shown = 0
    for c, ms in sorted(clusters.items()):
        if 2 <= len(ms) <= 3 and min(m["end"] - m["begin"] for m in ms) > 600:
            words = [" ".join(m["text"].lower().split()) for m in ms]
            same = min(difflib.SequenceMatcher(None, words[i], words[j], autojunk=False).ratio()
                       for i in range(len(ms)) for j in range(i + 1, len(ms)))
            if same < 0.9 or len({m["id"] for m in ms}) < len(ms):
                continue
            print(f"  cluster {c} ({same:.0%} the same characters): " + " | ".join(f"{m['id']} [{m['begin']}-{m['end']}] {texts[m['id']].get('title', '')[:60]!r}" for m in ms))
            print(f"      “{' '.join(ms[0]['text'].split())[:160]}…”")
            shown += 1
            if shown == 3:
                break


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "gen-splice":
        gen_splice(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "score":
        score(sys.argv[2], sys.argv[3])
    elif cmd == "score-passim":
        score_passim(sys.argv[2], sys.argv[3])
    elif cmd == "gen-growth":
        gen_growth(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "show-reuters":
        show_reuters(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown command {cmd}")

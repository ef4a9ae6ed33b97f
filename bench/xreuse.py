#!/usr/bin/env python3
"""Cross-lingual reuse benchmark: a corpus where some stories exist in several languages
among unrelated filler, and the scorer of `stemma reuse`'s clusters against it.

Usage: bench/xreuse.py corpus DATA OUT [--seed 1] [--stories 60] [--filler 800]
       bench/xreuse.py score OUT CLUSTERS.jsonl

Built from ../shared/data only (deterministic for a seed):

- stories: NTREX-128 news documents, each published in 2 to 4 of eng, eng-GB (a light
  re-edit of eng), rus, ukr, deu, at least two languages apart; the English witnesses are
  pasted between 2 to 4 unrelated Reuters stories (as a paper reprints a wire story), the
  others stand alone (a translated article); and runs of 3 to 8 articles of the Universal
  Declaration of Human Rights in 2 to 4 of en, fr, de, es, ru, uk (the English ones pasted
  into a Gutenberg chapter);
- negatives: NTREX stories published in one language only, chosen among the stories closest
  in vocabulary to the ones above (same topic, not a translation);
- filler: unrelated Reuters stories and Gutenberg chapters (English).

OUT/corpus.jsonl is the corpus (passim's fields: id, text); OUT/truth.json gives each
document's language and, for witnesses, the story and the story's characters in the text.

The score counts pairs of documents that share a cluster: a pair of witnesses of one story
whose two members both lie on the story (half of each member's characters inside it) is
right. Cross-language pairs (the path's job) and same-language pairs (monolingual reuse,
eng with eng-GB) are scored apart; precision is over the predicted pairs of that kind that
involve at least one witness or are cross-language, recall over the true pairs.
"""

import argparse
import collections
import itertools
import json
import math
import os
import random
import re
import sys

NTREX_LANGS = ["eng", "eng-GB", "rus", "ukr", "deu"]
UDHR_FILES = {
    "eng": "English-Latin1",
    "fra": "French_Francais-Latin1",
    "deu": "German_Deutsch-Latin1",
    "spa": "Spanish-Latin1",
    "rus": "Russian-UTF8",
    "ukr": "Ukrainian-UTF8",
}
HEADING = re.compile(r"^\s*(?:Article|Artikel|Artículo|Статья|Стаття)\s+(\d+)\.?\s*$", re.M)


def lang_of(version):
    return "eng" if version == "eng-GB" else version


def ntrex(data):
    base = os.path.join(data, "parallel", "ntrex128", "docs")
    ids = sorted(f[:-4] for f in os.listdir(os.path.join(base, "eng")) if f.endswith(".txt"))
    docs = {}
    for doc_id in ids:
        entry = {}
        for code in NTREX_LANGS:
            with open(os.path.join(base, code, doc_id + ".txt"), encoding="utf-8") as f:
                entry[code] = f.read().strip()
        docs[doc_id] = entry
    return docs


def udhr_articles(data, name):
    raw = open(os.path.join(data, "parallel", "udhr", name), "rb").read()
    text = raw.decode("utf-8", errors="ignore") if name.endswith("UTF8") else raw.decode("latin-1")
    parts = HEADING.split(text)
    articles = {}
    for number, body in zip(parts[1::2], parts[2::2]):
        articles[int(number)] = " ".join(body.split())
    # NLTK's files stop at 10,000 bytes: the last article may be cut short.
    articles.pop(max(articles), None)
    return articles


def reuters(data, limit):
    stories = []
    with open(os.path.join(data, "news", "reuters21578.jsonl"), encoding="utf-8") as f:
        for line in f:
            story = " ".join(json.loads(line)["text"].split())
            if 400 <= len(story) <= 3000 and "&#" not in story:
                stories.append(story)
            if len(stories) >= limit:
                break
    return stories


def gutenberg_chapters(data, rng, count):
    folder = os.path.join(data, "literature", "gutenberg")
    books = []
    for name in sorted(os.listdir(folder)):
        text = open(os.path.join(folder, name), encoding="utf-8", errors="replace").read()
        paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if len(p.split()) >= 20]
        books.append(paragraphs)
    chapters = []
    for _ in range(count):
        book = rng.choice(books)
        start = rng.randrange(max(1, len(book) - 6))
        chapters.append("\n\n".join(book[start : start + rng.randint(3, 6)]))
    return chapters


def tfidf_neighbours(docs):
    """Each NTREX story's other stories, closest in vocabulary first (English versions)."""
    words = {d: collections.Counter(re.findall(r"[a-z]{3,}", v["eng"].lower())) for d, v in docs.items()}
    df = collections.Counter(w for c in words.values() for w in c)
    n = len(docs)
    vec = {}
    for d, c in words.items():
        v = {w: (1 + math.log(k)) * math.log(n / df[w]) for w, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vec[d] = {w: x / norm for w, x in v.items()}
    out = {}
    for d in docs:
        scored = sorted(((-sum(x * vec[e].get(w, 0.0) for w, x in vec[d].items()), e) for e in docs if e != d))
        out[d] = [e for _, e in scored]
    return out


def shared_text(docs):
    """Pairs of NTREX stories that share an English sentence of 8 words or more (CNN's
    stories of one week reuse paragraphs): real reuse, so never a story and its negative."""
    seen = collections.defaultdict(set)
    for doc_id, versions in docs.items():
        for sentence in re.split(r"(?<=[.!?\"])\s+|\n", versions["eng"]):
            words = re.findall(r"\w+", sentence.lower())
            if len(words) >= 8:
                seen[" ".join(words)].add(doc_id)
    related = collections.defaultdict(set)
    for ids in seen.values():
        for x in ids:
            related[x] |= ids - {x}
    return related


def witness_languages(rng, versions):
    while True:
        chosen = rng.sample(versions, rng.randint(2, min(4, len(versions))))
        if len({lang_of(v) for v in chosen}) >= 2:
            return sorted(chosen)


def corpus(args):
    rng = random.Random(args.seed)
    docs = ntrex(args.data)
    ids = sorted(docs)
    neighbours = tfidf_neighbours(docs)
    filler_news = reuters(args.data, 4000)
    rng.shuffle(filler_news)
    chapters = gutenberg_chapters(args.data, rng, args.filler // 4 + 20)
    records, truth = [], {}

    def add(doc_id, lang, text, story=None, span=None):
        records.append({"id": doc_id, "text": text})
        entry = {"lang": lang}
        if story is not None:
            entry.update(story=story, begin=span[0], end=span[1])
        truth[doc_id] = entry

    def pasted(hosts, passage):
        at = rng.randint(1, len(hosts) - 1)
        before = "\n\n".join(hosts[:at]) + "\n\n"
        return before + passage + "\n\n" + "\n\n".join(hosts[at:]) + "\n", len(before)

    hosts = iter(filler_news[: 8 * args.stories])
    related = shared_text(docs)
    stories = []
    for story in rng.sample(ids, len(ids)):
        if len(stories) < args.stories and not related[story] & set(stories):
            stories.append(story)
    for story in stories:
        for version in witness_languages(rng, NTREX_LANGS):
            text = docs[story][version]
            if lang_of(version) == "eng":
                full, at = pasted([next(hosts) for _ in range(rng.randint(2, 4))], text)
            else:
                full, at = text + "\n", 0
            add(f"news/{story}.{version}", lang_of(version), full, story, (at, at + len(text)))
    # Negatives: stories close in topic to the chosen ones, in one language only.
    used = set(stories)
    negatives = []
    for story in stories:
        for other in neighbours[story]:
            if other not in used and not related[other] & used:
                used.add(other)
                negatives.append(other)
                break
        if len(negatives) >= args.stories // 2:
            break
    for story in negatives:
        version = rng.choice(NTREX_LANGS)
        add(f"news/{story}.{version}.alone", lang_of(version), docs[story][version] + "\n")

    udhr = {lang: udhr_articles(args.data, name) for lang, name in UDHR_FILES.items()}
    first = 1
    chapter = iter(chapters)
    while first <= 24:
        last = min(28, first + rng.randint(2, 7))
        story = f"udhr-{first}-{last}"
        have = sorted(lang for lang, a in udhr.items() if all(n in a for n in range(first, last + 1)))
        if len({lang_of(v) for v in have}) < 2:
            break
        for lang in witness_languages(rng, have):
            text = "\n".join(udhr[lang][n] for n in range(first, last + 1))
            if lang == "eng":
                host = next(chapter).split("\n\n")
                full, at = pasted(host if len(host) >= 2 else host * 2, text)
            else:
                full, at = text + "\n", 0
            add(f"udhr/{story}.{lang}", lang, full, story, (at, at + len(text)))
        first = last + 1 + rng.randint(0, 3)

    for i, story in enumerate(filler_news[8 * args.stories : 8 * args.stories + args.filler * 3 // 4]):
        add(f"filler/reuters-{i:05}", "eng", story + "\n")
    for i in range(args.filler - args.filler * 3 // 4):
        add(f"filler/gutenberg-{i:04}", "eng", next(chapter) + "\n")

    rng.shuffle(records)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(args.out, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=0, sort_keys=True)
    witnesses = sum(1 for t in truth.values() if "story" in t)
    print(
        f"{len(records)} documents: {witnesses} witnesses of {len({t['story'] for t in truth.values() if 'story' in t})} stories, "
        f"{len(negatives)} same-topic stories in one language, {args.filler} filler"
    )


def on_story(member, t):
    if "story" not in t:
        return False
    inside = min(member["end"], t["end"]) - max(member["begin"], t["begin"])
    return inside * 2 >= member["end"] - member["begin"]


def score(args):
    truth = json.load(open(os.path.join(args.out, "truth.json"), encoding="utf-8"))
    clusters = collections.defaultdict(list)
    for line in open(args.clusters, encoding="utf-8"):
        r = json.loads(line)
        clusters[r["cluster"]].append(r)
    by_story = collections.defaultdict(list)
    for doc_id, t in truth.items():
        if "story" in t:
            by_story[t["story"]].append(doc_id)
    true = {"cross": set(), "same": set()}
    for members in by_story.values():
        for x, y in itertools.combinations(sorted(members), 2):
            kind = "cross" if truth[x]["lang"] != truth[y]["lang"] else "same"
            true[kind].add((x, y))
    predicted = {"cross": set(), "same": set()}
    right = {"cross": set(), "same": set()}
    mixed = 0
    wrong = []
    label = lambda m: truth[m["id"]]["story"] if on_story(m, truth[m["id"]]) else None
    for members in clusters.values():
        labels = {label(m) for m in members}
        if len(labels) > 1 and (labels - {None}):
            mixed += 1
        for m, n in itertools.combinations(members, 2):
            if m["id"] == n["id"]:
                continue
            (x, lx), (y, ly) = sorted([(m["id"], label(m)), (n["id"], label(n))])
            kind = "cross" if truth[x]["lang"] != truth[y]["lang"] else "same"
            if kind == "same" and lx is None and ly is None:
                continue  # reuse of the filler (re-filed Reuters stories): not this benchmark's
            predicted[kind].add((x, y))
            if lx is not None and lx == ly:
                right[kind].add((x, y))
            else:
                wrong.append((kind, x, y))
    out = {}
    for kind in ["cross", "same"]:
        p = len(right[kind]) / len(predicted[kind]) if predicted[kind] else 1.0
        r = len(right[kind]) / len(true[kind]) if true[kind] else 1.0
        out[kind] = {"precision": p, "recall": r, "right": len(right[kind]), "predicted": len(predicted[kind]), "true": len(true[kind])}
    whole = 0
    for story, members in by_story.items():
        found = [c for c in clusters.values() if {m["id"] for m in c} >= set(members)]
        whole += bool(found)
    out["stories_whole"] = whole
    out["stories"] = len(by_story)
    out["mixed_clusters"] = mixed
    out["wrong_pairs"] = sorted(set(wrong))[:20]
    json.dump(out, sys.stdout)
    print()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("corpus")
    c.add_argument("data")
    c.add_argument("out")
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--stories", type=int, default=60)
    c.add_argument("--filler", type=int, default=800)
    s = sub.add_parser("score")
    s.add_argument("out")
    s.add_argument("clusters")
    args = ap.parse_args()
    corpus(args) if args.command == "corpus" else score(args)


if __name__ == "__main__":
    main()

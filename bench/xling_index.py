#!/usr/bin/env python3
"""Mixed-language index corpus for bench/xling_index.sh.

Usage: bench/xling_index.py DATA OUT --docs 10000 [--seed 1]

Built from ../shared/data only (deterministic for a seed), one JSON object a line
(`id`, `title`, `text`), written to OUT/corpus.jsonl:

- every NTREX-128 news document in English, Russian, Ukrainian and German (123 x 4 = 492,
  id `ntrex/<lang>/<doc>`, one sentence a line as NTREX ships them): each one's three
  translations are in the index;
- filler up to --docs: Reuters-21578 stories (English news, the same genre as NTREX), then
  Gutenberg books cut into ~3,000-character pieces at paragraph breaks; beyond what both
  hold (~15k documents) the filler is made of random Reuters sentences, 6 to 30 a document.

OUT/queries.jsonl: one line per NTREX document: {"id", "lang", "relevant": [its three
translations]}.
"""

import argparse
import json
import os
import random
import re

LANGS = ["eng", "rus", "ukr", "deu"]


def ntrex(data):
    base = os.path.join(data, "parallel", "ntrex128", "docs")
    ids = sorted(f[:-4] for f in os.listdir(os.path.join(base, "eng")) if f.endswith(".txt"))
    docs = {}
    for doc_id in ids:
        entry = {}
        for code in LANGS:
            with open(os.path.join(base, code, doc_id + ".txt"), encoding="utf-8") as f:
                entry[code] = f.read().strip()
        docs[doc_id] = entry
    return docs


def reuters(data):
    with open(os.path.join(data, "news", "reuters21578.jsonl"), encoding="utf-8") as f:
        for line in f:
            story = json.loads(line)
            text = story["text"].strip()
            if len(text) >= 200:
                yield story.get("title") or "", text


def gutenberg(data, size=3000):
    base = os.path.join(data, "literature", "gutenberg")
    for name in sorted(os.listdir(base)):
        with open(os.path.join(base, name), encoding="utf-8", errors="replace") as f:
            paragraphs = [p.strip() for p in re.split(r"\n\s*\n", f.read()) if p.strip()]
        piece, n = [], 0
        for p in paragraphs:
            piece.append(p)
            if sum(len(x) for x in piece) >= size:
                n += 1
                yield f"{name} {n}", "\n\n".join(piece)
                piece = []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    docs = ntrex(args.data)
    records = []
    queries = []
    for doc_id, versions in docs.items():
        for lang in LANGS:
            records.append({"id": f"ntrex/{lang}/{doc_id}", "title": versions[lang].split("\n")[0][:120],
                            "text": versions[lang]})
            queries.append({"id": f"ntrex/{lang}/{doc_id}", "lang": lang,
                            "relevant": [f"ntrex/{o}/{doc_id}" for o in LANGS if o != lang]})
    filler = []
    for i, (title, text) in enumerate(reuters(args.data)):
        filler.append({"id": f"reuters/{i}", "title": title, "text": text})
    for title, text in gutenberg(args.data):
        filler.append({"id": f"gutenberg/{title}", "title": title, "text": text})
    rng.shuffle(filler)
    need = max(0, args.docs - len(records))
    if need > len(filler):
        sentences = [s for r in filler if r["id"].startswith("reuters/")
                     for s in re.split(r"(?<=[.!?])\s+", " ".join(r["text"].split())) if len(s) > 40]
        for i in range(need - len(filler)):
            text = " ".join(rng.sample(sentences, rng.randint(6, 30)))
            filler.append({"id": f"mix/{i}", "title": "", "text": text})
    records.extend(filler[:need])
    rng.shuffle(records)
    with open(os.path.join(args.out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(args.out, "queries.jsonl"), "w", encoding="utf-8") as f:
        for q in queries:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    size = os.path.getsize(os.path.join(args.out, "corpus.jsonl"))
    print(f"corpus: {len(records)} documents ({size / 1e6:.1f} MB), {len(queries)} queries")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""PAN-style cross-lingual corpus: translated passages inside unrelated English text.

Usage: bench/xling_corpus.py DATA OUT [--seed 1] [--pairs 50]

Built from ../shared/data only (deterministic for a seed):

- sources in ru, uk, de: one NTREX-128 news document in that language (docs/<lang>/<id>.txt,
  line-aligned with docs/eng/<id>.txt); source in fr: the French Universal Declaration of
  Human Rights (udhr/French_Francais-Latin1), aligned with the English one article by article.
- suspicious documents: 3 to 6 Reuters-21578 stories (unrelated English news, whitespace
  collapsed, one story a paragraph) with the English version of 3 to 30 consecutive source
  sentences (NTREX lines; UDHR articles for fr) inserted between two stories.
- negatives (type `negative`): a source document and a suspicious document whose inserted
  English passage comes from another, randomly chosen NTREX story.
- same-topic hard negatives (type `same-topic`): the inserted passage comes from the NTREX
  story closest in vocabulary to the source's story (tf-idf cosine of the English versions),
  so both documents are about the same thing and neither translates the other.

Layout as bench/quality.sh's corpus: OUT/src, OUT/susp, OUT/pairs, OUT/truth/<type>/ with one
PAN truth XML per pair (offsets in characters) and that type's pairs file.
"""

import argparse
import collections
import json
import math
import os
import random
import re
import shutil

LANGS = {"ru": "rus", "uk": "ukr", "de": "deu"}


def ntrex(data):
    base = os.path.join(data, "parallel", "ntrex128", "docs")
    ids = sorted(f[:-4] for f in os.listdir(os.path.join(base, "eng")) if f.endswith(".txt"))
    docs = {}
    for doc_id in ids:
        entry = {}
        for code in ["eng", *LANGS.values()]:
            with open(os.path.join(base, code, doc_id + ".txt"), encoding="utf-8") as f:
                entry[code] = f.read().rstrip("\n").split("\n")
        if len({len(v) for v in entry.values()}) == 1:
            docs[doc_id] = entry
    return docs


def udhr_articles(path):
    """The preamble and the 30 articles of one UDHR file: {number: body text}."""
    raw = open(path, "rb").read()
    text = raw.decode("utf-8") if path.endswith("UTF8") else raw.decode("latin-1")
    parts = re.split(r"^\s*(?:Article|Artikel)\s+(\d+)\s*$", text, flags=re.M)
    articles = {0: parts[0].strip()}
    for number, body in zip(parts[1::2], parts[2::2]):
        articles[int(number)] = body.strip()
    return text, articles


def reuters(data, limit=4000):
    stories = []
    with open(os.path.join(data, "news", "reuters21578.jsonl"), encoding="utf-8") as f:
        for line in f:
            story = " ".join(json.loads(line)["text"].split())
            if 400 <= len(story) <= 3000 and "&#" not in story:
                stories.append(story)
            if len(stories) >= limit:
                break
    return stories


def tfidf_partners(docs):
    """For each NTREX story, the other story closest in vocabulary (English versions)."""
    words = {d: collections.Counter(re.findall(r"[a-z]{3,}", " ".join(v["eng"]).lower())) for d, v in docs.items()}
    df = collections.Counter(w for c in words.values() for w in c)
    n = len(docs)
    vec = {}
    for d, c in words.items():
        v = {w: (1 + math.log(k)) * math.log(n / df[w]) for w, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vec[d] = {w: x / norm for w, x in v.items()}
    partner = {}
    for d in docs:
        best = max((sum(x * vec[e].get(w, 0.0) for w, x in vec[d].items()), e) for e in docs if e != d)
        partner[d] = best[1]
    return partner


def host_with(rng, stories, passage):
    """Unrelated English stories with `passage` between two of them: (text, char offset)."""
    chosen = rng.sample(stories, rng.randint(3, 6))
    at = rng.randint(1, len(chosen) - 1)
    before = "\n\n".join(chosen[:at]) + "\n\n"
    return before + passage + "\n\n" + "\n\n".join(chosen[at:]) + "\n", len(before)


def truth_xml(susp_name, src_name, obfuscation, cases):
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f'<document reference="{susp_name}">']
    for this_offset, this_length, source_offset, source_length in cases:
        out.append(
            f'<feature name="plagiarism" type="artificial" obfuscation="{obfuscation}" this_language="en" '
            f'this_offset="{this_offset}" this_length="{this_length}" source_reference="{src_name}" '
            f'source_offset="{source_offset}" source_length="{source_length}"/>'
        )
    out.append("</document>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pairs", type=int, default=50, help="positive pairs per language")
    args = ap.parse_args()

    docs = ntrex(args.data)
    ids = sorted(docs)
    stories = reuters(args.data)
    partner = tfidf_partners(docs)
    udhr = os.path.join(args.data, "parallel", "udhr")
    fr_text, fr_articles = udhr_articles(os.path.join(udhr, "French_Francais-Latin1"))
    _, en_articles = udhr_articles(os.path.join(udhr, "English-Latin1"))
    numbers = sorted(set(fr_articles) & set(en_articles) - {0})

    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    for sub in ["src", "susp", "truth"]:
        os.makedirs(os.path.join(args.out, sub))
    pairs_by_type = collections.defaultdict(list)
    number = 0

    def emit(kind, source_text, susp_text, cases):
        nonlocal number
        number += 1
        src_name = f"source-document{number:05}.txt"
        susp_name = f"suspicious-document{number:05}.txt"
        for folder, name, text in [("src", src_name, source_text), ("susp", susp_name, susp_text)]:
            with open(os.path.join(args.out, folder, name), "w", encoding="utf-8") as f:
                f.write(text)
        for this_offset, this_length, source_offset, source_length in cases:
            assert 0 <= this_offset and this_offset + this_length <= len(susp_text)
            assert 0 <= source_offset and source_offset + source_length <= len(source_text)
        folder = os.path.join(args.out, "truth", kind)
        os.makedirs(folder, exist_ok=True)
        stem = f"{susp_name[:-4]}-{src_name[:-4]}.xml"
        with open(os.path.join(folder, stem), "w", encoding="utf-8") as f:
            f.write(truth_xml(susp_name, src_name, kind, cases))
        pairs_by_type[kind].append(f"{susp_name} {src_name}")

    def ntrex_passage(rng, doc, code):
        lines = docs[doc][code]
        length = rng.randint(3, min(30, len(lines)))
        first = rng.randint(0, len(lines) - length)
        return first, length

    for short, code in LANGS.items():
        rng = random.Random(f"{args.seed}-{short}")
        for _ in range(args.pairs):
            doc = rng.choice(ids)
            first, length = ntrex_passage(rng, doc, code)
            source_lines = docs[doc][code]
            source_text = "\n".join(source_lines) + "\n"
            source_offset = sum(len(line) + 1 for line in source_lines[:first])
            source_length = len("\n".join(source_lines[first:first + length]))
            passage = " ".join(docs[doc]["eng"][first:first + length])
            susp_text, offset = host_with(rng, stories, passage)
            emit(short, source_text, susp_text, [(offset, len(passage), source_offset, source_length)])
        for kind in ["negative", "same-topic"]:
            for _ in range(args.pairs // 2):
                doc = rng.choice(ids)
                other = partner[doc] if kind == "same-topic" else rng.choice([d for d in ids if d not in (doc, partner[doc])])
                first, length = ntrex_passage(rng, other, "eng")
                passage = " ".join(docs[other]["eng"][first:first + length])
                susp_text, _ = host_with(rng, stories, passage)
                emit(kind, "\n".join(docs[doc][code]) + "\n", susp_text, [])

    rng = random.Random(f"{args.seed}-fr")
    for _ in range(args.pairs):
        count = rng.randint(2, 5)
        start = rng.randint(0, len(numbers) - count)
        chosen = numbers[start:start + count]
        first_body = fr_articles[chosen[0]]
        last_body = fr_articles[chosen[-1]]
        source_offset = fr_text.index(first_body)
        source_end = fr_text.index(last_body, source_offset) + len(last_body)
        passage = " ".join(" ".join(en_articles[n].split()) for n in chosen)
        susp_text, offset = host_with(rng, stories, passage)
        emit("fr", fr_text, susp_text, [(offset, len(passage), source_offset, source_end - source_offset)])
    for _ in range(args.pairs // 2):
        doc = rng.choice(ids)
        first, length = ntrex_passage(rng, doc, "eng")
        susp_text, _ = host_with(rng, stories, " ".join(docs[doc]["eng"][first:first + length]))
        emit("negative", fr_text, susp_text, [])

    all_pairs = []
    for kind, pairs in sorted(pairs_by_type.items()):
        with open(os.path.join(args.out, "truth", kind, "pairs"), "w", encoding="utf-8") as f:
            f.write("\n".join(pairs) + "\n")
        all_pairs += pairs
    with open(os.path.join(args.out, "pairs"), "w", encoding="utf-8") as f:
        f.write("\n".join(sorted(all_pairs)) + "\n")
    print(f"{args.out}: {number} pairs ({', '.join(f'{k} {len(v)}' for k, v in sorted(pairs_by_type.items()))})")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Licence-family benchmark for `stemma trace` (run by bench/licences.sh).

Every SPDX licence text in ../shared/data/licenses/spdx goes into one stemma index (so the
licences that embed or derive from a licence stay in the corpus), and is varied the way
licences are varied in the wild, deterministically for a seed:

  - names: placeholders (<year>, <copyright holders>, [name of copyright owner], ...) filled
    in, the copyright line given another year and holder, and the original holder's name
    replaced wherever the text repeats it (always);
  - clause added: a paragraph of another licence (at most a quarter of the text's words)
    or, for short texts, a project's own sentence, inserted between two paragraphs;
  - clause dropped: one paragraph (not the first, at most a fifth of the words) removed;
  - re-wrapped: paragraphs re-flowed to another width, joined into one line, or put in a
    comment block (" * ", "# ", "// ");
  - title added: a line naming the project above the text.

Each variant gets the names and at least one of the other four. The variant is traced among
all the licences; its label is the licence it came from. A source is right when its text is
that licence's, word for word (the SPDX list holds the same text under several ids: GPL-2.0,
GPL-2.0-only, GPL-2.0-or-later and GPL-2.0+ are one text). Printed: the share of variants
whose labelled licence stemma ranks first and in its top 3, the median (and 90th
percentile) of segments per trace, and, in the same run, the same shares for the nearest
licence by tf-idf cosine (scikit-learn TfidfVectorizer, word 1-2-grams). stemma's ranking is
the trace's `by_closeness`: every aligned licence, closest first seen from both sides, whose
first the report shows as the closest (before it, the sources followed by the runners-up,
`alternatives`: printed beside it as "before by_closeness").

Two more subsets, printed apart: the same variants as the licence section of a README
(Gutenberg prose before and after, half to twice the licence's length: a licence found
inside other text), the licence texts Debian ships (../shared/data/licenses/debian, real
copies), labelled by file name (the SPDX id that file is a copy of), and real variants: the
licence texts of this machine's packages' machine-readable copyright files
(/usr/share/doc/*/copyright), labelled by the licence each paragraph names (see load_dep5).
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HOLDERS = [
    "Northwind Systems GmbH", "Example Widgets Ltd", "The Tiny Web Project", "Jane Q. Hacker",
    "Acme Labs, Inc.", "Universidad de Ejemplo", "Blue Heron Software", "Kowalski & Partners",
    "OpenDataKit contributors", "Mikael Lindqvist",
]
PROJECTS = ["TinyWeb", "libquux", "GeoTools Lite", "FooDB", "Heron", "Sparrow CMS", "pyfrob"]
OWN_CLAUSES = [
    "This license applies to {project} version 2 and all later versions.",
    "Questions about this license can be sent to the {project} maintainers.",
    "The files in the contrib directory of {project} are covered by their own licenses.",
    "{holder} may publish revised versions of this license from time to time.",
]
PLACEHOLDER = re.compile(
    r"[<\[]\s*(?:[^<>\[\]\n]{0,30}?)(year|yyyy|name|owner|holder|author|copyright|organi[sz]ation|"
    r"program|product|project|software|licensor|company|date)(?:[^<>\[\]\n]{0,30}?)\s*[>\]]",
    re.IGNORECASE)
# A capitalized word of the holder's name found in at most this many licences is a name.
NAME_MAX_DF = 20
COPYRIGHT_LINE = re.compile(
    r"^(?P<lead>[ \t]*)(?P<word>copyright)\b(?P<rest>[^\n]{0,160})$", re.IGNORECASE | re.MULTILINE)


def words_of(text):
    return re.findall(r"\w+", text.lower())


def text_key(text):
    """Two licences are one text when their words are the same (http and https alike)."""
    return " ".join("http" if w == "https" else w for w in words_of(text))


def same_text_keys(licences):
    """Licence id -> a key shared by the ids whose texts are one text: the same words, or
    at most 0.1 % of the words different (GPL-3.0+ and GPL-3.0-only differ in one URL)."""
    import difflib
    key_of = {l["id"]: text_key(l["text"]) for l in licences}
    keys = sorted(set(key_of.values()))
    parent = {k: k for k in keys}

    def root(k):
        while parent[k] != k:
            k = parent[k]
        return k
    words = {k: k.split() for k in keys}
    by_len = sorted(keys, key=lambda k: len(words[k]))
    for i, a in enumerate(by_len):
        for b in by_len[i + 1:]:
            if len(words[b]) > len(words[a]) * 1.002 + 1:
                break
            if difflib.SequenceMatcher(None, words[a], words[b], autojunk=False).ratio() >= 0.999:
                parent[root(b)] = root(a)
    return {lid: root(k) for lid, k in key_of.items()}


def paragraphs(text):
    return [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def load_spdx(data):
    folder = os.path.join(data, "licenses/spdx")
    names = {}
    with open(os.path.join(folder, "index.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            names[cols[0]] = cols[2]
    licences = []
    for name in sorted(os.listdir(os.path.join(folder, "texts"))):
        if name.endswith(".txt"):
            with open(os.path.join(folder, "texts", name), encoding="utf-8", errors="replace") as f:
                text = f.read()
            lid = name[:-4]
            licences.append({"id": lid, "title": names.get(lid, lid), "text": text})
    return licences


def fill_names(rng, text, holder, project, year, df):
    def placeholder(m):
        kind = m.group(1).lower()
        if kind in ("year", "yyyy", "date"):
            return str(year)
        if kind in ("program", "product", "project", "software"):
            return project
        return holder
    text = PLACEHOLDER.sub(placeholder, text)
    line = COPYRIGHT_LINE.search(text)
    if line:
        rest = line.group("rest")
        # The original holder: what follows the year(s), without "All rights reserved".
        old = re.sub(r"^[\s(c)©,:]*(?:[0-9]{4}[\s,\-–]*)*", "", rest, flags=re.IGNORECASE)
        old = re.split(r"\.?\s*all rights reserved", old, flags=re.IGNORECASE)[0].strip(" .,")
        reserved = " All rights reserved." if rng.random() < 0.5 else ""
        new_line = f"{line.group('lead')}Copyright (c) {year} {holder.rstrip('.')}.{reserved}"
        text = text[:line.start()] + new_line + text[line.end():]
        if 1 <= len(old.split()) <= 8 and len(old) >= 4 and old not in (holder, project):
            text = text.replace(old, holder)
            # The holder's own names wherever the text repeats them ("the Apache Group",
            # "Apache" in the name clause), as derived licences do (phorum from Apache 1.1).
            for name in set(re.findall(r"\b[A-Z][A-Za-z\-]{2,}\b", old)):
                if df.get(name.lower(), 0) <= NAME_MAX_DF:
                    text = re.sub(rf"\b{re.escape(name)}\b", project, text)
    return text


def add_clause(rng, paras, others, holder, project):
    total = sum(len(words_of(p)) for p in paras)
    pool = []
    if total >= 60:
        for _ in range(40):
            other = rng.choice(others)
            cands = [p for p in paragraphs(other["text"]) if 15 <= len(words_of(p)) <= total // 4]
            if cands:
                pool.append(rng.choice(cands))
                break
    clause = pool[0] if pool else rng.choice(OWN_CLAUSES).format(holder=holder, project=project)
    at = rng.randint(1, len(paras))
    return paras[:at] + [clause] + paras[at:]


def drop_clause(rng, paras):
    total = sum(len(words_of(p)) for p in paras)
    cands = [i for i, p in enumerate(paras)
             if i > 0 and 5 <= len(words_of(p)) <= total // 5]
    if len(paras) < 4 or not cands:
        return paras, False
    i = rng.choice(cands)
    return paras[:i] + paras[i + 1:], True


def wrap(words, width):
    lines, line = [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(line)
    return lines


def rewrap(rng, paras):
    style = rng.choice(("width", "one-line", "comment"))
    width = rng.randint(50, 90)
    out = []
    for p in paras:
        ws = p.split()
        lines = [" ".join(ws)] if style == "one-line" else wrap(ws, width)
        out.append(lines)
    if style != "comment":
        return "\n\n".join("\n".join(lines) for lines in out), style
    prefix = rng.choice((" * ", "# ", "// "))
    body = f"\n{prefix.rstrip()}\n".join("\n".join(prefix + l for l in lines) for lines in out)
    if prefix == " * ":
        body = "/*\n" + body + "\n */"
    return body, style


def vary(licence, others, seed, number, df):
    rng = random.Random(f"{seed}:{licence['id']}:{number}")
    holder, project = rng.choice(HOLDERS), rng.choice(PROJECTS)
    year = rng.randint(1995, 2025)
    text = fill_names(rng, licence["text"], holder, project, year, df)
    applied = ["names"]
    steps = [s for s in ("add", "drop", "rewrap", "title") if rng.random() < 0.5]
    if not steps:
        steps = [rng.choice(("add", "drop", "rewrap", "title"))]
    paras = paragraphs(text)
    if "drop" in steps:
        paras, dropped = drop_clause(rng, paras)
        if dropped:
            applied.append("drop")
    if "add" in steps:
        paras = add_clause(rng, paras, others, holder, project)
        applied.append("add")
    if "rewrap" in steps:
        text, style = rewrap(rng, paras)
        applied.append(f"rewrap:{style}")
    else:
        text = "\n\n".join(paras)
    if "title" in steps:
        title = rng.choice((f"{project} License", f"LICENSE for {project}",
                            f"{project} — licence terms", f"COPYING ({project})"))
        text = f"{title}\n\n{text}"
        applied.append("title")
    return text + "\n", applied


def load_prose(data):
    """Paragraphs of the Gutenberg novels (the prose around a licence in a README)."""
    folder = os.path.join(data, "literature/gutenberg")
    paras = []
    for name in ("austen-emma.txt", "austen-persuasion.txt", "chesterton-brown.txt",
                 "chesterton-thursday.txt", "melville-moby_dick.txt"):
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
            paras += [" ".join(p.split()) for p in paragraphs(f.read()) if len(p.split()) >= 20]
    return paras


def embed(licence, variant, prose, seed):
    """The variant as the licence section of a README: prose before and after it, half to
    twice the licence's length in all (at most 3,000 words)."""
    rng = random.Random(f"{seed}:embed:{licence['id']}")
    goal = min(3000, max(100, int(len(variant.split()) * rng.uniform(0.5, 2.0))))
    start = rng.randrange(len(prose))
    chosen, count = [], 0
    while count < goal:
        p = prose[(start + len(chosen)) % len(prose)]
        chosen.append(p)
        count += len(p.split())
    cut = rng.randint(1, len(chosen))
    project = rng.choice(PROJECTS)
    before = "\n\n".join(chosen[:cut])
    after = "\n\n".join(chosen[cut:])
    return f"# {project}\n\n{before}\n\n## License\n\n{variant}\n{after}\n"


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        sys.exit(f"licences.py: failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    return proc.stdout


def trace_all(args, index, paths):
    extra = [] if args.candidates is None else ["--candidates", str(args.candidates)]

    def one(path):
        out = run([args.stemma, "trace", "--index", index, path, "--json"] + extra)
        report = json.loads(out)
        before = [s["id"] for s in report["sources"] + report.get("alternatives", [])]
        return {
            # The ranking a reader reads first: every aligned licence, closest first seen
            # from both sides (`by_closeness`; the report shows its first as the closest).
            "sources": [s["id"] for s in report["by_closeness"]] if "by_closeness" in report
            else before,
            # The ranking before `by_closeness` (the sources attributed text, closest first,
            # then the runners-up), printed beside it for one run so the change is visible.
            "before": before,
            "candidates": report["candidates"],
            "segments": len(report["segments"]),
            "min_words": min((s["words"] for s in report["segments"]), default=0),
        }
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        return list(pool.map(one, paths))


def tfidf_rankings(licences, texts):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel
    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    corpus = vectorizer.fit_transform([l["text"] for l in licences])
    sims = linear_kernel(vectorizer.transform(texts), corpus)  # rows are l2-normalized
    ids = [l["id"] for l in licences]
    out = []
    for row in sims:
        order = sorted(range(len(ids)), key=lambda j: (-row[j], ids[j]))[:3]
        out.append([ids[j] for j in order])
    return out


def score(ranked, label, key_of):
    right = key_of[label]
    first = bool(ranked) and key_of.get(ranked[0]) == right
    top3 = any(key_of.get(r) == right for r in ranked[:3])
    return first, top3


# Debian's /usr/share/common-licenses: the SPDX id each file is a copy of (GPL, LGPL and
# GFDL are Debian's aliases of the latest version).
DEBIAN_LABELS = {
    "Apache-2.0": "Apache-2.0", "Artistic": "Artistic-1.0-Perl", "BSD": "BSD-3-Clause",
    "CC0-1.0": "CC0-1.0", "GFDL": "GFDL-1.3", "GFDL-1.2": "GFDL-1.2", "GFDL-1.3": "GFDL-1.3",
    "GPL": "GPL-3.0", "GPL-1": "GPL-1.0", "GPL-2": "GPL-2.0", "GPL-3": "GPL-3.0",
    "LGPL": "LGPL-3.0", "LGPL-2": "LGPL-2.0", "LGPL-2.1": "LGPL-2.1", "LGPL-3": "LGPL-3.0",
    "MPL-1.1": "MPL-1.1", "MPL-2.0": "MPL-2.0",
}


# Real variants: the stand-alone `License:` paragraphs of the machine-readable (DEP-5)
# /usr/share/doc/*/copyright files, labelled by the licence the paragraph names. Only names
# that say one SPDX licence (Debian's short name -> its SPDX id, below; compared without case)
# are kept. Excluded, so the label is honest: paragraphs without the licence's text (a notice
# pointing to /usr/share/common-licenses, as nearly every GPL, LGPL and Apache paragraph is,
# or fewer than 20 words), names joining licences ("GPL-2+ or Artistic", "BSL-1.0 and MIT",
# "... with ... exception") and names that do not say which text ("permissive",
# "public-domain", "BSD", "Unicode"). The same text (whitespace aside) counts once. Which
# files there are depends on the packages installed: the run prints how many it read.
DEP5_LABELS = {
    "0bsd": "0BSD", "apache-2.0": "Apache-2.0", "artistic-2.0": "Artistic-2.0",
    "beerware": "Beerware", "bsd-2": "BSD-2-Clause", "bsd-2-clause": "BSD-2-Clause",
    "bsd-3": "BSD-3-Clause", "bsd-3-clause": "BSD-3-Clause", "bsd-4-clause": "BSD-4-Clause",
    "bsl-1.0": "BSL-1.0", "bzip2-1.0.6": "bzip2-1.0.6", "cc0-1.0": "CC0-1.0", "curl": "curl",
    "expat": "MIT", "fsfap": "FSFAP", "fsful": "FSFUL", "fsfullr": "FSFULLR", "ftl": "FTL",
    "hpnd": "HPND", "ijg": "IJG", "isc": "ISC", "libpng": "Libpng", "libpng-2.0": "libpng-2.0",
    "mit": "MIT", "mit-0": "MIT-0", "mpl-2.0": "MPL-2.0", "ntp": "NTP", "ofl-1.1": "OFL-1.1",
    "openldap-2.8": "OLDAP-2.8", "openssl": "OpenSSL", "psf-2.0": "PSF-2.0",
    "sleepycat": "Sleepycat", "unicode-dfs-2016": "Unicode-DFS-2016",
    "unicode-3.0": "Unicode-3.0", "unlicense": "Unlicense", "wtfpl": "WTFPL", "x11": "X11",
    "zlib": "Zlib",
}


def load_dep5(doc_root, key_of):
    """The real licence variants of `doc_root`/*/copyright: [(label, text, package)], one per
    distinct text, and how many machine-readable copyright files were read."""
    found, seen, files = [], set(), 0
    for package in sorted(os.listdir(doc_root)) if os.path.isdir(doc_root) else []:
        path = os.path.join(doc_root, package, "copyright")
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                content = f.read()
        except OSError:
            continue
        if not re.match(r"Format:\s*\S*copyright-format", content):
            continue
        files += 1
        for paragraph in re.split(r"\n[ \t]*\n", content):
            m = re.match(r"License:[ \t]*([^\n]*)\n((?:[ \t][^\n]*(?:\n|$))+)", paragraph)
            if not m or paragraph.startswith(("Files:", "Format:")):
                continue
            label = DEP5_LABELS.get(m.group(1).strip().lower())
            # Continuation lines lose their leading space; " ." is an empty line.
            lines = [line[1:] if line[:1] in " \t" else line for line in m.group(2).splitlines()]
            text = "\n".join("" if line.strip() == "." else line for line in lines).strip()
            if (label is None or label not in key_of or "common-licenses" in text
                    or len(text.split()) < 20):
                continue
            key = (label, " ".join(text.split()))
            if key in seen:
                continue
            seen.add(key)
            found.append((label, text, package))
    return found, files


# The issue's own real case: ScanCode's licence database (scancode-toolkit's wheel from PyPI,
# licence data CC-BY-4.0, read with zipfile). The corpus is every licence text
# (licensedcode/data/licenses/<key>.LICENSE, YAML front matter removed); the variants are
# licence texts found in the wild (licensedcode/data/rules/*.RULE with `is_license_text: yes`),
# labelled by their `license_expression`. ScanCode's required-phrase marks ({{ and }}) are
# removed from every text. Excluded, so the label is honest and the variant is a variant:
#   - licences without text (generic keys such as "unknown" or "public-domain"): not indexed;
#   - rules whose expression joins keys (AND, OR, WITH): no single licence is right;
#   - rules whose key is generic or unknown (`is_generic` / `is_unknown` licences such as
#     "other-permissive", "proprietary-license"): the key names no one text;
#   - rules whose key has no text in the corpus;
#   - deprecated rules (`is_deprecated: yes`);
#   - rules under 20 words (fragments, not licence texts; as for DEP-5);
#   - rules whose text is their licence's text after whitespace normalisation (a copy, not a
#     variant);
#   - a text seen before (whitespace aside) counts once.
# From the rest, a seeded development sample and a held-out sample (scancode_samples).
SCANCODE_FRONT = re.compile(r"\A---\n(.*?)\n---[ \t]*\n?(.*)\Z", re.S)


def scancode_parts(raw):
    """(front matter, text) of a ScanCode .LICENSE or .RULE file, marks removed."""
    m = SCANCODE_FRONT.match(raw)
    front, text = (m.group(1), m.group(2)) if m else ("", raw)
    return front, text.replace("{{", "").replace("}}", "")


def scancode_field(front, name):
    m = re.search(rf"^{name}:[ \t]*(.*)$", front, re.M)
    return m.group(1).strip() if m else None


def load_scancode(wheel):
    """ScanCode's licences [{id, title, text}], its real variants [(label, text, rule file)]
    (see scancode_samples for the samples drawn from them), what was excluded (reason ->
    count) and how many rules were read."""
    import zipfile
    licences, generic = [], set()
    rules = []
    with zipfile.ZipFile(wheel) as z:
        for name in sorted(z.namelist()):
            if name.startswith("licensedcode/data/licenses/") and name.endswith(".LICENSE"):
                front, text = scancode_parts(z.read(name).decode("utf-8", "replace"))
                key = name.rsplit("/", 1)[1][:-len(".LICENSE")]
                if scancode_field(front, "is_generic") == "yes" or \
                        scancode_field(front, "is_unknown") == "yes":
                    generic.add(key)
                if not text.split():
                    continue
                licences.append({"id": key, "title": scancode_field(front, "name") or key,
                                 "text": text})
            elif name.startswith("licensedcode/data/rules/") and name.endswith(".RULE"):
                front, text = scancode_parts(z.read(name).decode("utf-8", "replace"))
                if scancode_field(front, "is_license_text") == "yes":
                    rules.append((name.rsplit("/", 1)[1], front, text))
    by_key = {l["id"]: " ".join(l["text"].split()) for l in licences}
    excluded, kept, seen = {}, [], set()

    def exclude(reason):
        excluded[reason] = excluded.get(reason, 0) + 1
    for rule, front, text in rules:
        label = scancode_field(front, "license_expression") or ""
        flat = " ".join(text.split())
        if re.search(r"\s(AND|OR|WITH)\s", label, re.I) or not label:
            exclude("expression joins keys (AND/OR/WITH)")
        elif label in generic:
            exclude("generic or unknown key")
        elif label not in by_key:
            exclude("key without text in the corpus")
        elif scancode_field(front, "is_deprecated") == "yes":
            exclude("deprecated rule")
        elif len(text.split()) < 20:
            exclude("under 20 words")
        elif flat == by_key[label]:
            exclude("the licence's own text (whitespace aside)")
        elif (label, flat) in seen:
            exclude("same text as another rule")
        else:
            seen.add((label, flat))
            kept.append((label, text, rule))
    return licences, kept, excluded, len(rules)


def scancode_samples(kept, seed, holdout_seed, count):
    """The development sample, `count` of the kept rules drawn with random.Random(
    f"{seed}:scancode"), and the held-out sample (or None without `holdout_seed`): `count`
    drawn with random.Random(f"{holdout_seed}:scancode") from the rules the first did not
    draw, so no variant is in both."""
    rng = random.Random(f"{seed}:scancode")
    dev = sorted(rng.sample(range(len(kept)), min(count, len(kept))))
    if holdout_seed is None:
        return [kept[i] for i in dev], None
    taken = set(dev)
    rest = [i for i in range(len(kept)) if i not in taken]
    rng = random.Random(f"{holdout_seed}:scancode")
    held = sorted(rng.sample(rest, min(count, len(rest))))
    return [kept[i] for i in dev], [kept[i] for i in held]


def word_identity(a, b):
    """Whole-text identity of two texts: 2 x matched words / (words of a + words of b)
    (difflib over the words, lower-cased; what a reader means by "how alike")."""
    import difflib
    wa, wb = words_of(a), words_of(b)
    if not wa and not wb:
        return 0.0
    m = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    return 2 * sum(blk.size for blk in m.get_matching_blocks()) / (len(wa) + len(wb))


def list_misses(name, labels, texts, stemma, tfidf, key_of, by_id, detail, path):
    """Every variant stemma does not rank first or tf-idf ranks better: label, stemma's top 3
    and tf-idf's top 3, each with its whole-text identity to the variant, written to `path`
    (JSON lines) and summed up."""
    rows = []
    for i, label in enumerate(labels):
        s_first, s_top3 = score(stemma[i]["sources"], label, key_of)
        t_first, t_top3 = score(tfidf[i], label, key_of)
        if s_first and (s_top3 or not t_top3):
            continue
        ident = lambda ids: [(x, round(word_identity(texts[i], by_id[x]), 3)) for x in ids]
        rows.append({
            "variant": detail[i], "label": label,
            "label_identity": round(word_identity(texts[i], by_id[label]), 3),
            "label_candidate": label in stemma[i]["candidates"],
            "stemma_first": s_first, "stemma_top3": s_top3,
            "tfidf_first": t_first, "tfidf_top3": t_top3,
            "stemma": ident(stemma[i]["sources"][:3]), "tfidf": ident(tfidf[i]),
            "stemma_listed": len(stemma[i]["sources"]), "segments": stemma[i]["segments"],
        })
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    closer = sum(1 for r in rows if not r["stemma_first"] and r["stemma"]
                 and r["stemma"][0][1] > r["label_identity"])
    short = sum(1 for r in rows if not r["stemma_top3"] and r["stemma_listed"] < 3)
    print(f"  misses of {name}: {len(rows)} listed in {path}; stemma's first is closer to the "
          f"variant (whole text) than the label in {closer}; stemma lists fewer than 3 where "
          f"the label is not in its top 3 in {short}; label not a candidate in "
          f"{sum(1 for r in rows if not r['label_candidate'])}")
    return rows


def adjudicated(ranked, label, key_of, text, by_id, memo={}):
    """(first, top 3) where a ranked licence is right when it is the label's text or its
    whole text is at least as close to the variant (`word_identity`) as the label's."""
    def close(lid):
        if key_of.get(lid) == key_of[label]:
            return True
        for x in (lid, label):
            if (x, text) not in memo:
                memo[(x, text)] = word_identity(text, by_id[x])
        return memo[(lid, text)] >= memo[(label, text)]
    first = bool(ranked) and close(ranked[0])
    return first, first or any(close(r) for r in ranked[1:3])


def report(name, labels, stemma, tfidf, key_of, detail=None, judge=None):
    n = len(labels)
    s_first = s_top3 = t_first = t_top3 = 0
    misses = []
    for i, label in enumerate(labels):
        f, t3 = score(stemma[i]["sources"], label, key_of)
        s_first += f
        s_top3 += t3
        tf, tt3 = score(tfidf[i], label, key_of)
        t_first += tf
        t_top3 += tt3
        if not f:
            misses.append((label, stemma[i]["sources"][:3], label in stemma[i]["candidates"],
                           detail[i] if detail else ""))
    segs = [r["segments"] for r in stemma]
    short = sum(1 for r in stemma if r["segments"] and r["min_words"] < 4)
    print(f"== {name}: {n} variants")
    print(f"stemma trace: labelled licence first {s_first / n:.3f} [target >= 0.95], "
          f"in top 3 {s_top3 / n:.3f} [target >= 0.99]; segments per trace: median "
          f"{statistics.median(segs):g} [target <= 3], 90th percentile "
          f"{sorted(segs)[int(0.9 * (n - 1))]}, max {max(segs)}; traces with a segment under 4 words: {short}")
    print(f"tf-idf cosine (word 1-2-grams): first {t_first / n:.3f}, top 3 {t_top3 / n:.3f}")
    print(f"stemma - tf-idf: first {100 * (s_first - t_first) / n:+.1f} points [target >= +10], "
          f"top 3 {100 * (s_top3 - t_top3) / n:+.1f} points")
    if any(r["before"] != r["sources"] for r in stemma):
        b = [score(stemma[i]["before"], label, key_of) for i, label in enumerate(labels)]
        line = (f"  before by_closeness (sources, then runners-up): first "
                f"{sum(x[0] for x in b) / n:.3f}, top 3 {sum(x[1] for x in b) / n:.3f}")
        if judge is not None:
            ab = [adjudicated(stemma[i]["before"], label, key_of, judge[0][i], judge[1])
                  for i, label in enumerate(labels)]
            line += (f"; adjudicated first {sum(x[0] for x in ab) / n:.3f}, top 3 "
                     f"{sum(x[1] for x in ab) / n:.3f}")
        print(line)
    if judge is not None:
        # Adjudicated (a second figure, never instead of the raw one): a licence ranked in
        # the label's place counts as right when its whole text is at least as close to the
        # variant as the label's (word_identity), the same rule for stemma and tf-idf.
        texts, by_id = judge
        a = {"stemma": [0, 0], "tf-idf": [0, 0]}
        for i, label in enumerate(labels):
            for name, ranked in (("stemma", stemma[i]["sources"]), ("tf-idf", tfidf[i])):
                first, top3 = adjudicated(ranked, label, key_of, texts[i], by_id)
                a[name][0] += first
                a[name][1] += top3
        print(f"adjudicated (a licence at least as close to the variant as the label, whole "
              f"text, counts as the label): stemma first {a['stemma'][0] / n:.3f}, top 3 "
              f"{a['stemma'][1] / n:.3f}; tf-idf first {a['tf-idf'][0] / n:.3f}, top 3 "
              f"{a['tf-idf'][1] / n:.3f}")
    for label, top, candidate, what in misses[:15]:
        print(f"  miss: {label} ({what}) -> {top}{'' if candidate else ' (label not a candidate)'}")
    if len(misses) > 15:
        print(f"  ... {len(misses) - 15} more misses")
    return s_first / n, s_top3 / n


def run_spdx(args, licences, key_of, df, index, seed, sample):
    """The SPDX variants made with `seed`, and the same variants inside a README."""
    vdir = os.path.join(args.out, "variants")
    subprocess.run(["rm", "-rf", vdir], check=True)
    os.makedirs(vdir)
    chosen = licences[:args.limit] if args.limit else licences
    paths, labels, texts, applied = [], [], [], []
    for l in chosen:
        others = [o for o in licences if key_of[o["id"]] != key_of[l["id"]]]
        for k in range(args.variants):
            text, steps = vary(l, others, seed, k, df)
            path = os.path.join(vdir, f"{l['id']}--{k}.txt")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            paths.append(path)
            labels.append(l["id"])
            texts.append(text)
            applied.append("+".join(steps))
    with open(os.path.join(args.out, "truth.json"), "w", encoding="utf-8") as f:
        json.dump([{"path": p, "label": l, "variations": a} for p, l, a in zip(paths, labels, applied)],
                  f, indent=1)
    stemma = trace_all(args, index, paths)
    tfidf = tfidf_rankings(licences, texts)
    first, top3 = report(f"SPDX variants: {sample}", labels, stemma, tfidf, key_of, applied)
    for kind in ("add", "drop", "rewrap", "title"):
        sel = [i for i, a in enumerate(applied) if kind in a.split("+") or a.find(kind + ":") >= 0]
        if sel:
            ok = sum(score(stemma[i]["sources"], labels[i], key_of)[0] for i in sel)
            okt = sum(score(tfidf[i], labels[i], key_of)[0] for i in sel)
            print(f"  with '{kind}': {len(sel)} variants, stemma first {ok / len(sel):.3f}, tf-idf first {okt / len(sel):.3f}")

    if args.embedded:
        # The same variants inside other text: a README whose licence section is the variant.
        prose = load_prose(args.data)
        by_id = {l["id"]: l for l in licences}
        edir = os.path.join(args.out, "embedded")
        subprocess.run(["rm", "-rf", edir], check=True)
        os.makedirs(edir)
        epaths, etexts = [], []
        for path, label, text in zip(paths, labels, texts):
            readme = embed(by_id[label], text, prose, seed)
            epath = os.path.join(edir, os.path.basename(path))
            with open(epath, "w", encoding="utf-8") as f:
                f.write(readme)
            epaths.append(epath)
            etexts.append(readme)
        report(f"the same variants as the licence section of a README (Gutenberg prose around "
               f"them): {sample}", labels, trace_all(args, index, epaths),
               tfidf_rankings(licences, etexts), key_of, applied)
    return first, top3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stemma", default="target/release/stemma")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", default="bench/out/licences")
    ap.add_argument("--seed", type=int, default=1, help="the development sample's seed")
    ap.add_argument("--holdout-seed", type=int, default=None,
                    help="a second seed: the held-out sample (synthetic variants made with it, "
                         "ScanCode rules the first sample did not draw, the other half of the "
                         "DEP-5 paragraphs), reported after the development sample")
    ap.add_argument("--development-only", action="store_true",
                    help="trace the development sample only (while tuning: the held-out "
                         "sample stays unseen)")
    ap.add_argument("--variants", type=int, default=1, help="variants per licence")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None, help="only the first N licences (quick runs)")
    ap.add_argument("--candidates", type=int, default=None, help="candidates per trace (default: stemma's)")
    ap.add_argument("--doc-root", default="/usr/share/doc",
                    help="where the packages' copyright files are (real variants)")
    ap.add_argument("--no-embedded", dest="embedded", action="store_false",
                    help="skip the variants inside README-like text")
    ap.add_argument("--subsets", default="spdx,debian,dep5,scancode",
                    help="which subsets to run (comma-separated: spdx, debian, dep5, scancode)")
    ap.add_argument("--scancode", default=None,
                    help="scancode-toolkit's wheel (ScanCode's licence database)")
    ap.add_argument("--scancode-variants", type=int, default=300,
                    help="real variants sampled from ScanCode's rules")
    args = ap.parse_args()
    subsets = set(args.subsets.split(","))
    if "scancode" in subsets:
        run_scancode(args)
    if not subsets & {"spdx", "debian", "dep5"}:
        return None

    licences = load_spdx(args.data)
    key_of = same_text_keys(licences)
    df = {}
    for l in licences:
        for w in set(words_of(l["text"])):
            df[w] = df.get(w, 0) + 1
    print(f"SPDX licence texts: {len(licences)} ({len(set(key_of.values()))} distinct texts)")
    os.makedirs(args.out, exist_ok=True)
    corpus = os.path.join(args.out, "corpus.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for l in licences:
            f.write(json.dumps({"id": l["id"], "title": l["title"], "text": l["text"]}) + "\n")
    index = os.path.join(args.out, "index")
    subprocess.run(["rm", "-rf", index], check=True)
    run([args.stemma, "index", "--index", index, "add", corpus, "--quiet"])

    first = top3 = None
    seeds = [(args.seed, "development sample")]
    if args.holdout_seed is not None and not args.development_only:
        seeds.append((args.holdout_seed, "held-out sample"))
    for seed, sample in seeds if "spdx" in subsets else []:
        f1, t3 = run_spdx(args, licences, key_of, df, index, seed, f"{sample} (seed {seed})")
        if first is None:
            first, top3 = f1, t3

    debian = os.path.join(args.data, "licenses/debian")
    if os.path.isdir(debian) and "debian" in subsets:
        seen, dpaths, dlabels, dtexts = set(), [], [], []
        for name in sorted(os.listdir(debian)):
            with open(os.path.join(debian, name), encoding="utf-8", errors="replace") as f:
                text = f.read()
            label = DEBIAN_LABELS.get(name)
            if label is None or label not in key_of or text in seen:
                continue  # no label, or an alias: the same file twice
            seen.add(text)
            dpaths.append(os.path.join(debian, name))
            dlabels.append(label)
            dtexts.append(text)
        report("Debian's licence files (real copies, distinct)", dlabels,
               trace_all(args, index, dpaths), tfidf_rankings(licences, dtexts), key_of,
               [os.path.basename(p) for p in dpaths])

    dep5, files = load_dep5(args.doc_root, key_of) if "dep5" in subsets else ([], 0)
    if dep5:
        rdir = os.path.join(args.out, "dep5")
        subprocess.run(["rm", "-rf", rdir], check=True)
        os.makedirs(rdir)
        rpaths = []
        for i, (label, text, package) in enumerate(dep5):
            rpath = os.path.join(rdir, f"{i:03d}-{package}--{label}.txt")
            with open(rpath, "w", encoding="utf-8") as f:
                f.write(text + "\n")
            rpaths.append(rpath)
        counts = {}
        for label, _, _ in dep5:
            counts[label] = counts.get(label, 0) + 1
        print(f"\nreal variants: {files} machine-readable copyright files in {args.doc_root}, "
              f"{len(dep5)} distinct licence texts labelled: "
              + ", ".join(f"{l} {n}" for l, n in sorted(counts.items(), key=lambda c: (-c[1], c[0]))))
        by_id = {l["id"]: l["text"] for l in licences}
        for sample, chosen in dep5_samples(args, len(dep5)):
            part = [dep5[i] for i in chosen]
            dlabels, dtexts = [d[0] for d in part], [d[1] for d in part]
            dstemma = trace_all(args, index, [rpaths[i] for i in chosen])
            dtfidf = tfidf_rankings(licences, dtexts)
            report(f"real variants from {args.doc_root}/*/copyright (DEP-5 License paragraphs): "
                   f"{sample}", dlabels, dstemma, dtfidf, key_of, [d[2] for d in part],
                   (dtexts, by_id))
            list_misses(f"DEP-5 variants ({sample})", dlabels, dtexts, dstemma, dtfidf, key_of,
                        by_id, [os.path.basename(rpaths[i]) for i in chosen],
                        os.path.join(args.out, f"dep5{misses_suffix(sample)}.jsonl"))
    elif "dep5" in subsets:
        print(f"\nreal variants: no machine-readable copyright file in {args.doc_root}")
    return first, top3


def run_scancode(args):
    """The ScanCode subset (see load_scancode): its own index of ScanCode's licence texts,
    the development sample traced, then the held-out one."""
    if not args.scancode or not os.path.isfile(args.scancode):
        print(f"\nScanCode variants: no scancode-toolkit wheel at {args.scancode} (skipped)")
        return
    licences, kept, excluded, rules = load_scancode(args.scancode)
    dev, held = scancode_samples(kept, args.seed, args.holdout_seed, args.scancode_variants)
    key_of = same_text_keys(licences)
    print(f"\nScanCode ({os.path.basename(args.scancode)}): {len(licences)} licence texts "
          f"({len(set(key_of.values()))} distinct); {rules} rules with is_license_text, "
          f"excluded: " + ", ".join(f"{r} {n}" for r, n in sorted(excluded.items()))
          + f"; {len(kept)} kept")
    out = os.path.join(args.out, "scancode")
    subprocess.run(["rm", "-rf", out], check=True)
    os.makedirs(os.path.join(out, "variants"))
    corpus = os.path.join(out, "corpus.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for l in licences:
            f.write(json.dumps({"id": l["id"], "title": l["title"], "text": l["text"]}) + "\n")
    index = os.path.join(out, "index")
    run([args.stemma, "index", "--index", index, "add", corpus, "--quiet"])
    by_id = {l["id"]: l["text"] for l in licences}
    for sample, variants in samples_of(args, dev, held):
        paths = []
        for label, text, rule in variants:
            path = os.path.join(out, "variants", rule[:-len(".RULE")] + ".txt")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            paths.append(path)
        labels, texts = [v[0] for v in variants], [v[1] for v in variants]
        stemma = trace_all(args, index, paths)
        tfidf = tfidf_rankings(licences, texts)
        names = [v[2] for v in variants]
        report(f"ScanCode's real licence texts (rules), traced among its licences: {sample}",
               labels, stemma, tfidf, key_of, names, (texts, by_id))
        list_misses(f"ScanCode variants ({sample})", labels, texts, stemma, tfidf, key_of, by_id,
                    names, os.path.join(args.out, f"scancode{misses_suffix(sample)}.jsonl"))


def samples_of(args, dev, held):
    """[(name, sample)]: the development sample (seed), then the held-out one when there is
    one (a sample nobody looked at while tuning: the figure to report)."""
    out = [(f"development sample (seed {args.seed}), {len(dev)} variants", dev)]
    if held is not None and not args.development_only:
        out.append((f"held-out sample (seed {args.holdout_seed}), {len(held)} variants", held))
    return out


def dep5_samples(args, n):
    """[(name, indices)] of the DEP-5 paragraphs: all of them, or with a held-out seed, a
    seeded half (random.Random(f"{seed}:dep5")) to develop on and the other half held out."""
    if args.holdout_seed is None:
        return [(f"all {n} paragraphs", list(range(n)))]
    order = list(range(n))
    random.Random(f"{args.seed}:dep5").shuffle(order)
    dev, held = sorted(order[:n // 2]), sorted(order[n // 2:])
    out = [(f"development sample (seed {args.seed}), {len(dev)} paragraphs", dev)]
    if not args.development_only:
        out.append((f"held-out sample (the other half), {len(held)} paragraphs", held))
    return out


def misses_suffix(sample):
    return "-heldout-misses" if sample.startswith("held-out") else "-misses"


if __name__ == "__main__":
    main()

use super::*;
use stemma_text::Document;

fn doc(id: &str, text: &str, date: Option<&str>) -> Document {
    let mut d = Document::new(id, text);
    d.date = date.map(str::to_string);
    d.title = Some(format!("Title of {id}"));
    d.source = Some("tests".to_string());
    d
}

const GPL: &str = "The licenses for most software are designed to take away your freedom to \
    share and change it. By contrast, the GNU General Public License is intended to guarantee \
    your freedom to share and change free software, to make sure the software is free for all \
    its users.";
const WEATHER: &str = "Heavy rain is expected across the northern provinces on Tuesday, with \
    flooding possible near rivers, forecasters said, before sunshine returns at the weekend.";
const OIL: &str = "Crude oil prices climbed sharply in early trading after producers agreed to \
    extend output cuts through the end of next year, analysts at several banks noted.";

#[test]
fn create_open_and_refuse_foreign_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("idx");
    let index = Index::open_or_create(&dir).unwrap();
    assert!(dir.join(MARKER_FILE).exists());
    drop(index);
    Index::open(&dir).unwrap();

    let foreign = tmp.path().join("mine");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
    for err in [
        Index::open(&foreign).unwrap_err(),
        Index::open_or_create(&foreign).unwrap_err(),
        Index::create(&foreign).unwrap_err(),
    ] {
        assert!(matches!(err, IndexError::NotAnIndex(_)), "{err}");
    }
    let names: Vec<_> = std::fs::read_dir(&foreign).unwrap().collect();
    assert_eq!(names.len(), 1, "a foreign folder is never written to");

    let file = tmp.path().join("file.txt");
    std::fs::write(&file, "x").unwrap();
    assert!(matches!(
        Index::open_or_create(&file),
        Err(IndexError::NotAnIndex(_))
    ));
    assert!(matches!(
        Index::open(tmp.path().join("nothing")),
        Err(IndexError::Missing(_))
    ));
}

#[test]
fn refuses_other_format_versions() {
    let tmp = tempfile::tempdir().unwrap();
    Index::create(tmp.path()).unwrap();
    let marker = tmp.path().join(MARKER_FILE);
    let text = std::fs::read_to_string(&marker)
        .unwrap()
        .replace(&format!("\"version\": {FORMAT_VERSION}"), "\"version\": 9");
    std::fs::write(&marker, text).unwrap();
    let err = Index::open(tmp.path()).unwrap_err();
    assert!(
        err.to_string()
            .contains("format version 9 is not supported"),
        "{err}"
    );
}

#[test]
fn add_replace_skip_delete() {
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    let mut w = index.writer().unwrap();
    assert_eq!(
        w.add(&doc("a", GPL, Some("1991-06-01"))).unwrap(),
        AddOutcome::Added
    );
    assert_eq!(w.add(&doc("b", WEATHER, None)).unwrap(), AddOutcome::Added);
    // Not visible before the commit.
    assert_eq!(index.stats().unwrap().documents, 0);
    w.commit().unwrap();
    assert_eq!(index.stats().unwrap().documents, 2);
    assert_eq!(
        w.add(&doc("a", GPL, Some("1991-06-01"))).unwrap(),
        AddOutcome::Unchanged
    );
    // Same text, new metadata: replaced.
    assert_eq!(
        w.add(&doc("a", GPL, Some("1989-02-01"))).unwrap(),
        AddOutcome::Replaced
    );
    assert_eq!(w.add(&doc("b", OIL, None)).unwrap(), AddOutcome::Replaced);
    w.commit().unwrap();
    let stats = index.stats().unwrap();
    assert_eq!(stats.documents, 2);
    assert_eq!(
        index.get("a").unwrap().unwrap().date.as_deref(),
        Some("1989-02-01")
    );
    assert_eq!(index.get("b").unwrap().unwrap().text, OIL);
    assert!(w.delete("a").unwrap());
    assert!(!w.delete("zzz").unwrap());
    w.commit().unwrap();
    let list = index.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, "b");
    assert_eq!(list[0].title.as_deref(), Some("Title of b"));
    assert_eq!(list[0].bytes, OIL.len() as u64);
}

#[test]
fn candidates_rank_by_shared_fingerprints_and_skip_the_excluded() {
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    let mut w = index.writer().unwrap();
    w.add_all(&[
        doc("gpl", GPL, Some("1991-06-01")),
        doc("weather", WEATHER, None),
        doc("oil", OIL, None),
        doc("gpl-copy", GPL, Some("2007-06-29")),
    ])
    .unwrap();
    w.commit().unwrap();
    let target = stemma_text::analyze(&format!("A preface. {GPL} And then: {OIL}"));
    let fps = index.fingerprints(&target);
    let found = index
        .candidates(&fps, &CandidateOptions::default())
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|c| c.id.as_str()).collect();
    // The later copy of the GPL text counts its words at `later_weight` only.
    assert_eq!(ids, ["gpl", "oil", "gpl-copy"]);
    let options = CandidateOptions {
        exclude: vec!["gpl".into()],
        limit: 1,
        ..CandidateOptions::default()
    };
    let found = index.candidates(&fps, &options).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "gpl-copy");
    let docs = index.documents(&found).unwrap();
    assert_eq!(docs[0].text, GPL);
    // Boilerplate cap: fingerprints in more than one document are ignored.
    let options = CandidateOptions {
        max_doc_freq: Some(1),
        ..CandidateOptions::default()
    };
    let ids: Vec<String> = index
        .candidates(&fps, &options)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, ["oil"]);
}

#[test]
fn a_document_sharing_one_fingerprint_fills_the_places_left() {
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    let mut w = index.writer().unwrap();
    w.add_all(&[doc("gpl", GPL, None), doc("oil", OIL, None)])
        .unwrap();
    w.commit().unwrap();
    let (gpl, oil) = (
        index.fingerprints(&stemma_text::analyze(GPL)),
        index.fingerprints(&stemma_text::analyze(OIL)),
    );
    // A heavily edited copy of the oil story keeps one of its fingerprints.
    let target = [gpl[0], gpl[1], gpl[2], oil[0]];
    let ids = |limit| {
        let options = CandidateOptions {
            limit,
            ..CandidateOptions::default()
        };
        let found = index.candidates(&target, &options).unwrap();
        found
            .into_iter()
            .map(|c| (c.id, c.shared))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(30), [("gpl".to_string(), 3), ("oil".to_string(), 1)]);
    // It comes after the documents sharing more, however rare its fingerprint.
    assert_eq!(ids(1), [("gpl".to_string(), 3)]);
}

#[test]
fn search_is_bm25_with_snippets() {
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    let mut w = index.writer().unwrap();
    w.add_all(&[doc("gpl", GPL, None), doc("oil", OIL, None)])
        .unwrap();
    w.commit().unwrap();
    let hits = index.search("\"free software\"", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, "gpl");
    let (s, e) = hits[0].highlights[0];
    assert_eq!(hits[0].snippet[s..e].to_lowercase(), "free");
    // Broken query syntax is forgiven.
    assert!(index.search("oil AND (", 10).is_ok());
    // Stopwords are not indexed, but phrases around them still match in order.
    let hits = index
        .search("\"the GNU General Public License\"", 10)
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert!(index
        .search("\"License Public General\"", 10)
        .unwrap()
        .is_empty());
    let err = index.search("the of and", 10).unwrap_err();
    assert!(matches!(err, IndexError::Search(_)), "{err}");
}

#[test]
fn queries_with_nothing_to_look_for_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    let mut w = index.writer().unwrap();
    w.add_all(&[doc("gpl", GPL, None), doc("oil", OIL, None)])
        .unwrap();
    w.commit().unwrap();
    let refused = |q: &str| match index.search(q, 10) {
        Err(IndexError::Search(why)) => why,
        other => panic!("{:?} answered {other:?}", &q[..q.len().min(30)]),
    };
    for q in [
        "",
        " ",
        "\"\"\"",
        "\"",
        "\"\"",
        "AND",
        "OR",
        "NOT",
        "-",
        "+",
        "*",
        "()",
        "title:",
        "text:",
        "title:\"\"",
        "AND OR",
        "+-",
        "\"the\"",
        "-oil",
        "-oil -free",
        "*  -oil",
    ] {
        let why = refused(q);
        assert!(
            why.starts_with("the query has no searchable words"),
            "{q:?}: {why}"
        );
    }
    assert!(refused("-oil").contains("only excluded words"));
    assert!(refused("the of").contains("only stopwords"));
    // Words next to stray syntax still search.
    for (q, id) in [
        ("\"oil", "oil"),
        ("oil AND", "oil"),
        ("title: oil", "oil"),
        ("software -oil", "gpl"),
    ] {
        let hits = index.search(q, 10).unwrap();
        assert_eq!(hits.first().map(|h| h.id.as_str()), Some(id), "{q:?}");
    }
    // Long queries: refused past the limit, and so is nesting that would overflow the
    // parser's stack.
    let long = "oil ".repeat(MAX_QUERY_BYTES / 4 + 1);
    assert!(refused(&long).contains("over the limit of 10000"));
    let nested = format!("{}oil{}", "(".repeat(4990), ")".repeat(4990));
    assert!(nested.len() <= MAX_QUERY_BYTES);
    assert!(refused(&nested).contains("nests parentheses 4990 deep"));
    // As deep as allowed, on the 2 MiB stack of a server's blocking thread.
    let deepest = format!(
        "{}oil{}",
        "(".repeat(MAX_QUERY_NESTING),
        ")".repeat(MAX_QUERY_NESTING)
    );
    let hits = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let tmp = tempfile::tempdir().unwrap();
            let index = Index::create(tmp.path()).unwrap();
            let mut w = index.writer().unwrap();
            w.add(&doc("oil", OIL, None)).unwrap();
            w.commit().unwrap();
            index.search(&deepest, 10).unwrap().len()
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(hits, 1);
    // Parentheses inside a phrase are punctuation, not nesting.
    assert!(index
        .search(&format!("\"{}oil\"", "(".repeat(40)), 10)
        .is_ok());
    let many = "oil ".repeat(MAX_QUERY_BYTES / 4 - 1);
    assert_eq!(index.search(&many, 10).unwrap()[0].id, "oil");
    assert!(matches!(index.search("oil", 0), Err(IndexError::Search(_))));
}

#[test]
fn one_writer_at_a_time() {
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    let _w = index.writer().unwrap();
    let other = Index::open(tmp.path()).unwrap();
    let err = other.writer().err().unwrap();
    assert!(matches!(err, IndexError::Locked(_)), "{err}");
    assert!(err
        .to_string()
        .contains("another stemma process is writing"));
}

#[test]
fn corrupt_indexes_are_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let index = Index::create(tmp.path()).unwrap();
        let mut w = index.writer().unwrap();
        w.add(&doc("a", GPL, None)).unwrap();
        w.commit().unwrap();
    }
    let meta = tmp.path().join("meta.json");
    let original = std::fs::read(&meta).unwrap();
    std::fs::write(&meta, &original[..original.len() / 2]).unwrap();
    let err = Index::open(tmp.path()).unwrap_err();
    assert!(matches!(err, IndexError::Corrupt(..)), "{err}");
    let err = Index::open_or_create(tmp.path()).unwrap_err();
    assert!(matches!(err, IndexError::Corrupt(..)), "{err}");
    assert_eq!(std::fs::read(&meta).unwrap().len(), original.len() / 2);
    std::fs::write(&meta, &original).unwrap();
    Index::open(tmp.path()).unwrap();

    // Garbage in every segment file.
    for entry in std::fs::read_dir(tmp.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".idx") || name.ends_with(".store") || name.ends_with(".term") {
            let len = std::fs::metadata(&path).unwrap().len() as usize;
            std::fs::write(&path, vec![0xA5u8; len.max(8)]).unwrap();
        }
    }
    let err = Index::open(tmp.path()).unwrap_err();
    assert!(matches!(err, IndexError::Corrupt(..)), "{err}");
}

#[test]
fn the_origin_outranks_later_longer_copies() {
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    let mut w = index.writer().unwrap();
    w.add_all(&[
        doc("copy-a", &format!("{GPL} {WEATHER}"), Some("2001-01-01")),
        doc("copy-b", &format!("{GPL} {WEATHER}"), Some("2002-05-01")),
        doc("origin", GPL, Some("1991-06")),
    ])
    .unwrap();
    w.commit().unwrap();
    let target = stemma_text::analyze(&format!("{GPL} {WEATHER}"));
    let found = index
        .candidates(
            &index.query_fingerprints(&target),
            &CandidateOptions::default(),
        )
        .unwrap();
    // The copies share more, but the GPL words count in full only for their origin.
    assert_eq!(found[0].id, "copy-a");
    let plain = CandidateOptions {
        later_weight: 1.0,
        ..CandidateOptions::default()
    };
    let found2 = index
        .candidates(&index.query_fingerprints(&target), &plain)
        .unwrap();
    assert_eq!(found2.last().unwrap().id, "origin");
    assert!(
        found.iter().position(|c| c.id == "origin").unwrap() <= 1,
        "{found:?}"
    );
}

#[test]
fn day_keys_sort_like_dates() {
    use crate::writer::day_key;
    assert_eq!(day_key(Some("1987-03-02")), 19870302);
    assert_eq!(day_key(Some("1991-06")), 19910600);
    assert_eq!(day_key(Some("2007")), 20070000);
    assert_eq!(day_key(Some("2024-05-01T10:00:00Z")), 20240501);
    assert_eq!(day_key(Some("last spring")), u64::MAX);
    assert_eq!(day_key(None), u64::MAX);
}

const KJV_1_5: &str = include_str!("../tests/fixtures/genesis-kjv-1-5.txt");
const WEB_3: &str = include_str!("../tests/fixtures/genesis-web-3.txt");
const BSD_3: &str = include_str!("../tests/fixtures/BSD-3-Clause.txt");

fn rank(found: &[Candidate], id: &str) -> Option<usize> {
    found.iter().position(|c| c.id == id)
}

#[test]
fn a_reworded_copy_is_found_by_bm25() {
    // KJV Genesis 1–5 (repeated formulas, the same names in every chapter) and a WEB
    // rewording of chapter 3: few content-word n-grams survive the modern revision.
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    let mut w = index.writer().unwrap();
    for (i, chapter) in KJV_1_5.split("\n\n").enumerate() {
        w.add(&doc(&format!("kjv-{}", i + 1), chapter, Some("1611-01-01")))
            .unwrap();
    }
    for (i, text) in [GPL, WEATHER, OIL].into_iter().enumerate() {
        w.add(&doc(&format!("other-{i}"), text, None)).unwrap();
    }
    w.commit().unwrap();
    // Eight lines of the WEB chapter ("God said, Who told you that you were naked? ..."),
    // between sentences of a draft of its own.
    let web: Vec<&str> = WEB_3.lines().collect();
    let target = format!(
        "Notes for Sunday school, week three.\n\n{}\n\nDiscuss in pairs, then share.",
        web[20..28].join("\n")
    );
    let analysis = stemma_text::analyze(&target);
    // Fingerprints alone do not find it: too few content-word n-grams survive.
    let fingerprints = index
        .candidates(
            &index.query_fingerprints(&analysis),
            &CandidateOptions::default(),
        )
        .unwrap();
    assert_eq!(rank(&fingerprints, "kjv-3"), None, "{fingerprints:?}");

    let bm25_only = CandidateOptions {
        limit: 0,
        ..CandidateOptions::default()
    };
    let found = index.retrieve(&target, &analysis, &bm25_only).unwrap();
    assert_eq!(found[0].id, "kjv-3", "{found:?}");
    assert_eq!(found[0].channel, Channel::Bm25);
    // Clearly first, although every chapter shares its names and formulas.
    assert!(
        found
            .get(1)
            .is_none_or(|second| found[0].bm25 > 2.0 * second.bm25),
        "{found:?}"
    );

    let found = index
        .retrieve(&target, &analysis, &CandidateOptions::default())
        .unwrap();
    let at = rank(&found, "kjv-3").expect("the reworded chapter is a candidate");
    assert_eq!(found[at].channel, Channel::Bm25);
}

#[test]
fn a_short_text_embedded_in_many_longer_ones_is_still_a_candidate() {
    // BSD-3-Clause, and forty longer licences that embed it between texts of their own.
    // In a large corpus its fingerprints are all common (here: a cap of 20 documents), so
    // the fingerprint channel sees nothing of it; BM25 over the target's sentences, with the
    // length-aware factor, ranks the short original first.
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    let mut w = index.writer().unwrap();
    let lines: Vec<&str> = KJV_1_5.lines().filter(|l| !l.is_empty()).collect();
    for i in 0..40 {
        let own = lines[(i * 7) % 250..(i * 7) % 250 + 30].join("\n");
        let text = format!(
            "The Project {i} Licence, version {}.\n\nCopyright the Project {i} authors.\n\n{BSD_3}\n\nAdditional terms of Project {i}:\n{own}",
            i % 3 + 1
        );
        w.add(&doc(
            &format!("embedding-{i:02}"),
            &text,
            Some("1998-01-01"),
        ))
        .unwrap();
    }
    w.add(&doc("bsd-3-clause", BSD_3, Some("1999-07-22")))
        .unwrap();
    w.commit().unwrap();
    let target = format!("Copyright (c) 2021, Example Corp.\nAll rights reserved.\n\n{BSD_3}");
    let analysis = stemma_text::analyze(&target);
    let options = CandidateOptions {
        max_doc_freq: Some(20),
        ..CandidateOptions::default()
    };
    let fingerprints = index
        .candidates(&index.query_fingerprints(&analysis), &options)
        .unwrap();
    assert_eq!(
        rank(&fingerprints, "bsd-3-clause"),
        None,
        "{fingerprints:?}"
    );
    let similar = index.similar(&target, &analysis, &options).unwrap();
    assert_eq!(similar[0].id, "bsd-3-clause", "{similar:?}");
    // Merged, after the fingerprint channel's (embedding licences sharing a fingerprint of
    // the target's edges fill its places).
    let found = index.retrieve(&target, &analysis, &options).unwrap();
    let at = rank(&found, "bsd-3-clause").expect("BM25 adds the short original");
    assert_eq!(found[at].channel, Channel::Bm25, "{found:?}");
    assert!(found.len() <= options.limit + options.bm25_limit);

    // Without the cap the fingerprint channel ties all 41 documents; the earliest witnesses
    // (the embedding licences, dated earlier) fill its 30 places. The BM25 channel adds it.
    let fingerprints = index
        .candidates(
            &index.query_fingerprints(&analysis),
            &CandidateOptions::default(),
        )
        .unwrap();
    assert_eq!(
        rank(&fingerprints, "bsd-3-clause"),
        None,
        "{fingerprints:?}"
    );
    let found = index
        .retrieve(&target, &analysis, &CandidateOptions::default())
        .unwrap();
    assert!(rank(&found, "bsd-3-clause").is_some(), "{found:?}");
}

#[test]
fn merged_candidates_keep_the_fingerprint_order_then_add_bm25_and_exclude_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    let mut w = index.writer().unwrap();
    for (i, chapter) in KJV_1_5.split("\n\n").enumerate() {
        w.add(&doc(&format!("kjv-{}", i + 1), chapter, None))
            .unwrap();
    }
    w.add(&doc("web-3", WEB_3, None)).unwrap();
    w.commit().unwrap();
    let chapter_3 = KJV_1_5.split("\n\n").nth(2).unwrap();
    let target = format!("{chapter_3}\n\n{WEB_3}");
    let analysis = stemma_text::analyze(&target);
    let options = CandidateOptions {
        limit: 1,
        bm25_limit: 3,
        ..CandidateOptions::default()
    };
    let fingerprints = index
        .candidates(&index.query_fingerprints(&analysis), &options)
        .unwrap();
    let all = CandidateOptions {
        bm25_limit: 100,
        ..options.clone()
    };
    let similar = index.similar(&target, &analysis, &all).unwrap();
    let merged = index.retrieve(&target, &analysis, &options).unwrap();
    assert_eq!(merged[0].id, fingerprints[0].id);
    let ids = |c: &[Candidate]| c.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    let mut expected = ids(&fingerprints);
    // BM25's limit counts the documents it adds, not those the fingerprints found too.
    expected.extend(
        ids(&similar)
            .into_iter()
            .filter(|id| *id != fingerprints[0].id)
            .take(3),
    );
    assert_eq!(ids(&merged), expected);
    assert_eq!(merged[0].channel, Channel::Both);
    assert!(merged[0].bm25 > 0.0 && merged[0].score > 0.0);
    // The same call gives the same list (no dependence on threads or hash order).
    assert_eq!(
        index.retrieve(&target, &analysis, &options).unwrap(),
        merged
    );

    let excluding = CandidateOptions {
        exclude: vec!["web-3".into(), "kjv-3".into()],
        ..options.clone()
    };
    let merged = index.retrieve(&target, &analysis, &excluding).unwrap();
    assert!(merged.iter().all(|c| c.id != "web-3" && c.id != "kjv-3"));
    let none = CandidateOptions {
        limit: 0,
        bm25_limit: 0,
        ..options
    };
    assert!(index
        .retrieve(&target, &analysis, &none)
        .unwrap()
        .is_empty());
}

#[test]
fn a_short_source_the_target_holds_whole_outranks_the_longer_ones_that_embed_it() {
    // BSD-3-Clause, and twenty longer licences that embed it under the Regents' copyright
    // line, each with terms of its own; the target is BSD-3-Clause under that line too
    // (ScanCode's bsd-new rules are such texts). Every embedding licence shares all the
    // target's fingerprints and those of the Regents' line: by shared fingerprints alone they
    // fill the first places. Length-aware, the text the target holds whole comes first.
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    let mut w = index.writer().unwrap();
    let lines: Vec<&str> = KJV_1_5.lines().filter(|l| !l.is_empty()).collect();
    let regents =
        "Copyright (c) 1990 The Regents of the University of California. All rights reserved.";
    for i in 0..20 {
        let own = lines[(i * 11) % 200..(i * 11) % 200 + 50].join("\n");
        let text = format!("{regents}\n\n{BSD_3}\n\nAdditional terms of Project {i}:\n{own}");
        w.add(&doc(&format!("embedding-{i:02}"), &text, None))
            .unwrap();
    }
    w.add(&doc("bsd-3-clause", BSD_3, None)).unwrap();
    w.commit().unwrap();
    let target = format!("{}\n\n{BSD_3}", regents.replace("1990", "1994"));
    let analysis = stemma_text::analyze(&target);
    let options = CandidateOptions {
        limit: 10,
        bm25_limit: 0,
        ..CandidateOptions::default()
    };
    let found = index
        .candidates(&index.query_fingerprints(&analysis), &options)
        .unwrap();
    assert_eq!(rank(&found, "bsd-3-clause"), Some(0), "{found:?}");
    // It shares fewer fingerprints than any of them: the share of its own that the target
    // holds decides.
    assert!(found[1..].iter().all(|c| c.shared > found[0].shared));
}

#[test]
fn search_breaks_ties_among_identical_texts_by_id_not_by_insertion_order() {
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    let mut w = index.writer().unwrap();
    // The same text under five ids, added in reverse order over two commits (two segments):
    // tantivy alone would rank them by internal address, that is by insertion order.
    w.add_all(&[doc("copy-5", GPL, None), doc("copy-4", GPL, None)])
        .unwrap();
    w.commit().unwrap();
    w.add_all(&[
        doc("copy-3", GPL, None),
        doc("copy-2", GPL, None),
        doc("copy-1", GPL, None),
        doc("oil", OIL, None),
    ])
    .unwrap();
    w.commit().unwrap();
    let ids = |limit| -> Vec<String> {
        let hits = index.search("freedom", limit).unwrap();
        hits.into_iter().map(|h| h.id).collect()
    };
    assert_eq!(ids(1), ["copy-1"]);
    assert_eq!(ids(2), ["copy-1", "copy-2"]);
    assert_eq!(ids(10), ["copy-1", "copy-2", "copy-3", "copy-4", "copy-5"]);
}

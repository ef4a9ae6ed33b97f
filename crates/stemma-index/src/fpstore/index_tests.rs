//! The fingerprint store through the index: the same candidates as tantivy's `fp` field,
//! merges, deletions, crashes and damage.

use std::path::Path;

use stemma_text::Document;

use crate::{create_with_version, CandidateOptions, Index, IndexError, OLDEST_FORMAT_VERSION};

const GPL: &str = include_str!("../../../../examples/GPL-2.txt");
const LGPL: &str = include_str!("../../../../examples/LGPL-2.1.txt");
const KJV: &str = include_str!("../../tests/fixtures/genesis-kjv-1-5.txt");
const WEB: &str = include_str!("../../tests/fixtures/genesis-web-3.txt");
const BSD: &str = include_str!("../../tests/fixtures/BSD-3-Clause.txt");

/// A corpus of families: each document mixes runs of sentences from the five texts (some
/// words dropped), dated or not, so that fingerprints are shared by few or many documents.
fn corpus(n: usize) -> Vec<Document> {
    let sentences: Vec<&str> = [GPL, LGPL, KJV, WEB, BSD]
        .iter()
        .flat_map(|t| t.split_inclusive(['.', ';']))
        .filter(|s| s.split_whitespace().count() > 4)
        .collect();
    let mut rng = 0x2545F4914F6CDD1Du64;
    let mut next = move |m: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % m as u64) as usize
    };
    (0..n)
        .map(|i| {
            let mut text = String::new();
            for _ in 0..1 + next(4) {
                let start = next(sentences.len());
                for s in sentences.iter().skip(start).take(2 + next(12)) {
                    for (w, word) in s.split_whitespace().enumerate() {
                        if next(40) != 0 || w == 0 {
                            text.push_str(word);
                            text.push(' ');
                        }
                    }
                }
            }
            let mut d = Document::new(format!("d{i:04}"), text);
            if next(3) > 0 {
                d.date = Some(format!("{}-{:02}-01", 1980 + next(40), 1 + next(12)));
            }
            d
        })
        .collect()
}

/// Add `docs` in commits of `batch`.
fn fill(index: &Index, docs: &[Document], batch: usize) {
    let mut w = index.writer_with(2, 40 << 20).unwrap();
    for chunk in docs.chunks(batch) {
        w.add_all(chunk).unwrap();
        w.commit().unwrap();
    }
}

fn fp_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("fp-") && n.ends_with(".fps"))
        .collect();
    names.sort();
    names
}

/// Every target's candidates as comparable lines.
fn candidates(index: &Index, targets: &[Document]) -> Vec<String> {
    targets
        .iter()
        .flat_map(|t| {
            let options = CandidateOptions {
                exclude: vec![t.id.clone()],
                ..CandidateOptions::default()
            };
            let fps = index.query_fingerprints(&stemma_text::analyze(&t.text));
            index
                .candidates(&fps, &options)
                .unwrap()
                .into_iter()
                .map(|c| format!("{} {} {:?} {} {}", t.id, c.id, c.date, c.score, c.shared))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn both_stores_give_the_same_candidates_in_the_same_order() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = corpus(300);
    let old = create_with_version(&tmp.path().join("v3"), OLDEST_FORMAT_VERSION).unwrap();
    let new = Index::create(tmp.path().join("v4")).unwrap();
    assert!(!old.stores_fingerprints_apart() && new.stores_fingerprints_apart());
    // Uneven commits: several tantivy segments and several fingerprint files.
    fill(&old, &docs, 70);
    fill(&new, &docs, 70);
    assert!(fp_files(old.dir()).is_empty());
    assert!(fp_files(new.dir()).len() >= 2);
    let targets: Vec<Document> = docs.iter().step_by(7).cloned().collect();
    let (a, b) = (candidates(&old, &targets), candidates(&new, &targets));
    assert!(a.len() > targets.len() * 10, "{} candidates", a.len());
    assert_eq!(a, b);
    // A low cap (fingerprints of many documents skipped) too.
    let capped = CandidateOptions {
        max_doc_freq: Some(3),
        ..CandidateOptions::default()
    };
    let fps = new.query_fingerprints(&stemma_text::analyze(GPL));
    let lines = |index: &Index| {
        let found = index.candidates(&fps, &capped).unwrap();
        found
            .iter()
            .map(|c| format!("{} {} {}", c.id, c.score, c.shared))
            .collect::<Vec<_>>()
    };
    assert!(!lines(&new).is_empty());
    assert_eq!(lines(&old), lines(&new));
    // And again once reopened.
    let reopened = Index::open(new.dir()).unwrap();
    assert_eq!(candidates(&reopened, &targets), b);
}

#[test]
fn one_document_adds_in_a_loop_leave_few_files_and_merges_drop_the_dead() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = corpus(40);
    let index = Index::create(tmp.path()).unwrap();
    let mut w = index.writer_with(1, 16 << 20).unwrap();
    let mut most = 0;
    for d in &docs {
        w.add(d).unwrap();
        w.commit().unwrap();
        most = most.max(fp_files(tmp.path()).len());
    }
    assert!(most <= 2 * super::MERGE_FACTOR, "{most} files");
    // Replace and delete, then add until the files merge again.
    let mut replaced = docs[3].clone();
    replaced.text = WEB.to_string();
    w.add(&replaced).unwrap();
    w.delete(&docs[5].id).unwrap();
    w.commit().unwrap();
    for d in corpus(60).iter().skip(40) {
        w.add(d).unwrap();
        w.commit().unwrap();
    }
    drop(w);
    let view = index.fp_view().unwrap();
    let live = view.live().unwrap();
    let dead = live.iter().filter(|&&a| a == super::NOT_LIVE).count();
    assert_eq!(dead, 2, "the replaced and the deleted document");
    // Every posting left of a dead document is in files written before it died.
    let stored: u64 = view.store.state().files.iter().map(|f| f.postings).sum();
    let live_postings: u64 = index.stats().unwrap().fingerprints;
    assert!(stored >= live_postings);
    // The deleted and the replaced text are found no more; the new text is.
    for (gone, id) in [(&docs[5], "d0005"), (&docs[3], "d0003")] {
        let fps = index.query_fingerprints(&stemma_text::analyze(&gone.text));
        let found = index
            .candidates(&fps, &CandidateOptions::default())
            .unwrap();
        if id == "d0005" {
            assert!(found.iter().all(|c| c.id != id));
        } else {
            let mine = found.iter().find(|c| c.id == id);
            assert!(mine.is_none_or(|c| c.shared < 2), "{mine:?}");
        }
    }
    let fps = index.query_fingerprints(&stemma_text::analyze(WEB));
    let found = index
        .candidates(&fps, &CandidateOptions::default())
        .unwrap();
    assert!(found.iter().any(|c| c.id == "d0003"));
}

#[test]
fn document_frequency_counts_live_documents_only() {
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    let mut w = index.writer().unwrap();
    for i in 0..4 {
        w.add(&Document::new(format!("copy{i}"), BSD)).unwrap();
    }
    w.add(&Document::new("other", GPL)).unwrap();
    w.commit().unwrap();
    let fps = index.query_fingerprints(&stemma_text::analyze(BSD));
    let cap3 = CandidateOptions {
        max_doc_freq: Some(3),
        ..CandidateOptions::default()
    };
    // Four live copies: every fingerprint is over the cap.
    assert!(index.candidates(&fps, &cap3).unwrap().is_empty());
    w.delete("copy0").unwrap();
    w.commit().unwrap();
    let found = index.candidates(&fps, &cap3).unwrap();
    let ids: Vec<&str> = found.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["copy1", "copy2", "copy3"]);
}

#[test]
fn an_orphan_of_a_crashed_commit_is_ignored_then_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = corpus(30);
    let index = Index::create(tmp.path()).unwrap();
    fill(&index, &docs[..20], 20);
    let targets = &docs[..20];
    let before = candidates(&index, targets);
    // What a crash between writing the file and tantivy's commit leaves: a file no commit
    // names, holding postings of document numbers no live document has.
    let state = index.fp_view().unwrap().store.state().clone();
    let pairs: Vec<u64> = index
        .fingerprints(&stemma_text::analyze(GPL))
        .iter()
        .map(|fp| fp << 32 | u64::from(state.next_doc))
        .collect();
    let orphan = super::write_file(tmp.path(), state.next_file, pairs)
        .unwrap()
        .unwrap();
    drop(index);
    let index = Index::open(tmp.path()).unwrap();
    assert_eq!(candidates(&index, targets), before);
    assert!(fp_files(tmp.path()).contains(&orphan.name));
    // The next writer removes it, and its number is reused for a real file.
    let mut w = index.writer().unwrap();
    assert!(!fp_files(tmp.path()).contains(&orphan.name));
    w.add_all(&docs[20..]).unwrap();
    w.commit().unwrap();
    // As if there had been no orphan: the same as a clean index of the same commits.
    let other = tempfile::tempdir().unwrap();
    let clean = Index::create(other.path()).unwrap();
    fill(&clean, &docs[..20], 20);
    fill(&clean, &docs[20..], 10);
    assert_eq!(candidates(&index, targets), candidates(&clean, targets));
    // A writer dropped without committing leaves the last commit whole.
    w.add(&Document::new("uncommitted", GPL)).unwrap();
    drop(w);
    let index = Index::open(tmp.path()).unwrap();
    assert!(!index.contains("uncommitted").unwrap());
    let fps = index.query_fingerprints(&stemma_text::analyze(GPL));
    let found = index
        .candidates(&fps, &CandidateOptions::default())
        .unwrap();
    assert!(found.iter().all(|c| c.id != "uncommitted"));
}

#[test]
fn tantivy_merges_keep_document_numbers_and_the_payload() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = corpus(120);
    let index = Index::create(tmp.path()).unwrap();
    // Twelve commits: tantivy's merge policy merges its segments in the background.
    fill(&index, &docs, 10);
    let targets: Vec<Document> = docs.iter().step_by(5).cloned().collect();
    let before = candidates(&index, &targets);
    index.writer().unwrap().finish().unwrap();
    let reopened = Index::open(tmp.path()).unwrap();
    assert!(reopened.stats().unwrap().segments < 12);
    assert_eq!(candidates(&reopened, &targets), before);
}

#[test]
fn a_damaged_fingerprint_file_is_a_one_line_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    fill(&index, &corpus(40), 40);
    drop(index);
    let name = fp_files(tmp.path()).pop().unwrap();
    let path = tmp.path().join(&name);
    let good = std::fs::read(&path).unwrap();
    let one_line = |e: IndexError| {
        let text = e.to_string();
        assert!(matches!(e, IndexError::Corrupt(..)), "{text}");
        assert!(text.contains(&name) && !text.contains('\n'), "{text}");
    };
    // Truncated: refused at open.
    std::fs::write(&path, &good[..good.len() - 3]).unwrap();
    one_line(Index::open(tmp.path()).unwrap_err());
    std::fs::write(&path, b"").unwrap();
    one_line(Index::open(tmp.path()).unwrap_err());
    // A flipped byte in the postings: refused by the lookup that reads its block.
    let mut bad = good.clone();
    bad[good.len() / 3] ^= 0x40;
    std::fs::write(&path, &bad).unwrap();
    let index = Index::open(tmp.path()).unwrap();
    let every: Vec<u64> = (0..1u64 << 16).map(|i| i << 16).collect();
    let fps: Vec<u64> = index
        .query_fingerprints(&stemma_text::analyze(&format!(
            "{GPL}{LGPL}{KJV}{WEB}{BSD}"
        )))
        .into_iter()
        .chain(every)
        .collect();
    one_line(
        index
            .candidates(&fps, &CandidateOptions::default())
            .unwrap_err(),
    );
    // Missing: named too.
    drop(index);
    std::fs::remove_file(&path).unwrap();
    let err = Index::open(tmp.path()).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn an_old_format_index_keeps_its_fingerprints_in_tantivy() {
    let tmp = tempfile::tempdir().unwrap();
    let index = create_with_version(tmp.path(), OLDEST_FORMAT_VERSION).unwrap();
    fill(&index, &corpus(30), 10);
    drop(index);
    let index = Index::open(tmp.path()).unwrap();
    assert_eq!(index.marker().version, OLDEST_FORMAT_VERSION);
    assert!(!index.stores_fingerprints_apart());
    let mut w = index.writer().unwrap();
    w.add(&Document::new("late", KJV)).unwrap();
    w.commit().unwrap();
    assert!(fp_files(tmp.path()).is_empty());
    let fps = index.query_fingerprints(&stemma_text::analyze(KJV));
    let found = index
        .candidates(&fps, &CandidateOptions::default())
        .unwrap();
    assert!(found.iter().any(|c| c.id == "late"));
}

#[test]
fn a_reload_of_the_same_commit_keeps_the_view_and_a_new_commit_replaces_it() {
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::create(tmp.path()).unwrap();
    fill(&index, &corpus(10), 10);
    let first = index.fp_view().unwrap();
    first.live().unwrap();
    index.reload().unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &index.fp_view().unwrap()));
    let mut w = index.writer().unwrap();
    w.delete("d0001").unwrap();
    w.commit().unwrap();
    let second = index.fp_view().unwrap();
    assert!(!std::sync::Arc::ptr_eq(&first, &second));
    let fps = index.query_fingerprints(&stemma_text::analyze(&corpus(10)[1].text));
    let found = index
        .candidates(&fps, &CandidateOptions::default())
        .unwrap();
    assert!(found.iter().all(|c| c.id != "d0001"));
}

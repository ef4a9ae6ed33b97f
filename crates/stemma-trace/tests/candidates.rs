//! Gathering candidates from an index: the closest text is a candidate, also inside a dense
//! family of near-identical texts (ScanCode fixtures, CC-BY-4.0, in `tests/fixtures/SOURCE`).

use stemma_align::CompareOptions;
use stemma_index::{CandidateOptions, Index};
use stemma_text::Document;
use stemma_trace::trace_in_index;

fn fixture(name: &str) -> Document {
    let path = format!("{}/tests/fixtures/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    Document::new(name, std::fs::read_to_string(path).unwrap())
}

/// ScanCode's 4-clause BSD text among seven BSD siblings.
const FAMILY: [&str; 8] = [
    "scancode-bsd-original",
    "scancode-bsd-new",
    "scancode-bsd-new-nomod",
    "scancode-oracle-bsd-no-nuclear",
    "scancode-bsd-ack-carrot2",
    "scancode-componentace-jcraft",
    "scancode-bsd-x11",
    "scancode-jamon",
];

fn family_index(dir: &std::path::Path) -> Index {
    let index = Index::create(dir).unwrap();
    let mut writer = index.writer().unwrap();
    for name in FAMILY {
        writer.add(&fixture(name)).unwrap();
    }
    writer.commit().unwrap();
    index
}

#[test]
fn the_closest_sibling_dropped_by_the_fingerprint_cut_is_aligned_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let index = family_index(dir.path());
    let target = fixture("scancode-rule-bsd-original_29");
    // Three fingerprint candidates, as 30 are among ScanCode's 2,594 licences: the Oracle,
    // Carrot2 and ComponentAce texts share the most of the rule's fingerprints (its
    // disclaimer's wording), the generic 4-clause text fewer (its placeholders).
    let options = CandidateOptions {
        limit: 3,
        bm25_limit: 0,
        ..Default::default()
    };
    let by_fingerprints = index
        .retrieve(&target.text, &stemma_text::analyze(&target.text), &options)
        .unwrap();
    assert!(
        by_fingerprints
            .iter()
            .all(|c| c.id != "scancode-bsd-original"),
        "{by_fingerprints:#?}"
    );
    let found =
        trace_in_index(&index, &target, false, options, &CompareOptions::default()).unwrap();
    let ids: Vec<&str> = found.sources.iter().map(|d| d.id.as_str()).collect();
    // The closest text by its words (0.94 whole-text identity, against 0.87 for the best
    // fingerprint candidate) is added from the documents the cut dropped, and named first.
    assert!(ids.contains(&"scancode-bsd-original"), "{ids:?}");
    assert_eq!(
        found.trace.sources[0].id, "scancode-bsd-original",
        "{ids:?}"
    );
    // Only texts closer by their words than every candidate are added, at most 3.
    assert!(ids.len() <= 3 + 3, "{ids:?}");
}

#[test]
fn nothing_is_added_when_the_cut_kept_the_closest_text() {
    let dir = tempfile::tempdir().unwrap();
    let index = family_index(dir.path());
    // The generic 4-clause text with a holder's name: it shares the most fingerprints with
    // its own text, which the cut keeps.
    let text = fixture("scancode-bsd-original")
        .text
        .replace("<organization>", "Example Widgets Ltd")
        .replace("<COPYRIGHT HOLDER>", "EXAMPLE WIDGETS LTD");
    let target = Document::new("variant", text);
    let options = CandidateOptions {
        limit: 3,
        bm25_limit: 0,
        ..Default::default()
    };
    let found =
        trace_in_index(&index, &target, false, options, &CompareOptions::default()).unwrap();
    let ids: Vec<&str> = found.sources.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert_eq!(
        found.trace.sources[0].id, "scancode-bsd-original",
        "{ids:?}"
    );
}

//! Tests of the PAN corpus generator (they need ../shared/data and skip without it).

use super::*;
use crate::obfuscate::{MAX_EDIT_RATE, MIN_EDIT_RATE};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The shared data folder, or `None` (with a note) when it is not there.
fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} not found", dir.display());
        None
    }
}

fn materials() -> Option<&'static Materials> {
    static MATERIALS: OnceLock<Option<Materials>> = OnceLock::new();
    MATERIALS
        .get_or_init(|| data_dir().map(|d| Materials::load(&d).expect("load data")))
        .as_ref()
}

fn small(seed: u64) -> Option<Vec<Pair>> {
    let config = PanConfig {
        seed,
        pairs_per_type: 6,
        genesis_pairs_per_type: 0,
    };
    materials().map(|m| generate(m, config))
}

#[test]
fn truth_slices_exactly_the_planted_text() {
    let Some(pairs) = small(3) else { return };
    assert_eq!(pairs.len(), 30);
    for pair in &pairs {
        pair.assert_truth_exact();
        let xml = pair.truth_xml();
        assert_eq!(xml.matches("<feature ").count(), pair.cases.len());
        if pair.obfuscation == Obfuscation::Negative {
            assert!(pair.cases.is_empty());
            assert!(!pair.decoys.is_empty());
            continue;
        }
        assert!(
            PASSAGES_PER_PAIR.contains(&pair.cases.len()),
            "pair {}",
            pair.number
        );
        for case in &pair.cases {
            assert!(PASSAGE_WORDS.contains(&word_count(&case.source_text)));
            // Cases never overlap on either side.
            for other in pair.cases.iter().filter(|c| *c != case) {
                let apart = |a: usize, al: usize, b: usize, bl: usize| a + al <= b || b + bl <= a;
                assert!(apart(
                    case.this_offset,
                    case.this_length,
                    other.this_offset,
                    other.this_length
                ));
                assert!(apart(
                    case.source_offset,
                    case.source_length,
                    other.source_offset,
                    other.source_length
                ));
            }
            match pair.obfuscation {
                Obfuscation::None => assert_eq!(case.this_text, case.source_text),
                Obfuscation::Random => {
                    let rate = case.edit_rate.expect("edit rate");
                    assert!(
                        (MIN_EDIT_RATE..=MAX_EDIT_RATE).contains(&rate),
                        "rate {rate}"
                    );
                    assert_ne!(case.this_text, case.source_text);
                }
                Obfuscation::Reorder => {
                    let mut original: Vec<&str> = sentences(&case.source_text)
                        .into_iter()
                        .map(|r| &case.source_text[r])
                        .collect();
                    assert!(original.len() >= MIN_REORDER_SENTENCES);
                    let joined = original.join(" ");
                    assert_ne!(case.this_text, joined, "order unchanged");
                    // Same words, other order.
                    let mut a: Vec<&str> = case.this_text.split_whitespace().collect();
                    let mut b: Vec<&str> = joined.split_whitespace().collect();
                    a.sort_unstable();
                    b.sort_unstable();
                    assert_eq!(a, b);
                    original.clear();
                }
                Obfuscation::Paraphrase => {
                    assert_ne!(case.this_text, case.source_text);
                    assert!(pair.source_book == "genesis-kjv");
                }
                Obfuscation::Negative => unreachable!(),
            }
        }
    }
}

#[test]
fn negatives_plant_another_book_of_the_same_genre() {
    let (Some(pairs), Some(materials)) = (small(4), materials()) else {
        return;
    };
    for pair in pairs
        .iter()
        .filter(|p| p.obfuscation == Obfuscation::Negative)
    {
        for decoy in &pair.decoys {
            assert!(!pair.source.contains(decoy.as_str()));
            let home: Vec<&Book> = materials
                .books
                .iter()
                .filter(|b| b.text.contains(decoy.as_str()))
                .collect();
            assert!(home.iter().all(|b| b.name != pair.source_book));
            let source_genre = materials
                .books
                .iter()
                .find(|b| b.name == pair.source_book)
                .map(Book::genre);
            assert!(home.iter().any(|b| Some(b.genre()) == source_genre));
        }
    }
}

#[test]
fn same_seed_same_files() {
    let (Some(first), Some(second), Some(other)) = (small(11), small(11), small(12)) else {
        return;
    };
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    write_corpus(&first, dirs[0].path()).unwrap();
    write_corpus(&second, dirs[1].path()).unwrap();
    let mut files = 0;
    for sub in [
        "pairs",
        "src",
        "susp",
        "truth/none",
        "truth/paraphrase",
        "truth/negative",
    ] {
        let left = dirs[0].path().join(sub);
        if left.is_file() {
            assert_eq!(
                fs::read(&left).unwrap(),
                fs::read(dirs[1].path().join(sub)).unwrap()
            );
            files += 1;
            continue;
        }
        for entry in fs::read_dir(&left).unwrap() {
            let name = entry.unwrap().file_name();
            assert_eq!(
                fs::read(left.join(&name)).unwrap(),
                fs::read(dirs[1].path().join(sub).join(&name)).unwrap(),
                "{sub}/{name:?} differs"
            );
            files += 1;
        }
    }
    assert!(files > 60);
    assert!(first
        .iter()
        .zip(&other)
        .any(|(a, b)| a.suspicious != b.suspicious));
}

#[test]
fn a_pair_does_not_depend_on_the_corpus_size() {
    let Some(materials) = materials() else { return };
    let few = generate(
        materials,
        PanConfig {
            seed: 5,
            pairs_per_type: 1,
            genesis_pairs_per_type: 1,
        },
    );
    let more = generate(
        materials,
        PanConfig {
            seed: 5,
            pairs_per_type: 2,
            genesis_pairs_per_type: 0,
        },
    );
    // Adding the Genesis subset leaves the standard pairs as they were.
    let standard: Vec<&Pair> = few
        .iter()
        .filter(|p| p.subset == Subset::Standard)
        .collect();
    assert_eq!(standard.len(), Obfuscation::ALL.len());
    for (k, pair) in standard.iter().enumerate() {
        assert_eq!(pair.suspicious, more[2 * k].suspicious);
        assert_eq!(pair.source, more[2 * k].source);
    }
}

#[test]
fn genesis_subset_is_self_similar_and_exact() {
    let Some(materials) = materials() else { return };
    let pairs = generate(
        materials,
        PanConfig {
            seed: 7,
            pairs_per_type: 0,
            genesis_pairs_per_type: 6,
        },
    );
    assert_eq!(pairs.len(), 30);
    let mut with_repeats = 0;
    for pair in &pairs {
        pair.assert_truth_exact();
        assert_eq!(pair.subset, Subset::Genesis);
        assert!(pair.type_name().starts_with("genesis-"));
        assert_eq!(pair.source_book, "genesis-kjv");
        let source_shingles = shingles(&pair.source, UNIQUE_SHINGLE_WORDS);
        for decoy in &pair.decoys {
            assert!(shingles(decoy, UNIQUE_SHINGLE_WORDS).is_disjoint(&source_shingles));
            assert!(materials.kjv.join("\n").contains(decoy.as_str()));
        }
        for case in &pair.cases {
            let start = pair.source.find(case.source_text.as_str()).unwrap();
            let rest = format!(
                "{}\n{}",
                &pair.source[..start],
                &pair.source[start + case.source_text.len()..]
            );
            let own = shingles(&case.source_text, UNIQUE_SHINGLE_WORDS);
            let repeated = own
                .intersection(&shingles(&rest, UNIQUE_SHINGLE_WORDS))
                .count();
            assert!(
                repeated * 2 <= own.len(),
                "pair {}: mostly a repeat",
                pair.number
            );
            with_repeats += usize::from(repeated > 0);
        }
    }
    // Formulas recur: some planted passages share 7-word runs with the rest of their source.
    assert!(with_repeats > 0);
}

//! Clusters on hard cases: a synthetic chain of versions, the real GPL history, exact copies
//! under different spacing, and the same result whatever the thread count or memory budget.

use stemma_dedup::{jaccard, shingle_set, Dedup, DedupOptions, Deduper, Keep, NoProgress};
use stemma_text::Document;

const GPL2: &str = include_str!("fixtures/gpl-history/1999-02-02-GPL-2.0-from-gnu.org.txt");

fn run(docs: &[Document], options: DedupOptions) -> Dedup {
    let mut d = Deduper::new(options).unwrap();
    // Two batches: streaming must not change anything.
    let half = docs.len() / 2;
    d.add(&docs[..half], &NoProgress).unwrap();
    d.add(&docs[half..], &NoProgress).unwrap();
    d.finish(&NoProgress).unwrap()
}

fn shingles(text: &str) -> Vec<u32> {
    let mut norms = Vec::new();
    stemma_text::word_norms(text, &mut norms);
    let mut set = Vec::new();
    shingle_set(&norms, 5, &mut set);
    set
}

/// A deterministic generator (no dependency needed for a test's few thousand draws).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// v1 … v20: each version substitutes `rate` of the previous one's words.
fn chain(rate: f64) -> Vec<Document> {
    let mut rng = Lcg(7);
    let mut words: Vec<String> = GPL2.split_whitespace().map(str::to_string).collect();
    let mut docs = Vec::new();
    for v in 1..=20 {
        docs.push(Document::new(format!("v{v:02}"), words.join(" ")));
        for w in words.iter_mut() {
            if (rng.next() % 10_000) as f64 / 10_000.0 < rate {
                *w = format!("edit{}", rng.next() % 100_000);
            }
        }
    }
    docs
}

/// Every member of every cluster is within the threshold of its kept document, and the
/// similarity reported is the exact one.
fn check_stars(docs: &[Document], d: &Dedup, threshold: f64) {
    for c in &d.clusters {
        let kept = shingles(&docs[c.members[0] as usize].text);
        for &m in &c.members[1..] {
            let o = &d.outcomes[m as usize];
            assert_eq!(o.kept_doc, c.members[0]);
            let truth = jaccard(&kept, &shingles(&docs[m as usize].text));
            assert!(
                truth >= threshold,
                "{} in #{} at {truth}",
                docs[m as usize].id,
                c.id
            );
            assert!((f64::from(o.similarity) - truth).abs() < 1e-6);
        }
    }
}

#[test]
fn a_chain_of_versions_is_not_one_cluster() {
    let docs = chain(0.02);
    let first_last = jaccard(&shingles(&docs[0].text), &shingles(&docs[19].text));
    let step = jaccard(&shingles(&docs[0].text), &shingles(&docs[1].text));
    assert!(step >= 0.8 && first_last < 0.3, "{step} {first_last}");
    let d = run(&docs, DedupOptions::default());
    check_stars(&docs, &d, 0.8);
    assert!(d.outcomes[0].cluster != d.outcomes[19].cluster || d.outcomes[0].cluster == 0);
    // Successive versions do group (each star holds the versions near its kept one).
    assert!(d.clusters.len() >= 3, "{:?}", d.clusters);
    assert!(d.clusters.iter().all(|c| c.members.len() < 20));
    assert_eq!(d.outcomes[1].kept_doc, 0);
}

fn gpl_history() -> Vec<Document> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gpl-history");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(format!("{dir}/{n}")).unwrap();
            let mut doc = Document::new(n.clone(), text);
            doc.date = Some(n[..10].to_string());
            doc
        })
        .collect()
}

#[test]
fn the_gpl_history_clusters_by_licence() {
    let docs = gpl_history();
    let d = run(
        &docs,
        DedupOptions {
            keep: Keep::Earliest,
            ..DedupOptions::default()
        },
    );
    check_stars(&docs, &d, 0.8);
    let cluster_of = |needle: &str| {
        let i = docs.iter().position(|d| d.id.contains(needle)).unwrap();
        d.outcomes[i].cluster
    };
    // The GPL 2.0 copies of 1991–2007 are one text with small changes (addresses, the
    // syscall note): one cluster, kept at its earliest.
    let gpl2 = cluster_of("1991-06-02-01.50-GPL-2.0");
    assert_ne!(gpl2, 0);
    for v in ["1992-09-05", "1999-02-02", "2005-05-08", "2007-07-16"] {
        assert_eq!(cluster_of(v), gpl2, "{v}");
    }
    let c = &d.clusters[gpl2 as usize - 1];
    assert!(docs[c.members[0] as usize].id.starts_with("1991-06-02"));
    // Different licences never share a cluster.
    assert_ne!(cluster_of("2006-07-03-GPL-1.0"), gpl2);
    assert_ne!(cluster_of("2001-08-03-LGPL-2.1"), gpl2);
    assert_ne!(
        cluster_of("2001-08-03-LGPL-2.1"),
        cluster_of("2006-07-03-GPL-1.0")
    );
    assert_eq!(
        cluster_of("2001-08-03-LGPL-2.1"),
        cluster_of("2010-03-24-LGPL-2.1")
    );
}

#[test]
fn exact_copies_ignore_spacing_and_case() {
    let a = GPL2.to_string();
    let b = GPL2
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("\n")
        .to_uppercase();
    let docs = vec![Document::new("a", a), Document::new("b", b)];
    let d = run(&docs, DedupOptions::default());
    assert!(d.outcomes[1].exact && d.outcomes[1].kept_doc == 0);
    assert_eq!(d.stats.exact_removed, 1);
}

#[test]
fn keep_longest_keeps_the_longest() {
    let short = GPL2[..GPL2.len() - 200].to_string();
    let docs = vec![Document::new("short", short), Document::new("long", GPL2)];
    let d = run(
        &docs,
        DedupOptions {
            keep: Keep::Longest,
            ..DedupOptions::default()
        },
    );
    assert_eq!(d.clusters[0].members, [1, 0]);
}

#[test]
fn the_same_result_with_any_threads_or_memory() {
    let mut docs = chain(0.02);
    docs.extend(gpl_history());
    docs.extend(chain(0.01).into_iter().map(|mut d| {
        d.id.push('b');
        d
    }));
    let summary = |d: &Dedup| format!("{:?} {:?}", d.outcomes, d.clusters);
    let baseline = run(&docs, DedupOptions::default());
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let d = pool.install(|| run(&docs, DedupOptions::default()));
        assert_eq!(summary(&d), summary(&baseline), "{threads} threads");
    }
    let tmp = tempfile::tempdir().unwrap();
    let tiny = DedupOptions {
        memory: 3,
        tmp_dir: Some(tmp.path().to_path_buf()),
        ..DedupOptions::default()
    };
    let spilled = run(&docs, tiny);
    assert!(spilled.stats.spilled_runs >= 2, "{:?}", spilled.stats);
    assert!(spilled.stats.spilled_bytes > 0);
    assert_eq!(summary(&spilled), summary(&baseline));
}

#[test]
fn options_out_of_range_are_refused() {
    for options in [
        DedupOptions {
            threshold: 0.0,
            ..DedupOptions::default()
        },
        DedupOptions {
            ngram: 0,
            ..DedupOptions::default()
        },
        DedupOptions {
            bands: Some(500),
            ..DedupOptions::default()
        },
    ] {
        assert!(Deduper::new(options).is_err());
    }
}

//! Clusters on small fixtures, asserted exactly: members, spans, earliest witness.

use stemma_reuse::{find_reuse, NoProgress, Reuse, ReuseOptions};
use stemma_text::Document;

const GPL: &str = include_str!("fixtures/gpl2-preamble.txt");
const FREE: &str = include_str!("fixtures/gpl2-free-software.txt");
const APACHE: &str = include_str!("fixtures/apache2-grant.txt");

/// The byte span of `part`'s words inside `text`: from its first word to the end of its last
/// one (alignments start and end on words, not on punctuation or blanks).
fn words_span(text: &str, part: &str) -> (usize, usize) {
    let at = text.find(part).expect("part in text");
    let first = part.find(char::is_alphanumeric).unwrap();
    let last = part.rfind(char::is_alphanumeric).unwrap();
    let last_len = part[last..].chars().next().unwrap().len_utf8();
    (at + first, at + last + last_len)
}

fn dated(id: &str, date: Option<&str>, text: String) -> Document {
    let mut d = Document::new(id, text);
    d.date = date.map(str::to_string);
    d
}

fn members(docs: &[Document], reuse: &Reuse) -> Vec<Vec<(String, (usize, usize))>> {
    reuse
        .clusters
        .iter()
        .map(|c| {
            c.members
                .iter()
                .map(|m| (docs[m.doc as usize].id.clone(), (m.span.start, m.span.end)))
                .collect()
        })
        .collect()
}

fn corpus() -> Vec<Document> {
    vec![
        dated(
            "gazette-1991",
            Some("1991-06-02"),
            format!("Weather. Rain is expected over the hills tonight.\n\n{GPL}\nPrices of wool held steady."),
        ),
        dated(
            "courier-2001",
            Some("2001-03-04"),
            format!("{APACHE}\nMayor Jones opened the new bridge on Sunday.\n\n{GPL}"),
        ),
        dated(
            "herald-2005",
            Some("2005-09-10"),
            format!("Letters to the editor, in full:\n{APACHE}\nHarvest festival crowds were large."),
        ),
        dated(
            "notes",
            None,
            "Gardening notes: tomatoes want sun, beans want water, and nobody wants slugs.".into(),
        ),
    ]
}

#[test]
fn small_fixture_exactly() {
    let docs = corpus();
    let reuse = find_reuse(&docs, &ReuseOptions::default(), &NoProgress).unwrap();
    let gpl = |i: usize| words_span(&docs[i].text, GPL);
    let apache = |i: usize| words_span(&docs[i].text, APACHE);
    // Equal sizes: ordered by the first member's id, "courier-2001" < "gazette-1991".
    assert_eq!(
        members(&docs, &reuse),
        vec![
            vec![
                ("courier-2001".to_string(), apache(1)),
                ("herald-2005".to_string(), apache(2)),
            ],
            vec![
                ("gazette-1991".to_string(), gpl(0)),
                ("courier-2001".to_string(), gpl(1)),
            ],
        ]
    );
    assert_eq!(reuse.clusters[0].id, 1);
    assert_eq!(reuse.clusters[1].id, 2);
    // Earliest witnesses, by date: the courier for the Apache grant, the gazette for the GPL.
    assert_eq!(reuse.clusters[0].earliest, Some(0));
    assert_eq!(reuse.clusters[1].earliest, Some(0));
    assert_eq!(reuse.stats.clusters, 2);
}

#[test]
fn undated_clusters_name_no_earliest_witness() {
    let mut docs = corpus();
    for d in &mut docs {
        d.date = None;
    }
    let reuse = find_reuse(&docs, &ReuseOptions::default(), &NoProgress).unwrap();
    assert!(reuse.clusters.iter().all(|c| c.earliest.is_none()));
    // Without dates, members are ordered by id.
    let ids: Vec<_> = members(&docs, &reuse)[1]
        .iter()
        .map(|m| m.0.clone())
        .collect();
    assert_eq!(ids, ["courier-2001", "gazette-1991"]);
}

/// passim's issue #4: on a handful of short documents passim returns nothing (its n-gram
/// statistics need a big corpus). Four documents, two sharing a paragraph: one cluster.
#[test]
fn four_document_toy_gives_the_cluster() {
    let docs = vec![
        Document::new("1", format!("Local news in brief. {FREE}")),
        Document::new(
            "2",
            "The county fair opens on Friday with a parade of tractors.",
        ),
        Document::new("3", format!("{FREE} Reprinted from an exchange.")),
        Document::new(
            "4",
            "Shipping: the schooner Mary arrived from Boston with lumber.",
        ),
    ];
    let reuse = find_reuse(&docs, &ReuseOptions::default(), &NoProgress).unwrap();
    assert_eq!(
        members(&docs, &reuse),
        vec![vec![
            ("1".to_string(), words_span(&docs[0].text, FREE)),
            ("3".to_string(), words_span(&docs[2].text, FREE)),
        ]]
    );
}

/// Reordered reuse: the same three paragraphs in another order are all found.
#[test]
fn reordered_reuse_is_found() {
    let a = Document::new("a", format!("{GPL}\n\n{FREE}\n\n{APACHE}"));
    let b = Document::new(
        "b",
        format!("{APACHE}\n\nAn editor's note.\n\n{GPL}\n\n{FREE}"),
    );
    let docs = vec![a, b];
    let reuse = find_reuse(&docs, &ReuseOptions::default(), &NoProgress).unwrap();
    for part in [GPL, FREE, APACHE] {
        let (start, end) = words_span(&docs[1].text, part);
        let covered = reuse
            .clusters
            .iter()
            .flat_map(|c| &c.members)
            .any(|m| m.doc == 1 && m.span.start <= start && m.span.end >= end);
        assert!(covered, "{:?} not covered in b", &part[..30]);
    }
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let mut docs = corpus();
    for i in 0..30 {
        let part = [GPL, FREE, APACHE][i % 3];
        docs.push(Document::new(
            format!("copy-{i:02}"),
            format!(
                "Number {i} of the series, with its own opening words. {part} Closing words {i}."
            ),
        ));
    }
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| find_reuse(&docs, &ReuseOptions::default(), &NoProgress).unwrap())
    };
    let (one, four) = (run(1), run(4));
    assert_eq!(one.clusters, four.clusters);
    assert_eq!(one.pairs, four.pairs);
    assert_eq!(one.stats, four.stats);
    assert!(one.clusters.len() >= 3, "{:?}", one.stats);
}

/// Word `k` of a made-up vocabulary: letters only, never a stopword, all distinct.
fn word(k: usize) -> String {
    let letters = b"bcdfghjklmnpqrstvwxz";
    let (hi, lo) = (k / letters.len(), k % letters.len());
    format!("vor{}{}an", letters[hi % 20] as char, letters[lo] as char)
}

#[test]
fn clusters_do_not_chain_shifted_copies_into_one() {
    // Document i holds words 10·i … 10·i + 99: each shares 90 words with its neighbours,
    // so alignments chain from the first document to the last, but documents ten apart
    // share no word at all. Connected components make this one cluster of twelve.
    let docs: Vec<Document> = (0..12)
        .map(|i| {
            let text: Vec<String> = (10 * i..10 * i + 100).map(word).collect();
            Document::new(format!("d{i:02}"), text.join(" "))
        })
        .collect();
    let reuse = find_reuse(&docs, &ReuseOptions::default(), &NoProgress).unwrap();
    assert!(reuse.clusters.len() > 1, "{:?}", members(&docs, &reuse));
    for cluster in &reuse.clusters {
        for x in &cluster.members {
            for y in &cluster.members {
                let (i, j) = (x.doc as i64, y.doc as i64);
                assert!(
                    (i - j).abs() < 10,
                    "d{i:02} and d{j:02} share no word but are one cluster: {:?}",
                    members(&docs, &reuse)
                );
            }
        }
    }
    // Every document is still a member of some cluster.
    let mut seen: Vec<u32> = reuse
        .clusters
        .iter()
        .flat_map(|c| c.members.iter().map(|m| m.doc))
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen, (0..12).collect::<Vec<u32>>());
}

#[test]
fn a_long_text_holding_two_texts_does_not_join_them() {
    // `merged` interleaves two texts sentence by sentence: five 8-word sentences of `first`
    // with five 12-word sentences of `second`. `first` aligns with `merged` as one passage,
    // its matches scattered over 88 words of which it is 40, and `second`'s alignment covers
    // nearly the same span: one node of `merged` holds both, and star clustering around it
    // would join the copies of two texts that share no word.
    let sentence = |base: usize, len: usize, i: usize| -> Vec<String> {
        (base + len * i..base + len * (i + 1)).map(word).collect()
    };
    let first: Vec<String> = (0..5).flat_map(|i| sentence(0, 8, i)).collect();
    let second: Vec<String> = (0..5).flat_map(|i| sentence(100, 12, i)).collect();
    let merged: Vec<String> = (0..5)
        .flat_map(|i| [sentence(0, 8, i), sentence(100, 12, i)].concat())
        .collect();
    let filler = |k: usize| -> String {
        (0..15)
            .map(|j| word(300 + 15 * k + j))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let docs = vec![
        Document::new("first-1", format!("{} {}", filler(0), first.join(" "))),
        Document::new("first-2", format!("{} {}", first.join(" "), filler(1))),
        Document::new("merged", merged.join(" ")),
        Document::new("second-1", format!("{} {}", filler(2), second.join(" "))),
        Document::new("second-2", format!("{} {}", second.join(" "), filler(3))),
    ];
    let reuse = find_reuse(&docs, &ReuseOptions::default(), &NoProgress).unwrap();
    let clusters = members(&docs, &reuse);
    // The scattered alignment is found and reported …
    let (first_1, merged_doc) = (0, 2);
    assert!(
        reuse
            .pairs
            .iter()
            .any(|p| (p.a, p.b) == (first_1, merged_doc)),
        "{:?}",
        reuse.pairs
    );
    // … but joins no cluster: the copies of each text are clustered apart.
    let ids = |c: &Vec<(String, (usize, usize))>| -> Vec<String> {
        c.iter().map(|(id, _)| id.clone()).collect()
    };
    let with_first: Vec<Vec<String>> = clusters
        .iter()
        .map(ids)
        .filter(|c| c.iter().any(|id| id.starts_with("first")))
        .collect();
    assert_eq!(
        with_first,
        vec![vec!["first-1".to_string(), "first-2".to_string()]],
        "{clusters:?}"
    );
    assert!(
        clusters
            .iter()
            .map(ids)
            .any(|c| c == ["merged", "second-1", "second-2"]),
        "{clusters:?}"
    );
}

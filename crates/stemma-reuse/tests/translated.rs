//! The cross-lingual path of `find_reuse_across`, with a stand-in encoder: a translated
//! witness joins the cluster of its original's monolingual copies, with exact spans, and a
//! path that finds nothing leaves the result exactly `find_reuse`'s.

use stemma_align::PassageKind;
use stemma_reuse::{
    find_reuse, find_reuse_across, CrossLingual, CrossLingualOptions, NoProgress, Reuse,
    ReuseOptions, SentenceEncoder,
};
use stemma_text::{Analysis, Document};
use stemma_xling::{SentenceVectors, DIM};

/// A notice and its Russian translation, sentence by sentence.
const NOTICE: [(&str, &str); 5] = [
    (
        "The town council will close the old bridge over the river for repairs next week.",
        "Городской совет на следующей неделе закроет старый мост через реку на ремонт.",
    ),
    (
        "Drivers should use the northern road while the engineers replace the rotten beams.",
        "Водителям следует ехать по северной дороге, пока инженеры меняют гнилые балки.",
    ),
    (
        "The work is expected to last three weeks if the weather stays dry and calm.",
        "Ожидается, что работы продлятся три недели, если погода останется сухой и тихой.",
    ),
    (
        "Pedestrians may still cross on the wooden footpath along the eastern side of it.",
        "Пешеходы по-прежнему смогут переходить по деревянной дорожке вдоль восточной стороны.",
    ),
    (
        "Questions about the closure can be sent to the council office in the market square.",
        "Вопросы о закрытии можно направлять в канцелярию совета на рыночной площади.",
    ),
];

/// The stand-in model: a sentence of the notice and its translation share one vector; any
/// other sentence gets a vector of its own (from a hash of its text).
struct Dictionary;

fn unit(seed: u64) -> Vec<f32> {
    let mut state = seed;
    let mut v: Vec<f32> = (0..DIM)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        })
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

impl SentenceEncoder for Dictionary {
    fn name(&self) -> &str {
        "dictionary"
    }

    fn sentence_vectors(
        &self,
        text: &str,
        analysis: &Analysis,
        _: Option<&str>,
    ) -> SentenceVectors {
        let spans = stemma_xling::sentence_spans(text, analysis);
        let vectors = spans
            .iter()
            .flat_map(|s| {
                let sentence = &text[s.start..s.end];
                let known = NOTICE
                    .iter()
                    .position(|(en, ru)| *en == sentence || *ru == sentence);
                match known {
                    Some(k) => unit(k as u64 + 1),
                    None => unit(xxhash(sentence)),
                }
            })
            .collect();
        let words = spans
            .iter()
            .map(|s| text[s.start..s.end].split_whitespace().count() as u32)
            .collect();
        SentenceVectors {
            spans,
            words,
            vectors,
        }
    }
}

fn xxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

fn english() -> String {
    NOTICE.map(|(en, _)| en).join(" ")
}

fn russian() -> String {
    NOTICE.map(|(_, ru)| ru).join(" ")
}

fn corpus() -> Vec<Document> {
    let mut docs = vec![
        Document::new(
            "en-gazette",
            format!("Wool prices held steady at the Thursday market. {} The mayor will speak on Friday evening.", english()),
        ),
        Document::new(
            "en-courier",
            format!("{} In other news, the harvest festival drew large crowds.", english()),
        ),
        Document::new(
            "ru-vestnik",
            format!("Цены на шерсть на рынке не изменились. {} Мэр выступит в пятницу вечером.", russian()),
        ),
        Document::new(
            "en-notes",
            "Tomatoes want sun and beans want water; the garden club meets on Mondays in the hall.",
        ),
    ];
    docs[2].date = Some("1850-01-01".into());
    docs[0].date = Some("1850-01-05".into());
    docs
}

fn across(docs: &[Document]) -> Reuse {
    let options = CrossLingualOptions::default();
    let cross = CrossLingual {
        encoder: &Dictionary,
        options: &options,
    };
    find_reuse_across(docs, &ReuseOptions::default(), Some(cross), &NoProgress).unwrap()
}

#[test]
fn a_translated_witness_joins_the_cluster_of_its_original() {
    let docs = corpus();
    let monolingual = find_reuse(&docs, &ReuseOptions::default(), &NoProgress).unwrap();
    assert_eq!(monolingual.clusters.len(), 1);
    assert_eq!(
        monolingual.clusters[0].members.len(),
        2,
        "the two English copies"
    );

    let reuse = across(&docs);
    assert_eq!(reuse.clusters.len(), 1);
    let cluster = &reuse.clusters[0];
    let ids: Vec<&str> = cluster
        .members
        .iter()
        .map(|m| docs[m.doc as usize].id.as_str())
        .collect();
    // The Russian notice is dated first: the earliest witness.
    assert_eq!(ids, ["ru-vestnik", "en-gazette", "en-courier"]);
    assert_eq!(cluster.earliest, Some(0));
    // Exact spans: the whole translated notice, from its first word to its last full stop.
    let ru = &cluster.members[0];
    assert_eq!(&docs[2].text[ru.span.start..ru.span.end], russian());
    let translated: Vec<_> = reuse
        .pairs
        .iter()
        .filter(|p| p.passage.kind == PassageKind::Translated)
        .collect();
    assert_eq!(translated.len(), 2, "ru with each English copy");
    for p in &translated {
        assert_eq!((p.a.min(p.b), p.a.max(p.b)), (p.a, p.b));
        assert_eq!(p.passage.sentence_pairs.len(), 5);
        assert!(cluster
            .alignments
            .contains(&(reuse.pairs.iter().position(|q| q == *p).unwrap() as u32)));
    }
    let report = reuse.cross_lingual.as_ref().unwrap();
    assert_eq!(report.status, "searched");
    assert_eq!((report.passages, report.clusters), (2, 1));
    assert_eq!(report.languages.get("rus"), Some(&1));
    assert_eq!(report.langs[2].as_deref(), Some("rus"));
    // The monolingual pair is still there, unchanged.
    assert!(reuse.pairs.contains(&monolingual.pairs[0]));
}

#[test]
fn a_path_that_finds_nothing_changes_nothing() {
    // The Russian document says something else: no translated passage.
    let mut docs = corpus();
    docs[2].text = "Вчера в городе прошёл сильный дождь, и многие улицы были затоплены водой. \
        Спасатели работали всю ночь, помогая жителям нижних кварталов покинуть свои дома."
        .into();
    let monolingual = find_reuse(&docs, &ReuseOptions::default(), &NoProgress).unwrap();
    let reuse = across(&docs);
    assert_eq!(reuse.clusters, monolingual.clusters);
    assert_eq!(reuse.pairs, monolingual.pairs);
    assert_eq!(reuse.stats, monolingual.stats);
    let report = reuse.cross_lingual.unwrap();
    assert_eq!(
        (report.status, report.passages, report.clusters),
        ("searched", 0, 0)
    );
}

#[test]
fn one_language_embeds_nothing() {
    let docs: Vec<Document> = corpus()
        .into_iter()
        .filter(|d| d.id.starts_with("en"))
        .collect();
    let reuse = across(&docs);
    let report = reuse.cross_lingual.unwrap();
    assert_eq!((report.status, report.sentences), ("one_language", 0));
    assert_eq!(
        reuse.clusters,
        find_reuse(&docs, &ReuseOptions::default(), &NoProgress)
            .unwrap()
            .clusters
    );
}

#[test]
fn the_same_clusters_whatever_the_thread_count() {
    let docs = corpus();
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| across(&docs))
    };
    let (one, three) = (run(1), run(3));
    assert_eq!(one.clusters, three.clusters);
    assert_eq!(one.pairs, three.pairs);
}

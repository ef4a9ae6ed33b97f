//! The cross-lingual side of `stemma trace` and of `stemma index add | embed`: the model's
//! sentence embeddings stored with each document, a third candidate channel over them, and
//! translated passages aligned on the stored vectors.
//!
//! Off (and the trace exactly the monolingual one) when `--cross-lingual never`, when the
//! index holds no embeddings and no model is installed, or when the model is missing.

use anyhow::Result;
use clap::Args;
use rayon::prelude::*;
use stemma_align::CompareOptions;
use stemma_index::{Candidate, CandidateOptions, CrossLingualOptions, Index, SentenceEmbeddings};
use stemma_report::trace::{CandidateLanguage, TraceCrossLingual};
use stemma_text::{Analysis, Document};
use stemma_trace::{IndexedTrace, SourcePassages, Trace};
use stemma_xling::{Model, SentenceVectors, TranslateOptions, MODEL_NAME};

use super::model::{load_for_comparison, ModelDirArg};

/// The cross-lingual options of `stemma trace`.
#[derive(Debug, Clone, Args)]
pub struct CrossLingualArgs {
    /// Look for sources in other languages: auto (when the index holds sentence embeddings
    /// and the model is installed) or never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "never"])]
    pub cross_lingual: String,
    /// Candidate sources the cross-lingual channel adds (documents in another language
    /// holding sentences whose embeddings lie close to the target's); 0 turns it off.
    #[arg(long, value_name = "N", default_value_t = CrossLingualOptions::default().limit)]
    pub xling_candidates: usize,
    #[command(flatten)]
    pub model: ModelDirArg,
}

/// The language a document's embeddings are made for: guessed from its text (whatlang,
/// ISO 639-3), else the language it was given with.
pub fn language_of(doc: &Document) -> Option<String> {
    stemma_text::guess_language(&doc.text)
        .map(str::to_string)
        .or_else(|| doc.lang.clone())
}

/// Sentence embeddings of a document for the index, from the model.
pub fn embed(model: &Model, doc: &Document, analysis: &Analysis) -> SentenceEmbeddings {
    let lang = language_of(doc);
    let vectors = model.sentence_vectors(&doc.text, analysis, lang.as_deref());
    SentenceEmbeddings {
        lang,
        dim: stemma_xling::DIM,
        vectors: vectors.vectors,
    }
}

/// A trace's cross-lingual side, from the target's embedding to the report.
pub struct CrossTrace {
    /// What is reported.
    pub report: TraceCrossLingual,
    searched: Option<Searched>,
}

struct Searched {
    analysis: Analysis,
    target: SentenceVectors,
    /// Ids the cross-lingual channel added (not found by the other channels).
    added: Vec<String>,
}

impl CrossTrace {
    /// Decide whether the trace looks across languages; embed the target when it does.
    /// `None`: nothing to say (off, or neither embeddings nor a model).
    pub fn start(
        args: &CrossLingualArgs,
        index: &Index,
        target: &Document,
    ) -> Result<Option<CrossTrace>> {
        if args.cross_lingual == "never" || args.xling_candidates == 0 {
            return Ok(None);
        }
        let target_lang = language_of(target);
        let report = |status, notes| TraceCrossLingual {
            status,
            model: None,
            target_lang: target_lang.clone(),
            candidates: 0,
            languages: Vec::new(),
            notes,
        };
        let (model_dir, _) = args.model.resolve();
        let embedded = index.embedded()?;
        if embedded == 0 {
            // Without a model there is nothing to add: the monolingual trace, as before.
            if !super::model::installed(&model_dir) {
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
            return Ok(Some(CrossTrace {
                report: report("index_not_embedded", vec![note]),
                searched: None,
            }));
        }
        let Some(model) = load_for_comparison(&args.model)? else {
            let note = format!(
                "{} documents of the index have sentence embeddings, but the cross-lingual model is not installed: install it with `stemma model install` (into {}) to search sources in other languages",
                embedded,
                model_dir.display()
            );
            return Ok(Some(CrossTrace {
                report: report("model_missing", vec![note]),
                searched: None,
            }));
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
        Ok(Some(CrossTrace {
            report: TraceCrossLingual {
                status: "searched",
                model: Some(MODEL_NAME),
                ..report("searched", notes)
            },
            searched: Some(Searched {
                analysis,
                target: vectors,
                added: Vec::new(),
            }),
        }))
    }

    /// [`stemma_trace::trace_in_index`] with the cross-lingual channel: the target is left
    /// out of its own candidates the same way, the fingerprint and BM25 channels' candidates
    /// come first, the cross-lingual channel's follow, and [`CrossTrace::trace`] aligns and
    /// attributes them. Without a search (a note only), exactly the shared pipeline.
    pub fn trace_in_index(
        &mut self,
        args: &CrossLingualArgs,
        index: &Index,
        target: &Document,
        indexed: bool,
        mut candidates: CandidateOptions,
        options: &CompareOptions,
    ) -> Result<(Vec<Document>, Trace)> {
        if self.searched.is_none() {
            let IndexedTrace { sources, trace } =
                stemma_trace::trace_in_index(index, target, indexed, candidates, options)?;
            return Ok((sources, trace));
        }
        let itself = indexed
            || index
                .get(&target.id)?
                .is_some_and(|d| d.text == target.text);
        if itself && !candidates.exclude.contains(&target.id) {
            candidates.exclude.push(target.id.clone());
        }
        let analysis = match &self.searched {
            Some(s) => s.analysis.clone(),
            None => stemma_text::analyze(&target.text),
        };
        let mut found = index.retrieve(&target.text, &analysis, &candidates)?;
        self.add_candidates(args, index, &candidates.exclude, &mut found)?;
        let sources = index.documents(&found)?;
        self.trace(index, target, &analysis, &found, sources, options)
    }

    /// Add the cross-lingual channel's candidates that the other channels did not find, at
    /// most `--xling-candidates`, after them.
    fn add_candidates(
        &mut self,
        args: &CrossLingualArgs,
        index: &Index,
        exclude: &[String],
        candidates: &mut Vec<Candidate>,
    ) -> Result<()> {
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
                limit: args.xling_candidates,
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
    /// `stemma_trace::trace` finds them (not for candidates only the cross-lingual channel
    /// proposed), plus translated passages for candidates in another language with stored
    /// embeddings. A candidate only the cross-lingual channel proposed that shares no
    /// translated passage is dropped (it is listed under `languages` only), so a search that
    /// finds nothing leaves the trace as the monolingual one. Returns the candidates kept and
    /// the trace; without a search, exactly `stemma_trace::trace`.
    fn trace(
        &mut self,
        index: &Index,
        target: &Document,
        analysis: &Analysis,
        candidates: &[Candidate],
        sources: Vec<Document>,
        options: &CompareOptions,
    ) -> Result<(Vec<Document>, Trace)> {
        let Some(searched) = &self.searched else {
            let trace = stemma_trace::trace(target, analysis, &sources, options);
            return Ok((sources, trace));
        };
        let embeddings = index.embeddings(candidates)?;
        let target_lang = self.report.target_lang.as_deref();
        let aligned: Vec<(Vec<stemma_align::Passage>, CandidateLanguage)> = sources
            .par_iter()
            .zip(&embeddings)
            .map(|(source, stored)| {
                let source_analysis = stemma_text::analyze(&source.text);
                let cross_only = searched.added.contains(&source.id);
                let mut passages = if cross_only {
                    Vec::new()
                } else {
                    stemma_align::align(&source_analysis, analysis, options)
                };
                let lang = match stored {
                    Some(e) => e.lang.clone(),
                    None => language_of(source),
                };
                let mut translated = 0;
                let other_language =
                    lang.is_none() || target_lang.is_none() || lang.as_deref() != target_lang;
                if let (Some(stored), true) = (stored, other_language) {
                    let vectors = SentenceVectors::from_rows(
                        &source.text,
                        &source_analysis,
                        stored.vectors.clone(),
                    );
                    if let Some(vectors) = vectors {
                        let found = stemma_xling::find_translated(
                            &vectors,
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
        let trace = stemma_trace::attribute(target, analysis, &with_passages);
        Ok((kept_sources, trace))
    }
}

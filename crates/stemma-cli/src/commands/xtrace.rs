//! The cross-lingual options of `stemma trace` and the embeddings `stemma index add | embed`
//! store with each document. The channel itself is stemma-trace's
//! ([`stemma_trace::trace_in_index_with`]), shared with the API and Python.
//!
//! Off (and the trace exactly the monolingual one) when `--cross-lingual never`, when the
//! index holds no embeddings and no model is installed, or when the model is missing.

use clap::Args;
use stemma_index::{CrossLingualOptions, SentenceEmbeddings};
use stemma_text::{Analysis, Document};
use stemma_xling::{Model, ModelFolder};

use super::model::ModelDirArg;

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

impl CrossLingualArgs {
    /// The channel as [`stemma_trace::trace_in_index_with`] takes it: `None` when off.
    pub fn channel<'m>(&self, folder: &'m ModelFolder) -> Option<stemma_trace::CrossLingual<'m>> {
        (self.cross_lingual != "never" && self.xling_candidates > 0).then_some(
            stemma_trace::CrossLingual {
                model: folder,
                limit: self.xling_candidates,
            },
        )
    }
}

/// Sentence embeddings of a document for the index, from the model.
pub fn embed(model: &Model, doc: &Document, analysis: &Analysis) -> SentenceEmbeddings {
    let lang = stemma_xling::language_of(doc);
    let vectors = model.sentence_vectors(&doc.text, analysis, lang.as_deref());
    SentenceEmbeddings {
        lang,
        dim: stemma_xling::DIM,
        vectors: vectors.vectors,
    }
}

//! Tracing a target against an index: the one pipeline that `stemma trace`, the trace API and
//! the Python package share (candidates from the fingerprint, BM25 and cross-lingual
//! channels, their stored documents, the attribution). It uses the index's API only, never
//! its storage.

use stemma_align::CompareOptions;
use stemma_index::{CandidateOptions, Index, IndexError};
use stemma_text::Document;

use crate::closer;
use crate::cross::{Channel, CrossLingual, CrossLingualReport};
use crate::{Trace, TraceError};

/// A target traced against an index: the candidate documents aligned (the report lists them)
/// and the attribution.
#[derive(Debug)]
pub struct IndexedTrace {
    /// The candidates of both channels, in [`Index::retrieve`]'s order.
    pub sources: Vec<Document>,
    /// The attribution of the target among them.
    pub trace: Trace,
    /// What the cross-lingual channel did (`None`: it was off, or had nothing to say).
    pub cross_lingual: Option<CrossLingualReport>,
}

/// Trace `target` against the documents of `index`: candidates from both channels
/// ([`Index::retrieve`] with `candidates`), their stored text, then [`crate::trace`].
///
/// The target is never its own source: its id is excluded when `indexed` says it is a
/// document of the index (traced by id), or when the index holds the same text under its id
/// (a file indexed earlier and traced again).
///
/// ```
/// use stemma_align::CompareOptions;
/// use stemma_index::{CandidateOptions, Index};
/// use stemma_text::Document;
/// let dir = tempfile::tempdir().unwrap();
/// let index = Index::create(dir.path()).unwrap();
/// let gpl = "The licenses for most software are designed to take away your freedom to \
///     share and change it. By contrast, the GNU General Public License is intended to \
///     guarantee your freedom to share and change free software.";
/// let mut writer = index.writer().unwrap();
/// writer.add(&Document::new("gpl", gpl)).unwrap();
/// writer.commit().unwrap();
/// let draft = Document::new("draft", &format!("Our plan, in short. {gpl} Our own end."));
/// let found = stemma_trace::trace_in_index(&index, &draft, false,
///     CandidateOptions::default(), &CompareOptions::default()).unwrap();
/// assert_eq!(found.trace.sources[0].id, "gpl");
/// // Traced as itself, an indexed document is not its own source.
/// let itself = Document::new("gpl", gpl);
/// let found = stemma_trace::trace_in_index(&index, &itself, false,
///     CandidateOptions::default(), &CompareOptions::default()).unwrap();
/// assert!(found.trace.sources.is_empty());
/// ```
pub fn trace_in_index(
    index: &Index,
    target: &Document,
    indexed: bool,
    candidates: CandidateOptions,
    options: &CompareOptions,
) -> Result<IndexedTrace, IndexError> {
    pipeline(index, target, indexed, candidates, options, None)
}

/// [`trace_in_index`] with the cross-lingual channel when `cross` is given: the target
/// embedded by the model, sources in other languages proposed from the sentence embeddings
/// stored with each document (after the other channels' candidates), and translated
/// passages aligned on the stored vectors. This is the trace `stemma trace`, the API and
/// Python's `Index.trace` run; the `cross_lingual` report says what the channel did.
///
/// Without a model installed and without embeddings in the index, and when the channel
/// finds nothing, the result is [`trace_in_index`]'s.
///
/// ```
/// use stemma_align::CompareOptions;
/// use stemma_index::{CandidateOptions, Index};
/// use stemma_text::Document;
/// use stemma_trace::CrossLingual;
/// let dir = tempfile::tempdir().unwrap();
/// let index = Index::create(dir.path()).unwrap();
/// let text = "The licenses for most software are designed to take away your freedom.";
/// let mut writer = index.writer().unwrap();
/// writer.add(&Document::new("gpl", text)).unwrap();
/// writer.commit().unwrap();
/// // No model in this folder and no embeddings in the index: the monolingual trace.
/// let folder = stemma_xling::ModelFolder::new(None);
/// let draft = Document::new("draft", &format!("Our plan. {text}"));
/// let found = stemma_trace::trace_in_index_with(&index, &draft, false,
///     CandidateOptions::default(), &CompareOptions::default(),
///     Some(&CrossLingual::new(&folder))).unwrap();
/// assert_eq!(found.trace.sources[0].id, "gpl");
/// ```
pub fn trace_in_index_with(
    index: &Index,
    target: &Document,
    indexed: bool,
    candidates: CandidateOptions,
    options: &CompareOptions,
    cross: Option<&CrossLingual>,
) -> Result<IndexedTrace, TraceError> {
    let channel = match cross {
        Some(cross) => Channel::start(cross, index, target)?,
        None => None,
    };
    Ok(pipeline(
        index, target, indexed, candidates, options, channel,
    )?)
}

/// The pipeline; the channel, when given, was started (the model's part done).
fn pipeline(
    index: &Index,
    target: &Document,
    indexed: bool,
    mut candidates: CandidateOptions,
    options: &CompareOptions,
    mut channel: Option<Channel>,
) -> Result<IndexedTrace, IndexError> {
    let itself = indexed
        || index
            .get(&target.id)?
            .is_some_and(|d| d.text == target.text);
    if itself && !candidates.exclude.contains(&target.id) {
        candidates.exclude.push(target.id.clone());
    }
    let searching = channel.as_ref().filter(|c| c.searched());
    let analysis = match searching.and_then(Channel::analysis) {
        Some(analysis) => analysis.clone(),
        None => stemma_text::analyze(&target.text),
    };
    let retrieved =
        index.retrieve_with_reserve(&target.text, &analysis, &candidates, closer::RESERVE)?;
    let mut found = retrieved.candidates;
    let mut sources = index.documents(&found)?;
    // The closest text must be a candidate: the cut may have dropped it among siblings.
    let mut target_bag: Vec<u64> = analysis.tokens.iter().map(|t| t.norm).collect();
    target_bag.sort_unstable();
    for (candidate, document) in
        closer::closer_in_reserve(index, &target_bag, &sources, retrieved.reserve)?
    {
        found.push(candidate);
        sources.push(document);
    }
    match &mut channel {
        Some(channel) if channel.searched() => {
            channel.add_candidates(index, &candidates.exclude, &mut found)?;
            let added = index.documents(&found[sources.len()..])?;
            sources.extend(added);
            let (sources, trace) = channel.trace(index, target, &found, sources, options)?;
            Ok(IndexedTrace {
                sources,
                trace,
                cross_lingual: Some(channel.report.clone()),
            })
        }
        _ => {
            let trace = crate::trace(target, &analysis, &sources, options);
            Ok(IndexedTrace {
                sources,
                trace,
                cross_lingual: channel.map(|c| c.report),
            })
        }
    }
}

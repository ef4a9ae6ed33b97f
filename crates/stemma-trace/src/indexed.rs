//! Tracing a target against an index: the one pipeline that `stemma trace`, the trace API and
//! the Python package share (candidates from both channels, their stored documents, the
//! attribution). It uses the index's API only, never its storage.

use stemma_align::CompareOptions;
use stemma_index::{CandidateOptions, Index, IndexError};
use stemma_text::Document;

use crate::Trace;

/// A target traced against an index: the candidate documents aligned (the report lists them)
/// and the attribution.
#[derive(Debug)]
pub struct IndexedTrace {
    /// The candidates of both channels, in [`Index::retrieve`]'s order.
    pub sources: Vec<Document>,
    /// The attribution of the target among them.
    pub trace: Trace,
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
    mut candidates: CandidateOptions,
    options: &CompareOptions,
) -> Result<IndexedTrace, IndexError> {
    let itself = indexed
        || index
            .get(&target.id)?
            .is_some_and(|d| d.text == target.text);
    if itself && !candidates.exclude.contains(&target.id) {
        candidates.exclude.push(target.id.clone());
    }
    let analysis = stemma_text::analyze(&target.text);
    let found = index.retrieve(&target.text, &analysis, &candidates)?;
    let sources = index.documents(&found)?;
    let trace = crate::trace(target, &analysis, &sources, options);
    Ok(IndexedTrace { sources, trace })
}

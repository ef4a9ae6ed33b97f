//! `POST /api/compare`, `POST /api/diff`, `POST|GET /api/trace`: the CLI's commands over
//! HTTP, answered with the CLI's JSON schemas or HTML reports.
//!
//! Handlers only move data between HTTP and the library crates; the work itself runs in
//! `spawn_blocking` (see [`blocking`]), because alignment is CPU-bound and would otherwise
//! stall the runtime's few worker threads for every other client.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use serde::Deserialize;
use stemma_align::CompareOptions;
use stemma_diff::{DiffOptions, Granularity};
use stemma_index::CandidateOptions;

use crate::error::{ApiError, ApiResult};
use crate::report::{respond, Output};
use crate::request::{blocking, parse_json, query, read_body, Body, DocIn, RawDoc};
use crate::AppState;

// ---------------------------------------------------------------------------------------
// compare

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompareIn {
    a: DocIn,
    b: DocIn,
    min_words: Option<usize>,
    min_identity: Option<f64>,
    /// Report alignments lying inside a better passage as passages of their own.
    #[serde(default)]
    all_alignments: bool,
}

/// `POST /api/compare`: schema "stemma.compare/1", or the compare report.
pub(crate) async fn compare(
    State(state): State<Arc<AppState>>,
    output: Result<Query<Output>, QueryRejection>,
    request: Request,
) -> ApiResult {
    let output = query(output)?;
    output.html()?;
    let (a, b, min_words, min_identity, all_alignments) = match read_body(&state, request).await? {
        Body::Json(bytes) => {
            let r: CompareIn = parse_json(&bytes)?;
            (
                RawDoc::Json(r.a),
                RawDoc::Json(r.b),
                r.min_words,
                r.min_identity,
                r.all_alignments,
            )
        }
        Body::Form(form) => (
            form.doc("a")
                .ok_or_else(|| ApiError::bad("give document a"))?,
            form.doc("b")
                .ok_or_else(|| ApiError::bad("give document b"))?,
            form.number("min_words")?,
            form.number("min_identity")?,
            form.flag("all_alignments"),
        ),
    };
    let mut options = CompareOptions {
        all_alignments,
        ..CompareOptions::default()
    };
    if let Some(w) = min_words {
        options.min_words = w.max(1);
    }
    if let Some(i) = min_identity {
        if !(0.0..=1.0).contains(&i) {
            return Err(ApiError::bad("min_identity must be between 0 and 1"));
        }
        options.min_identity = i;
    }
    blocking(&state.clone(), move || {
        let a = a.resolve(&state, "a")?;
        let b = b.resolve(&state, "b")?;
        let (aa, ba) = (stemma_text::analyze(&a.text), stemma_text::analyze(&b.text));
        let passages = stemma_align::align(&aa, &ba, &options);
        let view = stemma_report::compare::CompareView {
            a: &a,
            b: &b,
            a_words: aa.tokens.len(),
            b_words: ba.tokens.len(),
            passages: &passages,
            options: &options,
            cross_lingual: None,
        };
        respond(
            &state,
            &output,
            "compare",
            || stemma_report::compare::to_json(&view),
            || stemma_report::compare::to_html(&view),
            Some(crate::report::VIEWER_SCRIPT),
        )
    })
    .await
}

// ---------------------------------------------------------------------------------------
// diff

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffIn {
    a: DocIn,
    b: DocIn,
    granularity: Option<String>,
    #[serde(default)]
    ignore_case: bool,
    #[serde(default)]
    ignore_punctuation: bool,
    #[serde(default)]
    ignore_numbering: bool,
}

/// `POST /api/diff`: schema "stemma.diff/1", or the diff report.
pub(crate) async fn diff(
    State(state): State<Arc<AppState>>,
    output: Result<Query<Output>, QueryRejection>,
    request: Request,
) -> ApiResult {
    let output = query(output)?;
    output.html()?;
    let (a, b, granularity, case, punct, numbering) = match read_body(&state, request).await? {
        Body::Json(bytes) => {
            let r: DiffIn = parse_json(&bytes)?;
            (
                RawDoc::Json(r.a),
                RawDoc::Json(r.b),
                r.granularity,
                r.ignore_case,
                r.ignore_punctuation,
                r.ignore_numbering,
            )
        }
        Body::Form(form) => (
            form.doc("a")
                .ok_or_else(|| ApiError::bad("give the old version a"))?,
            form.doc("b")
                .ok_or_else(|| ApiError::bad("give the new version b"))?,
            form.text("granularity"),
            form.flag("ignore_case"),
            form.flag("ignore_punctuation"),
            form.flag("ignore_numbering"),
        ),
    };
    let granularity: Granularity = granularity
        .as_deref()
        .unwrap_or("clause")
        .parse()
        .map_err(ApiError::bad)?;
    let options = DiffOptions {
        granularity,
        ignore_case: case,
        ignore_punctuation: punct,
        ignore_numbering: numbering,
        deadline: Duration::from_secs(3),
        ..DiffOptions::default()
    };
    blocking(&state.clone(), move || {
        let a = a.resolve(&state, "old")?;
        let b = b.resolve(&state, "new")?;
        let diff = stemma_diff::diff(&a.text, &b.text, &options);
        let view = stemma_report::diff::DiffView {
            a: &a,
            b: &b,
            diff: &diff,
            options: &options,
        };
        respond(
            &state,
            &output,
            "diff",
            || stemma_report::diff::to_json(&view),
            || stemma_report::diff::to_html(&view),
            None,
        )
    })
    .await
}

// ---------------------------------------------------------------------------------------
// trace

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TraceIn {
    doc: DocIn,
    top: Option<usize>,
    cross_lingual: Option<String>,
    xling_candidates: Option<usize>,
}

/// The cross-lingual channel's options of a trace request, as `stemma trace` takes them.
#[derive(Debug, Default)]
struct CrossIn {
    /// `auto` (default) or `never`.
    cross_lingual: Option<String>,
    /// Candidates the channel adds at most (`--xling-candidates`); 0 turns it off.
    xling_candidates: Option<usize>,
}

impl CrossIn {
    /// The channel's candidate limit: 0 when off.
    fn limit(&self, max_top: usize) -> Result<usize, ApiError> {
        match self.cross_lingual.as_deref() {
            None | Some("auto") => {}
            Some("never") => return Ok(0),
            Some(other) => {
                return Err(ApiError::bad(format!(
                    "cross_lingual must be auto or never, not {other:?}"
                )))
            }
        }
        let limit = self
            .xling_candidates
            .unwrap_or(stemma_index::CrossLingualOptions::default().limit);
        if limit > max_top {
            return Err(ApiError::bad(format!(
                "xling_candidates must be at most {max_top}"
            )));
        }
        Ok(limit)
    }
}

/// `POST /api/trace`: schema "stemma.trace/1", or the trace report.
pub(crate) async fn trace(
    State(state): State<Arc<AppState>>,
    output: Result<Query<Output>, QueryRejection>,
    request: Request,
) -> ApiResult {
    let output = query(output)?;
    output.html()?;
    let (doc, top, cross) = match read_body(&state, request).await? {
        Body::Json(bytes) => {
            let r: TraceIn = parse_json(&bytes)?;
            let cross = CrossIn {
                cross_lingual: r.cross_lingual,
                xling_candidates: r.xling_candidates,
            };
            (RawDoc::Json(r.doc), r.top, cross)
        }
        Body::Form(form) => (
            form.doc("doc")
                .ok_or_else(|| ApiError::bad("give a document to trace"))?,
            form.number("top")?,
            CrossIn::default(),
        ),
    };
    run_trace(state, output, doc, top, cross).await
}

/// `GET /api/trace?id=…`: trace an indexed document against the rest of the index (where
/// its text is reused).
#[derive(Debug, Deserialize)]
pub(crate) struct TraceQuery {
    id: Option<String>,
    top: Option<usize>,
    cross_lingual: Option<String>,
    xling_candidates: Option<usize>,
    #[serde(flatten)]
    output: Output,
}

/// `GET /api/trace?id=ID`.
pub(crate) async fn trace_by_id(
    State(state): State<Arc<AppState>>,
    q: Result<Query<TraceQuery>, QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    q.output.html()?;
    let id =
        q.id.filter(|id| !id.trim().is_empty())
            .ok_or_else(|| ApiError::bad("give the id of an indexed document: ?id=ID"))?;
    let doc = RawDoc::Json(DocIn {
        id: Some(id),
        ..DocIn::default()
    });
    let cross = CrossIn {
        cross_lingual: q.cross_lingual,
        xling_candidates: q.xling_candidates,
    };
    run_trace(state, q.output, doc, q.top, cross).await
}

async fn run_trace(
    state: Arc<AppState>,
    output: Output,
    doc: RawDoc,
    top: Option<usize>,
    cross: CrossIn,
) -> ApiResult {
    let top = top.unwrap_or(CandidateOptions::default().limit);
    if top == 0 || top > state.config.max_top {
        return Err(ApiError::bad(format!(
            "top must be between 1 and {}",
            state.config.max_top
        )));
    }
    let xling_limit = cross.limit(state.config.max_top)?;
    let by_id = matches!(&doc, RawDoc::Json(d) if d.text.is_none());
    blocking(&state.clone(), move || {
        let target = doc.resolve(&state, "draft")?;
        let index = state.index();
        let options = CompareOptions::default();
        // `top` bounds the fingerprint channel; BM25 adds half as many again, as in the CLI.
        // The target itself is never its own source: by id, or when the same text is
        // indexed under the same id (as the CLI does).
        // The cross-lingual channel as the CLI runs it, with the model the server loaded.
        let cross = state
            .config
            .cross_lingual
            .as_ref()
            .map(|model| stemma_trace::CrossLingual {
                model,
                limit: xling_limit,
            });
        let stemma_trace::IndexedTrace {
            sources,
            trace,
            cross_lingual,
        } = stemma_trace::trace_in_index_with(
            index,
            &target,
            by_id,
            CandidateOptions {
                limit: top,
                bm25_limit: top.div_ceil(2),
                ..CandidateOptions::default()
            },
            &options,
            cross.as_ref(),
        )
        .map_err(ApiError::internal)?;
        let view = stemma_report::trace::TraceView {
            target: &target,
            candidates: &sources,
            trace: &trace,
            options: &options,
            considered: sources.len(),
        };
        respond(
            &state,
            &output,
            "trace",
            || stemma_report::trace::to_json_with(&view, cross_lingual.as_ref()),
            || stemma_report::trace::to_html(&view),
            None,
        )
    })
    .await
}

//! The JSON API: request parsing (JSON or multipart), document resolution, and responses
//! rendered by `stemma-report` with the CLI's schemas.
//!
//! Handlers only move data between HTTP and the library crates; the work itself runs in
//! `spawn_blocking`, because alignment is CPU-bound and would otherwise stall the runtime's
//! few worker threads for every other client.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::header::{HeaderValue, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use stemma_align::CompareOptions;
use stemma_diff::{DiffOptions, Granularity};
use stemma_index::{AddOutcome, CandidateOptions};
use stemma_ingest::{Format, Input, Limits};
use stemma_text::Document;

use crate::AppState;

/// The `"schema"` of error bodies.
pub const ERROR_SCHEMA: &str = "stemma.error/1";

/// An error answered as `{"schema": "stemma.error/1", "error": "…"}` with its status.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn internal(error: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "schema": ERROR_SCHEMA, "error": self.message });
        (
            self.status,
            [(CONTENT_TYPE, "application/json")],
            pretty(&body),
        )
            .into_response()
    }
}

fn pretty(value: &impl Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("serializes");
    s.push('\n');
    s
}

type ApiResult = Result<Response, ApiError>;

/// `?format=json|html&download=1`: how a result is answered.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Output {
    format: Option<String>,
    download: Option<String>,
}

impl Output {
    fn html(&self) -> Result<bool, ApiError> {
        match self.format.as_deref() {
            None | Some("json") => Ok(false),
            Some("html") => Ok(true),
            Some(other) => Err(ApiError::bad(format!(
                "format must be json or html, not {other:?}"
            ))),
        }
    }

    fn download(&self) -> bool {
        matches!(self.download.as_deref(), Some("1" | "true" | "yes"))
    }
}

/// A rendered result: JSON, or the CLI's HTML report. `viewer_script` is added only to
/// reports shown inside the UI (synchronized scrolling); downloads are byte for byte what
/// the CLI writes.
fn respond(
    state: &AppState,
    output: &Output,
    name: &str,
    json: impl FnOnce() -> String,
    html: impl FnOnce() -> String,
    viewer_script: Option<&str>,
) -> ApiResult {
    let download = output.download();
    let mut response = if output.html()? {
        let mut page = html();
        if let (Some(script), false) = (viewer_script, download) {
            if let Some(at) = page.rfind("</body>") {
                page.insert_str(at, &format!("<script>{script}</script>\n"));
            }
        }
        let mut r = ([(CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response();
        r.headers_mut().insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&state.report_csp).map_err(ApiError::internal)?,
        );
        r
    } else {
        ([(CONTENT_TYPE, "application/json")], json()).into_response()
    };
    if download {
        let ext = if output.html()? { "html" } else { "json" };
        let value = format!("attachment; filename=\"stemma-{name}.{ext}\"");
        response.headers_mut().insert(
            CONTENT_DISPOSITION,
            HeaderValue::from_str(&value).map_err(ApiError::internal)?,
        );
    }
    Ok(response)
}

/// A document in a request: inline text, or the id of an indexed document. There is no way
/// to name a file: unknown fields (such as `"path"`) are refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DocIn {
    text: Option<String>,
    title: Option<String>,
    id: Option<String>,
    source: Option<String>,
    date: Option<String>,
}

/// A document before resolution.
#[derive(Debug)]
enum RawDoc {
    Json(DocIn),
    /// An uploaded file: its name (only to name the document) and its bytes.
    Upload {
        name: String,
        bytes: Bytes,
    },
}

impl RawDoc {
    /// The document itself: inline text as given, an upload read by its content, or the
    /// indexed document with that id.
    fn resolve(self, state: &AppState, default_id: &str) -> Result<Document, ApiError> {
        match self {
            RawDoc::Json(d) => match (d.text, d.id) {
                (Some(text), id) => {
                    let id = id
                        .or_else(|| d.title.clone())
                        .filter(|s| !s.trim().is_empty())
                        .unwrap_or_else(|| default_id.to_string());
                    let mut doc = Document::new(id, text);
                    doc.title = d.title.filter(|s| !s.trim().is_empty());
                    doc.source = d.source;
                    doc.date = d.date;
                    Ok(doc)
                }
                (None, Some(id)) => state
                    .index()
                    .get(&id)
                    .map_err(ApiError::internal)?
                    .ok_or_else(|| {
                        ApiError::new(
                            StatusCode::NOT_FOUND,
                            format!("no indexed document with id {id:?}"),
                        )
                    }),
                (None, None) => Err(ApiError::bad(format!(
                    "document {default_id:?} needs \"text\" or \"id\""
                ))),
            },
            RawDoc::Upload { name, bytes } => {
                let mut docs = ingest(state, &name, &bytes)?;
                if docs.len() != 1 {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        format!("{name}: holds {} documents, not one", docs.len()),
                    ));
                }
                Ok(docs.remove(0))
            }
        }
    }
}

/// Read an upload by what its bytes are, never by its name (a `.txt` that is a PDF is read
/// as PDF; a name never reaches the file system).
fn ingest(state: &AppState, name: &str, bytes: &[u8]) -> Result<Vec<Document>, ApiError> {
    let id = upload_id(name);
    let input = Input {
        path: std::path::PathBuf::from(&id),
        id,
    };
    let limits = Limits {
        max_bytes: state.config.max_body_bytes as u64,
    };
    stemma_ingest::from_bytes(&input, bytes, Some(Format::sniff(bytes)), &limits)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))
}

/// The id of an upload: the last component of its client-side name, without control
/// characters (a browser may send `C:\fakepath\x.pdf` or a hostile `../../x`).
fn upload_id(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() {
        "upload".to_string()
    } else {
        clean
    }
}

/// A multipart form: parts by name, in order.
#[derive(Debug, Default)]
struct Form {
    parts: Vec<(String, Option<String>, Bytes)>,
}

impl Form {
    fn text(&self, name: &str) -> Option<String> {
        self.parts
            .iter()
            .find(|(n, file, _)| n == name && file.is_none())
            .map(|(_, _, b)| String::from_utf8_lossy(b).replace("\r\n", "\n"))
            .filter(|s| !s.trim().is_empty())
    }

    fn files(&self, name: &str) -> impl Iterator<Item = (String, Bytes)> + '_ {
        let name = name.to_string();
        self.parts
            .iter()
            .filter(move |(n, file, bytes)| *n == name && file.is_some() && !bytes.is_empty())
            .map(|(_, file, bytes)| (file.clone().unwrap_or_default(), bytes.clone()))
    }

    /// Side `name` of the form: the file `NAME_file` if one was chosen, else the text
    /// `NAME` (titled by `NAME_title`), else the indexed id `NAME_id`.
    fn doc(&self, name: &str) -> Option<RawDoc> {
        if let Some((file, bytes)) = self.files(&format!("{name}_file")).next() {
            return Some(RawDoc::Upload { name: file, bytes });
        }
        let title = self.text(&format!("{name}_title"));
        if let Some(text) = self.text(name) {
            return Some(RawDoc::Json(DocIn {
                text: Some(text),
                title,
                ..DocIn::default()
            }));
        }
        self.text(&format!("{name}_id")).map(|id| {
            RawDoc::Json(DocIn {
                id: Some(id.trim().to_string()),
                ..DocIn::default()
            })
        })
    }

    fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, ApiError> {
        self.text(name)
            .map(|s| {
                s.trim()
                    .parse()
                    .map_err(|_| ApiError::bad(format!("{name}: not a number")))
            })
            .transpose()
    }

    fn flag(&self, name: &str) -> bool {
        self.text(name)
            .is_some_and(|v| matches!(v.as_str(), "1" | "on" | "true" | "yes"))
    }
}

/// A request body: JSON, or a multipart form (uploads).
enum Body {
    Json(Bytes),
    Form(Form),
}

async fn read_body(state: &Arc<AppState>, request: Request) -> Result<Body, ApiError> {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
        let mut form = Form::default();
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?
        {
            let name = field.name().unwrap_or("").to_string();
            let file = field.file_name().map(str::to_string);
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
            form.parts.push((name, file, bytes));
        }
        Ok(Body::Form(form))
    } else if content_type.is_empty() || content_type.starts_with("application/json") {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
        Ok(Body::Json(bytes))
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send application/json or multipart/form-data",
        ))
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad(format!("invalid request: {e}")))
}

/// Run CPU-bound or blocking work off the async workers, at most one job per core at a
/// time: 50 clients then queue here instead of becoming 50 threads that share two cores,
/// each with its own caches (memory would grow with the number of clients, and every
/// request would get slower together).
async fn blocking<F>(state: &AppState, work: F) -> ApiResult
where
    F: FnOnce() -> ApiResult + Send + 'static,
{
    let _permit = state.work.acquire().await.map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)?
}

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
    Query(output): Query<Output>,
    request: Request,
) -> ApiResult {
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
        };
        respond(
            &state,
            &output,
            "compare",
            || stemma_report::compare::to_json(&view),
            || stemma_report::compare::to_html(&view),
            Some(crate::pages::VIEWER_SCRIPT),
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
    Query(output): Query<Output>,
    request: Request,
) -> ApiResult {
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
}

/// `POST /api/trace`: schema "stemma.trace/1", or the trace report.
pub(crate) async fn trace(
    State(state): State<Arc<AppState>>,
    Query(output): Query<Output>,
    request: Request,
) -> ApiResult {
    output.html()?;
    let (doc, top) = match read_body(&state, request).await? {
        Body::Json(bytes) => {
            let r: TraceIn = parse_json(&bytes)?;
            (RawDoc::Json(r.doc), r.top)
        }
        Body::Form(form) => (
            form.doc("doc")
                .ok_or_else(|| ApiError::bad("give a document to trace"))?,
            form.number("top")?,
        ),
    };
    run_trace(state, output, doc, top).await
}

/// `GET /api/trace?id=…`: trace an indexed document against the rest of the index (where
/// its text is reused).
#[derive(Debug, Deserialize)]
pub(crate) struct TraceQuery {
    id: String,
    top: Option<usize>,
    #[serde(flatten)]
    output: Output,
}

/// `GET /api/trace?id=ID`.
pub(crate) async fn trace_by_id(
    State(state): State<Arc<AppState>>,
    Query(q): Query<TraceQuery>,
) -> ApiResult {
    q.output.html()?;
    let doc = RawDoc::Json(DocIn {
        id: Some(q.id),
        ..DocIn::default()
    });
    run_trace(state, q.output, doc, q.top).await
}

async fn run_trace(
    state: Arc<AppState>,
    output: Output,
    doc: RawDoc,
    top: Option<usize>,
) -> ApiResult {
    let top = top.unwrap_or(CandidateOptions::default().limit);
    if top == 0 || top > state.config.max_top {
        return Err(ApiError::bad(format!(
            "top must be between 1 and {}",
            state.config.max_top
        )));
    }
    let by_id = matches!(&doc, RawDoc::Json(d) if d.text.is_none());
    blocking(&state.clone(), move || {
        let target = doc.resolve(&state, "draft")?;
        let index = state.index();
        // The target itself is never its own source: by id, or when the same text is
        // indexed under the same id (as the CLI does).
        let same = by_id
            || index
                .get(&target.id)
                .map_err(ApiError::internal)?
                .is_some_and(|d| d.text == target.text);
        let exclude = if same {
            vec![target.id.clone()]
        } else {
            Vec::new()
        };
        let options = CompareOptions::default();
        let analysis = stemma_text::analyze(&target.text);
        let candidates = index
            .candidates(
                &index.query_fingerprints(&analysis),
                &CandidateOptions {
                    limit: top,
                    exclude,
                    ..CandidateOptions::default()
                },
            )
            .map_err(ApiError::internal)?;
        let sources = index.documents(&candidates).map_err(ApiError::internal)?;
        let trace = stemma_trace::trace(&target, &analysis, &sources, &options);
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
            || stemma_report::trace::to_json(&view),
            || stemma_report::trace::to_html(&view),
            None,
        )
    })
    .await
}

// ---------------------------------------------------------------------------------------
// documents

fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    (status, [(CONTENT_TYPE, "application/json")], pretty(value)).into_response()
}

/// `GET /api/documents`: schema "stemma.index-list/1".
pub(crate) async fn list_documents(State(state): State<Arc<AppState>>) -> ApiResult {
    blocking(&state.clone(), move || {
        let docs = state.index().list().map_err(ApiError::internal)?;
        Ok(json_response(
            StatusCode::OK,
            &serde_json::json!({ "schema": "stemma.index-list/1", "documents": docs }),
        ))
    })
    .await
}

/// `GET /api/documents/{id}`: schema "stemma.index-show/1".
pub(crate) async fn get_document(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult {
    blocking(&state.clone(), move || {
        match state.index().get(&id).map_err(ApiError::internal)? {
            Some(doc) => Ok(json_response(
                StatusCode::OK,
                &serde_json::json!({ "schema": "stemma.index-show/1", "document": doc }),
            )),
            None => Err(ApiError::new(
                StatusCode::NOT_FOUND,
                format!("no indexed document with id {id:?}"),
            )),
        }
    })
    .await
}

/// `DELETE /api/documents/{id}`: schema "stemma.index-rm/1".
pub(crate) async fn delete_document(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult {
    blocking(&state.clone(), move || {
        let _guard = state.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut writer = writer(&state)?;
        let found = writer.delete(&id).map_err(ApiError::internal)?;
        if !found {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                format!("no indexed document with id {id:?}"),
            ));
        }
        writer.commit().map_err(ApiError::internal)?;
        Ok(json_response(
            StatusCode::OK,
            &serde_json::json!({ "schema": "stemma.index-rm/1", "removed": [id] }),
        ))
    })
    .await
}

fn writer(state: &AppState) -> Result<stemma_index::IndexWriter<'_>, ApiError> {
    // One thread and tantivy's smallest heap: uploads through the server are small batches,
    // and the server should not hold hundreds of MB per request.
    state
        .index()
        .writer_with(1, 32 * 1024 * 1024)
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddIn {
    documents: Vec<DocIn>,
}

/// What happened to one submitted document.
#[derive(Debug, Serialize)]
struct AddedDoc {
    id: String,
    outcome: &'static str,
}

/// An input that could not become a document.
#[derive(Debug, Serialize)]
struct Failed {
    input: String,
    error: String,
}

/// `POST /api/documents`: add (or replace) documents: JSON `{"documents": [DOC…]}` with
/// `id` and `text`, or multipart `file` parts (read by content; JSON Lines files may hold
/// many documents). Schema "stemma.index-add/1".
pub(crate) async fn add_documents(
    State(state): State<Arc<AppState>>,
    request: Request,
) -> ApiResult {
    let body = read_body(&state, request).await?;
    blocking(&state.clone(), move || {
        let mut docs = Vec::new();
        let mut failed = Vec::new();
        match body {
            Body::Json(bytes) => {
                let r: AddIn = parse_json(&bytes)?;
                for (n, d) in r.documents.into_iter().enumerate() {
                    match (d.id.filter(|s| !s.trim().is_empty()), d.text) {
                        (Some(id), Some(text)) => {
                            let mut doc = Document::new(id, text);
                            doc.title = d.title;
                            doc.source = d.source;
                            doc.date = d.date;
                            docs.push(doc);
                        }
                        _ => failed.push(Failed {
                            input: format!("documents[{n}]"),
                            error: "a document to add needs \"id\" and \"text\"".into(),
                        }),
                    }
                }
            }
            Body::Form(form) => {
                let (source, date) = (form.text("source"), form.text("date"));
                for (name, bytes) in form.files("file") {
                    match ingest(&state, &name, &bytes) {
                        Ok(found) => docs.extend(found.into_iter().map(|mut d| {
                            if d.source.is_none() {
                                d.source.clone_from(&source);
                            }
                            if d.date.is_none() {
                                d.date.clone_from(&date);
                            }
                            d
                        })),
                        Err(e) => failed.push(Failed {
                            input: upload_id(&name),
                            error: e.message,
                        }),
                    }
                }
            }
        }
        if docs.is_empty() && failed.is_empty() {
            return Err(ApiError::bad("no document given"));
        }
        let mut added = Vec::with_capacity(docs.len());
        if !docs.is_empty() {
            let _guard = state.write_lock.lock().unwrap_or_else(|p| p.into_inner());
            let mut writer = writer(&state)?;
            for doc in &docs {
                let outcome = writer.add(doc).map_err(ApiError::internal)?;
                added.push(AddedDoc {
                    id: doc.id.clone(),
                    outcome: match outcome {
                        AddOutcome::Added => "added",
                        AddOutcome::Replaced => "replaced",
                        AddOutcome::Unchanged => "unchanged",
                    },
                });
            }
            writer.commit().map_err(ApiError::internal)?;
        }
        let count = |o: &str| added.iter().filter(|a| a.outcome == o).count();
        let status = if added.is_empty() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        Ok(json_response(
            status,
            &serde_json::json!({
                "schema": "stemma.index-add/1",
                "added": count("added"),
                "replaced": count("replaced"),
                "unchanged": count("unchanged"),
                "documents": added,
                "failed": failed,
            }),
        ))
    })
    .await
}

/// `GET /api/search?q=…&limit=…`.
#[derive(Debug, Deserialize)]
pub(crate) struct SearchQuery {
    q: String,
    limit: Option<usize>,
}

/// `GET /api/search`: BM25 over titles and texts; schema "stemma.index-search/1".
pub(crate) async fn search(
    State(state): State<Arc<AppState>>,
    Query(q): Query<SearchQuery>,
) -> ApiResult {
    if q.q.trim().is_empty() {
        return Err(ApiError::bad("give a query: ?q=words"));
    }
    let limit = q.limit.unwrap_or(10).clamp(1, 100);
    blocking(&state.clone(), move || {
        let hits = state
            .index()
            .search(&q.q, limit)
            .map_err(|e| ApiError::bad(e.to_string()))?;
        Ok(json_response(
            StatusCode::OK,
            &serde_json::json!({ "schema": "stemma.index-search/1", "query": q.q, "hits": hits }),
        ))
    })
    .await
}

/// Unknown routes.
pub(crate) async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such page or API route")
}

/// Shared by the pages: the index listing and search, for server-side rendering.
pub(crate) fn doc_list(state: &AppState) -> Result<Vec<stemma_index::DocInfo>, ApiError> {
    state.index().list().map_err(ApiError::internal)
}

/// Shared by the pages: BM25 hits.
pub(crate) fn doc_search(
    state: &AppState,
    q: &str,
) -> Result<Vec<stemma_index::SearchHit>, ApiError> {
    state
        .index()
        .search(q, 50)
        .map_err(|e| ApiError::bad(e.to_string()))
}

/// Shared by the pages: one document.
pub(crate) fn doc_get(state: &AppState, id: &str) -> Result<Option<Document>, ApiError> {
    state.index().get(id).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_names_lose_their_folders() {
        assert_eq!(upload_id("../../etc/passwd"), "passwd");
        assert_eq!(upload_id("C:\\fakepath\\memo.docx"), "memo.docx");
        assert_eq!(upload_id(".."), "upload");
        assert_eq!(upload_id(""), "upload");
    }
}

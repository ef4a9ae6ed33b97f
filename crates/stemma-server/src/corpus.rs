//! The corpus over HTTP: `GET|POST /api/documents`, `GET|DELETE /api/documents/{id}` and
//! `GET /api/search`, with the schemas of `stemma index list|show|add|rm|search --json`.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use stemma_index::{AddOutcome, IndexError, SearchHit};
use stemma_text::Document;

use crate::error::{json_response, ApiError, ApiResult};
use crate::request::{blocking, ingest, parse_json, query, read_body, upload_id, Body, DocIn};
use crate::AppState;

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
                            // `stemma index add` skips an empty file with this message.
                            if let Err(e) = stemma_text::require_words(&text) {
                                failed.push(Failed {
                                    input: format!("documents[{n}]"),
                                    error: format!("{id}: {e}"),
                                });
                                continue;
                            }
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
    q: Option<String>,
    limit: Option<usize>,
}

/// Most hits one search answers.
const MAX_HITS: usize = 100;

/// `GET /api/search`: BM25 over titles and texts; schema "stemma.index-search/1". A query
/// with nothing to look for is refused as `stemma index search` refuses it.
pub(crate) async fn search(
    State(state): State<Arc<AppState>>,
    q: Result<Query<SearchQuery>, QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let text = q.q.ok_or_else(|| ApiError::bad("give a query: ?q=words"))?;
    let limit = q.limit.unwrap_or(10);
    if !(1..=MAX_HITS).contains(&limit) {
        return Err(ApiError::bad(format!(
            "limit must be between 1 and {MAX_HITS}"
        )));
    }
    blocking(&state.clone(), move || {
        let hits = search_hits(&state, &text, limit)?;
        Ok(json_response(
            StatusCode::OK,
            &serde_json::json!({ "schema": "stemma.index-search/1", "query": text, "hits": hits }),
        ))
    })
    .await
}

/// BM25 hits for the API and the corpus page: a query the index cannot run (nothing to look
/// for) is the caller's mistake (400), anything else the server's (500).
pub(crate) fn search_hits(
    state: &AppState,
    query: &str,
    limit: usize,
) -> Result<Vec<SearchHit>, ApiError> {
    state.index().search(query, limit).map_err(|e| match e {
        IndexError::Search(_) => ApiError::bad(e.to_string()),
        other => ApiError::internal(other),
    })
}

//! Reading requests: JSON or multipart bodies, and the documents they name (inline text, an
//! upload read by its content, or an indexed id), refused as the CLI refuses them. Also the
//! one door to CPU-bound work.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, Multipart, Query, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use serde::Deserialize;
use stemma_ingest::{Format, Input, Limits, Reason};
use stemma_text::{DecodeError, Document};

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// A document in a request: inline text, or the id of an indexed document. There is no way
/// to name a file: unknown fields (such as `"path"`) are refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DocIn {
    pub(crate) text: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) source: Option<String>,
    pub(crate) date: Option<String>,
}

/// A document before resolution.
#[derive(Debug)]
pub(crate) enum RawDoc {
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
    pub(crate) fn resolve(self, state: &AppState, default_id: &str) -> Result<Document, ApiError> {
        match self {
            RawDoc::Json(d) => match (d.text, d.id) {
                (Some(text), id) => {
                    let id = id
                        .or_else(|| d.title.clone())
                        .filter(|s| !s.trim().is_empty())
                        .unwrap_or_else(|| default_id.to_string());
                    // The CLI's refusal of an empty file, in the same words.
                    stemma_text::require_words(&text)
                        .map_err(|e| ApiError::bad(format!("{id}: {e}")))?;
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
pub(crate) fn ingest(
    state: &AppState,
    name: &str,
    bytes: &[u8],
) -> Result<Vec<Document>, ApiError> {
    let id = upload_id(name);
    let input = Input {
        path: std::path::PathBuf::from(&id),
        id,
    };
    let limits = Limits {
        max_bytes: state.config.max_body_bytes as u64,
    };
    stemma_ingest::from_bytes(&input, bytes, Some(Format::sniff(bytes)), &limits).map_err(|e| {
        // An empty document is the caller's mistake wherever it comes from (400, as inline
        // text); a file that cannot be read is unprocessable content (422).
        let status = match e.reason {
            Reason::Decode(DecodeError::Empty | DecodeError::NoWords { .. }) => {
                StatusCode::BAD_REQUEST
            }
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError::new(status, e.to_string())
    })
}

/// The id of an upload: the last component of its client-side name, without control
/// characters (a browser may send `C:\fakepath\x.pdf` or a hostile `../../x`).
pub(crate) fn upload_id(name: &str) -> String {
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
pub(crate) struct Form {
    parts: Vec<(String, Option<String>, Bytes)>,
}

impl Form {
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        self.parts
            .iter()
            .find(|(n, file, _)| n == name && file.is_none())
            .map(|(_, _, b)| String::from_utf8_lossy(b).replace("\r\n", "\n"))
            .filter(|s| !s.trim().is_empty())
    }

    pub(crate) fn files(&self, name: &str) -> impl Iterator<Item = (String, Bytes)> + '_ {
        let name = name.to_string();
        self.parts
            .iter()
            // A browser sends an unnamed, empty part for a file input left empty; a chosen
            // file that is empty is kept, and refused as the CLI refuses it.
            .filter(move |(n, file, bytes)| {
                *n == name
                    && file
                        .as_ref()
                        .is_some_and(|f| !f.is_empty() || !bytes.is_empty())
            })
            .map(|(_, file, bytes)| (file.clone().unwrap_or_default(), bytes.clone()))
    }

    /// Side `name` of the form: the file `NAME_file` if one was chosen, else the text
    /// `NAME` (titled by `NAME_title`), else the indexed id `NAME_id`.
    pub(crate) fn doc(&self, name: &str) -> Option<RawDoc> {
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

    pub(crate) fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, ApiError> {
        self.text(name)
            .map(|s| {
                s.trim()
                    .parse()
                    .map_err(|_| ApiError::bad(format!("{name}: not a number")))
            })
            .transpose()
    }

    pub(crate) fn flag(&self, name: &str) -> bool {
        self.text(name)
            .is_some_and(|v| matches!(v.as_str(), "1" | "on" | "true" | "yes"))
    }
}

/// A request body: JSON, or a multipart form (uploads).
pub(crate) enum Body {
    Json(Bytes),
    Form(Form),
}

pub(crate) async fn read_body(state: &Arc<AppState>, request: Request) -> Result<Body, ApiError> {
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

/// The parameters of a query string, or the API's 400 (axum's own rejection is plain text).
pub(crate) fn query<T>(parsed: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    parsed
        .map(|Query(q)| q)
        .map_err(|e| ApiError::bad(format!("invalid query string: {}", e.body_text())))
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad(format!("invalid request: {e}")))
}

/// Run CPU-bound or blocking work off the async workers, at most one job per core at a
/// time: 50 clients then queue here instead of becoming 50 threads that share two cores,
/// each with its own caches (memory would grow with the number of clients, and every
/// request would get slower together).
pub(crate) async fn blocking<F>(state: &AppState, work: F) -> ApiResult
where
    F: FnOnce() -> ApiResult + Send + 'static,
{
    let _permit = state.work.acquire().await.map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)?
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

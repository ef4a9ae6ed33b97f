//! Errors as the API answers them: `{"schema": "stemma.error/1", "error": "…"}` with a
//! status, and the small JSON helpers every handler shares.

use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The `"schema"` of error bodies.
pub const ERROR_SCHEMA: &str = "stemma.error/1";

/// An error answered as `{"schema": "stemma.error/1", "error": "…"}` with its status.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn internal(error: impl std::fmt::Display) -> Self {
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

pub(crate) fn pretty(value: &impl Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("serializes");
    s.push('\n');
    s
}

pub(crate) type ApiResult = Result<Response, ApiError>;

/// A JSON body with its status.
pub(crate) fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    (status, [(CONTENT_TYPE, "application/json")], pretty(value)).into_response()
}

/// Unknown routes.
pub(crate) async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such page or API route")
}

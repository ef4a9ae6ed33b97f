//! Security headers on every response, the clear 413, and the policy of served reports.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{
    HeaderValue, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use stemma_align::CompareOptions;
use stemma_text::{analyze, Document};

use crate::error::ApiError;
use crate::AppState;

/// The policy of the UI's own pages: scripts and styles only from the server's compiled-in
/// files (no inline script, so no injected markup could run even if escaping failed), frames
/// only of the server's own reports, nothing from elsewhere.
pub const APP_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

/// The policy of JSON responses: nothing may run or load (an error shown in the UI's result frame is plain text).
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'self'; sandbox";

/// Add the security headers, and turn an oversized body into a clear 413 before any handler
/// reads it (a declared Content-Length is refused at once; a chunked body is cut by
/// axum's limit and its 413 gets the same message here).
pub(crate) async fn headers(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let limit = state.config.max_body_bytes;
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let is_api = request.uri().path().starts_with("/api/");
    let mut response = if declared.is_some_and(|n| n > limit as u64) {
        too_large(limit)
    } else {
        let response = next.run(request).await;
        if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(limit)
        } else {
            response
        }
    };
    let headers = response.headers_mut();
    headers
        .entry(CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(if is_api {
            API_CSP
        } else {
            APP_CSP
        }));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

fn too_large(limit: usize) -> Response {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "request body too large: the limit is {limit} bytes (stemma serve --max-body-bytes)"
        ),
    )
    .into_response()
}

/// The header policy of a served report. The report's own meta policy allows any inline
/// script, because a file opened from disk has no headers; served, we allow only the exact
/// scripts the renderers write (by hash), so document text that escaped its escaping still
/// could not run, and `sandbox` gives the page an opaque origin of its own.
pub(crate) fn report_csp() -> String {
    let mut hashes = BTreeSet::new();
    for page in sample_reports() {
        for script in scripts(&page) {
            hashes.insert(sha256_source(script));
        }
    }
    hashes.insert(sha256_source(crate::report::VIEWER_SCRIPT));
    let hashes: Vec<String> = hashes.into_iter().collect();
    format!(
        "default-src 'none'; script-src {}; style-src 'unsafe-inline'; img-src data:; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-scripts",
        hashes.join(" ")
    )
}

/// Reports of tiny fixed documents: their scripts are the renderers' constant scripts.
fn sample_reports() -> Vec<String> {
    let text = "one two three four five six seven eight nine ten eleven twelve thirteen";
    let a = Document::new("a", text);
    let b = Document::new("b", text);
    let options = CompareOptions::default();
    let (aa, ba) = (analyze(&a.text), analyze(&b.text));
    let passages = stemma_align::align(&aa, &ba, &options);
    let compare = stemma_report::compare::to_html(&stemma_report::compare::CompareView {
        a: &a,
        b: &b,
        a_words: aa.tokens.len(),
        b_words: ba.tokens.len(),
        passages: &passages,
        options: &options,
        cross_lingual: None,
    });
    let candidates = [a.clone()];
    let trace = stemma_trace::trace(&b, &ba, &candidates, &options);
    let trace = stemma_report::trace::to_html(&stemma_report::trace::TraceView {
        target: &b,
        candidates: &candidates,
        trace: &trace,
        options: &options,
        considered: 1,
    });
    let diff_options = stemma_diff::DiffOptions::default();
    let diff = stemma_diff::diff(&a.text, &b.text, &diff_options);
    let diff = stemma_report::diff::to_html(&stemma_report::diff::DiffView {
        a: &a,
        b: &b,
        diff: &diff,
        options: &diff_options,
    });
    vec![compare, trace, diff]
}

/// The bodies of the `<script>` elements of a page.
fn scripts(page: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(open) = rest.find("<script>") {
        let body = &rest[open + "<script>".len()..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        out.push(&body[..close]);
        rest = &body[close..];
    }
    out
}

/// A CSP source expression for a script body.
pub(crate) fn sha256_source(script: &str) -> String {
    let digest = Sha256::digest(script.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_policy_allows_only_hashed_scripts() {
        let csp = report_csp();
        assert!(csp.contains("'sha256-"), "{csp}");
        assert!(!csp.contains("unsafe-inline'; img") || csp.contains("style-src 'unsafe-inline'"));
        assert!(!csp
            .split(';')
            .any(|d| d.contains("script-src") && d.contains("unsafe")));
    }

    #[test]
    fn finds_scripts() {
        assert_eq!(
            scripts("<p><script>a()</script><script>b</script>"),
            ["a()", "b"]
        );
    }
}

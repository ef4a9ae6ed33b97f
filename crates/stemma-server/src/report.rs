//! Answering with a result: the CLI's JSON, or its self-contained HTML report (served under
//! a policy that allows only the report's own script, plus the viewer script inside the UI).

use axum::http::header::{HeaderValue, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Added to compare reports shown in the UI (never to downloads): scrolling one text pane
/// scrolls the other proportionally. Only scrolls the reader starts count, so the report's
/// own click-to-counterpart jumps are not undone.
pub const VIEWER_SCRIPT: &str = r#"(function(){"use strict";
var p=document.querySelectorAll(".doc .text");if(p.length!==2)return;var active=null;
p.forEach(function(e){["wheel","touchstart","keydown","pointerdown"].forEach(function(t){
e.addEventListener(t,function(){active=e;},{passive:true});});});
p.forEach(function(from,i){var to=p[1-i];from.addEventListener("scroll",function(){
if(active!==from)return;var r=from.scrollTop/Math.max(1,from.scrollHeight-from.clientHeight);
to.scrollTop=r*(to.scrollHeight-to.clientHeight);},{passive:true});});
document.addEventListener("click",function(){active=null;},true);})();"#;

/// `?format=json|html&download=1`: how a result is answered.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Output {
    format: Option<String>,
    download: Option<String>,
}

impl Output {
    pub(crate) fn html(&self) -> Result<bool, ApiError> {
        match self.format.as_deref() {
            None | Some("json") => Ok(false),
            Some("html") => Ok(true),
            Some(other) => Err(ApiError::bad(format!(
                "format must be json or html, not {other:?}"
            ))),
        }
    }

    pub(crate) fn download(&self) -> bool {
        matches!(self.download.as_deref(), Some("1" | "true" | "yes"))
    }
}

/// A rendered result: JSON, or the CLI's HTML report. `viewer_script` is added only to
/// reports shown inside the UI (synchronized scrolling); downloads are byte for byte what
/// the CLI writes.
pub(crate) fn respond(
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

//! The web UI: small server-rendered pages (every value escaped here) and the compiled-in
//! script and stylesheet. Results are the CLI's own HTML reports, shown in a frame: each
//! form posts to the API with `format=html` and targets that frame, so the pages work even
//! without script, and the frame's page runs under the report policy of its own response.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::corpus::search_hits;
use crate::error::ApiError;
use crate::AppState;

const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");

/// `GET /assets/{name}`: the compiled-in script and stylesheet.
pub(crate) async fn asset(Path(name): Path<String>) -> Response {
    let (mime, body) = match name.as_str() {
        "app.js" => ("text/javascript; charset=utf-8", APP_JS),
        "app.css" => ("text/css; charset=utf-8", APP_CSS),
        _ => return ApiError::new(StatusCode::NOT_FOUND, "no such asset").into_response(),
    };
    ([(CONTENT_TYPE, mime), (CACHE_CONTROL, "no-cache")], body).into_response()
}

fn esc(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

/// Percent-encode a path segment or query value (everything but unreserved characters).
pub(crate) fn url_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Trace,
    Compare,
    Diff,
    Corpus,
}

fn layout(title: &str, tab: Tab, main: &str) -> Html<String> {
    let mut nav = String::new();
    for (t, href, label) in [
        (Tab::Trace, "/", "Trace"),
        (Tab::Compare, "/compare", "Compare"),
        (Tab::Diff, "/diff", "Diff"),
        (Tab::Corpus, "/corpus", "Corpus"),
    ] {
        let current = if t == tab {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = write!(nav, "<a href=\"{href}\"{current}>{label}</a>");
    }
    Html(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title} · stemma</title>\n<link rel=\"stylesheet\" href=\"/assets/app.css\">\n\
<script src=\"/assets/app.js\" defer></script>\n</head>\n<body>\n\
<a class=\"skip\" href=\"#main\">Skip to content</a>\n\
<header class=\"bar\"><span class=\"brand\">stemma</span><nav aria-label=\"Pages\">{nav}</nav></header>\n\
<main id=\"main\" tabindex=\"-1\">\n{main}\n</main>\n</body>\n</html>\n",
        title = esc(title)
    ))
}

/// The buttons of a result form: run (into the frame), and the two downloads.
fn actions(endpoint: &str, verb: &str) -> String {
    format!(
        "<div class=\"actions\">\
<button type=\"submit\" class=\"primary\">{verb}</button>\
<button type=\"submit\" formaction=\"{endpoint}?format=html&amp;download=1\" formtarget=\"_self\">Download HTML report</button>\
<button type=\"submit\" formaction=\"{endpoint}?download=1\" formtarget=\"_self\">Download JSON</button>\
<span class=\"status\" role=\"status\" aria-live=\"polite\"></span></div>"
    )
}

/// Text, title and file inputs for one document of a form (`name`, `name_title`,
/// `name_file`), with labels.
fn doc_inputs(name: &str, legend: &str, placeholder: &str) -> String {
    format!(
        "<fieldset class=\"doc\"><legend>{legend}</legend>\
<label for=\"{name}\">Text</label>\
<textarea id=\"{name}\" name=\"{name}\" rows=\"10\" placeholder=\"{placeholder}\"></textarea>\
<div class=\"row\"><div><label for=\"{name}_title\">Title</label>\
<input id=\"{name}_title\" name=\"{name}_title\" type=\"text\" autocomplete=\"off\"></div>\
<div><label for=\"{name}_file\">or a file (txt, md, html, pdf, docx, odt)</label>\
<input id=\"{name}_file\" name=\"{name}_file\" type=\"file\" accept=\".txt,.md,.html,.htm,.pdf,.docx,.odt,text/plain,text/html,application/pdf\"></div></div>\
</fieldset>"
    )
}

const RESULT_FRAME: &str = "<iframe name=\"result\" id=\"result\" class=\"result\" \
title=\"Result\" src=\"about:blank\"></iframe>";

/// `GET /`: trace a document against the corpus.
pub(crate) async fn trace_page(State(state): State<Arc<AppState>>) -> Html<String> {
    let max_top = state.config.max_top;
    // Fast fields only (list() would read every stored document).
    let count = tokio::task::spawn_blocking(move || state.index().stats().map(|s| s.documents))
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or(0);
    let count = stemma_report::plural(count as u64, "document", "documents");
    let main = format!(
        "<h1>Trace a document</h1>\n<p class=\"lead\">Paste a draft or upload a file: each passage found in \
the corpus ({count}) comes back coloured by its source, with the sources on a timeline. \
Click a passage to see it in its source.</p>\n\
<form class=\"run\" method=\"post\" action=\"/api/trace?format=html\" target=\"result\" enctype=\"multipart/form-data\">\n\
{doc}\n<div class=\"row\"><div><label for=\"top\">Sources to align</label>\
<input id=\"top\" name=\"top\" type=\"number\" min=\"1\" max=\"{max_top}\" value=\"{top}\"></div></div>\n{actions}\n</form>\n{RESULT_FRAME}\n\
<section id=\"sources\" class=\"sources\" aria-labelledby=\"sources-h\" hidden>\
<h2 id=\"sources-h\">Side by side with a source</h2>\
<p class=\"meta\">The closest documents first, as the report ranks them: each next to your text, every shared passage aligned, the words that differ underlined.</p>\
<ul class=\"source-list\"></ul>\
<form id=\"detail-form\" method=\"post\" action=\"/api/compare?format=html\" target=\"detail\" enctype=\"multipart/form-data\" hidden>\
<input type=\"hidden\" name=\"a_id\"><textarea name=\"b\"></textarea><input type=\"hidden\" name=\"b_title\"><input type=\"file\" name=\"b_file\"></form>\
<iframe name=\"detail\" id=\"detail\" class=\"result\" title=\"Your text beside the source\" src=\"about:blank\" hidden></iframe>\
</section>",
        doc = doc_inputs("doc", "The document", "Paste the text to trace"),
        actions = actions("/api/trace", "Trace"),
        // The CLI's default, so that the page and `stemma trace` find the same sources.
        top = stemma_index::CandidateOptions::default().limit.min(max_top),
    );
    layout("Trace", Tab::Trace, &main)
}

/// `GET /compare`: every shared passage of two documents.
pub(crate) async fn compare_page() -> Html<String> {
    let main = format!(
        "<h1>Compare two documents</h1>\n<p class=\"lead\">Every passage the two texts share, aligned; \
hover or click a passage to find it on the other side.</p>\n\
<form class=\"run\" method=\"post\" action=\"/api/compare?format=html\" target=\"result\" enctype=\"multipart/form-data\">\n\
<div class=\"pair\">{a}{b}</div>\n{actions}\n</form>\n{RESULT_FRAME}",
        a = doc_inputs("a", "First document (the earlier one)", "Paste the first text"),
        b = doc_inputs("b", "Second document", "Paste the second text"),
        actions = actions("/api/compare", "Compare")
    );
    layout("Compare", Tab::Compare, &main)
}

/// `GET /diff`: two versions, clause by clause.
pub(crate) async fn diff_page() -> Html<String> {
    let main = format!(
        "<h1>Diff two versions</h1>\n<p class=\"lead\">Clause by clause: removed, added, merged, split, \
moved, renumbered and reworded clauses, with a word-level redline and a side-by-side view.</p>\n\
<form class=\"run\" method=\"post\" action=\"/api/diff?format=html\" target=\"result\" enctype=\"multipart/form-data\">\n\
<div class=\"pair\">{a}{b}</div>\n\
<fieldset class=\"opts\"><legend>Options</legend>\
<label for=\"granularity\">Compare by</label><select id=\"granularity\" name=\"granularity\">\
<option value=\"clause\">clause</option><option value=\"paragraph\">paragraph</option>\
<option value=\"sentence\">sentence</option></select>\
<label class=\"check\"><input type=\"checkbox\" name=\"ignore_case\" value=\"1\"> ignore case</label>\
<label class=\"check\"><input type=\"checkbox\" name=\"ignore_punctuation\" value=\"1\"> ignore punctuation</label>\
<label class=\"check\"><input type=\"checkbox\" name=\"ignore_numbering\" value=\"1\"> ignore numbering</label>\
</fieldset>\n{actions}\n</form>\n{RESULT_FRAME}",
        a = doc_inputs("a", "Old version", "Paste the old version"),
        b = doc_inputs("b", "New version", "Paste the new version"),
        actions = actions("/api/diff", "Diff")
    );
    layout("Diff", Tab::Diff, &main)
}

/// `?q=`.
#[derive(Debug, Deserialize)]
pub(crate) struct CorpusQuery {
    q: Option<String>,
}

/// `GET /corpus`: list, search, upload, delete.
pub(crate) async fn corpus_page(
    State(state): State<Arc<AppState>>,
    Query(query): Query<CorpusQuery>,
) -> Result<Html<String>, ApiError> {
    let q = query.q.unwrap_or_default();
    let (docs, hits) = {
        let q = q.clone();
        tokio::task::spawn_blocking(move || {
            let docs = state.index().list().map_err(ApiError::internal)?;
            let hits = if q.trim().is_empty() {
                None
            } else {
                Some(search_hits(&state, &q, 50))
            };
            Ok::<_, ApiError>((docs, hits))
        })
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??
    };
    let mut main = String::from(
        "<h1>Corpus</h1>\n\
<form id=\"upload\" class=\"upload\" method=\"post\" action=\"/api/documents\" enctype=\"multipart/form-data\">\
<fieldset><legend>Add documents</legend>\
<label for=\"files\">Files (txt, md, html, pdf, docx, odt, JSON Lines)</label>\
<input id=\"files\" name=\"file\" type=\"file\" multiple required>\
<div class=\"row\"><div><label for=\"source\">Source (optional)</label><input id=\"source\" name=\"source\" type=\"text\"></div>\
<div><label for=\"date\">Date (optional)</label><input id=\"date\" name=\"date\" type=\"text\" placeholder=\"2024-05-01\"></div></div>\
<div class=\"actions\"><button type=\"submit\" class=\"primary\">Upload</button>\
<progress id=\"upload-progress\" max=\"100\" value=\"0\" hidden>0%</progress>\
<span id=\"upload-status\" class=\"status\" role=\"status\" aria-live=\"polite\"></span></div>\
</fieldset></form>\n",
    );
    let _ = writeln!(
        main,
        "<form class=\"search\" method=\"get\" action=\"/corpus\" role=\"search\">\
<label for=\"q\">Search the corpus (BM25)</label><div class=\"actions\">\
<input id=\"q\" name=\"q\" type=\"search\" value=\"{}\"><button type=\"submit\">Search</button></div></form>",
        esc(&q)
    );
    match hits {
        Some(Ok(hits)) => {
            let _ = write!(
                main,
                "<section aria-labelledby=\"hits-h\"><h2 id=\"hits-h\">{} results for “{}”</h2><ol class=\"hits\">",
                hits.len(),
                esc(&q)
            );
            for hit in &hits {
                let _ = write!(
                    main,
                    "<li><a href=\"/corpus/{}\">{}</a>{} <span class=\"meta\">score {:.2}</span><p>{}</p></li>",
                    url_part(&hit.id),
                    esc(&hit.id),
                    hit.title
                        .as_deref()
                        .map(|t| format!(" <span class=\"meta\">{}</span>", esc(t)))
                        .unwrap_or_default(),
                    hit.score,
                    snippet(&hit.snippet, &hit.highlights)
                );
            }
            main.push_str("</ol></section>\n");
        }
        Some(Err(e)) => {
            let _ = write!(
                main,
                "<p class=\"error\" role=\"alert\">{}</p>",
                esc(&e.to_string())
            );
        }
        None => {}
    }
    main.push_str(&documents_table(&docs));
    Ok(layout("Corpus", Tab::Corpus, &main))
}

/// Rows the corpus page shows at most: past that, search is the way in.
const TABLE_ROWS: usize = 1000;

/// The documents table (also re-read by the page script after an upload).
fn documents_table(docs: &[stemma_index::DocInfo]) -> String {
    let mut out = format!(
        "<section id=\"documents\" aria-labelledby=\"docs-h\"><h2 id=\"docs-h\">{}</h2>",
        stemma_report::plural(docs.len() as u64, "document", "documents")
    );
    if docs.len() > TABLE_ROWS {
        let _ = write!(
            out,
            "<p class=\"meta\">Showing the first {TABLE_ROWS} by id; search to find the others.</p>"
        );
    }
    if docs.is_empty() {
        out.push_str("<p class=\"none\">The corpus is empty: add documents above.</p></section>");
        return out;
    }
    out.push_str(
        "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Title</th>\
<th scope=\"col\">Source</th><th scope=\"col\">Date</th><th scope=\"col\" class=\"num\">Words</th>\
<th scope=\"col\"><span class=\"sr\">Actions</span></th></tr></thead><tbody>",
    );
    for d in docs.iter().take(TABLE_ROWS) {
        let _ = write!(
            out,
            "<tr><td><a href=\"/corpus/{url}\">{id}</a></td><td>{title}</td><td>{source}</td><td>{date}</td>\
<td class=\"num\">{words}</td><td><button type=\"button\" class=\"delete\" data-id=\"{id}\">Delete</button></td></tr>",
            url = url_part(&d.id),
            id = esc(&d.id),
            title = esc(d.title.as_deref().unwrap_or("")),
            source = esc(d.source.as_deref().unwrap_or("")),
            date = esc(d.date.as_deref().unwrap_or("")),
            words = d.words
        );
    }
    out.push_str("</tbody></table></div></section>");
    out
}

/// A search snippet with its matched words marked; every piece escaped.
fn snippet(text: &str, highlights: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for &(s, e) in highlights {
        if s < at
            || e > text.len()
            || s > e
            || !text.is_char_boundary(s)
            || !text.is_char_boundary(e)
        {
            continue;
        }
        out.push_str(&esc(&text[at..s]));
        out.push_str("<mark>");
        out.push_str(&esc(&text[s..e]));
        out.push_str("</mark>");
        at = e;
    }
    out.push_str(&esc(&text[at..]));
    out
}

/// `GET /corpus/{id}`: one document, and where its text is shared with the rest of the
/// corpus (a trace of it against the others).
pub(crate) async fn document_page(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Html<String>, ApiError> {
    let doc = {
        let id = id.clone();
        tokio::task::spawn_blocking(move || state.index().get(&id).map_err(ApiError::internal))
            .await
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??
    };
    let Some(doc) = doc else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no indexed document with id {id:?}"),
        ));
    };
    let u = url_part(&doc.id);
    let mut meta = Vec::new();
    for (k, v) in [
        ("Title", &doc.title),
        ("Source", &doc.source),
        ("Date", &doc.date),
        ("Language", &doc.lang),
    ] {
        if let Some(v) = v {
            meta.push(format!("<dt>{k}</dt><dd>{}</dd>", esc(v)));
        }
    }
    let main = format!(
        "<p><a href=\"/corpus\">← Corpus</a></p><h1>{id}</h1>\n<dl class=\"meta\">{meta}<dt>Characters</dt><dd>{chars}</dd></dl>\n\
<div class=\"actions\"><button type=\"button\" class=\"delete\" data-id=\"{id}\" data-then=\"/corpus\">Delete</button>\
<a class=\"button\" href=\"/api/trace?id={u}&amp;format=html&amp;download=1\">Download HTML report</a>\
<a class=\"button\" href=\"/api/trace?id={u}&amp;download=1\">Download JSON</a>\
<a class=\"button\" href=\"/api/documents/{u}\">Document JSON</a>\
<span class=\"status\" role=\"status\" aria-live=\"polite\"></span></div>\n\
<h2>Where its text is shared with other documents</h2>\n\
<iframe id=\"result\" class=\"result\" title=\"Text shared with other documents\" src=\"/api/trace?id={u}&amp;format=html\"></iframe>\n\
<details><summary>Full text</summary><div class=\"fulltext\">{text}</div></details>",
        id = esc(&doc.id),
        meta = meta.join(""),
        chars = doc.text.chars().count(),
        text = esc(&doc.text),
    );
    Ok(layout(&doc.id, Tab::Corpus, &main))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_escape_and_mark() {
        assert_eq!(snippet("a <b> c", &[(2, 5)]), "a <mark>&lt;b&gt;</mark> c");
        assert_eq!(url_part("a b/é"), "a%20b%2F%C3%A9");
    }
}

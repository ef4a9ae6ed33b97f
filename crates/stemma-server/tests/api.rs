//! The API driven in-process (tower `oneshot`): schemas, limits, headers, escaping, and the
//! refusal of anything that could name a server file.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const GPL: &str = "The licenses for most software are designed to take away your freedom to \
share and change it. By contrast, the GNU General Public License is intended to guarantee your \
freedom to share and change free software, to make sure the software is free for all its users.";
const DRAFT: &str = "Our memo begins here. The licenses for most software are designed to take \
away your freedom to share and change it. By contrast, the GNU General Public License is \
intended to guarantee your freedom to share and change free software. Then our own words end it.";

fn app_with(max_body: usize) -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = stemma_server::Config::new(dir.path().join("index"));
    config.max_body_bytes = max_body;
    (dir, stemma_server::app(config).unwrap())
}

fn app() -> (tempfile::TempDir, Router) {
    app_with(256 * 1024)
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    fn header(&self, name: header::HeaderName) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn post_json(app: &Router, uri: &str, body: Value) -> Answer {
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(app, request).await
}

async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "stemma-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_form(app: &Router, uri: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Answer {
    let (content_type, body) = multipart(parts);
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

#[tokio::test]
async fn compare_and_diff_answer_the_cli_schemas() {
    let (_dir, app) = app();
    let r = post_json(
        &app,
        "/api/compare",
        json!({"a": {"text": GPL, "title": "GPL"}, "b": {"text": DRAFT}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["schema"], "stemma.compare/1");
    assert!(!v["passages"].as_array().unwrap().is_empty(), "{v}");
    assert!(r
        .header(header::CONTENT_SECURITY_POLICY)
        .contains("default-src 'none'"));
    assert_eq!(r.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    // The JSON is the CLI's, byte for byte: the same renderer over the same inputs.
    let a = {
        let mut d = stemma_text::Document::new("GPL", GPL);
        d.title = Some("GPL".into());
        d
    };
    let b = stemma_text::Document::new("b", DRAFT);
    let (aa, ba) = (stemma_text::analyze(&a.text), stemma_text::analyze(&b.text));
    let options = stemma_align::CompareOptions::default();
    let passages = stemma_align::align(&aa, &ba, &options);
    let expected = stemma_report::compare::to_json(&stemma_report::compare::CompareView {
        a: &a,
        b: &b,
        a_words: aa.tokens.len(),
        b_words: ba.tokens.len(),
        passages: &passages,
        options: &options,
        cross_lingual: None,
    });
    assert_eq!(r.body, expected);

    // `all_alignments` is the CLI's --all-alignments.
    let r = post_json(
        &app,
        "/api/compare",
        json!({"a": {"text": GPL, "title": "GPL"}, "b": {"text": DRAFT}, "all_alignments": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["options"]["all_alignments"], true);
    assert_eq!(v["summary"]["alternatives"], 0);

    let r = post_json(
        &app,
        "/api/diff",
        json!({"a": {"text": "1. One.\n2. Two.\n"}, "b": {"text": "1. One.\n2. Two and more.\n"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["schema"], "stemma.diff/1");
}

#[tokio::test]
async fn html_reports_escape_text_and_allow_only_hashed_scripts() {
    let (_dir, app) = app();
    let evil = format!(
        "<script>alert(1)</script> <img src=x onerror=alert(2)> <a href=\"javascript:alert(3)\">x</a> {GPL}"
    );
    let r = post_json(
        &app,
        "/api/compare?format=html",
        json!({"a": {"text": evil, "title": "<script>alert(4)</script>"}, "b": {"text": evil}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.header(header::CONTENT_TYPE).starts_with("text/html"));
    assert!(!r.body.contains("<script>alert"));
    assert!(!r.body.contains("<img"));
    assert!(!r.body.contains("href=\"javascript:"));
    assert!(r.body.contains("&lt;script&gt;"));
    let csp = r.header(header::CONTENT_SECURITY_POLICY);
    let script_src = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(
        script_src.contains("'sha256-") && !script_src.contains("unsafe"),
        "{csp}"
    );
    assert!(csp.contains("sandbox allow-scripts"));
    assert!(r.header(header::CONTENT_DISPOSITION).is_empty());

    // A download is exactly the CLI's file (no viewer script) and an attachment.
    let r = post_json(
        &app,
        "/api/compare?format=html&download=1",
        json!({"a": {"text": GPL}, "b": {"text": DRAFT}}),
    )
    .await;
    assert!(r
        .header(header::CONTENT_DISPOSITION)
        .starts_with("attachment"));
    assert_eq!(r.body.matches("<script>").count(), 1);
}

#[tokio::test]
async fn oversized_bodies_get_a_clear_413() {
    let (_dir, app) = app_with(4096);
    let big = "word ".repeat(2000);
    let r = post_json(
        &app,
        "/api/compare",
        json!({"a": {"text": big}, "b": {"text": "x"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let v = r.json();
    assert_eq!(v["schema"], "stemma.error/1");
    assert!(v["error"].as_str().unwrap().contains("4096 bytes"), "{v}");

    // Without a Content-Length (chunked), the limit still holds.
    let stream = futures_body(big.into_bytes());
    let request = Request::post("/api/compare")
        .header(header::CONTENT_TYPE, "application/json")
        .body(stream)
        .unwrap();
    let r = send(&app, request).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
}

/// A body of unknown length.
fn futures_body(bytes: Vec<u8>) -> Body {
    let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> = bytes
        .chunks(512)
        .map(|c| Ok(axum::body::Bytes::copy_from_slice(c)))
        .collect();
    Body::from_stream(futures_util::stream::iter(chunks))
}

#[tokio::test]
async fn no_request_names_a_server_file() {
    let (_dir, app) = app();
    // No field can carry a path.
    let r = post_json(
        &app,
        "/api/compare",
        json!({"a": {"path": "/etc/passwd"}, "b": {"text": "x"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("unknown field"));
    // An id is looked up in the index, never on disk.
    let r = post_json(
        &app,
        "/api/compare",
        json!({"a": {"id": "/etc/passwd"}, "b": {"text": "x"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // An upload's name only names the document; its bytes are the content.
    let r = post_form(
        &app,
        "/api/compare",
        &[
            ("a_file", Some("../../../etc/passwd"), GPL.as_bytes()),
            ("b", None, DRAFT.as_bytes()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["a"]["id"], "passwd", "{v}");
    assert!(!r.body.contains("root:"));
    // Asset names are a fixed list.
    assert_eq!(
        get(&app, "/assets/..%2F..%2FCargo.toml").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn uploads_are_read_by_content_not_by_name() {
    let (_dir, app) = app();
    let html = format!(
        "<!DOCTYPE html><html><head><title>Page</title></head><body><p>{GPL}</p></body></html>"
    );
    let r = post_form(
        &app,
        "/api/documents",
        &[("file", Some("looks-like.txt"), html.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["added"], 1);
    let r = get(&app, "/api/documents/looks-like.txt").await;
    let v = r.json();
    assert_eq!(v["schema"], "stemma.index-show/1");
    let text = v["document"]["text"].as_str().unwrap();
    assert!(!text.contains("<p>") && text.contains("licenses"), "{text}");

    // Binary bytes named .txt are refused, with the reason.
    let r = post_form(
        &app,
        "/api/documents",
        &[(
            "file",
            Some("x.txt"),
            &[0u8, 1, 2, 3, 0, 0, 0xff, 0xfe, 0, 7][..],
        )],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["failed"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn corpus_add_list_search_trace_delete() {
    let (_dir, app) = app();
    let r = post_json(
        &app,
        "/api/documents",
        json!({"documents": [
            {"id": "gpl", "title": "GPL preamble", "date": "1991-06-01", "text": GPL},
            {"id": "other", "text": "Entirely unrelated words about gardening, tomatoes and rain in spring."}
        ]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["added"], 2);

    let r = get(&app, "/api/documents").await;
    let v = r.json();
    assert_eq!(v["schema"], "stemma.index-list/1");
    assert_eq!(v["documents"].as_array().unwrap().len(), 2);

    let r = get(&app, "/api/search?q=tomatoes").await;
    let v = r.json();
    assert_eq!(v["schema"], "stemma.index-search/1");
    assert_eq!(v["hits"][0]["id"], "other");
    assert_eq!(
        get(&app, "/api/search?q=").await.status,
        StatusCode::BAD_REQUEST
    );

    let r = post_json(
        &app,
        "/api/trace",
        json!({"doc": {"text": DRAFT}, "top": 5}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["schema"], "stemma.trace/1");
    assert_eq!(v["sources"][0]["id"], "gpl", "{v}");

    let r = get(&app, "/api/trace?id=gpl&format=html").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("stemma trace"));
    assert_eq!(
        post_json(
            &app,
            "/api/trace",
            json!({"doc": {"text": DRAFT}, "top": 0})
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );

    let r = send(
        &app,
        Request::delete("/api/documents/gpl")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["schema"], "stemma.index-rm/1");
    let r = send(
        &app,
        Request::delete("/api/documents/gpl")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, "/api/documents/gpl").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pages_have_the_app_policy_and_escape_metadata() {
    let (_dir, app) = app();
    for page in ["/", "/compare", "/diff", "/corpus"] {
        let r = get(&app, page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        assert_eq!(
            r.header(header::CONTENT_SECURITY_POLICY),
            stemma_server::APP_CSP
        );
        assert!(!r.body.contains("<script>"), "{page}: no inline script");
        assert!(r.body.contains("src=\"/assets/app.js\""));
    }
    let evil = "<script>alert(1)</script>";
    let r = post_json(
        &app,
        "/api/documents",
        json!({"documents": [{"id": evil, "title": "<img src=x onerror=alert(1)>", "text": format!("{evil} {GPL}")}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for page in [
        "/corpus",
        "/corpus?q=licenses",
        "/corpus/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ] {
        let r = get(&app, page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.body);
        assert!(
            !r.body.contains("<script>alert") && !r.body.contains("<img"),
            "{page}"
        );
        assert!(r.body.contains("&lt;script&gt;"), "{page}");
    }
    let r = get(&app, "/assets/app.js").await;
    assert!(r
        .header(header::CONTENT_TYPE)
        .starts_with("text/javascript"));
}

#[tokio::test]
async fn documents_committed_by_another_writer_show_up() {
    let (dir, app) = app();
    assert_eq!(
        get(&app, "/api/documents").await.json()["documents"],
        json!([])
    );
    // As `stemma index add` would, from outside the server.
    let index = stemma_index::Index::open(dir.path().join("index")).unwrap();
    let mut writer = index.writer_with(1, 32 * 1024 * 1024).unwrap();
    writer
        .add(&stemma_text::Document::new("outside", GPL))
        .unwrap();
    writer.commit().unwrap();
    drop(writer);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let v = get(&app, "/api/documents").await.json();
    assert_eq!(v["documents"][0]["id"], "outside", "{v}");
    // The pages count it in the singular.
    let page = get(&app, "/").await.body;
    assert!(page.contains("(1 document)"), "{page}");
    let page = get(&app, "/corpus").await.body;
    assert!(page.contains(">1 document</h2>"), "{page}");
}

/// The message the CLI gives for a file with these bytes, without the file's name: what
/// `stemma compare` prints after "stemma: PATH: ".
fn cli_refusal(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.txt");
    std::fs::write(&path, bytes).unwrap();
    let name = path.to_str().unwrap();
    let err = stemma_ingest::load(name, &stemma_ingest::Limits::default()).unwrap_err();
    err.to_string()
        .strip_prefix(&format!("{name}: "))
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn empty_documents_are_refused_as_the_cli_refuses_them() {
    let (_dir, app) = app();
    let blank = "  \n\n -- \n";
    for (text, why) in [
        ("", cli_refusal(b"")),
        (blank, cli_refusal(blank.as_bytes())),
    ] {
        assert!(why.starts_with("empty document"), "{why}");
        for (uri, body, name) in [
            (
                "/api/compare",
                json!({"a": {"text": text}, "b": {"text": GPL}}),
                "a",
            ),
            (
                "/api/compare",
                json!({"a": {"text": GPL}, "b": {"text": text, "id": "mine"}}),
                "mine",
            ),
            (
                "/api/diff",
                json!({"a": {"text": GPL}, "b": {"text": text}}),
                "new",
            ),
            ("/api/trace", json!({"doc": {"text": text}}), "draft"),
        ] {
            let r = post_json(&app, uri, body).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.body);
            assert_eq!(r.json()["error"], format!("{name}: {why}"), "{uri}");
        }
        // Adding an empty document is refused like `stemma index add` skips an empty file.
        let r = post_json(
            &app,
            "/api/documents",
            json!({"documents": [{"id": "e", "text": text}]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["failed"][0]["error"], format!("e: {why}"));
    }
    // The same through the forms: a text with no words, and a chosen file that is empty.
    let r = post_form(
        &app,
        "/api/compare",
        &[("a", None, b" -- "), ("b", None, GPL.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["error"], format!("a: {}", cli_refusal(b" -- ")));
    let r = post_form(
        &app,
        "/api/diff",
        &[
            ("a_file", Some("old.txt"), b""),
            ("b", None, GPL.as_bytes()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["error"], format!("old.txt: {}", cli_refusal(b"")));
    // A file input left empty (no name, no bytes) is no document at all.
    let r = post_form(
        &app,
        "/api/trace",
        &[("doc_file", Some(""), b""), ("doc", None, DRAFT.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        get(&app, "/api/documents").await.json()["documents"],
        json!([])
    );
}

#[tokio::test]
async fn searches_with_nothing_to_look_for_are_refused() {
    let (_dir, app) = app();
    let r = post_json(
        &app,
        "/api/documents",
        json!({"documents": [
            {"id": "gpl", "text": GPL},
            {"id": "other", "text": "Entirely unrelated words about gardening, tomatoes and rain in spring."}
        ]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let long = "tomatoes+".repeat(1200);
    let nested = format!("{}tomatoes{}", "%28".repeat(3000), "%29".repeat(3000));
    for (q, why) in [
        ("%22%22%22", "the query has no searchable words"),
        ("%22", "the query has no searchable words"),
        ("AND", "the query has no searchable words"),
        ("-", "the query has no searchable words"),
        ("title%3A", "the query has no searchable words"),
        ("", "the query has no searchable words"),
        ("the+of", "only stopwords"),
        ("-tomatoes", "only excluded words"),
        (long.as_str(), "over the limit of 10000"),
        (nested.as_str(), "nests parentheses 3000 deep"),
    ] {
        let r = get(&app, &format!("/api/search?q={q}")).await;
        let shown = &q[..q.len().min(20)];
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{shown}: {}", r.body);
        let v = r.json();
        assert_eq!(v["schema"], "stemma.error/1");
        assert!(v["error"].as_str().unwrap().contains(why), "{shown}: {v}");
    }
    let r = get(&app, "/api/search?q=%22tomatoes").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["hits"].as_array().unwrap().len(), 1);
    // Every refusal is the API's JSON error, including parameters axum cannot parse.
    for uri in [
        "/api/search",
        "/api/search?q=tomatoes&limit=0",
        "/api/search?q=tomatoes&limit=101",
        "/api/search?q=tomatoes&limit=ten",
        "/api/trace",
        "/api/trace?id=gpl&top=many",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.body);
        assert_eq!(r.json()["schema"], "stemma.error/1", "{uri}");
    }
    // The corpus page shows the refusal instead of every document as a hit.
    let r = get(&app, "/corpus?q=%22%22%22").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("the query has no searchable words"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("results for"), "{}", r.body);
}

//! Cross-lingual `stemma index add | embed` and `stemma trace` end to end.
//!
//! Tests that need the model read it from `STEMMA_MODEL_DIR`; CI installs it there and sets
//! `STEMMA_REQUIRE_MODEL=1`, which turns a missing model into a failure.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{installed_model, stemma, EN, GPL, LGPL, RU};

fn run(mut cmd: Command, args: &[&str]) -> (String, String) {
    let out = cmd.args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap()
}

#[test]
fn trace_finds_a_translated_source_stored_with_embeddings() {
    let Some(model) = installed_model() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("idx");
    let index = index.to_str().unwrap();
    let with = || stemma(Some(&model), home.path());
    run(with(), &["index", "--index", index, "add", RU, LGPL, GPL]);
    let (stats, _) = run(with(), &["index", "--index", index, "stats", "--json"]);
    assert_eq!(json(&stats)["stats"]["embedded"], 3);

    let (out, err) = run(with(), &["trace", "--index", index, EN, "--json"]);
    assert!(err.is_empty(), "{err}");
    let report = json(&out);
    let cross = &report["cross_lingual"];
    assert_eq!(cross["status"], "searched", "{cross}");
    assert_eq!(cross["target_lang"], "eng");
    let ru = cross["languages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "udhr-ru-articles-1-10.txt")
        .expect("the Russian source is a candidate");
    assert_eq!(ru["lang"], "rus");
    assert!(ru["translated_passages"].as_u64().unwrap() >= 1, "{ru}");
    // The English articles 3-6 inside Emma are attributed to the Russian text.
    let translated: Vec<&serde_json::Value> = report["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "translated")
        .collect();
    assert!(!translated.is_empty(), "{out}");
    let target = std::fs::read_to_string(EN).unwrap();
    for s in &translated {
        assert_eq!(s["source"], "udhr-ru-articles-1-10.txt");
        let (start, end) = (
            s["target"]["start"].as_u64().unwrap() as usize,
            s["target"]["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&target[start..end], s["target_text"].as_str().unwrap());
    }
    let text: String = translated
        .iter()
        .map(|s| s["target_text"].as_str().unwrap())
        .collect();
    assert!(text.contains("right to life, liberty"), "{text}");
    assert!(!text.contains("Emma Woodhouse"), "{text}");

    // Off: the monolingual trace, byte for byte the one of an index without embeddings and
    // no model.
    let (off, _) = run(
        with(),
        &[
            "trace",
            "--index",
            index,
            EN,
            "--json",
            "--cross-lingual",
            "never",
        ],
    );
    assert!(json(&off).get("cross_lingual").is_none());
    let plain = dir.path().join("plain");
    let plain = plain.to_str().unwrap();
    let without = || stemma(None, home.path());
    run(
        without(),
        &["index", "--index", plain, "add", RU, LGPL, GPL],
    );
    let (stats, _) = run(without(), &["index", "--index", plain, "stats", "--json"]);
    assert_eq!(json(&stats)["stats"]["embedded"], 0);
    let (mono, err) = run(without(), &["trace", "--index", plain, EN, "--json"]);
    assert!(err.is_empty(), "{err}");
    assert_eq!(off, mono);
    // A same-language trace is unchanged by the embeddings.
    let (a, _) = run(
        with(),
        &["trace", "--index", index, "--id", "LGPL-2.1.txt", "--json"],
    );
    let (b, _) = run(
        without(),
        &["trace", "--index", plain, "--id", "LGPL-2.1.txt", "--json"],
    );
    let mut a = json(&a);
    assert_eq!(a["cross_lingual"]["status"], "searched");
    a.as_object_mut().unwrap().remove("cross_lingual");
    assert_eq!(a, json(&b));
}

#[test]
fn an_index_without_embeddings_says_so_and_gets_them_later() {
    let Some(model) = installed_model() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("idx");
    let index = index.to_str().unwrap();
    let with = || stemma(Some(&model), home.path());
    run(
        with(),
        &["index", "--index", index, "add", RU, GPL, "--no-embeddings"],
    );
    let (out, err) = run(with(), &["trace", "--index", index, EN, "--json"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("stemma index embed"), "{err}");
    assert_eq!(json(&out)["cross_lingual"]["status"], "index_not_embedded");

    let (_, err) = run(with(), &["index", "--index", index, "embed"]);
    assert!(err.contains("embedded 2 documents"), "{err}");
    let (stats, _) = run(with(), &["index", "--index", index, "stats", "--json"]);
    let stats = json(&stats);
    assert_eq!(stats["stats"]["embedded"], 2);
    assert_eq!(stats["stats"]["documents"], 2);
    let (out, _) = run(with(), &["trace", "--index", index, EN, "--json"]);
    let report = json(&out);
    assert!(report["segments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["kind"] == "translated"));

    // Embeddings on disk but no model: one line saying how to install it; the trace is the
    // monolingual one.
    let (out, err) = run(
        stemma(None, home.path()),
        &["trace", "--index", index, EN, "--json"],
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("stemma model install"), "{err}");
    assert_eq!(json(&out)["cross_lingual"]["status"], "model_missing");

    // embed without a model: one line, exit 2.
    let out = stemma(None, home.path())
        .args(["index", "--index", index, "embed"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("stemma model install"), "{err}");
}

/// A running `stemma serve` over `index`, killed when dropped.
struct Server {
    child: std::process::Child,
    addr: String,
}

impl Server {
    /// With the model in `model`, as [`stemma`] runs the CLI.
    fn start(model: &Path, home: &Path, index: &str) -> Server {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_stemma"))
            .env_remove("STEMMA_INDEX")
            .env("XDG_DATA_HOME", home)
            .env("STEMMA_MODEL_DIR", model)
            .args(["serve", "--bind", "127.0.0.1:0", "--index", index])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Server { child, addr }
    }

    /// The body of an HTTP/1.0 request's answer (no chunked encoding), after checking it is
    /// a 200.
    fn request(&self, method: &str, path: &str, body: &str) -> String {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&self.addr).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.0\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
        answer.split_once("\r\n\r\n").unwrap().1.to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_api_traces_across_languages_as_the_cli_does() {
    let Some(model) = installed_model() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("idx");
    let index = index.to_str().unwrap();
    let with = || stemma(Some(&model), home.path());
    run(with(), &["index", "--index", index, "add", RU, LGPL, GPL]);
    let server = Server::start(&model, home.path(), index);

    // A posted text, as `stemma trace FILE --json`.
    let (cli, _) = run(with(), &["trace", "--index", index, EN, "--json"]);
    let text = std::fs::read_to_string(EN).unwrap();
    let request = serde_json::json!({
        "doc": {"id": "emma-with-udhr-en-articles-3-6.txt", "text": text},
    });
    let api = server.request("POST", "/api/trace", &request.to_string());
    assert_eq!(json(&api)["cross_lingual"]["status"], "searched", "{api}");
    assert!(json(&api)["segments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["kind"] == "translated"));
    assert_eq!(json(&api), json(&cli));

    // An indexed document by id, as `stemma trace --id ID --json`.
    let (cli, _) = run(
        with(),
        &["trace", "--index", index, "--id", "LGPL-2.1.txt", "--json"],
    );
    let api = server.request("GET", "/api/trace?id=LGPL-2.1.txt", "");
    assert_eq!(json(&api), json(&cli));
    let api = server.request(
        "GET",
        "/api/trace?id=LGPL-2.1.txt&cross_lingual=auto&xling_candidates=10",
        "",
    );
    assert_eq!(json(&api), json(&cli));

    // Off on request, as `--cross-lingual never`.
    let (cli, _) = run(
        with(),
        &[
            "trace",
            "--index",
            index,
            EN,
            "--json",
            "--cross-lingual",
            "never",
        ],
    );
    let request = serde_json::json!({
        "doc": {"id": "emma-with-udhr-en-articles-3-6.txt", "text": text},
        "cross_lingual": "never",
    });
    let api = server.request("POST", "/api/trace", &request.to_string());
    assert!(json(&api).get("cross_lingual").is_none());
    assert_eq!(json(&api), json(&cli));
}

#[test]
fn serve_refuses_a_broken_model_folder_at_start() {
    let Some(model) = installed_model() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let broken = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&model).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, broken.path().join(path.file_name().unwrap())).unwrap();
    }
    let weights = broken.path().join("weights.bin");
    let len = std::fs::metadata(&weights).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&weights)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = stemma(Some(broken.path()), home.path())
        .args(["serve", "--bind", "127.0.0.1:0", "--index"])
        .arg(dir.path().join("idx"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("truncated"), "{err}");
}

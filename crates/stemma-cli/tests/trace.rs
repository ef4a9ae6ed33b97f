//! `stemma trace`: attribution against an index, in the terminal, JSON and HTML.

use std::path::Path;
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;

fn stemma() -> Command {
    let mut cmd = Command::cargo_bin("stemma").unwrap();
    // Monolingual: without the cross-lingual model, nothing is embedded (tests/xtrace.rs
    // covers the cross-lingual trace).
    cmd.env_remove("STEMMA_INDEX")
        .env_remove("STEMMA_MODEL_DIR")
        .env("XDG_DATA_HOME", "/nonexistent/stemma-test-data")
        .env("NO_COLOR", "1");
    cmd
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = stemma();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_env(args, &[])
}

const GPL: &str = "The licenses for most software are designed to take away your freedom to \
share and change it. By contrast, the GNU General Public License is intended to guarantee your \
freedom to share and change free software, to make sure the software is free for all its users. \
This General Public License applies to most of the Free Software Foundation's software and to \
any other program whose authors commit to using it.";
const OIL: &str = "Crude oil prices climbed sharply in early trading after producers agreed to \
extend output cuts through the end of next year, analysts at several banks noted on Monday in \
their reports to clients, adding that inventories in Europe had fallen for a third week.";
const WEATHER: &str = "Heavy rain is expected across the northern provinces on Tuesday, with \
flooding possible near rivers, forecasters said, before sunshine returns at the weekend and \
temperatures climb back to seasonal levels for the rest of the month.";

/// An index with a few dated sources (JSON Lines), and a draft built from two of them.
fn setup(tmp: &Path) -> (String, String) {
    let corpus = tmp.join("corpus.jsonl");
    let records = [
        ("gpl-1991", "1991-06-01", GPL),
        ("gpl-copy-2007", "2007-06-29", GPL),
        ("oil-1987", "1987-03-02", OIL),
        ("weather-<b>", "1988-01-01", WEATHER),
    ];
    let lines: String = records
        .iter()
        .map(|(id, date, text)| {
            serde_json::json!({"id": id, "date": date, "series": "wire", "text": text}).to_string()
                + "\n"
        })
        .collect();
    std::fs::write(&corpus, lines).unwrap();
    let idx = tmp.join("idx");
    let (code, _, err) = run(&[
        "index",
        "--index",
        idx.to_str().unwrap(),
        "add",
        corpus.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let draft = tmp.join("draft.txt");
    std::fs::write(
        &draft,
        format!("Draft plan — our own opening words, written for this memo alone.\n\n{GPL}\n\nThen: {OIL}\n\nA closing line of ours.\n"),
    )
    .unwrap();
    (
        idx.to_str().unwrap().to_string(),
        draft.to_str().unwrap().to_string(),
    )
}

#[test]
fn trace_attributes_each_part_to_its_earliest_source() {
    let tmp = tempfile::tempdir().unwrap();
    let (idx, draft) = setup(tmp.path());
    let (code, out, err) = run(&["trace", "--index", &idx, &draft, "--json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["schema"], "stemma.trace/1");
    let ids: Vec<&str> = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    // The GPL text is in two sources: the earlier one gets it.
    assert_eq!(ids, ["gpl-1991", "oil-1987"]);
    assert_eq!(
        json["timeline"],
        serde_json::json!(["oil-1987", "gpl-1991"])
    );
    let unexplained = json["summary"]["unexplained_share"].as_f64().unwrap();
    assert!(unexplained > 0.1 && unexplained < 0.35, "{unexplained}");
    let text = std::fs::read_to_string(&draft).unwrap();
    for seg in json["segments"].as_array().unwrap() {
        let (s, e) = (
            seg["target"]["start"].as_u64().unwrap() as usize,
            seg["target"]["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[s..e], seg["target_text"].as_str().unwrap());
        assert_eq!(
            text[..s].chars().count() as u64,
            seg["target"]["char_start"].as_u64().unwrap()
        );
        assert!(seg["source_span"]["char_end"].as_u64().is_some());
    }

    // Every aligned document, closest first: the later copy of the GPL text is as close as
    // the earlier one (which was given the words, and stays ahead) and closer than the oil
    // story, which explains less of the draft.
    let closest: Vec<&str> = json["by_closeness"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(closest, ["gpl-1991", "gpl-copy-2007", "oil-1987"]);

    let (code, out, _) = run(&["trace", "--index", &idx, &draft]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Sources, by date") && out.contains("gpl-1991") && out.contains("unexplained"),
        "{out}"
    );
    insta::assert_snapshot!("trace_terminal", out);
}

#[test]
fn json_is_identical_across_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let (idx, draft) = setup(tmp.path());
    let one = run_env(
        &["trace", "--index", &idx, &draft, "--json"],
        &[("STEMMA_THREADS", "1")],
    );
    let four = run_env(
        &["trace", "--index", &idx, &draft, "--json"],
        &[("STEMMA_THREADS", "4")],
    );
    assert_eq!(one.0, 0);
    assert_eq!(one.1, four.1);
}

#[test]
fn trace_by_id_leaves_the_document_itself_out() {
    let tmp = tempfile::tempdir().unwrap();
    let (idx, _) = setup(tmp.path());
    let (code, out, err) = run(&["trace", "--index", &idx, "--id", "gpl-copy-2007", "--json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["target"]["id"], "gpl-copy-2007");
    assert_eq!(json["sources"][0]["id"], "gpl-1991");
    assert!(json["summary"]["unexplained_share"].as_f64().unwrap() < 0.05);
    let (code, _, err) = run(&["trace", "--index", &idx, "--id", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no document with id \"nope\""), "{err}");
}

#[test]
fn html_report_is_self_contained_and_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let (idx, _) = setup(tmp.path());
    let draft = tmp.path().join("evil.txt");
    std::fs::write(
        &draft,
        format!("<script>alert(1)</script> {WEATHER} <img src=x>"),
    )
    .unwrap();
    let html = tmp.path().join("r.html");
    let (code, _, err) = run(&[
        "trace",
        "--index",
        &idx,
        draft.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("Content-Security-Policy"));
    assert!(
        !page.contains("<script>alert") && !page.contains("<img") && !page.contains("weather-<b>")
    );
    assert!(page.contains("weather-&lt;b&gt;"));
    assert!(!page.contains("http://") && !page.contains("https://"));
}

#[test]
fn missing_index_and_bad_input_are_one_line_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d.txt");
    std::fs::write(&d, GPL).unwrap();
    let none = tmp.path().join("none");
    let (code, _, err) = run(&[
        "trace",
        "--index",
        none.to_str().unwrap(),
        d.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no index here"), "{err}");
    let (idx, _) = setup(tmp.path());
    let (code, _, err) = run(&["trace", "--index", &idx, "no/such.txt"]);
    assert_eq!(code, 2);
    assert_eq!(err.trim_end(), "stemma: no/such.txt: file not found");
    let empty = tmp.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let (code, _, err) = run(&["trace", "--index", &idx, empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn trace_works_while_an_add_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let (idx, draft) = setup(tmp.path());
    // A long add into the same index.
    let corpus = tmp.path().join("more");
    std::fs::create_dir(&corpus).unwrap();
    for i in 0..400 {
        let text: String = (0..400).map(|w| format!("w{}x{} ", i, w % 97)).collect();
        std::fs::write(corpus.join(format!("m{i:04}.txt")), text).unwrap();
    }
    let mut child = stemma()
        .args([
            "index",
            "--index",
            &idx,
            "add",
            corpus.to_str().unwrap(),
            "--commit-every",
            "50",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut traced = 0;
    while child.try_wait().unwrap().is_none() && traced < 5 {
        let (code, out, err) = run(&["trace", "--index", &idx, &draft, "--json"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("gpl-1991"));
        traced += 1;
    }
    assert!(child.wait().unwrap().success());
    let (code, _, err) = run(&["trace", "--index", &idx, &draft]);
    assert_eq!(code, 0, "{err}");
}

/// The stemma-index fixtures: KJV Genesis 1–5, WEB Genesis 3, BSD-3-Clause (see SOURCE.md).
fn index_fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../stemma-index/tests/fixtures");
    std::fs::read_to_string(path.join(name)).unwrap()
}

fn ids(json: &serde_json::Value, key: &str) -> Vec<String> {
    json[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| v["id"].as_str().unwrap())
                .to_string()
        })
        .collect()
}

#[test]
fn trace_finds_a_reworded_source_and_a_short_common_one_through_bm25() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let kjv = index_fixture("genesis-kjv-1-5.txt");
    for (i, chapter) in kjv.split("\n\n").enumerate() {
        std::fs::write(corpus.join(format!("kjv-{}.txt", i + 1)), chapter).unwrap();
    }
    // BSD-3-Clause and thirty longer licences embedding it.
    let bsd = index_fixture("BSD-3-Clause.txt");
    std::fs::write(corpus.join("bsd-3-clause.txt"), &bsd).unwrap();
    for i in 0..30 {
        let own: String = (0..12)
            .map(|j| format!("Clause {j} of project {i} covers module m{i}x{j} and its manual. "))
            .collect();
        let text = format!("The Project {i} Licence.\n\n{bsd}\n\nAdditional terms:\n{own}");
        std::fs::write(corpus.join(format!("embedding-{i:02}.txt")), text).unwrap();
    }
    let idx = tmp.path().join("idx");
    let idx = idx.to_str().unwrap();
    let (code, _, err) = run(&["index", "--index", idx, "add", corpus.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");

    // Eight lines of WEB Genesis 3: a rewording of kjv-3 that keeps too few exact n-grams
    // for the fingerprints.
    let web = index_fixture("genesis-web-3.txt");
    let web: Vec<&str> = web.lines().collect();
    let draft = tmp.path().join("lesson.txt");
    std::fs::write(
        &draft,
        format!(
            "Lesson plan, week three.\n\n{}\n\nDiscuss in pairs.\n",
            web[20..28].join("\n")
        ),
    )
    .unwrap();
    let draft = draft.to_str().unwrap();
    let (code, out, err) = run(&["trace", "--index", idx, draft, "--json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        ids(&json, "sources").first().map(String::as_str),
        Some("kjv-3.txt"),
        "{out}"
    );
    let (code, out, err) = run(&[
        "trace",
        "--index",
        idx,
        draft,
        "--json",
        "--bm25-candidates",
        "0",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        !ids(&json, "candidates").contains(&"kjv-3.txt".to_string()),
        "{out}"
    );
    // The BM25 channel alone finds it; both channels off is refused.
    let (code, out, err) = run(&[
        "trace",
        "--index",
        idx,
        draft,
        "--json",
        "--candidates",
        "0",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        ids(&json, "sources").first().map(String::as_str),
        Some("kjv-3.txt"),
        "{out}"
    );
    let (code, _, err) = run(&[
        "trace",
        "--index",
        idx,
        draft,
        "--candidates",
        "0",
        "--bm25-candidates",
        "0",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot both be 0"), "{err}");

    // A BSD-3-Clause notice, with boilerplate fingerprints capped at 10 documents (as in a
    // corpus where the licence is everywhere): the original is still aligned.
    let notice = tmp.path().join("notice.txt");
    std::fs::write(
        &notice,
        format!("Copyright (c) 2021, Example Corp.\n\n{bsd}"),
    )
    .unwrap();
    let notice = notice.to_str().unwrap();
    for (bm25, expected) in [("15", true), ("0", false)] {
        let (code, out, err) = run(&[
            "trace",
            "--index",
            idx,
            notice,
            "--json",
            "--max-df",
            "10",
            "--bm25-candidates",
            bm25,
        ]);
        assert_eq!(code, 0, "{err}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        let candidates = ids(&json, "candidates");
        assert_eq!(
            candidates.contains(&"bsd-3-clause.txt".to_string()),
            expected,
            "{out}"
        );
        if expected {
            assert_eq!(
                candidates[0], "bsd-3-clause.txt",
                "BM25 ranks the short original first"
            );
            assert!(
                ids(&json, "sources").contains(&"bsd-3-clause.txt".to_string()),
                "{out}"
            );
        }
    }
}

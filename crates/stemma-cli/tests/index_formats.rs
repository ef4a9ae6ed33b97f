//! `stemma index` on both index formats: format 3 (made by stemma before the fingerprint
//! store, fingerprint postings in tantivy) keeps working, read and write; format 4 (new
//! indexes, our own fingerprint files) gives the same traces; a damaged fingerprint file is one
//! line and exit 2.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    // No model and no default index, whatever the machine has: CI installs the cross-lingual
    // model, with which every add would embed its documents (and say so on stderr).
    let out = Command::cargo_bin("stemma")
        .unwrap()
        .env_remove("STEMMA_INDEX")
        .env_remove("STEMMA_MODEL_DIR")
        .env("XDG_DATA_HOME", "/nonexistent/stemma-test-data")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const TEXTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../stemma-index/tests/fixtures"
);
const GPL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/GPL-2.txt");

/// The three texts the format-3 fixture was made of, in a folder of their own.
fn sources(dir: &Path) -> PathBuf {
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    for name in [
        "BSD-3-Clause.txt",
        "genesis-kjv-1-5.txt",
        "genesis-web-3.txt",
    ] {
        std::fs::copy(Path::new(TEXTS).join(name), src.join(name)).unwrap();
    }
    src
}

fn fp_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".fps"))
        .count()
}

fn version(dir: &Path) -> u64 {
    let marker = std::fs::read_to_string(dir.join("stemma-index.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&marker).unwrap();
    value["version"].as_u64().unwrap()
}

/// Targets: a licence under a new preface, and a copy of the GPL's preamble in other words
/// around it.
fn targets(dir: &Path) -> [PathBuf; 2] {
    let bsd = dir.join("bsd-target.txt");
    let text = std::fs::read_to_string(Path::new(TEXTS).join("BSD-3-Clause.txt")).unwrap();
    std::fs::write(
        &bsd,
        format!("A preface written for this test, about nothing in particular.\n\n{text}"),
    )
    .unwrap();
    let gpl = dir.join("gpl-target.txt");
    let text = std::fs::read_to_string(GPL).unwrap();
    let cut = text.len() / 3;
    let cut = (cut..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap();
    std::fs::write(&gpl, format!("Our own opening words.\n\n{}", &text[..cut])).unwrap();
    [bsd, gpl]
}

fn trace_json(index: &Path, target: &Path) -> String {
    ok(&[
        "trace",
        "--index",
        index.to_str().unwrap(),
        target.to_str().unwrap(),
        "--json",
    ])
}

#[test]
fn a_format_3_index_reads_and_writes_and_traces_like_a_new_one() {
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join("v3");
    std::fs::create_dir(&old).unwrap();
    for entry in std::fs::read_dir(Path::new(FIXTURES).join("index-v3")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), old.join(entry.file_name())).unwrap();
    }
    let new = tmp.path().join("v4");
    let src = sources(tmp.path());
    ok(&[
        "index",
        "--index",
        new.to_str().unwrap(),
        "add",
        src.to_str().unwrap(),
    ]);
    assert_eq!(version(&old), 3);
    assert_eq!(version(&new), 4);
    // Written to: the GPL joins both.
    for index in [&old, &new] {
        ok(&[
            "index",
            "--index",
            index.to_str().unwrap(),
            "add",
            GPL,
            "--quiet",
        ]);
    }
    assert_eq!(version(&old), 3, "an index keeps its format");
    assert_eq!(fp_files(&old), 0);
    assert!(fp_files(&new) > 0);
    let stats = |index: &Path| ok(&["index", "--index", index.to_str().unwrap(), "stats"]);
    let strip = |s: String| {
        s.lines()
            .filter(|l| {
                !l.starts_with("index:")
                    && !l.starts_with("format:")
                    && !l.contains("disk")
                    && !l.contains("segment")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(stats(&old).contains("\nformat: 3 (fingerprint postings in tantivy's fp field)\n"));
    assert!(stats(&new).contains("\nformat: 4 (fingerprint postings in stemma's own files)\n"));
    assert_eq!(strip(stats(&old)), strip(stats(&new)));
    for (index, format) in [(&old, 3), (&new, 4)] {
        let out = ok(&[
            "index",
            "--index",
            index.to_str().unwrap(),
            "stats",
            "--json",
        ]);
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(json["format"], format, "{out}");
    }
    for target in targets(tmp.path()) {
        let (a, b) = (trace_json(&old, &target), trace_json(&new, &target));
        assert!(a.contains("\"sources\": 1"), "{a}");
        assert_eq!(a, b, "{}", target.display());
    }
}

#[test]
fn a_damaged_fingerprint_file_is_one_line_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("idx");
    let src = sources(tmp.path());
    ok(&[
        "index",
        "--index",
        index.to_str().unwrap(),
        "add",
        src.to_str().unwrap(),
    ]);
    let file = std::fs::read_dir(&index)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "fps"))
        .unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let good = std::fs::read(&file).unwrap();
    let [target, _] = targets(tmp.path());
    let i = index.to_str().unwrap();
    let t = target.to_str().unwrap();
    // Truncated: refused on opening; a byte flipped inside a block: refused by the trace
    // that reads the block.
    for damaged in [good[..good.len() - 7].to_vec(), {
        let mut bad = good.clone();
        bad[12] ^= 0x01;
        bad
    }] {
        std::fs::write(&file, &damaged).unwrap();
        for args in [
            vec!["trace", "--index", i, t],
            vec!["index", "--index", i, "add", GPL],
        ] {
            let (code, _, err) = run(&args);
            assert_eq!(code, 2, "{args:?}: {err}");
            assert_eq!(err.trim_end().lines().count(), 1, "{err}");
            assert!(err.contains(&name) && err.contains("corrupt"), "{err}");
            assert!(!err.contains("panicked"), "{err}");
        }
    }
}

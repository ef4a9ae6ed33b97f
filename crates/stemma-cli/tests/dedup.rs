//! `stemma dedup` and `stemma index dups` / `index add --dedup` from the command line:
//! records, summary, HTML, determinism, bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const GPL2: &str = include_str!(
    "../../stemma-dedup/tests/fixtures/gpl-history/1999-02-02-GPL-2.0-from-gnu.org.txt"
);
const GPL1: &str = include_str!(
    "../../stemma-dedup/tests/fixtures/gpl-history/2006-07-03-GPL-1.0-from-gnu.org.txt"
);

fn stemma() -> Command {
    Command::cargo_bin("stemma").unwrap()
}

/// A corpus: GPL 2 three ways (as is, re-wrapped upper-case, lightly edited with markup in
/// it), GPL 1, and a note.
fn corpus(dir: &std::path::Path) -> std::path::PathBuf {
    let rewrapped = GPL2
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("\n")
        .to_uppercase();
    let edited = GPL2.replacen(
        "Free Software Foundation",
        "<b>Free Software Foundation</b> & co",
        3,
    );
    let line = |id: &str, date: &str, text: &str| {
        serde_json::json!({"id": id, "date": date, "text": text}).to_string()
    };
    let lines = [
        line("gpl2-b", "1999-02-02", &rewrapped),
        line("gpl2-a", "1991-06-02", GPL2),
        line("gpl1", "1989-02-01", GPL1),
        line("gpl2-<edited>", "2001-01-01", &edited),
        line(
            "note",
            "2020-01-01",
            "Tomatoes want sun and beans want water.",
        ),
    ];
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn records(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn records_summary_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let (out, html) = (dir.path().join("dups.jsonl"), dir.path().join("o.html"));
    let summary = stemma()
        .args(["dedup", "-q", "--json", "--keep", "earliest"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("--html")
        .arg(&html)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let summary: Value = serde_json::from_slice(&summary).unwrap();
    assert_eq!(summary["schema"], "stemma.dedup/1");
    assert_eq!(summary["summary"]["documents"], 5);
    assert_eq!(summary["summary"]["clusters"], 1);
    assert_eq!(summary["summary"]["removed"], 2);
    assert_eq!(summary["summary"]["exact_removed"], 1);
    assert_eq!(summary["options"]["bands"], 21);
    let recs = records(&out);
    assert_eq!(recs.len(), 5);
    let by_id = |id: &str| recs.iter().find(|r| r["id"] == id).unwrap().clone();
    // Kept: the earliest GPL 2.
    assert_eq!(by_id("gpl2-a")["kept"], true);
    assert_eq!(by_id("gpl2-b")["duplicate_of"], "gpl2-a");
    assert_eq!(by_id("gpl2-b")["exact"], true);
    let edited = by_id("gpl2-<edited>");
    assert_eq!(edited["exact"], false);
    assert!(edited["similarity"].as_f64().unwrap() >= 0.8);
    assert_eq!(by_id("gpl1")["cluster"], Value::Null);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("gpl2-&lt;edited&gt;"));
    assert!(!page.contains("<b>Free"));
    assert!(page.contains("<ins>"));
    assert!(page.contains("class=\"pair\""));
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let mut outputs = Vec::new();
    for threads in ["1", "2", "4"] {
        let out = dir.path().join(format!("out-{threads}.jsonl"));
        let json = stemma()
            .args(["dedup", "-q", "--json", "--threads", threads])
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        outputs.push((json, std::fs::read(&out).unwrap()));
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}

#[test]
fn terminal_summary_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("docs");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("a.txt"), GPL2).unwrap();
    std::fs::write(
        folder.join("b.txt"),
        GPL2.replace("Foundation", "Fondation"),
    )
    .unwrap();
    std::fs::write(folder.join("c.txt"), GPL1).unwrap();
    stemma()
        .args(["dedup", "-q"])
        .arg(&folder)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "3 documents: 1 cluster; 1 document removed (0 exact, 1 near duplicates)",
        ))
        .stdout(predicate::str::contains("kept: a.txt"));
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let assert = stemma()
        .args(["dedup", "-q"])
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("stemma: "));
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stemma()
        .args(["dedup"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to read"));
    let input = corpus(dir.path());
    for (flag, value) in [("--threshold", "1.5"), ("--bands", "0"), ("--ngram", "0")] {
        stemma()
            .args(["dedup", "-q", flag, value])
            .arg(&input)
            .assert()
            .code(2);
    }
    std::fs::write(dir.path().join("bad.jsonl"), "{not json\n").unwrap();
    stemma()
        .args(["dedup", "-q"])
        .arg(dir.path().join("bad.jsonl"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.jsonl"));
}

#[test]
fn index_dups_and_add_dedup() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("idx");
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("gpl2.txt"), GPL2).unwrap();
    std::fs::write(docs.join("gpl1.txt"), GPL1).unwrap();
    stemma()
        .args(["index", "add", "-q", "--dedup"])
        .arg(&docs)
        .arg("--index")
        .arg(&index)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "no document added is a near duplicate",
        ));
    let copy = dir.path().join("copy.txt");
    std::fs::write(&copy, GPL2.replace("Foundation", "Fondation")).unwrap();
    stemma()
        .args(["index", "add", "-q", "--dedup"])
        .arg(&copy)
        .arg("--index")
        .arg(&index)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "copy.txt\tnear duplicate of gpl2.txt\t0.9",
        ))
        .stderr(predicate::str::contains("reads the whole index").not());
    // Another threshold is another band layout than the keys stored: said, and still right.
    let again = dir.path().join("again.txt");
    std::fs::write(&again, GPL2.replace("Foundation", "Fundacion")).unwrap();
    stemma()
        .args(["index", "add", "-q", "--dedup", "--dedup-threshold", "0.7"])
        .arg(&again)
        .arg("--index")
        .arg(&index)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "again.txt\tnear duplicate of ",
        ))
        .stderr(predicate::str::contains(
            "the index stores band keys for --dedup-threshold 0.8, not 0.7; --dedup reads the whole index",
        ));
    let json = stemma()
        .args(["index", "dups", "--json", "-q", "--index"])
        .arg(&index)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let summary: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(summary["summary"]["documents"], 4);
    assert_eq!(summary["summary"]["clusters"], 1);
    stemma()
        .args(["index", "dups", "--index"])
        .arg(dir.path().join("nowhere"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no index here"));
}

/// A plain `index add` stores no band keys (only `--dedup` reads them): a `--dedup` after
/// plain adds reads the whole index, and says so; after a `--dedup` add, plain adds keep the
/// keys, so the next `--dedup` reads only what it needs. Same lines either way.
#[test]
fn band_keys_are_stored_from_the_first_add_dedup() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("gpl2.txt"), GPL2).unwrap();
    std::fs::write(docs.join("gpl1.txt"), GPL1).unwrap();
    let other = dir.path().join("other.txt");
    std::fs::write(
        &other,
        "Tomatoes want sun and beans want water, the gardener said.",
    )
    .unwrap();
    let copy = dir.path().join("copy.txt");
    std::fs::write(&copy, GPL2.replace("Foundation", "Fondation")).unwrap();
    let add = |index: &std::path::Path, input: &std::path::Path, dedup: bool| {
        let mut cmd = stemma();
        cmd.args(["index", "add", "-q"])
            .arg(input)
            .arg("--index")
            .arg(index);
        if dedup {
            cmd.arg("--dedup");
        }
        cmd.assert().success()
    };
    let whole = "some documents of the index have no band keys";

    let plain_first = dir.path().join("plain-first");
    add(&plain_first, &docs, false);
    add(&plain_first, &other, false);
    add(&plain_first, &copy, true)
        .stdout("copy.txt\tnear duplicate of gpl2.txt\t0.9706\n")
        .stderr(predicate::str::contains(whole))
        .stderr(predicate::str::contains("--dedup reads the whole index"));

    let dedup_first = dir.path().join("dedup-first");
    add(&dedup_first, &docs, true);
    add(&dedup_first, &other, false);
    add(&dedup_first, &copy, true)
        .stdout("copy.txt\tnear duplicate of gpl2.txt\t0.9706\n")
        .stderr(predicate::str::contains("reads the whole index").not());
}

/// `--out /dev/null` (timing runs, or a user who wants only the summary) is written like any
/// file: a device cannot be synced, which must not turn a finished run into an error.
#[cfg(unix)]
#[test]
fn records_and_clusters_can_go_to_dev_null() {
    let dir = tempfile::tempdir().unwrap();
    let path = corpus(dir.path());
    stemma()
        .args(["dedup", "-q", "--out", "/dev/null", "--json"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"clusters\""));
    stemma()
        .args(["reuse", "-q", "--out", "/dev/null"])
        .arg(&path)
        .assert()
        .success();
}

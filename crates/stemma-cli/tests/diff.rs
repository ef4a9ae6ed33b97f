//! `stemma diff` end to end: reports, options, and bad input as one line with exit code 2.

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/diff/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn stemma() -> Command {
    let mut cmd = Command::cargo_bin("stemma").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

#[test]
fn summary_first_then_clauses() {
    stemma()
        .args(["diff", &fixture("plan-v1.txt"), &fixture("plan-v2.txt")])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "12 points → 11: 2 removed (3, 11), 1 added (11), 5+6 → 4 merged, 7 → 5+6 split, \
             8 → 10 moved, 2 reworded (2, 10 → 8), 3 renumbered, 1 unchanged, renumbered from 4; \
             text around the points unchanged\n",
        ))
        .stdout(predicate::str::contains("[-fifteen-]{+twenty+}"))
        .stdout(predicate::str::contains("\u{1b}").not());
}

#[test]
fn colour_always() {
    stemma()
        .args([
            "diff",
            "--color",
            "always",
            &fixture("plan-v1.txt"),
            &fixture("plan-v2.txt"),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("\u{1b}["));
}

#[test]
fn json_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("redline.html");
    let out = stemma()
        .args(["diff", "--json", "--html", html.to_str().unwrap()])
        .args([fixture("plan-v1.txt"), fixture("plan-v2.txt")])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "stemma.diff/1");
    assert_eq!(v["summary"]["counts"]["merged"], 1);
    assert_eq!(v["summary"]["counts"]["split"], 1);
    assert_eq!(v["changes"].as_array().unwrap().len(), 13);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<del>fifteen </del>") || page.contains("<del>fifteen"));
    assert!(page.contains("class=\"sbs\""));
    assert!(!page.contains("http://") && !page.contains("https://"));
    // Deterministic JSON.
    let again = stemma()
        .args([
            "diff",
            "--json",
            &fixture("plan-v1.txt"),
            &fixture("plan-v2.txt"),
        ])
        .assert()
        .get_output()
        .stdout
        .clone();
    assert_eq!(out, again);
}

#[test]
fn options_and_formats() {
    stemma()
        .args([
            "diff",
            "--ignore-numbering",
            &fixture("plan-v1.txt"),
            &fixture("plan-v2.txt"),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("renumbered").not());
    stemma()
        .args(["diff", &fixture("plan-v2.txt"), &fixture("plan-v2.md")])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "11 points → 11: 11 unchanged; text around the points unchanged\n",
        ));
    // The same version published as a web page (navigation, script, footer around it).
    stemma()
        .args(["diff", &fixture("plan-v2.txt"), &fixture("plan-v2.html")])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "11 points → 11: 11 unchanged; text around the points unchanged\n",
        ));
    stemma()
        .args([
            "diff",
            "--granularity",
            "sentence",
            &fixture("plan-v1.txt"),
            &fixture("plan-v2.txt"),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("sentences →"));
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    std::fs::write(&a, "1. The Board meets, monthly.\n").unwrap();
    std::fs::write(&b, "1. the board meets monthly\n").unwrap();
    stemma()
        .args(["diff", "--ignore-case", "--ignore-punctuation"])
        .args([&a, &b])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 point → 1: 1 unchanged"));
}

fn web(name: &str) -> String {
    format!(
        "{}/../stemma-diff/tests/fixtures/web/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The summary line of versions as they circulate names exactly the points removed,
/// merged, split, moved, reworded, expanded and shortened, and says which version is
/// unnumbered (fixtures and their truth: crates/stemma-diff/tests/fixtures/web/SOURCE).
#[test]
fn pasted_web_versions() {
    let counter = "1 removed (3), 1 added (•12), 10+11 → •8 merged, 12 → •9+•10 split, \
                   5 → •11 moved, 2 reworded (4 → •3, 6 → •4), 2 expanded (2 → •2, 8 → •6), \
                   1 shortened (7 → •5), 2 unchanged; new version unnumbered (bullets)";
    // The news page pasted as text, and the page itself (stemma reads its main text).
    for (old, around) in [
        ("plan-outlet-a.txt", "6 removed, 3 added"),
        ("plan-outlet-a.html", "4 removed, 3 added"),
    ] {
        stemma()
            .args(["diff", &web(old), &web("counter-outlet-b.txt")])
            .assert()
            .success()
            .stdout(predicate::str::contains(format!(
                "\n12 points → 12: {counter}; text around the points: {around}\n"
            )));
    }
    // The live blog: numbered "1)", commentary lines between the points.
    stemma()
        .args([
            "diff",
            &web("plan-outlet-a.txt"),
            &web("counter-liveblog-c.txt"),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "\n12 points → 12: 1 removed (3), 1 added (12), 10+11 → 8 merged, 12 → 9+10 split, \
             5 → 11 moved, 2 reworded (4 → 3, 6 → 4), 2 expanded (2, 8 → 6), 1 shortened (7 → 5), \
             1 renumbered, 1 unchanged, renumbered from 4; \
             text around the points: 4 removed, 8 added, 2 reworded\n",
        ));
    stemma()
        .args([
            "diff",
            &web("counter-outlet-b.txt"),
            &web("counter-liveblog-c.txt"),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "\n12 points → 12: 12 unchanged; old version unnumbered (bullets); \
             text around the points: 3 removed, 10 added\n",
        ));
    // --ignore-numbering: the same matches, nothing renumbered.
    stemma()
        .args(["diff", "--ignore-numbering"])
        .args([web("plan-outlet-a.txt"), web("counter-liveblog-c.txt")])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 shortened (7 → 5), 2 unchanged; text around the points",
        ));
    // JSON: new kinds and fields are additions to stemma.diff/1.
    let out = stemma()
        .args([
            "diff",
            "--json",
            &web("plan-outlet-a.txt"),
            &web("counter-outlet-b.txt"),
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "stemma.diff/1");
    assert_eq!(v["summary"]["counts"]["expanded"], 2);
    assert_eq!(v["summary"]["counts"]["shortened"], 1);
    assert_eq!(v["summary"]["a_numbering"], "numbered");
    assert_eq!(v["summary"]["b_numbering"], "bullets");
    let eight = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == "8 → •6")
        .unwrap();
    assert_eq!(eight["kind"], "expanded");
    assert_eq!(eight["retained_pct"], 88.9);
    assert!(eight["added_pct"].as_f64().unwrap() > 60.0);
    // Sentences still work on pasted text.
    stemma()
        .args(["diff", "--granularity", "sentence"])
        .args([web("plan-outlet-a.txt"), web("counter-outlet-b.txt")])
        .assert()
        .success()
        .stdout(predicate::str::contains("sentences →"));
}

fn refuses(args: &[&str], needle: &str) {
    let assert = stemma().arg("diff").args(args).assert().code(2);
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("stemma: ") && err.contains(needle), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = fixture("plan-v1.txt");
    let bin = d.join("x.bin");
    std::fs::write(&bin, b"\x7fELF\x02\x01\x01\x00\x00\x00").unwrap();
    let empty = d.join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let noisy = d.join("noise.txt");
    let bytes: Vec<u8> = (1..5000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8 | 1)
        .collect();
    std::fs::write(&noisy, bytes).unwrap();
    let big = d.join("big.txt");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(200 * 1024 * 1024).unwrap(); // sparse: 200 MB on one line, no disk used
    refuses(&[&good, "no/such.txt"], "no/such.txt: file not found");
    refuses(&[d.to_str().unwrap(), &good], "is a directory");
    refuses(&[&good, bin.to_str().unwrap()], "binary file");
    refuses(&[empty.to_str().unwrap(), &good], "empty document");
    refuses(
        &[&good, noisy.to_str().unwrap()],
        "bytes no encoding explains",
    );
    refuses(&[&good, big.to_str().unwrap()], "too large");
    refuses(&["-", "-"], "standard input");
}

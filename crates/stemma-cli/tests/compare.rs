//! `stemma compare` end to end on the bundled example.

use assert_cmd::Command;

const LGPL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/LGPL-2.1.txt");
const GPL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/GPL-2.txt");

fn compare_json(threads: &str) -> Vec<u8> {
    let output = Command::cargo_bin("stemma")
        .unwrap()
        .args(["--threads", threads, "compare", LGPL, GPL, "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    output.stdout
}

#[test]
fn json_is_byte_identical_at_one_and_many_threads() {
    let one = compare_json("1");
    assert_eq!(one, compare_json("2"));
    assert_eq!(one, compare_json("4"));
}

#[test]
fn json_snapshot_of_the_bundled_example() {
    let json: serde_json::Value = serde_json::from_slice(&compare_json("2")).unwrap();
    assert_eq!(json["schema"], "stemma.compare/1");
    // Every span slices the original text exactly, in bytes and in chars.
    let texts = [
        std::fs::read_to_string(LGPL).unwrap(),
        std::fs::read_to_string(GPL).unwrap(),
    ];
    let passages = json["passages"].as_array().unwrap();
    let alternatives = passages
        .iter()
        .flat_map(|p| p["also"].as_array().into_iter().flatten());
    for passage in passages.iter().chain(alternatives) {
        for (side, text) in ["a", "b"].iter().zip(&texts) {
            let span = &passage[side];
            let (start, end) = (
                span["start"].as_u64().unwrap() as usize,
                span["end"].as_u64().unwrap() as usize,
            );
            let (char_start, char_end) = (
                span["char_start"].as_u64().unwrap() as usize,
                span["char_end"].as_u64().unwrap() as usize,
            );
            assert_eq!(text[..start].chars().count(), char_start);
            assert_eq!(text[..end].chars().count(), char_end);
            assert_eq!(passage[format!("{side}_text")], text[start..end]);
        }
    }
    // The long shared body of the two licences (sections 7–12 of GPL-2, 11–16 of LGPL-2.1)
    // is one passage, not many.
    let longest = json["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["b"]["tokens"].as_u64().unwrap())
        .max()
        .unwrap();
    assert!(longest > 1000, "longest passage has {longest} words");
    // The snapshot keeps spans and scores; the passage texts were checked against the files.
    let mut json = json;
    for passage in json["passages"].as_array_mut().unwrap() {
        let passage = passage.as_object_mut().unwrap();
        passage.remove("a_text");
        passage.remove("b_text");
        for alternative in passage
            .get_mut("also")
            .and_then(|a| a.as_array_mut())
            .into_iter()
            .flatten()
        {
            let alternative = alternative.as_object_mut().unwrap();
            alternative.remove("a_text");
            alternative.remove("b_text");
        }
    }
    insta::assert_json_snapshot!("compare_lgpl_gpl", json);
}

/// Issue 11's example: the FSF address of LGPL-2.1's header (A 4:27–5:61), which lies inside
/// passage #1 (A 1:19–22:24), also aligns with the address in GPL-2's appendix. It is listed
/// under #1's `also`, not as a passage; `--all-alignments` reports it as one.
#[test]
fn a_secondary_alignment_is_an_alternative_unless_all_alignments() {
    let lgpl = std::fs::read_to_string(LGPL).unwrap();
    let gpl = std::fs::read_to_string(GPL).unwrap();
    let address = lgpl.find("51 Franklin Street").unwrap();
    let appendix = gpl.rfind("51 Franklin Street").unwrap();
    let json: serde_json::Value = serde_json::from_slice(&compare_json("2")).unwrap();
    let passages = json["passages"].as_array().unwrap();
    let span = |p: &serde_json::Value, side: &str| {
        (
            p[side]["start"].as_u64().unwrap() as usize,
            p[side]["end"].as_u64().unwrap() as usize,
        )
    };
    let holding: Vec<&serde_json::Value> = passages
        .iter()
        .filter(|p| (span(p, "a").0..span(p, "a").1).contains(&address))
        .collect();
    assert_eq!(holding.len(), 1);
    assert_eq!(holding[0]["number"], 1);
    assert!(holding[0]["also"]
        .as_array()
        .unwrap()
        .iter()
        .any(|alt| (span(alt, "b").0..span(alt, "b").1).contains(&appendix)));
    assert!(!passages
        .iter()
        .any(|p| (span(p, "b").0..span(p, "b").1).contains(&appendix)
            && (span(p, "a").0..span(p, "a").1).contains(&address)));
    let alternatives = json["summary"]["alternatives"].as_u64().unwrap() as usize;
    assert!(alternatives > 0);

    let output = Command::cargo_bin("stemma")
        .unwrap()
        .args(["compare", LGPL, GPL, "--json", "--all-alignments"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let all: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(all["options"]["all_alignments"], true);
    assert_eq!(all["summary"]["alternatives"], 0);
    assert_eq!(
        all["passages"].as_array().unwrap().len(),
        passages.len() + alternatives
    );
    assert!(all["passages"].as_array().unwrap().iter().any(|p| {
        (span(p, "b").0..span(p, "b").1).contains(&appendix)
            && (span(p, "a").0..span(p, "a").1).contains(&address)
    }));
}

#[test]
fn terminal_report_plain_without_colour() {
    let output = Command::cargo_bin("stemma")
        .unwrap()
        .args(["compare", LGPL, GPL])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("stemma compare: "), "{}", &text[..200]);
    assert!(!text.contains('\u{1b}'), "ANSI escape with NO_COLOR");
    let coloured = Command::cargo_bin("stemma")
        .unwrap()
        .args(["compare", LGPL, GPL, "--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8(coloured.stdout)
        .unwrap()
        .contains('\u{1b}'));
}

#[test]
fn html_report_is_written_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = dir.path().join("hostile.txt");
    let gpl = std::fs::read_to_string(GPL).unwrap();
    std::fs::write(
        &hostile,
        format!("<script>alert(1)</script> <img src=x onerror=alert(1)> {gpl}"),
    )
    .unwrap();
    let report = dir.path().join("report.html");
    Command::cargo_bin("stemma")
        .unwrap()
        .args(["compare", GPL])
        .arg(&hostile)
        .arg("--html")
        .arg(&report)
        .assert()
        .success();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img src=x"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn stdin_is_a_document() {
    let gpl = std::fs::read_to_string(GPL).unwrap();
    let output = Command::cargo_bin("stemma")
        .unwrap()
        .args(["compare", LGPL, "-", "--json"])
        .write_stdin(gpl)
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["b"]["id"], "stdin");
    assert!(json["passages"].as_array().unwrap().len() > 10);
}

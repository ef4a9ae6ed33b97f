//! End-to-end tests of `stemma pan` and `stemma eval pan`.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use stemma_eval::{parse_pan_xml, DETECTION_FEATURE};

fn stemma() -> Command {
    Command::cargo_bin("stemma").unwrap()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pan")
}

fn truth_xml(susp: &str, features: &[(usize, usize, &str, usize, usize)]) -> String {
    let mut xml =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<document reference=\"{susp}\">\n");
    for (to, tl, src, so, sl) in features {
        xml.push_str(&format!(
            "<feature name=\"plagiarism\" type=\"artificial\" obfuscation=\"random\" \
             this_offset=\"{to}\" this_length=\"{tl}\" source_reference=\"{src}\" \
             source_offset=\"{so}\" source_length=\"{sl}\"/>\n"
        ));
    }
    xml.push_str("</document>\n");
    xml
}

fn detection_xml(susp: &str, features: &[(usize, usize, &str, usize, usize)]) -> String {
    truth_xml(susp, features)
        .replace("name=\"plagiarism\"", "name=\"detected-plagiarism\"")
        .replace(" type=\"artificial\" obfuscation=\"random\"", "")
}

/// A truth folder with one case (pair 1) and one negative pair (pair 2), and detections
/// that find the case in two halves.
fn golden_corpus() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (truth, det) = (dir.path().join("truth"), dir.path().join("det"));
    fs::create_dir_all(&truth).unwrap();
    fs::create_dir_all(&det).unwrap();
    fs::write(
        truth.join("susp1-src1.xml"),
        truth_xml("susp1.txt", &[(100, 200, "src1.txt", 0, 200)]),
    )
    .unwrap();
    fs::write(truth.join("susp2-src1.xml"), truth_xml("susp2.txt", &[])).unwrap();
    fs::write(
        det.join("susp1-src1.xml"),
        detection_xml(
            "susp1.txt",
            &[
                (100, 100, "src1.txt", 0, 100),
                (200, 100, "src1.txt", 100, 100),
            ],
        ),
    )
    .unwrap();
    fs::write(det.join("susp2-src1.xml"), detection_xml("susp2.txt", &[])).unwrap();
    (dir, truth, det)
}

fn stdout_of(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The one-line error of a command that must fail with exit code 2.
fn error_of(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("stemma: "), "{stderr}");
    stderr
}

#[test]
fn eval_pan_reproduces_the_golden_granularity_case() {
    let (_dir, truth, det) = golden_corpus();
    let out = stdout_of(stemma().args(["eval", "pan"]).arg(&truth).arg(&det));
    for line in [
        "plagdet                0.63092975",
        "precision              1.00000000",
        "recall                 1.00000000",
        "granularity            2.00000000",
        "pairs                  2",
        "cases                  1",
        "detections             2",
        "pairs with detections  1",
    ] {
        assert!(out.lines().any(|l| l == line), "missing {line:?} in\n{out}");
    }
}

#[test]
fn eval_pan_json() {
    let (_dir, truth, det) = golden_corpus();
    let out = stdout_of(
        stemma()
            .args(["eval", "pan", "--json"])
            .arg(&truth)
            .arg(&det),
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["schema"], "stemma.eval-pan/1");
    assert!(out.trim_start().starts_with("{\n  \"schema\""), "{out}");
    assert_eq!(json["precision"], 1.0);
    assert_eq!(json["recall"], 1.0);
    assert_eq!(json["granularity"], 2.0);
    assert!((json["plagdet"].as_f64().unwrap() - 0.630_929_75).abs() < 1e-8);
    assert_eq!(json["pairs"], 2);
    assert_eq!(json["cases"], 1);
    assert_eq!(json["detections"], 2);
    assert_eq!(json["pairs_with_detections"], 1);
    let groups = json["by_obfuscation"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["obfuscation"], "no-plagiarism");
    assert_eq!(groups[0]["plagdet"], 1.0);
    assert_eq!(groups[1]["obfuscation"], "random");
    assert_eq!(groups[1]["granularity"], 2.0);
}

#[test]
fn eval_pan_scores_partial_and_false_detections() {
    let (dir, truth, det) = golden_corpus();
    // Pair 1: one detection covering half of the case on both sides, one detection that
    // overlaps on the suspicious side only (not a detection of the case). Pair 2 (negative):
    // a false alarm.
    fs::write(
        det.join("susp1-src1.xml"),
        detection_xml(
            "susp1.txt",
            &[
                (100, 100, "src1.txt", 0, 100),
                (200, 100, "src1.txt", 500, 100),
            ],
        ),
    )
    .unwrap();
    fs::write(
        det.join("susp2-src1.xml"),
        detection_xml("susp2.txt", &[(0, 50, "src1.txt", 0, 50)]),
    )
    .unwrap();
    let out = stdout_of(stemma().args(["eval", "pan"]).arg(&truth).arg(&det));
    // Recall: 200 of 400 chars. Precision: (1 + 0 + 0) / 3. Granularity 1.
    let p: f64 = 1.0 / 3.0;
    let f = 2.0 * p * 0.5 / (p + 0.5);
    assert!(
        out.contains(&format!("plagdet                {f:.8}\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!("precision              {p:.8}\n")),
        "{out}"
    );
    assert!(out.contains("recall                 0.50000000\n"), "{out}");
    assert!(out.contains("pairs with detections  2\n"), "{out}");

    // Restricted to pair 1 by a pairs file: the false alarm of pair 2 is not counted.
    let pairs = dir.path().join("pairs");
    fs::write(&pairs, "susp1.txt src1.txt\n").unwrap();
    let out = stdout_of(
        stemma()
            .args(["eval", "pan"])
            .arg(&truth)
            .arg(&det)
            .arg("--pairs")
            .arg(&pairs),
    );
    assert!(out.contains("precision              0.50000000\n"), "{out}");
    assert!(out.contains("pairs                  1\n"), "{out}");

    // A missing detection file means no detections.
    fs::remove_file(det.join("susp1-src1.xml")).unwrap();
    fs::remove_file(det.join("susp2-src1.xml")).unwrap();
    let out = stdout_of(stemma().args(["eval", "pan"]).arg(&truth).arg(&det));
    assert!(out.contains("plagdet                0.00000000\n"), "{out}");
    assert!(out.contains("recall                 0.00000000\n"), "{out}");
    assert!(out.contains("detections             0\n"), "{out}");
}

#[test]
fn eval_pan_refuses_malformed_xml_naming_the_file() {
    let (_dir, truth, det) = golden_corpus();
    let bad = det.join("susp1-src1.xml");
    fs::write(
        &bad,
        "<document reference=\"susp1.txt\"><feature name=\"detected-plagiarism\"",
    )
    .unwrap();
    let err = error_of(stemma().args(["eval", "pan"]).arg(&truth).arg(&det));
    assert!(err.contains(&bad.display().to_string()), "{err}");
    assert!(err.contains("malformed PAN XML"), "{err}");

    fs::write(
        &bad,
        detection_xml("susp1.txt", &[(1, 2, "src1.txt", 3, 4)]).replace("\"2\"", "\"two\""),
    )
    .unwrap();
    let err = error_of(stemma().args(["eval", "pan"]).arg(&truth).arg(&det));
    assert!(err.contains("this_length=\"two\""), "{err}");
}

#[test]
fn eval_pan_refuses_missing_folders_and_pairs() {
    let (dir, truth, det) = golden_corpus();
    let missing = dir.path().join("no-such-dir");
    let err = error_of(stemma().args(["eval", "pan"]).arg(&missing).arg(&det));
    assert!(err.contains("no-such-dir: folder not found"), "{err}");
    let err = error_of(stemma().args(["eval", "pan"]).arg(&truth).arg(&missing));
    assert!(err.contains("no-such-dir: folder not found"), "{err}");

    let pairs = dir.path().join("pairs");
    fs::write(&pairs, "susp1.txt src1.txt\nsusp9.txt src1.txt\n").unwrap();
    let err = error_of(
        stemma()
            .args(["eval", "pan"])
            .arg(&truth)
            .arg(&det)
            .arg("--pairs")
            .arg(&pairs),
    );
    assert!(err.contains("susp9-src1.xml: no truth XML"), "{err}");
    fs::write(&pairs, "susp1.txt src1.txt\nsusp9.txt\n").unwrap();
    let err = error_of(
        stemma()
            .args(["eval", "pan"])
            .arg(&truth)
            .arg(&det)
            .arg("--pairs")
            .arg(&pairs),
    );
    assert!(
        err.contains("pairs: line 2: expected two file names"),
        "{err}"
    );
}

/// The char offset of `needle` in `haystack`.
fn char_offset(haystack: &str, needle: &str) -> usize {
    let byte = haystack.find(needle).expect("planted text present");
    haystack[..byte].chars().count()
}

fn run_pan(out: &Path, threads: &str) {
    let fx = fixtures();
    stemma()
        .args(["--threads", threads, "pan"])
        .arg(fx.join("pairs"))
        .arg(fx.join("src"))
        .arg(fx.join("susp"))
        .arg(out)
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "stemma pan: 2 pairs, 1 detections",
        ));
}

#[test]
fn pan_finds_the_planted_passage() {
    let fx = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_pan(&out, "2");

    let planted = fs::read_to_string(fx.join("planted.txt")).unwrap();
    let planted = planted.trim();
    let src = fs::read_to_string(fx.join("src/source-document00001.txt")).unwrap();
    let susp = fs::read_to_string(fx.join("susp/suspicious-document00001.txt")).unwrap();
    let (src_at, susp_at) = (char_offset(&src, planted), char_offset(&susp, planted));
    // The suspicious document starts with non-ASCII text: bytes and chars differ there.
    assert_ne!(susp.find(planted).unwrap(), susp_at);
    let length = planted.chars().count();

    let xml =
        fs::read_to_string(out.join("suspicious-document00001-source-document00001.xml")).unwrap();
    let file = parse_pan_xml(&xml, DETECTION_FEATURE).unwrap();
    assert_eq!(file.reference, "suspicious-document00001.txt");
    assert_eq!(file.annotations.len(), 1, "{xml}");
    let d = &file.annotations[0];
    assert_eq!(d.source_reference, "source-document00001.txt");
    let near = |a: usize, b: usize| a.abs_diff(b) <= 3;
    assert!(
        near(d.suspicious.offset, susp_at),
        "{xml}: planted at {susp_at}"
    );
    assert!(near(d.suspicious.end(), susp_at + length), "{xml}");
    assert!(near(d.source.offset, src_at), "{xml}: planted at {src_at}");
    assert!(near(d.source.end(), src_at + length), "{xml}");

    // The negative pair: a file with no detection.
    let xml =
        fs::read_to_string(out.join("suspicious-document00002-source-document00001.xml")).unwrap();
    assert!(parse_pan_xml(&xml, DETECTION_FEATURE)
        .unwrap()
        .annotations
        .is_empty());

    // And the whole protocol: stemma pan's output scored against the fixture's truth.
    let json = stdout_of(
        stemma()
            .args(["eval", "pan", "--json"])
            .arg(fx.join("truth"))
            .arg(&out)
            .arg("--pairs")
            .arg(fx.join("pairs")),
    );
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(json["plagdet"].as_f64().unwrap() > 0.99, "{json}");
    assert_eq!(json["pairs_with_detections"], 1);
}

#[test]
fn pan_output_does_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    run_pan(&one, "1");
    run_pan(&two, "2");
    let mut names: Vec<_> = fs::read_dir(&one)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2);
    for name in names {
        assert_eq!(
            fs::read(one.join(&name)).unwrap(),
            fs::read(two.join(&name)).unwrap()
        );
    }
}

#[test]
fn pan_refuses_missing_documents_and_bad_pairs() {
    let fx = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let pairs = dir.path().join("pairs");
    fs::write(
        &pairs,
        "suspicious-document00001.txt source-document00001.txt\n\
         suspicious-document00001.txt source-document00404.txt\n",
    )
    .unwrap();
    let err = error_of(
        stemma()
            .arg("pan")
            .arg(&pairs)
            .arg(fx.join("src"))
            .arg(fx.join("susp"))
            .arg(dir.path().join("out")),
    );
    assert!(
        err.contains("source-document00404.txt: file not found"),
        "{err}"
    );

    fs::write(&pairs, "one two three\n").unwrap();
    let err = error_of(
        stemma()
            .arg("pan")
            .arg(&pairs)
            .arg(fx.join("src"))
            .arg(fx.join("susp"))
            .arg(dir.path().join("out")),
    );
    assert!(err.contains("line 1: expected two file names"), "{err}");

    fs::write(&pairs, "a.txt b.txt\n").unwrap();
    let err = error_of(
        stemma()
            .arg("pan")
            .arg(&pairs)
            .arg(dir.path().join("nowhere"))
            .arg(fx.join("susp"))
            .arg(dir.path().join("out")),
    );
    assert!(err.contains("nowhere: folder not found"), "{err}");
}

#[test]
fn pan_counts_a_byte_order_mark_as_a_character() {
    // PAN's tools read a UTF-8 BOM as U+FEFF: offsets after it are one more than in the
    // decoded text.
    let fx = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let (src, susp) = (dir.path().join("src"), dir.path().join("susp"));
    fs::create_dir_all(&src).unwrap();
    fs::create_dir_all(&susp).unwrap();
    let name = "source-document00001.txt";
    fs::copy(fx.join("src").join(name), src.join(name)).unwrap();
    let name = "suspicious-document00001.txt";
    let text = fs::read_to_string(fx.join("susp").join(name)).unwrap();
    fs::write(susp.join(name), format!("\u{feff}{text}")).unwrap();
    let pairs = dir.path().join("pairs");
    fs::write(
        &pairs,
        "suspicious-document00001.txt source-document00001.txt\n",
    )
    .unwrap();
    let (plain, bom) = (dir.path().join("plain"), dir.path().join("bom"));
    for (susp_dir, out) in [(fx.join("susp"), &plain), (susp.clone(), &bom)] {
        stemma()
            .arg("pan")
            .arg(&pairs)
            .arg(&src)
            .arg(&susp_dir)
            .arg(out)
            .assert()
            .success();
    }
    let file = "suspicious-document00001-source-document00001.xml";
    let read = |dir: &Path| {
        let xml = fs::read_to_string(dir.join(file)).unwrap();
        parse_pan_xml(&xml, DETECTION_FEATURE).unwrap().annotations
    };
    let (plain, bom) = (read(&plain), read(&bom));
    assert_eq!((plain.len(), bom.len()), (1, 1));
    assert_eq!(bom[0].suspicious.offset, plain[0].suspicious.offset + 1);
    assert_eq!(bom[0].suspicious.length, plain[0].suspicious.length);
    assert_eq!(bom[0].source, plain[0].source);
}

/// A source of repeated formulas (the Genesis genealogies): the copied verses are one
/// detection; `--all-alignments` adds their weaker alignments with the other verses.
#[test]
fn one_detection_per_region_unless_all_alignments() {
    let genealogies = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../stemma-align/tests/fixtures/genesis-genealogies-kjv.txt"
    ))
    .unwrap();
    let start = genealogies.find("And Seth lived").unwrap();
    let end = genealogies.find("And Cainan lived seventy").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (src, susp) = (dir.path().join("src"), dir.path().join("susp"));
    fs::create_dir_all(&src).unwrap();
    fs::create_dir_all(&susp).unwrap();
    fs::write(src.join("s.txt"), &genealogies).unwrap();
    fs::write(
        susp.join("t.txt"),
        format!(
            "Markets were calm on Monday as traders awaited the figures.\n\n{}\n\nThe end.",
            genealogies[start..end].trim_end()
        ),
    )
    .unwrap();
    let pairs = dir.path().join("pairs");
    fs::write(&pairs, "t.txt s.txt\n").unwrap();
    let detections = |out: &str, extra: &[&str]| {
        let out = dir.path().join(out);
        let mut cmd = stemma();
        cmd.arg("pan").args([&pairs, &src, &susp, &out]).args(extra);
        stdout_of(&mut cmd);
        let xml = fs::read_to_string(out.join("t-s.xml")).unwrap();
        xml.matches("<feature").count()
    };
    assert_eq!(detections("default", &[]), 1);
    assert!(detections("all", &["--all-alignments"]) > 1);
}

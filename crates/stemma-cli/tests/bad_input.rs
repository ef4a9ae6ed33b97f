//! Bad input: one clear line on stderr naming the file and the reason, exit code 2,
//! never a panic, never unbounded memory.

use std::io::Write;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

const GOOD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/GPL-2.txt");

fn stemma() -> Command {
    Command::cargo_bin("stemma").unwrap()
}

/// Runs `stemma compare GOOD bad` and checks the one-line error.
fn refuses(bad: &Path, reason: &str) {
    let output = stemma().args(["compare", GOOD]).arg(bad).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "not one line: {stderr}");
    assert!(stderr.starts_with("stemma: "), "{stderr}");
    assert!(
        stderr.contains(&*bad.to_string_lossy()),
        "file not named: {stderr}"
    );
    assert!(stderr.contains(reason), "expected {reason:?} in {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn missing_file() {
    refuses(Path::new("no/such/draft.txt"), "file not found");
}

#[test]
fn directory() {
    let dir = tempfile::tempdir().unwrap();
    refuses(dir.path(), "is a directory");
}

#[test]
fn binary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.png");
    std::fs::write(&path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap();
    refuses(&path, "binary file (NUL byte at offset 8)");
}

#[test]
fn empty_documents() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    refuses(&empty, "empty document (0 bytes)");
    let blank = dir.path().join("blank.txt");
    std::fs::write(&blank, "  \n\n -- \n").unwrap();
    refuses(&blank, "empty document (no words");
}

#[test]
fn bytes_no_encoding_explains() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("noise.txt");
    let noise: Vec<u8> = (1..5000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8 | 1)
        .collect();
    std::fs::write(&path, noise).unwrap();
    refuses(&path, "bytes no encoding explains");
}

#[test]
fn huge_single_line_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.txt");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let chunk = "word ".repeat(20_000);
    for _ in 0..(200_000_000 / chunk.len()) {
        file.write_all(chunk.as_bytes()).unwrap();
    }
    file.flush().unwrap();
    drop(file);
    refuses(&path, "too large: 200000000 bytes, over the limit");
}

#[test]
fn oversized_stdin_is_cut_off_not_buffered() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.txt");
    std::fs::write(&small, "A short note of a few words.").unwrap();
    let output = stemma()
        .arg("compare")
        .arg(&small)
        .args(["-", "--max-bytes", "1000"])
        .write_stdin("word ".repeat(10_000))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("<stdin>: too large"), "{stderr}");
}

#[test]
fn invalid_options() {
    stemma()
        .args(["compare", GOOD, GOOD, "--min-identity", "1.5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--min-identity must be between 0 and 1",
        ));
    stemma()
        .args(["compare", "-", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("only one of the two documents"));
}

#[test]
fn legacy_encoding_is_decoded_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.txt");
    // The UDHR's French preamble in ISO-8859-1, as shared/data/parallel/udhr keeps it.
    let text = "Considérant que la reconnaissance de la dignité inhérente à tous les membres \
                de la famille humaine et de leurs droits égaux et inaliénables constitue le \
                fondement de la liberté, de la justice et de la paix dans le monde.";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    std::fs::write(&path, &bytes).unwrap();
    let utf8 = dir.path().join("utf8.txt");
    std::fs::write(&utf8, text).unwrap();
    let output = stemma()
        .args(["compare", "--json"])
        .arg(&path)
        .arg(&utf8)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["a"]["encoding"], "windows-1252");
    assert_eq!(json["b"]["encoding"], "UTF-8");
    assert_eq!(json["passages"].as_array().unwrap().len(), 1);
    assert_eq!(json["passages"][0]["kind"], "verbatim");
}

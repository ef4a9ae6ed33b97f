//! `stemma index`: adding, listing, searching, and what survives kills, locks, damage and a
//! full disk.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use stemma_index::Index;

fn stemma() -> Command {
    let mut cmd = Command::cargo_bin("stemma").unwrap();
    // Monolingual: without the cross-lingual model, nothing is embedded (tests/xtrace.rs
    // covers embeddings).
    cmd.env_remove("STEMMA_INDEX")
        .env_remove("STEMMA_MODEL_DIR")
        .env("XDG_DATA_HOME", "/nonexistent/stemma-test-data")
        .env("NO_COLOR", "1");
    cmd
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = stemma().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Deterministic pseudo-random prose: distinct documents share few 3-grams.
fn prose(seed: u64, words: usize) -> String {
    const VOCAB: [&str; 48] = [
        "harbour",
        "ministry",
        "grain",
        "tariff",
        "council",
        "shipment",
        "river",
        "pledge",
        "reactor",
        "vote",
        "border",
        "treaty",
        "copper",
        "bank",
        "strike",
        "loan",
        "port",
        "embassy",
        "drought",
        "wheat",
        "ceasefire",
        "budget",
        "pipeline",
        "refinery",
        "court",
        "rally",
        "summit",
        "quota",
        "mine",
        "bond",
        "cargo",
        "envoy",
        "levy",
        "railway",
        "harvest",
        "garrison",
        "audit",
        "merger",
        "dividend",
        "cabinet",
        "senate",
        "export",
        "import",
        "coalition",
        "inquiry",
        "subsidy",
        "warehouse",
        "currency",
    ];
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut out = String::with_capacity(words * 8);
    for i in 0..words {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push_str(VOCAB[(x >> 33) as usize % VOCAB.len()]);
        out.push_str(if i % 12 == 11 { ". " } else { " " });
    }
    out
}

fn write_corpus(dir: &Path, docs: usize, words: usize) -> Vec<String> {
    std::fs::create_dir_all(dir).unwrap();
    (0..docs)
        .map(|i| {
            let name = format!("doc-{i:05}.txt");
            std::fs::write(dir.join(&name), prose(i as u64 + 1, words)).unwrap();
            name
        })
        .collect()
}

#[test]
fn one_document_is_counted_in_the_singular() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = tmp.path().join("idx");
    let corpus = tmp.path().join("corpus");
    write_corpus(&corpus, 1, 80);
    let i = idx.to_str().unwrap();
    let (code, _, err) = run(&["index", "--index", i, "add", corpus.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("committed 1 document (last: doc-00000.txt)"),
        "{err}"
    );
    assert!(err.contains("holds 1 document\n"), "{err}");
    assert!(!err.contains("1 documents"), "{err}");
    let (code, _, err) = run(&["index", "--index", i, "rm", "doc-00000.txt"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("removed 1 document\n"), "{err}");
}

#[test]
fn add_list_show_search_rm_stats() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = tmp.path().join("idx");
    let corpus = tmp.path().join("corpus");
    write_corpus(&corpus.join("sub"), 3, 80);
    std::fs::write(
        tmp.path().join("c.jsonl"),
        "{\"id\":\"j1\",\"series\":\"wire\",\"date\":\"1987-03-02\",\"title\":\"Security\",\"text\":\"Leaders offered security guarantees to the region on Monday.\"}\n",
    )
    .unwrap();
    let i = idx.to_str().unwrap();
    let (code, _, err) = run(&[
        "index",
        "--index",
        i,
        "add",
        corpus.to_str().unwrap(),
        tmp.path().join("c.jsonl").to_str().unwrap(),
        "--source",
        "MFA",
        "--date",
        "2025-10-21",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("added 4, replaced 0, unchanged 0"), "{err}");
    assert!(err.contains("committed 4 documents"), "{err}");

    let (code, out, _) = run(&["index", "--index", i, "list"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].starts_with("j1\t2025-10-21\tMFA\t"), "{out}");
    assert!(lines[1].starts_with("sub/doc-00000.txt\t"), "{out}");

    let (_, out, _) = run(&["index", "--index", i, "list", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["schema"], "stemma.index-list/1");
    assert_eq!(json["documents"].as_array().unwrap().len(), 4);

    let (code, out, _) = run(&["index", "--index", i, "show", "j1"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("title: Security") && out.contains("security guarantees"),
        "{out}"
    );

    let (code, out, _) = run(&["index", "--index", i, "search", "\"security guarantees\""]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(|c: char| c.is_ascii_digit()) && out.contains("j1"),
        "{out}"
    );
    // Stopwords are not indexed: a query of nothing else says so instead of an empty list.
    let (code, out, err) = run(&["index", "--index", i, "search", "the of"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.starts_with("stemma: the query has no searchable words: only stopwords"),
        "{err}"
    );

    // Re-adding unchanged content is a no-op.
    let (code, _, err) = run(&[
        "index",
        "--index",
        i,
        "add",
        corpus.to_str().unwrap(),
        "--source",
        "MFA",
        "--date",
        "2025-10-21",
    ]);
    assert_eq!(code, 0);
    assert!(err.contains("added 0, replaced 0, unchanged 3"), "{err}");

    let (code, _, err) = run(&["index", "--index", i, "rm", "j1", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no document with id nope"), "{err}");
    let (code, out, _) = run(&["index", "--index", i, "stats", "--json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["stats"]["documents"], 3);

    let (code, _, err) = run(&["index", "--index", i, "show", "j1"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("stemma: ") && err.contains("no document with id \"j1\""),
        "{err}"
    );
}

#[test]
fn bad_inputs_are_reported_and_the_rest_is_added() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = tmp.path().join("idx");
    let good = tmp.path().join("good.txt");
    std::fs::write(&good, prose(7, 50)).unwrap();
    let bin = tmp.path().join("x.bin");
    std::fs::write(&bin, b"\x7fELF\x02\x01\x01\x00\x00\x00\x00").unwrap();
    let jsonl = tmp.path().join("c.jsonl");
    std::fs::write(
        &jsonl,
        "{\"id\":\"a\",\"text\":\"fine words here\"}\nnot json\n",
    )
    .unwrap();
    let (code, _, err) = run(&[
        "index",
        "--index",
        idx.to_str().unwrap(),
        "add",
        good.to_str().unwrap(),
        bin.to_str().unwrap(),
        "missing.txt",
        jsonl.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing.txt: file not found"), "{err}");
    assert!(err.contains("binary"), "{err}");
    assert!(err.contains("c.jsonl:2"), "{err}");
    assert!(err.contains("3 inputs could not be read"), "{err}");
    assert_eq!(Index::open(&idx).unwrap().stats().unwrap().documents, 2);
    let (code, _, err) = run(&[
        "index",
        "--index",
        idx.to_str().unwrap(),
        "add",
        "missing.txt",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("1 input could not be read"), "{err}");

    // --strict: the first bad input ends the run, and nothing since the last commit lands.
    let other = tmp.path().join("other.txt");
    std::fs::write(&other, prose(8, 50)).unwrap();
    for bad in [bin.to_str().unwrap(), jsonl.to_str().unwrap()] {
        let (code, _, err) = run(&[
            "index",
            "--index",
            idx.to_str().unwrap(),
            "add",
            "--strict",
            other.to_str().unwrap(),
            bad,
        ]);
        assert_eq!(code, 2, "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("--strict: stopped"), "{err}");
        assert_eq!(Index::open(&idx).unwrap().stats().unwrap().documents, 2);
    }
}

#[test]
fn foreign_and_corrupt_folders_are_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let doc = tmp.path().join("d.txt");
    std::fs::write(&doc, prose(3, 40)).unwrap();
    let d = doc.to_str().unwrap();

    let foreign = tmp.path().join("photos");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("a.jpg"), "not an index").unwrap();
    for args in [
        vec!["index", "--index", foreign.to_str().unwrap(), "add", d],
        vec!["index", "--index", foreign.to_str().unwrap(), "list"],
        vec!["trace", "--index", foreign.to_str().unwrap(), d],
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 2);
        assert!(
            err.trim_end().ends_with("photos is not a stemma index"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    assert_eq!(std::fs::read_dir(&foreign).unwrap().count(), 1);

    let (code, _, err) = run(&[
        "index",
        "--index",
        tmp.path().join("none").to_str().unwrap(),
        "list",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no index here"), "{err}");

    let idx = tmp.path().join("idx");
    let i = idx.to_str().unwrap();
    assert_eq!(run(&["index", "--index", i, "add", d]).0, 0);
    let meta = idx.join("meta.json");
    let bytes = std::fs::read(&meta).unwrap();
    std::fs::write(&meta, &bytes[..bytes.len() / 3]).unwrap();
    let before = snapshot(&idx);
    for args in [
        vec!["index", "--index", i, "add", d],
        vec!["index", "--index", i, "stats"],
        vec!["trace", "--index", i, d],
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 2);
        assert!(
            err.contains("the index is corrupt") && err.contains("left untouched"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    assert_eq!(
        snapshot(&idx),
        before,
        "a corrupt index is never written to"
    );
}

/// Names and contents of every file in a folder.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_second_writer_gets_one_clear_line() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = tmp.path().join("idx");
    let index = Index::create(&idx).unwrap();
    let _writer = index.writer().unwrap();
    let doc = tmp.path().join("d.txt");
    std::fs::write(&doc, prose(3, 40)).unwrap();
    let (code, _, err) = run(&[
        "index",
        "--index",
        idx.to_str().unwrap(),
        "add",
        doc.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("another stemma process is writing to this index"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

/// Start `stemma index add`, collecting its stderr lines as they come.
fn spawn_add(
    idx: &Path,
    corpus: &Path,
    extra: &[&str],
) -> (
    std::process::Child,
    Arc<Mutex<Vec<String>>>,
    std::thread::JoinHandle<()>,
) {
    let mut child = stemma()
        .args([
            "index",
            "--index",
            idx.to_str().unwrap(),
            "add",
            corpus.to_str().unwrap(),
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    (child, lines, reader)
}

/// The count of the last "committed N documents (last: ID)" line ("1 document" for one).
fn last_commit(lines: &[String]) -> Option<usize> {
    lines.iter().rev().find_map(|l| {
        l.strip_prefix("committed ")?
            .split_once(" document")?
            .0
            .parse()
            .ok()
    })
}

/// SIGKILL `stemma index add` at random moments: each time, the index opens and holds every
/// document of the last commit it reported.
///
/// A kill lands after a random number of reported commits plus a random delay (or a random
/// delay from the start, so that some land while the index is being created), so every kill
/// hits a running add whatever the speed of the machine.
#[test]
fn sigkill_at_random_moments_keeps_the_last_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let names = write_corpus(&corpus, 1500, 120);
    let idx: PathBuf = tmp.path().join("idx");
    let mut rng = 0x9E3779B97F4A7C15u64;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    let (mut kills, mut verified_docs) = (0, 0);
    let started = Instant::now();
    for round in 0..80 {
        if kills >= 24 || started.elapsed() > Duration::from_secs(55) {
            break;
        }
        // Mostly a fresh index; every third round goes on with the killed one.
        if round % 3 != 2 {
            let _ = std::fs::remove_dir_all(&idx);
        }
        let (mut child, lines, reader) = spawn_add(
            &idx,
            &corpus,
            &["--commit-every", "97", "--commit-secs", "30"],
        );
        let commits = next(8) as usize;
        let deadline = Instant::now() + Duration::from_secs(20);
        while lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with("committed "))
            .count()
            < commits
            && child.try_wait().unwrap().is_none()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(next(if commits == 0 {
            200
        } else {
            40
        })));
        let running = child.try_wait().unwrap().is_none();
        unsafe {
            libc::kill(child.id() as i32, libc::SIGKILL);
        }
        let _ = child.wait();
        reader.join().unwrap();
        if running {
            kills += 1;
        }
        let lines = lines.lock().unwrap().clone();
        if !idx.join(stemma_index::MARKER_FILE).exists() {
            assert!(last_commit(&lines).is_none());
            continue;
        }
        let index = Index::open(&idx).unwrap_or_else(|e| panic!("round {round}: {e}"));
        if let Some(n) = last_commit(&lines) {
            for name in &names[..n] {
                assert!(
                    index.contains(name).unwrap(),
                    "round {round}: {name} of the first {n} is missing"
                );
            }
            // Their fingerprints too (format 4 keeps them in files of its own): a committed
            // document is its own best candidate.
            for name in names[..n].iter().step_by(50) {
                let text = std::fs::read_to_string(corpus.join(name)).unwrap();
                let fps = index.query_fingerprints(&stemma_text::analyze(&text));
                let found = index
                    .candidates(&fps, &stemma_index::CandidateOptions::default())
                    .unwrap_or_else(|e| panic!("round {round}: {e}"));
                assert_eq!(
                    found.first().map(|c| c.id.as_str()),
                    Some(name.as_str()),
                    "round {round}: {name}'s fingerprints"
                );
            }
            verified_docs += n;
        }
        assert!(index.stats().unwrap().documents as usize <= names.len());
    }
    eprintln!(
        "{kills} kills landed while add was running; {verified_docs} committed documents verified"
    );
    assert!(
        kills >= 20,
        "only {kills} kills landed while add was running"
    );
    assert!(
        verified_docs > 0,
        "no commit was ever reported before a kill"
    );
    // And the index still takes a full run afterwards.
    let (code, _, err) = run(&[
        "index",
        "--index",
        idx.to_str().unwrap(),
        "add",
        corpus.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        Index::open(&idx).unwrap().stats().unwrap().documents as usize,
        names.len()
    );
}

/// A full disk: a clear error, and the last commit intact. Needs root (tmpfs mount); skipped
/// with a note otherwise.
#[test]
fn a_full_disk_is_a_clear_error_and_the_last_commit_survives() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args([
            "-t",
            "tmpfs",
            "-o",
            "size=3m",
            "tmpfs",
            mnt.to_str().unwrap(),
        ])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    let idx = mnt.join("idx");
    let small = tmp.path().join("small-corpus");
    let small_names = write_corpus(&small, 5, 100);
    let (code, _, err) = run(&[
        "index",
        "--index",
        idx.to_str().unwrap(),
        "add",
        small.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // Then far more than 3 MB of text.
    let big = tmp.path().join("big-corpus");
    std::fs::create_dir(&big).unwrap();
    for i in 0..40 {
        std::fs::write(big.join(format!("big-{i:03}.txt")), prose(1000 + i, 30_000)).unwrap();
    }
    let (code, _, err) = run(&[
        "index",
        "--index",
        idx.to_str().unwrap(),
        "add",
        big.to_str().unwrap(),
        "--commit-every",
        "100000",
        "--commit-secs",
        "1000",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the disk is full"), "{err}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("stemma:")).count(),
        1,
        "{err}"
    );
    let index = Index::open(&idx).unwrap();
    for name in &small_names {
        assert!(index.contains(name).unwrap(), "{name}");
    }
    assert_eq!(index.stats().unwrap().documents, 5);
}

/// A query that parses to nothing, or to "match everything", is refused in one line (exit 2)
/// instead of listing every document with the same score.
#[test]
fn malformed_searches_are_refused_not_matched_to_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    write_corpus(&corpus, 5, 120);
    let index = tmp.path().join("index");
    let i = index.to_str().unwrap();
    let (code, _, err) = run(&["index", "--index", i, "add", corpus.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let long = "harbour ".repeat(1300);
    let nested = format!("{}harbour{}", "(".repeat(2000), ")".repeat(2000));
    let cases: [(&str, &str); 13] = [
        ("\"\"\"", "no searchable words"),
        ("\"", "no searchable words"),
        ("\"harbour", "HITS"),
        ("AND", "no searchable words"),
        ("OR", "no searchable words"),
        ("-", "no searchable words"),
        ("+", "no searchable words"),
        ("title:", "no searchable words"),
        ("-harbour", "only excluded words"),
        ("", "no searchable words"),
        ("()", "no searchable words"),
        (&long, "over the limit of 10000"),
        (&nested, "nests parentheses 2000 deep"),
    ];
    for (query, expected) in cases {
        // `--`: a query may start with "-" (an exclusion), which is no option.
        let (code, out, err) = run(&["index", "--index", i, "search", "--", query]);
        let shown = &query[..query.len().min(20)];
        if expected == "HITS" {
            assert_eq!(code, 0, "{shown:?}: {err}");
            assert!(out.contains("doc-"), "{shown:?}: {out}");
            continue;
        }
        assert_eq!(code, 2, "{shown:?} was answered: {out}");
        assert!(out.is_empty(), "{shown:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{shown:?}: {err}");
        assert!(err.starts_with("stemma: "), "{shown:?}: {err}");
        assert!(err.contains(expected), "{shown:?}: {err}");
    }
    let (code, _, err) = run(&["index", "--index", i, "search", "harbour", "--limit", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("the limit must be at least 1"), "{err}");
}

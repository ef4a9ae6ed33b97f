//! `stemma reuse` from the command line: outputs, carried fields, determinism, bad input.

use assert_cmd::Command;
use predicates::prelude::*;

const GPL: &str = include_str!("../../stemma-reuse/tests/fixtures/gpl2-preamble.txt");
const APACHE: &str = include_str!("../../stemma-reuse/tests/fixtures/apache2-grant.txt");

fn stemma() -> Command {
    Command::cargo_bin("stemma").unwrap()
}

fn corpus(dir: &std::path::Path) -> std::path::PathBuf {
    let line = |id: &str, series: &str, date: &str, text: String| {
        serde_json::json!({"id": id, "series": series, "date": date, "text": text, "page": 3})
            .to_string()
    };
    let lines = [
        line(
            "g1",
            "gazette",
            "1850-01-02",
            format!("Rain tonight. {GPL} Wool steady."),
        ),
        line(
            "c1",
            "courier",
            "1850-02-03",
            format!("{GPL} Mayor Jones spoke. {APACHE}"),
        ),
        line(
            "h1",
            "herald",
            "1849-12-30",
            format!("Letters: {APACHE} Harvest crowds."),
        ),
        line(
            "n1",
            "notes",
            "1850-05-05",
            "Tomatoes want sun and beans want water.".into(),
        ),
    ];
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn clusters_pairs_summary_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let (out, pairs, html) = (
        dir.path().join("out.jsonl"),
        dir.path().join("pairs.jsonl"),
        dir.path().join("o.html"),
    );
    let summary = stemma()
        .args(["reuse", "-q", "--json"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("--pairs")
        .arg(&pairs)
        .arg("--html")
        .arg(&html)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let summary: serde_json::Value = serde_json::from_slice(&summary).unwrap();
    assert_eq!(summary["schema"], "stemma.reuse/1");
    assert_eq!(summary["stats"]["clusters"], 2);
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 4);
    for r in &records {
        for field in [
            "cluster",
            "size",
            "id",
            "series",
            "date",
            "begin",
            "end",
            "text",
            "earliest_id",
        ] {
            assert!(r.get(field).is_some(), "{field} missing in {r}");
        }
        assert_eq!(r["page"], 3, "carried field");
    }
    // The Apache grant: the herald (1849) is its earliest witness.
    let apache: Vec<_> = records
        .iter()
        .filter(|r| r["text"].as_str().unwrap().contains("Grant of Copyright"))
        .collect();
    assert_eq!(apache.len(), 2);
    assert!(apache.iter().all(|r| r["earliest_id"] == "h1"));
    assert_eq!(apache[0]["id"], "h1");
    assert_eq!(apache[0]["begin"], 12); // "Letters: " and the fixture's 3-space indent
    let pair: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&pairs)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    for field in [
        "id1", "id2", "b1", "e1", "n1", "b2", "e2", "n2", "matches", "score", "s1", "s2",
    ] {
        assert!(pair.get(field).is_some(), "{field} missing in {pair}");
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("earliest witness: <strong>h1</strong>"));
}

#[test]
fn output_is_identical_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let run = |threads: &str| {
        let out = dir.path().join(format!("out-{threads}.jsonl"));
        stemma()
            .args(["--threads", threads, "reuse", "-q"])
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        std::fs::read(&out).unwrap()
    };
    assert_eq!(run("1"), run("3"));
}

#[test]
fn a_line_that_is_not_json_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    std::fs::write(
        &path,
        "{\"id\":\"a\",\"text\":\"Some words.\"}\n{\"id\": broken\n",
    )
    .unwrap();
    stemma()
        .current_dir(dir.path())
        .args(["reuse", "-q", "c.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("stemma: c.jsonl:2: not JSON: "));
    // With --skip-bad the run goes on, with a warning naming the line.
    stemma()
        .current_dir(dir.path())
        .args(["reuse", "-q", "--skip-bad", "c.jsonl"])
        .assert()
        .success()
        .stderr(predicate::str::contains("c.jsonl:2: not JSON"));
}

#[test]
fn bad_options_and_missing_inputs() {
    stemma()
        .args(["reuse"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to read"));
    stemma()
        .args(["reuse", "no/such/dir.txt"])
        .assert()
        .code(2)
        .stderr("stemma: no/such/dir.txt: file not found\n");
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    stemma()
        .args(["reuse", "--min-df", "5", "--max-df", "2"])
        .arg(&input)
        .assert()
        .code(2)
        .stderr("stemma: --min-df (5) is larger than --max-df (2)\n");
    stemma()
        .args(["reuse", "--memory", "lots"])
        .arg(&input)
        .assert()
        .code(2);
}

#[test]
fn a_tiny_memory_budget_spills_and_gives_the_same_clusters() {
    let dir = tempfile::tempdir().unwrap();
    // Enough anchors (≈ 4,000) to outgrow the smallest in-memory run (1,024 records).
    let lines: Vec<String> = (0..60)
        .map(|i| {
            let part = if i % 2 == 0 { GPL } else { APACHE };
            serde_json::json!({"id": format!("d{i}"), "text": format!("Opening {i}. {part} Closing {i}.")}).to_string()
        })
        .collect();
    let input = dir.path().join("many.jsonl");
    std::fs::write(&input, lines.join("\n")).unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let normal = stemma()
        .args(["reuse", "-q", "--json"])
        .arg(&input)
        .output()
        .unwrap()
        .stdout;
    // The documents (≈ 46 kB held) fit; the tables get ≈ 14 kB and spill.
    let tiny = stemma()
        .args(["reuse", "-q", "--json", "--memory", "60K"])
        .arg(&input)
        .arg("--tmp")
        .arg(&tmp)
        .output()
        .unwrap()
        .stdout;
    let (a, b): (serde_json::Value, serde_json::Value) = (
        serde_json::from_slice(&normal).unwrap(),
        serde_json::from_slice(&tiny).unwrap(),
    );
    assert_eq!(a["top"], b["top"]);
    assert_eq!(a["stats"]["clusters"], b["stats"]["clusters"]);
    assert_eq!(a["stats"]["spilled_runs"], 0);
    assert!(b["stats"]["spilled_runs"].as_u64().unwrap() >= 2, "{b}");
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "runs are removed"
    );
    // A budget the documents alone outgrow is refused up front, in one line.
    stemma()
        .args(["reuse", "-q", "--memory", "10K"])
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "KiB of the 10 KiB --memory allows; raise --memory",
        ));
}

#[test]
fn an_index_gives_the_clusters_its_documents_give() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let index = dir.path().join("idx");
    stemma()
        .args(["index", "add", "--index"])
        .arg(&index)
        .arg(&input)
        .assert()
        .success();
    let clusters = |args: &[&std::ffi::OsStr]| -> Vec<serde_json::Value> {
        let out = stemma()
            .args(["reuse", "-q", "--out", "-"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let r: serde_json::Value = serde_json::from_str(l).unwrap();
                // What an index keeps of a document: id, series, date, text.
                serde_json::json!([
                    r["cluster"],
                    r["size"],
                    r["id"],
                    r["series"],
                    r["date"],
                    r["begin"],
                    r["end"],
                    r["text"],
                    r["earliest_id"]
                ])
            })
            .collect()
    };
    let direct = clusters(&[input.as_os_str()]);
    let from_index = clusters(&["--index".as_ref(), index.as_os_str()]);
    assert_eq!(direct.len(), 4, "{direct:?}"); // two clusters of two
    assert_eq!(from_index, direct);
    // An index and a file together: the reprint joins the GPL's cluster, g1 still earliest.
    let extra = dir.path().join("extra.txt");
    std::fs::write(&extra, format!("Reprinted: {GPL}")).unwrap();
    let both = clusters(&["--index".as_ref(), index.as_os_str(), extra.as_os_str()]);
    assert_eq!(both.len(), 5, "{both:?}");
    let reprint = both
        .iter()
        .find(|r| r[2].as_str().is_some_and(|id| id.ends_with("extra.txt")))
        .expect("the reprint is a member");
    assert_eq!(
        (&reprint[0], &reprint[1], &reprint[8]),
        (&1.into(), &3.into(), &"g1".into())
    );
    // A folder that is not an index is refused in one line.
    stemma()
        .args(["reuse", "-q", "--index"])
        .arg(dir.path().join("no-index"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot open the index"));
}

#[test]
fn an_empty_corpus_is_refused_as_dedup_refuses_it() {
    // An empty JSON Lines file and an empty folder: one line and exit 2, not "0 clusters".
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.jsonl"), "").unwrap();
    std::fs::create_dir(dir.path().join("nothing")).unwrap();
    for input in ["empty.jsonl", "nothing"] {
        stemma()
            .current_dir(dir.path())
            .args(["reuse", "-q", "--cross-lingual", "never", input])
            .assert()
            .code(2)
            .stderr("stemma: no documents were read\n");
    }
}

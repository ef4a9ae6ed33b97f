//! Reports of `stemma dedup`: one JSON Lines record per document, a JSON summary (schema
//! [`SCHEMA`]), a few terminal lines, and an HTML overview that shows each cluster's members
//! side by side with the kept document, their differences marked word by word.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};
use stemma_dedup::{Dedup, DedupOptions, DedupStats};
use stemma_diff::{redline, Op, Span, TokenOptions};
use stemma_text::Document;

use crate::html;
use crate::terminal::clean_line;
use crate::terminal::plural;

/// The `"schema"` of [`summary_json`].
pub const SCHEMA: &str = "stemma.dedup/1";

/// Clusters shown on the HTML page (the largest first); the JSON Lines output has them all.
pub const HTML_MAX_CLUSTERS: usize = 100;

/// Members of one cluster shown beside its kept document.
pub const HTML_MAX_MEMBERS: usize = 12;

/// Bytes of each text shown side by side (longer texts are cut, and say so).
const HTML_MAX_BYTES: usize = 30_000;

/// Everything a dedup report shows.
#[derive(Debug, Clone, Copy)]
pub struct DedupView<'a> {
    /// The result.
    pub dedup: &'a Dedup,
    /// The options used.
    pub options: &'a DedupOptions,
    /// The texts of the documents the HTML page shows ([`shown_documents`]), by index;
    /// may be empty for the other renderings.
    pub docs: &'a BTreeMap<u32, Document>,
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Write one JSON record a line per document, in input order: `id`, `cluster` (null when it
/// has no duplicate), `kept`, `duplicate_of` (the kept document's id, or null),
/// `similarity` (Jaccard of shingles with it, or null), `exact`, `words`, `bytes`.
pub fn write_records(view: &DedupView, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let d = view.dedup;
    for (doc, o) in d.outcomes.iter().enumerate() {
        let doc = doc as u32;
        let kept = o.kept_doc == doc;
        let record = DocumentRecord {
            id: d.id(doc),
            cluster: o.cluster,
            duplicate_of: (!kept).then(|| d.id(o.kept_doc)),
            similarity: o.similarity,
            exact: o.exact,
            words: d.words(doc),
            bytes: d.bytes(doc),
        };
        serde_json::to_writer(&mut *out, &record.line())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// What [`write_records`] writes of one document (engines that cluster elsewhere write the
/// same lines with it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DocumentRecord<'a> {
    /// The document's id.
    pub id: &'a str,
    /// Its cluster (from 1), or 0 when it has no duplicate.
    pub cluster: u32,
    /// The id of the document kept for its cluster, `None` when it is kept itself (or unique).
    pub duplicate_of: Option<&'a str>,
    /// Jaccard similarity with the kept document (not written for a kept document).
    pub similarity: f32,
    /// Its normalized text equals the kept document's.
    pub exact: bool,
    /// Its words.
    pub words: u32,
    /// Its text bytes.
    pub bytes: u32,
}

impl DocumentRecord<'_> {
    /// The JSON record.
    ///
    /// ```
    /// use stemma_report::dedup::DocumentRecord;
    /// let r = DocumentRecord { id: "b", cluster: 1, duplicate_of: Some("a"), similarity: 0.85, exact: false, words: 9, bytes: 40 };
    /// assert_eq!(r.to_json().to_string(), r#"{"bytes":40,"cluster":1,"duplicate_of":"a","exact":false,"id":"b","kept":false,"similarity":0.85,"words":9}"#);
    /// ```
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.line()).expect("plain fields serialize")
    }

    /// The record as written: a struct, not a map built per document (building and
    /// dropping those maps was a twentieth of `stemma dedup`'s time).
    fn line(&self) -> RecordLine<'_> {
        let kept = self.duplicate_of.is_none();
        RecordLine {
            bytes: self.bytes,
            cluster: (self.cluster != 0).then_some(self.cluster),
            duplicate_of: self.duplicate_of,
            exact: self.exact,
            id: self.id,
            kept,
            similarity: (!kept).then(|| round4(f64::from(self.similarity))),
            words: self.words,
        }
    }
}

/// A record line's fields, in the order a JSON map of them is written (by name).
#[derive(Serialize)]
struct RecordLine<'a> {
    bytes: u32,
    cluster: Option<u32>,
    duplicate_of: Option<&'a str>,
    exact: bool,
    id: &'a str,
    kept: bool,
    similarity: Option<f64>,
    words: u32,
}

/// Clusters by size (largest first), then id.
fn by_size(d: &Dedup) -> Vec<usize> {
    let mut order: Vec<usize> = (0..d.clusters.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(d.clusters[i].members.len()), i));
    order
}

/// The documents whose texts the HTML page shows: the kept document and the first members
/// of the largest clusters.
pub fn shown_documents(d: &Dedup) -> Vec<u32> {
    let mut out = Vec::new();
    for i in by_size(d).into_iter().take(HTML_MAX_CLUSTERS) {
        out.extend(d.clusters[i].members.iter().take(HTML_MAX_MEMBERS + 1));
    }
    out.sort_unstable();
    out
}

/// The summary's options.
#[derive(Debug, Serialize)]
struct JsonOptions {
    threshold: f64,
    ngram: usize,
    num_perm: usize,
    bands: u64,
    rows: u64,
    keep: stemma_dedup::Keep,
}

/// The summary as pretty JSON (schema [`SCHEMA`]), with a final newline: the options, the
/// counts and the 20 largest clusters with their members.
pub fn summary_json(view: &DedupView) -> String {
    let d = view.dedup;
    let st: &DedupStats = &d.stats;
    let largest: Vec<Value> = by_size(d)
        .into_iter()
        .take(20)
        .map(|i| {
            let c = &d.clusters[i];
            json!({
                "cluster": c.id,
                "size": c.members.len(),
                "kept": d.id(c.members[0]),
                "members": c.members.iter().skip(1).map(|&m| {
                    let o = &d.outcomes[m as usize];
                    json!({"id": d.id(m), "similarity": round4(f64::from(o.similarity)), "exact": o.exact})
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let report = json!({
        "schema": SCHEMA,
        "options": JsonOptions {
            threshold: view.options.threshold,
            ngram: view.options.ngram,
            num_perm: view.options.num_perm,
            bands: st.bands,
            rows: st.rows,
            keep: view.options.keep,
        },
        "summary": st,
        "largest": largest,
    });
    let mut s = serde_json::to_string_pretty(&report).expect("serializes");
    s.push('\n');
    s
}

fn megabytes(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

/// A few lines for the terminal: the counts and the largest clusters.
pub fn to_terminal(view: &DedupView) -> String {
    let d = view.dedup;
    let st = &d.stats;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {}; {} removed ({} exact, {} near duplicates), {} of {} saved",
        plural(st.documents, "document", "documents"),
        plural(st.clusters, "cluster", "clusters"),
        plural(st.removed, "document", "documents"),
        st.exact_removed,
        st.near_removed,
        megabytes(st.bytes_saved),
        megabytes(st.bytes)
    );
    let _ = writeln!(
        out,
        "Jaccard of {}-word shingles ≥ {}; {} bands of {}: {} candidate pairs, {} verified",
        view.options.ngram,
        view.options.threshold,
        st.bands,
        st.rows,
        st.candidate_pairs,
        st.verified_pairs
    );
    if st.spilled_runs > 0 || st.spilled_bytes > 0 {
        let _ = writeln!(
            out,
            "spilled {} sorted runs and the shingle store ({}) to disk",
            st.spilled_runs,
            megabytes(st.spilled_bytes)
        );
    }
    for i in by_size(d).into_iter().take(10) {
        let c = &d.clusters[i];
        let others: Vec<String> = c
            .members
            .iter()
            .skip(1)
            .take(4)
            .map(|&m| {
                let o = &d.outcomes[m as usize];
                let how = if o.exact {
                    "exact".to_string()
                } else {
                    format!("{:.2}", o.similarity)
                };
                format!("{} ({how})", clean_line(d.id(m)))
            })
            .collect();
        let more = c.members.len().saturating_sub(5);
        let _ = writeln!(
            out,
            "  #{} ×{}  kept: {}  ≈ {}{}",
            c.id,
            c.members.len(),
            clean_line(d.id(c.members[0])),
            others.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    out
}

/// Lines for `stemma index add --dedup`: each document of `ids` that is a near or exact
/// duplicate of another document, or that is kept for a cluster.
pub fn added_lines(d: &Dedup, ids: &BTreeSet<String>) -> String {
    let mut out = String::new();
    for c in &d.clusters {
        for &m in &c.members {
            if !ids.contains(d.id(m)) {
                continue;
            }
            let o = &d.outcomes[m as usize];
            if o.kept_doc == m {
                let others: Vec<String> = c
                    .members
                    .iter()
                    .skip(1)
                    .map(|&x| clean_line(d.id(x)))
                    .collect();
                let _ = writeln!(
                    out,
                    "{}\tkept; duplicated by {}",
                    clean_line(d.id(m)),
                    others.join(", ")
                );
            } else {
                let _ = writeln!(
                    out,
                    "{}\t{} of {}\t{:.4}",
                    clean_line(d.id(m)),
                    if o.exact {
                        "exact duplicate"
                    } else {
                        "near duplicate"
                    },
                    clean_line(d.id(o.kept_doc)),
                    o.similarity
                );
            }
        }
    }
    out
}

/// The first `max` bytes of `text`, cut at a char boundary.
fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` with the spans of `pieces` of kind `op` wrapped in `tag`, escaped.
fn marked(out: &mut String, text: &str, pieces: &[(Op, Span)], op: Op, tag: &str) {
    let mut at = 0;
    for &(kind, span) in pieces {
        if kind != op || span.start < at {
            continue;
        }
        html::text(out, &text[at..span.start]);
        let _ = write!(out, "<{tag}>");
        html::text(out, &text[span.start..span.end]);
        let _ = write!(out, "</{tag}>");
        at = span.end;
    }
    html::text(out, &text[at..]);
}

/// Self-contained HTML overview: the counts, then the largest clusters, each folded
/// (`<details>`: no script needed), showing every member beside the kept document with the
/// words only the kept one has struck and the words only the member has underlined. All
/// document text is escaped.
pub fn to_html(view: &DedupView) -> String {
    let d = view.dedup;
    let st = &d.stats;
    let mut body = String::with_capacity(64 * 1024);
    body.push_str("<a class=\"skip\" href=\"#clusters\">Skip to the clusters</a>\n");
    body.push_str("<header class=\"top\">\n<h1>stemma dedup</h1>\n<p class=\"sub\">");
    let _ = write!(
        body,
        "{} · {} · {} removed ({} exact, {} near) · {} of {} saved · Jaccard of {}-word shingles ≥ {}",
        plural(st.documents, "document", "documents"),
        plural(st.clusters, "cluster", "clusters"),
        st.removed,
        st.exact_removed,
        st.near_removed,
        megabytes(st.bytes_saved),
        megabytes(st.bytes),
        view.options.ngram,
        view.options.threshold
    );
    body.push_str("</p>\n<p class=\"legend\"><del>struck</del>: only in the kept document · <ins>underlined</ins>: only in the duplicate</p>\n</header>\n<main id=\"clusters\">\n");
    if d.clusters.is_empty() {
        body.push_str("<p class=\"none\">No duplicates found.</p>\n");
    }
    let order = by_size(d);
    for &i in order.iter().take(HTML_MAX_CLUSTERS) {
        let c = &d.clusters[i];
        let kept = c.members[0];
        let _ = write!(
            body,
            "<section class=\"cl\" id=\"c{}\">\n<details>\n<summary><strong>#{}</strong> · {} documents · kept: <strong>",
            c.id,
            c.id,
            c.members.len()
        );
        html::text(&mut body, d.id(kept));
        body.push_str("</strong></summary>\n");
        let Some(kept_doc) = view.docs.get(&kept) else {
            body.push_str("<p class=\"none\">(text not loaded)</p>\n</details>\n</section>\n");
            continue;
        };
        let a_text = head(&kept_doc.text, HTML_MAX_BYTES);
        for &m in c.members.iter().skip(1).take(HTML_MAX_MEMBERS) {
            let o = &d.outcomes[m as usize];
            let Some(doc) = view.docs.get(&m) else {
                continue;
            };
            let b_text = head(&doc.text, HTML_MAX_BYTES);
            let deadline = Instant::now() + Duration::from_millis(300);
            let r = redline(
                a_text,
                &[Span::new(0, a_text.len())],
                b_text,
                &[Span::new(0, b_text.len())],
                TokenOptions {
                    ignore_case: true,
                    ignore_punctuation: false,
                },
                Some(deadline),
            );
            let a_pieces: Vec<(Op, Span)> = r
                .pieces
                .iter()
                .filter_map(|p| p.a.map(|s| (p.op, s)))
                .collect();
            let b_pieces: Vec<(Op, Span)> = r
                .pieces
                .iter()
                .filter_map(|p| p.b.map(|s| (p.op, s)))
                .collect();
            body.push_str("<div class=\"pair\">\n<div class=\"doc\" data-side=\"a\"><h2>");
            html::text(&mut body, d.id(kept));
            body.push_str(" <span class=\"meta\">kept</span></h2><div class=\"text\">");
            marked(&mut body, a_text, &a_pieces, Op::Delete, "del");
            if a_text.len() < kept_doc.text.len() {
                body.push_str("<span class=\"none\"> … (cut)</span>");
            }
            body.push_str("</div></div>\n<div class=\"doc\" data-side=\"b\"><h2>");
            html::text(&mut body, d.id(m));
            let _ = write!(
                body,
                " <span class=\"meta\">{}</span></h2><div class=\"text\">",
                if o.exact {
                    "exact duplicate".to_string()
                } else {
                    format!("similarity {:.3}", o.similarity)
                }
            );
            marked(&mut body, b_text, &b_pieces, Op::Insert, "ins");
            if b_text.len() < doc.text.len() {
                body.push_str("<span class=\"none\"> … (cut)</span>");
            }
            body.push_str("</div></div>\n</div>\n");
        }
        if c.members.len() > HTML_MAX_MEMBERS + 1 {
            let _ = writeln!(
                body,
                "<p class=\"none\">{} more members are in the JSON Lines output.</p>",
                c.members.len() - HTML_MAX_MEMBERS - 1
            );
        }
        body.push_str("</details>\n</section>\n");
    }
    if d.clusters.len() > HTML_MAX_CLUSTERS {
        let _ = writeln!(
            body,
            "<p class=\"none\">{} smaller clusters are not shown here; the JSON Lines output has them all.</p>",
            d.clusters.len() - HTML_MAX_CLUSTERS
        );
    }
    let _ = write!(
        body,
        "</main>\n<footer>stemma dedup · {} bands of {} rows over a {}-bin one-permutation MinHash; every pair checked on its exact Jaccard</footer>\n<style>{DEDUP_STYLE}</style>\n",
        st.bands, st.rows, view.options.num_perm
    );
    html::page("stemma dedup", &body, "")
}

/// What the shared page style lacks: cluster cards, the side-by-side pairs, the marks.
const DEDUP_STYLE: &str = ".cl{border:1px solid var(--line);border-radius:8px;margin:0 0 .6rem;padding:.5rem .8rem;background:var(--card)}\
.cl summary{cursor:pointer;overflow-wrap:anywhere}\
.pair{display:grid;grid-template-columns:1fr 1fr;gap:.8rem;margin:.6rem 0;background:var(--bg)}\
.pair .text{max-height:40vh}\
del{color:var(--da);text-decoration-color:var(--da)}ins{color:var(--db);text-decoration-color:var(--db)}\
@media (max-width:820px){.pair{grid-template-columns:1fr}}";

#[cfg(test)]
mod tests {
    use super::*;
    use stemma_dedup::{Deduper, NoProgress};

    const STORY: &str = "The central bank raised its main interest rate by a quarter point on \
        Tuesday, citing persistent inflation in services and a tight labour market, and \
        signalled that further increases could follow later this year if prices keep rising. \
        Economists had expected the move after wage growth surprised on the upside in the \
        spring, while energy costs eased. The governor told reporters that the board would \
        watch housing and consumer credit closely, and that the bank stood ready to act \
        again should inflation expectations drift away from the two per cent target. \
        Markets barely moved on the news, and the currency closed little changed.";

    fn run(docs: &[Document]) -> (Dedup, DedupOptions) {
        let options = DedupOptions::default();
        let mut d = Deduper::new(options.clone()).unwrap();
        d.add(docs, &NoProgress).unwrap();
        (d.finish(&NoProgress).unwrap(), options)
    }

    fn corpus() -> Vec<Document> {
        vec![
            Document::new("a <b>", STORY),
            Document::new("b", STORY.replace("Tuesday", "<script>Monday")),
            Document::new("c", STORY.to_uppercase()),
            Document::new(
                "d",
                "Local team wins the cup after a dramatic penalty shoot-out.",
            ),
        ]
    }

    #[test]
    fn record_lines_are_the_maps_they_replace() {
        let records = [
            DocumentRecord {
                id: "a \"q\" é",
                cluster: 0,
                duplicate_of: None,
                similarity: 1.0,
                exact: false,
                words: 3,
                bytes: 9,
            },
            DocumentRecord {
                id: "b",
                cluster: 7,
                duplicate_of: None,
                similarity: 1.0,
                exact: false,
                words: 0,
                bytes: 0,
            },
            DocumentRecord {
                id: "c",
                cluster: 7,
                duplicate_of: Some("b"),
                similarity: 0.833_333_3,
                exact: false,
                words: 40,
                bytes: 300,
            },
            DocumentRecord {
                id: "d",
                cluster: 7,
                duplicate_of: Some("b"),
                similarity: 1.0,
                exact: true,
                words: 40,
                bytes: 301,
            },
        ];
        for r in records {
            let kept = r.duplicate_of.is_none();
            let map = serde_json::json!({
                "id": r.id,
                "cluster": (r.cluster != 0).then_some(r.cluster),
                "kept": kept,
                "duplicate_of": r.duplicate_of,
                "similarity": (!kept).then(|| round4(f64::from(r.similarity))),
                "exact": r.exact,
                "words": r.words,
                "bytes": r.bytes,
            });
            assert_eq!(serde_json::to_string(&r.line()).unwrap(), map.to_string());
            assert_eq!(r.to_json(), map);
        }
    }

    #[test]
    fn records_one_per_document() {
        let docs = corpus();
        let (d, options) = run(&docs);
        let shown = BTreeMap::new();
        let view = DedupView {
            dedup: &d,
            options: &options,
            docs: &shown,
        };
        let mut out = Vec::new();
        write_records(&view, &mut out).unwrap();
        let lines: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0]["kept"], true);
        assert_eq!(lines[1]["duplicate_of"], "a <b>");
        assert_eq!(lines[2]["exact"], true);
        assert_eq!(lines[3]["cluster"], Value::Null);
        let summary: Value = serde_json::from_str(&summary_json(&view)).unwrap();
        assert_eq!(summary["schema"], SCHEMA);
        assert_eq!(summary["summary"]["removed"], 2);
        insta::assert_snapshot!(to_terminal(&view));
    }

    #[test]
    fn html_shows_members_side_by_side_escaped() {
        let docs = corpus();
        let (d, options) = run(&docs);
        let shown: BTreeMap<u32, Document> = shown_documents(&d)
            .into_iter()
            .map(|i| (i, docs[i as usize].clone()))
            .collect();
        let view = DedupView {
            dedup: &d,
            options: &options,
            docs: &shown,
        };
        let page = to_html(&view);
        assert!(!page.contains("<script>Monday"), "unescaped text");
        assert!(page.contains("&lt;script&gt;Monday"));
        assert!(page.contains("a &lt;b&gt;"));
        assert!(
            page.contains("<del>Tuesday") || page.contains("<del>Tuesday,"),
            "{page}"
        );
        assert!(page.contains("<ins>"));
        assert_eq!(page.matches("class=\"pair\"").count(), 2);
    }
}

//! Renderings of `stemma reuse`: passim-compatible JSON Lines (clusters and pairwise
//! alignments), a versioned JSON summary, a short terminal summary and a self-contained HTML
//! overview of the clusters with their timelines.
//!
//! Offsets in every output are in characters (Unicode scalars), as passim's `begin`/`end`.
//!
//! ```
//! use stemma_report::reuse::{summary_json, write_clusters, ReuseView};
//! use stemma_reuse::{find_reuse, NoProgress, ReuseOptions};
//! use stemma_text::Document;
//!
//! let shared = "Everyone is permitted to copy and distribute verbatim copies of this license \
//!     document, but changing it is not allowed under any circumstances.";
//! let mut docs = vec![
//!     Document::new("a", format!("Früh: {shared}")),
//!     Document::new("b", format!("{shared} Then other words.")),
//! ];
//! docs[1].date = Some("1850-01-02".into());
//! let options = ReuseOptions::default();
//! let reuse = find_reuse(&docs, &options, &NoProgress).unwrap();
//! let view = ReuseView { docs: &docs, extras: &[], reuse: &reuse, options: &options };
//! let mut out = Vec::new();
//! write_clusters(&view, &mut out).unwrap();
//! let lines: Vec<serde_json::Value> = String::from_utf8(out).unwrap().lines()
//!     .map(|l| serde_json::from_str(l).unwrap()).collect();
//! assert_eq!(lines.len(), 2);
//! assert_eq!(lines[0]["id"], "b"); // dated members first: the earliest witness
//! assert_eq!(lines[1]["begin"], 6); // chars, not bytes ("ü" is two bytes)
//! assert_eq!(lines[1]["earliest_id"], "b");
//! assert!(summary_json(&view).contains("\"schema\": \"stemma.reuse/1\""));
//! ```

use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};
use stemma_align::Span;
use stemma_reuse::{Cluster, CrossLingualReuse, Reuse, ReuseOptions, ReuseStats};
use stemma_text::{CharOffsets, Document};

use crate::compare::kind_name;
use crate::doc::fix_span;
use crate::html;
use crate::plural;

/// The `"schema"` of [`summary_json`].
pub const SCHEMA: &str = "stemma.reuse/1";

/// Clusters shown in full on the HTML page; the rest are counted (the JSON Lines output has
/// them all).
pub const HTML_MAX_CLUSTERS: usize = 500;

/// Everything a reuse report shows.
#[derive(Debug, Clone, Copy)]
pub struct ReuseView<'a> {
    /// The documents, in the order given to [`stemma_reuse::find_reuse`].
    pub docs: &'a [Document],
    /// Fields of each document's input record to carry into its output records (parallel to
    /// `docs`; empty when there are none).
    pub extras: &'a [Map<String, Value>],
    /// The result.
    pub reuse: &'a Reuse,
    /// The options used.
    pub options: &'a ReuseOptions,
}

/// Char offsets of many (document, byte) positions: each document is scanned once however
/// many positions fall in it.
fn char_positions(docs: &[Document], queries: &[(u32, usize)]) -> Vec<usize> {
    let mut order: Vec<u32> = (0..queries.len() as u32).collect();
    order.sort_unstable_by_key(|&i| queries[i as usize]);
    let mut out = vec![0; queries.len()];
    let mut current: Option<(u32, CharOffsets)> = None;
    for i in order {
        let (doc, byte) = queries[i as usize];
        if current.as_ref().map(|c| c.0) != Some(doc) {
            current = Some((doc, CharOffsets::new(&docs[doc as usize].text)));
        }
        let offsets = &current.as_ref().expect("set above").1;
        out[i as usize] = offsets.char_of(byte);
    }
    out
}

fn opt(s: &Option<String>) -> Value {
    s.as_ref().map_or(Value::Null, |s| Value::String(s.clone()))
}

/// Write one JSON record a line per cluster member, ordered by cluster size (largest first),
/// then cluster id, then the members' order (earliest witness first).
///
/// The fields are passim's `out.json` ones — `cluster`, `size`, `id`, `series`, `date`,
/// `begin`, `end` (chars), `text` — plus `earliest_id` (the cluster's earliest witness, or
/// null when no member is dated) and `earliest_by` (`"date"` or `"undated"`), followed by
/// the input record's other fields. Members of a cluster that holds a translated passage
/// also have `lang` (ISO 639-3, detected) and `kind`: `"translated"` for a member in another
/// language than the cluster's first member, else `"reused"` (these two take the place of
/// input fields of the same names).
pub fn write_clusters(view: &ReuseView, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let mut queries: Vec<(u32, usize)> = Vec::new();
    for c in &view.reuse.clusters {
        for m in &c.members {
            let span = fix_span(&view.docs[m.doc as usize].text, m.span);
            queries.push((m.doc, span.start));
            queries.push((m.doc, span.end));
        }
    }
    let chars = char_positions(view.docs, &queries);
    let mut q = 0;
    let mut line = Vec::with_capacity(4096);
    for c in &view.reuse.clusters {
        let earliest = c.earliest.map(|i| &view.docs[c.members[i].doc as usize]);
        let languages = member_languages(view, c);
        for (i, m) in c.members.iter().enumerate() {
            let member = ClusterMember {
                cluster: c.id,
                size: c.members.len(),
                doc: &view.docs[m.doc as usize],
                extra: view.extras.get(m.doc as usize),
                span: m.span,
                chars: (chars[q], chars[q + 1]),
                earliest,
            };
            q += 2;
            let mut record = member.record();
            if let Some(languages) = &languages {
                let (lang, kind) = &languages[i];
                record.insert("lang".into(), opt(lang));
                record.insert("kind".into(), (*kind).into());
            }
            line.clear();
            serde_json::to_writer(&mut line, &Value::Object(record))?;
            line.push(b'\n');
            out.write_all(&line)?;
        }
    }
    Ok(())
}

/// Whether a cluster holds a translated passage.
fn is_cross_lingual(view: &ReuseView, cluster: &Cluster) -> bool {
    cluster.alignments.iter().any(|&i| {
        view.reuse.pairs[i as usize].passage.kind == stemma_align::PassageKind::Translated
    })
}

/// For a cluster that holds a translated passage, each member's language and kind:
/// `translated` for a member in another language than the cluster's first member (its
/// earliest witness when dated), else `reused`. `None` for a monolingual cluster, whose
/// records stay as they were.
fn member_languages(
    view: &ReuseView,
    cluster: &Cluster,
) -> Option<Vec<(Option<String>, &'static str)>> {
    let langs = &view.reuse.cross_lingual.as_ref()?.langs;
    if langs.is_empty() || !is_cross_lingual(view, cluster) {
        return None;
    }
    let lang = |m: &stemma_reuse::Member| langs[m.doc as usize].clone();
    let first = lang(&cluster.members[0]);
    Some(
        cluster
            .members
            .iter()
            .map(|m| {
                let l = lang(m);
                let kind = if l != first { "translated" } else { "reused" };
                (l, kind)
            })
            .collect(),
    )
}

/// One member of a cluster, as [`write_clusters`] writes it.
#[derive(Debug, Clone, Copy)]
pub struct ClusterMember<'a> {
    /// The cluster's id.
    pub cluster: u64,
    /// Its number of members.
    pub size: usize,
    /// The member's document.
    pub doc: &'a Document,
    /// The fields of the document's input record to carry over.
    pub extra: Option<&'a Map<String, Value>>,
    /// The member's bytes of the document's text.
    pub span: Span,
    /// The same span in characters, as [`write_clusters`] computes them.
    pub chars: (usize, usize),
    /// The cluster's earliest witness, if any member is dated.
    pub earliest: Option<&'a Document>,
}

impl ClusterMember<'_> {
    /// The JSON record: the fields [`write_clusters`] documents, in its order. An engine that
    /// distributes the clustering writes its members with it, so its lines equal the CLI's.
    ///
    /// ```
    /// use stemma_align::Span;
    /// use stemma_report::reuse::ClusterMember;
    /// let doc = stemma_text::Document::new("a", "Grüße aus Wien");
    /// let member = ClusterMember { cluster: 1, size: 2, doc: &doc, extra: None,
    ///     span: Span { start: 8, end: 16 }, chars: (6, 14), earliest: None };
    /// let record = member.record();
    /// assert_eq!((&record["id"], &record["size"], &record["series"]), (&"a".into(), &2.into(), &serde_json::Value::Null));
    /// assert_eq!((&record["begin"], &record["text"]), (&6.into(), &"aus Wien".into()));
    /// ```
    pub fn record(&self) -> Map<String, Value> {
        let doc = self.doc;
        let span = fix_span(&doc.text, self.span);
        let mut record = Map::new();
        record.insert("cluster".into(), self.cluster.into());
        record.insert("size".into(), self.size.into());
        record.insert("id".into(), doc.id.clone().into());
        record.insert("series".into(), opt(&doc.source));
        record.insert("date".into(), opt(&doc.date));
        record.insert("begin".into(), self.chars.0.into());
        record.insert("end".into(), self.chars.1.into());
        record.insert("text".into(), doc.text[span.start..span.end].into());
        record.insert(
            "earliest_id".into(),
            self.earliest.map_or(Value::Null, |d| d.id.clone().into()),
        );
        record.insert(
            "earliest_by".into(),
            if self.earliest.is_some() {
                "date"
            } else {
                "undated"
            }
            .into(),
        );
        if let Some(title) = &doc.title {
            record.insert("title".into(), title.clone().into());
        }
        if let Some(extra) = self.extra {
            for (k, v) in extra {
                record.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        record
    }
}

/// Write one JSON record a line per pairwise alignment, with passim's `align.json` field
/// names: `id1`, `id2`, `b1`, `e1`, `n1` (chars of document 1), `b2`, `e2`, `n2`, `matches`
/// (aligned identical words), `score`, `s1`, `s2` (the passages, without gap marks), plus
/// `series1`, `series2`, `date1`, `date2`, `identity`, `kind` and `cluster` (the cluster
/// both its passages belong to; 0 when they are in different clusters or in none: an
/// alignment that matches under half of one span's words joins no cluster). A translated
/// passage (`kind` `"translated"`) also has `lang1`, `lang2` and `similarity` (the mean
/// cosine of its sentence pairs).
pub fn write_pairs(view: &ReuseView, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let pairs = &view.reuse.pairs;
    let mut cluster_of = vec![0u64; pairs.len()];
    for c in &view.reuse.clusters {
        for &p in &c.alignments {
            cluster_of[p as usize] = c.id;
        }
    }
    let mut queries: Vec<(u32, usize)> = Vec::with_capacity(pairs.len() * 6);
    for p in pairs {
        for (doc, span) in [(p.a, p.passage.a), (p.b, p.passage.b)] {
            let text = &view.docs[doc as usize].text;
            let span = fix_span(text, span);
            queries.extend([(doc, span.start), (doc, span.end), (doc, text.len())]);
        }
    }
    let chars = char_positions(view.docs, &queries);
    let mut line = Vec::with_capacity(4096);
    for (i, p) in pairs.iter().enumerate() {
        let (d1, d2) = (&view.docs[p.a as usize], &view.docs[p.b as usize]);
        let (s1, s2) = (
            fix_span(&d1.text, p.passage.a),
            fix_span(&d2.text, p.passage.b),
        );
        let c = &chars[i * 6..i * 6 + 6];
        let record = serde_json::json!({
            "id1": d1.id, "id2": d2.id,
            "series1": opt(&d1.source), "series2": opt(&d2.source),
            "date1": opt(&d1.date), "date2": opt(&d2.date),
            "b1": c[0], "e1": c[1], "n1": c[2],
            "b2": c[3], "e2": c[4], "n2": c[5],
            "matches": p.passage.matched_tokens,
            "score": round3(p.passage.score),
            "identity": round3(p.passage.identity),
            "kind": kind_name(p.passage.kind),
            "cluster": cluster_of[i],
            "s1": &d1.text[s1.start..s1.end],
            "s2": &d2.text[s2.start..s2.end],
        });
        let mut record = record;
        if p.passage.kind == stemma_align::PassageKind::Translated {
            let langs = view.reuse.cross_lingual.as_ref().map(|x| &x.langs);
            let lang = |d: u32| langs.and_then(|l| l.get(d as usize).cloned().flatten());
            record["lang1"] = lang(p.a).into();
            record["lang2"] = lang(p.b).into();
            record["similarity"] = p.passage.similarity.map(round3).into();
        }
        line.clear();
        serde_json::to_writer(&mut line, &record)?;
        line.push(b'\n');
        out.write_all(&line)?;
    }
    Ok(())
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The headline numbers of a reuse run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReuseSummary {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Numbers of each stage.
    pub stats: ReuseStats,
    /// Cluster members, summed over clusters.
    pub members: usize,
    /// Size of the largest cluster (0 without clusters).
    pub largest: usize,
    /// Clusters per size bucket: "2", "3", "4-5", "6-10", "11-20", "21-50", "51-100", "101+".
    pub size_histogram: Vec<(String, usize)>,
    /// Clusters whose earliest witness is known (some member is dated).
    pub dated_clusters: usize,
    /// The options that shape the result.
    pub options: SummaryOptions,
    /// The largest clusters (at most 20): id, size, earliest witness, first words.
    pub top: Vec<TopCluster>,
    /// What the cross-lingual path did (absent when it was turned off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_lingual: Option<CrossLingualReuse>,
}

/// The options reported in the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryOptions {
    /// Anchor n-gram size.
    pub ngram: usize,
    /// Document-frequency band.
    pub min_df: usize,
    /// Document-frequency band.
    pub max_df: usize,
    /// Shared anchors for a candidate pair.
    pub min_shared: usize,
    /// Pairs within one series skipped.
    pub skip_same_series: bool,
    /// Overlap (share of the longer span) that makes two spans of a document one node.
    pub min_overlap: f64,
    /// Share of anchors beyond boilerplate an alignment's spans must share.
    pub min_anchor_density: f64,
}

/// One line of the summary's list of largest clusters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopCluster {
    /// Cluster id.
    pub cluster: u64,
    /// Members.
    pub size: usize,
    /// Earliest witness id, when some member is dated.
    pub earliest_id: Option<String>,
    /// Its date.
    pub earliest_date: Option<String>,
    /// The first words of the first member's passage.
    pub excerpt: String,
}

const BUCKETS: [(usize, usize, &str); 8] = [
    (2, 2, "2"),
    (3, 3, "3"),
    (4, 5, "4-5"),
    (6, 10, "6-10"),
    (11, 20, "11-20"),
    (21, 50, "21-50"),
    (51, 100, "51-100"),
    (101, usize::MAX, "101+"),
];

fn excerpt(text: &str, max_chars: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

fn member_text(docs: &[Document], doc: u32, span: Span) -> &str {
    let text = &docs[doc as usize].text;
    let span = fix_span(text, span);
    &text[span.start..span.end]
}

/// The summary of `view`.
pub fn summary(view: &ReuseView) -> ReuseSummary {
    let clusters = &view.reuse.clusters;
    let mut histogram: Vec<(String, usize)> =
        BUCKETS.iter().map(|b| (b.2.to_string(), 0)).collect();
    for c in clusters {
        let n = c.members.len();
        if let Some(i) = BUCKETS.iter().position(|b| (b.0..=b.1).contains(&n)) {
            histogram[i].1 += 1;
        }
    }
    let o = view.options;
    ReuseSummary {
        schema: SCHEMA,
        stats: view.reuse.stats,
        members: clusters.iter().map(|c| c.members.len()).sum(),
        largest: clusters.iter().map(|c| c.members.len()).max().unwrap_or(0),
        size_histogram: histogram,
        dated_clusters: clusters.iter().filter(|c| c.earliest.is_some()).count(),
        options: SummaryOptions {
            ngram: o.ngram,
            min_df: o.min_df,
            max_df: o.max_df,
            min_shared: o.min_shared,
            skip_same_series: o.skip_same_series,
            min_overlap: o.min_overlap,
            min_anchor_density: o.min_anchor_density,
        },
        top: clusters
            .iter()
            .take(20)
            .map(|c| {
                let e = c.earliest.map(|i| &view.docs[c.members[i].doc as usize]);
                let first = &c.members[0];
                TopCluster {
                    cluster: c.id,
                    size: c.members.len(),
                    earliest_id: e.map(|d| d.id.clone()),
                    earliest_date: e.and_then(|d| d.date.clone()),
                    excerpt: excerpt(member_text(view.docs, first.doc, first.span), 100),
                }
            })
            .collect(),
        cross_lingual: view.reuse.cross_lingual.clone(),
    }
}

/// The summary as pretty JSON (schema [`SCHEMA`]), with a final newline.
pub fn summary_json(view: &ReuseView) -> String {
    let mut s = serde_json::to_string_pretty(&summary(view)).expect("summary serializes");
    s.push('\n');
    s
}

/// A few lines for the terminal.
pub fn to_terminal(view: &ReuseView) -> String {
    let s = summary(view);
    let st = &s.stats;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}, {} in them, from {} (largest cluster: {})",
        plural(st.clusters, "cluster", "clusters"),
        plural(s.members as u64, "passage", "passages"),
        plural(st.documents as u64, "document", "documents"),
        s.largest
    );
    let _ = writeln!(
        out,
        "{} anchors, {} in the df band {}..={} ({} over it: boilerplate); {} pairs aligned, {} passages ({} dropped: boilerplate alone, or short and not close)",
        st.anchors, st.anchors_in_band, s.options.min_df, s.options.max_df,
        st.anchors_over_max_df, st.candidate_pairs, st.passages, st.template_passages
    );
    if st.spilled_runs > 0 {
        let _ = writeln!(
            out,
            "spilled {} sorted runs ({} MB) to disk",
            st.spilled_runs,
            st.spilled_bytes / 1_000_000
        );
    }
    if let Some(x) = &s.cross_lingual {
        let languages: Vec<String> = x
            .languages
            .iter()
            .map(|(lang, n)| format!("{lang} {n}"))
            .collect();
        match x.status {
            "searched" => {
                let _ = writeln!(
                    out,
                    "across languages ({}): {} sentences embedded, {} pairs aligned, {} translated passages, {} clusters hold one",
                    languages.join(", "),
                    x.sentences,
                    x.candidate_pairs,
                    x.passages,
                    x.clusters
                );
            }
            "one_language" => {
                let _ = writeln!(
                    out,
                    "across languages: not searched, one language detected ({})",
                    languages.join(", ")
                );
            }
            _ => {}
        }
        for note in &x.notes {
            let _ = writeln!(out, "note: {note}");
        }
    }
    if s.dated_clusters < st.clusters as usize {
        let _ = writeln!(
            out,
            "{} of {} clusters have no dated member: no earliest witness named for them",
            st.clusters as usize - s.dated_clusters,
            st.clusters
        );
    }
    for t in s.top.iter().take(5) {
        let _ = writeln!(
            out,
            "  #{} ×{}  earliest: {}  “{}”",
            t.cluster,
            t.size,
            match (&t.earliest_id, &t.earliest_date) {
                (Some(id), Some(date)) => format!("{id} ({date})"),
                _ => "undated".to_string(),
            },
            excerpt(&t.excerpt, 60)
        );
    }
    out
}

/// A date as a day number for the timeline: "YYYY", "YYYY-MM" or "YYYY-MM-DD…" (other
/// forms have no place on it).
fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.get(..10.min(date.len()))?.split('-');
    let y: i64 = parts.next()?.trim().parse().ok()?;
    let m: i64 = parts.next().map_or(Some(1), |p| p.parse().ok())?;
    let d: i64 = parts
        .next()
        .map_or(Some(1), |p| p.get(..2.min(p.len()))?.parse().ok())?;
    Some(y * 372 + (m - 1).clamp(0, 11) * 31 + (d - 1).clamp(0, 30))
}

/// Self-contained HTML overview: the headline numbers and the size histogram, then the
/// clusters (the largest [`HTML_MAX_CLUSTERS`]), each with its earliest witness, a timeline
/// of its dated members on the corpus' date axis, and its members with their passages,
/// folded (native `<details>`: no script needed). All text is escaped.
pub fn to_html(view: &ReuseView) -> String {
    let s = summary(view);
    let docs = view.docs;
    let clusters = &view.reuse.clusters;
    let days: Vec<Option<i64>> = docs
        .iter()
        .map(|d| d.date.as_deref().and_then(day_number))
        .collect();
    let range = {
        let mut it = clusters
            .iter()
            .flat_map(|c| c.members.iter())
            .filter_map(|m| days[m.doc as usize]);
        it.next()
            .map(|first| it.fold((first, first), |(lo, hi), d| (lo.min(d), hi.max(d))))
    };
    let mut body = String::with_capacity(64 * 1024);
    body.push_str("<a class=\"skip\" href=\"#clusters\">Skip to the clusters</a>\n");
    body.push_str("<header class=\"top\">\n<h1>stemma reuse</h1>\n<p class=\"sub\">");
    let st = &s.stats;
    let _ = write!(
        body,
        "{} · {} in them · {} · largest cluster {} · {} aligned",
        plural(st.clusters, "cluster", "clusters"),
        plural(s.members as u64, "passage", "passages"),
        plural(st.documents as u64, "document", "documents"),
        s.largest,
        plural(st.candidate_pairs, "pair", "pairs")
    );
    body.push_str("</p>\n");
    if range.is_none() && !clusters.is_empty() {
        body.push_str(
            "<p class=\"none\">No member of any cluster is dated: no earliest witness can be named.</p>\n",
        );
    }
    // Size histogram as bars.
    let max_bucket = s
        .size_histogram
        .iter()
        .map(|b| b.1)
        .max()
        .unwrap_or(0)
        .max(1);
    body.push_str("<table class=\"hist\" aria-label=\"Clusters by size\"><thead><tr><th>size</th><th>clusters</th><th></th></tr></thead><tbody>\n");
    for (label, n) in &s.size_histogram {
        let _ = writeln!(
            body,
            "<tr><td class=\"num\">{label}</td><td class=\"num\">{n}</td><td><div class=\"bar\"><span style=\"left:0;width:{}%\"></span></div></td></tr>",
            html::pct(*n, max_bucket)
        );
    }
    body.push_str("</tbody></table>\n</header>\n<main id=\"clusters\">\n");
    if clusters.is_empty() {
        body.push_str("<p class=\"none\">No reused passage found.</p>\n");
    }
    for c in clusters.iter().take(HTML_MAX_CLUSTERS) {
        let earliest = c.earliest.map(|i| &c.members[i]);
        let _ = write!(
            body,
            "<section class=\"cl\" id=\"c{id}\">\n<details>\n<summary><strong>#{id}</strong> · {n} members · ",
            id = c.id,
            n = c.members.len()
        );
        match earliest {
            Some(m) => {
                let d = &docs[m.doc as usize];
                body.push_str("earliest witness: <strong>");
                html::text(&mut body, &d.id);
                body.push_str("</strong> (");
                html::text(&mut body, d.date.as_deref().unwrap_or(""));
                body.push(')');
            }
            None => body.push_str("<span class=\"none\">undated: no earliest witness</span>"),
        }
        body.push_str("<br><span class=\"ex\">");
        let first = &c.members[0];
        html::text(
            &mut body,
            &excerpt(member_text(docs, first.doc, first.span), 160),
        );
        body.push_str("</span>");
        if let Some((lo, hi)) = range {
            body.push_str(
                "<div class=\"bar tl\" role=\"img\" aria-label=\"Dates of the members\">",
            );
            let width = (hi - lo).max(1) as usize;
            for m in &c.members {
                if let Some(day) = days[m.doc as usize] {
                    let _ = write!(
                        body,
                        "<span class=\"dot\" style=\"left:{}%\"></span>",
                        html::pct((day - lo) as usize, width)
                    );
                }
            }
            body.push_str("</div>");
        }
        body.push_str("</summary>\n<table><thead><tr><th>date</th><th>document</th><th>series</th><th>chars</th><th>passage</th></tr></thead><tbody>\n");
        let languages = member_languages(view, c);
        for (i, m) in c.members.iter().enumerate() {
            let d = &docs[m.doc as usize];
            let text = member_text(docs, m.doc, m.span);
            body.push_str("<tr><td class=\"num\">");
            html::text(&mut body, d.date.as_deref().unwrap_or("—"));
            body.push_str("</td><td>");
            html::text(&mut body, &d.id);
            if let Some((lang, kind)) = languages.as_ref().map(|l| &l[i]) {
                body.push_str(" <span class=\"ex\">(");
                html::text(&mut body, lang.as_deref().unwrap_or("?"));
                if *kind == "translated" {
                    body.push_str(", translated");
                }
                body.push_str(")</span>");
            }
            body.push_str("</td><td>");
            html::text(&mut body, d.source.as_deref().unwrap_or(""));
            let _ = write!(
                body,
                "</td><td class=\"num\">{}</td><td class=\"ex\">",
                text.chars().count()
            );
            html::text(&mut body, &excerpt(text, 400));
            body.push_str("</td></tr>\n");
        }
        body.push_str("</tbody></table>\n</details>\n</section>\n");
    }
    if clusters.len() > HTML_MAX_CLUSTERS {
        let _ = writeln!(
            body,
            "<p class=\"none\">{} smaller clusters are not shown here; the JSON Lines output has them all.</p>",
            clusters.len() - HTML_MAX_CLUSTERS
        );
    }
    body.push_str("</main>\n<footer>stemma reuse · offsets in characters · ");
    let _ = write!(
        body,
        "anchors: {}-grams of content stems, df band {}..={}, ≥ {} shared per pair",
        s.options.ngram, s.options.min_df, s.options.max_df, s.options.min_shared
    );
    body.push_str("</footer>\n<style>");
    body.push_str(REUSE_STYLE);
    body.push_str("</style>\n");
    html::page("stemma reuse", &body, "")
}

/// What the shared page style lacks for this page: cluster cards, the timeline's dots and
/// the histogram's width.
const REUSE_STYLE: &str = ".cl{border:1px solid var(--line);border-radius:8px;margin:0 0 .6rem;padding:.5rem .8rem;background:var(--card)}\
.cl summary{cursor:pointer}.cl table{margin-top:.5rem;background:var(--bg)}\
.ex{color:var(--mute);overflow-wrap:anywhere}\
.tl{margin:.4rem 0 .1rem;height:10px}.tl .dot{width:8px;height:8px;top:1px;border-radius:50%;margin-left:-4px}\
.hist{max-width:36rem;margin-top:.5rem}.hist .bar{min-width:10rem}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_order_dates() {
        assert!(day_number("1850-01-02") < day_number("1850-02-01"));
        assert!(day_number("1849") < day_number("1850-01-01"));
        assert_eq!(day_number("yesterday"), None);
    }

    #[test]
    fn excerpts_are_flat_and_short() {
        assert_eq!(excerpt("a\n b   c", 10), "a b c");
        assert_eq!(excerpt("abcdef", 3), "abc…");
    }
}

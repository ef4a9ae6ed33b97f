//! The batch functions: the reuse pipeline's stages over Arrow columns, for engines (the
//! Spark job, or any other) that hand over columns, not rows. Each wraps one public function
//! of `stemma-reuse` (or of `stemma-ingest` / `stemma-report` for reading and writing
//! records), so an engine that runs them in the CLI's order gets the CLI's clusters.
//!
//! Arrays come in and go out through the Arrow C data interface (`ffi`); every function
//! releases the GIL while it works and takes a rayon thread count.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;
use serde_json::{Map, Value};
use stemma_align::Span;
use stemma_ingest::{IngestError, Input, Reason};
use stemma_reuse::ReuseOptions;
use stemma_text::Document;

use crate::ffi::{self, bools, f64s, strings, u32s, u64s};
use crate::plain::align_options;
use crate::{error, run};

type Capsules = (Py<PyAny>, Py<PyAny>);

/// Documents per batch must fit u32 indices.
fn index(i: usize) -> PyResult<u32> {
    u32::try_from(i).map_err(|_| error("more than 4 billion rows in one batch"))
}

/// Stage 1: the distinct anchors of each text (`stemma_reuse::batch_anchors`), flattened:
/// (row of the text in the batch, anchor).
#[pyfunction]
#[pyo3(signature = (texts, ngram, threads))]
fn anchors(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    ngram: usize,
    threads: Option<usize>,
) -> PyResult<(Capsules, Capsules)> {
    let array = ffi::import(texts)?;
    let (rows, hashes) = {
        let texts: Vec<&str> = ffi::texts(&array)?
            .into_iter()
            .map(|t| t.unwrap_or(""))
            .collect();
        index(texts.len())?;
        run(py, threads, || {
            let per_text = stemma_reuse::batch_anchors(&texts, ngram.max(1));
            let total = per_text.iter().map(Vec::len).sum();
            let mut rows = Vec::with_capacity(total);
            let mut hashes = Vec::with_capacity(total);
            for (i, a) in per_text.into_iter().enumerate() {
                rows.extend(std::iter::repeat_n(i as u32, a.len()));
                hashes.extend(a);
            }
            (rows, hashes)
        })?
    };
    Ok((u32s(py, rows)?, u64s(py, hashes)?))
}

/// Stages 2 and 3 for every record of some anchors (`stemma_reuse::band_pairs`): the pairs,
/// counted (`a` < `b`, anchors shared here; pairs sharing fewer than `min_shared` dropped),
/// the boilerplate anchors, and the numbers of anchors in the band and above it. `series` (a
/// key per record, 0 for none) is needed only to skip pairs of one series.
#[pyfunction]
#[pyo3(signature = (anchor, doc, series, min_df, max_df, skip_same_series, min_shared, threads))]
#[allow(clippy::too_many_arguments)]
fn band_pairs(
    py: Python<'_>,
    anchor: &Bound<'_, PyAny>,
    doc: &Bound<'_, PyAny>,
    series: Option<&Bound<'_, PyAny>>,
    min_df: usize,
    max_df: usize,
    skip_same_series: bool,
    min_shared: u32,
    threads: Option<usize>,
) -> PyResult<(Capsules, Capsules, Capsules, Capsules, u64, u64)> {
    let anchors = ffi::integers(&ffi::import(anchor)?, "anchor")?;
    let docs = ffi::integers(&ffi::import(doc)?, "doc")?;
    let series = match series {
        Some(s) => Some(ffi::integers(&ffi::import(s)?, "series")?),
        None => None,
    };
    if docs.len() != anchors.len() || series.as_ref().is_some_and(|s| s.len() != anchors.len()) {
        return Err(error("anchor, doc and series must have the same length"));
    }
    if min_df > max_df {
        return Err(error(format!(
            "--min-df ({min_df}) is larger than --max-df ({max_df})"
        )));
    }
    let options = ReuseOptions {
        min_df,
        max_df,
        skip_same_series,
        ..ReuseOptions::default()
    };
    let (a, b, counts, band) = run(py, threads, move || -> PyResult<_> {
        let mut records: Vec<(u64, u32)> = Vec::with_capacity(anchors.len());
        for (&a, &d) in anchors.iter().zip(&docs) {
            records.push((a, u32::try_from(d).map_err(|_| error("doc: not a u32"))?));
        }
        let series_of: std::collections::HashMap<u32, u64> = match &series {
            Some(s) => records.iter().zip(s).map(|(r, &s)| (r.1, s)).collect(),
            None => Default::default(),
        };
        records.par_sort_unstable();
        records.dedup();
        let same_series = |a: u32, b: u32| {
            let (sa, sb) = (series_of.get(&a), series_of.get(&b));
            sa.is_some_and(|&s| s != 0) && sa == sb
        };
        let mut band = stemma_reuse::band_pairs(&records, &options, same_series);
        // Counted here, summed across batches by the engine: fewer rows to shuffle.
        band.pairs.par_sort_unstable();
        let (mut a, mut b, mut counts) = (Vec::new(), Vec::new(), Vec::new());
        for run in band.pairs.chunk_by(|x, y| x == y) {
            if run.len() as u64 >= u64::from(min_shared) {
                a.push((run[0] >> 32) as u32);
                b.push(run[0] as u32);
                counts.push(run.len() as u32);
            }
        }
        band.pairs = Vec::new();
        Ok((a, b, counts, band))
    })??;
    let over = band.boilerplate.len() as u64;
    Ok((
        u32s(py, a)?,
        u32s(py, b)?,
        u32s(py, counts)?,
        u64s(py, band.boilerplate)?,
        band.anchors_in_band,
        over,
    ))
}

/// The analyzed texts [`align_pairs`] holds at once by default: a quarter of the CLI's
/// default `--memory` (2 GiB), as `stemma reuse` aligns.
const ALIGN_MEMORY: u64 = 512 << 20;

/// Stage 4 for a batch (`stemma_reuse::align_in_batches`): each pair (a, b) of rows of
/// `texts` aligned, in batches of pairs whose analyzed texts take at most `memory` bytes
/// (`None`: [`ALIGN_MEMORY`]); returns a dict of columns, one row per passage kept (`pair`
/// is the row of its pair), and the number of passages dropped.
#[pyfunction]
#[pyo3(signature = (texts, a, b, boilerplate, ngram, min_words, max_gap, min_identity, sentence_seeds, all_alignments, anchor_ngram, max_df, min_shared, min_anchor_density, threads, memory=None))]
#[allow(clippy::too_many_arguments)]
fn align_pairs<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    boilerplate: &Bound<'py, PyAny>,
    ngram: Option<usize>,
    min_words: Option<usize>,
    max_gap: Option<usize>,
    min_identity: Option<f64>,
    sentence_seeds: bool,
    all_alignments: bool,
    anchor_ngram: usize,
    max_df: usize,
    min_shared: usize,
    min_anchor_density: f64,
    threads: Option<usize>,
    memory: Option<u64>,
) -> PyResult<(Bound<'py, PyDict>, u64)> {
    let options = ReuseOptions {
        ngram: anchor_ngram.max(1),
        max_df,
        min_shared,
        min_anchor_density,
        align: align_options(
            ReuseOptions::default_align(),
            ngram,
            min_words,
            max_gap,
            min_identity,
            sentence_seeds,
            all_alignments,
        )?,
        ..ReuseOptions::default()
    };
    let text_array = ffi::import(texts)?;
    let texts: Vec<&str> = ffi::texts(&text_array)?
        .into_iter()
        .map(|t| t.unwrap_or(""))
        .collect();
    let a = ffi::integers(&ffi::import(a)?, "a")?;
    let b = ffi::integers(&ffi::import(b)?, "b")?;
    let mut boilerplate = ffi::integers(&ffi::import(boilerplate)?, "boilerplate")?;
    if a.len() != b.len() {
        return Err(error("a and b must have the same length"));
    }
    let n = texts.len() as u64;
    let mut pairs = Vec::with_capacity(a.len());
    for (&x, &y) in a.iter().zip(&b) {
        if x >= n || y >= n || x == y {
            return Err(error(format!(
                "pair ({x}, {y}): rows must be distinct and below {n}"
            )));
        }
        pairs.push((x as u32, y as u32));
    }
    let found = run(py, threads, || {
        boilerplate.par_sort_unstable();
        boilerplate.dedup();
        // The crate aligns (lower, higher); the pair's own order is restored below.
        let ordered: Vec<(u32, u32)> = pairs.iter().map(|&(x, y)| (x.min(y), x.max(y))).collect();
        let (found, dropped) = stemma_reuse::align_in_batches(
            &texts,
            &ordered,
            &boilerplate,
            &options,
            memory.unwrap_or(ALIGN_MEMORY),
            &stemma_reuse::NoProgress,
        );
        (found, dropped)
    })?;
    let (found, dropped) = found;
    // Rows of pairs: passages come in pair order, so one pass finds each one's pair.
    let mut pair_of = Vec::with_capacity(found.len());
    let mut p = 0usize;
    let ordered = |i: usize| (pairs[i].0.min(pairs[i].1), pairs[i].0.max(pairs[i].1));
    for f in &found {
        while ordered(p) != (f.a, f.b) {
            p += 1;
        }
        pair_of.push(p as u32);
    }
    let col =
        |f: &dyn Fn(&stemma_reuse::AlignedPair) -> u64| found.iter().map(f).collect::<Vec<u64>>();
    let out = PyDict::new(py);
    out.set_item("pair", u32s(py, pair_of)?)?;
    out.set_item("a", u32s(py, found.iter().map(|f| f.a).collect())?)?;
    out.set_item("b", u32s(py, found.iter().map(|f| f.b).collect())?)?;
    out.set_item("a_start", u64s(py, col(&|f| f.passage.a.start as u64))?)?;
    out.set_item("a_end", u64s(py, col(&|f| f.passage.a.end as u64))?)?;
    out.set_item("b_start", u64s(py, col(&|f| f.passage.b.start as u64))?)?;
    out.set_item("b_end", u64s(py, col(&|f| f.passage.b.end as u64))?)?;
    out.set_item("a_tokens", u64s(py, col(&|f| f.passage.a_tokens as u64))?)?;
    out.set_item("b_tokens", u64s(py, col(&|f| f.passage.b_tokens as u64))?)?;
    out.set_item(
        "matched",
        u64s(py, col(&|f| f.passage.matched_tokens as u64))?,
    )?;
    out.set_item(
        "identity",
        f64s(py, found.iter().map(|f| f.passage.identity).collect())?,
    )?;
    out.set_item(
        "score",
        f64s(py, found.iter().map(|f| f.passage.score).collect())?,
    )?;
    out.set_item(
        "kind",
        strings(
            py,
            found
                .iter()
                .map(|f| Some(stemma_report::compare::kind_name(f.passage.kind)))
                .collect(),
        )?,
    )?;
    out.set_item(
        "shared_anchors",
        u32s(py, found.iter().map(|f| f.shared_anchors).collect())?,
    )?;
    out.set_item(
        "joins",
        bools(
            py,
            found
                .iter()
                .map(|f| stemma_reuse::joins_clusters(&f.passage))
                .collect(),
        )?,
    )?;
    Ok((out, dropped))
}

/// Stage 5a, nodes (`stemma_reuse::group_spans`): occurrences (a passage's span in a
/// document) grouped per document into nodes. The occurrences of each document must all be
/// in the batch; (`pair`, `within`) breaks ties as the crate does: numbers in the order of
/// the passage's rank among all passages, then of its side. Returns, per occurrence in input
/// order, its node's number within its document (nodes numbered in order of creation) and
/// the node's extent.
#[pyfunction]
#[pyo3(signature = (doc, start, end, pair, within, min_overlap, threads))]
#[allow(clippy::too_many_arguments)]
fn group_spans(
    py: Python<'_>,
    doc: &Bound<'_, PyAny>,
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
    pair: &Bound<'_, PyAny>,
    within: &Bound<'_, PyAny>,
    min_overlap: f64,
    threads: Option<usize>,
) -> PyResult<(Capsules, Capsules, Capsules)> {
    if !(0.0..=1.0).contains(&min_overlap) {
        return Err(error(format!(
            "--min-overlap must be between 0 and 1, not {min_overlap}"
        )));
    }
    let doc = ffi::integers(&ffi::import(doc)?, "doc")?;
    let start = ffi::integers(&ffi::import(start)?, "start")?;
    let end = ffi::integers(&ffi::import(end)?, "end")?;
    let pair = ffi::integers(&ffi::import(pair)?, "pair")?;
    let within = ffi::integers(&ffi::import(within)?, "within")?;
    let n = doc.len();
    if [start.len(), end.len(), pair.len(), within.len()]
        .iter()
        .any(|&l| l != n)
    {
        return Err(error(
            "doc, start, end, pair and within must have the same length",
        ));
    }
    let (node, node_start, node_end) = run(py, threads, || {
        let mut rows: Vec<u32> = (0..n as u32).collect();
        let key = |i: &u32| {
            let i = *i as usize;
            (
                doc[i],
                start[i],
                std::cmp::Reverse(end[i]),
                pair[i],
                within[i],
            )
        };
        rows.par_sort_unstable_by_key(key);
        let mut node = vec![0u32; n];
        let mut node_start = vec![0u64; n];
        let mut node_end = vec![0u64; n];
        let span = |i: u32| Span {
            start: start[i as usize] as usize,
            end: end[i as usize] as usize,
        };
        for run in rows.chunk_by(|x, y| doc[*x as usize] == doc[*y as usize]) {
            let spans: Vec<Span> = run.iter().map(|&i| span(i)).collect();
            let (extents, node_of) = stemma_reuse::group_spans(&spans, min_overlap);
            for (&i, n) in run.iter().zip(node_of) {
                node[i as usize] = n;
                node_start[i as usize] = extents[n as usize].start as u64;
                node_end[i as usize] = extents[n as usize].end as u64;
            }
        }
        (node, node_start, node_end)
    })?;
    Ok((u32s(py, node)?, u64s(py, node_start)?, u64s(py, node_end)?))
}

/// Stage 5b, star clustering (`stemma_reuse::star_clusters`) of whole connected components:
/// edges (x, y, score) between nodes named by numbers whose order is the crate's node order,
/// each tagged with its component; every edge of a component must be in the batch. Returns
/// each node (sorted) and its centre (`u64::MAX` for none).
#[pyfunction]
#[pyo3(signature = (component, x, y, score, threads))]
fn star_clusters(
    py: Python<'_>,
    component: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    score: &Bound<'_, PyAny>,
    threads: Option<usize>,
) -> PyResult<(Capsules, Capsules)> {
    let component = ffi::integers(&ffi::import(component)?, "component")?;
    let x = ffi::integers(&ffi::import(x)?, "x")?;
    let y = ffi::integers(&ffi::import(y)?, "y")?;
    let score = ffi::floats(&ffi::import(score)?, "score")?;
    let n = component.len();
    if x.len() != n || y.len() != n || score.len() != n {
        return Err(error("component, x, y and score must have the same length"));
    }
    let (nodes, centres) = run(py, threads, || {
        let mut rows: Vec<usize> = (0..n).collect();
        rows.sort_unstable_by_key(|&i| component[i]);
        let groups: Vec<&[usize]> = rows
            .chunk_by(|&p, &q| component[p] == component[q])
            .collect();
        let per_component: Vec<(Vec<u64>, Vec<u64>)> = groups
            .par_iter()
            .map(|edges| {
                let mut nodes: Vec<u64> = edges.iter().flat_map(|&i| [x[i], y[i]]).collect();
                nodes.sort_unstable();
                nodes.dedup();
                let local = |v: u64| nodes.binary_search(&v).expect("endpoint") as u32;
                let local_edges: Vec<(u32, u32, f64)> = edges
                    .iter()
                    .map(|&i| (local(x[i]), local(y[i]), score[i]))
                    .collect();
                let cluster_of = stemma_reuse::star_clusters(nodes.len(), &local_edges);
                let centres = cluster_of
                    .iter()
                    .map(|&c| {
                        if c == stemma_reuse::NONE {
                            u64::MAX
                        } else {
                            nodes[c as usize]
                        }
                    })
                    .collect();
                (nodes, centres)
            })
            .collect();
        let mut all_nodes = Vec::new();
        let mut all_centres = Vec::new();
        for (nodes, centres) in per_component {
            all_nodes.extend(nodes);
            all_centres.extend(centres);
        }
        (all_nodes, all_centres)
    })?;
    Ok((u64s(py, nodes)?, u64s(py, centres)?))
}

/// Stage 5c, members (`stemma_reuse::assemble_clusters` and `cluster_order`): the nodes of
/// whole clusters, one row each (its centre, its node number in the crate's order, its
/// document's id and date, its span); every node of a cluster must be in the batch. Returns
/// per row its rank in its cluster (the crate's member order) and its cluster's order key:
/// size, then the first member's id, start and end (ties: by centre).
#[pyfunction]
#[pyo3(signature = (centre, node, id, date, start, end, threads))]
#[allow(clippy::too_many_arguments)]
fn assemble_clusters(
    py: Python<'_>,
    centre: &Bound<'_, PyAny>,
    node: &Bound<'_, PyAny>,
    id: &Bound<'_, PyAny>,
    date: &Bound<'_, PyAny>,
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
    threads: Option<usize>,
) -> PyResult<(Capsules, Capsules, Capsules, Capsules, Capsules)> {
    let centre = ffi::integers(&ffi::import(centre)?, "centre")?;
    let node = ffi::integers(&ffi::import(node)?, "node")?;
    let start = ffi::integers(&ffi::import(start)?, "start")?;
    let end = ffi::integers(&ffi::import(end)?, "end")?;
    let (id_array, date_array) = (ffi::import(id)?, ffi::import(date)?);
    let (ids, dates) = (ffi::texts(&id_array)?, ffi::texts(&date_array)?);
    let n = centre.len();
    if [node.len(), start.len(), end.len(), ids.len(), dates.len()]
        .iter()
        .any(|&l| l != n)
    {
        return Err(error("every column must have the same length"));
    }
    index(n)?;
    type Out = (Vec<u32>, Vec<u64>, Vec<Option<String>>, Vec<u64>, Vec<u64>);
    let (rank, size, first_id, first_start, first_end): Out = run(py, threads, || {
        // Rows in node order: the crate numbers nodes so, and its ties follow that order.
        let mut rows: Vec<u32> = (0..n as u32).collect();
        rows.sort_unstable_by_key(|&r| node[r as usize]);
        let docs: Vec<Document> = rows
            .iter()
            .map(|&r| {
                let mut doc = Document::new(ids[r as usize].unwrap_or(""), "");
                doc.date = dates[r as usize].map(str::to_string);
                doc
            })
            .collect();
        let nodes: Vec<(u32, Span)> = rows
            .iter()
            .enumerate()
            .map(|(i, &r)| {
                let span = Span {
                    start: start[r as usize] as usize,
                    end: end[r as usize] as usize,
                };
                (i as u32, span)
            })
            .collect();
        let mut centres: Vec<u64> = centre.clone();
        centres.sort_unstable();
        centres.dedup();
        let cluster_of: Vec<u32> = rows
            .iter()
            .map(|&r| centres.binary_search(&centre[r as usize]).expect("centre") as u32)
            .collect();
        let clusters = stemma_reuse::assemble_clusters(&docs, &nodes, &cluster_of);
        let mut out: Out = (
            vec![0; n],
            vec![0; n],
            vec![None; n],
            vec![0; n],
            vec![0; n],
        );
        for c in &clusters {
            let (size, first) = stemma_reuse::cluster_order(&docs, c);
            let (fid, fstart, fend) = first.expect("a cluster has members");
            for (k, m) in c.members.iter().enumerate() {
                let r = rows[m.doc as usize] as usize;
                out.0[r] = k as u32;
                out.1[r] = size.0 as u64;
                out.2[r] = Some(fid.clone());
                out.3[r] = fstart as u64;
                out.4[r] = fend as u64;
            }
        }
        out
    })?;
    Ok((
        u32s(py, rank)?,
        u64s(py, size)?,
        strings(py, first_id)?,
        u64s(py, first_start)?,
        u64s(py, first_end)?,
    ))
}

/// Records of JSON Lines (`stemma_ingest::parse_jsonl_line`): lines of the input at
/// `input_path` (whose records' default ids start with `input_id`, as `walk_inputs` gives
/// it) with their 1-based numbers; returns the columns of the records (blank lines skipped):
/// line, id, series, date, title, text, extra (the other fields, as JSON, or null). The first
/// bad line raises the CLI's error.
#[pyfunction]
#[pyo3(signature = (input_path, input_id, line, text, max_bytes))]
fn parse_jsonl<'py>(
    py: Python<'py>,
    input_path: &str,
    input_id: &str,
    line: &Bound<'py, PyAny>,
    text: &Bound<'py, PyAny>,
    max_bytes: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let numbers = ffi::integers(&ffi::import(line)?, "line")?;
    let array = ffi::import(text)?;
    let lines = ffi::texts(&array)?;
    if lines.len() != numbers.len() {
        return Err(error("line and text must have the same length"));
    }
    let input = Input {
        path: PathBuf::from(input_path),
        id: input_id.to_string(),
    };
    let parsed = py.detach(|| -> PyResult<Vec<(u64, Document, Option<String>)>> {
        let mut out = Vec::with_capacity(lines.len());
        for (&number, line) in numbers.iter().zip(&lines) {
            let bytes = line.unwrap_or("").as_bytes();
            if bytes.len() as u64 > max_bytes {
                return Err(error(IngestError {
                    input: input.name(),
                    reason: Reason::LineTooLong {
                        line: number,
                        limit: max_bytes,
                    },
                }));
            }
            match stemma_ingest::parse_jsonl_line(&input, number, bytes) {
                Some(Ok(r)) => {
                    let extra = (!r.extra.is_empty())
                        .then(|| serde_json::to_string(&r.extra))
                        .transpose()
                        .map_err(error)?;
                    out.push((number, r.document, extra));
                }
                Some(Err(e)) => return Err(error(e)),
                None => {}
            }
        }
        Ok(out)
    })?;
    let out = PyDict::new(py);
    out.set_item("line", u64s(py, parsed.iter().map(|p| p.0).collect())?)?;
    let column = |f: &dyn Fn(&Document) -> Option<String>| -> Vec<Option<String>> {
        parsed.iter().map(|p| f(&p.1)).collect()
    };
    out.set_item("id", strings(py, column(&|d| Some(d.id.clone())))?)?;
    out.set_item("series", strings(py, column(&|d| d.source.clone()))?)?;
    out.set_item("date", strings(py, column(&|d| d.date.clone()))?)?;
    out.set_item("title", strings(py, column(&|d| d.title.clone()))?)?;
    out.set_item("text", strings(py, column(&|d| Some(d.text.clone())))?)?;
    out.set_item(
        "extra",
        strings(py, parsed.iter().map(|p| p.2.clone()).collect())?,
    )?;
    Ok(out)
}

/// The inputs `stemma reuse PATHS…` reads, in its order: (path, input id, whether it is
/// JSON Lines).
#[pyfunction]
fn walk_inputs(paths: Vec<PathBuf>) -> Vec<(String, String, bool)> {
    stemma_ingest::walk_inputs(&paths)
        .map(|input| {
            let jsonl =
                stemma_ingest::Format::from_path(&input.path) == Some(stemma_ingest::Format::Jsonl);
            (input.path.to_string_lossy().into_owned(), input.id, jsonl)
        })
        .collect()
}

/// The clusters' JSON Lines records (`stemma_report::reuse::ClusterMember`), one per member
/// row: the member's cluster, its size, its document's fields (id, series, date, title,
/// text, extra as JSON or null), its byte span, and the cluster's earliest witness (id, or
/// null). Returns the lines, without line ends.
#[pyfunction]
#[pyo3(signature = (cluster, size, id, series, date, title, text, extra, start, end, earliest, threads))]
#[allow(clippy::too_many_arguments)]
fn cluster_records(
    py: Python<'_>,
    cluster: &Bound<'_, PyAny>,
    size: &Bound<'_, PyAny>,
    id: &Bound<'_, PyAny>,
    series: &Bound<'_, PyAny>,
    date: &Bound<'_, PyAny>,
    title: &Bound<'_, PyAny>,
    text: &Bound<'_, PyAny>,
    extra: &Bound<'_, PyAny>,
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
    earliest: &Bound<'_, PyAny>,
    threads: Option<usize>,
) -> PyResult<Capsules> {
    let cluster = ffi::integers(&ffi::import(cluster)?, "cluster")?;
    let size = ffi::integers(&ffi::import(size)?, "size")?;
    let start = ffi::integers(&ffi::import(start)?, "start")?;
    let end = ffi::integers(&ffi::import(end)?, "end")?;
    let arrays: Vec<_> = [id, series, date, title, text, extra, earliest]
        .iter()
        .map(|a| ffi::import(a))
        .collect::<PyResult<_>>()?;
    let columns: Vec<Vec<Option<&str>>> = arrays.iter().map(ffi::texts).collect::<PyResult<_>>()?;
    let n = cluster.len();
    if [size.len(), start.len(), end.len()].iter().any(|&l| l != n)
        || columns.iter().any(|c| c.len() != n)
    {
        return Err(error("every column must have the same length"));
    }
    let lines = run(py, threads, || -> PyResult<Vec<Option<String>>> {
        (0..n)
            .into_par_iter()
            .map(|i| {
                let [id, series, date, title, text, extra, earliest] =
                    std::array::from_fn(|c| columns[c][i]);
                let document = MemberDocument {
                    id: id.unwrap_or(""),
                    series,
                    date,
                    title,
                    text: text.unwrap_or(""),
                    extra,
                };
                let span = (start[i], end[i]);
                member_record(cluster[i], size[i] as usize, &document, span, earliest)
                    .map(Some)
                    .map_err(|e| error(format!("row {i}: {e}")))
            })
            .collect()
    })??;
    strings(py, lines)
}

/// A member's document as the record needs it: its fields, borrowed from Arrow columns.
pub(crate) struct MemberDocument<'a> {
    pub id: &'a str,
    pub series: Option<&'a str>,
    pub date: Option<&'a str>,
    pub title: Option<&'a str>,
    pub text: &'a str,
    /// The input record's other fields, as a JSON object.
    pub extra: Option<&'a str>,
}

/// One member's line of `stemma reuse --out` (`stemma_report::reuse::ClusterMember`): its
/// cluster and the cluster's size, its document, its byte span, and the cluster's earliest
/// witness id.
pub(crate) fn member_record(
    cluster: u64,
    size: usize,
    document: &MemberDocument,
    (start, end): (u64, u64),
    earliest: Option<&str>,
) -> Result<String, String> {
    let mut doc = Document::new(document.id, document.text);
    doc.source = document.series.map(str::to_string);
    doc.date = document.date.map(str::to_string);
    doc.title = document.title.map(str::to_string);
    let extra: Option<Map<String, Value>> = document
        .extra
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| e.to_string())?;
    let earliest_doc = earliest.map(|e| Document::new(e, ""));
    let span = Span {
        start: start as usize,
        end: end as usize,
    };
    if span.start > span.end || span.end > doc.text.len() {
        return Err("span outside the text".into());
    }
    let offsets = stemma_text::CharOffsets::new(&doc.text);
    let member = stemma_report::reuse::ClusterMember {
        cluster,
        size,
        doc: &doc,
        extra: extra.as_ref(),
        span,
        chars: (offsets.char_of(span.start), offsets.char_of(span.end)),
        earliest: earliest_doc.as_ref(),
    };
    serde_json::to_string(&Value::Object(member.record())).map_err(|e| e.to_string())
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(anchors, m)?)?;
    m.add_function(wrap_pyfunction!(band_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(align_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(group_spans, m)?)?;
    m.add_function(wrap_pyfunction!(star_clusters, m)?)?;
    m.add_function(wrap_pyfunction!(assemble_clusters, m)?)?;
    m.add_function(wrap_pyfunction!(parse_jsonl, m)?)?;
    m.add_function(wrap_pyfunction!(walk_inputs, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_records, m)?)?;
    Ok(())
}

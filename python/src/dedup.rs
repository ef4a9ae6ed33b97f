//! `stemma dedup` for Python: the plain call (the CLI's records and summary), the whole run
//! over an Arrow batch, and its stages over Arrow columns for engines (the Spark job), each
//! a public function of `stemma-dedup` so that an engine running them in order gets the
//! CLI's clusters.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{Array, BooleanArray, Float64Array, UInt32Array};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;
use stemma_dedup::{DedupOptions, Deduper, Keep, NoProgress};
use stemma_ingest::Limits;
use stemma_report::dedup::{DedupView, DocumentRecord};
use stemma_text::Document;

use crate::ffi::{self, bools, export, f64s, strings, u32s, u64s};
use crate::plain::{read_paths, records};
use crate::{error, run};

type Capsules = (Py<PyAny>, Py<PyAny>);

/// The library's options, checked with the CLI's messages.
#[allow(clippy::too_many_arguments)]
fn options(
    threshold: f64,
    ngram: usize,
    num_perm: usize,
    bands: Option<usize>,
    keep: &str,
    memory: u64,
    tmp: Option<PathBuf>,
) -> PyResult<DedupOptions> {
    let keep = match keep {
        "first" => Keep::First,
        "earliest" => Keep::Earliest,
        "longest" => Keep::Longest,
        other => {
            return Err(error(format!(
                "--keep must be first, earliest or longest, not {other:?}"
            )))
        }
    };
    let options = DedupOptions {
        threshold,
        ngram,
        num_perm,
        bands,
        keep,
        memory,
        tmp_dir: tmp,
        ..DedupOptions::default()
    };
    // The library checks its options when a deduper is made (nothing is allocated yet).
    Deduper::new(options.clone()).map_err(error)?;
    Ok(options)
}

/// The checked options' band layout: (bands, rows per band).
#[pyfunction]
#[pyo3(signature = (threshold, ngram, num_perm, bands, keep))]
fn dedup_layout(
    threshold: f64,
    ngram: usize,
    num_perm: usize,
    bands: Option<usize>,
    keep: &str,
) -> PyResult<(usize, usize)> {
    Ok(options(threshold, ngram, num_perm, bands, keep, 1 << 20, None)?.layout())
}

/// `stemma dedup PATHS… --out - --json`: (summary JSON, records JSON Lines).
#[pyfunction]
#[pyo3(signature = (paths, lines, threshold, ngram, num_perm, bands, keep, memory, tmp, max_bytes, threads))]
#[allow(clippy::too_many_arguments)]
fn dedup(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    lines: Vec<String>,
    threshold: f64,
    ngram: usize,
    num_perm: usize,
    bands: Option<usize>,
    keep: &str,
    memory: u64,
    tmp: Option<PathBuf>,
    max_bytes: u64,
    threads: Option<usize>,
) -> PyResult<(String, String)> {
    let options = options(threshold, ngram, num_perm, bands, keep, memory, tmp)?;
    if paths.is_empty() && lines.is_empty() {
        return Err(error(
            "nothing to read: give files, folders or JSON Lines corpora, or records",
        ));
    }
    let limits = Limits { max_bytes };
    run(py, threads, move || {
        let mut deduper = Deduper::new(options.clone()).map_err(error)?;
        let from_paths = read_paths(&paths, &limits)?;
        let docs: Vec<Document> = from_paths.into_iter().map(|(d, _)| d).collect();
        deduper.add(&docs, &NoProgress).map_err(error)?;
        drop(docs);
        let docs: Vec<Document> = records("records", &lines)?
            .into_iter()
            .map(|(d, _)| d)
            .collect();
        deduper.add(&docs, &NoProgress).map_err(error)?;
        drop(docs);
        if deduper.is_empty() {
            return Err(error("no documents were read"));
        }
        let result = deduper.finish(&NoProgress).map_err(error)?;
        let shown = Default::default();
        let view = DedupView {
            dedup: &result,
            options: &options,
            docs: &shown,
        };
        let mut out = Vec::new();
        stemma_report::dedup::write_records(&view, &mut out).map_err(error)?;
        Ok((
            stemma_report::dedup::summary_json(&view),
            String::from_utf8(out).map_err(error)?,
        ))
    })?
}

/// `stemma dedup` over one batch of documents (`id`, `text`, `date` arrays; `date` may be
/// None), in row order: per row its cluster (null: no duplicate), whether it is kept, the
/// row of the kept document, the similarity with it (null when kept; rounded as the
/// records), whether it is an exact duplicate, its words and bytes; and the summary JSON.
#[pyfunction]
#[pyo3(signature = (text, date, threshold, ngram, num_perm, bands, keep, memory, tmp, threads))]
#[allow(clippy::too_many_arguments)]
fn dedup_batch<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    date: Option<&Bound<'py, PyAny>>,
    threshold: f64,
    ngram: usize,
    num_perm: usize,
    bands: Option<usize>,
    keep: &str,
    memory: u64,
    tmp: Option<PathBuf>,
    threads: Option<usize>,
) -> PyResult<(Bound<'py, PyDict>, String)> {
    let options = options(threshold, ngram, num_perm, bands, keep, memory, tmp)?;
    let text_array = ffi::import(text)?;
    let texts = ffi::texts(&text_array)?;
    let date_array = date.map(ffi::import).transpose()?;
    let dates = match &date_array {
        Some(a) => Some(ffi::texts(a)?),
        None => None,
    };
    if dates.as_ref().is_some_and(|d| d.len() != texts.len()) {
        return Err(error("text and date must have the same length"));
    }
    let n = texts.len();
    let result = run(py, threads, || -> PyResult<_> {
        let mut deduper = Deduper::new(options.clone()).map_err(error)?;
        // Documents are made a slice at a time: the deduper keeps only their sketches.
        for start in (0..n).step_by(8192) {
            let docs: Vec<Document> = (start..n.min(start + 8192))
                .map(|i| {
                    // Rows are named by number: the deduper needs no id here.
                    let mut doc = Document::new("", texts[i].unwrap_or(""));
                    doc.date = dates.as_ref().and_then(|d| d[i]).map(str::to_string);
                    doc
                })
                .collect();
            deduper.add(&docs, &NoProgress).map_err(error)?;
        }
        if deduper.is_empty() {
            return Err(error("no documents were read"));
        }
        deduper.finish(&NoProgress).map_err(error)
    })??;
    let shown = Default::default();
    let view = DedupView {
        dedup: &result,
        options: &options,
        docs: &shown,
    };
    let summary = stemma_report::dedup::summary_json(&view);
    let o = &result.outcomes;
    let kept: Vec<bool> = (0..n).map(|i| o[i].kept_doc == i as u32).collect();
    let out = PyDict::new(py);
    out.set_item(
        "cluster",
        export(
            py,
            Arc::new(UInt32Array::from(
                o.iter()
                    .map(|o| (o.cluster != 0).then_some(o.cluster))
                    .collect::<Vec<_>>(),
            )),
        )?,
    )?;
    out.set_item(
        "similarity",
        export(
            py,
            Arc::new(Float64Array::from(
                (0..n)
                    .map(|i| (!kept[i]).then(|| round4(o[i].similarity)))
                    .collect::<Vec<_>>(),
            )),
        )?,
    )?;
    out.set_item(
        "kept_row",
        u32s(py, o.iter().map(|o| o.kept_doc).collect())?,
    )?;
    out.set_item("kept", bools(py, kept)?)?;
    out.set_item("exact", bools(py, o.iter().map(|o| o.exact).collect())?)?;
    out.set_item(
        "words",
        u32s(py, (0..n as u32).map(|d| result.words(d)).collect())?,
    )?;
    out.set_item(
        "bytes",
        u32s(py, (0..n as u32).map(|d| result.bytes(d)).collect())?,
    )?;
    Ok((out, summary))
}

/// The records' similarity: four decimals.
fn round4(similarity: f32) -> f64 {
    (f64::from(similarity) * 10_000.0).round() / 10_000.0
}

/// Stage 1 (`stemma_dedup::sketch`) of a batch of texts: per text its words, bytes and
/// normalized-text hash; and its band keys, flattened as (row, key).
#[pyfunction]
#[pyo3(signature = (texts, ngram, num_perm, bands, rows, threads))]
fn dedup_sketch(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    ngram: usize,
    num_perm: usize,
    bands: usize,
    rows: usize,
    threads: Option<usize>,
) -> PyResult<(Capsules, Capsules, Capsules, Capsules, Capsules)> {
    let array = ffi::import(texts)?;
    let texts = ffi::texts(&array)?;
    u32::try_from(texts.len()).map_err(|_| error("more than 4 billion rows in one batch"))?;
    let sketches: Vec<stemma_dedup::Sketch> = run(py, threads, || {
        texts
            .par_iter()
            .map_init(Vec::new, |norms, text| {
                let mut s =
                    stemma_dedup::sketch(text.unwrap_or(""), ngram, num_perm, bands, rows, norms);
                s.set = Vec::new();
                s
            })
            .collect()
    })?;
    let words = sketches.iter().map(|s| s.words).collect();
    let bytes = texts
        .iter()
        .map(|t| t.map_or(0, str::len).min(u32::MAX as usize) as u32)
        .collect();
    let hashes = sketches.iter().map(|s| s.hash).collect();
    let total = sketches.iter().map(|s| s.keys.len()).sum();
    let (mut key_rows, mut keys) = (Vec::with_capacity(total), Vec::with_capacity(total));
    for (i, s) in sketches.iter().enumerate() {
        key_rows.extend(std::iter::repeat_n(i as u32, s.keys.len()));
        keys.extend_from_slice(&s.keys);
    }
    Ok((
        u32s(py, words)?,
        u32s(py, bytes)?,
        u64s(py, hashes)?,
        u32s(py, key_rows)?,
        u64s(py, keys)?,
    ))
}

/// Stage 2 (`stemma_dedup::bucket_pairs`): the candidate pairs (a < b) of documents sharing
/// a band key, from (key, doc) rows holding every row of each key present. A pair may come
/// out of several keys: the engine keeps distinct pairs.
#[pyfunction]
#[pyo3(signature = (key, doc, max_bucket, threads))]
fn dedup_bucket_pairs(
    py: Python<'_>,
    key: &Bound<'_, PyAny>,
    doc: &Bound<'_, PyAny>,
    max_bucket: Option<usize>,
    threads: Option<usize>,
) -> PyResult<(Capsules, Capsules)> {
    let keys = ffi::integers(&ffi::import(key)?, "key")?;
    let docs = ffi::integers(&ffi::import(doc)?, "doc")?;
    if keys.len() != docs.len() {
        return Err(error("key and doc must have the same length"));
    }
    let mut rows: Vec<(u64, u32)> = Vec::with_capacity(keys.len());
    for (&k, &d) in keys.iter().zip(&docs) {
        rows.push((k, u32::try_from(d).map_err(|_| error("doc: not a u32"))?));
    }
    let max_bucket = max_bucket
        .unwrap_or(DedupOptions::default().max_bucket)
        .max(2);
    let (a, b) = run(py, threads, move || {
        rows.par_sort_unstable();
        rows.dedup();
        let mut pairs = Vec::new();
        let mut bucket = Vec::new();
        for run in rows.chunk_by(|x, y| x.0 == y.0) {
            bucket.clear();
            bucket.extend(run.iter().map(|r| r.1));
            stemma_dedup::bucket_pairs(&bucket, max_bucket, |p| pairs.push(p));
        }
        pairs.par_sort_unstable();
        pairs.dedup();
        pairs
            .iter()
            .map(|&p| ((p >> 32) as u32, p as u32))
            .unzip::<u32, u32, Vec<u32>, Vec<u32>>()
    })?;
    Ok((u32s(py, a)?, u32s(py, b)?))
}

/// Stage 3 (`stemma_dedup::verify`): each pair (a, b) of rows of `texts` on the exact
/// Jaccard of its `ngram`-word shingles; returns the rows of the pairs reaching `threshold`
/// and their similarity (the f32 the CLI keeps, widened).
#[pyfunction]
#[pyo3(signature = (texts, a, b, ngram, threshold, threads))]
fn dedup_verify(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    ngram: usize,
    threshold: f64,
    threads: Option<usize>,
) -> PyResult<(Capsules, Capsules)> {
    let array = ffi::import(texts)?;
    let texts = ffi::texts(&array)?;
    let a = ffi::integers(&ffi::import(a)?, "a")?;
    let b = ffi::integers(&ffi::import(b)?, "b")?;
    let n = texts.len() as u64;
    if a.len() != b.len() || a.iter().chain(&b).any(|&r| r >= n) {
        return Err(error(format!(
            "a and b must have the same length and rows below {n}"
        )));
    }
    let (rows, similarity) = run(py, threads, || {
        // Each text's set once, then the pairs.
        let sets: Vec<Vec<u32>> = texts
            .par_iter()
            .map_init(Vec::new, |norms, text| {
                stemma_text::word_norms(text.unwrap_or(""), norms);
                let mut set = Vec::new();
                stemma_dedup::shingle_set(norms, ngram.max(1), &mut set);
                set
            })
            .collect();
        let found: Vec<(u32, f64)> = (0..a.len())
            .into_par_iter()
            .filter_map(|i| {
                let (x, y) = (&sets[a[i] as usize], &sets[b[i] as usize]);
                stemma_dedup::verify(x, y, threshold).map(|s| (i as u32, f64::from(s)))
            })
            .collect();
        found.into_iter().unzip::<u32, f64, Vec<u32>, Vec<f64>>()
    })?;
    Ok((u32s(py, rows)?, f64s(py, similarity)?))
}

/// Stage 4 (`stemma_dedup::star_clusters`) of whole components: documents (`doc`, its
/// exact-duplicate representative `group`, `date`, `words`, `bytes`), each tagged with its
/// component, and verified edges (`a` < `b`, `similarity`) tagged likewise; every document
/// and edge of a component must be in the batch. Returns per document row its kept
/// document, its similarity with it, whether it is an exact duplicate and whether it is in
/// a cluster (the engine numbers clusters by kept document).
#[pyfunction]
#[pyo3(signature = (component, doc, group, date, words, bytes, edge_component, a, b, similarity, keep, threads))]
#[allow(clippy::too_many_arguments)]
fn dedup_clusters(
    py: Python<'_>,
    component: &Bound<'_, PyAny>,
    doc: &Bound<'_, PyAny>,
    group: &Bound<'_, PyAny>,
    date: &Bound<'_, PyAny>,
    words: &Bound<'_, PyAny>,
    bytes: &Bound<'_, PyAny>,
    edge_component: &Bound<'_, PyAny>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    similarity: &Bound<'_, PyAny>,
    keep: &str,
    threads: Option<usize>,
) -> PyResult<(Capsules, Capsules, Capsules, Capsules)> {
    let keep = options(0.8, 5, 128, None, keep, 1 << 20, None)?.keep;
    let component = ffi::integers(&ffi::import(component)?, "component")?;
    let doc = ffi::integers(&ffi::import(doc)?, "doc")?;
    let group = ffi::integers(&ffi::import(group)?, "group")?;
    let date_array = ffi::import(date)?;
    let dates = ffi::texts(&date_array)?;
    let words = ffi::integers(&ffi::import(words)?, "words")?;
    let bytes = ffi::integers(&ffi::import(bytes)?, "bytes")?;
    let edge_component = ffi::integers(&ffi::import(edge_component)?, "edge_component")?;
    let a = ffi::integers(&ffi::import(a)?, "a")?;
    let b = ffi::integers(&ffi::import(b)?, "b")?;
    let similarity = ffi::floats(&ffi::import(similarity)?, "similarity")?;
    let n = doc.len();
    if [
        component.len(),
        group.len(),
        dates.len(),
        words.len(),
        bytes.len(),
    ]
    .iter()
    .any(|&l| l != n)
        || [a.len(), b.len(), similarity.len()]
            .iter()
            .any(|&l| l != edge_component.len())
    {
        return Err(error("every column of a table must have the same length"));
    }
    type Out = (Vec<u64>, Vec<f64>, Vec<bool>, Vec<bool>);
    let out: Out = run(py, threads, || -> PyResult<Out> {
        // Rows by (component, doc): each component's documents in input order.
        let mut rows: Vec<u32> = (0..n as u32).collect();
        rows.par_sort_unstable_by_key(|&r| (component[r as usize], doc[r as usize]));
        let mut edges: Vec<u32> = (0..a.len() as u32).collect();
        edges.par_sort_unstable_by_key(|&e| edge_component[e as usize]);
        let node_runs: Vec<&[u32]> = rows
            .chunk_by(|&x, &y| component[x as usize] == component[y as usize])
            .collect();
        let edge_runs: Vec<&[u32]> = edges
            .chunk_by(|&x, &y| edge_component[x as usize] == edge_component[y as usize])
            .collect();
        // Per node row: (row, kept document, similarity, exact, in a cluster).
        type Found = Vec<(u32, u64, f64, bool, bool)>;
        let found: Vec<Found> = node_runs
            .par_iter()
            .map(|run| -> PyResult<_> {
                let c = component[run[0] as usize];
                let local = |d: u64| {
                    run.binary_search_by_key(&d, |&r| doc[r as usize])
                        .map(|i| i as u32)
                        .map_err(|_| error(format!("document {d} is not in its component {c}")))
                };
                let group_local: Vec<u32> = run
                    .iter()
                    .map(|&r| local(group[r as usize]))
                    .collect::<PyResult<_>>()?;
                let mut local_edges = Vec::new();
                if let Ok(e) = edge_runs.binary_search_by_key(&c, |e| edge_component[e[0] as usize])
                {
                    for &i in edge_runs[e] {
                        let i = i as usize;
                        let (x, y) = (local(a[i])?, local(b[i])?);
                        local_edges.push((x.min(y), x.max(y), similarity[i] as f32));
                    }
                }
                let to_u32 = |v: u64| v.min(u64::from(u32::MAX)) as u32;
                let w: Vec<u32> = run.iter().map(|&r| to_u32(words[r as usize])).collect();
                let by: Vec<u32> = run.iter().map(|&r| to_u32(bytes[r as usize])).collect();
                let rank = stemma_dedup::keep_ranks(keep, &w, &by, |i| {
                    dates[run[i] as usize].unwrap_or("")
                });
                let (outcomes, _) = stemma_dedup::star_clusters(&group_local, &local_edges, &rank);
                Ok(run
                    .iter()
                    .zip(outcomes)
                    .map(|(&r, o)| {
                        let kept = doc[run[o.kept_doc as usize] as usize];
                        (r, kept, f64::from(o.similarity), o.exact, o.cluster != 0)
                    })
                    .collect())
            })
            .collect::<PyResult<_>>()?;
        let mut out: Out = (vec![0; n], vec![0.0; n], vec![false; n], vec![false; n]);
        for (r, kept, s, exact, clustered) in found.into_iter().flatten() {
            let r = r as usize;
            out.0[r] = kept;
            out.1[r] = s;
            out.2[r] = exact;
            out.3[r] = clustered;
        }
        Ok(out)
    })??;
    Ok((
        u64s(py, out.0)?,
        f64s(py, out.1)?,
        bools(py, out.2)?,
        bools(py, out.3)?,
    ))
}

/// The CLI's `--out` lines (`stemma_report::dedup::DocumentRecord`), one per row: `id`,
/// `cluster` (0: none), `duplicate_of` (null when kept), `similarity`, `exact`, `words`,
/// `bytes`.
#[pyfunction]
#[pyo3(signature = (id, cluster, duplicate_of, similarity, exact, words, bytes, threads))]
#[allow(clippy::too_many_arguments)]
fn dedup_records(
    py: Python<'_>,
    id: &Bound<'_, PyAny>,
    cluster: &Bound<'_, PyAny>,
    duplicate_of: &Bound<'_, PyAny>,
    similarity: &Bound<'_, PyAny>,
    exact: &Bound<'_, PyAny>,
    words: &Bound<'_, PyAny>,
    bytes: &Bound<'_, PyAny>,
    threads: Option<usize>,
) -> PyResult<Capsules> {
    let (id_array, dup_array) = (ffi::import(id)?, ffi::import(duplicate_of)?);
    let (ids, dups) = (ffi::texts(&id_array)?, ffi::texts(&dup_array)?);
    let cluster = ffi::integers(&ffi::import(cluster)?, "cluster")?;
    let similarity = ffi::floats(&ffi::import(similarity)?, "similarity")?;
    let exact_array = ffi::import(exact)?;
    let exact = exact_array
        .as_any()
        .downcast_ref::<BooleanArray>()
        .ok_or_else(|| error("exact: expected an array of booleans"))?;
    let words = ffi::integers(&ffi::import(words)?, "words")?;
    let bytes = ffi::integers(&ffi::import(bytes)?, "bytes")?;
    let n = ids.len();
    if [
        dups.len(),
        cluster.len(),
        similarity.len(),
        exact.len(),
        words.len(),
        bytes.len(),
    ]
    .iter()
    .any(|&l| l != n)
    {
        return Err(error("every column must have the same length"));
    }
    let lines = run(py, threads, || {
        (0..n)
            .into_par_iter()
            .map(|i| {
                let record = DocumentRecord {
                    id: ids[i].unwrap_or(""),
                    cluster: cluster[i] as u32,
                    duplicate_of: dups[i],
                    similarity: similarity[i] as f32,
                    exact: exact.value(i),
                    words: words[i] as u32,
                    bytes: bytes[i] as u32,
                };
                Some(record.to_json().to_string())
            })
            .collect::<Vec<_>>()
    })?;
    strings(py, lines)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dedup_layout, m)?)?;
    m.add_function(wrap_pyfunction!(dedup, m)?)?;
    m.add_function(wrap_pyfunction!(dedup_batch, m)?)?;
    m.add_function(wrap_pyfunction!(dedup_sketch, m)?)?;
    m.add_function(wrap_pyfunction!(dedup_bucket_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(dedup_verify, m)?)?;
    m.add_function(wrap_pyfunction!(dedup_clusters, m)?)?;
    m.add_function(wrap_pyfunction!(dedup_records, m)?)?;
    Ok(())
}

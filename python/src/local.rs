//! The in-process pipeline's own steps (`stemma.arrow.read_jsonl` and `cluster_passages`):
//! what a process holding the whole corpus runs in one call each, where an engine that
//! spreads the work over tasks runs the per-batch stages of `batch` (`parse_jsonl`;
//! `group_spans`, `star_clusters`, `assemble_clusters` and `cluster_records`).
//!
//! Both read and build Arrow columns in Rust: no Python value is made per document or per
//! member, and pyarrow is asked for no conversion of Python values (its first one imports
//! pandas, when installed: 0.15–0.4 s).

use std::path::PathBuf;

use arrow_array::{Array, ArrayRef, LargeStringArray};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;
use stemma_align::Span;
use stemma_ingest::{Format, JsonRecord, JsonlReader, Limits};
use stemma_reuse::PassageEnds;
use stemma_text::Document;

use crate::batch::{member_record, MemberDocument};
use crate::ffi::{self, export, u32s, u64s};
use crate::{error, run};

/// A string column from borrowed values, copied once into the Arrow buffer.
fn string_column<'a>(
    py: Python<'_>,
    values: impl Iterator<Item = Option<&'a str>>,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    export(
        py,
        std::sync::Arc::new(LargeStringArray::from_iter(values)) as ArrayRef,
    )
}

/// The documents of JSON Lines corpora (files, or folders walked as `stemma reuse` walks
/// them), read as the CLI reads them (`stemma_ingest::JsonlReader`, one input per thread),
/// in its order. Returns the columns line, id, series, date, title, text and extra (the
/// record's other fields as JSON, or null); the first bad line raises the CLI's error.
#[pyfunction]
#[pyo3(signature = (paths, max_bytes, threads))]
fn read_jsonl<'py>(
    py: Python<'py>,
    paths: Vec<PathBuf>,
    max_bytes: u64,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let inputs: Vec<stemma_ingest::Input> = stemma_ingest::walk_inputs(&paths).collect();
    if inputs.is_empty() {
        return Err(error("nothing to read"));
    }
    for input in &inputs {
        if Format::from_path(&input.path) != Some(Format::Jsonl) {
            return Err(error(format!(
                "{}: not a JSON Lines file (.jsonl)",
                input.path.display()
            )));
        }
    }
    let limits = Limits { max_bytes };
    let records: Vec<JsonRecord> = run(py, threads, || -> PyResult<Vec<JsonRecord>> {
        let per_input: Vec<Result<Vec<JsonRecord>, String>> = inputs
            .par_iter()
            .map(|input| {
                JsonlReader::open(input, &limits)
                    .map_err(|e| e.to_string())?
                    .map(|r| r.map_err(|e| e.to_string()))
                    .collect()
            })
            .collect();
        let mut records = Vec::new();
        for input in per_input {
            records.extend(input.map_err(error)?);
        }
        Ok(records)
    })??;
    let extras: Vec<Option<String>> = records
        .par_iter()
        .map(|r| {
            (!r.extra.is_empty())
                .then(|| serde_json::to_string(&r.extra))
                .transpose()
        })
        .collect::<Result<_, _>>()
        .map_err(error)?;
    let docs = || records.iter().map(|r| &r.document);
    let out = PyDict::new(py);
    out.set_item("line", u64s(py, records.iter().map(|r| r.line).collect())?)?;
    out.set_item(
        "id",
        string_column(py, docs().map(|d| Some(d.id.as_str())))?,
    )?;
    out.set_item(
        "series",
        string_column(py, docs().map(|d| d.source.as_deref()))?,
    )?;
    out.set_item(
        "date",
        string_column(py, docs().map(|d| d.date.as_deref()))?,
    )?;
    out.set_item(
        "title",
        string_column(py, docs().map(|d| d.title.as_deref()))?,
    )?;
    out.set_item(
        "text",
        string_column(py, docs().map(|d| Some(d.text.as_str())))?,
    )?;
    out.set_item(
        "extra",
        string_column(py, extras.iter().map(|e| e.as_deref()))?,
    )?;
    Ok(out)
}

/// A documents column by name: its values, or `None` for each row when the table has none.
fn optional_texts(array: &Option<ArrayRef>, rows: usize) -> PyResult<Vec<Option<&str>>> {
    match array {
        Some(a) => {
            let values = ffi::texts(a)?;
            if values.len() != rows {
                return Err(error("every documents column must have the same length"));
            }
            Ok(values)
        }
        None => Ok(vec![None; rows]),
    }
}

/// Stage 5 for every passage of a corpus at once (`stemma_reuse::cluster_passages`, as
/// `stemma reuse` runs it), and the members' records: the passages' columns as
/// `align_pairs` gives them (a, b, a_start, a_end, b_start, b_end, score, joins, in candidate
/// order) and the documents' columns (text, and id, series, date, title, extra or `None`;
/// a missing id is the row number). Returns the members in the CLI's order: cluster, rank,
/// size, doc, start, end, record.
#[pyfunction]
#[pyo3(signature = (passages, documents, min_overlap, threads))]
fn cluster_passages<'py>(
    py: Python<'py>,
    passages: &Bound<'py, PyDict>,
    documents: &Bound<'py, PyDict>,
    min_overlap: f64,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    if !(0.0..=1.0).contains(&min_overlap) {
        return Err(error(format!(
            "--min-overlap must be between 0 and 1, not {min_overlap}"
        )));
    }
    let integers = |name: &str| -> PyResult<Vec<u64>> {
        let column = passages
            .get_item(name)?
            .ok_or_else(|| error(format!("passages: no column {name}")))?;
        ffi::integers(&ffi::import(&column)?, name)
    };
    let (a, b) = (integers("a")?, integers("b")?);
    let (a_start, a_end) = (integers("a_start")?, integers("a_end")?);
    let (b_start, b_end) = (integers("b_start")?, integers("b_end")?);
    let column = |dict: &Bound<'py, PyDict>, name: &str| -> PyResult<Option<ArrayRef>> {
        match dict.get_item(name)? {
            Some(c) if !c.is_none() => Ok(Some(ffi::import(&c)?)),
            _ => Ok(None),
        }
    };
    let score = ffi::floats(
        &column(passages, "score")?.ok_or_else(|| error("passages: no column score"))?,
        "score",
    )?;
    let joins_array =
        column(passages, "joins")?.ok_or_else(|| error("passages: no column joins"))?;
    let joins = joins_array
        .as_any()
        .downcast_ref::<arrow_array::BooleanArray>()
        .filter(|j| j.null_count() == 0)
        .ok_or_else(|| error("joins: expected booleans without nulls"))?;
    let m = a.len();
    if [
        b.len(),
        a_start.len(),
        a_end.len(),
        b_start.len(),
        b_end.len(),
        score.len(),
        joins.len(),
    ]
    .iter()
    .any(|&l| l != m)
    {
        return Err(error("every passages column must have the same length"));
    }
    let text_array =
        column(documents, "text")?.ok_or_else(|| error("documents: no column text"))?;
    let texts = ffi::texts(&text_array)?;
    let n = texts.len();
    let arrays: Vec<Option<ArrayRef>> = ["id", "series", "date", "title", "extra"]
        .iter()
        .map(|name| column(documents, name))
        .collect::<PyResult<_>>()?;
    let ids = optional_texts(&arrays[0], n)?;
    let series = optional_texts(&arrays[1], n)?;
    let dates = optional_texts(&arrays[2], n)?;
    let titles = optional_texts(&arrays[3], n)?;
    let extras = optional_texts(&arrays[4], n)?;
    let mut ends = Vec::with_capacity(m);
    for i in 0..m {
        let span = |start: u64, end: u64| Span {
            start: start as usize,
            end: end as usize,
        };
        let (x, y) = (a[i], b[i]);
        if x >= n as u64 || y >= n as u64 || x == y {
            return Err(error(format!(
                "passage {i}: documents ({x}, {y}) must be distinct rows below {n}"
            )));
        }
        let (a_span, b_span) = (span(a_start[i], a_end[i]), span(b_start[i], b_end[i]));
        let fits = |s: Span, row: u64| {
            s.start <= s.end && s.end <= texts[row as usize].map_or(0, str::len)
        };
        if !fits(a_span, x) || !fits(b_span, y) {
            return Err(error(format!("passage {i}: span outside the text")));
        }
        ends.push(PassageEnds {
            a: x as u32,
            a_span,
            b: y as u32,
            b_span,
            score: score[i],
            joins: joins.value(i),
        });
    }
    let row_ids: Vec<String>;
    let ids: Vec<&str> = if arrays[0].is_some() {
        ids.iter().map(|id| id.unwrap_or("")).collect()
    } else {
        row_ids = (0..n).map(|i| i.to_string()).collect();
        row_ids.iter().map(String::as_str).collect()
    };
    type Members = (Vec<u64>, Vec<u32>, Vec<u64>, Vec<u64>, Vec<u64>, Vec<u64>);
    let ((cluster, rank, size, doc, start, end), records): (Members, Vec<String>) =
        run(py, threads, || -> PyResult<_> {
            // Ids and dates order members and clusters; texts are not read.
            let docs: Vec<Document> = (0..n)
                .map(|i| {
                    let mut d = Document::new(ids[i], "");
                    d.date = dates[i].map(str::to_string);
                    d
                })
                .collect();
            let clusters = stemma_reuse::cluster_passages(&docs, &ends, min_overlap);
            let mut members: Members = Default::default();
            let mut rows: Vec<(u64, usize, usize, Option<u32>)> = Vec::new();
            for c in &clusters {
                let earliest = c.earliest.map(|e| c.members[e].doc);
                for (k, member) in c.members.iter().enumerate() {
                    members.0.push(c.id);
                    members.1.push(k as u32);
                    members.2.push(c.members.len() as u64);
                    members.3.push(u64::from(member.doc));
                    members.4.push(member.span.start as u64);
                    members.5.push(member.span.end as u64);
                    rows.push((c.id, c.members.len(), member.doc as usize, earliest));
                }
            }
            let records = rows
                .par_iter()
                .zip(members.4.par_iter().zip(&members.5))
                .map(|(&(cluster, size, d, earliest), (&start, &end))| {
                    let document = MemberDocument {
                        id: ids[d],
                        series: series[d],
                        date: dates[d],
                        title: titles[d],
                        text: texts[d].unwrap_or(""),
                        extra: extras[d],
                    };
                    let earliest = earliest.map(|e| ids[e as usize]);
                    member_record(cluster, size, &document, (start, end), earliest)
                        .map_err(|e| error(format!("document {d}: {e}")))
                })
                .collect::<PyResult<Vec<String>>>()?;
            Ok((members, records))
        })??;
    let out = PyDict::new(py);
    out.set_item("cluster", u64s(py, cluster)?)?;
    out.set_item("rank", u32s(py, rank)?)?;
    out.set_item("size", u64s(py, size)?)?;
    out.set_item("doc", u64s(py, doc)?)?;
    out.set_item("start", u64s(py, start)?)?;
    out.set_item("end", u64s(py, end)?)?;
    out.set_item(
        "record",
        string_column(py, records.iter().map(|r| Some(r.as_str())))?,
    )?;
    Ok(out)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_jsonl, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_passages, m)?)?;
    Ok(())
}

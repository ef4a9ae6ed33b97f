//! The plain functions: each does what a CLI command does, with the CLI's defaults and
//! messages, and returns the CLI's JSON (the Python side wraps it in typed objects).

use std::path::PathBuf;
use std::time::Duration;

use pyo3::prelude::*;
use serde_json::{Map, Value};
use stemma_align::CompareOptions;
use stemma_index::{AddOutcome, CandidateOptions};
use stemma_ingest::{Format, Input, JsonlReader, Limits};
use stemma_reuse::ReuseOptions;
use stemma_text::Document;

use crate::{error, run};

/// The cross-lingual model's folder (`STEMMA_MODEL_DIR`, else the default one, as the CLI
/// reads it), its model loaded at most once per process.
fn model_folder() -> &'static stemma_xling::ModelFolder {
    static FOLDER: std::sync::OnceLock<stemma_xling::ModelFolder> = std::sync::OnceLock::new();
    FOLDER.get_or_init(stemma_xling::ModelFolder::from_env)
}

/// Load `text` (with `id`) or, when `path` is given, the file.
fn document(
    path: Option<String>,
    text: Option<String>,
    id: &str,
    limits: &Limits,
) -> PyResult<Document> {
    match (path, text) {
        (Some(path), _) => stemma_ingest::load(&path, limits).map_err(error),
        (None, Some(text)) => {
            // Through the same decoder as a text file: the same refusals (an empty
            // document) and the same text.
            let input = Input::new(id);
            let mut docs =
                stemma_ingest::from_bytes(&input, text.as_bytes(), Some(Format::Text), limits)
                    .map_err(error)?;
            let mut doc = docs.remove(0);
            doc.id = id.to_string();
            Ok(doc)
        }
        (None, None) => Err(error("give a path or a text")),
    }
}

/// The compare engine's options, checked as the CLI checks its flags.
pub(crate) fn align_options(
    defaults: CompareOptions,
    ngram: Option<usize>,
    min_words: Option<usize>,
    max_gap: Option<usize>,
    min_identity: Option<f64>,
    sentence_seeds: bool,
    all_alignments: bool,
) -> PyResult<CompareOptions> {
    let min_identity = min_identity.unwrap_or(defaults.min_identity);
    if !(0.0..=1.0).contains(&min_identity) {
        return Err(error(format!(
            "--min-identity must be between 0 and 1, not {min_identity}"
        )));
    }
    let ngram = ngram.unwrap_or(defaults.ngram);
    if !(1..=32).contains(&ngram) {
        return Err(error(format!(
            "--ngram must be between 1 and 32, not {ngram}"
        )));
    }
    Ok(CompareOptions {
        ngram,
        min_words: min_words.unwrap_or(defaults.min_words).max(1),
        max_gap: max_gap.unwrap_or(defaults.max_gap),
        min_identity,
        sentence_seeds,
        all_alignments: all_alignments || defaults.all_alignments,
    })
}

/// `stemma compare A B --json`.
#[pyfunction]
#[pyo3(signature = (a_path, a_text, a_id, b_path, b_text, b_id, ngram, min_words, max_gap, min_identity, sentence_seeds, all_alignments, max_bytes, threads))]
#[allow(clippy::too_many_arguments)]
fn compare(
    py: Python<'_>,
    a_path: Option<String>,
    a_text: Option<String>,
    a_id: String,
    b_path: Option<String>,
    b_text: Option<String>,
    b_id: String,
    ngram: Option<usize>,
    min_words: Option<usize>,
    max_gap: Option<usize>,
    min_identity: Option<f64>,
    sentence_seeds: bool,
    all_alignments: bool,
    max_bytes: u64,
    threads: Option<usize>,
) -> PyResult<String> {
    let options = align_options(
        CompareOptions::default(),
        ngram,
        min_words,
        max_gap,
        min_identity,
        sentence_seeds,
        all_alignments,
    )?;
    let limits = Limits { max_bytes };
    run(py, threads, move || {
        let (a, b) = rayon::join(
            || document(a_path, a_text, &a_id, &limits),
            || document(b_path, b_text, &b_id, &limits),
        );
        let (mut a, mut b) = (a?, b?);
        // As the CLI: a document's language, when its format does not say, is guessed.
        for doc in [&mut a, &mut b] {
            if doc.lang.is_none() {
                doc.lang = stemma_text::guess_language(&doc.text).map(str::to_string);
            }
        }
        let (a_analysis, b_analysis) = rayon::join(
            || stemma_text::analyze(&a.text),
            || stemma_text::analyze(&b.text),
        );
        let passages = stemma_align::align(&a_analysis, &b_analysis, &options);
        let view = stemma_report::compare::CompareView {
            a: &a,
            b: &b,
            a_words: a_analysis.tokens.len(),
            b_words: b_analysis.tokens.len(),
            passages: &passages,
            options: &options,
            cross_lingual: None,
        };
        Ok(stemma_report::compare::to_json(&view))
    })?
}

/// `stemma diff OLD NEW --json`.
#[pyfunction]
#[pyo3(signature = (old_path, old_text, old_id, new_path, new_text, new_id, granularity, ignore_case, ignore_punctuation, ignore_numbering, deadline_ms, max_bytes, threads))]
#[allow(clippy::too_many_arguments)]
fn diff(
    py: Python<'_>,
    old_path: Option<String>,
    old_text: Option<String>,
    old_id: String,
    new_path: Option<String>,
    new_text: Option<String>,
    new_id: String,
    granularity: &str,
    ignore_case: bool,
    ignore_punctuation: bool,
    ignore_numbering: bool,
    deadline_ms: u64,
    max_bytes: u64,
    threads: Option<usize>,
) -> PyResult<String> {
    let granularity: stemma_diff::Granularity = granularity.parse().map_err(error)?;
    let options = stemma_diff::DiffOptions {
        granularity,
        ignore_case,
        ignore_punctuation,
        ignore_numbering,
        deadline: Duration::from_millis(deadline_ms),
        ..stemma_diff::DiffOptions::default()
    };
    let limits = Limits { max_bytes };
    run(py, threads, move || {
        let (a, b) = rayon::join(
            || document(old_path, old_text, &old_id, &limits),
            || document(new_path, new_text, &new_id, &limits),
        );
        let (a, b) = (a?, b?);
        let diff = stemma_diff::diff(&a.text, &b.text, &options);
        let view = stemma_report::diff::DiffView {
            a: &a,
            b: &b,
            diff: &diff,
            options: &options,
        };
        Ok(stemma_report::diff::to_json(&view))
    })?
}

/// Documents of JSON records (one JSON object per string), as a JSON Lines file named
/// `name` gives them: the same fields, the same default ids (`NAME:N`), the same errors.
pub(crate) fn records(
    name: &str,
    lines: &[String],
) -> PyResult<Vec<(Document, Map<String, Value>)>> {
    let input = Input::new(name);
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        if line.contains('\n') {
            return Err(error(format!(
                "{name}:{}: a record spans several lines",
                i + 1
            )));
        }
        match stemma_ingest::parse_jsonl_line(&input, i as u64 + 1, line.as_bytes()) {
            Some(Ok(r)) => out.push((r.document, r.extra)),
            Some(Err(e)) => return Err(error(e)),
            None => {}
        }
    }
    Ok(out)
}

/// Every document of `paths` as `stemma reuse` and `stemma index add` read them (folders
/// walked, JSON Lines records with their extra fields).
pub(crate) fn read_paths(
    paths: &[PathBuf],
    limits: &Limits,
) -> PyResult<Vec<(Document, Map<String, Value>)>> {
    let mut out = Vec::new();
    for input in stemma_ingest::walk_inputs(paths) {
        if !input.is_stdin() && Format::from_path(&input.path) == Some(Format::Jsonl) {
            for record in JsonlReader::open(&input, limits).map_err(error)? {
                let record = record.map_err(error)?;
                out.push((record.document, record.extra));
            }
        } else {
            let docs = stemma_ingest::load_input(&input, limits).map_err(error)?;
            out.extend(docs.into_iter().map(|d| (d, Map::new())));
        }
    }
    Ok(out)
}

/// `stemma reuse … --json --out … [--pairs …]`: (summary JSON, clusters JSON Lines, pairs
/// JSON Lines or "").
#[pyfunction]
#[pyo3(signature = (paths, lines, anchor_ngram, min_df, max_df, min_shared, skip_same_series, min_overlap, min_anchor_density, memory, tmp, ngram, min_words, max_gap, min_identity, sentence_seeds, all_alignments, max_bytes, want_pairs, threads))]
#[allow(clippy::too_many_arguments)]
fn reuse(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    lines: Vec<String>,
    anchor_ngram: usize,
    min_df: usize,
    max_df: usize,
    min_shared: usize,
    skip_same_series: bool,
    min_overlap: f64,
    min_anchor_density: f64,
    memory: u64,
    tmp: Option<PathBuf>,
    ngram: Option<usize>,
    min_words: Option<usize>,
    max_gap: Option<usize>,
    min_identity: Option<f64>,
    sentence_seeds: bool,
    all_alignments: bool,
    max_bytes: u64,
    want_pairs: bool,
    threads: Option<usize>,
) -> PyResult<(String, String, String)> {
    let options = ReuseOptions {
        ngram: anchor_ngram,
        min_df,
        max_df,
        min_shared,
        skip_same_series,
        min_overlap,
        min_anchor_density,
        memory,
        tmp_dir: tmp,
        align: align_options(
            ReuseOptions::default_align(),
            ngram,
            min_words,
            max_gap,
            min_identity,
            sentence_seeds,
            all_alignments,
        )?,
        keep_diffs: false,
    };
    if !(1..=32).contains(&anchor_ngram) {
        return Err(error(format!(
            "--anchor-ngram must be between 1 and 32, not {anchor_ngram}"
        )));
    }
    if paths.is_empty() && lines.is_empty() {
        return Err(error(
            "nothing to read: give files, folders or JSON Lines corpora, or records",
        ));
    }
    let limits = Limits { max_bytes };
    run(py, threads, move || {
        let mut loaded = read_paths(&paths, &limits)?;
        loaded.extend(records("records", &lines)?);
        let any_extra = loaded.iter().any(|(_, e)| !e.is_empty());
        let (docs, mut extras): (Vec<Document>, Vec<Map<String, Value>>) =
            loaded.into_iter().unzip();
        if docs.is_empty() {
            return Err(error("no documents were read"));
        }
        if !any_extra {
            extras.clear();
        }
        let reuse =
            stemma_reuse::find_reuse(&docs, &options, &stemma_reuse::NoProgress).map_err(error)?;
        let view = stemma_report::reuse::ReuseView {
            docs: &docs,
            extras: &extras,
            reuse: &reuse,
            options: &options,
        };
        let mut clusters = Vec::new();
        stemma_report::reuse::write_clusters(&view, &mut clusters).map_err(error)?;
        let mut pairs = Vec::new();
        if want_pairs {
            stemma_report::reuse::write_pairs(&view, &mut pairs).map_err(error)?;
        }
        let utf8 = |bytes: Vec<u8>| String::from_utf8(bytes).map_err(error);
        Ok((
            stemma_report::reuse::summary_json(&view),
            utf8(clusters)?,
            utf8(pairs)?,
        ))
    })?
}

/// A stemma index (a folder): `stemma index add`, `stemma trace`, `stemma index search`.
#[pyclass(module = "stemma._stemma", name = "NativeIndex")]
struct NativeIndex {
    index: stemma_index::Index,
}

#[pymethods]
impl NativeIndex {
    /// Open the index at `path`, creating it when `create` and it does not exist.
    #[new]
    fn new(py: Python<'_>, path: PathBuf, create: bool) -> PyResult<Self> {
        let index = py
            .detach(|| {
                if create {
                    stemma_index::Index::open_or_create(&path)
                } else {
                    stemma_index::Index::open(&path)
                }
            })
            .map_err(error)?;
        Ok(NativeIndex { index })
    }

    /// Add files, folders and JSON records (as `stemma index add --strict`: the first input
    /// that cannot be read stops the call and nothing is added); returns (added, replaced,
    /// unchanged).
    #[pyo3(signature = (paths, lines, source, date, max_bytes, threads))]
    #[allow(clippy::too_many_arguments)]
    fn add(
        &self,
        py: Python<'_>,
        paths: Vec<PathBuf>,
        lines: Vec<String>,
        source: Option<String>,
        date: Option<String>,
        max_bytes: u64,
        threads: Option<usize>,
    ) -> PyResult<(usize, usize, usize)> {
        let limits = Limits { max_bytes };
        let index = &self.index;
        run(py, threads, move || {
            let mut docs: Vec<Document> = read_paths(&paths, &limits)?
                .into_iter()
                .map(|(d, _)| d)
                .collect();
            docs.extend(records("records", &lines)?.into_iter().map(|(d, _)| d));
            for doc in &mut docs {
                if let Some(s) = &source {
                    doc.source = Some(s.clone());
                }
                if let Some(d) = &date {
                    doc.date = Some(d.clone());
                }
            }
            let mut writer = index.writer().map_err(error)?;
            let mut counts = (0, 0, 0);
            for outcome in writer.add_all(&docs).map_err(error)? {
                match outcome {
                    AddOutcome::Added => counts.0 += 1,
                    AddOutcome::Replaced => counts.1 += 1,
                    AddOutcome::Unchanged => counts.2 += 1,
                }
            }
            writer.commit().map_err(error)?;
            writer.finish().map_err(error)?;
            index.reload().map_err(error)?;
            Ok(counts)
        })?
    }

    /// `stemma trace FILE --json` (a path), the same for a text, or `stemma trace --id ID`,
    /// with the CLI's cross-lingual channel (`xling_candidates` 0: `--cross-lingual never`).
    #[pyo3(signature = (path, text, text_id, id, candidates, max_df, ngram, min_words, max_gap, min_identity, sentence_seeds, all_alignments, max_bytes, threads, xling_candidates))]
    #[allow(clippy::too_many_arguments)]
    fn trace(
        &self,
        py: Python<'_>,
        path: Option<String>,
        text: Option<String>,
        text_id: String,
        id: Option<String>,
        candidates: usize,
        max_df: Option<u64>,
        ngram: Option<usize>,
        min_words: Option<usize>,
        max_gap: Option<usize>,
        min_identity: Option<f64>,
        sentence_seeds: bool,
        all_alignments: bool,
        max_bytes: u64,
        threads: Option<usize>,
        xling_candidates: usize,
    ) -> PyResult<String> {
        let options = align_options(
            CompareOptions::default(),
            ngram,
            min_words,
            max_gap,
            min_identity,
            sentence_seeds,
            all_alignments,
        )?;
        let limits = Limits { max_bytes };
        let index = &self.index;
        run(py, threads, move || {
            let (target, by_id) = match id {
                Some(id) => {
                    let doc = index.get(&id).map_err(error)?.ok_or_else(|| {
                        error(format!(
                            "{}: no document with id {id:?}",
                            index.dir().display()
                        ))
                    })?;
                    (doc, true)
                }
                None => (document(path, text, &text_id, &limits)?, false),
            };
            // The CLI's pipeline: the three candidate channels, the target never its own
            // source; the model loaded once per process.
            let cross = stemma_trace::CrossLingual {
                model: model_folder(),
                limit: xling_candidates,
            };
            let stemma_trace::IndexedTrace {
                sources,
                trace,
                cross_lingual,
            } = stemma_trace::trace_in_index_with(
                index,
                &target,
                by_id,
                CandidateOptions {
                    limit: candidates,
                    max_doc_freq: max_df,
                    ..CandidateOptions::default()
                },
                &options,
                Some(&cross),
            )
            .map_err(error)?;
            let view = stemma_report::trace::TraceView {
                target: &target,
                candidates: &sources,
                trace: &trace,
                options: &options,
                considered: sources.len(),
            };
            Ok(stemma_report::trace::to_json_with(
                &view,
                cross_lingual.as_ref(),
            ))
        })?
    }

    /// `stemma index search QUERY --json`.
    fn search(&self, py: Python<'_>, query: String, limit: usize) -> PyResult<String> {
        let index = &self.index;
        py.detach(|| {
            let hits = index.search(&query, limit).map_err(error)?;
            let value = serde_json::json!({ "schema": "stemma.index-search/1", "query": query, "hits": hits });
            let mut s = serde_json::to_string_pretty(&value).map_err(error)?;
            s.push('\n');
            Ok(s)
        })
    }

    /// Whether the query has only stopwords (which the index leaves out).
    #[staticmethod]
    fn only_stopwords(query: &str) -> bool {
        stemma_index::only_stopwords(query)
    }

    /// `stemma index stats --json` numbers: documents in the index.
    fn documents(&self, py: Python<'_>) -> PyResult<u64> {
        let index = &self.index;
        py.detach(|| index.stats().map(|s| s.documents).map_err(error))
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(diff, m)?)?;
    m.add_function(wrap_pyfunction!(reuse, m)?)?;
    m.add_class::<NativeIndex>()?;
    Ok(())
}

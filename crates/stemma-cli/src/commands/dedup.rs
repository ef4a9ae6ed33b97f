//! `stemma dedup INPUTS… [--index DIR]`: near-duplicate documents, clustered around the
//! document kept. Also `stemma index dups` and `stemma index add --dedup`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use stemma_dedup::{DedupError, DedupOptions, Deduper, Keep};
use stemma_ingest::{Format, Input, Limits};
use stemma_report::{dedup::DedupView, plural};
use stemma_text::Document;

use super::output;
use super::reuse::{parse_size, write_file, Bars};

/// Which document of a cluster is kept (`--keep`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeepArg {
    /// The first in input order.
    First,
    /// The earliest dated (undated last).
    Earliest,
    /// The one with the most words.
    Longest,
}

/// The options of `stemma dedup` and `stemma index dups`.
#[derive(Debug, Clone, Args)]
pub struct DedupFlags {
    /// Write one JSON Lines record per document (cluster, kept, duplicate_of, similarity)
    /// to this file ('-' for standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write a self-contained HTML overview: each cluster's members side by side with the
    /// kept document, differences marked.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Print a JSON summary (schema "stemma.dedup/1") instead of the terminal summary.
    #[arg(long)]
    pub json: bool,
    /// Near duplicates share at least this Jaccard similarity of word shingles (checked
    /// exactly on every candidate pair).
    #[arg(long, default_value_t = DedupOptions::default().threshold)]
    pub threshold: f64,
    /// Shingle size in words.
    #[arg(long, default_value_t = DedupOptions::default().ngram as u64, value_parser = clap::value_parser!(u64).range(1..=32))]
    pub ngram: u64,
    /// MinHash signature size.
    #[arg(long, default_value_t = DedupOptions::default().num_perm as u64, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub num_perm: u64,
    /// LSH bands (default: the layout that finds a pair at the threshold with probability
    /// ≥ 0.995; 21 bands of 6 at 0.8).
    #[arg(long)]
    pub bands: Option<usize>,
    /// Which document of a cluster is kept.
    #[arg(long, value_enum, default_value = "first")]
    pub keep: KeepArg,
    /// Memory budget for the tables and the shingle store (e.g. 512M, 8G); beyond it,
    /// sorted runs and shingles spill to --tmp.
    #[arg(long, default_value = "2G", value_parser = parse_size)]
    pub memory: u64,
    /// Folder for spilled runs (default: the system's temporary folder).
    #[arg(long, value_name = "DIR")]
    pub tmp: Option<PathBuf>,
    /// Largest input accepted, in bytes (per record for JSON Lines).
    #[arg(long, default_value_t = Limits::default().max_bytes)]
    pub max_bytes: u64,
    /// Skip inputs and JSON Lines records that cannot be read (with a warning each) instead
    /// of stopping at the first.
    #[arg(long)]
    pub skip_bad: bool,
    /// No progress bars.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `stemma dedup`.
#[derive(Debug, Args)]
pub struct DedupArgs {
    /// Files, folders (walked recursively) and JSON Lines corpora (`id`, `date`, `text`…).
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Also read every document of this stemma index.
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
    #[command(flatten)]
    pub flags: DedupFlags,
}

impl DedupFlags {
    /// The library's options.
    pub fn options(&self) -> DedupOptions {
        DedupOptions {
            threshold: self.threshold,
            ngram: self.ngram as usize,
            num_perm: self.num_perm as usize,
            bands: self.bands,
            keep: match self.keep {
                KeepArg::First => Keep::First,
                KeepArg::Earliest => Keep::Earliest,
                KeepArg::Longest => Keep::Longest,
            },
            memory: self.memory,
            tmp_dir: self.tmp.clone(),
            ..DedupOptions::default()
        }
    }
}

impl stemma_dedup::Progress for Bars {
    fn stage(&self, name: &'static str, total: u64) {
        stemma_reuse::Progress::stage(self, name, total);
    }
    fn advance(&self, n: u64) {
        stemma_reuse::Progress::advance(self, n);
    }
    fn finish(&self) {
        stemma_reuse::Progress::finish(self);
    }
}

/// Documents are read in this many inputs at a time (in parallel), and sketched in batches
/// of about this many bytes.
const INPUTS_AT_ONCE: usize = 256;
const BATCH_BYTES: usize = 4 << 20;
const BATCH_DOCS: usize = 4096;

/// Where the documents come from; read once to sketch and again, for the few shown, by
/// `--html` (standard input, which cannot be read twice, is read once up front).
struct Corpus<'a> {
    inputs: &'a [PathBuf],
    index: Option<&'a Path>,
    limits: Limits,
    skip_bad: bool,
    stdin: Option<Result<Vec<Document>, String>>,
    /// Index documents read after all others (those just added, so that with `--keep
    /// first` the documents already there are kept).
    index_last: Option<&'a BTreeSet<String>>,
    /// Only these documents of the index are read (`None`: all).
    index_only: Option<&'a BTreeSet<String>>,
}

impl Corpus<'_> {
    /// Call `each` with batches of documents, in input order.
    fn stream(&self, each: &mut dyn FnMut(Vec<Document>) -> Result<()>) -> Result<()> {
        let inputs: Vec<Input> = stemma_ingest::walk_inputs(self.inputs).collect();
        let mut batch: Vec<Document> = Vec::new();
        let mut bytes = 0usize;
        let push = |doc: Document,
                    batch: &mut Vec<Document>,
                    bytes: &mut usize,
                    each: &mut dyn FnMut(Vec<Document>) -> Result<()>|
         -> Result<()> {
            *bytes += doc.text.len();
            batch.push(doc);
            if batch.len() >= BATCH_DOCS || *bytes >= BATCH_BYTES {
                each(std::mem::take(batch))?;
                *bytes = 0;
            }
            Ok(())
        };
        for chunk in inputs.chunks(INPUTS_AT_ONCE) {
            // JSON Lines corpora stream record by record; other files are read in parallel.
            let (jsonl, files): (Vec<bool>, Vec<&Input>) = chunk
                .iter()
                .map(|i| {
                    (
                        !i.is_stdin() && Format::from_path(&i.path) == Some(Format::Jsonl),
                        i,
                    )
                })
                .unzip();
            let loaded: Vec<Option<Result<Vec<Document>, String>>> = files
                .par_iter()
                .zip(&jsonl)
                .map(|(input, &is_jsonl)| {
                    if input.is_stdin() {
                        return self.stdin.clone();
                    }
                    (!is_jsonl).then(|| {
                        stemma_ingest::load_input(input, &self.limits).map_err(|e| e.to_string())
                    })
                })
                .collect();
            for (input, loaded) in files.iter().zip(loaded) {
                match loaded {
                    Some(Ok(docs)) => {
                        for doc in docs {
                            push(doc, &mut batch, &mut bytes, each)?;
                        }
                    }
                    Some(Err(m)) => self.bad(m)?,
                    None => match stemma_ingest::JsonlReader::open(input, &self.limits) {
                        Ok(reader) => {
                            for record in reader {
                                match record {
                                    Ok(r) => push(r.document, &mut batch, &mut bytes, each)?,
                                    Err(e) => self.bad(e.to_string())?,
                                }
                            }
                        }
                        Err(e) => self.bad(e.to_string())?,
                    },
                }
            }
        }
        if let Some(dir) = self.index {
            let index = stemma_index::Index::open(dir)
                .with_context(|| format!("{}: cannot open the index", dir.display()))?;
            // In id order, as `Index::list` gives them (and a set of ids keeps them): listing
            // a large index only to read a few of its documents would cost more than reading.
            let ids: Vec<String> = match self.index_only {
                Some(only) => only.iter().cloned().collect(),
                None => index.list()?.into_iter().map(|info| info.id).collect(),
            };
            let last = |id: &str| self.index_last.is_some_and(|l| l.contains(id));
            let earlier = ids.iter().filter(|id| !last(id));
            for id in earlier.chain(ids.iter().filter(|id| last(id))) {
                if let Some(doc) = index.get(id)? {
                    push(doc, &mut batch, &mut bytes, each)?;
                }
            }
        }
        if !batch.is_empty() {
            each(batch)?;
        }
        Ok(())
    }

    fn bad(&self, message: String) -> Result<()> {
        anyhow::ensure!(self.skip_bad, "{message}");
        eprintln!("stemma: warning: skipped {message}");
        Ok(())
    }
}

/// Run `stemma dedup`.
pub fn run(args: DedupArgs) -> Result<()> {
    anyhow::ensure!(
        !args.inputs.is_empty() || args.index.is_some(),
        "nothing to read: give files, folders or JSON Lines corpora, or --index DIR"
    );
    run_on(&args.inputs, args.index.as_deref(), &args.flags)
}

/// Deduplicate `inputs` and the documents of `index`, writing what `flags` ask for.
pub fn run_on(inputs: &[PathBuf], index: Option<&Path>, flags: &DedupFlags) -> Result<()> {
    let stdin_count = inputs.iter().filter(|p| p.as_os_str() == "-").count();
    anyhow::ensure!(
        stdin_count <= 1,
        "'-' (standard input) can be given only once"
    );
    let options = flags.options();
    let limits = Limits {
        max_bytes: flags.max_bytes,
    };
    let stdin = (stdin_count == 1)
        .then(|| stemma_ingest::load_input(&Input::stdin(), &limits).map_err(|e| e.to_string()));
    let corpus = Corpus {
        inputs,
        index,
        limits,
        skip_bad: flags.skip_bad,
        stdin,
        index_last: None,
        index_only: None,
    };
    let visible = !flags.quiet && std::io::stderr().is_terminal();
    let bars = Bars::new(visible);
    let started = Instant::now();
    let mut deduper = Deduper::new(options.clone()).map_err(library_error)?;
    stemma_reuse::Progress::stage(&bars, "sketch", 0);
    corpus.stream(&mut |batch| deduper.add(&batch, &bars).map_err(library_error))?;
    stemma_reuse::Progress::finish(&bars);
    anyhow::ensure!(!deduper.is_empty(), "no documents were read");
    let result = deduper.finish(&bars).map_err(library_error)?;
    let mut shown: BTreeMap<u32, Document> = BTreeMap::new();
    if flags.html.is_some() {
        let wanted: BTreeSet<u32> = stemma_report::dedup::shown_documents(&result)
            .into_iter()
            .collect();
        let mut next = 0u32;
        corpus.stream(&mut |batch| {
            for doc in batch {
                if wanted.contains(&next) {
                    shown.insert(next, doc);
                }
                next += 1;
            }
            Ok(())
        })?;
    }
    let view = DedupView {
        dedup: &result,
        options: &options,
        docs: &shown,
    };
    if let Some(path) = &flags.out {
        write_file(path, "records", |out| {
            stemma_report::dedup::write_records(&view, out)
        })?;
    }
    if let Some(path) = &flags.html {
        let page = stemma_report::dedup::to_html(&view);
        write_file(path, "HTML overview", |out| out.write_all(page.as_bytes()))?;
    }
    if !flags.quiet && !flags.json {
        eprintln!(
            "stemma: {} in {:.2}s",
            plural(result.stats.documents as u64, "document", "documents"),
            started.elapsed().as_secs_f64()
        );
    }
    let writes_stdout = flags.out.as_deref() == Some(Path::new("-"));
    if flags.json {
        output::write_stdout(&stemma_report::dedup::summary_json(&view))
    } else if writes_stdout {
        eprint!("{}", stemma_report::dedup::to_terminal(&view));
        Ok(())
    } else {
        output::write_stdout(&stemma_report::dedup::to_terminal(&view))
    }
}

/// The near duplicates among `index`'s documents that involve one of `ids` (the documents
/// just added): one line each, for `stemma index add --dedup`.
///
/// Only the documents linked to the new ones by shared band keys are read, when every
/// document of the index has the keys for these options (`Index::dedup_neighbourhood`:
/// the same lines as a run over the whole index); otherwise, said in one line on stderr,
/// the whole index, each document sketched from its text.
pub fn report_added(index: &Path, ids: &BTreeSet<String>, flags: &DedupFlags) -> Result<String> {
    let options = flags.options();
    let opened = stemma_index::Index::open(index)?;
    let neighbourhood = if opened.dedup_keys_serve(&options) {
        opened.dedup_neighbourhood(ids)?
    } else {
        None
    };
    if neighbourhood.is_none() {
        eprintln!(
            "stemma: note: {}; --dedup reads the whole index",
            if !opened.stores_dedup_keys() {
                "this index was created before band keys were stored (a new index made by \
                 `stemma index add --dedup` has them)"
                    .to_string()
            } else if !opened.dedup_keys_serve(&options) {
                format!(
                    "the index stores band keys for --dedup-threshold {}, not {}",
                    stemma_dedup::DedupOptions::default().threshold,
                    options.threshold
                )
            } else {
                "some documents of the index have no band keys (added without --dedup before \
                 the index held any, or by an older stemma; an index made by \
                 `stemma index add --dedup` has them)"
                    .to_string()
            }
        );
    }
    drop(opened);
    report_added_among(index, ids, flags, neighbourhood.as_ref())
}

/// [`report_added`] reading only `among` (`None`: every document) of the index.
fn report_added_among(
    index: &Path,
    ids: &BTreeSet<String>,
    flags: &DedupFlags,
    among: Option<&BTreeSet<String>>,
) -> Result<String> {
    let corpus = Corpus {
        inputs: &[],
        index: Some(index),
        limits: Limits::default(),
        skip_bad: false,
        stdin: None,
        index_last: Some(ids),
        index_only: among,
    };
    let mut deduper = Deduper::new(flags.options()).map_err(library_error)?;
    let bars = Bars::new(false);
    corpus.stream(&mut |batch| deduper.add(&batch, &bars).map_err(library_error))?;
    if deduper.is_empty() {
        return Ok(String::new());
    }
    let result = deduper.finish(&bars).map_err(library_error)?;
    Ok(stemma_report::dedup::added_lines(&result, ids))
}

fn library_error(e: DedupError) -> anyhow::Error {
    match e {
        DedupError::Options(m) => anyhow::anyhow!(m),
        other => anyhow::anyhow!(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Python tests' 256 documents: Reuters stories with planted near copies and a
    /// 12-version history (python/tests/fixtures/SOURCE.md).
    fn fixture() -> Vec<Document> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../python/tests/fixtures/dedup-small.jsonl");
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|line| {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let mut doc = Document::new(v["id"].as_str().unwrap(), v["text"].as_str().unwrap());
                doc.date = v["date"].as_str().map(str::to_string);
                doc
            })
            .collect()
    }

    /// How the older documents of an index were added, each step a writer of its own (as
    /// one `stemma index add` each): whether it was `--dedup`.
    const HISTORIES: [&[bool]; 3] = [
        // A fresh index kept with --dedup.
        &[true],
        // --dedup first, then plain adds: their writers keep the keys up to date.
        &[true, false, false],
        // Plain adds before the first --dedup: those documents have no keys.
        &[false, true],
    ];

    /// Build an index: `docs` minus every `step`-th document, added over `history`'s writers,
    /// then the rest as `index add --dedup` adds them; the ids of the rest.
    fn index_in_steps(
        dir: &Path,
        docs: &[Document],
        step: usize,
        history: &[bool],
    ) -> BTreeSet<String> {
        let index = stemma_index::Index::create(dir).unwrap();
        let (old, new): (Vec<_>, Vec<_>) =
            docs.iter().enumerate().partition(|(i, _)| i % step != 0);
        let old: Vec<Document> = old.into_iter().map(|(_, d)| d.clone()).collect();
        let chunk = old.len().div_ceil(history.len());
        for (part, &dedup) in old.chunks(chunk).zip(history) {
            let mut writer = index.writer().unwrap();
            if dedup {
                writer.set_dedup_keys(true);
            }
            writer.add_all(part).unwrap();
            writer.commit().unwrap();
        }
        let new: Vec<Document> = new.into_iter().map(|(_, d)| d.clone()).collect();
        let mut writer = index.writer().unwrap();
        writer.set_dedup_keys(true);
        writer.add_all(&new).unwrap();
        writer.commit().unwrap();
        new.iter().map(|d| d.id.clone()).collect()
    }

    #[test]
    fn the_neighbourhood_gives_the_lines_of_the_whole_index() {
        let docs = fixture();
        for (keep, step) in [
            (KeepArg::First, 5),
            (KeepArg::Longest, 3),
            (KeepArg::Earliest, 7),
        ] {
            for history in HISTORIES {
                let dir = tempfile::tempdir().unwrap();
                let ids = index_in_steps(dir.path(), &docs, step, history);
                let index = stemma_index::Index::open(dir.path()).unwrap();
                let flags = DedupFlags {
                    keep,
                    ..super::super::index::dedup_defaults()
                };
                let whole = report_added_among(dir.path(), &ids, &flags, None).unwrap();
                assert!(whole.lines().count() >= 5, "{whole}");
                assert_eq!(report_added(dir.path(), &ids, &flags).unwrap(), whole);
                let Some(among) = index.dedup_neighbourhood(&ids).unwrap() else {
                    // Only documents added plainly before the first --dedup lack keys.
                    assert!(!history[0], "{history:?}");
                    continue;
                };
                assert!(history[0], "{history:?}");
                assert!(among.is_superset(&ids));
                assert!(
                    among.len() < docs.len(),
                    "{} of {}",
                    among.len(),
                    docs.len()
                );
                let part = report_added_among(dir.path(), &ids, &flags, Some(&among)).unwrap();
                assert_eq!(part, whole);
                // Not a test that cannot fail: the new documents alone report otherwise.
                let alone = report_added_among(dir.path(), &ids, &flags, Some(&ids)).unwrap();
                assert_ne!(alone, whole);
            }
        }
    }
}

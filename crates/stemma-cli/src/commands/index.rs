//! `stemma index add | list | show | rm | stats | search`: the persistent corpus.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use stemma_index::{AddOutcome, Index, IndexWriter};
use stemma_ingest::{Format, Limits};
use stemma_report::plural;
use stemma_text::Document;

use super::model::{load_for_comparison, ModelDirArg};
use super::output;

/// Where the index lives (shared by `index` and `trace`).
#[derive(Debug, Clone, Args)]
pub struct IndexDir {
    /// The index folder.
    #[arg(
        long = "index",
        value_name = "DIR",
        env = "STEMMA_INDEX",
        default_value = ".stemma",
        global = true
    )]
    pub dir: PathBuf,
}

/// Arguments of `stemma index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    pub dir: IndexDir,
    #[command(subcommand)]
    pub command: IndexCommand,
}

/// The `stemma index` subcommands.
#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Add files, folders (recursively) and JSON Lines corpora; a document whose id exists is
    /// replaced, unless its content is unchanged. With the cross-lingual model installed, each
    /// document's sentence embeddings are stored too (trace then finds sources in other
    /// languages).
    Add(AddArgs),
    /// Store sentence embeddings for the documents added without them (before the
    /// cross-lingual model was installed, or with --no-embeddings).
    Embed(EmbedArgs),
    /// List the documents (id, date, source, words, title).
    List(JsonFlag),
    /// Show one document: metadata and text.
    Show {
        /// The document id.
        id: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Remove documents by id.
    Rm {
        /// Document ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Documents, sizes, segments.
    Stats(JsonFlag),
    /// Near-duplicate documents of the index, clustered around the one kept (the options and
    /// outputs of `stemma dedup`).
    Dups(super::dedup::DedupFlags),
    /// BM25 search over titles and texts ("phrases", AND, OR, -word).
    Search {
        /// The query.
        query: String,
        /// Results to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[command(flatten)]
        json: JsonFlag,
    },
}

/// `--json`.
#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `stemma index add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Files, folders (walked recursively, hidden entries skipped) and .jsonl corpora.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Set the source (publisher, series) of every document added.
    #[arg(long)]
    pub source: Option<String>,
    /// Set the date of every document added (ISO 8601).
    #[arg(long)]
    pub date: Option<String>,
    /// Commit after this many documents…
    #[arg(long, default_value_t = 100_000)]
    pub commit_every: usize,
    /// …or after this many seconds, whichever comes first. A crash loses at most this much
    /// work; each commit also writes a term dictionary per indexing thread, so committing
    /// every 2 s instead of 10 s makes a bulk add ≈ 20 % slower (bench/index.sh).
    #[arg(long, default_value_t = 10.0)]
    pub commit_secs: f64,
    /// Largest input accepted, in bytes (per record for JSON Lines).
    #[arg(long, default_value_t = Limits::default().max_bytes)]
    pub max_bytes: u64,
    /// Stop at the first input that cannot be read, adding nothing since the last commit
    /// (by default it is reported and the batch goes on).
    #[arg(long)]
    pub strict: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// After adding, report each document added that is a near duplicate (Jaccard of
    /// 5-word shingles ≥ --dedup-threshold) of another document of the index. The documents
    /// added get their band keys, which every later add to this index keeps up to date, so
    /// that the next --dedup reads only what it needs.
    #[arg(long)]
    pub dedup: bool,
    /// The similarity --dedup reports.
    #[arg(long, default_value_t = stemma_dedup::DedupOptions::default().threshold)]
    pub dedup_threshold: f64,
    /// Do not store sentence embeddings, even with the model installed (faster: embedding
    /// costs ≈ 2.5 ms per sentence and core; `stemma index embed` adds them later).
    #[arg(long)]
    pub no_embeddings: bool,
    #[command(flatten)]
    pub model: ModelDirArg,
}

/// Arguments of `stemma index embed`.
#[derive(Debug, Args)]
pub struct EmbedArgs {
    /// Commit after this many documents…
    #[arg(long, default_value_t = 10_000)]
    pub commit_every: usize,
    /// …or after this many seconds, whichever comes first.
    #[arg(long, default_value_t = 10.0)]
    pub commit_secs: f64,
    /// No progress lines.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub model: ModelDirArg,
}

/// Run `stemma index …`.
pub fn run(args: IndexArgs) -> Result<()> {
    let dir = args.dir.dir;
    match args.command {
        IndexCommand::Add(add) => run_add(&dir, add),
        IndexCommand::Embed(embed) => run_embed(&dir, embed),
        IndexCommand::Dups(flags) => {
            anyhow::ensure!(
                dir.is_dir(),
                "{}: no index here (stemma index add creates one)",
                dir.display()
            );
            super::dedup::run_on(&[], Some(&dir), &flags)
        }
        IndexCommand::List(json) => {
            let index = Index::open(&dir)?;
            let docs = index.list()?;
            let out = if json.json {
                to_json(&serde_json::json!({ "schema": "stemma.index-list/1", "documents": docs }))
            } else {
                let mut out = String::new();
                for d in &docs {
                    out.push_str(&format!(
                        "{}\t{}\t{}\t{}\t{}\n",
                        d.id,
                        d.date.as_deref().unwrap_or("-"),
                        d.source.as_deref().unwrap_or("-"),
                        d.words,
                        d.title.as_deref().unwrap_or("")
                    ));
                }
                out
            };
            output::write_stdout(&out)
        }
        IndexCommand::Show { id, json } => {
            let index = Index::open(&dir)?;
            let doc = index
                .get(&id)?
                .with_context(|| format!("{}: no document with id {id:?}", dir.display()))?;
            let out = if json.json {
                to_json(&serde_json::json!({ "schema": "stemma.index-show/1", "document": doc }))
            } else {
                let mut out = format!("id: {}\n", doc.id);
                for (k, v) in [
                    ("title", &doc.title),
                    ("source", &doc.source),
                    ("date", &doc.date),
                    ("lang", &doc.lang),
                ] {
                    if let Some(v) = v {
                        out.push_str(&format!("{k}: {v}\n"));
                    }
                }
                out.push_str(&format!("encoding: {}\n\n{}\n", doc.encoding, doc.text));
                out
            };
            output::write_stdout(&out)
        }
        IndexCommand::Rm { ids } => {
            let index = Index::open(&dir)?;
            let mut writer = index.writer()?;
            let mut missing = Vec::new();
            let mut removed = 0;
            for id in &ids {
                if writer.delete(id)? {
                    removed += 1;
                } else {
                    missing.push(id.as_str());
                }
            }
            writer.commit()?;
            eprintln!(
                "removed {}",
                plural(removed as u64, "document", "documents")
            );
            anyhow::ensure!(
                missing.is_empty(),
                "{}: no document with id {}",
                dir.display(),
                missing.join(", ")
            );
            Ok(())
        }
        IndexCommand::Stats(json) => {
            let index = Index::open(&dir)?;
            let stats = index.stats()?;
            let format = index.marker().version;
            let out = if json.json {
                to_json(
                    &serde_json::json!({ "schema": "stemma.index-stats/1", "index": dir, "format": format, "stats": stats }),
                )
            } else {
                let per_doc = stats.disk_bytes.checked_div(stats.documents).unwrap_or(0);
                let holds = if index.stores_fingerprints_apart() {
                    "fingerprint postings in stemma's own files"
                } else {
                    "fingerprint postings in tantivy's fp field"
                };
                format!(
                    "index: {}\nformat: {format} ({holds})\ndocuments: {}\ntext: {:.1} MB, {} words\nfingerprints: {}\non disk: {:.1} MB ({} bytes per document)\nsegments: {}\ndeleted, awaiting merge: {}\nwith sentence embeddings: {}\n",
                    dir.display(),
                    stats.documents,
                    stats.text_bytes as f64 / 1e6,
                    stats.words,
                    stats.fingerprints,
                    stats.disk_bytes as f64 / 1e6,
                    per_doc,
                    stats.segments,
                    stats.deleted,
                    stats.embedded
                )
            };
            output::write_stdout(&out)
        }
        IndexCommand::Search { query, limit, json } => {
            let index = Index::open(&dir)?;
            let hits = index.search(&query, limit)?;
            let out = if json.json {
                to_json(
                    &serde_json::json!({ "schema": "stemma.index-search/1", "query": query, "hits": hits }),
                )
            } else {
                let mut out = String::new();
                for h in &hits {
                    out.push_str(&format!(
                        "{:.2}\t{}\t{}\n    {}\n",
                        h.score,
                        h.id,
                        h.title.as_deref().unwrap_or(""),
                        h.snippet.split_whitespace().collect::<Vec<_>>().join(" ")
                    ));
                }
                if hits.is_empty() {
                    out.push_str("no document matches\n");
                }
                out
            };
            output::write_stdout(&out)
        }
    }
}

fn to_json(value: &impl Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("serializes");
    s.push('\n');
    s
}

/// Counts of one `add` run.
#[derive(Debug, Default)]
struct Tally {
    added: usize,
    replaced: usize,
    unchanged: usize,
    bad: usize,
    bytes: u64,
    committed: usize,
    /// Ids added or replaced (kept only for --dedup).
    changed: Option<std::collections::BTreeSet<String>>,
}

/// Documents are read in order, analyzed in parallel in batches, and committed every
/// `--commit-every` documents or `--commit-secs` seconds: a crash loses at most that much,
/// and each "committed N documents" line printed is durable.
fn run_add(dir: &std::path::Path, args: AddArgs) -> Result<()> {
    let index = Index::open_or_create(dir)?;
    // The model is loaded only when installed (or named): without it nothing more is done
    // than before.
    let model = if args.no_embeddings || !index.stores_embeddings() {
        None
    } else {
        load_for_comparison(&args.model)?
    };
    // Embedding is most of the time of an add with the model (≈ 2.5 ms a sentence and core:
    // 10k news stories take minutes instead of seconds), so it is said before it starts and
    // timed: a user who installed the model for `compare` is not left guessing.
    let embedding_nanos = std::sync::atomic::AtomicU64::new(0);
    let embed = |doc: &Document, analysis: &stemma_text::Analysis| {
        let model = model.as_ref().expect("called only with a model");
        let started = Instant::now();
        let embeddings = super::xtrace::embed(model, doc, analysis);
        embedding_nanos.fetch_add(
            started.elapsed().as_nanos() as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
        embeddings
    };
    let embedder: Option<&stemma_index::Embedder> = model.as_ref().map(|_| &embed as _);
    if model.is_some() && !args.quiet {
        eprintln!(
            "stemma: the cross-lingual model is installed, so each document's sentences are embedded for traces across languages (≈ 2.5 ms a sentence and core: tens of times slower than indexing alone); --no-embeddings skips it and `stemma index embed` adds them later"
        );
    }
    let mut writer = index.writer()?;
    if args.dedup {
        // The band keys its neighbourhood is found by; without --dedup they are stored only
        // where an earlier --dedup stored them (`IndexWriter::set_dedup_keys`).
        writer.set_dedup_keys(true);
    }
    let limits = Limits {
        max_bytes: args.max_bytes,
    };
    let progress = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed} {pos} documents ({per_sec}) {msg}")
                .expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    };
    let mut tally = Tally {
        changed: args.dedup.then(Default::default),
        ..Tally::default()
    };
    // Batches are analyzed in parallel; no bigger than a commit, so commits land on time.
    let batch_docs = args.commit_every.clamp(1, 512);
    let mut batch: Vec<Document> = Vec::new();
    let mut batch_bytes = 0usize;
    let mut last_commit = Instant::now();
    let started = Instant::now();
    let commit_after = Duration::from_secs_f64(args.commit_secs.max(0.0));
    let mut flush = |batch: &mut Vec<Document>,
                     writer: &mut IndexWriter,
                     tally: &mut Tally,
                     force_commit: bool|
     -> Result<()> {
        if !batch.is_empty() {
            for (outcome, doc) in writer
                .add_all_with(batch, embedder)?
                .into_iter()
                .zip(batch.iter())
            {
                match outcome {
                    AddOutcome::Added => tally.added += 1,
                    AddOutcome::Replaced => tally.replaced += 1,
                    AddOutcome::Unchanged => tally.unchanged += 1,
                }
                if let (Some(changed), AddOutcome::Added | AddOutcome::Replaced) =
                    (tally.changed.as_mut(), outcome)
                {
                    changed.insert(doc.id.clone());
                }
            }
            progress.inc(batch.len() as u64);
        }
        let processed = tally.added + tally.replaced + tally.unchanged;
        let due = processed - tally.committed >= args.commit_every.max(1)
            || last_commit.elapsed() >= commit_after;
        if (force_commit || due) && processed > tally.committed {
            writer.commit()?;
            tally.committed = processed;
            last_commit = Instant::now();
            let last = batch.last().map_or("", |d| d.id.as_str());
            let committed = plural(processed as u64, "document", "documents");
            progress.println(format!("committed {committed} (last: {last})"));
            if progress.is_hidden() && !args.quiet {
                eprintln!("committed {committed} (last: {last})");
            }
        }
        batch.clear();
        Ok(())
    };
    let stamp = |mut doc: Document| {
        if let Some(s) = &args.source {
            doc.source = Some(s.clone());
        }
        if let Some(d) = &args.date {
            doc.date = Some(d.clone());
        }
        doc
    };
    for input in stemma_ingest::walk_inputs(&args.paths) {
        let mut docs: Vec<Result<Document, stemma_ingest::IngestError>> = Vec::new();
        let jsonl = !input.is_stdin() && Format::from_path(&input.path) == Some(Format::Jsonl);
        if jsonl {
            // Streamed: a corpus never sits in memory whole; bad lines are reported and skipped.
            match stemma_ingest::JsonlReader::open(&input, &limits) {
                Ok(reader) => {
                    for record in reader {
                        match record {
                            Ok(r) => {
                                push(&mut batch, &mut batch_bytes, stamp(r.document), &mut tally)
                            }
                            Err(e) if args.strict => return stop(&mut writer, &progress, &e),
                            Err(e) => bad(&progress, &mut tally, &e),
                        }
                        if batch.len() >= batch_docs || batch_bytes >= 8 << 20 {
                            flush(&mut batch, &mut writer, &mut tally, false)?;
                            batch_bytes = 0;
                        }
                    }
                }
                Err(e) => docs.push(Err(e)),
            }
        } else {
            match stemma_ingest::load_input(&input, &limits) {
                Ok(found) => docs.extend(found.into_iter().map(Ok)),
                Err(e) => docs.push(Err(e)),
            }
        }
        for doc in docs {
            match doc {
                Ok(doc) => push(&mut batch, &mut batch_bytes, stamp(doc), &mut tally),
                Err(e) if args.strict => return stop(&mut writer, &progress, &e),
                Err(e) => bad(&progress, &mut tally, &e),
            }
        }
        if batch.len() >= batch_docs || batch_bytes >= 8 << 20 {
            flush(&mut batch, &mut writer, &mut tally, false)?;
            batch_bytes = 0;
        }
    }
    flush(&mut batch, &mut writer, &mut tally, true)?;
    progress.finish_and_clear();
    writer.finish()?;
    let stats = index.stats()?;
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    eprintln!(
        "added {}, replaced {}, unchanged {} ({:.1} MB in {:.1} s, {:.1} MB/s); {} holds {}{}",
        tally.added,
        tally.replaced,
        tally.unchanged,
        tally.bytes as f64 / 1e6,
        secs,
        tally.bytes as f64 / 1e6 / secs,
        dir.display(),
        plural(stats.documents, "document", "documents"),
        // Said only where embeddings are in play: without the model the line is as before.
        match (&model, stats.embedded) {
            (Some(_), embedded) => format!(
                ", {embedded} with sentence embeddings (embedding: {:.1} s summed over threads)",
                embedding_nanos.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e9
            ),
            (None, 0) => String::new(),
            (None, embedded) => format!(", {embedded} with sentence embeddings"),
        }
    );
    if let Some(changed) = &tally.changed {
        let flags = super::dedup::DedupFlags {
            threshold: args.dedup_threshold,
            ..dedup_defaults()
        };
        let lines = super::dedup::report_added(dir, changed, &flags)?;
        if lines.is_empty() {
            eprintln!("no document added is a near duplicate of another");
        }
        output::write_stdout(&lines)?;
    }
    anyhow::ensure!(
        tally.bad == 0,
        "{} could not be read (see above); everything else was added",
        plural(tally.bad as u64, "input", "inputs")
    );
    Ok(())
}

/// `stemma index embed`: the documents without embeddings re-added with them, in batches,
/// committed every `--commit-every` documents or `--commit-secs` seconds (a crash loses at
/// most that much; what was committed keeps its embeddings).
fn run_embed(dir: &std::path::Path, args: EmbedArgs) -> Result<()> {
    let index = Index::open(dir)?;
    anyhow::ensure!(
        index.stores_embeddings(),
        "{}: this index was made before sentence embeddings were stored; re-create it with stemma index add",
        dir.display()
    );
    let (model_dir, _) = args.model.resolve();
    let model = stemma_xling::Model::load(&model_dir)?;
    let embed = |doc: &Document, analysis: &stemma_text::Analysis| {
        super::xtrace::embed(&model, doc, analysis)
    };
    let ids = index.unembedded()?;
    let total = ids.len();
    let mut writer = index.writer()?;
    let (started, mut last_commit) = (Instant::now(), Instant::now());
    let (mut done, mut committed) = (0, 0);
    for batch in ids.chunks(256) {
        let mut docs = Vec::with_capacity(batch.len());
        for id in batch {
            docs.extend(index.get(id)?);
        }
        writer.embed_all(&docs, &embed)?;
        done += batch.len();
        if done - committed >= args.commit_every.max(1)
            || last_commit.elapsed().as_secs_f64() >= args.commit_secs
            || done == total
        {
            writer.commit()?;
            committed = done;
            last_commit = Instant::now();
            if !args.quiet {
                eprintln!(
                    "committed {done} of {}",
                    plural(total as u64, "document", "documents")
                );
            }
        }
    }
    writer.finish()?;
    eprintln!(
        "embedded {} in {:.1} s; {} holds {}, {} with embeddings",
        plural(total as u64, "document", "documents"),
        started.elapsed().as_secs_f64(),
        dir.display(),
        plural(index.stats()?.documents, "document", "documents"),
        index.embedded()?
    );
    Ok(())
}

/// `stemma dedup`'s defaults, as its argument parser gives them.
pub(super) fn dedup_defaults() -> super::dedup::DedupFlags {
    use clap::{FromArgMatches, Parser};
    #[derive(Parser)]
    struct Defaults {
        #[command(flatten)]
        flags: super::dedup::DedupFlags,
    }
    let matches = <Defaults as clap::CommandFactory>::command().get_matches_from(["stemma"]);
    Defaults::from_arg_matches(&matches)
        .expect("defaults parse")
        .flags
}

fn push(batch: &mut Vec<Document>, bytes: &mut usize, doc: Document, tally: &mut Tally) {
    *bytes += doc.text.len();
    tally.bytes += doc.text.len() as u64;
    batch.push(doc);
}

/// `--strict`: the first unreadable input ends the run; what was not committed is dropped,
/// so the index holds exactly its last commit.
fn stop(
    writer: &mut IndexWriter,
    progress: &ProgressBar,
    error: &stemma_ingest::IngestError,
) -> Result<()> {
    progress.finish_and_clear();
    writer.rollback()?;
    anyhow::bail!("{error} (--strict: stopped; nothing since the last commit was added)")
}

fn bad(progress: &ProgressBar, tally: &mut Tally, error: &stemma_ingest::IngestError) {
    tally.bad += 1;
    let line = format!("stemma: skipped {error}");
    if progress.is_hidden() {
        eprintln!("{line}");
    } else {
        progress.println(line);
    }
}

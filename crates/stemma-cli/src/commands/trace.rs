//! `stemma trace FILE` / `stemma trace --id ID`: which indexed sources explain a document.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use stemma_index::{CandidateOptions, Index};
use stemma_report::trace::TraceView;
use stemma_trace::IndexedTrace;

use super::compare::AlignArgs;
use super::index::IndexDir;
use super::output;

/// Arguments of `stemma trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The document to trace ('-' reads standard input).
    #[arg(required_unless_present = "id", conflicts_with = "id")]
    pub file: Option<String>,
    /// Trace a document of the index against the rest of it.
    #[arg(long)]
    pub id: Option<String>,
    #[command(flatten)]
    pub index: IndexDir,
    /// Candidate sources to align from the fingerprint channel (the best by shared
    /// fingerprints, earliest witnesses weighing most); 0 turns the channel off.
    #[arg(long, value_name = "N", default_value_t = CandidateOptions::default().limit)]
    pub candidates: usize,
    /// Candidate sources the BM25 channel adds (the best by BM25 over the target's
    /// sentences, short sources the target holds whole first; they find reworded copies and
    /// short common originals); 0 turns the channel off.
    #[arg(long, value_name = "N", default_value_t = CandidateOptions::default().bm25_limit)]
    pub bm25_candidates: usize,
    /// Ignore fingerprints found in more documents than this (boilerplate); default: 1% of
    /// the index, at least 1,000.
    #[arg(long, value_name = "N")]
    pub max_df: Option<u64>,
    /// Print JSON (schema "stemma.trace/1") instead of the terminal report.
    #[arg(long)]
    pub json: bool,
    /// Also write a self-contained HTML report to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,
    #[command(flatten)]
    pub cross: super::xtrace::CrossLingualArgs,
    #[command(flatten)]
    pub align: AlignArgs,
}

/// Run `stemma trace`.
pub fn run(args: TraceArgs) -> Result<()> {
    // As the server refuses `top=0`: no candidate would trace nothing, silently. One channel
    // may be off (bench/index.sh measures each alone), not both.
    anyhow::ensure!(
        args.candidates + args.bm25_candidates >= 1,
        "--candidates and --bm25-candidates cannot both be 0"
    );
    let options = args
        .align
        .options(stemma_align::CompareOptions::default())?;
    let dir = &args.index.dir;
    let index = Index::open(dir)?;
    let (target, by_id) = match (&args.file, &args.id) {
        (_, Some(id)) => {
            let doc = index
                .get(id)?
                .with_context(|| format!("{}: no document with id {id:?}", dir.display()))?;
            (doc, true)
        }
        (Some(file), None) => (stemma_ingest::load(file, &args.align.limits())?, false),
        (None, None) => anyhow::bail!("give a FILE to trace, or --id ID"),
    };
    let candidate_options = CandidateOptions {
        limit: args.candidates,
        bm25_limit: args.bm25_candidates,
        max_doc_freq: args.max_df,
        ..CandidateOptions::default()
    };
    let folder = args.cross.model.folder();
    let IndexedTrace {
        sources,
        trace,
        cross_lingual,
    } = stemma_trace::trace_in_index_with(
        &index,
        &target,
        by_id,
        candidate_options,
        &options,
        args.cross.channel(&folder).as_ref(),
    )?;
    for note in cross_lingual.iter().flat_map(|c| &c.notes) {
        eprintln!("stemma: {note}");
    }
    let view = TraceView {
        target: &target,
        candidates: &sources,
        trace: &trace,
        options: &options,
        considered: sources.len(),
    };
    output::write_html(args.html.as_deref(), || {
        stemma_report::trace::to_html(&view)
    })?;
    let rendered = if args.json {
        stemma_report::trace::to_json_with(&view, cross_lingual.as_ref())
    } else {
        stemma_report::trace::to_terminal(&view, output::terminal_style(&args.color))
    };
    output::write_stdout(&rendered)
}

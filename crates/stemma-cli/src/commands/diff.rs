//! `stemma diff OLD NEW`: version comparison that understands numbered points and clauses.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use stemma_diff::{DiffOptions, Granularity};
use stemma_ingest::Limits;
use stemma_report::diff::DiffView;

use super::output;

/// Arguments of `stemma diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old version; '-' reads standard input.
    pub old: String,
    /// The new version; '-' reads standard input.
    pub new: String,
    /// Print JSON (schema "stemma.diff/1") instead of the terminal report.
    #[arg(long)]
    pub json: bool,
    /// Also write a self-contained HTML report (redline and side by side) to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Unit of comparison: numbered clauses (paragraphs where there is no numbering),
    /// paragraphs, or sentences.
    #[arg(long, default_value = "clause", value_parser = ["clause", "paragraph", "sentence"])]
    pub granularity: String,
    /// Case differences are not changes.
    #[arg(long)]
    pub ignore_case: bool,
    /// Punctuation differences are not changes.
    #[arg(long)]
    pub ignore_punctuation: bool,
    /// Label differences ("7." → "6.") are not changes.
    #[arg(long)]
    pub ignore_numbering: bool,
    /// Time budget in milliseconds for the word-level redlines; past it they get coarser.
    #[arg(long, default_value_t = 3000, value_name = "MS")]
    pub deadline_ms: u64,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,
    /// Largest input accepted, in bytes.
    #[arg(long, default_value_t = Limits::default().max_bytes)]
    pub max_bytes: u64,
}

/// Run `stemma diff`.
pub fn run(args: DiffArgs) -> Result<()> {
    anyhow::ensure!(
        !(args.old == "-" && args.new == "-"),
        "only one of the two versions can be read from standard input"
    );
    let granularity: Granularity = args.granularity.parse().map_err(anyhow::Error::msg)?;
    let options = DiffOptions {
        granularity,
        ignore_case: args.ignore_case,
        ignore_punctuation: args.ignore_punctuation,
        ignore_numbering: args.ignore_numbering,
        deadline: Duration::from_millis(args.deadline_ms),
        ..DiffOptions::default()
    };
    let limits = Limits {
        max_bytes: args.max_bytes,
    };
    let (a, b) = rayon::join(
        || stemma_ingest::load(&args.old, &limits),
        || stemma_ingest::load(&args.new, &limits),
    );
    let (a, b) = (a?, b?);
    let diff = stemma_diff::diff(&a.text, &b.text, &options);
    let view = DiffView {
        a: &a,
        b: &b,
        diff: &diff,
        options: &options,
    };
    output::write_html(args.html.as_deref(), || stemma_report::diff::to_html(&view))?;
    let rendered = if args.json {
        stemma_report::diff::to_json(&view)
    } else {
        stemma_report::diff::to_terminal(&view, output::terminal_style(&args.color))
    };
    output::write_stdout(&rendered)
}

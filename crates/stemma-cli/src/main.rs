//! # stemma (the binary)
//!
//! Argument parsing, progress and exit codes for the `stemma` command; every algorithm lives
//! in the library crates it calls. Errors print as one line `stemma: …` on stderr and exit
//! with code 2.

mod commands;

use clap::{Parser, Subcommand};

/// stemma: where did these words come from?
#[derive(Debug, Parser)]
#[command(name = "stemma", version, about, max_term_width = 100)]
struct Cli {
    /// Worker threads (default: all cores).
    #[arg(long, global = true, env = "STEMMA_THREADS")]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Every shared passage of two documents, aligned, with exact offsets on both sides.
    Compare(commands::compare::CompareArgs),
    /// Compare two versions clause by clause: removed, added, merged, split, moved, reworded.
    Diff(commands::diff::DiffArgs),
    /// Run the PAN text-alignment protocol: one detection XML per pair.
    Pan(commands::pan::PanArgs),
    /// The persistent corpus: add, list, show, rm, stats, search.
    Index(commands::index::IndexArgs),
    /// Which indexed sources explain a document, passage by passage.
    Trace(commands::trace::TraceArgs),
    /// Every passage reused across a corpus, clustered, earliest witness first (passim's job).
    Reuse(commands::reuse::ReuseArgs),
    /// Near-duplicate documents: exact and near copies clustered around the one kept.
    Dedup(commands::dedup::DedupArgs),
    /// The web UI and HTTP API: trace, compare, diff and the corpus in a browser.
    Serve(commands::serve::ServeArgs),
    /// The cross-lingual sentence model: install it, check it.
    Model(commands::model::ModelArgs),
    /// Evaluate detections against a ground truth.
    #[command(subcommand)]
    Eval(commands::eval::EvalCommand),
}

fn main() {
    let cli = Cli::parse();
    if let Some(threads) = cli.threads {
        // Only fails if a pool exists already, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build_global();
    }
    let result = match cli.command {
        Command::Compare(args) => commands::compare::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Pan(args) => commands::pan::run(args),
        Command::Eval(cmd) => commands::eval::run(cmd),
        Command::Serve(args) => commands::serve::run(args),
        Command::Index(args) => commands::index::run(args),
        Command::Trace(args) => commands::trace::run(args),
        Command::Reuse(args) => commands::reuse::run(args),
        Command::Dedup(args) => commands::dedup::run(args),
        Command::Model(args) => commands::model::run(args),
    };
    if let Err(error) = result {
        // One line: the chain of causes joined, never a backtrace.
        let message = format!("{error:#}").replace('\n', " ");
        eprintln!("stemma: {message}");
        std::process::exit(2);
    }
}

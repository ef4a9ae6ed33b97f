//! `stemma compare A B`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use stemma_align::CompareOptions;
use stemma_ingest::Limits;
use stemma_report::compare::CompareView;

use super::output;

/// Options shared by every command that aligns text.
#[derive(Debug, Clone, Args)]
pub struct AlignArgs {
    /// Seed n-gram size, in content words (stopwords are skipped inside n-grams)
    /// [default: 3; reuse: 2].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub ngram: Option<u16>,
    /// Minimum passage length in words, on both sides.
    #[arg(long, default_value_t = CompareOptions::default().min_words)]
    pub min_words: usize,
    /// Maximum gap in words between pieces of one passage.
    #[arg(long, default_value_t = CompareOptions::default().max_gap)]
    pub max_gap: usize,
    /// Minimum identity (0–1) of a reported passage [default: 0; reuse: 0.5].
    #[arg(long)]
    pub min_identity: Option<f64>,
    /// Seed from exact n-grams only (no sentence-similarity seeds for reworded text).
    #[arg(long)]
    pub no_sentence_seeds: bool,
    /// Report every alignment as a passage, also those lying mostly inside a better passage
    /// on one side (by default they are listed under it, as alternatives).
    #[arg(long)]
    pub all_alignments: bool,
    /// Largest input accepted, in bytes.
    #[arg(long, default_value_t = Limits::default().max_bytes)]
    pub max_bytes: u64,
}

impl AlignArgs {
    /// The alignment options these flags describe; flags not given keep the command's
    /// `defaults`.
    pub fn options(&self, defaults: CompareOptions) -> Result<CompareOptions> {
        let min_identity = self.min_identity.unwrap_or(defaults.min_identity);
        anyhow::ensure!(
            (0.0..=1.0).contains(&min_identity),
            "--min-identity must be between 0 and 1, not {min_identity}"
        );
        Ok(CompareOptions {
            ngram: self.ngram.map_or(defaults.ngram, usize::from),
            min_words: self.min_words.max(1),
            max_gap: self.max_gap,
            min_identity,
            sentence_seeds: !self.no_sentence_seeds,
            all_alignments: self.all_alignments || defaults.all_alignments,
        })
    }

    /// Input limits.
    pub fn limits(&self) -> Limits {
        Limits {
            max_bytes: self.max_bytes,
        }
    }
}

/// Arguments of `stemma compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first document (the earlier one, by convention); '-' reads standard input.
    pub a: String,
    /// The second document; '-' reads standard input.
    pub b: String,
    /// Print JSON (schema "stemma.compare/1") instead of the terminal report.
    #[arg(long)]
    pub json: bool,
    /// Also write a self-contained HTML report to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,
    #[command(flatten)]
    pub align: AlignArgs,
}

/// Run `stemma compare`.
pub fn run(args: CompareArgs) -> Result<()> {
    anyhow::ensure!(
        !(args.a == "-" && args.b == "-"),
        "only one of the two documents can be read from standard input"
    );
    let options = args.align.options(CompareOptions::default())?;
    let limits = args.align.limits();
    let (a, b) = rayon::join(
        || stemma_ingest::load(&args.a, &limits),
        || stemma_ingest::load(&args.b, &limits),
    );
    let (a, b) = (a?, b?);
    let (a_analysis, b_analysis) = rayon::join(
        || stemma_text::analyze(&a.text),
        || stemma_text::analyze(&b.text),
    );
    let passages = stemma_align::align(&a_analysis, &b_analysis, &options);
    let view = CompareView {
        a: &a,
        b: &b,
        a_words: a_analysis.tokens.len(),
        b_words: b_analysis.tokens.len(),
        passages: &passages,
        options: &options,
    };
    output::write_html(args.html.as_deref(), || {
        stemma_report::compare::to_html(&view)
    })?;
    let rendered = if args.json {
        stemma_report::compare::to_json(&view)
    } else {
        stemma_report::compare::to_terminal(&view, output::terminal_style(&args.color))
    };
    output::write_stdout(&rendered)
}

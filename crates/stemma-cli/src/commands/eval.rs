//! `stemma eval pan TRUTH_DIR DET_DIR`.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;
use stemma_eval::Evaluation;

use super::output;

/// Evaluations.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// PAN's precision, recall, granularity and plagdet of detection XMLs against a truth
    /// folder (macro-averaged, as the official PAN text-alignment evaluator).
    Pan(EvalPanArgs),
}

/// Arguments of `stemma eval pan`.
#[derive(Debug, Args)]
pub struct EvalPanArgs {
    /// Folder of truth XMLs, one per pair (a truth XML without cases is a negative pair).
    pub truth_dir: PathBuf,
    /// Folder of detection XMLs with the same file names (a missing file: no detections).
    pub det_dir: PathBuf,
    /// Evaluate only the pairs of this pairs file (and drop detections of other pairs).
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
    /// Print JSON (schema "stemma.eval-pan/1").
    #[arg(long)]
    pub json: bool,
}

/// Run `stemma eval`.
pub fn run(cmd: EvalCommand) -> Result<()> {
    match cmd {
        EvalCommand::Pan(args) => run_pan(args),
    }
}

fn run_pan(args: EvalPanArgs) -> Result<()> {
    let pairs = args
        .pairs
        .as_deref()
        .map(stemma_eval::read_pairs)
        .transpose()?;
    let evaluation = stemma_eval::evaluate_dirs(&args.truth_dir, &args.det_dir, pairs.as_deref())?;
    let rendered = if args.json {
        to_json(&evaluation)
    } else {
        to_text(&evaluation)
    };
    output::write_stdout(&rendered)
}

/// The JSON document of `stemma eval pan --json`.
#[derive(Serialize)]
struct EvalPanJson<'a> {
    schema: &'static str,
    #[serde(flatten)]
    evaluation: &'a Evaluation,
}

fn to_json(evaluation: &Evaluation) -> String {
    let json = EvalPanJson {
        schema: "stemma.eval-pan/1",
        evaluation,
    };
    let mut text = serde_json::to_string_pretty(&json).expect("scores serialize");
    text.push('\n');
    text
}

fn to_text(evaluation: &Evaluation) -> String {
    let s = &evaluation.scores;
    let mut out = String::new();
    let _ = writeln!(out, "plagdet                {:.8}", s.plagdet);
    let _ = writeln!(out, "precision              {:.8}", s.precision);
    let _ = writeln!(out, "recall                 {:.8}", s.recall);
    let _ = writeln!(out, "granularity            {:.8}", s.granularity);
    let _ = writeln!(out, "pairs                  {}", evaluation.pairs);
    let _ = writeln!(out, "cases                  {}", s.cases);
    let _ = writeln!(out, "detections             {}", s.detections);
    let _ = writeln!(
        out,
        "pairs with detections  {}",
        evaluation.pairs_with_detections
    );
    if evaluation.by_obfuscation.len() > 1 {
        let width = evaluation
            .by_obfuscation
            .iter()
            .map(|g| g.obfuscation.chars().count())
            .max()
            .unwrap_or(0)
            .max("obfuscation".len());
        let _ = writeln!(
            out,
            "\n{:width$}  {:>10}  {:>10}  {:>10}  {:>11}  {:>6}  {:>6}  {:>10}",
            "obfuscation",
            "plagdet",
            "precision",
            "recall",
            "granularity",
            "pairs",
            "cases",
            "detections"
        );
        for g in &evaluation.by_obfuscation {
            let s = &g.scores;
            let _ = writeln!(
                out,
                "{:width$}  {:>10.8}  {:>10.8}  {:>10.8}  {:>11.8}  {:>6}  {:>6}  {:>10}",
                g.obfuscation,
                s.plagdet,
                s.precision,
                s.recall,
                s.granularity,
                g.pairs,
                s.cases,
                s.detections
            );
        }
    }
    out
}

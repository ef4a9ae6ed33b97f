//! `stemma eval pan TRUTH_DIR DET_DIR`.

use anyhow::Result;
use clap::Subcommand;

/// Evaluations.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {}

/// Run `stemma eval`.
pub fn run(cmd: EvalCommand) -> Result<()> {
    match cmd {}
}

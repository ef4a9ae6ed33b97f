//! `stemma pan PAIRS SRC_DIR SUSP_DIR OUT_DIR`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::compare::AlignArgs;

/// Arguments of `stemma pan`.
#[derive(Debug, Args)]
pub struct PanArgs {
    /// The pairs file: one "suspicious-document.txt source-document.txt" a line.
    pub pairs: PathBuf,
    /// Folder of source documents.
    pub src_dir: PathBuf,
    /// Folder of suspicious documents.
    pub susp_dir: PathBuf,
    /// Folder to write one detection XML per pair into (created if missing).
    pub out_dir: PathBuf,
    #[command(flatten)]
    pub align: AlignArgs,
}

/// Run `stemma pan`.
pub fn run(args: PanArgs) -> Result<()> {
    let _ = args;
    todo!("pan runner")
}

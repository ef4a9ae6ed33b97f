//! What the cross-lingual end-to-end tests share: the installed model (or a skip), a
//! `stemma` command with exactly that model, and the fixture paths.
//!
//! Tests that need the model read it from `STEMMA_MODEL_DIR`; CI installs it there and sets
//! `STEMMA_REQUIRE_MODEL=1`, which turns a missing model into a failure.
#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A Russian UDHR excerpt (articles 1–10).
pub const RU: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/xling/udhr-ru-articles-1-10.txt"
);
/// English prose holding the English text of articles 3–6.
pub const EN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/xling/emma-with-udhr-en-articles-3-6.txt"
);
pub const LGPL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/LGPL-2.1.txt");
pub const GPL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/GPL-2.txt");

/// The model folder in `STEMMA_MODEL_DIR`, or `None` (the caller skips) when it holds none.
pub fn installed_model() -> Option<PathBuf> {
    let required = std::env::var_os("STEMMA_REQUIRE_MODEL").is_some_and(|v| v == "1");
    match std::env::var_os("STEMMA_MODEL_DIR").map(PathBuf::from) {
        Some(dir) if dir.join("manifest.json").is_file() => Some(dir),
        _ => {
            assert!(
                !required,
                "STEMMA_REQUIRE_MODEL=1 but no model in STEMMA_MODEL_DIR"
            );
            eprintln!("no model in STEMMA_MODEL_DIR: skipped");
            None
        }
    }
}

/// `stemma` with the model in `model`, or with none at all (an empty data home), and no
/// index or model folder inherited from the environment.
pub fn stemma(model: Option<&Path>, home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("stemma").unwrap();
    cmd.env_remove("STEMMA_MODEL_DIR")
        .env_remove("STEMMA_INDEX")
        .env("XDG_DATA_HOME", home);
    if let Some(model) = model {
        cmd.env("STEMMA_MODEL_DIR", model);
    }
    cmd
}

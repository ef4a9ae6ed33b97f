//! # stemma-ingest
//!
//! Turns inputs (files, standard input) into [`stemma_text::Document`]s, and refuses bad
//! input with an error that names the input and the reason in one line: a missing file, a
//! directory, a file over the size limit, binary data, bytes no encoding explains, or a
//! document without words. Reading is bounded: never more than the limit plus one byte.
//!
//! It must not know about alignment or output.
//!
//! ```
//! use stemma_ingest::{load, Limits};
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("memo.txt");
//! std::fs::write(&path, "Some words.").unwrap();
//! let doc = load(path.to_str().unwrap(), &Limits::default()).unwrap();
//! assert_eq!(doc.id, "memo.txt");
//! let err = load("no/such/file.txt", &Limits::default()).unwrap_err();
//! assert_eq!(err.to_string(), "no/such/file.txt: file not found");
//! ```

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use stemma_text::{DecodeError, Document};
use thiserror::Error;

/// Bounds on what one input may cost.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest input accepted, in bytes.
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Why an input could not become a document; displays as `INPUT: reason`.
#[derive(Debug, Error)]
#[error("{input}: {reason}")]
pub struct IngestError {
    /// The path as given, or `<stdin>`.
    pub input: String,
    /// What went wrong.
    pub reason: Reason,
}

/// The reason part of an [`IngestError`].
#[derive(Debug, Error)]
pub enum Reason {
    /// The path does not exist.
    #[error("file not found")]
    NotFound,
    /// The path is a directory.
    #[error("is a directory, not a file")]
    Directory,
    /// Permission or other I/O failures.
    #[error("cannot read: {0}")]
    Io(io::Error),
    /// Over [`Limits::max_bytes`].
    #[error(
        "too large: {size} bytes, over the limit of {limit} bytes (raise it with --max-bytes)"
    )]
    TooLarge {
        /// Size seen (at least limit + 1 for streams).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Not decodable as a text document.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// Load one input: a file path, or `-` for standard input.
///
/// The id is the file name (`stdin` for standard input).
pub fn load(input: &str, limits: &Limits) -> Result<Document, IngestError> {
    let fail = |reason| IngestError {
        input: if input == "-" {
            "<stdin>".to_string()
        } else {
            input.to_string()
        },
        reason,
    };
    let bytes = if input == "-" {
        read_bounded(io::stdin().lock(), limits.max_bytes).map_err(fail)?
    } else {
        let path = Path::new(input);
        let meta = fs::metadata(path).map_err(|e| {
            fail(if e.kind() == io::ErrorKind::NotFound {
                Reason::NotFound
            } else {
                Reason::Io(e)
            })
        })?;
        if meta.is_dir() {
            return Err(fail(Reason::Directory));
        }
        if meta.len() > limits.max_bytes {
            return Err(fail(Reason::TooLarge {
                size: meta.len(),
                limit: limits.max_bytes,
            }));
        }
        let file = fs::File::open(path).map_err(|e| fail(Reason::Io(e)))?;
        // Bounded even when metadata lies (pipes, /proc, growing files).
        read_bounded(file, limits.max_bytes).map_err(fail)?
    };
    let id = if input == "-" {
        "stdin".to_string()
    } else {
        Path::new(input)
            .file_name()
            .map_or_else(|| input.to_string(), |n| n.to_string_lossy().into_owned())
    };
    Document::from_bytes(id, &bytes).map_err(|e| fail(Reason::Decode(e)))
}

fn read_bounded(reader: impl Read, limit: u64) -> Result<Vec<u8>, Reason> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(Reason::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Reason::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_names_the_input() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let err = load(d, &Limits::default()).unwrap_err();
        assert!(err.to_string().ends_with("is a directory, not a file"));
        let big = dir.path().join("big.txt");
        fs::write(&big, "word ".repeat(100)).unwrap();
        let err = load(big.to_str().unwrap(), &Limits { max_bytes: 100 }).unwrap_err();
        assert!(err.to_string().contains("too large: 500 bytes"), "{err}");
        let bin = dir.path().join("a.bin");
        fs::write(&bin, b"\x7fELF\x02\x01\x01\x00\x00").unwrap();
        let err = load(bin.to_str().unwrap(), &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("binary file"), "{err}");
        let empty = dir.path().join("empty.txt");
        fs::write(&empty, "").unwrap();
        let err = load(empty.to_str().unwrap(), &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("empty document"), "{err}");
    }
}

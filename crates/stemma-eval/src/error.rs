//! Errors: each names the file and, where there is one, the line.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// Why a PAN file or folder could not be read; displays as `PATH: reason` on one line.
#[derive(Debug, Error)]
pub enum EvalError {
    /// A file or folder could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A folder does not exist.
    #[error("{}: folder not found", path.display())]
    NotFound {
        /// The folder.
        path: PathBuf,
    },
    /// A pairs file has a malformed line.
    #[error("{}: {error}", path.display())]
    Pairs {
        /// The pairs file.
        path: PathBuf,
        /// What is wrong, and where.
        error: LineError,
    },
    /// An XML file is malformed or is not a PAN annotation file.
    #[error("{}: malformed PAN XML: {error}", path.display())]
    Xml {
        /// The XML file.
        path: PathBuf,
        /// What is wrong.
        error: XmlError,
    },
    /// A pair listed in the pairs file has no truth XML.
    #[error("{}: no truth XML for the pair \"{suspicious} {source_name}\" of the pairs file", path.display())]
    MissingTruth {
        /// The truth XML that was looked for.
        path: PathBuf,
        /// The pair's suspicious document.
        suspicious: String,
        /// The pair's source document.
        source_name: String,
    },
}

/// A malformed line of a pairs file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {message}")]
pub struct LineError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// Why a text is not a well-formed PAN annotation XML.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct XmlError {
    /// What is wrong (with the byte position for syntax errors).
    pub message: String,
}

impl XmlError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        XmlError {
            message: message.into(),
        }
    }
}

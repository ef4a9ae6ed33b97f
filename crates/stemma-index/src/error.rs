//! Errors, each one line naming the index folder and what to do.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// Why an index operation failed; displays as one line starting with the folder.
///
/// ```
/// let err = stemma_index::IndexError::NotAnIndex("notes".into());
/// assert_eq!(err.to_string(), "notes is not a stemma index");
/// ```
#[derive(Debug, Error)]
pub enum IndexError {
    /// No index in this folder (read commands never create one).
    #[error("{}: no index here (create one with `stemma index add`)", .0.display())]
    Missing(PathBuf),
    /// The folder holds something else: left untouched.
    #[error("{} is not a stemma index", .0.display())]
    NotAnIndex(PathBuf),
    /// `create` on an existing index.
    #[error("{}: an index exists here already", .0.display())]
    Exists(PathBuf),
    /// Written by another version of stemma.
    #[error("{}: index format version {found} is not supported (this stemma reads versions {} to {})", .dir.display(), crate::OLDEST_FORMAT_VERSION, crate::FORMAT_VERSION)]
    Version {
        /// The folder.
        dir: PathBuf,
        /// The version in its marker.
        found: u32,
    },
    /// Damaged files: refused, never repaired or overwritten.
    #[error("{}: the index is corrupt ({}); it was left untouched", .0.display(), .1)]
    Corrupt(PathBuf, String),
    /// Another process holds the writer lock.
    #[error("{}: another stemma process is writing to this index; wait for it to finish", .0.display())]
    Locked(PathBuf),
    /// The disk filled up; the last commit is intact.
    #[error("{}: the disk is full; documents since the last commit were not saved (the index holds everything up to it)", .0.display())]
    DiskFull(PathBuf),
    /// Any other I/O failure.
    #[error("{}: {}", .0.display(), .1)]
    Io(PathBuf, std::io::Error),
    /// Anything else tantivy reports.
    #[error("{}: index error: {}", .0.display(), .1)]
    Other(PathBuf, String),
    /// A search that cannot run as asked: nothing to look for, or too long. The caller's
    /// mistake, not the index's (the server answers it with 400).
    #[error("{0}")]
    Search(String),
}

impl IndexError {
    /// Map a tantivy error to the one-line cases people can act on.
    pub(crate) fn from_tantivy(dir: &Path, error: tantivy::TantivyError) -> IndexError {
        use tantivy::TantivyError as T;
        let dir = dir.to_path_buf();
        let text = format!("{error:?}");
        if is_disk_full(&error, &text) {
            return IndexError::DiskFull(dir);
        }
        match error {
            T::LockFailure(..) => IndexError::Locked(dir),
            T::DataCorruption(c) => IndexError::Corrupt(dir, one_line(&format!("{c:?}"))),
            T::OpenReadError(e) => IndexError::Corrupt(dir, one_line(&e.to_string())),
            T::IncompatibleIndex(e) => IndexError::Corrupt(dir, one_line(&format!("{e:?}"))),
            T::SchemaError(e) => IndexError::Corrupt(dir, one_line(&e)),
            other => {
                // meta.json that does not parse comes back as a generic error: it is damage.
                if text.contains("meta.json") || text.contains("Deserial") {
                    IndexError::Corrupt(dir, one_line(&other.to_string()))
                } else {
                    IndexError::Other(dir, one_line(&other.to_string()))
                }
            }
        }
    }
}

fn is_disk_full(error: &tantivy::TantivyError, debug: &str) -> bool {
    if let tantivy::TantivyError::IoError(e) = error {
        if e.raw_os_error() == Some(28) || e.kind() == std::io::ErrorKind::StorageFull {
            return true;
        }
    }
    // The OS error can be nested in write or merge errors: look at the rendered chain.
    debug.contains("StorageFull") || debug.contains("No space left") || debug.contains("code: 28")
}

/// An io::Error as an index error (ENOSPC → disk full).
pub(crate) fn io_error(dir: &Path, e: std::io::Error) -> IndexError {
    if e.raw_os_error() == Some(28) || e.kind() == std::io::ErrorKind::StorageFull {
        IndexError::DiskFull(dir.to_path_buf())
    } else {
        IndexError::Io(dir.to_path_buf(), e)
    }
}

fn one_line(s: &str) -> String {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.len() > 200 {
        let mut cut = 200;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}…", &line[..cut])
    } else {
        line
    }
}

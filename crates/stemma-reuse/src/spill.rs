//! The bounded sorter lives in `stemma-spill` (dedup uses it too); reuse's errors name it.

pub(crate) use stemma_spill::{Sorted, Sorter, SpillStats};

use crate::ReuseError;

impl From<stemma_spill::SpillError> for ReuseError {
    fn from(error: stemma_spill::SpillError) -> Self {
        match error {
            stemma_spill::SpillError::DiskFull {
                path,
                what,
                written,
            } => ReuseError::DiskFull {
                path,
                what,
                written,
            },
            stemma_spill::SpillError::Io { path, source } => ReuseError::Io { path, source },
        }
    }
}

//! # stemma (Python)
//!
//! The native module `stemma._stemma` of the Python package: thin bindings that turn Python
//! arguments into the crates' inputs and their results into the CLI's JSON (plain
//! functions) or Arrow arrays (batch functions, for engines such as Spark).
//!
//! It owns argument conversion, the GIL (released during work), rayon thread pools sized by
//! an argument, and errors as Python exceptions carrying the CLI's messages. It must not hold
//! an algorithm: every stage it exposes is a crate's public function.

mod batch;
mod dedup;
mod ffi;
mod local;
mod plain;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;

pyo3::create_exception!(
    _stemma,
    StemmaError,
    pyo3::exceptions::PyValueError,
    "Bad input or options: the message is the CLI's (what `stemma` prints before exiting with 2)."
);

/// A Python exception with the CLI's one-line message for `error`.
pub(crate) fn error(error: impl std::fmt::Display) -> PyErr {
    StemmaError::new_err(error.to_string().replace('\n', " "))
}

/// Run `work` on a rayon pool of `threads` threads (the global pool, all cores, for
/// `None`), without the GIL. Pools are kept per size: building one per call would cost more
/// than small batches.
pub(crate) fn run<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    static POOLS: Mutex<Option<HashMap<usize, Arc<rayon::ThreadPool>>>> = Mutex::new(None);
    let pool = match threads {
        None | Some(0) => None,
        Some(n) => {
            let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
            let pools = pools.get_or_insert_with(HashMap::new);
            let pool = match pools.get(&n) {
                Some(pool) => pool.clone(),
                None => {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(n)
                        .build()
                        .map(Arc::new)
                        .map_err(error)?;
                    pools.insert(n, pool.clone());
                    pool
                }
            };
            Some(pool)
        }
    };
    Ok(py.detach(move || match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }))
}

#[pymodule]
fn _stemma(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("StemmaError", m.py().get_type::<StemmaError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    plain::register(m)?;
    batch::register(m)?;
    dedup::register(m)?;
    local::register(m)?;
    Ok(())
}

//! One module per subcommand.

pub mod compare;
pub mod dedup;
pub mod diff;
pub mod eval;
pub mod index;
pub mod model;
pub mod output;
pub mod pan;
pub mod reuse;
pub mod serve;
pub mod trace;
pub mod xtrace;

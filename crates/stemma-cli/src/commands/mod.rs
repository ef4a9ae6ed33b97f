//! One module per subcommand.

pub mod compare;
pub mod diff;
pub mod eval;
pub mod index;
pub mod pan;
pub mod serve;
pub mod trace;

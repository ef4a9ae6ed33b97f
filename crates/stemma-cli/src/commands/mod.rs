//! One module per subcommand.

pub mod compare;
pub mod eval;
pub mod pan;

//! # stemma-report
//!
//! Renders results for people and programs: the terminal (colour, wrapped), versioned JSON
//! and self-contained HTML. Every piece of document text is escaped in HTML.
//!
//! It must not know how results were computed: it takes documents and result values.

pub mod compare;
pub mod dedup;
pub mod diff;
pub mod reuse;
pub mod trace;

mod doc;
mod html;
mod json;
mod terminal;

pub use terminal::plural;

#[cfg(test)]
mod tests;

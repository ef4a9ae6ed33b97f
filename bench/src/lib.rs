//! # stemma-bench
//!
//! Inputs for stemma's quality and speed benchmarks, built from the real texts in
//! `../shared/data`:
//!
//! - [`pan`]: a corpus in the PAN text-alignment format (source and suspicious documents,
//!   pairs files, truth XML per obfuscation type) with planted verbatim, randomly edited,
//!   reordered and genuinely paraphrased passages, plus hard negatives;
//! - [`speed`]: two large documents sharing a known share of their text.
//!
//! Generation is deterministic for a seed (ChaCha RNG, sorted directory walks).

pub mod data;
pub mod genesis;
pub mod obfuscate;
pub mod pan;
pub mod speed;
pub mod text;

//! # stemma-align
//!
//! Finds every shared passage of two token sequences: hashed word n-gram seeds and
//! sentence-similarity seeds that survive rewording, clustered by proximity on both sides
//! (so reordered reuse stays one passage), extended to exact boundaries with a banded,
//! affine-gap local alignment, and merged so one reused passage is reported once.
//!
//! Pure functions on [`stemma_text::Analysis`] values: it must not know about files,
//! storage or rendering.
//!
//! ```
//! use stemma_align::{align, CompareOptions};
//! use stemma_text::analyze;
//! let a = "Preamble. The licenses for most software are designed to take away your freedom \
//!          to share and change it. Unrelated closing words about something else entirely.";
//! let b = "Other opening words. The licenses for most software are designed to take away \
//!          your freedom to share and change it. A different ending.";
//! let passages = align(&analyze(a), &analyze(b), &CompareOptions::default());
//! assert_eq!(passages.len(), 1);
//! let p = &passages[0];
//! assert!(a[p.a.start..p.a.end].starts_with("The licenses"));
//! assert!(b[p.b.start..p.b.end].ends_with("change it"));
//! ```

mod passage;

pub use passage::{CompareOptions, Passage, PassageKind, Span};

use stemma_text::Analysis;

/// Every shared passage of `a` and `b`, ordered by position in `a`, then in `b`.
pub fn align(a: &Analysis, b: &Analysis, options: &CompareOptions) -> Vec<Passage> {
    let _ = (a, b, options);
    todo!("alignment engine")
}

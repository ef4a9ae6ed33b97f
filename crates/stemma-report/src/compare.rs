//! Renderings of `stemma compare`.

use stemma_align::{CompareOptions, Passage};
use stemma_text::Document;

/// Everything a compare report shows.
#[derive(Debug, Clone, Copy)]
pub struct CompareView<'a> {
    /// Document A.
    pub a: &'a Document,
    /// Document B.
    pub b: &'a Document,
    /// Words in A.
    pub a_words: usize,
    /// Words in B.
    pub b_words: usize,
    /// The shared passages, in order of A.
    pub passages: &'a [Passage],
    /// The options used.
    pub options: &'a CompareOptions,
}

/// Terminal rendering settings.
#[derive(Debug, Clone, Copy)]
pub struct TerminalStyle {
    /// Use ANSI colour.
    pub color: bool,
    /// Wrap to this many columns.
    pub width: usize,
}

/// JSON, schema "stemma.compare/1".
pub fn to_json(view: &CompareView) -> String {
    let _ = view;
    todo!("report helper")
}

/// Self-contained HTML.
pub fn to_html(view: &CompareView) -> String {
    let _ = view;
    todo!("report helper")
}

/// Terminal text (ANSI when `style.color`).
pub fn to_terminal(view: &CompareView, style: TerminalStyle) -> String {
    let _ = (view, style);
    todo!("report helper")
}

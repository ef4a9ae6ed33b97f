//! # stemma-diff
//!
//! Version comparison that understands numbered points and clauses. It owns three things:
//!
//! - **segmentation** ([`segment`]): a version is cut into clauses — "1." "12)" "(b)" "iv."
//!   "Article 3" "Section 2.1" "§ 4", headings, bullet items, and paragraphs where there is
//!   no numbering (or sentences, on request) — with each label kept apart from its body as
//!   byte spans into the text, and nested numbering turned into a tree (parent indices);
//! - **matching** ([`diff`]): clauses of the old and new versions are matched as an
//!   assignment on word-bag similarity and containment (not an ordered LCS), so every clause
//!   is classified: unchanged, renumbered, moved, reworded (with the share of words
//!   retained), merged (N → 1), split (1 → N), removed or added, each match with a
//!   confidence;
//! - **redline** ([`redline`]): a word-level diff inside each matched pair or group, with a
//!   semantic cleanup and a deadline so that huge inputs degrade to a coarser redline instead
//!   of hanging.
//!
//! It must not know about storage (files, indexes) or rendering (terminal, JSON, HTML): it
//! takes two texts and returns spans into them.
//!
//! ```
//! use stemma_diff::{diff, ChangeKind, DiffOptions};
//! let old = "1. Cease fire.\n2. Exchange all prisoners within 30 days.\n3. Hold elections.\n";
//! let new = "1. Cease fire.\n2. Hold elections.\n";
//! let d = diff(old, new, &DiffOptions::default());
//! assert_eq!(d.count(ChangeKind::Unchanged), 1);
//! assert_eq!(d.count(ChangeKind::Removed), 1);
//! assert_eq!(d.count(ChangeKind::Renumbered), 1);
//! ```

mod labels;
mod matching;
mod moves;
mod redline;
mod segment;
mod units;

use std::time::Duration;

pub use labels::{parse_label, Label, LabelStyle};
pub use redline::{redline, Op, Piece, Redline, TokenOptions};
pub use segment::{segment, Clause, ClauseKind, Granularity, Span};

/// How two versions are compared.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffOptions {
    /// The unit of comparison.
    pub granularity: Granularity,
    /// Case differences do not count as changes.
    pub ignore_case: bool,
    /// Punctuation differences do not count as changes.
    pub ignore_punctuation: bool,
    /// Label differences ("7." → "6.") do not count as changes: no clause is "renumbered".
    pub ignore_numbering: bool,
    /// Minimum similarity (Dice of word bags, 0–1) for two clauses to be one reworded clause.
    pub min_similarity: f64,
    /// Minimum share of a part's words found in the whole for a merge or a split.
    pub min_containment: f64,
    /// Time budget for all word-level redlines together; past it, redlines get coarser.
    pub deadline: Duration,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            granularity: Granularity::Clause,
            ignore_case: false,
            ignore_punctuation: false,
            ignore_numbering: false,
            min_similarity: 0.5,
            min_containment: 0.75,
            deadline: Duration::from_secs(3),
        }
    }
}

impl DiffOptions {
    /// The token comparison these options describe.
    pub fn tokens(&self) -> TokenOptions {
        TokenOptions {
            ignore_case: self.ignore_case,
            ignore_punctuation: self.ignore_punctuation,
        }
    }
}

/// What happened to a clause (or a group of clauses) between the versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// Same label, same text.
    Unchanged,
    /// Same text under a different label ("12." → "11.").
    Renumbered,
    /// Out of order relative to the other matched clauses (the text may also have changed).
    Moved,
    /// Same place, text changed.
    Reworded,
    /// Same place, the old words kept in order inside a much longer new text (at least 1.5
    /// times as many words): the point was expanded; the redline marks the added words.
    Expanded,
    /// Same place, the new words all found in order inside a much longer old text: the
    /// point was shortened.
    Shortened,
    /// Several old clauses became one new clause.
    Merged,
    /// One old clause became several new clauses.
    Split,
    /// Only in the old version.
    Removed,
    /// Only in the new version.
    Added,
}

impl ChangeKind {
    /// Every kind, in summary order.
    pub const ALL: [ChangeKind; 10] = [
        ChangeKind::Removed,
        ChangeKind::Added,
        ChangeKind::Merged,
        ChangeKind::Split,
        ChangeKind::Moved,
        ChangeKind::Reworded,
        ChangeKind::Expanded,
        ChangeKind::Shortened,
        ChangeKind::Renumbered,
        ChangeKind::Unchanged,
    ];

    /// Lower-case name, as in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeKind::Unchanged => "unchanged",
            ChangeKind::Renumbered => "renumbered",
            ChangeKind::Moved => "moved",
            ChangeKind::Reworded => "reworded",
            ChangeKind::Expanded => "expanded",
            ChangeKind::Shortened => "shortened",
            ChangeKind::Merged => "merged",
            ChangeKind::Split => "split",
            ChangeKind::Removed => "removed",
            ChangeKind::Added => "added",
        }
    }
}

/// One classified change: which old clauses (`a`) became which new clauses (`b`).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The classification.
    pub kind: ChangeKind,
    /// Indices into [`Diff::a`], in text order (empty for added clauses).
    pub a: Vec<usize>,
    /// Indices into [`Diff::b`], in text order (empty for removed clauses).
    pub b: Vec<usize>,
    /// Out of order relative to the other matches (set for moved clauses, and for merged or
    /// split groups that also moved).
    pub moved: bool,
    /// The label changed (never set with [`DiffOptions::ignore_numbering`]).
    pub renumbered: bool,
    /// The words (or, unless ignored, case and punctuation) changed.
    pub text_changed: bool,
    /// How sure the match is, 0–1 (1 for identical text; removed and added: 1).
    pub confidence: f64,
    /// Share of the old clause's words found again in the new one, 0–1.
    pub retained: f64,
    /// Share of the new clause's words that are not from the old one, 0–1 (what an
    /// expansion added).
    pub added: f64,
    /// Word-level redline, for matches whose text changed.
    pub redline: Option<Redline>,
}

/// The comparison of two versions.
#[derive(Debug, Clone)]
pub struct Diff {
    /// Clauses of the old version.
    pub a: Vec<Clause>,
    /// Clauses of the new version.
    pub b: Vec<Clause>,
    /// Every clause of both versions in exactly one change, in the order of the new version
    /// (removed clauses where they stood).
    pub changes: Vec<Change>,
    /// False when the redline deadline was reached (some redlines are coarser).
    pub complete: bool,
    /// How the old version marks its points.
    pub a_numbering: Numbering,
    /// How the new version marks its points.
    pub b_numbering: Numbering,
}

/// How a version marks its points: numbers and bullets are interchangeable for matching
/// (position and content decide), but a report says when a version is unnumbered.
///
/// ```
/// use stemma_diff::{segment, Granularity, Numbering};
/// let bullets = segment("Plan\n\n- Cease fire.\n- Talks.\n", Granularity::Clause);
/// assert_eq!(Numbering::of(&bullets), Numbering::Bullets);
/// let numbers = segment("1. Cease fire.\n2. Talks.\n", Granularity::Clause);
/// assert_eq!(Numbering::of(&numbers), Numbering::Numbered);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbering {
    /// Most points carry a label ("1.", "(b)", "Article 3").
    Numbered,
    /// Points are bullet items, mostly without labels.
    Bullets,
    /// Neither labels nor bullets: paragraphs (or sentences).
    None,
}

impl Numbering {
    /// How `clauses` mark their points.
    pub fn of(clauses: &[Clause]) -> Numbering {
        let labelled = clauses.iter().filter(|c| c.label.is_some()).count();
        let items = clauses
            .iter()
            .filter(|c| c.kind == ClauseKind::Item)
            .count();
        if labelled == 0 && items == 0 {
            Numbering::None
        } else if items > labelled {
            Numbering::Bullets
        } else {
            Numbering::Numbered
        }
    }

    /// "numbered", "bullets" or "none".
    pub fn as_str(&self) -> &'static str {
        match self {
            Numbering::Numbered => "numbered",
            Numbering::Bullets => "bullets",
            Numbering::None => "none",
        }
    }
}

impl Diff {
    /// Number of changes of a kind.
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    /// Changes of a kind.
    pub fn of_kind(&self, kind: ChangeKind) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.kind == kind)
    }

    /// The first old clause (in text order) whose label changed while it stayed in place:
    /// where renumbering starts.
    pub fn renumbered_from(&self) -> Option<usize> {
        self.changes
            .iter()
            .filter(|c| c.renumbered && !c.moved && c.a.len() == 1 && c.b.len() == 1)
            .map(|c| c.a[0])
            .min()
    }

    /// The change that contains old clause `a`.
    pub fn change_of_a(&self, a: usize) -> Option<&Change> {
        self.changes.iter().find(|c| c.a.contains(&a))
    }

    /// The change that contains new clause `b`.
    pub fn change_of_b(&self, b: usize) -> Option<&Change> {
        self.changes.iter().find(|c| c.b.contains(&b))
    }
}

/// Compare two versions.
///
/// ```
/// use stemma_diff::{diff, ChangeKind, DiffOptions};
/// let old = "1. Alpha beta gamma delta.\n2. Epsilon zeta eta theta.\n3. Iota kappa lambda mu.\n";
/// let new = "1. Iota kappa lambda mu.\n2. Alpha beta gamma delta.\n3. Epsilon zeta eta theta.\n";
/// let d = diff(old, new, &DiffOptions::default());
/// let moved: Vec<&str> = d.of_kind(ChangeKind::Moved).map(|c| d.a[c.a[0]].name.as_str()).collect();
/// assert_eq!(moved, ["3"]);
/// ```
pub fn diff(a_text: &str, b_text: &str, options: &DiffOptions) -> Diff {
    let a = segment(a_text, options.granularity);
    let b = segment(b_text, options.granularity);
    matching::match_versions(a_text, a, b_text, b, options)
}

//! The one-line summary of a diff and the names of its changes.

use std::fmt::Write as _;

use stemma_diff::{Change, ChangeKind, Clause, Diff, DiffOptions, Numbering};

use super::DiffView;
use crate::terminal::clean_line;

/// Names listed per kind in the summary line before "…".
const LIST_MAX: usize = 12;

fn names(clauses: &[Clause], idx: &[usize], sep: &str) -> String {
    idx.iter()
        .map(|&i| clean_line(&clauses[i].name))
        .collect::<Vec<_>>()
        .join(sep)
}

fn list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    let mut out = items
        .iter()
        .take(LIST_MAX)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > LIST_MAX {
        out.push_str(", …");
    }
    out
}

/// "7+8 → 6" for a change.
pub fn change_label(diff: &Diff, change: &Change) -> String {
    match (change.a.is_empty(), change.b.is_empty()) {
        (false, true) => names(&diff.a, &change.a, "+"),
        (true, false) => names(&diff.b, &change.b, "+"),
        _ => {
            let a = names(&diff.a, &change.a, "+");
            let b = names(&diff.b, &change.b, "+");
            if a == b {
                a
            } else {
                format!("{a} → {b}")
            }
        }
    }
}

fn noun(diff: &Diff, options: &DiffOptions) -> &'static str {
    match options.granularity {
        stemma_diff::Granularity::Sentence => "sentences",
        stemma_diff::Granularity::Paragraph => "paragraphs",
        stemma_diff::Granularity::Clause => {
            let points = diff
                .a
                .iter()
                .chain(&diff.b)
                .filter(|c| c.is_point())
                .count();
            if points * 5 >= (diff.a.len() + diff.b.len()) * 4 {
                "points"
            } else {
                "clauses"
            }
        }
    }
}

/// "3 removed (3, 11)", "7+8 → 6 merged", "2 reworded (2, 10 → 8)", "5 unchanged" for the
/// changes of each kind in `changes`; with `named`, which clauses (renumbered and unchanged
/// are only counted).
fn kind_parts(d: &Diff, changes: &[&Change], named: bool) -> Vec<String> {
    let mut parts = Vec::new();
    for kind in ChangeKind::ALL {
        let of_kind: Vec<&Change> = changes.iter().copied().filter(|c| c.kind == kind).collect();
        let n = of_kind.len();
        if n == 0 {
            continue;
        }
        let labels = || list(of_kind.iter().map(|c| change_label(d, c)));
        parts.push(match kind {
            ChangeKind::Renumbered | ChangeKind::Unchanged => format!("{n} {}", kind.as_str()),
            _ if !named => format!("{n} {}", kind.as_str()),
            ChangeKind::Merged | ChangeKind::Split | ChangeKind::Moved if n == 1 => {
                format!("{} {}", labels(), kind.as_str())
            }
            _ => format!("{n} {} ({})", kind.as_str(), labels()),
        });
    }
    parts
}

/// "new version unnumbered (bullets)" when one version numbers its points and the other
/// does not.
fn numbering_note(d: &Diff) -> Option<String> {
    let unnumbered = |n: Numbering| match n {
        Numbering::Bullets => "unnumbered (bullets)",
        _ => "unnumbered (paragraphs)",
    };
    match (d.a_numbering, d.b_numbering) {
        (Numbering::Numbered, n) if n != Numbering::Numbered => {
            Some(format!("new version {}", unnumbered(n)))
        }
        (n, Numbering::Numbered) if n != Numbering::Numbered => {
            Some(format!("old version {}", unnumbered(n)))
        }
        _ => None,
    }
}

/// The one-line summary. Each kind of change names its clauses, except unchanged and
/// renumbered ones, which are counted. When both versions are lists of points (numbered or
/// bulleted) the line is about the points, says when one version is unnumbered, and
/// counts the text around the points (headings, paragraphs, commentary between the points)
/// at the end: "12 points → 11: 2 removed (3, 11), 1 added (11), 5+6 → 4 merged, 7 → 5+6
/// split, 8 → 10 moved, 2 reworded (2, 10 → 8), 3 renumbered, 1 unchanged, renumbered
/// from 4; new version unnumbered (bullets); text around the points: 6 removed, 3 added".
pub fn summary_line(view: &DiffView) -> String {
    let d = view.diff;
    let lists = view.options.granularity == stemma_diff::Granularity::Clause
        && d.a.iter().filter(|c| c.is_point()).count() >= 2
        && d.b.iter().filter(|c| c.is_point()).count() >= 2;
    let touches_point = |c: &&Change| {
        c.a.iter().any(|&x| d.a[x].is_point()) || c.b.iter().any(|&y| d.b[y].is_point())
    };
    let all: Vec<&Change> = d.changes.iter().collect();
    let (main, around): (Vec<&Change>, Vec<&Change>) = if lists {
        all.into_iter().partition(touches_point)
    } else {
        (all, Vec::new())
    };
    let mut parts = kind_parts(d, &main, true);
    if let Some(x) = d.renumbered_from() {
        parts.push(format!("renumbered from {}", clean_line(&d.a[x].name)));
    }
    if !d.complete {
        parts.push("redline deadline reached (coarser redlines)".to_string());
    }
    let mut line = if lists {
        let (na, nb) = (
            d.a.iter().filter(|c| c.is_point()).count(),
            d.b.iter().filter(|c| c.is_point()).count(),
        );
        format!("{na} points → {nb}: ")
    } else {
        let noun = noun(d, view.options);
        let noun = if d.a.len() == 1 {
            noun.trim_end_matches('s')
        } else {
            noun
        };
        format!("{} {noun} → {}: ", d.a.len(), d.b.len())
    };
    if parts.is_empty() {
        line.push_str("nothing to compare");
    } else {
        line.push_str(&parts.join(", "));
    }
    if let Some(note) = numbering_note(d) {
        let _ = write!(line, "; {note}");
    }
    if around.iter().any(|c| c.kind != ChangeKind::Unchanged) {
        let _ = write!(
            line,
            "; text around the points: {}",
            kind_parts(d, &around, false).join(", ")
        );
    } else if !around.is_empty() {
        line.push_str("; text around the points unchanged");
    }
    line
}

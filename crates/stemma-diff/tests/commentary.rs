//! Property: re-publishers insert their own lines between the points of a plan. Inserting
//! unnumbered commentary lines between the points of a version changes no match between
//! numbered points (nor the kind of such a match), whatever the edits between the versions.

use proptest::prelude::*;
use stemma_diff::{diff, ChangeKind, Diff, DiffOptions};

/// Words of points and commentary alike, so that commentary shares words with the points
/// it comments on.
const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "will",
    "be",
    "by",
    "for",
    "on",
    "with",
    "not",
    "all",
    "its",
    "from",
    "after",
    "alliance",
    "varnia",
    "ostland",
    "troops",
    "border",
    "forces",
    "agreement",
    "sanctions",
    "lifted",
    "stages",
    "security",
    "guarantees",
    "sovereignty",
    "confirmed",
    "dialogue",
    "held",
    "resolve",
    "issues",
    "armed",
    "limited",
    "personnel",
    "peacetime",
    "station",
    "command",
    "fighter",
    "jets",
    "stationed",
    "membership",
    "union",
    "market",
    "access",
    "preferential",
    "package",
    "measures",
    "rebuild",
    "fund",
    "economy",
    "reintegrated",
    "elections",
    "signing",
    "prisoners",
    "exchanged",
    "civilians",
    "returned",
    "children",
    "families",
    "monitoring",
    "mission",
    "verify",
    "withdrawal",
    "zone",
    "demilitarized",
    "referendum",
    "constitution",
    "statutes",
    "provision",
    "admitted",
    "nuclear",
    "plant",
    "electricity",
    "shared",
    "equally",
    "humanitarian",
    "committee",
    "amnesty",
    "granted",
    "parties",
    "binding",
    "council",
    "chaired",
    "president",
    "penalty",
    "violation",
    "immediately",
    "ceasefire",
    "positions",
    "agreed",
    "officials",
    "draft",
    "diplomats",
    "reported",
    "newspaper",
    "analysts",
    "according",
    "sources",
    "earlier",
];

/// Commentary that starts like a number but is not a label (years, amounts, times,
/// a sentence that starts with a number).
const GUARDED: &[&str] = &[
    "3.5 million people have left the country since the war began.",
    "2027. That is the earliest date officials give for a review.",
    "10:40 GMT: The ministry has not yet reacted.",
    "5 of the original points survive word for word, by our count.",
    "600,000 soldiers would remain under arms.",
    "1.000 Soldaten bleiben im Land.",
];

#[derive(Debug, Clone)]
enum Edit {
    Keep,
    Reword(usize, usize),
    Remove,
    Expand(Vec<usize>),
    Shorten,
    MergeNext,
    Split,
    MoveTo(usize),
}

fn sentence(words: &[usize]) -> String {
    let mut s = words
        .iter()
        .map(|&w| WORDS[w % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(first) = s.get(..1) {
        let upper = first.to_uppercase();
        s.replace_range(..1, &upper);
    }
    s.push('.');
    s
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => Just(Edit::Keep),
        2 => (0usize..100, 0usize..WORDS.len()).prop_map(|(i, w)| Edit::Reword(i, w)),
        1 => Just(Edit::Remove),
        1 => proptest::collection::vec(0usize..WORDS.len(), 8..20).prop_map(Edit::Expand),
        1 => Just(Edit::Shorten),
        1 => Just(Edit::MergeNext),
        1 => Just(Edit::Split),
        1 => (0usize..100).prop_map(Edit::MoveTo),
    ]
}

/// The new version's points (word lists) after the edits.
fn edited(points: &[Vec<usize>], edits: &[Edit]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut moves: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut i = 0;
    while i < points.len() {
        let p = points[i].clone();
        match &edits[i % edits.len()] {
            Edit::Keep => out.push(p),
            Edit::Reword(at, w) => {
                let mut p = p;
                let at = at % p.len();
                p[at] = *w;
                out.push(p);
            }
            Edit::Remove => {}
            Edit::Expand(more) => out.push(p.into_iter().chain(more.iter().copied()).collect()),
            Edit::Shorten => out.push(p[..p.len().div_ceil(3).max(3)].to_vec()),
            Edit::MergeNext if i + 1 < points.len() => {
                out.push(p.into_iter().chain(points[i + 1].clone()).collect());
                i += 1;
            }
            Edit::Split if p.len() >= 8 => {
                let half = p.len() / 2;
                out.push(p[..half].to_vec());
                out.push(p[half..].to_vec());
            }
            Edit::MoveTo(to) => moves.push((*to, p)),
            _ => out.push(p),
        }
        i += 1;
    }
    for (to, p) in moves {
        let at = to % (out.len() + 1);
        out.insert(at, p);
    }
    out
}

/// A version: numbered points, one per line or separated by blank lines, with `notes`
/// (position among the points, line) between them.
fn render(points: &[Vec<usize>], style: usize, blank: bool, notes: &[(usize, String)]) -> String {
    let sep = if blank { "\n\n" } else { "\n" };
    let mut out = String::from("The plan as published");
    for (i, p) in points.iter().enumerate() {
        for (_, note) in notes.iter().filter(|(at, _)| *at == i) {
            out.push_str(sep);
            out.push_str(note);
        }
        out.push_str(sep);
        let n = i + 1;
        let label = match style {
            0 => format!("{n}. "),
            1 => format!("{n}) "),
            2 => format!("({n}) "),
            3 => format!("Point {n}: "),
            _ => format!("{n}."),
        };
        out.push_str(&label);
        out.push_str(&sentence(p));
    }
    for (_, note) in notes.iter().filter(|(at, _)| *at >= points.len()) {
        out.push_str(sep);
        out.push_str(note);
    }
    out.push('\n');
    out
}

/// Every change that joins numbered points on both sides: (kind, moved, renumbered, old
/// point indices, new point labels).
type PointMatch = (ChangeKind, bool, bool, Vec<usize>, Vec<String>);

fn point_matches(d: &Diff) -> Vec<PointMatch> {
    let mut out: Vec<PointMatch> = d
        .changes
        .iter()
        .filter(|c| {
            c.a.iter().any(|&x| d.a[x].label.is_some())
                && c.b.iter().any(|&y| d.b[y].label.is_some())
        })
        .map(|c| {
            let a: Vec<usize> =
                c.a.iter()
                    .copied()
                    .filter(|&x| d.a[x].label.is_some())
                    .collect();
            let b: Vec<String> =
                c.b.iter()
                    .filter_map(|&y| d.b[y].label.as_ref().map(|l| l.key.clone()))
                    .collect();
            (c.kind, c.moved, c.renumbered, a, b)
        })
        .collect();
    out.sort_by(|p, q| (&p.3, &p.4).cmp(&(&q.3, &q.4)));
    out
}

fn points_of(d: &Diff) -> Vec<String> {
    d.b.iter()
        .filter_map(|c| c.label.as_ref().map(|l| l.key.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn commentary_between_points_changes_no_point_match(
        points in proptest::collection::vec(
            proptest::collection::vec(0usize..WORDS.len(), 6..18), 3..14),
        edits in proptest::collection::vec(edit_strategy(), 1..14),
        style_a in 0usize..5,
        style_b in 0usize..5,
        blank in any::<bool>(),
        notes in proptest::collection::vec(
            (0usize..16, proptest::collection::vec(0usize..WORDS.len(), 3..16), 0usize..12),
            1..8),
    ) {
        let new_points = edited(&points, &edits);
        prop_assume!(new_points.len() >= 2);
        let old = render(&points, style_a, blank, &[]);
        let new = render(&new_points, style_b, blank, &[]);
        // Commentary: sentences of the same words, or lines that start like numbers.
        let notes: Vec<(usize, String)> = notes
            .into_iter()
            .map(|(at, words, kind)| {
                let line = match GUARDED.get(kind) {
                    Some(g) => g.to_string(),
                    None => sentence(&words),
                };
                (at, line)
            })
            .collect();
        let commented = render(&new_points, style_b, blank, &notes);
        let options = DiffOptions::default();
        let plain = diff(&old, &new, &options);
        let with_notes = diff(&old, &commented, &options);
        // The commentary did not change how the new version's points were cut.
        prop_assert_eq!(points_of(&plain), points_of(&with_notes), "{}", commented);
        prop_assert_eq!(
            point_matches(&plain),
            point_matches(&with_notes),
            "\nold:\n{}\nnew:\n{}\nwith notes:\n{}",
            old,
            new,
            commented
        );
        // Each commentary line is a clause of its own, added or matched with other text,
        // never glued to a point.
        for c in &with_notes.b {
            if c.label.is_some() {
                let body = c.body.of(&commented);
                prop_assert!(!notes.iter().any(|(_, n)| body.contains(n.as_str())), "{}", body);
            }
        }
    }
}

//! What matching knows about each clause: its words as a sorted bag (similarity and
//! containment) and in text order (what survives in order), its exact text and its label.

use similar::{Algorithm, DiffOp};
use stemma_text::Normalizer;
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::redline::{tokenize, Tok};
use crate::segment::Clause;
use crate::DiffOptions;

/// What matching needs to know about one clause.
pub(crate) struct Unit {
    /// Normalized word keys, sorted (a multiset).
    pub(crate) bag: Vec<u64>,
    /// Normalized word keys in text order.
    pub(crate) seq: Vec<u64>,
    /// Hash of the body's token keys under the options (whitespace never counts).
    pub(crate) exact: u64,
    /// The label key, if any.
    pub(crate) label: Option<String>,
}

pub(crate) fn units(text: &str, clauses: &[Clause], options: &DiffOptions) -> Vec<Unit> {
    let mut normalizer = Normalizer::new(false);
    let mut toks: Vec<Tok> = Vec::new();
    clauses
        .iter()
        .map(|c| {
            toks.clear();
            tokenize(text, c.body, options.tokens(), &mut normalizer, &mut toks);
            let seq: Vec<u64> = toks
                .iter()
                .filter(|t| t.norm != 0)
                .map(|t| t.norm)
                .collect();
            let mut bag = seq.clone();
            bag.sort_unstable();
            let label = c.label.as_ref().map(|l| l.key.clone());
            let exact = if bag.is_empty() {
                xxh3_64(format!("\0label {}", label.as_deref().unwrap_or("")).as_bytes())
            } else {
                let mut h = Xxh3::new();
                for t in &toks {
                    h.update(&t.key.to_le_bytes());
                }
                h.digest()
            };
            Unit {
                bag,
                seq,
                exact,
                label,
            }
        })
        .collect()
}

/// Size of the multiset intersection of two sorted bags.
pub(crate) fn common(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Share of `a`'s words found again in `b` in the same order (longest common subsequence).
pub(crate) fn in_order_share(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    let ops = similar::capture_diff_slices(Algorithm::Myers, a, b);
    let same: usize = ops
        .iter()
        .map(|op| match op {
            DiffOp::Equal { len, .. } => *len,
            _ => 0,
        })
        .sum();
    same as f64 / a.len() as f64
}

/// The multiset union of bags, sorted.
pub(crate) fn sorted_union<'b>(bags: impl Iterator<Item = &'b Vec<u64>>) -> Vec<u64> {
    let mut all: Vec<u64> = bags.flatten().copied().collect();
    all.sort_unstable();
    all
}

//! Stage 1, anchors: each document's hashed n-grams of content-word stems, the evidence that
//! pairs documents.

use rayon::prelude::*;
use stemma_text::{Analysis, Document};

use crate::spill::{Sorted, Sorter, SpillStats};
use crate::{Progress, ReuseError, ReuseOptions};

/// Hashed n-grams of a text's content-word stems, with the token index each starts at.
///
/// Only words with a letter count: numbers are the variable part of templated texts
/// (earnings tables, sports results, market reports), and n-grams of them pair thousands
/// of unrelated stories that share a template and a few figures by chance.
///
/// ```
/// let text = "Net profit 12 mln vs 9 mln, said the bank";
/// let grams = stemma_reuse::anchor_grams(&stemma_text::analyze(text), text, 3);
/// // net profit mln · profit mln vs · mln vs mln · vs mln said · mln said bank
/// assert_eq!(grams.len(), 5);
/// ```
pub fn anchor_grams(analysis: &Analysis, text: &str, ngram: usize) -> Vec<(u64, u32)> {
    let n = ngram.max(1);
    let words: Vec<u32> = analysis
        .tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            !t.stop
                && text[t.start as usize..t.end as usize]
                    .chars()
                    .any(char::is_alphabetic)
        })
        .map(|(i, _)| i as u32)
        .collect();
    if words.len() < n {
        return Vec::new();
    }
    words
        .windows(n)
        .map(|window| {
            let mut h = 0x9E37_79B9_7F4A_7C15u64;
            for &t in window {
                h = (h.rotate_left(23) ^ analysis.tokens[t as usize].stem)
                    .wrapping_mul(0xA076_1D64_78BD_642F);
            }
            (h, window[0])
        })
        .collect()
}

/// The distinct anchors of a text, sorted (see [`anchor_grams`]).
///
/// ```
/// let text = "red fox jumps high; red fox jumps high again";
/// let anchors = stemma_reuse::anchors(&stemma_text::analyze(text), text, 3);
/// assert_eq!(anchors.len(), 4); // red fox jump · fox jump high · jump high red · high red fox
/// assert!(anchors.windows(2).all(|w| w[0] < w[1]));
/// ```
pub fn anchors(analysis: &Analysis, text: &str, ngram: usize) -> Vec<u64> {
    let mut hashes: Vec<u64> = anchor_grams(analysis, text, ngram)
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// Documents analyzed per parallel batch when extracting anchors: large enough to keep every
/// core busy, small enough that their anchors are a small part of the memory budget.
const ANCHOR_BATCH: usize = 2048;

/// The distinct anchors of each text, sorted (see [`anchors`]), computed on all cores: stage 1
/// of the pipeline for one batch of documents, as an engine that distributes the stages
/// calls it.
///
/// ```
/// let texts = ["red fox jumps high", "the red fox jumps high fences", "one"];
/// let per_text = stemma_reuse::batch_anchors(&texts, 3);
/// assert_eq!(per_text[0].len(), 2); // red fox jump · fox jump high
/// assert_eq!(per_text[1].len(), 3); // … · jump high fenc
/// assert!(per_text[2].is_empty());
/// ```
pub fn batch_anchors(texts: &[&str], ngram: usize) -> Vec<Vec<u64>> {
    texts
        .par_iter()
        .map(|text| anchors(&stemma_text::analyze(text), text, ngram))
        .collect()
}

/// Stage 1: the sorted (anchor, document) table.
pub(crate) fn anchor_table(
    docs: &[Document],
    options: &ReuseOptions,
    progress: &dyn Progress,
) -> Result<(Sorted<(u64, u32)>, SpillStats), ReuseError> {
    progress.stage("anchors", docs.len() as u64);
    let mut sorter: Sorter<(u64, u32)> =
        Sorter::new(options.memory, options.tmp_dir.as_deref(), "anchor table");
    for (b, batch) in docs.chunks(ANCHOR_BATCH).enumerate() {
        let base = (b * ANCHOR_BATCH) as u32;
        let texts: Vec<&str> = batch.iter().map(|d| d.text.as_str()).collect();
        let per_doc = batch_anchors(&texts, options.ngram);
        progress.advance(batch.len() as u64);
        for (i, hashes) in per_doc.iter().enumerate() {
            let doc = base + i as u32;
            let records: Vec<(u64, u32)> = hashes.iter().map(|&h| (h, doc)).collect();
            sorter.extend(&records)?;
        }
    }
    progress.finish();
    Ok(sorter.finish()?)
}

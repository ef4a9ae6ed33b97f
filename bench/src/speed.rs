//! Inputs for the speed benchmark: two large documents `a.txt` and `b.txt` that share a known
//! share of their text.
//!
//! Shared passages (50–2,000 words, varied) are cut from a set of Gutenberg books that
//! nothing else uses (Chesterton and *Sense and Sensibility*); half of them get light random
//! edits (3–8 % of words) on the `b` side. `a` is otherwise filler from the remaining
//! Gutenberg books, `b` filler from Reuters stories; the passages are scattered over both, in
//! a different order. `truth.json` records every shared passage's byte spans.

use std::fs;
use std::ops::Range;
use std::path::Path;

use anyhow::{Context, Result};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

use crate::data::{Book, DataDir};
use crate::text::{sentences, word_count};

/// Books the shared passages come from; the filler of `a` uses all the others.
const SHARED_BOOKS: &[&str] = &[
    "austen-sense",
    "chesterton-ball",
    "chesterton-brown",
    "chesterton-thursday",
];

/// Options of `gen-speed`.
#[derive(Debug, Clone, Copy)]
pub struct SpeedConfig {
    pub seed: u64,
    /// Target size of each document in bytes.
    pub size: usize,
    /// Share of each document's bytes that is shared text.
    pub shared: f64,
}

/// One shared passage: byte spans in `a` and `b`.
#[derive(Debug, Clone)]
pub struct SharedPassage {
    pub a: Range<usize>,
    pub b: Range<usize>,
    pub words: usize,
    pub edited: bool,
}

/// The two documents and where they share text.
#[derive(Debug, Clone)]
pub struct SpeedDocs {
    pub a: String,
    pub b: String,
    pub passages: Vec<SharedPassage>,
}

/// Build the two documents.
pub fn generate(data: &Path, config: SpeedConfig) -> Result<SpeedDocs> {
    let dir = DataDir::open(data)?;
    let books = dir.books()?;
    let stories = dir.reuters_stories(400)?;
    let vocabulary = crate::obfuscate::vocabulary(books.iter().map(|b| b.text.as_str()), 5);
    let mut rng = ChaCha20Rng::seed_from_u64(config.seed);
    rng.set_stream(u64::MAX);

    let (shared_books, filler_books): (Vec<&Book>, Vec<&Book>) = books
        .iter()
        .partition(|b| SHARED_BOOKS.contains(&b.name.as_str()));
    anyhow::ensure!(
        !shared_books.is_empty() && !filler_books.is_empty(),
        "need the shared books {SHARED_BOOKS:?} and others"
    );

    // Shared passages: runs of sentences walked through the shared books in order.
    let shared_target = (config.size as f64 * config.shared.clamp(0.0, 1.0)) as usize;
    let mut shared_texts: Vec<String> = Vec::new();
    let mut shared_bytes = 0;
    let mut cursor = Cursor::new(&shared_books);
    while shared_bytes < shared_target {
        let words = match rng.random_range(0..10) {
            0..4 => rng.random_range(50..150),
            4..8 => rng.random_range(150..600),
            _ => rng.random_range(600..2_000),
        };
        let passage = cursor.take_words(words);
        // Skip a little text between passages so that they never touch in the source.
        cursor.take_words(rng.random_range(20..200));
        shared_bytes += passage.len();
        shared_texts.push(passage);
    }
    // Light edits on the b side of every other passage.
    let b_texts: Vec<(String, bool)> = shared_texts
        .iter()
        .enumerate()
        .map(|(k, text)| {
            if k % 2 == 1 {
                (light_edits(text, &vocabulary, &mut rng), true)
            } else {
                (text.clone(), false)
            }
        })
        .collect();

    let a_filler_target = config.size.saturating_sub(shared_bytes);
    let mut a_cursor = Cursor::new(&filler_books);
    let a_filler: Vec<String> = chunks(a_filler_target, &mut rng, |words| {
        a_cursor.take_words(words)
    });
    let b_filler: Vec<String> = {
        let mut paragraphs = Vec::new();
        let mut bytes = 0;
        let mut story = rng.random_range(0..stories.len());
        while bytes < a_filler_target {
            for paragraph in &stories[story % stories.len()] {
                bytes += paragraph.len() + 2;
                paragraphs.push(paragraph.clone());
            }
            story += 1;
        }
        paragraphs
    };

    let mut a_order: Vec<usize> = (0..shared_texts.len()).collect();
    let mut b_order = a_order.clone();
    a_order.shuffle(&mut rng);
    b_order.shuffle(&mut rng);
    let a_shared: Vec<&str> = shared_texts.iter().map(String::as_str).collect();
    let b_shared: Vec<&str> = b_texts.iter().map(|(t, _)| t.as_str()).collect();
    let (a, a_spans) = interleave(&a_filler, &a_shared, &a_order, &mut rng);
    let (b, b_spans) = interleave(&b_filler, &b_shared, &b_order, &mut rng);
    let passages = (0..shared_texts.len())
        .map(|k| SharedPassage {
            a: a_spans[k].clone(),
            b: b_spans[k].clone(),
            words: word_count(&shared_texts[k]),
            edited: b_texts[k].1,
        })
        .collect();
    Ok(SpeedDocs { a, b, passages })
}

/// Filler pieces of 100–1,000 words until `target` bytes.
fn chunks(
    target: usize,
    rng: &mut ChaCha20Rng,
    mut take: impl FnMut(usize) -> String,
) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut bytes = 0;
    while bytes < target {
        let piece = take(rng.random_range(100..1_000));
        bytes += piece.len() + 2;
        pieces.push(piece);
    }
    pieces
}

/// Insert `passages` (in `order`) into `filler` at random distinct gaps; blocks are joined
/// by blank lines. Returns the text and each passage's byte span, by passage index.
fn interleave(
    filler: &[String],
    passages: &[&str],
    order: &[usize],
    rng: &mut ChaCha20Rng,
) -> (String, Vec<Range<usize>>) {
    let mut gaps: Vec<usize> = (0..=filler.len()).collect();
    gaps.shuffle(rng);
    let mut gaps: Vec<usize> = gaps.into_iter().take(passages.len()).collect();
    gaps.sort_unstable();
    let mut text = String::new();
    let mut spans = vec![0..0; passages.len()];
    let mut next = 0;
    for k in 0..=filler.len() {
        while next < gaps.len() && gaps[next] == k {
            let passage = order[next];
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            let start = text.len();
            text.push_str(passages[passage]);
            spans[passage] = start..text.len();
            next += 1;
        }
        if k < filler.len() {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&filler[k]);
        }
    }
    text.push('\n');
    (text, spans)
}

/// Reads whole sentences from a list of books in order, wrapping around.
struct Cursor<'b> {
    books: &'b [&'b Book],
    book: usize,
    sentences: Vec<Range<usize>>,
    next: usize,
}

impl<'b> Cursor<'b> {
    fn new(books: &'b [&'b Book]) -> Self {
        let mut cursor = Self {
            books,
            book: 0,
            sentences: Vec::new(),
            next: 0,
        };
        cursor.open(0);
        cursor
    }

    fn open(&mut self, book: usize) {
        self.book = book % self.books.len();
        self.sentences = sentences(&self.books[self.book].text);
        self.next = 0;
    }

    /// Consecutive sentences (within one book) totalling at least `words` words.
    fn take_words(&mut self, words: usize) -> String {
        if self.next >= self.sentences.len() {
            self.open(self.book + 1);
        }
        let text = &self.books[self.book].text;
        let start = self.sentences[self.next].start;
        let mut end = start;
        let mut count = 0;
        while count < words && self.next < self.sentences.len() {
            let sentence = self.sentences[self.next].clone();
            count += word_count(&text[sentence.clone()]);
            end = sentence.end;
            self.next += 1;
        }
        text[start..end].to_string()
    }
}

/// Light random edits: replace or delete 3–8 % of the words (whitespace is re-joined).
fn light_edits(text: &str, vocabulary: &[String], rng: &mut ChaCha20Rng) -> String {
    let rate = rng.random_range(0.03..0.08);
    text.split_whitespace()
        .filter_map(|word| {
            if rng.random_bool(rate) {
                if rng.random_bool(0.5) {
                    None
                } else {
                    Some(vocabulary[rng.random_range(0..vocabulary.len())].as_str())
                }
            } else {
                Some(word)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Write `a.txt`, `b.txt` and `truth.json` into `out`.
pub fn write(docs: &SpeedDocs, config: SpeedConfig, out: &Path) -> Result<()> {
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    fs::write(out.join("a.txt"), &docs.a)?;
    fs::write(out.join("b.txt"), &docs.b)?;
    let passages: Vec<serde_json::Value> = docs
        .passages
        .iter()
        .map(|p| {
            serde_json::json!({
                "a": {"start": p.a.start, "end": p.a.end},
                "b": {"start": p.b.start, "end": p.b.end},
                "words": p.words,
                "edited": p.edited,
            })
        })
        .collect();
    let truth = serde_json::json!({
        "schema": "stemma-bench.speed/1",
        "seed": config.seed,
        "size": config.size,
        "shared": config.shared,
        "a_bytes": docs.a.len(),
        "b_bytes": docs.b.len(),
        "shared_a_bytes": docs.passages.iter().map(|p| p.a.len()).sum::<usize>(),
        "shared_b_bytes": docs.passages.iter().map(|p| p.b.len()).sum::<usize>(),
        "passages": passages,
    });
    fs::write(
        out.join("truth.json"),
        serde_json::to_string_pretty(&truth)? + "\n",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_share_the_requested_share() {
        let data = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data"));
        if !data.is_dir() {
            eprintln!("skipping: {} not found", data.display());
            return;
        }
        let config = SpeedConfig {
            seed: 2,
            size: 200_000,
            shared: 0.2,
        };
        let docs = generate(data, config).unwrap();
        for doc in [&docs.a, &docs.b] {
            assert!((180_000..230_000).contains(&doc.len()), "{}", doc.len());
        }
        let shared_a: usize = docs.passages.iter().map(|p| p.a.len()).sum();
        let share = shared_a as f64 / docs.a.len() as f64;
        assert!((0.15..0.3).contains(&share), "share {share}");
        assert!(docs.passages.iter().any(|p| p.edited));
        for p in &docs.passages {
            if !p.edited {
                assert_eq!(docs.a[p.a.clone()], docs.b[p.b.clone()]);
            } else {
                assert_ne!(docs.a[p.a.clone()], docs.b[p.b.clone()]);
            }
        }
        let again = generate(data, config).unwrap();
        assert_eq!((again.a, again.b), (docs.a, docs.b));
    }
}

//! Aligning the King James and World English Bible texts of Genesis, for real paraphrase.
//!
//! The two files carry no chapter or verse numbers: each verse starts on a new line and is
//! wrapped at about 60 characters, differently in each translation. We align the lines by
//! content with a banded dynamic program over blocks of 1–3 lines on each side (scored by the
//! Dice overlap of crude stems of content words), then keep only the block boundaries where
//! both texts end a sentence and start a capitalised line: those are reliable verse
//! boundaries. Consecutive boundaries delimit [`VerseGroup`]s, the units a paraphrase
//! passage is built from.

use std::collections::HashMap;
use std::ops::Range;

/// Lines `kjv` of the KJV text and lines `web` of the WEB text say the same verses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerseGroup {
    pub kjv: Range<usize>,
    pub web: Range<usize>,
}

const STOPWORDS: &[&str] = &[
    "the", "and", "of", "to", "in", "that", "he", "his", "him", "it", "was", "for", "is", "a",
    "an", "with", "they", "them", "their", "be", "on", "at", "all", "unto", "thou", "thee", "thy",
    "ye", "you", "your", "i", "me", "my", "we", "us", "our", "she", "her", "which", "shall",
    "will", "not", "from", "by", "this", "there", "were", "are", "had", "have", "has", "said",
    "also", "as", "so", "but", "when", "who", "what", "into", "upon", "out", "up", "were", "hath",
    "did", "do",
];

/// Largest block (lines on one side) the aligner considers.
const MAX_BLOCK: usize = 3;
/// Score subtracted per aligned block, so that a wrong split costs more than it gains.
const BLOCK_COST: f64 = 0.15;
/// Score of leaving a line unaligned.
const SKIP_SCORE: f64 = -0.3;
/// Half-width of the diagonal band searched by the dynamic program, in lines.
const BAND: usize = 200;
/// Minimum Dice overlap of the blocks on both sides of a boundary to trust it.
const MIN_NEIGHBOUR_DICE: f64 = 0.2;

/// Align KJV and WEB lines; return the verse groups between trusted boundaries, in order.
pub fn align_verses(kjv: &[String], web: &[String]) -> Vec<VerseGroup> {
    let mut vocabulary = HashMap::new();
    let kjv_keys: Vec<Vec<u32>> = kjv.iter().map(|l| key_words(l, &mut vocabulary)).collect();
    let web_keys: Vec<Vec<u32>> = web.iter().map(|l| key_words(l, &mut vocabulary)).collect();
    let blocks = align_blocks(&kjv_keys, &web_keys);

    // Trusted cut positions (kjv line, web line), including both ends.
    let mut cuts = vec![(0, 0)];
    for pair in blocks.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let (i, j) = (before.kjv.end, before.web.end);
        let trusted = before.dice >= MIN_NEIGHBOUR_DICE
            && after.dice >= MIN_NEIGHBOUR_DICE
            && !before.kjv.is_empty()
            && !before.web.is_empty()
            && !after.kjv.is_empty()
            && !after.web.is_empty()
            && ends_sentence(&kjv[i - 1])
            && ends_sentence(&web[j - 1])
            && starts_sentence(&kjv[i])
            && starts_sentence(&web[j]);
        if trusted {
            cuts.push((i, j));
        }
    }
    cuts.push((kjv.len(), web.len()));
    cuts.dedup();
    cuts.windows(2)
        .map(|w| VerseGroup {
            kjv: w[0].0..w[1].0,
            web: w[0].1..w[1].1,
        })
        .filter(|g| !g.kjv.is_empty() && !g.web.is_empty())
        .collect()
}

/// One block of the line alignment.
#[derive(Debug, Clone)]
struct Block {
    kjv: Range<usize>,
    web: Range<usize>,
    dice: f64,
}

fn align_blocks(a: &[Vec<u32>], b: &[Vec<u32>]) -> Vec<Block> {
    let (n, m) = (a.len(), b.len());
    // Sorted key-word multisets of every block of 1..=MAX_BLOCK lines, by (length, end line).
    let a_bags = block_bags(a);
    let b_bags = block_bags(b);
    let band = Band::new(n, m);
    let mut score = vec![f64::NEG_INFINITY; band.cells()];
    let mut back = vec![(0u8, 0u8); band.cells()];
    score[band.index(0, 0).expect("origin in band")] = 0.0;
    let mut moves: Vec<(usize, usize)> = vec![(1, 0), (0, 1)];
    for da in 1..=MAX_BLOCK {
        for db in 1..=MAX_BLOCK {
            moves.push((da, db));
        }
    }
    for i in 0..=n {
        for j in band.columns(i) {
            if (i, j) == (0, 0) {
                continue;
            }
            let mut best = f64::NEG_INFINITY;
            let mut best_move = (0u8, 0u8);
            for &(da, db) in &moves {
                if da > i || db > j {
                    continue;
                }
                let Some(prev_index) = band.index(i - da, j - db) else {
                    continue;
                };
                let prev = score[prev_index];
                if prev == f64::NEG_INFINITY {
                    continue;
                }
                let gain = if da == 0 || db == 0 {
                    SKIP_SCORE
                } else {
                    dice(&a_bags[da - 1][i - da], &b_bags[db - 1][j - db]) - BLOCK_COST
                };
                if prev + gain > best {
                    best = prev + gain;
                    best_move = (da as u8, db as u8);
                }
            }
            let index = band.index(i, j).expect("cell in band");
            score[index] = best;
            back[index] = best_move;
        }
    }
    let mut blocks = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let (da, db) = back[band.index(i, j).expect("path stays in band")];
        let (da, db) = (da as usize, db as usize);
        assert!(da + db > 0, "alignment back-pointer missing at ({i}, {j})");
        let d = if da == 0 || db == 0 {
            0.0
        } else {
            dice(&a_bags[da - 1][i - da], &b_bags[db - 1][j - db])
        };
        blocks.push(Block {
            kjv: i - da..i,
            web: j - db..j,
            dice: d,
        });
        i -= da;
        j -= db;
    }
    blocks.reverse();
    blocks
}

/// The diagonal band of the dynamic program: row `i` holds columns around `i * m / n`.
struct Band {
    n: usize,
    m: usize,
}

impl Band {
    fn new(n: usize, m: usize) -> Self {
        Self { n, m }
    }

    fn width(&self) -> usize {
        2 * BAND + 1
    }

    fn cells(&self) -> usize {
        (self.n + 1) * self.width()
    }

    fn low(&self, i: usize) -> usize {
        (i * self.m / self.n.max(1)).saturating_sub(BAND)
    }

    fn columns(&self, i: usize) -> Range<usize> {
        let low = self.low(i);
        low..(low + self.width()).min(self.m + 1)
    }

    fn index(&self, i: usize, j: usize) -> Option<usize> {
        self.columns(i)
            .contains(&j)
            .then(|| i * self.width() + (j - self.low(i)))
    }
}

/// `bags[len - 1][start]`: the sorted key words of lines `start..start + len`.
fn block_bags(lines: &[Vec<u32>]) -> Vec<Vec<Vec<u32>>> {
    (1..=MAX_BLOCK)
        .map(|len| {
            (0..lines.len())
                .map(|start| {
                    let mut bag: Vec<u32> = lines[start..(start + len).min(lines.len())]
                        .iter()
                        .flatten()
                        .copied()
                        .collect();
                    bag.sort_unstable();
                    bag
                })
                .collect()
        })
        .collect()
}

/// Dice coefficient of two sorted multisets.
fn dice(x: &[u32], y: &[u32]) -> f64 {
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let (mut p, mut q, mut common) = (0, 0, 0);
    while p < x.len() && q < y.len() {
        match x[p].cmp(&y[q]) {
            std::cmp::Ordering::Less => p += 1,
            std::cmp::Ordering::Greater => q += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                p += 1;
                q += 1;
            }
        }
    }
    2.0 * common as f64 / (x.len() + y.len()) as f64
}

/// Content words of a line, lower-cased and cut to five letters (a crude stem that makes
/// "heaven"/"heavens" and "create"/"created" meet), as ids.
fn key_words(line: &str, vocabulary: &mut HashMap<String, u32>) -> Vec<u32> {
    line.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .map(|w| {
            let stem: String = w.chars().take(5).collect();
            let next = vocabulary.len() as u32;
            *vocabulary.entry(stem).or_insert(next)
        })
        .collect()
}

fn ends_sentence(line: &str) -> bool {
    let trimmed = line.trim_end().trim_end_matches(['"', '\'', ')']);
    trimmed.ends_with(['.', '?', '!'])
}

fn starts_sentence(line: &str) -> bool {
    line.trim_start()
        .trim_start_matches(['"', '\'', '('])
        .chars()
        .next()
        .is_some_and(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kjv_and_web_verses_align() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data");
        let Ok(dir) = crate::data::DataDir::open(std::path::Path::new(path)) else {
            eprintln!("skipping: {path} not found");
            return;
        };
        let (kjv, web) = dir.genesis().unwrap();
        let groups = align_verses(&kjv, &web);
        // Genesis has 1,533 verses; most boundaries must be found.
        assert!(groups.len() > 1_000, "{} groups", groups.len());
        assert_eq!(groups[0].kjv, 0..1);
        assert_eq!(groups[0].web, 0..1);
        // Groups tile both texts without gaps.
        for pair in groups.windows(2) {
            assert_eq!(pair[0].kjv.end, pair[1].kjv.start);
            assert_eq!(pair[0].web.end, pair[1].web.start);
        }
        assert_eq!(groups.last().unwrap().kjv.end, kjv.len());
        assert_eq!(groups.last().unwrap().web.end, web.len());
        // Every group shares content words across the translations.
        let mut vocabulary = HashMap::new();
        for group in &groups {
            fn bag(lines: &[String], vocabulary: &mut HashMap<String, u32>) -> Vec<u32> {
                let mut bag: Vec<u32> = lines
                    .iter()
                    .flat_map(|l| key_words(l, vocabulary))
                    .collect();
                bag.sort_unstable();
                bag
            }
            let x = bag(&kjv[group.kjv.clone()], &mut vocabulary);
            let y = bag(&web[group.web.clone()], &mut vocabulary);
            assert!(
                dice(&x, &y) >= 0.15,
                "{group:?}: {:?} / {:?}",
                &kjv[group.kjv.clone()],
                &web[group.web.clone()]
            );
        }
    }

    #[test]
    fn block_alignment_handles_split_lines() {
        let kjv: Vec<String> = [
            "And God said, Let there be light: and there was light.",
            "And God saw the light, that it was good: and God divided the",
            "light from the darkness.",
        ]
        .map(String::from)
        .to_vec();
        let web: Vec<String> = ["God said, \"Let there be light,\" and there was light.", "God saw the light, and saw that it was good.  God divided the light from the darkness."].map(String::from).to_vec();
        let groups = align_verses(&kjv, &web);
        assert_eq!(
            groups,
            vec![
                VerseGroup {
                    kjv: 0..1,
                    web: 0..1
                },
                VerseGroup {
                    kjv: 1..3,
                    web: 1..2
                }
            ]
        );
    }
}

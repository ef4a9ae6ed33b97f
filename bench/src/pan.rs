//! The PAN text-alignment corpus generator.
//!
//! Every pair has its own source document (contiguous Gutenberg text, or contiguous KJV
//! Genesis for paraphrase) and its own suspicious document (Reuters stories as filler, with
//! 1–3 planted passages of 50–400 words inserted between paragraphs). Five obfuscation types:
//!
//! | type | suspicious passage |
//! |---|---|
//! | `none` | the source passage verbatim |
//! | `random` | 10–30 % of the words deleted, inserted, replaced or swapped |
//! | `reorder` | the passage's (≥ 4) sentences shuffled into a different order |
//! | `paraphrase` | the same verses in the World English Bible (source: King James) |
//! | `negative` | a passage of a *different* book of the same genre: no reuse, no truth |
//!
//! The **self-similar** subset (`genesis-none` … `genesis-negative`) repeats the five types
//! with sources cut from KJV Genesis, whose verses repeat formulas ("And X lived N years, and
//! begat Y"): passages may hold formulas found elsewhere in their source (only passages that
//! are mostly a repeat are refused), reordering shuffles verse groups, random edits apply to
//! KJV text, rewording is the WEB text of the same verses, and negatives plant KJV Genesis
//! passages from elsewhere in the book that share no 7-word run with the source.
//!
//! Truth offsets and lengths are in characters (Unicode scalar values), as PAN's; the
//! generator asserts that they slice exactly the planted text on both sides. Each pair draws
//! from its own ChaCha stream (seed, type, pair index), so a corpus is reproducible and a
//! type's pairs do not depend on how many pairs the other types have.

use std::fmt::Write as _;
use std::fs;
use std::ops::Range;
use std::path::Path;

use anyhow::{Context, Result};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

use crate::data::{Book, DataDir};
use crate::genesis::{align_verses, VerseGroup};
use crate::obfuscate::{random_edits, reorder_sentences, vocabulary};
use crate::text::{char_len, char_slice, sentences, shingles, word_count};

/// Which sources a pair draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subset {
    /// Gutenberg books (KJV Genesis for paraphrase), passages without repeated 7-word runs.
    Standard,
    /// KJV Genesis for every type, repeated formulas allowed: the self-similar subset.
    Genesis,
}

impl Subset {
    /// The prefix of the subset's type names ("" or "genesis-").
    pub fn prefix(self) -> &'static str {
        match self {
            Subset::Standard => "",
            Subset::Genesis => "genesis-",
        }
    }
}

/// The obfuscation types, in corpus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Obfuscation {
    None,
    Random,
    Reorder,
    Paraphrase,
    Negative,
}

impl Obfuscation {
    /// All types, in the order their pairs are numbered.
    pub const ALL: [Obfuscation; 5] = [
        Obfuscation::None,
        Obfuscation::Random,
        Obfuscation::Reorder,
        Obfuscation::Paraphrase,
        Obfuscation::Negative,
    ];

    /// The name used for the truth folder and the XML `obfuscation` attribute.
    pub fn name(self) -> &'static str {
        match self {
            Obfuscation::None => "none",
            Obfuscation::Random => "random",
            Obfuscation::Reorder => "reorder",
            Obfuscation::Paraphrase => "paraphrase",
            Obfuscation::Negative => "negative",
        }
    }
}

/// Document sizes in bytes (both kinds).
pub const DOC_BYTES: Range<usize> = 5_000..20_000;
/// Planted passages per pair.
pub const PASSAGES_PER_PAIR: Range<usize> = 1..4;
/// Words per planted passage (source side).
pub const PASSAGE_WORDS: Range<usize> = 50..401;
/// Sentences a reordered passage needs at least.
pub const MIN_REORDER_SENTENCES: usize = 4;
/// Word n-grams of a planted passage may not occur elsewhere in its source document (nor, for
/// negatives, in the paired source at all).
const UNIQUE_SHINGLE_WORDS: usize = 7;
/// Least filler in a suspicious document, in bytes.
const MIN_FILLER_BYTES: usize = 2_000;

/// One planted case, offsets in characters.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub this_offset: usize,
    pub this_length: usize,
    pub source_offset: usize,
    pub source_length: usize,
    /// The planted text in the source document.
    pub source_text: String,
    /// The planted (possibly obfuscated) text in the suspicious document.
    pub this_text: String,
    /// For `random`: share of words edited.
    pub edit_rate: Option<f64>,
}

/// A generated pair of documents and its truth.
#[derive(Debug, Clone)]
pub struct Pair {
    pub subset: Subset,
    pub obfuscation: Obfuscation,
    /// Document number, shared by the source and the suspicious document.
    pub number: usize,
    pub source: String,
    pub suspicious: String,
    /// Planted cases, by offset in the suspicious document (empty for negatives).
    pub cases: Vec<Case>,
    /// For negatives: the passages of another book planted as decoys.
    pub decoys: Vec<String>,
    /// Book (or `genesis-kjv`) the source document was cut from.
    pub source_book: String,
}

impl Pair {
    /// The truth folder of the pair's type: `none`, …, `genesis-negative`.
    pub fn type_name(&self) -> String {
        format!("{}{}", self.subset.prefix(), self.obfuscation.name())
    }

    pub fn source_name(&self) -> String {
        format!("source-document{:05}.txt", self.number)
    }

    pub fn suspicious_name(&self) -> String {
        format!("suspicious-document{:05}.txt", self.number)
    }

    /// `suspicious-documentNNNNN-source-documentNNNNN.xml`.
    pub fn truth_name(&self) -> String {
        format!(
            "suspicious-document{:05}-source-document{:05}.xml",
            self.number, self.number
        )
    }

    /// The PAN truth XML of this pair.
    pub fn truth_xml(&self) -> String {
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(xml, "<document reference=\"{}\">", self.suspicious_name());
        for case in &self.cases {
            let _ = writeln!(
                xml,
                "<feature name=\"plagiarism\" type=\"artificial\" obfuscation=\"{}\" \
                 this_language=\"en\" this_offset=\"{}\" this_length=\"{}\" \
                 source_reference=\"{}\" source_language=\"en\" source_offset=\"{}\" \
                 source_length=\"{}\"/>",
                self.obfuscation.name(),
                case.this_offset,
                case.this_length,
                self.source_name(),
                case.source_offset,
                case.source_length
            );
        }
        xml.push_str("</document>\n");
        xml
    }

    /// Panic unless every case's offsets slice exactly its planted text on both sides.
    pub fn assert_truth_exact(&self) {
        for case in &self.cases {
            assert_eq!(
                char_slice(&self.source, case.source_offset, case.source_length),
                Some(case.source_text.as_str()),
                "source span of pair {} is not the planted passage",
                self.number
            );
            assert_eq!(
                char_slice(&self.suspicious, case.this_offset, case.this_length),
                Some(case.this_text.as_str()),
                "suspicious span of pair {} is not the planted passage",
                self.number
            );
        }
    }
}

/// Everything the generator draws from, loaded once.
pub struct Materials {
    books: Vec<Book>,
    stories: Vec<Vec<String>>,
    vocabulary: Vec<String>,
    kjv: Vec<String>,
    web: Vec<String>,
    verse_groups: Vec<VerseGroup>,
}

impl Materials {
    /// Load and clean the collections of the data folder.
    pub fn load(data: &Path) -> Result<Self> {
        let dir = DataDir::open(data)?;
        let books = dir.books()?;
        let stories = dir.reuters_stories(400)?;
        anyhow::ensure!(stories.len() >= 100, "too few Reuters stories");
        let vocabulary = vocabulary(books.iter().map(|b| b.text.as_str()), 5);
        let (kjv, web) = dir.genesis()?;
        let verse_groups = align_verses(&kjv, &web);
        Ok(Self {
            books,
            stories,
            vocabulary,
            kjv,
            web,
            verse_groups,
        })
    }

    /// The aligned KJV/WEB verse groups (for inspection).
    pub fn verse_groups(&self) -> &[VerseGroup] {
        &self.verse_groups
    }
}

/// Corpus size: pairs per obfuscation type (standard and self-similar subsets), and the seed.
#[derive(Debug, Clone, Copy)]
pub struct PanConfig {
    pub seed: u64,
    pub pairs_per_type: usize,
    /// Pairs per type of the self-similar (Genesis) subset; 0 leaves it out.
    pub genesis_pairs_per_type: usize,
}

/// Generate all pairs, numbered 1.. in type order: the standard types, then the Genesis ones
/// (so adding the subset leaves the standard pairs as they were).
pub fn generate(materials: &Materials, config: PanConfig) -> Vec<Pair> {
    let mut pairs = Vec::new();
    let subsets = [
        (Subset::Standard, config.pairs_per_type, 0),
        (
            Subset::Genesis,
            config.genesis_pairs_per_type,
            Obfuscation::ALL.len(),
        ),
    ];
    for (subset, per_type, first_stream) in subsets {
        for (type_index, obfuscation) in Obfuscation::ALL.into_iter().enumerate() {
            let stream = (first_stream + type_index) as u64;
            for pair_index in 0..per_type {
                let mut rng = ChaCha20Rng::seed_from_u64(config.seed);
                rng.set_stream((stream << 32) | pair_index as u64);
                let number = pairs.len() + 1;
                let pair = generate_pair(materials, subset, obfuscation, number, &mut rng);
                pair.assert_truth_exact();
                pairs.push(pair);
            }
        }
    }
    pairs
}

/// A source text cut into units (sentences, or verse groups) that passages are runs of.
struct SourceText {
    text: String,
    units: Vec<Range<usize>>,
    /// For paraphrase: the WEB text of each unit.
    parallel: Option<Vec<String>>,
    book: String,
}

impl SourceText {
    fn span(&self, units: &Range<usize>) -> Range<usize> {
        self.units[units.start].start..self.units[units.end - 1].end
    }

    fn slice(&self, units: &Range<usize>) -> &str {
        &self.text[self.span(units)]
    }
}

fn generate_pair(
    materials: &Materials,
    subset: Subset,
    obfuscation: Obfuscation,
    number: usize,
    rng: &mut ChaCha20Rng,
) -> Pair {
    let repeats = match subset {
        Subset::Standard => Repeats::Refused,
        Subset::Genesis => Repeats::Allowed,
    };
    let wanted = rng.random_range(PASSAGES_PER_PAIR);
    let min_units = if obfuscation == Obfuscation::Reorder {
        MIN_REORDER_SENTENCES
    } else {
        1
    };
    // Draw source documents until one holds at least one passage (nearly always the first).
    let (source, runs) = loop {
        let source = match (subset, obfuscation) {
            (Subset::Genesis, _) | (_, Obfuscation::Paraphrase) => kjv_source(materials, rng),
            _ => book_source(
                &materials.books,
                rng.random_range(0..materials.books.len()),
                rng,
            ),
        };
        let runs = pick_passages(&source, wanted, min_units, obfuscation, repeats, rng);
        if !runs.is_empty() {
            break (source, runs);
        }
    };

    let mut planted: Vec<(Option<Range<usize>>, String, Option<f64>)> = Vec::new();
    let mut decoys = Vec::new();
    if obfuscation == Obfuscation::Negative && subset == Subset::Genesis {
        // Same number of passages, from elsewhere in Genesis, sharing no 7-word run with the
        // source (formulas shorter than that are what makes them hard).
        let source_shingles = shingles(&source.text, UNIQUE_SHINGLE_WORDS);
        let decoy = loop {
            let decoy = kjv_source(materials, rng);
            let decoy_runs = pick_passages(&decoy, runs.len(), 1, obfuscation, repeats, rng);
            let unrelated = decoy_runs.iter().all(|run| {
                shingles(decoy.slice(run), UNIQUE_SHINGLE_WORDS).is_disjoint(&source_shingles)
            });
            if !decoy_runs.is_empty() && unrelated {
                break (decoy, decoy_runs);
            }
        };
        for run in &decoy.1 {
            let text = decoy.0.slice(run).to_string();
            decoys.push(text.clone());
            planted.push((None, text, None));
        }
    } else if obfuscation == Obfuscation::Negative {
        // Same number of passages, taken from another book of the same genre.
        let own = materials
            .books
            .iter()
            .position(|b| b.name == source.book)
            .expect("source book");
        let genre = materials.books[own].genre();
        let others: Vec<usize> = (0..materials.books.len())
            .filter(|&i| i != own && materials.books[i].genre() == genre)
            .collect();
        let decoy = loop {
            let other = *others.choose(rng).expect("two books per genre");
            let decoy = book_source(&materials.books, other, rng);
            let decoy_runs = pick_passages(&decoy, runs.len(), 1, obfuscation, repeats, rng);
            let source_shingles = shingles(&source.text, UNIQUE_SHINGLE_WORDS);
            let unrelated = decoy_runs.iter().all(|run| {
                shingles(decoy.slice(run), UNIQUE_SHINGLE_WORDS).is_disjoint(&source_shingles)
            });
            if !decoy_runs.is_empty() && unrelated {
                break (decoy, decoy_runs);
            }
        };
        for run in &decoy.1 {
            let text = decoy.0.slice(run).to_string();
            decoys.push(text.clone());
            planted.push((None, text, None));
        }
    } else {
        for run in &runs {
            let source_text = source.slice(run);
            let (text, rate) = match obfuscation {
                Obfuscation::None => (source_text.to_string(), None),
                Obfuscation::Random => {
                    let edits = random_edits(source_text, &materials.vocabulary, rng);
                    let rate = edits.rate();
                    (edits.text, Some(rate))
                }
                Obfuscation::Reorder => {
                    let sentences: Vec<&str> = run
                        .clone()
                        .map(|u| &source.text[source.units[u].clone()])
                        .collect();
                    (reorder_sentences(&sentences, rng).text, None)
                }
                Obfuscation::Paraphrase => {
                    let parallel = source.parallel.as_ref().expect("parallel text");
                    (parallel[run.clone()].join("\n"), None)
                }
                Obfuscation::Negative => unreachable!(),
            };
            planted.push((Some(source.span(run)), text, rate));
        }
    }

    let (suspicious, placements) = build_suspicious(
        &materials.stories,
        planted.iter().map(|(_, text, _)| text.as_str()).collect(),
        rng,
    );
    let mut cases: Vec<Case> = Vec::new();
    if obfuscation != Obfuscation::Negative {
        for ((source_span, this_text, edit_rate), this_chars) in planted.into_iter().zip(placements)
        {
            let source_span = source_span.expect("source span");
            let source_text = source.text[source_span.clone()].to_string();
            cases.push(Case {
                this_offset: this_chars.start,
                this_length: this_chars.len(),
                source_offset: char_len(&source.text[..source_span.start]),
                source_length: char_len(&source_text),
                source_text,
                this_text,
                edit_rate,
            });
        }
    }
    cases.sort_by_key(|c| c.this_offset);
    Pair {
        subset,
        obfuscation,
        number,
        source: source.text,
        suspicious,
        cases,
        decoys,
        source_book: source.book,
    }
}

/// Contiguous text of a book, `DOC_BYTES` long, from a paragraph start to a line end.
fn book_source(books: &[Book], index: usize, rng: &mut ChaCha20Rng) -> SourceText {
    let book = &books[index];
    let text = book.text.as_str();
    let target = rng.random_range(DOC_BYTES).min(text.len() * 9 / 10);
    let skip = text.len() / 50; // front matter, tables of contents
    let latest = text.len().saturating_sub(target + 1).max(skip + 1);
    let mut start = floor_char_boundary(text, rng.random_range(skip..latest));
    if let Some(paragraph) = text[start..].find("\n\n") {
        if paragraph < 3_000 {
            start += paragraph;
        }
    }
    while start < text.len() && text.as_bytes()[start].is_ascii_whitespace() {
        start += 1;
    }
    let mut end = floor_char_boundary(text, (start + target).min(text.len()));
    if let Some(line_end) = text[start..end].rfind('\n') {
        end = start + line_end;
    }
    let chunk = text[start..end].trim_end().to_string();
    SourceText {
        units: sentences(&chunk),
        text: chunk,
        parallel: None,
        book: book.name.clone(),
    }
}

/// Consecutive KJV verse groups, `DOC_BYTES` long, with their WEB counterparts.
fn kjv_source(materials: &Materials, rng: &mut ChaCha20Rng) -> SourceText {
    let groups = &materials.verse_groups;
    let target = rng.random_range(DOC_BYTES);
    let mut first = rng.random_range(0..groups.len());
    let group_bytes = |g: &VerseGroup| -> usize {
        materials.kjv[g.kjv.clone()]
            .iter()
            .map(|l| l.len() + 1)
            .sum()
    };
    // Walk back from the end if the draw is too close to it.
    let mut bytes: usize = groups[first..].iter().map(group_bytes).sum();
    while bytes < target && first > 0 {
        first -= 1;
        bytes += group_bytes(&groups[first]);
    }
    let mut text = String::new();
    let mut units = Vec::new();
    let mut parallel = Vec::new();
    for group in &groups[first..] {
        let group_len: usize = materials.kjv[group.kjv.clone()]
            .iter()
            .map(|l| l.len() + 1)
            .sum();
        if text.len() >= target || (!text.is_empty() && text.len() + group_len > DOC_BYTES.end) {
            break;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        let start = text.len();
        text.push_str(&materials.kjv[group.kjv.clone()].join("\n"));
        units.push(start..text.len());
        parallel.push(materials.web[group.web.clone()].join("\n"));
    }
    SourceText {
        text,
        units,
        parallel: Some(parallel),
        book: "genesis-kjv".to_string(),
    }
}

/// Whether a planted passage may repeat text found elsewhere in its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeats {
    /// No 7-word run of the passage occurs elsewhere in the source.
    Refused,
    /// Formulas may recur; only a passage that is mostly a repeat (over half of its 7-word
    /// runs found elsewhere) is refused, as its truth would be ambiguous.
    Allowed,
}

/// Up to `wanted` non-overlapping runs of units (at least one unit apart) of 50–400 words,
/// lengths drawn short / medium / long as in PAN; fewer if the document is too small.
fn pick_passages(
    source: &SourceText,
    wanted: usize,
    min_units: usize,
    obfuscation: Obfuscation,
    repeats: Repeats,
    rng: &mut ChaCha20Rng,
) -> Vec<Range<usize>> {
    let unit_words: Vec<usize> = source
        .units
        .iter()
        .map(|u| word_count(&source.text[u.clone()]))
        .collect();
    let n = source.units.len();
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut attempts = 0;
    while runs.len() < wanted && attempts < 300 && n > 0 {
        attempts += 1;
        let target_words = match rng.random_range(0..100) {
            0..35 => rng.random_range(50..100),
            35..70 => rng.random_range(100..200),
            _ => rng.random_range(200..=400),
        };
        let start = rng.random_range(0..n);
        let (mut end, mut words) = (start, 0);
        while end < n && (words < target_words || end - start < min_units) {
            words += unit_words[end];
            end += 1;
        }
        let run = start..end;
        let fits = PASSAGE_WORDS.contains(&words) && end - start >= min_units;
        let apart = runs.iter().all(|r| run.end < r.start || r.end < run.start);
        if !fits || !apart || word_count(source.slice(&run)) != words {
            continue;
        }
        // A passage whose words recur elsewhere in its source (refrains, repeated poems,
        // formulaic verses) would make the truth ambiguous.
        let span = source.span(&run);
        let own = shingles(&source.text[span.clone()], UNIQUE_SHINGLE_WORDS);
        let before = shingles(&source.text[..span.start], UNIQUE_SHINGLE_WORDS);
        let after = shingles(&source.text[span.end..], UNIQUE_SHINGLE_WORDS);
        let repeated = own
            .iter()
            .filter(|s| before.contains(s) || after.contains(s))
            .count();
        let refused = match repeats {
            Repeats::Refused => repeated > 0,
            Repeats::Allowed => repeated * 2 > own.len(),
        };
        if refused {
            continue;
        }
        if obfuscation == Obfuscation::Reorder {
            let first = &source.text[source.units[start].clone()];
            if run
                .clone()
                .all(|u| &source.text[source.units[u].clone()] == first)
            {
                continue;
            }
        }
        runs.push(run);
    }
    runs.sort_by_key(|r| r.start);
    runs
}

/// A suspicious document: Reuters paragraphs as filler with the passages inserted between
/// paragraphs (distinct gaps, shuffled order). Returns the text and, for each passage in
/// input order, its character range.
fn build_suspicious(
    stories: &[Vec<String>],
    passages: Vec<&str>,
    rng: &mut ChaCha20Rng,
) -> (String, Vec<Range<usize>>) {
    let passage_bytes: usize = passages.iter().map(|p| p.len() + 2).sum();
    // Leave room for the last paragraph's overshoot.
    let target = rng.random_range(DOC_BYTES.start..DOC_BYTES.end - 1_000);
    let filler_bytes = target.saturating_sub(passage_bytes).max(MIN_FILLER_BYTES);
    let mut filler: Vec<&str> = Vec::new();
    let mut used_stories = Vec::new();
    let mut bytes = 0;
    while bytes < filler_bytes {
        let story = rng.random_range(0..stories.len());
        if used_stories.contains(&story) {
            continue;
        }
        used_stories.push(story);
        for paragraph in &stories[story] {
            if bytes >= filler_bytes {
                break;
            }
            filler.push(paragraph);
            bytes += paragraph.len() + 2;
        }
    }
    // Gaps 0..=filler.len(): before paragraph k. Distinct gaps keep passages apart.
    let mut gaps: Vec<usize> = (0..=filler.len()).collect();
    gaps.shuffle(rng);
    let mut slots: Vec<(usize, usize)> = gaps
        .into_iter()
        .take(passages.len())
        .zip(0..passages.len())
        .collect();
    slots.sort_unstable();

    let mut text = String::new();
    let mut chars = 0;
    let mut placements = vec![0..0; passages.len()];
    let push_block = |block: &str, text: &mut String, chars: &mut usize| -> Range<usize> {
        if !text.is_empty() {
            text.push_str("\n\n");
            *chars += 2;
        }
        let start = *chars;
        text.push_str(block);
        *chars += char_len(block);
        start..*chars
    };
    let mut next_slot = slots.iter().peekable();
    for k in 0..=filler.len() {
        while let Some(&&(gap, passage)) = next_slot.peek() {
            if gap != k {
                break;
            }
            placements[passage] = push_block(passages[passage], &mut text, &mut chars);
            next_slot.next();
        }
        if k < filler.len() {
            push_block(filler[k], &mut text, &mut chars);
        }
    }
    text.push('\n');
    (text, placements)
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// What [`write_corpus`] wrote, per type.
#[derive(Debug, Clone, Default)]
pub struct TypeStats {
    pub name: String,
    pub pairs: usize,
    pub cases: usize,
    pub source_bytes: usize,
    pub suspicious_bytes: usize,
    pub case_words: Vec<usize>,
}

/// Write the corpus in the PAN layout under `out` (replacing `src/`, `susp/`, `truth/` and
/// `pairs` if present) and return per-type statistics.
pub fn write_corpus(pairs: &[Pair], out: &Path) -> Result<Vec<TypeStats>> {
    for sub in ["src", "susp", "truth"] {
        let dir = out.join(sub);
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut all_pairs = String::new();
    let mut stats = Vec::new();
    let mut types: Vec<String> = pairs.iter().map(Pair::type_name).collect();
    types.dedup();
    for type_name in types {
        let truth_dir = out.join("truth").join(&type_name);
        fs::create_dir_all(&truth_dir)?;
        let mut type_pairs = String::new();
        let mut type_stats = TypeStats {
            name: type_name.clone(),
            ..TypeStats::default()
        };
        for pair in pairs.iter().filter(|p| p.type_name() == type_name) {
            let line = format!("{} {}\n", pair.suspicious_name(), pair.source_name());
            all_pairs.push_str(&line);
            type_pairs.push_str(&line);
            fs::write(out.join("src").join(pair.source_name()), &pair.source)?;
            fs::write(
                out.join("susp").join(pair.suspicious_name()),
                &pair.suspicious,
            )?;
            fs::write(truth_dir.join(pair.truth_name()), pair.truth_xml())?;
            type_stats.pairs += 1;
            type_stats.cases += pair.cases.len();
            type_stats.source_bytes += pair.source.len();
            type_stats.suspicious_bytes += pair.suspicious.len();
            type_stats
                .case_words
                .extend(pair.cases.iter().map(|c| word_count(&c.source_text)));
        }
        fs::write(truth_dir.join("pairs"), type_pairs)?;
        stats.push(type_stats);
    }
    fs::write(out.join("pairs"), all_pairs)?;
    Ok(stats)
}

#[cfg(test)]
mod tests;

//! Per-sentence embeddings stored with each document, and the cross-lingual candidate
//! channel that searches them.
//!
//! The index does not know the model: the caller gives each document's sentence vectors
//! (unit length, `dim` floats per sentence, in the order of the sentences the caller found),
//! and gets them back for alignment. What is stored, in the same tantivy document as the
//! text (so one commit covers both and a crash never leaves a document with half of it):
//!
//! - `emb` (stored bytes): every sentence vector quantized to `i8` with one `f32` scale per
//!   sentence: `dim + 4` bytes a sentence (516 for the 512-dimension model) after a 10-byte
//!   header — about 1/4 of the floats' size, cosines within ±0.01 of the exact ones;
//! - `xcodes` (fast, multi-valued `u64`): one 256-bit sign code ([`CODE_BITS`]; random
//!   hyperplanes, Charikar 2002) per window of [`CHUNK_SENTENCES`] sentences, every
//!   [`CHUNK_STRIDE`] sentences: 32 bytes per window, read whole by the candidate scan;
//! - `xsent` (fast `u64`): the number of sentences embedded; a document without it has no
//!   embeddings (added without the model) and `stemma index embed` can add them later;
//! - `xlang` (stored, fast string): the document's language (ISO 639-3) as the caller
//!   guessed it, so the channel proposes only documents in another language than the target.
//!
//! **The channel.** The target's sentence vectors are cut into the same windows (at most
//! [`MAX_QUERY_WINDOWS`], farther apart for a long target), each window's code is compared
//! with every stored window code by Hamming distance (XOR and popcount over 4 words: a
//! brute-force scan, split across threads, with the processor's popcount instruction), and for each target window the closest stored
//! window of a document gives an estimated cosine (`cos(π · hamming / 256)`, ±0.1). A
//! document scores `Σ max(0, best − WINDOW_FLOOR)` over the target's windows: a translation
//! of much of the target matches many of its windows, a document that one window happens to
//! resemble matches one. The best few (5 × the limit, at least 50) are then re-scored the
//! same way with exact cosines of the window means of their stored vectors, and kept when
//! one window reaches `min_cosine`. A window of translated sentences lies at cosine
//! ≈ 0.5–0.8 of its original, an unrelated window under ≈ 0.3.

use std::sync::OnceLock;

use rayon::prelude::*;
use tantivy::columnar::Column;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use crate::error::IndexError;
use crate::query::{date_order, fast_str};
use crate::{Candidate, Channel, Index};

/// Bits of a window's sign code.
pub const CODE_BITS: usize = 256;
const CODE_WORDS: usize = CODE_BITS / 64;
/// Sentences in one window.
pub const CHUNK_SENTENCES: usize = 4;
/// Sentences between the starts of two windows (windows overlap by half).
pub const CHUNK_STRIDE: usize = 2;
/// Most windows of a target compared with the index; a longer target's windows start
/// farther apart (the scan costs windows × stored windows).
pub const MAX_QUERY_WINDOWS: usize = 24;

const MAGIC: &[u8; 4] = b"SEQ1";

/// Window cosines at or below this count for nothing in a document's score: unrelated
/// windows of news in two languages stay under it, translated ones sit at 0.5–0.8.
pub const WINDOW_FLOOR: f32 = 0.3;
/// Sentence cosines at or below this count for nothing in the exact pass's score:
/// unrelated sentences stay under it (p99.9 ≈ 0.5 for mUSE), translations sit at 0.5–0.9.
pub const SENTENCE_FLOOR: f32 = 0.35;
/// Most target sentences the exact pass compares (evenly spread over a longer target).
const QUERY_SENTENCES: usize = 128;
/// The coarse pass keeps documents whose best estimated window cosine is within this of
/// `min_cosine` (the codes' estimate is ±0.1): the exact pass decides.
const COARSE_SLACK: f32 = 0.1;
/// Documents re-scored exactly: this many times the limit…
const RERANK_FACTOR: usize = 5;
/// …and at least this many.
const RERANK_LEAST: usize = 80;

/// One document's sentence vectors, as the caller's model made them.
///
/// ```
/// let e = stemma_index::SentenceEmbeddings { lang: Some("rus".into()), dim: 2, vectors: vec![1.0, 0.0, 0.6, 0.8] };
/// assert_eq!(e.sentences(), 2);
/// assert_eq!(e.row(1), [0.6, 0.8]);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SentenceEmbeddings {
    /// The document's language (ISO 639-3), when known.
    pub lang: Option<String>,
    /// Floats per sentence.
    pub dim: usize,
    /// `sentences × dim` unit vectors, row by row.
    pub vectors: Vec<f32>,
}

impl SentenceEmbeddings {
    /// Number of sentences.
    pub fn sentences(&self) -> usize {
        self.vectors.len().checked_div(self.dim).unwrap_or(0)
    }

    /// Sentence `i`'s vector.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.vectors[i * self.dim..(i + 1) * self.dim]
    }
}

/// Options of [`Index::cross_lingual`].
#[derive(Debug, Clone, PartialEq)]
pub struct CrossLingualOptions {
    /// Most candidates returned.
    pub limit: usize,
    /// Least cosine (estimated from the codes) between a window of the target and one of a
    /// document for the document to be proposed.
    pub min_cosine: f32,
    /// Ids never returned (the target itself).
    pub exclude: Vec<String>,
}

impl Default for CrossLingualOptions {
    fn default() -> Self {
        CrossLingualOptions {
            // Translations are rare next to monolingual reuse; each costs one alignment on
            // stored vectors (no embedding at trace time).
            limit: 10,
            // Unrelated windows of news in two languages reach ≈ 0.25 at the far tail;
            // translated windows sit at 0.5–0.8 (bench/xling_index.py).
            min_cosine: 0.3,
            exclude: Vec::new(),
        }
    }
}

/// Quantize sentence vectors for storage: a header (magic, sentences, dim), then per
/// sentence an `f32` scale and `dim` `i8` values (`value ≈ i8 × scale`).
pub(crate) fn quantize(e: &SentenceEmbeddings) -> Vec<u8> {
    let n = e.sentences();
    let mut out = Vec::with_capacity(10 + n * (e.dim + 4));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(n as u32).to_le_bytes());
    out.extend_from_slice(&(e.dim as u16).to_le_bytes());
    for i in 0..n {
        let row = e.row(i);
        let most = row.iter().fold(0f32, |m, &x| m.max(x.abs()));
        let scale = if most > 0.0 { most / 127.0 } else { 1.0 };
        out.extend_from_slice(&scale.to_le_bytes());
        out.extend(
            row.iter()
                .map(|&x| (x / scale).round().clamp(-127.0, 127.0) as i8 as u8),
        );
    }
    out
}

/// The vectors [`quantize`] stored (each renormalized to unit length); `None` for bytes that
/// are not such a record.
pub(crate) fn dequantize(bytes: &[u8]) -> Option<(usize, Vec<f32>)> {
    if bytes.len() < 10 || &bytes[..4] != MAGIC {
        return None;
    }
    let n = u32::from_le_bytes(bytes[4..8].try_into().ok()?) as usize;
    let dim = u16::from_le_bytes(bytes[8..10].try_into().ok()?) as usize;
    let body = &bytes[10..];
    if dim == 0 || body.len() != n * (dim + 4) {
        return None;
    }
    let mut vectors = Vec::with_capacity(n * dim);
    for row in body.chunks_exact(dim + 4) {
        let scale = f32::from_le_bytes(row[..4].try_into().ok()?);
        let start = vectors.len();
        vectors.extend(row[4..].iter().map(|&q| f32::from(q as i8) * scale));
        let norm = vectors[start..].iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            vectors[start..].iter_mut().for_each(|x| *x /= norm);
        }
    }
    Some((dim, vectors))
}

/// The random hyperplanes of the sign codes for vectors of `dim` floats: `CODE_BITS × dim`
/// values ±1 from a fixed seed, so codes written by one process meet codes of another.
fn hyperplanes(dim: usize) -> &'static [f32] {
    type Known = std::sync::Mutex<Vec<(usize, &'static [f32])>>;
    static PLANES: OnceLock<Known> = OnceLock::new();
    let planes = PLANES.get_or_init(Default::default);
    let mut known = planes.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&(_, p)) = known.iter().find(|(d, _)| *d == dim) {
        return p;
    }
    let mut state = 0x5354_454d_4d41_u64 ^ dim as u64;
    let mut next = || {
        // splitmix64
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut values = Vec::with_capacity(CODE_BITS * dim);
    while values.len() < CODE_BITS * dim {
        let bits = next();
        for b in 0..64 {
            if values.len() < CODE_BITS * dim {
                values.push(if bits >> b & 1 == 1 { 1.0 } else { -1.0 });
            }
        }
    }
    let leaked: &'static [f32] = Box::leak(values.into_boxed_slice());
    known.push((dim, leaked));
    leaked
}

/// The windows of `n` sentences: `CHUNK_SENTENCES` long, starting every `stride`, the last
/// one ending at the last sentence; one window of all when there are fewer.
fn windows(n: usize, stride: usize) -> Vec<std::ops::Range<usize>> {
    if n <= CHUNK_SENTENCES {
        return std::iter::once(0..n).filter(|w| !w.is_empty()).collect();
    }
    let mut out: Vec<_> = (0..=n - CHUNK_SENTENCES)
        .step_by(stride.max(1))
        .map(|s| s..s + CHUNK_SENTENCES)
        .collect();
    if out.last().is_some_and(|w| w.end < n) {
        out.push(n - CHUNK_SENTENCES..n);
    }
    out
}

/// The sign code of each window of `e` starting every `stride` sentences.
fn window_codes(e: &SentenceEmbeddings, stride: usize) -> Vec<[u64; CODE_WORDS]> {
    let planes = hyperplanes(e.dim);
    window_means(e, stride)
        .into_iter()
        .map(|mean| {
            let mut code = [0u64; CODE_WORDS];
            for (bit, plane) in planes.chunks_exact(e.dim).enumerate() {
                let dot: f32 = plane.iter().zip(&mean).map(|(p, s)| p * s).sum();
                if dot > 0.0 {
                    code[bit / 64] |= 1 << (bit % 64);
                }
            }
            code
        })
        .collect()
}

/// The unit-length mean vector of each window of `e` starting every `stride` sentences.
fn window_means(e: &SentenceEmbeddings, stride: usize) -> Vec<Vec<f32>> {
    windows(e.sentences(), stride)
        .into_iter()
        .map(|w| {
            let mut sum = vec![0f32; e.dim];
            for i in w {
                for (s, x) in sum.iter_mut().zip(e.row(i)) {
                    *s += x;
                }
            }
            let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                sum.iter_mut().for_each(|x| *x /= norm);
            }
            sum
        })
        .collect()
}

/// A document's score from the best cosine each of the target's windows (or sentences)
/// finds among its own: `Σ max(0, best − floor)`, so a document matching many of them (a
/// translation of much of the target) outranks one that a single window happens to
/// resemble; and the highest of the bests. `floor` is [`WINDOW_FLOOR`] or `SENTENCE_FLOOR`.
fn aggregate(floor: f32, best: impl Iterator<Item = f32>) -> (f32, f32) {
    best.fold((0.0, -1.0), |(score, top), b| {
        (score + (b - floor).max(0.0), top.max(b))
    })
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The codes stored for a document: [`window_codes`] at [`CHUNK_STRIDE`].
pub(crate) fn stored_codes(e: &SentenceEmbeddings) -> Vec<u64> {
    window_codes(e, CHUNK_STRIDE)
        .into_iter()
        .flatten()
        .collect()
}

/// The cosine two unit vectors at this Hamming distance of their codes most likely have.
fn cosine_of(hamming: u32) -> f32 {
    (std::f32::consts::PI * hamming as f32 / CODE_BITS as f32).cos()
}

/// For each query code, the least Hamming distance to any of `own`'s codes
/// ([`CODE_WORDS`] words each), into `closest`.
///
/// This is the scan's inner loop (every stored window against every query window). The
/// baseline x86-64 target has no popcount instruction, and `count_ones` compiles to a dozen
/// bit operations per word; the same loop compiled with the `popcnt` feature, chosen at run
/// time when the processor has it (every x86-64 since 2008), is ~3× faster.
fn closest_codes(queries: &[[u64; CODE_WORDS]], own: &[u64], closest: &mut [u32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the processor has the `popcnt` feature (checked just above).
        unsafe { closest_codes_popcnt(queries, own, closest) };
        return;
    }
    closest_codes_portable(queries, own, closest);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn closest_codes_popcnt(queries: &[[u64; CODE_WORDS]], own: &[u64], closest: &mut [u32]) {
    closest_codes_portable(queries, own, closest);
}

#[inline(always)]
fn closest_codes_portable(queries: &[[u64; CODE_WORDS]], own: &[u64], closest: &mut [u32]) {
    closest.fill(CODE_BITS as u32);
    for code in own.chunks_exact(CODE_WORDS) {
        let code: &[u64; CODE_WORDS] = code.try_into().expect("chunks of CODE_WORDS");
        for (q, best) in queries.iter().zip(closest.iter_mut()) {
            let d = (q[0] ^ code[0]).count_ones()
                + (q[1] ^ code[1]).count_ones()
                + (q[2] ^ code[2]).count_ones()
                + (q[3] ^ code[3]).count_ones();
            *best = (*best).min(d);
        }
    }
}

impl Index {
    /// Whether this index can store embeddings (indexes created before they existed cannot:
    /// their schema lacks the fields; re-create them to use the cross-lingual channel).
    pub fn stores_embeddings(&self) -> bool {
        self.fields.xling.is_some()
    }

    /// The cross-lingual candidate channel: documents holding a window of sentences whose
    /// embedding lies close to one of the target's (see the module docs), best first (ties:
    /// earliest date, then id), at most `options.limit`. Documents in `target`'s language
    /// (both known and equal) are left out: the monolingual channels find those.
    ///
    /// ```
    /// use stemma_index::{CrossLingualOptions, Index, SentenceEmbeddings};
    /// use stemma_text::Document;
    /// let dir = tempfile::tempdir().unwrap();
    /// let index = Index::create(dir.path()).unwrap();
    /// // Dense pseudo-random sentence vectors: `sentence(k)` stands for the k-th sentence.
    /// let sentence = |k: usize| -> Vec<f32> {
    ///     (0..512).map(|d| ((d * 7919 + k * 104_729 + d * k * 31) % 1000) as f32 / 1000.0 - 0.5).collect()
    /// };
    /// let unit = |ks: &[usize], lang: &str| SentenceEmbeddings {
    ///     lang: Some(lang.into()), dim: 512,
    ///     vectors: ks.iter().flat_map(|&k| {
    ///         let v = sentence(k);
    ///         let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    ///         v.into_iter().map(move |x| x / n)
    ///     }).collect(),
    /// };
    /// let mut w = index.writer().unwrap();
    /// let embed = |d: &Document, _: &stemma_text::Analysis| match d.id.as_str() {
    ///     "ru" => unit(&[1, 2], "rus"),
    ///     _ => unit(&[5, 6], "deu"),
    /// };
    /// w.add_all_with(&[Document::new("ru", "Один. Два."), Document::new("de", "Eins. Zwei.")], Some(&embed)).unwrap();
    /// w.commit().unwrap();
    /// let found = index.cross_lingual(&unit(&[1, 2], "eng"), &CrossLingualOptions::default()).unwrap();
    /// assert_eq!(found.len(), 1);
    /// assert_eq!(found[0].id, "ru");
    /// assert!(found[0].cosine > 0.9);
    /// ```
    pub fn cross_lingual(
        &self,
        target: &SentenceEmbeddings,
        options: &CrossLingualOptions,
    ) -> Result<Vec<Candidate>, IndexError> {
        if self.fields.xling.is_none() || options.limit == 0 || target.sentences() == 0 {
            return Ok(Vec::new());
        }
        let n = target.sentences();
        let stride = n
            .saturating_sub(CHUNK_SENTENCES)
            .div_ceil(MAX_QUERY_WINDOWS.saturating_sub(1).max(1))
            .max(CHUNK_STRIDE);
        let queries = window_codes(target, stride);
        let query_means = window_means(target, stride);
        // The sentences the exact pass compares: all, or as many evenly spread.
        let query_rows: Vec<usize> = (0..QUERY_SENTENCES.min(n))
            .map(|k| k * n / QUERY_SENTENCES.min(n))
            .collect();
        let searcher = self.searcher();
        let mut excluded = Vec::new();
        for id in &options.exclude {
            if let Some(address) = self.find(&searcher, id)? {
                excluded.push(address);
            }
        }
        // Coarse: every stored window's code against every query window's.
        let mut coarse: Vec<(f32, DocAddress)> = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let column: Column<u64> = match segment.fast_fields().u64("xcodes") {
                Ok(c) => c,
                Err(_) => continue,
            };
            // Documents in the target's language are left out here, before their codes are
            // compared (the re-score below would skip them anyway): in a corpus mostly in
            // the target's language, most of the scan.
            let same_language = match (&target.lang, segment.fast_fields().str("xlang")) {
                (Some(lang), Ok(Some(langs))) => langs
                    .dictionary()
                    .term_ord(lang.as_bytes())
                    .map_err(|e| IndexError::Io(self.dir.clone(), e))?
                    .map(|ord| (langs, ord)),
                _ => None,
            };
            let docs: Vec<u32> = segment
                .doc_ids_alive()
                .filter(|&doc| {
                    same_language
                        .as_ref()
                        .is_none_or(|(langs, ord)| langs.ords().first(doc) != Some(*ord))
                })
                .collect();
            let found: Vec<(f32, DocAddress)> = docs
                .par_iter()
                .with_min_len(256)
                // Each document's codes are decoded into a buffer of the thread's own: a
                // copy of the whole column (25 MB at 100k documents) cost more in fresh
                // pages and their release than the comparisons.
                .map_init(
                    || (vec![0u32; queries.len()], Vec::new()),
                    |(closest, own), &doc| {
                        let rows = column.index.value_row_ids(doc);
                        if rows.is_empty() {
                            return None;
                        }
                        own.resize((rows.end - rows.start) as usize, 0u64);
                        column.values.get_range(u64::from(rows.start), own);
                        closest_codes(&queries, own, closest);
                        let (score, top) =
                            aggregate(WINDOW_FLOOR, closest.iter().map(|&d| cosine_of(d)));
                        let address = DocAddress::new(ord as u32, doc);
                        (top >= options.min_cosine - COARSE_SLACK && !excluded.contains(&address))
                            .then_some((score, address))
                    },
                )
                .flatten()
                .collect();
            coarse.extend(found);
        }
        coarse.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        // Exact: the best few re-scored on their stored vectors (window means, exact cosines).
        let rerank = options
            .limit
            .saturating_mul(RERANK_FACTOR)
            .max(RERANK_LEAST);
        let mut out = Vec::new();
        let mut considered = 0;
        for (_, address) in coarse {
            if considered >= rerank {
                break;
            }
            let segment = searcher.segment_reader(address.segment_ord);
            let lang = fast_str(segment, "xlang", address.doc_id)?;
            if lang.is_some() && lang == target.lang {
                continue;
            }
            considered += 1;
            let Some(stored) = self.embeddings_at(&searcher, address)? else {
                continue;
            };
            if stored.dim != target.dim {
                continue;
            }
            let own = window_means(&stored, CHUNK_STRIDE);
            let (_, top) = aggregate(
                WINDOW_FLOOR,
                query_means
                    .iter()
                    .map(|q| own.iter().map(|w| dot(q, w)).fold(-1.0f32, f32::max)),
            );
            if top < options.min_cosine {
                continue;
            }
            // Ranked by sentences: a translation pairs sentence by sentence, a story on the
            // same subject only window by window.
            let (score, _) = aggregate(
                SENTENCE_FLOOR,
                query_rows.iter().map(|&i| {
                    (0..stored.sentences())
                        .map(|j| dot(target.row(i), stored.row(j)))
                        .fold(-1.0f32, f32::max)
                }),
            );
            out.push(Candidate {
                id: fast_str(segment, "id", address.doc_id)?.unwrap_or_default(),
                date: fast_str(segment, "date", address.doc_id)?,
                score: 0.0,
                shared: 0,
                bm25: 0.0,
                cosine: top,
                xling: score,
                channel: Channel::CrossLingual,
                address,
            });
        }
        out.sort_by(|x, y| {
            y.xling
                .total_cmp(&x.xling)
                .then_with(|| date_order(&x.date, &y.date))
                .then_with(|| x.id.cmp(&y.id))
        });
        out.truncate(options.limit);
        Ok(out)
    }

    /// The stored sentence embeddings of each candidate (`None`: added without the model).
    pub fn embeddings(
        &self,
        candidates: &[Candidate],
    ) -> Result<Vec<Option<SentenceEmbeddings>>, IndexError> {
        let searcher = self.searcher();
        candidates
            .iter()
            .map(|c| self.embeddings_at(&searcher, c.address))
            .collect()
    }

    fn embeddings_at(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<Option<SentenceEmbeddings>, IndexError> {
        let Some(x) = self.fields.xling else {
            return Ok(None);
        };
        let stored: TantivyDocument = searcher.doc(address).map_err(|e| self.err(e))?;
        use tantivy::schema::Value;
        let Some(bytes) = stored.get_first(x.emb).and_then(|v| v.as_bytes()) else {
            return Ok(None);
        };
        let (dim, vectors) = dequantize(bytes).ok_or_else(|| {
            IndexError::Corrupt(self.dir.clone(), "unreadable stored embeddings".into())
        })?;
        let lang = stored
            .get_first(x.lang)
            .and_then(|v| v.as_str())
            .map(str::to_string);
        Ok(Some(SentenceEmbeddings { lang, dim, vectors }))
    }

    /// Ids of the live documents without stored embeddings, in id order.
    pub fn unembedded(&self) -> Result<Vec<String>, IndexError> {
        if self.fields.xling.is_none() {
            return Ok(Vec::new());
        }
        let searcher = self.searcher();
        let mut ids = Vec::new();
        for segment in searcher.segment_readers() {
            let sentences = segment
                .fast_fields()
                .u64("xsent")
                .map_err(|e| self.err(e))?;
            for doc in segment.doc_ids_alive() {
                if sentences.first(doc).is_none() {
                    ids.push(fast_str(segment, "id", doc)?.unwrap_or_default());
                }
            }
        }
        ids.sort_unstable();
        Ok(ids)
    }

    /// Live documents with stored embeddings.
    pub fn embedded(&self) -> Result<u64, IndexError> {
        self.embedded_count(&self.searcher())
    }

    /// Whether any live document has stored embeddings: [`Index::embedded`] stopped at the
    /// first one, which is what every trace asks (counting visits every document).
    pub fn has_embeddings(&self) -> Result<bool, IndexError> {
        Ok(self.count_embedded(&self.searcher(), 1)? > 0)
    }

    pub(crate) fn embedded_count(&self, searcher: &Searcher) -> Result<u64, IndexError> {
        self.count_embedded(searcher, u64::MAX)
    }

    /// Live documents with stored embeddings, counted up to `at_most`.
    fn count_embedded(&self, searcher: &Searcher, at_most: u64) -> Result<u64, IndexError> {
        if self.fields.xling.is_none() {
            return Ok(0);
        }
        let mut count = 0;
        for segment in searcher.segment_readers() {
            let sentences = segment
                .fast_fields()
                .u64("xsent")
                .map_err(|e| self.err(e))?;
            count += segment
                .doc_ids_alive()
                .filter(|&d| sentences.first(d).is_some())
                .take((at_most - count) as usize)
                .count() as u64;
            if count >= at_most {
                break;
            }
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests;

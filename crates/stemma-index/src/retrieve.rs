//! The second candidate channel, BM25 over the target's chunks, and the merge of both
//! channels.
//!
//! Fingerprints miss two kinds of source. A short standard text embedded in many longer
//! documents (a BSD licence inside dozens of licences, a wire story inside every reprint) has
//! only common fingerprints: the document-frequency cap drops them, or every embedding
//! document shares them as well and outranks the original. A reworded copy (a modern revision,
//! a re-typed plan) keeps few exact n-grams, so it shares too few fingerprints to rank.
//!
//! The BM25 channel cuts the target into chunks of whole sentences (about
//! [`CHUNK_CONTENT_WORDS`] content words each), asks the index's BM25 for each chunk's best
//! [`HITS_PER_CHUNK`] documents (more for a short target: [`MIN_HITS_PER_TARGET`] over all its
//! chunks) by the chunk's content words (leaving out words found in
//! over 5 % of the documents while 8 rarer ones remain), and scales each hit by what a
//! document holding each of the chunk's words once, at average length, would score (the sum
//! of their idf): a hit below [`MIN_CHUNK_MATCH`] of that shares words with the chunk by
//! chance and is dropped. A document's score is the sum of its scaled hits over the chunks
//! (a source that a long stretch of the target reworded matches many chunks), times a
//! length-aware factor `1 + contained`, where `contained` is the share of the document's own
//! indexed words that occur in the target: 1 for a short source the target holds whole, near
//! 0 for a long document that merely embeds it. (BM25's length normalisation already prefers
//! the short document for the same matched words; the factor makes the preference decisive.)

//! [`Index::retrieve`] merges the channels: the fingerprint channel's best
//! [`CandidateOptions::limit`] first, in its order, then, in the BM25 channel's order, up to
//! [`CandidateOptions::bm25_limit`] documents that are not already in (the BM25 channel's
//! best are often the origin and the copies the fingerprints found; its limit counts what
//! it adds). At most `limit + bm25_limit` candidates (30 + 15 by default) are aligned.
//!
//! [`Index::retrieve_with_reserve`] also gives the fingerprint channel's next documents after
//! its limit (the reserve): inside a dense family of near-identical texts the cut at 30
//! falls among siblings a few rare fingerprints tell apart, and the closest text by its
//! words can be just past it. Trace looks through the reserve for texts closer than every
//! candidate (stemma-trace's `closer` module); the index only ranks.

use foldhash::HashMap;
use rayon::prelude::*;
use serde::Serialize;
use stemma_text::Analysis;
use tantivy::collector::TopDocs;
use tantivy::postings::Postings;
use tantivy::query::BooleanQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, Term};

use crate::error::IndexError;
use crate::query::{date_order, fast_str};
use crate::{Candidate, CandidateOptions, Index};

/// Content words (not stopwords) a chunk gathers, in whole sentences, before it is queried.
pub const CHUNK_CONTENT_WORDS: usize = 24;
/// Most chunks queried per target: a longer target gets longer chunks.
pub const MAX_CHUNKS: usize = 64;
/// Documents kept from each chunk's BM25 query.
pub const HITS_PER_CHUNK: usize = 10;
/// Documents kept from the chunk queries of a short target together, at least: a target of
/// one or two chunks keeps more hits per chunk. Within a family of near-identical documents
/// (18 GFDL texts in the SPDX list, each as long as the others) a short original the target
/// holds whole can rank below the top 10 of its chunk's BM25; the length-aware factor, which
/// ranks it first, is applied only to the hits kept.
pub const MIN_HITS_PER_TARGET: usize = 60;
/// A chunk's hit counts when it scores at least this share of what a document holding each
/// of the chunk's words once (at average length) would: the words a chunk of unrelated text
/// shares with some document by chance do not propose it.
pub const MIN_CHUNK_MATCH: f32 = 0.2;
/// Words in more than this share of the documents (at least 200 documents) are left out of a
/// chunk's query, unless it would keep fewer than [`MIN_QUERY_TERMS`]: at 100,000 documents
/// they made the channel 3x slower (bench/index.sh) for little recall.
const COMMON_WORD_SHARE: f64 = 0.05;
/// Fewest words a chunk's query keeps, however common.
const MIN_QUERY_TERMS: usize = 8;
/// Most distinct words in one chunk's query.
const MAX_QUERY_TERMS: usize = 96;

/// Which channel proposed a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Shared winnowed fingerprints only.
    Fingerprints,
    /// BM25 over the target's chunks only.
    Bm25,
    /// Both channels.
    Both,
    /// The cross-lingual channel ([`Index::cross_lingual`]) only.
    #[serde(rename = "cross_lingual")]
    CrossLingual,
}

/// The candidates of [`Index::retrieve_with_reserve`], and the reserve it was asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrieved {
    /// The candidates, as [`Index::retrieve`] gives them.
    pub candidates: Vec<Candidate>,
    /// The fingerprint channel's next documents after its limit (sharing at least
    /// `min_shared` fingerprints), best first, none of them among `candidates`.
    pub reserve: Vec<Candidate>,
}

impl Index {
    /// The candidate sources of a target from both channels, merged: the fingerprint
    /// channel's best `options.limit` ([`Index::candidates`] on every n-gram of the target),
    /// then the BM25 channel's best `options.bm25_limit` ([`Index::similar`]) not already
    /// among them. Either limit may be 0 to turn its channel off.
    ///
    /// ```
    /// use stemma_index::{Channel, CandidateOptions, Index};
    /// use stemma_text::Document;
    /// let dir = tempfile::tempdir().unwrap();
    /// let index = Index::create(dir.path()).unwrap();
    /// let mut w = index.writer().unwrap();
    /// w.add(&Document::new("kjv", "And God said, Let the waters bring forth abundantly the \
    ///     moving creature that hath life, and fowl that may fly above the earth in the open \
    ///     firmament of heaven.")).unwrap();
    /// w.add(&Document::new("news", "Oil prices rose on Monday as traders weighed supply.")).unwrap();
    /// w.commit().unwrap();
    /// let target = "God said, \"Let the waters abound with living creatures, and let birds fly \
    ///     above the earth in the open expanse of the sky.\"";
    /// let found = index.retrieve(target, &stemma_text::analyze(target), &CandidateOptions::default()).unwrap();
    /// assert_eq!(found[0].id, "kjv");
    /// assert_eq!(found[0].channel, Channel::Bm25); // too few shared n-grams for fingerprints
    /// ```
    pub fn retrieve(
        &self,
        text: &str,
        analysis: &Analysis,
        options: &CandidateOptions,
    ) -> Result<Vec<Candidate>, IndexError> {
        Ok(self
            .retrieve_with_reserve(text, analysis, options, 0)?
            .candidates)
    }

    /// [`Index::retrieve`], and the fingerprint channel's next `reserve` documents after its
    /// `options.limit` that the BM25 channel did not add: what the cut dropped, for a caller
    /// that looks through them for a closer text (trace adds those closer to the target by
    /// their words than every candidate). The fingerprint lookup is done once for both.
    ///
    /// ```
    /// use stemma_index::{CandidateOptions, Index};
    /// use stemma_text::Document;
    /// let dir = tempfile::tempdir().unwrap();
    /// let index = Index::create(dir.path()).unwrap();
    /// let mut w = index.writer().unwrap();
    /// let clause = "Redistributions of source code must retain the above copyright notice, \
    ///     this list of conditions and the following disclaimer. Redistributions in binary \
    ///     form must reproduce the above copyright notice, this list of conditions and the \
    ///     following disclaimer in the documentation and/or other materials provided with \
    ///     the distribution.";
    /// w.add(&Document::new("a", &format!("{clause} Alpha's own words here."))).unwrap();
    /// w.add(&Document::new("b", &format!("{clause} Beta's other words there."))).unwrap();
    /// w.commit().unwrap();
    /// let options = CandidateOptions { limit: 1, bm25_limit: 0, ..Default::default() };
    /// let found = index.retrieve_with_reserve(clause, &stemma_text::analyze(clause), &options, 5).unwrap();
    /// assert_eq!(found.candidates.len(), 1);
    /// assert_eq!(found.reserve.len(), 1);
    /// assert_ne!(found.candidates[0].id, found.reserve[0].id);
    /// ```
    pub fn retrieve_with_reserve(
        &self,
        text: &str,
        analysis: &Analysis,
        options: &CandidateOptions,
        reserve: usize,
    ) -> Result<Retrieved, IndexError> {
        let (mut merged, mut next) = if options.limit > 0 {
            self.candidates_and_reserve(&self.query_fingerprints(analysis), options, reserve)?
        } else {
            (Vec::new(), Vec::new())
        };
        if options.bm25_limit == 0 {
            return Ok(Retrieved {
                candidates: merged,
                reserve: next,
            });
        }
        let mut added = 0;
        for hit in self.ranked_by_bm25(text, analysis, options)? {
            match merged.iter_mut().find(|c| c.address == hit.address) {
                Some(known) => {
                    known.channel = Channel::Both;
                    known.bm25 = hit.bm25;
                }
                None if added < options.bm25_limit => {
                    merged.push(hit);
                    added += 1;
                }
                None => {}
            }
        }
        next.retain(|r| !merged.iter().any(|c| c.address == r.address));
        Ok(Retrieved {
            candidates: merged,
            reserve: next,
        })
    }

    /// The BM25 channel alone: the `options.bm25_limit` documents whose words best match the
    /// target's chunks, length-aware (see the module docs), best first (ties: earliest date,
    /// then id). `options.exclude` applies; the fingerprint options do not.
    pub fn similar(
        &self,
        text: &str,
        analysis: &Analysis,
        options: &CandidateOptions,
    ) -> Result<Vec<Candidate>, IndexError> {
        let mut ranked = self.ranked_by_bm25(text, analysis, options)?;
        ranked.truncate(options.bm25_limit);
        Ok(ranked)
    }

    /// Every document the BM25 channel proposes, best first.
    fn ranked_by_bm25(
        &self,
        text: &str,
        analysis: &Analysis,
        options: &CandidateOptions,
    ) -> Result<Vec<Candidate>, IndexError> {
        if options.bm25_limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.searcher();
        let mut excluded = Vec::new();
        for id in &options.exclude {
            if let Some(address) = self.find(&searcher, id)? {
                excluded.push(address);
            }
        }
        let chunks: Vec<Vec<Term>> = chunks(text, analysis)
            .into_iter()
            .map(|range| self.query_terms(&text[range]))
            .filter(|terms| !terms.is_empty())
            .collect();
        let total = searcher.num_docs().max(1);
        let common = common_words(total);
        let hits_per_chunk = HITS_PER_CHUNK.max(MIN_HITS_PER_TARGET / chunks.len().max(1));
        let per_chunk: Vec<Vec<(f32, DocAddress)>> = chunks
            .into_par_iter()
            .map(|terms| {
                let mut rated = Vec::with_capacity(terms.len());
                for term in terms {
                    let df = searcher.doc_freq(&term).map_err(|e| self.err(e))?;
                    if df > 0 {
                        rated.push((df, term));
                    }
                }
                // Rarest first (ties: the term's bytes, for determinism). Common words cost
                // the most (long postings) and tell the least; a chunk of nothing else keeps
                // its rarest few.
                rated.sort_by(|a, b| {
                    a.0.cmp(&b.0)
                        .then_with(|| a.1.serialized_term().cmp(b.1.serialized_term()))
                });
                let under = rated.iter().take_while(|r| r.0 <= common).count();
                rated.truncate(under.clamp(MIN_QUERY_TERMS, MAX_QUERY_TERMS));
                if rated.is_empty() {
                    return Ok(Vec::new());
                }
                // What a document holding each of the queried words once, at average length,
                // scores: the scale of this chunk's hits.
                let most: f32 = rated.iter().map(|r| idf(r.0, total)).sum();
                let terms: Vec<Term> = rated.into_iter().map(|r| r.1).collect();
                let query = BooleanQuery::new_multiterms_query(terms);
                let hits = searcher
                    .search(
                        &query,
                        &TopDocs::with_limit(hits_per_chunk + excluded.len()),
                    )
                    .map_err(|e| self.err(e))?;
                Ok(hits
                    .into_iter()
                    .map(|(score, address)| (score / most.max(f32::MIN_POSITIVE), address))
                    .filter(|&(matched, _)| matched >= MIN_CHUNK_MATCH)
                    .collect())
            })
            .collect::<Result<_, IndexError>>()?;
        // Summed in chunk order, so the floats (and the ranking) do not depend on threads.
        let mut fused: HashMap<DocAddress, f32> = HashMap::default();
        for hits in &per_chunk {
            for &(matched, address) in hits {
                if !excluded.contains(&address) {
                    *fused.entry(address).or_insert(0.0) += matched;
                }
            }
        }
        let mut pool: Vec<(DocAddress, f32)> = fused.into_iter().collect();
        pool.sort_unstable_by_key(|p| p.0);
        let contained = self.contained(&searcher, &self.query_terms(text), &pool)?;
        let mut out = Vec::with_capacity(pool.len());
        for ((address, score), contained) in pool.into_iter().zip(contained) {
            let segment = searcher.segment_reader(address.segment_ord);
            out.push(Candidate {
                id: fast_str(segment, "id", address.doc_id)?.unwrap_or_default(),
                date: fast_str(segment, "date", address.doc_id)?,
                score: 0.0,
                shared: 0,
                bm25: score * (1.0 + contained),
                cosine: 0.0,
                xling: 0.0,
                channel: Channel::Bm25,
                address,
            });
        }
        out.sort_by(|x, y| {
            y.bm25
                .total_cmp(&x.bm25)
                .then_with(|| date_order(&x.date, &y.date))
                .then_with(|| x.id.cmp(&y.id))
        });
        Ok(out)
    }

    /// The distinct words of `text` as the `text` field indexes them (lower case, no
    /// stopwords), in order of first occurrence.
    fn query_terms(&self, text: &str) -> Vec<Term> {
        let Ok(mut analyzer) = self.index.tokenizer_for_field(self.fields.text) else {
            return Vec::new();
        };
        let mut seen = foldhash::HashSet::default();
        let mut terms = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let word = &stream.token().text;
            if seen.insert(word.clone()) {
                terms.push(Term::from_field_text(self.fields.text, word));
            }
        }
        terms
    }

    /// For each document of `pool` (sorted by address): the share of its indexed words whose
    /// word is one of `terms` (the target's words), at most 1.
    fn contained(
        &self,
        searcher: &Searcher,
        terms: &[Term],
        pool: &[(DocAddress, f32)],
    ) -> Result<Vec<f32>, IndexError> {
        let mut matched = vec![0u32; pool.len()];
        let mut start = 0;
        while start < pool.len() {
            let ord = pool[start].0.segment_ord;
            let end = start + pool[start..].partition_point(|p| p.0.segment_ord == ord);
            let segment = searcher.segment_reader(ord);
            let inverted = segment
                .inverted_index(self.fields.text)
                .map_err(|e| self.err(e))?;
            for term in terms {
                let postings = inverted
                    .read_postings(term, IndexRecordOption::WithFreqs)
                    .map_err(|e| crate::error::io_error(&self.dir, e))?;
                let Some(mut postings) = postings else {
                    continue;
                };
                for (slot, (address, _)) in matched[start..end].iter_mut().zip(&pool[start..end]) {
                    if postings.doc() > address.doc_id {
                        continue;
                    }
                    if postings.seek(address.doc_id) == address.doc_id {
                        *slot += postings.term_freq();
                    }
                }
            }
            start = end;
        }
        let mut out = Vec::with_capacity(pool.len());
        for (address, _) in pool {
            let norms = searcher
                .segment_reader(address.segment_ord)
                .get_fieldnorms_reader(self.fields.text)
                .map_err(|e| self.err(e))?;
            let words = norms.fieldnorm(address.doc_id).max(1);
            let i = out.len();
            out.push((matched[i] as f32 / words as f32).min(1.0));
        }
        Ok(out)
    }
}

/// The target cut into chunks of whole sentences holding at least [`CHUNK_CONTENT_WORDS`]
/// content words (more when the target would give over [`MAX_CHUNKS`]), as byte ranges.
/// A last chunk shorter than half the size joins the one before it.
fn chunks(text: &str, analysis: &Analysis) -> Vec<std::ops::Range<usize>> {
    let content = analysis.tokens.iter().filter(|t| !t.stop).count();
    let size = CHUNK_CONTENT_WORDS.max(content.div_ceil(MAX_CHUNKS));
    let mut out: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
    let mut current: Option<(std::ops::Range<usize>, usize)> = None;
    for sentence in &analysis.sentences {
        let tokens = &analysis.tokens[sentence.first as usize..sentence.end as usize];
        let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
            continue;
        };
        let words = tokens.iter().filter(|t| !t.stop).count();
        let range = first.start as usize..last.end as usize;
        let chunk = current.get_or_insert((range.start..range.start, 0));
        chunk.0.end = range.end;
        chunk.1 += words;
        if chunk.1 >= size {
            out.extend(current.take());
        }
    }
    if let Some(rest) = current {
        match out.last_mut() {
            Some(last) if rest.1 < size / 2 => {
                last.0.end = rest.0.end;
                last.1 += rest.1;
            }
            _ => out.push(rest),
        }
    }
    debug_assert!(out.iter().all(|c| c.0.end <= text.len()));
    out.into_iter().map(|c| c.0).collect()
}

/// BM25's inverse document frequency (as tantivy computes it).
fn idf(doc_freq: u64, docs: u64) -> f32 {
    let (n, df) = (docs as f32, doc_freq as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// The document frequency above which a word is common in a corpus of `docs`.
fn common_words(docs: u64) -> u64 {
    ((docs as f64 * COMMON_WORD_SHARE) as u64).max(200)
}

//! Reading the index: candidates by fingerprints, documents by id, BM25 search, listing and
//! statistics. Every read uses the view of the last [`Index::reload`].

use std::cmp::Ordering;

use serde::Serialize;
use stemma_text::Document;
use tantivy::collector::TopDocs;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, DocSet, Searcher, SegmentReader, TantivyDocument, Term, TERMINATED};

use crate::error::IndexError;
use crate::retrieve::Channel;
use crate::Index;

/// How [`Index::candidates`] picks documents.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateOptions {
    /// How many candidates the fingerprint channel gives at most ([`Index::candidates`]).
    pub limit: usize,
    /// How many more candidates the BM25 channel adds at most ([`Index::similar`],
    /// [`Index::retrieve`]); 0 turns it off.
    pub bm25_limit: usize,
    /// Fingerprints found in more documents than this are boilerplate and ignored.
    /// `None`: 1% of the corpus, but at least 1,000. The cap keeps the lookup fast on large
    /// corpora; under 100,000 documents reading a fingerprint's 1,000 documents costs
    /// little, and a lower cap drops the fingerprints of a text found in many documents, so
    /// that the text itself is not found (the BSD licence's sentences are in 180–330 of
    /// ScanCode's 2,594 licences).
    pub max_doc_freq: Option<u64>,
    /// Fewest shared fingerprints for a document to rank. Documents sharing fewer (but at
    /// least one) only fill the places the others leave under `limit`: a copy with 10–30 % of
    /// its words edited can keep a single fingerprint of its source (at 100,000 documents,
    /// 2 of 173 such planted sources had no other candidate channel; bench/index.sh).
    pub min_shared: u32,
    /// Ids never returned (the target itself, when it is in the index).
    pub exclude: Vec<String>,
    /// Weight of a shared fingerprint for the documents that are not its earliest witness
    /// (the earliest dated documents holding it weigh 1). Later copies of a passage then rank
    /// below its origin, which is what a trace attributes the passage to; with no dates every
    /// document is earliest and this has no effect.
    pub later_weight: f32,
}

impl Default for CandidateOptions {
    fn default() -> Self {
        CandidateOptions {
            // Alignment is cheap next to missing a source: at 100,000 documents the 30 best
            // hold 99.5% of planted sources where the 10 best hold 97.6% (bench/index.sh).
            limit: 30,
            // Reworded copies and short common originals are few next to the sources
            // fingerprints find: half as many again covers them (bench/index.sh).
            bm25_limit: 15,
            max_doc_freq: None,
            min_shared: 2,
            exclude: Vec::new(),
            later_weight: 0.25,
        }
    }
}

impl CandidateOptions {
    /// The document-frequency cap for a corpus of `documents`.
    ///
    /// ```
    /// let o = stemma_index::CandidateOptions::default();
    /// assert_eq!(o.cap(1_000), 1_000);
    /// assert_eq!(o.cap(200_000), 2_000);
    /// assert_eq!(o.cap(100_000), 1_000);
    /// ```
    pub fn cap(&self, documents: u64) -> u64 {
        self.max_doc_freq.unwrap_or((documents / 100).max(1000))
    }
}

/// A document sharing fingerprints with a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// Its id.
    pub id: String,
    /// Its date, as stored.
    pub date: Option<String>,
    /// Sum of `ln(1 + N / df)` over the shared fingerprints (× `later_weight` for those an
    /// earlier dated document also holds), × (1 + the share of the document's own
    /// fingerprints the target shares): a short source the target holds whole ranks above
    /// the long documents that embed it. 0 when only BM25 found it.
    pub score: f32,
    /// Shared fingerprints (below the boilerplate cap).
    pub shared: u32,
    /// The BM25 channel's length-aware score (0 when only fingerprints found it): its BM25
    /// hits summed over the target's chunks, each scaled to its chunk (1 ≈ every word of the
    /// chunk matched once), × (1 + share of the document's words the target holds).
    pub bm25: f32,
    /// The cross-lingual channel's estimate of the best cosine between a window of the
    /// target's sentences and one of its own (0 when that channel did not find it).
    pub cosine: f32,
    /// The cross-lingual channel's score, by which it ranks: over the target's windows of
    /// sentences, `Σ max(0, best cosine with one of its windows − 0.3)` (0 when that channel
    /// did not find it).
    pub xling: f32,
    /// Which channel found it.
    pub channel: Channel,
    #[serde(skip)]
    pub(crate) address: DocAddress,
}

/// The share of a document's stored fingerprints that a target shares with it, at most 1:
/// near 1 for a short source the target holds whole, near 0 for a long document that merely
/// embeds the same text (0 when the count is unknown).
///
/// The fingerprint channel multiplies a document's score by `1 + contained`: among the
/// dozens of licences that embed the BSD clauses, each sharing the target's BSD fingerprints
/// and a few more of its own, the short BSD text itself then ranks first.
fn contained(shared: u32, stored: Option<u64>) -> f32 {
    match stored {
        Some(stored) if stored > 0 => (shared as f32 / stored as f32).min(1.0),
        _ => 0.0,
    }
}

/// A document's metadata, without its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocInfo {
    /// Id.
    pub id: String,
    /// Title, when known.
    pub title: Option<String>,
    /// Source (outlet, series).
    pub source: Option<String>,
    /// Date as given.
    pub date: Option<String>,
    /// Text length in bytes.
    pub bytes: u64,
    /// Words.
    pub words: u64,
    /// Fingerprints stored.
    pub fingerprints: u64,
}

/// A BM25 search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// Document id.
    pub id: String,
    /// Title, when known.
    pub title: Option<String>,
    /// BM25 score.
    pub score: f32,
    /// A short excerpt around the matched words.
    pub snippet: String,
    /// Byte ranges of the matched words inside `snippet`.
    pub highlights: Vec<(usize, usize)>,
}

/// Size and shape of the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Live documents.
    pub documents: u64,
    /// Deleted or replaced documents still taking space until segments merge.
    pub deleted: u64,
    /// Segments.
    pub segments: usize,
    /// Bytes of text of the live documents.
    pub text_bytes: u64,
    /// Words of the live documents.
    pub words: u64,
    /// Fingerprints stored for the live documents.
    pub fingerprints: u64,
    /// Bytes on disk of the whole folder.
    pub disk_bytes: u64,
    /// Live documents with stored sentence embeddings (cross-lingual candidates).
    pub embedded: u64,
}

impl Index {
    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    pub(crate) fn err(&self, e: tantivy::TantivyError) -> IndexError {
        IndexError::from_tantivy(&self.dir, e)
    }

    /// The live document with this id.
    pub(crate) fn find(
        &self,
        searcher: &Searcher,
        id: &str,
    ) -> Result<Option<DocAddress>, IndexError> {
        let term = Term::from_field_text(self.fields.id, id);
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let inverted = segment
                .inverted_index(self.fields.id)
                .map_err(|e| self.err(e))?;
            let postings = inverted
                .read_postings(&term, IndexRecordOption::Basic)
                .map_err(|e| crate::error::io_error(&self.dir, e))?;
            if let Some(mut postings) = postings {
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if !segment.is_deleted(doc) {
                        return Ok(Some(DocAddress::new(ord as u32, doc)));
                    }
                    doc = postings.advance();
                }
            }
        }
        Ok(None)
    }

    /// The stored content hash of a live document.
    pub(crate) fn stored_hash(&self, id: &str) -> Result<Option<u64>, IndexError> {
        let searcher = self.searcher();
        let Some(address) = self.find(&searcher, id)? else {
            return Ok(None);
        };
        let segment = searcher.segment_reader(address.segment_ord);
        let column = segment.fast_fields().u64("hash").map_err(|e| self.err(e))?;
        Ok(column.first(address.doc_id))
    }

    /// Whether a live document has this id.
    pub fn contains(&self, id: &str) -> Result<bool, IndexError> {
        Ok(self.find(&self.searcher(), id)?.is_some())
    }

    /// The stored document with this id: text and metadata exactly as added.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let index = stemma_index::Index::create(dir.path()).unwrap();
    /// let mut doc = stemma_text::Document::new("r-1", "Oil prices rose on Monday.");
    /// doc.date = Some("1987-03-02".into());
    /// let mut w = index.writer().unwrap();
    /// w.add(&doc).unwrap();
    /// w.commit().unwrap();
    /// assert_eq!(index.get("r-1").unwrap(), Some(doc));
    /// assert_eq!(index.get("r-2").unwrap(), None);
    /// ```
    pub fn get(&self, id: &str) -> Result<Option<Document>, IndexError> {
        let searcher = self.searcher();
        match self.find(&searcher, id)? {
            Some(address) => self.load(&searcher, address).map(Some),
            None => Ok(None),
        }
    }

    /// Documents for candidates, in the candidates' order.
    pub fn documents(&self, candidates: &[Candidate]) -> Result<Vec<Document>, IndexError> {
        let searcher = self.searcher();
        candidates
            .iter()
            .map(|c| self.load(&searcher, c.address))
            .collect()
    }

    fn load(&self, searcher: &Searcher, address: DocAddress) -> Result<Document, IndexError> {
        let stored: TantivyDocument = searcher.doc(address).map_err(|e| self.err(e))?;
        let f = &self.fields;
        let text_of = |field| {
            stored
                .get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let mut doc = Document::new(
            text_of(f.id).unwrap_or_default(),
            text_of(f.text).unwrap_or_default(),
        );
        doc.title = text_of(f.title);
        doc.source = text_of(f.source);
        doc.date = text_of(f.date);
        doc.lang = text_of(f.lang);
        doc.encoding = text_of(f.encoding).unwrap_or_else(|| "UTF-8".to_string());
        doc.replaced = stored
            .get_first(f.replaced)
            .and_then(|v| v.as_u64())
            .unwrap_or(0) as usize;
        Ok(doc)
    }

    /// The documents sharing the most idf-weighted fingerprints with `fingerprints`, best
    /// first (ties: earliest date, then id). Fingerprints whose document frequency exceeds
    /// the cap (boilerplate: licence headers, datelines) are skipped; a fingerprint counts in
    /// full for its earliest dated witnesses and `later_weight` for the others, so that the
    /// origin of a passage outranks its many later copies. The sum is length-aware: times
    /// `1 +` the share of the document's own fingerprints that the target shares, so a short
    /// source the target holds whole outranks the long documents that embed it. Documents
    /// sharing fewer than `min_shared` fingerprints come after the others, only to fill the
    /// `limit`.
    pub fn candidates(
        &self,
        fingerprints: &[u64],
        options: &CandidateOptions,
    ) -> Result<Vec<Candidate>, IndexError> {
        Ok(self.candidates_and_reserve(fingerprints, options, 0)?.0)
    }

    /// [`Index::candidates`], and the `reserve` documents ranked next after its `limit` (in
    /// the same order), which a caller may look through for what the cut dropped.
    pub(crate) fn candidates_and_reserve(
        &self,
        fingerprints: &[u64],
        options: &CandidateOptions,
        reserve: usize,
    ) -> Result<(Vec<Candidate>, Vec<Candidate>), IndexError> {
        // Format 4 reads the fingerprint files and the searcher of one commit together.
        let view = self.fp_view();
        let searcher = view
            .as_ref()
            .map_or_else(|| self.searcher(), |v| v.searcher.clone());
        let segments = searcher.segment_readers();
        let total = searcher.num_docs().max(1);
        let cap = options.cap(total);
        let mut excluded = Vec::new();
        for id in &options.exclude {
            if let Some(address) = self.find(&searcher, id)? {
                excluded.push(address);
            }
        }
        // Where the postings come from: tantivy's `fp` field (format 3) or our files.
        let inverted = match &view {
            Some(_) => Vec::new(),
            None => segments
                .iter()
                .map(|s| s.inverted_index(self.fields.fp))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| self.err(e))?,
        };
        let live = match &view {
            Some(v) => v.live().map_err(|e| self.err(e))?,
            None => &[],
        };
        let mut lists: Vec<&[u8]> = Vec::new();
        let days = segments
            .iter()
            .map(|s| s.fast_fields().u64("day"))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        let mut witnesses: Vec<(u32, u32, u64)> = Vec::new();
        // Dense accumulators per segment, allocated when a segment is first hit.
        let mut scores: Vec<Vec<(f32, u32)>> = vec![Vec::new(); segments.len()];
        let mut sorted: Vec<u64> = fingerprints.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut infos = Vec::with_capacity(segments.len());
        for &fp in &sorted {
            witnesses.clear();
            let df = if let Some(view) = &view {
                // Every live document holding it counts; the count stops past the cap.
                view.store.lookup(&self.dir, fp as u32, &mut lists)?;
                let mut df = 0u64;
                'lists: for list in &lists {
                    for number in crate::fpstore::numbers(list) {
                        let at = live
                            .get(number as usize)
                            .copied()
                            .unwrap_or(crate::fpstore::NOT_LIVE);
                        if at == crate::fpstore::NOT_LIVE {
                            continue;
                        }
                        df += 1;
                        if df > cap {
                            break 'lists;
                        }
                        let address = DocAddress::new((at >> 32) as u32, at as u32);
                        if !excluded.contains(&address) {
                            let day = days[address.segment_ord as usize]
                                .first(address.doc_id)
                                .unwrap_or(u64::MAX);
                            witnesses.push((address.segment_ord, address.doc_id, day));
                        }
                    }
                }
                if df == 0 || df > cap {
                    continue;
                }
                df
            } else {
                let term = Term::from_field_u64(self.fields.fp, fp);
                infos.clear();
                let mut df = 0u64;
                for inv in &inverted {
                    let info = inv
                        .get_term_info(&term)
                        .map_err(|e| crate::error::io_error(&self.dir, e))?;
                    df += info.as_ref().map_or(0, |i| u64::from(i.doc_freq));
                    infos.push(info);
                }
                if df == 0 || df > cap {
                    continue;
                }
                for (ord, info) in infos.iter().enumerate() {
                    let Some(info) = info else { continue };
                    let mut postings = inverted[ord]
                        .read_postings_from_terminfo(info, IndexRecordOption::Basic)
                        .map_err(|e| crate::error::io_error(&self.dir, e))?;
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        // The excluded (the target itself) are no witnesses of their own words.
                        if !segments[ord].is_deleted(doc)
                            && !excluded.contains(&DocAddress::new(ord as u32, doc))
                        {
                            let day = days[ord].first(doc).unwrap_or(u64::MAX);
                            witnesses.push((ord as u32, doc, day));
                        }
                        doc = postings.advance();
                    }
                }
                df
            };
            let idf = (1.0 + total as f64 / df as f64).ln() as f32;
            let earliest = witnesses.iter().map(|w| w.2).min().unwrap_or(u64::MAX);
            for &(ord, doc, day) in &witnesses {
                let acc = &mut scores[ord as usize];
                if acc.is_empty() {
                    acc.resize(segments[ord as usize].max_doc() as usize, (0.0, 0));
                }
                let slot = &mut acc[doc as usize];
                slot.0 += if day == earliest {
                    idf
                } else {
                    idf * options.later_weight
                };
                slot.1 += 1;
            }
        }
        // Documents sharing `min_shared` fingerprints rank; those sharing fewer (one) fill
        // the places left under the limit, best first.
        let mut hits: Vec<(f32, u32, DocAddress)> = Vec::new();
        let mut fill: Vec<(f32, u32, DocAddress)> = Vec::new();
        for (ord, acc) in scores.iter().enumerate() {
            let segment = &segments[ord];
            if acc.is_empty() {
                continue;
            }
            let stored = segment.fast_fields().u64("fps").map_err(|e| self.err(e))?;
            for (doc, &(score, shared)) in acc.iter().enumerate() {
                let address = DocAddress::new(ord as u32, doc as u32);
                if shared == 0 || segment.is_deleted(doc as u32) || excluded.contains(&address) {
                    continue;
                }
                let score = score * (1.0 + contained(shared, stored.first(doc as u32)));
                if shared >= options.min_shared.max(1) {
                    hits.push((score, shared, address));
                } else {
                    fill.push((score, shared, address));
                }
            }
        }
        // The best `limit + reserve` are the best `limit` (the order is total: score, date,
        // id), then the reserve.
        let mut out = self.best(&searcher, hits, options.limit + reserve)?;
        let next = out.split_off(out.len().min(options.limit));
        if out.len() < options.limit {
            let left = options.limit - out.len();
            out.extend(self.best(&searcher, fill, left)?);
        }
        Ok((out, next))
    }

    /// The `limit` best of `hits` (fingerprint score, shared fingerprints, address) as
    /// candidates, best first (ties: earliest date, then id).
    fn best(
        &self,
        searcher: &Searcher,
        mut hits: Vec<(f32, u32, DocAddress)>,
        limit: usize,
    ) -> Result<Vec<Candidate>, IndexError> {
        hits.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.2.cmp(&y.2)));
        // Keep everything tied with the last kept score, then break ties by date and id.
        if hits.len() > limit && limit > 0 {
            let last = hits[limit - 1].0;
            let keep = hits.iter().take_while(|h| h.0 >= last).count();
            hits.truncate(keep);
        } else if limit == 0 {
            hits.clear();
        }
        let mut out = Vec::with_capacity(hits.len());
        for (score, shared, address) in hits {
            let segment = searcher.segment_reader(address.segment_ord);
            out.push(Candidate {
                id: fast_str(segment, "id", address.doc_id)?.unwrap_or_default(),
                date: fast_str(segment, "date", address.doc_id)?,
                score,
                shared,
                bm25: 0.0,
                cosine: 0.0,
                xling: 0.0,
                channel: Channel::Fingerprints,
                address,
            });
        }
        out.sort_by(|x, y| {
            y.score
                .total_cmp(&x.score)
                .then_with(|| date_order(&x.date, &y.date))
                .then_with(|| x.id.cmp(&y.id))
        });
        out.truncate(limit);
        Ok(out)
    }

    /// BM25 search over titles and texts (tantivy's query syntax: words, "phrases", AND, OR,
    /// -exclusions; syntax errors are forgiven), best first.
    ///
    /// A query with nothing to look for is refused with [`IndexError::Search`] ("the query
    /// has no searchable words"), never answered with every document: only stopwords (which
    /// the index leaves out), only quotes, operators or a field name (`"""`, `AND`, `title:`),
    /// or only exclusions (`-oil`). So is a `limit` of 0, a query over [`MAX_QUERY_BYTES`],
    /// and parentheses nested deeper than [`MAX_QUERY_NESTING`].
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let index = stemma_index::Index::create(dir.path()).unwrap();
    /// let err = index.search("\"\"\"", 10).unwrap_err();
    /// assert!(err.to_string().starts_with("the query has no searchable words"), "{err}");
    /// ```
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, IndexError> {
        if limit == 0 {
            return Err(IndexError::Search("the limit must be at least 1".into()));
        }
        let query = self.parse_search(query)?;
        let searcher = self.searcher();
        // Documents with the same text get the same score, and tantivy breaks such ties by
        // internal address, which changes from one build of an index to the next. Fetch until
        // the documents tied with the last kept one are all in, then break ties by id.
        let mut fetch = limit.saturating_add(limit / 2 + 8);
        let mut top = loop {
            let top = searcher
                .search(&query, &TopDocs::with_limit(fetch))
                .map_err(|e| self.err(e))?;
            let boundary_tied =
                top.len() == fetch && top.len() > limit && top[fetch - 1].0 >= top[limit - 1].0;
            if !boundary_tied || fetch >= MAX_TIED_FETCH {
                break top;
            }
            fetch = fetch.saturating_mul(2).min(MAX_TIED_FETCH);
        };
        let mut docs = Vec::with_capacity(top.len());
        for (score, address) in top.drain(..) {
            docs.push((score, self.load(&searcher, address)?));
        }
        docs.sort_by(|(sx, x), (sy, y)| sy.total_cmp(sx).then_with(|| x.id.cmp(&y.id)));
        docs.truncate(limit);
        let mut snippets = SnippetGenerator::create(&searcher, &*query, self.fields.text)
            .map_err(|e| self.err(e))?;
        snippets.set_max_num_chars(160);
        let mut hits = Vec::with_capacity(docs.len());
        for (score, doc) in docs {
            let snippet = snippets.snippet(&doc.text);
            hits.push(SearchHit {
                id: doc.id,
                title: doc.title,
                score,
                snippet: snippet.fragment().to_string(),
                highlights: snippet
                    .highlighted()
                    .iter()
                    .map(|r| (r.start, r.end))
                    .collect(),
            });
        }
        Ok(hits)
    }

    /// The query a search runs, or why there is none.
    fn parse_search(&self, query: &str) -> Result<Box<dyn Query>, IndexError> {
        let unsearchable =
            |why: &str| IndexError::Search(format!("the query has no searchable words: {why}"));
        if query.len() > MAX_QUERY_BYTES {
            return Err(IndexError::Search(format!(
                "the query is {} bytes long, over the limit of {MAX_QUERY_BYTES}: search for a \
                 few distinctive words (to find where a whole text comes from, trace it)",
                query.len()
            )));
        }
        let depth = nesting(query);
        if depth > MAX_QUERY_NESTING {
            // tantivy's parser recurses once per level: thousands of "(" overflow the stack.
            return Err(IndexError::Search(format!(
                "the query nests parentheses {depth} deep, over the limit of {MAX_QUERY_NESTING}"
            )));
        }
        // Stopwords are not indexed; a query of nothing else would parse to "match all".
        if only_stopwords(query) {
            return Err(unsearchable(
                "only stopwords, which the index leaves out (search for the words around them)",
            ));
        }
        let parser = QueryParser::for_index(&self.index, vec![self.fields.title, self.fields.text]);
        let (parsed, _errors) = parser.parse_query_lenient(query);
        if !looks_for_words(&*parsed) {
            return Err(unsearchable(if has_exclusion(&*parsed) {
                "only excluded words (add a word to look for)"
            } else {
                "only quotes, operators or field names (try some words)"
            }));
        }
        Ok(parsed)
    }

    /// Every live document's metadata, sorted by id. Reads no text.
    pub fn list(&self) -> Result<Vec<DocInfo>, IndexError> {
        let searcher = self.searcher();
        let mut out = Vec::with_capacity(searcher.num_docs() as usize);
        for segment in searcher.segment_readers() {
            let ff = segment.fast_fields();
            let u = |name| ff.u64(name).map_err(|e| self.err(e));
            let (bytes, words, fps) = (u("bytes")?, u("words")?, u("fps")?);
            for doc in segment.doc_ids_alive() {
                out.push(DocInfo {
                    id: fast_str(segment, "id", doc)?.unwrap_or_default(),
                    title: fast_str(segment, "title", doc)?,
                    source: fast_str(segment, "source", doc)?,
                    date: fast_str(segment, "date", doc)?,
                    bytes: bytes.first(doc).unwrap_or(0),
                    words: words.first(doc).unwrap_or(0),
                    fingerprints: fps.first(doc).unwrap_or(0),
                });
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Counts and sizes.
    pub fn stats(&self) -> Result<Stats, IndexError> {
        let searcher = self.searcher();
        let mut stats = Stats {
            documents: searcher.num_docs(),
            deleted: 0,
            segments: searcher.segment_readers().len(),
            text_bytes: 0,
            words: 0,
            fingerprints: 0,
            disk_bytes: 0,
            embedded: 0,
        };
        for segment in searcher.segment_readers() {
            stats.deleted += u64::from(segment.num_deleted_docs());
            let ff = segment.fast_fields();
            let u = |name| ff.u64(name).map_err(|e| self.err(e));
            let (bytes, words, fps) = (u("bytes")?, u("words")?, u("fps")?);
            for doc in segment.doc_ids_alive() {
                stats.text_bytes += bytes.first(doc).unwrap_or(0);
                stats.words += words.first(doc).unwrap_or(0);
                stats.fingerprints += fps.first(doc).unwrap_or(0);
            }
        }
        stats.embedded = self.embedded_count(&searcher)?;
        let entries =
            std::fs::read_dir(&self.dir).map_err(|e| IndexError::Io(self.dir.clone(), e))?;
        stats.disk_bytes = entries
            .filter_map(Result::ok)
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum();
        Ok(stats)
    }
}

pub(crate) fn fast_str(
    segment: &SegmentReader,
    field: &str,
    doc: u32,
) -> Result<Option<String>, IndexError> {
    let column = segment
        .fast_fields()
        .str(field)
        .map_err(|e| IndexError::Other(Default::default(), e.to_string()))?;
    let Some(column) = column else {
        return Ok(None);
    };
    let Some(ord) = column.term_ords(doc).next() else {
        return Ok(None);
    };
    let mut out = String::new();
    column
        .ord_to_str(ord, &mut out)
        .map_err(|e| IndexError::Io(Default::default(), e))?;
    Ok(Some(out))
}

/// Earliest first; undated last.
pub(crate) fn date_order(a: &Option<String>, b: &Option<String>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Whether a search query has words and all of them are stopwords, which the index leaves
/// out ([`Index::search`] then finds nothing).
///
/// ```
/// assert!(stemma_index::only_stopwords("the of and"));
/// assert!(!stemma_index::only_stopwords("the art of war"));
/// assert!(!stemma_index::only_stopwords(""));
/// ```
pub fn only_stopwords(query: &str) -> bool {
    let words = stemma_text::analyze(query);
    !words.tokens.is_empty() && words.tokens.iter().all(|t| t.stop)
}

/// Longest search query accepted, in bytes: a few hundred words. Longer text is a document,
/// not a query (trace finds where it comes from), and bounds the parser's work.
pub const MAX_QUERY_BYTES: usize = 10_000;

/// The most hits a search fetches to gather documents tied at its last place (see `search`).
const MAX_TIED_FETCH: usize = 10_000;

/// Deepest nesting of parentheses a search query may have.
pub const MAX_QUERY_NESTING: usize = 16;

/// How deep the parentheses of a query nest (outside quoted phrases).
fn nesting(query: &str) -> usize {
    let (mut depth, mut deepest, mut quoted) = (0usize, 0usize, false);
    for b in query.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'(' if !quoted => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Whether a parsed query requires or ranks at least one term. `AllQuery` (what an empty or
/// all-punctuation query becomes) and `EmptyQuery` look for nothing; a boolean query looks
/// for words when one of its clauses that is not an exclusion does.
fn looks_for_words(query: &dyn Query) -> bool {
    if query.is::<AllQuery>() {
        return false;
    }
    if let Some(boolean) = query.downcast_ref::<BooleanQuery>() {
        return boolean
            .clauses()
            .iter()
            .any(|(occur, sub)| *occur != Occur::MustNot && looks_for_words(&**sub));
    }
    let mut any = false;
    query.query_terms(&mut |_, _| any = true);
    any
}

/// Whether a parsed query excludes a word somewhere.
fn has_exclusion(query: &dyn Query) -> bool {
    query.downcast_ref::<BooleanQuery>().is_some_and(|b| {
        b.clauses()
            .iter()
            .any(|(occur, sub)| *occur == Occur::MustNot || has_exclusion(&**sub))
    })
}

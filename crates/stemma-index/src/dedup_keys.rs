//! The band keys of `stemma dedup`'s sketch, stored with each document (`dkeys`), so that
//! `stemma index add --dedup` reads the new documents' neighbourhood, not the whole index.
//!
//! Why the neighbourhood is enough: deduplication pairs only documents that share a band
//! key, and its star clusters are made within connected components of the pairs. The
//! documents reachable from the new ones through shared keys are a union of whole
//! components, with every bucket complete, so deduplicating them alone (in index order)
//! gives the new documents the outcomes a run over the whole index gives them.
//!
//! Only the top 32 bits of each key are stored (4 bytes a band), two to a value (tantivy's
//! fast-field writer costs about the same per value whatever its size): keys equal in full
//! are equal there, so the neighbourhood can only grow by a few chance documents, which the
//! deduplication then verifies like any other.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use foldhash::{HashSet, HashSetExt};
use stemma_dedup::DedupOptions;
use stemma_text::Analysis;
use tantivy::columnar::Column;

use crate::error::IndexError;
use crate::query::fast_str;
use crate::Index;

/// The options the stored keys are made with: `stemma dedup`'s defaults.
static KEY_OPTIONS: LazyLock<(DedupOptions, (usize, usize))> = LazyLock::new(|| {
    let options = DedupOptions::default();
    let layout = options.layout();
    (options, layout)
});

/// The stored values of a document's analysis: the top halves of its band keys, two to a
/// value (empty for a text without words).
pub(crate) fn dedup_keys(analysis: &Analysis) -> Vec<u64> {
    let (options, (bands, rows)) = &*KEY_OPTIONS;
    // The tokens' norms are `stemma dedup`'s words (stemma_text::word_norms).
    let norms: Vec<u64> = analysis.tokens.iter().map(|t| t.norm).collect();
    let signature = stemma_dedup::shingle_signature(&norms, options.ngram, options.num_perm);
    let mut keys = Vec::with_capacity(*bands);
    stemma_dedup::band_keys(&signature, *bands, *rows, &mut keys);
    // An odd key out fills both halves (a zero half would link every document).
    keys.chunks(2)
        .map(|pair| {
            let high = pair[0] >> 32;
            high << 32 | pair.get(1).map_or(high, |key| key >> 32)
        })
        .collect()
}

/// The 32-bit keys held by stored values.
fn unpack(values: &[u64]) -> impl Iterator<Item = u64> + '_ {
    values.iter().flat_map(|&v| [v >> 32, v & 0xFFFF_FFFF])
}

impl Index {
    /// Whether this index can store dedup band keys (indexes created before them cannot:
    /// their schema lacks the field, and `index add --dedup` re-sketches them whole). Which
    /// documents have them: [`Index::holds_dedup_keys`].
    pub fn stores_dedup_keys(&self) -> bool {
        self.fields.dedup_keys.is_some()
    }

    /// Whether any document of the index has dedup band keys: added by
    /// `stemma index add --dedup`, or by any add of a stemma that stored them always. A new
    /// [`crate::IndexWriter`] keeps storing them where this holds
    /// ([`crate::IndexWriter::set_dedup_keys`]).
    ///
    /// ```
    /// use stemma_text::Document;
    /// let dir = tempfile::tempdir().unwrap();
    /// let index = stemma_index::Index::create(dir.path()).unwrap();
    /// let mut writer = index.writer().unwrap();
    /// writer.add(&Document::new("plain", "Added without band keys.")).unwrap();
    /// writer.commit().unwrap();
    /// assert!(!index.holds_dedup_keys().unwrap());
    /// writer.set_dedup_keys(true);
    /// writer.add(&Document::new("keyed", "Added with its band keys.")).unwrap();
    /// writer.commit().unwrap();
    /// assert!(index.holds_dedup_keys().unwrap());
    /// ```
    pub fn holds_dedup_keys(&self) -> Result<bool, IndexError> {
        if !self.stores_dedup_keys() {
            return Ok(false);
        }
        for segment in self.searcher().segment_readers() {
            // tantivy makes the column of every fast field of the schema, empty or not;
            // were one missing, that segment would hold no keys.
            let column = segment
                .fast_fields()
                .column_opt::<u64>("dkeys")
                .map_err(|e| self.err(e))?;
            if column.is_some_and(|c| c.values.num_vals() > 0) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether the stored keys serve a deduplication with `options`: same shingles,
    /// signature and bands (the band layout follows the threshold).
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let index = stemma_index::Index::create(dir.path()).unwrap();
    /// let options = stemma_dedup::DedupOptions::default();
    /// assert!(index.dedup_keys_serve(&options));
    /// assert!(!index.dedup_keys_serve(&stemma_dedup::DedupOptions { threshold: 0.5, ..options }));
    /// ```
    pub fn dedup_keys_serve(&self, options: &DedupOptions) -> bool {
        let (stored, layout) = &*KEY_OPTIONS;
        self.stores_dedup_keys()
            && options.ngram == stored.ngram
            && options.num_perm == stored.num_perm
            && options.layout() == *layout
    }

    /// The documents a deduplication of `ids` with the stored keys' options needs: `ids`
    /// and every live document linked to one of them by a chain of shared band keys
    /// (documents without words: all of them, as they are exact duplicates of each other).
    /// `None` when the index stores no keys, or when a document with words has none (added
    /// without `--dedup` before the index held keys, or by a stemma that did not store
    /// them): only the whole index, sketched from its texts, then gives the right answer.
    /// Ids not in the index are left out.
    ///
    /// ```
    /// use stemma_text::Document;
    /// let dir = tempfile::tempdir().unwrap();
    /// let index = stemma_index::Index::create(dir.path()).unwrap();
    /// let story = "The committee approved the budget for the new harbour on Friday after \
    ///     a long debate about costs, dredging and the fishing fleet's winter moorings.";
    /// let mut w = index.writer().unwrap();
    /// w.set_dedup_keys(true); // as `stemma index add --dedup` does
    /// w.add(&Document::new("old", story)).unwrap();
    /// w.add(&Document::new("other", "Rain is expected across the north tomorrow.")).unwrap();
    /// w.add(&Document::new("new", story.replace("Friday", "Monday"))).unwrap();
    /// w.commit().unwrap();
    /// let wanted = std::iter::once("new".to_string()).collect();
    /// let found = index.dedup_neighbourhood(&wanted).unwrap().unwrap();
    /// assert_eq!(found.into_iter().collect::<Vec<_>>(), ["new", "old"]);
    /// ```
    pub fn dedup_neighbourhood(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<Option<BTreeSet<String>>, IndexError> {
        if !self.stores_dedup_keys() {
            return Ok(None);
        }
        let searcher = self.searcher();
        struct Segment {
            column: Column<u64>,
            values: Vec<u64>,
            alive: Vec<u32>,
            member: Vec<bool>,
        }
        let mut segments = Vec::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let column = fast.u64("dkeys").map_err(|e| self.err(e))?;
            let words = fast.u64("words").map_err(|e| self.err(e))?;
            let alive: Vec<u32> = segment.doc_ids_alive().collect();
            let keyless = |&doc: &u32| column.index.value_row_ids(doc).is_empty();
            if alive
                .iter()
                .any(|doc| keyless(doc) && words.first(*doc).unwrap_or(0) > 0)
            {
                return Ok(None);
            }
            let mut values = vec![0u64; column.values.num_vals() as usize];
            column.values.get_range(0, &mut values);
            segments.push(Segment {
                column,
                values,
                alive,
                member: vec![false; segment.max_doc() as usize],
            });
        }
        let keys_of = |s: &Segment, doc: u32| {
            let rows = s.column.index.value_row_ids(doc);
            (rows.start as usize, rows.end as usize)
        };
        let mut linked: HashSet<u64> = HashSet::new();
        let mut wordless = false;
        for id in ids {
            if let Some(address) = self.find(&searcher, id)? {
                let s = &mut segments[address.segment_ord as usize];
                s.member[address.doc_id as usize] = true;
                let (start, end) = keys_of(s, address.doc_id);
                wordless |= start == end;
                linked.extend(unpack(&s.values[start..end]));
            }
        }
        // Scan until a pass adds nothing; a document joins as soon as one of its keys is
        // linked, and links its own keys for the rest of the pass.
        loop {
            let mut grew = false;
            for s in &mut segments {
                for i in 0..s.alive.len() {
                    let doc = s.alive[i];
                    if s.member[doc as usize] {
                        continue;
                    }
                    let (start, end) = keys_of(s, doc);
                    let own = &s.values[start..end];
                    let joins = if own.is_empty() {
                        wordless
                    } else {
                        unpack(own).any(|k| linked.contains(&k))
                    };
                    if joins {
                        s.member[doc as usize] = true;
                        linked.extend(unpack(own));
                        grew = true;
                    }
                }
            }
            if !grew {
                break;
            }
        }
        let mut out = BTreeSet::new();
        for (s, segment) in segments.iter().zip(searcher.segment_readers()) {
            for &doc in &s.alive {
                if s.member[doc as usize] {
                    out.insert(fast_str(segment, "id", doc)?.unwrap_or_default());
                }
            }
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_hold_every_key_and_no_other() {
        let analysis = stemma_text::analyze("one two three four five six seven eight nine ten");
        let values = dedup_keys(&analysis);
        let (options, (bands, rows)) = &*KEY_OPTIONS;
        let mut norms = Vec::new();
        stemma_text::word_norms(
            "one two three four five six seven eight nine ten",
            &mut norms,
        );
        let mut keys = Vec::new();
        let signature = stemma_dedup::shingle_signature(&norms, options.ngram, options.num_perm);
        stemma_dedup::band_keys(&signature, *bands, *rows, &mut keys);
        assert_eq!(values.len(), bands.div_ceil(2));
        let stored: std::collections::BTreeSet<u64> = unpack(&values).collect();
        let expected: std::collections::BTreeSet<u64> = keys.iter().map(|k| k >> 32).collect();
        assert_eq!(stored, expected);
        assert!(dedup_keys(&stemma_text::analyze("...")).is_empty());
    }

    #[test]
    fn a_document_with_words_and_no_keys_means_the_whole_index() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create(dir.path()).unwrap();
        let mut writer = index.writer().unwrap();
        writer.set_dedup_keys(true);
        let new = stemma_text::Document::new("new", "Words enough to have shingles of five.");
        writer.add(&new).unwrap();
        writer.commit().unwrap();
        let ids: BTreeSet<String> = std::iter::once("new".to_string()).collect();
        assert!(index.dedup_neighbourhood(&ids).unwrap().is_some());
        // As an older stemma adds it: words, but no keys.
        let old = stemma_text::Document::new("old", "Other words, added without band keys.");
        let prepared = crate::writer::Prepared {
            hash: 1,
            previous: None,
            fps: &[],
            words: 6,
            dedup_keys: &[],
            embeddings: None,
        };
        writer.add_prepared(&old, prepared).unwrap();
        writer.commit().unwrap();
        assert_eq!(index.dedup_neighbourhood(&ids).unwrap(), None);
    }

    /// A plain add stores no keys (they cost ≈ 8 % of its instructions and only `--dedup`
    /// reads them); once a `--dedup` add has stored some, every later writer keeps them.
    #[test]
    fn keys_are_stored_only_once_asked_for_and_then_kept() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create(dir.path()).unwrap();
        let doc = |id: &str, text: &str| stemma_text::Document::new(id, text);
        let ids = |id: &str| -> BTreeSet<String> { std::iter::once(id.to_string()).collect() };
        let mut writer = index.writer().unwrap();
        assert!(!writer.stores_dedup_keys());
        writer
            .add(&doc(
                "plain",
                "Words enough to have shingles of five, added plainly.",
            ))
            .unwrap();
        writer.commit().unwrap();
        assert!(!index.holds_dedup_keys().unwrap());
        // A plain document has words and no keys: only the whole index answers.
        assert_eq!(index.dedup_neighbourhood(&ids("plain")).unwrap(), None);
        drop(writer);

        let dir = tempfile::tempdir().unwrap();
        let index = Index::create(dir.path()).unwrap();
        let mut writer = index.writer().unwrap();
        writer.set_dedup_keys(true);
        writer
            .add(&doc(
                "first",
                "The first words of a corpus kept with --dedup.",
            ))
            .unwrap();
        writer.commit().unwrap();
        drop(writer);
        let mut writer = index.writer().unwrap();
        assert!(writer.stores_dedup_keys());
        writer
            .add(&doc(
                "later",
                "Later words, added without --dedup, keep their keys.",
            ))
            .unwrap();
        writer.commit().unwrap();
        let found = index.dedup_neighbourhood(&ids("later")).unwrap();
        assert_eq!(found, Some(ids("later")));
        // Turned off, a document goes without them, and the neighbourhood says so.
        writer.set_dedup_keys(false);
        writer
            .add(&doc(
                "keyless",
                "Words without their band keys this time round.",
            ))
            .unwrap();
        writer.commit().unwrap();
        assert_eq!(index.dedup_neighbourhood(&ids("later")).unwrap(), None);
    }
}

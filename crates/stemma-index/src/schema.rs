//! The tantivy schema: one tantivy document per stemma document.
//!
//! | field | options | why |
//! |---|---|---|
//! | `id` | raw string, indexed, stored, fast | unique key: replace = delete term + add |
//! | `title` | text, stored, fast | BM25, and listing without the text |
//! | `source`, `date`, `lang`, `encoding` | raw string, stored, fast (source, date) | metadata, listing without the text |
//! | `text` | text (positions), stored | BM25 search, and the aligner reads it back |
//! | `fp` | u64, indexed, multi-valued | winnowed fingerprints: candidate retrieval (format 3; empty in format 4, whose fingerprints are in the `fpstore` files) |
//! | `fpdoc` | u64, fast | format 4: the document's stable number, by which the fingerprint files name it |
//! | `hash` | u64, fast | content hash: re-adding unchanged content is a no-op |
//! | `bytes`, `words`, `fps` | u64, fast | statistics without reading stored text |
//! | `day` | u64, fast | the date as YYYYMMDD (undated: `u64::MAX`): earliest witnesses rank first |
//! | `emb` | bytes, stored | quantized sentence embeddings (`embedding` module) |
//! | `xcodes` | u64, fast, multi-valued | sign codes of sentence windows: the cross-lingual channel's scan |
//! | `xsent` | u64, fast | sentences embedded (absent: added without the model) |
//! | `xlang` | raw string, stored, fast | language the embeddings were made for (ISO 639-3) |
//! | `dkeys` | u64, fast, multi-valued | the top 32 bits of each LSH band key of `stemma dedup`'s sketch, two to a value: `index add --dedup` reads only the new documents' neighbourhood. Written by `index add --dedup`, and by every later add to an index that holds some; a plain add to any other index leaves it empty |
//!
//! `emb` to `xlang` came after format 3's first indexes: an index without them opens, works
//! monolingually and says so ([`crate::Index::stores_embeddings`]). `dkeys` came later
//! still: without it `index add --dedup` re-sketches the whole index
//! ([`crate::Index::stores_dedup_keys`]). Which documents have keys is per document
//! ([`crate::IndexWriter::set_dedup_keys`], [`crate::Index::holds_dedup_keys`]): a document
//! with words and no keys (added plainly before the index held any, or by a stemma before
//! the field) makes `index add --dedup` sketch the whole index from its texts, as an index
//! without the field does. Indexes written when every add stored keys are read unchanged,
//! and their adds go on storing them: no format change.

use tantivy::schema::{
    Field, Schema, SchemaBuilder, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

/// Handles of every field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub title: Field,
    pub source: Field,
    pub date: Field,
    pub lang: Field,
    pub encoding: Field,
    pub replaced: Field,
    pub text: Field,
    pub fp: Field,
    pub hash: Field,
    pub bytes: Field,
    pub words: Field,
    pub fps: Field,
    pub day: Field,
    /// The stable document number of the fingerprint store (format 4).
    pub fpdoc: Option<Field>,
    /// The embedding fields, when the index has them.
    pub xling: Option<XlingFields>,
    /// The dedup band keys, when the index has them.
    pub dedup_keys: Option<Field>,
}

/// Handles of the embedding fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct XlingFields {
    pub emb: Field,
    pub codes: Field,
    pub sentences: Field,
    pub lang: Field,
}

pub(crate) fn build() -> Schema {
    let mut b = SchemaBuilder::new();
    b.add_text_field("id", STRING | STORED | FAST);
    // Positions are what phrase queries ("security guarantees") need.
    let words = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TEXT_TOKENIZER)
                .set_index_option(tantivy::schema::IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    b.add_text_field("title", words.clone().set_fast(None));
    b.add_text_field("source", STRING | STORED | FAST);
    b.add_text_field("date", STRING | STORED | FAST);
    b.add_text_field("lang", TextOptions::default().set_stored());
    b.add_text_field("encoding", TextOptions::default().set_stored());
    b.add_u64_field("replaced", STORED);
    b.add_text_field("text", words);
    b.add_u64_field("fp", INDEXED);
    b.add_u64_field("hash", FAST);
    b.add_u64_field("bytes", FAST);
    b.add_u64_field("words", FAST);
    b.add_u64_field("fps", FAST);
    b.add_u64_field("day", FAST);
    b.add_bytes_field("emb", STORED);
    b.add_u64_field("xcodes", FAST);
    b.add_u64_field("xsent", FAST);
    b.add_text_field("xlang", STRING | STORED | FAST);
    b.add_u64_field("dkeys", FAST);
    b.add_u64_field(FPDOC, FAST);
    b.build()
}

impl Fields {
    pub(crate) fn resolve(schema: &Schema) -> Option<Fields> {
        let f = |name| schema.get_field(name).ok();
        Some(Fields {
            id: f("id")?,
            title: f("title")?,
            source: f("source")?,
            date: f("date")?,
            lang: f("lang")?,
            encoding: f("encoding")?,
            replaced: f("replaced")?,
            text: f("text")?,
            fp: f("fp")?,
            hash: f("hash")?,
            bytes: f("bytes")?,
            words: f("words")?,
            fps: f("fps")?,
            day: f("day")?,
            fpdoc: f(FPDOC),
            xling: (|| {
                Some(XlingFields {
                    emb: f("emb")?,
                    codes: f("xcodes")?,
                    sentences: f("xsent")?,
                    lang: f("xlang")?,
                })
            })(),
            dedup_keys: f("dkeys"),
        })
    }
}

/// The field holding a document's number in the fingerprint store.
pub(crate) const FPDOC: &str = "fpdoc";

/// The analyzer of the `text` and `title` fields: tantivy's default (words, at most 40 bytes, lower case)
/// without stopwords. Stopwords are ≈ 45 % of English words and rank nothing under BM25;
/// leaving them out of the postings makes indexing a third faster. Phrase queries still
/// work: positions keep the gaps ("art of war" matches "art of war", and "art in war").
pub(crate) const TEXT_TOKENIZER: &str = "stemma-text";

/// Register the analyzers the schema names; every opened or created index needs them
/// before its first read or write.
pub(crate) fn register_tokenizers(index: &tantivy::Index) {
    // The same tokens as tantivy's SimpleTokenizer, RemoveLongFilter::limit(40), LowerCaser
    // and StopWordFilter of our stopwords, in one pass (see tokenizer.rs).
    let analyzer = tantivy::tokenizer::TextAnalyzer::from(crate::tokenizer::StemmaTokenizer::new());
    index.tokenizers().register(TEXT_TOKENIZER, analyzer);
}

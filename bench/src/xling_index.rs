//! `stemma-bench xling-retrieve`: document retrieval across languages from an index built by
//! `stemma index add` with the model (see `bench/xling_index.sh`).
//!
//! Each query is an indexed document (excluded from its own results); its relevant documents
//! are its translations. A translation's rank counts only the non-relevant documents ranked
//! above it (the other translations are not errors: "filtered" ranks), so recall@k is the
//! share of (query, translation) pairs whose translation ranks k or better. Ranked lists:
//! the cross-lingual channel (`Index::cross_lingual`), and beside it the monolingual
//! channels (fingerprints and BM25, `Index::retrieve`) on the same queries: the baseline.
//! Times are per query in this process (the model and index loaded once): embedding the
//! query's sentences, the cross-lingual scan, and the monolingual channels. With
//! `XLING_MISSES=1`, every query whose translations are not all first is printed with the
//! channel's five best (id, score, best window cosine) on stderr.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use stemma_index::{CandidateOptions, CrossLingualOptions, Index, SentenceEmbeddings};
use stemma_xling::{Model, DIM};

struct Query {
    id: String,
    lang: String,
    relevant: Vec<String>,
}

fn read_queries(path: &Path) -> Result<Vec<Query>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line)?;
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            Ok(Query {
                id: s("id"),
                lang: s("lang"),
                relevant: v["relevant"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// Filtered rank of each relevant id in `ranked` (None: not in the list).
fn ranks(ranked: &[String], relevant: &[String]) -> Vec<Option<usize>> {
    relevant
        .iter()
        .map(|r| {
            let at = ranked.iter().position(|x| x == r)?;
            let others_above = ranked[..at]
                .iter()
                .filter(|x| !relevant.contains(x))
                .count();
            Some(others_above + 1)
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    pairs: usize,
    at1: usize,
    at10: usize,
}

impl Tally {
    fn add(&mut self, ranks: &[Option<usize>]) {
        for r in ranks {
            self.pairs += 1;
            self.at1 += usize::from(r.is_some_and(|r| r <= 1));
            self.at10 += usize::from(r.is_some_and(|r| r <= 10));
        }
    }

    fn line(&self) -> String {
        let share = |n: usize| n as f64 / self.pairs.max(1) as f64;
        format!(
            "recall@1 {:.3}  recall@10 {:.3}  ({} pairs)",
            share(self.at1),
            share(self.at10),
            self.pairs
        )
    }
}

fn percentile(times: &mut [f64], p: f64) -> f64 {
    if times.is_empty() {
        return 0.0;
    }
    times.sort_by(f64::total_cmp);
    times[((times.len() - 1) as f64 * p).round() as usize]
}

/// Run the queries; print recall per query language and overall, and the times.
pub fn run(index_dir: &Path, model_dir: &Path, queries: &Path, limit: usize) -> Result<()> {
    let started = Instant::now();
    let model = Model::load(model_dir)?;
    let model_ms = started.elapsed().as_secs_f64() * 1e3;
    let index = Index::open(index_dir)?;
    let stats = index.stats()?;
    println!(
        "index: {} documents, {} with embeddings, {} bytes on disk ({} per document); model loaded in {model_ms:.0} ms",
        stats.documents,
        stats.embedded,
        stats.disk_bytes,
        stats.disk_bytes / stats.documents.max(1)
    );
    let queries = read_queries(queries)?;
    let mut cross: BTreeMap<String, Tally> = BTreeMap::new();
    let mut mono: BTreeMap<String, Tally> = BTreeMap::new();
    let (mut embed_ms, mut scan_ms, mut mono_ms) = (Vec::new(), Vec::new(), Vec::new());
    for q in &queries {
        let doc = index
            .get(&q.id)?
            .with_context(|| format!("query {} is not in the index", q.id))?;
        let analysis = stemma_text::analyze(&doc.text);
        let t = Instant::now();
        let lang = stemma_text::guess_language(&doc.text)
            .map(str::to_string)
            .or(doc.lang.clone());
        let vectors = model.sentence_vectors(&doc.text, &analysis, lang.as_deref());
        embed_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let target = SentenceEmbeddings {
            lang,
            dim: DIM,
            vectors: vectors.vectors,
        };
        let t = Instant::now();
        let found = index.cross_lingual(
            &target,
            &CrossLingualOptions {
                limit,
                exclude: vec![q.id.clone()],
                ..CrossLingualOptions::default()
            },
        )?;
        scan_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let scores: Vec<(String, f32, f32)> = found
            .iter()
            .map(|c| (c.id.clone(), c.xling, c.cosine))
            .collect();
        let ranked: Vec<String> = found.into_iter().map(|c| c.id).collect();
        let r = ranks(&ranked, &q.relevant);
        if std::env::var_os("XLING_MISSES").is_some() && r.iter().any(|x| *x != Some(1)) {
            eprintln!("{} {:?}: {:?}", q.id, r, &scores[..scores.len().min(5)]);
        }
        cross.entry(q.lang.clone()).or_default().add(&r);
        cross.entry("all".into()).or_default().add(&r);

        let t = Instant::now();
        let found = index.retrieve(
            &doc.text,
            &analysis,
            &CandidateOptions {
                exclude: vec![q.id.clone()],
                ..CandidateOptions::default()
            },
        )?;
        mono_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let ranked: Vec<String> = found.into_iter().map(|c| c.id).collect();
        let r = ranks(&ranked, &q.relevant);
        mono.entry(q.lang.clone()).or_default().add(&r);
        mono.entry("all".into()).or_default().add(&r);
    }
    println!("document retrieval across languages, {} queries (targets: recall@1 >= 0.95, recall@10 >= 0.99):", queries.len());
    for (lang, tally) in &cross {
        println!(
            "  cross-lingual channel  {lang:>4}: {}   | fingerprints + BM25 (baseline): {}",
            tally.line(),
            mono[lang].line()
        );
    }
    println!(
        "per query, in process: embedding the query p50 {:.1} ms; cross-lingual scan p50 {:.1} ms, p95 {:.1} ms; fingerprint + BM25 channels p50 {:.1} ms",
        percentile(&mut embed_ms, 0.5),
        percentile(&mut scan_ms, 0.5),
        percentile(&mut scan_ms, 0.95),
        percentile(&mut mono_ms, 0.5)
    );
    Ok(())
}

/// Build an index of the corpus's first `docs` documents whose sentence embeddings are
/// random unit vectors (seeded by each sentence's text, no model), then time the
/// cross-lingual scan and the monolingual channels on `queries` of its documents, in this
/// process: the channel's cost at a size whose real embedding would take hours here. The
/// scan's work depends on the number of stored windows, not on what they hold.
pub fn synthetic(corpus: &Path, index_dir: &Path, docs: usize, queries: usize) -> Result<()> {
    use std::io::BufRead;
    use stemma_index::Embedder;
    let index = Index::create(index_dir)?;
    let random = |doc: &stemma_text::Document, analysis: &stemma_text::Analysis| {
        let spans = stemma_xling::sentence_spans(&doc.text, analysis);
        let mut vectors = Vec::with_capacity(spans.len() * DIM);
        for span in &spans {
            let mut s = xxhash_rust::xxh3::xxh3_64(&doc.text.as_bytes()[span.start..span.end]);
            let start = vectors.len();
            for _ in 0..DIM {
                s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = s;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                vectors.push(((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32 - 0.5);
            }
            let norm = vectors[start..].iter().map(|x| x * x).sum::<f32>().sqrt();
            vectors[start..].iter_mut().for_each(|x| *x /= norm);
        }
        SentenceEmbeddings {
            lang: Some("eng".into()),
            dim: DIM,
            vectors,
        }
    };
    let embedder: &Embedder = &random;
    let started = Instant::now();
    let mut writer = index.writer()?;
    let reader = std::io::BufReader::new(std::fs::File::open(corpus)?);
    let mut batch = Vec::new();
    let mut ids = Vec::new();
    for line in reader.lines().take(docs) {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let doc = stemma_text::Document::new(
            v["id"].as_str().unwrap_or_default(),
            v["text"].as_str().unwrap_or_default(),
        );
        ids.push(doc.id.clone());
        batch.push(doc);
        if batch.len() == 2048 {
            writer.add_all_with(&batch, Some(embedder))?;
            writer.commit()?;
            batch.clear();
        }
    }
    writer.add_all_with(&batch, Some(embedder))?;
    writer.commit()?;
    writer.finish()?;
    let stats = index.stats()?;
    println!(
        "synthetic index: {} documents, {} with embeddings, built in {:.0} s, {} bytes per document on disk",
        stats.documents,
        stats.embedded,
        started.elapsed().as_secs_f64(),
        stats.disk_bytes / stats.documents.max(1)
    );
    let (mut scan_ms, mut mono_ms) = (Vec::new(), Vec::new());
    let step = (ids.len() / queries.max(1)).max(1);
    for id in ids.iter().step_by(step).take(queries) {
        let doc = index.get(id)?.context("a query vanished")?;
        let analysis = stemma_text::analyze(&doc.text);
        let mut target = random(&doc, &analysis);
        // Another language than every document: none is left out before the scan.
        target.lang = Some("rus".into());
        let t = Instant::now();
        index.cross_lingual(
            &target,
            &CrossLingualOptions {
                exclude: vec![id.clone()],
                ..CrossLingualOptions::default()
            },
        )?;
        scan_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        index.retrieve(
            &doc.text,
            &analysis,
            &CandidateOptions {
                exclude: vec![id.clone()],
                ..CandidateOptions::default()
            },
        )?;
        mono_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "per query, in process ({} queries): cross-lingual scan p50 {:.1} ms, p95 {:.1} ms; fingerprint + BM25 channels p50 {:.1} ms, p95 {:.1} ms",
        scan_ms.len(),
        percentile(&mut scan_ms, 0.5),
        percentile(&mut scan_ms, 0.95),
        percentile(&mut mono_ms, 0.5),
        percentile(&mut mono_ms, 0.95)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filtered_ranks_skip_other_relevant_documents() {
        let ranked: Vec<String> = ["a", "x", "b", "y", "c"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let relevant: Vec<String> = ["a", "b", "z"].iter().map(|s| s.to_string()).collect();
        assert_eq!(ranks(&ranked, &relevant), [Some(1), Some(2), None]);
    }
}

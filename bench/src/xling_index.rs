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

/// What `stemma-bench xling-synthetic` measures.
pub struct Synthetic<'a> {
    /// Corpus, one JSON object a line.
    pub corpus: &'a Path,
    /// The index folder: built when it holds no index, else reused.
    pub index_dir: &'a Path,
    /// Documents to index.
    pub docs: usize,
    /// Queries timed in this process.
    pub queries: usize,
    /// Queries timed as `stemma trace` processes (each way).
    pub process_queries: usize,
    /// The `stemma` binary for those.
    pub stemma: &'a Path,
}

/// The language stored with every synthetic document: not the queries' (their texts are
/// English), so no document is left out of the scan before its codes are compared and
/// every candidate goes on to the re-score and to alignment: the channel's worst case.
const SYNTHETIC_LANG: &str = "rus";

/// Random unit vectors for `doc`'s sentences, seeded by each sentence's text.
fn random_embeddings(
    doc: &stemma_text::Document,
    analysis: &stemma_text::Analysis,
) -> SentenceEmbeddings {
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
        lang: Some(SYNTHETIC_LANG.into()),
        dim: DIM,
        vectors,
    }
}

/// Build (or reuse) an index of the corpus's first `docs` documents whose sentence
/// embeddings are random unit vectors (seeded by each sentence's text, no model: real ones
/// would take hours here), then time, beside the channel-off figures of the same run:
///
/// - in this process (the index opened once): the cross-lingual scan alone, the
///   monolingual channels alone, the model's load, and the whole trace as `stemma serve`
///   runs it (the model loaded once, [`stemma_trace::trace_in_index_with`]) with the channel
///   on and off;
/// - one `stemma trace --id ID --json` process per query, as a user runs it (the model
///   loaded by each), with the channel on and with `--cross-lingual never`.
///
/// The queries' texts are embedded by the real model (`STEMMA_MODEL_DIR`); the scan's work
/// depends on the number of stored windows, not on what they hold.
pub fn synthetic(run: &Synthetic) -> Result<()> {
    let index = match Index::open(run.index_dir) {
        Ok(index) if index.stats()?.documents > 0 => {
            let stats = index.stats()?;
            println!(
                "synthetic index: {} documents, {} with embeddings (reused: {})",
                stats.documents,
                stats.embedded,
                run.index_dir.display()
            );
            index
        }
        _ => build_synthetic(run)?,
    };
    let ids = index_ids(run.corpus, run.docs)?;
    let folder = stemma_xling::ModelFolder::from_env();
    folder.get()?.context(
        "no cross-lingual model: install it (stemma model install) or set STEMMA_MODEL_DIR",
    )?;

    let (mut scan_ms, mut mono_ms) = (Vec::new(), Vec::new());
    let step = (ids.len() / run.queries.max(1)).max(1);
    let queries: Vec<&String> = ids.iter().step_by(step).take(run.queries).collect();
    for &id in &queries {
        let doc = index.get(id)?.context("a query vanished")?;
        let analysis = stemma_text::analyze(&doc.text);
        let mut target = random_embeddings(&doc, &analysis);
        target.lang = Some("eng".into());
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
        "channels, in process ({} queries): cross-lingual scan p50 {:.1} ms, p95 {:.1} ms; fingerprint + BM25 channels p50 {:.1} ms, p95 {:.1} ms",
        scan_ms.len(),
        percentile(&mut scan_ms, 0.5),
        percentile(&mut scan_ms, 0.95),
        percentile(&mut mono_ms, 0.5),
        percentile(&mut mono_ms, 0.95)
    );

    let mut load_ms = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        stemma_xling::Model::load(folder.dir())?;
        load_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "model load, in process (5 loads): least {:.1} ms, p50 {:.1} ms",
        load_ms.iter().copied().fold(f64::INFINITY, f64::min),
        percentile(&mut load_ms, 0.5)
    );

    // The whole trace as the server runs it: one process, the model loaded once.
    let options = stemma_align::CompareOptions::default();
    let cross = stemma_trace::CrossLingual::new(&folder);
    let (mut on_ms, mut off_ms, mut searched) = (Vec::new(), Vec::new(), 0);
    let (mut on_cpu, mut off_cpu) = (Vec::new(), Vec::new());
    for &id in &queries {
        let doc = index.get(id)?.context("a query vanished")?;
        for on in [true, false] {
            let (t, cpu) = (Instant::now(), cpu_ms(libc::RUSAGE_SELF));
            let found = stemma_trace::trace_in_index_with(
                &index,
                &doc,
                true,
                CandidateOptions::default(),
                &options,
                on.then_some(&cross),
            )?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            let cpu = cpu_ms(libc::RUSAGE_SELF) - cpu;
            if on {
                on_ms.push(ms);
                on_cpu.push(cpu);
                searched += usize::from(
                    found
                        .cross_lingual
                        .is_some_and(|c| c.status == "searched" && !c.languages.is_empty()),
                );
            } else {
                off_ms.push(ms);
                off_cpu.push(cpu);
            }
        }
    }
    println!(
        "trace, long-running process as `stemma serve` ({} queries, {searched} with cross-lingual candidates aligned): cross-lingual on p50 {:.1} ms, p95 {:.1} ms (CPU p50 {:.1} ms); off p50 {:.1} ms, p95 {:.1} ms (CPU p50 {:.1} ms)",
        on_ms.len(),
        percentile(&mut on_ms, 0.5),
        percentile(&mut on_ms, 0.95),
        percentile(&mut on_cpu, 0.5),
        percentile(&mut off_ms, 0.5),
        percentile(&mut off_ms, 0.95),
        percentile(&mut off_cpu, 0.5)
    );

    // One process per trace, as a user runs `stemma trace`.
    let step = (ids.len() / run.process_queries.max(1)).max(1);
    let (mut on_ms, mut off_ms) = (Vec::new(), Vec::new());
    let (mut on_cpu, mut off_cpu) = (Vec::new(), Vec::new());
    for id in ids.iter().step_by(step).take(run.process_queries) {
        for on in [true, false] {
            let mut cmd = std::process::Command::new(run.stemma);
            cmd.args(["trace", "--json", "--id", id, "--index"])
                .arg(run.index_dir)
                .env("STEMMA_MODEL_DIR", folder.dir());
            if !on {
                cmd.args(["--cross-lingual", "never"]);
            }
            let (t, cpu) = (Instant::now(), children_cpu_ms());
            let out = cmd
                .output()
                .with_context(|| format!("cannot run {}", run.stemma.display()))?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            let cpu = children_cpu_ms() - cpu;
            anyhow::ensure!(
                out.status.success(),
                "stemma trace --id {id}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            if on {
                on_ms.push(ms);
                on_cpu.push(cpu);
            } else {
                off_ms.push(ms);
                off_cpu.push(cpu);
            }
        }
    }
    println!(
        "trace, one `stemma trace --id` process each ({} queries): cross-lingual on p50 {:.1} ms, p95 {:.1} ms (CPU p50 {:.1} ms); off (--cross-lingual never) p50 {:.1} ms, p95 {:.1} ms (CPU p50 {:.1} ms)",
        on_ms.len(),
        percentile(&mut on_ms, 0.5),
        percentile(&mut on_ms, 0.95),
        percentile(&mut on_cpu, 0.5),
        percentile(&mut off_ms, 0.5),
        percentile(&mut off_ms, 0.95),
        percentile(&mut off_cpu, 0.5)
    );
    Ok(())
}

/// User + system CPU time of the finished children of this process so far, in ms: a
/// process's CPU time does not grow when other work on the machine makes it wait.
fn children_cpu_ms() -> f64 {
    cpu_ms(libc::RUSAGE_CHILDREN)
}

/// User + system CPU time, in ms, of this process (`RUSAGE_SELF`: all its threads) or of
/// its finished children (`RUSAGE_CHILDREN`).
fn cpu_ms(who: libc::c_int) -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut usage) };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

/// The ids of the corpus's first `docs` documents.
fn index_ids(corpus: &Path, docs: usize) -> Result<Vec<String>> {
    use std::io::BufRead;
    let reader = std::io::BufReader::new(std::fs::File::open(corpus)?);
    let mut ids = Vec::new();
    for line in reader.lines().take(docs) {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        ids.push(v["id"].as_str().unwrap_or_default().to_string());
    }
    Ok(ids)
}

fn build_synthetic(run: &Synthetic) -> Result<Index> {
    use std::io::BufRead;
    use stemma_index::Embedder;
    let index = Index::create(run.index_dir)?;
    let embedder: &Embedder = &random_embeddings;
    let started = Instant::now();
    let mut writer = index.writer()?;
    let reader = std::io::BufReader::new(std::fs::File::open(run.corpus)?);
    let mut batch = Vec::new();
    for line in reader.lines().take(run.docs) {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let doc = stemma_text::Document::new(
            v["id"].as_str().unwrap_or_default(),
            v["text"].as_str().unwrap_or_default(),
        );
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
    index.reload()?;
    let stats = index.stats()?;
    println!(
        "synthetic index: {} documents, {} with embeddings, built in {:.0} s, {} bytes per document on disk",
        stats.documents,
        stats.embedded,
        started.elapsed().as_secs_f64(),
        stats.disk_bytes / stats.documents.max(1)
    );
    Ok(index)
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

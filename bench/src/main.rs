//! `stemma-bench`: writes the inputs of stemma's benchmarks.
//!
//! - `gen-pan`: a PAN text-alignment corpus with per-type truth (see `bench/quality.sh`);
//! - `gen-speed`: two large documents sharing a known share of text (see `bench/speed.sh`);
//! - `xling-model`: the cross-lingual model's NTREX accuracy and embedding speed (see
//!   `bench/xling.sh`);
//! - `xling-retrieve`: document retrieval across languages from a mixed-language index (see
//!   `bench/xling_index.sh`);
//! - `genesis-verses`: the aligned KJV/WEB verse groups of Genesis as JSONL, the reworded
//!   sources of `bench/index.sh`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::{Parser, Subcommand};

use stemma_bench::{pan, speed};

mod xling;
mod xling_align;
mod xling_index;

/// Benchmark input generators for stemma.
#[derive(Debug, Parser)]
#[command(name = "stemma-bench", about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build a PAN-format corpus: src/, susp/, pairs, truth/<type>/ (XML per pair + pairs).
    GenPan {
        /// The shared data folder (../shared/data).
        #[arg(long)]
        data: PathBuf,
        /// Output folder (its src/, susp/, truth/ and pairs are replaced).
        #[arg(long)]
        out: PathBuf,
        /// Random seed; the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Pairs per obfuscation type (none, random, reorder, paraphrase, negative).
        #[arg(long, default_value_t = 100)]
        pairs_per_type: usize,
        /// Pairs per type of the self-similar subset (KJV Genesis sources, repeated
        /// formulas allowed): genesis-none … genesis-negative.
        #[arg(long, default_value_t = 100)]
        genesis_pairs_per_type: usize,
    },
    /// Build two large documents a.txt and b.txt sharing a share of their text (+ truth.json).
    GenSpeed {
        /// The shared data folder (../shared/data).
        #[arg(long)]
        data: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Size of each document in bytes.
        #[arg(long, default_value_t = 1_000_000)]
        size: usize,
        /// Share of each document that is shared text (0..1).
        #[arg(long, default_value_t = 0.2)]
        shared: f64,
    },
    /// The cross-lingual model's accuracy on NTREX-128 and its embedding speed.
    XlingModel {
        /// The installed model's folder.
        #[arg(long)]
        model: PathBuf,
        /// The shared data folder (../shared/data).
        #[arg(long)]
        data: PathBuf,
        /// Sentences per language.
        #[arg(long, default_value_t = 1000)]
        sentences: usize,
    },
    /// Document retrieval across languages: recall@1 and @10 of each query's translations by
    /// the cross-lingual channel and by the monolingual channels, and their times.
    XlingRetrieve {
        /// The index (built with the model: `stemma index add`).
        #[arg(long)]
        index: PathBuf,
        /// The installed model's folder.
        #[arg(long)]
        model: PathBuf,
        /// Queries, one JSON object a line: {"id", "lang", "relevant": [ids]}.
        #[arg(long)]
        queries: PathBuf,
        /// Candidates the cross-lingual channel returns.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// The cross-lingual channel's cost at a large size: an index of the corpus's first DOCS
    /// documents with random sentence embeddings (no model), then the channel's scan and the
    /// monolingual channels timed on QUERIES of its documents.
    XlingSynthetic {
        /// Corpus, one JSON object a line ({"id", "text"}): bench/xling_index.py's.
        #[arg(long)]
        corpus: PathBuf,
        /// The index folder to create.
        #[arg(long)]
        index: PathBuf,
        /// Documents to index.
        #[arg(long, default_value_t = 100_000)]
        docs: usize,
        /// Queries timed in this process.
        #[arg(long, default_value_t = 200)]
        queries: usize,
        /// Queries timed as one `stemma trace` process each (with the channel on, then off).
        #[arg(long, default_value_t = 30)]
        process_queries: usize,
        /// The `stemma` binary [default: the one beside this program].
        #[arg(long)]
        stemma: Option<PathBuf>,
    },
    /// NTREX sentence alignment F1 of LANG against English and same-topic negatives, the
    /// model loaded once (see `bench/src/xling_align.rs`).
    XlingAlign {
        /// The model folder.
        #[arg(long)]
        model: PathBuf,
        /// The shared data folder (../shared/data).
        #[arg(long)]
        data: PathBuf,
        /// rus, ukr or deu.
        #[arg(long, default_value = "ukr")]
        lang: String,
    },
    /// Write the aligned KJV/WEB verse groups of Genesis, one JSON object a line:
    /// {"kjv": "...", "web": "..."} (the same verses in both translations), in text order.
    GenesisVerses {
        /// The shared data folder (../shared/data).
        #[arg(long)]
        data: PathBuf,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::GenPan {
            data,
            out,
            seed,
            pairs_per_type,
            genesis_pairs_per_type,
        } => gen_pan(data, out, seed, pairs_per_type, genesis_pairs_per_type),
        Command::GenSpeed {
            data,
            out,
            seed,
            size,
            shared,
        } => gen_speed(data, out, seed, size, shared),
        Command::XlingModel {
            model,
            data,
            sentences,
        } => xling::run(&model, &data, sentences),
        Command::XlingRetrieve {
            index,
            model,
            queries,
            limit,
        } => xling_index::run(&index, &model, &queries, limit),
        Command::XlingSynthetic {
            corpus,
            index,
            docs,
            queries,
            process_queries,
            stemma,
        } => {
            let stemma = match stemma {
                Some(path) => path,
                None => std::env::current_exe()?.with_file_name("stemma"),
            };
            xling_index::synthetic(&xling_index::Synthetic {
                corpus: &corpus,
                index_dir: &index,
                docs,
                queries,
                process_queries,
                stemma: &stemma,
            })
        }
        Command::XlingAlign { model, data, lang } => xling_align::run(&model, &data, &lang),
        Command::GenesisVerses { data, out } => genesis_verses(data, out),
    }
}

fn gen_pan(
    data: PathBuf,
    out: PathBuf,
    seed: u64,
    pairs_per_type: usize,
    genesis_pairs_per_type: usize,
) -> Result<()> {
    let started = Instant::now();
    let materials = pan::Materials::load(&data)?;
    let pairs = pan::generate(
        &materials,
        pan::PanConfig {
            seed,
            pairs_per_type,
            genesis_pairs_per_type,
        },
    );
    let stats = pan::write_corpus(&pairs, &out)?;
    println!(
        "wrote PAN corpus to {} (seed {seed}, {} KJV/WEB verse groups aligned)",
        out.display(),
        materials.verse_groups().len()
    );
    println!(
        "{:<18} {:>5} {:>5} {:>10} {:>10} {:>22}",
        "type", "pairs", "cases", "src bytes", "susp bytes", "case words min/med/max"
    );
    let (mut total_pairs, mut total_bytes) = (0, 0);
    for s in &stats {
        let mut words = s.case_words.clone();
        words.sort_unstable();
        let summary = if words.is_empty() {
            "-".to_string()
        } else {
            format!(
                "{}/{}/{}",
                words[0],
                words[words.len() / 2],
                words[words.len() - 1]
            )
        };
        println!(
            "{:<18} {:>5} {:>5} {:>10} {:>10} {:>22}",
            s.name, s.pairs, s.cases, s.source_bytes, s.suspicious_bytes, summary
        );
        total_pairs += s.pairs;
        total_bytes += s.source_bytes + s.suspicious_bytes;
    }
    println!(
        "total: {total_pairs} pairs, {} documents, {total_bytes} bytes, in {:.1} s",
        2 * total_pairs,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn gen_speed(data: PathBuf, out: PathBuf, seed: u64, size: usize, shared: f64) -> Result<()> {
    let config = speed::SpeedConfig { seed, size, shared };
    let docs = speed::generate(&data, config)?;
    speed::write(&docs, config, &out)?;
    let shared_a: usize = docs.passages.iter().map(|p| p.a.len()).sum();
    let shared_b: usize = docs.passages.iter().map(|p| p.b.len()).sum();
    let edited = docs.passages.iter().filter(|p| p.edited).count();
    println!("wrote speed inputs to {}", out.display());
    println!(
        "a.txt {} bytes ({:.1} % shared), b.txt {} bytes ({:.1} % shared)",
        docs.a.len(),
        100.0 * shared_a as f64 / docs.a.len() as f64,
        docs.b.len(),
        100.0 * shared_b as f64 / docs.b.len() as f64
    );
    println!(
        "{} shared passages ({edited} lightly edited on the b side), truth in truth.json",
        docs.passages.len()
    );
    Ok(())
}

fn genesis_verses(data: PathBuf, out: PathBuf) -> Result<()> {
    use std::io::Write;
    let (kjv, web) = stemma_bench::data::DataDir::open(&data)?.genesis()?;
    let groups = stemma_bench::genesis::align_verses(&kjv, &web);
    let mut file = std::io::BufWriter::new(std::fs::File::create(&out)?);
    for group in &groups {
        let record = serde_json::json!({
            "kjv": kjv[group.kjv.clone()].join(" "),
            "web": web[group.web.clone()].join(" "),
        });
        writeln!(file, "{record}")?;
    }
    file.flush()?;
    println!(
        "wrote {} KJV/WEB verse groups to {}",
        groups.len(),
        out.display()
    );
    Ok(())
}

//! `stemma reuse INPUTS… [--index DIR]`: every passage reused across a corpus, clustered,
//! earliest witness first (passim's job).

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::{Map, Value};
use stemma_ingest::{Format, Input, JsonlReader, Limits};
use stemma_report::{plural, reuse::ReuseView};
use stemma_reuse::{
    CrossLingual, CrossLingualOptions, CrossLingualReuse, ReuseError, ReuseOptions,
};
use stemma_text::Document;

use super::compare::AlignArgs;
use super::model::{load_for_comparison, ModelDirArg};
use super::output;

/// Arguments of `stemma reuse`.
#[derive(Debug, Args)]
pub struct ReuseArgs {
    /// Files, folders (walked recursively) and JSON Lines corpora with passim's fields (`id`,
    /// `series`, `date`, `text`; other fields are carried into the output).
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Also read every document of this stemma index.
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Write the clusters as JSON Lines (passim's out.json records) to this file ('-' for
    /// standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write every pairwise alignment as JSON Lines (passim's align.json fields).
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
    /// Write a self-contained HTML overview of the clusters with timelines.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Print a JSON summary (schema "stemma.reuse/1") instead of the terminal summary.
    #[arg(long)]
    pub json: bool,
    /// Anchor size in content words (candidate pairs share anchors; --ngram sets the
    /// alignment's seeds).
    #[arg(long, default_value_t = ReuseOptions::default().ngram as u64, value_parser = clap::value_parser!(u64).range(1..=32))]
    pub anchor_ngram: u64,
    /// Keep anchors found in at least this many documents.
    #[arg(long, default_value_t = ReuseOptions::default().min_df)]
    pub min_df: usize,
    /// Drop anchors found in more than this many documents (boilerplate).
    #[arg(long, default_value_t = ReuseOptions::default().max_df)]
    pub max_df: usize,
    /// Align a pair of documents when it shares at least this many anchors.
    #[arg(long, default_value_t = ReuseOptions::default().min_shared)]
    pub min_shared: usize,
    /// Do not align documents of the same series.
    #[arg(long)]
    pub skip_same_series: bool,
    /// Two spans of a document are one cluster member when they overlap by at least this
    /// share of the longer one.
    #[arg(long, default_value_t = ReuseOptions::default().min_overlap)]
    pub min_overlap: f64,
    /// Keep an alignment only when its two spans share at least this share of their anchors
    /// beyond boilerplate (e.g. 0.1 for corpora of templated texts, which align on the
    /// template alone; 0 keeps OCR-noisy copies, whose n-grams noise breaks).
    #[arg(long, default_value_t = ReuseOptions::default().min_anchor_density)]
    pub min_anchor_density: f64,
    /// Memory budget for the whole run: the documents, the anchor and pair tables, the
    /// alignment batches and the passages (e.g. 512M, 8G); beyond it, sorted runs spill to
    /// --tmp.
    #[arg(long, default_value = "2G", value_parser = parse_size)]
    pub memory: u64,
    /// Folder for spilled runs (default: the system's temporary folder).
    #[arg(long, value_name = "DIR")]
    pub tmp: Option<PathBuf>,
    /// Skip inputs and JSON Lines records that cannot be read (with a warning each) instead
    /// of stopping at the first.
    #[arg(long)]
    pub skip_bad: bool,
    /// No progress bars.
    #[arg(long, short)]
    pub quiet: bool,
    /// Cluster translated passages too: auto (when the cross-lingual model is installed,
    /// documents in different languages are paired by their sentence embeddings) or never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "never"])]
    pub cross_lingual: String,
    #[command(flatten)]
    pub model: ModelDirArg,
    #[command(flatten)]
    pub align: AlignArgs,
}

/// "8G", "512M", "64k", "1.5GB", "1000000": bytes (powers of 1024).
pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("'{s}' is not a size (e.g. 512M, 8G)"))?;
    let scale: u64 = match unit
        .trim()
        .to_ascii_lowercase()
        .trim_end_matches(['b', 'i'])
    {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return Err(format!("'{s}': unknown unit (use K, M, G or T)")),
    };
    Ok((number * scale as f64) as u64)
}

/// Progress bars on standard error, one per stage (hidden when quiet or not a terminal).
pub(crate) struct Bars {
    bar: Mutex<ProgressBar>,
    visible: bool,
    started: Mutex<Instant>,
    timings: Mutex<Vec<(&'static str, Duration)>>,
}

impl Bars {
    pub(crate) fn new(visible: bool) -> Self {
        Bars {
            bar: Mutex::new(ProgressBar::hidden()),
            visible,
            started: Mutex::new(Instant::now()),
            timings: Mutex::new(Vec::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ProgressBar> {
        self.bar.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl stemma_reuse::Progress for Bars {
    fn stage(&self, name: &'static str, total: u64) {
        *self.started.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        self.timings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((name, Duration::ZERO));
        if !self.visible {
            return;
        }
        let bar = if total > 0 {
            ProgressBar::new(total).with_style(
                ProgressStyle::with_template(
                    "{prefix:>8} [{bar:30}] {human_pos}/{human_len} {per_sec} eta {eta}",
                )
                .expect("template")
                .progress_chars("=> "),
            )
        } else {
            ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{prefix:>8} {spinner} {human_pos} {elapsed}")
                    .expect("template"),
            )
        };
        bar.set_prefix(name);
        bar.enable_steady_tick(Duration::from_millis(200));
        *self.lock() = bar;
    }

    fn advance(&self, n: u64) {
        if self.visible {
            self.lock().inc(n);
        }
    }

    fn finish(&self) {
        let elapsed = self
            .started
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed();
        if let Some(last) = self
            .timings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .last_mut()
        {
            last.1 = elapsed;
        }
        if self.visible {
            self.lock().finish_and_clear();
        }
    }
}

/// The fields of a JSON Lines record beyond the document's, carried into the output.
type Extra = Map<String, Value>;

/// Read every input into documents (and the extra fields of JSON Lines records), in input
/// order; files are read in parallel.
fn load(args: &ReuseArgs, limits: &Limits, bars: &Bars) -> Result<(Vec<Document>, Vec<Extra>)> {
    use stemma_reuse::Progress;
    let inputs: Vec<Input> = stemma_ingest::walk_inputs(&args.inputs).collect();
    bars.stage("read", inputs.len() as u64);
    type Loaded = Vec<(Document, Extra)>;
    let loaded: Vec<Result<Loaded, Vec<String>>> = inputs
        .par_iter()
        .map(|input| {
            let result = read_input(input, limits, args.skip_bad);
            bars.advance(1);
            result
        })
        .collect();
    let mut docs = Vec::new();
    let mut extras = Vec::new();
    let mut any_extra = false;
    for result in loaded {
        match result {
            Ok(records) => {
                for (doc, extra) in records {
                    any_extra |= !extra.is_empty();
                    docs.push(doc);
                    extras.push(extra);
                }
            }
            Err(messages) => {
                for m in &messages {
                    if args.skip_bad {
                        eprintln!("stemma: warning: skipped {m}");
                    } else {
                        anyhow::bail!("{m}");
                    }
                }
            }
        }
    }
    if let Some(dir) = &args.index {
        let index = stemma_index::Index::open(dir)
            .with_context(|| format!("{}: cannot open the index", dir.display()))?;
        let list = index.list()?;
        bars.stage("index", list.len() as u64);
        for info in list {
            if let Some(doc) = index.get(&info.id)? {
                docs.push(doc);
                extras.push(Map::new());
            }
            bars.advance(1);
        }
    }
    bars.finish();
    if !any_extra {
        extras.clear();
    }
    Ok((docs, extras))
}

/// One input's documents; with `skip_bad`, bad JSON Lines records are skipped with a
/// warning and the rest kept; otherwise the first bad record fails the input.
fn read_input(
    input: &Input,
    limits: &Limits,
    skip_bad: bool,
) -> Result<Vec<(Document, Extra)>, Vec<String>> {
    if !input.is_stdin() && Format::from_path(&input.path) == Some(Format::Jsonl) {
        let reader = JsonlReader::open(input, limits).map_err(|e| vec![e.to_string()])?;
        let mut out = Vec::new();
        for record in reader {
            match record {
                Ok(r) => out.push((r.document, r.extra)),
                Err(e) if skip_bad => eprintln!("stemma: warning: skipped {e}"),
                Err(e) => return Err(vec![e.to_string()]),
            }
        }
        return Ok(out);
    }
    stemma_ingest::load_input(input, limits)
        .map(|docs| docs.into_iter().map(|d| (d, Map::new())).collect())
        .map_err(|e| vec![e.to_string()])
}

pub(crate) fn write_file(
    path: &Path,
    what: &str,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let fail = |e: std::io::Error| {
        let hint = if e.raw_os_error() == Some(28) {
            ": the disk is full"
        } else {
            ""
        };
        anyhow::anyhow!("{}: cannot write the {what}{hint}: {e}", path.display())
    };
    if path.as_os_str() == "-" {
        let mut stdout = std::io::stdout().lock();
        return match render(&mut stdout).and_then(|_| stdout.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(fail),
        };
    }
    let file = File::create(path).map_err(fail)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    render(&mut out).map_err(fail)?;
    let file = out.into_inner().map_err(|e| e.into_error()).map_err(fail)?;
    // Only a regular file can be synced: `--out /dev/null` (or a pipe) refuses fsync with
    // EINVAL although everything was written.
    if file.metadata().map_err(fail)?.is_file() {
        file.sync_all().map_err(fail)?;
    }
    Ok(())
}

/// Run `stemma reuse`.
pub fn run(args: ReuseArgs) -> Result<()> {
    anyhow::ensure!(
        !args.inputs.is_empty() || args.index.is_some(),
        "nothing to read: give files, folders or JSON Lines corpora, or --index DIR"
    );
    let align = args.align.options(ReuseOptions::default_align())?;
    let options = ReuseOptions {
        ngram: args.anchor_ngram as usize,
        min_df: args.min_df,
        max_df: args.max_df,
        min_shared: args.min_shared,
        skip_same_series: args.skip_same_series,
        min_overlap: args.min_overlap,
        min_anchor_density: args.min_anchor_density,
        memory: args.memory,
        tmp_dir: args.tmp.clone(),
        align,
        keep_diffs: false,
    };
    let visible = !args.quiet && std::io::stderr().is_terminal();
    let bars = Bars::new(visible);
    let started = Instant::now();
    // A model folder that is named but missing, truncated or wrong stops here, before reading.
    let model = match args.cross_lingual.as_str() {
        "never" => None,
        _ => Some(load_for_comparison(&args.model)?),
    };
    let (docs, extras) = load(&args, &args.align.limits(), &bars)?;
    // As `stemma dedup`: an empty corpus is refused, not reported as 0 clusters.
    anyhow::ensure!(!docs.is_empty(), "no documents were read");
    let cross_options = CrossLingualOptions::default();
    let cross = match &model {
        Some(Some(model)) => Some(CrossLingual {
            encoder: model,
            options: &cross_options,
        }),
        _ => None,
    };
    let mut reuse =
        stemma_reuse::find_reuse_across(&docs, &options, cross, &bars).map_err(|e| match e {
            ReuseError::Options(m) => anyhow::anyhow!(m),
            other => anyhow::anyhow!(other),
        })?;
    if let Some(None) = &model {
        let (dir, _) = args.model.resolve();
        reuse.cross_lingual = Some(CrossLingualReuse {
            status: "model_missing",
            notes: vec![format!(
                "translated passages were not searched: the cross-lingual model is not installed; install it with `stemma model install` (into {}), or turn this off with --cross-lingual never",
                dir.display()
            )],
            ..CrossLingualReuse::default()
        });
    }
    let view = ReuseView {
        docs: &docs,
        extras: &extras,
        reuse: &reuse,
        options: &options,
    };
    if let Some(path) = &args.out {
        write_file(path, "clusters", |out| {
            stemma_report::reuse::write_clusters(&view, out)
        })?;
    }
    if let Some(path) = &args.pairs {
        write_file(path, "pairwise alignments", |out| {
            stemma_report::reuse::write_pairs(&view, out)
        })?;
    }
    if let Some(path) = &args.html {
        let page = stemma_report::reuse::to_html(&view);
        write_file(path, "HTML overview", |out| out.write_all(page.as_bytes()))?;
    }
    if !args.quiet && !args.json {
        let timings = bars.timings.lock().unwrap_or_else(|e| e.into_inner());
        let line: Vec<String> = timings
            .iter()
            .map(|(name, t)| format!("{name} {:.2}s", t.as_secs_f64()))
            .collect();
        eprintln!(
            "stemma: {} in {:.2}s ({})",
            plural(docs.len() as u64, "document", "documents"),
            started.elapsed().as_secs_f64(),
            line.join(", ")
        );
    }
    let writes_stdout = args.out.as_deref() == Some(Path::new("-"));
    if args.json {
        output::write_stdout(&stemma_report::reuse::summary_json(&view))
    } else if writes_stdout {
        eprint!("{}", stemma_report::reuse::to_terminal(&view));
        Ok(())
    } else {
        output::write_stdout(&stemma_report::reuse::to_terminal(&view))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("3X").is_err());
    }
}

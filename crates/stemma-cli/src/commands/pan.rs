//! `stemma pan PAIRS SRC_DIR SUSP_DIR OUT_DIR`.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use rayon::prelude::*;
use stemma_eval::{CharRange, Detection, Pair};
use stemma_text::{Analysis, CharOffsets, Document};

use super::compare::AlignArgs;
use super::model::{load_for_comparison, ModelDirArg};

/// Arguments of `stemma pan`.
#[derive(Debug, Args)]
pub struct PanArgs {
    /// The pairs file: one "suspicious-document.txt source-document.txt" a line.
    pub pairs: PathBuf,
    /// Folder of source documents.
    pub src_dir: PathBuf,
    /// Folder of suspicious documents.
    pub susp_dir: PathBuf,
    /// Folder to write one detection XML per pair into (created if missing).
    pub out_dir: PathBuf,
    /// Look for translated passages: auto (in pairs whose documents' languages differ),
    /// always, or never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub cross_lingual: String,
    #[command(flatten)]
    pub model: ModelDirArg,
    #[command(flatten)]
    pub align: AlignArgs,
}

/// One loaded document with what alignment and offset conversion need.
struct Loaded {
    document: Document,
    analysis: Analysis,
    /// Characters before `document.text` in the file as PAN counts them: 1 for a UTF-8 byte
    /// order mark (decoding drops it, but PAN's tools read it as U+FEFF), else 0.
    char_shift: usize,
}

/// Run `stemma pan`: every distinct document is loaded and analyzed once (in parallel), then
/// every pair is aligned (in parallel) with A = source and B = suspicious, and its detection
/// XML written to `OUT_DIR/{susp stem}-{src stem}.xml`, offsets in characters. The output does
/// not depend on the thread count.
pub fn run(args: PanArgs) -> Result<()> {
    let started = Instant::now();
    let options = args
        .align
        .options(stemma_align::CompareOptions::default())?;
    let limits = args.align.limits();
    let mut pairs = stemma_eval::read_pairs(&args.pairs)?;
    // A pair listed twice is aligned (and its file written) once.
    let mut seen = HashSet::with_capacity(pairs.len());
    pairs.retain(|pair| seen.insert(pair.clone()));
    for dir in [&args.src_dir, &args.susp_dir] {
        anyhow::ensure!(dir.is_dir(), "{}: folder not found", dir.display());
    }

    // Distinct documents: sources first, then suspicious documents, each sorted by name.
    let sources = distinct(pairs.iter().map(|p| p.source.as_str()));
    let suspicious = distinct(pairs.iter().map(|p| p.suspicious.as_str()));
    let jobs: Vec<PathBuf> = sources
        .iter()
        .map(|name| args.src_dir.join(name))
        .chain(suspicious.iter().map(|name| args.susp_dir.join(name)))
        .collect();
    let loaded: Vec<Result<Loaded>> = jobs
        .par_iter()
        .map(|path| {
            let input = path
                .to_str()
                .with_context(|| format!("{}: the path is not valid UTF-8", path.display()))?;
            let mut document = stemma_ingest::load(input, &limits)?;
            if document.lang.is_none() && args.cross_lingual != "never" {
                document.lang = stemma_text::guess_language(&document.text).map(str::to_string);
            }
            let analysis = stemma_text::analyze(&document.text);
            let char_shift = usize::from(starts_with_utf8_bom(path));
            Ok(Loaded {
                document,
                analysis,
                char_shift,
            })
        })
        .collect();
    // The first failure in input order, so the error does not depend on the thread count.
    let loaded = loaded.into_iter().collect::<Result<Vec<Loaded>>>()?;
    let offsets: Vec<CharOffsets<'_>> = loaded
        .par_iter()
        .map(|l| CharOffsets::new(&l.document.text))
        .collect();

    // Which pairs are compared across languages, and the sentence vectors they need.
    let cross = |src: usize, susp: usize| match args.cross_lingual.as_str() {
        "always" => true,
        "auto" => {
            matches!((&loaded[src].document.lang, &loaded[susp].document.lang), (Some(x), Some(y)) if x != y)
        }
        _ => false,
    };
    let pair_docs = |pair: &Pair| {
        (
            index_of(&sources, &pair.source),
            sources.len() + index_of(&suspicious, &pair.suspicious),
        )
    };
    let mut needed = vec![false; loaded.len()];
    for (src, susp) in pairs.iter().map(pair_docs) {
        if cross(src, susp) {
            needed[src] = true;
            needed[susp] = true;
        }
    }
    let model = if needed.contains(&true) {
        let model = load_for_comparison(&args.model)?;
        if model.is_none() {
            eprintln!(
                "stemma: some pairs are in different languages: translated passages need the cross-lingual model; install it with `stemma model install` (into {})",
                args.model.resolve().0.display()
            );
        }
        model
    } else {
        None
    };
    let vectors: Vec<Option<stemma_xling::SentenceVectors>> = match &model {
        Some(model) => loaded
            .par_iter()
            .zip(&needed)
            .map(|(l, &need)| {
                need.then(|| {
                    model.sentence_vectors(
                        &l.document.text,
                        &l.analysis,
                        l.document.lang.as_deref(),
                    )
                })
            })
            .collect(),
        None => vec![None; loaded.len()],
    };

    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("{}: cannot create the folder", args.out_dir.display()))?;
    let counts: Vec<Result<usize>> = pairs
        .par_iter()
        .map(|pair| {
            let (src, susp) = pair_docs(pair);
            let mut passages =
                stemma_align::align(&loaded[src].analysis, &loaded[susp].analysis, &options);
            if let (true, Some(a), Some(b)) = (cross(src, susp), &vectors[src], &vectors[susp]) {
                let options = stemma_xling::TranslateOptions::for_languages(
                    loaded[src].document.lang.as_deref(),
                    loaded[susp].document.lang.as_deref(),
                );
                let found = stemma_xling::find_translated_texts(
                    &loaded[src].document.text,
                    a,
                    &loaded[susp].document.text,
                    b,
                    &options,
                );
                stemma_xling::add_translated(&mut passages, found);
            }
            let (src_chars, susp_chars) = (&offsets[src], &offsets[susp]);
            let (src_shift, susp_shift) = (loaded[src].char_shift, loaded[susp].char_shift);
            let mut detections: Vec<Detection> = passages
                .iter()
                .filter(|p| !p.a.is_empty() && !p.b.is_empty())
                .map(|p| Detection {
                    suspicious: CharRange::from_bounds(
                        susp_shift + susp_chars.char_of(p.b.start),
                        susp_shift + susp_chars.char_of(p.b.end),
                    ),
                    source: CharRange::from_bounds(
                        src_shift + src_chars.char_of(p.a.start),
                        src_shift + src_chars.char_of(p.a.end),
                    ),
                })
                .collect();
            detections.sort_unstable();
            detections.dedup();
            write_detections(&args.out_dir, pair, &detections)?;
            Ok(detections.len())
        })
        .collect();
    let mut detections = 0;
    for count in counts {
        detections += count?;
    }

    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "stemma pan: {} pairs, {} detections, {:.2} s, {:.0} pairs/s",
        pairs.len(),
        detections,
        seconds,
        pairs.len() as f64 / seconds.max(1e-9)
    );
    Ok(())
}

/// Whether the file starts with the UTF-8 byte order mark.
fn starts_with_utf8_bom(path: &Path) -> bool {
    let mut head = [0u8; 3];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut head))
        .is_ok()
        && head == [0xEF, 0xBB, 0xBF]
}

fn distinct<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    names.dedup();
    names
}

fn index_of(names: &[&str], name: &str) -> usize {
    names
        .binary_search(&name)
        .expect("every pair's documents are loaded")
}

fn write_detections(out_dir: &Path, pair: &Pair, detections: &[Detection]) -> Result<()> {
    let path = out_dir.join(pair.xml_file_name());
    std::fs::write(&path, stemma_eval::detection_xml(pair, detections))
        .with_context(|| format!("{}: cannot write", path.display()))
}

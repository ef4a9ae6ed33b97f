//! `stemma compare A B`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use stemma_align::CompareOptions;
use stemma_ingest::Limits;
use stemma_report::compare::{CompareView, CrossLingual};
use stemma_text::{Analysis, Document};

use super::model::{load_for_comparison, ModelDirArg};
use super::output;

/// Options shared by every command that aligns text.
#[derive(Debug, Clone, Args)]
pub struct AlignArgs {
    /// Seed n-gram size, in content words (stopwords are skipped inside n-grams)
    /// [default: 3; reuse: 2].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub ngram: Option<u16>,
    /// Minimum passage length in words, on both sides.
    #[arg(long, default_value_t = CompareOptions::default().min_words)]
    pub min_words: usize,
    /// Maximum gap in words between pieces of one passage.
    #[arg(long, default_value_t = CompareOptions::default().max_gap)]
    pub max_gap: usize,
    /// Minimum identity (0–1) of a reported passage [default: 0; reuse: 0.5].
    #[arg(long)]
    pub min_identity: Option<f64>,
    /// Seed from exact n-grams only (no sentence-similarity seeds for reworded text).
    #[arg(long)]
    pub no_sentence_seeds: bool,
    /// Report every alignment as a passage, also those lying mostly inside a better passage
    /// on one side (by default they are listed under it, as alternatives).
    #[arg(long)]
    pub all_alignments: bool,
    /// Largest input accepted, in bytes.
    #[arg(long, default_value_t = Limits::default().max_bytes)]
    pub max_bytes: u64,
}

impl AlignArgs {
    /// The alignment options these flags describe; flags not given keep the command's
    /// `defaults`.
    pub fn options(&self, defaults: CompareOptions) -> Result<CompareOptions> {
        let min_identity = self.min_identity.unwrap_or(defaults.min_identity);
        anyhow::ensure!(
            (0.0..=1.0).contains(&min_identity),
            "--min-identity must be between 0 and 1, not {min_identity}"
        );
        Ok(CompareOptions {
            ngram: self.ngram.map_or(defaults.ngram, usize::from),
            min_words: self.min_words.max(1),
            max_gap: self.max_gap,
            min_identity,
            sentence_seeds: !self.no_sentence_seeds,
            all_alignments: self.all_alignments || defaults.all_alignments,
        })
    }

    /// Input limits.
    pub fn limits(&self) -> Limits {
        Limits {
            max_bytes: self.max_bytes,
        }
    }
}

/// Arguments of `stemma compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first document (the earlier one, by convention); '-' reads standard input.
    pub a: String,
    /// The second document; '-' reads standard input.
    pub b: String,
    /// Print JSON (schema "stemma.compare/1") instead of the terminal report.
    #[arg(long)]
    pub json: bool,
    /// Also write a self-contained HTML report to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,
    /// Look for translated passages: auto (when the two documents' languages differ),
    /// always, or never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub cross_lingual: String,
    #[command(flatten)]
    pub model: ModelDirArg,
    #[command(flatten)]
    pub align: AlignArgs,
}

/// Run `stemma compare`.
pub fn run(args: CompareArgs) -> Result<()> {
    anyhow::ensure!(
        !(args.a == "-" && args.b == "-"),
        "only one of the two documents can be read from standard input"
    );
    let options = args.align.options(CompareOptions::default())?;
    let limits = args.align.limits();
    let (a, b) = rayon::join(
        || stemma_ingest::load(&args.a, &limits),
        || stemma_ingest::load(&args.b, &limits),
    );
    let (mut a, mut b) = (a?, b?);
    for doc in [&mut a, &mut b] {
        if doc.lang.is_none() {
            doc.lang = stemma_text::guess_language(&doc.text).map(str::to_string);
        }
    }
    let (a_analysis, b_analysis) = rayon::join(
        || stemma_text::analyze(&a.text),
        || stemma_text::analyze(&b.text),
    );
    let mut passages = stemma_align::align(&a_analysis, &b_analysis, &options);
    let languages_differ = matches!((&a.lang, &b.lang), (Some(x), Some(y)) if x != y);
    let cross_lingual = match args.cross_lingual.as_str() {
        "always" => Some(translated(
            &args.model,
            &a,
            &a_analysis,
            &b,
            &b_analysis,
            &mut passages,
        )?),
        "auto" if languages_differ => Some(translated(
            &args.model,
            &a,
            &a_analysis,
            &b,
            &b_analysis,
            &mut passages,
        )?),
        _ => None,
    };
    if let Some(cross) = &cross_lingual {
        for note in &cross.notes {
            eprintln!("stemma: {note}");
        }
    }
    let view = CompareView {
        a: &a,
        b: &b,
        a_words: a_analysis.tokens.len(),
        b_words: b_analysis.tokens.len(),
        passages: &passages,
        options: &options,
        cross_lingual: cross_lingual.as_ref(),
    };
    output::write_html(args.html.as_deref(), || {
        stemma_report::compare::to_html(&view)
    })?;
    let rendered = if args.json {
        stemma_report::compare::to_json(&view)
    } else {
        stemma_report::compare::to_terminal(&view, output::terminal_style(&args.color))
    };
    output::write_stdout(&rendered)
}

/// Add the translated passages of `a` and `b` to `passages` (a translated passage that
/// overlaps a monolingual one on both sides is left out: the monolingual one explains it).
fn translated(
    model_dir: &ModelDirArg,
    a: &Document,
    a_analysis: &Analysis,
    b: &Document,
    b_analysis: &Analysis,
    passages: &mut Vec<stemma_align::Passage>,
) -> Result<CrossLingual> {
    let mut notes = Vec::new();
    let Some(model) = load_for_comparison(model_dir)? else {
        let (dir, _) = model_dir.resolve();
        notes.push(format!(
            "{} is {} and {} is {}: translated passages need the cross-lingual model; install it with `stemma model install` (into {})",
            a.id,
            a.lang.as_deref().unwrap_or("of unknown language"),
            b.id,
            b.lang.as_deref().unwrap_or("of unknown language"),
            dir.display()
        ));
        return Ok(CrossLingual {
            status: "model_missing",
            model: None,
            notes,
        });
    };
    for doc in [a, b] {
        match doc.lang.as_deref().map(stemma_xling::coverage) {
            Some(stemma_xling::Coverage::Trained) => {}
            Some(stemma_xling::Coverage::Related) => notes.push(format!(
                "{}: the model was not trained on {} (read through a related language: lower recall)",
                doc.id,
                doc.lang.as_deref().unwrap_or_default()
            )),
            Some(stemma_xling::Coverage::NotCovered) => notes.push(format!(
                "{}: {} is not a language the model covers: translated passages may be missed",
                doc.id,
                doc.lang.as_deref().unwrap_or_default()
            )),
            None => notes.push(format!("{}: language not recognized", doc.id)),
        }
    }
    let (a_vectors, b_vectors) = rayon::join(
        || model.sentence_vectors(&a.text, a_analysis, a.lang.as_deref()),
        || model.sentence_vectors(&b.text, b_analysis, b.lang.as_deref()),
    );
    let options =
        stemma_xling::TranslateOptions::for_languages(a.lang.as_deref(), b.lang.as_deref());
    let found =
        stemma_xling::find_translated_texts(&a.text, &a_vectors, &b.text, &b_vectors, &options);
    stemma_xling::add_translated(passages, found);
    Ok(CrossLingual {
        status: "searched",
        model: Some(stemma_xling::MODEL_NAME),
        notes,
    })
}

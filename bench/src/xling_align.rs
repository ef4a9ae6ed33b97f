//! `stemma-bench xling-align`: NTREX sentence alignment F1 and same-topic negatives in one
//! process, the model loaded once (the quick loop beside `bench/xling.sh`, which runs
//! `stemma compare` per document).
//!
//! F1: every NTREX document in LANG against its English original, the line pairs the
//! translated passages' sentence pairs cover against the gold line pairs (line i with line i),
//! as `bench/xling.sh` counts them. Negatives: every document in LANG against the English
//! version of the story closest to it in vocabulary (tf-idf cosine of the English versions;
//! same topic, not a translation): clean when no translated passage is found.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::{Context, Result};
use rayon::prelude::*;
use stemma_xling::{find_translated_texts, Model, SentenceVectors, TranslateOptions};

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn lines_of(starts: &[usize], start: usize, end: usize) -> std::ops::RangeInclusive<usize> {
    let first = starts.partition_point(|&s| s <= start) - 1;
    let last = starts.partition_point(|&s| s <= start.max(end.saturating_sub(1))) - 1;
    first..=last
}

/// Closest other story by tf-idf cosine of the English texts.
fn partners(english: &[String]) -> Vec<usize> {
    let words: Vec<HashMap<String, f64>> = english
        .iter()
        .map(|t| {
            let mut c: HashMap<String, f64> = HashMap::new();
            for w in t
                .split(|ch: char| !ch.is_ascii_alphabetic())
                .filter(|w| w.len() >= 3)
            {
                *c.entry(w.to_ascii_lowercase()).or_default() += 1.0;
            }
            c
        })
        .collect();
    let mut df: HashMap<&str, f64> = HashMap::new();
    for c in &words {
        for w in c.keys() {
            *df.entry(w).or_default() += 1.0;
        }
    }
    let n = english.len() as f64;
    let vectors: Vec<HashMap<&str, f64>> = words
        .iter()
        .map(|c| {
            let v: HashMap<&str, f64> = c
                .iter()
                .map(|(w, k)| (w.as_str(), (1.0 + k.ln()) * (n / df[w.as_str()]).ln()))
                .collect();
            let norm = v.values().map(|x| x * x).sum::<f64>().sqrt().max(1e-9);
            v.into_iter().map(|(w, x)| (w, x / norm)).collect()
        })
        .collect();
    (0..vectors.len())
        .map(|i| {
            (0..vectors.len())
                .filter(|&j| j != i)
                .map(|j| {
                    let s: f64 = vectors[i]
                        .iter()
                        .map(|(w, x)| x * vectors[j].get(w).unwrap_or(&0.0))
                        .sum();
                    (s, j)
                })
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map_or(0, |x| x.1)
        })
        .collect()
}

/// Print F1 and negatives for `lang` (rus, ukr, deu).
pub fn run(model_dir: &Path, data: &Path, lang: &str) -> Result<()> {
    let model = Model::load(model_dir)?;
    let base = data.join("parallel/ntrex128/docs");
    let mut ids: Vec<String> = std::fs::read_dir(base.join("eng"))
        .with_context(|| format!("{}", base.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    ids.sort();
    let read = |l: &str, id: &str| std::fs::read_to_string(base.join(l).join(id));
    let foreign: Vec<String> = ids
        .iter()
        .map(|id| read(lang, id))
        .collect::<Result<_, _>>()?;
    let english: Vec<String> = ids
        .iter()
        .map(|id| read("eng", id))
        .collect::<Result<_, _>>()?;
    let embed = |text: &String, l: &str| -> SentenceVectors {
        model.sentence_vectors(text, &stemma_text::analyze(text), Some(l))
    };
    let fv: Vec<SentenceVectors> = foreign.par_iter().map(|t| embed(t, lang)).collect();
    let ev: Vec<SentenceVectors> = english.par_iter().map(|t| embed(t, "eng")).collect();
    let options = TranslateOptions::for_languages(Some(lang), Some("eng"));
    let (mut tp, mut fp, mut fne) = (0usize, 0usize, 0usize);
    for i in 0..ids.len() {
        let (sa, sb) = (line_starts(&foreign[i]), line_starts(&english[i]));
        let gold: HashSet<(usize, usize)> = foreign[i]
            .split('\n')
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(k, _)| (k, k))
            .collect();
        let mut predicted = HashSet::new();
        let found = find_translated_texts(&foreign[i], &fv[i], &english[i], &ev[i], &options);
        for p in &found {
            for pair in &p.sentence_pairs {
                for x in lines_of(&sa, pair.a.start, pair.a.end) {
                    for y in lines_of(&sb, pair.b.start, pair.b.end) {
                        predicted.insert((x, y));
                    }
                }
            }
        }
        if std::env::var_os("XLING_ALIGN_MISSES").is_some() {
            let hit = predicted.intersection(&gold).count();
            if hit < gold.len() {
                let spans: Vec<String> = found
                    .iter()
                    .map(|p| {
                        format!(
                            "{:?}..{:?} sim {:.2} pairs {}",
                            lines_of(&sa, p.a.start, p.a.end).start(),
                            lines_of(&sa, p.a.start, p.a.end).end(),
                            p.similarity.unwrap_or(0.0),
                            p.sentence_pairs.len()
                        )
                    })
                    .collect();
                let missed: Vec<usize> = gold
                    .iter()
                    .filter(|g| !predicted.contains(g))
                    .map(|g| g.0)
                    .collect();
                let mut missed = missed;
                missed.sort_unstable();
                println!("{}: {hit}/{} lines, {} sentences/{}; passages {spans:?}; missed lines {missed:?}", ids[i], gold.len(), fv[i].len(), ev[i].len());
            }
        }
        tp += predicted.intersection(&gold).count();
        fp += predicted.difference(&gold).count();
        fne += gold.difference(&predicted).count();
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fne).max(1) as f64;
    let f1 = 2.0 * p * r / (p + r).max(1e-9);
    let partner = partners(&english);
    let dirty: Vec<usize> = (0..ids.len())
        .filter(|&i| {
            !find_translated_texts(
                &foreign[i],
                &fv[i],
                &english[partner[i]],
                &ev[partner[i]],
                &options,
            )
            .is_empty()
        })
        .collect();
    println!(
        "en–{lang}: precision {p:.3} recall {r:.3} F1 {f1:.3}; same-topic negatives clean {:.3} ({} of {} with a passage)",
        1.0 - dirty.len() as f64 / ids.len() as f64,
        dirty.len(),
        ids.len()
    );
    Ok(())
}

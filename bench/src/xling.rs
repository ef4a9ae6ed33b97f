//! `stemma-bench xling-model`: the sentence model's accuracy and speed on NTREX-128.
//!
//! Accuracy as the issue measured the two candidate models: the first N English sentences
//! of `newstest2019-src.eng.txt` against their translations (`newstest2019-ref.<lang>.txt`);
//! a hit when the translation is the nearest of the N (both directions reported), with the
//! cosine of translations beside that of unrelated pairs (mean and 99.9th percentile).
//! Speed: sentences embedded per second, on one thread and on all, best of three.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use stemma_xling::{Model, DIM};

fn lines(path: &Path, n: usize) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    Ok(text.lines().take(n).map(str::to_string).collect())
}

fn cosine(a: &[f32], i: usize, b: &[f32], j: usize) -> f32 {
    a[i * DIM..(i + 1) * DIM]
        .iter()
        .zip(&b[j * DIM..(j + 1) * DIM])
        .map(|(x, y)| x * y)
        .sum()
}

/// Ukrainian goes through the same letter mapping as in `stemma compare`.
fn vectors(model: &Model, texts: &[String], lang: &str) -> Vec<f32> {
    let joined = texts.join("\n\n");
    let analysis = stemma_text::analyze(&joined);
    let sentence_vectors = model.sentence_vectors(&joined, &analysis, Some(lang));
    // One vector per line: the analysis splits at blank lines, and a line holding two
    // sentences gets the mean of its sentences' vectors (normalized).
    let mut out = vec![0f32; texts.len() * DIM];
    let mut starts = Vec::with_capacity(texts.len());
    let mut at = 0;
    for t in texts {
        starts.push(at);
        at += t.len() + 2;
    }
    for (s, span) in sentence_vectors.spans.iter().enumerate() {
        let line = starts.partition_point(|&x| x <= span.start) - 1;
        for d in 0..DIM {
            out[line * DIM + d] += sentence_vectors.vectors[s * DIM + d];
        }
    }
    for row in out.chunks_exact_mut(DIM) {
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-9);
        row.iter_mut().for_each(|v| *v /= norm);
    }
    out
}

/// Print the accuracy table and the speed lines.
pub fn run(model_dir: &Path, data: &Path, n: usize) -> Result<()> {
    let started = Instant::now();
    let model = Model::load(model_dir)?;
    println!(
        "model loaded in {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let base = data.join("parallel/ntrex128");
    let en = lines(&base.join("newstest2019-src.eng.txt"), n)?;
    let en_vectors = vectors(&model, &en, "eng");
    println!(
        "NTREX-128, first {} sentences: translation nearest of {}",
        en.len(),
        en.len()
    );
    println!("lang  en→x   x→en   cos(translation) median  cos(unrelated) mean  p99.9");
    for (lang, file) in [("rus", "rus"), ("ukr", "ukr"), ("deu", "deu")] {
        let other = lines(&base.join(format!("newstest2019-ref.{file}.txt")), n)?;
        let other_vectors = vectors(&model, &other, lang);
        let n = en.len().min(other.len());
        let (mut hits_ex, mut hits_xe) = (0, 0);
        let mut diag = Vec::with_capacity(n);
        let mut off = Vec::with_capacity(n * n);
        for i in 0..n {
            let row: Vec<f32> = (0..n)
                .map(|j| cosine(&en_vectors, i, &other_vectors, j))
                .collect();
            let best = (0..n)
                .max_by(|&x, &y| row[x].total_cmp(&row[y]))
                .unwrap_or(0);
            hits_ex += usize::from(best == i);
            let col_best = (0..n)
                .max_by(|&x, &y| {
                    cosine(&en_vectors, x, &other_vectors, i).total_cmp(&cosine(
                        &en_vectors,
                        y,
                        &other_vectors,
                        i,
                    ))
                })
                .unwrap_or(0);
            hits_xe += usize::from(col_best == i);
            for (j, &c) in row.iter().enumerate() {
                if j == i {
                    diag.push(c);
                } else {
                    off.push(c);
                }
            }
        }
        diag.sort_by(f32::total_cmp);
        off.sort_by(f32::total_cmp);
        let p999 = off[((off.len() as f64 * 0.999) as usize).min(off.len() - 1)];
        println!(
            "{lang}   {:.3}  {:.3}  {:.3}                    {:.3}                {:.3}",
            hits_ex as f64 / n as f64,
            hits_xe as f64 / n as f64,
            diag[n / 2],
            off.iter().sum::<f32>() / off.len() as f32,
            p999
        );
    }

    // Speed on sentences of 15–25 words (the "20-word sentences").
    let all = lines(&base.join("newstest2019-src.eng.txt"), usize::MAX)?;
    let twenty: Vec<&str> = all
        .iter()
        .map(String::as_str)
        .filter(|s| (15..=25).contains(&s.split_whitespace().count()))
        .collect();
    let words = twenty
        .iter()
        .map(|s| s.split_whitespace().count())
        .sum::<usize>() as f64
        / twenty.len() as f64;
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            let v = pool.install(|| model.embed(&twenty));
            best = best.min(t.elapsed().as_secs_f64());
            assert_eq!(v.len(), twenty.len() * DIM);
        }
        println!(
            "embed {} sentences of {words:.1} words on average, {threads} thread(s): {:.0} sentences/s ({:.0} per core; target ≥ 300 per core)",
            twenty.len(),
            twenty.len() as f64 / best,
            twenty.len() as f64 / best / threads as f64
        );
    }
    Ok(())
}

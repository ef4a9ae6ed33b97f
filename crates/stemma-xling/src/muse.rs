//! The multilingual Universal Sentence Encoder v3 network, forward pass only.
//!
//! Each piece id looks up a dequantized 512-wide row; a projection (768 = 3 × 256, layer
//! normalized) feeds three convolution branches over windows of 2, 3 and 5 pieces (two
//! residual ReLU layers each); the raw rows and the three branches (1280 features, layer
//! normalized) are summed over the sentence, projected to 512, divided by √length, and a
//! small residual tanh network gives the embedding, L2-normalized. This follows the wheel's
//! numpy backend operation for operation (`tests/fixtures/muse_reference.json` holds its
//! output for reference).
//!
//! Sentences are packed into micro-batches of about [`TOKEN_BUDGET`] pieces so that each
//! weight matrix is streamed once per batch; a window slot reaching outside its own
//! sentence reads zeros, so packing does not change any sentence's embedding. Batches run
//! in parallel; each batch is computed by one thread with a single-threaded GEMM, so the
//! output does not depend on the thread count.

use rayon::prelude::*;

use crate::model::{Weights, CHUNKS};
use crate::tokenizer::Tokenizer;

/// Embedding width.
pub const DIM: usize = 512;
const CNN: usize = 256;
const FEATURES: usize = DIM + 3 * CNN;
const HIDDEN: usize = 320;
/// (window width, pieces to the left) of the three convolution branches.
const ORDERS: [(usize, usize); 3] = [(2, 0), (3, 1), (5, 2)];
/// Pieces per micro-batch: big enough to amortize streaming the weights, small enough to
/// stay in cache.
const TOKEN_BUDGET: usize = 384;

/// `c (m×n) = a (m×k, row stride lda) · b (k×n) (+ c when accumulate)`, row-major.
#[allow(clippy::too_many_arguments)]
fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    lda: usize,
    b: &[f32],
    c: &mut [f32],
    ldc: usize,
    accumulate: bool,
) {
    if m == 0 {
        return;
    }
    assert!(lda >= k && ldc >= n, "strides narrower than the rows");
    assert!(a.len() >= (m - 1) * lda + k, "a is too short");
    assert!(b.len() >= k * n, "b is too short");
    assert!(c.len() >= (m - 1) * ldc + n, "c is too short");
    // SAFETY: the asserts above keep every element matrixmultiply reads or writes inside
    // the three slices (row-major: element (i, j) is at i × stride + j).
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            lda as isize,
            1,
            b.as_ptr(),
            n as isize,
            1,
            if accumulate { 1.0 } else { 0.0 },
            c.as_mut_ptr(),
            ldc as isize,
            1,
        );
    }
}

/// `c (m×n) = a (m×DIM) · bᵀ` where `b` is `n×DIM`, row-major: cosines of unit rows.
pub(crate) fn gemm_nt(m: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(
        a.len() >= m * DIM && b.len() >= n * DIM && c.len() >= m * n,
        "matrices too short"
    );
    // SAFETY: the assert keeps element (i, j) of a (i·DIM + j), of bᵀ (j·DIM + i, with
    // i < DIM, j < n) and of c (i·n + j) inside the slices.
    unsafe {
        matrixmultiply::sgemm(
            m,
            DIM,
            n,
            1.0,
            a.as_ptr(),
            DIM as isize,
            1,
            b.as_ptr(),
            1,
            DIM as isize,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

fn layer_norm(row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let n = row.len() as f32;
    let mean = row.iter().sum::<f32>() / n;
    let mut var = 0.0;
    for x in row.iter_mut() {
        *x -= mean;
        var += *x * *x;
    }
    let inv = 1.0 / (var / n + eps).sqrt();
    for ((x, g), b) in row.iter_mut().zip(gamma).zip(beta) {
        *x = *x * inv * g + b;
    }
}

fn add_bias_relu(rows: &mut [f32], bias: &[f32]) {
    for row in rows.chunks_exact_mut(bias.len()) {
        for (x, b) in row.iter_mut().zip(bias) {
            *x = (*x + b).max(0.0);
        }
    }
}

/// The network with its weights.
#[derive(Debug)]
pub(crate) struct Encoder {
    pub tokenizer: Tokenizer,
    weights: Weights,
    eps: f32,
}

impl Encoder {
    pub fn new(tokenizer: Tokenizer, weights: Weights) -> Self {
        let eps = weights.get("eps")[0];
        Encoder {
            tokenizer,
            weights,
            eps,
        }
    }

    /// Embeddings of `texts` (`texts.len() × DIM`, each row unit length).
    pub fn embed(&self, texts: &[&str]) -> Vec<f32> {
        let ids: Vec<Vec<u32>> = texts.par_iter().map(|t| self.tokenizer.encode(t)).collect();
        let mut batches: Vec<std::ops::Range<usize>> = Vec::new();
        let (mut first, mut tokens) = (0, 0);
        for (i, sentence) in ids.iter().enumerate() {
            if i > first && tokens + sentence.len() > TOKEN_BUDGET {
                batches.push(first..i);
                (first, tokens) = (i, 0);
            }
            tokens += sentence.len();
        }
        if first < ids.len() {
            batches.push(first..ids.len());
        }
        let mut out = vec![0f32; texts.len() * DIM];
        let mut pieces: Vec<(&std::ops::Range<usize>, &mut [f32])> =
            Vec::with_capacity(batches.len());
        let mut rest = out.as_mut_slice();
        for range in &batches {
            let (head, tail) = rest.split_at_mut(range.len() * DIM);
            pieces.push((range, head));
            rest = tail;
        }
        pieces
            .into_par_iter()
            .for_each(|(range, dest)| self.forward(&ids[range.clone()], dest));
        out
    }

    fn forward(&self, sentences: &[Vec<u32>], out: &mut [f32]) {
        let w = &self.weights;
        let t: usize = sentences.iter().map(Vec::len).sum();
        let s = sentences.len();
        // Where each token's sentence starts and ends, for the window bounds.
        let mut bounds = Vec::with_capacity(t);
        let mut sentence_of = Vec::with_capacity(t);
        let mut start = 0;
        for (i, sentence) in sentences.iter().enumerate() {
            bounds.extend(std::iter::repeat_n(
                (start, start + sentence.len()),
                sentence.len(),
            ));
            sentence_of.extend(std::iter::repeat_n(i, sentence.len()));
            start += sentence.len();
        }

        // Raw rows, dequantized, into the first 512 columns of the features.
        let mut feats = vec![0f32; t * FEATURES];
        let (scale, lo) = (w.get("scale"), w.get("lo"));
        for (r, &id) in sentences.iter().flatten().enumerate() {
            let id = (id as usize).min(w.table().len() / DIM - 1);
            let (sc, off) = (scale[id % CHUNKS], lo[id % CHUNKS]);
            let row = &w.table()[id * DIM..(id + 1) * DIM];
            for (x, &q) in feats[r * FEATURES..r * FEATURES + DIM].iter_mut().zip(row) {
                *x = f32::from(q) * sc + off;
            }
        }

        let mut x = vec![0f32; t * 3 * CNN];
        gemm(
            t,
            DIM,
            3 * CNN,
            &feats,
            FEATURES,
            w.get("proj_w"),
            &mut x,
            3 * CNN,
            false,
        );
        let (pb, pg, pbeta) = (w.get("proj_b"), w.get("proj_ln_g"), w.get("proj_ln_b"));
        for row in x.chunks_exact_mut(3 * CNN) {
            for (v, b) in row.iter_mut().zip(pb) {
                *v += b;
            }
            layer_norm(row, pg, pbeta, self.eps);
        }

        let mut window = vec![0f32; t * 5 * CNN];
        let mut h = vec![0f32; t * CNN];
        let mut c = vec![0f32; t * CNN];
        for (branch, &(n, left)) in ORDERS.iter().enumerate() {
            let (w1, b1) = (
                w.get(["w1_2", "w1_3", "w1_5"][branch]),
                w.get(["b1_2", "b1_3", "b1_5"][branch]),
            );
            let (w2, b2) = (
                w.get(["w2_2", "w2_3", "w2_5"][branch]),
                w.get(["b2_2", "b2_3", "b2_5"][branch]),
            );
            let input = |r: usize| &x[r * 3 * CNN + branch * CNN..r * 3 * CNN + (branch + 1) * CNN];
            fill_windows(&mut window, t, n, left, &bounds, input);
            gemm(t, n * CNN, CNN, &window, n * CNN, w1, &mut h, CNN, false);
            add_bias_relu(&mut h, b1);
            for r in 0..t {
                for (v, i) in h[r * CNN..(r + 1) * CNN].iter_mut().zip(input(r)) {
                    *v += i;
                }
            }
            fill_windows(&mut window, t, n, left, &bounds, |r| {
                &h[r * CNN..(r + 1) * CNN]
            });
            gemm(t, n * CNN, CNN, &window, n * CNN, w2, &mut c, CNN, false);
            add_bias_relu(&mut c, b2);
            for r in 0..t {
                let dest = &mut feats
                    [r * FEATURES + DIM + branch * CNN..r * FEATURES + DIM + (branch + 1) * CNN];
                for ((d, v), hv) in dest
                    .iter_mut()
                    .zip(&c[r * CNN..(r + 1) * CNN])
                    .zip(&h[r * CNN..(r + 1) * CNN])
                {
                    *d = v + hv;
                }
            }
        }

        let (g, b) = (w.get("ln_g"), w.get("ln_b"));
        let mut sums = vec![0f32; s * FEATURES];
        for (r, row) in feats.chunks_exact_mut(FEATURES).enumerate() {
            layer_norm(row, g, b, self.eps);
            let sentence = sentence_of[r];
            for (acc, v) in sums[sentence * FEATURES..(sentence + 1) * FEATURES]
                .iter_mut()
                .zip(row.iter())
            {
                *acc += v;
            }
        }
        // The output projection is linear, so it is applied to the sums, not every token.
        let mut mean = vec![0f32; s * DIM];
        gemm(
            s,
            FEATURES,
            DIM,
            &sums,
            FEATURES,
            w.get("cnn_w"),
            &mut mean,
            DIM,
            false,
        );
        let cnn_b = w.get("cnn_b");
        for (row, sentence) in mean.chunks_exact_mut(DIM).zip(sentences) {
            let len = sentence.len() as f32;
            let inv = 1.0 / len.sqrt();
            for (v, bias) in row.iter_mut().zip(cnn_b) {
                *v = (*v + len * bias) * inv;
            }
        }
        let mut y0 = vec![0f32; s * HIDDEN];
        gemm(
            s,
            DIM,
            HIDDEN,
            &mean,
            DIM,
            w.get("d0"),
            &mut y0,
            HIDDEN,
            false,
        );
        y0.iter_mut().for_each(|v| *v = v.max(0.0));
        let mut y1 = vec![0f32; s * HIDDEN];
        gemm(
            s,
            DIM,
            HIDDEN,
            &mean,
            DIM,
            w.get("p1"),
            &mut y1,
            HIDDEN,
            false,
        );
        gemm(
            s,
            HIDDEN,
            HIDDEN,
            &y0,
            HIDDEN,
            w.get("d1"),
            &mut y1,
            HIDDEN,
            true,
        );
        y1.iter_mut().for_each(|v| *v = v.max(0.0));
        let mut y2 = vec![0f32; s * DIM];
        gemm(
            s,
            HIDDEN,
            DIM,
            &y1,
            HIDDEN,
            w.get("d2"),
            &mut y2,
            DIM,
            false,
        );
        y2.iter_mut().for_each(|v| *v = v.max(0.0));
        gemm(s, HIDDEN, DIM, &y1, HIDDEN, w.get("p3"), out, DIM, false);
        gemm(s, DIM, DIM, &y2, DIM, w.get("d3"), out, DIM, true);
        for row in out.chunks_exact_mut(DIM) {
            row.iter_mut().for_each(|v| *v = v.tanh());
            let norm2: f32 = row.iter().map(|v| v * v).sum();
            let inv = 1.0 / norm2.max(self.eps).sqrt();
            row.iter_mut().for_each(|v| *v *= inv);
        }
    }
}

/// Rows `r` of `window` (width n × CNN) hold the `n` rows of `input` from `r - left`,
/// zeros where the window leaves the token's sentence.
fn fill_windows<'a>(
    window: &mut [f32],
    t: usize,
    n: usize,
    left: usize,
    bounds: &[(usize, usize)],
    input: impl Fn(usize) -> &'a [f32],
) {
    for r in 0..t {
        let (lo, hi) = bounds[r];
        for k in 0..n {
            let dest = &mut window[(r * n + k) * CNN..(r * n + k + 1) * CNN];
            match (r + k).checked_sub(left) {
                Some(src) if src >= lo && src < hi => dest.copy_from_slice(input(src)),
                _ => dest.fill(0.0),
            }
        }
    }
}

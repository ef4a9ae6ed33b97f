//! Token-level alignment: banded, affine-gap X-drop extension for exact passage boundaries,
//! and longest-common-subsequence alignment between anchors for matched words.

/// Reusable buffers, so the per-passage loops do not allocate.
#[derive(Default)]
pub(crate) struct Scratch {
    x: Vec<u64>,
    y: Vec<u64>,
    h: Vec<f32>,
    e: Vec<f32>,
    f: Vec<f32>,
    lcs: Vec<u16>,
    /// Token buffers for callers that copy segments out before aligning them.
    pub(crate) norms: (Vec<u64>, Vec<u64>),
}

const MATCH: f32 = 1.0;
const MISMATCH: f32 = -1.0;
const GAP_OPEN: f32 = -1.5;
const GAP_EXTEND: f32 = -0.5;
const X_DROP: f32 = 3.0;
const BAND: usize = 6;
const NEG: f32 = -1.0e9;

/// How far an alignment grows from a corner.
///
/// `x` and `y` are the tokens read outward from the corner (reversed for a leftward
/// extension). Returns the numbers of tokens of `x` and `y` in the best-scoring extension,
/// with an affine gap penalty, within a diagonal band, stopping when every cell of a row
/// falls `X_DROP` below the best.
pub(crate) fn xdrop_extend(
    x: impl Iterator<Item = u64>,
    y: impl Iterator<Item = u64>,
    max_len: usize,
    scratch: &mut Scratch,
) -> (usize, usize) {
    scratch.x.clear();
    scratch.x.extend(x.take(max_len));
    scratch.y.clear();
    scratch.y.extend(y.take(max_len));
    let (lx, ly) = (scratch.x.len(), scratch.y.len());
    if lx == 0 || ly == 0 {
        return (0, 0);
    }
    let width = ly + 1;
    let cells = (lx + 1) * width;
    for buffer in [&mut scratch.h, &mut scratch.e, &mut scratch.f] {
        buffer.clear();
        buffer.resize(cells, NEG);
    }
    let (h, e, f) = (&mut scratch.h, &mut scratch.e, &mut scratch.f);
    h[0] = 0.0;
    let mut best = (0.0f32, 0usize, 0usize);
    for j in 1..=ly.min(BAND) {
        e[j] = GAP_OPEN + GAP_EXTEND * (j - 1) as f32;
        h[j] = e[j];
    }
    for i in 1..=lx {
        let lo = i.saturating_sub(BAND).max(if i <= BAND { 0 } else { 1 });
        let hi = (i + BAND).min(ly);
        if lo > hi {
            break;
        }
        let mut row_best = NEG;
        for j in lo..=hi {
            let at = i * width + j;
            if j == 0 {
                f[at] = GAP_OPEN + GAP_EXTEND * (i - 1) as f32;
                h[at] = f[at];
            } else {
                let up = (i - 1) * width + j;
                let left = at - 1;
                let diag = (i - 1) * width + j - 1;
                e[at] = (h[left] + GAP_OPEN).max(e[left] + GAP_EXTEND);
                f[at] = (h[up] + GAP_OPEN).max(f[up] + GAP_EXTEND);
                let sub = if scratch.x[i - 1] == scratch.y[j - 1] {
                    MATCH
                } else {
                    MISMATCH
                };
                h[at] = (h[diag] + sub).max(e[at]).max(f[at]);
            }
            row_best = row_best.max(h[at]);
            if h[at] > best.0 {
                best = (h[at], i, j);
            }
        }
        if row_best < best.0 - X_DROP {
            break;
        }
    }
    (best.1, best.2)
}

/// Align `x` and `y` end to end, maximizing identical pairs (LCS); calls `on_match(i, j)`
/// for each matched pair. Segments too large for a quadratic table (over 2¹⁶ cells) are
/// matched only where they start and end identically.
pub(crate) fn lcs_matches(
    x: &[u64],
    y: &[u64],
    scratch: &mut Scratch,
    mut on_match: impl FnMut(usize, usize),
) {
    // Strip a common prefix and suffix first: the usual case is a near-verbatim segment.
    let prefix = x.iter().zip(y).take_while(|(p, q)| p == q).count();
    for k in 0..prefix {
        on_match(k, k);
    }
    let (xs, ys) = (&x[prefix..], &y[prefix..]);
    let suffix = xs
        .iter()
        .rev()
        .zip(ys.iter().rev())
        .take_while(|(p, q)| p == q)
        .count();
    for k in 0..suffix {
        on_match(x.len() - 1 - k, y.len() - 1 - k);
    }
    let (xs, ys) = (&xs[..xs.len() - suffix], &ys[..ys.len() - suffix]);
    let (m, n) = (xs.len(), ys.len());
    if m == 0 || n == 0 || (m + 1) * (n + 1) > 1 << 16 {
        return;
    }
    let width = n + 1;
    scratch.lcs.clear();
    scratch.lcs.resize((m + 1) * width, 0);
    let table = &mut scratch.lcs;
    for i in (0..m).rev() {
        for j in (0..n).rev() {
            table[i * width + j] = if xs[i] == ys[j] {
                table[(i + 1) * width + j + 1] + 1
            } else {
                table[(i + 1) * width + j].max(table[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < m && j < n {
        if xs[i] == ys[j] {
            on_match(prefix + i, prefix + j);
            i += 1;
            j += 1;
        } else if table[(i + 1) * width + j] >= table[i * width + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_stops_at_unrelated_text() {
        let mut s = Scratch::default();
        // Two identical words, then an inserted word on one side, then unrelated text.
        let x = [1u64, 2, 3, 4, 50, 51, 52, 53, 54, 55];
        let y = [1u64, 2, 9, 3, 4, 60, 61, 62, 63, 64];
        assert_eq!(
            xdrop_extend(x.into_iter(), y.into_iter(), 40, &mut s),
            (4, 5)
        );
        assert_eq!(
            xdrop_extend([7u64].into_iter(), [8u64].into_iter(), 40, &mut s),
            (0, 0)
        );
    }

    #[test]
    fn lcs_finds_every_identical_pair() {
        let mut s = Scratch::default();
        let x = [1u64, 2, 3, 4, 5, 6];
        let y = [1u64, 9, 3, 4, 6];
        let mut pairs = Vec::new();
        lcs_matches(&x, &y, &mut s, |i, j| pairs.push((i, j)));
        pairs.sort_unstable();
        assert_eq!(pairs, [(0, 0), (2, 2), (3, 3), (5, 4)]);
    }
}

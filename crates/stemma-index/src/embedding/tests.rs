//! Tests of `embedding`.

use super::*;

fn random_unit(seed: u64, dim: usize) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut v: Vec<f32> = (0..dim)
        .map(|_| {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        })
        .collect();
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= n);
    v
}

#[test]
fn quantized_vectors_keep_their_cosines() {
    let dim = 512;
    let vectors: Vec<f32> = (0..6).flat_map(|i| random_unit(i, dim)).collect();
    let e = SentenceEmbeddings {
        lang: None,
        dim,
        vectors,
    };
    let bytes = quantize(&e);
    assert_eq!(bytes.len(), 10 + 6 * (dim + 4));
    let (d, back) = dequantize(&bytes).unwrap();
    assert_eq!(d, dim);
    for i in 0..6 {
        for j in 0..6 {
            let exact: f32 = e.row(i).iter().zip(e.row(j)).map(|(x, y)| x * y).sum();
            let got: f32 = back[i * dim..(i + 1) * dim]
                .iter()
                .zip(&back[j * dim..(j + 1) * dim])
                .map(|(x, y)| x * y)
                .sum();
            assert!((exact - got).abs() < 0.01, "{exact} vs {got}");
        }
    }
    assert!(dequantize(&bytes[..bytes.len() - 1]).is_none());
    assert!(dequantize(b"nonsense bytes").is_none());
}

fn embeddings_of(seeds: &[u64], lang: &str) -> SentenceEmbeddings {
    SentenceEmbeddings {
        lang: Some(lang.into()),
        dim: 512,
        vectors: seeds.iter().flat_map(|&s| random_unit(s, 512)).collect(),
    }
}

/// Sentence `k` of a document is `random_unit(k)`, in whatever language: a translation
/// has the same seeds.
fn embedder(doc: &stemma_text::Document, _: &stemma_text::Analysis) -> SentenceEmbeddings {
    let (lang, seeds) = doc.id.split_once(':').unwrap();
    let seeds: Vec<u64> = seeds.split(',').map(|s| s.parse().unwrap()).collect();
    embeddings_of(&seeds, lang)
}

#[test]
fn embeddings_are_stored_found_added_later_and_survive_reopening() {
    use stemma_text::Document;
    let dir = tempfile::tempdir().unwrap();
    let docs = [
        Document::new("rus:1,2,3,4,5", "Раз. Два. Три. Четыре. Пять."),
        Document::new("deu:40,41,42", "Eins. Zwei. Drei."),
        Document::new("eng:1,2,3", "One. Two. Three."),
    ];
    {
        let index = Index::create(dir.path()).unwrap();
        let mut w = index.writer().unwrap();
        w.add_all_with(&docs[..2], Some(&embedder)).unwrap();
        w.add_all(&docs[2..]).unwrap();
        // Not committed: not there.
        assert_eq!(index.embedded().unwrap(), 0);
        assert!(!index.has_embeddings().unwrap());
        w.commit().unwrap();
        assert_eq!(index.embedded().unwrap(), 2);
        assert!(index.has_embeddings().unwrap());
        assert_eq!(index.unembedded().unwrap(), ["eng:1,2,3"]);
    }
    let index = Index::open(dir.path()).unwrap();
    let query = embeddings_of(&[9, 2, 3, 4, 8], "eng");
    let found = index
        .cross_lingual(&query, &CrossLingualOptions::default())
        .unwrap();
    assert_eq!(
        found.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["rus:1,2,3,4,5"]
    );
    assert_eq!(found[0].channel, Channel::CrossLingual);
    let stored = index.embeddings(&found).unwrap();
    let stored = stored[0].as_ref().unwrap();
    assert_eq!(
        (stored.sentences(), stored.lang.as_deref()),
        (5, Some("rus"))
    );
    let exact: f32 = stored
        .row(2)
        .iter()
        .zip(query.row(2))
        .map(|(x, y)| x * y)
        .sum();
    assert!(exact > 0.99, "{exact}");
    // Same language as the target: left to the monolingual channels.
    let russian = embeddings_of(&[1, 2, 3, 4], "rus");
    assert!(index
        .cross_lingual(&russian, &CrossLingualOptions::default())
        .unwrap()
        .is_empty());
    // Excluded by id.
    let options = CrossLingualOptions {
        exclude: vec!["rus:1,2,3,4,5".into()],
        ..CrossLingualOptions::default()
    };
    assert!(index.cross_lingual(&query, &options).unwrap().is_empty());

    // Embeddings added later: the document is replaced by itself with them.
    let mut w = index.writer().unwrap();
    let later = index.get("eng:1,2,3").unwrap().unwrap();
    assert_eq!(
        w.embed_all(std::slice::from_ref(&later), &embedder)
            .unwrap(),
        [crate::AddOutcome::Replaced]
    );
    w.commit().unwrap();
    assert_eq!(index.stats().unwrap().documents, 3);
    assert_eq!(index.embedded().unwrap(), 3);
    assert!(index.unembedded().unwrap().is_empty());
    assert_eq!(index.get("eng:1,2,3").unwrap().unwrap(), later);
}

#[test]
fn windows_cover_every_sentence() {
    assert_eq!(windows(0, 2), Vec::<std::ops::Range<usize>>::new());
    assert_eq!(windows(3, 2), std::iter::once(0..3).collect::<Vec<_>>());
    assert_eq!(windows(4, 2), std::iter::once(0..4).collect::<Vec<_>>());
    assert_eq!(windows(7, 2), [0..4, 2..6, 3..7]);
    assert_eq!(windows(8, 2), [0..4, 2..6, 4..8]);
}

#[test]
fn code_distance_estimates_the_angle() {
    let dim = 512;
    let a = random_unit(1, dim);
    let b = random_unit(2, dim);
    // c: 0.8 a + 0.6 b (nearly orthogonal a and b): cosine with a ≈ 0.8.
    let c: Vec<f32> = a.iter().zip(&b).map(|(x, y)| 0.8 * x + 0.6 * y).collect();
    let code = |v: &Vec<f32>| {
        window_codes(
            &SentenceEmbeddings {
                lang: None,
                dim,
                vectors: v.clone(),
            },
            2,
        )[0]
    };
    let (ca, cb, cc) = (code(&a), code(&b), code(&c));
    let hamming = |x: &[u64; CODE_WORDS], y: &[u64; CODE_WORDS]| {
        let mut closest = [0];
        closest_codes(&[*x], y, &mut closest);
        closest[0]
    };
    let exact: f32 = a.iter().zip(&c).map(|(x, y)| x * y).sum();
    assert!((cosine_of(hamming(&ca, &cc)) - exact).abs() < 0.15);
    let unrelated: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
    assert!(unrelated.abs() < 0.15, "{unrelated}");
    assert!(cosine_of(hamming(&ca, &cb)).abs() < 0.25);
}

#[test]
fn the_closest_code_is_the_same_with_and_without_popcnt() {
    let codes: Vec<u64> = (0..40u64)
        .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(i as u32))
        .collect();
    let queries: Vec<[u64; CODE_WORDS]> = codes[..12]
        .chunks_exact(CODE_WORDS)
        .map(|c| c.try_into().unwrap())
        .collect();
    let (mut fast, mut portable) = (vec![0; 3], vec![0; 3]);
    closest_codes(&queries, &codes[8..], &mut fast);
    closest_codes_portable(&queries, &codes[8..], &mut portable);
    assert_eq!(fast, portable);
    // The third query is among the codes: distance 0.
    assert_eq!(fast[2], 0);
    let naive: u32 = codes[8..]
        .chunks_exact(CODE_WORDS)
        .map(|c| {
            c.iter()
                .zip(&queries[0])
                .map(|(x, y)| (x ^ y).count_ones())
                .sum()
        })
        .min()
        .unwrap();
    assert_eq!(fast[0], naive);
    // No code at all: the farthest distance.
    closest_codes(&queries, &[], &mut fast);
    assert_eq!(fast, [CODE_BITS as u32; 3]);
}

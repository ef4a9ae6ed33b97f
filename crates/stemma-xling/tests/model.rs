//! The Rust port against the wheel's reference output, on the installed model.
//!
//! The model folder is `STEMMA_MODEL_DIR` (CI installs it there with `stemma model install`
//! and sets `STEMMA_REQUIRE_MODEL=1`, which turns a missing model into a failure); without
//! it these tests say so and pass, since a fresh checkout has no model.

use std::path::PathBuf;

use stemma_xling::Model;

fn model() -> Option<Model> {
    let required = std::env::var_os("STEMMA_REQUIRE_MODEL").is_some_and(|v| v == "1");
    let Some(dir) = std::env::var_os("STEMMA_MODEL_DIR").map(PathBuf::from) else {
        assert!(
            !required,
            "STEMMA_REQUIRE_MODEL=1 but STEMMA_MODEL_DIR is not set"
        );
        eprintln!("no STEMMA_MODEL_DIR: model tests skipped");
        return None;
    };
    match Model::load(&dir) {
        Ok(model) => Some(model),
        Err(e) => {
            assert!(!required, "{e}");
            eprintln!("{e}: model tests skipped");
            None
        }
    }
}

fn reference() -> Vec<(String, Vec<u32>, Vec<f32>)> {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/muse_reference.json")).unwrap();
    json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let ids = c["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as u32)
                .collect();
            let emb = c["embedding"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap() as f32)
                .collect();
            (c["text"].as_str().unwrap().to_string(), ids, emb)
        })
        .collect()
}

#[test]
fn piece_ids_equal_sentencepiece() {
    let Some(model) = model() else { return };
    for (text, ids, _) in reference() {
        assert_eq!(model.piece_ids(&text), ids, "{text:?}");
    }
}

#[test]
fn embeddings_equal_the_wheels_numpy_forward_pass() {
    let Some(model) = model() else { return };
    let cases = reference();
    let texts: Vec<&str> = cases.iter().map(|c| c.0.as_str()).collect();
    // All at once (packed into shared batches) and one by one: the same vectors.
    let together = model.embed(&texts);
    for (i, (text, _, expected)) in cases.iter().enumerate() {
        let alone = model.embed(&[text.as_str()]);
        let row = &together[i * 512..(i + 1) * 512];
        let cosine: f32 = row.iter().zip(expected).map(|(a, b)| a * b).sum();
        assert!(
            cosine > 0.9999,
            "{text:?}: cosine {cosine} with the reference"
        );
        let max_diff = row
            .iter()
            .zip(&alone)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(
            max_diff < 1e-5,
            "{text:?}: batching changed the vector by {max_diff}"
        );
    }
}

#[test]
fn translations_are_nearest() {
    let Some(model) = model() else { return };
    let en = [
        "The cat sleeps on the warm windowsill.",
        "Parliament approved the budget on Tuesday.",
        "Rain is expected across the north tomorrow.",
    ];
    let ru = [
        "Парламент утвердил бюджет во вторник.",
        "Завтра на севере ожидается дождь.",
        "Кошка спит на тёплом подоконнике.",
    ];
    let (e, r) = (model.embed(&en), model.embed(&ru));
    let cos = |i: usize, j: usize| -> f32 {
        e[i * 512..(i + 1) * 512]
            .iter()
            .zip(&r[j * 512..(j + 1) * 512])
            .map(|(a, b)| a * b)
            .sum()
    };
    for (i, j) in [(0, 2), (1, 0), (2, 1)] {
        for other in 0..3 {
            if other != j {
                assert!(cos(i, j) > cos(i, other) + 0.1, "{} ~ {}", en[i], ru[j]);
            }
        }
    }
}

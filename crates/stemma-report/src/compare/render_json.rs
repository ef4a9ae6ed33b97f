//! `stemma compare` as JSON, schema "stemma.compare/1".

use super::*;

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    options: JsonOptions<'a>,
    a: JsonDoc<'a>,
    b: JsonDoc<'a>,
    summary: JsonSummary<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cross_lingual: Option<&'a CrossLingual>,
    passages: Vec<JsonPassage<'a>>,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    passages: usize,
    alternatives: usize,
    kinds: &'a BTreeMap<String, usize>,
    a_coverage: f64,
    b_coverage: f64,
    a_shared_chars: usize,
    b_shared_chars: usize,
}

#[derive(Serialize)]
struct JsonPassage<'a> {
    /// None for alternatives, which are listed under their passage.
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<usize>,
    kind: PassageKind,
    identity: f64,
    score: f64,
    matched_tokens: usize,
    a: JsonSpan,
    b: JsonSpan,
    a_text: &'a str,
    b_text: &'a str,
    a_diffs: Vec<JsonSpan>,
    b_diffs: Vec<JsonSpan>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    also: Vec<JsonPassage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    similarity: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sentence_pairs: Vec<JsonSentencePair>,
}

#[derive(Serialize)]
struct JsonSentencePair {
    a: JsonSpan,
    b: JsonSpan,
    similarity: f64,
}

impl<'a> JsonPassage<'a> {
    fn new(view: &CompareView<'a>, number: Option<usize>, p: &Passage, sp: &Spans) -> Self {
        JsonPassage {
            number,
            kind: p.kind,
            identity: round4(p.identity),
            score: round4(p.score),
            matched_tokens: p.matched_tokens,
            a: JsonSpan::new(&sp.a, Some(p.a_tokens)),
            b: JsonSpan::new(&sp.b, Some(p.b_tokens)),
            a_text: &view.a.text[sp.a.start..sp.a.end],
            b_text: &view.b.text[sp.b.start..sp.b.end],
            a_diffs: sp.a_diffs.iter().map(|d| JsonSpan::new(d, None)).collect(),
            b_diffs: sp.b_diffs.iter().map(|d| JsonSpan::new(d, None)).collect(),
            also: p
                .also
                .iter()
                .zip(&sp.also)
                .map(|(alt, alt_spans)| JsonPassage::new(view, None, alt, alt_spans))
                .collect(),
            similarity: p.similarity.map(round4),
            sentence_pairs: p
                .sentence_pairs
                .iter()
                .zip(&sp.sentence_pairs)
                .map(|(pair, (a, b))| JsonSentencePair {
                    a: JsonSpan::from(a),
                    b: JsonSpan::from(b),
                    similarity: round4(pair.similarity),
                })
                .collect(),
        }
    }
}

/// JSON, schema "stemma.compare/1": pretty-printed, ending with a newline, and
/// byte-identical for the same view (fields in a fixed order, floats rounded to 4 decimals).
///
/// Top level: `schema`, `options`, `a`, `b` (documents: `id`, `title`, `source`, `date`,
/// `lang`, `encoding`, `bytes`, `chars`, `words`), `summary` (see [`CompareSummary`]) and
/// `passages`. Each passage has `number` (from 1, as in the other reports), `kind`,
/// `identity`, `score`, `matched_tokens`, spans `a` and `b` (`start`, `end` in bytes,
/// `char_start`, `char_end` in Unicode scalars, `tokens`), `a_text`, `b_text`, and the
/// unmatched words `a_diffs`, `b_diffs` (spans without `tokens`), and `also` when weaker
/// alignments of the same words were folded under the passage (each shaped like a passage
/// without `number` or `also`; `summary.alternatives` counts them). Translated passages add
/// `similarity` (mean cosine of their sentence pairs) and `sentence_pairs` (`a`, `b` spans
/// and `similarity` of each); a cross-language comparison adds the top-level `cross_lingual`
/// (`status`, `model`, `notes`).
pub fn to_json(view: &CompareView) -> String {
    let prep = Prepared::new(view);
    let s = &prep.summary;
    let report = JsonReport {
        schema: SCHEMA,
        options: JsonOptions {
            options: view.options,
        },
        a: JsonDoc::new(view.a, prep.a.chars, view.a_words),
        b: JsonDoc::new(view.b, prep.b.chars, view.b_words),
        summary: JsonSummary {
            passages: s.passages,
            alternatives: s.alternatives,
            kinds: &s.kinds,
            a_coverage: round4(s.a_coverage),
            b_coverage: round4(s.b_coverage),
            a_shared_chars: s.a_shared_chars,
            b_shared_chars: s.b_shared_chars,
        },
        cross_lingual: view.cross_lingual,
        passages: view
            .passages
            .iter()
            .zip(&prep.passages)
            .enumerate()
            .map(|(i, (p, sp))| JsonPassage::new(view, Some(i + 1), p, sp))
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&report).expect("the report serializes");
    out.push('\n');
    out
}

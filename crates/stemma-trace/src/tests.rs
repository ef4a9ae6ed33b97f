use super::*;
use crate::runners_up::clearly_worse;
use proptest::prelude::*;
use stemma_text::analyze;

const GPL: &str = "The licenses for most software are designed to take away your freedom to \
    share and change it. By contrast, the GNU General Public License is intended to guarantee \
    your freedom to share and change free software, to make sure the software is free for all \
    its users.";
const OIL: &str = "Crude oil prices climbed sharply in early trading after producers agreed to \
    extend output cuts through the end of next year, analysts at several banks noted on Monday \
    in their reports to clients.";

fn dated(id: &str, text: &str, date: Option<&str>) -> Document {
    let mut d = Document::new(id, text);
    d.date = date.map(str::to_string);
    d
}

#[test]
fn two_sources_each_explain_their_part() {
    let target = Document::new(
        "draft",
        format!(
            "Our draft opens with words of its own here. {GPL} Then {OIL} The end, ours alone."
        ),
    );
    let candidates = [
        dated("oil-story", OIL, Some("1987-03-02")),
        dated("gpl-2", GPL, Some("1991-06-01")),
        dated(
            "unrelated",
            "Nothing at all in common with the draft, only gardens.",
            None,
        ),
    ];
    let t = trace(
        &target,
        &analyze(&target.text),
        &candidates,
        &CompareOptions::default(),
    );
    let ids: Vec<&str> = t.sources.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["gpl-2", "oil-story"]);
    // Timeline: by date.
    let by_date: Vec<&str> = t
        .timeline
        .iter()
        .map(|&i| t.sources[i].id.as_str())
        .collect();
    assert_eq!(by_date, ["oil-story", "gpl-2"]);
    let gpl_chars = GPL.chars().count() as f64 / t.target_chars as f64;
    assert!((t.sources[0].share - gpl_chars).abs() < 0.02, "{t:#?}");
    assert!(
        t.unexplained_share > 0.1 && t.unexplained_share < 0.3,
        "{t:#?}"
    );
    assert_eq!(
        t.explained_chars,
        t.sources.iter().map(|s| s.chars).sum::<usize>()
    );
    for seg in &t.segments {
        let src = &candidates[t.sources[seg.source].index];
        assert!(seg.source_span.end <= src.text.len());
        assert!(
            seg.passage_target.start <= seg.target.start
                && seg.target.end <= seg.passage_target.end
        );
    }
}

#[test]
fn a_copy_of_a_copy_goes_to_the_earliest_source() {
    let target = Document::new("t", format!("Intro words here. {GPL} Outro words."));
    let candidates = [
        dated("copy-2007", GPL, Some("2007-06-29")),
        dated("orig-1991", GPL, Some("1991-06-01")),
        dated("undated", GPL, None),
    ];
    let t = trace(
        &target,
        &analyze(&target.text),
        &candidates,
        &CompareOptions::default(),
    );
    assert_eq!(t.sources.len(), 1);
    assert_eq!(t.sources[0].id, "orig-1991");
    // The later copies explain the same words: runners-up, the dated one first.
    let alternatives: Vec<&str> = t.alternatives.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(alternatives, ["copy-2007", "undated"]);
    assert_eq!(t.alternatives[0].chars, 0);
    assert_eq!(t.alternatives[0].reused_chars, t.sources[0].reused_chars);
    // Each would explain the same alone.
    assert_eq!(t.sources[0].reused_chars, t.sources[0].chars);
}

#[test]
fn nothing_explains_an_original() {
    let target = Document::new("t", "Entirely original prose about a walk by the sea.");
    let t = trace(
        &target,
        &analyze(&target.text),
        &[Document::new("g", GPL)],
        &CompareOptions::default(),
    );
    assert!(t.sources.is_empty() && t.segments.is_empty());
    assert_eq!(t.unexplained_share, 1.0);
}

pub(crate) fn span_passage(b: Span, a: Span, score: f64) -> Passage {
    Passage {
        a,
        b,
        a_tokens: 1,
        b_tokens: 1,
        matched_tokens: 1,
        identity: 1.0,
        score,
        kind: PassageKind::Verbatim,
        a_diffs: vec![],
        b_diffs: vec![],
        also: vec![],
        similarity: None,
        sentence_pairs: Vec::new(),
    }
}

proptest! {
    /// Whatever the passages, segments are disjoint, in order, on token boundaries, and the
    /// coverage adds up without double counting.
    #[test]
    fn coverage_never_double_counts(
        words in 1usize..60,
        raw in proptest::collection::vec((0usize..3, 0usize..60, 1usize..30, 1u8..20), 0..12),
    ) {
        let text: String = (0..words).map(|i| format!("w{i}é ")).collect();
        let analysis = analyze(&text);
        let docs: Vec<Document> = (0..3)
            .map(|i| dated(&format!("s{i}"), &text, if i == 1 { None } else { Some("2000") }))
            .collect();
        let mut per_source: Vec<Vec<Passage>> = vec![Vec::new(); 3];
        for (s, first, len, score) in raw {
            let first = first.min(words - 1);
            let last = (first + len).min(words) - 1;
            let span = Span {
                start: analysis.tokens[first].start as usize,
                end: analysis.tokens[last].end as usize,
            };
            per_source[s].push(span_passage(span, span, f64::from(score)));
        }
        let sources: Vec<SourcePassages> = docs
            .iter()
            .zip(per_source)
            .map(|(source, passages)| SourcePassages { source, passages })
            .collect();
        let t = attribute(&Document::new("t", text.clone()), &analysis, &sources);
        prop_assert!(t.explained_chars <= t.target_chars);
        let starts: Vec<usize> = analysis.tokens.iter().map(|t| t.start as usize).collect();
        let ends: Vec<usize> = analysis.tokens.iter().map(|t| t.end as usize).collect();
        for seg in &t.segments {
            // Offsets exact: on word boundaries, the word count is the words inside.
            prop_assert!(starts.contains(&seg.target.start) && ends.contains(&seg.target.end));
            let inside = analysis.tokens.iter()
                .filter(|w| w.start as usize >= seg.target.start && w.end as usize <= seg.target.end)
                .count();
            prop_assert_eq!(seg.words, inside);
            // Only aligned words: inside the passage it is attributed to, of its source.
            prop_assert!(seg.passage_target.start <= seg.target.start
                && seg.target.end <= seg.passage_target.end);
            let source = &sources[t.sources[seg.source].index];
            prop_assert!(source.passages.iter().any(|p| p.b == seg.passage_target && p.a == seg.source_span));
        }
        // Closest first lists every aligned source once: the sources and the runners-up.
        let mut listed: Vec<usize> = t.by_closeness.iter().map(|s| s.index).collect();
        let mut aligned: Vec<usize> = t.sources.iter().chain(&t.alternatives).map(|s| s.index).collect();
        listed.sort_unstable();
        aligned.sort_unstable();
        prop_assert_eq!(listed, aligned);
        for s in t.sources.iter().chain(&t.alternatives).chain(&t.by_closeness) {
            prop_assert!(s.closeness >= 0.0 && s.closeness <= 1.0);
            prop_assert!(s.source_share >= 0.0 && s.source_share <= 1.0);
        }
        // Every word some passage covers is attributed, but for slivers: runs shorter than
        // MIN_SEGMENT_WORDS beside another segment.
        let covered = analysis.tokens.iter().filter(|w| sources.iter().any(|sp| sp.passages.iter()
            .any(|p| p.b.start <= w.start as usize && w.end as usize <= p.b.end))).count();
        let attributed = t.segments.iter().map(|s| s.words).sum::<usize>();
        prop_assert!(attributed <= covered);
        for (k, seg) in t.segments.iter().enumerate() {
            let next = t.segments.get(k + 1).map(|n| n.target.start);
            let touches = next.is_some_and(|start| {
                !analysis.tokens.iter().any(|w| (w.start as usize) >= seg.target.end && (w.end as usize) <= start)
            });
            prop_assert!(seg.words >= MIN_SEGMENT_WORDS || !touches, "a sliver beside another segment");
        }
        prop_assert_eq!(t.explained_chars, t.sources.iter().map(|s| s.chars).sum::<usize>());
        for pair in t.segments.windows(2) {
            prop_assert!(pair[0].target.end <= pair[1].target.start);
        }
        for s in &t.sources {
            prop_assert!(s.chars <= s.reused_chars);
        }
        // Deterministic: the same input gives the same trace.
        let again = attribute(&Document::new("t", text.clone()), &analysis, &sources);
        prop_assert_eq!(&t, &again);
    }
}

#[test]
fn a_later_longer_copy_does_not_take_words_from_their_origin() {
    let filler = "Unrelated prose about the harbour, the grain ships and the council vote \
        that nobody else has written, long enough to be its own passage of words.";
    let target = Document::new("t", format!("{filler} {OIL} Our ending."));
    let candidates = [
        // A later document that carries the same words and more of the target.
        dated("later-copy", &format!("{filler} {OIL}"), Some("2010-01-01")),
        dated("origin", OIL, Some("1987-03-02")),
    ];
    let t = trace(
        &target,
        &analyze(&target.text),
        &candidates,
        &CompareOptions::default(),
    );
    let by_id = |id: &str| t.sources.iter().find(|s| s.id == id).unwrap().chars;
    let oil = OIL.chars().count();
    assert!(by_id("origin") + 2 >= oil, "{t:#?}");
    assert!(by_id("later-copy") < oil, "{t:#?}");
}

/// A passage aligning the whole of `text` with itself, with `unmatched` words (by index)
/// not aligned to an identical word.
fn whole_passage(analysis: &stemma_text::Analysis, unmatched: &[usize]) -> Passage {
    let tokens = &analysis.tokens;
    let words = tokens.len();
    let matched = words - unmatched.len();
    let identity = matched as f64 / words as f64;
    let span = Span {
        start: tokens[0].start as usize,
        end: tokens[words - 1].end as usize,
    };
    let diffs: Vec<Span> = unmatched
        .iter()
        .map(|&i| Span {
            start: tokens[i].start as usize,
            end: tokens[i].end as usize,
        })
        .collect();
    Passage {
        a: span,
        b: span,
        a_tokens: words,
        b_tokens: words,
        matched_tokens: matched,
        identity,
        score: identity * words as f64,
        kind: PassageKind::Edited,
        a_diffs: diffs.clone(),
        b_diffs: diffs,
        also: vec![],
        similarity: None,
        sentence_pairs: Vec::new(),
    }
}

#[test]
fn closest_first_names_a_short_original_before_the_long_text_the_words_were_given() {
    // The target is a text a long document holds verbatim (its first 80 words of 280) and a
    // short original holds whole, 8 words changed. Word by word the verbatim copy explains
    // it (the segmentation gives it every word); seen from both sides the original is much
    // closer (0.90 against 0.45), so it comes first, and the long document is kept second
    // with the words it was given.
    let text: String = (0..80).map(|i| format!("word{i} ")).collect();
    let long_text: String =
        text.clone() + &(80..280).map(|i| format!("more{i} ")).collect::<String>();
    let analysis = analyze(&text);
    let long = Document::new("long", long_text);
    let original = Document::new("original", &text);
    let sources = [
        SourcePassages {
            source: &long,
            passages: vec![whole_passage(&analysis, &[])],
        },
        SourcePassages {
            source: &original,
            passages: vec![whole_passage(&analysis, &[3, 13, 23, 33, 43, 53, 63, 73])],
        },
    ];
    let t = attribute(&Document::new("t", text.clone()), &analysis, &sources);
    assert_eq!(t.sources.len(), 1, "{t:#?}");
    assert_eq!(t.sources[0].id, "long");
    assert_eq!(t.alternatives[0].id, "original");
    let ids: Vec<&str> = t.by_closeness.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["original", "long"], "{t:#?}");
    assert!(t.by_closeness[0].closeness > 0.85 && t.by_closeness[1].closeness < 0.5);
    assert_eq!(t.by_closeness[1].chars, t.sources[0].chars);
}

#[test]
fn closest_first_keeps_the_source_given_the_words_among_equally_close_ones() {
    // Two copies as close as each other (the later one by a hair closer, within
    // EQUALLY_CLOSE): the segmentation gives the words to the earlier, and closest first it
    // stays first.
    let text: String = (0..200).map(|i| format!("word{i} ")).collect();
    let analysis = analyze(&text);
    let earlier = dated("earlier", &text, Some("1990"));
    let later = dated("later", &text, Some("2000"));
    let sources = [
        SourcePassages {
            source: &earlier,
            passages: vec![whole_passage(&analysis, &[10, 20, 30, 40, 50])],
        },
        SourcePassages {
            source: &later,
            passages: vec![whole_passage(&analysis, &[10, 20, 30, 40])],
        },
    ];
    let t = attribute(&Document::new("t", text.clone()), &analysis, &sources);
    assert_eq!(t.sources[0].id, "earlier", "{t:#?}");
    assert!(
        t.alternatives[0].closeness > t.sources[0].closeness,
        "{t:#?}"
    );
    let ids: Vec<&str> = t.by_closeness.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["earlier", "later"], "{t:#?}");
}

#[test]
fn a_near_copy_does_not_take_single_words_from_the_closer_source() {
    // The target is source A with three edits; source B (a derived text) differs from the
    // target at words A matches, and matches two of the words A does not: the per-word rule
    // flickered over to B for each of them.
    let text: String = (0..80).map(|i| format!("word{i} ")).collect();
    let analysis = analyze(&text);
    let a = Document::new("a", &text);
    let b = Document::new("b", &text);
    let sources = [
        SourcePassages {
            source: &b,
            passages: vec![whole_passage(&analysis, &[5, 9, 30, 31, 50, 51, 52, 70])],
        },
        SourcePassages {
            source: &a,
            passages: vec![whole_passage(&analysis, &[20, 40, 60])],
        },
    ];
    let t = attribute(&Document::new("t", text.clone()), &analysis, &sources);
    assert_eq!(t.segments.len(), 1, "{t:#?}");
    assert_eq!(t.sources[0].id, "a");
    assert_eq!(t.sources.len(), 1);
}

#[test]
fn a_source_takes_over_a_stretch_where_it_is_clearly_better() {
    // B matches a 15-word stretch that A has rewritten, and is as close as A elsewhere but
    // for its own edits: B takes that stretch, and only it.
    let text: String = (0..80).map(|i| format!("word{i} ")).collect();
    let analysis = analyze(&text);
    let a = Document::new("a", &text);
    let b = Document::new("b", &text);
    let rewritten: Vec<usize> = (30..45).collect();
    let b_edits: Vec<usize> = (0..80)
        .filter(|i| i % 4 == 1 && !(30..45).contains(i))
        .collect();
    let sources = [
        SourcePassages {
            source: &a,
            passages: vec![whole_passage(&analysis, &rewritten)],
        },
        SourcePassages {
            source: &b,
            passages: vec![whole_passage(&analysis, &b_edits)],
        },
    ];
    let t = attribute(&Document::new("t", text.clone()), &analysis, &sources);
    let owners: Vec<(&str, usize)> = t
        .segments
        .iter()
        .map(|s| (t.sources[s.source].id.as_str(), s.words))
        .collect();
    assert_eq!(owners.len(), 3, "{t:#?}");
    assert_eq!(owners[1].0, "b");
    assert_eq!(owners[1].1, 15, "{owners:?}");
}

#[test]
fn a_passage_reaching_one_word_past_a_better_one_leaves_no_sliver() {
    // A covers every word but matches few of words 1..40; B, a near copy, starts at word 1
    // and matches them all: B takes words 1..40, and word 0 is not a one-word segment of A.
    let text: String = (0..40).map(|i| format!("word{i} ")).collect();
    let analysis = analyze(&text);
    let a = Document::new("a", &text);
    let b = Document::new("b", &text);
    let mut b_passage = whole_passage(&analysis, &[]);
    b_passage.b.start = analysis.tokens[1].start as usize;
    b_passage.a.start = b_passage.b.start;
    let unmatched: Vec<usize> = (1..40).filter(|i| i % 2 == 0).collect();
    let sources = [
        SourcePassages {
            source: &a,
            passages: vec![whole_passage(&analysis, &unmatched)],
        },
        SourcePassages {
            source: &b,
            passages: vec![b_passage],
        },
    ];
    let t = attribute(&Document::new("t", text.clone()), &analysis, &sources);
    assert_eq!(t.segments.len(), 1, "{t:#?}");
    assert_eq!(t.sources[0].id, "b");
    assert_eq!(t.segments[0].words, 39);
}

#[test]
fn a_verbatim_copy_of_a_later_version_names_that_version() {
    // An earlier version differs from the target in 4 words of 60 (identity 0.93): the
    // target copied the later version word for word, which the earliest rule must not undo.
    let text: String = (0..60).map(|i| format!("word{i} ")).collect();
    let analysis = analyze(&text);
    let earlier = dated("earlier-version", &text, Some("1987-03-27"));
    let later = dated("later-version", &text, Some("1987-11-22"));
    let sources = [
        SourcePassages {
            source: &earlier,
            passages: vec![whole_passage(&analysis, &[30, 31, 32, 33])],
        },
        SourcePassages {
            source: &later,
            passages: vec![whole_passage(&analysis, &[])],
        },
    ];
    let t = attribute(&Document::new("t", text.clone()), &analysis, &sources);
    assert_eq!(t.segments.len(), 1, "{t:#?}");
    assert_eq!(t.sources[0].id, "later-version");
    // A re-filed copy that differs by one word (identity 0.98) is as close: the earliest
    // keeps the words.
    let refiled = [
        SourcePassages {
            source: &earlier,
            passages: vec![whole_passage(&analysis, &[30])],
        },
        SourcePassages {
            source: &later,
            passages: vec![whole_passage(&analysis, &[])],
        },
    ];
    let t = attribute(&Document::new("t", text.clone()), &analysis, &refiled);
    assert_eq!(t.sources[0].id, "earlier-version", "{t:#?}");
}

#[test]
fn a_short_later_edited_copy_does_not_take_words_from_the_origin() {
    // The origin is a long document holding the target's words verbatim (its prior closeness
    // is low); a later, short document holds an edited copy (high share of itself covered).
    let words: String = (0..45).map(|i| format!("word{i} ")).collect();
    let filler: String = (0..600).map(|i| format!("other{i} ")).collect();
    let target = Document::new("t", words.clone());
    let analysis = analyze(&target.text);
    let origin = dated("origin", &format!("{filler}{words}"), Some("1995-01-15"));
    let copy = dated(
        "later-copy",
        &format!("{words}tail words"),
        Some("2021-02-05"),
    );
    let in_origin = |mut p: Passage| {
        p.a.start += filler.len();
        p.a.end += filler.len();
        p
    };
    let sources = [
        SourcePassages {
            source: &copy,
            passages: vec![whole_passage(&analysis, &[10, 20, 30])],
        },
        SourcePassages {
            source: &origin,
            passages: vec![in_origin(whole_passage(&analysis, &[]))],
        },
    ];
    let t = attribute(&target, &analysis, &sources);
    assert_eq!(t.segments.len(), 1, "{t:#?}");
    assert_eq!(t.sources[0].id, "origin", "{t:#?}");
}

#[test]
fn a_translation_explaining_the_target_ranks_before_a_short_quote() {
    // The target is a translation of one source (a translated passage over all of it:
    // identity 0, similarity 0.75) and quotes ten words of another verbatim. The translation
    // is the closer source; with identity alone its closeness was 0 and it ranked last.
    let text: String = (0..80).map(|i| format!("word{i} ")).collect();
    let analysis = analyze(&text);
    let tokens = &analysis.tokens;
    let span_of = |from: usize, to: usize| Span {
        start: tokens[from].start as usize,
        end: tokens[to - 1].end as usize,
    };
    let original = Document::new("translation", "слово ".repeat(80));
    let quoted = Document::new(
        "quote",
        format!("{}{}", &text[..span_of(0, 10).end], " filler".repeat(190)),
    );
    let translated = Passage {
        a: Span {
            start: 0,
            end: original.text.len() - 1,
        },
        b: span_of(0, 80),
        a_tokens: 80,
        b_tokens: 80,
        matched_tokens: 0,
        identity: 0.0,
        score: 0.75 * 80.0,
        kind: PassageKind::Translated,
        a_diffs: vec![],
        b_diffs: vec![],
        also: vec![],
        similarity: Some(0.75),
        sentence_pairs: Vec::new(),
    };
    let quote = Passage {
        a_tokens: 10,
        b_tokens: 10,
        matched_tokens: 10,
        score: 10.0,
        ..span_passage(span_of(0, 10), span_of(0, 10), 10.0)
    };
    let sources = [
        SourcePassages {
            source: &quoted,
            passages: vec![quote],
        },
        SourcePassages {
            source: &original,
            passages: vec![translated],
        },
    ];
    let t = attribute(&Document::new("t", text.clone()), &analysis, &sources);
    assert_eq!(t.sources[0].id, "translation", "{t:#?}");
    assert!(t.sources[0].closeness > 0.5, "{t:#?}");
    assert!(t.sources[0].share > 0.8, "{t:#?}");
}

#[test]
fn scattered_other_wording_is_not_clearly_worse_but_a_missing_clause_is() {
    // 5 words of 200 where only the chosen source matches, one or two at a time: not a
    // clause, and within the tolerance (0.035 x 200 = 7 words).
    let mut lead = vec![0; 200];
    for i in [10, 30, 50, 51, 80] {
        lead[i] = 1;
    }
    assert!(!clearly_worse(&lead, identity_tolerance(0.97)));
    // The same 5 words in a row: a clause the runner-up lacks.
    let mut clause = vec![0; 200];
    clause[40..45].fill(1);
    assert!(clearly_worse(&clause, identity_tolerance(0.97)));
    // 4 in a row is a rewording, not a clause (at most SWITCH_COST).
    clause[44] = 0;
    assert!(!clearly_worse(&clause, identity_tolerance(0.97)));
    // Words the runner-up alone matches break a run and offset the lead.
    let mut mixed = vec![0; 200];
    mixed[40..50].copy_from_slice(&[1, 1, 1, -1, 1, 1, 1, 0, 0, 0]);
    assert!(!clearly_worse(&mixed, identity_tolerance(0.97)));
    // Scattered, but more than the identity tolerance allows over the words: not as close.
    let many: Vec<i32> = (0..200).map(|i| i32::from(i % 10 == 0)).collect();
    assert!(clearly_worse(&many, identity_tolerance(0.97)));
    assert!(!clearly_worse(&[], identity_tolerance(0.97)));
}

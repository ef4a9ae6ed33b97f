//! One alignment per region: repeated formulas, a phrase repeated on one side only, a passage
//! truly copied twice, the LGPL/GPL address, and the invariants as property tests.

use proptest::prelude::*;
use stemma_align::{align, CompareOptions, Passage, Span, TWIN_SHARE};
use stemma_text::{analyze, Analysis};

fn all_alignments() -> CompareOptions {
    CompareOptions {
        all_alignments: true,
        ..CompareOptions::default()
    }
}

/// Whether more than half of the shorter span lies inside the other.
fn overlap_mostly(x: Span, y: Span) -> bool {
    let overlap = x.end.min(y.end).saturating_sub(x.start.max(y.start));
    overlap * 2 > x.len().min(y.len())
}

fn apart(x: Span, y: Span) -> bool {
    x.end <= y.start || y.end <= x.start
}

/// Two findings lying mostly inside one another on a side must be twins: apart on the other
/// side, and each nearly as good as the other.
fn check_one_per_region(findings: &[Passage]) -> Result<(), String> {
    for (i, x) in findings.iter().enumerate() {
        for y in &findings[i + 1..] {
            for (on_a, inside) in [
                (true, overlap_mostly(x.a, y.a)),
                (false, overlap_mostly(x.b, y.b)),
            ] {
                if !inside {
                    continue;
                }
                let other_apart = if on_a {
                    apart(x.b, y.b)
                } else {
                    apart(x.a, y.a)
                };
                let (weak, strong) = if x.matched_tokens <= y.matched_tokens {
                    (x, y)
                } else {
                    (y, x)
                };
                let twins = other_apart
                    && weak.matched_tokens as f64
                        >= TWIN_SHARE * strong.matched_tokens as f64 - 1.0
                    && weak.identity >= TWIN_SHARE * strong.identity - 0.05;
                if !twins {
                    return Err(format!(
                        "two findings overlap mostly on {}: {x:?} and {y:?}",
                        if on_a { "A" } else { "B" }
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Spans start at a token's start and end at a token's end, and count `tokens` tokens.
fn check_exact(text: &str, analysis: &Analysis, span: Span, tokens: usize) -> Result<(), String> {
    if !(span.start < span.end && span.end <= text.len()) {
        return Err(format!("span {span:?} outside the text"));
    }
    if !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
        return Err(format!("span {span:?} not on char boundaries"));
    }
    let first = analysis
        .tokens
        .iter()
        .position(|t| t.start as usize == span.start);
    let last = analysis
        .tokens
        .iter()
        .rposition(|t| t.end as usize == span.end);
    match (first, last) {
        (Some(f), Some(l)) if l + 1 - f == tokens => Ok(()),
        _ => Err(format!(
            "span {span:?} is not {tokens} whole tokens: {:?}",
            &text[span.start..span.end]
        )),
    }
}

fn flatten(findings: &[Passage]) -> Vec<Passage> {
    let mut all: Vec<Passage> = findings
        .iter()
        .flat_map(|p| {
            let mut p = p.clone();
            let also = std::mem::take(&mut p.also);
            std::iter::once(p).chain(also)
        })
        .collect();
    all.sort_by_key(|p| (p.a, p.b));
    all
}

const FILLER: &str = "The central bank left its main rate unchanged on Tuesday, citing steady \
    growth and inflation close to its target. Analysts had expected the decision, although \
    some traders bet on a cut before the end of the year. The currency rose slightly after the \
    announcement and bond yields fell in thin trading.";

fn genealogies() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/genesis-genealogies-kjv.txt"
    ))
    .unwrap()
}

#[test]
fn repeated_formulas_give_one_passage_per_copied_region() {
    // Every verse of the genealogies is the same formula with other names and numbers: the
    // copied verses align with their origin and, more weakly, with the other verses.
    let source = genealogies();
    let start = source.find("And Seth lived").unwrap();
    let end = source.find("And Cainan lived seventy").unwrap();
    let copied = source[start..end].trim_end();
    let target = format!("{FILLER}\n\n{copied}\n\n{FILLER}");
    let (sa, ta) = (analyze(&source), analyze(&target));

    let everything = align(&sa, &ta, &all_alignments());
    assert!(
        everything.len() > 1,
        "the formulas should also align elsewhere: {everything:#?}"
    );
    let findings = align(&sa, &ta, &CompareOptions::default());
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let p = &findings[0];
    assert!(
        p.a.start <= start + 1 && p.a.end + 1 >= start + copied.len(),
        "{p:?}"
    );
    assert_eq!(&target[p.b.start..p.b.end], &source[p.a.start..p.a.end]);
    assert_eq!(p.also.len(), everything.len() - 1);
    assert_eq!(flatten(&findings), everything);
}

#[test]
fn a_phrase_repeated_on_one_side_only_is_one_passage() {
    let phrase = "Fifty one Franklin Street Fifth Floor Boston Massachusetts zip code \
                  zero two one one zero USA";
    let passage = format!(
        "You should have received a copy of the license along with this library; if not, \
         write to the Free Software Foundation, Inc., {phrase}. Everyone is permitted to copy \
         and distribute verbatim copies of this license document, but changing it is not \
         allowed, because the whole point of it is to protect the freedom of users."
    );
    let a = format!(
        "Weather: a cold front brings rain to the north and snow over the hills, with sunny \
         spells later in the week.\n\n{passage}\n\nThe end of the first text, in other words."
    );
    // B has the passage, and the phrase again, far away, in an appendix.
    let b = format!(
        "Opening words of another kind.\n\n{passage}\n\n{FILLER}\n\n{FILLER}\n\n\
         Appendix. Our address: {phrase}. Write to us."
    );
    let (aa, ba) = (analyze(&a), analyze(&b));
    let everything = align(&aa, &ba, &all_alignments());
    assert_eq!(everything.len(), 2, "{everything:#?}");
    let findings = align(&aa, &ba, &CompareOptions::default());
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let appendix = b.find("Our address").unwrap();
    assert_eq!(findings[0].also.len(), 1);
    assert!(findings[0].also[0].b.start > appendix);
    assert!(findings[0].b.end < appendix);
}

#[test]
fn a_passage_copied_twice_gives_two_passages() {
    let source = genealogies();
    let start = source.find("And Noah was five hundred").unwrap();
    let end = source.find("These are the generations of Shem").unwrap();
    let flood = "And it came to pass, when men began to multiply on the face of the earth, \
                 and daughters were born unto them, that the sons of God saw the daughters of \
                 men that they were fair; and they took them wives of all which they chose.";
    let a = format!("{}\n{flood}\n\n{}", &source[..end], &source[end..]);
    let _ = start;
    // B quotes the passage verbatim twice, and once more with one word changed.
    let edited = flood.replace("fair", "beautiful");
    let b = format!("{FILLER}\n\n{flood}\n\n{FILLER}\n\n{flood}\n\n{FILLER}\n\n{edited}\n");
    let (aa, ba) = (analyze(&a), analyze(&b));
    let findings = align(&aa, &ba, &CompareOptions::default());
    let copies: Vec<&Passage> = findings
        .iter()
        .filter(|p| a[p.a.start..p.a.end].contains("multiply on the face"))
        .collect();
    assert_eq!(copies.len(), 3, "{findings:#?}");
    let mut b_starts: Vec<usize> = copies.iter().map(|p| p.b.start).collect();
    b_starts.dedup();
    assert_eq!(b_starts.len(), 3);
    check_one_per_region(&findings).unwrap();
}

#[test]
fn a_passage_copied_twice_a_few_words_apart_gives_two_passages() {
    // The two copies in B lie within the clustering gap of each other, so their seeds form
    // one group; the second copy, whose words in A the first already explains, must still be
    // a passage of its own (it was dropped as a one-sided repeat).
    let flood = "And it came to pass, when men began to multiply on the face of the earth, \
                 and daughters were born unto them, that the sons of God saw the daughters of \
                 men that they were fair; and they took them wives of all which they chose.";
    let between = "Our reporter adds that the quotation was read aloud twice at the meeting, \
                   once by the chairman and once more by the youngest member of the council.";
    assert!((25..=35).contains(&between.split_whitespace().count()));
    let a = format!("{FILLER}\n\n{flood}\n\n{FILLER}\n");
    let b =
        format!("Opening words of another kind.\n\n{flood}\n\n{between}\n\n{flood}\n\nThe end.\n");
    let (aa, ba) = (analyze(&a), analyze(&b));
    let findings = align(&aa, &ba, &CompareOptions::default());
    let copies: Vec<usize> = findings
        .iter()
        .filter(|p| {
            let whole =
                "multiply on the face of the earth, and daughters were born unto them, that \
                         the sons of God saw the daughters of men that they were fair; and \
                         they took them wives of all which they chose";
            a[p.a.start..p.a.end].contains(whole) && b[p.b.start..p.b.end].contains(whole)
        })
        .map(|p| p.b.start)
        .collect();
    let (b1, b2) = (
        b.find("And it came").unwrap(),
        b.rfind("And it came").unwrap(),
    );
    assert_eq!(copies, vec![b1, b2], "{findings:#?}");
    check_one_per_region(&findings).unwrap();
}

#[test]
fn a_passage_twice_on_both_sides_gives_its_two_copies() {
    let flood = "And it came to pass, when men began to multiply on the face of the earth, \
                 and daughters were born unto them, that the sons of God saw the daughters of \
                 men that they were fair; and they took them wives of all which they chose.";
    let other = "Weather: a cold front brings rain to the north and snow over the hills, with \
                 sunny spells later in the week and a warm weekend along the southern coast. ";
    // A and B each hold the passage twice, with unrelated text between the copies.
    let a = format!("{flood}\n\n{}\n\n{flood}\n", other.repeat(8));
    let b = format!("{FILLER}\n\n{flood}\n\n{FILLER}\n\n{FILLER}\n\n{flood}\n\n{FILLER}\n");
    let (aa, ba) = (analyze(&a), analyze(&b));
    let everything = align(&aa, &ba, &all_alignments());
    assert!(everything.len() >= 4, "{everything:#?}");
    let findings = align(&aa, &ba, &CompareOptions::default());
    let spans: Vec<(usize, usize)> = findings.iter().map(|p| (p.a.start, p.b.start)).collect();
    let (a2, b1, b2) = (
        a.rfind("And it came").unwrap(),
        b.find("And it came").unwrap(),
        b.rfind("And it came").unwrap(),
    );
    assert_eq!(spans, vec![(0, b1), (a2, b2)], "{findings:#?}");
    check_one_per_region(&findings).unwrap();
    assert_eq!(flatten(&findings).len(), everything.len());
}

#[test]
fn lgpl_fsf_address_is_an_alternative_of_the_passage_holding_it() {
    let read = |name: &str| {
        std::fs::read_to_string(format!(
            "{}/../../examples/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let (lgpl, gpl) = (read("LGPL-2.1.txt"), read("GPL-2.txt"));
    let (la, ga) = (analyze(&lgpl), analyze(&gpl));
    let address = lgpl.find("51 Franklin Street").unwrap();
    let findings = align(&la, &ga, &CompareOptions::default());
    check_one_per_region(&findings).unwrap();
    let holding: Vec<&Passage> = findings
        .iter()
        .filter(|p| p.a.start <= address && address < p.a.end)
        .collect();
    assert_eq!(holding.len(), 1, "{holding:#?}");
    assert!(
        holding[0]
            .also
            .iter()
            .any(|alt| alt.a.start <= address && address < alt.a.end),
        "{:#?}",
        holding[0].also
    );
    let everything = align(&la, &ga, &all_alignments());
    assert!(everything.len() > findings.len());
    assert_eq!(flatten(&findings), everything);
}

const WORDS: &[&str] = &[
    "and",
    "the",
    "lived",
    "years",
    "begat",
    "sons",
    "daughters",
    "days",
    "were",
    "hundred",
    "he",
    "died",
    "of",
    "seth",
    "enos",
    "cainan",
    "jared",
    "ninety",
    "five",
    "seventy",
];

fn text(indices: &[usize]) -> String {
    let mut out = String::new();
    for (k, &i) in indices.iter().enumerate() {
        out.push_str(WORDS[i % WORDS.len()]);
        out.push_str(match k % 9 {
            4 => ", ",
            8 => ".\n",
            _ => " ",
        });
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Texts from a small formulaic vocabulary, with a shared block planted once or twice:
    /// no two findings lie mostly inside one another on either side (twins aside), every
    /// span is exact, and folding loses no alignment.
    #[test]
    fn findings_do_not_overlap_and_offsets_stay_exact(
        a_words in proptest::collection::vec(0usize..20, 40..200),
        b_words in proptest::collection::vec(0usize..20, 40..200),
        shared in proptest::collection::vec(0usize..20, 20..80),
        repeat in proptest::bool::ANY,
    ) {
        let shared = text(&shared);
        let a = format!("{}{shared}{}", text(&a_words), text(&b_words[..20]));
        let b = if repeat {
            format!("{}{shared}{}{shared}", text(&b_words), text(&a_words[..20]))
        } else {
            format!("{shared}{}", text(&b_words))
        };
        let (aa, ba) = (analyze(&a), analyze(&b));
        let findings = align(&aa, &ba, &CompareOptions::default());
        check_one_per_region(&findings).map_err(TestCaseError::fail)?;
        for p in &findings {
            for q in std::iter::once(p).chain(&p.also) {
                check_exact(&a, &aa, q.a, q.a_tokens).map_err(TestCaseError::fail)?;
                check_exact(&b, &ba, q.b, q.b_tokens).map_err(TestCaseError::fail)?;
                prop_assert!(q.also.is_empty() || std::ptr::eq(q, p));
            }
        }
        prop_assert_eq!(flatten(&findings), align(&aa, &ba, &all_alignments()));
    }
}

#[test]
fn a_formula_of_function_words_is_not_a_passage() {
    // Genesis 18 and 47 share "if now I have found favour (grace) in thy sight, … I pray
    // thee, … thy": a dozen aligned words, mostly function words, and no reuse.
    let read = |name: &str| {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let (a, b) = (read("genesis-18-kjv.txt"), read("genesis-47-kjv.txt"));
    let options = CompareOptions {
        sentence_seeds: true,
        ..all_alignments()
    };
    let passages = align(&analyze(&a), &analyze(&b), &options);
    assert!(passages.is_empty(), "{passages:#?}");
    // With fewer words asked for, the formula is found: the test can fail.
    let loose = CompareOptions {
        min_words: 8,
        ..options
    };
    assert!(!align(&analyze(&a), &analyze(&b), &loose).is_empty());
}

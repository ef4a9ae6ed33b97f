//! Tests of the compare renderers on hand-built passages whose spans are computed from the
//! real text (the aligner is not needed to test how results are shown).

use serde_json::Value;
use stemma_align::{CompareOptions, Passage, PassageKind, Span};
use stemma_text::Document;

use crate::compare::{
    summary, to_html, to_json, to_terminal, to_terminal_with, CompareView, TerminalStyle,
};

/// The span of the first `part` of `text` at or after byte `from`.
fn find(text: &str, part: &str, from: usize) -> Span {
    let start = from
        + text[from..]
            .find(part)
            .unwrap_or_else(|| panic!("{part:?} not in text"));
    Span {
        start,
        end: start + part.len(),
    }
}

fn words(text: &str) -> usize {
    stemma_text::analyze(text).tokens.len()
}

/// A passage between `pa` of `a` and `pb` of `b`, with the given diff words (searched inside
/// each passage).
fn passage(
    a: &str,
    pa: &str,
    b: &str,
    pb: &str,
    a_diffs: &[&str],
    b_diffs: &[&str],
    kind: PassageKind,
) -> Passage {
    let sa = find(a, pa, 0);
    let sb = find(b, pb, 0);
    let diffs = |text: &str, outer: Span, list: &[&str]| -> Vec<Span> {
        let mut at = outer.start;
        list.iter()
            .map(|w| {
                let s = find(text, w, at);
                assert!(s.end <= outer.end, "{w:?} outside the passage");
                at = s.end;
                s
            })
            .collect()
    };
    let a_tokens = words(pa);
    let b_tokens = words(pb);
    let matched = (a_tokens - a_diffs.len()).min(b_tokens - b_diffs.len());
    let identity = 2.0 * matched as f64 / (a_tokens + b_tokens) as f64;
    Passage {
        a: sa,
        b: sb,
        a_tokens,
        b_tokens,
        matched_tokens: matched,
        identity,
        score: identity * a_tokens.min(b_tokens) as f64,
        kind,
        a_diffs: diffs(a, sa, a_diffs),
        b_diffs: diffs(b, sb, b_diffs),
        also: vec![],
        similarity: None,
        sentence_pairs: Vec::new(),
    }
}

struct Example {
    a: Document,
    b: Document,
    passages: Vec<Passage>,
    options: CompareOptions,
}

impl Example {
    fn view(&self) -> CompareView<'_> {
        CompareView {
            a: &self.a,
            b: &self.b,
            a_words: words(&self.a.text),
            b_words: words(&self.b.text),
            passages: &self.passages,
            options: &self.options,
            cross_lingual: None,
        }
    }
}

const A_TEXT: &str = "Preamble of the first memo.\n\
The licenses for most software are designed to take away your freedom to share and change it.\n\
Свобода распространять копии — главное условие.\n\
日本語の文章もここにあります。\n\
Café déjà vu, naïve façade.";

const B_TEXT: &str = "Another opening line.\n\
Most software licenses are designed to take away your freedom to share and to change it.\n\
Главное условие: свобода распространять копии.\n\
Unrelated words in between.\n\
日本語の文章もここにあります。";

/// A small comparison with one edited passage (English), one paraphrase (Cyrillic) and one
/// verbatim passage (Japanese).
fn example() -> Example {
    let mut a = Document::new("memo-a.txt", A_TEXT);
    a.title = Some("First memo".into());
    a.date = Some("2024-01-02".into());
    let b = Document::new("memo-b.txt", B_TEXT);
    let passages = vec![
        passage(
            A_TEXT,
            "The licenses for most software are designed to take away your freedom to share and change it",
            B_TEXT,
            "Most software licenses are designed to take away your freedom to share and to change it",
            &["The", "for"],
            &["to change"],
            PassageKind::Edited,
        ),
        passage(
            A_TEXT,
            "Свобода распространять копии — главное условие",
            B_TEXT,
            "Главное условие: свобода распространять копии",
            &[],
            &[],
            PassageKind::Paraphrased,
        ),
        passage(
            A_TEXT,
            "日本語の文章もここにあります。",
            B_TEXT,
            "日本語の文章もここにあります。",
            &[],
            &[],
            PassageKind::Verbatim,
        ),
    ];
    Example {
        a,
        b,
        passages,
        options: CompareOptions::default(),
    }
}

const PLAIN: TerminalStyle = TerminalStyle {
    color: false,
    width: 80,
};

#[test]
fn json_snapshot() {
    let ex = example();
    insta::assert_snapshot!("compare_json", to_json(&ex.view()));
}

#[test]
fn terminal_snapshot() {
    let ex = example();
    insta::assert_snapshot!("compare_terminal_80", to_terminal(&ex.view(), PLAIN));
    let wide = TerminalStyle {
        color: false,
        width: 130,
    };
    insta::assert_snapshot!("compare_terminal_130", to_terminal(&ex.view(), wide));
}

#[test]
fn json_has_schema_and_fields() {
    let ex = example();
    let v: Value = serde_json::from_str(&to_json(&ex.view())).unwrap();
    assert_eq!(v["schema"], "stemma.compare/1");
    assert_eq!(v["options"]["ngram"], 3);
    assert_eq!(v["a"]["id"], "memo-a.txt");
    assert_eq!(v["a"]["title"], "First memo");
    assert_eq!(v["b"]["title"], Value::Null);
    assert_eq!(v["a"]["bytes"], A_TEXT.len());
    assert_eq!(v["a"]["chars"], A_TEXT.chars().count());
    assert_eq!(v["summary"]["passages"], 3);
    assert_eq!(v["summary"]["kinds"]["verbatim"], 1);
    assert_eq!(v["summary"]["kinds"]["edited"], 1);
    assert_eq!(v["summary"]["kinds"]["paraphrased"], 1);
    let p = &v["passages"][0];
    assert_eq!(p["kind"], "edited");
    assert_eq!(p["number"], 1);
    assert_eq!(p["a"]["tokens"], 17);
    assert_eq!(p["a_diffs"].as_array().unwrap().len(), 2);
    assert!(p["a_diffs"][0].get("tokens").is_none());
    // Floats are rounded to 4 decimals.
    let identity = p["identity"].as_f64().unwrap();
    assert_eq!(identity, (identity * 1e4).round() / 1e4);
}

/// Every span of the JSON slices the text on char boundaries, and its char offsets are the
/// exact Unicode-scalar counts, also for Cyrillic, CJK and accented text.
#[test]
fn char_offsets_are_exact() {
    let ex = example();
    let v: Value = serde_json::from_str(&to_json(&ex.view())).unwrap();
    let check = |text: &str, span: &Value| -> String {
        let (start, end) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        assert_eq!(span["char_start"], text[..start].chars().count());
        assert_eq!(span["char_end"], text[..end].chars().count());
        let by_chars: String = text
            .chars()
            .skip(span["char_start"].as_u64().unwrap() as usize)
            .take(
                (span["char_end"].as_u64().unwrap() - span["char_start"].as_u64().unwrap())
                    as usize,
            )
            .collect();
        assert_eq!(by_chars, &text[start..end]);
        by_chars
    };
    for p in v["passages"].as_array().unwrap() {
        assert_eq!(check(A_TEXT, &p["a"]), p["a_text"].as_str().unwrap());
        assert_eq!(check(B_TEXT, &p["b"]), p["b_text"].as_str().unwrap());
        for d in p["a_diffs"].as_array().unwrap() {
            check(A_TEXT, d);
        }
        for d in p["b_diffs"].as_array().unwrap() {
            check(B_TEXT, d);
        }
    }
    let cyr = &v["passages"][1]["a"];
    assert_eq!(
        cyr["char_start"],
        A_TEXT[..A_TEXT.find("Свобода").unwrap()].chars().count()
    );
    assert_eq!(
        cyr["char_end"].as_u64().unwrap() - cyr["char_start"].as_u64().unwrap(),
        "Свобода распространять копии — главное условие"
            .chars()
            .count() as u64
    );
}

/// A span that cuts through a multi-byte char (a broken contract) is widened, not sliced.
#[test]
fn broken_spans_are_snapped_to_char_boundaries() {
    let mut ex = example();
    let p = &mut ex.passages[1];
    p.a.start += 1; // inside "С"
    p.a.end -= 1; // inside "е"
    p.a_diffs = vec![Span {
        start: p.a.start - 50,
        end: p.a.start + 3,
    }];
    p.b.end = 10_000; // past the end
    let v: Value = serde_json::from_str(&to_json(&ex.view())).unwrap();
    let q = &v["passages"][1];
    assert_eq!(
        q["a_text"],
        "Свобода распространять копии — главное условие"
    );
    assert_eq!(q["b"]["end"], B_TEXT.len());
    assert_eq!(q["a_diffs"][0]["start"], q["a"]["start"]);
    assert_eq!(
        q["a_diffs"][0]["char_end"],
        q["a"]["char_start"].as_u64().unwrap() + 2
    );
    // The other renderers take the same spans.
    to_terminal(&ex.view(), PLAIN);
    to_html(&ex.view());
}

#[test]
fn coverage_counts_overlaps_once() {
    // "ж" is 2 bytes: coverage is measured in chars, not bytes.
    let text = "жжжжжжжжжж"; // 10 chars, 20 bytes
    let a = Document::new("a", text);
    let b = Document::new("b", "abcdefghij");
    let p = |a_chars: (usize, usize), b_bytes: (usize, usize)| Passage {
        a: Span {
            start: a_chars.0 * 2,
            end: a_chars.1 * 2,
        },
        b: Span {
            start: b_bytes.0,
            end: b_bytes.1,
        },
        a_tokens: 1,
        b_tokens: 1,
        matched_tokens: 1,
        identity: 1.0,
        score: 1.0,
        kind: PassageKind::Verbatim,
        a_diffs: vec![],
        b_diffs: vec![],
        also: vec![],
        similarity: None,
        sentence_pairs: Vec::new(),
    };
    // A: [0,4) ∪ [2,6) ∪ [5,7) = 7 chars; B: [0,2) ∪ [4,5) ∪ [4,5) = 3 chars.
    let passages = [p((0, 4), (0, 2)), p((2, 6), (4, 5)), p((5, 7), (4, 5))];
    let options = CompareOptions::default();
    let view = CompareView {
        a: &a,
        b: &b,
        a_words: 1,
        b_words: 1,
        passages: &passages,
        options: &options,
        cross_lingual: None,
    };
    let s = summary(&view);
    assert_eq!(s.a_shared_chars, 7);
    assert_eq!(s.b_shared_chars, 3);
    assert_eq!(s.a_coverage, 0.7);
    assert_eq!(s.b_coverage, 0.3);
    let v: Value = serde_json::from_str(&to_json(&view)).unwrap();
    assert_eq!(v["summary"]["a_coverage"], 0.7);
    assert_eq!(v["summary"]["b_shared_chars"], 3);
    assert!(to_terminal(&view, PLAIN).contains("70.0% in shared passages"));

    // Empty documents: no division by zero.
    let empty = Document::new("e", "");
    let view = CompareView {
        a: &empty,
        b: &empty,
        a_words: 0,
        b_words: 0,
        passages: &[],
        options: &options,
        cross_lingual: None,
    };
    assert_eq!(summary(&view).a_coverage, 0.0);
    assert!(to_terminal(&view, PLAIN).contains("0 shared passages"));
    assert!(to_html(&view).contains("No shared passages"));
}

const HOSTILE: &str = "Intro <script>alert(1)</script> and <img src=x onerror=alert(1)> then \
    <a href=\"javascript:alert(1)\">click</a> \u{1b}]0;pwned\u{7}\u{1b}[2J done & gone.";

fn hostile() -> Example {
    let mut a = Document::new("<script>alert(1)</script>", HOSTILE);
    a.title = Some("<img src=x onerror=alert(1)> javascript:alert(1)".into());
    a.source = Some("\"><script>alert(2)</script>".into());
    let mut b = Document::new("javascript:alert(1)", HOSTILE);
    b.title = Some("</title><script>alert(3)</script>".into());
    let whole = "<script>alert(1)</script> and <img src=x onerror=alert(1)> then \
        <a href=\"javascript:alert(1)\">click</a>";
    let passages = vec![passage(
        HOSTILE,
        whole,
        HOSTILE,
        whole,
        &["<img"],
        &["javascript:alert"],
        PassageKind::Verbatim,
    )];
    Example {
        a,
        b,
        passages,
        options: CompareOptions::default(),
    }
}

#[test]
fn html_escapes_document_text_and_metadata() {
    let ex = hostile();
    let page = to_html(&ex.view());
    assert!(
        !page.contains("<script>alert"),
        "raw script tag from the document"
    );
    assert!(!page.contains("<img"), "raw img tag from the document");
    assert!(!page.contains("href=\"javascript:"), "javascript: link");
    assert!(!page.contains("<a href=\"javascript"));
    assert!(!page.contains("</title><script>"));
    assert!(!page.contains("\"><script>"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("&lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;"));
    assert!(page.contains("&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
    // The only script element is the page's own; controls do not reach the page.
    assert_eq!(page.matches("<script").count(), 1);
    assert!(!page.contains('\u{1b}') && !page.contains('\u{7}'));
}

#[test]
fn html_is_self_contained() {
    let ex = example();
    let page = to_html(&ex.view());
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"));
    assert!(page.contains("@media print"));
    assert!(page.contains("name=\"viewport\""));
    for forbidden in ["http://", "https://", "<link", "src=", "@import", "url("] {
        assert!(!page.contains(forbidden), "external resource: {forbidden}");
    }
    for n in 1..=3 {
        assert!(page.contains(&format!("id=\"a-p{n}\" href=\"#b-p{n}\"")));
        assert!(page.contains(&format!("id=\"b-p{n}\" href=\"#a-p{n}\"")));
        assert!(page.contains(&format!("<a class=\"jump\" href=\"#a-p{n}\"")));
    }
    // Diff words are marked on their side.
    assert!(page.contains("<span class=\"m c0 d\" data-p=\"1\">The</span>"));
    assert!(page.contains("<span class=\"m c0 d\" data-p=\"1\">to change</span>"));
    // The full texts are there (escaped), the passage texts unbroken where no diff cuts them.
    assert!(page.contains("日本語の文章もここにあります。"));
    assert!(page.contains("Café déjà vu, naïve façade."));
}

#[test]
fn terminal_never_prints_controls_or_ansi_without_color() {
    let ex = hostile();
    let plain = to_terminal(&ex.view(), PLAIN);
    assert!(!plain.contains('\u{1b}'), "{plain}");
    assert!(!plain.chars().any(|c| c.is_control() && c != '\n'));
    assert!(plain.contains("\u{FFFD}]0;pwned\u{FFFD}\u{FFFD}[2J") || !plain.contains("pwned"));
    let ex = example();
    let plain = to_terminal(&ex.view(), PLAIN);
    assert!(!plain.contains('\u{1b}'));
    let wide = to_terminal(
        &ex.view(),
        TerminalStyle {
            color: false,
            width: 150,
        },
    );
    assert!(!wide.contains('\u{1b}'));

    // With colour: ANSI styles, but still none coming from the document.
    let ex = hostile();
    let color = to_terminal(
        &ex.view(),
        TerminalStyle {
            color: true,
            width: 80,
        },
    );
    assert!(color.contains("\u{1b}["));
    assert!(!color.contains("\u{1b}]"));
    assert!(!color.contains("\u{1b}[2J"));
    assert!(!color.contains('\u{7}'));
}

#[test]
fn terminal_colors_the_diff_words() {
    let ex = example();
    let out = to_terminal(
        &ex.view(),
        TerminalStyle {
            color: true,
            width: 80,
        },
    );
    let red = anstyle::Style::new()
        .fg_color(Some(anstyle::AnsiColor::Red.into()))
        .bold()
        .underline();
    let green = anstyle::Style::new()
        .fg_color(Some(anstyle::AnsiColor::Green.into()))
        .bold()
        .underline();
    assert!(out.contains(&format!("{}The{}", red.render(), red.render_reset())));
    assert!(out.contains(&format!("{}for{}", red.render(), red.render_reset())));
    assert!(out.contains(&format!("{}change{}", green.render(), green.render_reset())));
    assert!(!out.contains(&format!("{}licenses", red.render())));
    // Without colour, the same words.
    let plain = to_terminal(&ex.view(), PLAIN);
    let stripped: String = {
        let mut s = String::new();
        let mut chars = out.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                s.push(c);
            }
        }
        s
    };
    assert_eq!(stripped, plain);
}

#[test]
fn html_sets_only_wellformed_language_tags() {
    let mut ex = example();
    ex.a.lang = Some("ja".into());
    ex.b.lang = Some("en\" onmouseover=\"alert(1)".into());
    let page = to_html(&ex.view());
    assert!(page.contains("<div class=\"text\" lang=\"ja\">"));
    assert!(!page.contains("onmouseover=\"alert"));
    assert!(page.contains("en&quot; onmouseover=&quot;alert(1)"));
}

#[test]
fn terminal_wraps_to_width() {
    let ex = example();
    for width in [40, 60, 80, 119, 120, 160] {
        let out = to_terminal(
            &ex.view(),
            TerminalStyle {
                color: false,
                width,
            },
        );
        for line in out.lines() {
            let w: usize = line
                .chars()
                .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
                .sum();
            assert!(w <= width, "{w} > {width}: {line:?}");
        }
    }
}

#[test]
fn terminal_elides_long_passages() {
    let text: String = (0..500).map(|i| format!("word{i} ")).collect();
    let a = Document::new("a", text.clone());
    let b = Document::new("b", text.clone());
    let all = Span {
        start: 0,
        end: text.len() - 1,
    };
    let passages = [Passage {
        a: all,
        b: all,
        a_tokens: 500,
        b_tokens: 500,
        matched_tokens: 500,
        identity: 1.0,
        score: 500.0,
        kind: PassageKind::Verbatim,
        a_diffs: vec![],
        b_diffs: vec![],
        also: vec![],
        similarity: None,
        sentence_pairs: Vec::new(),
    }];
    let options = CompareOptions::default();
    let view = CompareView {
        a: &a,
        b: &b,
        a_words: 500,
        b_words: 500,
        passages: &passages,
        options: &options,
        cross_lingual: None,
    };
    let out = to_terminal(&view, PLAIN);
    assert!(out.contains("word0 word1"));
    assert!(out.contains("word499"));
    assert!(out.contains(" words] …"));
    assert!(out.contains("Long passages are shortened"));
    // The words shown plus the words elided are all the words.
    let marker = out.lines().find(|l| l.contains("words] …")).unwrap();
    let elided: usize = marker
        .trim()
        .trim_start_matches("… [")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let a_block: Vec<&str> = out
        .split("  B ")
        .next()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("    ") && !l.contains("words] …"))
        .collect();
    let shown: usize = a_block.iter().map(|l| l.split_whitespace().count()).sum();
    assert_eq!(shown + elided, 500);
    let full = to_terminal_with(&view, PLAIN, 0);
    assert!(!full.contains("words] …"));
    assert!(full.lines().count() > out.lines().count());
}

#[test]
fn renderings_are_deterministic() {
    let ex = example();
    let view = ex.view();
    assert_eq!(to_json(&view), to_json(&view));
    assert_eq!(to_html(&view), to_html(&view));
    assert_eq!(to_terminal(&view, PLAIN), to_terminal(&view, PLAIN));
    let again = example();
    assert_eq!(to_json(&view), to_json(&again.view()));
}

/// Two 1 MB documents with thousands of passages render quickly: nothing counts chars from
/// the start of the text per passage. (A generous bound: this only catches O(n²) work.)
#[test]
fn large_reports_render_quickly() {
    let sentence = "Съешь же ещё этих мягких французских булок, да выпей чаю — 日本語 — and café. ";
    let mut text = String::new();
    while text.len() < 1_000_000 {
        text.push_str(sentence);
    }
    let a = Document::new("a", text.clone());
    let b = Document::new("b", text.clone());
    let step = sentence.len();
    let passages: Vec<Passage> = (0..4000)
        .map(|i| {
            let start = (i * 3 * step) % (text.len() - 2 * step);
            let span = Span {
                start,
                end: start + 2 * step,
            };
            let d = find(&text, "мягких", start);
            Passage {
                a: span,
                b: span,
                a_tokens: 30,
                b_tokens: 30,
                matched_tokens: 29,
                identity: 29.0 / 30.0,
                score: 29.0,
                kind: PassageKind::Edited,
                a_diffs: vec![d],
                b_diffs: vec![d],
                also: vec![],
                similarity: None,
                sentence_pairs: Vec::new(),
            }
        })
        .collect();
    let options = CompareOptions::default();
    let view = CompareView {
        a: &a,
        b: &b,
        a_words: 200_000,
        b_words: 200_000,
        passages: &passages,
        options: &options,
        cross_lingual: None,
    };
    let t = std::time::Instant::now();
    let json = to_json(&view);
    let t_json = t.elapsed();
    let html = to_html(&view);
    let t_html = t.elapsed() - t_json;
    let term = to_terminal(&view, PLAIN);
    let elapsed = t.elapsed();
    assert!(json.len() > 1_000_000 && html.len() > 2_000_000 && term.len() > 100_000);
    assert!(elapsed.as_secs_f64() < 10.0, "took {elapsed:?}");
    eprintln!(
        "large report: json {t_json:?}, html {t_html:?}, terminal {:?}",
        elapsed - t_json - t_html
    );
}

/// A passage with an alternative (a weaker alignment of its words folded under it): JSON
/// lists it under `also` with exact char offsets, the terminal as an `also:` line, the HTML
/// in a folded list, escaped.
#[test]
fn alternatives_are_listed_under_their_passage() {
    let a = "Intro <b>. Write to the Foundation at 51 Franklin Street, Boston. End.";
    let b = "Write to the Foundation at 51 Franklin Street, Boston. Appendix: 51 Franklin Street, Boston <b>.";
    let mut main = passage(
        a,
        "Write to the Foundation at 51 Franklin Street, Boston",
        b,
        "Write to the Foundation at 51 Franklin Street, Boston",
        &[],
        &[],
        PassageKind::Verbatim,
    );
    let second = b.rfind("51 Franklin").unwrap();
    let alternative = Passage {
        b: Span {
            start: second,
            end: second + "51 Franklin Street, Boston".len(),
        },
        ..passage(
            a,
            "51 Franklin Street, Boston",
            b,
            "51 Franklin Street, Boston",
            &[],
            &[],
            PassageKind::Verbatim,
        )
    };
    main.also = vec![alternative];
    let example = Example {
        a: Document::new("a", a),
        b: Document::new("b", b),
        passages: vec![main],
        options: CompareOptions::default(),
    };
    let view = example.view();
    let json: Value = serde_json::from_str(&to_json(&view)).unwrap();
    assert_eq!(json["summary"]["passages"], 1);
    assert_eq!(json["summary"]["alternatives"], 1);
    let also = &json["passages"][0]["also"][0];
    assert!(also.get("number").is_none() && also.get("also").is_none());
    assert_eq!(also["b"]["char_start"].as_u64().unwrap() as usize, second);
    assert_eq!(also["b_text"], "51 Franklin Street, Boston");
    let text = to_terminal(
        &view,
        TerminalStyle {
            color: false,
            width: 100,
        },
    );
    assert!(text.contains("1 weaker alignment folded"), "{text}");
    assert!(text.contains("also: A 1:"), "{text}");
    let html = to_html(&view);
    assert!(html.contains("<details><summary>1 weaker alignment of these words"));
    assert!(!html.contains("<b>"));
}

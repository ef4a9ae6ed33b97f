//! Tests of `segment`.

use super::*;

fn names(text: &str) -> Vec<String> {
    segment(text, Granularity::Clause)
        .into_iter()
        .map(|c| c.name)
        .collect()
}

#[test]
fn labels_of_every_kind() {
    let text = "1. One.\n12) Twelve.\n(b) Bee.\niv. Four.\nArticle 3 Scope\n\nSection 2.1 Terms.\n\n§ 4 Fees.\n";
    let clauses = segment(text, Granularity::Clause);
    let keys: Vec<&str> = clauses
        .iter()
        .map(|c| c.label.as_ref().unwrap().key.as_str())
        .collect();
    assert_eq!(
        keys,
        ["1", "12", "b", "iv", "article 3", "section 2.1", "§4"]
    );
    let bodies: Vec<&str> = clauses.iter().map(|c| c.body.of(text)).collect();
    assert_eq!(
        bodies,
        ["One.", "Twelve.", "Bee.", "Four.", "Scope", "Terms.", "Fees."]
    );
    assert_eq!(clauses[0].label.as_ref().unwrap().span.of(text), "1.");
    assert_eq!(clauses[6].label.as_ref().unwrap().span.of(text), "§ 4");
}

#[test]
fn dotted_numbers_nest() {
    let text = "1. Definitions\n1.1. Foo means foo.\n1.2. Bar means bar.\n1.2.1. Sub.\n2. Grants\n2.1. You may.\n";
    assert_eq!(names(text), ["1", "1.1", "1.2", "1.2.1", "2", "2.1"]);
    let c = segment(text, Granularity::Clause);
    let parents: Vec<Option<usize>> = c.iter().map(|c| c.parent).collect();
    assert_eq!(parents, [None, Some(0), Some(0), Some(2), None, Some(4)]);
    assert_eq!(c[3].depth, 2);
}

#[test]
fn indented_lists_nest_under_sections() {
    let text = "   2. Bodies\n\n   Each decision is made by:\n    1. The Developers;\n    2. The Leader.\n\n  2.1. General rules\n\n    1. Nothing here.\n   3. Developers\n";
    assert_eq!(names(text), ["2", "¶1", "2.1", "2.2", "2.1", "2.1.1", "3"]);
}

#[test]
fn wrapped_lines_continue_the_clause() {
    let text = "1. The version of the licence\n2.0 of which applies, and the year\n2007, all continue.\n2. Next.\n";
    let c = segment(text, Granularity::Clause);
    assert_eq!(c.len(), 2);
    assert!(c[0].body.of(text).ends_with("continue."));
}

#[test]
fn markdown_headings_and_bullets() {
    let text = "# Plan\n\n## 1. Peace\n\nText of one.\n\n- first item\n- second item\n\nSetext\n======\n\nLast para.";
    let c = segment(text, Granularity::Clause);
    let kinds: Vec<ClauseKind> = c.iter().map(|c| c.kind).collect();
    use ClauseKind::*;
    assert_eq!(
        kinds,
        [Heading, Heading, Paragraph, Item, Item, Heading, Paragraph]
    );
    assert_eq!(c[1].label.as_ref().unwrap().key, "1");
    assert_eq!(c[1].body.of(text), "Peace");
    assert_eq!(c[2].parent, Some(1));
    assert_eq!(c[1].parent, Some(0));
}

#[test]
fn letters_after_h_are_letters() {
    let text = "(h) eight;\n(i) nine;\n(ii) roman two.\n";
    let c = segment(text, Granularity::Clause);
    assert_eq!(
        c[1].label.as_ref().unwrap().style,
        LabelStyle::Alpha(false, '(')
    );
}

#[test]
fn sentences_and_paragraphs() {
    let text = "First one. Second one!\n\nThird here";
    let s = segment(text, Granularity::Sentence);
    let bodies: Vec<&str> = s.iter().map(|c| c.body.of(text)).collect();
    assert_eq!(bodies, ["First one.", "Second one!", "Third here"]);
    let p = segment("1. a b\nc d\n\ne f", Granularity::Paragraph);
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].label.as_ref().unwrap().key, "1");
}

#[test]
fn pasted_lines_are_paragraphs_and_labels_need_no_space() {
    // One paragraph per line: a commentary line after a point is its own paragraph, a
    // short line (a headline, a dateline) too; a label glued to its word still counts.
    let text = "Plan for Varnia: full text\nUpdated 25 November\n1. Varnia's sovereignty will be confirmed.\nThe sentence is new, diplomats say.\n2. The Alliance agrees not to deploy troops.\n3.5 million people have left.\n2027. That is the date of the review.\n3.Alliance fighter jets will be stationed in Lesnia.\n";
    let c = segment(text, Granularity::Clause);
    let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["¶1", "¶2", "1", "¶3", "2", "¶4", "¶5", "3"]);
    assert_eq!(
        c[7].body.of(text),
        "Alliance fighter jets will be stationed in Lesnia."
    );
    assert_eq!(c[7].label.as_ref().unwrap().span.of(text), "3.");
    assert_eq!(c[3].body.of(text), "The sentence is new, diplomats say.");
}

#[test]
fn hard_wrapped_points_keep_their_lines() {
    // Wrapped text: a line that ends a sentence inside a point, and a hanging indent,
    // continue the point.
    let text = "1. The parties agree to a ceasefire. It holds along\nthe whole line of contact.\n2. Observers from neutral states\n   monitor it. They report weekly.\n   Reports are public.\n";
    let c = segment(text, Granularity::Clause);
    assert_eq!(c.len(), 2);
    assert!(c[1].body.of(text).ends_with("Reports are public."));
}

#[test]
fn weak_labels_only_continue_numbering() {
    // "2 - the…" (a number and a dash before a lower-case word) continues "1 -"; "3.5
    // million" after "3." and "1991." after nothing are sentences.
    let text = "1 - First point.\n2 - the second point.\n3. Point three.\n3.5 million left.\n1991. That year.\n";
    let c = segment(text, Granularity::Clause);
    let keys: Vec<Option<&str>> = c
        .iter()
        .map(|c| c.label.as_ref().map(|l| l.key.as_str()))
        .collect();
    assert_eq!(keys, [Some("1"), Some("2"), Some("3"), None, None]);
    assert_eq!(c[1].body.of(text), "the second point.");
    let wrapped = "1 - First point of the plan, with a line that\n2 - the second half of it.\n";
    assert_eq!(segment(wrapped, Granularity::Clause).len(), 2);
}

#[test]
fn bullets_of_labelled_items_and_names() {
    // An HTML list of labelled items comes back as "-   a) …"; "N)" and "Point N:" are
    // named by their number.
    let text = "2. You may modify it:\n\n-   a) You must mark it.\n-   b) You must license it.\n\nPoint 3: Nothing else.\n- a plain bullet\n";
    let c = segment(text, Granularity::Clause);
    let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["2", "2.a", "2.b", "Point 3", "•1"]);
    assert_eq!(c[1].body.of(text), "You must mark it.");
    assert_eq!(c[4].kind, ClauseKind::Item);
}

#[test]
fn never_panics_on_odd_text() {
    for text in [
        "", "\n\n", "(", "()", "§", "§ x", "Article", "1.", "1..2", "ⅳ. x", "(é) y", "Art. 5",
        "9.", "9 -", "9 - ", "① ", "•", "- ", "Point", "Point 9", "№", "1.A", "-   a)",
    ] {
        let _ = segment(text, Granularity::Clause);
        let _ = segment(text, Granularity::Sentence);
    }
}

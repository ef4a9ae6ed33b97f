//! Versions as they circulate: a plan pasted from a news page ("9.Alliance" with no space,
//! a headline, a byline, a "Read more" line), another outlet's bulleted copy of the
//! counter-proposal (points reworded, expanded, shortened, merged, split, moved), a live
//! blog's numbered copy with commentary lines between the points, and real versions (GPL,
//! Debian constitution) converted to HTML and back with pandoc. See fixtures/web/SOURCE.

mod common;

use common::{fixture, table};
use stemma_diff::{diff, ChangeKind, Diff, DiffOptions, Numbering};
use ChangeKind::*;

fn rows(expected: &[(ChangeKind, &str, &str)]) -> Vec<(ChangeKind, String, String)> {
    expected
        .iter()
        .map(|(k, a, b)| (*k, a.to_string(), b.to_string()))
        .collect()
}

fn inserted(text: &str, d: &Diff, a: &str) -> String {
    let c = d
        .changes
        .iter()
        .find(|c| c.a.len() == 1 && d.a[c.a[0]].name == a)
        .unwrap_or_else(|| panic!("no change of {a}"));
    c.redline
        .as_ref()
        .expect("a redline")
        .pieces
        .iter()
        .filter(|p| p.op == stemma_diff::Op::Insert)
        .map(|p| p.b.unwrap().of(text).trim())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The plan of the news page against the other outlet's bulleted counter-proposal: every
/// point's fate, with numbers on one side and bullets on the other.
#[test]
fn pasted_plan_against_bulleted_counter_proposal() {
    let (old, new) = (
        fixture("web/plan-outlet-a.txt"),
        fixture("web/counter-outlet-b.txt"),
    );
    let d = diff(&old, &new, &DiffOptions::default());
    assert_eq!(
        table(&d),
        rows(&[
            (Removed, "¶1", ""), // "Home · World · Politics"
            (Removed, "¶2", ""), // the headline
            (Removed, "¶3", ""), // the byline
            (Removed, "¶4", ""), // the introduction
            (Added, "", "¶1"),
            (Added, "", "¶2"),
            (Unchanged, "1", "•1"),
            (Expanded, "2", "•2"),
            (Removed, "3", ""),
            (Reworded, "4", "•3"),
            (Reworded, "6", "•4"),
            (Shortened, "7", "•5"),
            (Expanded, "8", "•6"),
            (Unchanged, "9", "•7"), // "9.Alliance fighter jets…": a label with no space
            (Merged, "10+11", "•8"),
            (Split, "12", "•9+•10"),
            (Removed, "¶5", ""), // "Read more: …"
            (Removed, "¶6", ""), // the page footer
            (Moved, "5", "•11"),
            (Added, "", "•12"),
            (Added, "", "¶3"), // "Share this article"
        ])
    );
    assert_eq!(d.a_numbering, Numbering::Numbered);
    assert_eq!(d.b_numbering, Numbering::Bullets);
    // Point 8, a short point whose words reappear inside a longer one with commentary
    // around them: expanded, the added words marked, the retained share given.
    let eight = d
        .changes
        .iter()
        .find(|c| c.kind == Expanded && d.a[c.a[0]].name == "8");
    let eight = eight.expect("8 expanded");
    assert!((0.85..0.9).contains(&eight.retained), "{}", eight.retained);
    assert!(eight.added > 0.6, "{}", eight.added);
    assert_eq!(
        inserted(&new, &d, "8"),
        "permanently station troops under its command in Varnia in peacetime. \
         (The Ostland plan required a blanket ban on any Alliance presence.)"
    );
    // Point 7, the reverse: every word of the short new point is in the old one, in order.
    let seven = d.changes.iter().find(|c| c.kind == Shortened).unwrap();
    assert!(seven.retained < 0.25 && seven.added == 0.0);
    // Numbers against bullets: nothing is "renumbered".
    assert!(d.changes.iter().all(|c| !c.renumbered));
}

/// The same counter-proposal, bulleted by one outlet and numbered "1)" with commentary
/// lines between the points by a live blog: every point unchanged, every commentary line
/// added on its own (none glued to a point, none taken for a label).
#[test]
fn commentary_lines_between_the_points_are_added() {
    let (old, new) = (
        fixture("web/counter-outlet-b.txt"),
        fixture("web/counter-liveblog-c.txt"),
    );
    let d = diff(&old, &new, &DiffOptions::default());
    let mut expected = vec![
        (Removed, "¶1".to_string(), String::new()),
        (Removed, "¶2".to_string(), String::new()),
        (Added, String::new(), "¶1".to_string()), // the live blog's headline
        (Added, String::new(), "¶2".to_string()), // "Updated 25 November 2025"
        (Added, String::new(), "¶3".to_string()), // "10:32 GMT: …"
    ];
    let notes_after = [2, 3, 4, 5, 7, 10];
    let mut note = 3;
    for k in 1..=12 {
        expected.push((Unchanged, format!("•{k}"), k.to_string()));
        if notes_after.contains(&k) {
            note += 1;
            expected.push((Added, String::new(), format!("¶{note}")));
        }
    }
    expected.push((Removed, "¶3".to_string(), String::new()));
    expected.push((Added, String::new(), "¶10".to_string()));
    assert_eq!(table(&d), expected);
    // The commentary that starts like a label is a paragraph: "3.5 million…" (an amount),
    // "2027." (a year), "10:40 GMT:" (a time), "5 of the original…" (a sentence).
    for start in [
        "3.5 million",
        "2027. That",
        "10:40 GMT",
        "5 of the original",
    ] {
        let c = d.b.iter().find(|c| c.body.of(&new).starts_with(start));
        let c = c.unwrap_or_else(|| panic!("{start}: not a clause of its own"));
        assert!(c.label.is_none(), "{start}");
    }
    assert_eq!(d.a_numbering, Numbering::Bullets);
    assert_eq!(d.b_numbering, Numbering::Numbered);
}

/// The plan against the live blog's copy: the point fates are those against the bulleted
/// copy, the commentary only adds paragraphs.
#[test]
fn pasted_plan_against_commented_counter_proposal() {
    let old = fixture("web/plan-outlet-a.txt");
    let bulleted = diff(
        &old,
        &fixture("web/counter-outlet-b.txt"),
        &DiffOptions::default(),
    );
    let new = fixture("web/counter-liveblog-c.txt");
    let commented = diff(&old, &new, &DiffOptions::default());
    let is_point =
        |c: &stemma_diff::Clause| c.label.is_some() || c.kind == stemma_diff::ClauseKind::Item;
    let point_fates = |d: &Diff| -> Vec<(ChangeKind, Vec<usize>)> {
        d.changes
            .iter()
            .filter(|c| c.a.iter().any(|&x| is_point(&d.a[x])))
            .map(|c| (c.kind, c.a.clone()))
            .collect()
    };
    let mut want = point_fates(&bulleted);
    // Numbered on both sides now: 9 → 7 is renumbered rather than unchanged.
    for f in &mut want {
        if f.0 == Unchanged && bulleted.a[f.1[0]].name == "9" {
            f.0 = Renumbered;
        }
    }
    assert_eq!(point_fates(&commented), want);
    assert_eq!(
        commented
            .changes
            .iter()
            .filter(|c| c.kind == Added && c.b.iter().all(|&y| !is_point(&commented.b[y])))
            .count(),
        8
    );
    assert_eq!(commented.b.iter().filter(|c| c.label.is_some()).count(), 12);
}

/// GPL 2 as gnu.ai.mit.edu served it in 1997, copied from the web page as text (pandoc),
/// against the 1991 text: every numbered point unchanged; the differences are those of the
/// page (a title split in two, a heading it dropped, angle brackets it ate).
#[test]
fn gpl_web_page_copy_against_the_text() {
    let (old, new) = (
        fixture("gpl-2.0-1991-findutils.txt"),
        fixture("web/gpl-2.0-1997-web.txt"),
    );
    let d = diff(&old, &new, &DiffOptions::default());
    let changed: Vec<_> = table(&d)
        .into_iter()
        .filter(|(k, _, _)| *k != Unchanged)
        .collect();
    assert_eq!(
        changed,
        rows(&[
            (Split, "¶1", "¶1+¶2"),    // title and version: one block → <h1> and <p>
            (Split, "¶2", "¶3+¶4"),    // copyright and permission: one <pre>, a blank line
            (Shortened, "¶12", "¶14"), // "GNU GENERAL PUBLIC LICENSE" dropped from a heading
            (Reworded, "¶26", "¶28"),  // "Appendix:" dropped from a heading
            (Reworded, "¶29", "¶31"),  // "<one line …>" eaten as a tag, "a brief idea" → "an idea"
            (Reworded, "¶39", "¶41"),  // "<signature of Ty Coon>" eaten as a tag
        ])
    );
    let points = d.a.iter().filter(|c| c.label.is_some()).count();
    assert_eq!(points, 19);
    assert!(d
        .changes
        .iter()
        .filter(|c| c.a.iter().any(|&x| d.a[x].label.is_some()))
        .all(|c| c.kind == Unchanged));
}

/// The Debian constitution 1.8 published as HTML by pandoc and copied back: the text loses
/// no word. Where a heading followed a paragraph without a blank line, CommonMark glued it
/// into the paragraph (merged); where HTML lists continued one another, their numbers
/// changed (renumbered, same words). Wrapped at 72 columns or one paragraph per line, the
/// copy compares the same.
#[test]
fn constitution_through_html_and_back() {
    let old = fixture("constitution.1.8.txt");
    for name in [
        "web/constitution.1.8.web.txt",
        "web/constitution.1.8.web72.txt",
    ] {
        let new = fixture(name);
        let d = diff(&old, &new, &DiffOptions::default());
        for kind in [Removed, Added, Reworded, Expanded, Shortened, Split, Moved] {
            assert_eq!(d.count(kind), 0, "{name}: {kind:?} in {:#?}", table(&d));
        }
        let glued: Vec<&str> = d
            .of_kind(Merged)
            .map(|c| {
                assert_eq!(c.a.len(), 2);
                assert!(c.a[0] + 1 == c.a[1] && c.retained == 1.0);
                let heading = &d.a[c.a[1]];
                heading.body.of(&old)
            })
            .collect();
        assert_eq!(
            glued,
            [
                "Decision-making bodies and individuals",
                "The Developers by way of General Resolution or election",
                "Technical committee",
                "The Project Leader's Delegates",
                "Assets held in trust for Debian",
                "Standard Resolution Procedure",
                "Use of language and typography",
            ],
            "{name}"
        );
        assert_eq!(d.count(Renumbered), 45, "{name}");
        assert!(d.of_kind(Renumbered).all(|c| !c.text_changed));
        assert_eq!(d.count(Unchanged), 148, "{name}");
    }
}

/// 1.7 → 1.8 compared on the clean texts and with 1.8 copied through HTML: the changes of
/// substance are found on both.
#[test]
fn constitution_changes_survive_the_web_copy() {
    let old = fixture("constitution.1.7.txt");
    for name in ["constitution.1.8.txt", "web/constitution.1.8.web.txt"] {
        let new = fixture(name);
        let d = diff(&old, &new, &DiffOptions::default());
        let body = |c: &stemma_diff::Clause, t: &str| {
            c.body
                .of(t)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        // "Expiry" (A.5 in 1.7) is gone.
        let expiry = d.a.iter().position(|c| c.name == "A.5").unwrap();
        assert_eq!(d.change_of_a(expiry).unwrap().kind, Removed, "{name}");
        // The Technical Committee's new resolution process is added.
        let added: Vec<String> = d.of_kind(Added).map(|c| body(&d.b[c.b[0]], &new)).collect();
        for start in [
            "Any member of the Technical Committee may propose additional ballot options",
            "Two weeks after the original proposal the ballot is closed",
        ] {
            assert!(
                added.iter().any(|b| b.starts_with(start)),
                "{name}: {start} not added"
            );
        }
        // "amendment" became "ballot option" in §4.2.1.
        let four_two_one = d.a.iter().position(|c| c.name == "4.2.1").unwrap();
        let c = d.change_of_a(four_two_one).unwrap();
        assert!(
            c.b.iter()
                .any(|&y| body(&d.b[y], &new).contains("ballot option")),
            "{name}"
        );
    }
}

/// GPL 2 of 2005 published as HTML and copied back, against the 1991 text: the FSF's new
/// address is found as on the clean text.
#[test]
fn gpl_address_change_survives_the_web_copy() {
    let old = fixture("gpl-2.0-1991-findutils.txt");
    let new = fixture("web/gpl-2.0-2005-web.txt");
    let d = diff(&old, &new, &DiffOptions::default());
    let address = d
        .changes
        .iter()
        .find(|c| c.a.len() == 1 && d.a[c.a[0]].body.of(&old).contains("675 Mass Ave"))
        .expect("the address paragraph");
    assert_eq!(address.kind, Reworded);
    let name = d.a[address.a[0]].name.clone();
    assert!(inserted(&new, &d, &name).contains("51 Franklin St"));
    // Every numbered point of 1991 is found again.
    for (x, c) in d.a.iter().enumerate() {
        if c.label.is_some() {
            assert_ne!(d.change_of_a(x).unwrap().kind, Removed, "{}", c.name);
        }
    }
}

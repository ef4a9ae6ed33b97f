//! Real version pairs (Debian constitution, GPL-2 variants, MPL, Apache) and a numbered plan
//! with a known truth: the key facts of each comparison.

mod common;

use common::{fixture, table};
use stemma_diff::{diff, Change, ChangeKind, Diff, DiffOptions, Granularity, Op};

fn find<'d>(d: &'d Diff, a: &str, b: &str) -> &'d Change {
    d.changes
        .iter()
        .find(|c| {
            let an: Vec<&str> = c.a.iter().map(|&x| d.a[x].name.as_str()).collect();
            let bn: Vec<&str> = c.b.iter().map(|&y| d.b[y].name.as_str()).collect();
            an.join("+") == a && bn.join("+") == b
        })
        .unwrap_or_else(|| panic!("no change {a} → {b} in {:#?}", table(d)))
}

fn inserted(d: &Diff, b_text: &str, c: &Change) -> String {
    c.redline
        .as_ref()
        .map(|r| {
            r.pieces
                .iter()
                .filter(|p| p.op == Op::Insert)
                .map(|p| {
                    let t = p.b.unwrap().of(b_text);
                    t.split_whitespace().collect::<Vec<_>>().join(" ")
                })
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_else(|| panic!("no redline in {c:?} of {:?}", table(d)))
}

#[test]
fn numbered_plan_every_classification() {
    let (old, new) = (fixture("plan-v1.txt"), fixture("plan-v2.txt"));
    let d = diff(&old, &new, &DiffOptions::default());
    use ChangeKind::*;
    let expected = [
        (Unchanged, "¶1", "¶1"),
        (Unchanged, "1", "1"),
        (Reworded, "2", "2"),
        (Removed, "3", ""),
        (Renumbered, "4", "3"),
        (Merged, "5+6", "4"),
        (Split, "7", "5+6"),
        (Renumbered, "9", "7"),
        (Reworded, "10", "8"),
        (Removed, "11", ""),
        (Renumbered, "12", "9"),
        (Moved, "8", "10"),
        (Added, "", "11"),
    ];
    let got = table(&d);
    let want: Vec<(ChangeKind, String, String)> = expected
        .iter()
        .map(|(k, a, b)| (*k, a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);
    // Flags, retention and confidence.
    let moved = find(&d, "8", "10");
    assert!(moved.moved && moved.renumbered && !moved.text_changed);
    let reworded = find(&d, "10", "8");
    assert!(reworded.renumbered && !reworded.moved);
    assert!(
        (0.85..0.95).contains(&reworded.retained),
        "{}",
        reworded.retained
    );
    assert_eq!(inserted(&d, &new, reworded), "monitors from the OSCE");
    let two = find(&d, "2", "2");
    assert_eq!(inserted(&d, &new, two), "twenty | within fourteen days");
    assert!(two.confidence > 0.7 && two.confidence < 1.0);
    assert_eq!(find(&d, "1", "1").confidence, 1.0);
    let merged = find(&d, "5+6", "4");
    assert!(merged.retained > 0.99);
    assert_eq!(d.a[d.renumbered_from().unwrap()].name, "4");
    // Ignoring numbering: renumbered clauses are unchanged.
    let o = DiffOptions {
        ignore_numbering: true,
        ..DiffOptions::default()
    };
    let d = diff(&old, &new, &o);
    assert_eq!(d.count(Renumbered), 0);
    assert_eq!(d.count(Unchanged), 5);
}

#[test]
fn plan_txt_and_md_are_the_same_text() {
    let d = diff(
        &fixture("plan-v2.txt"),
        &fixture("plan-v2.md"),
        &DiffOptions::default(),
    );
    assert_eq!(d.count(ChangeKind::Unchanged), d.changes.len());
    assert_eq!(d.changes.len(), 12);
}

#[test]
fn debian_constitution_1_7_to_1_8() {
    let (old, new) = (
        fixture("constitution.1.7.txt"),
        fixture("constitution.1.8.txt"),
    );
    let d = diff(&old, &new, &DiffOptions::default());
    // Appendix A was restructured: "Withdrawing" moved up from A.4 to A.2, the sections after
    // it renumbered, "Expiry" (A.5) removed.
    let withdrawing = find(&d, "A.4", "A.2");
    assert_eq!(withdrawing.kind, ChangeKind::Moved);
    assert!(withdrawing.renumbered);
    for (a, b) in [("A.2", "A.3"), ("A.3", "A.4"), ("A.6", "A.5")] {
        assert_eq!(find(&d, a, b).kind, ChangeKind::Renumbered, "{a} → {b}");
    }
    assert_eq!(find(&d, "A.5", "").kind, ChangeKind::Removed);
    assert!(new[d.b[0].body.start..].starts_with("Historical version"));
    // 1.8 adds the Technical Committee's resolution process (§6.3.1.2–6.3.1.6) and §6.3.7.
    let added: Vec<&str> = d
        .of_kind(ChangeKind::Added)
        .map(|c| d.b[c.b[0]].name.as_str())
        .collect();
    for name in [
        "6.3.1.2", "6.3.1.3", "6.3.1.4", "6.3.1.5", "6.3.1.6", "6.3.7", "A.0.2",
    ] {
        assert!(added.contains(&name), "{name} not added: {added:?}");
    }
    // "amendment" became "ballot option" in §4.2.1.
    let c = find(&d, "4.2.1", "4.2.1");
    assert_eq!(c.kind, ChangeKind::Reworded);
    assert_eq!(inserted(&d, &new, c), "ballot option");
    assert!(d.count(ChangeKind::Unchanged) >= 150);
    assert!(d.complete);
}

#[test]
fn gpl_2_address_change() {
    let (old, new) = (
        fixture("gpl-2.0-1991-findutils.txt"),
        fixture("gpl-2.0-2005-gnu.org.txt"),
    );
    let d = diff(&old, &new, &DiffOptions::default());
    assert_eq!(d.count(ChangeKind::Unchanged), 54);
    assert_eq!(d.count(ChangeKind::Reworded), 5);
    assert_eq!(d.changes.len(), 59);
    let address = d
        .of_kind(ChangeKind::Reworded)
        .find(|c| d.a[c.a[0]].body.of(&old).contains("675 Mass Ave"))
        .expect("the address paragraph");
    assert!(inserted(&d, &new, address).contains("51 Franklin St"));
    assert!(address.retained > 0.8);
}

#[test]
fn mpl_1_1_to_2_0() {
    let (old, new) = (fixture("MPL-1.1.txt"), fixture("MPL-2.0.txt"));
    let d = diff(&old, &new, &DiffOptions::default());
    // "Licensable" kept its words and moved from 1.8.1 to 1.9; "You" from 1.12 to 1.14.
    let licensable = find(&d, "1.8.1", "1.9");
    assert!(licensable.renumbered && licensable.retained > 0.9);
    assert!(find(&d, "1.12", "1.14").renumbered);
    // "Commercial Use" (1.0.1) is gone; 2.0 defines "Incompatible With Secondary Licenses".
    assert_eq!(find(&d, "1.0.1", "").kind, ChangeKind::Removed);
    assert_eq!(find(&d, "", "1.5").kind, ChangeKind::Added);
    assert!(d.count(ChangeKind::Added) > d.count(ChangeKind::Removed));
    assert!(d.b.len() > d.a.len());
}

#[test]
fn apache_1_1_to_2_0() {
    let (old, new) = (fixture("Apache-1.1.txt"), fixture("Apache-2.0.txt"));
    let d = diff(&old, &new, &DiffOptions::default());
    // 2.0 is a rewrite: definitions, patent grant, … all new.
    assert_eq!(find(&d, "", "1").kind, ChangeKind::Added);
    assert_eq!(find(&d, "", "3").kind, ChangeKind::Added);
    assert!(d.count(ChangeKind::Added) >= 20);
    // Every clause of both versions is in exactly one change.
    let a: usize = d.changes.iter().map(|c| c.a.len()).sum();
    let b: usize = d.changes.iter().map(|c| c.b.len()).sum();
    assert_eq!((a, b), (d.a.len(), d.b.len()));
}

#[test]
fn sentence_granularity_on_prose() {
    let old = "The river rose in the night. Nobody slept. By morning the bridge was gone.";
    let new = "By morning the old bridge was gone. The river rose in the night.";
    let o = DiffOptions {
        granularity: Granularity::Sentence,
        ..DiffOptions::default()
    };
    let d = diff(old, new, &o);
    assert_eq!(d.count(ChangeKind::Removed), 1);
    assert_eq!(d.count(ChangeKind::Moved), 1);
    assert_eq!(d.a.len(), 3);
}

#[test]
fn huge_clause_degrades_without_hanging() {
    let old: String = (0..60_000).map(|i| format!("w{} ", i % 1000)).collect();
    let new: String = (0..60_000)
        .map(|i| format!("w{} ", (i * 7 + 3) % 1000))
        .collect();
    let o = DiffOptions {
        deadline: std::time::Duration::from_millis(200),
        ..DiffOptions::default()
    };
    let start = std::time::Instant::now();
    let d = diff(&old, &new, &o);
    assert!(start.elapsed().as_secs() < 20);
    assert_eq!(d.changes.len(), 1);
}

//! Helpers shared by the integration tests (`mod common;` in each).

use stemma_diff::{ChangeKind, Diff};

/// The text of `tests/fixtures/NAME`.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// (kind, old names, new names) of every change, in report order.
pub fn table(d: &Diff) -> Vec<(ChangeKind, String, String)> {
    d.changes
        .iter()
        .map(|c| {
            let a: Vec<&str> = c.a.iter().map(|&x| d.a[x].name.as_str()).collect();
            let b: Vec<&str> = c.b.iter().map(|&y| d.b[y].name.as_str()).collect();
            (c.kind, a.join("+"), b.join("+"))
        })
        .collect()
}

//! Numbers as evidence of translation: translators keep them, two stories of one kind seldom
//! share theirs.

/// Runs of ASCII digits in `text`, sorted, each once ("1,000", "1 000" and "1.000" all hold
/// 1 and 000).
fn numbers(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether two texts share a number (a run of ASCII digits): translators keep numbers, two
/// stories of one kind seldom share theirs.
///
/// ```
/// use stemma_xling::shares_a_number;
/// assert!(shares_a_number("The toll rose to 832 on Sunday.", "Число жертв достигло 832."));
/// assert!(!shares_a_number("A 29-year-old man was arrested.", "Ein 17-Jähriger wurde festgenommen."));
/// assert!(!shares_a_number("No numbers here.", "Nur 3 Zahlen."));
/// ```
pub fn shares_a_number(a: &str, b: &str) -> bool {
    let (x, y) = (numbers(a), numbers(b));
    x.iter().any(|n| y.binary_search(n).is_ok())
}

/// Whether the numbers of two texts agree: one side holds none, or they share one.
///
/// ```
/// use stemma_xling::numbers_agree;
/// assert!(numbers_agree("The toll rose to 832 on Sunday.", "Число жертв достигло 832."));
/// assert!(!numbers_agree("A 29-year-old man was arrested.", "Ein 17-Jähriger und zwei 18-Jährige wurden festgenommen."));
/// assert!(numbers_agree("No numbers here.", "Nur 3 Zahlen: 4, 5."));
/// ```
pub fn numbers_agree(a: &str, b: &str) -> bool {
    numbers(a).is_empty() || numbers(b).is_empty() || shares_a_number(a, b)
}

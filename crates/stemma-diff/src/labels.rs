//! Label recognition: which marks at the start of a line number a point ("12.", "9.Word",
//! "(b)", "iv)", "9 -", "①", "§ 4", "Article IX", "Point 9:", "Пункт 9."), which are bullets
//! ("- ", "•"), and which only look like labels (years, amounts, "3.5 million", times, dates,
//! a sentence that starts with a number). Segmentation decides where clauses start; this
//! module only reads the mark in front of one line.

use crate::segment::Span;

/// The numbering system of a label, used to decide which labels are siblings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelStyle {
    /// "1." "12)" "9 -" — arabic numbers; the char is the delimiter.
    Arabic(char),
    /// "2.1" "1.0.1." "A.2." — dotted numbers with this many components.
    Dotted(usize),
    /// "a." "(b)" "c)" — letters; `upper`, delimiter.
    Alpha(bool, char),
    /// "iv." "(ii)" — roman numerals; `upper`, delimiter.
    Roman(bool, char),
    /// "(1)" — arabic numbers in parentheses.
    ParenArabic,
    /// "①" "⑴" "⒈" "❶" — a number written as one character.
    Circled,
    /// "Article 3", "Section 2.1", "Chapter IV", "Point 9" — the keyword, lower-cased.
    Keyword(String),
    /// "§ 4".
    Paragraph,
}

/// A clause label, as written and normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where the label is written (e.g. "12." including its delimiter).
    pub span: Span,
    /// The label normalized for comparison: "12", "2.1", "b", "article 3", "§4"; a point
    /// word or a circled number is its bare number ("Point 9:", "Пункт 9.", "⑨" → "9"), and
    /// a roman number after a keyword is arabic ("Article IX" → "article 9").
    pub key: String,
    /// Its numbering system.
    pub style: LabelStyle,
}

/// A label found at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LabelMatch {
    /// Bytes of the label with its delimiter and the whitespace after it.
    pub len: usize,
    /// Bytes of the label as written (no trailing whitespace).
    pub written: usize,
    /// Normalized key.
    pub key: String,
    /// Numbering system.
    pub style: LabelStyle,
    /// It could as well be the start of a sentence ("1991. The…", "3.5 million…", "15. Juni",
    /// "5 – the…"): a clause starts there only where the label continues the numbering.
    pub weak: bool,
}

/// Section keywords: the key keeps the keyword ("article 3").
const KEYWORDS: &[&str] = &[
    "article",
    "art.",
    "section",
    "sec.",
    "chapter",
    "part",
    "clause",
    "schedule",
    "annex",
    "appendix",
    "exhibit",
    "статья",
    "раздел",
    "глава",
    "artikel",
    "abschnitt",
    "kapitel",
];

/// Point words: the key is the bare number, so "Point 9:" and "9." are the same point.
const POINT_WORDS: &[&str] = &["point", "punkt", "пункт", "item", "no.", "№"];

/// Month names after "15." make a date ("15. Juni 2024"), not a label.
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "januar",
    "februar",
    "märz",
    "mai",
    "juni",
    "juli",
    "oktober",
    "dezember",
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

/// Parse a label at the start of `s`: its length (including the delimiter and the following
/// whitespace), its normalized key and its style. The label must be followed by whitespace
/// or the end of the line, except a number with a delimiter before a capital ("9.NATO",
/// "3)The") and a circled number ("①Text"), which pasted web text writes without a space.
///
/// ```
/// use stemma_diff::parse_label;
/// assert_eq!(parse_label("12) Talks").unwrap().1, "12");
/// assert_eq!(parse_label("9.NATO fighters").unwrap().1, "9");
/// assert_eq!(parse_label("(iv) the rest").unwrap().1, "iv");
/// assert_eq!(parse_label("Article IX - Scope").unwrap().1, "article 9");
/// assert_eq!(parse_label("Point 9: Talks").unwrap().1, "9");
/// assert_eq!(parse_label("⑨ Talks").unwrap().1, "9");
/// assert_eq!(parse_label("§ 4. Fees").unwrap().1, "§4");
/// assert_eq!(parse_label("Section 2.1 Terms").unwrap().1, "section 2.1");
/// assert!(parse_label("2007, and then").is_none());
/// assert!(parse_label("10:30 talks resume").is_none());
/// assert!(parse_label("e.g. this").is_none());
/// ```
pub fn parse_label(s: &str) -> Option<(usize, String, LabelStyle)> {
    label_at(s).map(|m| (m.len, m.key, m.style))
}

/// The label at the start of `s`, with whether it is only a weak one.
pub(crate) fn label_at(s: &str) -> Option<LabelMatch> {
    let head = parse_label_head(s)?;
    let (len, key, style, mut weak) = head;
    let rest = &s[len..];
    let glued = !(rest.is_empty() || rest.starts_with(char::is_whitespace));
    if glued && !may_glue(&style, &s[..len], rest) {
        return None;
    }
    let ws = rest.len() - rest.trim_start().len();
    let next = rest.trim_start();
    // Guards: "1991. The year…" (a year), "3.5 million" and "10.30 am" (a dotted number
    // before a lower-case word), "15. Juni" (a date): labels only where the numbering
    // continues.
    let lower_next = next.chars().next().is_some_and(char::is_lowercase);
    match &style {
        LabelStyle::Arabic(_) | LabelStyle::ParenArabic => {
            if key.len() == 4 {
                weak = true;
            }
            let word: String = next
                .chars()
                .take_while(|c| c.is_alphabetic())
                .flat_map(char::to_lowercase)
                .collect();
            if MONTHS.contains(&word.as_str()) {
                weak = true;
            }
        }
        LabelStyle::Dotted(_) if !s[..len].ends_with('.') && lower_next => weak = true,
        _ => {}
    }
    Some(LabelMatch {
        len: len + ws,
        written: len,
        key,
        style,
        weak,
    })
}

/// Whether a label may be glued to the word after it: a number closed by "." or ")"
/// before a capital or an opening quote ("9.NATO", "4)«Peace»"), or a circled number.
fn may_glue(style: &LabelStyle, label: &str, rest: &str) -> bool {
    match style {
        LabelStyle::Circled => true,
        LabelStyle::Arabic('.' | ')') | LabelStyle::ParenArabic => {
            let mut chars = rest.chars();
            let first = chars.next();
            let starts_word = match first {
                Some(c) if c.is_uppercase() => true,
                Some('"' | '«' | '“' | '„' | '\'') => {
                    chars.next().is_some_and(char::is_uppercase)
                }
                _ => false,
            };
            starts_word && label.len() <= 4
        }
        _ => false,
    }
}

type Head = (usize, String, LabelStyle, bool);

fn parse_label_head(s: &str) -> Option<Head> {
    let lower_prefix: String = s.chars().take(12).flat_map(char::to_lowercase).collect();
    // "Point 9:", "Пункт 9.", "No. 9": the bare number.
    for word in POINT_WORDS {
        if let Some(len) = keyword_number(s, &lower_prefix, word) {
            let (kw_len, num_start, num) = len;
            if !num.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let mut len = num_start + num.len();
            len += delimiter_len(&s[len..]);
            let _ = kw_len;
            let style = LabelStyle::Keyword(word.trim_end_matches('.').to_string());
            return Some((len, num, style, false));
        }
    }
    // "Article 3", "Section 2.1", "Chapter IV".
    for kw in KEYWORDS {
        if lower_prefix.starts_with(kw) {
            let (_, num_start, num) = keyword_number(s, &lower_prefix, kw)?;
            let mut len = num_start + num.len();
            len += delimiter_len(&s[len..]);
            let number = roman_as_arabic(&num).unwrap_or_else(|| num.to_lowercase());
            let key = format!("{} {}", kw.trim_end_matches('.'), number);
            return Some((len, key, LabelStyle::Keyword(kw.to_string()), false));
        }
    }
    // "§ 4", "§4.1".
    if let Some(rest) = s.strip_prefix('§') {
        let rest2 = rest.trim_start_matches([' ', '\u{a0}']);
        let (num_len, num) = number_token(rest2)?;
        let mut len = '§'.len_utf8() + (rest.len() - rest2.len()) + num_len;
        len += delimiter_len(&s[len..]);
        return Some((len, format!("§{num}"), LabelStyle::Paragraph, false));
    }
    // "①", "⑴", "⒈", "❶".
    if let Some(c) = s.chars().next() {
        if let Some(n) = circled_value(c) {
            let mut len = c.len_utf8();
            len += delimiter_len(&s[len..]);
            return Some((len, n.to_string(), LabelStyle::Circled, false));
        }
    }
    // "(b)", "(iv)", "(1)".
    if let Some(rest) = s.strip_prefix('(') {
        let close = rest.find(')')?;
        let inner = &rest[..close];
        if inner.is_empty() || inner.len() > 5 {
            return None;
        }
        let style = item_style(inner, '(')?;
        return Some((close + 2, inner.to_lowercase(), style, false));
    }
    // "9 - Text", "9 – text".
    if let Some(head) = number_dash(s) {
        return Some(head);
    }
    // "12." "12)" "2.1" "2.1." "A.2." "b)" "iv." "9.Word"
    let token_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == ')'))
        .unwrap_or(s.len());
    let token = &s[..token_end];
    if token.is_empty() {
        return None;
    }
    if let Some(head) = glued_number(token) {
        return Some(head);
    }
    if let Some(inner) = token.strip_suffix(')') {
        if inner.contains(')') {
            return None;
        }
        let inner = inner.strip_suffix('.').unwrap_or(inner);
        return item_style(inner, ')').map(|st| (token.len(), inner.to_lowercase(), st, false));
    }
    let core = token.strip_suffix('.').unwrap_or(token);
    let had_dot = core.len() < token.len();
    if core.is_empty() || core.contains("..") {
        return None;
    }
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() >= 2 {
        // Dotted: every part a number, except the first may be a capital letter ("A.2").
        // A later part of exactly three digits is a thousands group ("1.000 Soldaten").
        let ok = parts.iter().enumerate().all(|(i, p)| {
            (!p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
                || (i == 0 && p.len() == 1 && p.bytes().all(|b| b.is_ascii_uppercase()))
        });
        if !ok || parts[1..].iter().any(|p| p.is_empty() || p.len() == 3) {
            return None;
        }
        return Some((
            token.len(),
            core.to_lowercase(),
            LabelStyle::Dotted(parts.len()),
            false,
        ));
    }
    if !had_dot {
        return None;
    }
    item_style(core, '.').map(|st| (token.len(), core.to_lowercase(), st, false))
}

/// `word` followed by a number at the start of `s` ("Article 3", "Пункт 9"): the byte
/// length of the word, where the number starts, and the number.
fn keyword_number(s: &str, lower_prefix: &str, word: &str) -> Option<(usize, usize, String)> {
    if !lower_prefix.starts_with(word) {
        return None;
    }
    let kw_len = s
        .char_indices()
        .nth(word.chars().count())
        .map_or(s.len(), |(i, _)| i);
    let rest = &s[kw_len..];
    let ws = rest.len() - rest.trim_start_matches([' ', '\u{a0}']).len();
    if ws == 0 && !word.ends_with(['.', '№']) {
        return None;
    }
    let (num_len, num) = number_token(&rest[ws..])?;
    let _ = num_len;
    Some((kw_len, kw_len + ws, num))
}

/// "9 - Text", "12 – text", "3 — Text": a number, spaces, a dash, a space and a word (not a
/// number: "10 - 15 people" is a range). Weak before a lower-case word ("5 – the number…").
fn number_dash(s: &str) -> Option<Head> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let rest = &s[digits..];
    let after_space = rest.trim_start_matches([' ', '\u{a0}']);
    if after_space.len() == rest.len() {
        return None;
    }
    let dash = after_space.chars().next()?;
    if !matches!(dash, '-' | '–' | '—') {
        return None;
    }
    let after_dash = &after_space[dash.len_utf8()..];
    if !after_dash.starts_with([' ', '\u{a0}']) {
        return None;
    }
    let word = after_dash.trim_start().chars().next()?;
    if !word.is_alphabetic() && !matches!(word, '"' | '«' | '“' | '„') {
        return None;
    }
    let len = s.len() - after_dash.len();
    Some((
        len,
        s[..digits].to_string(),
        LabelStyle::Arabic('-'),
        word.is_lowercase(),
    ))
}

/// "9.NATO", "9)The": a number closed by "." or ")" glued to a capitalized word; the
/// token scan reads "9.NATO" as one token, so this splits it.
fn glued_number(token: &str) -> Option<Head> {
    let digits = token.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let delim = token[digits..].chars().next()?;
    if !matches!(delim, '.' | ')') {
        return None;
    }
    let next = token[digits + 1..].chars().next()?;
    if !next.is_ascii_uppercase() {
        return None;
    }
    Some((
        digits + 1,
        token[..digits].to_string(),
        LabelStyle::Arabic(delim),
        false,
    ))
}

/// The number a circled or parenthesized digit character stands for.
fn circled_value(c: char) -> Option<u32> {
    let u = c as u32;
    let ranges: [(u32, u32, u32); 9] = [
        (0x2460, 0x2473, 1),  // ① … ⑳
        (0x2474, 0x2487, 1),  // ⑴ … ⒇
        (0x2488, 0x249B, 1),  // ⒈ … ⒛
        (0x24EB, 0x24F4, 11), // ⓫ … ⓴
        (0x2776, 0x277F, 1),  // ❶ … ❿
        (0x2780, 0x2789, 1),  // ➀ … ➉
        (0x278A, 0x2793, 1),  // ➊ … ➓
        (0x3251, 0x325F, 21), // ㉑ … ㉟
        (0x32B1, 0x32BF, 36), // ㊱ … ㊿
    ];
    ranges
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&u))
        .map(|(lo, _, first)| u - lo + first)
}

fn item_style(inner: &str, delim: char) -> Option<LabelStyle> {
    if inner.bytes().all(|b| b.is_ascii_digit()) {
        if inner.len() > 4 {
            return None;
        }
        return Some(if delim == '(' {
            LabelStyle::ParenArabic
        } else {
            LabelStyle::Arabic(delim)
        });
    }
    let upper = inner.bytes().all(|b| b.is_ascii_uppercase());
    let lower = inner.bytes().all(|b| b.is_ascii_lowercase());
    if !(upper || lower) {
        return None;
    }
    if is_roman(&inner.to_ascii_lowercase()) {
        return Some(LabelStyle::Roman(upper, delim));
    }
    if inner.len() == 1 {
        return Some(LabelStyle::Alpha(upper, delim));
    }
    None
}

fn is_roman(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 6
        && s.bytes()
            .all(|b| matches!(b, b'i' | b'v' | b'x' | b'l' | b'c'))
        && roman_value(s).is_some()
}

pub(crate) fn roman_value(s: &str) -> Option<u32> {
    let value = |b: u8| match b {
        b'i' => 1,
        b'v' => 5,
        b'x' => 10,
        b'l' => 50,
        b'c' => 100,
        _ => 0,
    };
    let bytes = s.as_bytes();
    let mut total = 0i64;
    for (i, &b) in bytes.iter().enumerate() {
        let v = value(b);
        if bytes.get(i + 1).is_some_and(|&n| value(n) > v) {
            total -= v;
        } else {
            total += v;
        }
    }
    (total > 0).then_some(total as u32)
}

/// "IX" → "9" after a keyword; a lone letter other than I, V or X stays a letter
/// ("Annex C").
fn roman_as_arabic(num: &str) -> Option<String> {
    let lower = num.to_ascii_lowercase();
    let plausible = lower.len() >= 2 || matches!(lower.as_str(), "i" | "v" | "x");
    (plausible && is_roman(&lower))
        .then(|| roman_value(&lower).map(|v| v.to_string()))
        .flatten()
}

/// A number after a keyword: "3", "2.1", "IV", "A", "3a".
fn number_token(s: &str) -> Option<(usize, String)> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .unwrap_or(s.len());
    let token = s[..end].trim_end_matches('.');
    if token.is_empty() || token.len() > 8 {
        return None;
    }
    let digits = token.bytes().any(|b| b.is_ascii_digit());
    let ok = if digits {
        token.starts_with(|c: char| c.is_ascii_digit())
    } else {
        is_roman(&token.to_ascii_lowercase()) || token.len() == 1
    };
    ok.then(|| (token.len(), token.to_string()))
}

fn delimiter_len(s: &str) -> usize {
    match s.chars().next() {
        Some(c @ ('.' | ':' | ')')) => c.len_utf8(),
        _ => 0,
    }
}

/// The position of a label in its sequence: "3" → 3, "c" → 3, "iv" → 4, "2.5" → 5.
pub(crate) fn label_ordinal(key: &str, style: &LabelStyle) -> Option<u32> {
    let last = match style {
        LabelStyle::Dotted(_) => key.rsplit('.').next()?,
        LabelStyle::Keyword(_) => key.rsplit([' ', '.']).next()?,
        LabelStyle::Paragraph => key.trim_start_matches('§').rsplit('.').next()?,
        _ => key,
    };
    if let Ok(n) = last.parse::<u32>() {
        return Some(n);
    }
    if let LabelStyle::Roman(..) = style {
        return roman_value(last);
    }
    let mut chars = last.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_alphabetic() => {
            Some(c.to_ascii_lowercase() as u32 - 'a' as u32 + 1)
        }
        _ => None,
    }
}

/// "2.1" and "2.3" are siblings; "2.1" and "3.1" are not.
pub(crate) fn sibling_prefix(a: &str, b: &str) -> bool {
    a.rsplit_once('.').map(|(p, _)| p) == b.rsplit_once('.').map(|(p, _)| p)
}

/// A bullet at the start of a line ("- ", "* ", "• ", "–\u{a0}", "•Text"): the bytes of the
/// mark and the space after it.
pub(crate) fn bullet(line: &str) -> Option<usize> {
    let mut chars = line.chars();
    let mark = chars.next()?;
    let spaced = matches!(
        mark,
        '-' | '*'
            | '+'
            | '•'
            | '–'
            | '—'
            | '·'
            | '▪'
            | '‣'
            | '◦'
            | '►'
            | '▶'
            | '■'
            | '●'
            | '○'
    );
    if !spaced {
        return None;
    }
    let rest = &line[mark.len_utf8()..];
    let ws = rest.len() - rest.trim_start_matches([' ', '\t', '\u{a0}']).len();
    if ws > 0 {
        return Some(mark.len_utf8() + ws);
    }
    // Typographic bullets need no space ("•Text"); "-word" is a hyphen.
    let glued_ok = !matches!(mark, '-' | '*' | '+' | '–' | '—');
    (glued_ok && rest.starts_with(char::is_alphanumeric)).then_some(mark.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Option<String> {
        label_at(s).map(|m| m.key)
    }

    fn strong(s: &str) -> Option<String> {
        label_at(s).filter(|m| !m.weak).map(|m| m.key)
    }

    #[test]
    fn pasted_web_labels() {
        for (text, want) in [
            ("9.NATO fighters will be located in Lesnia.", "9"),
            ("9. NATO", "9"),
            ("9) NATO", "9"),
            ("9)NATO", "9"),
            ("(9) NATO", "9"),
            ("(9)NATO", "9"),
            ("9 - NATO fighters", "9"),
            ("9 – NATO fighters", "9"),
            ("9\u{a0}— NATO fighters", "9"),
            ("Point 9: NATO", "9"),
            ("point 9. NATO", "9"),
            ("Punkt 9: Die NATO", "9"),
            ("Пункт 9. НАТО", "9"),
            ("№ 9 НАТО", "9"),
            ("① NATO", "1"),
            ("⑨NATO", "9"),
            ("⑴ first", "1"),
            ("⒓ twelfth", "12"),
            ("❿ ten", "10"),
            ("㉑ twenty-one", "21"),
            ("IX. Final provisions", "ix"),
            ("(iv) the rest", "iv"),
            ("iv) the rest", "iv"),
            ("§9 Fees", "§9"),
            ("§ 9. Fees", "§9"),
            ("Article IX", "article 9"),
            ("Article IX. Scope", "article 9"),
            ("Chapter iv Scope", "chapter 4"),
            ("Annex C", "annex c"),
            ("Статья 12. Сфера", "статья 12"),
        ] {
            assert_eq!(strong(text).as_deref(), Some(want), "{text}");
        }
        let m = label_at("9.NATO fighters").unwrap();
        assert_eq!((m.len, m.written), (2, 2));
        let m = label_at("Point 9: NATO").unwrap();
        assert_eq!(&"Point 9: NATO"[..m.written], "Point 9:");
        let m = label_at("9 – NATO").unwrap();
        assert_eq!(&"9 – NATO"[m.len..], "NATO");
        assert_eq!(&"9 – NATO"[..m.written], "9 –");
    }

    #[test]
    fn guard_years() {
        // A year is a label only where the numbering continues.
        assert!(label_at("1991. The licence was revised.").unwrap().weak);
        assert!(label_at("2027. That is the earliest date.").unwrap().weak);
        assert!(key("2007, and then").is_none());
        assert!(key("2024 - 2025 budget").is_none());
        assert!(key("2024 - the year of talks").is_none());
        assert!(key("In 2024 the talks").is_none());
    }

    #[test]
    fn guard_amounts() {
        assert!(label_at("3.5 million Varnians have left.").unwrap().weak);
        assert!(label_at("1.25 billion euros").unwrap().weak);
        assert!(key("1.000 Soldaten bleiben.").is_none());
        assert!(key("2.500.000 people").is_none());
        assert!(key("600,000 personnel").is_none());
        assert!(key("$5 million").is_none());
        assert!(key("€ 10 billion").is_none());
        assert!(key("50% of the troops").is_none());
        assert!(key("10 - 15 people were hurt").is_none());
        // A real sub-clause keeps its label.
        assert!(!label_at("3.5. Remedies").unwrap().weak);
        assert!(!label_at("3.5 Remedies").unwrap().weak);
    }

    #[test]
    fn guard_times_and_dates() {
        assert!(key("10:30 Talks resume").is_none());
        assert!(key("10:40 GMT: no reaction").is_none());
        assert!(label_at("10.30 am: talks resume").unwrap().weak);
        assert!(
            label_at("15. Juni 2024 trat das Gesetz in Kraft.")
                .unwrap()
                .weak
        );
        assert!(label_at("24 November. European governments").is_none());
    }

    #[test]
    fn guard_sentences_starting_with_a_number() {
        assert!(key("5 of the original 12 points survive.").is_none());
        assert!(key("3 soldiers were killed.").is_none());
        assert!(key("12 months later, the talks resumed.").is_none());
        assert!(label_at("5 – the number of points left.").unwrap().weak);
        assert!(key("3.Five").is_some()); // glued before a capital: a label
        assert!(key("3.five").is_none());
        assert!(key("e.g. this").is_none());
        assert!(key("U.S. troops").is_none());
        assert!(key("Point of order: no").is_none());
        assert!(key("Point I think").is_none());
        assert!(key("Items 4 and 5").is_none());
    }

    #[test]
    fn bullets() {
        assert_eq!(bullet("- item"), Some(2));
        assert_eq!(bullet("• item"), Some(4));
        assert_eq!(bullet("•item"), Some(3));
        assert_eq!(bullet("– item"), Some(4));
        assert_eq!(bullet("-item"), None);
        assert_eq!(bullet("*emphasis*"), None);
        assert_eq!(bullet("—"), None);
    }
}

//! Clause segmentation: labelled points, headings, paragraphs and sentences, with the label
//! kept apart from the body and nested numbering turned into a tree.

use std::fmt;

/// A byte range `[start, end)` into the text that was segmented, on char boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// Whether the span holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// The text this span covers.
    pub fn of<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }
}

/// What units a version is cut into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Granularity {
    /// Numbered points, lettered items, articles, sections, headings; paragraphs where a
    /// text has no numbering.
    #[default]
    Clause,
    /// Blank-line separated paragraphs (a label at a paragraph's start is still split off).
    Paragraph,
    /// Sentences, for prose without numbering.
    Sentence,
}

impl Granularity {
    /// "clause", "paragraph" or "sentence".
    pub fn as_str(&self) -> &'static str {
        match self {
            Granularity::Clause => "clause",
            Granularity::Paragraph => "paragraph",
            Granularity::Sentence => "sentence",
        }
    }
}

impl std::str::FromStr for Granularity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "clause" => Ok(Granularity::Clause),
            "paragraph" => Ok(Granularity::Paragraph),
            "sentence" => Ok(Granularity::Sentence),
            other => Err(format!(
                "unknown granularity {other:?} (expected clause, paragraph or sentence)"
            )),
        }
    }
}

/// What kind of unit a clause is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClauseKind {
    /// Starts with a label: "12.", "(b)", "Article 3", "§ 4"…
    Numbered,
    /// A heading: Markdown `#`, or a short line standing alone without final punctuation.
    Heading,
    /// A bullet item ("- ", "* ", "• ").
    Item,
    /// An unlabelled paragraph.
    Paragraph,
    /// A sentence (sentence granularity).
    Sentence,
}

impl ClauseKind {
    /// Lower-case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            ClauseKind::Numbered => "numbered",
            ClauseKind::Heading => "heading",
            ClauseKind::Item => "item",
            ClauseKind::Paragraph => "paragraph",
            ClauseKind::Sentence => "sentence",
        }
    }
}

/// The numbering system of a label, used to decide which labels are siblings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelStyle {
    /// "1." "12)" — arabic numbers; the char is the delimiter.
    Arabic(char),
    /// "2.1" "1.0.1." "A.2." — dotted numbers with this many components.
    Dotted(usize),
    /// "a." "(b)" "c)" — letters; `upper`, delimiter.
    Alpha(bool, char),
    /// "iv." "(ii)" — roman numerals; `upper`, delimiter.
    Roman(bool, char),
    /// "(1)" — arabic numbers in parentheses.
    ParenArabic,
    /// "Article 3", "Section 2.1", "Chapter IV" — the keyword, lower-cased.
    Keyword(String),
    /// "§ 4".
    Paragraph,
}

/// A clause label, as written and normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where the label is written (e.g. "12." including its delimiter).
    pub span: Span,
    /// The label normalized for comparison: "12", "2.1", "b", "article 3", "§4".
    pub key: String,
    /// Its numbering system.
    pub style: LabelStyle,
}

/// One unit of a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// What it is.
    pub kind: ClauseKind,
    /// Its label, if it has one.
    pub label: Option<Label>,
    /// The body: the text after the label, trimmed.
    pub body: Span,
    /// Label and body together.
    pub span: Span,
    /// Depth in the numbering tree (0 = top level).
    pub depth: usize,
    /// Index of the enclosing clause in the same list.
    pub parent: Option<usize>,
    /// A short human name: "7", "2.1", "3(b)", "Article 3", "¶4", "s12".
    pub name: String,
}

impl fmt::Display for Clause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Cut `text` into clauses.
///
/// ```
/// use stemma_diff::{segment, Granularity};
/// let text = "Plan\n\n1. Cease fire.\n2. Talks:\n   (a) in Geneva;\n   (b) in Doha.\n";
/// let clauses = segment(text, Granularity::Clause);
/// let names: Vec<&str> = clauses.iter().map(|c| c.name.as_str()).collect();
/// assert_eq!(names, ["¶1", "1", "2", "2(a)", "2(b)"]);
/// assert_eq!(clauses[1].body.of(text), "Cease fire.");
/// assert_eq!(clauses[3].parent, Some(2));
/// assert_eq!(clauses[3].label.as_ref().unwrap().key, "a");
/// ```
pub fn segment(text: &str, granularity: Granularity) -> Vec<Clause> {
    let mut clauses = match granularity {
        Granularity::Clause => segment_lines(text, false),
        Granularity::Paragraph => segment_lines(text, true),
        Granularity::Sentence => segment_sentences(text),
    };
    name_clauses(text, &mut clauses, granularity);
    clauses
}

struct Open {
    kind: ClauseKind,
    label: Option<(Span, String, LabelStyle)>,
    start: usize,
    body_start: usize,
    end: usize,
    indent: usize,
    lines: usize,
    heading_level: usize,
}

struct StackEntry {
    clause: usize,
    style: Option<LabelStyle>,
    key: String,
    indent: usize,
    heading_level: usize,
}

fn segment_lines(text: &str, paragraphs_only: bool) -> Vec<Clause> {
    let mut clauses: Vec<Clause> = Vec::new();
    let mut stack: Vec<StackEntry> = Vec::new();
    let mut open: Option<Open> = None;
    let mut prev_blank = true;
    let mut prev_line_end_char: Option<char> = None;
    let mut offset = 0;
    for raw_line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end();
        if !line.chars().any(char::is_alphanumeric) {
            // Blank lines and rules ("=====", "-----", "* * *") end a clause.
            if let Some(o) = open.take() {
                close(text, o, &mut clauses, &mut stack);
            }
            prev_blank = true;
            prev_line_end_char = None;
            continue;
        }
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        let indent = line[..lead]
            .chars()
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum::<usize>();
        let content_start = line_start + lead;
        let content_end = line_start + line.len();
        let may_start = prev_blank
            || matches!(
                prev_line_end_char,
                Some('.' | ':' | ';' | '!' | '?' | ')' | '"' | '\'' | '”' | '’')
            )
            || open.as_ref().is_some_and(|o| o.body_start >= o.end);
        let mut started: Option<Open> = None;
        if !paragraphs_only || prev_blank {
            if let Some((level, after)) = markdown_heading(trimmed) {
                let rest = &trimmed[after..];
                let label = parse_label(rest).map(|(len, key, style)| {
                    let s = content_start + after;
                    (Span::new(s, s + rest[..len].trim_end().len()), key, style)
                });
                let body_rel = label.as_ref().map_or(content_start + after, |l| l.0.end);
                started = Some(Open {
                    kind: ClauseKind::Heading,
                    label,
                    start: content_start,
                    body_start: skip_ws(text, body_rel, content_end),
                    end: content_end,
                    indent,
                    lines: 1,
                    heading_level: level,
                });
            } else if let Some((len, key, style)) =
                parse_label(trimmed).filter(|(_, key, style)| {
                    // "1991." opens a clause only when it continues the numbering.
                    let year_like = key.len() == 4 && key.bytes().all(|b| b.is_ascii_digit());
                    (may_start && !year_like) || expected(key, style, &stack, open.as_ref())
                })
            {
                let label_end = content_start + trimmed[..len].trim_end().len();
                started = Some(Open {
                    kind: ClauseKind::Numbered,
                    label: Some((Span::new(content_start, label_end), key, style)),
                    start: content_start,
                    body_start: skip_ws(text, label_end, content_end),
                    end: content_end,
                    indent,
                    lines: 1,
                    heading_level: 0,
                });
            } else if let Some(after) = bullet(trimmed) {
                started = Some(Open {
                    kind: ClauseKind::Item,
                    label: None,
                    start: content_start,
                    body_start: skip_ws(text, content_start + after, content_end),
                    end: content_end,
                    indent,
                    lines: 1,
                    heading_level: 0,
                });
            }
        }
        match (started, open.as_mut()) {
            (Some(new), _) => {
                if let Some(o) = open.take() {
                    close(text, o, &mut clauses, &mut stack);
                }
                open = Some(new);
            }
            (None, Some(o)) => {
                if o.body_start >= o.end {
                    o.body_start = content_start;
                }
                o.end = content_end;
                o.lines += 1;
            }
            (None, None) => {
                open = Some(Open {
                    kind: ClauseKind::Paragraph,
                    label: None,
                    start: content_start,
                    body_start: content_start,
                    end: content_end,
                    indent,
                    lines: 1,
                    heading_level: 0,
                });
            }
        }
        prev_blank = false;
        prev_line_end_char = line.chars().next_back();
        // A Markdown heading is one line.
        if open.as_ref().is_some_and(|o| o.heading_level > 0) {
            if let Some(o) = open.take() {
                close(text, o, &mut clauses, &mut stack);
            }
            prev_blank = true;
        }
    }
    if let Some(o) = open.take() {
        close(text, o, &mut clauses, &mut stack);
    }
    clauses
}

fn skip_ws(text: &str, from: usize, limit: usize) -> usize {
    let rest = &text[from..limit];
    from + (rest.len() - rest.trim_start().len())
}

fn close(text: &str, o: Open, clauses: &mut Vec<Clause>, stack: &mut Vec<StackEntry>) {
    let mut kind = o.kind;
    let body = Span::new(o.body_start.min(o.end), o.end);
    if kind == ClauseKind::Paragraph && o.lines == 1 && looks_like_heading(body.of(text)) {
        kind = ClauseKind::Heading;
    }
    let index = clauses.len();
    let mut label = o.label.map(|(span, key, style)| Label {
        span,
        style: refine_style(&style, &key, stack),
        key,
    });
    let (parent, depth);
    match (label.as_ref().map(|l| (&l.key, &l.style)), o.heading_level) {
        (_, level) if level > 0 => {
            // Markdown headings nest by level and close every list under them.
            while stack
                .last()
                .is_some_and(|e| e.heading_level == 0 || e.heading_level >= level)
            {
                stack.pop();
            }
            parent = stack.last().map(|e| e.clause);
            stack.push(StackEntry {
                clause: index,
                style: None,
                key: String::new(),
                indent: o.indent,
                heading_level: level,
            });
        }
        (Some((key, style)), _) => {
            let style = style.clone();
            let mut placed = false;
            if let LabelStyle::Dotted(n) = style {
                // "2.1" belongs under "2"; "A.2" under "A".
                let prefix = key.rsplit_once('.').map(|(p, _)| p.to_string());
                if let Some(prefix) = prefix {
                    if let Some(pos) = stack.iter().position(|e| e.key == prefix) {
                        stack.truncate(pos + 1);
                        placed = true;
                    } else if let Some(pos) = stack.iter().rposition(|e| {
                        matches!(e.style, Some(LabelStyle::Dotted(m)) if m == n && sibling_prefix(&e.key, key))
                    }) {
                        stack.truncate(pos);
                        placed = true;
                    }
                }
            }
            if !placed {
                if let Some(pos) = stack
                    .iter()
                    .rposition(|e| e.style.as_ref() == Some(&style) && e.indent == o.indent)
                {
                    stack.truncate(pos);
                } else {
                    while stack
                        .last()
                        .is_some_and(|e| e.heading_level == 0 && e.indent > o.indent)
                    {
                        stack.pop();
                    }
                }
            }
            parent = stack.last().map(|e| e.clause);
            stack.push(StackEntry {
                clause: index,
                style: Some(style),
                key: key.clone(),
                indent: o.indent,
                heading_level: 0,
            });
        }
        (None, _) => {
            parent = stack
                .iter()
                .rposition(|e| e.indent <= o.indent)
                .or(stack.len().checked_sub(1))
                .map(|p| stack[p].clause);
        }
    }
    depth = parent.map_or(0, |p| clauses[p].depth + 1);
    let label = label.take();
    clauses.push(Clause {
        kind,
        label,
        body,
        span: Span::new(o.start, o.end),
        depth,
        parent,
        name: String::new(),
    });
}

/// Whether a label continues the numbering in force (the next sibling of a label on the
/// stack, or a first child): such a label starts a clause even after a line without final
/// punctuation ("1. Definitions" / "1.1. …").
fn expected(key: &str, style: &LabelStyle, stack: &[StackEntry], open: Option<&Open>) -> bool {
    let open_label = open.and_then(|o| o.label.as_ref());
    let known = stack
        .iter()
        .filter_map(|e| e.style.as_ref().map(|s| (e.key.as_str(), s)))
        .chain(open_label.map(|(_, k, s)| (k.as_str(), s)));
    let mut parents = known.clone().map(|(k, _)| k);
    let ordinal = label_ordinal(key, style);
    if ordinal == Some(1) {
        return match style {
            LabelStyle::Dotted(_) => key
                .rsplit_once('.')
                .is_some_and(|(prefix, _)| parents.any(|k| k == prefix)),
            _ => true,
        };
    }
    if let (LabelStyle::Dotted(_), Some((prefix, "0"))) = (style, key.rsplit_once('.')) {
        return parents.any(|k| k == prefix);
    }
    let mut known = known;
    known.any(|(k, s)| {
        let same_family = s == style
            || matches!((s, style), (LabelStyle::Alpha(u, d), LabelStyle::Roman(v, e)) if u == v && d == e);
        same_family
            && (!matches!(style, LabelStyle::Dotted(_)) || sibling_prefix(k, key))
            && ordinal.is_some()
            && label_ordinal(k, s).map(|o| o + 1) == ordinal
    })
}

/// The position of a label in its sequence: "3" → 3, "c" → 3, "iv" → 4, "2.5" → 5.
fn label_ordinal(key: &str, style: &LabelStyle) -> Option<u32> {
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
fn sibling_prefix(a: &str, b: &str) -> bool {
    a.rsplit_once('.').map(|(p, _)| p) == b.rsplit_once('.').map(|(p, _)| p)
}

/// "i" after "h" is a letter, not a roman one.
fn refine_style(style: &LabelStyle, key: &str, stack: &[StackEntry]) -> LabelStyle {
    if let LabelStyle::Roman(upper, delim) = style {
        if key.len() == 1 {
            let c = key.chars().next().unwrap_or('i');
            let before = char::from_u32(c as u32 - 1).unwrap_or('a');
            let alpha = LabelStyle::Alpha(*upper, *delim);
            if stack
                .iter()
                .any(|e| e.style.as_ref() == Some(&alpha) && e.key.starts_with(before))
            {
                return alpha;
            }
        }
    }
    style.clone()
}

fn looks_like_heading(line: &str) -> bool {
    let words = line.split_whitespace().count();
    words <= 12
        && !line.ends_with(['.', ',', ';', ':', '!', '?'])
        && line.chars().next().is_some_and(|c| !c.is_lowercase())
}

fn markdown_heading(line: &str) -> Option<(usize, usize)> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes) && line[hashes..].starts_with([' ', '\t']) {
        let rest = &line[hashes..];
        Some((hashes, hashes + (rest.len() - rest.trim_start().len())))
    } else {
        None
    }
}

fn bullet(line: &str) -> Option<usize> {
    for b in ["- ", "* ", "+ ", "• ", "– ", "— "] {
        if line.starts_with(b) {
            return Some(b.len());
        }
    }
    None
}

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
    "пункт",
    "раздел",
    "глава",
];

/// Parse a label at the start of `s`: its length (including the delimiter and the following
/// whitespace), its normalized key and its style. The label must be followed by whitespace
/// or the end of the line.
///
/// ```
/// use stemma_diff::parse_label;
/// assert_eq!(parse_label("12) Talks").unwrap().1, "12");
/// assert_eq!(parse_label("(iv) the rest").unwrap().1, "iv");
/// assert_eq!(parse_label("Article 3 - Scope").unwrap().1, "article 3");
/// assert_eq!(parse_label("§ 4. Fees").unwrap().1, "§4");
/// assert_eq!(parse_label("Section 2.1 Terms").unwrap().1, "section 2.1");
/// assert!(parse_label("2007, and then").is_none());
/// assert!(parse_label("e.g. this").is_none());
/// ```
pub fn parse_label(s: &str) -> Option<(usize, String, LabelStyle)> {
    let (len, key, style) = parse_label_head(s)?;
    let rest = &s[len..];
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let ws = rest.len() - rest.trim_start().len();
    Some((len + ws, key, style))
}

fn parse_label_head(s: &str) -> Option<(usize, String, LabelStyle)> {
    let lower_prefix: String = s.chars().take(12).flat_map(char::to_lowercase).collect();
    // "Article 3", "Section 2.1", "Chapter IV".
    for kw in KEYWORDS {
        if lower_prefix.starts_with(kw) {
            let kw_len = s
                .char_indices()
                .nth(kw.chars().count())
                .map_or(s.len(), |(i, _)| i);
            let rest = &s[kw_len..];
            let ws = rest.len() - rest.trim_start_matches([' ', '\u{a0}']).len();
            if ws == 0 {
                return None;
            }
            let (num_len, num) = number_token(&rest[ws..])?;
            let mut len = kw_len + ws + num_len;
            len += delimiter_len(&s[len..]);
            let key = format!("{} {}", kw.trim_end_matches('.'), num.to_lowercase());
            return Some((len, key, LabelStyle::Keyword(kw.to_string())));
        }
    }
    // "§ 4", "§4.1".
    if let Some(rest) = s.strip_prefix('§') {
        let rest2 = rest.trim_start_matches([' ', '\u{a0}']);
        let (num_len, num) = number_token(rest2)?;
        let mut len = '§'.len_utf8() + (rest.len() - rest2.len()) + num_len;
        len += delimiter_len(&s[len..]);
        return Some((len, format!("§{num}"), LabelStyle::Paragraph));
    }
    // "(b)", "(iv)", "(1)".
    if let Some(rest) = s.strip_prefix('(') {
        let close = rest.find(')')?;
        let inner = &rest[..close];
        if inner.is_empty() || inner.len() > 5 {
            return None;
        }
        let style = item_style(inner, '(')?;
        return Some((close + 2, inner.to_lowercase(), style));
    }
    // "12." "12)" "2.1" "2.1." "A.2." "b)" "iv."
    let token_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == ')'))
        .unwrap_or(s.len());
    let token = &s[..token_end];
    if token.is_empty() {
        return None;
    }
    if let Some(inner) = token.strip_suffix(')') {
        if inner.contains(')') {
            return None;
        }
        let inner = inner.strip_suffix('.').unwrap_or(inner);
        return item_style(inner, ')').map(|st| (token.len(), inner.to_lowercase(), st));
    }
    let core = token.strip_suffix('.').unwrap_or(token);
    let had_dot = core.len() < token.len();
    if core.is_empty() || core.contains("..") {
        return None;
    }
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() >= 2 {
        // Dotted: every part a number, except the first may be a capital letter ("A.2").
        let ok = parts.iter().enumerate().all(|(i, p)| {
            (!p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
                || (i == 0 && p.len() == 1 && p.bytes().all(|b| b.is_ascii_uppercase()))
        });
        if !ok || parts[1..].iter().any(|p| p.is_empty()) {
            return None;
        }
        return Some((
            token.len(),
            core.to_lowercase(),
            LabelStyle::Dotted(parts.len()),
        ));
    }
    if !had_dot {
        return None;
    }
    item_style(core, '.').map(|st| (token.len(), core.to_lowercase(), st))
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

fn roman_value(s: &str) -> Option<u32> {
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

fn segment_sentences(text: &str) -> Vec<Clause> {
    let analysis = stemma_text::analyze(text);
    let mut clauses = Vec::with_capacity(analysis.sentences.len());
    for (i, s) in analysis.sentences.iter().enumerate() {
        let start = analysis.tokens[s.first as usize].start as usize;
        let last_end = analysis.tokens[s.end as usize - 1].end as usize;
        // Keep the closing punctuation: up to the next sentence's first word, trimmed.
        let limit = analysis.sentences.get(i + 1).map_or(text.len(), |n| {
            analysis.tokens[n.first as usize].start as usize
        });
        let tail = &text[last_end..limit];
        let keep = tail
            .char_indices()
            .take_while(|(_, c)| !c.is_whitespace())
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
        let end = last_end + keep;
        clauses.push(Clause {
            kind: ClauseKind::Sentence,
            label: None,
            body: Span::new(start, end),
            span: Span::new(start, end),
            depth: 0,
            parent: None,
            name: String::new(),
        });
    }
    clauses
}

fn name_clauses(text: &str, clauses: &mut [Clause], granularity: Granularity) {
    let mut counter = 0usize;
    for i in 0..clauses.len() {
        let name = match &clauses[i].label {
            Some(label) => {
                let written = label.span.of(text).trim_end_matches(['.', ':']);
                // "12." → "12"; "12)", "(b)", "Article 3", "§ 4" stay as written.
                let own = written.to_string();
                let qualify = !matches!(
                    label.style,
                    LabelStyle::Dotted(_) | LabelStyle::Keyword(_) | LabelStyle::Paragraph
                );
                match clauses[i].parent.filter(|_| qualify) {
                    Some(p) if clauses[p].label.is_some() => {
                        let parent = &clauses[p].name;
                        if own.starts_with('(') {
                            format!("{parent}{own}")
                        } else {
                            format!("{parent}.{own}")
                        }
                    }
                    _ => own,
                }
            }
            None => {
                counter += 1;
                match granularity {
                    Granularity::Sentence => format!("s{counter}"),
                    _ => format!("¶{counter}"),
                }
            }
        };
        clauses[i].name = name;
    }
}

#[cfg(test)]
mod tests {
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
    fn never_panics_on_odd_text() {
        for text in [
            "", "\n\n", "(", "()", "§", "§ x", "Article", "1.", "1..2", "ⅳ. x", "(é) y", "Art. 5",
        ] {
            let _ = segment(text, Granularity::Clause);
            let _ = segment(text, Granularity::Sentence);
        }
    }
}

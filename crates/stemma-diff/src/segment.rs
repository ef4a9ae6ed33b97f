//! Clause segmentation: labelled points, headings, paragraphs and sentences, with the label
//! kept apart from the body and nested numbering turned into a tree.

use std::fmt;

use crate::labels::{bullet, label_at, label_ordinal, sibling_prefix, Label, LabelStyle};

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

impl Clause {
    /// A point of a list: a labelled clause or a bullet item (not a heading, paragraph or
    /// sentence without a label).
    ///
    /// ```
    /// use stemma_diff::{segment, Granularity};
    /// let c = segment("Plan\n\n1. Cease fire.\n- Talks.\n", Granularity::Clause);
    /// let points: Vec<bool> = c.iter().map(|c| c.is_point()).collect();
    /// assert_eq!(points, [false, true, true]);
    /// ```
    pub fn is_point(&self) -> bool {
        self.label.is_some() || self.kind == ClauseKind::Item
    }
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

/// Whether a line ending in `c` ends a sentence (or a label, or an introduction's colon).
fn sentence_end(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | ':' | ';' | '…' | ')' | '"' | '\'' | '”' | '’' | '»'
    )
}

/// Whether the text writes one paragraph per line, as text pasted from a web page does
/// ("<p>" and "<li>" become lines): most lines followed by another line end a sentence.
/// Hard-wrapped text breaks lines mid-sentence. In such text a line that does not start
/// with a label is a paragraph of its own (a commentary line between two points), unless it
/// is indented under the clause before it.
fn one_paragraph_per_line(text: &str) -> bool {
    let (mut interior, mut ending) = (0usize, 0usize);
    let mut prev: Option<&str> = None;
    for line in text.lines() {
        let blank = !line.chars().any(char::is_alphanumeric);
        if let (Some(p), false) = (prev, blank) {
            interior += 1;
            ending += usize::from(p.trim_end().chars().next_back().is_some_and(sentence_end));
        }
        prev = (!blank).then_some(line);
    }
    interior >= 3 && ending * 5 >= interior * 3
}

fn segment_lines(text: &str, paragraphs_only: bool) -> Vec<Clause> {
    let line_paragraphs = !paragraphs_only && one_paragraph_per_line(text);
    let mut clauses: Vec<Clause> = Vec::new();
    let mut stack: Vec<StackEntry> = Vec::new();
    let mut open: Option<Open> = None;
    let mut prev_blank = true;
    let mut prev_line_end_char: Option<char> = None;
    let mut prev_line_chars = usize::MAX;
    let mut last_of_style: Vec<(LabelStyle, String)> = Vec::new();
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
        // Not indented under the open clause (a hanging indent continues it).
        let flush = open.as_ref().is_none_or(|o| indent <= o.indent);
        let may_start = prev_blank
            || matches!(
                prev_line_end_char,
                Some('.' | ':' | ';' | '!' | '?' | ')' | '"' | '\'' | '”' | '’')
            )
            || open.as_ref().is_some_and(|o| o.body_start >= o.end)
            || (line_paragraphs && flush);
        let mut started: Option<Open> = None;
        if !paragraphs_only || prev_blank {
            if let Some((level, after)) = markdown_heading(trimmed) {
                let rest = &trimmed[after..];
                let label = label_at(rest).filter(|m| !m.weak).map(|m| {
                    let s = content_start + after;
                    (Span::new(s, s + m.written), m.key, m.style)
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
            } else if let Some(m) = label_at(trimmed).filter(|m| {
                // A weak label ("1991.", "3.5 million") opens a clause only when it
                // continues the numbering after a sibling.
                (may_start && !m.weak)
                    || expected(
                        &m.key,
                        &m.style,
                        &stack,
                        open.as_ref(),
                        &last_of_style,
                        !m.weak,
                    )
            }) {
                let label_end = content_start + m.written;
                started = Some(Open {
                    kind: ClauseKind::Numbered,
                    label: Some((Span::new(content_start, label_end), m.key, m.style)),
                    start: content_start,
                    body_start: skip_ws(text, label_end, content_end),
                    end: content_end,
                    indent,
                    lines: 1,
                    heading_level: 0,
                });
            } else if let Some((after, m)) = bullet(trimmed).map(|after| {
                // "- a) You must…": a bullet in front of a label (an HTML list of
                // labelled items) is the label's clause.
                let m = label_at(&trimmed[after..]).filter(|m| !m.weak);
                (after, m)
            }) {
                if let Some(m) = m {
                    let label_start = content_start + after;
                    let label_end = label_start + m.written;
                    started = Some(Open {
                        kind: ClauseKind::Numbered,
                        label: Some((Span::new(label_start, label_end), m.key, m.style)),
                        start: content_start,
                        body_start: skip_ws(text, label_end, content_end),
                        end: content_end,
                        indent,
                        lines: 1,
                        heading_level: 0,
                    });
                } else {
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
        }
        if started.is_none()
            && line_paragraphs
            && flush
            && open.as_ref().is_some_and(|o| o.body_start < o.end)
            && (prev_line_end_char.is_some_and(sentence_end) || prev_line_chars < 40)
        {
            // One paragraph per line: this line is a paragraph of its own.
            if let Some(o) = open.take() {
                close(text, o, &mut clauses, &mut stack);
            }
        }
        if let Some((_, key, style)) = started.as_ref().and_then(|o| o.label.as_ref()) {
            match last_of_style.iter_mut().find(|(s, _)| s == style) {
                Some(entry) => entry.1.clone_from(key),
                None => last_of_style.push((style.clone(), key.clone())),
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
        // A short line is a line of its own (a headline, a dateline), not a wrapped one.
        prev_line_chars = if prev_line_end_char.is_some_and(|c| matches!(c, ',' | '-')) {
            usize::MAX
        } else {
            trimmed.chars().count()
        };
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
/// stack, or, with `first`, a first child): such a label starts a clause even after a line
/// without final punctuation ("1. Definitions" / "1.1. …").
fn expected(
    key: &str,
    style: &LabelStyle,
    stack: &[StackEntry],
    open: Option<&Open>,
    last_of_style: &[(LabelStyle, String)],
    first: bool,
) -> bool {
    let open_label = open.and_then(|o| o.label.as_ref());
    let in_force = stack
        .iter()
        .filter_map(|e| e.style.as_ref().map(|s| (e.key.as_str(), s)))
        .chain(open_label.map(|(_, k, s)| (k.as_str(), s)));
    let mut parents = in_force.clone().map(|(k, _)| k);
    // A numbering that runs on across sections ("Section 26" / "1001.") continues the last
    // label of its style, wherever it stands.
    let known = in_force.chain(last_of_style.iter().map(|(s, k)| (k.as_str(), s)));
    let ordinal = label_ordinal(key, style);
    if ordinal == Some(1) && first {
        return match style {
            LabelStyle::Dotted(_) => key
                .rsplit_once('.')
                .is_some_and(|(prefix, _)| parents.any(|k| k == prefix)),
            _ => true,
        };
    }
    if let (true, LabelStyle::Dotted(_), Some((prefix, "0"))) = (first, style, key.rsplit_once('.'))
    {
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
    let (mut counter, mut items) = (0usize, 0usize);
    for i in 0..clauses.len() {
        let name = match &clauses[i].label {
            Some(label) => {
                // "12." "12)" "9 –" "Point 9:" → "12" "12" "9" "Point 9"; "(b)", "Article 3",
                // "§ 4" stay as written.
                let written = label.span.of(text);
                let own = if written.starts_with('(') {
                    written.trim_end_matches(['.', ':'])
                } else {
                    written.trim_end_matches(['.', ':', ')', '-', '–', '—', ' ', '\u{a0}'])
                };
                let own = own.to_string();
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
            // A bullet is named by its place among the bullets: "•3".
            None if clauses[i].kind == ClauseKind::Item => {
                items += 1;
                format!("•{items}")
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
mod tests;

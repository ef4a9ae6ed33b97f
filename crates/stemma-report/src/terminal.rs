//! Terminal text building blocks shared by the terminal reports: making untrusted text safe to
//! print, measuring it in columns, wrapping styled text, eliding long blocks and emitting ANSI.
//!
//! Document text is untrusted: an escape sequence inside it could retitle the window, move the
//! cursor, or hide lines, and bidi overrides can make text read differently from what it is.
//! Every char that reaches the terminal therefore goes through [`clean_char`].

use anstyle::Style;
use unicode_width::UnicodeWidthChar;

/// Replacement shown for a char that must not reach the terminal raw.
pub(crate) const REPLACEMENT: char = '\u{FFFD}';

/// What a char of document text becomes on the terminal: `None` for whitespace (a break
/// opportunity, rendered as one space), otherwise the char to print.
pub(crate) fn clean_char(c: char) -> Option<char> {
    if c.is_whitespace() {
        return None;
    }
    let bidi_control = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}');
    if c.is_control() || bidi_control {
        Some(REPLACEMENT)
    } else {
        Some(c)
    }
}

/// Display width of a (cleaned) char: 2 for wide East Asian chars, 0 for combining marks.
pub(crate) fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// `text` on one line: whitespace runs collapsed to one space, unsafe chars replaced.
pub(crate) fn clean_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        match clean_char(c) {
            None => pending_space = !out.is_empty(),
            Some(c) => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(c);
            }
        }
    }
    out
}

/// Display width of a cleaned string.
pub(crate) fn str_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// `text` cut to at most `width` columns, ending with "…" when cut.
pub(crate) fn truncate(text: &str, width: usize) -> String {
    if str_width(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in text.chars() {
        let cw = char_width(c);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// `text` cut to at most `width` columns from the start, beginning with "…" when cut.
pub(crate) fn truncate_start(text: &str, width: usize) -> String {
    if str_width(text) <= width {
        return text.to_string();
    }
    let mut kept = Vec::new();
    let mut w = 0;
    for c in text.chars().rev() {
        let cw = char_width(c);
        if w + cw + 1 > width {
            break;
        }
        kept.push(c);
        w += cw;
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// A count and its noun, singular for one. The digits are not grouped, so that scripts can
/// read the number back.
///
/// ```
/// assert_eq!(stemma_report::plural(1, "document", "documents"), "1 document");
/// assert_eq!(stemma_report::plural(10788, "document", "documents"), "10788 documents");
/// ```
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `1234567` → "1,234,567".
pub(crate) fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One wrapped line: styled runs, its width in columns and how many words start on it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Line {
    pub runs: Vec<(Style, String)>,
    pub width: usize,
    pub words: usize,
}

impl Line {
    fn push(&mut self, style: Style, c: char, w: usize) {
        match self.runs.last_mut() {
            Some((s, text)) if *s == style => text.push(c),
            _ => self.runs.push((style, c.to_string())),
        }
        self.width += w;
    }

    /// A plain line.
    pub fn plain(text: impl Into<String>) -> Line {
        let text = text.into();
        Line {
            width: str_width(&text),
            runs: vec![(Style::new(), text)],
            words: 0,
        }
    }

    /// A line with one style.
    pub fn styled(style: Style, text: impl Into<String>) -> Line {
        let text = text.into();
        Line {
            width: str_width(&text),
            runs: vec![(style, text)],
            words: 0,
        }
    }

    /// Append text in a style.
    pub fn append(mut self, style: Style, text: &str) -> Line {
        self.width += str_width(text);
        self.runs.push((style, text.to_string()));
        self
    }

    /// The line as a string, with ANSI styles when `color`.
    pub fn render(&self, color: bool, out: &mut String) {
        for (style, text) in &self.runs {
            if color && *style != Style::new() {
                out.push_str(&format!(
                    "{}{}{}",
                    style.render(),
                    text,
                    style.render_reset()
                ));
            } else {
                out.push_str(text);
            }
        }
    }
}

/// A unit the wrapper never splits unless it is wider than a line: a run of narrow chars, or
/// a single wide (CJK) char, since CJK text may break between any two chars.
struct Atom {
    cells: Vec<(char, Style, usize)>,
    width: usize,
    space_before: bool,
    word: bool,
}

/// Wrap styled `pieces` of document text to `width` columns.
///
/// Whitespace runs (newlines included) become single spaces: the terminal report shows the
/// words of a passage, the JSON and HTML reports keep its exact layout.
pub(crate) fn wrap(pieces: &[(Style, &str)], width: usize) -> Vec<Line> {
    let width = width.max(8);
    let mut lines = Vec::new();
    let mut line = Line::default();
    let mut atom: Option<Atom> = None;
    let mut space = false;
    for &(style, text) in pieces {
        for c in text.chars() {
            let Some(c) = clean_char(c) else {
                if let Some(a) = atom.take() {
                    place(a, &mut line, &mut lines, width);
                }
                space = true;
                continue;
            };
            let w = char_width(c);
            if w >= 2 {
                // A wide char is an atom of its own: lines may break on either side of it.
                if let Some(a) = atom.take() {
                    place(a, &mut line, &mut lines, width);
                }
                let wide = Atom {
                    cells: vec![(c, style, w)],
                    width: w,
                    space_before: std::mem::take(&mut space),
                    word: c.is_alphanumeric(),
                };
                place(wide, &mut line, &mut lines, width);
                continue;
            }
            let a = atom.get_or_insert_with(|| Atom {
                cells: Vec::new(),
                width: 0,
                space_before: std::mem::take(&mut space),
                word: false,
            });
            a.cells.push((c, style, w));
            a.width += w;
            a.word |= c.is_alphanumeric();
        }
    }
    if let Some(a) = atom.take() {
        place(a, &mut line, &mut lines, width);
    }
    if !line.runs.is_empty() {
        lines.push(line);
    }
    lines
}

fn place(atom: Atom, line: &mut Line, lines: &mut Vec<Line>, width: usize) {
    let gap = usize::from(atom.space_before && line.width > 0);
    if line.width + gap + atom.width > width && atom.width <= width && line.width > 0 {
        lines.push(std::mem::take(line));
    } else if gap == 1 {
        line.push(Style::new(), ' ', 1);
    }
    if atom.word {
        line.words += 1;
    }
    for (c, style, w) in atom.cells {
        // Only an atom wider than a whole line gets here without room: break it by chars.
        if line.width + w > width && line.width > 0 {
            lines.push(std::mem::take(line));
        }
        line.push(style, c, w);
    }
}

/// `line` as is when it fits in `width` columns, else re-wrapped at its spaces (for headings
/// built from metadata, which can be of any length).
pub(crate) fn fit(line: &Line, width: usize) -> Vec<Line> {
    if line.width <= width {
        return vec![line.clone()];
    }
    let pieces: Vec<(Style, &str)> = line.runs.iter().map(|(s, t)| (*s, t.as_str())).collect();
    wrap(&pieces, width)
}

/// At most `max` lines: the first and the last ones, with one line "… [N words] …" standing
/// for the middle. Returns whether anything was elided.
pub(crate) fn elide(lines: &mut Vec<Line>, max: usize, style: Style) -> bool {
    if max < 3 || lines.len() <= max {
        return false;
    }
    let head = (max - 1).div_ceil(2);
    let tail = max - 1 - head;
    let cut = lines.len() - tail;
    let words: usize = lines[head..cut].iter().map(|l| l.words).sum();
    let marker = Line::styled(style, format!("… [{} words] …", grouped(words)));
    lines.splice(head..cut, [marker]);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                let mut s = String::new();
                l.render(false, &mut s);
                s
            })
            .collect()
    }

    #[test]
    fn wraps_words_and_cjk() {
        let lines = wrap(&[(Style::new(), "one two three four five")], 9);
        assert_eq!(plain(&lines), ["one two", "three", "four five"]);
        let lines = wrap(&[(Style::new(), "中文文本没有空格可以断开")], 8);
        assert_eq!(plain(&lines), ["中文文本", "没有空格", "可以断开"]);
        assert!(lines.iter().all(|l| l.width <= 8));
        let lines = wrap(&[(Style::new(), "abcdefghijklmnopqrstu")], 8);
        assert_eq!(plain(&lines), ["abcdefgh", "ijklmnop", "qrstu"]);
    }

    #[test]
    fn control_chars_are_replaced() {
        let lines = wrap(&[(Style::new(), "a\u{1b}[31mb\u{7}\u{202E}c\r\nd")], 40);
        assert_eq!(plain(&lines), ["a\u{FFFD}[31mb\u{FFFD}\u{FFFD}c d"]);
        assert_eq!(clean_line(" x\u{9b}\ty "), "x\u{FFFD} y");
    }

    #[test]
    fn truncates() {
        assert_eq!(truncate("abcdefghij", 5), "abcd…");
        assert_eq!(truncate_start("/a/b/file.txt", 9), "…file.txt");
        assert_eq!(truncate_start("中文中文中文", 5), "…中文");
        assert_eq!(grouped(1234567), "1,234,567");
        assert_eq!(grouped(999), "999");
    }

    #[test]
    fn elides_middle() {
        let text = (1..=60)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let mut lines = wrap(&[(Style::new(), &text)], 12);
        let total: usize = lines.iter().map(|l| l.words).sum();
        assert_eq!(total, 60);
        assert!(elide(&mut lines, 5, Style::new()));
        assert_eq!(lines.len(), 5);
        let shown: usize = lines.iter().map(|l| l.words).sum();
        assert_eq!(plain(&lines)[2], format!("… [{} words] …", 60 - shown));
    }
}

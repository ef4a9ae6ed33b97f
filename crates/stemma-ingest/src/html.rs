//! HTML → main text: one paragraph per block, boilerplate elements dropped.
//!
//! See the crate doc for why this is a block walk over html5ever's tree rather than
//! Readability scoring.

use ego_tree::iter::Edge;
use ego_tree::NodeRef;
use scraper::{Html, Node};
use stemma_text::{decode, Document};

use crate::{extracted, tidy_paragraphs, Reason};

/// The parser's cost grows with the nesting depth at every start tag (its scope checks walk
/// the stack of open elements): 40,000 nested `<div>`s take ~20 s. Pages nest a few dozen
/// deep, so a budget on the sum of depths (~7 s of parsing at worst; a 64 MB page nesting 30
/// deep sums to ~2e8) refuses only pathological input.
const NESTING_WORK_BUDGET: u64 = 300_000_000;

pub(crate) fn parse(id: &str, bytes: &[u8]) -> Result<Document, Reason> {
    let decoded = decode(bytes)?;
    let (max_depth, work) = nesting(&decoded.text, NESTING_WORK_BUDGET);
    if work > NESTING_WORK_BUDGET {
        return Err(Reason::Malformed {
            format: "HTML",
            detail: format!(
                "elements nested over {max_depth} deep, too deep to parse in bounded time"
            ),
        });
    }
    let (title, text) = main_text(&decoded.text);
    let mut doc = extracted(id, text, bytes.len())?;
    doc.title = title;
    doc.encoding = decoded.encoding.name().to_string();
    doc.replaced = decoded.replaced;
    Ok(doc)
}

/// The `<title>` and the main text of an HTML page.
pub(crate) fn main_text(html: &str) -> (Option<String>, String) {
    let page = Html::parse_document(html);
    let mut title = None;
    let mut main = None;
    let mut articles = Vec::new();
    let mut body = None;
    for node in page.tree.root().descendants() {
        let Node::Element(el) = node.value() else {
            continue;
        };
        match el.name() {
            "title" if title.is_none() => {
                let t = collapse_ws(&node_text(node));
                title = (!t.is_empty()).then_some(t);
            }
            "main" if main.is_none() => main = Some(node),
            "article" => articles.push(node),
            "body" if body.is_none() => body = Some(node),
            _ if main.is_none() && el.attr("role") == Some("main") => main = Some(node),
            _ => {}
        }
    }
    // One article is the page's content; several (a blog index) are all content.
    let (root, in_content) = match (main, articles.as_slice()) {
        (Some(m), _) => (m, true),
        (None, [only]) => (*only, true),
        _ => (body.unwrap_or(page.tree.root()), false),
    };
    (title, tidy_paragraphs(&walk(root, in_content)))
}

/// Elements whose text is never main text. `header` is dropped only at page level: inside
/// `<main>` or `<article>` it holds the article's own headline.
fn dropped(el: &scraper::node::Element, in_content: bool) -> bool {
    let by_name = matches!(
        el.name(),
        "script"
            | "style"
            | "noscript"
            | "template"
            | "nav"
            | "footer"
            | "aside"
            | "form"
            | "button"
            | "select"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "svg"
            | "dialog"
            | "head"
    ) || (el.name() == "header" && !in_content);
    by_name
        || el.attr("hidden").is_some()
        || el.attr("aria-hidden") == Some("true")
        || matches!(
            el.attr("role"),
            Some("navigation" | "banner" | "contentinfo" | "complementary" | "search")
        )
        || el.attr("style").is_some_and(|s| {
            let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            s.to_ascii_lowercase().contains("display:none")
        })
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "li"
            | "main"
            | "menu"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "tfoot"
            | "thead"
            | "tr"
            | "ul"
    )
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Break {
    None,
    Line,
    Paragraph,
}

/// Text written block by block: a pending break is written only before the next word, so
/// empty blocks leave no blank lines behind.
struct Out {
    text: String,
    pending: Break,
    space: bool,
}

impl Out {
    fn word(&mut self, w: &str) {
        if !self.text.is_empty() {
            match self.pending {
                Break::Paragraph => self.text.push_str("\n\n"),
                Break::Line => self.text.push('\n'),
                Break::None if self.space => self.text.push(' '),
                Break::None => {}
            }
        }
        self.pending = Break::None;
        self.space = false;
        self.text.push_str(w);
    }

    fn flowing(&mut self, s: &str) {
        if s.starts_with(char::is_whitespace) {
            self.space = true;
        }
        for (i, w) in s.split_whitespace().enumerate() {
            if i > 0 {
                self.space = true;
            }
            self.word(w);
        }
        if s.ends_with(char::is_whitespace) {
            self.space = true;
        }
    }

    fn brk(&mut self, b: Break) {
        if !self.text.is_empty() {
            self.pending = self.pending.max(b);
        }
    }
}

/// Iterative (no recursion: deeply nested markup cannot overflow the stack).
fn walk(root: NodeRef<'_, Node>, in_content: bool) -> String {
    let mut out = Out {
        text: String::new(),
        pending: Break::None,
        space: false,
    };
    let mut skip = 0usize;
    let mut pre = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    if skip > 0 || dropped(el, in_content) {
                        if dropped(el, in_content) {
                            skip += 1;
                        }
                        continue;
                    }
                    let name = el.name();
                    if name == "br" {
                        // Two line breaks in a row separate paragraphs.
                        let b = if out.pending == Break::Line {
                            Break::Paragraph
                        } else {
                            Break::Line
                        };
                        out.brk(b);
                    } else if name == "pre" {
                        pre += 1;
                        out.brk(Break::Paragraph);
                    } else if matches!(name, "td" | "th") {
                        out.space = true;
                    } else if is_block(name) {
                        out.brk(Break::Paragraph);
                    }
                }
                Node::Text(t) if skip == 0 => {
                    if pre > 0 {
                        // Preformatted text keeps its lines; the break before it is written
                        // first.
                        let mut lines = t.split('\n');
                        if let Some(first) = lines.next() {
                            out.verbatim(first);
                        }
                        for line in lines {
                            out.pending = out.pending.max(Break::Line);
                            out.verbatim(line);
                            if line.trim().is_empty() {
                                out.brk(Break::Line);
                            }
                        }
                    } else {
                        out.flowing(t);
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    if dropped(el, in_content) {
                        skip = skip.saturating_sub(1);
                        continue;
                    }
                    if skip > 0 {
                        continue;
                    }
                    if el.name() == "pre" {
                        pre = pre.saturating_sub(1);
                        out.brk(Break::Paragraph);
                    } else if is_block(el.name()) {
                        out.brk(Break::Paragraph);
                    }
                }
            }
        }
    }
    out.text
}

impl Out {
    /// A line of preformatted text: written as is (blank lines become pending breaks, so
    /// `tidy_paragraphs` turns runs of them into one paragraph break).
    fn verbatim(&mut self, line: &str) {
        if line.trim().is_empty() {
            if self.pending == Break::Line {
                self.pending = Break::Paragraph;
            }
            return;
        }
        if !self.text.is_empty() {
            match self.pending {
                Break::Paragraph => self.text.push_str("\n\n"),
                Break::Line => self.text.push('\n'),
                Break::None if self.space => self.text.push(' '),
                Break::None => {}
            }
        }
        self.pending = Break::None;
        self.space = false;
        self.text.push_str(line.trim_end());
    }
}

/// A cheap pre-scan of the tags: `(deepest nesting, sum of the depth at each start tag)`,
/// stopping once the sum passes `budget`. Void elements and elements whose end tag may be
/// left out (`p`, `li`, `td`, …) are not counted as opening a level, so sloppy but ordinary
/// pages stay shallow.
fn nesting(html: &str, budget: u64) -> (usize, u64) {
    let b = html.as_bytes();
    let (mut depth, mut max, mut work) = (0usize, 0usize, 0u64);
    let mut i = 0;
    while let Some(lt) = b[i..].iter().position(|&c| c == b'<') {
        i += lt + 1;
        if b[i..].starts_with(b"!--") {
            i = find(b, i, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let closing = b.get(i) == Some(&b'/');
        let start = i + usize::from(closing);
        let name_len = b[start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            continue;
        }
        let name = html[start..start + name_len].to_ascii_lowercase();
        let end = tag_end(b, start + name_len);
        i = end;
        if closing {
            if !unleveled(&name) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if matches!(
            name.as_str(),
            "script" | "style" | "textarea" | "title" | "xmp" | "noembed" | "noframes"
        ) {
            let close = format!("</{name}");
            i = find_ci(b, i, close.as_bytes()).unwrap_or(b.len());
            continue;
        }
        if unleveled(&name) || b[..end].ends_with(b"/>") {
            continue;
        }
        depth += 1;
        max = max.max(depth);
        work += depth as u64;
        if work > budget {
            break;
        }
    }
    (max, work)
}

fn unleveled(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "p"
            | "li"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "option"
            | "optgroup"
            | "thead"
            | "tbody"
            | "tfoot"
            | "colgroup"
            | "caption"
            | "rb"
            | "rt"
            | "rp"
            | "html"
            | "head"
            | "body"
    )
}

/// Index just past the `>` that ends a tag, skipping quoted attribute values.
fn tag_end(b: &[u8], mut i: usize) -> usize {
    let mut quote = None;
    while i < b.len() {
        match (quote, b[i]) {
            (None, b'>') => return i + 1,
            (None, q @ (b'"' | b'\'')) => quote = Some(q),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b[from.min(b.len())..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn find_ci(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b[from.min(b.len())..]
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
}

fn node_text(node: NodeRef<'_, Node>) -> String {
    node.descendants()
        .filter_map(|n| match n.value() {
            Node::Text(t) => Some(&**t),
            _ => None,
        })
        .collect()
}

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_paragraphs_and_noise_goes() {
        let (title, text) = main_text(
            "<html><head><title> A  page </title><style>p{}</style></head><body>\
             <header>Site name</header><nav><a>Home</a></nav>\
             <h1>Heading</h1><p>First &amp; <b>bold</b>\n  para.</p><p>Second<br>line</p>\
             <ul><li>one</li><li>two</li></ul><script>var x = 1;</script>\
             <div hidden>secret</div><footer>Copyright</footer></body></html>",
        );
        assert_eq!(title.as_deref(), Some("A page"));
        assert_eq!(
            text,
            "Heading\n\nFirst & bold para.\n\nSecond\nline\n\none\n\ntwo"
        );
    }

    #[test]
    fn article_is_preferred_and_keeps_its_header() {
        let (_, text) = main_text(
            "<body><header>Site</header><article><header><h1>Story</h1></header>\
             <p>Body.</p><footer>Tags</footer></article><aside>Related</aside></body>",
        );
        assert_eq!(text, "Story\n\nBody.");
    }

    #[test]
    fn pre_keeps_lines() {
        let (_, text) = main_text("<pre>  one\ntwo\n\n\nthree</pre><p>after</p>");
        assert_eq!(text, "  one\ntwo\n\nthree\n\nafter");
    }

    #[test]
    fn nesting_is_measured_cheaply() {
        assert_eq!(
            nesting("<div><p>a<p>b<br><div/><img src='>'></div>", u64::MAX),
            (1, 1)
        );
        assert_eq!(
            nesting(
                "<script>if (a<b) { x = '<div>'; }</script><!-- <div> --><b>x</b>",
                u64::MAX
            ),
            (1, 1)
        );
        let deep = format!("{}x", "<div>".repeat(40_000));
        let err = parse("deep.html", deep.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("too deep to parse"), "{err}");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!("{}deep{}", "<div>".repeat(5_000), "</div>".repeat(5_000));
        let (_, text) = main_text(&html);
        assert_eq!(text, "deep");
    }
}

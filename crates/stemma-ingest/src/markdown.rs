//! Markdown: the text as written, with `---` front matter (YAML-style `key: value` lines)
//! taken out as metadata. The document text is the body after the front matter, so every
//! span stemma reports indexes the body.

use stemma_text::{decode, DecodeError, Document};

use crate::Reason;

pub(crate) fn parse(id: &str, bytes: &[u8]) -> Result<Document, Reason> {
    let decoded = decode(bytes)?;
    let (fields, body) = split_front_matter(&decoded.text);
    if !body.chars().any(char::is_alphanumeric) {
        return Err(Reason::Decode(DecodeError::NoWords { bytes: bytes.len() }));
    }
    let mut doc = Document::new(id, body);
    doc.encoding = decoded.encoding.name().to_string();
    doc.replaced = decoded.replaced;
    for (key, value) in fields {
        match key.to_ascii_lowercase().as_str() {
            "id" => doc.id = value,
            "title" => doc.title = Some(value),
            "source" | "series" | "publisher" => doc.source = Some(value),
            "date" => doc.date = Some(value),
            "lang" | "language" => doc.lang = Some(value),
            _ => {}
        }
    }
    if doc.title.is_none() {
        doc.title = first_heading(&doc.text);
    }
    Ok(doc)
}

/// `(fields, body)`: the front matter's `key: value` pairs (empty values dropped, quotes
/// removed) and the text after the closing `---`. Without a closed front matter block the
/// whole text is the body.
fn split_front_matter(text: &str) -> (Vec<(String, String)>, &str) {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (Vec::new(), text);
    };
    let mut fields = Vec::new();
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return (fields, &rest[offset..]);
        }
        if let Some((key, value)) = trimmed.split_once(':') {
            let key = key.trim();
            let value = unquote(value.trim());
            if !key.is_empty() && !key.starts_with([' ', '#', '-']) && !value.is_empty() {
                fields.push((key.to_string(), value.to_string()));
            }
        }
    }
    (Vec::new(), text)
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

/// The first ATX heading (`# Title`), the usual title of a Markdown file without front
/// matter.
fn first_heading(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let heading = line.strip_prefix('#')?.trim_start_matches('#');
        heading
            .starts_with(' ')
            .then(|| heading.trim().trim_end_matches('#').trim().to_string())
            .filter(|t| !t.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_becomes_metadata_and_body_is_text() {
        let md = "---\r\ntitle: \"The Memo\"\nsource: Ministry\ndate: 2024-05-01\nid: memo-7\ntags:\n  - a\n---\n# Heading\n\nBody words.\n";
        let doc = parse("memo.md", md.as_bytes()).unwrap();
        assert_eq!(doc.id, "memo-7");
        assert_eq!(doc.title.as_deref(), Some("The Memo"));
        assert_eq!(doc.source.as_deref(), Some("Ministry"));
        assert_eq!(doc.date.as_deref(), Some("2024-05-01"));
        assert_eq!(doc.text, "# Heading\n\nBody words.\n");
    }

    #[test]
    fn without_front_matter_the_heading_is_the_title() {
        let doc = parse("a.md", b"Intro\n\n## Part one ##\ntext").unwrap();
        assert_eq!(doc.title.as_deref(), Some("Part one"));
        assert_eq!(doc.text, "Intro\n\n## Part one ##\ntext");
        // An unclosed block is text, not metadata.
        let doc = parse("b.md", b"---\ntitle: x\nno end").unwrap();
        assert_eq!(doc.text, "---\ntitle: x\nno end");
        assert!(doc.title.is_none());
    }

    #[test]
    fn front_matter_only_is_empty() {
        let err = parse("c.md", b"---\ntitle: x\n---\n\n").unwrap_err();
        assert!(err.to_string().starts_with("empty document"), "{err}");
    }
}

//! Which parser reads an input: by extension, else by content.

use std::io::Cursor;
use std::path::Path;

/// A file format this crate reads.
///
/// ```
/// use stemma_ingest::Format;
/// assert_eq!(Format::from_path("a/b/Report.DOCX".as_ref()), Some(Format::Docx));
/// assert_eq!(Format::from_path("notes".as_ref()), None);
/// assert_eq!(Format::sniff(b"%PDF-1.7\n..."), Format::Pdf);
/// assert_eq!(Format::sniff(b"<!DOCTYPE html><p>hi</p>"), Format::Html);
/// assert_eq!(Format::sniff(b"{\"id\": 1, \"text\": \"x\"}\n"), Format::Jsonl);
/// assert_eq!(Format::sniff(b"Just words."), Format::Text);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text in any encoding [`stemma_text::decode`] detects.
    Text,
    /// Markdown: text, with optional `---` front matter read as metadata.
    Markdown,
    /// HTML: main text only.
    Html,
    /// PDF: the text layer.
    Pdf,
    /// Office Open XML word processing (Word 2007+).
    Docx,
    /// OpenDocument text (LibreOffice, …).
    Odt,
    /// JSON Lines: one JSON object (a record) per line.
    Jsonl,
    /// JSON: one record object, or an array of them.
    Json,
}

impl Format {
    /// The format an extension names (case-insensitive), or `None` for unknown extensions.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => Format::Text,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" | "xhtml" => Format::Html,
            "pdf" => Format::Pdf,
            "docx" => Format::Docx,
            "odt" => Format::Odt,
            "jsonl" | "ndjson" => Format::Jsonl,
            "json" => Format::Json,
            _ => return None,
        })
    }

    /// The format the content looks like; [`Format::Text`] when nothing else fits (binary
    /// content then fails as text, with the reason "binary file").
    pub fn sniff(bytes: &[u8]) -> Format {
        let head = &bytes[..bytes.len().min(4096)];
        // The PDF specification lets the header start within the first 1024 bytes.
        if head[..head.len().min(1024)]
            .windows(5)
            .any(|w| w == b"%PDF-")
        {
            return Format::Pdf;
        }
        if bytes.starts_with(b"PK\x03\x04") {
            return sniff_zip(bytes).unwrap_or(Format::Text);
        }
        let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        let text = String::from_utf8_lossy(head);
        let trimmed = text.trim_start();
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("<!doctype html") || lower.contains("<html") {
            return Format::Html;
        }
        if trimmed.starts_with('[') {
            return Format::Json;
        }
        if trimmed.starts_with('{') {
            // A pretty-printed object opens with a line holding only "{".
            let first_line = trimmed.lines().next().unwrap_or("").trim();
            return if first_line == "{" {
                Format::Json
            } else {
                Format::Jsonl
            };
        }
        if text.starts_with("---\n") || text.starts_with("---\r\n") {
            return Format::Markdown;
        }
        Format::Text
    }

    /// A short name for messages: "PDF", "DOCX", …
    pub fn name(&self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "Markdown",
            Format::Html => "HTML",
            Format::Pdf => "PDF",
            Format::Docx => "DOCX",
            Format::Odt => "ODT",
            Format::Jsonl => "JSON Lines",
            Format::Json => "JSON",
        }
    }
}

/// A zip is a DOCX when it holds `word/document.xml`, an ODT when its `mimetype` entry says
/// so (or it holds `content.xml`); anything else is not a document format we read.
fn sniff_zip(bytes: &[u8]) -> Option<Format> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    if archive.index_for_name("word/document.xml").is_some() {
        return Some(Format::Docx);
    }
    if let Ok(entry) = archive.by_name("mimetype") {
        let mut mime = Vec::new();
        // The mimetype entry is a few dozen bytes; never read more than that.
        std::io::Read::read_to_end(&mut std::io::Read::take(entry, 128), &mut mime).ok()?;
        if mime.starts_with(b"application/vnd.oasis.opendocument.text") {
            return Some(Format::Odt);
        }
        return None;
    }
    archive.index_for_name("content.xml").map(|_| Format::Odt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_kind() {
        assert_eq!(Format::sniff(b"\n\n  <html lang=en>"), Format::Html);
        assert_eq!(Format::sniff(b"[{\"text\":\"a\"}]"), Format::Json);
        assert_eq!(Format::sniff(b"{\n  \"text\": \"a\"\n}\n"), Format::Json);
        assert_eq!(Format::sniff(b"---\ntitle: x\n---\nbody"), Format::Markdown);
        assert_eq!(Format::sniff(b"PK\x03\x04garbage"), Format::Text);
        assert_eq!(Format::sniff(b""), Format::Text);
    }
}

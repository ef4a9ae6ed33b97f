//! DOCX and ODT → text: paragraphs (`w:p`, `text:p`, `text:h`) separated by blank lines.
//!
//! Both are zip archives of XML. Every entry is decompressed through a shared cap, so a zip
//! bomb costs at most the cap in memory and time before it is refused; the sizes an archive
//! declares are never trusted for allocation.

use std::io::{Cursor, Read};

use quick_xml::events::{BytesRef, Event};
use quick_xml::Reader;
use stemma_text::Document;
use zip::result::ZipError;
use zip::ZipArchive;

use crate::{extracted, tidy_paragraphs, Limits, Reason};

/// More entries than any word-processing document has; refusing above it bounds the
/// central-directory work too.
const MAX_ENTRIES: usize = 10_000;

/// Office XML deflates 5–20×, a zip bomb ~1000×: allow 100× the archive size (at least
/// 4 MiB, so small documents are never refused), but never more than 4 × the input limit.
fn expansion_cap(archive_len: usize, limits: &Limits) -> u64 {
    const FLOOR: u64 = 4 << 20;
    let by_ratio = (archive_len as u64).saturating_mul(100).max(FLOOR);
    by_ratio.min(limits.max_bytes.saturating_mul(4).max(FLOOR))
}

pub(crate) fn parse_docx(id: &str, bytes: &[u8], limits: &Limits) -> Result<Document, Reason> {
    let mut zip = Package::open(bytes, "DOCX", limits)?;
    let xml = zip.entry("word/document.xml")?.ok_or(Reason::Malformed {
        format: "DOCX",
        detail: "no word/document.xml in the archive (not a Word document)".into(),
    })?;
    let text = docx_text(&zip.utf8(xml)?).map_err(|e| zip.xml_error(e))?;
    let title = match zip.entry("docProps/core.xml")? {
        Some(core) => first_text(&zip.utf8(core)?, "title"),
        None => None,
    };
    let mut doc = extracted(id, tidy_paragraphs(&text), bytes.len())?;
    doc.title = title;
    Ok(doc)
}

pub(crate) fn parse_odt(id: &str, bytes: &[u8], limits: &Limits) -> Result<Document, Reason> {
    let mut zip = Package::open(bytes, "ODT", limits)?;
    // Encrypted ODF keeps the zip readable but declares encryption in the manifest; the
    // content entries are then ciphertext.
    if let Some(manifest) = zip.entry("META-INF/manifest.xml")? {
        if manifest.windows(15).any(|w| w == b"encryption-data") {
            return Err(Reason::Encrypted {
                format: "ODT",
                hint:
                    "save a copy without a password (File > Save As, uncheck 'Save with password')",
            });
        }
    }
    let xml = zip.entry("content.xml")?.ok_or(Reason::Malformed {
        format: "ODT",
        detail: "no content.xml in the archive (not an OpenDocument file)".into(),
    })?;
    let text = odt_text(&zip.utf8(xml)?).map_err(|e| zip.xml_error(e))?;
    let title = match zip.entry("meta.xml")? {
        Some(meta) => first_text(&zip.utf8(meta)?, "title"),
        None => None,
    };
    let mut doc = extracted(id, tidy_paragraphs(&text), bytes.len())?;
    doc.title = title;
    Ok(doc)
}

/// A zip archive read under a decompression budget.
struct Package<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    format: &'static str,
    cap: u64,
    left: u64,
}

impl<'a> Package<'a> {
    fn open(bytes: &'a [u8], format: &'static str, limits: &Limits) -> Result<Self, Reason> {
        // Password-protected Office files are not zips: Office wraps them in an OLE
        // compound file (the same container as a legacy .doc).
        if bytes.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
            return Err(Reason::Encrypted {
                format,
                hint: "an OLE container: a password-protected (or legacy .doc) file; save an unprotected .docx copy",
            });
        }
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| Reason::Malformed {
            format,
            detail: format!("not a readable zip archive ({e})"),
        })?;
        if archive.len() > MAX_ENTRIES {
            return Err(Reason::Malformed {
                format,
                detail: format!(
                    "{} entries in the archive (at most {MAX_ENTRIES})",
                    archive.len()
                ),
            });
        }
        let cap = expansion_cap(bytes.len(), limits);
        Ok(Package {
            archive,
            format,
            cap,
            left: cap,
        })
    }

    /// The decompressed bytes of one entry, `None` when absent.
    fn entry(&mut self, name: &str) -> Result<Option<Vec<u8>>, Reason> {
        let format = self.format;
        let entry = match self.archive.by_name(name) {
            Ok(entry) => entry,
            Err(ZipError::FileNotFound) => return Ok(None),
            Err(ZipError::UnsupportedArchive(msg))
                if msg == ZipError::PASSWORD_REQUIRED || msg.contains("AES") =>
            {
                return Err(Reason::Encrypted {
                    format,
                    hint: "save a copy without a password",
                })
            }
            Err(e) => {
                return Err(Reason::Malformed {
                    format,
                    detail: format!("{name}: {e}"),
                })
            }
        };
        let mut out = Vec::new();
        // Read one byte past the budget: reaching it proves the entry expands beyond it.
        entry
            .take(self.left.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| Reason::Malformed {
                format,
                detail: format!("{name}: {e}"),
            })?;
        if out.len() as u64 > self.left {
            return Err(Reason::ZipBomb {
                format,
                limit: self.cap,
            });
        }
        self.left -= out.len() as u64;
        Ok(Some(out))
    }

    fn utf8(&self, xml: Vec<u8>) -> Result<String, Reason> {
        String::from_utf8(xml).map_err(|e| Reason::Malformed {
            format: self.format,
            detail: format!("XML that is not UTF-8 ({e})"),
        })
    }

    fn xml_error(&self, e: quick_xml::Error) -> Reason {
        Reason::Malformed {
            format: self.format,
            detail: format!("broken XML ({e})"),
        }
    }
}

/// Text of an entity or character reference (`&amp;`, `&#233;`); unknown ones are dropped.
fn reference(r: &BytesRef<'_>) -> Option<String> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c.to_string());
    }
    quick_xml::escape::resolve_predefined_entity(r).map(str::to_string)
}

/// `word/document.xml`: text lives in `w:t` inside runs (`w:r`); tabs and breaks are
/// elements of the run. `w:tab` outside a run is a tab-stop definition, not a tab, and
/// `mc:Fallback` repeats the text of the `mc:Choice` beside it.
fn docx_text(xml: &str) -> Result<String, quick_xml::Error> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let (mut in_t, mut runs, mut skip) = (false, 0usize, 0usize);
    loop {
        match reader.read_event()? {
            Event::Start(e) => match e.local_name().as_ref() {
                "Fallback" => skip += 1,
                "r" => runs += 1,
                "t" => in_t = true,
                _ => {}
            },
            Event::Empty(e) if skip == 0 && runs > 0 => match e.local_name().as_ref() {
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                "noBreakHyphen" => out.push('-'),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "Fallback" => skip = skip.saturating_sub(1),
                "r" => runs = runs.saturating_sub(1),
                "t" => in_t = false,
                "p" if skip == 0 => out.push_str("\n\n"),
                _ => {}
            },
            Event::Text(t) if in_t && skip == 0 => out.push_str(&t.xml10_content()),
            Event::CData(t) if in_t && skip == 0 => out.push_str(&t.into_inner()),
            Event::GeneralRef(r) if in_t && skip == 0 => {
                if let Some(s) = reference(&r) {
                    out.push_str(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// `content.xml`: text lives directly in `text:p` / `text:h` (and their spans); runs of
/// spaces are `text:s` with a count. Footnotes, annotations and tracked deletions are not
/// part of the running text.
fn odt_text(xml: &str) -> Result<String, quick_xml::Error> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let (mut paras, mut skip) = (0usize, 0usize);
    let skipped = |name: &str| matches!(name, "note" | "annotation" | "tracked-changes");
    loop {
        match reader.read_event()? {
            Event::Start(e) => match e.local_name().as_ref() {
                n if skipped(n) => skip += 1,
                "p" | "h" => paras += 1,
                _ => {}
            },
            Event::Empty(e) if skip == 0 && paras > 0 => match e.local_name().as_ref() {
                "s" => {
                    let count = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == "c")
                        .and_then(|a| a.value.trim().parse::<usize>().ok())
                        .unwrap_or(1);
                    out.extend(std::iter::repeat_n(' ', count.min(1000)));
                }
                "tab" => out.push('\t'),
                "line-break" => out.push('\n'),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                n if skipped(n) => skip = skip.saturating_sub(1),
                "p" | "h" => {
                    paras = paras.saturating_sub(1);
                    if skip == 0 {
                        out.push_str("\n\n");
                    }
                }
                _ => {}
            },
            Event::Text(t) if paras > 0 && skip == 0 => {
                // Line ends in ODF paragraph content are plain white space.
                let text = t.xml10_content();
                out.extend(
                    text.chars()
                        .map(|c| if c.is_whitespace() { ' ' } else { c }),
                );
            }
            Event::GeneralRef(r) if paras > 0 && skip == 0 => {
                if let Some(s) = reference(&r) {
                    out.push_str(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The text of the first element with this local name (`dc:title` in `docProps/core.xml`
/// and `meta.xml`), whitespace collapsed; `None` when absent or empty.
fn first_text(xml: &str, local: &str) -> Option<String> {
    let mut reader = Reader::from_str(xml);
    let mut inside = false;
    let mut text = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == local => inside = true,
            Event::End(e) if inside && e.local_name().as_ref() == local => break,
            Event::Text(t) if inside => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if inside => text.push_str(&reference(&r).unwrap_or_default()),
            Event::Eof => break,
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docx_runs_tabs_breaks_and_fallbacks() {
        let xml = r#"<w:document xmlns:w="w" xmlns:mc="mc"><w:body>
            <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>
              <w:r><w:t>Tom &amp; Jerry</w:t><w:tab/><w:t xml:space="preserve"> went</w:t><w:br/><w:t>home</w:t></w:r></w:p>
            <w:p><w:r><mc:AlternateContent><mc:Choice><w:t>box</w:t></mc:Choice><mc:Fallback><w:t>box</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>
            <w:p/><w:p><w:r><w:t>end&#233;</w:t></w:r></w:p></w:body></w:document>"#;
        let text = tidy_paragraphs(&docx_text(xml).unwrap());
        assert_eq!(text, "Tom & Jerry\t went\nhome\n\nbox\n\nendé");
    }

    #[test]
    fn odt_spaces_headings_and_notes() {
        let xml = r#"<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text>
            <text:h text:outline-level="1">Title</text:h>
            <text:p>a<text:s text:c="3"/>b<text:tab/>c<text:note><text:note-body><text:p>foot</text:p></text:note-body></text:note> d<text:line-break/>e</text:p>
            </office:text></office:body></office:document-content>"#;
        let text = tidy_paragraphs(&odt_text(xml).unwrap());
        assert_eq!(text, "Title\n\na   b\tc d\ne");
    }

    #[test]
    fn titles() {
        let core = r#"<cp:coreProperties xmlns:dc="dc"><dc:title>A  &amp; B</dc:title></cp:coreProperties>"#;
        assert_eq!(first_text(core, "title").as_deref(), Some("A & B"));
        assert_eq!(first_text("<x/>", "title"), None);
    }

    #[test]
    fn cap_is_bounded_both_ways() {
        let limits = Limits { max_bytes: 1 << 20 };
        assert_eq!(expansion_cap(10, &limits), 4 << 20);
        assert_eq!(expansion_cap(1 << 30, &limits), 4 << 20);
        let big = Limits {
            max_bytes: 64 << 20,
        };
        assert_eq!(expansion_cap(100_000, &big), 10_000_000);
    }
}

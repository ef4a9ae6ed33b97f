//! PDF → the text of its text layer (pdf-extract, over lopdf).
//!
//! pdf-extract can panic on malformed files, so it runs under `catch_unwind` with the panic
//! message silenced for this thread only: bad input is one line of error, not a backtrace.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use pdf_extract::{Document as Pdf, Object, PlainTextOutput};
use stemma_text::Document;

use crate::{extracted, tidy_paragraphs, Reason};

const DECRYPT_HINT: &str =
    "decrypt it first, e.g. qpdf --decrypt --password=PASSWORD in.pdf out.pdf";

pub(crate) fn parse(id: &str, bytes: &[u8]) -> Result<Document, Reason> {
    let outcome = quietly(|| panic::catch_unwind(AssertUnwindSafe(|| extract(bytes))));
    let encrypted = || has_encrypt_entry(bytes);
    let (title, text) = match outcome {
        Ok(Ok(found)) => found,
        Ok(Err(_)) | Err(_) if encrypted() => {
            return Err(Reason::Encrypted {
                format: "PDF",
                hint: DECRYPT_HINT,
            })
        }
        Ok(Err(detail)) => {
            return Err(Reason::Malformed {
                format: "PDF",
                detail,
            })
        }
        Err(_) => {
            return Err(Reason::Malformed {
                format: "PDF",
                detail: "the PDF parser failed on this file (damaged or unsupported)".into(),
            })
        }
    };
    let text = tidy_paragraphs(&text);
    if !text.chars().any(char::is_alphanumeric) {
        return Err(Reason::NoTextLayer);
    }
    let mut doc = extracted(id, text, bytes.len())?;
    doc.title = title;
    Ok(doc)
}

/// Title (from the Info dictionary) and text. Encrypted files with an empty user password
/// (owner-password-only "protection") are decrypted, as every PDF viewer does.
fn extract(bytes: &[u8]) -> Result<(Option<String>, String), String> {
    let mut pdf = Pdf::load_mem(bytes).map_err(|e| e.to_string())?;
    if pdf.is_encrypted() {
        pdf.decrypt("").map_err(|e| e.to_string())?;
    }
    let title = info_title(&pdf);
    let mut text = String::new();
    {
        let mut output = PlainTextOutput::new(&mut text);
        pdf_extract::output_doc(&pdf, &mut output).map_err(|e| e.to_string())?;
    }
    Ok((title, text))
}

fn info_title(pdf: &Pdf) -> Option<String> {
    let info = pdf.trailer.get(b"Info").ok()?;
    let (_, info) = pdf.dereference(info).ok()?;
    let title = info.as_dict().ok()?.get(b"Title").ok()?;
    let (_, title) = pdf.dereference(title).ok()?;
    let Object::String(raw, _) = title else {
        return None;
    };
    let text = text_string(raw);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// A PDF text string: UTF-16BE or UTF-8 with a byte-order mark, else PDFDocEncoding (read as
/// Latin-1, which it equals for letters).
fn text_string(raw: &[u8]) -> String {
    if let Some(be) = raw.strip_prefix(b"\xfe\xff") {
        let units: Vec<u16> = be
            .chunks_exact(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(utf8) = raw.strip_prefix(b"\xef\xbb\xbf") {
        return String::from_utf8_lossy(utf8).into_owned();
    }
    raw.iter().map(|&b| char::from(b)).collect()
}

/// An encrypted PDF names its security handler in the trailer's `/Encrypt` entry.
fn has_encrypt_entry(bytes: &[u8]) -> bool {
    bytes.windows(8).any(|w| w == b"/Encrypt")
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Run `f` with panic messages from this thread silenced (other threads keep the hook that
/// was installed before). The hook is chained once, the first time a PDF is read.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    static CHAIN: Once = Once::new();
    CHAIN.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let out = f();
    QUIET.with(|q| q.set(false));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_after_header_is_malformed_not_a_panic() {
        let err = parse(
            "x.pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer\n",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("malformed PDF"), "{err}");
    }

    #[test]
    fn text_strings() {
        assert_eq!(text_string(b"\xfe\xff\x00H\x00i"), "Hi");
        assert_eq!(text_string(b"caf\xe9"), "café");
    }
}

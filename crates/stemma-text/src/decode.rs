//! Bytes → UTF-8 text, with the encoding named and bad input refused with a reason.

use thiserror::Error;

/// The encoding a text was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoding(&'static encoding_rs::Encoding);

impl Encoding {
    /// The WHATWG name: "UTF-8", "UTF-16LE", "windows-1251", …
    pub fn name(&self) -> &'static str {
        self.0.name()
    }
}

/// A decoded text and where it came from.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text, BOM removed.
    pub text: String,
    /// The encoding the bytes were read as.
    pub encoding: Encoding,
    /// Whether a byte-order mark chose the encoding.
    pub had_bom: bool,
    /// Invalid byte sequences replaced with U+FFFD (UTF-8 input with a few broken bytes,
    /// e.g. a file cut in the middle of a character).
    pub replaced: usize,
}

/// Why bytes could not be turned into a document. Each message is one line, fit for a user.
#[derive(Debug, Error, PartialEq)]
pub enum DecodeError {
    /// No bytes at all.
    #[error("empty document (0 bytes)")]
    Empty,
    /// Bytes, but not a single word in them.
    #[error("empty document (no words in {bytes} bytes)")]
    NoWords {
        /// Size of the input.
        bytes: usize,
    },
    /// NUL bytes outside UTF-16: an executable, an image, an archive…
    #[error("binary file (NUL byte at offset {offset}), not text")]
    Binary {
        /// Offset of the first NUL byte.
        offset: usize,
    },
    /// Neither valid UTF-8 nor a plausible legacy encoding.
    #[error("bytes no encoding explains: invalid UTF-8 at byte {utf8_error_at}, and as {guess} {control_share:.0}% of the characters are control characters")]
    Undecodable {
        /// First invalid UTF-8 byte.
        utf8_error_at: usize,
        /// The best legacy guess tried.
        guess: &'static str,
        /// Share of control characters under that guess, in percent.
        control_share: f64,
    },
    /// A UTF-16 byte-order mark followed by malformed UTF-16.
    #[error("malformed {encoding}: unpaired surrogates or an odd number of bytes")]
    MalformedUtf16 {
        /// "UTF-16LE" or "UTF-16BE".
        encoding: &'static str,
    },
}

/// Decode bytes to text.
///
/// Order: BOM (UTF-8, UTF-16LE/BE) → UTF-16 without BOM (NULs in every other byte) → binary
/// check (any other NUL) → strict UTF-8 → legacy 8-bit encoding guessed by chardetng and
/// accepted only when the result is not full of control characters.
///
/// ```
/// use stemma_text::decode;
/// let d = decode(b"\xef\xbb\xbfhello").unwrap();
/// assert_eq!((d.text.as_str(), d.encoding.name(), d.had_bom), ("hello", "UTF-8", true));
/// let d = decode(b"\xcf\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0! \xca\xe0\xea \xe4\xe5\xeb\xe0?").unwrap();
/// assert_eq!(d.encoding.name(), "windows-1251");
/// assert!(decode(b"\x7fELF\x00\x01").is_err());
/// ```
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let decoded = decode_any(bytes)?;
    if !decoded.text.chars().any(char::is_alphanumeric) {
        return Err(DecodeError::NoWords { bytes: bytes.len() });
    }
    Ok(decoded)
}

/// Refuse a text that is empty or holds no word (no letter or digit), with the message the
/// command line gives for such a file: the one rule for "empty document" wherever a text
/// comes from (a file, an upload, inline text in an API request).
///
/// ```
/// use stemma_text::{require_words, DecodeError};
/// assert_eq!(require_words(""), Err(DecodeError::Empty));
/// assert_eq!(require_words(" -- \n").unwrap_err().to_string(), "empty document (no words in 5 bytes)");
/// assert!(require_words("a word").is_ok());
/// ```
pub fn require_words(text: &str) -> Result<(), DecodeError> {
    if text.is_empty() {
        Err(DecodeError::Empty)
    } else if !text.chars().any(char::is_alphanumeric) {
        Err(DecodeError::NoWords { bytes: text.len() })
    } else {
        Ok(())
    }
}

fn decode_any(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return decode_with(encoding, &bytes[bom_len..], true);
    }
    if let Some(encoding) = sniff_utf16_without_bom(bytes) {
        return decode_with(encoding, bytes, false);
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(DecodeError::Binary { offset });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text: text.to_string(),
            encoding: Encoding(encoding_rs::UTF_8),
            had_bom: false,
            replaced: 0,
        }),
        Err(utf8_error) => {
            if let Some(decoded) = mostly_utf8(bytes) {
                return Ok(decoded);
            }
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
            let (text, _) = guess.decode_without_bom_handling(bytes);
            let share = control_share(&text);
            if share > 0.01 {
                return Err(DecodeError::Undecodable {
                    utf8_error_at: utf8_error.valid_up_to(),
                    guess: guess.name(),
                    control_share: share * 100.0,
                });
            }
            Ok(Decoded {
                text: text.into_owned(),
                encoding: Encoding(guess),
                had_bom: false,
                replaced: 0,
            })
        }
    }
}

fn decode_with(
    encoding: &'static encoding_rs::Encoding,
    bytes: &[u8],
    had_bom: bool,
) -> Result<Decoded, DecodeError> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        if encoding == encoding_rs::UTF_8 {
            let at = std::str::from_utf8(bytes)
                .err()
                .map_or(0, |e| e.valid_up_to());
            return Err(DecodeError::Undecodable {
                utf8_error_at: at + 3,
                guess: "UTF-8 (byte-order mark)",
                control_share: 0.0,
            });
        }
        return Err(DecodeError::MalformedUtf16 {
            encoding: encoding.name(),
        });
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: Encoding(encoding),
        had_bom,
        replaced: 0,
    })
}

/// UTF-8 with a few broken sequences (one, or at most one per 50 valid multi-byte characters):
/// decoded with replacement characters rather than misread as a legacy encoding.
fn mostly_utf8(bytes: &[u8]) -> Option<Decoded> {
    let (mut invalid, mut multibyte) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    if multibyte == 0 || invalid > (multibyte / 50).max(1) {
        return None;
    }
    Some(Decoded {
        text: String::from_utf8_lossy(bytes).into_owned(),
        encoding: Encoding(encoding_rs::UTF_8),
        had_bom: false,
        replaced: invalid,
    })
}

/// UTF-16 text of mostly Latin script has a NUL in every other byte.
fn sniff_utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    if odd * 10 >= pairs * 7 && even * 20 <= pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= pairs * 7 && odd * 20 <= pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

fn control_share(text: &str) -> f64 {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        total += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c') || c == '\u{FFFD}' {
            control += 1;
        }
    }
    if total == 0 {
        0.0
    } else {
        control as f64 / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_plain_and_bom() {
        let d = decode("Grüße, мир".as_bytes()).unwrap();
        assert_eq!(d.text, "Grüße, мир");
        assert!(!d.had_bom);
        let d = decode(b"\xef\xbb\xbfabc").unwrap();
        assert_eq!(d.text, "abc");
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let mut le = vec![0xff, 0xfe];
        for u in "Hello, world".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode(&le).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding.name()),
            ("Hello, world", "UTF-16LE")
        );
        let be: Vec<u8> = "Hello, world again"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        let d = decode(&be).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding.name()),
            ("Hello, world again", "UTF-16BE")
        );
    }

    #[test]
    fn utf8_cut_mid_character_stays_utf8() {
        // shared/data/parallel/udhr/Russian-UTF8 ends in the middle of a character.
        let mut bytes = "Всеобщая декларация прав человека".as_bytes().to_vec();
        bytes.extend_from_slice(&"ч".as_bytes()[..1]);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding.name(), "UTF-8");
        assert_eq!(d.replaced, 1);
        assert!(d.text.ends_with("человека\u{FFFD}"));
    }

    #[test]
    fn latin1_udhr_style() {
        let bytes =
            b"Tous les \xeatres humains naissent libres et \xe9gaux en dignit\xe9 et en droits.";
        let d = decode(bytes).unwrap();
        assert!(d.text.contains("êtres"));
        assert!(d.text.contains("égaux"));
    }

    #[test]
    fn refusals() {
        assert_eq!(decode(b"").unwrap_err(), DecodeError::Empty);
        assert_eq!(
            decode(b" \n\t ...").unwrap_err(),
            DecodeError::NoWords { bytes: 7 }
        );
        assert_eq!(
            decode(b"GIF89a\x00\x01").unwrap_err(),
            DecodeError::Binary { offset: 6 }
        );
        // Random bytes without NULs: no encoding makes text of them.
        let mut noisy = b"abc ".to_vec();
        noisy.extend((1..4000u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8 | 1));
        assert!(matches!(
            decode(&noisy),
            Err(DecodeError::Undecodable { .. })
        ));
    }
}

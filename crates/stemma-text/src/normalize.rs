//! Word normalization: NFKC, full case folding, optional diacritic folding.

use icu_casemap::CaseMapper;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Normalizes words into a reusable buffer, so the hot loop does not allocate per token.
///
/// ```
/// let mut n = stemma_text::Normalizer::new(false);
/// assert_eq!(n.normalize("Straße"), "strasse");
/// assert_eq!(n.normalize("ΣΟΦΟΣ"), "σοφοσ");
/// assert_eq!(n.normalize("ﬁnal"), "final");
/// let mut n = stemma_text::Normalizer::new(true);
/// assert_eq!(n.normalize("Élan"), "elan");
/// ```
#[derive(Debug, Default)]
pub struct Normalizer {
    fold_diacritics: bool,
    buffer: String,
    scratch: String,
}

impl Normalizer {
    /// `fold_diacritics` also strips combining marks (é → e, й → и).
    pub fn new(fold_diacritics: bool) -> Self {
        Normalizer {
            fold_diacritics,
            buffer: String::with_capacity(64),
            scratch: String::with_capacity(64),
        }
    }

    /// The normalized form of `word`; valid until the next call.
    pub fn normalize(&mut self, word: &str) -> &str {
        self.buffer.clear();
        if word.is_ascii() {
            // Fast path: ASCII is NFKC-stable and folds by lowercasing.
            self.buffer.push_str(word);
            self.buffer.make_ascii_lowercase();
            return &self.buffer;
        }
        self.scratch.clear();
        self.scratch.extend(word.nfkc());
        let folded = CaseMapper::new().fold_string(&self.scratch);
        if self.fold_diacritics {
            self.buffer
                .extend(folded.nfd().filter(|c| !is_combining_mark(*c)).nfc());
        } else {
            // Folding can denormalize (e.g. U+0130); NFKC again keeps the form canonical.
            self.buffer.extend(folded.nfkc());
        }
        &self.buffer
    }
}

/// NFKC + full case folding of one word, allocated.
///
/// ```
/// assert_eq!(stemma_text::normalize_word("ǅemal"), "džemal");
/// ```
pub fn normalize_word(word: &str) -> String {
    Normalizer::new(false).normalize(word).to_string()
}

/// Strip diacritics from an already normalized string.
///
/// ```
/// assert_eq!(stemma_text::fold_diacritics("crème brûlée"), "creme brulee");
/// ```
pub fn fold_diacritics(s: &str) -> String {
    s.nfd().filter(|c| !is_combining_mark(*c)).nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts() {
        let mut n = Normalizer::new(false);
        assert_eq!(n.normalize("ПРИВЕТ"), "привет");
        assert_eq!(n.normalize("Ἀθῆναι"), "ἀθῆναι");
        assert_eq!(n.normalize("東京"), "東京");
        assert_eq!(n.normalize("ＡＢＣ"), "abc");
        assert_eq!(n.normalize("İstanbul"), "i̇stanbul");
    }
}

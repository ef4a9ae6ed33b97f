//! Language guess (whatlang's trigram model), as ISO 639-3 codes.

/// Bytes read from each of the start, the middle and the end of a long text: enough for a
/// stable answer, and a guess costs the same for any size of text.
const WINDOW_BYTES: usize = 2048;

/// `text[start..]`'s first `len` bytes or fewer, cut on char boundaries.
fn window(text: &str, start: usize, len: usize) -> &str {
    let mut start = start.min(text.len());
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let mut end = (start + len).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[start..end]
}

/// The language of `text` as an ISO 639-3 code ("eng", "rus", "ukr", "deu", …), or `None`
/// when the text is too short or too mixed for a reliable guess. A long text is sampled at
/// its start, middle and end (2 KiB each), so one foreign passage does not decide.
///
/// ```
/// use stemma_text::guess_language;
/// assert_eq!(guess_language("Все люди рождаются свободными и равными в своем достоинстве и правах."), Some("rus"));
/// assert_eq!(guess_language("Усі люди народжуються вільними і рівними у своїй гідності та правах."), Some("ukr"));
/// assert_eq!(guess_language("All human beings are born free and equal in dignity and rights."), Some("eng"));
/// assert_eq!(guess_language("42"), None);
/// ```
pub fn guess_language(text: &str) -> Option<&'static str> {
    let info = if text.len() <= 3 * WINDOW_BYTES {
        whatlang::detect(text)?
    } else {
        let middle = text.len() / 2 - WINDOW_BYTES / 2;
        let sample = [
            window(text, 0, WINDOW_BYTES),
            window(text, middle, WINDOW_BYTES),
            window(text, text.len() - WINDOW_BYTES, WINDOW_BYTES),
        ]
        .join("\n");
        whatlang::detect(&sample)?
    };
    info.is_reliable().then(|| info.lang().code())
}

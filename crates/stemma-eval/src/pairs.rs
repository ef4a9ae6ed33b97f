//! The pairs file.

use std::path::Path;

use crate::error::{EvalError, LineError};

/// One (suspicious, source) pair of the PAN protocol: two file names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pair {
    /// The suspicious document's file name (`suspicious-documentXXXX.txt`).
    pub suspicious: String,
    /// The source document's file name (`source-documentXXXX.txt`).
    pub source: String,
}

impl Pair {
    /// A pair of file names.
    pub fn new(suspicious: impl Into<String>, source: impl Into<String>) -> Self {
        Pair {
            suspicious: suspicious.into(),
            source: source.into(),
        }
    }

    /// The name PAN gives the detection (and truth) XML of this pair:
    /// `{suspicious stem}-{source stem}.xml`.
    ///
    /// ```
    /// let pair = stemma_eval::Pair::new("suspicious-document00001.txt", "source-document00002.txt");
    /// assert_eq!(pair.xml_file_name(), "suspicious-document00001-source-document00002.xml");
    /// ```
    pub fn xml_file_name(&self) -> String {
        format!("{}-{}.xml", stem(&self.suspicious), stem(&self.source))
    }
}

/// A file name without its last extension (as Python's `os.path.splitext`, which PAN uses).
fn stem(name: &str) -> &str {
    Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(name)
}

/// Parse a pairs file: one `SUSPICIOUS SOURCE` pair of file names a line, separated by
/// whitespace; blank lines are ignored.
///
/// ```
/// let pairs = stemma_eval::parse_pairs("susp-1.txt src-1.txt\n\nsusp-1.txt src-2.txt\n").unwrap();
/// assert_eq!(pairs.len(), 2);
/// assert_eq!(pairs[1].source, "src-2.txt");
/// let err = stemma_eval::parse_pairs("susp-1.txt src-1.txt\nsusp-2.txt\n").unwrap_err();
/// assert_eq!(err.to_string(), "line 2: expected two file names \"SUSPICIOUS SOURCE\", found 1");
/// ```
pub fn parse_pairs(text: &str) -> Result<Vec<Pair>, LineError> {
    let mut pairs = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields[..] {
            [] => {}
            [suspicious, source] => pairs.push(Pair::new(suspicious, source)),
            _ => {
                return Err(LineError {
                    line: index + 1,
                    message: format!(
                        "expected two file names \"SUSPICIOUS SOURCE\", found {}",
                        fields.len()
                    ),
                })
            }
        }
    }
    Ok(pairs)
}

/// Read and parse a pairs file; errors name the file (and the line).
pub fn read_pairs(path: &Path) -> Result<Vec<Pair>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_pairs(&text).map_err(|error| EvalError::Pairs {
        path: path.to_path_buf(),
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_and_crlf_are_fine() {
        let pairs = parse_pairs("  a.txt\tb.txt \r\n\r\n   \nc.txt d.txt").unwrap();
        assert_eq!(
            pairs,
            [Pair::new("a.txt", "b.txt"), Pair::new("c.txt", "d.txt")]
        );
    }

    #[test]
    fn malformed_lines_are_refused_with_their_number() {
        let err = parse_pairs("a b\n\na b c\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.to_string().contains("found 3"), "{err}");
    }

    #[test]
    fn file_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pairs");
        std::fs::write(&path, "x\n").unwrap();
        let err = read_pairs(&path).unwrap_err().to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
        assert!(err.contains("line 1"), "{err}");
        let err = read_pairs(&dir.path().join("none"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot read"), "{err}");
    }

    #[test]
    fn file_names_follow_pan() {
        let pair = Pair::new("suspicious-document00012.txt", "source-document01234.txt");
        assert_eq!(
            pair.xml_file_name(),
            "suspicious-document00012-source-document01234.xml"
        );
        assert_eq!(Pair::new("a", "b.x.txt").xml_file_name(), "a-b.x.xml");
    }
}

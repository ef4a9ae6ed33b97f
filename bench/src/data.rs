//! Loading and cleaning the real texts in `../shared/data`: the Gutenberg books (sources,
//! negatives, speed filler), the Reuters-21578 stories (suspicious-document filler) and the
//! two English Genesis translations (paraphrase). Every loader iterates directories in
//! sorted order and returns clean, valid UTF-8 so that generation is deterministic.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// One Gutenberg book, header line removed.
#[derive(Debug, Clone)]
pub struct Book {
    /// File stem, e.g. `austen-emma`.
    pub name: String,
    /// Author part of the name (`austen`), used to group books by genre.
    pub author: String,
    /// Clean text: `\n` line ends, no control characters, no `[Title by Author]` header.
    pub text: String,
}

impl Book {
    /// A coarse genre: novels, drama or verse. Negatives pick another book of the same genre.
    pub fn genre(&self) -> &'static str {
        match self.author.as_str() {
            "shakespeare" => "drama",
            "milton" | "whitman" | "blake" => "verse",
            _ => "novel",
        }
    }
}

/// Paths of the collections inside the data folder.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Check that `root` looks like `../shared/data`.
    pub fn open(root: &Path) -> Result<Self> {
        let dir = Self {
            root: root.to_path_buf(),
        };
        for needed in [dir.gutenberg_dir(), dir.reuters_path(), dir.genesis_dir()] {
            if !needed.exists() {
                bail!(
                    "{} is missing (is --data the shared data folder?)",
                    needed.display()
                );
            }
        }
        Ok(dir)
    }

    fn gutenberg_dir(&self) -> PathBuf {
        self.root.join("literature/gutenberg")
    }

    fn reuters_path(&self) -> PathBuf {
        self.root.join("news/reuters21578.jsonl")
    }

    fn genesis_dir(&self) -> PathBuf {
        self.root.join("parallel/genesis")
    }

    /// All Gutenberg books, sorted by file name.
    pub fn books(&self) -> Result<Vec<Book>> {
        let mut paths: Vec<PathBuf> = fs::read_dir(self.gutenberg_dir())?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        paths.retain(|p| p.extension().is_some_and(|e| e == "txt"));
        paths.sort();
        let mut books = Vec::new();
        for path in paths {
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let author = name.split('-').next().unwrap_or(&name).to_string();
            let raw = read_lossy(&path)?;
            books.push(Book {
                name,
                author,
                text: clean_gutenberg(&raw),
            });
        }
        if books.len() < 2 {
            bail!(
                "need at least two Gutenberg books in {}",
                self.gutenberg_dir().display()
            );
        }
        Ok(books)
    }

    /// Reuters stories as lists of clean paragraphs (title first), in file order; stories
    /// shorter than `min_chars` are dropped.
    pub fn reuters_stories(&self, min_chars: usize) -> Result<Vec<Vec<String>>> {
        let path = self.reuters_path();
        let raw = read_lossy(&path)?;
        let mut stories = Vec::new();
        for (line_no, line) in raw.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let value: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("{}:{}: bad JSON", path.display(), line_no + 1))?;
            let Some(text) = value.get("text").and_then(|t| t.as_str()) else {
                continue;
            };
            let paragraphs = reuters_paragraphs(text);
            let chars: usize = paragraphs.iter().map(|p| p.len()).sum();
            if chars >= min_chars && paragraphs.len() >= 2 && mostly_words(&paragraphs) {
                stories.push(paragraphs);
            }
        }
        Ok(stories)
    }

    /// The lines of `english-kjv.txt` and `english-web.txt`.
    pub fn genesis(&self) -> Result<(Vec<String>, Vec<String>)> {
        let load = |name: &str| -> Result<Vec<String>> {
            let text = clean_text(&read_lossy(&self.genesis_dir().join(name))?);
            Ok(text.lines().map(|l| l.trim_end().to_string()).collect())
        };
        Ok((load("english-kjv.txt")?, load("english-web.txt")?))
    }
}

/// True when at least 70 % of the non-space characters are letters (drops the tables of
/// figures that make up many Reuters stories: poor filler).
fn mostly_words(paragraphs: &[String]) -> bool {
    let (mut letters, mut visible) = (0usize, 0usize);
    for c in paragraphs.iter().flat_map(|p| p.chars()) {
        if !c.is_whitespace() {
            visible += 1;
            letters += usize::from(c.is_alphabetic());
        }
    }
    letters * 10 >= visible * 7
}

/// Read a file as UTF-8, replacing invalid bytes.
fn read_lossy(path: &Path) -> Result<String> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Normalize line ends, drop control characters (other than newline and tab) and U+FFFD.
pub fn clean_text(raw: &str) -> String {
    raw.replace("\r\n", "\n")
        .chars()
        .map(|c| if c == '\r' { '\n' } else { c })
        .filter(|&c| c == '\n' || c == '\t' || !(c.is_control() || c == '\u{FFFD}'))
        .collect()
}

/// Clean a Gutenberg book: drop the `[Title by Author Year]` header line and leading blanks.
pub fn clean_gutenberg(raw: &str) -> String {
    let text = clean_text(raw);
    let body = match text.trim_start().strip_prefix('[') {
        Some(rest) => rest.split_once('\n').map_or("", |(_, body)| body),
        None => text.as_str(),
    };
    body.trim_start_matches(['\n', ' ']).to_string()
}

/// Split a Reuters story into reflowed paragraphs: the title line, then one paragraph per
/// indented block (Reuters indents a new paragraph by five or more spaces and continuation
/// lines by two). HTML entities are decoded and whitespace runs collapsed.
pub fn reuters_paragraphs(text: &str) -> Vec<String> {
    let text = clean_text(
        &text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    );
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let starts_paragraph = i <= 1 || indent >= 4 || line.trim().is_empty();
        if starts_paragraph && !current.is_empty() {
            paragraphs.push(std::mem::take(&mut current));
        }
        for word in line.split_whitespace() {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuters_paragraphs_reflow() {
        let story = "COCOA &lt;X> REVIEW\n  Showers continued\n  in Bahia.\n      The dry period\n  ends.\n  Reuter\n\u{3}";
        assert_eq!(
            reuters_paragraphs(story),
            vec![
                "COCOA <X> REVIEW",
                "Showers continued in Bahia.",
                "The dry period ends. Reuter"
            ]
        );
    }

    #[test]
    fn gutenberg_header_dropped() {
        assert_eq!(
            clean_gutenberg("[Emma by Jane Austen 1816]\r\n\r\nVOLUME I\x1a\n"),
            "VOLUME I\n"
        );
    }
}

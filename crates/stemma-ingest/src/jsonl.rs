//! JSON Lines and JSON records → documents.
//!
//! Fields: `id` (string or number), `title`, `source` (or passim's `series`), `date`,
//! `lang` (or `language`) and `text` (required). Every other field is kept, untouched, in
//! [`JsonRecord::extra`]. A JSON Lines file is read one bounded line at a time, so a corpus
//! is never held in memory as bytes and as documents at once, and one bad line is an error
//! for that line only: the reader goes on with the next.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::{Map, Value};
use stemma_text::Document;

use crate::jsonl_fast::Fields;
use crate::{io_reason, IngestError, Input, Limits, Reason};

/// One record of a JSON Lines or JSON file.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonRecord {
    /// 1-based line number in a JSON Lines file (1-based position in a `.json` array).
    pub line: u64,
    /// The document: `id`, `title`, `source`/`series`, `date`, `lang` and `text`.
    pub document: Document,
    /// The record's other fields, as they were.
    pub extra: Map<String, Value>,
}

/// Records of a JSON Lines stream, one at a time, each `Err` naming its line; blank lines are
/// skipped. After an I/O error the iterator ends.
///
/// ```
/// use stemma_ingest::{Input, JsonlReader, Limits};
/// let data = "{\"id\":\"a\",\"series\":\"gazette\",\"date\":\"1850-01-02\",\"text\":\"Hello.\",\"url\":\"u\"}\nnot json\n";
/// let mut records = JsonlReader::from_reader(&Input::new("c.jsonl"), data.as_bytes(), &Limits::default());
/// let first = records.next().unwrap().unwrap();
/// assert_eq!(first.document.source.as_deref(), Some("gazette"));
/// assert_eq!(first.extra["url"], "u");
/// let err = records.next().unwrap().unwrap_err().to_string();
/// assert!(err.starts_with("c.jsonl:2: not JSON: "), "{err}");
/// assert!(records.next().is_none());
/// ```
pub struct JsonlReader<R> {
    reader: R,
    input: Input,
    line: u64,
    limit: u64,
    buf: Vec<u8>,
    done: bool,
}

/// Open a JSON Lines file for streaming; records without an `id` get `FILE:LINE`.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("c.jsonl");
/// std::fs::write(&path, "{\"text\":\"One.\"}\n\n{\"id\":7,\"text\":\"Two.\"}\n").unwrap();
/// let ids: Vec<String> = stemma_ingest::open_jsonl(&path, &Default::default())
///     .unwrap()
///     .map(|r| r.unwrap().document.id)
///     .collect();
/// assert_eq!(ids, ["c.jsonl:1", "7"]);
/// ```
pub fn open_jsonl(
    path: &Path,
    limits: &Limits,
) -> Result<JsonlReader<BufReader<File>>, IngestError> {
    JsonlReader::open(&Input::new(path), limits)
}

impl JsonlReader<BufReader<File>> {
    /// Open the input's file (its id is the prefix of default record ids).
    pub fn open(input: &Input, limits: &Limits) -> Result<Self, IngestError> {
        let fail = |reason| IngestError {
            input: input.name(),
            reason,
        };
        let meta = std::fs::metadata(&input.path).map_err(|e| fail(io_reason(e)))?;
        if meta.is_dir() {
            return Err(fail(Reason::Directory));
        }
        let file = File::open(&input.path).map_err(|e| fail(io_reason(e)))?;
        Ok(Self::from_reader(input, BufReader::new(file), limits))
    }
}

impl<'a> JsonlReader<&'a [u8]> {
    pub(crate) fn new(input: &Input, bytes: &'a [u8], limits: &Limits) -> Self {
        Self::from_reader(input, bytes, limits)
    }
}

impl<R: BufRead> JsonlReader<R> {
    /// Records from any buffered reader; each line may be at most [`Limits::max_bytes`].
    pub fn from_reader(input: &Input, reader: R, limits: &Limits) -> Self {
        JsonlReader {
            reader,
            input: input.clone(),
            line: 0,
            limit: limits.max_bytes,
            buf: Vec::new(),
            done: false,
        }
    }

    fn fail(&self, reason: Reason) -> IngestError {
        IngestError {
            input: self.input.name(),
            reason,
        }
    }

    /// Read the next line into `buf`, keeping at most `limit` bytes of it (the rest is
    /// consumed and dropped). Returns `None` at the end, `Some(too_long)` otherwise.
    fn read_line(&mut self) -> std::io::Result<Option<bool>> {
        self.buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                return Ok(any.then_some(too_long));
            }
            any = true;
            let (chunk, found_end) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..i], true),
                None => (available, false),
            };
            if !too_long {
                if (self.buf.len() + chunk.len()) as u64 > self.limit {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(chunk);
                }
            }
            let used = chunk.len() + usize::from(found_end);
            self.reader.consume(used);
            if found_end {
                return Ok(Some(too_long));
            }
        }
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<JsonRecord, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let too_long = match self.read_line() {
                Ok(Some(too_long)) => too_long,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(self.fail(Reason::Io(e))));
                }
            };
            self.line += 1;
            let line = self.line;
            if too_long {
                return Some(Err(self.fail(Reason::LineTooLong {
                    line,
                    limit: self.limit,
                })));
            }
            match parse_jsonl_line(&self.input, line, &self.buf) {
                Some(result) => return Some(result),
                None => continue,
            }
        }
        None
    }
}

/// One line of a JSON Lines file (without its line end): its record, an error naming the
/// line, or `None` for a blank line. `line` is 1-based; a record without an `id` gets
/// `INPUT:LINE`. This is what [`JsonlReader`] does with each line, for engines that split a
/// file into lines themselves.
///
/// ```
/// use stemma_ingest::{parse_jsonl_line, Input};
/// let input = Input::new("c.jsonl");
/// let r = parse_jsonl_line(&input, 3, b"{\"text\": \"Hi.\"}").unwrap().unwrap();
/// assert_eq!(r.document.id, "c.jsonl:3");
/// assert!(parse_jsonl_line(&input, 4, b"  ").is_none());
/// assert!(parse_jsonl_line(&input, 5, b"[").unwrap().is_err());
/// ```
pub fn parse_jsonl_line(
    input: &Input,
    line: u64,
    bytes: &[u8],
) -> Option<Result<JsonRecord, IngestError>> {
    let fail = |reason| IngestError {
        input: input.name(),
        reason,
    };
    let mut bytes = bytes;
    if line == 1 {
        bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let default_id = format!("{}:{line}", input.id);
    let fields = match crate::jsonl_fast::parse_plain(bytes) {
        Some(fields) => Ok(fields),
        None => match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => fields(value),
            Err(e) => {
                return Some(Err(fail(Reason::NotJson {
                    line,
                    message: json_message(&e),
                })))
            }
        },
    };
    Some(
        fields
            .and_then(|f| record(f, default_id, line))
            .map_err(|problem| {
                fail(Reason::BadRecord {
                    line: Some(line),
                    problem,
                })
            }),
    )
}

/// A `.json` file: one record object, or an array of them (ids default to the input's id,
/// or `ID#N` for the N-th record of an array).
pub(crate) fn parse_json(input: &Input, bytes: &[u8]) -> Result<Vec<JsonRecord>, IngestError> {
    let fail = |reason| IngestError {
        input: input.name(),
        reason,
    };
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        fail(Reason::Malformed {
            format: "JSON",
            detail: e.to_string(),
        })
    })?;
    match value {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let n = i as u64 + 1;
                fields(item)
                    .and_then(|f| record(f, format!("{}#{n}", input.id), n))
                    .map_err(|problem| {
                        fail(Reason::BadRecord {
                            line: None,
                            problem: format!("record {n}: {problem}"),
                        })
                    })
            })
            .collect(),
        value @ Value::Object(_) => fields(value)
            .and_then(|f| record(f, input.id.clone(), 1))
            .map(|r| vec![r])
            .map_err(|problem| {
                fail(Reason::BadRecord {
                    line: None,
                    problem,
                })
            }),
        _ => Err(fail(Reason::Malformed {
            format: "JSON",
            detail: "neither a record object nor an array of records".into(),
        })),
    }
}

/// serde_json's message with its "at line 1 column N" made "(column N)": the line is the
/// file's, and the error already names it.
fn json_message(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match message.strip_suffix(&suffix) {
        Some(bare) if e.column() > 0 => format!("{bare} (column {})", e.column()),
        Some(bare) => bare.to_string(),
        None => message,
    }
}

/// The fields of a record's JSON value (an error if it is not an object).
fn fields(value: Value) -> Result<Fields, String> {
    let Value::Object(mut rest) = value else {
        return Err("not a JSON object (a record is {\"id\": …, \"text\": …})".into());
    };
    Ok(Fields {
        text: rest.remove("text"),
        id: rest.remove("id"),
        rest,
    })
}

fn record(fields: Fields, default_id: String, line: u64) -> Result<JsonRecord, String> {
    let Fields {
        text,
        id,
        rest: mut map,
    } = fields;
    let text = match text {
        Some(Value::String(s)) => s,
        Some(_) => return Err("\"text\" is not a string".into()),
        None => return Err("no \"text\" field".into()),
    };
    if !text.chars().any(char::is_alphanumeric) {
        return Err(format!(
            "empty document (no words in the {} bytes of \"text\")",
            text.len()
        ));
    }
    let id = match id {
        None | Some(Value::Null) => default_id,
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err("\"id\" is neither a string nor a number".into()),
    };
    let mut document = Document::new(id, text);
    document.title = take_string(&mut map, &["title"]);
    document.source = take_string(&mut map, &["source", "series"]);
    document.date = take_string(&mut map, &["date"]);
    document.lang = take_string(&mut map, &["lang", "language"]);
    Ok(JsonRecord {
        line,
        document,
        extra: map,
    })
}

/// The first of these fields that holds a string (or a number, for dates like 1850),
/// removed from the map; fields of other types stay in `extra`.
fn take_string(map: &mut Map<String, Value>, keys: &[&str]) -> Option<String> {
    for key in keys {
        match map.get(*key) {
            Some(Value::String(_)) | Some(Value::Number(_)) => match map.remove(*key) {
                Some(Value::String(s)) => return Some(s),
                Some(Value::Number(n)) => return Some(n.to_string()),
                _ => {}
            },
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(data: &str, max: u64) -> Vec<Result<JsonRecord, String>> {
        JsonlReader::from_reader(
            &Input::new("c.jsonl"),
            data.as_bytes(),
            &Limits { max_bytes: max },
        )
        .map(|r| r.map_err(|e| e.to_string()))
        .collect()
    }

    #[test]
    fn each_bad_line_is_reported_and_reading_goes_on() {
        let data = "{\"text\":\"ok one\"}\n[1]\n{\"id\":\"x\"}\n{\"text\":3}\n{\"text\":\"  \"}\n{\"text\":\"ok two\"}";
        let out = read(data, 1000);
        assert_eq!(out.len(), 6);
        assert_eq!(out[0].as_ref().unwrap().document.id, "c.jsonl:1");
        assert!(out[1]
            .as_ref()
            .unwrap_err()
            .starts_with("c.jsonl:2: not a JSON object"));
        assert_eq!(out[2].as_ref().unwrap_err(), "c.jsonl:3: no \"text\" field");
        assert_eq!(
            out[3].as_ref().unwrap_err(),
            "c.jsonl:4: \"text\" is not a string"
        );
        assert!(out[4]
            .as_ref()
            .unwrap_err()
            .starts_with("c.jsonl:5: empty document"));
        assert_eq!(out[5].as_ref().unwrap().line, 6);
    }

    #[test]
    fn a_long_line_is_refused_without_being_kept() {
        let data = format!(
            "{{\"text\":\"{}\"}}\r\n{{\"text\":\"short\"}}\r\n",
            "a".repeat(5000)
        );
        let out = read(&data, 100);
        assert_eq!(
            out[0].as_ref().unwrap_err(),
            "c.jsonl:1: line longer than 100 bytes (raise it with --max-bytes)"
        );
        assert_eq!(out[1].as_ref().unwrap().document.text, "short");
    }

    #[test]
    fn passim_fields_and_extras() {
        let data = "\u{feff}{\"id\":\"p1\",\"series\":\"s\",\"date\":1850,\"lang\":\"en\",\"seq\":3,\"text\":\"t t\"}";
        let rec = read(data, 1000).remove(0).unwrap();
        let d = &rec.document;
        assert_eq!(
            (
                d.id.as_str(),
                d.source.as_deref(),
                d.date.as_deref(),
                d.lang.as_deref()
            ),
            ("p1", Some("s"), Some("1850"), Some("en"))
        );
        assert_eq!(rec.extra.len(), 1);
        assert_eq!(rec.extra["seq"], 3);
    }

    #[test]
    fn json_object_and_array() {
        let input = Input::new("one.json");
        let recs = parse_json(&input, b"{\"title\":\"T\",\"text\":\"body\"}").unwrap();
        assert_eq!(
            (
                recs[0].document.id.as_str(),
                recs[0].document.title.as_deref()
            ),
            ("one.json", Some("T"))
        );
        let recs = parse_json(&input, b"[{\"text\":\"a\"},{\"text\":\"b\"}]").unwrap();
        assert_eq!(recs[1].document.id, "one.json#2");
        let err = parse_json(&input, b"[{\"text\":\"a\"},{}]").unwrap_err();
        assert_eq!(err.to_string(), "one.json: record 2: no \"text\" field");
        let err = parse_json(&input, b"{\"text\": ").unwrap_err();
        assert!(
            err.to_string().starts_with("one.json: malformed JSON: EOF"),
            "{err}"
        );
    }
}

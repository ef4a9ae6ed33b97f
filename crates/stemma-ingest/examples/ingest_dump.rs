//! Print what stemma-ingest makes of files: `cargo run -p stemma-ingest --example ingest_dump -- FILE…`
fn main() {
    let paths: Vec<std::path::PathBuf> = std::env::args_os().skip(1).map(Into::into).collect();
    for input in stemma_ingest::walk_inputs(&paths) {
        match stemma_ingest::load_input(&input, &Default::default()) {
            Ok(docs) => {
                for d in docs {
                    println!(
                        "== {} title={:?} source={:?} date={:?} ({} bytes)",
                        d.id,
                        d.title,
                        d.source,
                        d.date,
                        d.text.len()
                    );
                    println!("{}", d.text);
                }
            }
            Err(e) => println!("!! {e}"),
        }
    }
}

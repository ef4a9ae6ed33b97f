//! Print the shared passages of two UTF-8 files, one line each:
//! `cargo run --release -p stemma-align --example passages -- A B`.

use stemma_align::{align, CompareOptions};
use stemma_text::analyze;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [a_path, b_path] = args.as_slice() else {
        eprintln!("usage: passages A B");
        std::process::exit(2);
    };
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{p}: {e}"));
    let (a, b) = (read(a_path), read(b_path));
    let start = std::time::Instant::now();
    let (aa, ba) = (analyze(&a), analyze(&b));
    let analyzed = start.elapsed();
    let passages = align(&aa, &ba, &CompareOptions::default());
    let aligned = start.elapsed() - analyzed;
    for p in &passages {
        let snippet = |t: &str| t.chars().take(60).collect::<String>().replace('\n', " ");
        println!(
            "a {:>7}..{:<7} b {:>7}..{:<7} words {:>5}/{:<5} identity {:.3} {:?} | {} | {}",
            p.a.start,
            p.a.end,
            p.b.start,
            p.b.end,
            p.a_tokens,
            p.b_tokens,
            p.identity,
            p.kind,
            snippet(&a[p.a.start..p.a.end]),
            snippet(&b[p.b.start..p.b.end]),
        );
    }
    eprintln!(
        "{} passages; analyze {:?}, align {:?}",
        passages.len(),
        analyzed,
        aligned
    );
}

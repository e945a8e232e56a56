//! Writes a reproducible synthetic goroutine dump (`?debug=2` text) for benchmarks
//! (scripts/bench-dumps.sh).
//!
//! ```text
//! cargo run --release --example gen_dump -- OUT [GOROUTINES] [STACKS] [SEED]
//! ```
//!
//! Defaults: 100,000 goroutines (about 117 MB) over 600 distinct stacks, seed 7; what the dump
//! holds is described in `devtools::dump` (devtools/src/dump.rs).

use std::io::{self, BufWriter, Write};

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: gen_dump OUT [GOROUTINES] [STACKS] [SEED]");
        std::process::exit(2);
    };
    let number =
        |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (count, stacks, seed) = (
        number(1, 100_000),
        number(2, devtools::dump::STACKS),
        number(3, 7),
    );
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    devtools::dump::write_dump(&mut out, count, stacks, seed)?;
    out.flush()
}

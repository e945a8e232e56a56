//! Writes a reproducible synthetic folded-stack file for benchmarks (stdout).
//!
//! ```text
//! cargo run --release --example gen_folded -- [LINES] [SEED] > bench.folded
//! ```
//!
//! Defaults: 200,000 lines, seed 42; what the stacks look like is described in
//! `devtools::folded` (devtools/src/folded.rs).

use std::io::{self, BufWriter, Write};

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let lines: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    devtools::folded::write_folded(&mut out, lines, seed)?;
    out.flush()
}

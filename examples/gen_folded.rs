//! Writes a reproducible synthetic folded-stack file for benchmarks (stdout).
//!
//! ```text
//! cargo run --release --example gen_folded -- [LINES] [SEED] > bench.folded
//! ```
//!
//! Defaults: 200,000 lines, seed 42. Stacks are 5–40 frames deep over 2,000 Go-like function
//! names; each function calls a few callees, favouring the first, like real call trees, so stacks
//! share prefixes near the root and diverge deeper down. Counts are 1–1000, mostly small.

use std::io::{self, BufWriter, Write};

const NAMES: u64 = 2_000;
const ROOTS: u64 = 12;

/// SplitMix64: a tiny, well-known PRNG; fixed seed → identical file everywhere.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn mix(a: u64, b: u64) -> u64 {
    let mut z = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_add(0x632B_E59B_D9B4_E019);
    z = (z ^ (z >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^ (z >> 32)
}

fn name(id: u64) -> String {
    const VERBS: [&str; 8] = [
        "Get", "Put", "Run", "Serve", "Read", "Write", "Lock", "Parse",
    ];
    match id % 4 {
        0 => format!("runtime.func{id}"),
        1 => format!(
            "main.(*Server{}).{}{}",
            id % 17,
            VERBS[(id % 8) as usize],
            id
        ),
        2 => format!("net/http.{}{}", VERBS[(id / 3 % 8) as usize], id),
        _ => format!("github.com/acme/pkg{}.Handler{}", id % 23, id),
    }
}

/// The callee of `caller` at call site `site` (0 is the hottest).
fn callee(caller: u64, site: u64) -> u64 {
    mix(caller, site) % NAMES
}

/// 0 with probability 1/2, 1 with 1/4, ... up to 5.
fn skewed_site(rng: &mut SplitMix) -> u64 {
    (rng.next() | (1 << 5)).trailing_zeros() as u64
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let lines: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let names: Vec<String> = (0..NAMES).map(name).collect();
    let mut rng = SplitMix(seed);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    for _ in 0..lines {
        let depth = 5 + rng.below(36);
        let mut frame = mix(seed, skewed_site(&mut rng)) % ROOTS;
        for level in 0..depth {
            if level > 0 {
                out.write_all(b";")?;
                frame = callee(frame, skewed_site(&mut rng));
            }
            out.write_all(names[frame as usize].as_bytes())?;
        }
        let count = 1 + rng.below(1000) * rng.below(1000) / 1000;
        writeln!(out, " {count}")?;
    }
    out.flush()
}

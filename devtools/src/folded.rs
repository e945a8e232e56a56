//! Reproducible synthetic folded stacks for benchmarking `flamegraph`
//! (`cargo run --release --example gen_folded`, used by scripts/bench-flamegraph.sh).
//!
//! Stacks are 5–40 frames deep over 2,000 Go-like function names; each function calls a few
//! callees, favouring the first, like real call trees, so stacks share prefixes near the root
//! and diverge deeper down. Counts are 1–1000, mostly small.

use crate::rng::Rng;
use std::io::{self, Write};

const NAMES: u64 = 2_000;
const ROOTS: u64 = 12;

/// Writes `lines` folded stacks drawn with `seed`: the same arguments give the same bytes.
pub fn write_folded(out: &mut impl Write, lines: u64, seed: u64) -> io::Result<()> {
    let names: Vec<String> = (0..NAMES).map(name).collect();
    let mut rng = Rng(seed);
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
    Ok(())
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
fn skewed_site(rng: &mut Rng) -> u64 {
    (rng.next_u64() | (1 << 5)).trailing_zeros() as u64
}

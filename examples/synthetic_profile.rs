//! Writes a large synthetic pprof CPU profile (gzipped protobuf) for benchmarking
//! `pprof-collapse` (see scripts/bench-collapse.sh).
//!
//! ```text
//! cargo run --release --example synthetic_profile -- OUT.pb.gz [SAMPLES] [LOCATIONS] [SEED]
//! ```
//!
//! Defaults: 1,000,000 samples over 50,000 locations; what the profile holds is described in
//! `devtools::synthetic_profile` (devtools/src/synthetic_profile.rs). The seed is fixed (1, or
//! SEED for a second profile to compare with): the same arguments always give the same bytes.

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).map_or("synthetic.pb.gz", String::as_str);
    let samples: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let locations: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let seed: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
    let encoded = devtools::synthetic_profile::synthetic_profile_seeded(samples, locations, seed);
    let file = std::fs::File::create(out).expect("create output file");
    let mut gz = flate2::write::GzEncoder::new(
        std::io::BufWriter::new(file),
        flate2::Compression::default(),
    );
    gz.write_all(&encoded).expect("write");
    gz.finish().expect("finish").flush().expect("flush");
    eprintln!(
        "{out}: {samples} samples, {locations} locations, {} bytes uncompressed",
        encoded.len()
    );
}

//! Property test: random bytes and mutated real profiles (bit flips, truncations, overwritten,
//! inserted and deleted bytes; both the gzip stream and the data inside it; `-raw` text lines)
//! go through detection, gzip, protobuf decoding, `-raw` parsing and folding without a panic.
//!
//! `cargo test` runs a short round. `FLAMEPIPE_FUZZ_SECONDS=300 cargo test --release --test
//! collapse_fuzz -- --nocapture` runs for that long and prints the number of cases.

use flamepipe::collapse::{collapse_to_vec, Collapser, Options, SampleIndex};
use flamepipe::profile::parse_profile;
use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use devtools::rng::Rng;

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Seeds: the bundled profiles (small ones), plain and decompressed.
fn seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut seeds = Vec::new();
    for dir in ["collapse/inputs", "collapse-go"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".folded") || name.ends_with(".folded.gz") || name.ends_with(".md") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            if bytes.len() > 200_000 {
                continue;
            }
            if bytes.starts_with(&[0x1f, 0x8b]) {
                seeds.push(gunzip(&bytes));
            }
            seeds.push(bytes);
        }
    }
    seeds
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.index(4) {
        let len = data.len();
        match rng.index(8) {
            0 => data.truncate(rng.index(len + 1)),
            1 | 2 => {
                if len > 0 {
                    let i = rng.index(len);
                    data[i] ^= 1 << rng.index(8);
                }
            }
            3 => {
                if len > 0 {
                    let i = rng.index(len);
                    data[i] = rng.next_u64() as u8;
                }
            }
            4 => {
                let i = rng.index(len + 1);
                let extra: Vec<u8> = (0..1 + rng.index(8))
                    .map(|_| rng.next_u64() as u8)
                    .collect();
                data.splice(i..i, extra);
            }
            5 => {
                if len > 0 {
                    let i = rng.index(len);
                    let n = rng.index(16).min(len - i);
                    data.drain(i..i + n);
                }
            }
            6 => {
                // A text-level mutation: duplicate or drop a line, or insert pprof-ish tokens.
                let tokens: [&[u8]; 7] =
                    [b"\n", b":[", b"]", b" s=0", b"Locations\n", b": ", b"0x"];
                let t = tokens[rng.index(tokens.len())];
                let i = rng.index(len + 1);
                data.splice(i..i, t.iter().copied());
            }
            _ => {
                if data.starts_with(&[0x1f, 0x8b]) {
                    let inner = mutate(rng, &gunzip_lossy(&data));
                    data = gzip(&inner);
                } else {
                    data = gzip(&data);
                }
            }
        }
    }
    data
}

fn gunzip_lossy(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out);
    out
}

fn options(rng: &mut Rng) -> Options {
    Options {
        sample_index: match rng.index(4) {
            0 => Some(SampleIndex::Number(rng.index(5))),
            1 => Some(SampleIndex::Name("inuse_space".into())),
            _ => None,
        },
        labels: rng.index(3) == 0,
        tag_root: if rng.index(4) == 0 {
            vec!["worker".into(), "bytes".into()]
        } else {
            vec![]
        },
        tag_leaf: if rng.index(4) == 0 {
            vec!["kind".into()]
        } else {
            vec![]
        },
        lines: rng.index(3) == 0,
    }
}

/// Runs one input; panics (with the input saved) if anything panics.
fn check(input: Vec<u8>, options: Options, case: u64) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        if let Ok(profile) = parse_profile(input.clone()) {
            let borrowed = collapse_to_vec(&[("fuzz", &profile)], options.clone());
            let mut collapser = Collapser::new(options);
            let owned = collapser
                .add_owned("fuzz", profile)
                .and_then(|()| Ok(collapser.finish().write_to(Vec::new())?));
            let same = match (&borrowed, &owned) {
                (Ok(a), Ok(b)) => a == b,
                (Err(a), Err(b)) => a.to_string() == b.to_string(),
                _ => false,
            };
            assert!(same, "add and add_owned disagree: {borrowed:?} / {owned:?}");
        }
    }));
    if result.is_err() {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("collapse-fuzz-{case}.bin"));
        std::fs::write(&path, &input).unwrap();
        panic!("case {case} panicked; input saved to {}", path.display());
    }
}

#[test]
fn malformed_inputs_never_panic() {
    let seconds: u64 = std::env::var("FLAMEPIPE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let seeds = seeds();
    assert!(seeds.len() > 20);
    let mut rng = Rng(0xf022);
    let mut cases = 0u64;
    loop {
        let input = if rng.index(8) == 0 {
            (0..rng.index(512)).map(|_| rng.next_u64() as u8).collect()
        } else {
            let seed = &seeds[rng.index(seeds.len())];
            mutate(&mut rng, seed)
        };
        let opts = options(&mut rng);
        check(input, opts, cases);
        cases += 1;
        if cases >= 300 && Instant::now() >= deadline {
            break;
        }
    }
    eprintln!("collapse_fuzz: {cases} cases without a panic");
}

//! Property tests for Go's text profiles and goroutine dumps: random and mutated dumps and
//! `?debug=1` texts (lines deleted, repeated, swapped, cut, junk and header-like lines
//! inserted, bytes flipped) with random option mixes fold without a panic; and what must not
//! change a result: CRLF line ends, the size of the reads (the text is a stream), and a log
//! prefix of non-dump lines.
//!
//! `cargo test` runs a short round. `FLAMEPIPE_FUZZ_SECONDS=300 cargo test --release --test
//! dumps_fuzz -- --nocapture` runs for that long and prints the number of cases.

use flamepipe::collapse::{Collapser, Options};
use flamepipe::profile::text::DumpOptions;
use flamepipe::profile::{parse_profile_with, read_profile_with};
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use devtools::rng::Rng;

/// The bundled conformance inputs.
fn seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/goroutine-dumps");
    let mut dirs: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.iter()
        .map(|d| std::fs::read(d.join("in.txt")).unwrap())
        .collect()
}

/// Hands out at most `max` bytes per read, to move line ends across buffer boundaries.
struct Trickle<'a> {
    data: &'a [u8],
    rng: Rng,
    max: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (1 + self.rng.index(self.max))
            .min(buf.len())
            .min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn fold_with(profile: Result<flamepipe::profile::Profile, impl ToString>, o: &Options) -> String {
    match profile {
        Err(e) => format!("error: {}", e.to_string()),
        Ok(p) => {
            let mut c = Collapser::new(o.clone());
            match c.add_owned("x", p) {
                Err(e) => format!("error: {e}"),
                Ok(()) => String::from_utf8(c.finish().write_to(Vec::new()).unwrap()).unwrap(),
            }
        }
    }
}

fn fold(data: &[u8], o: &Options, d: &DumpOptions) -> String {
    fold_with(parse_profile_with(data.to_vec(), d), o)
}

fn random_options(rng: &mut Rng) -> (Options, DumpOptions) {
    let mut flag = || rng.below(3) == 0;
    let options = Options {
        lines: flag(),
        labels: flag(),
        tag_leaf: if flag() {
            vec!["tenant".into()]
        } else {
            Vec::new()
        },
        ..Options::default()
    };
    let dumps = DumpOptions {
        state: flag(),
        group_by_state: flag(),
        created_by: flag(),
        minutes: flag(),
        all_goroutines: flag(),
    };
    (options, dumps)
}

const JUNK: [&[u8]; 14] = [
    b"goroutine 1 [running]:",
    b"goroutine 0 [idle]:",
    b"goroutine 5 gp=0x1 m=nil [select, 3 minutes]:",
    b"goroutine 7 [chan receive labels:{\"a\":\"b\"}]:",
    b"\tgoroutine running on other thread; stack unavailable",
    b"created by main.main in goroutine 1",
    b"...5 frames elided...",
    b"non-Go function at pc=0x1234",
    b"[originating from goroutine 3]:",
    b"-----",
    b"SIGQUIT: quit",
    b"#\t0x45\tmain.f+0x1\t/a.go:3",
    b"# labels: {\"k\":\"v\"}",
    b"12 @ 0x1 0x2",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = seed.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    for _ in 0..1 + rng.index(6) {
        let n = lines.len().max(1);
        let i = rng.index(n).min(lines.len().saturating_sub(1));
        match rng.index(7) {
            0 if !lines.is_empty() => {
                lines.remove(i);
            }
            1 if !lines.is_empty() => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 if lines.len() > 1 => {
                let j = rng.index(lines.len());
                lines.swap(i, j);
            }
            3 => lines.insert(i, JUNK[rng.index(JUNK.len())].to_vec()),
            4 if !lines.is_empty() && !lines[i].is_empty() => {
                let at = rng.index(lines[i].len());
                lines[i][at] = rng.next_u64() as u8;
            }
            5 if !lines.is_empty() => {
                let at = rng.index(lines[i].len() + 1);
                lines[i].truncate(at);
            }
            _ => lines.insert(
                i,
                (0..rng.index(20)).map(|_| rng.next_u64() as u8).collect(),
            ),
        }
    }
    let mut data = lines.join(&b'\n');
    if rng.below(4) == 0 {
        let at = rng.index(data.len() + 1);
        data.truncate(at);
    }
    data
}

/// Runs `check` on random cases until `budget` is spent (at least `min` cases).
fn run(budget: Duration, min: usize, mut check: impl FnMut(&mut Rng)) -> usize {
    let start = Instant::now();
    let mut rng = Rng(0xd00d_5eed);
    let mut cases = 0;
    while cases < min || start.elapsed() < budget {
        let state = rng.0;
        let result = catch_unwind(AssertUnwindSafe(|| check(&mut rng)));
        assert!(
            result.is_ok(),
            "panic in the case with rng state {state:#x}"
        );
        cases += 1;
    }
    cases
}

fn budget() -> Duration {
    let seconds = std::env::var("FLAMEPIPE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    Duration::from_secs(seconds)
}

#[test]
fn mutated_texts_never_panic() {
    let seeds = seeds();
    let cases = run(budget(), 300, |rng| {
        let seed = &seeds[rng.index(seeds.len())];
        let data = mutate(rng, seed);
        let (o, d) = random_options(rng);
        let _ = fold(&data, &o, &d);
    });
    println!("{cases} mutated cases");
}

#[test]
fn random_bytes_never_panic() {
    let cases = run(budget() / 2, 300, |rng| {
        let len = rng.index(300);
        let mut data: Vec<u8> = (0..len)
            .map(|_| JUNK[rng.index(JUNK.len())][rng.index(4)] | (rng.next_u64() as u8 & 0x20))
            .collect();
        if rng.below(2) == 0 {
            data.extend_from_slice(b"\ngoroutine 1 [x]:\n");
        }
        let _ = fold(&data, &Options::default(), &DumpOptions::default());
    });
    println!("{cases} random cases");
}

#[test]
fn line_ends_read_sizes_and_log_prefixes_do_not_change_the_result() {
    let seeds = seeds();
    let mut rng = Rng(42);
    for seed in &seeds {
        for _ in 0..3 {
            let (o, d) = random_options(&mut rng);
            let want = fold(seed, &o, &d);
            let crlf: Vec<u8> = seed
                .split_inclusive(|&b| b == b'\n')
                .flat_map(|l| match l.strip_suffix(b"\n") {
                    Some(l) => [l, b"\r\n"].concat(),
                    None => l.to_vec(),
                })
                .collect();
            assert_eq!(fold(&crlf, &o, &d), want, "CRLF");
            let trickle = Trickle {
                data: seed,
                rng: Rng(rng.next_u64()),
                max: 1 + rng.index(100),
            };
            assert_eq!(fold_with(read_profile_with(trickle, &d), &o), want, "reads");
            let dump =
                seed.starts_with(b"goroutine ") && seed.get(10).is_some_and(u8::is_ascii_digit);
            if want.starts_with("error") || !dump {
                continue;
            }
            let logged = [&b"2026/12/01 10:00:00 starting\nINFO a;b 12\n\n"[..], seed].concat();
            assert_eq!(fold(&logged, &o, &d), want, "log prefix");
        }
    }
}

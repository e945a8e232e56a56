//! Writes a large synthetic pprof CPU profile (gzipped protobuf) for benchmarking
//! `pprof-collapse` (see scripts/bench-collapse.sh).
//!
//! ```text
//! cargo run --release --example synthetic_profile -- OUT.pb.gz [SAMPLES] [LOCATIONS] [SEED]
//! ```
//!
//! Defaults: 1,000,000 samples over 50,000 locations (a quarter of them with inlined lines),
//! stacks 5–60 deep drawn as random walks over a call graph, so nearly every stack is distinct;
//! string labels on most samples and a numeric label on some. The seed is fixed: the same
//! arguments always give the same bytes.

use flamepipe::profile::proto::{
    Function, Label, Line, Location, Mapping, Profile, Sample, ValueType,
};
use prost::Message;
use std::io::Write;

#[path = "../tests/common/rng.rs"]
mod rng;
use rng::Rng;

/// Interns strings into the profile's string table.
struct Strings {
    table: Vec<Vec<u8>>,
    index: std::collections::HashMap<String, i64>,
}

impl Strings {
    fn id(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.table.len() as i64;
        self.table.push(s.as_bytes().to_vec());
        self.index.insert(s.to_string(), i);
        i
    }
}

const CALLEES: usize = 6;
const ROOTS: u64 = 20;

fn function_name(rng: &mut Rng, i: usize) -> String {
    let pkg = [
        "net/http",
        "encoding/json",
        "main",
        "github.com/acme/store",
        "runtime",
        "sync",
        "database/sql",
    ][rng.below(7) as usize];
    match rng.below(4) {
        0 => format!("{pkg}.(*Handler{}).Serve{i}", rng.below(50)),
        1 => format!("{pkg}.process{i}.func{}", rng.below(4) + 1),
        2 => format!("{pkg}.Type{}[...].method{i}", rng.below(30)),
        _ => format!("{pkg}.fn{i}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).map_or("synthetic.pb.gz", String::as_str);
    let samples: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let locations: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let functions = locations * 3 / 5;
    // An optional fourth argument varies the seed (a second profile of the same program
    // for comparisons); without it the bytes are those of seed 1.
    let seed: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut rng = Rng(0x5eed_f1a3_e91e_0000 + seed);
    let mut strings = Strings {
        table: vec![Vec::new()],
        index: Default::default(),
    };
    let mut profile = Profile {
        sample_type: vec![
            ValueType {
                r#type: strings.id("samples"),
                unit: strings.id("count"),
            },
            ValueType {
                r#type: strings.id("cpu"),
                unit: strings.id("nanoseconds"),
            },
        ],
        mapping: vec![Mapping {
            id: 1,
            memory_start: 0x400000,
            memory_limit: 0x4000000,
            filename: strings.id("/srv/app"),
            has_functions: true,
            ..Default::default()
        }],
        period_type: Some(ValueType {
            r#type: strings.id("cpu"),
            unit: strings.id("nanoseconds"),
        }),
        period: 10_000_000,
        time_nanos: 1_700_000_000_000_000_000,
        duration_nanos: 30_000_000_000,
        ..Default::default()
    };
    for i in 0..functions {
        let name = function_name(&mut rng, i);
        let file = format!("/src/pkg{}/file{}.go", i % 97, i % 13);
        profile.function.push(Function {
            id: i as u64 + 1,
            name: strings.id(&name),
            system_name: strings.id(&name),
            filename: strings.id(&file),
            start_line: rng.below(2000) as i64,
        });
    }
    for i in 0..locations {
        let lines = match rng.below(100) {
            0..=74 => 1,
            75..=92 => 2,
            _ => 3,
        };
        profile.location.push(Location {
            id: i as u64 + 1,
            mapping_id: 1,
            address: 0x400000 + 16 * i as u64,
            line: (0..lines)
                .map(|_| Line {
                    function_id: rng.below(functions as u64) + 1,
                    line: rng.below(3000) as i64 + 1,
                    column: 0,
                })
                .collect(),
            is_folded: false,
        });
    }
    let callees: Vec<[u64; CALLEES]> = (0..locations)
        .map(|_| std::array::from_fn(|_| rng.below(locations as u64)))
        .collect();
    let workers: Vec<i64> = (0..16).map(|w| strings.id(&format!("w{w}"))).collect();
    let (worker, request, bytes, bytes_unit) = (
        strings.id("worker"),
        strings.id("request"),
        strings.id("bytes"),
        strings.id("bytes"),
    );
    let first_request = strings.table.len() as i64;
    for r in 0..2000 {
        strings.id(&format!("/api/v1/item/{r}"));
    }

    let mut encoded = Vec::with_capacity(samples * 140);
    let mut stack = Vec::with_capacity(64);
    for _ in 0..samples {
        let depth = 5 + rng.below(56) as usize;
        stack.clear();
        let mut at = rng.below(ROOTS);
        stack.push(at + 1);
        for _ in 1..depth {
            at = callees[at as usize][rng.below(CALLEES as u64) as usize];
            stack.push(at + 1);
        }
        stack.reverse(); // leaf first
        let count = 1 + rng.below(3) as i64;
        let mut label = Vec::new();
        if rng.below(10) < 6 {
            label.push(Label {
                key: worker,
                str: workers[rng.below(16) as usize],
                ..Default::default()
            });
        }
        if rng.below(10) < 3 {
            label.push(Label {
                key: request,
                str: first_request + rng.below(2000) as i64,
                ..Default::default()
            });
        }
        if rng.below(10) < 2 {
            label.push(Label {
                key: bytes,
                num: rng.below(1 << 20) as i64,
                num_unit: bytes_unit,
                ..Default::default()
            });
        }
        let sample = Sample {
            location_id: stack.clone(),
            value: vec![count, count * 10_000_000],
            label,
        };
        prost::encoding::message::encode(2, &sample, &mut encoded);
    }
    profile.string_table = strings.table;
    profile.encode(&mut encoded).expect("encode");

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

//! A large synthetic pprof CPU profile for benchmarking `pprof-collapse`
//! (`cargo run --release --example synthetic_profile`, used by scripts/bench-collapse.sh).
//!
//! Stacks 5–60 deep are random walks over a call graph of `locations` locations (a quarter of
//! them with inlined lines), so nearly every stack is distinct; string labels on most samples
//! and a numeric label on some. The seed is fixed: the same arguments always give the same bytes.

use crate::rng::Rng;
use flamepipe::profile::pb::{
    Function, Label, Line, Location, Mapping, Profile, Sample, ValueType,
};
use prost::Message;

/// Callees per location in the call graph.
const CALLEES: usize = 6;
/// Locations a stack may start from.
const ROOTS: u64 = 20;

/// The encoded (not gzipped) profile of `samples` samples over `locations` locations.
pub fn synthetic_profile(samples: usize, locations: usize) -> Vec<u8> {
    synthetic_profile_seeded(samples, locations, 1)
}

/// [`synthetic_profile`] from another seed (seed 1 is [`synthetic_profile`]): a second profile
/// of the same size and shape, for comparisons (`pprof-collapse --diff_base`).
pub fn synthetic_profile_seeded(samples: usize, locations: usize, seed: u64) -> Vec<u8> {
    let functions = locations * 3 / 5;
    let mut rng = Rng(0x5eed_f1a3_e91e_0000 + seed);
    let mut strings = Strings {
        table: vec![Vec::new()],
        index: Default::default(),
    };
    let mut profile = header(&mut strings);
    add_functions(&mut profile, &mut strings, &mut rng, functions);
    add_locations(&mut profile, &mut rng, locations, functions);
    let callees: Vec<[u64; CALLEES]> = (0..locations)
        .map(|_| std::array::from_fn(|_| rng.below(locations as u64)))
        .collect();
    let labels = LabelStrings::new(&mut strings);
    let mut encoded = Vec::with_capacity(samples * 140);
    for _ in 0..samples {
        let sample = random_sample(&mut rng, &callees, &labels);
        prost::encoding::message::encode(2, &sample, &mut encoded);
    }
    profile.string_table = strings.table;
    profile.encode(&mut encoded).expect("a Vec grows");
    encoded
}

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

/// The profile's sample types, mapping, period and times.
fn header(strings: &mut Strings) -> Profile {
    Profile {
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
    }
}

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

fn add_functions(profile: &mut Profile, strings: &mut Strings, rng: &mut Rng, functions: usize) {
    for i in 0..functions {
        let name = function_name(rng, i);
        let file = format!("/src/pkg{}/file{}.go", i % 97, i % 13);
        profile.function.push(Function {
            id: i as u64 + 1,
            name: strings.id(&name),
            system_name: strings.id(&name),
            filename: strings.id(&file),
            start_line: rng.below(2000) as i64,
        });
    }
}

/// Locations with one line (75 %), two (18 %) or three (7 %), the extra ones inlined.
fn add_locations(profile: &mut Profile, rng: &mut Rng, locations: usize, functions: usize) {
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
}

/// The string ids the sample labels use.
struct LabelStrings {
    workers: Vec<i64>,
    worker: i64,
    request: i64,
    bytes: i64,
    bytes_unit: i64,
    /// The first of 2,000 consecutive request paths.
    first_request: i64,
}

impl LabelStrings {
    fn new(strings: &mut Strings) -> LabelStrings {
        let workers = (0..16).map(|w| strings.id(&format!("w{w}"))).collect();
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
        LabelStrings {
            workers,
            worker,
            request,
            bytes,
            bytes_unit,
            first_request,
        }
    }
}

/// One sample: a random walk from a root, leaf first, with its labels.
fn random_sample(rng: &mut Rng, callees: &[[u64; CALLEES]], labels: &LabelStrings) -> Sample {
    let depth = 5 + rng.below(56) as usize;
    let mut stack = Vec::with_capacity(depth);
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
            key: labels.worker,
            str: labels.workers[rng.below(16) as usize],
            ..Default::default()
        });
    }
    if rng.below(10) < 3 {
        label.push(Label {
            key: labels.request,
            str: labels.first_request + rng.below(2000) as i64,
            ..Default::default()
        });
    }
    if rng.below(10) < 2 {
        label.push(Label {
            key: labels.bytes,
            num: rng.below(1 << 20) as i64,
            num_unit: labels.bytes_unit,
            ..Default::default()
        });
    }
    Sample {
        location_id: stack,
        value: vec![count, count * 10_000_000],
        label,
    }
}

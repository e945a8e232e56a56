//! Random profiles folded by pprof-collapse and by a naive reference written straight from
//! docs/pprof-collapse.md ("Stacks" to "Output"; build every stack text, sum in a map, sort the
//! texts): the outputs must be identical. Frame names are drawn from a small set full of shared
//! prefixes, `;`, `!` and empty names, the cases where sorting by interned ids is easy to get
//! wrong.

use flamepipe::collapse::{collapse_to_vec, Options};
use flamepipe::profile::parse_profile;
use flamepipe::profile::pb::{Function, Label, Line, Location, Profile, Sample, ValueType};
use prost::Message;
use std::collections::BTreeMap;

use devtools::rng::Rng;

const NAMES: &[&str] = &[
    "",
    "a",
    "a!",
    "a;",
    "a;b",
    "ab",
    "a b",
    "b",
    "b;a",
    "main",
    "main.f",
    "main.f.func1",
    "z\r\nz",
    "~",
];
const KEYS: &[&str] = &["k", "kk", "w"];
const VALUES: &[&str] = &["x", "x;y", "y", ""];

fn random_profile(rng: &mut Rng) -> Profile {
    let mut strings: Vec<Vec<u8>> = vec![Vec::new(), b"samples".to_vec(), b"count".to_vec()];
    let id = |s: &str, strings: &mut Vec<Vec<u8>>| -> i64 {
        if s.is_empty() {
            return 0;
        }
        strings.push(s.as_bytes().to_vec());
        strings.len() as i64 - 1
    };
    let functions: Vec<Function> = (0..NAMES.len())
        .map(|i| Function {
            id: i as u64 + 1,
            name: id(NAMES[i], &mut strings),
            ..Default::default()
        })
        .collect();
    let locations: Vec<Location> = (0..1 + rng.below(12))
        .map(|i| Location {
            id: i + 1,
            address: rng.below(0x1000),
            line: (0..rng.below(4))
                .map(|_| Line {
                    function_id: rng.below(NAMES.len() as u64 + 1),
                    line: rng.below(3) as i64,
                    column: 0,
                })
                .collect(),
            ..Default::default()
        })
        .collect();
    let samples = (0..rng.below(40))
        .map(|_| Sample {
            location_id: (0..rng.below(5))
                .map(|_| 1 + rng.below(locations.len() as u64))
                .collect(),
            value: vec![rng.below(7) as i64 - 3],
            label: (0..rng.below(3))
                .map(|_| Label {
                    key: id(KEYS[rng.below(KEYS.len() as u64) as usize], &mut strings),
                    str: id(
                        VALUES[rng.below(VALUES.len() as u64) as usize],
                        &mut strings,
                    ),
                    ..Default::default()
                })
                .collect(),
        })
        .collect();
    Profile {
        sample_type: vec![ValueType { r#type: 1, unit: 2 }],
        string_table: strings,
        function: functions,
        location: locations,
        sample: samples,
        ..Default::default()
    }
}

/// The reference: stacks, labels (`--labels`) and output, as directly as possible.
fn reference(p: &Profile, labels: bool, lines: bool) -> Vec<u8> {
    let text =
        |i: i64| String::from_utf8_lossy(&p.string_table[i as usize]).replace(['\r', '\n'], " ");
    let mut sums: BTreeMap<Vec<u8>, i128> = BTreeMap::new();
    for s in &p.sample {
        let mut frames: Vec<String> = Vec::new();
        if labels {
            let mut by_key: BTreeMap<Vec<u8>, Vec<String>> = BTreeMap::new();
            for l in s.label.iter().filter(|l| l.str != 0) {
                by_key
                    .entry(p.string_table[l.key as usize].clone())
                    .or_default()
                    .push(text(l.str));
            }
            for (k, v) in by_key {
                frames.push(format!("{}={}", String::from_utf8_lossy(&k), v.join(",")));
            }
        }
        for id in s.location_id.iter().rev() {
            let loc = p.location.iter().find(|l| l.id == *id).unwrap();
            if loc.line.is_empty() {
                frames.push(format!("{:#x}", loc.address));
            }
            for line in loc.line.iter().rev() {
                let f = p.function.iter().find(|f| f.id == line.function_id);
                let mut name = f.map(|f| text(f.name)).unwrap_or_default();
                if name.is_empty() {
                    name = "?".into();
                }
                if lines && line.line > 0 {
                    name = format!("{name}:{}", line.line);
                }
                frames.push(name);
            }
        }
        if !frames.is_empty() {
            *sums.entry(frames.join(";").into_bytes()).or_default() += i128::from(s.value[0]);
        }
    }
    let mut out = Vec::new();
    for (stack, sum) in sums.into_iter().filter(|(_, s)| *s != 0) {
        out.extend(stack);
        out.extend(format!(" {sum}\n").bytes());
    }
    out
}

/// Rounds of the model test: 200, or `FLAMEPIPE_MODEL_ROUNDS` for a longer run.
fn rounds() -> usize {
    std::env::var("FLAMEPIPE_MODEL_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200)
}

#[test]
fn random_profiles_fold_like_the_reference() {
    let mut rng = Rng(42);
    for round in 0..rounds() {
        let p = random_profile(&mut rng);
        let parsed = parse_profile(p.encode_to_vec()).unwrap();
        for (labels, lines) in [(false, false), (true, false), (false, true)] {
            let options = Options {
                labels,
                lines,
                ..Options::default()
            };
            let got = collapse_to_vec(&[("p", &parsed)], options).unwrap();
            let want = reference(&p, labels, lines);
            assert!(
                got == want,
                "round {round} labels={labels} lines={lines}\ngot:\n{}\nwant:\n{}",
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&want)
            );
        }
    }
}

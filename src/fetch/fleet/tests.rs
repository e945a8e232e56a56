//! The merge rules on small hand-made profiles (prost structs in, prost structs out).

use std::io::Read;

use prost::Message;

use super::merge::{MergeFailure, Merger};
use super::part::Part;
use super::write::write_merged;
use crate::profile::pb;

/// A profile of `samples` (location ids, values, string labels), with strings interned.
struct Builder {
    profile: pb::Profile,
}

impl Builder {
    fn new(types: &[(&str, &str)]) -> Builder {
        let mut b = Builder {
            profile: pb::Profile {
                string_table: vec![Vec::new()],
                ..Default::default()
            },
        };
        for (ty, unit) in types {
            let vt = pb::ValueType {
                r#type: b.s(ty),
                unit: b.s(unit),
            };
            b.profile.sample_type.push(vt);
        }
        b
    }

    fn s(&mut self, text: &str) -> i64 {
        let table = &mut self.profile.string_table;
        match table.iter().position(|t| t == text.as_bytes()) {
            Some(i) => i as i64,
            None => {
                table.push(text.as_bytes().to_vec());
                table.len() as i64 - 1
            }
        }
    }

    /// Function `id` named `name`, location `id` at `address` in mapping 1 (if any).
    fn frame(&mut self, id: u64, name: &str, address: u64) -> &mut Self {
        let name = self.s(name);
        self.profile.function.push(pb::Function {
            id,
            name,
            ..Default::default()
        });
        let mapping_id = u64::from(!self.profile.mapping.is_empty());
        self.profile.location.push(pb::Location {
            id,
            mapping_id,
            address,
            line: vec![pb::Line {
                function_id: id,
                line: 1,
                column: 0,
            }],
            is_folded: false,
        });
        self
    }

    fn mapping(&mut self, start: u64, file: &str) -> &mut Self {
        let filename = self.s(file);
        self.profile.mapping.push(pb::Mapping {
            id: 1,
            memory_start: start,
            memory_limit: start + 0x10_0000,
            filename,
            ..Default::default()
        });
        self
    }

    fn sample(&mut self, locations: &[u64], values: &[i64], labels: &[(&str, &str)]) -> &mut Self {
        let label = labels
            .iter()
            .map(|(k, v)| pb::Label {
                key: self.s(k),
                str: self.s(v),
                ..Default::default()
            })
            .collect();
        self.profile.sample.push(pb::Sample {
            location_id: locations.to_vec(),
            value: values.to_vec(),
            label,
        });
        self
    }

    fn bytes(&self) -> Vec<u8> {
        self.profile.encode_to_vec()
    }
}

fn add(merger: &mut Merger, instance: &str, bytes: &[u8]) -> Result<(), MergeFailure> {
    let part = Part::scan(bytes).map_err(MergeFailure::Profile)?;
    merger.add(&format!("http://{instance}/x"), instance, bytes, &part)
}

fn written(merger: &mut Merger) -> pb::Profile {
    let mut gz = Vec::new();
    write_merged(merger, &mut gz).unwrap();
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut raw)
        .unwrap();
    pb::Profile::decode(&raw[..]).unwrap()
}

fn text(p: &pb::Profile, id: i64) -> &str {
    std::str::from_utf8(&p.string_table[id as usize]).unwrap()
}

/// Each sample as `instance: frame;frame = values` (root first), for easy comparison.
fn render(p: &pb::Profile) -> Vec<String> {
    p.sample
        .iter()
        .map(|s| {
            let frames: Vec<&str> = s
                .location_id
                .iter()
                .rev()
                .map(|id| {
                    let loc = p.location.iter().find(|l| l.id == *id).unwrap();
                    let f = p.function.iter().find(|f| f.id == loc.line[0].function_id);
                    text(p, f.unwrap().name)
                })
                .collect();
            let labels: Vec<String> = s
                .label
                .iter()
                .map(|l| format!("{}={}", text(p, l.key), text(p, l.str)))
                .collect();
            format!("{} {} = {:?}", labels.join(","), frames.join(";"), s.value)
        })
        .collect()
}

#[test]
fn shared_symbols_labels_and_header_rules() {
    let mut a = Builder::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
    a.mapping(0x40_0000, "/bin/app")
        .frame(1, "main", 0x40_1000)
        .frame(2, "work", 0x40_2000);
    a.sample(&[2, 1], &[1, 10], &[("instance", "old")])
        .sample(&[1], &[0, 0], &[]);
    a.profile.time_nanos = 200;
    a.profile.duration_nanos = 5;
    a.profile.period = 10;
    let c = a.s("one");
    a.profile.comment = vec![c];
    // The same program at another base address (ASLR), ids numbered differently.
    let mut b = Builder::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
    b.mapping(0x7f00_0000, "/bin/app")
        .frame(7, "work", 0x7f00_2000)
        .frame(9, "main", 0x7f00_1000);
    b.sample(&[7, 9], &[2, 20], &[])
        .sample(&[7, 9], &[3, 30], &[]);
    b.profile.time_nanos = 100;
    b.profile.duration_nanos = 7;
    b.profile.period = 20;
    let (one, two) = (b.s("one"), b.s("two"));
    b.profile.comment = vec![one, two];

    let mut merger = Merger::new(Some("instance"));
    add(&mut merger, "a:1", &a.bytes()).unwrap();
    add(&mut merger, "b:2", &b.bytes()).unwrap();
    let p = written(&mut merger);
    assert_eq!(
        render(&p),
        [
            "instance=a:1 main;work = [1, 10]",
            "instance=b:2 main;work = [5, 50]"
        ]
    );
    assert_eq!(
        (p.mapping.len(), p.location.len(), p.function.len()),
        (1, 2, 2)
    );
    let work = p
        .location
        .iter()
        .find(|l| l.id == p.sample[0].location_id[0]);
    assert_eq!(work.unwrap().address, 0x40_2000);
    assert_eq!((p.time_nanos, p.duration_nanos, p.period), (100, 12, 20));
    let comments: Vec<&str> = p.comment.iter().map(|&c| text(&p, c)).collect();
    assert_eq!(comments, ["one", "two"]);
    let mut strings = p.string_table.clone();
    strings.sort();
    strings.dedup();
    assert_eq!(
        strings.len(),
        p.string_table.len(),
        "strings are not repeated"
    );
    assert!(
        !p.string_table.iter().any(|s| s == b"old"),
        "replaced label gone"
    );
}

#[test]
fn a_failing_part_leaves_the_merge_as_it_was() {
    let mut good = Builder::new(&[("samples", "count")]);
    good.frame(1, "main", 0x10);
    good.sample(&[1], &[4], &[]);
    let mut merger = Merger::new(Some("instance"));
    add(&mut merger, "a:1", &good.bytes()).unwrap();
    let before = written(&mut merger);

    let mut bad = Builder::new(&[("samples", "count")]);
    bad.frame(1, "other", 0x10).frame(2, "more", 0x20);
    bad.sample(&[2, 1], &[1], &[]).sample(&[99], &[1], &[]);
    let err = add(&mut merger, "b:2", &bad.bytes()).unwrap_err();
    assert!(matches!(
        err,
        MergeFailure::Profile(crate::profile::ProfileError::Invalid(ref m)) if m == "sample refers to unknown location id 99"
    ));
    let mut heap = Builder::new(&[("inuse_space", "bytes")]);
    heap.frame(1, "main", 0x10).sample(&[1], &[4], &[]);
    match add(&mut merger, "c:3", &heap.bytes()) {
        Err(MergeFailure::Incompatible(m)) => assert_eq!(
            m,
            "incompatible profile: sample types [inuse_space/bytes] differ from [samples/count] of http://a:1/x"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(written(&mut merger), before);
    assert_eq!(merger.parts(), 1);
}

#[test]
fn without_a_label_key_equal_samples_are_summed() {
    let mut a = Builder::new(&[("samples", "count")]);
    a.frame(1, "main", 0x10);
    a.sample(&[1], &[4], &[("k", "v")]);
    let mut merger = Merger::new(None);
    add(&mut merger, "a:1", &a.bytes()).unwrap();
    add(&mut merger, "b:1", &a.bytes()).unwrap();
    assert_eq!(render(&written(&mut merger)), ["k=v main = [8]"]);
}

#[test]
fn broken_parts_are_errors_not_panics() {
    let mut merger = Merger::new(Some("instance"));
    let cases: [(&[u8], &str); 3] = [
        (b"\x0a\xff\xff", "malformed protobuf"),
        (&[0x32, 0x01, b'x'], "string_table[0] must be empty"),
        (b"\x0a\x02\x08", "malformed protobuf"),
    ];
    for (bytes, message) in cases {
        let err = match add(&mut merger, "a:1", bytes) {
            Err(MergeFailure::Profile(e)) => e.to_string(),
            other => panic!("{bytes:?}: {other:?}"),
        };
        assert!(err.contains(message), "{bytes:?}: {err}");
    }
    let mut twice = Builder::new(&[("samples", "count")]);
    twice.frame(1, "main", 0x10).frame(1, "again", 0x20);
    let err = add(&mut merger, "a:1", &twice.bytes()).unwrap_err();
    assert!(
        format!("{err:?}").contains("duplicate location id 1"),
        "{err:?}"
    );
    assert_eq!(merger.parts(), 0);
}

/// Random damage to a real profile: every outcome is a merge or an error, never a panic, and a
/// failed part leaves the merge as it was.
#[test]
fn damaged_profiles_never_panic() {
    use proptest::prelude::*;
    let gz = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/collapse/inputs/cpu.pb.gz"
    ))
    .unwrap();
    let mut good = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut good)
        .unwrap();
    let len = good.len();
    let edits = proptest::collection::vec((0..len, any::<u8>()), 1..8);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(300));
    runner
        .run(&(edits, 0..len + 1), |(edits, cut)| {
            let mut bytes = good.clone();
            for (at, byte) in edits {
                bytes[at] = byte;
            }
            bytes.truncate(cut.max(1));
            let mut merger = Merger::new(Some("instance"));
            add(&mut merger, "a:1", &good).unwrap();
            let before = written(&mut merger);
            if add(&mut merger, "b:2", &bytes).is_err() {
                prop_assert_eq!(written(&mut merger), before);
            }
            Ok(())
        })
        .unwrap();
}

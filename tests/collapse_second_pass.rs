//! The second pass reads the same file: pprof-collapse decodes a protobuf profile in two
//! passes (everything but the samples, then the samples), and a file renamed over the path in
//! between (as `pprof-fetch -o` does) must not change what the second pass reads.

use flamepipe::collapse::{Collapser, Options};
use flamepipe::profile::pb::{Function, Line, Location, Profile, Sample, ValueType};
use flamepipe::profile::read_profile_file;
use prost::Message;
use std::io::Write;
use std::path::Path;

/// A one-sample CPU profile: `main;LEAF VALUE`.
fn profile(leaf: &str, value: i64) -> Vec<u8> {
    let strings = ["", "samples", "count", "main", leaf];
    let function = |id: u64| Function {
        id,
        name: id as i64 + 2,
        ..Default::default()
    };
    let location = |id: u64| Location {
        id,
        line: vec![Line {
            function_id: id,
            line: 1,
            column: 0,
        }],
        ..Default::default()
    };
    let p = Profile {
        string_table: strings.iter().map(|s| s.as_bytes().to_vec()).collect(),
        sample_type: vec![ValueType { r#type: 1, unit: 2 }],
        function: vec![function(1), function(2)],
        location: vec![location(1), location(2)],
        sample: vec![Sample {
            location_id: vec![2, 1],
            value: vec![value],
            label: vec![],
        }],
        ..Default::default()
    };
    let mut bytes = Vec::new();
    p.encode(&mut bytes).expect("a Vec has room");
    bytes
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Reads `path` (first pass), renames `replacement` over it, then folds (second pass).
fn fold_with_replacement(path: &Path, replacement: &Path) -> String {
    let first = read_profile_file(path).unwrap();
    std::fs::rename(replacement, path).unwrap();
    let mut collapser = Collapser::new(Options::default());
    collapser.add_owned("p", first).unwrap();
    let out = collapser.finish().write_to(Vec::new()).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn a_file_renamed_over_the_path_between_the_passes_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    for (name, wrap) in [
        ("plain", (|b: Vec<u8>| b) as fn(Vec<u8>) -> Vec<u8>),
        ("gz", |b| gzip(&b)),
    ] {
        let path = dir.path().join(format!("cpu.{name}"));
        let other = dir.path().join(format!("other.{name}"));
        std::fs::write(&path, wrap(profile("original", 7))).unwrap();
        std::fs::write(&other, wrap(profile("replacement", 9))).unwrap();
        assert_eq!(
            fold_with_replacement(&path, &other),
            "main;original 7\n",
            "{name}"
        );
        // The path now names the replacement, which folds differently.
        let now = read_profile_file(&path).unwrap();
        let mut collapser = Collapser::new(Options::default());
        collapser.add("p", &now).unwrap();
        let out = collapser.finish().write_to(Vec::new()).unwrap();
        assert_eq!(out, b"main;replacement 9\n", "{name}");
    }
}

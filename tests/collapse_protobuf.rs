//! The protobuf side of docs/pprof-collapse.md: every error message of input detection, protobuf
//! decoding and the value column, built from small profiles encoded with prost (`profile::pb`), and
//! the folding rules (stacks, value column, labels, output).

use flamepipe::collapse::{collapse_to_vec, Collapser, Options, SampleIndex};
use flamepipe::profile::parse_profile;
use flamepipe::profile::pb::{Function, Label, Line, Location, Profile, Sample, ValueType};
use prost::Message;

/// Folds `bytes` with `options`: the output text, or the error message.
fn fold_bytes(bytes: Vec<u8>, options: Options) -> Result<String, String> {
    let profile = parse_profile(bytes).map_err(|e| e.to_string())?;
    let out = collapse_to_vec(&[("p", &profile)], options).map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).expect("utf-8 output"))
}

fn fold(p: &Profile, options: Options) -> Result<String, String> {
    fold_bytes(p.encode_to_vec(), options)
}

fn fold_default(p: &Profile) -> String {
    fold(p, Options::default()).unwrap()
}

fn error(p: &Profile) -> String {
    fold(p, Options::default()).unwrap_err()
}

fn strings(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|s| s.as_bytes().to_vec()).collect()
}

fn vt(ty: i64, unit: i64) -> ValueType {
    ValueType { r#type: ty, unit }
}

fn function(id: u64, name: i64) -> Function {
    Function {
        id,
        name,
        ..Default::default()
    }
}

/// A location whose lines are (function id, line), innermost first.
fn location(id: u64, lines: &[(u64, i64)]) -> Location {
    Location {
        id,
        line: lines
            .iter()
            .map(|&(function_id, line)| Line {
                function_id,
                line,
                column: 0,
            })
            .collect(),
        ..Default::default()
    }
}

fn sample(locations: &[u64], values: &[i64]) -> Sample {
    Sample {
        location_id: locations.to_vec(),
        value: values.to_vec(),
        label: vec![],
    }
}

/// strings: 0 "", 1 samples, 2 count, 3 main, 4 f, 5 g, 6 cpu, 7 nanoseconds.
fn base() -> Profile {
    Profile {
        string_table: strings(&[
            "",
            "samples",
            "count",
            "main",
            "f",
            "g",
            "cpu",
            "nanoseconds",
        ]),
        sample_type: vec![vt(1, 2)],
        function: vec![function(1, 3), function(2, 4), function(3, 5)],
        location: vec![
            location(1, &[(1, 10)]),
            location(2, &[(2, 20)]),
            location(3, &[(3, 30)]),
        ],
        sample: vec![sample(&[2, 1], &[5])],
        ..Default::default()
    }
}

#[test]
fn a_valid_profile_folds() {
    assert_eq!(fold_default(&base()), "main;f 5\n");
}

// ---- input detection ---------------------------------------------------------------------

#[test]
fn detection_errors() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "empty input"),
        (
            b"<!DOCTYPE html><html>",
            "not a profile: looks like an HTML page (the /debug/pprof/ index or an error page?)",
        ),
        (
            b"\n  <html><body>404</body>",
            "not a profile: looks like an HTML page (the /debug/pprof/ index or an error page?)",
        ),
        (
            b"<?xml version=\"1.0\"?>\n<svg>",
            "not a profile: looks like an SVG image",
        ),
        (
            b"<svg version=\"1.1\">",
            "not a profile: looks like an SVG image",
        ),
        // Go's ?debug=1 texts and goroutine dumps are read (tests/dumps_*.rs); other legacy
        // text formats are not.
        (
            b"heap profile: 1: 2 [3: 4] @ growthz/2\n",
            "not supported: legacy text profile (not one of Go's ?debug=1 formats)",
        ),
        (
            b"--- contentionz 1 ---\n",
            "not supported: legacy text profile",
        ),
        (b"--- heapz 1 ---\n", "not supported: legacy text profile"),
        (
            b"--- Thread 1 (name: main/1) (state: sleeping)\n",
            "not supported: legacy text profile",
        ),
        (
            b"go 1.19 trace\x00\x00\x00\x01\x02",
            "not a profile: Go execution trace (from /debug/pprof/trace); use go tool trace",
        ),
        (
            b"main;f;g 12\nmain 3\n",
            "not a profile: already folded stacks; pipe them into flamegraph",
        ),
        (b"main;f -4\n", "not a profile: already folded stacks"),
        (
            b"\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00",
            "not supported: legacy gperftools CPU profile",
        ),
        (
            b"\x00\x00\x00\x00\x00\x00\x00\x03",
            "not supported: legacy gperftools CPU profile",
        ),
        (
            b"\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00",
            "not supported: legacy gperftools CPU profile",
        ),
        (
            b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03",
            "not supported: legacy gperftools CPU profile",
        ),
    ];
    for (input, want) in cases {
        let got = fold_bytes(input.to_vec(), Options::default()).unwrap_err();
        assert!(
            got.starts_with(want),
            "{input:?}: got {got:?}, want {want:?}"
        );
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[test]
fn gzip_is_sniffed_and_multi_member_streams_are_one_stream() {
    let bytes = base().encode_to_vec();
    let (a, b) = bytes.split_at(7);
    let mut two = gzip(a);
    two.extend(gzip(b));
    assert_eq!(fold_bytes(two, Options::default()).unwrap(), "main;f 5\n");
}

#[test]
fn gzip_errors() {
    let good = gzip(&base().encode_to_vec());
    let truncated = good[..good.len() - 10].to_vec();
    assert_eq!(
        fold_bytes(truncated, Options::default()).unwrap_err(),
        "truncated gzip data (incomplete download?)"
    );
    assert_eq!(
        fold_bytes(good[..2].to_vec(), Options::default()).unwrap_err(),
        "truncated gzip data (incomplete download?)"
    );
    let mut bad_crc = good.clone();
    let n = bad_crc.len();
    bad_crc[n - 8] ^= 0x55;
    let got = fold_bytes(bad_crc, Options::default()).unwrap_err();
    assert!(got.starts_with("corrupt gzip data: "), "{got}");
    let mut bad_header = good.clone();
    bad_header[2] = 7;
    let got = fold_bytes(bad_header, Options::default()).unwrap_err();
    assert!(got.starts_with("corrupt gzip data: "), "{got}");
    assert_eq!(
        fold_bytes(gzip(b""), Options::default()).unwrap_err(),
        "empty input"
    );
}

#[test]
fn raw_text_after_bom_and_whitespace_is_detected() {
    let text = "\u{feff}\n  \nSamples:\nsamples/count\n 3: 1\nLocations\n 1: 0x1 main.f a.go:1 s=0\nMappings\n";
    assert_eq!(
        fold_bytes(text.as_bytes().to_vec(), Options::default()).unwrap(),
        "main.f 3\n"
    );
}

// ---- protobuf decoding ---------------------------------------------------------------

#[test]
fn string_table_must_start_with_an_empty_string() {
    let mut p = base();
    p.string_table[0] = b"x".to_vec();
    assert_eq!(
        error(&p),
        "not a pprof profile: string_table[0] must be empty"
    );
    let p = Profile::default();
    assert_eq!(
        fold_bytes(vec![0x50, 0x01], Options::default()).unwrap_err(),
        "not a pprof profile: string_table[0] must be empty"
    );
    assert_eq!(error(&p), "empty input");
}

#[test]
fn a_second_time_nanos_means_concatenated_profiles() {
    let mut p = base();
    p.time_nanos = 12345;
    let mut bytes = p.encode_to_vec();
    assert!(fold_bytes(bytes.clone(), Options::default()).is_ok());
    bytes.extend(p.encode_to_vec());
    assert_eq!(
        fold_bytes(bytes, Options::default()).unwrap_err(),
        "not a single profile: concatenated profiles"
    );
}

/// `base()` bytes followed by `tail`; the error must name the offset where `tail` starts.
fn malformed_at_end(tail: &[u8]) -> (String, usize) {
    let mut bytes = base().encode_to_vec();
    let at = bytes.len();
    bytes.extend_from_slice(tail);
    (fold_bytes(bytes, Options::default()).unwrap_err(), at)
}

#[test]
fn malformed_protobuf_names_the_byte() {
    let cases: &[(&[u8], &str)] = &[
        (&[0x0b], "groups are not supported"),
        (&[0xa4, 0x06], "groups are not supported"),
        (&[0xa6, 0x06], "invalid wire type 6"),
        (&[0xa7, 0x06], "invalid wire type 7"),
        (
            &[
                0x50, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            ],
            "varint longer than 10 bytes",
        ),
        (&[0x50, 0xff], "varint cut off"),
        (
            &[0x12, 0x64, 0x01, 0x02],
            "goes beyond the end of its message",
        ),
        (&[0x11, 0x01, 0x02], "fixed64 value goes beyond the end"),
        (
            &[0x0a, 0x02, 0x08],
            "length 2 of field 1 goes beyond the end of its message",
        ),
        (&[0x08, 0x01], "field 1 of Profile has wire type 0"),
        (&[0x00, 0x01], "field number 0"),
    ];
    for (tail, reason) in cases {
        let (got, at) = malformed_at_end(tail);
        let prefix = format!("not a pprof profile: malformed protobuf at byte {at}: ");
        assert!(
            got.starts_with(&prefix) && got.contains(reason),
            "{tail:?}: {got}"
        );
    }
}

#[test]
fn malformed_nested_field_offset_is_inside_the_message() {
    // A Location (field 4) whose payload holds a group tag: the bad field starts 2 bytes in.
    let (got, at) = malformed_at_end(&[0x22, 0x03, 0x08, 0x09, 0x0b]);
    assert_eq!(
        got,
        format!("not a pprof profile: malformed protobuf at byte {}: field 1 uses wire type 3 (groups are not supported)", at + 4)
    );
    // A malformed sample is found when samples are decoded.
    let (got, at) = malformed_at_end(&[0x12, 0x02, 0x0a, 0x05]);
    assert!(
        got.starts_with(&format!(
            "not a pprof profile: malformed protobuf at byte {}: ",
            at + 2
        )),
        "{got}"
    );
}

#[test]
fn unknown_fields_of_wire_types_0_1_2_5_are_skipped() {
    let (got, _) = malformed_at_end(&[0x0c]);
    assert!(got.contains("groups"));
    let mut bytes = base().encode_to_vec();
    bytes.extend_from_slice(&[0xa0, 0x06, 0x05]); // field 100 varint
    bytes.extend_from_slice(&[0xa1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8]); // fixed64
    bytes.extend_from_slice(&[0xa2, 0x06, 0x02, 0xff, 0xfe]); // bytes
    bytes.extend_from_slice(&[0xa5, 0x06, 1, 2, 3, 4]); // fixed32
    assert_eq!(fold_bytes(bytes, Options::default()).unwrap(), "main;f 5\n");
}

#[test]
fn fields_in_any_order_and_unpacked_repeated_scalars() {
    // Strings last, samples first, location ids and values unpacked.
    let p = base();
    let mut bytes = Vec::new();
    let mut sample = Vec::new();
    for id in [2u8, 1] {
        sample.extend_from_slice(&[0x08, id]);
    }
    sample.extend_from_slice(&[0x10, 0x07]);
    bytes.push(0x12);
    bytes.push(sample.len() as u8);
    bytes.extend(sample);
    let mut rest = p.clone();
    rest.sample.clear();
    let mut tail = rest.encode_to_vec();
    // Move the string table (field 6) of `rest` before the rest: order must not matter.
    bytes.append(&mut tail);
    assert_eq!(fold_bytes(bytes, Options::default()).unwrap(), "main;f 7\n");
}

#[test]
fn scalars_given_twice_keep_the_last_value() {
    let mut p = base();
    p.string_table.push(b"alloc".to_vec()); // 8
    p.sample_type = vec![vt(8, 2), vt(8, 2)];
    p.sample = vec![sample(&[2, 1], &[1, 9])];
    let mut bytes = p.encode_to_vec();
    bytes.extend_from_slice(&[0x70, 0x03]); // default_sample_type = "main" (no such column)
    bytes.extend_from_slice(&[0x70, 0x08]); // ... then "alloc": first column
    assert_eq!(fold_bytes(bytes, Options::default()).unwrap(), "main;f 1\n");
}

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    let mut p = base();
    p.string_table[3] = b"ma\xffin".to_vec();
    assert_eq!(fold_default(&p), "ma\u{fffd}in;f 5\n");
}

fn invalid(p: &Profile) -> String {
    let e = error(p);
    e.strip_prefix("malformed profile: ")
        .unwrap_or_else(|| panic!("{e}"))
        .to_string()
}

#[test]
fn validation_errors() {
    let mut p = base();
    p.function[0].name = 99;
    assert_eq!(invalid(&p), "string index 99 out of range");
    let mut p = base();
    p.sample_type[0].unit = -1;
    assert_eq!(invalid(&p), "string index -1 out of range");
    let mut p = base();
    p.sample[0].label = vec![Label {
        key: 1,
        str: 40,
        ..Default::default()
    }];
    assert_eq!(invalid(&p), "string index 40 out of range");
    let mut p = base();
    p.location[0].id = 0;
    assert_eq!(invalid(&p), "location id 0");
    let mut p = base();
    p.location[1].id = 1;
    assert_eq!(invalid(&p), "duplicate location id 1");
    let mut p = base();
    p.function[2].id = 0;
    assert_eq!(invalid(&p), "function id 0");
    let mut p = base();
    p.function[2].id = 2;
    assert_eq!(invalid(&p), "duplicate function id 2");
    let mut p = base();
    p.sample.push(sample(&[1, 77], &[1]));
    assert_eq!(invalid(&p), "sample refers to unknown location id 77");
    let mut p = base();
    p.location[2].line[0].function_id = 55;
    assert_eq!(invalid(&p), "location 3 refers to unknown function id 55");
    let mut p = base();
    p.sample.push(sample(&[1], &[1, 2]));
    assert_eq!(
        invalid(&p),
        "sample has 2 values but the profile has 1 sample types"
    );
    let mut p = base();
    p.sample_type.clear();
    assert_eq!(invalid(&p), "samples without sample type information");
}

#[test]
fn ids_need_not_be_dense_and_unknown_mappings_are_ignored() {
    let mut p = base();
    p.location = vec![
        Location {
            mapping_id: 99,
            ..location(1_000_000_007, &[(1, 10)])
        },
        location(5, &[(2, 20)]),
    ];
    p.function[0].id = 1;
    p.sample = vec![sample(&[5, 1_000_000_007], &[3])];
    assert_eq!(fold_default(&p), "main;f 3\n");
}

// ---- stacks --------------------------------------------------------------------------

#[test]
fn inlined_lines_are_expanded_caller_first() {
    let mut p = base();
    // Location 4: g inlined into f inlined into main (line[0] innermost).
    p.location.push(location(4, &[(3, 33), (2, 22), (1, 11)]));
    p.sample = vec![sample(&[4], &[2]), sample(&[3, 4], &[1])];
    assert_eq!(fold_default(&p), "main;f;g 2\nmain;f;g;g 1\n");
    let lines = Options {
        lines: true,
        ..Options::default()
    };
    assert_eq!(
        fold(&p, lines).unwrap(),
        "main:11;f:22;g:33 2\nmain:11;f:22;g:33;g:30 1\n"
    );
}

#[test]
fn locations_without_lines_are_addresses_and_missing_functions_are_question_marks() {
    let mut p = base();
    p.location.push(Location {
        id: 4,
        address: 0x4b00af,
        ..Default::default()
    });
    p.location.push(Location {
        id: 5,
        address: 0,
        ..Default::default()
    });
    p.location.push(location(6, &[(0, 7)]));
    p.function.push(function(9, 0)); // empty name
    p.location.push(location(7, &[(9, 0)]));
    p.sample = vec![sample(&[6, 4, 5], &[1]), sample(&[7, 1], &[2])];
    assert_eq!(fold_default(&p), "0x0;0x4b00af;? 1\nmain;? 2\n");
    let lines = Options {
        lines: true,
        ..Options::default()
    };
    assert_eq!(
        fold(&p, lines).unwrap(),
        "0x0;0x4b00af;?:7 1\nmain:10;? 2\n"
    );
}

#[test]
fn cr_and_lf_become_spaces_and_semicolons_stay() {
    let mut p = base();
    p.string_table[4] = b"a\r\nb;c".to_vec();
    assert_eq!(fold_default(&p), "main;a  b;c 5\n");
}

#[test]
fn empty_stacks_are_skipped() {
    let mut p = base();
    p.sample.push(sample(&[], &[4]));
    assert_eq!(fold_default(&p), "main;f 5\n");
}

// ---- value column --------------------------------------------------------------------

/// Four heap columns; strings 8.. are the type names.
fn heap() -> Profile {
    let mut p = base();
    for s in [
        "alloc_objects",
        "alloc_space",
        "inuse_objects",
        "space",
        "bytes",
    ] {
        p.string_table.push(s.as_bytes().to_vec());
    }
    p.sample_type = vec![vt(8, 2), vt(9, 12), vt(10, 2), vt(11, 12)];
    p.sample = vec![sample(&[2, 1], &[1, 2, 3, 4])];
    p
}

fn with_index(p: &Profile, index: &str) -> Result<String, String> {
    fold(
        p,
        Options {
            sample_index: Some(SampleIndex::parse(index)),
            ..Options::default()
        },
    )
}

#[test]
fn sample_index_by_number_and_name() {
    let p = heap();
    assert_eq!(fold_default(&p), "main;f 4\n");
    assert_eq!(with_index(&p, "1").unwrap(), "main;f 2\n");
    assert_eq!(with_index(&p, "alloc_objects").unwrap(), "main;f 1\n");
    assert_eq!(with_index(&p, "inuse_space").unwrap(), "main;f 4\n");
    assert_eq!(
        with_index(&p, "4").unwrap_err(),
        "sample index 4 is outside the range [0..3]"
    );
    assert_eq!(
        with_index(&p, "cpu").unwrap_err(),
        "sample index \"cpu\" must be one of: alloc_objects, alloc_space, inuse_objects, space"
    );
}

#[test]
fn default_column_rules() {
    let mut p = heap();
    p.default_sample_type = 9;
    assert_eq!(fold_default(&p), "main;f 2\n", "default_sample_type");
    p.sample_type[2] = vt(1, 2); // a `samples` column wins
    assert_eq!(fold_default(&p), "main;f 3\n");
    p.sample_type[0] = vt(1, 2); // several: the last
    assert_eq!(fold_default(&p), "main;f 3\n");
    let mut p = heap();
    p.default_sample_type = 6; // names no column: the last
    assert_eq!(fold_default(&p), "main;f 4\n");
}

// ---- labels --------------------------------------------------------------------------

/// strings 8..: worker, A, B, kind, cpu, bytes, n
fn labelled() -> Profile {
    let mut p = base();
    for s in ["worker", "A", "B", "kind", "cpu", "bytes", "n"] {
        p.string_table.push(s.as_bytes().to_vec());
    }
    let l = |key, str, num, num_unit| Label {
        key,
        str,
        num,
        num_unit,
    };
    p.sample = vec![
        Sample {
            label: vec![
                l(8, 9, 0, 0),
                l(11, 12, 0, 0),
                l(8, 10, 0, 0),
                l(14, 0, 512, 13),
                l(11, 0, 0, 0),
            ],
            ..sample(&[2, 1], &[5])
        },
        Sample {
            label: vec![l(14, 0, 7, 0), l(14, 0, 8, 0)],
            ..sample(&[1], &[2])
        },
        Sample {
            label: vec![l(11, 12, 0, 0)],
            ..sample(&[], &[3])
        },
    ];
    p
}

#[test]
fn labels_become_sorted_root_frames() {
    let p = labelled();
    assert_eq!(fold_default(&p), "main 2\nmain;f 5\n");
    let labels = Options {
        labels: true,
        ..Options::default()
    };
    assert_eq!(
        fold(&p, labels).unwrap(),
        "kind=cpu 3\nkind=cpu;worker=A,B;main;f 5\nmain 2\n"
    );
}

#[test]
fn tag_root_and_tag_leaf() {
    let p = labelled();
    let opts = Options {
        tag_root: vec!["worker".into(), "n".into()],
        tag_leaf: vec!["kind".into()],
        ..Options::default()
    };
    assert_eq!(
        fold(&p, opts).unwrap(),
        "worker=;n=7,8;main;kind= 2\nworker=;n=;kind=cpu 3\nworker=A,B;n=512;main;f;kind=cpu 5\n"
    );
}

// ---- aggregation ---------------------------------------------------------------------

#[test]
fn sums_are_128_bit_zero_sums_dropped_negatives_kept() {
    let mut p = base();
    p.sample = vec![
        sample(&[2, 1], &[i64::MAX]),
        sample(&[2, 1], &[i64::MAX]),
        sample(&[3, 1], &[5]),
        sample(&[3, 1], &[-5]),
        sample(&[1], &[-7]),
        sample(&[3], &[0]),
    ];
    assert_eq!(fold_default(&p), "main -7\nmain;f 18446744073709551614\n");
}

#[test]
fn output_is_sorted_bytewise_by_stack_text() {
    let mut p = base();
    for s in ["a", "a!", "a;b", "b"] {
        p.string_table.push(s.as_bytes().to_vec());
    }
    p.function = (8..12).map(|s| function(s as u64, s)).collect();
    p.location = (8..12).map(|s| location(s, &[(s, 1)])).collect();
    // Stacks: [a], [a!], [a, b], [a;b] (one frame containing `;`), [b, a]
    p.sample = vec![
        sample(&[11, 8], &[1]),
        sample(&[10], &[2]),
        sample(&[11, 8], &[3]),
        sample(&[9], &[4]),
        sample(&[8], &[5]),
        sample(&[8, 11], &[6]),
    ];
    // "a;b" as one frame and as two frames is the same text: summed.
    assert_eq!(fold_default(&p), "a 5\na! 4\na;b 6\nb;a 6\n");
}

#[test]
fn several_inputs_are_summed_and_type_differences_warned() {
    let a = parse_profile(base().encode_to_vec()).unwrap();
    let mut other = base();
    other.sample_type = vec![vt(6, 7)];
    let b = parse_profile(other.encode_to_vec()).unwrap();
    let mut c = Collapser::new(Options::default());
    c.add("one.pb", &a).unwrap();
    c.add("two.pb", &a).unwrap();
    assert!(c.warnings().is_empty());
    c.add("three.pb", &b).unwrap();
    assert_eq!(
        c.warnings(),
        ["summing different sample types: samples/count (one.pb) and cpu/nanoseconds (three.pb)"]
    );
    let out = c.finish().write_to(Vec::new()).unwrap();
    assert_eq!(out, b"main;f 15\n");
}

#[test]
fn an_empty_result_has_no_lines() {
    let mut p = base();
    p.sample = vec![sample(&[1], &[3]), sample(&[1], &[-3])];
    let profile = parse_profile(p.encode_to_vec()).unwrap();
    let mut c = Collapser::new(Options::default());
    c.add("p", &profile).unwrap();
    assert!(c.finish().is_empty());
    let mut p = base();
    p.sample.clear();
    p.sample_type.clear();
    assert_eq!(fold_default(&p), "");
}

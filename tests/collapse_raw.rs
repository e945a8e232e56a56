//! The `go tool pprof -raw` text of docs/pprof-collapse.md, in all its variants.

use flamepipe::collapse::{collapse_to_vec, Options, SampleIndex};
use flamepipe::profile::parse_profile;

fn parse(text: &str) -> Result<flamepipe::profile::Profile, String> {
    parse_profile(text.as_bytes().to_vec()).map_err(|e| e.to_string())
}

fn fold_with(text: &str, options: Options) -> Result<String, String> {
    let p = parse(text)?;
    let out = collapse_to_vec(&[("raw", &p)], options).map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

fn fold(text: &str) -> String {
    fold_with(text, Options::default()).unwrap()
}

fn labels() -> Options {
    Options {
        labels: true,
        ..Options::default()
    }
}

const GO119: &str = "PeriodType: cpu nanoseconds
Period: 10000000
Time: 2026-11-22 06:04:57.815265138 +0000 UTC
Duration: 3.12
Samples:
samples/count cpu/nanoseconds
          8   80000000: 1 2 3 
                kind:[cpu] worker:[A]
          1   10000000: 4 3 
                worker:[B]
        542 5420000000: 1 2 3 
Locations
     1: 0x4b00af M=1 crypto/sha256.block /usr/local/go/src/crypto/sha256/sha256block_amd64.s:748 s=0
     2: 0x44c17d M=1 runtime.goparkunlock /usr/local/go/src/runtime/proc.go:369 s=0
             runtime.semacquire1 /usr/local/go/src/runtime/sema.go:150 s=0
     3: 0x6715f6 M=1 main.main.func1 /srv/gen/main.go:69 s=0
     4: 0x4b00b0 M=1 
Mappings
1: 0x400000/0x6e4000/0x0 /srv/gen/gen  [FN]
";

#[test]
fn go_1_19_text_with_inlined_continuation_lines() {
    assert_eq!(
        fold(GO119),
        "main.main.func1;0x4b00b0 1\n\
         main.main.func1;runtime.semacquire1;runtime.goparkunlock;crypto/sha256.block 550\n"
    );
    assert_eq!(
        fold_with(GO119, labels()).unwrap(),
        "kind=cpu;worker=A;main.main.func1;runtime.semacquire1;runtime.goparkunlock;crypto/sha256.block 8\n\
         main.main.func1;runtime.semacquire1;runtime.goparkunlock;crypto/sha256.block 542\n\
         worker=B;main.main.func1;0x4b00b0 1\n"
    );
    let lines = Options {
        lines: true,
        sample_index: Some(SampleIndex::Number(1)),
        ..Options::default()
    };
    assert_eq!(
        fold_with(GO119, lines).unwrap(),
        "main.main.func1:69;0x4b00b0 10000000\n\
         main.main.func1:69;runtime.semacquire1:150;runtime.goparkunlock:369;crypto/sha256.block:748 5500000000\n"
    );
}

#[test]
fn whitespace_trimmed_text_is_parsed_by_content() {
    let trimmed: String = GO119.lines().map(|l| l.trim().to_string() + "\n").collect();
    assert_eq!(fold(&trimmed), fold(GO119));
    assert_eq!(fold_with(&trimmed, labels()), fold_with(GO119, labels()));
    let crlf = GO119.replace('\n', "\r\n");
    assert_eq!(fold(&crlf), fold(GO119));
}

#[test]
fn column_numbers_dflt_and_doc_lines() {
    let text = "Comment: made by a test
Doc: https://example.com/doc
PeriodType: space bytes
Period: 524288
Samples:
alloc_objects/count alloc_space/bytes[dflt] inuse_objects/count inuse_space/bytes
          1       2048          0          0: 1 2 
Locations
     1: 0x1 M=1 runtime.malg /usr/lib/go/src/runtime/proc.go:4455:10 s=4450
     2: 0x0 GC :0:0 s=0
Mappings
";
    assert_eq!(fold(text), "GC;runtime.malg 2048\n");
    let lines = Options {
        lines: true,
        ..Options::default()
    };
    assert_eq!(
        fold_with(text, lines).unwrap(),
        "GC;runtime.malg:4455 2048\n"
    );
}

#[test]
fn go_1_7_text_without_mappings_and_empty_file() {
    let text = "PeriodType: cpu nanoseconds
Period: 10000000
Duration: 3s
Samples:
samples/count cpu/nanoseconds
          3   30000000: 1 2 
Locations
     1: 0x206f main.fib :0 s=0
     2: 0x20af main.main :0 s=0
Mappings
";
    assert_eq!(fold(text), "main.main;main.fib 3\n");
}

#[test]
fn folded_marker_system_names_spaces_and_colons_in_files() {
    let text = "Samples:
samples/count
   1: 1 2 3 4 5
Locations
     1: 0x45f0a0 M=1 [F] runtime.memmove /usr/lib/go/src/runtime/memmove_amd64.s:185 s=0
     2: 0x1 M=1 books handler:0 s=0()
     3: 0x2 M=1 operator new(unsigned long) C:/src/new.cc:12:3 s=10(_Znwm)
     4: 0x3 M=1 ??
     5: 0x4  :7 s=0
Mappings
";
    assert_eq!(
        fold(text),
        "?;?;operator new(unsigned long);books;runtime.memmove 1\n"
    );
}

#[test]
fn label_lines_string_numeric_and_units() {
    let text = "Samples:
bytes/count
 1: 1
                worker:[A B] kind:[cpu]
                bytes:[100 bytes 200 bytes]
 2: 1
                bytes:[524288]
 3: 1
                count:[7]
                extra:[1 2]
Locations
 1: 0x1 M=1 main.f f.go:1 s=0
Mappings
";
    assert_eq!(
        fold_with(text, labels()).unwrap(),
        "count=7;main.f 3\nkind=cpu;worker=A,B;main.f 1\nmain.f 2\n"
    );
    let tags = Options {
        tag_root: vec!["bytes".into(), "extra".into()],
        ..Options::default()
    };
    assert_eq!(
        fold_with(text, tags).unwrap(),
        "bytes=100,200;extra=;main.f 1\nbytes=524288;extra=;main.f 2\nbytes=;extra=1,2;main.f 3\n"
    );
}

#[test]
fn negative_values_and_empty_stacks() {
    let text = "Samples:
alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes
          0          0        -51   -3346431: 1 2 
       7085    1048724       1820     524432: 
                bytes:[288]
Locations
     1: 0x1 M=1 main.alloc a.go:1 s=0
     2: 0x2 M=1 main.main a.go:2 s=0
Mappings
";
    assert_eq!(fold(text), "main.main;main.alloc -3346431\n");
    let idx0 = Options {
        sample_index: Some(SampleIndex::Number(0)),
        ..Options::default()
    };
    assert_eq!(fold_with(text, idx0).unwrap(), "");
}

#[test]
fn several_sample_lines_of_one_stack_are_summed_and_ids_are_arbitrary() {
    let text = "Samples:
samples/count
 2: 900 17
 3: 900 17
Locations
 17: 0x1 M=1 main.main m.go:1 s=0
 900: 0x2 M=1 main.leaf m.go:2 s=0
Mappings
";
    assert_eq!(fold(text), "main.main;main.leaf 5\n");
}

#[test]
fn unrecognised_location_text_warns_once() {
    let text = "Samples:
samples/count
 2: 1 2
Locations
 1: 0x1 M=1 strange text without a file
 2: 0x2 M=1 also strange
Mappings
";
    let p = parse(text).unwrap();
    assert_eq!(p.warnings, ["line 5: unrecognised location text"]);
    assert_eq!(fold(text), "also;strange 2\n");
}

#[test]
fn raw_text_errors() {
    let err = |t: &str| fold_with(t, Options::default()).unwrap_err();
    assert_eq!(
        err("PeriodType: cpu nanoseconds\nPeriod: 1\n"),
        "-raw text cut off in section header"
    );
    assert_eq!(
        err("Samples:\nsamples/count\n 1: 1\n"),
        "-raw text cut off in Samples"
    );
    assert_eq!(
        err("Samples:\nsamples/count\n 1: 1\nLocations\n 1: 0x1 f f.go:1 s=0\n"),
        "-raw text cut off in Locations"
    );
    assert_eq!(
        err("Samples:\nsamples/count cpu/nanoseconds\n 1: 1\nLocations\nMappings\n"),
        "-raw text line 3: sample has 1 values but the header names 2 sample types"
    );
    assert_eq!(
        err("Samples:\nsamples/count\n 1: 1\nwhat is this\nLocations\nMappings\n"),
        "-raw text line 4: malformed sample line"
    );
    assert_eq!(
        err("Samples:\nsamples/count\n 1: x y\nLocations\nMappings\n"),
        "-raw text line 3: malformed sample line"
    );
    assert_eq!(
        err("Samples:\nsamples/count\n 1: 1 2\nLocations\n 1: 0x1 f f.go:1 s=0\nMappings\n"),
        "-raw text line 3: sample refers to unknown location id 2"
    );
    assert_eq!(
        err("Samples:\nsamples/count\nLocations\nnot a head\nMappings\n"),
        "-raw text line 4: malformed location line"
    );
}

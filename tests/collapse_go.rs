//! Real profiles made by Go itself (issue 3): the demo server of tests/go-demo is profiled for
//! every kind, and pprof-collapse's output from the protobuf must equal its output from
//! `go tool pprof -raw` of the same file (default column, every column, `--labels`), with the
//! workload's known functions in the stacks.
//!
//! With `FLAMEPIPE_WRITE_GO_FIXTURES=DIR` the profiles, their `-raw` texts and the expected
//! outputs are also written to DIR (how tests/data/collapse-go/ was made); `go_fixtures` below
//! checks those without Go.

mod common;

use common::go_demo::GoDemo;
use flamepipe::collapse::{collapse_to_vec, Options, SampleIndex};
use flamepipe::profile::{parse_profile, Profile};
use std::path::{Path, PathBuf};
use std::process::Command;

/// (kind, URL path, functions that must appear in the default output)
const KINDS: &[(&str, &str, &[&str])] = &[
    (
        "cpu",
        "/debug/pprof/profile?seconds=1",
        &["main.runWorkload", "main.fib;main.fib", "main.loadCrunch"],
    ),
    (
        "heap",
        "/debug/pprof/heap",
        &["main.retainBlocks;main.newRetainedBlock"],
    ),
    (
        "allocs",
        "/debug/pprof/allocs",
        &["main.startAllocChurn.func1;main.makeGarbage"],
    ),
    (
        "goroutine",
        "/debug/pprof/goroutine",
        &[
            "main.parkedReceiver",
            "main.parkedSelect",
            "main.contendMutex",
            "main.lockedThreadWorker",
        ],
    ),
    (
        "block",
        "/debug/pprof/block",
        &["main.contendMutex;sync.(*Mutex).Lock"],
    ),
    (
        "mutex",
        "/debug/pprof/mutex",
        &["main.contendMutex;sync.(*Mutex).Unlock"],
    ),
    ("threadcreate", "/debug/pprof/threadcreate", &["runtime."]),
];

fn parse(bytes: Vec<u8>) -> Profile {
    parse_profile(bytes).expect("profile decodes")
}

fn fold(profile: &Profile, options: Options) -> Vec<u8> {
    collapse_to_vec(&[("p", profile)], options).expect("profile folds")
}

/// Every option set compared: default, each column, --labels.
fn option_sets(columns: usize) -> Vec<(String, Options)> {
    let mut sets = vec![("default".to_string(), Options::default())];
    for i in 0..columns {
        let o = Options {
            sample_index: Some(SampleIndex::Number(i)),
            ..Options::default()
        };
        sets.push((format!("idx{i}"), o));
    }
    let labels = Options {
        labels: true,
        ..Options::default()
    };
    sets.push(("labels".to_string(), labels));
    sets
}

fn go_tool_pprof_raw(file: &Path) -> Vec<u8> {
    let go = std::env::var("GO").unwrap_or_else(|_| "go".into());
    let out = Command::new(go)
        .args(["tool", "pprof", "-raw"])
        .arg(file)
        .env("PPROF_TMPDIR", std::env::temp_dir())
        .output()
        .expect("go tool pprof runs");
    assert!(
        out.status.success(),
        "go tool pprof -raw: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
#[ignore = "needs go"]
fn real_go_profiles_fold_the_same_from_protobuf_and_raw_text() {
    let demo = GoDemo::start(&[]);
    let spin = demo.drive_load("/spin?ms=200");
    let work = demo.drive_load("/work?n=5");
    let dir = std::env::temp_dir().join(format!("flamepipe-collapse-go-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixtures = std::env::var_os("FLAMEPIPE_WRITE_GO_FIXTURES").map(PathBuf::from);
    for (kind, path, functions) in KINDS {
        let (status, body) = demo.get(path);
        assert_eq!(status, 200, "{kind}: {}", String::from_utf8_lossy(&body));
        let file = dir.join(format!("{kind}.pb.gz"));
        std::fs::write(&file, &body).unwrap();
        let raw = go_tool_pprof_raw(&file);
        let (from_pb, from_raw) = (parse(body.clone()), parse(raw.clone()));
        assert_eq!(from_pb.sample_types.len(), from_raw.sample_types.len());
        let mut outputs = Vec::new();
        for (what, options) in option_sets(from_pb.sample_types.len()) {
            let a = fold(&from_pb, options.clone());
            let b = fold(&from_raw, options);
            assert!(
                a == b,
                "{kind} {what}: protobuf and -raw text fold differently"
            );
            outputs.push((what, a));
        }
        let text = String::from_utf8(outputs[0].1.clone()).unwrap();
        assert!(!text.is_empty(), "{kind}: no stacks");
        for f in *functions {
            assert!(text.contains(f), "{kind}: {f} not in\n{text}");
        }
        if *kind == "cpu" {
            let labelled = String::from_utf8(outputs.last().unwrap().1.clone()).unwrap();
            assert!(labelled.contains("worker=A;"), "{labelled}");
            assert!(labelled.contains("handler=work;"), "{labelled}");
        }
        if let Some(out) = &fixtures {
            write_fixture(out, kind, &body, &raw, &outputs);
        }
    }
    spin.stop();
    work.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Writes the profile, its `-raw` text (gzipped) and the outputs (gzipped when large).
fn write_fixture(dir: &Path, kind: &str, pb: &[u8], raw: &[u8], outputs: &[(String, Vec<u8>)]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(format!("{kind}.pb.gz")), pb).unwrap();
    std::fs::write(dir.join(format!("{kind}.raw.txt.gz")), gzip(raw)).unwrap();
    for (what, out) in outputs {
        let name = format!("{kind}.{what}.folded");
        if out.len() > 8192 {
            std::fs::write(dir.join(name + ".gz"), gzip(out)).unwrap();
        } else {
            std::fs::write(dir.join(name), out).unwrap();
        }
    }
}

/// A recorded output, plain or gzipped.
fn recorded(dir: &Path, name: &str) -> Vec<u8> {
    use std::io::Read;
    if let Ok(bytes) = std::fs::read(dir.join(name)) {
        return bytes;
    }
    let gz =
        std::fs::read(dir.join(format!("{name}.gz"))).unwrap_or_else(|_| panic!("{name} missing"));
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&gz[..])
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Frames the recorded CPU profile is known to show: recursion, a method, a generic, a
/// closure with its inlined helper.
const CPU_FIXTURE_FRAMES: &[&str] = &[
    "main.fib;main.fib;main.fib",
    "main.(*matrix).multiply",
    "main.sumOf[...]",
    "main.applyEach;main.runWorkload.func1;main.mix",
];

/// Profiles the demo produced once (Go 1.19), with their `-raw` texts: both fold to the
/// outputs recorded when the test above cross-checked them.
#[test]
fn go_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/collapse-go");
    let mut checked = 0;
    for (kind, _, functions) in KINDS {
        let pb = dir.join(format!("{kind}.pb.gz"));
        let Ok(bytes) = std::fs::read(&pb) else {
            continue;
        };
        let from_pb = parse(bytes);
        let from_raw = parse(std::fs::read(dir.join(format!("{kind}.raw.txt.gz"))).unwrap());
        for (what, options) in option_sets(from_pb.sample_types.len()) {
            let want = recorded(&dir, &format!("{kind}.{what}.folded"));
            assert!(
                fold(&from_pb, options.clone()) == want,
                "{kind} {what} (protobuf)"
            );
            assert!(
                fold(&from_raw, options) == want,
                "{kind} {what} (-raw text)"
            );
            checked += 1;
        }
        let default = String::from_utf8(recorded(&dir, &format!("{kind}.default.folded"))).unwrap();
        let extra = if *kind == "cpu" {
            CPU_FIXTURE_FRAMES
        } else {
            &[]
        };
        for f in functions.iter().chain(extra) {
            assert!(default.contains(f), "{kind}: {f}");
        }
    }
    assert!(checked >= 7, "fixtures missing from {}", dir.display());
}

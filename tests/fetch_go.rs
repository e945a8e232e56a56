//! `pprof-fetch` against a real Go `net/http/pprof` server: the demo of `tests/go-demo/`.
//!
//! They need Go, so they are `#[ignore = "needs go"]`: `cargo test -- --include-ignored` runs them.
mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::go_demo::GoDemo;
use flate2::read::MultiGzDecoder;

fn pprof_fetch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pprof-fetch"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The decompressed protobuf of a gzipped profile (panics when incomplete).
fn gunzip(bytes: &[u8]) -> Vec<u8> {
    assert_eq!(&bytes[..2], b"\x1f\x8b", "a gzipped profile");
    let mut out = Vec::new();
    MultiGzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn assert_success(output: &Output) {
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(output));
    assert!(!output.stdout.is_empty());
}

fn pipe(program: &Path, args: &[&str], input: &[u8]) -> Output {
    common::process::run_with_stdin(program, args, input)
}

/// The acceptance case: load on the handler while `pprof-fetch -t 2` takes a CPU
/// profile; the handler's functions are in the profile and, through the pipeline, in the graph.
#[test]
#[ignore = "needs go"]
fn cpu_profile_under_load_shows_the_handler() {
    let demo = GoDemo::start(&[]);
    let load = demo.drive_load("/work?n=5");
    let output = pprof_fetch(&["-u", &demo.base_url(), "-t", "2"]);
    assert!(load.stop() > 0, "the load handler answered");
    assert_success(&output);
    let profile = gunzip(&output.stdout);
    for function in [
        "main.handleWork",
        "main.loadCrunch",
        "main.loadHashRounds",
        "main.loadSortChunk",
    ] {
        assert!(
            contains(&profile, function),
            "{function} not in the CPU profile"
        );
    }
    let collapse = PathBuf::from(env!("CARGO_BIN_EXE_pprof-collapse"));
    let flamegraph = PathBuf::from(env!("CARGO_BIN_EXE_flamegraph"));
    let folded = pipe(&collapse, &[], &output.stdout);
    assert_eq!(folded.status.code(), Some(0), "{}", stderr(&folded));
    let folded_text = String::from_utf8(folded.stdout.clone()).unwrap();
    assert!(
        folded_text.lines().any(|l| l.contains("main.handleWork;")
            && l.contains(";main.loadCrunch;main.loadHashRounds ")),
        "{folded_text}"
    );
    let svg = pipe(&flamegraph, &[], &folded.stdout);
    assert_eq!(svg.status.code(), Some(0), "{}", stderr(&svg));
    let svg = String::from_utf8(svg.stdout).unwrap();
    for function in ["main.handleWork", "main.loadCrunch", "main.loadHashRounds"] {
        assert!(
            svg.contains(&format!("<title>{function} (")),
            "{function} not in the graph"
        );
    }
}

/// Every named profile, the trace, a delta profile and the text endpoints; each profile is
/// collapsed, and the demo's known stacks are in the folded output (tests/go-demo/README.md).
#[test]
#[ignore = "needs go"]
fn every_profile_kind_is_fetched_and_collapsed() {
    let demo = GoDemo::start(&[]);
    let base = demo.base_url();
    let kinds: &[(&str, &[&str], &[&str])] = &[
        ("heap", &[], &["main.retainBlocks;main.newRetainedBlock "]),
        (
            "allocs",
            &[],
            &["main.startAllocChurn.func1;main.makeGarbage "],
        ),
        (
            "goroutine",
            &[],
            &["main.parkedReceiver;runtime.chanrecv1;runtime.chanrecv;runtime.gopark 8\n"],
        ),
        ("block", &[], &["main.contendMutex;sync.(*Mutex).Lock "]),
        ("mutex", &[], &["main.contendMutex;sync.(*Mutex).Unlock "]),
        ("threadcreate", &[], &["runtime.newm"]),
        (
            "block",
            &["-t", "1"],
            &["main.contendMutex;sync.(*Mutex).Lock "],
        ),
        ("cpu", &["-t", "1"], &[]),
    ];
    std::thread::scope(|scope| {
        let workers: Vec<_> = kinds
            .iter()
            .map(|(kind, extra, stacks)| {
                let base = base.clone();
                scope.spawn(move || {
                    let mut args = vec!["-u", &base, "--profile", kind];
                    args.extend_from_slice(extra);
                    let output = pprof_fetch(&args);
                    assert_success(&output);
                    assert!(output.stderr.is_empty(), "{kind}: {}", stderr(&output));
                    assert!(!gunzip(&output.stdout).is_empty(), "{kind}");
                    let folded = pipe(
                        Path::new(env!("CARGO_BIN_EXE_pprof-collapse")),
                        &[],
                        &output.stdout,
                    );
                    assert_eq!(folded.status.code(), Some(0), "{kind}: {}", stderr(&folded));
                    let folded = String::from_utf8(folded.stdout).unwrap();
                    for stack in *stacks {
                        assert!(
                            folded.contains(stack),
                            "{stack:?} not in {kind} {extra:?}:\n{folded}"
                        );
                    }
                })
            })
            .collect();
        let trace = pprof_fetch(&["-u", &base, "--profile", "trace", "-t", "1"]);
        assert_success(&trace);
        assert!(trace.stdout.starts_with(b"go 1."), "a Go execution trace");
        let collapsed = pipe(
            Path::new(env!("CARGO_BIN_EXE_pprof-collapse")),
            &[],
            &trace.stdout,
        );
        assert_eq!(collapsed.status.code(), Some(1), "a trace is not a profile");
        for worker in workers {
            worker.join().unwrap();
        }
    });
    let cmdline = pprof_fetch(&[&demo.url("/debug/pprof/cmdline")]);
    assert_success(&cmdline);
    assert!(contains(&cmdline.stdout, "godemo"), "{:?}", cmdline.stdout);
    let index = pprof_fetch(&[&demo.url("/debug/pprof/")]);
    assert_success(&index);
    assert!(contains(&index.stdout, "goroutine?debug=2"));
    assert_eq!(
        stderr(&index),
        format!(
            "pprof-fetch: warning: {} returned an HTML page, not a profile\n",
            demo.url("/debug/pprof/")
        )
    );
}

#[test]
#[ignore = "needs go"]
fn concurrent_cpu_profiles_report_profiling_in_use() {
    let demo = GoDemo::start(&[]);
    let base = demo.base_url();
    let first = std::thread::scope(|scope| {
        let first = scope.spawn(|| pprof_fetch(&["-u", &base, "-t", "2"]));
        std::thread::sleep(Duration::from_millis(500));
        let second = pprof_fetch(&["-u", &base, "-t", "1"]);
        assert_eq!(second.status.code(), Some(1));
        assert!(second.stdout.is_empty());
        assert_eq!(
            stderr(&second),
            "pprof-fetch: server response: 500 Internal Server Error - Could not enable CPU profiling: cpu profiling already in use\n"
        );
        first.join().unwrap()
    });
    assert_success(&first);
}

#[test]
#[ignore = "needs go"]
fn server_error_answers_give_the_stated_messages() {
    let demo = GoDemo::start(&[]);
    let cases: &[(String, &str)] = &[
        (
            demo.url("/debug/pprof/nosuch"),
            "pprof-fetch: server response: 404 Not Found - Unknown profile\n",
        ),
        (
            demo.url("/debug/pprof/heap?seconds=abc"),
            "pprof-fetch: server response: 400 Bad Request - invalid value for \"seconds\" - must be a positive integer\n",
        ),
        (
            demo.url("/debug/pprof/heap?seconds=1&debug=1"),
            "pprof-fetch: server response: 400 Bad Request - seconds and debug params are incompatible\n",
        ),
        (
            demo.url("/nope"),
            "pprof-fetch: server response: 404 Not Found - 404 page not found\n\
             pprof-fetch: hint: is net/http/pprof registered on this server? expected paths /debug/pprof/...\n",
        ),
    ];
    for (url, expected) in cases {
        let output = pprof_fetch(&[url]);
        assert_eq!(output.status.code(), Some(1), "{url}");
        assert!(output.stdout.is_empty());
        assert_eq!(stderr(&output), *expected, "{url}");
    }
}

#[test]
#[ignore = "needs go"]
fn seconds_beyond_write_timeout_are_refused_by_the_server() {
    let demo = GoDemo::start(&["-write-timeout", "2s"]);
    for args in [
        &["-t", "3", &demo.base_url()][..],
        &["-t", "2", "--profile", "heap", &demo.base_url()][..],
    ] {
        let output = pprof_fetch(args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert_eq!(
            stderr(&output),
            "pprof-fetch: server response: 400 Bad Request - profile duration exceeds server's WriteTimeout\n"
        );
    }
}

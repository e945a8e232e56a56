//! `scripts/go-torch` end to end: go-torch's command lines run pprof-fetch | pprof-collapse |
//! flamegraph against the Go demo server (tests/go-demo), and on saved profiles without Go.

mod common;

use common::go_demo::GoDemo;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh working folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("go-torch-script")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the scratch folder");
    dir
}

/// Runs `sh scripts/go-torch ARGS` in `dir` with the freshly built tools first on PATH.
fn go_torch(dir: &Path, args: &[&str]) -> Output {
    let tools = Path::new(env!("CARGO_BIN_EXE_pprof-fetch"))
        .parent()
        .expect("the folder of the built tools");
    for tool in [
        env!("CARGO_BIN_EXE_pprof-fetch"),
        env!("CARGO_BIN_EXE_pprof-collapse"),
        env!("CARGO_BIN_EXE_flamegraph"),
    ] {
        assert_eq!(Path::new(tool).parent(), Some(tools), "tools in one folder");
    }
    let path = std::env::join_paths(std::iter::once(tools.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/go-torch");
    Command::new("sh")
        .arg(script)
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .expect("run sh scripts/go-torch")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "go-torch failed ({}): {}",
        output.status,
        text(&output.stderr)
    );
}

/// The tooltip titles of an SVG's frames, e.g. `main.fib (12 samples, 3.40%)`.
fn titles(svg: &str) -> Vec<&str> {
    svg.split("<title>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</title>").map(|(title, _)| title))
        .collect()
}

/// The title of the first frame whose name is `name`.
fn frame<'a>(svg: &'a str, name: &str) -> Option<&'a str> {
    let prefix = format!("{name} (");
    titles(svg).into_iter().find(|t| t.starts_with(&prefix))
}

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/wine/data")
        .join(name)
        .display()
        .to_string()
}

#[test]
#[ignore = "needs go"]
fn seed_cpu_command_writes_torch_svg() {
    let demo = GoDemo::start(&[]);
    let _load = demo.drive_load("/spin?ms=100");
    let dir = scratch("cpu");
    let output = go_torch(&dir, &["-u", &demo.base_url(), "-t", "1"]);
    assert_success(&output);
    assert!(text(&output.stderr).contains("wrote torch.svg"));
    let svg = std::fs::read_to_string(dir.join("torch.svg")).expect("torch.svg written");
    let fib = frame(&svg, "main.fib").expect("main.fib in the CPU flame graph");
    assert!(fib.contains(" samples, "), "countname samples: {fib}");
}

#[test]
#[ignore = "needs go"]
fn seed_heap_command_counts_bytes() {
    let demo = GoDemo::start(&[]);
    let dir = scratch("heap");
    let url = demo.url("/debug/pprof/heap");
    let output = go_torch(&dir, &["-inuse_space", &url]);
    assert_success(&output);
    let svg = std::fs::read_to_string(dir.join("torch.svg")).expect("torch.svg written");
    let block = frame(&svg, "main.newRetainedBlock").expect("the retained blocks");
    // --units bytes: pprof's labels
    let megabytes: f64 = block
        .trim_start_matches("main.newRetainedBlock (")
        .split_once("MB,")
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("a label in MB: {block}"));
    assert!(megabytes >= 4.0, "4 MiB retained: {block}");
    assert!(svg.contains(">heap: inuse_space</text>"), "the title");
}

#[test]
#[ignore = "needs go"]
fn raw_goroutine_stacks_from_url_and_suffix() {
    let demo = GoDemo::start(&[]);
    let dir = scratch("goroutine-raw");
    let output = go_torch(
        &dir,
        &[
            "--url",
            &demo.base_url(),
            "--suffix",
            "/debug/pprof/goroutine",
            "--raw",
        ],
    );
    assert_success(&output);
    let folded = text(&output.stdout);
    let parked: u64 = folded
        .lines()
        .filter_map(|line| line.rsplit_once(' '))
        .filter(|(stack, _)| stack.split(';').any(|f| f == "main.parkedReceiver"))
        .map(|(_, count)| count.parse::<u64>().expect("a count"))
        .sum();
    assert_eq!(parked, 8, "8 parked receivers in:\n{folded}");
    assert!(!dir.join("torch.svg").exists(), "--raw writes no SVG");
}

#[test]
#[ignore = "needs go"]
fn print_allocs_with_title_and_objects() {
    let demo = GoDemo::start(&[]);
    let dir = scratch("allocs-print");
    let url = demo.url("/debug/pprof/allocs");
    let output = go_torch(&dir, &["-p", "--title=allocs ü", "-alloc_objects", &url]);
    assert_success(&output);
    let svg = text(&output.stdout);
    assert!(svg.contains(">allocs ü</text>"), "the title");
    let garbage = frame(&svg, "main.makeGarbage").expect("main.makeGarbage");
    assert!(
        garbage.contains(" objects, "),
        "countname objects: {garbage}"
    );
}

#[test]
fn saved_profile_with_binaryinput_and_file() {
    let dir = scratch("binaryinput");
    let output = go_torch(
        &dir,
        &[
            "-b",
            &data("heap.pb.gz"),
            "-alloc_space",
            "-f",
            "out file.svg",
            "--colors",
            "mem",
        ],
    );
    assert_success(&output);
    let svg = std::fs::read_to_string(dir.join("out file.svg")).expect("out file.svg written");
    let root = frame(&svg, "all").expect("the root frame");
    assert_eq!(root, "all (611.72MB, 100%)", "--units bytes");
    assert!(svg.contains("fill=\"rgb(0,"), "the mem palette");
    assert!(
        svg.contains(">heap: alloc_space</text>"),
        "the title names kind and column"
    );
}

#[test]
fn binary_and_profile_positionals_like_go_torch() {
    let dir = scratch("positional");
    let output = go_torch(&dir, &["-p", "./myprogram", &data("goroutine.pb.gz")]);
    assert_success(&output);
    let svg = text(&output.stdout);
    let root = frame(&svg, "all").expect("the root frame");
    assert!(
        root.contains(" goroutines, 100%"),
        "countname goroutines: {root}"
    );
}

#[test]
fn unknown_option_is_a_usage_error() {
    let dir = scratch("usage");
    let output = go_torch(&dir, &["--frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "go-torch: unknown option --frobnicate\nRun 'go-torch --help' for the options.\n"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn fetch_failure_keeps_an_existing_svg() {
    let dir = scratch("refused");
    std::fs::write(dir.join("torch.svg"), "old").expect("write the old graph");
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let output = go_torch(
        &dir,
        &["-u", &format!("http://127.0.0.1:{port}"), "-t", "1"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
    assert!(stderr.starts_with("pprof-fetch: "), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("torch.svg")).expect("read"),
        "old"
    );
}

/// A saved goroutine profile: counted in goroutines, drawn with the go palette, titled.
#[test]
fn goroutine_profile_gets_units_title_and_go_palette() {
    let dir = scratch("goroutine-go");
    let output = go_torch(&dir, &["-p", &data("goroutine.pb.gz")]);
    assert_success(&output);
    let svg = text(&output.stdout);
    assert!(svg.contains(">goroutine: goroutine</text>"), "the title");
    // grey background: the go palette's
    assert!(
        svg.contains("<stop stop-color=\"#f8f8f8\" offset=\"5%\" />"),
        "go palette"
    );
    let root = frame(&svg, "all").expect("the root frame");
    assert!(root.ends_with(" goroutines, 100%)"), "{root}");
}

/// `-f` into a folder that does not exist fails at once, before a profile is taken.
#[test]
fn unwritable_output_fails_before_fetching() {
    let dir = scratch("unwritable");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let output = go_torch(&dir, &["-f", "/nonexistent/x.svg", "-u", &url, "-t", "30"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "go-torch: cannot write /nonexistent/x.svg: no folder /nonexistent\n"
    );
    assert!(listener.accept().is_err(), "nothing was fetched");
}

/// A URL that answers JSON: the message names the URL, not the temporary file.
#[test]
fn collapse_errors_name_the_url() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "http://{}/debug/pprof/heap",
        listener.local_addr().expect("address")
    );
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("a request");
        let mut head = [0u8; 1024];
        let _ = stream.read(&mut head);
        let body = b"{\"error\": \"no such route\"}";
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(reply.as_bytes());
        let _ = stream.write_all(body);
    });
    let dir = scratch("json");
    let output = go_torch(&dir, &[&url]);
    let _ = server.join();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        format!(
            "pprof-collapse: {url}: not a profile: looks like JSON (an API answer: is the URL \
             the program's /debug/pprof/ endpoint?)\n"
        )
    );
    assert!(!dir.join("torch.svg").exists());
}

#[test]
fn script_is_clean_posix_sh() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/go-torch");
    let syntax = Command::new("sh")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("run sh -n");
    assert!(syntax.status.success(), "sh -n: {}", text(&syntax.stderr));
}

#[test]
#[ignore = "needs shellcheck"]
fn script_passes_shellcheck() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/go-torch");
    let lint = Command::new(common::tools::require("shellcheck", "shellcheck"))
        .args(["--shell=sh", "--severity=style"])
        .arg(&script)
        .output()
        .expect("run shellcheck");
    assert!(
        lint.status.success(),
        "shellcheck scripts/go-torch:\n{}",
        text(&lint.stdout)
    );
}

//! Goroutine texts of a real Go program against its protobuf (docs/goroutine-dumps.md,
//! "Compared with the protobuf"). The demo in tests/go-demo runs in its zoo mode (`-zoo`: no
//! workload, only goroutines parked in known ways) and writes the goroutine profile at
//! ?debug=0, 1 and 2 back to back; then a second zoo process gets SIGQUIT and its stderr is
//! folded. The folded texts must equal the folded protobuf mapped by the twin rules:
//!
//! * every text: a generic instantiation's `[...]` (Go ≥ 1.21 protobufs name the shape);
//! * ?debug=1: Go hides the leaf-side `runtime.` frames (and `internal/runtime/` from 1.26);
//! * ?debug=2: Go does not print unexported `runtime.` functions (runtime.gopanic excepted;
//!   from 1.23 also methods of unexported types); labels are not printed;
//! * SIGQUIT (traceback level 2): every runtime frame is printed; after pprof-collapse drops
//!   `runtime.goexit`, wrappers and the runtime's own goroutines, the zoo's stacks are equal.
//!
//! Only the zoo's goroutines are compared: the server's goroutines (the one writing the pages,
//! the one accepting, the connection's reader) need not be parked at both captures.

mod common;
use common::go_demo::{self, http_get};
use common::twin::{assert_same, collapse, debug1_rule, debug2_rule, map_stacks, Folded};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

/// The Go release as (major, minor), from `go env GOVERSION` (`go1.19.8`).
fn go_version() -> (u32, u32) {
    let out = Command::new(std::env::var("GO").unwrap_or_else(|_| "go".into()))
        .args(["env", "GOVERSION"])
        .output()
        .expect("go env");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.trim().trim_start_matches("go").split('.');
    let mut next = || parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (next(), next())
}

/// Left out of the ?debug=2 comparison: the goroutine that wrote the pages.
fn without_writer(folded: Folded) -> Folded {
    folded
        .into_iter()
        .filter(|(stack, _)| !stack.contains("main.zooCapture"))
        .collect()
}

/// The zoo's goroutines only: the server's goroutines (accepting, reading the connection) may
/// be in a syscall, not parked, at one of the captures, so only the zoo is comparable.
fn zoo_only(folded: Folded) -> Folded {
    without_writer(folded)
        .into_iter()
        .filter(|(stack, _)| stack.contains("main.zoo"))
        .collect()
}

/// A zoo process: (child, address, stderr reader thread).
fn start_zoo() -> (
    std::process::Child,
    String,
    std::thread::JoinHandle<Vec<u8>>,
) {
    let mut child = Command::new(go_demo::binary())
        .arg("-zoo")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start go-demo -zoo");
    let mut stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = stderr.read_to_end(&mut all);
        all
    });
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening line");
    let addr = line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("no listening line: {line:?}"))
        .to_string();
    (child, addr, reader)
}

/// The three pages of `/zoo/capture`: debug=0 (gzipped protobuf), 1 and 2.
fn capture(addr: &str) -> Vec<Vec<u8>> {
    let (status, body) = http_get(addr, "/zoo/capture").expect("GET /zoo/capture");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let mut parts = Vec::new();
    let mut rest = &body[..];
    while !rest.is_empty() {
        let nl = rest.iter().position(|&b| b == b'\n').expect("part header");
        let header = std::str::from_utf8(&rest[..nl]).expect("header");
        let len: usize = header.rsplit(' ').next().unwrap().parse().expect("length");
        parts.push(rest[nl + 1..nl + 1 + len].to_vec());
        rest = &rest[nl + 1 + len..];
    }
    assert_eq!(parts.len(), 3);
    parts
}

#[test]
#[ignore = "needs go"]
fn debug1_and_debug2_fold_like_the_protobuf_taken_with_them() {
    let version = go_version();
    let (mut child, addr, _stderr) = start_zoo();
    let parts = capture(&addr);
    let _ = child.kill();
    let _ = child.wait();

    let proto = zoo_only(collapse(&["--labels"], &parts[0]));
    let debug1 = zoo_only(collapse(&["--labels"], &parts[1]));
    assert_same(
        &debug1,
        &map_stacks(&proto, debug1_rule(version)),
        "?debug=1",
    );

    let proto = zoo_only(collapse(&[], &parts[0]));
    let debug2 = zoo_only(collapse(&[], &parts[2]));
    let want = map_stacks(&proto, debug2_rule(version));
    assert_same(&debug2, &want, "?debug=2");
    assert_eq!(debug2.get("main.zooChanRecv"), Some(&3), "{debug2:#?}");
    assert_eq!(debug2.get("main.zooSelect"), Some(&2));
    let states = collapse(&["--state", "--created-by"], &parts[2]);
    assert_eq!(
        states.get("main.startZoo;main.zooSleep;time.Sleep;[sleep]"),
        Some(&1)
    );
}

#[cfg(unix)]
#[test]
#[ignore = "needs go"]
fn a_sigquit_dump_folds_like_the_protobuf() {
    let (mut child, addr, stderr) = start_zoo();
    let parts = capture(&addr);
    let status = Command::new("kill")
        .args(["-QUIT", &child.id().to_string()])
        .status()
        .expect("kill -QUIT");
    assert!(status.success());
    let _ = child.wait();
    let dump = stderr.join().expect("stderr reader");
    let text = String::from_utf8_lossy(&dump);
    assert!(text.contains("SIGQUIT: quit"), "{text}");

    let folded = zoo_only(collapse(&[], &dump));
    let proto = map_stacks(&zoo_only(collapse(&[], &parts[0])), |f| f);
    assert_same(&folded, &proto, "SIGQUIT");
    assert_eq!(
        folded.get("main.zooChanRecv;runtime.chanrecv1;runtime.chanrecv;runtime.gopark"),
        Some(&3)
    );
    // The runtime's own goroutines are printed at level 2, and left out unless asked for.
    let all = collapse(&["--all-goroutines"], &dump);
    assert!(
        all.keys().any(|s| s.starts_with("runtime.forcegchelper")),
        "{all:#?}"
    );
    assert!(!collapse(&[], &dump)
        .keys()
        .any(|s| s.starts_with("runtime.forcegchelper")));
}

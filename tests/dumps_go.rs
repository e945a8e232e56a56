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
use common::process::run_with_stdin;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

type Folded = BTreeMap<String, i128>;

fn collapse(args: &[&str], input: &[u8]) -> Folded {
    let out = run_with_stdin(env!("CARGO_BIN_EXE_pprof-collapse"), args, input);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pprof-collapse {args:?}: {stderr}");
    parse_folded(&String::from_utf8(out.stdout).expect("UTF-8 output"))
}

/// Asserts equal foldings, naming only the stacks that differ.
fn assert_same(got: &Folded, want: &Folded, what: &str) {
    let keys: std::collections::BTreeSet<&String> = got.keys().chain(want.keys()).collect();
    let diff: Vec<String> = keys
        .into_iter()
        .filter(|k| got.get(*k) != want.get(*k))
        .map(|k| format!("{k}: text {:?}, protobuf {:?}", got.get(k), want.get(k)))
        .collect();
    assert!(
        diff.is_empty(),
        "{what}: stacks differ:\n{}",
        diff.join("\n")
    );
}

fn parse_folded(text: &str) -> Folded {
    let mut map = Folded::new();
    for line in text.lines() {
        let (stack, value) = line.rsplit_once(' ').expect("folded line");
        *map.entry(stack.to_string()).or_default() += value.parse::<i128>().expect("value");
    }
    map
}

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

/// Maps every stack with `rule` (frames root first) and sums stacks that become equal.
fn map_stacks(folded: &Folded, rule: impl Fn(Vec<String>) -> Vec<String>) -> Folded {
    let mut out = Folded::new();
    for (stack, value) in folded {
        let frames = stack.split(';').map(generic_rule).collect();
        *out.entry(rule(frames).join(";")).or_default() += value;
    }
    out
}

/// `main.Sum[go.shape.int]` → `main.Sum[...]`: the text from the first `[` to the last `]`.
fn generic_rule(frame: &str) -> String {
    match (frame.find('['), frame.rfind(']')) {
        (Some(a), Some(b)) if a < b && !frame.starts_with('[') => {
            format!("{}[...]{}", &frame[..a], &frame[b + 1..])
        }
        _ => frame.to_string(),
    }
}

/// ?debug=1: the leaf-side run of runtime frames is hidden, unless it is every frame.
fn debug1_rule(version: (u32, u32)) -> impl Fn(Vec<String>) -> Vec<String> {
    move |mut frames: Vec<String>| {
        let hidden = |f: &String| {
            f.starts_with("runtime.") || (version >= (1, 26) && f.starts_with("internal/runtime/"))
        };
        let keep = frames.iter().rposition(|f| !hidden(f)).map_or(0, |i| i + 1);
        let labels = frames.iter().take_while(|f| is_label(f)).count();
        if keep > labels {
            frames.truncate(keep);
        }
        frames
    }
}

fn is_label(frame: &str) -> bool {
    frame.contains('=') && !frame.contains('.')
}

/// ?debug=2: unexported runtime functions are not printed (runtime.gopanic is).
fn debug2_rule(version: (u32, u32)) -> impl Fn(Vec<String>) -> Vec<String> {
    move |frames: Vec<String>| {
        let kept: Vec<String> = frames
            .iter()
            .filter(|f| f.as_str() == "runtime.gopanic" || !hidden_at_level_1(f, version))
            .cloned()
            .collect();
        if kept.is_empty() {
            frames
        } else {
            kept
        }
    }
}

fn hidden_at_level_1(frame: &str, version: (u32, u32)) -> bool {
    if !frame.contains('.') {
        return true;
    }
    let Some(x) = frame.strip_prefix("runtime.") else {
        return false;
    };
    let exported = |s: &str| s.starts_with(|c: char| c.is_ascii_uppercase());
    if version < (1, 23) {
        return !exported(x);
    }
    // From 1.23: a method is shown when both its type and the method are exported.
    let receiver = x.trim_start_matches("(*").trim_start_matches('(');
    match receiver.split_once('.') {
        Some((ty, method)) => !(exported(ty) && exported(method.trim_start_matches(")."))),
        None => {
            !exported(x) && !(version >= (1, 26) && (x == "runFinalizers" || x == "runCleanups"))
        }
    }
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

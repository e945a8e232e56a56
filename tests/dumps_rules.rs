//! The rules of Go's text profiles and goroutine dumps that the conformance captures do not
//! show, on small hand-written inputs through the binary: cut inputs and their warnings, logs
//! with two dumps and CRLF, crash sections, runtime goroutines, wrappers, `--lines`, the order
//! of pseudo frames, `?debug=1` numbers and errors, the no-NUL rule, `--list`.

mod common;
use common::process::run_with_stdin;

struct Run {
    rc: i32,
    stdout: String,
    stderr: String,
}

fn collapse(args: &[&str], input: &[u8]) -> Run {
    let out = run_with_stdin(env!("CARGO_BIN_EXE_pprof-collapse"), args, input);
    Run {
        rc: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(args: &[&str], input: &str) -> String {
    let r = collapse(args, input.as_bytes());
    assert_eq!(r.rc, 0, "stderr: {}", r.stderr);
    r.stdout
}

fn error(args: &[&str], input: &[u8]) -> String {
    let r = collapse(args, input);
    assert_eq!(r.rc, 1, "stdout: {}", r.stdout);
    assert!(r.stdout.is_empty());
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    r.stderr
}

const DUMP: &str = "\
goroutine 1 [running]:
main.main()
\t/src/main.go:10 +0x1d

goroutine 7 [chan receive, 3 minutes]:
main.work(0xc000010000)
\t/src/main.go:20 +0x2e
main.start.gowrap1()
\t/src/main.go:15 +0x25
runtime.goexit({})
\t/usr/lib/go/src/runtime/asm_amd64.s:1700 +0x1
created by main.start in goroutine 1
\t/src/main.go:15 +0x66

goroutine 2 [force gc (idle)]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/lib/go/src/runtime/proc.go:435 +0xce
runtime.forcegchelper()
\t/usr/lib/go/src/runtime/proc.go:348 +0xb3
runtime.goexit({})
\t/usr/lib/go/src/runtime/asm_amd64.s:1700 +0x1
created by runtime.init.7 in goroutine 1
\t/usr/lib/go/src/runtime/proc.go:336 +0x1a
";

#[test]
fn goexit_wrappers_and_runtime_goroutines_are_left_out() {
    assert_eq!(ok(&[], DUMP), "main.main 1\nmain.work 1\n");
    assert_eq!(
        ok(&["--all-goroutines"], DUMP),
        "main.main 1\nmain.work 1\nruntime.forcegchelper;runtime.gopark 1\n"
    );
}

#[test]
fn pseudo_frames_creator_lines_and_minutes() {
    assert_eq!(
        ok(&["--state", "--created-by", "--lines"], DUMP),
        "main.main:10;[running] 1\nmain.start:15;main.work:20;[chan receive] 1\n"
    );
    assert_eq!(
        ok(&["--minutes", "--group-by-state"], DUMP),
        "[chan receive];main.work 3\n"
    );
    assert_eq!(ok(&["-i", "wait"], DUMP), "main.work 3\n");
    let r = collapse(&["--minutes", "-i", "0"], DUMP.as_bytes());
    assert_eq!(r.rc, 2);
}

#[test]
fn group_by_state_is_above_label_frames() {
    let dump = "goroutine 4 [select labels:{\"tenant\": \"a\"}]:\nmain.f()\n\t/m.go:1 +0x1\ncreated by main.g\n\t/m.go:2 +0x1\n";
    assert_eq!(
        ok(
            &["--group-by-state", "--labels", "--created-by", "--state"],
            dump
        ),
        "[select];tenant=a;main.g;main.f;[select] 1\n"
    );
}

#[test]
fn a_log_with_two_dumps_and_crlf_sums_both() {
    let log = format!("2026/12/01 starting\n{DUMP}exit status 2\nrestarting\n{DUMP}")
        .replace('\n', "\r\n");
    assert_eq!(ok(&[], &log), "main.main 2\nmain.work 2\n");
}

#[test]
fn a_cut_dump_leaves_out_its_last_goroutine_and_warns() {
    let cut = &DUMP[..DUMP.find("created by main.start").unwrap() + 10];
    let r = collapse(&[], cut.as_bytes());
    assert_eq!((r.rc, r.stdout.as_str()), (0, "main.main 1\n"));
    assert_eq!(
        r.stderr,
        "pprof-collapse: warning: <stdin>: the text ends in the middle of a line (cut off?); the last goroutine was left out\n"
    );
}

#[test]
fn crash_sections_count_every_goroutine_once() {
    let crash = "\
SIGQUIT: quit
PC=0x1 m=0 sigcode=0

goroutine 5 gp=0x1 m=2 mp=0x2 [running]:
\tgoroutine running on other thread; stack unavailable

goroutine 6 gp=0x1 m=nil [select]:
main.sel()
\t/m.go:3 +0x1

-----

SIGQUIT: quit
PC=0x2 m=2 sigcode=0

goroutine 0 gp=0x3 m=2 mp=0x4 [idle]:
runtime.futex(0x1)
\t/rt.go:1 +0x1 fp=0x1 sp=0x2 pc=0x3
rax    0xca
rflags 0x246

goroutine 5 gp=0x1 m=2 mp=0x2 [running]:
main.busy()
\t/m.go:9 +0x1 fp=0x1 sp=0x2 pc=0x3

goroutine 6 gp=0x1 m=nil [select]:
main.sel()
\t/m.go:3 +0x1
";
    assert_eq!(ok(&[], crash), "main.busy 1\nmain.sel 1\n");
    // The replaced copy takes its own minutes with it.
    let minutes = "\
goroutine 8 [select, 5 minutes]:
\tgoroutine running on other thread; stack unavailable
-----
goroutine 8 [select, 7 minutes]:
main.x()
\t/m.go:1 +0x1
";
    assert_eq!(ok(&["--minutes"], minutes), "main.x 7\n");
    // Without the `-----` line they are two goroutines each (no other deduplication).
    let plain = crash.replace("-----\n", "");
    assert_eq!(
        ok(&[], &plain),
        "[stack unavailable] 1\nmain.busy 1\nmain.sel 2\n"
    );
}

#[test]
fn elided_non_go_and_ancestor_frames() {
    let dump = "\
goroutine 3 [select]:
main.leaf(...)
\t/m.go:1
...7 frames elided...
main.root()
\t/m.go:2 +0x1
non-Go function at pc=0x7F00AB
[originating from goroutine 1]:
main.ancestor()
\t/m.go:3 +0x1
";
    assert_eq!(
        ok(&[], dump),
        "0x7f00ab;main.root;[frames elided];main.leaf 1\n"
    );
}

#[test]
fn a_prefix_before_every_header_is_no_dump() {
    let logged: String = DUMP.lines().map(|l| format!("app: {l}\n")).collect();
    let e = error(&[], logged.as_bytes());
    assert_eq!(
        e,
        "pprof-collapse: <stdin>: not a profile: a goroutine dump whose lines carry a prefix (a log's timestamps?); strip the prefix first, e.g. with sed or cut\n"
    );
}

#[test]
fn a_nul_byte_means_no_dump() {
    let mut data = DUMP.as_bytes().to_vec();
    data.extend_from_slice(b"\0\n");
    let e = error(&[], &data);
    assert!(e.contains("not a pprof profile"), "{e}");
}

#[test]
fn count_profiles_labels_and_totals() {
    let text = "goroutine profile: total 5\n\
2 @ 0x1 0x2\n# labels: {\"k\":\"a\\\"b\"}\n#\t0x1\tmain.f+0x1\t/m.go:3\n#\t0x2\tmain.main+0x9\t/m.go:9\n\n\
1 @ 0x3\n#\t0x4b00af\n\n1 @ 0x0\n#\t0x0\n\n";
    let r = collapse(&["--labels", "--lines"], text.as_bytes());
    assert_eq!(r.stdout, "0x4b00af 1\nk=a\"b;main.main:9;main.f:3 2\n");
    assert_eq!(
        r.stderr,
        "pprof-collapse: warning: <stdin>: the records add up to 4 but the header says total 5\n"
    );
}

#[test]
fn heap_is_unsampled_like_go() {
    let text = "heap profile: 1: 1024 [2: 2048] @ heap/1048576\n\
1: 1024 [2: 2048] @ 0x1\n#\t0x1\tmain.alloc+0x1\t/m.go:3\n\n# runtime.MemStats\n# Alloc = 1\n";
    assert_eq!(ok(&[], text), "main.alloc 524800\n");
    assert_eq!(ok(&["-i", "alloc_objects"], text), "main.alloc 1025\n");
    assert_eq!(ok(&["-i", "alloc_space"], text), "main.alloc 1049600\n");
    assert_eq!(
        ok(&["--tag-leaf", "bytes", "-i", "2"], text),
        "main.alloc;bytes=1024 512\n"
    );
}

#[test]
fn block_delay_and_errors() {
    let text = "--- contention:\ncycles/second=2000000000\n3000 2 @ 0x1\n#\t0x1\tmain.wait+0x1\t/m.go:3\n\n";
    assert_eq!(ok(&[], text), "main.wait 1500\n");
    assert_eq!(ok(&["-i", "contentions"], text), "main.wait 2\n");
    let e = error(&[], b"--- mutex:\nsampling period=1\n3000 2 @ 0x1\n");
    assert!(e.ends_with("text line 1: missing cycles/second\n"), "{e}");
    let e = error(
        &[],
        b"goroutine profile: total 1\n#\t0x1\tmain.f+0x1\t/m.go:1\n",
    );
    assert!(
        e.ends_with("text line 2: symbol line outside a record\n"),
        "{e}"
    );
    let e = error(
        &[],
        b"goroutine profile: total 1\n1 @ 0x1\n# labels: {bad}\n",
    );
    assert!(e.ends_with("text line 3: malformed labels line\n"), "{e}");
    let e = error(&[], b"\nheap profile: 1: 2 [3: 4] @ heapz\n");
    assert!(
        e.ends_with("not supported: legacy text profile (not one of Go's ?debug=1 formats)\n"),
        "{e}"
    );
}

#[test]
fn list_describes_a_dump() {
    let r = collapse(&["--list"], DUMP.as_bytes());
    assert_eq!(
        r.stdout,
        "<stdin>:\n  kind: goroutine dump\n  value columns (pick one with -i NAME or -i N), their units and totals:\n    0  goroutine/count  total 2 count  (flamegraph --units count)  (default)\n    1  wait/minutes  total 3 minutes  (flamegraph --units minutes)\n  goroutines: 2\n"
    );
}

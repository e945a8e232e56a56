//! Delta profiles have negative values: pprof-collapse keeps them and says so once (unless a
//! subtraction asked for them), and flamegraph counts the lines with negative counts apart from
//! malformed ones, in words.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run(program: &str, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/collapse/inputs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the tool runs");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("the tool ends")
}

fn collapse(args: &[&str]) -> (String, String) {
    let out = run(env!("CARGO_BIN_EXE_pprof-collapse"), args, b"");
    assert!(out.status.success(), "{args:?}");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8");
    (text(out.stdout), text(out.stderr))
}

#[test]
fn pprof_collapse_warns_once_about_negative_stacks() {
    let (stdout, stderr) = collapse(&["heap_delta.pb.gz"]);
    let negative = stdout.lines().filter(|l| l.contains(" -")).count();
    assert!(
        negative > 0,
        "the delta profile has negative stacks: {stdout}"
    );
    let want = format!(
        "pprof-collapse: warning: heap_delta.pb.gz: {negative} of {} stacks have negative values \
         (a delta profile?), which flamegraph leaves out: add --drop_negative to keep only the \
         growth, or compare two profiles with --diff_base OLD (see \"Negative values\" in \
         docs/pprof-collapse.md)\n",
        stdout.lines().count()
    );
    assert_eq!(stderr, want);
    // The same with a filter; none once they are dropped, or when a subtraction asked for them.
    assert_eq!(collapse(&["--focus", ".", "heap_delta.pb.gz"]).1, want);
    let (_, dropped) = collapse(&["-i", "0", "--drop_negative", "heap_delta.pb.gz"]);
    assert!(!dropped.contains("negative values"), "{dropped}");
    let (net, subtracted) = collapse(&["--base", "heap.pb.gz", "heap.pb.gz"]);
    assert_eq!(
        (net.as_str(), subtracted.contains("negative values")),
        ("", false)
    );
    let (growth, _) = collapse(&["--base", "allocs.pb.gz", "--drop_negative", "heap.pb.gz"]);
    assert!(!growth.contains(" -"), "{growth}");
}

#[test]
fn flamegraph_tells_negative_counts_from_invalid_lines() {
    let input = b"main;grow 10\nmain;shrink -4\nmain;free -6\nnot a line\n";
    let out = run(env!("CARGO_BIN_EXE_flamegraph"), &[], input);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(
        stderr.contains("Ignored 1 lines with invalid format\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "Ignored 2 lines with negative counts (a delta profile?); only positive counts are \
             drawn: pprof-collapse --drop_negative keeps the growth alone, and \"Negative \
             counts\" in docs/flamegraph.md shows how to draw the shrinkage\n"
        ),
        "{stderr}"
    );
    let svg = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(svg.contains("grow"), "the positive line is drawn");
    assert!(!svg.contains("shrink"), "negative lines are left out");
}

//! pprof-collapse's filter options on the command line: pprof's spellings, usage errors (exit 2),
//! and errors that come before any input is read (exit 1, one line).

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pprof-collapse"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/collapse-filters"))
        .output()
        .expect("pprof-collapse runs")
}

fn stdout(args: &[&str]) -> Vec<u8> {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

const CPU: &str = "profiles/diffdemo-cpu-b.pb.gz";
const BASE: &str = "profiles/diffdemo-cpu-a.pb.gz";

#[test]
fn pprof_spellings_are_the_same_option() {
    let want = stdout(&["--focus", "main\\.fib", "--show_from", "main\\.worker", CPU]);
    assert!(!want.is_empty());
    for args in [
        &["-focus", "main\\.fib", "-show_from", "main\\.worker", CPU][..],
        &["--focus=main\\.fib", "--show-from=main\\.worker", CPU][..],
        &["-focus=main\\.fib", "-show-from", "main\\.worker", CPU][..],
        &[
            "--focus",
            "nothing",
            "--focus",
            "main\\.fib",
            "--show_from=main\\.worker",
            CPU,
        ][..],
    ] {
        assert_eq!(stdout(args), want, "{args:?}");
    }
    let diff = stdout(&["--diff_base", BASE, CPU]);
    assert_eq!(
        stdout(&["-diff-base=profiles/diffdemo-cpu-a.pb.gz", CPU]),
        diff
    );
    let dropped = stdout(&["--diff-base", BASE, "--drop_negative", CPU]);
    assert_eq!(
        stdout(&["--diff-base", BASE, "-drop-negative", CPU]),
        dropped
    );
    assert!(dropped.len() < diff.len());
}

#[test]
fn usage_errors_exit_2() {
    for (args, message) in [
        (
            &["--base", BASE, "--diff_base", BASE, CPU][..],
            "--base and --diff_base cannot be used together\nUsage: ",
        ),
        (
            &["--normalize", CPU][..],
            "--normalize needs --base or --diff_base\nUsage: ",
        ),
        (&["--focus"][..], "a value is required for '--focus <RE>'"),
    ] {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn filter_errors_come_before_reading() {
    for (args, message) in [
        (
            &["--focus", "(", "missing.pb.gz"][..],
            "pprof-collapse: parsing focus regexp: ",
        ),
        (
            &[
                "--tagfocus",
                "bytes=1:99999999999999999999",
                "missing.pb.gz",
            ][..],
            "pprof-collapse: parsing tagfocus: number out of range: 99999999999999999999\n",
        ),
        (
            &["--taghide", "[", "--tagshow", "(", "missing.pb.gz"][..],
            "pprof-collapse: parsing tagshow regexp: ",
        ),
    ] {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with(message) && stderr.lines().count() == 1,
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
    let out = run(&["--focus", "main", "missing.pb.gz"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .starts_with("pprof-collapse: missing.pb.gz: cannot read"));
}

//! The words a first use of `pprof-collapse` and `pprof-fetch` meets: inputs that are not
//! profiles named for what they are, typos answered with the option meant, samples without a
//! stack counted, `--list` numbers that cannot be confused.

mod common;

use std::path::Path;
use std::process::{Command, Output};

const COLLAPSE: &str = env!("CARGO_BIN_EXE_pprof-collapse");
const FETCH: &str = env!("CARGO_BIN_EXE_pprof-fetch");

fn collapse_stdin(args: &[&str], input: &[u8]) -> Output {
    common::process::run_with_stdin(Path::new(COLLAPSE), args, input)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn go_data(name: &str) -> String {
    format!(
        "{}/tests/data/collapse-go/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn inputs_that_are_not_profiles_are_named() {
    for (input, message) in [
        (
            &b"{\"error\": \"not found\"}\n"[..],
            "pprof-collapse: <stdin>: not a profile: looks like JSON (an API answer: is the URL \
             the program's /debug/pprof/ endpoint?)\n",
        ),
        (
            b"[{\"name\": \"x\"}]",
            "pprof-collapse: <stdin>: not a profile: looks like JSON (an API answer: is the URL \
             the program's /debug/pprof/ endpoint?)\n",
        ),
        (
            b"404 page not found\n",
            "pprof-collapse: <stdin>: not a profile: plain text (an error message, or the wrong \
             URL?)\n",
        ),
        (
            b"heap_v2/524288\n  t*: 28106: 56637512 [0: 0]\n",
            "pprof-collapse: <stdin>: not supported: jemalloc heap profile (heap_v2); jeprof \
             reads it\n",
        ),
    ] {
        let o = collapse_stdin(&[], input);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(o.stdout.is_empty());
        assert_eq!(stderr(&o), message);
    }
}

#[test]
fn single_dash_typo_is_a_usage_error_with_the_option_meant() {
    let o = Command::new(COLLAPSE)
        .args(["-inuse_spce", &go_data("heap.pb.gz")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let text = stderr(&o);
    assert!(
        text.starts_with(
            "error: unexpected argument '-inuse_spce' found\n\n  tip: a similar argument \
             exists: '-inuse_space'\n"
        ),
        "{text}"
    );
    // `-i` with a column attached is not a typo
    let o = Command::new(COLLAPSE)
        .args(["-iinuse_space", &go_data("heap.pb.gz")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn fetch_typos_name_the_option_meant() {
    for (typed, message) in [
        (
            "--secnds",
            "pprof-fetch: unexpected argument '--secnds' found (did you mean '--seconds'?)",
        ),
        (
            "-secnds",
            "pprof-fetch: unexpected argument '-secnds' found (did you mean '--seconds'?)",
        ),
    ] {
        let o = Command::new(FETCH).args([typed, "5"]).output().unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(stderr(&o).lines().next(), Some(message));
    }
}

#[test]
fn samples_without_a_stack_are_counted_on_stderr() {
    let o = Command::new(COLLAPSE)
        .arg(go_data("threadcreate.pb.gz"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let name = go_data("threadcreate.pb.gz");
    assert_eq!(
        stderr(&o),
        format!(
            "pprof-collapse: warning: {name}: 1 of 2 samples (9 of 10 threadcreate/count) have \
             no stack frames and are left out\n"
        )
    );
    let folded = String::from_utf8(o.stdout).unwrap();
    let total: u64 = folded
        .lines()
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum();
    assert_eq!(total, 1);
}

#[test]
fn list_names_records_and_totals_apart() {
    let o = Command::new(COLLAPSE)
        .args(["--list", &go_data("threadcreate.pb.gz")])
        .output()
        .unwrap();
    let list = String::from_utf8(o.stdout).unwrap();
    assert!(
        list.contains(
            "    0  threadcreate/count  total 10 count  (flamegraph --units count)  (default)\n"
        ),
        "{list}"
    );
    assert!(
        list.contains(
            "  sample records: 2 (not a total: each record holds one value per column)\n"
        ),
        "{list}"
    );
}

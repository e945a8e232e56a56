//! Every case of tests/data/collapse-filters (pprof-collapse's filters, base profiles and
//! differential output; layout in its README): the binary runs inside the case folder with the
//! arguments of `args`, and stdout, stderr and the exit status must be the expected ones. The
//! shared set is `#[ignore = "needs FLAMEPIPE_SHARED"]` and runs with `--include-ignored`.

mod common;

use common::cases::{case_folders, check_each, shared};
use std::path::Path;
use std::process::Command;

/// What is wrong with one case, or `None` when it passes.
fn check_case(dir: &Path) -> Option<String> {
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_default();
    let args_text = String::from_utf8(read("args")).expect("args are UTF-8");
    let args: Vec<&str> = args_text.lines().collect();
    let out = Command::new(env!("CARGO_BIN_EXE_pprof-collapse"))
        .args(&args)
        .current_dir(dir)
        .output()
        .expect("pprof-collapse runs");
    let rc: i32 = String::from_utf8_lossy(&read("expected.rc"))
        .trim()
        .parse()
        .expect("expected.rc is a number");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let want_stderr = String::from_utf8_lossy(&read("expected.stderr")).into_owned();
    if out.status.code() != Some(rc) {
        return Some(format!(
            "exit {:?}, want {rc}; stderr: {stderr}",
            out.status.code()
        ));
    }
    if rc == 0 {
        if out.stdout != read("expected.folded") {
            return Some("stdout differs".into());
        }
        if stderr != want_stderr {
            return Some(format!("stderr {stderr:?}, want {want_stderr:?}"));
        }
        return None;
    }
    let prefix = want_stderr.trim_end_matches('\n');
    if !out.stdout.is_empty() || stderr.lines().count() != 1 || !stderr.starts_with(prefix) {
        return Some(format!(
            "stderr {stderr:?}, want one line starting {prefix:?}"
        ));
    }
    None
}

/// Runs every case under `dir`; returns how many there were.
fn check_all(dir: &Path) -> usize {
    check_each(&case_folders(dir, "args"), |case| {
        check_case(case).map_or(Ok(()), Err)
    })
}

#[test]
fn bundled_filter_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/collapse-filters");
    assert_eq!(check_all(&dir), 46);
}

/// The full shared set, from the folder `FLAMEPIPE_SHARED` names (`.ci/run` sets it when the
/// shared folder exists).
#[test]
#[ignore = "needs FLAMEPIPE_SHARED"]
fn shared_filter_cases() {
    assert!(check_all(&shared("conformance/collapse-filters")) >= 46);
}

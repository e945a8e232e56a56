//! Every case of tests/data/collapse-filters (pprof-collapse's filters, base profiles and
//! differential output; layout in its README): the binary runs inside the case folder with the
//! arguments of `args`, and stdout, stderr and the exit status must be the expected ones. The
//! shared set is `#[ignore = "needs FLAMEPIPE_SHARED"]` and runs with `--include-ignored`.

use std::path::{Path, PathBuf};
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
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("cases folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("args").is_file())
        .collect();
    cases.sort();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            let name = c.file_name().unwrap_or_default().to_string_lossy();
            check_case(c).map(|why| format!("{name}: {why}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "cases that fail:\n{}",
        failures.join("\n")
    );
    cases.len()
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
    let shared = std::env::var_os("FLAMEPIPE_SHARED")
        .expect("FLAMEPIPE_SHARED not set: the folder that holds conformance/collapse-filters");
    let dir = Path::new(&shared).join("conformance/collapse-filters");
    assert!(check_all(&dir) >= 46);
}

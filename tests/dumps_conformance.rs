//! The conformance cases of Go's text profiles and goroutine dumps (docs/goroutine-dumps.md):
//! `pprof-collapse ARGS CASE/in.txt` must print
//! `expected.folded` byte for byte and exit with `expected.rc` (nothing on stdout when it is
//! not 0). The copy in tests/data/goroutine-dumps always runs; the shared set is
//! `#[ignore = "needs FLAMEPIPE_SHARED"]` and runs with `--include-ignored`.

mod common;

use common::cases::{case_folders, check_each, shared};
use std::path::Path;
use std::process::Command;

/// Runs one case; `Err` says what differs.
fn run_case(case: &Path) -> Result<(), String> {
    let args: Vec<String> = std::fs::read_to_string(case.join("args"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let input = ["in.txt", "in.txt.gz"]
        .iter()
        .map(|n| case.join(n))
        .find(|p| p.exists())
        .ok_or("no in.txt")?;
    let want = std::fs::read(case.join("expected.folded")).map_err(|e| e.to_string())?;
    let want_rc: i32 = std::fs::read_to_string(case.join("expected.rc"))
        .map_err(|e| e.to_string())?
        .trim()
        .parse()
        .map_err(|e| format!("expected.rc: {e}"))?;
    let out = Command::new(env!("CARGO_BIN_EXE_pprof-collapse"))
        .args(&args)
        .arg(&input)
        .output()
        .map_err(|e| e.to_string())?;
    let rc = out.status.code().unwrap_or(-1);
    if rc != want_rc {
        return Err(format!(
            "exit {rc}, want {want_rc}; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if out.stdout != want {
        return Err(format!(
            "stdout differs ({} bytes, want {})",
            out.stdout.len(),
            want.len()
        ));
    }
    Ok(())
}

/// Runs every case folder under `dir`; returns how many ran.
fn check_all(dir: &Path) -> usize {
    check_each(&case_folders(dir, "expected.rc"), run_case)
}

#[test]
fn bundled_goroutine_dump_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/goroutine-dumps");
    let ran = check_all(&dir);
    assert!(ran >= 18, "only {ran} cases");
}

/// The full shared set, from the folder `FLAMEPIPE_SHARED` names (`.ci/run` sets it when the
/// set sits beside the clone).
#[test]
#[ignore = "needs FLAMEPIPE_SHARED"]
fn shared_goroutine_dump_cases() {
    let ran = check_all(&shared("conformance/goroutine-dumps"));
    assert!(ran >= 18, "only {ran} cases");
}

//! Conformance case folders: listing them, checking each one, and the shared sets' folder.

use std::path::{Path, PathBuf};

/// The case folders directly under `dir` that hold the file `marker`, sorted.
pub fn case_folders(dir: &Path, marker: &str) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join(marker).is_file())
        .collect();
    cases.sort();
    cases
}

/// Checks every case with `check` and fails naming each case that failed and why; returns
/// how many cases there were.
pub fn check_each(cases: &[PathBuf], check: impl Fn(&Path) -> Result<(), String>) -> usize {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let name = case.file_name().unwrap_or_default().to_string_lossy();
            check(case).err().map(|why| format!("{name}: {why}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "cases that fail:\n{}",
        failures.join("\n")
    );
    cases.len()
}

/// `sub` inside the folder that `FLAMEPIPE_SHARED` names (`.ci/run` sets it when the shared
/// sets sit beside the clone); the tests that call this are `#[ignore = "needs
/// FLAMEPIPE_SHARED"]`.
pub fn shared(sub: &str) -> PathBuf {
    let root = std::env::var_os("FLAMEPIPE_SHARED")
        .unwrap_or_else(|| panic!("FLAMEPIPE_SHARED not set: the folder that holds {sub}"));
    Path::new(&root).join(sub)
}

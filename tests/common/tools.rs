//! The external programs some tests need (Go, Chromium, openssl, mandoc, shellcheck).
//!
//! Such a test is marked `#[ignore = "needs PROGRAM"]`, so a plain `cargo test` lists it as
//! ignored instead of passing without running. `cargo test -- --include-ignored` (what `.ci/run`
//! runs) runs it, and then a missing program fails it with a message that names the package.

use std::path::PathBuf;

/// The first of `names` found in a folder of `PATH`; panics with "NAME not found (apt-get
/// install PACKAGE)" when none is.
#[track_caller]
pub fn require_any(names: &[&str], package: &str) -> PathBuf {
    names
        .iter()
        .find_map(|name| in_path(name))
        .unwrap_or_else(|| {
            panic!(
                "{} not found in PATH (apt-get install {package})",
                names.join(" or ")
            )
        })
}

/// The program `name` from `PATH`; panics with "NAME not found (apt-get install PACKAGE)".
#[track_caller]
pub fn require(name: &str, package: &str) -> PathBuf {
    require_any(&[name], package)
}

/// `dir/name` for the first folder `dir` of `PATH` that holds a file `name`.
fn in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
        .find(|file| file.is_file())
}

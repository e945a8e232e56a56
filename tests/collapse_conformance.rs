//! Every conformance case of pprof-collapse (docs/pprof-collapse.md), byte for byte: the default
//! column, every `-i N`, and `--labels` (which must equal the default output where no
//! `.labels.folded` exists). The copy in tests/data/collapse always runs; the shared set is
//! `#[ignore = "needs FLAMEPIPE_SHARED"]` and runs with `--include-ignored`.

mod common;

use common::cases::shared;
use flamepipe::collapse::{collapse_to_vec, Collapser, Options, SampleIndex};
use flamepipe::profile::{parse_profile, read_profile_file};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The expected output for `name`, if the case exists (plain or gzipped).
fn expected(dir: &Path, name: &str) -> Option<Vec<u8>> {
    let plain = dir.join("expected").join(format!("{name}.folded"));
    if let Ok(bytes) = std::fs::read(&plain) {
        return Some(bytes);
    }
    let gz = std::fs::read(dir.join("expected").join(format!("{name}.folded.gz"))).ok()?;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&gz[..])
        .read_to_end(&mut out)
        .expect("expected file decompresses");
    Some(out)
}

/// Folds `input` both ways the library offers and checks that they agree: from bytes in
/// memory with a borrowed profile, and the binary's way, from the file (read a second time
/// for the samples) with the profile handed over so that its symbols are freed early.
fn fold(input: &Path, options: Options) -> Vec<u8> {
    let name = input.display().to_string();
    let data = std::fs::read(input).expect("input readable");
    let profile = parse_profile(data).unwrap_or_else(|e| panic!("{name}: {e}"));
    let borrowed = collapse_to_vec(&[(&name, &profile)], options.clone())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut collapser = Collapser::new(options);
    let owned = read_profile_file(input).unwrap_or_else(|e| panic!("{name}: {e}"));
    collapser
        .add_owned(&name, owned)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let streamed = collapser.finish().write_to(Vec::new()).expect("writes");
    assert!(streamed == borrowed, "{name}: add_owned and add differ");
    streamed
}

/// Checks every case under `dir`; returns the number of comparisons made.
fn check_all(dir: &Path) -> usize {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir.join("inputs"))
        .expect("inputs folder")
        .map(|e| e.expect("dir entry").path())
        .collect();
    inputs.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut check = |what: String, got: Vec<u8>, want: Vec<u8>| {
        checked += 1;
        if got != want {
            failures.push(what);
        }
    };
    for input in &inputs {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let default =
            expected(dir, &name).unwrap_or_else(|| panic!("no expected output for {name}"));
        check(
            name.to_string(),
            fold(input, Options::default()),
            default.clone(),
        );
        for n in 0.. {
            let Some(want) = expected(dir, &format!("{name}.idx{n}")) else {
                break;
            };
            let options = Options {
                sample_index: Some(SampleIndex::Number(n)),
                ..Options::default()
            };
            check(format!("{name} -i {n}"), fold(input, options), want);
        }
        let labels = Options {
            labels: true,
            ..Options::default()
        };
        let want = expected(dir, &format!("{name}.labels")).unwrap_or(default);
        check(format!("{name} --labels"), fold(input, labels), want);
    }
    assert!(failures.is_empty(), "cases that differ: {failures:?}");
    checked
}

#[test]
fn bundled_conformance_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/collapse");
    let checked = check_all(&dir);
    assert!(checked >= 96, "only {checked} comparisons");
}

/// The full shared set, from the folder `FLAMEPIPE_SHARED` names (`.ci/run` sets it when the
/// set sits beside the clone).
#[test]
#[ignore = "needs FLAMEPIPE_SHARED"]
fn shared_conformance_cases() {
    check_all(&shared("conformance/collapse"));
}

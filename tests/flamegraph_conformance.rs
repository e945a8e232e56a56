//! Conformance of `flamegraph` against the reference cases (spec section 12): same frames
//! (y, x, width, height, fill, title, label), headers, exit status and `palette.map`.

mod common;

use std::path::{Path, PathBuf};

use common::flamegraph::{
    case_dirs, check_case, compare_graphs, parse_graph, read_maybe_gz, run_flamegraph, scratch_dir,
};

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/flamegraph")
}

fn check_all(root: &Path) -> usize {
    let cases = case_dirs(root);
    // cases are independent processes: check them on every core
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2);
    let chunk = cases.len().div_ceil(workers).max(1);
    let problems: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().flat_map(|c| check_case(c)).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("case thread"))
            .collect()
    });
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    cases.len()
}

#[test]
fn bundled_cases_render_the_expected_frames() {
    assert_eq!(check_all(&bundled()), 43);
}

/// The full shared set, from the folder `FLAMEPIPE_SHARED` names (`.ci/run` sets it when the
/// set sits beside the clone).
#[test]
#[ignore = "needs FLAMEPIPE_SHARED"]
fn shared_cases_render_the_expected_frames() {
    let shared = std::env::var_os("FLAMEPIPE_SHARED")
        .expect("FLAMEPIPE_SHARED not set: the folder that holds conformance/flamegraph");
    let count = check_all(&PathBuf::from(shared).join("conformance/flamegraph"));
    assert!(count >= 43, "only {count} shared cases found");
}

/// The comparison itself must catch a wrong graph (here: `--hash` colors, a wrong width).
#[test]
fn comparison_detects_differences() {
    let case = bundled().join("real-0");
    let input = read_maybe_gz(&case, "in.folded").unwrap();
    let expected = parse_graph(&read_maybe_gz(&case, "expected.svg").unwrap()).unwrap();
    let dir = scratch_dir("compare-detects");
    for args in [vec!["--hash"], vec!["--width", "1000"], vec!["--inverted"]] {
        let args: Vec<String> = args.into_iter().map(String::from).collect();
        let result = run_flamegraph(&args, &input, &dir);
        let ours = parse_graph(&result.stdout).unwrap();
        assert!(
            !compare_graphs(&ours, &expected).is_empty(),
            "{args:?} not detected"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

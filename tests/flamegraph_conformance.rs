//! Conformance of `flamegraph` against the reference cases (spec section 12): same frames
//! (y, x, width, height, fill, title, label), headers, exit status and `palette.map`.

mod common;

use common::cases::shared;

use std::path::{Path, PathBuf};

use common::flamegraph::{
    case_dirs, check_case, compare_graphs, parse_graph, read_maybe_gz, run_flamegraph, scratch_dir,
};

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/flamegraph")
}

fn check_all(root: &Path) -> usize {
    check_cases(case_dirs(root))
}

fn check_cases(cases: Vec<PathBuf>) -> usize {
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
    assert_eq!(check_all(&bundled()), 44);
}

/// The full shared set, from the folder `FLAMEPIPE_SHARED` names (`.ci/run` sets it when the
/// set sits beside the clone).
#[test]
#[ignore = "needs FLAMEPIPE_SHARED"]
fn shared_cases_render_the_expected_frames() {
    let count = check_all(&shared("conformance/flamegraph"));
    assert!(count >= 43, "only {count} shared cases found");
}

/// The external set (real inputs from public repositories, flamegraph.pl's outputs), with
/// `inft-huge-sample-counts` among them: counts past 10^17 must add up exactly.
#[test]
#[ignore = "needs FLAMEPIPE_SHARED"]
fn external_cases_render_the_expected_frames() {
    let cases = case_dirs(&shared("conformance/external/flamegraph/cases"));
    let all = cases.len();
    // the set's own notes: four frames of this case share y, x and title and differ only in
    // width (0.0 and 0.1), so pairing frames by nearest x matches the wrong two; the frame
    // lists are identical once sorted
    let false_alarm = "inf-ghcprof-ticks_bytes--mw0";
    let cases: Vec<PathBuf> = cases
        .into_iter()
        .filter(|c| !c.ends_with(false_alarm))
        .collect();
    assert_eq!(
        cases.len() + 1,
        all,
        "{false_alarm} is no longer in the set"
    );
    let count = check_cases(cases);
    assert!(count >= 533, "only {count} external cases found");
}

/// The bundled copy of the external case whose counts pass 10^17: flamegraph.pl adds them as
/// exact integers, so a frame of 239807672958951499 shows `239,807,672,958,951,488` (its
/// nearest double), not a sum rounded to 15 digits.
#[test]
fn huge_integer_counts_add_up_exactly() {
    let case = bundled().join("inft-huge-sample-counts");
    assert!(check_case(&case).is_empty(), "{:?}", check_case(&case));
    let dir = scratch_dir("huge-counts");
    let input = b"a;f 1000000000000001\nb;f 3\n";
    let result = run_flamegraph(&["--minwidth".to_owned(), "0".to_owned()], input, &dir);
    let graph = parse_graph(&result.stdout).unwrap();
    let titles: Vec<&str> = graph.frames.iter().map(|f| f.title.as_str()).collect();
    for title in [
        "all (1,000,000,000,000,004 samples, 100%)",
        "a (1,000,000,000,000,001 samples, 100.00%)",
        "b (3 samples, 0.00%)",
    ] {
        assert!(titles.contains(&title), "{title} not in {titles:?}");
    }
    assert_eq!(titles.iter().filter(|t| t.starts_with("f (")).count(), 2);
    let _ = std::fs::remove_dir_all(&dir);
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

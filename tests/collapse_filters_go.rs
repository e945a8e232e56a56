//! pprof-collapse's comparisons and filters on real Go profiles: the demo of tests/go-demo is
//! profiled in each of its two phases; `--diff_base` must show the phase-only functions as
//! shrinkage (only in the BASE column) and growth (only in the NEW column), and `--focus` /
//! `--hide` must fold to the same stacks as `go tool pprof -raw` with the same options.

mod common;

use common::go_demo::{self, GoDemo};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Profiles 2 s of CPU while `/phased` runs in `phase`, and writes the profile to `dir`.
fn profile_phase(demo: &GoDemo, phase: &str, dir: &Path) -> PathBuf {
    let (status, body) = demo.get(&format!("/phase?set={phase}"));
    assert_eq!((status, body), (200, format!("{phase}\n").into_bytes()));
    let load = demo.drive_load("/phased?ms=50");
    let (status, profile) = demo.get("/debug/pprof/profile?seconds=2");
    load.stop();
    assert_eq!(status, 200, "CPU profile of phase {phase}");
    let path = dir.join(format!("phase-{phase}.pb.gz"));
    std::fs::write(&path, profile).expect("write the profile");
    path
}

/// Runs pprof-collapse; its stdout (it must succeed).
fn collapse(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pprof-collapse"))
        .args(args)
        .output()
        .expect("run pprof-collapse");
    assert!(
        out.status.success(),
        "pprof-collapse {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The summed (BASE, NEW) columns of the lines whose stack contains `function`.
fn columns(diff: &str, function: &str) -> (i64, i64) {
    let mut sums = (0, 0);
    for line in diff.lines().filter(|l| l.contains(function)) {
        let mut fields = line.rsplitn(3, ' ');
        let new: i64 = fields.next().and_then(|v| v.parse().ok()).expect("NEW");
        let base: i64 = fields.next().and_then(|v| v.parse().ok()).expect("BASE");
        sums = (sums.0 + base, sums.1 + new);
    }
    sums
}

/// `go tool pprof -raw` with `flags`, folded by pprof-collapse.
fn go_raw_folded(flags: &[&str], profile: &Path, dir: &Path) -> String {
    let out = Command::new(std::env::var("GO").unwrap_or_else(|_| "go".into()))
        .args(["tool", "pprof", "-raw", "-symbolize=none"])
        .args(flags)
        .arg(profile)
        .output()
        .expect("run go tool pprof");
    assert!(
        out.status.success(),
        "go tool pprof: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let raw = dir.join("raw.txt");
    std::fs::write(&raw, out.stdout).expect("write the -raw text");
    collapse(&[raw.to_str().expect("UTF-8 path")])
}

#[test]
#[ignore = "needs go"]
fn phases_compared_and_filtered_like_go_tool_pprof() {
    go_demo::require_go();
    let dir = tempfile::tempdir().expect("temporary folder");
    let demo = GoDemo::start(&[]);
    let a = profile_phase(&demo, "a", dir.path());
    let b = profile_phase(&demo, "b", dir.path());
    drop(demo);
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());

    let diff = collapse(&["--diff_base", a, b]);
    let (only_a, only_b) = (
        columns(&diff, "main.phaseOnlyA"),
        columns(&diff, "main.phaseOnlyB"),
    );
    assert!(
        only_a.0 > 0 && only_a.1 == 0,
        "phaseOnlyA shrank: {only_a:?}\n{diff}"
    );
    assert!(
        only_b.0 == 0 && only_b.1 > 0,
        "phaseOnlyB grew: {only_b:?}\n{diff}"
    );
    let grown = collapse(&["--diff-base", a, "--drop_negative", b]);
    assert_eq!(columns(&grown, "main.phaseOnlyA"), (0, 0), "{grown}");
    assert_eq!(columns(&grown, "main.phaseOnlyB"), only_b);

    for flags in [
        &["-focus=main\\.runPhase", "-hide=^runtime\\."][..],
        &["-focus=main\\.phaseOnly", "-hide=main\\.handlePhased"][..],
        &["-hide=net/http", "-ignore=phaseOnlyB"][..],
    ] {
        for profile in [a, b] {
            let ours = collapse(&[flags, &[profile]].concat());
            let go = go_raw_folded(flags, Path::new(profile), dir.path());
            assert_eq!(ours, go, "{flags:?} on {profile}");
            if flags[0].contains("phaseOnly") {
                assert!(!ours.is_empty(), "{flags:?} kept nothing of {profile}");
            }
        }
    }
}

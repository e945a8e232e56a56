//! The `pprof-collapse` binary: options, exit codes, messages, stdout discipline.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_pprof-collapse");

fn data(name: &str) -> String {
    format!(
        "{}/tests/data/collapse/inputs/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn expected(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/data/collapse/expected/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("runs")
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    common::process::run_with_stdin(Path::new(BIN), args, input)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn folds_files_and_stdin() {
    let o = run(&[&data("heap.pb.gz")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, expected("heap.pb.gz.folded"));
    let bytes = std::fs::read(data("cpu.raw.txt")).unwrap();
    let o = run_stdin(&["-"], &bytes);
    assert_eq!(o.stdout, expected("cpu.raw.txt.folded"));
    let o = run_stdin(&[], &bytes);
    assert_eq!(o.stdout, expected("cpu.raw.txt.folded"));
}

#[test]
fn sample_index_spellings() {
    let heap = data("heap.pb.gz");
    let want = expected("heap.pb.gz.idx1.folded");
    for args in [
        vec!["-i", "1"],
        vec!["-i", "alloc_space"],
        vec!["--sample-index", "alloc_space"],
        vec!["--sample-index=1"],
        vec!["--sample_index", "alloc_space"],
        vec!["-sample_index", "alloc_space"],
        vec!["-sample_index=alloc_space"],
        vec!["-alloc_space"],
        vec!["--alloc_space"],
    ] {
        let mut all = args.clone();
        all.push(&heap);
        let o = run(&all);
        assert_eq!(o.stdout, want, "{args:?}: {}", stderr(&o));
    }
    let o = run(&["-inuse_objects", &heap]);
    assert_eq!(o.stdout, expected("heap.pb.gz.idx2.folded"));
}

#[test]
fn errors_name_the_input_exit_1_and_write_nothing() {
    let dir = std::env::temp_dir().join(format!("pprof-collapse-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("index.html");
    std::fs::write(&html, "<html><body>pprof</body></html>").unwrap();
    let html = html.to_str().unwrap();
    // A good input followed by a bad one: still nothing on stdout.
    let o = run(&[&data("cpu.pb.gz"), html]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert_eq!(
        stderr(&o),
        format!("pprof-collapse: {html}: not a profile: looks like an HTML page (the /debug/pprof/ index or an error page?)\n")
    );
    let o = run_stdin(&[], b"");
    assert_eq!(
        (o.status.code(), stderr(&o).as_str()),
        (Some(1), "pprof-collapse: <stdin>: empty input\n")
    );
    let o = run(&["/no/such/file"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("pprof-collapse: /no/such/file: cannot read: "));
    let o = run(&["-i", "9", &data("cpu.pb.gz")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).ends_with(": sample index 9 is outside the range [0..1]\n"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["--labels", "--tag-root", "a"],
        vec!["--no-such-option"],
        vec!["-", "-"],
        vec!["-i", "1", "-inuse_space"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty());
        assert!(stderr(&o).contains("Usage"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn help_version_and_list() {
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8(o.stdout).unwrap();
    for kind in [
        "cpu",
        "heap",
        "allocs",
        "goroutine",
        "block",
        "mutex",
        "threadcreate",
    ] {
        assert!(
            help.contains(&format!("  {kind} (/debug/pprof/"))
                || help.contains(&format!(", {kind} (/debug/pprof/")),
            "{kind}"
        );
    }
    assert!(help.contains("inuse_space/bytes*"));
    let o = run(&["--version"]);
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        format!("pprof-collapse (flamepipe) {}\n", env!("CARGO_PKG_VERSION"))
    );
    let o = run(&["--list", &data("allocs.pb.gz")]);
    let list = String::from_utf8(o.stdout).unwrap();
    assert!(
        list.contains(
            "1  alloc_space/bytes  total 659943704 bytes  (flamegraph --units bytes)  (default)\n"
        ),
        "{list}"
    );
    assert!(
        list.contains("3  inuse_space/bytes  total 18896463 bytes  (flamegraph --units bytes)\n"),
        "{list}"
    );
    assert!(
        list.contains(
            "  sample records: 7 (not a total: each record holds one value per column)\n"
        ),
        "{list}"
    );
}

#[test]
fn warnings_go_to_stderr_and_keep_status_0() {
    let o = run(&[&data("cpu.pb.gz"), &data("heap.pb.gz")]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).starts_with(
            "pprof-collapse: warning: summing different sample types: samples/count ("
        ),
        "{}",
        stderr(&o)
    );
    let o = run(&["-i", "0", &data("heap_delta.pb.gz")]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!o.stdout.is_empty());
    let empty = "Samples:\nsamples/count\n 0: 1\nLocations\n 1: 0x1 f f.go:1 s=0\nMappings\n";
    let o = run_stdin(&[], empty.as_bytes());
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    assert_eq!(
        stderr(&o),
        "pprof-collapse: warning: <stdin>: no stacks (the profile has no non-zero samples)\n"
    );
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let mut child = Command::new(BIN)
        .args(["-i", "1", &data("proftest.large.cpu")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 10];
    out.read_exact(&mut first).unwrap();
    drop(out);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_read_once() {
    let dir = std::env::temp_dir().join(format!("pprof-collapse-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("cpu.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", fifo.display());
    let bytes = std::fs::read(data("cpu.pb.gz")).unwrap();
    let path = fifo.clone();
    let writer = std::thread::spawn(move || std::fs::write(path, bytes).unwrap());
    let o = run(&[fifo.to_str().unwrap()]);
    writer.join().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, expected("cpu.pb.gz.folded"));
    std::fs::remove_dir_all(&dir).unwrap();
}

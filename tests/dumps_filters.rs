//! go tool pprof's filters and comparisons (docs/pprof-collapse.md, "Filters and comparisons")
//! on Go's texts (docs/goroutine-dumps.md, "Options for dumps"): a dump or a `?debug=1` text is
//! read into the same profile model as a protobuf, one location per printed frame with its
//! function name and file, so `--focus`, `--hide`, `--tagfocus`, `--base`, `--diff_base` ...
//! work on it, and the dump options keep their frames (the `--group-by-state` root stays above
//! the label frames).

mod common;
use common::process::run_with_stdin;

fn collapse(args: &[&str], input: &str) -> String {
    let dir = tempfile::tempdir().expect("temporary folder");
    let base = dir.path().join("base.txt");
    std::fs::write(&base, BASE).expect("write the base");
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace("BASE", &base.display().to_string()))
        .collect();
    let out = run_with_stdin(
        env!("CARGO_BIN_EXE_pprof-collapse"),
        &args,
        input.as_bytes(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {stderr}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

const DUMP: &str = "\
goroutine 1 [running]:
main.main()
\t/src/main.go:10 +0x1d

goroutine 7 [chan receive, 3 minutes]:
main.work(0xc000010000)
\t/src/work.go:20 +0x2e
main.start.gowrap1()
\t/src/main.go:15 +0x25
created by main.start in goroutine 1
\t/src/main.go:15 +0x66

goroutine 8 [select labels:{\"tenant\": \"a\"}]:
main.serve()
\t/src/serve.go:5 +0x1
net/http.(*conn).serve(0x1)
\t/usr/lib/go/src/net/http/server.go:100 +0x1
created by net/http.(*Server).Serve in goroutine 1
\t/usr/lib/go/src/net/http/server.go:200 +0x1
";

/// The first goroutine of [`DUMP`] alone: the dump of an earlier moment.
const BASE: &str = "goroutine 1 [running]:\nmain.main()\n\t/src/main.go:10 +0x1d\n";

#[test]
fn frame_filters_match_function_and_file_names() {
    assert_eq!(collapse(&["--focus", "main.work"], DUMP), "main.work 1\n");
    assert_eq!(collapse(&["--focus", "work\\.go"], DUMP), "main.work 1\n");
    assert_eq!(
        collapse(&["--hide", "net/http"], DUMP),
        "main.main 1\nmain.serve 1\nmain.work 1\n"
    );
    assert_eq!(
        collapse(&["--show", "main", "--created-by"], DUMP),
        "main.main 1\nmain.serve 1\nmain.start;main.work 1\n"
    );
}

#[test]
fn tag_filters_use_the_header_labels() {
    assert_eq!(
        collapse(&["--tagfocus", "tenant=a"], DUMP),
        "net/http.(*conn).serve;main.serve 1\n"
    );
    assert_eq!(
        collapse(&["--tagignore", "tenant=a", "--ignore", "main.main"], DUMP),
        "main.work 1\n"
    );
}

#[test]
fn dump_options_keep_their_frames_and_values_through_the_filters() {
    assert_eq!(
        collapse(
            &["--group-by-state", "--focus", "main.serve", "--labels"],
            DUMP
        ),
        "[select];tenant=a;net/http.(*conn).serve;main.serve 1\n"
    );
    assert_eq!(
        collapse(&["--state", "--ignore", "main.main"], DUMP),
        "main.work;[chan receive] 1\nnet/http.(*conn).serve;main.serve;[select] 1\n"
    );
    assert_eq!(
        collapse(&["--minutes", "--focus", "main.work"], DUMP),
        "main.work 3\n"
    );
}

#[test]
fn dumps_compare_with_base_and_diff_base() {
    assert_eq!(
        collapse(&["--base", "BASE"], DUMP),
        "main.work 1\nnet/http.(*conn).serve;main.serve 1\n"
    );
    assert_eq!(
        collapse(&["--diff_base", "BASE"], DUMP),
        "main.main 1 1\nmain.work 0 1\nnet/http.(*conn).serve;main.serve 0 1\n"
    );
}

#[test]
fn debug1_texts_are_filtered_like_profiles() {
    let text = "goroutine profile: total 3\n\
2 @ 0x1 0x2\n# labels: {\"k\":\"a\"}\n#\t0x1\tmain.f+0x1\t/m.go:3\n#\t0x2\tmain.main+0x9\t/m.go:9\n\n\
1 @ 0x3\n#\t0x3\tmain.g+0x1\t/g.go:4\n\n";
    assert_eq!(
        collapse(&["--focus", "main.f"], text),
        "main.main;main.f 2\n"
    );
    assert_eq!(collapse(&["--focus", "g\\.go"], text), "main.g 1\n");
    assert_eq!(
        collapse(&["--tagfocus", "k=a", "--hide", "main.main"], text),
        "main.f 2\n"
    );
}

/// The `[STATE]` root of `--group-by-state` is no frame of the program: `--hide`, `--show`
/// and the other frame filters never see it, so it is neither cut out nor turned into an
/// address frame when a regexp happens to match the state's name.
#[test]
fn frame_filters_leave_the_state_root_alone() {
    assert_eq!(
        collapse(&["--group-by-state", "--hide", "select|chan"], DUMP),
        "[chan receive];main.work 1\n[running];main.main 1\n\
         [select];net/http.(*conn).serve;main.serve 1\n"
    );
    assert_eq!(
        collapse(&["--group-by-state", "--show", "main\\."], DUMP),
        "[chan receive];main.work 1\n[running];main.main 1\n[select];main.serve 1\n"
    );
}

//! `flamegraph` end to end: spec section 10 examples, well-formed XML for hostile input and
//! options, exit statuses and stderr lines (sections 1, 2, 3.5, 8).

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::flamegraph::{parse_graph, run_flamegraph, scratch_dir, FrameRow, Graph, RunResult};

fn run(args: &[&str], stdin: &[u8]) -> RunResult {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    run_flamegraph(&args, stdin, &std::env::temp_dir())
}

fn graph(result: &RunResult) -> Graph {
    parse_graph(&result.stdout).unwrap_or_else(|e| panic!("not well-formed: {e}"))
}

fn frame<'a>(graph: &'a Graph, title_start: &str) -> &'a FrameRow {
    graph
        .frames
        .iter()
        .find(|f| f.title.starts_with(title_start))
        .unwrap_or_else(|| panic!("no frame {title_start:?} in {:#?}", graph.frames))
}

#[test]
fn spec_example_default_graph() {
    let result = run(
        &[],
        b"main;foo;bar 10\nmain;foo;baz 5\nmain;qux 3\nmain;foo;bar 2\n",
    );
    assert_eq!(result.status, 0);
    assert_eq!(
        result.stderr,
        "Stack count is low (20). Did something go wrong?\n"
    );
    let g = graph(&result);
    assert_eq!(g.height.as_deref(), Some("134"));
    let check = |title: &str, y: f64, x: f64, width: f64, fill: &str| {
        let f = frame(&g, title);
        assert_eq!(
            (f.y, f.x, f.width, f.fill.as_str()),
            (y, x, width, fill),
            "{title}"
        );
    };
    check(
        "all (20 samples, 100%)",
        85.0,
        10.0,
        1180.0,
        "rgb(213,39,9)",
    );
    check("main (", 69.0, 10.0, 1180.0, "rgb(243,179,42)");
    check(
        "foo (17 samples, 85.00%)",
        53.0,
        10.0,
        1003.0,
        "rgb(220,71,17)",
    );
    check("qux (", 53.0, 1013.0, 177.0, "rgb(252,218,52)");
    assert_eq!(frame(&g, "bar (").title, "bar (12 samples, 60.00%)");
    assert_eq!(
        (frame(&g, "bar (").x, frame(&g, "bar (").width),
        (10.0, 708.0)
    );
    assert_eq!(
        (frame(&g, "baz (").x, frame(&g, "baz (").width),
        (718.0, 295.0)
    );
    assert_eq!(g.frames.len(), 6);
}

#[test]
fn spec_example_differential() {
    let input = b"a;b 1 5\na;b;c 2 1\nx 3 3\n";
    let g = graph(&run(&[], input));
    assert_eq!(frame(&g, "b (").title, "b (6 samples, 66.67%; +44.44%)");
    assert_eq!(frame(&g, "b (").fill, "rgb(255,0,0)");
    assert_eq!(frame(&g, "c (").title, "c (1 samples, 11.11%; -11.11%)");
    assert_eq!(frame(&g, "c (").fill, "rgb(157,157,255)");
    for white in ["a (", "x (", "all ("] {
        assert_eq!(frame(&g, white).fill, "rgb(255,255,255)", "{white}");
    }
    assert!(frame(&g, "a (").title.ends_with("; 0.00%)"));
    let g = graph(&run(&["--negate"], input));
    assert_eq!(frame(&g, "b (").title, "b (6 samples, 66.67%; -44.44%)");
    assert_eq!(frame(&g, "b (").fill, "rgb(0,0,255)");
    assert_eq!(frame(&g, "c (").title, "c (1 samples, 11.11%; +11.11%)");
    assert_eq!(frame(&g, "c (").fill, "rgb(255,157,157)");
}

const HOSTILE_NAMES: &[u8] = b"main;<script>alert(1)</script>;a&b 5\n\
main;\"quoted\" 'single';]]>;--> 3\n\
main;\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e;\xf0\x9f\x94\xa5 4\n\
main;bad\xff\xfe\xc3(;trunc\xe2\x82 2\n\
main;ctl\x01\x02\x1f;cr\rin 7\n\
\xef\xbb\xbfmain;\xef\xbf\xbf;x 1\n";

#[test]
fn hostile_names_give_well_formed_xml() {
    let result = run(&["--minwidth", "0"], HOSTILE_NAMES);
    assert_eq!(result.status, 0, "{}", result.stderr);
    let g = graph(&result);
    let titles: Vec<&str> = g.frames.iter().map(|f| f.title.as_str()).collect();
    for expected in [
        "<script>alert(1)</script> (",
        "a&b (",
        "\"quoted\" 'single' (",
        "]]> (",
        "--> (",
        "\u{65e5}\u{672c}\u{8a9e} (",
        "\u{1f525} (",
        "bad\u{FFFD}\u{FFFD}\u{FFFD}( (",
        "trunc\u{FFFD} (",
    ] {
        assert!(
            titles.iter().any(|t| t.starts_with(expected)),
            "{expected:?} not in {titles:#?}"
        );
    }
}

#[test]
fn hostile_options_give_well_formed_xml() {
    let nasty = "</text><script>x()</script> & \"q\" 'a' ]]> -- --> \u{1}\u{2028}é";
    let args = [
        "--title",
        nasty,
        "--subtitle",
        nasty,
        "--notes",
        nasty,
        "--nametype",
        nasty,
        "--countname",
        nasty,
        "--fonttype",
        nasty,
        "--encoding",
        "UTF-8\"?><x",
    ];
    let result = run(&args, b"a;b 3\n");
    assert_eq!(result.status, 0, "{}", result.stderr);
    let g = graph(&result);
    let shown = nasty.replace('\u{1}', "\u{FFFD}");
    assert_eq!(g.title.as_deref(), Some(shown.as_str()));
    assert_eq!(g.subtitle.as_deref(), Some(shown.as_str()));
    assert!(frame(&g, "b (").title.contains(&shown));
    let svg = String::from_utf8(result.stdout).unwrap();
    assert!(svg.contains(
        "var nametype = \"\\x3c/text\\x3e\\x3cscript\\x3ex()\\x3c/script\\x3e \\x26 \\\"q\\\" 'a' ]]\\x3e -- --\\x3e \\u0001\\u2028é\";"
    ));
    let notes = svg.lines().find(|l| l.starts_with("<!-- NOTES:")).unwrap();
    assert!(
        !notes["<!--".len()..notes.len() - "-->".len()].contains("--"),
        "{notes}"
    );
    // the error SVG escapes too
    let result = run(&["--notes", nasty, "--encoding", "\"<"], b"");
    assert_eq!(result.status, 2);
    graph(&result);
}

#[test]
fn missing_file_is_one_line_and_status_1() {
    let result = run(&["/nonexistent/x.folded"], b"a 1\n");
    assert_eq!(result.status, 1);
    assert!(result.stdout.is_empty());
    assert_eq!(
        result.stderr,
        "flamegraph: /nonexistent/x.folded: No such file or directory\n"
    );
}

#[test]
fn option_errors_print_message_and_a_hint() {
    for (args, message) in [
        (
            vec!["--f"],
            "Option f is ambiguous (factor, flamechart, fontsize, fonttype, fontwidth)",
        ),
        (vec!["--bogus"], "Unknown option: bogus"),
        (
            vec!["--width", "12.5"],
            "Value \"12.5\" invalid for option width (number expected)",
        ),
        (vec!["--title"], "Option title requires an argument"),
        (
            vec!["--minwidth", "1x"],
            "Value '1x' is invalid for minwidth, expected a float.",
        ),
    ] {
        let result = run(&args, b"a 1\n");
        assert_eq!(result.status, 255, "{args:?}");
        assert!(result.stdout.is_empty());
        let mut lines = result.stderr.lines();
        assert_eq!(lines.next(), Some(message));
        // one line, then a pointer to --help instead of the whole usage text
        assert_eq!(
            lines.next(),
            Some("Try 'flamegraph --help' for the options."),
            "{args:?}"
        );
        assert_eq!(lines.next(), None, "{args:?}");
    }
    let result = run(&["--bgcolors", "pink"], b"a 1\n");
    assert_eq!(
        (result.status, result.stderr.as_str()),
        (255, "Unrecognized bgcolor option \"pink\"\n")
    );
    let result = run(&["--nameattr", "/nonexistent/attrs"], b"a 1\n");
    assert_eq!(result.status, 255);
    assert_eq!(
        result.stderr,
        "Can't read /nonexistent/attrs: No such file or directory\n"
    );
}

#[test]
fn help_and_version_go_to_stdout() {
    let result = run(&["--help"], b"");
    assert_eq!(result.status, 0);
    let help = String::from_utf8(result.stdout).unwrap();
    for option in [
        "--title",
        "--minwidth",
        "--colors",
        "--cp",
        "--flamechart",
        "--nameattr",
    ] {
        assert!(help.contains(option), "{option}");
    }
    let result = run(&["-vers"], b"");
    assert_eq!(result.status, 0);
    assert_eq!(
        String::from_utf8(result.stdout).unwrap(),
        format!("flamegraph (flamepipe) {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn warnings_follow_spec_order() {
    let result = run(&["--total", "20"], b"a 500\nnot valid\n");
    assert_eq!(
        result.stderr,
        "Ignored 1 lines with invalid format\nSpecified --total 20 is less than actual total 500, so ignored\n"
    );
    let result = run(&[], b"junk\n\n");
    assert_eq!(result.status, 2);
    assert_eq!(
        result.stderr,
        "Stack count is low (0). Did something go wrong?\nIgnored 2 lines with invalid format\nERROR: No stack counts found\n"
    );
    let g = graph(&result);
    assert_eq!(
        (g.width.as_deref(), g.height.as_deref()),
        (Some("1200"), Some("60"))
    );
}

#[test]
fn files_and_stdin_are_read_in_order() {
    let dir = scratch_dir("files");
    std::fs::write(dir.join("one.folded"), "a;b 2\na;c 1").unwrap();
    std::fs::write(dir.join("two.folded"), "a;b 3\n").unwrap();
    let args: Vec<String> = ["one.folded", "-", "two.folded"].map(String::from).to_vec();
    let result = run_flamegraph(&args, b"a;d 4\n", &dir);
    let g = graph(&result);
    assert_eq!(frame(&g, "b (").title, "b (5 samples, 50.00%)");
    assert_eq!(frame(&g, "d (").title, "d (4 samples, 40.00%)");
    assert_eq!(frame(&g, "c (").title, "c (1 samples, 10.00%)");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn closed_pipe_ends_quietly() {
    let input: String = (0..20_000)
        .map(|i| format!("main;f{i};g{} 1\n", i % 7))
        .collect();
    let dir = scratch_dir("pipe");
    let path = dir.join("big.folded");
    std::fs::write(&path, input).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_flamegraph"))
        .args(["--minwidth", "0"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // stdout is dropped here: the reader went away
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&output.stderr).trim().is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(head.starts_with(b"<?xml"));
    let _ = std::fs::remove_dir_all(&dir);
}

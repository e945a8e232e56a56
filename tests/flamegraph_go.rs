//! `flamegraph`'s extensions for Go profiles (docs/flamegraph.md, "Units" and "Colors"):
//! `--units` labels as `go tool pprof` prints them, `--colors go` by class of frame, and the
//! words a first use meets (an unknown palette, a typo, a pprof profile piped in directly).

mod common;

use std::path::Path;
use std::process::Command;

use common::flamegraph::{parse_graph, run_flamegraph, Graph, RunResult};
use flamepipe::flamegraph::color::{hue_color, seeded_value, Hue};
use flamepipe::flamegraph::Units;

fn run(args: &[&str], stdin: &[u8]) -> RunResult {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    run_flamegraph(&args, stdin, &std::env::temp_dir())
}

fn graph(result: &RunResult) -> Graph {
    parse_graph(&result.stdout).unwrap_or_else(|e| panic!("not well-formed: {e}"))
}

fn titles_in(result: &RunResult) -> Vec<String> {
    graph(result).frames.into_iter().map(|f| f.title).collect()
}

/// `tests/data/units.tsv`: `UNIT<TAB>VALUE<TAB>LABEL` lines, made by `tests/go-units` (Go's own
/// float formatting under pprof's labelling rules): 0, values just below, at and above every
/// unit step, and values past 10^15.
fn units_table() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/units.tsv");
    std::fs::read_to_string(path).expect("tests/data/units.tsv")
}

#[test]
fn unit_labels_equal_go_tool_pprof_labels() {
    let table = units_table();
    let mut checked = 0;
    for line in table.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let [unit, value, expected] = fields[..] else {
            panic!("bad table line {line:?}");
        };
        let Some(Units::Scaled(scaled)) = Units::parse(unit) else {
            panic!("{unit} is not a memory or time unit");
        };
        let value: f64 = value.parse().expect("value");
        assert_eq!(scaled.label(value), expected, "{value} {unit}");
        checked += 1;
    }
    assert!(checked > 500, "only {checked} table lines");
}

/// The table is what Go prints: regenerate it with the Go program and compare.
#[test]
#[ignore = "needs go"]
fn units_table_is_what_go_prints() {
    common::go_demo::require_go();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/go-units");
    let mut cmd = Command::new(std::env::var("GO").unwrap_or_else(|_| "go".into()));
    cmd.args(["run", "."])
        .current_dir(&dir)
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local");
    if std::env::var_os("HOME").is_none() && std::env::var_os("GOCACHE").is_none() {
        cmd.env(
            "GOCACHE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("gocache"),
        );
    }
    let output = cmd.output().expect("go run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), units_table());
}

#[test]
fn units_label_every_tooltip() {
    // exact integer counts past 10^15 (a block profile in nanoseconds), 0 and a unit step
    let input =
        b"main;runtime.gopark 1000000000000001\nmain;sync.(*Mutex).Lock 1500000\nmain;idle 0\n";
    let result = run(&["--units", "nanoseconds", "--minwidth", "0"], input);
    assert_eq!(result.status, 0, "{}", result.stderr);
    let titles = titles_in(&result);
    for title in [
        "all (277.78hrs, 100%)",
        "main (277.78hrs, 100.00%)",
        "runtime.gopark (277.78hrs, 100.00%)",
        "sync.(*Mutex).Lock (1.50ms, 0.00%)",
        "idle (0, 0.00%)",
    ] {
        assert!(
            titles.iter().any(|t| t == title),
            "{title} not in {titles:?}"
        );
    }
    // no "samples" warning for a total of bytes
    let result = run(&["--units", "B"], b"a 1536\nb 512\n");
    assert!(result.stderr.is_empty(), "{}", result.stderr);
    let titles = titles_in(&result);
    assert!(titles.contains(&"all (2kB, 100%)".to_owned()), "{titles:?}");
    assert!(
        titles.contains(&"a (1.50kB, 75.00%)".to_owned()),
        "{titles:?}"
    );
}

#[test]
fn units_with_factor_and_differential() {
    let result = run(&["--units", "MB", "--factor", "0.5"], b"a 3 1\nb 2 3\n");
    let titles = titles_in(&result);
    assert!(titles.contains(&"all (2MB, 100%)".to_owned()), "{titles:?}");
    // the label shows the value after --factor; P is computed from the rounded count, as
    // without --units (0.5 rounds to 0, 1.5 to 2)
    for title in ["a (512kB, 0.00%; -100.00%)", "b (1.50MB, 100.00%; +50.00%)"] {
        assert!(
            titles.contains(&title.to_owned()),
            "{title} not in {titles:?}"
        );
    }
}

#[test]
fn other_units_name_the_counts() {
    let result = run(&["--units", "goroutines"], b"main;select 7\n");
    let titles = titles_in(&result);
    assert!(titles.contains(&"all (7 goroutines, 100%)".to_owned()));
    // not samples, so no low-count warning
    assert!(result.stderr.is_empty(), "{}", result.stderr);
    let result = run(&["--units", "count", "--countname", "threads"], b"a 8\n");
    assert!(titles_in(&result).contains(&"all (8 threads, 100%)".to_owned()));
    let result = run(&["--units", ""], b"a 8\n");
    assert_eq!(result.status, 255);
    assert!(result
        .stderr
        .starts_with("Option units requires an argument\n"));
}

#[test]
fn go_palette_colors_each_class() {
    let names = [
        ("region=eu", Hue::Purple),
        ("[chan receive]", Hue::Blue),
        ("0x45e1a0", Hue::Orange),
        ("runtime.mallocgc", Hue::Red),
        ("internal/runtime/atomic.Load", Hue::Red),
        ("main.handle", Hue::Green),
        ("github.com/x/y.F", Hue::Aqua),
        ("net/http.(*conn).serve", Hue::Yellow),
        ("__libc_write", Hue::Orange),
    ];
    let input: String = names.iter().map(|(n, _)| format!("{n} 10\n")).collect();
    let result = run(&["--colors", "go"], input.as_bytes());
    assert_eq!(result.status, 0, "{}", result.stderr);
    let graph = graph(&result);
    for (name, hue) in names {
        let frame = graph
            .frames
            .iter()
            .find(|f| f.title.starts_with(&format!("{name} (")))
            .unwrap_or_else(|| panic!("no frame {name}"));
        let v = seeded_value(name);
        assert_eq!(frame.fill, hue_color(hue, v, v, v).to_string(), "{name}");
    }
    let root = graph
        .frames
        .iter()
        .find(|f| f.title.starts_with("all ("))
        .unwrap();
    let v = seeded_value("");
    assert_eq!(root.fill, hue_color(Hue::Orange, v, v, v).to_string());
    // grey background by default
    let svg = String::from_utf8(result.stdout).unwrap();
    assert!(svg.contains("<stop stop-color=\"#f8f8f8\" offset=\"5%\" />"));
}

#[test]
fn unknown_palette_warns_and_lists_the_names() {
    let result = run(&["--colors", "memory"], b"a 100\n");
    assert_eq!(result.status, 0);
    assert_eq!(
        result.stderr,
        "flamegraph: unknown palette \"memory\" (did you mean mem?): every frame is drawn black; \
         palettes: hot, mem, io, red, green, blue, yellow, purple, aqua, orange, java, perl, js, \
         wakeup, chain, go\n"
    );
    // the graph is flamegraph.pl's: black frames
    assert!(graph(&result).frames.iter().all(|f| f.fill == "rgb(0,0,0)"));
}

#[test]
fn option_typo_is_one_line_and_a_hint() {
    let result = run(&["--colr", "go"], b"a 1\n");
    assert_eq!(result.status, 255);
    assert_eq!(
        result.stderr,
        "Unknown option: colr\nDid you mean --colors? Try 'flamegraph --help' for the options.\n"
    );
    assert!(result.stdout.is_empty());
}

#[test]
fn pprof_profile_piped_in_says_so() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let gzipped = std::fs::read(root.join("examples/go-demo.heap.pb.gz")).unwrap();
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzipped[..]), &mut raw).unwrap();
    for (bytes, what) in [(&gzipped, "gzip-compressed data"), (&raw, "protobuf data")] {
        let result = run(&[], bytes);
        assert_eq!(result.status, 1);
        assert!(result.stdout.is_empty());
        assert_eq!(
            result.stderr,
            format!(
                "flamegraph: -: this looks like a pprof profile ({what}), not folded stacks: \
                 pipe it through pprof-collapse first\n"
            )
        );
    }
}

#[test]
fn error_svg_names_this_tool() {
    let result = run(&[], b"");
    assert_eq!(result.status, 2);
    let svg = String::from_utf8(result.stdout).unwrap();
    assert!(svg.contains(">ERROR: No valid input provided to flamegraph.</text>"));
}

/// `flamegraph --colors <TAB>` offers the palettes in every shell's completion script.
#[test]
fn completions_offer_the_palettes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect(name);
    let spaced = "hot mem io red green blue yellow purple aqua orange java perl js wakeup chain go";
    assert!(read("flamegraph.bash").contains(&format!("compgen -W \"{spaced}\"")));
    assert!(read("_flamegraph").contains(&format!(":PALETTE:({spaced})")));
    let fish = read("flamegraph.fish");
    let colors = fish
        .split("complete -c flamegraph ")
        .find(|c| c.starts_with("-l colors "))
        .expect("fish --colors");
    assert!(spaced.split(' ').all(
        |p| colors.contains(&format!("\n{p}\\t''")) || colors.contains(&format!("\"{p}\\t''"))
    ));
    let quoted: Vec<String> = spaced.split(' ').map(|p| format!("'{p}'")).collect();
    let ps1 = read("_flamegraph.ps1");
    assert!(ps1.contains("\"$previous\" -ieq '--colors'"));
    assert!(ps1.contains(&format!("return @({})", quoted.join(", "))));
    // bash, run for real: `--colors w<TAB>` completes to wakeup
    let script = format!(
        "source '{}'; COMP_WORDS=(flamegraph --colors w); COMP_CWORD=2; \
         _flamegraph flamegraph w --colors; echo \"${{COMPREPLY[@]}}\"",
        dir.join("flamegraph.bash").display()
    );
    let output = Command::new("bash")
        .args(["-c", &script])
        .output()
        .expect("bash");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "wakeup\n");
}

/// The man pages' SYNOPSIS shows what each option takes.
#[test]
fn man_synopsis_shows_the_value_placeholders() {
    let man = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let synopsis = |page: &str| {
        let text = std::fs::read_to_string(man.join(page)).expect(page);
        let at = text.find(".SH SYNOPSIS\n").expect("SYNOPSIS") + 13;
        text[at..].lines().next().unwrap_or_default().to_owned()
    };
    let flamegraph = synopsis("flamegraph.1");
    for item in [
        r"[\fB\-\-title\fR \fITEXT\fR]",
        r"[\fB\-\-units\fR \fIUNIT\fR]",
        r"[\fB\-\-colors\fR \fIPALETTE\fR]",
        r"[\fB\-\-hash\fR]",
        r"[\fIFILE\fR...]",
    ] {
        assert!(flamegraph.contains(item), "{item} not in {flamegraph}");
    }
    let fetch = synopsis("pprof-fetch.1");
    assert!(
        fetch.contains(r"[\fB\-t\fR|\fB\-\-seconds\fR \fIN\fR]"),
        "{fetch}"
    );
}

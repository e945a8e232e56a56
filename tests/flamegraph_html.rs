//! `flamegraph --html` (issue 15, docs/flamegraph.md "--html"): the page draws the SVG's graph.
//!
//! In headless Chromium (through chromedriver): for every conformance case but the `--cp` and
//! error ones, the page's `flamegraph.frames()` equals the frames of the SVG of the same command
//! line (plus `--minwidth 0`) in x, y, width, height, fill, title and label; and real mouse and
//! keyboard events drive hover, zoom, Reset Zoom, search, ignore case, Escape, the URL state and
//! resizing, with the canvas's pixels read to show the frames are drawn. Without a browser, the
//! page's structure is checked (self-contained, compact, every frame kept). The browser tests
//! are `#[ignore = "needs chromium"]`: `cargo test -- --include-ignored` runs them.

mod common;

use std::path::{Path, PathBuf};

use common::flamegraph::{
    case_dirs, parse_graph, read_maybe_gz, run_flamegraph, scratch_dir, FrameRow,
};
use common::webdriver::{Browser, F3};
use devtools::rng::Rng;
use serde_json::{json, Value};

const TINY: &str = "main;foo;bar 10\nmain;foo;baz 5\nmain;qux 3\nmain;foo;bar 2\n";
const HIGHLIGHT: [u8; 3] = [230, 0, 230];

/// Runs `flamegraph ARGS` on `input` in `dir`; returns (exit status, stdout).
fn flamegraph(args: &[String], input: &[u8], dir: &Path) -> (i32, Vec<u8>) {
    let out = run_flamegraph(args, input, dir);
    (out.status, out.stdout)
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

// ---------------------------------------------------------------------------------------------
// Without a browser: the page itself

#[test]
fn page_is_self_contained_and_keeps_every_frame() {
    let dir = scratch_dir("html-page");
    let input = read_maybe_gz(&bundled().join("go-default"), "in.folded").unwrap();
    let (status, page) = flamegraph(&strings(&["--html"]), &input, &dir);
    assert_eq!(status, 0);
    let page = String::from_utf8(page).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>\n"));
    for outside in ["<link", " src=", "url(", "http:", "https:", "@import"] {
        assert!(!page.contains(outside), "the page refers to {outside}");
    }
    assert!(page.contains("<noscript>"));
    // --minwidth is 0 by default: as many frames as the SVG with --minwidth 0, more than the
    // SVG's default keeps.
    let count = |page: &str| -> usize {
        let at = page.find("\ncount: ").unwrap() + 8;
        page[at..].split(',').next().unwrap().parse().unwrap()
    };
    let (_, svg0) = flamegraph(&strings(&["--minwidth", "0"]), &input, &dir);
    let (_, svg) = flamegraph(&[], &input, &dir);
    let all = parse_graph(&svg0).unwrap().frames.len();
    assert_eq!(count(&page), all);
    assert!(parse_graph(&svg).unwrap().frames.len() < all);
    let (_, page5) = flamegraph(&strings(&["--html", "--minwidth", "5"]), &input, &dir);
    let (_, svg5) = flamegraph(&strings(&["--minwidth", "5"]), &input, &dir);
    let page5 = String::from_utf8(page5).unwrap();
    assert_eq!(count(&page5), parse_graph(&svg5).unwrap().frames.len());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_valid_input_gives_an_error_page() {
    let dir = scratch_dir("html-error");
    let (status, page) = flamegraph(&strings(&["--html"]), b"junk\n", &dir);
    assert_eq!(status, 2);
    let page = String::from_utf8(page).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("ERROR: No valid input"), "{page}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// Same graph: frames() against the SVG's frames, every case

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/flamegraph")
}

/// One case rendered both ways: the page's file URL and the SVG's frames and headings.
struct Rendered {
    name: String,
    url: String,
    svg: common::flamegraph::Graph,
}

/// Renders every case of `root` but the `--cp` and error ones into `dir`.
fn render_cases(root: &Path, tag: &str, dir: &Path) -> Vec<Rendered> {
    let mut out = Vec::new();
    for case in case_dirs(root) {
        let name = format!("{tag}-{}", case.file_name().unwrap().to_string_lossy());
        let args: Vec<String> = std::fs::read_to_string(case.join("args"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect();
        let rc = std::fs::read_to_string(case.join("expected.rc")).unwrap();
        if rc.trim() != "0" || args.iter().any(|a| a == "--cp") {
            continue;
        }
        let input = read_maybe_gz(&case, "in.folded").unwrap_or_default();
        out.push(render_one(name, &args, &input, dir));
    }
    out
}

/// Renders `input` with `args` as a page and as an SVG (plus `--minwidth 0` before the args).
fn render_one(name: String, args: &[String], input: &[u8], dir: &Path) -> Rendered {
    let mut svg_args = strings(&["--minwidth", "0"]);
    svg_args.extend(args.iter().cloned());
    let (status, svg) = flamegraph(&svg_args, input, dir);
    assert_eq!(status, 0, "{name}: SVG");
    let mut html_args = args.to_vec();
    html_args.push("--html".into());
    let (status, page) = flamegraph(&html_args, input, dir);
    assert_eq!(status, 0, "{name}: page");
    let path = dir.join(format!("{name}.html"));
    std::fs::write(&path, page).unwrap();
    let svg = parse_graph(&svg).unwrap_or_else(|e| panic!("{name}: {e}"));
    Rendered {
        name,
        url: format!("file://{}", path.display()),
        svg,
    }
}

/// Inputs beyond the conformance cases: exact ties in the percentages and positions, integers
/// past 2^53, fractional sums, zero counts, differential `--negate` with `--factor`, names
/// with markup, control characters and astral code points, `--nameattr` titles.
fn edge_cases(dir: &Path) -> Vec<Rendered> {
    let attrs = dir.join("attrs.tsv");
    std::fs::write(&attrs, "b\ttitle=custom title\nc\ttitle=0\n").unwrap();
    let attrs = attrs.display().to_string();
    let cases: [(&str, &[&str], &str); 10] = [
        ("ties", &[], "a;b 97\na;c 702\nd 1\n"),
        ("big", &["--width", "1000"], "a;b 239807672958951488\na;c 1000000000000001\nx 9007199254740993\n"),
        ("fractions", &["--total", "40.3"], "a;b 0.1\na;b;c 0.2\na 0.30000000000000004\nz 16.5\n"),
        ("zeros", &["--flamechart"], "a;b 0\na;b 3\na;c 0\nd;e 0\nd 2\n"),
        ("diff", &["--negate", "--factor", "0.3", "--inverted"], "a;b 1 5\na;b;c 2 1\nx 3 3\ny;z 7 0.5\n"),
        ("names", &["--hash", "--fontsize", "9.5", "--width", "777"], "m;<b>&\"q\" 5\nm;t\u{1}ab\u{7}_[k] 3\nm;\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600} 40\nm;ééééééééé_[j] 9\n"),
        ("attrs", &["--nameattr", &attrs, "--colors", "java"], "a;b 4\na;c 5\nb 1\n"),
        ("units", &["--units", "bytes", "--factor", "0.5", "--colors", "go"], "main.a;runtime.mallocgc 1536\nmain.a;sort.Slice 2097152\n[select];x=1 3 1\nz 0\n"),
        ("units-time", &["--units", "ms", "--minwidth", "0"], "a;b 1\na;c 1500\nd 3600001\ne 0\n"),
        ("huge", &["--minwidth", "0", "--units", "ns"], "s0;k;i 239807672958951499\ns1;k;i 129127208516546613\nt 3\n"),
    ];
    cases
        .iter()
        .map(|(name, args, input)| {
            render_one(
                format!("edge-{name}"),
                &strings(args),
                input.as_bytes(),
                dir,
            )
        })
        .collect()
}

/// Random graphs (fixed seed): stacks over a few names, integer, decimal and two-count lines,
/// each with a random set of the options that shape frames.
fn random_cases(dir: &Path) -> Vec<Rendered> {
    const NAMES: [&str; 6] = ["main", "a.b", "x_[k]", "--", "-", "\u{e9}t\u{e9}"];
    const OPTIONS: [&[&str]; 8] = [
        &["--reverse"],
        &["--inverted"],
        &["--flamechart"],
        &["--hash"],
        &["--factor", "2.5"],
        &["--total", "3000"],
        &["--colors", "chain"],
        &["--width", "640", "--fontwidth", "0.8"],
    ];
    let mut rng = Rng(15);
    (0..6)
        .map(|case| {
            let mut input = String::new();
            for _ in 0..40 + rng.index(200) {
                let depth = 1 + rng.index(8);
                let stack: Vec<&str> = (0..depth).map(|_| NAMES[rng.index(NAMES.len())]).collect();
                let count = match rng.below(4) {
                    0 => format!("{}.{}", rng.below(50), rng.below(100)),
                    1 if case % 2 == 0 => format!("{} {}", rng.below(30), rng.below(30)),
                    _ => rng.below(40).to_string(),
                };
                input.push_str(&format!("{} {count}\n", stack.join(";")));
            }
            let mut args = Vec::new();
            for opts in OPTIONS {
                if rng.below(3) == 0 {
                    args.extend(strings(opts));
                }
            }
            render_one(format!("random-{case}"), &args, input.as_bytes(), dir)
        })
        .collect()
}

const READ_FRAMES: &str = r#"
const t = id => { const e = document.getElementById(id); return e ? e.textContent : null; };
return [t('title'), t('subtitle'), flamegraph.frames().map(f => [String(f.x), String(f.y),
  String(f.width), String(f.height), f.fill, f.title, f.label])];"#;

/// The differences between the page's frames and the SVG's, in order (both use the SVG's).
fn compare_page(b: &Browser, case: &Rendered) -> Vec<String> {
    b.goto(&case.url).unwrap();
    let v = b.eval(READ_FRAMES, json!([])).unwrap();
    let mut problems = Vec::new();
    let svg = &case.svg;
    if v[0].as_str() != svg.title.as_deref() || v[1].as_str() != svg.subtitle.as_deref() {
        problems.push(format!(
            "headings {} {} != {:?} {:?}",
            v[0], v[1], svg.title, svg.subtitle
        ));
    }
    let frames = v[2].as_array().unwrap();
    if frames.len() != svg.frames.len() {
        problems.push(format!("{} frames != {}", frames.len(), svg.frames.len()));
    }
    for (i, (page, want)) in frames.iter().zip(&svg.frames).enumerate() {
        let got = page_row(page);
        if got != *want {
            problems.push(format!("frame {i}: page {got:?} != SVG {want:?}"));
        }
    }
    problems.truncate(5);
    problems
        .into_iter()
        .map(|p| format!("{}: {p}", case.name))
        .collect()
}

fn page_row(v: &Value) -> FrameRow {
    let s = |i: usize| v[i].as_str().unwrap_or_default().to_string();
    let f = |i: usize| s(i).parse::<f64>().unwrap_or(f64::NAN);
    FrameRow {
        x: f(0),
        y: f(1),
        width: f(2),
        height: f(3),
        fill: s(4),
        title: s(5),
        label: s(6),
    }
}

#[test]
#[ignore = "needs chromium"]
fn page_frames_equal_the_svg_frames() {
    let (chromium, chromedriver) = tools();
    let dir = scratch_dir("html-cases");
    let (cases, browser) = std::thread::scope(|scope| {
        let cases = scope.spawn(|| {
            let mut cases = render_cases(&bundled(), "bundled", &dir);
            cases.extend(edge_cases(&dir));
            cases.extend(random_cases(&dir));
            if let Some(shared) = std::env::var_os("FLAMEPIPE_SHARED") {
                let root = PathBuf::from(shared).join("conformance/flamegraph");
                cases.extend(render_cases(&root, "shared", &dir));
            }
            cases
        });
        let browser = Browser::start(&chromium, &chromedriver, &dir).unwrap();
        (cases.join().unwrap(), browser)
    });
    assert!(cases.len() >= 53, "only {} cases", cases.len());
    let problems: Vec<String> = cases
        .iter()
        .flat_map(|c| compare_page(&browser, c))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    drop(browser);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// Real events

fn tools() -> (PathBuf, PathBuf) {
    let chromium = common::tools::require_any(
        &["chromium", "chromium-browser", "google-chrome"],
        "chromium",
    );
    (
        chromium,
        common::tools::require("chromedriver", "chromium-driver"),
    )
}

/// A frame of frames() with its index.
#[derive(Debug, Clone)]
struct PageFrame {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    fill: String,
    title: String,
}

fn page_frames(b: &Browser) -> Vec<PageFrame> {
    let v = b
        .eval(
            "return flamegraph.frames().map(f => [f.x, f.y, f.width, f.height, f.fill, f.title]);",
            json!([]),
        )
        .unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| PageFrame {
            x: f[0].as_f64().unwrap(),
            y: f[1].as_f64().unwrap(),
            width: f[2].as_f64().unwrap(),
            height: f[3].as_f64().unwrap(),
            fill: f[4].as_str().unwrap().to_string(),
            title: f[5].as_str().unwrap().to_string(),
        })
        .collect()
}

fn find(frames: &[PageFrame], name: &str) -> usize {
    frames
        .iter()
        .position(|f| f.title.starts_with(&format!("{name} (")))
        .unwrap_or_else(|| panic!("no frame {name}"))
}

/// The canvas's width in CSS px and its position in the viewport.
fn canvas_box(b: &Browser) -> (f64, f64, f64) {
    let v = b
        .eval(
            "const r = document.getElementById('canvas').getBoundingClientRect();
             return [r.width, r.left, r.top];",
            json!([]),
        )
        .unwrap();
    (
        v[0].as_f64().unwrap(),
        v[1].as_f64().unwrap(),
        v[2].as_f64().unwrap(),
    )
}

/// Viewport position of SVG coordinates (sx, sy) while unzoomed: the graph's width is
/// stretched to the canvas's.
fn viewport(b: &Browser, sx: f64, sy: f64) -> (f64, f64) {
    let (width, left, top) = canvas_box(b);
    (
        left + 10.0 + (sx - 10.0) * (width - 20.0) / 1180.0,
        top + sy,
    )
}

fn centre_of(b: &Browser, f: &PageFrame) -> (f64, f64) {
    viewport(b, f.x + f.width / 2.0, f.y + f.height / 2.0)
}

/// The canvas pixel under viewport position (x, y), as [r, g, b].
fn pixel(b: &Browser, (x, y): (f64, f64)) -> [u8; 3] {
    let v = b
        .eval(
            "const c = document.getElementById('canvas'), r = c.getBoundingClientRect();
             const k = c.width / r.width;
             const d = c.getContext('2d').getImageData(Math.floor((arguments[0] - r.left) * k),
               Math.floor((arguments[1] - r.top) * k), 1, 1).data;
             return [d[0], d[1], d[2]];",
            json!([x, y]),
        )
        .unwrap();
    let c = |i: usize| v[i].as_u64().unwrap() as u8;
    [c(0), c(1), c(2)]
}

fn rgb(fill: &str) -> [u8; 3] {
    let inner = fill
        .strip_prefix("rgb(")
        .and_then(|f| f.strip_suffix(')'))
        .unwrap();
    let parts: Vec<u8> = inner.split(',').map(|p| p.parse().unwrap()).collect();
    [parts[0], parts[1], parts[2]]
}

fn text_of(b: &Browser, id: &str) -> String {
    let v = b
        .eval(
            "return document.getElementById(arguments[0]).textContent;",
            json!([id]),
        )
        .unwrap();
    v.as_str().unwrap_or_default().to_string()
}

fn shown(b: &Browser, id: &str) -> bool {
    let v = b
        .eval(
            "const e = document.getElementById(arguments[0]);
             return getComputedStyle(e).display !== 'none';",
            json!([id]),
        )
        .unwrap();
    v.as_bool().unwrap()
}

fn has_class(b: &Browser, id: &str, class: &str) -> bool {
    let v = b
        .eval(
            "return document.getElementById(arguments[0]).classList.contains(arguments[1]);",
            json!([id, class]),
        )
        .unwrap();
    v.as_bool().unwrap()
}

fn click_id(b: &Browser, id: &str) {
    let v = b
        .eval(
            "const r = document.getElementById(arguments[0]).getBoundingClientRect();
             return [r.left + r.width / 2, r.top + r.height / 2];",
            json!([id]),
        )
        .unwrap();
    b.click(v[0].as_f64().unwrap(), v[1].as_f64().unwrap(), false)
        .unwrap();
}

fn query(b: &Browser) -> String {
    let url = b.url().unwrap();
    url.split_once('?')
        .map_or(String::new(), |(_, q)| format!("?{q}"))
}

fn drawn(b: &Browser) -> u64 {
    b.eval("return flamegraph.drawn;", json!([]))
        .unwrap()
        .as_u64()
        .unwrap()
}

const PROMPT: &str =
    "Enter a search term (regexp allowed, eg: ^ext4_)\nPress Ctrl-i to toggle case sensitivity";
const PROMPT_IC: &str = "Enter a search term (regexp allowed, eg: ^ext4_), ignoring case\nPress Ctrl-i to toggle case sensitivity";

#[test]
#[ignore = "needs chromium"]
fn page_answers_real_events() {
    let (chromium, chromedriver) = tools();
    let dir = scratch_dir("html-events");
    let tiny = dir.join("tiny.html");
    let (_, page) = flamegraph(&strings(&["--html"]), TINY.as_bytes(), &dir);
    std::fs::write(&tiny, page).unwrap();
    let url = format!("file://{}", tiny.display());
    let b = Browser::start(&chromium, &chromedriver, &dir).unwrap();
    b.goto(&url).unwrap();
    let orig = page_frames(&b);
    assert_eq!(orig.len(), 6);
    hover_and_pixels(&b, &orig);
    zoom_and_reset(&b, &orig);
    search_keys(&b, &orig);
    state_in_url(&b, &url, &orig);
    resize_and_density(&b, &orig);
    linked_frame(&b, &dir);
    drop(b);
    let _ = std::fs::remove_dir_all(&dir);
}

fn hover_and_pixels(b: &Browser, orig: &[PageFrame]) {
    let background = pixel(b, viewport(b, 600.0, 5.0));
    for f in orig {
        assert_eq!(pixel(b, centre_of(b, f)), rgb(&f.fill), "{} drawn", f.title);
    }
    // the 1 px gap between rows shows the background
    let top = &orig[find(orig, "foo")];
    let gap = viewport(b, top.x + 5.0, top.y + top.height + 0.5);
    assert_ne!(pixel(b, gap), rgb(&top.fill));
    assert_ne!(background, rgb(&top.fill));

    b.hover(centre_of(b, top).0, centre_of(b, top).1).unwrap();
    assert_eq!(text_of(b, "details"), "Function: foo (17 samples, 85.00%)");
    assert!(shown(b, "tooltip"));
    assert_eq!(text_of(b, "tooltip"), "foo (17 samples, 85.00%)");
    let leaf = &orig[find(orig, "baz")];
    b.hover(centre_of(b, leaf).0, centre_of(b, leaf).1).unwrap();
    assert_eq!(text_of(b, "details"), "Function: baz (5 samples, 25.00%)");
    b.hover(600.0, 5.0).unwrap();
    assert_eq!(text_of(b, "details"), " ");
    assert!(!shown(b, "tooltip"));
}

fn zoom_and_reset(b: &Browser, orig: &[PageFrame]) {
    let (middle, bar, qux) = (find(orig, "foo"), find(orig, "bar"), find(orig, "qux"));
    let (foo_at, qux_at) = (centre_of(b, &orig[middle]), centre_of(b, &orig[qux]));
    assert!(!shown(b, "unzoom"));
    b.click(foo_at.0, foo_at.1, false).unwrap();
    assert_eq!(query(b), "?x=10.0&y=53");
    assert!(shown(b, "unzoom"));
    // foo now spans the width: its colour where qux was; bar widened by 1180/1003; main (the
    // stretched parent) drawn at half opacity over the background
    assert_eq!(pixel(b, qux_at), rgb(&orig[middle].fill));
    let bar_end = 10.0 + orig[bar].width * 1180.0 / 1003.0;
    let inside_bar = viewport(b, bar_end - 4.0, orig[bar].y + 8.0);
    assert_eq!(pixel(b, inside_bar), rgb(&orig[bar].fill));
    let main = &orig[find(orig, "main")];
    let main_px = pixel(b, viewport(b, 1100.0, main.y + 8.0));
    assert_ne!(main_px, rgb(&main.fill), "parent not faded");
    b.hover(qux_at.0, qux_at.1).unwrap();
    assert_eq!(text_of(b, "details"), "Function: foo (17 samples, 85.00%)");
    // Reset Zoom: the original picture and URL
    click_id(b, "unzoom");
    assert_eq!(query(b), "");
    assert!(!shown(b, "unzoom"));
    assert_eq!(pixel(b, qux_at), rgb(&orig[qux].fill));
    // zoom by a click, then a click on the root resets; zoom(i) from a script too
    b.click(qux_at.0, qux_at.1, false).unwrap();
    assert_eq!(query(b), "?x=1013.0&y=53");
    let root = centre_of(b, &orig[0]);
    b.click(root.0, root.1, false).unwrap();
    assert_eq!(query(b), "");
    b.eval("flamegraph.zoom(arguments[0]);", json!([bar]))
        .unwrap();
    assert_eq!(query(b), "?x=10.0&y=37");
    b.key("\u{E00C}", false).unwrap(); // Escape
    assert_eq!(query(b), "");
    assert_eq!(pixel(b, qux_at), rgb(&orig[qux].fill));
}

fn search_keys(b: &Browser, orig: &[PageFrame]) {
    let foo_at = centre_of(b, &orig[find(orig, "foo")]);
    let bar_at = centre_of(b, &orig[find(orig, "bar")]);
    let baz_at = centre_of(b, &orig[find(orig, "baz")]);
    b.key("f", true).unwrap();
    assert_eq!(b.prompt_text().unwrap(), PROMPT);
    b.answer_prompt("foo$").unwrap();
    assert_eq!(text_of(b, "matched"), "Matched: 85.0%");
    assert_eq!(text_of(b, "search"), "Reset Search");
    assert!(has_class(b, "search", "show"));
    assert_eq!(query(b), "?s=foo%24");
    assert_eq!(pixel(b, foo_at), HIGHLIGHT);
    assert_ne!(pixel(b, bar_at), HIGHLIGHT);
    // F3 while a search is active resets it
    b.key(F3, false).unwrap();
    assert_eq!(text_of(b, "matched").trim(), "");
    assert_eq!(text_of(b, "search"), "Search");
    assert_eq!(query(b), "");
    assert_eq!(pixel(b, foo_at), rgb(&orig[find(orig, "foo")].fill));
    // the button opens the prompt; no match: nothing highlighted; Ctrl-I re-runs ignoring case
    click_id(b, "search");
    assert_eq!(b.prompt_text().unwrap(), PROMPT);
    b.answer_prompt("BA[RZ]").unwrap();
    assert_eq!(text_of(b, "search"), "Search");
    b.key("i", true).unwrap();
    assert!(has_class(b, "ignorecase", "show"));
    assert_eq!(text_of(b, "matched"), "Matched: 85.0%");
    assert_eq!(pixel(b, bar_at), HIGHLIGHT);
    assert_eq!(pixel(b, baz_at), HIGHLIGHT);
    assert_ne!(pixel(b, foo_at), HIGHLIGHT);
    // zoomed: hidden frames do not count
    b.click(bar_at.0, bar_at.1, false).unwrap();
    assert_eq!(text_of(b, "matched"), "Matched: 100%");
    assert_eq!(query(b), "?s=BA%5BRZ%5D&x=10.0&y=37");
    // Escape resets zoom and search; the ic state stays and the prompt says so
    b.key("\u{E00C}", false).unwrap();
    assert_eq!(query(b), "");
    assert_eq!(text_of(b, "search"), "Search");
    assert_ne!(pixel(b, bar_at), HIGHLIGHT);
    b.key(F3, false).unwrap();
    assert_eq!(b.prompt_text().unwrap(), PROMPT_IC);
    b.cancel_prompt().unwrap();
    assert_eq!(text_of(b, "search"), "Search");
    click_id(b, "ignorecase");
    assert!(!has_class(b, "ignorecase", "show"));
    // an invalid regular expression is matched as text; search() from a script
    b.eval("flamegraph.search('(ba');", json!([])).unwrap();
    assert_eq!(text_of(b, "matched").trim(), "");
    b.eval("flamegraph.search('ba');", json!([])).unwrap();
    assert_eq!(text_of(b, "matched"), "Matched: 85.0%");
    b.eval("flamegraph.search('');", json!([])).unwrap();
    assert_eq!(query(b), "");
}

fn state_in_url(b: &Browser, url: &str, orig: &[PageFrame]) {
    b.goto(&format!("{url}?x=718.0&y=37&s=%5Eba")).unwrap();
    assert!(shown(b, "unzoom"));
    assert_eq!(text_of(b, "matched"), "Matched: 100%");
    // baz fills the width, highlighted, where foo's start was
    let bar_at = centre_of(b, &orig[find(orig, "bar")]);
    assert_eq!(pixel(b, bar_at), HIGHLIGHT);
    click_id(b, "unzoom");
    assert_eq!(query(b), "?s=%5Eba");
    assert_eq!(text_of(b, "matched"), "Matched: 85.0%");
    b.goto(&format!("{url}?q=1&x=9.0&y=37")).unwrap();
    assert!(!shown(b, "unzoom"));
    let qux_at = centre_of(b, &orig[find(orig, "qux")]);
    b.click(qux_at.0, qux_at.1, false).unwrap();
    assert_eq!(query(b), "?q=1&x=1013.0&y=53");
    click_id(b, "unzoom");
    assert_eq!(query(b), "?q=1");
}

fn resize_and_density(b: &Browser, orig: &[PageFrame]) {
    let before = drawn(b);
    let (wide, _, _) = canvas_box(b);
    b.set_window_size(900, 1000).unwrap();
    let resized = (0..250).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        canvas_box(b).0 < wide - 100.0 && drawn(b) > before
    });
    assert!(resized, "no redraw after resize");
    for name in ["qux", "baz", "main"] {
        let f = &orig[find(orig, name)];
        assert_eq!(
            pixel(b, centre_of(b, f)),
            rgb(&f.fill),
            "{name} after resize"
        );
    }
    // a high-density screen: the canvas has device pixels, the frames the same places
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 800, "height": 900, "deviceScaleFactor": 2, "mobile": false}),
    )
    .unwrap();
    let sharp = (0..250).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        let v = b
            .eval(
                "const c = document.getElementById('canvas');
                 return c.width === 2 * c.clientWidth && c.clientWidth === 800;",
                json!([]),
            )
            .unwrap();
        v.as_bool().unwrap()
    });
    let state = b
        .eval(
            "const c = document.getElementById('canvas');
             return [c.width, c.clientWidth, window.devicePixelRatio, innerWidth];",
            json!([]),
        )
        .unwrap();
    assert!(sharp, "canvas not at the device pixel ratio: {state}");
    for name in ["qux", "bar", "foo"] {
        let f = &orig[find(orig, name)];
        assert_eq!(pixel(b, centre_of(b, f)), rgb(&f.fill), "{name} at 2x");
    }
    let qux = &orig[find(orig, "qux")];
    b.hover(centre_of(b, qux).0, centre_of(b, qux).1).unwrap();
    assert_eq!(text_of(b, "details"), "Function: qux (3 samples, 15.00%)");
}

/// A `--nameattr` link: a plain click follows it, Ctrl+click zooms.
fn linked_frame(b: &Browser, dir: &Path) {
    let attrs = dir.join("links.tsv");
    std::fs::write(&attrs, "qux\thref=#followed\n").unwrap();
    let args = strings(&["--html", "--nameattr", &attrs.display().to_string()]);
    let (_, page) = flamegraph(&args, TINY.as_bytes(), dir);
    let path = dir.join("linked.html");
    std::fs::write(&path, page).unwrap();
    b.cdp("Emulation.clearDeviceMetricsOverride", json!({}))
        .unwrap();
    b.goto(&format!("file://{}", path.display())).unwrap();
    let orig = page_frames(b);
    let qux_at = centre_of(b, &orig[find(&orig, "qux")]);
    b.click(qux_at.0, qux_at.1, false).unwrap();
    let followed = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        b.url().unwrap().ends_with("linked.html#followed")
    });
    assert!(followed, "link not followed: {}", b.url().unwrap());
    assert!(!shown(b, "unzoom"));
    b.click(qux_at.0, qux_at.1, true).unwrap();
    assert!(shown(b, "unzoom"));
    assert!(b
        .url()
        .unwrap()
        .ends_with("linked.html?x=1013.0&y=53#followed"));
}

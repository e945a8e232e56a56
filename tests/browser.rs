//! The flame graph's JavaScript in a real browser (issue 6, spec section 9).
//!
//! Opens flame graph SVGs in headless Chromium through chromedriver, drives real mouse and
//! keyboard events (WebDriver actions, the prompt answered through WebDriver) and checks the DOM
//! against the spec: hover details, click to zoom, Reset Zoom, URL state, search with
//! "Matched: P%", ignore case, inverted and reversed graphs, and the timing of a 100,000-frame
//! graph (printed, not asserted). It needs Chromium and chromedriver, so it is
//! `#[ignore = "needs chromium"]`: `cargo test -- --include-ignored` runs it.

mod common;

use common::webdriver::{Browser, F3};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/browser");
const HIGHLIGHT: &str = "rgb(230,0,230)";
/// Label refit threshold: 2 × fontsize × fontwidth with the defaults.
const MIN_LABEL_ROOM: f64 = 2.0 * 12.0 * 0.59;

#[test]
#[ignore = "needs chromium"]
fn flame_graph_in_chromium() {
    let chromium = common::tools::require_any(
        &["chromium", "chromium-browser", "google-chrome"],
        "chromium",
    );
    let chromedriver = common::tools::require("chromedriver", "chromium-driver");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    let mut clock = Stopwatch::new();
    let (graphs, browser) = std::thread::scope(|scope| {
        let graphs = scope.spawn(|| Graphs::write(&dir));
        let browser = Browser::start(&chromium, &chromedriver, &dir).unwrap();
        (graphs.join().unwrap(), browser)
    });
    let b = &browser;
    clock.lap("graphs rendered and browser started");

    tiny_hover_zoom_reset(b, &graphs.tiny);
    tiny_search(b, &graphs.tiny);
    tiny_state_in_url(b, &graphs.tiny);
    linked_frame(b, &graphs.linked);
    clock.lap("tiny graph checks");
    real_graph(b, &graphs.normal, false);
    real_graph(b, &graphs.inverted, true);
    real_graph(b, &graphs.reversed, false);
    clock.lap("Go profile checks (plain, --inverted, --reverse)");
    big_graph_timing(b, &graphs.big);
    clock.lap("100,091-frame graph");
}

/// Prints how long each part of the test took (to keep the test fast).
struct Stopwatch(std::time::Instant);

impl Stopwatch {
    fn new() -> Stopwatch {
        Stopwatch(std::time::Instant::now())
    }

    fn lap(&mut self, what: &str) {
        println!(
            "browser test: {what} in {} ms",
            self.0.elapsed().as_millis()
        );
        self.0 = std::time::Instant::now();
    }
}

// ---------------------------------------------------------------------------------------------
// Test graphs

struct Graphs {
    tiny: String,
    linked: String,
    normal: String,
    inverted: String,
    reversed: String,
    big: String,
}

impl Graphs {
    /// Renders the test graphs with the `flamegraph` binary into `dir`; returns their file URLs.
    fn write(dir: &Path) -> Graphs {
        let data = Path::new(DATA);
        let (tiny, go) = (data.join("tiny.folded"), data.join("go.folded"));
        let nameattr = dir.join("nameattr.txt");
        std::fs::write(&nameattr, "qux\thref=#followed\n").unwrap();
        let big = dir.join("big.folded");
        std::fs::write(&big, big_folded()).unwrap();
        let put = |name: &str, args: &[&Path]| -> String {
            let path = dir.join(name);
            std::fs::write(&path, render(args)).unwrap();
            format!("file://{}", path.display())
        };
        let opt = |o: &'static str| Path::new(o);
        Graphs {
            tiny: put("tiny.svg", &[&tiny]),
            linked: put("linked.svg", &[opt("--nameattr"), &nameattr, &tiny]),
            normal: put("go.svg", &[&go]),
            inverted: put("go-inverted.svg", &[opt("--inverted"), &go]),
            reversed: put("go-reverse.svg", &[opt("--reverse"), &go]),
            big: put("big.svg", &[opt("--minwidth"), opt("0"), &big]),
        }
    }
}

/// The SVG `flamegraph ARGS` writes.
fn render(args: &[&Path]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_flamegraph"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "flamegraph {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Leaves of the big graph: stacks `main;aI;pkg.bJ;pkg/sub.cK`, one sample each, give
/// 1 + 1 + 99 + 990 + 99,000 = 100,091 frames with `--minwidth 0`.
const BIG_LEAVES: usize = 99_000;

fn big_folded() -> String {
    (0..BIG_LEAVES)
        .map(|c| format!("main;a{};pkg.b{};pkg/sub.c{c} 1\n", c / 1000, c / 100))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Reading the page

/// One frame as the DOM shows it.
#[derive(Clone, Debug)]
struct Frame {
    class: String,
    x: f64,
    w: f64,
    y: f64,
    xs: String,
    ws: String,
    ys: String,
    fill: String,
    text_x: f64,
    label: String,
    title: String,
    shown: bool,
}

impl Frame {
    /// The frame name: the title without its trailing ` (...)` statistics.
    fn name(&self) -> &str {
        self.title.rsplit_once(" (").map_or(&self.title, |(n, _)| n)
    }

    fn has_class(&self, class: &str) -> bool {
        self.class.split_whitespace().any(|c| c == class)
    }
}

const READ_FRAMES: &str = r#"
return Array.from(document.getElementById('frames').children).map(g => {
  const r = g.querySelector('rect'), t = g.querySelector('text'), ti = g.querySelector('title');
  return [g.getAttribute('class') || '', r.getAttribute('x'), r.getAttribute('width'),
    r.getAttribute('y'), r.getAttribute('fill'), t ? t.getAttribute('x') : '0',
    t ? t.textContent : '', ti ? ti.textContent : '', getComputedStyle(g).display !== 'none'];
});"#;

fn frames(b: &Browser) -> Vec<Frame> {
    let value = b.eval(READ_FRAMES, json!([])).unwrap();
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let f = |v: &Value| s(v).parse::<f64>().unwrap();
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| Frame {
            class: s(&v[0]),
            x: f(&v[1]),
            w: f(&v[2]),
            y: f(&v[3]),
            xs: s(&v[1]),
            ws: s(&v[2]),
            ys: s(&v[3]),
            fill: s(&v[4]),
            text_x: f(&v[5]),
            label: s(&v[6]),
            title: s(&v[7]),
            shown: v[8].as_bool().unwrap(),
        })
        .collect()
}

fn text_of(b: &Browser, id: &str) -> String {
    let v = b
        .eval(
            "const e = document.getElementById(arguments[0]); return e ? e.textContent : null;",
            json!([id]),
        )
        .unwrap();
    v.as_str().unwrap_or_default().to_string()
}

fn class_of(b: &Browser, id: &str) -> String {
    let v = b
        .eval(
            "return document.getElementById(arguments[0]).getAttribute('class') || '';",
            json!([id]),
        )
        .unwrap();
    v.as_str().unwrap_or_default().to_string()
}

/// Viewport centre of an element picked by `selector` (scrolled into view first).
fn centre(b: &Browser, selector: &str) -> (f64, f64) {
    let v = b
        .eval(
            "const e = document.querySelector(arguments[0]); e.scrollIntoView({block: 'center'});
             const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2];",
            json!([selector]),
        )
        .unwrap_or_else(|e| panic!("{selector}: {e}"));
    (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
}

/// Selector of the rect of the frame at `index` among the children of #frames.
fn frame_rect(index: usize) -> String {
    format!("#frames > :nth-child({}) > rect", index + 1)
}

fn click_frame(b: &Browser, index: usize, ctrl: bool) {
    let (x, y) = centre(b, &frame_rect(index));
    b.click(x, y, ctrl).unwrap();
}

fn click_id(b: &Browser, id: &str) {
    let (x, y) = centre(b, &format!("#{id}"));
    b.click(x, y, false).unwrap();
}

/// The query part of the current URL ("" when none).
fn query(b: &Browser) -> String {
    let url = b.url().unwrap();
    url.split_once('?')
        .map_or(String::new(), |(_, q)| format!("?{q}"))
}

fn find(frames: &[Frame], name: &str) -> usize {
    frames
        .iter()
        .position(|f| f.name() == name)
        .unwrap_or_else(|| panic!("no frame {name}"))
}

// ---------------------------------------------------------------------------------------------
// Checks shared by all graphs

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.01
}

/// Checks the page against the zoom rules of spec section 9 for a zoom on `z`, given the
/// original frames; `inverted` puts the root at the top.
fn check_zoomed(b: &Browser, orig: &[Frame], z: usize, inverted: bool) {
    let now = frames(b);
    let (xmin, w) = (orig[z].x, orig[z].w);
    let (xmax, yz, ratio) = (xmin + w, orig[z].y, 1180.0 / w);
    for (o, f) in orig.iter().zip(&now) {
        let root_side = if inverted { o.y < yz } else { o.y > yz };
        let what = format!("zoom on {:?}: frame {:?}", orig[z].title, o.title);
        if root_side {
            if o.x <= xmin && o.x + o.w + 0.0001 >= xmax {
                assert!(
                    f.has_class("parent") && f.shown,
                    "{what}: parent expected, {f:?}"
                );
                assert!(
                    close(f.x, 10.0) && close(f.w, 1180.0),
                    "{what}: full width, {f:?}"
                );
                assert!(close(f.text_x, 13.0), "{what}: label x, {f:?}");
            } else {
                assert!(
                    f.has_class("hide") && !f.shown,
                    "{what}: hidden expected, {f:?}"
                );
            }
        } else if xmin <= o.x && o.x + 0.0001 < xmax {
            assert!(
                !f.has_class("hide") && !f.has_class("parent") && f.shown,
                "{what}: {f:?}"
            );
            let (x, width) = (10.0 + (o.x - xmin) * ratio, o.w * ratio);
            assert!(
                close(f.x, x) && close(f.w, width),
                "{what}: want x {x} width {width}, {f:?}"
            );
            assert!(close(f.text_x, f.x + 3.0), "{what}: label x, {f:?}");
        } else {
            assert!(
                f.has_class("hide") && !f.shown,
                "{what}: hidden expected, {f:?}"
            );
        }
    }
    check_labels(b, &now);
    assert_eq!(
        class_of(b, "unzoom"),
        "",
        "Reset Zoom is shown while zoomed"
    );
    let q = query(b);
    let want = format!("x={}&y={}", orig[z].xs, orig[z].ys);
    assert!(
        q.starts_with(&format!("?{want}")) || q.contains(&format!("&{want}")),
        "URL {q}, want {want}"
    );
}

/// Checks every shown label against the refit rule: "" when the room (width − 3) is below
/// 2 × fontsize × fontwidth, else the whole name when it fits, else the longest prefix + ".."
/// that fits, else "". Widths are measured in the page with a probe <text>.
fn check_labels(b: &Browser, now: &[Frame]) {
    const MEASURE: &str = r#"
const probe = document.createElementNS('http://www.w3.org/2000/svg', 'text');
document.documentElement.appendChild(probe);
const width = s => { probe.textContent = s; return s ? probe.getComputedTextLength() : 0; };
const out = arguments[0].map(([name, label]) => {
  const k = label.endsWith('..') ? label.length - 2 : 0;
  return [width(name), width(label), width(name.slice(0, k + 1) + '..')];
});
probe.remove();
return out;"#;
    let shown: Vec<&Frame> = now.iter().filter(|f| f.shown).collect();
    let pairs: Vec<Value> = shown.iter().map(|f| json!([f.name(), f.label])).collect();
    let widths = b.eval(MEASURE, json!([pairs])).unwrap();
    for (f, m) in shown.iter().zip(widths.as_array().unwrap()) {
        let (name_w, label_w, next_w) = (
            m[0].as_f64().unwrap(),
            m[1].as_f64().unwrap(),
            m[2].as_f64().unwrap(),
        );
        let room = f.w - 3.0;
        let what = format!(
            "label of {:?} (room {room:.2}, name {name_w:.2}): {:?}",
            f.title, f.label
        );
        if room < MIN_LABEL_ROOM {
            assert_eq!(f.label, "", "{what}");
        } else if name_w <= room {
            assert_eq!(f.label, f.name(), "{what}");
        } else if f.label.is_empty() {
            assert!(
                next_w > room - 0.5,
                "{what}: one character and .. would fit"
            );
        } else {
            let prefix = f
                .label
                .strip_suffix("..")
                .unwrap_or_else(|| panic!("{what}: no .."));
            assert!(f.name().starts_with(prefix) && !prefix.is_empty(), "{what}");
            assert!(label_w <= room + 0.5, "{what}: too wide ({label_w:.2})");
            assert!(
                next_w > room - 0.5,
                "{what}: a longer prefix fits ({next_w:.2})"
            );
        }
    }
}

/// Checks that every frame has its original geometry, label and fill, and no zoom class.
fn check_original(b: &Browser, orig: &[Frame]) {
    for (o, f) in orig.iter().zip(frames(b)) {
        assert_eq!(
            (&f.xs, &f.ws, &f.label, &f.fill, f.text_x, f.shown),
            (&o.xs, &o.ws, &o.label, &o.fill, o.text_x, true),
            "frame {:?} not restored",
            o.title
        );
        assert!(!f.has_class("parent") && !f.has_class("hide"), "{f:?}");
    }
    assert_eq!(class_of(b, "unzoom"), "hide");
}

/// Checks the search result: exactly the shown frames whose name satisfies `matches` are
/// highlighted, the rest keep their fill; "Matched: P%" is the share of the widest shown frame
/// covered by the union of the matched frames; the button and the URL follow.
fn check_search(b: &Browser, orig: &[Frame], term: &str, matches: impl Fn(&str) -> bool) {
    let now = frames(b);
    let mut spans = Vec::new();
    for (o, f) in orig.iter().zip(&now) {
        let hit = f.shown && matches(f.name());
        let want = if hit { HIGHLIGHT } else { o.fill.as_str() };
        assert_eq!(f.fill, want, "search {term:?}: fill of {:?}", f.title);
        if hit {
            spans.push((f.x, f.x + f.w));
        }
    }
    if spans.is_empty() {
        assert_eq!(
            text_of(b, "search"),
            "Search",
            "search {term:?} matched nothing"
        );
        assert_eq!(text_of(b, "matched").trim(), "");
        assert!(!query(b).contains("s="), "{}", query(b));
        return;
    }
    let widest = now
        .iter()
        .filter(|f| f.shown)
        .map(|f| f.w)
        .fold(0.0, f64::max);
    let pct = 100.0 * union_length(spans) / widest;
    let want = if (pct - 100.0).abs() < 1e-9 {
        "100".to_string()
    } else {
        format!("{pct:.1}")
    };
    assert_eq!(
        text_of(b, "matched"),
        format!("Matched: {want}%"),
        "search {term:?}"
    );
    assert_eq!(text_of(b, "search"), "Reset Search");
    assert!(class_of(b, "search").contains("show"));
    let q = query(b);
    let s = format!("s={}", encode(term));
    assert!(
        q.starts_with(&format!("?{s}")) || q.contains(&format!("&{s}")),
        "URL {q}, want {s}"
    );
}

/// Total length covered by a set of intervals.
fn union_length(mut spans: Vec<(f64, f64)>) -> f64 {
    spans.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let (mut total, mut end) = (0.0, f64::NEG_INFINITY);
    for (a, z) in spans {
        if z > end {
            total += z - a.max(end);
            end = z;
        }
    }
    total
}

/// encodeURIComponent.
fn encode(text: &str) -> String {
    let keep = |c: u8| c.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&c);
    text.bytes()
        .map(|c| {
            if keep(c) {
                (c as char).to_string()
            } else {
                format!("%{c:02X}")
            }
        })
        .collect()
}

fn check_search_reset(b: &Browser, orig: &[Frame]) {
    check_search(b, orig, "", |_| false);
    assert!(!class_of(b, "search").contains("show"));
}

const PROMPT: &str =
    "Enter a search term (regexp allowed, eg: ^ext4_)\nPress Ctrl-i to toggle case sensitivity";
const PROMPT_IC: &str = "Enter a search term (regexp allowed, eg: ^ext4_), ignoring case\nPress Ctrl-i to toggle case sensitivity";

/// Opens the search prompt with the Search button, checks its text and answers it.
fn search_with_button(b: &Browser, term: &str, prompt: &str) {
    click_id(b, "search");
    assert_eq!(b.prompt_text().unwrap(), prompt);
    b.answer_prompt(term).unwrap();
}

fn search_with_ctrl_f(b: &Browser, term: &str) {
    b.key("f", true).unwrap();
    assert_eq!(b.prompt_text().unwrap(), PROMPT);
    b.answer_prompt(term).unwrap();
}

// ---------------------------------------------------------------------------------------------
// The tiny graph of spec section 10: all > main > {foo > {bar 12, baz 5}, qux 3}

fn tiny_hover_zoom_reset(b: &Browser, url: &str) {
    b.goto(url).unwrap();
    let orig = frames(b);
    assert_eq!(orig.len(), 6);
    let (foo_i, bar_i, baz_i) = (find(&orig, "foo"), find(&orig, "bar"), find(&orig, "baz"));

    let (x, y) = centre(b, &frame_rect(foo_i));
    b.hover(x, y).unwrap();
    assert_eq!(text_of(b, "details"), "Function: foo (17 samples, 85.00%)");
    b.hover(x, 5.0).unwrap();
    assert_eq!(text_of(b, "details"), " ");
    let (x, y) = centre(b, &frame_rect(baz_i));
    b.hover(x, y).unwrap();
    assert_eq!(text_of(b, "details"), "Function: baz (5 samples, 25.00%)");

    click_frame(b, foo_i, false);
    check_zoomed(b, &orig, foo_i, false);
    let now = frames(b);
    let ratio = 1180.0 / 1003.0;
    assert!(close(now[bar_i].w, 708.0 * ratio) && close(now[baz_i].x, 10.0 + 708.0 * ratio));
    assert!(now[find(&orig, "qux")].has_class("hide"));
    assert!(now[find(&orig, "main")].has_class("parent"));
    assert_eq!(query(b), "?x=10.0&y=53");

    click_id(b, "unzoom");
    check_original(b, &orig);
    assert_eq!(query(b), "");

    // Zooming on a stretched parent zooms there; zooming on the root is Reset Zoom.
    click_frame(b, bar_i, false);
    check_zoomed(b, &orig, bar_i, false);
    click_frame(b, find(&orig, "main"), false);
    check_zoomed(b, &orig, find(&orig, "main"), false);
    click_frame(b, find(&orig, "all"), false);
    check_original(b, &orig);
    assert_eq!(query(b), "");
}

fn tiny_search(b: &Browser, url: &str) {
    b.goto(url).unwrap();
    let orig = frames(b);

    // The name only is matched, so `foo$` works; nested matches count once.
    search_with_button(b, "foo$", PROMPT);
    check_search(b, &orig, "foo$", |n| n == "foo");
    assert_eq!(text_of(b, "matched"), "Matched: 85.0%");
    click_id(b, "search");
    check_search_reset(b, &orig);
    search_with_ctrl_f(b, "foo$|bar");
    check_search(b, &orig, "foo$|bar", |n| n == "foo" || n == "bar");
    assert_eq!(text_of(b, "matched"), "Matched: 85.0%");
    b.key(F3, false).unwrap();
    check_search_reset(b, &orig);

    // Cancel and empty answers do nothing.
    click_id(b, "search");
    b.cancel_prompt().unwrap();
    check_search_reset(b, &orig);
    search_with_button(b, "", PROMPT);
    check_search_reset(b, &orig);

    // While zoomed, hidden frames do not count: qux is hidden by a zoom on foo.
    click_frame(b, find(&orig, "foo"), false);
    search_with_ctrl_f(b, "qux|bar");
    check_search(b, &orig, "qux|bar", |n| n == "bar");
    assert_eq!(text_of(b, "matched"), "Matched: 70.6%");
    // The search is re-applied on Reset Zoom: qux counts again.
    click_id(b, "unzoom");
    check_search(b, &orig, "qux|bar", |n| n == "bar" || n == "qux");
    assert_eq!(text_of(b, "matched"), "Matched: 75.0%");
    b.key("f", true).unwrap();
    check_search_reset(b, &orig);

    // Ignore case: Ctrl-I and the ic button toggle it and re-run the search.
    search_with_button(b, "BA[RZ]", PROMPT);
    check_search(b, &orig, "BA[RZ]", |_| false);
    b.key("i", true).unwrap();
    assert!(class_of(b, "ignorecase").contains("show"));
    check_search(b, &orig, "BA[RZ]", |n| n == "bar" || n == "baz");
    assert_eq!(text_of(b, "matched"), "Matched: 85.0%");
    click_id(b, "ignorecase");
    assert!(!class_of(b, "ignorecase").contains("show"));
    check_search(b, &orig, "BA[RZ]", |_| false);
    b.key("i", true).unwrap();
    click_id(b, "search");
    check_search_reset(b, &orig);
    search_with_button(b, "ALL|MAIN", PROMPT_IC);
    check_search(b, &orig, "ALL|MAIN", |n| n == "all" || n == "main");
    assert_eq!(text_of(b, "matched"), "Matched: 100%");
    click_id(b, "ignorecase");
}

fn tiny_state_in_url(b: &Browser, url: &str) {
    b.goto(url).unwrap();
    let orig = frames(b);
    b.goto(&format!("{url}?x=718.0&y=37&s=%5Eba")).unwrap();
    check_zoomed(b, &orig, find(&orig, "baz"), false);
    check_search(b, &orig, "^ba", |n| n == "baz");
    assert_eq!(text_of(b, "matched"), "Matched: 100%");
    click_id(b, "unzoom");
    assert_eq!(query(b), "?s=%5Eba");
    check_search(b, &orig, "^ba", |n| n.starts_with("ba"));
    // Other parameters are kept; an unknown position is ignored.
    b.goto(&format!("{url}?q=1&x=9.0&y=37")).unwrap();
    check_original(b, &orig);
    click_frame(b, find(&orig, "qux"), false);
    assert_eq!(query(b), "?q=1&x=1013.0&y=53");
    click_id(b, "unzoom");
    assert_eq!(query(b), "?q=1");
}

/// A frame that is a link (--nameattr href): a plain click follows it, Ctrl+click zooms.
fn linked_frame(b: &Browser, url: &str) {
    b.goto(url).unwrap();
    let orig = frames(b);
    let qux = find(&orig, "qux");
    click_frame(b, qux, false);
    let followed = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        b.url().unwrap().ends_with("linked.svg#followed")
    });
    assert!(followed, "link not followed: {}", b.url().unwrap());
    check_original(b, &orig);
    click_frame(b, qux, true);
    check_zoomed(b, &orig, qux, false);
    assert!(
        b.url()
            .unwrap()
            .ends_with("linked.svg?x=1013.0&y=53#followed"),
        "{}",
        b.url().unwrap()
    );
    assert_eq!(
        b.window_count().unwrap(),
        1,
        "Ctrl+click opened the link elsewhere"
    );
}

// ---------------------------------------------------------------------------------------------
// A real Go profile: normal, inverted (icicle) and --reverse

fn real_graph(b: &Browser, url: &str, inverted: bool) {
    b.goto(url).unwrap();
    let orig = frames(b);
    assert!(orig.len() > 1000, "{url}: {} frames", orig.len());
    let root_y = orig.iter().find(|f| f.name() == "all").unwrap().y;
    let depth = |f: &Frame| ((f.y - root_y).abs() / 16.0).round() as usize;
    // The deepest frame of moderate width: many ancestors, several children, truncated labels.
    let z = (0..orig.len())
        .filter(|&i| (60.0..=400.0).contains(&orig[i].w))
        .max_by_key(|&i| (depth(&orig[i]), i))
        .unwrap();

    let (x, y) = centre(b, &frame_rect(z));
    b.hover(x, y).unwrap();
    assert_eq!(
        text_of(b, "details"),
        format!("Function: {}", orig[z].title)
    );
    click_frame(b, z, false);
    check_zoomed(b, &orig, z, inverted);

    // A zoomed-in search: the shown frames under z that contain "runtime." (literal dots
    // match too), Matched relative to the zoomed frame.
    b.key(F3, false).unwrap();
    assert_eq!(b.prompt_text().unwrap(), PROMPT);
    b.answer_prompt("runtime.").unwrap();
    check_search(b, &orig, "runtime.", runtime_dot);

    // Zoom on a stretched ancestor two levels up, then Reset Zoom.
    let now = frames(b);
    let parent = (0..orig.len())
        .find(|&i| now[i].has_class("parent") && depth(&orig[i]) + 2 == depth(&orig[z]))
        .unwrap();
    click_frame(b, parent, false);
    check_zoomed(b, &orig, parent, inverted);
    check_search(b, &orig, "runtime.", runtime_dot);
    click_id(b, "unzoom");
    check_search(b, &orig, "runtime.", runtime_dot);
    click_id(b, "search");
    check_original(b, &orig);
    assert_eq!(query(b), "");

    // An invalid regular expression is matched as a literal substring.
    search_with_button(b, "(*Server", PROMPT);
    check_search(b, &orig, "(*Server", |n| n.contains("(*Server"));
    assert!(orig.iter().any(|f| f.name().contains("(*Server")));
    b.key("f", true).unwrap();
    check_original(b, &orig);
}

// ---------------------------------------------------------------------------------------------
// 100,000 frames: open and zoom times measured in the browser (printed, not asserted)

/// Resolves with [handler ms, paint ms] for the last click: from the click to the end of its
/// event handlers, and to the second animation frame after it.
const AFTER_PAINT: &str = r#"
const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() =>
  done([window.handledAt - window.clickAt, performance.now() - window.clickAt])));"#;

/// Resolves with [XML parsed, onload duration, load end, first paint] in ms.
const OPEN_TIMES: &str = r#"
const done = arguments[arguments.length - 1], n = performance.getEntriesByType('navigation')[0];
requestAnimationFrame(() => requestAnimationFrame(() => done([n.domContentLoadedEventEnd,
  n.loadEventEnd - n.loadEventStart, n.loadEventEnd, performance.now()])));"#;

/// Records the time of each click before and after the page's own handlers.
const CLICK_CLOCK: &str = r#"
window.addEventListener('click', () => { window.clickAt = performance.now(); }, true);
window.addEventListener('click', () => { window.handledAt = performance.now(); });"#;

fn big_graph_timing(b: &Browser, url: &str) {
    b.goto(url).unwrap();
    let open = b.eval_async(OPEN_TIMES, json!([])).unwrap();
    let ms = |v: &Value, i: usize| v[i].as_f64().unwrap().round();
    // init's reading of the frames, timed by running it again (it only reads the DOM).
    let init = b
        .eval(
            "const t = performance.now(); fgCollect(document.getElementById('frames'));
             return performance.now() - t;",
            json!([]),
        )
        .unwrap();
    let mut report = vec![format!(
        "open: XML parsed {} ms, load end {} ms, first paint {} ms, frame geometry read (re-run) {} ms",
        ms(&open, 0),
        ms(&open, 2),
        ms(&open, 3),
        init.as_f64().unwrap().round()
    )];
    let shown = || {
        let v = b
            .eval(
                "return document.querySelectorAll('#frames > :not(.hide)').length;",
                json!([]),
            )
            .unwrap();
        v.as_u64().unwrap()
    };
    assert_eq!(shown(), BIG_LEAVES as u64 + 1091);
    b.eval(CLICK_CLOCK, json!([])).unwrap();
    let index = |name: &str| {
        let v = b
            .eval(
                "return Array.from(document.getElementById('frames').children).findIndex(g =>
                   g.querySelector('title').textContent.startsWith(arguments[0] + ' ('));",
                json!([name]),
            )
            .unwrap();
        v.as_u64().unwrap() as usize
    };
    // Reset Zoom of this graph (showing 99% of the frames again) is left to
    // scripts/bench-browser.py, to keep the test short.
    let steps = [
        ("zoom a42 (1,013 of 100,091 kept)", "a42", 1013),
        ("zoom pkg.b420 while zoomed (104 kept)", "pkg.b420", 104),
    ];
    for (what, name, kept) in steps {
        click_frame(b, index(name), false);
        let t = b.eval_async(AFTER_PAINT, json!([])).unwrap();
        report.push(format!(
            "{what}: handler {} ms, painted {} ms",
            ms(&t, 0),
            ms(&t, 1)
        ));
        // Sub-pixel frames at the zoomed frame's edges share its rounded x or x + width, so a
        // few of them may be kept or hidden beyond the tree's own count (spec 9 works on the
        // rounded attribute values).
        let now = shown();
        assert!(now.abs_diff(kept) <= 5, "{what}: {now} frames shown");
    }
    println!("100,091-frame graph in Chromium: {}", report.join("; "));
}

/// The regular expression `runtime.`: "runtime" followed by any character.
fn runtime_dot(name: &str) -> bool {
    name.match_indices("runtime")
        .any(|(i, _)| name.len() > i + 7)
}

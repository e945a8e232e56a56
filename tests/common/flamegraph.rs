//! Helpers for the `flamegraph` tests: run the binary, read an SVG's frames with quick-xml and
//! compare them frame by frame (geometry within 0.051 px, fill, label).

use super::process;

use std::io::Read;
use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use quick_xml::Reader;

/// One drawn frame: geometry, fill, tooltip and label text.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameRow {
    pub y: f64,
    pub x: f64,
    pub width: f64,
    pub height: f64,
    pub fill: String,
    pub title: String,
    pub label: String,
}

/// What a flame-graph SVG shows: its frames and header texts.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Graph {
    pub frames: Vec<FrameRow>,
    pub width: Option<String>,
    pub height: Option<String>,
    pub title: Option<String>,
    pub subtitle: Option<String>,
}

/// The output of one run.
pub struct RunResult {
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Runs the `flamegraph` binary with `args` in `dir`, feeding `stdin`.
pub fn run_flamegraph(args: &[String], stdin: &[u8], dir: &Path) -> RunResult {
    let output = process::run_in(env!("CARGO_BIN_EXE_flamegraph"), args, stdin, Some(dir));
    RunResult {
        status: output.status.code().unwrap_or(-1),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A fresh, empty scratch directory for one test.
pub fn scratch_dir(tag: &str) -> PathBuf {
    // unique per call: the bundled and the shared set run the same case names concurrently
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("flamepipe-fg-{}-{n}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Reads `dir/name`, or `dir/name.gz` decompressed; `None` when neither exists.
pub fn read_maybe_gz(dir: &Path, name: &str) -> Option<Vec<u8>> {
    if let Ok(bytes) = std::fs::read(dir.join(name)) {
        return Some(bytes);
    }
    let gz = std::fs::read(dir.join(format!("{name}.gz"))).ok()?;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&gz[..])
        .read_to_end(&mut out)
        .expect("gunzip");
    Some(out)
}

fn resolve_entity(name: &str) -> Result<String, String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => num.parse(),
        }
        .map_err(|e| format!("bad char ref &{name};: {e}"))?;
        return char::from_u32(code)
            .map(String::from)
            .ok_or(format!("bad char ref &{name};"));
    }
    quick_xml::escape::resolve_predefined_entity(name)
        .map(str::to_owned)
        .ok_or(format!("unknown entity &{name};"))
}

#[derive(Default)]
struct Partial {
    title: String,
    label: String,
    rect: Option<(f64, f64, f64, f64, String)>,
}

/// Parses an SVG strictly (any XML error fails) and extracts its frames and headers.
pub fn parse_graph(svg: &[u8]) -> Result<Graph, String> {
    let text = std::str::from_utf8(svg).map_err(|e| format!("not UTF-8: {e}"))?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut graph = Graph::default();
    // element stack: (local name, id attribute)
    let mut stack: Vec<(String, Option<String>)> = Vec::new();
    let mut frames_depth: Option<usize> = None;
    let mut current: Option<Partial> = None;
    let mut header_text: Option<(String, String)> = None;
    let mut saw_root = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("XML error at {}: {e}", reader.error_position()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = AsRef::<str>::as_ref(&e.local_name()).to_owned();
                let mut attrs = std::collections::HashMap::new();
                for attr in e.attributes() {
                    let attr = attr.map_err(|e| format!("bad attribute: {e}"))?;
                    let key = AsRef::<str>::as_ref(&attr.key).to_owned();
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| format!("bad attribute value: {e}"))?
                        .into_owned();
                    attrs.insert(key, value);
                }
                if stack.is_empty() {
                    if saw_root {
                        return Err("two root elements".into());
                    }
                    saw_root = true;
                    graph.width = attrs.get("width").cloned();
                    graph.height = attrs.get("height").cloned();
                }
                let id = attrs.get("id").cloned();
                let is_empty = matches!(event, Event::Empty(_));
                if let Some(depth) = frames_depth {
                    if stack.len() == depth + 1 && (name == "g" || name == "a") {
                        current = Some(Partial::default());
                    }
                    if name == "rect" {
                        if let Some(frame) = current.as_mut() {
                            let num = |k: &str| {
                                attrs
                                    .get(k)
                                    .and_then(|v| v.trim().parse::<f64>().ok())
                                    .unwrap_or(0.0)
                            };
                            frame.rect = Some((
                                num("x"),
                                num("y"),
                                num("width"),
                                num("height"),
                                attrs.get("fill").cloned().unwrap_or_default(),
                            ));
                        }
                    }
                }
                if id.as_deref() == Some("frames") && frames_depth.is_none() {
                    frames_depth = Some(stack.len());
                }
                if name == "text" {
                    if let Some(which @ ("title" | "subtitle")) = id.as_deref() {
                        header_text = Some((which.to_owned(), String::new()));
                    }
                }
                if !is_empty {
                    stack.push((name, id));
                }
            }
            Event::End(_) => {
                let (name, _) = stack.pop().ok_or("unbalanced end tag")?;
                if name == "text" {
                    if let Some((which, text)) = header_text.take() {
                        if which == "title" {
                            graph.title = Some(text);
                        } else {
                            graph.subtitle = Some(text);
                        }
                    }
                }
                if let Some(depth) = frames_depth {
                    if stack.len() == depth + 1 && (name == "g" || name == "a") {
                        if let Some(frame) = current.take() {
                            if let Some((x, y, width, height, fill)) = frame.rect {
                                graph.frames.push(FrameRow {
                                    y,
                                    x,
                                    width,
                                    height,
                                    fill,
                                    title: frame.title,
                                    label: frame.label,
                                });
                            }
                        }
                    }
                    if stack.len() == depth {
                        frames_depth = None;
                    }
                }
            }
            Event::Text(ref e) => {
                append_text(&stack, &mut current, &mut header_text, &e.xml10_content())
            }
            Event::GeneralRef(ref e) => {
                let resolved = resolve_entity(&e.xml10_content())?;
                append_text(&stack, &mut current, &mut header_text, &resolved);
            }
            Event::CData(_)
            | Event::Comment(_)
            | Event::Decl(_)
            | Event::PI(_)
            | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err("unclosed elements at end".into());
    }
    if !saw_root {
        return Err("no root element".into());
    }
    Ok(graph)
}

fn append_text(
    stack: &[(String, Option<String>)],
    current: &mut Option<Partial>,
    header: &mut Option<(String, String)>,
    text: &str,
) {
    let Some((inner, _)) = stack.last() else {
        return;
    };
    if let Some((_, header_text)) = header.as_mut() {
        header_text.push_str(text);
    }
    if let Some(frame) = current.as_mut() {
        match inner.as_str() {
            "title" => frame.title.push_str(text),
            "text" => frame.label.push_str(text),
            _ => {}
        }
    }
}

fn show(r: &FrameRow) -> String {
    format!(
        "{}\t{:.1}\t{:.1}\t{}\t{}\t{}\t{}",
        r.y, r.x, r.width, r.height, r.fill, r.title, r.label
    )
}

/// The differences between two graphs, as `fgframes.py --compare` reports them: header texts,
/// frame count, and per frame (paired by y and title, then nearest x) geometry within
/// 0.051 px, fill and label.
pub fn compare_graphs(ours: &Graph, expected: &Graph) -> Vec<String> {
    const TOL: f64 = 0.051;
    let mut problems = Vec::new();
    for (key, a, b) in [
        ("title", &ours.title, &expected.title),
        ("subtitle", &ours.subtitle, &expected.subtitle),
        ("width", &ours.width, &expected.width),
        ("height", &ours.height, &expected.height),
    ] {
        if a != b {
            problems.push(format!("header {key}: {a:?} != {b:?}"));
        }
    }
    if ours.frames.len() != expected.frames.len() {
        problems.push(format!(
            "frame count {} != {}",
            ours.frames.len(),
            expected.frames.len()
        ));
    }
    let mut pool: std::collections::HashMap<(u64, &str), Vec<&FrameRow>> =
        std::collections::HashMap::new();
    for row in &expected.frames {
        pool.entry((row.y.to_bits(), row.title.as_str()))
            .or_default()
            .push(row);
    }
    for row in &ours.frames {
        let Some(candidates) = pool.get_mut(&(row.y.to_bits(), row.title.as_str())) else {
            problems.push(format!("only in ours: {}", show(row)));
            continue;
        };
        if candidates.is_empty() {
            problems.push(format!("only in ours: {}", show(row)));
            continue;
        }
        let best = (0..candidates.len())
            .min_by(|&a, &b| {
                let da = (candidates[a].x - row.x).abs();
                let db = (candidates[b].x - row.x).abs();
                da.total_cmp(&db)
            })
            .unwrap_or(0);
        let other = candidates.remove(best);
        if (other.x - row.x).abs() > TOL
            || (other.width - row.width).abs() > TOL
            || (other.height - row.height).abs() > TOL
        {
            problems.push(format!(
                "geometry: ours {} | expected {}",
                show(row),
                show(other)
            ));
        } else if other.fill != row.fill {
            problems.push(format!(
                "fill: ours {} | expected {}",
                show(row),
                show(other)
            ));
        } else if other.label != row.label {
            problems.push(format!(
                "label: ours {:?} | expected {:?} ({})",
                row.label, other.label, row.title
            ));
        }
    }
    for rest in pool.values() {
        for row in rest {
            problems.push(format!("only in expected: {}", show(row)));
        }
    }
    problems
}

/// Runs one conformance case folder; returns its problems (empty when it passes).
pub fn check_case(case: &Path) -> Vec<String> {
    let name = case
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let args: Vec<String> = std::fs::read_to_string(case.join("args"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect();
    let input = case_input(case);
    let expected_svg = read_maybe_gz(case, "expected.svg").expect("expected.svg");
    let expected_rc: i32 = std::fs::read_to_string(case.join("expected.rc"))
        .expect("expected.rc")
        .trim()
        .parse()
        .expect("rc number");
    let dir = scratch_dir(&name);
    if let Ok(map) = std::fs::read(case.join("palette.map")) {
        std::fs::write(dir.join("palette.map"), map).expect("copy palette.map");
    }
    let result = run_flamegraph(&args, &input, &dir);
    let mut problems = Vec::new();
    if result.status != expected_rc {
        problems.push(format!(
            "exit status {} != {expected_rc} (stderr: {})",
            result.status, result.stderr
        ));
    }
    match (parse_graph(&result.stdout), parse_graph(&expected_svg)) {
        (Ok(ours), Ok(expected)) => problems.extend(compare_graphs(&ours, &expected)),
        (Err(e), _) => problems.push(format!("our SVG: {e}")),
        (_, Err(e)) => problems.push(format!("expected SVG: {e}")),
    }
    if let Ok(expected_map) = std::fs::read(case.join("expected.palette.map")) {
        let ours = std::fs::read(dir.join("palette.map")).unwrap_or_default();
        if ours != expected_map {
            problems.push("palette.map differs from expected.palette.map".into());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    problems.truncate(20);
    problems
        .into_iter()
        .map(|p| format!("{name}: {p}"))
        .collect()
}

/// Every case folder under `root`, sorted.
/// A case's input: its `in.folded`, or for the external set the file of `../../inputs/` that
/// its `input` names.
fn case_input(case: &Path) -> Vec<u8> {
    match std::fs::read_to_string(case.join("input")) {
        Ok(name) => {
            let inputs = case.join("../../inputs");
            std::fs::read(inputs.join(name.trim())).expect("the input the case names")
        }
        Err(_) => read_maybe_gz(case, "in.folded").unwrap_or_default(),
    }
}

pub fn case_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("read {}: {e}", root.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.rc").exists())
        .collect();
    dirs.sort();
    dirs
}

//! Folded stacks to an interactive SVG (the `flamegraph` tool).
//!
//! [`render`] reads folded stacks from one or more inputs, merges them into frames
//! ([`merge`]), lays them out ([`layout`]), colors them ([`color`]) and writes the SVG
//! ([`svg`]). The contract is `../shared/spec/flamegraph.md`; section numbers below refer to it.

pub mod color;
pub mod html;
pub mod intern;
pub mod layout;
pub mod merge;
pub mod nameattr;
pub mod number;
pub mod svg;

use std::io::{self, BufRead, Write};
use std::path::PathBuf;

use thiserror::Error;

use crate::folded::{frame_text, read_lines, Counts};
use color::{delta_color, Colorer, Palette, PaletteMap, Rgb, Seeding};
use intern::Interner;
use layout::Layout;
use merge::{AdjacentMerger, Batch, BatchInserter, Frame, StackTrie, Timeline};
use nameattr::NameAttributes;
use number::{g15, push_count};

/// `--minwidth`: in pixels, or in percent of the total when the value ends in `%`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MinWidth {
    /// Frames narrower than this many pixels are omitted.
    Pixels(f64),
    /// Frames narrower than this percentage of the total are omitted.
    Percent(f64),
}

impl MinWidth {
    /// Parses `N` or `N%` where the text matches `^[0-9.]+%?$`; the number is the leading
    /// decimal of the text (`1.2.3` → 1.2, `.` → 0).
    pub fn parse(text: &str) -> Option<MinWidth> {
        let (number, percent) = match text.strip_suffix('%') {
            Some(number) => (number, true),
            None => (text, false),
        };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        let value = leading_decimal(number);
        Some(if percent {
            MinWidth::Percent(value)
        } else {
            MinWidth::Pixels(value)
        })
    }
}

/// The value of the longest prefix of `text` (digits and dots only) that reads as a decimal.
fn leading_decimal(text: &str) -> f64 {
    let int_len = text.bytes().take_while(u8::is_ascii_digit).count();
    let mut end = int_len;
    if text.as_bytes().get(int_len) == Some(&b'.') {
        end = int_len
            + 1
            + text[int_len + 1..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
    }
    let number = &text[..end];
    match number {
        "" | "." => 0.0,
        _ => number.trim_end_matches('.').parse().unwrap_or(0.0),
    }
}

/// `--total`: the value and its text as given (for the warning).
#[derive(Debug, Clone, PartialEq)]
pub struct Total {
    /// The numeric value.
    pub value: f64,
    /// The text as given on the command line.
    pub text: String,
}

/// Every option of the tool (spec section 2), with flamegraph.pl's defaults.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--title`: heading; empty = the default of the mode.
    pub title: String,
    /// `--subtitle`: second heading; empty = none.
    pub subtitle: String,
    /// `--width`: image width in px.
    pub width: f64,
    /// `--height`: frame row height in px.
    pub height: f64,
    /// `--minwidth`: narrower frames are omitted.
    pub minwidth: MinWidth,
    /// `--fonttype`: CSS font family.
    pub fonttype: String,
    /// `--fontsize`: text size in px (also drives the paddings).
    pub fontsize: f64,
    /// `--fontwidth`: average glyph width as a fraction of the font size.
    pub fontwidth: f64,
    /// `--countname`: unit word in tooltips.
    pub countname: String,
    /// `--nametype`: prefix of the hover details line.
    pub nametype: String,
    /// `--colors`: palette name.
    pub colors: String,
    /// `--bgcolors`: background (validated with [`valid_bgcolors`]); `None` = from the palette.
    pub bgcolors: Option<String>,
    /// `--hash`: colors from the name hash.
    pub hash: bool,
    /// `--random`: random colors.
    pub random: bool,
    /// `--cp`: consistent palette in `palette_map`.
    pub cp: bool,
    /// `--reverse`: reverse every stack before merging.
    pub reverse: bool,
    /// `--inverted`: icicle graph.
    pub inverted: bool,
    /// `--flamechart`: keep input order, merge adjacent stacks only.
    pub flamechart: bool,
    /// `--negate`: swap differential hues and delta signs.
    pub negate: bool,
    /// `--notes`: text of the NOTES comment.
    pub notes: String,
    /// `--total`: scaling total.
    pub total: Option<Total>,
    /// `--factor`: multiplier of displayed counts (never 0).
    pub factor: f64,
    /// `--nameattr`: per-function attributes.
    pub nameattr: Option<NameAttributes>,
    /// `--encoding`: name in the XML declaration.
    pub encoding: Option<String>,
    /// Where `--cp` reads and writes its map (`palette.map` in the working directory).
    pub palette_map: PathBuf,
    /// `--html`: write the canvas page instead of the SVG.
    pub html: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            title: String::new(),
            subtitle: String::new(),
            width: 1200.0,
            height: 16.0,
            minwidth: MinWidth::Pixels(0.1),
            fonttype: "Verdana".into(),
            fontsize: 12.0,
            fontwidth: 0.59,
            countname: "samples".into(),
            nametype: "Function:".into(),
            colors: "hot".into(),
            bgcolors: None,
            hash: false,
            random: false,
            cp: false,
            reverse: false,
            inverted: false,
            flamechart: false,
            negate: false,
            notes: String::new(),
            total: None,
            factor: 1.0,
            nameattr: None,
            encoding: None,
            palette_map: PathBuf::from("palette.map"),
            html: false,
        }
    }
}

impl Options {
    /// The heading: `--title`, or the default of the mode.
    pub fn title_text(&self) -> String {
        if !self.title.is_empty() {
            self.title.clone()
        } else if self.flamechart {
            "Flame Chart".into()
        } else if self.inverted {
            "Icicle Graph".into()
        } else {
            "Flame Graph".into()
        }
    }

    /// The background: `--bgcolors`, or the palette's default.
    pub fn bgcolors(&self) -> String {
        if let Some(bg) = &self.bgcolors {
            return bg.clone();
        }
        match self.colors.as_str() {
            "mem" => "green",
            "io" | "wakeup" | "chain" => "blue",
            "red" | "green" | "blue" | "aqua" | "yellow" | "purple" | "orange" => "grey",
            _ => "yellow",
        }
        .into()
    }
}

/// True when `value` is an accepted `--bgcolors` value.
pub fn valid_bgcolors(value: &str) -> bool {
    matches!(value, "yellow" | "blue" | "green" | "grey")
        || value
            .strip_prefix('#')
            .is_some_and(|rest| rest.chars().count() == 6)
}

/// One named input.
pub struct Input {
    /// The name shown in messages (the path, or `-`).
    pub name: String,
    /// The opened input.
    pub reader: Box<dyn BufRead>,
}

/// Why rendering failed.
#[derive(Debug, Error)]
pub enum Error {
    /// An input could not be read.
    #[error("{name}: {reason}")]
    Read { name: String, reason: String },
    /// Writing the SVG failed (a closed pipe included).
    #[error("writing output: {0}")]
    Write(#[source] io::Error),
    /// `palette.map` could not be read (a configuration error).
    #[error("can't open file {path}: {reason}")]
    PaletteRead { path: String, reason: String },
    /// `palette.map` could not be written.
    #[error("can't write file {path}: {reason}")]
    PaletteWrite { path: String, reason: String },
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The flame graph.
    Drawn,
    /// No valid input: the error SVG (exit status 2).
    NoStacks,
}

/// An I/O error's reason without Rust's ` (os error N)` suffix, as C's `strerror` gives it.
pub fn io_reason(err: &io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Reads every input, merges, and writes the SVG to `out` and the warnings to `warnings`.
pub fn render<W: Write>(
    inputs: Vec<Input>,
    opts: &Options,
    out: &mut W,
    warnings: &mut dyn Write,
) -> Result<Outcome, Error> {
    let mut palette_map = if opts.cp {
        Some(
            PaletteMap::load(&opts.palette_map).map_err(|err| Error::PaletteRead {
                path: opts.palette_map.display().to_string(),
                reason: io_reason(&err),
            })?,
        )
    } else {
        None
    };
    let mut names = Interner::new();
    let merged = if opts.flamechart {
        merge_flamechart(inputs, opts, &mut names)?
    } else {
        merge_sorted(inputs, opts, &mut names)?
    };
    let total = merged.total;
    let mut note = |line: String| {
        let _ = writeln!(warnings, "{line}");
    };
    if opts.countname == "samples" && total < 100.0 {
        note(format!(
            "Stack count is low ({}). Did something go wrong?",
            g15(total)
        ));
    }
    if merged.invalid > 0 {
        note(format!(
            "Ignored {} lines with invalid format",
            merged.invalid
        ));
    }
    if total == 0.0 {
        note("ERROR: No stack counts found".into());
        if opts.html {
            html::write_error_page(out, opts)
        } else {
            svg::write_error_svg(out, opts)
        }
        .map_err(Error::Write)?;
        out.flush().map_err(Error::Write)?;
        return Ok(Outcome::NoStacks);
    }
    let timemax = match &opts.total {
        Some(t) if t.value != 0.0 && t.value < total => {
            if t.value / total > 0.02 {
                note(format!(
                    "Specified --total {} is less than actual total {}, so ignored",
                    t.text,
                    g15(total)
                ));
            }
            total
        }
        Some(t) if t.value >= total => t.value,
        _ => total,
    };
    let mut layout = Layout::new(opts, timemax);
    let threshold = layout.min_width_time(opts.minwidth);
    let frames = match merged.frames {
        FrameSource::Kept(frames) => frames,
        FrameSource::Walk(walk) => {
            let mut timeline = Timeline::new(threshold);
            let mut chain = ChainRewriter::new(opts);
            walk.for_each_stack(|stack, counts| {
                timeline.push(chain.rewrite(stack, &mut names), counts)
            });
            timeline.finish().0
        }
    };
    let mut frames: Vec<Frame> = frames
        .into_iter()
        .filter(|f| {
            let end = if f.depth == 0 { total } else { f.end };
            end - f.start >= threshold
        })
        .collect();
    let depth_max = frames.iter().map(|f| f.depth).max().unwrap_or(0);
    layout.set_depth_max(depth_max, !opts.subtitle.is_empty());
    let ranks = names.byte_ranks();
    // total_cmp: a total order even for NaN times (absurdly large counts), so sorting
    // can never panic
    frames.sort_unstable_by(|a, b| {
        a.depth
            .cmp(&b.depth)
            .then(a.start.total_cmp(&b.start))
            .then(a.end.total_cmp(&b.end))
            .then(ranks[a.name as usize].cmp(&ranks[b.name as usize]))
    });
    let max_delta = merged.max_delta.max(1.0);
    let mut painter = Painter::new(opts, max_delta, palette_map.as_mut(), names.len());
    if opts.html {
        html::write_page(out, opts, &layout, &frames, &names, &mut painter)
    } else {
        write_svg(out, opts, &layout, &frames, &names, &mut painter)
    }
    .map_err(Error::Write)?;
    if let Some(map) = &palette_map {
        std::fs::write(&opts.palette_map, map.to_text()).map_err(|err| Error::PaletteWrite {
            path: opts.palette_map.display().to_string(),
            reason: io_reason(&err),
        })?;
    }
    Ok(Outcome::Drawn)
}

/// Frames either already laid out (flame chart) or still to lay out from the sorted stacks.
enum FrameSource {
    Kept(Vec<Frame>),
    Walk(merge::TrieWalk),
}

struct Merged {
    frames: FrameSource,
    total: f64,
    max_delta: f64,
    invalid: u64,
}

fn read_input_lines(input: Input, on_line: impl FnMut(&str, Counts)) -> Result<u64, Error> {
    let Input { name, reader } = input;
    read_lines(reader, on_line).map_err(|err| Error::Read {
        name,
        reason: io_reason(&err),
    })
}

/// Default mode (3.2): stacks summed by frame list into a trie, walked in frame-list order.
fn merge_sorted(inputs: Vec<Input>, opts: &Options, names: &mut Interner) -> Result<Merged, Error> {
    let (trie, invalid) = build_trie(inputs, opts, names)?;
    let max_delta = trie.max_delta();
    let exact_total = trie.exact_total();
    let walk = trie.into_walk(&names.byte_ranks());
    let total = exact_total.unwrap_or_else(|| {
        let mut total = 0.0;
        walk.for_each_stack(|_, counts| total += counts.width());
        total
    });
    Ok(Merged {
        frames: FrameSource::Walk(walk),
        total,
        max_delta,
        invalid,
    })
}

/// Reads every input into a [`StackTrie`]: this thread splits lines and interns names into
/// batches, a second thread sorts each batch and inserts it (two bounded batches in flight).
fn build_trie(
    inputs: Vec<Input>,
    opts: &Options,
    names: &mut Interner,
) -> Result<(StackTrie, u64), Error> {
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Batch>(1);
    let (empty_tx, empty_rx) = std::sync::mpsc::sync_channel::<Batch>(2);
    for _ in 0..2 {
        let _ = empty_tx.send(Batch::default());
    }
    std::thread::scope(|scope| {
        let inserter = scope.spawn(move || {
            let mut trie = StackTrie::new();
            let mut inserter = BatchInserter::default();
            for mut batch in full_rx {
                inserter.insert(&mut trie, &mut batch);
                let _ = empty_tx.send(batch);
            }
            trie
        });
        let read = read_batches(inputs, opts, names, &full_tx, &empty_rx);
        drop(full_tx);
        let trie = inserter.join().expect("trie insertion thread");
        read.map(|invalid| (trie, invalid))
    })
}

/// Fills batches from the inputs and hands each full one over; returns the invalid lines.
fn read_batches(
    inputs: Vec<Input>,
    opts: &Options,
    names: &mut Interner,
    full: &std::sync::mpsc::SyncSender<Batch>,
    empty: &std::sync::mpsc::Receiver<Batch>,
) -> Result<u64, Error> {
    let mut batch = empty.recv().unwrap_or_default();
    let mut invalid = 0;
    for input in inputs {
        invalid += read_input_lines(input, |stack, counts| {
            let text = frame_text(stack, opts.reverse);
            let full_now = batch.push(counts, |ids| {
                let start = ids.len();
                names.intern_split(text, ids);
                if opts.reverse {
                    ids[start..].reverse();
                }
            });
            if full_now {
                let next = empty.recv().unwrap_or_default();
                let _ = full.send(std::mem::replace(&mut batch, next));
            }
        })?;
    }
    if !batch.is_empty() {
        let _ = full.send(batch);
    }
    Ok(invalid)
}

/// `--flamechart` (3.3): input order, adjacent identical stacks summed.
fn merge_flamechart(
    inputs: Vec<Input>,
    opts: &Options,
    names: &mut Interner,
) -> Result<Merged, Error> {
    let mut merger = AdjacentMerger::default();
    let mut timeline = Timeline::new(f64::NEG_INFINITY);
    let mut chain = ChainRewriter::new(opts);
    let mut ids = Vec::new();
    let mut invalid = 0;
    for input in inputs {
        invalid += read_input_lines(input, |stack, counts| {
            ids.clear();
            names.intern_split(frame_text(stack, opts.reverse), &mut ids);
            if opts.reverse {
                ids.reverse();
            }
            merger.push(&ids, counts, |stack, counts| {
                timeline.push(chain.rewrite(stack, names), counts)
            });
        })?;
    }
    merger.finish(|stack, counts| timeline.push(chain.rewrite(stack, names), counts));
    let (frames, total) = timeline.finish();
    Ok(Merged {
        frames: FrameSource::Kept(frames),
        total,
        max_delta: merger.max_delta,
        invalid,
    })
}

/// The `--colors chain` rewrite of 3.4 (D4): frames after the first `--` separator get `_[w]`.
struct ChainRewriter {
    enabled: bool,
    separator: Option<u32>,
    waker_names: Vec<u32>,
    out: Vec<u32>,
}

impl ChainRewriter {
    fn new(opts: &Options) -> Self {
        ChainRewriter {
            enabled: opts.colors == "chain",
            separator: None,
            waker_names: Vec::new(),
            out: Vec::new(),
        }
    }

    fn rewrite<'a>(&'a mut self, stack: &'a [u32], names: &mut Interner) -> &'a [u32] {
        if !self.enabled {
            return stack;
        }
        let sep = *self.separator.get_or_insert_with(|| names.intern("--"));
        let n = stack.len();
        let is_separator = |i: usize, previous_separator: bool| {
            stack[i] == sep && i > 0 && i + 1 < n && !previous_separator
        };
        let mut first = None;
        let mut previous = false;
        for i in 0..n {
            let s = is_separator(i, previous);
            if s && first.is_none() {
                first = Some(i);
            }
            previous = s;
        }
        let Some(first) = first else {
            return stack;
        };
        self.out.clear();
        self.out.extend_from_slice(&stack[..=first]);
        let mut previous = true;
        for (i, &frame) in stack.iter().enumerate().skip(first + 1) {
            let s = is_separator(i, previous);
            previous = s;
            let id = if s {
                frame
            } else {
                self.waker_name(frame, names)
            };
            self.out.push(id);
        }
        &self.out
    }

    fn waker_name(&mut self, id: u32, names: &mut Interner) -> u32 {
        let index = id as usize;
        if self.waker_names.len() <= index {
            self.waker_names.resize(index + 1, u32::MAX);
        }
        if self.waker_names[index] == u32::MAX {
            let renamed = format!("{}_[w]", names.name(id));
            self.waker_names[index] = names.intern(&renamed);
        }
        self.waker_names[index]
    }
}

/// Chooses each frame's fill (5.1).
struct Painter<'a> {
    colorer: Colorer,
    negate: bool,
    max_delta: f64,
    palette_map: Option<&'a mut PaletteMap>,
    cache: Vec<Option<Rgb>>,
    text: String,
}

impl<'a> Painter<'a> {
    fn new(
        opts: &Options,
        max_delta: f64,
        palette_map: Option<&'a mut PaletteMap>,
        name_count: usize,
    ) -> Self {
        let seeding = if opts.hash {
            Seeding::Hash
        } else if opts.random {
            Seeding::Random
        } else {
            Seeding::NameSeeded
        };
        Painter {
            colorer: Colorer::new(Palette::from_name(&opts.colors), seeding),
            negate: opts.negate,
            max_delta,
            palette_map,
            cache: vec![None; name_count],
            text: String::new(),
        }
    }

    fn fill(&mut self, id: u32, name: &str, delta: Option<f64>) -> &str {
        use std::fmt::Write as _;
        self.text.clear();
        let rgb = if name == "--" {
            Rgb(160, 160, 160)
        } else if name == "-" {
            Rgb(200, 200, 200)
        } else if let Some(delta) = delta {
            delta_color(if self.negate { -delta } else { delta }, self.max_delta)
        } else if let Some(map) = self.palette_map.as_deref_mut() {
            let colorer = &mut self.colorer;
            let fill = map.fill(name, || colorer.color(name));
            self.text.push_str(fill);
            return &self.text;
        } else if self.colorer.is_deterministic() {
            match self.cache.get(id as usize).copied().flatten() {
                Some(rgb) => rgb,
                None => {
                    let rgb = self.colorer.color(name);
                    if let Some(slot) = self.cache.get_mut(id as usize) {
                        *slot = Some(rgb);
                    }
                    rgb
                }
            }
        } else {
            self.colorer.color(name)
        };
        let _ = write!(self.text, "{rgb}");
        &self.text
    }
}

fn write_svg<W: Write>(
    out: &mut W,
    opts: &Options,
    layout: &Layout,
    frames: &[Frame],
    names: &Interner,
    painter: &mut Painter<'_>,
) -> io::Result<()> {
    svg::write_head(out, opts, layout)?;
    let scaled_total = layout.timemax * opts.factor;
    let countname = svg::escaped(&opts.countname);
    let mut info = String::new();
    let mut writer = svg::FrameWriter::default();
    for frame in frames {
        let name = names.name(frame.name);
        let delta = frame.delta();
        info.clear();
        if frame.depth == 0 {
            info.push_str("all (");
            push_count(&mut info, scaled_total);
            info.push(' ');
            info.push_str(&countname);
            info.push_str(", 100%)");
        } else {
            push_info(
                &mut info,
                name,
                frame,
                delta,
                &countname,
                opts,
                scaled_total,
            );
        }
        let fill = painter.fill(frame.name, name, delta);
        let attrs = opts.nameattr.as_ref().and_then(|map| map.get(name));
        let text = svg::FrameText {
            name,
            rect: layout.rect(frame),
            fill,
            info: &info,
            attrs,
        };
        writer.write(out, &text, opts.fontsize, opts.fontwidth)?;
    }
    svg::write_tail(out)?;
    out.flush()
}

/// `NAME (S COUNTNAME, P%)` or `NAME (S COUNTNAME, P%; D%)` (6.5).
fn push_info(
    info: &mut String,
    name: &str,
    frame: &Frame,
    delta: Option<f64>,
    countname: &str,
    opts: &Options,
    scaled_total: f64,
) {
    use std::fmt::Write as _;
    let start = info.len();
    svg::push_escaped(info, name);
    let stripped = svg::strip_annotation(&info[start..]).len();
    info.truncate(start + stripped);
    info.push_str(" (");
    let samples = ((frame.end - frame.start) * opts.factor).round_ties_even();
    push_count(info, samples);
    let _ = write!(info, " {countname}, {:.2}%", 100.0 * samples / scaled_total);
    if let Some(delta) = delta {
        let d = if opts.negate { -delta } else { delta };
        if d == 0.0 {
            info.push_str("; 0.00%");
        } else {
            let pct = 100.0 * d / scaled_total;
            let sign = if d > 0.0 { "+" } else { "" };
            let _ = write!(info, "; {sign}{pct:.2}%");
        }
    }
    info.push(')');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minwidth_parsing() {
        assert_eq!(MinWidth::parse("0.1"), Some(MinWidth::Pixels(0.1)));
        assert_eq!(MinWidth::parse("1.5%"), Some(MinWidth::Percent(1.5)));
        assert_eq!(MinWidth::parse("1.2.3"), Some(MinWidth::Pixels(1.2)));
        assert_eq!(MinWidth::parse("."), Some(MinWidth::Pixels(0.0)));
        assert_eq!(MinWidth::parse("5."), Some(MinWidth::Pixels(5.0)));
        assert_eq!(MinWidth::parse("%"), None);
        assert_eq!(MinWidth::parse("-1"), None);
        assert_eq!(MinWidth::parse("1e3"), None);
    }

    #[test]
    fn bgcolors_validation() {
        assert!(valid_bgcolors("grey"));
        assert!(valid_bgcolors("#ffffff"));
        assert!(!valid_bgcolors("#fff"));
        assert!(!valid_bgcolors("red"));
    }
}

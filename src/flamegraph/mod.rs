//! Folded stacks to an interactive SVG (the `flamegraph` tool; its behaviour is documented in
//! docs/flamegraph.md).
//!
//! [`render`] reads folded stacks from one or more inputs and merges them (`read`, over the
//! trie and adjacent merger of [`merge`], the exact-time [`timeline`] and the names of
//! [`intern`]), keeps the frames wide enough and orders them, lays them out ([`layout`]), colors
//! them ([`color`], the Go classes of [`go_class`]) and writes the SVG ([`svg`], with the
//! escaping of [`escape`], the number formats of [`number`] and the `--units` labels of
//! [`units`]) or, with `--html`, the canvas page ([`html`]). [`options`] holds what a
//! render is asked for.

mod chain;
pub mod color;
pub mod escape;
pub mod go_class;
pub mod html;
pub mod intern;
pub mod layout;
pub mod merge;
pub mod nameattr;
pub mod number;
pub mod options;
mod read;
pub mod svg;
pub mod timeline;
pub mod units;

use std::io::{self, BufRead, Write};

use thiserror::Error;

use crate::folded::Count;
use chain::ChainRewriter;
pub use color::{Background, Palette, Seeding, UnknownBackground};
use color::{Painter, PaletteMap};
use intern::Interner;
use layout::Layout;
use merge::Frame;
use merge::TrieWalk;
use number::count_text;
pub use options::{MinWidth, Options, Total};
use read::{FrameSource, Merged};
use timeline::{Time, Timeline};
pub use units::Units;

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
    /// An input is a pprof profile (gzip or protobuf bytes), not folded stacks.
    #[error("{name}: this looks like a pprof profile ({what}), not folded stacks: pipe it through pprof-collapse first")]
    NotFolded { name: String, what: &'static str },
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
    let mut palette_map = load_palette_map(opts)?;
    let mut names = Interner::new();
    let merged = if opts.flamechart {
        read::merge_flamechart(inputs, opts, &mut names)?
    } else {
        read::merge_sorted(inputs, opts, &mut names)?
    };
    let total = merged.total;
    if opts.counts_samples() && total.to_f64() < 100.0 {
        warn(
            warnings,
            format_args!(
                "Stack count is low ({}). Did something go wrong?",
                count_text(total)
            ),
        );
    }
    if merged.invalid.invalid > 0 {
        let invalid = merged.invalid.invalid;
        warn(
            warnings,
            format_args!("Ignored {invalid} lines with invalid format"),
        );
    }
    if merged.invalid.negative > 0 {
        let negative = merged.invalid.negative;
        warn(
            warnings,
            format_args!(
                "Ignored {negative} lines with negative counts (a delta profile?); only positive \
                 counts are drawn: pprof-collapse --drop_negative keeps the growth alone, and \
                 \"Negative counts\" in docs/flamegraph.md shows how to draw the shrinkage"
            ),
        );
    }
    if total.is_zero() {
        warn(warnings, format_args!("ERROR: No stack counts found"));
        if opts.html {
            html::write_error_page(out, opts)
        } else {
            svg::write_error_svg(out, opts)
        }
        .map_err(Error::Write)?;
        out.flush().map_err(Error::Write)?;
        return Ok(Outcome::NoStacks);
    }
    let mut layout = Layout::new(opts, time_max(opts, total, warnings));
    let max_delta = merged.max_delta.max(1.0);
    let frames = visible_frames(merged, opts, &mut layout, &mut names);
    let mut painter = Painter::new(opts, max_delta, palette_map.as_mut(), names.len());
    if opts.html {
        html::write_page(out, opts, &layout, &frames, &names, &mut painter)
    } else {
        svg::write_graph(out, opts, &layout, &frames, &names, &mut painter)
    }
    .map_err(Error::Write)?;
    if let Some(map) = &palette_map {
        save_palette_map(opts, map)?;
    }
    Ok(Outcome::Drawn)
}

/// One warning line.
fn warn(warnings: &mut dyn Write, line: std::fmt::Arguments<'_>) {
    let _ = writeln!(warnings, "{line}");
}

/// `palette.map` with `--cp` (an absent file is an empty map), else `None`.
fn load_palette_map(opts: &Options) -> Result<Option<PaletteMap>, Error> {
    if !opts.cp {
        return Ok(None);
    }
    PaletteMap::load(&opts.palette_map)
        .map(Some)
        .map_err(|err| Error::PaletteRead {
            path: opts.palette_map.display().to_string(),
            reason: io_reason(&err),
        })
}

/// Writes `palette.map` back (`--cp`), with the colors of the names seen for the first time.
fn save_palette_map(opts: &Options, map: &PaletteMap) -> Result<(), Error> {
    std::fs::write(&opts.palette_map, map.to_text()).map_err(|err| Error::PaletteWrite {
        path: opts.palette_map.display().to_string(),
        reason: io_reason(&err),
    })
}

/// The time the full width stands for: `--total` when it is larger than the counts' `total`
/// (a smaller one is ignored, with a warning unless it is tiny).
fn time_max(opts: &Options, exact_total: Count, warnings: &mut dyn Write) -> f64 {
    let total = exact_total.to_f64();
    match &opts.total {
        Some(t) if t.value != 0.0 && t.value < total => {
            if t.value / total > 0.02 {
                warn(
                    warnings,
                    format_args!(
                        "Specified --total {} is less than actual total {}, so ignored",
                        t.text,
                        count_text(exact_total)
                    ),
                );
            }
            total
        }
        Some(t) if t.value >= total => t.value,
        _ => total,
    }
}

/// The frames of the merged stacks at least `threshold` wide, laid out with times of type `T`.
fn lay_out<T: Time>(
    walk: &TrieWalk,
    threshold: f64,
    opts: &Options,
    names: &mut Interner,
) -> Vec<Frame> {
    let mut timeline = Timeline::<T>::new(threshold);
    let mut chain = ChainRewriter::new(opts);
    walk.for_each_stack(|stack, counts| timeline.push(chain.rewrite(stack, names), counts));
    timeline.finish().0
}

/// The frames at least `--minwidth` wide (docs/flamegraph.md, "Layout"), in drawing order
/// ("SVG output": order); sets the layout's height from the deepest of them.
fn visible_frames(
    merged: Merged,
    opts: &Options,
    layout: &mut Layout,
    names: &mut Interner,
) -> Vec<Frame> {
    let threshold = layout.min_width_time(opts.minwidth);
    let frames = match merged.frames {
        FrameSource::Kept(frames) => frames,
        // an integer total: every count is an integer and no sum overflows, so the times
        // are plain u64s
        FrameSource::Walk(walk) => match merged.total {
            Count::Int(_) => lay_out::<u64>(&walk, threshold, opts, names),
            Count::Real(_) => lay_out::<Count>(&walk, threshold, opts, names),
        },
    };
    let total = merged.total;
    let frames: Vec<Frame> = frames
        .into_iter()
        .filter(|f| {
            let width = if f.depth == 0 {
                total.to_f64() - f.start
            } else {
                f.span
            };
            width >= threshold
        })
        .collect();
    let depth_max = frames.iter().map(|f| f.depth).max().unwrap_or(0);
    layout.set_depth_max(depth_max, !opts.subtitle.is_empty());
    let ranks = names.byte_ranks();
    let mut frames = by_depth(frames, depth_max);
    // Within one depth the timeline closed the frames in time order, so each depth's run is
    // sorted already but for zero-width and overwritten frames, and sorting it costs one pass.
    // total_cmp: a total order even for NaN times (absurdly large counts), so sorting can
    // never panic.
    let mut at = 0;
    while at < frames.len() {
        let depth = frames[at].depth;
        let len = frames[at..].iter().take_while(|f| f.depth == depth).count();
        frames[at..at + len].sort_unstable_by(|a, b| {
            a.start
                .total_cmp(&b.start)
                .then(a.end.total_cmp(&b.end))
                .then(ranks[a.name as usize].cmp(&ranks[b.name as usize]))
        });
        at += len;
    }
    frames
}

/// The frames grouped by depth, root first, keeping their order within a depth (a counting
/// sort).
fn by_depth(frames: Vec<Frame>, depth_max: u32) -> Vec<Frame> {
    let mut starts = vec![0usize; depth_max as usize + 2];
    for frame in &frames {
        starts[frame.depth as usize + 1] += 1;
    }
    for depth in 1..starts.len() {
        starts[depth] += starts[depth - 1];
    }
    let mut slots: Vec<Option<Frame>> = vec![None; frames.len()];
    for frame in frames {
        let slot = &mut starts[frame.depth as usize];
        slots[*slot] = Some(frame);
        *slot += 1;
    }
    slots.into_iter().flatten().collect()
}

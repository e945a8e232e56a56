//! The `--html` page (docs/flamegraph.md, "--html"): the frames, fills and texts the SVG writer
//! gets, packed into one self-contained HTML5 document that `html.js` draws on a canvas.
//!
//! The packing keeps the page small at a million frames:
//! * `names`: the distinct frame names, most used first (so frequent names get short indices),
//!   as the SVG shows them (characters XML cannot hold become U+FFFD); `nameFill`: each name's
//!   fill, an index into `fills` (the distinct fill texts).
//! * `ticks`: every distinct start and end time, ascending; frames refer to them by index, so
//!   the page computes exactly the doubles the SVG writer computed with. Integer times are
//!   packed as differences, other times written as number literals.
//! * `rows`: frames per depth; `frames`: per frame, in the SVG's order (depth, then start), the
//!   gap from the previous frame's end tick in its row, its span in ticks and its name index.
//! * `fillExceptions`: frames whose fill differs from their name's (differential deltas,
//!   `--random`), as (frame index gap, fill index) pairs; `deltas`: (frame index gap, delta)
//!   pairs for frames with a delta (already negated with `--negate`); `spans`: (frame index gap,
//!   span) pairs for frames whose exact span the ticks' doubles do not give (integer times past
//!   2^53); `units`: the scale of a memory or time `--units`, or `null`.
//!
//! Packed integers are base-64 digits (`A`–`Z`, `a`–`z`, `0`–`9`, `+`, `/`), five bits per digit,
//! least significant first, the sixth bit set on every digit but the last; signed values are
//! zigzag-coded.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::color::Painter;
use super::escape::{escaped, js_string, notes_text, push_escaped};
use super::intern::Interner;
use super::layout::Layout;
use super::merge::Frame;
use super::svg::background_stops;
use super::units::Units;
use super::Options;

/// The page's script: decoding, drawing and interaction.
pub const SCRIPT: &str = include_str!("html.js");
/// The page's style sheet.
pub const STYLE: &str = include_str!("html.css");

const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// The page is written to `out` whenever this much is buffered.
const CHUNK: usize = 1 << 16;

/// Appends `value` as packed base-64 digits.
fn push_packed(out: &mut String, mut value: u64) {
    loop {
        let low = (value & 31) as usize;
        value >>= 5;
        if value == 0 {
            out.push(DIGITS[low] as char);
            return;
        }
        out.push(DIGITS[low | 32] as char);
    }
}

/// Appends a signed value, zigzag-coded (0, -1, 1, -2, ... → 0, 1, 2, 3, ...).
fn push_signed(out: &mut String, value: i64) {
    push_packed(out, ((value << 1) ^ (value >> 63)) as u64);
}

/// Appends a JavaScript number literal that reads back as exactly `value`.
fn push_number(out: &mut String, value: f64) {
    if value.is_nan() {
        out.push_str("NaN");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "Infinity" } else { "-Infinity" });
    } else if value == 0.0 || (1e-5..1e16).contains(&value.abs()) {
        let _ = write!(out, "{value}");
    } else {
        let _ = write!(out, "{value:e}");
    }
}

/// Appends `text` as a JavaScript string literal, safe inside `<script>`.
fn push_string(out: &mut String, text: &str) {
    out.push('"');
    out.push_str(&js_string(text));
    out.push('"');
}

/// `text` as the SVG's reader sees it: characters XML cannot hold become U+FFFD.
fn as_in_svg(text: &str) -> String {
    let mut xml = String::with_capacity(text.len());
    push_escaped(&mut xml, text);
    if xml.len() == text.len() {
        return xml;
    }
    xml.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The distinct names of the frames, most used first.
struct NameTable {
    /// Interner id → table index (`u32::MAX` when no frame uses it).
    index: Vec<u32>,
    /// Table index → interner id.
    ids: Vec<u32>,
}

impl NameTable {
    fn new(frames: &[Frame], names: &Interner) -> NameTable {
        let mut uses = vec![0u32; names.len()];
        for frame in frames {
            if let Some(n) = uses.get_mut(frame.name as usize) {
                *n += 1;
            }
        }
        let mut ids: Vec<u32> = (0..names.len() as u32)
            .filter(|&id| uses[id as usize] > 0)
            .collect();
        ids.sort_by_key(|&id| (std::cmp::Reverse(uses[id as usize]), id));
        let mut index = vec![u32::MAX; names.len()];
        for (i, &id) in ids.iter().enumerate() {
            index[id as usize] = i as u32;
        }
        NameTable { index, ids }
    }

    fn of(&self, frame: &Frame) -> u32 {
        self.index[frame.name as usize]
    }
}

/// Every distinct start and end time, ascending (total order, so even NaN has its place).
struct Ticks(Vec<f64>);

impl Ticks {
    fn new(frames: &[Frame]) -> Ticks {
        let mut times: Vec<f64> = frames.iter().flat_map(|f| [f.start, f.end]).collect();
        times.sort_unstable_by(f64::total_cmp);
        times.dedup_by(|a, b| a.total_cmp(b).is_eq());
        Ticks(times)
    }

    fn index(&self, time: f64) -> i64 {
        let found = self.0.binary_search_by(|t| t.total_cmp(&time));
        found.unwrap_or_else(|at| at) as i64
    }

    /// Writes the table: packed differences when every time is an exact integer, else numbers.
    fn write(&self, out: &mut String) {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        let integral = self
            .0
            .iter()
            .all(|&t| t.fract() == 0.0 && (0.0..EXACT).contains(&t));
        if integral {
            out.push('"');
            let mut previous = 0.0;
            for &t in &self.0 {
                push_packed(out, (t - previous) as u64);
                previous = t;
            }
            out.push('"');
            return;
        }
        out.push('[');
        for (i, &t) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_number(out, t);
        }
        out.push(']');
    }
}

/// The fills of the frames: the distinct texts, each name's, and the frames that differ.
#[derive(Default)]
struct Fills {
    texts: Vec<String>,
    lookup: HashMap<String, u32>,
    by_name: Vec<u32>,
    /// (frame index, fill index) of frames whose fill is not their name's.
    exceptions: Vec<(usize, u32)>,
}

impl Fills {
    /// Asks the painter for every frame's fill in the SVG's order (so `--cp` and `--random`
    /// behave as for the SVG).
    fn new(frames: &[Frame], names: &Interner, table: &NameTable, painter: &mut Painter) -> Fills {
        let mut fills = Fills {
            by_name: vec![u32::MAX; table.ids.len()],
            ..Fills::default()
        };
        for (i, frame) in frames.iter().enumerate() {
            let fill = painter.fill(frame.name, names.name(frame.name), frame.delta());
            let index = match fills.lookup.get(fill) {
                Some(&index) => index,
                None => {
                    let index = fills.texts.len() as u32;
                    fills.texts.push(fill.to_owned());
                    fills.lookup.insert(fill.to_owned(), index);
                    index
                }
            };
            let slot = &mut fills.by_name[table.of(frame) as usize];
            if *slot == u32::MAX {
                *slot = index;
            } else if *slot != index {
                fills.exceptions.push((i, index));
            }
        }
        fills
    }
}

/// Writes the page for the laid-out frames (sorted as the SVG writes them).
pub(super) fn write_page<W: Write>(
    out: &mut W,
    opts: &Options,
    layout: &Layout,
    frames: &[Frame],
    names: &Interner,
    painter: &mut Painter<'_>,
) -> io::Result<()> {
    let table = NameTable::new(frames, names);
    let fills = Fills::new(frames, names, &table, painter);
    let ticks = Ticks::new(frames);
    let mut page = String::with_capacity(CHUNK * 2);
    write_head(&mut page, opts);
    page.push_str("<script>\nvar FG = {\n");
    write_settings(&mut page, opts, layout, frames.len());
    write_names(&mut page, opts, &table, names, &fills);
    page.push_str(",\nticks: ");
    ticks.write(&mut page);
    write_sparse(&mut page, frames, &fills, opts.negate);
    page.push_str(",\nrows: [");
    let rows = frames.last().map_or(0, |f| f.depth as usize + 1);
    let mut counts = vec![0usize; rows];
    for frame in frames {
        counts[frame.depth as usize] += 1;
    }
    for (d, count) in counts.iter().enumerate() {
        let _ = write!(page, "{}{count}", if d > 0 { "," } else { "" });
    }
    page.push_str("],\nframes: \"");
    let mut row = u32::MAX;
    let mut end = 0;
    for frame in frames {
        if frame.depth != row {
            row = frame.depth;
            end = 0;
        }
        let (s, e) = (ticks.index(frame.start), ticks.index(frame.end));
        push_signed(&mut page, s - end);
        push_signed(&mut page, e - s);
        push_packed(&mut page, u64::from(table.of(frame)));
        end = e;
        if page.len() >= CHUNK {
            out.write_all(page.as_bytes())?;
            page.clear();
        }
    }
    page.push_str("\"\n};\n</script>\n<script>\n");
    page.push_str(&SCRIPT.replace("</", "<\\/"));
    page.push_str("</script>\n</body>\n</html>\n");
    out.write_all(page.as_bytes())?;
    out.flush()
}

/// The document up to the data: head, style, the text elements and the canvas.
fn write_head(page: &mut String, opts: &Options) {
    let title = escaped(&opts.title_text());
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<!-- NOTES: {} -->\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <noscript><p>This flame graph is drawn by JavaScript: enable it, or make an SVG \
         (flamegraph without --html) for viewers without scripts.</p></noscript>\n\
         <div id=\"graph\">\n<canvas id=\"canvas\"></canvas>\n\
         <div id=\"title\" class=\"text\">{title}</div>\n",
        notes_text(&opts.notes)
    );
    if !opts.subtitle.is_empty() {
        let _ = writeln!(
            page,
            "<div id=\"subtitle\" class=\"text\">{}</div>",
            escaped(&opts.subtitle)
        );
    }
    page.push_str(
        "<div id=\"details\" class=\"text\"> </div>\n\
         <div id=\"unzoom\" class=\"text hide\">Reset Zoom</div>\n\
         <div id=\"search\" class=\"text\">Search</div>\n\
         <div id=\"ignorecase\" class=\"text\">ic</div>\n\
         <div id=\"matched\" class=\"text\"> </div>\n\
         <div id=\"outline\"></div>\n<div id=\"tooltip\"></div>\n</div>\n",
    );
}

/// Geometry, texts and totals.
fn write_settings(page: &mut String, opts: &Options, layout: &Layout, count: usize) {
    let (stop1, stop2) = background_stops(&opts.background());
    let numbers = [
        ("width", layout.width),
        ("imageHeight", layout.image_height),
        ("frameHeight", layout.frame_height),
        ("ypad1", layout.ypad1),
        ("ypad2", layout.ypad2),
        ("fontSize", opts.fontsize),
        ("fontWidth", opts.fontwidth),
        ("timemax", layout.timemax),
        ("factor", opts.factor),
    ];
    for (key, value) in numbers {
        let _ = write!(page, "{key}: ");
        push_number(page, value);
        page.push_str(",\n");
    }
    let texts = [
        ("fontType", opts.fonttype.as_str()),
        ("nameType", opts.nametype.as_str()),
        ("countName", &as_in_svg(&opts.countname)),
        ("background1", &stop1),
        ("background2", &stop2),
    ];
    for (key, value) in texts {
        let _ = write!(page, "{key}: ");
        push_string(page, value);
        page.push_str(",\n");
    }
    let _ = write!(page, "inverted: {},\ncount: {count},\n", opts.inverted);
    write_units(page, opts);
}

/// `units`: with a memory or time `--units`, its scale (names, sizes) and size, for the page's
/// labels; else `null`.
fn write_units(page: &mut String, opts: &Options) {
    let Some(Units::Scaled(scaled)) = &opts.units else {
        page.push_str("units: null,\n");
        return;
    };
    let (scale, size) = scaled.scale();
    page.push_str("units: {names: [");
    for (i, (name, _)) in scale.iter().enumerate() {
        if i > 0 {
            page.push(',');
        }
        push_string(page, name);
    }
    page.push_str("], sizes: [");
    for (i, (_, unit)) in scale.iter().enumerate() {
        if i > 0 {
            page.push(',');
        }
        push_number(page, *unit);
    }
    page.push_str("], size: ");
    push_number(page, size);
    page.push_str("},\n");
}

/// The name table, each name's fill, the fill texts and the `--nameattr` titles and links.
fn write_names(
    page: &mut String,
    opts: &Options,
    table: &NameTable,
    names: &Interner,
    fills: &Fills,
) {
    page.push_str("names: [");
    for (i, &id) in table.ids.iter().enumerate() {
        if i > 0 {
            page.push(',');
        }
        push_string(page, &as_in_svg(names.name(id)));
    }
    page.push_str("],\nnameFill: \"");
    for &fill in &fills.by_name {
        push_packed(page, u64::from(fill));
    }
    page.push_str("\",\nfills: [");
    for (i, fill) in fills.texts.iter().enumerate() {
        if i > 0 {
            page.push(',');
        }
        push_string(page, fill);
    }
    page.push_str("],\ntitles: {");
    let mut links = String::new();
    if let Some(map) = &opts.nameattr {
        for (i, &id) in table.ids.iter().enumerate() {
            let Some(attrs) = map.get(names.name(id)) else {
                continue;
            };
            if let Some(title) = attrs.get("title") {
                let shown = if title == "0" { "" } else { title };
                let _ = write!(page, "{i}: ");
                push_string(page, shown);
                page.push(',');
            }
            if let Some(href) = attrs.get("href").filter(|h| !h.is_empty() && *h != "0") {
                let target = attrs.get("target").filter(|t| !t.is_empty() && *t != "0");
                let _ = write!(links, "{i}: [");
                push_string(&mut links, href);
                links.push(',');
                push_string(&mut links, target.unwrap_or("_top"));
                links.push_str("],");
            }
        }
    }
    let _ = write!(page, "}},\nlinks: {{{links}}}");
}

/// The fill exceptions and the deltas, as (frame index gap, value) pairs.
fn write_sparse(page: &mut String, frames: &[Frame], fills: &Fills, negate: bool) {
    page.push_str(",\nfillExceptions: \"");
    let mut previous = 0;
    for &(i, fill) in &fills.exceptions {
        push_packed(page, (i - previous) as u64);
        push_packed(page, u64::from(fill));
        previous = i;
    }
    page.push_str("\",\ndeltas: [");
    let mut previous = 0;
    let mut first = true;
    for (i, frame) in frames.iter().enumerate() {
        let Some(delta) = frame.delta() else {
            continue;
        };
        if !first {
            page.push(',');
        }
        first = false;
        let _ = write!(page, "{},", i - previous);
        push_number(page, if negate { -delta } else { delta });
        previous = i;
    }
    // exact spans where the doubles of the ticks lose digits (integer counts past 2^53)
    page.push_str("],\nspans: [");
    let mut previous = 0;
    let mut first = true;
    for (i, frame) in frames.iter().enumerate() {
        if frame.span == frame.end - frame.start || frame.depth == 0 {
            continue;
        }
        if !first {
            page.push(',');
        }
        first = false;
        let _ = write!(page, "{},", i - previous);
        push_number(page, frame.span);
        previous = i;
    }
    page.push(']');
}

/// The page written when there is no valid input (the counterpart of the error SVG).
pub(super) fn write_error_page(out: &mut impl Write, opts: &Options) -> io::Result<()> {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<!-- NOTES: {} -->\n</head>\n<body>\n\
         <p>ERROR: No valid input provided to flamegraph.</p>\n</body>\n</html>\n",
        escaped(&opts.title_text()),
        notes_text(&opts.notes)
    );
    out.write_all(page.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(values: &[u64]) -> String {
        let mut out = String::new();
        for &v in values {
            push_packed(&mut out, v);
        }
        out
    }

    #[test]
    fn packing() {
        assert_eq!(packed(&[0, 1, 31]), "ABf");
        assert_eq!(packed(&[32]), "gB");
        assert_eq!(packed(&[1 << 20]), "ggggB");
        let mut signed = String::new();
        for v in [0, -1, 1, -2] {
            push_signed(&mut signed, v);
        }
        assert_eq!(signed, "ABCD");
    }

    #[test]
    fn numbers_read_back_exactly() {
        let mut out = String::new();
        for v in [0.0, 12.0, 0.59, 1e300, 3e-9, f64::NAN, f64::NEG_INFINITY] {
            push_number(&mut out, v);
            out.push(' ');
        }
        assert_eq!(out, "0 12 0.59 1e300 3e-9 NaN -Infinity ");
    }

    #[test]
    fn texts_as_the_svg_shows_them() {
        assert_eq!(as_in_svg("a<b>&\"c"), "a<b>&\"c");
        assert_eq!(as_in_svg("a\u{1}b&"), "a\u{FFFD}b&");
        let mut out = String::new();
        push_string(&mut out, "</script>\u{2028}");
        assert_eq!(out, "\"\\x3c/script\\x3e\\u2028\"");
    }
}

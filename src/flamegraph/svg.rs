//! The SVG document (docs/flamegraph.md, "SVG output"): the head (declaration, style, script,
//! headings, buttons), one group per frame with its tooltip and label, and the error document
//! written when there is no valid input.

use std::io::{self, Write};

use super::color::{Background, Painter};
use super::escape::{escaped, js_string, notes_text, push_escaped, push_label_escaped};
use super::intern::Interner;
use super::layout::{Layout, Rect, XPAD};
use super::merge::Frame;
use super::nameattr::Attributes;
use super::number::{g15, push_count, push_g15};
use super::units::{Scaled, Units};
use super::Options;

/// The embedded interactive script (docs/flamegraph.md, "Interactive viewer"), written
/// after the generated prelude.
pub const SCRIPT: &str = include_str!("script.js");

/// A JavaScript number literal for a finite double (`12`, `0.59`).
fn js_number(value: f64) -> String {
    if value.is_finite() {
        format!("{value}")
    } else {
        "0".to_owned()
    }
}

/// The two gradient stops of a background.
pub fn background_stops(background: &Background) -> (String, String) {
    match background {
        Background::Yellow => ("#eeeeee".into(), "#eeeeb0".into()),
        Background::Blue => ("#eeeeee".into(), "#e0e0ff".into()),
        Background::Green => ("#eef2ee".into(), "#e0ffe0".into()),
        Background::Grey => ("#f8f8f8".into(), "#e8e8e8".into()),
        Background::Custom(hex) => (escaped(hex), escaped(hex)),
    }
}

fn xml_declaration(opts: &Options) -> String {
    match &opts.encoding {
        Some(enc) => format!(
            "<?xml version=\"1.0\" encoding=\"{}\" standalone=\"no\"?>\n",
            escaped(enc)
        ),
        None => "<?xml version=\"1.0\" standalone=\"no\"?>\n".to_owned(),
    }
}

fn svg_open(out: &mut String, width: f64, height: f64) {
    let (mut w, mut h) = (String::new(), String::new());
    push_g15(&mut w, width);
    push_g15(&mut h, height);
    out.push_str("<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n");
    out.push_str(&format!(
        "<svg version=\"1.1\" width=\"{w}\" height=\"{h}\" onload=\"init(evt)\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n"
    ));
    out.push_str("<!-- Flame graph stack visualization. See https://github.com/brendangregg/FlameGraph for latest version, and http://www.brendangregg.com/flamegraphs.html for examples. -->\n");
}

/// Writes the error document (docs/flamegraph.md, "Errors and exit status").
pub fn write_error_svg(out: &mut impl Write, opts: &Options) -> io::Result<()> {
    let width = opts.width;
    let fontsize = opts.fontsize;
    let mut doc = xml_declaration(opts);
    svg_open(&mut doc, width, fontsize * 5.0);
    doc.push_str(&format!("<!-- NOTES: {} -->\n", notes_text(&opts.notes)));
    doc.push_str(&format!(
        "<text  x=\"{:.2}\" y=\"{}\" >ERROR: No valid input provided to flamegraph.</text>\n</svg>\n",
        (width / 2.0).trunc(),
        g15(fontsize * 2.0)
    ));
    out.write_all(doc.as_bytes())
}

/// Writes the whole graph: the head, every frame (in order, with its fill from `painter`) and
/// the tail.
pub(crate) fn write_graph<W: Write>(
    out: &mut W,
    opts: &Options,
    layout: &Layout,
    frames: &[Frame],
    names: &Interner,
    painter: &mut Painter<'_>,
) -> io::Result<()> {
    write_head(out, opts, layout)?;
    let scaled_total = layout.timemax * opts.factor;
    let quantity = Quantity::new(opts);
    let mut info = String::new();
    let mut writer = FrameWriter::default();
    for frame in frames {
        let name = names.name(frame.name);
        let delta = frame.delta();
        info.clear();
        if frame.depth == 0 {
            info.push_str("all (");
            quantity.push(&mut info, scaled_total);
            info.push_str(", 100%)");
        } else {
            push_info(&mut info, name, frame, delta, &quantity, opts, scaled_total);
        }
        let fill = painter.fill(frame.name, name, delta);
        let attrs = opts.nameattr.as_ref().and_then(|map| map.get(name));
        let text = FrameText {
            name,
            rect: layout.rect(frame),
            fill,
            info: &info,
            attrs,
        };
        writer.write(out, &text, opts.fontsize, opts.fontwidth)?;
    }
    write_tail(out)?;
    out.flush()
}

/// How a tooltip shows an amount: `S COUNTNAME` (docs/flamegraph.md, "SVG output":
/// tooltips), or a `--units` label.
enum Quantity {
    /// `%.0f` with thousands separators, then the escaped count name.
    Counted(String),
    /// The label of a memory or time unit (docs/flamegraph.md, "Units").
    Scaled(Scaled),
}

impl Quantity {
    fn new(opts: &Options) -> Quantity {
        match &opts.units {
            Some(Units::Scaled(scaled)) => Quantity::Scaled(*scaled),
            _ => Quantity::Counted(escaped(&opts.countname)),
        }
    }

    /// Appends the amount `value` (already multiplied by `--factor`).
    fn push(&self, info: &mut String, value: f64) {
        match self {
            Quantity::Counted(countname) => {
                push_count(info, value);
                info.push(' ');
                info.push_str(countname);
            }
            Quantity::Scaled(scaled) => scaled.push_label(info, value),
        }
    }
}

/// `NAME (S COUNTNAME, P%)` or `NAME (S COUNTNAME, P%; D%)` (docs/flamegraph.md, "SVG output":
/// tooltips); with a `--units` label in place of `S COUNTNAME`.
fn push_info(
    info: &mut String,
    name: &str,
    frame: &Frame,
    delta: Option<f64>,
    quantity: &Quantity,
    opts: &Options,
    scaled_total: f64,
) {
    use std::fmt::Write as _;
    let start = info.len();
    push_escaped(info, name);
    let stripped = strip_annotation(&info[start..]).len();
    info.truncate(start + stripped);
    info.push_str(" (");
    let value = frame.span * opts.factor;
    let samples = value.round_ties_even();
    match quantity {
        Quantity::Counted(_) => quantity.push(info, samples),
        Quantity::Scaled(_) => quantity.push(info, value),
    }
    let _ = write!(info, ", {:.2}%", 100.0 * samples / scaled_total);
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

/// Writes everything before the first frame: declaration, `<svg>`, notes, defs, style, script,
/// background, title, subtitle, details, buttons and the opening `<g id="frames">`.
pub fn write_head(out: &mut impl Write, opts: &Options, layout: &Layout) -> io::Result<()> {
    let width = layout.width;
    let height = layout.image_height;
    let fs = opts.fontsize;
    let mut doc = xml_declaration(opts);
    svg_open(&mut doc, width, height);
    doc.push_str(&format!("<!-- NOTES: {} -->\n", notes_text(&opts.notes)));
    let (stop1, stop2) = background_stops(&opts.background());
    doc.push_str(&format!(
        "<defs>\n\t<linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\" >\n\t\t<stop stop-color=\"{stop1}\" offset=\"5%\" />\n\t\t<stop stop-color=\"{stop2}\" offset=\"95%\" />\n\t</linearGradient>\n</defs>\n"
    ));
    doc.push_str(&format!(
        "<style type=\"text/css\">\n\ttext {{ font-family:{}; font-size:{}px; fill:rgb(0,0,0); }}\n\t#search, #ignorecase {{ opacity:0.1; cursor:pointer; }}\n\t#search:hover, #search.show, #ignorecase:hover, #ignorecase.show {{ opacity:1; }}\n\t#subtitle {{ text-anchor:middle; font-color:rgb(160,160,160); }}\n\t#title {{ text-anchor:middle; font-size:{}px}}\n\t#unzoom {{ cursor:pointer; }}\n\t#frames > *:hover {{ stroke:black; stroke-width:0.5; cursor:pointer; }}\n\t.hide {{ display:none; }}\n\t.parent {{ opacity:0.5; }}\n</style>\n",
        escaped(&opts.fonttype),
        g15(fs),
        g15(fs + 5.0)
    ));
    doc.push_str("<script type=\"text/ecmascript\">\n<![CDATA[\n");
    doc.push_str(&format!(
        "var nametype = \"{}\";\nvar fontsize = {};\nvar fontwidth = {};\nvar xpad = 10;\nvar inverted = {};\n",
        js_string(&opts.nametype),
        js_number(fs),
        js_number(opts.fontwidth),
        opts.inverted
    ));
    doc.push_str(&SCRIPT.replace("]]>", "]]\\>"));
    if !doc.ends_with('\n') {
        doc.push('\n');
    }
    doc.push_str("]]>\n</script>\n");
    doc.push_str(&format!(
        "<rect x=\"0.0\" y=\"0\" width=\"{:.1}\" height=\"{:.1}\" fill=\"url(#background)\"  />\n",
        width, height
    ));
    let center = format!("{:.2}", (width / 2.0).trunc());
    let top = g15(fs * 2.0);
    doc.push_str(&format!(
        "<text id=\"title\" x=\"{center}\" y=\"{top}\" >{}</text>\n",
        escaped(&opts.title_text())
    ));
    if !opts.subtitle.is_empty() {
        doc.push_str(&format!(
            "<text id=\"subtitle\" x=\"{center}\" y=\"{}\" >{}</text>\n",
            g15(fs * 4.0),
            escaped(&opts.subtitle)
        ));
    }
    let bottom = g15(height - layout.ypad2 / 2.0);
    doc.push_str(&format!(
        "<text id=\"details\" x=\"{XPAD:.2}\" y=\"{bottom}\" > </text>\n"
    ));
    doc.push_str(&format!(
        "<text id=\"unzoom\" x=\"{XPAD:.2}\" y=\"{top}\" class=\"hide\">Reset Zoom</text>\n"
    ));
    doc.push_str(&format!(
        "<text id=\"search\" x=\"{:.2}\" y=\"{top}\" >Search</text>\n",
        width - 110.0
    ));
    doc.push_str(&format!(
        "<text id=\"ignorecase\" x=\"{:.2}\" y=\"{top}\" >ic</text>\n",
        width - 26.0
    ));
    doc.push_str(&format!(
        "<text id=\"matched\" x=\"{:.2}\" y=\"{bottom}\" > </text>\n",
        width - 110.0
    ));
    doc.push_str("<g id=\"frames\">\n");
    out.write_all(doc.as_bytes())
}

/// Writes the end of the document.
pub fn write_tail(out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"</g>\n</svg>\n")
}

/// Everything the writer needs to draw one frame.
pub struct FrameText<'a> {
    /// The full frame name (annotations included).
    pub name: &'a str,
    /// Its rectangle.
    pub rect: Rect,
    /// The fill text (`rgb(r,g,b)` or a palette.map value).
    pub fill: &'a str,
    /// The tooltip text (already escaped), unless `--nameattr` gives a title.
    pub info: &'a str,
    /// `--nameattr` attributes of the name, if any.
    pub attrs: Option<&'a Attributes>,
}

/// Reusable buffers for writing frames without allocating per frame.
#[derive(Default)]
pub struct FrameWriter {
    buf: String,
    scratch: String,
}

impl FrameWriter {
    /// Writes one frame group (docs/flamegraph.md, "SVG output": one frame, `--nameattr`).
    pub fn write(
        &mut self,
        out: &mut impl Write,
        frame: &FrameText<'_>,
        fontsize: f64,
        fontwidth: f64,
    ) -> io::Result<()> {
        let FrameWriter { buf, scratch } = self;
        buf.clear();
        let href = open_group(buf, frame.attrs);
        let title = frame
            .attrs
            .and_then(|a| a.get("title"))
            .unwrap_or(frame.info);
        if !(title.is_empty() || title == "0") {
            buf.push_str("<title>");
            buf.push_str(title);
            buf.push_str("</title>");
        }
        let Rect { x1, x2, y1, y2 } = frame.rect;
        use std::fmt::Write as _;
        scratch.clear();
        let _ = write!(scratch, "{x1:.1}");
        let split = scratch.len();
        let _ = write!(scratch, "{x2:.1}");
        let rx1: f64 = scratch[..split].parse().unwrap_or(0.0);
        let rx2: f64 = scratch[split..].parse().unwrap_or(0.0);
        buf.push_str("<rect x=\"");
        buf.push_str(&scratch[..split]);
        buf.push_str("\" y=\"");
        push_g15(buf, y1);
        let _ = write!(
            buf,
            "\" width=\"{:.1}\" height=\"{:.1}\" fill=\"",
            rx2 - rx1,
            y2 - y1
        );
        buf.push_str(frame.fill);
        buf.push_str("\" rx=\"2\" ry=\"2\" />\n");
        let _ = write!(buf, "<text  x=\"{:.2}\" y=\"", x1 + 3.0);
        push_g15(buf, 3.0 + (y1 + y2) / 2.0);
        buf.push_str("\" >");
        label(buf, frame.name, x2 - x1, fontsize * fontwidth);
        buf.push_str("</text>\n");
        buf.push_str(if href { "</a>\n" } else { "</g>\n" });
        out.write_all(buf.as_bytes())
    }
}

/// Writes `<g ...>` or `<a ...>`; returns true for `<a>`.
fn open_group(buf: &mut String, attrs: Option<&Attributes>) -> bool {
    let Some(attrs) = attrs else {
        buf.push_str("<g >\n");
        return false;
    };
    let mut items: Vec<String> = Vec::new();
    let href = attrs.get("href").filter(|h| is_truthy(h));
    if let Some(href) = href {
        items.push(format!("xlink:href=\"{href}\""));
        let target = attrs
            .get("target")
            .filter(|t| is_truthy(t))
            .unwrap_or("_top");
        items.push(format!("target=\"{target}\""));
        if let Some(extra) = attrs.get("a_extra").filter(|e| is_truthy(e)) {
            items.push(extra.to_owned());
        }
    }
    for key in ["id", "class"] {
        if let Some(value) = attrs.get(key) {
            items.push(format!("{key}=\"{value}\""));
        }
    }
    if let Some(extra) = attrs.get("g_extra").filter(|e| is_truthy(e)) {
        items.push(extra.to_owned());
    }
    buf.push_str(if href.is_some() { "<a " } else { "<g " });
    buf.push_str(&items.join(" "));
    buf.push_str(">\n");
    href.is_some()
}

/// Perl truthiness of a string: neither empty nor `"0"`.
fn is_truthy(text: &str) -> bool {
    !text.is_empty() && text != "0"
}

/// Removes one trailing `_[k]`, `_[w]`, `_[i]` or `_[j]` annotation.
pub fn strip_annotation(name: &str) -> &str {
    for suffix in ["_[k]", "_[w]", "_[i]", "_[j]"] {
        if let Some(stripped) = name.strip_suffix(suffix) {
            return stripped;
        }
    }
    name
}

/// The label of a frame `width` px wide (docs/flamegraph.md, "SVG output": labels): truncated
/// by code points, then escaped.
pub fn label(out: &mut String, name: &str, width: f64, glyph_width: f64) {
    let chars = (width / glyph_width).trunc();
    if chars.is_nan() || chars < 3.0 {
        return;
    }
    let text = strip_annotation(name);
    let limit = if chars > 1e9 {
        usize::MAX
    } else {
        chars as usize
    };
    match text.char_indices().nth(limit) {
        None => push_label_escaped(out, text),
        Some(_) => {
            let cut = text
                .char_indices()
                .nth(limit - 2)
                .map_or(text.len(), |(at, _)| at);
            push_label_escaped(out, &text[..cut]);
            out.push_str("..");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label_of(name: &str, width: f64) -> String {
        let mut out = String::new();
        label(&mut out, name, width, 12.0 * 0.59);
        out
    }

    #[test]
    fn labels_truncate_by_code_points() {
        assert_eq!(label_of("main", 1180.0), "main");
        assert_eq!(label_of("main.function", 40.0), "mai..");
        assert_eq!(label_of("abcdef", 14.0), "");
        assert_eq!(label_of("ééééééé", 40.0), "ééé..");
        assert_eq!(label_of("a<b>&\"c", 1000.0), "a&lt;b&gt;&amp;\"c");
        assert_eq!(label_of("foo_[k]", 1000.0), "foo");
    }
}

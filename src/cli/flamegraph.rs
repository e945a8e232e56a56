//! The command line of `flamegraph`: its clap definition, used by the binary, the man page and the
//! shell completions (`examples/gen-docs`).
//!
//! The options are flamegraph.pl's; they are matched the way Perl's Getopt::Long matches them
//! (single or double dash, case-insensitive, unique prefixes), which the front-end does itself
//! from this table.

use clap::{Arg, ArgAction, Command};

const ABOUT: &str = "Folded stacks to an interactive flame graph SVG (a drop-in for flamegraph.pl)";

const LONG_ABOUT: &str = "\
Reads folded stacks (one stack per line: `frame;frame;frame COUNT`, or two counts for a
differential graph) from the FILEs given, in order, or from stdin (`-` is stdin), and writes one
interactive SVG to stdout: hover for details, click to zoom, Ctrl-F to search.

Options are flamegraph.pl's, with its names, defaults and meaning. They may be written with one
or two dashes, in any case, abbreviated to any unique prefix (`--inv`, `-color java`), with the
value as the next argument or after `=`; `--` ends the options.

Examples:
  flamegraph out.folded > graph.svg
  pprof-fetch URL | pprof-collapse | flamegraph --title torch > torch.svg
  flamegraph --colors mem --countname bytes heap.folded > heap.svg
  flamegraph --reverse --inverted --hash out.folded > icicle.svg

Exit status: 0 SVG written; 2 no valid input (an error SVG is written); 1 an input cannot be read
or the output cannot be written; 255 bad option or configuration.";

fn valued(name: &'static str, value: &'static str, help: &'static str) -> Arg {
    Arg::new(name)
        .long(name)
        .value_name(value)
        .action(ArgAction::Set)
        .help(help)
}

fn flag(name: &'static str, help: &'static str) -> Arg {
    Arg::new(name)
        .long(name)
        .action(ArgAction::SetTrue)
        .help(help)
}

/// The full definition of the `flamegraph` command line.
pub fn command() -> Command {
    Command::new("flamegraph")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .long_about(LONG_ABOUT)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .args([
            valued("title", "TEXT", "Heading text [default: Flame Graph, Icicle Graph with --inverted, Flame Chart with --flamechart]"),
            valued("subtitle", "TEXT", "Second heading, below the title [default: none]"),
            valued("width", "N", "Image width in pixels, an integer [default: 1200]"),
            valued("height", "N", "Height of each frame row in pixels, an integer [default: 16]"),
            valued("minwidth", "N[%]", "Omit frames narrower than N pixels, or than N percent of the total with a trailing % [default: 0.1]"),
            valued("fonttype", "FONT", "Font family of all text [default: Verdana]"),
            valued("fontsize", "N", "Font size in pixels; also sets the paddings [default: 12]"),
            valued("fontwidth", "N", "Average glyph width as a fraction of the font size, for label truncation [default: 0.59]"),
            valued("countname", "TEXT", "Unit of the counts, shown in tooltips; any other than `samples` silences the low-count warning [default: samples]"),
            valued("nametype", "TEXT", "Prefix of the hover details line [default: Function:]"),
            valued("colors", "PALETTE", "Palette: hot, mem, io, red, green, blue, yellow, purple, aqua, orange, java, perl, js, wakeup, chain [default: hot]"),
            valued("bgcolors", "COLOR", "Background: yellow, blue, green, grey or #rrggbb [default: derived from the palette]"),
            flag("hash", "Colors from a hash of the function name (similar names get similar colors)"),
            flag("random", "Random colors, different on every run (--hash wins)"),
            flag("cp", "Consistent palette: reuse and update the colors stored in ./palette.map"),
            flag("reverse", "Reverse every stack (leaf first) before merging"),
            flag("inverted", "Icicle graph: the root at the top"),
            flag("flamechart", "Flame chart: keep input order (x axis = time), merge only adjacent identical stacks"),
            flag("negate", "Swap the red/blue hues of a differential graph and the sign of the delta"),
            valued("notes", "TEXT", "Text of an XML comment at the top of the SVG"),
            valued("total", "N", "Total used for scaling instead of the sum of the counts (ignored when smaller)"),
            valued("factor", "N", "Multiply the displayed counts (not the widths) by N, not 0 [default: 1]"),
            valued("nameattr", "FILE", "Per-function SVG attributes: lines FUNC<TAB>key=value<TAB>... (title, id, class, g_extra, href, target, a_extra)"),
            valued("encoding", "ENC", "Encoding named in the XML declaration (the output is UTF-8 regardless)"),
            flag("html", "Write a canvas HTML page instead of the SVG: fast at any size, keeps every frame (--minwidth defaults to 0)"),
            flag("help", "Print this help and exit"),
            flag("version", "Print the version and exit"),
            Arg::new("FILE")
                .num_args(0..)
                .action(ArgAction::Append)
                .help("Folded-stack inputs, read in order [default: stdin; `-` is stdin]"),
        ])
}

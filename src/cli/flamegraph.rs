//! The command line of `flamegraph`: its clap definition, used by the binary, the man page and the
//! shell completions (`examples/gen-docs`).
//!
//! The options are flamegraph.pl's; they are matched the way Perl's Getopt::Long matches them
//! (single or double dash, case-insensitive, unique prefixes), which the front-end does itself.
//! Each option is defined once, in [`OPTIONS`]: its name, the value it takes and its help; the
//! clap definition is built from that table.

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, Command};

use crate::flamegraph::Palette;

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
  pprof-collapse heap.pb.gz | flamegraph --colors mem --units bytes --title 'heap: inuse_space' > heap.svg
  pprof-collapse block.pb.gz | flamegraph --colors go --units nanoseconds > block.svg
  flamegraph --reverse --inverted --hash out.folded > icicle.svg

Exit status: 0 SVG written; 2 no valid input (an error SVG is written); 1 an input cannot be read
or the output cannot be written; 255 bad option or configuration.";

/// One option of `flamegraph`, in the order of [`OPTIONS`] (and of `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Opt {
    /// `--title`
    Title,
    /// `--subtitle`
    Subtitle,
    /// `--width`
    Width,
    /// `--height`
    Height,
    /// `--minwidth`
    MinWidth,
    /// `--fonttype`
    FontType,
    /// `--fontsize`
    FontSize,
    /// `--fontwidth`
    FontWidth,
    /// `--countname`
    CountName,
    /// `--units`
    Units,
    /// `--nametype`
    NameType,
    /// `--colors`
    Colors,
    /// `--bgcolors`
    BgColors,
    /// `--hash`
    Hash,
    /// `--random`
    Random,
    /// `--cp`
    Cp,
    /// `--reverse`
    Reverse,
    /// `--inverted`
    Inverted,
    /// `--flamechart`
    FlameChart,
    /// `--negate`
    Negate,
    /// `--notes`
    Notes,
    /// `--total`
    Total,
    /// `--factor`
    Factor,
    /// `--nameattr`
    NameAttr,
    /// `--encoding`
    Encoding,
    /// `--html`
    Html,
    /// `--help`
    Help,
    /// `--version`
    Version,
}

impl Opt {
    /// The definition of this option.
    pub fn def(self) -> &'static OptionDef {
        &OPTIONS[self as usize]
    }
}

/// What follows an option on the command line: the value syntax Getopt::Long checks, with the
/// value's name in the help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takes {
    /// A flag: no value.
    Nothing,
    /// `=s`: any text.
    Text(&'static str),
    /// `=i`: an integer (`[-+]?[0-9_]+`).
    Integer(&'static str),
    /// `=f`: a real number (`[-+]?[0-9_]*(\.[0-9_]+)?([eE][-+]?[0-9_]+)?`).
    Real(&'static str),
    /// `=s` with the names the shells complete (other text is not a parse error).
    Choice(&'static str, &'static [&'static str]),
}

/// One option: the name it is written with, the value it takes and its help line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionDef {
    /// Which option.
    pub opt: Opt,
    /// The long name (`--NAME`), lowercase.
    pub name: &'static str,
    /// The value it takes, if any.
    pub takes: Takes,
    /// The help line.
    pub help: &'static str,
}

impl OptionDef {
    /// The clap argument (for the help, the man page and the completions).
    fn arg(&self) -> Arg {
        let arg = Arg::new(self.name).long(self.name).help(self.help);
        match self.takes {
            Takes::Nothing => arg.action(ArgAction::SetTrue),
            Takes::Text(value) | Takes::Integer(value) | Takes::Real(value) => {
                arg.value_name(value).action(ArgAction::Set)
            }
            Takes::Choice(value, names) => arg
                .value_name(value)
                .action(ArgAction::Set)
                .value_parser(PossibleValuesParser::new(names.iter().copied())),
        }
    }
}

/// Every option of `flamegraph`, flamegraph.pl's, in `--help` order; `OPTIONS[opt as usize]`
/// is `opt`'s definition.
pub const OPTIONS: [OptionDef; 28] = [
    OptionDef {
        opt: Opt::Title,
        name: "title",
        takes: Takes::Text("TEXT"),
        help: "Heading text [default: Flame Graph, Icicle Graph with --inverted, Flame Chart with --flamechart]",
    },
    OptionDef {
        opt: Opt::Subtitle,
        name: "subtitle",
        takes: Takes::Text("TEXT"),
        help: "Second heading, below the title [default: none]",
    },
    OptionDef {
        opt: Opt::Width,
        name: "width",
        takes: Takes::Integer("N"),
        help: "Image width in pixels, an integer [default: 1200]",
    },
    OptionDef {
        opt: Opt::Height,
        name: "height",
        takes: Takes::Integer("N"),
        help: "Height of each frame row in pixels, an integer [default: 16]",
    },
    OptionDef {
        opt: Opt::MinWidth,
        name: "minwidth",
        takes: Takes::Text("N[%]"),
        help: "Omit frames narrower than N pixels, or than N percent of the total with a trailing % [default: 0.1]",
    },
    OptionDef {
        opt: Opt::FontType,
        name: "fonttype",
        takes: Takes::Text("FONT"),
        help: "Font family of all text [default: Verdana]",
    },
    OptionDef {
        opt: Opt::FontSize,
        name: "fontsize",
        takes: Takes::Real("N"),
        help: "Font size in pixels; also sets the paddings [default: 12]",
    },
    OptionDef {
        opt: Opt::FontWidth,
        name: "fontwidth",
        takes: Takes::Real("N"),
        help: "Average glyph width as a fraction of the font size, for label truncation [default: 0.59]",
    },
    OptionDef {
        opt: Opt::CountName,
        name: "countname",
        takes: Takes::Text("TEXT"),
        help: "Unit of the counts, shown in tooltips; any other than `samples` silences the low-count warning [default: samples]",
    },
    OptionDef {
        opt: Opt::Units,
        name: "units",
        takes: Takes::Text("UNIT"),
        help: "Unit of the counts, as pprof names it: memory (bytes, kB, MB, ...) and time (nanoseconds, us, ms, seconds, hours) units show tooltips as `go tool pprof` labels (1.50MB, 35.20ms); any other unit (count, goroutines, ...) only names the counts",
    },
    OptionDef {
        opt: Opt::NameType,
        name: "nametype",
        takes: Takes::Text("TEXT"),
        help: "Prefix of the hover details line [default: Function:]",
    },
    OptionDef {
        opt: Opt::Colors,
        name: "colors",
        takes: Takes::Choice("PALETTE", &Palette::NAMES),
        help: "Palette; `go` colors Go frames by kind: runtime red, standard library yellow, main green, modules aqua, labels purple, goroutine states blue, unsymbolized and native orange [default: hot]",
    },
    OptionDef {
        opt: Opt::BgColors,
        name: "bgcolors",
        takes: Takes::Text("COLOR"),
        help: "Background: yellow, blue, green, grey or #rrggbb [default: derived from the palette]",
    },
    OptionDef {
        opt: Opt::Hash,
        name: "hash",
        takes: Takes::Nothing,
        help: "Colors from a hash of the function name (similar names get similar colors)",
    },
    OptionDef {
        opt: Opt::Random,
        name: "random",
        takes: Takes::Nothing,
        help: "Random colors, different on every run (--hash wins)",
    },
    OptionDef {
        opt: Opt::Cp,
        name: "cp",
        takes: Takes::Nothing,
        help: "Consistent palette: reuse and update the colors stored in ./palette.map",
    },
    OptionDef {
        opt: Opt::Reverse,
        name: "reverse",
        takes: Takes::Nothing,
        help: "Reverse every stack (leaf first) before merging",
    },
    OptionDef {
        opt: Opt::Inverted,
        name: "inverted",
        takes: Takes::Nothing,
        help: "Icicle graph: the root at the top",
    },
    OptionDef {
        opt: Opt::FlameChart,
        name: "flamechart",
        takes: Takes::Nothing,
        help: "Flame chart: keep input order (x axis = time), merge only adjacent identical stacks",
    },
    OptionDef {
        opt: Opt::Negate,
        name: "negate",
        takes: Takes::Nothing,
        help: "Swap the red/blue hues of a differential graph and the sign of the delta",
    },
    OptionDef {
        opt: Opt::Notes,
        name: "notes",
        takes: Takes::Text("TEXT"),
        help: "Text of an XML comment at the top of the SVG",
    },
    OptionDef {
        opt: Opt::Total,
        name: "total",
        takes: Takes::Real("N"),
        help: "Total used for scaling instead of the sum of the counts (ignored when smaller)",
    },
    OptionDef {
        opt: Opt::Factor,
        name: "factor",
        takes: Takes::Real("N"),
        help: "Multiply the displayed counts (not the widths) by N, not 0 [default: 1]",
    },
    OptionDef {
        opt: Opt::NameAttr,
        name: "nameattr",
        takes: Takes::Text("FILE"),
        help: "Per-function SVG attributes: lines FUNC<TAB>key=value<TAB>... (title, id, class, g_extra, href, target, a_extra)",
    },
    OptionDef {
        opt: Opt::Encoding,
        name: "encoding",
        takes: Takes::Text("ENC"),
        help: "Encoding named in the XML declaration (the output is UTF-8 regardless)",
    },
    OptionDef {
        opt: Opt::Html,
        name: "html",
        takes: Takes::Nothing,
        help: "Write a canvas HTML page instead of the SVG: fast at any size, keeps every frame (--minwidth defaults to 0)",
    },
    OptionDef {
        opt: Opt::Help,
        name: "help",
        takes: Takes::Nothing,
        help: "Print this help and exit",
    },
    OptionDef {
        opt: Opt::Version,
        name: "version",
        takes: Takes::Nothing,
        help: "Print the version and exit",
    },
];

/// The full definition of the `flamegraph` command line.
pub fn command() -> Command {
    Command::new("flamegraph")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .long_about(LONG_ABOUT)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .args(OPTIONS.iter().map(OptionDef::arg))
        .arg(
            Arg::new("FILE")
                .num_args(0..)
                .action(ArgAction::Append)
                .help("Folded-stack inputs, read in order [default: stdin; `-` is stdin]"),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_option() {
        for (index, def) in OPTIONS.iter().enumerate() {
            assert_eq!(def.opt as usize, index, "{}", def.name);
            assert_eq!(def.opt.def().name, def.name);
            assert_eq!(def.name, def.name.to_lowercase());
        }
    }
}

//! `flamegraph`: folded stacks to an interactive SVG (front-end: options, files, exit codes).

use flamepipe::cli::flamegraph as args;
mod getopt;

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::process::ExitCode;

use flamepipe::cli::is_broken_pipe;
use flamepipe::flamegraph::{
    io_reason, nameattr, render, valid_bgcolors, Error, Input, MinWidth, Options, Outcome, Total,
};
use getopt::{number, Kind, Parsed};

const INPUT_BUFFER: usize = 256 * 1024;

/// Exit status for command-line and configuration errors.
const USAGE_ERROR: u8 = 255;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match run(&argv) {
        Ok(code) => ExitCode::from(code),
        Err(Failure {
            message,
            usage,
            code,
        }) => {
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "{message}");
            if usage {
                let _ = write!(err, "{}", args::command().render_help());
            }
            ExitCode::from(code)
        }
    }
}

/// A failure: the stderr line, whether the usage text follows, the exit status.
struct Failure {
    message: String,
    usage: bool,
    code: u8,
}

impl Failure {
    fn usage(message: String) -> Self {
        Failure {
            message,
            usage: true,
            code: USAGE_ERROR,
        }
    }

    fn config(message: String) -> Self {
        Failure {
            message,
            usage: false,
            code: USAGE_ERROR,
        }
    }

    fn io(message: String) -> Self {
        Failure {
            message,
            usage: false,
            code: 1,
        }
    }
}

fn kind(name: &str) -> Kind {
    match name {
        "width" | "height" => Kind::Integer,
        "fontsize" | "fontwidth" | "factor" | "total" => Kind::Real,
        _ => Kind::Text,
    }
}

fn run(argv: &[String]) -> Result<u8, Failure> {
    let command = args::command();
    let parsed = getopt::parse(&command, argv, kind).map_err(Failure::usage)?;
    if parsed.flag("help") {
        let help = args::command().render_long_help().to_string();
        return write_stdout(help.as_bytes());
    }
    if parsed.flag("version") {
        let version = format!("flamegraph (flamepipe) {}\n", env!("CARGO_PKG_VERSION"));
        return write_stdout(version.as_bytes());
    }
    let opts = options(&parsed)?;
    let inputs = open_inputs(&parsed.files)?;
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut warnings = io::stderr().lock();
    match render(inputs, &opts, &mut out, &mut warnings) {
        Ok(Outcome::Drawn) => Ok(0),
        Ok(Outcome::NoStacks) => Ok(2),
        Err(Error::Write(err)) if is_broken_pipe(&err) => Ok(0),
        Err(err @ Error::PaletteRead { .. }) => Err(Failure::config(err.to_string())),
        Err(err) => Err(Failure::io(format!("flamegraph: {err}"))),
    }
}

fn write_stdout(bytes: &[u8]) -> Result<u8, Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(err) if !is_broken_pipe(&err) => Err(Failure::io(format!(
            "flamegraph: writing output: {}",
            io_reason(&err)
        ))),
        _ => Ok(0),
    }
}

/// The library options from the parsed command line, with the checks of section 2.
fn options(parsed: &Parsed) -> Result<Options, Failure> {
    let mut opts = Options {
        html: parsed.flag("html"),
        ..Options::default()
    };
    if opts.html {
        opts.minwidth = MinWidth::Pixels(0.0);
    }
    let text = |name: &str| parsed.value(name).map(str::to_owned);
    if let Some(v) = text("title") {
        opts.title = v;
    }
    if let Some(v) = text("subtitle") {
        opts.subtitle = v;
    }
    if let Some(v) = parsed.value("width") {
        opts.width = number(v);
    }
    if let Some(v) = parsed.value("height") {
        opts.height = number(v);
    }
    if let Some(v) = parsed.value("minwidth") {
        opts.minwidth = MinWidth::parse(v).ok_or_else(|| {
            Failure::usage(format!(
                "Value '{v}' is invalid for minwidth, expected a float."
            ))
        })?;
    }
    if let Some(v) = text("fonttype") {
        opts.fonttype = v;
    }
    if let Some(v) = parsed.value("fontsize") {
        opts.fontsize = number(v);
    }
    if let Some(v) = parsed.value("fontwidth") {
        opts.fontwidth = number(v);
    }
    if let Some(v) = text("countname") {
        opts.countname = v;
    }
    if let Some(v) = text("nametype") {
        opts.nametype = v;
    }
    if let Some(v) = text("colors") {
        opts.colors = v;
    }
    if let Some(v) = text("bgcolors") {
        if !valid_bgcolors(&v) {
            return Err(Failure::config(format!(
                "Unrecognized bgcolor option \"{v}\""
            )));
        }
        opts.bgcolors = Some(v);
    }
    opts.hash = parsed.flag("hash");
    opts.random = parsed.flag("random");
    opts.cp = parsed.flag("cp");
    opts.reverse = parsed.flag("reverse");
    opts.inverted = parsed.flag("inverted");
    opts.flamechart = parsed.flag("flamechart");
    opts.negate = parsed.flag("negate");
    if let Some(v) = text("notes") {
        opts.notes = v;
    }
    if let Some(v) = text("total") {
        opts.total = Some(Total {
            value: number(&v),
            text: v,
        });
    }
    if let Some(v) = parsed.value("factor") {
        opts.factor = number(v);
        if opts.factor == 0.0 {
            return Err(Failure::usage(format!(
                "Value \"{v}\" invalid for option factor (non-zero number expected)"
            )));
        }
    }
    if let Some(path) = parsed.value("nameattr") {
        let attrs = nameattr::load(path.as_ref()).map_err(|e| Failure::config(e.to_string()))?;
        opts.nameattr = Some(attrs);
    }
    opts.encoding = text("encoding");
    Ok(opts)
}

/// Opens every input before anything is written (stdin when none is named).
fn open_inputs(files: &[String]) -> Result<Vec<Input>, Failure> {
    if files.is_empty() {
        return Ok(vec![stdin_input()]);
    }
    files
        .iter()
        .map(|name| {
            if name == "-" {
                return Ok(stdin_input());
            }
            let file = File::open(name)
                .map_err(|err| Failure::io(format!("flamegraph: {name}: {}", io_reason(&err))))?;
            Ok(Input {
                name: name.clone(),
                reader: Box::new(BufReader::with_capacity(INPUT_BUFFER, file)),
            })
        })
        .collect()
}

fn stdin_input() -> Input {
    Input {
        name: "-".into(),
        reader: Box::new(BufReader::with_capacity(INPUT_BUFFER, io::stdin())),
    }
}

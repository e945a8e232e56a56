//! `flamegraph`: folded stacks to an interactive SVG (front-end: options, files, exit codes).

use flamepipe::cli::flamegraph::{self as args, Opt, OPTIONS};
mod getopt;

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::process::ExitCode;

use flamepipe::cli::{is_broken_pipe, suggest};
use flamepipe::flamegraph::{
    io_reason, nameattr, render, Error, Input, MinWidth, Options, Outcome, Palette, Seeding, Total,
    Units,
};
use getopt::{number, Parsed};

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
                let _ = writeln!(err, "{}", usage_hint(&message));
            }
            ExitCode::from(code)
        }
    }
}

/// The line after a command-line error: the option a typo was probably meant to be, and
/// where the options are explained (not the whole usage text).
fn usage_hint(message: &str) -> String {
    let typo = message
        .strip_prefix("Unknown option: ")
        .and_then(|typed| suggest::nearest(typed, OPTIONS.iter().map(|def| def.name)));
    match typo {
        Some(name) => format!("Did you mean --{name}? Try 'flamegraph --help' for the options."),
        None => "Try 'flamegraph --help' for the options.".to_owned(),
    }
}

/// A failure: the stderr line, whether the hint at `--help` follows, the exit status.
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

fn run(argv: &[String]) -> Result<u8, Failure> {
    let parsed = getopt::parse(argv).map_err(Failure::usage)?;
    if parsed.flag(Opt::Help) {
        let help = args::command().render_long_help().to_string();
        return write_stdout(help.as_bytes());
    }
    if parsed.flag(Opt::Version) {
        let version = format!("flamegraph (flamepipe) {}\n", env!("CARGO_PKG_VERSION"));
        return write_stdout(version.as_bytes());
    }
    let opts = options(&parsed)?;
    let inputs = open_inputs(&parsed.files)?;
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut warnings = io::stderr().lock();
    if let Some(warning) = palette_warning(&parsed) {
        let _ = writeln!(warnings, "{warning}");
    }
    match render(inputs, &opts, &mut out, &mut warnings) {
        Ok(Outcome::Drawn) => Ok(0),
        Ok(Outcome::NoStacks) => Ok(2),
        Err(Error::Write(err)) if is_broken_pipe(&err) => Ok(0),
        Err(err @ Error::PaletteRead { .. }) => Err(Failure::config(err.to_string())),
        Err(err @ Error::NotFolded { .. }) => Err(Failure::io(format!("flamegraph: {err}"))),
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

/// The library options from the parsed command line: the last value of each option, applied
/// in the order of [`OPTIONS`] (which is the order its checks report errors in).
fn options(parsed: &Parsed) -> Result<Options, Failure> {
    let mut opts = Options::default();
    if parsed.flag(Opt::Html) {
        opts.minwidth = MinWidth::Pixels(0.0);
    }
    for def in &OPTIONS {
        if let Some(given) = parsed.last(def.opt) {
            set(&mut opts, def.opt, given.value.as_deref().unwrap_or(""))?;
        }
    }
    opts.seeding = Seeding::from_flags(parsed.flag(Opt::Hash), parsed.flag(Opt::Random));
    if let (Some(Units::Named(unit)), None) = (&opts.units, parsed.last(Opt::CountName)) {
        opts.countname = unit.clone();
    }
    Ok(opts)
}

/// The warning for an unknown `--colors` name (which draws every frame black, as
/// flamegraph.pl does): the nearest palette, and every name.
fn palette_warning(parsed: &Parsed) -> Option<String> {
    let name = parsed.last(Opt::Colors)?.value.as_deref()?;
    if Palette::from_name(name).is_some() {
        return None;
    }
    let nearest = suggest::nearest(name, Palette::NAMES)
        .map(|near| format!(" (did you mean {near}?)"))
        .unwrap_or_default();
    Some(format!(
        "flamegraph: unknown palette \"{name}\"{nearest}: every frame is drawn black; palettes: {}",
        Palette::NAMES.join(", ")
    ))
}

/// Applies one option's value (`""` for a flag), with the checks of its value.
fn set(opts: &mut Options, opt: Opt, v: &str) -> Result<(), Failure> {
    match opt {
        Opt::Title => opts.title = v.to_owned(),
        Opt::Subtitle => opts.subtitle = v.to_owned(),
        Opt::Width => opts.width = number(v),
        Opt::Height => opts.height = number(v),
        Opt::MinWidth => {
            opts.minwidth = MinWidth::parse(v).ok_or_else(|| {
                Failure::usage(format!(
                    "Value '{v}' is invalid for minwidth, expected a float."
                ))
            })?;
        }
        Opt::FontType => opts.fonttype = v.to_owned(),
        Opt::FontSize => opts.fontsize = number(v),
        Opt::FontWidth => opts.fontwidth = number(v),
        Opt::CountName => opts.countname = v.to_owned(),
        Opt::Units => {
            opts.units =
                Some(Units::parse(v).ok_or_else(|| {
                    Failure::usage("Option units requires an argument".to_owned())
                })?);
        }
        Opt::NameType => opts.nametype = v.to_owned(),
        // unknown names draw black, as flamegraph.pl's do
        Opt::Colors => opts.colors = Palette::from_name(v).unwrap_or(Palette::UNKNOWN),
        Opt::BgColors => {
            let background = v.parse().map_err(|e| Failure::config(format!("{e}")))?;
            opts.bgcolors = Some(background);
        }
        // both make the seeding, in `options`
        Opt::Hash | Opt::Random => {}
        Opt::Cp => opts.cp = true,
        Opt::Reverse => opts.reverse = true,
        Opt::Inverted => opts.inverted = true,
        Opt::FlameChart => opts.flamechart = true,
        Opt::Negate => opts.negate = true,
        Opt::Notes => opts.notes = v.to_owned(),
        Opt::Total => {
            opts.total = Some(Total {
                value: number(v),
                text: v.to_owned(),
            });
        }
        Opt::Factor => {
            opts.factor = number(v);
            if opts.factor == 0.0 {
                return Err(Failure::usage(format!(
                    "Value \"{v}\" invalid for option factor (non-zero number expected)"
                )));
            }
        }
        Opt::NameAttr => {
            let attrs = nameattr::load(v.as_ref()).map_err(|e| Failure::config(e.to_string()))?;
            opts.nameattr = Some(attrs);
        }
        Opt::Encoding => opts.encoding = Some(v.to_owned()),
        Opt::Html => opts.html = true,
        // answered before the options are read
        Opt::Help | Opt::Version => {}
    }
    Ok(())
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

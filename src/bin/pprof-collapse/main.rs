//! `pprof-collapse`: pprof profiles to folded stacks. Front-end only: flags, reading the
//! inputs, exit codes; the work is in `flamepipe::profile` and `flamepipe::collapse`.

use clap::Parser;
use flamepipe::cli::collapse::{self as cli, Args};
use flamepipe::cli::shape::{ShapeArgs, SINGLE_DASH as SHAPE_SINGLE_DASH};
use flamepipe::cli::{is_broken_pipe, suggest};
use flamepipe::collapse::{Collapser, Options};
use flamepipe::profile::text::DumpOptions;
use flamepipe::profile::{read_profile_file_with, read_profile_with, Profile, ProfileError};
use flamepipe::shape::{self, Filters, Input};
use std::io::{self, Write};
use std::process::ExitCode;

/// The single-dash long options pprof and go-torch users type.
const SINGLE_DASH: [&str; 5] = [
    "-inuse_space",
    "-inuse_objects",
    "-alloc_space",
    "-alloc_objects",
    "-sample_index",
];

/// Turns `-inuse_space` into `--inuse_space` and `-sample_index[=X]` into `--sample_index[=X]`.
fn normalise_args(args: impl Iterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut out = Vec::new();
    let mut only_files = false;
    for arg in args {
        let text = arg.to_str().unwrap_or("");
        if !only_files && text == "--" {
            only_files = true;
        }
        let single = !only_files
            && SINGLE_DASH
                .iter()
                .chain(&SHAPE_SINGLE_DASH)
                .any(|o| text == *o || (text.starts_with(o) && text[o.len()..].starts_with('=')));
        out.push(if single {
            format!("-{text}").into()
        } else {
            arg
        });
    }
    out
}

/// A single-dash word within two edits of one of [`SINGLE_DASH`] or the filters' single-dash
/// options (`-inuse_spce`, `-focsu`), which clap
/// would read as `-i nuse_spce`: the option it was probably meant to be. A `-i` with a column
/// name attached (`-iinuse_space`) is not a typo.
fn single_dash_typo(args: &[std::ffi::OsString]) -> Option<(String, &'static str)> {
    for arg in args.iter().skip(1) {
        let text = arg.to_str().unwrap_or("");
        if text == "--" {
            break;
        }
        let Some(body) = text.strip_prefix('-').filter(|b| !b.starts_with('-')) else {
            continue;
        };
        let body = body.split('=').next().unwrap_or("");
        let attached = body.strip_prefix('i').unwrap_or("");
        let known = || SINGLE_DASH.iter().chain(&SHAPE_SINGLE_DASH);
        if body.len() < 4 || known().any(|o| o[1..] == *body || o[1..] == *attached) {
            continue;
        }
        let near = known().find(|o| suggest::edit_distance(body, &o[1..]) <= 2);
        if let Some(&near) = near {
            return Some((text.to_owned(), near));
        }
    }
    None
}

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some((typed, near)) = single_dash_typo(&argv) {
        eprintln!(
            "error: unexpected argument '{typed}' found\n\n  tip: a similar argument exists: '{near}'\n\n{}\n\nFor more information, try '--help'.",
            cli::command().render_usage()
        );
        return ExitCode::from(2);
    }
    let args = match Args::try_parse_from(normalise_args(argv.into_iter())) {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let mut files = args.files.clone();
    if files.is_empty() {
        files.push("-".into());
    }
    let base = args.shape.baseline().map(|(file, _)| file.to_string());
    if files.iter().chain(&base).filter(|f| *f == "-").count() > 1 {
        eprintln!("pprof-collapse: stdin (-) may be named only once");
        eprintln!("{}", cli::command().render_usage());
        return ExitCode::from(2);
    }
    if let Some(message) = args.shape.usage_error() {
        eprintln!("pprof-collapse: {message}");
        eprintln!("{}", cli::command().render_usage());
        return ExitCode::from(2);
    }
    let dumps = DumpOptions::from(args.dumps);
    if args.list {
        return list(&files, &dumps);
    }
    if args.shape.any() {
        return run_shaped(&files, &args.options(), &args.shape, &dumps);
    }
    run(&files, args.options(), &dumps)
}

/// The name of an input in messages.
fn display_name(file: &str) -> &str {
    if file == "-" {
        "<stdin>"
    } else {
        file
    }
}

fn load(file: &str, dumps: &DumpOptions) -> Result<Profile, ProfileError> {
    if file == "-" {
        read_profile_with(io::stdin().lock(), dumps)
    } else {
        read_profile_file_with(std::path::Path::new(file), dumps)
    }
}

fn fail(name: &str, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("pprof-collapse: {name}: {message}");
    ExitCode::from(1)
}

fn warn(message: impl std::fmt::Display) {
    eprintln!("pprof-collapse: warning: {message}");
}

fn run(files: &[String], options: Options, dumps: &DumpOptions) -> ExitCode {
    let mut collapser = Collapser::new(options);
    for file in files {
        let name = display_name(file);
        let profile = match load(file, dumps) {
            Ok(p) => p,
            Err(e) => return fail(name, e),
        };
        for w in &profile.warnings {
            warn(format_args!("{name}: {w}"));
        }
        if let Err(e) = collapser.add_owned(name, profile) {
            return fail(name, e);
        }
    }
    for w in collapser.warnings() {
        warn(w);
    }
    let folded = collapser.finish();
    if folded.is_empty() {
        warn(format_args!(
            "{}: no stacks (the profile has no non-zero samples)",
            names(files)
        ));
        return ExitCode::SUCCESS;
    }
    warn_negative(files, folded.negative_count(), folded.len());
    write_out(|out| folded.write_to(out).map(drop))
}

/// The inputs' names, for messages.
fn names(files: &[String]) -> String {
    let names: Vec<&str> = files.iter().map(|f| display_name(f)).collect();
    names.join(", ")
}

/// Writes the output; a closed stdout is a quiet success.
fn write_out(write: impl FnOnce(io::StdoutLock<'static>) -> io::Result<()>) -> ExitCode {
    match write(io::stdout().lock()) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => fail("<stdout>", format_args!("cannot write: {e}")),
    }
}

/// The warning for output with negative values (delta profiles), which flamegraph leaves out.
fn warn_negative(files: &[String], negative: usize, total: usize) {
    if negative > 0 {
        warn(format_args!(
            "{}: {negative} of {total} stacks have negative values (a delta profile?), which \
             flamegraph leaves out: add --drop_negative to keep only the growth, or compare two \
             profiles with --diff_base OLD (see \"Negative values\" in docs/pprof-collapse.md)",
            names(files)
        ));
    }
}

/// Loads a profile and prints its reading warnings.
fn load_named(file: &str, dumps: &DumpOptions) -> Result<Profile, ExitCode> {
    let name = display_name(file);
    let profile = load(file, dumps).map_err(|e| fail(name, e))?;
    for w in &profile.warnings {
        warn(format_args!("{name}: {w}"));
    }
    Ok(profile)
}

/// With filters or a base: the pipeline of docs/pprof-collapse.md, "Filters and comparisons".
fn run_shaped(
    files: &[String],
    options: &Options,
    shaping: &ShapeArgs,
    dumps: &DumpOptions,
) -> ExitCode {
    let filters = match Filters::compile(&shaping.spec()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("pprof-collapse: {e}");
            return ExitCode::from(1);
        }
    };
    let mut profiles = Vec::with_capacity(files.len());
    for file in files {
        match load_named(file, dumps) {
            Ok(p) => profiles.push(p),
            Err(code) => return code,
        }
    }
    let base = match shaping.baseline() {
        Some((file, mode)) => match load_named(file, dumps) {
            Ok(p) => Some((file, p, mode)),
            Err(code) => return code,
        },
        None => None,
    };
    let inputs: Vec<Input<'_>> = files
        .iter()
        .zip(&profiles)
        .map(|(file, profile)| Input {
            name: display_name(file),
            profile,
        })
        .collect();
    let base_input = base.as_ref().map(|(file, profile, mode)| {
        let input = Input {
            name: display_name(file),
            profile,
        };
        (input, *mode)
    });
    let shaped = match shape::shape(&inputs, base_input, &filters, options) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pprof-collapse: {e}");
            return ExitCode::from(1);
        }
    };
    for w in &shaped.warnings {
        warn(w);
    }
    let output = shaped.output;
    if output.is_empty() {
        warn(format_args!(
            "{}: no stacks left after filtering",
            names(files)
        ));
        return ExitCode::SUCCESS;
    }
    // A subtraction asked for negative values; two columns have none of their own.
    if let (None, shape::Output::Single(folded)) = (&shaping.base, &output) {
        warn_negative(files, folded.negative_count(), folded.len());
    }
    write_out(|out| output.write_to(out).map(drop))
}

fn list(files: &[String], dumps: &DumpOptions) -> ExitCode {
    let mut text = String::new();
    for file in files {
        let name = display_name(file);
        match load(file, dumps) {
            Ok(profile) => describe(&mut text, name, &profile),
            Err(e) => return fail(name, e),
        }
    }
    match io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if !is_broken_pipe(&e) => fail("<stdout>", format_args!("cannot write: {e}")),
        _ => ExitCode::SUCCESS,
    }
}

/// The `--list` description of one profile: each value column with its unit, its total (what
/// a graph of it adds up to) and the `flamegraph --units` to draw it with; then the number of
/// sample records, named so that it is not taken for a total.
fn describe(out: &mut String, name: &str, p: &Profile) {
    use std::fmt::Write as _;
    let default = flamepipe::collapse::choose_column(p, None).ok().flatten();
    let totals = column_totals(p);
    let _ = writeln!(out, "{name}:");
    if let Some(info) = p.text_info() {
        let _ = writeln!(out, "  kind: {}", info.kind);
    }
    let _ = writeln!(
        out,
        "  value columns (pick one with -i NAME or -i N), their units and totals:"
    );
    for (i, vt) in p.sample_types.iter().enumerate() {
        let mark = if Some(i) == default {
            "  (default)"
        } else {
            ""
        };
        let total = totals.get(i).copied().unwrap_or(0);
        let unit = p.text(vt.unit);
        let _ = writeln!(
            out,
            "    {i}  {}  total {total} {unit}  (flamegraph --units {unit}){mark}",
            p.type_name(*vt)
        );
    }
    if let Some(pt) = p.period_type {
        let _ = writeln!(
            out,
            "  period: {} {} ({})",
            p.period,
            p.text(pt.unit),
            p.text(pt.ty)
        );
    }
    if p.duration_nanos > 0 {
        let _ = writeln!(out, "  duration: {:.2}s", p.duration_nanos as f64 / 1e9);
    }
    match p.text_info() {
        Some(info) if info.kind == "goroutine dump" => {
            let _ = writeln!(out, "  goroutines: {}", info.records);
        }
        Some(info) => {
            let _ = writeln!(out, "  records: {}", info.records);
        }
        None => {
            let _ = writeln!(
                out,
                "  sample records: {} (not a total: each record holds one value per column)",
                p.sample_count()
            );
        }
    }
}

/// The sum of every value column over all samples (0s when the samples cannot be read).
fn column_totals(p: &Profile) -> Vec<i128> {
    let mut totals = vec![0i128; p.sample_types.len()];
    let _ = p.for_each_sample(|sample| -> Result<(), ProfileError> {
        for (total, &value) in totals.iter_mut().zip(sample.values) {
            *total += i128::from(value);
        }
        Ok(())
    });
    totals
}

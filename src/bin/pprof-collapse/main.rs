//! `pprof-collapse`: pprof profiles to folded stacks. Front-end only: flags, reading the
//! inputs, exit codes; the work is in `flamepipe::profile` and `flamepipe::collapse`.

use clap::Parser;
use flamepipe::cli::collapse::{self as cli, Args};
use flamepipe::cli::{is_broken_pipe, suggest};
use flamepipe::collapse::{Collapser, Options};
use flamepipe::profile::{read_profile, read_profile_file, Profile, ProfileError};
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
                .any(|o| text == *o || (text.starts_with(o) && text[o.len()..].starts_with('=')));
        out.push(if single {
            format!("-{text}").into()
        } else {
            arg
        });
    }
    out
}

/// A single-dash word within two edits of one of [`SINGLE_DASH`] (`-inuse_spce`), which clap
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
        if body.len() < 4
            || SINGLE_DASH
                .iter()
                .any(|o| o[1..] == *body || o[1..] == *attached)
        {
            continue;
        }
        let near = SINGLE_DASH
            .iter()
            .find(|o| suggest::edit_distance(body, &o[1..]) <= 2);
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
    if files.iter().filter(|f| *f == "-").count() > 1 {
        eprintln!("pprof-collapse: stdin (-) may be named only once");
        eprintln!("{}", cli::command().render_usage());
        return ExitCode::from(2);
    }
    if args.list {
        return list(&files);
    }
    run(&files, args.options())
}

/// The name of an input in messages.
fn display_name(file: &str) -> &str {
    if file == "-" {
        "<stdin>"
    } else {
        file
    }
}

fn load(file: &str) -> Result<Profile, ProfileError> {
    if file == "-" {
        read_profile(io::stdin().lock())
    } else {
        read_profile_file(std::path::Path::new(file))
    }
}

fn fail(name: &str, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("pprof-collapse: {name}: {message}");
    ExitCode::from(1)
}

fn warn(message: impl std::fmt::Display) {
    eprintln!("pprof-collapse: warning: {message}");
}

fn run(files: &[String], options: Options) -> ExitCode {
    let mut collapser = Collapser::new(options);
    for file in files {
        let name = display_name(file);
        let profile = match load(file) {
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
        let names: Vec<&str> = files.iter().map(|f| display_name(f)).collect();
        warn(format_args!(
            "{}: no stacks (the profile has no non-zero samples)",
            names.join(", ")
        ));
        return ExitCode::SUCCESS;
    }
    match folded.write_to(io::stdout().lock()) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => fail("<stdout>", format_args!("cannot write: {e}")),
    }
}

fn list(files: &[String]) -> ExitCode {
    let mut text = String::new();
    for file in files {
        let name = display_name(file);
        match load(file) {
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
    let _ = writeln!(
        out,
        "  sample records: {} (not a total: each record holds one value per column)",
        p.sample_count()
    );
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

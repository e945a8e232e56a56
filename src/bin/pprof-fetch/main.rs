//! `pprof-fetch`: download a raw profile from a Go `net/http/pprof` endpoint.
//!
//! Front-end only: parse the command line, call [`flamepipe::fetch`] (one target) or
//! [`flamepipe::fetch::fetch_fleet`] (several, in `fleet.rs`), draw the progress, map errors
//! to exit codes.

mod fleet;
mod progress;
mod usage;

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;

use flamepipe::cli::fetch::{self as args, Args};
use flamepipe::cli::is_broken_pipe;
use flamepipe::fetch::{self, FetchError, FetchOptions, Target, TargetOptions};

use progress::Countdown;

/// What `main` needs from the command line.
struct Settings {
    target: Target,
    headers: Vec<(String, String)>,
    insecure: bool,
    timeout: Option<f64>,
    output: Option<String>,
    quiet: bool,
    /// Several targets (or `--targets`): a fleet, `target` is the first of them.
    fleet: Option<fleet::FleetSettings>,
}

fn main() -> ExitCode {
    let settings = match parse_command_line() {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    if settings.fleet.is_some() {
        return fleet::run(settings);
    }
    run(settings)
}

fn parse_command_line() -> Result<Settings, ExitCode> {
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let argv = args::go_style_long_options(&argv);
    let mut args = Args::try_parse_from(&argv).map_err(|err| report_clap_error(&err, &argv))?;
    let fleet = fleet::settings(&mut args).map_err(|message| usage_error(&message))?;
    let options = TargetOptions {
        url: args.urls.pop(),
        base_url: Some(args.url),
        suffix: Some(args.suffix),
        profile: args.profile,
        seconds: args.seconds,
    };
    let target = match &fleet {
        Some(fleet) => fleet.targets[0].clone(),
        None => fetch::resolve_target(&options).map_err(|err| usage_error(&err.to_string()))?,
    };
    if let (Some(replaced), false, None) = (replaced_profile(&options, &target), args.quiet, &fleet)
    {
        eprintln!("pprof-fetch: warning: {replaced}");
    }
    Ok(Settings {
        fleet,
        target,
        headers: args.header,
        insecure: args.insecure,
        timeout: args.timeout,
        output: args.output.filter(|o| o.as_str() != "-"),
        quiet: args.quiet,
    })
}

/// When `--profile` replaced the profile a full URL names (`.../goroutine --profile heap`):
/// what was asked for and what is fetched instead.
fn replaced_profile(options: &TargetOptions, target: &Target) -> Option<String> {
    let (url, profile) = (options.url.as_deref()?, options.profile.as_deref()?);
    let named = fetch::normalise_url(url).ok()?;
    if named.path.is_empty() || named.path == "/" || named.last_segment() == target.last_segment() {
        return None;
    }
    Some(format!(
        "--profile {profile} replaces the {} profile the URL names: fetching {}",
        named.last_segment(),
        target.path
    ))
}

/// Help and version go to stdout (exit 0); anything else is one line plus the usage (exit 2).
fn report_clap_error(err: &clap::Error, argv: &[String]) -> ExitCode {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    usage_error(&usage::message(err, argv))
}

pub(crate) fn usage_error(message: &str) -> ExitCode {
    let usage = args::command().render_usage();
    eprintln!("pprof-fetch: {message}\n\n{usage}\n\nFor more information, try '--help'.");
    ExitCode::from(2)
}

fn run(settings: Settings) -> ExitCode {
    let to_terminal = settings.output.is_none() && io::stdout().is_terminal();
    if to_terminal && !fetch::expects_text(&settings.target) {
        eprintln!("pprof-fetch: {}", FetchError::BinaryToTerminal);
        return ExitCode::from(2);
    }
    let options = FetchOptions {
        timeout: fetch::time_limit(&settings.target, settings.timeout),
        target: settings.target,
        headers: settings.headers,
        insecure: settings.insecure,
    };
    let progress = !settings.quiet && io::stderr().is_terminal();
    match fetch_and_write(
        &options,
        settings.output.as_deref(),
        settings.quiet,
        to_terminal,
        progress,
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pprof-fetch: {err}");
            if let Some(hint) = err.hint() {
                eprintln!("pprof-fetch: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

fn fetch_and_write(
    options: &FetchOptions,
    output: Option<&str>,
    quiet: bool,
    to_terminal: bool,
    progress: bool,
) -> Result<(), FetchError> {
    let mut countdown = Countdown::new(progress);
    let mut fetched = fetch::fetch(options, &mut |event| countdown.observe(event))?;
    if fetched.is_html() && !quiet {
        eprintln!(
            "pprof-fetch: warning: {} returned an HTML page, not a profile",
            fetched.final_url
        );
    }
    if let Some(path) = output {
        return fetch::write_to_file(&mut fetched.body, Path::new(path));
    }
    if to_terminal && fetched.body.looks_binary().map_err(FetchError::Spool)? {
        return Err(FetchError::BinaryToTerminal);
    }
    write_stdout(&mut fetched.body)
}

/// The body to stdout; a closed pipe ends quietly.
fn write_stdout(body: &mut fetch::Body) -> Result<(), FetchError> {
    write_stdout_with(&mut |out| body.write_to(out).map(|_| ()))
}

/// Writes to stdout with `write`; a closed pipe ends quietly.
pub(crate) fn write_stdout_with(
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> Result<(), FetchError> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = write(&mut out).and_then(|_| out.flush());
    match result {
        Err(e) if !is_broken_pipe(&e) => Err(FetchError::Write {
            file: "stdout".to_string(),
            source: e,
        }),
        _ => Ok(()),
    }
}

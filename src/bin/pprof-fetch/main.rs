//! `pprof-fetch`: download a raw profile from a Go `net/http/pprof` endpoint.
//!
//! Front-end only: parse the command line, call [`flamepipe::fetch`], draw its progress, map
//! errors to exit codes.

mod progress;

use flamepipe::cli::fetch as args;

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use flamepipe::cli::is_broken_pipe;
use flamepipe::fetch::{self, FetchError, FetchOptions, Target, TargetOptions};

use progress::Countdown;

/// go-torch options that belong to the later stages of the pipeline (docs/pprof-fetch.md,
/// "go-torch command line, mapped").
const GO_TORCH_OPTIONS: &[&str] = &[
    "-f",
    "--file",
    "-p",
    "--print",
    "-r",
    "--raw",
    "--title",
    "--width",
    "--colors",
    "--hash",
    "--cp",
    "--reverse",
    "--inverted",
    "-b",
    "--binaryinput",
    "--binaryname",
    "--pprofArgs",
    "-inuse_space",
    "-inuse_objects",
    "-alloc_space",
    "-alloc_objects",
    "-sample_index",
    "--inuse_space",
    "--inuse_objects",
    "--alloc_space",
    "--alloc_objects",
    "--sample_index",
];

const GO_TORCH_HINT: &str = "(this go-torch option belongs to pprof-collapse or flamegraph)";

/// What `main` needs from the command line.
struct Settings {
    target: Target,
    headers: Vec<(String, String)>,
    insecure: bool,
    timeout: Option<f64>,
    output: Option<String>,
    quiet: bool,
}

fn main() -> ExitCode {
    let settings = match parse_command_line() {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    run(settings)
}

fn parse_command_line() -> Result<Settings, ExitCode> {
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let matches = match args::command().try_get_matches_from(&argv) {
        Ok(matches) => matches,
        Err(err) => return Err(report_clap_error(err, &argv)),
    };
    let options = TargetOptions {
        url: matches.get_one::<String>("url_arg").cloned(),
        base_url: matches.get_one::<String>("url").cloned(),
        suffix: matches.get_one::<String>("suffix").cloned(),
        profile: matches.get_one::<String>("profile").cloned(),
        seconds: matches.get_one::<u64>("seconds").copied(),
    };
    let target = fetch::resolve_target(&options).map_err(|err| usage_error(&err.to_string()))?;
    Ok(Settings {
        target,
        headers: matches
            .get_many::<(String, String)>("header")
            .map(|h| h.cloned().collect())
            .unwrap_or_default(),
        insecure: matches.get_flag("insecure"),
        timeout: matches.get_one::<f64>("timeout").copied(),
        output: matches
            .get_one::<String>("output")
            .filter(|o| o.as_str() != "-")
            .cloned(),
        quiet: matches.get_flag("quiet"),
    })
}

/// Help and version go to stdout (exit 0); anything else is one line plus the usage (exit 2).
fn report_clap_error(err: clap::Error, argv: &[String]) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    let rendered = err.render().to_string();
    let first = rendered
        .lines()
        .next()
        .unwrap_or("invalid command line")
        .trim_start_matches("error: ");
    let message = match go_torch_option(argv) {
        Some(option) if err.kind() == ErrorKind::UnknownArgument => {
            format!("unexpected argument '{option}' {GO_TORCH_HINT}")
        }
        _ => match rendered.lines().find(|l| l.contains("[possible values:")) {
            Some(values) => format!("{first} {}", values.trim()),
            None => first.to_string(),
        },
    };
    usage_error(&message)
}

/// The first go-torch option of another stage on the command line, if any.
fn go_torch_option(argv: &[String]) -> Option<&str> {
    argv.iter()
        .skip(1)
        .take_while(|a| a.as_str() != "--")
        .map(|a| a.split('=').next().unwrap_or(a))
        .find(|a| GO_TORCH_OPTIONS.contains(a))
}

fn usage_error(message: &str) -> ExitCode {
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
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = body.write_to(&mut out).and_then(|_| out.flush());
    match result {
        Err(e) if !is_broken_pipe(&e) => Err(FetchError::Write {
            file: "stdout".to_string(),
            source: e,
        }),
        _ => Ok(()),
    }
}

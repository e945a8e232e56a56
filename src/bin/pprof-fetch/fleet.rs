//! Several targets (docs/pprof-fetch.md, "Several targets"): the targets from the command line
//! and `--targets FILE`, checked before any request, then [`fetch::fetch_fleet`] with one
//! progress line for all, each failure on its own line, and the merged profile written only
//! when the run succeeds.

use std::io::{self, BufRead, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use flamepipe::cli::fetch::Args;
use flamepipe::fetch::{
    self, EndpointKind, FetchError, FetchOptions, Fleet, FleetEvent, FleetOptions, Target,
    TargetOptions,
};

use crate::progress::FleetCountdown;
use crate::{write_stdout_with, Settings};

/// The fleet part of the command line.
pub struct FleetSettings {
    /// The resolved targets, in the order of merging.
    pub targets: Vec<Target>,
    jobs: Option<usize>,
    instance_label: Option<String>,
    keep_going: bool,
}

/// The fleet settings when the command line names several targets (two or more URLs, or
/// `--targets`); `Err` is a usage error. Takes the URLs out of `args`.
pub fn settings(args: &mut Args) -> Result<Option<FleetSettings>, String> {
    if args.urls.len() < 2 && args.targets.is_none() {
        return Ok(None);
    }
    let mut texts = std::mem::take(&mut args.urls);
    if let Some(file) = &args.targets {
        let lines = read_targets(file)?;
        if lines.is_empty() && texts.is_empty() {
            return Err(format!("no targets in \"{file}\""));
        }
        texts.extend(lines);
    }
    let mut targets: Vec<Target> = Vec::with_capacity(texts.len());
    for text in texts {
        let options = TargetOptions {
            url: Some(text),
            base_url: Some(args.url.clone()),
            suffix: Some(args.suffix.clone()),
            profile: args.profile.clone(),
            seconds: args.seconds,
        };
        let target = fetch::resolve_target(&options).map_err(|e| e.to_string())?;
        if fetch::expects_text(&target) || fetch::endpoint_kind(&target) == EndpointKind::Trace {
            return Err(format!(
                "several targets need pprof profiles; {target} cannot be merged"
            ));
        }
        if targets.iter().any(|t| same_target(t, &target)) {
            return Err(format!("target {target} is listed twice"));
        }
        targets.push(target);
    }
    Ok(Some(FleetSettings {
        targets,
        jobs: args.jobs,
        instance_label: Some(args.instance_label.clone()).filter(|key| !key.is_empty()),
        keep_going: args.keep_going,
    }))
}

/// The same request: URL and credentials (host names compared without case).
fn same_target(a: &Target, b: &Target) -> bool {
    a.host_port().eq_ignore_ascii_case(&b.host_port())
        && (&a.scheme, &a.path, &a.query, &a.userinfo)
            == (&b.scheme, &b.path, &b.query, &b.userinfo)
}

/// The lines of a `--targets` file (`-` = stdin) that name targets.
fn read_targets(file: &str) -> Result<Vec<String>, String> {
    let fail = |e: io::Error| format!("cannot read targets file \"{file}\": {e}");
    let reader: Box<dyn BufRead> = if file == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(io::BufReader::new(std::fs::File::open(file).map_err(fail)?))
    };
    let mut targets = Vec::new();
    for line in reader.lines() {
        let line = line.map_err(fail)?;
        let line = line.trim();
        if !line.is_empty() && !line.starts_with('#') {
            targets.push(line.to_string());
        }
    }
    Ok(targets)
}

/// Fetches and merges the fleet; exit 0 when the merge is written.
pub fn run(settings: Settings) -> ExitCode {
    let Some(fleet) = settings.fleet else {
        return ExitCode::FAILURE;
    };
    if settings.output.is_none() && io::stdout().is_terminal() {
        eprintln!("pprof-fetch: {}", FetchError::BinaryToTerminal);
        return ExitCode::from(2);
    }
    let count = fleet.targets.len();
    let seconds = fleet
        .targets
        .iter()
        .filter_map(fetch::collection_seconds)
        .reduce(f64::max);
    let options = FleetOptions {
        targets: fleet
            .targets
            .into_iter()
            .map(|target| FetchOptions {
                timeout: fetch::time_limit(&target, settings.timeout),
                target,
                headers: settings.headers.clone(),
                insecure: settings.insecure,
            })
            .collect(),
        jobs: fleet.jobs.unwrap_or(count),
        instance_label: fleet.instance_label,
    };
    let progress = !settings.quiet && io::stderr().is_terminal();
    let mut countdown = FleetCountdown::new(progress, seconds, count);
    let mut result = fetch::fetch_fleet(&options, &mut |event| match event {
        FleetEvent::Fetch { event, .. } => countdown.observe(&event),
        FleetEvent::Failed { error, .. } => {
            // One write per message, so the progress line (redrawn by its own thread) is
            // erased and then drawn again below it.
            let erase = if countdown.is_drawn() { "\r\x1b[K" } else { "" };
            let hint = error.hint().map(|h| format!("pprof-fetch: {h}\n"));
            eprint!("{erase}pprof-fetch: {error}\n{}", hint.unwrap_or_default());
        }
    });
    drop(countdown);
    finish(
        &mut result,
        settings.output.as_deref(),
        fleet.keep_going,
        settings.quiet,
    )
}

/// Writes the merge, or says why not.
fn finish(fleet: &mut Fleet, output: Option<&str>, keep_going: bool, quiet: bool) -> ExitCode {
    let (failed, total) = (fleet.failed, fleet.targets);
    if fleet.merged() == 0 {
        let all = if total == 1 {
            "the target"
        } else {
            "all targets"
        };
        eprintln!("pprof-fetch: {all} failed; nothing written");
        return ExitCode::FAILURE;
    }
    if failed > 0 && !keep_going {
        eprintln!(
            "pprof-fetch: {failed} of {total} targets failed; nothing written \
             (--keep-going writes the merge of the others)"
        );
        return ExitCode::FAILURE;
    }
    let mut write = |out: &mut dyn Write| {
        let mut out = BufWriter::with_capacity(1 << 16, out);
        fleet.write_to(&mut out)?;
        out.flush()
    };
    let written = match output {
        Some(path) => fetch::write_file_atomically(Path::new(path), &mut write),
        None => write_stdout_with(&mut write),
    };
    if let Err(err) = written {
        eprintln!("pprof-fetch: {err}");
        return ExitCode::FAILURE;
    }
    if failed > 0 && !quiet {
        eprintln!(
            "pprof-fetch: warning: {failed} of {total} targets failed; the profile merges the other {}",
            total - failed
        );
    }
    ExitCode::SUCCESS
}

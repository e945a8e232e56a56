//! The command line of `pprof-fetch`: its clap definition, used by the binary, the man page and the
//! shell completions (`examples/gen-docs`).

use clap::builder::PossibleValuesParser;
use clap::{Command, CommandFactory, Parser};

use crate::fetch::{DEFAULT_BASE_URL, DEFAULT_INSTANCE_LABEL, DEFAULT_SUFFIX, PROFILE_NAMES};

const ABOUT: &str = "Download a raw profile from a Go net/http/pprof endpoint, byte for byte \
(or the profiles of a fleet, merged into one)";

const LONG_ABOUT: &str = "\
Performs one HTTP GET on a Go program's net/http/pprof endpoint and writes the response body,
unchanged, to stdout or to -o FILE: the first stage of

    pprof-fetch http://127.0.0.1:8080 -t 30 | pprof-collapse | flamegraph > torch.svg

It replaces the fetching half of go-torch and `go tool pprof URL`, with go-torch's options
(-u, --suffix, -t). The body is received completely and checked (length, complete gzip) before
anything is written, so a cut profile never reaches the pipeline.

Given several targets (the replicas of a service), it fetches them all at once and writes ONE
gzipped pprof profile that merges them, every sample labelled instance=HOST:PORT:

    pprof-fetch -t 30 app-1:6060 app-2:6060 app-3:6060 | pprof-collapse | flamegraph > fleet.svg";

const AFTER_LONG_HELP: &str = "\
Which URL is requested:
  URL given, path empty or /    URL + --suffix (or --profile's path)
  URL given with a path         used as is (path and query kept)
  no URL                        -u with its path replaced by --suffix
  `host:port` and `:port` (= localhost:port) work; http:// is assumed.
  seconds=N goes into the query for /profile and /trace (30 unless the URL has one or -t is
  given), and for other profiles only with an explicit -t, which asks Go for a delta profile.

Examples:
  pprof-fetch                                       # http://localhost:8080/debug/pprof/profile?seconds=30
  pprof-fetch :6060 -t 10 | pprof-collapse | flamegraph > cpu.svg
  pprof-fetch -u http://app:6060 --profile heap | pprof-collapse -i inuse_space \\
    | flamegraph --colors mem --units bytes > heap.svg
  pprof-fetch -t 60 --profile allocs -o allocs-delta.pb.gz app:6060   # allocations in 60 s
  pprof-fetch -H 'Authorization: Bearer TOKEN' https://app.example/debug/pprof/goroutine -o g.pb.gz
  pprof-fetch 'http://app:6060/debug/pprof/goroutine?debug=2'          # text, fine on a terminal

Several targets (a fleet): two or more URLs, or --targets FILE
  pprof-fetch -t 30 app-1:6060 app-2:6060 app-3:6060 | pprof-collapse | flamegraph > fleet.svg
  pprof-fetch -t 30 --targets replicas.txt | pprof-collapse --tag-root instance | flamegraph > by-replica.svg
  pprof-fetch --profile heap -j 4 --keep-going --targets replicas.txt -o heap.pb.gz
  All requests start together (-j N: N at a time), so 30 s profiles of 50 replicas take about
  30 s. Merged as go tool pprof merges; each sample gets the label instance=HOST:PORT (so
  --tag-root instance gives one tower per replica). Any failure fails the run (exit 1, nothing
  written) unless --keep-going, which writes the merge of the others with a warning. One
  target without --targets is fetched byte for byte, unmerged and unlabelled.

Time limit: 1.5 x seconds + 5 s (65 s without seconds), as go tool pprof; --timeout overrides.
HTTP_PROXY, HTTPS_PROXY and NO_PROXY are honoured (never for localhost). Binary data is not
written to a terminal.

go-torch's other options belong to the later stages: --title, --width, --colors, --hash, --cp,
--reverse, --inverted to flamegraph; -inuse_space and friends to pprof-collapse; -f FILE is
`> FILE`.

Exit status: 0 written, 1 network/HTTP/check/write failure (a fleet: any target, or all of them
with --keep-going), 2 usage error.";

/// The command line of `pprof-fetch`, parsed (`Args::try_parse_from`).
#[derive(Debug, Clone, Parser)]
#[command(
    name = "pprof-fetch",
    version = concat!("(flamepipe) ", env!("CARGO_PKG_VERSION")),
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP
)]
pub struct Args {
    /// Full URL, base URL or host:port; wins over -u/--suffix. Two or more: a fleet, merged
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,

    /// Base URL of the program (go-torch); its path is replaced by --suffix
    #[arg(short = 'u', long = "url", value_name = "BASE", default_value = DEFAULT_BASE_URL)]
    pub url: String,

    /// Path used with a base URL (go-torch)
    #[arg(long, value_name = "PATH", default_value = DEFAULT_SUFFIX)]
    pub suffix: String,

    /// Profile duration [default: 30]; on other profiles than cpu/trace it asks for a delta profile
    #[arg(short = 't', long, alias = "time", value_name = "N", value_parser = parse_seconds)]
    pub seconds: Option<u64>,

    /// Fetch /debug/pprof/NAME (wins over --suffix; replaces the last path segment of a full URL)
    #[arg(long, value_name = "NAME", value_parser = PossibleValuesParser::new(PROFILE_NAMES))]
    pub profile: Option<String>,

    /// Write the body to FILE (replaced only when complete) instead of stdout; - = stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<String>,

    /// Extra request header, repeatable (e.g. 'Authorization: Bearer TOKEN')
    #[arg(short = 'H', long, value_name = "'NAME: VALUE'", value_parser = parse_header)]
    pub header: Vec<(String, String)>,

    /// HTTPS without certificate or host name verification
    #[arg(long)]
    pub insecure: bool,

    /// Overall time limit in seconds, decimal; 0 = none [default: 1.5 x seconds + 5]
    #[arg(long, value_name = "SECS", value_parser = parse_timeout)]
    pub timeout: Option<f64>,

    /// No warnings and no progress line (errors are still printed)
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// More targets, one per line (- = stdin; blank lines and # comments skipped); a fleet
    #[arg(long, value_name = "FILE", help_heading = "Several targets (a fleet)")]
    pub targets: Option<String>,

    /// At most N requests in flight [default: all at once]
    #[arg(short = 'j', long, value_name = "N", value_parser = parse_jobs,
          help_heading = "Several targets (a fleet)")]
    pub jobs: Option<usize>,

    /// Key of the label KEY=host:port added to every sample; '' adds none
    #[arg(long, value_name = "KEY", default_value = DEFAULT_INSTANCE_LABEL,
          help_heading = "Several targets (a fleet)")]
    pub instance_label: String,

    /// Write the merge of the targets that answered when some fail (with a warning)
    #[arg(long, help_heading = "Several targets (a fleet)")]
    pub keep_going: bool,
}

/// The full clap definition of `pprof-fetch` (for the man page and the shell completions).
pub fn command() -> Command {
    Args::command()
}

/// The command line with Go's single-dash long options (`-seconds 5`, `-timeout=10`,
/// `-output FILE`, as `go tool pprof` and go-torch users type them) written with two dashes,
/// so clap reads them as the long options they are. An argument is rewritten only when the
/// text after its dash, up to an `=`, is exactly one of the long names (or aliases) longer than
/// one letter; everything after `--` is left alone.
pub fn go_style_long_options(argv: &[String]) -> Vec<String> {
    let command = command();
    let longs: Vec<&str> = command
        .get_arguments()
        .flat_map(|arg| {
            arg.get_long()
                .into_iter()
                .chain(arg.get_all_aliases().unwrap_or_default())
        })
        .filter(|name| name.len() > 1)
        .collect();
    let mut out = Vec::with_capacity(argv.len());
    let mut options_ended = false;
    for (index, arg) in argv.iter().enumerate() {
        options_ended |= arg == "--";
        let single = arg.strip_prefix('-').filter(|rest| !rest.starts_with('-'));
        let rewrite = index > 0
            && !options_ended
            && single.is_some_and(|rest| longs.contains(&rest.split('=').next().unwrap_or("")));
        out.push(if rewrite {
            format!("-{arg}")
        } else {
            arg.clone()
        });
    }
    out
}

/// `-t`: an integer ≥ 1.
fn parse_seconds(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| "seconds must be an integer greater than 0".to_string())
}

/// `-j`: an integer ≥ 1.
fn parse_jobs(text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| "jobs must be an integer greater than 0".to_string())
}

/// `--timeout`: a decimal ≥ 0.
fn parse_timeout(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|t| t.is_finite() && *t >= 0.0 && *t < 1e9)
        .ok_or_else(|| "timeout must be a number of seconds, 0 or more".to_string())
}

/// `-H`: `Name: value` with a valid header name.
fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| "expected 'Name: value'".to_string())?;
    let name = name.trim();
    let valid_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid_name {
        return Err(format!("invalid header name \"{name}\""));
    }
    let value = value.trim();
    if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
        return Err(format!("invalid value for header \"{name}\""));
    }
    Ok((name.to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn go_style_single_dash_long_options() {
        // (as typed, as clap gets it)
        let pairs = [
            ("pprof-fetch", "pprof-fetch"),
            ("-seconds", "--seconds"),
            ("5", "5"),
            ("-timeout=10", "--timeout=10"),
            ("-output", "--output"),
            ("x.pb.gz", "x.pb.gz"),
            ("-time", "--time"),
            ("7", "7"),
            ("-q", "-q"),
            ("-t", "-t"),
            ("3", "3"),
            ("-sec", "-sec"),
            ("--", "--"),
            ("-seconds", "-seconds"),
        ];
        let argv: Vec<String> = pairs.iter().map(|(typed, _)| typed.to_string()).collect();
        let expected: Vec<&str> = pairs.iter().map(|(_, given)| *given).collect();
        assert_eq!(go_style_long_options(&argv), expected);
        let args = Args::try_parse_from(go_style_long_options(&argv[..6])).unwrap();
        assert_eq!(args.seconds, Some(5));
        assert_eq!(args.timeout, Some(10.0));
        assert_eq!(args.output.as_deref(), Some("x.pb.gz"));
    }

    #[test]
    fn fields_are_typed_and_defaults_applied() {
        let args = Args::try_parse_from([
            "pprof-fetch",
            "-t",
            "5",
            "-H",
            "A: b",
            "--header=C:d",
            "--profile",
            "heap",
            "--timeout",
            "2.5",
            "-q",
            "h:1",
        ])
        .unwrap();
        assert_eq!(args.urls, ["h:1"]);
        assert_eq!(args.url, DEFAULT_BASE_URL);
        assert_eq!(args.suffix, DEFAULT_SUFFIX);
        assert_eq!(args.seconds, Some(5));
        assert_eq!(args.profile.as_deref(), Some("heap"));
        assert_eq!(
            args.header,
            [("A".into(), "b".into()), ("C".into(), "d".into())]
        );
        assert_eq!(args.timeout, Some(2.5));
        assert!(args.quiet && !args.insecure);
        assert_eq!(args.output, None);
        assert_eq!(args.instance_label, "instance");
        assert!(args.jobs.is_none() && args.targets.is_none() && !args.keep_going);
    }

    #[test]
    fn fleet_options_parse() {
        let args = Args::try_parse_from([
            "pprof-fetch",
            "a:1",
            "b:2",
            "-j",
            "3",
            "--targets",
            "list.txt",
            "--instance-label=",
            "--keep-going",
        ])
        .unwrap();
        assert_eq!(args.urls, ["a:1", "b:2"]);
        assert_eq!(args.jobs, Some(3));
        assert_eq!(args.targets.as_deref(), Some("list.txt"));
        assert_eq!(args.instance_label, "");
        assert!(args.keep_going);
        assert!(Args::try_parse_from(["pprof-fetch", "-j", "0"]).is_err());
    }
}

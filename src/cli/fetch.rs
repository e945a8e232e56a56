//! The command line of `pprof-fetch`: its clap definition, used by the binary, the man page and the
//! shell completions (`examples/gen-docs`).

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, Command};

const ABOUT: &str = "Download a raw profile from a Go net/http/pprof endpoint, byte for byte";

const LONG_ABOUT: &str = "\
Performs one HTTP GET on a Go program's net/http/pprof endpoint and writes the response body,
unchanged, to stdout or to -o FILE: the first stage of

    pprof-fetch http://127.0.0.1:8080 -t 30 | pprof-collapse | flamegraph > torch.svg

It replaces the fetching half of go-torch and `go tool pprof URL`, with go-torch's options
(-u, --suffix, -t). The body is received completely and checked (length, complete gzip) before
anything is written, so a cut profile never reaches the pipeline.";

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
    | flamegraph --colors mem --countname bytes > heap.svg
  pprof-fetch -t 60 --profile allocs -o allocs-delta.pb.gz app:6060   # allocations in 60 s
  pprof-fetch -H 'Authorization: Bearer TOKEN' https://app.example/debug/pprof/goroutine -o g.pb.gz
  pprof-fetch 'http://app:6060/debug/pprof/goroutine?debug=2'          # text, fine on a terminal

Time limit: 1.5 x seconds + 5 s (65 s without seconds), as go tool pprof; --timeout overrides.
HTTP_PROXY, HTTPS_PROXY and NO_PROXY are honoured (never for localhost). Binary data is not
written to a terminal.

go-torch's other options belong to the later stages: --title, --width, --colors, --hash, --cp,
--reverse, --inverted to flamegraph; -inuse_space and friends to pprof-collapse; -f FILE is
`> FILE`.

Exit status: 0 written, 1 network/HTTP/check/write failure, 2 usage error.";

/// The full clap definition of `pprof-fetch`.
pub fn command() -> Command {
    Command::new("pprof-fetch")
        .version(concat!("(flamepipe) ", env!("CARGO_PKG_VERSION")))
        .about(ABOUT)
        .long_about(LONG_ABOUT)
        .after_long_help(AFTER_LONG_HELP)
        .arg(
            Arg::new("url_arg")
                .value_name("URL")
                .help("Full URL, base URL or host:port; wins over -u/--suffix"),
        )
        .arg(
            Arg::new("url")
                .short('u')
                .long("url")
                .value_name("BASE")
                .default_value("http://localhost:8080")
                .help("Base URL of the program (go-torch); its path is replaced by --suffix"),
        )
        .arg(
            Arg::new("suffix")
                .long("suffix")
                .value_name("PATH")
                .default_value("/debug/pprof/profile")
                .help("Path used with a base URL (go-torch)"),
        )
        .arg(
            Arg::new("seconds")
                .short('t')
                .long("seconds")
                .alias("time")
                .value_name("N")
                .value_parser(parse_seconds)
                .help("Profile duration [default: 30]; on other profiles than cpu/trace it asks for a delta profile"),
        )
        .arg(
            Arg::new("profile")
                .long("profile")
                .value_name("NAME")
                .value_parser(PossibleValuesParser::new(crate::fetch::PROFILE_NAMES))
                .help("Fetch /debug/pprof/NAME (wins over --suffix; replaces the last path segment of a full URL)"),
        )
        .arg(
            Arg::new("output")
                .short('o')
                .long("output")
                .value_name("FILE")
                .help("Write the body to FILE (replaced only when complete) instead of stdout; - = stdout"),
        )
        .arg(
            Arg::new("header")
                .short('H')
                .long("header")
                .value_name("'NAME: VALUE'")
                .action(ArgAction::Append)
                .value_parser(parse_header)
                .help("Extra request header, repeatable (e.g. 'Authorization: Bearer TOKEN')"),
        )
        .arg(
            Arg::new("insecure")
                .long("insecure")
                .action(ArgAction::SetTrue)
                .help("HTTPS without certificate or host name verification"),
        )
        .arg(
            Arg::new("timeout")
                .long("timeout")
                .value_name("SECS")
                .value_parser(parse_timeout)
                .help("Overall time limit in seconds, decimal; 0 = none [default: 1.5 x seconds + 5]"),
        )
        .arg(
            Arg::new("quiet")
                .short('q')
                .long("quiet")
                .action(ArgAction::SetTrue)
                .help("No warnings and no progress line (errors are still printed)"),
        )
}

/// `-t`: an integer ≥ 1.
fn parse_seconds(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| "seconds must be an integer greater than 0".to_string())
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

//! HTTP download of a raw profile from a Go `net/http/pprof` endpoint (`pprof-fetch`).
//!
//! The contract is `spec/fetch.md`. The pieces, in the order the binary uses them:
//!
//! * [`resolve_target`]: the request URL from go-torch's options (spec 2), built on
//!   [`normalise_url`] and [`apply_seconds`], pure functions;
//! * [`time_limit`]: the overall time limit (spec 3);
//! * [`expects_text`]: whether the answer is text, for the terminal-safety rule (spec 5);
//! * [`fetch`]: one GET with our own redirect handling (spec 4), the body spooled to memory or a
//!   temporary file and checked (spec 5), or a [`FetchError`] whose `Display` is the spec's
//!   message (spec 7);
//! * [`write_to_file`]: `-o FILE` through a temporary file and a rename.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::net::{IpAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use flate2::read::{MultiGzDecoder, ZlibDecoder};

/// go-torch's default base URL (`-u`).
pub const DEFAULT_BASE_URL: &str = "http://localhost:8080";
/// go-torch's default path (`--suffix`).
pub const DEFAULT_SUFFIX: &str = "/debug/pprof/profile";
/// The profile duration used when neither `--seconds` nor the URL gives one.
pub const DEFAULT_SECONDS: u64 = 30;
/// Names accepted by `--profile`.
pub const PROFILE_NAMES: &[&str] = &[
    "cpu",
    "profile",
    "heap",
    "allocs",
    "goroutine",
    "block",
    "mutex",
    "threadcreate",
    "trace",
];
/// Bodies up to this size are held in memory; larger ones go to a temporary file.
pub const MEMORY_SPOOL_LIMIT: usize = 16 << 20;
/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 10;

/// A request URL, split into the parts the spec's rules work on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `http` or `https`.
    pub scheme: String,
    /// `https+insecure` was given: no certificate or host name verification.
    pub insecure: bool,
    /// `user:password` before `@`, still percent-encoded.
    pub userinfo: Option<String>,
    /// Host as written (IPv6 literals keep their brackets).
    pub host: String,
    /// Explicit port, if any.
    pub port: Option<u16>,
    /// Path, empty or starting with `/`.
    pub path: String,
    /// Query without `?`, if any.
    pub query: Option<String>,
}

impl Target {
    /// `host:port`, with the scheme's default port when none was given.
    pub fn host_port(&self) -> String {
        format!("{}:{}", self.host, self.port_or_default())
    }

    fn port_or_default(&self) -> u16 {
        self.port
            .unwrap_or(if self.scheme == "https" { 443 } else { 80 })
    }

    /// The value of the first `seconds` query parameter, if any.
    pub fn seconds_param(&self) -> Option<&str> {
        query_param(self.query.as_deref()?, "seconds")
    }

    /// The last path segment (`profile`, `heap`, ...).
    pub fn last_segment(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or("")
    }
}

/// The URL without credentials, as requests are made and as messages name it.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        f.write_str(&self.path)?;
        if let Some(query) = &self.query {
            write!(f, "?{query}")?;
        }
        Ok(())
    }
}

/// A URL text that cannot be used (spec 2.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid URL \"{text}\": {reason}")]
pub struct UrlError {
    /// The text as given.
    pub text: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Normalises and parses a URL text (spec 2.1): `:PORT` means `localhost:PORT`, a missing scheme
/// means `http://`, and the scheme must be `http`, `https` or `https+insecure`.
pub fn normalise_url(text: &str) -> Result<Target, UrlError> {
    let fail = |reason: &str| UrlError {
        text: text.to_string(),
        reason: reason.to_string(),
    };
    let trimmed = text.trim();
    let full = if trimmed.starts_with(':') {
        format!("http://localhost{trimmed}")
    } else if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("http://{trimmed}")
    };
    let (scheme, rest) = full.split_once("://").ok_or_else(|| fail("no scheme"))?;
    let (scheme, insecure) = match scheme.to_ascii_lowercase().as_str() {
        "http" => ("http", false),
        "https" => ("https", false),
        "https+insecure" => ("https", true),
        other => {
            return Err(fail(&format!(
                "unsupported scheme \"{other}\" (use http, https or https+insecure)"
            )))
        }
    };
    let rest = rest.split('#').next().unwrap_or("");
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at(authority_end);
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((user, hp)) => (Some(user.to_string()), hp),
        None => (None, authority),
    };
    let (host, port) = split_host_port(host_port).map_err(|reason| fail(&reason))?;
    if host.is_empty() {
        return Err(fail("missing host"));
    }
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path.to_string(), Some(query.to_string())),
        None => (path_and_query.to_string(), None),
    };
    let target = Target {
        scheme: scheme.to_string(),
        insecure,
        userinfo,
        host: host.to_string(),
        port,
        path,
        query,
    };
    validate_uri(&target.to_string()).map_err(|reason| fail(&reason))?;
    Ok(target)
}

fn split_host_port(host_port: &str) -> Result<(&str, Option<u16>), String> {
    let (host, port) = if let Some(inner_end) = host_port
        .strip_prefix('[')
        .and_then(|_| host_port.find(']'))
    {
        let host = &host_port[..=inner_end];
        match &host_port[inner_end + 1..] {
            "" => (host, None),
            rest => match rest.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => return Err(format!("unexpected \"{rest}\" after the IPv6 address")),
            },
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(port) => Some(
            port.parse::<u16>()
                .ok()
                .filter(|p| *p > 0 && port.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| format!("invalid port \"{port}\""))?,
        ),
    };
    if host.contains(':') && !host.starts_with('[') {
        return Err("an IPv6 address must be written in brackets".to_string());
    }
    Ok((host, port))
}

fn validate_uri(text: &str) -> Result<(), String> {
    text.parse::<ureq::http::Uri>()
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Maps a `--profile` name to its path segment (`cpu` is `profile`); `None` if unknown.
pub fn profile_segment(name: &str) -> Option<&'static str> {
    match name {
        "cpu" | "profile" => Some("profile"),
        _ => PROFILE_NAMES.iter().copied().find(|n| *n == name),
    }
}

/// What the command line says about the target (spec 1 and 2).
#[derive(Debug, Clone, Default)]
pub struct TargetOptions {
    /// The positional URL, if given.
    pub url: Option<String>,
    /// `-u`; `None` means [`DEFAULT_BASE_URL`].
    pub base_url: Option<String>,
    /// `--suffix`; `None` means [`DEFAULT_SUFFIX`].
    pub suffix: Option<String>,
    /// `--profile NAME` (already validated by [`profile_segment`]).
    pub profile: Option<String>,
    /// `-t/--seconds` when given explicitly.
    pub seconds: Option<u64>,
}

/// The request URL for the options (spec 2, the whole table).
pub fn resolve_target(options: &TargetOptions) -> Result<Target, UrlError> {
    let suffix = with_leading_slash(options.suffix.as_deref().unwrap_or(DEFAULT_SUFFIX));
    let profile_path = options
        .profile
        .as_deref()
        .and_then(profile_segment)
        .map(|segment| format!("/debug/pprof/{segment}"));
    let base_path = profile_path.clone().unwrap_or(suffix);
    let mut target = match &options.url {
        Some(url) => {
            let mut target = normalise_url(url)?;
            if target.path.is_empty() || target.path == "/" {
                set_path(&mut target, &base_path);
            } else if let Some(segment) = options.profile.as_deref().and_then(profile_segment) {
                target.path = replace_last_segment(&target.path, segment);
            }
            target
        }
        None => {
            let mut target =
                normalise_url(options.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
            set_path(&mut target, &base_path);
            target
        }
    };
    apply_seconds(&mut target, options.seconds);
    Ok(target)
}

/// Sets the path from a `--suffix` (or profile path); a query in it joins the URL's query.
fn set_path(target: &mut Target, path_and_query: &str) {
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query, None),
    };
    target.path = path.to_string();
    target.query = match (target.query.take(), query.filter(|q| !q.is_empty())) {
        (Some(old), Some(new)) if !old.is_empty() => Some(format!("{old}&{new}")),
        (_, Some(new)) => Some(new.to_string()),
        (old, None) => old,
    };
}

fn with_leading_slash(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

fn replace_last_segment(path: &str, segment: &str) -> String {
    match path.rfind('/') {
        Some(slash) => format!("{}{segment}", &path[..=slash]),
        None => format!("/{segment}"),
    }
}

/// The kind of endpoint, from the last path segment (spec 2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointKind {
    /// `/profile`: the CPU profile.
    Cpu,
    /// `/trace`: the execution trace.
    Trace,
    /// Anything else (named profiles, where `seconds` asks for a delta).
    Other,
}

/// The endpoint kind of a target.
pub fn endpoint_kind(target: &Target) -> EndpointKind {
    match target.last_segment() {
        "profile" => EndpointKind::Cpu,
        "trace" => EndpointKind::Trace,
        _ => EndpointKind::Other,
    }
}

/// The `seconds` rule (spec 2.4): CPU profile and trace get `seconds=N` when given explicitly,
/// else `seconds=30` unless the URL has one; other endpoints only when given explicitly.
pub fn apply_seconds(target: &mut Target, explicit: Option<u64>) {
    let value = match (endpoint_kind(target), explicit) {
        (_, Some(n)) => n,
        (EndpointKind::Other, None) => return,
        (_, None) if target.seconds_param().is_some() => return,
        (_, None) => DEFAULT_SECONDS,
    };
    target.query = Some(set_query_param(
        target.query.as_deref(),
        "seconds",
        &value.to_string(),
    ));
}

/// The value of the first parameter `name` of a query string.
pub fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|pair| match pair.split_once('=') {
            Some((key, value)) if key == name => Some(value),
            None if pair == name => Some(""),
            _ => None,
        })
}

/// Sets `name=value` in a query string: replaces the first occurrence in place (dropping later
/// ones) or appends it last; other parameters keep their order and spelling.
pub fn set_query_param(query: Option<&str>, name: &str, value: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut replaced = false;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let key = pair.split_once('=').map_or(pair, |(k, _)| k);
        if key == name {
            if !replaced {
                parts.push(format!("{name}={value}"));
                replaced = true;
            }
        } else {
            parts.push(pair.to_string());
        }
    }
    if !replaced {
        parts.push(format!("{name}={value}"));
    }
    parts.join("&")
}

/// D of spec 3: the URL's `seconds` value when it parses as a positive number.
pub fn collection_seconds(target: &Target) -> Option<f64> {
    target
        .seconds_param()?
        .parse::<f64>()
        .ok()
        .filter(|d| d.is_finite() && *d > 0.0)
}

/// The overall time limit (spec 3): `--timeout` when given (0 = none), else 1.5·D + 5 s, or 65 s
/// without D.
pub fn time_limit(target: &Target, explicit: Option<f64>) -> Option<Duration> {
    match explicit {
        Some(secs) if secs <= 0.0 => None,
        Some(secs) => Some(Duration::from_secs_f64(secs)),
        None => {
            let wait = collection_seconds(target).map_or(60.0, |d| d * 1.5);
            Some(Duration::from_secs_f64(wait + 5.0))
        }
    }
}

/// Whether the answer is expected to be text (spec 5, terminal safety): a non-zero `debug`
/// parameter, or a path ending in `/cmdline`, `/symbol` or `/debug/pprof/`.
pub fn expects_text(target: &Target) -> bool {
    let debug = target
        .query
        .as_deref()
        .and_then(|q| query_param(q, "debug"))
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    debug != 0
        || target.path.ends_with("/cmdline")
        || target.path.ends_with("/symbol")
        || target.path.ends_with("/debug/pprof/")
}

/// Everything [`fetch`] needs.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// The request URL.
    pub target: Target,
    /// `-H` headers, in order.
    pub headers: Vec<(String, String)>,
    /// `--insecure` (or the `https+insecure` scheme, see [`Target::insecure`]).
    pub insecure: bool,
    /// Overall time limit, `None` for none.
    pub timeout: Option<Duration>,
    /// Show the countdown of spec 6 on stderr.
    pub progress: bool,
}

/// A failed fetch; `Display` is the spec's one-line message without the `pprof-fetch: ` prefix.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// A URL that cannot be used (also in a redirect's `Location`).
    #[error(transparent)]
    Url(#[from] UrlError),
    /// Nobody listens on the port.
    #[error("cannot connect to {url}: connection refused (is the program running and serving net/http/pprof on {host_port}?)")]
    ConnectionRefused {
        /// Request URL.
        url: String,
        /// `host:port` of the URL.
        host_port: String,
    },
    /// Another failure to connect (unreachable network, proxy, ...).
    #[error("cannot connect to {url}: {reason}")]
    Connect {
        /// Request URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The host name does not resolve.
    #[error("cannot resolve host \"{host}\" in {url}: {reason}")]
    Dns {
        /// The host name.
        host: String,
        /// Request URL.
        url: String,
        /// The resolver's answer.
        reason: String,
    },
    /// TLS handshake or certificate failure.
    #[error("TLS error for {url}: {reason} (use --insecure to skip certificate verification)")]
    Tls {
        /// Request URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The overall time limit passed.
    #[error("timed out after {} s waiting for {url} (use --timeout to allow longer)", format_seconds(*limit))]
    Timeout {
        /// Request URL.
        url: String,
        /// The limit that passed.
        limit: Duration,
    },
    /// Reset, closed early, or a body shorter than its `Content-Length`.
    #[error("{url}: connection closed after {bytes} bytes: {reason}")]
    ConnectionClosed {
        /// Request URL.
        url: String,
        /// Body bytes received.
        bytes: u64,
        /// What happened.
        reason: String,
    },
    /// A gzip body without its end.
    #[error("{url}: incomplete profile: gzip data ends after {bytes} bytes without its trailer (server WriteTimeout shorter than the profile duration?)")]
    IncompleteGzip {
        /// Request URL.
        url: String,
        /// Body size.
        bytes: u64,
    },
    /// A gzip body that is damaged (bad CRC, length or data), not merely cut.
    #[error("{url}: corrupt profile: gzip data of {bytes} bytes is invalid: {reason}")]
    CorruptGzip {
        /// Request URL.
        url: String,
        /// Body size.
        bytes: u64,
        /// The decompressor's complaint.
        reason: String,
    },
    /// Status 200 with nothing in it.
    #[error("{url}: the server sent an empty response")]
    EmptyResponse {
        /// Request URL.
        url: String,
    },
    /// An answer other than 200 (spec 5).
    #[error("server response: {status}{}", body.as_ref().map(|b| format!(" - {b}")).unwrap_or_default())]
    Status {
        /// Code and reason phrase, e.g. `404 Not Found`.
        status: String,
        /// The body, when it is shown.
        body: Option<String>,
        /// Add the 404 hint line.
        hint: bool,
    },
    /// More than [`MAX_REDIRECTS`] redirects.
    #[error("{url}: too many redirects (more than {MAX_REDIRECTS}); last location {last}")]
    TooManyRedirects {
        /// Request URL.
        url: String,
        /// The last location seen.
        last: String,
    },
    /// A response that is not valid HTTP, or another transport error.
    #[error("{url}: {reason}")]
    Transport {
        /// Request URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The temporary spool file failed.
    #[error("cannot buffer the response in a temporary file: {0}")]
    Spool(io::Error),
    /// `-o FILE` could not be written.
    #[error("cannot write {file}: {source}")]
    Write {
        /// The output file.
        file: String,
        /// Why.
        source: io::Error,
    },
    /// Binary data for a terminal (spec 5).
    #[error("refusing to write binary profile data to a terminal; redirect stdout or use -o FILE")]
    BinaryToTerminal,
}

/// The hint printed after a 404 without `X-Go-Pprof`.
pub const NOT_FOUND_HINT: &str =
    "hint: is net/http/pprof registered on this server? expected paths /debug/pprof/...";

impl FetchError {
    /// The second line to print after the message, if any (the 404 hint).
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            FetchError::Status { hint: true, .. } => Some(NOT_FOUND_HINT),
            _ => None,
        }
    }
}

/// Seconds as a short decimal: `65`, `1.5`, `0.25`.
pub fn format_seconds(limit: Duration) -> String {
    let text = format!("{:.3}", limit.as_secs_f64());
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The response body of a successful fetch, in memory or in an anonymous temporary file.
#[derive(Debug)]
pub struct Body {
    storage: Storage,
    len: u64,
}

#[derive(Debug)]
enum Storage {
    Memory(Vec<u8>),
    File(File),
}

impl Body {
    /// Size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True for an empty body.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the body is held in memory (else in a temporary file).
    pub fn in_memory(&self) -> bool {
        matches!(self.storage, Storage::Memory(_))
    }

    /// A reader over the whole body from its start.
    pub fn reader(&mut self) -> io::Result<Box<dyn Read + '_>> {
        match &mut self.storage {
            Storage::Memory(bytes) => Ok(Box::new(&bytes[..])),
            Storage::File(file) => {
                file.seek(SeekFrom::Start(0))?;
                Ok(Box::new(io::BufReader::with_capacity(1 << 16, &*file)))
            }
        }
    }

    /// The first bytes (up to `n`).
    pub fn head(&mut self, n: usize) -> io::Result<Vec<u8>> {
        let mut head = Vec::with_capacity(n);
        self.reader()?.take(n as u64).read_to_end(&mut head)?;
        Ok(head)
    }

    /// True if the body starts with the gzip magic `1f 8b`.
    pub fn is_gzip(&mut self) -> io::Result<bool> {
        Ok(self.head(2)? == [0x1f, 0x8b])
    }

    /// Binary for a terminal: gzip, or any NUL byte.
    pub fn looks_binary(&mut self) -> io::Result<bool> {
        if self.is_gzip()? {
            return Ok(true);
        }
        let mut reader = self.reader()?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                return Ok(false);
            }
            if memchr::memchr(0, &buf[..n]).is_some() {
                return Ok(true);
            }
        }
    }

    /// Copies the whole body to `out`.
    pub fn write_to(&mut self, out: &mut dyn Write) -> io::Result<u64> {
        let mut reader = self.reader()?;
        io::copy(&mut reader, out)
    }
}

/// A successful fetch: status 200, complete and checked body.
#[derive(Debug)]
pub struct Fetched {
    /// The body, byte for byte (transport compression undone).
    pub body: Body,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The URL that answered (after redirects).
    pub final_url: String,
}

impl Fetched {
    /// True when the server said `text/html` (a login page, an index, a proxy's error page).
    pub fn is_html(&self) -> bool {
        self.content_type
            .as_deref()
            .map(media_type)
            .is_some_and(|t| t == "text/html")
    }
}

/// The lower-case media type of a `Content-Type` value, without parameters.
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Performs the request of spec 4 and the checks of spec 5.
pub fn fetch(options: &FetchOptions) -> Result<Fetched, FetchError> {
    let started = Instant::now();
    let countdown = match collection_seconds(&options.target) {
        Some(d) if options.progress => Some(Countdown::start(d, options.target.host_port())),
        _ => None,
    };
    let answer = request_following_redirects(options, started);
    drop(countdown);
    let (response, url) = answer?;
    let status = response.status();
    if status != ureq::http::StatusCode::OK {
        return Err(status_error(response));
    }
    let content_type = header_text(&response, "content-type");
    let limit = options.timeout;
    let mut body = receive_body(response, &url, limit)?;
    if body.is_empty() {
        return Err(FetchError::EmptyResponse { url });
    }
    check_gzip(&mut body, &url)?;
    Ok(Fetched {
        body,
        content_type,
        final_url: url,
    })
}

type Response = ureq::http::Response<ureq::Body>;

/// GET with redirects followed by hand: at most [`MAX_REDIRECTS`], `-H` headers and credentials
/// only while the host stays the same.
fn request_following_redirects(
    options: &FetchOptions,
    started: Instant,
) -> Result<(Response, String), FetchError> {
    let mut target = options.target.clone();
    let first_host = target.host.to_ascii_lowercase();
    let mut same_host = true;
    for _ in 0..=MAX_REDIRECTS {
        same_host = same_host && target.host.eq_ignore_ascii_case(&first_host);
        let url = target.to_string();
        let remaining = remaining_time(options.timeout, started, &url)?;
        let response = send_once(options, &target, same_host, remaining)
            .map_err(|e| classify_error(e, &target, options.timeout))?;
        if !response.status().is_redirection() {
            return Ok((response, url));
        }
        let Some(location) = header_text(&response, "location") else {
            return Ok((response, url));
        };
        target = resolve_location(&target, &location)?;
    }
    Err(FetchError::TooManyRedirects {
        url: options.target.to_string(),
        last: target.to_string(),
    })
}

fn remaining_time(
    limit: Option<Duration>,
    started: Instant,
    url: &str,
) -> Result<Option<Duration>, FetchError> {
    match limit {
        None => Ok(None),
        Some(limit) => match limit.checked_sub(started.elapsed()) {
            Some(left) if !left.is_zero() => Ok(Some(left)),
            _ => Err(FetchError::Timeout {
                url: url.to_string(),
                limit,
            }),
        },
    }
}

fn send_once(
    options: &FetchOptions,
    target: &Target,
    same_host: bool,
    remaining: Option<Duration>,
) -> Result<Response, ureq::Error> {
    let agent = build_agent(target, options.insecure || target.insecure, remaining)?;
    let mut request = agent.get(target.to_string());
    for (name, value) in request_headers(options, target, same_host) {
        request = request.header(name, value);
    }
    request.call()
}

fn build_agent(
    target: &Target,
    insecure: bool,
    remaining: Option<Duration>,
) -> Result<ureq::Agent, ureq::Error> {
    let proxy = match proxy_for(target) {
        Some(proxy) => Some(ureq::Proxy::new(&proxy)?),
        None => None,
    };
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .disable_verification(insecure)
        .build();
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(remaining)
        .proxy(proxy)
        .tls_config(tls)
        .user_agent(user_agent())
        .build();
    Ok(ureq::Agent::new_with_config(config))
}

fn user_agent() -> String {
    format!("pprof-fetch/{}", env!("CARGO_PKG_VERSION"))
}

/// Request headers in order: ours, then credentials and `-H` (only on the first host); a `-H`
/// header replaces ours of the same name.
fn request_headers(
    options: &FetchOptions,
    target: &Target,
    same_host: bool,
) -> Vec<(String, String)> {
    let mut headers = vec![
        ("User-Agent".to_string(), user_agent()),
        ("Accept-Encoding".to_string(), "identity".to_string()),
    ];
    if !same_host {
        return headers;
    }
    if let Some(userinfo) = &target.userinfo {
        headers.push(("Authorization".to_string(), basic_authorization(userinfo)));
    }
    for (name, _) in &options.headers {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }
    headers.extend(options.headers.iter().cloned());
    headers
}

/// `Basic base64(user:password)` from a percent-encoded userinfo.
pub fn basic_authorization(userinfo: &str) -> String {
    let decoded = match userinfo.split_once(':') {
        Some((user, password)) => {
            let mut both = percent_decode(user);
            both.push(b':');
            both.extend(percent_decode(password));
            both
        }
        None => {
            let mut user = percent_decode(userinfo);
            user.push(b':');
            user
        }
    };
    format!("Basic {}", base64(&decoded))
}

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(bits >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Resolves a `Location` against the current URL (absolute, scheme-relative, absolute-path or
/// relative-path references).
pub fn resolve_location(base: &Target, location: &str) -> Result<Target, FetchError> {
    let location = location.trim();
    let mut target = if location.contains("://") {
        let mut next = normalise_url(location)?;
        next.insecure |= base.insecure;
        return Ok(next);
    } else if let Some(rest) = location.strip_prefix("//") {
        let mut next = normalise_url(&format!("{}://{rest}", base.scheme))?;
        next.insecure |= base.insecure;
        return Ok(next);
    } else {
        base.clone()
    };
    let (path, query) = match location.split('#').next().unwrap_or("").split_once('?') {
        Some((path, query)) => (path.to_string(), Some(query.to_string())),
        None => (location.split('#').next().unwrap_or("").to_string(), None),
    };
    target.query = query;
    target.path = if path.starts_with('/') {
        path
    } else if path.is_empty() {
        base.path.clone()
    } else {
        let dir_end = base.path.rfind('/').map_or(0, |i| i + 1);
        format!("{}{}", with_leading_slash(&base.path[..dir_end]), path)
    };
    validate_uri(&target.to_string()).map_err(|reason| UrlError {
        text: location.to_string(),
        reason,
    })?;
    Ok(target)
}

/// The proxy for a target as Go clients choose it: `HTTP_PROXY` for http, `HTTPS_PROXY` for
/// https (upper case first, then lower case), never for localhost or loopback addresses, and
/// not for hosts matching `NO_PROXY`.
pub fn proxy_for(target: &Target) -> Option<String> {
    proxy_for_env(target, |name| std::env::var(name).ok())
}

/// [`proxy_for`] with the environment given as a function (for tests).
pub fn proxy_for_env(target: &Target, env: impl Fn(&str) -> Option<String>) -> Option<String> {
    let lookup = |upper: &str, lower: &str| {
        env(upper)
            .filter(|v| !v.is_empty())
            .or_else(|| env(lower).filter(|v| !v.is_empty()))
    };
    let proxy = if target.scheme == "https" {
        lookup("HTTPS_PROXY", "https_proxy")?
    } else {
        if env("REQUEST_METHOD").is_some() {
            return None; // CGI: HTTP_PROXY may come from a request header
        }
        lookup("HTTP_PROXY", "http_proxy")?
    };
    let host = target
        .host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    if is_loopback(&host) {
        return None;
    }
    let no_proxy = lookup("NO_PROXY", "no_proxy").unwrap_or_default();
    if no_proxy_matches(&no_proxy, &host, target.port_or_default()) {
        return None;
    }
    Some(if proxy.contains("://") {
        proxy
    } else {
        format!("http://{proxy}")
    })
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `NO_PROXY` matching: `*` matches all; an IP network (`10.0.0.0/8`) matches addresses in it;
/// a name matches itself and its subdomains (a leading `.` or `*.`: subdomains only); an entry
/// with a port matches only that port.
fn no_proxy_matches(no_proxy: &str, host: &str, port: u16) -> bool {
    no_proxy
        .split(',')
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .any(|entry| no_proxy_entry_matches(&entry, host, port))
}

fn no_proxy_entry_matches(entry: &str, host: &str, port: u16) -> bool {
    if entry == "*" {
        return true;
    }
    if let Some((network, prefix)) = entry.split_once('/') {
        return in_network(host, network, prefix);
    }
    let (name, entry_port) = match entry.rsplit_once(':') {
        Some((n, p)) if !n.contains(':') || n.ends_with(']') => (n, p.parse::<u16>().ok()),
        _ => (entry, None),
    };
    if entry_port.is_some_and(|p| p != port) {
        return false;
    }
    let name = name.trim_start_matches('[').trim_end_matches(']');
    if let Some(domain) = name.strip_prefix("*.").or_else(|| name.strip_prefix('.')) {
        host.ends_with(&format!(".{domain}"))
    } else {
        host == name || host.ends_with(&format!(".{name}"))
    }
}

/// Whether `host` is an IP address inside `network/prefix`.
fn in_network(host: &str, network: &str, prefix: &str) -> bool {
    let (Ok(host), Ok(network), Ok(prefix)) = (
        host.parse::<IpAddr>(),
        network.parse::<IpAddr>(),
        prefix.parse::<u32>(),
    ) else {
        return false;
    };
    let bits = |ip: IpAddr| match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32),
        IpAddr::V6(v6) => (u128::from(v6), 128),
    };
    let ((host_bits, host_len), (net_bits, net_len)) = (bits(host), bits(network));
    if host_len != net_len || prefix > net_len {
        return false;
    }
    let mask = match prefix {
        0 => 0,
        p => u128::MAX << (128 - p),
    };
    host_bits & mask == net_bits & mask
}

fn header_text(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// Maps a ureq error to the spec's messages.
fn classify_error(error: ureq::Error, target: &Target, limit: Option<Duration>) -> FetchError {
    let url = target.to_string();
    match error {
        ureq::Error::Timeout(_) => timeout_error(url, limit),
        ureq::Error::HostNotFound => FetchError::Dns {
            host: target.host.clone(),
            url,
            reason: "no address found".to_string(),
        },
        ureq::Error::Tls(reason) => FetchError::Tls {
            url,
            reason: reason.to_string(),
        },
        ureq::Error::Rustls(e) => FetchError::Tls {
            url,
            reason: e.to_string(),
        },
        ureq::Error::Io(e) => classify_io_error(e, target, limit),
        ureq::Error::ConnectionFailed => FetchError::Connect {
            url,
            reason: "connection failed".to_string(),
        },
        ureq::Error::ConnectProxyFailed(reason) => FetchError::Connect {
            url,
            reason: format!("proxy: {reason}"),
        },
        ureq::Error::InvalidProxyUrl => FetchError::Connect {
            url,
            reason: "invalid proxy URL in HTTP_PROXY/HTTPS_PROXY".to_string(),
        },
        ureq::Error::Protocol(e) => FetchError::Transport {
            url,
            reason: format!("invalid HTTP response: {e}"),
        },
        other => FetchError::Transport {
            url,
            reason: other.to_string(),
        },
    }
}

/// Our time limit passed; without one, the system's own timeout (e.g. TCP connect) did.
fn timeout_error(url: String, limit: Option<Duration>) -> FetchError {
    match limit {
        Some(limit) => FetchError::Timeout { url, limit },
        None => FetchError::Transport {
            url,
            reason: "timed out (system limit)".to_string(),
        },
    }
}

fn classify_io_error(error: io::Error, target: &Target, limit: Option<Duration>) -> FetchError {
    let url = target.to_string();
    match error.kind() {
        io::ErrorKind::ConnectionRefused => FetchError::ConnectionRefused {
            url,
            host_port: target.host_port(),
        },
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => timeout_error(url, limit),
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::UnexpectedEof
        | io::ErrorKind::BrokenPipe => FetchError::ConnectionClosed {
            url,
            bytes: 0,
            reason: error.to_string(),
        },
        io::ErrorKind::InvalidData if target.scheme == "https" => FetchError::Tls {
            url,
            reason: error.to_string(),
        },
        _ => match resolve_error(target) {
            Some(reason) => FetchError::Dns {
                host: target.host.clone(),
                url,
                reason,
            },
            None => FetchError::Connect {
                url,
                reason: error.to_string(),
            },
        },
    }
}

/// Confirms a name-resolution failure by resolving the host ourselves (only on the error path).
fn resolve_error(target: &Target) -> Option<String> {
    if proxy_for(target).is_some() {
        return None;
    }
    let host = target.host.trim_start_matches('[').trim_end_matches(']');
    match (host, target.port_or_default()).to_socket_addrs() {
        Ok(addrs) => match addrs.count() {
            0 => Some("no address found".to_string()),
            _ => None,
        },
        Err(e) => {
            let text = e.to_string();
            let reason = text
                .strip_prefix("failed to lookup address information: ")
                .unwrap_or(&text);
            Some(reason.to_string())
        }
    }
}

/// Builds the error for an answer other than 200 (spec 5, "Other status").
fn status_error(response: Response) -> FetchError {
    let code = response.status();
    let status = match code.canonical_reason() {
        Some(reason) => format!("{} {reason}", code.as_u16()),
        None => code.as_u16().to_string(),
    };
    let go_pprof = response.headers().contains_key("x-go-pprof");
    let content_type = header_text(&response, "content-type");
    let limit = if go_pprof { 64 << 10 } else { 1025 };
    let mut bytes = Vec::new();
    let _ = response
        .into_body()
        .into_reader()
        .take(limit)
        .read_to_end(&mut bytes);
    let body = if go_pprof {
        Some(one_line(&String::from_utf8_lossy(&bytes)))
    } else if is_short_text(&bytes, content_type.as_deref()) {
        std::str::from_utf8(&bytes).ok().map(one_line)
    } else {
        None
    };
    FetchError::Status {
        status,
        body: body.filter(|b| !b.is_empty()),
        hint: code == ureq::http::StatusCode::NOT_FOUND && !go_pprof,
    }
}

/// A body shown in the error line: at most 1024 bytes of UTF-8, no control characters but
/// TAB/CR/LF, `Content-Type` absent or `text/plain`.
pub fn is_short_text(bytes: &[u8], content_type: Option<&str>) -> bool {
    let plain = content_type.is_none_or(|t| media_type(t) == "text/plain");
    plain
        && bytes.len() <= 1024
        && std::str::from_utf8(bytes).is_ok_and(|text| {
            text.chars()
                .all(|c| !c.is_control() || matches!(c, '\t' | '\r' | '\n'))
        })
}

/// Trimmed, line breaks as single spaces, other control characters replaced (terminal safety).
pub fn one_line(text: &str) -> String {
    let text = text.trim().replace("\r\n", "\n");
    text.chars()
        .map(|c| match c {
            '\n' | '\r' => ' ',
            '\t' => '\t',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Receives the body into a [`Body`], undoing transport compression and checking its length.
fn receive_body(
    response: Response,
    url: &str,
    limit: Option<Duration>,
) -> Result<Body, FetchError> {
    let encoding =
        header_text(&response, "content-encoding").map(|e| e.trim().to_ascii_lowercase());
    let content_length =
        header_text(&response, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    let raw = CountingReader {
        inner: response.into_body().into_reader(),
        count: 0,
    };
    let mut decoded = TransportDecoder::new(raw, encoding.as_deref());
    let mut spool = Spool::default();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match decoded.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => spool.push(&buf[..n]).map_err(FetchError::Spool)?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(body_read_error(e, url, decoded.raw_count(), limit)),
        }
    }
    let received = decoded.raw_count();
    if let Some(expected) = content_length.filter(|_| encoding.is_none()) {
        if received < expected {
            return Err(FetchError::ConnectionClosed {
                url: url.to_string(),
                bytes: received,
                reason: format!("expected {expected} bytes (Content-Length)"),
            });
        }
    }
    spool.finish().map_err(FetchError::Spool)
}

fn body_read_error(error: io::Error, url: &str, bytes: u64, limit: Option<Duration>) -> FetchError {
    let error = match ureq::Error::from(error) {
        ureq::Error::Timeout(_) => return timeout_error(url.to_string(), limit),
        ureq::Error::Io(e) if e.kind() == io::ErrorKind::TimedOut => {
            return timeout_error(url.to_string(), limit)
        }
        ureq::Error::Io(e) => e.to_string(),
        other => other.to_string(),
    };
    FetchError::ConnectionClosed {
        url: url.to_string(),
        bytes,
        reason: error,
    }
}

struct CountingReader<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Undoes `Content-Encoding: gzip`/`deflate`; anything else passes through.
enum TransportDecoder<R: Read> {
    Identity(CountingReader<R>),
    Gzip(MultiGzDecoder<CountingReader<R>>),
    Deflate(ZlibDecoder<CountingReader<R>>),
}

impl<R: Read> TransportDecoder<R> {
    fn new(raw: CountingReader<R>, encoding: Option<&str>) -> Self {
        match encoding {
            Some("gzip" | "x-gzip") => TransportDecoder::Gzip(MultiGzDecoder::new(raw)),
            Some("deflate") => TransportDecoder::Deflate(ZlibDecoder::new(raw)),
            _ => TransportDecoder::Identity(raw),
        }
    }

    fn raw_count(&self) -> u64 {
        match self {
            TransportDecoder::Identity(r) => r.count,
            TransportDecoder::Gzip(d) => d.get_ref().count,
            TransportDecoder::Deflate(d) => d.get_ref().count,
        }
    }
}

impl<R: Read> Read for TransportDecoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            TransportDecoder::Identity(r) => r.read(buf),
            TransportDecoder::Gzip(d) => d.read(buf),
            TransportDecoder::Deflate(d) => d.read(buf),
        }
    }
}

/// Memory up to [`MEMORY_SPOOL_LIMIT`], then an anonymous temporary file.
#[derive(Default)]
struct Spool {
    memory: Vec<u8>,
    file: Option<BufWriter<File>>,
    len: u64,
}

impl Spool {
    fn push(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.len += chunk.len() as u64;
        if let Some(file) = &mut self.file {
            return file.write_all(chunk);
        }
        if self.memory.len() + chunk.len() <= MEMORY_SPOOL_LIMIT {
            self.memory.extend_from_slice(chunk);
            return Ok(());
        }
        let mut file = BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
        file.write_all(&std::mem::take(&mut self.memory))?;
        file.write_all(chunk)?;
        self.file = Some(file);
        Ok(())
    }

    fn finish(self) -> io::Result<Body> {
        let storage = match self.file {
            Some(file) => Storage::File(file.into_inner().map_err(|e| e.into_error())?),
            None => Storage::Memory(self.memory),
        };
        Ok(Body {
            storage,
            len: self.len,
        })
    }
}

/// A gzip body must be complete: every member ends with its trailer and CRC-32/length match.
fn check_gzip(body: &mut Body, url: &str) -> Result<(), FetchError> {
    if !body.is_gzip().map_err(FetchError::Spool)? {
        return Ok(());
    }
    let bytes = body.len();
    let reader = body.reader().map_err(FetchError::Spool)?;
    match io::copy(&mut MultiGzDecoder::new(reader), &mut io::sink()) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(FetchError::IncompleteGzip {
            url: url.to_string(),
            bytes,
        }),
        Err(e) => Err(FetchError::CorruptGzip {
            url: url.to_string(),
            bytes,
            reason: e.to_string(),
        }),
    }
}

/// Writes the body to `path` through a temporary file in the same folder, renamed into place
/// only when complete; on failure the temporary file is removed and `path` is untouched.
pub fn write_to_file(body: &mut Body, path: &Path) -> Result<(), FetchError> {
    let fail = |source: io::Error| FetchError::Write {
        file: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".pprof-fetch-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Like any new file (umask applies), not tempfile's owner-only default.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(&dir).map_err(fail)?;
    #[cfg(unix)]
    if let Ok(existing) = std::fs::metadata(path) {
        // A replaced file keeps its permissions.
        temp.as_file()
            .set_permissions(existing.permissions())
            .map_err(fail)?;
    }
    {
        let mut out = BufWriter::with_capacity(1 << 16, temp.as_file_mut());
        body.write_to(&mut out).map_err(fail)?;
        out.flush().map_err(fail)?;
    }
    temp.as_file().sync_all().map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// The countdown line of spec 6, drawn by a thread; erased when dropped.
struct Countdown {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Countdown {
    fn start(seconds: f64, host_port: String) -> Countdown {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            draw_countdown(seconds, &host_port, &stopped);
            eprint!("\r\x1b[K");
        });
        Countdown {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

/// Redraws the line once per second until `stopped` fires (or its sender is dropped).
fn draw_countdown(seconds: f64, host_port: &str, stopped: &mpsc::Receiver<()>) {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let total = format_seconds(Duration::from_secs_f64(seconds));
    let line = |state: &str| {
        eprint!("\rpprof-fetch: collecting {total} s profile from {host_port} ... {state}\x1b[K")
    };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left < Duration::from_millis(10) {
            line("waiting for the server");
            let _ = stopped.recv();
            return;
        }
        line(&format!("{} s left", left.as_secs_f64().ceil() as u64));
        let tick = match left.as_nanos() % 1_000_000_000 {
            0 => Duration::from_secs(1),
            fraction => Duration::from_nanos(fraction as u64),
        };
        if stopped.recv_timeout(tick) != Err(mpsc::RecvTimeoutError::Timeout) {
            return;
        }
    }
}

impl Drop for Countdown {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(
        url: Option<&str>,
        base: Option<&str>,
        suffix: Option<&str>,
        seconds: Option<u64>,
    ) -> String {
        resolve_target(&TargetOptions {
            url: url.map(String::from),
            base_url: base.map(String::from),
            suffix: suffix.map(String::from),
            profile: None,
            seconds,
        })
        .unwrap()
        .to_string()
    }

    fn with_profile(url: Option<&str>, profile: &str, seconds: Option<u64>) -> String {
        resolve_target(&TargetOptions {
            url: url.map(String::from),
            profile: Some(profile.to_string()),
            seconds,
            ..TargetOptions::default()
        })
        .unwrap()
        .to_string()
    }

    #[test]
    fn spec_table_no_arguments() {
        assert_eq!(
            resolve(None, None, None, None),
            "http://localhost:8080/debug/pprof/profile?seconds=30"
        );
    }

    #[test]
    fn spec_table_host_port_and_colon_port() {
        let expected = "http://localhost:6060/debug/pprof/profile?seconds=30";
        assert_eq!(resolve(Some("localhost:6060"), None, None, None), expected);
        assert_eq!(resolve(Some(":6060"), None, None, None), expected);
    }

    #[test]
    fn spec_table_base_url_with_seconds() {
        assert_eq!(
            resolve(Some("http://h:6060/"), None, None, Some(10)),
            "http://h:6060/debug/pprof/profile?seconds=10"
        );
    }

    #[test]
    fn spec_table_url_and_suffix() {
        assert_eq!(
            resolve(None, Some("http://h:6060"), Some("/debug/pprof/heap"), None),
            "http://h:6060/debug/pprof/heap"
        );
    }

    #[test]
    fn spec_table_full_url_unchanged() {
        assert_eq!(
            resolve(
                Some("http://h:6060/debug/pprof/heap?gc=1"),
                None,
                None,
                None
            ),
            "http://h:6060/debug/pprof/heap?gc=1"
        );
        assert_eq!(
            resolve(
                Some("http://h:6060/debug/pprof/profile?seconds=5"),
                None,
                None,
                None
            ),
            "http://h:6060/debug/pprof/profile?seconds=5"
        );
    }

    #[test]
    fn spec_table_explicit_seconds_on_heap_is_delta() {
        assert_eq!(
            resolve(Some("http://h:6060/debug/pprof/heap"), None, None, Some(10)),
            "http://h:6060/debug/pprof/heap?seconds=10"
        );
    }

    #[test]
    fn spec_table_explicit_seconds_replace_the_urls() {
        assert_eq!(
            resolve(
                Some("http://h:6060/debug/pprof/profile?seconds=60"),
                None,
                None,
                Some(5)
            ),
            "http://h:6060/debug/pprof/profile?seconds=5"
        );
    }

    #[test]
    fn spec_table_trace_gets_default_seconds() {
        assert_eq!(
            resolve(Some("http://h:6060/debug/pprof/trace"), None, None, None),
            "http://h:6060/debug/pprof/trace?seconds=30"
        );
    }

    #[test]
    fn spec_table_https_insecure() {
        let target = normalise_url("https+insecure://h:8443/debug/pprof/allocs").unwrap();
        assert_eq!(target.to_string(), "https://h:8443/debug/pprof/allocs");
        assert!(target.insecure);
        assert_eq!(
            resolve(
                Some("https+insecure://h:8443/debug/pprof/allocs"),
                None,
                None,
                None
            ),
            "https://h:8443/debug/pprof/allocs"
        );
    }

    #[test]
    fn base_url_path_is_replaced_by_suffix_and_query_kept() {
        assert_eq!(
            resolve(
                None,
                Some("http://h:1/app?x=1"),
                Some("debug/pprof/heap"),
                None
            ),
            "http://h:1/debug/pprof/heap?x=1"
        );
    }

    #[test]
    fn a_query_in_the_suffix_joins_the_urls_query() {
        assert_eq!(
            resolve(
                None,
                Some("http://h:1/?a=1"),
                Some("/debug/pprof/heap?gc=1"),
                Some(5)
            ),
            "http://h:1/debug/pprof/heap?a=1&gc=1&seconds=5"
        );
        assert_eq!(
            resolve(Some("h:1"), None, Some("debug/pprof/heap?gc=1"), None),
            "http://h:1/debug/pprof/heap?gc=1"
        );
    }

    #[test]
    fn seconds_replaced_in_place_other_parameters_kept() {
        assert_eq!(
            resolve(
                Some("http://h/debug/pprof/profile?a=1&seconds=9&B=2"),
                None,
                None,
                Some(3)
            ),
            "http://h/debug/pprof/profile?a=1&seconds=3&B=2"
        );
        assert_eq!(
            resolve(Some("http://h/debug/pprof/heap?gc=1"), None, None, Some(4)),
            "http://h/debug/pprof/heap?gc=1&seconds=4"
        );
    }

    #[test]
    fn profile_option_sets_or_replaces_the_path() {
        assert_eq!(
            with_profile(None, "heap", None),
            "http://localhost:8080/debug/pprof/heap"
        );
        assert_eq!(
            with_profile(None, "cpu", Some(2)),
            "http://localhost:8080/debug/pprof/profile?seconds=2"
        );
        assert_eq!(
            with_profile(Some("h:1"), "goroutine", None),
            "http://h:1/debug/pprof/goroutine"
        );
        assert_eq!(
            with_profile(Some("http://h:1/x/debug/pprof/heap?gc=1"), "allocs", None),
            "http://h:1/x/debug/pprof/allocs?gc=1"
        );
        assert_eq!(
            with_profile(None, "trace", None),
            "http://localhost:8080/debug/pprof/trace?seconds=30"
        );
        assert_eq!(profile_segment("nope"), None);
    }

    #[test]
    fn invalid_urls_are_rejected_with_a_reason() {
        for (text, reason) in [
            ("ftp://h/x", "unsupported scheme \"ftp\""),
            ("http://", "missing host"),
            ("http://:80/x", "missing host"),
            ("h:99999", "invalid port \"99999\""),
            ("h:abc", "invalid port \"abc\""),
            ("http://h h/", ""),
        ] {
            let err = normalise_url(text).unwrap_err();
            assert_eq!(err.text, text);
            assert!(err.reason.contains(reason), "{text}: {}", err.reason);
            assert!(err
                .to_string()
                .starts_with(&format!("invalid URL \"{text}\": ")));
        }
    }

    #[test]
    fn urls_keep_credentials_apart_and_ipv6_brackets() {
        let target = normalise_url("http://user:p%40ss@[::1]:6060/debug/pprof/heap#frag").unwrap();
        assert_eq!(target.userinfo.as_deref(), Some("user:p%40ss"));
        assert_eq!(target.host, "[::1]");
        assert_eq!(target.to_string(), "http://[::1]:6060/debug/pprof/heap");
        assert_eq!(basic_authorization("user:p%40ss"), "Basic dXNlcjpwQHNz");
        assert_eq!(
            basic_authorization("Aladdin:open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }

    #[test]
    fn time_limit_follows_go_tool_pprof() {
        let t = |url: &str| normalise_url(url).unwrap();
        assert_eq!(
            time_limit(&t("h/debug/pprof/profile?seconds=30"), None),
            Some(Duration::from_secs(50))
        );
        assert_eq!(
            time_limit(&t("h/debug/pprof/profile?seconds=2"), None),
            Some(Duration::from_secs(8))
        );
        assert_eq!(
            time_limit(&t("h/debug/pprof/trace?seconds=0.5"), None),
            Some(Duration::from_secs_f64(5.75))
        );
        assert_eq!(
            time_limit(&t("h/debug/pprof/heap"), None),
            Some(Duration::from_secs(65))
        );
        assert_eq!(
            time_limit(&t("h/debug/pprof/profile?seconds=abc"), None),
            Some(Duration::from_secs(65))
        );
        assert_eq!(
            time_limit(&t("h/debug/pprof/profile?seconds=-3"), None),
            Some(Duration::from_secs(65))
        );
        assert_eq!(
            time_limit(&t("h/debug/pprof/heap"), Some(2.5)),
            Some(Duration::from_secs_f64(2.5))
        );
        assert_eq!(time_limit(&t("h/debug/pprof/heap"), Some(0.0)), None);
        assert_eq!(format_seconds(Duration::from_secs(65)), "65");
        assert_eq!(format_seconds(Duration::from_secs_f64(1.5)), "1.5");
    }

    #[test]
    fn text_answers_are_recognised() {
        let t = |url: &str| normalise_url(url).unwrap();
        assert!(expects_text(&t("h/debug/pprof/goroutine?debug=2")));
        assert!(expects_text(&t("h/debug/pprof/cmdline")));
        assert!(expects_text(&t("h/debug/pprof/symbol")));
        assert!(expects_text(&t("h/debug/pprof/")));
        assert!(!expects_text(&t("h/debug/pprof/heap?debug=0")));
        assert!(!expects_text(&t("h/debug/pprof/heap?debug=x")));
        assert!(!expects_text(&t("h/debug/pprof/profile")));
    }

    #[test]
    fn headers_override_ours() {
        let options = FetchOptions {
            target: normalise_url("http://u:p@h/x").unwrap(),
            headers: vec![("user-agent".into(), "mine".into())],
            insecure: false,
            timeout: None,
            progress: false,
        };
        let headers = request_headers(&options, &options.target, true);
        assert_eq!(
            headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("user-agent"))
                .count(),
            1
        );
        assert!(headers.contains(&("user-agent".into(), "mine".into())));
        assert!(headers.iter().any(|(n, _)| n == "Authorization"));
        let other_host = request_headers(&options, &options.target, false);
        assert_eq!(other_host.len(), 2);
    }

    #[test]
    fn locations_resolve_against_the_current_url() {
        let base = normalise_url("http://h:1/debug/pprof/heap?gc=1").unwrap();
        let r = |loc: &str| resolve_location(&base, loc).unwrap().to_string();
        assert_eq!(r("/debug/pprof/allocs"), "http://h:1/debug/pprof/allocs");
        assert_eq!(r("allocs?x=2"), "http://h:1/debug/pprof/allocs?x=2");
        assert_eq!(r("//g:2/a"), "http://g:2/a");
        assert_eq!(r("https://g/a"), "https://g/a");
    }

    #[test]
    fn proxies_chosen_like_go() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let t = |url: &str| normalise_url(url).unwrap();
        let vars: &[(&str, &str)] = &[
            ("HTTP_PROXY", "proxy:3128"),
            ("https_proxy", "http://sp:1"),
            ("NO_PROXY", "internal.net,.corp,h:99"),
        ];
        assert_eq!(
            proxy_for_env(&t("http://h/x"), env(vars)).as_deref(),
            Some("http://proxy:3128")
        );
        assert_eq!(
            proxy_for_env(&t("https://h/x"), env(vars)).as_deref(),
            Some("http://sp:1")
        );
        assert_eq!(proxy_for_env(&t("http://127.0.0.1:1/x"), env(vars)), None);
        assert_eq!(proxy_for_env(&t("http://localhost:1/x"), env(vars)), None);
        assert_eq!(
            proxy_for_env(&t("http://a.internal.net/x"), env(vars)),
            None
        );
        assert_eq!(proxy_for_env(&t("http://internal.net/x"), env(vars)), None);
        assert_eq!(proxy_for_env(&t("http://x.corp/x"), env(vars)), None);
        assert!(proxy_for_env(&t("http://corp/x"), env(vars)).is_some());
        assert_eq!(proxy_for_env(&t("http://h:99/x"), env(vars)), None);
        assert!(proxy_for_env(&t("http://h:98/x"), env(vars)).is_some());
        assert_eq!(
            proxy_for_env(
                &t("http://h/x"),
                env(&[("HTTP_PROXY", "p"), ("NO_PROXY", "*")])
            ),
            None
        );
        assert_eq!(proxy_for_env(&t("http://h/x"), env(&[])), None);
        let cidr: &[(&str, &str)] = &[("HTTP_PROXY", "p:1"), ("NO_PROXY", "10.1.0.0/16, fd00::/8")];
        assert_eq!(proxy_for_env(&t("http://10.1.2.3/x"), env(cidr)), None);
        assert!(proxy_for_env(&t("http://10.2.2.3/x"), env(cidr)).is_some());
        assert_eq!(
            proxy_for_env(&t("http://[fd12::1]:6060/x"), env(cidr)),
            None
        );
        assert!(proxy_for_env(&t("http://[fe80::1]:6060/x"), env(cidr)).is_some());
        assert!(proxy_for_env(&t("http://name.example/x"), env(cidr)).is_some());
    }

    #[test]
    fn error_bodies_are_shown_only_when_short_plain_text() {
        assert!(is_short_text(
            b"404 page not found\n",
            Some("text/plain; charset=utf-8")
        ));
        assert!(is_short_text(b"oops", None));
        assert!(!is_short_text(b"<html>", Some("text/html")));
        assert!(!is_short_text(&[b'a'; 1025], None));
        assert!(!is_short_text(b"a\x1b[2Jb", None));
        assert!(!is_short_text(b"\xff\xfe", None));
        assert_eq!(one_line("  a\r\nb\nc\rd \n"), "a b c d");
        assert_eq!(one_line("x\x1by"), "x\u{FFFD}y");
    }

    #[test]
    fn status_message_has_the_spec_form() {
        let err = FetchError::Status {
            status: "500 Internal Server Error".into(),
            body: Some("Could not enable CPU profiling: cpu profiling already in use".into()),
            hint: false,
        };
        assert_eq!(err.to_string(), "server response: 500 Internal Server Error - Could not enable CPU profiling: cpu profiling already in use");
        let err = FetchError::Status {
            status: "502 Bad Gateway".into(),
            body: None,
            hint: false,
        };
        assert_eq!(err.to_string(), "server response: 502 Bad Gateway");
    }

    /// Random URL-ish texts never panic, and every accepted URL prints to a text that parses
    /// back to the same target.
    #[test]
    fn random_url_texts_never_panic_and_round_trip() {
        const PIECES: &[&str] = &[
            "http",
            "https",
            "https+insecure",
            "ftp",
            "://",
            ":",
            "/",
            "//",
            "?",
            "&",
            "=",
            "#",
            "@",
            "[",
            "]",
            "::1",
            "h",
            "localhost",
            "127.0.0.1",
            "6060",
            "99999",
            "seconds",
            "debug",
            "profile",
            "trace",
            "heap",
            "%",
            "%4",
            "%41",
            " ",
            "\t",
            "é",
            "\u{0}",
            "-1",
            "0",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = next() % 12;
            let text: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let seconds = (next() % 3 == 0).then(|| next() % 100 + 1);
            let Ok(target) = resolve_target(&TargetOptions {
                url: Some(text.clone()),
                seconds,
                ..TargetOptions::default()
            }) else {
                continue;
            };
            let printed = target.to_string();
            let again =
                normalise_url(&printed).unwrap_or_else(|e| panic!("{text:?} -> {printed:?}: {e}"));
            assert_eq!(again.to_string(), printed, "{text:?}");
            let _ = time_limit(&target, None);
            let _ = expects_text(&target);
            let _ = resolve_location(&target, &text);
            let _ = basic_authorization(&text);
            let _ = one_line(&text);
            let _ = is_short_text(text.as_bytes(), Some(&text));
        }
    }

    #[test]
    fn spool_moves_to_a_file_beyond_the_memory_limit() {
        let mut spool = Spool::default();
        let chunk = vec![7u8; 1 << 20];
        for _ in 0..16 {
            spool.push(&chunk).unwrap();
        }
        assert!(spool.file.is_none());
        spool.push(b"xyz").unwrap();
        let mut body = spool.finish().unwrap();
        assert!(!body.in_memory());
        assert_eq!(body.len(), (16 << 20) + 3);
        let mut all = Vec::new();
        body.reader().unwrap().read_to_end(&mut all).unwrap();
        assert_eq!(all.len() as u64, body.len());
        assert_eq!(&all[all.len() - 3..], b"xyz");
    }
}

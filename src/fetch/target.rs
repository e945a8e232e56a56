//! Target resolution: the request URL from go-torch's options (docs/pprof-fetch.md, "Target
//! URL"), the `seconds` rule, the time limit and the terminal-safety guess, all pure functions;
//! and the resolution of a redirect's `Location`.

use std::fmt;
use std::time::Duration;

use super::{DEFAULT_BASE_URL, DEFAULT_SECONDS, DEFAULT_SUFFIX, PROFILE_NAMES};

/// A request URL, split into the parts the URL rules work on.
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

    /// The explicit port, else 443 for https and 80 for http.
    pub(crate) fn port_or_default(&self) -> u16 {
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

/// A URL text that cannot be used (docs/pprof-fetch.md, "Target URL").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid URL \"{text}\": {reason}")]
pub struct UrlError {
    /// The text as given.
    pub text: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Normalises and parses a URL text (docs/pprof-fetch.md, "Target URL"): `:PORT` means
/// `localhost:PORT`, a missing scheme means `http://`, and the scheme must be `http`, `https` or
/// `https+insecure`.
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

/// What the command line says about the target (docs/pprof-fetch.md, "Options" and
/// "Target URL").
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

/// The request URL for the options (docs/pprof-fetch.md, "Target URL": the whole table).
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

/// The kind of endpoint, from the last path segment (docs/pprof-fetch.md, "Target URL").
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

/// The `seconds` rule (docs/pprof-fetch.md, "Target URL"): CPU profile and trace get
/// `seconds=N` when given explicitly, else `seconds=30` unless the URL has one; other endpoints
/// only when given explicitly.
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

/// D of docs/pprof-fetch.md, "Time limit": the URL's `seconds` value when it parses as a
/// positive number.
pub fn collection_seconds(target: &Target) -> Option<f64> {
    target
        .seconds_param()?
        .parse::<f64>()
        .ok()
        .filter(|d| d.is_finite() && *d > 0.0)
}

/// The overall time limit (docs/pprof-fetch.md, "Time limit"): `--timeout` when given
/// (0 = none), else 1.5·D + 5 s, or 65 s without D.
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

/// Whether the answer is expected to be text (docs/pprof-fetch.md, "Response checks",
/// terminal safety): a non-zero `debug` parameter, or a path ending in `/cmdline`, `/symbol` or
/// `/debug/pprof/`.
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

/// Resolves a `Location` against the current URL (absolute, scheme-relative, absolute-path or
/// relative-path references).
pub fn resolve_location(base: &Target, location: &str) -> Result<Target, UrlError> {
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

#[cfg(test)]
mod tests;

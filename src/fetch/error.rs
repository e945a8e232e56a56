//! Errors: [`FetchError`], whose `Display` is the one-line message of docs/pprof-fetch.md
//! ("Errors and exit status"), and the classification of transport failures and of answers
//! other than 200 into it.

use std::io::{self, Read};
use std::net::ToSocketAddrs;
use std::time::Duration;

use super::exchange::{header_text, media_type, Response};
use super::proxy::proxy_for;
use super::target::{Target, UrlError};
use super::MAX_REDIRECTS;

/// A failed fetch; `Display` is the one-line message of docs/pprof-fetch.md ("Errors and exit
/// status") without the `pprof-fetch: ` prefix.
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
    /// An answer other than 200 (docs/pprof-fetch.md, "Response checks").
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
    /// Binary data for a terminal (docs/pprof-fetch.md, "Response checks").
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

/// Maps a ureq error to the messages of docs/pprof-fetch.md ("Errors and exit status").
pub(super) fn classify_error(
    error: ureq::Error,
    target: &Target,
    limit: Option<Duration>,
) -> FetchError {
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
pub(super) fn timeout_error(url: String, limit: Option<Duration>) -> FetchError {
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

pub(super) fn body_read_error(
    error: io::Error,
    url: &str,
    bytes: u64,
    limit: Option<Duration>,
) -> FetchError {
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

/// Builds the error for an answer other than 200 (docs/pprof-fetch.md, "Response checks":
/// other status).
pub(super) fn status_error(response: Response) -> FetchError {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

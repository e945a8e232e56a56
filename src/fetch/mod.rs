//! HTTP download of a raw profile from a Go `net/http/pprof` endpoint (`pprof-fetch`).
//!
//! The behaviour is documented in docs/pprof-fetch.md. One file per stage, in the order the
//! binary uses them:
//!
//! * `target`: [`resolve_target`], the request URL from go-torch's options, built on
//!   [`normalise_url`] and [`apply_seconds`]; [`time_limit`], the overall time limit;
//!   [`expects_text`], whether the answer is text (terminal safety). Pure functions.
//! * `exchange` (with `proxy`): the GET, redirects followed by hand, headers, proxies;
//! * `body`: the answer's body spooled to memory or a temporary file and checked, then written
//!   out ([`Body::write_to`], [`write_to_file`]: `-o FILE` through a temporary file and a rename);
//! * `error`: [`FetchError`], whose `Display` is the documented one-line message.
//!
//! [`fetch`] runs the exchange and the body checks for one target and reports its progress as
//! [`FetchEvent`]s to a callback, so the caller decides what to draw (the library never prints).
//!
//! * `fleet`: [`fetch_fleet`], several targets at once merged into one profile, with an
//!   `instance` label per target.

mod body;
mod error;
mod exchange;
mod fleet;
mod proxy;
mod target;

use std::time::{Duration, Instant};

pub use body::{write_file_atomically, write_to_file, Body};
pub use error::{format_seconds, is_short_text, one_line, FetchError, NOT_FOUND_HINT};
pub use exchange::basic_authorization;
pub use fleet::{
    fetch_fleet, Fleet, FleetEvent, FleetOptions, TargetError, DEFAULT_INSTANCE_LABEL,
};
pub use proxy::{proxy_for, proxy_for_env};
pub use target::{
    apply_seconds, collection_seconds, endpoint_kind, expects_text, normalise_url, profile_segment,
    query_param, resolve_location, resolve_target, set_query_param, time_limit, EndpointKind,
    Target, TargetOptions, UrlError,
};

use body::{check_gzip, receive_body};
use error::status_error;
use exchange::{header_text, media_type, request_following_redirects};

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
}

/// What a running [`fetch`] reports, in this order: [`Collecting`](FetchEvent::Collecting) when
/// the server collects before it answers, then always [`Answered`](FetchEvent::Answered) and
/// [`Finished`](FetchEvent::Finished), once each.
///
/// The events carry no target: a caller fetching several targets at once (a fleet) gives each
/// fetch its own callback, which tags the events (e.g. sends `(index, event)` over a channel to
/// the one thread that draws the progress line for all).
#[derive(Debug, Clone, PartialEq)]
pub enum FetchEvent {
    /// The request is about to go out, and its `seconds` parameter makes the server collect for
    /// `seconds` before it answers (docs/pprof-fetch.md, "Progress").
    Collecting {
        /// How long the server collects, D of docs/pprof-fetch.md ("Time limit").
        seconds: f64,
        /// `host:port` of the target, as the progress line names it.
        host_port: String,
    },
    /// The exchange is over: the last answer's headers arrived, or the request failed. The
    /// server is no longer collecting; a progress line is erased now.
    Answered,
    /// The fetch is over: its body received and checked (`ok`), or failed (the error is in the
    /// result of [`fetch`]).
    Finished {
        /// Whether [`fetch`] returns `Ok`.
        ok: bool,
    },
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

/// Performs the request (docs/pprof-fetch.md, "Request") and the checks of "Response and
/// output", reporting [`FetchEvent`]s to `progress` on the way.
pub fn fetch(
    options: &FetchOptions,
    progress: &mut dyn FnMut(FetchEvent),
) -> Result<Fetched, FetchError> {
    let result = exchange_and_receive(options, progress, MEMORY_SPOOL_LIMIT).and_then(|mut f| {
        check_gzip(&mut f.body, &f.final_url)?;
        Ok(f)
    });
    progress(FetchEvent::Finished { ok: result.is_ok() });
    result
}

/// [`fetch`] for one target of a fleet: bodies beyond `memory` bytes go to a temporary file,
/// and the gzip check is left to the merge, which decompresses the body anyway.
fn fetch_part(
    options: &FetchOptions,
    progress: &mut dyn FnMut(FetchEvent),
    memory: usize,
) -> Result<Fetched, FetchError> {
    let result = exchange_and_receive(options, progress, memory);
    progress(FetchEvent::Finished { ok: result.is_ok() });
    result
}

fn exchange_and_receive(
    options: &FetchOptions,
    progress: &mut dyn FnMut(FetchEvent),
    memory: usize,
) -> Result<Fetched, FetchError> {
    let started = Instant::now();
    if let Some(seconds) = collection_seconds(&options.target) {
        let host_port = options.target.host_port();
        progress(FetchEvent::Collecting { seconds, host_port });
    }
    let answer = request_following_redirects(options, started);
    progress(FetchEvent::Answered);
    let (response, url) = answer?;
    let status = response.status();
    if status != ureq::http::StatusCode::OK {
        return Err(status_error(response));
    }
    let content_type = header_text(&response, "content-type");
    let limit = options.timeout;
    let body = receive_body(response, &url, limit, memory)?;
    if body.is_empty() {
        return Err(FetchError::EmptyResponse { url });
    }
    Ok(Fetched {
        body,
        content_type,
        final_url: url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    fn options(url: &str) -> FetchOptions {
        FetchOptions {
            target: normalise_url(url).unwrap(),
            headers: Vec::new(),
            insecure: false,
            timeout: Some(Duration::from_secs(10)),
        }
    }

    fn events_of(options: &FetchOptions) -> (Vec<FetchEvent>, Result<Fetched, FetchError>) {
        let mut events = Vec::new();
        let result = fetch(options, &mut |event| events.push(event));
        (events, result)
    }

    #[test]
    fn events_come_in_order_once_each() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head).unwrap();
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndata")
                .unwrap();
        });
        let url = format!("http://{addr}/debug/pprof/profile?seconds=0.5");
        let (events, result) = events_of(&options(&url));
        server.join().unwrap();
        assert_eq!(result.unwrap().body.len(), 4);
        let collecting = FetchEvent::Collecting {
            seconds: 0.5,
            host_port: addr.to_string(),
        };
        let expected = [
            collecting,
            FetchEvent::Answered,
            FetchEvent::Finished { ok: true },
        ];
        assert_eq!(events, expected);
    }

    #[test]
    fn a_failed_fetch_still_answers_and_finishes_and_heap_does_not_collect() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/debug/pprof/heap");
        let (events, result) = events_of(&options(&url));
        assert!(matches!(result, Err(FetchError::ConnectionRefused { .. })));
        let expected = [FetchEvent::Answered, FetchEvent::Finished { ok: false }];
        assert_eq!(events, expected);
    }
}

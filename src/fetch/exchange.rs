//! The HTTP exchange (docs/pprof-fetch.md, "Request"): one GET per hop through a ureq agent
//! configured per request (time left, proxy, TLS), our own redirect handling, and the request
//! headers (`-H`, credentials from the URL).

use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use percent_encoding::percent_decode_str;

use super::error::{classify_error, FetchError};
use super::proxy::proxy_for;
use super::target::{resolve_location, Target};
use super::{FetchOptions, MAX_REDIRECTS};

/// An answer as ureq gives it: status, headers and a body still to be read.
pub(super) type Response = ureq::http::Response<ureq::Body>;

/// GET with redirects followed by hand: at most [`MAX_REDIRECTS`], `-H` headers and credentials
/// only while the host stays the same.
pub(super) fn request_following_redirects(
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
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let mut credentials: Vec<u8> = percent_decode_str(user).collect();
    credentials.push(b':');
    credentials.extend(percent_decode_str(password));
    format!("Basic {}", BASE64.encode(credentials))
}

/// The value of a response header as text (invalid UTF-8 replaced).
pub(super) fn header_text(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// The lower-case media type of a `Content-Type` value, without parameters.
pub(super) fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::normalise_url;

    #[test]
    fn headers_override_ours() {
        let options = FetchOptions {
            target: normalise_url("http://u:p@h/x").unwrap(),
            headers: vec![("user-agent".into(), "mine".into())],
            insecure: false,
            timeout: None,
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

    /// Credentials are percent-decoded as RFC 3986 says: `%` and two hex digits make a byte,
    /// anything else stays as written.
    #[test]
    fn credentials_are_percent_decoded_then_base64_encoded() {
        let basic = |credentials: &str| format!("Basic {}", BASE64.encode(credentials));
        assert_eq!(basic_authorization("a%3Ab:c%25d"), basic("a:b:c%d"));
        assert_eq!(basic_authorization("u%zz:%4"), basic("u%zz:%4"));
        assert_eq!(basic_authorization("u%+1:p"), basic("u%+1:p"));
        assert_eq!(basic_authorization("only-user"), basic("only-user:"));
        assert_eq!(basic_authorization(":"), basic(":"));
    }
}

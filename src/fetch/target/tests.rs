use super::*;
use crate::fetch::{basic_authorization, format_seconds, is_short_text, one_line};

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
fn locations_resolve_against_the_current_url() {
    let base = normalise_url("http://h:1/debug/pprof/heap?gc=1").unwrap();
    let r = |loc: &str| resolve_location(&base, loc).unwrap().to_string();
    assert_eq!(r("/debug/pprof/allocs"), "http://h:1/debug/pprof/allocs");
    assert_eq!(r("allocs?x=2"), "http://h:1/debug/pprof/allocs?x=2");
    assert_eq!(r("//g:2/a"), "http://g:2/a");
    assert_eq!(r("https://g/a"), "https://g/a");
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

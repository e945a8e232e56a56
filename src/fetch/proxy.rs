//! Proxies as Go clients choose them (docs/pprof-fetch.md, "Request"): `HTTP_PROXY` and
//! `HTTPS_PROXY`, never for loopback hosts, and `NO_PROXY` with names, ports and IP networks.

use std::net::IpAddr;

use super::target::Target;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::normalise_url;

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
}

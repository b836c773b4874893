//! `parseURL`: a URL split as botocore splits it (Python's `urlparse`): scheme,
//! authority, path, the normalized path and whether the host is an IP address. Only
//! `http` and `https` URLs without a query are accepted.
//!
//! Owns that function alone.

use crate::value::Val;
use std::sync::Arc;

/// Characters Python's `quote` keeps (with `/` safe).
const PATH_KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

pub(crate) fn parse(url: &str) -> Option<Val> {
    let colon = url.find(':')?;
    let scheme = url[..colon].to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let rest = &url[colon + 1..];
    let rest = rest.split_once('#').map_or(rest, |(a, _)| a);
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !query.is_empty() {
        return None;
    }
    let (authority, path) = match rest.strip_prefix("//") {
        Some(r) => match r.find('/') {
            Some(i) => (&r[..i], &r[i..]),
            None => (r, ""),
        },
        None => ("", rest),
    };
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(r) = host_port.strip_prefix('[') {
        let end = r.find(']')?;
        let after = &r[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return None,
        };
        (&host_port[..end + 2], port)
    } else {
        if host_port.contains(']') {
            return None;
        }
        match host_port.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if let Some(p) = port.filter(|p| !p.is_empty()) {
        if !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u32>().map_or(true, |n| n > 65535) {
            return None;
        }
    }
    let host = host.to_ascii_lowercase();
    let is_ip = crate::aws::looks_like_ipv4(&host) || is_ipv6_literal(&host);
    let mut normalized: String =
        percent_encoding::utf8_percent_encode(&remove_dot_segments(path), PATH_KEEP).to_string();
    if !normalized.ends_with('/') {
        normalized.push('/');
    }
    let f = |k: &str, v: Val| (Arc::from(k), v);
    Some(Val::Record(Arc::from(vec![
        f("scheme", Val::from(scheme)),
        f("authority", Val::str(authority)),
        f("path", Val::str(path)),
        f("normalizedPath", Val::from(normalized)),
        f("isIp", Val::Bool(is_ip)),
    ])))
}

/// `[v6addr]` or `[v6addr%zone]`.
fn is_ipv6_literal(host: &str) -> bool {
    let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) else {
        return false;
    };
    let addr = inner.split_once('%').map_or(inner, |(a, _)| a);
    addr.parse::<std::net::Ipv6Addr>().is_ok()
}

/// RFC 3986's dot-segment removal, also dropping empty segments; `/` for an empty path.
fn remove_dot_segments(path: &str) -> String {
    if path.is_empty() {
        return "/".into();
    }
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let first = if path.starts_with('/') { "/" } else { "" };
    let last = if path.ends_with('/') && !out.is_empty() {
        "/"
    } else {
        ""
    };
    format!("{first}{}{last}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(url: &str, k: &str) -> serde_json::Value {
        parse(url).unwrap().field(k).unwrap().to_json()
    }

    #[test]
    fn urls() {
        assert_eq!(
            get("https://example.com:8443/a/../b", "authority"),
            "example.com:8443"
        );
        assert_eq!(get("https://example.com/a/../b", "normalizedPath"), "/b/");
        assert_eq!(get("https://example.com", "path"), "");
        assert_eq!(get("https://example.com", "normalizedPath"), "/");
        assert_eq!(get("http://127.0.0.1:9000", "isIp"), true);
        assert_eq!(get("http://[fe80::1%25en0]:443", "isIp"), true);
        assert_eq!(get("http://localhost:9000", "isIp"), false);
        assert!(parse("ftp://x").is_none());
        assert!(parse("https://x/?a=b").is_none());
        assert!(parse("https://x:port").is_none());
        assert!(parse("https://x:99999").is_none());
    }
}

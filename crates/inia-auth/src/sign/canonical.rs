//! The canonical forms signers share: RFC 3986 percent-encoding, path normalization,
//! sorted query strings, hex and hashes, and the SigV4 canonical request, which SigV4
//! and SigV4a both sign (SigV4a's `X-Amz-Region-Set` is one more header or query
//! parameter set before it is built).
//!
//! Owns those byte-level rules. Does not own any one scheme's string to sign, scope or
//! signature.

use super::sigv4::SigV4Settings;
use http::header::HeaderName;
use http::request::Parts;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use ring::digest;

/// Everything but the RFC 3986 unreserved characters is encoded.
pub const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// As [`STRICT`], but `/` is kept (paths).
pub const PATH: &AsciiSet = &STRICT.remove(b'/');

/// SHA-256 of the empty string, in hex: the payload hash of every bodiless request.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return EMPTY_SHA256.to_string();
    }
    hex(digest::digest(&digest::SHA256, bytes).as_ref())
}

/// Percent-encode with `set`.
pub fn encode(s: &str, set: &'static AsciiSet) -> String {
    utf8_percent_encode(s, set).to_string()
}

/// Percent-decode (`+` stays `+`); invalid UTF-8 is kept lossily.
pub fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// RFC 3986 5.2.4 dot-segment removal, with runs of `/` collapsed (AWS services require
/// it); a trailing `/` is kept; an empty path is `/`.
pub fn normalize_path(path: &str) -> String {
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
    let mut s = String::with_capacity(path.len());
    if path.starts_with('/') {
        s.push('/');
    }
    s.push_str(&out.join("/"));
    if path.ends_with('/') && !out.is_empty() {
        s.push('/');
    }
    s
}

/// The query string canonically: each key and value decoded then strictly re-encoded,
/// pairs sorted by key then value, joined by `&`. A key without `=` gets an empty value.
pub fn canonical_query(query: &str) -> String {
    let pairs = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")));
    if is_canonical_form(query) {
        // Already strictly encoded (what inia's serializers write): only sort.
        let mut pairs: Vec<(&str, &str)> = pairs.collect();
        pairs.sort_unstable();
        return join_pairs(&pairs, query.len());
    }
    let mut pairs: Vec<(String, String)> = pairs
        .map(|(k, v)| (encode(&decode(k), STRICT), encode(&decode(v), STRICT)))
        .collect();
    pairs.sort_unstable();
    join_pairs(&pairs, query.len())
}

/// `k=v&k=v` from sorted pairs.
fn join_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)], capacity: usize) -> String {
    let mut s = String::with_capacity(capacity + 8);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            s.push('&');
        }
        s.push_str(k.as_ref());
        s.push('=');
        s.push_str(v.as_ref());
    }
    s
}

/// True when every byte is unreserved, `=`, `&`, or part of an upper-case `%XX` escape of
/// a byte that must be escaped: decoding and re-encoding would change nothing.
fn is_canonical_form(q: &str) -> bool {
    let b = q.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'=' | b'&' => {
                i += 1
            }
            b'%' => {
                let digit = |c: u8| match c {
                    b'0'..=b'9' => Some(c - b'0'),
                    b'A'..=b'F' => Some(c - b'A' + 10),
                    _ => None,
                };
                let (Some(h), Some(l)) = (
                    b.get(i + 1).and_then(|&c| digit(c)),
                    b.get(i + 2).and_then(|&c| digit(c)),
                ) else {
                    return false;
                };
                let byte = h * 16 + l;
                if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                    return false;
                }
                i += 3;
            }
            _ => return false,
        }
    }
    true
}

/// A header value as canonical requests want it: trimmed, inner white-space runs
/// folded to one space.
pub fn fold_spaces(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for (i, w) in v.split_whitespace().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(w);
    }
    s
}

/// Headers never signed: hop-by-hop headers, and ones proxies or clients may change.
/// `content-length` among them, as botocore signs (its HTTP layer adds the length after
/// signing), so that inia's signatures equal botocore's for the same request.
const UNSIGNED_HEADERS: &[&str] = &[
    "authorization",
    "baggage",
    "connection",
    "content-length",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "traceparent",
    "tracestate",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// The SigV4 (and SigV4a) canonical request of `parts`, with the query already in
/// canonical form and the payload hash given; also the `;`-joined signed header names.
/// The path is normalized and encoded once more as `settings` say.
pub(crate) fn canonical_request(
    parts: &Parts,
    settings: &SigV4Settings,
    canonical_query: &str,
    payload: &str,
) -> (String, String) {
    let mut creq = String::with_capacity(512);
    creq.push_str(parts.method.as_str());
    creq.push('\n');
    let path = parts.uri.path();
    let path = if settings.normalize_path {
        normalize_path(path)
    } else if path.is_empty() {
        "/".to_string()
    } else {
        path.to_string()
    };
    if settings.double_uri_encode {
        creq.push_str(&encode(&path, PATH));
    } else {
        creq.push_str(&path);
    }
    creq.push('\n');
    creq.push_str(canonical_query);
    creq.push('\n');
    let names = signed_header_names(parts);
    for name in &names {
        creq.push_str(name);
        creq.push(':');
        for (i, v) in parts.headers.get_all(*name).iter().enumerate() {
            if i > 0 {
                creq.push(',');
            }
            push_folded(&mut creq, v.as_bytes());
        }
        creq.push('\n');
    }
    creq.push('\n');
    let signed = names.join(";");
    creq.push_str(&signed);
    creq.push('\n');
    creq.push_str(payload);
    (creq, signed)
}

/// Lower-case names of the headers to sign, sorted, each once.
pub(crate) fn signed_header_names(parts: &Parts) -> Vec<&str> {
    let mut names: Vec<&str> = parts
        .headers
        .keys()
        .map(HeaderName::as_str)
        .filter(|n| !UNSIGNED_HEADERS.contains(n))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Append a header value trimmed and with inner white-space runs folded to one space.
fn push_folded(out: &mut String, v: &[u8]) {
    let plain = v.first().is_none_or(|b| !b.is_ascii_whitespace())
        && v.last().is_none_or(|b| !b.is_ascii_whitespace())
        && !v
            .windows(2)
            .any(|w| w[0].is_ascii_whitespace() && w[1].is_ascii_whitespace())
        && !v.iter().any(|&b| b == b'\t' || b == b'\n' || b == b'\r');
    match std::str::from_utf8(v) {
        Ok(s) if plain => out.push_str(s),
        _ => out.push_str(&fold_spaces(&String::from_utf8_lossy(v))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize() {
        for (i, o) in [
            ("/example/..", "/"),
            ("/a/b/../..", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/./example", "/example"),
            ("//example//", "/example/"),
            ("", "/"),
            ("/a/./b/", "/a/b/"),
        ] {
            assert_eq!(normalize_path(i), o, "{i}");
        }
    }

    #[test]
    fn query_is_sorted_and_strictly_encoded() {
        assert_eq!(canonical_query("b=2&a=%7e&a=1&c"), "a=1&a=~&b=2&c=");
        assert_eq!(canonical_query("k=a b!"), "k=a%20b%21");
        assert_eq!(canonical_query(""), "");
    }

    #[test]
    fn canonical_form_is_recognised_exactly() {
        assert!(is_canonical_form("a=1&b=%2F%E1%88%B4&c="));
        for q in [
            "a=%2f", "a=%41", "a=%7E", "a b=1", "a=%2", "a=%", "a=+", "a=%GG",
        ] {
            assert!(!is_canonical_form(q), "{q}");
        }
        assert_eq!(canonical_query("a=%7E&a=%2f"), "a=%2F&a=~");
    }

    #[test]
    fn hex_and_hash() {
        assert_eq!(sha256_hex(b""), EMPTY_SHA256);
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

//! The debug log of what goes over the wire, as botocore logs it at debug level: each
//! attempt's request (method, URL, headers, and the body when it is in memory) and the
//! response (status, headers, and the body when it is not streamed), each body cut at
//! [`BODY_LIMIT`] bytes. Written as `tracing` debug events (`request`, `request body`,
//! `response`, `response body`) only when debug logging is on.
//!
//! Secrets never reach the log: the `Authorization` header keeps its scheme, scope and
//! signed headers but not the access key id or the signature; session tokens, bearer
//! tokens, SSE-C keys and any header named like a token, secret, password or credential
//! are replaced by `<redacted>`; presigned query parameters likewise; and a body is not
//! shown at all when the operation's input (for a request) or output (for a response)
//! has a member the model marks `sensitive` (STS credentials, IAM passwords, SSO tokens,
//! web identity tokens...), only its length.
//!
//! Owns what the log shows. Does not own sending (`attempt`).

use inia_model::{Member, Operation, ServiceModel, ShapeType};
use std::collections::HashSet;
use std::fmt::Write;

/// How much of a body the log shows.
pub(crate) const BODY_LIMIT: usize = 4096;

const REDACTED: &str = "<redacted>";

/// True when debug events would be written.
pub(crate) fn enabled() -> bool {
    tracing::enabled!(tracing::Level::DEBUG)
}

/// Log one request about to be sent.
pub(crate) fn request(
    model: &ServiceModel,
    op: &Operation,
    parts: &http::request::Parts,
    body: Option<&[u8]>,
) {
    tracing::debug!(
        method = %parts.method,
        url = %url(&parts.uri),
        headers = %headers(&parts.headers),
        "request"
    );
    if let Some(bytes) = body {
        let sensitive = op.input.as_ref().is_some_and(|m| has_sensitive(model, m));
        tracing::debug!(body = %shown(bytes, sensitive, "input"), "request body");
    }
}

/// Log a response's status and headers.
pub(crate) fn response(status: u16, headers: &http::HeaderMap) {
    tracing::debug!(status, headers = %self::headers(headers), "response");
}

/// Log a response body that was read into memory.
pub(crate) fn response_body(model: &ServiceModel, op: &Operation, status: u16, bytes: &[u8]) {
    let sensitive = status < 300 && op.output.as_ref().is_some_and(|m| has_sensitive(model, m));
    tracing::debug!(body = %shown(bytes, sensitive, "output"), "response body");
}

/// A body as the log shows it: text (escaped) up to the limit, or only its length.
fn shown(bytes: &[u8], sensitive: bool, which: &str) -> String {
    if sensitive {
        return format!(
            "<{} bytes, not shown: the operation's {which} has sensitive members>",
            bytes.len()
        );
    }
    let cut = &bytes[..bytes.len().min(BODY_LIMIT)];
    let text = String::from_utf8_lossy(cut);
    let mut s: String = text.escape_debug().collect();
    if bytes.len() > cut.len() {
        let _ = write!(s, "... ({} more bytes)", bytes.len() - cut.len());
    }
    s
}

/// True when the shape `member` refers to, or any shape inside it, is marked sensitive.
fn has_sensitive(model: &ServiceModel, member: &Member) -> bool {
    let mut seen = HashSet::new();
    sensitive_in(model, member, &mut seen)
}

fn sensitive_in(model: &ServiceModel, member: &Member, seen: &mut HashSet<String>) -> bool {
    if !seen.insert(member.shape.clone()) {
        return false;
    }
    let Ok(shape) = model.target(member, &member.shape) else {
        return false;
    };
    if shape.sensitive {
        return true;
    }
    match shape.kind {
        ShapeType::Structure => shape.members.values().any(|m| sensitive_in(model, m, seen)),
        ShapeType::List => shape
            .member
            .as_ref()
            .is_some_and(|m| sensitive_in(model, m, seen)),
        ShapeType::Map => [&shape.key, &shape.value]
            .into_iter()
            .flatten()
            .any(|m| sensitive_in(model, m, seen)),
        _ => false,
    }
}

/// Whether a header's value is a secret.
fn secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "proxy-authorization"
        || n == "cookie"
        || n == "set-cookie"
        || n.ends_with("-customer-key")
        || ["token", "secret", "password", "credential"]
            .iter()
            .any(|w| n.contains(w))
}

/// Headers as one line, `{name: value, ...}`, secrets redacted.
fn headers(map: &http::HeaderMap) -> String {
    let mut s = String::from("{");
    for (i, (name, value)) in map.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let text = String::from_utf8_lossy(value.as_bytes());
        let shown = if name == http::header::AUTHORIZATION {
            authorization(&text)
        } else if secret_header(name.as_str()) {
            REDACTED.to_string()
        } else {
            text.into_owned()
        };
        let _ = write!(s, "{name}: {shown}");
    }
    s.push('}');
    s
}

/// An `Authorization` value without the access key id and the signature: SigV4's
/// `Credential=AKID/date/region/service/aws4_request` keeps its scope.
fn authorization(value: &str) -> String {
    let Some((scheme, rest)) = value.split_once(' ') else {
        return REDACTED.to_string();
    };
    if scheme.eq_ignore_ascii_case("bearer") || !rest.contains('=') {
        return format!("{scheme} {REDACTED}");
    }
    let parts: Vec<String> = rest
        .split(',')
        .map(|p| {
            let p = p.trim();
            match p.split_once('=') {
                Some(("Credential", v)) => match v.split_once('/') {
                    Some((_, scope)) => format!("Credential={REDACTED}/{scope}"),
                    None => format!("Credential={REDACTED}"),
                },
                Some(("SignedHeaders", v)) => format!("SignedHeaders={v}"),
                Some((k, _)) => format!("{k}={REDACTED}"),
                None => REDACTED.to_string(),
            }
        })
        .collect();
    format!("{scheme} {}", parts.join(", "))
}

/// A URL with the values of presigning and credential query parameters redacted.
fn url(uri: &http::Uri) -> String {
    let text = uri.to_string();
    let Some((base, query)) = text.split_once('?') else {
        return text;
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if secret_query(k) => format!("{k}={REDACTED}"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

fn secret_query(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    matches!(
        k.as_str(),
        "x-amz-signature" | "x-amz-credential" | "signature" | "awsaccesskeyid"
    ) || k.contains("token")
        || k.contains("secret")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_from_headers_and_urls() {
        let mut h = http::HeaderMap::new();
        h.insert(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
                .parse()
                .unwrap(),
        );
        h.insert("x-amz-security-token", "IQoJb3JpZ2luX2Vj".parse().unwrap());
        h.insert("x-amz-sso_bearer_token", "tok".parse().unwrap());
        h.insert(
            "x-amz-server-side-encryption-customer-key",
            "a2V5".parse().unwrap(),
        );
        h.insert("content-type", "text/plain".parse().unwrap());
        let line = headers(&h);
        for secret in ["AKIDEXAMPLE", "5d672d79", "IQoJb3", "tok,", "a2V5"] {
            assert!(!line.contains(secret), "{line}");
        }
        assert!(
            line.contains("Credential=<redacted>/20150830/us-east-1/iam/aws4_request"),
            "{line}"
        );
        assert!(line.contains("SignedHeaders=host;x-amz-date"), "{line}");
        assert!(line.contains("content-type: text/plain"), "{line}");
        let u: http::Uri = "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKID%2F1&X-Amz-Signature=abc&X-Amz-Security-Token=t&partNumber=1"
            .parse()
            .unwrap();
        assert_eq!(
            url(&u),
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=<redacted>&X-Amz-Signature=<redacted>&X-Amz-Security-Token=<redacted>&partNumber=1"
        );
        assert_eq!(authorization("Bearer abc"), "Bearer <redacted>");
    }

    #[test]
    fn bodies_are_cut_or_withheld() {
        assert_eq!(shown(b"a\nb", false, "input"), "a\\nb");
        let long = vec![b'x'; BODY_LIMIT + 10];
        assert!(shown(&long, false, "output").ends_with("... (10 more bytes)"));
        assert_eq!(
            shown(b"secret", true, "output"),
            "<6 bytes, not shown: the operation's output has sensitive members>"
        );
    }
}

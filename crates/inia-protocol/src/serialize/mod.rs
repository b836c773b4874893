//! Serializers: params to an HTTP request, one module per protocol family.
//!
//! Owns what every serializer shares: finding the input shape, auto-filling idempotency
//! tokens, the endpoint host prefix, the text form of scalars (timestamps, floats, blobs),
//! percent-encoding, error paths (`Filters[0].Values[1]`) and assembling the
//! `http::Request`, and the last touches every request gets (gzip for operations that ask
//! for request compression, `Content-MD5` where the model requires a checksum, computed by
//! `checksum`, unless the engine's payload stage decides checksums). Does not own validation (see `validate`), signing or endpoints.
//!
//! - [`query`]: `query` and `ec2` form bodies;
//! - [`json`]: `json` 1.0/1.1, and the JSON body writer `rest_json` reuses;
//! - [`rest`]: URI labels, querystring and headers of the REST protocols;
//! - [`rest_json`] and [`rest_xml`]: the REST bodies and payloads;
//! - [`xml_body`]: the XML document writer of `rest_xml`;
//! - [`cbor`]: `smithy-rpc-v2-cbor` (its URI, headers and CBOR body).

mod cbor;
mod json;
mod query;
mod rest;
mod rest_json;
mod rest_xml;
mod xml_body;

use crate::error::ProtocolError;
use crate::member::MemberRef;
use crate::timefmt;
use crate::HostPrefix;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderValue};
use inia_model::{Operation, ServiceModel, ShapeType, TimestampFormat};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};
use std::borrow::Cow;

pub(crate) fn query(
    m: &ServiceModel,
    op: &Operation,
    p: &Value,
    ec2: bool,
) -> Result<http::Request<Bytes>, ProtocolError> {
    query::serialize(m, op, p, ec2)
}

pub(crate) fn json(
    m: &ServiceModel,
    op: &Operation,
    p: &Value,
) -> Result<http::Request<Bytes>, ProtocolError> {
    json::serialize(m, op, p)
}

pub(crate) fn rest_json(
    m: &ServiceModel,
    op: &Operation,
    p: &Value,
) -> Result<http::Request<Bytes>, ProtocolError> {
    rest_json::serialize(m, op, p)
}

pub(crate) fn rpc_v2_cbor(
    m: &ServiceModel,
    op: &Operation,
    p: &Value,
) -> Result<http::Request<Bytes>, ProtocolError> {
    cbor::serialize(m, op, p)
}

pub(crate) fn rest_xml(
    m: &ServiceModel,
    op: &Operation,
    p: &Value,
) -> Result<http::Request<Bytes>, ProtocolError> {
    rest_xml::serialize(m, op, p)
}

/// Where a value sits in the params, rendered only when an error needs it:
/// `Filters[0].Values[1]`, `Tags.color`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    pub(crate) fn key(&'a self, k: &'a str) -> Path<'a> {
        Path::Key(self, k)
    }

    pub(crate) fn index(&'a self, i: usize) -> Path<'a> {
        Path::Index(self, i)
    }

    pub(crate) fn render(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Key(parent, k) => {
                let p = parent.render();
                if p.is_empty() {
                    (*k).to_string()
                } else {
                    format!("{p}.{k}")
                }
            }
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> ProtocolError {
        let p = self.render();
        ProtocolError::param(if p.is_empty() { "(input)".into() } else { p }, message)
    }
}

/// The operation's input reference and shape, if it has one.
pub(crate) fn input<'o>(
    model: &ServiceModel,
    op: &'o Operation,
) -> Result<Option<MemberRef<'o>>, ProtocolError> {
    match &op.input {
        Some(m) => Ok(Some(MemberRef::resolve(model, m, &op.name)?)),
        None => Ok(None),
    }
}

/// The params as an object (null is an empty input).
pub(crate) fn prepare<'p>(params: &'p Value) -> Result<Cow<'p, Map<String, Value>>, ProtocolError> {
    let obj = match params {
        Value::Object(o) => Cow::Borrowed(o),
        Value::Null => Cow::Owned(Map::new()),
        other => {
            return Err(Path::Root.error(format!(
                "expected an object of parameters, got {}",
                kind_of(other)
            )))
        }
    };
    Ok(obj)
}

/// Params with the idempotency tokens the caller left out filled from `source` (top-level
/// members only, as botocore).
pub(crate) fn fill_idempotency_tokens<'p>(
    model: &ServiceModel,
    op: &Operation,
    params: &'p Value,
    source: fn() -> String,
) -> Result<Cow<'p, Value>, ProtocolError> {
    let Some(input) = input(model, op)? else {
        return Ok(Cow::Borrowed(params));
    };
    let mut out = Cow::Borrowed(params);
    for (name, m) in &input.shape.members {
        let missing = match params {
            Value::Object(o) => matches!(o.get(name), None | Some(Value::Null)),
            Value::Null => true,
            _ => false,
        };
        if m.idempotency_token && missing {
            let obj = out.to_mut();
            if obj.is_null() {
                *obj = Value::Object(Map::new());
            }
            if let Value::Object(o) = obj {
                o.insert(name.clone(), Value::String(source()));
            }
        }
    }
    Ok(out)
}

/// A form body with each `%20` written `+`. Every other space-like byte is escaped and a
/// literal `+` is `%2B`, so this changes spaces only.
pub(crate) fn spaces_as_plus(mut req: http::Request<Bytes>) -> http::Request<Bytes> {
    if req.body().windows(3).any(|w| w == b"%20") {
        let text = String::from_utf8_lossy(req.body()).replace("%20", "+");
        *req.body_mut() = Bytes::from(text);
    }
    req
}

/// What every protocol's request gets last: gzip for operations with the
/// `requestcompression` trait whose body reaches the threshold, then `Content-MD5` for
/// operations that require a checksum (over the bytes actually sent), unless the options
/// leave checksums to the engine.
pub(crate) fn finish(
    op: &Operation,
    mut req: http::Request<Bytes>,
    options: &crate::SerializeOptions,
) -> Result<http::Request<Bytes>, ProtocolError> {
    let min_compression_size = options.min_compression_size;
    let gzip = op
        .request_compression
        .as_ref()
        .is_some_and(|c| c.encodings.iter().any(|e| e == "gzip"));
    if let (true, Some(min)) = (gzip, min_compression_size) {
        if req.body().len() >= min {
            use std::io::Write;
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            let compressed = enc
                .write_all(req.body())
                .and_then(|()| enc.finish())
                .map_err(|e| ProtocolError::Unsupported(format!("gzip: {e}")))?;
            *req.body_mut() = Bytes::from(compressed);
            let encoding = match req.headers().get(http::header::CONTENT_ENCODING) {
                Some(v) => format!("{}, gzip", v.to_str().unwrap_or("")),
                None => "gzip".to_string(),
            };
            let v = HeaderValue::from_str(&encoding)
                .map_err(|_| ProtocolError::Unsupported("Content-Encoding value".into()))?;
            req.headers_mut().insert(http::header::CONTENT_ENCODING, v);
        }
    }
    if options.required_checksum_md5
        && crate::checksum::required_by(op)
        && !crate::checksum::present(req.headers())
    {
        let v = crate::checksum::ContentMd5::of(req.body());
        req.headers_mut().insert(crate::checksum::CONTENT_MD5, v);
    }
    Ok(req)
}

/// The operation's `endpoint.hostPrefix`, with `{label}`s filled from `hostLabel` members.
pub(crate) fn host_prefix(
    op: &Operation,
    params: &Map<String, Value>,
) -> Result<Option<HostPrefix>, ProtocolError> {
    let Some(template) = op.endpoint.as_ref().and_then(|e| e.host_prefix.as_deref()) else {
        return Ok(None);
    };
    let out = inia_model::template::fill(template, |label, out| {
        let path = Path::Root;
        let path = path.key(label);
        let value = match params.get(label) {
            Some(Value::String(s)) => s.as_str(),
            Some(Value::Null) | None => return Err(path.error("required for the host prefix")),
            Some(other) => {
                return Err(path.error(format!("expected a string, got {}", kind_of(other))))
            }
        };
        let ok = !value.is_empty()
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !ok {
            return Err(path.error(
                "a host label must contain only alphanumeric characters, hyphen, or period",
            ));
        }
        out.push_str(value);
        Ok(())
    })
    .map_err(|e| match e {
        inia_model::template::FillError::Value(e) => e,
        inia_model::template::FillError::Template(e) => {
            ProtocolError::Unsupported(format!("host prefix {template:?}: {e}"))
        }
    })?;
    Ok(Some(HostPrefix(out)))
}

/// Assemble the request. `uri` is path and query only.
pub(crate) fn build(
    method: &str,
    uri: &str,
    headers: HeaderMap,
    body: Bytes,
    host: Option<HostPrefix>,
) -> Result<http::Request<Bytes>, ProtocolError> {
    let method = http::Method::from_bytes(method.as_bytes())
        .map_err(|_| ProtocolError::Unsupported(format!("HTTP method {method:?}")))?;
    let uri: http::Uri = uri
        .parse()
        .map_err(|e| ProtocolError::Unsupported(format!("request URI {uri:?}: {e}")))?;
    let mut req = http::Request::new(body);
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    *req.headers_mut() = headers;
    if let Some(h) = host {
        req.extensions_mut().insert(h);
    }
    Ok(req)
}

/// A header value from text; control characters are refused.
pub(crate) fn header_value(text: &str, path: &Path<'_>) -> Result<HeaderValue, ProtocolError> {
    HeaderValue::from_bytes(text.as_bytes())
        .map_err(|_| path.error("contains characters not allowed in an HTTP header"))
}

/// Characters sent as they are: RFC 3986 unreserved. Everything else is `%XX` (UTF-8).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// As [`UNRESERVED`], keeping `/` too: greedy URI labels (`{Key+}`).
const GREEDY: &AsciiSet = &UNRESERVED.remove(b'/');

/// Percent-encode everything but unreserved characters.
pub(crate) fn encode(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// Percent-encode a greedy label: `/` stays.
pub(crate) fn encode_greedy(s: &str) -> String {
    utf8_percent_encode(s, GREEDY).to_string()
}

/// `k=v&k=v`, each side percent-encoded.
pub(crate) fn form_encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.extend(utf8_percent_encode(k, UNRESERVED));
        out.push('=');
        out.extend(utf8_percent_encode(v, UNRESERVED));
    }
    out
}

/// A short name for the JSON type of a value, for error messages.
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn as_object<'v>(
    v: &'v Value,
    path: &Path<'_>,
) -> Result<&'v Map<String, Value>, ProtocolError> {
    v.as_object()
        .ok_or_else(|| path.error(format!("expected an object, got {}", kind_of(v))))
}

pub(crate) fn as_array<'v>(v: &'v Value, path: &Path<'_>) -> Result<&'v [Value], ProtocolError> {
    v.as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| path.error(format!("expected a list, got {}", kind_of(v))))
}

/// A timestamp given as epoch seconds or a date string.
pub(crate) fn timestamp(v: &Value, path: &Path<'_>) -> Result<DateTime<Utc>, ProtocolError> {
    timefmt::from_value(v).ok_or_else(|| {
        path.error(format!(
            "expected a timestamp (epoch seconds or a date string), got {v}"
        ))
    })
}

/// A blob given as base64 text: its bytes.
pub(crate) fn blob(v: &Value, path: &Path<'_>) -> Result<Vec<u8>, ProtocolError> {
    timefmt::blob_from_value(v).ok_or_else(|| path.error("expected a blob as base64 text"))
}

/// The special float strings the protocols carry.
fn is_special_float(s: &str) -> bool {
    matches!(s, "NaN" | "Infinity" | "-Infinity")
}

/// A float or double as text: the number as given, or `NaN`, `Infinity`, `-Infinity`.
pub(crate) fn float_text(v: &Value, path: &Path<'_>) -> Result<String, ProtocolError> {
    match v {
        Value::Number(n) => Ok(n.to_string()),
        Value::String(s) if is_special_float(s) => Ok(s.clone()),
        other => Err(path.error(format!(
            "expected a number or \"NaN\", \"Infinity\", \"-Infinity\", got {}",
            kind_of(other)
        ))),
    }
}

/// The text of a scalar member, as query strings, URIs, headers and XML carry it.
/// Timestamps use the member's format, else `default_ts`.
pub(crate) fn scalar_text(
    m: &MemberRef<'_>,
    v: &Value,
    default_ts: TimestampFormat,
    path: &Path<'_>,
) -> Result<String, ProtocolError> {
    match m.kind() {
        ShapeType::Timestamp => {
            let t = timestamp(v, path)?;
            let format = m.timestamp_format().unwrap_or(default_ts);
            Ok(timefmt::to_wire(&t, format).to_text())
        }
        ShapeType::Blob => Ok(timefmt::base64_encode(&blob(v, path)?)),
        ShapeType::Float | ShapeType::Double => float_text(v, path),
        ShapeType::Structure | ShapeType::List | ShapeType::Map => {
            Err(path.error(format!("a {:?} cannot be written as text here", m.kind())))
        }
        _ => plain_text(v, path),
    }
}

/// A string, number or boolean as text.
pub(crate) fn plain_text(v: &Value, path: &Path<'_>) -> Result<String, ProtocolError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(path.error(format!("expected a scalar value, got {}", kind_of(other)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_render_like_the_params() {
        let root = Path::Root;
        let a = root.key("Filters");
        let b = a.index(0);
        let c = b.key("Values");
        let d = c.index(1);
        assert_eq!(d.render(), "Filters[0].Values[1]");
        assert_eq!(
            Path::Root.error("x").to_string(),
            "invalid parameter (input): x"
        );
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved() {
        assert_eq!(
            encode(" %:/?#[]@!$&'()*+,;=😹"),
            "%20%25%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%F0%9F%98%B9"
        );
        assert_eq!(encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(encode_greedy("testing /123"), "testing%20/123");
        assert_eq!(form_encode([("a b", "c&d"), ("e", "")]), "a%20b=c%26d&e=");
    }

    #[test]
    fn host_prefix_fills_and_checks_labels() {
        let op: Operation = serde_json::from_value(json!({
            "name": "Op", "endpoint": {"hostPrefix": "foo-{Name}."}
        }))
        .unwrap();
        let p = json!({"Name": "bar"});
        let got = host_prefix(&op, p.as_object().unwrap()).unwrap();
        assert_eq!(got, Some(HostPrefix("foo-bar.".into())));
        let bad = json!({"Name": "a/b"});
        let e = host_prefix(&op, bad.as_object().unwrap()).unwrap_err();
        assert!(e.to_string().contains("Name"), "{e}");
    }

    #[test]
    fn form_spaces_become_plus_only_in_bodies() {
        let req = build(
            "POST",
            "/?q=a%20b",
            HeaderMap::new(),
            Bytes::from("A=x%20y&B=%2B"),
            None,
        )
        .unwrap();
        let req = spaces_as_plus(req);
        assert_eq!(&req.body()[..], b"A=x+y&B=%2B");
        assert_eq!(req.uri(), "/?q=a%20b");
    }

    #[test]
    fn floats_accept_the_special_strings() {
        let p = Path::Root;
        assert_eq!(float_text(&json!(1.5), &p).unwrap(), "1.5");
        assert_eq!(float_text(&json!("-Infinity"), &p).unwrap(), "-Infinity");
        assert!(float_text(&json!("1.5"), &p).is_err());
    }
}

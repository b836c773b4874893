//! Parsers: an HTTP response to a value or a service error, one module per protocol
//! family. This module dispatches on protocol and status, and owns what every protocol
//! shares: `ResponseMetadata`, and scalars given as text (XML text, header values).
//!
//! - `xml_dom`: XML bytes to a borrowed tree;
//! - `xml`: shaped XML (query, ec2, rest-xml bodies), with the elements a shape does not
//!   describe kept on request ([`crate::ParseOptions`]);
//! - `query`: the query and ec2 envelope (result wrapper, `ResponseMetadata`, outputs
//!   without a shape);
//! - `json`: shaped JSON (json and rest-json bodies);
//! - `cbor`: shaped CBOR (smithy-rpc-v2-cbor bodies; the bytes are decoded by
//!   `crate::cbor`);
//! - `rest`: the HTTP parts of rest-json and rest-xml (headers, status code, payload);
//! - `errors`: error responses of every protocol;
//! - `event_stream`: event-stream bodies, decoded whole into a list of events.
//!
//! XML-protocol operations without an output shape get their body by the generic rules
//! (`query`, `rest`); JSON and CBOR protocols have no generic reading: without a shape
//! their output is `{}`, and `keep_unmodeled_xml` does not apply to them.
//!
//! Does not own the generic shape-free XML rules (see `generic_xml`).

mod cbor;
mod errors;
mod event_stream;
mod json;
mod query;
mod rest;
#[cfg(test)]
mod tests;
mod xml;
pub(crate) mod xml_dom;

use crate::error::ProtocolError;
use crate::{timefmt, ParseOptions};
use inia_model::{Location, Member, Operation, Protocol, ServiceModel, ShapeType};
use serde_json::{Map, Value};

/// Parse a response: a status of 300 or more is an error ([`ProtocolError::Service`],
/// see `errors`); anything else is the output value with `ResponseMetadata`. A body that
/// cannot be read gives [`ProtocolError::Parse`]; an unreadable error body still gives a
/// service error, coded by the status.
pub(crate) fn response(
    m: &ServiceModel,
    op: &Operation,
    p: Protocol,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
    options: &ParseOptions,
) -> Result<Value, ProtocolError> {
    if status >= 300 {
        return Err(errors::parse(m, op, p, status, headers, body));
    }
    let (mut out, request_id) = match p {
        Protocol::Query | Protocol::Ec2 => {
            query::query_output(m, op, p == Protocol::Ec2, body, options)?
        }
        Protocol::Json => (json::json_output(m, op, body)?, None),
        Protocol::RestJson | Protocol::RestXml => (
            rest::output(m, op, p, status, headers, body, options)?,
            None,
        ),
        Protocol::RpcV2Cbor => (cbor::output(m, op, body)?, None),
    };
    let meta = response_metadata(request_id, status, headers);
    out.insert("ResponseMetadata".into(), Value::Object(meta));
    Ok(Value::Object(out))
}

/// Where in the HTTP response (not the body) a member travels: a header, the headers
/// with a prefix, or the status code. `None`: the body.
///
/// The member's `location`, else its target shape's (a few legacy models put it there).
pub(crate) fn http_location(m: &Member, shape: &inia_model::Shape) -> Option<Location> {
    match m.location.or(shape.location) {
        Some(l @ (Location::Header | Location::Headers | Location::StatusCode)) => Some(l),
        _ => None,
    }
}

/// `ResponseMetadata`: whatever the body gave (`body_meta`, e.g. query's
/// `<ResponseMetadata>`), else the request id from the headers; then the status and the
/// headers (lower-case names; repeated headers joined with `, `).
pub(crate) fn response_metadata(
    body_meta: Option<Map<String, Value>>,
    status: u16,
    headers: &http::HeaderMap,
) -> Map<String, Value> {
    let mut meta = body_meta.unwrap_or_default();
    if !meta.contains_key("RequestId") {
        if let Some(id) = header(headers, "x-amzn-requestid") {
            meta.insert("RequestId".into(), Value::String(id));
        } else if let Some(id) = header(headers, "x-amz-request-id") {
            meta.insert("RequestId".into(), Value::String(id));
            let host = header(headers, "x-amz-id-2").unwrap_or_default();
            meta.insert("HostId".into(), Value::String(host));
        }
    }
    meta.insert("HTTPStatusCode".into(), Value::from(status));
    meta.insert("HTTPHeaders".into(), Value::Object(header_map(headers)));
    meta
}

/// All headers, lower-case names, repeated ones joined with `, `.
pub(crate) fn header_map(headers: &http::HeaderMap) -> Map<String, Value> {
    let mut out = Map::new();
    for name in headers.keys() {
        if let Some(v) = header(headers, name.as_str()) {
            out.insert(name.as_str().to_string(), Value::String(v));
        }
    }
    out
}

/// A header's value (repeated headers joined with `, `), as text.
pub(crate) fn header(headers: &http::HeaderMap, name: &str) -> Option<String> {
    let mut all = headers.get_all(name).iter();
    let first = all.next()?;
    let mut s = String::from_utf8_lossy(first.as_bytes()).into_owned();
    for v in all {
        s.push_str(", ");
        s.push_str(&String::from_utf8_lossy(v.as_bytes()));
    }
    Some(s)
}

/// A float as a value: a number, or `NaN` / `Infinity` / `-Infinity` text.
pub(crate) fn float_value(f: f64) -> Value {
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or_else(|| Value::String(timefmt::format_float(f)))
}

/// A float written as text (`NaN`, `Infinity`, `-Infinity`, `inf` and numbers).
pub(crate) fn parse_float(text: &str) -> Option<f64> {
    let t = text.trim();
    match t {
        "NaN" | "nan" => Some(f64::NAN),
        "Infinity" | "inf" | "+Infinity" => Some(f64::INFINITY),
        "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
        _ => t.parse::<f64>().ok(),
    }
}

/// An integer written as text; integers too big for 64 bits become floats.
pub(crate) fn parse_integer(text: &str) -> Option<Value> {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(Value::from(i));
    }
    if let Ok(u) = t.parse::<u64>() {
        return Some(Value::from(u));
    }
    if !t.is_empty()
        && t.trim_start_matches(['-', '+'])
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return t.parse::<f64>().ok().map(float_value);
    }
    None
}

/// A scalar given as text (XML element text or an HTTP header value) as a value.
/// `Ok(None)` when the text is empty and the type has no empty form.
pub(crate) fn text_scalar(
    kind: ShapeType,
    text: &str,
    what: &str,
) -> Result<Option<Value>, ProtocolError> {
    let bad = |t: &str| {
        let shown: String = t.chars().take(40).collect();
        ProtocolError::parse(format!("{what}: {shown:?} is not a valid {kind:?}"), None)
    };
    Ok(Some(match kind {
        ShapeType::String | ShapeType::Character => Value::String(text.to_owned()),
        ShapeType::Boolean => Value::Bool(text.trim().eq_ignore_ascii_case("true")),
        ShapeType::Integer
        | ShapeType::Long
        | ShapeType::Short
        | ShapeType::Byte
        | ShapeType::BigInteger => {
            if text.trim().is_empty() {
                return Ok(None);
            }
            parse_integer(text).ok_or_else(|| bad(text))?
        }
        ShapeType::Float | ShapeType::Double | ShapeType::BigDecimal => {
            if text.trim().is_empty() {
                return Ok(None);
            }
            float_value(parse_float(text).ok_or_else(|| bad(text))?)
        }
        ShapeType::Timestamp => {
            if text.trim().is_empty() {
                return Ok(None);
            }
            if timefmt::keep_wire() {
                return Ok(Some(Value::String(text.to_string())));
            }
            match iso_utc_fast(text) {
                Some(v) => Value::String(v),
                None => timefmt::wire_to_value(text).ok_or_else(|| bad(text))?,
            }
        }
        ShapeType::Blob => {
            timefmt::blob_to_value(&timefmt::base64_decode(text).ok_or_else(|| bad(text))?)
        }
        ShapeType::Structure | ShapeType::List | ShapeType::Map => {
            return Err(ProtocolError::parse(
                format!("{what}: a {kind:?} cannot be read from text"),
                None,
            ))
        }
    }))
}

/// The value form of `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, the form most servers send,
/// without a trip through `chrono`'s formatter: the same text as
/// `timefmt::wire_to_value` gives (fraction cut to microseconds, trailing zeros
/// dropped). `None` for any other form, left to the general parser.
fn iso_utc_fast(text: &str) -> Option<String> {
    let b = text.as_bytes();
    if b.len() < 20 || b[b.len() - 1] != b'Z' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let seps = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if seps.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let (y, mo, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (h, mi, s) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, mo, d)?;
    let frac = &b[19..b.len() - 1];
    let mut out = String::with_capacity(27);
    out.push_str(&text[..19]);
    if !frac.is_empty() {
        if frac[0] != b'.' || frac.len() < 2 || frac.len() > 10 {
            return None;
        }
        let f = &frac[1..];
        if !f.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let micros = &f[..f.len().min(6)];
        let kept = micros.len() - micros.iter().rev().take_while(|&&c| c == b'0').count();
        if kept > 0 {
            out.push('.');
            out.push_str(std::str::from_utf8(&micros[..kept]).ok()?);
        }
    }
    out.push('Z');
    Some(out)
}

#[cfg(test)]
mod scalar_tests {
    use super::*;

    #[test]
    fn scalars_from_text() {
        let v = |k, t| text_scalar(k, t, "x").unwrap();
        assert_eq!(v(ShapeType::Integer, " 42 "), Some(Value::from(42)));
        assert_eq!(v(ShapeType::Integer, ""), None);
        assert_eq!(v(ShapeType::Double, "NaN"), Some(Value::from("NaN")));
        assert_eq!(
            v(ShapeType::Float, "-Infinity"),
            Some(Value::from("-Infinity"))
        );
        assert_eq!(v(ShapeType::Float, "1.5"), Some(Value::from(1.5)));
        assert_eq!(v(ShapeType::Boolean, "True"), Some(Value::Bool(true)));
        assert_eq!(v(ShapeType::Boolean, "no"), Some(Value::Bool(false)));
        assert_eq!(
            v(ShapeType::Timestamp, "1422172800"),
            Some(Value::from("2015-01-25T08:00:00Z"))
        );
        assert_eq!(
            v(ShapeType::Blob, "dmFsdWU="),
            Some(Value::from("dmFsdWU="))
        );
        for t in [
            "2015-01-25T08:00:00Z",
            "2015-01-25T08:00:00.000Z",
            "2015-01-25T08:00:00.120Z",
            "2015-01-25T08:00:00.1234567Z",
            "2016-02-29T23:59:59.5Z",
            "2015-02-29T08:00:00Z",
            "2015-01-25T24:00:00Z",
            "2015-01-25T08:00:00.Z",
            "2015-01-25T08:00:00+00:00",
            "2015-01-25 08:00:00Z",
        ] {
            let fast = iso_utc_fast(t).map(Value::String);
            let slow = timefmt::wire_to_value(t);
            if fast.is_some() {
                assert_eq!(fast, slow, "{t}");
            }
        }
        assert!(iso_utc_fast("2015-02-29T08:00:00Z").is_none());
        assert!(text_scalar(ShapeType::Integer, "12x", "x").is_err());
        assert!(text_scalar(ShapeType::Blob, "!!", "x").is_err());
        assert!(text_scalar(ShapeType::Timestamp, "soon", "x").is_err());
    }
}

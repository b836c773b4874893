//! The HTTP parts of rest-json and rest-xml responses: members carried in headers, the
//! status code and the payload, for outputs and for modeled exceptions alike.
//!
//! Rules:
//! - `location: header` members read their header (the member's `locationName`, case
//!   insensitive); repeated headers count as one joined with `, `. Lists split on commas
//!   outside double quotes (a quoted item loses its quotes and `\` escapes); lists of
//!   HTTP-date timestamps keep the comma after the weekday. `jsonvalue` strings are
//!   base64: JSON objects and arrays become the JSON value, anything else the decoded
//!   text (a `mediaType` string);
//! - `location: headers` members collect every header starting with the prefix (case
//!   insensitive) into a map keyed by the rest of the (lower-case) name;
//! - `location: statusCode` members are the HTTP status;
//! - a `payload` member that is a blob or string is the whole body (left out when the
//!   body is empty, and when the shape is `streaming`: the caller reads the stream
//!   itself); an event-stream payload is left out; any other payload is the body parsed
//!   with the member's shape (left out when the body is empty);
//! - with no payload member, the body holds the other members (a body that is a single
//!   childless element named like a member, as S3's `GetBucketLocation`, is that member);
//! - rest-xml outputs read with `ParseOptions::keep_unmodeled_xml` keep the elements
//!   their structures do not describe (see `xml`), after the modeled members; error
//!   bodies never do (their `Error` value already holds every element);
//! - an operation with **no output shape** is `{}`, except a rest-xml one whose body is
//!   XML (begins with `<`): that body by the generic rules (see `generic_xml`), the root
//!   element's content as a map (an empty root is `{}`, a text-only or list-only one sits
//!   under the root's name). An empty or non-XML body stays `{}`; malformed XML is a
//!   parse error. rest-json bodies without an output shape are not read.
//!
//! Owns header, status and payload selection. Does not own JSON or XML body rules (see
//! `json`, `xml`, `generic_xml`) nor finding error codes (see `errors`).

use super::xml::{blank, Shaped};
use super::xml_dom::Document;
use super::{header, json, text_scalar};
use crate::error::ProtocolError;
use crate::{generic_xml, timefmt, ParseOptions};
use inia_model::{
    Location, Member, Operation, Protocol, ServiceModel, Shape, ShapeType, TimestampFormat,
};
use serde_json::{Map, Value};

/// What a body is read as.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reading {
    /// A success's output, with the call's options.
    Output(ParseOptions),
    /// An error document (rest-xml: members sit in `<ErrorResponse><Error>` when it is
    /// there); unmodeled elements are never kept.
    Error,
}

impl Reading {
    fn error_root(self) -> bool {
        matches!(self, Reading::Error)
    }

    fn shaped(self, model: &ServiceModel) -> Shaped<'_> {
        let keep = matches!(self, Reading::Output(o) if o.keep_unmodeled_xml);
        Shaped::new(model).keep_unmodeled(keep)
    }
}

/// A rest-json or rest-xml success response as the output value.
pub(crate) fn output(
    model: &ServiceModel,
    op: &Operation,
    protocol: Protocol,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
    options: &ParseOptions,
) -> Result<Map<String, Value>, ProtocolError> {
    let Some(output) = &op.output else {
        return match protocol {
            Protocol::RestXml => unshaped_xml(body),
            _ => Ok(Map::new()),
        };
    };
    let shape = model.target(output, &op.name)?;
    modeled(
        model,
        &output.shape,
        &shape,
        protocol,
        status,
        headers,
        body,
        Reading::Output(*options),
    )
}

/// The body of a rest-xml operation without an output shape, by the generic rules: `{}`
/// unless it is XML.
fn unshaped_xml(body: &[u8]) -> Result<Map<String, Value>, ProtocolError> {
    let start = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match start.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => {
            let doc = Document::parse(body)?;
            Ok(generic_xml::output_members(&doc, doc.root(), &[]))
        }
        _ => Ok(Map::new()),
    }
}

/// The members of `shape` from headers, status and body, read as `reading` says.
#[allow(clippy::too_many_arguments)]
pub(crate) fn modeled(
    model: &ServiceModel,
    shape_name: &str,
    shape: &Shape,
    protocol: Protocol,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
    reading: Reading,
) -> Result<Map<String, Value>, ProtocolError> {
    let mut found = Map::new();
    for (name, m) in &shape.members {
        let target = model.target(m, name)?;
        let v = match super::http_location(m, &target) {
            Some(Location::StatusCode) => Some(Value::from(status)),
            Some(Location::Headers) => Some(prefix_headers(model, name, m, headers)?),
            Some(Location::Header) => {
                let hname = m.location_name.as_deref().unwrap_or(name);
                match header(headers, hname) {
                    Some(text) => header_value(model, name, m, &text)?,
                    None => None,
                }
            }
            _ => continue,
        };
        if let Some(v) = v {
            found.insert(name.clone(), v);
        }
    }
    match shape.payload.as_deref() {
        Some(payload) => {
            let m = shape.members.get(payload).ok_or_else(|| {
                ProtocolError::Unsupported(format!(
                    "{shape_name}: payload {payload} is not a member"
                ))
            })?;
            if let Some(v) = payload_value(model, m, protocol, body, reading)? {
                found.insert(payload.to_string(), v);
            }
        }
        None => {
            let body_members = body_structure(model, shape_name, shape, protocol, body, reading)?;
            found.extend(body_members);
        }
    }
    // Shape order, whatever the order found; then what the shape does not describe
    // (kept only with `keep_unmodeled_xml`), in document order.
    let mut out = Map::with_capacity(found.len());
    for name in shape.members.keys() {
        if let Some(v) = found.shift_remove(name) {
            out.insert(name.clone(), v);
        }
    }
    out.extend(found);
    Ok(out)
}

fn body_structure(
    model: &ServiceModel,
    shape_name: &str,
    shape: &Shape,
    protocol: Protocol,
    body: &[u8],
    reading: Reading,
) -> Result<Map<String, Value>, ProtocolError> {
    if blank(body) {
        return Ok(Map::new());
    }
    // A JSON shape with no member in the body does not read it: whatever is there (a
    // body that is not JSON at all) is not the caller's concern, as in botocore.
    let reads_body = shape.members.values().any(|m| m.location.is_none());
    if protocol != Protocol::RestXml && !reads_body {
        return Ok(Map::new());
    }
    let event_stream = shape
        .members
        .values()
        .any(|m| model.target(m, shape_name).is_ok_and(|s| s.eventstream));
    if event_stream {
        return Ok(Map::new());
    }
    if protocol == Protocol::RestXml {
        let doc = Document::parse(body)?;
        let mut node = doc.root();
        if reading.error_root() && doc.name(node) == "ErrorResponse" {
            node = doc.child(node, "Error").unwrap_or(node);
        }
        // A body that is one bare element named like a member is that member
        // (S3's `<LocationConstraint>us-west-2</LocationConstraint>`).
        if !doc.has_children(node) {
            let bare = shape.members.iter().find(|(name, m)| {
                m.location.is_none()
                    && !m.xml_attribute
                    && m.location_name.as_deref().unwrap_or(name) == doc.name(node)
            });
            if let Some((name, m)) = bare {
                let mut out = Map::new();
                if let Some(v) = reading.shaped(model).member_value(&doc, m, node)? {
                    out.insert(name.clone(), v);
                }
                return Ok(out);
            }
        }
        let m = Member {
            shape: shape_name.to_string(),
            ..Member::default()
        };
        match reading.shaped(model).member_value(&doc, &m, node)? {
            Some(Value::Object(o)) => Ok(o),
            _ => Ok(Map::new()),
        }
    } else {
        json::structure(model, shape_name, shape, json::parse_body(body)?)
    }
}

fn payload_value(
    model: &ServiceModel,
    m: &Member,
    protocol: Protocol,
    body: &[u8],
    reading: Reading,
) -> Result<Option<Value>, ProtocolError> {
    let target = model.target(m, "payload")?;
    if target.eventstream {
        let (events, _) = super::event_stream::events(model, &target, body, protocol)?;
        return Ok(Some(Value::Array(events)));
    }
    if m.streaming || target.streaming {
        return Ok(None);
    }
    if body.is_empty() {
        return Ok(None);
    }
    match target.kind {
        ShapeType::Blob => return Ok(Some(timefmt::blob_to_value(body))),
        ShapeType::String => {
            let text = std::str::from_utf8(body).map_err(|e| {
                ProtocolError::parse(format!("payload is not UTF-8: {e}"), Some(e.valid_up_to()))
            })?;
            return Ok(Some(Value::String(text.to_string())));
        }
        _ => {}
    }
    if blank(body) {
        return Ok(None);
    }
    if protocol == Protocol::RestXml {
        let doc = Document::parse(body)?;
        let mut node = doc.root();
        if reading.error_root() && doc.name(node) == "ErrorResponse" {
            node = doc.child(node, "Error").unwrap_or(node);
        }
        reading.shaped(model).member_value(&doc, m, node)
    } else {
        json::member_value(model, m, json::parse_body(body)?)
    }
}

fn prefix_headers(
    model: &ServiceModel,
    name: &str,
    m: &Member,
    headers: &http::HeaderMap,
) -> Result<Value, ProtocolError> {
    let prefix = m
        .location_name
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let map = model.target(m, name)?;
    let val_shape = match &map.value {
        Some(v) => Some(model.target(v, name)?),
        None => None,
    };
    let mut out = Map::new();
    for hname in headers.keys() {
        let Some(rest) = hname.as_str().strip_prefix(prefix.as_str()) else {
            continue;
        };
        let Some(text) = header(headers, hname.as_str()) else {
            continue;
        };
        let v = match &val_shape {
            Some(s) => text_scalar(s.kind, &text, name)?,
            None => Some(Value::String(text)),
        };
        if let Some(v) = v {
            out.insert(rest.to_string(), v);
        }
    }
    Ok(Value::Object(out))
}

fn header_value(
    model: &ServiceModel,
    name: &str,
    m: &Member,
    text: &str,
) -> Result<Option<Value>, ProtocolError> {
    let shape = model.target(m, name)?;
    match shape.kind {
        ShapeType::List => {
            let Some(item) = &shape.member else {
                return Ok(None);
            };
            let item_shape = model.target(item, name)?;
            let format = item
                .timestamp_format
                .or(item_shape.timestamp_format)
                .or(m.timestamp_format)
                .or(shape.timestamp_format);
            let http_dates = item_shape.kind == ShapeType::Timestamp
                && matches!(format, None | Some(TimestampFormat::Rfc822));
            let mut out = Vec::new();
            for part in split_list(text, http_dates) {
                if let Some(v) = text_scalar(item_shape.kind, &part, name)? {
                    out.push(v);
                }
            }
            Ok(Some(Value::Array(out)))
        }
        ShapeType::String if m.json_value || shape.json_value => {
            let bad = |why: String| ProtocolError::parse(format!("header {name}: {why}"), None);
            let bytes = timefmt::base64_decode(text).ok_or_else(|| bad("not base64".into()))?;
            // A JSON object or array is the value; other content (a media-typed
            // string such as `true`) stays the decoded text.
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(v @ (Value::Object(_) | Value::Array(_))) => Ok(Some(v)),
                _ => match String::from_utf8(bytes) {
                    Ok(text) => Ok(Some(Value::String(text))),
                    Err(e) => Err(bad(format!("not UTF-8: {e}"))),
                },
            }
        }
        kind => text_scalar(kind, text, name),
    }
}

/// Split a list header: commas outside double quotes separate items; a quoted item
/// loses its quotes and backslash escapes. With `http_dates`, the comma after a
/// weekday (`Mon, 16 Dec 2019 ...`) does not split.
fn split_list(text: &str, http_dates: bool) -> Vec<String> {
    let mut raw: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut escaped = false;
    for ch in text.chars() {
        if in_quotes {
            cur.push(ch);
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_quotes = false;
            }
        } else if ch == ',' {
            raw.push(std::mem::take(&mut cur));
        } else {
            if ch == '"' {
                in_quotes = true;
            }
            cur.push(ch);
        }
    }
    raw.push(cur);
    let mut items: Vec<String> = Vec::with_capacity(raw.len());
    let mut pending: Option<String> = None;
    for part in raw {
        let t = part.trim();
        if let Some(day) = pending.take() {
            items.push(format!("{day}, {t}"));
            continue;
        }
        if http_dates && t.len() == 3 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
            pending = Some(t.to_string());
            continue;
        }
        items.push(unquote(t));
    }
    if let Some(day) = pending {
        items.push(day);
    }
    if items.len() == 1 && items[0].is_empty() {
        items.clear();
    }
    items
}

fn unquote(t: &str) -> String {
    match t.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) if t.len() >= 2 => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model(protocol: &str, output: Option<&str>) -> ServiceModel {
        let mut op = json!({"name": "Op", "http": {"method": "GET", "requestUri": "/"}});
        if let Some(o) = output {
            op["output"] = json!({"shape": o});
        }
        let doc = json!({
            "metadata": {"protocol": protocol},
            "operations": {"Op": op},
            "shapes": {
                "Out": {"type": "structure", "members": {
                    "Id": {"shape": "S", "location": "header", "locationName": "x-id"},
                    "Name": {"shape": "S"},
                    "Contents": {"shape": "Objs", "flattened": true},
                    "Owner": {"shape": "Owner"}
                }},
                "Wrapped": {"type": "structure", "payload": "Doc", "members": {
                    "Doc": {"shape": "Owner"}
                }},
                "Objs": {"type": "list", "member": {"shape": "Obj"}},
                "Obj": {"type": "structure", "members": {"Key": {"shape": "S"}}},
                "Owner": {"type": "structure", "members": {"ID": {"shape": "S"}}},
                "S": {"type": "string"}
            }
        });
        ServiceModel::from_string(doc.to_string(), "test").unwrap()
    }

    fn read(
        m: &ServiceModel,
        headers: &[(&'static str, &'static str)],
        body: &[u8],
        keep: bool,
    ) -> Result<Value, ProtocolError> {
        let op = m.operation("Op").unwrap();
        let mut h = http::HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, http::HeaderValue::from_static(v));
        }
        let options = ParseOptions {
            keep_unmodeled_xml: keep,
            ..Default::default()
        };
        let p = crate::protocol(m).unwrap();
        output(m, &op, p, 200, &h, body, &options).map(Value::Object)
    }

    const LISTING: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><IsTruncated>false</IsTruncated>
  <Contents><Key>a</Key><ETag>&quot;e1&quot;</ETag><Size>3</Size></Contents>
  <Contents><Key>b</Key><ETag>&quot;e2&quot;</ETag><Size>4</Size></Contents>
  <Owner><ID>o</ID><DisplayName>me</DisplayName></Owner>
</ListBucketResult>"#;

    #[test]
    fn rest_xml_without_an_output_shape_reads_the_body_generically() {
        let m = model("rest-xml", None);
        assert_eq!(
            read(&m, &[], LISTING, false).unwrap(),
            json!({"Name": "b", "IsTruncated": "false",
                   "Contents": [{"Key": "a", "ETag": "\"e1\"", "Size": "3"},
                                {"Key": "b", "ETag": "\"e2\"", "Size": "4"}],
                   "Owner": {"ID": "o", "DisplayName": "me"}})
        );
        // Empty, blank and non-XML bodies stay `{}`; a bare root is a member by its name.
        for body in [&b""[..], b" \n", b"OK", b"{\"a\": 1}", b"<Done/>"] {
            assert_eq!(read(&m, &[], body, false).unwrap(), json!({}), "{body:?}");
        }
        assert_eq!(
            read(
                &m,
                &[],
                b"\xEF\xBB\xBF<LocationConstraint>eu-west-1</LocationConstraint>",
                false
            )
            .unwrap(),
            json!({"LocationConstraint": "eu-west-1"})
        );
        match read(&m, &[], b"<ListBucketResult><Name>", false) {
            Err(ProtocolError::Parse { .. }) => {}
            other => panic!("{other:?}"),
        }
        // rest-json has no generic reading: its body is not read without a shape.
        let m = model("rest-json", None);
        assert_eq!(read(&m, &[], b"{\"a\": 1}", false).unwrap(), json!({}));
    }

    #[test]
    fn rest_xml_unmodeled_elements_only_when_asked() {
        let m = model("rest-xml", Some("Out"));
        let h = [("x-id", "h1")];
        assert_eq!(
            read(&m, &h, LISTING, false).unwrap(),
            json!({"Id": "h1", "Name": "b", "Contents": [{"Key": "a"}, {"Key": "b"}],
                   "Owner": {"ID": "o"}})
        );
        // Kept at every level, after the modeled members; headers still come first in
        // shape order.
        assert_eq!(
            read(&m, &h, LISTING, true).unwrap(),
            json!({"Id": "h1", "Name": "b",
                   "Contents": [{"Key": "a", "ETag": "\"e1\"", "Size": "3"},
                                {"Key": "b", "ETag": "\"e2\"", "Size": "4"}],
                   "Owner": {"ID": "o", "DisplayName": "me"}, "IsTruncated": "false"})
        );
        // A structure payload keeps its own unmodeled elements.
        let m = model("rest-xml", Some("Wrapped"));
        let body = b"<Owner><ID>o</ID><DisplayName>me</DisplayName></Owner>";
        assert_eq!(
            read(&m, &[], body, true).unwrap(),
            json!({"Doc": {"ID": "o", "DisplayName": "me"}})
        );
        assert_eq!(
            read(&m, &[], body, false).unwrap(),
            json!({"Doc": {"ID": "o"}})
        );
    }

    #[test]
    fn list_headers_split_outside_quotes() {
        assert_eq!(
            split_list(r#""b,c", "\"def\"", a"#, false),
            ["b,c", "\"def\"", "a"]
        );
        assert_eq!(split_list("a, b,c", false), ["a", "b", "c"]);
        assert_eq!(split_list("", false), Vec::<String>::new());
        assert_eq!(
            split_list(r#""unterminated, x"#, false),
            [r#""unterminated, x"#]
        );
        assert_eq!(
            split_list(
                "Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT",
                true
            ),
            [
                "Mon, 16 Dec 2019 23:48:18 GMT",
                "Tue, 17 Dec 2019 23:48:18 GMT"
            ]
        );
    }
}

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
//!   childless element named like a member, as S3's `GetBucketLocation`, is that member).
//!
//! Owns header, status and payload selection. Does not own JSON or XML body rules (see
//! `json`, `xml`) nor finding error codes (see `errors`).

use super::xml::{blank, Shaped};
use super::xml_dom::Document;
use super::{header, json, text_scalar};
use crate::error::ProtocolError;
use crate::timefmt;
use inia_model::{
    Location, Member, Operation, Protocol, ServiceModel, Shape, ShapeType, TimestampFormat,
};
use serde_json::{Map, Value};

/// A rest-json or rest-xml success response as the output value.
pub(crate) fn output(
    model: &ServiceModel,
    op: &Operation,
    protocol: Protocol,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, ProtocolError> {
    let Some(output) = &op.output else {
        return Ok(Map::new());
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
        false,
    )
}

/// The members of `shape` from headers, status and body. `error_root`: the body is an
/// error document (rest-xml: members sit in `<ErrorResponse><Error>` when it is there).
#[allow(clippy::too_many_arguments)]
pub(crate) fn modeled(
    model: &ServiceModel,
    shape_name: &str,
    shape: &Shape,
    protocol: Protocol,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
    error_root: bool,
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
            if let Some(v) = payload_value(model, m, protocol, body, error_root)? {
                found.insert(payload.to_string(), v);
            }
        }
        None => {
            let body_members =
                body_structure(model, shape_name, shape, protocol, body, error_root)?;
            found.extend(body_members);
        }
    }
    // Shape order, whatever the order found.
    let mut out = Map::with_capacity(found.len());
    for name in shape.members.keys() {
        if let Some(v) = found.swap_remove(name) {
            out.insert(name.clone(), v);
        }
    }
    Ok(out)
}

fn body_structure(
    model: &ServiceModel,
    shape_name: &str,
    shape: &Shape,
    protocol: Protocol,
    body: &[u8],
    error_root: bool,
) -> Result<Map<String, Value>, ProtocolError> {
    if blank(body) {
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
        if error_root && doc.name(node) == "ErrorResponse" {
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
                if let Some(v) = Shaped::new(model).member_value(&doc, m, node)? {
                    out.insert(name.clone(), v);
                }
                return Ok(out);
            }
        }
        let m = Member {
            shape: shape_name.to_string(),
            ..Member::default()
        };
        match Shaped::new(model).member_value(&doc, &m, node)? {
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
    error_root: bool,
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
        if error_root && doc.name(node) == "ErrorResponse" {
            node = doc.child(node, "Error").unwrap_or(node);
        }
        Shaped::new(model).member_value(&doc, m, node)
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

//! AWS event streams (`application/vnd.amazon.eventstream`): a body of framed binary
//! messages, each `total length | headers length | prelude CRC | headers | payload |
//! message CRC` (big-endian, CRC-32), headers typed (bool, integers, bytes, string,
//! timestamp, UUID). Events become `{EventName: {member: value}}` items of a list: members
//! marked `eventheader` come from headers, the `eventpayload` member from the payload
//! (raw for blobs and strings, parsed by the protocol for structures), or, with no such
//! member, the payload is the event structure itself. A json `initial-response` event
//! carries the output's other members. An `error` or `exception` message is a service
//! error.
//!
//! Owns decoding a whole event-stream body. Does not own reading it incrementally from a
//! connection (the engine).

use super::{json, xml, xml_dom::Document};
use crate::error::{ProtocolError, ServiceError};
use crate::timefmt;
use inia_model::{Protocol, ServiceModel, Shape, ShapeType};
use serde_json::{Map, Value};

/// One header value.
#[derive(Debug, Clone, PartialEq)]
enum HeaderValue<'a> {
    Bool(bool),
    Int(i64),
    Bytes(&'a [u8]),
    Str(&'a str),
    /// Milliseconds since the epoch.
    Timestamp(i64),
    Uuid(&'a [u8]),
}

/// One decoded message.
#[derive(Debug)]
struct Message<'a> {
    headers: Vec<(&'a str, HeaderValue<'a>)>,
    payload: &'a [u8],
}

impl<'a> Message<'a> {
    fn header_str(&self, name: &str) -> Option<&'a str> {
        self.headers.iter().find_map(|(n, v)| match v {
            HeaderValue::Str(s) if *n == name => Some(*s),
            _ => None,
        })
    }
}

fn bad(msg: &str, at: usize) -> ProtocolError {
    ProtocolError::parse(format!("event stream: {msg}"), Some(at))
}

fn be_u32(b: &[u8], at: usize) -> Result<u32, ProtocolError> {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_be_bytes)
        .ok_or_else(|| bad("truncated", at))
}

/// Split a body into messages, checking both CRCs of each.
fn decode(body: &[u8]) -> Result<Vec<Message<'_>>, ProtocolError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < body.len() {
        let total = be_u32(body, at)? as usize;
        let headers_len = be_u32(body, at + 4)? as usize;
        let prelude_crc = be_u32(body, at + 8)?;
        if total < 16 || headers_len > total - 16 || at + total > body.len() {
            return Err(bad("message length out of range", at));
        }
        if crate::checksum::crc32(&body[at..at + 8]) != prelude_crc {
            return Err(bad("prelude checksum mismatch", at));
        }
        let msg = &body[at..at + total];
        if crate::checksum::crc32(&msg[..total - 4]) != be_u32(msg, total - 4)? {
            return Err(bad("message checksum mismatch", at));
        }
        let headers = decode_headers(&msg[12..12 + headers_len], at + 12)?;
        out.push(Message {
            headers,
            payload: &msg[12 + headers_len..total - 4],
        });
        at += total;
    }
    Ok(out)
}

fn decode_headers(b: &[u8], base: usize) -> Result<Vec<(&str, HeaderValue<'_>)>, ProtocolError> {
    let mut out = Vec::new();
    let mut i = 0;
    let take = |i: &mut usize, n: usize| -> Result<&[u8], ProtocolError> {
        let s = b
            .get(*i..*i + n)
            .ok_or_else(|| bad("truncated header", base + *i))?;
        *i += n;
        Ok(s)
    };
    while i < b.len() {
        let name_len = take(&mut i, 1)?[0] as usize;
        let name = std::str::from_utf8(take(&mut i, name_len)?)
            .map_err(|_| bad("header name is not UTF-8", base + i))?;
        let kind = take(&mut i, 1)?[0];
        let int = |bytes: &[u8]| bytes.iter().fold(0i64, |acc, &x| (acc << 8) | i64::from(x));
        let value = match kind {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => HeaderValue::Int(i64::from(take(&mut i, 1)?[0] as i8)),
            3 => HeaderValue::Int(i64::from(i16::from_be_bytes([
                take(&mut i, 1)?[0],
                take(&mut i, 1)?[0],
            ]))),
            4 => HeaderValue::Int(i64::from(int(take(&mut i, 4)?) as i32)),
            5 | 8 => {
                let v = int(take(&mut i, 8)?);
                if kind == 5 {
                    HeaderValue::Int(v)
                } else {
                    HeaderValue::Timestamp(v)
                }
            }
            6 | 7 => {
                let len = take(&mut i, 2)?;
                let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
                let bytes = take(&mut i, len)?;
                if kind == 6 {
                    HeaderValue::Bytes(bytes)
                } else {
                    HeaderValue::Str(
                        std::str::from_utf8(bytes)
                            .map_err(|_| bad("header value is not UTF-8", base + i))?,
                    )
                }
            }
            9 => HeaderValue::Uuid(take(&mut i, 16)?),
            other => return Err(bad(&format!("unknown header type {other}"), base + i)),
        };
        out.push((name, value));
    }
    Ok(out)
}

fn header_to_value(v: &HeaderValue<'_>, kind: ShapeType) -> Value {
    match v {
        HeaderValue::Bool(b) => Value::Bool(*b),
        HeaderValue::Int(n) => Value::from(*n),
        HeaderValue::Bytes(b) | HeaderValue::Uuid(b) => timefmt::blob_to_value(b),
        HeaderValue::Str(s) if kind == ShapeType::Blob => timefmt::blob_to_value(s.as_bytes()),
        HeaderValue::Str(s) => Value::String((*s).to_string()),
        HeaderValue::Timestamp(ms) => timefmt::from_epoch(*ms as f64 / 1000.0)
            .map_or(Value::Null, |t| Value::String(timefmt::to_value_text(&t))),
    }
}

/// A structure shape from an event payload, by protocol.
fn payload_structure(
    model: &ServiceModel,
    shape_name: &str,
    shape: &Shape,
    payload: &[u8],
    protocol: Protocol,
) -> Result<Map<String, Value>, ProtocolError> {
    if xml::blank(payload) {
        return Ok(Map::new());
    }
    match protocol {
        Protocol::RestXml | Protocol::Query | Protocol::Ec2 => {
            let doc = Document::parse(payload)?;
            xml::Shaped::new(model).structure(&doc, shape_name, doc.root())
        }
        _ => json::structure(model, shape_name, shape, json::parse_body(payload)?),
    }
}

/// The events of a whole event-stream body, shaped by the stream's shape, and the
/// members an `initial-response` event carries.
pub(crate) fn events(
    model: &ServiceModel,
    stream_shape: &Shape,
    body: &[u8],
    protocol: Protocol,
) -> Result<(Vec<Value>, Map<String, Value>), ProtocolError> {
    let mut events = Vec::new();
    let mut initial = Map::new();
    for msg in decode(body)? {
        match msg.header_str(":message-type").unwrap_or("event") {
            "event" => {}
            kind => {
                let code = msg
                    .header_str(":error-code")
                    .or(msg.header_str(":exception-type"))
                    .unwrap_or("EventStreamError")
                    .to_string();
                let message = msg
                    .header_str(":error-message")
                    .map(str::to_string)
                    .unwrap_or_else(|| String::from_utf8_lossy(msg.payload).into_owned());
                let value = serde_json::json!({"Error": {"Code": code, "Message": message}});
                return Err(ProtocolError::Service(Box::new(ServiceError {
                    status: 200,
                    code,
                    message: format!("{kind} in event stream: {message}"),
                    request_id: None,
                    value,
                })));
            }
        }
        let name = msg.header_str(":event-type").unwrap_or("");
        if name == "initial-response" {
            if let Value::Object(o) = json::parse_body(msg.payload)? {
                initial = o;
            }
            continue;
        }
        let Some(member) = stream_shape.members.get(name) else {
            continue; // An event this model does not know: skipped, as botocore does.
        };
        let event_shape = model.target(member, name)?;
        let mut obj = Map::new();
        let mut has_payload_member = false;
        for (mname, m) in &event_shape.members {
            let target = model.target(m, mname)?;
            if m.event_payload {
                has_payload_member = true;
                let v = match target.kind {
                    ShapeType::Blob => Some(timefmt::blob_to_value(msg.payload)),
                    ShapeType::String => Some(Value::String(
                        String::from_utf8_lossy(msg.payload).into_owned(),
                    )),
                    _ => Some(Value::Object(payload_structure(
                        model,
                        &m.shape,
                        &target,
                        msg.payload,
                        protocol,
                    )?)),
                };
                if let Some(v) = v {
                    obj.insert(mname.clone(), v);
                }
            } else if let Some((_, hv)) = msg.headers.iter().find(|(n, _)| n == mname) {
                obj.insert(mname.clone(), header_to_value(hv, target.kind));
            }
        }
        if !has_payload_member {
            for (k, v) in
                payload_structure(model, &member.shape, &event_shape, msg.payload, protocol)?
            {
                obj.entry(k).or_insert(v);
            }
        }
        let mut event = Map::new();
        event.insert(name.to_string(), Value::Object(obj));
        events.push(Value::Object(event));
    }
    Ok((events, initial))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(headers: &[(&str, u8, &[u8])], payload: &[u8]) -> Vec<u8> {
        let mut h = Vec::new();
        for (name, kind, value) in headers {
            h.push(name.len() as u8);
            h.extend_from_slice(name.as_bytes());
            h.push(*kind);
            if *kind == 7 || *kind == 6 {
                h.extend_from_slice(&(value.len() as u16).to_be_bytes());
            }
            h.extend_from_slice(value);
        }
        let total = 16 + h.len() + payload.len();
        let mut m = Vec::new();
        m.extend_from_slice(&(total as u32).to_be_bytes());
        m.extend_from_slice(&(h.len() as u32).to_be_bytes());
        let crc = crate::checksum::crc32(&m);
        m.extend_from_slice(&crc.to_be_bytes());
        m.extend_from_slice(&h);
        m.extend_from_slice(payload);
        let crc = crate::checksum::crc32(&m);
        m.extend_from_slice(&crc.to_be_bytes());
        m
    }

    #[test]
    fn frames_and_checksums() {
        let one = message(
            &[(":event-type", 7, b"A"), ("n", 4, &123i32.to_be_bytes())],
            b"xyz",
        );
        let mut two = one.clone();
        two.extend_from_slice(&one);
        let msgs = decode(&two).unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0].payload, b"xyz");
        assert_eq!(msgs[0].headers[1], ("n", HeaderValue::Int(123)));
        let mut corrupt = one.clone();
        let last = corrupt.len() - 6;
        corrupt[last] ^= 1;
        assert!(decode(&corrupt).is_err());
        for cut in 0..one.len() {
            assert!(decode(&one[..cut]).is_err() || cut == 0, "cut at {cut}");
        }
    }
}

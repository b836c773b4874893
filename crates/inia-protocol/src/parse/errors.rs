//! Error responses (status >= 300) of every protocol, as [`ServiceError`]s.
//!
//! Rules:
//! - a 5xx with an empty or HTML body: the code is the status, the message its reason;
//! - query: `<ErrorResponse><Error><Code>…` with `<RequestId>` beside `<Error>`;
//!   ec2: `<Response><Errors><Error>…` with `<RequestID>`; rest-xml: either of those
//!   forms, or S3's bare `<Error>` (its request id comes from `x-amz-request-id` and
//!   `x-amz-id-2`). `Error` holds every child of the error element (`Code`, `Message`,
//!   `Type`, …). An unreadable XML body falls back to the status code; Azure Storage's
//!   `x-ms-error-code` and `x-ms-request-id` headers fill in a code and request id the
//!   body does not give (HEAD errors have no body);
//! - json and rest-json: the code is the `x-amzn-errortype` header, else the body's
//!   `__type` then `code` / `Code` (rest-json: `code` / `Code` then `__type`), else the
//!   status; anything after `:` and before the last `#` is dropped. The message is the body's `message` / `Message` (the whole
//!   body when it is not JSON). An `x-amzn-query-error: Code;Type` header (awsQuery
//!   compatible services) replaces the code, keeping the original as `QueryErrorCode`;
//! - smithy-rpc-v2-cbor: the code is the CBOR body's `__type` (sanitized as for JSON),
//!   else the status; the message its `message` / `Message`; `x-amzn-query-error` as
//!   for JSON (botocore reads no `x-amzn-errortype` header here). An unreadable body
//!   gives the status code;
//! - when the code names a modeled exception, its members are parsed from the error
//!   body (and headers, for rest protocols) and placed beside `Error`.
//!
//! Owns error codes, messages and the error value. Does not own how members are read
//! (see `xml`, `json`, `rest`).

use super::xml::{blank, Shaped};
use super::xml_dom::{Document, NodeId};
use super::{cbor, header, json, response_metadata, rest};
use crate::error::{ProtocolError, ServiceError};
use inia_model::{Operation, Protocol, ServiceModel};
use serde_json::{Map, Value};

/// The error an error response stands for: almost always [`ProtocolError::Service`].
pub(crate) fn parse(
    model: &ServiceModel,
    op: &Operation,
    protocol: Protocol,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
) -> ProtocolError {
    let generic = status >= 500
        && !headers.contains_key("x-amzn-errortype")
        && !headers.contains_key("x-amzn-query-error")
        && {
            let t = body.trim_ascii();
            t.is_empty() || t.starts_with(b"<html>")
        };
    let (mut error, body_meta, modeled) = if generic {
        (status_error(status), None, Map::new())
    } else {
        match protocol {
            Protocol::Query | Protocol::Ec2 | Protocol::RestXml => {
                xml_error(model, op, protocol, status, headers, body)
            }
            Protocol::Json | Protocol::RestJson => {
                json_error(model, op, protocol, status, headers, body)
            }
            Protocol::RpcV2Cbor => cbor_error(model, op, status, headers, body),
        }
    };
    let code = match error.get("Code").and_then(Value::as_str) {
        Some(c) if !c.is_empty() => c.to_string(),
        _ => {
            let c = status.to_string();
            error.insert("Code".into(), Value::String(c.clone()));
            c
        }
    };
    let message = match error.get("Message") {
        Some(Value::String(s)) => s.clone(),
        _ => {
            error.insert("Message".into(), Value::String(String::new()));
            String::new()
        }
    };
    let meta = response_metadata(body_meta, status, headers);
    let request_id = meta
        .get("RequestId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let mut value = Map::new();
    value.insert("Error".into(), Value::Object(error));
    for (k, v) in modeled {
        if k != "Error" && k != "ResponseMetadata" {
            value.insert(k, v);
        }
    }
    value.insert("ResponseMetadata".into(), Value::Object(meta));
    ProtocolError::Service(Box::new(ServiceError {
        status,
        code,
        message,
        request_id,
        value: Value::Object(value),
    }))
}

type Parts = (
    Map<String, Value>,
    Option<Map<String, Value>>,
    Map<String, Value>,
);

/// `Code` from the status, `Message` its reason phrase.
fn status_error(status: u16) -> Map<String, Value> {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut e = Map::new();
    e.insert("Code".into(), Value::String(status.to_string()));
    e.insert("Message".into(), Value::String(reason.to_string()));
    e
}

/// Element content as a loose value: text for a leaf, else an object of children
/// (repeated names collect into a list).
pub(crate) fn loose(doc: &Document<'_>, node: NodeId) -> Value {
    if !doc.has_children(node) {
        return Value::String(doc.text(node).to_string());
    }
    let mut out = Map::new();
    for c in doc.children(node) {
        let v = loose(doc, c);
        match out.get_mut(doc.name(c)) {
            Some(Value::Array(a)) => a.push(v),
            Some(prev) => {
                let first = prev.take();
                *prev = Value::Array(vec![first, v]);
            }
            None => {
                out.insert(doc.name(c).to_string(), v);
            }
        }
    }
    Value::Object(out)
}

fn xml_error(
    model: &ServiceModel,
    op: &Operation,
    protocol: Protocol,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Parts {
    let doc = if blank(body) {
        None
    } else {
        Document::parse(body).ok()
    };
    let Some(doc) = doc else {
        let mut meta = Map::new();
        if protocol == Protocol::RestXml {
            let h = |n| Value::String(header(headers, n).unwrap_or_default());
            meta.insert("RequestId".into(), h("x-amz-request-id"));
            meta.insert("HostId".into(), h("x-amz-id-2"));
        }
        let mut error = status_error(status);
        azure_headers(protocol, headers, false, &mut error, &mut meta);
        return (error, Some(meta), Map::new());
    };
    let root = doc.root();
    let bare = doc.name(root) == "Error";
    let error_node = if bare {
        Some(root)
    } else {
        doc.child(root, "Error").or_else(|| {
            doc.child(root, "Errors")
                .and_then(|e| doc.child(e, "Error"))
        })
    };
    let mut error = Map::new();
    if let Some(n) = error_node {
        if let Value::Object(o) = loose(&doc, n) {
            error = o;
        }
    }
    let mut meta = Map::new();
    if bare {
        // S3: the ids come from the headers; the body's copies are dropped from Error.
        let from_body = |k: &str, error: &mut Map<String, Value>| {
            error
                .shift_remove(k)
                .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
        };
        let body_id = from_body("RequestId", &mut error);
        let body_host = from_body("HostId", &mut error);
        if let Some(id) = header(headers, "x-amz-request-id") {
            meta.insert("RequestId".into(), Value::String(id));
            let host = header(headers, "x-amz-id-2").unwrap_or_default();
            meta.insert("HostId".into(), Value::String(host));
        } else if let Some(id) = body_id {
            meta.insert("RequestId".into(), id);
            if let Some(h) = body_host {
                meta.insert("HostId".into(), h);
            }
        }
    } else {
        let id = doc
            .child(root, "RequestId")
            .or_else(|| doc.child(root, "RequestID"))
            .or_else(|| doc.child(root, "requestId"));
        if let Some(n) = id {
            meta.insert("RequestId".into(), Value::String(doc.text(n).to_string()));
        }
    }
    azure_headers(protocol, headers, true, &mut error, &mut meta);
    let code = error
        .get("Code")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let modeled = match model.error_shape(op, &code) {
        Ok(Some((name, shape))) => {
            if protocol == Protocol::RestXml {
                rest::modeled(
                    model,
                    &name,
                    &shape,
                    protocol,
                    status,
                    headers,
                    body,
                    rest::Reading::Error,
                )
                .unwrap_or_default()
            } else {
                let node = error_node.unwrap_or(root);
                Shaped::new(model)
                    .structure(&doc, &name, node)
                    .unwrap_or_default()
            }
        }
        _ => Map::new(),
    };
    let meta = (!meta.is_empty()).then_some(meta);
    (error, meta, modeled)
}

/// Azure Storage (rest-xml) also sends the code in `x-ms-error-code`, the only place a
/// HEAD error has it, and the request id in `x-ms-request-id`: they fill in what the body
/// does not give (`code_from_body` false: the code so far is only the status).
fn azure_headers(
    protocol: Protocol,
    headers: &http::HeaderMap,
    code_from_body: bool,
    error: &mut Map<String, Value>,
    meta: &mut Map<String, Value>,
) {
    if protocol != Protocol::RestXml {
        return;
    }
    let empty = |v: Option<&Value>| v.and_then(Value::as_str).is_none_or(str::is_empty);
    if !code_from_body || empty(error.get("Code")) {
        if let Some(code) = header(headers, "x-ms-error-code").filter(|c| !c.is_empty()) {
            error.insert("Code".into(), Value::String(code));
        }
    }
    if empty(meta.get("RequestId")) {
        if let Some(id) = header(headers, "x-ms-request-id") {
            meta.insert("RequestId".into(), Value::String(id));
        }
    }
}

/// Members of the modeled exception named by `error`'s code, when there is one.
fn modeled_members(
    model: &ServiceModel,
    op: &Operation,
    protocol: Protocol,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
    error: &Map<String, Value>,
) -> Map<String, Value> {
    // A query-compatible code may be unknown to the model; the original code is tried next.
    let found = ["Code", "QueryErrorCode"]
        .iter()
        .filter_map(|k| error.get(*k).and_then(Value::as_str))
        .find_map(|code| model.error_shape(op, code).ok().flatten());
    let Some((name, shape)) = found else {
        return Map::new();
    };
    let parsed = match protocol {
        Protocol::RestJson | Protocol::RestXml => rest::modeled(
            model,
            &name,
            &shape,
            protocol,
            status,
            headers,
            body,
            rest::Reading::Error,
        ),
        Protocol::RpcV2Cbor => {
            cbor::parse_body(body).and_then(|i| cbor::structure(model, &name, &shape, i))
        }
        _ => json::parse_body(body).and_then(|v| json::structure(model, &name, &shape, v)),
    };
    parsed.unwrap_or_default()
}

/// Strip a JSON error code to its bare name: drop `:…` and `…#`.
fn sanitize_code(code: &str) -> &str {
    let code = code.split(':').next().unwrap_or(code);
    match code.rfind('#') {
        Some(i) => &code[i + 1..],
        None => code,
    }
}

fn json_error(
    model: &ServiceModel,
    op: &Operation,
    protocol: Protocol,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Parts {
    let parsed: Option<Value> = if blank(body) {
        Some(Value::Object(Map::new()))
    } else {
        serde_json::from_slice(body).ok()
    };
    let obj = match &parsed {
        Some(Value::Object(o)) => Some(o),
        _ => None,
    };
    let field = |k: &str| obj.and_then(|o| o.get(k)).and_then(Value::as_str);
    let message = match obj {
        Some(_) => field("message").or_else(|| field("Message")).unwrap_or(""),
        None => std::str::from_utf8(body).unwrap_or(""),
    }
    .to_string();
    // rest-json prefers the body's `code`; json its `__type` (as botocore).
    let body_code = if protocol == Protocol::RestJson {
        field("code")
            .or_else(|| field("Code"))
            .or_else(|| field("__type"))
    } else {
        field("__type")
            .or_else(|| field("code"))
            .or_else(|| field("Code"))
    };
    let raw_code = header(headers, "x-amzn-errortype")
        .or_else(|| body_code.map(str::to_string))
        .unwrap_or_else(|| status.to_string());
    let code = sanitize_code(&raw_code).to_string();
    let error = code_and_message(code, message, headers);
    let modeled = if parsed.is_some() {
        modeled_members(model, op, protocol, status, headers, body, &error)
    } else {
        Map::new()
    };
    (error, None, modeled)
}

/// `Error` of a JSON or CBOR error: the code and message, with an `x-amzn-query-error:
/// Code;Type` header (awsQuery compatible services) replacing the code, the original kept
/// as `QueryErrorCode`.
fn code_and_message(
    code: String,
    message: String,
    headers: &http::HeaderMap,
) -> Map<String, Value> {
    let mut error = Map::new();
    error.insert("Code".into(), Value::String(code.clone()));
    error.insert("Message".into(), Value::String(message));
    if let Some(q) = header(headers, "x-amzn-query-error") {
        let parts: Vec<&str> = q.split(';').collect();
        if parts.len() == 2 && !parts[0].is_empty() {
            error.insert("Code".into(), Value::String(parts[0].to_string()));
            error.insert("QueryErrorCode".into(), Value::String(code));
            error.insert("Type".into(), Value::String(parts[1].to_string()));
        }
    }
    error
}

/// A smithy-rpc-v2-cbor error (botocore's RpcV2CBORParser): `__type`, else the status.
fn cbor_error(
    model: &ServiceModel,
    op: &Operation,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Parts {
    let parsed = cbor::parse_body(body).ok();
    let field = |k: &str| parsed.as_ref().and_then(|i| cbor::text_field(i, k));
    let message = field("message")
        .or_else(|| field("Message"))
        .unwrap_or("")
        .to_string();
    let code = match field("__type") {
        Some(t) => sanitize_code(t).to_string(),
        None => status.to_string(),
    };
    let error = code_and_message(code, message, headers);
    let modeled = if parsed.is_some() {
        let p = Protocol::RpcV2Cbor;
        modeled_members(model, op, p, status, headers, body, &error)
    } else {
        Map::new()
    };
    (error, None, modeled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_codes_are_sanitized() {
        for (raw, want) in [
            ("FooError", "FooError"),
            ("aws.protocoltests.restjson#FooError", "FooError"),
            (
                "FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
                "FooError",
            ),
            (
                "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/x/",
                "FooError",
            ),
        ] {
            assert_eq!(sanitize_code(raw), want);
        }
    }
}

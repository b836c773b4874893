//! botocore's protocol test vectors (`tests/unit/protocols/**.json`) run through inia.
//!
//! Each file is a list of suites `{description, metadata, shapes, cases}`. A case with
//! `params` is an input case (serialize and compare the request); one with `response`
//! is an output case (parse and compare the value). The comparison rules are botocore's
//! own runner's: JSON bodies compare as values, XML bodies in canonical form, CBOR bodies
//! (base64 in the vectors) as the data they decode to (see `cbor_canon`), expected
//! headers must be present, timestamps compare as epoch seconds. Where inia's value
//! conventions differ from botocore's Python types (blobs are base64 text in a value,
//! timestamps RFC 3339 text), the case is converted at the boundary, walking the shape.

use crate::cbor_canon;
use crate::xml_canon::canonical;
use inia_model::{Member, ServiceModel, ShapeType};
use inia_protocol::{timefmt, HostPrefix, ProtocolError, SerializeOptions};
use serde_json::{Map, Value};
use std::path::Path;

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// `file#id` (or `file#suite:case` when the case has no id).
    pub key: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
}

/// Run every case of one vector file. `rel` is the file's path under `protocols/`.
pub fn run_file(
    path: &Path,
    rel: &str,
    skips: &crate::report::Skips,
) -> Result<Vec<CaseResult>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let suites: Vec<Value> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (si, suite) in suites.iter().enumerate() {
        let cases = suite["cases"].as_array().cloned().unwrap_or_default();
        for (ci, case) in cases.iter().enumerate() {
            let key = match case["id"].as_str() {
                Some(id) => format!("{rel}#{id}"),
                None => format!("{rel}#{si}:{ci}"),
            };
            let outcome = if let Some(reason) = skips.reason(&key) {
                Outcome::Skipped(reason.to_string())
            } else {
                let run = std::panic::catch_unwind(|| run_case(suite, case));
                match run {
                    Ok(Ok(())) => Outcome::Passed,
                    Ok(Err(e)) => Outcome::Failed(e),
                    Err(_) => Outcome::Failed("PANIC".into()),
                }
            };
            out.push(CaseResult { key, outcome });
        }
    }
    Ok(out)
}

fn build_model(
    suite: &Value,
    case: &Value,
    inject_wrapper: bool,
) -> Result<(ServiceModel, String), String> {
    let mut given = case["given"].clone();
    let name = given["name"]
        .as_str()
        .unwrap_or("OperationName")
        .to_string();
    let metadata = suite["metadata"].clone();
    let protocol = metadata["protocol"].as_str().unwrap_or("").to_string();
    if inject_wrapper && protocol == "query" {
        // As botocore's runner: query output vectors carry no resultWrapper.
        let has_members = given["output"]["shape"]
            .as_str()
            .and_then(|s| suite["shapes"][s]["members"].as_object())
            .is_some_and(|m| !m.is_empty());
        if has_members {
            given["output"]["resultWrapper"] = Value::String(format!("{name}Result"));
        }
    }
    let mut ops = Map::new();
    ops.insert(name.clone(), given);
    let doc =
        serde_json::json!({"metadata": metadata, "shapes": suite["shapes"], "operations": ops});
    let model = ServiceModel::from_string(doc.to_string(), "vector").map_err(|e| e.to_string())?;
    Ok((model, name))
}

fn run_case(suite: &Value, case: &Value) -> Result<(), String> {
    if case.get("params").is_some() || case.get("serialized").is_some() {
        run_input(suite, case)
    } else if case.get("response").is_some() {
        run_output(suite, case)
    } else {
        Err("case has neither params nor response".into())
    }
}

fn run_input(suite: &Value, case: &Value) -> Result<(), String> {
    let (model, name) = build_model(suite, case, false)?;
    let op = model.operation(&name).map_err(|e| e.to_string())?;
    let protocol = inia_protocol::protocol(&model).map_err(|e| e.to_string())?;
    let pname = protocol.name();
    let mut params = match case.get("params") {
        Some(p) => p.clone(),
        None => Value::Object(Map::new()),
    };
    if let Some(input) = &op.input {
        params = to_inia_input(&model, input, params)?;
    }
    // The Smithy protocol tests fix the generated idempotency token to this value, and
    // spell a space in a form body %20 (inia's default is botocore's `+`; both are valid).
    let options = SerializeOptions {
        idempotency_token: || "00000000-0000-4000-8000-000000000000".to_string(),
        form_space_as_plus: false,
        ..SerializeOptions::default()
    };
    let req = inia_protocol::serialize_operation_with(&model, &op, &params, &options)
        .map_err(|e| e.to_string())?;
    let expected = &case["serialized"];
    if let Some(m) = expected["method"].as_str() {
        check(req.method().as_str(), m, "method")?;
    }
    // The URI as sent: the endpoint's base path, if any, joined on by the engine.
    let endpoint = case["clientEndpoint"]
        .as_str()
        .or(suite["clientEndpoint"].as_str())
        .unwrap_or("https://example.com");
    let full = inia::endpoint::join(endpoint, &req.uri().to_string());
    let uri = full
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        .unwrap_or_else(|| "/".to_string());
    check(&uri, expected["uri"].as_str().unwrap_or(""), "uri")?;
    if let Some(body) = expected["body"].as_str() {
        let actual = req.body();
        match pname {
            "json" | "rest-json" => {
                let a: Result<Value, _> = serde_json::from_slice(actual);
                let e: Result<Value, _> = serde_json::from_str(body);
                match (a, e) {
                    (Ok(a), Ok(e)) => check_value(&a, &e, "body")?,
                    _ => check(&String::from_utf8_lossy(actual), body, "body")?,
                }
            }
            // As botocore's runner: an empty body compares as bytes, any other as data.
            "smithy-rpc-v2-cbor" if !actual.is_empty() => {
                let want = timefmt::base64_decode(body).ok_or("CBOR body is not base64")?;
                let a = cbor_canon::canonical(actual).map_err(|e| format!("sent CBOR: {e}"))?;
                let e = cbor_canon::canonical(&want).map_err(|e| format!("vector CBOR: {e}"))?;
                check_value(&a, &e, "body (CBOR data)")?
            }
            "rest-xml" => match (canonical(actual), canonical(body.as_bytes())) {
                (Ok(a), Ok(e)) => check(&a, &e, "body (canonical XML)")?,
                _ => check(&String::from_utf8_lossy(actual), body, "body")?,
            },
            _ => check(&String::from_utf8_lossy(actual), body, "body")?,
        }
    }
    let list_headers = list_header_names(&model, &op);
    if let Some(headers) = expected["headers"].as_object() {
        for (h, v) in headers {
            let mut want = v.as_str().unwrap_or("").to_string();
            if h.eq_ignore_ascii_case("content-type") {
                match pname {
                    "query" | "ec2" if !want.contains("charset=utf-8") => {
                        want.push_str("; charset=utf-8")
                    }
                    "rest-xml" => continue,
                    "rest-json" if want != "application/json" => continue,
                    _ => {}
                }
            }
            let got: Vec<&str> = req
                .headers()
                .get_all(h.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            if got.is_empty() {
                return Err(format!(
                    "header {h} missing (want {want:?}); request headers: {:?}",
                    req.headers()
                ));
            }
            let mut got = got.join(", ");
            if list_headers.iter().any(|l| l.eq_ignore_ascii_case(h)) {
                want = want.replace(", ", ",");
                got = got.replace(", ", ",");
            }
            check(&got, &want, &format!("header {h}"))?;
        }
    }
    for h in expected["forbidHeaders"].as_array().into_iter().flatten() {
        let h = h.as_str().unwrap_or("");
        if req.headers().contains_key(h) {
            return Err(format!("forbidden header {h} present"));
        }
    }
    if let Some(host) = expected["host"].as_str() {
        let endpoint = case["clientEndpoint"]
            .as_str()
            .or(suite["clientEndpoint"].as_str())
            .unwrap_or("");
        let prefix = req
            .extensions()
            .get::<HostPrefix>()
            .map(|p| p.0.clone())
            .unwrap_or_default();
        let rest = endpoint
            .split("://")
            .nth(1)
            .unwrap_or(endpoint)
            .trim_end_matches('/');
        let netloc = rest.split('/').next().unwrap_or("");
        let actual = if host.contains('/') {
            format!("{prefix}{rest}")
        } else {
            format!("{prefix}{netloc}")
        };
        check(&actual, host, "host")?;
    }
    Ok(())
}

fn list_header_names(model: &ServiceModel, op: &inia_model::Operation) -> Vec<String> {
    let mut out = Vec::new();
    let Some(input) = &op.input else { return out };
    let Ok(shape) = model.target(input, "input") else {
        return out;
    };
    for (name, m) in &shape.members {
        if m.location == Some(inia_model::Location::Header) {
            if let Ok(t) = model.target(m, name) {
                if t.kind == ShapeType::List {
                    out.push(m.location_name.clone().unwrap_or_else(|| name.clone()));
                }
            }
        }
    }
    out
}

fn run_output(suite: &Value, case: &Value) -> Result<(), String> {
    let (model, name) = build_model(suite, case, true)?;
    let op = model.operation(&name).map_err(|e| e.to_string())?;
    let protocol = inia_protocol::protocol(&model).map_err(|e| e.to_string())?;
    let resp = &case["response"];
    let status = resp["status_code"].as_u64().unwrap_or(200) as u16;
    let mut headers = http::HeaderMap::new();
    for (k, v) in resp["headers"].as_object().into_iter().flatten() {
        let name = http::HeaderName::from_bytes(k.as_bytes()).map_err(|e| e.to_string())?;
        let value =
            http::HeaderValue::from_str(v.as_str().unwrap_or("")).map_err(|e| e.to_string())?;
        headers.append(name, value);
    }
    // Event-stream and CBOR bodies are binary; the vectors carry them base64-encoded.
    let event_stream = op.output.as_ref().is_some_and(|o| {
        model.target(o, "output").is_ok_and(|s| {
            s.members
                .iter()
                .any(|(n, m)| model.target(m, n).is_ok_and(|t| t.eventstream))
        })
    });
    let body: Vec<u8> = match resp["body"].as_str() {
        Some(b) if event_stream || protocol.name() == "smithy-rpc-v2-cbor" => {
            timefmt::base64_decode(b).ok_or("binary body is not base64")?
        }
        Some(b) => b.as_bytes().to_vec(),
        None if protocol.name() == "query" => b"<xml/>".to_vec(),
        None => Vec::new(),
    };
    let result = inia_protocol::parse(&model, &op, status, &headers, &body);
    if case.get("error").is_some() {
        let err = match result {
            Err(ProtocolError::Service(e)) => e,
            Err(other) => return Err(format!("expected a service error, got {other}")),
            Ok(v) => return Err(format!("expected a service error, got success {v}")),
        };
        let mut actual = err.value.clone();
        if let Some(obj) = actual.as_object_mut() {
            obj.shift_remove("ResponseMetadata");
            if let Some(Value::Object(e)) = obj.get_mut("Error") {
                e.retain(|k, _| k == "Code" || k == "Message");
            }
        }
        // Convert modeled error members to botocore's test forms.
        let code = case["errorCode"].as_str().unwrap_or("");
        if let Ok(Some((_, shape))) = model.error_shape(&op, code) {
            if let Some(obj) = actual.as_object_mut() {
                for (mname, m) in &shape.members {
                    if let Some(v) = obj.get(mname).cloned() {
                        obj.insert(mname.clone(), to_botocore_output(&model, m, v)?);
                    }
                }
            }
        }
        // A vector that names no errorMessage asserts nothing about the message (botocore's
        // runner would expect "" there, and so skips ComplexError, whose body says "Hi").
        let mut expected = serde_json::json!({"Error": {
            "Code": case["errorCode"].as_str().unwrap_or(""),
            "Message": case["errorMessage"].as_str().unwrap_or(""),
        }});
        if case.get("errorMessage").is_none() {
            for v in [&mut actual, &mut expected] {
                if let Some(Value::Object(e)) = v.get_mut("Error") {
                    e.shift_remove("Message");
                }
            }
        }
        for (k, v) in case["error"].as_object().into_iter().flatten() {
            expected[k] = v.clone();
        }
        check_value(&actual, &expected, "error")?;
        check(&err.code, code, "error code")?;
        return Ok(());
    }
    let mut value = result.map_err(|e| e.to_string())?;
    if let Some(obj) = value.as_object_mut() {
        obj.shift_remove("ResponseMetadata");
    }
    let value = match &op.output {
        Some(out) => to_botocore_output(&model, out, value)?,
        None => value,
    };
    check_value(&value, &case["result"], "result")
}

/// Params as botocore's vectors give them, in inia's value form: blob members given as
/// text become base64.
fn to_inia_input(model: &ServiceModel, member: &Member, v: Value) -> Result<Value, String> {
    let shape = model.target(member, "params").map_err(|e| e.to_string())?;
    Ok(match (shape.kind, v) {
        (ShapeType::Blob, Value::String(s)) => timefmt::blob_to_value(s.as_bytes()),
        (ShapeType::Structure, Value::Object(o)) => {
            let mut out = Map::new();
            for (k, v) in o {
                let v = match shape.members.get(&k) {
                    Some(m) if !shape.document => to_inia_input(model, m, v)?,
                    _ => v,
                };
                out.insert(k, v);
            }
            Value::Object(out)
        }
        (ShapeType::List, Value::Array(a)) => {
            let m = shape.member.clone().ok_or("list without member")?;
            Value::Array(
                a.into_iter()
                    .map(|x| to_inia_input(model, &m, x))
                    .collect::<Result<_, _>>()?,
            )
        }
        (ShapeType::Map, Value::Object(o)) => {
            let m = shape.value.clone().ok_or("map without value")?;
            let mut out = Map::new();
            for (k, v) in o {
                out.insert(k, to_inia_input(model, &m, v)?);
            }
            Value::Object(out)
        }
        (_, v) => v,
    })
}

/// An inia output value in botocore's test form: timestamps as epoch seconds, blobs as
/// their text.
fn to_botocore_output(model: &ServiceModel, member: &Member, v: Value) -> Result<Value, String> {
    let shape = model.target(member, "output").map_err(|e| e.to_string())?;
    Ok(match (shape.kind, v) {
        (ShapeType::Timestamp, Value::String(s)) => match timefmt::parse_text(&s) {
            Some(t) => {
                Value::from(t.timestamp() as f64 + f64::from(t.timestamp_subsec_micros()) / 1e6)
            }
            None => Value::String(s),
        },
        (ShapeType::Blob, Value::String(s)) => match timefmt::base64_decode(&s) {
            Some(b) => Value::String(String::from_utf8_lossy(&b).into_owned()),
            None => Value::String(s),
        },
        (ShapeType::Structure, Value::Array(events)) if shape.eventstream => {
            let mut out = Vec::new();
            for event in events {
                let Value::Object(e) = event else { continue };
                let mut converted = Map::new();
                for (name, v) in e {
                    let v = match shape.members.get(&name) {
                        Some(m) => to_botocore_output(model, m, v)?,
                        None => v,
                    };
                    converted.insert(name, v);
                }
                out.push(Value::Object(converted));
            }
            Value::Array(out)
        }
        (ShapeType::Structure, Value::Object(o)) if !shape.document => {
            let mut out = Map::new();
            for (k, v) in o {
                let v = match shape.members.get(&k) {
                    Some(m) => to_botocore_output(model, m, v)?,
                    None => v,
                };
                out.insert(k, v);
            }
            Value::Object(out)
        }
        (ShapeType::List, Value::Array(a)) => {
            let m = shape.member.clone().ok_or("list without member")?;
            Value::Array(
                a.into_iter()
                    .map(|x| to_botocore_output(model, &m, x))
                    .collect::<Result<_, _>>()?,
            )
        }
        (ShapeType::Map, Value::Object(o)) => {
            let m = shape.value.clone().ok_or("map without value")?;
            let mut out = Map::new();
            for (k, v) in o {
                out.insert(k, to_botocore_output(model, &m, v)?);
            }
            Value::Object(out)
        }
        (_, v) => v,
    })
}

fn check(actual: &str, expected: &str, what: &str) -> Result<(), String> {
    if actual == expected {
        Ok(())
    } else {
        Err(format!(
            "{what}:\n  actual:   {actual:?}\n  expected: {expected:?}"
        ))
    }
}

/// Equality as Python's `==` on parsed JSON: numbers compare by value, objects ignore order.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() < 1e-9 * x.abs().max(1.0),
            _ => x == y,
        },
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| values_equal(v, w))
        }
        _ => a == b,
    }
}

fn check_value(actual: &Value, expected: &Value, what: &str) -> Result<(), String> {
    if values_equal(actual, expected) {
        Ok(())
    } else {
        Err(format!(
            "{what}:\n  actual:   {actual}\n  expected: {expected}"
        ))
    }
}

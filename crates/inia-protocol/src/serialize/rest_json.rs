//! The `rest-json` serializer: HTTP bindings from `rest`, then the body.
//!
//! Body rules: with a `payload` member, a blob or string payload is the raw body (empty
//! when absent, no Content-Type added); a structure, union or document payload is its
//! JSON (absent: `{}`, or nothing for a union). Without one, the members that have no
//! location form a JSON object, sent as `{}` when the input has such members but none is
//! set; an input whose members all have locations sends no body. `Content-Type:
//! application/json` is added to JSON bodies unless a header member already set it.
//!
//! Owns those rules. Does not own the JSON value rules (see `json`) or the HTTP bindings
//! (see `rest`).

use super::{json, rest};
use crate::error::ProtocolError;
use crate::member::MemberRef;
use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue};
use inia_model::{Operation, ServiceModel, ShapeType};
use serde_json::Value;

pub(super) fn serialize(
    model: &ServiceModel,
    op: &Operation,
    params: &Value,
) -> Result<http::Request<Bytes>, ProtocolError> {
    let input = super::input(model, op)?;
    let params = super::prepare(params)?;
    let host = super::host_prefix(op, &params)?;
    let Some(input) = input else {
        let uri = &op.http.request_uri;
        return super::build(&op.http.method, uri, HeaderMap::new(), Bytes::new(), host);
    };
    let bound = rest::bind(model, op, &input, &params)?;
    let mut headers = bound.headers;
    let root = super::Path::Root;
    let (body, is_json) = match input.payload() {
        Some(payload) => {
            let m = input.shape.members.get(payload).ok_or_else(|| {
                ProtocolError::Unsupported(format!(
                    "{}: payload member {payload} does not exist",
                    input.shape_name()
                ))
            })?;
            let pm = MemberRef::resolve(model, m, input.shape_name())?;
            let value = params.get(payload).filter(|v| !v.is_null());
            let path = root.key(payload);
            match (pm.kind(), value) {
                (ShapeType::Blob | ShapeType::String, _) => {
                    (raw_payload(&pm, value, &path)?, false)
                }
                (_, Some(v)) => (json::to_bytes(&json::value(model, &pm, v, &path)?), true),
                (_, None) if pm.shape.union => (Bytes::new(), false),
                (_, None) => (Bytes::from_static(b"{}"), true),
            }
        }
        None => {
            let has_body_members = input.shape.members.values().any(|m| m.location.is_none());
            if has_body_members {
                let fields = bound.body.iter().map(|(k, v)| (*k, *v));
                let v = json::structure(model, &input.shape, input.shape_name(), fields, &root)?;
                (json::to_bytes(&v), true)
            } else {
                (Bytes::new(), false)
            }
        }
    };
    if is_json && !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    super::build(&op.http.method, &bound.uri, headers, body, host)
}

/// The body of a blob or string payload: the blob's bytes or the string's text.
pub(crate) fn raw_payload(
    m: &MemberRef<'_>,
    value: Option<&Value>,
    path: &super::Path<'_>,
) -> Result<Bytes, ProtocolError> {
    let Some(v) = value else {
        return Ok(Bytes::new());
    };
    if m.kind() == ShapeType::Blob {
        return Ok(Bytes::from(super::blob(v, path)?));
    }
    match v {
        Value::String(s) => Ok(Bytes::from(s.clone().into_bytes())),
        other => Err(path.error(format!("expected a string, got {}", super::kind_of(other)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model() -> ServiceModel {
        let doc = json!({
            "metadata": {"protocol": "rest-json"},
            "operations": {
                "Put": {"name": "Put", "http": {"method": "PUT", "requestUri": "/{Bucket}/{Key+}"},
                        "input": {"shape": "PutIn"}},
                "Cfg": {"name": "Cfg", "http": {"method": "POST", "requestUri": "/cfg?x=1"},
                        "input": {"shape": "CfgIn"}}
            },
            "shapes": {
                "PutIn": {"type": "structure", "payload": "Body", "members": {
                    "Bucket": {"shape": "S", "location": "uri", "locationName": "Bucket"},
                    "Key": {"shape": "S", "location": "uri", "locationName": "Key"},
                    "Meta": {"shape": "M", "location": "headers", "locationName": "x-amz-meta-"},
                    "Body": {"shape": "B", "streaming": true}
                }},
                "CfgIn": {"type": "structure", "members": {
                    "Q": {"shape": "L", "location": "querystring", "locationName": "q"},
                    "When": {"shape": "T", "location": "header", "locationName": "X-When"},
                    "Value": {"shape": "S"}
                }},
                "S": {"type": "string"}, "B": {"type": "blob"}, "T": {"type": "timestamp"},
                "L": {"type": "list", "member": {"shape": "S"}},
                "M": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}}
            }
        });
        ServiceModel::from_string(doc.to_string(), "t").unwrap()
    }

    #[test]
    fn streaming_payload_is_the_body() {
        let m = model();
        let op = m.operation("Put").unwrap();
        let p =
            json!({"Bucket": "b", "Key": "dir/a b.txt", "Body": "aGVsbG8=", "Meta": {"k": "v"}});
        let req = serialize(&m, &op, &p).unwrap();
        assert_eq!(req.uri(), "/b/dir/a%20b.txt");
        assert_eq!(req.body().as_ref(), b"hello");
        assert_eq!(req.headers()["x-amz-meta-k"], "v");
        assert!(!req.headers().contains_key(CONTENT_TYPE));
    }

    #[test]
    fn query_headers_and_json_body() {
        let m = model();
        let op = m.operation("Cfg").unwrap();
        let p = json!({"Q": ["a", "b"], "When": 1422172800, "Value": "v"});
        let req = serialize(&m, &op, &p).unwrap();
        assert_eq!(req.uri(), "/cfg?x=1&q=a&q=b");
        assert_eq!(req.headers()["x-when"], "Sun, 25 Jan 2015 08:00:00 GMT");
        assert_eq!(req.body().as_ref(), br#"{"Value":"v"}"#);
        assert_eq!(req.headers()[CONTENT_TYPE], "application/json");
        let req = serialize(&m, &op, &json!({})).unwrap();
        assert_eq!(req.body().as_ref(), b"{}");
    }
}

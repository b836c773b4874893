//! The `json` serializer (JSON 1.0 and 1.1: `X-Amz-Target: prefix.Op`, a JSON body, `{}`
//! when there is no input) and the JSON body writer `rest_json` reuses.
//!
//! Body rules: members keyed by `locationName`, else their own name, in the order the
//! params give them; nulls left out of structures; blobs base64; timestamps epoch seconds
//! unless the member says otherwise; floats as numbers or `"NaN"`, `"Infinity"`,
//! `"-Infinity"`; documents copied as they are.
//!
//! Owns those rules and the `json` protocol's headers. Does not own the REST bindings
//! (see `rest`, `rest_json`).

use super::{as_array, as_object, kind_of, Path};
use crate::error::ProtocolError;
use crate::member::MemberRef;
use crate::timefmt;
use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName, HeaderValue};
use inia_model::{Operation, ServiceModel, Shape, ShapeType, TimestampFormat};
use serde_json::{Map, Value};

pub(super) fn serialize(
    model: &ServiceModel,
    op: &Operation,
    params: &Value,
) -> Result<http::Request<Bytes>, ProtocolError> {
    let input = super::input(model, op)?;
    let params = super::prepare(params)?;
    let meta = model.metadata();
    let mut headers = HeaderMap::new();
    if let Some(prefix) = &meta.target_prefix {
        let target = format!("{prefix}.{}", op.name);
        let path = Path::Root;
        headers.insert(
            HeaderName::from_static("x-amz-target"),
            super::header_value(&target, &path)?,
        );
    }
    let version = meta.json_version.as_deref().unwrap_or("1.0");
    let content_type = format!("application/x-amz-json-{version}");
    headers.insert(
        CONTENT_TYPE,
        super::header_value(&content_type, &Path::Root)?,
    );
    if meta.is_query_compatible() {
        headers.insert(
            HeaderName::from_static("x-amzn-query-mode"),
            HeaderValue::from_static("true"),
        );
    }
    let body = match &input {
        Some(input) => structure(
            model,
            &input.shape,
            input.shape_name(),
            params.iter(),
            &Path::Root,
        )?,
        None => Value::Object(Map::new()),
    };
    let host = super::host_prefix(op, &params)?;
    super::build(&op.http.method, "/", headers, to_bytes(&body), host)
}

/// A JSON value as body bytes.
pub(crate) fn to_bytes(v: &Value) -> Bytes {
    Bytes::from(v.to_string())
}

/// A structure's JSON object from `(member name, value)` pairs.
pub(crate) fn structure<'v>(
    model: &ServiceModel,
    shape: &Shape,
    shape_name: &str,
    fields: impl Iterator<Item = (&'v String, &'v Value)>,
    path: &Path<'_>,
) -> Result<Value, ProtocolError> {
    let mut out = Map::new();
    for (key, v) in fields {
        if v.is_null() {
            continue;
        }
        let path = path.key(key);
        let m = shape
            .members
            .get(key)
            .ok_or_else(|| path.error(format!("unknown member of {shape_name}")))?;
        let mref = MemberRef::resolve(model, m, shape_name)?;
        let name = mref.location_name().unwrap_or(key).to_string();
        out.insert(name, value(model, &mref, v, &path)?);
    }
    Ok(Value::Object(out))
}

/// The JSON form of one value of member `m`.
pub(crate) fn value(
    model: &ServiceModel,
    m: &MemberRef<'_>,
    v: &Value,
    path: &Path<'_>,
) -> Result<Value, ProtocolError> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(match m.kind() {
        ShapeType::Structure if m.shape.document => v.clone(),
        ShapeType::Structure => {
            let obj = as_object(v, path)?;
            structure(model, &m.shape, m.shape_name(), obj.iter(), path)?
        }
        ShapeType::List => {
            let item = m.shape.member.as_ref().ok_or_else(|| {
                ProtocolError::Unsupported(format!("list shape {} has no member", m.shape_name()))
            })?;
            let item = MemberRef::resolve(model, item, m.shape_name())?;
            let items = as_array(v, path)?;
            let mut out = Vec::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                out.push(value(model, &item, x, &path.index(i))?);
            }
            Value::Array(out)
        }
        ShapeType::Map => {
            let val = m.shape.value.as_ref().ok_or_else(|| {
                ProtocolError::Unsupported(format!("map shape {} has no value", m.shape_name()))
            })?;
            let val = MemberRef::resolve(model, val, m.shape_name())?;
            let obj = as_object(v, path)?;
            let mut out = Map::new();
            for (k, x) in obj {
                out.insert(k.clone(), value(model, &val, x, &path.key(k))?);
            }
            Value::Object(out)
        }
        ShapeType::Timestamp => {
            let t = super::timestamp(v, path)?;
            let format = m
                .timestamp_format()
                .unwrap_or(TimestampFormat::UnixTimestamp);
            timefmt::to_wire(&t, format).to_json()
        }
        ShapeType::Blob => Value::String(timefmt::base64_encode(&super::blob(v, path)?)),
        ShapeType::Float | ShapeType::Double => match v {
            Value::Number(_) => v.clone(),
            _ => Value::String(super::float_text(v, path)?),
        },
        ShapeType::Boolean => match v {
            Value::Bool(_) => v.clone(),
            other => return Err(path.error(format!("expected a boolean, got {}", kind_of(other)))),
        },
        _ => v.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn body_headers_and_no_input() {
        let doc = json!({
            "metadata": {"protocol": "json", "jsonVersion": "1.1", "targetPrefix": "Svc",
                         "awsQueryCompatible": {}},
            "operations": {
                "Op": {"name": "Op", "input": {"shape": "In"}},
                "Bare": {"name": "Bare"}
            },
            "shapes": {
                "In": {"type": "structure", "members": {
                    "B": {"shape": "Blob"}, "T": {"shape": "Time"}, "F": {"shape": "F"},
                    "N": {"shape": "F", "locationName": "renamed"}
                }},
                "Blob": {"type": "blob"}, "Time": {"type": "timestamp"}, "F": {"type": "double"}
            }
        });
        let m = ServiceModel::from_string(doc.to_string(), "t").unwrap();
        let op = m.operation("Op").unwrap();
        let p = json!({"B": "Zm9v", "X": 1});
        let e = serialize(&m, &op, &p).unwrap_err();
        assert!(e.to_string().contains("X"), "{e}");
        let p = json!({"B": "Zm9v", "T": 1.5, "F": "NaN", "N": 2.5});
        let req = serialize(&m, &op, &p).unwrap();
        let body: Value = serde_json::from_slice(req.body()).unwrap();
        assert_eq!(
            body,
            json!({"B": "Zm9v", "T": 1.5, "F": "NaN", "renamed": 2.5})
        );
        assert_eq!(req.headers()["x-amz-target"], "Svc.Op");
        assert_eq!(req.headers()["content-type"], "application/x-amz-json-1.1");
        assert_eq!(req.headers()["x-amzn-query-mode"], "true");
        let bare = m.operation("Bare").unwrap();
        let req = serialize(&m, &bare, &Value::Null).unwrap();
        assert_eq!(req.body().as_ref(), b"{}");
    }
}

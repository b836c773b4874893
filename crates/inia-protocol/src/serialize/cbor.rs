//! The `smithy-rpc-v2-cbor` serializer, as botocore's RpcV2CBORSerializer: `POST
//! /service/{ServiceName}/operation/{OperationName}`, where ServiceName is the model's
//! `metadata.targetPrefix` (botocore's source for it; Smithy's service shape name, which a
//! botocore model carries nowhere else), headers `smithy-protocol: rpc-v2-cbor`, `Accept:
//! application/cbor`, `Content-Type: application/cbor` only when there is a body, and
//! `x-amzn-query-mode: true` for awsQuery-compatible services. An operation with no input
//! sends no body; one with an input sends a CBOR map, even an empty one.
//!
//! Body rules (definite lengths throughout; the protocol accepts both):
//! - a structure is a map keyed by the member's `locationName`, else its name, in the
//!   order the params give; nulls are left out;
//! - lists are arrays and maps are maps (text keys); a null item or value is CBOR null;
//! - timestamps are tag 1 over epoch seconds: an integer, or a 64-bit float when there
//!   is a fraction (the member's `timestampFormat` does not apply);
//! - blobs are byte strings; `float` members 32-bit floats, `double` 64-bit; `NaN`,
//!   `Infinity` and `-Infinity` are written as 16-bit floats, as botocore writes them;
//! - integers take the shortest CBOR head; documents are written as their JSON form.
//!
//! Owns those rules and the protocol's URI and headers. Does not own the shared helpers
//! (scalars, paths, idempotency tokens, `finish`: see `serialize`) nor event streams,
//! which no AWS CBOR model has.

use super::{as_array, as_object, kind_of, Path};
use crate::error::ProtocolError;
use crate::member::MemberRef;
use crate::timefmt::{self, WireTime};
use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue};
use inia_model::{Operation, ServiceModel, Shape, ShapeType, TimestampFormat};
use minicbor::data::Tag;
use minicbor::Encoder;
use serde_json::Value;

pub(super) fn serialize(
    model: &ServiceModel,
    op: &Operation,
    params: &Value,
) -> Result<http::Request<Bytes>, ProtocolError> {
    let input = super::input(model, op)?;
    let params = super::prepare(params)?;
    let meta = model.metadata();
    let service = meta.target_prefix.as_deref().ok_or_else(|| {
        ProtocolError::Unsupported(format!(
            "{}: smithy-rpc-v2-cbor names the service by metadata.targetPrefix, which the model lacks",
            model.origin()
        ))
    })?;
    let uri = format!(
        "/service/{}/operation/{}",
        super::encode(service),
        super::encode(&op.name)
    );
    let body = match &input {
        Some(input) => {
            let mut w = Writer::new(model);
            w.structure(&input.shape, input.shape_name(), params.iter(), &Path::Root)?;
            w.e.into_writer()
        }
        None => Vec::new(),
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        HeaderName::from_static("smithy-protocol"),
        HeaderValue::from_static("rpc-v2-cbor"),
    );
    headers.insert(ACCEPT, HeaderValue::from_static("application/cbor"));
    if !body.is_empty() {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/cbor"));
    }
    if meta.is_query_compatible() {
        headers.insert(
            HeaderName::from_static("x-amzn-query-mode"),
            HeaderValue::from_static("true"),
        );
    }
    let host = super::host_prefix(op, &params)?;
    super::build("POST", &uri, headers, Bytes::from(body), host)
}

/// A CBOR error while writing into memory (none is expected: `Vec` writes cannot fail).
fn write_error<E: std::fmt::Display>(e: E) -> ProtocolError {
    ProtocolError::Unsupported(format!("writing CBOR: {e}"))
}

/// The special floats as botocore writes them: 16-bit, with these bits.
fn special_float(f: f64) -> Option<[u8; 3]> {
    if f.is_nan() {
        Some([0xf9, 0x7e, 0x00])
    } else if f == f64::INFINITY {
        Some([0xf9, 0x7c, 0x00])
    } else if f == f64::NEG_INFINITY {
        Some([0xf9, 0xfc, 0x00])
    } else {
        None
    }
}

/// A float member's number: a JSON number, or `NaN`, `Infinity`, `-Infinity` as text.
fn float_of(v: &Value, path: &Path<'_>) -> Result<f64, ProtocolError> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| path.error("not a finite number")),
        Value::String(s) => match s.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => Err(path.error(format!(
                "expected a number or \"NaN\", \"Infinity\", \"-Infinity\", got {s:?}"
            ))),
        },
        other => Err(path.error(format!("expected a number, got {}", kind_of(other)))),
    }
}

struct Writer<'m> {
    model: &'m ServiceModel,
    e: Encoder<Vec<u8>>,
}

impl<'m> Writer<'m> {
    fn new(model: &'m ServiceModel) -> Self {
        Writer {
            model,
            e: Encoder::new(Vec::new()),
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.e.writer_mut().extend_from_slice(bytes);
    }

    /// A structure's map from `(member name, value)` pairs; nulls are left out.
    fn structure<'v>(
        &mut self,
        shape: &Shape,
        shape_name: &str,
        fields: impl Iterator<Item = (&'v String, &'v Value)> + Clone,
        path: &Path<'_>,
    ) -> Result<(), ProtocolError> {
        let count = fields.clone().filter(|(_, v)| !v.is_null()).count();
        self.e.map(count as u64).map_err(write_error)?;
        for (key, v) in fields {
            if v.is_null() {
                continue;
            }
            let path = path.key(key);
            let m = shape
                .members
                .get(key)
                .ok_or_else(|| path.error(format!("unknown member of {shape_name}")))?;
            let mref = MemberRef::resolve(self.model, m, shape_name)?;
            let name = mref.location_name().unwrap_or(key);
            self.e.str(name).map_err(write_error)?;
            self.value(&mref, v, &path)?;
        }
        Ok(())
    }

    /// One value of member `m`; null is CBOR null (a sparse list's or map's).
    fn value(
        &mut self,
        m: &MemberRef<'_>,
        v: &Value,
        path: &Path<'_>,
    ) -> Result<(), ProtocolError> {
        if v.is_null() {
            self.e.null().map_err(write_error)?;
            return Ok(());
        }
        match m.kind() {
            ShapeType::Structure if m.shape.document => self.document(v)?,
            ShapeType::Structure => {
                let obj = as_object(v, path)?;
                self.structure(&m.shape, m.shape_name(), obj.iter(), path)?;
            }
            ShapeType::List => {
                let item = m.shape.member.as_ref().ok_or_else(|| {
                    ProtocolError::Unsupported(format!(
                        "list shape {} has no member",
                        m.shape_name()
                    ))
                })?;
                let item = MemberRef::resolve(self.model, item, m.shape_name())?;
                let items = as_array(v, path)?;
                self.e.array(items.len() as u64).map_err(write_error)?;
                for (i, x) in items.iter().enumerate() {
                    self.value(&item, x, &path.index(i))?;
                }
            }
            ShapeType::Map => {
                let val = m.shape.value.as_ref().ok_or_else(|| {
                    ProtocolError::Unsupported(format!("map shape {} has no value", m.shape_name()))
                })?;
                let val = MemberRef::resolve(self.model, val, m.shape_name())?;
                let obj = as_object(v, path)?;
                self.e.map(obj.len() as u64).map_err(write_error)?;
                for (k, x) in obj {
                    self.e.str(k).map_err(write_error)?;
                    self.value(&val, x, &path.key(k))?;
                }
            }
            ShapeType::Timestamp => {
                let t = super::timestamp(v, path)?;
                self.e.tag(Tag::new(1)).map_err(write_error)?;
                match timefmt::to_wire(&t, TimestampFormat::UnixTimestamp) {
                    WireTime::Int(i) => self.e.i64(i).map_err(write_error)?,
                    WireTime::Float(f) => self.e.f64(f).map_err(write_error)?,
                    WireTime::Text(s) => self.e.str(&s).map_err(write_error)?,
                };
            }
            ShapeType::Blob => {
                self.e.bytes(&super::blob(v, path)?).map_err(write_error)?;
            }
            ShapeType::Float | ShapeType::Double | ShapeType::BigDecimal => {
                let f = float_of(v, path)?;
                match special_float(f) {
                    Some(bytes) => self.raw(&bytes),
                    None if m.kind() == ShapeType::Float => {
                        let narrow = f as f32;
                        if narrow.is_infinite() {
                            return Err(path.error(format!("{f} is out of a float's range")));
                        }
                        self.e.f32(narrow).map_err(write_error)?;
                    }
                    None => {
                        self.e.f64(f).map_err(write_error)?;
                    }
                }
            }
            ShapeType::Boolean => match v {
                Value::Bool(b) => {
                    self.e.bool(*b).map_err(write_error)?;
                }
                other => {
                    return Err(path.error(format!("expected a boolean, got {}", kind_of(other))))
                }
            },
            ShapeType::Integer
            | ShapeType::Long
            | ShapeType::Short
            | ShapeType::Byte
            | ShapeType::BigInteger => self.integer(v, path)?,
            ShapeType::String | ShapeType::Character => {
                let text = super::plain_text(v, path)?;
                self.e.str(&text).map_err(write_error)?;
            }
        }
        Ok(())
    }

    /// An integer member: a JSON integer, or a float with no fraction.
    fn integer(&mut self, v: &Value, path: &Path<'_>) -> Result<(), ProtocolError> {
        let Value::Number(n) = v else {
            return Err(path.error(format!("expected an integer, got {}", kind_of(v))));
        };
        if let Some(i) = n.as_i64() {
            self.e.i64(i).map_err(write_error)?;
        } else if let Some(u) = n.as_u64() {
            self.e.u64(u).map_err(write_error)?;
        } else {
            match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => {
                    self.e.i64(f as i64).map_err(write_error)?;
                }
                _ => return Err(path.error(format!("expected an integer, got {n}"))),
            }
        }
        Ok(())
    }

    /// A document: its JSON form as CBOR (objects as maps, numbers as integers or 64-bit
    /// floats).
    fn document(&mut self, v: &Value) -> Result<(), ProtocolError> {
        match v {
            Value::Null => self.e.null().map_err(write_error)?,
            Value::Bool(b) => self.e.bool(*b).map_err(write_error)?,
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => self.e.i64(i).map_err(write_error)?,
                (_, Some(u), _) => self.e.u64(u).map_err(write_error)?,
                (_, _, f) => self.e.f64(f.unwrap_or(f64::NAN)).map_err(write_error)?,
            },
            Value::String(s) => self.e.str(s).map_err(write_error)?,
            Value::Array(a) => {
                self.e.array(a.len() as u64).map_err(write_error)?;
                for x in a {
                    self.document(x)?;
                }
                return Ok(());
            }
            Value::Object(o) => {
                self.e.map(o.len() as u64).map_err(write_error)?;
                for (k, x) in o {
                    self.e.str(k).map_err(write_error)?;
                    self.document(x)?;
                }
                return Ok(());
            }
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model(metadata: Value) -> ServiceModel {
        let doc = json!({
            "metadata": metadata,
            "operations": {
                "Op": {"name": "Op", "http": {"method": "GET", "requestUri": "/x"},
                       "input": {"shape": "In"}},
                "Bare": {"name": "Bare"}
            },
            "shapes": {
                "In": {"type": "structure", "members": {
                    "B": {"shape": "Blob"}, "T": {"shape": "Time"}, "F": {"shape": "F"},
                    "D": {"shape": "D"}, "L": {"shape": "L"}, "I": {"shape": "I"},
                    "N": {"shape": "D", "locationName": "renamed"}
                }},
                "Blob": {"type": "blob"}, "Time": {"type": "timestamp"},
                "F": {"type": "float"}, "D": {"type": "double"}, "I": {"type": "long"},
                "L": {"type": "list", "member": {"shape": "I"}}
            }
        });
        ServiceModel::from_string(doc.to_string(), "t").unwrap()
    }

    #[test]
    fn body_uri_and_headers() {
        let meta = json!({"protocol": "smithy-rpc-v2-cbor", "targetPrefix": "Svc",
                          "awsQueryCompatible": {}});
        let m = model(meta);
        let op = m.operation("Op").unwrap();
        let p = json!({"B": "aGk=", "T": 1.5, "F": "NaN", "D": 0.5, "L": [1, null],
                       "I": -3, "N": "Infinity", "X": null});
        let req = serialize(&m, &op, &p).unwrap();
        assert_eq!(req.method(), "POST");
        assert_eq!(req.uri(), "/service/Svc/operation/Op");
        let mut want = vec![0xa7, 0x61, b'B', 0x42, b'h', b'i', 0x61, b'T', 0xc1, 0xfb];
        want.extend(1.5f64.to_be_bytes());
        want.extend([0x61, b'F', 0xf9, 0x7e, 0x00, 0x61, b'D', 0xfb]);
        want.extend(0.5f64.to_be_bytes());
        want.extend([0x61, b'L', 0x82, 0x01, 0xf6, 0x61, b'I', 0x22]);
        want.extend([
            0x67, b'r', b'e', b'n', b'a', b'm', b'e', b'd', 0xf9, 0x7c, 0x00,
        ]);
        assert_eq!(req.body().as_ref(), want.as_slice());
        let h = req.headers();
        assert_eq!(h["smithy-protocol"], "rpc-v2-cbor");
        assert_eq!(h["accept"], "application/cbor");
        assert_eq!(h["content-type"], "application/cbor");
        assert_eq!(h["x-amzn-query-mode"], "true");
        let e = serialize(&m, &op, &json!({"I": 1.5})).unwrap_err();
        assert!(e.to_string().contains("I"), "{e}");
        let bare = m.operation("Bare").unwrap();
        let req = serialize(&m, &bare, &Value::Null).unwrap();
        assert!(req.body().is_empty());
        assert!(!req.headers().contains_key("content-type"));
        assert!(serialize(&m, &op, &json!({"F": 1e300})).is_err());
        let req = serialize(&m, &op, &json!({"F": 7.625})).unwrap();
        assert_eq!(req.body().as_ref(), b"\xa1\x61F\xfa\x40\xf4\x00\x00");
    }

    #[test]
    fn a_model_without_target_prefix_is_refused() {
        let m = model(json!({"protocol": "smithy-rpc-v2-cbor"}));
        let op = m.operation("Op").unwrap();
        let e = serialize(&m, &op, &json!({})).unwrap_err();
        assert!(e.to_string().contains("targetPrefix"), "{e}");
    }
}

//! Shaped JSON: a json (1.0/1.1) or rest-json body read as a value by walking the
//! model's shapes.
//!
//! Rules:
//! - a structure member is the key named by its `locationName` (else its name); keys the
//!   shape does not describe are ignored; `null` members are omitted; members carried
//!   in headers or the status code are skipped;
//! - a document shape's value is kept as it is;
//! - a union naming one member unknown to the model becomes
//!   `{"SDK_UNKNOWN_MEMBER": {"name": tag}}` (`__type` is ignored);
//! - `null` list items are kept; `null` map values are kept only in `sparse` maps;
//! - blobs are base64 on the wire and in the value (re-encoded, so checked); timestamps
//!   are epoch seconds or date text; floats may be `NaN`, `Infinity`, `-Infinity`;
//!   numbers and booleans given as text are converted.
//!
//! Owns JSON bodies. Does not own HTTP headers or payload selection (see `rest`) nor
//! error codes (see `errors`).

use super::{float_value, parse_float, parse_integer};
use crate::error::ProtocolError;
use crate::timefmt;
use inia_model::{Member, Operation, Protocol, ServiceModel, Shape, ShapeType};
use serde_json::{Map, Value};

/// Parse a JSON body; an empty body is `{}`. Malformed JSON is a parse error with the
/// byte offset.
pub(crate) fn parse_body(body: &[u8]) -> Result<Value, ProtocolError> {
    if super::xml::blank(body) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body).map_err(|e| {
        ProtocolError::parse(
            format!("invalid JSON: {e}"),
            Some(offset_of(body, e.line(), e.column())),
        )
    })
}

/// The byte offset of a 1-based line and column.
fn offset_of(body: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match body[start..].iter().position(|&b| b == b'\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(body.len())
}

/// A json-protocol success body as the output value.
pub(crate) fn json_output(
    model: &ServiceModel,
    op: &Operation,
    body: &[u8],
) -> Result<Map<String, Value>, ProtocolError> {
    let Some(output) = &op.output else {
        return Ok(Map::new());
    };
    let shape = model.target(output, &op.name)?;
    if let Some((name, m)) = shape
        .members
        .iter()
        .find(|(_, m)| is_event_stream(model)(m))
    {
        // The body is an event stream; its initial-response event carries the rest.
        let stream = model.target(m, name)?;
        let (events, initial) = super::event_stream::events(model, &stream, body, Protocol::Json)?;
        let mut out = structure(model, &output.shape, &shape, Value::Object(initial))?;
        out.insert(name.clone(), Value::Array(events));
        return Ok(out);
    }
    structure(model, &output.shape, &shape, parse_body(body)?)
}

fn is_event_stream(model: &ServiceModel) -> impl Fn(&Member) -> bool + '_ {
    move |m| model.target(m, "output").is_ok_and(|s| s.eventstream)
}

/// A structure's members read from a parsed JSON value (an object; anything else gives
/// an empty structure).
pub(crate) fn structure(
    model: &ServiceModel,
    shape_name: &str,
    shape: &Shape,
    v: Value,
) -> Result<Map<String, Value>, ProtocolError> {
    match value(model, shape_name, shape, v)? {
        Some(Value::Object(o)) => Ok(o),
        _ => Ok(Map::new()),
    }
}

/// The value of a member given by reference (a rest-json payload).
pub(crate) fn member_value(
    model: &ServiceModel,
    member: &Member,
    v: Value,
) -> Result<Option<Value>, ProtocolError> {
    let shape = model.target(member, "payload")?;
    value(model, &member.shape, &shape, v)
}

fn mismatch(shape_name: &str, kind: ShapeType, v: &Value) -> ProtocolError {
    let mut shown = v.to_string();
    if shown.len() > 40 {
        let mut cut = 40;
        while !shown.is_char_boundary(cut) {
            cut -= 1;
        }
        shown.truncate(cut);
    }
    ProtocolError::parse(
        format!("{shape_name}: {shown} is not a valid {kind:?}"),
        None,
    )
}

fn value(
    model: &ServiceModel,
    shape_name: &str,
    shape: &Shape,
    v: Value,
) -> Result<Option<Value>, ProtocolError> {
    if v.is_null() {
        return Ok(None);
    }
    let kind = shape.kind;
    Ok(Some(match (kind, v) {
        (ShapeType::Structure, v) if shape.document => v,
        (ShapeType::Structure, Value::Object(mut o)) => {
            if shape.union {
                if let Some(tag) = unknown_union_member(shape, &o) {
                    let mut name = Map::new();
                    name.insert("name".into(), Value::String(tag));
                    let mut out = Map::new();
                    out.insert("SDK_UNKNOWN_MEMBER".into(), Value::Object(name));
                    return Ok(Some(Value::Object(out)));
                }
            }
            let mut out = Map::new();
            for (name, m) in &shape.members {
                let key = m.location_name.as_deref().unwrap_or(name);
                let Some(raw) = o.swap_remove(key) else {
                    continue;
                };
                let target = model.target(m, name)?;
                if super::http_location(m, &target).is_some() {
                    continue;
                }
                if let Some(v) = value(model, &m.shape, &target, raw)? {
                    out.insert(name.clone(), v);
                }
            }
            Value::Object(out)
        }
        (ShapeType::List, Value::Array(items)) => {
            let item = shape.member.as_ref().ok_or_else(|| {
                ProtocolError::Unsupported(format!("list {shape_name} has no member"))
            })?;
            let item_shape = model.target(item, shape_name)?;
            let mut out = Vec::with_capacity(items.len());
            for x in items {
                out.push(value(model, &item.shape, &item_shape, x)?.unwrap_or(Value::Null));
            }
            Value::Array(out)
        }
        (ShapeType::Map, Value::Object(o)) => {
            let val = shape.value.as_ref().ok_or_else(|| {
                ProtocolError::Unsupported(format!("map {shape_name} has no value"))
            })?;
            let val_shape = model.target(val, shape_name)?;
            let mut out = Map::new();
            for (k, x) in o {
                match value(model, &val.shape, &val_shape, x)? {
                    Some(v) => {
                        out.insert(k, v);
                    }
                    None if shape.sparse => {
                        out.insert(k, Value::Null);
                    }
                    None => {}
                }
            }
            Value::Object(out)
        }
        (ShapeType::Blob, Value::String(s)) => match timefmt::base64_decode(&s) {
            Some(b) => timefmt::blob_to_value(&b),
            None => return Err(mismatch(shape_name, kind, &Value::String(s))),
        },
        (ShapeType::Timestamp, v @ (Value::Number(_) | Value::String(_)))
            if timefmt::keep_wire() =>
        {
            v
        }
        (ShapeType::Timestamp, v) => {
            let t = match &v {
                Value::Number(n) => n.as_f64().and_then(timefmt::from_epoch),
                Value::String(s) => timefmt::parse_text(s),
                _ => None,
            };
            match t {
                Some(t) => Value::String(timefmt::to_value_text(&t)),
                None => return Err(mismatch(shape_name, kind, &v)),
            }
        }
        (ShapeType::Float | ShapeType::Double | ShapeType::BigDecimal, Value::String(s)) => {
            match parse_float(&s) {
                Some(f) => float_value(f),
                None => return Err(mismatch(shape_name, kind, &Value::String(s))),
            }
        }
        (
            ShapeType::Integer
            | ShapeType::Long
            | ShapeType::Short
            | ShapeType::Byte
            | ShapeType::BigInteger,
            Value::String(s),
        ) => match parse_integer(&s) {
            Some(v) => v,
            None => return Err(mismatch(shape_name, kind, &Value::String(s))),
        },
        (ShapeType::Boolean, Value::String(s)) => Value::Bool(s.eq_ignore_ascii_case("true")),
        (ShapeType::Boolean, Value::Bool(b)) => Value::Bool(b),
        (
            ShapeType::Structure
            | ShapeType::List
            | ShapeType::Map
            | ShapeType::Blob
            | ShapeType::Boolean,
            v,
        ) => return Err(mismatch(shape_name, kind, &v)),
        (_, v) => v,
    }))
}

/// For a union: the one member set, when the model does not know it.
fn unknown_union_member(shape: &Shape, o: &Map<String, Value>) -> Option<String> {
    let mut set = o.iter().filter(|(k, v)| *k != "__type" && !v.is_null());
    let (tag, _) = set.next()?;
    if set.next().is_some() {
        return None;
    }
    let known = shape
        .members
        .iter()
        .any(|(name, m)| m.location_name.as_deref().unwrap_or(name) == tag);
    (!known).then(|| tag.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model(shapes: Value) -> ServiceModel {
        let doc = json!({
            "metadata": {"protocol": "json"},
            "operations": {"Op": {"name": "Op", "output": {"shape": "Out"}}},
            "shapes": shapes,
        });
        ServiceModel::from_string(doc.to_string(), "test").unwrap()
    }

    fn out(m: &ServiceModel, body: &str) -> Result<Value, ProtocolError> {
        let op = m.operation("Op").unwrap();
        json_output(m, &op, body.as_bytes()).map(Value::Object)
    }

    #[test]
    fn types_nulls_and_sparse_maps() {
        let m = model(json!({
            "Out": {"type": "structure", "members": {
                "B": {"shape": "Blob"}, "T": {"shape": "Ts"}, "F": {"shape": "F"},
                "Dense": {"shape": "DM"}, "Sparse": {"shape": "SM"}, "L": {"shape": "L"},
                "Renamed": {"shape": "S", "locationName": "r"}, "Doc": {"shape": "D"},
                "Gone": {"shape": "S"}
            }},
            "Blob": {"type": "blob"}, "Ts": {"type": "timestamp"}, "F": {"type": "float"},
            "S": {"type": "string"}, "D": {"type": "structure", "members": {}, "document": true},
            "DM": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
            "SM": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}, "sparse": true},
            "L": {"type": "list", "member": {"shape": "S"}}
        }));
        let v = out(
            &m,
            r#"{"B": "dmFsdWU=", "T": 1422172800.5, "F": "NaN", "Dense": {"a": null, "b": "x"},
                "Sparse": {"a": null}, "L": ["a", null], "r": "y", "Doc": {"any": [1]},
                "Gone": null, "Extra": 1}"#,
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"B": "dmFsdWU=", "T": "2015-01-25T08:00:00.5Z", "F": "NaN",
                   "Dense": {"b": "x"}, "Sparse": {"a": null}, "L": ["a", null],
                   "Renamed": "y", "Doc": {"any": [1]}})
        );
    }

    #[test]
    fn garbage_is_a_parse_error_with_offset() {
        let m = model(
            json!({"Out": {"type": "structure", "members": {"B": {"shape": "Blob"}}},
                             "Blob": {"type": "blob"}}),
        );
        for (body, at) in [("{\n \"B\": tru", 10), ("{\"B\": x}", 6)] {
            match out(&m, body) {
                Err(ProtocolError::Parse { offset, .. }) => assert_eq!(offset, Some(at), "{body}"),
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            out(&m, r#"{"B": "%%%"}"#),
            Err(ProtocolError::Parse { .. })
        ));
        assert!(matches!(
            out(&m, r#"{"B": 7}"#),
            Err(ProtocolError::Parse { .. })
        ));
        // Deep nesting is refused by serde_json's own recursion limit.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(out(&m, &deep), Err(ProtocolError::Parse { .. })));
    }

    #[test]
    fn unknown_union_member() {
        let m = model(json!({
            "Out": {"type": "structure", "members": {"U": {"shape": "U"}}},
            "U": {"type": "structure", "union": true, "members": {"A": {"shape": "S"}}},
            "S": {"type": "string"}
        }));
        let v = out(&m, r#"{"U": {"__type": "x", "Z": 1}}"#).unwrap();
        assert_eq!(v, json!({"U": {"SDK_UNKNOWN_MEMBER": {"name": "Z"}}}));
    }
}

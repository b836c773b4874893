//! Shaped CBOR: a `smithy-rpc-v2-cbor` body read as a value by walking the model's
//! shapes, giving the value `json` gives for the same data (botocore's RpcV2CBORParser,
//! in inia's value conventions).
//!
//! Rules:
//! - an empty body is an empty structure; otherwise the body is one CBOR item (see
//!   `crate::cbor` for what is refused);
//! - a structure member is the map key spelled as the member's name (botocore's rule;
//!   rpcv2Cbor renames nothing), else its `locationName`; keys the shape does not
//!   describe are ignored, whatever they hold; `null` and `undefined` members are omitted;
//! - a union naming one member unknown to the model becomes
//!   `{"SDK_UNKNOWN_MEMBER": {"name": tag}}` (`__type` is ignored);
//! - `null` list items are kept; `null` map values are kept only in `sparse` maps;
//! - blobs are byte strings on the wire and base64 in the value; timestamps are tag 1
//!   epoch seconds (integer or float; untagged numbers and date text are accepted too)
//!   and RFC 3339 text in the value; floats of any width are widened, `NaN` and the
//!   infinities become `"NaN"`, `"Infinity"`, `"-Infinity"`; integers may arrive in any
//!   width; numbers and booleans given as text are converted, as for JSON;
//! - a document shape's value is the item in its loose form (`crate::cbor::loose_value`).
//!
//! Owns CBOR bodies of successes and modeled errors. Does not own decoding bytes (see
//! `crate::cbor`) nor error codes (see `errors`). Event-stream outputs are not spoken
//! over CBOR yet (no AWS model has one).

use super::{float_value, parse_float, parse_integer};
use crate::cbor::{self, int_value, key_text, loose_value, Item};
use crate::error::ProtocolError;
use crate::timefmt;
use inia_model::{Operation, ServiceModel, Shape, ShapeType};
use serde_json::{Map, Value};

/// Decode a body; an empty one is an empty map.
pub(crate) fn parse_body(body: &[u8]) -> Result<Item, ProtocolError> {
    if body.is_empty() {
        return Ok(Item::Map(Vec::new()));
    }
    cbor::decode(body)
}

/// A success body as the output value.
pub(crate) fn output(
    model: &ServiceModel,
    op: &Operation,
    body: &[u8],
) -> Result<Map<String, Value>, ProtocolError> {
    let Some(output) = &op.output else {
        return Ok(Map::new());
    };
    let shape = model.target(output, &op.name)?;
    let streams = shape
        .members
        .iter()
        .any(|(name, m)| model.target(m, name).is_ok_and(|s| s.eventstream));
    if streams {
        return Err(ProtocolError::Unsupported(format!(
            "{}: an event-stream output over smithy-rpc-v2-cbor",
            op.name
        )));
    }
    structure(model, &output.shape, &shape, parse_body(body)?)
}

/// A structure's members read from an item (a map; anything else is a mismatch).
pub(crate) fn structure(
    model: &ServiceModel,
    shape_name: &str,
    shape: &Shape,
    item: Item,
) -> Result<Map<String, Value>, ProtocolError> {
    match value(model, shape_name, shape, item)? {
        Some(Value::Object(o)) => Ok(o),
        _ => Ok(Map::new()),
    }
}

/// The text under `key` of a map item, if it is text.
pub(crate) fn text_field<'i>(item: &'i Item, key: &str) -> Option<&'i str> {
    let Item::Map(entries) = item else {
        return None;
    };
    entries.iter().find_map(|(k, v)| match (k, v) {
        (Item::Text(k), Item::Text(v)) if k == key => Some(v.as_str()),
        _ => None,
    })
}

fn mismatch(shape_name: &str, kind: ShapeType, item: &Item) -> ProtocolError {
    let mut shown = loose_value(item).to_string();
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
    item: Item,
) -> Result<Option<Value>, ProtocolError> {
    let kind = shape.kind;
    Ok(Some(match (kind, item) {
        (_, Item::Null | Item::Undefined) => return Ok(None),
        (ShapeType::Structure, item) if shape.document => loose_value(&item),
        (ShapeType::Structure, Item::Map(entries)) => {
            return structure_value(model, shape, entries).map(Some)
        }
        (ShapeType::List, Item::Array(items)) => {
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
        (ShapeType::Map, Item::Map(entries)) => {
            let val = shape.value.as_ref().ok_or_else(|| {
                ProtocolError::Unsupported(format!("map {shape_name} has no value"))
            })?;
            let val_shape = model.target(val, shape_name)?;
            let mut out = Map::new();
            for (k, x) in entries {
                match value(model, &val.shape, &val_shape, x)? {
                    Some(v) => {
                        out.insert(key_text(&k), v);
                    }
                    None if shape.sparse => {
                        out.insert(key_text(&k), Value::Null);
                    }
                    None => {}
                }
            }
            Value::Object(out)
        }
        (ShapeType::Blob, Item::Bytes(b)) => timefmt::blob_to_value(&b),
        (ShapeType::Timestamp, item) => {
            let wire = timefmt::keep_wire();
            let v = match &item {
                Item::Tag(1, inner) if wire => epoch_number(inner),
                Item::Int(_) | Item::Float(_) if wire => epoch_number(&item),
                Item::Text(s) if wire => Some(Value::String(s.clone())),
                Item::Tag(1, inner) => cbor::epoch(inner),
                Item::Int(_) | Item::Float(_) => cbor::epoch(&item),
                Item::Text(s) => timefmt::wire_to_value(s),
                _ => None,
            };
            match v {
                Some(v) => v,
                None => return Err(mismatch(shape_name, kind, &item)),
            }
        }
        (ShapeType::Float | ShapeType::Double | ShapeType::BigDecimal, item) => match item {
            Item::Float(f) => float_value(f),
            Item::Int(i) => int_value(i),
            Item::Text(s) => match parse_float(&s) {
                Some(f) => float_value(f),
                None => return Err(mismatch(shape_name, kind, &Item::Text(s))),
            },
            other => return Err(mismatch(shape_name, kind, &other)),
        },
        (
            ShapeType::Integer
            | ShapeType::Long
            | ShapeType::Short
            | ShapeType::Byte
            | ShapeType::BigInteger,
            item,
        ) => match item {
            Item::Int(i) => int_value(i),
            Item::Float(f) => float_value(f),
            Item::Text(s) => match parse_integer(&s) {
                Some(v) => v,
                None => return Err(mismatch(shape_name, kind, &Item::Text(s))),
            },
            other => return Err(mismatch(shape_name, kind, &other)),
        },
        (ShapeType::Boolean, Item::Bool(b)) => Value::Bool(b),
        (ShapeType::Boolean, Item::Text(s)) => Value::Bool(s.eq_ignore_ascii_case("true")),
        (
            ShapeType::Structure
            | ShapeType::List
            | ShapeType::Map
            | ShapeType::Blob
            | ShapeType::Boolean,
            item,
        ) => return Err(mismatch(shape_name, kind, &item)),
        (ShapeType::String | ShapeType::Character, item) => loose_value(&item),
    }))
}

/// A structure (or union) from its map's entries.
fn structure_value(
    model: &ServiceModel,
    shape: &Shape,
    entries: Vec<(Item, Item)>,
) -> Result<Value, ProtocolError> {
    let mut fields: Vec<(String, Item)> = entries
        .into_iter()
        .filter_map(|(k, v)| match k {
            Item::Text(k) => Some((k, v)),
            _ => None,
        })
        .collect();
    if shape.union {
        if let Some(tag) = unknown_union_member(shape, &fields) {
            let mut name = Map::new();
            name.insert("name".into(), Value::String(tag));
            let mut out = Map::new();
            out.insert("SDK_UNKNOWN_MEMBER".into(), Value::Object(name));
            return Ok(Value::Object(out));
        }
    }
    let mut out = Map::new();
    for (name, m) in &shape.members {
        let found = fields.iter().position(|(k, _)| k == name).or_else(|| {
            let alias = m.location_name.as_deref()?;
            fields.iter().position(|(k, _)| k == alias)
        });
        let Some(i) = found else {
            continue;
        };
        let (_, raw) = fields.swap_remove(i);
        let target = model.target(m, name)?;
        if let Some(v) = value(model, &m.shape, &target, raw)? {
            out.insert(name.clone(), v);
        }
    }
    Ok(Value::Object(out))
}

/// For a union: the one member set, when the model does not know it.
fn unknown_union_member(shape: &Shape, fields: &[(String, Item)]) -> Option<String> {
    let mut set = fields
        .iter()
        .filter(|(k, v)| k != "__type" && !matches!(v, Item::Null | Item::Undefined));
    let (tag, _) = set.next()?;
    if set.next().is_some() {
        return None;
    }
    let known = shape
        .members
        .iter()
        .any(|(name, m)| name == tag || m.location_name.as_deref() == Some(tag.as_str()));
    (!known).then(|| tag.clone())
}

/// An epoch number as the server sent it (wire timestamps); `None` for anything else.
fn epoch_number(item: &Item) -> Option<Value> {
    match item {
        Item::Int(i) => Some(int_value(*i)),
        Item::Float(f) => Some(float_value(*f)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model(shapes: Value) -> ServiceModel {
        let doc = json!({
            "metadata": {"protocol": "smithy-rpc-v2-cbor", "targetPrefix": "Svc"},
            "operations": {"Op": {"name": "Op", "output": {"shape": "Out"}}},
            "shapes": shapes,
        });
        ServiceModel::from_string(doc.to_string(), "test").unwrap()
    }

    fn out(m: &ServiceModel, body: &[u8]) -> Result<Value, ProtocolError> {
        let op = m.operation("Op").unwrap();
        output(m, &op, body).map(Value::Object)
    }

    fn text(s: &str) -> Vec<u8> {
        let mut b = vec![0x60 | s.len() as u8];
        b.extend_from_slice(s.as_bytes());
        b
    }

    #[test]
    fn types_nulls_and_sparse_maps() {
        let m = model(json!({
            "Out": {"type": "structure", "members": {
                "B": {"shape": "Blob"}, "T": {"shape": "Ts"}, "F": {"shape": "F"},
                "Dense": {"shape": "DM"}, "Sparse": {"shape": "SM"}, "L": {"shape": "L"},
                "I": {"shape": "I"}, "Gone": {"shape": "S"}
            }},
            "Blob": {"type": "blob"}, "Ts": {"type": "timestamp"}, "F": {"type": "float"},
            "S": {"type": "string"}, "I": {"type": "long"},
            "DM": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
            "SM": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}, "sparse": true},
            "L": {"type": "list", "member": {"shape": "S"}}
        }));
        let mut body = vec![0xbf];
        body.extend(text("B"));
        body.extend([0x42, b'h', b'i']);
        body.extend(text("T"));
        body.extend([0xc1, 0xfb, 0x41, 0xd5, 0x31, 0x28, 0xa0, 0x20, 0x00, 0x00]);
        body.extend(text("F"));
        body.extend([0xf9, 0x7e, 0x00]);
        body.extend(text("Dense"));
        body.extend([0xa2, 0x61, b'a', 0xf6, 0x61, b'b', 0x61, b'x']);
        body.extend(text("Sparse"));
        body.extend([0xa1, 0x61, b'a', 0xf7]);
        body.extend(text("L"));
        body.extend([0x82, 0x61, b'a', 0xf6]);
        body.extend(text("I"));
        body.extend([0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
        body.extend(text("Gone"));
        body.push(0xf6);
        body.extend(text("Extra"));
        body.extend([0xc2, 0x41, 0x01]);
        body.push(0xff);
        assert_eq!(
            out(&m, &body).unwrap(),
            json!({"B": "aGk=", "T": "2015-01-25T08:00:00.5Z", "F": "NaN",
                   "Dense": {"b": "x"}, "Sparse": {"a": null}, "L": ["a", null],
                   "I": -18446744073709551615.0})
        );
        assert_eq!(out(&m, b"").unwrap(), json!({}));
    }

    #[test]
    fn mismatches_are_parse_errors() {
        let m = model(json!({
            "Out": {"type": "structure", "members": {"B": {"shape": "Blob"}}},
            "Blob": {"type": "blob"}
        }));
        let mut body = vec![0xa1];
        body.extend(text("B"));
        body.push(0x07);
        assert!(matches!(out(&m, &body), Err(ProtocolError::Parse { .. })));
        assert!(matches!(out(&m, &[0x07]), Err(ProtocolError::Parse { .. })));
    }

    #[test]
    fn unknown_union_member() {
        let m = model(json!({
            "Out": {"type": "structure", "members": {"U": {"shape": "U"}}},
            "U": {"type": "structure", "union": true, "members": {"A": {"shape": "S"}}},
            "S": {"type": "string"}
        }));
        let mut body = vec![0xa1];
        body.extend(text("U"));
        body.push(0xa2);
        body.extend(text("__type"));
        body.extend(text("x"));
        body.extend(text("Z"));
        body.push(0x01);
        assert_eq!(
            out(&m, &body).unwrap(),
            json!({"U": {"SDK_UNKNOWN_MEMBER": {"name": "Z"}}})
        );
    }
}

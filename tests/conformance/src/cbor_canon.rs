//! CBOR bodies in a comparable form, for the `smithy-rpc-v2-cbor` vectors: a request body
//! may use definite or indefinite lengths and any float width, so bodies compare as the
//! data they hold, as botocore's runner compares them (both decoded, special floats as
//! text).
//!
//! The form is a JSON value: integers and finite floats as numbers (so `1` equals `1.0`
//! and a 32-bit `7.625` a 64-bit one), `NaN` / `Infinity` / `-Infinity` as text, text as
//! text, byte strings as `{"$bytes": "<hex>"}`, tags as `{"$tag": n, "value": v}`, maps
//! as objects (non-text keys in their JSON form), `null` and `undefined` as null.
//!
//! Decoded with `minicbor` directly, not with inia's decoder, so a bug there cannot hide
//! a bug in inia's encoder. Owns that form; does not own the comparison (see
//! `protocol_vectors::values_equal`).

use minicbor::data::Type;
use minicbor::Decoder;
use serde_json::{Map, Value};

/// The comparable form of a body holding one CBOR item.
pub fn canonical(body: &[u8]) -> Result<Value, String> {
    let mut d = Decoder::new(body);
    let v = item(&mut d, 0)?;
    if d.position() != body.len() {
        return Err(format!("bytes after the item at {}", d.position()));
    }
    Ok(v)
}

fn float(f: f64) -> Value {
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or_else(|| {
            Value::String(
                if f.is_nan() {
                    "NaN"
                } else if f > 0.0 {
                    "Infinity"
                } else {
                    "-Infinity"
                }
                .into(),
            )
        })
}

fn item(d: &mut Decoder<'_>, depth: usize) -> Result<Value, String> {
    if depth > 64 {
        return Err("nested too deep".into());
    }
    let e = |e: minicbor::decode::Error| e.to_string();
    Ok(match d.datatype().map_err(e)? {
        Type::Bool => Value::Bool(d.bool().map_err(e)?),
        Type::Null | Type::Undefined => {
            d.skip().map_err(e)?;
            Value::Null
        }
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => Value::from(d.u64().map_err(e)?),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 => Value::from(d.i64().map_err(e)?),
        Type::Int => float(i128::from(d.int().map_err(e)?) as f64),
        Type::F16 | Type::F32 | Type::F64 => float(d.f64().map_err(e)?),
        Type::Bytes | Type::BytesIndef => {
            let mut hex = String::new();
            for chunk in d.bytes_iter().map_err(e)? {
                for b in chunk.map_err(e)? {
                    hex.push_str(&format!("{b:02x}"));
                }
            }
            serde_json::json!({ "$bytes": hex })
        }
        Type::String | Type::StringIndef => {
            let mut s = String::new();
            for chunk in d.str_iter().map_err(e)? {
                s.push_str(chunk.map_err(e)?);
            }
            Value::String(s)
        }
        Type::Array | Type::ArrayIndef => {
            let len = d.array().map_err(e)?;
            let mut out = Vec::new();
            while more(d, len, out.len())? {
                out.push(item(d, depth + 1)?);
            }
            Value::Array(out)
        }
        Type::Map | Type::MapIndef => {
            let len = d.map().map_err(e)?;
            let mut out = Map::new();
            let mut n = 0;
            while more(d, len, n)? {
                let k = match item(d, depth + 1)? {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                out.insert(k, item(d, depth + 1)?);
                n += 1;
            }
            Value::Object(out)
        }
        Type::Tag => {
            let t: u64 = d.tag().map_err(e)?.into();
            serde_json::json!({ "$tag": t, "value": item(d, depth + 1)? })
        }
        other => return Err(format!("unexpected CBOR {other:?} at {}", d.position())),
    })
}

/// Whether another element follows: up to `len` for a definite length, else up to a
/// break (consumed).
fn more(d: &mut Decoder<'_>, len: Option<u64>, done: usize) -> Result<bool, String> {
    match len {
        Some(n) => Ok((done as u64) < n),
        None => {
            if d.datatype().map_err(|e| e.to_string())? == Type::Break {
                d.set_position(d.position() + 1);
                Ok(false)
            } else {
                Ok(true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_of_the_same_data_compare_equal() {
        // {"a": [1, 7.625]} definite with f32, and indefinite with f64 and a chunked key.
        let definite = [0xa1, 0x61, b'a', 0x82, 0x01, 0xfa, 0x40, 0xf4, 0x00, 0x00];
        let mut indefinite = vec![0xbf, 0x7f, 0x61, b'a', 0xff, 0x9f, 0xfb];
        indefinite.extend(1.0f64.to_be_bytes());
        indefinite.extend([0xfb]);
        indefinite.extend(7.625f64.to_be_bytes());
        indefinite.extend([0xff, 0xff]);
        let a = canonical(&definite).unwrap();
        let b = canonical(&indefinite).unwrap();
        assert!(crate::protocol_vectors::values_equal(&a, &b), "{a} != {b}");
        assert_eq!(canonical(&[0xf9, 0x7e, 0x00]).unwrap(), "NaN");
        assert!(canonical(&[0x9f, 0x01]).is_err());
        assert!(canonical(&[0x01, 0x01]).is_err());
    }
}

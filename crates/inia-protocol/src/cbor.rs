//! CBOR (RFC 8949) bytes to a tree of [`Item`]s, for `smithy-rpc-v2-cbor` bodies, and the
//! loose conversions between CBOR and values that documents and error fields need.
//!
//! The bytes are read by `minicbor`'s tokenizer; the tree is built here, with an explicit
//! stack (no recursion), so that hostile input is refused with a
//! [`ProtocolError::Parse`] carrying the byte offset, fast and without large allocations:
//! - arrays, maps, tags and indefinite-length strings nest at most [`MAX_DEPTH`] levels;
//! - a definite length is checked against the bytes left before anything is reserved (an
//!   array item takes at least one byte, a map entry two), and reservations are capped;
//! - byte and text strings are borrowed from the input until copied into the tree, so a
//!   string length past the end of the body is refused without allocating;
//! - an indefinite-length item must be closed, its chunks must be definite strings of its
//!   own type, text must be UTF-8, and nothing may follow the one top-level item.
//!
//! Accepted as CBOR allows: indefinite lengths, 16/32/64-bit floats (NaN and the
//! infinities included), any tag (kept, for the shape walk to judge), simple values.
//!
//! Owns decoding and the loose value forms. Does not own what a shape makes of an item
//! (see `parse::cbor`) or writing requests (see `serialize::cbor`).

use crate::error::ProtocolError;
use crate::timefmt;
use minicbor::data::Token;
use minicbor::Decoder;
use serde_json::{Map, Value};

/// How deep arrays, maps, tags and indefinite strings may nest (serde_json's limit for
/// JSON bodies is the same).
pub(crate) const MAX_DEPTH: usize = 128;

/// At most this many items are reserved ahead for a definite-length array or map; longer
/// ones grow as their items arrive.
const MAX_RESERVE: usize = 1024;

/// One CBOR data item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// Major types 0 and 1: -2^64 ..= 2^64-1.
    Int(i128),
    /// 16, 32 or 64-bit, widened.
    Float(f64),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Item>),
    Map(Vec<(Item, Item)>),
    Tag(u64, Box<Item>),
    Bool(bool),
    Null,
    Undefined,
    /// Any other simple value.
    Simple(u8),
}

/// An item being filled while its contents arrive.
enum Frame {
    /// `left`: items still expected (`None`: indefinite, until a break).
    Array {
        items: Vec<Item>,
        left: Option<u64>,
    },
    /// `left`: entries still expected; `key`: a key waiting for its value.
    Map {
        entries: Vec<(Item, Item)>,
        key: Option<Item>,
        left: Option<u64>,
    },
    Tag(u64),
    /// An indefinite-length byte (`text` false) or text string.
    Chunks {
        bytes: Vec<u8>,
        text: bool,
    },
}

fn fail(message: impl Into<String>, at: usize) -> ProtocolError {
    ProtocolError::parse(format!("invalid CBOR: {}", message.into()), Some(at))
}

/// Decode a body holding exactly one CBOR item.
pub(crate) fn decode(body: &[u8]) -> Result<Item, ProtocolError> {
    let mut d = Decoder::new(body);
    let mut stack: Vec<Frame> = Vec::new();
    loop {
        let at = d.position();
        let token: Token<'_> = d.decode().map_err(|e| token_error(&e, body, at))?;
        let left = body.len().saturating_sub(d.position());
        if let Some(Frame::Chunks { bytes, text }) = stack.last_mut() {
            match token {
                Token::Bytes(b) if !*text => {
                    bytes.extend_from_slice(b);
                    continue;
                }
                Token::String(s) if *text => {
                    bytes.extend_from_slice(s.as_bytes());
                    continue;
                }
                Token::Break => {}
                _ => return Err(fail(
                    "a chunk of an indefinite-length string is not a definite string of its type",
                    at,
                )),
            }
        }
        let opens = matches!(
            token,
            Token::Array(1..)
                | Token::Map(1..)
                | Token::BeginArray
                | Token::BeginMap
                | Token::BeginBytes
                | Token::BeginString
                | Token::Tag(_)
        );
        if opens && stack.len() >= MAX_DEPTH {
            return Err(fail(
                format!("items nest deeper than {MAX_DEPTH} levels"),
                at,
            ));
        }
        let item = match token {
            Token::Bool(b) => Item::Bool(b),
            Token::U8(n) => Item::Int(n.into()),
            Token::U16(n) => Item::Int(n.into()),
            Token::U32(n) => Item::Int(n.into()),
            Token::U64(n) => Item::Int(n.into()),
            Token::I8(n) => Item::Int(n.into()),
            Token::I16(n) => Item::Int(n.into()),
            Token::I32(n) => Item::Int(n.into()),
            Token::I64(n) => Item::Int(n.into()),
            Token::Int(n) => Item::Int(n.into()),
            Token::F16(f) | Token::F32(f) => Item::Float(f.into()),
            Token::F64(f) => Item::Float(f),
            Token::Bytes(b) => Item::Bytes(b.to_vec()),
            Token::String(s) => Item::Text(s.to_string()),
            Token::Array(0) => Item::Array(Vec::new()),
            Token::Map(0) => Item::Map(Vec::new()),
            Token::Array(n) => {
                if n > left as u64 {
                    let what =
                        format!("an array of {n} items is longer than the {left} bytes left");
                    return Err(fail(what, at));
                }
                let items = Vec::with_capacity(reserve(n));
                stack.push(Frame::Array {
                    items,
                    left: Some(n),
                });
                continue;
            }
            Token::Map(n) => {
                if n.saturating_mul(2) > left as u64 {
                    let what = format!("a map of {n} entries is longer than the {left} bytes left");
                    return Err(fail(what, at));
                }
                let entries = Vec::with_capacity(reserve(n));
                stack.push(Frame::Map {
                    entries,
                    key: None,
                    left: Some(n),
                });
                continue;
            }
            Token::BeginArray => {
                let items = Vec::new();
                stack.push(Frame::Array { items, left: None });
                continue;
            }
            Token::BeginMap => {
                let entries = Vec::new();
                stack.push(Frame::Map {
                    entries,
                    key: None,
                    left: None,
                });
                continue;
            }
            Token::BeginBytes | Token::BeginString => {
                let text = token == Token::BeginString;
                let bytes = Vec::new();
                stack.push(Frame::Chunks { bytes, text });
                continue;
            }
            Token::Tag(t) => {
                stack.push(Frame::Tag(t.into()));
                continue;
            }
            Token::Simple(n) => Item::Simple(n),
            Token::Null => Item::Null,
            Token::Undefined => Item::Undefined,
            Token::Break => match stack.pop() {
                Some(Frame::Array { items, left: None }) => Item::Array(items),
                Some(Frame::Map {
                    entries,
                    key: None,
                    left: None,
                }) => Item::Map(entries),
                Some(Frame::Chunks { bytes, text: false }) => Item::Bytes(bytes),
                Some(Frame::Chunks { bytes, text: true }) => match String::from_utf8(bytes) {
                    Ok(s) => Item::Text(s),
                    Err(_) => return Err(fail("a chunked text string is not UTF-8", at)),
                },
                Some(Frame::Map { key: Some(_), .. }) => {
                    return Err(fail("a map ends between a key and its value", at))
                }
                _ => return Err(fail("a break code outside an indefinite-length item", at)),
            },
        };
        if let Some(done) = complete(&mut stack, item) {
            if d.position() != body.len() {
                let what = "bytes follow the body's one item";
                return Err(fail(what, d.position()));
            }
            return Ok(done);
        }
    }
}

/// How many entries to reserve ahead for a definite length `n`.
fn reserve(n: u64) -> usize {
    usize::try_from(n).unwrap_or(MAX_RESERVE).min(MAX_RESERVE)
}

/// Place a finished item in the frame it belongs to, closing every frame it completes.
/// `Some` is the top-level item, once it is whole.
fn complete(stack: &mut Vec<Frame>, mut item: Item) -> Option<Item> {
    loop {
        match stack.last_mut() {
            None => return Some(item),
            Some(Frame::Tag(t)) => {
                let t = *t;
                stack.pop();
                item = Item::Tag(t, Box::new(item));
            }
            Some(Frame::Array { items, left }) => {
                items.push(item);
                if !count_down(left) {
                    return None;
                }
                let Some(Frame::Array { items, .. }) = stack.pop() else {
                    return None;
                };
                item = Item::Array(items);
            }
            Some(Frame::Map { entries, key, left }) => {
                let Some(k) = key.take() else {
                    *key = Some(item);
                    return None;
                };
                entries.push((k, item));
                if !count_down(left) {
                    return None;
                }
                let Some(Frame::Map { entries, .. }) = stack.pop() else {
                    return None;
                };
                item = Item::Map(entries);
            }
            // Never reached: chunks are appended before an item is made.
            Some(Frame::Chunks { .. }) => return None,
        }
    }
}

/// One more item of a definite-length frame: true when that was its last.
fn count_down(left: &mut Option<u64>) -> bool {
    match left {
        Some(n) => {
            *n = n.saturating_sub(1);
            *n == 0
        }
        None => false,
    }
}

fn token_error(e: &minicbor::decode::Error, body: &[u8], at: usize) -> ProtocolError {
    if e.is_end_of_input() {
        let what = if at >= body.len() {
            "the body ends where an item should begin"
        } else {
            "the body ends inside an item"
        };
        return fail(format!("truncated: {what}"), at);
    }
    let byte = body.get(at).copied().unwrap_or_default();
    let what = match byte >> 5 {
        3 => "a text string is not UTF-8".to_string(),
        _ => format!("initial byte 0x{byte:02x} is reserved or not well-formed"),
    };
    fail(what, e.position().unwrap_or(at))
}

/// An item as a shape-free value: integers and floats as numbers (`NaN`, `Infinity` as
/// text), byte strings as base64, epoch timestamps (tag 1) as timestamp text, other tags
/// as their content, map keys as text. For documents and fields no shape describes.
pub(crate) fn loose_value(item: &Item) -> Value {
    match item {
        Item::Int(i) => int_value(*i),
        Item::Float(f) => crate::parse::float_value(*f),
        Item::Bytes(b) => timefmt::blob_to_value(b),
        Item::Text(s) => Value::String(s.clone()),
        Item::Array(a) => Value::Array(a.iter().map(loose_value).collect()),
        Item::Map(entries) => {
            let mut out = Map::new();
            for (k, v) in entries {
                out.insert(key_text(k), loose_value(v));
            }
            Value::Object(out)
        }
        Item::Tag(1, inner) => epoch(inner).unwrap_or_else(|| loose_value(inner)),
        Item::Tag(_, inner) => loose_value(inner),
        Item::Bool(b) => Value::Bool(*b),
        Item::Null | Item::Undefined | Item::Simple(_) => Value::Null,
    }
}

/// An integer as a value; past 64 bits, a float.
pub(crate) fn int_value(i: i128) -> Value {
    if let Ok(n) = i64::try_from(i) {
        Value::from(n)
    } else if let Ok(n) = u64::try_from(i) {
        Value::from(n)
    } else {
        crate::parse::float_value(i as f64)
    }
}

/// A map key as text: text as it is, anything else in its loose JSON form.
pub(crate) fn key_text(k: &Item) -> String {
    match k {
        Item::Text(s) => s.clone(),
        other => loose_value(other).to_string(),
    }
}

/// Epoch seconds (an integer or a float) as a timestamp value; `None` for anything else.
pub(crate) fn epoch(item: &Item) -> Option<Value> {
    let secs = match item {
        Item::Int(i) => *i as f64,
        Item::Float(f) => *f,
        _ => return None,
    };
    timefmt::from_epoch(secs).map(|t| Value::String(timefmt::to_value_text(&t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_at(body: &[u8]) -> (String, Option<usize>) {
        match decode(body) {
            Err(ProtocolError::Parse { message, offset }) => (message, offset),
            other => panic!("{body:02x?}: expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn items_of_every_kind() {
        // {"a": [1, -2, 1.5(f16), h'0102', "x"(chunked), 1(1.5), true, null]}
        let body = [
            0xa1, 0x61, b'a', 0x9f, 0x01, 0x21, 0xf9, 0x3e, 0x00, 0x42, 1, 2, 0x7f, 0x61, b'x',
            0xff, 0xc1, 0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0xf5, 0xf6, 0xff,
        ];
        let want = Item::Map(vec![(
            Item::Text("a".into()),
            Item::Array(vec![
                Item::Int(1),
                Item::Int(-2),
                Item::Float(1.5),
                Item::Bytes(vec![1, 2]),
                Item::Text("x".into()),
                Item::Tag(1, Box::new(Item::Float(1.5))),
                Item::Bool(true),
                Item::Null,
            ]),
        )]);
        assert_eq!(decode(&body).unwrap(), want);
        // -2^64, the smallest CBOR integer.
        assert_eq!(
            decode(&[0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).unwrap(),
            Item::Int(-(1i128 << 64))
        );
        let nan = decode(&[0xf9, 0x7c, 0x01]).unwrap();
        assert!(matches!(nan, Item::Float(f) if f.is_nan()));
    }

    #[test]
    fn malformed_bodies_name_the_offset() {
        assert_eq!(err_at(&[0xa1, 0x61]).1, Some(0));
        assert_eq!(err_at(&[0xa1, 0x63, 0x61, 0x61]).1, Some(1));
        assert_eq!(err_at(&[0x9f, 0x01]).1, Some(2));
        assert_eq!(err_at(&[0x01, 0x02]).1, Some(1));
        assert_eq!(err_at(&[0xff]).1, Some(0));
        assert_eq!(err_at(&[0x1c]).1, Some(0));
        assert_eq!(err_at(&[0x62, 0xff, 0xfe]).1, Some(0));
        assert_eq!(err_at(&[0xbf, 0x01, 0xff]).1, Some(2));
        assert_eq!(err_at(&[0x5f, 0x61, b'a', 0xff]).1, Some(1));
        let (message, at) = err_at(&[0x9b, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x01]);
        assert_eq!(at, Some(0));
        assert!(message.contains("9223372036854775808 items"), "{message}");
        let deep = vec![0x81; 10_000];
        let (message, at) = err_at(&deep);
        assert_eq!(at, Some(MAX_DEPTH));
        assert!(message.contains("deeper"), "{message}");
    }

    #[test]
    fn loose_values() {
        let item = Item::Map(vec![
            (Item::Int(1), Item::Bytes(b"hi".to_vec())),
            (Item::Text("t".into()), Item::Tag(1, Box::new(Item::Int(0)))),
            (Item::Text("n".into()), Item::Float(f64::NEG_INFINITY)),
        ]);
        assert_eq!(
            loose_value(&item),
            serde_json::json!({"1": "aGk=", "t": "1970-01-01T00:00:00Z", "n": "-Infinity"})
        );
        assert_eq!(
            int_value(-(1i128 << 64)),
            Value::from(-18446744073709551616.0)
        );
    }
}

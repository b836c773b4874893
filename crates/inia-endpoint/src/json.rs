//! A JSON tree that borrows its strings from the text it was read from: what the rule-set
//! compiler walks. Objects keep their members in file order in a plain list (a rule set's
//! objects are small), so reading a rule set costs no hashing and, for strings without
//! escapes, no copies: half of what a `serde_json::Value` costs to build and drop.
//!
//! Owns that tree and its conversions to `serde_json::Value` and to rules values.

use crate::value::Val;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    Arr(Vec<Json<'a>>),
    Obj(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// The members of an object.
pub(crate) type Members<'a> = [(Cow<'a, str>, Json<'a>)];

/// A member of an object by name.
pub(crate) fn field<'v, 'a>(members: &'v Members<'a>, name: &str) -> Option<&'v Json<'a>> {
    members.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

impl<'a> Json<'a> {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Json<'a>> {
        match self {
            Json::Obj(m) => field(m, name),
            _ => None,
        }
    }

    /// A borrowed view of a parsed value.
    pub(crate) fn from_value(v: &'a serde_json::Value) -> Json<'a> {
        use serde_json::Value as V;
        match v {
            V::Null => Json::Null,
            V::Bool(b) => Json::Bool(*b),
            V::Number(n) => match n.as_i64() {
                Some(i) => Json::Int(i),
                None => Json::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            V::String(s) => Json::Str(Cow::Borrowed(s)),
            V::Array(a) => Json::Arr(a.iter().map(Json::from_value).collect()),
            V::Object(o) => Json::Obj(
                o.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Json::from_value(v)))
                    .collect(),
            ),
        }
    }

    pub(crate) fn to_value(&self) -> serde_json::Value {
        use serde_json::Value as V;
        match self {
            Json::Null => V::Null,
            Json::Bool(b) => V::Bool(*b),
            Json::Int(i) => V::from(*i),
            Json::Float(f) => serde_json::Number::from_f64(*f).map_or(V::Null, V::Number),
            Json::Str(s) => V::String(s.to_string()),
            Json::Arr(a) => V::Array(a.iter().map(Json::to_value).collect()),
            Json::Obj(o) => V::Object(
                o.iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// A literal as a rules value: `None` for `null` and floats, which no rule uses.
    pub(crate) fn to_val(&self) -> Option<Val> {
        Some(match self {
            Json::Null | Json::Float(_) => return None,
            Json::Bool(b) => Val::Bool(*b),
            Json::Int(i) => Val::Int(*i),
            Json::Str(s) => Val::str(s),
            Json::Arr(a) => Val::Array(a.iter().map(Json::to_val).collect::<Option<_>>()?),
            Json::Obj(o) => Val::Record(
                o.iter()
                    .map(|(k, v)| Some((std::sync::Arc::from(&**k), v.to_val()?)))
                    .collect::<Option<_>>()?,
            ),
        })
    }
}

/// A string that borrows from the input when it can.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Json<'de>, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
                Ok(Json::Bool(b))
            }
            fn visit_i64<E>(self, i: i64) -> Result<Json<'de>, E> {
                Ok(Json::Int(i))
            }
            fn visit_u64<E>(self, u: u64) -> Result<Json<'de>, E> {
                Ok(i64::try_from(u).map_or(Json::Float(u as f64), Json::Int))
            }
            fn visit_f64<E>(self, f: f64) -> Result<Json<'de>, E> {
                Ok(Json::Float(f))
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
                Ok(Json::Str(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
                Ok(Json::Str(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
                Ok(Json::Str(Cow::Owned(s)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(v) = seq.next_element()? {
                    out.push(v);
                }
                Ok(Json::Arr(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((Text(k), v)) = map.next_entry::<Text<'de>, Json<'de>>()? {
                    out.push((k, v));
                }
                Ok(Json::Obj(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_plain_strings_and_keeps_order() {
        let text = r#"{"b": "plain", "a": "esc\"aped", "n": [1, -2, 2.5, true, null]}"#;
        let j: Json<'_> = serde_json::from_str(text).unwrap();
        let Json::Obj(m) = &j else { panic!() };
        assert_eq!(m[0].0, "b");
        assert!(matches!(&m[0].1, Json::Str(Cow::Borrowed("plain"))));
        assert_eq!(j.get("a").unwrap().as_str(), Some("esc\"aped"));
        assert_eq!(
            j.to_value(),
            serde_json::json!({"b": "plain", "a": "esc\"aped", "n": [1, -2, 2.5, true, null]})
        );
    }
}

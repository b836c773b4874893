//! The values a rule set computes with: strings, booleans, integers, arrays and the
//! records that functions return (a partition, a parsed ARN, a parsed URL).
//!
//! Owns the value type and its conversions to and from JSON. Cheap to clone: strings,
//! arrays and records are shared.

use std::sync::Arc;

/// One value in a rule set's scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Val {
    Str(Arc<str>),
    Bool(bool),
    Int(i64),
    Array(Arc<[Val]>),
    /// A record: field names in order (few fields, looked up linearly).
    Record(Arc<[(Arc<str>, Val)]>),
}

impl Val {
    /// A string value.
    pub fn str(s: &str) -> Val {
        Val::Str(Arc::from(s))
    }

    /// An array of strings (a `stringArray` parameter).
    pub fn strings<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Val {
        Val::Array(items.into_iter().map(|s| Val::str(s.as_ref())).collect())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A record's field.
    pub fn field(&self, name: &str) -> Option<&Val> {
        match self {
            Val::Record(fields) => fields.iter().find(|(k, _)| &**k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value as JSON (records become objects).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Val::Str(s) => J::String(s.to_string()),
            Val::Bool(b) => J::Bool(*b),
            Val::Int(i) => J::from(*i),
            Val::Array(a) => J::Array(a.iter().map(Val::to_json).collect()),
            Val::Record(r) => J::Object(
                r.iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// A JSON literal as a value: `None` for `null` and for floats, which no rule uses.
    pub fn from_json(v: &serde_json::Value) -> Option<Val> {
        use serde_json::Value as J;
        Some(match v {
            J::Null => return None,
            J::String(s) => Val::str(s),
            J::Bool(b) => Val::Bool(*b),
            J::Number(n) => Val::Int(n.as_i64()?),
            J::Array(a) => Val::Array(a.iter().map(Val::from_json).collect::<Option<_>>()?),
            J::Object(o) => Val::Record(
                o.iter()
                    .map(|(k, v)| Some((Arc::from(k.as_str()), Val::from_json(v)?)))
                    .collect::<Option<_>>()?,
            ),
        })
    }

    /// The value as template text: strings as they are, booleans and numbers in their
    /// JSON form.
    pub(crate) fn push_text(&self, out: &mut String) {
        match self {
            Val::Str(s) => out.push_str(s),
            Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Val::Int(i) => out.push_str(&i.to_string()),
            other => out.push_str(&other.to_json().to_string()),
        }
    }

    /// A short name of the value's type, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Val::Str(_) => "a string",
            Val::Bool(_) => "a boolean",
            Val::Int(_) => "an integer",
            Val::Array(_) => "an array",
            Val::Record(_) => "a record",
        }
    }
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::str(s)
    }
}

impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Str(Arc::from(s))
    }
}

impl From<bool> for Val {
    fn from(b: bool) -> Val {
        Val::Bool(b)
    }
}

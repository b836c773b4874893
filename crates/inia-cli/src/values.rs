//! Turning the words a user typed into the value a member's shape expects: JSON, the
//! shorthand syntax, repeated words for lists, scalars converted per type, and
//! `file://` / `fileb://` values.
//!
//! Owns that conversion. Does not own the argument list (see `params`) or the shorthand
//! grammar (see `shorthand`).

use crate::error::CliError;
use crate::shorthand::{self, Sh};
use inia::model::{ServiceModel, Shape, ShapeType};
use serde_json::{Map, Number, Value};
use std::sync::Arc;

/// A member's value for `--flag`, from one or more words.
pub fn from_words(
    model: &ServiceModel,
    shape: &Arc<Shape>,
    words: &[String],
    flag: &str,
) -> Result<Value, CliError> {
    let words = words
        .iter()
        .map(|w| read_file_value(w, shape.kind, flag))
        .collect::<Result<Vec<_>, _>>()?;
    if shape.kind == ShapeType::List {
        if let [one] = words.as_slice() {
            if one.trim_start().starts_with('[') {
                return json(one, flag);
            }
        }
        let member = element(model, shape, flag)?;
        let items = words
            .iter()
            .map(|w| from_text(model, &member, w, flag))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Value::Array(items));
    }
    match words.as_slice() {
        [one] => from_text(model, shape, one, flag),
        _ => Err(CliError::usage(format!(
            "argument {flag}: expected one argument"
        ))),
    }
}

/// `file://path` as text, `fileb://path` as base64 (for blobs) or text; else the word.
fn read_file_value(word: &str, kind: ShapeType, flag: &str) -> Result<String, CliError> {
    let read = |path: &str| {
        std::fs::read(path).map_err(|e| {
            CliError::usage(format!(
                "Error parsing parameter '{flag}': Unable to load paramfile {word}: {e}"
            ))
        })
    };
    if let Some(path) = word.strip_prefix("fileb://") {
        let bytes = read(path)?;
        return Ok(if kind == ShapeType::Blob {
            inia::protocol::timefmt::base64_encode(&bytes)
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        });
    }
    if let Some(path) = word.strip_prefix("file://") {
        let bytes = read(path)?;
        return String::from_utf8(bytes).map_err(|_| {
            CliError::usage(format!(
                "Error parsing parameter '{flag}': {path} is not UTF-8 text (use fileb://)"
            ))
        });
    }
    Ok(word.to_string())
}

fn json(text: &str, flag: &str) -> Result<Value, CliError> {
    serde_json::from_str(text).map_err(|e| {
        CliError::usage(format!(
            "Error parsing parameter '{flag}': Invalid JSON: {e}"
        ))
    })
}

fn element(model: &ServiceModel, shape: &Shape, flag: &str) -> Result<Arc<Shape>, CliError> {
    let m = shape
        .member
        .as_ref()
        .ok_or_else(|| CliError::other(format!("{flag}: the list shape has no member")))?;
    model
        .target(m, flag)
        .map_err(|e| CliError::other(e.to_string()))
}

/// True for a structure whose only member is a boolean named `Value`
/// (`AttributeBooleanValue`), which also takes bare flags and `true`/`false`.
pub fn is_boolean_value_struct(model: &ServiceModel, shape: &Shape) -> bool {
    shape.kind == ShapeType::Structure
        && shape.members.len() == 1
        && shape.members.get("Value").is_some_and(|m| {
            model
                .target(m, "Value")
                .is_ok_and(|t| t.kind == ShapeType::Boolean)
        })
}

/// One word for a shape.
pub fn from_text(
    model: &ServiceModel,
    shape: &Arc<Shape>,
    text: &str,
    flag: &str,
) -> Result<Value, CliError> {
    let t = text.trim_start();
    let is_text = matches!(
        shape.kind,
        ShapeType::String | ShapeType::Character | ShapeType::Blob
    );
    if !is_text && (t.starts_with('{') || t.starts_with('[') || t.starts_with('"')) {
        return json(text, flag);
    }
    match shape.kind {
        ShapeType::Structure | ShapeType::Map => {
            let parsed = shorthand::parse(text).map_err(|e| {
                CliError::usage(format!(
                    "Error parsing parameter '{flag}': {e}, for input: {text}"
                ))
            })?;
            from_sh(model, shape, &Sh::Map(parsed), flag)
        }
        ShapeType::List => {
            let items = text.split(',').map(|s| Sh::Str(s.trim().to_string()));
            from_sh(model, shape, &Sh::List(items.collect()), flag)
        }
        _ => scalar(shape.kind, text, flag),
    }
}

/// A shorthand value for a shape; `path` names the place in errors.
fn from_sh(
    model: &ServiceModel,
    shape: &Arc<Shape>,
    sh: &Sh,
    path: &str,
) -> Result<Value, CliError> {
    let target = |m: &inia::model::Member, at: &str| {
        model
            .target(m, at)
            .map_err(|e| CliError::other(e.to_string()))
    };
    match (shape.kind, sh) {
        (ShapeType::Structure, Sh::Map(map)) => {
            let mut out = Map::new();
            for (key, v) in map {
                let Some((name, member)) =
                    shape.members.get_key_value(key.as_str()).or_else(|| {
                        shape
                            .members
                            .iter()
                            .find(|(n, _)| n.eq_ignore_ascii_case(key))
                    })
                else {
                    let valid: Vec<&str> = shape.members.keys().map(String::as_str).collect();
                    return Err(CliError::usage(format!(
                        "Error parsing parameter '{path}': Unknown key '{key}', valid choices are: {}",
                        valid.join(", ")
                    )));
                };
                let at = format!("{path}.{name}");
                out.insert(name.clone(), from_sh(model, &target(member, &at)?, v, &at)?);
            }
            Ok(Value::Object(out))
        }
        (ShapeType::Map, Sh::Map(map)) => {
            let vshape = match &shape.value {
                Some(m) => target(m, path)?,
                None => return Err(CliError::other(format!("{path}: map shape has no value"))),
            };
            let mut out = Map::new();
            for (key, v) in map {
                let at = format!("{path}.{key}");
                out.insert(key.clone(), from_sh(model, &vshape, v, &at)?);
            }
            Ok(Value::Object(out))
        }
        (ShapeType::List, Sh::List(items)) => {
            let member = element(model, shape, path)?;
            let items = items
                .iter()
                .enumerate()
                .map(|(i, v)| from_sh(model, &member, v, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Array(items))
        }
        (ShapeType::List, one) => {
            let member = element(model, shape, path)?;
            Ok(Value::Array(vec![from_sh(
                model,
                &member,
                one,
                &format!("{path}[0]"),
            )?]))
        }
        (ShapeType::Structure | ShapeType::Map, Sh::Str(s)) => {
            if is_boolean_value_struct(model, shape) {
                if let Some(b) = parse_bool(s) {
                    return Ok(Value::Object(Map::from_iter([(
                        "Value".to_string(),
                        Value::Bool(b),
                    )])));
                }
            }
            Err(CliError::usage(format!(
                "Error parsing parameter '{path}': expected a structure ({{...}}), got '{s}'"
            )))
        }
        (_, Sh::Str(s)) => scalar(shape.kind, s, path),
        (kind, _) => Err(CliError::usage(format!(
            "Error parsing parameter '{path}': expected a single {} value",
            type_name(kind)
        ))),
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// A scalar word converted to the type's value.
pub fn scalar(kind: ShapeType, text: &str, path: &str) -> Result<Value, CliError> {
    let bad = |what: &str| {
        CliError::usage(format!(
            "Invalid value for parameter {path}: expected {what}, got '{text}'"
        ))
    };
    let t = text.trim();
    Ok(match kind {
        ShapeType::Integer
        | ShapeType::Long
        | ShapeType::Short
        | ShapeType::Byte
        | ShapeType::BigInteger => Value::from(t.parse::<i64>().map_err(|_| bad("an integer"))?),
        ShapeType::Float | ShapeType::Double | ShapeType::BigDecimal => {
            let f = t.parse::<f64>().map_err(|_| bad("a number"))?;
            Number::from_f64(f).map_or_else(|| Value::String(t.to_string()), Value::Number)
        }
        ShapeType::Boolean => Value::Bool(parse_bool(t).ok_or_else(|| bad("true or false"))?),
        ShapeType::Timestamp => match t.parse::<f64>() {
            Ok(secs) => {
                Number::from_f64(secs).map_or_else(|| Value::String(t.into()), Value::Number)
            }
            Err(_) => Value::String(t.to_string()),
        },
        ShapeType::Structure | ShapeType::List | ShapeType::Map => {
            return Err(bad(type_name(kind)))
        }
        _ => Value::String(text.to_string()),
    })
}

/// The type as the help and errors name it.
pub fn type_name(kind: ShapeType) -> &'static str {
    match kind {
        ShapeType::Structure => "structure",
        ShapeType::List => "list",
        ShapeType::Map => "map",
        ShapeType::String | ShapeType::Character => "string",
        ShapeType::Integer | ShapeType::Short | ShapeType::Byte => "integer",
        ShapeType::Long | ShapeType::BigInteger => "long",
        ShapeType::Float => "float",
        ShapeType::Double | ShapeType::BigDecimal => "double",
        ShapeType::Boolean => "boolean",
        ShapeType::Timestamp => "timestamp",
        ShapeType::Blob => "blob",
    }
}

//! Blob values given as text, read as `--cli-binary-format` (or the profile's
//! `cli_binary_format` key) says:
//! - `raw-in-base64-out` (inia's default, as issue 16 chose, and the AWS CLI v1's only
//!   behaviour): the text is the bytes (its UTF-8), so `--body '{"prompt": "hi"}'` sends
//!   that JSON;
//! - `base64` (the AWS CLI v2's default): the text is base64, decoded before sending; text
//!   that is not base64 is a usage error naming it.
//!
//! `fileb://` words are bytes in either format. Every blob of the input is read this way,
//! wherever it sits (a shorthand or JSON structure, `--cli-input-json`), as AWS CLI v2
//! applies the format to the whole parameters. Outputs print blobs as base64 in both.
//!
//! Owns that reading. Does not own parsing words (`values`) or the engine's value form of
//! blobs (base64 text, `inia_protocol::timefmt`).

use crate::error::CliError;
use inia::model::{ServiceModel, Shape, ShapeType};
use inia::protocol::timefmt;
use serde_json::Value;

/// How blob text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BinaryFormat {
    #[default]
    RawInBase64Out,
    Base64,
}

impl BinaryFormat {
    /// A format by name; `what` names where the name came from in the error.
    pub fn parse(name: &str, what: &str) -> Result<BinaryFormat, CliError> {
        match name.trim() {
            "raw-in-base64-out" => Ok(BinaryFormat::RawInBase64Out),
            "base64" => Ok(BinaryFormat::Base64),
            other => Err(CliError::usage(format!(
                "{what}: invalid choice: '{other}' (choose from 'base64', 'raw-in-base64-out')"
            ))),
        }
    }

    /// The format `--cli-binary-format` (`given`) or else the profile's
    /// `cli_binary_format` value asks for.
    pub fn resolve(
        given: Option<BinaryFormat>,
        profile: Option<&str>,
    ) -> Result<BinaryFormat, CliError> {
        match (given, profile.map(str::trim).filter(|v| !v.is_empty())) {
            (Some(f), _) => Ok(f),
            (None, Some(name)) => BinaryFormat::parse(name, "cli_binary_format"),
            (None, None) => Ok(BinaryFormat::default()),
        }
    }
}

/// Turn the blob texts of `value` (the input of shape `shape`) into the engine's base64
/// form. `from_files` lists the member paths (`[member]`, or `[parent, child]` for a
/// hoisted argument) whose blobs came from `fileb://` and are base64 already.
pub fn inputs(
    model: &ServiceModel,
    shape: &Shape,
    value: &mut Value,
    format: BinaryFormat,
    from_files: &[Vec<String>],
) -> Result<(), CliError> {
    let mut path = Vec::new();
    walk(model, shape, value, format, from_files, &mut path, 0)
}

fn walk(
    model: &ServiceModel,
    shape: &Shape,
    value: &mut Value,
    format: BinaryFormat,
    from_files: &[Vec<String>],
    path: &mut Vec<String>,
    depth: usize,
) -> Result<(), CliError> {
    if depth > 64 || (!path.is_empty() && from_files.iter().any(|p| p == path)) {
        return Ok(());
    }
    let mut child = |m: &inia::model::Member, v: &mut Value, name: Option<&str>| {
        let Ok(target) = model.target(m, &m.shape) else {
            return Ok(());
        };
        if let Some(n) = name {
            path.push(n.to_string());
        }
        let r = walk(model, &target, v, format, from_files, path, depth + 1);
        if name.is_some() {
            path.pop();
        }
        r
    };
    match (shape.kind, value) {
        (ShapeType::Structure, Value::Object(fields)) => {
            for (name, member) in &shape.members {
                if let Some(v) = fields.get_mut(name.as_str()) {
                    child(member, v, Some(name))?;
                }
            }
        }
        (ShapeType::List, Value::Array(items)) => {
            if let Some(member) = &shape.member {
                for item in items {
                    child(member, item, None)?;
                }
            }
        }
        (ShapeType::Map, Value::Object(entries)) => {
            if let Some(member) = &shape.value {
                for (_, item) in entries.iter_mut() {
                    child(member, item, None)?;
                }
            }
        }
        (ShapeType::Blob, Value::String(text)) => match format {
            BinaryFormat::RawInBase64Out => *text = timefmt::base64_encode(text.as_bytes()),
            BinaryFormat::Base64 => {
                if timefmt::base64_decode(text).is_none() {
                    return Err(CliError::usage(format!("Invalid base64: \"{text}\"")));
                }
            }
        },
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model() -> ServiceModel {
        let text = json!({
            "metadata": {"protocol": "json"},
            "operations": {"Op": {"name": "Op", "input": {"shape": "In"}}},
            "shapes": {
                "In": {"type": "structure", "members": {
                    "Data": {"shape": "Bytes"},
                    "File": {"shape": "Bytes"},
                    "Attrs": {"shape": "AttrMap"},
                    "Name": {"shape": "Str"}
                }},
                "AttrMap": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "Attr"}},
                "Attr": {"type": "structure", "members": {"BinaryValue": {"shape": "Bytes"}}},
                "Bytes": {"type": "blob"},
                "Str": {"type": "string"}
            }
        });
        ServiceModel::from_string(text.to_string(), "test").unwrap()
    }

    #[test]
    fn raw_text_becomes_base64_and_files_stay() {
        let m = model();
        let op = m.operation("Op").unwrap();
        let shape = m.target(op.input.as_ref().unwrap(), "Op").unwrap();
        let mut v = json!({
            "Data": "hi",
            "File": "AAEC",
            "Attrs": {"a": {"BinaryValue": "hi"}},
            "Name": "hi"
        });
        let files = vec![vec!["File".to_string()]];
        inputs(&m, &shape, &mut v, BinaryFormat::RawInBase64Out, &files).unwrap();
        assert_eq!(
            v,
            json!({"Data": "aGk=", "File": "AAEC", "Attrs": {"a": {"BinaryValue": "aGk="}}, "Name": "hi"})
        );
        let mut v = json!({"Data": "aGk="});
        inputs(&m, &shape, &mut v, BinaryFormat::Base64, &[]).unwrap();
        assert_eq!(v, json!({"Data": "aGk="}));
        let mut v = json!({"Data": "hello"});
        let e = inputs(&m, &shape, &mut v, BinaryFormat::Base64, &[]).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (252, "Invalid base64: \"hello\"")
        );
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(
            BinaryFormat::resolve(None, None).unwrap(),
            BinaryFormat::RawInBase64Out
        );
        assert_eq!(
            BinaryFormat::resolve(None, Some("base64")).unwrap(),
            BinaryFormat::Base64
        );
        assert_eq!(
            BinaryFormat::resolve(Some(BinaryFormat::RawInBase64Out), Some("base64")).unwrap(),
            BinaryFormat::RawInBase64Out
        );
        assert_eq!(BinaryFormat::parse("raw", "x").unwrap_err().code, 252);
    }
}

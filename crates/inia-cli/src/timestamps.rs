//! How the command line prints timestamps, chosen by the profile's `cli_timestamp_format`
//! key as in the AWS CLI:
//! - `iso8601` (the default, as in the AWS CLI v2): Python's `datetime.isoformat()` of the
//!   UTC time, `2015-01-25T08:00:00+00:00`, with six fraction digits when the fraction is
//!   not zero (`2015-01-25T08:00:00.500000+00:00`);
//! - `wire`, or `none` (the AWS CLI v1's older spelling): exactly what the server sent,
//!   XML and header text as it was, JSON epoch numbers as numbers (the session is built
//!   with `SessionBuilder::wire_timestamps`, so the engine leaves them unparsed).
//!
//! Which strings are timestamps is known from the operation's output shape, walked
//! alongside the result before `--query` is applied (the AWS CLI converts while parsing,
//! so a query sees converted text). Times are always printed in UTC; the AWS CLI v1 prints
//! epoch-number timestamps (JSON protocols) in the local zone.
//!
//! Owns the timestamp text of printed results. Does not own the engine's value form
//! (`inia_protocol::timefmt`) or printing (`output`).

use crate::error::{CliError, CONFIG};
use inia::model::{Operation, ServiceModel, Shape, ShapeType};
use inia::protocol::timefmt;
use serde_json::Value;

/// A `cli_timestamp_format` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampStyle {
    Iso8601,
    Wire,
}

impl TimestampStyle {
    /// A style by its config name.
    pub fn parse(name: &str) -> Result<TimestampStyle, CliError> {
        match name {
            "iso8601" => Ok(TimestampStyle::Iso8601),
            "wire" | "none" => Ok(TimestampStyle::Wire),
            other => Err(CliError {
                code: CONFIG,
                message: format!(
                    "Unknown cli_timestamp_format value: {other}, valid values are \"none\", \"wire\" or \"iso8601\""
                ),
            }),
        }
    }
}

/// The style the profile's `cli_timestamp_format` value (as the session read it) asks
/// for; `iso8601` when it says nothing.
pub fn style(value: Option<&str>) -> Result<TimestampStyle, CliError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(name) => TimestampStyle::parse(name),
        None => Ok(TimestampStyle::Iso8601),
    }
}

/// Rewrite the timestamps of `op`'s result `value` in `style` (once for many pages).
pub fn convert_in(model: &ServiceModel, op: &Operation, value: &mut Value, style: TimestampStyle) {
    if style == TimestampStyle::Wire {
        return;
    }
    if let Some(output) = &op.output {
        if let Ok(shape) = model.target(output, &op.name) {
            walk(model, &shape, value);
        }
    }
}

/// Convert every timestamp `value` holds where `shape` says one is. Members the shape does
/// not describe (`ResponseMetadata`, `NextToken` added by paging) are left alone. The walk
/// follows the value, so recursive shapes end where the value ends.
fn walk(model: &ServiceModel, shape: &Shape, value: &mut Value) {
    match (shape.kind, value) {
        (ShapeType::Timestamp, v) => {
            if let Some(text) = iso8601(v) {
                *v = Value::String(text);
            }
        }
        (ShapeType::Structure, Value::Object(fields)) => {
            for (name, member) in &shape.members {
                let Some(child) = fields.get_mut(name.as_str()) else {
                    continue;
                };
                if let Ok(target) = model.target(member, name) {
                    walk(model, &target, child);
                }
            }
        }
        (ShapeType::List, Value::Array(items)) => {
            let Some(member) = &shape.member else { return };
            let Ok(target) = model.target(member, &member.shape) else {
                return;
            };
            for item in items {
                walk(model, &target, item);
            }
        }
        (ShapeType::Map, Value::Object(entries)) => {
            let Some(member) = &shape.value else { return };
            let Ok(target) = model.target(member, &member.shape) else {
                return;
            };
            for (_, item) in entries.iter_mut() {
                walk(model, &target, item);
            }
        }
        _ => {}
    }
}

/// A timestamp value (the engine's RFC 3339 text, or epoch seconds) as Python's
/// `isoformat()` prints the UTC time; `None` when it is not a time.
fn iso8601(v: &Value) -> Option<String> {
    let t = timefmt::from_value(v)?;
    let whole = t.format("%Y-%m-%dT%H:%M:%S");
    Some(match t.timestamp_subsec_micros() {
        0 => format!("{whole}+00:00"),
        micros => format!("{whole}.{micros:06}+00:00"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model() -> ServiceModel {
        let text = json!({
            "metadata": {"protocol": "json"},
            "operations": {"Op": {"name": "Op", "output": {"shape": "Out"}}},
            "shapes": {
                "Out": {"type": "structure", "members": {
                    "When": {"shape": "Time"},
                    "Items": {"shape": "ItemList"},
                    "ByName": {"shape": "TimeMap"},
                    "Name": {"shape": "Str"},
                    "Tree": {"shape": "Node"}
                }},
                "ItemList": {"type": "list", "member": {"shape": "Item"}},
                "Item": {"type": "structure", "members": {"Created": {"shape": "Time"}}},
                "TimeMap": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "Time"}},
                "Node": {"type": "structure", "members": {
                    "At": {"shape": "Time"}, "Child": {"shape": "Node"}
                }},
                "Time": {"type": "timestamp"},
                "Str": {"type": "string"}
            }
        });
        ServiceModel::from_string(text.to_string(), "test").unwrap()
    }

    #[test]
    fn python_isoformat_of_utc() {
        assert_eq!(
            iso8601(&json!("2015-01-25T08:00:00Z")).as_deref(),
            Some("2015-01-25T08:00:00+00:00")
        );
        assert_eq!(
            iso8601(&json!("2015-01-25T08:00:00.5Z")).as_deref(),
            Some("2015-01-25T08:00:00.500000+00:00")
        );
        assert_eq!(
            iso8601(&json!("2015-01-25T08:00:00.000123Z")).as_deref(),
            Some("2015-01-25T08:00:00.000123+00:00")
        );
        assert_eq!(
            iso8601(&json!(1422172800)).as_deref(),
            Some("2015-01-25T08:00:00+00:00")
        );
        assert_eq!(iso8601(&json!("not a time")), None);
    }

    #[test]
    fn only_timestamp_members_change() {
        let m = model();
        let op = m.operation("Op").unwrap();
        let mut v = json!({
            "When": "2015-01-25T08:00:00Z",
            "Name": "2015-01-25T08:00:00Z",
            "Items": [{"Created": "2020-02-29T23:59:59.25Z"}, {}],
            "ByName": {"a": "2015-01-25T08:00:00Z"},
            "Tree": {"At": "2015-01-25T08:00:00Z", "Child": {"At": "2015-01-25T08:00:01Z"}},
            "NextToken": "2015-01-25T08:00:00Z",
            "ResponseMetadata": {"When": "2015-01-25T08:00:00Z"}
        });
        let mut walked = v.clone();
        walk(
            &m,
            &m.target(op.output.as_ref().unwrap(), "Op").unwrap(),
            &mut walked,
        );
        v["When"] = json!("2015-01-25T08:00:00+00:00");
        v["Items"][0]["Created"] = json!("2020-02-29T23:59:59.250000+00:00");
        v["ByName"]["a"] = json!("2015-01-25T08:00:00+00:00");
        v["Tree"]["At"] = json!("2015-01-25T08:00:00+00:00");
        v["Tree"]["Child"]["At"] = json!("2015-01-25T08:00:01+00:00");
        assert_eq!(walked, v);
    }

    #[test]
    fn styles_by_name() {
        assert_eq!(
            TimestampStyle::parse("iso8601").ok(),
            Some(TimestampStyle::Iso8601)
        );
        assert_eq!(
            TimestampStyle::parse("wire").ok(),
            Some(TimestampStyle::Wire)
        );
        assert_eq!(
            TimestampStyle::parse("none").ok(),
            Some(TimestampStyle::Wire)
        );
        assert_eq!(
            TimestampStyle::parse("epoch").err().map(|e| e.code),
            Some(253)
        );
    }
}

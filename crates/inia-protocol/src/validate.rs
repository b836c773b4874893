//! Parameter validation against the input shape, before anything is serialized.
//!
//! Reported, each with its path (`Filters[0].Values[1]`, map values as `Tags.key`) and
//! what was expected: unknown members, wrong JSON types, missing required members,
//! integers out of their type's range or under `min`, strings and lists shorter than
//! `min`, blobs that are not base64, timestamps that are not dates, unions with other
//! than one member set. All problems are collected, not just the first. `null` counts as
//! absent. Like botocore, `max` and `pattern` are left to the service.
//!
//! Each problem is a [`Problem`]: the parameter's path, what was expected there and what
//! was found, and the sentence that says so.
//!
//! Owns those checks. Does not own serialization.

use crate::error::ProtocolError;
use crate::timefmt;
use inia_model::{Member, Operation, ServiceModel, Shape, ShapeType};
use serde_json::Value;

/// Nesting deeper than this is reported instead of followed (cyclic shapes, hostile input).
const MAX_DEPTH: usize = 64;

/// One problem with the parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// Where: `Filters[0].Values[1]`, map values as `Tags.key`; empty for the
    /// parameters as a whole.
    pub path: String,
    /// What the input shape expects there (`a string`, `0 to 2147483647 (integer)`).
    pub expected: String,
    /// What was there instead (`a number`, `"soon"`, `nothing`).
    pub found: String,
    /// The whole sentence, as [`Display`](std::fmt::Display) prints it.
    pub message: String,
}

impl Problem {
    /// A problem at `path`: `expected`, `found`, and the sentence saying so.
    pub fn new(
        path: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            path: path.into(),
            expected: expected.into(),
            found: found.into(),
            message: message.into(),
        }
    }
}

/// The problems' sentences joined with `sep`.
pub fn joined(problems: &[Problem], sep: &str) -> String {
    problems
        .iter()
        .map(|p| p.message.as_str())
        .collect::<Vec<_>>()
        .join(sep)
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Check `params` against `op`'s input shape; all problems in one error.
pub fn validate(model: &ServiceModel, op: &Operation, params: &Value) -> Result<(), ProtocolError> {
    let mut problems = Vec::new();
    match &op.input {
        Some(input) => {
            let shape = model.target(input, &op.name)?;
            check(model, &shape, params, "", 0, &mut problems)?;
        }
        None => match params {
            Value::Null => {}
            Value::Object(o) if o.is_empty() => {}
            Value::Object(o) => {
                for k in o.keys() {
                    problems.push(Problem::new(
                        k.as_str(),
                        "no parameters",
                        "a parameter",
                        format!("unknown parameter {k}: {} takes no parameters", op.name),
                    ));
                }
            }
            other => problems.push(Problem::new(
                "",
                "an object",
                kind(other),
                format!("parameters must be an object, got {}", kind(other)),
            )),
        },
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ProtocolError::Validation(problems))
    }
}

/// [`validate`], with the top-level member `given` (a streaming payload sent as the
/// request body) present though it is not among `params`.
pub fn validate_given(
    model: &ServiceModel,
    op: &Operation,
    params: &Value,
    given: &str,
) -> Result<(), ProtocolError> {
    match validate(model, op, params) {
        Err(ProtocolError::Validation(problems)) => {
            let rest: Vec<Problem> = problems
                .into_iter()
                .filter(|p| !(p.path == given && p.found == "nothing"))
                .collect();
            if rest.is_empty() {
                Ok(())
            } else {
                Err(ProtocolError::Validation(rest))
            }
        }
        other => other,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_string()
    } else {
        format!("{path}.{member}")
    }
}

fn shown(path: &str) -> &str {
    if path.is_empty() {
        "(parameters)"
    } else {
        path
    }
}

fn check(
    model: &ServiceModel,
    shape: &Shape,
    v: &Value,
    path: &str,
    depth: usize,
    out: &mut Vec<Problem>,
) -> Result<(), ProtocolError> {
    if depth > MAX_DEPTH {
        out.push(Problem::new(
            path,
            format!("at most {MAX_DEPTH} levels of nesting"),
            "deeper nesting",
            format!("{}: nested deeper than {MAX_DEPTH} levels", shown(path)),
        ));
        return Ok(());
    }
    let wrong = |out: &mut Vec<Problem>, want: &str| {
        out.push(Problem::new(
            path,
            want,
            kind(v),
            format!("{}: expected {want}, got {}", shown(path), kind(v)),
        ));
    };
    match shape.kind {
        _ if shape.document => {}
        ShapeType::Structure => {
            let Value::Object(obj) = v else {
                wrong(out, "an object");
                return Ok(());
            };
            for name in &shape.required {
                if obj.get(name).is_none_or(Value::is_null) {
                    out.push(Problem::new(
                        join(path, name),
                        "a value (required)",
                        "nothing",
                        format!(
                            "{}: missing required parameter {}",
                            shown(path),
                            join(path, name)
                        ),
                    ));
                }
            }
            let mut set = 0;
            for (k, child) in obj {
                let Some(member) = shape.members.get(k) else {
                    let valid: Vec<&str> = shape.members.keys().map(String::as_str).collect();
                    let valid = valid.join(", ");
                    out.push(Problem::new(
                        join(path, k),
                        format!("one of: {valid}"),
                        "an unknown parameter",
                        format!(
                            "unknown parameter {}; valid parameters: {valid}",
                            join(path, k)
                        ),
                    ));
                    continue;
                };
                if child.is_null() {
                    continue;
                }
                set += 1;
                check_member(model, member, child, &join(path, k), depth, out)?;
            }
            if shape.union && set != 1 {
                out.push(Problem::new(
                    path,
                    "exactly one member",
                    format!("{set} members"),
                    format!(
                        "{}: a union takes exactly one member, {set} given",
                        shown(path)
                    ),
                ));
            }
        }
        ShapeType::List => {
            let Value::Array(items) = v else {
                wrong(out, "a list");
                return Ok(());
            };
            min_len(shape, items.len(), path, out);
            if let Some(m) = &shape.member {
                for (i, item) in items.iter().enumerate() {
                    if item.is_null() && shape.sparse {
                        continue;
                    }
                    check_member(model, m, item, &format!("{path}[{i}]"), depth, out)?;
                }
            }
        }
        ShapeType::Map => {
            let Value::Object(entries) = v else {
                wrong(out, "an object (a map)");
                return Ok(());
            };
            if let Some(m) = &shape.value {
                for (k, item) in entries {
                    if item.is_null() && shape.sparse {
                        continue;
                    }
                    check_member(model, m, item, &join(path, k), depth, out)?;
                }
            }
        }
        ShapeType::String | ShapeType::Character => match v {
            Value::String(s) => min_len(shape, s.chars().count(), path, out),
            _ => wrong(out, "a string"),
        },
        ShapeType::Boolean => {
            if !v.is_boolean() {
                wrong(out, "a boolean");
            }
        }
        ShapeType::Integer
        | ShapeType::Long
        | ShapeType::Byte
        | ShapeType::Short
        | ShapeType::BigInteger => {
            let (lo, hi, name) = match shape.kind {
                ShapeType::Byte => (i8::MIN as i128, i8::MAX as i128, "byte"),
                ShapeType::Short => (i16::MIN as i128, i16::MAX as i128, "short"),
                ShapeType::Integer => (i32::MIN as i128, i32::MAX as i128, "integer"),
                ShapeType::Long => (i64::MIN as i128, i64::MAX as i128, "long"),
                _ => (i128::MIN, i128::MAX, "integer"),
            };
            let n = v
                .as_i64()
                .map(i128::from)
                .or_else(|| v.as_u64().map(i128::from));
            match n {
                Some(n) if n < lo || n > hi => out.push(Problem::new(
                    path,
                    format!("{lo} to {hi} ({name})"),
                    n.to_string(),
                    format!(
                        "{}: {n} is out of range for type {name} ({lo} to {hi})",
                        shown(path)
                    ),
                )),
                Some(n) => {
                    if let Some(min) = shape.min {
                        if (n as f64) < min {
                            out.push(Problem::new(
                                path,
                                format!("at least {min}"),
                                n.to_string(),
                                format!("{}: {n} is less than the minimum {min}", shown(path)),
                            ));
                        }
                    }
                }
                None => wrong(out, &format!("a whole number ({name})")),
            }
        }
        ShapeType::Float | ShapeType::Double | ShapeType::BigDecimal => match v {
            Value::Number(_) => {}
            Value::String(s) if matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") => {}
            _ => wrong(out, "a number"),
        },
        ShapeType::Timestamp => {
            if timefmt::from_value(v).is_none() {
                match v {
                    Value::String(s) => out.push(Problem::new(
                        path,
                        "a date: RFC 3339 text or epoch seconds",
                        format!("{s:?}"),
                        format!(
                            "{}: {s:?} is not a date (use RFC 3339 like 2015-01-25T08:00:00Z, or epoch seconds)",
                            shown(path)
                        ),
                    )),
                    _ => wrong(out, "a timestamp (RFC 3339 text or epoch seconds)"),
                }
            }
        }
        ShapeType::Blob => match v {
            Value::String(_) if shape.streaming => {}
            Value::String(_) if timefmt::blob_from_value(v).is_some() => {}
            Value::String(_) => out.push(Problem::new(
                path,
                "base64 text",
                "text that is not base64",
                format!("{}: blobs are given as base64 text", shown(path)),
            )),
            _ => wrong(out, "base64 text (a blob)"),
        },
    }
    Ok(())
}

fn check_member(
    model: &ServiceModel,
    member: &Member,
    v: &Value,
    path: &str,
    depth: usize,
    out: &mut Vec<Problem>,
) -> Result<(), ProtocolError> {
    let shape = model.target(member, path)?;
    if member.json_value || shape.json_value {
        return Ok(());
    }
    check(model, &shape, v, path, depth + 1, out)
}

fn min_len(shape: &Shape, len: usize, path: &str, out: &mut Vec<Problem>) {
    if let Some(min) = shape.min {
        if (len as f64) < min {
            out.push(Problem::new(
                path,
                format!("length at least {min}"),
                format!("length {len}"),
                format!(
                    "{}: length {len} is less than the minimum {min}",
                    shown(path)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inia_model::SpecPath;
    use serde_json::json;

    fn problems(service: &str, op: &str, params: Value) -> Vec<String> {
        let m = SpecPath::embedded_only().load_service(service).unwrap();
        let op = m.operation(op).unwrap();
        match validate(&m, &op, &params) {
            Ok(()) => vec![],
            Err(ProtocolError::Validation(p)) => p.iter().map(ToString::to_string).collect(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn valid_params_pass() {
        assert!(problems("ec2", "DescribeInstances",
            json!({"Filters": [{"Name": "instance-state-name", "Values": ["running"]}], "MaxResults": 5})).is_empty());
    }

    #[test]
    fn paths_name_the_bad_value() {
        let p = problems(
            "ec2",
            "DescribeInstances",
            json!({"Filters": [{"Name": "x", "Values": ["a", 7]}]}),
        );
        assert_eq!(
            p,
            vec!["Filters[0].Values[1]: expected a string, got a number"]
        );
        let p = problems("ec2", "DescribeInstances", json!({"Filterz": []}));
        assert!(
            p[0].starts_with("unknown parameter Filterz; valid parameters: "),
            "{p:?}"
        );
        let p = problems(
            "ec2",
            "DescribeInstances",
            json!({"MaxResults": 3_000_000_000u64}),
        );
        assert!(
            p[0].starts_with("MaxResults: 3000000000 is out of range for type integer"),
            "{p:?}"
        );
    }

    #[test]
    fn problems_carry_path_expected_and_found() {
        let m = SpecPath::embedded_only().load_service("ec2").unwrap();
        let op = m.operation("DescribeInstances").unwrap();
        let params = json!({"Filters": [{"Name": "x", "Values": ["a", 7]}]});
        let Err(ProtocolError::Validation(p)) = validate(&m, &op, &params) else {
            panic!("expected a validation error");
        };
        assert_eq!(
            (
                p[0].path.as_str(),
                p[0].expected.as_str(),
                p[0].found.as_str()
            ),
            ("Filters[0].Values[1]", "a string", "a number")
        );
        let op = m.operation("RunInstances").unwrap();
        let Err(ProtocolError::Validation(p)) = validate(&m, &op, &json!({"MinCount": 1})) else {
            panic!("expected a validation error");
        };
        let missing = p.iter().find(|x| x.path == "MaxCount").expect("MaxCount");
        assert_eq!(
            (missing.expected.as_str(), missing.found.as_str()),
            ("a value (required)", "nothing")
        );
    }

    #[test]
    fn required_and_all_problems_reported() {
        let p = problems("ec2", "RunInstances", json!({"MinCount": "1"}));
        assert!(
            p.iter()
                .any(|x| x.contains("missing required parameter MaxCount")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|x| x.starts_with("MinCount: expected a whole number")),
            "{p:?}"
        );
    }

    #[test]
    fn timestamps_blobs_and_maps() {
        let p = problems(
            "sqs",
            "SendMessage",
            json!({"QueueUrl": "u", "MessageBody": "b",
            "MessageAttributes": {"k": {"DataType": "Binary", "BinaryValue": "not base64!"}}}),
        );
        assert_eq!(
            p,
            vec!["MessageAttributes.k.BinaryValue: blobs are given as base64 text"]
        );
        let p = problems(
            "ec2",
            "DescribeSpotPriceHistory",
            json!({"StartTime": "soon"}),
        );
        assert!(
            p[0].starts_with("StartTime: \"soon\" is not a date"),
            "{p:?}"
        );
        assert!(problems(
            "ec2",
            "DescribeSpotPriceHistory",
            json!({"StartTime": 1422172800})
        )
        .is_empty());
    }
}

//! `--output text`, by the rules of the AWS CLI's `text` module:
//!
//! - a scalar prints as itself on its own line;
//! - an object prints its scalar values tab-separated on one line, in sorted key order,
//!   prefixed by the uppercased key it was found under (if any); then each list or object
//!   member, in sorted key order, under that member's key;
//! - a list of objects prints one line per element, every line with the same columns (the
//!   sorted union of the elements' scalar keys, a missing one empty);
//! - a list of scalars prints them tab-separated on one line, or, under a key, one line
//!   per element as `KEY<TAB>value`.

use super::{is_scalar, py_str};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The text the AWS CLI prints for `value` with `--output text`.
pub fn text(value: &Value) -> String {
    let mut out = String::new();
    any(value, None, None, &mut out);
    out
}

fn any(v: &Value, id: Option<&str>, keys: Option<&[String]>, out: &mut String) {
    match v {
        Value::Object(m) => object(m, id, keys, out),
        Value::Array(a) => list(a, id, out),
        other => {
            out.push_str(&py_str(other));
            out.push('\n');
        }
    }
}

fn list(items: &[Value], id: Option<&str>, out: &mut String) {
    if items.is_empty() {
        return;
    }
    if items.iter().any(Value::is_object) {
        let keys = all_scalar_keys(items);
        for item in items {
            any(item, id, Some(&keys), out);
        }
    } else if items.iter().any(Value::is_array) {
        let (scalars, rest): (Vec<&Value>, Vec<&Value>) = items.iter().partition(|v| is_scalar(v));
        if !scalars.is_empty() {
            scalar_list(&scalars, id, out);
        }
        for item in rest {
            any(item, id, None, out);
        }
    } else {
        scalar_list(&items.iter().collect::<Vec<_>>(), id, out);
    }
}

fn scalar_list(items: &[&Value], id: Option<&str>, out: &mut String) {
    match id {
        Some(id) => {
            let id = id.to_uppercase();
            for item in items {
                out.push_str(&format!("{id}\t{}\n", py_str(item)));
            }
        }
        None => {
            let line: Vec<String> = items.iter().map(|v| py_str(v)).collect();
            out.push_str(&line.join("\t"));
            out.push('\n');
        }
    }
}

/// The scalar keys of a list's objects, sorted.
fn all_scalar_keys(items: &[Value]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    for m in items.iter().filter_map(Value::as_object) {
        seen.extend(
            m.iter()
                .filter(|(_, v)| is_scalar(v))
                .map(|(k, _)| k.clone()),
        );
    }
    seen.into_iter().collect()
}

fn object(m: &Map<String, Value>, id: Option<&str>, keys: Option<&[String]>, out: &mut String) {
    let mut sorted: Vec<(&String, &Value)> = m.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut scalars = Vec::new();
    let mut rest = Vec::new();
    match keys {
        None => {
            for (k, v) in sorted {
                if is_scalar(v) {
                    scalars.push(py_str(v));
                } else {
                    rest.push((k, v));
                }
            }
        }
        Some(keys) => {
            scalars.extend(
                keys.iter()
                    .map(|k| m.get(k).map(py_str).unwrap_or_default()),
            );
            rest.extend(sorted.into_iter().filter(|(k, _)| !keys.contains(k)));
        }
    }
    if !scalars.is_empty() {
        if let Some(id) = id {
            scalars.insert(0, id.to_uppercase());
        }
        out.push_str(&scalars.join("\t"));
        out.push('\n');
    }
    for (k, v) in rest {
        any(v, Some(k), None, out);
    }
}

/// Expected strings here are derived by hand from the AWS CLI's text rules (the CLI cannot
/// format a fixed value without a server).
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn regions_one_line_each_sorted_columns() {
        let v = json!({"Regions": [
            {"RegionName": "us-east-1", "Endpoint": "ec2.us-east-1.amazonaws.com", "OptInStatus": "opt-in-not-required"},
            {"RegionName": "eu-west-1", "Endpoint": "ec2.eu-west-1.amazonaws.com"}
        ]});
        assert_eq!(
            text(&v),
            "REGIONS\tec2.us-east-1.amazonaws.com\topt-in-not-required\tus-east-1\n\
             REGIONS\tec2.eu-west-1.amazonaws.com\t\teu-west-1\n"
        );
    }

    #[test]
    fn nested_members_on_their_own_lines() {
        let v = json!({"Reservations": [{"ReservationId": "r-1", "OwnerId": "123",
            "Instances": [{"InstanceId": "i-1", "State": {"Name": "running", "Code": 16},
                           "Tags": [{"Key": "k", "Value": "v"}], "SecurityGroupIds": ["sg-1", "sg-2"]}]}],
            "NextToken": null});
        assert_eq!(
            text(&v),
            "None\n\
             RESERVATIONS\t123\tr-1\n\
             INSTANCES\ti-1\n\
             SECURITYGROUPIDS\tsg-1\n\
             SECURITYGROUPIDS\tsg-2\n\
             STATE\t16\trunning\n\
             TAGS\tk\tv\n"
        );
    }

    #[test]
    fn query_results() {
        assert_eq!(text(&json!(["a", "b", 3, true])), "a\tb\t3\tTrue\n");
        assert_eq!(text(&json!("x")), "x\n");
        assert_eq!(text(&json!([["a", "b"], ["c"]])), "a\tb\nc\n");
        assert_eq!(text(&json!([])), "");
        assert_eq!(text(&json!({})), "");
    }
}

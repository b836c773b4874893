//! The output formats other than JSON, each a pure function from a JSON value to the text
//! the AWS CLI prints for it: `text` (tab-separated), `table` (boxed) and `yaml` (block
//! YAML, as AWS CLI v2). The rules were read from the AWS CLI's formatter, text and table
//! modules (awscli 1.42) and the v2 YAML behaviour; the code is written afresh.
//!
//! Owns turning a value into text. Does not own choosing the format or writing it (see
//! `output`).

mod table;
mod text;
mod yaml;

pub use table::table;
pub use text::text;
pub use yaml::yaml;

use serde_json::Value;

/// A scalar as Python's `str()` shows it, which is what the text and table formats print:
/// `True`/`False`, `None`, floats with a fractional part (`1.0`). Containers (which only
/// reach here in malformed mixes) are shown as compact JSON.
pub(crate) fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        Value::Number(n) => {
            if n.is_f64() {
                n.as_f64()
                    .map_or_else(|| n.to_string(), |f| format!("{f:?}"))
            } else {
                n.to_string()
            }
        }
        other => other.to_string(),
    }
}

/// Not a list or an object.
pub(crate) fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_str_of_scalars() {
        assert_eq!(py_str(&json!(true)), "True");
        assert_eq!(py_str(&json!(null)), "None");
        assert_eq!(py_str(&json!(1.0)), "1.0");
        assert_eq!(py_str(&json!(2.5)), "2.5");
        assert_eq!(py_str(&json!(7)), "7");
        assert_eq!(py_str(&json!("a b")), "a b");
    }
}

//! The output formats other than JSON, each a pure function from a JSON value to the text
//! the AWS CLI prints for it: `text` (tab-separated), `table` (boxed) and `yaml` (block
//! YAML, as AWS CLI v2). The rules were read from the AWS CLI's formatter, text and table
//! modules (awscli 1.42) and the v2 YAML behaviour; the code is written afresh.
//!
//! Owns turning a value into text. Does not own choosing the format or writing it (see
//! `output`).

mod east_asian;
mod table;
mod text;
mod yaml;

pub use table::table;
pub use text::text;
pub use yaml::yaml;

use serde_json::Value;

/// A value as Python's `str()` shows it, which is what the text and table formats print:
/// `True`/`False`, `None`, floats as Python's `repr` (`1.0`, `1e+16`). A list or object
/// (a cell of a `--query` projection, or a malformed mix) is Python's `repr` of it:
/// `[{'Key': 'env', 'Value': 'test'}]`.
pub(crate) fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => {
            let mut out = String::new();
            py_repr(other, &mut out);
            out
        }
    }
}

/// Python's `repr` of a JSON value (strings quoted, as in a list or dict).
fn py_repr(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => py_repr_str(s, out),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Null => out.push_str("None"),
        Value::Number(n) => match (n.is_f64(), n.as_f64()) {
            (true, Some(f)) => out.push_str(&py_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                py_repr(item, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                py_repr_str(k, out);
                out.push_str(": ");
                py_repr(item, out);
            }
            out.push('}');
        }
    }
}

/// Python's `repr` of a string: single quotes unless the text has one and no double
/// quote; backslash, the quote and control characters escaped.
fn py_repr_str(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if not_printable(c) => match c as u32 {
                n @ 0..=0xff => out.push_str(&format!("\\x{n:02x}")),
                n @ 0x100..=0xffff => out.push_str(&format!("\\u{n:04x}")),
                n => out.push_str(&format!("\\U{n:08x}")),
            },
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// What Python's `str.isprintable` refuses among the characters text can hold: control
/// and format characters, separators other than the space (the common ones).
fn not_printable(c: char) -> bool {
    matches!(c as u32,
        0..=0x1f | 0x7f..=0xa0 | 0xad | 0x1680 | 0x2000..=0x200f | 0x2028..=0x202f
        | 0x205f..=0x206f | 0x3000 | 0xd800..=0xdfff | 0xfeff | 0xfff9..=0xfffb)
}

/// Python's `repr` of a float: the shortest digits that read back (as Rust's), in
/// positional form for exponents from -4 to 15, else `1.5e-05`, `1e+16`.
fn py_float(f: f64) -> String {
    let debug = format!("{f:?}");
    match debug.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => debug,
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
        assert_eq!(py_str(&json!(1e16)), "1e+16");
        assert_eq!(py_str(&json!(1.5e-5)), "1.5e-05");
        assert_eq!(py_str(&json!(1e100)), "1e+100");
        assert_eq!(py_str(&json!(0.0001)), "0.0001");
    }

    #[test]
    fn python_repr_of_containers() {
        assert_eq!(
            py_str(&json!([{"Key": "env", "Value": "test"}])),
            "[{'Key': 'env', 'Value': 'test'}]"
        );
        assert_eq!(
            py_str(&json!({"a": [1, 2.0, true, null], "b": {}})),
            "{'a': [1, 2.0, True, None], 'b': {}}"
        );
        assert_eq!(
            py_str(&json!(["it's", "say \"hi\"", "both ' \""])),
            r#"["it's", 'say "hi"', 'both \' "']"#
        );
        assert_eq!(
            py_str(&json!(["a\\b\nc\u{1}é\u{a0}\u{2028}"])),
            r"['a\\b\nc\x01é\xa0\u2028']"
        );
    }
}

//! `--output yaml`, as AWS CLI v2 prints it (ruamel.yaml, block style): keys in response
//! order; lists under a key not indented (`key:` then `- item` at the key's column); empty
//! containers as `[]` and `{}`; strings plain unless plain would read back as something
//! else (null, a boolean, a number, a date) or break the syntax (leading indicator, `: `,
//! ` #`, leading or trailing space, empty), then single-quoted, or double-quoted with
//! escapes when they hold line breaks or control characters; a bare plain scalar document
//! ends with `...`.

use serde_json::Value;
use std::sync::OnceLock;

/// The YAML the AWS CLI v2 prints for `value` with `--output yaml`.
pub fn yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Array(a) if !a.is_empty() => lines(value, &mut out, ""),
        Value::Object(m) if !m.is_empty() => lines(value, &mut out, ""),
        Value::String(s) if !needs_quotes(s) => {
            out.push_str(s);
            out.push_str("\n...\n");
        }
        Value::String(_) | Value::Array(_) | Value::Object(_) => {
            out.push_str(&scalar(value));
            out.push('\n');
        }
        other => {
            out.push_str(&scalar(other));
            out.push_str("\n...\n");
        }
    }
    out
}

/// A non-empty container's lines, each after `indent`.
fn lines(v: &Value, out: &mut String, indent: &str) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                out.push_str(indent);
                out.push_str(&string(k));
                out.push(':');
                if is_block(child) {
                    out.push('\n');
                    let inner = match child {
                        Value::Array(_) => indent.to_string(),
                        _ => format!("{indent}  "),
                    };
                    lines(child, out, &inner);
                } else {
                    out.push(' ');
                    out.push_str(&scalar(child));
                    out.push('\n');
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                out.push_str(indent);
                out.push_str("- ");
                if is_block(item) {
                    // The first line goes after "- "; the rest line up under it.
                    let mut sub = String::new();
                    lines(item, &mut sub, &format!("{indent}  "));
                    out.push_str(&sub[indent.len() + 2..]);
                } else {
                    out.push_str(&scalar(item));
                    out.push('\n');
                }
            }
        }
        other => {
            out.push_str(indent);
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
        _ => false,
    }
}

/// A value written on one line.
fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.is_finite() => format!("{f:?}"),
            _ => n.to_string(),
        },
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// A string (value or key), quoted only when it must be.
fn string(s: &str) -> String {
    if !needs_quotes(s) {
        s.to_string()
    } else if s.chars().any(|c| c.is_control() && c != '\t') {
        double_quoted(s)
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Plain would not read back as this same string.
fn needs_quotes(s: &str) -> bool {
    static SPECIAL: OnceLock<regex_lite::Regex> = OnceLock::new();
    let special = SPECIAL.get_or_init(|| {
        regex_lite::Regex::new(concat!(
            r"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE",
            r"|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF",
            r"|[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?",
            r"|[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?",
            r"|[-+]?0[xX][0-9a-fA-F_]+|0o[0-7_]+|[-+]?0b[01_]+",
            r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?",
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
            r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?)$"
        ))
        .unwrap_or_else(|e| panic!("bad built-in pattern: {e}"))
    });
    let Some(first) = s.chars().next() else {
        return true;
    };
    let last = s.chars().last().unwrap_or(first);
    let followed_by_space = |c: char| {
        s.strip_prefix(c)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    };
    special.is_match(s)
        || "#,[]{}&*!|>'\"%@`".contains(first)
        || ['-', '?', ':'].into_iter().any(followed_by_space)
        || s.starts_with("---")
        || s.starts_with("...")
        || first.is_whitespace()
        || last.is_whitespace()
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.contains(['\n', '\r'])
        || s.chars().any(|c| c.is_control() && c != '\t')
}

/// Expected documents here are derived by hand from the YAML rules above (the AWS CLI
/// cannot format a fixed value without a server).
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn block_style_in_response_order() {
        let v = json!({"Regions": [
            {"RegionName": "us-east-1", "Endpoint": "ec2.us-east-1.amazonaws.com"},
            {"RegionName": "eu-west-1", "Tags": [], "Meta": {}}
        ], "Nested": {"List": [["a", "b"], {"K": 1}], "Ok": true, "None": null}});
        let want = "\
Regions:
- RegionName: us-east-1
  Endpoint: ec2.us-east-1.amazonaws.com
- RegionName: eu-west-1
  Tags: []
  Meta: {}
Nested:
  List:
  - - a
    - b
  - K: 1
  Ok: true
  None: null
";
        assert_eq!(yaml(&v), want);
    }

    #[test]
    fn strings_quoted_only_when_needed() {
        let v = json!({"a": "plain text", "b": "true", "c": "123", "d": "1.5e3",
            "e": "", "f": "- x", "g": "k: v", "h": "it's", "i": "two\nlines",
            "j": "2024-01-02T03:04:05Z", "k": "#x", "l": " lead", "m": "a-b:c", "n": "0x1F",
            "o": "null", "p": "arn:aws:iam::123:user/x", "q": 1.0});
        let want = "\
a: plain text
b: 'true'
c: '123'
d: '1.5e3'
e: ''
f: '- x'
g: 'k: v'
h: it's
i: \"two\\nlines\"
j: '2024-01-02T03:04:05Z'
k: '#x'
l: ' lead'
m: a-b:c
n: '0x1F'
o: 'null'
p: arn:aws:iam::123:user/x
q: 1.0
";
        assert_eq!(yaml(&v), want);
    }

    #[test]
    fn bare_documents() {
        assert_eq!(yaml(&json!("us-east-1")), "us-east-1\n...\n");
        assert_eq!(yaml(&json!("a: b")), "'a: b'\n");
        assert_eq!(yaml(&json!(3)), "3\n...\n");
        assert_eq!(yaml(&json!(null)), "null\n...\n");
        assert_eq!(yaml(&json!([])), "[]\n");
        assert_eq!(yaml(&json!(["x", "y"])), "- x\n- y\n");
    }
}

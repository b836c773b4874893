//! Resume tokens in botocore's format, so a `NextToken` printed by inia resumes in the
//! AWS CLI or boto3 and the other way round: the input token(s) of the page to resume at,
//! plus `boto_truncate_amount` (how many items of that page were already returned) when a
//! page was cut by `max_items`, as a JSON object written the way Python's `json.dumps`
//! writes it (`", "` and `": "` separators, non-ASCII as `\uXXXX`), then base64.
//!
//! Older tokens are read too: a plain service token, or tokens joined with `___` with an
//! optional trailing truncate amount. Tokens botocore wrote with binary values
//! (`boto_encoded_keys`) are read as they are, since inia's values carry binary as base64;
//! inia writes such values as base64 text without that list.
//!
//! Owns the token text. Does not own when tokens are made or used (see `client_pages`).

use base64::Engine as _;
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// Where to resume: each input token's value (null when none) and how many items of the
/// first page to skip.
#[derive(Debug, Clone, PartialEq)]
pub struct ResumePoint {
    pub tokens: Map<String, Value>,
    pub truncate: usize,
}

const TRUNCATE_KEY: &str = "boto_truncate_amount";

/// The token text for `tokens` (in input-token order) and an optional truncate amount.
pub fn encode(tokens: &Map<String, Value>, truncate: Option<usize>) -> String {
    let mut m = tokens.clone();
    if let Some(n) = truncate {
        m.insert(TRUNCATE_KEY.into(), Value::from(n));
    }
    let mut text = String::new();
    python_json(&Value::Object(m), &mut text);
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Read a starting token for a paginator with these input tokens.
pub fn decode(token: &str, input_tokens: &[String]) -> Result<ResumePoint, String> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    if let Some(Value::Object(mut m)) = decoded {
        // botocore lists the paths of binary values it wrote as base64; inia's values
        // carry binary as base64 text already, so the values are used as they are.
        m.shift_remove("boto_encoded_keys");
        let truncate = match m.shift_remove(TRUNCATE_KEY) {
            None => 0,
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| format!("{TRUNCATE_KEY} is not a whole number: {v}"))?,
        };
        return Ok(ResumePoint {
            tokens: m,
            truncate,
        });
    }
    // The older form: `tok1___tok2[___N]`, or one opaque service token.
    let mut parts: Vec<&str> = token.split("___").collect();
    if parts.len() > input_tokens.len() + 1 {
        return Err(format!(
            "{} parts, but the operation takes {} token(s)",
            parts.len(),
            input_tokens.len()
        ));
    }
    let mut truncate = 0;
    if parts.len() == input_tokens.len() + 1 {
        match parts.last().and_then(|p| p.parse::<usize>().ok()) {
            Some(n) => {
                truncate = n;
                parts.pop();
            }
            None => parts = vec![token],
        }
    }
    let tokens = input_tokens
        .iter()
        .zip(parts)
        .map(|(name, part)| {
            let v = if part == "None" {
                Value::Null
            } else {
                Value::String(part.to_string())
            };
            (name.clone(), v)
        })
        .collect();
    Ok(ResumePoint { tokens, truncate })
}

/// JSON as Python's `json.dumps` writes it with its defaults.
fn python_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                // Python writes floats with at least one decimal place.
                let s = n.to_string();
                if s.contains(['.', 'e', 'E']) || !f.is_finite() {
                    out.push_str(&s);
                } else {
                    let _ = write!(out, "{s}.0");
                }
            } else {
                let _ = write!(out, "{n}");
            }
        }
        Value::String(s) => python_string(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_json(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_string(k, out);
                out.push_str(": ");
                python_json(x, out);
            }
            out.push('}');
        }
    }
}

fn python_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn tokens_are_written_as_botocore_writes_them() {
        // base64 of {"NextToken": null, "boto_truncate_amount": 1}, as printed by the
        // AWS CLI for `--max-items 1` over a first page of several items.
        let m = json!({"NextToken": null}).as_object().unwrap().clone();
        assert_eq!(
            encode(&m, Some(1)),
            "eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ=="
        );
        let m = json!({"Marker": "k é", "N": 1.0, "L": [1, "x"]})
            .as_object()
            .unwrap()
            .clone();
        let mut text = String::new();
        python_json(&Value::Object(m), &mut text);
        assert_eq!(text, r#"{"Marker": "k \u00e9", "N": 1.0, "L": [1, "x"]}"#);
        let mut text = String::new();
        python_string("\u{1F600}\u{7f}", &mut text);
        assert_eq!(text, r#""\ud83d\ude00\u007f""#);
    }

    #[test]
    fn tokens_round_trip_and_old_forms_are_read() {
        let m = json!({"ExclusiveStartKey": {"id": {"S": "a"}}})
            .as_object()
            .unwrap()
            .clone();
        let p = decode(&encode(&m, Some(3)), &names(&["ExclusiveStartKey"])).unwrap();
        assert_eq!(p.tokens, m);
        assert_eq!(p.truncate, 3);
        let p = decode("opaque-token", &names(&["NextToken"])).unwrap();
        assert_eq!(p.tokens["NextToken"], "opaque-token");
        assert_eq!(p.truncate, 0);
        let p = decode("m1___None___2", &names(&["Marker", "Other"])).unwrap();
        assert_eq!(p.tokens["Marker"], "m1");
        assert_eq!(p.tokens["Other"], Value::Null);
        assert_eq!(p.truncate, 2);
        let p = decode("m1___x", &names(&["Marker"])).unwrap();
        assert_eq!(p.tokens["Marker"], "m1___x");
        assert!(decode("a___b___c", &names(&["Marker"])).is_err());
        let with_binary = base64::engine::general_purpose::STANDARD.encode(
            r#"{"ExclusiveStartKey": {"k": {"B": "AAE="}}, "boto_encoded_keys": [["ExclusiveStartKey", "k", "B"]]}"#,
        );
        let p = decode(&with_binary, &names(&["ExclusiveStartKey"])).unwrap();
        assert_eq!(p.tokens["ExclusiveStartKey"]["k"]["B"], "AAE=");
        assert!(!p.tokens.contains_key("boto_encoded_keys"));
        let bad = encode(&m, None);
        let mut v: Value = serde_json::from_slice(
            &base64::engine::general_purpose::STANDARD
                .decode(&bad)
                .unwrap(),
        )
        .unwrap();
        v[TRUNCATE_KEY] = json!("x");
        let bad = base64::engine::general_purpose::STANDARD.encode(v.to_string());
        assert!(decode(&bad, &names(&["ExclusiveStartKey"])).is_err());
    }
}

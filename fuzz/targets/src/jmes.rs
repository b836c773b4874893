//! The JMESPath target: `--query` and paginator expressions as inia handles them, with
//! the `jmespath` crate inia uses (compiled, searched over a JSON value, the result turned
//! back into `serde_json`). The bytes are the expression, then a newline, then the JSON
//! document to search (no newline, or a document that is not JSON: searched over
//! `null`). Only UTF-8 expressions are tried, as a command line gives them.
//!
//! Owns the split and the calls. Does not own the JMESPath implementation.

use serde_json::Value;

/// Compile the expression `data` holds and search its document with it.
pub fn jmespath(data: &[u8]) {
    let (expr, doc) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    let Ok(expr) = std::str::from_utf8(expr) else {
        return;
    };
    let Ok(compiled) = ::jmespath::compile(expr) else {
        return;
    };
    let doc: Value = serde_json::from_slice(doc).unwrap_or(Value::Null);
    if let Ok(found) = compiled.search(&doc) {
        let _ = serde_json::to_value(&*found);
    }
    let _ = compiled.as_ast().to_string();
}

//! The model target: the bytes as a `service-2.json` service model. Loading indexes the
//! text; then the first operations are parsed, the shapes they reach are walked (each
//! parsed once), and each operation is serialized with no parameters and given an empty
//! success and a small error response, so models that load but are strange (missing or
//! self-referring shapes, odd traits) meet the protocol code too. Every walk is bounded.
//!
//! Owns the walk. Does not own loading (inia-model) or the protocols (inia-protocol).

use inia_model::{Member, ServiceModel, Shape};
use serde_json::json;
use std::collections::HashSet;

/// Operations looked at per model.
const MAX_OPERATIONS: usize = 16;
/// Shapes parsed per model.
const MAX_SHAPES: usize = 512;

/// Load the model `data` holds and use it.
pub fn model(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(model) = ServiceModel::from_string(text.to_string(), "fuzz/service-2.json") else {
        return;
    };
    let _ = model.metadata().protocol_preference();
    let _ = inia_protocol::protocol(&model);
    let _ = model.client_context_params();
    let names: Vec<String> = model
        .operation_names()
        .take(MAX_OPERATIONS)
        .map(str::to_string)
        .collect();
    let mut seen = HashSet::new();
    for name in &names {
        let Ok(op) = model.operation(name) else {
            continue;
        };
        let refs = op.input.iter().chain(op.output.iter()).chain(&op.errors);
        for m in refs {
            walk(&model, m, &mut seen);
        }
        let _ = inia_protocol::serialize(&model, name, &json!({}));
        let headers = http::HeaderMap::new();
        let _ = inia_protocol::parse(&model, &op, 200, &headers, b"");
        let _ = inia_protocol::parse(&model, &op, 400, &headers, error_body(&model));
    }
}

/// A small error body in the model's protocol family.
fn error_body(model: &ServiceModel) -> &'static [u8] {
    match model.metadata().protocol.as_deref() {
        Some("json" | "rest-json") => br#"{"__type": "Fuzzed", "message": "m"}"#,
        _ => b"<ErrorResponse><Error><Code>Fuzzed</Code></Error></ErrorResponse>",
    }
}

/// Parse every shape reachable from `m` (up to [`MAX_SHAPES`] per model), with an
/// explicit stack: a model can nest as deep as it likes.
fn walk(model: &ServiceModel, m: &Member, seen: &mut HashSet<String>) {
    let mut stack = vec![m.shape.clone()];
    while let Some(name) = stack.pop() {
        if seen.len() >= MAX_SHAPES || !seen.insert(name.clone()) {
            continue;
        }
        let Ok(shape) = model.shape(&name, "fuzz") else {
            continue;
        };
        stack.extend(children(&shape).map(|c| c.shape.clone()));
    }
}

fn children(shape: &Shape) -> impl Iterator<Item = &Member> {
    shape
        .members
        .values()
        .chain(shape.member.iter())
        .chain(shape.key.iter())
        .chain(shape.value.iter())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn tiny(protocol: &str, operations: Value, shapes: Value) -> Vec<u8> {
        json!({"metadata": {"protocol": protocol}, "operations": operations, "shapes": shapes})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn a_self_referring_model_is_walked_once() {
        let data = tiny(
            "rest-json",
            json!({"Op": {"http": {"method": "GET", "requestUri": "/{A}"}, "input": {"shape": "S"}, "output": {"shape": "S"}}}),
            json!({"S": {"type": "structure", "members": {"A": {"shape": "S", "location": "uri"}}}}),
        );
        model(&data);
    }
}

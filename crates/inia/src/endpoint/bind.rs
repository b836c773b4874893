//! Binding an operation call's endpoint parameters, in botocore's order: the operation's
//! `staticContextParams`, then input members marked `contextParam`, then
//! `operationContextParams` (JMESPath over the input, the engine `--query` uses), then
//! client context parameters (set in code, or from the profile's `s3 =` section for the
//! services it configures), then built-ins (set in code, else from the session's
//! settings). Whether the `s3` section counts is the customization table's answer
//! (`customize::s3_config`), not a service name.
//!
//! Owns that order. Does not own the settings (`settings`) or the rules (`inia_endpoint`).

use super::settings::EndpointSettings;
use crate::error::Error;
use inia_endpoint::{Params, Resolver, Val};
use inia_model::{Operation, ServiceModel};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// `DisableS3ExpressSessionAuth` → `disable_s3_express_session_auth`, as botocore names
/// client context settings.
pub(crate) fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let boundary = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(|p| p.is_ascii_uppercase()) && next_lower);
            if boundary {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(*c);
        }
    }
    out
}

/// `operationContextParams` paths, compiled once per process (a loop of DeleteObjects
/// calls does not parse its path each time).
fn compiled(path: &str) -> Result<Arc<jmespath::Expression<'static>>, jmespath::JmespathError> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<jmespath::Expression<'static>>>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(e) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(path) {
        return Ok(e.clone());
    }
    let e = Arc::new(jmespath::compile(path)?);
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(path.to_string(), e.clone());
    Ok(e)
}

/// An input value as a rule-set value: strings, booleans and arrays of strings.
fn input_val(v: &Value) -> Option<Val> {
    match v {
        Value::String(s) => Some(Val::str(s)),
        Value::Bool(b) => Some(Val::Bool(*b)),
        Value::Array(a) if a.iter().all(Value::is_string) => {
            Some(Val::strings(a.iter().filter_map(Value::as_str)))
        }
        _ => None,
    }
}

fn setting_val(kind: inia_endpoint::ParamType, text: &str) -> Val {
    match kind {
        inia_endpoint::ParamType::Boolean => Val::Bool(text.eq_ignore_ascii_case("true")),
        _ => Val::str(text),
    }
}

/// The parameter values of one call.
pub(crate) fn params(
    resolver: &Resolver,
    model: &ServiceModel,
    op: &Operation,
    input: &Value,
    settings: &EndpointSettings,
    builtins: &[(&'static str, Val)],
) -> Result<Params, Error> {
    let input_shape = match &op.input {
        Some(m) => Some(model.target(m, &op.name)?),
        None => None,
    };
    let client_ctx = model.client_context_params();
    let mut s3_config = None;
    let mut pairs: Vec<(&str, Val)> = Vec::new();
    for def in resolver.rules().params() {
        if !def.referenced {
            continue;
        }
        let name = def.name.as_str();
        let mut found = op
            .static_context_params
            .get(name)
            .and_then(|s| Val::from_json(&s.value));
        if found.is_none() {
            if let Some(shape) = &input_shape {
                found = shape
                    .members
                    .iter()
                    .find(|(_, m)| m.context_param.as_ref().is_some_and(|c| c.name == name))
                    .and_then(|(member, _)| input.get(member))
                    .and_then(input_val);
            }
        }
        if found.is_none() {
            if let Some(p) = op.operation_context_params.get(name) {
                let expr = compiled(&p.path).map_err(|e| {
                    Error::Unsupported(format!(
                        "{}: operationContextParams {name}: `{}`: {e}",
                        model.origin(),
                        p.path
                    ))
                })?;
                found = expr
                    .search(input)
                    .ok()
                    .and_then(|v| serde_json::to_value(&*v).ok())
                    .as_ref()
                    .and_then(input_val);
            }
        }
        if found.is_none() && client_ctx.contains_key(name) {
            let snake_name = snake(name);
            found = settings
                .params
                .iter()
                .find(|(k, _)| k == name || *k == snake_name)
                .map(|(_, v)| v.clone());
            if found.is_none()
                && *s3_config.get_or_insert_with(|| crate::customize::s3_config(model))
            {
                found = settings.s3_client_context(&snake_name).or_else(|| {
                    settings
                        .s3_section
                        .iter()
                        .find(|(k, _)| *k == snake_name)
                        .map(|(_, v)| setting_val(def.kind, v))
                });
            }
        }
        if found.is_none() {
            if let Some(b) = &def.built_in {
                found = settings
                    .params
                    .iter()
                    .find(|(k, _)| k == b)
                    .map(|(_, v)| v.clone())
                    .or_else(|| {
                        builtins
                            .iter()
                            .find(|(k, _)| k == b)
                            .map(|(_, v)| v.clone())
                    });
            }
        }
        if let Some(v) = found {
            pairs.push((name, v));
        }
    }
    resolver
        .params(pairs)
        .map_err(|e| Error::Endpoint(super::EndpointError::Rules(e)))
}

#[cfg(test)]
mod tests {
    use super::snake;

    #[test]
    fn snake_names() {
        assert_eq!(
            snake("DisableS3ExpressSessionAuth"),
            "disable_s3_express_session_auth"
        );
        assert_eq!(snake("UseArnRegion"), "use_arn_region");
        assert_eq!(snake("Accelerate"), "accelerate");
        assert_eq!(
            snake("DisableMultiRegionAccessPoints"),
            "disable_multi_region_access_points"
        );
    }
}

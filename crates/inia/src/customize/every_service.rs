//! What botocore does for every service:
//! - in AWS Lambda (`AWS_LAMBDA_FUNCTION_NAME` set), the function's trace id
//!   (`_X_AMZN_TRACE_ID`) goes in `X-Amzn-Trace-Id`, percent-encoded, unless the request
//!   has one (recursion detection);
//! - an endpoint-discovery operation (DynamoDB's DescribeEndpoints...) names the API
//!   version in `x-amz-api-version`;
//! - the few operations that need an HTTP/2 bidirectional event stream are refused, as
//!   botocore's clients leave them out (registered per operation).
//!
//! Owns those rules; `customize` registers them.

use super::{CallContext, Notes};
use crate::error::Error;
use bytes::Bytes;
use inia_model::Operation;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

/// What a trace id keeps as it is: letters, digits, `_.-~` and the id's punctuation.
const TRACE_ID_KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~')
    .remove(b'=')
    .remove(b';')
    .remove(b':')
    .remove(b'+')
    .remove(b'&')
    .remove(b'[')
    .remove(b']')
    .remove(b'{')
    .remove(b'}')
    .remove(b'"')
    .remove(b'\'')
    .remove(b',');

pub(crate) fn recursion_detection(
    ctx: &CallContext<'_>,
    _: &Operation,
    parts: &mut http::request::Parts,
    _: &mut Bytes,
) -> Result<(), Error> {
    let in_lambda = ctx.env.get("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let trace = ctx.env.get_non_empty("_X_AMZN_TRACE_ID");
    if let (true, Some(trace), false) = (
        in_lambda,
        trace,
        parts.headers.contains_key("x-amzn-trace-id"),
    ) {
        let encoded = percent_encoding::utf8_percent_encode(trace, TRACE_ID_KEEP).to_string();
        if let Ok(v) = http::HeaderValue::from_str(&encoded) {
            parts.headers.insert("x-amzn-trace-id", v);
        }
    }
    Ok(())
}

pub(crate) fn endpoint_operation_version(
    ctx: &CallContext<'_>,
    op: &Operation,
    parts: &mut http::request::Parts,
    _: &mut Bytes,
) -> Result<(), Error> {
    if !op.endpoint_operation {
        return Ok(());
    }
    let version = ctx.model.metadata().api_version.as_deref().unwrap_or("");
    if let Ok(v) = http::HeaderValue::from_str(version) {
        parts.headers.insert("x-amz-api-version", v);
    }
    Ok(())
}

pub(crate) fn needs_http2(
    _: &CallContext<'_>,
    op: &Operation,
    _: Value,
    _: &mut Notes,
) -> Result<Value, Error> {
    Err(Error::Unsupported(format!(
        "{} needs an HTTP/2 bidirectional event stream, which inia does not speak \
         (botocore's clients leave this operation out too)",
        op.name
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use inia_auth::config::Env;

    fn request(env: &Env, service: &str, op: &str, endpoint_op: bool) -> http::request::Parts {
        let mut ops = serde_json::json!({});
        ops[op] = serde_json::json!({"name": op, "http": {"method": "POST", "requestUri": "/"},
            "endpointoperation": endpoint_op});
        let m = crate::customize::testing::model(service, "json", ops, serde_json::json!({}));
        let o = m.operation(op).unwrap();
        let ctx = CallContext {
            model: &m,
            region: None,
            rules: true,
            env,
            validate_bucket_names: true,
        };
        let mut parts = http::Request::post("https://x.amazonaws.com/")
            .body(())
            .unwrap()
            .into_parts()
            .0;
        crate::customize::request(&ctx, &o, &mut parts, &mut Bytes::new()).unwrap();
        parts
    }

    #[test]
    fn a_lambda_functions_trace_id_is_forwarded() {
        let lambda = Env::from_vars([
            ("AWS_LAMBDA_FUNCTION_NAME", "f"),
            (
                "_X_AMZN_TRACE_ID",
                "Root=1-5759e988;Parent=53995c3f;Sampled=1 é\n",
            ),
        ]);
        let p = request(&lambda, "SQS", "SendMessage", false);
        assert_eq!(
            p.headers["x-amzn-trace-id"],
            "Root=1-5759e988;Parent=53995c3f;Sampled=1%20%C3%A9%0A"
        );
        let outside = Env::from_vars([("_X_AMZN_TRACE_ID", "Root=1")]);
        assert!(!request(&outside, "SQS", "SendMessage", false)
            .headers
            .contains_key("x-amzn-trace-id"));
    }

    #[test]
    fn endpoint_operations_name_the_api_version() {
        let env = Env::empty();
        let p = request(&env, "DynamoDB", "DescribeEndpoints", true);
        assert_eq!(p.headers["x-amz-api-version"], "2012-06-01");
        let p = request(&env, "DynamoDB", "ListTables", false);
        assert!(!p.headers.contains_key("x-amz-api-version"));
    }

    #[test]
    fn http2_only_operations_are_refused() {
        let m = crate::customize::testing::model(
            "Polly",
            "rest-json",
            serde_json::json!({"StartSpeechSynthesisStream": {"name": "StartSpeechSynthesisStream",
                "http": {"method": "POST", "requestUri": "/"}}}),
            serde_json::json!({}),
        );
        let e = crate::customize::testing::params(
            &m,
            "StartSpeechSynthesisStream",
            serde_json::json!({}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("HTTP/2"), "{e}");
    }
}

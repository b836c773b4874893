//! S3's customizations, as botocore's handlers apply them:
//! - CreateBucket outside us-east-1 gets the region's `LocationConstraint` when none is
//!   given, as boto3 users expect.
//! - CopyObject and UploadPartCopy get their `CopySource` percent-encoded (given as
//!   `"bucket/key"` or `{"Bucket", "Key", "VersionId"}`), as S3 requires.
//! - Endpoint built-ins per call: GetBucketLocation is always addressed path style, an
//!   ARN bucket never.
//! - With rule-set endpoints, the bucket leaves the request path: the rules put it in the
//!   host or in the endpoint's path.
//!
//! Owns those rewrites; `customize` registers them.

use super::CallContext;
use inia_endpoint::Val;
use inia_model::Operation;
use serde_json::{json, Value};

/// Characters a copy source keeps as they are.
const COPY_SOURCE_SAFE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// `CopySource` as S3 wants it in `x-amz-copy-source`: percent-encoded (a `?versionId=`
/// suffix left as it is), from `"bucket/key"` or `{"Bucket", "Key", "VersionId"}`.
pub(crate) fn encode_copy_source(v: &Value) -> Option<String> {
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, COPY_SOURCE_SAFE).to_string();
    match v {
        Value::String(s) => Some(match s.split_once("?versionId=") {
            Some((path, version)) => format!("{}?versionId={version}", enc(path)),
            None => enc(s),
        }),
        Value::Object(o) => {
            let bucket = o.get("Bucket")?.as_str()?;
            let key = o.get("Key")?.as_str()?;
            let mut out = format!("{bucket}/{}", enc(key));
            if let Some(version) = o.get("VersionId").and_then(Value::as_str) {
                out.push_str("?versionId=");
                out.push_str(version);
            }
            Some(out)
        }
        _ => None,
    }
}

pub(crate) fn copy_source(_: &CallContext<'_>, _: &Operation, mut params: Value) -> Value {
    if let Some(obj) = params.as_object_mut() {
        if let Some(encoded) = obj.get("CopySource").and_then(encode_copy_source) {
            obj.insert("CopySource".into(), Value::String(encoded));
        }
    }
    params
}

pub(crate) fn location_constraint(
    ctx: &CallContext<'_>,
    _: &Operation,
    mut params: Value,
) -> Value {
    let region = ctx.region.unwrap_or("us-east-1");
    if region != "us-east-1" {
        if let Some(obj) = params.as_object_mut() {
            obj.entry("CreateBucketConfiguration")
                .or_insert_with(|| json!({"LocationConstraint": region}));
        }
    }
    params
}

pub(crate) fn addressing_builtins(
    op: &Operation,
    params: &Value,
    builtins: &mut super::Builtins<'_>,
) {
    let is_arn = params["Bucket"]
        .as_str()
        .is_some_and(|b| b.starts_with("arn:") && b.split(':').count() >= 6);
    let force = if op.name == "GetBucketLocation" {
        Some(true)
    } else if is_arn {
        Some(false)
    } else {
        None
    };
    if let Some(force) = force {
        let b = builtins.to_mut();
        b.retain(|(k, _)| *k != "AWS::S3::ForcePathStyle");
        b.push(("AWS::S3::ForcePathStyle", Val::Bool(force)));
    }
}

/// Take the bucket (the first path segment) out of a serialized path, when the
/// operation's URI starts with it.
pub(crate) fn bucket_out_of_path(
    ctx: &CallContext<'_>,
    op: &Operation,
    path_and_query: &mut String,
) {
    if !ctx.rules || !op.http.request_uri.starts_with("/{Bucket}") {
        return;
    }
    let rest = path_and_query.get(1..).unwrap_or("");
    let end = rest.find(['/', '?']).map_or(rest.len(), |i| i);
    *path_and_query = rest[end..].to_string();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_sources_are_encoded() {
        assert_eq!(
            encode_copy_source(&json!("b/dir/a b+é.txt")).unwrap(),
            "b/dir/a%20b%2B%C3%A9.txt"
        );
        assert_eq!(
            encode_copy_source(&json!("b/k é?versionId=v1")).unwrap(),
            "b/k%20%C3%A9?versionId=v1"
        );
        assert_eq!(
            encode_copy_source(&json!({"Bucket": "b", "Key": "x y", "VersionId": "3"})).unwrap(),
            "b/x%20y?versionId=3"
        );
    }
}

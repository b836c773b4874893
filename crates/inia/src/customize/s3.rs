//! S3's input customizations, as botocore's handlers apply them:
//! - a `Bucket` that is neither a bucket name (1 to 255 letters, digits, `.`, `-`, `_`)
//!   nor an access point or Outposts ARN is refused before anything is sent, with an
//!   error that says so rather than S3's `NoSuchBucket` (unless the session turns the
//!   check off: `SessionBuilder::validate_bucket_names`);
//! - user metadata (`Metadata`) of PutObject, CopyObject and CreateMultipartUpload must
//!   be ASCII, as S3 stores it in headers;
//! - SSE-C: `SSECustomerKey` and `CopySourceSSECustomerKey`, given as the raw key, are
//!   sent base64-encoded with their MD5 (`...KeyMD5`), unless the caller gave the MD5;
//! - ListObjects, ListObjectsV2 and ListObjectVersions ask for `EncodingType=url` when
//!   the caller did not, so that any key survives XML; the answer's keys are decoded
//!   again (`s3_answers`);
//! - CreateBucket outside us-east-1 gets the region's `LocationConstraint` when none is
//!   given, as boto3 users expect;
//! - CopyObject and UploadPartCopy get their `CopySource` percent-encoded (given as
//!   `"bucket/key"` or `{"Bucket", "Key", "VersionId"}`; an access point ARN as the
//!   bucket names the object as `<arn>/object/<key>`), as S3 requires;
//! - DeleteObjects and PutBucketLifecycleConfiguration send line breaks in their XML as
//!   character references, so that XML's line-break normalization keeps keys as given;
//! - endpoint built-ins per call: GetBucketLocation is always addressed path style, an
//!   ARN bucket never;
//! - with rule-set endpoints, the bucket leaves the request path: the rules put it in the
//!   host or in the endpoint's path.
//!
//! Owns those rewrites; `customize` registers them. The answers' customizations are in
//! `s3_answers`.

use super::{refuse, CallContext, Notes};
use crate::error::Error;
use base64::Engine;
use bytes::Bytes;
use inia_endpoint::Val;
use inia_model::Operation;
use md5::Digest;
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
/// `None` for a value of another type (validation names it); an error for an object
/// without its `Bucket` or `Key`.
pub(crate) fn encode_copy_source(v: &Value) -> Result<Option<String>, Error> {
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, COPY_SOURCE_SAFE).to_string();
    Ok(match v {
        Value::String(s) => Some(match s.split_once("?versionId=") {
            Some((path, version)) => format!("{}?versionId={version}", enc(path)),
            None => enc(s),
        }),
        Value::Object(o) => {
            let field = |k: &str| {
                o.get(k).and_then(Value::as_str).ok_or_else(|| {
                    refuse(
                        &format!("CopySource.{k}"),
                        "missing: a copy source object needs Bucket and Key",
                    )
                })
            };
            let (bucket, key) = (field("Bucket")?, field("Key")?);
            let path = match is_access_point_arn(bucket) {
                true => format!("{bucket}/object/{key}"),
                false => format!("{bucket}/{key}"),
            };
            let mut out = enc(&path);
            if let Some(version) = o.get("VersionId").and_then(Value::as_str) {
                out.push_str("?versionId=");
                out.push_str(version);
            }
            Some(out)
        }
        _ => None,
    })
}

pub(crate) fn copy_source(
    _: &CallContext<'_>,
    _: &Operation,
    mut params: Value,
    _: &mut Notes,
) -> Result<Value, Error> {
    if let Some(obj) = params.as_object_mut() {
        if let Some(v) = obj.get("CopySource") {
            if let Some(encoded) = encode_copy_source(v)? {
                obj.insert("CopySource".into(), Value::String(encoded));
            }
        }
    }
    Ok(params)
}

/// A bucket name S3 takes: 1 to 255 letters, digits, `.`, `-`, `_`.
fn plain_bucket_name(b: &str) -> bool {
    (1..=255).contains(&b.len())
        && b.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
}

/// Whether `s` is made of 1 to `max` characters that `ok` accepts.
fn made_of(s: &str, max: usize, ok: impl Fn(u8) -> bool) -> bool {
    (1..=max).contains(&s.len()) && s.bytes().all(ok)
}

fn region_char(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'
}

fn name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

/// `arn:<partition>:<service>:<region>:<12-digit account>:<resource>` as (service,
/// region, resource), for the partitions whose name starts with `aws`.
fn arn_parts(b: &str) -> Option<(&str, &str, &str)> {
    let mut f = b.splitn(6, ':');
    let (arn, partition, service) = (f.next()?, f.next()?, f.next()?);
    let (region, account, resource) = (f.next()?, f.next()?, f.next()?);
    let ok = arn == "arn"
        && partition.starts_with("aws")
        && account.len() == 12
        && account.bytes().all(|c| c.is_ascii_digit());
    ok.then_some((service, region, resource))
}

/// An access point ARN (S3 or S3 Object Lambda; a Multi-Region one has no region).
fn is_access_point_arn(b: &str) -> bool {
    let Some((service, region, resource)) = arn_parts(b) else {
        return false;
    };
    let name = resource
        .strip_prefix("accesspoint/")
        .or_else(|| resource.strip_prefix("accesspoint:"));
    matches!(service, "s3" | "s3-object-lambda")
        && region.bytes().all(region_char)
        && name.is_some_and(|n| made_of(n, 63, |c| name_char(c) || c == b'.'))
}

/// An Outposts access point ARN.
fn is_outposts_arn(b: &str) -> bool {
    let Some(("s3-outposts", region, resource)) = arn_parts(b) else {
        return false;
    };
    let fields: Vec<&str> = resource.split(['/', ':']).collect();
    !region.is_empty()
        && region.bytes().all(region_char)
        && matches!(fields.as_slice(), ["outpost", id, "accesspoint", name]
            if made_of(id, 63, name_char) && made_of(name, 63, name_char))
}

/// Refuse a `Bucket` S3 could not take (botocore's `validate_bucket_name`).
pub(crate) fn bucket_name(
    ctx: &CallContext<'_>,
    _: &Operation,
    params: Value,
    _: &mut Notes,
) -> Result<Value, Error> {
    if !ctx.validate_bucket_names {
        return Ok(params);
    }
    if let Some(b) = params.get("Bucket").and_then(Value::as_str) {
        if !plain_bucket_name(b) && !is_access_point_arn(b) && !is_outposts_arn(b) {
            return Err(refuse(
                "Bucket",
                format!(
                    "invalid bucket name {b:?}: a bucket name is 1 to 255 letters, digits, \
                     '.', '-' or '_', or an access point or Outposts access point ARN"
                ),
            ));
        }
    }
    Ok(params)
}

/// Refuse user metadata that is not ASCII (botocore's `validate_ascii_metadata`).
pub(crate) fn ascii_metadata(
    _: &CallContext<'_>,
    _: &Operation,
    params: Value,
    _: &mut Notes,
) -> Result<Value, Error> {
    if let Some(meta) = params.get("Metadata").and_then(Value::as_object) {
        for (k, v) in meta {
            let value = v.as_str().unwrap_or("");
            if !k.is_ascii() || !value.is_ascii() {
                return Err(refuse(
                    &format!("Metadata.{k}"),
                    format!(
                        "non-ASCII characters in S3 metadata (key {k:?}, value {value:?}): \
                         S3 metadata can only contain ASCII characters"
                    ),
                ));
            }
        }
    }
    Ok(params)
}

/// `<prefix>Key` sent base64-encoded with its MD5 in `<prefix>KeyMD5`, unless the caller
/// gave the MD5 (then both are taken as given).
fn sse_key(mut params: Value, prefix: &str) -> Value {
    let (key_member, md5_member) = (format!("{prefix}Key"), format!("{prefix}KeyMD5"));
    let Some(obj) = params.as_object_mut() else {
        return params;
    };
    if obj.contains_key(&md5_member) {
        return params;
    }
    let Some(key) = obj.get(&key_member).and_then(Value::as_str) else {
        return params;
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let md5 = b64.encode(md5::Md5::digest(key.as_bytes()));
    let encoded = b64.encode(key.as_bytes());
    obj.insert(key_member, Value::String(encoded));
    obj.insert(md5_member, Value::String(md5));
    params
}

pub(crate) fn sse_customer_key(
    _: &CallContext<'_>,
    _: &Operation,
    params: Value,
    _: &mut Notes,
) -> Result<Value, Error> {
    Ok(sse_key(params, "SSECustomer"))
}

pub(crate) fn copy_source_sse_customer_key(
    _: &CallContext<'_>,
    _: &Operation,
    params: Value,
    _: &mut Notes,
) -> Result<Value, Error> {
    Ok(sse_key(params, "CopySourceSSECustomer"))
}

/// Ask for URL-encoded keys when the caller did not choose an encoding, and note it.
pub(crate) fn url_encoding(
    _: &CallContext<'_>,
    _: &Operation,
    mut params: Value,
    notes: &mut Notes,
) -> Result<Value, Error> {
    if let Some(obj) = params.as_object_mut() {
        if obj.get("EncodingType").is_none_or(Value::is_null) {
            obj.insert("EncodingType".into(), Value::String("url".into()));
            notes.url_encoding_added = true;
        }
    }
    Ok(params)
}

/// Line breaks in the XML body as character references (`&#xD;`, `&#xA;`), as botocore
/// writes them: the serializer writes no line break of its own, so any is the caller's
/// (it already writes a carriage return as `&#13;`, which becomes `&#xD;`).
pub(crate) fn escape_line_breaks(
    _: &CallContext<'_>,
    _: &Operation,
    _: &mut http::request::Parts,
    body: &mut Bytes,
) -> Result<(), Error> {
    const CR_DECIMAL: &[u8] = b"&#13;";
    let has = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    if !body.iter().any(|b| matches!(b, b'\r' | b'\n')) && !has(CR_DECIMAL) {
        return Ok(());
    }
    let mut out = Vec::with_capacity(body.len() + 16);
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'\r' => out.extend_from_slice(b"&#xD;"),
            b'\n' => out.extend_from_slice(b"&#xA;"),
            b'&' if body[i..].starts_with(CR_DECIMAL) => {
                out.extend_from_slice(b"&#xD;");
                i += CR_DECIMAL.len();
                continue;
            }
            b => out.push(b),
        }
        i += 1;
    }
    *body = Bytes::from(out);
    Ok(())
}

pub(crate) fn location_constraint(
    ctx: &CallContext<'_>,
    _: &Operation,
    mut params: Value,
    _: &mut Notes,
) -> Result<Value, Error> {
    let region = ctx.region.unwrap_or("us-east-1");
    if region != "us-east-1" {
        if let Some(obj) = params.as_object_mut() {
            obj.entry("CreateBucketConfiguration")
                .or_insert_with(|| json!({"LocationConstraint": region}));
        }
    }
    Ok(params)
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
    use crate::customize::testing;

    fn s3() -> inia_model::ServiceModel {
        inia_model::SpecPath::embedded_only()
            .load_service("s3")
            .unwrap()
    }

    #[test]
    fn copy_sources_are_encoded() {
        let enc = |v: Value| encode_copy_source(&v).unwrap().unwrap();
        assert_eq!(enc(json!("b/dir/a b+é.txt")), "b/dir/a%20b%2B%C3%A9.txt");
        assert_eq!(
            enc(json!("b/k é?versionId=v1")),
            "b/k%20%C3%A9?versionId=v1"
        );
        assert_eq!(
            enc(json!({"Bucket": "b", "Key": "x y", "VersionId": "3"})),
            "b/x%20y?versionId=3"
        );
        // An access point ARN names the object under `/object/`, all of it encoded.
        assert_eq!(
            enc(
                json!({"Bucket": "arn:aws:s3:us-west-2:123456789012:accesspoint/myap", "Key": "a b"})
            ),
            "arn%3Aaws%3As3%3Aus-west-2%3A123456789012%3Aaccesspoint/myap/object/a%20b"
        );
        let e = encode_copy_source(&json!({"Bucket": "b"})).unwrap_err();
        assert!(e.to_string().contains("CopySource.Key"), "{e}");
        assert!(encode_copy_source(&json!(3)).unwrap().is_none());
    }

    #[test]
    fn bucket_names_and_arns_are_checked_before_sending() {
        let m = s3();
        let call = |b: &str| testing::params(&m, "GetObject", json!({"Bucket": b, "Key": "k"}));
        for ok in [
            "my-bucket",
            "My_Bucket.1",
            "bucket--usw2-az1--x-s3",
            "arn:aws:s3:us-west-2:123456789012:accesspoint/myap",
            "arn:aws:s3:us-west-2:123456789012:accesspoint:myap",
            "arn:aws-cn:s3-object-lambda:cn-north-1:123456789012:accesspoint/ol",
            "arn:aws:s3::123456789012:accesspoint:mfzwi23gnjvgw.mrap",
            "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/reports",
        ] {
            assert!(call(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "bucket/key",
            "a b",
            "arn:aws:s3:us-west-2:12345:accesspoint/myap",
            "arn:aws:s3:us-west-2:123456789012:bucket/b",
            "arn:aws:s3-outposts::123456789012:outpost/op-1/accesspoint/r",
        ] {
            let e = call(bad).unwrap_err();
            assert!(
                matches!(&e, Error::Param { path, .. } if path == "Bucket"),
                "{bad}: {e}"
            );
        }
        assert!(call(&"b".repeat(256)).is_err());
        // A session may turn the check off (stores with other names).
        let env = inia_auth::config::Env::empty();
        let ctx = CallContext {
            model: &m,
            region: None,
            rules: true,
            env: &env,
            validate_bucket_names: false,
        };
        let op = m.operation("GetObject").unwrap();
        let odd = json!({"Bucket": "tenant:bucket", "Key": "k"});
        let out = crate::customize::params(&ctx, &op, odd.clone(), &mut Notes::default());
        assert_eq!(out.unwrap(), odd);
    }

    #[test]
    fn metadata_must_be_ascii() {
        let m = s3();
        let put = |meta: Value| {
            testing::params(
                &m,
                "PutObject",
                json!({"Bucket": "b", "Key": "k", "Metadata": meta}),
            )
        };
        assert!(put(json!({"a": "plain value"})).is_ok());
        let e = put(json!({"a": "é"})).unwrap_err();
        assert!(
            matches!(&e, Error::Param { path, .. } if path == "Metadata.a"),
            "{e}"
        );
        assert!(put(json!({"é": "x"})).is_err());
        // GetObject has no metadata rule.
        assert!(testing::params(&m, "GetObject", json!({"Bucket": "b", "Key": "é"})).is_ok());
    }

    #[test]
    fn sse_c_keys_go_base64_with_their_md5() {
        let m = s3();
        let key = "0123456789abcdef0123456789abcdef";
        let (v, _) = testing::params(
            &m,
            "UploadPartCopy",
            json!({"Bucket": "b", "Key": "k", "CopySource": "b/s", "PartNumber": 1,
                   "UploadId": "u", "SSECustomerKey": key, "CopySourceSSECustomerKey": key}),
        )
        .unwrap();
        let (b64, md5) = (
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            "hRasmdxgYDKV3nvbahU1MA==",
        );
        assert_eq!(v["SSECustomerKey"], b64);
        assert_eq!(v["SSECustomerKeyMD5"], md5);
        assert_eq!(v["CopySourceSSECustomerKey"], b64);
        assert_eq!(v["CopySourceSSECustomerKeyMD5"], md5);
        // The caller's MD5 means the key is taken as given.
        let given =
            json!({"Bucket": "b", "Key": "k", "SSECustomerKey": "a2V5", "SSECustomerKeyMD5": "x"});
        let (v, _) = testing::params(&m, "GetObject", given.clone()).unwrap();
        assert_eq!(v, given);
        // ListObjects has no SSE-C members: untouched.
        let (v, _) = testing::params(&m, "HeadBucket", json!({"Bucket": "b"})).unwrap();
        assert_eq!(v, json!({"Bucket": "b"}));
    }

    #[test]
    fn listings_ask_for_url_encoding_unless_the_caller_chose() {
        let m = s3();
        for op in ["ListObjects", "ListObjectsV2", "ListObjectVersions"] {
            let (v, notes) = testing::params(&m, op, json!({"Bucket": "b"})).unwrap();
            assert_eq!(v["EncodingType"], "url", "{op}");
            assert!(notes.url_encoding_added);
            let (v, notes) =
                testing::params(&m, op, json!({"Bucket": "b", "EncodingType": "url"})).unwrap();
            assert_eq!(v["EncodingType"], "url");
            assert!(!notes.url_encoding_added);
        }
        let (v, notes) = testing::params(&m, "ListBuckets", json!({})).unwrap();
        assert_eq!(v, json!({}));
        assert!(!notes.url_encoding_added);
    }

    #[test]
    fn line_breaks_in_xml_bodies_become_references() {
        let m = s3();
        let op = m.operation("DeleteObjects").unwrap();
        let env = inia_auth::config::Env::empty();
        let ctx = CallContext {
            model: &m,
            region: None,
            rules: true,
            env: &env,
            validate_bucket_names: true,
        };
        let mut parts = http::Request::post("https://b.s3.amazonaws.com/?delete")
            .body(())
            .unwrap()
            .into_parts()
            .0;
        let mut body = Bytes::from_static(b"<Key>a\r\nb&#13;&amp;#13;</Key>");
        crate::customize::request(&ctx, &op, &mut parts, &mut body).unwrap();
        assert_eq!(&body[..], b"<Key>a&#xD;&#xA;b&#xD;&amp;#13;</Key>");
    }
}

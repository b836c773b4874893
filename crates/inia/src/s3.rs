//! S3's addressing and customizations, applied around the generic call path.
//!
//! - Addressing, as the provider file's `addressing` says: `auto` (the default) is
//!   virtual-hosted style (`bucket.s3.region.amazonaws.com/key`) for DNS-compatible
//!   bucket names on AWS hosts and path style (`host/bucket/key`) for custom endpoints and
//!   IP addresses, which S3-compatible stores and emulators need; `path` always path
//!   style; `virtual` virtual-hosted whenever the name allows it (not for IP addresses).
//!   An endpoint with a base path (Walrus's `/services/Walrus`) is always path style.
//!   With virtual hosts, the path-style resource is kept for HMAC-SHA1 signing.
//! - CreateBucket outside us-east-1 gets the region's `LocationConstraint` when none is
//!   given, as boto3 users expect.
//! - CopyObject and UploadPartCopy get their `CopySource` percent-encoded (given as
//!   `"bucket/key"` or `{"Bucket", "Key", "VersionId"}`), as S3 requires.
//!
//! Also joins every service's request path onto its endpoint URL (with host prefixes),
//! since that is where S3's rules hook in. Does not own uploads and downloads (see
//! `transfer`).

use crate::client::{url_for, ClientInner};
use crate::error::Error;
use inia_auth::sign::S3AuthPath;
use inia_model::{Addressing, Operation};
use inia_protocol::HostPrefix;
use serde_json::{json, Value};

pub(crate) fn is_s3(inner: &ClientInner) -> bool {
    inner.model.metadata().service_id.as_deref() == Some("S3")
}

/// Characters a copy source keeps as they are.
const COPY_SOURCE_SAFE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// `CopySource` as S3 wants it in `x-amz-copy-source`: percent-encoded (a `?versionId=`
/// suffix left as it is), from `"bucket/key"` or `{"Bucket", "Key", "VersionId"}`.
pub fn encode_copy_source(v: &Value) -> Option<String> {
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

/// Params with S3's defaults and encodings applied.
pub(crate) fn customize_params(inner: &ClientInner, op: &Operation, params: Value) -> Value {
    if !is_s3(inner) {
        return params;
    }
    if matches!(op.name.as_str(), "CopyObject" | "UploadPartCopy") {
        let mut params = params;
        if let Some(obj) = params.as_object_mut() {
            if let Some(encoded) = obj.get("CopySource").and_then(encode_copy_source) {
                obj.insert("CopySource".into(), Value::String(encoded));
            }
        }
        return params;
    }
    if op.name != "CreateBucket" {
        return params;
    }
    let region = inner.endpoint.signing_region.as_str();
    let mut params = params;
    if region != "us-east-1" {
        if let Some(obj) = params.as_object_mut() {
            obj.entry("CreateBucketConfiguration")
                .or_insert_with(|| json!({"LocationConstraint": region}));
        }
    }
    params
}

/// A bucket name usable as a DNS label under HTTPS.
pub fn dns_compatible(bucket: &str) -> bool {
    (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !bucket.starts_with('-')
        && !bucket.ends_with('-')
}

fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[')
}

/// Give the request its full URL: endpoint + path, the host prefix applied, and S3's
/// bucket addressing. Returns the path-style resource when the bucket moved to the host.
pub(crate) fn address(
    inner: &ClientInner,
    mut parts: http::request::Parts,
    _op: &Operation,
) -> Result<(http::request::Parts, Option<S3AuthPath>), Error> {
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_string(), |pq| pq.as_str().to_string());
    let mut uri = url_for(&inner.endpoint.url, &path_and_query)?;
    let mut auth_path = None;
    // An endpoint with a base path (`http://h/prefix`) is always addressed path style: the
    // first path segment after it is the bucket only there.
    let base_path = inner
        .endpoint
        .url
        .split_once("://")
        .is_some_and(|(_, rest)| rest.contains('/'));
    let virtual_hosts = !base_path
        && match inner.addressing {
            Addressing::Path => false,
            Addressing::Virtual => true,
            Addressing::Auto => !inner.endpoint_overridden(),
        };
    if is_s3(inner) && virtual_hosts {
        let host = uri.host().unwrap_or("");
        let path = uri.path();
        let bucket = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let aws_host = host.ends_with(".amazonaws.com");
        if !bucket.is_empty()
            && dns_compatible(bucket)
            && !is_ip(host)
            && (aws_host || inner.addressing == Addressing::Virtual)
        {
            let rest = &path[1 + bucket.len()..];
            let rest = if rest.is_empty() { "/" } else { rest };
            let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            let scheme = uri.scheme_str().unwrap_or("https");
            let authority = uri.authority().map(|a| a.as_str()).unwrap_or("");
            auth_path = Some(S3AuthPath(path.to_string()));
            uri = format!("{scheme}://{bucket}.{authority}{rest}{query}")
                .parse()
                .map_err(|e| {
                    Error::Config(format!("virtual-hosted URL for bucket {bucket}: {e}"))
                })?;
        }
    }
    if let Some(HostPrefix(prefix)) = parts.extensions.get::<HostPrefix>().cloned() {
        let authority = uri.authority().map(|a| a.as_str()).unwrap_or("");
        if !is_ip(uri.host().unwrap_or("")) {
            let scheme = uri.scheme_str().unwrap_or("https");
            let pq = uri.path_and_query().map_or("/", |p| p.as_str());
            uri = format!("{scheme}://{prefix}{authority}{pq}")
                .parse()
                .map_err(|e| Error::Config(format!("host prefix {prefix:?}: {e}")))?;
        }
    }
    parts.uri = uri;
    Ok((parts, auth_path))
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

    #[test]
    fn bucket_names() {
        assert!(dns_compatible("my-bucket-1"));
        assert!(!dns_compatible("My_Bucket"));
        assert!(!dns_compatible("a.b"));
        assert!(!dns_compatible("ab"));
    }
}

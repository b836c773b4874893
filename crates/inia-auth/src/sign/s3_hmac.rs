//! S3's legacy HMAC-SHA1 scheme (`Authorization: AWS key:signature`), still spoken by
//! Walrus, Google Cloud Storage's XML interop and many S3-compatible stores.
//!
//! String to sign: `VERB\nContent-MD5\nContent-Type\nDate\n` + the `x-amz-*` headers
//! (lower-cased, sorted, values trimmed, repeats joined by `,`) + the canonical resource:
//! `/bucket/key` plus the sub-resources S3 lists (`?acl`, `?uploadId=…`), sorted. When
//! `x-amz-date` is sent, the Date line is empty.
//!
//! Owns that scheme. Does not own addressing: with virtual-hosted style the caller puts the
//! path-style resource in an [`S3AuthPath`] request extension.

use super::canonical::decode;
use super::sigv4::ensure_host;
use super::{Sign, SignError, Signed, SignedBody, SigningContext};
use base64::Engine;
use chrono::{DateTime, Utc};
use http::header::{HeaderValue, AUTHORIZATION, DATE};
use ring::hmac;

/// Request extension: the path-style resource (`/bucket/key`) when the URI is
/// virtual-hosted (`bucket.host/key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3AuthPath(pub String);

/// Query parameters that are part of the canonical resource.
const SUB_RESOURCES: &[&str] = &[
    "accelerate",
    "acl",
    "analytics",
    "cors",
    "delete",
    "encryption",
    "intelligent-tiering",
    "inventory",
    "legal-hold",
    "lifecycle",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "ownershipControls",
    "partNumber",
    "policy",
    "policyStatus",
    "publicAccessBlock",
    "replication",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "retention",
    "select",
    "select-type",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
];

/// The S3 HMAC-SHA1 signer.
#[derive(Debug, Clone, Copy, Default)]
pub struct S3HmacSha1;

impl S3HmacSha1 {
    /// The string to sign for a request head whose Date (or x-amz-date) is already set.
    pub fn string_to_sign(parts: &http::request::Parts) -> String {
        let h = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let date = if parts.headers.contains_key("x-amz-date") {
            String::new()
        } else {
            h("date")
        };
        let mut s = format!(
            "{}\n{}\n{}\n{date}\n",
            parts.method,
            h("content-md5"),
            h("content-type")
        );
        let mut amz: Vec<&str> = parts
            .headers
            .keys()
            .map(|k| k.as_str())
            .filter(|k| k.starts_with("x-amz-"))
            .collect();
        amz.sort_unstable();
        amz.dedup();
        for name in amz {
            let values: Vec<String> = parts
                .headers
                .get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
                .collect();
            s.push_str(&format!("{name}:{}\n", values.join(",")));
        }
        let path = parts
            .extensions
            .get::<S3AuthPath>()
            .map(|p| p.0.clone())
            .unwrap_or_else(|| parts.uri.path().to_string());
        s.push_str(if path.is_empty() { "/" } else { &path });
        let mut subs: Vec<(String, Option<String>)> = parts
            .uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter_map(|p| {
                let (k, v) = match p.split_once('=') {
                    Some((k, v)) => (decode(k), Some(decode(v))),
                    None => (decode(p), None),
                };
                SUB_RESOURCES.contains(&k.as_str()).then_some((k, v))
            })
            .collect();
        subs.sort();
        for (i, (k, v)) in subs.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            s.push_str(k);
            if let Some(v) = v {
                s.push('=');
                s.push_str(v);
            }
        }
        s
    }

    /// Base64 HMAC-SHA1 of `string_to_sign`.
    pub fn signature(secret: &str, string_to_sign: &str) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
        base64::engine::general_purpose::STANDARD
            .encode(hmac::sign(&key, string_to_sign.as_bytes()))
    }
}

impl Sign for S3HmacSha1 {
    fn name(&self) -> &'static str {
        "s3"
    }

    fn sign(
        &self,
        parts: &mut http::request::Parts,
        _body: &SignedBody,
        ctx: &SigningContext<'_>,
    ) -> Result<Signed, SignError> {
        let creds = ctx.require_credentials("s3 hmac-sha1")?;
        ensure_host(parts)?;
        parts.headers.remove(AUTHORIZATION);
        if !parts.headers.contains_key(DATE) {
            let t: DateTime<Utc> = ctx.time.into();
            let v = t.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            parts.headers.insert(
                DATE,
                HeaderValue::from_str(&v).map_err(|e| SignError::Invalid(e.to_string()))?,
            );
        }
        if let Some(t) = creds.session_token() {
            let mut v = HeaderValue::from_str(t.expose()).map_err(|_| {
                SignError::Invalid("session token is not a valid header value".into())
            })?;
            v.set_sensitive(true);
            parts.headers.insert("x-amz-security-token", v);
        }
        let sts = Self::string_to_sign(parts);
        let sig = Self::signature(creds.secret_access_key().expose(), &sts);
        if tracing::enabled!(tracing::Level::TRACE) {
            let shown = match creds.session_token() {
                Some(t) => sts.replace(t.expose(), "** redacted **"),
                None => sts.clone(),
            };
            tracing::trace!(string_to_sign = %shown, "s3 hmac-sha1");
        }
        let auth = format!("AWS {}:{sig}", creds.access_key_id());
        let mut auth =
            HeaderValue::from_str(&auth).map_err(|e| SignError::Invalid(e.to_string()))?;
        auth.set_sensitive(true);
        parts.headers.insert(AUTHORIZATION, auth);
        Ok(Signed::in_place())
    }
}

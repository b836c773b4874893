//! Azure Storage's Shared Key scheme for the Blob service (`Authorization: SharedKey
//! account:signature`), in the form services of version 2015-02-21 and later check.
//!
//! Credentials map onto it as: access key id = the storage account name, secret access key
//! = the account key as Azure prints it (base64; decoded here). The signer sets `x-ms-date`
//! from the signing time and keeps whatever `x-ms-version` the request carries.
//!
//! String to sign: the verb and eleven standard headers (Content-Encoding, -Language,
//! -Length (empty when 0), -MD5, -Type, Date (empty: `x-ms-date` is always sent),
//! If-Modified-Since, If-Match, If-None-Match, If-Unmodified-Since, Range), one per line;
//! then every `x-ms-` header as `name:value\n` (names lower-cased and sorted, values trimmed,
//! folded lines unfolded); then the canonicalized resource: `/account` + the URI path as
//! sent, then `\nname:value` per query parameter (names lower-cased and sorted, values
//! decoded, repeated values sorted and joined by `,`).
//!
//! Owns that scheme. Does not own which header version a request carries (the provider file
//! adds `x-ms-version`) nor the endpoint (with Azurite the account also appears in the path,
//! so the resource reads `/devstoreaccount1/devstoreaccount1/...`; that is the caller's URI).

use super::canonical::decode;
use super::sigv4::ensure_host;
use super::{Sign, SignError, Signed, SignedBody, SigningContext};
use base64::Engine;
use chrono::{DateTime, Utc};
use http::header::{HeaderValue, AUTHORIZATION, CONTENT_LENGTH};
use ring::hmac;
use std::collections::BTreeMap;

/// The standard headers of the string to sign, in order (after the verb).
const STANDARD_HEADERS: &[&str] = &[
    "content-encoding",
    "content-language",
    "content-length",
    "content-md5",
    "content-type",
    "date",
    "if-modified-since",
    "if-match",
    "if-none-match",
    "if-unmodified-since",
    "range",
];

/// The Azure Shared Key signer (Blob service form).
#[derive(Debug, Clone, Copy, Default)]
pub struct AzureSharedKey;

/// A header value as text (lossy for non-UTF-8 bytes), trimmed, with any folded line break
/// and the blanks around it replaced by one space.
fn unfold(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' || c == '\n' {
            while out.ends_with([' ', '\t']) {
                out.pop();
            }
            while chars
                .next_if(|n| matches!(n, '\r' | '\n' | ' ' | '\t'))
                .is_some()
            {}
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

impl AzureSharedKey {
    /// The string to sign for a request head whose `x-ms-date` is already set. `account` is
    /// the storage account name.
    pub fn string_to_sign(parts: &http::request::Parts, account: &str) -> String {
        let mut s = String::with_capacity(256);
        s.push_str(parts.method.as_str());
        s.push('\n');
        let uses_ms_date = parts.headers.contains_key("x-ms-date");
        for name in STANDARD_HEADERS {
            let value = match *name {
                "date" if uses_ms_date => String::new(),
                _ => {
                    let values: Vec<String> = parts
                        .headers
                        .get_all(*name)
                        .iter()
                        .map(|v| unfold(v.as_bytes()))
                        .collect();
                    values.join(",")
                }
            };
            if *name == "content-length" && value == "0" {
                s.push('\n');
                continue;
            }
            s.push_str(&value);
            s.push('\n');
        }
        // Canonicalized headers.
        let mut ms: Vec<&str> = parts
            .headers
            .keys()
            .map(|k| k.as_str())
            .filter(|k| k.starts_with("x-ms-"))
            .collect();
        ms.sort_unstable();
        ms.dedup();
        for name in ms {
            let values: Vec<String> = parts
                .headers
                .get_all(name)
                .iter()
                .map(|v| unfold(v.as_bytes()))
                .collect();
            s.push_str(name);
            s.push(':');
            s.push_str(&values.join(","));
            s.push('\n');
        }
        // Canonicalized resource.
        s.push('/');
        s.push_str(account);
        let path = parts.uri.path();
        s.push_str(if path.is_empty() { "/" } else { path });
        let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for pair in parts.uri.query().unwrap_or("").split('&') {
            if pair.is_empty() {
                continue;
            }
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            params
                .entry(decode(k).to_lowercase())
                .or_default()
                .push(decode(v));
        }
        for (name, mut values) in params {
            values.sort();
            s.push('\n');
            s.push_str(&name);
            s.push(':');
            s.push_str(&values.join(","));
        }
        s
    }

    /// Base64 HMAC-SHA256 of `string_to_sign` under the decoded account key.
    pub fn signature(key: &[u8], string_to_sign: &str) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, key);
        base64::engine::general_purpose::STANDARD
            .encode(hmac::sign(&key, string_to_sign.as_bytes()))
    }

    /// The account key as bytes. The error never repeats the key or any part of it.
    pub fn decode_key(key: &str) -> Result<Vec<u8>, SignError> {
        let key = key.trim();
        if key.is_empty() {
            return Err(SignError::Invalid(
                "azure-shared-key signing needs the storage account key as the secret access \
                 key, and it is empty"
                    .into(),
            ));
        }
        base64::engine::general_purpose::STANDARD
            .decode(key)
            .map_err(|_| {
                SignError::Invalid(format!(
                    "the Azure storage account key (the secret access key, {} characters) is \
                     not valid base64; use the key exactly as the Azure portal or CLI shows it",
                    key.chars().count()
                ))
            })
    }
}

impl Sign for AzureSharedKey {
    fn name(&self) -> &'static str {
        "azure-shared-key"
    }

    fn sign(
        &self,
        parts: &mut http::request::Parts,
        body: &SignedBody,
        ctx: &SigningContext<'_>,
    ) -> Result<Signed, SignError> {
        let creds = ctx.require_credentials("azure-shared-key")?;
        let account = creds.access_key_id().trim();
        if account.is_empty() {
            return Err(SignError::Invalid(
                "azure-shared-key signing needs the storage account name as the access key id, \
                 and it is empty"
                    .into(),
            ));
        }
        let key = Self::decode_key(creds.secret_access_key().expose())?;
        ensure_host(parts)?;
        parts.headers.remove(AUTHORIZATION);
        // What is signed must be what is sent: an in-memory body's length goes in the head.
        if let SignedBody::Bytes(b) = body {
            if !b.is_empty() && !parts.headers.contains_key(CONTENT_LENGTH) {
                parts
                    .headers
                    .insert(CONTENT_LENGTH, HeaderValue::from(b.len()));
            }
        }
        let t: DateTime<Utc> = ctx.time.into();
        let date = t.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        parts.headers.insert(
            "x-ms-date",
            HeaderValue::from_str(&date).map_err(|e| SignError::Invalid(e.to_string()))?,
        );
        let sts = Self::string_to_sign(parts, account);
        tracing::trace!(string_to_sign = %sts, "azure-shared-key");
        let sig = Self::signature(&key, &sts);
        let mut auth =
            HeaderValue::from_str(&format!("SharedKey {account}:{sig}")).map_err(|_| {
                SignError::Invalid(format!(
                    "the storage account name `{account}` cannot be sent in a header"
                ))
            })?;
        auth.set_sensitive(true);
        parts.headers.insert(AUTHORIZATION, auth);
        Ok(Signed::in_place())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use std::time::{Duration, UNIX_EPOCH};

    /// A made-up key (base64 of 32 fixed bytes); not any real account's.
    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn parts(method: &str, uri: &str, headers: &[(&str, &str)]) -> http::request::Parts {
        let mut b = http::Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    fn time() -> std::time::SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000) // 2023-11-14T22:13:20Z
    }

    #[test]
    fn list_containers_at_the_account_root() {
        let p = parts(
            "GET",
            "https://acct.blob.core.windows.net/?comp=list&maxresults=2&prefix=a%20b",
            &[
                ("x-ms-date", "Tue, 14 Nov 2023 22:13:20 GMT"),
                ("x-ms-version", "2021-08-06"),
            ],
        );
        assert_eq!(
            AzureSharedKey::string_to_sign(&p, "acct"),
            "GET\n\n\n\n\n\n\n\n\n\n\n\n\
             x-ms-date:Tue, 14 Nov 2023 22:13:20 GMT\nx-ms-version:2021-08-06\n\
             /acct/\ncomp:list\nmaxresults:2\nprefix:a b"
        );
    }

    #[test]
    fn put_blob_with_metadata_and_standard_headers() {
        let p = parts(
            "PUT",
            "http://127.0.0.1:10000/devstoreaccount1/box/dir/my%20file.txt?timeout=30",
            &[
                ("Content-Length", "11"),
                ("Content-Type", "text/plain"),
                ("Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww=="),
                ("If-None-Match", "*"),
                ("Date", "Mon, 01 Jan 2001 00:00:00 GMT"),
                ("x-ms-version", "2021-08-06"),
                ("x-ms-blob-type", "BlockBlob"),
                ("X-Ms-Meta-Colour", "  blue green "),
                ("x-ms-date", "Tue, 14 Nov 2023 22:13:20 GMT"),
                ("x-amz-ignored", "yes"),
            ],
        );
        assert_eq!(
            AzureSharedKey::string_to_sign(&p, "devstoreaccount1"),
            "PUT\n\n\n11\nXrY7u+Ae7tCTyyK7j1rNww==\ntext/plain\n\n\n\n*\n\n\n\
             x-ms-blob-type:BlockBlob\nx-ms-date:Tue, 14 Nov 2023 22:13:20 GMT\n\
             x-ms-meta-colour:blue green\nx-ms-version:2021-08-06\n\
             /devstoreaccount1/devstoreaccount1/box/dir/my%20file.txt\ntimeout:30"
        );
    }

    #[test]
    fn zero_length_and_repeated_query_values() {
        let p = parts(
            "PUT",
            "http://h/a/c?restype=container&Include=b&include=a,c&comp=x%2Fy&flag",
            &[("content-length", "0"), ("range", "bytes=0-9")],
        );
        assert_eq!(
            AzureSharedKey::string_to_sign(&p, "a"),
            "PUT\n\n\n\n\n\n\n\n\n\n\nbytes=0-9\n/a/a/c\ncomp:x/y\nflag:\ninclude:a,c,b\nrestype:container"
        );
    }

    #[test]
    fn sign_sets_date_and_a_sensitive_authorization() {
        let creds = Credentials::new("acct", KEY, None, None, "test");
        let ctx = SigningContext::new(&creds, "", "blob", time());
        let mut p = parts(
            "PUT",
            "https://acct.blob.core.windows.net/box?restype=container",
            &[("x-ms-version", "2021-08-06")],
        );
        let body = SignedBody::Bytes(bytes::Bytes::new());
        AzureSharedKey.sign(&mut p, &body, &ctx).unwrap();
        assert_eq!(p.headers["x-ms-date"], "Tue, 14 Nov 2023 22:13:20 GMT");
        assert_eq!(p.headers["x-ms-version"], "2021-08-06");
        assert_eq!(p.headers["host"], "acct.blob.core.windows.net");
        let auth = p.headers[AUTHORIZATION].clone();
        assert!(auth.is_sensitive());
        let sts = AzureSharedKey::string_to_sign(&p, "acct");
        let key = AzureSharedKey::decode_key(KEY).unwrap();
        let want = format!("SharedKey acct:{}", AzureSharedKey::signature(&key, &sts));
        assert_eq!(auth.to_str().unwrap(), want);
        // HMAC-SHA256 itself, against RFC 4231 test case 2 (key "Jefe").
        assert_eq!(
            AzureSharedKey::signature(b"Jefe", "what do ya want for nothing?"),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        );
        let shown = format!("{p:?} {:?} {:?}", AzureSharedKey, creds);
        assert!(
            !shown.contains(KEY) && !shown.contains(&want[10..]),
            "{shown}"
        );
    }

    #[test]
    fn in_memory_body_length_is_signed_and_sent() {
        let creds = Credentials::new("acct", KEY, None, None, "test");
        let ctx = SigningContext::new(&creds, "", "blob", time());
        let mut p = parts("PUT", "https://acct.blob.core.windows.net/box/b", &[]);
        let body = SignedBody::Bytes(bytes::Bytes::from_static(b"hello"));
        AzureSharedKey.sign(&mut p, &body, &ctx).unwrap();
        assert_eq!(p.headers[CONTENT_LENGTH], "5");
        assert!(AzureSharedKey::string_to_sign(&p, "acct").starts_with("PUT\n\n\n5\n"));
    }

    #[test]
    fn a_bad_key_is_a_clear_error_that_hides_the_key() {
        let ctx_for = |c: &Credentials| {
            let mut p = parts("GET", "https://acct.blob.core.windows.net/?comp=list", &[]);
            let ctx = SigningContext::new(c, "", "blob", time());
            AzureSharedKey
                .sign(&mut p, &SignedBody::Unsigned, &ctx)
                .unwrap_err()
        };
        let secret = "not*base64!secret-value";
        let err = ctx_for(&Credentials::new("acct", secret, None, None, "test"));
        let text = format!("{err} {err:?}");
        assert!(text.contains("not valid base64"), "{text}");
        assert!(
            !text.contains("secret-value") && !text.contains("not*"),
            "{text}"
        );
        let err = ctx_for(&Credentials::new("acct", "", None, None, "test"));
        assert!(err.to_string().contains("empty"), "{err}");
        let err = ctx_for(&Credentials::new("", KEY, None, None, "test"));
        assert!(err.to_string().contains("account name"), "{err}");
        let mut p = parts("GET", "https://acct.blob.core.windows.net/", &[]);
        let none = SigningContext {
            credentials: None,
            region: "",
            service: "blob",
            time: time(),
            token: None,
        };
        assert!(AzureSharedKey
            .sign(&mut p, &SignedBody::Unsigned, &none)
            .is_err());
    }

    #[test]
    fn unfold_trims_and_joins_folded_lines() {
        assert_eq!(unfold(b"  a \r\n\t b  "), "a b");
        assert_eq!(unfold(b"plain"), "plain");
        assert_eq!(unfold(b"x  y"), "x  y");
    }
}

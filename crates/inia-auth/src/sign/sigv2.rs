//! Signature Version 2 (query APIs: SimpleDB, Import/Export, older Eucalyptus):
//! HmacSHA256 over `METHOD\nhost\npath\nsorted-params`, the parameters and signature
//! travelling in the query string (GET) or the form body (POST).
//!
//! Owns SigV2. Does not own which services use it.

use super::canonical::{decode, encode, STRICT};
use super::sigv4::{ensure_host, set_query};
use super::{Sign, SignError, Signed, SignedBody, SigningContext};
use base64::Engine;
use chrono::{DateTime, Utc};
use ring::hmac;

/// The SigV2 signer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SigV2;

impl SigV2 {
    /// The string to sign for `params` (decoded key/value pairs).
    pub fn string_to_sign(
        method: &str,
        host: &str,
        path: &str,
        params: &[(String, String)],
    ) -> String {
        let mut sorted: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (encode(k, STRICT), encode(v, STRICT)))
            .collect();
        sorted.sort();
        let query: Vec<String> = sorted
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let path = if path.is_empty() { "/" } else { path };
        format!(
            "{method}\n{}\n{path}\n{}",
            host.to_ascii_lowercase(),
            query.join("&")
        )
    }

    /// Base64 HMAC-SHA256 of `string_to_sign`.
    pub fn signature(secret: &str, string_to_sign: &str) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        base64::engine::general_purpose::STANDARD
            .encode(hmac::sign(&key, string_to_sign.as_bytes()))
    }
}

fn parse_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(&k.replace('+', " ")), decode(&v.replace('+', " ")))
        })
        .collect()
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k, STRICT), encode(v, STRICT)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Sign for SigV2 {
    fn name(&self) -> &'static str {
        "v2"
    }

    fn sign(
        &self,
        parts: &mut http::request::Parts,
        body: &SignedBody,
        ctx: &SigningContext<'_>,
    ) -> Result<Signed, SignError> {
        let creds = ctx.require_credentials("sigv2")?;
        ensure_host(parts)?;
        let host = parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("")
            .to_string();
        let in_body = parts.method == http::Method::POST;
        let mut params = if in_body {
            match body {
                SignedBody::Bytes(b) => parse_pairs(&String::from_utf8_lossy(b)),
                _ => {
                    return Err(SignError::Invalid(
                        "SigV2 POST needs the form body in memory".into(),
                    ))
                }
            }
        } else {
            parse_pairs(parts.uri.query().unwrap_or(""))
        };
        let drop = [
            "AWSAccessKeyId",
            "SignatureMethod",
            "SignatureVersion",
            "Timestamp",
            "SecurityToken",
            "Signature",
        ];
        params.retain(|(k, _)| !drop.contains(&k.as_str()));
        let time: DateTime<Utc> = ctx.time.into();
        params.push(("AWSAccessKeyId".into(), creds.access_key_id().into()));
        params.push(("SignatureMethod".into(), "HmacSHA256".into()));
        params.push(("SignatureVersion".into(), "2".into()));
        params.push((
            "Timestamp".into(),
            time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ));
        if let Some(t) = creds.session_token() {
            params.push(("SecurityToken".into(), t.expose().into()));
        }
        let sts = Self::string_to_sign(parts.method.as_str(), &host, parts.uri.path(), &params);
        let sig = Self::signature(creds.secret_access_key().expose(), &sts);
        params.push(("Signature".into(), sig));
        let encoded = encode_pairs(&params);
        if in_body {
            parts.headers.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
            );
            Ok(Signed::with_body(bytes::Bytes::from(encoded)))
        } else {
            set_query(parts, &encoded)?;
            Ok(Signed::in_place())
        }
    }
}

//! AWS Signature Version 4: in the `Authorization` header, or in the query string
//! (presigned URLs).
//!
//! The canonical request is built in one pass into one buffer; the signing key for a
//! (secret, date, region, service) is derived once and cached, so a typical request
//! costs two SHA-256 digests and one HMAC. Canonical requests are logged at trace level
//! with the session token redacted.
//!
//! Owns SigV4's canonical request, string to sign and signature. Does not own where the
//! region and signing name come from (the endpoint layer) or the credentials.

use super::canonical::{self, encode, fold_spaces, hex, sha256_hex, PATH, STRICT};
use super::{SignBody, SignError, SigningContext};
use crate::credentials::Credentials;
use chrono::{DateTime, Utc};
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, HOST};
use http::request::Parts;
use ring::{digest, hmac};
use std::sync::Mutex;
use std::time::Duration;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const X_AMZ_DATE: &str = "x-amz-date";
const X_AMZ_TOKEN: &str = "x-amz-security-token";
const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
const REDACTED: &str = "** redacted **";

/// Headers never signed: hop-by-hop headers, and ones proxies or clients may change.
/// `content-length` among them, as botocore signs (its HTTP layer adds the length after
/// signing), so that inia's signatures equal botocore's for the same request.
const UNSIGNED_HEADERS: &[&str] = &[
    "authorization",
    "baggage",
    "connection",
    "content-length",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "traceparent",
    "tracestate",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// How a service wants SigV4 applied. The defaults are those of every AWS service but
/// S3; [`SigV4Settings::s3`] gives S3's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigV4Settings {
    /// Percent-encode the (already encoded) path once more for the canonical URI.
    pub double_uri_encode: bool,
    /// Remove dot segments and repeated slashes from the path first.
    pub normalize_path: bool,
    /// Send the payload hash as `x-amz-content-sha256` (S3 requires it).
    pub content_sha256_header: bool,
    /// Include `X-Amz-Security-Token` in the signature (true for all AWS services).
    pub sign_session_token: bool,
}

impl Default for SigV4Settings {
    fn default() -> Self {
        SigV4Settings {
            double_uri_encode: true,
            normalize_path: true,
            content_sha256_header: false,
            sign_session_token: true,
        }
    }
}

impl SigV4Settings {
    /// S3: no double encoding, no path normalization, `x-amz-content-sha256` sent.
    pub fn s3() -> Self {
        SigV4Settings {
            double_uri_encode: false,
            normalize_path: false,
            content_sha256_header: true,
            sign_session_token: true,
        }
    }
}

/// What signing produced, for callers and tests that look inside. Its `Debug` leaves out
/// the canonical request, which can hold the session token.
#[derive(Clone, PartialEq, Eq)]
pub struct SigV4Output {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
}

impl std::fmt::Debug for SigV4Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigV4Output")
            .field(
                "canonical_request",
                &format_args!("<{} bytes>", self.canonical_request.len()),
            )
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .finish()
    }
}

/// The SigV4 signer. Share one per client: it holds the signing-key cache.
#[derive(Debug, Default)]
pub struct SigV4 {
    settings: SigV4Settings,
    keys: KeyCache,
}

impl SigV4 {
    pub fn new(settings: SigV4Settings) -> Self {
        SigV4 {
            settings,
            keys: KeyCache::default(),
        }
    }

    pub fn settings(&self) -> &SigV4Settings {
        &self.settings
    }

    /// Sign in the `Authorization` header. Sets `X-Amz-Date`, `Host` (from the URI when
    /// absent), `X-Amz-Security-Token` and, if configured, `x-amz-content-sha256`.
    pub fn sign_headers(
        &self,
        parts: &mut Parts,
        body: &SignBody,
        ctx: &SigningContext<'_>,
    ) -> Result<SigV4Output, SignError> {
        let creds = ctx.require_credentials("sigv4")?;
        let amz_date = amz_date(ctx);
        let payload = body.sha256_hex();
        ensure_host(parts)?;
        parts.headers.remove(AUTHORIZATION);
        set(parts, X_AMZ_DATE, &amz_date)?;
        if let Some(token) = creds.session_token() {
            if self.settings.sign_session_token {
                set(parts, X_AMZ_TOKEN, token.expose())?;
            }
        }
        if self.settings.content_sha256_header {
            set(parts, X_AMZ_CONTENT_SHA256, &payload)?;
        }
        let query = parts
            .uri
            .query()
            .map(canonical::canonical_query)
            .unwrap_or_default();
        let (creq, signed_headers) = self.canonical_request(parts, &query, &payload);
        let scope = scope(&amz_date[..8], ctx);
        let out = self.finish(creds, ctx, &amz_date, &scope, creq)?;
        let auth = format!(
            "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={}",
            creds.access_key_id(),
            out.signature
        );
        let mut auth = header_value(&auth)?;
        auth.set_sensitive(true);
        parts.headers.insert(AUTHORIZATION, auth);
        if let Some(token) = creds.session_token() {
            if !self.settings.sign_session_token {
                set(parts, X_AMZ_TOKEN, token.expose())?;
            }
        }
        Ok(out)
    }

    /// Sign in the query string: a presigned URL valid for `expires` (1 s to 7 days).
    /// The payload is `UNSIGNED-PAYLOAD`; only `host` and headers already set are signed.
    pub fn presign(
        &self,
        parts: &mut Parts,
        expires: Duration,
        ctx: &SigningContext<'_>,
    ) -> Result<SigV4Output, SignError> {
        let creds = ctx.require_credentials("sigv4 presign")?;
        let secs = expires.as_secs();
        if !(1..=604_800).contains(&secs) {
            return Err(SignError::Invalid(format!(
                "presigned URL expiry must be 1 to 604800 seconds, not {secs}"
            )));
        }
        let amz_date = amz_date(ctx);
        ensure_host(parts)?;
        let scope = scope(&amz_date[..8], ctx);
        let signed_headers = signed_header_names(parts).join(";");
        let mut added = vec![
            ("X-Amz-Algorithm", ALGORITHM.to_string()),
            (
                "X-Amz-Credential",
                format!("{}/{scope}", creds.access_key_id()),
            ),
            ("X-Amz-Date", amz_date.clone()),
            ("X-Amz-Expires", secs.to_string()),
            ("X-Amz-SignedHeaders", signed_headers),
        ];
        if let Some(token) = creds.session_token() {
            added.push(("X-Amz-Security-Token", token.expose().to_string()));
        }
        let mut query = parts.uri.query().unwrap_or("").to_string();
        for (k, v) in &added {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(k);
            query.push('=');
            query.push_str(&encode(v, STRICT));
        }
        let canonical_query = canonical::canonical_query(&query);
        let (creq, _) = self.canonical_request(parts, &canonical_query, "UNSIGNED-PAYLOAD");
        let out = self.finish(creds, ctx, &amz_date, &scope, creq)?;
        query.push_str("&X-Amz-Signature=");
        query.push_str(&out.signature);
        set_query(parts, &query)?;
        Ok(out)
    }

    fn canonical_request(
        &self,
        parts: &Parts,
        canonical_query: &str,
        payload: &str,
    ) -> (String, String) {
        let mut creq = String::with_capacity(512);
        creq.push_str(parts.method.as_str());
        creq.push('\n');
        let path = parts.uri.path();
        let path = if self.settings.normalize_path {
            canonical::normalize_path(path)
        } else if path.is_empty() {
            "/".to_string()
        } else {
            path.to_string()
        };
        if self.settings.double_uri_encode {
            creq.push_str(&encode(&path, PATH));
        } else {
            creq.push_str(&path);
        }
        creq.push('\n');
        creq.push_str(canonical_query);
        creq.push('\n');
        let names = signed_header_names(parts);
        for name in &names {
            creq.push_str(name);
            creq.push(':');
            for (i, v) in parts.headers.get_all(*name).iter().enumerate() {
                if i > 0 {
                    creq.push(',');
                }
                push_folded(&mut creq, v.as_bytes());
            }
            creq.push('\n');
        }
        creq.push('\n');
        let signed = names.join(";");
        creq.push_str(&signed);
        creq.push('\n');
        creq.push_str(payload);
        (creq, signed)
    }

    fn finish(
        &self,
        creds: &Credentials,
        ctx: &SigningContext<'_>,
        amz_date: &str,
        scope: &str,
        creq: String,
    ) -> Result<SigV4Output, SignError> {
        let hashed = hex(digest::digest(&digest::SHA256, creq.as_bytes()).as_ref());
        let sts = format!("{ALGORITHM}\n{amz_date}\n{scope}\n{hashed}");
        let key = self
            .keys
            .key(creds, &amz_date[..8], ctx.region, ctx.service);
        let signature = hex(hmac::sign(&key, sts.as_bytes()).as_ref());
        if tracing::enabled!(tracing::Level::TRACE) {
            let shown = match creds.session_token() {
                Some(t) => creq
                    .replace(t.expose(), REDACTED)
                    .replace(&encode(t.expose(), STRICT), REDACTED),
                None => creq.clone(),
            };
            tracing::trace!(canonical_request = %shown, string_to_sign = %sts, "sigv4");
        }
        Ok(SigV4Output {
            canonical_request: creq,
            string_to_sign: sts,
            signature,
        })
    }
}

/// `YYYYMMDDTHHMMSSZ` of the signing time.
fn amz_date(ctx: &SigningContext<'_>) -> String {
    use chrono::{Datelike, Timelike};
    let t: DateTime<Utc> = ctx.time.into();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn scope(date: &str, ctx: &SigningContext<'_>) -> String {
    format!("{date}/{}/{}/aws4_request", ctx.region, ctx.service)
}

/// Lower-case names of the headers to sign, sorted, each once.
fn signed_header_names(parts: &Parts) -> Vec<&str> {
    let mut names: Vec<&str> = parts
        .headers
        .keys()
        .map(HeaderName::as_str)
        .filter(|n| !UNSIGNED_HEADERS.contains(n))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Append a header value trimmed and with inner white-space runs folded to one space.
fn push_folded(out: &mut String, v: &[u8]) {
    let plain = v.first().is_none_or(|b| !b.is_ascii_whitespace())
        && v.last().is_none_or(|b| !b.is_ascii_whitespace())
        && !v
            .windows(2)
            .any(|w| w[0].is_ascii_whitespace() && w[1].is_ascii_whitespace())
        && !v.iter().any(|&b| b == b'\t' || b == b'\n' || b == b'\r');
    match std::str::from_utf8(v) {
        Ok(s) if plain => out.push_str(s),
        _ => out.push_str(&fold_spaces(&String::from_utf8_lossy(v))),
    }
}

fn header_value(v: &str) -> Result<HeaderValue, SignError> {
    HeaderValue::from_str(v)
        .map_err(|_| SignError::Invalid("a signing header value is not valid in HTTP".into()))
}

fn set(parts: &mut Parts, name: &'static str, value: &str) -> Result<(), SignError> {
    let mut v = header_value(value)?;
    v.set_sensitive(name == X_AMZ_TOKEN);
    parts.headers.insert(HeaderName::from_static(name), v);
    Ok(())
}

/// Set `Host` from the URI's authority when absent, leaving out a default port.
pub(crate) fn ensure_host(parts: &mut Parts) -> Result<(), SignError> {
    if parts.headers.contains_key(HOST) {
        return Ok(());
    }
    let auth = parts.uri.authority().ok_or_else(|| {
        SignError::Invalid("the request has neither a Host header nor an absolute URI".into())
    })?;
    let default_port = match parts.uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    };
    let host = match auth.port_u16() {
        Some(p) if Some(p) == default_port => auth.host().to_string(),
        _ => auth.as_str().to_string(),
    };
    parts.headers.insert(HOST, header_value(&host)?);
    Ok(())
}

pub(crate) fn set_query(parts: &mut Parts, query: &str) -> Result<(), SignError> {
    let mut pq = parts.uri.path().to_string();
    if !query.is_empty() {
        pq.push('?');
        pq.push_str(query);
    }
    let mut builder = http::Uri::builder();
    if let Some(s) = parts.uri.scheme() {
        builder = builder.scheme(s.clone());
    }
    if let Some(a) = parts.uri.authority() {
        builder = builder.authority(a.clone());
    }
    parts.uri = builder
        .path_and_query(pq)
        .build()
        .map_err(|e| SignError::Invalid(format!("signed URI: {e}")))?;
    Ok(())
}

impl SignBody<'_> {
    /// The payload hash SigV4 signs.
    pub fn sha256_hex(&self) -> String {
        match self {
            SignBody::Bytes(b) => sha256_hex(b),
            SignBody::Unsigned => "UNSIGNED-PAYLOAD".into(),
            SignBody::Precomputed(h) => h.to_string(),
        }
    }
}

/// Derived signing keys, most recent first. A key depends on the secret, the date, the
/// region and the service, so a client needs a new one once a day.
#[derive(Default)]
struct KeyCache(Mutex<Vec<CachedKey>>);

struct CachedKey {
    secret: crate::credentials::Secret,
    date: String,
    region: String,
    service: String,
    key: hmac::Key,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyCache")
    }
}

const KEY_CACHE_SIZE: usize = 16;

impl KeyCache {
    fn key(&self, creds: &Credentials, date: &str, region: &str, service: &str) -> hmac::Key {
        let secret = creds.secret_access_key();
        let mut cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = cache.iter().position(|k| {
            k.date == date && k.region == region && k.service == service && &k.secret == secret
        }) {
            let hit = cache.remove(i);
            let key = hit.key.clone();
            cache.insert(0, hit);
            return key;
        }
        let key = derive_key(secret.expose(), date, region, service);
        cache.insert(
            0,
            CachedKey {
                secret: secret.clone(),
                date: date.into(),
                region: region.into(),
                service: service.into(),
                key: key.clone(),
            },
        );
        cache.truncate(KEY_CACHE_SIZE);
        key
    }
}

/// The SigV4 key derivation: HMAC chain over date, region, service, `aws4_request`.
pub fn derive_key(secret: &str, date: &str, region: &str, service: &str) -> hmac::Key {
    let k = |key: &[u8], data: &str| {
        hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
    };
    let k_date = k(format!("AWS4{secret}").as_bytes(), date);
    let k_region = k(k_date.as_ref(), region);
    let k_service = k(k_region.as_ref(), service);
    let k_signing = k(k_service.as_ref(), "aws4_request");
    hmac::Key::new(hmac::HMAC_SHA256, k_signing.as_ref())
}

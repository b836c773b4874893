//! AWS Signature Version 4: in the `Authorization` header, or in the query string
//! (presigned URLs).
//!
//! The canonical request is built in one pass into one buffer (`canonical`); the signing
//! key for a (secret, date, region, service) is derived once and cached, so a typical
//! request costs two SHA-256 digests and one HMAC. Canonical requests are logged at trace
//! level with the session token redacted.
//!
//! Owns SigV4's string to sign and signature, and the header and query flows SigV4a
//! shares through [`Algorithm`] (`sigv4a` brings its scope, region set and ECDSA
//! signature). Does not own the canonical request's byte rules (`canonical`), where the
//! region and signing name come from (the endpoint layer) or the credentials.

use super::canonical::{self, encode, hex, sha256_hex, STRICT};
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
const X_AMZ_S3SESSION_TOKEN: &str = "x-amz-s3session-token";
const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
const X_AMZ_REGION_SET: &str = "x-amz-region-set";
const REDACTED: &str = "** redacted **";

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
    /// S3 Express One Zone (`sigv4-s3express`): the session token goes in
    /// `x-amz-s3session-token` (signed), never in `x-amz-security-token`.
    pub s3express_session: bool,
}

impl Default for SigV4Settings {
    fn default() -> Self {
        SigV4Settings {
            double_uri_encode: true,
            normalize_path: true,
            content_sha256_header: false,
            sign_session_token: true,
            s3express_session: false,
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
            s3express_session: false,
        }
    }

    /// S3 Express One Zone: S3's settings, the session token in `x-amz-s3session-token`.
    pub fn s3express() -> Self {
        SigV4Settings {
            s3express_session: true,
            ..Self::s3()
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
        sign_headers_as(self, &self.settings, parts, body, ctx)
    }

    /// Sign in the query string: a presigned URL valid for `expires` (1 s to 7 days).
    /// The payload is `UNSIGNED-PAYLOAD`; only `host` and headers already set are signed.
    pub fn presign(
        &self,
        parts: &mut Parts,
        expires: Duration,
        ctx: &SigningContext<'_>,
    ) -> Result<SigV4Output, SignError> {
        presign_as(
            self,
            &self.settings,
            parts,
            &SignBody::Unsigned,
            expires,
            ctx,
        )
    }

    /// As [`SigV4::presign`], with the payload hash of `body` signed instead of
    /// `UNSIGNED-PAYLOAD` (botocore's presigning for services other than S3).
    pub fn presign_payload(
        &self,
        parts: &mut Parts,
        body: &SignBody,
        expires: Duration,
        ctx: &SigningContext<'_>,
    ) -> Result<SigV4Output, SignError> {
        presign_as(self, &self.settings, parts, body, expires, ctx)
    }
}

/// What sets SigV4 and SigV4a apart once the request is canonical: the algorithm, the
/// credential scope, the region set sent beside them, and how the string to sign is
/// signed. The two flows, [`sign_headers_as`] and [`presign_as`], are shared.
pub(crate) trait Algorithm {
    /// The scheme's name in errors and logs (`sigv4`).
    fn scheme(&self) -> &'static str;
    /// `AWS4-HMAC-SHA256`, `AWS4-ECDSA-P256-SHA256`.
    fn algorithm(&self) -> &'static str;
    /// The credential scope after the access key id, for the date `YYYYMMDD`.
    fn scope(&self, date: &str, ctx: &SigningContext<'_>) -> String;
    /// The region set sent and signed as `X-Amz-Region-Set`, when the scheme has one.
    fn region_set<'c>(&self, _ctx: &SigningContext<'c>) -> Option<&'c str> {
        None
    }
    /// The signature of the string to sign, as sent (hex).
    fn signature(
        &self,
        creds: &Credentials,
        ctx: &SigningContext<'_>,
        date: &str,
        string_to_sign: &str,
    ) -> Result<String, SignError>;
}

impl Algorithm for SigV4 {
    fn scheme(&self) -> &'static str {
        "sigv4"
    }

    fn algorithm(&self) -> &'static str {
        ALGORITHM
    }

    fn scope(&self, date: &str, ctx: &SigningContext<'_>) -> String {
        format!("{date}/{}/{}/aws4_request", ctx.region, ctx.service)
    }

    fn signature(
        &self,
        creds: &Credentials,
        ctx: &SigningContext<'_>,
        date: &str,
        string_to_sign: &str,
    ) -> Result<String, SignError> {
        let key = self.keys.key(creds, date, ctx.region, ctx.service);
        Ok(hex(hmac::sign(&key, string_to_sign.as_bytes()).as_ref()))
    }
}

/// Sign in the `Authorization` header with `alg`.
pub(crate) fn sign_headers_as(
    alg: &impl Algorithm,
    settings: &SigV4Settings,
    parts: &mut Parts,
    body: &SignBody,
    ctx: &SigningContext<'_>,
) -> Result<SigV4Output, SignError> {
    let creds = ctx.require_credentials(alg.scheme())?;
    let amz_date = amz_date(ctx);
    let payload = body.sha256_hex();
    ensure_host(parts)?;
    parts.headers.remove(AUTHORIZATION);
    set(parts, X_AMZ_DATE, &amz_date)?;
    if let Some(set_of) = alg.region_set(ctx) {
        set(parts, X_AMZ_REGION_SET, set_of)?;
    }
    if let Some(token) = creds.session_token() {
        if settings.s3express_session {
            parts.headers.remove(X_AMZ_TOKEN);
            set(parts, X_AMZ_S3SESSION_TOKEN, token.expose())?;
        } else if settings.sign_session_token {
            set(parts, X_AMZ_TOKEN, token.expose())?;
        }
    }
    if settings.content_sha256_header {
        set(parts, X_AMZ_CONTENT_SHA256, &payload)?;
    }
    let query = parts
        .uri
        .query()
        .map(canonical::canonical_query)
        .unwrap_or_default();
    let (creq, signed_headers) = canonical::canonical_request(parts, settings, &query, &payload);
    let scope = alg.scope(&amz_date[..8], ctx);
    let out = finish(alg, creds, ctx, &amz_date, &scope, creq)?;
    let auth = format!(
        "{} Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={}",
        alg.algorithm(),
        creds.access_key_id(),
        out.signature
    );
    let mut auth = header_value(&auth)?;
    auth.set_sensitive(true);
    parts.headers.insert(AUTHORIZATION, auth);
    if let Some(token) = creds.session_token() {
        if !settings.sign_session_token && !settings.s3express_session {
            set(parts, X_AMZ_TOKEN, token.expose())?;
        }
    }
    Ok(out)
}

/// Sign in the query string with `alg`, valid for `expires` (1 s to 7 days). The session
/// token is signed unless `settings` say otherwise; then it is added after the signature.
pub(crate) fn presign_as(
    alg: &impl Algorithm,
    settings: &SigV4Settings,
    parts: &mut Parts,
    body: &SignBody,
    expires: Duration,
    ctx: &SigningContext<'_>,
) -> Result<SigV4Output, SignError> {
    let creds = ctx.require_credentials(alg.scheme())?;
    let secs = expires.as_secs();
    if !(1..=604_800).contains(&secs) {
        return Err(SignError::Invalid(format!(
            "presigned URL expiry must be 1 to 604800 seconds, not {secs}"
        )));
    }
    let amz_date = amz_date(ctx);
    ensure_host(parts)?;
    let scope = alg.scope(&amz_date[..8], ctx);
    let signed_headers = canonical::signed_header_names(parts).join(";");
    let credential = format!("{}/{scope}", creds.access_key_id());
    let secs = secs.to_string();
    let mut added = vec![
        ("X-Amz-Algorithm", alg.algorithm()),
        ("X-Amz-Credential", &credential),
        ("X-Amz-Date", &amz_date),
        ("X-Amz-Expires", &secs),
        ("X-Amz-SignedHeaders", &signed_headers),
    ];
    let token = creds.session_token().map(|t| t.expose());
    if let Some(t) = token.filter(|_| settings.sign_session_token) {
        added.push(("X-Amz-Security-Token", t));
    }
    if let Some(set_of) = alg.region_set(ctx) {
        added.push(("X-Amz-Region-Set", set_of));
    }
    let mut query = parts.uri.query().unwrap_or("").to_string();
    let append = |query: &mut String, k: &str, v: &str| {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(k);
        query.push('=');
        query.push_str(&encode(v, STRICT));
    };
    for (k, v) in &added {
        append(&mut query, k, v);
    }
    let canonical_query = canonical::canonical_query(&query);
    let payload = body.sha256_hex();
    let (creq, _) = canonical::canonical_request(parts, settings, &canonical_query, &payload);
    let out = finish(alg, creds, ctx, &amz_date, &scope, creq)?;
    append(&mut query, "X-Amz-Signature", &out.signature);
    if let Some(t) = token.filter(|_| !settings.sign_session_token) {
        append(&mut query, "X-Amz-Security-Token", t);
    }
    set_query(parts, &query)?;
    Ok(out)
}

/// The string to sign and its signature; the canonical request logged at trace level
/// with the session token redacted.
fn finish(
    alg: &impl Algorithm,
    creds: &Credentials,
    ctx: &SigningContext<'_>,
    amz_date: &str,
    scope: &str,
    creq: String,
) -> Result<SigV4Output, SignError> {
    let hashed = hex(digest::digest(&digest::SHA256, creq.as_bytes()).as_ref());
    let sts = format!("{}\n{amz_date}\n{scope}\n{hashed}", alg.algorithm());
    let signature = alg.signature(creds, ctx, &amz_date[..8], &sts)?;
    if tracing::enabled!(tracing::Level::TRACE) {
        let shown = match creds.session_token() {
            Some(t) => creq
                .replace(t.expose(), REDACTED)
                .replace(&encode(t.expose(), STRICT), REDACTED),
            None => creq.clone(),
        };
        tracing::trace!(canonical_request = %shown, string_to_sign = %sts, scheme = alg.scheme(), "sigv4");
    }
    Ok(SigV4Output {
        canonical_request: creq,
        string_to_sign: sts,
        signature,
    })
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

fn header_value(v: &str) -> Result<HeaderValue, SignError> {
    HeaderValue::from_str(v)
        .map_err(|_| SignError::Invalid("a signing header value is not valid in HTTP".into()))
}

fn set(parts: &mut Parts, name: &'static str, value: &str) -> Result<(), SignError> {
    let mut v = header_value(value)?;
    v.set_sensitive(name == X_AMZ_TOKEN || name == X_AMZ_S3SESSION_TOKEN);
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

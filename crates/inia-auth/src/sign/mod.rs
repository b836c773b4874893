//! Request signers behind one small trait, [`Sign`], so a spec or provider file can name
//! its scheme: `v4`, `s3v4`, `sigv4a`, `v2`, `s3` (HMAC-SHA1), `bearer`, `none`,
//! `azure-shared-key`.
//!
//! A signer takes the request head (`http::request::Parts`, whose URI is absolute or
//! whose `Host` header is set), the body as far as signing needs it ([`SignBody`]), and a
//! [`SigningContext`] (credentials, region, signing name, time). It adds headers or query
//! parameters; it never sends anything.
//!
//! Owns the schemes and their registry. Does not own credentials lookup (see `provider`)
//! or which scheme a service uses (the model and provider files say).

mod azure_shared_key;
mod bearer;
pub mod canonical;
mod s3_hmac;
mod sigv2;
mod sigv4;
mod sigv4a;

pub use azure_shared_key::AzureSharedKey;
pub use bearer::{Anonymous, Bearer};
pub use s3_hmac::{S3AuthPath, S3HmacSha1};
pub use sigv2::SigV2;
pub use sigv4::{derive_key, SigV4, SigV4Output, SigV4Settings};
pub use sigv4a::{SigV4a, SigV4aKey};

use crate::credentials::Credentials;
use std::sync::Arc;
use std::time::SystemTime;

/// The body as signing sees it. Its `Debug` shows only the length.
#[derive(Clone)]
pub enum SignBody<'a> {
    /// The whole body is in memory (hashed by SigV4; SigV2 POST reads its parameters).
    Bytes(&'a [u8]),
    /// A stream that will not be hashed: SigV4 signs `UNSIGNED-PAYLOAD`.
    Unsigned,
    /// A stream whose SHA-256 (hex) is already known.
    Precomputed(&'a str),
}

impl std::fmt::Debug for SignBody<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignBody::Bytes(b) => write!(f, "Bytes(<{} bytes>)", b.len()),
            SignBody::Unsigned => f.write_str("Unsigned"),
            SignBody::Precomputed(h) => write!(f, "Precomputed({h})"),
        }
    }
}

/// Who signs, where, and when.
#[derive(Debug, Clone)]
pub struct SigningContext<'a> {
    pub credentials: Option<&'a Credentials>,
    /// Region of the credential scope (`us-east-1`). For SigV4a, which has no region in
    /// its scope, the region set instead, comma-joined (`us-east-1,us-west-2`, `*`).
    pub region: &'a str,
    /// Signing name of the service (`s3`, `ec2`, `execute-api`).
    pub service: &'a str,
    /// The signing time (corrected for clock skew by the caller, if it knows of any).
    pub time: SystemTime,
    /// The bearer token, for a scheme whose [`Sign::identity`] is [`Identity::Token`].
    pub token: Option<&'a crate::credentials::Secret>,
}

impl<'a> SigningContext<'a> {
    pub fn new(
        credentials: &'a Credentials,
        region: &'a str,
        service: &'a str,
        time: SystemTime,
    ) -> Self {
        SigningContext {
            credentials: Some(credentials),
            region,
            service,
            time,
            token: None,
        }
    }

    /// A context carrying a bearer token instead of credentials.
    pub fn with_token(
        token: &'a crate::credentials::Secret,
        region: &'a str,
        service: &'a str,
        time: SystemTime,
    ) -> Self {
        SigningContext {
            credentials: None,
            region,
            service,
            time,
            token: Some(token),
        }
    }

    fn require_credentials(&self, scheme: &str) -> Result<&'a Credentials, SignError> {
        self.credentials.ok_or_else(|| {
            SignError::Invalid(format!(
                "{scheme} signing needs credentials, and none were given"
            ))
        })
    }
}

/// Signing failed. Never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    #[error("cannot sign the request: {0}")]
    Invalid(String),
    #[error("unknown signing scheme `{0}` (inia knows v4, s3v4, sigv4a, v2, s3, bearer, none, azure-shared-key)")]
    UnknownScheme(String),
}

/// A request signer.
pub trait Sign: Send + Sync + std::fmt::Debug {
    /// The scheme's name as spec files spell it.
    fn name(&self) -> &'static str;
    /// Sign the request: its headers (or query) in place; what else changed is returned.
    fn sign(
        &self,
        parts: &mut http::request::Parts,
        body: &SignedBody,
        ctx: &SigningContext<'_>,
    ) -> Result<Signed, SignError>;
    /// True for a signer that signs nothing: requests go out anonymous, and the engine
    /// need not fetch credentials for it.
    fn is_anonymous(&self) -> bool {
        false
    }

    /// What the signer signs with, so the caller knows what to fetch first.
    fn identity(&self) -> Identity {
        if self.is_anonymous() {
            Identity::Nothing
        } else {
            Identity::Credentials
        }
    }
}

/// What a signature scheme needs in its [`SigningContext`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Identity {
    /// Access keys (`credentials`).
    Credentials,
    /// A bearer token (`token`).
    Token,
    /// Nothing to fetch: the request goes out unsigned, or the signer holds what it signs
    /// with (a fixed bearer token).
    Nothing,
}

/// What [`Sign::sign`] changed besides the request's headers and query.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Signed {
    /// The body to send instead, when the signer rewrote an in-memory one (SigV2 POST
    /// adds its parameters to the form).
    pub new_body: Option<bytes::Bytes>,
}

impl Signed {
    /// Nothing but headers or query changed.
    pub fn in_place() -> Signed {
        Signed::default()
    }

    /// The body was rewritten to `body`.
    pub fn with_body(body: bytes::Bytes) -> Signed {
        Signed {
            new_body: Some(body),
        }
    }
}

/// The body handed to [`Sign::sign`]: in-memory bytes a signer may rewrite (SigV2 adds its
/// parameters to a form body), or a stream it must leave alone. Its `Debug` shows only the
/// length: a signed body can carry a session token.
#[derive(Clone)]
pub enum SignedBody {
    Bytes(bytes::Bytes),
    Unsigned,
    Precomputed(String),
}

impl std::fmt::Debug for SignedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignedBody::Bytes(b) => write!(f, "Bytes(<{} bytes>)", b.len()),
            SignedBody::Unsigned => f.write_str("Unsigned"),
            SignedBody::Precomputed(h) => write!(f, "Precomputed({h})"),
        }
    }
}

impl SignedBody {
    pub(crate) fn view(&self) -> SignBody<'_> {
        match self {
            SignedBody::Bytes(b) => SignBody::Bytes(b),
            SignedBody::Unsigned => SignBody::Unsigned,
            SignedBody::Precomputed(h) => SignBody::Precomputed(h),
        }
    }
}

impl Sign for SigV4 {
    fn name(&self) -> &'static str {
        if self.settings().content_sha256_header {
            "s3v4"
        } else {
            "v4"
        }
    }

    fn sign(
        &self,
        parts: &mut http::request::Parts,
        body: &SignedBody,
        ctx: &SigningContext<'_>,
    ) -> Result<Signed, SignError> {
        self.sign_headers(parts, &body.view(), ctx)
            .map(|_| Signed::in_place())
    }
}

/// The signer for a model's `signatureVersion` (`v4` when it names none), as botocore
/// chooses it: `s3` and `s3v4` both sign with SigV4 for S3 (payload hash header, no
/// double encoding); another provider's `s3` HMAC scheme is named by the provider file.
pub fn for_model(signature_version: Option<&str>) -> Result<Arc<dyn Sign>, SignError> {
    match signature_version.unwrap_or("v4") {
        "s3" | "s3v4" => scheme("s3v4"),
        other => scheme(other),
    }
}

/// The signer for a model with an `auth` list (smithy's auth traits, in preference
/// order) and a `signatureVersion`: bearer tokens when `smithy.api#httpBearerAuth` comes
/// first, none for `smithy.api#noAuth`, else [`for_model`] (botocore's
/// `resolve_auth_type`, which keeps the S3 flavour of SigV4 for `aws.auth#sigv4`).
pub fn for_model_auth(
    auth: &[String],
    signature_version: Option<&str>,
) -> Result<Arc<dyn Sign>, SignError> {
    match auth.first().map(String::as_str) {
        Some("smithy.api#httpBearerAuth") => Ok(Arc::new(Bearer::from_context())),
        Some("smithy.api#noAuth") => scheme("none"),
        Some("aws.auth#sigv4a") => scheme("sigv4a"),
        _ => for_model(signature_version),
    }
}

/// The signer a spec names. `v4`/`s3v4`/`sigv4a` get a fresh key cache each: create one
/// per client and reuse it. `bearer` signs with the context's token (or is built with a
/// fixed one, [`Bearer::new`]).
pub fn scheme(name: &str) -> Result<Arc<dyn Sign>, SignError> {
    Ok(match name {
        "v4" | "sigv4" => Arc::new(SigV4::new(SigV4Settings::default())),
        "s3v4" => Arc::new(SigV4::new(SigV4Settings::s3())),
        "sigv4a" | "v4a" => Arc::new(SigV4a::new(SigV4Settings::default())),
        "bearer" => Arc::new(Bearer::from_context()),
        "v2" => Arc::new(SigV2),
        "s3" | "hmac-v1" => Arc::new(S3HmacSha1),
        "none" | "anonymous" | "unsigned" => Arc::new(Anonymous),
        "azure-shared-key" => Arc::new(AzureSharedKey),
        other => return Err(SignError::UnknownScheme(other.to_string())),
    })
}

//! Bearer tokens (`Authorization: Bearer …`) and anonymous requests (no signature).
//!
//! Owns those two trivial schemes.

use super::{Sign, SignError, Signed, SignedBody, SigningContext};
use crate::credentials::Secret;
use http::header::{HeaderValue, AUTHORIZATION};

/// Sends `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct Bearer {
    token: Secret,
}

impl Bearer {
    pub fn new(token: impl Into<std::sync::Arc<str>>) -> Self {
        Bearer {
            token: Secret::new(token),
        }
    }
}

impl Sign for Bearer {
    fn name(&self) -> &'static str {
        "bearer"
    }

    fn sign(
        &self,
        parts: &mut http::request::Parts,
        _: &SignedBody,
        _: &SigningContext<'_>,
    ) -> Result<Signed, SignError> {
        let mut v =
            HeaderValue::from_str(&format!("Bearer {}", self.token.expose())).map_err(|_| {
                SignError::Invalid("the bearer token is not a valid header value".into())
            })?;
        v.set_sensitive(true);
        parts.headers.insert(AUTHORIZATION, v);
        Ok(Signed::in_place())
    }
}

/// Leaves the request unsigned (`--no-sign-request`, public buckets).
#[derive(Debug, Clone, Copy, Default)]
pub struct Anonymous;

impl Sign for Anonymous {
    fn is_anonymous(&self) -> bool {
        true
    }

    fn name(&self) -> &'static str {
        "none"
    }

    fn sign(
        &self,
        _: &mut http::request::Parts,
        _: &SignedBody,
        _: &SigningContext<'_>,
    ) -> Result<Signed, SignError> {
        Ok(Signed::in_place())
    }
}

//! Bearer tokens (`Authorization: Bearer …`: smithy's `httpBearerAuth`) and anonymous
//! requests (no signature). A bearer signer holds a fixed token, or signs with the one in
//! its [`SigningContext`] (the engine fetches it: `AWS_BEARER_TOKEN_<SIGNING NAME>`, or
//! the profile's SSO sign-in).
//!
//! A token goes only to an `https://` endpoint (botocore refuses the same).
//!
//! Owns those two trivial schemes.

use super::{Sign, SignError, Signed, SignedBody, SigningContext};
use crate::credentials::Secret;
use http::header::{HeaderValue, AUTHORIZATION};

/// Sends `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct Bearer {
    token: Option<Secret>,
}

impl Bearer {
    /// A signer with a fixed token.
    pub fn new(token: impl Into<std::sync::Arc<str>>) -> Self {
        Bearer {
            token: Some(Secret::new(token)),
        }
    }

    /// A signer that takes the token from each request's [`SigningContext`].
    pub fn from_context() -> Self {
        Bearer { token: None }
    }
}

impl Sign for Bearer {
    fn name(&self) -> &'static str {
        "bearer"
    }

    fn identity(&self) -> super::Identity {
        match self.token {
            Some(_) => super::Identity::Nothing,
            None => super::Identity::Token,
        }
    }

    fn sign(
        &self,
        parts: &mut http::request::Parts,
        _: &SignedBody,
        ctx: &SigningContext<'_>,
    ) -> Result<Signed, SignError> {
        // As botocore: a token is never sent where anyone on the path could read it.
        if parts.uri.scheme_str() != Some("https") {
            return Err(SignError::Invalid(
                "Bearer authorization requires an HTTPS endpoint".into(),
            ));
        }
        let token = self.token.as_ref().or(ctx.token).ok_or_else(|| {
            SignError::Invalid("bearer signing needs a token, and none was given".into())
        })?;
        let mut v = HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
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

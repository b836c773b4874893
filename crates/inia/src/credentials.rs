//! The session's default credential chain: `inia-auth`'s local providers in botocore's
//! order, refreshed ahead of expiry. (Network sources join it in `imds`.)
//!
//! Owns assembling the chain. Does not own any source (see `inia_auth::provider`).

use crate::session::EnvFn;
use inia_auth::credentials::Credentials;
use inia_auth::provider::{CredentialsError, ProvideCredentials, ProvideFuture};
use std::sync::Arc;

/// The default chain for `profile` (given in code), reading the environment through `env`.
pub(crate) fn default_chain(profile: Option<&str>, env: &EnvFn) -> Arc<dyn ProvideCredentials> {
    Arc::new(EnvOnly {
        env: env.clone(),
        skip: profile.is_some(),
    })
}

/// Until the full chain lands: the environment variables only.
struct EnvOnly {
    env: EnvFn,
    skip: bool,
}

impl std::fmt::Debug for EnvOnly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnvOnly")
    }
}

impl ProvideCredentials for EnvOnly {
    fn name(&self) -> &'static str {
        "environment"
    }

    fn provide(&self) -> ProvideFuture<'_> {
        let env = &self.env;
        let found = if self.skip {
            None
        } else {
            match (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
                (Some(id), Some(secret)) => {
                    let token = env("AWS_SESSION_TOKEN").or_else(|| env("AWS_SECURITY_TOKEN"));
                    Some(Credentials::new(id, secret, token, None, "environment"))
                }
                _ => None,
            }
        };
        Box::pin(async move {
            found
                .map(Some)
                .ok_or_else(|| CredentialsError::NotFound("environment".into()))
        })
    }
}

//! The session's default credential chain: `inia-auth`'s local providers in botocore's
//! order (environment, shared credentials file, `credential_process`, config file, boto
//! config), wrapped so expiring credentials are refreshed ahead of time, once.
//!
//! Owns assembling the chain. Does not own any source (see `inia_auth::provider`).

use inia_auth::config::Env;
use inia_auth::provider::{CredentialsChain, ProvideCredentials, RefreshingCredentials};
use std::sync::Arc;

/// The default chain for `profile` (given in code), reading `env`.
pub(crate) fn default_chain(profile: Option<&str>, env: &Env) -> Arc<dyn ProvideCredentials> {
    let chain = CredentialsChain::standard(env.clone(), profile);
    Arc::new(RefreshingCredentials::new(chain))
}

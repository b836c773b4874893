//! [`StaticProvider`]: credentials given in code.
//!
//! Owns: handing back the same credentials every time. Does not own: where they came
//! from.

use super::{ProvideCredentials, ProvideFuture};
use crate::credentials::Credentials;

/// Always answers with the credentials it was built with.
#[derive(Debug, Clone)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    pub const NAME: &'static str = "static";

    pub fn new(credentials: Credentials) -> Self {
        StaticProvider { credentials }
    }

    /// From parts; the credentials' source is `static`.
    pub fn from_keys(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        let secret: String = secret_access_key.into();
        Self::new(Credentials::new(
            access_key_id,
            secret,
            session_token,
            None,
            Self::NAME,
        ))
    }
}

impl ProvideCredentials for StaticProvider {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn provide(&self) -> ProvideFuture<'_> {
        let c = self.credentials.clone();
        Box::pin(async move { Ok(Some(c)) })
    }
}

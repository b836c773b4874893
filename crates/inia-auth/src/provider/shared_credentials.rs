//! [`SharedCredentialsFileProvider`]: `aws_access_key_id`, `aws_secret_access_key` and
//! `aws_session_token` (or the older `aws_security_token`) of the selected profile in the
//! shared credentials file (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`).
//!
//! Both files are read so that an explicitly chosen profile that exists in neither is
//! `ProfileNotFound` (and a malformed config file is reported, as botocore does).
//!
//! Owns: reading keys from the credentials file. Does not own: file syntax, locations or
//! profile selection (`config::files`).

use super::keys::from_keys;
use super::{CredentialsError, ProvideCredentials, ProvideFuture};
use crate::config::{Env, ProfileFiles, SelectedProfile};
use crate::credentials::Credentials;

/// Credentials from the shared credentials file.
#[derive(Debug, Clone)]
pub struct SharedCredentialsFileProvider {
    env: Env,
    profile: Option<String>,
}

impl SharedCredentialsFileProvider {
    pub const NAME: &'static str = "shared-credentials-file";

    /// The profile chosen by `AWS_PROFILE` / `AWS_DEFAULT_PROFILE` / `default`.
    pub fn new(env: Env) -> Self {
        SharedCredentialsFileProvider { env, profile: None }
    }

    /// Use this profile (as if given in code).
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    fn load(&self) -> Result<Option<Credentials>, CredentialsError> {
        let files = ProfileFiles::load(&self.env)?;
        let selected = SelectedProfile::select(self.profile.as_deref(), &self.env);
        files.check_selected(&selected)?;
        let Some(profile) = files.credentials_profile(selected.name()) else {
            return Ok(None);
        };
        let found = from_keys(
            |k| profile.get(k),
            Self::NAME,
            || {
                format!(
                    "profile `{}` of {}",
                    selected.name(),
                    files.credentials_path().display()
                )
            },
        )?;
        if found.is_some() {
            tracing::debug!(
                path = %files.credentials_path().display(),
                profile = selected.name(),
                "found credentials in the shared credentials file"
            );
        }
        Ok(found)
    }
}

impl ProvideCredentials for SharedCredentialsFileProvider {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn provide(&self) -> ProvideFuture<'_> {
        let r = self.load();
        Box::pin(async move { r })
    }
}

//! [`ConfigFileProvider`]: `aws_access_key_id`, `aws_secret_access_key` and
//! `aws_session_token` (or `aws_security_token`) of the selected profile in the shared
//! config file (`AWS_CONFIG_FILE` or `~/.aws/config`, `[default]` / `[profile name]`).
//!
//! Only the config file's own keys count here; keys in the credentials file belong to
//! [`super::SharedCredentialsFileProvider`], which comes first in the chain.
//!
//! Owns: reading keys from the config file. Does not own: file syntax, locations or
//! profile selection (`config::files`).

use super::keys::from_keys;
use super::{CredentialsError, ProvideCredentials, ProvideFuture};
use crate::config::{Env, ProfileFiles, SelectedProfile};
use crate::credentials::Credentials;

/// Credentials from the shared config file.
#[derive(Debug, Clone)]
pub struct ConfigFileProvider {
    env: Env,
    profile: Option<String>,
}

impl ConfigFileProvider {
    pub const NAME: &'static str = "config-file";

    /// The profile chosen by `AWS_PROFILE` / `AWS_DEFAULT_PROFILE` / `default`.
    pub fn new(env: Env) -> Self {
        ConfigFileProvider { env, profile: None }
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
        let Some(profile) = files.config_profile(selected.name()) else {
            return Ok(None);
        };
        let found = from_keys(
            |k| profile.get(k),
            Self::NAME,
            || {
                format!(
                    "profile `{}` of {}",
                    selected.name(),
                    files.config_path().display()
                )
            },
        )?;
        if found.is_some() {
            tracing::debug!(
                path = %files.config_path().display(),
                profile = selected.name(),
                "found credentials in the shared config file"
            );
        }
        Ok(found)
    }
}

impl ProvideCredentials for ConfigFileProvider {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn provide(&self) -> ProvideFuture<'_> {
        let r = self.load();
        Box::pin(async move { r })
    }
}

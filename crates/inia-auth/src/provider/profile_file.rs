//! [`ProfileFileProvider`]: `aws_access_key_id`, `aws_secret_access_key` and
//! `aws_session_token` (or the older `aws_security_token`) of the selected profile, read
//! from one of the two shared files:
//! - the credentials file (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`), named
//!   `shared-credentials-file` in the chain;
//! - the config file (`AWS_CONFIG_FILE` or `~/.aws/config`, `[default]` / `[profile name]`),
//!   named `config-file`, which comes later in the chain: only its own keys count there.
//!
//! Both files are always read so that an explicitly chosen profile that exists in neither
//! is `ProfileNotFound` (and a malformed file is reported, as botocore does).
//!
//! Owns: reading keys from a profile. Does not own: file syntax, locations or profile
//! selection (`config::files`).

use super::keys::from_keys;
use super::{CredentialsError, ProvideCredentials, ProvideFuture};
use crate::config::{Env, ProfileFiles, SelectedProfile};
use crate::credentials::Credentials;
use std::sync::Arc;

/// Which shared file a [`ProfileFileProvider`] reads keys from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileFile {
    Credentials,
    Config,
}

/// Credentials from a profile of the shared credentials or config file.
#[derive(Debug, Clone)]
pub struct ProfileFileProvider {
    env: Env,
    profile: Option<String>,
    file: ProfileFile,
    files: Option<Arc<ProfileFiles>>,
}

impl ProfileFileProvider {
    /// Keys from the shared credentials file, for the profile chosen by `AWS_PROFILE` /
    /// `AWS_DEFAULT_PROFILE` / `default`.
    pub fn credentials_file(env: Env) -> Self {
        ProfileFileProvider {
            env,
            profile: None,
            file: ProfileFile::Credentials,
            files: None,
        }
    }

    /// Keys from the shared config file, for the profile chosen as above.
    pub fn config_file(env: Env) -> Self {
        ProfileFileProvider {
            env,
            profile: None,
            file: ProfileFile::Config,
            files: None,
        }
    }

    /// Use this profile (as if given in code).
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Read keys from these already-loaded files instead of reading them at fetch time.
    pub fn with_files(mut self, files: Arc<ProfileFiles>) -> Self {
        self.files = Some(files);
        self
    }

    fn load(&self) -> Result<Option<Credentials>, CredentialsError> {
        let files = ProfileFiles::shared_or_load(self.files.as_ref(), &self.env)?;
        let selected = SelectedProfile::select(self.profile.as_deref(), &self.env);
        files.check_selected(&selected)?;
        let (profile, path) = match self.file {
            ProfileFile::Credentials => (
                files.credentials_profile(selected.name()),
                files.credentials_path(),
            ),
            ProfileFile::Config => (files.config_profile(selected.name()), files.config_path()),
        };
        let Some(profile) = profile else {
            return Ok(None);
        };
        let found = from_keys(
            |k| profile.get(k),
            self.name(),
            || format!("profile `{}` of {}", selected.name(), path.display()),
        )?;
        if found.is_some() {
            tracing::debug!(path = %path.display(), profile = selected.name(), source = self.name(), "found credentials");
        }
        Ok(found)
    }
}

impl ProvideCredentials for ProfileFileProvider {
    fn name(&self) -> &'static str {
        match self.file {
            ProfileFile::Credentials => "shared-credentials-file",
            ProfileFile::Config => "config-file",
        }
    }

    fn provide(&self) -> ProvideFuture<'_> {
        let r = self.load();
        Box::pin(async move { r })
    }
}

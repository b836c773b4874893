//! [`WebIdentityProvider`]: temporary credentials for a role, got from STS
//! `AssumeRoleWithWebIdentity` with an OpenID Connect token read from a file (botocore's
//! `assume-role-with-web-identity` provider): what EKS IAM roles for service accounts
//! (IRSA), GitHub Actions' OIDC and other CI systems hand a process.
//!
//! Settings, each from the environment first, then the selected profile (as botocore
//! reads them): `AWS_WEB_IDENTITY_TOKEN_FILE` / `web_identity_token_file`,
//! `AWS_ROLE_ARN` / `role_arn`, `AWS_ROLE_SESSION_NAME` / `role_session_name` (default
//! `inia-session-<unix time>`). A token file without a role ARN is an error when
//! credentials are asked for, naming both settings.
//!
//! The token file is read at every fetch (the token is rotated on disk by whoever wrote
//! it), so a refresh uses the current token. The call is unsigned (the STS model says
//! `noAuth`) and goes through inia's own STS client, reached through the
//! `service_call` seam. Every `provide` calls STS: the chain's refreshing cache reuses
//! the answer until shortly before it expires.
//!
//! The token is a bearer secret: it is never put in an error, a log line or `Debug`.
//!
//! Owns the AssumeRoleWithWebIdentity request and where its settings come from. Does not
//! own reading the answer (shared with `assume_role`), caching, or the chain's order.

use super::assume_role::{default_session_name, role_credentials};
use super::env_var;
use super::service_call::ConnectService;
use super::sso_token::unsigned_client;
use crate::credentials::service_call::CallService;
use crate::error::Error;
use inia_auth::config::{Env, Profile};
use inia_auth::credentials::Credentials;
use inia_auth::provider::{CredentialsError, ProvideCredentials, ProvideFuture};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;

/// The largest token file read (OIDC tokens are a few KiB).
const MAX_TOKEN: u64 = 1 << 20;

/// The settings of a web identity source: where the token is, which role, which name.
#[derive(Debug, Clone)]
pub struct WebIdentitySettings {
    /// The token file (`~` expanded).
    pub token_file: PathBuf,
    /// The role to assume; `None` is an error at fetch time.
    pub role_arn: Option<String>,
    /// `RoleSessionName`; `inia-session-<unix time>` when `None`.
    pub session_name: Option<String>,
}

impl WebIdentitySettings {
    /// The settings from `env`, then `profile` (each key separately, as botocore); `None`
    /// when neither names a token file.
    pub fn read(env: &Env, profile: Option<&Profile>) -> Option<WebIdentitySettings> {
        Self::lookup(env, true, profile)
    }

    /// The settings of `profile` alone (a `source_profile` of a role chain: botocore does
    /// not mix the environment into it); `None` when it names no token file.
    pub fn of_profile(env: &Env, profile: &Profile) -> Option<WebIdentitySettings> {
        Self::lookup(env, false, Some(profile))
    }

    fn lookup(env: &Env, use_env: bool, profile: Option<&Profile>) -> Option<Self> {
        let get = |var: &str, key: &str| {
            use_env.then(|| env_var(env, var)).flatten().or_else(|| {
                profile
                    .and_then(|p| p.get(key))
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
            })
        };
        let token_file = get("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file")?;
        Some(WebIdentitySettings {
            token_file: env.expand_home(&token_file),
            role_arn: get("AWS_ROLE_ARN", "role_arn"),
            session_name: get("AWS_ROLE_SESSION_NAME", "role_session_name"),
        })
    }
}

/// Credentials from `AssumeRoleWithWebIdentity`. See the module documentation.
pub struct WebIdentityProvider {
    sts: Arc<dyn CallService>,
    settings: WebIdentitySettings,
}

impl std::fmt::Debug for WebIdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebIdentityProvider")
            .field("token_file", &self.settings.token_file)
            .field("role_arn", &self.settings.role_arn)
            .field("session_name", &self.settings.session_name)
            .finish_non_exhaustive()
    }
}

impl WebIdentityProvider {
    /// The name this source reports in `Credentials::source`.
    pub const NAME: &'static str = "assume-role-with-web-identity";

    /// The provider for `settings`, calling STS in `region` through the client `connect`
    /// gives (made now, so configuration errors show early; no network is used yet).
    pub fn build_with(
        settings: WebIdentitySettings,
        region: &str,
        env: &Env,
        connect: &dyn ConnectService,
    ) -> Result<WebIdentityProvider, Error> {
        let sts = connect.connect(unsigned_client("sts", region, env))?;
        Ok(WebIdentityProvider { sts, settings })
    }

    fn error(message: String) -> CredentialsError {
        CredentialsError::Provider {
            source_name: Self::NAME,
            message,
        }
    }

    /// The token, read now; what went wrong names the file, never the content.
    fn token(&self) -> Result<String, CredentialsError> {
        use std::io::Read;
        let path = &self.settings.token_file;
        let cannot = |e: std::io::Error| {
            Self::error(format!(
                "cannot read the web identity token file {}: {e}",
                path.display()
            ))
        };
        let mut text = String::new();
        std::fs::File::open(path)
            .map_err(cannot)?
            .take(MAX_TOKEN)
            .read_to_string(&mut text)
            .map_err(cannot)?;
        let token = text.trim();
        if token.is_empty() {
            return Err(Self::error(format!(
                "the web identity token file {} is empty",
                path.display()
            )));
        }
        Ok(token.to_string())
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let Some(role_arn) = self.settings.role_arn.as_deref() else {
            return Err(Self::error(format!(
                "a web identity token file ({}) is configured but no role ARN: set role_arn \
                 in the profile or AWS_ROLE_ARN",
                self.settings.token_file.display()
            )));
        };
        let params = json!({
            "RoleArn": role_arn,
            "RoleSessionName": self.settings.session_name.clone().unwrap_or_else(default_session_name),
            "WebIdentityToken": self.token()?,
        });
        let answer = self
            .sts
            .call("AssumeRoleWithWebIdentity", params)
            .await
            .map_err(|e| {
                Self::error(format!(
                    "assuming {role_arn} with a web identity failed: {e}"
                ))
            })?;
        let creds = role_credentials(&answer, "AssumeRoleWithWebIdentity", Self::NAME)
            .map_err(Self::error)?;
        tracing::debug!(role = %role_arn, "assumed role with web identity");
        Ok(creds)
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move { self.fetch().await.map(Some) })
    }
}

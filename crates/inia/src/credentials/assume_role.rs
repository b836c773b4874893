//! [`AssumeRoleProvider`]: temporary credentials for a role, got from STS `AssumeRole`
//! with the credentials of a source provider (botocore's `assume-role` provider, minus
//! MFA prompts).
//!
//! The call goes through inia's own engine, reached through the seam of
//! `credentials::service_call` (this module imports neither `Session` nor `Client`):
//! [`AssumeRoleBuilder::build`] asks the engine's connector for an `sts` client of an
//! inner session whose credentials come from the source provider
//! ([`AssumeRoleBuilder::build_with`] takes any [`ConnectService`] instead), and the
//! provider calls `AssumeRole` with `RoleArn`, `RoleSessionName` (default
//! `inia-session-<unix time>`, as botocore's `botocore-session-<time>`), and optionally
//! `ExternalId`, `DurationSeconds` and an inline `Policy`. The inner session's region is
//! the one given, else `AWS_REGION` / `AWS_DEFAULT_REGION` from the [`Env`], else
//! `us-east-1`; its endpoint the one given, else the usual `AWS_ENDPOINT_URL_STS` /
//! `AWS_ENDPOINT_URL` / endpoint data.
//!
//! Every `provide` calls STS: wrap the provider in `inia_auth`'s refreshing cache to reuse
//! the answer until shortly before it expires. Failures (the source has no credentials,
//! STS refuses) are errors: an assume-role source is configured by definition.
//!
//! The credentials carry the account of the assumed role's ARN (`AssumedRoleUser.Arn`),
//! as botocore's.
//!
//! Owns: the AssumeRole request and reading its answer. Does not own: reading role
//! profiles from config files (`role_arn`, `source_profile`...), caching, the chain,
//! building the STS client (the engine's connector, `engine_calls`).

pub use super::service_call::{CallFuture, CallService, ConnectService, ServiceConfig};

use super::env_var;
use crate::error::Error;
use inia_auth::config::Env;
use inia_auth::credentials::Credentials;
use inia_auth::provider::{CredentialsError, ProvideCredentials, ProvideFuture};
use inia_http::HttpConfig;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Builds an [`AssumeRoleProvider`].
pub struct AssumeRoleBuilder {
    source: Arc<dyn ProvideCredentials>,
    role_arn: String,
    session_name: Option<String>,
    external_id: Option<String>,
    duration: Option<Duration>,
    policy: Option<String>,
    region: Option<String>,
    endpoint_url: Option<String>,
    http: Option<HttpConfig>,
    env: Env,
}

impl AssumeRoleBuilder {
    /// `RoleSessionName` (2 to 64 characters of `[\w+=,.@-]`).
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// `ExternalId`, when the role's trust policy asks for one.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// `DurationSeconds` (whole seconds; STS accepts 900 up to the role's maximum).
    pub fn duration(mut self, d: Duration) -> Self {
        self.duration = Some(d);
        self
    }

    /// An inline session policy (a JSON document) that narrows the role's permissions.
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }

    /// The region of the STS client.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Send the AssumeRole call to this URL.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Connection settings of the STS client (proxies, CA bundle, timeouts).
    pub fn http_config(mut self, http: HttpConfig) -> Self {
        self.http = Some(http);
        self
    }

    /// Read settings from `env` instead of the process environment.
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// The provider, calling STS through the client `connect` gives for this builder's
    /// settings (the engine's own connector is what [`build`](Self::build) uses). The
    /// client is made now: configuration errors show early, and no network is used yet.
    pub fn build_with(self, connect: &dyn ConnectService) -> Result<AssumeRoleProvider, Error> {
        if self.role_arn.trim().is_empty() {
            return Err(Error::Setting {
                name: "role_arn".into(),
                value: self.role_arn,
                message: "assume-role: the role ARN is empty".into(),
            });
        }
        let region = self
            .region
            .or_else(|| {
                inia_auth::region::REGION_VARS
                    .iter()
                    .find_map(|v| env_var(&self.env, v))
            })
            .unwrap_or_else(|| "us-east-1".to_string());
        let sts = connect.connect(ServiceConfig {
            service: "sts".into(),
            region,
            endpoint_url: self.endpoint_url,
            http: self.http,
            env: self.env,
            credentials: self.source.clone(),
            request_hook: None,
        })?;
        Ok(AssumeRoleProvider {
            sts,
            source_name: self.source.name(),
            role_arn: self.role_arn,
            session_name: self.session_name,
            external_id: self.external_id,
            duration: self.duration,
            policy: self.policy,
        })
    }
}

/// Credentials of an assumed role. See the module documentation.
pub struct AssumeRoleProvider {
    sts: Arc<dyn CallService>,
    source_name: &'static str,
    role_arn: String,
    session_name: Option<String>,
    external_id: Option<String>,
    duration: Option<Duration>,
    policy: Option<String>,
}

impl std::fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssumeRoleProvider")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field(
                "external_id",
                &self.external_id.as_ref().map(|_| "** set **"),
            )
            .field("duration", &self.duration)
            .field("source", &self.source_name)
            .finish_non_exhaustive()
    }
}

impl AssumeRoleProvider {
    /// The name this source reports in `Credentials::source`.
    pub const NAME: &'static str = "assume-role";

    /// A builder for assuming `role_arn` with the credentials `source` provides.
    pub fn builder(
        source: Arc<dyn ProvideCredentials>,
        role_arn: impl Into<String>,
    ) -> AssumeRoleBuilder {
        AssumeRoleBuilder {
            source,
            role_arn: role_arn.into(),
            session_name: None,
            external_id: None,
            duration: None,
            policy: None,
            region: None,
            endpoint_url: None,
            http: None,
            env: Env::real(),
        }
    }

    /// The ARN of the role assumed.
    pub fn role_arn(&self) -> &str {
        &self.role_arn
    }

    fn error(message: String) -> CredentialsError {
        CredentialsError::Provider {
            source_name: Self::NAME,
            message,
        }
    }

    fn params(&self) -> Value {
        let mut p = Map::new();
        p.insert("RoleArn".into(), json!(self.role_arn));
        let name = self
            .session_name
            .clone()
            .unwrap_or_else(default_session_name);
        p.insert("RoleSessionName".into(), json!(name));
        if let Some(id) = &self.external_id {
            p.insert("ExternalId".into(), json!(id));
        }
        if let Some(d) = self.duration {
            p.insert("DurationSeconds".into(), json!(d.as_secs()));
        }
        if let Some(policy) = &self.policy {
            p.insert("Policy".into(), json!(policy));
        }
        Value::Object(p)
    }

    async fn assume(&self) -> Result<Credentials, CredentialsError> {
        let answer = match self.sts.call("AssumeRole", self.params()).await {
            Ok(v) => v,
            Err(Error::Credentials(e)) => {
                return Err(Self::error(format!(
                    "the source credentials ({}) for {}: {e}",
                    self.source_name, self.role_arn
                )))
            }
            Err(e) => {
                return Err(Self::error(format!(
                    "assuming {} failed: {e}",
                    self.role_arn
                )))
            }
        };
        let creds = role_credentials(&answer, "AssumeRole", Self::NAME).map_err(Self::error)?;
        tracing::debug!(role = %self.role_arn, "assumed role");
        Ok(creds)
    }
}

/// `inia-session-<unix time>`, as botocore's `botocore-session-<time>`.
pub(crate) fn default_session_name() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("inia-session-{secs}")
}

/// The credentials in an STS answer (`AssumeRole`, `AssumeRoleWithWebIdentity`), for the
/// source `source_name`, carrying the account of the assumed role's ARN as botocore's do;
/// or what is missing from the answer of `operation`.
pub(crate) fn role_credentials(
    answer: &Value,
    operation: &str,
    source_name: &'static str,
) -> Result<Credentials, String> {
    let creds = &answer["Credentials"];
    let field = |name: &str| {
        creds[name]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("the {operation} answer has no Credentials.{name}"))
    };
    let id = field("AccessKeyId")?;
    let secret = field("SecretAccessKey")?;
    let token = field("SessionToken")?;
    let expiry = inia_protocol::timefmt::from_value(&creds["Expiration"])
        .map(SystemTime::from)
        .ok_or_else(|| format!("the {operation} answer has no valid Credentials.Expiration"))?;
    let account = answer["AssumedRoleUser"]["Arn"]
        .as_str()
        .and_then(arn_account);
    Ok(
        Credentials::new(id, secret, Some(token), Some(expiry), source_name)
            .with_account_id(account),
    )
}

/// The account field of an ARN (`arn:partition:service:region:account:resource`).
fn arn_account(arn: &str) -> Option<String> {
    let mut parts = arn.splitn(6, ':');
    let (prefix, account) = (parts.next()?, parts.nth(3)?);
    (prefix == "arn" && parts.next().is_some() && !account.is_empty()).then(|| account.to_string())
}

impl ProvideCredentials for AssumeRoleProvider {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move { self.assume().await.map(Some) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inia_auth::provider::StaticProvider;
    use std::sync::Mutex;

    /// STS as a test double: records the call, answers as AssumeRole does.
    #[derive(Default)]
    struct FakeSts(Mutex<Vec<(String, Value)>>);

    impl CallService for FakeSts {
        fn call<'a>(&'a self, operation: &'a str, params: Value) -> CallFuture<'a> {
            if let Ok(mut calls) = self.0.lock() {
                calls.push((operation.to_string(), params));
            }
            Box::pin(async {
                Ok(json!({
                    "Credentials": {"AccessKeyId": "ASIA1", "SecretAccessKey": "s",
                        "SessionToken": "t", "Expiration": "2031-01-01T00:00:00Z"},
                    "AssumedRoleUser": {"Arn": "arn:aws:sts::111122223333:assumed-role/r/s"}
                }))
            })
        }
    }

    #[tokio::test]
    async fn assumes_through_the_connector_it_is_given() {
        let sts = Arc::new(FakeSts::default());
        let seen = Arc::new(Mutex::new(None));
        let (sts2, seen2) = (sts.clone(), seen.clone());
        let connect = move |c: ServiceConfig| -> Result<Arc<dyn CallService>, Error> {
            *seen2.lock().unwrap() = Some((c.service, c.region, c.credentials.name()));
            Ok(sts2.clone())
        };
        let source = Credentials::new("AKID", "secret", None, None, "test");
        let provider = AssumeRoleProvider::builder(
            Arc::new(StaticProvider::new(source)),
            "arn:aws:iam::111122223333:role/r",
        )
        .session_name("s")
        .duration(Duration::from_secs(900))
        .env(Env::empty())
        .build_with(&connect)
        .unwrap();
        let seen = seen.lock().unwrap().clone().unwrap();
        assert_eq!((seen.0.as_str(), seen.1.as_str()), ("sts", "us-east-1"));
        let creds = provider.provide().await.unwrap().unwrap();
        assert_eq!(creds.access_key_id(), "ASIA1");
        assert_eq!(creds.account_id(), Some("111122223333"));
        let calls = sts.0.lock().unwrap();
        assert_eq!(calls[0].0, "AssumeRole");
        assert_eq!(
            calls[0].1,
            json!({"RoleArn": "arn:aws:iam::111122223333:role/r", "RoleSessionName": "s",
                "DurationSeconds": 900})
        );
    }

    #[test]
    fn account_of_an_arn() {
        let arn = "arn:aws:sts::123456789012:assumed-role/deployer/ci";
        assert_eq!(arn_account(arn).as_deref(), Some("123456789012"));
        assert_eq!(arn_account("arn:aws:s3:::bucket"), None);
        assert_eq!(arn_account("arn:aws:sts::1234"), None);
        assert_eq!(arn_account("nope:aws:sts::1:x"), None);
    }
}

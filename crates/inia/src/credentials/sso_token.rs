//! The IAM Identity Center (SSO) access token of a sign-in, as the AWS CLI v2 caches it:
//! `~/.aws/sso/cache/<sha1 hex>.json`, keyed by the `sso-session` name (or, for the
//! legacy profile form, the start URL), so a sign-in made by `aws sso login` serves inia,
//! and a token inia refreshes serves the AWS CLI and boto3.
//!
//! The file holds `startUrl`, `region`, `accessToken`, `expiresAt` (UTC,
//! `YYYY-MM-DDTHH:MM:SSZ`), and after a sign-in with a registered client `clientId`,
//! `clientSecret`, `registrationExpiresAt` and `refreshToken`. With less than 15 minutes
//! left, an `sso-session` token is refreshed through sso-oidc `CreateToken`
//! (`grantType=refresh_token`, unsigned, through inia's own client) when the registration
//! is still valid, and the new token written back: to a temporary file, mode 0600, then
//! renamed over the old one. A refresh that fails leaves the old token in use while it
//! lasts, as botocore's does. Legacy-form tokens are never refreshed.
//!
//! Tokens, refresh tokens and client secrets are secrets: never in an error, a log line
//! or `Debug`.
//!
//! Owns reading, refreshing and writing the token cache. Does not own signing in (the
//! command line's `sso login`), or the role credentials got with the token (`sso`).

use super::service_call::{CallService, ConnectService, ServiceConfig};
use crate::error::Error;
use crate::time::Clock;
use chrono::{DateTime, Utc};
use inia_auth::config::edit::write_private;
use inia_auth::config::Env;
use inia_auth::provider::{CredentialsChain, CredentialsError};
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Refresh a token with less than this left.
const REFRESH_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The largest cache file read.
const MAX_FILE: u64 = 1 << 20;

/// Which sign-in a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    /// The `sso-session` name; `None` for the legacy profile form.
    pub name: Option<String>,
    /// `sso_start_url`.
    pub start_url: String,
    /// `sso_region`: where sso-oidc and the portal are called.
    pub region: String,
}

impl SsoSession {
    /// The cache key: the session name, else the start URL.
    fn key(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.start_url)
    }

    /// The cache file's name: the SHA-1 of the key, in hex, as the AWS CLI names it.
    pub fn cache_file_name(&self) -> String {
        let digest = ring::digest::digest(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            self.key().as_bytes(),
        );
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        format!("{hex}.json")
    }
}

/// The default cache folder: `~/.aws/sso/cache`.
pub fn default_cache_dir(env: &Env) -> PathBuf {
    env.expand_home("~/.aws/sso/cache")
}

/// A cached token file's time (`2026-12-07T22:00:00Z`; the `UTC` suffix older AWS CLI
/// versions wrote is read too).
fn parse_time(v: &Value) -> Option<DateTime<Utc>> {
    let s = v.as_str()?.trim();
    let s = match s.strip_suffix("UTC") {
        Some(rest) => format!("{rest}Z"),
        None => s.to_string(),
    };
    inia_protocol::timefmt::parse_text(&s)
}

fn format_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The token of one sign-in, read from the cache each time it is asked for.
pub struct SsoTokenProvider {
    session: SsoSession,
    cache_dir: PathBuf,
    /// sso-oidc, for refreshing (unsigned).
    oidc: Arc<dyn CallService>,
    clock: Arc<dyn Clock>,
    /// The profile that uses it, for messages.
    profile: String,
}

impl std::fmt::Debug for SsoTokenProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoTokenProvider")
            .field("session", &self.session)
            .field("cache_dir", &self.cache_dir)
            .finish_non_exhaustive()
    }
}

impl SsoTokenProvider {
    /// The name credential errors report.
    pub const NAME: &'static str = "sso";

    /// The token provider of `session` for `profile`, its cache in `cache_dir`, refreshing
    /// through the sso-oidc client `connect` gives (made now, no network used).
    pub fn build_with(
        session: SsoSession,
        profile: &str,
        cache_dir: PathBuf,
        env: &Env,
        clock: Arc<dyn Clock>,
        connect: &dyn ConnectService,
    ) -> Result<SsoTokenProvider, Error> {
        let oidc = connect.connect(unsigned_client("sso-oidc", &session.region, env))?;
        Ok(SsoTokenProvider {
            session,
            cache_dir,
            oidc,
            clock,
            profile: profile.to_string(),
        })
    }

    /// The sign-in this token belongs to.
    pub fn session(&self) -> &SsoSession {
        &self.session
    }

    fn error(&self, message: String) -> CredentialsError {
        CredentialsError::Provider {
            source_name: Self::NAME,
            message,
        }
    }

    /// What to tell a user whose token is missing or expired.
    fn sign_in_again(&self) -> String {
        format!(
            "the SSO session of profile {} has expired or is otherwise invalid: sign in \
             again with `inia sso login --profile {}` (or the AWS CLI's `aws sso login`)",
            self.profile, self.profile
        )
    }

    fn path(&self) -> PathBuf {
        self.cache_dir.join(self.session.cache_file_name())
    }

    fn read(&self) -> Result<Map<String, Value>, CredentialsError> {
        use std::io::Read;
        let path = self.path();
        let mut text = String::new();
        let read =
            std::fs::File::open(&path).and_then(|f| f.take(MAX_FILE).read_to_string(&mut text));
        match read {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(self.error(format!(
                    "no SSO token for {} in {}: sign in with `inia sso login --profile {}` (or \
                     the AWS CLI's `aws sso login`)",
                    self.session.key(),
                    self.cache_dir.display(),
                    self.profile
                )))
            }
            Err(e) => return Err(self.error(format!("{}: {e}", path.display()))),
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(m)) if m.contains_key("accessToken") => Ok(m),
            Ok(_) => Err(self.error(format!(
                "{}: not an SSO token (no accessToken)",
                path.display()
            ))),
            Err(e) => Err(self.error(format!(
                "{}: not JSON (line {}, column {})",
                path.display(),
                e.line(),
                e.column()
            ))),
        }
    }

    /// The access token, refreshed first when it has less than 15 minutes left.
    pub async fn token(&self) -> Result<String, CredentialsError> {
        let cached = self.read()?;
        let now: DateTime<Utc> = self.clock.now().into();
        let expires = parse_time(&cached["expiresAt"]).ok_or_else(|| {
            self.error(format!(
                "{}: expiresAt is missing or not a time",
                self.path().display()
            ))
        })?;
        let window = chrono::Duration::from_std(REFRESH_WINDOW).unwrap_or_default();
        let mut token = cached;
        if expires - now < window && self.session.name.is_some() {
            match self.refresh(&token, now).await {
                Ok(Some(fresh)) => token = fresh,
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "SSO token refresh failed"),
            }
        }
        let expires = parse_time(&token["expiresAt"]).unwrap_or(expires);
        if expires <= now {
            return Err(self.error(self.sign_in_again()));
        }
        token["accessToken"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| {
                self.error(format!(
                    "{}: accessToken is not text",
                    self.path().display()
                ))
            })
    }

    /// A new token from sso-oidc, written to the cache; `None` when the cached one cannot
    /// be refreshed (no refresh token, or the client registration expired).
    async fn refresh(
        &self,
        token: &Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<Option<Map<String, Value>>, CredentialsError> {
        let text = |k: &str| token.get(k).and_then(Value::as_str);
        let (Some(refresh), Some(id), Some(secret)) =
            (text("refreshToken"), text("clientId"), text("clientSecret"))
        else {
            tracing::debug!("the cached SSO token has no refresh token or client");
            return Ok(None);
        };
        match token.get("registrationExpiresAt").and_then(parse_time) {
            Some(t) if t > now => {}
            _ => {
                tracing::debug!("the SSO client registration has expired");
                return Ok(None);
            }
        }
        let params = json!({
            "grantType": "refresh_token",
            "clientId": id,
            "clientSecret": secret,
            "refreshToken": refresh,
        });
        let answer = self
            .oidc
            .call("CreateToken", params)
            .await
            .map_err(|e| self.error(format!("refreshing the SSO token failed: {e}")))?;
        let access = answer["accessToken"]
            .as_str()
            .ok_or_else(|| self.error("the CreateToken answer has no accessToken".into()))?;
        let expires_in = answer["expiresIn"]
            .as_i64()
            .ok_or_else(|| self.error("the CreateToken answer has no expiresIn".into()))?;
        let mut fresh = token.clone();
        fresh.insert("startUrl".into(), json!(self.session.start_url));
        fresh.insert("region".into(), json!(self.session.region));
        fresh.insert("accessToken".into(), json!(access));
        let expires = now + chrono::Duration::seconds(expires_in);
        fresh.insert("expiresAt".into(), json!(format_time(expires)));
        if let Some(r) = answer["refreshToken"].as_str() {
            fresh.insert("refreshToken".into(), json!(r));
        }
        let text = Value::Object(fresh.clone()).to_string();
        write_private(&self.path(), text.as_bytes())
            .map_err(|e| self.error(format!("writing the refreshed SSO token: {e}")))?;
        tracing::debug!("SSO token refreshed");
        Ok(Some(fresh))
    }
}

/// What a credential source asks the engine for to call `service` without signing.
pub(crate) fn unsigned_client(service: &str, region: &str, env: &Env) -> ServiceConfig {
    ServiceConfig {
        service: service.into(),
        region: region.to_string(),
        endpoint_url: None,
        http: None,
        env: env.clone(),
        // The calls are unsigned: these are never asked for.
        credentials: Arc::new(CredentialsChain::new()),
        request_hook: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_names_are_the_aws_clis() {
        // SHA-1 of "my-sso" and of a start URL, as the AWS CLI v2 names the files.
        let s = SsoSession {
            name: Some("my-sso".into()),
            start_url: "https://d-123.awsapps.com/start".into(),
            region: "us-east-1".into(),
        };
        let sha1 = |t: &str| {
            let d = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, t.as_bytes());
            d.as_ref()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        assert_eq!(s.cache_file_name(), format!("{}.json", sha1("my-sso")));
        let legacy = SsoSession { name: None, ..s };
        assert_eq!(
            legacy.cache_file_name(),
            format!("{}.json", sha1("https://d-123.awsapps.com/start"))
        );
        // A known value: SHA-1("abc").
        assert_eq!(sha1("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn times_in_both_spellings() {
        let z = parse_time(&json!("2026-12-07T22:00:00Z")).unwrap();
        let utc = parse_time(&json!("2026-12-07T22:00:00UTC")).unwrap();
        assert_eq!(z, utc);
        assert_eq!(format_time(z), "2026-12-07T22:00:00Z");
        assert!(parse_time(&json!("soon")).is_none());
    }
}

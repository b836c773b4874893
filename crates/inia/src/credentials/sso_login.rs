//! Signing in to IAM Identity Center and out again, as `aws sso login --use-device-code`
//! and `aws sso logout` do, writing the token cache that `sso_token` reads.
//!
//! Sign-in with a device code (OAuth 2.0 device authorization, through sso-oidc):
//! 1. a client registration (`RegisterClient`, public, `botocore-client-<unix time>`,
//!    with the session's `sso_registration_scopes`), reused from the cache while it is
//!    valid for 15 more minutes; cached beside the tokens in a file named by the SHA-1 of
//!    the registration's key (tool, start URL, region, scopes, session name, as Python's
//!    `json.dumps(sort_keys=True)` writes it), holding `clientId`, `clientSecret`,
//!    `expiresAt` and `scopes`;
//! 2. `StartDeviceAuthorization` for the start URL: the verification URL and the code the
//!    user confirms in a browser, handed to the caller to show;
//! 3. `CreateToken` with the device-code grant, every `interval` seconds (5 more after a
//!    `SlowDownException`; `AuthorizationPendingException` means "not yet") until the
//!    token comes or the code expires;
//! 4. the token written to the cache (with the registration and refresh token for an
//!    `sso-session`, so it can be refreshed), atomically and with mode 0600.
//!
//! Sign-out: every token in the cache is revoked at the portal (`Logout`, errors ignored,
//! as the AWS CLI ignores them) and its file deleted; registrations are kept.
//!
//! Owns those two flows. Does not own reading or refreshing a token (`sso_token`), or
//! opening a browser and printing (the command line).

use super::service_call::CallService;
use super::sso_token::{default_cache_dir, unsigned_client, SsoSession};
use crate::engine_calls::SessionConnector;
use crate::error::Error;
use crate::time::{Clock, Sleep};
use chrono::{DateTime, Utc};
use inia_auth::config::edit::write_private;
use inia_auth::config::{Env, Profile, ProfileFiles};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::service_call::ConnectService;

/// The grant type of a device-code `CreateToken`.
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// How much longer to wait between polls after `SlowDownException` (RFC 8628).
const SLOW_DOWN: Duration = Duration::from_secs(5);
/// The longest sign-in waited for, whatever the server says.
const MAX_WAIT: Duration = Duration::from_secs(30 * 60);

/// What the user is asked to confirm in a browser.
#[derive(Debug, Clone)]
pub struct DeviceAuthorization {
    /// The page to open.
    pub verification_uri: String,
    /// The page with the code filled in, when the server gives one.
    pub verification_uri_complete: Option<String>,
    /// The code to confirm there.
    pub user_code: String,
}

/// The sign-in a profile (or an `sso-session` section) names, and its registration
/// scopes: `None` when the profile has no SSO settings.
pub fn sign_in_target(
    profile: &Profile,
    files: &ProfileFiles,
) -> Option<Result<(SsoSession, Vec<String>), String>> {
    let get = |p: &Profile, k: &str| {
        p.get(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    if let Some(name) = get(profile, "sso_session") {
        let Some(section) = files.sso_session(&name) else {
            return Some(Err(format!(
                "The specified sso-session does not exist: \"{name}\""
            )));
        };
        return Some(session_from(section, Some(name)));
    }
    get(profile, "sso_start_url")?;
    Some(session_from(profile, None))
}

/// The sign-in of an `[sso-session NAME]` section.
pub fn sso_session_target(
    name: &str,
    files: &ProfileFiles,
) -> Result<(SsoSession, Vec<String>), String> {
    let section = files
        .sso_session(name)
        .ok_or_else(|| format!("The specified sso-session does not exist: \"{name}\""))?;
    session_from(section, Some(name.to_string()))
}

fn session_from(p: &Profile, name: Option<String>) -> Result<(SsoSession, Vec<String>), String> {
    let get = |k: &str| {
        p.get(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let (Some(start_url), Some(region)) = (get("sso_start_url"), get("sso_region")) else {
        return Err(format!(
            "{} is missing sso_start_url or sso_region",
            p.name()
        ));
    };
    let scopes = get("sso_registration_scopes")
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Ok((
        SsoSession {
            name,
            start_url,
            region,
        },
        scopes,
    ))
}

/// Signing in and out, for one sign-in.
pub struct SsoLogin {
    session: SsoSession,
    scopes: Vec<String>,
    cache_dir: PathBuf,
    oidc: Arc<dyn CallService>,
    portal: Arc<dyn CallService>,
    sleep: Arc<dyn Sleep>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SsoLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoLogin")
            .field("session", &self.session)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn sha1_hex(text: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, text.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

impl SsoLogin {
    /// Sign-in and sign-out for `session`, its cache under `~/.aws/sso/cache` of `env`'s
    /// home, pausing with `sleep` and dating with `clock`.
    pub fn new(
        session: SsoSession,
        scopes: Vec<String>,
        env: &Env,
        sleep: Arc<dyn Sleep>,
        clock: Arc<dyn Clock>,
    ) -> Result<SsoLogin, Error> {
        let connect = SessionConnector;
        let oidc = connect.connect(unsigned_client("sso-oidc", &session.region, env))?;
        let portal = connect.connect(unsigned_client("sso", &session.region, env))?;
        Ok(SsoLogin {
            session,
            scopes,
            cache_dir: default_cache_dir(env),
            oidc,
            portal,
            sleep,
            clock,
        })
    }

    /// The sign-in this is for.
    pub fn session(&self) -> &SsoSession {
        &self.session
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now().into()
    }

    fn write(&self, file: &str, value: &Value) -> Result<(), Error> {
        let path = self.cache_dir.join(file);
        write_private(&path, value.to_string().as_bytes()).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// The cache file of the client registration, named as the AWS CLI names it.
    fn registration_file(&self) -> String {
        let mut key = serde_json::Map::new();
        key.insert("region".into(), json!(self.session.region));
        key.insert("scopes".into(), json!(self.scopes));
        key.insert("session_name".into(), json!(self.session.name));
        key.insert("startUrl".into(), json!(self.session.start_url));
        key.insert("tool".into(), json!("botocore"));
        // Python's json.dumps(sort_keys=True): keys sorted, ", " and ": " separators.
        let text = key
            .iter()
            .map(|(k, v)| format!("{}: {}", json!(k), python_json(v)))
            .collect::<Vec<_>>()
            .join(", ");
        format!("{}.json", sha1_hex(&format!("{{{text}}}")))
    }

    /// A registered client: the cached one while valid, else a new one (then cached).
    async fn client(&self) -> Result<(String, String, String), Error> {
        let file = self.registration_file();
        let cached: Option<Value> = std::fs::read_to_string(self.cache_dir.join(&file))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        if let Some(c) = cached {
            let valid = c["expiresAt"]
                .as_str()
                .and_then(inia_protocol::timefmt::parse_text)
                .is_some_and(|t| t > self.now() + chrono::Duration::minutes(15));
            if let (true, Some(id), Some(secret), Some(exp)) = (
                valid,
                c["clientId"].as_str(),
                c["clientSecret"].as_str(),
                c["expiresAt"].as_str(),
            ) {
                return Ok((id.into(), secret.into(), exp.into()));
            }
        }
        let mut params = json!({
            "clientName": format!("botocore-client-{}", self.now().timestamp()),
            "clientType": "public",
        });
        if !self.scopes.is_empty() {
            params["scopes"] = json!(self.scopes);
        }
        let r = self.oidc.call("RegisterClient", params).await?;
        let (Some(id), Some(secret), Some(expires)) = (
            r["clientId"].as_str(),
            r["clientSecret"].as_str(),
            r["clientSecretExpiresAt"].as_i64(),
        ) else {
            return Err(Error::Response(
                "the RegisterClient answer lacks clientId, clientSecret or clientSecretExpiresAt"
                    .into(),
            ));
        };
        let expires = DateTime::<Utc>::from_timestamp(expires, 0)
            .map(iso)
            .unwrap_or_default();
        let mut doc = json!({"clientId": id, "clientSecret": secret, "expiresAt": expires});
        if !self.scopes.is_empty() {
            doc["scopes"] = json!(self.scopes);
        }
        self.write(&file, &doc)?;
        Ok((id.into(), secret.into(), expires))
    }

    /// Sign in with a device code: `show` is given what the user must confirm, then the
    /// token is polled for and cached. Returns the token's expiry.
    pub async fn device_code(
        &self,
        show: impl FnOnce(&DeviceAuthorization),
    ) -> Result<DateTime<Utc>, Error> {
        let (client_id, secret, registration_expires) = self.client().await?;
        let start = self
            .oidc
            .call(
                "StartDeviceAuthorization",
                json!({"clientId": client_id, "clientSecret": secret,
                       "startUrl": self.session.start_url}),
            )
            .await?;
        let text = |k: &str| start[k].as_str().map(str::to_string);
        let (Some(device_code), Some(user_code), Some(uri)) = (
            text("deviceCode"),
            text("userCode"),
            text("verificationUri"),
        ) else {
            return Err(Error::Response(
                "the StartDeviceAuthorization answer lacks deviceCode, userCode or verificationUri"
                    .into(),
            ));
        };
        show(&DeviceAuthorization {
            verification_uri: uri,
            verification_uri_complete: text("verificationUriComplete"),
            user_code,
        });
        let expires_in = start["expiresIn"].as_u64().unwrap_or(600);
        let deadline = Duration::from_secs(expires_in).min(MAX_WAIT);
        let mut interval = Duration::from_secs(start["interval"].as_u64().unwrap_or(5).max(1));
        let mut waited = Duration::ZERO;
        let params = json!({"grantType": DEVICE_GRANT, "deviceCode": device_code,
                            "clientId": client_id, "clientSecret": secret});
        let token = loop {
            match self.oidc.call("CreateToken", params.clone()).await {
                Ok(t) => break t,
                Err(Error::Service { error, .. })
                    if error.code == "AuthorizationPendingException" => {}
                Err(Error::Service { error, .. }) if error.code == "SlowDownException" => {
                    interval += SLOW_DOWN;
                }
                Err(e) => return Err(e),
            }
            if waited + interval > deadline {
                return Err(Error::Response(format!(
                    "the sign-in was not confirmed within {} s",
                    deadline.as_secs()
                )));
            }
            self.sleep.sleep(interval).await;
            waited += interval;
        };
        let access = token["accessToken"]
            .as_str()
            .ok_or_else(|| Error::Response("the CreateToken answer has no accessToken".into()))?;
        let expires =
            self.now() + chrono::Duration::seconds(token["expiresIn"].as_i64().unwrap_or(0));
        let mut doc = json!({"startUrl": self.session.start_url, "region": self.session.region,
                             "accessToken": access, "expiresAt": iso(expires)});
        if self.session.name.is_some() {
            doc["clientId"] = json!(client_id);
            doc["clientSecret"] = json!(secret);
            doc["registrationExpiresAt"] = json!(registration_expires);
            if let Some(r) = token["refreshToken"].as_str() {
                doc["refreshToken"] = json!(r);
            }
        }
        self.write(&self.session.cache_file_name(), &doc)?;
        tracing::debug!("SSO sign-in complete");
        Ok(expires)
    }

    /// Sign out: revoke and delete every cached token. Returns how many were removed.
    pub async fn logout(&self) -> Result<usize, Error> {
        let entries = match std::fs::read_dir(&self.cache_dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(source) => {
                return Err(Error::Io {
                    path: self.cache_dir.display().to_string(),
                    source,
                })
            }
        };
        let mut removed = 0;
        for path in entries.flatten().map(|e| e.path()) {
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let Some(token) = std::fs::read_to_string(&path)
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .and_then(|v| v["accessToken"].as_str().map(str::to_string))
            else {
                continue;
            };
            if let Err(e) = self
                .portal
                .call("Logout", json!({"accessToken": token}))
                .await
            {
                tracing::debug!(error = %e, "SSO Logout failed; removing the cached token anyway");
            }
            if std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// A value as Python's `json.dumps` writes it (", " and ": " separators).
fn python_json(v: &Value) -> String {
    match v {
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(python_json).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_as_python_writes_them() {
        assert_eq!(python_json(&json!(["a", "b"])), r#"["a", "b"]"#);
        assert_eq!(python_json(&json!([])), "[]");
        assert_eq!(python_json(&json!("x")), r#""x""#);
    }
}

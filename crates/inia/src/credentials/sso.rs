//! [`SsoProvider`]: role credentials from IAM Identity Center (SSO), as botocore's `sso`
//! provider gets them: the portal's `GetRoleCredentials` (unsigned, the access token in
//! `x-amz-sso_bearer_token`) for the profile's account and role, with the token of its
//! sign-in (`sso_token`).
//!
//! A profile uses SSO when it names `sso_account_id` or `sso_role_name`. Its sign-in is
//! either an `[sso-session NAME]` section named by `sso_session` (`sso_start_url`,
//! `sso_region`; a key set in both places must agree), or the legacy form with
//! `sso_start_url` and `sso_region` in the profile itself. A missing key is an error
//! naming the profile and the keys, raised when credentials are asked for (as botocore's
//! is, so a source earlier in the chain still wins). The credentials carry the account id.
//!
//! The sign-in a profile names (its session, start URL, region and registration scopes),
//! which `sso login` signs in to, is resolved here too ([`sign_in_target`]).
//!
//! Owns resolving a profile's SSO settings and the `GetRoleCredentials` call. Does not own
//! the token (`sso_token`), caching, or the chain's order.

use super::service_call::{CallService, ConnectService};
use super::sso_token::{default_cache_dir, unsigned_client, SsoSession, SsoTokenProvider};
use crate::error::Error;
use crate::time::Clock;
use inia_auth::config::{Env, Profile, ProfileFiles};
use inia_auth::credentials::Credentials;
use inia_auth::provider::{CredentialsError, ProvideCredentials, ProvideFuture};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A profile's SSO settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSettings {
    /// The sign-in.
    pub session: SsoSession,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
}

impl SsoSettings {
    /// The settings of `profile`: `None` when it does not use SSO, else the settings or
    /// what is wrong with them (in botocore's words).
    pub fn read(profile: &Profile, files: &ProfileFiles) -> Option<Result<SsoSettings, String>> {
        let get = |k: &str| profile.get(k).map(str::trim).filter(|v| !v.is_empty());
        if get("sso_account_id").is_none() && get("sso_role_name").is_none() {
            return None;
        }
        Some(Self::resolve(profile, files))
    }

    fn resolve(profile: &Profile, files: &ProfileFiles) -> Result<SsoSettings, String> {
        let name = profile.name();
        let mut values: Vec<(&str, String)> = Vec::new();
        for key in [
            "sso_account_id",
            "sso_role_name",
            "sso_start_url",
            "sso_region",
        ] {
            if let Some(v) = profile.get(key).map(str::trim).filter(|v| !v.is_empty()) {
                values.push((key, v.to_string()));
            }
        }
        let session_name = profile
            .get("sso_session")
            .map(str::trim)
            .map(str::to_string);
        if let Some(s) = &session_name {
            let section = files
                .sso_session(s)
                .ok_or_else(|| format!("The specified sso-session does not exist: \"{s}\""))?;
            for key in ["sso_start_url", "sso_region"] {
                let Some(v) = section.get(key).map(str::trim) else {
                    continue;
                };
                match values.iter().find(|(k, _)| *k == key) {
                    Some((_, mine)) if mine != v => {
                        return Err(format!(
                            "The value for {key} is inconsistent between profile ({mine}) \
                             and sso-session ({v})."
                        ))
                    }
                    Some(_) => {}
                    None => values.push((key, v.to_string())),
                }
            }
        }
        let value = |k: &str| {
            values
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.clone())
        };
        let missing: Vec<&str> = [
            "sso_role_name",
            "sso_account_id",
            "sso_start_url",
            "sso_region",
        ]
        .into_iter()
        .filter(|k| value(k).is_none())
        .collect();
        if !missing.is_empty() {
            return Err(format!(
                "The profile \"{name}\" is configured to use SSO but is missing required \
                 configuration: {}",
                missing.join(", ")
            ));
        }
        Ok(SsoSettings {
            session: SsoSession {
                name: session_name,
                start_url: value("sso_start_url").unwrap_or_default(),
                region: value("sso_region").unwrap_or_default(),
            },
            account_id: value("sso_account_id").unwrap_or_default(),
            role_name: value("sso_role_name").unwrap_or_default(),
        })
    }
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

/// Role credentials through IAM Identity Center. See the module documentation.
pub struct SsoProvider {
    inner: Result<Ready, String>,
}

struct Ready {
    settings: SsoSettings,
    token: SsoTokenProvider,
    portal: Arc<dyn CallService>,
}

impl std::fmt::Debug for SsoProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let settings = self.inner.as_ref().map(|r| &r.settings);
        f.debug_struct("SsoProvider")
            .field("settings", &settings)
            .finish_non_exhaustive()
    }
}

impl SsoProvider {
    /// The name this source reports in `Credentials::source`.
    pub const NAME: &'static str = "sso";

    /// The provider for `profile`'s `settings` (or the problem with them, reported when
    /// credentials are asked for); its clients made now through `connect`.
    pub fn build_with(
        profile: &str,
        settings: Result<SsoSettings, String>,
        env: &Env,
        clock: Arc<dyn Clock>,
        connect: &dyn ConnectService,
    ) -> Result<SsoProvider, Error> {
        let settings = match settings {
            Ok(s) => s,
            Err(problem) => {
                return Ok(SsoProvider {
                    inner: Err(problem),
                })
            }
        };
        let token = SsoTokenProvider::build_with(
            settings.session.clone(),
            profile,
            default_cache_dir(env),
            env,
            clock,
            connect,
        )?;
        let portal = connect.connect(unsigned_client("sso", &settings.session.region, env))?;
        Ok(SsoProvider {
            inner: Ok(Ready {
                settings,
                token,
                portal,
            }),
        })
    }

    fn error(message: String) -> CredentialsError {
        CredentialsError::Provider {
            source_name: Self::NAME,
            message,
        }
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let ready = self.inner.as_ref().map_err(|p| Self::error(p.clone()))?;
        let token = ready.token.token().await?;
        let s = &ready.settings;
        let params = json!({
            "roleName": s.role_name,
            "accountId": s.account_id,
            "accessToken": token,
        });
        let answer = match ready.portal.call("GetRoleCredentials", params).await {
            Ok(v) => v,
            Err(Error::Service { error, .. }) if error.code == "UnauthorizedException" => {
                return Err(Self::error(format!(
                    "the SSO session of this profile has expired or is otherwise invalid \
                     (GetRoleCredentials: {}): sign in again with `inia sso login` (or `aws sso login`)",
                    error.code
                )))
            }
            Err(e) => return Err(Self::error(format!("GetRoleCredentials failed: {e}"))),
        };
        let c = &answer["roleCredentials"];
        let field = |k: &str| {
            c[k].as_str().map(str::to_string).ok_or_else(|| {
                Self::error(format!(
                    "the GetRoleCredentials answer has no roleCredentials.{k}"
                ))
            })
        };
        let millis = c["expiration"].as_u64().ok_or_else(|| {
            Self::error("the GetRoleCredentials answer has no roleCredentials.expiration".into())
        })?;
        let expiry = SystemTime::UNIX_EPOCH + Duration::from_millis(millis);
        tracing::debug!(account = %s.account_id, role = %s.role_name, "got SSO role credentials");
        Ok(Credentials::new(
            field("accessKeyId")?,
            field("secretAccessKey")?,
            Some(field("sessionToken")?),
            Some(expiry),
            Self::NAME,
        )
        .with_account_id(Some(s.account_id.clone())))
    }
}

impl ProvideCredentials for SsoProvider {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move { self.fetch().await.map(Some) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(config: &str) -> (tempfile::TempDir, ProfileFiles) {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config");
        std::fs::write(&cfg, config).unwrap();
        let f = ProfileFiles::load_from(&cfg, &dir.path().join("none")).unwrap();
        (dir, f)
    }

    fn settings(config: &str, profile: &str) -> Option<Result<SsoSettings, String>> {
        let (_dir, f) = files(config);
        let p = f.profile(profile).unwrap();
        SsoSettings::read(&p, &f)
    }

    #[test]
    fn both_forms_are_read() {
        let s = settings(
            "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n\
             [sso-session corp]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = eu-west-1\n",
            "dev",
        )
        .unwrap()
        .unwrap();
        assert_eq!(s.session.name.as_deref(), Some("corp"));
        assert_eq!(s.session.region, "eu-west-1");
        assert_eq!(
            (s.account_id.as_str(), s.role_name.as_str()),
            ("111122223333", "Dev")
        );
        let legacy = settings(
            "[profile old]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = us-east-1\n\
             sso_account_id = 1\nsso_role_name = R\n",
            "old",
        )
        .unwrap()
        .unwrap();
        assert_eq!(legacy.session.name, None);
        assert!(settings("[profile plain]\nregion = us-east-1\n", "plain").is_none());
    }

    #[test]
    fn problems_are_named_as_botocore_names_them() {
        let e = settings("[profile p]\nsso_account_id = 1\n", "p")
            .unwrap()
            .unwrap_err();
        assert!(
            e.contains("missing required configuration: sso_role_name, sso_start_url, sso_region"),
            "{e}"
        );
        let e = settings(
            "[profile p]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n",
            "p",
        )
        .unwrap()
        .unwrap_err();
        assert!(e.contains("sso-session does not exist: \"nope\""), "{e}");
        let e = settings(
            "[profile p]\nsso_session = s\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n\
             [sso-session s]\nsso_start_url = https://x/start\nsso_region = eu-west-1\n",
            "p",
        )
        .unwrap()
        .unwrap_err();
        assert!(e.contains("inconsistent"), "{e}");
    }
}

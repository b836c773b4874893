//! [`LoginProvider`]: the credentials of an `aws login` session (botocore's `login`
//! provider), for a profile naming `login_session`.
//!
//! The session is cached by the AWS CLI in `~/.aws/login/cache` (or
//! `AWS_LOGIN_CACHE_DIRECTORY`), in `<sha256 hex of the session name>.json`: `accessToken`
//! (an object: `accessKeyId`, `secretAccessKey`, `sessionToken`, `accountId`,
//! `expiresAt`), `refreshToken`, `clientId`, `dpopKey` (a PEM P-256 key) and, from newer
//! sign-ins, `signInRegion`. While more than 5 minutes are left the cached credentials
//! are used; then the session is refreshed through the sign-in service's
//! `CreateOAuth2Token` (unsigned; `grantType=refresh_token`) with a DPoP proof of the
//! cached key in the `DPoP` header, in `signInRegion` (else the session's region), and the
//! new credentials and refresh token written back (atomically, mode 0600), keeping every
//! other field, as botocore does.
//!
//! A missing session or field is an error that says to run `aws login`; a refused refresh
//! (`AccessDeniedException`) says why when the service does. Keys and tokens are never in
//! an error, a log line or `Debug`.
//!
//! Owns the session cache and its refresh. Does not own the proof (`inia_auth::dpop`),
//! caching in memory, or the chain's order.

use super::service_call::{CallService, ConnectService};
use super::sso_token::unsigned_client;
use crate::error::Error;
use crate::time::Clock;
use chrono::{DateTime, Utc};
use inia_auth::config::edit::write_private;
use inia_auth::config::Env;
use inia_auth::credentials::Credentials;
use inia_auth::dpop::{random_uuid, DpopKey};
use inia_auth::provider::{CredentialsError, ProvideCredentials, ProvideFuture};
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Refresh with less than this left.
const REFRESH_THRESHOLD: i64 = 5 * 60;
/// The largest cache file read.
const MAX_FILE: u64 = 1 << 20;

/// The cache folder: `AWS_LOGIN_CACHE_DIRECTORY`, else `~/.aws/login/cache`.
pub fn cache_dir(env: &Env) -> PathBuf {
    let dir = env
        .get_non_empty("AWS_LOGIN_CACHE_DIRECTORY")
        .unwrap_or("~/.aws/login/cache");
    env.expand_home(dir)
}

/// The cache file of a session: the SHA-256 of its name, in hex.
pub fn cache_file_name(session: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, session.as_bytes());
    let hex: String = d.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.json")
}

/// The key a sign-in client's requests carry proofs of, set before each refresh.
type KeySlot = Arc<Mutex<Option<DpopKey>>>;

/// A sign-in client of one region, and its key slot.
type RegionClient = (String, Arc<dyn CallService>, KeySlot);

/// Credentials of a login session. See the module documentation.
pub struct LoginProvider {
    session: String,
    path: PathBuf,
    region: String,
    env: Env,
    clock: Arc<dyn Clock>,
    /// Sign-in clients by region, made when a refresh first needs one, with the key that
    /// signs their proofs.
    clients: Mutex<Vec<RegionClient>>,
    connect: Arc<dyn ConnectService>,
}

impl std::fmt::Debug for LoginProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginProvider")
            .field("session", &self.session)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl LoginProvider {
    /// The name this source reports in `Credentials::source`.
    pub const NAME: &'static str = "login";

    /// The provider of login session `session`, refreshing in `region` (when the cached
    /// session names no `signInRegion`) through clients `connect` makes.
    pub fn new(
        session: &str,
        region: &str,
        env: &Env,
        clock: Arc<dyn Clock>,
        connect: Arc<dyn ConnectService>,
    ) -> LoginProvider {
        LoginProvider {
            session: session.to_string(),
            path: cache_dir(env).join(cache_file_name(session)),
            region: region.to_string(),
            env: env.clone(),
            clock,
            clients: Mutex::new(Vec::new()),
            connect,
        }
    }

    fn error(message: String) -> CredentialsError {
        CredentialsError::Provider {
            source_name: Self::NAME,
            message,
        }
    }

    fn read(&self) -> Result<Map<String, Value>, CredentialsError> {
        use std::io::Read;
        let mut text = String::new();
        let read = std::fs::File::open(&self.path)
            .and_then(|f| f.take(MAX_FILE).read_to_string(&mut text));
        match read {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Self::error(format!(
                    "no login session {} in {}: sign in again with `aws login`",
                    self.session,
                    self.path.display()
                )))
            }
            Err(e) => return Err(Self::error(format!("{}: {e}", self.path.display()))),
        }
        let token = match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(m)) => m,
            _ => {
                return Err(Self::error(format!(
                    "{}: not a login session (not a JSON object)",
                    self.path.display()
                )))
            }
        };
        let missing: Vec<&str> = ["accessToken", "refreshToken", "dpopKey", "clientId"]
            .into_iter()
            .filter(|k| !token.contains_key(*k))
            .collect();
        if !missing.is_empty() {
            return Err(Self::error(format!(
                "{}: missing required fields: {}; sign in again with `aws login`",
                self.path.display(),
                missing.join(", ")
            )));
        }
        Ok(token)
    }

    fn credentials(&self, token: &Map<String, Value>) -> Result<Credentials, CredentialsError> {
        let a = &token["accessToken"];
        let field = |k: &str| {
            a[k].as_str().map(str::to_string).ok_or_else(|| {
                Self::error(format!(
                    "{}: accessToken.{k} is missing",
                    self.path.display()
                ))
            })
        };
        let expires = a["expiresAt"]
            .as_str()
            .and_then(inia_protocol::timefmt::parse_text)
            .ok_or_else(|| {
                Self::error(format!(
                    "{}: accessToken.expiresAt is missing",
                    self.path.display()
                ))
            })?;
        Ok(Credentials::new(
            field("accessKeyId")?,
            field("secretAccessKey")?,
            Some(field("sessionToken")?),
            Some(expires.into()),
            Self::NAME,
        )
        .with_account_id(a["accountId"].as_str().map(str::to_string)))
    }

    /// The sign-in client of `region`, whose requests carry a proof of the key slot's key.
    fn client(&self, region: &str) -> Result<(Arc<dyn CallService>, KeySlot), CredentialsError> {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, c, k)) = clients.iter().find(|(r, _, _)| r == region) {
            return Ok((c.clone(), k.clone()));
        }
        let slot: KeySlot = Arc::new(Mutex::new(None));
        let (key, clock) = (slot.clone(), self.clock.clone());
        let mut config = unsigned_client("signin", region, &self.env);
        config.request_hook = Some(Arc::new(move |req: &mut http::Request<inia_http::Body>| {
            let key = key.lock().unwrap_or_else(|p| p.into_inner());
            let Some(key) = key.as_ref() else { return };
            let iat = clock
                .now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let proof = key.proof(
                req.method().as_str(),
                &req.uri().to_string(),
                iat,
                &random_uuid(),
            );
            if let Ok(mut v) = http::HeaderValue::from_str(&proof) {
                v.set_sensitive(true);
                req.headers_mut().insert("dpop", v);
            }
        }));
        let client = self
            .connect
            .connect(config)
            .map_err(|e| Self::error(format!("the sign-in service client: {e}")))?;
        clients.push((region.to_string(), client.clone(), slot.clone()));
        Ok((client, slot))
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let token = self.read()?;
        let now: DateTime<Utc> = self.clock.now().into();
        let cached = self.credentials(&token)?;
        let left = cached
            .expiry()
            .map(|e| DateTime::<Utc>::from(e) - now)
            .map_or(i64::MAX, |d| d.num_seconds());
        if left > REFRESH_THRESHOLD {
            return Ok(cached);
        }
        let key = DpopKey::from_pem(token["dpopKey"].as_str().unwrap_or_default())
            .map_err(|e| Self::error(format!("{}: {e}", self.path.display())))?;
        let region = token
            .get("signInRegion")
            .and_then(Value::as_str)
            .unwrap_or(&self.region)
            .to_string();
        let (client, slot) = self.client(&region)?;
        *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(key);
        let params = json!({"tokenInput": {"clientId": token["clientId"],
            "refreshToken": token["refreshToken"], "grantType": "refresh_token"}});
        let answer = match client.call("CreateOAuth2Token", params).await {
            Ok(v) => v,
            Err(Error::Service { error, .. }) if error.code == "AccessDeniedException" => {
                let why = error.value["error"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let advice = match why.as_str() {
                    "TOKEN_EXPIRED" => "the login session has expired",
                    "USER_CREDENTIALS_CHANGED" => "the user's credentials changed",
                    "INSUFFICIENT_PERMISSIONS" => "the user may not refresh this session",
                    _ => "the sign-in service refused the refresh",
                };
                return Err(Self::error(format!(
                    "{advice} ({}{}): sign in again with `aws login`",
                    error.code,
                    if why.is_empty() {
                        String::new()
                    } else {
                        format!(" {why}")
                    }
                )));
            }
            Err(e) => {
                return Err(Self::error(format!(
                    "refreshing the login session failed: {e}"
                )))
            }
        };
        let out = &answer["tokenOutput"];
        let (Some(expires_in), Some(refresh)) =
            (out["expiresIn"].as_i64(), out["refreshToken"].as_str())
        else {
            return Err(Self::error(
                "the CreateOAuth2Token answer lacks expiresIn or refreshToken".into(),
            ));
        };
        let access = &out["accessToken"];
        let mut fresh = token.clone();
        let account = token["accessToken"]["accountId"].clone();
        fresh.insert(
            "accessToken".into(),
            json!({"accessKeyId": access["accessKeyId"], "secretAccessKey": access["secretAccessKey"],
                   "sessionToken": access["sessionToken"], "accountId": account,
                   "expiresAt": (now + chrono::Duration::seconds(expires_in))
                       .format("%Y-%m-%dT%H:%M:%SZ").to_string()}),
        );
        fresh.insert("refreshToken".into(), json!(refresh));
        let creds = self.credentials(&fresh)?;
        write_private(&self.path, Value::Object(fresh).to_string().as_bytes())
            .map_err(|e| Self::error(format!("writing the refreshed login session: {e}")))?;
        tracing::debug!("login session refreshed");
        Ok(creds)
    }
}

impl ProvideCredentials for LoginProvider {
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

    #[test]
    fn cache_files_are_named_by_sha256() {
        // SHA-256("abc") (FIPS 180-2's example).
        assert_eq!(
            cache_file_name("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.json"
        );
        let env = Env::empty().with_var("AWS_LOGIN_CACHE_DIRECTORY", "/tmp/login-cache");
        assert_eq!(cache_dir(&env), PathBuf::from("/tmp/login-cache"));
    }
}

//! Signing in to IAM Identity Center and out again, as `aws sso login` and `aws sso logout`
//! do, writing the token cache that `sso_token` reads.
//!
//! Both sign-ins first register a public client with sso-oidc (`RegisterClient`,
//! `botocore-client-<unix time>`), reused from the cache while it is valid for 15 more
//! minutes: cached beside the tokens in a file named by the SHA-1 of the registration's
//! key (tool, start URL, region, scopes, session name, and for the authorization-code
//! flow its grant types and redirect URIs, as Python's `json.dumps(sort_keys=True)`
//! writes it), holding `clientId`, `clientSecret`, `expiresAt`, `scopes` and, for the
//! authorization-code flow, `grantTypes`. Each flow takes only a registration made for it
//! (the AWS CLI keeps both kinds under the device-code key, told apart by `grantTypes`).
//!
//! Sign-in with an authorization code and PKCE ([`SsoLogin::authorization_code`], the AWS
//! CLI v2's default for an `sso-session`; RFC 6749 4.1, RFC 7636, RFC 8252):
//! 1. the registration has grant types `authorization_code` and `refresh_token`, redirect
//!    URI `http://127.0.0.1/oauth/callback` (a loopback redirect matches on any port),
//!    the start URL as `issuerUrl`, and the session's scopes (`sso:account:access` when
//!    none are configured, as the AWS CLI does);
//! 2. a code verifier (32 random bytes, base64url without padding), its S256 challenge,
//!    a random `state`, and a listener on 127.0.0.1 on a port the system picks
//!    (`sso_redirect`);
//! 3. the authorize page, handed to the caller to open: `<base>/authorize?` with
//!    `response_type=code`, `client_id`, `redirect_uri`
//!    (`http://127.0.0.1:<port>/oauth/callback`), `state`, `code_challenge_method=S256`,
//!    `scopes` (space-joined) and `code_challenge`, in that order, values percent-encoded
//!    (RFC 3986 unreserved characters kept). `<base>` is the scheme
//!    and host of the endpoint inia's own sso-oidc client resolves, as the AWS CLI takes
//!    its client's, so whatever moves the API moves the page too
//!    (`AWS_ENDPOINT_URL_SSO_OIDC`, `AWS_ENDPOINT_URL`, a `services` section); else
//!    `https://oidc.<sso_region>.amazonaws.com`;
//! 4. the browser's redirect to the listener, its `state` checked (`sso_redirect`: at most
//!    10 minutes and 64 connections);
//! 5. `CreateToken` with grant `authorization_code`, the code, the redirect URI and the
//!    verifier.
//!
//! Sign-in with a device code ([`SsoLogin::device_code`], `aws sso login
//! --use-device-code`; OAuth 2.0 device authorization, RFC 8628):
//! 1. the registration, with the session's `sso_registration_scopes`;
//! 2. `StartDeviceAuthorization` for the start URL: the verification URL and the code the
//!    user confirms in a browser, handed to the caller to show;
//! 3. `CreateToken` with the device-code grant, every `interval` seconds (5 more after a
//!    `SlowDownException`; `AuthorizationPendingException` means "not yet") until the
//!    token comes or the code expires.
//!
//! Either way the token is written to the cache (with the registration and refresh token
//! for an `sso-session`, so it can be refreshed), atomically and with mode 0600.
//!
//! Sign-out: every token in the cache is revoked at the portal (`Logout`, errors ignored,
//! as the AWS CLI ignores them) and its file deleted; registrations are kept.
//!
//! Codes, code verifiers, tokens and client secrets are secrets: never in an error, a log
//! line or `Debug`.
//!
//! Owns those flows. Does not own reading or refreshing a token (`sso_token`), the
//! loopback listener (`sso_redirect`), or opening a browser and printing (the command
//! line).

use super::service_call::CallService;
pub use super::sso::{sign_in_target, sso_session_target};
use super::sso_redirect::{Redirect, CALLBACK_PATH};
use super::sso_token::{default_cache_dir, unsigned_client, SsoSession};
use crate::engine_calls::SessionConnector;
use crate::error::Error;
use crate::time::{Clock, Sleep};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use inia_auth::config::edit::write_private;
use inia_auth::config::Env;
use inia_auth::sign::canonical::{encode, STRICT};
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
/// The grant types of an authorization-code client.
const AUTH_GRANT_TYPES: [&str; 2] = ["authorization_code", "refresh_token"];
/// The scope an authorization-code client asks for when none are configured.
const AUTH_DEFAULT_SCOPE: &str = "sso:account:access";

/// Which sign-in a client registration is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    DeviceCode,
    AuthorizationCode,
}

/// A registered client. No `Debug`: it holds the client secret.
struct Registration {
    id: String,
    secret: String,
    /// When the registration expires (UTC, `YYYY-MM-DDTHH:MM:SSZ`).
    expires_at: String,
}

/// A PKCE pair (RFC 7636). No `Debug`: the verifier is a secret.
struct Pkce {
    verifier: String,
    challenge: String,
}

impl Pkce {
    /// A new pair: 32 random bytes for the verifier, its S256 challenge.
    fn new() -> Result<Pkce, Error> {
        let verifier = random_text(32)?;
        Ok(Pkce {
            challenge: s256(&verifier),
            verifier,
        })
    }
}

/// base64url(SHA-256(`verifier`)), without padding: the S256 code challenge.
fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        verifier.as_bytes(),
    ))
}

/// `bytes` random bytes from the system's source, base64url without padding.
fn random_text(bytes: usize) -> Result<String, Error> {
    use ring::rand::SecureRandom;
    let mut b = vec![0u8; bytes];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| Error::Response("the system's random source failed".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(b))
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .filter(|h| !h.is_empty())?;
    Some(format!("{scheme}://{host}"))
}

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

    /// The scopes a client of `flow` registers for.
    fn scopes(&self, flow: Flow) -> Vec<String> {
        match flow {
            Flow::AuthorizationCode if self.scopes.is_empty() => vec![AUTH_DEFAULT_SCOPE.into()],
            _ => self.scopes.clone(),
        }
    }

    /// The cache file of the client registration of `flow`: for the device code, named as
    /// the AWS CLI names it; for the authorization code, with the grant types and redirect
    /// URIs in the key too.
    fn registration_file(&self, flow: Flow) -> String {
        let mut key = vec![
            ("region", json!(self.session.region)),
            ("scopes", json!(self.scopes(flow))),
            ("session_name", json!(self.session.name)),
            ("startUrl", json!(self.session.start_url)),
            ("tool", json!("botocore")),
        ];
        if flow == Flow::AuthorizationCode {
            key.push(("grantTypes", json!(AUTH_GRANT_TYPES)));
            key.push(("redirectUris", json!([registered_redirect()])));
        }
        // Python's json.dumps(sort_keys=True): keys sorted, ", " and ": " separators.
        key.sort_by(|a, b| a.0.cmp(b.0));
        let text = key
            .iter()
            .map(|(k, v)| format!("{}: {}", json!(k), python_json(v)))
            .collect::<Vec<_>>()
            .join(", ");
        format!("{}.json", sha1_hex(&format!("{{{text}}}")))
    }

    /// A registered client for `flow`: the cached one while valid and made for that flow,
    /// else a new one (then cached).
    async fn client(&self, flow: Flow) -> Result<Registration, Error> {
        let file = self.registration_file(flow);
        let cached: Option<Value> = std::fs::read_to_string(self.cache_dir.join(&file))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        if let Some(c) = cached {
            let valid = c["expiresAt"]
                .as_str()
                .and_then(inia_protocol::timefmt::parse_text)
                .is_some_and(|t| t > self.now() + chrono::Duration::minutes(15));
            let for_auth_code = c["grantTypes"]
                .as_array()
                .is_some_and(|g| g.iter().any(|t| t == "authorization_code"));
            let for_flow = for_auth_code == (flow == Flow::AuthorizationCode);
            if let (true, true, Some(id), Some(secret), Some(exp)) = (
                valid,
                for_flow,
                c["clientId"].as_str(),
                c["clientSecret"].as_str(),
                c["expiresAt"].as_str(),
            ) {
                return Ok(Registration {
                    id: id.into(),
                    secret: secret.into(),
                    expires_at: exp.into(),
                });
            }
        }
        let scopes = self.scopes(flow);
        let mut params = json!({
            "clientName": format!("botocore-client-{}", self.now().timestamp()),
            "clientType": "public",
        });
        if !scopes.is_empty() {
            params["scopes"] = json!(scopes);
        }
        if flow == Flow::AuthorizationCode {
            params["grantTypes"] = json!(AUTH_GRANT_TYPES);
            params["redirectUris"] = json!([registered_redirect()]);
            params["issuerUrl"] = json!(self.session.start_url);
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
        if !scopes.is_empty() {
            doc["scopes"] = json!(scopes);
        }
        if flow == Flow::AuthorizationCode {
            doc["grantTypes"] = json!(AUTH_GRANT_TYPES);
        }
        self.write(&file, &doc)?;
        Ok(Registration {
            id: id.into(),
            secret: secret.into(),
            expires_at: expires,
        })
    }

    /// Cache the token of a `CreateToken` answer for this sign-in (with the registration
    /// and refresh token for an `sso-session`). Returns its expiry.
    fn save_token(&self, token: &Value, client: &Registration) -> Result<DateTime<Utc>, Error> {
        let access = token["accessToken"]
            .as_str()
            .ok_or_else(|| Error::Response("the CreateToken answer has no accessToken".into()))?;
        let expires =
            self.now() + chrono::Duration::seconds(token["expiresIn"].as_i64().unwrap_or(0));
        let mut doc = json!({"startUrl": self.session.start_url, "region": self.session.region,
                             "accessToken": access, "expiresAt": iso(expires)});
        if self.session.name.is_some() {
            doc["clientId"] = json!(client.id);
            doc["clientSecret"] = json!(client.secret);
            doc["registrationExpiresAt"] = json!(client.expires_at);
            if let Some(r) = token["refreshToken"].as_str() {
                doc["refreshToken"] = json!(r);
            }
        }
        self.write(&self.session.cache_file_name(), &doc)?;
        tracing::debug!("SSO sign-in complete");
        Ok(expires)
    }

    /// The authorize page's URL (see the module documentation).
    fn authorize_url(
        &self,
        client_id: &str,
        redirect_uri: &str,
        state: &str,
        challenge: &str,
    ) -> String {
        let base = self
            .oidc
            .resolved_endpoint()
            .and_then(|u| origin(&u))
            .unwrap_or_else(|| format!("https://oidc.{}.amazonaws.com", self.session.region));
        let scopes = self.scopes(Flow::AuthorizationCode).join(" ");
        let query = [
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("state", state),
            ("code_challenge_method", "S256"),
            ("scopes", &scopes),
            ("code_challenge", challenge),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v, STRICT)))
        .collect::<Vec<_>>()
        .join("&");
        format!("{base}/authorize?{query}")
    }

    /// Sign in with an authorization code and PKCE: `open` is given the authorize page's
    /// URL to show or open in a browser, then the browser's redirect is waited for on
    /// 127.0.0.1 and the code exchanged for a token, which is cached. Returns the token's
    /// expiry.
    pub async fn authorization_code(
        &self,
        open: impl FnOnce(&str),
    ) -> Result<DateTime<Utc>, Error> {
        let client = self.client(Flow::AuthorizationCode).await?;
        let pkce = Pkce::new()?;
        let state = random_text(16)?;
        let redirect = Redirect::bind().await?;
        let url = self.authorize_url(&client.id, redirect.uri(), &state, &pkce.challenge);
        open(&url);
        let code = redirect.code(&state, self.sleep.as_ref()).await?;
        let params = json!({"grantType": "authorization_code", "clientId": client.id,
                            "clientSecret": client.secret, "code": code,
                            "redirectUri": redirect.uri(), "codeVerifier": pkce.verifier});
        drop(redirect);
        let token = self.oidc.call("CreateToken", params).await?;
        self.save_token(&token, &client)
    }

    /// Sign in with a device code: `show` is given what the user must confirm, then the
    /// token is polled for and cached. Returns the token's expiry.
    pub async fn device_code(
        &self,
        show: impl FnOnce(&DeviceAuthorization),
    ) -> Result<DateTime<Utc>, Error> {
        let client = self.client(Flow::DeviceCode).await?;
        let start = self
            .oidc
            .call(
                "StartDeviceAuthorization",
                json!({"clientId": client.id, "clientSecret": client.secret,
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
                            "clientId": client.id, "clientSecret": client.secret});
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
        self.save_token(&token, &client)
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

/// The redirect URI a client is registered with: the loopback callback, without a port.
fn registered_redirect() -> String {
    format!("http://127.0.0.1{CALLBACK_PATH}")
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

    /// sso-oidc as far as the URL goes: its endpoint, and no calls.
    struct Endpoint(Option<&'static str>);

    impl CallService for Endpoint {
        fn call<'a>(&'a self, _: &'a str, _: Value) -> super::super::service_call::CallFuture<'a> {
            Box::pin(async { Err(Error::Response("no calls here".into())) })
        }
        fn resolved_endpoint(&self) -> Option<String> {
            self.0.map(str::to_string)
        }
    }

    fn login(endpoint: Option<&'static str>, scopes: &[&str]) -> SsoLogin {
        SsoLogin {
            session: SsoSession {
                name: Some("corp".into()),
                start_url: "https://d-9999.awsapps.com/start".into(),
                region: "eu-west-1".into(),
            },
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            cache_dir: PathBuf::from("/nonexistent"),
            oidc: Arc::new(Endpoint(endpoint)),
            portal: Arc::new(Endpoint(None)),
            sleep: Arc::new(crate::time::TokioSleep),
            clock: Arc::new(crate::time::SystemClock),
        }
    }

    #[test]
    fn pkce_as_rfc_7636_computes_it() {
        // RFC 7636, appendix B.
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let p = Pkce::new().unwrap();
        assert_eq!(p.verifier.len(), 43);
        assert!(p
            .verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(p.challenge, s256(&p.verifier));
        assert_ne!(p.verifier, Pkce::new().unwrap().verifier);
    }

    #[test]
    fn the_authorize_page_is_beside_the_clients_endpoint() {
        let l = login(Some("http://127.0.0.1:4566/some/path?x=1"), &[]);
        let url = l.authorize_url("cid", "http://127.0.0.1:5000/oauth/callback", "st", "ch");
        assert_eq!(
            url,
            "http://127.0.0.1:4566/authorize?response_type=code&client_id=cid\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Foauth%2Fcallback&state=st\
             &code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge=ch"
        );
        let l = login(None, &["sso:account:access", "codewhisperer:completions"]);
        let url = l.authorize_url("cid", "http://127.0.0.1:5000/oauth/callback", "st", "ch");
        assert!(url.starts_with("https://oidc.eu-west-1.amazonaws.com/authorize?"));
        assert!(url.contains("&scopes=sso%3Aaccount%3Aaccess%20codewhisperer%3Acompletions&"));
        assert_eq!(
            origin("https://oidc.us-east-1.amazonaws.com"),
            Some("https://oidc.us-east-1.amazonaws.com".into())
        );
        assert_eq!(origin("not a url"), None);
    }

    #[test]
    fn each_flow_has_its_own_registration_file() {
        let l = login(None, &[]);
        // The device-code key, as the AWS CLI writes it.
        let device = "{\"region\": \"eu-west-1\", \"scopes\": [], \"session_name\": \"corp\", \
                      \"startUrl\": \"https://d-9999.awsapps.com/start\", \"tool\": \"botocore\"}";
        assert_eq!(
            l.registration_file(Flow::DeviceCode),
            format!("{}.json", sha1_hex(device))
        );
        let auth = "{\"grantTypes\": [\"authorization_code\", \"refresh_token\"], \
                    \"redirectUris\": [\"http://127.0.0.1/oauth/callback\"], \
                    \"region\": \"eu-west-1\", \"scopes\": [\"sso:account:access\"], \
                    \"session_name\": \"corp\", \"startUrl\": \"https://d-9999.awsapps.com/start\", \
                    \"tool\": \"botocore\"}";
        assert_eq!(
            l.registration_file(Flow::AuthorizationCode),
            format!("{}.json", sha1_hex(auth))
        );
    }

    #[test]
    fn values_as_python_writes_them() {
        assert_eq!(python_json(&json!(["a", "b"])), r#"["a", "b"]"#);
        assert_eq!(python_json(&json!([])), "[]");
        assert_eq!(python_json(&json!("x")), r#""x""#);
    }
}

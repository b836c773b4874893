//! The EC2 instance metadata service (IMDS): [`ImdsClient`] reads it with IMDSv2 session
//! tokens, [`ImdsCredentialsProvider`] takes the instance role's credentials from it, and
//! [`get_instance_metadata`] returns the whole `meta-data/` tree as a value, as boto's
//! function of that name does.
//!
//! Settings, read from an injected [`Env`] snapshot (as botocore names them):
//! `AWS_EC2_METADATA_DISABLED=true` turns IMDS off; `AWS_EC2_METADATA_SERVICE_ENDPOINT`
//! replaces the endpoint (default `http://169.254.169.254`, or `http://[fd00:ec2::254]`
//! with `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`); `AWS_METADATA_SERVICE_TIMEOUT`
//! (seconds, default 1) and `AWS_METADATA_SERVICE_NUM_ATTEMPTS` (default 3) bound each
//! request; `AWS_EC2_METADATA_V1_DISABLED=true` forbids the token-less fallback.
//!
//! Each lookup first asks for a token (`PUT /latest/api/token`, 6 h TTL). When the service
//! answers 403/404/405, or does not answer in time (a container behind a hop limit of 1),
//! the lookup goes on without one (IMDSv1), as botocore does. Requests never go through a
//! proxy: the endpoint's host is added to the connection layer's metadata hosts. Each
//! request must connect within the timeout and finish within 1.5 times it; answers of 5xx,
//! 429, an empty 200, timeouts and broken connections are tried again up to the attempt
//! count; a refused or timed-out connection ends the lookup at once (nothing listens).
//!
//! The provider follows botocore: any failure to reach or read IMDS means "no credentials
//! here" (`Ok(None)`, logged at debug level) so the chain moves on; only an unusable
//! endpoint setting is an error. Credentials whose expiry has passed are kept for 5 to 10
//! more minutes (botocore's static stability), with a warning.
//!
//! Owns: the IMDS wire exchange, the provider. Does not own: the tree walk (`imds_tree`),
//! the credentials document (`document`), caching and refresh (wrap the provider in
//! `inia_auth`'s refreshing cache), the chain order.

use super::document::{parse_credentials_json, read_bounded};
use super::{env_true, env_var};
use crate::retry::{Failure, FixedPause, RetryPolicy};
use bytes::Bytes;
use inia_auth::config::Env;
use inia_auth::credentials::Credentials;
use inia_auth::provider::{CredentialsError, ProvideCredentials, ProvideFuture};
use inia_http::{Body, HttpClient, HttpConfig, HttpError};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub use super::imds_tree::get_instance_metadata;

/// The IPv4 endpoint.
pub const DEFAULT_ENDPOINT: &str = "http://169.254.169.254";
/// The IPv6 endpoint (`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`).
pub const DEFAULT_ENDPOINT_IPV6: &str = "http://[fd00:ec2::254]";
/// How long one request may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
/// Attempts per request.
pub const DEFAULT_ATTEMPTS: u32 = 3;
const TOKEN_PATH: &str = "/latest/api/token";
const TOKEN_TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
const TOKEN_TTL_SECONDS: &str = "21600";
const ROLE_PATH: &str = "meta-data/iam/security-credentials/";
/// The largest answer read from IMDS (user data is at most 16 KiB).
const MAX_BODY: usize = 1 << 20;
const RETRY_PAUSE: Duration = Duration::from_millis(100);

/// Why an IMDS lookup failed. Never holds a token, a secret or a response body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImdsError {
    #[error("the instance metadata service is disabled (AWS_EC2_METADATA_DISABLED)")]
    /// The service is disabled by configuration.
    Disabled,
    /// An unusable setting (`AWS_METADATA_SERVICE_TIMEOUT`, the attempt count): its name
    /// and the value given.
    #[error("invalid instance metadata setting: {name} has an unusable value {value:?}")]
    Setting {
        /// The setting's name.
        name: String,
        /// The value given.
        value: String,
    },
    /// The endpoint URL cannot be used, or a request to it cannot be made.
    #[error("instance metadata endpoint {endpoint:?}: {reason}")]
    Endpoint {
        /// The endpoint given.
        endpoint: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The connection settings cannot make a client (a CA bundle that does not load).
    #[error("instance metadata connection settings: {0}")]
    Connection(#[source] HttpError),
    #[error("no instance metadata service at {endpoint}: {source}")]
    /// Nothing answered at the endpoint.
    Unreachable {
        /// The endpoint URL.
        endpoint: String,
        #[source]
        /// The connection failure.
        source: HttpError,
    },
    #[error("instance metadata {path}: {source}")]
    /// A request failed on the way.
    Transport {
        /// The metadata path asked for.
        path: String,
        #[source]
        /// The connection failure.
        source: HttpError,
    },
    #[error("instance metadata {path}: HTTP {status}")]
    /// An unexpected HTTP status.
    Status {
        /// The metadata path asked for.
        path: String,
        /// The status.
        status: u16,
    },
    #[error("instance metadata {path} was not found")]
    /// The path does not exist (404).
    NotFound {
        /// The metadata path asked for.
        path: String,
    },
    #[error("no IMDSv2 token could be had and IMDSv1 is disabled (AWS_EC2_METADATA_V1_DISABLED)")]
    /// No session token could be had and IMDSv1 is disabled.
    V1Disabled,
    #[error("instance metadata {path}: {detail}")]
    /// The answer could not be read.
    BadResponse {
        /// The metadata path asked for.
        path: String,
        /// What was wrong with it.
        detail: String,
    },
}

/// A client of the instance metadata service. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ImdsClient {
    http: HttpClient,
    endpoint: String,
    attempts: u32,
    disabled: bool,
    v1_disabled: bool,
    /// The pause between attempts (tokio's timer unless a session gives its own).
    sleep: Arc<dyn crate::time::Sleep>,
}

/// Builds an [`ImdsClient`]; settings given here beat the environment's.
pub struct ImdsClientBuilder {
    env: Env,
    endpoint: Option<String>,
    timeout: Option<Duration>,
    attempts: Option<u32>,
    http: HttpConfig,
    sleep: Option<Arc<dyn crate::time::Sleep>>,
}

impl ImdsClientBuilder {
    /// Read settings from `env` instead of the process environment.
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// Use this endpoint URL instead of the default (`AWS_EC2_METADATA_SERVICE_ENDPOINT`).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Connect timeout of each request; the whole request gets 1.5 times it.
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// Attempts per request (at least 1).
    pub fn attempts(mut self, n: u32) -> Self {
        self.attempts = Some(n.max(1));
        self
    }

    /// How the pause between attempts is taken (tokio's timer by default).
    pub fn sleep(mut self, sleep: Arc<dyn crate::time::Sleep>) -> Self {
        self.sleep = Some(sleep);
        self
    }

    /// Connection settings to start from (CA bundle...). Timeouts are replaced, and the
    /// endpoint's host is always kept away from any proxy.
    pub fn http_config(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }

    /// The client, with the settings checked.
    pub fn build(self) -> Result<ImdsClient, ImdsError> {
        let env = &self.env;
        let endpoint = self
            .endpoint
            .or_else(|| env_var(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT"))
            .unwrap_or_else(|| {
                let v6 = env_var(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("ipv6"));
                if v6 {
                    DEFAULT_ENDPOINT_IPV6
                } else {
                    DEFAULT_ENDPOINT
                }
                .to_string()
            });
        let disabled = env_true(env, "AWS_EC2_METADATA_DISABLED");
        // A disabled client sends nothing, so its endpoint need not be usable.
        let endpoint = if disabled {
            endpoint
        } else {
            check_endpoint(&endpoint)?
        };
        let timeout = match self.timeout {
            Some(t) => t,
            None => parse_env(env, "AWS_METADATA_SERVICE_TIMEOUT", |v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0)
                    .map(Duration::from_secs_f64)
            })?
            .unwrap_or(DEFAULT_TIMEOUT),
        };
        let attempts = match self.attempts {
            Some(n) => n,
            None => parse_env(env, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", |v| {
                v.parse::<u32>().ok().filter(|n| *n >= 1)
            })?
            .unwrap_or(DEFAULT_ATTEMPTS),
        };
        let mut http = self.http;
        http.connect_timeout = timeout;
        http.read_timeout = timeout;
        http.attempt_deadline = Some(timeout + timeout / 2);
        http.no_proxy_for_metadata = true;
        http.add_metadata_endpoint(&endpoint);
        let http = HttpClient::new(http).map_err(ImdsError::Connection)?;
        Ok(ImdsClient {
            http,
            endpoint,
            attempts,
            disabled,
            v1_disabled: env_true(env, "AWS_EC2_METADATA_V1_DISABLED"),
            sleep: self
                .sleep
                .unwrap_or_else(|| Arc::new(crate::time::TokioSleep)),
        })
    }
}

fn parse_env<T>(
    env: &Env,
    key: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, ImdsError> {
    match env_var(env, key) {
        None => Ok(None),
        Some(v) => parse(v.trim()).map(Some).ok_or(ImdsError::Setting {
            name: key.to_string(),
            value: v,
        }),
    }
}

/// The endpoint without a trailing slash, or why it cannot be used.
fn check_endpoint(endpoint: &str) -> Result<String, ImdsError> {
    let trimmed = endpoint.trim().trim_end_matches('/');
    let bad = |reason: &str| ImdsError::Endpoint {
        endpoint: endpoint.to_string(),
        reason: reason.to_string(),
    };
    let uri: http::Uri = trimmed.parse().map_err(|_| bad("not a URL"))?;
    if !matches!(uri.scheme_str(), Some("http") | Some("https")) {
        return Err(bad("the scheme must be http:// or https://"));
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad("the URL has no host"));
    }
    Ok(trimmed.to_string())
}

/// One answer: its status and (bounded) body.
struct Answer {
    status: u16,
    body: Bytes,
}

impl ImdsClient {
    /// A builder reading the process environment unless told otherwise.
    pub fn builder() -> ImdsClientBuilder {
        ImdsClientBuilder {
            env: Env::real(),
            endpoint: None,
            timeout: None,
            attempts: None,
            http: HttpConfig::default(),
            sleep: None,
        }
    }

    /// A client configured from `env` alone.
    pub fn from_env(env: Env) -> Result<ImdsClient, ImdsError> {
        ImdsClient::builder().env(env).build()
    }

    /// The endpoint URL in use.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// True when the metadata service is disabled (`AWS_EC2_METADATA_DISABLED`).
    pub fn is_disabled(&self) -> bool {
        self.disabled
    }

    /// A session token, or `None` when the service does not give them (IMDSv1 only, or
    /// no answer in time) and IMDSv1 is allowed.
    pub async fn token(&self) -> Result<Option<String>, ImdsError> {
        self.check_enabled()?;
        let fallback = |why: &str| {
            tracing::debug!(why, "no IMDSv2 token; trying IMDSv1");
            if self.v1_disabled {
                Err(ImdsError::V1Disabled)
            } else {
                Ok(None)
            }
        };
        let url = format!("{}{TOKEN_PATH}", self.endpoint);
        let answer = self
            .send(TOKEN_PATH, false, || {
                http::Request::put(&url)
                    .header(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS)
                    .header(http::header::CONTENT_LENGTH, "0")
            })
            .await;
        match answer {
            Ok(a) if a.status == 200 => std::str::from_utf8(&a.body)
                .ok()
                .map(str::trim)
                .filter(|t| !t.is_empty() && http::HeaderValue::from_str(t).is_ok())
                .map(|t| Some(t.to_string()))
                .ok_or_else(|| ImdsError::BadResponse {
                    path: TOKEN_PATH.into(),
                    detail: "the token is empty or not a usable header value".into(),
                }),
            Ok(a) if (403..=405).contains(&a.status) => fallback("token request refused"),
            Ok(a) => Err(ImdsError::Status {
                path: TOKEN_PATH.into(),
                status: a.status,
            }),
            Err(ImdsError::Transport { source, .. }) if source.is_timeout() => {
                fallback("token request timed out")
            }
            Err(e) => Err(e),
        }
    }

    /// `GET /latest/<path>` (`meta-data/instance-id`) with `token` if any: the text.
    pub async fn get_with(&self, path: &str, token: Option<&str>) -> Result<String, ImdsError> {
        self.check_enabled()?;
        if token.is_none() && self.v1_disabled {
            return Err(ImdsError::V1Disabled);
        }
        let path = format!("/latest/{}", encode_path(path.trim_start_matches('/')));
        let url = format!("{}{path}", self.endpoint);
        let answer = self
            .send(&path, true, || {
                let request = http::Request::get(&url);
                match token {
                    Some(t) => request.header(TOKEN_HEADER, t),
                    None => request,
                }
            })
            .await?;
        let bad = |detail: &str| ImdsError::BadResponse {
            path: path.clone(),
            detail: detail.into(),
        };
        match answer.status {
            200 if answer.body.is_empty() => Err(bad("empty answer")),
            200 => String::from_utf8(answer.body.to_vec()).map_err(|_| bad("not UTF-8 text")),
            404 => Err(ImdsError::NotFound { path }),
            status => Err(ImdsError::Status { path, status }),
        }
    }

    fn check_enabled(&self) -> Result<(), ImdsError> {
        if self.disabled {
            return Err(ImdsError::Disabled);
        }
        Ok(())
    }

    /// Sends the request `make` builds, again while the answer is worth retrying (5xx,
    /// 429, empty 200, a broken connection, a timeout when `retry_timeouts`) and attempts
    /// are left. A refused or timed-out connection ends at once.
    async fn send(
        &self,
        path: &str,
        retry_timeouts: bool,
        make: impl Fn() -> http::request::Builder,
    ) -> Result<Answer, ImdsError> {
        let mut policy = FixedPause {
            attempts: self.attempts,
            pause: RETRY_PAUSE,
        };
        let mut attempt = 1;
        loop {
            let result = self.exchange(path, make()).await;
            let failure = match &result {
                // An empty 200 is IMDS's own way of saying "not yet".
                Ok(a) if a.status == 200 && a.body.is_empty() => Failure::Service {
                    status: 200,
                    code: "",
                    modeled_retryable: true,
                },
                Ok(a) if a.status >= 300 => Failure::Service {
                    status: a.status,
                    code: "",
                    modeled_retryable: false,
                },
                Err(ImdsError::Transport { source, .. }) => match Failure::of_transport(source) {
                    Some(Failure::Timeout) if !retry_timeouts => return result,
                    Some(f) => f,
                    None => return result,
                },
                Ok(_) | Err(_) => return result,
            };
            let Some(pause) = policy.next_pause(attempt, &failure, None) else {
                return result;
            };
            attempt += 1;
            self.sleep.sleep(pause).await;
        }
    }

    /// One metadata value (`instance-id`, `placement/region`), fetching a token first.
    pub async fn get(&self, meta_data_path: &str) -> Result<String, ImdsError> {
        let token = self.token().await?;
        let path = format!("meta-data/{}", meta_data_path.trim_start_matches('/'));
        self.get_with(&path, token.as_deref()).await
    }

    /// The instance role's credentials, `None` when the instance has no role.
    pub async fn role_credentials(&self) -> Result<Option<Credentials>, ImdsError> {
        let token = self.token().await?;
        let token = token.as_deref();
        let roles = match self.get_with(ROLE_PATH, token).await {
            Ok(text) => text,
            Err(ImdsError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(role) = roles.lines().map(str::trim).find(|l| !l.is_empty()) else {
            return Ok(None);
        };
        let path = format!("{ROLE_PATH}{role}");
        let text = self.get_with(&path, token).await?;
        parse_role_credentials(&path, &text).map(Some)
    }

    /// Sends one request and reads its answer, bounded in size.
    async fn exchange(
        &self,
        path: &str,
        request: http::request::Builder,
    ) -> Result<Answer, ImdsError> {
        let request = request
            .body(Body::empty())
            .map_err(|e| ImdsError::Endpoint {
                endpoint: self.endpoint.clone(),
                reason: format!("cannot make a request: {e}"),
            })?;
        let wire = |source: HttpError| {
            if source.is_connect() {
                let endpoint = self.endpoint.clone();
                ImdsError::Unreachable { endpoint, source }
            } else {
                let path = path.to_string();
                ImdsError::Transport { path, source }
            }
        };
        let response = self.http.send(request).await.map_err(wire)?;
        let status = response.status().as_u16();
        let body = read_bounded(response.into_body(), MAX_BODY)
            .await
            .map_err(wire)?
            .ok_or_else(|| ImdsError::BadResponse {
                path: path.to_string(),
                detail: format!("the answer is larger than {MAX_BODY} bytes"),
            })?;
        Ok(Answer { status, body })
    }
}

/// Percent-encodes what is not safe in a path (boto quotes with `safe="/:"`).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The role document; errors name the problem, never a value.
fn parse_role_credentials(path: &str, text: &str) -> Result<Credentials, ImdsError> {
    let c = parse_credentials_json(text.as_bytes(), ImdsCredentialsProvider::NAME, true).map_err(
        |m| ImdsError::BadResponse {
            path: path.to_string(),
            detail: format!("the credentials document {m}"),
        },
    )?;
    let expiry = c.expiry().map(|e| static_stability(e, SystemTime::now()));
    let token = c.session_token().map(|t| t.expose().to_string());
    Ok(Credentials::new(
        c.access_key_id(),
        c.secret_access_key().expose(),
        token,
        expiry,
        c.source(),
    ))
}

/// Expired credentials are used for 5 to 10 more minutes rather than failing every call
/// while IMDS is unavailable (botocore's `_evaluate_expiration`).
fn static_stability(expiry: SystemTime, now: SystemTime) -> SystemTime {
    if expiry > now {
        return expiry;
    }
    let extra = Duration::from_secs(300 + fastrand::u64(0..=300));
    tracing::warn!(
        extra_secs = extra.as_secs(),
        "instance metadata credentials have expired; using them a little longer"
    );
    now + extra
}

/// The instance role's credentials from IMDS. See the module documentation.
#[derive(Debug)]
pub struct ImdsCredentialsProvider {
    client: Result<ImdsClient, String>,
}

impl ImdsCredentialsProvider {
    /// The name this source reports in `Credentials::source`.
    pub const NAME: &'static str = "iam-role";

    /// Configured from the process environment.
    pub fn new() -> Self {
        Self::from_client(ImdsClient::builder().build())
    }

    /// Configured from `env` alone.
    pub fn from_env(env: Env) -> Self {
        Self::from_client(ImdsClient::from_env(env))
    }

    /// The same provider, pausing between attempts through `sleep` (a session hands its
    /// own down, so tests and other runtimes control every pause).
    pub fn with_sleep(self, sleep: Arc<dyn crate::time::Sleep>) -> Self {
        ImdsCredentialsProvider {
            client: self.client.map(|c| ImdsClient { sleep, ..c }),
        }
    }

    /// Around a client built elsewhere (a build error is reported by `provide`).
    pub fn from_client(client: Result<ImdsClient, ImdsError>) -> Self {
        ImdsCredentialsProvider {
            client: client.map_err(|e| e.to_string()),
        }
    }
}

impl Default for ImdsCredentialsProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ProvideCredentials for ImdsCredentialsProvider {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let client = match &self.client {
                Ok(c) => c,
                Err(message) => {
                    return Err(CredentialsError::Provider {
                        source_name: Self::NAME,
                        message: message.clone(),
                    })
                }
            };
            if client.is_disabled() {
                tracing::debug!("IMDS disabled: not looking for instance role credentials");
                return Ok(None);
            }
            match client.role_credentials().await {
                Ok(found) => {
                    tracing::debug!(found = found.is_some(), "IMDS role credentials");
                    Ok(found)
                }
                Err(e) => {
                    tracing::debug!(error = %e, "IMDS gave no credentials");
                    Ok(None)
                }
            }
        })
    }
}

//! [`ContainerCredentialsProvider`]: credentials served to ECS tasks, EKS pods (Pod
//! Identity) and Greengrass by a local HTTP endpoint, configured as botocore reads it:
//!
//! - `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`: a path on `http://169.254.170.2`; else
//! - `AWS_CONTAINER_CREDENTIALS_FULL_URI`: a whole URL. Over `http` its host must be a
//!   loopback address (`127.0.0.0/8`, `::1`, `localhost`) or one of the container hosts
//!   `169.254.170.2`, `169.254.170.23`, `fd00:ec2::23` (no name is resolved to check);
//!   over `https` any host.
//! - `Authorization` header: the content of the file named by
//!   `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read at each fetch, it rotates), else
//!   `AWS_CONTAINER_AUTHORIZATION_TOKEN`; only with a full URI.
//!
//! The answer is JSON with `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`.
//! Neither variable set means "not configured" (`Ok(None)`). Once configured, a failure is
//! an error (botocore's `CredentialRetrievalError`): a bad URL or token, an unreachable
//! endpoint, a non-200 answer, a document without credentials. Requests time out after
//! 2 s; connection failures, timeouts, 429 and 5xx are tried 3 times, 1 s apart. The
//! endpoint is never reached through a proxy. Errors name the URL's host and the status,
//! never the token, a secret or the response body.
//!
//! Owns: this source. Does not own: the credentials document (`document`), caching and
//! refresh, the chain order.

use super::document::{parse_credentials_json, read_bounded};
use super::env_var;
use crate::retry::{Failure, FixedPause, RetryPolicy};
use bytes::Bytes;
use inia_auth::config::Env;
use inia_auth::credentials::Credentials;
use inia_auth::provider::{CredentialsError, ProvideCredentials, ProvideFuture};
use inia_http::{Body, HttpClient, HttpConfig, HttpError, ProxyConfig};
use std::net::IpAddr;
use std::time::Duration;

/// The variable holding a path on `169.254.170.2` (ECS).
pub const RELATIVE_URI_VAR: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
/// The variable holding a full URL (EKS Pod Identity, local tools).
pub const FULL_URI_VAR: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
/// The variable holding an authorization token.
pub const TOKEN_VAR: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
/// The variable naming a file holding the authorization token (re-read at each fetch).
pub const TOKEN_FILE_VAR: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
/// The ECS task credentials host.
pub const ECS_HOST: &str = "169.254.170.2";
const ALLOWED_HOSTS: [&str; 3] = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"];
/// How long one fetch may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// Attempts per fetch.
pub const DEFAULT_ATTEMPTS: u32 = 3;
/// The pause between attempts.
pub const DEFAULT_RETRY_PAUSE: Duration = Duration::from_secs(1);
const MAX_BODY: usize = 64 * 1024;

/// Credentials from a container credentials endpoint. See the module documentation.
pub struct ContainerCredentialsProvider {
    env: Env,
    timeout: Duration,
    attempts: u32,
    pause: Duration,
    http: HttpConfig,
    /// How the pause is taken (tokio's timer unless a session gives its own).
    sleep: std::sync::Arc<dyn crate::time::Sleep>,
}

impl std::fmt::Debug for ContainerCredentialsProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainerCredentialsProvider")
            .field("timeout", &self.timeout)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// Where to ask and with which `Authorization` value.
struct Target {
    url: String,
    host: String,
    authorization: Option<http::HeaderValue>,
}

impl ContainerCredentialsProvider {
    /// The name this source reports in `Credentials::source`.
    pub const NAME: &'static str = "container-role";

    /// Configured from the process environment.
    pub fn new() -> Self {
        Self::from_env(Env::real())
    }

    /// Configured from `env` alone.
    pub fn from_env(env: Env) -> Self {
        ContainerCredentialsProvider {
            env,
            timeout: DEFAULT_TIMEOUT,
            attempts: DEFAULT_ATTEMPTS,
            pause: DEFAULT_RETRY_PAUSE,
            sleep: std::sync::Arc::new(crate::time::TokioSleep),
            http: HttpConfig::default(),
        }
    }

    /// Timeout of each request (connect, and the whole exchange).
    pub fn with_timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// The pause between attempts taken through `sleep` (a session hands its own down).
    pub fn with_sleep(mut self, sleep: std::sync::Arc<dyn crate::time::Sleep>) -> Self {
        self.sleep = sleep;
        self
    }

    /// Attempts (at least 1) and the pause between them.
    pub fn with_attempts(mut self, n: u32, pause: Duration) -> Self {
        self.attempts = n.max(1);
        self.pause = pause;
        self
    }

    /// Connection settings to start from (a CA bundle for an `https` endpoint). Timeouts
    /// are replaced and proxies turned off.
    pub fn with_http_config(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }

    /// True when one of the URI variables is set.
    pub fn is_configured(&self) -> bool {
        env_var(&self.env, RELATIVE_URI_VAR).is_some() || env_var(&self.env, FULL_URI_VAR).is_some()
    }

    fn error(message: impl Into<String>) -> CredentialsError {
        CredentialsError::Provider {
            source_name: Self::NAME,
            message: message.into(),
        }
    }

    /// The endpoint and header from the environment; `None` when not configured.
    fn target(&self) -> Result<Option<Target>, CredentialsError> {
        let env = |k| env_var(&self.env, k);
        if let Some(relative) = env(RELATIVE_URI_VAR) {
            let relative = relative.trim();
            let sep = if relative.starts_with('/') { "" } else { "/" };
            return Ok(Some(Target {
                url: format!("http://{ECS_HOST}{sep}{relative}"),
                host: ECS_HOST.to_string(),
                authorization: None,
            }));
        }
        let Some(full) = env(FULL_URI_VAR) else {
            return Ok(None);
        };
        let full = full.trim().to_string();
        let uri: http::Uri = full
            .parse()
            .map_err(|_| Self::error(format!("{FULL_URI_VAR} is not a URL")))?;
        let host = uri
            .host()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        match uri.scheme_str() {
            Some("https") if !host.is_empty() => {}
            Some("http") if allowed_http_host(&host) => {}
            Some("http") => {
                return Err(Self::error(format!(
                    "{FULL_URI_VAR} host {host:?} is not allowed over http: use a loopback \
                     address, {}, or https",
                    ALLOWED_HOSTS.join(", ")
                )))
            }
            _ => {
                return Err(Self::error(format!(
                    "{FULL_URI_VAR} must be an http:// or https:// URL with a host"
                )))
            }
        }
        Ok(Some(Target {
            url: full,
            host,
            authorization: self.authorization()?,
        }))
    }

    /// The `Authorization` value: the token file first, then the variable.
    fn authorization(&self) -> Result<Option<http::HeaderValue>, CredentialsError> {
        let env = |k| env_var(&self.env, k);
        let token = match env(TOKEN_FILE_VAR) {
            Some(path) => Some(std::fs::read_to_string(&path).map_err(|e| {
                Self::error(format!(
                    "cannot read the token file {path} ({TOKEN_FILE_VAR}): {e}"
                ))
            })?),
            None => env(TOKEN_VAR),
        };
        let Some(token) = token else { return Ok(None) };
        let token = token.trim();
        if token.contains(['\r', '\n']) {
            return Err(Self::error("the authorization token contains a line break"));
        }
        let mut value = http::HeaderValue::from_str(token)
            .map_err(|_| Self::error("the authorization token is not a valid header value"))?;
        value.set_sensitive(true);
        Ok(Some(value))
    }

    fn client(&self) -> Result<HttpClient, CredentialsError> {
        let mut http = self.http.clone();
        http.connect_timeout = self.timeout;
        http.read_timeout = self.timeout;
        http.attempt_deadline = Some(self.timeout);
        http.proxy = ProxyConfig::Disabled;
        HttpClient::new(http).map_err(|e| Self::error(format!("connection settings: {e}")))
    }

    async fn fetch(&self, target: &Target) -> Result<Credentials, CredentialsError> {
        let client = self.client()?;
        let mut policy = FixedPause {
            attempts: self.attempts,
            pause: self.pause,
        };
        let mut attempt = 1;
        loop {
            let mut request = http::Request::get(&target.url).header("accept", "application/json");
            if let Some(auth) = &target.authorization {
                request = request.header(http::header::AUTHORIZATION, auth.clone());
            }
            let request = request
                .body(Body::empty())
                .map_err(|_| Self::error(format!("cannot make a request to {}", target.host)))?;
            let (failure, last) = match send(&client, request).await {
                Ok((200, Some(body))) => {
                    return parse_credentials_json(&body, Self::NAME, false)
                        .map_err(|m| Self::error(format!("the answer from {} {m}", target.host)))
                }
                Ok((200, None)) => {
                    return Err(Self::error(format!(
                        "the answer from {} is too large",
                        target.host
                    )))
                }
                Ok((status, _)) => (
                    Some(Failure::Service {
                        status,
                        code: "",
                        modeled_retryable: false,
                    }),
                    format!("HTTP {status} from {}", target.host),
                ),
                Err(e) => (Failure::of_transport(&e), e.to_string()),
            };
            tracing::debug!(attempt, error = %last, "container credentials attempt failed");
            let pause = failure.and_then(|f| policy.next_pause(attempt, &f, None));
            let Some(pause) = pause else {
                return Err(Self::error(last));
            };
            attempt += 1;
            self.sleep.sleep(pause).await;
        }
    }
}

impl Default for ContainerCredentialsProvider {
    fn default() -> Self {
        Self::new()
    }
}

/// Sends and reads the answer, bounded in size.
async fn send(
    client: &HttpClient,
    request: http::Request<Body>,
) -> Result<(u16, Option<Bytes>), HttpError> {
    let response = client.send(request).await?;
    let status = response.status().as_u16();
    Ok((status, read_bounded(response.into_body(), MAX_BODY).await?))
}

fn allowed_http_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") || ALLOWED_HOSTS.contains(&host) {
        return true;
    }
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl ProvideCredentials for ContainerCredentialsProvider {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let Some(target) = self.target()? else {
                return Ok(None);
            };
            let creds = self.fetch(&target).await?;
            tracing::debug!(host = %target.host, "container credentials found");
            Ok(Some(creds))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_allowed_over_http() {
        for h in [
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "localhost",
            "169.254.170.23",
        ] {
            assert!(allowed_http_host(h), "{h}");
        }
        for h in ["169.254.169.254", "example.com", "10.0.0.1"] {
            assert!(!allowed_http_host(h), "{h}");
        }
    }
}

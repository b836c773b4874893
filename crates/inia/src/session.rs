//! `Session`: what all clients of one program share, resolved once: the spec search path
//! and loaded models, endpoint data, the connection pool, credentials, region, endpoint
//! overrides, retry and timeout settings.
//!
//! Settings come from code first, then the environment, as botocore reads them:
//! region from `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the profile; endpoint URLs
//! from `AWS_ENDPOINT_URL_<SERVICE_ID>`, `AWS_ENDPOINT_URL`, the profile's `services`
//! section and `endpoint_url` (unless `ignore_configured_endpoint_urls`; see
//! `endpoint::configured`); `AWS_MAX_ATTEMPTS` and `AWS_RETRY_MODE` (only `standard` is
//! implemented; others fall back to it), each also from the profile's `max_attempts` and
//! `retry_mode`; `AWS_CA_BUNDLE` (or
//! the profile's `ca_bundle`) for extra CAs (or exact certificates), `INIA_PLATFORM_ROOTS=true`
//! to trust the operating system's store too. Defaults: 3 attempts, connect timeout 3.1 s,
//! read timeout 60 s, an attempt deadline of 2 minutes (until the response is parsed; a
//! download body is then governed by the read timeout), a call deadline of 10 minutes
//! (all attempts and backoff), TLS verified.
//!
//! The provider file (see `provider`) decides per service the model, endpoint, signing
//! and credential sources; `aws`, the default, resolves endpoints per call from the rule sets (see `endpoint`).
//!
//! Owns configuration and sharing. Does not own the call path (see `client`).

use crate::client::Client;
use crate::endpoint::configured::ConfiguredEndpoints;
use crate::endpoint::settings::{EndpointSettings, InCode};
use crate::endpoint::EndpointError;
use crate::error::Error;
use crate::retry::RetryConfig;
use inia_auth::config::{Env, Profile, ProfileFiles, SelectedProfile};
use inia_auth::credentials::Credentials;
use inia_auth::provider::{ProvideCredentials, StaticProvider};
use inia_endpoint::{Partitions, Resolver, RuleSet, Val};
use inia_http::{Body, HttpClient, HttpConfig, HttpError, ResponseBody};
use inia_model::{ProviderFile, ServiceBinding, ServiceModel, SpecPath};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::util::BoxCloneSyncService;

/// The transport a client sends through: the connection layer, possibly wrapped in user
/// layers (see [`SessionBuilder::map_transport`]).
pub type Transport =
    BoxCloneSyncService<http::Request<Body>, http::Response<ResponseBody>, HttpError>;

/// The default cap on a response body read into memory: 1 GiB.
pub const DEFAULT_MAX_RESPONSE_BODY: u64 = 1 << 30;

/// Builds a [`Session`].
pub struct SessionBuilder {
    provider: Option<String>,
    region: Option<String>,
    profile: Option<String>,
    endpoint_url: Option<String>,
    ignore_configured_endpoint_urls: Option<bool>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    unsigned: bool,
    spec_dirs: Vec<PathBuf>,
    retry: Option<RetryConfig>,
    attempt_timeout: Option<Duration>,
    call_timeout: Option<Duration>,
    max_response_body: u64,
    timing: crate::time::Timing,
    http: HttpConfig,
    transport_map: Option<Box<dyn FnOnce(Transport) -> Transport + Send>>,
    env: Env,
    endpoints: InCode,
}

impl Default for SessionBuilder {
    fn default() -> Self {
        SessionBuilder {
            provider: None,
            region: None,
            profile: None,
            endpoint_url: None,
            ignore_configured_endpoint_urls: None,
            credentials: None,
            unsigned: false,
            spec_dirs: Vec::new(),
            retry: None,
            attempt_timeout: Some(Duration::from_secs(120)),
            call_timeout: Some(Duration::from_secs(600)),
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            timing: crate::time::Timing::default(),
            http: HttpConfig::default(),
            transport_map: None,
            env: Env::real(),
            endpoints: InCode::default(),
        }
    }
}

impl SessionBuilder {
    /// The provider file to use (`aws`, `azure-blob`, `s3-compatible`, `eucalyptus`, or
    /// any `providers/<name>.json` on the spec path). Else `INIA_PROVIDER`, else the
    /// profile's `provider` key, else `aws`.
    pub fn provider(mut self, name: impl Into<String>) -> Self {
        self.provider = Some(name.into());
        self
    }

    /// The region (otherwise from `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The profile to read from the shared config files (else `AWS_PROFILE`, `default`).
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Send every service's calls to this URL (e.g. `http://127.0.0.1:5000`).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Ignore the endpoint URLs of the environment and the profile
    /// (`AWS_ENDPOINT_URL[_<SERVICE_ID>]`, the `services` section, `endpoint_url`); else
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, the profile's
    /// `ignore_configured_endpoint_urls`. An endpoint URL given in code still counts.
    pub fn ignore_configured_endpoint_urls(mut self, on: bool) -> Self {
        self.ignore_configured_endpoint_urls = Some(on);
        self
    }

    /// Use these credentials, bypassing the provider chain.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(Arc::new(StaticProvider::new(credentials)));
        self
    }

    /// Use this credential provider instead of the default chain.
    pub fn credentials_provider(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// Use FIPS endpoints (else `AWS_USE_FIPS_ENDPOINT`, the profile's
    /// `use_fips_endpoint`). Ignored when an endpoint URL is given, as the rules require.
    pub fn use_fips_endpoint(mut self, on: bool) -> Self {
        self.endpoints.use_fips = Some(on);
        self
    }

    /// Use dual-stack (IPv6) endpoints (else `AWS_USE_DUALSTACK_ENDPOINT`, the profile's
    /// `use_dualstack_endpoint`).
    pub fn use_dualstack_endpoint(mut self, on: bool) -> Self {
        self.endpoints.use_dualstack = Some(on);
        self
    }

    /// Set an endpoint rule-set parameter for every client: a built-in by its name
    /// (`AWS::S3::Accelerate`, `AWS::S3::ForcePathStyle`, `AWS::Auth::AccountId`...) or a
    /// client context parameter by its name (`Accelerate`, `DisableS3ExpressSessionAuth`)
    /// or botocore's snake-case form (`disable_s3_express_session_auth`). These win over
    /// the environment and the profile.
    pub fn endpoint_param(mut self, name: impl Into<String>, value: impl Into<Val>) -> Self {
        self.endpoints.params.push((name.into(), value.into()));
        self
    }

    /// Whether built-ins come from the session's settings (region, FIPS, dual-stack, the
    /// `s3` section...); on by default. Off, a rule set sees only the built-ins set with
    /// [`SessionBuilder::endpoint_param`], as botocore's endpoint tests set them.
    pub fn endpoint_builtins_from_settings(mut self, on: bool) -> Self {
        self.endpoints.builtins_from_settings = Some(on);
        self
    }

    /// The SigV4a region set (regions, or `*` for all), for endpoints signed with SigV4a
    /// (else `AWS_SIGV4A_SIGNING_REGION_SET`, the profile's `sigv4a_signing_region_set`,
    /// the endpoint's own set).
    pub fn sigv4a_signing_region_set<I, S>(mut self, regions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.endpoints.sigv4a_region_set = Some(regions.into_iter().map(Into::into).collect());
        self
    }

    /// Auth schemes in order of preference (`sigv4a`, `sigv4`, `httpBearerAuth`,
    /// `noAuth`): among those an endpoint or a model offers, the first named here wins
    /// (else `AWS_AUTH_SCHEME_PREFERENCE`, the profile's `auth_scheme_preference`).
    pub fn auth_scheme_preference<I, S>(mut self, schemes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.endpoints.auth_scheme_preference = Some(schemes.into_iter().map(Into::into).collect());
        self
    }

    /// Apply the models' host prefixes (`{AccountId}.`); on by default (else
    /// `AWS_DISABLE_HOST_PREFIX_INJECTION`, the profile's `disable_host_prefix_injection`).
    pub fn inject_host_prefix(mut self, on: bool) -> Self {
        self.endpoints.inject_host_prefix = Some(on);
        self
    }

    /// Send requests unsigned (`--no-sign-request`).
    pub fn unsigned(mut self, unsigned: bool) -> Self {
        self.unsigned = unsigned;
        self
    }

    /// Look for spec files in `dir` before the environment's folders and the embedded specs.
    pub fn spec_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spec_dirs.push(dir.into());
        self
    }

    /// The retry settings (otherwise from `AWS_MAX_ATTEMPTS` or the profile, 3 attempts).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Connection settings (timeouts, proxies, TLS).
    pub fn http_config(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }

    /// The longest one attempt may take until its response is parsed (`None`: no limit).
    pub fn attempt_timeout(mut self, t: Option<Duration>) -> Self {
        self.attempt_timeout = t;
        self
    }

    /// The longest a whole call may take, every attempt and backoff included (`None`: no
    /// limit).
    /// How pauses between attempts are taken (tokio's timer by default; see
    /// [`crate::time`]): the retry backoff and waiter delays go through it.
    pub fn sleep(mut self, sleep: Arc<dyn crate::time::Sleep>) -> Self {
        self.timing.sleep = sleep;
        self
    }

    /// The wall clock (the system's by default; see [`crate::time`]): requests are signed
    /// at its time and credentials' expiry is judged against it.
    pub fn clock(mut self, clock: Arc<dyn crate::time::Clock>) -> Self {
        self.timing.clock = clock;
        self
    }

    /// The random draw behind retry jitter (uniform by default; see [`crate::time`]).
    pub fn jitter(mut self, jitter: Arc<dyn crate::time::Jitter>) -> Self {
        self.timing.jitter = jitter;
        self
    }

    /// The largest response body read into memory, in bytes; default
    /// [`DEFAULT_MAX_RESPONSE_BODY`] (1 GiB). A larger one (announced, or counted while
    /// reading) fails the call with an error naming the cap, instead of exhausting memory.
    /// Streamed bodies (S3 GetObject's) are never capped.
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// A bound on a whole call, retries included (600 s by default; `None`: no bound).
    pub fn call_timeout(mut self, t: Option<Duration>) -> Self {
        self.call_timeout = t;
        self
    }

    /// How long connecting may take.
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.http.connect_timeout = t;
        self
    }

    /// How long the answer may stay silent.
    pub fn read_timeout(mut self, t: Duration) -> Self {
        self.http.read_timeout = t;
        self
    }

    /// Wrap the transport, e.g. in a `tower` layer that observes or changes requests and
    /// responses (boto's request hooks).
    pub fn map_transport(
        mut self,
        f: impl FnOnce(Transport) -> Transport + Send + 'static,
    ) -> Self {
        self.transport_map = Some(Box::new(f));
        self
    }

    /// Read settings, credentials and config files through this environment instead of
    /// the process's (tests, embedding).
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// The session: configuration read and checked, credentials not fetched until needed.
    pub fn build(self) -> Result<Session, Error> {
        // Read once: the settings below and the credential sources share this copy.
        let files = Arc::new(ProfileFiles::load(&self.env)?);
        let profile =
            files.selected(&SelectedProfile::select(self.profile.as_deref(), &self.env))?;
        let from_profile = |k: &str| {
            profile
                .as_ref()
                .and_then(|p| p.get(k))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let env = |k: &str| {
            self.env
                .get_non_empty(k)
                .map(str::to_string)
                .or_else(|| from_profile(&k.trim_start_matches("AWS_").to_ascii_lowercase()))
        };
        let mut http = self.http;
        if http.ca_bundle.is_none() {
            http.ca_bundle = env("AWS_CA_BUNDLE").map(|p| self.env.expand_home(&p));
        }
        // The operating system's trust store, an opt-in beside the built-in roots.
        if self
            .env
            .get_non_empty("INIA_PLATFORM_ROOTS")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            http.platform_roots = true;
        }
        let client = HttpClient::new(http)?;
        let mut transport: Transport = BoxCloneSyncService::new(client);
        if let Some(f) = self.transport_map {
            transport = f(transport);
        }
        let retry = match self.retry {
            Some(r) => r,
            None => {
                let mut r = RetryConfig::default();
                if let Some(v) = env("AWS_MAX_ATTEMPTS") {
                    r.max_attempts = v
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| Error::Setting {
                            name: "AWS_MAX_ATTEMPTS".into(),
                            value: v.to_string(),
                            message: format!(
                                "AWS_MAX_ATTEMPTS must be a whole number of at least 1, not {v:?}"
                            ),
                        })?;
                }
                if let Some(mode) = env("AWS_RETRY_MODE") {
                    if !matches!(mode.as_str(), "standard" | "legacy" | "adaptive") {
                        return Err(Error::Setting {
                            name: "AWS_RETRY_MODE".into(),
                            value: mode.to_string(),
                            message: format!(
                                "AWS_RETRY_MODE must be standard, legacy or adaptive, not {mode:?}"
                            ),
                        });
                    }
                    if mode != "standard" {
                        tracing::debug!(mode, "retry mode not implemented; using standard");
                    }
                }
                r
            }
        };
        let region = match self.region {
            Some(r) => Some(r),
            None => inia_auth::region::region_from(&self.env, &files, self.profile.as_deref())?,
        };
        let specs = SpecPath::from_env(self.spec_dirs);
        let provider_name = crate::provider::choose(
            self.provider.as_deref(),
            &self.env,
            from_profile("provider"),
        );
        let provider = crate::provider::load(&specs, &provider_name)?;
        let credentials = match self.credentials {
            Some(c) => c,
            None => crate::provider::credentials(
                &provider,
                self.profile.as_deref(),
                region.as_deref(),
                &self.env,
                &files,
                &(Arc::new(crate::engine_calls::SessionConnector)
                    as Arc<dyn crate::credentials::service_call::ConnectService>),
                &self.timing,
            )?,
        };
        let configured_endpoints = ConfiguredEndpoints::read(
            &self.env,
            &files,
            profile.as_ref(),
            self.ignore_configured_endpoint_urls,
        );
        let endpoints = EndpointSettings::read(&self.env, profile.as_ref(), self.endpoints)?;
        Ok(Session {
            inner: Arc::new(Inner {
                specs,
                provider,
                profile,
                models: Mutex::new(HashMap::new()),
                partitions: Mutex::new(HashMap::new()),
                resolvers: Mutex::new(HashMap::new()),
                endpoints,
                transport,
                credentials,
                bearer: std::sync::OnceLock::new(),
                files: files.clone(),
                unsigned: self.unsigned,
                region,
                endpoint_url: self.endpoint_url,
                configured_endpoints,
                retry,
                attempt_timeout: self.attempt_timeout,
                call_timeout: self.call_timeout,
                max_response_body: self.max_response_body,
                timing: self.timing,
                env: self.env,
            }),
        })
    }
}

pub(crate) struct Inner {
    pub(crate) specs: SpecPath,
    pub(crate) provider: Arc<ProviderFile>,
    /// The selected profile's values (provider settings read keys from it).
    pub(crate) profile: Option<Profile>,
    models: Mutex<HashMap<String, Arc<ServiceModel>>>,
    partitions: Mutex<HashMap<String, Arc<Partitions>>>,
    /// Compiled rule sets by `rules file:service`, shared by the session's clients.
    resolvers: Mutex<HashMap<String, Arc<Resolver>>>,
    pub(crate) endpoints: EndpointSettings,
    pub(crate) transport: Transport,
    pub(crate) credentials: Arc<dyn ProvideCredentials>,
    /// The bearer token source of the profile's SSO sign-in, for services signed with
    /// tokens; made on first need (its own sso-oidc client never needs one).
    bearer: std::sync::OnceLock<Result<Option<Arc<crate::sso_token::SsoTokenProvider>>, String>>,
    /// The shared files as read when the session was built.
    files: Arc<ProfileFiles>,
    pub(crate) unsigned: bool,
    pub(crate) region: Option<String>,
    pub(crate) endpoint_url: Option<String>,
    /// Endpoint URLs from the environment and the profile.
    pub(crate) configured_endpoints: ConfiguredEndpoints,
    pub(crate) retry: RetryConfig,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) call_timeout: Option<Duration>,
    /// The cap on a response body read into memory.
    pub(crate) max_response_body: u64,
    /// Pauses between attempts and the retry jitter's draws.
    pub(crate) timing: crate::time::Timing,
    pub(crate) env: Env,
}

/// Shared configuration and resources for clients. Cheap to clone.
#[derive(Clone)]
pub struct Session {
    pub(crate) inner: Arc<Inner>,
}

fn load_error(file: &str, e: &dyn std::fmt::Display) -> EndpointError {
    EndpointError::Load(inia_endpoint::LoadError {
        origin: file.to_string(),
        path: String::new(),
        message: e.to_string(),
    })
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("region", &self.inner.region)
            .field("endpoint_url", &self.inner.endpoint_url)
            .field("credentials", &self.inner.credentials)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A builder, starting from the defaults and the environment.
    pub fn builder() -> SessionBuilder {
        SessionBuilder::default()
    }

    /// A session configured from the environment alone.
    pub fn new() -> Result<Session, Error> {
        SessionBuilder::default().build()
    }

    /// A client for `service` (`ec2`, `s3`, `dynamodb`...; `blob` with `azure-blob`), as
    /// the provider file names it (with `aws`, any spec folder).
    pub fn client(&self, service: &str) -> Result<Client, Error> {
        if let Some(region) = self.region() {
            check_region(region)?;
        }
        let binding = self.binding(service)?;
        let model = self.model(binding.model_name(service))?;
        Client::new(self.clone(), service, model, binding)
    }

    /// The provider file in use.
    pub fn provider(&self) -> &ProviderFile {
        &self.inner.provider
    }

    /// How the provider reaches `service`.
    pub fn binding(&self, service: &str) -> Result<&ServiceBinding, Error> {
        let p = &self.inner.provider;
        p.binding(service).ok_or_else(|| Error::Provider {
            provider: p.name.clone(),
            message: format!(
                "provider {} has no service {service} (it has: {}; see {})",
                p.name,
                p.service_names().collect::<Vec<_>>().join(", "),
                p.origin
            ),
        })
    }

    /// The model the provider uses for `service`, loaded once per session.
    pub fn service_model(&self, service: &str) -> Result<Arc<ServiceModel>, Error> {
        let binding = self.binding(service)?;
        self.model(binding.model_name(service))
    }

    /// The model of `service`, loaded once per session.
    pub fn model(&self, service: &str) -> Result<Arc<ServiceModel>, Error> {
        let mut models = self.inner.models.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = models.get(service) {
            return Ok(m.clone());
        }
        let m = Arc::new(self.inner.specs.load_service(service)?);
        models.insert(service.to_string(), m.clone());
        Ok(m)
    }

    /// Partition data from `file` (`partitions.json`) on the spec path, read once.
    fn partitions(&self, file: &str) -> Result<Arc<Partitions>, EndpointError> {
        let mut cache = self
            .inner
            .partitions
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(p) = cache.get(file) {
            return Ok(p.clone());
        }
        let (text, origin) = self
            .inner
            .specs
            .read_root(file)
            .map_err(|e| load_error(file, &e))?
            .ok_or_else(|| load_error(file, &"not found on the spec path"))?;
        let p = Arc::new(Partitions::from_text(&text, &origin)?);
        cache.insert(file.to_string(), p.clone());
        Ok(p)
    }

    /// The compiled rule set of `service` (`rules` is `model`: the file beside its model;
    /// else a file at the top of a spec folder), with `partitions`, compiled once per
    /// session.
    pub(crate) fn resolver(
        &self,
        service: &str,
        rules: &str,
        partitions: &str,
    ) -> Result<Arc<Resolver>, EndpointError> {
        let key = format!("{rules}:{service}");
        if let Some(r) = self
            .inner
            .resolvers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(r.clone());
        }
        let found = if rules == "model" {
            self.inner.specs.read_rule_set(service)
        } else {
            self.inner.specs.read_root(rules)
        };
        let (text, origin) =
            found
                .map_err(|e| load_error(rules, &e))?
                .ok_or_else(|| EndpointError::NoRuleSet {
                    service: service.to_string(),
                })?;
        let compiled = RuleSet::from_text(&text, &origin)?;
        let resolver = Arc::new(Resolver::new(
            Arc::new(compiled),
            self.partitions(partitions)?,
        ));
        self.inner
            .resolvers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, resolver.clone());
        Ok(resolver)
    }

    /// The spec search path.
    pub fn specs(&self) -> &SpecPath {
        &self.inner.specs
    }

    /// A key of the selected profile, as the session read the shared files at build time
    /// (trimmed; `None` when absent or empty). Lets callers honour other keys, such as the
    /// command line's `output`, without reading the files again.
    pub fn profile_value(&self, key: &str) -> Option<&str> {
        self.inner
            .profile
            .as_ref()
            .and_then(|p| p.get(key))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// The region, if one is configured.
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// `AWS_BEARER_TOKEN_<SIGNING NAME>` (upper case, `-` and spaces as `_`): a bearer
    /// token given for one service, as botocore reads it.
    pub(crate) fn bearer_token_from_env(&self, signing_name: &str) -> Option<String> {
        let name = signing_name.replace(['-', ' '], "_").to_ascii_uppercase();
        self.inner
            .env
            .get_non_empty(&format!("AWS_BEARER_TOKEN_{name}"))
            .map(str::to_string)
    }

    /// The bearer token for a call to `signing_name`: the service's variable, else the
    /// profile's SSO sign-in (refreshed as needed).
    pub(crate) async fn bearer_token(&self, signing_name: &str) -> Result<String, Error> {
        if let Some(t) = self.bearer_token_from_env(signing_name) {
            return Ok(t);
        }
        let source = self.inner.bearer.get_or_init(|| {
            crate::credentials::sso_token_source(
                self.inner.profile.as_ref(),
                &self.inner.files,
                &self.inner.env,
                self.inner.timing.clock.clone(),
                &crate::engine_calls::SessionConnector,
            )
            .map(|s| s.map(Arc::new))
            .map_err(|e| e.to_string())
        });
        match source {
            Err(e) => Err(Error::Unsupported(format!("the SSO token source: {e}"))),
            Ok(Some(sso)) => Ok(sso.token().await?),
            Ok(None) => Err(inia_auth::provider::CredentialsError::NotFound(format!(
                "a bearer token (AWS_BEARER_TOKEN_{}, or a profile with sso_session signed in \
                 with `inia sso login`)",
                signing_name.replace(['-', ' '], "_").to_ascii_uppercase()
            ))
            .into()),
        }
    }

    /// The credentials this session's calls are signed with, from its chain: cached, or
    /// fetched (refreshed) now. `None` when no source has any. What boto3's
    /// `Session.get_credentials()` answers.
    pub async fn credentials(&self) -> Result<Option<inia_auth::credentials::Credentials>, Error> {
        Ok(self.inner.credentials.provide().await?)
    }
}

/// A region name is one DNS label (letters, digits, inner hyphens; 1 to 63 characters),
/// checked when a client is made whatever the endpoint, as botocore checks it: a region
/// that cannot be in a host name is refused before it reaches a URL or a signature.
fn check_region(region: &str) -> Result<(), Error> {
    let bytes = region.as_bytes();
    let label = !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-');
    if label {
        Ok(())
    } else {
        Err(Error::InvalidRegion(region.to_string()))
    }
}

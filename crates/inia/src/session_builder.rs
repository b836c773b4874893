//! [`SessionBuilder`]: the settings a program gives in code, and `build`, which reads the
//! rest once (the shared files, the environment, the provider file), checks them and
//! assembles the [`Session`] (see `session` for where each setting comes from).
//!
//! Owns the builder and assembling a session. Does not own what a session does once built
//! (`session`), or any one setting's rules (`endpoint::settings`, `retry`, `credentials`).

use crate::endpoint::configured::ConfiguredEndpoints;
use crate::endpoint::settings::{EndpointSettings, InCode};
use crate::error::Error;
use crate::retry::RetryConfig;
use crate::session::{Inner, Session};
use inia_auth::config::{Env, ProfileFiles, SelectedProfile};
use inia_auth::credentials::Credentials;
use inia_auth::provider::{ProvideCredentials, StaticProvider};
use inia_endpoint::Val;
use inia_http::{Body, HttpClient, HttpConfig, HttpError, ResponseBody};
use inia_model::{ChecksumWhen, SpecPath};
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
    /// S3 bucket names are checked before sending.
    validate_bucket_names: bool,
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
    agent: crate::sdk_headers::AgentParts,
    /// `Some(None)`: compression off; `Some(Some(n))`: from `n` bytes; `None`: settings.
    compression: Option<Option<usize>>,
    /// `request_checksum_calculation` and `response_checksum_validation` set in code.
    checksum_calculation: Option<ChecksumWhen>,
    checksum_validation: Option<ChecksumWhen>,
    /// `keep_unmodeled_xml` set in code.
    keep_unmodeled_xml: Option<bool>,
    /// `wire_timestamps` set in code.
    wire_timestamps: bool,
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
            validate_bucket_names: true,
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
            agent: Default::default(),
            compression: None,
            checksum_calculation: None,
            checksum_validation: None,
            keep_unmodeled_xml: None,
            wire_timestamps: false,
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

    /// Refuse, before sending, S3 bucket names that are neither bucket names (1 to 255
    /// letters, digits, `.`, `-`, `_`) nor access point ARNs, as botocore does; on by
    /// default. Off for stores that take other names (Ceph's `tenant:bucket`), or to
    /// see what the endpoint rules make of any name.
    pub fn validate_bucket_names(mut self, on: bool) -> Self {
        self.validate_bucket_names = on;
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

    /// Gzip the bodies of operations with the `requestcompression` trait from this many
    /// bytes up (`None`: never). Else `AWS_DISABLE_REQUEST_COMPRESSION` /
    /// `disable_request_compression` and `AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES` /
    /// `request_min_compression_size_bytes` (0 to 10,485,760; default 10,240), as botocore.
    pub fn request_compression(mut self, min_size: Option<usize>) -> Self {
        self.compression = Some(min_size);
        self
    }

    /// When requests get a flexible checksum (`x-amz-checksum-*`): on every operation
    /// that supports one, or only where required or the caller names an algorithm. Else
    /// `AWS_REQUEST_CHECKSUM_CALCULATION` / `request_checksum_calculation`, else the
    /// provider file's `checksum_calculation`, else `when_supported`, as botocore.
    pub fn request_checksum_calculation(mut self, when: ChecksumWhen) -> Self {
        self.checksum_calculation = Some(when);
        self
    }

    /// When responses' flexible checksums are checked. Else
    /// `AWS_RESPONSE_CHECKSUM_VALIDATION` / `response_checksum_validation`, else
    /// `when_supported`, as botocore.
    pub fn response_checksum_validation(mut self, when: ChecksumWhen) -> Self {
        self.checksum_validation = Some(when);
        self
    }

    /// Keep, in XML-protocol outputs (`query`, `ec2`, `rest-xml`), the elements the
    /// output shape does not describe: in every structure, each such child element is
    /// added after the modeled members, named by the element and converted by the
    /// generic rules ([`inia_protocol::generic_xml`]). Else `INIA_KEEP_UNMODELED_XML`
    /// (`true` or `false`), else off, so that output equals botocore's. No effect on
    /// `json`, `rest-json` and CBOR services. See `docs/spec-format.md`.
    pub fn keep_unmodeled_xml(mut self, on: bool) -> Self {
        self.keep_unmodeled_xml = Some(on);
        self
    }

    /// Keep the outputs' timestamps as the server sent them (XML and header text, JSON
    /// epoch numbers) instead of RFC 3339 text: the AWS CLI's `cli_timestamp_format =
    /// wire`. Default: off. See [`inia_protocol::ParseOptions::wire_timestamps`].
    pub fn wire_timestamps(mut self, on: bool) -> Self {
        self.wire_timestamps = on;
        self
    }

    /// A tool's own name and version at the head of the `User-Agent` (the library's then
    /// follows as `md/inia#VERSION`), as the AWS CLI puts `aws-cli/VERSION` there.
    pub fn user_agent_name(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.agent.tool = Some((name.into(), version.into()));
        self
    }

    /// An application id for the `User-Agent` (`app/ID`; else `AWS_SDK_UA_APP_ID`, the
    /// profile's `sdk_ua_app_id`).
    pub fn user_agent_app_id(mut self, id: impl Into<String>) -> Self {
        self.agent.app_id = Some(id.into());
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
        let compression = match self.compression {
            Some(c) => c,
            None => request_compression(&env)?,
        };
        let checksum_calculation = match self.checksum_calculation {
            Some(w) => Some(w),
            None => checksum_when(&env, "AWS_REQUEST_CHECKSUM_CALCULATION")?,
        };
        let checksum_validation = match self.checksum_validation {
            Some(w) => w,
            None => checksum_when(&env, "AWS_RESPONSE_CHECKSUM_VALIDATION")?.unwrap_or_default(),
        };
        let keep_unmodeled_xml = match self.keep_unmodeled_xml {
            Some(on) => on,
            None => flag(&self.env, "INIA_KEEP_UNMODELED_XML")?,
        };
        let mut agent = self.agent;
        if agent.app_id.is_none() {
            agent.app_id = env("AWS_SDK_UA_APP_ID");
        }
        agent.exec_env = self
            .env
            .get_non_empty("AWS_EXECUTION_ENV")
            .map(str::to_string);
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
                validate_bucket_names: self.validate_bucket_names,
                region,
                endpoint_url: self.endpoint_url,
                configured_endpoints,
                retry,
                attempt_timeout: self.attempt_timeout,
                call_timeout: self.call_timeout,
                max_response_body: self.max_response_body,
                timing: self.timing,
                user_agent: crate::sdk_headers::user_agent(&agent),
                request_compression: compression,
                checksum_calculation,
                checksum_validation,
                parse: inia_protocol::ParseOptions {
                    keep_unmodeled_xml,
                    wire_timestamps: self.wire_timestamps,
                },
                env: self.env,
            }),
        })
    }
}

/// The compression threshold from the settings (`env` reads a variable, else the profile's
/// lower-case key without `AWS_`): `None` when compression is disabled.
fn request_compression(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<usize>, Error> {
    const MAX: usize = 10 * 1024 * 1024;
    if env("AWS_DISABLE_REQUEST_COMPRESSION").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return Ok(None);
    }
    let Some(v) = env("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES") else {
        return Ok(Some(10_240));
    };
    match v.trim().parse::<usize>() {
        Ok(n) if n <= MAX => Ok(Some(n)),
        _ => Err(Error::Setting {
            name: "request_min_compression_size_bytes".into(),
            value: v.clone(),
            message: format!(
                "request_min_compression_size_bytes {v:?} is not a whole number from 0 to {MAX}"
            ),
        }),
    }
}

/// A checksum setting (`when_supported` or `when_required`) from the variable `key`, else
/// the profile's lower-case key without `AWS_`; `None` when neither sets it.
fn checksum_when(
    env: &dyn Fn(&str) -> Option<String>,
    key: &str,
) -> Result<Option<ChecksumWhen>, Error> {
    let Some(v) = env(key) else {
        return Ok(None);
    };
    match ChecksumWhen::parse(&v) {
        Some(w) => Ok(Some(w)),
        None => {
            let name = key.trim_start_matches("AWS_").to_ascii_lowercase();
            Err(Error::Setting {
                message: format!("{name} {v:?} is not when_supported or when_required"),
                name,
                value: v,
            })
        }
    }
}

/// An on/off variable of inia's own: `true` or `false` (any case); unset or empty is off.
fn flag(env: &Env, key: &str) -> Result<bool, Error> {
    let Some(v) = env.get_non_empty(key) else {
        return Ok(false);
    };
    match v.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Error::Setting {
            name: key.into(),
            value: v.to_string(),
            message: format!("{key} must be true or false, not {v:?}"),
        }),
    }
}

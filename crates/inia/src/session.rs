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
//! to trust the operating system's store too; `INIA_KEEP_UNMODELED_XML=true` to keep the
//! XML elements output shapes do not describe (see `SessionBuilder::keep_unmodeled_xml`).
//! Defaults: 3 attempts, connect timeout 3.1 s,
//! read timeout 60 s, an attempt deadline of 2 minutes (until the response is parsed; a
//! download body is then governed by the read timeout), a call deadline of 10 minutes
//! (all attempts and backoff), TLS verified.
//!
//! The provider file (see `provider`) decides per service the model, endpoint, signing
//! and credential sources; `aws`, the default, resolves endpoints per call from the rule sets (see `endpoint`).
//!
//! Owns the built session: sharing models, rule sets and the transport, and the accessors
//! clients use. Does not own building it (`session_builder`) or the call path (`client`).

use crate::client::Client;
use crate::endpoint::configured::ConfiguredEndpoints;
use crate::endpoint::settings::EndpointSettings;
use crate::endpoint::EndpointError;
use crate::error::Error;
use crate::retry::RetryConfig;
pub use crate::session_builder::{SessionBuilder, Transport, DEFAULT_MAX_RESPONSE_BODY};
use inia_auth::config::{Env, Profile, ProfileFiles};
use inia_auth::provider::ProvideCredentials;
use inia_endpoint::{Partitions, Resolver, RuleSet};
use inia_model::{ProviderFile, ServiceBinding, ServiceModel, SpecPath};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(crate) struct Inner {
    pub(crate) specs: SpecPath,
    pub(crate) provider: Arc<ProviderFile>,
    /// The selected profile's values (provider settings read keys from it).
    pub(crate) profile: Option<Profile>,
    pub(crate) models: Mutex<HashMap<String, Arc<ServiceModel>>>,
    pub(crate) partitions: Mutex<HashMap<String, Arc<Partitions>>>,
    /// Compiled rule sets by `rules file:service`, shared by the session's clients.
    pub(crate) resolvers: Mutex<HashMap<String, Arc<Resolver>>>,
    pub(crate) endpoints: EndpointSettings,
    pub(crate) transport: Transport,
    pub(crate) credentials: Arc<dyn ProvideCredentials>,
    /// The bearer token source of the profile's SSO sign-in, for services signed with
    /// tokens; made on first need (its own sso-oidc client never needs one).
    pub(crate) bearer:
        std::sync::OnceLock<Result<Option<Arc<crate::sso_token::SsoTokenProvider>>, String>>,
    /// The shared files as read when the session was built.
    pub(crate) files: Arc<ProfileFiles>,
    pub(crate) unsigned: bool,
    /// S3 bucket names are checked before sending (`SessionBuilder::validate_bucket_names`).
    pub(crate) validate_bucket_names: bool,
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
    /// The `User-Agent` every request carries, less the request's features.
    pub(crate) user_agent: crate::sdk_headers::Agent,
    /// Gzip `requestcompression` bodies from this many bytes up; `None`: never.
    pub(crate) request_compression: Option<usize>,
    /// `request_checksum_calculation` when a setting gives it (else the provider's
    /// default, then `when_supported`).
    pub(crate) checksum_calculation: Option<inia_model::ChecksumWhen>,
    /// `response_checksum_validation`.
    pub(crate) checksum_validation: inia_model::ChecksumWhen,
    /// How responses are parsed (`keep_unmodeled_xml`).
    pub(crate) parse: inia_protocol::ParseOptions,
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

    /// `request_checksum_calculation` as code, the environment or the profile give it;
    /// `None`: each client takes its provider's default (`when_supported` unless the
    /// provider file says otherwise).
    pub fn request_checksum_calculation(&self) -> Option<inia_model::ChecksumWhen> {
        self.inner.checksum_calculation
    }

    /// Whether XML outputs keep the elements their shapes do not describe
    /// ([`SessionBuilder::keep_unmodeled_xml`], `INIA_KEEP_UNMODELED_XML`; default off).
    pub fn keep_unmodeled_xml(&self) -> bool {
        self.inner.parse.keep_unmodeled_xml
    }

    /// `response_checksum_validation` (default `when_supported`).
    pub fn response_checksum_validation(&self) -> inia_model::ChecksumWhen {
        self.inner.checksum_validation
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

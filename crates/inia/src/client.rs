//! `Client`: one service, called by operation name with a value, answering a value.
//!
//! The call path, one function per lifecycle stage: [`Client::call_with`] resolves the
//! operation, applies the service's customizations (`customize`, at each of its stages),
//! `validate`s the params, resolves the call's endpoint (`endpoint`: rule sets per
//! operation), `serialize`s and `address`es the request, has the `payload` vouched for
//! (Content-MD5, a signed SHA-256), then per attempt `sign`s and `send`s it, reads the
//! response and `parse`s it, and customizes the parsed output; failures go through the
//! retry policy (see `retry`). Streaming payloads stay out of the value: an upload body
//! is given with the call, a download body comes back beside the value ([`Output`]).
//!
//! The stages up to the built request are in `prepare`; those after it (the retry loop,
//! one attempt, signing) in `attempt`.
//!
//! Owns the orchestration. Does not own any stage's rules (protocol, auth, http, retry).

use crate::customize::{self, Notes};
use crate::endpoint::{CallEndpoint, Source};
use crate::error::Error;
use crate::retry::RetryQuota;
use crate::session::Session;
use bytes::Bytes;
use inia_auth::sign::{scheme, Anonymous, Sign};
use inia_http::{Body, ResponseBody};
use inia_model::{Checksums, Operation, Protocol, ServiceBinding, ServiceModel, ShapeType};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};
use tracing::Instrument;

/// What every service client tells about itself.
pub trait Service {
    /// The spec folder name (`ec2`).
    fn name(&self) -> &str;
    /// The full name from the model (`Amazon Elastic Compute Cloud`).
    fn description(&self) -> Option<&str>;
    /// The service's wire protocol.
    fn protocol(&self) -> Protocol;
    /// The endpoint URL calls go to (for rule sets, with no operation's parameters: an
    /// operation may go elsewhere, such as an S3 bucket's host). Empty when the rules
    /// give none without an operation.
    fn endpoint(&self) -> String;
    /// Operation names in model order.
    fn operations(&self) -> Vec<&str>;
}

/// Per-call overrides of the session's settings (`None`: the session's).
#[derive(Debug, Clone, Default)]
pub(crate) struct CallOptions {
    /// The bound on the whole call, retries included (`Some(None)`: no bound).
    pub(crate) timeout: Option<Option<Duration>>,
    /// Attempts in all, first included.
    pub(crate) max_attempts: Option<u32>,
    /// The caller checks the answer's checksum itself (the transfer's downloads).
    pub(crate) skip_answer_check: bool,
    /// What makes the call, for the agent string's features (a paginator, a waiter, the
    /// S3 transfer).
    pub(crate) feature: Option<&'static str>,
}

/// A call's result: the value, and the streaming body of operations that have one
/// (S3 GetObject), to be read by the caller.
#[derive(Debug)]
pub struct Output {
    /// The parsed result.
    pub value: Value,
    /// The operation's streamed body, unread (S3 GetObject), when it has one.
    pub body: Option<ResponseBody>,
}

pub(crate) struct ClientInner {
    pub(crate) session: Session,
    /// The spec folder the model, paginators and waiters come from (`Service::name`):
    /// the provider's model for the service (`azure-blob` for `blob`), not the name the
    /// client was asked for.
    pub(crate) service: String,
    pub(crate) model: Arc<ServiceModel>,
    pub(crate) protocol: Protocol,
    pub(crate) endpoint: Source,
    /// The provider binding's signing name and region, which win over the endpoint's.
    pub(crate) binding_signing: inia_model::Signing,
    /// The model's signing name, else its endpoint prefix.
    pub(crate) default_signing_name: String,
    pub(crate) signer: Arc<dyn Sign>,
    /// SigV4 signing the path as sent, for endpoints whose auth scheme disables double
    /// encoding when the model's signer is plain `v4`; made on first need.
    pub(crate) single_encoding_signer: OnceLock<Arc<dyn Sign>>,
    /// SigV4a signers for endpoints whose auth scheme is `sigv4a`, made on first need:
    /// with the model's SigV4 settings, and (plain `v4` models only) signing the path as
    /// sent. Each holds its derived-key cache.
    pub(crate) sigv4a_signers: [OnceLock<Arc<dyn Sign>>; 2],
    /// The S3 Express signer, made on first need, and its sessions per bucket.
    pub(crate) express_signer: OnceLock<Arc<dyn Sign>>,
    pub(crate) express: crate::customize::s3_express::ExpressSessions,
    /// Headers every request carries unless it sets them, from the provider file.
    pub(crate) headers: Vec<(http::HeaderName, http::HeaderValue)>,
    checksums: Checksums,
    /// `request_checksum_calculation`: the session's setting, else the provider file's
    /// default, else `when_supported`.
    pub(crate) checksum_calculation: inia_model::ChecksumWhen,
    /// The agent string's features that every request of this client has.
    pub(crate) features: crate::sdk_headers::Features,
    pub(crate) quota: RetryQuota,
    /// Server clock minus ours, in seconds, learnt from clock-skew errors.
    pub(crate) skew: AtomicI64,
    op_names: OnceLock<HashMap<String, String>>,
    /// The last rule-set endpoint and what the call path made of it, reused while the
    /// resolver's cache answers with the same endpoint.
    pub(crate) last_endpoint:
        std::sync::Mutex<Option<(Arc<inia_endpoint::Endpoint>, Arc<CallEndpoint>)>>,
    /// The service's `paginators-1.json` (`None`: it has none), read on first use.
    pub(crate) paginators: OnceLock<Option<Arc<Value>>>,
}

/// A client for one service. Cheap to clone; clones share state (retry quota, clock skew).
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("service", &self.inner.service)
            .field("endpoint", &self.endpoint_url())
            .finish_non_exhaustive()
    }
}

/// The signer a model asks for (its `auth` list, else `signatureVersion`); for Amazon
/// Bedrock, bearer tokens when the model allows them and `AWS_BEARER_TOKEN_BEDROCK` holds
/// one, as botocore prefers them.
fn model_signer(
    session: &Session,
    md: &inia_model::Metadata,
    signing_name: &str,
) -> Result<Arc<dyn Sign>, Error> {
    let bearer = "smithy.api#httpBearerAuth";
    let prefer_bearer = signing_name == "bedrock"
        && md.auth.iter().any(|a| a == bearer)
        && session.bearer_token_from_env(signing_name).is_some();
    if prefer_bearer {
        return Ok(scheme("bearer")?);
    }
    // The session's preference reorders the model's list (botocore's
    // `resolve_auth_scheme_preference`): the first scheme inia implements wins.
    let preference = &session.inner.endpoints.auth_scheme_preference;
    let names: Vec<&str> = md.auth.iter().map(String::as_str).collect();
    let auth: Vec<String> = match crate::endpoint::settings::preferred(preference, &names, |a| {
        matches!(
            a,
            "aws.auth#sigv4"
                | "aws.auth#sigv4a"
                | "smithy.api#httpBearerAuth"
                | "smithy.api#noAuth"
        )
    }) {
        Some(a) if !preference.is_empty() => vec![a.to_string()],
        _ => md.auth.clone(),
    };
    Ok(inia_auth::sign::for_model_auth(
        &auth,
        md.signature_version.as_deref(),
    )?)
}

/// The agent string's features of every request of a client (see `sdk_headers`).
fn client_features(
    session: &Session,
    endpoint: &Source,
    calculation: inia_model::ChecksumWhen,
) -> crate::sdk_headers::Features {
    use crate::sdk_headers::feature;
    use inia_model::ChecksumWhen::{WhenRequired, WhenSupported};
    let mut f = crate::sdk_headers::Features::default();
    f.add(feature::RETRY_MODE_STANDARD);
    if let Source::Rules { builtins, .. } = endpoint {
        if builtins.iter().any(|(k, _)| *k == "SDK::Endpoint") {
            f.add(feature::ENDPOINT_OVERRIDE);
        }
    }
    f.add(match calculation {
        WhenSupported => feature::REQ_WHEN_SUPPORTED,
        WhenRequired => feature::REQ_WHEN_REQUIRED,
    });
    f.add(match session.response_checksum_validation() {
        WhenSupported => feature::RES_WHEN_SUPPORTED,
        WhenRequired => feature::RES_WHEN_REQUIRED,
    });
    f
}

impl Client {
    pub(crate) fn new(
        session: Session,
        service: &str,
        model: Arc<ServiceModel>,
        binding: &ServiceBinding,
    ) -> Result<Client, Error> {
        let protocol =
            inia_protocol::protocol(&model).map_err(|e| Error::Unsupported(e.to_string()))?;
        let md = model.metadata();
        let prefix = md
            .endpoint_prefix
            .clone()
            .unwrap_or_else(|| service.to_string());
        let endpoint = crate::provider::endpoint_source(&session, service, &model, binding)?;
        let default_signing_name = md.signing_name.clone().unwrap_or_else(|| prefix.clone());
        let signer: Arc<dyn Sign> = if session.inner.unsigned {
            Arc::new(Anonymous)
        } else {
            match binding.signing.scheme.as_deref() {
                None | Some("model") => model_signer(&session, md, &default_signing_name)?,
                Some(given) => scheme(given)?,
            }
        };
        let headers = crate::provider::default_headers(&session, binding)?;
        let quota = RetryQuota::new(session.inner.retry.quota);
        let checksum_calculation = session
            .inner
            .checksum_calculation
            .or(binding.checksum_calculation)
            .unwrap_or_default();
        let features = client_features(&session, &endpoint, checksum_calculation);
        Ok(Client {
            inner: Arc::new(ClientInner {
                session,
                service: binding.model_name(service).to_string(),
                model,
                protocol,
                endpoint,
                binding_signing: binding.signing.clone(),
                default_signing_name,
                signer,
                headers,
                checksums: binding.checksums,
                checksum_calculation,
                features,
                quota,
                skew: AtomicI64::new(0),
                op_names: OnceLock::new(),
                last_endpoint: std::sync::Mutex::new(None),
                single_encoding_signer: OnceLock::new(),
                sigv4a_signers: [OnceLock::new(), OnceLock::new()],
                express_signer: OnceLock::new(),
                express: Default::default(),
                paginators: OnceLock::new(),
            }),
        })
    }

    /// The service's model.
    pub fn model(&self) -> &ServiceModel {
        &self.inner.model
    }

    /// The session this client belongs to.
    pub fn session(&self) -> &Session {
        &self.inner.session
    }

    /// The model's operation name for `name`, given as `DescribeKeyPairs`,
    /// `describe_key_pairs` or `describe-key-pairs`.
    pub fn operation_name(&self, name: &str) -> Result<String, Error> {
        let key = |s: &str| {
            s.chars()
                .filter(|c| *c != '_' && *c != '-')
                .flat_map(char::to_lowercase)
                .collect::<String>()
        };
        let map = self.inner.op_names.get_or_init(|| {
            self.inner
                .model
                .operation_names()
                .map(|n| (key(n), n.to_string()))
                .collect()
        });
        let alias = || customize::operation_alias(&self.inner.model, name, key).map(String::from);
        map.get(&key(name)).cloned().or_else(alias).ok_or_else(|| {
            Error::Model(inia_model::ModelError::UnknownOperation {
                origin: self.inner.service.clone(),
                name: name.to_string(),
            })
        })
    }

    /// Call `operation` with `params`; the result as a value. A streaming output body
    /// (S3 GetObject) is not read: use [`Client::call_with`] for those.
    pub async fn call(&self, operation: &str, params: Value) -> Result<Value, Error> {
        self.call_with(operation, params, None)
            .await
            .map(|o| o.value)
    }

    /// Call with an upload body for the operation's streaming payload (S3 PutObject's
    /// `Body`), and get a download body back when the operation streams one.
    pub async fn call_with(
        &self,
        operation: &str,
        params: Value,
        body: Option<Body>,
    ) -> Result<Output, Error> {
        self.send(operation, params, body, &CallOptions::default())
            .await
    }

    /// One call with per-call overrides of the session's settings ([`Client::operation`]).
    pub(crate) async fn send(
        &self,
        operation: &str,
        params: Value,
        body: Option<Body>,
        options: &CallOptions,
    ) -> Result<Output, Error> {
        let name = self.operation_name(operation)?;
        let op = self.inner.model.operation(&name)?;
        let span = tracing::info_span!("call", service = %self.inner.service, operation = %name);
        let max_attempts = options
            .max_attempts
            .unwrap_or(self.inner.session.inner.retry.max_attempts);
        let call = self
            .orchestrate(&op, params, body, max_attempts, options)
            .instrument(span);
        let limit = options
            .timeout
            .unwrap_or(self.inner.session.inner.call_timeout);
        match limit {
            Some(limit) => tokio::time::timeout(limit, call)
                .await
                .unwrap_or_else(|_| Err(self.deadline_error(limit))),
            None => call.await,
        }
    }

    pub(crate) fn deadline_error(&self, deadline: Duration) -> Error {
        Error::Transport(inia_http::HttpError::DeadlineExceeded {
            target: self.endpoint_url(),
            deadline,
        })
    }

    async fn orchestrate(
        &self,
        op: &Operation,
        params: Value,
        upload: Option<Body>,
        max_attempts: u32,
        options: &CallOptions,
    ) -> Result<Output, Error> {
        let account = self.account_id(op).await?;
        let now = self.signing_time();
        let (mut parts, body, endpoint) = self
            .prepare_request(op, params, upload, account.as_deref(), now)
            .await?;
        if options.skip_answer_check {
            parts
                .extensions
                .remove::<crate::response_checksum::Validate>();
        }
        let body = self.vouch(op, &mut parts, body).await?;
        let mut features = self.request_features(op, &parts, options.feature);
        for id in &endpoint.features {
            features.add(id);
        }
        parts.extensions.insert(features);
        let notes = parts.extensions.get::<Notes>().cloned().unwrap_or_default();
        let mut out = self
            .attempts(op, parts, body, &endpoint, max_attempts)
            .await?;
        // Stage: customize the output.
        customize::output(&self.inner.model, op, &notes, &mut out.value);
        Ok(out)
    }

    /// The request a call would send, without sending it: customized, validated, its
    /// endpoint resolved, serialized and addressed, and, when `sign_at` is given, signed
    /// as of that time (with the session's credentials). For debugging, and for
    /// comparing inia's requests with another SDK's.
    pub async fn prepare(
        &self,
        operation: &str,
        params: Value,
        sign_at: Option<SystemTime>,
    ) -> Result<http::Request<Bytes>, Error> {
        let name = self.operation_name(operation)?;
        let op = self.inner.model.operation(&name)?;
        let account = self.account_id(&op).await?;
        let time = sign_at.unwrap_or_else(|| self.signing_time());
        let (mut parts, body, endpoint) = self
            .prepare_request(&op, params, None, account.as_deref(), time)
            .await?;
        let body = self.vouch(&op, &mut parts, body).await?;
        let body = match sign_at {
            Some(time) => self.sign(&op, &mut parts, body, time, &endpoint).await?.0,
            None => body,
        };
        let bytes = body.shared_bytes().unwrap_or_default();
        Ok(http::Request::from_parts(parts, bytes))
    }

    /// Stage: vouch for the payload (`payload`), with the provider's checksum setting.
    async fn vouch(
        &self,
        op: &Operation,
        parts: &mut http::request::Parts,
        body: Body,
    ) -> Result<Body, Error> {
        let algorithm_header = op
            .http_checksum
            .as_ref()
            .and_then(|c| c.request_algorithm_member.as_deref())
            .and_then(|m| self.member_header(op, m));
        // Stage: payload checksums a service's customizations compute (Glacier's).
        customize::payload(&self.inner.model, op, parts, &body).await?;
        let policy = crate::payload::Policy {
            calculation: self.inner.checksum_calculation,
            md5: self.inner.checksums == Checksums::Md5,
            algorithm_header,
            streaming_input: self.streaming_input_member(op)?.is_some(),
        };
        crate::payload::vouch(op, parts, body, self.inner.signer.name(), &policy).await
    }

    /// The agent string's features of one request, as far as the request shows them
    /// (signing adds the credentials' and SigV4a's).
    fn request_features(
        &self,
        op: &Operation,
        parts: &http::request::Parts,
        caller: Option<&'static str>,
    ) -> crate::sdk_headers::Features {
        use crate::sdk_headers::feature;
        let mut f = self.inner.features.clone();
        if let Some(c) = caller {
            f.add(c);
        }
        if self.inner.protocol == Protocol::RpcV2Cbor {
            f.add(feature::PROTOCOL_RPC_V2_CBOR);
        }
        let h = &parts.headers;
        let gzip = h
            .get(http::header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|e| e.trim() == "gzip"));
        if gzip && op.request_compression.is_some() {
            f.add(feature::GZIP_REQUEST_COMPRESSION);
        }
        let trailer = h.get("x-amz-trailer").and_then(|v| v.to_str().ok());
        let sent = h.keys().map(|k| k.as_str()).chain(trailer);
        for name in sent {
            let Some(alg) = name.strip_prefix("x-amz-checksum-") else {
                continue;
            };
            match inia_protocol::checksum::Algorithm::parse(alg) {
                Some(a) => f.add_checksum(a),
                // A caller's own MD5 flexible checksum (`FLEXIBLE_CHECKSUMS_REQ_MD5`).
                None if alg == "md5" => f.add(feature::REQ_MD5),
                None => {}
            }
        }
        f
    }

    /// The header an input member is sent in, if it is a header member.
    fn member_header(&self, op: &Operation, member: &str) -> Option<http::HeaderName> {
        let input = op.input.as_ref()?;
        let shape = self.inner.model.target(input, &op.name).ok()?;
        let m = shape.members.get(member)?;
        if m.location != Some(inia_model::Location::Header) {
            return None;
        }
        http::HeaderName::from_bytes(m.location_name.as_deref()?.as_bytes()).ok()
    }

    /// The input member that is a streaming payload, if any.
    pub(crate) fn streaming_input_member(&self, op: &Operation) -> Result<Option<String>, Error> {
        let Some(input) = &op.input else {
            return Ok(None);
        };
        let shape = self.inner.model.target(input, &op.name)?;
        let Some(payload) = &shape.payload else {
            return Ok(None);
        };
        let Some(m) = shape.members.get(payload) else {
            return Ok(None);
        };
        let t = self.inner.model.target(m, payload)?;
        Ok((t.streaming || m.streaming).then(|| payload.clone()))
    }

    /// True when the operation's output payload is a stream the caller reads: as botocore's `has_streaming_output`: the output's payload is a blob, marked
    /// `streaming` or not (Lambda's `Invoke`, Bedrock's `InvokeModel`).
    pub(crate) fn streams_output(&self, op: &Operation) -> bool {
        let Some(out) = &op.output else { return false };
        let Ok(shape) = self.inner.model.target(out, &op.name) else {
            return false;
        };
        let Some(payload) = &shape.payload else {
            return false;
        };
        shape.members.get(payload).is_some_and(|m| {
            self.inner
                .model
                .target(m, payload)
                .is_ok_and(|t| t.kind == ShapeType::Blob)
        })
    }
}

impl Service for Client {
    fn name(&self) -> &str {
        &self.inner.service
    }

    fn description(&self) -> Option<&str> {
        self.inner.model.metadata().service_full_name.as_deref()
    }

    fn protocol(&self) -> Protocol {
        self.inner.protocol
    }

    fn endpoint(&self) -> String {
        self.endpoint_url()
    }

    fn operations(&self) -> Vec<&str> {
        self.inner.model.operation_names().collect()
    }
}

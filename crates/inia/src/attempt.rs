//! Stages of one call after its request is built: the retry loop (`attempts`: every
//! try, the standard-mode policy of `retry` deciding whether another comes, the pauses
//! from the session's `time`), one `attempt` (sign, send, read the body within its cap,
//! parse), and `sign` (credentials, the signer the client chose, the body it vouched for).
//! Each attempt's request and response are logged at debug level by `wire_log`.
//!
//! Owns running those stages. Does not own their rules (`retry`, `inia_auth`,
//! `inia_http`, `inia_protocol`) or building the request (`client`).

use crate::client::Client;
use crate::endpoint::CallEndpoint;
use crate::error::Error;
use crate::payload::PayloadHash;
use crate::retry::{self, Failure, RetryPolicy};
use crate::sdk_headers::{feature, Features};
use crate::Output;
use bytes::Bytes;
use inia_auth::credentials::Secret;
use inia_auth::sign::{Identity, SigV4, SigV4Settings, SigV4a, SignedBody, SigningContext};
use inia_http::{Body, ResponseBody};
use inia_model::Operation;
use serde_json::Value;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tower::ServiceExt;
use tracing::Instrument;

/// Which attempt of which call a request is (its `amz-sdk-*` headers).
struct Stamp<'a> {
    invocation: &'a http::HeaderValue,
    attempt: u32,
    max: u32,
}

/// One call's attempts so far, and its allowance.
struct Counts {
    attempt: u32,
    exhausted: bool,
    max: u32,
}

impl Client {
    /// Every attempt of one call; the retries made are recorded in the result's
    /// `ResponseMetadata.RetryAttempts` (and `MaxAttemptsReached` when the last allowed
    /// attempt failed), as botocore's standard mode records them.
    pub(crate) async fn attempts(
        &self,
        op: &Operation,
        parts: http::request::Parts,
        body: Body,
        endpoint: &CallEndpoint,
        max_attempts: u32,
    ) -> Result<Output, Error> {
        let mut counts = Counts {
            attempt: 1,
            exhausted: false,
            max: max_attempts.max(1),
        };
        let result = self
            .attempt_loop(op, parts, body, endpoint, &mut counts)
            .await;
        let Counts {
            attempt, exhausted, ..
        } = counts;
        let record = |v: &mut Value| retry::record_attempts(v, attempt - 1, exhausted);
        match result {
            Ok(mut out) => {
                record(&mut out.value);
                Ok(out)
            }
            Err(Error::Service {
                operation,
                mut error,
            }) => {
                record(&mut error.value);
                Err(Error::Service { operation, error })
            }
            Err(e) => Err(e),
        }
    }

    async fn attempt_loop(
        &self,
        op: &Operation,
        parts: http::request::Parts,
        body: Body,
        endpoint: &CallEndpoint,
        counts: &mut Counts,
    ) -> Result<Output, Error> {
        let max = counts.max;
        let Counts {
            attempt, exhausted, ..
        } = counts;
        let timing = &self.inner.session.inner.timing;
        let mut policy = retry::Standard::new(max, &self.inner.quota, timing);
        // One id for the call, on every attempt (botocore's `amz-sdk-invocation-id`).
        let invocation = crate::sdk_headers::invocation_id();
        let mut body = Some(body);
        loop {
            let attempt_no = *attempt;
            let this_body = match body.as_ref().and_then(Body::try_clone) {
                Some(b) => b,
                None => body.take().ok_or_else(|| Error::BodyNotReplayable)?,
            };
            let started = Instant::now();
            let span = tracing::debug_span!(
                "attempt",
                attempt = attempt_no,
                status = tracing::field::Empty,
                request_id = tracing::field::Empty
            );
            let stamp = Stamp {
                invocation: &invocation,
                attempt: attempt_no,
                max,
            };
            let one = self
                .attempt(op, clone_parts(&parts), this_body, endpoint, stamp)
                .instrument(span.clone());
            let result = match self.inner.session.inner.attempt_timeout {
                Some(limit) => tokio::time::timeout(limit, one)
                    .await
                    .unwrap_or_else(|_| Err((self.deadline_error(limit), None))),
                None => one.await,
            };
            tracing::debug!(parent: &span, elapsed_ms = started.elapsed().as_millis() as u64, ok = result.is_ok(), "attempt done");
            let (err, hint) = match result {
                Ok(out) => {
                    policy.succeeded();
                    return Ok(out);
                }
                Err(e) => e,
            };
            // As botocore's standard mode: an error on the last allowed attempt is marked.
            *exhausted = *attempt >= max;
            let failure = match &err {
                Error::Service { error, .. } => Failure::Service {
                    status: error.status,
                    code: &error.code,
                    modeled_retryable: self.modeled_retryable(op, &error.code),
                },
                Error::Transport(h) => match Failure::of_transport(h) {
                    Some(f) => f,
                    None => return Err(err),
                },
                _ => return Err(err),
            };
            // Clock skew: correct and retry once more even without retry budget.
            if let Error::Service { error, .. } = &err {
                let date = error.value["ResponseMetadata"]["HTTPHeaders"]["date"].as_str();
                if let Some(skew) = retry::clock_skew(&error.code, date, timing.now()) {
                    if self.inner.skew.swap(skew, Ordering::Relaxed) != skew && *attempt < max {
                        *attempt += 1;
                        continue;
                    }
                }
            }
            // A one-shot body cannot be sent again, so no retry is paid for.
            if body.as_ref().is_none_or(|b| b.try_clone().is_none()) {
                return Err(err);
            }
            let Some(delay) = policy.next_pause(*attempt, &failure, hint) else {
                return Err(err);
            };
            *attempt += 1;
            tracing::debug!(attempt = *attempt, delay_ms = delay.as_millis() as u64, error = %err, "retrying");
            timing.sleep(delay).await;
        }
    }

    /// Now, corrected by the clock skew learnt from the service: the time requests are
    /// signed at.
    pub(crate) fn signing_time(&self) -> SystemTime {
        let skew = self.inner.skew.load(Ordering::Relaxed);
        let now = self.inner.session.inner.timing.now();
        if skew >= 0 {
            now + Duration::from_secs(skew as u64)
        } else {
            now - Duration::from_secs(skew.unsigned_abs())
        }
    }

    /// True when the operation's exception shape for `code` is modeled as retryable.
    fn modeled_retryable(&self, op: &Operation, code: &str) -> bool {
        matches!(self.inner.model.error_shape(op, code), Ok(Some((_, shape))) if shape.retryable.is_some())
    }

    /// One attempt: sign, send, read, parse. On failure, also the server's retry hint.
    async fn attempt(
        &self,
        op: &Operation,
        mut parts: http::request::Parts,
        body: Body,
        endpoint: &CallEndpoint,
        stamp: Stamp<'_>,
    ) -> Result<Output, (Error, Option<Duration>)> {
        let fail = |e: Error| (e, None);
        // Stage: sign.
        let time = self.signing_time();
        let (signing_name, signing_region) = self.signing_scope(endpoint);
        tracing::debug!(
            url = %parts.uri,
            auth_scheme = endpoint.auth_scheme.as_deref().unwrap_or(self.inner.signer.name()),
            signing_name,
            signing_region,
            "endpoint"
        );
        let (body, signed) = self
            .sign(op, &mut parts, body, time, endpoint)
            .await
            .map_err(fail)?;
        let _ = signed;
        // What every request carries, unsigned, as botocore adds it after signing.
        if !parts.headers.contains_key(http::header::USER_AGENT) {
            let agent = &self.inner.session.inner.user_agent;
            let value = match parts.extensions.get::<Features>() {
                Some(f) => agent.header(f),
                None => agent.header(&self.inner.features),
            };
            parts.headers.insert(http::header::USER_AGENT, value);
        }
        let h = &mut parts.headers;
        h.insert(crate::sdk_headers::INVOCATION_ID, stamp.invocation.clone());
        h.insert(
            crate::sdk_headers::REQUEST,
            crate::sdk_headers::request(stamp.attempt, stamp.max),
        );
        // Stage: send.
        let target = parts
            .uri
            .authority()
            .map_or_else(String::new, |a| a.to_string());
        let validate = parts
            .extensions
            .get::<crate::response_checksum::Validate>()
            .is_some();
        if crate::wire_log::enabled() {
            crate::wire_log::request(&self.inner.model, op, &parts, body.bytes());
        }
        let request = http::Request::from_parts(parts, body);
        let response = self
            .inner
            .session
            .inner
            .transport
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| fail(Error::Transport(e)))?;
        let (mut head, body) = response.into_parts();
        let status = head.status.as_u16();
        tracing::Span::current().record("status", status);
        if crate::wire_log::enabled() {
            crate::wire_log::response(status, &head.headers);
        }
        if let Some(id) = head
            .headers
            .get("x-amzn-requestid")
            .or(head.headers.get("x-amz-request-id"))
        {
            tracing::Span::current().record("request_id", id.to_str().unwrap_or(""));
        }
        // Stage: check the answer's checksum (as it is read).
        let body = match validate && status < 300 {
            true => crate::response_checksum::attach(op, &head.headers, body, &target),
            false => body,
        };
        // Stage: parse.
        let streaming = status < 300 && self.streams_output(op);
        let (mut bytes, stream) = if streaming {
            (Bytes::new(), Some(body))
        } else {
            let bytes = self.read_capped(&head, body, target).await.map_err(fail)?;
            if crate::wire_log::enabled() {
                crate::wire_log::response_body(&self.inner.model, op, status, &bytes);
            }
            (bytes, None)
        };
        // Stage: customize the answer before it is parsed.
        let mut answer = crate::customize::Answer {
            status,
            headers: &mut head.headers,
            body: (!streaming).then_some(&mut bytes),
            extra: serde_json::Map::new(),
        };
        crate::customize::response(&self.inner.model, op, &mut answer);
        let (status, extra) = (answer.status, answer.extra);
        let parsed = inia_protocol::parse_with(
            &self.inner.model,
            op,
            status,
            &head.headers,
            &bytes,
            &self.inner.session.inner.parse,
        );
        match parsed {
            Ok(mut value) => {
                if let Value::Object(obj) = &mut value {
                    obj.extend(extra);
                }
                Ok(Output {
                    value,
                    body: stream,
                })
            }
            Err(e) => {
                let hint = retry::server_hint(&head.headers);
                Err((Error::from_protocol(&op.name, e), hint))
            }
        }
    }

    /// A non-streamed body, read into memory up to the session's cap: refused before
    /// reading when its `Content-Length` announces more.
    async fn read_capped(
        &self,
        head: &http::response::Parts,
        body: ResponseBody,
        target: String,
    ) -> Result<Bytes, Error> {
        let limit = self.inner.session.inner.max_response_body;
        let announced = head
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(n) = announced.filter(|n| *n > limit) {
            return Err(Error::Transport(inia_http::HttpError::BodyTooLarge {
                target,
                limit,
                announced: Some(n),
            }));
        }
        body.bytes_limited(limit, &target)
            .await
            .map_err(Error::Transport)
    }

    /// Stage: sign. Credentials come from the provider chain; streams are signed with the
    /// SHA-256 that `payload` computed (plain http), else `UNSIGNED-PAYLOAD`. The signer is
    /// the client's, but SigV4a for an endpoint whose auth scheme is `sigv4a` (its region
    /// set from `signing_scope`), and SigV4 without double encoding where the endpoint
    /// disables it.
    pub(crate) async fn sign(
        &self,
        op: &Operation,
        parts: &mut http::request::Parts,
        body: Body,
        time: SystemTime,
        endpoint: &CallEndpoint,
    ) -> Result<(Body, bool), Error> {
        if self.unsigned(op) || endpoint.auth_scheme.as_deref() == Some("none") {
            return Ok((body, false));
        }
        endpoint.check_signable()?;
        let (signing_name, signing_region) = self.signing_scope(endpoint);
        let signer = self.signer_for(endpoint);
        // The in-memory body is shared with the signer, not copied.
        let original = body.shared_bytes();
        let signed_body = match (&original, parts.extensions.get::<PayloadHash>()) {
            (Some(b), _) => SignedBody::Bytes(b.clone()),
            (None, Some(hash)) => SignedBody::Precomputed(hash.0.to_string()),
            (None, None) => SignedBody::Unsigned,
        };
        let signed = if signer.identity() == Identity::Token {
            let token = self.inner.session.bearer_token(signing_name).await?;
            let from_env = self.inner.session.bearer_token_from_env(signing_name);
            if let (Some(f), Some(_)) = (parts.extensions.get_mut::<Features>(), from_env) {
                f.add(feature::BEARER_SERVICE_ENV_VARS);
            }
            let token = Secret::new(token);
            let ctx = SigningContext::with_token(&token, signing_region, signing_name, time);
            signer.sign(parts, &signed_body, &ctx)?
        } else {
            let creds = self
                .inner
                .session
                .inner
                .credentials
                .provide()
                .await?
                .ok_or_else(|| {
                    inia_auth::provider::CredentialsError::NotFound(
                        "the configured provider".into(),
                    )
                })?;
            if creds.source() == crate::provider::ANONYMOUS_SOURCE {
                return Ok((body, false));
            }
            // S3 Express: the directory bucket's session credentials sign, not the caller's.
            let creds = match &endpoint.express_bucket {
                Some(bucket) if endpoint.auth_scheme.as_deref() == Some("sigv4-s3express") => {
                    let now = self.inner.session.inner.timing.now();
                    self.inner
                        .express
                        .credentials(self, bucket, &creds, now)
                        .await?
                }
                _ => creds,
            };
            if let Some(f) = parts.extensions.get_mut::<Features>() {
                f.add_credentials(creds.source());
                if signer.name() == "sigv4a" {
                    f.add(feature::SIGV4A_SIGNING);
                }
            }
            let ctx = SigningContext::new(&creds, signing_region, signing_name, time);
            signer.sign(parts, &signed_body, &ctx)?
        };
        // A signer may rewrite an in-memory body (SigV2 POST): then it is sent instead.
        let body = match signed.new_body {
            Some(b) => {
                parts.headers.insert(
                    http::header::CONTENT_LENGTH,
                    http::HeaderValue::from(b.len()),
                );
                Body::from_bytes(b)
            }
            None => body,
        };
        Ok((body, true))
    }
}

impl Client {
    /// The signer for a call to `endpoint`: the client's, or the SigV4a or single-encoding
    /// SigV4 variant the endpoint's auth scheme asks for (made once per client).
    fn signer_for(&self, endpoint: &CallEndpoint) -> &Arc<dyn inia_auth::sign::Sign> {
        let single_encoding = SigV4Settings {
            double_uri_encode: false,
            normalize_path: false,
            ..Default::default()
        };
        let plain_v4 = self.inner.signer.name() == "v4";
        if endpoint.auth_scheme.as_deref() == Some("sigv4-s3express") {
            self.inner
                .express_signer
                .get_or_init(|| Arc::new(SigV4::new(SigV4Settings::s3express())))
        } else if endpoint.auth_scheme.as_deref() == Some("sigv4a") {
            // S3 (Multi-Region Access Points) keeps its SigV4 settings under SigV4a.
            let (slot, settings) = if self.inner.signer.name() == "s3v4" {
                (0, SigV4Settings::s3())
            } else if endpoint.disable_double_encoding && plain_v4 {
                (1, single_encoding)
            } else {
                (0, SigV4Settings::default())
            };
            self.inner.sigv4a_signers[slot].get_or_init(|| Arc::new(SigV4a::new(settings)))
        } else if endpoint.disable_double_encoding && plain_v4 {
            self.inner
                .single_encoding_signer
                .get_or_init(|| Arc::new(SigV4::new(single_encoding)))
        } else {
            &self.inner.signer
        }
    }
}

fn clone_parts(p: &http::request::Parts) -> http::request::Parts {
    let mut r = http::Request::new(());
    *r.method_mut() = p.method.clone();
    *r.uri_mut() = p.uri.clone();
    *r.version_mut() = p.version;
    *r.headers_mut() = p.headers.clone();
    // Every stage's notes for the signer and the transport travel with each attempt.
    *r.extensions_mut() = p.extensions.clone();
    r.into_parts().0
}

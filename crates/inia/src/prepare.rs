//! The stages of a call up to its built request: customize the input (`customize`'s
//! `Params`), ask for the answer's checksum, validate, fill a cross-region presigned URL
//! (`Presign`), resolve the endpoint, serialize, address, and customize the request
//! (`Request`). The payload stage (`payload`) and the attempts (`attempt`) come after.
//!
//! Owns the order of those stages and what they hand each other (the call's [`Notes`]
//! go in the request's extensions). Does not own any stage's rules.

use crate::client::Client;
use crate::customize::{self, CallContext, Notes};
use crate::endpoint::{CallEndpoint, Source};
use crate::error::Error;
use inia_http::Body;
use inia_model::Operation;
use serde_json::Value;
use std::sync::Arc;
use std::time::SystemTime;

impl Client {
    /// Every stage before the first attempt; a presigned URL in the input (the
    /// `Presign` stage) is signed as of `time`.
    pub(crate) async fn prepare_request(
        &self,
        op: &Operation,
        params: Value,
        upload: Option<Body>,
        account_id: Option<&str>,
        time: SystemTime,
    ) -> Result<(http::request::Parts, Body, Arc<CallEndpoint>), Error> {
        let (params, notes) = self.checked_params(op, params, upload.is_some())?;
        // Stage: presign (after validation, as botocore's `before-call`).
        let params = match customize::presign(&self.inner.model, op) {
            Some(spec) => {
                customize::cross_region::fill(self, spec, op, params, account_id, time).await?
            }
            None => params,
        };
        self.build_request(op, params, upload, account_id, notes)
    }

    fn call_context(&self) -> CallContext<'_> {
        CallContext {
            model: &self.inner.model,
            region: self.inner.session.region(),
            rules: matches!(self.inner.endpoint, Source::Rules { .. }),
            env: &self.inner.session.inner.env,
            validate_bucket_names: self.inner.session.inner.validate_bucket_names,
        }
    }

    /// Stages: customize the input, ask for the answer's checksum, validate.
    fn checked_params(
        &self,
        op: &Operation,
        params: Value,
        upload: bool,
    ) -> Result<(Value, Notes), Error> {
        let model = &self.inner.model;
        let streaming_member = self.streaming_input_member(op)?;
        if upload {
            if let (Some(member), Some(obj)) = (&streaming_member, params.as_object()) {
                if obj.contains_key(member) {
                    return Err(Error::Param {
                        path: member.clone(),
                        message: "given both in params and as the upload body".into(),
                    });
                }
            }
        }
        let mut notes = Notes::default();
        let mut params = customize::params(&self.call_context(), op, params, &mut notes)?;
        // As botocore with `response_checksum_validation = when_supported`: ask for the
        // object's checksum (S3 `ChecksumMode=ENABLED`) so a download can be checked.
        if let (Some(m), Some(obj)) = (validation_member(op), params.as_object_mut()) {
            let validate = self.inner.session.response_checksum_validation()
                == inia_model::ChecksumWhen::WhenSupported;
            if validate && !obj.contains_key(m) {
                obj.insert(m.clone(), Value::String("ENABLED".into()));
            }
        }
        match (upload, &streaming_member) {
            (true, Some(m)) => inia_protocol::validate::validate_given(model, op, &params, m),
            _ => inia_protocol::validate::validate(model, op, &params),
        }
        .map_err(|e| Error::from_protocol(&op.name, e))?;
        Ok((params, notes))
    }

    /// Stages from checked params to the request: resolve the endpoint, serialize,
    /// address, customize the request.
    pub(crate) fn build_request(
        &self,
        op: &Operation,
        params: Value,
        upload: Option<Body>,
        account_id: Option<&str>,
        notes: Notes,
    ) -> Result<(http::request::Parts, Body, Arc<CallEndpoint>), Error> {
        let model = &self.inner.model;
        let wrap = |e| Error::from_protocol(&op.name, e);
        // The answer is checked when the call asked for its checksum (botocore: the
        // member is in the parameters, whatever set it).
        let check_answer = validation_member(op).is_some_and(|m| params.get(m).is_some());
        // Stage: resolve the endpoint.
        let endpoint = self.resolve_endpoint(op, &params, account_id)?;
        // Stage: serialize.
        let options = inia_protocol::SerializeOptions {
            min_compression_size: self.inner.session.inner.request_compression,
            // The payload stage decides checksums (`vouch`).
            required_checksum_md5: false,
            ..Default::default()
        };
        let request =
            inia_protocol::serialize_operation_with(model, op, &params, &options).map_err(wrap)?;
        drop(params);
        // Stage: address.
        let (mut parts, mut bytes) = request.into_parts();
        if check_answer {
            parts.extensions.insert(crate::response_checksum::Validate);
        }
        let ctx = self.call_context();
        let auth_path = self.address(&ctx, op, &mut parts, &endpoint)?;
        // Stage: customize the request.
        customize::request(&ctx, op, &mut parts, &mut bytes)?;
        let body = match upload {
            Some(b) => b,
            None => Body::from_bytes(bytes),
        };
        let len = body.content_length();
        if len > 0 || parts.method != http::Method::GET {
            parts
                .headers
                .insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(len));
        }
        if let Some(p) = auth_path {
            parts.extensions.insert(p);
        }
        parts.extensions.insert(notes);
        crate::provider::apply_headers(&self.inner.headers, &mut parts);
        Ok((parts, body, endpoint))
    }
}

/// The input member that asks for the answer's checksum (`requestValidationModeMember`).
fn validation_member(op: &Operation) -> Option<&String> {
    op.http_checksum
        .as_ref()
        .and_then(|c| c.request_validation_mode_member.as_ref())
}

//! The endpoint stage of a call, on the client: the client's rule set (loaded on first
//! use), the parameters of one call resolved to a [`CallEndpoint`] (reused while the
//! resolver's cache gives the same endpoint), and the signing scope it implies.
//!
//! Owns joining the client's state to `inia_endpoint`. Does not own the call's other
//! stages (`client`).

use super::{bind, CallEndpoint, EndpointError, Source};
use crate::client::Client;
use crate::customize::{self, CallContext};
use crate::error::Error;
use inia_auth::sign::S3AuthPath;
use inia_model::Operation;
use inia_protocol::HostPrefix;
use serde_json::Value;
use std::sync::Arc;

impl Client {
    /// The client-level endpoint URL (no operation's parameters): for messages, and for
    /// pages beside an API (sso-oidc's `/authorize`). The rule set's parameters get the
    /// built-in values (in code, else from the settings) their `builtIn` names, as a call's
    /// do (`bind::params`).
    pub(crate) fn endpoint_url(&self) -> String {
        match &self.inner.endpoint {
            Source::Fixed { url, .. } => url.clone(),
            Source::Rules { .. } => self
                .resolver()
                .ok()
                .and_then(|r| {
                    let in_code = &self.inner.session.inner.endpoints.params;
                    let pairs = r.rules().params().iter().filter_map(|d| {
                        let b = d.built_in.as_deref()?;
                        let v = in_code
                            .iter()
                            .find(|(k, _)| k == b)
                            .map(|(_, v)| v.clone())
                            .or_else(|| {
                                self.builtins()
                                    .iter()
                                    .find(|(k, _)| *k == b)
                                    .map(|(_, v)| v.clone())
                            })?;
                        Some((d.name.as_str(), v))
                    });
                    let p = r.params(pairs).ok()?;
                    r.resolve(&p).ok().map(|e| e.url.clone())
                })
                .unwrap_or_default(),
        }
    }

    /// The endpoint URL given for this client (the rules' `SDK::Endpoint`), if any.
    fn override_url(&self) -> Option<String> {
        let settings = &self.inner.session.inner.endpoints.params;
        let in_code = settings.iter().map(|(k, v)| (k.as_str(), v));
        let from_settings = self.builtins().iter().map(|(k, v)| (*k, v));
        in_code
            .chain(from_settings)
            .find(|(k, _)| *k == "SDK::Endpoint")
            .and_then(|(_, v)| v.as_str().map(str::to_string))
    }

    fn builtins(&self) -> &[(&'static str, inia_endpoint::Val)] {
        match &self.inner.endpoint {
            Source::Rules { builtins, .. } => builtins,
            Source::Fixed { .. } => &[],
        }
    }

    /// The client's compiled rule set, loaded on first use.
    fn resolver(&self) -> Result<Arc<inia_endpoint::Resolver>, EndpointError> {
        let Source::Rules {
            resolver,
            rules_file,
            partitions_file,
            ..
        } = &self.inner.endpoint
        else {
            return Err(EndpointError::NoRuleSet {
                service: self.inner.service.clone(),
            });
        };
        resolver
            .get_or_init(|| {
                self.inner
                    .session
                    .resolver(&self.inner.service, rules_file, partitions_file)
            })
            .clone()
    }

    /// The operation is never signed: modeled without auth, or the client's signer is
    /// `none`.
    pub(crate) fn unsigned(&self, op: &Operation) -> bool {
        op.auth_type.as_deref() == Some("none")
            || op.auth.iter().any(|a| a == "smithy.api#noAuth")
            || self.inner.signer.is_anonymous()
    }

    /// The account id the call's credentials carry, when the client's rule set reads
    /// `AWS::Auth::AccountId` and code did not set it: botocore binds the credentials'
    /// `account_id` there. Credentials are asked only then (and not for unsigned calls).
    pub(crate) async fn account_id(&self, op: &Operation) -> Result<Option<String>, Error> {
        const BUILT_IN: &str = "AWS::Auth::AccountId";
        if !matches!(self.inner.endpoint, Source::Rules { .. }) || self.unsigned(op) {
            return Ok(None);
        }
        let settings = &self.inner.session.inner.endpoints;
        if !settings.builtins_from_settings() || settings.params.iter().any(|(k, _)| k == BUILT_IN)
        {
            return Ok(None);
        }
        let Ok(resolver) = self.resolver() else {
            return Ok(None);
        };
        let declared = resolver
            .rules()
            .params()
            .iter()
            .any(|d| d.referenced && d.built_in.as_deref() == Some(BUILT_IN));
        if !declared {
            return Ok(None);
        }
        let creds = self.inner.session.inner.credentials.provide().await?;
        Ok(creds.and_then(|c| c.account_id().map(str::to_string)))
    }

    /// Stage: resolve the endpoint of one call (with the account id of its credentials,
    /// see [`Client::account_id`]).
    pub(crate) fn resolve_endpoint(
        &self,
        op: &Operation,
        params: &Value,
        account_id: Option<&str>,
    ) -> Result<Arc<CallEndpoint>, Error> {
        match &self.inner.endpoint {
            Source::Fixed {
                url,
                signing_region,
                ..
            } => Ok(Arc::new(CallEndpoint {
                url: url.clone(),
                headers: Vec::new(),
                auth_scheme: None,
                signing_name: None,
                signing_region: Some(signing_region.clone()),
                unsupported_schemes: None,
                disable_double_encoding: false,
                express_bucket: None,
                features: Vec::new(),
            })),
            Source::Rules { builtins, .. } => {
                let resolver = match self.resolver() {
                    Ok(r) => r,
                    // A model of one's own without a rule set is still callable at the
                    // endpoint URL given for it.
                    Err(EndpointError::NoRuleSet { .. }) if self.override_url().is_some() => {
                        return Ok(Arc::new(CallEndpoint {
                            url: self.override_url().unwrap_or_default(),
                            headers: Vec::new(),
                            auth_scheme: None,
                            signing_name: None,
                            signing_region: None,
                            unsupported_schemes: None,
                            disable_double_encoding: false,
                            express_bucket: None,
                            features: Vec::new(),
                        }));
                    }
                    Err(e) => return Err(e.into()),
                };
                let model = &self.inner.model;
                let mut builtins = std::borrow::Cow::Borrowed(builtins.as_slice());
                customize::builtins(model, op, params, &mut builtins);
                if let Some(account) = account_id {
                    let b = builtins.to_mut();
                    b.push(("AWS::Auth::AccountId", inia_endpoint::Val::str(account)));
                }
                let settings = &self.inner.session.inner.endpoints;
                let bound = bind::params(&resolver, model, op, params, settings, &builtins)?;
                let resolved = resolver
                    .resolve(&bound)
                    .map_err(|e| Error::Endpoint(EndpointError::Rules(e)))?;
                let mut last = self
                    .inner
                    .last_endpoint
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                if let Some((e, call)) = last.as_ref() {
                    if Arc::ptr_eq(e, &resolved) {
                        return Ok(call.clone());
                    }
                }
                let mut call =
                    CallEndpoint::from_rules(&resolved, &settings.auth_scheme_preference);
                if call.auth_scheme.as_deref() == Some("sigv4-s3express") {
                    call.express_bucket = params["Bucket"].as_str().map(str::to_string);
                }
                let mode = resolver.param(&bound, "AccountIdEndpointMode");
                match mode.and_then(|m| m.as_str()) {
                    Some("preferred") => call.features.push("P"),
                    Some("disabled") => call.features.push("Q"),
                    Some("required") => call.features.push("R"),
                    _ => {}
                }
                if resolver.param(&bound, "AccountId").is_some() {
                    call.features.push("T");
                }
                let call = Arc::new(call);
                *last = Some((resolved, call.clone()));
                Ok(call)
            }
        }
    }

    /// The signing name and region of a call: the provider binding's, else the
    /// endpoint's auth scheme's, else the model's name and the session's region. For a
    /// `sigv4a` endpoint the region is the region set: `AWS_SIGV4A_SIGNING_REGION_SET`,
    /// else the profile's `sigv4a_signing_region_set`, else as for a region (the
    /// endpoint's `signingRegionSet` comes before the session's region).
    pub(crate) fn signing_scope<'a>(&'a self, endpoint: &'a CallEndpoint) -> (&'a str, &'a str) {
        let b = &self.inner.binding_signing;
        let name = b
            .name
            .as_deref()
            .or(endpoint.signing_name.as_deref())
            .unwrap_or(&self.inner.default_signing_name);
        let region_set = match endpoint.auth_scheme.as_deref() {
            Some("sigv4a") => self.inner.session.inner.endpoints.sigv4a_region_set(),
            _ => None,
        };
        let region = region_set
            .or(b.region.as_deref())
            .or(endpoint.signing_region.as_deref())
            .or(self.inner.session.region())
            .unwrap_or("us-east-1");
        (name, region)
    }

    /// Stage: address. The request's URL from the endpoint and the serialized path (with
    /// the service's path customizations and the model's host prefix), and the endpoint's
    /// headers. Returns the path-style resource when a fixed endpoint moved an S3 bucket
    /// into the host (for HMAC-SHA1 signing).
    pub(crate) fn address(
        &self,
        ctx: &CallContext<'_>,
        op: &Operation,
        parts: &mut http::request::Parts,
        endpoint: &CallEndpoint,
    ) -> Result<Option<S3AuthPath>, Error> {
        let mut path_and_query = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_string(), |pq| pq.as_str().to_string());
        customize::path(ctx, op, &mut path_and_query);
        let host_prefix = parts
            .extensions
            .get::<HostPrefix>()
            .filter(|_| self.inner.session.inner.endpoints.inject_host_prefix)
            .filter(|_| customize::host_prefix(ctx, op))
            .map(|h| h.0.clone());
        let addressing = match &self.inner.endpoint {
            Source::Fixed { addressing, .. } => Some(*addressing),
            Source::Rules { .. } => None,
        };
        let bucket_in_path = op.http.request_uri.starts_with("/{Bucket}");
        let (uri, auth_path) = super::address(
            endpoint,
            addressing,
            bucket_in_path,
            &path_and_query,
            host_prefix.as_deref(),
        )?;
        parts.uri = uri;
        for (name, values) in &endpoint.headers {
            let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|e| {
                Error::Endpoint(EndpointError::BadUrl {
                    url: endpoint.url.clone(),
                    reason: format!("header {name:?}: {e}"),
                })
            })?;
            for v in values {
                if let Ok(v) = http::HeaderValue::from_str(v) {
                    parts.headers.append(name.clone(), v);
                }
            }
        }
        Ok(auth_path)
    }
}

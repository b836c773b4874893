//! Where each call goes, and how it is signed there: the one module that owns endpoints.
//!
//! - **Rule sets** (the `aws` provider, and any provider file naming `"rules"`): each
//!   service's `endpoint-rule-set-1.json` and `partitions.json` from the spec path, compiled
//!   once per session and evaluated per call by `inia_endpoint` with the call's
//!   parameters (`bind`) and the session's built-ins (`settings`), cached by parameter
//!   values. The endpoint's `authSchemes` choose the signing name, region (for `sigv4a`,
//!   the region set) and scheme: the first of `sigv4`, `sigv4a`, `none` it names; its
//!   `headers` are sent; an error rule's message becomes [`EndpointError::Rules`] before
//!   anything is sent.
//! - **Templates** (non-AWS provider files): a URL fixed per client, S3 buckets path
//!   style unless the provider asks for virtual hosts.
//! - An endpoint override (code, `AWS_ENDPOINT_URL_<SERVICE_ID>`, `AWS_ENDPOINT_URL`,
//!   the profile's `services` section, the profile's `endpoint_url`: `configured`) is
//!   the rules' `SDK::Endpoint`; with a template it replaces the template.
//!
//! Also joins the serialized path onto the endpoint URL and applies host prefixes.
//! Does not own where override values come from (the session) or signing (`inia_auth`).

pub(crate) mod bind;
pub(crate) mod configured;
pub(crate) mod settings;
mod stage;

use crate::error::Error;
use inia_auth::sign::S3AuthPath;
use inia_endpoint::{ResolveError, Resolver, Val};
use inia_model::Addressing;
use std::sync::{Arc, OnceLock};

/// An endpoint could not be resolved.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// The rule set refused the call (its own message) or could not evaluate it.
    #[error("{0}")]
    Rules(ResolveError),
    /// The endpoint names only auth schemes inia does not implement yet.
    #[error(
        "the endpoint {url} requires auth scheme {schemes}, which inia does not implement yet"
    )]
    UnsupportedAuthScheme {
        /// The endpoint.
        url: String,
        /// The schemes it names.
        schemes: String,
    },
    /// The service has no rule set on the spec path and no endpoint URL was given.
    #[error("no endpoint rule set for {service} (endpoint-rule-set-1.json beside its model on the spec path): give an endpoint URL (--endpoint-url, AWS_ENDPOINT_URL)")]
    NoRuleSet {
        /// The service.
        service: String,
    },
    /// A rule set or partitions file is malformed.
    #[error(transparent)]
    Load(#[from] inia_endpoint::LoadError),
    /// The resolved URL is not a URL.
    #[error("endpoint URL {url:?}: {reason}")]
    BadUrl {
        /// The text resolved.
        url: String,
        /// Why it is not a URL.
        reason: String,
    },
}

/// Where a client's endpoints come from.
pub(crate) enum Source {
    Rules {
        /// The rule set, loaded on the first call.
        resolver: OnceLock<Result<Arc<Resolver>, EndpointError>>,
        rules_file: String,
        partitions_file: String,
        /// The client's built-ins (region, settings, override).
        builtins: Vec<(&'static str, Val)>,
    },
    Fixed {
        url: String,
        signing_region: String,
        addressing: Addressing,
    },
}

/// The endpoint of one call.
#[derive(Debug, Clone)]
pub(crate) struct CallEndpoint {
    /// `https://host[/base]`, no trailing slash needed.
    pub(crate) url: String,
    /// Headers the endpoint asks for.
    pub(crate) headers: Vec<(String, Vec<String>)>,
    /// The auth scheme chosen (`sigv4`), when the endpoint names any.
    pub(crate) auth_scheme: Option<String>,
    /// The signing name the endpoint asks for (the model's when `None`).
    pub(crate) signing_name: Option<String>,
    /// The signing region the endpoint asks for (the session's when `None`); for `sigv4a`,
    /// its `signingRegionSet`, comma-joined.
    pub(crate) signing_region: Option<String>,
    /// The endpoint's auth schemes when inia implements none of them.
    pub(crate) unsupported_schemes: Option<String>,
    /// The chosen scheme's `disableDoubleEncoding`: sign the path as sent, encoded once
    /// and not normalized (what the S3 variant of SigV4 always does).
    pub(crate) disable_double_encoding: bool,
    /// The directory bucket of a `sigv4-s3express` endpoint (its session is per bucket).
    pub(crate) express_bucket: Option<String>,
    /// The agent string's features of the resolution: the account id endpoint mode
    /// (`P`, `Q`, `R`) and a resolved account id (`T`), as botocore registers them.
    pub(crate) features: Vec<&'static str>,
}

/// The schemes inia signs with, by their rule-set names.
const SUPPORTED_SCHEMES: &[&str] = &["sigv4", "sigv4a", "sigv4-s3express", "none"];

impl CallEndpoint {
    /// From a resolved rule-set endpoint: the first auth scheme inia implements (those the
    /// session's auth scheme preference names first). When it
    /// implements none of them, the endpoint still resolves (so a request can be
    /// prepared) and signing fails with [`EndpointError::UnsupportedAuthScheme`].
    pub(crate) fn from_rules(e: &inia_endpoint::Endpoint, preference: &[String]) -> CallEndpoint {
        let schemes = e.auth_schemes();
        let names: Vec<&str> = schemes.iter().map(|s| s.name.as_str()).collect();
        let chosen = settings::preferred(preference, &names, |n| SUPPORTED_SCHEMES.contains(&n));
        let pick = chosen.and_then(|n| schemes.iter().find(|s| s.name == n));
        let unsupported = (pick.is_none() && !schemes.is_empty()).then(|| {
            schemes
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        });
        CallEndpoint {
            url: e.url.clone(),
            headers: e.headers.clone(),
            signing_name: pick.and_then(|s| s.signing_name.clone()),
            signing_region: pick.and_then(|s| {
                s.signing_region.clone().or_else(|| {
                    (!s.signing_region_set.is_empty()).then(|| s.signing_region_set.join(","))
                })
            }),
            auth_scheme: pick.map(|s| s.name.clone()),
            unsupported_schemes: unsupported,
            disable_double_encoding: pick.is_some_and(|s| s.disable_double_encoding),
            express_bucket: None,
            features: Vec::new(),
        }
    }

    /// Signing is possible here: the endpoint names a scheme inia implements, or none.
    pub(crate) fn check_signable(&self) -> Result<(), EndpointError> {
        match &self.unsupported_schemes {
            Some(schemes) => Err(EndpointError::UnsupportedAuthScheme {
                url: self.url.clone(),
                schemes: schemes.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// Join the endpoint and a serialized path and query: the request URL. A path starting
/// with `/` is appended to the endpoint's own path (`/services/compute/?Action=..` keeps
/// its slash, as the Smithy protocol suite's `HostWithPath` cases require); an empty path
/// (S3's bucket-only path once the bucket moved into the endpoint) leaves the endpoint's
/// path as it is, `/` when it has none, as botocore joins them.
pub fn join(endpoint_url: &str, path_and_query: &str) -> String {
    let after_scheme = endpoint_url.find("://").map_or(0, |i| i + 3);
    let has_path = endpoint_url[after_scheme..].contains('/');
    if path_and_query.starts_with('/') {
        format!("{}{path_and_query}", endpoint_url.trim_end_matches('/'))
    } else if path_and_query.is_empty() || path_and_query.starts_with('?') {
        if has_path {
            format!("{endpoint_url}{path_and_query}")
        } else {
            format!("{endpoint_url}/{path_and_query}")
        }
    } else {
        format!("{}/{path_and_query}", endpoint_url.trim_end_matches('/'))
    }
}

fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[')
}

/// A bucket name usable as a DNS label.
fn dns_compatible(bucket: &str) -> bool {
    (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !bucket.starts_with('-')
        && !bucket.ends_with('-')
}

/// The request URI for a call: endpoint + path, the host prefix applied; with a fixed
/// endpoint whose provider asks for virtual hosts, the S3 bucket moved into the host
/// (then the path-style resource is returned for HMAC-SHA1 signing).
pub(crate) fn address(
    endpoint: &CallEndpoint,
    fixed_addressing: Option<Addressing>,
    s3: bool,
    path_and_query: &str,
    host_prefix: Option<&str>,
) -> Result<(http::Uri, Option<S3AuthPath>), Error> {
    let bad = |url: &str, e: &dyn std::fmt::Display| {
        Error::Endpoint(EndpointError::BadUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })
    };
    let full = join(&endpoint.url, path_and_query);
    let mut uri: http::Uri = full.parse().map_err(|e| bad(&full, &e))?;
    let mut auth_path = None;
    let base_path = endpoint
        .url
        .split_once("://")
        .is_some_and(|(_, rest)| rest.contains('/'));
    if s3 && !base_path && fixed_addressing == Some(Addressing::Virtual) {
        let host = uri.host().unwrap_or("");
        let path = uri.path();
        let bucket = path.trim_start_matches('/').split('/').next().unwrap_or("");
        if !bucket.is_empty() && dns_compatible(bucket) && !is_ip(host) {
            let rest = &path[1 + bucket.len()..];
            let rest = if rest.is_empty() { "/" } else { rest };
            let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            let scheme = uri.scheme_str().unwrap_or("https");
            let authority = uri.authority().map(|a| a.as_str()).unwrap_or("");
            auth_path = Some(S3AuthPath(path.to_string()));
            let url = format!("{scheme}://{bucket}.{authority}{rest}{query}");
            uri = url.parse().map_err(|e| bad(&url, &e))?;
        }
    }
    if let Some(prefix) = host_prefix {
        if !is_ip(uri.host().unwrap_or("")) {
            let scheme = uri.scheme_str().unwrap_or("https");
            let authority = uri.authority().map(|a| a.as_str()).unwrap_or("");
            let pq = uri.path_and_query().map_or("/", |p| p.as_str());
            let url = format!("{scheme}://{prefix}{authority}{pq}");
            uri = url.parse().map_err(|e| bad(&url, &e))?;
        }
    }
    Ok((uri, auth_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joining() {
        assert_eq!(join("https://h", "/k?x"), "https://h/k?x");
        assert_eq!(join("https://h/b", "/k"), "https://h/b/k");
        assert_eq!(join("https://h/b", ""), "https://h/b");
        assert_eq!(join("https://h/b", "?uploads"), "https://h/b?uploads");
        assert_eq!(join("https://b.h", "?uploads"), "https://b.h/?uploads");
        assert_eq!(join("https://b.h", ""), "https://b.h/");
        assert_eq!(
            join("http://h/services/compute", "/"),
            "http://h/services/compute/"
        );
    }

    #[test]
    fn a_preference_reorders_the_schemes() {
        let e = inia_endpoint::Endpoint {
            url: "https://h".into(),
            headers: vec![],
            properties: serde_json::json!({"authSchemes": [
                {"name": "sigv4a", "signingRegionSet": ["*"], "signingName": "s3"},
                {"name": "sigv4", "signingRegion": "us-west-2", "signingName": "s3"}]})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        };
        let pick = |p: &[&str]| {
            let p: Vec<String> = p.iter().map(|s| s.to_string()).collect();
            CallEndpoint::from_rules(&e, &p).auth_scheme
        };
        assert_eq!(pick(&[]).as_deref(), Some("sigv4a"));
        assert_eq!(pick(&["sigv4"]).as_deref(), Some("sigv4"));
        assert_eq!(pick(&["httpBearerAuth", "sigv4"]).as_deref(), Some("sigv4"));
        assert_eq!(pick(&["nothing"]).as_deref(), Some("sigv4a"));
    }

    #[test]
    fn the_first_implemented_scheme_is_chosen() {
        let endpoint = |schemes: serde_json::Value| inia_endpoint::Endpoint {
            url: "https://h".into(),
            headers: vec![],
            properties: serde_json::json!({ "authSchemes": schemes })
                .as_object()
                .cloned()
                .unwrap_or_default(),
        };
        // An unknown scheme first is passed over.
        let c = CallEndpoint::from_rules(
            &endpoint(serde_json::json!([
            {"name": "sigv5", "signingRegion": "us-east-1", "signingName": "s3express"},
            {"name": "sigv4", "signingRegion": "us-west-2", "signingName": "s3-outposts",
             "disableDoubleEncoding": true},
            {"name": "sigv4a", "signingRegionSet": ["*"], "signingName": "s3"}])),
            &[],
        );
        assert_eq!(c.auth_scheme.as_deref(), Some("sigv4"));
        assert_eq!(c.signing_name.as_deref(), Some("s3-outposts"));
        assert_eq!(c.signing_region.as_deref(), Some("us-west-2"));
        assert!(c.disable_double_encoding);
        assert!(c.check_signable().is_ok());
        // S3 Express: chosen, with its signing name.
        let c = CallEndpoint::from_rules(
            &endpoint(serde_json::json!([
            {"name": "sigv4-s3express", "signingRegion": "us-east-1", "signingName": "s3express",
             "disableDoubleEncoding": true}])),
            &[],
        );
        assert_eq!(c.auth_scheme.as_deref(), Some("sigv4-s3express"));
        assert_eq!(c.signing_name.as_deref(), Some("s3express"));
        assert!(c.check_signable().is_ok());
        // SigV4a first: chosen, with its region set.
        let c = CallEndpoint::from_rules(
            &endpoint(serde_json::json!([
            {"name": "sigv4a", "signingRegionSet": ["us-east-1", "us-west-2"],
             "signingName": "s3", "disableDoubleEncoding": true},
            {"name": "sigv4", "signingRegion": "us-west-2", "signingName": "s3"}])),
            &[],
        );
        assert_eq!(c.auth_scheme.as_deref(), Some("sigv4a"));
        assert_eq!(c.signing_name.as_deref(), Some("s3"));
        assert_eq!(c.signing_region.as_deref(), Some("us-east-1,us-west-2"));
        assert!(c.disable_double_encoding);
        assert!(c.check_signable().is_ok());
        // Only schemes inia lacks: resolved, but not signable.
        let c = CallEndpoint::from_rules(
            &endpoint(serde_json::json!([
            {"name": "sigv5", "signingRegion": "us-east-1"}])),
            &[],
        );
        assert_eq!(c.signing_region, None);
        assert!(c
            .check_signable()
            .unwrap_err()
            .to_string()
            .contains("sigv5"));
    }

    #[test]
    fn bucket_names() {
        assert!(dns_compatible("my-bucket-1"));
        assert!(!dns_compatible("My_Bucket"));
        assert!(!dns_compatible("a.b"));
    }
}

//! Endpoints from rule sets: botocore's `endpoint-rule-set-1.json` (the Smithy rules
//! engine) and `partitions.json`, evaluated without I/O.
//!
//! A rule set is compiled once ([`RuleSet`]); a [`Resolver`] pairs it with the
//! partitions and caches results by parameter values, so a loop of calls pays a lookup,
//! not an evaluation.
//!
//! ```
//! use inia_endpoint::{Partitions, Resolver, RuleSet, Val};
//! use std::sync::Arc;
//!
//! let rules = RuleSet::from_slice(br#"{
//!   "version": "1.0",
//!   "parameters": {
//!     "Region": {"type": "string", "builtIn": "AWS::Region", "required": true},
//!     "UseFIPS": {"type": "boolean", "builtIn": "AWS::UseFIPS", "default": false, "required": true}
//!   },
//!   "rules": [
//!     {"conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "P"},
//!                     {"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, true]}],
//!      "endpoint": {"url": "https://svc-fips.{Region}.{P#dnsSuffix}"}, "type": "endpoint"},
//!     {"conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "P"}],
//!      "endpoint": {"url": "https://svc.{Region}.{P#dnsSuffix}",
//!                   "properties": {"authSchemes": [{"name": "sigv4", "signingRegion": "{Region}"}]}},
//!      "type": "endpoint"}
//!   ]}"#, "example-rules.json")?;
//! let partitions = Partitions::from_slice(br#"{"version": "1.1", "partitions": [
//!   {"id": "aws", "regionRegex": "^(us|eu)\\-\\w+\\-\\d+$", "regions": {"us-east-1": {}},
//!    "outputs": {"name": "aws", "dnsSuffix": "amazonaws.com"}}]}"#, "partitions.json")?;
//! let resolver = Resolver::new(Arc::new(rules), Arc::new(partitions));
//!
//! let params = resolver.params([("Region", Val::from("eu-west-1"))])?;
//! let endpoint = resolver.resolve(&params)?;
//! assert_eq!(endpoint.url, "https://svc.eu-west-1.amazonaws.com");
//! assert_eq!(endpoint.auth_schemes()[0].signing_region.as_deref(), Some("eu-west-1"));
//!
//! let fips = resolver.params([("Region", Val::from("us-east-1")), ("UseFIPS", Val::from(true))])?;
//! assert_eq!(resolver.resolve(&fips)?.url, "https://svc-fips.us-east-1.amazonaws.com");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Owns the rules language (`ruleset`, `eval`, `functions`, `aws`, `url`). Does not own
//! where rule sets are found (the spec path, `inia-model`) or where parameter values come
//! from (the engine binds built-ins, client settings and operation inputs).

mod aws;
mod eval;
mod functions;
mod json;
mod ruleset;
mod url;
mod value;

pub use aws::Partitions;
pub use ruleset::{LoadError, ParamDef, ParamType, RuleSet};
pub use value::Val;

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Resolution failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// An error rule matched: its message, as the rule set words it.
    #[error("{0}")]
    Rule(String),
    /// No rule matched.
    #[error("no endpoint found for parameters: {params}")]
    NoMatch { params: String },
    /// A parameter value is missing or of the wrong type.
    #[error("endpoint parameter {name}: {message}")]
    Param { name: String, message: String },
    /// A function was given arguments it cannot take (a defect of the rule set).
    #[error("endpoint rules: {0}")]
    Function(String),
}

/// A resolved endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// The URL requests go to (the operation's path is joined onto it).
    pub url: String,
    /// Headers to send, each with its values.
    pub headers: Vec<(String, Vec<String>)>,
    /// `authSchemes` and other properties, as the rule wrote them.
    pub properties: Map<String, Value>,
}

/// One entry of an endpoint's `authSchemes`, in the order of preference.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthScheme {
    /// `sigv4`, `sigv4a`, `sigv4-s3express`, `none`...
    pub name: String,
    pub signing_name: Option<String>,
    pub signing_region: Option<String>,
    /// SigV4a's region set.
    pub signing_region_set: Vec<String>,
    pub disable_double_encoding: bool,
}

impl Endpoint {
    /// The endpoint's `authSchemes`; empty when it names none.
    pub fn auth_schemes(&self) -> Vec<AuthScheme> {
        let Some(list) = self.properties.get("authSchemes").and_then(Value::as_array) else {
            return Vec::new();
        };
        list.iter()
            .map(|s| AuthScheme {
                name: s["name"].as_str().unwrap_or_default().to_string(),
                signing_name: s["signingName"].as_str().map(str::to_string),
                signing_region: s["signingRegion"].as_str().map(str::to_string),
                signing_region_set: s["signingRegionSet"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                disable_double_encoding: s["disableDoubleEncoding"].as_bool().unwrap_or(false),
            })
            .collect()
    }
}

/// Parameter values for one resolution, in the rule set's declared order, with defaults
/// applied and checked against the declared types.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Params(Vec<Option<Val>>);

/// How many distinct parameter sets a resolver remembers; past it the cache starts over.
pub const CACHE_ENTRIES: usize = 256;

/// A rule set, its partitions, and a cache of resolutions by parameter values.
#[derive(Debug)]
pub struct Resolver {
    rules: Arc<RuleSet>,
    partitions: Arc<Partitions>,
    cache: Mutex<HashMap<Params, Result<Arc<Endpoint>, ResolveError>>>,
}

impl Resolver {
    pub fn new(rules: Arc<RuleSet>, partitions: Arc<Partitions>) -> Resolver {
        Resolver {
            rules,
            partitions,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Bind values by parameter name. Names the rule set does not declare are ignored
    /// (an SDK sets built-ins whether or not a service reads them); a parameter no rule
    /// reads is dropped, so it never splits the cache.
    pub fn params<'a>(
        &self,
        values: impl IntoIterator<Item = (&'a str, Val)>,
    ) -> Result<Params, ResolveError> {
        let defs = &self.rules.params;
        let mut out: Vec<Option<Val>> = vec![None; defs.len()];
        for (name, v) in values {
            if let Some(i) = self.rules.param_index(name) {
                out[i] = Some(v);
            }
        }
        for (d, slot) in defs.iter().zip(out.iter_mut()) {
            if !d.referenced {
                *slot = None;
                continue;
            }
            match slot {
                Some(v) if !d.kind.accepts(v) => {
                    return Err(ResolveError::Param {
                        name: d.name.clone(),
                        message: format!("must be {}, not {}", d.kind.name(), v.kind()),
                    })
                }
                Some(_) => {}
                None => match &d.default {
                    Some(v) => *slot = Some(v.clone()),
                    None if d.required => {
                        return Err(ResolveError::Param {
                            name: d.name.clone(),
                            message: "is required and has no value".into(),
                        })
                    }
                    None => {}
                },
            }
        }
        Ok(Params(out))
    }

    /// The value `params` holds for the parameter `name`, if the rule set reads it.
    pub fn param<'p>(&self, params: &'p Params, name: &str) -> Option<&'p Val> {
        let i = self.rules.param_index(name)?;
        params.0.get(i)?.as_ref()
    }

    /// Resolve without the cache.
    pub fn evaluate(&self, params: &Params) -> Result<Endpoint, ResolveError> {
        eval::evaluate(&self.rules, &self.partitions, &params.0)
    }

    /// Resolve, from the cache when these values were resolved before.
    pub fn resolve(&self, params: &Params) -> Result<Arc<Endpoint>, ResolveError> {
        if let Some(hit) = self.lock().get(params) {
            return hit.clone();
        }
        let result = self.evaluate(params).map(Arc::new);
        let mut cache = self.lock();
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(params.clone(), result.clone());
        result
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<Params, Result<Arc<Endpoint>, ResolveError>>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}

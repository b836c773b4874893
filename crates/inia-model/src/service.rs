//! One service model, loaded lazily: the text is indexed once (names to byte ranges),
//! and each operation or shape is parsed the first time it is asked for, then kept.
//!
//! Owns metadata, protocol names, and looking up operations and shapes by name. Does not
//! own finding files (see `loader`) or what a protocol does with the shapes.

use crate::error::ModelError;
use crate::shape::{Member, Operation, Shape, XmlNamespace};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// A wire protocol named in a model's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Query,
    Ec2,
    Json,
    RestJson,
    RestXml,
    RpcV2Cbor,
}

impl Protocol {
    /// The protocol named `name` as botocore spells it.
    pub fn from_name(name: &str) -> Option<Protocol> {
        Some(match name {
            "query" => Protocol::Query,
            "ec2" => Protocol::Ec2,
            "json" => Protocol::Json,
            "rest-json" => Protocol::RestJson,
            "rest-xml" => Protocol::RestXml,
            "smithy-rpc-v2-cbor" => Protocol::RpcV2Cbor,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Protocol::Query => "query",
            Protocol::Ec2 => "ec2",
            Protocol::Json => "json",
            Protocol::RestJson => "rest-json",
            Protocol::RestXml => "rest-xml",
            Protocol::RpcV2Cbor => "smithy-rpc-v2-cbor",
        }
    }
}

/// A model's `metadata` block.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub api_version: Option<String>,
    pub endpoint_prefix: Option<String>,
    pub protocol: Option<String>,
    #[serde(default)]
    pub protocols: Vec<String>,
    pub json_version: Option<String>,
    pub target_prefix: Option<String>,
    pub xml_namespace: Option<XmlNamespace>,
    pub service_id: Option<String>,
    pub service_full_name: Option<String>,
    pub service_abbreviation: Option<String>,
    pub signature_version: Option<String>,
    pub signing_name: Option<String>,
    pub global_endpoint: Option<String>,
    pub aws_query_compatible: Option<serde_json::Value>,
    pub checksum_format: Option<String>,
    #[serde(default)]
    pub auth: Vec<String>,
    pub uid: Option<String>,
}

impl Metadata {
    /// The protocols this model may be spoken with: its `protocols` list as written, else
    /// the single `protocol`. The list's order is no preference: a client picks by its own
    /// priority (botocore's, and inia's `inia_protocol::protocol`: json, rest-json,
    /// rest-xml, smithy-rpc-v2-cbor, query, ec2).
    pub fn protocol_preference(&self) -> Vec<Protocol> {
        let names: Vec<&str> = if self.protocols.is_empty() {
            self.protocol.iter().map(String::as_str).collect()
        } else {
            self.protocols.iter().map(String::as_str).collect()
        };
        names.into_iter().filter_map(Protocol::from_name).collect()
    }

    /// True when a JSON service answers errors with the code its older query API used.
    pub fn is_query_compatible(&self) -> bool {
        self.aws_query_compatible.is_some()
    }
}

/// The text a model was read from: borrowed from the binary or owned.
#[derive(Debug)]
enum Text {
    Static(&'static str),
    Owned(Box<str>),
}

impl Text {
    fn as_str(&self) -> &str {
        match self {
            Text::Static(s) => s,
            Text::Owned(s) => s,
        }
    }
}

#[derive(Debug)]
struct Lazy<T> {
    range: Range<usize>,
    parsed: OnceLock<Arc<T>>,
}

impl<T> Lazy<T> {
    fn at(range: Range<usize>) -> Self {
        Lazy {
            range,
            parsed: OnceLock::new(),
        }
    }
}

/// A service model. Cheap to share behind an `Arc`; lookups are thread-safe.
#[derive(Debug)]
pub struct ServiceModel {
    origin: String,
    text: Text,
    metadata: Metadata,
    operations: IndexMap<Box<str>, Lazy<Operation>>,
    shapes: HashMap<Box<str>, Lazy<Shape>>,
    client_context_params: IndexMap<String, ClientContextParam>,
}

#[derive(Deserialize)]
struct Index<'a> {
    #[serde(borrow)]
    metadata: Option<&'a RawValue>,
    #[serde(borrow, default)]
    operations: IndexMap<Cow<'a, str>, &'a RawValue>,
    #[serde(borrow, default)]
    shapes: HashMap<Cow<'a, str>, &'a RawValue>,
    #[serde(borrow, default, rename = "clientContextParams")]
    client_context_params: Option<&'a RawValue>,
}

/// One of a model's `clientContextParams`: a rule-set parameter set per client.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ClientContextParam {
    /// `string` or `boolean`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl ServiceModel {
    /// Index a model compiled into the binary (no copy of the text is made).
    pub fn from_static(text: &'static str, origin: &str) -> Result<Self, ModelError> {
        Self::index(Text::Static(text), origin)
    }

    /// Index a model from owned text. `origin` names it in errors (a path, usually).
    pub fn from_string(text: String, origin: &str) -> Result<Self, ModelError> {
        Self::index(Text::Owned(text.into_boxed_str()), origin)
    }

    fn index(text: Text, origin: &str) -> Result<Self, ModelError> {
        let s = text.as_str();
        let base = s.as_ptr() as usize;
        let idx: Index<'_> =
            serde_json::from_str(s).map_err(|e| ModelError::json_at(origin, s, 0, &e))?;
        let range_of = |raw: &RawValue| {
            let start = raw.get().as_ptr() as usize - base;
            start..start + raw.get().len()
        };
        let metadata: Metadata = match idx.metadata {
            Some(raw) => serde_json::from_str(raw.get())
                .map_err(|e| ModelError::json_at(origin, s, range_of(raw).start, &e))?,
            None => Metadata::default(),
        };
        if metadata.protocol.is_none() && metadata.protocols.is_empty() {
            return Err(ModelError::NoProtocol {
                origin: origin.to_string(),
            });
        }
        for name in metadata.protocols.iter().chain(metadata.protocol.iter()) {
            if Protocol::from_name(name).is_none() {
                return Err(ModelError::UnknownProtocol {
                    origin: origin.to_string(),
                    protocol: name.clone(),
                });
            }
        }
        let client_context_params = match idx.client_context_params {
            Some(raw) => serde_json::from_str(raw.get())
                .map_err(|e| ModelError::json_at(origin, s, range_of(raw).start, &e))?,
            None => IndexMap::new(),
        };
        let operations = idx
            .operations
            .iter()
            .map(|(k, v)| (Box::from(k.as_ref()), Lazy::at(range_of(v))))
            .collect();
        let shapes = idx
            .shapes
            .iter()
            .map(|(k, v)| (Box::from(k.as_ref()), Lazy::at(range_of(v))))
            .collect();
        drop(idx);
        Ok(ServiceModel {
            origin: origin.to_string(),
            text,
            metadata,
            operations,
            shapes,
            client_context_params,
        })
    }

    /// The model's `clientContextParams`: endpoint rule-set parameters set per client
    /// (S3's `Accelerate`, `DisableS3ExpressSessionAuth`...).
    pub fn client_context_params(&self) -> &IndexMap<String, ClientContextParam> {
        &self.client_context_params
    }

    /// Where the model came from, as used in error messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Operation names in model order.
    pub fn operation_names(&self) -> impl Iterator<Item = &str> {
        self.operations.keys().map(|k| &**k)
    }

    /// Number of shapes the model defines (none of them is parsed by this).
    pub fn shape_count(&self) -> usize {
        self.shapes.len()
    }

    /// Number of shapes parsed so far.
    pub fn parsed_shape_count(&self) -> usize {
        self.shapes
            .values()
            .filter(|l| l.parsed.get().is_some())
            .count()
    }

    /// The operation named `name` (exact model spelling).
    pub fn operation(&self, name: &str) -> Result<Arc<Operation>, ModelError> {
        let lazy = self
            .operations
            .get(name)
            .ok_or_else(|| ModelError::UnknownOperation {
                origin: self.origin.clone(),
                name: name.to_string(),
            })?;
        // An operation object may omit its own name; the map key is the name.
        let op = self.parse(lazy, |op: &mut Operation| {
            if op.name.is_empty() {
                op.name = name.to_string();
            }
        })?;
        Ok(op)
    }

    /// The shape named `name`, parsed on first use. `referrer` names who asked, for the
    /// error when no such shape exists.
    pub fn shape(&self, name: &str, referrer: &str) -> Result<Arc<Shape>, ModelError> {
        let lazy = self
            .shapes
            .get(name)
            .ok_or_else(|| ModelError::MissingShape {
                origin: self.origin.clone(),
                name: name.to_string(),
                referrer: referrer.to_string(),
            })?;
        self.parse(lazy, |_| {})
    }

    /// The shape a member refers to.
    pub fn target(&self, member: &Member, referrer: &str) -> Result<Arc<Shape>, ModelError> {
        self.shape(&member.shape, referrer)
    }

    /// True when the model defines a shape called `name` (nothing is parsed).
    pub fn has_shape(&self, name: &str) -> bool {
        self.shapes.contains_key(name)
    }

    /// The exception shape for an error `code`: one of the operation's errors whose
    /// code or name matches, else a shape of that name marked as an exception.
    pub fn error_shape(
        &self,
        op: &Operation,
        code: &str,
    ) -> Result<Option<(String, Arc<Shape>)>, ModelError> {
        for e in &op.errors {
            let shape = self.target(e, &op.name)?;
            if shape.error_code(&e.shape) == code || e.shape == code {
                return Ok(Some((e.shape.clone(), shape)));
            }
        }
        if self.has_shape(code) {
            let shape = self.shape(code, &op.name)?;
            if shape.exception {
                return Ok(Some((code.to_string(), shape)));
            }
        }
        Ok(None)
    }

    fn parse<T>(&self, lazy: &Lazy<T>, fix: impl FnOnce(&mut T)) -> Result<Arc<T>, ModelError>
    where
        T: for<'de> Deserialize<'de>,
    {
        if let Some(done) = lazy.parsed.get() {
            return Ok(done.clone());
        }
        let s = self.text.as_str();
        let mut parsed: T = serde_json::from_str(&s[lazy.range.clone()])
            .map_err(|e| ModelError::json_at(&self.origin, s, lazy.range.start, &e))?;
        fix(&mut parsed);
        Ok(lazy.parsed.get_or_init(|| Arc::new(parsed)).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = r#"{
      "metadata": {"protocol": "query", "apiVersion": "2020-01-01"},
      "operations": {"Op": {"name": "Op", "input": {"shape": "In"}, "documentation": "x"}},
      "shapes": {
        "In": {"type": "structure", "members": {"A": {"shape": "Str"}, "B": {"shape": "Nope"}}},
        "Str": {"type": "string", "documentation": "<p>dropped</p>"},
        "Bad": {"type": "structure",
                "members": 7}
      }
    }"#;

    #[test]
    fn shapes_are_parsed_on_demand() {
        let m = ServiceModel::from_static(MODEL, "mem").unwrap();
        assert_eq!(m.shape_count(), 3);
        assert_eq!(m.parsed_shape_count(), 0);
        let op = m.operation("Op").unwrap();
        let input = m.target(op.input.as_ref().unwrap(), "Op").unwrap();
        assert_eq!(input.members.len(), 2);
        assert_eq!(m.parsed_shape_count(), 1);
    }

    #[test]
    fn a_missing_shape_names_who_refers_to_it() {
        let m = ServiceModel::from_static(MODEL, "mem").unwrap();
        let e = m.shape("Nope", "In.B").unwrap_err().to_string();
        assert!(e.contains("`In.B` refers to shape `Nope`"), "{e}");
    }

    #[test]
    fn a_bad_shape_names_file_line_and_column() {
        let m = ServiceModel::from_static(MODEL, "mem.json").unwrap();
        let e = m.shape("Bad", "t").unwrap_err().to_string();
        assert!(e.starts_with("mem.json:8:"), "{e}");
    }

    #[test]
    fn invalid_json_names_the_position() {
        let e = ServiceModel::from_string("{\n \"metadata\": {,}".into(), "f.json")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("f.json:2:"), "{e}");
    }

    #[test]
    fn unknown_protocol_is_named() {
        let e = ServiceModel::from_string(r#"{"metadata":{"protocol":"soap"}}"#.into(), "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown protocol `soap`"), "{e}");
    }
}

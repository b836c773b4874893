//! Shapes, members and operations: the typed form of one entry of a model's `shapes`
//! or `operations` map.
//!
//! Owns the serde definitions of every trait inia reads. Does not own where the text
//! comes from or when it is parsed (see `service`), and keeps no documentation text:
//! unknown keys, `documentation` among them, are skipped while parsing.

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer};

/// The data type of a shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ShapeType {
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Float,
    Double,
    Boolean,
    Timestamp,
    Blob,
    /// A single character, kept as a string (a few legacy models).
    Character,
    Byte,
    Short,
    BigInteger,
    BigDecimal,
}

/// Where a member of an input or output structure travels in an HTTP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Location {
    Header,
    Headers,
    #[serde(rename = "querystring")]
    QueryString,
    Uri,
    StatusCode,
}

/// How a timestamp is written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum TimestampFormat {
    #[serde(rename = "iso8601")]
    Iso8601,
    #[serde(rename = "rfc822")]
    Rfc822,
    #[serde(rename = "unixTimestamp")]
    UnixTimestamp,
}

/// An XML namespace trait: `{"prefix": "p", "uri": "..."}`, or a bare URI string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlNamespace {
    pub prefix: Option<String>,
    pub uri: String,
}

impl<'de> Deserialize<'de> for XmlNamespace {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Uri(String),
            Full {
                prefix: Option<String>,
                #[serde(default)]
                uri: String,
            },
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Uri(uri) => XmlNamespace { prefix: None, uri },
            Raw::Full { prefix, uri } => XmlNamespace { prefix, uri },
        })
    }
}

/// The `error` trait of an exception shape.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorTrait {
    pub code: Option<String>,
    pub http_status_code: Option<u16>,
    #[serde(default)]
    pub sender_fault: bool,
}

/// The `retryable` trait of an exception shape.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct RetryableTrait {
    #[serde(default)]
    pub throttling: bool,
}

/// A reference from a structure member, list member, map key/value, or an operation's
/// input/output/error to a named shape, with the serialization traits set at the
/// reference. A trait set here overrides the same trait on the target shape.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub shape: String,
    pub location: Option<Location>,
    #[serde(alias = "LocationName")]
    pub location_name: Option<String>,
    pub query_name: Option<String>,
    pub flattened: Option<bool>,
    #[serde(default)]
    pub xml_attribute: bool,
    pub xml_namespace: Option<XmlNamespace>,
    pub timestamp_format: Option<TimestampFormat>,
    #[serde(default)]
    pub idempotency_token: bool,
    #[serde(default, rename = "jsonvalue")]
    pub json_value: bool,
    #[serde(default)]
    pub host_label: bool,
    #[serde(default, rename = "eventpayload")]
    pub event_payload: bool,
    #[serde(default)]
    pub streaming: bool,
    /// Query protocol: the element that wraps an operation's output.
    pub result_wrapper: Option<String>,
    /// Legacy models name an operation's payload member on its input reference.
    pub payload: Option<String>,
    /// The endpoint rule-set parameter this input member fills (S3's `Bucket`).
    pub context_param: Option<ContextParam>,
}

/// `contextParam`: the rule-set parameter an input member's value is bound to.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContextParam {
    pub name: String,
}

/// `staticContextParams`: a rule-set parameter's fixed value for one operation.
#[derive(Debug, Clone, Deserialize)]
pub struct StaticContextParam {
    pub value: serde_json::Value,
}

/// `operationContextParams`: a rule-set parameter taken from the input by a JMESPath
/// expression (`Delete.Objects[*].Key`).
#[derive(Debug, Clone, Deserialize)]
pub struct OperationContextParam {
    pub path: String,
}

/// One named shape of a model.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shape {
    #[serde(rename = "type")]
    pub kind: ShapeType,
    /// Structure members, in model order.
    #[serde(default)]
    pub members: IndexMap<String, Member>,
    /// List element.
    pub member: Option<Member>,
    /// Map key and value.
    pub key: Option<Member>,
    pub value: Option<Member>,
    #[serde(default)]
    pub required: Vec<String>,
    /// The member that is the whole HTTP body (rest protocols).
    pub payload: Option<String>,
    #[serde(default)]
    pub flattened: bool,
    pub location_name: Option<String>,
    /// Legacy models put `location` on the target shape instead of the member.
    pub location: Option<Location>,
    pub xml_namespace: Option<XmlNamespace>,
    pub timestamp_format: Option<TimestampFormat>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<serde_json::Value>>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    #[serde(default)]
    pub streaming: bool,
    #[serde(default)]
    pub eventstream: bool,
    #[serde(default)]
    pub event: bool,
    #[serde(default)]
    pub exception: bool,
    #[serde(default)]
    pub fault: bool,
    pub error: Option<ErrorTrait>,
    /// An exception the service says is worth retrying (`throttling` when it means "slow down").
    pub retryable: Option<RetryableTrait>,
    #[serde(default)]
    pub document: bool,
    #[serde(default)]
    pub union: bool,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default, rename = "jsonvalue")]
    pub json_value: bool,
    #[serde(default)]
    pub sparse: bool,
    /// Set by a few legacy models: the shape is written wrapped in its own element.
    #[serde(default)]
    pub wrapper: bool,
    /// Query protocol output shapes may name their own wrapper.
    pub result_wrapper: Option<String>,
}

impl Shape {
    /// The error code this exception shape answers to: its `error.code`, else its name.
    pub fn error_code<'a>(&'a self, name: &'a str) -> &'a str {
        self.error
            .as_ref()
            .and_then(|e| e.code.as_deref())
            .unwrap_or(name)
    }
}

/// The `http` trait of an operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpTrait {
    #[serde(default = "default_method")]
    pub method: String,
    #[serde(default = "default_uri")]
    pub request_uri: String,
    pub response_code: Option<u16>,
}

impl Default for HttpTrait {
    fn default() -> Self {
        HttpTrait {
            method: default_method(),
            request_uri: default_uri(),
            response_code: None,
        }
    }
}

fn default_method() -> String {
    "POST".to_string()
}
fn default_uri() -> String {
    "/".to_string()
}

/// The `endpoint` trait of an operation: a host prefix such as `{Bucket}.data.`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointTrait {
    pub host_prefix: Option<String>,
}

/// The `httpChecksum` trait of an operation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpChecksumTrait {
    #[serde(default)]
    pub request_checksum_required: bool,
    pub request_algorithm_member: Option<String>,
    pub request_validation_mode_member: Option<String>,
    #[serde(default)]
    pub response_algorithms: Vec<String>,
}

/// The `requestcompression` trait of an operation: encodings the service accepts.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RequestCompressionTrait {
    #[serde(default)]
    pub encodings: Vec<String>,
}

/// One operation of a model.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub http: HttpTrait,
    pub input: Option<Member>,
    pub output: Option<Member>,
    #[serde(default)]
    pub errors: Vec<Member>,
    pub endpoint: Option<EndpointTrait>,
    #[serde(rename = "authtype")]
    pub auth_type: Option<String>,
    #[serde(default)]
    pub auth: Vec<String>,
    #[serde(default)]
    pub http_checksum_required: bool,
    pub http_checksum: Option<HttpChecksumTrait>,
    #[serde(default)]
    pub unsigned_payload: bool,
    #[serde(rename = "requestcompression")]
    pub request_compression: Option<RequestCompressionTrait>,
    #[serde(default)]
    pub deprecated: bool,
    /// The operation that answers endpoint-discovery requests (DynamoDB's
    /// DescribeEndpoints).
    #[serde(default, rename = "endpointoperation")]
    pub endpoint_operation: bool,
    /// Endpoint rule-set parameters with fixed values for this operation.
    #[serde(default)]
    pub static_context_params: IndexMap<String, StaticContextParam>,
    /// Endpoint rule-set parameters taken from the input by a path expression.
    #[serde(default)]
    pub operation_context_params: IndexMap<String, OperationContextParam>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_traits_and_docs_are_read_or_skipped() {
        let m: Member = serde_json::from_str(
            r#"{"shape":"S","documentation":"<p>x</p>","location":"querystring",
                "locationName":"q","xmlNamespace":{"prefix":"a","uri":"u"}}"#,
        )
        .unwrap();
        assert_eq!(m.location, Some(Location::QueryString));
        assert_eq!(m.location_name.as_deref(), Some("q"));
        assert_eq!(m.xml_namespace.unwrap().prefix.as_deref(), Some("a"));
    }

    #[test]
    fn namespace_may_be_a_bare_uri() {
        let n: XmlNamespace = serde_json::from_str(r#""http://x/""#).unwrap();
        assert_eq!(n.uri, "http://x/");
        assert!(n.prefix.is_none());
    }

    #[test]
    fn unknown_type_is_an_error() {
        let e = serde_json::from_str::<Shape>(r#"{"type":"quaternion"}"#).unwrap_err();
        assert!(e.to_string().contains("quaternion"), "{e}");
    }
}

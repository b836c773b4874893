//! inia's wire protocols: turn (operation, params) into an HTTP request, and an HTTP
//! response into a value, for `query`, `ec2`, `json` (1.0 and 1.1), `rest-json`,
//! `rest-xml` and `smithy-rpc-v2-cbor`, driven only by the service model. No I/O happens here: requests and
//! responses are plain `http` types and bytes.
//!
//! ```
//! use inia_model::SpecPath;
//! use serde_json::json;
//!
//! let sqs = SpecPath::embedded_only().load_service("sqs")?;
//! let req = inia_protocol::serialize(&sqs, "ListQueues", &json!({"MaxResults": 5}))?;
//! assert_eq!(req.headers()["x-amz-target"], "AmazonSQS.ListQueues");
//!
//! let op = sqs.operation("ListQueues")?;
//! let body = br#"{"QueueUrls": ["http://q/1"]}"#;
//! let out = inia_protocol::parse(&sqs, &op, 200, &http::HeaderMap::new(), body)?;
//! assert_eq!(out["QueueUrls"][0], "http://q/1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Value conventions: member names as the API spells them, key order preserved;
//! timestamps and blobs as documented in [`timefmt`]; float members accept and produce
//! the strings `NaN`, `Infinity` and `-Infinity`; response metadata under
//! `ResponseMetadata`. Streaming payloads travel as the request body (given in params as
//! a base64 blob or text) and, on output, are left to the caller (see [`parse`]).
//!
//! Owns: serializing, parsing, generic XML, validation. Does not own: signing, sending,
//! endpoints.

mod cbor;
pub mod checksum;
pub mod error;
pub mod generic_xml;
mod member;
mod parse;
mod serialize;
pub mod timefmt;
pub mod validate;

pub use error::{ProtocolError, ServiceError};
pub use member::MemberRef;

use bytes::Bytes;
use inia_model::{Operation, Protocol, ServiceModel};
use serde_json::Value;

/// Parameters of a call: a JSON object keyed by the input shape's member names.
pub type Params = Value;

/// The protocols this crate speaks, most preferred first: botocore's order
/// (`PRIORITY_ORDERED_SUPPORTED_PROTOCOLS`), which [`protocol`] applies to a model's
/// `protocols` list.
pub const SUPPORTED: &[Protocol] = &[
    Protocol::Json,
    Protocol::RestJson,
    Protocol::RestXml,
    Protocol::RpcV2Cbor,
    Protocol::Query,
    Protocol::Ec2,
];

/// A request extension: the host prefix an operation's endpoint trait asks for
/// (`foo.` or `data-`), with labels filled in. The endpoint layer prepends it to the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPrefix(pub String);

/// The protocol inia will use for a model, chosen as botocore's
/// `ServiceModel.resolved_protocol` does: with a non-empty `protocols` list, the first of
/// [`SUPPORTED`] (inia's and botocore's priority order, not the list's) that the list
/// names; without one, the single `protocol`. So a model listing
/// `["smithy-rpc-v2-cbor", "json"]` is spoken in `json`, one listing only
/// `smithy-rpc-v2-cbor` in CBOR.
pub fn protocol(model: &ServiceModel) -> Result<Protocol, ProtocolError> {
    let prefs = model.metadata().protocol_preference();
    SUPPORTED
        .iter()
        .copied()
        .find(|p| prefs.contains(p))
        .ok_or_else(|| {
            let names: Vec<&str> = prefs.iter().map(|p| p.name()).collect();
            ProtocolError::Unsupported(format!(
                "{}: protocol {} is not spoken by inia yet",
                model.origin(),
                names.join(", ")
            ))
        })
}

/// Validate `params` against the operation's input shape, then serialize them.
pub fn serialize(
    model: &ServiceModel,
    operation: &str,
    params: &Value,
) -> Result<http::Request<Bytes>, ProtocolError> {
    let op = model.operation(operation)?;
    validate::validate(model, &op, params)?;
    serialize_operation(model, &op, params)
}

/// Serialization settings. The defaults are botocore's.
#[derive(Debug, Clone, Copy)]
pub struct SerializeOptions {
    /// Bodies of operations with the `requestcompression` trait are gzipped from this
    /// many bytes up (botocore's `request_min_compression_size_bytes`: 10240). `None`
    /// turns compression off.
    pub min_compression_size: Option<usize>,
    /// Makes the idempotency tokens callers leave out (a random UUID v4).
    pub idempotency_token: fn() -> String,
    /// Write a space in a `query`/`ec2` form body as `+` (what botocore sends, byte for
    /// byte; servers that re-encode the form botocore's way to check signatures, such as
    /// moto, need it) rather than `%20` (what the Smithy protocol tests spell). Both are
    /// valid form encodings. Default: `+`.
    pub form_space_as_plus: bool,
    /// Add `Content-MD5` to operations whose model requires a checksum and that carry
    /// none (what the protocol test vectors expect). The engine turns it off: its payload
    /// stage decides checksums as botocore does (a CRC32 on AWS). Default: on.
    pub required_checksum_md5: bool,
}

impl Default for SerializeOptions {
    fn default() -> Self {
        SerializeOptions {
            min_compression_size: Some(10240),
            idempotency_token: || uuid::Uuid::new_v4().to_string(),
            form_space_as_plus: true,
            required_checksum_md5: true,
        }
    }
}

/// Serialize `params` for `op` without validating them first. The request's URI holds
/// only the path and query (`/path?x=1`); the endpoint layer supplies scheme and host.
pub fn serialize_operation(
    model: &ServiceModel,
    op: &Operation,
    params: &Value,
) -> Result<http::Request<Bytes>, ProtocolError> {
    serialize_operation_with(model, op, params, &SerializeOptions::default())
}

/// [`serialize_operation`] with explicit settings.
pub fn serialize_operation_with(
    model: &ServiceModel,
    op: &Operation,
    params: &Value,
    options: &SerializeOptions,
) -> Result<http::Request<Bytes>, ProtocolError> {
    let params = serialize::fill_idempotency_tokens(model, op, params, options.idempotency_token)?;
    let params = params.as_ref();
    let protocol = protocol(model)?;
    let req = match protocol {
        Protocol::Query => serialize::query(model, op, params, false),
        Protocol::Ec2 => serialize::query(model, op, params, true),
        Protocol::Json => serialize::json(model, op, params),
        Protocol::RestJson => serialize::rest_json(model, op, params),
        Protocol::RestXml => serialize::rest_xml(model, op, params),
        Protocol::RpcV2Cbor => serialize::rpc_v2_cbor(model, op, params),
    }?;
    let req = match protocol {
        Protocol::Query | Protocol::Ec2 if options.form_space_as_plus => {
            serialize::spaces_as_plus(req)
        }
        _ => req,
    };
    serialize::finish(op, req, options)
}

/// Parsing settings. The defaults are botocore's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// In XML protocols (`query`, `ec2`, `rest-xml`), also keep the child elements a
    /// structure's shape does not describe, in every structure of the output: each
    /// converted by the generic rules ([`generic_xml`]) and named by its element, after
    /// the modeled members (an element named like one of the shape's members is never
    /// kept this way). Error values are unaffected (their `Error` already holds every
    /// element), and so are `json`, `rest-json` and `smithy-rpc-v2-cbor`, whose
    /// parsers have no generic reading. Default: off (botocore drops such elements).
    pub keep_unmodeled_xml: bool,
    /// Keep every timestamp of the output as the server sent it: XML and header text
    /// unchanged, JSON and CBOR epoch numbers as numbers, as botocore does with an
    /// identity timestamp parser (the AWS CLI's `cli_timestamp_format = wire`). Default:
    /// off (timestamps become RFC 3339 text in UTC, see [`timefmt`]).
    pub wire_timestamps: bool,
}

/// Parse an HTTP response of `op`. A success becomes the output value (with
/// `ResponseMetadata`); an error status becomes [`ProtocolError::Service`]. For an
/// operation whose output payload is a stream, the body is not read into the value.
///
/// An XML-protocol operation with no output shape gets its body by the generic rules
/// ([`generic_xml`]): for `query` the content of `<{Operation}Result>`, for `ec2` the
/// root's content without `<requestId>`, for `rest-xml` the root's content, each a map
/// (`{}` for an empty or absent body); the request id still goes to
/// `ResponseMetadata`. `json`, `rest-json` and CBOR operations without one give `{}`.
pub fn parse(
    model: &ServiceModel,
    op: &Operation,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Result<Value, ProtocolError> {
    parse_with(model, op, status, headers, body, &ParseOptions::default())
}

/// [`parse`] with explicit settings.
pub fn parse_with(
    model: &ServiceModel,
    op: &Operation,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
    options: &ParseOptions,
) -> Result<Value, ProtocolError> {
    let _wire = timefmt::WireScope::enter(options.wire_timestamps);
    parse::response(model, op, protocol(model)?, status, headers, body, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(metadata: &str) -> ServiceModel {
        let doc = format!(r#"{{"metadata": {metadata}, "operations": {{}}, "shapes": {{}}}}"#);
        ServiceModel::from_string(doc, "t").unwrap()
    }

    #[test]
    fn protocol_follows_botocores_priority_not_the_lists_order() {
        for (metadata, want) in [
            (
                r#"{"protocol": "smithy-rpc-v2-cbor", "protocols": ["smithy-rpc-v2-cbor", "json"]}"#,
                Protocol::Json,
            ),
            (
                r#"{"protocols": ["smithy-rpc-v2-cbor", "json", "query"]}"#,
                Protocol::Json,
            ),
            (
                r#"{"protocol": "json", "protocols": ["smithy-rpc-v2-cbor"]}"#,
                Protocol::RpcV2Cbor,
            ),
            (r#"{"protocols": ["query", "rest-xml"]}"#, Protocol::RestXml),
            (r#"{"protocol": "ec2"}"#, Protocol::Ec2),
            (r#"{"protocol": "query", "protocols": []}"#, Protocol::Query),
        ] {
            assert_eq!(protocol(&model(metadata)).unwrap(), want, "{metadata}");
        }
    }
}

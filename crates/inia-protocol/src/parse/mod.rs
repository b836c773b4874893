//! Parsers: an HTTP response to a value or a service error, one module per protocol family.

use crate::error::ProtocolError;
use inia_model::{Operation, Protocol, ServiceModel};
use serde_json::Value;

pub(crate) fn response(
    _m: &ServiceModel,
    _op: &Operation,
    _p: Protocol,
    _status: u16,
    _headers: &http::HeaderMap,
    _body: &[u8],
) -> Result<Value, ProtocolError> {
    Err(ProtocolError::Unsupported("parsers".into()))
}

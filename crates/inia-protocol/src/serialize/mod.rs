//! Serializers: params to an HTTP request, one module per protocol family.

use crate::error::ProtocolError;
use bytes::Bytes;
use inia_model::{Operation, ServiceModel};
use serde_json::Value;

pub(crate) fn query(
    _m: &ServiceModel,
    _op: &Operation,
    _p: &Value,
    _ec2: bool,
) -> Result<http::Request<Bytes>, ProtocolError> {
    Err(ProtocolError::Unsupported("query serializer".into()))
}
pub(crate) fn json(
    _m: &ServiceModel,
    _op: &Operation,
    _p: &Value,
) -> Result<http::Request<Bytes>, ProtocolError> {
    Err(ProtocolError::Unsupported("json serializer".into()))
}
pub(crate) fn rest_json(
    _m: &ServiceModel,
    _op: &Operation,
    _p: &Value,
) -> Result<http::Request<Bytes>, ProtocolError> {
    Err(ProtocolError::Unsupported("rest-json serializer".into()))
}
pub(crate) fn rest_xml(
    _m: &ServiceModel,
    _op: &Operation,
    _p: &Value,
) -> Result<http::Request<Bytes>, ProtocolError> {
    Err(ProtocolError::Unsupported("rest-xml serializer".into()))
}

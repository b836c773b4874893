//! Parameter validation against the input shape (stub until written).
use crate::error::ProtocolError;
use inia_model::{Operation, ServiceModel};
use serde_json::Value;

/// Check `params` against `op`'s input shape.
pub fn validate(_m: &ServiceModel, _op: &Operation, _p: &Value) -> Result<(), ProtocolError> {
    Ok(())
}

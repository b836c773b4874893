//! Errors of the protocol layer: bad parameters, malformed responses, and service errors
//! (the server answered with an error document). Owns their messages; does not own
//! retry decisions.

use inia_model::ModelError;
use serde_json::Value;

/// A service's error answer, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    /// The whole parsed error: `Error: {Code, Message, ...}`, the members of the
    /// modeled exception shape, and `ResponseMetadata`.
    pub value: Value,
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (HTTP {}): {}", self.code, self.status, self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

/// Everything that can fail while turning values into requests and responses into values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A parameter cannot be serialized: its path (`Filters[0].Values`) and why.
    #[error("invalid parameter {path}: {message}")]
    Param { path: String, message: String },
    /// Validation found one or more problems, each with its path.
    #[error("{} parameter problem(s): {}", .0.len(), crate::validate::joined(.0, "; "))]
    Validation(Vec<crate::validate::Problem>),
    /// The response could not be read: what was wrong, and the byte offset if known.
    #[error("malformed response: {message}{}", .offset.map(|o| format!(" at byte {o}")).unwrap_or_default())]
    Parse {
        message: String,
        offset: Option<usize>,
    },
    #[error("service error: {0}")]
    Service(Box<ServiceError>),
    #[error("unsupported: {0}")]
    Unsupported(String),
}

impl ProtocolError {
    pub fn param(path: impl Into<String>, message: impl Into<String>) -> Self {
        ProtocolError::Param {
            path: path.into(),
            message: message.into(),
        }
    }

    pub fn parse(message: impl Into<String>, offset: Option<usize>) -> Self {
        ProtocolError::Parse {
            message: message.into(),
            offset,
        }
    }
}

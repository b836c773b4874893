//! The engine's error: one enum over every layer's failures, so a caller can match on
//! what went wrong (the service said no; a parameter is bad; credentials or configuration
//! are missing; the network failed) without knowing which crate found it.
//!
//! Owns that classification. Does not own the layers' own messages, which it wraps.

use inia_auth::provider::CredentialsError;
use inia_auth::sign::SignError;
use inia_http::HttpError;
use inia_model::ModelError;
use inia_protocol::{ProtocolError, ServiceError};

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The service answered with an error: status, code, message, request id.
    #[error("An error occurred ({code}) when calling the {operation} operation{retries}: {message}", code = .error.code, message = .error.message, retries = retry_note(&.error.value))]
    Service {
        operation: String,
        error: Box<ServiceError>,
    },
    /// Parameters do not fit the operation's input; each problem names its path.
    #[error("parameter validation failed:\n{}", .0.join("\n"))]
    Validation(Vec<String>),
    /// A parameter could not be serialized (its path and why).
    #[error("invalid parameter {path}: {message}")]
    Param { path: String, message: String },
    /// No usable credentials, or a credential source is broken.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// Configuration is missing or wrong (region, endpoint, spec files, settings).
    #[error("{0}")]
    Config(String),
    /// No endpoint for the call: the endpoint rules refused it (their message), or a rule
    /// set is missing or malformed. Raised before anything is sent.
    #[error(transparent)]
    Endpoint(#[from] crate::endpoint::EndpointError),
    /// A spec file problem.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The request could not be signed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// Connecting, sending or receiving failed (after any retries).
    #[error(transparent)]
    Transport(#[from] HttpError),
    /// The response could not be read.
    #[error("{0}")]
    Response(String),
    /// Paging stopped on an inconsistent answer.
    #[error(transparent)]
    Pagination(#[from] crate::paginate::PaginationError),
    /// A waiter reached a failure state, or gave up.
    #[error("waiter {name} failed: {reason}")]
    Waiter { name: String, reason: String },
    /// A local file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// ` (reached max retries: N)` when the last allowed attempt failed, as botocore words
/// it.
fn retry_note(value: &serde_json::Value) -> String {
    let md = &value["ResponseMetadata"];
    match md["RetryAttempts"].as_u64() {
        Some(n) if md["MaxAttemptsReached"] == true => format!(" (reached max retries: {n})"),
        _ => String::new(),
    }
}

impl Error {
    /// The service error, if the service answered with one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The service's error code (`NoSuchBucket`), if any.
    pub fn code(&self) -> Option<&str> {
        self.service_error().map(|e| e.code.as_str())
    }

    pub(crate) fn from_protocol(operation: &str, e: ProtocolError) -> Error {
        match e {
            ProtocolError::Service(error) => Error::Service {
                operation: operation.to_string(),
                error,
            },
            ProtocolError::Validation(v) => Error::Validation(v),
            ProtocolError::Param { path, message } => Error::Param { path, message },
            ProtocolError::Model(m) => Error::Model(m),
            ProtocolError::Parse { .. } => Error::Response(e.to_string()),
            ProtocolError::Unsupported(m) => Error::Config(m),
        }
    }
}

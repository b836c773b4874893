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

/// Everything a call can fail with. New kinds of failure may be added, so a `match`
/// needs a wildcard arm.
///
/// `Debug` prints the variant's name and the `Display` text on one line (`Service:
/// An error occurred (NoSuchBucket) ...`), so an error returned from `main` reads like
/// the message it is; match on the variants or use the accessors for the parts.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error: status, code, message, request id.
    #[error("An error occurred ({code}) when calling the {operation} operation{retries}: {message}", code = .error.code, message = .error.message, retries = retry_note(&.error.value))]
    Service {
        /// The operation called.
        operation: String,
        /// The service's error: status, code, message, request id and the parsed value.
        error: Box<ServiceError>,
    },
    /// Parameters do not fit the operation's input; each problem names its path.
    #[error("parameter validation failed:\n{}", inia_protocol::validate::joined(.0, "\n"))]
    Validation(Vec<inia_protocol::validate::Problem>),
    /// A parameter could not be serialized (its path and why).
    #[error("invalid parameter {path}: {message}")]
    Param {
        /// The parameter's path (`Filters[0].Values`).
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// No usable credentials, or a credential source is broken.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// The selected profile's settings do not fit together (`role_arn` without a source,
    /// two sources).
    #[error("{message}")]
    Profile {
        /// The profile's name.
        profile: String,
        /// What is wrong, in a sentence naming the profile.
        message: String,
    },
    /// No region is configured and the endpoint needs one.
    #[error("You must specify a region (AWS_REGION, AWS_DEFAULT_REGION, a profile's region, or in code)")]
    NoRegion,
    /// A setting (an environment variable, a profile key) has a value inia cannot use.
    #[error("{message}")]
    Setting {
        /// The setting's name (`AWS_MAX_ATTEMPTS`, `addressing_style`).
        name: String,
        /// The value given.
        value: String,
        /// What is wrong, in a sentence that names both.
        message: String,
    },
    /// A configured endpoint URL is not one.
    #[error("endpoint URL {url:?} {reason}")]
    EndpointUrl {
        /// The text given.
        url: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The provider file cannot serve the request (no such service, a template it cannot
    /// fill, a bad default header).
    #[error("{message}")]
    Provider {
        /// The provider's name.
        provider: String,
        /// What is wrong, in a sentence naming the provider and where its file is.
        message: String,
    },
    /// The service has no waiter of that name.
    #[error("{service} has no waiter named {name}")]
    UnknownWaiter {
        /// The service.
        service: String,
        /// The waiter asked for.
        name: String,
    },
    /// Something the model or the call asks for that inia does not do (a protocol, a
    /// trait's setting).
    #[error("{0}")]
    Unsupported(String),
    /// A retry needs the request body again, and the body was a one-shot stream.
    #[error("the request body was already sent and cannot be re-created")]
    BodyNotReplayable,
    /// The region is not a name a region can have (one DNS label), whatever the
    /// endpoint: the text given.
    #[error("Provided region_name '{0}' doesn't match a supported format.")]
    InvalidRegion(String),
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
    Waiter {
        /// The waiter.
        name: String,
        /// Which failure state, or that it gave up.
        reason: String,
    },
    /// A typed call's parameters or output did not convert (`Client::call_as`): what
    /// was being converted, and serde's reason.
    #[error("cannot convert {what}: {message}")]
    Conversion {
        /// What was being converted.
        what: String,
        /// serde's reason.
        message: String,
    },
    /// The blocking API could not start its tokio runtime.
    #[error("cannot start the tokio runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// A local file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        #[source]
        /// What went wrong.
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

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {self}", self.kind())
    }
}

impl Error {
    /// The variant's name, for `Debug`.
    fn kind(&self) -> &'static str {
        match self {
            Error::Service { .. } => "Service",
            Error::Validation(_) => "Validation",
            Error::Param { .. } => "Param",
            Error::Credentials(_) => "Credentials",
            Error::Profile { .. } => "Profile",
            Error::NoRegion => "NoRegion",
            Error::Setting { .. } => "Setting",
            Error::EndpointUrl { .. } => "EndpointUrl",
            Error::Provider { .. } => "Provider",
            Error::UnknownWaiter { .. } => "UnknownWaiter",
            Error::Unsupported(_) => "Unsupported",
            Error::BodyNotReplayable => "BodyNotReplayable",
            Error::InvalidRegion(_) => "InvalidRegion",
            Error::Endpoint(_) => "Endpoint",
            Error::Model(_) => "Model",
            Error::Sign(_) => "Sign",
            Error::Transport(_) => "Transport",
            Error::Response(_) => "Response",
            Error::Pagination(_) => "Pagination",
            Error::Waiter { .. } => "Waiter",
            Error::Conversion { .. } => "Conversion",
            Error::Io { .. } => "Io",
            Error::Runtime(_) => "Runtime",
        }
    }

    /// The HTTP status of the service's error answer, if the service answered with one.
    pub fn status(&self) -> Option<u16> {
        self.service_error().map(|e| e.status)
    }

    /// The request id the service gave its error answer, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.service_error().and_then(|e| e.request_id.as_deref())
    }

    /// True when the service asked the caller to slow down (a throttling code, or 429).
    pub fn is_throttling(&self) -> bool {
        self.service_error().is_some_and(|e| {
            crate::retry::classify(&crate::retry::Failure::Service {
                status: e.status,
                code: &e.code,
                modeled_retryable: false,
            }) == Some(crate::retry::RetryKind::Throttling)
        })
    }

    /// True when the same call may succeed if tried again later: connection failures and
    /// timeouts, throttling, and the transient service errors the retry policy retries
    /// (`retry`'s rules; an error shape modeled as retryable is not known here).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Service { error, .. } => {
                crate::retry::classify(&crate::retry::Failure::Service {
                    status: error.status,
                    code: &error.code,
                    modeled_retryable: false,
                })
                .is_some()
            }
            Error::Transport(h) => h.is_timeout() || h.is_transient(),
            _ => false,
        }
    }

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
            ProtocolError::Unsupported(m) => Error::Unsupported(m),
            // Parse, and whatever the protocol layer adds later: the response was unusable.
            e => Error::Response(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn service(status: u16, code: &str) -> Error {
        Error::Service {
            operation: "GetObject".into(),
            error: Box::new(ServiceError {
                status,
                code: code.into(),
                message: "m".into(),
                request_id: Some("req-1".into()),
                value: json!({}),
            }),
        }
    }

    #[test]
    fn accessors_read_the_service_error() {
        let e = service(404, "NoSuchKey");
        assert_eq!(
            (e.status(), e.code(), e.request_id()),
            (Some(404), Some("NoSuchKey"), Some("req-1"))
        );
        assert!(!e.is_retryable() && !e.is_throttling());
        let e = service(400, "ThrottlingException");
        assert!(e.is_retryable() && e.is_throttling());
        let e = service(503, "ServiceUnavailable");
        assert!(e.is_retryable() && !e.is_throttling());
        let e = Error::NoRegion;
        assert_eq!((e.status(), e.request_id()), (None, None));
        assert!(!e.is_retryable());
    }

    #[test]
    fn debug_is_one_readable_line() {
        let d = format!("{:?}", service(404, "NoSuchKey"));
        assert_eq!(
            d,
            "Service: An error occurred (NoSuchKey) when calling the GetObject operation: m"
        );
    }
}

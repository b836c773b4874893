//! The command line's error: a one-line reason and the AWS CLI v2 exit code it maps to
//! (252 usage, 253 configuration or credentials, 254 service error, 255 anything else).
//!
//! Owns the mapping from engine errors to exit codes. Does not own printing (see `main`).

use inia::model::ModelError;
use inia::Error;

/// Bad command line or parameter.
pub const USAGE: i32 = 252;
/// Configuration or credentials problem.
pub const CONFIG: i32 = 253;
/// The service answered with an error.
pub const SERVICE: i32 = 254;
/// Anything else.
pub const OTHER: i32 = 255;

/// A failure with its exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError {
            code: USAGE,
            message: message.into(),
        }
    }

    pub fn other(message: impl Into<String>) -> CliError {
        CliError {
            code: OTHER,
            message: message.into(),
        }
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> CliError {
        let code = match &e {
            Error::Service { .. } => SERVICE,
            Error::Validation(_) | Error::Param { .. } => USAGE,
            Error::Credentials(_)
            | Error::Profile { .. }
            | Error::Sign(_)
            | Error::NoRegion
            | Error::Setting { .. }
            | Error::EndpointUrl { .. }
            | Error::Provider { .. }
            | Error::UnknownWaiter { .. }
            | Error::Unsupported(_) => CONFIG,
            Error::Model(
                ModelError::UnknownService { .. } | ModelError::UnknownOperation { .. },
            ) => USAGE,
            _ => OTHER,
        };
        let message = match &e {
            Error::Validation(problems) => {
                format!(
                    "Parameter validation failed: {}",
                    inia::protocol::validate::joined(problems, "; ")
                )
            }
            Error::Waiter { name, reason } => format!("Waiter {name} failed: {reason}"),
            other => other.to_string(),
        };
        // A service's message is printed as it was received, line breaks and all, as
        // AWS CLI v2 prints it; the other reasons are one line.
        let message = match &e {
            Error::Service { .. } => message.trim_end().to_string(),
            _ => one_line(&message),
        };
        CliError { code, message }
    }
}

/// Joins a multi-line message into one line.
pub fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

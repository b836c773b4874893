//! One call, built up before it is sent: [`Client::operation`] names the operation, then
//! parameters, an upload body and per-call overrides of the session's settings (the call
//! deadline, the attempt count) are added, and [`OperationCall::send`] makes the call.
//!
//! ```no_run
//! # async fn run(s3: inia::Client) -> Result<(), inia::Error> {
//! use std::time::Duration;
//!
//! let out = s3
//!     .operation("PutObject")
//!     .param("Bucket", "my-bucket")
//!     .param("Key", "notes/today.txt")
//!     .body(inia::Body::from_bytes("written today"))
//!     .timeout(Duration::from_secs(30))
//!     .max_attempts(5)
//!     .send()
//!     .await?;
//! println!("{}", out.value["ETag"]);
//! # Ok(()) }
//! ```
//!
//! Owns the builder. Does not own the call's stages (`client`).

use crate::client::{CallOptions, Output};
use crate::{Body, Client, Error};
use serde_json::{Map, Value};
use std::time::Duration;

/// A call being built; nothing is sent until [`OperationCall::send`].
#[must_use = "an operation call does nothing until `send` is awaited"]
#[derive(Debug)]
pub struct OperationCall<'a> {
    client: &'a Client,
    operation: String,
    params: Map<String, Value>,
    /// A value given with [`OperationCall::params`] that is not an object: refused at send.
    not_an_object: Option<Value>,
    body: Option<Body>,
    options: CallOptions,
}

impl Client {
    /// Start building a call of `operation` (as the API spells it, or in snake or kebab
    /// case); see [`OperationCall`].
    pub fn operation(&self, operation: &str) -> OperationCall<'_> {
        OperationCall {
            client: self,
            operation: operation.to_string(),
            params: Map::new(),
            not_an_object: None,
            body: None,
            options: CallOptions::default(),
        }
    }
}

impl OperationCall<'_> {
    /// All the parameters at once, as an object (members set before are kept unless
    /// this object sets them too).
    pub fn params(mut self, params: Value) -> Self {
        match params {
            Value::Object(map) => self.params.extend(map),
            other => self.not_an_object = Some(other),
        }
        self
    }

    /// One top-level parameter.
    pub fn param(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.params.insert(name.to_string(), value.into());
        self
    }

    /// The body of the operation's streaming payload member (S3 PutObject's `Body`).
    pub fn body(mut self, body: Body) -> Self {
        self.body = Some(body);
        self
    }

    /// A bound on this call, retries included, instead of the session's
    /// (`SessionBuilder::call_timeout`).
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.options.timeout = Some(Some(limit));
        self
    }

    /// No bound on this call's duration, whatever the session's.
    pub fn no_timeout(mut self) -> Self {
        self.options.timeout = Some(None);
        self
    }

    /// Attempts in all for this call (1: no retries), instead of the session's.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.options.max_attempts = Some(attempts.max(1));
        self
    }

    /// Send the call: the parsed result, and the download body when the operation
    /// streams one.
    pub async fn send(self) -> Result<Output, Error> {
        if let Some(v) = self.not_an_object {
            let found = v.to_string();
            return Err(Error::Validation(vec![
                inia_protocol::validate::Problem::new(
                    "",
                    "an object",
                    found.clone(),
                    format!(
                        "the parameters of {} must be an object, not {found}",
                        self.operation
                    ),
                ),
            ]));
        }
        self.client
            .send(
                &self.operation,
                Value::Object(self.params),
                self.body,
                &self.options,
            )
            .await
    }
}

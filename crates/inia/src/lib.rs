//! inia: call any cloud API described by a botocore-format JSON spec, with values in
//! and values out.
//!
//! A [`Session`] holds what every call shares (region, credentials, configuration, the
//! connection pool); [`Session::client`] gives a [`Client`] for one service, whose
//! [`call`](Client::call) takes the operation's name and its parameters as a
//! [`Value`] and returns the parsed result:
//!
//! ```no_run
//! use inia::{json, Session};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), inia::Error> {
//! let session = Session::new()?; // region, credentials, endpoint from the usual places
//! let ec2 = session.client("ec2")?;
//! let running = ec2
//!     .call(
//!         "DescribeInstances",
//!         json!({"Filters": [{"Name": "instance-state-name", "Values": ["running"]}]}),
//!     )
//!     .await?;
//! println!("{running:#}");
//!
//! // Every page added up:
//! let all = ec2.paginate_all("DescribeInstances", json!({}), None).await?;
//! println!("{} reservations", all["Reservations"].as_array().map_or(0, Vec::len));
//!
//! // Errors say what the service said:
//! match session.client("s3")?.call("HeadBucket", json!({"Bucket": "nope"})).await {
//!     Err(e) if e.status() == Some(404) => println!("no such bucket ({e})"),
//!     other => println!("{other:?}"),
//! }
//! # Ok(()) }
//! ```
//!
//! Typed results without generated code: [`Client::call_as`] and
//! [`Client::paginate_as`] deserialize into the caller's own `serde` types. The layers
//! below are re-exported for direct use: the spec files ([`model`]), the wire protocols
//! ([`protocol`]), endpoint rule sets ([`endpoint_rules`]), signing and credentials
//! ([`auth`]), the connection ([`connection`]), and [`http`] for the request and response
//! types they use:
//!
//! ```
//! use inia::model::SpecPath;
//! use inia::protocol::serialize;
//! use serde_json::json;
//!
//! let sts = SpecPath::embedded_only().load_service("sts")?;
//! let request = serialize(&sts, "GetCallerIdentity", &json!({}))?;
//! assert_eq!(request.method(), inia::http::Method::POST);
//! assert_eq!(&request.body()[..], b"Action=GetCallerIdentity&Version=2011-06-15");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Owns: the public surface. Does not own: protocol or signing details.

pub use inia_endpoint as endpoint_rules;
pub use inia_model as model;
pub use inia_protocol as protocol;

mod attempt;
mod aws_chunked;
pub mod blocking;
mod client;
mod client_pages;
mod client_wait;
mod credentials;
mod customize;
pub mod endpoint;
mod engine_calls;
mod error;
mod operation_call;
pub mod paginate;
mod payload;
mod prepare;
pub mod provider;
mod response_checksum;
mod resume_token;
pub mod retry;
mod sdk_headers;
mod session;
mod session_builder;
pub mod time;
pub mod transfer;
mod typed;
pub mod waiter;
mod wire_log;

pub use client::{Client, Output, Service};
pub use client_pages::{PageOptions, ResumeSlot};
pub use client_wait::WaitOptions;
pub use credentials::{
    assume_role, container as container_credentials, imds, login, sso, sso_login, sso_token,
    web_identity,
};
pub use error::Error;
pub use http;
pub use inia_auth as auth;
pub use inia_auth::credentials::Credentials;
pub use inia_http as connection;
pub use inia_http::{Body, ResponseBody};
pub use operation_call::OperationCall;
pub use serde_json::{json, Value};
pub use session::{Session, SessionBuilder, Transport, DEFAULT_MAX_RESPONSE_BODY};
pub use transfer::{Transfer, TransferConfig, UploadOptions};

/// The README's Rust examples, compiled by `cargo test --doc` so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeExamples;

//! inia: call any cloud API described by a botocore-format JSON spec, with values in
//! and values out.
//!
//! This crate is the facade users depend on. At this stage it re-exports the spec layer
//! ([`model`]) and the wire protocols ([`protocol`]); the session, client and transport
//! arrive with the engine.
//!
//! ```
//! use inia::model::SpecPath;
//! use inia::protocol::{serialize, Params};
//! use serde_json::json;
//!
//! let sts = SpecPath::embedded_only().load_service("sts")?;
//! let request = serialize(&sts, "GetCallerIdentity", &json!({}))?;
//! assert_eq!(request.method(), "POST");
//! assert_eq!(&request.body()[..], b"Action=GetCallerIdentity&Version=2011-06-15");
//! # let _: Option<Params> = None;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Owns: the public surface. Does not own: protocol or signing details.

pub use inia_endpoint as endpoint_rules;
pub use inia_model as model;
pub use inia_protocol as protocol;

pub mod assume_role;
pub mod blocking;
mod client;
pub mod container_credentials;
mod credentials;
mod customize;
pub mod endpoint;
mod error;
pub mod imds;
pub mod paginate;
mod paging;
mod payload;
pub mod provider;
mod resume_token;
pub mod retry;
mod session;
pub mod transfer;
pub mod waiter;
mod waiting;

pub use client::{Client, Output, Service};
pub use error::Error;
pub use inia_auth as auth;
pub use inia_auth::credentials::Credentials;
pub use inia_http as connection;
pub use inia_http::{Body, ResponseBody};
pub use paging::{PageOptions, ResumeSlot};
pub use serde_json::{json, Value};
pub use session::{Session, SessionBuilder, Transport, DEFAULT_MAX_RESPONSE_BODY};
pub use transfer::{Transfer, TransferConfig, UploadOptions};
pub use waiting::WaitOptions;

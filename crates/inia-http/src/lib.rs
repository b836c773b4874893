//! inia's Connection layer: sends `http::Request`s and returns streaming responses, with a
//! connection pool, timeouts, HTTP proxies (forwarding and `CONNECT`, with proxy
//! authentication and `NO_PROXY`), and verified TLS with optional extra CAs.
//!
//! ```no_run
//! use inia_http::{Body, HttpClient, HttpConfig};
//!
//! # async fn demo() -> Result<(), inia_http::HttpError> {
//! let client = HttpClient::new(HttpConfig::default())?;
//! let request = http::Request::get("https://sts.amazonaws.com/?Action=GetCallerIdentity")
//!     .body(Body::empty())
//!     .map_err(|e| inia_http::HttpError::InvalidRequest { detail: e.to_string() })?;
//! let response = client.send(request).await?;
//! let status = response.status();
//! let bytes = response.into_body().bytes().await?;
//! # let _ = (status, bytes);
//! # Ok(())
//! # }
//! ```
//!
//! [`HttpClient`] is also a `tower::Service<http::Request<Body>>`, so the engine's retry
//! layer wraps it; [`Body::try_clone`] tells that layer whether a request can be sent again,
//! and [`HttpError::is_transient`] whether trying again may help.
//!
//! Built on hyper 1, hyper-util's pooling client, its proxy `Matcher` and `Tunnel`, and
//! rustls (ring provider) through hyper-rustls; roots from `webpki-roots` (see `tls`).
//!
//! Owns: everything between a finished (signed) request and the response bytes. Does not
//! own: anything AWS-specific (signing, endpoints, retries, reading `AWS_CA_BUNDLE`): the
//! engine passes such settings in through [`HttpConfig`].

mod body;
mod client;
mod config;
mod connect;
mod error;
mod proxy;
mod response;
mod tls;

pub use body::Body;
pub use client::HttpClient;
pub use config::{
    HttpConfig, ProxyConfig, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_METADATA_HOSTS, DEFAULT_POOL_IDLE_TIMEOUT, DEFAULT_READ_TIMEOUT,
};
pub use error::{BoxError, HttpError};
pub use response::{BodyCheck, ResponseBody};

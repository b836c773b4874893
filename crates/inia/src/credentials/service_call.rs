//! The seam between credential sources and the engine. A source that must call a service
//! (assume-role calls STS `AssumeRole`) asks a [`ConnectService`] for a [`CallService`]
//! and calls through it, instead of building a `Session` and a `Client` itself.
//!
//! Who depends on whom: in DESIGN's terms the engine (`Session`, `Client`) sits above the
//! credential sources, since a session needs credentials before it signs its first call.
//! So the sources import nothing of the engine; they see only these traits. The engine
//! implements them (`engine_calls`: a `Client` is a [`CallService`], and its connector
//! builds an inner session and client) and hands its connector down when it assembles
//! the chain (`Session` → `provider` → `credentials::default_chain`). Tests hand down
//! their own.
//!
//! Owns the two traits and what a connection is asked for ([`ServiceConfig`]). Does not
//! own building sessions or clients, or making calls.

use crate::error::Error;
use inia_auth::config::Env;
use inia_auth::provider::ProvideCredentials;
use inia_http::HttpConfig;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The answer of [`CallService::call`]: the operation's parsed output.
pub type CallFuture<'a> = Pin<Box<dyn Future<Output = Result<Value, Error>> + Send + 'a>>;

/// One service, ready to be called: operation name and parameters in, parsed output out
/// (what `Client::call` does).
pub trait CallService: Send + Sync {
    /// Call `operation` with `params`.
    fn call<'a>(&'a self, operation: &'a str, params: Value) -> CallFuture<'a>;

    /// The URL calls go to (no operation's parameters), when known: for a page that sits
    /// beside the API, such as sso-oidc's `/authorize`. `None` unless the implementation
    /// knows it.
    fn resolved_endpoint(&self) -> Option<String> {
        None
    }
}

/// What a credential source asks the engine to connect: a service, where, and with which
/// credentials.
#[derive(Clone)]
#[non_exhaustive]
pub struct ServiceConfig {
    /// The service's name on the spec path (`sts`).
    pub service: String,
    /// The region of the client.
    pub region: String,
    /// Send calls to this URL instead of the resolved endpoint.
    pub endpoint_url: Option<String>,
    /// Connection settings (proxies, CA bundle, timeouts); the defaults when `None`.
    pub http: Option<HttpConfig>,
    /// Where the engine reads its other settings.
    pub env: Env,
    /// The credentials the calls are signed with.
    pub credentials: Arc<dyn ProvideCredentials>,
    /// Applied to every request just before it is sent (its URL final): a header that
    /// depends on the URL, such as a DPoP proof.
    pub request_hook: Option<RequestHook>,
}

/// A change made to each request of a [`ServiceConfig`]'s client as it is sent.
pub type RequestHook = Arc<dyn Fn(&mut http::Request<inia_http::Body>) + Send + Sync>;

impl std::fmt::Debug for ServiceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceConfig")
            .field("service", &self.service)
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("credentials", &self.credentials.name())
            .finish_non_exhaustive()
    }
}

/// Makes a [`CallService`] for a [`ServiceConfig`]; configuration errors (an unknown
/// service, a bad endpoint) come back now, before any call. Closures of that shape are
/// connectors too.
pub trait ConnectService: Send + Sync {
    /// The service `config` describes, ready to be called.
    fn connect(&self, config: ServiceConfig) -> Result<Arc<dyn CallService>, Error>;
}

impl<F> ConnectService for F
where
    F: Fn(ServiceConfig) -> Result<Arc<dyn CallService>, Error> + Send + Sync,
{
    fn connect(&self, config: ServiceConfig) -> Result<Arc<dyn CallService>, Error> {
        self(config)
    }
}

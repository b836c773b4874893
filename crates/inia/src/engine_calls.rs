//! The engine's side of the seam credential sources call services through
//! (`credentials::service_call`): a [`Client`] is a [`CallService`], and
//! [`SessionConnector`] makes one for a source by building an inner [`Session`] with the
//! source's region, endpoint, connection settings, environment and credentials.
//!
//! Dependencies point down: `Session` hands `SessionConnector` to `provider`, which hands
//! it to `credentials::default_chain`; the sources never import the engine. The public
//! [`AssumeRoleBuilder::build`] is defined here for the same reason: it is `build_with`
//! the engine's connector.
//!
//! Owns those implementations. Does not own the sources, the chain, or the call path
//! (`client`).

use crate::client::Client;
use crate::credentials::assume_role::{AssumeRoleBuilder, AssumeRoleProvider};
use crate::credentials::service_call::{CallFuture, CallService, ConnectService, ServiceConfig};
use crate::error::Error;
use crate::session::Session;
use serde_json::Value;
use std::sync::Arc;

impl CallService for Client {
    fn call<'a>(&'a self, operation: &'a str, params: Value) -> CallFuture<'a> {
        Box::pin(Client::call(self, operation, params))
    }

    fn resolved_endpoint(&self) -> Option<String> {
        Some(self.endpoint_url()).filter(|u| !u.is_empty())
    }
}

/// The engine's connector: an inner session built from the [`ServiceConfig`] (its
/// credentials given, so it reads no chain of its own), and its client for the service.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SessionConnector;

impl ConnectService for SessionConnector {
    fn connect(&self, config: ServiceConfig) -> Result<Arc<dyn CallService>, Error> {
        let mut builder = Session::builder()
            .region(config.region)
            .credentials_provider(config.credentials)
            .env(config.env);
        if let Some(url) = config.endpoint_url {
            builder = builder.endpoint_url(url);
        }
        if let Some(http) = config.http {
            builder = builder.http_config(http);
        }
        if let Some(hook) = config.request_hook {
            builder = builder.map_transport(move |inner| {
                use tower::ServiceExt;
                crate::session::Transport::new(inner.map_request(move |mut r| {
                    hook(&mut r);
                    r
                }))
            });
        }
        // The endpoint is resolved and the model loaded now: configuration errors show early.
        Ok(Arc::new(builder.build()?.client(&config.service)?))
    }
}

impl AssumeRoleBuilder {
    /// The provider, with the `sts` client of its inner session built now by the engine
    /// (no network is used yet).
    pub fn build(self) -> Result<AssumeRoleProvider, Error> {
        self.build_with(&SessionConnector)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inia_auth::config::Env;

    fn sso_oidc(env: Env, endpoint_url: Option<&str>) -> Arc<dyn CallService> {
        SessionConnector
            .connect(ServiceConfig {
                service: "sso-oidc".into(),
                region: "eu-west-1".into(),
                endpoint_url: endpoint_url.map(str::to_string),
                http: None,
                env,
                credentials: Arc::new(inia_auth::provider::CredentialsChain::new()),
                request_hook: None,
            })
            .unwrap()
    }

    /// The rule set's endpoint, moved by an endpoint URL given in code or in the settings.
    #[test]
    fn a_client_tells_where_its_calls_go() {
        let plain = sso_oidc(Env::empty(), None);
        assert_eq!(
            plain.resolved_endpoint().as_deref(),
            Some("https://oidc.eu-west-1.amazonaws.com")
        );
        let env = Env::empty().with_var("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9");
        let from_env = sso_oidc(env, None);
        assert_eq!(
            from_env.resolved_endpoint().as_deref(),
            Some("http://127.0.0.1:9")
        );
        let in_code = sso_oidc(Env::empty(), Some("http://127.0.0.1:8"));
        assert_eq!(
            in_code.resolved_endpoint().as_deref(),
            Some("http://127.0.0.1:8")
        );
    }
}

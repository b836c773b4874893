//! [`CredentialsChain`]: asks providers in order; the first with credentials wins.
//!
//! [`CredentialsChain::standard`] is botocore's order for the local sources:
//! environment, shared-credentials-file, credential-process, config-file, boto-config.
//! When a profile is given in code the environment provider is left out, as botocore
//! does (an explicit profile beats stray variables). Network sources (assume-role,
//! containers, instance metadata) are not here: anyone may [`push`](CredentialsChain::push)
//! or [`insert_before`](CredentialsChain::insert_before) more providers.
//!
//! A provider answering `Err` stops the chain with that error (a configured but broken
//! source is reported, not skipped). When nobody has credentials the answer is
//! [`CredentialsError::NotFound`] naming every source tried. Which provider answered is
//! logged at debug level; credentials never are.
//!
//! Owns: order and the stop rules. Does not own: caching and refresh
//! ([`super::RefreshingCredentials`]) or any one source.

use super::{
    BotoConfigProvider, CredentialsError, EnvironmentProvider, ProcessProvider,
    ProfileFileProvider, ProvideCredentials, ProvideFuture,
};
use crate::config::{Env, ProfileFiles};
use crate::credentials::Credentials;
use std::sync::Arc;

/// An ordered list of providers.
#[derive(Debug, Default)]
pub struct CredentialsChain {
    providers: Vec<Box<dyn ProvideCredentials>>,
}

impl CredentialsChain {
    pub const NAME: &'static str = "chain";

    /// A chain with no providers.
    pub fn new() -> Self {
        Self::default()
    }

    /// botocore's local chain reading `env`, for `profile` if given in code (else
    /// `AWS_PROFILE` / `AWS_DEFAULT_PROFILE` / `default`). The shared files are read when
    /// credentials are asked for.
    pub fn standard(env: Env, profile: Option<&str>) -> Self {
        Self::standard_with(env, profile, None)
    }

    /// As [`standard`](Self::standard), the shared files' sources reading `files` (loaded
    /// once by the caller) instead of reading the files again.
    pub fn standard_with(
        env: Env,
        profile: Option<&str>,
        files: Option<Arc<ProfileFiles>>,
    ) -> Self {
        let mut chain = Self::new();
        if profile.is_none() {
            chain.push(EnvironmentProvider::new(env.clone()));
        } else {
            tracing::debug!(
                "profile given in code: not looking for credentials in environment variables"
            );
        }
        let mut shared = ProfileFileProvider::credentials_file(env.clone());
        let mut process = ProcessProvider::new(env.clone());
        let mut config = ProfileFileProvider::config_file(env.clone());
        if let Some(name) = profile {
            shared = shared.with_profile(name);
            process = process.with_profile(name);
            config = config.with_profile(name);
        }
        if let Some(files) = files {
            shared = shared.with_files(files.clone());
            process = process.with_files(files.clone());
            config = config.with_files(files);
        }
        chain
            .push(shared)
            .push(process)
            .push(config)
            .push(BotoConfigProvider::new(env));
        chain
    }

    /// Add a provider at the end.
    pub fn push(&mut self, provider: impl ProvideCredentials + 'static) -> &mut Self {
        self.providers.push(Box::new(provider));
        self
    }

    /// Builder form of [`push`](Self::push).
    pub fn with(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.push(provider);
        self
    }

    /// Add a provider just before the first one named `name`; when there is none,
    /// the provider is handed back.
    pub fn insert_before<P: ProvideCredentials + 'static>(
        &mut self,
        name: &str,
        provider: P,
    ) -> Result<(), P> {
        match self.providers.iter().position(|p| p.name() == name) {
            Some(i) => {
                self.providers.insert(i, Box::new(provider));
                Ok(())
            }
            None => Err(provider),
        }
    }

    /// Remove every provider named `name`; true if one was.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.providers.len();
        self.providers.retain(|p| p.name() != name);
        self.providers.len() != before
    }

    /// The providers' names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.providers.iter().map(|p| p.name()).collect()
    }

    /// Credentials from the first provider that has them.
    pub async fn resolve(&self) -> Result<Credentials, CredentialsError> {
        for p in &self.providers {
            tracing::debug!(provider = p.name(), "looking for credentials");
            match p.provide().await {
                Ok(Some(c)) => {
                    tracing::debug!(provider = p.name(), "credentials found");
                    return Ok(c);
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::debug!(provider = p.name(), error = %e, "credential source failed");
                    return Err(e);
                }
            }
        }
        let names = self.names();
        Err(CredentialsError::NotFound(if names.is_empty() {
            "no sources configured".into()
        } else {
            names.join(", ")
        }))
    }
}

impl ProvideCredentials for CredentialsChain {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    /// `Ok(Some(..))` or `Err`: finding nothing is [`CredentialsError::NotFound`].
    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move { self.resolve().await.map(Some) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::StaticProvider;
    use futures_executor::block_on;

    #[derive(Debug)]
    struct Fixed(&'static str, Result<Option<&'static str>, ()>);

    impl ProvideCredentials for Fixed {
        fn name(&self) -> &'static str {
            self.0
        }
        fn provide(&self) -> ProvideFuture<'_> {
            let r = match self.1 {
                Ok(Some(id)) => Ok(Some(Credentials::new(id, "s", None, None, "fixed"))),
                Ok(None) => Ok(None),
                Err(()) => Err(CredentialsError::Provider {
                    source_name: self.0,
                    message: "broken".into(),
                }),
            };
            Box::pin(async move { r })
        }
    }

    #[test]
    fn first_wins_errors_stop_none_is_not_found() {
        let chain = CredentialsChain::new()
            .with(Fixed("a", Ok(None)))
            .with(Fixed("b", Ok(Some("B"))))
            .with(Fixed("c", Ok(Some("C"))));
        assert_eq!(block_on(chain.resolve()).unwrap().access_key_id(), "B");

        let chain = CredentialsChain::new()
            .with(Fixed("a", Err(())))
            .with(Fixed("b", Ok(Some("B"))));
        assert!(matches!(
            block_on(chain.resolve()),
            Err(CredentialsError::Provider {
                source_name: "a",
                ..
            })
        ));

        let chain = CredentialsChain::new()
            .with(Fixed("a", Ok(None)))
            .with(Fixed("b", Ok(None)));
        match block_on(chain.provide()) {
            Err(CredentialsError::NotFound(s)) => assert_eq!(s, "a, b"),
            other => panic!("{other:?}"),
        }
        assert!(block_on(CredentialsChain::new().resolve()).is_err());
    }

    #[test]
    fn standard_order_and_editing() {
        let env = Env::empty();
        let mut chain = CredentialsChain::standard(env.clone(), None);
        assert_eq!(
            chain.names(),
            [
                "environment",
                "shared-credentials-file",
                "credential-process",
                "config-file",
                "boto-config"
            ]
        );
        let explicit = CredentialsChain::standard(env, Some("dev"));
        assert_eq!(explicit.names()[0], "shared-credentials-file");

        let s = StaticProvider::from_keys("AK", "SK", None);
        assert!(chain
            .insert_before("shared-credentials-file", s.clone())
            .is_ok());
        assert!(chain.insert_before("nope", s).is_err());
        assert_eq!(chain.names()[1], "static");
        assert!(chain.remove("boto-config"));
        assert!(!chain.remove("boto-config"));
        assert_eq!(chain.names().len(), 5);
    }
}

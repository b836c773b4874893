//! Where credentials come from: one small trait, [`ProvideCredentials`], one provider per
//! source, and the [`chain`] that asks them in botocore's order.
//!
//! A provider answers `Ok(None)` when its source is simply not configured (no variable,
//! no file, no profile key), `Ok(Some(..))` with credentials, and `Err` when its source
//! is configured but broken (a malformed file, a failing `credential_process`): the chain
//! stops there and reports it rather than silently using a later source.
//!
//! The trait is async so network sources (instance metadata, containers, assume-role)
//! plug in later without changing it; the local providers here complete at once and need
//! no runtime.
//!
//! Every provider reads variables and `HOME` from an injected [`Env`](crate::config::Env)
//! (`Env::real()` for the process environment). [`RefreshingCredentials`] caches any
//! provider and refreshes it before expiry.

pub mod boto;
pub mod cache;
pub mod chain;
pub mod environment;
mod keys;
pub mod process;
pub mod profile_file;
pub mod static_credentials;

pub use boto::BotoConfigProvider;
pub use cache::RefreshingCredentials;
pub use chain::CredentialsChain;
pub use environment::EnvironmentProvider;
pub use process::ProcessProvider;
pub use profile_file::{ProfileFile, ProfileFileProvider};
pub use static_credentials::StaticProvider;

use crate::credentials::Credentials;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What a provider's `provide` returns.
pub type ProvideFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<Credentials>, CredentialsError>> + Send + 'a>>;

/// A source of credentials.
pub trait ProvideCredentials: Send + Sync + std::fmt::Debug {
    /// A short name for logs and errors (`environment`, `shared-credentials-file`, ...).
    fn name(&self) -> &'static str;
    /// Look for credentials.
    fn provide(&self) -> ProvideFuture<'_>;
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn provide(&self) -> ProvideFuture<'_> {
        (**self).provide()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Box<T> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn provide(&self) -> ProvideFuture<'_> {
        (**self).provide()
    }
}

/// A configured credential source that failed. Never contains a secret.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// A config or credentials file is malformed: which file, which line, what.
    #[error("{path}:{line}: {message}")]
    Malformed {
        path: String,
        line: usize,
        message: String,
    },
    /// A source is configured but incomplete or failed (e.g. a key id without a secret,
    /// `credential_process` exiting non-zero).
    #[error("{source_name}: {message}")]
    Provider {
        source_name: &'static str,
        message: String,
    },
    /// The profile asked for does not exist.
    #[error("the config profile ({0}) could not be found")]
    ProfileNotFound(String),
    /// No source in the chain had credentials.
    #[error("unable to locate credentials (looked in: {0})")]
    NotFound(String),
}

//! Finding what a command line names (service commands, their model folders, operations)
//! without a session, so that help and usage errors work with a malformed config file, no
//! credentials and no `HOME`, and fast: the spec path (`--spec-path`, `INIA_SPEC_PATH`, the
//! built-in specs) and the provider (`--provider`, `INIA_PROVIDER`, else the profile's
//! `provider` key when the config files can be read, else `aws`).
//!
//! Owns those look-ups. Does not own calls, which need the session (`run`).

use crate::error::CliError;
use crate::globals::Globals;
use crate::names::loose;
use inia::auth::config::{Env, ProfileFiles, SelectedProfile};
use inia::model::{ProviderFile, ServiceModel, SpecPath};
use std::collections::BTreeSet;

/// The high-level commands inia has beside the service commands, as `inia help` lists them.
pub const HIGH_LEVEL: &[(&str, &str)] = &[
    (
        "configure",
        "read and write the shared config and credentials files",
    ),
    (
        "s3",
        "ls, cp, mv, rm, sync, mb, rb on buckets and local files",
    ),
    ("sso", "sign in to IAM Identity Center (login, logout)"),
];

/// The spec path and the provider, read without a session.
pub struct Lookup {
    pub specs: SpecPath,
    pub provider: ProviderFile,
}

impl Lookup {
    pub fn new(g: &Globals) -> Result<Lookup, CliError> {
        let specs = SpecPath::from_env(g.spec_paths.clone());
        let env = Env::real();
        let name = g
            .provider
            .clone()
            .or_else(|| env.get_non_empty("INIA_PROVIDER").map(str::to_string))
            .or_else(|| profile_provider(g, &env))
            .unwrap_or_else(|| inia::provider::DEFAULT_PROVIDER.to_string());
        let provider = specs
            .load_provider(&name)
            .map_err(|e| CliError::from(inia::Error::from(e)))?;
        Ok(Lookup { specs, provider })
    }

    /// The service commands: the provider's services, and with a provider that binds any
    /// name (`aws`), every service model on the spec path.
    pub fn service_names(&self) -> Vec<String> {
        service_names(&self.specs, &self.provider)
    }

    /// The model folder of the service command `service`.
    pub fn folder(&self, service: &str, word: &str) -> Result<String, CliError> {
        folder(&self.specs, &self.provider, service, word)
    }

    pub fn model(&self, folder: &str) -> Result<ServiceModel, CliError> {
        self.specs
            .load_service(folder)
            .map_err(|e| CliError::from(inia::Error::from(e)))
    }
}

/// The profile's `provider` key, when the config files can be read (help does not fail
/// on a file it cannot read).
fn profile_provider(g: &Globals, env: &Env) -> Option<String> {
    let files = ProfileFiles::load(env).ok()?;
    let profile = files
        .selected(&SelectedProfile::select(g.profile.as_deref(), env))
        .ok()??;
    let v = profile.get("provider")?.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// See [`Lookup::service_names`].
pub fn service_names(specs: &SpecPath, provider: &ProviderFile) -> Vec<String> {
    let mut names: BTreeSet<String> = provider.service_names().map(str::to_string).collect();
    if provider.binds_any() {
        names.extend(specs.services());
    }
    names.into_iter().collect()
}

/// See [`Lookup::folder`]; `word` is what the user typed (`s3api` for `s3`).
pub fn folder(
    specs: &SpecPath,
    provider: &ProviderFile,
    service: &str,
    word: &str,
) -> Result<String, CliError> {
    let invalid = || {
        CliError::usage(format!(
            "argument command: Invalid choice: '{word}' (see 'inia help' for the services)"
        ))
    };
    // The provider binds the command's name to a model folder (`blob` → `azure-blob`).
    let folder = provider
        .binding(service)
        .ok_or_else(invalid)?
        .model_name(service)
        .to_string();
    if folder.contains(['/', '\\'])
        || folder.starts_with('.')
        || specs.api_version(&folder).is_err()
    {
        return Err(invalid());
    }
    Ok(folder)
}

/// The model's name of the operation `word` (any case, `-` or `_`).
pub fn operation(model: &ServiceModel, word: &str, service: &str) -> Result<String, CliError> {
    let key = loose(word);
    model
        .operation_names()
        .find(|n| loose(n) == key)
        .map(str::to_string)
        .ok_or_else(|| {
            CliError::usage(format!(
                "argument operation: Invalid choice: '{word}' (see 'inia {service} help' for the operations)"
            ))
        })
}

//! The session's default credential chain, in botocore's order: environment; assume-role
//! for a profile with `role_arn`; shared credentials file; `credential_process`; config
//! file; legacy boto config; container credentials; instance metadata (IMDSv2). The whole
//! chain is refreshed ahead of expiry, once for many callers.
//!
//! Assume-role from a profile: the source credentials come from `source_profile` (its
//! static keys, from the credentials or config file) or `credential_source`
//! (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`); `role_session_name`,
//! `external_id` and `duration_seconds` are honoured; STS is called through inia's own
//! client, in the profile's region, through the connector the session hands down.
//!
//! Dependencies point down: the engine (`Session`, `Client`) depends on the credential
//! sources, never the other way round. Sources that call a service get a
//! [`ConnectService`] (the seam in [`service_call`]) instead of importing the engine.
//!
//! Owns assembling the chain, and reading the [`Env`] settings its sources share. Does not
//! own any source: the file-based ones are
//! `inia_auth::provider`'s, the network ones are this module's children ([`imds`],
//! [`container`], [`assume_role`]; public as `inia::imds`, `inia::container_credentials`,
//! `inia::assume_role`).

pub mod assume_role;
pub mod container;
mod document;
pub mod imds;
mod imds_tree;
pub(crate) mod service_call;

use crate::error::Error;
use assume_role::AssumeRoleProvider;
use container::ContainerCredentialsProvider;
use imds::ImdsCredentialsProvider;
use inia_auth::config::{Env, ProfileFiles, SelectedProfile};
use inia_auth::provider::{
    CredentialsChain, EnvironmentProvider, ProfileFileProvider, ProvideCredentials,
    RefreshingCredentials,
};
use service_call::ConnectService;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The default chain for `profile` (given in code), reading `env`; sources that call a
/// service (assume-role) reach it through `connect`, in the session's `region`.
pub(crate) fn default_chain(
    profile: Option<&str>,
    region: Option<&str>,
    env: &Env,
    files: &Arc<ProfileFiles>,
    connect: &dyn ConnectService,
    timing: &crate::time::Timing,
) -> Result<Arc<dyn ProvideCredentials>, Error> {
    let sleep = &timing.sleep;
    let mut chain = CredentialsChain::standard_with(env.clone(), profile, Some(files.clone()));
    if let Some(assume) = profile_role(profile, region, env, files, connect, sleep)? {
        // The standard chain always has the shared-credentials-file source.
        if let Err(assume) = chain.insert_before("shared-credentials-file", assume) {
            chain.push(assume);
        }
    }
    chain.push(ContainerCredentialsProvider::from_env(env.clone()).with_sleep(sleep.clone()));
    chain.push(ImdsCredentialsProvider::from_env(env.clone()).with_sleep(sleep.clone()));
    let clock = timing.clock.clone();
    Ok(Arc::new(
        RefreshingCredentials::new(chain).with_clock(move || clock.now()),
    ))
}

/// The assume-role provider the selected profile asks for, if it names a `role_arn`.
fn profile_role(
    profile: Option<&str>,
    region: Option<&str>,
    env: &Env,
    files: &Arc<ProfileFiles>,
    connect: &dyn ConnectService,
    sleep: &Arc<dyn crate::time::Sleep>,
) -> Result<Option<AssumeRoleProvider>, Error> {
    let selected = SelectedProfile::select(profile, env);
    let Some(p) = files.selected(&selected)? else {
        return Ok(None);
    };
    let Some(role_arn) = p.get("role_arn").map(str::to_string) else {
        return Ok(None);
    };
    let source: Arc<dyn ProvideCredentials> = match (p.get("source_profile"), p.get("credential_source")) {
        (Some(src), None) => {
            let chain = CredentialsChain::new()
                .with(
                    ProfileFileProvider::credentials_file(env.clone())
                        .with_profile(src)
                        .with_files(files.clone()),
                )
                .with(
                    ProfileFileProvider::config_file(env.clone())
                        .with_profile(src)
                        .with_files(files.clone()),
                );
            Arc::new(chain)
        }
        (None, Some("Environment")) => Arc::new(EnvironmentProvider::new(env.clone())),
        (None, Some("Ec2InstanceMetadata")) => Arc::new(ImdsCredentialsProvider::from_env(env.clone()).with_sleep(sleep.clone())),
        (None, Some("EcsContainer")) => Arc::new(ContainerCredentialsProvider::from_env(env.clone()).with_sleep(sleep.clone())),
        (None, Some(other)) => {
            return Err(Error::Setting {
                name: "credential_source".into(),
                value: other.into(),
                message: format!(
                    "profile {}: credential_source {other:?} is not Environment, Ec2InstanceMetadata or EcsContainer",
                    p.name()
                ),
            })
        }
        (Some(_), Some(_)) => {
            return Err(Error::Profile {
                profile: p.name().into(),
                message: format!(
                    "profile {}: give source_profile or credential_source, not both",
                    p.name()
                ),
            })
        }
        (None, None) => {
            return Err(Error::Profile {
                profile: p.name().into(),
                message: format!(
                    "profile {}: role_arn needs a source_profile or a credential_source",
                    p.name()
                ),
            })
        }
    };
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut b = AssumeRoleProvider::builder(source, role_arn)
        .session_name(
            p.get("role_session_name")
                .map_or_else(|| format!("inia-session-{stamp}"), str::to_string),
        )
        .env(env.clone());
    if let Some(id) = p.get("external_id") {
        b = b.external_id(id);
    }
    if let Some(secs) = p.get("duration_seconds") {
        let secs: u64 = secs.trim().parse().map_err(|_| Error::Setting {
            name: "duration_seconds".into(),
            value: secs.into(),
            message: format!(
                "profile {}: duration_seconds {secs:?} is not a number",
                p.name()
            ),
        })?;
        b = b.duration(Duration::from_secs(secs));
    }
    if let Some(region) = region {
        b = b.region(region);
    }
    Ok(Some(b.build_with(connect)?))
}

/// `key` is set to `true` (any case).
pub(crate) fn env_true(env: &Env, key: &str) -> bool {
    env.get(key)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// `key`'s value, empty counting as unset.
pub(crate) fn env_var(env: &Env, key: &str) -> Option<String> {
    env.get_non_empty(key).map(str::to_string)
}

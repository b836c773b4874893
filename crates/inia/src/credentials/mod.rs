//! The session's default credential chain, in botocore's order: environment; assume-role
//! for a profile with `role_arn`; web identity (`AWS_WEB_IDENTITY_TOKEN_FILE` or the
//! profile's `web_identity_token_file`); IAM Identity Center (`sso_account_id` and
//! `sso_role_name` with an `sso_session` or the legacy keys); shared credentials file;
//! an `aws login` session (`login_session`); `credential_process`;
//! config file; legacy boto config; container credentials; instance metadata (IMDSv2).
//! The whole chain is refreshed ahead of expiry, once for many callers.
//!
//! Assume-role from a profile: the source credentials come from `credential_source`
//! (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`) or `source_profile`, resolved as
//! botocore resolves it: a role profile without keys of its own is assumed in turn (a
//! role chain, loops refused), any other profile gives its own sources (web identity, SSO,
//! the shared files, a login session, `credential_process`; not the environment). `role_session_name`,
//! `external_id` and `duration_seconds` are honoured; STS is called through inia's own
//! client, in the session's region, through the connector the session hands down.
//!
//! Dependencies point down: the engine (`Session`, `Client`) depends on the credential
//! sources, never the other way round. Sources that call a service get a
//! [`ConnectService`] (the seam in [`service_call`]) instead of importing the engine.
//!
//! Owns assembling the chain, and reading the [`Env`] settings its sources share. Does not
//! own any source: the file-based ones are
//! `inia_auth::provider`'s, the network ones are this module's children ([`imds`],
//! [`container`], [`assume_role`], [`web_identity`], [`sso`] with [`sso_token`] and
//! [`sso_login`] (its loopback redirect in `sso_redirect`), [`login`]; public as
//! `inia::imds`, `inia::container_credentials`, `inia::assume_role`, `inia::web_identity`,
//! `inia::sso`, `inia::sso_token`, `inia::sso_login`, `inia::login`).

pub mod assume_role;
pub mod container;
mod document;
pub mod imds;
mod imds_tree;
pub mod login;
pub(crate) mod service_call;
pub mod sso;
pub mod sso_login;
mod sso_redirect;
pub mod sso_token;
pub mod web_identity;

use crate::error::Error;
use assume_role::AssumeRoleProvider;
use container::ContainerCredentialsProvider;
use imds::ImdsCredentialsProvider;
use inia_auth::config::{Env, Profile, ProfileFiles, SelectedProfile};
use inia_auth::provider::{
    CredentialsChain, EnvironmentProvider, ProcessProvider, ProfileFileProvider,
    ProvideCredentials, RefreshingCredentials,
};
use login::LoginProvider;
use service_call::ConnectService;
use sso::{SsoProvider, SsoSettings};
use std::sync::Arc;
use std::time::Duration;
use web_identity::{WebIdentityProvider, WebIdentitySettings};

/// What resolving a profile's sources needs: settings, the loaded files, the engine's
/// connector for sources that call a service, the session's pauses and region.
struct Sources<'a> {
    env: &'a Env,
    files: &'a Arc<ProfileFiles>,
    connect: &'a Arc<dyn ConnectService>,
    sleep: &'a Arc<dyn crate::time::Sleep>,
    clock: &'a Arc<dyn crate::time::Clock>,
    region: Option<&'a str>,
}

/// The default chain for `profile` (given in code), reading `env`; sources that call a
/// service (assume-role, web identity) reach it through `connect`, in the session's
/// `region`.
pub(crate) fn default_chain(
    profile: Option<&str>,
    region: Option<&str>,
    env: &Env,
    files: &Arc<ProfileFiles>,
    connect: &Arc<dyn ConnectService>,
    timing: &crate::time::Timing,
) -> Result<Arc<dyn ProvideCredentials>, Error> {
    let sleep = &timing.sleep;
    let ctx = Sources {
        env,
        files,
        connect,
        sleep,
        clock: &timing.clock,
        region,
    };
    let selected = files.selected(&SelectedProfile::select(profile, env))?;
    let mut chain = CredentialsChain::standard_with(env.clone(), profile, Some(files.clone()));
    // botocore's order: environment, assume-role, web identity, then the files.
    let mut before_files: Vec<Box<dyn ProvideCredentials>> = Vec::new();
    if let Some(p) = &selected {
        let mut visited = vec![p.name().to_string()];
        if let Some(assume) = role_of(p, &ctx, &mut visited)? {
            before_files.push(Box::new(assume));
        }
    }
    if let Some(settings) = WebIdentitySettings::read(env, selected.as_ref()) {
        before_files.push(Box::new(web_identity(settings, &ctx)?));
    }
    if let Some(sso) = selected
        .as_ref()
        .map(|p| sso_of(p, &ctx))
        .transpose()?
        .flatten()
    {
        before_files.push(Box::new(sso));
    }
    for source in before_files {
        // The standard chain always has the shared-credentials-file source.
        if let Err(source) = chain.insert_before("shared-credentials-file", source) {
            chain.push(source);
        }
    }
    // A login session comes after the credentials file, before `credential_process`.
    if let Some(login) = selected.as_ref().and_then(|p| login_of(p, &ctx)) {
        if let Err(login) = chain.insert_before(ProcessProvider::NAME, login) {
            chain.push(login);
        }
    }
    chain.push(ContainerCredentialsProvider::from_env(env.clone()).with_sleep(sleep.clone()));
    chain.push(ImdsCredentialsProvider::from_env(env.clone()).with_sleep(sleep.clone()));
    let clock = timing.clock.clone();
    Ok(Arc::new(
        RefreshingCredentials::new(chain).with_clock(move || clock.now()),
    ))
}

/// The bearer-token source of the selected profile: its `sso_session`'s token (as
/// botocore's `SSOTokenProvider` reads only that form), or `None`.
pub(crate) fn sso_token_source(
    profile: Option<&Profile>,
    files: &ProfileFiles,
    env: &Env,
    clock: Arc<dyn crate::time::Clock>,
    connect: &dyn ConnectService,
) -> Result<Option<sso_token::SsoTokenProvider>, Error> {
    let Some(p) = profile.filter(|p| p.get("sso_session").is_some()) else {
        return Ok(None);
    };
    let Some(Ok((session, _scopes))) = sso_login::sign_in_target(p, files) else {
        return Ok(None);
    };
    sso_token::SsoTokenProvider::build_with(
        session,
        p.name(),
        sso_token::default_cache_dir(env),
        env,
        clock,
        connect,
    )
    .map(Some)
}

/// The login-session provider of profile `p`, when it names `login_session`.
fn login_of(p: &Profile, ctx: &Sources<'_>) -> Option<LoginProvider> {
    let session = p
        .get("login_session")
        .map(str::trim)
        .filter(|s| !s.is_empty())?;
    let region = ctx.region.unwrap_or("us-east-1");
    Some(LoginProvider::new(
        session,
        region,
        ctx.env,
        ctx.clock.clone(),
        ctx.connect.clone(),
    ))
}

/// The SSO provider of profile `p`, when it uses SSO.
fn sso_of(p: &Profile, ctx: &Sources<'_>) -> Result<Option<SsoProvider>, Error> {
    let Some(settings) = SsoSettings::read(p, ctx.files) else {
        return Ok(None);
    };
    SsoProvider::build_with(
        p.name(),
        settings,
        ctx.env,
        ctx.clock.clone(),
        &**ctx.connect,
    )
    .map(Some)
}

fn web_identity(
    settings: WebIdentitySettings,
    ctx: &Sources<'_>,
) -> Result<WebIdentityProvider, Error> {
    let region = ctx.region.unwrap_or("us-east-1");
    WebIdentityProvider::build_with(settings, region, ctx.env, &**ctx.connect)
}

/// True when `p` asks for assume-role: a `role_arn` without a web identity token file
/// (that combination is web identity's, as botocore decides).
fn is_role_profile(p: &Profile) -> bool {
    p.get("role_arn").is_some() && p.get("web_identity_token_file").is_none()
}

fn has_static_keys(p: &Profile) -> bool {
    p.get("aws_access_key_id").is_some() || p.get("aws_secret_access_key").is_some()
}

/// The assume-role provider profile `p` asks for, if it is a role profile; its source
/// resolved as botocore resolves it (`visited`: the profiles of the chain so far).
fn role_of(
    p: &Profile,
    ctx: &Sources<'_>,
    visited: &mut Vec<String>,
) -> Result<Option<AssumeRoleProvider>, Error> {
    if !is_role_profile(p) {
        return Ok(None);
    }
    let role_arn = p.get("role_arn").unwrap_or_default().to_string();
    let env = ctx.env;
    let sleep = ctx.sleep;
    let source: Arc<dyn ProvideCredentials> = match (p.get("source_profile"), p.get("credential_source")) {
        (Some(src), None) => source_profile(p.name(), src, ctx, visited)?,
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
    let mut b = AssumeRoleProvider::builder(source, role_arn).env(env.clone());
    if let Some(name) = p.get("role_session_name") {
        b = b.session_name(name);
    }
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
    if let Some(region) = ctx.region {
        b = b.region(region);
    }
    Ok(Some(b.build_with(&**ctx.connect)?))
}

/// The credentials of `src`, the `source_profile` of profile `parent`: another assumed
/// role when `src` is a role profile without keys of its own (a role chain), else the
/// profile's own sources (web identity, the shared files, `credential_process`), the
/// environment left out. A profile may name itself to take its own keys; any other
/// repetition is a loop.
fn source_profile(
    parent: &str,
    src: &str,
    ctx: &Sources<'_>,
    visited: &mut Vec<String>,
) -> Result<Arc<dyn ProvideCredentials>, Error> {
    let problem = |message: String| Error::Profile {
        profile: parent.to_string(),
        message,
    };
    let Some(sp) = ctx.files.profile(src) else {
        return Err(problem(format!(
            "the source_profile \"{src}\" referenced in the profile \"{parent}\" does not exist"
        )));
    };
    if visited.iter().any(|v| v == src) && (src != parent || !has_static_keys(&sp)) {
        return Err(problem(format!(
            "the source_profile \"{src}\" of profile \"{parent}\" makes a loop: {} -> {src}",
            visited.join(" -> ")
        )));
    }
    visited.push(src.to_string());
    if is_role_profile(&sp) && !has_static_keys(&sp) {
        if let Some(role) = role_of(&sp, ctx, visited)? {
            return Ok(Arc::new(role));
        }
    }
    let mut chain = CredentialsChain::new();
    if let Some(settings) = WebIdentitySettings::of_profile(ctx.env, &sp) {
        chain.push(web_identity(settings, ctx)?);
    }
    if let Some(sso) = sso_of(&sp, ctx)? {
        chain.push(sso);
    }
    let files = ctx.files.clone();
    chain.push(
        ProfileFileProvider::credentials_file(ctx.env.clone())
            .with_profile(src)
            .with_files(files.clone()),
    );
    if let Some(login) = login_of(&sp, ctx) {
        chain.push(login);
    }
    chain
        .push(
            ProcessProvider::new(ctx.env.clone())
                .with_profile(src)
                .with_files(files.clone()),
        )
        .push(
            ProfileFileProvider::config_file(ctx.env.clone())
                .with_profile(src)
                .with_files(files),
        );
    Ok(Arc::new(chain))
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

//! Applying a provider file (`inia_model::ProviderFile`) to a session: which provider
//! (code, then `INIA_PROVIDER`, then the profile's `provider` key, then `aws`), its
//! settings' values (environment variables, then the profile's key, then the default),
//! its credential sources, and per service the binding a client is built from: model,
//! endpoint, signer, addressing, default headers and checksums.
//!
//! Owns turning the file into values. Does not own the file format (`inia_model`) or the
//! call path (`client`).

use crate::credentials::service_call::ConnectService;
use crate::endpoint::Source as EndpointSource;
use crate::error::Error;
use crate::session::Session;
use inia_auth::config::{Env, ProfileFiles, SelectedProfile};
use inia_auth::credentials::Credentials;
use inia_auth::provider::{
    CredentialsError, ProvideCredentials, ProvideFuture, RefreshingCredentials,
};
use inia_model::{
    CredentialSource, EndpointRule, KeyNames, ProviderFile, ServiceBinding, SpecPath,
};
use std::sync::Arc;

/// The source name of the credentials an `{"anonymous": true}` source gives: requests
/// signed with them go unsigned.
pub const ANONYMOUS_SOURCE: &str = "anonymous";

/// The name of the provider used when nothing chooses one.
pub const DEFAULT_PROVIDER: &str = "aws";

/// The provider's name: given in code, else `INIA_PROVIDER`, else the profile's
/// `provider` key, else `aws`.
pub(crate) fn choose(in_code: Option<&str>, env: &Env, profile_value: Option<String>) -> String {
    in_code
        .map(str::to_string)
        .or_else(|| env.get_non_empty("INIA_PROVIDER").map(str::to_string))
        .or(profile_value)
        .unwrap_or_else(|| DEFAULT_PROVIDER.to_string())
}

/// Load the provider file `name` from the spec path.
pub(crate) fn load(specs: &SpecPath, name: &str) -> Result<Arc<ProviderFile>, Error> {
    specs.load_provider(name).map(Arc::new).map_err(Error::from)
}

/// Reads a provider's settings and profile keys.
pub(crate) struct Settings<'a> {
    pub(crate) file: &'a ProviderFile,
    pub(crate) env: &'a Env,
    pub(crate) profile: Option<&'a inia_auth::config::files::Profile>,
}

impl Settings<'_> {
    /// The value of setting `name`: its environment variables, its profile key, its
    /// default.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        let s = self.file.settings.get(name)?;
        s.env
            .iter()
            .find_map(|v| self.env.get_non_empty(v).map(str::to_string))
            .or_else(|| {
                let key = s.profile.as_deref()?;
                let v = self.profile?.get(key)?.trim();
                (!v.is_empty()).then(|| v.to_string())
            })
            .or_else(|| s.default.clone())
    }

    /// Where setting `name` may be given, for messages.
    pub(crate) fn describe(&self, name: &str) -> String {
        let Some(s) = self.file.settings.get(name) else {
            return format!("setting {name}");
        };
        let mut ways: Vec<String> = s.env.clone();
        if let Some(p) = &s.profile {
            ways.push(format!("the profile's `{p}` key"));
        }
        format!("setting `{name}` ({})", ways.join(", "))
    }
}

/// The credentials a provider file names, asked in order.
pub(crate) fn credentials(
    file: &ProviderFile,
    profile: Option<&str>,
    region: Option<&str>,
    env: &Env,
    files: &Arc<ProfileFiles>,
    connect: &Arc<dyn ConnectService>,
    timing: &crate::time::Timing,
) -> Result<Arc<dyn ProvideCredentials>, Error> {
    if file.credentials.is_empty() {
        return crate::credentials::default_chain(profile, region, env, files, connect, timing);
    }
    let mut sources = Vec::with_capacity(file.credentials.len());
    for source in &file.credentials {
        sources.push(match source {
            CredentialSource::Chain(_) => Source::Chain(crate::credentials::default_chain(
                profile, region, env, files, connect, timing,
            )?),
            other => Source::Keys(other.clone()),
        });
    }
    // Keys from variables and files don't expire: read once, then cached.
    let clock = timing.clock.clone();
    Ok(Arc::new(
        RefreshingCredentials::new(ProviderCredentials {
            provider: file.name.clone(),
            sources,
            profile: profile.map(str::to_string),
            env: env.clone(),
            files: files.clone(),
        })
        .with_clock(move || clock.now()),
    ))
}

#[derive(Debug)]
enum Source {
    Keys(CredentialSource),
    Chain(Arc<dyn ProvideCredentials>),
}

/// A provider file's credential sources: named environment variables and profile keys,
/// the AWS chain, or none (anonymous).
#[derive(Debug)]
struct ProviderCredentials {
    provider: String,
    sources: Vec<Source>,
    profile: Option<String>,
    env: Env,
    /// The shared files as the session read them.
    files: Arc<ProfileFiles>,
}

impl ProviderCredentials {
    fn keys(
        &self,
        names: &KeyNames,
        from_env: bool,
    ) -> Result<Option<Credentials>, CredentialsError> {
        let err = |message: String| CredentialsError::Provider {
            source_name: "provider-file",
            message,
        };
        let files = &self.files;
        let profile = if from_env {
            None
        } else {
            let selected = SelectedProfile::select(self.profile.as_deref(), &self.env);
            let name = selected.name().to_string();
            Some((
                files.credentials_profile(&name).cloned(),
                files.config_profile(&name).cloned(),
                name,
            ))
        };
        let get = |key: &str| -> Option<String> {
            match &profile {
                None => self.env.get_non_empty(key).map(str::to_string),
                Some((creds, config, _)) => [creds, config]
                    .into_iter()
                    .flatten()
                    .find_map(|p| p.get(key).map(str::trim).filter(|v| !v.is_empty()))
                    .map(str::to_string),
            }
        };
        let where_ = |key: &str| match &profile {
            None => format!("environment variable {key}"),
            Some((_, _, name)) => format!("key `{key}` of profile `{name}`"),
        };
        let Some(id) = get(&names.access_key_id) else {
            return Ok(None);
        };
        let Some(secret) = get(&names.secret_access_key) else {
            return Err(err(format!(
                "provider {}: {} is set but {} is not",
                self.provider,
                where_(&names.access_key_id),
                where_(&names.secret_access_key)
            )));
        };
        let token = names.session_token.as_deref().and_then(get);
        let source = if from_env {
            "provider-environment"
        } else {
            "provider-profile"
        };
        Ok(Some(Credentials::new(id, secret, token, None, source)))
    }
}

impl ProvideCredentials for ProviderCredentials {
    fn name(&self) -> &'static str {
        "provider-file"
    }

    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            // A source with a key id but no secret is reported only if no later source
            // has credentials (the Azure account variable also names the endpoint, while
            // the key may be in the profile).
            let mut partial = None;
            for source in &self.sources {
                let found = match source {
                    Source::Chain(chain) => Ok(chain.provide().await?),
                    Source::Keys(CredentialSource::Env(names)) => self.keys(names, true),
                    Source::Keys(CredentialSource::Profile(names)) => self.keys(names, false),
                    Source::Keys(CredentialSource::Anonymous(_)) => {
                        Ok(Some(Credentials::new("", "", None, None, ANONYMOUS_SOURCE)))
                    }
                    Source::Keys(CredentialSource::Chain(_)) => Ok(None),
                };
                match found {
                    Ok(Some(c)) => return Ok(Some(c)),
                    Ok(None) => {}
                    Err(e @ CredentialsError::Provider { .. }) => {
                        partial.get_or_insert(e);
                    }
                    Err(e) => return Err(e),
                }
            }
            match partial {
                Some(e) => Err(e),
                None => Ok(None),
            }
        })
    }
}

/// The endpoint URL given for `service`, if any: in code, else configured (see
/// `endpoint::configured`), for the model's service id.
pub(crate) fn endpoint_override(
    session: &Session,
    service: &str,
    model: &inia_model::ServiceModel,
) -> Result<Option<String>, Error> {
    let md = model.metadata();
    let service_id = md.service_id.as_deref().unwrap_or(service);
    session.inner.configured_endpoints.url(
        &session.inner.env,
        session.inner.endpoint_url.as_deref(),
        service_id,
    )
}

/// Where `service`'s calls go: the binding's rule sets (with any override as the rules'
/// `SDK::Endpoint`), or the override, or the binding's URL template.
pub(crate) fn endpoint_source(
    session: &Session,
    service: &str,
    model: &inia_model::ServiceModel,
    binding: &ServiceBinding,
) -> Result<EndpointSource, Error> {
    let override_url = endpoint_override(session, service, model)?;
    let region = session.inner.region.clone();
    Ok(match (&override_url, &binding.endpoint) {
        (_, EndpointRule::Rules { rules, partitions }) => {
            if region.is_none() && override_url.is_none() {
                return Err(Error::NoRegion);
            }
            EndpointSource::Rules {
                resolver: std::sync::OnceLock::new(),
                rules_file: rules.clone(),
                partitions_file: partitions.clone(),
                builtins: session.inner.endpoints.builtins(
                    crate::customize::s3_config(model),
                    region.as_deref(),
                    override_url.as_deref().map(|u| u.trim_end_matches('/')),
                ),
            }
        }
        (Some(url), EndpointRule::Template(_)) => EndpointSource::Fixed {
            url: url.trim_end_matches('/').to_string(),
            signing_region: region.unwrap_or_else(|| "us-east-1".into()),
            addressing: binding.addressing,
        },
        (None, EndpointRule::Template(t)) => EndpointSource::Fixed {
            url: template_endpoint(session, service, t)?,
            signing_region: region.unwrap_or_else(|| "us-east-1".into()),
            addressing: binding.addressing,
        },
    })
}

/// An endpoint URL from a provider's URL template: `{region}`, `{service}` and the
/// provider's settings filled in.
pub(crate) fn template_endpoint(
    session: &Session,
    service: &str,
    t: &str,
) -> Result<String, Error> {
    let file = &session.inner.provider;
    let settings = crate::provider::Settings {
        file,
        env: &session.inner.env,
        profile: session.inner.profile.as_ref(),
    };
    let region = session.inner.region.clone();
    let url = inia_model::fill_template(t, |name| match name {
        "region" => region.clone(),
        "service" => Some(service.to_string()),
        other => settings.get(other),
    })
    .map_err(|missing| {
        let needs = match missing.as_str() {
            "region" => "a region (AWS_REGION, AWS_DEFAULT_REGION, a profile's region)".to_string(),
            other => settings.describe(other),
        };
        Error::Provider {
            provider: file.name.clone(),
            message: format!(
                "provider {}: the endpoint of {service} ({t}) needs {needs}, or give an endpoint URL ({})",
                file.name, file.origin
            ),
        }
    })?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(Error::Provider {
            provider: file.name.clone(),
            message: format!(
                "provider {}: the endpoint of {service} is {url:?}, not an http:// or https:// URL",
                file.name
            ),
        });
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// The provider's default headers, checked once.
pub(crate) fn default_headers(
    session: &Session,
    binding: &ServiceBinding,
) -> Result<Vec<(http::HeaderName, http::HeaderValue)>, Error> {
    binding
        .headers
        .iter()
        .map(|(k, v)| {
            let bad = |e: &dyn std::fmt::Display| Error::Provider {
                provider: session.inner.provider.name.clone(),
                message: format!("{}: header {k:?}: {e}", session.inner.provider.origin),
            };
            Ok((
                http::HeaderName::from_bytes(k.as_bytes()).map_err(|e| bad(&e))?,
                http::HeaderValue::from_str(v).map_err(|e| bad(&e))?,
            ))
        })
        .collect()
}

/// The provider's default headers, unless the request sets them. (A provider whose
/// checksums say `md5` has its `Content-MD5` added by the payload stage, `payload`.)
pub(crate) fn apply_headers(
    headers: &[(http::HeaderName, http::HeaderValue)],
    parts: &mut http::request::Parts,
) {
    for (name, value) in headers {
        if !parts.headers.contains_key(name) {
            parts.headers.insert(name.clone(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the provider file's credential sources answer with `env` (its config files
    /// loaded as a session loads them).
    async fn provide(f: &ProviderFile, env: &Env) -> Result<Option<Credentials>, CredentialsError> {
        let files = Arc::new(ProfileFiles::load(env).unwrap());
        let connect: Arc<dyn ConnectService> = Arc::new(crate::engine_calls::SessionConnector);
        credentials(f, None, None, env, &files, &connect, &Default::default())
            .unwrap()
            .provide()
            .await
    }

    fn file(text: &str) -> ProviderFile {
        ProviderFile::parse(text, "test.json").unwrap()
    }

    /// A client reads paginators (and waiters) from its provider's model folder:
    /// `blob` under `azure-blob` pages with `azure-blob/*/paginators-1.json`.
    #[test]
    fn a_bound_service_uses_its_model_folder_for_paginators() {
        let session = crate::Session::builder()
            .provider("azure-blob")
            .endpoint_url("http://127.0.0.1:9/acct")
            .env(Env::empty())
            .build()
            .unwrap();
        let blob = session.client("blob").unwrap();
        assert_eq!(crate::Service::name(&blob), "azure-blob");
        let p = blob.paginator("ListBlobs").unwrap().expect("a paginator");
        assert_eq!(p.limit_key(), Some("MaxResults"));
        assert!(blob.paginator("GetBlob").unwrap().is_none());
    }

    #[test]
    fn the_provider_is_chosen_in_order() {
        let env = Env::empty().with_var("INIA_PROVIDER", "azure-blob");
        assert_eq!(choose(Some("x"), &env, Some("y".into())), "x");
        assert_eq!(choose(None, &env, Some("y".into())), "azure-blob");
        assert_eq!(choose(None, &Env::empty(), Some("y".into())), "y");
        assert_eq!(choose(None, &Env::empty(), None), "aws");
    }

    #[test]
    fn settings_come_from_env_then_profile_then_default() {
        let f = file(
            r#"{"format": 1, "name": "t", "settings": {
                "host": {"env": ["T_HOST", "T_HOST2"], "profile": "t_host", "default": "d"}},
                "services": {"s": {"endpoint": "http://{host}/"}}}"#,
        );
        let env = Env::empty().with_var("T_HOST2", "second");
        let s = Settings {
            file: &f,
            env: &env,
            profile: None,
        };
        assert_eq!(s.get("host").as_deref(), Some("second"));
        let env = Env::empty();
        let s = Settings {
            file: &f,
            env: &env,
            profile: None,
        };
        assert_eq!(s.get("host").as_deref(), Some("d"));
        assert!(s
            .describe("host")
            .contains("T_HOST, T_HOST2, the profile's `t_host` key"));
    }

    #[tokio::test]
    async fn credentials_from_named_variables_and_profile_keys() {
        let f = file(
            r#"{"format": 1, "name": "t",
                "credentials": [
                  {"env": {"access_key_id": "T_ACCOUNT", "secret_access_key": "T_KEY"}},
                  {"profile": {"access_key_id": "t_account", "secret_access_key": "t_key"}}],
                "services": {"s": {"endpoint": "http://h/"}}}"#,
        );
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".aws")).unwrap();
        std::fs::write(
            home.path().join(".aws/config"),
            "[default]\nt_account = fromfile\nt_key = c2VjcmV0\n",
        )
        .unwrap();
        let env = Env::empty().with_home(home.path());
        let c = provide(&f, &env).await.unwrap().unwrap();
        assert_eq!(c.access_key_id(), "fromfile");
        let env = env.with_var("T_ACCOUNT", "acct").with_var("T_KEY", "k2");
        let c = provide(&f, &env).await.unwrap().unwrap();
        assert_eq!(c.access_key_id(), "acct");
        // A key id without its secret falls through to the profile's keys...
        let env = Env::empty()
            .with_home(home.path())
            .with_var("T_ACCOUNT", "acct");
        let c = provide(&f, &env).await.unwrap().unwrap();
        assert_eq!(c.access_key_id(), "fromfile");
        // ...and is the error when no source has credentials.
        let empty_home = tempfile::tempdir().unwrap();
        let env = Env::empty()
            .with_home(empty_home.path())
            .with_var("T_ACCOUNT", "acct");
        let e = provide(&f, &env).await.unwrap_err();
        let e = e.to_string();
        assert!(
            e.contains("T_ACCOUNT is set but environment variable T_KEY is not"),
            "{e}"
        );
    }
}

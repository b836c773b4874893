//! Configured endpoint URLs: which URL, if any, replaces a service's endpoint (the rules'
//! `SDK::Endpoint`, or a provider template's URL), in botocore's order:
//!
//! 1. given in code (`--endpoint-url` on the command line);
//! 2. `AWS_ENDPOINT_URL_<SERVICE_ID>`;
//! 3. `AWS_ENDPOINT_URL`;
//! 4. the profile's `services` section: `services = name` names a `[services name]`
//!    section of the config file whose nested block for the service
//!    (`dynamodb =` / `  endpoint_url = ...`) gives the URL;
//! 5. the profile's `endpoint_url`.
//!
//! Steps 2 to 5 are skipped when `ignore_configured_endpoint_urls` is true (code, else
//! `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, else the profile's key). The service's key is
//! its model's `serviceId`, lower-cased with spaces and hyphens as underscores
//! (`api_gateway`); upper-cased for the variable (`AWS_ENDPOINT_URL_API_GATEWAY`). A
//! profile naming a services section that does not exist is an error once step 4 is
//! reached, as botocore's.
//!
//! Owns that order. Does not own reading the files (`inia_auth::config`) or what the URL
//! then does (`endpoint`).

use crate::error::Error;
use inia_auth::config::files::{Profile, ProfileFiles};
use inia_auth::config::Env;
use std::collections::BTreeMap;

/// A profile's `services` section, read when the session is built.
#[derive(Debug, Clone)]
enum Services {
    None,
    /// Service key → `endpoint_url`.
    Section(BTreeMap<String, String>),
    /// The profile names a section that is not there: an error if it is needed.
    Missing(String),
}

/// The configured endpoint URLs of a session (all but the one given in code).
#[derive(Debug, Clone)]
pub(crate) struct ConfiguredEndpoints {
    ignore: bool,
    services: Services,
    profile_url: Option<String>,
}

fn truthy(v: &str) -> bool {
    v.trim().eq_ignore_ascii_case("true")
}

impl ConfiguredEndpoints {
    /// Read from the environment, the selected profile and the config file's sections.
    /// `ignore` is the code's `ignore_configured_endpoint_urls`, if set.
    pub(crate) fn read(
        env: &Env,
        files: &ProfileFiles,
        profile: Option<&Profile>,
        ignore: Option<bool>,
    ) -> Self {
        let from_profile = |key: &str| {
            profile
                .and_then(|p| p.get(key))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let ignore = ignore.unwrap_or_else(|| {
            env.get_non_empty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
                .map(str::to_string)
                .or_else(|| from_profile("ignore_configured_endpoint_urls"))
                .is_some_and(|v| truthy(&v))
        });
        let services = match from_profile("services") {
            None => Services::None,
            Some(name) => match files.services(&name) {
                None => Services::Missing(name),
                Some(section) => Services::Section(
                    section
                        .values()
                        .keys()
                        .filter_map(|service| {
                            let url = section.nested(service)?.get("endpoint_url")?.trim();
                            (!url.is_empty()).then(|| (service.clone(), url.to_string()))
                        })
                        .collect(),
                ),
            },
        };
        ConfiguredEndpoints {
            ignore,
            services,
            profile_url: from_profile("endpoint_url"),
        }
    }

    /// The endpoint URL for the service with `service_id`: `in_code`, else the
    /// configured one (see the module's order), checked to be an http(s) URL.
    pub(crate) fn url(
        &self,
        env: &Env,
        in_code: Option<&str>,
        service_id: &str,
    ) -> Result<Option<String>, Error> {
        let url = match in_code {
            Some(u) => Some(u.to_string()),
            None if self.ignore => None,
            None => self.configured(env, service_id)?,
        };
        if let Some(u) = &url {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(Error::EndpointUrl {
                    url: u.clone(),
                    reason: "must start with http:// or https://".into(),
                });
            }
        }
        Ok(url)
    }

    fn configured(&self, env: &Env, service_id: &str) -> Result<Option<String>, Error> {
        let key = service_key(service_id);
        let env = |name: &str| env.get_non_empty(name).map(str::to_string);
        if let Some(u) = env(&format!("AWS_ENDPOINT_URL_{}", key.to_ascii_uppercase())) {
            return Ok(Some(u));
        }
        if let Some(u) = env("AWS_ENDPOINT_URL") {
            return Ok(Some(u));
        }
        match &self.services {
            Services::None => {}
            Services::Section(urls) => {
                if let Some(u) = urls.get(&key) {
                    return Ok(Some(u.clone()));
                }
            }
            Services::Missing(name) => {
                return Err(Error::Setting {
                    name: "services".into(),
                    value: name.clone(),
                    message: format!(
                        "the profile is configured to use the services section but the \
                         \"{name}\" services configuration does not exist"
                    ),
                })
            }
        }
        Ok(self.profile_url.clone())
    }
}

/// `API Gateway` → `api_gateway`: the service's key in a services section (upper-cased,
/// in `AWS_ENDPOINT_URL_<SERVICE_ID>`).
pub(crate) fn service_key(service_id: &str) -> String {
    service_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_keys() {
        assert_eq!(service_key("API Gateway"), "api_gateway");
        assert_eq!(service_key("DynamoDB"), "dynamodb");
        assert_eq!(service_key("Lex Models V2"), "lex_models_v2");
        assert_eq!(
            service_key("marketplace-agreement"),
            "marketplace_agreement"
        );
    }
}

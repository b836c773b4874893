//! The endpoint settings of a session, read once when it is built, and the rule-set
//! built-ins they give a client: `AWS::Region`, `AWS::UseFIPS`, `AWS::UseDualStack`,
//! `SDK::Endpoint`, `AWS::STS::UseGlobalEndpoint`, the `AWS::S3::*` and
//! `AWS::S3Control::UseArnRegion` settings, `AWS::Auth::AccountIdEndpointMode`.
//!
//! Sources, as botocore reads them (code first, then the environment, then the profile):
//! `AWS_USE_FIPS_ENDPOINT` / `use_fips_endpoint`, `AWS_USE_DUALSTACK_ENDPOINT` /
//! `use_dualstack_endpoint` (for S3 also the `s3` section's), `AWS_STS_REGIONAL_ENDPOINTS`
//! / `sts_regional_endpoints` (default `regional`), `AWS_ACCOUNT_ID_ENDPOINT_MODE` /
//! `account_id_endpoint_mode` (default `preferred`), `AWS_S3_US_EAST_1_REGIONAL_ENDPOINT`
//! / `s3_us_east_1_regional_endpoint` (default `legacy`), `AWS_S3_USE_ARN_REGION` /
//! `s3_use_arn_region`, `AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS`,
//! `AWS_S3_DISABLE_EXPRESS_SESSION_AUTH` / `s3_disable_express_session_auth`, and the
//! profile's nested `s3 =` section (`addressing_style`, `use_accelerate_endpoint`,
//! `use_dualstack_endpoint`, `use_arn_region`, `s3_disable_multiregion_access_points`,
//! `us_east_1_regional_endpoint`).
//!
//! `AWS::Auth::AccountId` is no setting: it is the account id of the call's credentials,
//! bound per call (`stage`), or a parameter set in code.
//!
//! Not built-ins but read here with them: the SigV4a region set (code, then
//! `AWS_SIGV4A_SIGNING_REGION_SET` / `sigv4a_signing_region_set`, comma-separated), which
//! wins over the `signingRegionSet` of an endpoint whose auth scheme is `sigv4a`; and the
//! auth scheme preference (code, then `AWS_AUTH_SCHEME_PREFERENCE` /
//! `auth_scheme_preference`: `sigv4a,sigv4,httpBearerAuth,noAuth` in any order), which
//! reorders an endpoint's auth schemes and a model's `auth` list as botocore's does.
//!
//! Owns reading and checking those settings. Does not own binding them to a rule set
//! (`bind`).

use crate::error::Error;
use inia_auth::config::files::Profile;
use inia_auth::config::Env;
use inia_endpoint::Val;

/// The regions whose STS calls go to the global endpoint under `sts_regional_endpoints =
/// legacy`.
const LEGACY_GLOBAL_STS_REGIONS: &[&str] = &[
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// Endpoint settings given in code on the session builder.
#[derive(Debug, Clone, Default)]
pub(crate) struct InCode {
    pub(crate) use_fips: Option<bool>,
    pub(crate) use_dualstack: Option<bool>,
    /// Built-ins (`AWS::S3::Accelerate`) and client context parameters (`Accelerate`),
    /// by name.
    pub(crate) params: Vec<(String, Val)>,
    pub(crate) inject_host_prefix: Option<bool>,
    /// False: no built-in comes from settings, only those set by name in code.
    pub(crate) builtins_from_settings: Option<bool>,
    /// The SigV4a region set, as given in code.
    pub(crate) sigv4a_region_set: Option<Vec<String>>,
    /// Auth scheme names, most preferred first, as given in code.
    pub(crate) auth_scheme_preference: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct S3Settings {
    addressing_style: Option<String>,
    use_accelerate: bool,
    use_dualstack: Option<bool>,
    use_arn_region: Option<bool>,
    disable_mrap: bool,
    us_east_1_regional: String,
}

/// What a session knows about endpoints.
#[derive(Debug, Clone, Default)]
pub(crate) struct EndpointSettings {
    use_fips: bool,
    use_dualstack: Option<bool>,
    sts_regional: String,
    account_id_endpoint_mode: String,
    disable_s3_express_session_auth: Option<bool>,
    s3: S3Settings,
    /// The SigV4a region set, comma-joined without spaces.
    sigv4a_region_set: Option<String>,
    /// Auth scheme names (`sigv4a`, `sigv4`, `httpBearerAuth`, `noAuth`), most preferred
    /// first; empty: the rule set's or model's order.
    pub(crate) auth_scheme_preference: Vec<String>,
    /// From code, by name; they win over everything else.
    pub(crate) params: Vec<(String, Val)>,
    /// Host prefixes (`{AccountId}.`) applied; off with `disable_host_prefix_injection`.
    pub(crate) inject_host_prefix: bool,
    /// The profile's `s3 =` section as client context (`use_arn_region`...).
    pub(crate) s3_section: Vec<(String, String)>,
    builtins_from_settings: bool,
}

fn truthy(v: &str) -> bool {
    v.trim().eq_ignore_ascii_case("true")
}

impl EndpointSettings {
    pub(crate) fn read(env: &Env, profile: Option<&Profile>, code: InCode) -> Result<Self, Error> {
        let from_profile = |key: &str| {
            profile
                .and_then(|p| p.get(key))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let get = |var: &str, key: &str| -> Option<String> {
            env.get_non_empty(var)
                .map(str::to_string)
                .or_else(|| from_profile(key).map(str::to_string))
        };
        let nested = profile.and_then(|p| p.nested("s3"));
        let s3_get = |key: &str| {
            nested
                .and_then(|n| n.get(key))
                .map(|v| v.trim().to_string())
        };
        let choice = |name: &str, v: String, allowed: &[&str]| -> Result<String, Error> {
            let v = v.to_ascii_lowercase();
            if allowed.contains(&v.as_str()) {
                Ok(v)
            } else {
                Err(Error::Setting {
                    name: name.to_string(),
                    message: format!("{name} is {v:?}: it must be one of {}", allowed.join(", ")),
                    value: v,
                })
            }
        };
        let sts_regional = choice(
            "sts_regional_endpoints",
            get("AWS_STS_REGIONAL_ENDPOINTS", "sts_regional_endpoints")
                .unwrap_or_else(|| "regional".into()),
            &["regional", "legacy"],
        )?;
        let account_id_endpoint_mode = choice(
            "account_id_endpoint_mode",
            get("AWS_ACCOUNT_ID_ENDPOINT_MODE", "account_id_endpoint_mode")
                .unwrap_or_else(|| "preferred".into()),
            &["preferred", "disabled", "required"],
        )?;
        let us_east_1_regional = choice(
            "s3 us_east_1_regional_endpoint",
            env.get_non_empty("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT")
                .map(str::to_string)
                .or_else(|| from_profile("s3_us_east_1_regional_endpoint").map(str::to_string))
                .or_else(|| s3_get("us_east_1_regional_endpoint"))
                .unwrap_or_else(|| "legacy".into()),
            &["regional", "legacy"],
        )?;
        let addressing_style = match s3_get("addressing_style") {
            Some(v) => Some(choice(
                "s3 addressing_style",
                v,
                &["auto", "virtual", "path"],
            )?),
            None => None,
        };
        let use_arn_region = env
            .get_non_empty("AWS_S3_USE_ARN_REGION")
            .map(str::to_string)
            .or_else(|| from_profile("s3_use_arn_region").map(str::to_string))
            .or_else(|| s3_get("use_arn_region"))
            .map(|v| truthy(&v));
        let s3 = S3Settings {
            addressing_style,
            use_accelerate: s3_get("use_accelerate_endpoint").is_some_and(|v| truthy(&v)),
            use_dualstack: s3_get("use_dualstack_endpoint").map(|v| truthy(&v)),
            use_arn_region,
            disable_mrap: env
                .get_non_empty("AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS")
                .map(str::to_string)
                .or_else(|| s3_get("s3_disable_multiregion_access_points"))
                .is_some_and(|v| truthy(&v)),
            us_east_1_regional,
        };
        let s3_section = nested
            .map(|n| {
                n.iter()
                    .map(|(k, v)| (k.clone(), v.trim().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let inject_host_prefix = code.inject_host_prefix.unwrap_or_else(|| {
            !get(
                "AWS_DISABLE_HOST_PREFIX_INJECTION",
                "disable_host_prefix_injection",
            )
            .is_some_and(|v| truthy(&v))
        });
        Ok(EndpointSettings {
            use_fips: code.use_fips.unwrap_or_else(|| {
                get("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint").is_some_and(|v| truthy(&v))
            }),
            use_dualstack: code.use_dualstack.or_else(|| {
                get("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint").map(|v| truthy(&v))
            }),
            sts_regional,
            account_id_endpoint_mode,
            disable_s3_express_session_auth: get(
                "AWS_S3_DISABLE_EXPRESS_SESSION_AUTH",
                "s3_disable_express_session_auth",
            )
            .map(|v| truthy(&v)),
            s3,
            sigv4a_region_set: match code.sigv4a_region_set {
                Some(set) => region_set(&set.join(",")),
                None => get("AWS_SIGV4A_SIGNING_REGION_SET", "sigv4a_signing_region_set")
                    .and_then(|v| region_set(&v)),
            },
            auth_scheme_preference: match code.auth_scheme_preference {
                Some(list) => list,
                None => get("AWS_AUTH_SCHEME_PREFERENCE", "auth_scheme_preference")
                    .map(|v| scheme_list(&v))
                    .unwrap_or_default(),
            },
            params: code.params,
            inject_host_prefix,
            s3_section,
            builtins_from_settings: code.builtins_from_settings.unwrap_or(true),
        })
    }

    /// The built-ins for a client of a service; `s3_config`: the profile's `s3 =` section
    /// configures it (`customize::s3_config`), so its `use_dualstack_endpoint` counts.
    pub(crate) fn builtins(
        &self,
        s3_config: bool,
        region: Option<&str>,
        override_url: Option<&str>,
    ) -> Vec<(&'static str, Val)> {
        let mut out: Vec<(&'static str, Val)> = Vec::with_capacity(16);
        if !self.builtins_from_settings {
            return out;
        }
        if let Some(r) = region {
            out.push(("AWS::Region", Val::str(r)));
        }
        let dualstack = if s3_config {
            self.s3.use_dualstack.or(self.use_dualstack)
        } else {
            self.use_dualstack
        };
        out.push((
            "AWS::UseFIPS",
            Val::Bool(override_url.is_none() && self.use_fips),
        ));
        out.push((
            "AWS::UseDualStack",
            Val::Bool(override_url.is_none() && dualstack.unwrap_or(false)),
        ));
        if let Some(u) = override_url {
            out.push(("SDK::Endpoint", Val::str(u)));
        }
        out.push((
            "AWS::STS::UseGlobalEndpoint",
            Val::Bool(
                override_url.is_none()
                    && self.sts_regional == "legacy"
                    && region.is_some_and(|r| LEGACY_GLOBAL_STS_REGIONS.contains(&r)),
            ),
        ));
        out.push((
            "AWS::S3::UseGlobalEndpoint",
            Val::Bool(
                self.s3.us_east_1_regional == "legacy" && region.is_none_or(|r| r == "us-east-1"),
            ),
        ));
        out.push(("AWS::S3::Accelerate", Val::Bool(self.s3.use_accelerate)));
        let style = self.s3.addressing_style.as_deref();
        let force_path = if self.s3.use_accelerate {
            false
        } else if override_url.is_some_and(|u| !is_s3_accelerate_url(u)) {
            style != Some("virtual")
        } else {
            style == Some("path")
        };
        out.push(("AWS::S3::ForcePathStyle", Val::Bool(force_path)));
        out.push((
            "AWS::S3::UseArnRegion",
            Val::Bool(self.s3.use_arn_region.unwrap_or(true)),
        ));
        out.push((
            "AWS::S3Control::UseArnRegion",
            Val::Bool(self.s3.use_arn_region.unwrap_or(false)),
        ));
        out.push((
            "AWS::S3::DisableMultiRegionAccessPoints",
            Val::Bool(self.s3.disable_mrap),
        ));
        if let Some(d) = self.disable_s3_express_session_auth {
            out.push(("AWS::S3::DisableS3ExpressSessionAuth", Val::Bool(d)));
        }
        out.push((
            "AWS::Auth::AccountIdEndpointMode",
            Val::str(&self.account_id_endpoint_mode),
        ));
        out
    }

    /// The SigV4a region set the environment or profile gives, comma-joined.
    pub(crate) fn sigv4a_region_set(&self) -> Option<&str> {
        self.sigv4a_region_set.as_deref()
    }

    /// False when code asked that no built-in come from settings (nor credentials).
    pub(crate) fn builtins_from_settings(&self) -> bool {
        self.builtins_from_settings
    }

    /// Client context for S3 and S3 Control from the settings that share a name with a
    /// client context parameter (`snake` case), as botocore merges its `s3` config.
    pub(crate) fn s3_client_context(&self, snake: &str) -> Option<Val> {
        match snake {
            "use_arn_region" => self.s3.use_arn_region.map(Val::Bool),
            "disable_s3_express_session_auth" => {
                self.disable_s3_express_session_auth.map(Val::Bool)
            }
            _ => None,
        }
    }
}

/// A region set as SigV4a sends it: the comma-separated regions trimmed, empty ones
/// dropped, joined by `,`; `None` when none is left.
/// A comma-separated list of scheme names, blanks removed (`sigv4a, sigv4`).
fn scheme_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(|s| s.split_whitespace().collect::<String>())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The first of `available` (scheme names, in their own order) that `usable` accepts,
/// `preference` first, as botocore's `resolve_auth_scheme_preference` picks: the
/// preferred names the service offers, in preference order, then the rest in the
/// service's order.
pub(crate) fn preferred<'a>(
    preference: &[String],
    available: &[&'a str],
    usable: impl Fn(&str) -> bool,
) -> Option<&'a str> {
    let short = |s: &str| s.rsplit('#').next().unwrap_or(s).to_string();
    let ranked = preference
        .iter()
        .filter_map(|p| available.iter().find(|a| short(a) == *p).copied())
        .chain(available.iter().copied());
    ranked.into_iter().find(|s| usable(s))
}

fn region_set(v: &str) -> Option<String> {
    let regions: Vec<&str> = v
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .collect();
    (!regions.is_empty()).then(|| regions.join(","))
}

/// `https://s3-accelerate.amazonaws.com` and its dual-stack form.
fn is_s3_accelerate_url(url: &str) -> bool {
    let Some(host) = url
        .split("://")
        .nth(1)
        .map(|r| r.split(['/', ':']).next().unwrap_or(""))
    else {
        return false;
    };
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 3
        && labels[labels.len() - 2..] == ["amazonaws", "com"]
        && labels[0] == "s3-accelerate"
        && labels[1..labels.len() - 2]
            .iter()
            .all(|l| *l == "dualstack")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sigv4a_region_set_comes_from_the_environment_then_the_profile() {
        let profile = Profile::new(
            "p",
            [(
                "sigv4a_signing_region_set".to_string(),
                inia_auth::config::ini::IniValue::Text(" us-west-2 ,eu-west-1".into()),
            )]
            .into_iter()
            .collect(),
        );
        let read = |env: Env, profile: Option<&Profile>| {
            EndpointSettings::read(&env, profile, InCode::default())
                .unwrap()
                .sigv4a_region_set()
                .map(str::to_string)
        };
        assert_eq!(
            read(Env::empty(), Some(&profile)).as_deref(),
            Some("us-west-2,eu-west-1")
        );
        let env = Env::from_vars([("AWS_SIGV4A_SIGNING_REGION_SET", "*")]);
        assert_eq!(read(env, Some(&profile)).as_deref(), Some("*"));
        let blank = Env::from_vars([("AWS_SIGV4A_SIGNING_REGION_SET", " , ")]);
        assert_eq!(read(blank, None), None);
        assert_eq!(read(Env::empty(), None), None);
    }
}

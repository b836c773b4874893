//! Provider files: which services a cloud offers, where their endpoints are, how they
//! sign, where credentials come from. `providers/<name>.json` on the spec search path
//! (the embedded `aws`, `eucalyptus`, `s3-compatible` and `azure-blob` among them).
//!
//! A file is checked against the JSON Schema `service-specs/provider.schema.json`
//! (embedded; the format belongs to this code, so a schema on the search path is not used) and then for what a schema cannot say: every `{variable}` of an
//! endpoint template must be `region`, `service` or a declared setting. Every problem is
//! reported with the file's name and the place in it (`/services/blob/signing/scheme`).
//! docs/spec-format.md describes the format.
//!
//! Owns the file format and its checks. Does not own resolving settings from the
//! environment, choosing a signer or calling (the `inia` crate does that).

use crate::embedded;
use crate::error::ModelError;
use crate::loader::{Root, SpecPath};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The schema every provider file is checked against, at the top of a spec folder.
pub const SCHEMA_FILE: &str = "provider.schema.json";
/// The folder of provider files, at the top of a spec folder.
pub const PROVIDERS_DIR: &str = "providers";

/// One provider file, checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderFile {
    /// The format version (1).
    pub format: u32,
    /// The provider's name, as `--provider` takes it.
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Named values endpoint templates use, each read from the environment, the profile,
    /// or a default.
    #[serde(default)]
    pub settings: BTreeMap<String, Setting>,
    /// Where credentials come from, asked in order. Absent: the AWS chain.
    #[serde(default)]
    pub credentials: Vec<CredentialSource>,
    /// The services, by the name clients and the command line use; `*` binds any other
    /// name to the model of that name.
    pub services: BTreeMap<String, ServiceBinding>,
    /// Where the file was found, for messages.
    #[serde(skip)]
    pub origin: String,
}

/// A named value for endpoint templates.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    /// Environment variables, first set one wins.
    #[serde(default)]
    pub env: Vec<String>,
    /// A key of the selected profile in the config file.
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Names of the three credential values in one source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyNames {
    pub access_key_id: String,
    pub secret_access_key: String,
    #[serde(default)]
    pub session_token: Option<String>,
}

/// One place credentials come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CredentialSource {
    /// Environment variables with these names.
    Env(KeyNames),
    /// Keys of the selected profile (credentials file, then config file).
    Profile(KeyNames),
    /// A whole chain; only `aws` (the standard AWS chain) exists.
    Chain(String),
    /// Requests go unsigned.
    Anonymous(bool),
}

/// How one service of the provider is reached.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceBinding {
    /// The service model's folder on the spec path; by default the service's own name.
    #[serde(default)]
    pub model: Option<String>,
    pub endpoint: EndpointRule,
    #[serde(default)]
    pub signing: Signing,
    #[serde(default)]
    pub addressing: Addressing,
    /// Headers sent with every request unless the request sets them (before signing).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub checksums: Checksums,
    /// The default of `request_checksum_calculation` for this service when no setting
    /// gives one (code, `AWS_REQUEST_CHECKSUM_CALCULATION`, the profile): botocore's
    /// `when_supported` unless the file says `when_required`.
    #[serde(default)]
    pub checksum_calculation: Option<ChecksumWhen>,
}

fn default_partitions() -> String {
    "partitions.json".into()
}

/// Where a service's endpoint comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum EndpointRule {
    /// A URL template: `https://{account}.blob.core.windows.net`, `{endpoint_url}`.
    Template(String),
    /// Endpoint rule sets with partition data, as AWS publishes them: `rules` is
    /// `"model"` (each service's own `endpoint-rule-set-1.json` beside its model) or the
    /// name of a rule-set file at the top of a spec folder; `partitions` names the
    /// partitions file (`partitions.json`).
    Rules {
        rules: String,
        #[serde(default = "default_partitions")]
        partitions: String,
    },
}

/// How requests are signed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signing {
    /// The scheme; `model` (the default) takes the model's `signatureVersion`.
    #[serde(default)]
    pub scheme: Option<String>,
    /// The signing name (SigV4's service); default: the model's.
    #[serde(default)]
    pub name: Option<String>,
    /// The signing region; default: the session's region, else `us-east-1`.
    #[serde(default)]
    pub region: Option<String>,
}

/// S3-style bucket addressing for a template endpoint (with rule sets, the rules decide).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Addressing {
    /// Path style: a template endpoint is a custom host.
    #[default]
    Auto,
    /// Always `host/bucket/key`.
    Path,
    /// `bucket.host/key` whenever the bucket name allows it.
    Virtual,
}

/// Which checksums requests carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Checksums {
    /// `Content-MD5` where the model requires a checksum, and on upload operations (an
    /// `httpChecksum` trait) that carry none; no newer checksum headers.
    #[default]
    WhenRequired,
    /// Also `Content-MD5` on every request with an in-memory body.
    Md5,
}

/// When flexible checksums are computed on requests (`request_checksum_calculation`) or
/// checked on responses (`response_checksum_validation`), botocore's two values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecksumWhen {
    /// On every operation that supports one (botocore's default).
    #[default]
    WhenSupported,
    /// Only where the operation requires one, or the caller asks for one.
    WhenRequired,
}

impl ChecksumWhen {
    /// `when_supported` or `when_required` (any case).
    pub fn parse(value: &str) -> Option<ChecksumWhen> {
        match value.trim().to_ascii_lowercase().as_str() {
            "when_supported" => Some(ChecksumWhen::WhenSupported),
            "when_required" => Some(ChecksumWhen::WhenRequired),
            _ => None,
        }
    }
}

impl ProviderFile {
    /// Check and read a provider file's text. `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<ProviderFile, ModelError> {
        Self::parse_with(text, origin, true)
    }

    /// `schema`: check against the JSON Schema. Only the files compiled into the binary
    /// skip it (a unit test checks them), which saves building the validator, about 2 ms,
    /// on every start of the command line.
    fn parse_with(text: &str, origin: &str, schema: bool) -> Result<ProviderFile, ModelError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| ModelError::json_at(origin, text, 0, &e))?;
        if schema {
            check_schema(&value, origin)?;
        }
        let mut file: ProviderFile =
            serde_json::from_value(value).map_err(|e| invalid(origin, e.to_string()))?;
        file.origin = origin.to_string();
        file.check_templates()?;
        Ok(file)
    }

    /// The binding of `service`: its own entry, else `*`.
    pub fn binding(&self, service: &str) -> Option<&ServiceBinding> {
        self.services
            .get(service)
            .or_else(|| self.services.get("*"))
    }

    /// The service names the file lists (not `*`).
    pub fn service_names(&self) -> impl Iterator<Item = &str> {
        self.services
            .keys()
            .map(String::as_str)
            .filter(|n| *n != "*")
    }

    /// True when any service name binds (`*` is listed).
    pub fn binds_any(&self) -> bool {
        self.services.contains_key("*")
    }

    fn check_templates(&self) -> Result<(), ModelError> {
        for (service, b) in &self.services {
            let EndpointRule::Template(t) = &b.endpoint else {
                continue;
            };
            let at = format!("/services/{service}/endpoint");
            for var in
                template_variables(t).map_err(|m| invalid(&self.origin, format!("{at}: {m}")))?
            {
                if var != "region" && var != "service" && !self.settings.contains_key(var) {
                    let known: Vec<&str> = ["region", "service"]
                        .into_iter()
                        .chain(self.settings.keys().map(String::as_str))
                        .collect();
                    return Err(invalid(
                        &self.origin,
                        format!(
                            "{at}: unknown variable {{{var}}} in {t:?} (known: {})",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl ServiceBinding {
    /// The model folder for the service named `service`.
    pub fn model_name<'a>(&'a self, service: &'a str) -> &'a str {
        self.model.as_deref().unwrap_or(service)
    }
}

impl SpecPath {
    /// Load and check the provider file `providers/<name>.json` from the first root that
    /// has it.
    pub fn load_provider(&self, name: &str) -> Result<ProviderFile, ModelError> {
        let bad_name = name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if bad_name {
            return Err(invalid(
                name,
                "a provider name is lower-case letters, digits and '-'".into(),
            ));
        }
        let rel = format!("{PROVIDERS_DIR}/{name}.json");
        let Some((text, origin, embedded)) = self.read_root_from(&rel)? else {
            let known: Vec<String> = self.providers().into_iter().collect();
            return Err(ModelError::UnknownService {
                name: format!("provider {name}"),
                file: rel,
                searched: format!("the spec path (providers found: {})", known.join(", ")),
            });
        };
        let file = ProviderFile::parse_with(&text, &origin, !embedded)?;
        if file.name != name {
            return Err(invalid(
                &origin,
                format!(
                    "/name: the file is named {name}.json but names the provider {:?}",
                    file.name
                ),
            ));
        }
        Ok(file)
    }

    /// The names of all provider files on the path.
    pub fn providers(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for root in self.roots() {
            match root {
                Root::Embedded => out.extend(
                    embedded::names_under(PROVIDERS_DIR)
                        .filter_map(|n| n.strip_suffix(".json"))
                        .map(str::to_string),
                ),
                Root::Dir(d) => {
                    let Ok(rd) = std::fs::read_dir(d.join(PROVIDERS_DIR)) else {
                        continue;
                    };
                    out.extend(rd.flatten().filter_map(|e| {
                        let n = e.file_name().to_string_lossy().into_owned();
                        n.strip_suffix(".json").map(str::to_string)
                    }));
                }
            }
        }
        out
    }
}

fn invalid(origin: &str, message: String) -> ModelError {
    ModelError::Invalid {
        origin: origin.to_string(),
        message,
    }
}

/// The `{names}` of a template, in order. Braces must pair up and enclose a name.
pub fn template_variables(t: &str) -> Result<Vec<&str>, String> {
    let pieces = crate::template::pieces(t).map_err(|e| format!("{e} in {t:?}"))?;
    let mut out = Vec::new();
    for piece in pieces {
        if let crate::template::Piece::Name(name) = piece {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("bad variable {{{name}}} in {t:?}"));
            }
            out.push(name);
        }
    }
    Ok(out)
}

/// Fill a template's variables with `lookup`; `Err(name)` for the first without a value
/// (a template whose braces do not pair up, which loading refuses, gives its whole text).
pub fn fill_template(
    t: &str,
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> Result<String, String> {
    crate::template::fill(t, |name, out| {
        out.push_str(&lookup(name).ok_or_else(|| name.to_string())?);
        Ok(())
    })
    .map_err(|e| match e {
        crate::template::FillError::Value(name) => name,
        crate::template::FillError::Template(_) => t.to_string(),
    })
}

/// Validate against the embedded schema (compiled once), all problems at once.
fn check_schema(value: &Value, origin: &str) -> Result<(), ModelError> {
    static VALIDATOR: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    let validator = VALIDATOR
        .get_or_init(|| {
            let text = embedded::get(SCHEMA_FILE).ok_or("not embedded")?;
            let schema: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
            jsonschema::validator_for(&schema).map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| invalid(SCHEMA_FILE, format!("the provider schema is invalid: {e}")))?;
    let problems: Vec<String> = validator
        .iter_errors(value)
        .map(|e| {
            let at = e.instance_path().to_string();
            let at = if at.is_empty() { "/".to_string() } else { at };
            match e.kind() {
                // The whole list: the library's message abbreviates it.
                jsonschema::error::ValidationErrorKind::Enum { options } => {
                    format!("{at}: {} is not one of {options}", e.instance())
                }
                _ => format!("{at}: {e}"),
            }
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(invalid(origin, problems.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ProviderFile, ModelError> {
        ProviderFile::parse(text, "/tmp/p/providers/x.json")
    }

    #[test]
    fn shipped_provider_files_are_valid() {
        for name in ["aws", "eucalyptus", "s3-compatible", "azure-blob"] {
            let rel = format!("providers/{name}.json");
            let text = crate::embedded::get(&rel).unwrap_or_else(|| panic!("{rel} embedded"));
            let p = ProviderFile::parse(text, &rel).unwrap();
            assert_eq!(p.name, name);
        }
    }

    #[test]
    fn templates_and_variables() {
        assert_eq!(
            template_variables("http://{host}:{port}/services/compute").unwrap(),
            ["host", "port"]
        );
        assert!(template_variables("http://{host").is_err());
        assert!(template_variables("http://host}").is_err());
        assert!(template_variables("http://{}").is_err());
        let filled = fill_template("https://{account}.blob.{region}", |n| {
            Some(n.to_uppercase())
        })
        .unwrap();
        assert_eq!(filled, "https://ACCOUNT.blob.REGION");
        assert_eq!(fill_template("x{a}", |_| None).unwrap_err(), "a");
    }

    #[test]
    fn malformed_files_name_the_file_and_the_problem() {
        let e = parse("{\"format\": 1,\n \"name\": \"x\",,}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/tmp/p/providers/x.json:2:"), "{e}");
        let e = parse(
            r#"{"format": 1, "name": "x", "services": {"s": {"endpoint": "http://h", "signing": {"scheme": "sigv9"}}}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("/tmp/p/providers/x.json"), "{e}");
        assert!(
            e.contains("/services/s/signing/scheme: \"sigv9\" is not one of"),
            "{e}"
        );
        assert!(e.contains("\"azure-shared-key\""), "{e}");
        let e = parse(
            r#"{"format": 1, "name": "x", "settings": {"host": {}}, "services": {"s": {"endpoint": "http://{hots}:1/"}}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("/services/s/endpoint: unknown variable {hots}"),
            "{e}"
        );
        assert!(e.contains("known: region, service, host"), "{e}");
        let e = parse(r#"{"format": 1, "name": "x", "services": {}, "extra": 1}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("extra"), "{e}");
    }

    #[test]
    fn bindings() {
        let p = parse(
            r#"{"format": 1, "name": "x", "services": {
                "blob": {"model": "azure-blob", "endpoint": "http://h"},
                "*": {"endpoint": {"rules": "model"}}}}"#,
        )
        .unwrap();
        assert_eq!(p.binding("blob").unwrap().model_name("blob"), "azure-blob");
        assert_eq!(p.binding("ec2").unwrap().model_name("ec2"), "ec2");
        assert!(p.binds_any());
        assert_eq!(p.service_names().collect::<Vec<_>>(), ["blob"]);
    }
}

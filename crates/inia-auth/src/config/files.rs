//! The shared config file and the shared credentials file: where they are, which
//! profile is selected, and how their profiles merge (as botocore's `Session.full_config`).
//!
//! - Config file: `AWS_CONFIG_FILE`, else `~/.aws/config`. `[default]` and
//!   `[profile name]` are profiles (`[profile "a b"]` quotes like a shell);
//!   `[sso-session name]` and `[services name]` are kept apart; other sections ignored.
//! - Credentials file: `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`. Every
//!   `[name]` is the profile `name`.
//! - `~` is expanded from `HOME` (of the injected [`Env`]). A missing file is empty.
//! - Merging: for a profile in both files, the credentials file's keys win key by key.
//! - Selection: a name given in code, else `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`, else
//!   `default`. A profile that exists in neither file is [`CredentialsError::ProfileNotFound`]
//!   when it was chosen (in code or by variable), and simply empty when it is the fallback
//!   `default`.
//!
//! Owns: file locations, section-to-profile mapping, merging, selection. Does not own:
//! the INI syntax ([`super::ini`]) or what keys mean (the providers, [`crate::region`]).

use super::env::Env;
use super::ini::{self, IniValue};
use super::shell;
use crate::provider::CredentialsError;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// Variable naming the shared config file.
pub const CONFIG_FILE_VAR: &str = "AWS_CONFIG_FILE";
/// Variable naming the shared credentials file.
pub const CREDENTIALS_FILE_VAR: &str = "AWS_SHARED_CREDENTIALS_FILE";

/// The shared config file's path (it may not exist).
pub fn config_file_path(env: &Env) -> PathBuf {
    env.expand_home(env.get(CONFIG_FILE_VAR).unwrap_or("~/.aws/config"))
}

/// The shared credentials file's path (it may not exist).
pub fn credentials_file_path(env: &Env) -> PathBuf {
    env.expand_home(
        env.get(CREDENTIALS_FILE_VAR)
            .unwrap_or("~/.aws/credentials"),
    )
}

/// How the profile name was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProfileSource {
    /// Given in code.
    Code,
    /// From this environment variable.
    Env(&'static str),
    /// Nothing chose one: `default`.
    Default,
}

/// The profile to use and how it was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectedProfile {
    name: String,
    source: ProfileSource,
}

impl SelectedProfile {
    /// `in_code` if given, else `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE` (empty values
    /// count as unset), else `default`.
    pub fn select(in_code: Option<&str>, env: &Env) -> Self {
        if let Some(name) = in_code {
            return SelectedProfile {
                name: name.to_owned(),
                source: ProfileSource::Code,
            };
        }
        for var in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"] {
            if let Some(name) = env.get_non_empty(var) {
                return SelectedProfile {
                    name: name.to_owned(),
                    source: ProfileSource::Env(var),
                };
            }
        }
        SelectedProfile {
            name: "default".to_owned(),
            source: ProfileSource::Default,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn source(&self) -> &ProfileSource {
        &self.source
    }

    /// Chosen in code or by a variable (not the fallback `default`): it must exist.
    pub fn is_explicit(&self) -> bool {
        self.source != ProfileSource::Default
    }

    /// Given in code (which, as in botocore, also turns off the environment provider).
    pub fn given_in_code(&self) -> bool {
        self.source == ProfileSource::Code
    }
}

/// One profile's keys. `Debug` shows key names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Profile {
    name: String,
    values: BTreeMap<String, IniValue>,
}

impl Profile {
    pub fn new(name: impl Into<String>, values: BTreeMap<String, IniValue>) -> Self {
        Profile {
            name: name.into(),
            values,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A plain value (keys are lower-case); `None` for a missing key or a nested block.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).and_then(IniValue::as_text)
    }

    /// A nested block such as `s3 =` / `  addressing_style = path`.
    pub fn nested(&self, key: &str) -> Option<&BTreeMap<String, String>> {
        self.values.get(key).and_then(IniValue::as_nested)
    }

    pub fn value(&self, key: &str) -> Option<&IniValue> {
        self.values.get(key)
    }

    pub fn values(&self) -> &BTreeMap<String, IniValue> {
        &self.values
    }
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Both files, loaded.
#[derive(Clone, Debug, Default)]
pub struct ProfileFiles {
    config_path: PathBuf,
    credentials_path: PathBuf,
    config: BTreeMap<String, Profile>,
    credentials: BTreeMap<String, Profile>,
    sso_sessions: BTreeMap<String, Profile>,
    services: BTreeMap<String, Profile>,
}

impl ProfileFiles {
    /// Read both files from the locations `env` gives. Missing files are empty; a
    /// malformed one is an error.
    pub fn load(env: &Env) -> Result<Self, CredentialsError> {
        Self::load_from(&config_file_path(env), &credentials_file_path(env))
    }

    /// `preloaded` when the caller read the files already (a session reads them once and
    /// shares them with its credential sources), else read from `env`'s locations now.
    pub fn shared_or_load(
        preloaded: Option<&std::sync::Arc<ProfileFiles>>,
        env: &Env,
    ) -> Result<std::sync::Arc<ProfileFiles>, CredentialsError> {
        match preloaded {
            Some(files) => Ok(files.clone()),
            None => Self::load(env).map(std::sync::Arc::new),
        }
    }

    /// Read both files from these paths.
    pub fn load_from(
        config_path: &Path,
        credentials_path: &Path,
    ) -> Result<Self, CredentialsError> {
        let mut files = ProfileFiles {
            config_path: config_path.to_owned(),
            credentials_path: credentials_path.to_owned(),
            ..ProfileFiles::default()
        };
        if let Some(ini) = ini::read(config_path)? {
            for section in ini.into_sections() {
                let name = section.name().to_owned();
                let (map, key) = match config_section_kind(&name) {
                    Some((Kind::Profile, key)) => (&mut files.config, key),
                    Some((Kind::SsoSession, key)) => (&mut files.sso_sessions, key),
                    Some((Kind::Services, key)) => (&mut files.services, key),
                    None => {
                        tracing::debug!(section = %name, "ignoring config file section");
                        continue;
                    }
                };
                // As in botocore, a later section for the same name replaces an earlier
                // one (`[default]` then `[profile default]`).
                map.insert(key.clone(), Profile::new(key, section.into_values()));
            }
        }
        if let Some(ini) = ini::read(credentials_path)? {
            for section in ini.into_sections() {
                let name = section.name().to_owned();
                files
                    .credentials
                    .insert(name.clone(), Profile::new(name, section.into_values()));
            }
        }
        Ok(files)
    }

    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    pub fn credentials_path(&self) -> &Path {
        &self.credentials_path
    }

    /// The profile as the config file alone has it.
    pub fn config_profile(&self, name: &str) -> Option<&Profile> {
        self.config.get(name)
    }

    /// The profile as the credentials file alone has it.
    pub fn credentials_profile(&self, name: &str) -> Option<&Profile> {
        self.credentials.get(name)
    }

    /// The profile from both files, the credentials file's keys winning.
    pub fn profile(&self, name: &str) -> Option<Profile> {
        let mut merged = match (self.config.get(name), self.credentials.get(name)) {
            (None, None) => return None,
            (Some(c), _) => c.clone(),
            (None, Some(_)) => Profile::new(name, BTreeMap::new()),
        };
        if let Some(creds) = self.credentials.get(name) {
            for (k, v) in &creds.values {
                merged.values.insert(k.clone(), v.clone());
            }
        }
        Some(merged)
    }

    /// True when either file has the profile.
    pub fn has_profile(&self, name: &str) -> bool {
        self.config.contains_key(name) || self.credentials.contains_key(name)
    }

    /// Every profile name in either file.
    pub fn profile_names(&self) -> BTreeSet<&str> {
        self.config
            .keys()
            .chain(self.credentials.keys())
            .map(String::as_str)
            .collect()
    }

    /// Fails with `ProfileNotFound` when the selected profile was chosen explicitly
    /// and neither file has it.
    pub fn check_selected(&self, selected: &SelectedProfile) -> Result<(), CredentialsError> {
        if selected.is_explicit() && !self.has_profile(selected.name()) {
            return Err(CredentialsError::ProfileNotFound(
                selected.name().to_owned(),
            ));
        }
        Ok(())
    }

    /// The selected profile merged from both files; `Ok(None)` when the fallback
    /// `default` exists nowhere; `ProfileNotFound` when an explicit choice exists nowhere.
    pub fn selected(
        &self,
        selected: &SelectedProfile,
    ) -> Result<Option<Profile>, CredentialsError> {
        self.check_selected(selected)?;
        Ok(self.profile(selected.name()))
    }

    /// A `[sso-session name]` section.
    pub fn sso_session(&self, name: &str) -> Option<&Profile> {
        self.sso_sessions.get(name)
    }

    /// A `[services name]` section.
    pub fn services(&self, name: &str) -> Option<&Profile> {
        self.services.get(name)
    }
}

enum Kind {
    Profile,
    SsoSession,
    Services,
}

/// What a config file section is: `default`, or a two-word `<kind> <name>` header whose
/// name may be quoted. Anything else (including unbalanced quotes) is not ours.
fn config_section_kind(header: &str) -> Option<(Kind, String)> {
    if header == "default" {
        return Some((Kind::Profile, "default".to_owned()));
    }
    let words = shell::split(header).ok()?;
    let [kind, name] = <[String; 2]>::try_from(words).ok()?;
    let kind = match kind.as_str() {
        "profile" => Kind::Profile,
        "sso-session" => Kind::SsoSession,
        "services" => Kind::Services,
        _ => return None,
    };
    Some((kind, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn paths_from_env_and_home() {
        let env = Env::empty().with_home("/home/u");
        assert_eq!(config_file_path(&env), PathBuf::from("/home/u/.aws/config"));
        assert_eq!(
            credentials_file_path(&env),
            PathBuf::from("/home/u/.aws/credentials")
        );
        let env = env
            .with_var(CONFIG_FILE_VAR, "~/c")
            .with_var(CREDENTIALS_FILE_VAR, "/abs/k");
        assert_eq!(config_file_path(&env), PathBuf::from("/home/u/c"));
        assert_eq!(credentials_file_path(&env), PathBuf::from("/abs/k"));
    }

    #[test]
    fn selection_order() {
        let env = Env::from_vars([("AWS_PROFILE", "p"), ("AWS_DEFAULT_PROFILE", "d")]);
        let s = SelectedProfile::select(Some("c"), &env);
        assert_eq!((s.name(), s.given_in_code()), ("c", true));
        let s = SelectedProfile::select(None, &env);
        assert_eq!(s.name(), "p");
        assert_eq!(s.source(), &ProfileSource::Env("AWS_PROFILE"));
        let s = SelectedProfile::select(None, &env.clone().with_var("AWS_PROFILE", ""));
        assert_eq!(s.name(), "d");
        let s = SelectedProfile::select(None, &Env::empty());
        assert_eq!(s.name(), "default");
        assert!(!s.is_explicit());
    }

    #[test]
    fn sections_map_and_merge() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = write(
            dir.path(),
            "config",
            "[default]\nregion = a\n[profile dev]\nregion = b\naws_access_key_id = CFG\n\
             [profile \"with space\"]\nregion = c\n[sso-session s]\nsso_region = d\n\
             [services svc]\ns3 =\n  endpoint_url = http://x\n[preview]\nx = 1\n\
             [profile]\nx = 1\n[profile a b]\nx = 1\n[profilex y]\nx = 1\n",
        );
        let creds = write(
            dir.path(),
            "credentials",
            "[dev]\naws_access_key_id = CRED\n[only-creds]\naws_access_key_id = O\n\
             [profile dev]\naws_access_key_id = literal-name\n",
        );
        let f = ProfileFiles::load_from(&cfg, &creds).unwrap();
        assert_eq!(
            f.profile_names().into_iter().collect::<Vec<_>>(),
            ["default", "dev", "only-creds", "profile dev", "with space"]
        );
        let dev = f.profile("dev").unwrap();
        assert_eq!(dev.get("aws_access_key_id"), Some("CRED"));
        assert_eq!(dev.get("region"), Some("b"));
        assert_eq!(
            f.config_profile("dev").unwrap().get("aws_access_key_id"),
            Some("CFG")
        );
        assert_eq!(f.profile("only-creds").unwrap().get("region"), None);
        assert_eq!(f.sso_session("s").unwrap().get("sso_region"), Some("d"));
        let s3 = f.services("svc").unwrap().nested("s3").unwrap();
        assert_eq!(s3["endpoint_url"], "http://x");
        assert!(f.profile("preview").is_none());
    }

    #[test]
    fn later_section_replaces_earlier() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = write(
            dir.path(),
            "config",
            "[default]\nregion = a\noutput = json\n[profile default]\nregion = b\n",
        );
        let f = ProfileFiles::load_from(&cfg, &dir.path().join("none")).unwrap();
        let d = f.profile("default").unwrap();
        assert_eq!((d.get("region"), d.get("output")), (Some("b"), None));
    }

    #[test]
    fn missing_files_and_profile_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::empty().with_home(dir.path());
        let f = ProfileFiles::load(&env).unwrap();
        let default = SelectedProfile::select(None, &env);
        assert_eq!(f.selected(&default).unwrap(), None);
        let named = SelectedProfile::select(None, &env.clone().with_var("AWS_PROFILE", "x"));
        assert!(matches!(
            f.selected(&named),
            Err(CredentialsError::ProfileNotFound(n)) if n == "x"
        ));
        let in_code = SelectedProfile::select(Some("default"), &env);
        assert!(f.selected(&in_code).is_err());
    }

    #[test]
    fn malformed_file_names_path_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = write(dir.path(), "config", "[default]\nregion = a\nbroken\n");
        match ProfileFiles::load_from(&cfg, &dir.path().join("none")) {
            Err(CredentialsError::Malformed { path, line, .. }) => {
                assert_eq!(path, cfg.display().to_string());
                assert_eq!(line, 3);
            }
            other => panic!("{other:?}"),
        }
    }
}

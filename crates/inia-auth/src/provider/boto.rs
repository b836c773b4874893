//! [`BotoConfigProvider`]: the legacy boto (version 2) config file. `BOTO_CONFIG` names
//! the only file to read when set; otherwise `/etc/boto.cfg`, then `~/.boto`. The first
//! file whose `[Credentials]` section has `aws_access_key_id` wins; its
//! `aws_secret_access_key` must be there too. No session token, as in botocore.
//!
//! Owns: the boto file locations and section. Does not own: INI syntax (`config::ini`).

use super::keys::{from_keys, ACCESS_KEY, SECRET_KEY};
use super::{CredentialsError, ProvideCredentials, ProvideFuture};
use crate::config::{ini, Env};
use crate::credentials::Credentials;

/// Names the one boto config file to read.
pub const BOTO_CONFIG_VAR: &str = "BOTO_CONFIG";

/// Credentials from a boto config file.
#[derive(Debug, Clone)]
pub struct BotoConfigProvider {
    env: Env,
    default_paths: Vec<String>,
}

impl BotoConfigProvider {
    pub const NAME: &'static str = "boto-config";

    pub fn new(env: Env) -> Self {
        BotoConfigProvider {
            env,
            default_paths: vec!["/etc/boto.cfg".into(), "~/.boto".into()],
        }
    }

    /// Look in these files (in order, `~` expanded) when `BOTO_CONFIG` is not set,
    /// instead of `/etc/boto.cfg` and `~/.boto`.
    pub fn with_default_paths<I, S>(mut self, paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.default_paths = paths.into_iter().map(Into::into).collect();
        self
    }

    fn load(&self) -> Result<Option<Credentials>, CredentialsError> {
        let paths: Vec<&str> = match self.env.get(BOTO_CONFIG_VAR) {
            Some(p) => vec![p],
            None => self.default_paths.iter().map(String::as_str).collect(),
        };
        for p in paths {
            let path = self.env.expand_home(p);
            let Some(file) = ini::read(&path)? else {
                continue;
            };
            let Some(section) = file.section("Credentials") else {
                continue;
            };
            // The boto file has no session token: pass only the two keys on.
            let get = |k: &str| match k {
                ACCESS_KEY | SECRET_KEY => section.get(k),
                _ => None,
            };
            let found = from_keys(get, Self::NAME, || {
                format!("[Credentials] of {}", path.display())
            })?;
            if found.is_some() {
                tracing::debug!(path = %path.display(), "found credentials in a boto config file");
                return Ok(found);
            }
        }
        Ok(None)
    }
}

impl ProvideCredentials for BotoConfigProvider {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn provide(&self) -> ProvideFuture<'_> {
        let r = self.load();
        Box::pin(async move { r })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_executor::block_on;

    #[test]
    fn boto_config_var_then_default_paths() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path();
        std::fs::write(
            home.join(".boto"),
            "[Boto]\ndebug = 0\n[Credentials]\naws_access_key_id = HOMEAK\naws_secret_access_key = HS\n",
        )
        .unwrap();
        std::fs::write(home.join("etc.cfg"), "[Boto]\ndebug = 1\n").unwrap();
        let etc = home.join("etc.cfg").display().to_string();
        let env = Env::empty().with_home(home);
        let p = BotoConfigProvider::new(env.clone()).with_default_paths([etc.as_str(), "~/.boto"]);
        let c = block_on(p.provide()).unwrap().unwrap();
        assert_eq!((c.access_key_id(), c.source()), ("HOMEAK", "boto-config"));
        assert!(c.session_token().is_none());

        // BOTO_CONFIG replaces the default list entirely.
        let p = BotoConfigProvider::new(env.clone().with_var(BOTO_CONFIG_VAR, etc.as_str()))
            .with_default_paths(["~/.boto"]);
        assert!(block_on(p.provide()).unwrap().is_none());

        std::fs::write(
            home.join("partial"),
            "[Credentials]\naws_access_key_id = AK\n",
        )
        .unwrap();
        let p = BotoConfigProvider::new(env.with_var(BOTO_CONFIG_VAR, "~/partial"));
        let e = block_on(p.provide()).unwrap_err().to_string();
        assert!(
            e.contains("aws_secret_access_key") && e.contains("partial"),
            "{e}"
        );
    }
}

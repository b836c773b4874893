//! [`Env`]: the environment variables and home directory that providers read, injectable
//! so tests never touch the process environment (tests run in parallel).
//!
//! Owns: the variable snapshot, `~` expansion, and a `Debug` that prints variable
//! names only (a value may be a secret). Does not own: what any variable means (see the
//! providers, [`super::files`] and [`crate::region`]).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A snapshot of environment variables. Cheap to clone.
///
/// The home directory is the `HOME` variable (on Windows, `USERPROFILE` when `HOME` is
/// not set), so [`Env::with_home`] simply sets `HOME`.
#[derive(Clone, Default)]
pub struct Env {
    vars: Arc<BTreeMap<String, String>>,
}

impl Env {
    /// The process environment, read now. Variables whose name or value is not UTF-8 are
    /// left out.
    pub fn real() -> Self {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        Env {
            vars: Arc::new(vars),
        }
    }

    /// No variables at all (and so no home directory).
    pub fn empty() -> Self {
        Env::default()
    }

    /// Exactly these variables.
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Env {
            vars: Arc::new(
                vars.into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
        }
    }

    /// This snapshot with `name` set to `value`.
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.vars).insert(name.into(), value.into());
        self
    }

    /// This snapshot without `name`.
    pub fn without_var(mut self, name: &str) -> Self {
        Arc::make_mut(&mut self.vars).remove(name);
        self
    }

    /// This snapshot with `HOME` set to `home`.
    pub fn with_home(self, home: impl AsRef<Path>) -> Self {
        let home = home.as_ref().to_string_lossy().into_owned();
        self.with_var("HOME", home)
    }

    /// The variable's value, even when empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The variable's value, treating an empty value as unset.
    pub fn get_non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Every variable, for a child process's environment.
    pub fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The home directory: `HOME`, or on Windows `USERPROFILE`.
    pub fn home(&self) -> Option<PathBuf> {
        if let Some(h) = self.get_non_empty("HOME") {
            return Some(PathBuf::from(h));
        }
        if cfg!(windows) {
            return self.get_non_empty("USERPROFILE").map(PathBuf::from);
        }
        None
    }

    /// `path` with a leading `~` (alone or followed by a separator) replaced by the home
    /// directory. Left as given when there is no home directory or no leading `~`
    /// (`~user` is not expanded).
    pub fn expand_home(&self, path: &str) -> PathBuf {
        let rest = if path == "~" {
            Some("")
        } else {
            path.strip_prefix("~/")
                .or_else(|| path.strip_prefix("~\\").filter(|_| cfg!(windows)))
        };
        match (rest, self.home()) {
            (Some(""), Some(home)) => home,
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(path),
        }
    }
}

impl fmt::Debug for Env {
    /// Names only: values may be secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Env")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_expansion() {
        let env = Env::empty().with_home("/h");
        assert_eq!(env.expand_home("~"), PathBuf::from("/h"));
        assert_eq!(
            env.expand_home("~/.aws/config"),
            PathBuf::from("/h/.aws/config")
        );
        assert_eq!(env.expand_home("/etc/x"), PathBuf::from("/etc/x"));
        assert_eq!(env.expand_home("~bob/x"), PathBuf::from("~bob/x"));
        assert_eq!(Env::empty().expand_home("~/x"), PathBuf::from("~/x"));
    }

    #[test]
    fn empty_values_and_debug() {
        let env = Env::from_vars([("A", ""), ("AWS_SECRET_ACCESS_KEY", "hush-hush")]);
        assert_eq!(env.get("A"), Some(""));
        assert_eq!(env.get_non_empty("A"), None);
        let d = format!("{env:?}");
        assert!(
            d.contains("AWS_SECRET_ACCESS_KEY") && !d.contains("hush"),
            "{d}"
        );
        let env = env.without_var("A");
        assert_eq!(env.get("A"), None);
    }
}

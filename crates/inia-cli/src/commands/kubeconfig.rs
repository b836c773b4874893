//! The kubeconfig file as `eks update-kubeconfig` edits it, by the AWS CLI's rules:
//!
//! - which file: `--kubeconfig` (made absolute, `~` expanded), else the first of the
//!   `KUBECONFIG` paths that already has the cluster, else the first of them, else
//!   `~/.kube/config`;
//! - a missing (or empty) file starts as `apiVersion: v1`, empty `clusters`, `contexts`,
//!   `current-context`, `kind: Config`, empty `preferences` and `users`; a file whose
//!   top-level entries have the wrong type (a list that is not a list of mappings...) is
//!   refused;
//! - the cluster, the user and a context named by the alias (else the user's name) each
//!   replace the entry of the same name or are appended, and the context becomes
//!   `current-context`;
//! - the file is written whole (created with mode 0600, its folder made), as PyYAML's
//!   safe dumper writes it (`yaml_dump`).
//!
//! Owns finding, checking, merging and writing the file. Does not own the entries' content
//! (`eks`).

use super::yaml_dump::dump;
use super::yaml_load::{load, Node, Tags};
use crate::error::CliError;
use std::path::{Path, PathBuf};

/// A loaded kubeconfig.
pub struct Kubeconfig {
    pub path: PathBuf,
    pub content: Node,
}

fn fresh() -> Node {
    Node::map([
        ("apiVersion", Node::Str("v1".into())),
        ("clusters", Node::Seq(vec![])),
        ("contexts", Node::Seq(vec![])),
        ("current-context", Node::Str(String::new())),
        ("kind", Node::Str("Config".into())),
        ("preferences", Node::Map(vec![])),
        ("users", Node::Seq(vec![])),
    ])
}

fn error(message: String) -> CliError {
    super::command_error(message)
}

/// `~` expanded and made absolute (the AWS CLI's `abspath(expanduser(path))`).
fn absolute(path: &str) -> PathBuf {
    let expanded = match path.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(format!("{}{rest}", home.to_string_lossy())),
            None => PathBuf::from(path),
        },
        _ => PathBuf::from(path),
    };
    let joined = if expanded.is_absolute() {
        expanded
    } else {
        std::env::current_dir().unwrap_or_default().join(expanded)
    };
    normalize(&joined)
}

/// `.` and `..` removed, as `os.path.abspath` does (without resolving links).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The candidate files, in order.
pub fn candidates(given: Option<&str>) -> Vec<PathBuf> {
    if let Some(p) = given {
        return vec![absolute(p)];
    }
    let env = std::env::var("KUBECONFIG").unwrap_or_default();
    let paths: Vec<PathBuf> = env
        .split(':')
        .filter(|p| !p.trim().is_empty())
        .map(absolute)
        .collect();
    if paths.is_empty() {
        vec![absolute("~/.kube/config")]
    } else {
        paths
    }
}

/// The file to update for `cluster`: the first candidate that has it, else the first.
pub fn choose(paths: &[PathBuf], cluster: &str) -> Result<Kubeconfig, CliError> {
    for p in paths {
        if let Ok(k) = read(p) {
            if k.has_cluster(cluster) {
                return Ok(k);
            }
        }
    }
    match paths.first() {
        Some(p) => read(p),
        None => Err(error("no kubeconfig path".into())),
    }
}

/// Load and check one file (a missing one is a new, empty kubeconfig).
pub fn read(path: &Path) -> Result<Kubeconfig, CliError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(error(format!("Can't open kubeconfig for reading: {e}"))),
    };
    let loaded = match text {
        Some(t) => load(&t, Tags::Safe)
            .map_err(|e| error(format!("YamlError while loading kubeconfig: {e}")))?,
        None => Node::Null,
    };
    let content = match loaded {
        Node::Null => fresh(),
        other => other,
    };
    validate(&content)?;
    Ok(Kubeconfig {
        path: path.to_path_buf(),
        content,
    })
}

fn type_name(n: &Node) -> &'static str {
    match n {
        Node::Null => "<class 'NoneType'>",
        Node::Bool(_) => "<class 'bool'>",
        Node::Int(_) => "<class 'int'>",
        Node::Float(_) => "<class 'float'>",
        Node::Str(_) => "<class 'str'>",
        Node::Time(_) => "<class 'datetime.date'>",
        Node::Seq(_) => "<class 'list'>",
        Node::Map(_) => "<class 'dict'>",
    }
}

fn validate(content: &Node) -> Result<(), CliError> {
    if !matches!(content, Node::Map(_)) {
        return Err(error("Content not a <class 'dict'>.".into()));
    }
    let Node::Map(expected) = fresh() else {
        return Ok(());
    };
    for (key, shape) in &expected {
        let Some(name) = key.as_str() else { continue };
        let Some(v) = content.get(name) else { continue };
        if *v == Node::Null {
            continue;
        }
        if std::mem::discriminant(v) != std::mem::discriminant(shape) {
            return Err(error(format!(
                "{name} is wrong type: {} (Should be {})",
                type_name(v),
                type_name(shape)
            )));
        }
        if let Node::Seq(items) = v {
            if items.iter().any(|i| !matches!(i, Node::Map(_))) {
                return Err(error(format!("Entry in {name} not a <class 'dict'>. ")));
            }
        }
    }
    Ok(())
}

impl Kubeconfig {
    pub fn has_cluster(&self, name: &str) -> bool {
        match self.content.get("clusters") {
            Some(Node::Seq(items)) => items
                .iter()
                .any(|c| c.get("name").and_then(Node::as_str) == Some(name)),
            _ => false,
        }
    }

    /// Replace the entry of the same name in `key`'s list, or append it.
    fn insert(&mut self, key: &str, entry: Node) -> Result<(), CliError> {
        let existing = self.content.get(key).cloned();
        let mut items = match existing {
            Some(Node::Seq(items)) => items,
            None | Some(Node::Null) => Vec::new(),
            Some(other) => {
                return Err(error(format!(
                    "Tried to insert into {key}, which is a {} not a <class 'list'>",
                    type_name(&other)
                )))
            }
        };
        // An empty string, mapping... is falsy in Python: replaced by a new list.
        let name = entry.get("name").cloned();
        match items
            .iter_mut()
            .find(|e| name.is_some() && e.get("name") == name.as_ref())
        {
            Some(slot) => *slot = entry,
            None => items.push(entry),
        }
        self.content.set(key, Node::Seq(items));
        Ok(())
    }

    /// Insert the cluster and user, a context joining them (named `alias`, else the
    /// user's name) made current; the context.
    pub fn insert_pair(
        &mut self,
        cluster: Node,
        user: Node,
        alias: Option<&str>,
    ) -> Result<Node, CliError> {
        let cluster_name = cluster.get("name").cloned().unwrap_or(Node::Null);
        let user_name = user.get("name").cloned().unwrap_or(Node::Null);
        let name = alias.map_or(user_name.clone(), |a| Node::Str(a.to_string()));
        let context = Node::map([
            (
                "context",
                Node::map([("cluster", cluster_name), ("user", user_name)]),
            ),
            ("name", name.clone()),
        ]);
        self.insert("clusters", cluster)?;
        self.insert("users", user)?;
        self.insert("contexts", context.clone())?;
        self.content.set("current-context", name);
        Ok(context)
    }

    pub fn text(&self) -> String {
        dump(&self.content)
    }

    /// Write the file (its folder made; a new file gets mode 0600).
    pub fn write(&self) -> Result<(), CliError> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| error(format!("Can't create directory for writing: {e}")))?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let written = options.open(&self.path).and_then(|mut f| {
            use std::io::Write;
            f.write_all(self.text().as_bytes())
        });
        written.map_err(|e| error(format!("Can't open kubeconfig for writing: {e}")))
    }
}

//! Finding and reading spec files along the search path.
//!
//! Layout: `<root>/<service>/<api-version>/<kind>.json` (or `.json.gz`), kinds
//! `service-2`, `paginators-1`, `waiters-2`, each optionally with a
//! `<kind>.sdk-extras.json` whose `merge` object is deep-merged in. Search order: folders
//! given in code, `INIA_SPEC_PATH`, `AWS_DATA_PATH`, `~/.aws/models`, then the specs
//! embedded in the binary. For a service, the newest api-version over all roots wins; on
//! a tie the earlier root wins; in one folder a plain `.json` beats `.json.gz`.
//!
//! Owns file discovery, decompression, merging and documentation stripping. Does not own
//! what a model means (see `service`).

use crate::embedded;
use crate::error::ModelError;
use crate::service::ServiceModel;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One place spec files are looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    Dir(PathBuf),
    Embedded,
}

/// The ordered list of spec roots.
#[derive(Debug, Clone)]
pub struct SpecPath {
    roots: Vec<Root>,
}

/// A spec file found on the path, not yet read.
#[derive(Debug, Clone)]
struct Found {
    root: Root,
    rel: String,
}

impl Default for SpecPath {
    /// The environment's path with no folders given in code.
    fn default() -> Self {
        SpecPath::from_env(Vec::<PathBuf>::new())
    }
}

impl SpecPath {
    /// `dirs`, then `INIA_SPEC_PATH`, `AWS_DATA_PATH`, `~/.aws/models`, then embedded.
    pub fn from_env<P: Into<PathBuf>>(dirs: impl IntoIterator<Item = P>) -> Self {
        let mut roots: Vec<Root> = dirs.into_iter().map(|d| Root::Dir(d.into())).collect();
        for var in ["INIA_SPEC_PATH", "AWS_DATA_PATH"] {
            if let Some(v) = std::env::var_os(var) {
                roots.extend(
                    std::env::split_paths(&v)
                        .filter(|p| !p.as_os_str().is_empty())
                        .map(Root::Dir),
                );
            }
        }
        if let Some(home) = std::env::var_os("HOME") {
            roots.push(Root::Dir(Path::new(&home).join(".aws").join("models")));
        }
        roots.push(Root::Embedded);
        SpecPath { roots }
    }

    /// Exactly these roots, in this order.
    pub fn new(roots: Vec<Root>) -> Self {
        SpecPath { roots }
    }

    /// Only the specs compiled into the binary.
    pub fn embedded_only() -> Self {
        SpecPath {
            roots: vec![Root::Embedded],
        }
    }

    pub fn roots(&self) -> &[Root] {
        &self.roots
    }

    /// Names of all services on the path that have a `service-2` model. Reads folder
    /// names only; no model is opened.
    pub fn services(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for root in &self.roots {
            match root {
                Root::Embedded => out.extend(embedded::services().map(str::to_string)),
                Root::Dir(d) => {
                    let Ok(rd) = std::fs::read_dir(d) else {
                        continue;
                    };
                    for e in rd.flatten() {
                        let name = e.file_name().to_string_lossy().into_owned();
                        if !self.versions_in(root, &name).is_empty() {
                            out.insert(name);
                        }
                    }
                }
            }
        }
        out
    }

    /// The api-versions of `service` in one root that hold a service model.
    fn versions_in(&self, root: &Root, service: &str) -> Vec<String> {
        match root {
            Root::Embedded => embedded::versions(service),
            Root::Dir(d) => {
                let Ok(rd) = std::fs::read_dir(d.join(service)) else {
                    return Vec::new();
                };
                rd.flatten()
                    .filter(|e| {
                        let p = e.path();
                        p.join("service-2.json").is_file() || p.join("service-2.json.gz").is_file()
                    })
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            }
        }
    }

    /// The api-version of `service` that wins on this path.
    pub fn api_version(&self, service: &str) -> Result<String, ModelError> {
        self.roots
            .iter()
            .flat_map(|r| self.versions_in(r, service))
            .max()
            .ok_or_else(|| self.unknown(service, "service-2.json"))
    }

    fn unknown(&self, service: &str, file: &str) -> ModelError {
        let searched = self
            .roots
            .iter()
            .map(|r| match r {
                Root::Dir(d) => d.display().to_string(),
                Root::Embedded => "(embedded)".to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        ModelError::UnknownService {
            name: service.to_string(),
            file: file.to_string(),
            searched,
        }
    }

    /// The first root (in order) holding `<service>/<version>/<kind>.json[.gz]`.
    fn find(&self, service: &str, version: &str, kind: &str) -> Option<Found> {
        for root in &self.roots {
            for ext in ["json", "json.gz"] {
                let rel = format!("{service}/{version}/{kind}.{ext}");
                let exists = match root {
                    Root::Embedded => embedded::get(&rel).is_some(),
                    Root::Dir(d) => d.join(&rel).is_file(),
                };
                if exists {
                    return Some(Found {
                        root: root.clone(),
                        rel,
                    });
                }
            }
        }
        None
    }

    /// Load the newest service model of `service`.
    pub fn load_service(&self, service: &str) -> Result<ServiceModel, ModelError> {
        let version = self.api_version(service)?;
        let found = self
            .find(service, &version, "service-2")
            .ok_or_else(|| self.unknown(service, "service-2.json"))?;
        let extras = self.find(service, &version, "service-2.sdk-extras");
        let origin = found.origin();
        if let (Root::Embedded, None) = (&found.root, &extras) {
            if let Some(text) = embedded::get(&found.rel) {
                return ServiceModel::from_static(text, &origin);
            }
        }
        let text = found.read()?;
        let text = prepare(text, &origin, extras)?;
        ServiceModel::from_string(text, &origin)
    }

    /// The documentation of `service`'s model (the version `load_service` would pick) as
    /// the file has it: the whole parsed file, read again for this purpose (help text)
    /// since loading drops documentation. `None` when the file carries none (the embedded
    /// specs, for one).
    pub fn load_documentation(&self, service: &str) -> Result<Option<Value>, ModelError> {
        let version = self.api_version(service)?;
        let Some(found) = self.find(service, &version, "service-2") else {
            return Ok(None);
        };
        let text = found.read()?;
        if !text.contains("\"documentation") {
            return Ok(None);
        }
        parse_value(&text, &found.origin()).map(Some)
    }

    /// The text of `service`'s `endpoint-rule-set-1.json` (or `.json.gz`) for the version
    /// `load_service` would pick, and where it was found. `None` when there is none.
    pub fn read_rule_set(&self, service: &str) -> Result<Option<(String, String)>, ModelError> {
        let version = self.api_version(service)?;
        match self.find(service, &version, "endpoint-rule-set-1") {
            Some(found) => Ok(Some((found.read()?, found.origin()))),
            None => Ok(None),
        }
    }

    /// Load `paginators-1` or `waiters-2` of the version `load_service` would pick, with
    /// sdk-extras merged. `None` when the service has no such file.
    pub fn load_json(&self, service: &str, kind: &str) -> Result<Option<Value>, ModelError> {
        let version = self.api_version(service)?;
        let Some(found) = self.find(service, &version, kind) else {
            return Ok(None);
        };
        let origin = found.origin();
        let mut value = parse_value(&found.read()?, &origin)?;
        if let Some(extra) = self.find(service, &version, &format!("{kind}.sdk-extras")) {
            merge_extras(&mut value, &extra)?;
        }
        Ok(Some(value))
    }
}

impl SpecPath {
    /// A file at the top of a spec folder (`partitions.json`), from the first root that has
    /// it. `None` when no root has it.
    pub fn load_root_json(&self, name: &str) -> Result<Option<Value>, ModelError> {
        match self.read_root(name)? {
            Some((text, origin)) => parse_value(&text, &origin).map(Some),
            None => Ok(None),
        }
    }

    /// The text of a file at the top of a spec folder (`providers/aws.json`) and where it
    /// was found, from the first root that has it.
    pub fn read_root(&self, name: &str) -> Result<Option<(String, String)>, ModelError> {
        Ok(self
            .read_root_from(name)?
            .map(|(text, origin, _)| (text, origin)))
    }

    /// [`SpecPath::read_root`], also telling whether the file is one compiled into the
    /// binary.
    pub(crate) fn read_root_from(
        &self,
        name: &str,
    ) -> Result<Option<(String, String, bool)>, ModelError> {
        for root in &self.roots {
            let found = Found {
                root: root.clone(),
                rel: name.to_string(),
            };
            let exists = match root {
                Root::Embedded => embedded::get(name).is_some(),
                Root::Dir(d) => d.join(name).is_file(),
            };
            if exists {
                let embedded = matches!(root, Root::Embedded);
                return Ok(Some((found.read()?, found.origin(), embedded)));
            }
        }
        Ok(None)
    }
}

impl Found {
    fn origin(&self) -> String {
        match &self.root {
            Root::Embedded => format!("(embedded)/{}", self.rel),
            Root::Dir(d) => d.join(&self.rel).display().to_string(),
        }
    }

    fn read(&self) -> Result<String, ModelError> {
        match &self.root {
            Root::Embedded => {
                embedded::get(&self.rel)
                    .map(str::to_string)
                    .ok_or_else(|| ModelError::Invalid {
                        origin: self.origin(),
                        message: "embedded file vanished".into(),
                    })
            }
            Root::Dir(d) => read_text(&d.join(&self.rel)),
        }
    }
}

/// Read a `.json` or `.json.gz` file as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, ModelError> {
    let io = |source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    };
    let bytes = std::fs::read(path).map_err(io)?;
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::with_capacity(bytes.len() * 6);
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(io)?;
        out
    } else {
        bytes
    };
    String::from_utf8(bytes).map_err(|e| ModelError::Invalid {
        origin: path.display().to_string(),
        message: format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
    })
}

fn parse_value(text: &str, origin: &str) -> Result<Value, ModelError> {
    serde_json::from_str(text).map_err(|e| ModelError::json_at(origin, text, 0, &e))
}

/// Merge sdk-extras and drop documentation text, so neither costs memory later. Text
/// with nothing to do is returned as it is.
fn prepare(text: String, origin: &str, extras: Option<Found>) -> Result<String, ModelError> {
    if extras.is_none() && !text.contains("\"documentation") {
        return Ok(text);
    }
    let mut value = parse_value(&text, origin)?;
    drop(text);
    if let Some(extra) = extras {
        merge_extras(&mut value, &extra)?;
    }
    strip_documentation(&mut value);
    serde_json::to_string(&value).map_err(|e| ModelError::Invalid {
        origin: origin.to_string(),
        message: e.to_string(),
    })
}

fn merge_extras(into: &mut Value, extra: &Found) -> Result<(), ModelError> {
    let origin = extra.origin();
    let v = parse_value(&extra.read()?, &origin)?;
    match v.get("merge") {
        Some(m) => {
            deep_merge(into, m.clone());
            Ok(())
        }
        None => Err(ModelError::Invalid {
            origin,
            message: "an sdk-extras file needs a top-level `merge` object".into(),
        }),
    }
}

/// Objects merge key by key; anything else replaces.
pub fn deep_merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(slot) => deep_merge(slot, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Remove `documentation` and `documentationUrl` keys at every depth.
pub fn strip_documentation(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.shift_remove("documentation");
            m.shift_remove("documentationUrl");
            m.values_mut().for_each(strip_documentation);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_documentation),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    const M: &str = r#"{"metadata":{"protocol":"json","apiVersion":"V"},"shapes":{"S":{"type":"string","documentation":"d"}},"operations":{}}"#;

    #[test]
    fn newest_version_wins_across_roots_and_earlier_root_on_tie() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        write(
            a.path(),
            "svc/2020-01-01/service-2.json",
            &M.replace("\"V\"", "\"a-old\""),
        );
        write(
            b.path(),
            "svc/2021-01-01/service-2.json",
            &M.replace("\"V\"", "\"b-new\""),
        );
        write(
            a.path(),
            "svc/2021-01-01/waiters-2.json",
            r#"{"version":2}"#,
        );
        let sp = SpecPath::new(vec![Root::Dir(a.path().into()), Root::Dir(b.path().into())]);
        let m = sp.load_service("svc").unwrap();
        assert_eq!(m.metadata().api_version.as_deref(), Some("b-new"));
        write(
            a.path(),
            "svc/2021-01-01/service-2.json",
            &M.replace("\"V\"", "\"a-new\""),
        );
        let m = sp.load_service("svc").unwrap();
        assert_eq!(m.metadata().api_version.as_deref(), Some("a-new"));
        assert!(sp.load_json("svc", "waiters-2").unwrap().is_some());
        assert!(sp.load_json("svc", "paginators-1").unwrap().is_none());
    }

    #[test]
    fn plain_json_beats_gz_and_gz_is_read() {
        let a = tempfile::tempdir().unwrap();
        let gz = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut e, M.replace("\"V\"", "\"gz\"").as_bytes()).unwrap();
            e.finish().unwrap()
        };
        let p = a.path().join("svc/1/service-2.json.gz");
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, gz).unwrap();
        let sp = SpecPath::new(vec![Root::Dir(a.path().into())]);
        assert_eq!(
            sp.load_service("svc")
                .unwrap()
                .metadata()
                .api_version
                .as_deref(),
            Some("gz")
        );
        write(
            a.path(),
            "svc/1/service-2.json",
            &M.replace("\"V\"", "\"plain\""),
        );
        assert_eq!(
            sp.load_service("svc")
                .unwrap()
                .metadata()
                .api_version
                .as_deref(),
            Some("plain")
        );
    }

    #[test]
    fn sdk_extras_are_merged() {
        let a = tempfile::tempdir().unwrap();
        write(a.path(), "svc/1/service-2.json", M);
        write(
            a.path(),
            "svc/1/service-2.sdk-extras.json",
            r#"{"version":1.0,"merge":{"shapes":{"T":{"type":"timestamp"}}}}"#,
        );
        let sp = SpecPath::new(vec![Root::Dir(a.path().into())]);
        let m = sp.load_service("svc").unwrap();
        assert!(m.has_shape("T") && m.has_shape("S"));
    }

    #[test]
    fn unknown_service_says_where_it_looked() {
        let a = tempfile::tempdir().unwrap();
        let sp = SpecPath::new(vec![Root::Dir(a.path().into())]);
        let e = sp.load_service("nope").unwrap_err().to_string();
        assert!(
            e.contains("unknown service `nope`") && e.contains(&a.path().display().to_string()),
            "{e}"
        );
    }

    #[test]
    fn listing_opens_no_model() {
        let a = tempfile::tempdir().unwrap();
        write(a.path(), "good/1/service-2.json", "this is not even json");
        write(a.path(), "empty/1/other.json", "{}");
        let sp = SpecPath::new(vec![Root::Dir(a.path().into())]);
        let names = sp.services();
        assert!(names.contains("good") && !names.contains("empty"));
    }

    #[test]
    fn documentation_is_stripped_from_disk_models() {
        let a = tempfile::tempdir().unwrap();
        write(a.path(), "svc/1/service-2.json", M);
        let sp = SpecPath::new(vec![Root::Dir(a.path().into())]);
        let m = sp.load_service("svc").unwrap();
        assert!(!format!("{m:?}").contains("documentation"));
    }
}

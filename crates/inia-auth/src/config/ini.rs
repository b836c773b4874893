//! A parser for the INI dialect of the AWS shared config and credentials files (and the
//! legacy boto config), following Python's `configparser.RawConfigParser` as botocore uses
//! it, plus botocore's one level of nested blocks.
//!
//! The rules:
//! - `[name]` starts a section (the name is trimmed; a comment may follow the `]`).
//! - `key = value`, `key=value` or `key: value`: the first `=` or `:` separates; the key
//!   is trimmed and lower-cased, the value trimmed and otherwise kept as given (a `#` or
//!   `;` inside a value is part of it).
//! - A line whose first non-blank character is `#` or `;` is a comment, anywhere.
//! - A line indented deeper than the key line before it continues that key's value.
//!   When the key's own value is empty, the continuation lines are a nested block of
//!   `subkey = value` lines ([`IniValue::Nested`], e.g. `s3 =` / `  addressing_style =
//!   path`); otherwise they are appended to the value, one per line ([`IniValue::Text`]).
//! - Malformed (each a [`CredentialsError::Malformed`] naming file and line): a line with
//!   no `=` or `:`, a key before any section, an unterminated or empty `[`, text after a
//!   section's `]`, a section or key given twice (configparser's strict mode), a nested
//!   line without `=`, text that is not UTF-8.
//!
//! Error messages and `Debug` output never contain a value: values may be secrets.
//!
//! Owns: text to sections. Does not own: what sections mean (profiles, `sso-session`,
//! which file wins; see [`super::files`]).

use crate::provider::CredentialsError;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;

/// One key's value.
#[derive(Clone, PartialEq, Eq)]
pub enum IniValue {
    /// A plain value; continuation lines are joined with `\n`.
    Text(String),
    /// A key with an empty value followed by indented `subkey = value` lines.
    Nested(BTreeMap<String, String>),
}

impl IniValue {
    /// The plain value, or `None` for a nested block.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            IniValue::Text(s) => Some(s),
            IniValue::Nested(_) => None,
        }
    }

    /// The nested block, or `None` for a plain value.
    pub fn as_nested(&self) -> Option<&BTreeMap<String, String>> {
        match self {
            IniValue::Text(_) => None,
            IniValue::Nested(m) => Some(m),
        }
    }
}

impl fmt::Debug for IniValue {
    /// Shapes only, never values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IniValue::Text(_) => f.write_str("Text(..)"),
            IniValue::Nested(m) => f
                .debug_tuple("Nested")
                .field(&m.keys().collect::<Vec<_>>())
                .finish(),
        }
    }
}

/// A `[name]` section and its keys.
#[derive(Clone, PartialEq, Eq)]
pub struct Section {
    name: String,
    line: usize,
    values: BTreeMap<String, IniValue>,
}

impl Section {
    /// The name between the brackets, trimmed.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The line of the `[name]` header (1-based).
    pub fn line(&self) -> usize {
        self.line
    }

    /// A plain value (keys are lower-case).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).and_then(IniValue::as_text)
    }

    /// A value of either shape.
    pub fn value(&self, key: &str) -> Option<&IniValue> {
        self.values.get(key)
    }

    /// All keys and values.
    pub fn values(&self) -> &BTreeMap<String, IniValue> {
        &self.values
    }

    /// All keys and values, owned.
    pub fn into_values(self) -> BTreeMap<String, IniValue> {
        self.values
    }
}

impl fmt::Debug for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Section")
            .field("name", &self.name)
            .field("line", &self.line)
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A parsed file: its sections in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ini {
    sections: Vec<Section>,
}

impl Ini {
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    pub fn into_sections(self) -> Vec<Section> {
        self.sections
    }

    /// The section with this exact name.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }
}

/// Read and parse a file. A missing file (or a directory) is `Ok(None)`; so is a file
/// that cannot be read, as in botocore (logged as a warning).
pub fn read(path: &Path) -> Result<Option<Ini>, CredentialsError> {
    let shown = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound || path.is_dir() => return Ok(None),
        Err(e) => {
            tracing::warn!(path = %shown, error = %e, "cannot read config file; ignoring it");
            return Ok(None);
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..bad].iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(malformed(&shown, line, "not valid UTF-8".into()));
        }
    };
    parse(&text, &shown).map(Some)
}

/// Parse `text`; `path` is only used in errors.
pub fn parse(text: &str, path: &str) -> Result<Ini, CredentialsError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser {
        path,
        sections: Vec::new(),
        names: HashSet::new(),
        current: None,
        pending: None,
    };
    for (i, line) in text.lines().enumerate() {
        p.line(i + 1, line)?;
    }
    p.finish_section()?;
    Ok(Ini {
        sections: p.sections,
    })
}

fn malformed(path: &str, line: usize, message: String) -> CredentialsError {
    CredentialsError::Malformed {
        path: path.to_owned(),
        line,
        message,
    }
}

/// A key whose value may still grow by continuation lines.
struct Pending {
    key: String,
    /// Indentation of the key line: deeper lines continue it.
    indent: usize,
    first: String,
    /// Continuation lines (trimmed; blank lines as `""`) with their line numbers.
    more: Vec<(usize, String)>,
}

struct Parser<'a> {
    path: &'a str,
    sections: Vec<Section>,
    names: HashSet<String>,
    current: Option<Section>,
    pending: Option<Pending>,
}

impl Parser<'_> {
    fn err(&self, line: usize, message: impl Into<String>) -> CredentialsError {
        malformed(self.path, line, message.into())
    }

    fn line(&mut self, n: usize, line: &str) -> Result<(), CredentialsError> {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if let Some(p) = &mut self.pending {
                p.more.push((n, String::new()));
            }
            return Ok(());
        }
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            return Ok(());
        }
        let indent = line.chars().take_while(|c| c.is_whitespace()).count();
        if let Some(p) = &mut self.pending {
            if indent > p.indent {
                p.more.push((n, trimmed.to_owned()));
                return Ok(());
            }
        }
        self.finish_key()?;
        if let Some(rest) = trimmed.strip_prefix('[') {
            return self.header(n, rest);
        }
        let Some(section) = &self.current else {
            return Err(self.err(n, "a key outside any [section]"));
        };
        let Some(at) = trimmed.find(['=', ':']) else {
            return Err(self.err(
                n,
                format!("expected `key = value` in section [{}]", section.name),
            ));
        };
        let key = trimmed[..at].trim().to_lowercase();
        if key.is_empty() {
            return Err(self.err(
                n,
                format!("a value with no key in section [{}]", section.name),
            ));
        }
        if section.values.contains_key(&key) {
            return Err(self.err(
                n,
                format!("key `{key}` given twice in section [{}]", section.name),
            ));
        }
        self.pending = Some(Pending {
            key,
            indent,
            first: trimmed[at + 1..].trim().to_owned(),
            more: Vec::new(),
        });
        Ok(())
    }

    fn header(&mut self, n: usize, rest: &str) -> Result<(), CredentialsError> {
        let Some(end) = rest.find(']') else {
            return Err(self.err(n, "unterminated section header (no `]`)"));
        };
        let name = rest[..end].trim();
        let after = rest[end + 1..].trim();
        if name.is_empty() {
            return Err(self.err(n, "empty section name"));
        }
        if !(after.is_empty() || after.starts_with('#') || after.starts_with(';')) {
            return Err(self.err(n, format!("unexpected text after section header [{name}]")));
        }
        if !self.names.insert(name.to_owned()) {
            return Err(self.err(n, format!("section [{name}] given twice")));
        }
        self.finish_section()?;
        self.current = Some(Section {
            name: name.to_owned(),
            line: n,
            values: BTreeMap::new(),
        });
        Ok(())
    }

    fn finish_section(&mut self) -> Result<(), CredentialsError> {
        self.finish_key()?;
        if let Some(s) = self.current.take() {
            self.sections.push(s);
        }
        Ok(())
    }

    fn finish_key(&mut self) -> Result<(), CredentialsError> {
        let Some(p) = self.pending.take() else {
            return Ok(());
        };
        let value = if p.first.is_empty() && p.more.iter().any(|(_, l)| !l.is_empty()) {
            let mut block = BTreeMap::new();
            for (n, l) in p.more.iter().filter(|(_, l)| !l.is_empty()) {
                let Some((k, v)) = l.split_once('=') else {
                    return Err(self.err(
                        *n,
                        format!("expected `subkey = value` in the block under `{}`", p.key),
                    ));
                };
                let k = k.trim();
                if k.is_empty() {
                    return Err(self.err(
                        *n,
                        format!("a value with no key in the block under `{}`", p.key),
                    ));
                }
                block.insert(k.to_owned(), v.trim().to_owned());
            }
            IniValue::Nested(block)
        } else {
            let mut text = p.first;
            for (_, l) in &p.more {
                text.push('\n');
                text.push_str(l);
            }
            text.truncate(text.trim_end().len());
            IniValue::Text(text)
        };
        if let Some(s) = &mut self.current {
            s.values.insert(p.key, value);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Ini {
        parse(text, "f").unwrap_or_else(|e| panic!("{e}"))
    }

    fn err(text: &str) -> (usize, String) {
        match parse(text, "the/file") {
            Err(CredentialsError::Malformed {
                path,
                line,
                message,
            }) => {
                assert_eq!(path, "the/file");
                (line, message)
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn sections_keys_and_comments() {
        let ini = ok("# top\n; also\n[default]\nregion = us-west-2\noutput=json\n  \n\
                      [profile dev] ; trailing comment\n   # indented comment\nAWS_Access_Key_ID : AK\n\
                      url = http://x/#frag ; not a comment\n");
        assert_eq!(ini.sections().len(), 2);
        let d = ini.section("default").unwrap();
        assert_eq!(d.line(), 3);
        assert_eq!(d.get("region"), Some("us-west-2"));
        assert_eq!(d.get("output"), Some("json"));
        let p = ini.section("profile dev").unwrap();
        assert_eq!(p.get("aws_access_key_id"), Some("AK"));
        assert_eq!(p.get("url"), Some("http://x/#frag ; not a comment"));
    }

    #[test]
    fn nested_blocks() {
        let ini = ok(
            "[default]\ns3 =\n  addressing_style = path\n\n  # c\n  signature_version=s3v4\n\
                      region = eu-west-1\nempty =\n\nlast = 1\n",
        );
        let d = ini.section("default").unwrap();
        let s3 = d.value("s3").and_then(IniValue::as_nested).unwrap();
        assert_eq!(s3.get("addressing_style").map(String::as_str), Some("path"));
        assert_eq!(
            s3.get("signature_version").map(String::as_str),
            Some("s3v4")
        );
        assert_eq!(d.get("s3"), None);
        assert_eq!(d.get("region"), Some("eu-west-1"));
        assert_eq!(d.get("empty"), Some(""));
        assert_eq!(d.get("last"), Some("1"));
    }

    #[test]
    fn continuation_lines() {
        let ini = ok("[a]\ncmd = one\n   two = 2\n\n   three\n\nnext = x\n  [not a header]\n");
        let a = ini.section("a").unwrap();
        assert_eq!(a.get("cmd"), Some("one\ntwo = 2\n\nthree"));
        assert_eq!(a.get("next"), Some("x\n[not a header]"));
    }

    #[test]
    fn indented_key_after_header_and_crlf_and_bom() {
        let ini = ok("\u{feff}[a]\r\n  k = v\r\n  j = w\r\n");
        let a = ini.section("a").unwrap();
        assert_eq!(a.get("k"), Some("v"));
        assert_eq!(a.get("j"), Some("w"));
    }

    #[test]
    fn malformed_lines() {
        assert_eq!(err("k = v\n").0, 1);
        assert_eq!(err("[a]\nk = v\njust-a-secret-line\n").0, 3);
        assert_eq!(err("[a]\n[b\nk = v\n").0, 2);
        assert_eq!(err("[]\n").0, 1);
        assert_eq!(err("[a] b = c\n").0, 1);
        let (line, msg) = err("[a]\nk = 1\n[b]\n[a]\n");
        assert_eq!(line, 4);
        assert!(msg.contains("twice"), "{msg}");
        assert_eq!(err("[a]\nk = 1\nK = 2\n").0, 3);
        assert_eq!(err("[a]\n = 1\n").0, 2);
        assert_eq!(err("[a]\ns3 =\n  ok = 1\n  broken\n").0, 4);
    }

    #[test]
    fn errors_and_debug_never_show_values() {
        let secret = "wJalrXUtnFEMI-K7MDENG";
        let (_, msg) = err(&format!("[a]\n{secret}\n"));
        assert!(!msg.contains(secret), "{msg}");
        let (_, msg) = err(&format!("[a]\ns3 =\n  {secret}\n"));
        assert!(!msg.contains(secret), "{msg}");
        let ini = ok(&format!(
            "[a]\nsecret = {secret}\nblock =\n  x = {secret}\n"
        ));
        let d = format!("{ini:?} {:?}", ini.section("a").unwrap().values());
        assert!(d.contains("secret") && !d.contains(secret), "{d}");
    }

    #[test]
    fn read_missing_dir_and_bad_utf8() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(&dir.path().join("nope")).unwrap(), None);
        assert_eq!(read(dir.path()).unwrap(), None);
        let f = dir.path().join("bad");
        std::fs::write(&f, b"[a]\nk = v\nx = \xff\n").unwrap();
        match read(&f) {
            Err(CredentialsError::Malformed { path, line, .. }) => {
                assert_eq!(line, 3);
                assert!(path.ends_with("bad"));
            }
            other => panic!("{other:?}"),
        }
    }
}

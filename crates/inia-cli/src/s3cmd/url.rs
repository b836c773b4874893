//! Where an `inia s3` argument points: an S3 location (`s3://bucket/key`) or a local path,
//! and the key and path arithmetic the commands share (a key under a prefix, the last
//! component of a key).
//!
//! Owns reading and joining locations. Does not own any call (see `copy`, `mod`).

use crate::error::CliError;
use std::path::{Path, PathBuf};

/// One command-line location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loc {
    S3 { bucket: String, key: String },
    Local(String),
}

impl Loc {
    /// `s3://...` as an S3 location (checked), anything else as a local path.
    pub fn parse(arg: &str) -> Result<Loc, CliError> {
        if arg.len() >= 5 && arg[..5].eq_ignore_ascii_case("s3://") {
            let (bucket, key) = s3(arg)?;
            return Ok(Loc::S3 { bucket, key });
        }
        if arg.is_empty() {
            return Err(CliError::usage("an empty path is not a valid location"));
        }
        Ok(Loc::Local(arg.to_string()))
    }
}

/// `s3://bucket/key` as (bucket, key); the key may be empty. Anything else is a usage
/// error.
pub fn s3(arg: &str) -> Result<(String, String), CliError> {
    let bad = || CliError::usage(format!("{arg} is not a valid S3 path (s3://bucket/key)"));
    let rest = match arg.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("s3://") => &arg[5..],
        _ => return Err(bad()),
    };
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    if bucket.is_empty() || bucket.len() > 255 || !bucket.chars().all(ok_char) {
        return Err(bad());
    }
    Ok((bucket.to_string(), key.to_string()))
}

/// How an S3 location is shown.
pub fn show(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}

/// A key used as a folder: empty stays empty, else it ends with `/`.
pub fn as_prefix(key: &str) -> String {
    if key.is_empty() || key.ends_with('/') {
        key.to_string()
    } else {
        format!("{key}/")
    }
}

/// The last component of a key (`a/b/c.txt` → `c.txt`).
pub fn base_name(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

/// The destination key of one file named `name` copied to `key`: under it when `key` is
/// empty or a folder (`.../`), else `key` itself.
pub fn dest_key(key: &str, name: &str) -> String {
    if key.is_empty() || key.ends_with('/') {
        format!("{key}{name}")
    } else {
        key.to_string()
    }
}

/// The local destination of one object named `name` copied to `arg`: inside it when it
/// is a folder (or ends with a separator), else `arg` itself.
pub fn dest_path(arg: &str, name: &str) -> PathBuf {
    let path = Path::new(arg);
    if arg.ends_with('/') || arg.ends_with(std::path::MAIN_SEPARATOR) || path.is_dir() {
        path.join(name)
    } else {
        path.to_path_buf()
    }
}

/// A relative key (`sub/x.txt`) as a path under `dir`; `None` when a component would
/// leave `dir` (`..`, an absolute part) or is empty.
pub fn join_key(dir: &Path, rel: &str) -> Option<PathBuf> {
    let mut out = dir.to_path_buf();
    for part in rel.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
            return None;
        }
        out.push(part);
    }
    Some(out)
}

/// Whether `rel` passes `--exclude` (false) / `--include` (true) patterns: included
/// unless excluded, the last matching pattern deciding, as the AWS CLI does.
pub fn included(rel: &str, filters: &[(bool, String)]) -> bool {
    filters
        .iter()
        .rev()
        .find(|(_, pattern)| glob(pattern.as_bytes(), rel.as_bytes()))
        .is_none_or(|(include, _)| *include)
}

/// `*` (any run, `/` too) and `?` (any one character) matching, as Python's fnmatch.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls() {
        assert_eq!(s3("s3://b").unwrap(), ("b".into(), "".into()));
        assert_eq!(s3("s3://b/").unwrap(), ("b".into(), "".into()));
        assert_eq!(
            s3("s3://b/a/c.txt").unwrap(),
            ("b".into(), "a/c.txt".into())
        );
        for bad in ["s3://", "s3:///k", "b/k", "s3://b c/k", "s"] {
            assert_eq!(s3(bad).unwrap_err().code, 252, "{bad}");
        }
        assert_eq!(Loc::parse("./a").unwrap(), Loc::Local("./a".into()));
    }

    #[test]
    fn keys_and_paths() {
        assert_eq!(as_prefix("a"), "a/");
        assert_eq!(as_prefix(""), "");
        assert_eq!(base_name("a/b/c"), "c");
        assert_eq!(dest_key("p/", "x"), "p/x");
        assert_eq!(dest_key("p/y", "x"), "p/y");
        assert!(join_key(Path::new("d"), "a/../b").is_none());
        assert_eq!(
            join_key(Path::new("d"), "a/b"),
            Some(PathBuf::from("d/a/b"))
        );
    }

    #[test]
    fn filters() {
        let f = |v: &[(bool, &str)]| -> Vec<(bool, String)> {
            v.iter().map(|(i, p)| (*i, p.to_string())).collect()
        };
        assert!(included("a.txt", &[]));
        assert!(!included("sub/a.txt", &f(&[(false, "*.txt")])));
        assert!(included("a.json", &f(&[(false, "*.txt")])));
        let only_json = f(&[(false, "*"), (true, "*.json")]);
        assert!(included("x/y.json", &only_json) && !included("y.txt", &only_json));
        assert!(glob(b"a?c*", b"abcdef") && !glob(b"a?c", b"abcd"));
    }
}

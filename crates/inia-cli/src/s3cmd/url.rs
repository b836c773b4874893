//! Where an `inia s3` argument points: an S3 location (`s3://bucket/key`) or a local path,
//! and the key and path arithmetic the commands share: a key under a prefix, the last
//! component of a key, a key as a path under a folder (refused when it would leave the
//! folder), a local path as the AWS CLI shows it (relative to the current folder,
//! `./a.txt`), and the `--exclude`/`--include` patterns.
//!
//! Owns reading and joining locations. Does not own any call (see `copy`, `mod`).

use crate::error::CliError;
use std::path::{Component, Path, PathBuf};

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

/// A relative key (`sub/x.txt`) as a path under `dir`, its components normalized as the
/// AWS CLI's paths are (`a//b` is `a/b`, `c/../d` is `d`); `None` when the key would
/// leave `dir` (`../x`, `a/../../x`) or names nothing.
pub fn join_key(dir: &Path, rel: &str) -> Option<PathBuf> {
    let mut parts: Vec<&str> = Vec::new();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return None;
    }
    let mut out = dir.to_path_buf();
    out.extend(parts);
    Some(out)
}

/// `path` made absolute against the current folder, `.` and `..` resolved by name (as
/// Python's `os.path.abspath`, without following links).
pub fn absolute(path: &Path) -> PathBuf {
    let base = if path.is_absolute() {
        PathBuf::new()
    } else {
        std::env::current_dir().unwrap_or_default()
    };
    normalize(&base.join(path))
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A local path as the AWS CLI shows it: its folder relative to the current one, then
/// its name (`a.txt` → `./a.txt`, `/tmp/x` from `/work` → `../tmp/x`).
pub fn shown(path: &Path) -> String {
    let abs = absolute(path);
    let (Some(dir), Some(name)) = (abs.parent(), abs.file_name()) else {
        return abs.display().to_string();
    };
    let cwd = normalize(&std::env::current_dir().unwrap_or_default());
    let ours: Vec<Component> = dir.components().collect();
    let theirs: Vec<Component> = cwd.components().collect();
    let common = ours.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
    let mut rel = PathBuf::new();
    for _ in common..theirs.len() {
        rel.push("..");
    }
    for c in &ours[common..] {
        rel.push(c.as_os_str());
    }
    if rel.as_os_str().is_empty() {
        rel.push(".");
    }
    rel.join(name).display().to_string()
}

/// Whether `rel` passes `--exclude` (false) / `--include` (true) patterns: included
/// unless excluded, the last matching pattern deciding, as the AWS CLI does.
pub fn included(rel: &str, filters: &[(bool, String)]) -> bool {
    filters
        .iter()
        .rev()
        .find(|(_, pattern)| glob(pattern, rel))
        .is_none_or(|(include, _)| *include)
}

/// Python's `fnmatch`: `*` any run (`/` too), `?` any one character, `[abc]`, `[a-z]`,
/// `[!abc]` one of (or none of) a set; a `[` without its `]` is itself.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => class(&p[pi..], t[ti]).map(|(hit, len)| if hit { len } else { 0 }),
            Some(&c) => Some(usize::from(c == t[ti])),
            None => Some(0),
        };
        match step {
            // `[` without `]`: a plain character.
            None if t[ti] == '[' => {
                pi += 1;
                ti += 1;
            }
            Some(n) if n > 0 => {
                pi += n;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A `[...]` set at the start of `p` against `c`: (matched, the set's length in the
/// pattern); `None` when there is no closing `]`.
fn class(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(i), Some('!'));
    if negate {
        i += 1;
    }
    // A `]` first in the set is itself.
    let start = i;
    let mut hit = false;
    while i < p.len() && (p[i] != ']' || i == start) {
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&e| e != ']') {
            hit |= p[i] <= c && c <= p[i + 2];
            i += 3;
        } else {
            hit |= p[i] == c;
            i += 1;
        }
    }
    if i >= p.len() {
        return None;
    }
    Some((hit != negate, i + 1))
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
        let d = Path::new("d");
        assert_eq!(join_key(d, "a/../b"), Some(PathBuf::from("d/b")));
        assert_eq!(join_key(d, "a//b"), Some(PathBuf::from("d/a/b")));
        assert_eq!(join_key(d, "/x"), Some(PathBuf::from("d/x")));
        assert!(join_key(d, "../x").is_none());
        assert!(join_key(d, "a/../../x").is_none());
        assert!(join_key(d, "").is_none());
        assert_eq!(shown(Path::new("a.txt")), "./a.txt");
        assert_eq!(shown(Path::new("./x/../up/a.txt")), "up/a.txt");
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(shown(&cwd.join("s/t")), "s/t");
        let parent = cwd.parent().unwrap().join("zz.txt");
        assert_eq!(shown(&parent), "../zz.txt");
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
        assert!(glob("a?c*", "abcdef") && !glob("a?c", "abcd"));
        assert!(glob("[ab]x", "bx") && !glob("[ab]x", "cx"));
        assert!(glob("[!ab]x", "cx") && !glob("[!ab]x", "ax"));
        assert!(glob("f[0-9].txt", "f7.txt") && !glob("f[0-9].txt", "fa.txt"));
        assert!(glob("a[b", "a[b") && !glob("a[b", "ab"));
        assert!(glob("*[]]", "x]"));
        assert!(glob("é?", "éü"));
    }
}

//! The local side of `inia s3`: the files of a folder tree as the AWS CLI lists them
//! (sorted as S3 sorts keys, symbolic links followed unless `--no-follow-symlinks`,
//! special files, dangling links and unreadable files skipped with its warnings), each
//! file's size and modification time, and the modification time a download is given
//! (the object's `LastModified`, whole seconds, as the AWS CLI sets it).
//!
//! Owns walking folders and file times. Does not own what is done with the files
//! (`copy`, `sync`).

use super::progress::Reporter;
use super::url;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One local file.
#[derive(Debug, Clone)]
pub struct LocalFile {
    /// Its path relative to the walked folder, `/`-separated (what keys and filters use).
    pub rel: String,
    pub path: PathBuf,
    pub size: u64,
    /// Modified, in microseconds since the epoch.
    pub modified: i64,
}

/// Why a file is skipped, in the AWS CLI's words; `None` when it can be read.
pub fn problem(path: &Path) -> Option<&'static str> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Some("File does not exist.");
    };
    if is_special(&meta) {
        return Some("File is character special device, block special device, FIFO, or socket.");
    }
    let readable = if meta.is_dir() {
        std::fs::read_dir(path).is_ok()
    } else {
        std::fs::File::open(path).is_ok()
    };
    (!readable).then_some("File/Directory is not readable.")
}

#[cfg(unix)]
fn is_special(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    t.is_char_device() || t.is_block_device() || t.is_fifo() || t.is_socket()
}

#[cfg(not(unix))]
fn is_special(_meta: &std::fs::Metadata) -> bool {
    false
}

/// Whether `path` is left out without a word: a symbolic link when links are not
/// followed.
pub fn ignored(path: &Path, follow: bool) -> bool {
    !follow && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// One file given by name (not a folder walk): its size and time, or `None` after a
/// warning when it is skipped (or silently when it is a link not to be followed).
pub fn single(path: &Path, follow: bool, report: &Reporter) -> Option<LocalFile> {
    if ignored(path, follow) {
        return None;
    }
    if let Some(why) = problem(path) {
        report.skipped(&url::absolute(path).display().to_string(), why);
        return None;
    }
    let meta = std::fs::metadata(path).ok()?;
    let rel = path.file_name()?.to_str()?.to_string();
    Some(LocalFile {
        rel,
        path: path.to_path_buf(),
        size: meta.len(),
        modified: micros(meta.modified().ok()),
    })
}

/// The files under the folder `root`, sorted by `rel` as S3 sorts keys (a folder's
/// files where `name/` sorts). Each skipped entry gets its warning.
pub fn walk(root: &Path, follow: bool, report: &Reporter) -> Vec<LocalFile> {
    let mut out = Vec::new();
    let shown_root = url::absolute(root);
    let mut parents = Vec::new();
    walk_into(
        root,
        &shown_root,
        "",
        follow,
        report,
        &mut parents,
        &mut out,
    );
    out
}

#[allow(clippy::too_many_arguments)]
fn walk_into(
    dir: &Path,
    shown_dir: &Path,
    rel: &str,
    follow: bool,
    report: &Reporter,
    parents: &mut Vec<PathBuf>,
    out: &mut Vec<LocalFile>,
) {
    // A followed link back to a folder being walked would never end.
    let real = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if parents.contains(&real) {
        report.skipped(
            &shown_dir.display().to_string(),
            "The folder links back to a folder that contains it.",
        );
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(_) => {
            report.skipped(
                &shown_dir.display().to_string(),
                "File/Directory is not readable.",
            );
            return;
        }
    };
    parents.push(real);
    // (sort key, name, is a folder)
    let mut names: Vec<(String, String, bool)> = Vec::new();
    for e in entries.flatten() {
        let Some(name) = e.file_name().to_str().map(str::to_string) else {
            report.skipped(
                &shown_dir.join(e.file_name()).display().to_string(),
                "The file name is not valid UTF-8.",
            );
            continue;
        };
        let path = dir.join(&name);
        if ignored(&path, follow) {
            continue;
        }
        if let Some(why) = problem(&path) {
            report.skipped(&shown_dir.join(&name).display().to_string(), why);
            continue;
        }
        let is_dir = path.is_dir();
        let key = if is_dir {
            format!("{name}/")
        } else {
            name.clone()
        };
        names.push((key, name, is_dir));
    }
    names.sort();
    for (_, name, is_dir) in names {
        let path = dir.join(&name);
        let child_rel = format!("{rel}{name}");
        if is_dir {
            walk_into(
                &path,
                &shown_dir.join(&name),
                &format!("{child_rel}/"),
                follow,
                report,
                parents,
                out,
            );
        } else if let Ok(meta) = std::fs::metadata(&path) {
            out.push(LocalFile {
                rel: child_rel,
                path,
                size: meta.len(),
                modified: micros(meta.modified().ok()),
            });
        }
    }
    parents.pop();
}

/// A file time in microseconds since the epoch (0 when unknown).
fn micros(t: Option<SystemTime>) -> i64 {
    let Some(t) = t else { return 0 };
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_micros()).unwrap_or(i64::MAX),
    }
}

/// Give a downloaded file the object's time (`micros` since the epoch), in whole
/// seconds, as its modification and access time.
pub fn set_time(path: &Path, micros: i64) -> std::io::Result<()> {
    let secs = micros.div_euclid(1_000_000);
    let t = if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    };
    let file = std::fs::File::options().write(true).open(path)?;
    file.set_times(std::fs::FileTimes::new().set_accessed(t).set_modified(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3cmd::progress::{Mode, Reporter};

    #[test]
    fn walks_sorted_with_folders_as_key_prefixes() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("a")).unwrap();
        std::fs::write(d.path().join("a/x"), "1").unwrap();
        std::fs::write(d.path().join("a-c"), "22").unwrap();
        std::fs::write(d.path().join("b"), "").unwrap();
        let r = Reporter::new(Mode::Quiet);
        let files = walk(d.path(), true, &r);
        let rels: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        // S3 order: `a-c` < `a/x` ('-' sorts before '/').
        assert_eq!(rels, ["a-c", "a/x", "b"]);
        assert_eq!(files[0].size, 2);
        assert!(r.finish().is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn skips_dangling_links_and_loops_with_warnings() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("ok"), "1").unwrap();
        std::os::unix::fs::symlink("/nonexistent/x", d.path().join("dangling")).unwrap();
        std::os::unix::fs::symlink(d.path(), d.path().join("loop")).unwrap();
        let r = Reporter::new(Mode::Quiet);
        let files = walk(d.path(), true, &r);
        assert_eq!(files.len(), 1);
        assert_eq!(r.finish().unwrap_err().code, 2);
        // Not following links: both are left out without a warning.
        let r = Reporter::new(Mode::Quiet);
        assert_eq!(walk(d.path(), false, &r).len(), 1);
        assert!(r.finish().is_ok());
    }

    #[test]
    fn times_are_set_in_whole_seconds() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        std::fs::write(&p, "x").unwrap();
        set_time(&p, 1_700_000_000_900_000).unwrap();
        let m = std::fs::metadata(&p).unwrap().modified().unwrap();
        assert_eq!(micros(Some(m)), 1_700_000_000_000_000);
    }
}

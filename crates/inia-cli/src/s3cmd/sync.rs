//! `sync`: copy each file of a source folder tree (local or an S3 prefix) that the
//! destination lacks or holds differently, with the AWS CLI's rules, so that either tool
//! can carry on what the other started:
//! - a file the destination lacks is copied;
//! - a file both have is copied when the sizes differ, else when the times say so: an
//!   upload or an S3 copy when the source is newer than the destination, a download when
//!   the local file is newer than the object (a download gives the file the object's
//!   time, so the two then agree); `--exact-timestamps` downloads unless the times are
//!   equal; `--size-only` looks at the sizes alone;
//! - with `--delete`, what the destination has and the source lacks is deleted.
//!
//! The `--exclude`/`--include` patterns apply to both sides. The copies themselves are
//! `copy`'s jobs.
//!
//! Owns the comparison. Does not own the transfers or the lines (`copy`, `progress`).

use super::copy::{execute, Job, Op};
use super::local::{self, LocalFile};
use super::plan;
use super::progress::{Mode, Reporter};
use super::remote::{self, Object};
use super::url::{self, Loc};
use super::Args;
use crate::error::CliError;
use inia::Client;
use std::collections::BTreeMap;
use std::path::Path;

/// One side's file or object.
enum Entry {
    Local(LocalFile),
    S3(Object),
}

impl Entry {
    fn size(&self) -> u64 {
        match self {
            Entry::Local(f) => f.size,
            Entry::S3(o) => o.size,
        }
    }

    fn modified(&self) -> i64 {
        match self {
            Entry::Local(f) => f.modified,
            Entry::S3(o) => o.modified,
        }
    }
}

/// Which way the files go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Upload,
    Download,
    Copy,
}

/// Whether a file both sides have is copied (see the module doc).
fn needs_copy(src: &Entry, dst: &Entry, way: Direction, args: &Args) -> bool {
    let exact = args.exact_timestamps;
    if args.size_only && !exact {
        return src.size() != dst.size();
    }
    if src.size() != dst.size() {
        return true;
    }
    // Destination time minus source time, in microseconds.
    let delta = dst.modified() - src.modified();
    match way {
        Direction::Upload | Direction::Copy => delta < 0,
        Direction::Download if exact => delta != 0,
        Direction::Download => delta > 0,
    }
}

/// `sync SRC DST [--delete] [--exact-timestamps] [--size-only]`.
pub async fn sync(client: &Client, args: &Args, page_size: Option<u64>) -> Result<(), CliError> {
    let src = Loc::parse(&args.paths[0])?;
    let dst = Loc::parse(&args.paths[1])?;
    let way = match (&src, &dst) {
        (Loc::Local(_), Loc::Local(_)) => {
            return Err(CliError::usage(
                "Error: Invalid argument type: one of the paths must be s3://bucket/prefix",
            ))
        }
        (Loc::Local(p), _) | (_, Loc::Local(p)) if p == "-" => {
            return Err(CliError::usage(
                "Streaming currently is only compatible with non-recursive cp commands",
            ))
        }
        (Loc::Local(_), _) => Direction::Upload,
        (_, Loc::Local(_)) => Direction::Download,
        _ => Direction::Copy,
    };
    if let Loc::Local(from) = &src {
        if std::fs::metadata(from).is_err() {
            return Err(CliError::other(format!(
                "The user-provided path {from} does not exist."
            )));
        }
    }
    if let Loc::Local(to) = &dst {
        std::fs::create_dir_all(to).map_err(|e| CliError::other(format!("{to}: {e}")))?;
    }
    let report = Reporter::new(Mode::of(args, false));
    let sources = entries(client, args, page_size, &src, &report).await?;
    let mut dests = entries(client, args, page_size, &dst, &report).await?;
    let mut jobs = Vec::new();
    let mut to_download = Vec::new();
    let mut to_copy = Vec::new();
    for (rel, s) in sources {
        let wanted = dests
            .remove(&rel)
            .is_none_or(|d| needs_copy(&s, &d, way, args));
        if !wanted {
            continue;
        }
        match (s, &dst) {
            (Entry::Local(f), Loc::S3 { bucket, key }) => {
                let key = format!("{}{rel}", url::as_prefix(key));
                jobs.push(plan::upload_job(f, bucket, key));
            }
            (Entry::S3(o), Loc::Local(_)) => to_download.push(o),
            (Entry::S3(o), Loc::S3 { .. }) => to_copy.push(o),
            (Entry::Local(_), Loc::Local(_)) => {}
        }
    }
    match (&src, &dst) {
        (Loc::S3 { bucket, .. }, Loc::Local(to)) => {
            jobs.extend(plan::downloads(bucket, &to_download, to, args, true));
        }
        (
            Loc::S3 { bucket, .. },
            Loc::S3 {
                bucket: tb,
                key: tk,
            },
        ) => {
            jobs.extend(plan::copies(bucket, &to_copy, tb, tk, args, true));
        }
        _ => {}
    }
    if args.delete {
        // What is left of the destination's files, the source lacks.
        jobs.extend(dests.into_iter().map(|(rel, d)| delete_job(&dst, &rel, d)));
    }
    execute(client, args, jobs, false, report).await
}

/// The files under a location, by path relative to it (S3 folder markers left out).
async fn entries(
    client: &Client,
    args: &Args,
    page_size: Option<u64>,
    loc: &Loc,
    report: &Reporter,
) -> Result<BTreeMap<String, Entry>, CliError> {
    let mut out = BTreeMap::new();
    match loc {
        Loc::Local(dir) => {
            let path = Path::new(dir);
            if !path.is_dir() {
                return Err(CliError::usage(format!("{dir} is not a directory")));
            }
            if local::ignored(path, !args.no_follow_symlinks) {
                return Ok(out);
            }
            for f in local::walk(path, !args.no_follow_symlinks, report) {
                out.insert(f.rel.clone(), Entry::Local(f));
            }
        }
        Loc::S3 { bucket, key } => {
            let prefix = url::as_prefix(key);
            let objects = remote::list(client, args, page_size, bucket, &prefix)
                .await
                .map_err(|reason| report.fatal(&reason))?;
            for o in objects {
                if !o.rel.is_empty() && !o.is_folder_marker() {
                    out.insert(o.rel.clone(), Entry::S3(o));
                }
            }
        }
    }
    Ok(out)
}

/// The job deleting the destination's `rel`.
fn delete_job(dst: &Loc, rel: &str, entry: Entry) -> Job {
    match (dst, entry) {
        (Loc::Local(_), Entry::Local(f)) => {
            let shown = url::shown(&f.path);
            Job::new(
                Op::DeleteLocal { path: f.path },
                0,
                shown,
                String::new(),
                rel,
            )
        }
        (Loc::S3 { bucket, .. }, Entry::S3(o)) => {
            let shown = url::show(bucket, &o.key);
            let op = Op::Delete {
                bucket: bucket.clone(),
                key: o.key,
            };
            Job::new(op, 0, shown, String::new(), rel)
        }
        // A side's entries are all of its kind.
        _ => Job::new(Op::Skipped, 0, String::new(), String::new(), rel),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(size: u64, modified: i64) -> Entry {
        Entry::S3(Object {
            key: "k".into(),
            rel: "k".into(),
            size,
            modified,
            archived: false,
        })
    }

    fn file(size: u64, modified: i64) -> Entry {
        Entry::Local(LocalFile {
            rel: "k".into(),
            path: "k".into(),
            size,
            modified,
        })
    }

    #[test]
    fn the_aws_cli_rules() {
        let plain = Args::default();
        let exact = Args {
            exact_timestamps: true,
            ..Args::default()
        };
        let size_only = Args {
            size_only: true,
            ..Args::default()
        };
        use Direction::*;
        // Upload: the local file newer than the object goes up; older or equal stays.
        assert!(needs_copy(&file(1, 10), &object(1, 5), Upload, &plain));
        assert!(!needs_copy(&file(1, 5), &object(1, 10), Upload, &plain));
        assert!(!needs_copy(&file(1, 5), &object(1, 5), Upload, &plain));
        assert!(needs_copy(&file(2, 5), &object(1, 10), Upload, &plain));
        // Download: the local file newer than the object comes down again.
        assert!(needs_copy(&object(1, 5), &file(1, 10), Download, &plain));
        assert!(!needs_copy(&object(1, 10), &file(1, 5), Download, &plain));
        assert!(!needs_copy(&object(1, 5), &file(1, 5), Download, &plain));
        // --exact-timestamps: any difference comes down; equal stays.
        assert!(needs_copy(&object(1, 10), &file(1, 5), Download, &exact));
        assert!(!needs_copy(&object(1, 5), &file(1, 5), Download, &exact));
        // ... and does not change uploads.
        assert!(!needs_copy(&file(1, 5), &object(1, 10), Upload, &exact));
        // --size-only.
        assert!(!needs_copy(&file(1, 10), &object(1, 5), Upload, &size_only));
        assert!(needs_copy(&file(2, 1), &object(1, 5), Upload, &size_only));
        // Copy: as an upload.
        assert!(needs_copy(&object(1, 10), &object(1, 5), Copy, &plain));
        assert!(!needs_copy(&object(1, 5), &object(1, 10), Copy, &plain));
    }
}

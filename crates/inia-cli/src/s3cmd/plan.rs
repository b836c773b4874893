//! What `cp`, `mv` and `rm` stand for, as single-file jobs, decided as the AWS CLI
//! decides: one file (a named object is asked for with `HeadObject` first, so that a
//! missing one is a `fatal error`), or with `--recursive` a local folder tree or every
//! object under a prefix; a destination ending with `/` (or an existing folder) takes
//! the source's name. Local paths are shown relative to the current folder (`./a.txt`).
//!
//! Owns building the jobs of those commands. Does not own running them (`copy`) or
//! `sync`'s comparison (`sync`).

use super::copy::{execute, Job, Op};
use super::local;
use super::progress::{Mode, Reporter};
use super::remote::{self, Object};
use super::url::{self, Loc};
use super::Args;
use crate::error::CliError;
use inia::Client;
use std::path::Path;

/// `cp` (and `mv` when `mv`).
pub async fn cp(
    client: &Client,
    args: &Args,
    page_size: Option<u64>,
    mv: bool,
) -> Result<(), CliError> {
    let src = Loc::parse(&args.paths[0])?;
    let dst = Loc::parse(&args.paths[1])?;
    let stream = matches!((&src, &dst), (Loc::Local(p), _) | (_, Loc::Local(p)) if p == "-");
    if stream && (mv || args.recursive) {
        return Err(CliError::usage(
            "Streaming currently is only compatible with non-recursive cp commands",
        ));
    }
    let report = Reporter::new(Mode::of(args, stream));
    if let Loc::S3 { bucket, key } = &src {
        if key.is_empty() && !args.recursive && !stream {
            return Err(CliError::usage(format!(
                "{} names no object (use --recursive)",
                url::show(bucket, key)
            )));
        }
    }
    let jobs = match (&src, &dst) {
        (Loc::Local(_), Loc::Local(_)) => {
            return Err(CliError::usage(
                "Error: Invalid argument type: one of the paths must be s3://bucket/key",
            ))
        }
        (Loc::Local(from), Loc::S3 { bucket, key }) if from == "-" => {
            vec![stream_job(bucket, key, true)?]
        }
        (Loc::S3 { bucket, key }, Loc::Local(to)) if to == "-" => {
            vec![stream_job(bucket, key, false)?]
        }
        (Loc::Local(from), Loc::S3 { bucket, key }) => uploads(from, bucket, key, args, &report)?,
        (Loc::S3 { bucket, key }, Loc::Local(to)) => {
            let objects = sources(client, args, page_size, bucket, key)
                .await
                .map_err(|reason| report.fatal(&reason))?;
            if args.recursive {
                std::fs::create_dir_all(to).map_err(|e| CliError::other(format!("{to}: {e}")))?;
            }
            downloads(bucket, &objects, to, args, args.recursive)
        }
        (
            Loc::S3 { bucket, key },
            Loc::S3 {
                bucket: to_bucket,
                key: to_key,
            },
        ) => {
            if mv {
                same_place_check(&src, &dst)?;
            }
            let objects = sources(client, args, page_size, bucket, key)
                .await
                .map_err(|reason| report.fatal(&reason))?;
            copies(bucket, &objects, to_bucket, to_key, args, args.recursive)
        }
    };
    execute(client, args, jobs, mv, report).await
}

/// `mv s3://b/k s3://b/k` (or into its own folder) would delete the object: refused.
fn same_place_check(src: &Loc, dst: &Loc) -> Result<(), CliError> {
    if let (
        Loc::S3 { bucket, key },
        Loc::S3 {
            bucket: b2,
            key: k2,
        },
    ) = (src, dst)
    {
        let onto = bucket == b2
            && (key == k2
                || ((k2.is_empty() || k2.ends_with('/'))
                    && *key == format!("{k2}{}", url::base_name(key))));
        if onto {
            return Err(CliError::other(format!(
                "Cannot mv a file onto itself: {} - {}",
                url::show(bucket, key),
                url::show(b2, k2)
            )));
        }
    }
    Ok(())
}

/// `rm s3://bucket/key`, or with `--recursive` every object under the prefix (folder
/// markers too).
pub async fn rm(client: &Client, args: &Args, page_size: Option<u64>) -> Result<(), CliError> {
    let (bucket, key) = url::s3(&args.paths[0])?;
    let report = Reporter::new(Mode::of(args, false));
    let delete = |key: String, rel: &str, size: u64| {
        let op = Op::Delete {
            bucket: bucket.clone(),
            key: key.clone(),
        };
        Job::new(op, size, url::show(&bucket, &key), String::new(), rel)
    };
    let jobs = if args.recursive {
        let prefix = url::as_prefix(&key);
        remote::list(client, args, page_size, &bucket, &prefix)
            .await
            .map_err(|reason| report.fatal(&reason))?
            .into_iter()
            .map(|o| delete(o.key, &o.rel, o.size))
            .collect()
    } else {
        if key.is_empty() {
            return Err(CliError::usage(format!(
                "rm: {} names no object (use --recursive)",
                args.paths[0]
            )));
        }
        vec![delete(key.clone(), url::base_name(&key), 0)]
    };
    execute(client, args, jobs, false, report).await
}

/// `cp - s3://b/k` (`upload`) or `cp s3://b/k -`: one object, streamed.
fn stream_job(bucket: &str, key: &str, upload: bool) -> Result<Job, CliError> {
    if key.is_empty() || key.ends_with('/') {
        return Err(CliError::usage(format!(
            "{} names no object: a stream needs a full key",
            url::show(bucket, key)
        )));
    }
    let (bucket, key) = (bucket.to_string(), key.to_string());
    let shown = url::show(&bucket, &key);
    let rel = url::base_name(&key).to_string();
    Ok(if upload {
        Job::new(Op::UploadStdin { bucket, key }, 0, "-".into(), shown, &rel)
    } else {
        Job::new(
            Op::DownloadStdout { bucket, key },
            0,
            shown,
            "-".into(),
            &rel,
        )
    })
}

/// The objects a command copies from `s3://bucket/key`: with `--recursive` every one
/// under the prefix (folder markers left out), else the one named (`HeadObject`).
async fn sources(
    client: &Client,
    args: &Args,
    page_size: Option<u64>,
    bucket: &str,
    key: &str,
) -> Result<Vec<Object>, String> {
    if args.recursive {
        let prefix = url::as_prefix(key);
        let all = remote::list(client, args, page_size, bucket, &prefix).await?;
        return Ok(all
            .into_iter()
            .filter(|o| !o.is_folder_marker() && !o.rel.is_empty())
            .collect());
    }
    Ok(vec![remote::head(client, args, bucket, key).await?])
}

/// The files of a local file or (with `--recursive`) folder tree, as uploads.
fn uploads(
    from: &str,
    bucket: &str,
    key: &str,
    args: &Args,
    report: &Reporter,
) -> Result<Vec<Job>, CliError> {
    let root = Path::new(from);
    if std::fs::metadata(root).is_err() {
        return Err(CliError::other(format!(
            "The user-provided path {from} does not exist."
        )));
    }
    let follow = !args.no_follow_symlinks;
    let upload = |file: local::LocalFile, key: String| upload_job(file, bucket, key);
    if !args.recursive {
        if root.is_dir() {
            return Err(CliError::usage(format!(
                "{from} is a directory (use --recursive)"
            )));
        }
        return Ok(local::single(root, follow, report)
            .map(|f| {
                let key = url::dest_key(key, &f.rel);
                upload(f, key)
            })
            .into_iter()
            .collect());
    }
    if !root.is_dir() {
        return Err(CliError::usage(format!(
            "{from} is not a directory (--recursive)"
        )));
    }
    let prefix = url::as_prefix(key);
    if local::ignored(root, follow) {
        return Ok(Vec::new());
    }
    Ok(local::walk(root, follow, report)
        .into_iter()
        .map(|f| {
            let key = format!("{prefix}{}", f.rel);
            upload(f, key)
        })
        .collect())
}

/// The upload of `file` as `s3://bucket/key`.
pub(super) fn upload_job(file: local::LocalFile, bucket: &str, key: String) -> Job {
    let src = url::shown(&file.path);
    let dst = url::show(bucket, &key);
    let op = Op::Upload {
        path: file.path,
        bucket: bucket.to_string(),
        key,
    };
    Job::new(op, file.size, src, dst, &file.rel)
}

/// Why an object is not copied or downloaded, unless told to: it is archived.
fn archived_skip(args: &Args, bucket: &str, o: &Object, what: &str) -> Option<(String, String)> {
    if !o.archived || args.force_glacier_transfer || args.ignore_glacier_warnings {
        return None;
    }
    Some((
        url::show(bucket, &o.key),
        format!(
            "Object is of storage class GLACIER. Unable to perform {what} operations on \
             GLACIER objects. You must restore the object to be able to perform the \
             operation. See inia s3 {what} help for additional parameter options to \
             ignore or force these transfers."
        ),
    ))
}

/// Whether an archived object is left out without a word (`--ignore-glacier-warnings`).
fn archived_ignored(args: &Args, o: &Object) -> bool {
    o.archived && args.ignore_glacier_warnings && !args.force_glacier_transfer
}

/// The objects as downloads into `to` (a folder when `dir`, else a file or a folder to
/// put the file in). A key that would leave the folder is skipped.
pub(super) fn downloads(
    bucket: &str,
    objects: &[Object],
    to: &str,
    args: &Args,
    dir: bool,
) -> Vec<Job> {
    objects
        .iter()
        .filter(|o| !archived_ignored(args, o))
        .map(|o| {
            let path = if dir {
                url::join_key(Path::new(to), &o.rel)
            } else {
                Some(url::dest_path(to, &o.rel))
            };
            let src = url::show(bucket, &o.key);
            let Some(path) = path else {
                let mut job = Job::new(Op::Skipped, o.size, src, String::new(), &o.rel);
                job.skip = Some((o.rel.clone(), "File references a parent directory.".into()));
                return job;
            };
            let dst = url::shown(&path);
            let op = Op::Download {
                bucket: bucket.to_string(),
                key: o.key.clone(),
                path,
                modified: o.modified,
            };
            let mut job = Job::new(op, o.size, src, dst, &o.rel);
            job.skip = archived_skip(args, bucket, o, "download");
            job
        })
        .collect()
}

/// The objects as copies under `to_key` of `to_bucket` (a prefix when `dir`, else a key
/// or a folder to put the object in).
pub(super) fn copies(
    bucket: &str,
    objects: &[Object],
    to_bucket: &str,
    to_key: &str,
    args: &Args,
    dir: bool,
) -> Vec<Job> {
    let to_prefix = url::as_prefix(to_key);
    objects
        .iter()
        .filter(|o| !archived_ignored(args, o))
        .map(|o| {
            let dest = if dir {
                format!("{to_prefix}{}", o.rel)
            } else {
                url::dest_key(to_key, &o.rel)
            };
            let op = Op::Copy {
                bucket: bucket.to_string(),
                key: o.key.clone(),
                to_bucket: to_bucket.to_string(),
                to_key: dest.clone(),
            };
            let src = url::show(bucket, &o.key);
            let mut job = Job::new(op, o.size, src, url::show(to_bucket, &dest), &o.rel);
            job.skip = archived_skip(args, bucket, o, "copy");
            job
        })
        .collect()
}

//! `cp`, `mv` and `rm`: the list of single-file jobs a command line stands for (one file,
//! or with `--recursive` a local folder tree or every object under a prefix), run a few at
//! a time. Uploads and downloads go through the engine's `Transfer` (multipart with
//! parallel parts from 8 MiB, Content-Type guessed unless given); S3 to S3 is CopyObject;
//! `-` streams standard input up or an object to standard output. `mv` deletes each
//! source once its copy is done. `sync` builds its own jobs and runs them here too.
//!
//! Owns the jobs and their AWS CLI lines. Does not own the options (`mod`), the printing
//! (`progress`) or the transfers themselves (the `inia` crate).

use super::progress::Reporter;
use super::url::{self, Loc};
use super::{list_all, Args};
use crate::error::CliError;
use futures_util::stream::{self, StreamExt};
use inia::{json, Client, Transfer, UploadOptions, Value};
use std::path::{Path, PathBuf};

/// Files in flight at once.
const PARALLEL_FILES: usize = 4;

/// What one job does.
pub(super) enum Op {
    Upload {
        path: PathBuf,
        bucket: String,
        key: String,
    },
    Download {
        bucket: String,
        key: String,
        path: PathBuf,
    },
    Copy {
        bucket: String,
        key: String,
        to_bucket: String,
        to_key: String,
    },
    Delete {
        bucket: String,
        key: String,
    },
    /// `sync --delete` of a local file.
    DeleteLocal {
        path: PathBuf,
    },
    /// `cp - s3://bucket/key`: standard input, read whole.
    UploadStdin {
        bucket: String,
        key: String,
    },
    /// `cp s3://bucket/key -`: to standard output.
    DownloadStdout {
        bucket: String,
        key: String,
    },
}

/// One file to move, with how it is shown and its path relative to the source (what
/// `--exclude` and `--include` patterns match).
pub(super) struct Job {
    pub op: Op,
    pub size: u64,
    pub src: String,
    pub dst: String,
    pub rel: String,
}

impl Job {
    fn verb(&self, mv: bool) -> &'static str {
        match (&self.op, mv) {
            (Op::Delete { .. } | Op::DeleteLocal { .. }, _) => "delete",
            (_, true) => "move",
            (Op::Upload { .. } | Op::UploadStdin { .. }, _) => "upload",
            (Op::Download { .. } | Op::DownloadStdout { .. }, _) => "download",
            (Op::Copy { .. }, _) => "copy",
        }
    }

    fn line(&self, mv: bool) -> String {
        if self.dst.is_empty() {
            format!("{}: {}", self.verb(mv), self.src)
        } else {
            format!("{}: {} to {}", self.verb(mv), self.src, self.dst)
        }
    }
}

/// `cp` (and `mv` when `mv`).
pub async fn cp(client: &Client, args: &Args, mv: bool) -> Result<(), CliError> {
    let src = Loc::parse(&args.paths[0])?;
    let dst = Loc::parse(&args.paths[1])?;
    let jobs = match (&src, &dst) {
        (Loc::Local(_), Loc::Local(_)) => {
            return Err(CliError::usage(
                "Error: Invalid argument type: one of the paths must be s3://bucket/key",
            ))
        }
        (Loc::Local(from), Loc::S3 { bucket, key }) if from == "-" => {
            vec![stream_job(bucket, key, args.recursive, true)?]
        }
        (Loc::S3 { bucket, key }, Loc::Local(to)) if to == "-" => {
            vec![stream_job(bucket, key, args.recursive, false)?]
        }
        (Loc::Local(from), Loc::S3 { bucket, key }) => uploads(from, bucket, key, args.recursive)?,
        (Loc::S3 { bucket, key }, Loc::Local(to)) => {
            downloads(client, bucket, key, to, args.recursive).await?
        }
        (
            Loc::S3 { bucket, key },
            Loc::S3 {
                bucket: to_bucket,
                key: to_key,
            },
        ) => copies(client, bucket, key, to_bucket, to_key, args.recursive).await?,
    };
    execute(client, args, jobs, mv).await
}

/// `rm s3://bucket/key`, or with `--recursive` every object under the prefix.
pub async fn rm(client: &Client, args: &Args) -> Result<(), CliError> {
    let (bucket, key) = url::s3(&args.paths[0])?;
    let delete = |key: String, rel: String, size: u64| Job {
        src: url::show(&bucket, &key),
        dst: String::new(),
        rel,
        size,
        op: Op::Delete {
            bucket: bucket.clone(),
            key,
        },
    };
    let jobs = if args.recursive {
        let prefix = url::as_prefix(&key);
        list_all(client, &bucket, &prefix)
            .await?
            .into_iter()
            .map(|(k, rel, size, _)| delete(k, rel, size))
            .collect()
    } else {
        if key.is_empty() {
            return Err(CliError::usage(format!(
                "rm: {} names no object (use --recursive)",
                args.paths[0]
            )));
        }
        let rel = url::base_name(&key).to_string();
        vec![delete(key, rel, 0)]
    };
    execute(client, args, jobs, false).await
}

/// `cp - s3://b/k` (`upload`) or `cp s3://b/k -`: one object, streamed.
fn stream_job(bucket: &str, key: &str, recursive: bool, upload: bool) -> Result<Job, CliError> {
    if recursive {
        return Err(CliError::usage(
            "'-' (a stream) cannot be used with --recursive",
        ));
    }
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
        Job {
            src: "-".into(),
            dst: shown,
            rel,
            size: 0,
            op: Op::UploadStdin { bucket, key },
        }
    } else {
        Job {
            src: shown,
            dst: "-".into(),
            rel,
            size: 0,
            op: Op::DownloadStdout { bucket, key },
        }
    })
}

/// The files of a local file or (with `recursive`) folder tree, as uploads.
fn uploads(from: &str, bucket: &str, key: &str, recursive: bool) -> Result<Vec<Job>, CliError> {
    let root = Path::new(from);
    let meta = std::fs::metadata(root).map_err(|e| {
        CliError::other(format!("The user-provided path {from} does not exist: {e}"))
    })?;
    let upload = |path: PathBuf, key: String, rel: String, size: u64| Job {
        src: path.display().to_string(),
        dst: url::show(bucket, &key),
        rel,
        size,
        op: Op::Upload {
            path,
            bucket: bucket.to_string(),
            key,
        },
    };
    if !recursive {
        if meta.is_dir() {
            return Err(CliError::usage(format!(
                "{from} is a directory (use --recursive)"
            )));
        }
        let name = root
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| CliError::usage(format!("{from}: not a file name")))?;
        return Ok(vec![upload(
            root.to_path_buf(),
            url::dest_key(key, name),
            name.to_string(),
            meta.len(),
        )]);
    }
    if !meta.is_dir() {
        return Err(CliError::usage(format!(
            "{from} is not a directory (--recursive)"
        )));
    }
    let prefix = url::as_prefix(key);
    let mut files = Vec::new();
    walk(root, &mut Vec::new(), &mut files)?;
    Ok(files
        .into_iter()
        .map(|(rel, size, _)| {
            let key = format!("{prefix}{rel}");
            upload(root.join(&rel), key, rel, size)
        })
        .collect())
}

/// The regular files under `dir` (symbolic links to files followed, to folders not), as
/// (relative key, size, modified in Unix seconds), sorted.
pub(super) fn walk(
    dir: &Path,
    rel: &mut Vec<String>,
    out: &mut Vec<(String, u64, i64)>,
) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError::other(format!("{}: {e}", dir.display()));
    let mut entries = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(io)?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let Some(name) = e.file_name().to_str().map(str::to_string) else {
            eprintln!("skipping {}: the name is not UTF-8", e.path().display());
            continue;
        };
        let kind = e.file_type().map_err(io)?;
        rel.push(name);
        if kind.is_dir() {
            walk(&e.path(), rel, out)?;
        } else if let Ok(meta) = std::fs::metadata(e.path()) {
            if meta.is_file() {
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_secs() as i64);
                out.push((rel.join("/"), meta.len(), modified));
            }
        }
        rel.pop();
    }
    Ok(())
}

/// One object, or (with `recursive`) every object under the prefix, as downloads.
async fn downloads(
    client: &Client,
    bucket: &str,
    key: &str,
    to: &str,
    recursive: bool,
) -> Result<Vec<Job>, CliError> {
    let download = |key: String, path: PathBuf, rel: &str, size: u64| Job {
        src: url::show(bucket, &key),
        dst: path.display().to_string(),
        rel: rel.to_string(),
        size,
        op: Op::Download {
            bucket: bucket.to_string(),
            key,
            path,
        },
    };
    if !recursive {
        if key.is_empty() || key.ends_with('/') {
            return Err(CliError::usage(format!(
                "{} names no object (use --recursive)",
                url::show(bucket, key)
            )));
        }
        let name = url::base_name(key);
        let path = url::dest_path(to, name);
        return Ok(vec![download(key.to_string(), path, name, 0)]);
    }
    let prefix = url::as_prefix(key);
    let mut jobs = Vec::new();
    for (k, rel, size, _) in list_all(client, bucket, &prefix).await? {
        if rel.is_empty() || rel.ends_with('/') {
            continue;
        }
        match url::join_key(Path::new(to), &rel) {
            Some(path) => jobs.push(download(k.clone(), path, &rel, size)),
            None => eprintln!(
                "skipping {}: the key would leave {to}",
                url::show(bucket, &k)
            ),
        }
    }
    Ok(jobs)
}

/// One object, or (with `recursive`) every object under the prefix, as copies.
async fn copies(
    client: &Client,
    bucket: &str,
    key: &str,
    to_bucket: &str,
    to_key: &str,
    recursive: bool,
) -> Result<Vec<Job>, CliError> {
    let copy = |key: String, dest: String, rel: String, size: u64| Job {
        src: url::show(bucket, &key),
        dst: url::show(to_bucket, &dest),
        rel,
        size,
        op: Op::Copy {
            bucket: bucket.to_string(),
            key,
            to_bucket: to_bucket.to_string(),
            to_key: dest,
        },
    };
    if !recursive {
        if key.is_empty() || key.ends_with('/') {
            return Err(CliError::usage(format!(
                "{} names no object (use --recursive)",
                url::show(bucket, key)
            )));
        }
        let name = url::base_name(key);
        let dest = url::dest_key(to_key, name);
        return Ok(vec![copy(key.to_string(), dest, name.to_string(), 0)]);
    }
    let prefix = url::as_prefix(key);
    let to_prefix = url::as_prefix(to_key);
    Ok(list_all(client, bucket, &prefix)
        .await?
        .into_iter()
        .filter(|(k, ..)| !k.ends_with('/'))
        .map(|(k, rel, size, _)| {
            let dest = format!("{to_prefix}{rel}");
            copy(k, dest, rel, size)
        })
        .collect())
}

/// Run the jobs a few at a time, printing a line for each. One failed job of a
/// non-recursive command is that command's error; failures of a recursive one are
/// printed as they come and make the exit code 1.
pub(super) async fn execute(
    client: &Client,
    args: &Args,
    mut jobs: Vec<Job>,
    mv: bool,
) -> Result<(), CliError> {
    jobs.retain(|j| url::included(&j.rel, &args.filters));
    if args.dryrun {
        for j in &jobs {
            println!("(dryrun) {}", j.line(mv));
        }
        return Ok(());
    }
    let total = jobs.len();
    let bytes = jobs.iter().map(|j| j.size).sum();
    let reporter = Reporter::new(total as u64, bytes, args.quiet);
    let transfer = client.transfer();
    let options = &args.upload;
    let mut results = stream::iter(jobs.into_iter().map(|job| {
        let transfer = &transfer;
        async move {
            let r = one(client, transfer, options, &job, mv).await;
            (job, r)
        }
    }))
    .buffer_unordered(PARALLEL_FILES);
    let mut left = total as u64;
    let mut failures = 0usize;
    let mut first_error = None;
    while let Some((job, r)) = results.next().await {
        left -= 1;
        match r {
            // Nothing is printed beside a stream on standard output.
            Ok(()) if job.src == "-" || job.dst == "-" => reporter.done("", job.size, left),
            Ok(()) => reporter.done(&job.line(mv), job.size, left),
            Err(e) => {
                failures += 1;
                let line = if job.dst.is_empty() {
                    format!("{} failed: {} {}", job.verb(mv), job.src, e.message)
                } else {
                    format!(
                        "{} failed: {} to {} {}",
                        job.verb(mv),
                        job.src,
                        job.dst,
                        e.message
                    )
                };
                if args.recursive {
                    reporter.failed(&line, left);
                } else {
                    first_error = Some(CliError {
                        code: e.code,
                        message: line,
                    });
                }
            }
        }
    }
    reporter.finish();
    if let Some(e) = first_error {
        return Err(e);
    }
    if failures > 0 {
        return Err(CliError {
            code: 1,
            message: format!("{failures} of {total} failed"),
        });
    }
    Ok(())
}

/// Do one job (and, for `mv`, delete its source).
async fn one(
    client: &Client,
    transfer: &Transfer,
    options: &UploadOptions,
    job: &Job,
    mv: bool,
) -> Result<(), CliError> {
    let engine = CliError::from;
    match &job.op {
        Op::Upload { path, bucket, key } => {
            transfer
                .upload_file(bucket, key, path, options)
                .await
                .map_err(engine)?;
            if mv {
                tokio::fs::remove_file(path)
                    .await
                    .map_err(|e| CliError::other(format!("{}: {e}", path.display())))?;
            }
        }
        Op::Download { bucket, key, path } => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| CliError::other(format!("{}: {e}", dir.display())))?;
            }
            transfer
                .download_file(bucket, key, path)
                .await
                .map_err(engine)?;
            if mv {
                delete(client, bucket, key).await?;
            }
        }
        Op::Copy {
            bucket,
            key,
            to_bucket,
            to_key,
        } => {
            let mut params = json!({
                "Bucket": to_bucket,
                "Key": to_key,
                "CopySource": format!("{bucket}/{key}"),
            });
            if options.content_type.is_some() || !options.metadata.is_empty() {
                params["MetadataDirective"] = json!("REPLACE");
                params["Metadata"] = json!(options.metadata);
                if let Some(ct) = &options.content_type {
                    params["ContentType"] = Value::from(ct.as_str());
                }
            }
            if let Some(acl) = &options.acl {
                params["ACL"] = Value::from(acl.as_str());
            }
            client.call("CopyObject", params).await.map_err(engine)?;
            if mv {
                delete(client, bucket, key).await?;
            }
        }
        Op::Delete { bucket, key } => delete(client, bucket, key).await?,
        Op::DeleteLocal { path } => tokio::fs::remove_file(path)
            .await
            .map_err(|e| CliError::other(format!("{}: {e}", path.display())))?,
        Op::UploadStdin { bucket, key } => {
            transfer
                .upload_reader(bucket, key, tokio::io::stdin(), options)
                .await
                .map_err(engine)?;
        }
        Op::DownloadStdout { bucket, key } => {
            let mut out = tokio::io::stdout();
            transfer
                .download_to(bucket, key, &mut out)
                .await
                .map_err(engine)?;
        }
    }
    Ok(())
}

async fn delete(client: &Client, bucket: &str, key: &str) -> Result<(), CliError> {
    client
        .call("DeleteObject", json!({"Bucket": bucket, "Key": key}))
        .await
        .map_err(CliError::from)?;
    Ok(())
}

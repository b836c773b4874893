//! Running the single-file jobs of `cp`, `mv`, `rm` and `sync`, a few at a time, as the
//! AWS CLI runs them: the `--exclude`/`--include` patterns first, then the files that
//! cannot be moved are skipped with a warning (an archived object, a key that would
//! leave the destination folder), then each job runs (or, with `--dryrun`, is only
//! shown) and its line is printed. Uploads and downloads go through the engine's
//! `Transfer` (multipart with parallel parts from 8 MiB, Content-Type guessed unless
//! given); S3 to S3 is CopyObject; `-` streams standard input up or an object to
//! standard output. A downloaded file gets the object's `LastModified` as its time. `mv`
//! deletes each source once its copy is done.
//!
//! Owns the jobs and their AWS CLI lines. Does not own which jobs a command stands for
//! (`plan`, `sync`), the printing (`progress`) or the transfers themselves (the `inia`
//! crate).

use super::local;
use super::progress::Reporter;
use super::url;
use super::Args;
use crate::error::CliError;
use futures_util::stream::{self, StreamExt};
use inia::{json, Client, Transfer, TransferConfig};
use std::path::PathBuf;

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
        /// The object's `LastModified` (microseconds since the epoch), given to the file.
        modified: i64,
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
    /// `cp - s3://bucket/key`: standard input.
    UploadStdin {
        bucket: String,
        key: String,
    },
    /// `cp s3://bucket/key -`: to standard output.
    DownloadStdout {
        bucket: String,
        key: String,
    },
    /// Nothing: a file skipped with a warning (see [`Job::skip`]).
    Skipped,
}

/// One file to move, with how it is shown, its path relative to the source (what
/// `--exclude` and `--include` patterns match) and, when it cannot be moved, the path
/// and reason of its warning.
pub(super) struct Job {
    pub op: Op,
    pub size: u64,
    pub src: String,
    pub dst: String,
    pub rel: String,
    pub skip: Option<(String, String)>,
}

impl Job {
    pub fn new(op: Op, size: u64, src: String, dst: String, rel: &str) -> Job {
        Job {
            op,
            size,
            src,
            dst,
            rel: rel.to_string(),
            skip: None,
        }
    }

    fn verb(&self, mv: bool) -> &'static str {
        match (&self.op, mv) {
            (Op::Delete { .. } | Op::DeleteLocal { .. }, _) => "delete",
            (Op::Skipped, _) => "skip",
            (_, true) => "move",
            (Op::Upload { .. } | Op::UploadStdin { .. }, _) => "upload",
            (Op::Download { .. } | Op::DownloadStdout { .. }, _) => "download",
            (Op::Copy { .. }, _) => "copy",
        }
    }

    fn place(&self) -> String {
        if self.dst.is_empty() {
            self.src.clone()
        } else {
            format!("{} to {}", self.src, self.dst)
        }
    }

    fn line(&self, mv: bool) -> String {
        format!("{}: {}", self.verb(mv), self.place())
    }
}

/// The part size of a stream announced as `expected` bytes: 8 MiB, doubled (as the AWS
/// CLI's `--expected-size` doubles it) until the stream fits in S3's 10,000 parts: the
/// first part read (the multipart threshold) and the rest at this size.
fn stream_part_size(expected: u64) -> u64 {
    let config = TransferConfig::default();
    let mut part = config.part_size;
    let rest = expected.saturating_sub(config.multipart_threshold);
    while 1 + rest.div_ceil(part) > inia::transfer::MAX_PARTS {
        part *= 2;
    }
    part
}

/// Run the jobs a few at a time, reporting each; the command's outcome (1 when one
/// failed, 2 when one was skipped).
pub(super) async fn execute(
    client: &Client,
    args: &Args,
    mut jobs: Vec<Job>,
    mv: bool,
    mut report: Reporter,
) -> Result<(), CliError> {
    jobs.retain(|j| url::included(&j.rel, &args.filters));
    jobs.retain(|j| match &j.skip {
        Some((path, why)) => {
            report.skipped(path, why);
            false
        }
        None => true,
    });
    if args.dryrun {
        for j in &jobs {
            report.dry(&j.line(mv));
        }
        return report.finish();
    }
    let total = jobs.len() as u64;
    report.start(total, jobs.iter().map(|j| j.size).sum());
    let mut config = TransferConfig::default();
    if let Some(n) = args.expected_size {
        config.part_size = stream_part_size(n);
    }
    let transfer = Transfer::with_config(client, config);
    let mut results = stream::iter(jobs.into_iter().map(|job| {
        let transfer = &transfer;
        async move {
            let r = one(client, transfer, args, &job, mv).await;
            (job, r)
        }
    }))
    .buffer_unordered(PARALLEL_FILES);
    let mut left = total;
    while let Some((job, r)) = results.next().await {
        left -= 1;
        match r {
            Ok(warning) => {
                // Nothing is printed beside a stream on standard output.
                let stream = job.src == "-" || job.dst == "-";
                let line = if stream { String::new() } else { job.line(mv) };
                report.done(&line, job.size, left);
                if let Some((path, why)) = warning {
                    report.skipped(&path, &why);
                }
            }
            Err(reason) => {
                let line = format!("{} failed: {} {reason}", job.verb(mv), job.place());
                report.failed(&line, left);
            }
        }
    }
    report.finish()
}

/// Do one job (and, for `mv`, delete its source): `Ok` with a warning when the file
/// arrived but its time could not be set; the reason when it failed.
async fn one(
    client: &Client,
    transfer: &Transfer,
    args: &Args,
    job: &Job,
    mv: bool,
) -> Result<Option<(String, String)>, String> {
    let engine = |e: inia::Error| CliError::from(e).message;
    let io = |path: &std::path::Path, e: std::io::Error| format!("{}: {e}", path.display());
    match &job.op {
        Op::Upload { path, bucket, key } => {
            transfer
                .upload_file(bucket, key, path, &args.upload_options())
                .await
                .map_err(engine)?;
            if mv {
                tokio::fs::remove_file(path)
                    .await
                    .map_err(|e| io(path, e))?;
            }
        }
        Op::Download {
            bucket,
            key,
            path,
            modified,
        } => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("Could not create directory {}: {e}", dir.display()))?;
            }
            let params = args.payer(json!({"Bucket": bucket, "Key": key}));
            transfer
                .download_file_with(params, path)
                .await
                .map_err(engine)?;
            if mv {
                delete(client, args, bucket, key).await?;
            }
            if let Err(e) = local::set_time(path, *modified) {
                let shown = path.display().to_string();
                let why = format!(
                    "Successfully Downloaded {shown} but was unable to update the last modified time. {e}"
                );
                return Ok(Some((shown, why)));
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
            args.copy_params(&mut params);
            client.call("CopyObject", params).await.map_err(engine)?;
            if mv {
                delete(client, args, bucket, key).await?;
            }
        }
        Op::Delete { bucket, key } => delete(client, args, bucket, key).await?,
        Op::DeleteLocal { path } => tokio::fs::remove_file(path)
            .await
            .map_err(|e| io(path, e))?,
        Op::UploadStdin { bucket, key } => {
            transfer
                .upload_reader(bucket, key, tokio::io::stdin(), &args.upload_options())
                .await
                .map_err(engine)?;
        }
        Op::Skipped => {}
        Op::DownloadStdout { bucket, key } => {
            let mut out = tokio::io::stdout();
            let params = args.payer(json!({"Bucket": bucket, "Key": key}));
            // As the AWS CLI: the object's size first, so a missing one fails here.
            client
                .call("HeadObject", params.clone())
                .await
                .map_err(engine)?;
            transfer
                .download_to_with(params, &mut out)
                .await
                .map_err(engine)?;
        }
    }
    Ok(None)
}

async fn delete(client: &Client, args: &Args, bucket: &str, key: &str) -> Result<(), String> {
    let params = args.payer(json!({"Bucket": bucket, "Key": key}));
    client
        .call("DeleteObject", params)
        .await
        .map_err(|e| CliError::from(e).message)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_size_raises_the_part_size() {
        const MIB: u64 = 1024 * 1024;
        assert_eq!(stream_part_size(1000), 8 * MIB);
        assert_eq!(stream_part_size(10_000 * 8 * MIB), 8 * MIB);
        assert_eq!(stream_part_size(10_000 * 8 * MIB + 1), 16 * MIB);
        // The first part is the 8 MiB read before the upload knew it was multipart.
        assert_eq!(stream_part_size(19_999 * 8 * MIB), 16 * MIB);
        assert_eq!(stream_part_size(20_000 * 8 * MIB), 32 * MIB);
        assert_eq!(stream_part_size(200_000_000_000), 32 * MIB);
    }
}

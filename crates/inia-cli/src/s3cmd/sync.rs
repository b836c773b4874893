//! `sync`: copy each file of a source folder tree (local or an S3 prefix) that the
//! destination lacks, or has with another size or an older time, as the AWS CLI's
//! default comparison; with `--delete`, also delete what the destination has and the
//! source does not. The copies themselves are `copy`'s jobs.
//!
//! Owns the comparison. Does not own the transfers or the lines (`copy`, `progress`).

use super::copy::{execute, walk, Job, Op};
use super::url::{self, Loc};
use super::{list_all, Args};
use crate::error::CliError;
use inia::Client;
use std::collections::BTreeMap;
use std::path::Path;

/// Size and modification time (Unix seconds) of one file or object.
struct Entry {
    size: u64,
    modified: i64,
}

/// `sync SRC DST [--delete]`.
pub async fn sync(client: &Client, args: &Args) -> Result<(), CliError> {
    let src = Loc::parse(&args.paths[0])?;
    let dst = Loc::parse(&args.paths[1])?;
    match (&src, &dst) {
        (Loc::Local(_), Loc::Local(_)) => {
            return Err(CliError::usage(
                "Error: Invalid argument type: one of the paths must be s3://bucket/prefix",
            ))
        }
        (Loc::Local(p), _) | (_, Loc::Local(p)) if p == "-" => {
            return Err(CliError::usage("sync cannot use '-' (a stream)"))
        }
        _ => {}
    }
    let sources = entries(client, &src, true).await?;
    let dests = entries(client, &dst, false).await?;
    let mut jobs = Vec::new();
    for (rel, s) in &sources {
        let needed = dests
            .get(rel)
            .is_none_or(|d| d.size != s.size || s.modified > d.modified);
        if needed {
            jobs.extend(copy_job(&src, &dst, rel, s.size));
        }
    }
    if args.delete {
        for rel in dests.keys().filter(|r| !sources.contains_key(*r)) {
            jobs.extend(delete_job(&dst, rel));
        }
    }
    execute(client, args, jobs, false).await
}

/// The files under a location, by path relative to it. A missing local destination
/// folder is empty; a missing source is an error.
async fn entries(
    client: &Client,
    loc: &Loc,
    source: bool,
) -> Result<BTreeMap<String, Entry>, CliError> {
    let mut out = BTreeMap::new();
    match loc {
        Loc::Local(dir) => {
            let path = Path::new(dir);
            if !path.exists() && !source {
                return Ok(out);
            }
            if !path.is_dir() {
                return Err(CliError::usage(format!("{dir} is not a directory")));
            }
            let mut files = Vec::new();
            walk(path, &mut Vec::new(), &mut files)?;
            for (rel, size, modified) in files {
                out.insert(rel, Entry { size, modified });
            }
        }
        Loc::S3 { bucket, key } => {
            for (_, rel, size, modified) in list_all(client, bucket, &url::as_prefix(key)).await? {
                if !rel.is_empty() && !rel.ends_with('/') {
                    out.insert(rel, Entry { size, modified });
                }
            }
        }
    }
    Ok(out)
}

/// The job copying `rel` from `src` to `dst`; `None` (said on stderr) when the key
/// cannot be a local path.
fn copy_job(src: &Loc, dst: &Loc, rel: &str, size: u64) -> Option<Job> {
    let local = |dir: &str| {
        let path = url::join_key(Path::new(dir), rel);
        if path.is_none() {
            eprintln!("skipping {rel}: the key would leave {dir}");
        }
        path
    };
    let (op, src_shown, dst_shown) = match (src, dst) {
        (Loc::Local(from), Loc::S3 { bucket, key }) => {
            let path = local(from)?;
            let key = format!("{}{rel}", url::as_prefix(key));
            let shown = (path.display().to_string(), url::show(bucket, &key));
            let bucket = bucket.clone();
            (Op::Upload { path, bucket, key }, shown.0, shown.1)
        }
        (Loc::S3 { bucket, key }, Loc::Local(to)) => {
            let path = local(to)?;
            let key = format!("{}{rel}", url::as_prefix(key));
            let shown = (url::show(bucket, &key), path.display().to_string());
            let bucket = bucket.clone();
            (Op::Download { bucket, key, path }, shown.0, shown.1)
        }
        (
            Loc::S3 { bucket, key },
            Loc::S3 {
                bucket: tb,
                key: tk,
            },
        ) => {
            let key = format!("{}{rel}", url::as_prefix(key));
            let to_key = format!("{}{rel}", url::as_prefix(tk));
            let shown = (url::show(bucket, &key), url::show(tb, &to_key));
            let op = Op::Copy {
                bucket: bucket.clone(),
                key,
                to_bucket: tb.clone(),
                to_key,
            };
            (op, shown.0, shown.1)
        }
        (Loc::Local(_), Loc::Local(_)) => return None,
    };
    Some(Job {
        op,
        size,
        src: src_shown,
        dst: dst_shown,
        rel: rel.to_string(),
    })
}

/// The job deleting `rel` under `dst`.
fn delete_job(dst: &Loc, rel: &str) -> Option<Job> {
    let (op, shown) = match dst {
        Loc::Local(dir) => {
            let path = url::join_key(Path::new(dir), rel)?;
            let shown = path.display().to_string();
            (Op::DeleteLocal { path }, shown)
        }
        Loc::S3 { bucket, key } => {
            let key = format!("{}{rel}", url::as_prefix(key));
            let shown = url::show(bucket, &key);
            let bucket = bucket.clone();
            (Op::Delete { bucket, key }, shown)
        }
    };
    Some(Job {
        op,
        size: 0,
        src: shown,
        dst: String::new(),
        rel: rel.to_string(),
    })
}

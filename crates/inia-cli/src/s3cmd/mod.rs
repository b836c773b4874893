//! `inia s3 <command>`: the AWS CLI's high-level S3 commands (`mb`, `rb`, `ls`, `cp`,
//! `mv`, `rm`, `sync`) on top of the engine's S3 client and transfers. This file reads
//! the command's options, builds the client and runs the bucket and listing commands; the
//! copies and deletes are in `copy`, what `sync` copies is decided in `sync`.
//!
//! Owns the `s3` command words and their options. Does not own multipart or downloads
//! (the `inia` crate's `transfer`), the global options (`globals`) or exit codes (`error`).

mod copy;
mod progress;
mod sync;
mod url;

use crate::error::CliError;
use crate::globals::Globals;
use futures_util::StreamExt;
use inia::transfer::UploadOptions;
use inia::{json, Client, Value};
use std::collections::BTreeMap;

const USAGE: &str = "usage: inia s3 <mb|rb|ls|cp|mv|rm|sync> [paths] [options]";

/// The options of one `s3` command.
#[derive(Debug, Default)]
pub struct Args {
    pub paths: Vec<String>,
    pub recursive: bool,
    pub force: bool,
    pub quiet: bool,
    pub dryrun: bool,
    /// `sync --delete`.
    pub delete: bool,
    /// `--exclude` (false) and `--include` (true) patterns, in order.
    pub filters: Vec<(bool, String)>,
    pub upload: UploadOptions,
}

/// Run `s3 <command> ...` (`words` starts after `s3`).
pub async fn run(g: &Globals, words: &[String]) -> Result<(), CliError> {
    let Some(command) = words.first() else {
        return Err(CliError::usage(USAGE));
    };
    let (allowed, min, max): (&[&str], usize, usize) = match command.as_str() {
        "help" | "--help" | "-h" => {
            println!("{USAGE}\n\noptions: --recursive, --force (rb), --delete (sync), --quiet, --dryrun, --exclude PATTERN, --include PATTERN,\n  --metadata k=v,k2=v2, --acl ACL, --content-type TYPE; '-' is stdin or stdout in cp");
            return Ok(());
        }
        "mb" => (&[], 1, 1),
        "rb" => (&["--force"], 1, 1),
        "ls" => (&["--recursive"], 0, 1),
        "rm" => (
            &[
                "--recursive",
                "--quiet",
                "--dryrun",
                "--exclude",
                "--include",
            ],
            1,
            1,
        ),
        "cp" | "mv" => (
            &[
                "--recursive",
                "--quiet",
                "--dryrun",
                "--exclude",
                "--include",
                "--metadata",
                "--acl",
                "--content-type",
            ],
            2,
            2,
        ),
        "sync" => (
            &[
                "--delete",
                "--quiet",
                "--dryrun",
                "--exclude",
                "--include",
                "--metadata",
                "--acl",
                "--content-type",
            ],
            2,
            2,
        ),
        other => {
            return Err(CliError::usage(format!(
                "argument subcommand: Invalid choice: '{other}' ({USAGE})"
            )))
        }
    };
    if matches!(
        words.get(1).map(String::as_str),
        Some("help" | "--help" | "-h")
    ) {
        println!("usage: inia s3 {command} [paths] [{}]", allowed.join("] ["));
        return Ok(());
    }
    let args = parse_args(&words[1..], allowed)?;
    if args.paths.len() < min || args.paths.len() > max {
        return Err(CliError::usage(format!(
            "s3 {command}: expected {} path(s), got {} ({USAGE})",
            if min == max {
                min.to_string()
            } else {
                format!("{min} to {max}")
            },
            args.paths.len()
        )));
    }
    // Check the paths before any connection is made.
    for p in &args.paths {
        url::Loc::parse(p)?;
    }
    let client = client(g)?;
    match command.as_str() {
        "mb" => mb(&client, &args.paths[0]).await,
        "rb" => rb(&client, &args).await,
        "ls" => ls(&client, &args).await,
        "rm" => copy::rm(&client, &args).await,
        "mv" => copy::cp(&client, &args, true).await,
        "sync" => sync::sync(&client, &args).await,
        _ => copy::cp(&client, &args, false).await,
    }
}

/// The options after the command word; only `allowed` ones are accepted.
fn parse_args(words: &[String], allowed: &[&str]) -> Result<Args, CliError> {
    let mut a = Args::default();
    let mut it = words.iter();
    while let Some(w) = it.next() {
        if !w.starts_with("--") {
            a.paths.push(w.clone());
            continue;
        }
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (w.as_str(), None),
        };
        if !allowed.contains(&name) {
            return Err(CliError::usage(format!("Unknown options: {w}")));
        }
        let flag = matches!(
            name,
            "--recursive" | "--force" | "--quiet" | "--dryrun" | "--delete"
        );
        if flag {
            if inline.is_some() {
                return Err(CliError::usage(format!("{name} takes no value")));
            }
            match name {
                "--recursive" => a.recursive = true,
                "--force" => a.force = true,
                "--dryrun" => a.dryrun = true,
                "--delete" => a.delete = true,
                _ => a.quiet = true,
            }
            continue;
        }
        let Some(value) = inline.or_else(|| it.next().cloned()) else {
            return Err(CliError::usage(format!(
                "argument {name}: expected one argument"
            )));
        };
        match name {
            "--metadata" => a.upload.metadata = metadata(&value)?,
            "--acl" => a.upload.acl = Some(value),
            "--exclude" => a.filters.push((false, value)),
            "--include" => a.filters.push((true, value)),
            _ => a.upload.content_type = Some(value),
        }
    }
    Ok(a)
}

/// `--metadata`: `k=v,k2=v2` or a JSON object of strings.
fn metadata(text: &str) -> Result<BTreeMap<String, String>, CliError> {
    let bad = || CliError::usage(format!("Error parsing parameter '--metadata': {text}"));
    if text.trim_start().starts_with('{') {
        let v: Value = serde_json::from_str(text).map_err(|_| bad())?;
        let obj = v.as_object().ok_or_else(bad)?;
        return obj
            .iter()
            .map(|(k, v)| Ok((k.clone(), v.as_str().ok_or_else(bad)?.to_string())))
            .collect();
    }
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').ok_or_else(bad)?;
            if k.trim().is_empty() {
                return Err(bad());
            }
            Ok((k.trim().to_string(), v.to_string()))
        })
        .collect()
}

/// The S3 client the global options describe.
fn client(g: &Globals) -> Result<Client, CliError> {
    let session = crate::run::session(g)?;
    session.client("s3").map_err(CliError::from)
}

/// `mb s3://bucket`.
async fn mb(client: &Client, arg: &str) -> Result<(), CliError> {
    let (bucket, _) = url::s3(arg)?;
    client
        .call("CreateBucket", json!({"Bucket": bucket}))
        .await
        .map_err(|e| failed("make_bucket", arg, e))?;
    println!("make_bucket: {bucket}");
    Ok(())
}

/// `rb s3://bucket`; with `--force`, its objects are deleted first.
async fn rb(client: &Client, args: &Args) -> Result<(), CliError> {
    let arg = &args.paths[0];
    let (bucket, key) = url::s3(arg)?;
    if !key.is_empty() {
        return Err(CliError::usage(format!(
            "rb: {arg} is not a bucket (no key allowed)"
        )));
    }
    if args.force {
        let all = Args {
            paths: vec![url::show(&bucket, "")],
            recursive: true,
            ..Args::default()
        };
        copy::rm(client, &all).await?;
    }
    client
        .call("DeleteBucket", json!({"Bucket": bucket}))
        .await
        .map_err(|e| failed("remove_bucket", arg, e))?;
    println!("remove_bucket: {bucket}");
    Ok(())
}

/// An engine error as `<what> failed: <arg> <reason>`, keeping its exit code.
fn failed(what: &str, arg: &str, e: inia::Error) -> CliError {
    let mut err = CliError::from(e);
    err.message = format!("{what} failed: {arg} {}", err.message);
    err
}

/// `2026-01-02T03:04:05.000Z` as `2026-01-02 03:04:05`.
fn date(v: &Value) -> String {
    let s = v.as_str().unwrap_or_default();
    s.chars()
        .take(19)
        .map(|c| if c == 'T' { ' ' } else { c })
        .collect()
}

/// `ls`: the buckets, or the objects and common prefixes under `s3://bucket/prefix`.
async fn ls(client: &Client, args: &Args) -> Result<(), CliError> {
    let Some(arg) = args.paths.first() else {
        let out = client
            .call("ListBuckets", json!({}))
            .await
            .map_err(CliError::from)?;
        for b in out["Buckets"].as_array().into_iter().flatten() {
            println!(
                "{} {}",
                date(&b["CreationDate"]),
                b["Name"].as_str().unwrap_or_default()
            );
        }
        return Ok(());
    };
    let (bucket, prefix) = url::s3(arg)?;
    let mut params = json!({"Bucket": bucket, "Prefix": prefix});
    if !args.recursive {
        params["Delimiter"] = json!("/");
    }
    let mut pages = Box::pin(client.paginate("ListObjectsV2", params));
    let mut any = false;
    while let Some(page) = pages.next().await {
        let page = page.map_err(CliError::from)?;
        for p in page["CommonPrefixes"].as_array().into_iter().flatten() {
            let full = p["Prefix"].as_str().unwrap_or_default();
            let name = full
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(full);
            println!("{:>30} {name}/", "PRE");
            any = true;
        }
        for o in page["Contents"].as_array().into_iter().flatten() {
            let key = o["Key"].as_str().unwrap_or_default();
            let shown = if args.recursive {
                key
            } else {
                url::base_name(key)
            };
            let size = o["Size"].as_u64().unwrap_or(0);
            println!("{} {size:>10} {shown}", date(&o["LastModified"]));
            any = true;
        }
    }
    if any {
        Ok(())
    } else {
        // As the AWS CLI: an empty listing exits 1, printing nothing.
        Err(CliError {
            code: 1,
            message: String::new(),
        })
    }
}

/// Every object under `prefix` of `bucket`, as (key, key after the prefix, size,
/// modified in Unix seconds).
async fn list_all(
    client: &Client,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<(String, String, u64, i64)>, CliError> {
    let params = json!({"Bucket": bucket, "Prefix": prefix});
    let mut pages = Box::pin(client.paginate("ListObjectsV2", params));
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(CliError::from)?;
        for o in page["Contents"].as_array().into_iter().flatten() {
            let Some(k) = o["Key"].as_str() else {
                continue;
            };
            if let Some(rel) = k.strip_prefix(prefix) {
                let size = o["Size"].as_u64().unwrap_or(0);
                let modified = inia::protocol::timefmt::from_value(&o["LastModified"])
                    .map_or(0, |t| t.timestamp());
                out.push((k.to_string(), rel.to_string(), size, modified));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn options() {
        let a = parse_args(
            &words("a s3://b/ --recursive --metadata k=v,k2=v2 --acl=public-read"),
            &["--recursive", "--metadata", "--acl"],
        )
        .unwrap();
        assert_eq!(a.paths, words("a s3://b/"));
        assert!(a.recursive);
        assert_eq!(a.upload.metadata.get("k2").map(String::as_str), Some("v2"));
        assert_eq!(a.upload.acl.as_deref(), Some("public-read"));
        assert_eq!(parse_args(&words("--force"), &[]).unwrap_err().code, 252);
        assert_eq!(
            parse_args(&words("--acl"), &["--acl"]).unwrap_err().code,
            252
        );
        assert_eq!(metadata("novalue").unwrap_err().code, 252);
        assert_eq!(metadata(r#"{"a":"b"}"#).unwrap().len(), 1);
    }
}

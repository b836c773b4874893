//! `inia s3 <command>`: the AWS CLI's high-level S3 commands (`mb`, `rb`, `ls`, `cp`,
//! `mv`, `rm`, `sync`, `presign`, `website`) on top of the engine's S3 client and
//! transfers, printing and exiting as the AWS CLI does. This file picks the command,
//! checks its paths, builds the client and runs the bucket commands; the options are
//! read in `options`, the listing is `ls`, the copies and deletes are planned in `plan`
//! (what `sync` copies is decided in `sync`) and run in `copy`.
//!
//! Owns the `s3` command words. Does not own multipart or downloads (the `inia` crate's
//! `transfer`), the global options (`globals`, `--page-size` among them) or exit codes
//! (`error`).

mod copy;
mod local;
mod ls;
mod options;
mod plan;
mod presign;
mod progress;
mod remote;
mod sync;
mod url;
mod website;

use crate::error::CliError;
use crate::globals::Globals;
use inia::{json, Client};
pub use options::Args;

const USAGE: &str = "usage: inia s3 <mb|rb|ls|cp|mv|rm|sync|presign|website> [paths] [options]";

/// Run `s3 <command> ...` (`words` starts after `s3`).
pub async fn run(g: &Globals, words: &[String]) -> Result<(), CliError> {
    let Some(command) = words.first() else {
        return Err(CliError::usage(USAGE));
    };
    if matches!(command.as_str(), "help" | "--help" | "-h") {
        println!(
            "{USAGE}\n\n'-' is standard input or output in cp; '<command> help' lists a command's options"
        );
        return Ok(());
    }
    let Some((_, _, min, max)) = options::command(command) else {
        return Err(CliError::usage(format!(
            "argument subcommand: Invalid choice: '{command}' ({USAGE})"
        )));
    };
    if matches!(
        words.get(1).map(String::as_str),
        Some("help" | "--help" | "-h")
    ) {
        println!(
            "usage: inia s3 {command} [paths] [{}]",
            options::names(command).join("] [")
        );
        return Ok(());
    }
    let args = options::parse(command, &words[1..])?;
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
    // Check the paths before any connection is made (`presign`, `website` and `ls` also
    // take a bucket without `s3://`).
    for p in &args.paths {
        match command.as_str() {
            "presign" | "website" | "ls" => url::s3(&presign::with_scheme(p)).map(|_| ())?,
            _ => url::Loc::parse(p).map(|_| ())?,
        }
    }
    let client = client(g)?;
    let page_size = g.page_size;
    match command.as_str() {
        "mb" => mb(&client, &args.paths[0]).await,
        "rb" => rb(&client, &args, page_size).await,
        "ls" => {
            let args = Args {
                paths: args.paths.iter().map(|p| presign::with_scheme(p)).collect(),
                ..args
            };
            ls::ls(&client, &args, page_size).await
        }
        "rm" => plan::rm(&client, &args, page_size).await,
        "mv" => plan::cp(&client, &args, page_size, true).await,
        "sync" => sync::sync(&client, &args, page_size).await,
        "presign" => presign::presign(&client, &args, g.no_sign_request).await,
        "website" => website::website(&client, &args).await,
        _ => plan::cp(&client, &args, page_size, false).await,
    }
}

/// The S3 client the global options describe.
fn client(g: &Globals) -> Result<Client, CliError> {
    let session = crate::run::session(g)?;
    session.client("s3").map_err(CliError::from)
}

/// `mb s3://bucket`; a failure is `make_bucket failed: ...`, exit 1.
async fn mb(client: &Client, arg: &str) -> Result<(), CliError> {
    let (bucket, _) = url::s3(arg)?;
    client
        .call("CreateBucket", json!({"Bucket": bucket}))
        .await
        .map_err(|e| failed("make_bucket", arg, e))?;
    println!("make_bucket: {bucket}");
    Ok(())
}

/// `rb s3://bucket`; with `--force`, its objects are deleted first (and when that does
/// not empty it, the bucket is left).
async fn rb(client: &Client, args: &Args, page_size: Option<u64>) -> Result<(), CliError> {
    let arg = &args.paths[0];
    let (bucket, key) = url::s3(arg)?;
    if !key.is_empty() {
        return Err(CliError::usage(format!(
            "Please specify a valid bucket name only. E.g. s3://{bucket}"
        )));
    }
    if args.force {
        let all = Args {
            paths: vec![url::show(&bucket, "")],
            recursive: true,
            ..Args::default()
        };
        if let Err(e) = plan::rm(client, &all, page_size).await {
            if !e.message.is_empty() {
                eprintln!("{}", e.message);
            }
            return Err(CliError::other(
                "remove_bucket failed: Unable to delete all objects in the bucket, bucket will not be deleted.",
            ));
        }
    }
    client
        .call("DeleteBucket", json!({"Bucket": bucket}))
        .await
        .map_err(|e| failed("remove_bucket", arg, e))?;
    println!("remove_bucket: {bucket}");
    Ok(())
}

/// An engine error as `<what> failed: <arg> <reason>`, exit 1 (as the AWS CLI's `mb` and
/// `rb`).
fn failed(what: &str, arg: &str, e: inia::Error) -> CliError {
    CliError {
        code: 1,
        message: format!("{what} failed: {arg} {}", CliError::from(e).message),
    }
}

//! `inia s3 presign s3://bucket/key [--expires-in SECONDS]`: a SigV4 presigned `GetObject`
//! URL (valid 3600 s unless told), printed on one line as the AWS CLI v2 prints it. The
//! request is the one a `GetObject` call would send (the client's endpoint, addressing
//! style and key encoding, from `Client::prepare`), signed in its query string with the
//! session's credentials for the session's region (`us-east-1` when none is set).
//!
//! Owns the command. Does not own signing (`inia-auth`'s `SigV4::presign`) or the
//! request's address (the `inia` crate).

use super::{url, Args};
use crate::error::{CliError, CONFIG};
use inia::auth::sign::{SigV4, SigV4Settings, SigningContext};
use inia::{json, Client};
use std::time::{Duration, SystemTime};

/// The AWS CLI's default validity.
const DEFAULT_EXPIRES: u64 = 3600;

/// Print the presigned URL of `args.paths[0]`; unsigned with `--no-sign-request`.
pub async fn presign(client: &Client, args: &Args, unsigned: bool) -> Result<(), CliError> {
    let (bucket, key) = url::s3(&with_scheme(&args.paths[0]))?;
    let request = client
        .prepare("GetObject", json!({"Bucket": bucket, "Key": key}), None)
        .await
        .map_err(CliError::from)?;
    let (mut parts, _) = request.into_parts();
    // Only the host is signed: whoever fetches the URL sends no other header.
    parts.headers.clear();
    if !unsigned {
        let session = client.session();
        let creds = session
            .credentials()
            .await
            .map_err(CliError::from)?
            .ok_or_else(|| CliError {
                code: CONFIG,
                message: "Unable to locate credentials. You can configure credentials by running \"inia configure\".".into(),
            })?;
        let region = session.region().unwrap_or("us-east-1");
        let expires = Duration::from_secs(args.expires_in.unwrap_or(DEFAULT_EXPIRES));
        let ctx = SigningContext::new(&creds, region, "s3", SystemTime::now());
        SigV4::new(SigV4Settings::s3())
            .presign(&mut parts, expires, &ctx)
            .map_err(|e| CliError::usage(format!("argument --expires-in: {e}")))?;
    }
    println!("{}", parts.uri);
    Ok(())
}

/// A path given without `s3://` (the AWS CLI takes `bucket/key` too).
pub fn with_scheme(path: &str) -> String {
    if path.len() >= 5 && path[..5].eq_ignore_ascii_case("s3://") {
        path.to_string()
    } else {
        format!("s3://{path}")
    }
}

//! A presigned GET, as botocore presigns for services other than S3 (`eks get-token`'s
//! STS URL, `rds generate-db-auth-token`): the operation's parameters first in the query
//! string, then the `X-Amz-*` parameters, the payload hash that of an empty body, and
//! `host` plus any extra header signed.
//!
//! Owns building that request. Does not own signing (`inia-auth`'s `SigV4`).

use crate::error::CliError;
use inia::auth::sign::{SigV4, SigV4Settings, SignBody, SigningContext};
use inia::Credentials;
use std::time::{Duration, SystemTime};

/// What to presign.
pub struct Presign<'a> {
    /// `https://host[:port]` (no path).
    pub origin: &'a str,
    pub path: &'a str,
    /// The operation's parameters, already percent-encoded (`Action=connect&DBUser=u`).
    pub query: &'a str,
    /// Extra headers to sign (their values are sent by whoever uses the URL).
    pub headers: &'a [(&'a str, &'a str)],
    pub region: &'a str,
    /// The signing name (`sts`, `rds-db`).
    pub service: &'a str,
    pub expires: Duration,
}

/// The presigned URL.
pub fn url(p: &Presign<'_>, creds: &Credentials, time: SystemTime) -> Result<String, CliError> {
    let uri = format!("{}{}?{}", p.origin, p.path, p.query);
    let mut b = inia::http::Request::builder().method("GET").uri(&uri);
    for (k, v) in p.headers {
        b = b.header(*k, *v);
    }
    let (mut parts, ()) = b
        .body(())
        .map_err(|e| CliError::usage(format!("cannot build the URL {uri}: {e}")))?
        .into_parts();
    let ctx = SigningContext::new(creds, p.region, p.service, time);
    SigV4::new(SigV4Settings::default())
        .presign_payload(&mut parts, &SignBody::Bytes(b""), p.expires, &ctx)
        .map_err(|e| CliError::other(format!("cannot sign: {e}")))?;
    Ok(parts.uri.to_string())
}

//! `inia rds generate-db-auth-token --hostname H --port P --username U`: the token a
//! database accepts as the password of an IAM-authenticated user. As botocore makes it:
//! a GET of `https://H:P/?Action=connect&DBUser=U` presigned with SigV4 for the signing
//! name `rds-db` in the session's region (`--region`, the profile's, ...), valid 900 s,
//! printed without its `https://`.
//!
//! Owns the command. Does not own signing (`presign`, `inia-auth`).

use super::presign::{self, Presign};
use super::Args;
use crate::error::CliError;
use crate::globals::Globals;
use inia::auth::sign::canonical::{encode, STRICT};
use std::time::{Duration, SystemTime};

/// The AWS CLI's validity for the token.
const EXPIRES: Duration = Duration::from_secs(900);

pub async fn generate_db_auth_token(g: &Globals, args: &Args) -> Result<(), CliError> {
    let host = args.get("--hostname").unwrap_or_default();
    let port_text = args.get("--port").unwrap_or_default();
    let port: u16 = port_text.trim().parse().map_err(|_| {
        CliError::usage(format!(
            "argument --port: invalid integer value: '{port_text}'"
        ))
    })?;
    let user = args.get("--username").unwrap_or_default();
    let session = crate::run::session(g)?;
    let region = session
        .region()
        .map(str::to_string)
        .ok_or_else(|| CliError::from(inia::Error::NoRegion))?;
    let creds = super::credentials(&session).await?;
    let token = token(host, port, user, &region, &creds, SystemTime::now())?;
    println!("{token}");
    Ok(())
}

/// The token for `host:port` and `user`, signed at `time`.
pub fn token(
    host: &str,
    port: u16,
    user: &str,
    region: &str,
    creds: &inia::Credentials,
    time: SystemTime,
) -> Result<String, CliError> {
    const SCHEME: &str = "https://";
    let origin = format!("{SCHEME}{host}:{port}");
    let query = format!("Action=connect&DBUser={}", encode(user, STRICT));
    let url = presign::url(
        &Presign {
            origin: &origin,
            path: "/",
            query: &query,
            headers: &[],
            region,
            service: "rds-db",
            expires: EXPIRES,
        },
        creds,
        time,
    )?;
    Ok(url.strip_prefix(SCHEME).unwrap_or(&url).to_string())
}

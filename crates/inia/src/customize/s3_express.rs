//! S3 Express One Zone: a directory bucket is called with short-lived session credentials
//! that its own `CreateSession` hands out (signed with the caller's credentials), and
//! requests are signed with them under the `sigv4-s3express` scheme the endpoint rules
//! choose (SigV4 for S3, signing name `s3express`, the session token in
//! `x-amz-s3session-token`).
//!
//! Sessions are cached per (bucket, caller's access key), at most [`MAX_SESSIONS`], and
//! replaced when less than a minute is left (they last 5 minutes); concurrent calls that
//! need a new session wait for one `CreateSession`.
//!
//! Owns the session cache and the `CreateSession` call. Does not own signing
//! (`inia_auth`'s SigV4 with `SigV4Settings::s3express`) or choosing the scheme (the rules).

use crate::client::Client;
use crate::error::Error;
use inia_auth::credentials::Credentials;
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

/// Replace a session with less than this left.
const REFRESH_BEFORE: Duration = Duration::from_secs(60);
/// The most sessions kept (one per bucket and caller).
pub(crate) const MAX_SESSIONS: usize = 256;

/// The session credentials of the directory buckets a client has called.
#[derive(Default)]
pub(crate) struct ExpressSessions {
    cache: tokio::sync::Mutex<HashMap<(String, String), Credentials>>,
}

impl ExpressSessions {
    /// The session credentials for `bucket` as the caller `base`, at `now`: cached, or
    /// from a new `CreateSession` through `client`.
    pub(crate) async fn credentials(
        &self,
        client: &Client,
        bucket: &str,
        base: &Credentials,
        now: SystemTime,
    ) -> Result<Credentials, Error> {
        let key = (bucket.to_string(), base.access_key_id().to_string());
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.get(&key) {
            if c.expiry().is_none_or(|e| e > now + REFRESH_BEFORE) {
                return Ok(c.clone());
            }
        }
        // CreateSession is signed with plain SigV4 (its rules say so), so this does not
        // come back here.
        let answer = Box::pin(client.call("CreateSession", json!({"Bucket": bucket}))).await?;
        let c = &answer["Credentials"];
        let field = |k: &str| {
            c[k].as_str().map(str::to_string).ok_or_else(|| {
                Error::Response(format!("the CreateSession answer has no Credentials.{k}"))
            })
        };
        let expiry = inia_protocol::timefmt::from_value(&c["Expiration"]).map(SystemTime::from);
        let session = Credentials::new(
            field("AccessKeyId")?,
            field("SecretAccessKey")?,
            Some(field("SessionToken")?),
            expiry,
            "s3express-session",
        );
        if cache.len() >= MAX_SESSIONS {
            cache.retain(|_, c| c.expiry().is_none_or(|e| e > now));
            if cache.len() >= MAX_SESSIONS {
                cache.clear();
            }
        }
        tracing::debug!(bucket, "S3 Express session created");
        cache.insert(key, session.clone());
        Ok(session)
    }
}

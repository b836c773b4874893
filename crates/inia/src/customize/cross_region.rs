//! Cross-region copies that carry a presigned URL, as botocore makes them: EC2's
//! CopySnapshot, RDS's CopyDBSnapshot, CopyDBClusterSnapshot, CreateDBCluster,
//! CreateDBInstanceReadReplica and StartDBInstanceAutomatedBackupsReplication, and
//! Neptune's and DocumentDB's CopyDBClusterSnapshot and CreateDBCluster. The service in
//! the destination region fetches the source with a request the caller signed for the
//! source region: the same operation and parameters, plus `DestinationRegion`, as a GET
//! to the call's URL with the destination region's name replaced by the source's,
//! presigned with SigV4 for the source region (one hour, only `host` signed).
//!
//! - EC2: unless the caller gave `PresignedUrl`, the URL goes in `PresignedUrl` and the
//!   client's region in `DestinationRegion` (EC2 wants both); `SourceRegion` is sent.
//! - RDS, Neptune, DocumentDB: only when the caller gave `SourceRegion` (a member
//!   botocore's `sdk-extras` add to those inputs), which is not sent; unless the caller
//!   gave `PreSignedUrl`, the URL goes there.
//!
//! Runs after validation, before the request is built (the `Presign` stage). Owns
//! building that URL. Does not own SigV4 (`inia_auth`) or the request's serialization
//! and address (the client's stages, run here for the copy).

use super::Notes;
use crate::client::Client;
use crate::error::Error;
use inia_auth::sign::canonical::{encode, STRICT};
use inia_auth::sign::{SigV4, SigV4Settings, SignBody, SigningContext};
use inia_model::Operation;
use serde_json::Value;
use std::time::{Duration, SystemTime};

/// How one service fills its presigned URL.
#[derive(Debug)]
pub(crate) struct Spec {
    /// The member the URL goes in.
    url_member: &'static str,
    /// `SourceRegion` is a member the service takes (EC2); otherwise it only says that
    /// the copy crosses regions and is not sent.
    sends_source_region: bool,
    /// The member the client's region goes in, when the service wants it (EC2).
    destination_member: Option<&'static str>,
}

pub(crate) const EC2_COPY_SNAPSHOT: Spec = Spec {
    url_member: "PresignedUrl",
    sends_source_region: true,
    destination_member: Some("DestinationRegion"),
};

/// RDS, and Neptune and DocumentDB, which speak RDS's API.
pub(crate) const RDS: Spec = Spec {
    url_member: "PreSignedUrl",
    sends_source_region: false,
    destination_member: None,
};

/// How long the presigned URL is valid.
const EXPIRES: Duration = Duration::from_secs(3600);

/// `params` with the presigned URL filled in as `spec` says; signed as of `time`.
pub(crate) async fn fill(
    client: &Client,
    spec: &Spec,
    op: &Operation,
    mut params: Value,
    account_id: Option<&str>,
    time: SystemTime,
) -> Result<Value, Error> {
    let Some(obj) = params.as_object_mut() else {
        return Ok(params);
    };
    let source = obj
        .get("SourceRegion")
        .and_then(Value::as_str)
        .map(str::to_string);
    if !spec.sends_source_region && source.is_some() {
        obj.shift_remove("SourceRegion");
    }
    let Some(source) = source else {
        return Ok(params);
    };
    if obj.contains_key(spec.url_member) {
        return Ok(params);
    }
    let destination = client
        .session()
        .region()
        .ok_or(Error::NoRegion)?
        .to_string();
    let url = presigned_url(client, op, &params, account_id, &source, &destination, time).await?;
    if let Some(obj) = params.as_object_mut() {
        obj.insert(spec.url_member.into(), Value::String(url));
        if let Some(member) = spec.destination_member {
            obj.insert(member.into(), Value::String(destination));
        }
    }
    Ok(params)
}

/// The request `params` make, as a GET presigned for `source`.
async fn presigned_url(
    client: &Client,
    op: &Operation,
    params: &Value,
    account_id: Option<&str>,
    source: &str,
    destination: &str,
    time: SystemTime,
) -> Result<String, Error> {
    let (parts, body, endpoint) =
        client.build_request(op, params.clone(), None, account_id, Notes::default())?;
    let form = body.shared_bytes().unwrap_or_default();
    let mut pairs = form_pairs(&String::from_utf8_lossy(&form));
    match pairs.iter_mut().find(|(k, _)| k == "DestinationRegion") {
        Some((_, v)) => *v = destination.to_string(),
        None => pairs.push(("DestinationRegion".into(), destination.to_string())),
    }
    let scheme = parts.uri.scheme_str().unwrap_or("https");
    let authority = parts.uri.authority().map_or("", |a| a.as_str());
    let base = format!("{scheme}://{authority}{}", parts.uri.path()).replace(destination, source);
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k, STRICT), encode(v, STRICT)))
        .collect();
    let url = format!("{base}?{}", query.join("&"));
    let unsigned_session = client.inner.signer.is_anonymous();
    let credentials = match unsigned_session {
        true => None,
        false => {
            let c = client.inner.session.inner.credentials.provide().await?;
            let c = c.ok_or_else(|| {
                inia_auth::provider::CredentialsError::NotFound("the configured provider".into())
            })?;
            (c.source() != crate::provider::ANONYMOUS_SOURCE).then_some(c)
        }
    };
    let Some(credentials) = credentials else {
        return Ok(url);
    };
    let mut request = http::Request::get(url.as_str())
        .body(())
        .map_err(|e| Error::Unsupported(format!("the presigned URL {url:?}: {e}")))?
        .into_parts()
        .0;
    let (signing_name, _) = client.signing_scope(&endpoint);
    let ctx = SigningContext::new(&credentials, source, signing_name, time);
    SigV4::new(SigV4Settings::default()).presign_payload(
        &mut request,
        &SignBody::Bytes(&[]),
        EXPIRES,
        &ctx,
    )?;
    Ok(request.uri.to_string())
}

/// The pairs of a form body (`a=1&b=x+y`), decoded.
fn form_pairs(form: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    form.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_are_read_back() {
        assert_eq!(
            form_pairs("Action=CopySnapshot&Description=a+b%2Bc%20d&Empty=&Flag"),
            vec![
                ("Action".to_string(), "CopySnapshot".to_string()),
                ("Description".into(), "a b+c d".into()),
                ("Empty".into(), String::new()),
                ("Flag".into(), String::new()),
            ]
        );
    }
}

//! The credentials document the metadata endpoints serve (IMDS's role document, the
//! container endpoint's answer): the body read with a size cap, then parsed into
//! [`Credentials`] with errors that name the problem, never a value.
//!
//! Owns reading that document. Does not own reaching the endpoints (`imds`, `container`)
//! or what a source does with a failure.

use bytes::{Bytes, BytesMut};
use inia_auth::credentials::Credentials;
use inia_http::{HttpError, ResponseBody};
use serde_json::Value;
use std::time::SystemTime;

/// A response body read to its end, or `None` once it grows past `max` bytes.
pub(crate) async fn read_bounded(
    mut body: ResponseBody,
    max: usize,
) -> Result<Option<Bytes>, HttpError> {
    let mut buf = BytesMut::new();
    // Each turn takes one chunk of a finite body; the cap stops a runaway one.
    while let Some(chunk) = body.chunk().await {
        buf.extend_from_slice(&chunk?);
        if buf.len() > max {
            return Ok(None);
        }
    }
    Ok(Some(buf.freeze()))
}

/// The JSON credentials document that container endpoints and IMDS serve
/// (`AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`, and from containers an
/// optional `AccountId`); with `all`, the token and
/// expiry are required too. The error names the problem, never a value.
pub(crate) fn parse_credentials_json(
    body: &[u8],
    source: &'static str,
    all: bool,
) -> Result<Credentials, String> {
    let doc: Value = serde_json::from_slice(body).map_err(|_| "is not JSON".to_string())?;
    let field = |name: &str| doc.get(name).and_then(Value::as_str).map(str::to_string);
    let need = |name: &str| field(name).ok_or_else(|| format!("has no {name}"));
    let (id, secret) = (need("AccessKeyId")?, need("SecretAccessKey")?);
    let token = if all {
        Some(need("Token")?)
    } else {
        field("Token")
    };
    let expiry = match (field("Expiration"), all) {
        (None, false) => None,
        (None, true) => return Err("has no Expiration".into()),
        (Some(s), _) => Some(
            inia_protocol::timefmt::parse_text(&s)
                .map(SystemTime::from)
                .ok_or("has an Expiration that is not a time")?,
        ),
    };
    Ok(Credentials::new(id, secret, token, expiry, source).with_account_id(field("AccountId")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_errors_show_no_values() {
        let e = parse_credentials_json(br#"{"SecretAccessKey":"s3cr3t"}"#, "t", false);
        assert_eq!(e.unwrap_err(), "has no AccessKeyId");
        let doc = br#"{"AccessKeyId":"A","SecretAccessKey":"s3cr3t","Expiration":"x"}"#;
        let e = parse_credentials_json(doc, "t", false).unwrap_err();
        assert!(!e.contains("s3cr3t") && e.contains("Expiration"), "{e}");
        assert!(parse_credentials_json(&doc[..doc.len() - 17], "t", true).is_err());
    }
}

//! Helpers shared by the file-based providers: reading the key id / secret / token trio
//! (and the optional `aws_account_id`) from a profile or section, and parsing RFC 3339
//! expiry times.
//!
//! Owns: the "key id without a secret is an error" rule and token-key precedence. Does
//! not own: where the keys come from (each provider) or file syntax (`config::ini`).

use super::CredentialsError;
use crate::credentials::Credentials;
use std::time::SystemTime;

/// Key names in files (lower-case, as the parser stores them).
pub(crate) const ACCESS_KEY: &str = "aws_access_key_id";
pub(crate) const SECRET_KEY: &str = "aws_secret_access_key";
/// As botocore, the older `aws_security_token` is looked at before `aws_session_token`.
pub(crate) const TOKEN_KEYS: [&str; 2] = ["aws_security_token", "aws_session_token"];
/// The account the keys belong to (botocore 1.35+).
pub(crate) const ACCOUNT_ID_KEY: &str = "aws_account_id";

/// Credentials from `get` (a profile or section lookup). `Ok(None)` when there is no
/// (non-empty) key id; an error naming the missing key when the secret is missing.
/// `where_` describes the place for the error (`profile dev in /home/u/.aws/credentials`).
pub(crate) fn from_keys<'a>(
    get: impl Fn(&str) -> Option<&'a str>,
    source: &'static str,
    where_: impl FnOnce() -> String,
) -> Result<Option<Credentials>, CredentialsError> {
    let Some(key_id) = get(ACCESS_KEY).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let Some(secret) = get(SECRET_KEY).filter(|v| !v.is_empty()) else {
        return Err(CredentialsError::Provider {
            source_name: source,
            message: format!(
                "partial credentials in {}: {ACCESS_KEY} is set but {SECRET_KEY} is missing",
                where_()
            ),
        });
    };
    let token = TOKEN_KEYS
        .iter()
        .find_map(|k| get(k).filter(|v| !v.is_empty()));
    Ok(Some(
        Credentials::new(key_id, secret, token.map(str::to_owned), None, source)
            .with_account_id(get(ACCOUNT_ID_KEY).map(|v| v.trim().to_owned())),
    ))
}

/// An RFC 3339 time (`2030-01-02T03:04:05Z`, `...+02:00`, fractional seconds allowed).
pub(crate) fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(SystemTime::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn rfc3339() {
        let t = UNIX_EPOCH + Duration::from_secs(1_893_456_000); // 2030-01-01T00:00:00Z
        assert_eq!(parse_rfc3339("2030-01-01T00:00:00Z"), Some(t));
        assert_eq!(parse_rfc3339("2030-01-01T02:00:00+02:00"), Some(t));
        assert_eq!(
            parse_rfc3339("2030-01-01T00:00:00.5Z"),
            Some(t + Duration::from_millis(500))
        );
        assert_eq!(parse_rfc3339("tomorrow"), None);
        assert_eq!(parse_rfc3339("2030-01-01 00:00:00"), None);
    }

    #[test]
    fn trio() {
        let m: HashMap<&str, &str> = [
            (ACCESS_KEY, "AK"),
            (SECRET_KEY, "SK"),
            ("aws_session_token", "new"),
            ("aws_security_token", "old"),
            (ACCOUNT_ID_KEY, "123456789012"),
        ]
        .into();
        let c = from_keys(|k| m.get(k).copied(), "t", String::new)
            .unwrap()
            .unwrap();
        assert_eq!(c.access_key_id(), "AK");
        assert_eq!(c.account_id(), Some("123456789012"));
        assert_eq!(c.session_token().map(|t| t.expose()), Some("old"));
        let m: HashMap<&str, &str> = [(ACCESS_KEY, "AK"), (SECRET_KEY, "")].into();
        let e = from_keys(|k| m.get(k).copied(), "t", || "here".into()).unwrap_err();
        assert!(e.to_string().contains(SECRET_KEY) && e.to_string().contains("here"));
        let m: HashMap<&str, &str> = [(SECRET_KEY, "SK")].into();
        assert!(from_keys(|k| m.get(k).copied(), "t", String::new)
            .unwrap()
            .is_none());
    }
}

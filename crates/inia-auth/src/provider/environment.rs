//! [`EnvironmentProvider`]: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, with a
//! session token from `AWS_SECURITY_TOKEN` or `AWS_SESSION_TOKEN` and an optional expiry
//! from `AWS_CREDENTIAL_EXPIRATION` (RFC 3339) and an optional account id from
//! `AWS_ACCOUNT_ID`, read from an injected [`Env`].
//!
//! As botocore: empty values count as unset; no key id means "not configured"; a key id
//! without a secret is an error naming the missing variable; when both token variables
//! are set, `AWS_SECURITY_TOKEN` is used.
//!
//! Owns: the variable names. Does not own: the profile variables (`config::files`).

use super::keys::parse_rfc3339;
use super::{CredentialsError, ProvideCredentials, ProvideFuture};
use crate::config::Env;
use crate::credentials::Credentials;

pub const ACCESS_KEY_VAR: &str = "AWS_ACCESS_KEY_ID";
pub const SECRET_KEY_VAR: &str = "AWS_SECRET_ACCESS_KEY";
/// Looked at in this order.
pub const TOKEN_VARS: [&str; 2] = ["AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"];
pub const EXPIRATION_VAR: &str = "AWS_CREDENTIAL_EXPIRATION";
pub const ACCOUNT_ID_VAR: &str = "AWS_ACCOUNT_ID";

/// Credentials from environment variables.
#[derive(Debug, Clone)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    pub const NAME: &'static str = "environment";

    pub fn new(env: Env) -> Self {
        EnvironmentProvider { env }
    }

    fn load(&self) -> Result<Option<Credentials>, CredentialsError> {
        let env = &self.env;
        let Some(key_id) = env.get_non_empty(ACCESS_KEY_VAR) else {
            return Ok(None);
        };
        let err = |message: String| CredentialsError::Provider {
            source_name: Self::NAME,
            message,
        };
        let Some(secret) = env.get_non_empty(SECRET_KEY_VAR) else {
            return Err(err(format!(
                "partial credentials: {ACCESS_KEY_VAR} is set but {SECRET_KEY_VAR} is not"
            )));
        };
        let token = TOKEN_VARS.iter().find_map(|v| env.get_non_empty(v));
        let expiry =
            match env.get_non_empty(EXPIRATION_VAR) {
                None => None,
                Some(s) => Some(parse_rfc3339(s).ok_or_else(|| {
                    err(format!("{EXPIRATION_VAR} ({s:?}) is not an RFC 3339 time"))
                })?),
            };
        Ok(Some(
            Credentials::new(key_id, secret, token.map(str::to_owned), expiry, Self::NAME)
                .with_account_id(env.get_non_empty(ACCOUNT_ID_VAR).map(str::to_owned)),
        ))
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn provide(&self) -> ProvideFuture<'_> {
        let r = self.load();
        Box::pin(async move { r })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_executor::block_on;

    fn load(vars: &[(&str, &str)]) -> Result<Option<Credentials>, CredentialsError> {
        block_on(EnvironmentProvider::new(Env::from_vars(vars.iter().copied())).provide())
    }

    #[test]
    fn keys_token_and_expiry() {
        let c = load(&[
            (ACCESS_KEY_VAR, "AK"),
            (SECRET_KEY_VAR, "SK"),
            ("AWS_SESSION_TOKEN", "TOK"),
            (EXPIRATION_VAR, "2030-01-01T00:00:00Z"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(c.access_key_id(), "AK");
        assert_eq!(c.secret_access_key().expose(), "SK");
        assert_eq!(c.session_token().map(|t| t.expose()), Some("TOK"));
        assert!(c.expiry().is_some());
        assert_eq!(c.source(), "environment");
        assert_eq!(c.account_id(), None);
        let c = load(&[
            (ACCESS_KEY_VAR, "AK"),
            (SECRET_KEY_VAR, "SK"),
            (ACCOUNT_ID_VAR, "123456789012"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(c.account_id(), Some("123456789012"));
        let c = load(&[
            (ACCESS_KEY_VAR, "AK"),
            (SECRET_KEY_VAR, "SK"),
            ("AWS_SECURITY_TOKEN", "OLD"),
            ("AWS_SESSION_TOKEN", ""),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(c.session_token().map(|t| t.expose()), Some("OLD"));
    }

    #[test]
    fn absent_partial_and_bad_expiry() {
        assert!(load(&[]).unwrap().is_none());
        assert!(load(&[(ACCESS_KEY_VAR, ""), (SECRET_KEY_VAR, "SK")])
            .unwrap()
            .is_none());
        let e = load(&[(ACCESS_KEY_VAR, "AK")]).unwrap_err().to_string();
        assert!(e.contains(SECRET_KEY_VAR), "{e}");
        let e = load(&[
            (ACCESS_KEY_VAR, "AK"),
            (SECRET_KEY_VAR, "s3cr3t-env"),
            (EXPIRATION_VAR, "soon"),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains(EXPIRATION_VAR) && !e.contains("s3cr3t"), "{e}");
    }
}

//! Credentials: an access key id, its secret, an optional session token and expiry, and
//! the AWS account id they belong to when their source says (botocore's `account_id`:
//! `AWS_ACCOUNT_ID`, `aws_account_id`, a `credential_process`'s `AccountId`, the role ARN
//! of assume-role). The account id is not a secret; the endpoint rules use it
//! (`AWS::Auth::AccountId`).
//!
//! The secret and the token are held in [`Secret`], whose `Debug` prints `** redacted **`,
//! so no log line, error or `{:?}` of a credential can show them. Owns that type; does not
//! own where credentials come from (see `provider`).

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// A string that never shows itself in `Debug` output. Read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    pub fn new(s: impl Into<Arc<str>>) -> Self {
        Secret(s.into())
    }

    /// True when both hold the same text (the same allocation is checked first).
    pub fn same(&self, other: &Secret) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }

    /// The secret text, for the signer that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

/// AWS-style credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: Secret,
    session_token: Option<Secret>,
    expiry: Option<SystemTime>,
    /// The AWS account the credentials belong to, when the source gives it.
    account_id: Option<String>,
    /// Which provider produced them (`environment`, `shared-credentials-file`, ...).
    source: &'static str,
}

impl Credentials {
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<Arc<str>>,
        session_token: Option<String>,
        expiry: Option<SystemTime>,
        source: &'static str,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: Secret::new(secret_access_key),
            session_token: session_token.map(Secret::new),
            expiry,
            account_id: None,
            source,
        }
    }

    /// The same credentials, belonging to `account_id` (empty: none).
    pub fn with_account_id(mut self, account_id: Option<String>) -> Self {
        self.account_id = account_id.filter(|a| !a.is_empty());
        self
    }

    /// The AWS account id, when the source gave one.
    pub fn account_id(&self) -> Option<&str> {
        self.account_id.as_deref()
    }

    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    pub fn secret_access_key(&self) -> &Secret {
        &self.secret_access_key
    }

    pub fn session_token(&self) -> Option<&Secret> {
        self.session_token.as_ref()
    }

    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }

    pub fn source(&self) -> &'static str {
        self.source
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("expiry", &self.expiry)
            .field("account_id", &self.account_id)
            .field("source", &self.source)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secret_or_token() {
        let c = Credentials::new(
            "AKID",
            "s3cr3t-value",
            Some("t0ken-value".into()),
            None,
            "test",
        )
        .with_account_id(Some("123456789012".into()));
        let d = format!("{c:?} {:?} {:#?}", c.secret_access_key(), c);
        assert!(d.contains("AKID") && d.contains("123456789012"));
        assert!(!d.contains("s3cr3t") && !d.contains("t0ken"), "{d}");
    }
}

//! `inia ecr get-login-password`: the registry password for `docker login`. It calls
//! GetAuthorizationToken, decodes the first token (base64 of `AWS:<password>`) and prints
//! the password and a newline, as the AWS CLI does.
//!
//! Owns the command. Does not own the call (the engine's ECR client).

use crate::error::CliError;
use crate::globals::Globals;
use base64::Engine;
use inia::json;

/// Print the password of the first authorization token.
pub async fn get_login_password(g: &Globals) -> Result<(), CliError> {
    let session = crate::run::session(g)?;
    let ecr = session.client("ecr").map_err(CliError::from)?;
    let out = ecr
        .call("GetAuthorizationToken", json!({}))
        .await
        .map_err(CliError::from)?;
    let token = out["authorizationData"][0]["authorizationToken"]
        .as_str()
        .ok_or_else(|| CliError::other("GetAuthorizationToken returned no authorization token"))?;
    println!("{}", password(token)?);
    Ok(())
}

/// The password in a token: base64 of `user:password`.
pub fn password(token: &str) -> Result<String, CliError> {
    let bad = |why: String| CliError::other(format!("cannot read the authorization token: {why}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .map_err(|e| bad(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| bad(e.to_string()))?;
    match text.split_once(':') {
        Some((_, pw)) => Ok(pw.to_string()),
        None => Err(bad("no ':' in it".into())),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn password_after_the_colon() {
        assert_eq!(
            super::password("QVdTOnNlY3JldA==").ok().as_deref(),
            Some("secret")
        );
        assert!(super::password("bm9jb2xvbg==").is_err());
    }
}

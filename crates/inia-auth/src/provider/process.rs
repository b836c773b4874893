//! [`ProcessProvider`]: runs the selected profile's `credential_process` and reads
//! credentials from its standard output.
//!
//! - The command is split into words like a POSIX shell would ([`crate::config::shell`])
//!   and run directly, without a shell. Its environment is the injected [`Env`]; its
//!   standard input is inherited (so it can prompt, e.g. for an MFA code); standard
//!   output and standard error are captured.
//! - Standard output must be JSON `{"Version": 1, "AccessKeyId": .., "SecretAccessKey":
//!   .., "SessionToken": .. (optional), "Expiration": .. (optional, RFC 3339),
//!   "AccountId": .. (optional; else the profile's `aws_account_id`, as botocore)}`.
//! - A non-zero exit, output that is not that JSON, another `Version`, a missing key or a
//!   bad `Expiration` are [`CredentialsError::Provider`] errors giving the reason and the
//!   command's standard error (shortened, with any secret it printed redacted); standard
//!   output is never echoed.
//! - `credential_process` is looked up in the profile merged from both files, as botocore
//!   does (so it may also sit in the credentials file).
//!
//! The command runs synchronously inside `provide` (no runtime here), as botocore does;
//! there is no timeout. Owns: running and interpreting the process. Does not own:
//! profile selection or files (`config::files`).

use super::keys::parse_rfc3339;
use super::{CredentialsError, ProvideCredentials, ProvideFuture};
use crate::config::{shell, Env, ProfileFiles, SelectedProfile};
use crate::credentials::Credentials;
use serde_json::Value;
use std::process::{Command, Stdio};
use std::sync::Arc;

/// How much of the command's standard error goes into an error message.
const STDERR_LIMIT: usize = 1024;

/// Credentials from an external command.
#[derive(Debug, Clone)]
pub struct ProcessProvider {
    env: Env,
    profile: Option<String>,
    files: Option<Arc<ProfileFiles>>,
}

impl ProcessProvider {
    pub const NAME: &'static str = "credential-process";

    /// The profile chosen by `AWS_PROFILE` / `AWS_DEFAULT_PROFILE` / `default`.
    pub fn new(env: Env) -> Self {
        ProcessProvider {
            env,
            profile: None,
            files: None,
        }
    }

    /// Use this profile (as if given in code).
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Read the profile from these already-loaded files instead of at fetch time.
    pub fn with_files(mut self, files: Arc<ProfileFiles>) -> Self {
        self.files = Some(files);
        self
    }

    fn load(&self) -> Result<Option<Credentials>, CredentialsError> {
        let files = ProfileFiles::shared_or_load(self.files.as_ref(), &self.env)?;
        let selected = SelectedProfile::select(self.profile.as_deref(), &self.env);
        let Some(profile) = files.selected(&selected)? else {
            return Ok(None);
        };
        let Some(command) = profile.get("credential_process") else {
            return Ok(None);
        };
        let creds = run(command, &self.env, selected.name())?;
        Ok(Some(if creds.account_id().is_none() {
            let account = profile.get(super::keys::ACCOUNT_ID_KEY);
            creds.with_account_id(account.map(|a| a.trim().to_owned()))
        } else {
            creds
        }))
    }
}

impl ProvideCredentials for ProcessProvider {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn provide(&self) -> ProvideFuture<'_> {
        let r = self.load();
        Box::pin(async move { r })
    }
}

fn error(message: String) -> CredentialsError {
    CredentialsError::Provider {
        source_name: ProcessProvider::NAME,
        message,
    }
}

/// Run `command` and parse its output.
fn run(command: &str, env: &Env, profile: &str) -> Result<Credentials, CredentialsError> {
    let words = shell::split(command).map_err(|e| {
        error(format!(
            "credential_process of profile `{profile}` cannot be split into words: {e}"
        ))
    })?;
    let Some((program, args)) = words.split_first() else {
        return Err(error(format!(
            "credential_process of profile `{profile}` is empty"
        )));
    };
    tracing::debug!(program = %program, profile, "running credential_process");
    let output = Command::new(program)
        .args(args)
        .env_clear()
        .envs(env.vars())
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| error(format!("cannot run `{program}`: {e}")))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let fail = |reason: String, secrets: &[&str]| {
        let err_text = shorten(&redact(stderr.trim(), secrets));
        let tail = if err_text.is_empty() {
            String::new()
        } else {
            format!("; its standard error: {err_text}")
        };
        error(format!(
            "credential_process of profile `{profile}` (`{program}`) {reason}{tail}"
        ))
    };
    if !output.status.success() {
        return Err(fail(format!("failed ({})", output.status), &[]));
    }
    let json: Value = serde_json::from_slice(&output.stdout).map_err(|e| {
        fail(
            format!(
                "printed output that is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
            &[],
        )
    })?;
    let Value::Object(obj) = &json else {
        return Err(fail("printed JSON that is not an object".into(), &[]));
    };
    let text = |key: &str| obj.get(key).and_then(Value::as_str);
    let secrets: Vec<&str> = ["SecretAccessKey", "SessionToken"]
        .iter()
        .filter_map(|k| text(k))
        .filter(|s| !s.is_empty())
        .collect();
    match obj.get("Version") {
        Some(v) if v.as_u64() == Some(1) || v.as_f64() == Some(1.0) => {}
        Some(v) => {
            let shown = shorten(&v.to_string());
            return Err(fail(
                format!("printed unsupported Version {shown} (supported: 1)"),
                &secrets,
            ));
        }
        None => {
            return Err(fail(
                "printed no Version key (supported: 1)".into(),
                &secrets,
            ))
        }
    }
    let required = |key: &str| match obj.get(key) {
        Some(Value::String(s)) => Ok(s.as_str()),
        Some(_) => Err(fail(
            format!("printed {key} that is not a string"),
            &secrets,
        )),
        None => Err(fail(format!("printed no {key}"), &secrets)),
    };
    let optional = |key: &str| match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(fail(
            format!("printed {key} that is not a string"),
            &secrets,
        )),
    };
    let key_id = required("AccessKeyId")?;
    let secret = required("SecretAccessKey")?;
    let token = optional("SessionToken")?;
    let expiry = match optional("Expiration")? {
        None => None,
        Some(s) => Some(parse_rfc3339(s).ok_or_else(|| {
            fail(
                format!(
                    "printed Expiration {:?} that is not an RFC 3339 time",
                    shorten(s)
                ),
                &secrets,
            )
        })?),
    };
    Ok(Credentials::new(
        key_id,
        secret,
        token.map(str::to_owned),
        expiry,
        ProcessProvider::NAME,
    )
    .with_account_id(text("AccountId").map(str::to_owned)))
}

/// `text` with every occurrence of each secret replaced.
fn redact(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .fold(text.to_owned(), |t, s| t.replace(s, "** redacted **"))
}

/// At most [`STDERR_LIMIT`] bytes (on a character boundary), marked when cut.
fn shorten(text: &str) -> String {
    if text.len() <= STDERR_LIMIT {
        return text.to_owned();
    }
    let mut end = STDERR_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes in all)", &text[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_and_shorten() {
        assert_eq!(
            redact("x SEC y TOK", &["SEC", "TOK"]),
            "x ** redacted ** y ** redacted **"
        );
        let long = "é".repeat(STDERR_LIMIT);
        let s = shorten(&long);
        assert!(s.len() < long.len() && s.ends_with("bytes in all)"));
        assert_eq!(shorten("short"), "short");
    }

    #[test]
    fn empty_and_unsplittable_commands() {
        let env = Env::empty();
        let e = run("   ", &env, "p").unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
        let e = run("a 'b", &env, "p").unwrap_err().to_string();
        assert!(e.contains("closing quotation"), "{e}");
        let e = run("/definitely/not/here", &env, "p")
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot run"), "{e}");
    }
}

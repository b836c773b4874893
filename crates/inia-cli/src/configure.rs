//! `inia configure`: the AWS CLI v2's subcommands for the shared files.
//!
//! - `list`: the profile, access key, secret key (both masked to their last 4
//!   characters) and region in use, each with the source that won (the credential
//!   source's name: `env`, `shared-credentials-file`, `sso`, `assume-role`...) and where
//!   it was found.
//! - `get NAME`: a value of the selected profile (`region`, `s3.addressing_style`,
//!   `profile.dev.region`, `default.output`); nothing printed and exit 1 when unset.
//! - `set NAME VALUE`: writes it where the AWS CLI would: `aws_access_key_id`,
//!   `aws_secret_access_key` and `aws_session_token` to the credentials file (section
//!   `NAME`), everything else to the config file (`[default]` or `[profile NAME]`),
//!   nested names in an indented block; comments and order kept, the file replaced
//!   atomically with mode 0600.
//! - `list-profiles`: every profile of both files, one per line.
//! - `export-credentials [--format process|env|env-no-export|powershell|windows-cmd]`:
//!   the resolved credentials, as a `credential_process` answer or shell lines.
//!
//! Owns those commands. Does not own resolving credentials (the engine's chain), parsing
//! or editing the files (`inia::auth::config`).

use crate::error::CliError;
use crate::globals::Globals;
use inia::auth::config::edit::{set_value, write_private};
use inia::auth::config::files::{config_file_path, credentials_file_path};
use inia::auth::config::{Env, ProfileFiles, ProfileSource, SelectedProfile};
use inia::Credentials;
use serde_json::{json, Map, Value};

/// Keys that belong in the credentials file.
const CREDENTIAL_KEYS: [&str; 3] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
];

const USAGE: &str = "usage: inia configure <list|get|set|list-profiles|export-credentials> [...]";

/// Run `configure <subcommand> ...`.
pub async fn run(g: &Globals, words: &[String]) -> Result<(), CliError> {
    let env = Env::real();
    match words.first().map(String::as_str) {
        Some("list") => list(g, &env).await,
        Some("get") => match words {
            [_, name] => get(g, &env, name),
            _ => Err(CliError::usage("usage: inia configure get NAME")),
        },
        Some("set") => match words {
            [_, name, value] => set(g, &env, name, value),
            _ => Err(CliError::usage("usage: inia configure set NAME VALUE")),
        },
        Some("list-profiles") => {
            for name in load(&env)?.profile_names() {
                println!("{name}");
            }
            Ok(())
        }
        Some("export-credentials") => export(g, &words[1..]).await,
        _ => Err(CliError::usage(USAGE)),
    }
}

fn load(env: &Env) -> Result<ProfileFiles, CliError> {
    ProfileFiles::load(env).map_err(|e| CliError::from(inia::Error::from(e)))
}

fn profile_name(g: &Globals, env: &Env) -> String {
    SelectedProfile::select(g.profile.as_deref(), env)
        .name()
        .to_string()
}

/// A name split into (profile, key, nested key), as the AWS CLI reads it.
fn parse_name<'a>(
    name: &'a str,
    current: &'a str,
) -> Result<(String, &'a str, Option<&'a str>), CliError> {
    let parts: Vec<&str> = name.split('.').collect();
    let bad = || CliError::usage(format!("configure: cannot use the name {name:?}"));
    let (profile, rest): (String, &[&str]) = match parts.as_slice() {
        ["default", rest @ ..] if !rest.is_empty() => ("default".into(), rest),
        ["profile", p, rest @ ..] if !rest.is_empty() => ((*p).to_string(), rest),
        rest => (current.to_string(), rest),
    };
    match rest {
        [key] if !key.is_empty() => Ok((profile, key, None)),
        [key, sub] if !key.is_empty() && !sub.is_empty() => Ok((profile, key, Some(sub))),
        _ => Err(bad()),
    }
}

fn get(g: &Globals, env: &Env, name: &str) -> Result<(), CliError> {
    let current = profile_name(g, env);
    let (profile, key, sub) = parse_name(name, &current)?;
    let files = load(env)?;
    let p = files.profile(&profile);
    let value = p.as_ref().and_then(|p| match sub {
        None => p.get(key).map(str::to_string),
        Some(s) => p.nested(key).and_then(|n| n.get(s)).cloned(),
    });
    match value {
        Some(v) => {
            println!("{v}");
            Ok(())
        }
        // As the AWS CLI: nothing printed, exit status 1.
        None => Err(CliError {
            code: 1,
            message: String::new(),
        }),
    }
}

fn set(g: &Globals, env: &Env, name: &str, value: &str) -> Result<(), CliError> {
    let current = profile_name(g, env);
    let (profile, key, sub) = parse_name(name, &current)?;
    let (path, section) = if sub.is_none() && CREDENTIAL_KEYS.contains(&key) {
        (credentials_file_path(env), profile.clone())
    } else if profile == "default" {
        (config_file_path(env), "default".to_string())
    } else {
        (config_file_path(env), format!("profile {profile}"))
    };
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(CliError::other(format!("{}: {e}", path.display()))),
    };
    let new = set_value(&old, &section, key, sub, value);
    write_private(&path, new.as_bytes())
        .map_err(|e| CliError::other(format!("{}: {e}", path.display())))
}

/// `****************ABCD`: the last 4 characters, as the AWS CLI masks keys.
fn mask(s: &str) -> String {
    let tail: String = s
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****************{tail}")
}

async fn list(g: &Globals, env: &Env) -> Result<(), CliError> {
    let selected = SelectedProfile::select(g.profile.as_deref(), env);
    let mut rows: Vec<[String; 4]> = Vec::new();
    let not_set = || ["<not set>".to_string(), "None".into(), "None".into()];
    rows.push(match (&g.profile, selected.source()) {
        (Some(p), _) => [
            "profile".into(),
            p.clone(),
            "manual".into(),
            "--profile".into(),
        ],
        (None, ProfileSource::Env(var)) => [
            "profile".into(),
            selected.name().into(),
            "env".into(),
            (*var).into(),
        ],
        _ => {
            let [v, t, l] = not_set();
            ["profile".into(), v, t, l]
        }
    });
    let session = crate::run::session(g)?;
    let creds: Option<Credentials> = session.credentials().await.map_err(CliError::from)?;
    match &creds {
        Some(c) => {
            let source = c.source().to_string();
            rows.push([
                "access_key".into(),
                mask(c.access_key_id()),
                source.clone(),
                String::new(),
            ]);
            rows.push([
                "secret_key".into(),
                mask(c.secret_access_key().expose()),
                source,
                String::new(),
            ]);
        }
        None => {
            for name in ["access_key", "secret_key"] {
                let [v, t, l] = not_set();
                rows.push([name.into(), v, t, l]);
            }
        }
    }
    let region_var = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find(|v| env.get_non_empty(v).is_some());
    rows.push(match (&g.region, region_var, session.region()) {
        (Some(r), _, _) => [
            "region".into(),
            r.clone(),
            "manual".into(),
            "--region".into(),
        ],
        (None, Some(var), Some(r)) => ["region".into(), r.into(), "env".into(), var.into()],
        (None, None, Some(r)) => [
            "region".into(),
            r.into(),
            "config-file".into(),
            // As the AWS CLI shows it: the setting as given, `~` unexpanded.
            env.get_non_empty("AWS_CONFIG_FILE")
                .unwrap_or("~/.aws/config")
                .to_string(),
        ],
        _ => {
            let [v, t, l] = not_set();
            ["region".into(), v, t, l]
        }
    });
    println!("{:>10} {:>24} {:>16}    Location", "Name", "Value", "Type");
    println!("{:>10} {:>24} {:>16}    --------", "----", "-----", "----");
    for [n, v, t, l] in rows {
        println!("{n:>10} {v:>24} {t:>16}    {l}");
    }
    Ok(())
}

async fn export(g: &Globals, args: &[String]) -> Result<(), CliError> {
    let format = match args {
        [] => "process",
        [flag, f] if flag == "--format" => f.as_str(),
        _ => {
            return Err(CliError::usage(
                "usage: inia configure export-credentials [--format FORMAT]",
            ))
        }
    };
    let session = crate::run::session(g)?;
    let Some(c) = session.credentials().await.map_err(CliError::from)? else {
        return Err(CliError {
            code: crate::error::CONFIG,
            message: "Unable to locate credentials. You can configure credentials by running \"inia configure\".".into(),
        });
    };
    let expiration = c.expiry().map(|t| {
        chrono::DateTime::<chrono::Utc>::from(t)
            .format("%Y-%m-%dT%H:%M:%S+00:00")
            .to_string()
    });
    let mut vars: Vec<(&str, String)> = vec![
        ("AWS_ACCESS_KEY_ID", c.access_key_id().to_string()),
        (
            "AWS_SECRET_ACCESS_KEY",
            c.secret_access_key().expose().to_string(),
        ),
    ];
    if let Some(t) = c.session_token() {
        vars.push(("AWS_SESSION_TOKEN", t.expose().to_string()));
    }
    if let Some(e) = &expiration {
        vars.push(("AWS_CREDENTIAL_EXPIRATION", e.clone()));
    }
    let line = |(k, v): &(&str, String)| match format {
        "env" => Some(format!("export {k}={v}")),
        "env-no-export" => Some(format!("{k}={v}")),
        "powershell" => Some(format!("$Env:{k}=\"{v}\"")),
        "windows-cmd" => Some(format!("set {k}={v}")),
        _ => None,
    };
    if format == "process" {
        let mut doc = Map::new();
        doc.insert("Version".into(), json!(1));
        doc.insert("AccessKeyId".into(), json!(c.access_key_id()));
        doc.insert(
            "SecretAccessKey".into(),
            json!(c.secret_access_key().expose()),
        );
        if let Some(t) = c.session_token() {
            doc.insert("SessionToken".into(), json!(t.expose()));
        }
        if let Some(e) = expiration {
            doc.insert("Expiration".into(), json!(e));
        }
        if let Some(a) = c.account_id() {
            doc.insert("AccountId".into(), json!(a));
        }
        let text = serde_json::to_string_pretty(&Value::Object(doc))
            .map_err(|e| CliError::other(e.to_string()))?;
        println!("{text}");
        return Ok(());
    }
    let mut out = String::new();
    for v in &vars {
        let Some(l) = line(v) else {
            return Err(CliError::usage(format!(
                "argument --format: Invalid choice: '{format}' (choose from 'process', 'env', \
                 'env-no-export', 'powershell', 'windows-cmd')"
            )));
        };
        out.push_str(&l);
        out.push('\n');
    }
    print!("{out}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_the_aws_cli_reads_them() {
        fn p(n: &str) -> Result<(String, &str, Option<&str>), String> {
            parse_name(n, "cur").map_err(|e| e.message)
        }
        assert_eq!(p("region"), Ok(("cur".into(), "region", None)));
        assert_eq!(
            p("s3.addressing_style"),
            Ok(("cur".into(), "s3", Some("addressing_style")))
        );
        assert_eq!(p("default.region"), Ok(("default".into(), "region", None)));
        assert_eq!(p("profile.dev.region"), Ok(("dev".into(), "region", None)));
        assert_eq!(
            p("profile.dev.s3.max_concurrent_requests"),
            Ok(("dev".into(), "s3", Some("max_concurrent_requests")))
        );
        assert!(p("a.b.c").is_err());
        assert!(p("").is_err());
    }

    #[test]
    fn keys_are_masked_to_their_last_four() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "****************MPLE");
        assert_eq!(mask("ab"), "****************ab");
    }
}

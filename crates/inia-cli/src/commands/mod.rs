//! The AWS CLI's own commands that sit beside a service's API operations:
//! `ecr get-login-password`, `eks get-token`, `eks update-kubeconfig`,
//! `rds generate-db-auth-token`, `cloudformation package`, `cloudformation deploy` and
//! `logs tail`. This file picks the command and reads its options (argparse's rules as
//! the AWS CLI applies them: `--name value` or `--name=value`, lists taking the words up
//! to the next option, a missing required option or an unknown one a usage error, exit
//! 252); each command group is its own file.
//!
//! Owns the dispatch to those commands and their option parsing. Does not own the API
//! commands (`run`), the global options (`globals`) or printing results (`output`).

mod cfn_deploy;
mod cfn_package;
mod cfn_upload;
mod ecr;
mod eks;
mod kubeconfig;
mod logs;
mod presign;
mod rds;
mod yaml_dump;
mod yaml_load;

use crate::error::CliError;
use crate::globals::Globals;
use std::collections::HashMap;

/// Run `<service> <command> ...` when it is one of these commands; `None` otherwise.
pub async fn run(g: &Globals, words: &[String]) -> Option<Result<(), CliError>> {
    let (service, command) = (words.first()?.as_str(), words.get(1)?.as_str());
    let spec = SPECS
        .iter()
        .find(|s| s.service == service && s.command == command)?;
    let rest = &words[2..];
    if matches!(
        rest.first().map(String::as_str),
        Some("help" | "--help" | "-h")
    ) {
        println!("{}", spec.usage());
        return Some(Ok(()));
    }
    let args = match Args::parse(spec, rest) {
        Ok(a) => a,
        Err(e) => return Some(Err(e)),
    };
    Some(match (service, command) {
        ("ecr", _) => ecr::get_login_password(g).await,
        ("eks", "get-token") => eks::get_token(g, &args).await,
        ("eks", _) => eks::update_kubeconfig(g, &args).await,
        ("rds", _) => rds::generate_db_auth_token(g, &args).await,
        ("cloudformation", "package") => cfn_package::package(g, &args).await,
        ("cloudformation", _) => cfn_deploy::deploy(g, &args).await,
        _ => logs::tail(g, &args).await,
    })
}

/// How an option takes its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `--name VALUE`.
    One,
    /// `--name V1 V2 ...`: the words up to the next option.
    List,
    /// `--name`, no value.
    Flag,
}

struct Opt {
    name: &'static str,
    kind: Kind,
    required: bool,
    /// What it is, for the usage line.
    meta: &'static str,
}

const fn one(name: &'static str, meta: &'static str) -> Opt {
    Opt {
        name,
        kind: Kind::One,
        required: false,
        meta,
    }
}

const fn req(name: &'static str, meta: &'static str) -> Opt {
    Opt {
        name,
        kind: Kind::One,
        required: true,
        meta,
    }
}

const fn list(name: &'static str, meta: &'static str) -> Opt {
    Opt {
        name,
        kind: Kind::List,
        required: false,
        meta,
    }
}

const fn flag(name: &'static str) -> Opt {
    Opt {
        name,
        kind: Kind::Flag,
        required: false,
        meta: "",
    }
}

struct Spec {
    service: &'static str,
    command: &'static str,
    /// The positional argument's name, when the command takes one.
    positional: Option<&'static str>,
    opts: &'static [Opt],
    about: &'static str,
}

impl Spec {
    fn usage(&self) -> String {
        let mut line = format!("usage: inia {} {}", self.service, self.command);
        if let Some(p) = self.positional {
            line.push_str(&format!(" {p}"));
        }
        for o in self.opts {
            let body = match o.kind {
                Kind::Flag => o.name.to_string(),
                Kind::One => format!("{} {}", o.name, o.meta),
                Kind::List => format!("{} {} [{} ...]", o.name, o.meta, o.meta),
            };
            if o.required {
                line.push_str(&format!(" {body}"));
            } else {
                line.push_str(&format!(" [{body}]"));
            }
        }
        format!("{line}\n\n{}", self.about)
    }
}

const SPECS: &[Spec] = &[
    Spec {
        service: "ecr",
        command: "get-login-password",
        positional: None,
        opts: &[],
        about: "Prints the password of the registry's authorization token (GetAuthorizationToken), for `docker login --username AWS --password-stdin`.",
    },
    Spec {
        service: "eks",
        command: "get-token",
        positional: None,
        opts: &[one("--cluster-name", "NAME"), one("--role-arn", "ARN"), one("--cluster-id", "ID")],
        about: "Prints an ExecCredential whose token is a presigned STS GetCallerIdentity URL for the cluster.",
    },
    Spec {
        service: "eks",
        command: "update-kubeconfig",
        positional: None,
        opts: &[
            req("--name", "NAME"),
            one("--kubeconfig", "FILE"),
            one("--role-arn", "ARN"),
            one("--proxy-url", "URL"),
            flag("--dry-run"),
            flag("--verbose"),
            one("--alias", "ALIAS"),
            one("--user-alias", "ALIAS"),
            one("--assume-role-arn", "ARN"),
        ],
        about: "Adds (or updates) the cluster, its user and a context in the kubeconfig file and makes the context current.",
    },
    Spec {
        service: "rds",
        command: "generate-db-auth-token",
        positional: None,
        opts: &[req("--hostname", "HOST"), req("--port", "PORT"), req("--username", "USER")],
        about: "Prints an IAM authentication token for a database (a presigned `connect` request, valid 15 minutes).",
    },
    Spec {
        service: "cloudformation",
        command: "package",
        positional: None,
        opts: &[
            req("--template-file", "FILE"),
            req("--s3-bucket", "BUCKET"),
            one("--s3-prefix", "PREFIX"),
            one("--kms-key-id", "KEY"),
            one("--output-template-file", "FILE"),
            flag("--use-json"),
            flag("--force-upload"),
            list("--metadata", "KEY=VALUE"),
        ],
        about: "Uploads the local artifacts the template refers to to S3 and writes the template that refers to them instead.",
    },
    Spec {
        service: "cloudformation",
        command: "deploy",
        positional: None,
        opts: &[
            req("--template-file", "FILE"),
            req("--stack-name", "NAME"),
            one("--s3-bucket", "BUCKET"),
            flag("--force-upload"),
            one("--s3-prefix", "PREFIX"),
            one("--kms-key-id", "KEY"),
            list("--parameter-overrides", "KEY=VALUE"),
            list("--capabilities", "CAPABILITY"),
            flag("--no-execute-changeset"),
            flag("--disable-rollback"),
            flag("--no-disable-rollback"),
            one("--role-arn", "ARN"),
            list("--notification-arns", "ARN"),
            flag("--fail-on-empty-changeset"),
            flag("--no-fail-on-empty-changeset"),
            list("--tags", "KEY=VALUE"),
        ],
        about: "Creates a change set for the stack (creating the stack when it does not exist), waits for it, executes it and waits for the stack.",
    },
    Spec {
        service: "logs",
        command: "tail",
        positional: Some("group_name"),
        opts: &[
            one("--since", "WHEN"),
            flag("--follow"),
            one("--format", "detailed|short|json"),
            one("--filter-pattern", "PATTERN"),
            list("--log-stream-names", "NAME"),
            one("--log-stream-name-prefix", "PREFIX"),
            one("--color", "on|off|auto"),
        ],
        about: "Prints the group's events (FilterLogEvents) from --since (10m unless told) on; with --follow, keeps polling every 5 s.",
    },
];

/// A command's parsed options.
#[derive(Default)]
pub struct Args {
    values: HashMap<&'static str, Vec<String>>,
    positional: Option<String>,
}

impl Args {
    fn parse(spec: &Spec, words: &[String]) -> Result<Args, CliError> {
        let mut a = Args::default();
        let mut unknown: Vec<String> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let word = &words[i];
            i += 1;
            let (name, inline) = match word.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
                _ => (word.as_str(), None),
            };
            let Some(opt) = find_opt(spec, name)? else {
                if !word.starts_with("--") && spec.positional.is_some() && a.positional.is_none() {
                    a.positional = Some(word.clone());
                } else {
                    unknown.push(word.clone());
                }
                continue;
            };
            let mut taken = Vec::new();
            match (opt.kind, inline) {
                (Kind::Flag, Some(_)) => {
                    return Err(CliError::usage(format!(
                        "argument {name}: ignored explicit argument"
                    )))
                }
                (Kind::Flag, None) => {}
                (_, Some(v)) => taken.push(v),
                (Kind::One, None) => match words.get(i) {
                    Some(v) if !v.starts_with("--") => {
                        taken.push(v.clone());
                        i += 1;
                    }
                    _ => {
                        return Err(CliError::usage(format!(
                            "argument {name}: expected one argument"
                        )))
                    }
                },
                (Kind::List, None) => {
                    while let Some(v) = words.get(i).filter(|v| !v.starts_with("--")) {
                        taken.push(v.clone());
                        i += 1;
                    }
                    if taken.is_empty() {
                        return Err(CliError::usage(format!(
                            "argument {name}: expected at least one argument"
                        )));
                    }
                }
            }
            a.values.insert(opt.name, taken);
        }
        if !unknown.is_empty() {
            return Err(CliError::usage(format!(
                "Unknown options: {}",
                unknown.join(", ")
            )));
        }
        let mut missing: Vec<&str> = spec
            .opts
            .iter()
            .filter(|o| o.required && !a.values.contains_key(o.name))
            .map(|o| o.name)
            .collect();
        if let (Some(p), None) = (spec.positional, &a.positional) {
            missing.insert(0, p);
        }
        if !missing.is_empty() {
            return Err(CliError::usage(format!(
                "the following arguments are required: {}",
                missing.join(", ")
            )));
        }
        Ok(a)
    }

    /// The value of a one-value option.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    /// The values of a list option (empty when not given).
    pub fn list(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    pub fn flag(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    pub fn positional(&self) -> Option<&str> {
        self.positional.as_deref()
    }
}

/// The option `name` names: itself, or (as argparse allows) the one option it begins.
fn find_opt<'s>(spec: &'s Spec, name: &str) -> Result<Option<&'s Opt>, CliError> {
    if let Some(o) = spec.opts.iter().find(|o| o.name == name) {
        return Ok(Some(o));
    }
    if !name.starts_with("--") || name.len() < 3 {
        return Ok(None);
    }
    let matches: Vec<&Opt> = spec
        .opts
        .iter()
        .filter(|o| o.name.starts_with(name))
        .collect();
    match matches.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => Err(CliError::usage(format!(
            "ambiguous option: {name} could match {}",
            many.iter().map(|o| o.name).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// `KEY=VALUE` words as pairs, in order (a later key replaces an earlier one, keeping its
/// place); a word without `=` is the AWS CLI's error.
fn key_values(words: &[String], option: &str) -> Result<Vec<(String, String)>, CliError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for w in words {
        let Some((k, v)) = w.split_once('=') else {
            return Err(CliError::usage(format!(
                "['{w}'] value passed to --{option} must be of format Key=Value"
            )));
        };
        match out.iter_mut().find(|(old, _)| old == k) {
            Some(slot) => slot.1 = v.to_string(),
            None => out.push((k.to_string(), v.to_string())),
        }
    }
    Ok(out)
}

/// An error that is neither usage nor a service's, printed as the AWS CLI prints its
/// command errors (a blank line, then the message), exit 255.
fn command_error(message: impl std::fmt::Display) -> CliError {
    CliError::other(format!("\n{message}"))
}

/// Credentials are required: the AWS CLI's message otherwise (exit 253).
async fn credentials(session: &inia::Session) -> Result<inia::Credentials, CliError> {
    session.credentials().await.map_err(CliError::from)?.ok_or_else(|| CliError {
        code: crate::error::CONFIG,
        message: "Unable to locate credentials. You can configure credentials by running \"inia configure\".".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    fn spec(service: &str, command: &str) -> &'static Spec {
        SPECS
            .iter()
            .find(|s| s.service == service && s.command == command)
            .expect("spec")
    }

    #[test]
    fn options_as_argparse_reads_them() {
        let deploy = spec("cloudformation", "deploy");
        let a = Args::parse(
            deploy,
            &words("--template-file=t.yaml --stack-name s --parameter-overrides A=1 B=2 --no-exec --capabilities CAPABILITY_IAM"),
        )
        .expect("parsed");
        assert_eq!(a.get("--template-file"), Some("t.yaml"));
        assert_eq!(a.list("--parameter-overrides"), ["A=1", "B=2"]);
        assert!(a.flag("--no-execute-changeset"));
        assert_eq!(a.list("--capabilities"), ["CAPABILITY_IAM"]);
        let code = |s: &Spec, w: &str| Args::parse(s, &words(w)).err().map(|e| (e.code, e.message));
        assert_eq!(
            code(deploy, "--stack-name s"),
            Some((
                252,
                "the following arguments are required: --template-file".into()
            ))
        );
        assert_eq!(
            code(deploy, "--template-file t --stack-name s --bogus 1"),
            Some((252, "Unknown options: --bogus, 1".into()))
        );
        assert!(code(deploy, "--template-file t --stack-name s --no").is_some());
        let token = spec("eks", "get-token");
        let a = Args::parse(token, &words("--cluster-name c --role arn:r")).expect("parsed");
        assert_eq!(a.get("--role-arn"), Some("arn:r"));
        let tail = spec("logs", "tail");
        let a = Args::parse(tail, &words("g1 --since 1h --follow")).expect("parsed");
        assert_eq!(
            (a.positional(), a.get("--since"), a.flag("--follow")),
            (Some("g1"), Some("1h"), true)
        );
        assert_eq!(
            code(tail, "--follow"),
            Some((
                252,
                "the following arguments are required: group_name".into()
            ))
        );
        assert_eq!(
            key_values(&words("A=1 B=x=y A=3"), "tags").expect("pairs"),
            [
                ("A".to_string(), "3".to_string()),
                ("B".into(), "x=y".into())
            ]
        );
    }
}

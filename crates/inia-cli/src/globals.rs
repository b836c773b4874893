//! Global options (`--region`, `--query`, `--debug`...), accepted anywhere on the line as
//! the AWS CLI accepts them. They are taken out of the arguments first; what is left is
//! `<service> <operation> [parameters]`.
//!
//! Owns the global options and their checks. Does not own operation parameters (see
//! `params`).

use crate::error::CliError;
use std::path::PathBuf;
use std::time::Duration;

/// The global options of one command line.
#[derive(Debug, Default, Clone)]
pub struct Globals {
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub query: Option<String>,
    /// `--output`, when given (see `output` for the other sources).
    pub output: Option<crate::output::Format>,
    pub no_paginate: bool,
    pub page_size: Option<u64>,
    pub max_items: Option<usize>,
    pub starting_token: Option<String>,
    pub no_verify_ssl: bool,
    /// `--ca-bundle`: a PEM file of CAs (or exact certificates) to trust.
    pub ca_bundle: Option<PathBuf>,
    pub no_sign_request: bool,
    pub read_timeout: Option<Duration>,
    pub connect_timeout: Option<Duration>,
    pub debug: bool,
    pub spec_paths: Vec<PathBuf>,
    pub provider: Option<String>,
    pub version: bool,
    /// `--cli-binary-format`, when given (else the profile's `cli_binary_format`).
    pub binary_format: Option<crate::binary::BinaryFormat>,
    /// `--no-cli-pager`: print straight to stdout even on a terminal.
    pub no_cli_pager: bool,
}

/// Names of the global options that take a value.
const WITH_VALUE: &[&str] = &[
    "--endpoint-url",
    "--region",
    "--profile",
    "--output",
    "--query",
    "--page-size",
    "--max-items",
    "--starting-token",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--spec-path",
    "--provider",
    "--ca-bundle",
    "--cli-binary-format",
];

/// Names of the global flags.
const FLAGS: &[&str] = &[
    "--no-paginate",
    "--no-verify-ssl",
    "--no-sign-request",
    "--debug",
    "--version",
    "--no-cli-pager",
    "--no-cli-auto-prompt",
];

/// The help lines of the global options.
pub const HELP: &[(&str, &str)] = &[
    ("--endpoint-url URL", "send requests to this URL"),
    ("--region REGION", "the region to call"),
    ("--profile NAME", "a profile of the shared config files"),
    ("--output FORMAT", "json, text, table, yaml or yaml-stream"),
    (
        "--query EXPR",
        "a JMESPath expression applied to the result",
    ),
    ("--no-paginate", "make one call, do not page"),
    ("--page-size N", "items per call when paging"),
    (
        "--max-items N",
        "stop paging after N items; prints NextToken",
    ),
    ("--starting-token TOKEN", "resume paging from a NextToken"),
    ("--no-verify-ssl", "do not verify TLS certificates"),
    (
        "--ca-bundle FILE",
        "trust the CAs (or exact certificates) in this PEM file too",
    ),
    ("--no-sign-request", "send requests unsigned"),
    ("--cli-read-timeout SECONDS", "read timeout (0: none)"),
    ("--cli-connect-timeout SECONDS", "connect timeout (0: none)"),
    (
        "--debug",
        "log each request and response (secrets redacted) to stderr",
    ),
    (
        "--cli-binary-format FORMAT",
        "raw-in-base64-out (default: blob text is the bytes) or base64",
    ),
    (
        "--no-cli-pager",
        "do not page output (else cli_pager, AWS_PAGER, PAGER or less, on a terminal)",
    ),
    (
        "--spec-path DIR",
        "look for spec files here first (repeatable)",
    ),
    (
        "--provider NAME",
        "the provider file to use (aws, azure-blob, s3-compatible, eucalyptus...)",
    ),
];

/// Take the global options out of `args`; the rest, in order.
pub fn extract(args: Vec<String>) -> Result<(Globals, Vec<String>), CliError> {
    let mut g = Globals::default();
    let mut rest = Vec::new();
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if FLAGS.contains(&name.as_str()) {
            if inline.is_some() {
                return Err(CliError::usage(format!("{name} takes no value")));
            }
            match name.as_str() {
                "--no-paginate" => g.no_paginate = true,
                "--no-verify-ssl" => g.no_verify_ssl = true,
                "--no-sign-request" => g.no_sign_request = true,
                "--debug" => g.debug = true,
                "--no-cli-pager" => g.no_cli_pager = true,
                // Auto-prompt is never on, so turning it off changes nothing.
                "--no-cli-auto-prompt" => {}
                _ => g.version = true,
            }
            continue;
        }
        if !WITH_VALUE.contains(&name.as_str()) {
            rest.push(arg);
            continue;
        }
        let value = match inline.or_else(|| it.next()) {
            Some(v) => v,
            None => {
                return Err(CliError::usage(format!(
                    "argument {name}: expected one argument"
                )))
            }
        };
        set(&mut g, &name, value)?;
    }
    Ok((g, rest))
}

fn set(g: &mut Globals, name: &str, value: String) -> Result<(), CliError> {
    let number = |v: &str| {
        v.trim()
            .parse::<u64>()
            .map_err(|_| CliError::usage(format!("argument {name}: invalid int value: '{v}'")))
    };
    match name {
        "--endpoint-url" => g.endpoint_url = Some(value),
        "--region" => g.region = Some(value),
        "--profile" => g.profile = Some(value),
        "--output" => g.output = Some(crate::output::Format::parse(&value)?),
        "--query" => g.query = Some(value),
        "--page-size" => g.page_size = Some(number(&value)?),
        "--max-items" => g.max_items = Some(usize::try_from(number(&value)?).unwrap_or(usize::MAX)),
        "--starting-token" => g.starting_token = Some(value),
        "--cli-read-timeout" => g.read_timeout = Some(seconds(number(&value)?)),
        "--cli-connect-timeout" => g.connect_timeout = Some(seconds(number(&value)?)),
        "--provider" => g.provider = Some(value),
        "--ca-bundle" => g.ca_bundle = Some(PathBuf::from(value)),
        "--cli-binary-format" => {
            g.binary_format = Some(crate::binary::BinaryFormat::parse(
                &value,
                "argument --cli-binary-format",
            )?)
        }
        _ => g.spec_paths.push(PathBuf::from(value)),
    }
    Ok(())
}

/// Seconds as the AWS CLI reads them: 0 means no timeout.
fn seconds(n: u64) -> Duration {
    if n == 0 {
        Duration::from_secs(100 * 365 * 24 * 3600)
    } else {
        Duration::from_secs(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn globals_anywhere() {
        let (g, rest) = extract(args(
            "ec2 --region us-west-2 describe-instances --debug --max-items=3 --dry-run",
        ))
        .unwrap();
        assert_eq!(g.region.as_deref(), Some("us-west-2"));
        assert!(g.debug);
        assert_eq!(g.max_items, Some(3));
        assert_eq!(rest, args("ec2 describe-instances --dry-run"));
    }

    #[test]
    fn bad_globals_are_usage_errors() {
        assert_eq!(extract(args("--output xml sts x")).unwrap_err().code, 252);
        let (g, _) = extract(args("--output table sts x")).unwrap();
        assert_eq!(g.output, Some(crate::output::Format::Table));
        assert_eq!(extract(args("--page-size x")).unwrap_err().code, 252);
        assert_eq!(extract(args("sts x --region")).unwrap_err().code, 252);
    }
}

//! The command lines answered without a session: `inia help`, `inia <service> help`,
//! `inia <service> <operation> help`, `inia <service> wait [<waiter>] help`, and a service
//! named without an operation (a usage error listing the operations, exit 252, as AWS CLI
//! v2). None of them reads credentials or needs a readable config file or `HOME`.
//!
//! Owns recognizing those lines and finding what they describe. Does not own the help
//! text (`help`) or the look-ups (`lookup`).

use crate::error::CliError;
use crate::globals::Globals;
use crate::help::{self, cli_service_name, OpDocs};
use crate::lookup::{self, Lookup};
use crate::names::{kebab, loose};
use crate::params;
use inia::model::SpecPath;
use inia::Value;

/// `help`, `--help` or `-h`.
pub fn is_help(w: Option<&String>) -> bool {
    matches!(w.map(String::as_str), Some("help" | "--help" | "-h"))
}

/// True when `rest` (the words after the service) asks for help or names no operation.
pub fn answers(rest: &[String]) -> bool {
    match rest.first().map(String::as_str) {
        None => true,
        Some("wait") => rest.len() == 1 || is_help(rest.get(1)) || is_help(rest.get(2)),
        Some(_) => is_help(rest.first()) || is_help(rest.get(1)),
    }
}

/// `inia help`.
pub fn top(g: &Globals) -> Result<(), CliError> {
    let lookup = Lookup::new(g)?;
    help::top(lookup.service_names())
}

/// Answer `inia <word> rest...` when [`answers`] says so; `service` is the provider's
/// name for `word` (`s3` for `s3api`).
pub fn answer(g: &Globals, service: &str, word: &str, rest: &[String]) -> Result<(), CliError> {
    let lookup = Lookup::new(g)?;
    let folder = lookup.folder(service, word)?;
    let cli_name = cli_service_name(service);
    let Some(first) = rest.first() else {
        let model = lookup.model(&folder)?;
        return Err(missing_operation(cli_name, &model));
    };
    if is_help(Some(first)) {
        let model = lookup.model(&folder)?;
        let waiters = waiter_names(&waiters_file(&lookup.specs, &folder)?);
        let docs = lookup
            .specs
            .load_documentation(&folder)
            .map_err(|e| CliError::from(inia::Error::from(e)))?;
        let docs = docs.map(|file| {
            file["documentation"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        });
        return help::service(cli_name, &model, &waiters, docs.as_deref());
    }
    if first == "wait" {
        let file = waiters_file(&lookup.specs, &folder)?;
        let names = waiter_names(&file);
        let Some(word) = rest.get(1).filter(|w| !is_help(Some(w))) else {
            return help::waiters(cli_name, &names);
        };
        let waiter = find_waiter(&names, word, cli_name)?;
        let op_name = file["waiters"][waiter.as_str()]["operation"]
            .as_str()
            .unwrap_or_default();
        let model = lookup.model(&folder)?;
        let op = model
            .operation(op_name)
            .map_err(|e| CliError::from(inia::Error::from(e)))?;
        let desc = params::describe(cli_name, &model, &op)?;
        let command = format!("wait {}", kebab(waiter));
        return help::operation(cli_name, &command, &desc, &OpDocs::default());
    }
    let model = lookup.model(&folder)?;
    let name = lookup::operation(&model, first, cli_name)?;
    let docs = lookup
        .specs
        .load_documentation(&folder)
        .map_err(|e| CliError::from(inia::Error::from(e)))?;
    let docs = match docs {
        Some(file) => OpDocs::from_model_file(&file, &name),
        None => OpDocs {
            missing: true,
            ..OpDocs::default()
        },
    };
    let op = model
        .operation(&name)
        .map_err(|e| CliError::from(inia::Error::from(e)))?;
    let desc = params::describe(cli_name, &model, &op)?;
    help::operation(cli_name, first, &desc, &docs)
}

/// The usage error of a service named without an operation: the usage lines, the reason,
/// and the operations in two columns as the AWS CLI lists choices.
pub fn missing_operation(cli_name: &str, model: &inia::model::ServiceModel) -> CliError {
    let mut ops: Vec<String> = model.operation_names().map(kebab).collect();
    ops.push("help".into());
    ops.push("wait".into());
    ops.sort();
    ops.dedup();
    let mut columns = String::new();
    for pair in ops.chunks(2) {
        let line = match pair {
            [a, b] => format!("{a:<40} | {b:<40}"),
            [a] => a.clone(),
            _ => String::new(),
        };
        columns.push_str(line.trim_end());
        columns.push('\n');
    }
    CliError::usage(format!(
        "the following arguments are required: operation\n\n{}\nvalid choices for '{cli_name}' are:\n\n{}",
        help::USAGE_BLURB,
        columns.trim_end()
    ))
}

/// The service's `waiters-2.json` (an empty object when it has none).
pub fn waiters_file(specs: &SpecPath, folder: &str) -> Result<Value, CliError> {
    Ok(specs
        .load_json(folder, "waiters-2")
        .map_err(|e| CliError::from(inia::Error::from(e)))?
        .unwrap_or_default())
}

pub fn waiter_names(file: &Value) -> Vec<String> {
    file["waiters"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The waiter `word` names.
pub fn find_waiter<'a>(
    names: &'a [String],
    word: &str,
    cli_name: &str,
) -> Result<&'a String, CliError> {
    let key = loose(word);
    names.iter().find(|n| loose(n) == key).ok_or_else(|| {
        CliError::usage(format!(
            "argument wait: Invalid choice: '{word}' (see 'inia {cli_name} wait help')"
        ))
    })
}

//! One operation's parameters: a clap command built at run time from the operation's input
//! shape (one `--kebab-case` option per member, `--no-flag` for booleans, a `--body FILE`
//! for a streaming upload, a trailing output file for a streaming download), and the
//! parsed words turned into the params value. Also `--cli-input-json` and
//! `--generate-cli-skeleton`.
//!
//! Owns the parameter surface of one operation. Does not own calling it (see `run`).

use crate::error::CliError;
use crate::names::kebab;
use crate::values::{self, is_boolean_value_struct};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};
use inia::model::{Operation, ServiceModel, Shape, ShapeType};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

/// How one input member appears on the command line.
pub struct Param {
    pub member: String,
    pub flag: String,
    pub shape: Arc<Shape>,
    pub required: bool,
    /// A boolean, or a structure of one boolean `Value`: has a `--no-` form.
    pub negatable: bool,
    /// The streaming upload member: its value names a file.
    pub upload: bool,
    /// Set at `(parent, member)` instead of at the top (see `hoisted`).
    pub nested: Option<(String, String)>,
    /// The negative flag of a negatable parameter (`no-<flag>` unless renamed).
    pub no_flag: String,
    /// An argument the AWS CLI adds by hand (see `ec2_run`), not a model member.
    pub custom: Option<crate::ec2_run::Custom>,
}

/// The parameters of one operation.
pub struct OpParams {
    pub params: Vec<Param>,
    /// The operation streams its output payload to a file named last on the line.
    pub download: bool,
    /// The output is an event stream whose records go to a file named last on the line
    /// (`s3api select-object-content`), as the AWS CLI does it.
    pub records_outfile: bool,
    /// How blob values given as text are read (`--cli-binary-format`).
    pub binary_format: crate::binary::BinaryFormat,
}

impl Param {
    /// A plain boolean: a bare flag, `--no-` for false.
    pub fn is_flag(&self) -> bool {
        self.negatable && self.shape.kind == ShapeType::Boolean
    }
}

/// What the words of one command line asked for.
pub struct Parsed {
    pub params: Value,
    pub upload: Option<PathBuf>,
    pub outfile: Option<PathBuf>,
    /// `--generate-cli-skeleton [input|output]`.
    pub skeleton: Option<String>,
}

const INPUT_JSON: &str = "__cli_input_json";
const SKELETON: &str = "__generate_cli_skeleton";
const OUTFILE: &str = "__outfile";

fn err(e: impl std::fmt::Display) -> CliError {
    CliError::other(e.to_string())
}

/// The parameters of `op` of the command `service`, from its input shape, with the AWS
/// CLI's renamed flags (see `renames`).
pub fn describe(service: &str, model: &ServiceModel, op: &Operation) -> Result<OpParams, CliError> {
    let op_flag = kebab(&op.name);
    let mut params = Vec::new();
    let mut seen: HashSet<String> = ["cli-input-json", "generate-cli-skeleton"]
        .into_iter()
        .map(String::from)
        .collect();
    if let Some(input) = &op.input {
        let shape = model.target(input, &op.name).map_err(err)?;
        for (name, member) in &shape.members {
            let target = model.target(member, name).map_err(err)?;
            let derived = kebab(name);
            let flag = crate::renames::flag(service, &op_flag, &derived);
            let no_flag = crate::renames::flag(service, &op_flag, &format!("no-{derived}"));
            let upload = shape.payload.as_deref() == Some(name.as_str())
                && (target.streaming || member.streaming);
            let negatable = !upload
                && (target.kind == ShapeType::Boolean || is_boolean_value_struct(model, &target));
            if !seen.insert(flag.clone()) || (negatable && !seen.insert(no_flag.clone())) {
                continue;
            }
            params.push(Param {
                member: name.clone(),
                flag,
                required: shape.required.contains(name),
                shape: target,
                negatable,
                upload,
                nested: None,
                no_flag,
                custom: None,
            });
        }
    }
    for p in crate::hoisted::params(model, op)? {
        if seen.insert(p.flag.clone()) {
            params.push(p);
        }
    }
    if crate::ec2_run::applies(model, op) {
        crate::ec2_run::adjust(&mut params)?;
    }
    let download = match &op.output {
        Some(out) => {
            let shape = model.target(out, &op.name).map_err(err)?;
            match shape.payload.as_ref().and_then(|p| shape.members.get(p)) {
                // As botocore: a blob payload is a streamed body, marked `streaming` or not
                // (Bedrock's InvokeModel, Lambda's Invoke), so it goes to an outfile.
                Some(m) => model.target(m, &op.name).map_err(err)?.kind == ShapeType::Blob,
                None => false,
            }
        }
        None => false,
    };
    let records_outfile =
        model.metadata().service_id.as_deref() == Some("S3") && op.name == "SelectObjectContent";
    Ok(OpParams {
        params,
        download,
        records_outfile,
        binary_format: crate::binary::BinaryFormat::default(),
    })
}

impl OpParams {
    /// A file named last on the line receives the output's body or records.
    pub fn takes_outfile(&self) -> bool {
        self.download || self.records_outfile
    }

    fn command(&self, name: &str) -> Command {
        let mut cmd = Command::new(name.to_string())
            .no_binary_name(true)
            .disable_help_flag(true)
            .disable_version_flag(true)
            .disable_help_subcommand(true);
        for p in &self.params {
            let mut arg = Arg::new(p.member.clone()).long(p.flag.clone());
            if !p.is_flag() {
                arg = arg.allow_negative_numbers(true);
            }
            // As AWS CLI v2: a boolean is a bare flag (a word after it is not its value);
            // a structure of one boolean `Value` takes `--flag` or `--flag Value=...`.
            arg = if p.is_flag() {
                arg.action(ArgAction::SetTrue)
            } else if p.negatable {
                arg.num_args(0..=1).action(ArgAction::Set)
            } else if p.custom == Some(crate::ec2_run::Custom::SecondaryAddresses) {
                arg.num_args(0..).action(ArgAction::Append)
            } else if p.shape.kind == ShapeType::List && !p.upload {
                arg.num_args(1..).action(ArgAction::Append)
            } else {
                arg.num_args(1).action(ArgAction::Set)
            };
            cmd = cmd.arg(arg);
            if p.negatable {
                cmd = cmd.arg(
                    Arg::new(format!("no-{}", p.member))
                        .long(p.no_flag.clone())
                        .action(ArgAction::SetTrue),
                );
            }
        }
        cmd = cmd
            .arg(Arg::new(INPUT_JSON).long("cli-input-json").num_args(1))
            .arg(
                Arg::new(SKELETON)
                    .long("generate-cli-skeleton")
                    .num_args(0..=1)
                    .default_missing_value("input")
                    .value_parser(["input", "output"]),
            );
        if self.takes_outfile() {
            cmd = cmd.arg(Arg::new(OUTFILE).value_name("outfile").num_args(1));
        }
        cmd
    }

    /// clap's matches of `words`; words it does not know are one usage error naming them
    /// all, `Unknown options: --bogus, x`, as the AWS CLI names them (a word after a bare
    /// boolean flag, `--dry-run true`, is one of them).
    fn matches(&self, name: &str, words: &[String]) -> Result<clap::ArgMatches, CliError> {
        let mut words = words.to_vec();
        let mut unknown: Vec<String> = Vec::new();
        loop {
            let e = match self.command(name).try_get_matches_from(&words) {
                Ok(m) if unknown.is_empty() => return Ok(m),
                Ok(_) => break,
                Err(e) => e,
            };
            let arg = match (e.kind(), e.get(ContextKind::InvalidArg)) {
                (ErrorKind::UnknownArgument, Some(ContextValue::String(a))) => a.clone(),
                _ if unknown.is_empty() => return Err(CliError::usage(clap_message(&e))),
                _ => break,
            };
            let with_value = format!("{arg}=");
            let Some(at) = words
                .iter()
                .position(|w| *w == arg || w.starts_with(&with_value))
            else {
                return Err(CliError::usage(clap_message(&e)));
            };
            unknown.push(words.remove(at));
            if unknown.len() > 64 {
                break;
            }
        }
        Err(CliError::usage(format!(
            "Unknown options: {}",
            unknown.join(", ")
        )))
    }

    /// Parse `words` (everything after the operation name).
    pub fn parse(
        &self,
        model: &ServiceModel,
        op: &Operation,
        words: &[String],
    ) -> Result<Parsed, CliError> {
        let matches = self.matches(&kebab(&op.name), words)?;
        let skeleton = matches.get_one::<String>(SKELETON).cloned();
        let mut out = Map::new();
        let mut upload = None;
        let mut custom = crate::ec2_run::Given::default();
        // The members whose blobs came from `fileb://` words: bytes already, not text.
        let mut from_files: Vec<Vec<String>> = Vec::new();
        for p in &self.params {
            let flag = format!("--{}", p.flag);
            let negated = p.negatable && matches.get_flag(&format!("no-{}", p.member));
            let given = matches.contains_id(&p.member)
                && matches.value_source(&p.member) == Some(clap::parser::ValueSource::CommandLine);
            if negated && given {
                return Err(CliError::usage(format!(
                    "cannot specify both {flag} and --{}",
                    p.no_flag
                )));
            }
            if !negated && !given {
                continue;
            }
            let words: Vec<String> = if p.is_flag() || negated {
                Vec::new()
            } else {
                matches
                    .get_many::<String>(&p.member)
                    .map(|v| v.cloned().collect())
                    .unwrap_or_default()
            };
            if let Some(which) = p.custom {
                custom.set(which, words, !negated);
                continue;
            }
            let value = if negated {
                bool_value(model, p, false)
            } else if p.upload {
                upload = words.first().map(PathBuf::from);
                continue;
            } else if p.negatable && words.is_empty() {
                bool_value(model, p, true)
            } else {
                if words.iter().any(|w| w.starts_with("fileb://")) {
                    from_files.push(match &p.nested {
                        Some((parent, child)) => vec![parent.clone(), child.clone()],
                        None => vec![p.member.clone()],
                    });
                }
                values::from_words(model, &p.shape, &words, &flag)?
            };
            match &p.nested {
                Some(at) => crate::hoisted::place(&mut out, at, &flag, value)?,
                None => {
                    out.insert(p.member.clone(), value);
                }
            }
        }
        // A hoisted member given inside its parent (`--code ZipFile=...`) is refused even
        // without the hoisted flag, as the AWS CLI refuses it.
        for p in &self.params {
            if let Some((parent, child)) = &p.nested {
                if out.get(parent).and_then(|v| v.get(child)).is_some()
                    && matches.value_source(&p.member)
                        != Some(clap::parser::ValueSource::CommandLine)
                {
                    return Err(CliError::usage(format!(
                        "{child} cannot be provided as part of the --{} argument; use --{} instead",
                        kebab(parent),
                        p.flag
                    )));
                }
            }
        }
        let mut params = Map::new();
        if let Some(text) = matches.get_one::<String>(INPUT_JSON) {
            let text = match text.strip_prefix("file://") {
                Some(path) => std::fs::read_to_string(path).map_err(|e| {
                    CliError::usage(format!(
                        "Error parsing parameter '--cli-input-json': Unable to load paramfile {text}: {e}"
                    ))
                })?,
                None => text.clone(),
            };
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(m)) => params = m,
                Ok(_) => {
                    return Err(CliError::usage(
                        "Error parsing parameter '--cli-input-json': expected a JSON object",
                    ))
                }
                Err(e) => {
                    return Err(CliError::usage(format!(
                        "Error parsing parameter '--cli-input-json': Invalid JSON: {e}"
                    )))
                }
            }
        }
        params.extend(out);
        if crate::ec2_run::applies(model, op) && skeleton.is_none() {
            crate::ec2_run::apply(&mut params, custom)?;
        }
        if let Some(input) = &op.input {
            let shape = model.target(input, &op.name).map_err(err)?;
            let mut value = Value::Object(std::mem::take(&mut params));
            crate::binary::inputs(model, &shape, &mut value, self.binary_format, &from_files)?;
            if let Value::Object(m) = value {
                params = m;
            }
        }
        if skeleton.is_none() {
            let missing: Vec<String> = self
                .params
                .iter()
                .filter(|p| p.required && !params.contains_key(&p.member))
                .filter(|p| !(p.upload && upload.is_some()))
                .map(|p| format!("--{}", p.flag))
                .collect();
            if !missing.is_empty() {
                return Err(CliError::usage(format!(
                    "the following arguments are required: {}",
                    missing.join(", ")
                )));
            }
        }
        let outfile = matches
            .try_get_one::<String>(OUTFILE)
            .ok()
            .flatten()
            .map(PathBuf::from);
        if self.takes_outfile() && outfile.is_none() && skeleton.is_none() {
            return Err(CliError::usage(
                "the following arguments are required: outfile",
            ));
        }
        Ok(Parsed {
            params: Value::Object(params),
            upload,
            outfile,
            skeleton,
        })
    }
}

fn bool_value(model: &ServiceModel, p: &Param, b: bool) -> Value {
    if is_boolean_value_struct(model, &p.shape) {
        Value::Object(Map::from_iter([("Value".to_string(), Value::Bool(b))]))
    } else {
        Value::Bool(b)
    }
}

/// clap's error as one line, without its usage and tips.
fn clap_message(e: &clap::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid arguments");
    first.trim_start_matches("error: ").to_string()
}

/// A sample value of `shape`, as `--generate-cli-skeleton` prints it.
pub fn skeleton(model: &ServiceModel, shape: &Shape, depth: usize) -> Value {
    let child = |m: &inia::model::Member, at: &str| {
        model
            .target(m, at)
            .map(|s| skeleton(model, &s, depth + 1))
            .unwrap_or(Value::Null)
    };
    if depth > 12 {
        return Value::Null;
    }
    match shape.kind {
        ShapeType::Structure => Value::Object(
            shape
                .members
                .iter()
                .filter(|(_, m)| !m.streaming)
                .map(|(n, m)| (n.clone(), child(m, n)))
                .collect(),
        ),
        ShapeType::List => Value::Array(shape.member.iter().map(|m| child(m, "member")).collect()),
        ShapeType::Map => Value::Object(
            shape
                .value
                .iter()
                .map(|m| ("KeyName".to_string(), child(m, "value")))
                .collect(),
        ),
        ShapeType::Boolean => Value::Bool(true),
        ShapeType::Integer
        | ShapeType::Long
        | ShapeType::Short
        | ShapeType::Byte
        | ShapeType::BigInteger => Value::from(0),
        ShapeType::Float | ShapeType::Double | ShapeType::BigDecimal => Value::from(0.0),
        ShapeType::Timestamp => Value::String("1970-01-01T00:00:00".into()),
        ShapeType::Blob if shape.streaming => Value::Null,
        _ => shape
            .enum_values
            .as_ref()
            .and_then(|v| v.first().cloned())
            .unwrap_or_else(|| Value::String(String::new())),
    }
}

//! `inia help`, `inia <service> help`, `inia <service> <operation> help` and
//! `inia <service> wait help`: plain-text listings of services, operations, waiters and
//! parameters (type, and which are required).
//!
//! Owns the help text. Does not own lookups (see `run`).

use crate::error::CliError;
use crate::globals;
use crate::names::kebab;
use crate::params::OpParams;
use crate::values::type_name;
use inia::model::ServiceModel;
use std::fmt::Write;

fn emit(text: &str) -> Result<(), CliError> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::other(format!("cannot write output: {e}")))
        }
        _ => Ok(()),
    }
}

/// The command-line service name of a spec folder.
pub fn cli_service_name(folder: &str) -> &str {
    if folder == "s3" {
        "s3api"
    } else {
        folder
    }
}

pub fn top(services: impl IntoIterator<Item = String>) -> Result<(), CliError> {
    let mut s = String::from(
        "usage: inia [options] <service> <operation> [parameters]\n\
         \x20      inia <service> wait <waiter> [parameters]\n\
         \x20      inia help | inia <service> help | inia <service> <operation> help\n\nservices:\n",
    );
    for name in services {
        let _ = writeln!(s, "  {}", cli_service_name(&name));
    }
    s.push_str("\nglobal options:\n");
    for (opt, what) in globals::HELP {
        let _ = writeln!(s, "  {opt:<32} {what}");
    }
    emit(&s)
}

pub fn service(name: &str, model: &ServiceModel, waiters: &[String]) -> Result<(), CliError> {
    let md = model.metadata();
    let mut s = format!(
        "{name}: {}\n\nusage: inia {name} <operation> [parameters]\n\noperations:\n",
        md.service_full_name.as_deref().unwrap_or(name)
    );
    let mut ops: Vec<String> = model.operation_names().map(kebab).collect();
    ops.sort();
    for op in ops {
        let _ = writeln!(s, "  {op}");
    }
    if !waiters.is_empty() {
        let _ = writeln!(s, "  wait");
    }
    emit(&s)
}

pub fn waiters(service: &str, waiters: &[String]) -> Result<(), CliError> {
    let mut s = format!("usage: inia {service} wait <waiter> [parameters]\n\nwaiters:\n");
    for w in waiters {
        let _ = writeln!(s, "  {}", kebab(w));
    }
    emit(&s)
}

/// An operation's documentation, when the spec folder carries it (HTML, as in botocore's
/// `data/`): the operation's own and its input members'.
#[derive(Debug, Default)]
pub struct OpDocs {
    pub operation: Option<String>,
    pub members: std::collections::HashMap<String, String>,
}

impl OpDocs {
    /// The documentation of operation `op` in a model file's documentation (see
    /// `SpecPath::load_documentation`).
    pub fn from_model_file(file: &serde_json::Value, op: &str) -> OpDocs {
        let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
        let o = &file["operations"][op];
        let input = o["input"]["shape"].as_str().unwrap_or_default();
        let members = file["shapes"][input]["members"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), text(&v["documentation"])?)))
                    .collect()
            })
            .unwrap_or_default();
        OpDocs {
            operation: text(&o["documentation"]),
            members,
        }
    }
}

pub fn operation(
    service: &str,
    command: &str,
    params: &OpParams,
    docs: &OpDocs,
) -> Result<(), CliError> {
    let mut s = format!("usage: inia {service} {command} [parameters]\n\n");
    if let Some(d) = &docs.operation {
        s.push_str(&crate::doc_text::to_text(d, 79, "  "));
        s.push('\n');
    }
    s.push_str("parameters:\n");
    for p in &params.params {
        let kind = if p.upload {
            "file".to_string()
        } else {
            type_name(p.shape.kind).to_string()
        };
        let flag = if p.negatable {
            format!("--{} | --{}", p.flag, p.no_flag)
        } else {
            format!("--{}", p.flag)
        };
        let req = if p.required { "  (required)" } else { "" };
        let _ = writeln!(s, "  {flag} <{kind}>{req}");
        if let Some(d) = docs.members.get(&p.member) {
            let line = crate::doc_text::first_sentence(d);
            if !line.is_empty() {
                let _ = writeln!(s, "      {line}");
            }
        }
    }
    if params.download {
        let _ = writeln!(
            s,
            "  <outfile>  (required: the file the body is written to)"
        );
    }
    s.push_str("  --cli-input-json <string>\n  --generate-cli-skeleton [input|output]\n");
    emit(&s)
}

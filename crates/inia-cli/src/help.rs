//! `inia help`, `inia <service> help`, `inia <service> <operation> help` and
//! `inia <service> wait help`: plain-text listings of the high-level commands, services,
//! operations, waiters and parameters (type, and which are required), with the model's
//! descriptions when its spec file carries them, else a line saying how to get them.
//!
//! Owns the help text. Does not own finding what it describes (see `help_route`).

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

/// The usage lines printed with usage errors that name no command or operation.
pub const USAGE_BLURB: &str = "usage: inia [options] <command> <subcommand> [<subcommand> ...] [parameters]\n\
To see help text, you can run:\n\n  inia help\n  inia <command> help\n  inia <command> <subcommand> help\n";

/// Where the descriptions are, for models shipped without them.
const NO_DOCS: &str = "The built-in models carry no descriptions. To see them, put a botocore \
data folder on the spec path: --spec-path DIR or INIA_SPEC_PATH=DIR, with DIR the data/ \
folder of a pip-installed botocore (python3 -c 'import botocore, os; \
print(os.path.join(os.path.dirname(botocore.__file__), \"data\"))').";

pub fn top(services: impl IntoIterator<Item = String>) -> Result<(), CliError> {
    let mut s = String::from(
        "usage: inia [options] <service> <operation> [parameters]\n\
         \x20      inia <service> wait <waiter> [parameters]\n\
         \x20      inia <command> <subcommand> [parameters]\n\
         \x20      inia help | inia <service> help | inia <service> <operation> help\n\ncommands:\n",
    );
    for (name, what) in crate::lookup::HIGH_LEVEL {
        let _ = writeln!(s, "  {name:<12} {what}");
    }
    s.push_str("\nservices:\n");
    for name in services {
        let _ = writeln!(s, "  {}", cli_service_name(&name));
    }
    s.push_str("\nglobal options:\n");
    for (opt, what) in globals::HELP {
        let _ = writeln!(s, "  {opt:<32} {what}");
    }
    emit(&s)
}

/// `docs`: the service's documentation (HTML) when its spec file carries it.
pub fn service(
    name: &str,
    model: &ServiceModel,
    waiters: &[String],
    docs: Option<&str>,
) -> Result<(), CliError> {
    let md = model.metadata();
    let mut s = format!(
        "{name}: {}\n\nusage: inia {name} <operation> [parameters]\n\n",
        md.service_full_name.as_deref().unwrap_or(name)
    );
    match docs.filter(|d| !d.trim().is_empty()) {
        Some(d) => s.push_str(&crate::doc_text::to_text(d, 79, "  ")),
        None => s.push_str(&crate::doc_text::to_text(NO_DOCS, 79, "")),
    }
    s.push_str("\noperations:\n");
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
    /// The model file carries no documentation at all (the built-in specs).
    pub missing: bool,
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
            missing: false,
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
    } else if params.records_outfile {
        let _ = writeln!(
            s,
            "  <outfile>  (required: the file the records are written to)"
        );
    }
    s.push_str("  --cli-input-json <string>\n  --generate-cli-skeleton [input|output]\n");
    if docs.missing {
        s.push('\n');
        s.push_str(&crate::doc_text::to_text(NO_DOCS, 79, ""));
    }
    emit(&s)
}

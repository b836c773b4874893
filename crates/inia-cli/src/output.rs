//! Printing results as the AWS CLI does: `ResponseMetadata` removed, `--query` (JMESPath)
//! applied first, an empty result printed as nothing, then the chosen format: `json`
//! (4-space indentation, key order kept), `text`, `table` or `yaml` (see `formats`). The
//! format comes from `--output`, else `AWS_DEFAULT_OUTPUT`, else the profile's `output`
//! key in the config file, else `json`.
//!
//! Owns the output format and its choice. Does not own getting the result (see `run`).

#[path = "formats/mod.rs"]
mod formats;

use crate::error::CliError;
use serde_json::ser::PrettyFormatter;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::Write;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Text,
    Table,
    Yaml,
}

impl Format {
    /// A format by name, as `--output`, `AWS_DEFAULT_OUTPUT` and the `output` key give it.
    pub fn parse(name: &str) -> Result<Format, CliError> {
        match name {
            "json" => Ok(Format::Json),
            "text" => Ok(Format::Text),
            "table" => Ok(Format::Table),
            "yaml" => Ok(Format::Yaml),
            "yaml-stream" => Err(CliError::usage(
                "--output yaml-stream is not supported yet (use yaml)",
            )),
            other => Err(CliError::usage(format!(
                "argument --output: invalid choice: '{other}' (choose from 'json', 'text', 'table', 'yaml', 'yaml-stream')"
            ))),
        }
    }
}

/// How to print: what the command line said about output, and the table title.
#[derive(Debug, Clone, Copy, Default)]
pub struct Choice<'a> {
    /// `--output`, if given.
    pub format: Option<Format>,
    /// `--profile`, if given (its `output` key is a fallback).
    pub profile: Option<&'a str>,
    /// The table title: the operation's model name, as the AWS CLI titles it.
    pub title: &'a str,
}

/// The format to print in: `--output`, `AWS_DEFAULT_OUTPUT`, the profile's `output` key,
/// `json`.
fn chosen_format(c: &Choice<'_>) -> Result<Format, CliError> {
    use inia::auth::config::files::{ProfileFiles, SelectedProfile};
    use inia::auth::config::Env;
    if let Some(f) = c.format {
        return Ok(f);
    }
    let env = Env::real();
    if let Some(name) = env.get_non_empty("AWS_DEFAULT_OUTPUT") {
        return Format::parse(name);
    }
    let selected = SelectedProfile::select(c.profile, &env);
    let from_file = ProfileFiles::load(&env)
        .ok()
        .and_then(|files| files.profile(selected.name()))
        .and_then(|p| p.get("output").map(|v| v.trim().to_string()))
        .filter(|v| !v.is_empty());
    match from_file {
        Some(name) => Format::parse(&name),
        None => Ok(Format::Json),
    }
}

/// A compiled `--query`.
pub struct Query {
    text: String,
    expr: jmespath::Expression<'static>,
}

impl Query {
    pub fn compile(text: &str) -> Result<Query, CliError> {
        let expr = jmespath::compile(text).map_err(|e| {
            CliError::usage(format!(
                "Bad value for --query {text}: {}",
                crate::error::one_line(&e.to_string())
            ))
        })?;
        Ok(Query {
            text: text.to_string(),
            expr,
        })
    }

    /// Apply to `value`. JMESPath objects come back with sorted keys; they are put back in
    /// the order the keys first appear in `value` (then in the query's text).
    pub fn apply(&self, value: &Value) -> Result<Value, CliError> {
        let found = self
            .expr
            .search(value)
            .map_err(|e| CliError::other(crate::error::one_line(&e.to_string())))?;
        let out = serde_json::to_value(&*found).map_err(|e| CliError::other(e.to_string()))?;
        let mut rank = HashMap::new();
        collect_order(value, &mut rank);
        Ok(reorder(out, &rank, &self.text))
    }
}

fn collect_order(v: &Value, rank: &mut HashMap<String, usize>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let n = rank.len();
                rank.entry(k.clone()).or_insert(n);
                collect_order(child, rank);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| collect_order(c, rank)),
        _ => {}
    }
}

fn reorder(v: Value, rank: &HashMap<String, usize>, query: &str) -> Value {
    match v {
        Value::Object(m) => {
            let mut items: Vec<(String, Value)> = m
                .into_iter()
                .map(|(k, c)| (k, reorder(c, rank, query)))
                .collect();
            items.sort_by_key(|(k, _)| match rank.get(k) {
                Some(r) => (0, *r),
                None => (1, query.find(k.as_str()).unwrap_or(usize::MAX)),
            });
            Value::Object(items.into_iter().collect::<Map<_, _>>())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(|c| reorder(c, rank, query)).collect()),
        other => other,
    }
}

/// Remove `ResponseMetadata`, apply the query, print in the chosen format; a table is
/// titled with `c.title`.
pub fn print(mut value: Value, query: Option<&Query>, c: &Choice<'_>) -> Result<(), CliError> {
    if let Value::Object(m) = &mut value {
        m.shift_remove("ResponseMetadata");
    }
    let value = match query {
        Some(q) => q.apply(&value)?,
        None => {
            if value.as_object().is_some_and(Map::is_empty) {
                return Ok(());
            }
            value
        }
    };
    let text = match chosen_format(c)? {
        Format::Json => return print_json(&value),
        Format::Text => formats::text(&value),
        Format::Table => formats::table(c.title, &value),
        Format::Yaml => formats::yaml(&value),
    };
    write_stdout(text.as_bytes())
}

/// 4-space indented JSON and a newline on stdout; a closed pipe is not an error.
pub fn print_json(value: &Value) -> Result<(), CliError> {
    let mut buf = Vec::new();
    let mut ser =
        serde_json::Serializer::with_formatter(&mut buf, PrettyFormatter::with_indent(b"    "));
    serde::Serialize::serialize(value, &mut ser).map_err(|e| CliError::other(e.to_string()))?;
    buf.push(b'\n');
    write_stdout(&buf)
}

/// Write to stdout; a closed pipe is not an error.
fn write_stdout(buf: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(buf).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::other(format!("cannot write output: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_keeps_key_order() {
        let v = json!({"Reservations": [{"Instances": [{"Zeta": 1, "Alpha": 2}]}]});
        let q = Query::compile("Reservations[].Instances[]").unwrap();
        let out = q.apply(&v).unwrap();
        assert_eq!(out.to_string(), r#"[{"Zeta":1,"Alpha":2}]"#);
        let q = Query::compile("Reservations[].Instances[].{Z: Zeta, A: Alpha}").unwrap();
        assert_eq!(q.apply(&v).unwrap().to_string(), r#"[{"Z":1,"A":2}]"#);
        assert_eq!(Query::compile("[").err().map(|e| e.code), Some(252));
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(Format::parse("yaml").ok(), Some(Format::Yaml));
        assert_eq!(Format::parse("table").ok(), Some(Format::Table));
        assert_eq!(Format::parse("xml").err().map(|e| e.code), Some(252));
        assert_eq!(
            Format::parse("yaml-stream").err().map(|e| e.code),
            Some(252)
        );
    }
}

//! Printing results as the AWS CLI does: `ResponseMetadata` removed, `--query` (JMESPath)
//! applied first, an empty result printed as nothing, then the chosen format: `json`
//! (4-space indentation, key order kept), `text`, `table`, `yaml` or `yaml-stream` (see
//! `formats`; a paged listing's text and yaml-stream are printed by `text_pages`). The
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
    /// As AWS CLI v2: each page (or the one result) as a YAML list of one item, printed
    /// as it arrives.
    YamlStream,
}

impl Format {
    /// A format by name, as `--output`, `AWS_DEFAULT_OUTPUT` and the `output` key give it.
    pub fn parse(name: &str) -> Result<Format, CliError> {
        match name {
            "json" => Ok(Format::Json),
            "text" => Ok(Format::Text),
            "table" => Ok(Format::Table),
            "yaml" => Ok(Format::Yaml),
            "yaml-stream" => Ok(Format::YamlStream),
            other => Err(CliError::usage(format!(
                "argument --output: invalid choice: '{other}' (choose from 'json', 'text', 'table', 'yaml', 'yaml-stream')"
            ))),
        }
    }
}

/// How to print: the format, and the table title.
#[derive(Debug, Clone, Copy)]
pub struct Choice<'a> {
    pub format: Format,
    /// The table title: the operation's model name, as the AWS CLI titles it.
    pub title: &'a str,
}

impl<'a> Choice<'a> {
    /// The format to print in: `--output` (`given`), else `AWS_DEFAULT_OUTPUT`, else the
    /// profile's `output` key (`profile_output`, as the session read it), else `json`.
    pub fn resolve(
        given: Option<Format>,
        profile_output: Option<&str>,
        title: &'a str,
    ) -> Result<Choice<'a>, CliError> {
        let from_env = std::env::var("AWS_DEFAULT_OUTPUT")
            .ok()
            .filter(|v| !v.trim().is_empty());
        let format = match (given, from_env.as_deref().or(profile_output)) {
            (Some(f), _) => f,
            (None, Some(name)) => Format::parse(name.trim())?,
            (None, None) => Format::Json,
        };
        Ok(Choice { format, title })
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
    /// the order Python's JMESPath gives them, as the AWS CLI prints them: an object with
    /// the keys of a multi-select hash (`{Id: VpcId, Cidr: CidrBlock}`) in the query's
    /// order, an object taken whole from `value` in its order there.
    pub fn apply(&self, value: &Value) -> Result<Value, CliError> {
        let found = self
            .expr
            .search(value)
            .map_err(|e| CliError::other(crate::error::one_line(&e.to_string())))?;
        let out = serde_json::to_value(&*found).map_err(|e| CliError::other(e.to_string()))?;
        let mut orders = KeyOrders::default();
        hashes(self.expr.as_ast(), &mut orders);
        collect_order(value, &mut orders);
        Ok(reorder(out, &orders, &self.text))
    }
}

/// Key orders by key set (the sorted keys joined), first seen first; and a rank for each
/// key name, for objects whose key set was never seen.
#[derive(Default)]
struct KeyOrders {
    by_set: HashMap<String, Vec<String>>,
    rank: HashMap<String, usize>,
}

impl KeyOrders {
    fn add(&mut self, keys: Vec<String>) {
        let mut set = keys.clone();
        set.sort();
        self.by_set.entry(set.join("\0")).or_insert(keys);
    }
}

/// The key orders of every multi-select hash in a query.
fn hashes(ast: &jmespath::ast::Ast, orders: &mut KeyOrders) {
    use jmespath::ast::Ast;
    match ast {
        Ast::MultiHash { elements, .. } => {
            orders.add(elements.iter().map(|kv| kv.key.clone()).collect());
            elements.iter().for_each(|kv| hashes(&kv.value, orders));
        }
        Ast::Comparison { lhs, rhs, .. }
        | Ast::Projection { lhs, rhs, .. }
        | Ast::And { lhs, rhs, .. }
        | Ast::Or { lhs, rhs, .. }
        | Ast::Subexpr { lhs, rhs, .. } => {
            hashes(lhs, orders);
            hashes(rhs, orders);
        }
        Ast::Condition {
            predicate, then, ..
        } => {
            hashes(predicate, orders);
            hashes(then, orders);
        }
        Ast::Expref { ast: node, .. }
        | Ast::Flatten { node, .. }
        | Ast::Not { node, .. }
        | Ast::ObjectValues { node, .. } => hashes(node, orders),
        Ast::Function { args: nodes, .. }
        | Ast::MultiList {
            elements: nodes, ..
        } => nodes.iter().for_each(|n| hashes(n, orders)),
        Ast::Identity { .. }
        | Ast::Field { .. }
        | Ast::Index { .. }
        | Ast::Literal { .. }
        | Ast::Slice { .. } => {}
    }
}

fn collect_order(v: &Value, orders: &mut KeyOrders) {
    match v {
        Value::Object(m) => {
            orders.add(m.keys().cloned().collect());
            for (k, child) in m {
                let n = orders.rank.len();
                orders.rank.entry(k.clone()).or_insert(n);
                collect_order(child, orders);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| collect_order(c, orders)),
        _ => {}
    }
}

fn reorder(v: Value, orders: &KeyOrders, query: &str) -> Value {
    match v {
        Value::Object(m) => {
            let mut set: Vec<&String> = m.keys().collect();
            set.sort();
            let set = set
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join("\0");
            let known = orders.by_set.get(&set);
            let mut items: Vec<(String, Value)> = m
                .into_iter()
                .map(|(k, c)| (k, reorder(c, orders, query)))
                .collect();
            match known {
                Some(order) => items.sort_by_key(|(k, _)| order.iter().position(|o| o == k)),
                None => items.sort_by_key(|(k, _)| match orders.rank.get(k) {
                    Some(r) => (0, *r),
                    None => (1, query.find(k.as_str()).unwrap_or(usize::MAX)),
                }),
            }
            Value::Object(items.into_iter().collect::<Map<_, _>>())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(|c| reorder(c, orders, query)).collect()),
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
    let text = match c.format {
        Format::YamlStream if value.as_object().is_some_and(Map::is_empty) => return Ok(()),
        Format::YamlStream => formats::yaml(&Value::Array(vec![value])),
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
        // The hash's own order, even when a key's name appears earlier in the query.
        let q =
            Query::compile("Reservations[?Alpha].Instances[].{Id: Zeta, Alpha: Alpha}").unwrap();
        assert_eq!(q.apply(&v).unwrap().to_string(), "[]");
        let q =
            Query::compile("Reservations[].Instances[?Alpha].{Id: Zeta, Alpha: Alpha}[]").unwrap();
        assert_eq!(q.apply(&v).unwrap().to_string(), r#"[{"Id":1,"Alpha":2}]"#);
        // Objects taken whole keep their own order, per object kind.
        let v = json!({"A": [{"Y": 1, "X": 2}], "B": [{"X": 3, "Y": 4, "Z": 5}]});
        let q = Query::compile("{B: B, A: A}").unwrap();
        assert_eq!(
            q.apply(&v).unwrap().to_string(),
            r#"{"B":[{"X":3,"Y":4,"Z":5}],"A":[{"Y":1,"X":2}]}"#
        );
        assert_eq!(Query::compile("[").err().map(|e| e.code), Some(252));
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(Format::parse("yaml").ok(), Some(Format::Yaml));
        assert_eq!(Format::parse("table").ok(), Some(Format::Table));
        assert_eq!(Format::parse("xml").err().map(|e| e.code), Some(252));
        assert_eq!(Format::parse("yaml-stream").ok(), Some(Format::YamlStream));
    }
}

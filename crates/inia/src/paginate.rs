//! Paging driven by `paginators-1.json`: which output fields hold the next token(s),
//! which input members take them, when paging stops, and how pages add up to one result.
//!
//! - Tokens: `output_token` expressions (JMESPath, one or several) are read from each page;
//!   paging stops when all are empty, or when `more_results` is present and false.
//! - A page whose tokens equal the previous page's is an error, not an endless loop.
//! - [`FullResult`] builds what botocore's `build_full_result` builds: `result_key` lists
//!   concatenated (numbers summed, strings joined), `non_aggregate_keys` from the first
//!   page, and `NextToken` when stopped early by `max_items`.
//!
//! Owns that logic, without I/O: the client feeds it pages. Does not own calling or the
//! page loop (`client_pages`).

use jmespath::Expression;
use serde_json::{Map, Value};
use std::sync::Arc;

/// Paging went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    #[error("{operation}: the paginator spec is invalid: {message}")]
    /// The paginator spec is invalid.
    Spec {
        /// The operation.
        operation: String,
        /// What is wrong.
        message: String,
    },
    #[error("{operation}: the service returned the same next token twice ({token}); stopping")]
    /// The service returned the same next token twice.
    RepeatedToken {
        /// The operation.
        operation: String,
        /// The token.
        token: String,
    },
}

/// One operation's paginator.
#[derive(Debug, Clone)]
pub struct Paginator {
    operation: String,
    input_tokens: Vec<String>,
    output_tokens: Vec<Expr>,
    limit_key: Option<String>,
    more_results: Option<Expr>,
    result_keys: Vec<Expr>,
    non_aggregate_keys: Vec<Expr>,
}

/// A compiled JMESPath expression with its text.
#[derive(Clone)]
pub struct Expr {
    text: String,
    compiled: Arc<Expression<'static>>,
}

impl std::fmt::Debug for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Expr({:?})", self.text)
    }
}

impl Expr {
    /// Compile a JMESPath expression; the error says why it does not parse.
    pub fn compile(text: &str) -> Result<Expr, String> {
        let compiled = jmespath::compile(text).map_err(|e| format!("`{text}`: {e}"))?;
        Ok(Expr {
            text: text.to_string(),
            compiled: Arc::new(compiled),
        })
    }

    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Set what a dotted path (`Contents`, `DistributionList.Items`) names in `data`, an
    /// object, creating objects on the way (botocore's `set_value_from_jmespath`).
    pub fn set(&self, data: &mut Value, v: Value) {
        if let Value::Object(m) = data {
            set_path(m, &self.text, v);
        }
    }

    /// Evaluate against a value; an evaluation error counts as `null`. A plain dotted
    /// path is read from the value itself, so objects keep their key order (JMESPath's
    /// objects come back with sorted keys).
    pub fn search(&self, data: &Value) -> Value {
        if let Some(parts) = path_parts(&self.text) {
            let mut cur = data;
            for p in parts {
                match cur.get(p) {
                    Some(v) => cur = v,
                    None => return Value::Null,
                }
            }
            return cur.clone();
        }
        match self.compiled.search(data) {
            Ok(v) => serde_json::to_value(&*v).unwrap_or(Value::Null),
            Err(_) => Value::Null,
        }
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

impl Paginator {
    /// Build from the operation's entry in `paginators-1.json`'s `pagination` object.
    pub fn from_spec(operation: &str, spec: &Value) -> Result<Paginator, PaginationError> {
        let err = |message: String| PaginationError::Spec {
            operation: operation.to_string(),
            message,
        };
        let compile_all = |key: &str| -> Result<Vec<Expr>, PaginationError> {
            strings(spec.get(key))
                .iter()
                .map(|s| Expr::compile(s).map_err(err))
                .collect()
        };
        let input_tokens = strings(spec.get("input_token"));
        let output_tokens = compile_all("output_token")?;
        if input_tokens.is_empty() || input_tokens.len() != output_tokens.len() {
            return Err(err(format!(
                "{} input token(s) but {} output token(s)",
                input_tokens.len(),
                output_tokens.len()
            )));
        }
        let more_results = match spec.get("more_results").and_then(Value::as_str) {
            Some(s) => Some(Expr::compile(s).map_err(err)?),
            None => None,
        };
        Ok(Paginator {
            operation: operation.to_string(),
            input_tokens,
            output_tokens,
            limit_key: spec
                .get("limit_key")
                .and_then(Value::as_str)
                .map(str::to_string),
            more_results,
            result_keys: compile_all("result_key")?,
            non_aggregate_keys: compile_all("non_aggregate_keys")?,
        })
    }

    /// The paginators of a whole `paginators-1.json`, by operation name.
    pub fn all_from_file(file: &Value) -> Result<Vec<Paginator>, PaginationError> {
        let Some(Value::Object(p)) = file.get("pagination") else {
            return Ok(Vec::new());
        };
        p.iter()
            .map(|(op, spec)| Paginator::from_spec(op, spec))
            .collect()
    }

    /// The operation this paginator pages.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The input member that sets the page size (`MaxResults`, `MaxKeys`...).
    pub fn limit_key(&self) -> Option<&str> {
        self.limit_key.as_deref()
    }

    /// The input members that carry the next token.
    pub fn input_tokens(&self) -> &[String] {
        &self.input_tokens
    }

    /// The keys the first page gives for the whole result (`RequestCharged`).
    pub fn non_aggregate_keys(&self) -> &[Expr] {
        &self.non_aggregate_keys
    }

    /// The result keys' expressions (`Reservations`, `Contents`).
    pub fn result_keys(&self) -> &[Expr] {
        &self.result_keys
    }

    /// The tokens this page names for the next one, or `None` when it is the last page.
    pub fn next_tokens(&self, page: &Value) -> Option<Vec<Value>> {
        if let Some(more) = &self.more_results {
            if !truthy(&more.search(page)) {
                return None;
            }
        }
        let tokens: Vec<Value> = self.output_tokens.iter().map(|e| e.search(page)).collect();
        if tokens.iter().all(empty) {
            None
        } else {
            Some(tokens)
        }
    }

    /// The params for the next page, or `None` when `page` is the last. `previous` holds the
    /// tokens that produced `page`; getting the same ones again is an error.
    pub fn next_params(
        &self,
        params: &Value,
        page: &Value,
        previous: Option<&[Value]>,
    ) -> Result<Option<(Value, Vec<Value>)>, PaginationError> {
        let Some(tokens) = self.next_tokens(page) else {
            return Ok(None);
        };
        if previous == Some(tokens.as_slice()) {
            return Err(PaginationError::RepeatedToken {
                operation: self.operation.clone(),
                token: tokens
                    .iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let mut next = params.as_object().cloned().unwrap_or_default();
        for (name, token) in self.input_tokens.iter().zip(&tokens) {
            if empty(token) {
                next.shift_remove(name);
            } else {
                next.insert(name.clone(), token.clone());
            }
        }
        Ok(Some((Value::Object(next), tokens)))
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        other => !empty(other),
    }
}

/// Pages added up into one result, as botocore's `build_full_result`: the result keys
/// first, then every non-aggregate key of the first page (`null` when the page lacks it,
/// as botocore records it), then `NextToken`.
#[derive(Debug, Default)]
pub struct FullResult {
    result: Map<String, Value>,
    non_aggregate: Map<String, Value>,
    next_token: Option<String>,
    first: bool,
}

impl FullResult {
    /// An empty result.
    pub fn new() -> Self {
        FullResult {
            first: true,
            ..FullResult::default()
        }
    }

    /// Add one page.
    pub fn add(&mut self, paginator: &Paginator, page: &Value) {
        if self.first {
            for e in &paginator.non_aggregate_keys {
                set_path(&mut self.non_aggregate, e.text(), e.search(page));
            }
        }
        for e in &paginator.result_keys {
            let v = e.search(page);
            let slot = get_path(&mut self.result, e.text());
            match (slot, v) {
                (_, Value::Null) => {}
                (Some(Value::Array(acc)), Value::Array(more)) => acc.extend(more),
                (Some(Value::String(acc)), Value::String(more)) => acc.push_str(&more),
                (Some(Value::Number(acc)), Value::Number(more)) => {
                    let sum = match (acc.as_i64(), more.as_i64()) {
                        (Some(a), Some(b)) => Value::from(a + b),
                        _ => {
                            Value::from(acc.as_f64().unwrap_or(0.0) + more.as_f64().unwrap_or(0.0))
                        }
                    };
                    set_path(&mut self.result, e.text(), sum);
                }
                (_, v) => set_path(&mut self.result, e.text(), v),
            }
        }
        self.first = false;
    }

    /// Record where a stop by `max_items` left off.
    pub fn set_next_token(&mut self, token: String) {
        self.next_token = Some(token);
    }

    /// The whole result, with the last page's other members.
    pub fn finish(mut self) -> Value {
        merge(&mut self.result, self.non_aggregate);
        if let Some(token) = self.next_token {
            self.result.insert("NextToken".into(), Value::String(token));
        }
        Value::Object(self.result)
    }
}

/// botocore's `merge_dicts`: objects merge key by key, anything else replaces.
fn merge(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (k, v) in from {
        match (into.get_mut(&k), v) {
            (Some(Value::Object(a)), Value::Object(b)) => merge(a, b),
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
}

/// Dotted result keys (`DistributionList.Items`) name nested members.
fn path_parts(expr: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = expr.split('.').collect();
    parts
        .iter()
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then_some(parts)
}

fn get_path<'a>(m: &'a mut Map<String, Value>, expr: &str) -> Option<&'a mut Value> {
    let parts = path_parts(expr)?;
    let (last, init) = parts.split_last()?;
    let mut cur = m;
    for p in init {
        cur = cur.get_mut(*p)?.as_object_mut()?;
    }
    cur.get_mut(*last)
}

fn set_path(m: &mut Map<String, Value>, expr: &str, v: Value) {
    let Some(parts) = path_parts(expr) else {
        m.insert(expr.to_string(), v);
        return;
    };
    let Some((last, init)) = parts.split_last() else {
        return;
    };
    let mut cur = m;
    for p in init {
        let slot = cur
            .entry(p.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(next) = slot else { return };
        cur = next;
    }
    cur.insert(last.to_string(), v);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s3_list() -> Paginator {
        Paginator::from_spec(
            "ListObjects",
            &json!({"more_results": "IsTruncated", "limit_key": "MaxKeys",
                    "output_token": "NextMarker || Contents[-1].Key", "input_token": "Marker",
                    "result_key": ["Contents", "CommonPrefixes"]}),
        )
        .unwrap()
    }

    #[test]
    fn tokens_and_more_results() {
        let p = s3_list();
        let page = json!({"IsTruncated": true, "Contents": [{"Key": "a"}, {"Key": "b"}]});
        let (next, tokens) = p
            .next_params(&json!({"Bucket": "x"}), &page, None)
            .unwrap()
            .unwrap();
        assert_eq!(next, json!({"Bucket": "x", "Marker": "b"}));
        assert!(
            p.next_params(&next, &page, Some(&tokens)).is_err(),
            "repeated token"
        );
        let last = json!({"IsTruncated": false, "Contents": [{"Key": "c"}]});
        assert!(p
            .next_params(&next, &last, Some(&tokens))
            .unwrap()
            .is_none());
    }

    #[test]
    fn multi_token_and_full_result() {
        let p = Paginator::from_spec(
            "ListResourceRecordSets",
            &json!({"input_token": ["StartRecordName", "StartRecordType"],
                    "output_token": ["NextRecordName", "NextRecordType"],
                    "more_results": "IsTruncated", "result_key": "ResourceRecordSets",
                    "non_aggregate_keys": ["MaxItems"]}),
        )
        .unwrap();
        let p1 = json!({"IsTruncated": true, "NextRecordName": "b", "NextRecordType": "A", "MaxItems": "1",
                        "ResourceRecordSets": [{"Name": "a"}]});
        let (next, _) = p.next_params(&json!({}), &p1, None).unwrap().unwrap();
        assert_eq!(
            next,
            json!({"StartRecordName": "b", "StartRecordType": "A"})
        );
        let p2 =
            json!({"IsTruncated": false, "MaxItems": "9", "ResourceRecordSets": [{"Name": "b"}]});
        let mut full = FullResult::new();
        full.add(&p, &p1);
        full.add(&p, &p2);
        assert_eq!(
            full.finish(),
            json!({"MaxItems": "1", "ResourceRecordSets": [{"Name": "a"}, {"Name": "b"}]})
        );
    }

    #[test]
    fn full_result_in_botocore_order() {
        let p = Paginator::from_spec(
            "ListObjectsV2",
            &json!({"more_results": "IsTruncated", "output_token": "NextContinuationToken",
                    "input_token": "ContinuationToken", "result_key": ["Contents", "CommonPrefixes"],
                    "non_aggregate_keys": ["RequestCharged", "Prefix"]}),
        )
        .unwrap();
        let page = json!({"IsTruncated": true, "Prefix": "", "NextContinuationToken": "t",
                          "Contents": [{"Key": "a", "ETag": "e", "Size": 1}]});
        let mut full = FullResult::new();
        full.add(&p, &page);
        full.set_next_token("t".into());
        // Key order is part of what the AWS CLI prints; compare the text.
        assert_eq!(
            full.finish().to_string(),
            r#"{"Contents":[{"Key":"a","ETag":"e","Size":1}],"RequestCharged":null,"Prefix":"","NextToken":"t"}"#
        );
    }

    #[test]
    fn every_shipped_paginator_compiles() {
        let specs = inia_model::SpecPath::embedded_only();
        let mut n = 0;
        for svc in specs.services() {
            if let Some(file) = specs.load_json(&svc, "paginators-1").unwrap() {
                n += Paginator::all_from_file(&file).unwrap().len();
            }
        }
        assert!(n > 150, "{n}");
    }

    #[test]
    fn bad_specs_are_errors() {
        assert!(Paginator::from_spec("X", &json!({"input_token": "A"})).is_err());
        assert!(
            Paginator::from_spec("X", &json!({"input_token": "A", "output_token": "(("})).is_err()
        );
    }
}

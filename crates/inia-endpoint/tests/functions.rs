//! The newer standard functions, which no rule set of the pinned botocore uses yet:
//! `coalesce`, `split` and `ite`, as the Smithy rules-engine specification defines them,
//! evaluated through a rule set like any other function.

use inia_endpoint::{Partitions, ResolveError, Resolver, RuleSet, Val};
use serde_json::json;
use std::sync::Arc;

fn resolver(conditions: serde_json::Value, url: &str) -> Resolver {
    let rules = json!({"version": "1.3",
        "parameters": {
            "A": {"type": "string"}, "B": {"type": "string"},
            "S": {"type": "string"}, "Flag": {"type": "boolean", "default": false, "required": true}},
        "rules": [
            {"type": "endpoint", "conditions": conditions, "endpoint": {"url": url}},
            {"type": "error", "conditions": [], "error": "no match"}]});
    let partitions = json!({"partitions": [{"id": "aws", "regionRegex": "^x$", "regions": {},
        "outputs": {"name": "aws", "dnsSuffix": "amazonaws.com"}}]});
    Resolver::new(
        Arc::new(RuleSet::from_json(&rules, "functions.json").unwrap()),
        Arc::new(Partitions::from_json(&partitions, "partitions.json").unwrap()),
    )
}

fn url(r: &Resolver, values: &[(&str, Val)]) -> Result<String, ResolveError> {
    let p = r.params(values.iter().cloned())?;
    r.resolve(&p).map(|e| e.url.clone())
}

#[test]
fn coalesce_takes_the_first_set_value() {
    let r = resolver(
        json!([{"fn": "coalesce", "argv": [{"ref": "A"}, {"ref": "B"}, "fallback"], "assign": "C"}]),
        "https://{C}.example",
    );
    assert_eq!(url(&r, &[]).unwrap(), "https://fallback.example");
    assert_eq!(
        url(&r, &[("B", Val::from("b"))]).unwrap(),
        "https://b.example"
    );
    assert_eq!(
        url(&r, &[("A", Val::from("a")), ("B", Val::from("b"))]).unwrap(),
        "https://a.example"
    );
}

#[test]
fn split_with_and_without_a_limit() {
    let all = resolver(
        json!([{"fn": "isSet", "argv": [{"ref": "S"}]},
               {"fn": "split", "argv": [{"ref": "S"}, "--", 0], "assign": "P"},
               {"fn": "getAttr", "argv": [{"ref": "P"}, "[2]"], "assign": "Third"}]),
        "https://{Third}.example",
    );
    assert_eq!(
        url(&all, &[("S", Val::from("a--b--c--d"))]).unwrap(),
        "https://c.example"
    );
    // Fewer parts than the index: getAttr gives no value, the condition fails.
    assert_eq!(
        url(&all, &[("S", Val::from("a--b"))])
            .unwrap_err()
            .to_string(),
        "no match"
    );
    let two = resolver(
        json!([{"fn": "isSet", "argv": [{"ref": "S"}]},
               {"fn": "split", "argv": [{"ref": "S"}, "--", 2], "assign": "P"},
               {"fn": "getAttr", "argv": [{"ref": "P"}, "[1]"], "assign": "Rest"}]),
        "https://x/{Rest}",
    );
    assert_eq!(
        url(&two, &[("S", Val::from("a--b--c"))]).unwrap(),
        "https://x/b--c"
    );
    let one = resolver(
        json!([{"fn": "isSet", "argv": [{"ref": "S"}]},
               {"fn": "split", "argv": [{"ref": "S"}, "--", 1], "assign": "P"},
               {"fn": "getAttr", "argv": [{"ref": "P"}, "[0]"], "assign": "All"}]),
        "https://x/{All}",
    );
    assert_eq!(
        url(&one, &[("S", Val::from("a--b"))]).unwrap(),
        "https://x/a--b"
    );
    let empty_delimiter = resolver(
        json!([{"fn": "isSet", "argv": [{"ref": "S"}]},
               {"fn": "split", "argv": [{"ref": "S"}, "", 0], "assign": "P"}]),
        "https://x",
    );
    let e = url(&empty_delimiter, &[("S", Val::from("ab"))]).unwrap_err();
    assert!(e.to_string().contains("delimiter must not be empty"), "{e}");
}

#[test]
fn ite_chooses_by_a_boolean() {
    let r = resolver(
        json!([{"fn": "ite", "argv": [{"ref": "Flag"}, "fips", "plain"], "assign": "V"}]),
        "https://{V}.example",
    );
    assert_eq!(url(&r, &[]).unwrap(), "https://plain.example");
    assert_eq!(
        url(&r, &[("Flag", Val::from(true))]).unwrap(),
        "https://fips.example"
    );
}

#[test]
fn arity_is_checked_at_load() {
    let rules = json!({"version": "1.3", "parameters": {},
        "rules": [{"type": "endpoint", "conditions": [{"fn": "ite", "argv": [true, "a"]}],
                   "endpoint": {"url": "https://x"}}]});
    let e = RuleSet::from_json(&rules, "bad.json").unwrap_err();
    assert_eq!(e.path, "rules[0].conditions[0].fn");
    assert!(e.message.contains("takes 3 argument(s), 2 given"), "{e}");
}

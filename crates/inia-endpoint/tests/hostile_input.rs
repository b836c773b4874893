//! Rule sets and parameters built to hurt: a 10,000-deep tree, a huge template, a
//! 100 KB ARN, regions that are not host names. Each gets a clear error or the right
//! answer, never a panic or a stall.

use inia_endpoint::{Partitions, ResolveError, Resolver, RuleSet, Val};
use serde_json::json;
use std::sync::Arc;

const S3_RULES: &str =
    include_str!("../../../service-specs/s3/2006-03-01/endpoint-rule-set-1.json");
const STS_RULES: &str =
    include_str!("../../../service-specs/sts/2011-06-15/endpoint-rule-set-1.json");
const PARTITIONS: &str = include_str!("../../../service-specs/partitions.json");

fn resolver(rules: &str) -> Resolver {
    let rules = RuleSet::from_slice(rules.as_bytes(), "rules.json").unwrap();
    let p = Partitions::from_slice(PARTITIONS.as_bytes(), "partitions.json").unwrap();
    Resolver::new(Arc::new(rules), Arc::new(p))
}

#[test]
fn a_10000_deep_tree_is_a_clear_load_error() {
    // Written as text: a value that deep could not even be dropped on a test's stack.
    let open = r#"{"type": "tree", "conditions": [], "rules": ["#.repeat(10_000);
    let close = "]}".repeat(10_000);
    let leaf = r#"{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://x"}}"#;
    let text =
        format!(r#"{{"version": "1.0", "parameters": {{}}, "rules": [{open}{leaf}{close}]}}"#);
    let e = RuleSet::from_slice(text.as_bytes(), "deep.json").unwrap_err();
    let msg = e.to_string();
    assert!(msg.starts_with("deep.json: line 1 column"), "{msg}");
    assert!(msg.contains("recursion limit"), "{msg}");
}

#[test]
fn a_deep_but_loadable_tree_resolves() {
    let mut rule =
        json!({"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{R}"}});
    for _ in 0..30 {
        rule = json!({"type": "tree", "conditions": [{"fn": "isSet", "argv": [{"ref": "R"}]}], "rules": [rule]});
    }
    let text = json!({"version": "1.0", "parameters": {"R": {"type": "string"}}, "rules": [rule]})
        .to_string();
    let r = Resolver::new(
        Arc::new(RuleSet::from_slice(text.as_bytes(), "t.json").unwrap()),
        Arc::new(Partitions::from_slice(PARTITIONS.as_bytes(), "p").unwrap()),
    );
    let p = r.params([("R", Val::from("h"))]).unwrap();
    assert_eq!(r.resolve(&p).unwrap().url, "https://h");
}

#[test]
fn a_huge_template_is_filled() {
    let mut url = String::from("https://");
    for i in 0..20_000 {
        url.push_str(&format!("{{R}}-{i}-"));
    }
    let text = json!({"version": "1.0", "parameters": {"R": {"type": "string", "required": true}},
        "rules": [{"type": "endpoint", "conditions": [], "endpoint": {"url": url}}]})
    .to_string();
    let r = Resolver::new(
        Arc::new(RuleSet::from_slice(text.as_bytes(), "t.json").unwrap()),
        Arc::new(Partitions::from_slice(PARTITIONS.as_bytes(), "p").unwrap()),
    );
    let p = r.params([("R", Val::from("ab"))]).unwrap();
    let e = r.resolve(&p).unwrap();
    assert_eq!(e.url.matches("ab-").count(), 20_000);
    assert!(e.url.ends_with("-19999-"));
}

#[test]
fn a_100_kb_arn_is_refused_by_the_s3_rules() {
    let r = resolver(S3_RULES);
    let arn = format!(
        "arn:aws:s3:us-west-2:123456789012:accesspoint/{}",
        "a".repeat(100 * 1024)
    );
    let p = r
        .params([
            ("Region", Val::from("us-west-2")),
            ("Bucket", Val::from(arn)),
        ])
        .unwrap();
    match r.resolve(&p) {
        Err(ResolveError::Rule(m)) => assert!(
            m.contains("Invalid ARN") || m.contains("access point name"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    let long_key = format!(
        "arn:aws:s3:us-west-2:123456789012:{}",
        "x/".repeat(50 * 1024)
    );
    let p = r
        .params([
            ("Region", Val::from("us-west-2")),
            ("Bucket", Val::from(long_key)),
        ])
        .unwrap();
    assert!(r.resolve(&p).is_err());
}

#[test]
fn regions_that_are_not_host_names() {
    let s3 = resolver(S3_RULES);
    for region in [
        "bad region!",
        "us-east-1/../../x",
        "",
        "a\u{0}b",
        &"r".repeat(10_000),
    ] {
        let p = s3
            .params([
                ("Region", Val::from(region)),
                ("Bucket", Val::from("mybucket")),
            ])
            .unwrap();
        match s3.resolve(&p) {
            Err(ResolveError::Rule(m)) => assert!(m.contains("region"), "{region:?}: {m}"),
            other => panic!("{region:?}: {other:?}"),
        }
    }
    // STS's rules do not check the region: the URL carries it as given, and the engine
    // refuses to parse that URL (crates/inia/tests/endpoints.rs).
    let sts = resolver(STS_RULES);
    let p = sts.params([("Region", Val::from("bad region!"))]).unwrap();
    assert_eq!(
        sts.resolve(&p).unwrap().url,
        "https://sts.bad region!.amazonaws.com"
    );
}

#[test]
fn wrong_parameter_types_are_named() {
    let r = resolver(STS_RULES);
    let e = r.params([("UseFIPS", Val::from("yes"))]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "endpoint parameter UseFIPS: must be a boolean, not a string"
    );
}

#[test]
fn the_cache_answers_repeated_calls() {
    let r = resolver(S3_RULES);
    let p = r
        .params([
            ("Region", Val::from("eu-west-1")),
            ("Bucket", Val::from("b1")),
            ("Key", Val::from("k")),
        ])
        .unwrap();
    let first = r.resolve(&p).unwrap();
    // `Key` is not read by any rule: another key shares the cache entry.
    let q = r
        .params([
            ("Region", Val::from("eu-west-1")),
            ("Bucket", Val::from("b1")),
            ("Key", Val::from("other")),
        ])
        .unwrap();
    assert!(Arc::ptr_eq(&first, &r.resolve(&q).unwrap()));
    for i in 0..(inia_endpoint::CACHE_ENTRIES * 3) {
        let p = r
            .params([
                ("Region", Val::from("eu-west-1")),
                ("Bucket", Val::from(format!("b-{i}"))),
            ])
            .unwrap();
        assert_eq!(
            r.resolve(&p).unwrap().url,
            format!("https://b-{i}.s3.eu-west-1.amazonaws.com")
        );
    }
}

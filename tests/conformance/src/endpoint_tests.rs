//! botocore's endpoint tests (`tests/functional/endpoint-rules/<service>/endpoint-tests-1.json`)
//! against inia's rules engine, with the rule sets and `partitions.json` of the same
//! botocore release.
//!
//! Each case's `params` are resolved directly and the url, headers and properties (the
//! auth schemes field by field) or the error text compared. Cases with
//! `operationInputs` also run each input through inia's real client path (the serializer
//! and the engine's parameter binding; nothing is sent) and check the request's URL,
//! as botocore's own end-to-end endpoint tests do.
//!
//! Owns reading the cases and comparing. Skips come only from `skipped-cases.json`.

use crate::protocol_vectors::{CaseResult, Outcome};
use crate::report::Skips;
use inia_endpoint::{Partitions, Resolver, RuleSet, Val};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One service's test file and the rule set it tests.
pub struct ServiceTests {
    pub service: String,
    pub tests: PathBuf,
    pub rules: PathBuf,
}

/// Every service with an endpoint test file, in name order.
pub fn discover(sdist_tests: &Path, data: &Path) -> Result<Vec<ServiceTests>, String> {
    let dir = sdist_tests.join("functional/endpoint-rules");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut out = Vec::new();
    for service in names {
        let tests = dir.join(&service).join("endpoint-tests-1.json");
        if !tests.is_file() {
            continue;
        }
        let rules = newest_rule_set(&data.join(&service)).ok_or_else(|| {
            format!(
                "no endpoint-rule-set-1.json for {service} in {}",
                data.display()
            )
        })?;
        out.push(ServiceTests {
            service,
            tests,
            rules,
        });
    }
    Ok(out)
}

fn newest_rule_set(service_dir: &Path) -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir(service_dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.join("endpoint-rule-set-1.json").is_file()
                || p.join("endpoint-rule-set-1.json.gz").is_file()
        })
        .collect();
    versions.sort();
    let v = versions.pop()?;
    ["endpoint-rule-set-1.json", "endpoint-rule-set-1.json.gz"]
        .iter()
        .map(|f| v.join(f))
        .find(|p| p.is_file())
}

/// A test's parameter value as a rules-engine value.
pub fn to_val(v: &Value) -> Option<Val> {
    Val::from_json(v)
}

/// Load `partitions.json` from a botocore data folder.
pub fn load_partitions(data: &Path) -> Result<Arc<Partitions>, String> {
    let p = data.join("partitions.json");
    let text = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
    Partitions::from_slice(&text, &p.display().to_string())
        .map(Arc::new)
        .map_err(|e| e.to_string())
}

/// Compare a resolution with a case's `expect`.
fn judge(
    result: Result<inia_endpoint::Endpoint, inia_endpoint::ResolveError>,
    expect: &Value,
) -> Outcome {
    match (result, expect.get("endpoint"), expect.get("error")) {
        (Ok(e), Some(want), _) => {
            let mut why = Vec::new();
            if want["url"].as_str() != Some(e.url.as_str()) {
                why.push(format!("url {} != {}", e.url, want["url"]));
            }
            let headers: serde_json::Map<String, Value> = e
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                .collect();
            let want_headers = want
                .get("headers")
                .cloned()
                .unwrap_or_else(|| Value::Object(Default::default()));
            if Value::Object(headers.clone()) != want_headers {
                why.push(format!(
                    "headers {} != {want_headers}",
                    Value::Object(headers)
                ));
            }
            let want_props = want
                .get("properties")
                .cloned()
                .unwrap_or_else(|| Value::Object(Default::default()));
            if Value::Object(e.properties.clone()) != want_props {
                why.push(format!(
                    "properties {} != {want_props}",
                    Value::Object(e.properties)
                ));
            }
            if why.is_empty() {
                Outcome::Passed
            } else {
                Outcome::Failed(why.join("; "))
            }
        }
        (Err(e), _, Some(want)) => {
            if want.as_str() == Some(e.to_string().as_str()) {
                Outcome::Passed
            } else {
                Outcome::Failed(format!("error {:?} != {want}", e.to_string()))
            }
        }
        (Ok(e), None, _) => {
            Outcome::Failed(format!("resolved {} where an error was expected", e.url))
        }
        (Err(e), _, None) => Outcome::Failed(format!("error: {e}")),
    }
}

/// Run one service's cases. `e2e` runs the `operationInputs` of a case through the
/// engine; `None` leaves those checks out.
pub type E2e<'a> = &'a dyn Fn(&str, &Value, &Value) -> Result<(), String>;

pub fn run_service(
    t: &ServiceTests,
    partitions: &Arc<Partitions>,
    skips: &Skips,
    e2e: Option<E2e<'_>>,
) -> Vec<CaseResult> {
    let key_base = format!("endpoint-rules/{}", t.service);
    let fail_all = |why: String| {
        vec![CaseResult {
            key: format!("{key_base}#load"),
            outcome: Outcome::Failed(why),
        }]
    };
    let text = match inia_model::read_text(&t.rules) {
        Ok(x) => x,
        Err(e) => return fail_all(e.to_string()),
    };
    let rules = match RuleSet::from_slice(text.as_bytes(), &t.rules.display().to_string()) {
        Ok(r) => Arc::new(r),
        Err(e) => return fail_all(e.to_string()),
    };
    let resolver = Resolver::new(rules, partitions.clone());
    let cases: Value = match std::fs::read(&t.tests)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => return fail_all(format!("{}: {e}", t.tests.display())),
    };
    let mut out = Vec::new();
    for (i, case) in cases["testCases"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let key = format!("{key_base}#{i}");
        if let Some(reason) = skips.reason(&key) {
            out.push(CaseResult {
                key,
                outcome: Outcome::Skipped(reason.to_string()),
            });
            continue;
        }
        let mut pairs = Vec::new();
        let mut bad = None;
        for (k, v) in case["params"].as_object().into_iter().flatten() {
            match to_val(v) {
                Some(x) => pairs.push((k.as_str(), x)),
                None if v.is_null() => {}
                None => bad = Some(format!("parameter {k}: unsupported value {v}")),
            }
        }
        let mut outcome = match bad {
            Some(why) => Outcome::Failed(why),
            None => judge(
                resolver.params(pairs).and_then(|p| resolver.evaluate(&p)),
                &case["expect"],
            ),
        };
        if let (Outcome::Passed, Some(run), Some(inputs)) =
            (&outcome, e2e, case.get("operationInputs"))
        {
            for input in inputs.as_array().into_iter().flatten() {
                if let Err(why) = run(&t.service, input, &case["expect"]) {
                    outcome =
                        Outcome::Failed(format!("operation {}: {why}", input["operationName"]));
                    break;
                }
            }
        }
        out.push(CaseResult { key, outcome });
    }
    out
}

//! Endpoint resolution: S3 GetObject with a bucket and STS GetCallerIdentity resolved with
//! each service's rule set, uncached (every rule evaluated) and cached (the resolver's
//! lookup by parameter values), next to botocore's resolver (`EndpointProvider`, pinned
//! botocore in `.cache/botocore-venv`) on the same rule sets and parameters in the same
//! run: uncached is `RuleSet.evaluate`, cached `resolve_endpoint` after a first call.
//! Both sides' URLs are checked first.
//!
//! inia's figures include binding the parameters (names to values, defaults, types).

use crate::median;
use inia_endpoint::{Partitions, Resolver, RuleSet, Val};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

const N: u32 = 20_000;

struct Case {
    name: &'static str,
    service: &'static str,
    params: Vec<(&'static str, Val)>,
    url: &'static str,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "S3 GetObject, bucket `mybucket`, us-west-2",
            service: "s3",
            params: vec![
                ("Region", Val::from("us-west-2")),
                ("Bucket", Val::from("mybucket")),
                ("UseFIPS", Val::from(false)),
                ("UseDualStack", Val::from(false)),
                ("Accelerate", Val::from(false)),
                ("ForcePathStyle", Val::from(false)),
                ("UseArnRegion", Val::from(true)),
                ("DisableMultiRegionAccessPoints", Val::from(false)),
                ("UseGlobalEndpoint", Val::from(false)),
            ],
            url: "https://mybucket.s3.us-west-2.amazonaws.com",
        },
        Case {
            name: "STS GetCallerIdentity, us-east-1",
            service: "sts",
            params: vec![
                ("Region", Val::from("us-east-1")),
                ("UseFIPS", Val::from(false)),
                ("UseDualStack", Val::from(false)),
                ("UseGlobalEndpoint", Val::from(false)),
            ],
            url: "https://sts.us-east-1.amazonaws.com",
        },
    ]
}

fn rule_set_text(data: &std::path::Path, service: &str) -> Result<String, String> {
    let dir = data.join(service);
    let mut versions: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .collect();
    versions.sort();
    let v = versions.pop().ok_or("no version")?;
    let f = ["endpoint-rule-set-1.json", "endpoint-rule-set-1.json.gz"]
        .iter()
        .map(|f| v.join(f))
        .find(|p| p.is_file())
        .ok_or("no rule set")?;
    inia_model::read_text(&f).map_err(|e| e.to_string())
}

const PYTHON: &str = r#"
import json, sys, timeit
from botocore.loaders import Loader
from botocore.endpoint_provider import EndpointProvider
spec = json.loads(sys.argv[1])
loader = Loader()
out = []
for case in spec["cases"]:
    rules = loader.load_service_model(case["service"], "endpoint-rule-set-1")
    provider = EndpointProvider(rules, loader.load_data("partitions"))
    params = case["params"]
    url = provider.ruleset.evaluate(dict(params)).url
    n = spec["n"]
    uncached = timeit.timeit(lambda: provider.ruleset.evaluate(dict(params)), number=n) / n
    provider.resolve_endpoint(**params)
    cached = timeit.timeit(lambda: provider.resolve_endpoint(**params), number=n) / n
    out.append({"url": url, "uncached": uncached, "cached": cached})
print(json.dumps(out))
"#;

pub fn run() -> Result<(), String> {
    let data = inia_conformance::botocore::wheel_data()?;
    let partitions = std::fs::read(data.join("partitions.json")).map_err(|e| e.to_string())?;
    let partitions = Arc::new(
        Partitions::from_slice(&partitions, "partitions.json").map_err(|e| e.to_string())?,
    );
    let python = inia_conformance::botocore::cache_dir().join("botocore-venv/bin/python");
    let spec = serde_json::json!({
        "n": N / 4,
        "cases": cases().iter().map(|c| serde_json::json!({
            "service": c.service,
            "params": c.params.iter().map(|(k, v)| (k.to_string(), v.to_json())).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
    });
    let out = Command::new(&python)
        .args(["-c", PYTHON, &spec.to_string()])
        .output()
        .map_err(|e| {
            format!(
                "{}: {e} (run `cargo xtask test` once to install it)",
                python.display()
            )
        })?;
    if !out.status.success() {
        return Err(format!(
            "botocore: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let theirs: Vec<serde_json::Value> =
        serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let us = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(N);
    for (case, theirs) in cases().iter().zip(&theirs) {
        let text = rule_set_text(&data, case.service)?;
        let load = median(
            || {
                std::hint::black_box(RuleSet::from_slice(text.as_bytes(), case.service).ok());
            },
            21,
        );
        println!(
            "| endpoint: {} rule set ({} KB) parsed and compiled, once per session | {:.2} ms | | |",
            case.service,
            text.len() / 1024,
            load.as_secs_f64() * 1e3
        );
        let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../service-specs");
        if let Ok(lean) = rule_set_text(&shipped, case.service) {
            let load = median(
                || {
                    std::hint::black_box(RuleSet::from_slice(lean.as_bytes(), case.service).ok());
                },
                21,
            );
            println!(
                "| endpoint: {} rule set as shipped (embedded, no documentation, {} KB) parsed and compiled | {:.2} ms | | |",
                case.service,
                lean.len() / 1024,
                load.as_secs_f64() * 1e3
            );
        }
        let rules = Arc::new(
            RuleSet::from_slice(text.as_bytes(), case.service).map_err(|e| e.to_string())?,
        );
        let resolver = Resolver::new(rules, partitions.clone());
        let bind = || {
            resolver
                .params(case.params.iter().cloned())
                .expect("params")
        };
        let url = resolver.evaluate(&bind()).map_err(|e| e.to_string())?.url;
        if url != case.url || theirs["url"] != case.url {
            return Err(format!(
                "{}: inia {url}, botocore {}, expected {}",
                case.name, theirs["url"], case.url
            ));
        }
        let uncached = median(
            || {
                for _ in 0..N {
                    std::hint::black_box(resolver.evaluate(&bind()).ok());
                }
            },
            7,
        );
        let cached = median(
            || {
                for _ in 0..N {
                    std::hint::black_box(resolver.resolve(&bind()).ok());
                }
            },
            7,
        );
        let (b_unc, b_cac) = (
            theirs["uncached"].as_f64().unwrap_or(0.0) * 1e6,
            theirs["cached"].as_f64().unwrap_or(0.0) * 1e6,
        );
        println!(
            "| endpoint: {}, uncached (all rules evaluated) | {:.2} µs | botocore 1.44.5 `RuleSet.evaluate`: {:.1} µs | 1/{:.0} |",
            case.name, us(uncached), b_unc, b_unc / us(uncached)
        );
        println!(
            "| endpoint: {}, cached | {:.3} µs | botocore 1.44.5 `resolve_endpoint` (lru cache): {:.2} µs | 1/{:.0} |",
            case.name, us(cached), b_cac, b_cac / us(cached)
        );
    }
    Ok(())
}

//! `cargo xtask gen-specs`: regenerate `service-specs/` from the pinned botocore wheel.
//!
//! For each service inia ships, the newest api-version's `service-2`, `paginators-1` and
//! `waiters-2` are read, sdk-extras merged in, and every documentation string removed
//! (published API facts only: names, shapes, traits). Output is compact JSON.

use inia_conformance::botocore;
use inia_model::{deep_merge, read_text, strip_documentation};
use serde_json::Value;
use std::path::Path;

/// The services the seeds and end-to-end tests use.
pub const SHIPPED: &[&str] = &["dynamodb", "ec2", "iam", "s3", "sns", "sqs", "sts"];

fn read_json(path: &Path) -> Result<Value, String> {
    let text = read_text(path).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn strip_prose(v: &mut Value) {
    strip_documentation(v);
    if let Value::Object(m) = v {
        m.shift_remove("deprecatedMessage");
        m.values_mut().for_each(strip_prose);
    } else if let Value::Array(a) = v {
        a.iter_mut().for_each(strip_prose);
    }
}

/// Keep of an endpoint entry only what resolution reads: hostname, credential scope.
fn lean_endpoint(e: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for k in ["hostname", "credentialScope"] {
        if let Some(v) = e.get(k) {
            out.insert(k.to_string(), v.clone());
        }
    }
    Value::Object(out)
}

/// `endpoints.json`: partitions with their regions, hostname templates, and per service
/// the endpoints that differ from the template (global services, credential scopes).
fn lean_endpoints(full: &Value) -> Value {
    let mut partitions = Vec::new();
    for p in full["partitions"].as_array().into_iter().flatten() {
        let mut services = serde_json::Map::new();
        for (name, svc) in p["services"].as_object().into_iter().flatten() {
            let mut out = serde_json::Map::new();
            for k in ["partitionEndpoint", "isRegionalized"] {
                if let Some(v) = svc.get(k) {
                    out.insert(k.to_string(), v.clone());
                }
            }
            let defaults = lean_endpoint(&svc["defaults"]);
            if defaults.as_object().is_some_and(|o| !o.is_empty()) {
                out.insert("defaults".into(), defaults);
            }
            let mut eps = serde_json::Map::new();
            for (region, e) in svc["endpoints"].as_object().into_iter().flatten() {
                if e.get("deprecated").is_some() {
                    continue;
                }
                let lean = lean_endpoint(e);
                if lean.as_object().is_some_and(|o| !o.is_empty()) {
                    eps.insert(region.clone(), lean);
                }
            }
            if !eps.is_empty() {
                out.insert("endpoints".into(), Value::Object(eps));
            }
            if !out.is_empty() {
                services.insert(name.clone(), Value::Object(out));
            }
        }
        let regions: Vec<Value> = p["regions"]
            .as_object()
            .map(|r| r.keys().map(|k| Value::String(k.clone())).collect())
            .unwrap_or_default();
        partitions.push(serde_json::json!({
            "partition": p["partition"], "dnsSuffix": p["dnsSuffix"], "regionRegex": p["regionRegex"],
            "regions": regions, "defaults": lean_endpoint(&p["defaults"]), "services": services,
        }));
    }
    serde_json::json!({"version": 3, "partitions": partitions})
}

pub fn run(out_root: &Path) -> Result<(), String> {
    let data = botocore::wheel_data()?;
    let endpoints = lean_endpoints(&read_json(&data.join("endpoints.json"))?);
    let out = out_root.join("endpoints.json");
    let text = serde_json::to_string(&endpoints).map_err(|e| e.to_string())?;
    std::fs::write(&out, text + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    println!("wrote {}", out.display());
    for service in SHIPPED {
        let dir = data.join(service);
        let version = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .flatten()
            .filter(|e| {
                e.path().join("service-2.json.gz").is_file()
                    || e.path().join("service-2.json").is_file()
            })
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .max()
            .ok_or_else(|| format!("no model for {service}"))?;
        let src = dir.join(&version);
        let dest = out_root.join(service).join(&version);
        if out_root.join(service).exists() {
            std::fs::remove_dir_all(out_root.join(service)).map_err(|e| e.to_string())?;
        }
        std::fs::create_dir_all(&dest).map_err(|e| e.to_string())?;
        for kind in ["service-2", "paginators-1", "waiters-2"] {
            let file = ["json", "json.gz"]
                .iter()
                .map(|x| src.join(format!("{kind}.{x}")))
                .find(|p| p.is_file());
            let Some(file) = file else { continue };
            let mut value = read_json(&file)?;
            let extras = src.join(format!("{kind}.sdk-extras.json"));
            if extras.is_file() {
                if let Some(m) = read_json(&extras)?.get("merge") {
                    deep_merge(&mut value, m.clone());
                }
            }
            strip_prose(&mut value);
            let text = serde_json::to_string(&value).map_err(|e| e.to_string())?;
            let out = dest.join(format!("{kind}.json"));
            std::fs::write(&out, text + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
            println!("wrote {}", out.display());
        }
    }
    Ok(())
}

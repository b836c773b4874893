//! `cargo xtask gen-specs`: regenerate `service-specs/` from the pinned botocore wheel.
//!
//! `partitions.json` is copied as it is (partition names, DNS suffixes, region lists).
//! For each service inia ships, the newest api-version's `service-2`, `paginators-1`,
//! `waiters-2` and `endpoint-rule-set-1` are read, sdk-extras merged in, and every documentation string removed
//! (published API facts only: names, shapes, traits). Output is compact JSON.

use inia_conformance::botocore;
use inia_model::{deep_merge, read_text, strip_documentation};
use serde_json::Value;
use std::path::Path;

/// The services the seeds and end-to-end tests use, and those the credential sources call
/// (sso, sso-oidc, signin).
pub const SHIPPED: &[&str] = &[
    "dynamodb", "ec2", "iam", "s3", "signin", "sns", "sqs", "sso", "sso-oidc", "sts",
];

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

pub fn run(out_root: &Path) -> Result<(), String> {
    let data = botocore::wheel_data()?;
    let partitions = read_json(&data.join("partitions.json"))?;
    let out = out_root.join("partitions.json");
    let text = serde_json::to_string(&partitions).map_err(|e| e.to_string())?;
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
        for kind in [
            "service-2",
            "paginators-1",
            "waiters-2",
            "endpoint-rule-set-1",
        ] {
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

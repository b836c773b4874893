//! The AWS functions of the rules language: `aws.partition` over `partitions.json`,
//! `aws.parseArn` and `aws.isVirtualHostableS3Bucket`.
//!
//! Owns the partition table (loaded once, each partition's result record built once so
//! a lookup is a set probe and a clone of shared data) and the ARN and bucket-name rules.

use crate::functions::is_valid_host_label;
use crate::ruleset::LoadError;
use crate::value::Val;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

#[derive(Debug)]
struct Partition {
    regions: HashSet<String>,
    /// `regionRegex`, compiled when a region listed in no partition first needs it (most
    /// processes never do: compiling all of them would cost more than the call).
    pattern: String,
    regex: OnceLock<Result<regex_lite::Regex, String>>,
    path: String,
    /// The partition's `outputs` with `name` set to its id: what `aws.partition` returns.
    output: Val,
}

/// The partitions of a `partitions.json`, in file order (the first is the default).
#[derive(Debug)]
pub struct Partitions {
    list: Vec<Partition>,
}

impl Partitions {
    /// Load the text of a `partitions.json`. `origin` names it in errors.
    pub fn from_slice(text: &[u8], origin: &str) -> Result<Partitions, LoadError> {
        Partitions::from_text(LoadError::utf8(text, origin)?, origin)
    }

    /// Load the text of a `partitions.json` already known to be UTF-8.
    pub fn from_text(text: &str, origin: &str) -> Result<Partitions, LoadError> {
        let v: Value = serde_json::from_str(text).map_err(|e| LoadError::json(origin, &e))?;
        Partitions::from_json(&v, origin)
    }

    /// Load a parsed `partitions.json`.
    pub fn from_json(v: &Value, origin: &str) -> Result<Partitions, LoadError> {
        let err = |path: String, message: &str| LoadError {
            origin: origin.to_string(),
            path,
            message: message.to_string(),
        };
        let list = v["partitions"]
            .as_array()
            .ok_or_else(|| err("partitions".into(), "expected an array of partitions"))?;
        if list.is_empty() {
            return Err(err("partitions".into(), "no partitions"));
        }
        let mut out = Vec::with_capacity(list.len());
        for (i, p) in list.iter().enumerate() {
            let path = format!("partitions[{i}]");
            let id = p["id"]
                .as_str()
                .ok_or_else(|| err(format!("{path}.id"), "expected the partition's id"))?;
            let pattern = p["regionRegex"]
                .as_str()
                .ok_or_else(|| err(format!("{path}.regionRegex"), "expected a pattern"))?;
            let outputs = p["outputs"]
                .as_object()
                .ok_or_else(|| err(format!("{path}.outputs"), "expected an object"))?;
            let mut fields: Vec<(Arc<str>, Val)> = Vec::with_capacity(outputs.len() + 1);
            for (k, v) in outputs {
                if k == "name" {
                    continue;
                }
                let val = Val::from_json(v)
                    .ok_or_else(|| err(format!("{path}.outputs.{k}"), "unsupported value"))?;
                fields.push((Arc::from(k.as_str()), val));
            }
            fields.push((Arc::from("name"), Val::str(id)));
            out.push(Partition {
                regions: p["regions"]
                    .as_object()
                    .map(|r| r.keys().cloned().collect())
                    .unwrap_or_default(),
                pattern: pattern.to_string(),
                regex: OnceLock::new(),
                path: format!("{origin}: {path}.regionRegex"),
                output: Val::Record(fields.into()),
            });
        }
        Ok(Partitions { list: out })
    }

    /// The partition record of `region`: the partition listing it, else the first whose
    /// pattern matches, else the first partition (`aws`). An invalid pattern is an error
    /// naming it.
    pub(crate) fn partition(&self, region: &str) -> Result<Val, String> {
        if let Some(p) = self.list.iter().find(|p| p.regions.contains(region)) {
            return Ok(p.output.clone());
        }
        for p in &self.list {
            let regex = p
                .regex
                .get_or_init(|| {
                    regex_lite::Regex::new(&p.pattern).map_err(|e| format!("{}: {e}", p.path))
                })
                .as_ref()
                .map_err(Clone::clone)?;
            if regex.is_match(region) {
                return Ok(p.output.clone());
            }
        }
        Ok(self.list[0].output.clone())
    }
}

/// `arn:partition:service:region:account:resource`, with the resource split on `:` and
/// `/` into `resourceId`. No value when it is not such an ARN.
pub(crate) fn parse_arn(s: &str) -> Option<Val> {
    let rest = s.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    let ids = Val::strings(resource.split([':', '/']));
    let f = |k: &str, v: Val| (Arc::from(k), v);
    Some(Val::Record(Arc::from(vec![
        f("partition", Val::str(partition)),
        f("service", Val::str(service)),
        f("region", Val::str(region)),
        f("accountId", Val::str(account)),
        f("resourceId", ids),
    ])))
}

/// Four dot-separated groups of one to three digits.
pub(crate) fn looks_like_ipv4(s: &str) -> bool {
    let mut n = 0;
    for part in s.split('.') {
        n += 1;
        if !(1..=3).contains(&part.len()) || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    n == 4
}

/// A bucket name usable as a host label: at least 3 characters, no upper case, not an
/// IPv4 address, and a valid host label (each label, with `subdomains`).
pub(crate) fn is_virtual_hostable_s3_bucket(s: &str, subdomains: bool) -> bool {
    s.len() >= 3
        && !s.chars().any(char::is_uppercase)
        && !looks_like_ipv4(s)
        && is_valid_host_label(s, subdomains)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        let a = parse_arn("arn:aws:s3:us-west-2:123456789012:accesspoint/myap").unwrap();
        assert_eq!(a.field("accountId").unwrap().as_str(), Some("123456789012"));
        assert_eq!(
            a.field("resourceId").unwrap().to_json(),
            serde_json::json!(["accesspoint", "myap"])
        );
        assert!(parse_arn("arn:aws:s3:us-west-2:123456789012").is_none());
        assert!(parse_arn("arn::s3:::x").is_none());
        assert!(parse_arn("nope").is_none());
        let big = format!("arn:aws:s3:r:a:{}", "x/".repeat(50_000));
        assert!(parse_arn(&big).is_some());
    }

    #[test]
    fn buckets() {
        assert!(is_virtual_hostable_s3_bucket("my-bucket", false));
        assert!(!is_virtual_hostable_s3_bucket("my.bucket", false));
        assert!(is_virtual_hostable_s3_bucket("my.bucket", true));
        assert!(!is_virtual_hostable_s3_bucket("MyBucket", false));
        assert!(!is_virtual_hostable_s3_bucket("192.168.1.1", true));
        assert!(!is_virtual_hostable_s3_bucket("ab", false));
    }

    #[test]
    fn partitions_fall_back_to_the_first() {
        let p = Partitions::from_json(
            &serde_json::json!({"partitions": [
                {"id": "aws", "regionRegex": "^us\\-\\w+\\-\\d+$", "regions": {"us-east-1": {}},
                 "outputs": {"name": "aws", "dnsSuffix": "amazonaws.com"}},
                {"id": "aws-cn", "regionRegex": "^cn\\-\\w+\\-\\d+$", "regions": {},
                 "outputs": {"name": "aws-cn", "dnsSuffix": "amazonaws.com.cn"}}]}),
            "p.json",
        )
        .unwrap();
        let name = |r: &str| p.partition(r).unwrap().field("name").unwrap().to_json();
        assert_eq!(name("cn-north-9"), "aws-cn");
        assert_eq!(name("us-west-7"), "aws");
        assert_eq!(name("mars-1"), "aws");
        let bad = Partitions::from_json(
            &serde_json::json!({"partitions": [{"id": "x", "regionRegex": "(", "regions": {"r1": {}},
                "outputs": {"name": "x"}}]}),
            "p.json",
        )
        .unwrap();
        assert!(bad.partition("r1").is_ok());
        let e = bad.partition("r2").unwrap_err();
        assert!(e.starts_with("p.json: partitions[0].regionRegex: "), "{e}");
    }
}

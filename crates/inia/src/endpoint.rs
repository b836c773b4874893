//! Where a service is: endpoints from partition data (`endpoints.json` on the spec path,
//! embedded by default), or an override.
//!
//! Resolution, as botocore's partition resolver: find the partition whose region list or
//! region pattern holds the region (else assume `aws`); take the service's entry for the
//! region, or for its `partitionEndpoint` when the service is global (`isRegionalized`
//! false: iam, and sts's `aws-global`); merge partition defaults, service defaults and the
//! entry; expand `{service}`, `{region}` and `{dnsSuffix}` in the hostname; sign for the
//! entry's `credentialScope` region and service when it names them.
//!
//! Owns that lookup. Does not own overrides' sources (the session reads the environment)
//! or S3 addressing (the client).

use serde_json::Value;

/// Where to send a call and how to scope its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEndpoint {
    /// `https://host` (no trailing slash), or the override as given.
    pub url: String,
    /// Region for the signature's credential scope.
    pub signing_region: String,
    /// Service name for the credential scope, when the endpoint overrides it.
    pub signing_name: Option<String>,
    /// The partition the region belongs to (`aws`, `aws-cn`...).
    pub partition: String,
}

/// Endpoint resolution failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("invalid endpoint data: {0}")]
    Data(String),
    #[error("invalid region name `{0}`: it must be letters, digits and hyphens")]
    BadRegion(String),
}

#[derive(Debug)]
struct Partition {
    name: String,
    dns_suffix: String,
    regex: Option<regex_lite::Regex>,
    regions: Vec<String>,
    hostname: String,
    services: serde_json::Map<String, Value>,
}

/// The partitions of an `endpoints.json`.
#[derive(Debug)]
pub struct Partitions(Vec<Partition>);

impl Partitions {
    pub fn from_json(v: &Value) -> Result<Partitions, EndpointError> {
        let list = v["partitions"]
            .as_array()
            .ok_or_else(|| EndpointError::Data("no `partitions` list".into()))?;
        let mut out = Vec::new();
        for p in list {
            let name = p["partition"]
                .as_str()
                .ok_or_else(|| EndpointError::Data("a partition has no name".into()))?;
            let regex = match p["regionRegex"].as_str() {
                Some(r) => Some(
                    regex_lite::Regex::new(r)
                        .map_err(|e| EndpointError::Data(format!("{name}: regionRegex: {e}")))?,
                ),
                None => None,
            };
            out.push(Partition {
                name: name.to_string(),
                dns_suffix: p["dnsSuffix"]
                    .as_str()
                    .unwrap_or("amazonaws.com")
                    .to_string(),
                regex,
                regions: p["regions"]
                    .as_array()
                    .map(|r| {
                        r.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                hostname: p["defaults"]["hostname"]
                    .as_str()
                    .unwrap_or("{service}.{region}.{dnsSuffix}")
                    .to_string(),
                services: p["services"].as_object().cloned().unwrap_or_default(),
            });
        }
        if out.is_empty() {
            return Err(EndpointError::Data("no partitions".into()));
        }
        Ok(Partitions(out))
    }

    fn partition_for(&self, region: &str) -> &Partition {
        self.0
            .iter()
            .find(|p| p.regions.iter().any(|r| r == region))
            .or_else(|| {
                self.0
                    .iter()
                    .find(|p| p.regex.as_ref().is_some_and(|r| r.is_match(region)))
            })
            .or_else(|| self.0.iter().find(|p| p.name == "aws"))
            .unwrap_or(&self.0[0])
    }

    /// The endpoint of the service whose `endpointPrefix` is `prefix`, in `region`.
    pub fn resolve(&self, prefix: &str, region: &str) -> Result<ResolvedEndpoint, EndpointError> {
        if region.is_empty()
            || !region
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(EndpointError::BadRegion(region.to_string()));
        }
        let p = self.partition_for(region);
        let svc = p.services.get(prefix);
        let global = svc.is_some_and(|s| s["isRegionalized"] == Value::Bool(false));
        let key = match svc.and_then(|s| s["partitionEndpoint"].as_str()) {
            Some(pe) if global || region == pe => pe,
            _ => region,
        };
        let entry = svc.map(|s| &s["endpoints"][key]).filter(|e| e.is_object());
        let defaults = svc.map(|s| &s["defaults"]).filter(|e| e.is_object());
        let pick = |field: &str| -> Option<&Value> {
            entry
                .and_then(|e| e.get(field))
                .or_else(|| defaults.and_then(|d| d.get(field)))
        };
        let template = pick("hostname")
            .and_then(Value::as_str)
            .unwrap_or(&p.hostname);
        let host = template
            .replace("{service}", prefix)
            .replace("{region}", region)
            .replace("{dnsSuffix}", &p.dns_suffix);
        let scope = pick("credentialScope");
        let signing_region = scope
            .and_then(|s| s["region"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| {
                if key == region {
                    region.to_string()
                } else {
                    region_of_global(region, p)
                }
            });
        Ok(ResolvedEndpoint {
            url: format!("https://{host}"),
            signing_region,
            signing_name: scope
                .and_then(|s| s["service"].as_str())
                .map(str::to_string),
            partition: p.name.clone(),
        })
    }
}

/// The URL of a request: the endpoint (which may carry a base path, such as Walrus's
/// `/services/Walrus`) joined with the serialized path and query. A request path of `/`
/// keeps its slash (`/services/compute/?Action=..`), as the Smithy protocol suite's
/// `HostWithPath` cases require (botocore would drop it).
pub fn join(endpoint_url: &str, path_and_query: &str) -> String {
    let base = endpoint_url.trim_end_matches('/');
    if path_and_query.starts_with('/') {
        format!("{base}{path_and_query}")
    } else {
        format!("{base}/{path_and_query}")
    }
}

fn region_of_global(region: &str, p: &Partition) -> String {
    if p.regions.iter().any(|r| r == region) {
        region.to_string()
    } else {
        p.regions
            .first()
            .cloned()
            .unwrap_or_else(|| region.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partitions() -> Partitions {
        let v = inia_model::SpecPath::embedded_only()
            .load_root_json("endpoints.json")
            .unwrap()
            .unwrap();
        Partitions::from_json(&v).unwrap()
    }

    #[test]
    fn regional_services() {
        let p = partitions();
        let e = p.resolve("ec2", "eu-west-1").unwrap();
        assert_eq!(e.url, "https://ec2.eu-west-1.amazonaws.com");
        assert_eq!(e.signing_region, "eu-west-1");
        assert_eq!(
            p.resolve("sqs", "cn-north-1").unwrap().url,
            "https://sqs.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            p.resolve("dynamodb", "us-gov-west-1").unwrap().partition,
            "aws-us-gov"
        );
        // A region no partition lists but the aws pattern matches.
        assert_eq!(
            p.resolve("ec2", "us-east-9").unwrap().url,
            "https://ec2.us-east-9.amazonaws.com"
        );
    }

    #[test]
    fn global_services_sign_for_their_scope() {
        let p = partitions();
        let iam = p.resolve("iam", "eu-west-1").unwrap();
        assert_eq!(iam.url, "https://iam.amazonaws.com");
        assert_eq!(iam.signing_region, "us-east-1");
        let s3 = p.resolve("s3", "us-east-1").unwrap();
        assert_eq!(s3.url, "https://s3.us-east-1.amazonaws.com");
        assert_eq!(s3.signing_region, "us-east-1");
    }

    #[test]
    fn endpoint_paths_are_kept() {
        assert_eq!(
            join("https://example.com/custom", "/"),
            "https://example.com/custom/"
        );
        assert_eq!(
            join("http://h:8773/services/Walrus/", "/b/k?x=1"),
            "http://h:8773/services/Walrus/b/k?x=1"
        );
        assert_eq!(
            join("https://e.com", "/?Action=A"),
            "https://e.com/?Action=A"
        );
    }

    #[test]
    fn bad_regions_are_refused() {
        assert!(partitions().resolve("ec2", "us-east-1/../x").is_err());
        assert!(partitions().resolve("ec2", "").is_err());
    }
}

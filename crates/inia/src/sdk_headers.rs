//! What every request carries besides its operation's own headers, as botocore sends
//! them: a `User-Agent` in the AWS SDKs' 2.1 format, `amz-sdk-invocation-id` (one random
//! id per call, the same on each of its attempts) and `amz-sdk-request: attempt=N; max=M`.
//! They are added after signing, as botocore adds them (none of the three is signed).
//!
//! The agent string, made once per session around its feature list: `<name>/<version>
//! [md/inia#<version>] ua/2.1 os/<os>[#<release>] md/arch#<arch> lang/rust
//! [exec-env/<env>] [m/<ids>] cfg/retry-mode#standard [app/<id>]`. The `m/` list holds
//! botocore's feature ids (`useragent._USERAGENT_FEATURE_MAPPINGS`, one or two letters
//! each, sorted here, a set in botocore) of what the request used ([`Features`]): the
//! client's settings (standard retries `E`, an endpoint override `N`, the checksum
//! settings `Z`/`a` and `b`/`c`), the protocol (`M` for CBOR), gzip compression `L`, its
//! flexible checksum's algorithm (`U`...`AI`, `AE` for a caller's MD5), SigV4a `S`, a paginator `C`, a waiter `B`,
//! an S3 transfer `G`, a bearer token from the environment `3`, and where the
//! credentials came from (`g` environment, `n` profile, `v`+`w` credential process, `e`
//! code, `i` assume-role, `k` web identity, `z` container, `0` IMDS, `x` boto config,
//! `AD` login session, `s` SSO). botocore names the credential source only on the request
//! that loaded the credentials; inia names it on every request they sign. The name is `inia` unless a tool names itself
//! (`SessionBuilder::user_agent_name`: the command line is `inia-cli`); the app id comes
//! from code, `AWS_SDK_UA_APP_ID` or the profile's `sdk_ua_app_id`; the execution
//! environment from `AWS_EXECUTION_ENV`. Characters other than ASCII alphanumerics and
//! ``!$%&'*+-.^_`|~,`` become `-` (`#` is kept where it separates a value), as botocore
//! sanitizes them.
//!
//! Owns those headers. Does not own when attempts happen (`attempt`).

use http::HeaderValue;
use inia_protocol::checksum::Algorithm;
use std::collections::BTreeSet;

/// `amz-sdk-invocation-id`.
pub(crate) const INVOCATION_ID: &str = "amz-sdk-invocation-id";
/// `amz-sdk-request`.
pub(crate) const REQUEST: &str = "amz-sdk-request";

/// What the agent string is made of.
#[derive(Debug, Clone, Default)]
pub(crate) struct AgentParts {
    /// A tool's own name and version, when it is not the library itself.
    pub(crate) tool: Option<(String, String)>,
    /// `app/...`.
    pub(crate) app_id: Option<String>,
    /// `exec-env/...` (`AWS_EXECUTION_ENV`).
    pub(crate) exec_env: Option<String>,
}

/// Replace what an agent string may not hold with `-` (`#` kept when `hash`).
fn clean(s: &str, hash: bool) -> String {
    s.chars()
        .map(|c| {
            let ok =
                c.is_ascii_alphanumeric() || "!$%&'*+-.^_`|~,".contains(c) || (hash && c == '#');
            if ok {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The operating system's release, where it is cheap to read (Linux).
fn os_release() -> Option<String> {
    let text = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok()?;
    let t = text.trim();
    (!t.is_empty() && t.len() < 64).then(|| t.to_string())
}

/// botocore's feature ids that inia sends.
pub(crate) mod feature {
    pub(crate) const WAITER: &str = "B";
    pub(crate) const PAGINATOR: &str = "C";
    pub(crate) const RETRY_MODE_STANDARD: &str = "E";
    pub(crate) const S3_TRANSFER: &str = "G";
    pub(crate) const GZIP_REQUEST_COMPRESSION: &str = "L";
    pub(crate) const PROTOCOL_RPC_V2_CBOR: &str = "M";
    pub(crate) const ENDPOINT_OVERRIDE: &str = "N";
    pub(crate) const SIGV4A_SIGNING: &str = "S";
    pub(crate) const REQ_WHEN_SUPPORTED: &str = "Z";
    pub(crate) const REQ_WHEN_REQUIRED: &str = "a";
    pub(crate) const RES_WHEN_SUPPORTED: &str = "b";
    pub(crate) const RES_WHEN_REQUIRED: &str = "c";
    pub(crate) const BEARER_SERVICE_ENV_VARS: &str = "3";
    pub(crate) const REQ_MD5: &str = "AE";
}

/// The feature ids of one request (see the module documentation).
#[derive(Debug, Clone, Default)]
pub(crate) struct Features(BTreeSet<&'static str>);

impl Features {
    pub(crate) fn add(&mut self, id: &'static str) {
        self.0.insert(id);
    }

    /// The id of a flexible checksum's algorithm (`FLEXIBLE_CHECKSUMS_REQ_<ALG>`).
    pub(crate) fn add_checksum(&mut self, algorithm: Algorithm) {
        self.add(match algorithm {
            Algorithm::Crc32 => "U",
            Algorithm::Crc32c => "V",
            Algorithm::Crc64Nvme => "W",
            Algorithm::Sha1 => "X",
            Algorithm::Sha256 => "Y",
            Algorithm::Sha512 => "AF",
            Algorithm::XxHash3 => "AG",
            Algorithm::XxHash64 => "AH",
            Algorithm::XxHash128 => "AI",
        });
    }

    /// The ids of a credential source, by the provider's name.
    pub(crate) fn add_credentials(&mut self, source: &str) {
        let ids: &[&'static str] = match source {
            "environment" => &["g"],
            "shared-credentials-file" | "config-file" | "profile" => &["n"],
            "credential-process" => &["v", "w"],
            "static" => &["e"],
            "assume-role" => &["i"],
            "assume-role-with-web-identity" => &["k"],
            "container-role" => &["z"],
            "iam-role" => &["0"],
            "boto-config" => &["x"],
            "login" => &["AD"],
            "sso" => &["s"],
            _ => &[],
        };
        for id in ids {
            self.add(id);
        }
    }
}

/// The agent string of a session, around the place of its feature list.
#[derive(Debug, Clone)]
pub(crate) struct Agent {
    head: String,
    tail: String,
}

impl Agent {
    /// The `User-Agent` of a request that used `features`.
    pub(crate) fn header(&self, features: &Features) -> HeaderValue {
        let value = if features.0.is_empty() {
            format!("{} {}", self.head, self.tail)
        } else {
            let ids: Vec<&str> = features.0.iter().copied().collect();
            format!("{} m/{} {}", self.head, ids.join(","), self.tail)
        };
        // Only visible ASCII: this cannot fail.
        HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("inia"))
    }
}

/// The `User-Agent` of a session's requests, less their features.
pub(crate) fn user_agent(parts: &AgentParts) -> Agent {
    let version = env!("CARGO_PKG_VERSION");
    let mut c: Vec<String> = Vec::with_capacity(10);
    match &parts.tool {
        Some((name, v)) => {
            c.push(format!("{}/{}", clean(name, false), clean(v, true)));
            c.push(format!("md/inia#{version}"));
        }
        None => c.push(format!("inia/{version}")),
    }
    c.push("ua/2.1".into());
    let os = match std::env::consts::OS {
        "linux" | "macos" | "windows" | "ios" | "android" => std::env::consts::OS,
        _ => "other",
    };
    match os_release().filter(|_| os == "linux") {
        Some(r) => c.push(format!("os/{os}#{}", clean(&r, true))),
        None => c.push(format!("os/{os}")),
    }
    c.push(format!("md/arch#{}", clean(std::env::consts::ARCH, true)));
    c.push("lang/rust".into());
    if let Some(e) = &parts.exec_env {
        c.push(format!("exec-env/{}", clean(e, true)));
    }
    let head = c.join(" ");
    let mut tail = vec!["cfg/retry-mode#standard".to_string()];
    if let Some(app) = &parts.app_id {
        tail.push(format!("app/{}", clean(app, true)));
    }
    Agent {
        head,
        tail: tail.join(" "),
    }
}

/// A random version-4 UUID for one call.
pub(crate) fn invocation_id() -> HeaderValue {
    // Hex digits and dashes: always a valid header value.
    HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
        .unwrap_or_else(|_| HeaderValue::from_static("0"))
}

/// `attempt=N; max=M`.
pub(crate) fn request(attempt: u32, max: u32) -> HeaderValue {
    // Digits and ASCII only: always a valid header value.
    format!("attempt={attempt}; max={max}")
        .parse()
        .unwrap_or_else(|_| HeaderValue::from_static("attempt=1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_strings_as_botocore_builds_them() {
        let ua = user_agent(&AgentParts::default()).header(&Features::default());
        let ua = ua.to_str().unwrap();
        assert!(
            ua.starts_with(&format!("inia/{} ua/2.1 os/", env!("CARGO_PKG_VERSION"))),
            "{ua}"
        );
        assert!(
            ua.contains(" md/arch#") && ua.contains(" lang/rust "),
            "{ua}"
        );
        assert!(ua.ends_with(" cfg/retry-mode#standard"), "{ua}");
        let mut features = Features::default();
        features.add(feature::RETRY_MODE_STANDARD);
        features.add_checksum(Algorithm::XxHash128);
        features.add_credentials("credential-process");
        let ua = user_agent(&AgentParts {
            tool: Some(("inia-cli".into(), "0.1.0".into())),
            app_id: Some("my app/1".into()),
            exec_env: Some("AWS_Lambda_rust".into()),
        })
        .header(&features);
        let ua = ua.to_str().unwrap();
        assert!(ua.starts_with("inia-cli/0.1.0 md/inia#"), "{ua}");
        assert!(
            ua.contains(
                " exec-env/AWS_Lambda_rust m/AI,E,v,w cfg/retry-mode#standard app/my-app-1"
            ),
            "{ua}"
        );
    }

    #[test]
    fn invocation_ids_are_uuids_and_requests_count() {
        let (a, b) = (invocation_id(), invocation_id());
        assert_ne!(a, b);
        let a = a.to_str().unwrap();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
        assert_eq!(request(2, 3), "attempt=2; max=3");
    }
}

//! What every request carries besides its operation's own headers, as botocore sends
//! them: a `User-Agent` in the AWS SDKs' 2.1 format, `amz-sdk-invocation-id` (one random
//! id per call, the same on each of its attempts) and `amz-sdk-request: attempt=N; max=M`.
//! They are added after signing, as botocore adds them (none of the three is signed).
//!
//! The agent string, made once per session: `<name>/<version> [md/inia#<version>] ua/2.1
//! os/<os>[#<release>] md/arch#<arch> lang/rust#<rustc version> [exec-env/<env>]
//! cfg/retry-mode#standard [app/<id>]`. The name is `inia` unless a tool names itself
//! (`SessionBuilder::user_agent_name`: the command line is `inia-cli`); the app id comes
//! from code, `AWS_SDK_UA_APP_ID` or the profile's `sdk_ua_app_id`; the execution
//! environment from `AWS_EXECUTION_ENV`. Characters other than ASCII alphanumerics and
//! ``!$%&'*+-.^_`|~,`` become `-` (`#` is kept where it separates a value), as botocore
//! sanitizes them.
//!
//! Owns those headers. Does not own when attempts happen (`attempt`).

use http::HeaderValue;

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

/// The `User-Agent` of a session's requests.
pub(crate) fn user_agent(parts: &AgentParts) -> HeaderValue {
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
    c.push("cfg/retry-mode#standard".into());
    if let Some(app) = &parts.app_id {
        c.push(format!("app/{}", clean(app, true)));
    }
    // Only visible ASCII is left, so this cannot fail; an empty value would be harmless.
    HeaderValue::from_str(&c.join(" ")).unwrap_or_else(|_| HeaderValue::from_static("inia"))
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
        let ua = user_agent(&AgentParts::default());
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
        let ua = user_agent(&AgentParts {
            tool: Some(("inia-cli".into(), "0.1.0".into())),
            app_id: Some("my app/1".into()),
            exec_env: Some("AWS_Lambda_rust".into()),
        });
        let ua = ua.to_str().unwrap();
        assert!(ua.starts_with("inia-cli/0.1.0 md/inia#"), "{ua}");
        assert!(
            ua.contains(" exec-env/AWS_Lambda_rust cfg/retry-mode#standard app/my-app-1"),
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

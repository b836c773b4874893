//! The AWS SigV4 test suite (`tests/unit/auth/aws4_testsuite/`, 34 cases) run against
//! inia's SigV4 signer. For each case the canonical request, the string to sign and the
//! `Authorization` header must all equal the suite's `.creq`, `.sts` and `.authz`.
//!
//! The suite's `.req` files are raw request text whose request lines are not encoded
//! (`GET /ሴ`, `GET /example space/`); a client puts such a path on the wire
//! percent-encoded once, and the suite's canonical URI is exactly that once-encoded,
//! normalized path. So the runner encodes the request line as a client would and signs
//! with path normalization and without a second encoding. Header continuation lines are
//! folded to one space, as HTTP parsers do. The session token, as in botocore's runner,
//! is taken from the `.creq` when it lists one. All 34 cases run; none is skipped.

use crate::protocol_vectors::{CaseResult, Outcome};
use inia_auth::credentials::Credentials;
use inia_auth::sign::{canonical, SigV4, SigV4Settings, SignBody, SigningContext};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2015-08-30T12:36:00Z
const TIME: u64 = 1_440_938_160;

fn case_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if p.join(format!("{name}.req")).is_file() {
                out.push(p.clone());
            }
            case_dirs(&p, out);
        }
    }
}

/// Run every case under `suite` (the `aws4_testsuite` folder).
pub fn run(suite: &Path) -> Vec<CaseResult> {
    let mut dirs = Vec::new();
    case_dirs(suite, &mut dirs);
    dirs.iter()
        .map(|d| {
            let rel = d
                .strip_prefix(suite)
                .unwrap_or(d)
                .to_string_lossy()
                .replace('\\', "/");
            let outcome = match run_case(d) {
                Ok(()) => Outcome::Passed,
                Err(e) => Outcome::Failed(e),
            };
            CaseResult {
                key: format!("aws4_testsuite/{rel}"),
                outcome,
            }
        })
        .collect()
}

fn read(dir: &Path, ext: &str) -> Result<String, String> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let p = dir.join(format!("{name}.{ext}"));
    std::fs::read_to_string(&p)
        .map(|s| s.replace('\r', ""))
        .map_err(|e| format!("{}: {e}", p.display()))
}

/// Encode a raw request target as a client puts it on the wire. Escapes already there
/// are decoded first, so a target written encoded (the AWS signing suite's
/// `v4/get-space-normalized` has `/example%20space/`) is sent as written.
pub(crate) fn wire_target(raw: &str) -> String {
    let (path, query) = match raw.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (raw, None),
    };
    let mut s = canonical::encode(&canonical::decode(path), canonical::PATH);
    if let Some(q) = query {
        s.push('?');
        let pairs: Vec<String> = q
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let enc = |x: &str| canonical::encode(&canonical::decode(x), canonical::STRICT);
                format!("{}={}", enc(k), enc(v))
            })
            .collect();
        s.push_str(&pairs.join("&"));
    }
    s
}

/// A request as the signing suites write it: request line, headers (continuation lines
/// folded to one space, as HTTP parsers do), a blank line, the body.
pub(crate) struct RawRequest {
    pub(crate) method: String,
    /// The request target as written (not encoded).
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl RawRequest {
    pub(crate) fn parse(raw: &str) -> Result<RawRequest, String> {
        let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
        let mut lines = head.lines();
        let request_line = lines.next().ok_or("empty request")?;
        let mut words = request_line.splitn(2, ' ');
        let method = words.next().ok_or("no method")?;
        let rest = words.next().ok_or("no target")?;
        let target = rest.rsplit_once(" HTTP/").map_or(rest, |(t, _)| t);
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with(' ') || line.starts_with('\t') {
                let last = headers
                    .last_mut()
                    .ok_or("continuation line before any header")?;
                last.1.push(' ');
                last.1.push_str(line.trim());
            } else {
                let (k, v) = line
                    .split_once(':')
                    .ok_or_else(|| format!("bad header line {line:?}"))?;
                headers.push((k.to_string(), v.to_string()));
            }
        }
        Ok(RawRequest {
            method: method.to_string(),
            target: target.to_string(),
            headers,
            body: body.to_string(),
        })
    }

    /// The request head for `https://<Host><target>`, `target` as sent on the wire.
    pub(crate) fn parts(&self, target: &str) -> Result<http::request::Parts, String> {
        let host = self
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("host"))
            .map(|(_, v)| v.trim().to_string())
            .ok_or("no Host header")?;
        let mut builder = http::Request::builder()
            .method(self.method.as_str())
            .uri(format!("https://{host}{target}"));
        for (k, v) in &self.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        Ok(builder.body(()).map_err(|e| e.to_string())?.into_parts().0)
    }
}

fn run_case(dir: &Path) -> Result<(), String> {
    let raw = RawRequest::parse(&read(dir, "req")?)?;
    let mut parts = raw.parts(&wire_target(&raw.target))?;
    let body = raw.body.as_str();

    let creq_expected = read(dir, "creq")?;
    let token = creq_expected
        .lines()
        .find_map(|l| l.strip_prefix("x-amz-security-token:"))
        .map(str::to_string);
    let creds = Credentials::new(ACCESS_KEY, SECRET_KEY, token, None, "aws4_testsuite");
    let ctx = SigningContext::new(
        &creds,
        "us-east-1",
        "service",
        UNIX_EPOCH + Duration::from_secs(TIME),
    );
    let settings = SigV4Settings {
        double_uri_encode: false,
        ..SigV4Settings::default()
    };
    let out = SigV4::new(settings)
        .sign_headers(&mut parts, &SignBody::Bytes(body.as_bytes()), &ctx)
        .map_err(|e| e.to_string())?;
    let check = |what: &str, actual: &str, expected: &str| {
        if actual == expected {
            Ok(())
        } else {
            Err(format!(
                "{what}:\n  actual:   {actual:?}\n  expected: {expected:?}"
            ))
        }
    };
    check("canonical request", &out.canonical_request, &creq_expected)?;
    check("string to sign", &out.string_to_sign, &read(dir, "sts")?)?;
    let auth = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    check("authorization", auth, &read(dir, "authz")?)
}

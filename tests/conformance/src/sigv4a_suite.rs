//! The AWS signing test suite that the `aws-sigv4` crate ships (`aws-signing-test-suite/`,
//! taken from the CRT's): its `v4a` cases run against inia's SigV4a signer, its `v4`
//! cases against SigV4, each in its header form and its query (presigned) form.
//!
//! Every case must produce the suite's canonical request and string to sign exactly, and
//! the suite's signed request (headers and query parameters; method and path unchanged).
//! SigV4 signatures are compared byte for byte. ECDSA signatures differ from one signing
//! to the next (the suite's were made with random nonces), so for a `v4a` case the public
//! key derived from the case's credentials must equal its `public-key.json`, and inia's
//! signature must verify under that published key, with `p256`'s verifier, not the ring
//! code that signed it.
//!
//! Each case's `context.json` gives its settings: credentials and session token,
//! `normalize` (path normalization), `sign_body` (the `x-amz-content-sha256` header),
//! `omit_session_token` (the token sent but not signed), `expiration_in_seconds`,
//! region (the region set, for `v4a`), service and time. Request targets are raw text,
//! encoded once by the runner as a client would (as in `sigv4_suite`), so the signer runs
//! without a second encoding. The two `v4` cases aws-sigv4 migrated from its old suite
//! (`double-encode-path`, `double-url-encode`) have no `context.json` and header files
//! only: their targets are already encoded, and they are signed with the default
//! (double-encoding) settings and the credentials and times aws-sigv4's own tests use.
//!
//! Owns running the cases. Does not own fetching the suite (`crates_io`) or the request
//! parser shared with `sigv4_suite`. Cases not run are listed in `skipped-cases.json`.

use crate::protocol_vectors::{CaseResult, Outcome};
use crate::report::Skips;
use crate::sigv4_suite::{wire_target, RawRequest};
use inia_auth::credentials::Credentials;
use inia_auth::sign::{
    canonical, SigV4, SigV4Output, SigV4Settings, SigV4a, SigV4aKey, SignBody, SigningContext,
};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    V4,
    V4a,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Header,
    Query,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Header => "header",
            Variant::Query => "query",
        }
    }
}

/// Every `v4a` case under `suite` (the `aws-signing-test-suite` folder), header and query.
pub fn run_v4a(suite: &Path, skips: &Skips) -> Vec<CaseResult> {
    run(suite, Flavor::V4a, skips)
}

/// Every `v4` case under `suite`, header and query (header only for the migrated cases).
pub fn run_v4(suite: &Path, skips: &Skips) -> Vec<CaseResult> {
    run(suite, Flavor::V4, skips)
}

fn run(suite: &Path, flavor: Flavor, skips: &Skips) -> Vec<CaseResult> {
    let folder = match flavor {
        Flavor::V4 => "v4",
        Flavor::V4a => "v4a",
    };
    let mut dirs: Vec<_> = std::fs::read_dir(suite.join(folder))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.retain(|d| d.join("request.txt").is_file());
    dirs.sort();
    let mut out = Vec::new();
    for dir in &dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for variant in [Variant::Header, Variant::Query] {
            let v = variant.name();
            if !dir.join(format!("{v}-canonical-request.txt")).is_file() {
                continue;
            }
            let key = format!("aws-signing-test-suite/{folder}/{name}/{v}");
            let outcome = match skips.reason(&key) {
                Some(reason) => Outcome::Skipped(reason.to_string()),
                None => match run_case(dir, flavor, variant) {
                    Ok(()) => Outcome::Passed,
                    Err(e) => Outcome::Failed(e),
                },
            };
            out.push(CaseResult { key, outcome });
        }
    }
    out
}

fn read(dir: &Path, file: &str) -> Result<String, String> {
    let p = dir.join(file);
    std::fs::read_to_string(&p)
        .map(|s| s.replace('\r', ""))
        .map_err(|e| format!("{}: {e}", p.display()))
}

fn check(what: &str, actual: &str, expected: &str) -> Result<(), String> {
    if actual == expected {
        Ok(())
    } else {
        Err(format!(
            "{what}:\n  actual:   {actual:?}\n  expected: {expected:?}"
        ))
    }
}

/// A case's `context.json`.
struct Context {
    creds: Credentials,
    expires: Duration,
    normalize: bool,
    region: String,
    service: String,
    sign_body: bool,
    omit_session_token: bool,
    time: SystemTime,
}

impl Context {
    fn read(dir: &Path) -> Result<Context, String> {
        let v: Value = serde_json::from_str(&read(dir, "context.json")?)
            .map_err(|e| format!("context.json: {e}"))?;
        let text = |key: &str| {
            v[key]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("context.json has no {key}"))
        };
        let c = &v["credentials"];
        let cred = |key: &str| {
            c[key]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("context.json has no credentials.{key}"))
        };
        let token = c["token"].as_str().map(str::to_string);
        let creds = Credentials::new(
            cred("access_key_id")?,
            cred("secret_access_key")?,
            token,
            None,
            "aws-signing-test-suite",
        );
        let time = chrono::DateTime::parse_from_rfc3339(&text("timestamp")?)
            .map_err(|e| format!("context.json timestamp: {e}"))?;
        let secs = u64::try_from(time.timestamp()).map_err(|e| e.to_string())?;
        Ok(Context {
            creds,
            expires: Duration::from_secs(v["expiration_in_seconds"].as_u64().unwrap_or(3600)),
            normalize: v["normalize"].as_bool().unwrap_or(true),
            region: text("region")?,
            service: text("service")?,
            sign_body: v["sign_body"].as_bool().unwrap_or(true),
            omit_session_token: v["omit_session_token"].as_bool().unwrap_or(false),
            time: UNIX_EPOCH + Duration::from_secs(secs),
        })
    }
}

fn run_case(dir: &Path, flavor: Flavor, variant: Variant) -> Result<(), String> {
    let raw = RawRequest::parse(&read(dir, "request.txt")?)?;
    if !dir.join("context.json").is_file() {
        return run_migrated(dir, &raw);
    }
    let cx = Context::read(dir)?;
    let mut parts = raw.parts(&wire_target(&raw.target))?;
    let ctx = SigningContext::new(&cx.creds, &cx.region, &cx.service, cx.time);
    let settings = SigV4Settings {
        double_uri_encode: false,
        normalize_path: cx.normalize,
        content_sha256_header: cx.sign_body,
        sign_session_token: !cx.omit_session_token,
        s3express_session: false,
    };
    let body = SignBody::Bytes(raw.body.as_bytes());
    let out = match (flavor, variant) {
        (Flavor::V4, Variant::Header) => SigV4::new(settings).sign_headers(&mut parts, &body, &ctx),
        (Flavor::V4, Variant::Query) => {
            SigV4::new(settings).presign_payload(&mut parts, &body, cx.expires, &ctx)
        }
        (Flavor::V4a, Variant::Header) => {
            SigV4a::new(settings).sign_headers(&mut parts, &body, &ctx)
        }
        (Flavor::V4a, Variant::Query) => {
            SigV4a::new(settings).presign_payload(&mut parts, &body, cx.expires, &ctx)
        }
    }
    .map_err(|e| format!("signing failed: {e}"))?;
    let v = variant.name();
    check(
        "canonical request",
        &out.canonical_request,
        &read(dir, &format!("{v}-canonical-request.txt"))?,
    )?;
    check(
        "string to sign",
        &out.string_to_sign,
        &read(dir, &format!("{v}-string-to-sign.txt"))?,
    )?;
    match flavor {
        Flavor::V4 => check(
            "signature",
            &out.signature,
            read(dir, &format!("{v}-signature.txt"))?.trim(),
        )?,
        Flavor::V4a => check_ecdsa(dir, v, &cx.creds, &out)?,
    }
    let expected = RawRequest::parse(&read(dir, &format!("{v}-signed-request.txt"))?)?;
    check_signed_request(&parts, &expected, flavor, &out.signature, false)
}

/// The derived public key is the published one, and inia's signature verifies under
/// the published key (as does the suite's own signature, so the check can tell).
fn check_ecdsa(dir: &Path, v: &str, creds: &Credentials, out: &SigV4Output) -> Result<(), String> {
    let published: Value = serde_json::from_str(&read(dir, "public-key.json")?)
        .map_err(|e| format!("public-key.json: {e}"))?;
    let coordinate = |k: &str| {
        published[k]
            .as_str()
            .ok_or_else(|| format!("public-key.json has no {k}"))
            .and_then(unhex)
    };
    let mut public = vec![4u8];
    public.extend(coordinate("X")?);
    public.extend(coordinate("Y")?);
    let derived = SigV4aKey::derive(creds.access_key_id(), creds.secret_access_key().expose())
        .map_err(|e| e.to_string())?
        .public_key();
    check(
        "public key",
        &canonical::hex(&derived),
        &canonical::hex(&public),
    )?;
    let key = VerifyingKey::from_sec1_bytes(&public)
        .map_err(|_| "public-key.json is not a P-256 point".to_string())?;
    let verifies = |der: &[u8]| {
        Signature::from_der(der)
            .and_then(|sig| key.verify(out.string_to_sign.as_bytes(), &sig))
            .is_ok()
    };
    if !verifies(&unhex(&out.signature)?) {
        return Err(format!(
            "inia's signature {} does not verify under public-key.json",
            out.signature
        ));
    }
    let theirs = unhex(read(dir, &format!("{v}-signature.txt"))?.trim())?;
    if !verifies(&theirs) {
        return Err(format!(
            "the suite's {v}-signature.txt does not verify: check the runner"
        ));
    }
    Ok(())
}

fn unhex(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return Err(format!("not hex: {s:?}"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| format!("not hex: {s:?}")))
        .collect()
}

/// The signed request equals the suite's: method, path, headers (lower-case names,
/// trimmed values, any order) and query parameters (decoded, any order). A SigV4a
/// signature, in `Authorization` or `X-Amz-Signature`, is checked to be the one
/// returned, not the suite's. `encoded`: the suite's target is already encoded.
fn check_signed_request(
    parts: &http::request::Parts,
    expected: &RawRequest,
    flavor: Flavor,
    signature: &str,
    encoded: bool,
) -> Result<(), String> {
    check("method", parts.method.as_str(), &expected.method)?;
    let (path, query) = expected
        .target
        .split_once('?')
        .unwrap_or((&expected.target, ""));
    let path = if encoded {
        path.to_string()
    } else {
        wire_target(path)
    };
    check("path", parts.uri.path(), &path)?;
    let ours = |s: &str| -> String {
        match (flavor, s.rsplit_once("Signature=")) {
            (Flavor::V4a, Some((head, sig))) if sig == signature => format!("{head}Signature=*"),
            _ => s.to_string(),
        }
    };
    let theirs = |s: &str| -> String {
        match (flavor, s.rsplit_once("Signature=")) {
            (Flavor::V4a, Some((head, _))) => format!("{head}Signature=*"),
            _ => s.to_string(),
        }
    };
    let mut actual_headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            let v = String::from_utf8_lossy(v.as_bytes()).trim().to_string();
            let v = if k == "authorization" { ours(&v) } else { v };
            (k.as_str().to_string(), v)
        })
        .collect();
    let mut expected_headers: Vec<(String, String)> = expected
        .headers
        .iter()
        .map(|(k, v)| {
            let k = k.trim().to_ascii_lowercase();
            let v = v.trim().to_string();
            let v = if k == "authorization" { theirs(&v) } else { v };
            (k, v)
        })
        .collect();
    actual_headers.sort();
    expected_headers.sort();
    check(
        "signed headers",
        &format!("{actual_headers:?}"),
        &format!("{expected_headers:?}"),
    )?;
    let pairs = |q: &str, signature_of: &dyn Fn(&str) -> String| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = q
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let (k, v) = (canonical::decode(k), canonical::decode(v));
                let v = if k == "X-Amz-Signature" {
                    signature_of(&format!("Signature={v}"))
                } else {
                    v
                };
                (k, v)
            })
            .collect();
        v.sort();
        v
    };
    check(
        "query parameters",
        &format!("{:?}", pairs(parts.uri.query().unwrap_or(""), &ours)),
        &format!("{:?}", pairs(query, &theirs)),
    )
}

/// The two cases migrated from aws-sigv4's old suite: no `context.json`, header files
/// only, the target already encoded. Their settings are those of aws-sigv4's own tests.
fn run_migrated(dir: &Path, raw: &RawRequest) -> Result<(), String> {
    const EXAMPLE: (&str, &str) = ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    const NOT_REAL: (&str, &str) = ("ANOTREAL", "notrealrnrELgWzOk3IfjzDKtFBhDby");
    // (credentials, region, service, canonical request time, signed request time)
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    let ((id, secret), region, service, creq_time, signed_time) = match name.as_deref() {
        // aws-sigv4's `test_double_url_encode_path` and `test_sign_url_escape`.
        Some("double-encode-path") => (
            NOT_REAL,
            "us-east-1",
            "service",
            "20210511T154045Z",
            "20150830T123600Z",
        ),
        // aws-sigv4's `test_double_url_encode`; the signed request is Lambda's.
        Some("double-url-encode") => (
            EXAMPLE,
            "us-east-2",
            "lambda",
            "20210511T154045Z",
            "20210511T154045Z",
        ),
        other => return Err(format!("{other:?} has no context.json")),
    };
    let creds = Credentials::new(id, secret, None, None, "aws-signing-test-suite");
    let signer = SigV4::new(SigV4Settings::default());
    let sign = |time: &str| -> Result<(http::request::Parts, SigV4Output), String> {
        let mut parts = raw.parts(&raw.target)?;
        let ctx = SigningContext::new(&creds, region, service, amz_time(time)?);
        let out = signer
            .sign_headers(&mut parts, &SignBody::Bytes(raw.body.as_bytes()), &ctx)
            .map_err(|e| format!("signing failed: {e}"))?;
        Ok((parts, out))
    };
    let (_, out) = sign(creq_time)?;
    check(
        "canonical request",
        &out.canonical_request,
        &read(dir, "header-canonical-request.txt")?,
    )?;
    if dir.join("header-string-to-sign.txt").is_file() {
        check(
            "string to sign",
            &out.string_to_sign,
            read(dir, "header-string-to-sign.txt")?.trim_end(),
        )?;
    }
    let (parts, out) = sign(signed_time)?;
    let expected = RawRequest::parse(&read(dir, "header-signed-request.txt")?)?;
    check_signed_request(&parts, &expected, Flavor::V4, &out.signature, true)
}

/// `YYYYMMDDTHHMMSSZ` as a time.
fn amz_time(s: &str) -> Result<SystemTime, String> {
    let t = chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ")
        .map_err(|e| format!("{s}: {e}"))?;
    let secs = u64::try_from(t.and_utc().timestamp()).map_err(|e| e.to_string())?;
    Ok(UNIX_EPOCH + Duration::from_secs(secs))
}

//! SigV4a signatures per second for an S3 GET on a Multi-Region Access Point, inia next
//! to the `aws-sigv4` crate (feature `sigv4a`) signing the same request at the same time.
//!
//! Both sign with RFC 6979 deterministic nonces over the same P-256 key, so equal
//! canonical requests give byte-identical signatures: the two `Authorization` headers
//! (and every header added) are compared first, which checks the canonical requests and
//! strings to sign are identical. inia's key is derived once and cached in its signer;
//! `aws-sigv4`'s signing API has no key cache, so it derives the key on every call (a
//! few HMACs). A second row times the ECDSA signature alone with a cached key on both
//! sides (`SigV4aKey::sign_hex` next to `aws_sigv4::sign::v4a::calculate_signature`),
//! the part the two share: the same `p256` 0.14 code in this binary.
//!
//! Owns this benchmark. Does not own the SigV4 row (`sigv4`).

use crate::median;
use crate::sigv4::request_parts;
use inia_auth::credentials::Credentials;
use inia_auth::sign::{SigV4Settings, SigV4a, SigV4aKey, SignBody, SigningContext};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const URI: &str =
    "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/reports/2026/report.csv";
const KEY: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const REGION_SET: &str = "*";
const HEADERS: &[(&str, &str)] = &[
    ("accept", "application/xml"),
    ("x-amz-user-agent", "bench/1.0"),
];

fn request() -> http::Request<()> {
    let mut b = http::Request::get(URI);
    for (k, v) in HEADERS {
        b = b.header(*k, *v);
    }
    b.body(()).expect("static request")
}

fn inia_sign(
    signer: &SigV4a,
    creds: &Credentials,
    time: SystemTime,
    req: &http::Request<()>,
) -> http::HeaderMap {
    let mut parts = request_parts(req);
    let ctx = SigningContext::new(creds, REGION_SET, "s3", time);
    signer
        .sign_headers(&mut parts, &SignBody::Bytes(b""), &ctx)
        .expect("inia signs");
    parts.headers
}

fn sdk_sign(
    identity: &aws_smithy_runtime_api::client::identity::Identity,
    time: SystemTime,
    req: &http::Request<()>,
) -> http::HeaderMap {
    use aws_sigv4::http_request::{
        sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
        SigningSettings, UriPathNormalizationMode,
    };
    // S3's settings, as inia's SigV4Settings::s3().
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = aws_sigv4::sign::v4a::SigningParams::builder()
        .identity(identity)
        .region_set(REGION_SET)
        .name("s3")
        .time(time)
        .settings(settings)
        .build()
        .expect("params")
        .into();
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str(), v.to_str().unwrap_or("")));
    let signable = SignableRequest::new(
        req.method().as_str(),
        req.uri().to_string(),
        headers,
        SignableBody::Bytes(&[]),
    )
    .expect("signable");
    let (instructions, _) = sign(signable, &params)
        .expect("aws-sigv4 signs")
        .into_parts();
    let mut out = http::Request::new(());
    *out.method_mut() = req.method().clone();
    *out.uri_mut() = req.uri().clone();
    *out.headers_mut() = req.headers().clone();
    instructions.apply_to_request_http1x(&mut out);
    out.headers().clone()
}

/// The headers, sorted; without `Host`, which inia sets from the URI and aws-sigv4
/// leaves to the HTTP client (both sign it).
fn sorted(h: &http::HeaderMap) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = h
        .iter()
        .filter(|(k, _)| *k != http::header::HOST)
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    v.sort();
    v
}

fn row(what: &str, n: u32, t_inia: Duration, t_sdk: Duration) {
    let rate = |d: Duration| f64::from(n) / d.as_secs_f64();
    println!(
        "| {what} | {:.0} signatures/s ({:.2} µs) | aws-sigv4 1.x: {:.0} signatures/s ({:.2} µs) | {:.2}x |",
        rate(t_inia),
        t_inia.as_secs_f64() * 1e6 / f64::from(n),
        rate(t_sdk),
        t_sdk.as_secs_f64() * 1e6 / f64::from(n),
        t_sdk.as_secs_f64() / t_inia.as_secs_f64()
    );
}

pub fn run() -> Result<(), String> {
    let time = UNIX_EPOCH + Duration::from_secs(1_763_900_000);
    let req = request();
    let creds = Credentials::new(KEY, SECRET, None, None, "bench");
    let signer = SigV4a::new(SigV4Settings::s3());
    let identity = aws_credential_types::Credentials::new(KEY, SECRET, None, None, "bench").into();
    let a = sorted(&inia_sign(&signer, &creds, time, &req));
    let b = sorted(&sdk_sign(&identity, time, &req));
    if a != b {
        return Err(format!(
            "SigV4a requests differ:\n inia:      {a:?}\n aws-sigv4: {b:?}"
        ));
    }
    const N: u32 = 2_000;
    let t_inia = median(
        || {
            for _ in 0..N {
                std::hint::black_box(inia_sign(&signer, &creds, time, &req));
            }
        },
        7,
    );
    let t_sdk = median(
        || {
            for _ in 0..N {
                std::hint::black_box(sdk_sign(&identity, time, &req));
            }
        },
        7,
    );
    row(
        "SigV4a header signature, S3 GET on a Multi-Region Access Point (identical headers checked; inia's key cached, aws-sigv4 derives its own per call)",
        N,
        t_inia,
        t_sdk,
    );

    // The ECDSA signature alone, both keys derived once.
    let sts = "AWS4-ECDSA-P256-SHA256\n20251123T122000Z\n20251123/s3/aws4_request\n\
               5f1e6d9b6a1c0f7a3b0e2d8c4f6a9b1d3e5c7a9b0d2f4e6a8c0b2d4f6e8a0c2e";
    let inia_key = SigV4aKey::derive(KEY, SECRET).map_err(|e| e.to_string())?;
    let sdk_key = aws_sigv4::sign::v4a::generate_signing_key(KEY, SECRET);
    let sdk_key = sdk_key.as_ref().to_vec();
    let a = inia_key
        .sign_hex(sts.as_bytes())
        .map_err(|e| e.to_string())?;
    let b = aws_sigv4::sign::v4a::calculate_signature(&sdk_key, sts.as_bytes());
    if a != b {
        return Err(format!(
            "ECDSA signatures differ:\n inia:      {a}\n aws-sigv4: {b}"
        ));
    }
    let t_inia = median(
        || {
            for _ in 0..N {
                std::hint::black_box(inia_key.sign_hex(sts.as_bytes()).ok());
            }
        },
        7,
    );
    let t_sdk = median(
        || {
            for _ in 0..N {
                std::hint::black_box(aws_sigv4::sign::v4a::calculate_signature(
                    &sdk_key,
                    sts.as_bytes(),
                ));
            }
        },
        7,
    );
    row(
        "SigV4a: the ECDSA P-256 signature alone, key cached on both sides (identical signature checked)",
        N,
        t_inia,
        t_sdk,
    );
    Ok(())
}

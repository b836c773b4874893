//! SigV4a signatures per second for an S3 GET on a Multi-Region Access Point, inia next
//! to the `aws-sigv4` crate (feature `sigv4a`) signing the same request at the same time.
//!
//! inia signs with ring (random nonces), `aws-sigv4` with `p256` (RFC 6979 deterministic
//! nonces), so the two signatures differ. Before timing, every header both add is
//! compared byte for byte with the signature value left out, and both signatures are
//! verified with `p256`'s verifier under inia's derived public key over inia's string to
//! sign: inia's shows it signs correctly, aws-sigv4's that the two keys and strings to
//! sign are the same. inia's key is derived once and cached in its signer; `aws-sigv4`'s
//! signing API has no key cache, so it derives the key on every call (a few HMACs). A
//! second row times the ECDSA signature alone with a cached key on both sides
//! (`SigV4aKey::sign_hex`, ring, next to `aws_sigv4::sign::v4a::calculate_signature`,
//! `p256` 0.14), checked the same way.
//!
//! Owns this benchmark. Does not own the SigV4 row (`sigv4`).

use crate::median;
use crate::sigv4::request_parts;
use inia_auth::credentials::Credentials;
use inia_auth::sign::{SigV4Output, SigV4Settings, SigV4a, SigV4aKey, SignBody, SigningContext};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
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
) -> (http::HeaderMap, SigV4Output) {
    let mut parts = request_parts(req);
    let ctx = SigningContext::new(creds, REGION_SET, "s3", time);
    let out = signer
        .sign_headers(&mut parts, &SignBody::Bytes(b""), &ctx)
        .expect("inia signs");
    (parts.headers, out)
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

/// The headers, sorted, and the signature taken out of `Authorization`; without
/// `Host`, which inia sets from the URI and aws-sigv4 leaves to the HTTP client (both
/// sign it).
fn sorted(h: &http::HeaderMap) -> (Vec<(String, String)>, String) {
    let mut signature = String::new();
    let mut v: Vec<(String, String)> = h
        .iter()
        .filter(|(k, _)| *k != http::header::HOST)
        .map(|(k, v)| {
            let mut v = v.to_str().unwrap_or("").to_string();
            if k == http::header::AUTHORIZATION {
                if let Some((head, sig)) = v.rsplit_once("Signature=") {
                    signature = sig.to_string();
                    v = format!("{head}Signature=*");
                }
            }
            (k.to_string(), v)
        })
        .collect();
    v.sort();
    (v, signature)
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

/// `who`'s hex DER signature verifies over `message` under `key`, with `p256`'s verifier.
fn check_verifies(key: &VerifyingKey, message: &str, sig: &str, who: &str) -> Result<(), String> {
    Signature::from_der(&unhex(sig)?)
        .and_then(|s| key.verify(message.as_bytes(), &s))
        .map_err(|_| format!("{who}'s SigV4a signature {sig} does not verify over {message:?}"))
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
    let inia_key = SigV4aKey::derive(KEY, SECRET).map_err(|e| e.to_string())?;
    let public = VerifyingKey::from_sec1_bytes(&inia_key.public_key())
        .map_err(|e| format!("inia's SigV4a public key: {e}"))?;
    let (headers, out) = inia_sign(&signer, &creds, time, &req);
    let (a, a_sig) = sorted(&headers);
    let (b, b_sig) = sorted(&sdk_sign(&identity, time, &req));
    if a != b || a_sig != out.signature {
        return Err(format!(
            "SigV4a requests differ (signature left out):\n inia:      {a:?}\n aws-sigv4: {b:?}"
        ));
    }
    check_verifies(&public, &out.string_to_sign, &a_sig, "inia")?;
    check_verifies(&public, &out.string_to_sign, &b_sig, "aws-sigv4")?;
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
        "SigV4a header signature, S3 GET on a Multi-Region Access Point (identical headers but the signature, both signatures verified; inia's key cached, aws-sigv4 derives its own per call)",
        N,
        t_inia,
        t_sdk,
    );

    // The ECDSA signature alone, both keys derived once.
    let sts = "AWS4-ECDSA-P256-SHA256\n20251123T122000Z\n20251123/s3/aws4_request\n\
               5f1e6d9b6a1c0f7a3b0e2d8c4f6a9b1d3e5c7a9b0d2f4e6a8c0b2d4f6e8a0c2e";
    let sdk_key = aws_sigv4::sign::v4a::generate_signing_key(KEY, SECRET);
    let sdk_key = sdk_key.as_ref().to_vec();
    let a = inia_key
        .sign_hex(sts.as_bytes())
        .map_err(|e| e.to_string())?;
    let b = aws_sigv4::sign::v4a::calculate_signature(&sdk_key, sts.as_bytes());
    check_verifies(&public, sts, &a, "inia")?;
    check_verifies(&public, sts, &b, "aws-sigv4")?;
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
        "SigV4a: the ECDSA P-256 signature alone, key cached on both sides (inia: ring, aws-sigv4: p256; both signatures verified)",
        N,
        t_inia,
        t_sdk,
    );
    Ok(())
}

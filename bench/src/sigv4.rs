//! SigV4 signatures per second for a typical GET, inia next to the `aws-sigv4` crate
//! signing the same request at the same time. Both outputs are compared first, so the
//! two really do the same work.

use crate::median;
use inia_auth::credentials::Credentials;
use inia_auth::sign::{SigV4, SigV4Settings, SignBody, SigningContext};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const URI: &str =
    "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15";
const KEY: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
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
    signer: &SigV4,
    creds: &Credentials,
    time: SystemTime,
    req: &http::Request<()>,
) -> String {
    let mut parts = request_parts(req);
    let ctx = SigningContext::new(creds, "us-east-1", "sts", time);
    signer
        .sign_headers(&mut parts, &SignBody::Bytes(b""), &ctx)
        .expect("inia signs");
    parts.headers["authorization"]
        .to_str()
        .unwrap_or("")
        .to_string()
}

pub(crate) fn request_parts(req: &http::Request<()>) -> http::request::Parts {
    let mut r = http::Request::new(());
    *r.method_mut() = req.method().clone();
    *r.uri_mut() = req.uri().clone();
    *r.headers_mut() = req.headers().clone();
    r.into_parts().0
}

fn sdk_sign(
    identity: &aws_smithy_runtime_api::client::identity::Identity,
    time: SystemTime,
    req: &http::Request<()>,
) -> String {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(identity)
        .region("us-east-1")
        .name("sts")
        .time(time)
        .settings(SigningSettings::default())
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
    out.headers()["authorization"]
        .to_str()
        .unwrap_or("")
        .to_string()
}

pub fn run() -> Result<(), String> {
    let time = UNIX_EPOCH + Duration::from_secs(1_763_900_000);
    let req = request();
    let creds = Credentials::new(KEY, SECRET, None, None, "bench");
    let signer = SigV4::new(SigV4Settings::default());
    let identity = aws_credential_types::Credentials::new(KEY, SECRET, None, None, "bench").into();
    let a = inia_sign(&signer, &creds, time, &req);
    let b = sdk_sign(&identity, time, &req);
    if a != b {
        return Err(format!(
            "signatures differ:\n inia:      {a}\n aws-sigv4: {b}"
        ));
    }
    const N: u32 = 20_000;
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
    let rate = |d: Duration| f64::from(N) / d.as_secs_f64();
    println!(
        "| SigV4 header signature, GET with query and 2 headers (identical output checked) | {:.0} signatures/s ({:.2} µs) | aws-sigv4 1.x: {:.0} signatures/s ({:.2} µs) | {:.1}x |",
        rate(t_inia),
        t_inia.as_secs_f64() * 1e6 / f64::from(N),
        rate(t_sdk),
        t_sdk.as_secs_f64() * 1e6 / f64::from(N),
        t_sdk.as_secs_f64() / t_inia.as_secs_f64()
    );
    Ok(())
}

//! Request checksums (issue 15) as botocore 1.44 sends them, against moto: PutObject with
//! each flexible algorithm named (`ChecksumAlgorithm`) and with none (CRC32 by default),
//! each read back with `ChecksumMode: ENABLED` and compared with the check values of
//! "123456789" (the CRC catalogue's, and Python's hashlib for the SHAs, not inia's own
//! code); DeleteObjects (a required checksum) still succeeds; the `s3-compatible`
//! provider's uploads carry `Content-MD5` and no flexible checksum by default; and the
//! settings' precedence and errors.
//!
//! Owns those assertions. Does not own the algorithms' unit tests (`inia-protocol`).

use inia::auth::config::Env;
use inia::model::ChecksumWhen;
use inia::{json, Body, Credentials, Session};
use inia_test_support::Moto;

const DATA: &[u8] = b"123456789";

/// (algorithm, output member, expected value of DATA).
const EXPECTED: [(&str, &str, &str); 5] = [
    ("CRC32", "ChecksumCRC32", "y/Q5Jg=="),
    ("CRC32C", "ChecksumCRC32C", "4waSgw=="),
    ("CRC64NVME", "ChecksumCRC64NVME", "rosUhgp5mIg="),
    ("SHA1", "ChecksumSHA1", "98O8HYCOBHMq32eZZczDTKeuNEE="),
    (
        "SHA256",
        "ChecksumSHA256",
        "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=",
    ),
];

fn session(endpoint: &str, env: Env) -> Session {
    Session::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .env(env)
        .build()
        .expect("session")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_algorithm_round_trips_through_moto() {
    let moto = Moto::shared();
    let s3 = session(&moto.endpoint(), Env::empty())
        .client("s3")
        .unwrap();
    s3.call("CreateBucket", json!({"Bucket": "sums"}))
        .await
        .unwrap();
    for (alg, member, value) in EXPECTED {
        let key = format!("k-{alg}");
        s3.call_with(
            "PutObject",
            json!({"Bucket": "sums", "Key": key, "ChecksumAlgorithm": alg}),
            Some(Body::from_bytes(DATA)),
        )
        .await
        .unwrap_or_else(|e| panic!("{alg}: {e}"));
        let head = s3
            .call(
                "HeadObject",
                json!({"Bucket": "sums", "Key": key, "ChecksumMode": "ENABLED"}),
            )
            .await
            .unwrap();
        assert_eq!(head[member], value, "{alg}: {head}");
    }
    // None named: CRC32, as botocore's default.
    s3.call_with(
        "PutObject",
        json!({"Bucket": "sums", "Key": "default"}),
        Some(Body::from_bytes(DATA)),
    )
    .await
    .unwrap();
    let head = s3
        .call(
            "HeadObject",
            json!({"Bucket": "sums", "Key": "default", "ChecksumMode": "ENABLED"}),
        )
        .await
        .unwrap();
    assert_eq!(head["ChecksumCRC32"], "y/Q5Jg==", "{head}");
    // A required checksum (CRC32 now, where botocore sent Content-MD5 before 1.36).
    let deleted = s3
        .call(
            "DeleteObjects",
            json!({"Bucket": "sums", "Delete": {"Objects": [{"Key": "default"}, {"Key": "k-SHA1"}]}}),
        )
        .await
        .unwrap();
    assert_eq!(
        deleted["Deleted"].as_array().map(Vec::len),
        Some(2),
        "{deleted}"
    );
}

fn header<'a>(req: &'a http::Request<bytes::Bytes>, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn what_each_provider_sends() {
    let put = json!({"Bucket": "b", "Key": "k", "Body": "MTIzNDU2Nzg5"});
    let delete = json!({"Bucket": "b", "Delete": {"Objects": [{"Key": "k"}]}});
    // AWS: CRC32 named in x-amz-sdk-checksum-algorithm; no Content-MD5.
    let aws = session("http://127.0.0.1:9", Env::empty())
        .client("s3")
        .unwrap();
    let req = aws.prepare("PutObject", put.clone(), None).await.unwrap();
    assert_eq!(header(&req, "x-amz-checksum-crc32"), Some("y/Q5Jg=="));
    assert_eq!(header(&req, "x-amz-sdk-checksum-algorithm"), Some("CRC32"));
    assert_eq!(header(&req, "content-md5"), None);
    let req = aws
        .prepare("DeleteObjects", delete.clone(), None)
        .await
        .unwrap();
    assert!(header(&req, "x-amz-checksum-crc32").is_some());
    assert_eq!(header(&req, "content-md5"), None);
    // when_required: nothing on PutObject, CRC32 on DeleteObjects.
    let env = Env::empty().with_var("AWS_REQUEST_CHECKSUM_CALCULATION", "WHEN_REQUIRED");
    let aws = session("http://127.0.0.1:9", env).client("s3").unwrap();
    let req = aws.prepare("PutObject", put.clone(), None).await.unwrap();
    assert_eq!(header(&req, "x-amz-checksum-crc32"), None);
    assert_eq!(header(&req, "content-md5"), None);
    let req = aws
        .prepare("DeleteObjects", delete.clone(), None)
        .await
        .unwrap();
    assert!(header(&req, "x-amz-checksum-crc32").is_some());
    // s3-compatible: Content-MD5 and no flexible checksum, on both.
    let compat = Session::builder()
        .provider("s3-compatible")
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:9")
        .credentials(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .env(Env::empty())
        .build()
        .unwrap()
        .client("s3")
        .unwrap();
    for (op, params) in [("PutObject", put.clone()), ("DeleteObjects", delete)] {
        let req = compat.prepare(op, params, None).await.unwrap();
        assert!(header(&req, "content-md5").is_some(), "{op}");
        assert!(
            !req.headers()
                .keys()
                .any(|k| k.as_str().starts_with("x-amz-checksum-")),
            "{op}: {:?}",
            req.headers()
        );
    }
    // Unless the caller names an algorithm.
    let mut named = put;
    named["ChecksumAlgorithm"] = "SHA1".into();
    let req = compat.prepare("PutObject", named, None).await.unwrap();
    assert_eq!(
        header(&req, "x-amz-checksum-sha1"),
        Some("98O8HYCOBHMq32eZZczDTKeuNEE=")
    );
}

#[test]
fn settings_come_from_code_then_env_then_profile() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        "[default]\nrequest_checksum_calculation = when_required\n\
         response_checksum_validation = when_required\n",
    )
    .unwrap();
    let env = || Env::empty().with_var("AWS_CONFIG_FILE", config.to_str().unwrap());
    let s = Session::builder().env(env()).build().unwrap();
    assert_eq!(
        s.request_checksum_calculation(),
        Some(ChecksumWhen::WhenRequired)
    );
    assert_eq!(s.response_checksum_validation(), ChecksumWhen::WhenRequired);
    let s = Session::builder()
        .env(env().with_var("AWS_REQUEST_CHECKSUM_CALCULATION", "when_supported"))
        .build()
        .unwrap();
    assert_eq!(
        s.request_checksum_calculation(),
        Some(ChecksumWhen::WhenSupported)
    );
    let s = Session::builder()
        .env(env().with_var("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required"))
        .response_checksum_validation(ChecksumWhen::WhenSupported)
        .build()
        .unwrap();
    assert_eq!(
        s.response_checksum_validation(),
        ChecksumWhen::WhenSupported
    );
    // Defaults: the provider decides the request side; validation when_supported.
    let s = Session::builder().env(Env::empty()).build().unwrap();
    assert_eq!(s.request_checksum_calculation(), None);
    assert_eq!(
        s.response_checksum_validation(),
        ChecksumWhen::WhenSupported
    );
    for key in [
        "AWS_REQUEST_CHECKSUM_CALCULATION",
        "AWS_RESPONSE_CHECKSUM_VALIDATION",
    ] {
        let e = Session::builder()
            .env(Env::empty().with_var(key, "always"))
            .build()
            .unwrap_err()
            .to_string();
        let name = key.trim_start_matches("AWS_").to_ascii_lowercase();
        assert!(e.contains(&name), "{e}");
    }
}

/// A multipart upload declares CRC32 (as s3transfer does), sends each part with it and
/// lists each part's checksum on completion: moto stores a checksum for the object.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_uploads_carry_their_parts_checksums() {
    let moto = Moto::shared();
    let s3 = session(&moto.endpoint(), Env::empty())
        .client("s3")
        .unwrap();
    s3.call("CreateBucket", json!({"Bucket": "sums-multipart"}))
        .await
        .unwrap();
    let config = inia::TransferConfig {
        multipart_threshold: 5 * 1024 * 1024,
        part_size: 5 * 1024 * 1024,
        ..Default::default()
    };
    let data: Vec<u8> = (0..11 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    inia::Transfer::with_config(&s3, config)
        .upload_bytes("sums-multipart", "big", data, &Default::default())
        .await
        .unwrap();
    let head = s3
        .call(
            "HeadObject",
            json!({"Bucket": "sums-multipart", "Key": "big", "ChecksumMode": "ENABLED"}),
        )
        .await
        .unwrap();
    let sum = head["ChecksumCRC32"].as_str().unwrap_or_default();
    assert!(!sum.is_empty(), "{head}");
}

//! Uploads vouched for and checked, against moto through the fault-injecting proxy:
//! - over plain http every upload request carries an `x-amz-checksum-crc32` (botocore's
//!   default flexible checksum) and is signed with the
//!   SHA-256 of its body (file bodies too, not `UNSIGNED-PAYLOAD`), as the proxy records;
//! - a byte flipped on the way to the server: with `Content-MD5` (no flexible checksum:
//!   `when_required`, as S3-compatible stores are spoken to), which moto does not check,
//!   it is caught by comparing the ETag moto answers with the MD5 sent: a single-part
//!   upload fails and its object is deleted, a multipart upload fails and is aborted, and
//!   nothing is left on the server. With AWS's default CRC32, which S3 checks and moto
//!   does not, moto stores it; the download then fails on the CRC32 moto kept.
//!
//! One moto serves every test of this file (`Moto::shared`, started once); each test
//! uses names (buckets, queues, roles...) no other test here uses.

use inia::auth::config::Env;
use inia::{json, Credentials, Session, TransferConfig, UploadOptions};
use inia_test_support::{Fault, FaultProxy, Moto};

fn s3(endpoint: &str) -> inia::Client {
    s3_with(endpoint, Env::empty())
}

fn s3_with(endpoint: &str, env: Env) -> inia::Client {
    Session::builder()
        .env(env)
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .build()
        .unwrap()
        .client("s3")
        .unwrap()
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

fn sha256_hex(b: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, b)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

fn config() -> TransferConfig {
    TransferConfig {
        multipart_threshold: 8 * 1024 * 1024,
        part_size: 8 * 1024 * 1024,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_over_http_carry_their_crc32_and_a_signed_sha256() {
    let moto = Moto::shared();
    let direct = s3(&moto.endpoint());
    direct
        .call("CreateBucket", json!({"Bucket": "vouch"}))
        .await
        .unwrap();
    let proxy = FaultProxy::start(moto.port);
    let via = s3(&proxy.endpoint());
    let dir = tempfile::tempdir().unwrap();
    let (small, big) = (data(300_000), data(12 * 1024 * 1024));
    std::fs::write(dir.path().join("small"), &small).unwrap();
    std::fs::write(dir.path().join("big"), &big).unwrap();
    let t = inia::Transfer::with_config(&via, config());
    let none = UploadOptions::default();
    t.upload_file("vouch", "small", dir.path().join("small"), &none)
        .await
        .unwrap();
    t.upload_file("vouch", "big", dir.path().join("big"), &none)
        .await
        .unwrap();
    // As `inia s3api put-object --body FILE`: a plain call with a file body.
    let body = inia::Body::from_file(dir.path().join("small")).unwrap();
    via.call_with(
        "PutObject",
        json!({"Bucket": "vouch", "Key": "plain"}),
        Some(body),
    )
    .await
    .unwrap();
    let puts: Vec<String> = proxy
        .requests()
        .into_iter()
        .filter(|h| h.starts_with("PUT "))
        .collect();
    let expect = [
        ("PUT /vouch/small ", &small[..]),
        ("PUT /vouch/big?", &big[..8 * 1024 * 1024]),
        ("PUT /vouch/big?", &big[8 * 1024 * 1024..]),
        ("PUT /vouch/plain ", &small[..]),
    ];
    assert_eq!(puts.len(), expect.len(), "{puts:#?}");
    for (start, bytes) in expect {
        // botocore 1.36+ sends a CRC32 (`when_supported`) where it sent Content-MD5.
        let crc = inia::protocol::checksum::Algorithm::Crc32.of(bytes);
        let crc = crc.to_str().unwrap();
        let sha = sha256_hex(bytes);
        let found = puts.iter().any(|h| {
            h.starts_with(start)
                && header(h, "x-amz-checksum-crc32") == Some(crc)
                && header(h, "x-amz-content-sha256") == Some(sha.as_str())
        });
        assert!(
            found,
            "{start} with CRC32 {crc} and SHA-256 {sha}: {puts:#?}"
        );
    }
    let got = direct
        .call_with("GetObject", json!({"Bucket": "vouch", "Key": "big"}), None)
        .await
        .unwrap();
    let stored = got.body.unwrap().bytes().await.unwrap();
    assert!(stored == big[..], "stored byte-identical");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_byte_flipped_on_the_way_up_fails_the_upload_and_leaves_nothing_stored() {
    let moto = Moto::shared();
    let direct = s3(&moto.endpoint());
    direct
        .call("CreateBucket", json!({"Bucket": "flip"}))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small"), data(300_000)).unwrap();
    std::fs::write(dir.path().join("big"), data(12 * 1024 * 1024)).unwrap();
    let none = UploadOptions::default();

    let md5_only = || Env::empty().with_var("AWS_REQUEST_CHECKSUM_CALCULATION", "WHEN_REQUIRED");
    // One PutObject: byte 100,000 of the connection is well inside its body.
    let proxy = FaultProxy::start(moto.port);
    proxy.push([Fault::FlipRequestByte(100_000)]);
    let t = inia::Transfer::with_config(&s3_with(&proxy.endpoint(), md5_only()), config());
    let e = t
        .upload_file("flip", "small", dir.path().join("small"), &none)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("corrupted") && e.ends_with("the object was deleted"),
        "{e}"
    );
    let head = direct
        .call("HeadObject", json!({"Bucket": "flip", "Key": "small"}))
        .await;
    assert!(head.is_err(), "deleted: {head:?}");

    // Multipart: moto closes each connection after one answer, so the first connection
    // carries only CreateMultipartUpload (too short to be hit) and the second a part.
    let proxy = FaultProxy::start(moto.port);
    proxy.push([
        Fault::FlipRequestByte(100_000),
        Fault::FlipRequestByte(100_000),
    ]);
    let t = inia::Transfer::with_config(&s3_with(&proxy.endpoint(), md5_only()), config());
    let e = t
        .upload_file("flip", "big", dir.path().join("big"), &none)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("corrupted"), "{e}");
    let open = direct
        .call("ListMultipartUploads", json!({"Bucket": "flip"}))
        .await
        .unwrap();
    assert!(
        open["Uploads"].as_array().is_none_or(|u| u.is_empty()),
        "aborted: {open}"
    );
    let heads = proxy.requests();
    assert!(
        heads
            .iter()
            .any(|h| h.starts_with("DELETE /flip/big?uploadId=")),
        "{heads:#?}"
    );
    let listed = direct
        .call("ListObjectsV2", json!({"Bucket": "flip"}))
        .await
        .unwrap();
    assert_eq!(listed["KeyCount"], 0, "{listed}");
}

/// With the default CRC32 and no `Content-MD5` (as botocore), a server that does not
/// check the checksum stores a flipped byte; the download, checked against the CRC32 the
/// server kept, refuses it and leaves no file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_byte_under_crc32_is_caught_on_the_way_down() {
    let moto = Moto::shared();
    let direct = s3(&moto.endpoint());
    direct
        .call("CreateBucket", json!({"Bucket": "flip-crc"}))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small"), data(300_000)).unwrap();
    let proxy = FaultProxy::start(moto.port);
    proxy.push([Fault::FlipRequestByte(100_000)]);
    let t = inia::Transfer::with_config(&s3(&proxy.endpoint()), config());
    t.upload_file(
        "flip-crc",
        "small",
        dir.path().join("small"),
        &UploadOptions::default(),
    )
    .await
    .unwrap();
    let heads = proxy.requests();
    assert!(
        heads.iter().all(|h| header(h, "content-md5").is_none()),
        "{heads:#?}"
    );
    let out = dir.path().join("back");
    let e = direct
        .transfer()
        .download_file("flip-crc", "small", &out)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("CRC32") && e.contains("corrupted"), "{e}");
    assert!(!out.exists());
}

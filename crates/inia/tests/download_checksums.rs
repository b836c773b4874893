//! Downloads checked against the object's flexible checksum, as botocore checks them with
//! `response_checksum_validation = when_supported`: `GetObject` asks for it
//! (`x-amz-checksum-mode: ENABLED`), the body is hashed while it is written, and a body
//! that does not match the `x-amz-checksum-crc32` its answer carries is an error that
//! leaves no file under the final name; a composite checksum (`…-N`) is not checked. A
//! stand-in on 127.0.0.1 (`fault_server`) answers with the checksum the test chooses (the
//! value of "hello world" computed here with Python's zlib by hand: `DUoRhQ==`).
//!
//! Owns those assertions. Does not own the upload side (`request_checksums.rs`).

use inia::auth::config::Env;
use inia::{Credentials, Session};

mod fault_server;
use fault_server::*;

const BODY: &str = "hello world";
const CRC32: &str = "DUoRhQ==";

async fn download(
    checksum: &'static str,
    validation: Option<&str>,
) -> (
    Result<inia::Value, inia::Error>,
    FaultServer,
    tempfile::TempDir,
) {
    let server = FaultServer::answering(move |_| Act::Respond {
        status: 200,
        headers: vec![
            ("content-type", "text/plain".into()),
            ("x-amz-checksum-crc32", checksum.into()),
        ],
        body: BODY.into(),
    })
    .await;
    let mut vars = vec![("AWS_CONFIG_FILE", "/nonexistent/config")];
    if let Some(v) = validation {
        vars.push(("AWS_RESPONSE_CHECKSUM_VALIDATION", v));
    }
    let session = Session::builder()
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .env(Env::from_vars(vars))
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let s3 = session.client("s3").unwrap();
    let r = s3
        .transfer()
        .download_file("b", "k", dir.path().join("out.txt"))
        .await;
    (r, server, dir)
}

#[tokio::test]
async fn a_body_that_does_not_match_its_checksum_leaves_no_file() {
    let (ok, server, dir) = download(CRC32, None).await;
    ok.unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.txt")).unwrap(),
        BODY
    );
    assert_eq!(
        server.seen()[0].header("x-amz-checksum-mode").as_deref(),
        Some("ENABLED")
    );

    let (bad, _, dir) = download("AAAAAA==", None).await;
    let e = bad.unwrap_err().to_string();
    assert!(e.contains("CRC32") && e.contains("corrupted"), "{e}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file left"
    );

    // A composite checksum of a multipart object is not checked against the bytes.
    let (composite, _, _) = download("AAAAAA==-3", None).await;
    composite.unwrap();

    // With validation only when required, the mode is not asked for.
    let (_, server, _) = download(CRC32, Some("when_required")).await;
    assert_eq!(server.seen()[0].header("x-amz-checksum-mode"), None);
}

/// `Client::call_with("GetObject")`, read by the caller: moto's answer, one byte flipped
/// by a proxy on the way, fails at the end of the body with the checksum moto stored;
/// the same object read cleanly passes; with `when_required` nothing is asked or checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_body_is_checked_against_moto_when_read_to_its_end() {
    use inia::json;
    use inia_test_support::{Fault, FaultProxy, Moto};
    let proxy = FaultProxy::start(Moto::shared().port);
    let client = |vars: Vec<(&str, &str)>| {
        Session::builder()
            .region("us-east-1")
            .endpoint_url(proxy.endpoint())
            .credentials(Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .env(Env::from_vars(vars))
            .build()
            .unwrap()
            .client("s3")
            .unwrap()
    };
    let s3 = client(vec![]);
    s3.call("CreateBucket", json!({"Bucket": "checked-get"}))
        .await
        .unwrap();
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
    s3.call_with(
        "PutObject",
        json!({"Bucket": "checked-get", "Key": "k"}),
        Some(inia::Body::from_bytes(data.clone())),
    )
    .await
    .unwrap();
    let read = |s3: inia::Client| async move {
        let out = s3
            .call_with(
                "GetObject",
                json!({"Bucket": "checked-get", "Key": "k"}),
                None,
            )
            .await
            .unwrap();
        out.body.unwrap().bytes().await
    };
    assert_eq!(read(s3.clone()).await.unwrap(), data);
    // A fresh session opens a fresh connection, which the proxy corrupts.
    proxy.push([Fault::FlipByte(60_000)]);
    let e = read(client(vec![])).await.unwrap_err().to_string();
    assert!(
        e.contains("CRC32") && e.contains("corrupted") && e.contains("127.0.0.1"),
        "{e}"
    );
    proxy.push([Fault::FlipByte(60_000)]);
    let unchecked = client(vec![("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required")]);
    let got = read(unchecked).await.unwrap();
    assert_eq!(got.len(), data.len());
    assert_ne!(got, data, "the flipped byte went through unchecked");
}

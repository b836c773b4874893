//! The `inia` command line through the fault-injecting proxy (`tests/support`) in front
//! of moto: calls, uploads and downloads with connections refused, answered 503, reset
//! and cut; Ctrl-C and `kill -9` in the middle of a download. Each test asserts the exit
//! code, the number of requests that reached the proxy, and the bytes stored or written
//! (SHA-256).
//!
//! Owns these end-to-end fault tests. Does not own the engine's (crates/inia/tests).
//!
//! One moto serves every test of this file (`Moto::shared`, started once), each test
//! behind a fault proxy of its own and with bucket names no other test here uses.

use inia::{json, Credentials, Session};
use inia_test_support::{Fault, FaultProxy, Moto};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn inia(home: &Path, dir: &Path, endpoint: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_inia"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret-test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .current_dir(dir)
        .args(["--endpoint-url", endpoint])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn run(dir: &Path, endpoint: &str, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    inia(home.path(), dir, endpoint, args).output().unwrap()
}

fn code_and_stderr(out: &Output) -> (Option<i32>, String) {
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s3(moto: &Moto) -> inia::Client {
    Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials(Credentials::new("AKIDTEST", "secret-test", None, None, "t"))
        .env(inia::auth::config::Env::empty())
        .build()
        .unwrap()
        .client("s3")
        .unwrap()
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 131 % 257) as u8).collect()
}

fn sha256(b: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, b)
        .as_ref()
        .to_vec()
}

async fn stored(s3: &inia::Client, bucket: &str, key: &str) -> Vec<u8> {
    let out = s3
        .call_with("GetObject", json!({"Bucket": bucket, "Key": key}), None)
        .await
        .unwrap();
    out.body.unwrap().bytes().await.unwrap().to_vec()
}

/// Two failed connections then success: exit 0 after three requests; three failures in a
/// row exhaust the default three attempts: exit 254, naming the error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_are_retried_through_refused_reset_and_throttled_connections() {
    let moto = Moto::shared();
    s3(moto)
        .call("CreateBucket", json!({"Bucket": "calls"}))
        .await
        .unwrap();
    let proxy = FaultProxy::start(moto.port);
    let dir = tempfile::tempdir().unwrap();
    proxy.push([Fault::Answer("503 Slow Down"), Fault::CloseBeforeHeaders]);
    let out = run(dir.path(), &proxy.endpoint(), &["s3api", "list-buckets"]);
    let (code, err) = code_and_stderr(&out);
    assert_eq!(code, Some(0), "{err}");
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // moto is shared with this file's other tests: find this test's bucket among theirs.
    let names: Vec<&str> = listed["Buckets"]
        .as_array()
        .map(|b| b.iter().filter_map(|b| b["Name"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"calls"), "{listed}");
    assert_eq!(proxy.connections(), 3);
    proxy.push([
        Fault::Answer("500 Internal Server Error"),
        Fault::ResetAfter(20),
        Fault::Answer("503 Slow Down"),
    ]);
    let out = run(dir.path(), &proxy.endpoint(), &["s3api", "list-buckets"]);
    let (code, err) = code_and_stderr(&out);
    // A service error exits 254 (as the AWS CLI v2 does), naming the retries made.
    assert_eq!(code, Some(254), "{err}");
    assert!(
        err.contains("(503)") && err.contains("reached max retries: 2"),
        "the last error is reported: {err}"
    );
    assert_eq!(proxy.connections(), 6, "three attempts, no more");
}

/// A single-part and a multipart upload, each with failed connections on the way: exit 0,
/// the bytes stored are the file's, no multipart upload left open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_through_failed_connections_store_the_bytes_sent() {
    let moto = Moto::shared();
    let client = s3(moto);
    client
        .call("CreateBucket", json!({"Bucket": "uploads"}))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (small, big) = (data(1024 * 1024), data(20 * 1024 * 1024));
    std::fs::write(dir.path().join("small.bin"), &small).unwrap();
    std::fs::write(dir.path().join("big.bin"), &big).unwrap();
    let proxy = FaultProxy::start(moto.port);
    // The answer to the first PUT is cut: the server stored it, the client retries.
    proxy.push([Fault::ResetAfter(0)]);
    let out = run(
        dir.path(),
        &proxy.endpoint(),
        &["s3", "cp", "small.bin", "s3://uploads/small.bin"],
    );
    let (code, err) = code_and_stderr(&out);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(proxy.connections(), 2, "one PUT, one retry");
    assert_eq!(
        sha256(&stored(&client, "uploads", "small.bin").await),
        sha256(&small)
    );
    // Multipart (8 MiB parts): CreateMultipartUpload, 3 parts, Complete; two of those
    // requests meet a failure first, whichever they are.
    let before = proxy.connections();
    proxy.push([Fault::Answer("503 Slow Down"), Fault::CloseBeforeHeaders]);
    let out = run(
        dir.path(),
        &proxy.endpoint(),
        &["s3", "cp", "big.bin", "s3://uploads/big.bin"],
    );
    let (code, err) = code_and_stderr(&out);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(proxy.connections() - before, 5 + 2);
    assert_eq!(
        sha256(&stored(&client, "uploads", "big.bin").await),
        sha256(&big)
    );
    let open = client
        .call("ListMultipartUploads", json!({"Bucket": "uploads"}))
        .await
        .unwrap();
    assert!(
        open["Uploads"].as_array().is_none_or(|u| u.is_empty()),
        "{open}"
    );
}

/// `s3 cp` and `s3api get-object OUTFILE` whose body is cut or reset after 5 MB resume with
/// a ranged GET and write the object byte-identical: two requests each (and `s3 cp`'s
/// HeadObject before them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_cut_or_reset_mid_body_finish_byte_identical() {
    let moto = Moto::shared();
    let client = s3(moto);
    client
        .call("CreateBucket", json!({"Bucket": "down"}))
        .await
        .unwrap();
    let body = data(12 * 1024 * 1024);
    client
        .call_with(
            "PutObject",
            json!({"Bucket": "down", "Key": "obj.bin"}),
            Some(inia::Body::from_bytes(body.clone())),
        )
        .await
        .unwrap();
    let proxy = FaultProxy::start(moto.port);
    let dir = tempfile::tempdir().unwrap();
    let commands: [&[&str]; 2] = [
        &["s3", "cp", "s3://down/obj.bin", "a.bin"],
        &[
            "s3api",
            "get-object",
            "--bucket",
            "down",
            "--key",
            "obj.bin",
            "b.bin",
        ],
    ];
    // `s3 cp` asks for the object (HeadObject) first, as the AWS CLI: that answer passes
    // untouched, the fault hits the GET.
    let untouched = Fault::CloseAfter(usize::MAX);
    for ((args, faults), calls) in commands
        .into_iter()
        .zip([
            vec![untouched, Fault::CloseAfter(5_000_000)],
            vec![Fault::ResetAfter(5_000_000)],
        ])
        .zip([3, 2])
    {
        let before = proxy.connections();
        proxy.push(faults.clone());
        let out = run(dir.path(), &proxy.endpoint(), args);
        let (code, err) = code_and_stderr(&out);
        assert_eq!(code, Some(0), "{args:?} {faults:?}: {err}");
        assert_eq!(
            proxy.connections() - before,
            calls,
            "{args:?}: (HEAD,) GET, ranged GET"
        );
        let written = std::fs::read(dir.path().join(args[args.len() - 1])).unwrap();
        assert_eq!(sha256(&written), sha256(&body), "{args:?}");
    }
}

/// A download stalled after 3 MB, interrupted: Ctrl-C leaves the destination as it was and
/// no temporary file (exit 130); `kill -9` cannot clean up, but the destination is still
/// untouched (only the hidden `.NAME.inia-….part` file remains).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_downloads_leave_the_destination_untouched() {
    let moto = Moto::shared();
    let client = s3(moto);
    client
        .call("CreateBucket", json!({"Bucket": "stop"}))
        .await
        .unwrap();
    client
        .call_with(
            "PutObject",
            json!({"Bucket": "stop", "Key": "obj.bin"}),
            Some(inia::Body::from_bytes(data(8 * 1024 * 1024))),
        )
        .await
        .unwrap();
    let proxy = FaultProxy::start(moto.port);
    for signal in ["-INT", "-KILL"] {
        let dir = tempfile::tempdir().unwrap();
        let home = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("out.bin"), b"kept").unwrap();
        // The HeadObject answer passes; the GET stalls.
        proxy.push([
            Fault::CloseAfter(usize::MAX),
            Fault::StallAfter(3_000_000, Duration::from_secs(20)),
        ]);
        let args = ["s3", "cp", "s3://stop/obj.bin", "out.bin"];
        let child = inia(home.path(), dir.path(), &proxy.endpoint(), &args)
            .spawn()
            .unwrap();
        // Wait (bounded) until the temporary file holds data: the body is flowing.
        let part_file = |d: &Path| {
            std::fs::read_dir(d)
                .unwrap()
                .flatten()
                .find(|e| e.file_name().to_string_lossy().ends_with(".part"))
        };
        let mut flowing = false;
        for _ in 0..300 {
            if part_file(dir.path()).is_some_and(|e| e.metadata().is_ok_and(|m| m.len() > 0)) {
                flowing = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(flowing, "{signal}: the download never started");
        let sent = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let out = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(std::fs::read(dir.path().join("out.bin")).unwrap(), b"kept");
        if signal == "-INT" {
            let (code, err) = code_and_stderr(&out);
            assert_eq!(code, Some(130), "{err}");
            assert!(
                part_file(dir.path()).is_none(),
                "the temporary file is removed"
            );
        } else {
            assert_eq!(out.status.code(), None, "killed by the signal");
            let left = part_file(dir.path()).map(|e| e.file_name());
            let left = left.unwrap().to_string_lossy().into_owned();
            assert!(left.starts_with(".out.bin.inia-"), "{left}");
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1 + usize::from(signal == "-KILL")
        );
    }
}

//! Downloads through a fault-injecting proxy in front of moto: a body cut off or reset
//! after 5 MB is resumed (ranged GET, If-Match) and the file ends byte-identical; a flipped
//! byte is caught by the MD5 check and leaves no file. Requests counted at the proxy.
//!
//! One moto serves every test of this file (`Moto::shared`, started once); each test
//! uses names (buckets, queues, roles...) no other test here uses.

use inia::auth::config::Env;
use inia::{json, Credentials, Session, UploadOptions};
use inia_test_support::{Fault, FaultProxy, Moto};

fn s3(endpoint: &str) -> inia::Client {
    Session::builder()
        .env(Env::empty())
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(Credentials::new(
            "AKIDTEST",
            "secret-test",
            None,
            None,
            "test",
        ))
        .build()
        .unwrap()
        .client("s3")
        .unwrap()
}

fn data() -> Vec<u8> {
    (0..12 * 1024 * 1024)
        .map(|i: usize| (i * 31 % 253) as u8)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_survive_cut_and_reset_bodies_and_catch_flipped_bytes() {
    let moto = Moto::shared();
    let direct = s3(&moto.endpoint());
    direct
        .call("CreateBucket", json!({"Bucket": "faults"}))
        .await
        .unwrap();
    let config = inia::TransferConfig {
        multipart_threshold: 64 * 1024 * 1024,
        ..Default::default()
    };
    inia::Transfer::with_config(&direct, config)
        .upload_bytes("faults", "obj.bin", data(), &UploadOptions::default())
        .await
        .unwrap();
    let proxy = FaultProxy::start(moto.port);
    let via = s3(&proxy.endpoint());
    let dir = tempfile::tempdir().unwrap();
    for fault in [Fault::CloseAfter(5_000_000), Fault::ResetAfter(5_000_000)] {
        let before = proxy.connections();
        proxy.push([fault.clone()]);
        let dest = dir.path().join("obj.bin");
        via.transfer()
            .download_file("faults", "obj.bin", &dest)
            .await
            .unwrap();
        assert!(
            std::fs::read(&dest).unwrap() == data(),
            "{fault:?}: byte-identical"
        );
        assert_eq!(
            proxy.connections() - before,
            2,
            "{fault:?}: one GET, one ranged GET"
        );
        std::fs::remove_file(&dest).unwrap();
    }
    proxy.push([Fault::FlipByte(3_000_000)]);
    let dest = dir.path().join("flipped.bin");
    let e = via
        .transfer()
        .download_file("faults", "obj.bin", &dest)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("it was corrupted on the way"), "{e}");
    assert!(!dest.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left"
    );
}

/// A multipart object (ETag `…-2`) is verified through its part MD5s, the part size from
/// `HeadObject` of part 1: a clean download passes (one GET, one HEAD), a flipped byte is
/// caught and leaves no file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_downloads_are_verified_by_their_part_md5s() {
    let moto = Moto::shared();
    let direct = s3(&moto.endpoint());
    direct
        .call("CreateBucket", json!({"Bucket": "parts"}))
        .await
        .unwrap();
    let config = inia::TransferConfig {
        multipart_threshold: 8 * 1024 * 1024,
        part_size: 5 * 1024 * 1024,
        ..Default::default()
    };
    let put = inia::Transfer::with_config(&direct, config)
        .upload_bytes("parts", "obj.bin", data(), &UploadOptions::default())
        .await
        .unwrap();
    assert!(put["ETag"].as_str().unwrap().ends_with("-3\""), "{put}");
    let proxy = FaultProxy::start(moto.port);
    let via = s3(&proxy.endpoint());
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("obj.bin");
    via.transfer()
        .download_file("parts", "obj.bin", &dest)
        .await
        .unwrap();
    assert!(std::fs::read(&dest).unwrap() == data(), "byte-identical");
    let heads = proxy.requests();
    assert_eq!(heads.len(), 2, "{heads:#?}");
    assert!(
        heads[1].starts_with("HEAD /parts/obj.bin?partNumber=1 "),
        "{heads:#?}"
    );
    std::fs::remove_file(&dest).unwrap();
    proxy.push([Fault::FlipByte(7_000_000)]);
    let e = via
        .transfer()
        .download_file("parts", "obj.bin", &dest)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("part MD5s") && e.contains("corrupted on the way"),
        "{e}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file left"
    );
}

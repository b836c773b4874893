//! `inia s3 cp - s3://bucket/key`: standard input of a length nobody announced, uploaded
//! over `https://` (a TLS front before moto) as the AWS CLI sends it there: in parts
//! read one after another (a multipart upload past the 8 MiB threshold, one PutObject
//! below it), each `aws-chunked` with its CRC32 in the trailer. The object is read back
//! byte-identical through `inia s3 cp s3://… -`, and the checksum moto stored equals the
//! one Python computes.
//!
//! Owns those assertions. Does not own the library's trailer tests
//! (`crates/inia/tests/aws_chunked_uploads.rs`).

use inia_test_support::tls_front::TlsFront;
use inia_test_support::{FaultProxy, Moto};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const MIB: usize = 1024 * 1024;

fn inia(endpoint: &str, home: &Path, ca: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_inia"))
        .env_clear()
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret-test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CA_BUNDLE", ca)
        .args(["--endpoint-url", endpoint])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn inia");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait inia");
    feeder.join().expect("feeder");
    assert!(
        out.status.success(),
        "inia {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn data(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    (0..len)
        .map(|_| {
            x ^= x << 7;
            x ^= x >> 9;
            x as u8
        })
        .collect()
}

#[test]
fn standard_input_goes_up_in_chunked_parts_over_tls() {
    let moto = Moto::shared();
    let proxy = FaultProxy::start(moto.port);
    let front = TlsFront::start(proxy.port);
    let home = tempfile::tempdir().unwrap();
    let ca = front.ca.write_pem(home.path());
    let endpoint = front.endpoint();
    let run = |args: &[&str], input: &[u8]| inia(&endpoint, home.path(), &ca, args, input);
    run(&["s3", "mb", "s3://stdin-tls"], b"");
    // Below the threshold: one PutObject. Above: parts of 8 MiB, the last shorter.
    for (key, len, parts) in [("small", 300_000, 1), ("big", 19 * MIB + 7, 3)] {
        let body = data(len);
        run(&["s3", "cp", "-", &format!("s3://stdin-tls/{key}")], &body);
        let sent: Vec<String> = proxy
            .requests()
            .into_iter()
            .filter(|h| h.starts_with(&format!("PUT /stdin-tls/{key}")))
            .map(|h| h.to_ascii_lowercase())
            .collect();
        assert_eq!(sent.len(), parts, "{key}: {sent:?}");
        for head in &sent {
            for line in [
                "content-encoding: aws-chunked",
                "x-amz-trailer: x-amz-checksum-crc32",
                "x-amz-content-sha256: streaming-unsigned-payload-trailer",
            ] {
                assert!(head.contains(line), "{key}: no `{line}` in\n{head}");
            }
        }
        let back = run(&["s3", "cp", &format!("s3://stdin-tls/{key}"), "-"], b"");
        assert!(back.stdout == body, "{key}: read back byte-identical");
        let head = run(
            &[
                "s3api",
                "head-object",
                "--bucket",
                "stdin-tls",
                "--key",
                key,
                "--checksum-mode",
                "ENABLED",
            ],
            b"",
        );
        let head: serde_json::Value = serde_json::from_slice(&head.stdout).unwrap();
        let (whole, composite) = inia_test_support::python_checksums("CRC32", &body, 8 * MIB);
        let got = head["ChecksumCRC32"].as_str().unwrap_or_default();
        if parts == 1 {
            assert_eq!(got, whole, "{key}: {head}");
        } else {
            // moto 5 writes the composite without S3's `-<parts>`.
            let bare = composite.rsplit_once('-').map_or("", |(b, _)| b);
            assert!(
                got == composite || got == bare,
                "{key}: {got} vs {composite}"
            );
        }
    }
}

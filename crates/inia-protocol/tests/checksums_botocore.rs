//! The flexible checksums against botocore's own (`botocore.httpchecksum`, with the CRT
//! for CRC32C, CRC64NVME and the xxHashes) in the pinned venv: the same inputs, fed in pieces, give
//! the same header values. The test command installs the venv; without it the test fails.

use inia_protocol::checksum::Algorithm;
use std::path::Path;
use std::process::Command;

const SCRIPT: &str = r#"
import botocore.httpchecksum as h
inputs = [b"", b"abc", b"123456789", bytes(range(256)) * 4099]
classes = [h.Crc32Checksum, h.CrtCrc32cChecksum, h.CrtCrc64NvmeChecksum, h.Sha1Checksum,
           h.Sha256Checksum, h.Sha512Checksum, h.CrtXxhash64Checksum, h.CrtXxhash3Checksum,
           h.CrtXxhash128Checksum]
for data in inputs:
    row = []
    for cls in classes:
        c = cls()
        for i in range(0, len(data), 65536):
            c.update(data[i:i + 65536])
        row.append(c.b64digest())
    print(" ".join(row))
"#;

fn inputs() -> Vec<Vec<u8>> {
    let big: Vec<u8> = (0..256 * 4099).map(|i| (i % 256) as u8).collect();
    vec![b"".to_vec(), b"abc".to_vec(), b"123456789".to_vec(), big]
}

#[test]
fn same_values_as_botocore() {
    let python =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/botocore-venv/bin/python");
    assert!(
        python.exists(),
        "no botocore venv at {}: `cargo xtask test` installs it",
        python.display()
    );
    let out = Command::new(python)
        .args(["-c", SCRIPT])
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let rows: Vec<&str> = text.lines().collect();
    let order = [
        Algorithm::Crc32,
        Algorithm::Crc32c,
        Algorithm::Crc64Nvme,
        Algorithm::Sha1,
        Algorithm::Sha256,
        Algorithm::Sha512,
        Algorithm::XxHash64,
        Algorithm::XxHash3,
        Algorithm::XxHash128,
    ];
    assert_eq!(rows.len(), inputs().len());
    for (data, row) in inputs().iter().zip(rows) {
        let ours: Vec<String> = order
            .iter()
            .map(|a| {
                let mut c = a.hasher();
                for piece in data.chunks(1000) {
                    c.update(piece);
                }
                c.finish().to_str().unwrap_or_default().to_string()
            })
            .collect();
        assert_eq!(ours.join(" "), row, "input of {} bytes", data.len());
    }
}

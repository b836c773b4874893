//! The rclone launcher starts a real `rclone serve s3` that answers HTTP on 127.0.0.1 on
//! the port it reported, refuses unsigned requests (it was given keys), and stops (by its
//! own PID, its folder removed) when dropped.
//!
//! Owns checks of the launcher only. Does not own checks of inia against rclone.

use inia_test_support::rclone::{rclone_path, Rclone, RCLONE_VERSION};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

fn get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_installed_rclone_is_the_pinned_release() {
    let out = Command::new(rclone_path()).arg("version").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("rclone v{RCLONE_VERSION}\n")),
        "{text}"
    );
}

#[test]
fn rclone_answers_refuses_anonymous_requests_and_stops() {
    let r = Rclone::start();
    assert_eq!(r.endpoint(), format!("http://127.0.0.1:{}", r.port));
    let answer = get(r.port, "/");
    // Unsigned: refused (rclone answers 400 `UnsupportedAlgorithm`, no auth header).
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    assert!(answer.contains("<Error><Code>"), "{answer}");
    let pid = r.pid;
    let folder = r.object_file("b", "k");
    let folder = folder
        .parent()
        .and_then(|p| p.parent())
        .unwrap()
        .to_path_buf();
    assert!(folder.is_dir(), "{}", folder.display());
    drop(r);
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "rclone (pid {pid}) still runs after drop"
    );
    assert!(!folder.exists(), "{} left behind", folder.display());
}

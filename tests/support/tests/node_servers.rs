//! The Node launchers start real servers that answer HTTP on 127.0.0.1, and stop them (by
//! their own PID) when dropped.
//!
//! Owns checks of the launchers only. Does not own checks of inia against these servers.

use inia_test_support::azurite::Azurite;
use inia_test_support::s3rver::S3rver;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A bare `GET path` over HTTP/1.1: the status line, headers and body as text.
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

fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn azurite_answers_and_stops() {
    let a = Azurite::start();
    assert!(a
        .blob_endpoint()
        .ends_with(&format!(":{}/devstoreaccount1", a.port)));
    // Unsigned: refused, by Azurite itself.
    let r = get(a.port, "/devstoreaccount1?comp=list");
    assert!(r.starts_with("HTTP/1.1 403"), "{r}");
    assert!(
        r.to_ascii_lowercase().contains("server: azurite-blob/"),
        "{r}"
    );
    let pid = a.pid;
    assert!(alive(pid));
    drop(a);
    assert!(!alive(pid), "Azurite (pid {pid}) still runs after drop");
}

#[test]
fn s3rver_answers_and_stops() {
    let s = S3rver::start();
    assert_eq!(s.endpoint(), format!("http://127.0.0.1:{}", s.port));
    // Anonymous GET Service: the (empty) bucket list.
    let r = get(s.port, "/");
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert!(r.contains("ListAllMyBucketsResult"), "{r}");
    let pid = s.pid;
    drop(s);
    assert!(!alive(pid), "s3rver (pid {pid}) still runs after drop");
}

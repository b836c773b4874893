//! A download whose body breaks off is resumed from the first missing byte with a ranged
//! `GetObject` guarded by `If-Match`, and the file ends byte-identical; an object that
//! changed in between (412) is an error, not a splice; the resumes stay within the retry
//! budget. The server is a small one on 127.0.0.1 that serves one object and cuts its
//! first answers short.

use inia::auth::config::Env;
use inia::{Credentials, Session};
use md5::{Digest, Md5};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

const SIZE: usize = 3 * 1024 * 1024;

fn object() -> Vec<u8> {
    (0..SIZE).map(|i| (i * 7 % 251) as u8).collect()
}

/// Serves `object()` with its MD5 as ETag. The first `cuts` answers stop after 512 KiB
/// (the connection closes); a request whose `If-Match` is not the ETag gets 412 when
/// `changed`. Records each request's Range and If-Match.
/// Each request's `Range` and `If-Match` headers.
type Seen = Arc<Mutex<Vec<(Option<String>, Option<String>)>>>;

fn server(cuts: usize, changed: bool) -> (u16, Seen) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        let data = object();
        let etag = format!("\"{:x}\"", Md5::digest(&data));
        for (n, conn) in l.incoming().take(8).enumerate() {
            let Ok(c) = conn else { continue };
            let mut r = BufReader::new(c.try_clone().unwrap());
            let (mut range, mut if_match) = (None, None);
            let mut line = String::new();
            let _ = r.read_line(&mut line);
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                    break;
                }
                let lower = h.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("range:") {
                    range = Some(v.trim().to_string());
                }
                if let Some(v) = lower.strip_prefix("if-match:") {
                    if_match = Some(v.trim().to_string());
                }
            }
            log.lock().unwrap().push((range.clone(), if_match.clone()));
            let mut c = c;
            if changed && if_match.is_some() {
                let _ = c.write_all(b"HTTP/1.1 412 Precondition Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                continue;
            }
            let from: usize = range
                .as_deref()
                .and_then(|r| r.strip_prefix("bytes="))
                .and_then(|r| r.trim_end_matches('-').parse().ok())
                .unwrap_or(0);
            let rest = &data[from..];
            let head = if from == 0 {
                format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n\r\n", rest.len())
            } else {
                format!(
                    "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {from}-{}/{SIZE}\r\nETag: {etag}\r\nConnection: close\r\n\r\n",
                    rest.len(),
                    SIZE - 1
                )
            };
            let _ = c.write_all(head.as_bytes());
            let send = if n < cuts {
                &rest[..rest.len().min(512 * 1024)]
            } else {
                rest
            };
            let _ = c.write_all(send);
        }
    });
    (port, seen)
}

fn s3(port: u16) -> inia::Client {
    Session::builder()
        .env(Env::empty())
        .region("us-east-1")
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .credentials(Credentials::new("AKID", "secret", None, None, "test"))
        .build()
        .unwrap()
        .client("s3")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_body_is_resumed_and_verified() {
    let (port, seen) = server(2, false);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("big.bin");
    s3(port)
        .transfer()
        .download_file("b", "k", &dest)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), object(), "byte-identical");
    let seen = seen.lock().unwrap().clone();
    let etag = format!("\"{:x}\"", Md5::digest(object()));
    assert_eq!(
        seen,
        vec![
            (None, None),
            (Some("bytes=524288-".into()), Some(etag.clone())),
            (Some("bytes=1048576-".into()), Some(etag)),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumes_stay_within_the_retry_budget() {
    let (port, seen) = server(8, false);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("big.bin");
    let e = s3(port)
        .transfer()
        .download_file("b", "k", &dest)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cut short"), "{e}");
    assert_eq!(
        seen.lock().unwrap().len(),
        3,
        "max_attempts (3) requests in all"
    );
    assert!(!dest.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_object_is_an_error_not_a_splice() {
    let (port, _) = server(1, true);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("big.bin");
    let e = s3(port)
        .transfer()
        .download_file("b", "k", &dest)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("412"), "{e}");
    assert!(!dest.exists());
}

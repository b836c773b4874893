//! Uploads are checked against what the server says it stored: a server whose ETag (an
//! MD5) is not the MD5 of the bytes sent fails the upload, and the object is deleted
//! rather than left corrupt. The server here is a small one on 127.0.0.1 that stores
//! nothing and answers every PUT with a wrong ETag (as a store that ignores Content-MD5
//! and received damaged bytes would).

use inia::auth::config::Env;
use inia::{Credentials, Session, UploadOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// Answers PUT with `ETag: "000…0"` and anything else with 204; records each request line.
fn wrong_etag_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for conn in l.incoming().take(8) {
            let Ok(c) = conn else { continue };
            let mut r = BufReader::new(c.try_clone().unwrap());
            let mut line = String::new();
            if r.read_line(&mut line).is_err() {
                continue;
            }
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; len];
            let _ = r.read_exact(&mut body);
            log.lock().unwrap().push(line.trim().to_string());
            let mut c = c;
            let answer = if line.starts_with("PUT") {
                "HTTP/1.1 200 OK\r\nETag: \"00000000000000000000000000000000\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            } else {
                "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
            };
            let _ = c.write_all(answer.as_bytes());
        }
    });
    (port, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_md5_that_differs_fails_the_upload_and_deletes_the_object() {
    let (port, seen) = wrong_etag_server();
    let s3 = Session::builder()
        .env(Env::empty())
        .region("us-east-1")
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .credentials(Credentials::new("AKID", "secret", None, None, "test"))
        .build()
        .unwrap()
        .client("s3")
        .unwrap();
    let e = s3
        .transfer()
        .upload_bytes("b", "k.txt", &b"hello world"[..], &UploadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "upload of s3://b/k.txt corrupted: the server stored a different MD5 \
         (00000000000000000000000000000000) from the bytes sent (5eb63bbbe01eeed093cb22bb8f5acdc3); \
         the object was deleted"
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen[0].starts_with("PUT /b/k.txt "), "{seen:?}");
    assert!(seen[1].starts_with("DELETE /b/k.txt "), "{seen:?}");
}

//! Responses read into memory are capped: a server announcing 2 GB, or sending more than
//! the cap without announcing it, fails the call with an error naming the cap, after
//! reading at most the cap (never buffering what the server claims). One attempt each:
//! the error is not retried.

use inia::auth::config::Env;
use inia::{Credentials, Error, Session};
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A one-thread HTTP server on 127.0.0.1 answering every request with `head` then
/// `body_len` bytes of `x` (bounded: at most 4 connections).
fn server(head: &'static str, body_len: usize) -> (u16, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let requests = Arc::new(AtomicUsize::new(0));
    let count = requests.clone();
    std::thread::spawn(move || {
        for conn in l.incoming().take(4) {
            let Ok(mut c) = conn else { continue };
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf);
            count.fetch_add(1, Ordering::SeqCst);
            let _ = c.write_all(head.as_bytes());
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = body_len;
            while left > 0 {
                let n = left.min(chunk.len());
                if c.write_all(&chunk[..n]).is_err() {
                    break;
                }
                left -= n;
            }
        }
    });
    (port, requests)
}

fn session(port: u16, cap: Option<u64>) -> Session {
    let mut b = Session::builder()
        .env(Env::empty())
        .region("us-east-1")
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .credentials(Credentials::new("AKID", "secret", None, None, "test"));
    if let Some(c) = cap {
        b = b.max_response_body(c);
    }
    b.build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_announced_2_gb_body_is_refused_before_reading() {
    let (port, requests) = server(
        "HTTP/1.1 200 OK\r\nContent-Length: 2000000000\r\n\r\n",
        1024,
    );
    let e = session(port, None)
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Transport(inia::connection::HttpError::BodyTooLarge { .. })
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        format!("the response from 127.0.0.1:{port} announces 2000000000 bytes, more than the 1073741824-byte cap on responses read into memory")
    );
    assert_eq!(requests.load(Ordering::SeqCst), 1, "not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unannounced_body_is_cut_at_the_cap() {
    let (port, requests) = server(
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
        3 * 1024 * 1024,
    );
    let e = session(port, Some(1024 * 1024))
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("the response from 127.0.0.1:{port} is larger than the 1048576-byte cap on responses read into memory")
    );
    assert_eq!(requests.load(Ordering::SeqCst), 1, "not retried");
}

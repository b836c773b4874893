//! The stand-in for services moto lacks, shared by the command line's tests: first IAM
//! Identity Center for `sso login` (sso-oidc, sso), also Bedrock for `blob_payloads.rs`. A
//! server on 127.0.0.1 written here answers requests with what a test's closure says (as
//! botocore's models define the operations) and records what it got; and running `inia`
//! or Python against it with a home of the test's own.
//!
//! Owns the server and the way programs are run. Does not own any test's answers or
//! assertions (`sso_login.rs`, `sso_login_pkce.rs`, `blob_payloads.rs`).
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

/// One request: method, target, headers (lower-cased names) and body.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The stand-in: answers with `respond`, one connection at a time, each request on it.
pub fn stand_in(
    respond: impl Fn(&Request) -> (u16, Value, Option<&'static str>) + Send + 'static,
) -> (String, Arc<Mutex<Vec<Request>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    std::thread::spawn(move || {
        // Bounded: a test makes a few dozen connections at most.
        for stream in listener.incoming().take(200) {
            let Ok(stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut stream = stream;
            for _ in 0..50 {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let mut parts = line.split_whitespace();
                let (method, target) = (
                    parts.next().unwrap_or("").to_string(),
                    parts.next().unwrap_or("").to_string(),
                );
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                    }
                }
                let len = headers
                    .iter()
                    .find(|(k, _)| k == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0usize);
                let mut body = vec![0; len];
                if reader.read_exact(&mut body).is_err() {
                    break;
                }
                let req = Request {
                    method,
                    target,
                    headers,
                    body,
                };
                let (status, answer, error_type) = respond(&req);
                seen2.lock().unwrap().push(req);
                let text = answer.to_string();
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
                    text.len()
                );
                if let Some(t) = error_type {
                    head.push_str(&format!("x-amzn-errortype: {t}\r\n"));
                }
                head.push_str("\r\n");
                if stream
                    .write_all(head.as_bytes())
                    .and_then(|_| stream.write_all(text.as_bytes()))
                    .is_err()
                {
                    break;
                }
            }
        }
    });
    (url, seen)
}

/// The time now, in Unix seconds.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `program` with `args`, its home `home`, sso and sso-oidc at `url`, nothing else of the
/// test's environment but `PATH`.
pub fn command(program: &Path, home: &Path, url: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_SSO", url)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", url)
        .args(args);
    c
}

/// [`command`], run to its end.
pub fn run(program: &Path, home: &Path, url: &str, args: &[&str]) -> Output {
    command(program, home, url, args).output().unwrap()
}

//! What the AWS CLI v2 behaviour tests share (`parity_v2.rs`, `cli_v2.rs`): running
//! `inia` and the pinned AWS CLI 1.46.2 with one clean environment of the test's own
//! (credentials, HOME, config file, UTC), and a recording stand-in server on 127.0.0.1
//! that answers every request with one canned response, for comparing the requests both
//! programs send.
//!
//! Owns those helpers. Does not own any assertion.
#![allow(dead_code)]

use inia_test_support::aws_cli;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

/// The access key id both programs sign with.
pub const KEY: &str = "AKIDPARITYV2";
/// The secret both programs sign with.
pub const SECRET: &str = "parity-v2-secret";

pub fn inia_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_inia"))
}

pub fn aws_exe() -> PathBuf {
    aws_cli()
}

/// botocore's data folder (models with their documentation), from the pinned wheel.
pub fn botocore_data() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../.cache/botocore-1.44.5-wheel/botocore/data")
        .to_string_lossy()
        .into_owned()
}

/// One environment for both programs.
pub struct Env {
    pub home: tempfile::TempDir,
    pub endpoint: String,
}

impl Env {
    /// A home whose config file says `config` (after `[default]`).
    pub fn new(endpoint: &str, config: &str) -> Env {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join("config"), format!("[default]\n{config}")).unwrap();
        std::fs::write(home.path().join("credentials"), "").unwrap();
        Env {
            home,
            endpoint: endpoint.to_string(),
        }
    }

    pub fn command(&self, program: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("AWS_ACCESS_KEY_ID", KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_CONFIG_FILE", self.home.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home.path().join("credentials"),
            )
            .env("TZ", "UTC")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .args(["--endpoint-url", &self.endpoint, "--region", "us-east-1"])
            .args(args);
        cmd
    }

    pub fn run(&self, program: &Path, args: &[&str]) -> Run {
        Run::from(self.command(program, args).output().unwrap())
    }

    pub fn inia(&self, args: &[&str]) -> Run {
        self.run(&inia_exe(), args)
    }

    pub fn aws(&self, args: &[&str]) -> Run {
        self.run(&aws_exe(), args)
    }
}

/// What one run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// The AWS CLI v1's exit code as v2 maps it: 2 (argparse) and 255 for bad arguments
    /// are 252 in v2 when `usage` says the failure is a usage error.
    pub fn v2_code(&self, usage: bool) -> Option<i32> {
        match self.code {
            Some(2 | 255) if usage => Some(252),
            c => c,
        }
    }

    /// The stderr line holding `needle`, trimmed; empty when none does.
    pub fn line_with(&self, needle: &str) -> String {
        self.stderr
            .lines()
            .find(|l| l.contains(needle))
            .map(|l| l.trim().to_string())
            .unwrap_or_default()
    }
}

/// One request the stand-in got.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// A form body (`query` and `ec2` protocols) as sorted `key=value` pairs, without the
    /// idempotency token (random in each request).
    pub fn form(&self) -> Vec<String> {
        let text = String::from_utf8_lossy(&self.body);
        let mut pairs: Vec<String> = text
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.replace('+', " "))
            .map(|p| percent_decode(&p))
            .filter(|p| !p.starts_with("ClientToken="))
            .collect();
        pairs.sort();
        pairs
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A server on 127.0.0.1 answering every request with `status`, `content_type` and
/// `body`, recording what it got; its URL and the requests.
pub fn stand_in(
    status: u16,
    content_type: &'static str,
    body: &'static str,
) -> (String, Arc<Mutex<Vec<Request>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(500) {
            let Ok(stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
            let Ok(read_half) = stream.try_clone() else {
                continue;
            };
            let mut reader = BufReader::new(read_half);
            let mut stream = stream;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or("").to_string();
                let target = parts.next().unwrap_or("").to_string();
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
                let mut got = vec![0; len];
                if reader.read_exact(&mut got).is_err() {
                    break;
                }
                record.lock().unwrap().push(Request {
                    method,
                    target,
                    headers,
                    body: got,
                });
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nx-amzn-requestid: stand-in\r\n\r\n",
                    body.len()
                );
                if stream
                    .write_all(head.as_bytes())
                    .and_then(|_| stream.write_all(body.as_bytes()))
                    .is_err()
                {
                    break;
                }
            }
        }
    });
    (url, seen)
}

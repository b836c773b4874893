//! What the tests of the AWS CLI's own commands share: running `inia` and the AWS CLI
//! (optionally with its clock stopped, `frozen_aws.py`) against one moto with a clean
//! environment, and library clients for setting up and checking state.
//!
//! Owns the test harness. Does not own any test.

#![allow(dead_code)]

use inia::{Credentials, Session};
use inia_test_support::{aws_cli, Moto};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn data() -> PathBuf {
    inia_conformance::botocore::wheel_data().expect("botocore data folder")
}

/// Runs both tools against one endpoint with the same clean environment.
pub struct Tools {
    pub home: tempfile::TempDir,
    pub endpoint: String,
    pub data: PathBuf,
    /// Extra environment for both tools.
    pub env: Vec<(String, String)>,
    /// Variables of the usual environment to leave out.
    pub unset: Vec<&'static str>,
}

impl Tools {
    pub fn new(moto: &Moto) -> Tools {
        Tools {
            home: tempfile::tempdir().expect("home"),
            endpoint: moto.endpoint(),
            data: data(),
            env: Vec::new(),
            unset: Vec::new(),
        }
    }

    fn base(&self, exe: &Path, dir: &Path) -> Command {
        let mut cmd = Command::new(exe);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
            .env("AWS_SECRET_ACCESS_KEY", "secret-test")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .current_dir(dir);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        for k in &self.unset {
            cmd.env_remove(k);
        }
        cmd
    }

    /// `inia --endpoint-url E --spec-path D args...` in `dir`.
    pub fn inia_in(&self, dir: &Path, args: &[&str]) -> Output {
        let mut cmd = self.base(Path::new(env!("CARGO_BIN_EXE_inia")), dir);
        cmd.arg("--endpoint-url")
            .arg(&self.endpoint)
            .arg("--spec-path")
            .arg(&self.data)
            .args(args);
        cmd.output().expect("run inia")
    }

    pub fn inia(&self, args: &[&str]) -> Output {
        self.inia_in(self.home.path(), args)
    }

    /// `aws --endpoint-url E args...` in `dir`; with `frozen` (YYYYMMDDTHHMMSSZ) its clock
    /// stands at that second.
    pub fn aws_in(&self, dir: &Path, frozen: Option<&str>, args: &[&str]) -> Output {
        let exe = aws_cli();
        let mut cmd = match frozen {
            None => self.base(&exe, dir),
            Some(now) => {
                let python = exe.with_file_name("python");
                let mut c = self.base(&python, dir);
                c.arg(
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aws_commands/frozen_aws.py"),
                )
                .env("FROZEN_NOW", now);
                c
            }
        };
        cmd.arg("--endpoint-url").arg(&self.endpoint).args(args);
        cmd.output().expect("run aws")
    }

    pub fn aws(&self, frozen: Option<&str>, args: &[&str]) -> Output {
        self.aws_in(self.home.path(), frozen, args)
    }
}

/// stdout of a run that must succeed.
pub fn ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed ({:?}): {}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A library client for `service` on moto.
pub fn client(moto: &Moto, service: &str) -> inia::Client {
    Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .spec_dir(data())
        .credentials(Credentials::new(
            "AKIDTEST",
            "secret-test",
            None,
            None,
            "test",
        ))
        .env(inia::auth::config::Env::empty())
        .build()
        .expect("session")
        .client(service)
        .expect("client")
}

/// `X-Amz-Date` of a presigned URL.
pub fn amz_date(url: &str) -> String {
    url.split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("X-Amz-Date="))
        .expect("X-Amz-Date in the URL")
        .to_string()
}

/// A plain HTTP/1.1 GET of `url` (http only) with extra headers: status line and body.
pub fn http_get(url: &str, headers: &[(&str, &str)]) -> (String, String) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut s = std::net::TcpStream::connect(host).expect("connect");
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("send");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).expect("read");
    let all = text(&buf);
    let status = all.lines().next().unwrap_or_default().to_string();
    let body = all
        .split_once("\r\n\r\n")
        .map(|x| x.1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}

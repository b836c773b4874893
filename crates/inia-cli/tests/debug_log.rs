//! `inia --debug` logs, for every attempt of a call, the URL it resolved, the auth scheme
//! and the signing name and region (as botocore's debug log does), and never a secret:
//! against moto with an endpoint URL; an S3 bucket at a loopback URL that drops every
//! connection (so each attempt fails, is retried and is logged, with the rules' scheme);
//! an Outposts access point (signing as `s3-outposts`) sent to a loopback proxy that
//! drops every connection, so nothing leaves this machine.
//!
//! Owns checking the command line's debug log. Does not own the resolution itself
//! (crates/inia/tests/endpoints.rs, the conformance suites).

use inia_test_support::Moto;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

const SECRET: &str = "debug-secret-wJalrXUtnFEMI";
const TOKEN: &str = "debug-token-IQoJb3JpZ2lu";

/// `inia --debug args...` with test credentials (a session token too), HOME in `home`.
fn inia(home: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_inia"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "AKIDDEBUG")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().copied())
        .arg("--debug")
        .args(args)
        .output()
        .expect("run inia")
}

/// A loopback listener that accepts and drops every connection.
fn dropping_listener() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for c in l.incoming().take(100) {
            drop(c);
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// The `endpoint` lines of the log, one per attempt, as `(attempt, fields)`.
fn endpoint_lines(log: &str) -> Vec<(u32, String)> {
    log.lines()
        .filter_map(|l| {
            // The engine's `endpoint` event, whichever of its modules logs it.
            let (before, fields) = l.split_once(": endpoint ")?;
            before.contains(" inia::").then_some(())?;
            let n = before.split("attempt{attempt=").nth(1)?;
            let n = n.split('}').next()?.parse().ok()?;
            Some((n, fields.to_string()))
        })
        .collect()
}

fn assert_no_secret(out: &Output) {
    for text in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(text);
        assert!(
            !text.contains(SECRET) && !text.contains(TOKEN),
            "a secret in the output:\n{text}"
        );
    }
}

#[test]
fn each_attempt_logs_its_endpoint_and_signing_scope_without_secrets() {
    // Against moto, one attempt: the given URL, the signer, STS in the region.
    let moto = Moto::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let out = inia(
        home.path(),
        &[("AWS_DEFAULT_REGION", "eu-west-1")],
        &[
            "--endpoint-url",
            &moto.endpoint(),
            "sts",
            "get-caller-identity",
        ],
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert_eq!(
        endpoint_lines(&log),
        vec![(
            1,
            format!(
                "url={}/ auth_scheme=\"v4\" signing_name=\"sts\" signing_region=\"eu-west-1\"",
                moto.endpoint()
            )
        )],
        "{log}"
    );
    assert_no_secret(&out);

    // The rules' endpoint for an S3 bucket at a given URL that drops every connection:
    // both attempts are logged, with the rules' auth scheme and signing name.
    let dropping = dropping_listener();
    let target = home.path().join("out.csv");
    let target = target.to_str().unwrap();
    let get = |bucket: &'static str| {
        [
            "s3api",
            "get-object",
            "--bucket",
            bucket,
            "--key",
            "report.csv",
            target,
        ]
    };
    let mut args = vec!["--endpoint-url", dropping.as_str()];
    args.extend(get("mybucket"));
    let env = [
        ("AWS_DEFAULT_REGION", "us-west-2"),
        ("AWS_MAX_ATTEMPTS", "2"),
    ];
    let out = inia(home.path(), &env, &args);
    let log = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "nothing answers: {log}");
    let fields = format!(
        "url={dropping}/mybucket/report.csv auth_scheme=\"sigv4\" signing_name=\"s3\" \
         signing_region=\"us-west-2\""
    );
    let want: Vec<(u32, String)> = (1..=2).map(|n| (n, fields.clone())).collect();
    assert_eq!(endpoint_lines(&log), want, "{log}");
    assert_no_secret(&out);

    // An Outposts access point: the rules' host, their first scheme (SigV4a, region set
    // `*`), signing name `s3-outposts` (the proxy refuses, which is not retried: one
    // attempt).
    let proxy = dropping_listener();
    let env = [
        ("AWS_DEFAULT_REGION", "us-west-2"),
        ("HTTPS_PROXY", proxy.as_str()),
    ];
    let outpost = "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/reports";
    let out = inia(home.path(), &env, &get(outpost));
    let log = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "nothing answers: {log}");
    let fields = "url=https://reports-123456789012.op-01234567890123456.s3-outposts.us-west-2.amazonaws.com/report.csv \
                  auth_scheme=\"sigv4a\" signing_name=\"s3-outposts\" signing_region=\"*\"";
    assert_eq!(endpoint_lines(&log), vec![(1, fields.to_string())], "{log}");
    assert_no_secret(&out);
}

#[test]
fn a_web_identity_token_stays_out_of_the_debug_log() {
    // No keys in the environment: the chain reaches web identity, whose STS call (and the
    // GetCallerIdentity after it) are logged at debug level without the token.
    let moto = Moto::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let token_file = home.path().join("token");
    std::fs::write(&token_file, TOKEN).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_inia"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", &token_file)
        .env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/debugged")
        .args(["--debug", "sts", "get-caller-identity"])
        .output()
        .expect("run inia");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("assumed-role/debugged/"),
        "{log}"
    );
    assert!(log.contains("assumed role with web identity"), "{log}");
    assert_no_secret(&out);
}

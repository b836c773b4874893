//! The AWS CLI v2 behaviour the pinned AWS CLI 1.46.2 does not have, tested against v2's
//! documented behaviour (issue 16, item 4): `--output yaml-stream`, `--cli-binary-format`,
//! the output pager (`AWS_PAGER`, `cli_pager`, `--no-cli-pager`; only on a terminal, which
//! `script` provides), help that needs no config file, credentials or `HOME`, and the
//! `--debug` log of requests and responses. Against moto on 127.0.0.1 where a server
//! answers.
//!
//! Owns those tests. Does not own the comparisons with the AWS CLI (`parity_v2.rs`).

mod v2_support;

use inia::{json, Body, Credentials, Session};
use inia_test_support::Moto;
use std::process::Command;
use v2_support::{botocore_data, inia_exe, stand_in, Env};

fn session(moto: &Moto) -> Session {
    Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials(Credentials::new(
            v2_support::KEY,
            v2_support::SECRET,
            None,
            None,
            "test",
        ))
        .env(inia::auth::config::Env::empty())
        .build()
        .unwrap()
}

async fn bucket_with_three_objects(moto: &Moto, bucket: &str) {
    let s3 = session(moto).client("s3").unwrap();
    s3.call("CreateBucket", json!({ "Bucket": bucket }))
        .await
        .unwrap();
    for key in ["a", "b", "c"] {
        s3.call_with(
            "PutObject",
            json!({"Bucket": bucket, "Key": key}),
            Some(Body::from("x")),
        )
        .await
        .unwrap();
    }
}

/// yaml-stream: each page is a YAML list of one item, through `--query` on its own; a
/// result without pages is one such item; an empty result prints nothing.
#[tokio::test]
async fn yaml_stream_prints_each_page_as_a_list_of_one() {
    let moto = Moto::shared();
    bucket_with_three_objects(moto, "v2-yaml-stream").await;
    let env = Env::new(&moto.endpoint(), "");
    let list = [
        "s3api",
        "list-objects-v2",
        "--bucket",
        "v2-yaml-stream",
        "--output",
        "yaml-stream",
        "--page-size",
        "2",
    ];
    let keys = env.inia(&[&list[..], &["--query", "Contents[].Key"]].concat());
    assert_eq!(keys.code, Some(0), "{keys:?}");
    assert_eq!(keys.stdout, "- - a\n  - b\n- - c\n");
    let pages = env.inia(&list);
    let starts: Vec<&str> = pages
        .stdout
        .lines()
        .filter(|l| l.starts_with("- "))
        .collect();
    assert_eq!(starts.len(), 2, "{}", pages.stdout);
    assert_eq!(
        pages.stdout.matches("\n  Contents:\n").count(),
        2,
        "{}",
        pages.stdout
    );
    assert!(
        !pages.stdout.contains("ResponseMetadata"),
        "{}",
        pages.stdout
    );
    // The same through the config file's `output` key.
    let env_yaml = Env::new(&moto.endpoint(), "output = yaml-stream\n");
    let who = env_yaml.inia(&["sts", "get-caller-identity"]);
    assert!(who.stdout.starts_with("- UserId: "), "{who:?}");
    assert!(
        who.stdout.contains("\n  Account: '123456789012'\n"),
        "{who:?}"
    );
    let empty = env.inia(&[
        "s3api",
        "put-bucket-tagging",
        "--bucket",
        "v2-yaml-stream",
        "--tagging",
        "TagSet=[{Key=a,Value=b}]",
        "--output",
        "yaml-stream",
    ]);
    assert_eq!(
        (empty.code, empty.stdout.as_str()),
        (Some(0), ""),
        "{empty:?}"
    );
}

/// `--cli-binary-format base64` (and `cli_binary_format = base64`): blob text is base64,
/// decoded before sending; text that is not base64 is a usage error naming it.
#[test]
fn binary_format_base64_reads_blob_text_as_base64() {
    let (url, seen) = stand_in(
        400,
        "application/x-amz-json-1.1",
        "{\"__type\": \"StandIn\", \"message\": \"no\"}",
    );
    let data = botocore_data();
    let plaintext = |env: &Env, extra: &[&str], value: &str| {
        let mut args = vec!["--spec-path", data.as_str()];
        args.extend_from_slice(extra);
        args.extend(["kms", "encrypt", "--key-id", "k", "--plaintext", value]);
        let run = env.inia(&args);
        let sent = seen.lock().unwrap().pop().map(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap_or_default()["Plaintext"]
                .clone()
        });
        (run, sent)
    };
    let env = Env::new(&url, "");
    let (_, sent) = plaintext(&env, &[], "hello");
    assert_eq!(sent, Some(json!("aGVsbG8=")), "raw text by default");
    let (_, sent) = plaintext(&env, &["--cli-binary-format", "base64"], "aGVsbG8=");
    assert_eq!(sent, Some(json!("aGVsbG8=")), "base64 text, decoded");
    let (run, sent) = plaintext(&env, &["--cli-binary-format", "base64"], "hello!");
    assert_eq!(run.code, Some(252), "{run:?}");
    assert!(run.stderr.contains("Invalid base64: \"hello!\""), "{run:?}");
    assert_eq!(sent, None, "nothing is sent");
    let (run, _) = plaintext(&env, &["--cli-binary-format", "hex"], "x");
    assert_eq!(run.code, Some(252), "{run:?}");
    let env = Env::new(&url, "cli_binary_format = base64\n");
    let (_, sent) = plaintext(&env, &[], "aGVsbG8=");
    assert_eq!(sent, Some(json!("aGVsbG8=")));
    let (_, sent) = plaintext(&env, &["--cli-binary-format", "raw-in-base64-out"], "hi");
    assert_eq!(sent, Some(json!("aGk=")), "the option wins over the file");
}

/// `inia` under `script`, so that its stdout is a terminal; what the terminal showed.
fn on_a_terminal(env: &Env, vars: &[(&str, &str)], args: &[&str]) -> String {
    let mut inner = env.command(&inia_exe(), args);
    inner.envs(vars.iter().copied());
    let mut line = String::new();
    for (k, v) in inner.get_envs() {
        if let (k, Some(v)) = (k.to_string_lossy(), v) {
            line.push_str(&format!("{k}={} ", shell_quote(&v.to_string_lossy())));
        }
    }
    line.push_str(&shell_quote(&inia_exe().to_string_lossy()));
    for a in inner.get_args() {
        line.push(' ');
        line.push_str(&shell_quote(&a.to_string_lossy()));
    }
    let out = Command::new("script")
        .args(["-qec", &format!("env -i {line}"), "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) runs the command on a terminal");
    String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n")
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The pager: on a terminal the result goes through `AWS_PAGER` (else `cli_pager`); an
/// empty value or `--no-cli-pager` prints straight; a pipe is never paged.
#[test]
fn the_pager_runs_on_a_terminal_only() {
    let moto = Moto::shared();
    let dir = tempfile::tempdir().unwrap();
    let pager = dir.path().join("pager.sh");
    std::fs::write(&pager, "#!/bin/sh\necho '<<paged'\ncat\necho 'paged>>'\n").unwrap();
    let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
    std::fs::set_permissions(&pager, mode).unwrap();
    let pager = pager.to_str().unwrap();
    let env = Env::new(&moto.endpoint(), "");
    let who = ["sts", "get-caller-identity"];
    let paged = on_a_terminal(&env, &[("AWS_PAGER", pager)], &who);
    assert!(
        paged.starts_with("<<paged\n{\n") && paged.trim_end().ends_with("}\npaged>>"),
        "{paged:?}"
    );
    let straight = on_a_terminal(
        &env,
        &[("AWS_PAGER", pager)],
        &["--no-cli-pager", "sts", "get-caller-identity"],
    );
    assert!(
        straight.starts_with("{\n") && !straight.contains("paged"),
        "{straight:?}"
    );
    let off = on_a_terminal(&env, &[("AWS_PAGER", "")], &who);
    assert!(off.starts_with("{\n") && !off.contains("paged"), "{off:?}");
    let from_config = Env::new(&moto.endpoint(), &format!("cli_pager = {pager}\n"));
    let paged = on_a_terminal(&from_config, &[], &who);
    assert!(paged.starts_with("<<paged\n"), "{paged:?}");
    let piped = from_config.inia(&who);
    assert!(piped.stdout.starts_with("{\n"), "{piped:?}");
    let missing = on_a_terminal(&env, &[("AWS_PAGER", "/nonexistent/pager")], &who);
    assert!(
        missing.contains("Unable to redirect output to pager"),
        "{missing:?}"
    );
    let code = env
        .command(
            &inia_exe(),
            &["--no-cli-auto-prompt", "sts", "get-caller-identity"],
        )
        .output()
        .unwrap()
        .status
        .code();
    assert_eq!(code, Some(0), "--no-cli-auto-prompt is accepted");
}

/// `inia` with only `PATH` and what `vars` add.
fn bare(vars: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    Command::new(inia_exe())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(vars.iter().copied())
        .args(args)
        .output()
        .unwrap()
}

/// Help works with a malformed config file, without credentials and without `HOME`;
/// `inia help` lists the high-level commands; help of a built-in model (which carries no
/// descriptions) says how to get them, and a botocore data folder brings them.
#[test]
fn help_needs_no_config_credentials_or_home() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        "[default\nnot ini at all\n",
    )
    .unwrap();
    let h = home.path().to_str().unwrap();
    let lines: &[&[&str]] = &[
        &["help"],
        &["ec2", "help"],
        &["s3", "ls", "help"],
        &["ec2", "describe-instances", "help"],
        &["ec2", "wait", "help"],
        &["ec2", "wait", "instance-running", "help"],
        &["s3api", "get-object", "help"],
    ];
    for vars in [&[("HOME", h)][..], &[]] {
        for args in lines {
            let out = bare(vars, args);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{vars:?} {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!out.stdout.is_empty(), "{args:?}");
        }
    }
    let top = String::from_utf8_lossy(&bare(&[], &["help"]).stdout).into_owned();
    for command in ["  configure ", "  s3 ", "  sso ", "  s3api\n", "  ec2\n"] {
        assert!(top.contains(command), "{command:?} in {top}");
    }
    let op = String::from_utf8_lossy(&bare(&[], &["sts", "get-caller-identity", "help"]).stdout)
        .into_owned();
    assert!(
        op.contains("The built-in models carry no descriptions."),
        "{op}"
    );
    let data = botocore_data();
    let with_docs = bare(
        &[],
        &["--spec-path", &data, "sts", "get-caller-identity", "help"],
    );
    let text = String::from_utf8_lossy(&with_docs.stdout);
    assert!(!text.contains("carry no descriptions"), "{text}");
    assert!(text.contains("IAM"), "{text}");
    // The missing operation is still a usage error without a config file.
    let out = bare(&[("HOME", h)], &["ec2"]);
    assert_eq!(out.status.code(), Some(252));
}

/// `--debug` logs each request (method, URL, headers, body) and response (status,
/// headers, body), with the signature, the keys and tokens redacted, and no body of an
/// operation with sensitive members.
#[test]
fn debug_logs_requests_and_responses_without_secrets() {
    let moto = Moto::shared();
    let env = Env::new(&moto.endpoint(), "");
    let run = |args: &[&str]| {
        let mut cmd = env.command(&inia_exe(), args);
        cmd.env("AWS_SESSION_TOKEN", "v2-session-token-secret");
        v2_support::Run::from(cmd.output().unwrap())
    };
    let who = run(&["--debug", "sts", "get-caller-identity"]);
    assert_eq!(who.code, Some(0), "{}", who.stderr);
    let log = &who.stderr;
    let line = |what: &str| {
        log.lines()
            .find(|l| l.contains(&format!("inia::wire_log: {what} ")))
            .unwrap_or_default()
            .to_string()
    };
    let request = line("request");
    assert!(
        request.contains("method=POST")
            && request.contains(&format!("url={}/", moto.endpoint()))
            && request.contains("Credential=<redacted>/")
            && request.contains("Signature=<redacted>")
            && request.contains("x-amz-security-token: <redacted>"),
        "{request}"
    );
    assert!(
        line("request body").contains("body=Action=GetCallerIdentity&Version=2011-06-15"),
        "{log}"
    );
    assert!(line("response").contains("status=200"), "{log}");
    assert!(
        line("response body").contains("GetCallerIdentityResponse"),
        "{log}"
    );
    for secret in [
        v2_support::KEY,
        v2_support::SECRET,
        "v2-session-token-secret",
    ] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
    // An answer that carries credentials is not shown.
    let assumed = run(&[
        "--debug",
        "sts",
        "assume-role",
        "--role-arn",
        "arn:aws:iam::123456789012:role/v2-debug",
        "--role-session-name",
        "v2-debug",
    ]);
    assert_eq!(assumed.code, Some(0), "{}", assumed.stderr);
    let printed: serde_json::Value = serde_json::from_str(&assumed.stdout).unwrap();
    let issued = printed["Credentials"]["SecretAccessKey"].as_str().unwrap();
    assert!(!assumed.stderr.contains(issued), "{}", assumed.stderr);
    assert!(
        assumed
            .stderr
            .contains("not shown: the operation's output has sensitive members"),
        "{}",
        assumed.stderr
    );
}

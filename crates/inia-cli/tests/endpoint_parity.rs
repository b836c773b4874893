//! The hosts `inia` and the pinned AWS CLI v1 choose for the same commands with the same
//! settings: FIPS and dual-stack flags, access-point and Outposts ARNs as buckets, the
//! profile's `s3 =` section, STS and S3 global-endpoint settings, S3 Control's account
//! host. Both run with `--debug`, one attempt, and every connection sent to a loopback
//! "proxy" that closes each connection at once, so nothing leaves this machine; the URL
//! each would have sent is read from its debug log (botocore's `Sending http request:
//! ... url=`, inia's `endpoint url=`).
//!
//! Compared: scheme and host (inia does not yet add botocore's `encoding-type=url` to
//! S3 listings, a separate issue), and the whole URL where both send the same path.

use inia_test_support::aws_cli;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

fn inia_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_inia"))
}

/// A loopback listener that accepts and drops every connection (a proxy that refuses).
fn refusing_proxy() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for c in l.incoming().take(1000) {
            drop(c);
        }
    });
    port
}

struct Run<'a> {
    args: &'a [&'a str],
    env: &'a [(&'a str, &'a str)],
    config: &'a str,
}

fn command(program: &Path, run: &Run<'_>, home: &Path, proxy: u16) -> Command {
    std::fs::write(home.join("config"), run.config).unwrap();
    let mut cmd = Command::new(program);
    let proxy = format!("http://127.0.0.1:{proxy}");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "AKIDPARITY")
        .env("AWS_SECRET_ACCESS_KEY", "parity-secret")
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("HTTPS_PROXY", &proxy)
        .env("HTTP_PROXY", &proxy)
        .envs(run.env.iter().copied())
        .arg("--debug")
        .args(run.args);
    cmd
}

/// The URL in a debug log after `marker`, up to `,` / space / quote.
fn url_after(log: &str, marker: &str) -> Option<String> {
    let i = log.find(marker)? + marker.len();
    let rest = &log[i..];
    let end = rest.find([',', ' ', '"', '\n']).unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

fn urls(run: &Run<'_>, spec_path: &Path) -> (String, String) {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("credentials"), "").unwrap();
    let proxy = refusing_proxy();
    let theirs = command(&aws_cli(), run, home.path(), proxy)
        .output()
        .unwrap();
    let theirs_log = String::from_utf8_lossy(&theirs.stderr);
    let aws = url_after(
        &theirs_log,
        "Sending http request: <AWSPreparedRequest stream_output=",
    )
    .and_then(|_| {
        let i = theirs_log.find("Sending http request:")?;
        url_after(&theirs_log[i..], "url=")
    })
    .unwrap_or_else(|| panic!("{:?}: no URL in the AWS CLI's log:\n{theirs_log}", run.args));
    let mut ours = command(&inia_exe(), run, home.path(), proxy);
    ours.arg("--spec-path").arg(spec_path);
    let ours = ours.output().unwrap();
    let ours_log = String::from_utf8_lossy(&ours.stderr);
    let inia = url_after(&ours_log, "endpoint url=")
        .unwrap_or_else(|| panic!("{:?}: no URL in inia's log:\n{ours_log}", run.args));
    assert_ne!(
        ours.status.code(),
        Some(0),
        "{:?}: nothing should have answered",
        run.args
    );
    (aws, inia)
}

/// Arguments, environment, config file, whether the whole URL is compared.
type Row<'a> = (Vec<&'a str>, &'a [(&'a str, &'a str)], &'a str, bool);

#[test]
fn inia_and_the_aws_cli_choose_the_same_hosts() {
    let spec_path = inia_conformance::botocore::wheel_data().unwrap();
    let fips: &[(&str, &str)] = &[("AWS_USE_FIPS_ENDPOINT", "true")];
    let dual: &[(&str, &str)] = &[("AWS_USE_DUALSTACK_ENDPOINT", "true")];
    let ap = "arn:aws:s3:us-west-2:123456789012:accesspoint/myap";
    let outpost = "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/reports";
    let path_style = "[default]\ns3 =\n  addressing_style = path\n";
    let accelerate = "[default]\ns3 =\n  use_accelerate_endpoint = true\n";
    let get = |bucket: &'static str| -> Vec<&'static str> {
        vec![
            "s3api",
            "get-object",
            "--bucket",
            bucket,
            "--key",
            "k",
            "/dev/null",
        ]
    };
    let runs: Vec<Row<'_>> = vec![
        (
            vec!["--region", "us-east-1", "sts", "get-caller-identity"],
            fips,
            "",
            true,
        ),
        (
            vec!["--region", "us-east-1", "ec2", "describe-instances"],
            fips,
            "",
            true,
        ),
        (
            vec!["--region", "us-gov-west-1", "ec2", "describe-instances"],
            fips,
            "",
            true,
        ),
        (
            vec!["--region", "us-gov-west-1", "kms", "list-keys"],
            fips,
            "",
            true,
        ),
        (
            vec!["--region", "us-west-2", "ec2", "describe-instances"],
            dual,
            "",
            true,
        ),
        (
            vec!["--region", "us-west-2", "sts", "get-caller-identity"],
            &[],
            "",
            true,
        ),
        (
            vec!["--region", "us-west-2", "sts", "get-caller-identity"],
            &[("AWS_STS_REGIONAL_ENDPOINTS", "legacy")],
            "",
            true,
        ),
        (
            vec!["--region", "eu-west-1", "iam", "list-users"],
            &[],
            "",
            true,
        ),
        (
            [&["--region", "us-west-2"][..], &get(ap)].concat(),
            &[],
            "",
            true,
        ),
        (
            [&["--region", "us-west-2"][..], &get(outpost)].concat(),
            &[],
            "",
            true,
        ),
        (
            [&["--region", "us-east-1"][..], &get("mybucket")].concat(),
            dual,
            "",
            true,
        ),
        (
            [&["--region", "us-east-1"][..], &get("mybucket")].concat(),
            &[],
            "",
            true,
        ),
        (
            [&["--region", "us-west-2"][..], &get("mybucket")].concat(),
            &[],
            path_style,
            true,
        ),
        (
            [&["--region", "us-west-2"][..], &get("mybucket")].concat(),
            &[],
            accelerate,
            true,
        ),
        (
            [&["--region", "us-west-2"][..], &get("my.dotted.bucket")].concat(),
            &[],
            "",
            true,
        ),
        (
            vec![
                "--region",
                "eu-central-1",
                "s3api",
                "list-objects-v2",
                "--bucket",
                "mybucket",
            ],
            &[],
            "",
            false,
        ),
        (
            vec![
                "--region",
                "us-west-2",
                "s3control",
                "get-public-access-block",
                "--account-id",
                "123456789012",
            ],
            &[],
            "",
            true,
        ),
        (
            vec!["--region", "us-west-2", "dynamodb", "list-tables"],
            fips,
            "",
            true,
        ),
    ];
    let mut differ = Vec::new();
    for (args, env, config, whole) in &runs {
        let run = Run { args, env, config };
        let (aws, inia) = urls(&run, &spec_path);
        let same = if *whole {
            aws == inia
        } else {
            host(&aws) == host(&inia)
        };
        if !same {
            differ.push(format!(
                "{args:?} {env:?} {config:?}: AWS CLI {aws}, inia {inia}"
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} differ:\n{}",
        differ.len(),
        runs.len(),
        differ.join("\n")
    );
}

//! Parity with the AWS CLI for issue 16's v2 behaviour, where the pinned AWS CLI 1.46.2
//! behaves as v2 does: both programs run with one environment against the same server and
//! are compared on the exit code (v1's argparse 2 and 255 for bad arguments read as v2's
//! 252), stdout, and the error line. Where a request is what matters (the `run-instances`
//! arguments, blob text), both send to a recording stand-in and their requests are
//! compared. Behaviour only v2 has (yaml-stream, the pager, `--cli-binary-format`,
//! `--no-cli-pager`) is tested against v2's documented behaviour in `cli_v2.rs`.
//!
//! Owns those comparisons. Does not own the read-command parity table (`parity.rs`).

mod v2_support;

use inia::{json, Body, Credentials, Session};
use inia_test_support::Moto;
use v2_support::{botocore_data, stand_in, Env, Run};

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

/// The error text after the program's own prefix (`aws: error: `, `inia: error: `).
fn reason(line: &str) -> &str {
    line.split_once("error: ").map_or(line, |(_, r)| r)
}

/// Both programs' exit codes (v1's read as v2's), stdout and error lines must agree.
fn same_failure(env: &Env, args: &[&str], needle: &str) -> Vec<String> {
    let aws = env.aws(args);
    let inia = env.inia(args);
    let mut diffs = Vec::new();
    if aws.v2_code(true) != inia.code {
        diffs.push(format!(
            "{args:?}: exit AWS CLI {:?} (v2 {:?}) / inia {:?}\n{}\n{}",
            aws.code,
            aws.v2_code(true),
            inia.code,
            aws.stderr,
            inia.stderr
        ));
    }
    if aws.stdout != inia.stdout {
        diffs.push(format!(
            "{args:?}: stdout {:?} / {:?}",
            aws.stdout, inia.stdout
        ));
    }
    let (a, i) = (aws.line_with(needle), inia.line_with(needle));
    if a.is_empty() || reason(&a) != reason(&i) {
        diffs.push(format!("{args:?}: error line {a:?} / {i:?}"));
    }
    diffs
}

/// Booleans are bare flags: a word after one is an unknown option (v1 and v2 alike; v2
/// exits 252), and unknown words are named together.
#[test]
fn a_word_after_a_boolean_flag_is_an_unknown_option() {
    let moto = Moto::shared();
    let env = Env::new(&moto.endpoint(), "cli_timestamp_format = iso8601\n");
    let mut diffs = Vec::new();
    for args in [
        &["ec2", "describe-key-pairs", "--dry-run", "true"][..],
        &["ec2", "describe-key-pairs", "--no-dry-run", "false"],
        &["ec2", "describe-key-pairs", "--bogus", "x"],
        &["sqs", "list-queues", "--queue-name-prefix", "a", "extra"],
    ] {
        diffs.extend(same_failure(&env, args, "Unknown options"));
    }
    // The bare forms run, and print the same.
    for args in [
        &["ec2", "describe-key-pairs", "--no-dry-run"][..],
        &["ec2", "describe-regions", "--all-regions"],
    ] {
        let (aws, inia) = (env.aws(args), env.inia(args));
        if (aws.code, &aws.stdout) != (inia.code, &inia.stdout) {
            diffs.push(format!("{args:?}:\n{aws:?}\n{inia:?}"));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// `inia ec2` is a usage error naming the missing operation (v2: 252; v1's argparse: 2),
/// and inia lists the operations.
#[test]
fn a_service_without_an_operation_is_a_usage_error() {
    let env = Env::new("http://127.0.0.1:9", "");
    let diffs = same_failure(&env, &["ec2"], "the following arguments are required");
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    let inia = env.inia(&["sts"]);
    assert_eq!(inia.code, Some(252), "{}", inia.stderr);
    assert!(
        inia.stderr.contains("get-caller-identity") && inia.stderr.contains("usage: inia"),
        "{}",
        inia.stderr
    );
}

/// An EC2 error whose message spans lines, answered by the stand-in to every request.
const EC2_ERROR: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>StandIn</Code><Message>first line\nsecond line</Message></Error></Errors><RequestID>r-1</RequestID></Response>";

/// `ec2 run-instances` with the AWS CLI's own arguments: the requests both programs send
/// are the same, and the service's two-line message is printed as received.
#[test]
fn run_instances_arguments_send_what_the_aws_cli_sends() {
    let (url, seen) = stand_in(400, "text/xml", EC2_ERROR);
    let env = Env::new(&url, "");
    let base = ["ec2", "run-instances", "--image-id", "ami-1"];
    let cases: &[&[&str]] = &[
        &[],
        &["--count", "2"],
        &["--count", "1:3"],
        &[
            "--secondary-private-ip-addresses",
            "10.0.0.5",
            "10.0.0.6",
            "--subnet-id",
            "subnet-1",
            "--security-group-ids",
            "sg-1",
            "sg-2",
        ],
        &[
            "--secondary-private-ip-address-count",
            "2",
            "--associate-public-ip-address",
            "--private-ip-address",
            "10.0.0.4",
            "--ipv6-address-count",
            "1",
        ],
        &[
            "--no-associate-public-ip-address",
            "--subnet-id",
            "subnet-1",
        ],
        &["--cli-input-json", r#"{"MinCount": 2, "MaxCount": 4}"#],
        &["--count", "3", "--cli-input-json", r#"{"MinCount": 5}"#],
        &[
            "--network-interfaces",
            "DeviceIndex=0,SubnetId=subnet-9",
            "--count",
            "2",
        ],
    ];
    let mut diffs = Vec::new();
    for extra in cases {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        let aws = env.aws(&args);
        let aws_request = seen.lock().unwrap().pop();
        let inia = env.inia(&args);
        let inia_request = seen.lock().unwrap().pop();
        let (Some(a), Some(i)) = (aws_request, inia_request) else {
            diffs.push(format!("{extra:?}: no request\n{aws:?}\n{inia:?}"));
            continue;
        };
        if a.form() != i.form() {
            diffs.push(format!(
                "{extra:?}: requests differ\n  AWS CLI {:?}\n  inia    {:?}",
                a.form(),
                i.form()
            ));
        }
        // A service error: v1 exits 255, v2 254.
        let aws_code = aws.code.map(|c| if c == 255 { 254 } else { c });
        if (aws_code, aws.stderr.trim()) != (inia.code, inia.stderr.trim()) {
            diffs.push(format!("{extra:?}:\n{aws:?}\n{inia:?}"));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    let inia = env.inia(&base);
    assert!(
        inia.stderr.ends_with(": first line\nsecond line\n"),
        "the message is printed as received: {:?}",
        inia.stderr
    );
}

/// Bad `run-instances` arguments: the AWS CLI's messages. (Both versions of the AWS CLI
/// exit 255 here, their ValueError; inia's usage errors exit 252, see docs/cli.md.)
#[test]
fn bad_run_instances_arguments_are_named() {
    let (url, seen) = stand_in(400, "text/xml", EC2_ERROR);
    let env = Env::new(&url, "");
    for (extra, message) in [
        (
            &["--count", "x"][..],
            "count parameter should be of form min[:max] (e.g. 1 or 1:10)",
        ),
        (
            &[
                "--network-interfaces",
                "DeviceIndex=0",
                "--associate-public-ip-address",
            ],
            "Mixing the --network-interfaces option with the simple, scalar options is not supported.",
        ),
    ] {
        let args: Vec<&str> = ["ec2", "run-instances", "--image-id", "ami-1"]
            .iter()
            .chain(extra)
            .copied()
            .collect();
        let (aws, inia): (Run, Run) = (env.aws(&args), env.inia(&args));
        assert_eq!(aws.code, Some(255), "{aws:?}");
        assert_eq!(inia.code, Some(252), "{inia:?}");
        assert!(aws.stderr.contains(message), "{aws:?}");
        assert!(inia.stderr.contains(message), "{inia:?}");
    }
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent");
}

/// `cli_timestamp_format = none` (and `wire`): timestamps exactly as the server sent
/// them, byte for byte what the AWS CLI v1 prints (XML text, an HTTP-date header, JSON
/// epoch numbers).
#[tokio::test]
async fn wire_timestamps_are_the_servers_text() {
    let moto = Moto::start(&[]);
    let s = session(&moto);
    s.client("iam")
        .unwrap()
        .call("CreateUser", json!({"UserName": "v2-wire"}))
        .await
        .unwrap();
    let s3 = s.client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": "v2-wire"}))
        .await
        .unwrap();
    s3.call_with(
        "PutObject",
        json!({"Bucket": "v2-wire", "Key": "k"}),
        Some(Body::from("body")),
    )
    .await
    .unwrap();
    s.client("dynamodb")
        .unwrap()
        .call(
            "CreateTable",
            json!({
                "TableName": "v2-wire",
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST"
            }),
        )
        .await
        .unwrap();
    let commands: &[&[&str]] = &[
        &["iam", "list-users"],
        &["s3api", "list-objects-v2", "--bucket", "v2-wire"],
        &["s3api", "head-object", "--bucket", "v2-wire", "--key", "k"],
        &["dynamodb", "describe-table", "--table-name", "v2-wire"],
    ];
    let mut diffs = Vec::new();
    for format in ["none", "wire"] {
        let env = Env::new(
            &moto.endpoint(),
            &format!("cli_timestamp_format = {format}\n"),
        );
        for args in commands {
            let (aws, inia) = (env.aws(args), env.inia(args));
            if aws.code != Some(0) || (aws.code, &aws.stdout) != (inia.code, &inia.stdout) {
                diffs.push(format!("{format} {args:?}:\n{aws:?}\n{inia:?}"));
            }
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// Blob text is the bytes (raw-in-base64-out, the AWS CLI v1's only behaviour and inia's
/// default): `kms encrypt --plaintext` sends what the AWS CLI sends, as text, as
/// `fileb://` bytes, and nested in a structure (`sqs send-message` attributes).
#[test]
fn blob_text_is_sent_as_the_aws_cli_sends_it() {
    let (url, seen) = stand_in(
        400,
        "application/x-amz-json-1.1",
        "{\"__type\": \"StandIn\", \"message\": \"no\"}",
    );
    let env = Env::new(&url, "");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bytes.bin");
    std::fs::write(&file, [0u8, 1, 2, 255, b'\n']).unwrap();
    let fileb = format!("fileb://{}", file.display());
    let data = botocore_data();
    let cases: Vec<Vec<&str>> = vec![
        vec!["kms", "encrypt", "--key-id", "k", "--plaintext", "hello"],
        vec!["kms", "encrypt", "--key-id", "k", "--plaintext", &fileb],
        vec![
            "kms",
            "encrypt",
            "--key-id",
            "k",
            "--plaintext",
            "x",
            "--encryption-context",
            "a=b",
        ],
    ];
    let mut diffs = Vec::new();
    for args in &cases {
        let aws = env.aws(args);
        let aws_request = seen.lock().unwrap().pop();
        let mut with_data = vec!["--spec-path", data.as_str()];
        with_data.extend(args.iter().copied());
        let inia = env.inia(&with_data);
        let inia_request = seen.lock().unwrap().pop();
        let body = |r: Option<v2_support::Request>| {
            r.map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).unwrap_or_default())
        };
        let (a, i) = (body(aws_request), body(inia_request));
        if a.is_none() || a != i {
            diffs.push(format!(
                "{args:?}: AWS CLI {a:?} / inia {i:?}\n{aws:?}\n{inia:?}"
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// `s3api select-object-content ... OUTFILE`: the records go to the file, nothing is
/// printed, as the AWS CLI does it.
#[tokio::test]
async fn select_object_content_writes_the_records_to_the_outfile() {
    let moto = Moto::shared();
    let s3 = session(moto).client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": "v2-select"}))
        .await
        .unwrap();
    s3.call_with(
        "PutObject",
        json!({"Bucket": "v2-select", "Key": "people.csv"}),
        Some(Body::from("name,age\nalice,31\nbob,42\n")),
    )
    .await
    .unwrap();
    let env = Env::new(&moto.endpoint(), "");
    let dir = tempfile::tempdir().unwrap();
    let run = |program: &str, out: &str| {
        let path = dir.path().join(out);
        let path = path.to_str().unwrap().to_string();
        let args = [
            "s3api",
            "select-object-content",
            "--bucket",
            "v2-select",
            "--key",
            "people.csv",
            "--expression",
            "SELECT * FROM S3Object",
            "--expression-type",
            "SQL",
            "--input-serialization",
            r#"{"CSV": {}}"#,
            "--output-serialization",
            r#"{"CSV": {}}"#,
            &path,
        ];
        let r = if program == "aws" {
            env.aws(&args)
        } else {
            env.inia(&args)
        };
        (r.code, r.stdout, std::fs::read_to_string(&path).ok())
    };
    let aws = run("aws", "aws.csv");
    let inia = run("inia", "inia.csv");
    assert_eq!(aws.0, Some(0), "{aws:?}");
    assert!(
        aws.2.as_deref().is_some_and(|t| t.contains("alice")),
        "{aws:?}"
    );
    assert_eq!(aws, inia);
}

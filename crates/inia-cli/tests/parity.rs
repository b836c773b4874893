//! Parity with the AWS CLI: read commands run by `inia` and by the pinned AWS CLI v1
//! (`.cache/awscli-venv`, installed by `cargo xtask test`) against the same moto state, with
//! the same environment, must print the same JSON, and the same text byte for byte.
//!
//! The AWS CLI runs with `cli_timestamp_format = iso8601` (the v2 default, which inia
//! follows) and `TZ=UTC` (v1 prints epoch-number timestamps in the local zone; inia always
//! prints UTC).
//!
//! Owns the comparison with the AWS CLI. Does not own the command line's own end-to-end
//! tests (`cli.rs`) or paging semantics beyond comparing what both print.
//!
//! The read-only tests share one moto (`Moto::shared`), seeded once; the test that writes
//! starts its own, so that nothing changes between the AWS CLI's read and inia's.

use inia::{json, Body, Credentials, Session, Value};
use inia_test_support::{aws_cli, Moto};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One environment for both programs: test credentials, an empty HOME, config and
/// credentials files of our own, UTC, no instance metadata, no profile.
struct Env {
    home: tempfile::TempDir,
    endpoint: String,
}

impl Env {
    fn new(moto: &Moto) -> Env {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join("config"),
            "[default]\ncli_timestamp_format = iso8601\n",
        )
        .unwrap();
        std::fs::write(home.path().join("credentials"), "").unwrap();
        Env {
            home,
            endpoint: moto.endpoint(),
        }
    }

    fn command(&self, program: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("AWS_ACCESS_KEY_ID", "AKIDPARITY")
            .env("AWS_SECRET_ACCESS_KEY", "parity-secret")
            .env("AWS_CONFIG_FILE", self.home.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home.path().join("credentials"),
            )
            .env("TZ", "UTC")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .args(["--endpoint-url", &self.endpoint])
            .args(["--region", "us-east-1", "--output", "json"])
            .args(args);
        cmd
    }

    /// stdout of a successful run, or why it failed.
    fn try_stdout(&self, program: &Path, args: &[&str]) -> Result<String, String> {
        let out = self.command(program, args).output().unwrap();
        if !out.status.success() {
            return Err(format!(
                "{} {args:?} failed ({:?}): {}",
                program.display(),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8(out.stdout).unwrap())
    }

    fn stdout(&self, program: &Path, args: &[&str]) -> String {
        self.try_stdout(program, args)
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

fn inia_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_inia"))
}

fn parse(who: &str, args: &[&str], text: &str) -> Value {
    if text.trim().is_empty() {
        return Value::Null;
    }
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{who} {args:?}: not JSON ({e}):\n{text}"))
}

/// Where two values differ, one line per difference, with its path.
fn differences(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => differences(&format!("{path}.{k}"), v, w, out),
                    None => out.push(format!("{path}.{k}: only in the AWS CLI's: {v}")),
                }
            }
            for (k, w) in y {
                if !x.contains_key(k) {
                    out.push(format!("{path}.{k}: only in inia's: {w}"));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(&format!("{path}[{i}]"), v, w, out);
            }
        }
        _ if a != b => out.push(format!("{path}: AWS CLI {a} / inia {b}")),
        _ => {}
    }
}

/// Run `args` with both programs; the differences found (empty when they agree), and
/// whether the texts are byte-identical.
fn compare(env: &Env, args: &[&str]) -> (Vec<String>, bool) {
    let aws_text = env.stdout(&aws_cli(), args);
    let inia_text = match env.try_stdout(&inia_exe(), args) {
        Ok(text) => text,
        Err(e) => return (vec![format!("== {}\n{e}", args.join(" "))], false),
    };
    let aws = parse("aws", args, &aws_text);
    let inia = parse("inia", args, &inia_text);
    assert!(
        aws != Value::Null,
        "the AWS CLI printed nothing for {args:?}: the case compares nothing"
    );
    let mut diffs = Vec::new();
    differences("", &aws, &inia, &mut diffs);
    if !diffs.is_empty() {
        diffs.insert(0, format!("== {}", args.join(" ")));
        diffs.push(format!("-- AWS CLI:\n{aws_text}-- inia:\n{inia_text}"));
    }
    let same_text = aws_text == inia_text;
    if diffs.is_empty() && !same_text {
        diffs.push(format!(
            "== {}: same JSON, different text\n-- AWS CLI:\n{aws_text}-- inia:\n{inia_text}",
            args.join(" ")
        ));
    }
    (diffs, same_text)
}

fn session(moto: &Moto) -> Session {
    Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials(Credentials::new(
            "AKIDPARITY",
            "parity-secret",
            None,
            None,
            "test",
        ))
        .env(inia::auth::config::Env::empty())
        .build()
        .unwrap()
}

const BUCKET: &str = "parity-bucket";

/// The moto shared by the tests that only read, seeded once. The one test that writes
/// (`wire_timestamps_name_the_same_instant`) has a moto of its own, so that nothing changes
/// between the AWS CLI's read and inia's.
async fn seeded() -> &'static Moto {
    static SEEDED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    let moto = Moto::shared();
    SEEDED
        .get_or_init(|| async { seed(&session(moto)).await })
        .await;
    moto
}

/// Something to list in every service the commands read.
async fn seed(s: &Session) {
    let ec2 = s.client("ec2").unwrap();
    for name in ["parity-a", "parity-b"] {
        ec2.call("CreateKeyPair", json!({"KeyName": name}))
            .await
            .unwrap();
    }
    let vpc = ec2
        .call("CreateVpc", json!({"CidrBlock": "10.42.0.0/16"}))
        .await
        .unwrap();
    let vpc_id = vpc["Vpc"]["VpcId"].as_str().unwrap().to_string();
    ec2.call(
        "CreateSecurityGroup",
        json!({"GroupName": "parity-sg", "Description": "parity group", "VpcId": vpc_id}),
    )
    .await
    .unwrap();

    let s3 = s.client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": BUCKET}))
        .await
        .unwrap();
    for (key, body) in [
        ("a.txt", "alpha"),
        ("dir/b.txt", "bravo bravo"),
        ("with space.txt", "a key with a space"),
        ("z.bin", "zulu"),
    ] {
        s3.call_with(
            "PutObject",
            json!({"Bucket": BUCKET, "Key": key, "ContentType": "text/plain"}),
            Some(Body::from(body)),
        )
        .await
        .unwrap();
    }

    let iam = s.client("iam").unwrap();
    for name in ["parity-alice", "parity-bob"] {
        iam.call("CreateUser", json!({"UserName": name}))
            .await
            .unwrap();
    }
    let sns = s.client("sns").unwrap();
    for name in ["parity-topic-1", "parity-topic-2"] {
        sns.call("CreateTopic", json!({"Name": name}))
            .await
            .unwrap();
    }
    let sqs = s.client("sqs").unwrap();
    for name in ["parity-queue-1", "parity-queue-2"] {
        sqs.call("CreateQueue", json!({"QueueName": name}))
            .await
            .unwrap();
    }
    let ddb = s.client("dynamodb").unwrap();
    for name in ["parity-table-1", "parity-table-2"] {
        ddb.call(
            "CreateTable",
            json!({
                "TableName": name,
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST"
            }),
        )
        .await
        .unwrap();
    }
}

/// The read commands of issue 5, plus a few that print timestamps of every wire form
/// (ISO 8601 in XML and query, an HTTP-date header, epoch numbers in JSON).
const COMMANDS: &[&[&str]] = &[
    &["sts", "get-caller-identity"],
    &["ec2", "describe-key-pairs"],
    &["ec2", "describe-regions"],
    &["ec2", "describe-availability-zones"],
    &["ec2", "describe-vpcs"],
    &["ec2", "describe-security-groups"],
    &["s3api", "list-objects-v2", "--bucket", BUCKET],
    &[
        "s3api",
        "head-object",
        "--bucket",
        BUCKET,
        "--key",
        "with space.txt",
    ],
    &["s3api", "get-bucket-acl", "--bucket", BUCKET],
    &["iam", "list-users"],
    &["sns", "list-topics"],
    &["sqs", "list-queues"],
    &["dynamodb", "list-tables"],
    &[
        "dynamodb",
        "describe-table",
        "--table-name",
        "parity-table-1",
    ],
    &[
        "ec2",
        "describe-vpcs",
        "--query",
        "Vpcs[?CidrBlock=='10.42.0.0/16'].{Id: VpcId, Cidr: CidrBlock}",
    ],
];

#[tokio::test]
async fn read_commands_print_what_the_aws_cli_prints() {
    let moto = seeded().await;
    let env = Env::new(moto);
    let mut failures = Vec::new();
    let mut identical = 0;
    for args in COMMANDS {
        let (diffs, same_text) = compare(&env, args);
        identical += usize::from(same_text);
        failures.extend(diffs);
    }
    assert!(
        failures.is_empty(),
        "inia and the AWS CLI differ:\n{}",
        failures.join("\n")
    );
    assert_eq!(identical, COMMANDS.len());
}

/// Paging as the AWS CLI pages: every page joined, with botocore's key order (result keys,
/// then the non-aggregate keys, `null` when absent).
#[tokio::test]
async fn paged_commands_print_what_the_aws_cli_prints() {
    let moto = seeded().await;
    let env = Env::new(moto);
    let mut failures = Vec::new();
    for args in [
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            BUCKET,
            "--page-size",
            "1",
        ][..],
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            BUCKET,
            "--prefix",
            "dir/",
        ],
        &["iam", "list-users", "--page-size", "1"],
    ] {
        failures.extend(compare(&env, args).0);
    }
    assert!(
        failures.is_empty(),
        "inia and the AWS CLI differ:\n{}",
        failures.join("\n")
    );
}

/// `--max-items` as the AWS CLI does it: exactly that many items, the `NextToken` botocore
/// prints (base64 JSON with `boto_truncate_amount` when it stopped inside a page), and
/// resuming from the AWS CLI's own token.
#[tokio::test]
async fn max_items_and_tokens_match_the_aws_cli() {
    let moto = seeded().await;
    let env = Env::new(moto);
    let mut failures = Vec::new();
    let list: &[&str] = &["s3api", "list-objects-v2", "--bucket", BUCKET];
    let cases: Vec<Vec<&str>> = vec![
        [list, &["--max-items", "2"]].concat(),
        [list, &["--max-items", "3", "--page-size", "2"]].concat(),
        vec!["iam", "list-users", "--max-items", "1"],
    ];
    for args in &cases {
        failures.extend(compare(&env, args).0);
    }
    for args in &cases[1..] {
        let first = parse("aws", args, &env.stdout(&aws_cli(), args));
        let token = first["NextToken"].as_str().unwrap_or_default().to_string();
        assert!(!token.is_empty(), "no NextToken for {args:?}: {first}");
        let resumed = [args.as_slice(), &["--starting-token", &token]].concat();
        failures.extend(compare(&env, &resumed).0);
    }
    assert!(
        failures.is_empty(),
        "inia and the AWS CLI differ:\n{}",
        failures.join("\n")
    );
}

/// `cli_timestamp_format = wire`: inia prints its engine's RFC 3339 text (it has no access
/// to the server's own text), naming the same instant the AWS CLI prints in ISO 8601.
#[tokio::test]
async fn wire_timestamps_name_the_same_instant() {
    let moto = Moto::start(&[]);
    let iam = session(&moto).client("iam").unwrap();
    iam.call("CreateUser", json!({"UserName": "parity-wire"}))
        .await
        .unwrap();
    let env = Env::new(&moto);
    let args = ["iam", "list-users", "--query", "Users[0].CreateDate"];
    let iso = parse("aws", &args, &env.stdout(&aws_cli(), &args));
    std::fs::write(
        env.home.path().join("config"),
        "[default]\ncli_timestamp_format = wire\n",
    )
    .unwrap();
    let wire = parse("inia", &args, &env.stdout(&inia_exe(), &args));
    let (iso, wire) = (iso.as_str().unwrap(), wire.as_str().unwrap());
    assert!(wire.ends_with('Z') && !wire.contains("+00:00"), "{wire}");
    // 2026-11-23T21:34:26.407610+00:00 and moto's text 2026-11-23T21:34:26.40761Z (or
    // with the zero): the same digits, without the fraction's trailing zeros.
    let digits = |t: &str| {
        let t = t.trim_end_matches("+00:00").trim_end_matches('Z');
        match t.contains('.') {
            true => t.trim_end_matches('0').trim_end_matches('.').to_string(),
            false => t.to_string(),
        }
    };
    assert_eq!(digits(iso), digits(wire), "{iso} / {wire}");

    std::fs::write(
        env.home.path().join("config"),
        "[default]\ncli_timestamp_format = epoch\n",
    )
    .unwrap();
    let out = env.command(&inia_exe(), &args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(253),
        "an unknown format is a config error"
    );
}

/// `--output text` of paged listings: printed page by page, each page through `--query`
/// on its own, then the `NextToken`, byte for byte as the AWS CLI prints them (including
/// its `None` lines for absent values).
#[tokio::test]
async fn text_output_of_paged_listings_matches_the_aws_cli() {
    let moto = seeded().await;
    let env = Env::new(moto);
    let list: &[&str] = &[
        "s3api",
        "list-objects-v2",
        "--bucket",
        BUCKET,
        "--output",
        "text",
    ];
    let cases: Vec<Vec<&str>> = vec![
        [list, &["--page-size", "1"]].concat(),
        [list, &["--page-size", "2", "--query", "Contents[].Key"]].concat(),
        [list, &["--max-items", "3", "--page-size", "2"]].concat(),
        [
            list,
            &[
                "--max-items",
                "3",
                "--page-size",
                "2",
                "--query",
                "Contents[].Key",
            ],
        ]
        .concat(),
        [list, &["--delimiter", "/", "--page-size", "1"]].concat(),
        vec!["iam", "list-users", "--page-size", "1", "--output", "text"],
    ];
    let mut failures = Vec::new();
    for args in &cases {
        let aws = env.stdout(&aws_cli(), args);
        let inia = env.stdout(&inia_exe(), args);
        if aws != inia {
            failures.push(format!("{args:?}:\n--- aws\n{aws}--- inia\n{inia}"));
        }
    }
    assert!(
        failures.is_empty(),
        "inia and the AWS CLI print different text:\n{}",
        failures.join("\n")
    );
}

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
            .env("AWS_EC2_METADATA_DISABLED", "true");
        // A service inia does not embed comes from botocore's data folder (the AWS CLI
        // ignores the variable).
        let embedded = inia::model::SpecPath::embedded_only().services();
        if args.first().is_some_and(|s| !embedded.contains(*s)) {
            cmd.env("INIA_SPEC_PATH", botocore_data());
        }
        cmd.args(["--endpoint-url", &self.endpoint])
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

/// botocore's `data/` folder (fetched by the test pipeline), for the services inia does
/// not embed.
fn botocore_data() -> PathBuf {
    inia_conformance::botocore::wheel_data().expect("botocore data folder")
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

/// As [`session`], with botocore's models (Glacier, CloudFormation).
fn data_session(moto: &Moto) -> Session {
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
        .spec_dir(botocore_data())
        .build()
        .unwrap()
}

const BUCKET: &str = "parity-bucket";
/// Keys that need URL encoding in a listing (botocore asks for `EncodingType=url`).
const KEYS_BUCKET: &str = "parity-keys";
/// A bucket outside us-east-1 (its `LocationConstraint`), with an object that expires.
const EU_BUCKET: &str = "parity-eu";
const ROLE: &str = "parity-role";
const POLICY_ARN: &str = "arn:aws:iam::123456789012:policy/parity-policy";
const VAULT: &str = "parity-vault";
const STACK: &str = "parity-stack";

/// The moto shared by the tests that only read, seeded once. The one test that writes
/// (`wire_timestamps_name_the_same_instant`) has a moto of its own, so that nothing changes
/// between the AWS CLI's read and inia's.
async fn seeded() -> &'static Moto {
    static SEEDED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    let moto = Moto::shared();
    SEEDED
        .get_or_init(|| async {
            seed(&session(moto)).await;
            seed_handlers(&data_session(moto)).await;
        })
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

/// What botocore's handlers change in the answers of the commands that read it: IAM
/// policy documents (their text needs URL encoding), keys that need URL encoding, a
/// bucket outside us-east-1 and an object with `Expires`, a Glacier vault, a stack with
/// a JSON template.
async fn seed_handlers(s: &Session) {
    let iam = s.client("iam").unwrap();
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringLike": {"aws:UserAgent": "a b+c&d=é%41"}}}]});
    iam.call(
        "CreateRole",
        json!({"RoleName": ROLE, "AssumeRolePolicyDocument": trust.to_string()}),
    )
    .await
    .unwrap();
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::parity-keys/a b+c é*"}]});
    iam.call(
        "PutRolePolicy",
        json!({"RoleName": ROLE, "PolicyName": "parity-inline", "PolicyDocument": policy.to_string()}),
    )
    .await
    .unwrap();
    iam.call(
        "CreatePolicy",
        json!({"PolicyName": "parity-policy", "PolicyDocument": policy.to_string()}),
    )
    .await
    .unwrap();

    let s3 = s.client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": KEYS_BUCKET}))
        .await
        .unwrap();
    for key in [
        "a b.txt",
        "é/ü+x.txt",
        "x+y",
        "p%41q",
        "dir/sub key",
        "tab\tkey",
    ] {
        s3.call_with(
            "PutObject",
            json!({"Bucket": KEYS_BUCKET, "Key": key}),
            Some(Body::from("k")),
        )
        .await
        .unwrap();
    }
    s3.call(
        "CreateBucket",
        json!({"Bucket": EU_BUCKET,
               "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}}),
    )
    .await
    .unwrap();
    s3.call_with(
        "PutObject",
        json!({"Bucket": EU_BUCKET, "Key": "expires.txt", "Expires": "2030-01-02T03:04:05Z"}),
        Some(Body::from("e")),
    )
    .await
    .unwrap();

    let glacier = s.client("glacier").unwrap();
    glacier
        .call("CreateVault", json!({"vaultName": VAULT}))
        .await
        .unwrap();
    let cfn = s.client("cloudformation").unwrap();
    let template = r#"{"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {"Zulu": {"Value": "z"}, "Alpha": {"Value": "a é"}}}"#;
    cfn.call(
        "CreateStack",
        json!({"StackName": STACK, "TemplateBody": template}),
    )
    .await
    .unwrap();
}

/// The read commands of issue 5, plus a few that print timestamps of every wire form
/// (ISO 8601 in XML and query, an HTTP-date header, epoch numbers in JSON), and those
/// whose answers botocore's handlers change (issue 16).
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
    // IAM policy documents, decoded into objects.
    &["iam", "get-role", "--role-name", ROLE],
    &["iam", "list-roles"],
    &[
        "iam",
        "get-role-policy",
        "--role-name",
        ROLE,
        "--policy-name",
        "parity-inline",
    ],
    &[
        "iam",
        "get-policy-version",
        "--policy-arn",
        POLICY_ARN,
        "--version-id",
        "v1",
    ],
    &["iam", "list-policy-versions", "--policy-arn", POLICY_ARN],
    &["iam", "get-account-authorization-details"],
    // GetBucketLocation: null in us-east-1.
    &["s3api", "get-bucket-location", "--bucket", BUCKET],
    &["s3api", "get-bucket-location", "--bucket", EU_BUCKET],
    // `Expires` and `ExpiresString`.
    &[
        "s3api",
        "head-object",
        "--bucket",
        EU_BUCKET,
        "--key",
        "expires.txt",
    ],
    &[
        "s3api",
        "get-object",
        "--bucket",
        EU_BUCKET,
        "--key",
        "expires.txt",
        "/dev/null",
    ],
    // Listings with `EncodingType=url` asked for and decoded, or asked for by the caller.
    &[
        "s3api",
        "list-objects",
        "--bucket",
        KEYS_BUCKET,
        "--no-paginate",
    ],
    &[
        "s3api",
        "list-objects",
        "--bucket",
        KEYS_BUCKET,
        "--page-size",
        "2",
    ],
    &[
        "s3api",
        "list-objects-v2",
        "--bucket",
        KEYS_BUCKET,
        "--no-paginate",
    ],
    &["s3api", "list-objects-v2", "--bucket", KEYS_BUCKET],
    &[
        "s3api",
        "list-objects-v2",
        "--bucket",
        KEYS_BUCKET,
        "--delimiter",
        "/",
        "--prefix",
        "é/",
        "--no-paginate",
    ],
    &[
        "s3api",
        "list-objects-v2",
        "--bucket",
        KEYS_BUCKET,
        "--start-after",
        "a b.txt",
        "--no-paginate",
    ],
    &[
        "s3api",
        "list-objects-v2",
        "--bucket",
        KEYS_BUCKET,
        "--encoding-type",
        "url",
        "--no-paginate",
    ],
    &[
        "s3api",
        "list-object-versions",
        "--bucket",
        KEYS_BUCKET,
        "--no-paginate",
    ],
    &["s3api", "list-object-versions", "--bucket", KEYS_BUCKET],
    // Glacier (the CLI requires `--account-id`; the library defaults it) and
    // CloudFormation's JSON template, parsed.
    &["glacier", "list-vaults", "--account-id", "-"],
    &[
        "glacier",
        "describe-vault",
        "--account-id",
        "-",
        "--vault-name",
        VAULT,
    ],
    &["cloudformation", "get-template", "--stack-name", STACK],
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

/// Calls that change state, each program making its own in a moto of this test's: user
/// data sent base64 (each instance's `userData` attribute reads the same), the console
/// output decoded, a Glacier upload with botocore's checksums, EC2 and RDS cross-region
/// copies (their presigned URLs are compared with botocore's in
/// `tests/conformance/tests/botocore_handlers.rs`).
#[tokio::test]
async fn handler_writes_match_the_aws_cli() {
    let moto = Moto::start(&[]);
    let env = Env::new(&moto);
    let user_data = "#!/bin/sh\necho héllo +x/y";
    let launch = |program: &Path, count: &[&str]| {
        let mut args = vec![
            "ec2",
            "run-instances",
            "--image-id",
            "ami-12c6146b",
            "--user-data",
            user_data,
            "--query",
            "Instances[0].InstanceId",
        ];
        args.extend_from_slice(count);
        let out = parse("launch", &args, &env.stdout(program, &args));
        out.as_str().unwrap().to_string()
    };
    // Both replace --min-count and --max-count with --count.
    let theirs = launch(&aws_cli(), &["--count", "1"]);
    let ours = launch(&inia_exe(), &["--count", "1"]);
    let mut failures = Vec::new();
    let user_data_of = |id: &str| {
        let args = [
            "ec2",
            "describe-instance-attribute",
            "--instance-id",
            id,
            "--attribute",
            "userData",
            "--query",
            "UserData.Value",
        ];
        parse("aws", &args, &env.stdout(&aws_cli(), &args))
    };
    assert_eq!(user_data_of(&theirs), user_data_of(&ours));
    for id in [theirs.as_str(), ours.as_str()] {
        for args in [
            [
                "ec2",
                "describe-instance-attribute",
                "--instance-id",
                id,
                "--attribute",
                "userData",
            ]
            .as_slice(),
            &[
                "ec2",
                "get-console-output",
                "--instance-id",
                id,
                "--query",
                "[InstanceId, Output]",
            ],
        ] {
            failures.extend(compare(&env, args).0);
        }
    }
    let vault = [
        "glacier",
        "create-vault",
        "--account-id",
        "-",
        "--vault-name",
        "parity-uploads",
    ];
    env.stdout(&aws_cli(), &vault);
    let file = env.home.path().join("archive.bin");
    let data: Vec<u8> = (0..(2 << 20) + 3).map(|i| (i % 253) as u8).collect();
    std::fs::write(&file, data).unwrap();
    let upload = [
        "glacier",
        "upload-archive",
        "--account-id",
        "-",
        "--vault-name",
        "parity-uploads",
        "--body",
        file.to_str().unwrap(),
    ];
    let theirs = parse("aws", &upload, &env.stdout(&aws_cli(), &upload));
    let ours = parse("inia", &upload, &env.stdout(&inia_exe(), &upload));
    differences("", &theirs, &ours, &mut failures);
    // Cross-region copies with their presigned URL (moto takes it without checking it):
    // each program's copy, described alike.
    let text = |program: &Path, args: &[&str]| {
        let out = parse("setup", args, &env.stdout(program, args));
        out.as_str().unwrap().to_string()
    };
    let volume = text(
        &aws_cli(),
        &[
            "ec2",
            "create-volume",
            "--availability-zone",
            "us-east-1a",
            "--size",
            "3",
            "--query",
            "VolumeId",
        ],
    );
    let snapshot = text(
        &aws_cli(),
        &[
            "ec2",
            "create-snapshot",
            "--volume-id",
            &volume,
            "--query",
            "SnapshotId",
        ],
    );
    let copy_snapshot = |program: &Path| {
        let copy = text(
            program,
            &[
                "ec2",
                "copy-snapshot",
                "--source-region",
                "us-east-1",
                "--source-snapshot-id",
                &snapshot,
                "--description",
                "copy é+x",
                "--query",
                "SnapshotId",
            ],
        );
        let args = [
            "ec2",
            "describe-snapshots",
            "--snapshot-ids",
            &copy,
            "--query",
            "Snapshots[0].[Description, VolumeSize, VolumeId]",
        ];
        parse("aws", &args, &env.stdout(&aws_cli(), &args))
    };
    differences(
        "copy-snapshot",
        &copy_snapshot(&aws_cli()),
        &copy_snapshot(&inia_exe()),
        &mut failures,
    );
    env.stdout(
        &aws_cli(),
        &[
            "rds",
            "create-db-instance",
            "--db-instance-identifier",
            "parity-db",
            "--db-instance-class",
            "db.t3.micro",
            "--engine",
            "postgres",
            "--master-username",
            "u",
            "--master-user-password",
            "parity-password-1",
            "--allocated-storage",
            "20",
        ],
    );
    env.stdout(
        &aws_cli(),
        &[
            "rds",
            "create-db-snapshot",
            "--db-instance-identifier",
            "parity-db",
            "--db-snapshot-identifier",
            "parity-db-snapshot",
        ],
    );
    let copy_db_snapshot = |program: &Path, target: &str| {
        let args = [
            "rds",
            "copy-db-snapshot",
            "--source-db-snapshot-identifier",
            "arn:aws:rds:us-east-1:123456789012:snapshot:parity-db-snapshot",
            "--target-db-snapshot-identifier",
            target,
            "--source-region",
            "us-east-1",
            "--query",
            "DBSnapshot.[Engine, AllocatedStorage, DBInstanceIdentifier]",
        ];
        parse("copy", &args, &env.stdout(program, &args))
    };
    differences(
        "copy-db-snapshot",
        &copy_db_snapshot(&aws_cli(), "copy-by-aws"),
        &copy_db_snapshot(&inia_exe(), "copy-by-inia"),
        &mut failures,
    );
    assert!(
        failures.is_empty(),
        "inia and the AWS CLI differ:\n{}",
        failures.join("\n")
    );
}

//! The `inia` binary against moto on 127.0.0.1: the AWS CLI-shaped flows (sts, ec2, s3api),
//! with state checked through a second path (the inia library, or another command), and
//! each exit code with its one-line reason.
//!
//! Owns end-to-end tests of the command line. Does not own engine tests (crates/inia).
//!
//! One moto serves every test of this file (`Moto::shared`, started once); each test
//! uses names (key pairs, buckets, queues) no other test here uses.

use inia::{json, Credentials, Session, Value};
use inia_test_support::{free_port, Moto};
use std::path::Path;
use std::process::{Command, Output};

/// Run `inia args...` with a clean environment: test credentials and region (unless
/// `region` is `None`), HOME in `home`, instance metadata disabled.
fn inia_env(home: &Path, region: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_inia"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret-test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(args);
    if let Some(r) = region {
        cmd.env("AWS_DEFAULT_REGION", r);
    }
    cmd.output().expect("run inia")
}

struct Cli {
    home: tempfile::TempDir,
    endpoint: String,
}

impl Cli {
    fn new(moto: &Moto) -> Cli {
        Cli {
            home: tempfile::tempdir().expect("temp home"),
            endpoint: moto.endpoint(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut all = vec!["--endpoint-url", self.endpoint.as_str()];
        all.extend_from_slice(args);
        inia_env(self.home.path(), Some("us-east-1"), &all)
    }

    /// Run, require exit 0, parse stdout as JSON (`null` when empty).
    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "inia {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        if text.trim().is_empty() {
            return Value::Null;
        }
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }
}

fn session(moto: &Moto) -> Session {
    Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
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
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn sts_and_ec2_flows() {
    let moto = Moto::shared();
    let cli = Cli::new(moto);
    let ec2 = session(moto).client("ec2").expect("ec2 client");

    let who = cli.json(&["sts", "get-caller-identity"]);
    assert!(
        who["Account"].as_str().is_some_and(|a| a.len() == 12),
        "{who}"
    );
    assert!(who.get("ResponseMetadata").is_none(), "{who}");

    // Output is printed as the AWS CLI prints it: 4-space indent.
    let raw = cli.run(&["sts", "get-caller-identity"]);
    assert!(String::from_utf8_lossy(&raw.stdout).starts_with("{\n    \"UserId\""));

    let kp = cli.json(&["ec2", "create-key-pair", "--key-name", "cli-demo"]);
    assert!(kp["KeyMaterial"]
        .as_str()
        .is_some_and(|k| k.contains("PRIVATE KEY")));
    let seen = ec2
        .call("DescribeKeyPairs", json!({}))
        .await
        .expect("describe");
    assert_eq!(seen["KeyPairs"][0]["KeyName"], "cli-demo", "{seen}");
    let names = cli.json(&[
        "ec2",
        "describe-key-pairs",
        "--key-names",
        "cli-demo",
        "--query",
        "KeyPairs[].KeyName",
    ]);
    assert_eq!(names, json!(["cli-demo"]));

    let run = cli.json(&[
        "ec2",
        "run-instances",
        "--image-id",
        "ami-12345678",
        "--count",
        "1",
        "--placement",
        "AvailabilityZone=us-east-1d",
    ]);
    let id = run["Instances"][0]["InstanceId"]
        .as_str()
        .expect("instance id")
        .to_string();
    assert_eq!(
        run["Instances"][0]["Placement"]["AvailabilityZone"],
        "us-east-1d"
    );

    let ids = cli.json(&[
        "ec2",
        "describe-instances",
        "--filters",
        "Name=instance-state-name,Values=running",
        "--query",
        "Reservations[].Instances[].InstanceId",
    ]);
    assert_eq!(ids, json!([id]));
    let none = cli.json(&[
        "ec2",
        "describe-instances",
        "--filters",
        "Name=instance-state-name,Values=stopped,terminated",
        "--query",
        "Reservations[].Instances[].InstanceId",
    ]);
    assert_eq!(none, json!([]));

    let attr = |ec2: inia::Client, id: String| async move {
        ec2.call(
            "DescribeInstanceAttribute",
            json!({"InstanceId": id, "Attribute": "disableApiTermination"}),
        )
        .await
        .expect("attribute")["DisableApiTermination"]["Value"]
            .clone()
    };
    // The bare flag, then `Value=false`, each checked through the library.
    let out = cli.json(&[
        "ec2",
        "modify-instance-attribute",
        "--instance-id",
        &id,
        "--disable-api-termination",
    ]);
    assert_eq!(out, Value::Null, "no output for an empty result");
    assert_eq!(attr(ec2.clone(), id.clone()).await, json!(true));
    cli.json(&[
        "ec2",
        "modify-instance-attribute",
        "--instance-id",
        &id,
        "--disable-api-termination",
        "Value=false",
    ]);
    assert_eq!(attr(ec2.clone(), id.clone()).await, json!(false));

    // A waiter that is already satisfied returns at once, printing nothing.
    assert_eq!(
        cli.json(&["ec2", "wait", "instance-running", "--instance-ids", &id]),
        Value::Null
    );

    // A service error: 254 and the AWS CLI's line.
    let out = cli.run(&[
        "ec2",
        "describe-instances",
        "--instance-ids",
        "i-00000000000000000",
    ]);
    assert_eq!(out.status.code(), Some(254), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(
            "An error occurred (InvalidInstanceID.NotFound) when calling the DescribeInstances operation: "
        ),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn s3api_flows() {
    let moto = Moto::shared();
    let cli = Cli::new(moto);
    let s3 = session(moto).client("s3").expect("s3 client");
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.bin");
    let body: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&input, &body).expect("write input");
    let input = input.to_string_lossy().into_owned();

    cli.json(&["s3api", "create-bucket", "--bucket", "cli-bucket"]);
    for key in ["a.bin", "b.bin", "c.bin"] {
        let put = cli.json(&[
            "s3api",
            "put-object",
            "--bucket",
            "cli-bucket",
            "--key",
            key,
            "--body",
            &input,
        ]);
        assert!(put["ETag"].is_string(), "{put}");
    }
    let listed = s3
        .call("ListObjectsV2", json!({"Bucket": "cli-bucket"}))
        .await
        .expect("list");
    assert_eq!(listed["KeyCount"], 3, "{listed}");
    assert_eq!(listed["Contents"][0]["Size"], 300_000);

    let output = dir.path().join("out.bin");
    let got = cli.json(&[
        "s3api",
        "get-object",
        "--bucket",
        "cli-bucket",
        "--key",
        "a.bin",
        &output.to_string_lossy(),
    ]);
    assert_eq!(got["ContentLength"], 300_000, "{got}");
    assert!(got.get("Body").is_none());
    assert_eq!(std::fs::read(&output).expect("read output"), body);

    let page = cli.json(&[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "cli-bucket",
        "--max-items",
        "2",
    ]);
    let keys: Vec<&str> = page["Contents"]
        .as_array()
        .expect("contents")
        .iter()
        .filter_map(|o| o["Key"].as_str())
        .collect();
    assert_eq!(keys, ["a.bin", "b.bin"], "{page}");
    let token = page["NextToken"].as_str().expect("NextToken");
    let rest = cli.json(&[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "cli-bucket",
        "--starting-token",
        token,
        "--query",
        "Contents[].Key",
    ]);
    assert_eq!(rest, json!(["c.bin"]));
    let all = cli.json(&[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "cli-bucket",
        "--page-size",
        "1",
        "--query",
        "Contents[].Key",
    ]);
    assert_eq!(all, json!(["a.bin", "b.bin", "c.bin"]));

    let out = cli.run(&[
        "s3api",
        "get-object",
        "--bucket",
        "cli-bucket",
        "--key",
        "nope",
        &output.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(254), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("(NoSuchKey) when calling the GetObject operation"),
        "{}",
        stderr(&out)
    );
}

/// The rest of the EC2 listing through the command line: a volume's snapshot, the
/// `snapshot-completed` waiter, and the SNS notice delivered to an SQS queue (subscribed
/// with the AWS CLI's `--notification-endpoint`), each checked through the library.
#[tokio::test]
async fn snapshot_waiter_and_sns_notice_through_sqs() {
    let moto = Moto::shared();
    let cli = Cli::new(moto);
    let s = session(moto);
    let vol = cli.json(&[
        "ec2",
        "create-volume",
        "--availability-zone",
        "us-east-1a",
        "--size",
        "8",
    ]);
    let volume = vol["VolumeId"].as_str().expect("volume id").to_string();
    let snap = cli.json(&[
        "ec2",
        "create-snapshot",
        "--volume-id",
        &volume,
        "--description",
        "cli",
    ]);
    let snap_id = snap["SnapshotId"]
        .as_str()
        .expect("snapshot id")
        .to_string();
    let waited = cli.run(&[
        "ec2",
        "wait",
        "snapshot-completed",
        "--snapshot-ids",
        &snap_id,
    ]);
    assert!(waited.status.success(), "{}", stderr(&waited));
    let seen = s
        .client("ec2")
        .unwrap()
        .call("DescribeSnapshots", json!({"SnapshotIds": [snap_id]}))
        .await
        .unwrap();
    assert_eq!(seen["Snapshots"][0]["State"], "completed", "{seen}");
    assert_eq!(seen["Snapshots"][0]["VolumeId"], volume.as_str(), "{seen}");

    let topic = cli.json(&["sns", "create-topic", "--name", "cli-notices"]);
    let topic_arn = topic["TopicArn"].as_str().expect("topic").to_string();
    let queue = cli.json(&["sqs", "create-queue", "--queue-name", "cli-notices"]);
    let queue_url = queue["QueueUrl"].as_str().expect("queue").to_string();
    let attrs = cli.json(&[
        "sqs",
        "get-queue-attributes",
        "--queue-url",
        &queue_url,
        "--attribute-names",
        "QueueArn",
    ]);
    let queue_arn = attrs["Attributes"]["QueueArn"]
        .as_str()
        .expect("arn")
        .to_string();
    let sub = cli.json(&[
        "sns",
        "subscribe",
        "--topic-arn",
        &topic_arn,
        "--protocol",
        "sqs",
        "--notification-endpoint",
        &queue_arn,
    ]);
    assert!(sub["SubscriptionArn"].as_str().is_some(), "{sub}");
    cli.json(&[
        "sns",
        "publish",
        "--topic-arn",
        &topic_arn,
        "--subject",
        "Snapshot done",
        "--message",
        &snap_id,
    ]);
    let got = s
        .client("sqs")
        .unwrap()
        .call(
            "ReceiveMessage",
            json!({"QueueUrl": queue_url, "WaitTimeSeconds": 2}),
        )
        .await
        .unwrap();
    let body: Value =
        serde_json::from_str(got["Messages"][0]["Body"].as_str().unwrap_or("{}")).unwrap();
    assert_eq!(body["Message"], snap_id.as_str(), "{got}");
    assert_eq!(body["Subject"], "Snapshot done", "{got}");
}

/// Ctrl-C while a call waits on a server that never answers: exit 130, and (as the AWS
/// CLI) just a line break, no panic, no backtrace.
#[test]
fn interrupted_exits_130() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let home = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_inia"))
        .env_clear()
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret-test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args([
            "--endpoint-url",
            &url,
            "--region",
            "us-east-1",
            "sts",
            "get-caller-identity",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The request arrives (the connection is accepted and never answered), then Ctrl-C.
    let (_conn, _) = listener.accept().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert_eq!(err.trim(), "", "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_252_naming_the_problem() {
    let deep = format!("TagSet={}", "[".repeat(40_000));
    let home = tempfile::tempdir().expect("home");
    let cases: &[(&[&str], &str)] = &[
        (&["ec2", "describe-key-pairs", "--bogus", "x"], "--bogus"),
        (&["ec2", "describe-kee-pairs"], "describe-kee-pairs"),
        (&["nosuchservice", "list"], "nosuchservice"),
        (&["ec2", "create-key-pair"], "--key-name"),
        (
            &["ec2", "describe-instances", "--max-results", "many"],
            "--max-results",
        ),
        (
            &["ec2", "describe-instances", "--filters", "Name"],
            "--filters",
        ),
        (
            &["ec2", "describe-instances", "--filters", "Name=a,Colour=b"],
            "Colour",
        ),
        (
            &["sts", "get-caller-identity", "--output", "yaml-streams"],
            "yaml-streams",
        ),
        // A boolean is a bare flag: the word after it is not its value.
        (
            &["ec2", "describe-key-pairs", "--dry-run", "true"],
            "Unknown options: true",
        ),
        (
            &[
                "ec2",
                "run-instances",
                "--image-id",
                "ami-1",
                "--min-count",
                "1",
            ],
            "Unknown options: --min-count, 1",
        ),
        (&["sts", "get-caller-identity", "--query", "[["], "--query"),
        (
            &["s3api", "get-object", "--bucket", "b", "--key", "k"],
            "outfile",
        ),
        // 40,000 levels of shorthand used to overflow the stack (exit 134).
        (
            &[
                "s3api",
                "put-bucket-tagging",
                "--bucket",
                "b",
                "--tagging",
                deep.as_str(),
            ],
            "nested deeper than 64 levels",
        ),
    ];
    for (args, needle) in cases {
        let out = inia_env(home.path(), Some("us-east-1"), args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(252), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn config_and_connection_errors_exit_253_and_255() {
    let home = tempfile::tempdir().expect("home");
    let out = inia_env(home.path(), None, &["sts", "get-caller-identity"]);
    assert_eq!(out.status.code(), Some(253), "{}", stderr(&out));
    assert!(stderr(&out).contains("region"), "{}", stderr(&out));
    assert_eq!(stderr(&out).trim_end().lines().count(), 1);

    let url = format!("http://127.0.0.1:{}", free_port());
    let out = inia_env(
        home.path(),
        Some("us-east-1"),
        &[
            "sts",
            "get-caller-identity",
            "--endpoint-url",
            &url,
            "--cli-connect-timeout",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(255), "{}", stderr(&out));
    assert!(stderr(&out).contains("127.0.0.1"), "{}", stderr(&out));
    assert_eq!(stderr(&out).trim_end().lines().count(), 1);
}

#[test]
fn help_and_skeleton() {
    let home = tempfile::tempdir().expect("home");
    let text = |args: &[&str]| {
        let out = inia_env(home.path(), None, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let top = text(&["help"]);
    assert!(
        top.contains("  s3api\n") && top.contains("  ec2\n"),
        "{top}"
    );
    let ec2 = text(&["ec2", "help"]);
    assert!(
        ec2.contains("  describe-key-pairs\n") && ec2.contains("  wait\n"),
        "{ec2}"
    );
    let op = text(&["ec2", "create-key-pair", "help"]);
    assert!(op.contains("--key-name <string>  (required)"), "{op}");
    assert!(op.contains("--dry-run | --no-dry-run <boolean>"), "{op}");
    let skel: Value =
        serde_json::from_str(&text(&["ec2", "create-tags", "--generate-cli-skeleton"]))
            .expect("skeleton JSON");
    assert_eq!(skel["Tags"], json!([{"Key": "", "Value": ""}]));
}

/// `--ca-bundle` reaches the connection layer (a missing file is named, and wins over
/// `AWS_CA_BUNDLE`), and `--no-verify-ssl` warns on stderr. Nothing listens on the port.
#[test]
fn tls_options() {
    let home = tempfile::tempdir().expect("home");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("https://127.0.0.1:{port}");
    let out = inia_env(
        home.path(),
        Some("us-east-1"),
        &[
            "--endpoint-url",
            &url,
            "--ca-bundle",
            "/nonexistent/bundle.pem",
            "sts",
            "get-caller-identity",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(255), "{err}");
    assert!(
        err.contains("cannot read CA bundle /nonexistent/bundle.pem"),
        "{err}"
    );
    let out = inia_env(
        home.path(),
        Some("us-east-1"),
        &[
            "--endpoint-url",
            &url,
            "--no-verify-ssl",
            "--cli-connect-timeout",
            "1",
            "sts",
            "get-caller-identity",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("warning: --no-verify-ssl: TLS certificates are not verified"),
        "{err}"
    );
}

/// `s3api get-object OUTFILE` whose body breaks off and cannot be resumed: the destination
/// keeps what it held (the body went to a temporary file beside it, now removed), exit 255.
#[test]
fn a_broken_download_leaves_the_outfile_as_it_was() {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in l.incoming().take(4) {
            let Ok(mut c) = conn else { continue };
            let mut buf = [0u8; 8192];
            let _ = c.read(&mut buf);
            let _ =
                c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nETag: \"0123\"\r\n\r\n");
            let _ = c.write_all(&[b'n'; 1000]);
        }
    });
    let home = tempfile::tempdir().expect("home");
    let dir = tempfile::tempdir().expect("dir");
    let out_path = dir.path().join("object.bin");
    std::fs::write(&out_path, b"original").unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let out = inia_env(
        home.path(),
        Some("us-east-1"),
        &[
            "--endpoint-url",
            &url,
            "s3api",
            "get-object",
            "--bucket",
            "b",
            "--key",
            "k",
            out_path.to_str().unwrap(),
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(255), "{err}");
    // The body broke off after 1,000 bytes; the ranged GET that resumes it got the same
    // broken whole-object answer (this server knows no ranges).
    assert!(err.contains("resuming at byte 1000"), "{err}");
    assert_eq!(std::fs::read(&out_path).unwrap(), b"original");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("object.bin")],
        "no temporary file is left"
    );
}

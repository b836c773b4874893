//! `cargo xtask demo`: inia's main job on a fresh machine. Installs moto (PyPI, into the
//! git-ignored `.cache/`) if needed, starts it on 127.0.0.1, builds the `inia` command
//! line and runs the seed flows with it, printing each command and the JSON it printed:
//! - the EC2 listing: a key pair, instances with placement and termination protection
//!   (turned off again), an image, filters and a query, tags, a snapshot and
//!   `ec2 wait snapshot-completed`, then an SNS notice delivered to an SQS queue;
//! - the S3 tutorial: a bucket, a small object with metadata, a 20 MiB object uploaded in
//!   parallel parts, its head, a public-read ACL, listings, the big object downloaded and
//!   compared byte for byte.
//!
//! Owns the demo's script. Does not own installing or starting servers (`services`,
//! `inia_test_support`).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `inia` against one endpoint with the demo's settings.
struct Inia {
    exe: PathBuf,
    endpoint: String,
    home: PathBuf,
}

impl Inia {
    /// Run `inia args`, print the command and its output, and return the output parsed
    /// as JSON (`null` when it printed nothing).
    fn run(&self, args: &[&str]) -> Result<Value, String> {
        println!("\n$ inia {}", shell_words(args));
        let out = Command::new(&self.exe)
            .args(["--endpoint-url", &self.endpoint, "--region", "us-east-1"])
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "AKIDDEMO")
            .env("AWS_SECRET_ACCESS_KEY", "demo-secret")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("HOME", &self.home)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_DEFAULT_OUTPUT")
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.exe.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        print!("{stdout}");
        if !out.status.success() {
            return Err(format!(
                "inia {} failed ({}): {}",
                shell_words(args),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        if stdout.trim().is_empty() || !stdout.trim_start().starts_with(['{', '[', '"']) {
            return Ok(Value::Null);
        }
        serde_json::from_str(&stdout).map_err(|e| format!("inia printed invalid JSON: {e}"))
    }
}

fn shell_words(args: &[&str]) -> String {
    args.iter()
        .map(|a| {
            if a.is_empty() || a.contains([' ', '\'', '"', '{', '[', '*', '$']) {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn text(v: &Value, what: &str) -> Result<String, String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("the demo expected {what}, got {v}"))
}

/// Build the command line, start moto, run the flows, stop moto.
pub fn run(workspace: &Path) -> Result<(), String> {
    println!("==> the inia demo: moto (pinned, from PyPI, installed into .cache/ when missing), a release build of inia, then the seed flows");
    crate::services::ensure_moto(&inia_conformance::botocore::cache_dir())?;
    println!("==> building the inia command line (release)");
    let status = crate::cargo::command()
        .args(["build", "--release", "--package", "inia-cli"])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building inia failed ({status})"));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    let moto = inia_test_support::Moto::start(&[]);
    println!("==> moto on {}", moto.endpoint());
    let scratch = std::env::temp_dir().join(format!("inia-demo-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let inia = Inia {
        exe: target.join("release/inia"),
        endpoint: moto.endpoint(),
        home: scratch.clone(),
    };
    let result = ec2_listing(&inia).and_then(|()| s3_tutorial(&inia, &scratch));
    let _ = std::fs::remove_dir_all(&scratch);
    drop(moto);
    result
}

fn ec2_listing(inia: &Inia) -> Result<(), String> {
    println!("\n==> the EC2 listing");
    inia.run(&[
        "ec2",
        "create-key-pair",
        "--key-name",
        "demo-key",
        "--query",
        "{KeyName: KeyName, KeyFingerprint: KeyFingerprint}",
    ])?;
    let run = inia.run(&[
        "ec2",
        "run-instances",
        "--image-id",
        "ami-12c6146b",
        "--min-count",
        "2",
        "--max-count",
        "5",
        "--key-name",
        "demo-key",
        "--instance-type",
        "t2.micro",
        "--placement",
        "AvailabilityZone=us-east-1d",
        "--disable-api-termination",
        "--query",
        "Instances[].{Id: InstanceId, Zone: Placement.AvailabilityZone, State: State.Name}",
    ])?;
    let id = text(&run[0]["Id"], "an instance id")?;
    inia.run(&[
        "ec2",
        "modify-instance-attribute",
        "--instance-id",
        &id,
        "--disable-api-termination",
        "Value=false",
    ])?;
    inia.run(&[
        "ec2",
        "create-image",
        "--instance-id",
        &id,
        "--name",
        "demo-image",
    ])?;
    inia.run(&[
        "ec2",
        "describe-instances",
        "--filters",
        "Name=image-id,Values=ami-12c6146b",
        "Name=instance-state-name,Values=running",
        "--query",
        "Reservations[].Instances[].[InstanceId, State.Name, InstanceType]",
    ])?;
    let vols = inia.run(&[
        "ec2",
        "describe-volumes",
        "--filters",
        &format!("Name=attachment.instance-id,Values={id}"),
        "--query",
        "Volumes[].{Id: VolumeId, Size: Size, State: State}",
    ])?;
    let volume = text(&vols[0]["Id"], "a volume id")?;
    inia.run(&[
        "ec2",
        "create-tags",
        "--resources",
        &id,
        &volume,
        "--tags",
        "Key=Name,Value=demo",
    ])?;
    inia.run(&[
        "ec2",
        "describe-volumes",
        "--filters",
        "Name=tag:Name,Values=demo",
        "--query",
        "Volumes[].[VolumeId, Tags[0].Value]",
    ])?;
    let snap = inia.run(&[
        "ec2",
        "create-snapshot",
        "--volume-id",
        &volume,
        "--description",
        "demo",
    ])?;
    let snap_id = text(&snap["SnapshotId"], "a snapshot id")?;
    inia.run(&[
        "ec2",
        "wait",
        "snapshot-completed",
        "--snapshot-ids",
        &snap_id,
    ])?;
    inia.run(&[
        "ec2",
        "describe-snapshots",
        "--snapshot-ids",
        &snap_id,
        "--query",
        "Snapshots[].[SnapshotId, State, VolumeId]",
    ])?;
    let topic = inia.run(&["sns", "create-topic", "--name", "demo-notices"])?;
    let topic_arn = text(&topic["TopicArn"], "a topic ARN")?;
    let queue = inia.run(&["sqs", "create-queue", "--queue-name", "demo-notices"])?;
    let queue_url = text(&queue["QueueUrl"], "a queue URL")?;
    let attrs = inia.run(&[
        "sqs",
        "get-queue-attributes",
        "--queue-url",
        &queue_url,
        "--attribute-names",
        "QueueArn",
    ])?;
    let queue_arn = text(&attrs["Attributes"]["QueueArn"], "a queue ARN")?;
    inia.run(&[
        "sns",
        "subscribe",
        "--topic-arn",
        &topic_arn,
        "--protocol",
        "sqs",
        "--notification-endpoint",
        &queue_arn,
    ])?;
    inia.run(&[
        "sns",
        "publish",
        "--topic-arn",
        &topic_arn,
        "--subject",
        "Snapshot done",
        "--message",
        &snap_id,
    ])?;
    let got = inia.run(&[
        "sqs",
        "receive-message",
        "--queue-url",
        &queue_url,
        "--wait-time-seconds",
        "2",
        "--query",
        "Messages[0].Body",
    ])?;
    let body: Value = serde_json::from_str(got.as_str().unwrap_or("{}"))
        .map_err(|e| format!("the SQS message is not an SNS notice: {e}"))?;
    if body["Message"] != Value::String(snap_id.clone()) {
        return Err(format!("the SNS notice did not arrive: {body}"));
    }
    println!("(the notice for {snap_id} arrived through SQS)");
    Ok(())
}

fn s3_tutorial(inia: &Inia, scratch: &Path) -> Result<(), String> {
    println!("\n==> the S3 tutorial");
    let io = |e: std::io::Error| e.to_string();
    let small = scratch.join("hello.txt");
    std::fs::write(&small, "Hello from inia\n").map_err(io)?;
    let big = scratch.join("big.bin");
    let bytes: Vec<u8> = (0..20u32 * 1024 * 1024)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(&big, &bytes).map_err(io)?;
    let path = |p: &Path| p.display().to_string();
    inia.run(&["s3", "mb", "s3://demo-bucket"])?;
    inia.run(&[
        "s3",
        "cp",
        &path(&small),
        "s3://demo-bucket/hello.txt",
        "--metadata",
        "purpose=demo",
    ])?;
    inia.run(&["s3", "cp", &path(&big), "s3://demo-bucket/data/big.bin"])?;
    inia.run(&[
        "s3api",
        "head-object",
        "--bucket",
        "demo-bucket",
        "--key",
        "hello.txt",
    ])?;
    inia.run(&[
        "s3api",
        "put-object-acl",
        "--bucket",
        "demo-bucket",
        "--key",
        "hello.txt",
        "--acl",
        "public-read",
    ])?;
    inia.run(&[
        "s3api",
        "get-object-acl",
        "--bucket",
        "demo-bucket",
        "--key",
        "hello.txt",
        "--query",
        "Grants[].[Grantee.URI || Grantee.ID, Permission]",
    ])?;
    inia.run(&["s3", "ls", "s3://demo-bucket", "--recursive"])?;
    inia.run(&[
        "s3api",
        "list-objects-v2",
        "--bucket",
        "demo-bucket",
        "--query",
        "Contents[].{Key: Key, Size: Size}",
    ])?;
    let copy = scratch.join("big.copy");
    inia.run(&["s3", "cp", "s3://demo-bucket/data/big.bin", &path(&copy)])?;
    let back = std::fs::read(&copy).map_err(io)?;
    if back != bytes {
        return Err("the downloaded 20 MiB object differs from the upload".into());
    }
    println!("(20 MiB uploaded in parts and downloaded again: byte-identical)");
    inia.run(&["s3api", "list-buckets", "--query", "Buckets[].Name"])?;
    Ok(())
}

//! The seed flows through the library, printing each answer as JSON: the EC2 listing
//! (key pair, instances, termination protection, image, filters, tags, snapshot and its
//! waiter, an SNS notice) and the S3 tutorial (buckets, objects, metadata, ACL, listing).
//!
//! Run against a local moto with `cargo xtask demo`, or point it anywhere with
//! `AWS_ENDPOINT_URL` and the usual credential settings.

use inia::{json, Session, Value, WaitOptions};
use std::time::Duration;

fn show(title: &str, mut v: Value) {
    if let Some(o) = v.as_object_mut() {
        o.shift_remove("ResponseMetadata");
    }
    println!(
        "## {title}\n{}",
        serde_json::to_string_pretty(&v).unwrap_or_default()
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), inia::Error> {
    let session = Session::builder().region("us-east-1").build()?;

    let ec2 = session.client("ec2")?;
    show(
        "ec2 create-key-pair",
        ec2.call("CreateKeyPair", json!({"KeyName": "demo-key"}))
            .await?,
    );
    let run = ec2
        .call(
            "RunInstances",
            json!({"ImageId": "ami-12c6146b", "MinCount": 2, "MaxCount": 5,
            "KeyName": "demo-key", "InstanceType": "t2.micro",
            "Placement": {"AvailabilityZone": "us-east-1d"}, "DisableApiTermination": true}),
        )
        .await?;
    let id = run["Instances"][0]["InstanceId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    show("ec2 run-instances", run);
    ec2.call(
        "ModifyInstanceAttribute",
        json!({"InstanceId": id, "DisableApiTermination": {"Value": false}}),
    )
    .await?;
    show(
        "ec2 create-image",
        ec2.call(
            "CreateImage",
            json!({"InstanceId": id, "Name": "demo-image"}),
        )
        .await?,
    );
    show(
        "ec2 describe-instances (running, from the image)",
        ec2.call(
            "DescribeInstances",
            json!({"Filters": [
            {"Name": "image-id", "Values": ["ami-12c6146b"]},
            {"Name": "instance-state-name", "Values": ["running"]}]}),
        )
        .await?,
    );
    let vols = ec2
        .call(
            "DescribeVolumes",
            json!({"Filters": [{"Name": "attachment.instance-id", "Values": [id]}]}),
        )
        .await?;
    let volume = vols["Volumes"][0]["VolumeId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    ec2.call(
        "CreateTags",
        json!({"Resources": [id, volume], "Tags": [{"Key": "Name", "Value": "demo"}]}),
    )
    .await?;
    show(
        "ec2 describe-volumes (tag:Name=demo)",
        ec2.call(
            "DescribeVolumes",
            json!({"Filters": [{"Name": "tag:Name", "Values": ["demo"]}]}),
        )
        .await?,
    );
    let snap = ec2
        .call(
            "CreateSnapshot",
            json!({"VolumeId": volume, "Description": "demo"}),
        )
        .await?;
    let snap_id = snap["SnapshotId"].as_str().unwrap_or_default().to_string();
    let waited = ec2
        .wait(
            "SnapshotCompleted",
            json!({"SnapshotIds": [snap_id]}),
            WaitOptions {
                delay: Some(Duration::from_secs(1)),
                max_attempts: Some(30),
            },
        )
        .await?;
    show("ec2 wait snapshot-completed", waited);
    let sns = session.client("sns")?;
    let topic = sns
        .call("CreateTopic", json!({"Name": "demo-notices"}))
        .await?;
    let arn = topic["TopicArn"].as_str().unwrap_or_default().to_string();
    show(
        "sns publish",
        sns.call(
            "Publish",
            json!({"TopicArn": arn, "Subject": "Snapshot done", "Message": snap_id}),
        )
        .await?,
    );

    let s3 = session.client("s3")?;
    s3.call("CreateBucket", json!({"Bucket": "demo-bucket"}))
        .await?;
    s3.transfer()
        .upload_bytes(
            "demo-bucket",
            "hello.txt",
            "Hello from inia",
            &inia::UploadOptions::new().metadata("purpose", "demo"),
        )
        .await?;
    show(
        "s3api head-object",
        s3.call(
            "HeadObject",
            json!({"Bucket": "demo-bucket", "Key": "hello.txt"}),
        )
        .await?,
    );
    s3.call(
        "PutObjectAcl",
        json!({"Bucket": "demo-bucket", "Key": "hello.txt", "ACL": "public-read"}),
    )
    .await?;
    show(
        "s3api get-object-acl",
        s3.call(
            "GetObjectAcl",
            json!({"Bucket": "demo-bucket", "Key": "hello.txt"}),
        )
        .await?,
    );
    show(
        "s3api list-buckets",
        s3.call("ListBuckets", json!({})).await?,
    );
    show(
        "s3api list-objects-v2",
        s3.paginate_all("ListObjectsV2", json!({"Bucket": "demo-bucket"}), None)
            .await?,
    );
    Ok(())
}

//! The seed flows through the library API against moto: the EC2 listing (key pair,
//! instances with placement and termination protection, an image, filters, tags, a
//! snapshot and its waiter, an SNS notice received through SQS) and DynamoDB's
//! create/put/get/query and scan paging. Every change is checked by a second call.
//!
//! One moto serves every test of this file (`Moto::shared`, started once); each test
//! uses names (buckets, queues, roles...) no other test here uses.

use futures_util::StreamExt;
use inia::{json, Credentials, Session, Value, WaitOptions};
use inia_test_support::Moto;
use std::time::Duration;

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

fn strings<'a>(v: &'a Value, list: &str, key: &str) -> Vec<&'a str> {
    v[list]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x[key].as_str())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ec2_listing_with_snapshot_waiter_and_sns_notice() {
    let moto = Moto::shared();
    let s = session(moto);
    let ec2 = s.client("ec2").unwrap();

    ec2.call("CreateKeyPair", json!({"KeyName": "lj-key"}))
        .await
        .unwrap();
    let run = ec2
        .call(
            "RunInstances",
            json!({
                "ImageId": "ami-12c6146b", "MinCount": 2, "MaxCount": 5, "KeyName": "lj-key",
                "InstanceType": "t2.micro", "Placement": {"AvailabilityZone": "us-east-1d"},
                "DisableApiTermination": true,
            }),
        )
        .await
        .unwrap();
    let ids = strings(&run, "Instances", "InstanceId");
    assert!((2..=5).contains(&ids.len()), "{run}");
    assert_eq!(
        run["Instances"][0]["Placement"]["AvailabilityZone"],
        "us-east-1d"
    );
    let first = ids[0].to_string();

    // Termination protection on, then off (moto ignores it at launch; set it explicitly).
    for on in [true, false] {
        ec2.call(
            "ModifyInstanceAttribute",
            json!({"InstanceId": first, "DisableApiTermination": {"Value": on}}),
        )
        .await
        .unwrap();
        let attr = ec2
            .call(
                "DescribeInstanceAttribute",
                json!({"InstanceId": first, "Attribute": "disableApiTermination"}),
            )
            .await
            .unwrap();
        assert_eq!(attr["DisableApiTermination"]["Value"], on, "{attr}");
    }

    let image = ec2
        .call(
            "CreateImage",
            json!({"InstanceId": first, "Name": "lj-image"}),
        )
        .await
        .unwrap();
    let image_id = image["ImageId"].as_str().unwrap().to_string();
    let images = ec2
        .call("DescribeImages", json!({"ImageIds": [image_id]}))
        .await
        .unwrap();
    assert_eq!(images["Images"][0]["Name"], "lj-image");

    let running = ec2
        .call(
            "DescribeInstances",
            json!({"Filters": [
            {"Name": "image-id", "Values": ["ami-12c6146b"]},
            {"Name": "instance-state-name", "Values": ["running"]}]}),
        )
        .await
        .unwrap();
    let found: Vec<&str> = running["Reservations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["Instances"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|i| i["InstanceId"].as_str())
        })
        .collect();
    assert_eq!(found.len(), ids.len(), "{running}");

    // Tag the instance and its root volume, then find the volume by tag.
    let vols = ec2
        .call(
            "DescribeVolumes",
            json!({"Filters": [{"Name": "attachment.instance-id", "Values": [first]}]}),
        )
        .await
        .unwrap();
    let volume = vols["Volumes"][0]["VolumeId"].as_str().unwrap().to_string();
    ec2.call(
        "CreateTags",
        json!({"Resources": [first, volume], "Tags": [{"Key": "Name", "Value": "lj-web"}]}),
    )
    .await
    .unwrap();
    let tagged = ec2
        .call(
            "DescribeVolumes",
            json!({"Filters": [{"Name": "tag:Name", "Values": ["lj-web"]}]}),
        )
        .await
        .unwrap();
    assert_eq!(
        strings(&tagged, "Volumes", "VolumeId"),
        vec![volume.as_str()]
    );

    let snap = ec2
        .call(
            "CreateSnapshot",
            json!({"VolumeId": volume, "Description": "nightly"}),
        )
        .await
        .unwrap();
    let snap_id = snap["SnapshotId"].as_str().unwrap().to_string();
    let done = ec2
        .wait(
            "SnapshotCompleted",
            json!({"SnapshotIds": [snap_id]}),
            WaitOptions {
                delay: Some(Duration::from_millis(200)),
                max_attempts: Some(20),
            },
        )
        .await
        .unwrap();
    assert_eq!(done["Snapshots"][0]["State"], "completed");

    // The notice: SNS topic -> SQS subscription -> the message arrives with its subject.
    let sns = s.client("sns").unwrap();
    let sqs = s.client("sqs").unwrap();
    let topic = sns
        .call("CreateTopic", json!({"Name": "lj-notices"}))
        .await
        .unwrap();
    let topic_arn = topic["TopicArn"].as_str().unwrap().to_string();
    let queue = sqs
        .call("CreateQueue", json!({"QueueName": "lj-inbox"}))
        .await
        .unwrap();
    let queue_url = queue["QueueUrl"].as_str().unwrap().to_string();
    let attrs = sqs
        .call(
            "GetQueueAttributes",
            json!({"QueueUrl": queue_url, "AttributeNames": ["QueueArn"]}),
        )
        .await
        .unwrap();
    let queue_arn = attrs["Attributes"]["QueueArn"]
        .as_str()
        .unwrap()
        .to_string();
    sns.call(
        "Subscribe",
        json!({"TopicArn": topic_arn, "Protocol": "sqs", "Endpoint": queue_arn}),
    )
    .await
    .unwrap();
    sns.call("Publish", json!({"TopicArn": topic_arn, "Subject": "Snapshot done", "Message": format!("{snap_id} completed")}))
        .await
        .unwrap();
    let got = sqs
        .call(
            "ReceiveMessage",
            json!({"QueueUrl": queue_url, "MaxNumberOfMessages": 1}),
        )
        .await
        .unwrap();
    let envelope: Value =
        serde_json::from_str(got["Messages"][0]["Body"].as_str().unwrap()).unwrap();
    assert_eq!(envelope["Subject"], "Snapshot done");
    assert_eq!(envelope["Message"], format!("{snap_id} completed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_crud_query_and_scan_paging() {
    let moto = Moto::shared();
    let ddb = session(moto).client("dynamodb").unwrap();
    ddb.call("CreateTable", json!({
        "TableName": "songs",
        "KeySchema": [{"AttributeName": "artist", "KeyType": "HASH"}, {"AttributeName": "title", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "artist", "AttributeType": "S"}, {"AttributeName": "title", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST"}))
        .await
        .unwrap();
    ddb.wait(
        "TableExists",
        json!({"TableName": "songs"}),
        WaitOptions {
            delay: Some(Duration::from_millis(100)),
            max_attempts: Some(10),
        },
    )
    .await
    .unwrap();
    for (artist, title, year) in [
        ("a", "one", 1990),
        ("a", "two", 1991),
        ("a", "three", 1992),
        ("b", "four", 2000),
        ("b", "five", 2001),
    ] {
        ddb.call("PutItem", json!({"TableName": "songs", "Item": {
            "artist": {"S": artist}, "title": {"S": title}, "year": {"N": year.to_string()}, "blob": {"B": "AAEC"}}}))
            .await
            .unwrap();
    }
    let item = ddb
        .call(
            "GetItem",
            json!({"TableName": "songs", "Key": {"artist": {"S": "a"}, "title": {"S": "two"}}}),
        )
        .await
        .unwrap();
    assert_eq!(item["Item"]["year"]["N"], "1991");
    assert_eq!(
        item["Item"]["blob"]["B"], "AAEC",
        "blobs come back as the base64 that went in"
    );
    let q = ddb
        .call(
            "Query",
            json!({"TableName": "songs", "KeyConditionExpression": "artist = :a",
                              "ExpressionAttributeValues": {":a": {"S": "a"}}}),
        )
        .await
        .unwrap();
    assert_eq!(q["Count"], 3);
    let mut pages = Box::pin(ddb.paginate("Scan", json!({"TableName": "songs", "Limit": 2})));
    let (mut n, mut items) = (0, 0);
    while let Some(p) = pages.next().await {
        let p = p.unwrap();
        n += 1;
        items += p["Items"].as_array().unwrap().len();
    }
    assert_eq!(items, 5);
    assert!(n >= 3, "{n} pages");
    let err = ddb
        .call("DescribeTable", json!({"TableName": "nope"}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ResourceNotFoundException"), "{err}");
}

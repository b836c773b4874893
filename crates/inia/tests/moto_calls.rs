//! The engine against moto, a real AWS emulator written by others, on 127.0.0.1: each
//! protocol through the library API, with state checked by a second call.
//!
//! One moto serves every test of this file (`Moto::shared`, started once); each test
//! uses names (buckets, queues, roles...) no other test here uses.

use inia::{json, Credentials, Session, Value};
use inia_test_support::Moto;

fn session(moto: &Moto, region: &str) -> Session {
    Session::builder()
        .region(region)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_ec2_json_and_rest_protocols_round_trip() {
    let moto = Moto::shared();
    let s = session(moto, "us-east-1");

    // query (STS, IAM)
    let who = s
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap();
    assert!(
        who["Account"].as_str().is_some_and(|a| a.len() == 12),
        "{who}"
    );
    assert_eq!(who["ResponseMetadata"]["HTTPStatusCode"], 200);
    let iam = s.client("iam").unwrap();
    iam.call("create_user", json!({"UserName": "alice"}))
        .await
        .unwrap();
    let users = iam.call("ListUsers", json!({})).await.unwrap();
    // moto is shared with the other tests of this file: find alice among the users.
    let alice = users["Users"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["UserName"] == "alice"))
        .unwrap_or_else(|| panic!("alice should be listed: {users}"));
    assert!(
        alice["CreateDate"]
            .as_str()
            .is_some_and(|d| d.ends_with('Z')),
        "{users}"
    );

    // ec2
    let ec2 = s.client("ec2").unwrap();
    let kp = ec2
        .call("CreateKeyPair", json!({"KeyName": "demo"}))
        .await
        .unwrap();
    assert!(kp["KeyMaterial"]
        .as_str()
        .is_some_and(|k| k.contains("PRIVATE KEY")));
    let kps = ec2.call("DescribeKeyPairs", json!({})).await.unwrap();
    let names: Vec<&str> = kps["KeyPairs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["KeyName"].as_str())
        .collect();
    assert!(names.contains(&"demo"), "{kps}");
    let regions = ec2.call("DescribeRegions", json!({})).await.unwrap();
    assert!(regions["Regions"].as_array().unwrap().len() > 10);

    // json (SQS is json with awsQueryCompatible; DynamoDB json 1.0)
    let sqs = s.client("sqs").unwrap();
    let q = sqs
        .call("CreateQueue", json!({"QueueName": "jobs"}))
        .await
        .unwrap();
    let url = q["QueueUrl"].as_str().unwrap().to_string();
    sqs.call(
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "hello"}),
    )
    .await
    .unwrap();
    let got = sqs
        .call("ReceiveMessage", json!({"QueueUrl": url}))
        .await
        .unwrap();
    assert_eq!(got["Messages"][0]["Body"], "hello");
    let err = sqs
        .call("GetQueueUrl", json!({"QueueName": "nope"}))
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("AWS.SimpleQueueService.NonExistentQueue"),
        "{err}"
    );

    // rest-xml (S3)
    let s3 = s.client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": "bucket-one"}))
        .await
        .unwrap();
    let body = inia::Body::from_bytes("hello world");
    s3.call_with(
        "PutObject",
        json!({"Bucket": "bucket-one", "Key": "dir/a b+c~.txt", "ContentType": "text/plain"}),
        Some(body),
    )
    .await
    .unwrap();
    let out = s3
        .call_with(
            "GetObject",
            json!({"Bucket": "bucket-one", "Key": "dir/a b+c~.txt"}),
            None,
        )
        .await
        .unwrap();
    assert_eq!(out.value["ContentType"], "text/plain");
    let bytes = out.body.expect("a streaming body").bytes().await.unwrap();
    assert_eq!(&bytes[..], b"hello world");
    let err = s3
        .call(
            "GetObject",
            json!({"Bucket": "bucket-one", "Key": "missing"}),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"), "{err}");
    let list: Value = s3
        .call("ListObjectsV2", json!({"Bucket": "bucket-one"}))
        .await
        .unwrap();
    assert_eq!(list["Contents"][0]["Key"], "dir/a b+c~.txt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_name_the_problem() {
    let moto = Moto::shared();
    let s = session(moto, "us-east-1");
    let ec2 = s.client("ec2").unwrap();
    let e = ec2
        .call(
            "DescribeInstances",
            json!({"Filters": [{"Name": "x", "Values": [1]}]}),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Filters[0].Values[0]"), "{e}");
    let e = ec2.call("NoSuchOperation", json!({})).await.unwrap_err();
    assert!(e.to_string().contains("NoSuchOperation"), "{e}");
    let e = Session::builder()
        .env(inia::auth::config::Env::empty())
        .build()
        .unwrap()
        .client("ec2")
        .unwrap_err();
    assert!(e.to_string().contains("region"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_and_waiters() {
    use futures_util::StreamExt;
    let moto = Moto::shared();
    let s = session(moto, "us-east-1");
    let s3 = s.client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": "pages"}))
        .await
        .unwrap();
    for i in 0..7 {
        s3.call_with(
            "PutObject",
            json!({"Bucket": "pages", "Key": format!("k{i}")}),
            Some(inia::Body::from_bytes("x")),
        )
        .await
        .unwrap();
    }
    let mut pages =
        Box::pin(s3.paginate("ListObjectsV2", json!({"Bucket": "pages", "MaxKeys": 2})));
    let mut keys = Vec::new();
    let mut n = 0;
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        n += 1;
        keys.extend(
            page["Contents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["Key"].as_str().unwrap().to_string()),
        );
    }
    assert_eq!(n, 4);
    assert_eq!(keys, (0..7).map(|i| format!("k{i}")).collect::<Vec<_>>());
    let all = s3
        .paginate_all(
            "ListObjectsV2",
            json!({"Bucket": "pages", "MaxKeys": 3}),
            None,
        )
        .await
        .unwrap();
    assert_eq!(all["Contents"].as_array().unwrap().len(), 7);
    let some = s3
        .paginate_all(
            "ListObjectsV2",
            json!({"Bucket": "pages", "MaxKeys": 2}),
            Some(4),
        )
        .await
        .unwrap();
    assert_eq!(some["Contents"].as_array().unwrap().len(), 4);
    assert!(some["NextToken"].is_string(), "{some}");

    let w = s3
        .wait(
            "ObjectExists",
            json!({"Bucket": "pages", "Key": "k3"}),
            inia::WaitOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(w["ContentLength"], 1);
    let e = s3
        .wait(
            "ObjectExists",
            json!({"Bucket": "pages", "Key": "nope"}),
            inia::WaitOptions {
                delay: Some(std::time::Duration::from_millis(10)),
                max_attempts: Some(2),
            },
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("max attempts exceeded (2)"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_from_shared_files_gives_credentials_and_region() {
    let moto = Moto::shared();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        format!("[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\nendpoint_url = {}\nmax_attempts = 2\n", moto.endpoint()),
    )
    .unwrap();
    std::fs::write(
        home.path().join(".aws/credentials"),
        "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n",
    )
    .unwrap();
    let env = inia::auth::config::Env::empty().with_home(home.path());
    // Region, endpoint and credentials all come from the profile.
    let s = Session::builder()
        .profile("dev")
        .env(env.clone())
        .build()
        .unwrap();
    assert_eq!(s.region(), Some("eu-west-1"));
    let who = s
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap();
    assert!(who["Arn"].is_string(), "{who}");
    // No credentials anywhere: a clear error naming where it looked.
    let empty = tempfile::tempdir().unwrap();
    let s = Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        // Instance metadata is off: tests reach only 127.0.0.1.
        .env(
            inia::auth::config::Env::empty()
                .with_home(empty.path())
                .with_var("AWS_EC2_METADATA_DISABLED", "true"),
        )
        .build()
        .unwrap();
    let e = s
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("unable to locate credentials"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_with_role_arn_assumes_the_role() {
    let moto = Moto::shared();
    // The role must exist for moto to hand out its credentials.
    let admin = session(moto, "us-east-1");
    admin
        .client("iam")
        .unwrap()
        .call(
            "CreateRole",
            json!({"RoleName": "ops", "AssumeRolePolicyDocument": "{}"}),
        )
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        "[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/ops\nsource_profile = base\nrole_session_name = nightly\nregion = us-east-1\n",
    )
    .unwrap();
    std::fs::write(
        home.path().join(".aws/credentials"),
        "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n",
    )
    .unwrap();
    let env = inia::auth::config::Env::empty()
        .with_home(home.path())
        .with_var("AWS_ENDPOINT_URL", moto.endpoint());
    let s = Session::builder().profile("ops").env(env).build().unwrap();
    let who = s
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap();
    let arn = who["Arn"].as_str().unwrap_or("");
    assert!(arn.contains("assumed-role/ops/nightly"), "{who}");
}

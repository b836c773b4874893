//! inia's prepared requests against botocore's for the calls botocore's handlers
//! (`handlers.py`) change: cross-region presigned URLs (EC2 CopySnapshot; RDS, Neptune
//! and DocumentDB with `SourceRegion`), SSE-C keys and their MD5, `EncodingType=url` on
//! S3 listings, copy sources (an access point ARN among them), line breaks in S3's XML
//! bodies, Glacier's account id, version header and checksums, EC2 and Auto Scaling user
//! data, parameter aliases, API Gateway's `Accept`, endpoint-discovery operations'
//! `x-amz-api-version`, CloudSearch Domain's Search as a POST, Machine Learning's
//! Predict endpoint, and the trace id forwarded inside AWS Lambda; and the calls both
//! refuse before sending (bucket names, non-ASCII metadata). What moto can answer is
//! compared with the AWS CLI in `crates/inia-cli/tests/parity.rs`.
//!
//! Both sides get the same environment, credentials and fixed clock; botocore (the
//! pinned release, from `.cache/botocore-venv`) prepares and signs its request and stops
//! before sending (`py/prepare_request.py`). Compared: method, URL, body and every header
//! botocore sends but its bookkeeping (`user-agent`, `amz-sdk-invocation-id`,
//! `amz-sdk-request`) and `expect` (see `compare`), so the signature too. Presigned URLs are compared with botocore's
//! own signer (no CRT), which orders `X-Amz-Expires` before `X-Amz-SignedHeaders` as the
//! AWS CLI v1 does; the CRT's signer swaps the two (same signature).

use inia::auth::config::Env;
use inia::Session;
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, UNIX_EPOCH};

/// 2026-01-02T03:04:05Z.
const TIME: &str = "2026-01-02T03:04:05Z";
const EPOCH: u64 = 1_767_323_045;

#[derive(Clone)]
struct Case {
    service: &'static str,
    region: &'static str,
    operation: &'static str,
    params: Value,
    env: Vec<(&'static str, &'static str)>,
    endpoint_url: Option<&'static str>,
    /// inia's params when they differ (a blob is base64 text in inia's values).
    inia_params: Option<Value>,
    /// A JSON body compared as a value: botocore writes `", "` and `": "` between items,
    /// inia nothing, so the length and the signature over the body differ too.
    json_body: bool,
    /// Not signed (`--no-sign-request`).
    unsigned: bool,
    /// The body is an `aws-chunked` stream inia's prepared request does not hold: only
    /// the headers that announce it are compared (botocore sends it with
    /// `Transfer-Encoding: chunked`, inia with its length).
    streamed_body: bool,
}

fn case(service: &'static str, operation: &'static str, params: Value) -> Case {
    Case {
        service,
        region: "us-east-1",
        operation,
        params,
        env: vec![],
        endpoint_url: None,
        inia_params: None,
        json_body: false,
        unsigned: false,
        streamed_body: false,
    }
}

fn python() -> PathBuf {
    let p = inia_conformance::botocore::cache_dir().join("botocore-venv/bin/python");
    assert!(
        p.is_file(),
        "{} is missing: run `cargo xtask test` (it installs botocore[crt]==1.44.5 there)",
        p.display()
    );
    p
}

fn environment(case: &Case) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        (
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.extend(case.env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

fn botocore(case: &Case) -> Value {
    let input = json!({
        "service": case.service, "region": case.region, "operation": case.operation,
        "params": case.params, "time": TIME, "without_crt": true,
        "endpoint_url": case.endpoint_url, "unsigned": case.unsigned,
        "env": environment(case).into_iter().map(|(k, v)| (k, Value::from(v)))
            .collect::<serde_json::Map<_, _>>(),
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/py/prepare_request.py");
    let mut child = Command::new(python())
        .arg(script)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "botocore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("botocore's JSON")
}

async fn inia(case: &Case) -> Result<inia::http::Request<bytes::Bytes>, inia::Error> {
    let mut e = Env::empty();
    for (k, v) in environment(case) {
        e = e.with_var(k, v);
    }
    let mut b = Session::builder()
        .env(e)
        .spec_dir(inia_conformance::botocore::wheel_data().unwrap())
        .region(case.region)
        .unsigned(case.unsigned);
    if let Some(url) = case.endpoint_url {
        b = b.endpoint_url(url);
    }
    let client = b.build().unwrap().client(case.service).unwrap();
    let time = UNIX_EPOCH + Duration::from_secs(EPOCH);
    let params = case.inia_params.clone().unwrap_or(case.params.clone());
    client.prepare(case.operation, params, Some(time)).await
}

/// Both prepare the same request.
async fn compare(case: Case) {
    let theirs = botocore(&case);
    let what = format!("{} {} {}", case.service, case.operation, case.params);
    assert!(
        theirs.get("error").is_none(),
        "{what}: botocore refused: {theirs}"
    );
    let ours = inia(&case)
        .await
        .unwrap_or_else(|e| panic!("{what}: inia refused: {e}"));
    assert_eq!(theirs["url"], ours.uri().to_string(), "{what}: URL");
    assert_eq!(theirs["method"], ours.method().as_str(), "{what}");
    let body = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, ours.body());
    let shown = |b: &Value| {
        let bytes = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            b.as_str().unwrap_or(""),
        )
        .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let (theirs_body, ours_body) = (shown(&theirs["body"]), shown(&Value::from(body)));
    // `expect: 100-continue` (botocore's on S3 uploads) is left out by inia: its
    // transport does not wait for the interim answer (docs/cli.md).
    let mut skipped = vec![
        "user-agent",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "expect",
    ];
    if case.streamed_body {
        // Compared by the headers that announce it.
    } else if case.json_body {
        let value = |t: &str| serde_json::from_str::<Value>(t).unwrap_or(Value::Null);
        assert_eq!(value(&theirs_body), value(&ours_body), "{what}: body");
        skipped.extend(["content-length", "authorization"]);
    } else {
        assert_eq!(theirs_body, ours_body, "{what}: body");
    }
    for (name, value) in theirs["headers"].as_object().unwrap() {
        let announces = [
            "content-encoding",
            "x-amz-content-sha256",
            "x-amz-trailer",
            "x-amz-decoded-content-length",
            "x-amz-sdk-checksum-algorithm",
        ];
        if skipped.contains(&name.as_str())
            || (case.streamed_body && !announces.contains(&name.as_str()))
        {
            continue;
        }
        let mine = ours.headers().get(name).map(|v| v.to_str().unwrap_or(""));
        assert_eq!(mine, value.as_str(), "{what}: header {name}");
    }
}

/// Both refuse before sending; inia's error names `path`.
async fn both_refuse(case: Case, path: &str) {
    let theirs = botocore(&case);
    let what = format!("{} {} {}", case.service, case.operation, case.params);
    assert_eq!(
        theirs["error"], "ParamValidationError",
        "{what}: botocore sent {theirs}"
    );
    match inia(&case).await {
        Err(inia::Error::Param { path: p, .. }) => assert_eq!(p, path, "{what}"),
        other => panic!("{what}: inia did not refuse the parameter: {other:?}"),
    }
}

#[tokio::test]
async fn ec2_copy_snapshot_carries_a_presigned_url() {
    let params = json!({"SourceRegion": "us-west-2", "SourceSnapshotId": "snap-0123456789abcdef0",
        "Description": "copy of a b+c/é"});
    compare(case("ec2", "CopySnapshot", params.clone())).await;
    // A session token is signed into the URL, before the signature.
    let mut with_token = case("ec2", "CopySnapshot", params.clone());
    with_token.env = vec![("AWS_SESSION_TOKEN", "token/with+chars=")];
    compare(with_token).await;
    // The caller's own URL is sent as given, and no DestinationRegion is added.
    let mut given = params;
    given["PresignedUrl"] = json!("https://example.com/presigned");
    compare(case("ec2", "CopySnapshot", given)).await;
}

#[tokio::test]
async fn rds_family_copies_with_a_source_region_carry_a_presigned_url() {
    let snapshot = "arn:aws:rds:us-west-2:123456789012:snapshot:rds:db-2026-01-01";
    compare(case(
        "rds",
        "CopyDBSnapshot",
        json!({"SourceDBSnapshotIdentifier": snapshot, "TargetDBSnapshotIdentifier": "copy",
               "SourceRegion": "us-west-2", "KmsKeyId": "alias/k"}),
    ))
    .await;
    // Without SourceRegion: a copy within the region, nothing added.
    compare(case(
        "rds",
        "CopyDBSnapshot",
        json!({"SourceDBSnapshotIdentifier": "s", "TargetDBSnapshotIdentifier": "t"}),
    ))
    .await;
    // SourceRegion is never sent; the caller's PreSignedUrl is kept.
    compare(case(
        "rds",
        "CreateDBInstanceReadReplica",
        json!({"DBInstanceIdentifier": "replica", "SourceDBInstanceIdentifier": "arn:aws:rds:us-west-2:123456789012:db:src",
               "SourceRegion": "us-west-2", "PreSignedUrl": "https://example.com/p"}),
    ))
    .await;
    for (service, operation, params) in [
        (
            "rds",
            "CreateDBCluster",
            json!({"DBClusterIdentifier": "c", "Engine": "aurora-mysql", "SourceRegion": "eu-west-1"}),
        ),
        (
            "rds",
            "CopyDBClusterSnapshot",
            json!({"SourceDBClusterSnapshotIdentifier": "s", "TargetDBClusterSnapshotIdentifier": "t",
                   "SourceRegion": "us-west-2"}),
        ),
        (
            "rds",
            "StartDBInstanceAutomatedBackupsReplication",
            json!({"SourceDBInstanceArn": "arn:aws:rds:us-west-2:123456789012:db:src",
                   "SourceRegion": "us-west-2"}),
        ),
        (
            "neptune",
            "CopyDBClusterSnapshot",
            json!({"SourceDBClusterSnapshotIdentifier": "s", "TargetDBClusterSnapshotIdentifier": "t",
                   "SourceRegion": "us-west-2"}),
        ),
        (
            "docdb",
            "CreateDBCluster",
            json!({"DBClusterIdentifier": "c", "Engine": "docdb", "SourceRegion": "us-west-2"}),
        ),
    ] {
        compare(case(service, operation, params)).await;
    }
}

#[tokio::test]
async fn sse_c_keys_go_base64_with_their_md5() {
    let key = "0123456789abcdef0123456789abcdef";
    let sse = |op, mut params: Value| {
        params["SSECustomerAlgorithm"] = json!("AES256");
        params["SSECustomerKey"] = json!(key);
        case("s3", op, params)
    };
    let object = json!({"Bucket": "b", "Key": "k"});
    compare(sse("GetObject", object.clone())).await;
    compare(sse("HeadObject", object.clone())).await;
    compare(sse("CreateMultipartUpload", object.clone())).await;
    let mut copy = object.clone();
    copy["CopySource"] = json!("src/a b");
    copy["CopySourceSSECustomerAlgorithm"] = json!("AES256");
    copy["CopySourceSSECustomerKey"] = json!("fedcba9876543210fedcba9876543210");
    compare(sse("CopyObject", copy.clone())).await;
    copy["PartNumber"] = json!(1);
    copy["UploadId"] = json!("up");
    compare(sse("UploadPartCopy", copy)).await;
    // The caller's MD5: both take the key as given.
    let mut given = sse("GetObject", object);
    given.params["SSECustomerKeyMD5"] = json!("given");
    compare(given).await;
}

#[tokio::test]
async fn s3_listings_ask_for_url_encoding() {
    for op in ["ListObjects", "ListObjectsV2", "ListObjectVersions"] {
        compare(case("s3", op, json!({"Bucket": "b", "Prefix": "a b/é"}))).await;
        compare(case(
            "s3",
            op,
            json!({"Bucket": "b", "EncodingType": "url"}),
        ))
        .await;
    }
}

#[tokio::test]
async fn s3_request_rewrites() {
    // An access point ARN in a dict copy source names the object under `/object/`.
    let mut copy = case(
        "s3",
        "CopyObject",
        json!({"Bucket": "b", "Key": "k",
               "CopySource": {"Bucket": "arn:aws:s3:us-west-2:123456789012:accesspoint/myap",
                              "Key": "dir/a b", "VersionId": "v1"}}),
    );
    copy.region = "us-west-2";
    compare(copy).await;
    // Line breaks in keys survive XML: sent as character references (and the checksum
    // is of the escaped body).
    compare(case(
        "s3",
        "DeleteObjects",
        json!({"Bucket": "b", "Delete": {"Objects": [{"Key": "line\nbreak\r"}]}}),
    ))
    .await;
    both_refuse(
        case("s3", "GetObject", json!({"Bucket": "b/c", "Key": "k"})),
        "Bucket",
    )
    .await;
    both_refuse(
        case(
            "s3",
            "PutObject",
            json!({"Bucket": "b", "Key": "k", "Metadata": {"k": "é"}}),
        ),
        "Metadata.k",
    )
    .await;
}

/// A call with a blob payload (Glacier's `body`, S3's `Body`): raw text for botocore,
/// base64 text for inia.
fn with_body(service: &'static str, operation: &'static str, params: Value, body: &str) -> Case {
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, body);
    let member = if service == "s3" { "Body" } else { "body" };
    let mut c = case(service, operation, params.clone());
    c.params[member] = json!(body);
    let mut ours = params;
    ours[member] = json!(b64);
    c.inia_params = Some(ours);
    c
}

#[tokio::test]
async fn glacier_account_version_and_checksums() {
    compare(case("glacier", "ListVaults", json!({}))).await;
    compare(with_body(
        "glacier",
        "UploadArchive",
        json!({"vaultName": "v"}),
        "hello",
    ))
    .await;
    // Three leaves and a bit: the tree is two levels deep.
    let big: String = (0..3 * 1024 * 1024 + 5)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    compare(with_body(
        "glacier",
        "UploadMultipartPart",
        json!({"accountId": "123456789012", "vaultName": "v", "uploadId": "u",
               "range": "bytes 0-3145732/*"}),
        &big,
    ))
    .await;
    // A caller's tree hash is sent as given.
    compare(with_body(
        "glacier",
        "UploadArchive",
        json!({"vaultName": "v", "checksum": "abc"}),
        "hello",
    ))
    .await;
}

#[tokio::test]
async fn inputs_renamed_or_encoded() {
    compare(case(
        "ec2",
        "RunInstances",
        json!({"ImageId": "ami-1", "MinCount": 1, "MaxCount": 1, "UserData": "#!/bin/sh\necho é",
               "ClientToken": "token-1"}),
    ))
    .await;
    compare(case(
        "autoscaling",
        "CreateLaunchConfiguration",
        json!({"LaunchConfigurationName": "l", "UserData": "hello"}),
    ))
    .await;
    compare(case(
        "ec2",
        "DescribeNatGateways",
        json!({"Filters": [{"Name": "state", "Values": ["available"]}]}),
    ))
    .await;
    let mut export = case(
        "logs",
        "CreateExportTask",
        json!({"logGroupName": "g", "fromTime": 1, "to": 2, "destination": "b"}),
    );
    export.json_body = true;
    compare(export).await;
}

#[tokio::test]
async fn headers_urls_and_methods_botocore_sets() {
    compare(case("apigateway", "GetRestApis", json!({}))).await;
    compare(case("dynamodb", "DescribeEndpoints", json!({}))).await;
    let mut search = case(
        "cloudsearchdomain",
        "Search",
        json!({"query": "star wars", "returnFields": "title"}),
    );
    search.endpoint_url = Some("https://search-movies-abc.us-east-1.cloudsearch.amazonaws.com");
    compare(search).await;
    let mut predict = case(
        "machinelearning",
        "Predict",
        json!({"MLModelId": "m", "Record": {"a": "1"},
               "PredictEndpoint": "https://realtime.machinelearning.us-east-1.amazonaws.com"}),
    );
    predict.json_body = true;
    compare(predict).await;
    let mut lambda = case("sts", "GetCallerIdentity", json!({}));
    lambda.env = vec![
        ("AWS_LAMBDA_FUNCTION_NAME", "f"),
        (
            "_X_AMZN_TRACE_ID",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1 é",
        ),
    ];
    compare(lambda).await;
}

/// An unsigned upload over TLS: the checksum in an `aws-chunked` trailer, the payload
/// stated in `x-amz-content-sha256` since no signature does.
#[tokio::test]
async fn unsigned_uploads_state_their_trailer() {
    let mut put = with_body(
        "s3",
        "PutObject",
        json!({"Bucket": "b", "Key": "k"}),
        "hello",
    );
    put.unsigned = true;
    put.streamed_body = true;
    compare(put).await;
}

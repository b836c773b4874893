//! inia's prepared requests against botocore's, for the endpoint features AWS users
//! switch on: access-point, Outposts and Multi-Region Access Point ARNs as S3 buckets,
//! FIPS and dual-stack endpoints (environment and profile keys), the profile's `s3 =`
//! section (addressing style, accelerate, `us_east_1_regional_endpoint`,
//! `use_arn_region`, `s3_disable_multiregion_access_points`), configured endpoint URLs
//! (`AWS_ENDPOINT_URL[_<SERVICE_ID>]`, the `services` section, `endpoint_url`,
//! `ignore_configured_endpoint_urls`), a custom S3 endpoint with virtual addressing, and
//! the credentials' account id (DynamoDB), and smithy-rpc-v2-cbor requests (the three
//! services of botocore 1.44.5 that speak only CBOR: EventBridge v2, CloudWatch Omni,
//! Partner Central Revenue Measurement; CloudWatch's choice of json). Calls both refuse are compared by message
//! (botocore's quotes the rule's). Both sides get the same settings (environment
//! variables and a config file), the same credentials and the same fixed clock; botocore
//! (the pinned release, from `.cache/botocore-venv`) prepares and signs its request and
//! stops before sending (`py/prepare_request.py`). Nothing is sent anywhere: those
//! hosts are not reachable here.
//!
//! Compared: method, URL, body and every header botocore sends except its own
//! bookkeeping (`user-agent`, `amz-sdk-invocation-id`, `amz-sdk-request`), the
//! `authorization` header (so the signature) included.

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
const KEY_ID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn python() -> PathBuf {
    let p = inia_conformance::botocore::cache_dir().join("botocore-venv/bin/python");
    assert!(
        p.is_file(),
        "{} is missing: run `cargo xtask test` (it installs botocore[crt]==1.44.5 there)",
        p.display()
    );
    p
}

#[derive(Clone)]
struct Case {
    service: &'static str,
    region: &'static str,
    operation: &'static str,
    params: Value,
    env: Vec<(&'static str, &'static str)>,
    config: Option<&'static str>,
    url: &'static str,
    /// botocore without the CRT (SigV4 where SigV4a is also offered).
    without_crt: bool,
}

fn base_env(config: &str) -> Vec<(String, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID".into(), KEY_ID.into()),
        ("AWS_SECRET_ACCESS_KEY".into(), SECRET.into()),
        ("AWS_CONFIG_FILE".into(), config.into()),
        ("AWS_SHARED_CREDENTIALS_FILE".into(), "/dev/null".into()),
        // botocore asks for response checksums on GetObject (a signed header inia does
        // not send yet: the checksums issue); both sides without it.
        (
            "AWS_RESPONSE_CHECKSUM_VALIDATION".into(),
            "when_required".into(),
        ),
    ]
}

fn botocore(case: &Case, env: &[(String, String)]) -> Value {
    let input = json!({
        "service": case.service, "region": case.region, "operation": case.operation,
        "params": case.params, "time": TIME, "without_crt": case.without_crt,
        "env": env.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str())))
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

fn session(case: &Case, env: &[(String, String)]) -> Session {
    let mut e = Env::empty();
    for (k, v) in env {
        e = e.with_var(k.clone(), v.clone());
    }
    Session::builder()
        .env(e)
        .spec_dir(inia_conformance::botocore::wheel_data().unwrap())
        .region(case.region)
        .build()
        .unwrap()
}

fn config_file(case: &Case) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, case.config.unwrap_or("")).unwrap();
    let p = path.to_string_lossy().into_owned();
    (dir, p)
}

async fn compare(case: Case) {
    let (_dir, config) = config_file(&case);
    let mut env = base_env(&config);
    env.extend(case.env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let theirs = botocore(&case, &env);
    let client = session(&case, &env).client(case.service).unwrap();
    let time = UNIX_EPOCH + Duration::from_secs(EPOCH);
    let ours = client
        .prepare(case.operation, case.params.clone(), Some(time))
        .await
        .unwrap_or_else(|e| panic!("{} {}: {e}", case.service, case.operation));
    let what = format!("{} {} {}", case.service, case.operation, case.params);
    assert!(
        theirs.get("error").is_none(),
        "{what}: botocore refused: {theirs}"
    );
    assert_eq!(theirs["url"], case.url, "{what}: botocore's URL");
    assert_eq!(ours.uri().to_string(), case.url, "{what}: inia's URL");
    assert_eq!(theirs["method"], ours.method().as_str(), "{what}");
    let body = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, ours.body());
    assert_eq!(theirs["body"], body, "{what}: body");
    for (name, value) in theirs["headers"].as_object().unwrap() {
        if ["user-agent", "amz-sdk-invocation-id", "amz-sdk-request"].contains(&name.as_str()) {
            continue;
        }
        let mine = ours.headers().get(name).map(|v| v.to_str().unwrap_or(""));
        // ECDSA signatures differ from one signing to the next (the CRT's nonces are
        // random): a SigV4a `authorization` is compared up to its signature, which the
        // AWS signing test suite checks by verification (`sigv4a_suite`).
        let unsigned = |v: &str| match v.rsplit_once("Signature=") {
            Some((head, _)) if v.starts_with("AWS4-ECDSA-P256-SHA256 ") => head.to_string(),
            _ => v.to_string(),
        };
        assert_eq!(
            mine.map(unsigned),
            value.as_str().map(unsigned),
            "{what}: header {name}"
        );
    }
}

fn s3_get(region: &'static str, bucket: &str, url: &'static str) -> Case {
    Case {
        service: "s3",
        region,
        operation: "GetObject",
        params: json!({"Bucket": bucket, "Key": "report.csv"}),
        env: vec![],
        config: None,
        url,
        without_crt: false,
    }
}

#[tokio::test]
async fn access_point_arn() {
    compare(s3_get(
        "us-west-2",
        "arn:aws:s3:us-west-2:123456789012:accesspoint/myap",
        "https://myap-123456789012.s3-accesspoint.us-west-2.amazonaws.com/report.csv",
    ))
    .await;
}

/// The Outposts rules offer SigV4a, then SigV4 (signing name `s3-outposts`): botocore
/// with the CRT and inia both pick SigV4a.
#[tokio::test]
async fn outposts_arn() {
    compare(s3_get(
        "us-west-2",
        "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/reports",
        "https://reports-123456789012.op-01234567890123456.s3-outposts.us-west-2.amazonaws.com/report.csv",
    ))
    .await;
}

#[tokio::test]
async fn plain_and_dotted_buckets() {
    compare(s3_get(
        "us-east-1",
        "mybucket",
        "https://mybucket.s3.amazonaws.com/report.csv",
    ))
    .await;
    compare(s3_get(
        "eu-west-1",
        "mybucket",
        "https://mybucket.s3.eu-west-1.amazonaws.com/report.csv",
    ))
    .await;
    compare(s3_get(
        "us-west-2",
        "my.bucket",
        "https://s3.us-west-2.amazonaws.com/my.bucket/report.csv",
    ))
    .await;
}

/// A Multi-Region Access Point signs with SigV4a (region set `*`), botocore through
/// the CRT, inia with its own signer; and with `AWS_SIGV4A_SIGNING_REGION_SET`.
#[tokio::test]
async fn multi_region_access_point() {
    let mut case = s3_get(
        "us-east-1",
        "arn:aws:s3::123456789012:accesspoint:mfzwi23gnjvgw.mrap",
        "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/report.csv",
    );
    compare(case.clone()).await;
    case.env = vec![("AWS_SIGV4A_SIGNING_REGION_SET", "us-east-1,us-west-2")];
    compare(case).await;
}

#[tokio::test]
async fn fips() {
    let fips = vec![("AWS_USE_FIPS_ENDPOINT", "true")];
    let call = |service, region, operation, url| Case {
        service,
        region,
        operation,
        params: json!({}),
        env: fips.clone(),
        config: None,
        url,
        without_crt: false,
    };
    compare(call(
        "sts",
        "us-east-1",
        "GetCallerIdentity",
        "https://sts-fips.us-east-1.amazonaws.com/",
    ))
    .await;
    compare(call(
        "ec2",
        "us-east-1",
        "DescribeInstances",
        "https://ec2-fips.us-east-1.amazonaws.com/",
    ))
    .await;
    compare(call(
        "kms",
        "us-gov-west-1",
        "ListKeys",
        "https://kms-fips.us-gov-west-1.amazonaws.com/",
    ))
    .await;
}

#[tokio::test]
async fn dual_stack() {
    let dual = vec![("AWS_USE_DUALSTACK_ENDPOINT", "true")];
    compare(Case {
        service: "ec2",
        region: "us-west-2",
        operation: "DescribeInstances",
        params: json!({}),
        env: dual.clone(),
        config: None,
        url: "https://ec2.us-west-2.api.aws/",
        without_crt: false,
    })
    .await;
    let mut s3 = s3_get(
        "us-east-1",
        "mybucket",
        "https://mybucket.s3.dualstack.us-east-1.amazonaws.com/report.csv",
    );
    s3.env = dual;
    compare(s3).await;
}

#[tokio::test]
async fn the_profiles_s3_section() {
    let mut path = s3_get(
        "us-west-2",
        "mybucket",
        "https://s3.us-west-2.amazonaws.com/mybucket/report.csv",
    );
    path.config = Some("[default]\ns3 =\n  addressing_style = path\n");
    compare(path).await;
    let mut fast = s3_get(
        "us-west-2",
        "mybucket",
        "https://mybucket.s3-accelerate.amazonaws.com/report.csv",
    );
    fast.config = Some("[default]\ns3 =\n  use_accelerate_endpoint = true\n");
    compare(fast).await;
}

/// The credentials' account id (`AWS_ACCOUNT_ID`, botocore 1.35+) is the rules'
/// `AWS::Auth::AccountId`: DynamoDB goes to the account's endpoint, unless
/// `account_id_endpoint_mode` is `disabled` (environment or profile).
#[tokio::test]
async fn account_id_from_credentials() {
    let ddb = |env: Vec<(&'static str, &'static str)>, config, url| Case {
        service: "dynamodb",
        region: "us-west-2",
        operation: "ListTables",
        params: json!({}),
        env,
        config,
        url,
        without_crt: false,
    };
    let account = ("AWS_ACCOUNT_ID", "111122223333");
    compare(ddb(
        vec![account],
        None,
        "https://111122223333.ddb.us-west-2.amazonaws.com/",
    ))
    .await;
    compare(ddb(
        vec![account, ("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")],
        None,
        "https://dynamodb.us-west-2.amazonaws.com/",
    ))
    .await;
    compare(ddb(
        vec![account],
        Some("[default]\naccount_id_endpoint_mode = disabled\n"),
        "https://dynamodb.us-west-2.amazonaws.com/",
    ))
    .await;
    compare(ddb(
        vec![],
        None,
        "https://dynamodb.us-west-2.amazonaws.com/",
    ))
    .await;
}

/// Endpoint URLs from the environment and the profile, in botocore's order:
/// `AWS_ENDPOINT_URL_<SERVICE_ID>`, `AWS_ENDPOINT_URL`, the profile's `services` section,
/// its `endpoint_url`; none of them under `ignore_configured_endpoint_urls`.
#[tokio::test]
async fn configured_endpoint_urls() {
    const CONFIG: &str = "[default]\nservices = local\nendpoint_url = http://profile.test:1\n\
                          [services local]\nsts =\n  endpoint_url = http://section.test:2\n";
    let sts = |env: Vec<(&'static str, &'static str)>, config, url| Case {
        service: "sts",
        region: "us-east-1",
        operation: "GetCallerIdentity",
        params: json!({}),
        env,
        config: Some(config),
        url,
        without_crt: false,
    };
    let service = ("AWS_ENDPOINT_URL_STS", "http://env-sts.test:3");
    let global = ("AWS_ENDPOINT_URL", "http://env-all.test:4");
    compare(sts(vec![service, global], CONFIG, "http://env-sts.test:3/")).await;
    compare(sts(vec![global], CONFIG, "http://env-all.test:4/")).await;
    compare(sts(vec![], CONFIG, "http://section.test:2/")).await;
    let no_sts = "[default]\nservices = local\nendpoint_url = http://profile.test:1\n\
                  [services local]\ndynamodb =\n  endpoint_url = http://section.test:2\n";
    compare(sts(vec![], no_sts, "http://profile.test:1/")).await;
    let aws = "https://sts.us-east-1.amazonaws.com/";
    let ignore = ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    compare(sts(vec![service, global, ignore], CONFIG, aws)).await;
    let ignored = "[default]\nignore_configured_endpoint_urls = true\n\
                   endpoint_url = http://profile.test:1\n";
    compare(sts(vec![global], ignored, aws)).await;
}

/// A call both refuse before sending: botocore's message quotes the rule's, which is
/// inia's whole message.
async fn compare_refusal(case: Case, message: &str) {
    let (_dir, config) = config_file(&case);
    let mut env = base_env(&config);
    env.extend(case.env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let theirs = botocore(&case, &env);
    let what = format!("{} {} {:?}", case.service, case.operation, case.env);
    let their_message = theirs["message"].as_str().unwrap_or_default();
    assert!(
        their_message.contains(message),
        "{what}: botocore: {theirs}"
    );
    let client = session(&case, &env).client(case.service).unwrap();
    let time = UNIX_EPOCH + Duration::from_secs(EPOCH);
    let e = client
        .prepare(case.operation, case.params.clone(), Some(time))
        .await
        .expect_err(&what);
    assert_eq!(e.to_string(), message, "{what}");
}

/// `AWS_ENDPOINT_URL_<SERVICE_ID>` and the services section for a service id of two
/// words (`Secrets Manager`: `AWS_ENDPOINT_URL_SECRETS_MANAGER`, `secrets_manager =`).
#[tokio::test]
async fn service_specific_endpoint_of_a_two_word_service_id() {
    let call = |env: Vec<(&'static str, &'static str)>, config, url| Case {
        service: "secretsmanager",
        region: "eu-central-1",
        operation: "ListSecrets",
        params: json!({}),
        env,
        config,
        url,
        without_crt: false,
    };
    compare(call(
        vec![("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://secrets.test:7")],
        None,
        "http://secrets.test:7/",
    ))
    .await;
    compare(call(
        vec![],
        Some("[default]\nservices = s\n[services s]\nsecrets_manager =\n  endpoint_url = http://section.test:8\n"),
        "http://section.test:8/",
    ))
    .await;
}

/// S3 in us-east-1 goes to the global endpoint unless `us_east_1_regional_endpoint` is
/// `regional` (the `s3` section or `AWS_S3_US_EAST_1_REGIONAL_ENDPOINT`).
#[tokio::test]
async fn s3_us_east_1_regional_endpoint() {
    let regional = "https://mybucket.s3.us-east-1.amazonaws.com/report.csv";
    let mut section = s3_get("us-east-1", "mybucket", regional);
    section.config = Some("[default]\ns3 =\n  us_east_1_regional_endpoint = regional\n");
    compare(section).await;
    let mut env = s3_get("us-east-1", "mybucket", regional);
    env.env = vec![("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "regional")];
    compare(env).await;
    let mut legacy = s3_get(
        "us-east-1",
        "mybucket",
        "https://mybucket.s3.amazonaws.com/report.csv",
    );
    legacy.config = Some("[default]\ns3 =\n  us_east_1_regional_endpoint = legacy\n");
    compare(legacy).await;
}

/// An access point in another region than the client's: used there (and signed for
/// it) by default; refused with `use_arn_region = false` (the `s3` section or
/// `AWS_S3_USE_ARN_REGION`).
#[tokio::test]
async fn s3_use_arn_region() {
    let arn = "arn:aws:s3:us-east-1:123456789012:accesspoint/myap";
    compare(s3_get(
        "us-west-2",
        arn,
        "https://myap-123456789012.s3-accesspoint.us-east-1.amazonaws.com/report.csv",
    ))
    .await;
    let refused = "Invalid configuration: region from ARN `us-east-1` does not match client \
                   region `us-west-2` and UseArnRegion is `false`";
    let mut section = s3_get("us-west-2", arn, "");
    section.config = Some("[default]\ns3 =\n  use_arn_region = false\n");
    compare_refusal(section, refused).await;
    let mut env = s3_get("us-west-2", arn, "");
    env.env = vec![("AWS_S3_USE_ARN_REGION", "false")];
    compare_refusal(env, refused).await;
}

/// Multi-Region Access Points refused under `s3_disable_multiregion_access_points`
/// (the `s3` section or `AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS`).
#[tokio::test]
async fn s3_disable_multiregion_access_points() {
    let arn = "arn:aws:s3::123456789012:accesspoint:mfzwi23gnjvgw.mrap";
    let refused = "Invalid configuration: Multi-Region Access Point ARNs are disabled.";
    let mut section = s3_get("us-east-1", arn, "");
    section.config = Some("[default]\ns3 =\n  s3_disable_multiregion_access_points = true\n");
    compare_refusal(section, refused).await;
    let mut env = s3_get("us-east-1", arn, "");
    env.env = vec![("AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS", "true")];
    compare_refusal(env, refused).await;
}

/// The profile's own `use_fips_endpoint` and `use_dualstack_endpoint` keys.
#[tokio::test]
async fn fips_and_dual_stack_from_the_profile() {
    let call = |service, operation, config, url| Case {
        service,
        region: "us-west-2",
        operation,
        params: json!({}),
        env: vec![],
        config: Some(config),
        url,
        without_crt: false,
    };
    compare(call(
        "sts",
        "GetCallerIdentity",
        "[default]\nuse_fips_endpoint = true\n",
        "https://sts-fips.us-west-2.amazonaws.com/",
    ))
    .await;
    compare(call(
        "ec2",
        "DescribeInstances",
        "[default]\nuse_dualstack_endpoint = true\n",
        "https://ec2.us-west-2.api.aws/",
    ))
    .await;
    let mut s3 = s3_get(
        "us-west-2",
        "mybucket",
        "https://mybucket.s3.dualstack.us-west-2.amazonaws.com/report.csv",
    );
    s3.config = Some("[default]\nuse_dualstack_endpoint = true\n");
    compare(s3).await;
}

/// A custom S3 endpoint is addressed path style, unless the `s3` section asks for
/// `addressing_style = virtual`: then the bucket goes into the custom host.
#[tokio::test]
async fn custom_endpoint_with_virtual_addressing() {
    let custom = vec![("AWS_ENDPOINT_URL", "https://storage.example.test")];
    let mut path = s3_get(
        "eu-west-1",
        "mybucket",
        "https://storage.example.test/mybucket/report.csv",
    );
    path.env = custom.clone();
    compare(path).await;
    let mut virtual_host = s3_get(
        "eu-west-1",
        "mybucket",
        "https://mybucket.storage.example.test/report.csv",
    );
    virtual_host.env = custom;
    virtual_host.config = Some("[default]\ns3 =\n  addressing_style = virtual\n");
    compare(virtual_host).await;
}

/// smithy-rpc-v2-cbor, byte for byte (the body, so the signature too): EventBridge v2 and
/// CloudWatch Omni list only that protocol. Timestamps with and without a fraction,
/// doubles, integers, booleans, a union, maps and nested lists. CloudWatch lists it first
/// (`["smithy-rpc-v2-cbor", "json", "query"]`), yet botocore speaks json there, and so
/// does inia.
#[tokio::test]
async fn rpc_v2_cbor_requests_match_botocore() {
    let call = |service, operation, params, url| Case {
        service,
        region: "us-east-1",
        operation,
        params,
        env: vec![],
        config: None,
        url,
        without_crt: false,
    };
    let events = json!({
        "EventBusArn": "arn:aws:events:us-east-1:111122223333:event-bus/orders",
        "Entries": [
            {"Source": "shop", "DetailType": "placed", "Detail": "{\"id\": 7}",
             "Resources": ["a", "b"], "Time": "2026-01-02T03:04:05.25Z",
             "SystemMetadata": {"EventGroupId": "g"}},
            {"Source": "shop", "DetailType": "paid", "Time": "2026-01-02T03:04:05Z"}
        ],
        "DeduplicationConfiguration": {"DeduplicationType": "CONTENT_BASED"}
    });
    compare(call(
        "eventbridgev2",
        "PutEvents",
        events,
        "https://111122223333.eventsv2.us-east-1.amazonaws.com/service/AWSEventsV2/operation/PutEvents",
    ))
    .await;
    let alert = json!({
        "spaceId": "0b7f3c2e-1d4a-4b6e-9f00-123456789abc", "profileId": "ops",
        "name": "errors", "clientToken": "token-1",
        "rule": {"telemetryRule": {
            "query": {"language": "SQL", "expression": "SELECT count(*) FROM logs"},
            "condition": {"thresholdMode": "FIELD_VALUE", "thresholdField": "n",
                          "comparator": "GTE", "warningThreshold": 0.1,
                          "criticalThreshold": 12345.678},
            "evaluation": {"intervalSeconds": 60, "pendingDurationSeconds": 300},
            "noData": {"treatAs": "OK"}}},
        "notificationsEnabled": false,
        "tags": {"team": "core", "cost": "42"},
        "notificationRules": [{"trigger": {"stateValues": ["WARNING", "CRITICAL"]},
                               "target": {"type": "sns",
                                          "arn": "arn:aws:sns:us-east-1:111122223333:t",
                                          "metadata": {"k": "v"}}}]
    });
    compare(call(
        "cloudwatchomni",
        "CreateAlert",
        alert,
        "https://cloudwatch-omni.us-east-1.api.aws/service/CloudWatchOmniFrontend/operation/CreateAlert",
    ))
    .await;
    // Partner Central Revenue Measurement: CBOR only, and SigV4a first in its auth list.
    let attribution = json!({
        "Catalog": "Sandbox", "ClientToken": "token-7", "Name": "attribution one",
        "Description": "a description with \u{e9}", "TenancyModel": "MULTI_TENANT",
        "ProductIdentifier": "prod-1234",
        "Tags": [{"Key": "team", "Value": "core"}, {"Key": "cost", "Value": ""}]
    });
    compare(call(
        "partnercentral-revenue-measurement",
        "CreateRevenueAttribution",
        attribution,
        "https://partnercentral-prm.global.api.aws/service/PartnerCentralRevenueMeasurement/operation/CreateRevenueAttribution",
    ))
    .await;
    // CloudWatch: the same protocol on both sides (botocore's JSON has spaces after its
    // separators, inia's not, so the bodies compare as JSON).
    let watch = call(
        "cloudwatch",
        "ListMetrics",
        json!({"Namespace": "AWS/EC2"}),
        "https://monitoring.us-east-1.amazonaws.com/",
    );
    let (_dir, config) = config_file(&watch);
    let env = base_env(&config);
    let theirs = botocore(&watch, &env);
    let client = session(&watch, &env).client("cloudwatch").unwrap();
    let ours = client
        .prepare("ListMetrics", watch.params.clone(), None)
        .await
        .unwrap();
    for name in ["content-type", "x-amz-target"] {
        let mine = ours.headers().get(name).and_then(|v| v.to_str().ok());
        assert_eq!(mine, theirs["headers"][name].as_str(), "cloudwatch: {name}");
    }
    assert_eq!(ours.headers()["content-type"], "application/x-amz-json-1.0");
    let b64 = |s: &str| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, s);
    let theirs_body: Value =
        serde_json::from_slice(&b64(theirs["body"].as_str().unwrap()).unwrap()).unwrap();
    let ours_body: Value = serde_json::from_slice(ours.body()).unwrap();
    assert_eq!(ours_body, theirs_body, "cloudwatch: body");
}

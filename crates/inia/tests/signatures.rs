//! Signatures checked by a server: moto started with `INITIAL_NO_AUTH_ACTION_COUNT=3`
//! lets three unchecked calls through (create an IAM user, give it an inline policy
//! allowing `*`, create its access key), then verifies every SigV4 signature against
//! that key with botocore's own signer. Calls signed with the real secret must pass, on
//! each protocol (query, ec2, json, rest-xml); calls signed with a wrong secret must be
//! refused with the service's code.

use inia::assume_role::AssumeRoleProvider;
use inia::auth::config::Env;
use inia::auth::provider::{ProvideCredentials, ProvideFuture};
use inia::{json, Body, Credentials, Error, Session, Value};
use inia_test_support::Moto;
use std::sync::Arc;

/// The unchecked setup calls: CreateUser, PutUserPolicy, CreateAccessKey.
const SETUP_CALLS: &str = "3";

struct Signed {
    moto: Moto,
    key: Credentials,
    good: Session,
    bad: Session,
}

fn session(moto: &Moto, creds: Credentials) -> Session {
    Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials(creds)
        .env(Env::empty())
        .build()
        .expect("session")
}

/// moto with signature checks on, and sessions with the right and a wrong secret.
async fn signed_moto() -> Signed {
    let moto = Moto::start(&[("INITIAL_NO_AUTH_ACTION_COUNT", SETUP_CALLS)]);
    let setup = session(
        &moto,
        Credentials::new("AKIDSETUP", "unchecked", None, None, "test"),
    );
    let iam = setup.client("iam").unwrap();
    iam.call("CreateUser", json!({"UserName": "signer"}))
        .await
        .unwrap();
    let policy = json!({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    iam.call(
        "PutUserPolicy",
        json!({"UserName": "signer", "PolicyName": "all", "PolicyDocument": policy.to_string()}),
    )
    .await
    .unwrap();
    let key = iam
        .call("CreateAccessKey", json!({"UserName": "signer"}))
        .await
        .unwrap();
    let id = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let secret = key["AccessKey"]["SecretAccessKey"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(id.starts_with("AKIA"), "{id}");
    let key = Credentials::new(id.clone(), secret.clone(), None, None, "test");
    let good = session(&moto, key.clone());
    let bad = session(
        &moto,
        Credentials::new(id, format!("{secret}x"), None, None, "test"),
    );
    Signed {
        moto,
        key,
        good,
        bad,
    }
}

async fn call(s: &Session, service: &str, op: &str, params: Value) -> Result<Value, Error> {
    s.client(service).unwrap().call(op, params).await
}

/// The service error's (status, code), or a panic naming what came instead.
fn refused(r: Result<Value, Error>) -> (u16, String) {
    match r {
        Err(Error::Service { error, .. }) => (error.status, error.code.clone()),
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_and_ec2_protocols() {
    let m = signed_moto().await;
    let who = call(&m.good, "sts", "GetCallerIdentity", json!({}))
        .await
        .unwrap();
    assert_eq!(who["Arn"], "arn:aws:iam::123456789012:user/signer", "{who}");
    let regions = call(&m.good, "ec2", "DescribeRegions", json!({}))
        .await
        .unwrap();
    assert!(
        regions["Regions"].as_array().is_some_and(|r| r.len() > 10),
        "{regions}"
    );
    let users = call(&m.good, "iam", "ListUsers", json!({})).await.unwrap();
    assert_eq!(users["Users"][0]["UserName"], "signer", "{users}");

    let r = call(&m.bad, "sts", "GetCallerIdentity", json!({})).await;
    assert_eq!(refused(r), (403, "SignatureDoesNotMatch".into()));
    let r = call(&m.bad, "iam", "ListUsers", json!({})).await;
    assert_eq!(refused(r), (403, "SignatureDoesNotMatch".into()));
    let r = call(&m.bad, "ec2", "DescribeRegions", json!({})).await;
    assert_eq!(refused(r).1, "AuthFailure");

    // A key id moto does not know.
    let stranger = session(
        &m.moto,
        Credentials::new("AKIAUNKNOWN000000000", "x", None, None, "test"),
    );
    let r = call(&stranger, "sts", "GetCallerIdentity", json!({})).await;
    assert_eq!(refused(r).1, "InvalidClientTokenId");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_protocols() {
    let m = signed_moto().await;
    let q = call(
        &m.good,
        "sqs",
        "CreateQueue",
        json!({"QueueName": "signed-q"}),
    )
    .await
    .unwrap();
    assert!(
        q["QueueUrl"]
            .as_str()
            .is_some_and(|u| u.ends_with("/signed-q")),
        "{q}"
    );
    let queues = call(&m.good, "sqs", "ListQueues", json!({})).await.unwrap();
    assert_eq!(
        queues["QueueUrls"].as_array().map(Vec::len),
        Some(1),
        "{queues}"
    );
    let tables = call(&m.good, "dynamodb", "ListTables", json!({}))
        .await
        .unwrap();
    assert_eq!(tables["TableNames"], json!([]), "{tables}");
    let topic = call(&m.good, "sns", "CreateTopic", json!({"Name": "signed-t"}))
        .await
        .unwrap();
    assert!(
        topic["TopicArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(":signed-t")),
        "{topic}"
    );
    let topics = call(&m.good, "sns", "ListTopics", json!({})).await.unwrap();
    assert_eq!(
        topics["Topics"][0]["TopicArn"], topic["TopicArn"],
        "{topics}"
    );

    // moto answers a refused signature on these JSON-protocol services with a
    // query-style XML error document (`<ErrorResponse><Errors><Error><Code>
    // SignatureDoesNotMatch`...), status 403, `Content-Type: text/html`, and no
    // `x-amzn-query-error` header. A JSON parser cannot read that body: like botocore's
    // (`BaseJSONParser._do_error_parse`), the engine then reports the HTTP status as the
    // code ("403") and the raw body as the message, where the real code shows.
    for (service, op) in [("sqs", "ListQueues"), ("dynamodb", "ListTables")] {
        let e = call(&m.bad, service, op, json!({})).await.unwrap_err();
        let error = e.service_error().expect("a service error");
        assert_eq!(
            (error.status, error.code.as_str()),
            (403, "403"),
            "{service}: {e}"
        );
        assert!(
            error.message.contains("SignatureDoesNotMatch"),
            "{service}: {e}"
        );
    }
    let r = call(&m.bad, "sns", "ListTopics", json!({})).await;
    assert_eq!(refused(r), (403, "SignatureDoesNotMatch".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_xml_s3_with_awkward_keys() {
    let m = signed_moto().await;
    let s3 = m.good.client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": "signed-bucket"}))
        .await
        .unwrap();
    let keys = [
        "plain.txt",
        "with spaces/a b.txt",
        "unicode/é 日本.txt",
        "plus+sign+.txt",
        "tilde~x~.txt",
        "mixed/a b+c~é日本 (1).txt",
    ];
    for (i, key) in keys.iter().enumerate() {
        let content = format!("body {i} of {key}");
        s3.call_with(
            "PutObject",
            json!({"Bucket": "signed-bucket", "Key": key, "ContentType": "text/plain"}),
            Some(Body::from_bytes(content.clone())),
        )
        .await
        .unwrap_or_else(|e| panic!("PutObject {key:?}: {e}"));
        let out = s3
            .call_with(
                "GetObject",
                json!({"Bucket": "signed-bucket", "Key": key}),
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("GetObject {key:?}: {e}"));
        let got = out.body.expect("a body").bytes().await.unwrap();
        assert_eq!(&got[..], content.as_bytes(), "{key}");
    }
    let list = s3
        .call("ListObjectsV2", json!({"Bucket": "signed-bucket"}))
        .await
        .unwrap();
    let mut listed: Vec<&str> = list["Contents"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["Key"].as_str())
        .collect();
    listed.sort_unstable();
    let mut want = keys.to_vec();
    want.sort_unstable();
    assert_eq!(listed, want);

    let bad = m.bad.client("s3").unwrap();
    let r = bad
        .call("CreateBucket", json!({"Bucket": "other-bucket"}))
        .await;
    assert_eq!(refused(r), (403, "SignatureDoesNotMatch".into()));
    let r = bad
        .call_with(
            "PutObject",
            json!({"Bucket": "signed-bucket", "Key": "unicode/é 日本.txt"}),
            Some(Body::from_bytes("x")),
        )
        .await
        .map(|o| o.value);
    assert_eq!(refused(r), (403, "SignatureDoesNotMatch".into()));
    let r = bad
        .call(
            "GetObject",
            json!({"Bucket": "signed-bucket", "Key": "plain.txt"}),
        )
        .await;
    assert_eq!(refused(r), (403, "SignatureDoesNotMatch".into()));
}

/// Fixed credentials as a provider (the assume-role source).
#[derive(Debug)]
struct Fixed(Credentials);

impl ProvideCredentials for Fixed {
    fn name(&self) -> &'static str {
        "fixed"
    }
    fn provide(&self) -> ProvideFuture<'_> {
        let c = self.0.clone();
        Box::pin(async move { Ok(Some(c)) })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_token_credentials_from_assume_role() {
    let m = signed_moto().await;
    let iam = m.good.client("iam").unwrap();
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:user/signer"}, "Action": "sts:AssumeRole"}]});
    let role = iam
        .call(
            "CreateRole",
            json!({"RoleName": "worker", "AssumeRolePolicyDocument": trust.to_string()}),
        )
        .await
        .unwrap();
    let all = json!({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    iam.call(
        "PutRolePolicy",
        json!({"RoleName": "worker", "PolicyName": "all", "PolicyDocument": all.to_string()}),
    )
    .await
    .unwrap();
    let arn = role["Role"]["Arn"].as_str().unwrap().to_string();

    // AssumeRole itself is a signed call, checked by moto (and the trust policy).
    let provider = AssumeRoleProvider::builder(Arc::new(Fixed(m.key.clone())), &arn)
        .session_name("signed-session")
        .endpoint_url(m.moto.endpoint())
        .env(Env::empty())
        .build()
        .unwrap();
    let creds = provider.provide().await.unwrap().unwrap();
    let token = creds.session_token().unwrap().expose().to_string();

    // Calls signed with the session credentials carry X-Amz-Security-Token.
    let assumed = session(&m.moto, creds.clone());
    let who = call(&assumed, "sts", "GetCallerIdentity", json!({}))
        .await
        .unwrap();
    assert_eq!(
        who["Arn"],
        "arn:aws:sts::123456789012:assumed-role/worker/signed-session"
    );
    call(&assumed, "ec2", "DescribeRegions", json!({}))
        .await
        .unwrap();
    call(&assumed, "s3", "ListBuckets", json!({}))
        .await
        .unwrap();
    call(&assumed, "dynamodb", "ListTables", json!({}))
        .await
        .unwrap();

    // The same key and secret with another token are refused.
    let wrong_token = Credentials::new(
        creds.access_key_id(),
        creds.secret_access_key().expose(),
        Some(format!("{token}x")),
        None,
        "test",
    );
    let r = call(
        &session(&m.moto, wrong_token),
        "sts",
        "GetCallerIdentity",
        json!({}),
    )
    .await;
    assert_eq!(refused(r).1, "InvalidClientTokenId");
}

// Found while probing (see the report): both fail against moto's verifier today.

/// moto re-encodes a form body it parsed the way botocore does (`urlencode`, a space as
/// `+`) before hashing it; inia's query/ec2 serializer encodes a space as `%20`, so any
/// query-protocol call with a space in a value is refused. A body that botocore itself
/// signs with `%20` is refused the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_values_with_spaces() {
    let m = signed_moto().await;
    call(
        &m.good,
        "iam",
        "CreateUser",
        json!({"UserName": "spaced", "Path": "/a b/"}),
    )
    .await
    .unwrap();
    call(
        &m.good,
        "ec2",
        "DescribeInstances",
        json!({"Filters": [{"Name": "tag:Name", "Values": ["a b"]}]}),
    )
    .await
    .unwrap();
}

/// botocore percent-encodes `CopySource` (`handle_copy_source_param`); inia sends the raw
/// UTF-8 bytes in `x-amz-copy-source`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_copy_source_is_url_encoded() {
    let m = signed_moto().await;
    let s3 = m.good.client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": "copy-bucket"}))
        .await
        .unwrap();
    s3.call_with(
        "PutObject",
        json!({"Bucket": "copy-bucket", "Key": "é 日本"}),
        Some(Body::from_bytes("x")),
    )
    .await
    .unwrap();
    s3.call(
        "CopyObject",
        json!({"Bucket": "copy-bucket", "Key": "copy", "CopySource": "copy-bucket/é 日本"}),
    )
    .await
    .unwrap();
}

//! What every request carries, side by side with botocore 1.44.5 against the same
//! recording server on 127.0.0.1 (`fault_server`): for one call of each protocol (query,
//! ec2, json, rest-json, rest-xml; the models from the pinned wheel), the `User-Agent` in
//! the 2.1 format, `amz-sdk-invocation-id` and `amz-sdk-request` (names and format; the
//! values where they are deterministic); one id for all attempts of a retried call; and a
//! SigV2 SimpleDB call that moto routes only with an agent.
//!
//! Owns those assertions. Does not own the agent string's unit tests (`src/sdk_headers.rs`).

use inia::auth::config::Env;
use inia::{json, Session};
use inia_test_support::Moto;
use std::path::{Path, PathBuf};
use std::process::Command;

mod fault_server;
use fault_server::*;

fn wheel_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/botocore-1.44.5-wheel/botocore/data")
}

/// One call per protocol: (service, inia's operation name, botocore's method).
const CALLS: &[(&str, &str, &str)] = &[
    ("sts", "GetCallerIdentity", "get_caller_identity"),
    ("ec2", "DescribeRegions", "describe_regions"),
    ("dynamodb", "ListTables", "list_tables"),
    ("lambda", "ListFunctions", "list_functions"),
    ("s3", "ListBuckets", "list_buckets"),
];

fn answer(seen: &Seen) -> Act {
    let body = if seen.target.contains("Action=GetCallerIdentity")
        || seen.body.starts_with(b"Action=GetCallerIdentity")
    {
        WHO.to_string()
    } else if seen.body.starts_with(b"Action=DescribeRegions") {
        "<DescribeRegionsResponse><regionInfo/></DescribeRegionsResponse>".into()
    } else if seen.target == "/" && seen.method == "GET" {
        "<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>".into()
    } else {
        "{}".into()
    };
    respond(200, &body)
}

fn vars() -> Vec<(String, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID".into(), "AKIDHEADERS".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "secret".into()),
        ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
        ("AWS_CONFIG_FILE".into(), "/nonexistent/config".into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            "/nonexistent/credentials".into(),
        ),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ("AWS_MAX_ATTEMPTS".into(), "3".into()),
    ]
}

/// Run `script` with botocore from the pinned venv, the server's URL as its argument.
fn botocore(script: &str, server: &FaultServer) {
    let python =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/botocore-venv/bin/python");
    let out = Command::new(python)
        .env_clear()
        .envs(vars())
        .args(["-c", script, &server.url()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A session with the settings both tools run with, the wheel's models, at `endpoint`.
fn wheel_session(endpoint: &str) -> Session {
    Session::builder()
        .env(Env::from_vars(vars()))
        .spec_dir(wheel_data())
        .endpoint_url(endpoint)
        .build()
        .unwrap()
}

fn header(s: &Seen, name: &str) -> String {
    s.header(name).unwrap_or_default()
}

fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
        && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

/// The tokens of an agent string that name the platform (`os/…`, `md/arch#…`, `cfg/…`).
fn platform(ua: &str) -> Vec<&str> {
    ua.split(' ')
        .filter(|t| {
            t.starts_with("os/")
                || t.starts_with("md/arch#")
                || t.starts_with("cfg/")
                || *t == "ua/2.1"
        })
        .collect()
}

/// The feature ids of an agent string (`m/E,N,g`), as a set: botocore's come from a set.
fn features(ua: &str) -> std::collections::BTreeSet<String> {
    ua.split(' ')
        .filter_map(|t| t.strip_prefix("m/"))
        .flat_map(|ids| ids.split(','))
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_protocols_requests_carry_what_botocores_carry() {
    let server = FaultServer::answering(answer).await;
    let session = wheel_session(&server.url());
    for (service, op, _) in CALLS {
        let r = session.client(service).unwrap().call(op, json!({})).await;
        assert!(r.is_ok(), "{service} {op}: {r:?}");
    }
    let calls: Vec<String> = CALLS
        .iter()
        .map(|(s, _, m)| {
            format!(
                "botocore.session.Session().create_client('{s}', endpoint_url=sys.argv[1]).{m}()"
            )
        })
        .collect();
    let script = format!("import botocore.session, sys\n{}\n", calls.join("\n"));
    botocore(&script, &server);

    let seen = server.seen();
    assert_eq!(seen.len(), 2 * CALLS.len());
    let (ours, theirs) = seen.split_at(CALLS.len());
    for (i, (service, _, _)) in CALLS.iter().enumerate() {
        let (a, b) = (&ours[i], &theirs[i]);
        let (ua_a, ua_b) = (header(a, "user-agent"), header(b, "user-agent"));
        assert!(
            ua_a.starts_with(&format!("inia/{} ua/2.1 ", env!("CARGO_PKG_VERSION"))),
            "{ua_a}"
        );
        assert!(ua_a.contains(" lang/rust "), "{ua_a}");
        // The same platform tokens as botocore's, value for value.
        assert_eq!(
            platform(&ua_a),
            platform(&ua_b),
            "{service}: {ua_a} | {ua_b}"
        );
        // The same features (the first call of a new client: botocore names the
        // credential source there).
        assert_eq!(
            features(&ua_a),
            features(&ua_b),
            "{service}: {ua_a} | {ua_b}"
        );
        for s in [a, b] {
            assert!(
                is_uuid_v4(&header(s, "amz-sdk-invocation-id")),
                "{service}: {}",
                s.head
            );
            assert_eq!(
                header(s, "amz-sdk-request"),
                "attempt=1; max=3",
                "{service}"
            );
        }
        // Neither signs them.
        let signed = header(a, "authorization");
        assert!(
            !signed.contains("user-agent") && !signed.contains("amz-sdk"),
            "{signed}"
        );
    }
    // Each call its own id.
    let ids: std::collections::HashSet<String> = ours
        .iter()
        .map(|s| header(s, "amz-sdk-invocation-id"))
        .collect();
    assert_eq!(ids.len(), CALLS.len());
}

/// An upload's features: its checksum algorithm (`U` for CRC32, `Y` for SHA256), as
/// botocore names it, for the same PutObject.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploads_features_name_its_checksum_as_botocores_do() {
    let server = FaultServer::answering(|_| respond(200, "")).await;
    let session = wheel_session(&server.url());
    let s3 = session.client("s3").unwrap();
    for alg in ["CRC32", "SHA256"] {
        let params = json!({"Bucket": "b", "Key": "k", "ChecksumAlgorithm": alg});
        let body = Some(inia::Body::from_bytes("x"));
        s3.call_with("PutObject", params, body).await.unwrap();
    }
    let script = "import botocore.session, sys\n\
        for alg in ['CRC32', 'SHA256']:\n\
        \x20   c = botocore.session.Session().create_client('s3', endpoint_url=sys.argv[1])\n\
        \x20   c.put_object(Bucket='b', Key='k', Body=b'x', ChecksumAlgorithm=alg)\n";
    botocore(script, &server);
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    for i in 0..2 {
        let (ua_a, ua_b) = (
            header(&seen[i], "user-agent"),
            header(&seen[i + 2], "user-agent"),
        );
        assert_eq!(features(&ua_a), features(&ua_b), "{ua_a} | {ua_b}");
    }
    assert!(features(&header(&seen[1], "user-agent")).contains("Y"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_call_keeps_its_id_and_counts_its_attempts() {
    let server = FaultServer::start(vec![
        respond(500, "<Error><Code>InternalError</Code></Error>"),
        respond(200, WHO),
    ])
    .await;
    let session = Session::builder()
        .env(Env::from_vars(vars()))
        .endpoint_url(server.url())
        .sleep(server.pauses.clone())
        .user_agent_app_id("reports-job")
        .build()
        .unwrap();
    session
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        header(&seen[0], "amz-sdk-invocation-id"),
        header(&seen[1], "amz-sdk-invocation-id")
    );
    assert_eq!(header(&seen[0], "amz-sdk-request"), "attempt=1; max=3");
    assert_eq!(header(&seen[1], "amz-sdk-request"), "attempt=2; max=3");
    assert!(header(&seen[1], "user-agent").ends_with(" app/reports-job"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simpledb_over_sigv2_is_answered_by_moto() {
    let moto = Moto::shared();
    let session = wheel_session(&moto.endpoint());
    let sdb = session.client("sdb").unwrap();
    sdb.call("CreateDomain", json!({"DomainName": "headers-test"}))
        .await
        .unwrap();
    let out = sdb.call("ListDomains", json!({})).await.unwrap();
    assert_eq!(out["DomainNames"], json!(["headers-test"]), "{out}");
}

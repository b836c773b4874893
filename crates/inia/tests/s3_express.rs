//! S3 Express One Zone, side by side with botocore 1.44.5, against a stand-in for a
//! directory bucket on 127.0.0.1 (`fault_server` with a responder; moto has no S3
//! Express): the endpoint rules choose `sigv4-s3express` for a `--x-s3` bucket; a
//! `CreateSession` signed with the caller's keys gets session credentials; the object
//! calls are signed with those (scope `s3express`) and carry them in
//! `x-amz-s3session-token`, never `x-amz-security-token`; one session serves several
//! calls until it nears its end (the session clock moves it there).
//!
//! Owns those assertions. Does not own the signer's unit tests or the rules' conformance.

use inia::auth::config::Env;
use inia::time::Clock;
use inia::{json, Session};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

mod fault_server;
use fault_server::*;

const BUCKET: &str = "photos--usw2-az1--x-s3";

fn iso(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The directory bucket: sessions numbered from 1, each valid 5 minutes.
async fn directory_bucket() -> FaultServer {
    let sessions = AtomicUsize::new(0);
    FaultServer::answering(move |seen| {
        if seen.target.ends_with("?session") {
            let n = sessions.fetch_add(1, Ordering::SeqCst) + 1;
            let body = format!(
                "<CreateSessionResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Credentials>\
                 <SessionToken>session-token-{n}</SessionToken><SecretAccessKey>session-secret-{n}</SecretAccessKey>\
                 <AccessKeyId>ASIASESSION{n}</AccessKeyId><Expiration>{}</Expiration></Credentials></CreateSessionResult>",
                iso(SystemTime::now() + Duration::from_secs(300))
            );
            return respond(200, &body);
        }
        // A HEAD answer has no body (the fault server sends what it is given).
        Act::Respond {
            status: 200,
            headers: vec![("content-type", "text/plain".into()), ("etag", "\"e\"".into())],
            body: String::new(),
        }
    })
    .await
}

/// A request's header `name`, as the server saw it.
fn header(s: &Seen, name: &str) -> Option<String> {
    s.header(name)
}

/// `Credential=` of a request: the key and the scope.
fn credential(s: &Seen) -> String {
    header(s, "authorization")
        .and_then(|a| {
            a.split("Credential=")
                .nth(1)
                .map(|c| c.split(',').next().unwrap_or("").to_string())
        })
        .unwrap_or_default()
}

fn vars() -> Vec<(String, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID".into(), "AKIDCALLER".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "caller-secret".into()),
        ("AWS_SESSION_TOKEN".into(), "caller-token".into()),
        ("AWS_DEFAULT_REGION".into(), "us-west-2".into()),
        ("AWS_CONFIG_FILE".into(), "/nonexistent/config".into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            "/nonexistent/credentials".into(),
        ),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
    ]
}

/// A clock the test moves.
#[derive(Debug)]
struct Moved(Mutex<SystemTime>);

impl Clock for Moved {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// What the object requests must look like, from either tool.
fn assert_express_request(s: &Seen, session: usize) {
    assert_eq!(
        header(s, "x-amz-s3session-token").as_deref(),
        Some(format!("session-token-{session}").as_str()),
        "{}",
        s.head
    );
    assert_eq!(header(s, "x-amz-security-token"), None, "{}", s.head);
    let c = credential(s);
    assert!(c.starts_with(&format!("ASIASESSION{session}/")), "{c}");
    assert!(c.ends_with("/us-west-2/s3express/aws4_request"), "{c}");
    let signed = header(s, "authorization").unwrap_or_default();
    assert!(
        signed.contains("x-amz-s3session-token"),
        "the token is signed: {signed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_buckets_are_called_with_session_credentials() {
    let server = directory_bucket().await;
    let clock = Arc::new(Moved(Mutex::new(SystemTime::now())));
    let session = Session::builder()
        .env(Env::from_vars(vars()))
        .endpoint_url(server.url())
        .clock(clock.clone())
        .build()
        .unwrap();
    let s3 = session.client("s3").unwrap();
    for key in ["a.jpg", "b.jpg"] {
        let out = s3
            .call("HeadObject", json!({"Bucket": BUCKET, "Key": key}))
            .await
            .unwrap();
        assert_eq!(out["ETag"], "\"e\"");
    }
    // Four minutes on: the session has less than a minute left, so a new one is made.
    *clock.0.lock().unwrap() = SystemTime::now() + Duration::from_secs(250);
    s3.call("HeadObject", json!({"Bucket": BUCKET, "Key": "c.jpg"}))
        .await
        .unwrap();

    let seen = server.seen();
    let targets: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            "/photos--usw2-az1--x-s3?session",
            "/photos--usw2-az1--x-s3/a.jpg",
            "/photos--usw2-az1--x-s3/b.jpg",
            "/photos--usw2-az1--x-s3?session",
            "/photos--usw2-az1--x-s3/c.jpg",
        ]
    );
    // CreateSession: the caller's keys and token, scope s3express.
    assert!(
        credential(&seen[0]).starts_with("AKIDCALLER/"),
        "{}",
        credential(&seen[0])
    );
    assert!(credential(&seen[0]).ends_with("/us-west-2/s3express/aws4_request"));
    assert_eq!(
        header(&seen[0], "x-amz-security-token").as_deref(),
        Some("caller-token")
    );
    assert_express_request(&seen[1], 1);
    assert_express_request(&seen[2], 1);
    assert_express_request(&seen[4], 2);

    // botocore against the same bucket: the same shape of requests.
    let python =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/botocore-venv/bin/python");
    let script = format!(
        "import botocore.session, sys\n\
         c = botocore.session.Session().create_client('s3', endpoint_url=sys.argv[1])\n\
         c.head_object(Bucket='{BUCKET}', Key='d.jpg')\n"
    );
    let out = Command::new(python)
        .env_clear()
        .envs(vars())
        .args(["-c", &script, &server.url()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = server.seen();
    let theirs = &seen[5..];
    assert_eq!(theirs.len(), 2, "botocore: CreateSession, then the call");
    assert!(theirs[0].target.ends_with("?session"));
    assert!(credential(&theirs[0]).starts_with("AKIDCALLER/"));
    assert_express_request(&theirs[1], 3);
}

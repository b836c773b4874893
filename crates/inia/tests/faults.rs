//! The engine against a server that fails on purpose (`fault_server`: it answers each
//! request as its script says and records what it received).
//!
//! What is checked: which failures are retried and how many attempts are made (standard
//! mode: 3 by default, `RetryConfig::max_attempts` and `AWS_MAX_ATTEMPTS` otherwise); the
//! exact delays between attempts (full jitter `draw * 2^(n-1)` s, with the session's
//! jitter fixed at 0.5, or the server's `x-amz-retry-after` / `Retry-After`), recorded by
//! the session's sleep, which returns at once, so no test waits for a backoff; broken
//! connections, cut bodies and read timeouts (real timers, short ones); that an upload
//! retried after a reset sends the same bytes again; S3's answers that are not what
//! their status says (an error inside a 200, an `Expires` that is no date).
//!
//! Owns these assertions. Does not own the retry policy's unit tests
//! (`src/retry.rs`). Every wait here is bounded; only 127.0.0.1 is used.

use inia::auth::config::Env;
use inia::connection::{HttpConfig, HttpError, ProxyConfig};
use inia::retry::RetryConfig;
use inia::time::FixedJitter;
use inia::{json, Body, Credentials, Error, Session, SessionBuilder};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod fault_server;
use fault_server::*;

/// Scheduling slack allowed on top of a computed delay (debug build, busy machine).
const SLACK: Duration = Duration::from_millis(750);

fn builder(server: &FaultServer) -> SessionBuilder {
    let mut http = HttpConfig::default();
    http.proxy = ProxyConfig::Disabled;
    http.connect_timeout = Duration::from_secs(2);
    http.read_timeout = Duration::from_secs(5);
    Session::builder()
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials(Credentials::new(
            "AKIDTEST",
            "secret-test",
            None,
            None,
            "test",
        ))
        .http_config(http)
        .env(Env::empty())
        .sleep(server.pauses.clone())
        .jitter(Arc::new(FixedJitter(DRAW)))
}

async fn who_am_i(b: SessionBuilder) -> Result<inia::Value, Error> {
    b.build()
        .unwrap()
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
}

#[tokio::test]
async fn server_error_then_success_takes_two_attempts() {
    let server = FaultServer::start(vec![
        respond(500, &query_error("InternalError")),
        respond(200, WHO),
    ])
    .await;
    let who = who_am_i(builder(&server)).await.unwrap();
    assert_eq!(who["Account"], "123456789012");
    assert_eq!(who["ResponseMetadata"]["RetryAttempts"], 1);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(
        seen.iter().all(|s| s.method == "POST" && s.target == "/"),
        "{seen:?}"
    );
    assert_eq!(seen[0].body, seen[1].body);
    assert_eq!(server.pauses(), ms(&[500]));
}

/// S3 can fail a copy after it has sent `200 OK`: the error document in the 200 is a
/// 500, retried as one (botocore's `_handle_200_error`); three of them fail the call
/// with the document's code.
#[tokio::test]
async fn an_s3_error_inside_a_200_is_retried() {
    let error = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code>\
                 <Message>We encountered an internal error. Please try again.</Message></Error>";
    let copied = "<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>";
    let copy = |server: &FaultServer| {
        let s3 = builder(server).build().unwrap().client("s3").unwrap();
        async move {
            s3.call(
                "CopyObject",
                json!({"Bucket": "b", "Key": "k", "CopySource": "b/src"}),
            )
            .await
        }
    };
    let server = FaultServer::start(vec![respond(200, error), respond(200, copied)]).await;
    let out = copy(&server).await.unwrap();
    assert_eq!(out["CopyObjectResult"]["ETag"], "\"e\"");
    assert_eq!(out["ResponseMetadata"]["RetryAttempts"], 1);
    assert_eq!(server.seen().len(), 2);

    let server = FaultServer::start(vec![respond(200, error); 3]).await;
    match copy(&server).await {
        Err(Error::Service { error, .. }) => {
            assert_eq!((error.code.as_str(), error.status), ("InternalError", 500));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.seen().len(), 3);
}

/// An `Expires` header that is not a date (S3 keeps what the uploader sent) does not fail
/// the call: it comes back as `ExpiresString` only (botocore's `handle_expires_header`).
#[tokio::test]
async fn an_expires_header_that_is_no_date_is_kept_as_text() {
    let server = FaultServer::start(vec![respond_with(200, ("Expires", "never"), "")]).await;
    let s3 = builder(&server).build().unwrap().client("s3").unwrap();
    let out = s3
        .call("HeadObject", json!({"Bucket": "b", "Key": "k"}))
        .await
        .unwrap();
    assert_eq!(out["ExpiresString"], "never");
    assert!(out.get("Expires").is_none(), "{out}");
}

/// Three throttling answers, as S3, the query services and the JSON services give them:
/// exactly 3 attempts (the default), after pauses of half of 1 s and of 2 s.
#[tokio::test]
async fn throttling_stops_after_the_default_three_attempts() {
    let slow_down = FaultServer::start(vec![respond(503, &query_error("SlowDown")); 4]).await;
    let throttling = FaultServer::start(vec![respond(400, &query_error("Throttling")); 4]).await;
    let json_error = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}"#;
    let exception = FaultServer::start(vec![respond(400, json_error); 4]).await;
    let list_tables = async {
        builder(&exception)
            .build()
            .unwrap()
            .client("dynamodb")
            .unwrap()
            .call("ListTables", json!({}))
            .await
    };
    let (a, b, c) = tokio::join!(
        who_am_i(builder(&slow_down)),
        who_am_i(builder(&throttling)),
        list_tables
    );
    for (server, result, code) in [
        (&slow_down, a, "SlowDown"),
        (&throttling, b, "Throttling"),
        (&exception, c, "ThrottlingException"),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.code(), Some(code), "{err}");
        assert_eq!(server.seen().len(), 3, "{code}");
        // Worded as botocore words an error that ran out of attempts.
        assert!(
            err.to_string()
                .contains(" operation (reached max retries: 2): "),
            "{err}"
        );
        assert_eq!(server.pauses(), ms(&[500, 1000]), "{code}");
    }
}

#[tokio::test]
async fn max_attempts_comes_from_retry_config_and_the_environment() {
    // A short x-amz-retry-after keeps the five attempts quick.
    let throttle = respond_with(400, ("x-amz-retry-after", "20"), &query_error("Throttling"));
    let five = FaultServer::start(vec![throttle.clone(); 6]).await;
    let two = FaultServer::start(vec![throttle; 6]).await;
    let config = RetryConfig {
        max_attempts: 5,
        ..RetryConfig::default()
    };
    let (a, b) = tokio::join!(
        who_am_i(builder(&five).retry(config)),
        who_am_i(builder(&two).env(Env::empty().with_var("AWS_MAX_ATTEMPTS", "2")))
    );
    assert_eq!(a.unwrap_err().code(), Some("Throttling"));
    assert_eq!(five.seen().len(), 5);
    assert_eq!(b.unwrap_err().code(), Some("Throttling"));
    assert_eq!(two.seen().len(), 2);
    assert_eq!(five.pauses(), ms(&[20; 4]));
    assert_eq!(two.pauses(), ms(&[20]));
}

#[tokio::test]
async fn a_validation_error_is_not_retried() {
    let server = FaultServer::start(vec![
        respond(400, &query_error("ValidationError")),
        respond(200, WHO),
    ])
    .await;
    let err = who_am_i(builder(&server)).await.unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"), "{err}");
    assert!(!err.to_string().contains("max retries"), "{err}");
    assert_eq!(server.seen().len(), 1);
}

/// The server's hint replaces the jittered delay: `x-amz-retry-after` in milliseconds,
/// `Retry-After` in seconds.
#[tokio::test]
async fn the_servers_retry_after_is_honoured() {
    let ms = FaultServer::start(vec![
        respond_with(503, ("x-amz-retry-after", "1500"), &query_error("SlowDown")),
        respond(200, WHO),
    ])
    .await;
    let secs = FaultServer::start(vec![
        respond_with(
            503,
            ("Retry-After", "2"),
            &query_error("ServiceUnavailable"),
        ),
        respond(200, WHO),
    ])
    .await;
    let (a, b) = tokio::join!(who_am_i(builder(&ms)), who_am_i(builder(&secs)));
    a.unwrap();
    b.unwrap();
    for (server, hint) in [
        (&ms, Duration::from_millis(1500)),
        (&secs, Duration::from_secs(2)),
    ] {
        assert_eq!(server.pauses(), [hint]);
    }
}

#[tokio::test]
async fn a_reset_connection_is_retried() {
    let server = FaultServer::start(vec![Act::Reset, respond(200, WHO)]).await;
    let who = who_am_i(builder(&server)).await.unwrap();
    assert_eq!(who["Account"], "123456789012");
    assert_eq!(server.seen().len(), 2);
    assert_eq!(server.pauses(), ms(&[500]));
}

#[tokio::test]
async fn a_truncated_body_is_retried_then_reported_as_truncated() {
    let server = FaultServer::start(vec![Act::Truncate; 4]).await;
    let err = who_am_i(builder(&server)).await.unwrap_err();
    assert!(
        matches!(err, Error::Transport(HttpError::Truncated { .. })),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("cut short"), "{text}");
    assert_eq!(server.seen().len(), 3);
    assert_eq!(server.pauses(), ms(&[500, 1000]));
}

#[tokio::test]
async fn a_stalled_response_is_a_read_timeout() {
    let read_timeout = Duration::from_millis(300);
    let stalled = FaultServer::start(vec![Act::Stall(Duration::from_secs(3))]).await;
    let once = RetryConfig {
        max_attempts: 1,
        ..RetryConfig::default()
    };
    // inia-http starts the first read-timeout window once the connect timeout has passed
    // (connecting keeps its own budget), so a stall before the response head is reported
    // after connect timeout + read timeout at most: keep both small.
    let connect_timeout = Duration::from_millis(200);
    let started = Instant::now();
    let err = who_am_i(
        builder(&stalled)
            .connect_timeout(connect_timeout)
            .read_timeout(read_timeout)
            .retry(once),
    )
    .await
    .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(err, Error::Transport(HttpError::ReadTimeout { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("read timeout"), "{err}");
    assert!(
        took >= read_timeout && took <= connect_timeout + read_timeout + SLACK,
        "{took:?}"
    );

    // With retries left, the next attempt succeeds.
    let then_ok =
        FaultServer::start(vec![Act::Stall(Duration::from_secs(3)), respond(200, WHO)]).await;
    let who = who_am_i(builder(&then_ok).read_timeout(read_timeout))
        .await
        .unwrap();
    assert_eq!(who["Account"], "123456789012");
    assert_eq!(then_ok.seen().len(), 2);
}

/// An S3 upload whose connection is reset after the server read the whole body: the retry
/// sends the same bytes, from memory and from a file.
#[tokio::test]
async fn an_upload_retried_after_a_reset_sends_the_same_bytes() {
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &data).unwrap();
    let bodies = [
        ("memory", Body::from_bytes(data.clone())),
        ("file", Body::from_file(file.path()).unwrap()),
    ];
    for (what, body) in bodies {
        let ok = respond_with(200, ("ETag", "\"0123\""), "");
        let server = FaultServer::start(vec![Act::Reset, ok]).await;
        let s3 = builder(&server).build().unwrap().client("s3").unwrap();
        let out = s3
            .call_with(
                "PutObject",
                json!({"Bucket": "bucket", "Key": "dir/key.bin"}),
                Some(body),
            )
            .await
            .unwrap();
        assert_eq!(out.value["ETag"], "\"0123\"", "{what}");
        let seen = server.seen();
        assert_eq!(seen.len(), 2, "{what}");
        for s in &seen {
            assert_eq!(
                (s.method.as_str(), s.target.as_str()),
                ("PUT", "/bucket/dir/key.bin"),
                "{what}"
            );
            assert!(
                s.body == data,
                "{what}: the server got {} bytes, not the {} sent",
                s.body.len(),
                data.len()
            );
        }
    }
}

/// A gateway's error page (HTML, not the service's error format) is still a 5xx: retried.
#[tokio::test]
async fn a_gateway_error_page_is_retried() {
    let page = "<html><body>502 Bad Gateway</body></html>";
    let server = FaultServer::start(vec![respond(502, page), respond(200, WHO)]).await;
    who_am_i(builder(&server)).await.unwrap();
    assert_eq!(server.seen().len(), 2);
}

/// An upload body that cannot be produced again is not retried after a reset: the error
/// comes back after one attempt.
#[tokio::test]
async fn a_one_shot_upload_is_not_retried() {
    let server =
        FaultServer::start(vec![Act::Reset, respond_with(200, ("ETag", "\"1\""), "")]).await;
    let s3 = builder(&server).build().unwrap().client("s3").unwrap();
    let body = Body::from_stream(9, inia::ResponseBody::from_bytes("only once"));
    let err = s3
        .call_with(
            "PutObject",
            json!({"Bucket": "bucket", "Key": "k"}),
            Some(body),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(server.seen().len(), 1);
}

/// Error shapes modeled `"retryable"` (DynamoDB's `ReplicatedWriteConflictException`) are
/// retried, as in botocore's standard mode.
#[tokio::test]
async fn a_modeled_retryable_error_is_retried() {
    let conflict = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ReplicatedWriteConflictException","message":"conflict"}"#;
    let server = FaultServer::start(vec![respond(400, conflict), respond(200, "{}")]).await;
    let ddb = builder(&server)
        .build()
        .unwrap()
        .client("dynamodb")
        .unwrap();
    let item = json!({"TableName": "tbl", "Item": {"k": {"S": "v"}}});
    ddb.call("PutItem", item).await.unwrap();
    assert_eq!(server.seen().len(), 2);
}

/// A clock-skew error with the server's `Date` an hour ahead: the client signs the next
/// attempt with its clock corrected by that hour.
#[tokio::test]
async fn clock_skew_is_corrected_from_the_server_date() {
    let ahead = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        + chrono::Duration::hours(1);
    let date = ahead.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let skewed = query_error("RequestTimeTooSkewed");
    let server = FaultServer::start(vec![
        respond_with(403, ("Date", &date), &skewed),
        respond(200, WHO),
    ])
    .await;
    let who = who_am_i(builder(&server)).await.unwrap();
    assert_eq!(who["Account"], "123456789012");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let amz_date = |s: &Seen| {
        s.head
            .lines()
            .find_map(|l| l.strip_prefix("x-amz-date: "))
            .and_then(|d| chrono::NaiveDateTime::parse_from_str(d.trim(), "%Y%m%dT%H%M%SZ").ok())
            .map(|t| t.and_utc())
            .expect("an x-amz-date header")
    };
    let first = amz_date(&seen[0]);
    let second = amz_date(&seen[1]);
    let shift = (second - first).num_seconds();
    assert!(
        (3500..=3700).contains(&shift),
        "second attempt signed {shift} s later than the first"
    );
}

/// The call deadline bounds the whole call, retries and backoff included.
#[tokio::test]
async fn the_call_deadline_bounds_every_attempt_together() {
    let server = FaultServer::start(vec![
        Act::Stall(Duration::from_secs(5)),
        Act::Stall(Duration::from_secs(5)),
    ])
    .await;
    let started = Instant::now();
    let err = who_am_i(
        builder(&server)
            .read_timeout(Duration::from_secs(30))
            .call_timeout(Some(Duration::from_millis(700))),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::Transport(HttpError::DeadlineExceeded { .. })),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(700) + SLACK,
        "{:?}",
        started.elapsed()
    );
}

/// `Client::operation` overrides the session for one call: its attempt count and its
/// deadline, leaving the session's for the next call.
#[tokio::test]
async fn one_call_overrides_the_sessions_attempts_and_deadline() {
    let throttled = respond(400, &query_error("Throttling"));
    let server = FaultServer::start(vec![throttled; 8]).await;
    let sts = builder(&server).build().unwrap().client("sts").unwrap();
    let err = sts
        .operation("GetCallerIdentity")
        .max_attempts(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("Throttling"));
    assert_eq!(server.seen().len(), 1, "one attempt, no retry");
    let err = sts
        .operation("get-caller-identity")
        .max_attempts(5)
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("reached max retries: 4"), "{err}");
    assert_eq!(server.seen().len(), 6, "five more attempts");
    // The session's three again for a plain call (the script has 2 answers left, then
    // a non-retryable 418).
    let _ = sts.call("GetCallerIdentity", json!({})).await.unwrap_err();
    assert_eq!(server.seen().len(), 9);

    let stalled = FaultServer::start(vec![Act::Stall(Duration::from_secs(5))]).await;
    let sts = builder(&stalled)
        .read_timeout(Duration::from_secs(30))
        .build()
        .unwrap()
        .client("sts")
        .unwrap();
    let started = Instant::now();
    let err = sts
        .operation("GetCallerIdentity")
        .params(json!({}))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport(HttpError::DeadlineExceeded { .. })),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(300) + SLACK);
    let err = sts
        .operation("GetCallerIdentity")
        .params(json!(["not", "an object"]))
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("must be an object"), "{err}");
}

//! Answers in HTTP chunked transfer encoding that are malformed: a bad trailer, a bad
//! chunk size, a chunk longer than it says, a trailer that never ends, a body cut in a
//! chunk. Each gives a clear error naming the target, within the read timeout: never a
//! panic, an unbounded allocation or a stall. A well-formed chunked answer with a
//! trailer parses.
//!
//! Owns those assertions. Does not own the connection layer's other fault tests
//! (`faults.rs`).

use inia::auth::config::Env;
use inia::connection::{HttpConfig, ProxyConfig};
use inia::retry::RetryConfig;
use inia::{json, Credentials, Error, Session};
use std::time::{Duration, Instant};

mod fault_server;
use fault_server::*;

const OK_BODY: &str =
    "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>\
<Arn>arn:aws:iam::123456789012:user/t</Arn><UserId>AID</UserId></GetCallerIdentityResult>\
<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";

fn chunked(body: &str, ending: &[u8]) -> Vec<u8> {
    let mut raw =
        b"HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    raw.extend_from_slice(format!("{:x}\r\n{body}\r\n", body.len()).as_bytes());
    raw.extend_from_slice(ending);
    raw
}

async fn call(answer: Vec<u8>) -> (Result<inia::Value, Error>, Duration) {
    let server = FaultServer::answering(move |_| Act::Raw(answer.clone())).await;
    let mut http = HttpConfig::default();
    http.proxy = ProxyConfig::Disabled;
    http.read_timeout = Duration::from_secs(3);
    let session = Session::builder()
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .http_config(http)
        .retry(RetryConfig {
            max_attempts: 1,
            ..RetryConfig::default()
        })
        .env(Env::empty())
        .build()
        .unwrap();
    let started = Instant::now();
    let out = session
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await;
    (out, started.elapsed())
}

#[tokio::test]
async fn a_well_formed_chunked_answer_with_a_trailer_parses() {
    let (out, _) = call(chunked(
        OK_BODY,
        b"0\r\nx-amz-checksum-crc32: AAAAAA==\r\n\r\n",
    ))
    .await;
    let v = out.unwrap();
    assert_eq!(v["Account"], "123456789012");
}

#[tokio::test]
async fn malformed_chunked_answers_fail_clearly_and_in_time() {
    let endless_trailer = {
        let mut t = b"0\r\nx-amz-checksum-crc32: ".to_vec();
        t.extend(std::iter::repeat_n(b'A', 4 * 1024 * 1024));
        t
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "a trailer line without a colon",
            chunked(OK_BODY, b"0\r\nthis is not a header\r\n\r\n"),
        ),
        (
            "a trailer with a bad name",
            chunked(OK_BODY, b"0\r\nx amz(checksum): 1\r\n\r\n"),
        ),
        (
            "a trailer cut short",
            chunked(OK_BODY, b"0\r\nx-amz-checksum-crc32: AA"),
        ),
        (
            "a 4 MiB trailer line that never ends",
            chunked(OK_BODY, &endless_trailer),
        ),
        (
            "a chunk size that is not hex",
            chunked(OK_BODY, b"zz\r\nabc\r\n0\r\n\r\n"),
        ),
        (
            "a 2^64 chunk size",
            chunked(OK_BODY, b"10000000000000000\r\nabc\r\n0\r\n\r\n"),
        ),
        (
            "a chunk longer than it says",
            chunked(OK_BODY, b"2\r\nabcdef\r\n0\r\n\r\n"),
        ),
        ("a body cut inside a chunk", {
            let mut r = chunked(OK_BODY, b"");
            r.extend_from_slice(b"400\r\n<more");
            r
        }),
    ];
    for (what, answer) in cases {
        let (out, took) = call(answer).await;
        let e = match out {
            Err(e) => e,
            Ok(v) => panic!("{what}: parsed as {v}"),
        };
        let text = e.to_string();
        assert!(
            text.contains("127.0.0.1"),
            "{what}: the error names no target: {text}"
        );
        assert!(took < Duration::from_secs(10), "{what}: took {took:?}");
        eprintln!("{what}: {text}");
    }
}

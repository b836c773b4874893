//! Request compression (`requestcompression`: CloudWatch `PutMetricData`), with the model
//! from the pinned botocore wheel: a body from 10,240 bytes up is sent gzipped
//! (`Content-Encoding: gzip`, and it unzips to what the protocol wrote), a smaller one
//! plain; `AWS_DISABLE_REQUEST_COMPRESSION` turns it off, the threshold comes from code,
//! `AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES` or the profile, and a bad one is refused
//! when the session is built; moto accepts the compressed call and lists every metric.
//!
//! Owns those assertions. Does not own the gzip step's unit tests (`inia-protocol`).

use inia::auth::config::Env;
use inia::{json, Session, Value};
use inia_test_support::Moto;
use std::io::Read;
use std::path::{Path, PathBuf};

mod fault_server;
use fault_server::*;

fn wheel_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/botocore-1.44.5-wheel/botocore/data")
}

fn vars(extra: &[(&str, &str)]) -> Env {
    let mut v: Vec<(String, String)> = vec![
        ("AWS_ACCESS_KEY_ID".into(), "AKIDGZIP".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "secret".into()),
        ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
        ("AWS_CONFIG_FILE".into(), "/nonexistent/config".into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            "/nonexistent/credentials".into(),
        ),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
    ];
    v.extend(extra.iter().map(|(k, x)| (k.to_string(), x.to_string())));
    Env::from_vars(v)
}

/// `n` metrics with long names: about 230 bytes each on the wire.
fn metrics(n: usize) -> Value {
    let data: Vec<Value> = (0..n)
        .map(|i| json!({"MetricName": format!("Padded{i:02}-{}", "x".repeat(200)), "Value": i}))
        .collect();
    json!({"Namespace": "gzip-test", "MetricData": data})
}

fn header(s: &Seen, name: &str) -> Option<String> {
    s.header(name)
}

/// Sends PutMetricData with `n` metrics under `env` (and `code`'s threshold when given),
/// returning what the server received.
async fn put(env: Env, code: Option<Option<usize>>, n: usize) -> Seen {
    let server = FaultServer::answering(|_| respond(200, "{}")).await;
    let mut b = Session::builder()
        .env(env)
        .spec_dir(wheel_data())
        .endpoint_url(server.url());
    if let Some(c) = code {
        b = b.request_compression(c);
    }
    let cw = b.build().unwrap().client("cloudwatch").unwrap();
    let _ = cw.call("PutMetricData", metrics(n)).await;
    server.seen().into_iter().next().expect("one request")
}

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_from_the_threshold_up_are_gzipped() {
    // 60 metrics: about 14 KB, over the default 10,240.
    let big = put(vars(&[]), None, 60).await;
    assert_eq!(header(&big, "content-encoding").as_deref(), Some("gzip"));
    let text = gunzip(&big.body);
    assert!(
        text.contains("Padded59-") && text.len() > 10_240,
        "{}",
        text.len()
    );
    assert!(
        big.body.len() < text.len() / 4,
        "compressed {} of {}",
        big.body.len(),
        text.len()
    );
    // 3 metrics: plain.
    let small = put(vars(&[]), None, 3).await;
    assert_eq!(header(&small, "content-encoding"), None);
    // Off by the environment; a threshold from the environment; code wins over both.
    let off = put(
        vars(&[("AWS_DISABLE_REQUEST_COMPRESSION", "true")]),
        None,
        60,
    )
    .await;
    assert_eq!(header(&off, "content-encoding"), None);
    let low = put(
        vars(&[("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "100")]),
        None,
        3,
    )
    .await;
    assert_eq!(header(&low, "content-encoding").as_deref(), Some("gzip"));
    let code = put(
        vars(&[("AWS_DISABLE_REQUEST_COMPRESSION", "true")]),
        Some(Some(0)),
        1,
    )
    .await;
    assert_eq!(header(&code, "content-encoding").as_deref(), Some("gzip"));
    // A threshold out of botocore's range is refused when the session is built.
    let e = Session::builder()
        .env(vars(&[(
            "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES",
            "20000000",
        )]))
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.contains("request_min_compression_size_bytes"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moto_accepts_a_compressed_put_metric_data() {
    let moto = Moto::shared();
    let session = Session::builder()
        .env(vars(&[]))
        .spec_dir(wheel_data())
        .endpoint_url(moto.endpoint())
        .build()
        .unwrap();
    let cw = session.client("cloudwatch").unwrap();
    cw.call("PutMetricData", metrics(60)).await.unwrap();
    let listed = cw
        .call("ListMetrics", json!({"Namespace": "gzip-test"}))
        .await
        .unwrap();
    assert_eq!(
        listed["Metrics"].as_array().map(Vec::len),
        Some(60),
        "{listed}"
    );
}

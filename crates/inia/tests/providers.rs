//! Providers chosen by file: the `s3-compatible` provider against s3rver (a second S3
//! implementation), a brand-new provider file written into a temporary spec folder at run
//! time, malformed provider files, and the `eucalyptus` provider's endpoints and signing.

use inia::auth::config::Env;
use inia::{json, Body, Session, Value};
use inia_test_support::s3rver::{self, S3rver};
use inia_test_support::Moto;
use std::io::{Read, Write};

fn keys(id: &str, secret: &str) -> Env {
    Env::empty()
        .with_var("AWS_ACCESS_KEY_ID", id)
        .with_var("AWS_SECRET_ACCESS_KEY", secret)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_compatible_provider_against_s3rver() {
    let server = S3rver::start();
    // The endpoint comes from the provider's `endpoint_url` setting (its environment
    // variable), not from an override, and credentials from the AWS chain's variables.
    let env = keys(s3rver::ACCESS_KEY_ID, s3rver::SECRET_ACCESS_KEY)
        .with_var("INIA_S3_ENDPOINT_URL", server.endpoint());
    let session = Session::builder()
        .provider("s3-compatible")
        .env(env)
        .build()
        .unwrap();
    let s3 = session.client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": "provider-bucket"}))
        .await
        .unwrap();
    for i in 0..5 {
        s3.call_with(
            "PutObject",
            json!({"Bucket": "provider-bucket", "Key": format!("dir/k{i} x.txt")}),
            Some(Body::from_bytes(bytes::Bytes::from(format!("body {i}")))),
        )
        .await
        .unwrap();
    }
    let got = s3
        .call_with(
            "GetObject",
            json!({"Bucket": "provider-bucket", "Key": "dir/k3 x.txt"}),
            None,
        )
        .await
        .unwrap();
    let body = got.body.unwrap().bytes().await.unwrap();
    assert_eq!(&body[..], b"body 3");
    // Paged by 2: three pages, five keys in order.
    let pages: Vec<Value> = {
        use futures_util::StreamExt;
        s3.paginate(
            "ListObjectsV2",
            json!({"Bucket": "provider-bucket", "MaxKeys": 2}),
        )
        .map(|p| p.unwrap())
        .collect()
        .await
    };
    assert_eq!(pages.len(), 3, "{pages:?}");
    let all = s3
        .paginate_all(
            "ListObjectsV2",
            json!({"Bucket": "provider-bucket", "MaxKeys": 2}),
            None,
        )
        .await
        .unwrap();
    let names: Vec<&str> = all["Contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["Key"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "dir/k0 x.txt",
            "dir/k1 x.txt",
            "dir/k2 x.txt",
            "dir/k3 x.txt",
            "dir/k4 x.txt"
        ]
    );
    for n in &names {
        s3.call(
            "DeleteObject",
            json!({"Bucket": "provider-bucket", "Key": n}),
        )
        .await
        .unwrap();
    }
    s3.call("DeleteBucket", json!({"Bucket": "provider-bucket"}))
        .await
        .unwrap();
    let buckets = s3.call("ListBuckets", json!({})).await.unwrap();
    assert_eq!(
        buckets["Buckets"].as_array().map_or(0, Vec::len),
        0,
        "{buckets}"
    );
    // s3rver itself stored the objects (path style: the host is an IP address).
    let log = server.output();
    assert!(
        log.contains("Stored object \"dir/k4 x.txt\" in bucket \"provider-bucket\""),
        "{log}"
    );
    // A wrong key id is refused by s3rver, as a service error.
    let session = Session::builder()
        .provider("s3-compatible")
        .env(keys("WRONG", "x").with_var("INIA_S3_ENDPOINT_URL", server.endpoint()))
        .build()
        .unwrap();
    let err = session
        .client("s3")
        .unwrap()
        .call("ListBuckets", json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidAccessKeyId"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_provider_file_on_the_spec_path_works_without_a_rebuild() {
    let moto = Moto::start(&[]);
    let port = moto.endpoint().rsplit(':').next().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("providers")).unwrap();
    // "my-cloud" offers moto's STS and SQS under its own service names, on a port read
    // from its own variable, with keys from its own variables.
    std::fs::write(
        dir.path().join("providers/my-cloud.json"),
        r#"{
          "format": 1,
          "name": "my-cloud",
          "settings": {"port": {"env": ["MY_CLOUD_PORT"]}},
          "credentials": [{"env": {"access_key_id": "MY_CLOUD_KEY", "secret_access_key": "MY_CLOUD_SECRET"}}],
          "services": {
            "identity": {"model": "sts", "endpoint": "http://127.0.0.1:{port}", "signing": {"region": "us-west-2"}},
            "queues": {"model": "sqs", "endpoint": "http://127.0.0.1:{port}/", "headers": {"x-my-cloud": "1"}}
          }
        }"#,
    )
    .unwrap();
    let env = Env::empty()
        .with_var("MY_CLOUD_PORT", &port)
        .with_var("MY_CLOUD_KEY", "AKIDMYCLOUD")
        .with_var("MY_CLOUD_SECRET", "s")
        .with_var("AWS_REGION", "eu-west-1");
    let session = Session::builder()
        .spec_dir(dir.path())
        .provider("my-cloud")
        .env(env)
        .build()
        .unwrap();
    assert_eq!(session.provider().name, "my-cloud");
    let who = session
        .client("identity")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap();
    assert!(who["Arn"].as_str().is_some(), "{who}");
    let queues = session.client("queues").unwrap();
    queues
        .call("CreateQueue", json!({"QueueName": "from-my-cloud"}))
        .await
        .unwrap();
    // Signed for eu-west-1 (the session's region): moto keeps the queue there.
    let listed = queues.call("ListQueues", json!({})).await.unwrap();
    let url = listed["QueueUrls"][0].as_str().unwrap_or_default();
    assert!(url.ends_with("/from-my-cloud"), "{listed}");
    // A service the file doesn't list is a configuration error naming the file.
    let e = session.client("ec2").unwrap_err().to_string();
    assert!(
        e.contains("provider my-cloud has no service ec2") && e.contains("identity, queues"),
        "{e}"
    );
    // Without the port variable the endpoint can't be built: the error says what to set.
    let session = Session::builder()
        .spec_dir(dir.path())
        .provider("my-cloud")
        .env(Env::empty())
        .build()
        .unwrap();
    let e = session.client("identity").unwrap_err().to_string();
    assert!(e.contains("needs setting `port` (MY_CLOUD_PORT)"), "{e}");
}

#[test]
fn malformed_provider_files_name_the_file_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("providers")).unwrap();
    let cases = [
        (
            "bad-json",
            "{\"format\": 1,\n  \"name\": \"bad-json\"\n  \"services\": {}}",
            "bad-json.json:3:",
        ),
        (
            "bad-scheme",
            r#"{"format": 1, "name": "bad-scheme", "services": {"s": {"endpoint": "http://h", "signing": {"scheme": "hmac-v9"}}}}"#,
            "/services/s/signing/scheme: \"hmac-v9\" is not one of",
        ),
        (
            "bad-var",
            r#"{"format": 1, "name": "bad-var", "services": {"s": {"endpoint": "https://{acount}.example"}}}"#,
            "/services/s/endpoint: unknown variable {acount}",
        ),
        (
            "bad-name",
            r#"{"format": 1, "name": "other", "services": {"s": {"endpoint": "http://h"}}}"#,
            "names the provider \"other\"",
        ),
    ];
    for (name, text, expected) in cases {
        std::fs::write(dir.path().join(format!("providers/{name}.json")), text).unwrap();
        let e = Session::builder()
            .spec_dir(dir.path())
            .provider(name)
            .env(Env::empty())
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("providers/{name}.json")), "{name}: {e}");
        assert!(e.contains(expected), "{name}: {e}");
    }
    let e = Session::builder()
        .provider("no-such-cloud")
        .env(Env::empty())
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no-such-cloud") && e.contains("azure-blob"),
        "{e}"
    );
}

/// Read one HTTP/1.1 request (head and a Content-Length body) from a connection.
fn read_request(conn: &mut std::net::TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = conn.read(&mut chunk).unwrap();
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len || n == 0 {
                return text;
            }
        }
        if n == 0 {
            return text;
        }
    }
}

/// No Eucalyptus cloud can be installed from the package registries, so this checks what
/// the `eucalyptus` provider puts on the wire with a one-shot local server: the compute
/// and Walrus paths on the cloud controller's port, SigV2 for compute, S3's HMAC-SHA1 for
/// Walrus (both signers are checked against published examples elsewhere).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eucalyptus_provider_endpoints_and_signing() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let answers = [
            "<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId><regionInfo><item><regionName>eucalyptus</regionName><regionEndpoint>127.0.0.1</regionEndpoint></item></regionInfo></DescribeRegionsResponse>",
            "<ListAllMyBucketsResult><Owner><ID>o</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>",
        ];
        for body in answers {
            let (mut conn, _) = listener.accept().unwrap();
            seen.push(read_request(&mut conn));
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            conn.write_all(reply.as_bytes()).unwrap();
        }
        seen
    });
    let env = Env::empty()
        .with_var("EUCALYPTUS_HOST", "127.0.0.1")
        .with_var("EUCALYPTUS_PORT", port.to_string())
        .with_var("EC2_ACCESS_KEY", "EUCAKEY")
        .with_var("EC2_SECRET_KEY", "euca-secret");
    let session = Session::builder()
        .provider("eucalyptus")
        .env(env)
        .build()
        .unwrap();
    let regions = session
        .client("ec2")
        .unwrap()
        .call("DescribeRegions", json!({}))
        .await
        .unwrap();
    assert_eq!(regions["Regions"][0]["RegionName"], "eucalyptus");
    let buckets = session
        .client("s3")
        .unwrap()
        .call("ListBuckets", json!({}))
        .await
        .unwrap();
    assert_eq!(buckets["Owner"]["ID"], "o");
    let seen = server.join().unwrap();
    assert!(
        seen[0].starts_with("POST /services/compute/ "),
        "{}",
        seen[0]
    );
    assert!(
        seen[0].contains("SignatureVersion=2") && seen[0].contains("AWSAccessKeyId=EUCAKEY"),
        "{}",
        seen[0]
    );
    assert!(seen[1].starts_with("GET /services/Walrus/ "), "{}", seen[1]);
    assert!(
        seen[1]
            .to_ascii_lowercase()
            .contains("authorization: aws eucakey:"),
        "{}",
        seen[1]
    );
}

/// The provider comes from code, else `INIA_PROVIDER`, else the selected profile's
/// `provider` key, else `aws`.
#[test]
fn the_provider_is_chosen_by_code_environment_or_profile() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        "[default]\nregion = us-east-1\n\n[profile store]\nprovider = s3-compatible\n",
    )
    .unwrap();
    let env = Env::empty().with_home(home.path());
    let chosen = |b: inia::SessionBuilder| b.build().unwrap().provider().name.clone();
    assert_eq!(chosen(Session::builder().env(env.clone())), "aws");
    assert_eq!(
        chosen(Session::builder().env(env.clone()).profile("store")),
        "s3-compatible"
    );
    let with_var = env.clone().with_var("AWS_PROFILE", "store");
    assert_eq!(
        chosen(Session::builder().env(with_var.clone())),
        "s3-compatible"
    );
    let both = with_var.with_var("INIA_PROVIDER", "azure-blob");
    assert_eq!(chosen(Session::builder().env(both.clone())), "azure-blob");
    assert_eq!(
        chosen(Session::builder().env(both).provider("eucalyptus")),
        "eucalyptus"
    );
}

/// `{"anonymous": true}` credentials: requests go out unsigned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_credentials_send_unsigned_requests() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let seen = read_request(&mut conn);
        let body = "<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>";
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        conn.write_all(reply.as_bytes()).unwrap();
        seen
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("providers")).unwrap();
    std::fs::write(
        dir.path().join("providers/open-store.json"),
        format!(
            r#"{{"format": 1, "name": "open-store", "credentials": [{{"anonymous": true}}],
               "services": {{"s3": {{"endpoint": "http://127.0.0.1:{port}", "addressing": "path"}}}}}}"#
        ),
    )
    .unwrap();
    let session = Session::builder()
        .spec_dir(dir.path())
        .provider("open-store")
        .env(Env::empty())
        .build()
        .unwrap();
    let out = session
        .client("s3")
        .unwrap()
        .call("ListBuckets", json!({}))
        .await
        .unwrap();
    assert_eq!(out["Buckets"], json!([]), "{out}");
    let seen = server.join().unwrap().to_ascii_lowercase();
    assert!(seen.starts_with("get / "), "{seen}");
    assert!(!seen.contains("authorization:"), "{seen}");
}

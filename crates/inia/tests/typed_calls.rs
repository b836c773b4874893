//! Typed calls (`Client::call_as`, `Client::paginate_as`) against moto on 127.0.0.1: the
//! caller's own serde types in and out, pages typed one by one, and a result that does
//! not fit the type named as the output of its operation.

use futures_util::StreamExt;
use inia::{json, Credentials, PageOptions, Session};
use inia_test_support::Moto;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Identity {
    account: String,
    arn: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListObjects<'a> {
    bucket: &'a str,
    max_keys: u32,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Page {
    #[serde(default)]
    contents: Vec<Object>,
    key_count: u32,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Object {
    key: String,
    size: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_calls_and_pages_against_moto() {
    let moto = Moto::start(&[]);
    let session = Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .env(inia::auth::config::Env::empty())
        .build()
        .expect("session");

    let sts = session.client("sts").expect("sts");
    let me: Identity = sts
        .call_as("GetCallerIdentity", json!({}))
        .await
        .expect("typed identity");
    assert_eq!(me.account.len(), 12, "{me:?}");
    assert!(me.arn.starts_with("arn:aws:"), "{me:?}");

    let s3 = session.client("s3").expect("s3");
    s3.call("CreateBucket", json!({"Bucket": "typed"}))
        .await
        .expect("bucket");
    // Bodies of 0 to 4 bytes ("x" repeated), as base64.
    for (i, body) in ["", "eA==", "eHg=", "eHh4", "eHh4eA=="].iter().enumerate() {
        s3.call(
            "PutObject",
            json!({"Bucket": "typed", "Key": format!("k{i}"), "Body": body}),
        )
        .await
        .expect("put");
    }
    let params = ListObjects {
        bucket: "typed",
        max_keys: 2,
    };
    let pages: Vec<Page> = s3
        .paginate_as::<Page>("ListObjectsV2", params, PageOptions::default())
        .map(|p| p.expect("typed page"))
        .collect()
        .await;
    assert_eq!(
        pages.iter().map(|p| p.key_count).collect::<Vec<_>>(),
        [2, 2, 1]
    );
    let sizes: Vec<(String, u64)> = pages
        .iter()
        .flat_map(|p| p.contents.iter().map(|o| (o.key.clone(), o.size)))
        .collect();
    assert_eq!(sizes[4], ("k4".to_string(), 4));

    // A result that does not fit: an error naming the operation and the field.
    let e = sts
        .call_as::<Page>("GetCallerIdentity", json!({}))
        .await
        .expect_err("no KeyCount in an identity");
    let text = e.to_string();
    assert!(
        text.contains("output of GetCallerIdentity") && text.contains("KeyCount"),
        "{text}"
    );
}

//! The Azure Blob model against a real Azurite, before any provider machinery: each
//! operation serialized by inia-protocol from the embedded `azure-blob` model, signed with
//! `AzureSharedKey`, sent with `inia_http::HttpClient`, and its response parsed back by the
//! model. What the server accepts and answers checks the model's wire facts (URIs, query
//! parameters, headers, XML element names, status codes).
//!
//! Owns that check of the model. Does not own the engine's provider path (session,
//! endpoint templates, default headers): the engine's tests own that.

use inia_auth::credentials::Credentials;
use inia_auth::sign::{AzureSharedKey, Sign, SignedBody, SigningContext};
use inia_http::{Body, HttpClient, HttpConfig};
use inia_model::{ServiceModel, SpecPath};
use inia_protocol::ProtocolError;
use inia_test_support::azurite::{Azurite, ACCOUNT, ACCOUNT_KEY, API_VERSION};
use serde_json::{json, Value};
use std::time::SystemTime;

struct Blob {
    azurite: Azurite,
    http: HttpClient,
    model: ServiceModel,
    creds: Credentials,
}

/// What a call gives: the parsed value (or error) and the raw body.
struct Outcome {
    value: Result<Value, ProtocolError>,
    body: bytes::Bytes,
}

impl Blob {
    async fn call(&self, op: &str, params: Value) -> Outcome {
        let req = inia_protocol::serialize(&self.model, op, &params)
            .unwrap_or_else(|e| panic!("{op}: {e}"));
        let (mut parts, body) = req.into_parts();
        // The endpoint has a path (`/devstoreaccount1`): the model's path goes after it.
        let uri = format!("{}{}", self.azurite.blob_endpoint(), parts.uri);
        parts.uri = uri.parse().unwrap();
        parts
            .headers
            .insert("x-ms-version", http::HeaderValue::from_static(API_VERSION));
        if parts.method != http::Method::GET && parts.method != http::Method::HEAD {
            parts
                .headers
                .insert(http::header::CONTENT_LENGTH, body.len().into());
        }
        let ctx = SigningContext::new(&self.creds, "", "blob", SystemTime::now());
        let signed = SignedBody::Bytes(body.clone());
        AzureSharedKey.sign(&mut parts, &signed, &ctx).unwrap();
        let response = self
            .http
            .send(http::Request::from_parts(parts, Body::from_bytes(body)))
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().bytes().await.unwrap();
        let operation = self.model.operation(op).unwrap();
        let value = inia_protocol::parse(&self.model, &operation, status, &headers, &body);
        Outcome { value, body }
    }

    async fn ok(&self, op: &str, params: Value) -> Value {
        let out = self.call(op, params).await;
        match out.value {
            Ok(v) => v,
            Err(e) => panic!("{op}: {e}"),
        }
    }

    async fn error(&self, op: &str, params: Value) -> inia_protocol::ServiceError {
        match self.call(op, params).await.value {
            Err(ProtocolError::Service(e)) => *e,
            other => panic!("{op}: expected a service error, got {other:?}"),
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test(flavor = "current_thread")]
async fn every_operation_round_trips_through_azurite() {
    let blob = Blob {
        azurite: Azurite::start(),
        http: HttpClient::new(HttpConfig::default()).unwrap(),
        model: SpecPath::embedded_only()
            .load_service("azure-blob")
            .unwrap(),
        creds: Credentials::new(ACCOUNT, ACCOUNT_KEY, None, None, "test"),
    };
    let box_ = json!({"Container": "box"});

    let v = blob
        .ok(
            "CreateContainer",
            json!({"Container": "box", "Metadata": {"owner": "inia"}}),
        )
        .await;
    assert_eq!(v["ResponseMetadata"]["HTTPStatusCode"], 201);
    assert!(v["ETag"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    let e = blob.error("CreateContainer", box_.clone()).await;
    assert_eq!((e.status, e.code.as_str()), (409, "ContainerAlreadyExists"));

    let v = blob.ok("GetContainerProperties", box_.clone()).await;
    assert_eq!(v["Metadata"], json!({"owner": "inia"}));
    assert_eq!(v["LeaseState"], "available");

    let v = blob
        .ok("ListContainers", json!({"Include": "metadata"}))
        .await;
    assert_eq!(v["Containers"][0]["Name"], "box", "{v}");
    assert_eq!(v["Containers"][0]["Metadata"], json!({"owner": "inia"}));
    assert!(v["Containers"][0]["Properties"]["LastModified"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));

    // Three blobs with metadata, one of them under a "folder".
    for (name, text) in [
        ("a.txt", "alpha"),
        ("b.txt", "bravo"),
        ("dir/c d.txt", "charlie"),
    ] {
        let v = blob
            .ok(
                "PutBlob",
                json!({"Container": "box", "Blob": name, "BlobType": "BlockBlob",
                       "ContentType": "text/plain", "Metadata": {"colour": "blue", "name": name},
                       "Body": b64(text.as_bytes())}),
            )
            .await;
        assert_eq!(v["ResponseMetadata"]["HTTPStatusCode"], 201, "{name}");
        assert!(v["ContentMD5"].as_str().is_some(), "{v}");
    }

    let out = blob
        .call(
            "GetBlob",
            json!({"Container": "box", "Blob": "dir/c d.txt"}),
        )
        .await;
    assert_eq!(out.body.as_ref(), b"charlie");
    let v = out.value.unwrap();
    assert_eq!(v["ContentLength"], 7);
    assert_eq!(v["ContentType"], "text/plain");
    assert_eq!(v["BlobType"], "BlockBlob");
    assert_eq!(
        v["Metadata"],
        json!({"colour": "blue", "name": "dir/c d.txt"})
    );
    let out = blob
        .call(
            "GetBlob",
            json!({"Container": "box", "Blob": "dir/c d.txt", "Range": "bytes=1-3"}),
        )
        .await;
    assert_eq!(out.body.as_ref(), b"har");
    assert_eq!(out.value.unwrap()["ContentRange"], "bytes 1-3/7");

    let v = blob
        .ok(
            "GetBlobProperties",
            json!({"Container": "box", "Blob": "a.txt"}),
        )
        .await;
    assert_eq!(v["ContentLength"], 5);
    assert_eq!(v["Metadata"]["colour"], "blue");

    // Paging by hand, one blob a page, with metadata; then a delimiter.
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..10 {
        let mut p = json!({"Container": "box", "MaxResults": 1, "Include": "metadata"});
        if let Some(m) = &marker {
            p["Marker"] = json!(m);
        }
        let v = blob.ok("ListBlobs", p).await;
        for b in v["Blobs"]["Blob"].as_array().unwrap() {
            assert_eq!(b["Metadata"]["colour"], "blue", "{b}");
            assert_eq!(b["Properties"]["BlobType"], "BlockBlob");
            assert!(b["Properties"]["ContentLength"].is_u64());
            names.push(b["Name"].as_str().unwrap().to_string());
        }
        match v["NextMarker"].as_str() {
            Some(m) if !m.is_empty() => marker = Some(m.to_string()),
            _ => break,
        }
    }
    assert_eq!(names, ["a.txt", "b.txt", "dir/c d.txt"]);
    let v = blob
        .ok("ListBlobs", json!({"Container": "box", "Delimiter": "/"}))
        .await;
    assert_eq!(v["Blobs"]["BlobPrefix"], json!([{"Name": "dir/"}]), "{v}");
    assert_eq!(v["Blobs"]["Blob"].as_array().unwrap().len(), 2);

    // Blocks: two staged, committed in order, read back.
    let (one, two) = (vec![7u8; 70_000], vec![9u8; 1234]);
    let ids = [b64(b"block-000"), b64(b"block-001")];
    for (id, data) in ids.iter().zip([&one, &two]) {
        let v = blob
            .ok(
                "PutBlock",
                json!({"Container": "box", "Blob": "big.bin", "BlockId": id, "Body": b64(data)}),
            )
            .await;
        assert_eq!(v["ResponseMetadata"]["HTTPStatusCode"], 201);
    }
    let v = blob
        .ok(
            "GetBlockList",
            json!({"Container": "box", "Blob": "big.bin", "BlockListType": "all"}),
        )
        .await;
    assert_eq!(v["UncommittedBlocks"].as_array().unwrap().len(), 2, "{v}");
    let v = blob
        .ok(
            "PutBlockList",
            json!({"Container": "box", "Blob": "big.bin", "BlobContentType": "application/x-test",
                   "Metadata": {"parts": "2"}, "BlockList": {"Latest": ids}}),
        )
        .await;
    assert_eq!(v["ResponseMetadata"]["HTTPStatusCode"], 201);
    let v = blob
        .ok(
            "GetBlockList",
            json!({"Container": "box", "Blob": "big.bin", "BlockListType": "committed"}),
        )
        .await;
    assert_eq!(
        v["CommittedBlocks"],
        json!([{"Name": ids[0], "Size": 70_000}, {"Name": ids[1], "Size": 1234}])
    );
    let out = blob
        .call("GetBlob", json!({"Container": "box", "Blob": "big.bin"}))
        .await;
    assert_eq!(out.body.len(), one.len() + two.len());
    assert!(out.body[..one.len()] == one[..] && out.body[one.len()..] == two[..]);
    let v = out.value.unwrap();
    assert_eq!(v["ContentType"], "application/x-test");
    assert_eq!(v["Metadata"], json!({"parts": "2"}));

    // Deletes, and errors with and without a body.
    let v = blob
        .ok("DeleteBlob", json!({"Container": "box", "Blob": "a.txt"}))
        .await;
    assert_eq!(v["ResponseMetadata"]["HTTPStatusCode"], 202);
    let e = blob
        .error(
            "GetBlobProperties",
            json!({"Container": "box", "Blob": "a.txt"}),
        )
        .await;
    assert_eq!((e.status, e.code.as_str()), (404, "BlobNotFound"));
    assert!(e.request_id.is_some());
    let e = blob
        .error("GetBlob", json!({"Container": "box", "Blob": "a.txt"}))
        .await;
    assert_eq!((e.status, e.code.as_str()), (404, "BlobNotFound"));
    assert!(!e.message.is_empty());
    let v = blob.ok("DeleteContainer", box_.clone()).await;
    assert_eq!(v["ResponseMetadata"]["HTTPStatusCode"], 202);
    let e = blob.error("ListBlobs", box_.clone()).await;
    assert_eq!((e.status, e.code.as_str()), (404, "ContainerNotFound"));
    let e = blob.error("GetContainerProperties", box_).await;
    assert_eq!((e.status, e.code.as_str()), (404, "ContainerNotFound"));
}

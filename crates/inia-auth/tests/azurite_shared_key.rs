//! The Azure SharedKey signer against a real Azurite: raw Blob requests (no model, no
//! engine) signed with `AzureSharedKey` and sent with `inia_http::HttpClient`. Azurite
//! recomputes every signature, so a wrong string to sign fails here with 403.
//!
//! Owns that end-to-end check of the signer. Does not own the Blob service model or the
//! provider file (the engine's tests use those).

use inia_auth::credentials::Credentials;
use inia_auth::sign::{scheme, AzureSharedKey, Sign, SignedBody, SigningContext};
use inia_http::{Body, HttpClient, HttpConfig};
use inia_test_support::azurite::{Azurite, ACCOUNT, ACCOUNT_KEY, API_VERSION};
use std::time::SystemTime;

struct Reply {
    status: u16,
    headers: http::HeaderMap,
    body: String,
}

struct Blob {
    azurite: Azurite,
    http: HttpClient,
    signer: std::sync::Arc<dyn Sign>,
}

impl Blob {
    fn new() -> Blob {
        let azurite = Azurite::start_with(true);
        let signer = scheme("azure-shared-key").unwrap();
        assert_eq!(signer.name(), "azure-shared-key");
        Blob {
            azurite,
            http: HttpClient::new(HttpConfig::default()).unwrap(),
            signer,
        }
    }

    /// Sign `method path_and_query` (relative to the account endpoint) with `key` and send it.
    async fn send(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        key: &str,
    ) -> Reply {
        let uri = format!("{}{path_and_query}", self.azurite.blob_endpoint());
        let mut b = http::Request::builder()
            .method(method)
            .uri(&uri)
            .header("x-ms-version", API_VERSION);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let (mut parts, ()) = b.body(()).unwrap().into_parts();
        let creds = Credentials::new(ACCOUNT, key, None, None, "test");
        let ctx = SigningContext::new(&creds, "", "blob", SystemTime::now());
        let bytes = bytes::Bytes::copy_from_slice(body);
        let signed = SignedBody::Bytes(bytes.clone());
        if bytes.is_empty() && method != "GET" && method != "HEAD" {
            // Signed as an empty line, sent as `0`.
            parts
                .headers
                .insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(0));
        }
        self.signer.sign(&mut parts, &signed, &ctx).unwrap();
        let sts = AzureSharedKey::string_to_sign(&parts, ACCOUNT);
        let request = http::Request::from_parts(parts, Body::from_bytes(bytes));
        let response = self.http.send(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().bytes().await.unwrap();
        let reply = Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        if reply.status == 403 && key == ACCOUNT_KEY {
            // Azurite writes its log after answering.
            std::thread::sleep(std::time::Duration::from_millis(500));
            panic!(
                "{method} {uri}: 403 with the right key\nour string to sign:\n{sts:?}\n\
                 Azurite's debug log (tail):\n{}",
                tail(&self.azurite.debug_log(), 40)
            );
        }
        reply
    }
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn header<'a>(r: &'a Reply, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test(flavor = "current_thread")]
async fn signed_blob_requests_round_trip_through_azurite() {
    let blob = Blob::new();
    let k = ACCOUNT_KEY;

    let r = blob
        .send("PUT", "/box?restype=container", &[], b"", k)
        .await;
    assert_eq!(r.status, 201, "create container: {}", r.body);

    let text = b"hello from inia's SharedKey signer";
    let r = blob
        .send(
            "PUT",
            "/box/dir/hello%20world.txt",
            &[
                ("x-ms-blob-type", "BlockBlob"),
                ("content-type", "text/plain"),
                ("x-ms-meta-colour", "blue"),
                ("x-ms-meta-Shape", " round "),
            ],
            text,
            k,
        )
        .await;
    assert_eq!(r.status, 201, "put blob: {}", r.body);
    let etag = header(&r, "etag").to_string();
    assert!(!etag.is_empty());

    let r = blob
        .send("GET", "/box/dir/hello%20world.txt", &[], b"", k)
        .await;
    assert_eq!(r.status, 200, "get blob: {}", r.body);
    assert_eq!(r.body.as_bytes(), text);
    assert_eq!(header(&r, "x-ms-meta-colour"), "blue");
    assert_eq!(header(&r, "x-ms-meta-shape"), "round");
    assert_eq!(header(&r, "content-type"), "text/plain");
    assert_eq!(header(&r, "content-length"), text.len().to_string());

    // Range and a conditional header are in the signed standard headers.
    let r = blob
        .send(
            "GET",
            "/box/dir/hello%20world.txt",
            &[("range", "bytes=0-4"), ("if-match", &etag)],
            b"",
            k,
        )
        .await;
    assert_eq!(r.status, 206, "ranged get: {}", r.body);
    assert_eq!(r.body, "hello");
    let r = blob
        .send(
            "GET",
            "/box/dir/hello%20world.txt",
            &[("if-none-match", &etag)],
            b"",
            k,
        )
        .await;
    assert_eq!(r.status, 304, "conditional get: {}", r.body);

    // Several query parameters, one of them percent-encoded.
    let r = blob
        .send(
            "GET",
            "/box?restype=container&comp=list&prefix=dir%2F&include=metadata&maxresults=10",
            &[],
            b"",
            k,
        )
        .await;
    assert_eq!(r.status, 200, "list blobs: {}", r.body);
    assert!(
        r.body.contains("<Name>dir/hello world.txt</Name>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("<colour>blue</colour>"), "{}", r.body);

    // The account root, without and with the trailing `/` (the model's `/?comp=list`
    // joined to Azurite's `/devstoreaccount1` endpoint path gives the second).
    for root in ["?comp=list", "/?comp=list"] {
        let r = blob.send("GET", root, &[], b"", k).await;
        assert_eq!(r.status, 200, "list containers at {root}: {}", r.body);
        assert!(r.body.contains("<Name>box</Name>"), "{}", r.body);
    }

    let r = blob
        .send("HEAD", "/box/dir/hello%20world.txt", &[], b"", k)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(header(&r, "x-ms-blob-type"), "BlockBlob");

    let r = blob
        .send("DELETE", "/box/dir/hello%20world.txt", &[], b"", k)
        .await;
    assert_eq!(r.status, 202, "delete blob: {}", r.body);
    let r = blob
        .send("GET", "/box/dir/hello%20world.txt", &[], b"", k)
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(header(&r, "x-ms-error-code"), "BlobNotFound");

    let r = blob
        .send("DELETE", "/box?restype=container", &[], b"", k)
        .await;
    assert_eq!(r.status, 202, "delete container: {}", r.body);
}

#[tokio::test(flavor = "current_thread")]
async fn a_wrong_key_is_refused_with_403() {
    let blob = Blob::new();
    // Valid base64 of 64 bytes, but not the account's key.
    let wrong =
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==";
    let r = blob.send("GET", "?comp=list", &[], b"", wrong).await;
    // Azure answers `AuthenticationFailed`; Azurite 3.35.0 answers `AuthorizationFailure`
    // whenever no authenticator accepts the request (its AuthenticationMiddlewareFactory),
    // a wrong SharedKey signature included.
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(header(&r, "x-ms-error-code"), "AuthorizationFailure");
    assert!(
        r.body.contains("<Code>AuthorizationFailure</Code>"),
        "{}",
        r.body
    );
    // The same request with the right key passes: the 403 was the key, not the request.
    let r = blob.send("GET", "?comp=list", &[], b"", ACCOUNT_KEY).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

//! Azure Blob Storage through the `azure-blob` provider file, against a real Azurite
//! (in-memory) with Microsoft's published development account: the acceptance
//! flows through the library. `Session::builder().provider("azure-blob")` binds the
//! service name `blob` to the `azure-blob` model, the SharedKey signer and the
//! `x-ms-version` header; Azurite checks every signature.
//!
//! Owns the engine-level acceptance of the Azure provider (containers, blobs with
//! metadata, paging, a 20 MiB block upload, deletes, credentials from the provider's own
//! sources, a wrong key). Does not own the model's wire facts (inia-auth's
//! `azurite_blob_model`) or the command line (inia-cli's `azure_blob_cli`).

use futures_util::StreamExt;
use inia::auth::config::Env;
use inia::{json, Body, Client, Credentials, Session, Value};
use inia_test_support::azurite::{Azurite, ACCOUNT, ACCOUNT_KEY};

fn session(azurite: &Azurite, key: &str) -> Session {
    Session::builder()
        .provider("azure-blob")
        .endpoint_url(azurite.blob_endpoint())
        .credentials(Credentials::new(ACCOUNT, key, None, None, "test"))
        .env(Env::empty())
        .build()
        .unwrap()
}

fn blob_client(azurite: &Azurite) -> Client {
    session(azurite, ACCOUNT_KEY).client("blob").unwrap()
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `len` bytes that are not all alike (a xorshift sequence), so that a block stored in
/// the wrong place or a byte off would show.
fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The names of `ListBlobs` output's blobs.
fn names(listing: &Value) -> Vec<String> {
    listing["Blobs"]["Blob"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|b| b["Name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn put(blob: &Client, container: &str, name: &str, text: &str, meta: Value) -> Value {
    blob.call_with(
        "PutBlob",
        json!({"Container": container, "Blob": name, "BlobType": "BlockBlob",
               "ContentType": "text/plain", "Metadata": meta}),
        Some(Body::from_bytes(text.as_bytes().to_vec())),
    )
    .await
    .unwrap_or_else(|e| panic!("PutBlob {name}: {e}"))
    .value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_blobs_metadata_paging_and_deletes() {
    let azurite = Azurite::start();
    let blob = blob_client(&azurite);

    let v = blob
        .call(
            "CreateContainer",
            json!({"Container": "docs", "Metadata": {"project": "inia", "stage": "test"}}),
        )
        .await
        .unwrap();
    assert_eq!(v["ResponseMetadata"]["HTTPStatusCode"], 201, "{v}");
    let v = blob
        .call("GetContainerProperties", json!({"Container": "docs"}))
        .await
        .unwrap();
    assert_eq!(v["Metadata"], json!({"project": "inia", "stage": "test"}));
    let v = blob
        .call("ListContainers", json!({"Include": "metadata"}))
        .await
        .unwrap();
    assert_eq!(v["Containers"][0]["Name"], "docs", "{v}");
    assert_eq!(v["Containers"][0]["Metadata"]["project"], "inia", "{v}");

    // Five blobs with metadata; one name needs escaping in the path.
    let blobs = ["a.txt", "b.txt", "c.txt", "dir/d e.txt", "z.txt"];
    for (i, name) in blobs.iter().enumerate() {
        let v = put(
            &blob,
            "docs",
            name,
            &format!("content of {name}"),
            json!({"index": i.to_string(), "kind": "text"}),
        )
        .await;
        assert_eq!(v["ResponseMetadata"]["HTTPStatusCode"], 201, "{v}");
        assert!(v["ETag"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    }

    // Get: the streaming body beside the value, metadata from the x-ms-meta-* headers.
    let out = blob
        .call_with(
            "GetBlob",
            json!({"Container": "docs", "Blob": "dir/d e.txt"}),
            None,
        )
        .await
        .unwrap();
    assert_eq!(out.value["Metadata"], json!({"index": "3", "kind": "text"}));
    assert_eq!(out.value["ContentType"], "text/plain");
    assert_eq!(out.value["BlobType"], "BlockBlob");
    assert_eq!(out.value["ContentLength"], 22);
    assert!(out.value.get("Body").is_none(), "{}", out.value);
    let body = out
        .body
        .expect("GetBlob streams its body")
        .bytes()
        .await
        .unwrap();
    assert_eq!(&body[..], b"content of dir/d e.txt");
    let v = blob
        .call(
            "GetBlobProperties",
            json!({"Container": "docs", "Blob": "b.txt"}),
        )
        .await
        .unwrap();
    assert_eq!(v["Metadata"]["index"], "1", "{v}");
    assert_eq!(v["ContentLength"], 16);

    // List with metadata: every blob once, its metadata and properties.
    let v = blob
        .call(
            "ListBlobs",
            json!({"Container": "docs", "Include": "metadata"}),
        )
        .await
        .unwrap();
    assert_eq!(names(&v), blobs, "{v}");
    for (i, b) in v["Blobs"]["Blob"].as_array().unwrap().iter().enumerate() {
        assert_eq!(
            b["Metadata"],
            json!({"index": i.to_string(), "kind": "text"}),
            "{b}"
        );
        assert_eq!(b["Properties"]["BlobType"], "BlockBlob", "{b}");
        assert_eq!(b["Properties"]["ContentType"], "text/plain", "{b}");
    }
    // Without include=metadata, Azure leaves metadata out.
    let v = blob
        .call("ListBlobs", json!({"Container": "docs"}))
        .await
        .unwrap();
    assert!(v["Blobs"]["Blob"][0].get("Metadata").is_none(), "{v}");

    // Paging by the model's paginator: maxresults 2 over 5 blobs is three pages.
    let pages: Vec<Value> = blob
        .paginate(
            "ListBlobs",
            json!({"Container": "docs", "MaxResults": 2, "Include": "metadata"}),
        )
        .map(|p| p.unwrap())
        .collect()
        .await;
    let per_page: Vec<usize> = pages.iter().map(|p| names(p).len()).collect();
    assert_eq!(per_page, [2, 2, 1], "{pages:?}");
    assert_eq!(pages[0]["MaxResults"], 2, "{}", pages[0]);
    assert!(pages[0]["NextMarker"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    let paged: Vec<String> = pages.iter().flat_map(names).collect();
    assert_eq!(paged, blobs);
    let all = blob
        .paginate_all(
            "ListBlobs",
            json!({"Container": "docs", "MaxResults": 2, "Include": "metadata"}),
            None,
        )
        .await
        .unwrap();
    assert_eq!(names(&all), blobs, "{all}");
    assert_eq!(all["Blobs"]["Blob"][4]["Metadata"]["index"], "4", "{all}");
    // max_items cuts the listing and leaves a token to resume from.
    let first = blob
        .paginate_all_with(
            "ListBlobs",
            json!({"Container": "docs"}),
            inia::PageOptions {
                page_size: Some(2),
                max_items: Some(3),
                starting_token: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(names(&first), &blobs[..3], "{first}");
    let token = first["NextToken"]
        .as_str()
        .expect("a resume token")
        .to_string();
    let rest = blob
        .paginate_all_with(
            "ListBlobs",
            json!({"Container": "docs"}),
            inia::PageOptions {
                page_size: Some(2),
                max_items: None,
                starting_token: Some(token),
            },
        )
        .await
        .unwrap();
    assert_eq!(names(&rest), &blobs[3..], "{rest}");
    assert!(rest.get("NextToken").is_none(), "{rest}");

    // Deletes: a get afterwards is Azure's not-found error, with status and request id.
    for name in blobs {
        let v = blob
            .call("DeleteBlob", json!({"Container": "docs", "Blob": name}))
            .await
            .unwrap();
        assert_eq!(v["ResponseMetadata"]["HTTPStatusCode"], 202, "{v}");
    }
    let err = blob
        .call_with(
            "GetBlob",
            json!({"Container": "docs", "Blob": "a.txt"}),
            None,
        )
        .await
        .unwrap_err();
    let se = err.service_error().unwrap_or_else(|| panic!("{err}"));
    assert_eq!(
        (se.status, se.code.as_str()),
        (404, "BlobNotFound"),
        "{err}"
    );
    assert!(se.request_id.is_some(), "{se}");
    let v = blob
        .call("ListBlobs", json!({"Container": "docs"}))
        .await
        .unwrap();
    assert!(names(&v).is_empty(), "{v}");
    blob.call("DeleteContainer", json!({"Container": "docs"}))
        .await
        .unwrap();
    let err = blob
        .call("GetContainerProperties", json!({"Container": "docs"}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ContainerNotFound"), "{err}");
    let err = blob
        .call_with(
            "GetBlob",
            json!({"Container": "docs", "Blob": "z.txt"}),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ContainerNotFound"), "{err}");
    let v = blob.call("ListContainers", json!({})).await.unwrap();
    assert!(v["Containers"].as_array().is_none_or(Vec::is_empty), "{v}");
}

/// Block ids: base64 of equal-length names, as Azure requires within one blob.
fn block_id(i: usize) -> String {
    b64(format!("block-{i:05}").as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_20_mib_blob_in_blocks_reads_back_byte_identical() {
    const BLOCK: usize = 4 * 1024 * 1024;
    let azurite = Azurite::start();
    let blob = blob_client(&azurite);
    blob.call("CreateContainer", json!({"Container": "big"}))
        .await
        .unwrap();
    let data = bytes::Bytes::from(pattern(20 * 1024 * 1024, 0x1a2b_3c4d));
    let started = std::time::Instant::now();
    // Stage the blocks, at most three in flight.
    let staged: Vec<(usize, Value)> = futures_util::stream::iter(
        data.chunks(BLOCK)
            .enumerate()
            .map(|(i, _)| (i, data.slice(i * BLOCK..((i + 1) * BLOCK).min(data.len()))))
            .collect::<Vec<_>>(),
    )
    .map(|(i, part)| {
        let blob = blob.clone();
        async move {
            let v = blob
                .call_with(
                    "PutBlock",
                    json!({"Container": "big", "Blob": "data.bin", "BlockId": block_id(i)}),
                    Some(Body::from_bytes(part)),
                )
                .await
                .unwrap_or_else(|e| panic!("PutBlock {i}: {e}"))
                .value;
            (i, v)
        }
    })
    .buffer_unordered(3)
    .collect()
    .await;
    assert_eq!(staged.len(), 5);
    for (i, v) in &staged {
        assert_eq!(
            v["ResponseMetadata"]["HTTPStatusCode"], 201,
            "block {i}: {v}"
        );
    }
    let ids: Vec<String> = (0..5).map(block_id).collect();
    let v = blob
        .call(
            "GetBlockList",
            json!({"Container": "big", "Blob": "data.bin", "BlockListType": "uncommitted"}),
        )
        .await
        .unwrap();
    assert_eq!(
        v["UncommittedBlocks"].as_array().map(Vec::len),
        Some(5),
        "{v}"
    );
    let v = blob
        .call(
            "PutBlockList",
            json!({"Container": "big", "Blob": "data.bin", "BlockList": {"Latest": ids},
                   "BlobContentType": "application/octet-stream",
                   "Metadata": {"blocks": "5"}}),
        )
        .await
        .unwrap();
    assert_eq!(v["ResponseMetadata"]["HTTPStatusCode"], 201, "{v}");
    let uploaded = started.elapsed();

    let v = blob
        .call(
            "GetBlockList",
            json!({"Container": "big", "Blob": "data.bin", "BlockListType": "committed"}),
        )
        .await
        .unwrap();
    let committed: Vec<(String, u64)> = v["CommittedBlocks"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|b| {
            (
                b["Name"].as_str().unwrap().to_string(),
                b["Size"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, u64)> = ids.iter().map(|id| (id.clone(), BLOCK as u64)).collect();
    assert_eq!(committed, expected);
    assert_eq!(v["BlobContentLength"], 20 * 1024 * 1024, "{v}");

    let started = std::time::Instant::now();
    let out = blob
        .call_with(
            "GetBlob",
            json!({"Container": "big", "Blob": "data.bin"}),
            None,
        )
        .await
        .unwrap();
    assert_eq!(out.value["ContentLength"], data.len(), "{}", out.value);
    assert_eq!(out.value["Metadata"], json!({"blocks": "5"}));
    let got = out.body.unwrap().bytes().await.unwrap();
    assert_eq!(got.len(), data.len());
    assert!(
        got == data,
        "the blob read back differs from what was uploaded"
    );
    eprintln!(
        "20 MiB: staged and committed in {uploaded:?}, read back in {:?}",
        started.elapsed()
    );
    blob.call(
        "DeleteBlob",
        json!({"Container": "big", "Blob": "data.bin"}),
    )
    .await
    .unwrap();
    blob.call("DeleteContainer", json!({"Container": "big"}))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_from_the_provider_sources_and_a_wrong_key() {
    let azurite = Azurite::start();
    // The provider file's first source: AZURE_STORAGE_ACCOUNT / AZURE_STORAGE_KEY.
    let env = Env::empty()
        .with_var("AZURE_STORAGE_ACCOUNT", ACCOUNT)
        .with_var("AZURE_STORAGE_KEY", ACCOUNT_KEY);
    let from_env = Session::builder()
        .provider("azure-blob")
        .endpoint_url(azurite.blob_endpoint())
        .env(env)
        .build()
        .unwrap()
        .client("blob")
        .unwrap();
    from_env
        .call("CreateContainer", json!({"Container": "env-made"}))
        .await
        .unwrap();
    // Its second: the profile's azure_storage_account / azure_storage_key, with the
    // provider chosen by INIA_PROVIDER instead of in code.
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        format!(
            "[default]\nazure_storage_account = {ACCOUNT}\nazure_storage_key = {ACCOUNT_KEY}\n"
        ),
    )
    .unwrap();
    let from_profile = Session::builder()
        .endpoint_url(azurite.blob_endpoint())
        .env(
            Env::empty()
                .with_home(home.path())
                .with_var("INIA_PROVIDER", "azure-blob"),
        )
        .build()
        .unwrap();
    assert_eq!(from_profile.provider().name, "azure-blob");
    let v = from_profile
        .client("blob")
        .unwrap()
        .call("ListContainers", json!({}))
        .await
        .unwrap();
    assert_eq!(v["Containers"][0]["Name"], "env-made", "{v}");

    // A wrong (well-formed) key: Azurite refuses the signature with a 403 service error
    // carrying Azure's code, message and request id. Real Azure answers a bad SharedKey
    // signature with `AuthenticationFailed`; Azurite 3.35.0 (the pinned release) answers
    // `AuthorizationFailure` instead, and this test checks what the server sends.
    let wrong = b64(&pattern(64, 7));
    let bad = session(&azurite, &wrong).client("blob").unwrap();
    let err = bad
        .call("ListBlobs", json!({"Container": "env-made"}))
        .await
        .unwrap_err();
    let se = err
        .service_error()
        .unwrap_or_else(|| panic!("not a service error: {err:?}"));
    assert_eq!(se.status, 403, "{se}");
    assert_eq!(se.code, "AuthorizationFailure", "{se}");
    assert!(!se.message.is_empty(), "{se}");
    assert!(
        se.request_id.as_deref().is_some_and(|r| !r.is_empty()),
        "{se}"
    );
    assert!(
        err.to_string().starts_with(
            "An error occurred (AuthorizationFailure) when calling the ListBlobs operation: "
        ),
        "{err}"
    );
    assert!(
        !format!("{err:?}").contains(&wrong),
        "the key leaked: {err:?}"
    );
    // Refused without a body too (HEAD): the code comes from x-ms-error-code.
    let err = bad
        .call("GetContainerProperties", json!({"Container": "env-made"}))
        .await
        .unwrap_err();
    let se = err.service_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(
        (se.status, se.code.as_str()),
        (403, "AuthorizationFailure"),
        "{se}"
    );
    // Nothing was changed by the refused calls.
    from_env
        .call("DeleteContainer", json!({"Container": "env-made"}))
        .await
        .unwrap();
}

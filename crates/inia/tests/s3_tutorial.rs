//! boto's S3 tutorial against moto on 127.0.0.1, through `inia::transfer` and plain calls:
//! buckets in two regions, objects from strings and files (single and multipart), metadata,
//! canned ACLs, listing with paging, deleting. Each state change is checked through a
//! second path (another operation, or the bytes read back).
//!
//! One moto serves every test of this file (`Moto::shared`, started once); each test
//! uses names (buckets, queues, roles...) no other test here uses.

use futures_util::StreamExt;
use inia::connection::HttpError;
use inia::{
    json, Body, Credentials, ResponseBody, Session, Transfer, TransferConfig, UploadOptions,
};
use inia_test_support::Moto;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower::util::BoxCloneSyncService;
use tower::ServiceExt;

const MIB: usize = 1024 * 1024;
const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";

fn builder(moto: &Moto, region: &str) -> inia::SessionBuilder {
    Session::builder()
        .region(region)
        .endpoint_url(moto.endpoint())
        .credentials(Credentials::new(
            "AKIDTEST",
            "secret-test",
            None,
            None,
            "test",
        ))
        .env(inia::auth::config::Env::empty())
}

fn session(moto: &Moto, region: &str) -> Session {
    builder(moto, region).build().expect("session")
}

fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut data = vec![0u8; len];
    fastrand::Rng::with_seed(seed).fill(&mut data);
    data
}

fn has_all_users_read(acl: &inia::Value) -> bool {
    acl["Grants"].as_array().is_some_and(|grants| {
        grants
            .iter()
            .any(|g| g["Grantee"]["URI"] == ALL_USERS && g["Permission"] == "READ")
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buckets_in_two_regions() {
    let moto = Moto::shared();
    let east = session(moto, "us-east-1").client("s3").unwrap();
    let west = session(moto, "eu-west-1").client("s3").unwrap();

    east.call("CreateBucket", json!({"Bucket": "tutorial-east"}))
        .await
        .unwrap();
    // No LocationConstraint given: the client adds eu-west-1 itself.
    west.call("CreateBucket", json!({"Bucket": "tutorial-west"}))
        .await
        .unwrap();

    let loc = east
        .call("GetBucketLocation", json!({"Bucket": "tutorial-east"}))
        .await
        .unwrap();
    assert!(
        loc["LocationConstraint"].is_null() || loc["LocationConstraint"] == "",
        "{loc}"
    );
    let loc = east
        .call("GetBucketLocation", json!({"Bucket": "tutorial-west"}))
        .await
        .unwrap();
    assert_eq!(loc["LocationConstraint"], "eu-west-1", "{loc}");

    // Creating an owned bucket again: moto says 200 in us-east-1, 409 elsewhere.
    let again = east
        .call("CreateBucket", json!({"Bucket": "tutorial-east"}))
        .await
        .unwrap();
    assert_eq!(again["ResponseMetadata"]["HTTPStatusCode"], 200);
    let err = west
        .call("CreateBucket", json!({"Bucket": "tutorial-west"}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("BucketAlreadyOwnedByYou"), "{err}");
    assert_eq!(err.service_error().map(|e| e.status), Some(409));

    let list = east.call("ListBuckets", json!({})).await.unwrap();
    let mut names: Vec<&str> = list["Buckets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["Name"].as_str())
        // moto is shared with the other tests of this file, which make buckets of their own.
        .filter(|n| n.starts_with("tutorial-"))
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["tutorial-east", "tutorial-west"], "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strings_files_metadata_and_acls() {
    let moto = Moto::shared();
    let s3 = session(moto, "us-east-1").client("s3").unwrap();
    let t = s3.transfer();
    s3.call("CreateBucket", json!({"Bucket": "tut"}))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();

    // A string, read back by a plain GetObject and by download_to.
    let put = t
        .upload_bytes(
            "tut",
            "greeting",
            "This is a test of S3",
            &UploadOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        put["ETag"], "\"2fe69c2e5bf1bc5f774a7ac2ae6133e5\"",
        "the ETag is the MD5 of the bytes: {put}"
    );
    let out = s3
        .call_with(
            "GetObject",
            json!({"Bucket": "tut", "Key": "greeting"}),
            None,
        )
        .await
        .unwrap();
    let got = out.body.unwrap().bytes().await.unwrap();
    assert_eq!(&got[..], b"This is a test of S3");
    let mut into: Vec<u8> = Vec::new();
    let value = t.download_to("tut", "greeting", &mut into).await.unwrap();
    assert_eq!(into, b"This is a test of S3");
    assert_eq!(value["ContentLength"], 20);
    // A range: its bytes do not have the object's MD5, and that is not an error.
    let mut first_word = Vec::new();
    let range = json!({"Bucket": "tut", "Key": "greeting", "Range": "bytes=0-3"});
    t.download_to_with(range, &mut first_word).await.unwrap();
    assert_eq!(first_word, b"This");

    // A file: its Content-Type guessed from the name; downloaded to a file.
    let page = dir.path().join("index.html");
    std::fs::write(&page, "<html><body>hi</body></html>").unwrap();
    t.upload_file("tut", "site/index.html", &page, &UploadOptions::new())
        .await
        .unwrap();
    let head = s3
        .call(
            "HeadObject",
            json!({"Bucket": "tut", "Key": "site/index.html"}),
        )
        .await
        .unwrap();
    assert_eq!(head["ContentType"], "text/html", "{head}");
    assert_eq!(head["ContentLength"], 28, "{head}");
    let back = dir.path().join("back.html");
    t.download_file("tut", "site/index.html", &back)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&page).unwrap());
    // A given type wins over the guess.
    t.upload_file(
        "tut",
        "site/raw.html",
        &page,
        &UploadOptions::new().content_type("text/plain"),
    )
    .await
    .unwrap();
    let head = s3
        .call(
            "HeadObject",
            json!({"Bucket": "tut", "Key": "site/raw.html"}),
        )
        .await
        .unwrap();
    assert_eq!(head["ContentType"], "text/plain", "{head}");

    // Metadata round trip.
    let opts = UploadOptions::new()
        .metadata("owner", "alice")
        .metadata("purpose", "tutorial")
        .param("CacheControl", "max-age=60");
    t.upload_bytes("tut", "meta.txt", "with metadata", &opts)
        .await
        .unwrap();
    let head = s3
        .call("HeadObject", json!({"Bucket": "tut", "Key": "meta.txt"}))
        .await
        .unwrap();
    assert_eq!(
        head["Metadata"],
        json!({"owner": "alice", "purpose": "tutorial"}),
        "{head}"
    );
    assert_eq!(head["CacheControl"], "max-age=60", "{head}");
    assert_eq!(
        head["ContentType"], "text/plain",
        "guessed from the key: {head}"
    );

    // Canned ACLs: an object uploaded public-read; the bucket made public-read.
    let acl = s3
        .call("GetObjectAcl", json!({"Bucket": "tut", "Key": "meta.txt"}))
        .await
        .unwrap();
    assert!(!has_all_users_read(&acl), "private by default: {acl}");
    t.upload_bytes(
        "tut",
        "public.txt",
        "for all",
        &UploadOptions::new().acl("public-read"),
    )
    .await
    .unwrap();
    let acl = s3
        .call(
            "GetObjectAcl",
            json!({"Bucket": "tut", "Key": "public.txt"}),
        )
        .await
        .unwrap();
    assert!(has_all_users_read(&acl), "{acl}");
    s3.call(
        "PutBucketAcl",
        json!({"Bucket": "tut", "ACL": "public-read"}),
    )
    .await
    .unwrap();
    let acl = s3
        .call("GetBucketAcl", json!({"Bucket": "tut"}))
        .await
        .unwrap();
    assert!(has_all_users_read(&acl), "{acl}");

    // A missing object: an error, and no file (nor temporary file) left behind.
    let missing = dir.path().join("missing.bin");
    let err = t
        .download_file("tut", "no-such-key", &missing)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"), "{err}");
    assert!(!missing.exists());
    // A local file that is not there: an Io error naming it.
    let err = t
        .upload_file(
            "tut",
            "x",
            dir.path().join("absent.txt"),
            &UploadOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, inia::Error::Io { path, .. } if path.ends_with("absent.txt")),
        "{err}"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "only index.html and back.html: {names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_mib_goes_multipart_and_comes_back_identical() {
    let moto = Moto::shared();
    let s3 = session(moto, "us-east-1").client("s3").unwrap();
    let t = s3.transfer();
    s3.call("CreateBucket", json!({"Bucket": "big"}))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = random_bytes(20 * MIB, 7);
    let mib = MIB as u64;
    assert_eq!(t.config().part_size_for(20 * mib), 8 * mib);
    let tiny_parts = TransferConfig {
        part_size: mib,
        ..TransferConfig::default()
    };
    assert_eq!(tiny_parts.part_size_for(20 * mib), 5 * mib, "S3's least");
    let huge = 100 * 1024 * mib; // 12,800 parts of 8 MiB: raised to fit 10,000
    assert!(t.config().part_size_for(huge) * 10_000 >= huge);
    let src = dir.path().join("random.bin");
    std::fs::write(&src, &data).unwrap();

    let started = Instant::now();
    let done = t
        .upload_file(
            "big",
            "random.bin",
            &src,
            &UploadOptions::new().metadata("kind", "random"),
        )
        .await
        .unwrap();
    let up = started.elapsed();
    let etag = done["ETag"].as_str().unwrap();
    assert!(etag.ends_with("-3\""), "8 + 8 + 4 MiB parts: {done}");

    let head = s3
        .call("HeadObject", json!({"Bucket": "big", "Key": "random.bin"}))
        .await
        .unwrap();
    assert_eq!(head["ContentLength"], 20 * MIB);
    assert_eq!(head["ETag"], etag);
    assert_eq!(head["Metadata"]["kind"], "random", "{head}");
    assert_eq!(head["ContentType"], "application/octet-stream", "{head}");
    let uploads = s3
        .call("ListMultipartUploads", json!({"Bucket": "big"}))
        .await
        .unwrap();
    assert!(
        uploads["Uploads"].as_array().is_none_or(Vec::is_empty),
        "{uploads}"
    );

    let dest = dir.path().join("copy.bin");
    let started = Instant::now();
    t.download_file("big", "random.bin", &dest).await.unwrap();
    let down = started.elapsed();
    let copy = std::fs::read(&dest).unwrap();
    assert!(
        copy == data,
        "the downloaded bytes differ from the uploaded ones"
    );
    eprintln!("20 MiB against moto: upload {up:?}, download {down:?}");

    // The same from memory, in 5 MiB parts two at a time.
    let small_parts = Transfer::with_config(
        &s3,
        TransferConfig {
            part_size: 5 * MIB as u64,
            max_concurrency: 2,
            ..TransferConfig::default()
        },
    );
    let done = small_parts
        .upload_bytes("big", "from-memory", data.clone(), &UploadOptions::new())
        .await
        .unwrap();
    assert!(done["ETag"].as_str().unwrap().ends_with("-4\""), "{done}");
    let mut back = Vec::new();
    t.download_to("big", "from-memory", &mut back)
        .await
        .unwrap();
    assert!(back == data, "the bytes from memory came back different");
}

/// What a test's transport does wrong on purpose (through `map_transport`), and what it saw.
#[derive(Clone, Default)]
struct Faults {
    /// Answer UploadPart of this part number with a 400 error, without sending it.
    refuse_part: Option<u32>,
    /// Hold UploadPart of this part number for a minute.
    stall_part: Option<u32>,
    /// Flip a byte in the GetObject body of a key whose path ends so.
    corrupt_get: Option<&'static str>,
    /// Each request's method, path and query, and `x-amz-checksum-crc32` header.
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// One request as the transport saw it.
struct Seen {
    method: String,
    target: String,
    crc32: Option<String>,
}

impl Faults {
    fn part_number(target: &str) -> Option<u32> {
        target
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("partNumber="))
            .and_then(|n| n.parse().ok())
    }

    fn seen(&self, method: &str, target_has: &str) -> Vec<(String, Option<String>)> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|r| r.method == method && r.target.contains(target_has))
            .map(|r| (r.target.clone(), r.crc32.clone()))
            .collect()
    }

    fn session(&self, moto: &Moto) -> Session {
        let faults = self.clone();
        builder(moto, "us-east-1")
            .map_transport(move |inner| {
                BoxCloneSyncService::new(tower::service_fn(move |req: http::Request<Body>| {
                    let inner = inner.clone();
                    let faults = faults.clone();
                    async move { faults.handle(inner, req).await }
                }))
            })
            .build()
            .unwrap()
    }

    async fn handle(
        &self,
        inner: inia::Transport,
        req: http::Request<Body>,
    ) -> Result<http::Response<ResponseBody>, HttpError> {
        let target = req
            .uri()
            .path_and_query()
            .map_or_else(String::new, |pq| pq.as_str().to_string());
        let md5 = req
            .headers()
            .get("x-amz-checksum-crc32")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        self.seen.lock().unwrap().push(Seen {
            method: req.method().to_string(),
            target: target.clone(),
            crc32: md5,
        });
        let part = Faults::part_number(&target).filter(|_| req.method() == http::Method::PUT);
        if part.is_some() && part == self.refuse_part {
            let xml = "<Error><Code>InjectedFailure</Code><Message>part refused by the test\
                       </Message><RequestId>test</RequestId></Error>";
            let resp = http::Response::builder()
                .status(400)
                .header("content-type", "application/xml")
                .body(ResponseBody::from_bytes(xml));
            return Ok(resp.unwrap());
        }
        if part.is_some() && part == self.stall_part {
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        let corrupt = req.method() == http::Method::GET
            && self
                .corrupt_get
                .is_some_and(|k| req.uri().path().ends_with(k));
        let resp = inner.oneshot(req).await?;
        if !corrupt {
            return Ok(resp);
        }
        let (head, body) = resp.into_parts();
        let mut bytes = body.bytes().await?.to_vec();
        if let Some(b) = bytes.get_mut(1000) {
            *b ^= 0x55;
        }
        Ok(http::Response::from_parts(
            head,
            ResponseBody::from_bytes(bytes),
        ))
    }
}

fn crc32(data: &[u8]) -> String {
    let v = inia::protocol::checksum::Algorithm::Crc32.of(data);
    v.to_str().unwrap().to_string()
}

async fn pending_uploads(s3: &inia::Client, bucket: &str) -> usize {
    let uploads = s3
        .call("ListMultipartUploads", json!({"Bucket": bucket}))
        .await
        .unwrap();
    uploads["Uploads"].as_array().map_or(0, Vec::len)
}

fn five_mib_parts(s3: &inia::Client) -> Transfer {
    Transfer::with_config(
        s3,
        TransferConfig {
            part_size: 5 * MIB as u64,
            ..TransferConfig::default()
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_part_aborts_the_upload() {
    let moto = Moto::shared();
    let faults = Faults {
        refuse_part: Some(2),
        ..Faults::default()
    };
    let s3 = faults.session(moto).client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": "abort"}))
        .await
        .unwrap();
    // moto does list a pending upload, so an empty list below means something.
    let pending = s3
        .call(
            "CreateMultipartUpload",
            json!({"Bucket": "abort", "Key": "probe"}),
        )
        .await
        .unwrap();
    assert_eq!(pending_uploads(&s3, "abort").await, 1);
    s3.call(
        "AbortMultipartUpload",
        json!({"Bucket": "abort", "Key": "probe", "UploadId": pending["UploadId"]}),
    )
    .await
    .unwrap();
    assert_eq!(pending_uploads(&s3, "abort").await, 0);

    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("twenty.bin");
    let data = random_bytes(20 * MIB, 8);
    std::fs::write(&src, &data).unwrap();
    let err = five_mib_parts(&s3)
        .upload_file("abort", "twenty.bin", &src, &UploadOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InjectedFailure"), "{err}");

    // Every part carried the CRC32 of its own range of the file (botocore 1.36+'s
    // default, where it sent Content-MD5 before).
    let parts = faults.seen("PUT", "partNumber=");
    assert!(!parts.is_empty());
    for (target, md5) in &parts {
        let n = Faults::part_number(target).unwrap() as usize;
        let range = &data[(n - 1) * 5 * MIB..n * 5 * MIB];
        assert_eq!(md5.as_deref(), Some(crc32(range).as_str()), "part {n}");
    }
    // Aborted once, and nothing is left: no pending upload, no object. One abort is one
    // call: every DELETE is that upload's, and a second one can only be the engine
    // retrying it within its budget (seen once in a full `cargo xtask test`, when the
    // shared moto was busy), never an abort of anything else.
    let aborts = faults.seen("DELETE", "/twenty.bin?uploadId=");
    assert!((1..=3).contains(&aborts.len()), "{} aborts", aborts.len());
    assert!(
        aborts.iter().all(|(t, _)| *t == aborts[0].0),
        "one upload aborted"
    );
    assert_eq!(pending_uploads(&s3, "abort").await, 0);
    let err = s3
        .call(
            "HeadObject",
            json!({"Bucket": "abort", "Key": "twenty.bin"}),
        )
        .await
        .unwrap_err();
    assert_eq!(err.service_error().map(|e| e.status), Some(404), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_upload_is_aborted() {
    let moto = Moto::shared();
    let faults = Faults {
        stall_part: Some(3),
        ..Faults::default()
    };
    let s3 = faults.session(moto).client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": "cancel"}))
        .await
        .unwrap();
    let data = random_bytes(12 * MIB, 10);
    let t = five_mib_parts(&s3);
    let options = UploadOptions::new();
    let upload = t.upload_bytes("cancel", "stalled", data, &options);
    let timed_out = tokio::time::timeout(Duration::from_secs(3), upload).await;
    assert!(
        timed_out.is_err(),
        "part 3 stalls, so the upload cannot finish"
    );
    // The dropped upload aborts itself from a spawned task.
    let mut left = usize::MAX;
    for _ in 0..50 {
        left = pending_uploads(&s3, "cancel").await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "the cancelled upload was not aborted");
    assert_eq!(faults.seen("DELETE", "uploadId=").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_download_is_an_error_and_leaves_no_file() {
    let moto = Moto::shared();
    let faults = Faults {
        corrupt_get: Some("/corrupt.bin"),
        ..Faults::default()
    };
    let s3 = faults.session(moto).client("s3").unwrap();
    s3.call("CreateBucket", json!({"Bucket": "flaky"}))
        .await
        .unwrap();
    let t = s3.transfer();
    let data = random_bytes(MIB, 9);
    t.upload_bytes("flaky", "corrupt.bin", data.clone(), &UploadOptions::new())
        .await
        .unwrap();
    t.upload_bytes("flaky", "fine.bin", data.clone(), &UploadOptions::new())
        .await
        .unwrap();
    let (_, md5) = &faults.seen("PUT", "/corrupt.bin")[0];
    assert_eq!(md5.as_deref(), Some(crc32(&data).as_str()));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.bin");
    std::fs::write(&dest, "old content").unwrap();
    let err = t
        .download_file("flaky", "corrupt.bin", &dest)
        .await
        .unwrap_err();
    // moto answers the object's CRC32 (the download asks for it), so the flexible
    // checksum catches the flipped byte before the ETag's MD5 would.
    assert!(err.to_string().contains("CRC32"), "{err}");
    assert_eq!(std::fs::read(&dest).unwrap(), b"old content", "untouched");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file"
    );

    t.download_file("flaky", "fine.bin", &dest).await.unwrap();
    assert!(std::fs::read(&dest).unwrap() == data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_in_pages_then_delete() {
    let moto = Moto::shared();
    let s3 = session(moto, "us-east-1").client("s3").unwrap();
    let t = s3.transfer();
    s3.call("CreateBucket", json!({"Bucket": "listing"}))
        .await
        .unwrap();
    let keys: Vec<String> = (0..7).map(|i| format!("notes/{i:02}.txt")).collect();
    for k in &keys {
        t.upload_bytes("listing", k, format!("note {k}"), &UploadOptions::new())
            .await
            .unwrap();
    }
    let mut pages =
        Box::pin(s3.paginate("ListObjectsV2", json!({"Bucket": "listing", "MaxKeys": 2})));
    let mut listed = Vec::new();
    let mut n = 0;
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        n += 1;
        listed.extend(
            page["Contents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["Key"].as_str().unwrap().to_string()),
        );
    }
    assert_eq!(n, 4);
    assert_eq!(listed, keys);

    s3.call(
        "DeleteObject",
        json!({"Bucket": "listing", "Key": "notes/03.txt"}),
    )
    .await
    .unwrap();
    let err = s3
        .call(
            "HeadObject",
            json!({"Bucket": "listing", "Key": "notes/03.txt"}),
        )
        .await
        .unwrap_err();
    let status = err.service_error().map(|e| e.status);
    assert_eq!(status, Some(404), "{err}");
    assert!(matches!(err.code(), Some("404" | "NotFound")), "{err}");
    let list = s3
        .call("ListObjectsV2", json!({"Bucket": "listing"}))
        .await
        .unwrap();
    assert_eq!(list["KeyCount"], 6, "{list}");
}

//! S3 uploads and downloads on top of [`Client::call_with`]: what boto3's `upload_file`
//! and `download_file` do.
//!
//! [`Transfer`] holds a clone of an S3 [`Client`] (cheap: clients share their state) and a
//! [`TransferConfig`]. It owns, for uploads: `Content-Length`, the `Content-Type` guessed
//! from the file name (or the key, for bytes) unless given, metadata and canned ACL, one
//! `PutObject` below the multipart threshold, and above it a multipart upload whose parts
//! go up in parallel (bounded), each from its own file range or byte slice; a stream of
//! unknown length (standard input) is read a part at a time
//! ([`Transfer::upload_reader`]). What proves the bytes arrived: a flexible checksum
//! (CRC32 by default with AWS, or the caller's `ChecksumAlgorithm`), which the server
//! checks; where none goes (`request_checksum_calculation = when_required`, the
//! `s3-compatible` provider), the object's or part's `Content-MD5`, and the ETag answered
//! compared with it, for servers that do not check it. Bodies are replayable, so the
//! client's retries re-send
//! them. On any failure of a multipart upload it calls `AbortMultipartUpload` before
//! returning the error (and, if the upload future is dropped half way, a spawned task does),
//! so no orphan parts remain. For downloads: `GetObject` streamed chunk by chunk into a file
//! or any `AsyncWrite`, the length and (when the ETag is a plain MD5) the MD5 checked while
//! streaming; files are written to a temporary file in the same folder and renamed into
//! place only when complete and correct.
//!
//! Downloads live in `download`, the parts of an upload in `parts`. Does not own: the call path, retries and signing
//! (`client`), S3 addressing and the
//! bucket's region (`s3`), the request body type ([`Body`]). A broken download stream is
//! resumed (`download`); it does not download ranges in parallel, or report progress.
//!
//! ```no_run
//! # async fn demo(s3: inia::Client) -> Result<(), inia::Error> {
//! use inia::transfer::UploadOptions;
//! let t = s3.transfer();
//! t.upload_file("bucket", "photos/cat.jpg", "cat.jpg", &UploadOptions::new().acl("public-read")).await?;
//! t.download_file("bucket", "photos/cat.jpg", "/tmp/cat.jpg").await?;
//! # Ok(()) }
//! ```

use crate::client::Client;
use crate::error::Error;
use bytes::Bytes;
use inia_protocol::checksum::Algorithm;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use tokio::task::JoinSet;

mod download;
mod parts;
pub use download::write_body_to_file;
use parts::{check_etag, full_object_checksum, read_part, upload_part, Feed, Part, Source};

const MIB: u64 = 1024 * 1024;
/// S3's smallest part (all but the last).
pub const MIN_PART_SIZE: u64 = 5 * MIB;
/// S3's most parts in one upload.
pub const MAX_PARTS: u64 = 10_000;
/// Buffer size when hashing a file and when writing a download to a file.
pub(super) const IO_BUFFER: usize = MIB as usize;

/// When and how to split uploads. The defaults are boto3's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferConfig {
    /// Uploads of at least this many bytes are multipart (default 8 MiB).
    pub multipart_threshold: u64,
    /// Size of each part but the last (default 8 MiB; raised to 5 MiB if smaller, and
    /// enough to keep within 10,000 parts).
    pub part_size: u64,
    /// Parts in flight at once (default 10; at least 1).
    pub max_concurrency: usize,
}

impl Default for TransferConfig {
    fn default() -> Self {
        TransferConfig {
            multipart_threshold: 8 * MIB,
            part_size: 8 * MIB,
            max_concurrency: 10,
        }
    }
}

impl TransferConfig {
    /// The part size used for an upload of `len` bytes.
    pub fn part_size_for(&self, len: u64) -> u64 {
        self.part_size
            .max(MIN_PART_SIZE)
            .max(len.div_ceil(MAX_PARTS))
    }
}

/// What to store with an uploaded object, besides its bytes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UploadOptions {
    /// `Content-Type`; when `None`, guessed from the file name (or the key for bytes),
    /// else left to the server.
    pub content_type: Option<String>,
    /// User metadata, sent as `x-amz-meta-<name>` headers.
    pub metadata: BTreeMap<String, String>,
    /// A canned ACL (`private`, `public-read`, ...).
    pub acl: Option<String>,
    /// Other `PutObject` / `CreateMultipartUpload` parameters (`CacheControl`,
    /// `StorageClass`, `ServerSideEncryption`, ...), like boto3's `ExtraArgs`. SSE-C keys,
    /// `RequestPayer` and `ExpectedBucketOwner` are also passed to the part calls.
    pub extra: Map<String, Value>,
}

impl UploadOptions {
    /// No content type, metadata or ACL.
    pub fn new() -> Self {
        Self::default()
    }

    /// The object's `Content-Type` (otherwise guessed from the file name).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// A user metadata entry (`x-amz-meta-NAME`).
    pub fn metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(name.into(), value.into());
        self
    }

    /// A canned ACL (`private`, `public-read`, ...).
    pub fn acl(mut self, acl: impl Into<String>) -> Self {
        self.acl = Some(acl.into());
        self
    }

    /// Any other parameter of `PutObject` / `CreateMultipartUpload`.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }
}

/// Parameters of the create call that the part and complete calls also need; the abort
/// call needs the last two.
const PART_PARAMS: [&str; 5] = [
    "SSECustomerAlgorithm",
    "SSECustomerKey",
    "SSECustomerKeyMD5",
    "RequestPayer",
    "ExpectedBucketOwner",
];
const END_PARAMS: [&str; 2] = ["RequestPayer", "ExpectedBucketOwner"];

/// Uploads and downloads through one S3 client. See the module documentation.
#[derive(Clone, Debug)]
pub struct Transfer {
    client: Client,
    config: TransferConfig,
}

impl Client {
    /// Uploads and downloads through this (S3) client, with the default [`TransferConfig`].
    pub fn transfer(&self) -> Transfer {
        Transfer::new(self)
    }
}

impl Transfer {
    /// Holds a clone of `client` (it shares the client's state).
    pub fn new(client: &Client) -> Transfer {
        Transfer::with_config(client, TransferConfig::default())
    }

    /// Transfers through `client` with `config`.
    pub fn with_config(client: &Client, config: TransferConfig) -> Transfer {
        Transfer {
            client: client.clone(),
            config,
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &TransferConfig {
        &self.config
    }

    /// Upload bytes held in memory as `s3://bucket/key`. Returns the `PutObject` (or
    /// `CompleteMultipartUpload`) result, with its `ETag`.
    pub async fn upload_bytes(
        &self,
        bucket: &str,
        key: &str,
        data: impl Into<Bytes>,
        options: &UploadOptions,
    ) -> Result<Value, Error> {
        let source = Source::Bytes(data.into());
        self.upload(bucket, key, source, Path::new(key), options)
            .await
    }

    /// Upload everything `reader` gives, of a length not known ahead (standard input), as
    /// `s3://bucket/key`: one `PutObject` when it ends below the multipart threshold, else
    /// a multipart upload whose parts are read one after another, at most
    /// `max_concurrency` parts held in memory at once. The parts are `part_size` bytes
    /// (at least 5 MiB), so the object can be at most 10,000 of them; a longer stream
    /// fails and its upload is aborted. Returns the `PutObject` (or
    /// `CompleteMultipartUpload`) result.
    pub async fn upload_reader<R>(
        &self,
        bucket: &str,
        key: &str,
        mut reader: R,
        options: &UploadOptions,
    ) -> Result<Value, Error>
    where
        R: tokio::io::AsyncRead + Unpin + Send + 'static,
    {
        let threshold = self.config.multipart_threshold.max(1);
        let first = read_part(&mut reader, threshold).await?;
        if (first.len() as u64) < threshold {
            return self.upload_bytes(bucket, key, first, options).await;
        }
        let feed = Feed::Reader {
            reader: Box::new(reader),
            part_size: self.config.part_size.max(MIN_PART_SIZE),
            held: first,
        };
        let params = self.upload_params(bucket, key, Path::new(key), options);
        self.multipart(params, feed).await
    }

    /// Upload the file at `path` as `s3://bucket/key`; the file is read, never held whole
    /// in memory. Returns the `PutObject` (or `CompleteMultipartUpload`) result.
    pub async fn upload_file(
        &self,
        bucket: &str,
        key: &str,
        path: impl AsRef<Path>,
        options: &UploadOptions,
    ) -> Result<Value, Error> {
        let path = path.as_ref();
        let meta = tokio::fs::metadata(path).await.map_err(io_error(path))?;
        if !meta.is_file() {
            return Err(invalid(path, "not a regular file"));
        }
        let source = Source::File {
            path: Arc::new(path.to_path_buf()),
            len: meta.len(),
        };
        self.upload(bucket, key, source, path, options).await
    }

    async fn upload(
        &self,
        bucket: &str,
        key: &str,
        source: Source,
        name: &Path,
        options: &UploadOptions,
    ) -> Result<Value, Error> {
        let mut params = self.upload_params(bucket, key, name, options);
        let len = source.len();
        if len < self.config.multipart_threshold.max(1) {
            params.insert("ContentLength".into(), len.into());
            // A flexible checksum, which the server checks, makes the MD5 needless (as
            // botocore's `conditionally_calculate_md5`).
            let md5 = match self.flexible_algorithm(&params) {
                Some(_) => None,
                None => Some(source.md5(0, len).await?),
            };
            if let Some(m) = &md5 {
                params.insert("ContentMD5".into(), m.clone().into());
            }
            let body = source.body(0, len)?;
            let out = s3_call(&self.client, "PutObject", Value::Object(params), Some(body)).await?;
            let what = format!("s3://{bucket}/{key}");
            let checked = md5.map_or(Ok(()), |m| check_etag(&out.value, &m, &what));
            if let Err(e) = checked {
                // What is stored is not what was sent: do not leave it there.
                let params = json!({"Bucket": bucket, "Key": key});
                let gone = s3_call(&self.client, "DeleteObject", params, None).await;
                return Err(match gone {
                    Ok(_) => Error::Response(format!("{e}; the object was deleted")),
                    Err(d) => Error::Response(format!("{e}; deleting it failed too: {d}")),
                });
            }
            return Ok(out.value);
        }
        let part_size = self.config.part_size_for(len);
        let feed = Feed::Ranges {
            count: len.div_ceil(part_size),
            source,
            part_size,
        };
        self.multipart(params, feed).await
    }

    /// The flexible checksum algorithm an upload carries: the caller's, else CRC32 where
    /// checksums are calculated when supported (the payload stage's default).
    fn flexible_algorithm(&self, params: &Map<String, Value>) -> Option<String> {
        params
            .get("ChecksumAlgorithm")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                (self.client.inner.checksum_calculation == inia_model::ChecksumWhen::WhenSupported)
                    .then(|| "CRC32".to_string())
            })
    }

    /// The parameters of the create or put call for `options`.
    fn upload_params(
        &self,
        bucket: &str,
        key: &str,
        name: &Path,
        options: &UploadOptions,
    ) -> Map<String, Value> {
        let mut params = Map::new();
        params.insert("Bucket".into(), bucket.into());
        params.insert("Key".into(), key.into());
        if let Some(ct) = options.content_type.clone().or_else(|| guess_type(name)) {
            params.insert("ContentType".into(), ct.into());
        }
        if !options.metadata.is_empty() {
            params.insert("Metadata".into(), json!(options.metadata));
        }
        if let Some(acl) = &options.acl {
            params.insert("ACL".into(), acl.as_str().into());
        }
        for (k, v) in &options.extra {
            params.insert(k.clone(), v.clone());
        }
        params
    }

    /// Create, upload the parts, complete; abort on any failure.
    async fn multipart(&self, params: Map<String, Value>, feed: Feed) -> Result<Value, Error> {
        let pick = |names: &[&str]| -> Map<String, Value> {
            let mut m = Map::new();
            for k in ["Bucket", "Key"].iter().chain(names) {
                if let Some(v) = params.get(*k) {
                    m.insert((*k).to_string(), v.clone());
                }
            }
            m
        };
        let mut part_params = pick(&PART_PARAMS);
        let mut end_params = pick(&END_PARAMS);
        // As s3transfer: the upload declares its checksum algorithm (the caller's, else
        // CRC32 where checksums are calculated when supported), every part is sent with
        // it, and the completion lists each part's checksum.
        let mut params = params.clone();
        let algorithm = self.flexible_algorithm(&params);
        if let Some(a) = &algorithm {
            params.insert("ChecksumAlgorithm".into(), a.as_str().into());
            part_params.insert("ChecksumAlgorithm".into(), a.as_str().into());
        }
        let created = s3_call(
            &self.client,
            "CreateMultipartUpload",
            Value::Object(params.clone()),
            None,
        )
        .await?
        .value;
        let upload_id = created["UploadId"]
            .as_str()
            .ok_or_else(|| Error::Response("CreateMultipartUpload answered no UploadId".into()))?
            .to_string();
        part_params.insert("UploadId".into(), upload_id.clone().into());
        end_params.insert("UploadId".into(), upload_id.into());
        let mut guard = AbortGuard {
            client: self.client.clone(),
            params: Some(end_params.clone()),
        };
        let checksum_type = params
            .get("ChecksumType")
            .and_then(Value::as_str)
            .map(str::to_string);
        let result = self
            .parts_and_complete(part_params, feed, checksum_type)
            .await;
        guard.params = None;
        if result.is_err() {
            if let Err(e) = abort(&self.client, end_params).await {
                tracing::warn!(error = %e, "AbortMultipartUpload failed after a failed upload");
            }
        }
        result
    }

    async fn parts_and_complete(
        &self,
        part_params: Map<String, Value>,
        mut feed: Feed,
        checksum_type: Option<String>,
    ) -> Result<Value, Error> {
        let limit = self.config.max_concurrency.max(1);
        let part_params = Arc::new(part_params);
        let mut set = JoinSet::new();
        let mut parts: Vec<Part> = Vec::new();
        let mut next = 1u64;
        let mut fed = false;
        loop {
            while set.len() < limit && !fed {
                let piece = match feed.part(next).await {
                    Ok(Some(piece)) => piece,
                    Ok(None) => {
                        fed = true;
                        break;
                    }
                    Err(e) => {
                        set.shutdown().await;
                        return Err(e);
                    }
                };
                let (source, offset, size) = piece;
                let job = upload_part(
                    self.client.clone(),
                    part_params.clone(),
                    source,
                    next,
                    offset,
                    size,
                );
                set.spawn(job);
                next += 1;
            }
            let Some(joined) = set.join_next().await else {
                break;
            };
            let failed = match joined {
                Ok(Ok(part)) => {
                    parts.push(part);
                    continue;
                }
                Ok(Err(e)) => e,
                Err(e) => Error::Response(format!("an upload part task failed: {e}")),
            };
            // Stop the other parts before the caller aborts the upload.
            set.shutdown().await;
            return Err(failed);
        }
        parts.sort_by_key(|p| p.number);
        // CompleteMultipartUpload takes the same parameters as the parts (less the
        // algorithm, which it names through the parts' checksums).
        let mut params = (*part_params).clone();
        let algorithm = params
            .remove("ChecksumAlgorithm")
            .and_then(|a| a.as_str().and_then(Algorithm::parse));
        // A full-object checksum (`FULL_OBJECT`, which is all S3 has for CRC64NVME) goes
        // with the completion, combined from the parts' CRCs, so S3 checks the whole
        // object against it.
        let full = match checksum_type.as_deref() {
            Some(t) => t == "FULL_OBJECT",
            None => algorithm == Some(Algorithm::Crc64Nvme),
        };
        if let (true, Some(a)) = (full, algorithm) {
            if let Some(value) = full_object_checksum(a, &parts) {
                params.insert(format!("Checksum{}", a.name()), value.into());
                params.insert("ChecksumType".into(), "FULL_OBJECT".into());
            }
        }
        let list: Vec<Value> = parts
            .into_iter()
            .map(|p| {
                let mut part = json!({"ETag": p.etag, "PartNumber": p.number});
                if let Some((member, value)) = p.checksum {
                    part[member] = value.into();
                }
                part
            })
            .collect();
        params.insert("MultipartUpload".into(), json!({ "Parts": list }));
        s3_call(
            &self.client,
            "CompleteMultipartUpload",
            Value::Object(params),
            None,
        )
        .await
        .map(|o| o.value)
    }
}
async fn abort(client: &Client, params: Map<String, Value>) -> Result<Value, Error> {
    s3_call(client, "AbortMultipartUpload", Value::Object(params), None)
        .await
        .map(|o| o.value)
}

/// A call the transfer makes: named so in the agent string's features (`G`), as
/// s3transfer's are.
pub(super) async fn s3_call(
    client: &Client,
    operation: &str,
    params: Value,
    body: Option<inia_http::Body>,
) -> Result<crate::client::Output, Error> {
    let options = crate::client::CallOptions {
        feature: Some(crate::sdk_headers::feature::S3_TRANSFER),
        ..Default::default()
    };
    client.send(operation, params, body, &options).await
}

/// Aborts spawned by [`AbortGuard`]s whose upload was dropped, not yet awaited.
static PENDING_ABORTS: std::sync::Mutex<Vec<tokio::task::JoinHandle<bool>>> =
    std::sync::Mutex::new(Vec::new());

/// Wait (at most `deadline`) for the `AbortMultipartUpload` calls that dropped uploads
/// started, and say how many went through. A program that drops an upload future, as
/// the command line does on Ctrl-C, calls this before its runtime ends: a runtime that
/// ends first cancels those calls, leaving the uploads open (and billed) on the server.
pub async fn finish_pending_aborts(deadline: std::time::Duration) -> usize {
    let handles: Vec<_> =
        std::mem::take(&mut *PENDING_ABORTS.lock().unwrap_or_else(|p| p.into_inner()));
    let all = futures_util::future::join_all(handles);
    match tokio::time::timeout(deadline, all).await {
        Ok(results) => results
            .into_iter()
            .filter(|r| matches!(r, Ok(true)))
            .count(),
        Err(_) => 0,
    }
}

/// Aborts the upload from a spawned task if the upload future is dropped half way; the
/// task is registered for [`finish_pending_aborts`].
struct AbortGuard {
    client: Client,
    /// `None` once the upload finished (or was aborted in line).
    params: Option<Map<String, Value>>,
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        let Some(params) = self.params.take() else {
            return;
        };
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let client = self.client.clone();
            let task = rt.spawn(async move {
                match abort(&client, params).await {
                    Ok(_) => true,
                    Err(e) => {
                        tracing::warn!(error = %e, "AbortMultipartUpload failed after a cancelled upload");
                        false
                    }
                }
            });
            PENDING_ABORTS
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(task);
        } else {
            tracing::warn!(upload = ?params.get("UploadId"), "cancelled multipart upload left unaborted: no runtime");
        }
    }
}

fn guess_type(name: impl AsRef<Path>) -> Option<String> {
    mime_guess::from_path(name).first_raw().map(str::to_string)
}

pub(super) fn invalid(path: &Path, message: &str) -> Error {
    io_error(path)(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        message,
    ))
}

pub(super) fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

//! Downloads: `GetObject` streamed chunk by chunk into a file or any `AsyncWrite`, the
//! length and the ETag checked while streaming (a plain-MD5 ETag against the MD5 of the
//! whole object; a multipart `…-N` ETag against per-part MD5s, the part size taken from
//! `HeadObject` of part 1);
//! files go to a temporary file in the same folder, renamed into place only when complete
//! and correct, and removed on any error.
//!
//! A body that breaks off is resumed with a ranged `GetObject` guarded by `If-Match`.
//!
//! Owns downloads. Does not own uploads (the parent module).

use super::{invalid, io_error, Transfer, IO_BUFFER};
use crate::error::Error;
use inia_http::ResponseBody;
use md5::{Digest, Md5};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tokio::io::{AsyncWrite, AsyncWriteExt};

impl Transfer {
    /// Download `s3://bucket/key` to the file at `path`, replacing it only once the whole
    /// object has arrived and checked out. Returns the `GetObject` result (without body).
    pub async fn download_file(
        &self,
        bucket: &str,
        key: &str,
        path: impl AsRef<Path>,
    ) -> Result<Value, Error> {
        let params = json!({"Bucket": bucket, "Key": key});
        self.download_file_with(params, path).await
    }

    /// [`download_file`](Self::download_file) with any `GetObject` parameters
    /// (`VersionId`, SSE-C keys, `Range`...).
    pub async fn download_file_with(
        &self,
        params: Value,
        path: impl AsRef<Path>,
    ) -> Result<Value, Error> {
        let path = path.as_ref();
        // Ask first, so that a missing object leaves no file behind.
        let first = self.get(&params).await?;
        let (part, file) = PartFile::create(path).await?;
        let mut writer = tokio::io::BufWriter::with_capacity(IO_BUFFER, file);
        let label = part.temp.display().to_string();
        let value = self
            .stream_into(&params, first, &mut writer, &label)
            .await?;
        writer.shutdown().await.map_err(io_error(&part.temp))?;
        drop(writer);
        part.commit().await?;
        Ok(value)
    }

    /// Download `s3://bucket/key` into `writer` (a file, a `Vec<u8>`, a socket...),
    /// flushed at the end. On an error, what was written stays written.
    pub async fn download_to<W>(
        &self,
        bucket: &str,
        key: &str,
        writer: &mut W,
    ) -> Result<Value, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        self.download_to_with(json!({"Bucket": bucket, "Key": key}), writer)
            .await
    }

    /// [`download_to`](Self::download_to) with any `GetObject` parameters.
    pub async fn download_to_with<W>(&self, params: Value, writer: &mut W) -> Result<Value, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let first = self.get(&params).await?;
        let label = format!("download of {}", describe(&params));
        let value = self.stream_into(&params, first, writer, &label).await?;
        writer.flush().await.map_err(|e| Error::Io {
            path: label,
            source: e,
        })?;
        Ok(value)
    }

    async fn get(&self, params: &Value) -> Result<(Value, ResponseBody), Error> {
        let out = self.get_object(params.clone()).await?;
        let body = out.body.unwrap_or_else(ResponseBody::empty);
        Ok((out.value, body))
    }

    /// `GetObject`, its answer's checksum left to `stream_into`'s own check
    /// of the whole object, which holds across resumed ranges.
    async fn get_object(&self, params: Value) -> Result<crate::client::Output, Error> {
        let options = crate::client::CallOptions {
            skip_answer_check: true,
            feature: Some(crate::sdk_headers::feature::S3_TRANSFER),
            ..Default::default()
        };
        self.client.send("GetObject", params, None, &options).await
    }
}

/// A temporary file (`.NAME.inia-XXXXXXXXXXXXXXXX.part`) beside the destination:
/// [`commit`](Self::commit) renames it into place; dropped before that (an error, or the
/// future dropped on Ctrl-C), it is removed, so the destination is never half written.
/// A destination that exists and is not a regular file (`/dev/null`, a FIFO, a
/// terminal) is written directly: renaming over it would replace the device.
pub(crate) struct PartFile {
    pub(crate) temp: PathBuf,
    path: PathBuf,
    committed: bool,
}

impl PartFile {
    pub(crate) async fn create(path: &Path) -> Result<(PartFile, tokio::fs::File), Error> {
        let special = tokio::fs::metadata(path)
            .await
            .is_ok_and(|m| !m.is_file() && !m.is_dir());
        if special {
            let file = tokio::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .await
                .map_err(io_error(path))?;
            let part = PartFile {
                temp: path.to_path_buf(),
                path: path.to_path_buf(),
                committed: true,
            };
            return Ok((part, file));
        }
        let name = path
            .file_name()
            .ok_or_else(|| invalid(path, "not a file name"))?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let temp = dir.join(format!(
            ".{}.inia-{:016x}.part",
            name.to_string_lossy(),
            fastrand::u64(..)
        ));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .await
            .map_err(io_error(&temp))?;
        let part = PartFile {
            temp,
            path: path.to_path_buf(),
            committed: false,
        };
        Ok((part, file))
    }

    pub(crate) async fn commit(mut self) -> Result<(), Error> {
        if self.committed {
            // Written directly (a device or FIFO): nothing to move.
            return Ok(());
        }
        tokio::fs::rename(&self.temp, &self.path)
            .await
            .map_err(io_error(&self.path))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Write a streamed response body (any operation's: S3 GetObject, a Lambda payload...) to
/// the file at `path` through a temporary file renamed into place when the body is
/// complete: on an error, or if this future is dropped, `path` is left as it was and the
/// temporary file is removed. Returns the number of bytes written.
pub async fn write_body_to_file(
    mut body: ResponseBody,
    path: impl AsRef<Path>,
) -> Result<u64, Error> {
    let path = path.as_ref();
    let (part, file) = PartFile::create(path).await?;
    let mut writer = tokio::io::BufWriter::with_capacity(IO_BUFFER, file);
    let mut n = 0u64;
    while let Some(chunk) = body.chunk().await {
        let chunk = chunk?;
        n += chunk.len() as u64;
        writer
            .write_all(&chunk)
            .await
            .map_err(io_error(&part.temp))?;
    }
    writer.shutdown().await.map_err(io_error(&part.temp))?;
    drop(writer);
    part.commit().await?;
    Ok(n)
}

impl Transfer {
    /// Stream a `GetObject` body into `w`, hashing as it goes; check length and MD5. A
    /// body that breaks off (reset, truncated, stalled past the read timeout) is resumed
    /// with a ranged `GetObject` from the first byte not yet received, `If-Match` on the
    /// ETag so that a changed object is an error (412) rather than a splice, within the
    /// session's retry budget (`max_attempts` requests in all).
    async fn stream_into<W>(
        &self,
        params: &Value,
        (value, mut body): (Value, ResponseBody),
        w: &mut W,
        label: &str,
    ) -> Result<Value, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let what = describe(params);
        let etag = value["ETag"].as_str().map(str::to_string);
        let whole = params["Range"].is_null() && params["PartNumber"].is_null();
        let expected = value["ContentLength"].as_u64();
        let budget = self.client.session().inner.retry.max_attempts.max(1);
        let mut requests = 1;
        let mut parts = match (whole, multipart_etag(&value), expected) {
            (true, Some((_, count)), Some(total)) => self.part_hasher(params, count, total).await,
            _ => None,
        };
        let mut md5 = Md5::new();
        // The object's flexible checksum, when the answer carries a whole-object one.
        let mut flexible = if whole {
            response_checksum(&value)
        } else {
            None
        };
        let mut received = 0u64;
        loop {
            let chunk = match body.chunk().await {
                None => break,
                Some(Ok(chunk)) => chunk,
                Some(Err(e)) => {
                    let resumable = whole && etag.is_some() && e.is_transient();
                    if !resumable || requests >= budget {
                        return Err(e.into());
                    }
                    requests += 1;
                    tracing::debug!(received, error = %e, object = %what, "download broke off; resuming with a ranged GET");
                    body = self
                        .resume(params, etag.as_deref().unwrap_or(""), received)
                        .await?;
                    continue;
                }
            };
            md5.update(&chunk);
            if let Some((h, _)) = flexible.as_mut() {
                h.update(&chunk);
            }
            if let Some(p) = parts.as_mut() {
                p.update(&chunk);
            }
            received += chunk.len() as u64;
            w.write_all(&chunk).await.map_err(|e| Error::Io {
                path: label.to_string(),
                source: e,
            })?;
        }
        if let Some(expected) = expected {
            if expected != received {
                return Err(Error::Response(format!(
                    "{what}: received {received} bytes, but Content-Length said {expected}"
                )));
            }
        }
        if let Some((h, want)) = flexible.take() {
            let algorithm = h.algorithm();
            let got = h.finish();
            if got.as_bytes() != want.as_bytes() {
                return Err(Error::Response(format!(
                    "{what}: the data received has {algorithm} {}, but the object's is {want}; \
                     it was corrupted on the way",
                    got.to_str().unwrap_or("?")
                )));
            }
        }
        match plain_md5_etag(params, &value) {
            Some(etag) => {
                let got = format!("{:x}", md5.finalize());
                if got != etag {
                    return Err(Error::Response(format!(
                        "{what}: the data received has MD5 {got}, but its ETag is {etag}; \
                         it was corrupted on the way"
                    )));
                }
            }
            None => match (parts, multipart_etag(&value)) {
                (Some(p), Some((etag, _))) => self.check_parts(params, p, &etag).await?,
                _ => tracing::debug!(object = %what, "no MD5 ETag to verify the download with"),
            },
        }
        Ok(value)
    }

    /// For a multipart ETag (`MD5-of-part-MD5s-N`): the part size, from `HeadObject` of
    /// part 1, assuming equal parts but the last (as every common uploader makes them);
    /// `None`, said in `--debug`, when the server gives no layout that fits.
    async fn part_hasher(&self, params: &Value, count: u64, total: u64) -> Option<PartHasher> {
        let head = self.head_part(params, 1).await;
        let size = head.as_ref().ok().and_then(|v| v["ContentLength"].as_u64());
        let listed = head.as_ref().ok().and_then(|v| v["PartsCount"].as_u64());
        let fits = |s: u64| s > 0 && s * (count - 1) < total && total <= s * count;
        match size {
            Some(s) if listed == Some(count) && count >= 1 && fits(s) => Some(PartHasher::new(s)),
            _ => {
                tracing::debug!(object = %describe(params), parts = count, head = ?head.err(),
                    "a multipart ETag, but no part layout to verify the download with");
                None
            }
        }
    }

    async fn head_part(&self, params: &Value, number: u64) -> Result<Value, Error> {
        let mut p = serde_json::Map::new();
        for k in [
            "Bucket",
            "Key",
            "VersionId",
            "RequestPayer",
            "ExpectedBucketOwner",
        ] {
            if let Some(v) = params.get(k).filter(|v| !v.is_null()) {
                p.insert(k.into(), v.clone());
            }
        }
        p.insert("PartNumber".into(), number.into());
        super::s3_call(&self.client, "HeadObject", Value::Object(p), None)
            .await
            .map(|o| o.value)
    }

    /// Compare the per-part MD5s with the ETag. A mismatch is corruption only if the
    /// object's parts really are of the size assumed: that is checked part by part
    /// (`HeadObject` with each `PartNumber`) before calling it an error.
    async fn check_parts(&self, params: &Value, p: PartHasher, etag: &str) -> Result<(), Error> {
        let (size, got) = (p.size, p.finish());
        if got == etag {
            return Ok(());
        }
        let count = got.rsplit('-').next().and_then(|n| n.parse::<u64>().ok());
        let count = count.unwrap_or(0);
        for number in 2..count {
            let head = self.head_part(params, number).await?;
            if head["ContentLength"].as_u64() != Some(size) {
                tracing::debug!(object = %describe(params), part = number,
                    "the object's parts are of unequal sizes: its multipart ETag cannot verify the download");
                return Ok(());
            }
        }
        Err(Error::Response(format!(
            "{}: the data received has part MD5s giving {got}, but its ETag is {etag}; \
             it was corrupted on the way",
            describe(params)
        )))
    }

    /// The rest of the object from byte `from`, if it is still the object with `etag`.
    async fn resume(&self, params: &Value, etag: &str, from: u64) -> Result<ResponseBody, Error> {
        let mut p = params.clone();
        if let Some(o) = p.as_object_mut() {
            o.insert("Range".into(), Value::String(format!("bytes={from}-")));
            o.insert("IfMatch".into(), Value::String(etag.to_string()));
        }
        let out = self.get_object(p).await?;
        let starts = out.value["ContentRange"]
            .as_str()
            .and_then(|r| r.strip_prefix("bytes "))
            .and_then(|r| r.split('-').next())
            .and_then(|n| n.parse::<u64>().ok());
        if starts != Some(from) {
            return Err(Error::Response(format!(
                "{}: resuming at byte {from}, the server answered the range {:?}",
                describe(params),
                out.value["ContentRange"]
            )));
        }
        Ok(out.body.unwrap_or_else(ResponseBody::empty))
    }
}

/// The first whole-object checksum of a `GetObject` answer (`ChecksumCRC64NVME`,
/// `ChecksumCRC32C`, `ChecksumCRC32`, `ChecksumSHA1`, `ChecksumSHA256`, botocore's order),
/// with a hasher for it; a composite checksum of a multipart object (`…-N`) cannot be
/// checked against the bytes and is left out.
fn response_checksum(value: &Value) -> Option<(inia_protocol::checksum::Checksum, String)> {
    inia_protocol::checksum::Algorithm::ALL
        .into_iter()
        .find_map(|a| {
            let member = format!("Checksum{}", a.name());
            let v = value[member.as_str()].as_str()?;
            let composite = v
                .rsplit_once('-')
                .is_some_and(|(_, n)| n.bytes().all(|b| b.is_ascii_digit()));
            (!composite).then(|| (a.hasher(), v.to_string()))
        })
}

/// The ETag as lower-case hex, when it is the MD5 of the bytes received: a whole object
/// (no range or part), a 32-hex-digit ETag (not `…-N` multipart), not SSE-KMS or SSE-C.
fn plain_md5_etag(params: &Value, value: &Value) -> Option<String> {
    if !params["Range"].is_null() || !params["PartNumber"].is_null() {
        return None;
    }
    md5_etag(value)
}

/// A result's ETag as lower-case hex when it is an MD5 of the bytes: 32 hex digits (not a
/// multipart `…-N`), not SSE-KMS or SSE-C (whose ETags are not MD5s).
pub(crate) fn md5_etag(value: &Value) -> Option<String> {
    let etag = digest_etag(value)?;
    (etag.len() == 32 && etag.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| etag.to_ascii_lowercase())
}

/// A multipart ETag as lower-case `hex-N` and its part count, unless the object is
/// SSE-KMS or SSE-C encrypted (whose part ETags are not MD5s).
fn multipart_etag(value: &Value) -> Option<(String, u64)> {
    let (hex, n) = digest_etag(value)?.split_once('-')?;
    let n = n.parse::<u64>().ok().filter(|n| (1..=10_000).contains(n))?;
    (hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| (format!("{}-{n}", hex.to_ascii_lowercase()), n))
}

/// The ETag without its quotes, unless the object is SSE-KMS or SSE-C encrypted: then it
/// is no digest of the bytes.
fn digest_etag(value: &Value) -> Option<&str> {
    let sse = value["ServerSideEncryption"].as_str().unwrap_or("");
    if sse.starts_with("aws:kms") || !value["SSECustomerAlgorithm"].is_null() {
        return None;
    }
    Some(value["ETag"].as_str()?.trim_matches('"'))
}

/// MD5s of consecutive parts of `size` bytes (the last may be shorter), combined as S3
/// combines them for a multipart ETag: the MD5 of the parts' binary MD5s, `-N`.
struct PartHasher {
    size: u64,
    in_part: u64,
    current: Md5,
    digests: Vec<u8>,
    count: u64,
}

impl PartHasher {
    fn new(size: u64) -> PartHasher {
        PartHasher {
            size,
            in_part: 0,
            current: Md5::new(),
            digests: Vec::new(),
            count: 0,
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let room = usize::try_from(self.size - self.in_part).unwrap_or(usize::MAX);
            let (now, rest) = data.split_at(room.min(data.len()));
            self.current.update(now);
            self.in_part += now.len() as u64;
            data = rest;
            if self.in_part == self.size {
                self.close_part();
            }
        }
    }

    fn close_part(&mut self) {
        let digest = std::mem::take(&mut self.current).finalize();
        self.digests.extend_from_slice(&digest);
        self.count += 1;
        self.in_part = 0;
    }

    fn finish(mut self) -> String {
        if self.in_part > 0 {
            self.close_part();
        }
        format!("{:x}-{}", Md5::digest(&self.digests), self.count)
    }
}

fn describe(params: &Value) -> String {
    format!(
        "s3://{}/{}",
        params["Bucket"].as_str().unwrap_or("?"),
        params["Key"].as_str().unwrap_or("?")
    )
}

#[cfg(test)]
mod tests {
    use super::PartFile;
    use tokio::io::AsyncWriteExt;

    #[test]
    fn only_plain_md5_etags_of_whole_objects_are_checked() {
        use super::plain_md5_etag as check;
        use serde_json::json;
        let (whole, ranged) = (json!({}), json!({"Range": "bytes=0-1"}));
        let v = json!({"ETag": "\"0CC175B9C0F1B6A831C399E269772661\""});
        assert_eq!(
            check(&whole, &v).as_deref(),
            Some("0cc175b9c0f1b6a831c399e269772661")
        );
        assert_eq!(check(&ranged, &v), None);
        assert_eq!(
            check(
                &whole,
                &json!({"ETag": "\"0cc175b9c0f1b6a831c399e269772661-3\""})
            ),
            None
        );
        assert_eq!(
            check(
                &whole,
                &json!({"ETag": v["ETag"], "ServerSideEncryption": "aws:kms"})
            ),
            None
        );
    }

    #[test]
    fn part_md5s_combine_as_a_multipart_etag() {
        use super::{multipart_etag, PartHasher};
        use md5::{Digest, Md5};
        let data: Vec<u8> = (0..25u32).map(|i| i as u8).collect();
        let mut concat = Vec::new();
        for part in data.chunks(10) {
            concat.extend_from_slice(&Md5::digest(part));
        }
        let want = format!("{:x}-3", Md5::digest(&concat));
        // Fed in pieces that straddle the part boundaries.
        let mut h = PartHasher::new(10);
        for piece in data.chunks(7) {
            h.update(piece);
        }
        assert_eq!(h.finish(), want);
        let v = serde_json::json!({ "ETag": format!("\"{}\"", want.to_uppercase()) });
        assert_eq!(multipart_etag(&v), Some((want, 3)));
        assert_eq!(
            multipart_etag(&serde_json::json!({"ETag": "\"abc-2\""})),
            None
        );
    }

    /// A destination that is not a regular file (here a FIFO; `/dev/null` alike) is
    /// written directly and stays what it was.
    #[cfg(unix)]
    #[tokio::test]
    async fn a_fifo_destination_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        let (part, mut file) = PartFile::create(&fifo).await.unwrap();
        file.write_all(b"through the pipe").await.unwrap();
        file.flush().await.unwrap();
        drop(file);
        part.commit().await.unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        let kind = std::fs::metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "still a FIFO");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[tokio::test]
    async fn an_uncommitted_part_file_is_removed_and_the_destination_kept() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.bin");
        std::fs::write(&dest, b"before").unwrap();
        let (part, mut file) = PartFile::create(&dest).await.unwrap();
        file.write_all(b"half").await.unwrap();
        let temp = part.temp.clone();
        assert!(temp.exists());
        drop(file);
        drop(part); // as when the download's future is dropped (Ctrl-C)
        assert!(!temp.exists());
        assert_eq!(std::fs::read(&dest).unwrap(), b"before");
        let (part, mut file) = PartFile::create(&dest).await.unwrap();
        file.write_all(b"after").await.unwrap();
        // tokio's File writes in the background: flushed, as the download flushes.
        file.flush().await.unwrap();
        drop(file);
        part.commit().await.unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"after");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

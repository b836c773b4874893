//! The parts of an upload: where their bytes come from ([`Source`]: memory or a file
//! range; [`Feed`]: the ranges of a source of known length, or pieces read one after
//! another from a stream), one part's `UploadPart` with its `Content-MD5`, the check of
//! the ETag the server answered, and the full-object checksum combined from the parts'.
//!
//! Owns those. Does not own the upload's shape (`transfer`: one PutObject or a multipart
//! upload, its parameters, aborting it) nor the checksums' decisions (`payload`).

use super::{io_error, IO_BUFFER, MAX_PARTS, MIB};
use crate::client::Client;
use crate::error::Error;
use base64::Engine as _;
use bytes::Bytes;
use inia_http::Body;
use inia_protocol::checksum::Algorithm;
use md5::{Digest, Md5};
use serde_json::{Map, Value};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::AsyncReadExt;

/// An uploaded part: its number, ETag, and the checksum member and value the server
/// answered (`ChecksumCRC32`...), when it answered one.
pub(super) struct Part {
    pub(super) number: u64,
    pub(super) size: u64,
    pub(super) etag: String,
    pub(super) checksum: Option<(String, String)>,
}

/// The whole object's CRC, combined from its parts' in order; `None` when a part has no
/// checksum of `algorithm` or it is not a CRC.
pub(super) fn full_object_checksum(algorithm: Algorithm, parts: &[Part]) -> Option<String> {
    let member = format!("Checksum{}", algorithm.name());
    let mut whole: Option<String> = None;
    for p in parts {
        let (m, value) = p.checksum.as_ref()?;
        if *m != member {
            return None;
        }
        whole = Some(match whole {
            None => value.clone(),
            Some(w) => algorithm
                .combine(&w, value, p.size)?
                .to_str()
                .ok()?
                .to_string(),
        });
    }
    whole
}

pub(super) async fn upload_part(
    client: Client,
    params: Arc<Map<String, Value>>,
    source: Source,
    number: u64,
    offset: u64,
    size: u64,
) -> Result<Part, Error> {
    // A part with a flexible checksum (the server checks it) goes without an MD5.
    let md5 = match params.contains_key("ChecksumAlgorithm") {
        true => None,
        false => Some(source.md5(offset, size).await?),
    };
    let body = source.body(offset, size)?;
    let mut params = (*params).clone();
    params.insert("PartNumber".into(), number.into());
    params.insert("ContentLength".into(), size.into());
    if let Some(m) = &md5 {
        params.insert("ContentMD5".into(), m.clone().into());
    }
    let out = super::s3_call(&client, "UploadPart", Value::Object(params), Some(body)).await?;
    let etag = out.value["ETag"]
        .as_str()
        .ok_or_else(|| Error::Response(format!("UploadPart {number} answered no ETag")))?;
    if let Some(m) = &md5 {
        check_etag(&out.value, m, &format!("part {number}"))?;
    }
    let checksum = Algorithm::ALL.into_iter().find_map(|a| {
        let m = format!("Checksum{}", a.name());
        out.value[m.as_str()]
            .as_str()
            .map(|v| (m.clone(), v.to_string()))
    });
    Ok(Part {
        number,
        size,
        etag: etag.to_string(),
        checksum,
    })
}

/// The server's ETag, when it is an MD5, must be the MD5 sent (`md5_b64`, base64): else
/// the bytes stored are not the bytes sent (a server that does not check Content-MD5,
/// or corruption after it did).
pub(super) fn check_etag(value: &Value, md5_b64: &str, what: &str) -> Result<(), Error> {
    let Some(etag) = super::download::md5_etag(value) else {
        return Ok(());
    };
    let local: String = base64::engine::general_purpose::STANDARD
        .decode(md5_b64)
        .unwrap_or_default()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if etag == local {
        Ok(())
    } else {
        Err(Error::Response(format!(
            "upload of {what} corrupted: the server stored a different MD5 ({etag}) from the bytes sent ({local})"
        )))
    }
}

/// Where the parts of a multipart upload come from: ranges of a source of known length,
/// or pieces read one after another from a stream.
pub(super) enum Feed {
    Ranges {
        source: Source,
        part_size: u64,
        count: u64,
    },
    Reader {
        reader: Box<dyn tokio::io::AsyncRead + Unpin + Send>,
        part_size: u64,
        /// Read already, not yet sent (the first part, read to decide on multipart).
        held: Bytes,
    },
}

impl Feed {
    /// Part `number` (from 1): its source, offset and size; `None` past the last.
    pub(super) async fn part(&mut self, number: u64) -> Result<Option<(Source, u64, u64)>, Error> {
        match self {
            Feed::Ranges {
                source,
                part_size,
                count,
            } => {
                if number > *count {
                    return Ok(None);
                }
                let offset = (number - 1) * *part_size;
                let size = (*part_size).min(source.len() - offset);
                Ok(Some((source.clone(), offset, size)))
            }
            Feed::Reader {
                reader,
                part_size,
                held,
            } => {
                let data = if held.is_empty() {
                    read_part(reader, *part_size).await?
                } else {
                    std::mem::take(held)
                };
                if data.is_empty() && number > 1 {
                    return Ok(None);
                }
                if number > MAX_PARTS {
                    return Err(Error::Response(format!(
                        "the stream is longer than {MAX_PARTS} parts of {part_size} bytes, \
                         S3's most in one upload: raise the part size"
                    )));
                }
                let size = data.len() as u64;
                Ok(Some((Source::Bytes(data), 0, size)))
            }
        }
    }
}

/// Read up to `size` bytes (fewer only at the stream's end).
pub(super) async fn read_part<R>(reader: &mut R, size: u64) -> Result<Bytes, Error>
where
    R: tokio::io::AsyncRead + Unpin + ?Sized,
{
    let mut buf = Vec::with_capacity(size.min(64 * MIB) as usize);
    (&mut *reader)
        .take(size)
        .read_to_end(&mut buf)
        .await
        .map_err(|source| Error::Io {
            path: "the upload stream".into(),
            source,
        })?;
    Ok(Bytes::from(buf))
}

/// Where upload bytes come from; cheap to clone into part tasks.
#[derive(Clone)]
pub(super) enum Source {
    Bytes(Bytes),
    File { path: Arc<PathBuf>, len: u64 },
}

impl Source {
    pub(super) fn len(&self) -> u64 {
        match self {
            Source::Bytes(b) => b.len() as u64,
            Source::File { len, .. } => *len,
        }
    }

    /// Ranges are computed from `len`, so they fit in memory that is this long.
    fn slice(b: &Bytes, offset: u64, size: u64) -> Bytes {
        b.slice(offset as usize..(offset + size) as usize)
    }

    /// The base64 MD5 of `size` bytes from `offset` (`Content-MD5`).
    pub(super) async fn md5(&self, offset: u64, size: u64) -> Result<String, Error> {
        let digest = match self {
            Source::Bytes(b) => Md5::digest(Source::slice(b, offset, size)).to_vec(),
            Source::File { path, .. } => {
                let path = path.clone();
                let p = path.clone();
                tokio::task::spawn_blocking(move || md5_of_range(&p, offset, size))
                    .await
                    .map_err(|e| io_error(&path)(std::io::Error::other(e.to_string())))?
                    .map_err(io_error(&path))?
            }
        };
        Ok(base64::engine::general_purpose::STANDARD.encode(digest))
    }

    /// A replayable body of `size` bytes from `offset`.
    pub(super) fn body(&self, offset: u64, size: u64) -> Result<Body, Error> {
        match self {
            Source::Bytes(b) => Ok(Body::from_bytes(Source::slice(b, offset, size))),
            Source::File { path, len } if offset == 0 && size == *len => {
                Body::from_file(path.as_path()).map_err(io_error(path))
            }
            Source::File { path, .. } => {
                let path = path.clone();
                Ok(Body::from_reader_factory(size, move || {
                    let named = |e: std::io::Error| {
                        std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
                    };
                    let mut f = std::fs::File::open(path.as_path()).map_err(named)?;
                    f.seek(SeekFrom::Start(offset)).map_err(named)?;
                    Ok(tokio::fs::File::from_std(f).take(size))
                }))
            }
        }
    }
}

pub(super) fn md5_of_range(path: &Path, offset: u64, size: u64) -> std::io::Result<Vec<u8>> {
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    let mut reader = f.take(size);
    let mut md5 = Md5::new();
    let mut buf = vec![0u8; IO_BUFFER];
    let mut left = size;
    while left > 0 {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("the file ended {left} bytes early (did it change?)"),
            ));
        }
        md5.update(&buf[..n]);
        left -= n as u64;
    }
    Ok(md5.finalize().to_vec())
}

//! Stage: vouch for the payload. Once per call, before the first attempt, this decides
//! what proves the request body arrived as sent, as botocore decides it:
//! - an upload operation (one with an `httpChecksum` trait: S3 PutObject, UploadPart...)
//!   gets a `Content-MD5` of its body when the request carries no checksum yet, whether
//!   the body is in memory or a replayable stream (a file), so the server refuses a body
//!   changed on the way (`BadDigest`) instead of storing it; so does every in-memory body
//!   of a provider whose checksums say `md5` (`s3-compatible`);
//! - over plain `http://`, a SigV4-signed streamed body is signed with its SHA-256, so a
//!   man in the middle cannot swap it; over TLS a stream goes `UNSIGNED-PAYLOAD`, its
//!   integrity carried by TLS and the checksum. In-memory bodies are always signed with
//!   their SHA-256 (the signer hashes them itself).
//!
//! Both digests come from one read of the stream ([`Body::scan`]). A one-shot stream
//! cannot be read ahead: it goes without either, which `--debug` says.
//!
//! Owns that decision and the SHA-256. Does not own the checksum algorithms
//! (`inia_protocol::checksum`, shared with the serializers, which add one where the model
//! requires it), signing (`inia-auth`), nor the checks after an upload (`transfer`).

use crate::error::Error;
use inia_http::Body;
use inia_model::Operation;
use inia_protocol::checksum::{self, ContentMd5};
use std::sync::Arc;

/// The hex SHA-256 of a streamed body, for the signer (kept in the request's extensions).
#[derive(Clone, Debug)]
pub(crate) struct PayloadHash(pub(crate) Arc<str>);

/// What the body needs, from the operation, the request so far and the signer's name.
#[derive(Debug, PartialEq, Eq)]
struct Needs {
    md5: bool,
    sha256: bool,
}

fn needs(
    op: &Operation,
    parts: &http::request::Parts,
    body: &Body,
    signer: &str,
    every_body: bool,
) -> Needs {
    let has_checksum = checksum::present(&parts.headers);
    let asked = op.http_checksum.is_some() || (every_body && body.bytes().is_some());
    let md5 = asked && !has_checksum && body.content_length() > 0;
    let plain_http = parts.uri.scheme_str() == Some("http");
    let sha256 = plain_http && matches!(signer, "v4" | "s3v4") && body.bytes().is_none();
    Needs { md5, sha256 }
}

/// Add `Content-MD5` and record the signed SHA-256 where [`needs`] says so;
/// `every_body`: the provider asks for `Content-MD5` on every in-memory body.
pub(crate) async fn vouch(
    op: &Operation,
    parts: &mut http::request::Parts,
    body: &Body,
    signer: &str,
    every_body: bool,
) -> Result<(), Error> {
    let need = needs(op, parts, body, signer, every_body);
    if !need.md5 && !need.sha256 {
        return Ok(());
    }
    let (md5, sha256) = match body.bytes() {
        Some(bytes) => (ContentMd5::of(bytes), None),
        None => {
            let mut md5 = ContentMd5::new();
            let mut sha = ring::digest::Context::new(&ring::digest::SHA256);
            let read = body
                .scan(|chunk| {
                    if need.md5 {
                        md5.update(chunk);
                    }
                    if need.sha256 {
                        sha.update(chunk);
                    }
                })
                .await
                .map_err(Error::Transport)?;
            if !read {
                tracing::debug!(
                    "a one-shot upload stream cannot be read ahead: sent without Content-MD5 \
                     and as UNSIGNED-PAYLOAD"
                );
                return Ok(());
            }
            (md5.finish(), Some(sha.finish()))
        }
    };
    if need.md5 {
        parts.headers.insert(checksum::CONTENT_MD5, md5);
    }
    if let (true, Some(digest)) = (need.sha256, sha256) {
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        parts.extensions.insert(PayloadHash(hex.into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(checksum: bool) -> Operation {
        let mut o: Operation = serde_json::from_value(serde_json::json!({
            "name": "PutObject",
            "http": {"method": "PUT", "requestUri": "/{Bucket}/{Key+}"}
        }))
        .unwrap();
        if checksum {
            o.http_checksum = Some(Default::default());
        }
        o
    }

    fn parts(uri: &str) -> http::request::Parts {
        http::Request::put(uri).body(()).unwrap().into_parts().0
    }

    fn file(data: &[u8]) -> (tempfile::NamedTempFile, Body) {
        use std::io::Write;
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(data).unwrap();
        let body = Body::from_file(f.path()).unwrap();
        (f, body)
    }

    #[tokio::test]
    async fn a_file_upload_over_http_gets_md5_and_a_signed_sha256() {
        let (_f, body) = file(b"hello world");
        let mut p = parts("http://127.0.0.1:5000/b/k");
        vouch(&op(true), &mut p, &body, "s3v4", false)
            .await
            .unwrap();
        assert_eq!(p.headers["content-md5"], "XrY7u+Ae7tCTyyK7j1rNww==");
        assert_eq!(
            &*p.extensions.get::<PayloadHash>().unwrap().0,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
    }

    #[tokio::test]
    async fn over_tls_a_stream_is_unsigned_but_carries_its_md5() {
        let (_f, body) = file(b"hello world");
        let mut p = parts("https://b.s3.amazonaws.com/k");
        vouch(&op(true), &mut p, &body, "s3v4", false)
            .await
            .unwrap();
        assert!(p.headers.contains_key("content-md5"));
        assert!(p.extensions.get::<PayloadHash>().is_none());
    }

    #[test]
    fn a_given_checksum_is_kept_and_other_operations_are_left_alone() {
        let body = Body::from_bytes("x");
        let mut p = parts("https://h/k");
        p.headers
            .insert("x-amz-checksum-crc32", "AAAAAA==".parse().unwrap());
        let none = Needs {
            md5: false,
            sha256: false,
        };
        assert_eq!(needs(&op(true), &p, &body, "s3v4", true), none);
        assert_eq!(
            needs(&op(false), &parts("https://h/k"), &body, "v4", false),
            none
        );
        // In memory over http: the signer hashes the bytes itself.
        assert_eq!(
            needs(&op(false), &parts("http://h/k"), &body, "s3v4", false),
            none
        );
        let (_f, stream) = file(b"abc");
        let sigv2 = needs(&op(false), &parts("http://h/k"), &stream, "s3", false);
        assert_eq!(sigv2, none);
    }

    #[test]
    fn a_provider_asking_for_md5_gets_it_on_in_memory_bodies() {
        let md5_only = Needs {
            md5: true,
            sha256: false,
        };
        let body = Body::from_bytes("x");
        let p = parts("https://h/k");
        assert_eq!(needs(&op(false), &p, &body, "s3v4", true), md5_only);
        // Not on an empty body, nor on a stream of an operation without the trait.
        let empty = Body::from_bytes("");
        assert!(!needs(&op(false), &p, &empty, "s3v4", true).md5);
        let (_f, stream) = file(b"abc");
        assert!(!needs(&op(false), &p, &stream, "s3v4", true).md5);
    }
}

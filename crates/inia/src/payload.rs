//! Stage: vouch for the payload. Once per call, before the first attempt, this decides
//! what proves the request body arrived as sent, as botocore 1.44 decides it
//! (`resolve_request_checksum_algorithm`):
//! - an operation with an `httpChecksum` trait (S3 PutObject, UploadPart, DeleteObjects...)
//!   gets a flexible checksum, `x-amz-checksum-<alg>`, of the algorithm the caller named
//!   in its `requestAlgorithmMember` (`ChecksumAlgorithm`); else, when
//!   `request_checksum_calculation` is `when_supported` (the default) or the operation
//!   requires a checksum, CRC32, with the member's header (`x-amz-sdk-checksum-algorithm:
//!   CRC32`) set as botocore sets it. Operations that require a checksum without the
//!   trait (`httpChecksumRequired`) get CRC32 too, as botocore 1.36+ sends;
//! - where the checksum goes: for an operation with a streaming input (PutObject,
//!   UploadPart) signed with SigV4 or SigV4a, or not signed at all, over `https://`, in
//!   an `aws-chunked` trailer computed as the body is sent
//!   ([`aws_chunked`](crate::aws_chunked), payload `STREAMING-UNSIGNED-PAYLOAD-TRAILER`,
//!   which an unsigned request states in `x-amz-content-sha256` itself), as botocore
//!   sends it; also over plain
//!   `http://` for a one-shot stream, which cannot be read ahead (botocore has no such
//!   body). Everywhere else, in a header computed before sending;
//! - a provider whose checksums say `md5` (`s3-compatible`, `eucalyptus`) keeps
//!   `Content-MD5` instead where an operation requires a checksum, the caller named no
//!   algorithm and `request_checksum_calculation` is `when_required` (the default those
//!   providers give it), since S3-compatible stores accept it and not always the newer
//!   headers; and it adds `Content-MD5` to upload operations and every in-memory body
//!   that carries no checksum yet;
//! - over plain `http://`, a SigV4-signed streamed body is signed with its SHA-256, so a
//!   man in the middle cannot swap it; over TLS a stream goes `UNSIGNED-PAYLOAD`, its
//!   integrity carried by TLS and the checksum. In-memory bodies are signed with their
//!   SHA-256 (the signer hashes them itself) unless they go `aws-chunked`.
//!
//! No flexible checksum is added when the request already carries an `x-amz-checksum-*`
//! header, and no `Content-MD5` when it carries any checksum. All digests of a
//! file body computed ahead come from one read of it ([`Body::scan`]). A one-shot stream
//! that gets no trailer (no flexible checksum, or not an S3 upload) goes without any
//! checksum, which `--debug` says.
//!
//! Owns those decisions and the SHA-256. Does not own the checksum algorithms
//! (`inia_protocol::checksum`), the chunked framing (`aws_chunked`), signing
//! (`inia-auth`), nor the checks after an upload (`transfer`).

use crate::error::Error;
use inia_http::Body;
use inia_model::{ChecksumWhen, Operation};
use inia_protocol::checksum::{self, Algorithm, Checksum, ContentMd5};
use std::sync::Arc;

/// The hex SHA-256 of a streamed body, for the signer (kept in the request's extensions).
#[derive(Clone, Debug)]
pub(crate) struct PayloadHash(pub(crate) Arc<str>);

/// What the client's settings and provider say about checksums.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    /// `request_checksum_calculation`.
    pub(crate) calculation: ChecksumWhen,
    /// The provider's checksums say `md5`.
    pub(crate) md5: bool,
    /// The header the operation's `requestAlgorithmMember` is sent in, if any.
    pub(crate) algorithm_header: Option<http::HeaderName>,
    /// The operation's input payload is a stream (botocore's `has_streaming_input`).
    pub(crate) streaming_input: bool,
}

/// The payload hash SigV4 signs for an `aws-chunked` body with an unsigned trailer.
const STREAMING_UNSIGNED_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/// A flexible checksum to add: its algorithm, and whether to name it in the algorithm
/// member's header (botocore does when it picked the default itself).
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct Flexible {
    algorithm: Algorithm,
    name_it: bool,
}

/// What the body needs, from the operation, the request so far and the signer's name.
#[derive(Debug, PartialEq, Eq)]
struct Needs {
    md5: bool,
    flexible: Option<Flexible>,
    /// The flexible checksum goes in an `aws-chunked` trailer.
    trailer: bool,
    sha256: bool,
}

fn needs(
    op: &Operation,
    parts: &http::request::Parts,
    body: &Body,
    signer: &str,
    policy: &Policy,
) -> Result<Needs, Error> {
    let has_checksum = checksum::present(&parts.headers);
    let required = checksum::required_by(op);
    let member = op
        .http_checksum
        .as_ref()
        .and_then(|c| c.request_algorithm_member.as_deref());
    let given = policy
        .algorithm_header
        .as_ref()
        .and_then(|h| parts.headers.get(h))
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let flexible = match (checksum::flexible_present(&parts.headers), given) {
        (true, _) => None,
        (false, Some(name)) => match Algorithm::parse(&name) {
            Some(algorithm) => Some(Flexible {
                algorithm,
                name_it: false,
            }),
            None => {
                return Err(Error::Param {
                    path: member.unwrap_or("ChecksumAlgorithm").to_string(),
                    message: format!("unsupported checksum algorithm: {name}"),
                })
            }
        },
        (false, None) => {
            let md5_instead = policy.md5 && policy.calculation == ChecksumWhen::WhenRequired;
            let supported = member.is_some() && policy.calculation == ChecksumWhen::WhenSupported;
            ((required && !md5_instead) || supported).then_some(Flexible {
                algorithm: Algorithm::Crc32,
                name_it: policy.algorithm_header.is_some(),
            })
        }
    };
    let asked = op.http_checksum.is_some() || required || body.bytes().is_some();
    let md5 = policy.md5
        && asked
        && !has_checksum
        && flexible.is_none()
        && (body.content_length() > 0 || required);
    let plain_http = parts.uri.scheme_str() == Some("http");
    let one_shot = body.bytes().is_none() && body.try_clone().is_none();
    // Unsigned requests too ("none"), as botocore sends them.
    let trailer = flexible.is_some()
        && policy.streaming_input
        && matches!(signer, "v4" | "s3v4" | "sigv4a" | "none")
        && (parts.uri.scheme_str() == Some("https") || one_shot);
    // A customization may have hashed the body already (Glacier's `x-amz-content-sha256`).
    let sha256 = plain_http
        && matches!(signer, "v4" | "s3v4")
        && body.bytes().is_none()
        && !trailer
        && parts.extensions.get::<PayloadHash>().is_none();
    Ok(Needs {
        md5,
        flexible,
        trailer,
        sha256,
    })
}

/// Add the checksum headers and record the signed SHA-256 where [`needs`] says so; the
/// body comes back encoded when its checksum goes in a trailer.
pub(crate) async fn vouch(
    op: &Operation,
    parts: &mut http::request::Parts,
    body: Body,
    signer: &str,
    policy: &Policy,
) -> Result<Body, Error> {
    let need = needs(op, parts, &body, signer, policy)?;
    if let (true, Some(f)) = (need.trailer, need.flexible) {
        name_algorithm(parts, f, policy);
        let body = chunked(parts, body, f.algorithm);
        if signer == "none" {
            // No signer will say what the payload is: S3 wants it said (botocore's
            // `_set_extra_headers_for_unsigned_request`).
            parts.headers.insert(
                "x-amz-content-sha256",
                http::HeaderValue::from_static(STREAMING_UNSIGNED_TRAILER),
            );
        }
        return Ok(body);
    }
    if !need.md5 && need.flexible.is_none() && !need.sha256 {
        return Ok(body);
    }
    let mut md5 = ContentMd5::new();
    let mut flexible: Option<Checksum> = need.flexible.map(|f| f.algorithm.hasher());
    // A SHA256 flexible checksum over plain http is the signing hash: one pass for both.
    let shared_sha = need.sha256 && need.flexible.map(|f| f.algorithm) == Some(Algorithm::Sha256);
    if shared_sha {
        flexible = None;
    }
    let sha256 = match body.bytes() {
        Some(bytes) => {
            if need.md5 {
                md5.update(bytes);
            }
            if let Some(f) = flexible.as_mut() {
                f.update(bytes);
            }
            None
        }
        None => {
            let mut sha = ring::digest::Context::new(&ring::digest::SHA256);
            let read = body
                .scan(|chunk| {
                    if need.md5 {
                        md5.update(chunk);
                    }
                    if let Some(f) = flexible.as_mut() {
                        f.update(chunk);
                    }
                    if need.sha256 {
                        sha.update(chunk);
                    }
                })
                .await
                .map_err(Error::Transport)?;
            if !read {
                tracing::debug!(
                    "a one-shot upload stream cannot be read ahead: sent without a checksum \
                     and as UNSIGNED-PAYLOAD"
                );
                return Ok(body);
            }
            Some(sha.finish())
        }
    };
    if need.md5 {
        parts.headers.insert(checksum::CONTENT_MD5, md5.finish());
    }
    if let Some(f) = need.flexible {
        let value = match (flexible, &sha256) {
            (Some(sum), _) => Some(sum.finish()),
            (None, Some(digest)) if shared_sha => Some(checksum::header_value_of(digest.as_ref())),
            (None, _) => None,
        };
        if let Some(v) = value {
            parts.headers.insert(f.algorithm.header(), v);
            name_algorithm(parts, f, policy);
        }
    }
    if let (true, Some(digest)) = (need.sha256, sha256) {
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        parts.extensions.insert(PayloadHash(hex.into()));
    }
    Ok(body)
}

/// Name the algorithm in its member's header where botocore does (it picked it).
fn name_algorithm(parts: &mut http::request::Parts, f: Flexible, policy: &Policy) {
    if let (true, Some(h)) = (f.name_it, policy.algorithm_header.as_ref()) {
        parts.headers.insert(
            h.clone(),
            http::HeaderValue::from_static(f.algorithm.name()),
        );
    }
}

/// Announce and encode an `aws-chunked` body whose trailer carries the checksum.
fn chunked(parts: &mut http::request::Parts, body: Body, algorithm: Algorithm) -> Body {
    use http::header::{HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH};
    let decoded = body.content_length();
    let body = crate::aws_chunked::encode(body, algorithm);
    let encoding = match parts.headers.get(CONTENT_ENCODING) {
        Some(v) => {
            let mut both = v.as_bytes().to_vec();
            both.extend_from_slice(b",aws-chunked");
            HeaderValue::from_bytes(&both).unwrap_or(HeaderValue::from_static("aws-chunked"))
        }
        None => HeaderValue::from_static("aws-chunked"),
    };
    parts.headers.insert(CONTENT_ENCODING, encoding);
    parts.headers.insert(
        "x-amz-trailer",
        HeaderValue::from_static(algorithm.header()),
    );
    parts
        .headers
        .insert("x-amz-decoded-content-length", HeaderValue::from(decoded));
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(body.content_length()));
    parts
        .extensions
        .insert(PayloadHash(STREAMING_UNSIGNED_TRAILER.into()));
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(trait_json: serde_json::Value) -> Operation {
        let mut o = serde_json::json!({
            "name": "PutObject",
            "http": {"method": "PUT", "requestUri": "/{Bucket}/{Key+}"}
        });
        if !trait_json.is_null() {
            o["httpChecksum"] = trait_json;
        }
        serde_json::from_value(o).unwrap()
    }

    fn upload() -> Operation {
        op(serde_json::json!({"requestAlgorithmMember": "ChecksumAlgorithm"}))
    }

    fn required() -> Operation {
        op(serde_json::json!({
            "requestAlgorithmMember": "ChecksumAlgorithm",
            "requestChecksumRequired": true
        }))
    }

    fn policy(calculation: ChecksumWhen, md5: bool) -> Policy {
        Policy {
            calculation,
            md5,
            algorithm_header: Some(http::HeaderName::from_static(
                "x-amz-sdk-checksum-algorithm",
            )),
            streaming_input: true,
        }
    }

    const AWS: fn() -> Policy = || policy(ChecksumWhen::WhenSupported, false);
    const S3_COMPATIBLE: fn() -> Policy = || policy(ChecksumWhen::WhenRequired, true);

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
    async fn a_file_upload_over_http_gets_crc32_and_a_signed_sha256() {
        let (_f, body) = file(b"hello world");
        let mut p = parts("http://127.0.0.1:5000/b/k");
        vouch(&upload(), &mut p, body, "s3v4", &AWS())
            .await
            .unwrap();
        // crc32("hello world") = 0x0d4a1185.
        assert_eq!(p.headers["x-amz-checksum-crc32"], "DUoRhQ==");
        assert_eq!(p.headers["x-amz-sdk-checksum-algorithm"], "CRC32");
        assert!(!p.headers.contains_key("content-md5"));
        assert_eq!(
            &*p.extensions.get::<PayloadHash>().unwrap().0,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
    }

    #[tokio::test]
    async fn sha256_over_http_is_computed_once_for_the_signature_and_the_checksum() {
        let (_f, body) = file(b"abc");
        let mut p = parts("http://127.0.0.1:5000/b/k");
        p.headers
            .insert("x-amz-sdk-checksum-algorithm", "SHA256".parse().unwrap());
        vouch(&upload(), &mut p, body, "s3v4", &AWS())
            .await
            .unwrap();
        // FIPS 180's SHA-256("abc"), as base64 and as hex.
        assert_eq!(
            p.headers["x-amz-checksum-sha256"],
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        assert_eq!(
            &*p.extensions.get::<PayloadHash>().unwrap().0,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[tokio::test]
    async fn the_callers_algorithm_goes_in_a_trailer_over_tls() {
        let (_f, body) = file(b"abc");
        let mut p = parts("https://b.s3.amazonaws.com/k");
        p.headers
            .insert("x-amz-sdk-checksum-algorithm", "sha256".parse().unwrap());
        let sent = vouch(&upload(), &mut p, body, "s3v4", &AWS())
            .await
            .unwrap();
        assert!(!p.headers.contains_key("x-amz-checksum-sha256"));
        assert_eq!(p.headers["x-amz-trailer"], "x-amz-checksum-sha256");
        assert_eq!(p.headers["content-encoding"], "aws-chunked");
        assert_eq!(p.headers["x-amz-decoded-content-length"], "3");
        assert_eq!(p.headers["x-amz-sdk-checksum-algorithm"], "sha256");
        assert_eq!(
            p.headers["content-length"],
            sent.content_length().to_string().as_str()
        );
        assert_eq!(
            &*p.extensions.get::<PayloadHash>().unwrap().0,
            STREAMING_UNSIGNED_TRAILER
        );
        use http_body_util::BodyExt;
        let raw = sent.collect().await.unwrap().to_bytes();
        assert_eq!(
            &raw[..],
            b"3\r\nabc\r\n0\r\nx-amz-checksum-sha256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=\r\n\r\n"
        );
        p.headers
            .insert("x-amz-sdk-checksum-algorithm", "MD4".parse().unwrap());
        let (_f, body) = file(b"abc");
        let e = needs(&upload(), &p, &body, "s3v4", &AWS()).unwrap_err();
        assert!(e.to_string().contains("ChecksumAlgorithm"), "{e}");
    }

    #[tokio::test]
    async fn where_the_checksum_goes() {
        let bytes = Body::from_bytes("x");
        let (_f, file_body) = file(b"abc");
        let one_shot = || {
            Body::from_stream(
                3,
                http_body_util::Full::new(bytes::Bytes::from_static(b"abc")),
            )
        };
        let trailer = |uri: &str, body: &Body, signer: &str, policy: &Policy| {
            needs(&upload(), &parts(uri), body, signer, policy)
                .unwrap()
                .trailer
        };
        // Over TLS every body of a streaming upload: botocore's rule.
        assert!(trailer("https://h/k", &bytes, "s3v4", &AWS()));
        assert!(trailer("https://h/k", &file_body, "s3v4", &AWS()));
        // Over http only the one-shot stream, which cannot be read ahead.
        assert!(!trailer("http://h/k", &bytes, "s3v4", &AWS()));
        assert!(!trailer("http://h/k", &file_body, "s3v4", &AWS()));
        assert!(trailer("http://h/k", &one_shot(), "s3v4", &AWS()));
        // Any SigV4 (botocore: any signer but S3's legacy one), but not another signer,
        // an operation without a streaming input, or no checksum.
        assert!(trailer("https://h/k", &bytes, "v4", &AWS()));
        assert!(trailer("https://h/k", &bytes, "none", &AWS()));
        assert!(!trailer("https://h/k", &bytes, "s3", &AWS()));
        assert!(!trailer("https://h/k", &bytes, "v2", &AWS()));
        let mut plain_input = AWS();
        plain_input.streaming_input = false;
        assert!(!trailer("https://h/k", &bytes, "s3v4", &plain_input));
        assert!(!trailer("https://h/k", &bytes, "s3v4", &S3_COMPATIBLE()));
    }

    #[test]
    fn when_required_sends_crc32_only_where_required() {
        let body = Body::from_bytes("x");
        let p = parts("https://h/k");
        let aws_required = policy(ChecksumWhen::WhenRequired, false);
        let n = needs(&upload(), &p, &body, "s3v4", &aws_required).unwrap();
        assert_eq!(n.flexible, None);
        assert!(!n.md5);
        let n = needs(&required(), &p, &body, "s3v4", &aws_required).unwrap();
        assert_eq!(n.flexible.map(|f| f.algorithm), Some(Algorithm::Crc32));
        // httpChecksumRequired alone: CRC32 too, unnamed (no member).
        let mut old = op(serde_json::Value::Null);
        old.http_checksum_required = true;
        let n = needs(&old, &p, &body, "v4", &AWS()).unwrap();
        assert_eq!(n.flexible.map(|f| f.algorithm), Some(Algorithm::Crc32));
    }

    #[test]
    fn an_md5_provider_keeps_content_md5() {
        let body = Body::from_bytes("x");
        let p = parts("https://h/k");
        for o in [upload(), required(), op(serde_json::Value::Null)] {
            let n = needs(&o, &p, &body, "s3v4", &S3_COMPATIBLE()).unwrap();
            assert!(n.md5 && n.flexible.is_none(), "{}: {n:?}", o.name);
        }
        // Not on an empty body of an operation that does not require one, nor on a
        // stream of an operation without the trait.
        let empty = Body::from_bytes("");
        assert!(
            !needs(&upload(), &p, &empty, "s3v4", &S3_COMPATIBLE())
                .unwrap()
                .md5
        );
        let (_f, stream) = file(b"abc");
        let plain = op(serde_json::Value::Null);
        assert!(
            !needs(&plain, &p, &stream, "s3v4", &S3_COMPATIBLE())
                .unwrap()
                .md5
        );
        // Asked to compute when supported, it sends CRC32 instead.
        let supported = policy(ChecksumWhen::WhenSupported, true);
        let n = needs(&upload(), &p, &body, "s3v4", &supported).unwrap();
        assert!(!n.md5 && n.flexible.is_some());
    }

    #[test]
    fn a_given_checksum_is_kept_and_other_operations_are_left_alone() {
        let body = Body::from_bytes("x");
        let mut p = parts("https://h/k");
        p.headers
            .insert("x-amz-checksum-crc32", "AAAAAA==".parse().unwrap());
        let none = Needs {
            md5: false,
            flexible: None,
            trailer: false,
            sha256: false,
        };
        assert_eq!(
            needs(&upload(), &p, &body, "s3v4", &S3_COMPATIBLE()).unwrap(),
            none
        );
        assert_eq!(needs(&upload(), &p, &body, "s3v4", &AWS()).unwrap(), none);
        let plain = op(serde_json::Value::Null);
        assert_eq!(
            needs(&plain, &parts("https://h/k"), &body, "v4", &AWS()).unwrap(),
            none
        );
        // In memory over http: the signer hashes the bytes itself.
        assert_eq!(
            needs(&plain, &parts("http://h/k"), &body, "s3v4", &AWS()).unwrap(),
            none
        );
        let (_f, stream) = file(b"abc");
        let sigv2 = needs(&plain, &parts("http://h/k"), &stream, "s3", &AWS()).unwrap();
        assert_eq!(sigv2, none);
        // A Content-MD5 alone does not stop the flexible checksum (botocore neither).
        let mut p = parts("https://h/k");
        p.headers.insert("content-md5", "x".parse().unwrap());
        let n = needs(&upload(), &p, &body, "s3v4", &AWS()).unwrap();
        assert!(n.flexible.is_some() && !n.md5);
    }
}

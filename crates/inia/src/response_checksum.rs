//! Stage: check the answer against its flexible checksum, as botocore's
//! `handle_checksum_body` does. When the call asked for the checksum (the operation's
//! `requestValidationModeMember`, S3's `ChecksumMode`, is in its parameters: the caller
//! set it, or `response_checksum_validation = when_supported` did) and the answer
//! carries `x-amz-checksum-<alg>` for one of the operation's `responseAlgorithms`, the
//! body is hashed as it is read, and a body read to its end that does not match fails
//! with [`HttpError::Integrity`](inia_http::HttpError::Integrity): a streamed body
//! ([`Output::body`](crate::Output)) in the caller's last read, a body read into memory
//! before it is parsed.
//!
//! The first algorithm in botocore's priority order (CRC64NVME, CRC32C, CRC32, SHA1,
//! SHA256) that the answer has is checked. A composite checksum of a multipart object
//! (`<base64>-<parts>`) is not a checksum of the bytes and is skipped, as botocore skips
//! it. The transfer's downloads check the whole object themselves (across resumed
//! ranges), so their calls skip this stage.
//!
//! Owns that decision and the check. Does not own the algorithms
//! (`inia_protocol::checksum`), nor asking for the checksum (`client`'s validate stage).

use inia_http::{BodyCheck, ResponseBody};
use inia_model::Operation;
use inia_protocol::checksum::{Algorithm, Checksum};

/// Marks a request whose answer is to be checked (in the request's extensions).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Validate;

/// `body` with the check of the answer's checksum attached, when it has one to check.
pub(crate) fn attach(
    op: &Operation,
    headers: &http::HeaderMap,
    body: ResponseBody,
    target: &str,
) -> ResponseBody {
    let Some(trait_) = op.http_checksum.as_ref() else {
        return body;
    };
    let offered = |a: Algorithm| {
        trait_
            .response_algorithms
            .iter()
            .any(|r| r.eq_ignore_ascii_case(a.name()))
    };
    let found = Algorithm::ALL
        .into_iter()
        .filter(|a| offered(*a))
        .find_map(|a| {
            let value = headers.get(a.header())?.to_str().ok()?;
            (!value.contains('-')).then(|| (a, value.to_string()))
        });
    match found {
        Some((algorithm, expected)) => {
            tracing::debug!(%algorithm, "checking the answer's checksum");
            body.checked(
                Box::new(Check {
                    hasher: algorithm.hasher(),
                    expected,
                }),
                target,
            )
        }
        None => {
            tracing::debug!("the answer carries no checksum to check");
            body
        }
    }
}

struct Check {
    hasher: Checksum,
    expected: String,
}

impl BodyCheck for Check {
    fn update(&mut self, data: &[u8]) {
        self.hasher.update(data);
    }

    fn finish(self: Box<Self>) -> Result<(), String> {
        let algorithm = self.hasher.algorithm();
        let got = self.hasher.finish();
        if got.as_bytes() == self.expected.as_bytes() {
            return Ok(());
        }
        Err(format!(
            "the data received has {algorithm} {}, but the answer's {} says {}: it was \
             corrupted on the way",
            got.to_str().unwrap_or("?"),
            algorithm.header(),
            self.expected
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get_object() -> Operation {
        serde_json::from_value(serde_json::json!({
            "name": "GetObject",
            "http": {"method": "GET", "requestUri": "/{Bucket}/{Key+}"},
            "httpChecksum": {
                "requestValidationModeMember": "ChecksumMode",
                "responseAlgorithms": ["CRC64NVME", "CRC32", "CRC32C", "SHA256", "SHA1"]
            }
        }))
        .unwrap()
    }

    async fn read(
        headers: &[(&'static str, &str)],
        data: &'static [u8],
    ) -> Result<bytes::Bytes, inia_http::HttpError> {
        let mut map = http::HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, v.parse().unwrap());
        }
        let body = attach(&get_object(), &map, ResponseBody::from_bytes(data), "h:1");
        body.bytes().await
    }

    #[tokio::test]
    async fn a_matching_checksum_passes_and_a_wrong_one_fails() {
        // crc32("hello world") = 0x0d4a1185.
        let ok = read(&[("x-amz-checksum-crc32", "DUoRhQ==")], b"hello world").await;
        assert_eq!(ok.unwrap(), "hello world");
        let bad = read(&[("x-amz-checksum-crc32", "DUoRhQ==")], b"hello worle").await;
        let e = bad.unwrap_err().to_string();
        assert!(
            e.contains("h:1") && e.contains("CRC32") && e.contains("DUoRhQ=="),
            "{e}"
        );
    }

    #[tokio::test]
    async fn composite_and_absent_checksums_are_not_checked() {
        let composite = read(&[("x-amz-checksum-crc32", "AAAAAA==-3")], b"x").await;
        assert!(composite.is_ok());
        assert!(read(&[], b"x").await.is_ok());
    }

    #[tokio::test]
    async fn the_first_algorithm_in_botocores_order_is_checked() {
        // A wrong SHA256 is not looked at when a right CRC32 comes first in the order.
        let both = [
            ("x-amz-checksum-sha256", "AAAA"),
            ("x-amz-checksum-crc32", "DUoRhQ=="),
        ];
        assert!(read(&both, b"hello world").await.is_ok());
    }
}

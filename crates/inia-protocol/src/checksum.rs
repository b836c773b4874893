//! Request checksums: the digest that proves a body arrived as sent, and the header it
//! travels in. Today that is `Content-MD5` (base64 of the body's MD5), computed in one
//! pass over the bytes however they arrive (in memory, or chunk by chunk from a file).
//!
//! Two callers decide *when* a body gets one, each for its own reason: the serializers,
//! where the model requires a checksum (`httpChecksumRequired`, or `httpChecksum` with
//! `requestChecksumRequired`: [`required_by`]); and the engine's payload stage, for
//! uploads and providers that ask for one on every body. Both use this module for the
//! *what*, and neither adds one when the request already carries a checksum
//! ([`present`]).
//!
//! Owns the algorithm and the header form. Does not own the decisions above, signing's
//! SHA-256, or checking what a server stored.

use http::{HeaderMap, HeaderValue};
use inia_model::Operation;
use md5::{Digest, Md5};

/// The header a body's MD5 goes in.
pub const CONTENT_MD5: &str = "content-md5";

/// True when the model requires a checksum on the operation's request.
pub fn required_by(op: &Operation) -> bool {
    op.http_checksum_required
        || op
            .http_checksum
            .as_ref()
            .is_some_and(|c| c.request_checksum_required)
}

/// True when the request already carries a checksum (`Content-MD5` or an
/// `x-amz-checksum-*` header), given by the caller or added earlier.
pub fn present(headers: &HeaderMap) -> bool {
    headers.contains_key(CONTENT_MD5)
        || headers
            .keys()
            .any(|k| k.as_str().starts_with("x-amz-checksum-"))
}

/// The MD5 of a body, fed in pieces.
#[derive(Clone, Default)]
pub struct ContentMd5(Md5);

impl ContentMd5 {
    /// A digest of nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The `Content-MD5` value of `bytes`, in one go.
    pub fn of(bytes: &[u8]) -> HeaderValue {
        let mut d = Self::new();
        d.update(bytes);
        d.finish()
    }

    /// Feed the next piece of the body.
    pub fn update(&mut self, piece: &[u8]) {
        self.0.update(piece);
    }

    /// The header value: base64 of the digest (always a valid header value).
    pub fn finish(self) -> HeaderValue {
        let b64 = crate::timefmt::base64_encode(&self.0.finalize());
        // Base64 text is visible ASCII, which a header value always accepts.
        HeaderValue::from_str(&b64).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

impl std::fmt::Debug for ContentMd5 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContentMd5")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_in_one_go_or_in_pieces() {
        // RFC 1321's test suite: MD5("abc").
        assert_eq!(ContentMd5::of(b"abc"), "kAFQmDzST7DWlj99KOF/cg==");
        let mut d = ContentMd5::new();
        d.update(b"a");
        d.update(b"bc");
        assert_eq!(d.finish(), "kAFQmDzST7DWlj99KOF/cg==");
        assert_eq!(ContentMd5::of(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    }

    #[test]
    fn a_checksum_already_there_is_seen() {
        let mut h = HeaderMap::new();
        assert!(!present(&h));
        h.insert("x-amz-checksum-crc32", HeaderValue::from_static("AAAAAA=="));
        assert!(present(&h));
        let mut h = HeaderMap::new();
        h.insert(CONTENT_MD5, HeaderValue::from_static("x"));
        assert!(present(&h));
    }
}

//! Request checksums: the digest that proves a body arrived as sent, and the header it
//! travels in: `Content-MD5` (base64 of the body's MD5), or one of the flexible checksums
//! of S3's `httpChecksum` trait ([`Algorithm`]: CRC32, CRC32C, CRC64NVME, SHA1, SHA256),
//! sent as `x-amz-checksum-<algorithm>` with the base64 of the big-endian digest. Each is
//! computed in one pass over the bytes however they arrive (in memory, or chunk by chunk
//! from a file).
//!
//! Two callers decide *when* a body gets one, each for its own reason: the serializers,
//! where the model requires a checksum (`httpChecksumRequired`, or `httpChecksum` with
//! `requestChecksumRequired`: [`required_by`]), unless told the engine decides; and the
//! engine's payload stage, which decides as botocore does (flexible checksums, or
//! `Content-MD5` for providers that ask for it). Both use this module for the *what*,
//! and neither adds one when the request already carries a checksum ([`present`]).
//!
//! Owns the algorithms and the header form. Does not own the decisions above, signing's
//! SHA-256, or checking what a server stored.

use http::{HeaderMap, HeaderValue};
use inia_model::Operation;
use md5::{Digest, Md5};

/// The header a body's MD5 goes in.
pub const CONTENT_MD5: &str = "content-md5";

/// A flexible checksum algorithm, as the models and the `ChecksumAlgorithm` parameters
/// spell it (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`; any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Crc32,
    Crc32c,
    Crc64Nvme,
    Sha1,
    Sha256,
}

impl Algorithm {
    /// Every algorithm, in botocore's order of preference for validating responses.
    pub const ALL: [Algorithm; 5] = [
        Algorithm::Crc64Nvme,
        Algorithm::Crc32c,
        Algorithm::Crc32,
        Algorithm::Sha1,
        Algorithm::Sha256,
    ];

    /// The algorithm named `name` (any case), if inia knows it.
    pub fn parse(name: &str) -> Option<Algorithm> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The model's spelling: `CRC32`, `CRC64NVME`...
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "CRC32",
            Algorithm::Crc32c => "CRC32C",
            Algorithm::Crc64Nvme => "CRC64NVME",
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
        }
    }

    /// The header the checksum travels in: `x-amz-checksum-crc32`...
    pub fn header(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "x-amz-checksum-crc32",
            Algorithm::Crc32c => "x-amz-checksum-crc32c",
            Algorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            Algorithm::Sha1 => "x-amz-checksum-sha1",
            Algorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// A hasher of this algorithm, fed nothing yet.
    pub fn hasher(self) -> Checksum {
        Checksum(match self {
            Algorithm::Crc32 => State::Crc32(crc32fast::Hasher::new()),
            Algorithm::Crc32c => State::Crc32c(0),
            Algorithm::Crc64Nvme => State::Crc64(crc64fast_nvme::Digest::new()),
            Algorithm::Sha1 => State::Ring(
                Algorithm::Sha1,
                Box::new(ring::digest::Context::new(
                    &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
                )),
            ),
            Algorithm::Sha256 => State::Ring(
                Algorithm::Sha256,
                Box::new(ring::digest::Context::new(&ring::digest::SHA256)),
            ),
        })
    }

    /// The header value of `bytes`, in one go.
    pub fn of(self, bytes: &[u8]) -> HeaderValue {
        let mut c = self.hasher();
        c.update(bytes);
        c.finish()
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A flexible checksum of a body, fed in pieces ([`Algorithm::hasher`]).
#[derive(Clone)]
pub struct Checksum(State);

#[derive(Clone)]
enum State {
    Crc32(crc32fast::Hasher),
    Crc32c(u32),
    Crc64(crc64fast_nvme::Digest),
    Ring(Algorithm, Box<ring::digest::Context>),
}

impl Checksum {
    /// The algorithm this hasher computes.
    pub fn algorithm(&self) -> Algorithm {
        match &self.0 {
            State::Crc32(_) => Algorithm::Crc32,
            State::Crc32c(_) => Algorithm::Crc32c,
            State::Crc64(_) => Algorithm::Crc64Nvme,
            State::Ring(a, _) => *a,
        }
    }

    /// Feed the next piece of the body.
    pub fn update(&mut self, piece: &[u8]) {
        match &mut self.0 {
            State::Crc32(h) => h.update(piece),
            State::Crc32c(crc) => *crc = crc32c::crc32c_append(*crc, piece),
            State::Crc64(d) => d.write(piece),
            State::Ring(_, c) => c.update(piece),
        }
    }

    /// The digest: big-endian bytes for the CRCs.
    pub fn digest(self) -> Vec<u8> {
        match self.0 {
            State::Crc32(h) => h.finalize().to_be_bytes().to_vec(),
            State::Crc32c(crc) => crc.to_be_bytes().to_vec(),
            State::Crc64(d) => d.sum64().to_be_bytes().to_vec(),
            State::Ring(_, c) => c.finish().as_ref().to_vec(),
        }
    }

    /// The header value: base64 of the digest (always a valid header value).
    pub fn finish(self) -> HeaderValue {
        header_value(&crate::timefmt::base64_encode(&self.digest()))
    }
}

impl std::fmt::Debug for Checksum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Checksum({})", self.algorithm())
    }
}

/// Base64 text is visible ASCII, which a header value always accepts.
fn header_value(b64: &str) -> HeaderValue {
    HeaderValue::from_str(b64).unwrap_or_else(|_| HeaderValue::from_static(""))
}

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

/// True when the request carries an `x-amz-checksum-*` header (botocore's
/// `has_checksum_header`, whose pattern is `x-amz-checksum-[a-z0-9]*`): then no flexible
/// checksum is added, though a `Content-MD5` alone does not prevent one.
pub fn flexible_present(headers: &HeaderMap) -> bool {
    headers.keys().any(|k| {
        k.as_str()
            .strip_prefix("x-amz-checksum-")
            .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_alphanumeric()))
    })
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
        header_value(&crate::timefmt::base64_encode(&self.0.finalize()))
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

    fn hex(d: Vec<u8>) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn check_values_of_123456789() {
        // The catalogue's check values (reveng.sourceforge.io/crc-catalogue).
        let digest = |a: Algorithm| {
            let mut c = a.hasher();
            c.update(b"1234");
            c.update(b"56789");
            hex(c.digest())
        };
        assert_eq!(digest(Algorithm::Crc32), "cbf43926");
        assert_eq!(digest(Algorithm::Crc32c), "e3069283");
        assert_eq!(digest(Algorithm::Crc64Nvme), "ae8b14860a799888");
    }

    #[test]
    fn sha_of_abc() {
        // FIPS 180 examples.
        assert_eq!(
            hex(Algorithm::Sha1.hasher().tap(b"abc").digest()),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(Algorithm::Sha256.hasher().tap(b"abc").digest()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            Algorithm::Sha256.of(b"abc"),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }

    #[test]
    fn the_header_value_is_base64_of_the_big_endian_digest() {
        assert_eq!(Algorithm::Crc32.of(b"123456789"), "y/Q5Jg==");
        assert_eq!(Algorithm::Crc32.of(b""), "AAAAAA==");
        assert_eq!(Algorithm::Crc64Nvme.of(b""), "AAAAAAAAAAA=");
    }

    #[test]
    fn names_parse_in_any_case() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::parse(a.name()), Some(a));
            assert_eq!(Algorithm::parse(&a.name().to_lowercase()), Some(a));
            assert_eq!(
                a.header(),
                format!("x-amz-checksum-{}", a.name().to_lowercase())
            );
            assert_eq!(a.hasher().algorithm(), a);
        }
        assert_eq!(Algorithm::parse("crc64nvme"), Some(Algorithm::Crc64Nvme));
        assert_eq!(Algorithm::parse("MD5"), None);
        assert_eq!(Algorithm::parse("SHA512"), None);
    }

    trait Tap {
        fn tap(self, b: &[u8]) -> Self;
    }
    impl Tap for Checksum {
        fn tap(mut self, b: &[u8]) -> Self {
            self.update(b);
            self
        }
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

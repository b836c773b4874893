//! Request checksums: the digest that proves a body arrived as sent, and the header it
//! travels in: `Content-MD5` (base64 of the body's MD5), or one of the flexible checksums
//! of S3's `httpChecksum` trait ([`Algorithm`]: CRC32, CRC32C, CRC64NVME, SHA1, SHA256,
//! SHA512, XXHASH64, XXHASH3, XXHASH128), sent as `x-amz-checksum-<algorithm>` with the base64 of the big-endian digest. Each is
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
/// spell it (any case): the ones botocore 1.44 computes (with the CRT): `CRC32`,
/// `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`, `SHA512`, `XXHASH64`, `XXHASH3` (64-bit) and
/// `XXHASH128`. S3's `MD5` flexible checksum is not among them (botocore has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Crc32,
    Crc32c,
    Crc64Nvme,
    Sha1,
    Sha256,
    Sha512,
    XxHash64,
    XxHash3,
    XxHash128,
}

impl Algorithm {
    /// Every algorithm, in botocore's order of preference for validating responses.
    pub const ALL: [Algorithm; 9] = [
        Algorithm::XxHash128,
        Algorithm::XxHash3,
        Algorithm::Crc64Nvme,
        Algorithm::XxHash64,
        Algorithm::Crc32c,
        Algorithm::Crc32,
        Algorithm::Sha1,
        Algorithm::Sha256,
        Algorithm::Sha512,
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
            Algorithm::Sha512 => "SHA512",
            Algorithm::XxHash64 => "XXHASH64",
            Algorithm::XxHash3 => "XXHASH3",
            Algorithm::XxHash128 => "XXHASH128",
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
            Algorithm::Sha512 => "x-amz-checksum-sha512",
            Algorithm::XxHash64 => "x-amz-checksum-xxhash64",
            Algorithm::XxHash3 => "x-amz-checksum-xxhash3",
            Algorithm::XxHash128 => "x-amz-checksum-xxhash128",
        }
    }

    /// The CRC of this algorithm in `crc_fast`'s catalogue, for the CRCs.
    fn crc(self) -> Option<crc_fast::CrcAlgorithm> {
        use crc_fast::CrcAlgorithm as C;
        match self {
            Algorithm::Crc32 => Some(C::Crc32IsoHdlc),
            Algorithm::Crc32c => Some(C::Crc32Iscsi),
            Algorithm::Crc64Nvme => Some(C::Crc64Nvme),
            _ => None,
        }
    }

    /// Bytes in the digest.
    fn digest_len(self) -> usize {
        match self {
            Algorithm::Crc32 | Algorithm::Crc32c => 4,
            Algorithm::Crc64Nvme | Algorithm::XxHash64 | Algorithm::XxHash3 => 8,
            Algorithm::XxHash128 => 16,
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 => 32,
            Algorithm::Sha512 => 64,
        }
    }

    /// A hasher of this algorithm, fed nothing yet.
    pub fn hasher(self) -> Checksum {
        let ring = |alg: &'static ring::digest::Algorithm| {
            State::Ring(self, Box::new(ring::digest::Context::new(alg)))
        };
        let crc = |c| State::Crc(self, Box::new(crc_fast::Digest::new(c)));
        use crc_fast::CrcAlgorithm as C;
        Checksum(match self {
            Algorithm::Crc32 => crc(C::Crc32IsoHdlc),
            Algorithm::Crc32c => crc(C::Crc32Iscsi),
            Algorithm::Crc64Nvme => crc(C::Crc64Nvme),
            Algorithm::Sha256 => ring(&ring::digest::SHA256),
            Algorithm::Sha1 => ring(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
            Algorithm::Sha512 => ring(&ring::digest::SHA512),
            Algorithm::XxHash64 => State::Xxh64(xxhash_rust::xxh64::Xxh64::new(0)),
            Algorithm::XxHash3 | Algorithm::XxHash128 => {
                State::Xxh3(self, Box::new(xxhash_rust::xxh3::Xxh3::new()))
            }
        })
    }

    /// The header value of `bytes`, in one go.
    pub fn of(self, bytes: &[u8]) -> HeaderValue {
        let mut c = self.hasher();
        c.update(bytes);
        c.finish()
    }

    /// For the CRCs: the checksum of `a` followed by `b`, from the header values (base64)
    /// of each and the length of `b`, without the bytes; how a multipart upload's
    /// full-object checksum (`ChecksumType: FULL_OBJECT`) follows from its parts'.
    /// `None` for the other algorithms, or when a value is not this algorithm's base64.
    pub fn combine(self, a: &str, b: &str, b_len: u64) -> Option<HeaderValue> {
        let crc = self.crc()?;
        let value = |v: &str| -> Option<u64> {
            let raw = crate::timefmt::base64_decode(v)?;
            (raw.len() == self.digest_len())
                .then(|| raw.iter().fold(0u64, |n, b| n << 8 | u64::from(*b)))
        };
        let sum = crc_fast::checksum_combine(crc, value(a)?, value(b)?, b_len);
        let bytes = sum.to_be_bytes();
        let digest = &bytes[8 - self.digest_len()..];
        Some(header_value(&crate::timefmt::base64_encode(digest)))
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
    Crc(Algorithm, Box<crc_fast::Digest>),
    Ring(Algorithm, Box<ring::digest::Context>),
    Xxh64(xxhash_rust::xxh64::Xxh64),
    Xxh3(Algorithm, Box<xxhash_rust::xxh3::Xxh3>),
}

impl Checksum {
    /// The algorithm this hasher computes.
    pub fn algorithm(&self) -> Algorithm {
        match &self.0 {
            State::Crc(a, _) | State::Ring(a, _) | State::Xxh3(a, _) => *a,
            State::Xxh64(_) => Algorithm::XxHash64,
        }
    }

    /// Feed the next piece of the body.
    pub fn update(&mut self, piece: &[u8]) {
        match &mut self.0 {
            State::Crc(_, d) => d.update(piece),
            State::Ring(_, c) => c.update(piece),
            State::Xxh64(h) => h.update(piece),
            State::Xxh3(_, h) => h.update(piece),
        }
    }

    /// The digest: big-endian bytes for the CRCs and xxHashes.
    pub fn digest(self) -> Vec<u8> {
        match self.0 {
            State::Crc(a, d) => {
                let bytes = d.finalize().to_be_bytes();
                bytes[8 - a.digest_len()..].to_vec()
            }
            State::Ring(_, c) => c.finish().as_ref().to_vec(),
            State::Xxh64(h) => h.digest().to_be_bytes().to_vec(),
            State::Xxh3(Algorithm::XxHash128, h) => h.digest128().to_be_bytes().to_vec(),
            State::Xxh3(_, h) => h.digest().to_be_bytes().to_vec(),
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

/// The CRC32 (ISO-HDLC, zlib's) of `data`: event-stream frames carry it.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    crc_fast::checksum(crc_fast::CrcAlgorithm::Crc32IsoHdlc, data) as u32
}

/// The header value of a digest computed elsewhere (base64 of its bytes): a SHA-256
/// already computed for signing is the SHA256 checksum too.
pub fn header_value_of(digest: &[u8]) -> HeaderValue {
    header_value(&crate::timefmt::base64_encode(digest))
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
    fn crcs_combine_from_their_parts() {
        for a in [Algorithm::Crc32, Algorithm::Crc32c, Algorithm::Crc64Nvme] {
            let whole = a.of(b"123456789");
            let (x, y) = (a.of(b"1234"), a.of(b"56789"));
            let joined = a.combine(x.to_str().unwrap(), y.to_str().unwrap(), 5);
            assert_eq!(joined, Some(whole), "{a}");
            assert_eq!(a.combine("not base64!", y.to_str().unwrap(), 5), None);
        }
        assert_eq!(Algorithm::Sha256.combine("AA==", "AA==", 1), None);
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
        assert_eq!(Algorithm::parse("xxhash3"), Some(Algorithm::XxHash3));
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

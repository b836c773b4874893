//! AWS Signature Version 4a (`AWS4-ECDSA-P256-SHA256`): SigV4's canonical request signed
//! with an ECDSA P-256 key derived from the secret access key, valid in a set of regions.
//!
//! It differs from SigV4 in four places, all here: the credential scope has no region
//! (`date/service/aws4_request`); the region set is sent and signed as `X-Amz-Region-Set`
//! (a header, or a query parameter when presigning); the string to sign is signed with
//! ECDSA and the DER signature sent in hex; the key is derived once per credentials, not
//! per day, and cached.
//!
//! The region set is the [`SigningContext`]'s `region`, comma-joined (`us-east-1,us-west-2`,
//! or `*` for all regions): for this scheme that field is the set, as written.
//!
//! Key derivation, as the AWS SDKs do it: NIST SP 800-108 KDF in counter mode with
//! HMAC-SHA256, key `"AWS4A" + secret`, label `AWS4-ECDSA-P256-SHA256`, context the access
//! key id followed by one counter byte (1 first), output length 256 bits. A candidate
//! above n − 2 (n the order of P-256) is discarded and the counter incremented; the
//! private key is candidate + 1.
//!
//! The derivation and the public key use `p256`; the signature uses `ring`, whose P-256
//! signing is about five times faster (issue 14's target: SigV4a at least 1.5x the speed
//! of `aws-sigv4`'s). ring's nonces are random (hedged with the key and the message), so
//! two signatures of one request differ: both verify, which is all a server checks (the
//! AWS signing test suite's own signatures, made by the CRT, use random nonces too).
//!
//! Owns that derivation, the key cache, the scope and the ECDSA signature. Does not own
//! the canonical request (`canonical`), the header and query flows it shares with SigV4
//! (`sigv4`), or where the region set comes from (the endpoint and session settings).

use super::canonical::hex;
use super::sigv4::{presign_as, sign_headers_as, Algorithm, SigV4Output, SigV4Settings};
use super::{Sign, SignBody, SignError, Signed, SignedBody, SigningContext};
use crate::credentials::{Credentials, Secret};
use http::request::Parts;
use p256::ecdsa::SigningKey;
use ring::hmac;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zeroize::Zeroize;

const ALGORITHM: &str = "AWS4-ECDSA-P256-SHA256";

/// n − 2, n the order of the P-256 group, big-endian: the largest candidate accepted.
const N_MINUS_2: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x4f,
];

/// How many credentials' keys a signer keeps (most recently used first).
const KEY_CACHE_SIZE: usize = 8;

/// A SigV4a signing key: the P-256 private key derived from a secret access key, as a
/// ring key pair ready to sign, and its public key. Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct SigV4aKey {
    key_pair: Arc<EcdsaKeyPair>,
    public: [u8; 65],
    rng: SystemRandom,
}

impl std::fmt::Debug for SigV4aKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigV4aKey(** redacted **)")
    }
}

impl SigV4aKey {
    /// Derive the key of `access_key_id` and its `secret` (the SDKs' KDF, see the module
    /// documentation). Fails only in the 1-in-2^32-per-try case of 254 discarded
    /// candidates in a row.
    pub fn derive(access_key_id: &str, secret: &str) -> Result<SigV4aKey, SignError> {
        let mut input = Vec::with_capacity(5 + secret.len());
        input.extend_from_slice(b"AWS4A");
        input.extend_from_slice(secret.as_bytes());
        let prf = hmac::Key::new(hmac::HMAC_SHA256, &input);
        input.zeroize();
        for counter in 1..=u8::MAX {
            let mut mac = hmac::Context::with_key(&prf);
            mac.update(&1u32.to_be_bytes()); // the KDF's block counter: one block
            mac.update(ALGORITHM.as_bytes()); // label
            mac.update(&[0]);
            mac.update(access_key_id.as_bytes()); // context: access key id, counter
            mac.update(&[counter]);
            mac.update(&256u32.to_be_bytes()); // output length in bits
            let tag = mac.sign();
            let mut candidate = [0u8; 32];
            candidate.copy_from_slice(tag.as_ref());
            // Equal-length big-endian byte strings compare as the numbers they encode.
            if candidate <= N_MINUS_2 {
                add_one(&mut candidate);
                let key = SigV4aKey::from_scalar(&candidate);
                candidate.zeroize();
                return key;
            }
            candidate.zeroize();
        }
        Err(SignError::Invalid(
            "SigV4a key derivation found no P-256 key for these credentials".into(),
        ))
    }

    /// The key of a private scalar (big-endian, 32 bytes): `p256` checks it and computes
    /// the public point, ring builds the key pair that signs from the two.
    fn from_scalar(scalar: &[u8; 32]) -> Result<SigV4aKey, SignError> {
        let invalid = || SignError::Invalid("the derived SigV4a key is not a P-256 key".into());
        // Dropped (and zeroized) once the public point is out.
        let signing = SigningKey::from_slice(scalar).map_err(|_| invalid())?;
        let point = signing.verifying_key().to_sec1_point(false);
        let mut public = [0u8; 65];
        let bytes = point.as_bytes();
        if bytes.len() != public.len() {
            return Err(invalid());
        }
        public.copy_from_slice(bytes);
        let rng = SystemRandom::new();
        let key_pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_ASN1_SIGNING,
            scalar,
            &public,
            &rng,
        )
        .map_err(|_| invalid())?;
        Ok(SigV4aKey {
            key_pair: Arc::new(key_pair),
            public,
            rng,
        })
    }

    /// The public key, SEC1 uncompressed: `04 || X || Y`, 65 bytes.
    pub fn public_key(&self) -> [u8; 65] {
        self.public
    }

    /// The DER-encoded ECDSA signature of SHA-256(`message`), in hex. A random nonce:
    /// each call gives another signature, all valid.
    pub fn sign_hex(&self, message: &[u8]) -> Result<String, SignError> {
        let sig = self
            .key_pair
            .sign(&self.rng, message)
            .map_err(|_| SignError::Invalid("ECDSA signing failed".into()))?;
        Ok(hex(sig.as_ref()))
    }
}

/// Add one to a big-endian number that is below the maximum.
fn add_one(n: &mut [u8; 32]) {
    for b in n.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            return;
        }
    }
}

/// The SigV4a signer. Share one per client: it holds the key cache. Its settings are
/// SigV4's ([`SigV4Settings::s3`] for S3 Multi-Region Access Points).
#[derive(Debug, Default)]
pub struct SigV4a {
    settings: SigV4Settings,
    keys: KeyCache,
}

impl SigV4a {
    pub fn new(settings: SigV4Settings) -> Self {
        SigV4a {
            settings,
            keys: KeyCache::default(),
        }
    }

    pub fn settings(&self) -> &SigV4Settings {
        &self.settings
    }

    /// Sign in the `Authorization` header. Sets `X-Amz-Date`, `X-Amz-Region-Set` (the
    /// context's `region`, a comma-joined region set), `Host` (from the URI when absent),
    /// `X-Amz-Security-Token` and, if configured, `x-amz-content-sha256`.
    pub fn sign_headers(
        &self,
        parts: &mut Parts,
        body: &SignBody,
        ctx: &SigningContext<'_>,
    ) -> Result<SigV4Output, SignError> {
        check_region_set(ctx)?;
        sign_headers_as(self, &self.settings, parts, body, ctx)
    }

    /// Sign in the query string (with `X-Amz-Region-Set` among the parameters): a
    /// presigned URL valid for `expires` (1 s to 7 days), payload `UNSIGNED-PAYLOAD`.
    pub fn presign(
        &self,
        parts: &mut Parts,
        expires: Duration,
        ctx: &SigningContext<'_>,
    ) -> Result<SigV4Output, SignError> {
        self.presign_payload(parts, &SignBody::Unsigned, expires, ctx)
    }

    /// As [`SigV4a::presign`], with the payload hash of `body` signed.
    pub fn presign_payload(
        &self,
        parts: &mut Parts,
        body: &SignBody,
        expires: Duration,
        ctx: &SigningContext<'_>,
    ) -> Result<SigV4Output, SignError> {
        check_region_set(ctx)?;
        presign_as(self, &self.settings, parts, body, expires, ctx)
    }
}

fn check_region_set(ctx: &SigningContext<'_>) -> Result<(), SignError> {
    if ctx.region.trim().is_empty() {
        return Err(SignError::Invalid(
            "sigv4a signing needs a region set (`*` for every region)".into(),
        ));
    }
    Ok(())
}

impl Algorithm for SigV4a {
    fn scheme(&self) -> &'static str {
        "sigv4a"
    }

    fn algorithm(&self) -> &'static str {
        ALGORITHM
    }

    fn scope(&self, date: &str, ctx: &SigningContext<'_>) -> String {
        format!("{date}/{}/aws4_request", ctx.service)
    }

    fn region_set<'c>(&self, ctx: &SigningContext<'c>) -> Option<&'c str> {
        Some(ctx.region)
    }

    fn signature(
        &self,
        creds: &Credentials,
        _ctx: &SigningContext<'_>,
        _date: &str,
        string_to_sign: &str,
    ) -> Result<String, SignError> {
        self.keys.key(creds)?.sign_hex(string_to_sign.as_bytes())
    }
}

impl Sign for SigV4a {
    fn name(&self) -> &'static str {
        "sigv4a"
    }

    fn sign(
        &self,
        parts: &mut Parts,
        body: &SignedBody,
        ctx: &SigningContext<'_>,
    ) -> Result<Signed, SignError> {
        self.sign_headers(parts, &body.view(), ctx)
            .map(|_| Signed::in_place())
    }
}

/// Derived keys by credentials, most recently used first. A SigV4a key depends only on
/// the access key id and the secret, so it lives as long as the credentials do.
#[derive(Default)]
struct KeyCache(Mutex<Vec<CachedKey>>);

struct CachedKey {
    access_key_id: String,
    secret: Secret,
    key: Arc<SigV4aKey>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyCache")
    }
}

impl KeyCache {
    fn key(&self, creds: &Credentials) -> Result<Arc<SigV4aKey>, SignError> {
        let id = creds.access_key_id();
        let secret = creds.secret_access_key();
        {
            let mut cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(i) = cache
                .iter()
                .position(|k| k.access_key_id == id && k.secret.same(secret))
            {
                if i > 0 {
                    let hit = cache.remove(i);
                    cache.insert(0, hit);
                }
                return Ok(cache[0].key.clone());
            }
        }
        // Derived outside the lock: two threads may both derive the same key once.
        let key = Arc::new(SigV4aKey::derive(id, secret.expose())?);
        let mut cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        cache.insert(
            0,
            CachedKey {
                access_key_id: id.to_string(),
                secret: secret.clone(),
                key: key.clone(),
            },
        );
        cache.truncate(KEY_CACHE_SIZE);
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn the_published_example_key_is_derived() {
        // The AWS signing test suite's public-key.json for AKIDEXAMPLE.
        let key = SigV4aKey::derive("AKIDEXAMPLE", SECRET).unwrap();
        let mut expected = vec![4u8];
        expected.extend(unhex(
            "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1",
        ));
        expected.extend(unhex(
            "865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518",
        ));
        assert_eq!(key.public_key().to_vec(), expected);
        assert_eq!(format!("{key:?}"), "SigV4aKey(** redacted **)");
    }

    #[test]
    fn ring_signatures_verify_under_the_derived_key() {
        use p256::ecdsa::signature::Verifier;
        use p256::ecdsa::{Signature, VerifyingKey};
        let key = SigV4aKey::derive("AKIDEXAMPLE", SECRET).unwrap();
        let public = VerifyingKey::from_sec1_bytes(&key.public_key()).unwrap();
        let message = b"AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/s3/aws4_request\n00";
        let a = key.sign_hex(message).unwrap();
        let b = key.clone().sign_hex(message).unwrap();
        // Random nonces: two signatures of one message differ, and both verify.
        assert_ne!(a, b);
        for sig in [a, b] {
            let sig = Signature::from_der(&unhex(&sig)).unwrap();
            assert!(public.verify(message, &sig).is_ok());
            assert!(public.verify(b"another message", &sig).is_err());
        }
    }

    #[test]
    fn add_one_carries() {
        let mut n = [0u8; 32];
        n[31] = 0xff;
        n[30] = 0xff;
        add_one(&mut n);
        assert_eq!((n[29], n[30], n[31]), (1, 0, 0));
    }

    #[test]
    fn headers_carry_the_region_set_and_a_regionless_scope() {
        let creds = Credentials::new("AKIDEXAMPLE", SECRET, None, None, "test");
        let time = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        let ctx = SigningContext::new(&creds, "us-east-1,us-west-2", "s3", time);
        let (mut parts, ()) = http::Request::get("https://example.amazonaws.com/k")
            .body(())
            .unwrap()
            .into_parts();
        let signer = SigV4a::new(SigV4Settings::s3());
        let out = signer
            .sign_headers(&mut parts, &SignBody::Bytes(b""), &ctx)
            .unwrap();
        assert_eq!(parts.headers["x-amz-region-set"], "us-east-1,us-west-2");
        let auth = parts.headers["authorization"].to_str().unwrap();
        assert!(auth.starts_with(
            "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/s3/aws4_request, \
             SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-region-set, Signature=30"
        ));
        assert!(out
            .string_to_sign
            .starts_with("AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/s3/aws4_request\n"));
        // The key is cached: one entry for the credentials, however often they sign.
        signer
            .sign_headers(&mut parts, &SignBody::Unsigned, &ctx)
            .unwrap();
        assert_eq!(signer.keys.0.lock().unwrap().len(), 1);
        let empty = SigningContext::new(&creds, "", "s3", time);
        assert!(signer
            .sign_headers(&mut parts, &SignBody::Unsigned, &empty)
            .is_err());
    }
}

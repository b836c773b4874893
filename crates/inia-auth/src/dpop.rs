//! DPoP proofs (RFC 9449): a short JWT, signed with ES256 by a P-256 key the client holds,
//! that proves a request to a token endpoint comes from that key's holder. `aws login`
//! keeps such a key with its session, and the sign-in service's `CreateOAuth2Token`
//! refreshes that session only with a proof in the `DPoP` header.
//!
//! A proof's header is `{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","x":…,"y":…,
//! "crv":"P-256"}}` (the public key, coordinates base64url without padding); its payload
//! `{"htm":METHOD,"htu":URL,"iat":UNIX SECONDS,"jti":RANDOM UUID}`; its signature the raw
//! 64-byte `r || s`, base64url. Signatures are deterministic (RFC 6979).
//!
//! The key is read from PEM, SEC1 (`EC PRIVATE KEY`, what `aws login` writes) or PKCS #8
//! (`PRIVATE KEY`). It never appears in `Debug` output or an error.
//!
//! Owns the proof. Does not own where the key is kept or when a proof is sent (the login
//! credential source).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::pkcs8::DecodePrivateKey;
use p256::SecretKey;

/// A P-256 key that signs DPoP proofs.
#[derive(Clone)]
pub struct DpopKey {
    key: SigningKey,
    /// The public key's JWK members, base64url: `x`, `y`.
    x: String,
    y: String,
}

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopKey")
            .field("x", &self.x)
            .field("y", &self.y)
            .finish_non_exhaustive()
    }
}

impl DpopKey {
    /// The key in `pem` (SEC1 or PKCS #8); what is wrong never quotes the text.
    pub fn from_pem(pem: &str) -> Result<DpopKey, String> {
        let body: String = pem
            .lines()
            .filter(|l| !l.starts_with("-----BEGIN") && !l.starts_with("-----END"))
            .collect::<String>()
            .split_whitespace()
            .collect();
        let der = STANDARD
            .decode(body.as_bytes())
            .map_err(|_| "the DPoP key is not base64 PEM".to_string())?;
        let secret = SecretKey::from_sec1_der(&der)
            .or_else(|_| SecretKey::from_pkcs8_der(&der))
            .map_err(|_| "the DPoP key is not a P-256 private key (SEC1 or PKCS #8)".to_string())?;
        Ok(Self::from_secret(secret))
    }

    fn from_secret(secret: SecretKey) -> DpopKey {
        let point = secret.public_key().to_sec1_point(false);
        let coord =
            |c: Option<&p256::FieldBytes>| c.map(|b| URL_SAFE_NO_PAD.encode(b)).unwrap_or_default();
        DpopKey {
            x: coord(point.x()),
            y: coord(point.y()),
            key: SigningKey::from(secret),
        }
    }

    /// The public key's `x` and `y`, base64url without padding (the proof's JWK).
    pub fn public_coordinates(&self) -> (&str, &str) {
        (&self.x, &self.y)
    }

    /// A proof for a `method` request to `url`, made at `iat` (Unix seconds) with the
    /// unique id `jti`.
    pub fn proof(&self, method: &str, url: &str, iat: u64, jti: &str) -> String {
        let text = |s: &str| serde_json::Value::from(s).to_string();
        let header = format!(
            r#"{{"typ":"dpop+jwt","alg":"ES256","jwk":{{"kty":"EC","x":"{}","y":"{}","crv":"P-256"}}}}"#,
            self.x, self.y
        );
        let payload = format!(
            r#"{{"htm":{},"htu":{},"iat":{iat},"jti":{}}}"#,
            text(method),
            text(url),
            text(jti)
        );
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let signature: Signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
}

/// A random version-4 UUID (for a proof's `jti`).
pub fn random_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A SEC1 key made by `openssl ecparam -name prime256v1 -genkey -noout` (a test key).
    const SEC1: &str = "-----BEGIN EC PRIVATE KEY-----\n\
MHcCAQEEIJmMeuk7EhFVN/iICFg7vEgv8cLVovmJBkPM4211jnqgoAoGCCqGSM49\n\
AwEHoUQDQgAEOQJIMtymLLZwxojnNMMgDwRmS/Sof0o26ML0hOCwIOhKLEKyW35Z\n\
HBfBBFJVaJ+DIZeMzGT1S2Y+jlTYd/nfNw==\n\
-----END EC PRIVATE KEY-----\n";

    #[test]
    fn a_proof_verifies_with_its_own_jwk() {
        let key = DpopKey::from_pem(SEC1).unwrap();
        let proof = key.proof(
            "POST",
            "https://signin.example/v1/token",
            1_700_000_000,
            "id-1",
        );
        let parts: Vec<&str> = proof.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["jwk"]["crv"], "P-256");
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(
            payload,
            serde_json::json!({"htm": "POST", "htu": "https://signin.example/v1/token",
                               "iat": 1_700_000_000u64, "jti": "id-1"})
        );
        // ring, another implementation, checks the signature with the JWK's point.
        let mut point = vec![4u8];
        point.extend(
            URL_SAFE_NO_PAD
                .decode(header["jwk"]["x"].as_str().unwrap())
                .unwrap(),
        );
        point.extend(
            URL_SAFE_NO_PAD
                .decode(header["jwk"]["y"].as_str().unwrap())
                .unwrap(),
        );
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            &point,
        );
        let input = format!("{}.{}", parts[0], parts[1]);
        assert!(public.verify(input.as_bytes(), &signature).is_ok());
        assert!(public.verify(b"other", &signature).is_err());
    }

    #[test]
    fn bad_keys_are_refused_without_quoting_them() {
        for bad in [
            "",
            "-----BEGIN EC PRIVATE KEY-----\nnot*base64\n-----END EC PRIVATE KEY-----",
            "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----",
        ] {
            let e = DpopKey::from_pem(bad).unwrap_err();
            assert!(!e.contains("AAAA") && !e.contains("base64\n"), "{e}");
        }
        let key = DpopKey::from_pem(SEC1).unwrap();
        assert!(!format!("{key:?}").contains("MHcCAQEE"));
    }

    #[test]
    fn ids_are_version_4_uuids() {
        let (a, b) = (random_uuid(), random_uuid());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }
}

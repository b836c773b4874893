//! Signing and credentials for inia. Pure code: nothing here touches the network.
//!
//! Request data (`http::request::Parts` plus a [`sign::SignBody`]), signing parameters
//! ([`sign::SigningContext`]) and output (headers or query parameters added in place,
//! plus [`sign::SigV4Output`] for those who look inside) are separate types.
//!
//! ```
//! use inia_auth::credentials::Credentials;
//! use inia_auth::sign::{SigV4, SigV4Settings, SignBody, SigningContext};
//! use std::time::{Duration, UNIX_EPOCH};
//!
//! let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example");
//! let time = UNIX_EPOCH + Duration::from_secs(1_440_938_160); // 2015-08-30T12:36:00Z
//! let ctx = SigningContext::new(&creds, "us-east-1", "service", time);
//! let (mut parts, ()) = http::Request::get("https://example.amazonaws.com/").body(()).unwrap().into_parts();
//!
//! let signer = SigV4::new(SigV4Settings::default());
//! signer.sign_headers(&mut parts, &SignBody::Bytes(b""), &ctx)?;
//! assert_eq!(
//!     parts.headers["authorization"],
//!     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
//!      SignedHeaders=host;x-amz-date, \
//!      Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
//! );
//! # Ok::<(), inia_auth::sign::SignError>(())
//! ```
//!
//! Owns: credentials, their sources and refresh, every signature scheme, and DPoP proofs
//! ([`dpop`]). Does not own:
//! protocols, endpoints, sending.

pub mod config;
pub mod credentials;
pub mod dpop;
pub mod provider;
pub mod region;
pub mod sign;

//! Published conformance suites run against inia: botocore's protocol vectors, its SigV4
//! test suite, and the AWS signing test suite (SigV4 and SigV4a) shipped in the
//! `aws-sigv4` crate. Nothing from the suites is stored in the repository: [`botocore`]
//! and [`crates_io`] fetch them into `.cache/` at test time.

pub mod botocore;
pub mod cbor_canon;
pub mod crates_io;
pub mod endpoint_e2e;
pub mod endpoint_tests;
pub mod protocol_vectors;
pub mod report;
pub mod sigv4_suite;
pub mod sigv4a_suite;
pub mod xml_canon;

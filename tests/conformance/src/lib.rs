//! Published conformance suites run against inia: botocore's protocol vectors and the
//! AWS SigV4 test suite. Nothing from the suites is stored in
//! the repository: [`botocore`] fetches them into `.cache/` at test time.

pub mod botocore;
pub mod endpoint_e2e;
pub mod endpoint_tests;
pub mod protocol_vectors;
pub mod report;
pub mod sigv4_suite;
pub mod xml_canon;

//! Published conformance suites run against inia. Nothing from the suites is stored in
//! the repository: [`botocore`] fetches them into `.cache/` at test time.

pub mod botocore;
pub mod protocol_vectors;
pub mod report;
pub mod xml_canon;

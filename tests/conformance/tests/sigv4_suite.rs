//! The SigV4 test suite under `cargo test`: all 34 cases, none skipped.

use inia_conformance::protocol_vectors::Outcome;

#[test]
fn all_34_sigv4_cases_pass() {
    let tests = inia_conformance::botocore::sdist_tests().expect("fetch botocore's test data");
    let results = inia_conformance::sigv4_suite::run(&tests.join("unit/auth/aws4_testsuite"));
    let failed: Vec<String> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Passed => None,
            other => Some(format!("{}: {other:?}", r.key)),
        })
        .collect();
    assert_eq!(results.len(), 34, "the suite has 34 cases");
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

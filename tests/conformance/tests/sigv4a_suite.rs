//! The AWS signing test suite from the `aws-sigv4` crate under `cargo test`: every `v4a`
//! case with inia's SigV4a signer and every `v4` case with SigV4, header and query forms.
//! Each case not listed in `skipped-cases.json` must pass.

use inia_conformance::protocol_vectors::{CaseResult, Outcome};
use inia_conformance::report::{tally, Skips};
use inia_conformance::{crates_io, sigv4a_suite};

fn assert_all_pass(what: &str, results: &[CaseResult], expected_len: usize) {
    let failed: Vec<String> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Failed(why) => Some(format!("{}: {why}", r.key)),
            _ => None,
        })
        .collect();
    let t = tally(results);
    assert_eq!(
        results.len(),
        expected_len,
        "{what}: the suite's cases, each in header and query form"
    );
    assert!(
        failed.is_empty(),
        "{what}: {} passed, {} failed, {} skipped\n{}",
        t.passed,
        t.failed,
        t.skipped,
        failed.join("\n")
    );
    eprintln!(
        "{what}: {} passed, {} failed, {} skipped",
        t.passed, t.failed, t.skipped
    );
}

#[test]
fn every_sigv4a_case_passes() {
    let suite = crates_io::signing_test_suite().expect("fetch the aws-sigv4 crate");
    let skips = Skips::load().expect("skipped-cases.json");
    // 38 cases, each signed in the header and in the query.
    assert_all_pass("v4a", &sigv4a_suite::run_v4a(&suite, &skips), 76);
}

#[test]
fn every_sigv4_case_of_the_same_suite_passes() {
    let suite = crates_io::signing_test_suite().expect("fetch the aws-sigv4 crate");
    let skips = Skips::load().expect("skipped-cases.json");
    // The same 38 cases, plus two migrated cases with a header form only.
    assert_all_pass("v4", &sigv4a_suite::run_v4(&suite, &skips), 78);
}

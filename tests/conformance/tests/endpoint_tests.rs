//! botocore's endpoint tests under `cargo test`: every case of every service's
//! `endpoint-tests-1.json` not listed in `skipped-cases.json` must pass, with its
//! `operationInputs` run through the client path, so a regression fails CI.

use inia_conformance::protocol_vectors::Outcome;
use inia_conformance::report;

#[test]
fn every_endpoint_test_passes() {
    let skips = report::Skips::load().expect("skipped-cases.json");
    let all =
        report::run_endpoint_tests(&skips, true).expect("fetch and read botocore's endpoint tests");
    let mut failures = Vec::new();
    let (mut passed, mut skipped) = (0, 0);
    for (_, results) in &all {
        for r in results {
            match &r.outcome {
                Outcome::Passed => passed += 1,
                Outcome::Skipped(_) => skipped += 1,
                Outcome::Failed(why) => failures.push(format!("{}: {why}", r.key)),
            }
        }
    }
    assert!(all.len() > 400, "only {} services' test files", all.len());
    assert!(passed > 14_000, "only {passed} cases ran");
    assert!(
        failures.is_empty(),
        "{} failed ({passed} passed, {skipped} skipped):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

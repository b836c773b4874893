//! botocore's protocol test vectors under `cargo test`: every case not listed in
//! `skipped-cases.json` must pass, so a regression fails CI.

use inia_conformance::protocol_vectors::Outcome;
use inia_conformance::report;

#[test]
fn every_protocol_vector_passes() {
    let skips = report::Skips::load().expect("skipped-cases.json");
    let all = report::run_protocols(&skips).expect("fetch and read botocore's protocol vectors");
    let mut failures = Vec::new();
    let (mut passed, mut skipped) = (0, 0);
    for (file, results) in &all {
        // Shown with --nocapture: the per-file tally, as `cargo xtask conformance` prints.
        let t = report::tally(results);
        println!(
            "{file:<62} {:>4} passed {:>3} failed {:>3} skipped",
            t.passed, t.failed, t.skipped
        );
        for r in results {
            match &r.outcome {
                Outcome::Passed => passed += 1,
                Outcome::Skipped(_) => skipped += 1,
                Outcome::Failed(why) => failures.push(format!("{}: {why}", r.key)),
            }
        }
    }
    assert!(passed > 900, "only {passed} cases ran");
    assert!(
        failures.is_empty(),
        "{} failed ({passed} passed, {skipped} skipped):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_skip_names_a_case_that_exists() {
    let skips = report::Skips::load().expect("skipped-cases.json");
    let mut all = report::run_protocols(&skips).expect("vectors");
    // The endpoint cases' keys, without running their operation inputs.
    all.extend(report::run_endpoint_tests(&skips, false).expect("endpoint tests"));
    let keys: std::collections::HashSet<&str> = all
        .iter()
        .flat_map(|(_, r)| r.iter().map(|c| c.key.as_str()))
        .collect();
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/skipped-cases.json"))
        .unwrap();
    let skips: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    for k in skips.keys() {
        assert!(
            keys.contains(k.as_str()),
            "skipped-cases.json lists {k}, which is no case"
        );
    }
}

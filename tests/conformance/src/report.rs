//! Running every vector file and reporting: one line per file, then `N passed, M failed`.
//! Skipped cases come only from the checked-in `skipped-cases.json`, each with a reason.

use crate::botocore;
use crate::protocol_vectors::{run_file, CaseResult, Outcome};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The protocols inia runs vectors for (file stems under `input/`, `output/`, `legacy/`).
pub const PROTOCOL_FILES: &[&str] = &[
    "input/query.json",
    "input/ec2.json",
    "input/json.json",
    "input/json_1_0.json",
    "input/json_1_0-query-compatible.json",
    "input/rest-json.json",
    "input/rest-xml.json",
    "input/smithy-rpc-v2-cbor.json",
    "input/smithy-rpc-v2-cbor-query-compatible.json",
    "input/smithy-rpc-v2-cbor-non-query-compatible.json",
    "output/query.json",
    "output/ec2.json",
    "output/json.json",
    "output/json_1_0.json",
    "output/json_1_0-query-compatible.json",
    "output/rest-json.json",
    "output/rest-xml.json",
    "output/smithy-rpc-v2-cbor.json",
    "output/smithy-rpc-v2-cbor-query-compatible.json",
    "output/smithy-rpc-v2-cbor-non-query-compatible.json",
    "legacy/input/query.json",
    "legacy/input/ec2.json",
    "legacy/input/json.json",
    "legacy/input/rest-json.json",
    "legacy/input/rest-xml.json",
    "legacy/output/query.json",
    "legacy/output/ec2.json",
    "legacy/output/json.json",
    "legacy/output/rest-json.json",
    "legacy/output/rest-xml.json",
];

/// Cases inia does not run, each with its reason (`skipped-cases.json`).
#[derive(Debug, Default)]
pub struct Skips(BTreeMap<String, String>);

impl Skips {
    pub fn load() -> Result<Skips, String> {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("skipped-cases.json");
        let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let v: BTreeMap<String, String> =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
        if let Some((k, _)) = v.iter().find(|(_, r)| r.trim().is_empty()) {
            return Err(format!("{}: {k} is skipped without a reason", p.display()));
        }
        Ok(Skips(v))
    }

    pub fn reason(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

/// One file's tally.
#[derive(Debug, Default, Clone)]
pub struct FileTally {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// Run all protocol vector files (in [`PROTOCOL_FILES`] order), the signing suites, then
/// every service's endpoint tests.
pub fn run_all() -> Result<Vec<(String, Vec<CaseResult>)>, String> {
    let skips = Skips::load()?;
    let mut out = run_protocols(&skips)?;
    out.extend(run_endpoint_tests(&skips, true)?);
    Ok(out)
}

/// The protocol vector files, then botocore's SigV4 suite and the AWS signing test suite
/// (`v4` cases with SigV4, `v4a` cases with SigV4a; each in header and query form).
pub fn run_protocols(skips: &Skips) -> Result<Vec<(String, Vec<CaseResult>)>, String> {
    let tests = botocore::sdist_tests()?;
    let dir = tests.join("unit/protocols");
    let mut out = Vec::new();
    for rel in PROTOCOL_FILES {
        out.push((
            format!("protocols/{rel}"),
            run_file(&dir.join(rel), rel, skips)?,
        ));
    }
    out.push((
        "auth/aws4_testsuite".to_string(),
        crate::sigv4_suite::run(&tests.join("unit/auth/aws4_testsuite")),
    ));
    let signing = crate::crates_io::signing_test_suite()?;
    out.push((
        "auth/aws-signing-test-suite/v4".to_string(),
        crate::sigv4a_suite::run_v4(&signing, skips),
    ));
    out.push((
        "auth/aws-signing-test-suite/v4a".to_string(),
        crate::sigv4a_suite::run_v4a(&signing, skips),
    ));
    Ok(out)
}

/// Every service's `endpoint-tests-1.json`, one entry per file; with `e2e`, each case's
/// `operationInputs` through the client path too.
pub fn run_endpoint_tests(
    skips: &Skips,
    e2e: bool,
) -> Result<Vec<(String, Vec<CaseResult>)>, String> {
    let tests = botocore::sdist_tests()?;
    let data = botocore::wheel_data()?;
    let partitions = crate::endpoint_tests::load_partitions(&data)?;
    let e2e_runner = crate::endpoint_e2e::runner(&data);
    let mut out = Vec::new();
    for t in crate::endpoint_tests::discover(&tests, &data)? {
        let run: Option<crate::endpoint_tests::E2e<'_>> =
            if e2e { Some(&e2e_runner) } else { None };
        let results = crate::endpoint_tests::run_service(&t, &partitions, skips, run);
        out.push((format!("endpoint-rules/{}", t.service), results));
    }
    Ok(out)
}

pub fn tally(results: &[CaseResult]) -> FileTally {
    let mut t = FileTally::default();
    for r in results {
        match r.outcome {
            Outcome::Passed => t.passed += 1,
            Outcome::Failed(_) => t.failed += 1,
            Outcome::Skipped(_) => t.skipped += 1,
        }
    }
    t
}

/// `cargo xtask conformance`. `INIA_VERBOSE=1` prints each failure's detail.
pub fn run_and_print() -> Result<(), String> {
    let verbose = std::env::var_os("INIA_VERBOSE").is_some();
    let all = run_all()?;
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for (file, results) in &all {
        let t = tally(results);
        let total = t.passed + t.failed;
        let pct = if total == 0 {
            100.0
        } else {
            100.0 * t.passed as f64 / total as f64
        };
        println!(
            "{file:<62} {:>4} passed {:>3} failed {:>3} skipped  ({pct:.1}%)",
            t.passed, t.failed, t.skipped
        );
        for r in results {
            if let Outcome::Failed(why) = &r.outcome {
                if verbose {
                    println!("  FAIL {}: {why}", r.key);
                } else {
                    println!("  FAIL {}", r.key);
                }
            }
        }
        passed += t.passed;
        failed += t.failed;
        skipped += t.skipped;
    }
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 {
        Err(format!("{failed} conformance case(s) failed"))
    } else {
        Ok(())
    }
}

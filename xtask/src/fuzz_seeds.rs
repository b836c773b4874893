//! `cargo xtask fuzz-seeds`: writes the seeds of the `parse_cbor` fuzz target.
//!
//! - inia's own (`inia_fuzz_targets::cbor_seeds::committed`) go to
//!   `fuzz/corpus/parse_cbor/`, which is committed; a test in `fuzz/targets` fails when
//!   they drift from what this writes;
//! - the bodies of botocore's rpcv2Cbor protocol vectors (fetched into `.cache/` like the
//!   conformance suite: the output cases' responses, and the input cases' request bodies,
//!   whose shapes the Smithy tests share with the outputs) go to the git-ignored working
//!   corpus `fuzz/work/parse_cbor/`, so nothing of botocore's is stored in the repository.
//!   `cargo xtask fuzz` writes these itself before it runs `parse_cbor`.
//!
//! Owns writing those files. Does not own their contents (`fuzz/targets/src/cbor_seeds.rs`)
//! or running the fuzzer (`fuzz`).

use inia_fuzz_targets::cbor_seeds;
use serde_json::Value;
use std::path::Path;

const TARGET: &str = "parse_cbor";

/// The vector files whose bodies seed the target, under `tests/unit/protocols/`.
const VECTOR_FILES: &[&str] = &[
    "input/smithy-rpc-v2-cbor.json",
    "input/smithy-rpc-v2-cbor-query-compatible.json",
    "input/smithy-rpc-v2-cbor-non-query-compatible.json",
    "output/smithy-rpc-v2-cbor.json",
    "output/smithy-rpc-v2-cbor-query-compatible.json",
    "output/smithy-rpc-v2-cbor-non-query-compatible.json",
];

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// inia's own seeds into `fuzz/corpus/parse_cbor/`; how many.
pub fn write_committed(fuzz: &Path) -> Result<usize, String> {
    let dir = fuzz.join("corpus").join(TARGET);
    let seeds = cbor_seeds::committed();
    for (name, bytes) in &seeds {
        write(&dir, name, bytes)?;
    }
    Ok(seeds.len())
}

/// The vectors' bodies into `fuzz/work/parse_cbor/vector-<case id>`; how many.
pub fn write_vectors(fuzz: &Path) -> Result<usize, String> {
    let protocols = inia_conformance::botocore::sdist_tests()?.join("unit/protocols");
    let dir = fuzz.join("work").join(TARGET);
    let mut count = 0;
    for rel in VECTOR_FILES {
        let path = protocols.join(rel);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let suites: Vec<Value> =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        for (si, suite) in suites.iter().enumerate() {
            for (ci, case) in suite["cases"].as_array().into_iter().flatten().enumerate() {
                let operation = case["given"]["name"].as_str().unwrap_or("");
                let (status, headers, body) = match case.get("response") {
                    Some(r) => (
                        r["status_code"].as_u64().unwrap_or(200) as u16,
                        r["headers"].as_object().cloned().unwrap_or_default(),
                        r["body"].as_str(),
                    ),
                    None => (200, Default::default(), case["serialized"]["body"].as_str()),
                };
                let Some(body) = body.and_then(inia_protocol::timefmt::base64_decode) else {
                    continue;
                };
                let headers: Vec<(&str, &str)> = headers
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
                    .collect();
                let seed = cbor_seeds::from_vector(operation, status, &headers, &body);
                let id = case["id"]
                    .as_str()
                    .map_or_else(|| format!("{si}-{ci}"), str::to_string);
                let kind = rel.split('/').next().unwrap_or("case");
                write(&dir, &format!("vector-{kind}-{id}"), &seed)?;
                count += 1;
            }
        }
    }
    Ok(count)
}

/// `cargo xtask fuzz-seeds`.
pub fn run(fuzz: &Path) -> Result<(), String> {
    let own = write_committed(fuzz)?;
    println!("wrote {own} seeds into fuzz/corpus/{TARGET}/");
    let vectors = write_vectors(fuzz)?;
    println!("wrote {vectors} vector seeds into fuzz/work/{TARGET}/ (git-ignored)");
    Ok(())
}

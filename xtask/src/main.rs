//! Repository tasks. `cargo xtask <task>`:
//! - `demo`: inia's main job on a fresh machine: a local moto, the seed flows run with the
//!   `inia` command line, their JSON.
//! - `test`: the whole test suite (what CI runs).
//! - `conformance`: botocore's protocol test vectors through inia, one line per file,
//!   closing with `N passed, M failed`.
//! - `gen-specs`: regenerate `service-specs/` from the pinned botocore wheel.
//! - `bench`: benchmarks against their baselines, in release builds (docs/performance.md).
//! - `fuzz [--seconds N] [target...]`: the fuzz targets under libFuzzer (nightly), N seconds
//!   each.
//! - `fuzz-seeds`: write the `parse_cbor` target's seeds (inia's own into `fuzz/corpus/`,
//!   botocore's vector bodies into the git-ignored `fuzz/work/`).
//! - `fetch`: download and unpack the pinned botocore test data into `.cache/`.

mod cargo;
mod demo;
mod fuzz;
mod fuzz_seeds;
mod pipeline;
mod services;
mod specs;

use std::path::PathBuf;
use std::process::ExitCode;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen-specs") => specs::run(&workspace().join("service-specs")),
        Some("fetch") => {
            inia_conformance::botocore::sdist_tests().map(|p| println!("{}", p.display()))
        }
        Some("test") => pipeline::test(),
        Some("demo") => demo::run(&workspace()),
        Some("bench") => pipeline::bench(),
        Some("fuzz") => fuzz::run_all(&workspace(), &args[1..]),
        Some("fuzz-seeds") => fuzz_seeds::run(&workspace().join("fuzz")),
        Some("conformance") => inia_conformance::report::run_and_print(),
        _ => Err(
            "usage: cargo xtask <demo|test|conformance|bench|fuzz|fuzz-seeds|gen-specs|fetch>"
                .to_string(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

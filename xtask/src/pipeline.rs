//! `cargo xtask test`: the whole test suite, as CI runs it. Fetches the pinned
//! conformance data and installs the servers the end-to-end tests start (moto, tinyproxy)
//! first, then checks formatting and lints, runs every test, and ends
//! with the conformance report and its `N passed, M failed` line.

use std::process::Command;

fn cargo(args: &[&str]) -> Result<(), String> {
    println!("==> cargo {}", args.join(" "));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo {} failed ({status})", args.join(" ")))
    }
}

pub fn test() -> Result<(), String> {
    println!(
        "==> fetching botocore {} test data into .cache/",
        inia_conformance::botocore::VERSION
    );
    inia_conformance::botocore::sdist_tests()?;
    let cache = inia_conformance::botocore::cache_dir();
    crate::services::ensure_moto(&cache)?;
    crate::services::ensure_tinyproxy()?;
    cargo(&["fmt", "--all", "--", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&["test", "--workspace"])?;
    println!("==> conformance report");
    inia_conformance::report::run_and_print()
}

/// `cargo xtask bench`: the `bench/` workspace in a release build.
pub fn bench() -> Result<(), String> {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/Cargo.toml");
    let manifest = manifest.to_string_lossy().into_owned();
    cargo(&["run", "--release", "--quiet", "--manifest-path", &manifest])
}

/// `cargo xtask demo`: install and start moto on 127.0.0.1, run the seed flows through the
/// library (`crates/inia/examples/seed_demo.rs`), print their JSON, stop moto.
pub fn demo() -> Result<(), String> {
    crate::services::ensure_moto(&inia_conformance::botocore::cache_dir())?;
    let moto = inia_test_support::Moto::start(&[]);
    println!("==> moto on {}", moto.endpoint());
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "run",
            "--quiet",
            "--package",
            "inia",
            "--example",
            "seed_demo",
        ])
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ACCESS_KEY_ID", "AKIDDEMO")
        .env("AWS_SECRET_ACCESS_KEY", "demo-secret")
        .env_remove("AWS_PROFILE")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    drop(moto);
    if status.success() {
        Ok(())
    } else {
        Err(format!("the demo failed ({status})"))
    }
}

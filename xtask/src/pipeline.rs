//! `cargo xtask test`: the whole test suite, as CI runs it. Fetches the pinned
//! conformance data and installs the servers the end-to-end tests start (moto, rclone,
//! tinyproxy, Azurite, s3rver) first, then checks formatting and lints, runs every test,
//! and ends with the conformance report and its `N passed, M failed` line.

use std::process::Command;

fn cargo(args: &[&str]) -> Result<(), String> {
    println!("==> cargo {}", args.join(" "));
    let status = crate::cargo::command()
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
    inia_conformance::botocore::wheel_data()?;
    let cache = inia_conformance::botocore::cache_dir();
    crate::services::ensure_moto(&cache)?;
    crate::services::ensure_awscli(&cache)?;
    crate::services::ensure_botocore(&cache)?;
    crate::services::ensure_rclone(&cache)?;
    crate::services::ensure_tinyproxy()?;
    crate::services::ensure_node_servers(&cache)?;
    report_free_disk();
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

/// Prints the free space where the build goes, so a CI log that ends in a linker crash
/// (a full disk shows up as SIGBUS in `ld`) says how much room there was.
fn report_free_disk() {
    if let Ok(out) = Command::new("df").args(["-h", "."]).output() {
        print!("==> free disk\n{}", String::from_utf8_lossy(&out.stdout));
    }
}

/// `cargo xtask bench`: the `bench/` workspace in a release build, after the release
/// `inia` binary its command-line benchmark runs (`target/release/inia`).
pub fn bench() -> Result<(), String> {
    cargo(&["build", "--release", "--quiet", "--package", "inia-cli"])?;
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/Cargo.toml");
    let manifest = manifest.to_string_lossy().into_owned();
    cargo(&["run", "--release", "--quiet", "--manifest-path", &manifest])
}

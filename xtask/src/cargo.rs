//! Starting cargo from a task. `cargo xtask` runs this binary through `cargo run`, which
//! hands it the variables cargo sets for one package (`CARGO_MANIFEST_DIR`,
//! `CARGO_PKG_NAME`, `CARGO_CRATE_NAME`, ...). Passed on to another cargo they become part
//! of what build scripts see, so crates whose build scripts watch them (ring, rustls and
//! everything above) were rebuilt at every switch between `cargo xtask ...` and a plain
//! `cargo build`. Every cargo a task starts is made here, without them.
//!
//! Owns the command's environment. Does not own what the tasks ask cargo to do.

use std::process::Command;

/// The variables cargo sets for the package it runs, which must not reach another cargo.
/// Everything else (`CARGO_HOME`, `CARGO_TARGET_DIR`, `CARGO_TERM_*`, `RUSTFLAGS`, ...) is
/// the user's configuration and is kept.
fn is_per_package(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_MANIFEST_LINKS",
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_RUSTC_CURRENT_DIR",
        "CARGO_TARGET_TMPDIR",
        "OUT_DIR",
    ];
    EXACT.contains(&name) || name.starts_with("CARGO_PKG_") || name.starts_with("CARGO_BIN_EXE_")
}

/// `cargo` (the one that runs this task, as `CARGO` names it, else from `PATH`), with the
/// per-package variables removed.
pub fn command() -> Command {
    command_named(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `cargo` from `PATH` (the rustup proxy, so that `+nightly` works), cleaned the same way.
pub fn proxy() -> Command {
    command_named("cargo".into())
}

fn command_named(program: std::ffi::OsString) -> Command {
    let mut cmd = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(is_per_package) {
            cmd.env_remove(&name);
        }
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_per_package_variables_are_removed() {
        for name in [
            "CARGO_MANIFEST_DIR",
            "CARGO_PKG_NAME",
            "CARGO_PKG_VERSION_MAJOR",
            "CARGO_CRATE_NAME",
            "CARGO_BIN_EXE_inia",
        ] {
            assert!(is_per_package(name), "{name}");
        }
        for name in [
            "CARGO",
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "CARGO_TERM_COLOR",
            "RUSTFLAGS",
            "PATH",
        ] {
            assert!(!is_per_package(name), "{name}");
        }
    }

    #[test]
    fn the_command_does_not_pass_them_on() {
        // `cargo test` sets CARGO_MANIFEST_DIR and CARGO_PKG_NAME for this test binary.
        let cmd = command();
        let removed: Vec<_> = cmd
            .get_envs()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        assert!(
            removed.iter().any(|k| k == "CARGO_MANIFEST_DIR"),
            "{removed:?}"
        );
        assert!(removed.iter().any(|k| k == "CARGO_PKG_NAME"), "{removed:?}");
    }
}

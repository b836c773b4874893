//! Where the reference AWS CLI lives: the pinned AWS CLI v1 that `cargo xtask test`
//! installs from PyPI into `.cache/awscli-venv` (its own venv; its botocore pin conflicts
//! with moto's).
//!
//! Owns finding the `aws` executable. Does not own how it is run (each test sets its own
//! environment) or installing it (xtask).

use std::path::PathBuf;

/// The pinned AWS CLI release.
pub const AWSCLI_VERSION: &str = "1.46.2";

/// The `aws` executable in `.cache/awscli-venv`. Panics with the install command when it
/// is absent, so that a test needing it fails rather than passing silently.
pub fn aws_cli() -> PathBuf {
    let exe = crate::cache_dir().join("awscli-venv/bin/aws");
    assert!(
        exe.is_file(),
        "the AWS CLI is not installed at {}: run `cargo xtask test` (or `python3 -m venv \
         .cache/awscli-venv && .cache/awscli-venv/bin/pip install 'awscli=={AWSCLI_VERSION}'`)",
        exe.display()
    );
    exe
}

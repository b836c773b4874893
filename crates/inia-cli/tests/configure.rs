//! `inia configure` side by side with the AWS CLI (1.46.2, the pinned venv the test
//! command installs), each in its own temporary HOME: the same `set` commands write
//! byte-identical files (comments and order kept, mode 0600), each tool `get`s what the
//! other wrote, and `list` prints the same table. `list-profiles` and
//! `export-credentials` are AWS CLI v2 commands the pinned v1 lacks, so their output is
//! checked against v2's documented formats instead.
//!
//! Owns those assertions. Does not own the text editing's unit tests
//! (`inia-auth`'s `config/edit.rs`).

use std::path::Path;
use std::process::{Command, Output};

fn aws_cli() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/awscli-venv/bin/aws")
}

fn run(program: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (`cargo xtask test` installs it)",
                program.display()
            )
        })
}

fn inia(home: &Path, args: &[&str]) -> Output {
    run(Path::new(env!("CARGO_BIN_EXE_inia")), home, args)
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const SETS: &[&[&str]] = &[
    &["configure", "set", "region", "eu-west-1"],
    &["configure", "set", "aws_access_key_id", "AKIAEXAMPLE1234"],
    &[
        "configure",
        "set",
        "aws_secret_access_key",
        "wJalrXUtnFEMIEXAMPLEKEY",
    ],
    &[
        "configure",
        "set",
        "profile.dev.s3.addressing_style",
        "path",
    ],
    &["configure", "set", "output", "table", "--profile", "dev"],
    &["configure", "set", "profile.dev.region", "us-west-2"],
    &["configure", "set", "region", "eu-central-1"],
    &[
        "configure",
        "set",
        "profile.dev.s3.max_concurrent_requests",
        "20",
    ],
];

/// A config file with comments the tools must keep.
const START: &str = "# team settings\n[default]\n# the usual region\nregion = us-east-1\n\n; staging\n[profile staging]\noutput = json\n";

#[test]
fn set_writes_what_the_aws_cli_writes() {
    let (ours, theirs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for home in [ours.path(), theirs.path()] {
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        std::fs::write(home.join(".aws/config"), START).unwrap();
    }
    for args in SETS {
        let a = inia(ours.path(), args);
        assert!(
            a.status.success(),
            "inia {args:?}: {}",
            String::from_utf8_lossy(&a.stderr)
        );
        let b = run(&aws_cli(), theirs.path(), args);
        assert!(
            b.status.success(),
            "aws {args:?}: {}",
            String::from_utf8_lossy(&b.stderr)
        );
    }
    for file in ["config", "credentials"] {
        let read = |home: &Path| std::fs::read_to_string(home.join(".aws").join(file)).unwrap();
        assert_eq!(read(ours.path()), read(theirs.path()), "{file}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(ours.path().join(".aws").join(file)).unwrap();
            assert_eq!(mode.permissions().mode() & 0o777, 0o600, "{file}");
        }
    }
    assert!(std::fs::read_to_string(ours.path().join(".aws/config"))
        .unwrap()
        .contains("# the usual region\nregion = eu-central-1\n"));

    // Each tool reads what the other wrote; a missing name is exit 1 and no output.
    for name in [
        "region",
        "profile.dev.region",
        "profile.dev.s3.max_concurrent_requests",
        "aws_access_key_id",
        "profile.staging.output",
        "profile.dev.nothing",
    ] {
        let a = run(&aws_cli(), ours.path(), &["configure", "get", name]);
        let b = inia(theirs.path(), &["configure", "get", name]);
        assert_eq!(
            (text(&a), a.status.code()),
            (text(&b), b.status.code()),
            "{name}"
        );
    }
    let a = run(&aws_cli(), ours.path(), &["configure", "list"]);
    let b = inia(ours.path(), &["configure", "list"]);
    assert_eq!(text(&a), text(&b));
    assert!(!text(&b).contains("wJalrXUtnFEMIEXAMPLEKEY"));
}

#[test]
fn profiles_and_exported_credentials() {
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(aws.join("config"), "[default]\nregion = eu-west-1\n[profile b]\n[profile a]\n[sso-session s]\nsso_region = us-east-1\n").unwrap();
    std::fs::write(
        aws.join("credentials"),
        "[default]\naws_access_key_id = AKIDEXPORT\naws_secret_access_key = secret/with+chars\n\
         [c]\naws_access_key_id = X\naws_secret_access_key = Y\naws_session_token = TOKEN\n",
    )
    .unwrap();
    assert_eq!(
        text(&inia(home.path(), &["configure", "list-profiles"])),
        "a\nb\nc\ndefault\n"
    );

    let out = inia(home.path(), &["configure", "export-credentials"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({"Version": 1, "AccessKeyId": "AKIDEXPORT", "SecretAccessKey": "secret/with+chars"})
    );
    let cases = [
        ("env", "export AWS_ACCESS_KEY_ID=X\nexport AWS_SECRET_ACCESS_KEY=Y\nexport AWS_SESSION_TOKEN=TOKEN\n"),
        ("env-no-export", "AWS_ACCESS_KEY_ID=X\nAWS_SECRET_ACCESS_KEY=Y\nAWS_SESSION_TOKEN=TOKEN\n"),
        ("powershell", "$Env:AWS_ACCESS_KEY_ID=\"X\"\n$Env:AWS_SECRET_ACCESS_KEY=\"Y\"\n$Env:AWS_SESSION_TOKEN=\"TOKEN\"\n"),
        ("windows-cmd", "set AWS_ACCESS_KEY_ID=X\nset AWS_SECRET_ACCESS_KEY=Y\nset AWS_SESSION_TOKEN=TOKEN\n"),
    ];
    for (format, want) in cases {
        let out = inia(
            home.path(),
            &[
                "--profile",
                "c",
                "configure",
                "export-credentials",
                "--format",
                format,
            ],
        );
        assert_eq!(text(&out), want, "{format}");
    }
    let bad = inia(
        home.path(),
        &["configure", "export-credentials", "--format", "yaml"],
    );
    assert_eq!(bad.status.code(), Some(252));
    // What it exports works as a credential_process for the AWS CLI.
    std::fs::write(
        aws.join("config"),
        format!(
            "[profile viaprocess]\ncredential_process = {} configure export-credentials --profile c\n",
            env!("CARGO_BIN_EXE_inia")
        ),
    )
    .unwrap();
    let via = run(
        &aws_cli(),
        home.path(),
        &["configure", "list", "--profile", "viaprocess"],
    );
    let table = text(&via);
    let key_row = table.lines().find(|l| l.contains("access_key"));
    let key_row = key_row.unwrap_or_default();
    assert!(
        key_row.contains("****************X") && key_row.contains("custom-process"),
        "{table}"
    );
}

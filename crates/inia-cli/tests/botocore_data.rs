//! The `inia` binary with botocore 1.44.5's `data/` folder on the spec path (fetched from
//! PyPI at test time by `inia_conformance::botocore::wheel_data()`): every service in the
//! folder is a command with nothing compiled in, a command loads only its own model, and
//! realistic ssm, route53, lambda, kms, logs, secretsmanager and kinesis flows work
//! against one moto on 127.0.0.1, with state checked through a second path (another
//! command, or the library with the same folder). The flows are in `botocore_data/flows.rs`.
//!
//! Owns end-to-end tests of services that reach inia only through a spec folder. Does not
//! own the embedded services' flows (see `cli.rs`) or output formatting (`output_formats.rs`).

use inia::{Credentials, Value};
use inia_test_support::Moto;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "botocore_data/flows.rs"]
mod flows;

fn data() -> PathBuf {
    inia_conformance::botocore::wheel_data().expect("botocore data folder")
}

/// How the botocore folder is put on the spec path.
#[derive(Clone, Copy)]
enum Specs {
    Flag,
    Env,
    None,
}

struct Cli {
    home: tempfile::TempDir,
    endpoint: String,
    data: PathBuf,
}

impl Cli {
    fn command(&self, specs: Specs, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_inia"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
            .env("AWS_SECRET_ACCESS_KEY", "secret-test")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .args(["--endpoint-url", &self.endpoint]);
        match specs {
            Specs::Flag => {
                cmd.arg("--spec-path").arg(&self.data);
            }
            Specs::Env => {
                cmd.env("INIA_SPEC_PATH", &self.data);
            }
            Specs::None => {}
        }
        cmd.args(args);
        cmd
    }

    fn run_with(&self, specs: Specs, args: &[&str]) -> Output {
        self.command(specs, args).output().expect("run inia")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(Specs::Flag, args)
    }

    /// Run, require exit 0, parse stdout as JSON (`null` when empty).
    fn json_with(&self, specs: Specs, args: &[&str]) -> Value {
        let out = self.run_with(specs, args);
        assert!(
            out.status.success(),
            "inia {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        if text.trim().is_empty() {
            return Value::Null;
        }
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }

    fn json(&self, args: &[&str]) -> Value {
        self.json_with(Specs::Flag, args)
    }
}

/// The library, reading models from the same folder: the second path to the state.
fn library(moto: &Moto, data: &Path) -> inia::blocking::Session {
    inia::blocking::Session::from_builder(
        inia::Session::builder()
            .region("us-east-1")
            .endpoint_url(moto.endpoint())
            .spec_dir(data)
            .credentials(Credentials::new(
                "AKIDTEST",
                "secret-test",
                None,
                None,
                "test",
            ))
            .env(inia::auth::config::Env::empty()),
    )
    .expect("session")
}

fn call(lib: &inia::blocking::Session, service: &str, op: &str, params: Value) -> Value {
    lib.client(service)
        .expect("client")
        .call(op, params)
        .unwrap_or_else(|e| panic!("{service} {op}: {e}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn b64(bytes: &[u8]) -> String {
    inia::protocol::timefmt::base64_encode(bytes)
}

fn unb64(v: &Value) -> Vec<u8> {
    inia::protocol::timefmt::base64_decode(v.as_str().expect("base64 text")).expect("base64")
}

/// Service folders of `data` holding a `service-2` model, by their folder name.
fn services_in(data: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for svc in std::fs::read_dir(data).expect("read data").flatten() {
        let has_model = std::fs::read_dir(svc.path())
            .into_iter()
            .flatten()
            .any(|v| {
                let v = v.expect("entry").path();
                v.join("service-2.json.gz").is_file() || v.join("service-2.json").is_file()
            });
        if has_model {
            out.insert(svc.file_name().to_string_lossy().into_owned());
        }
    }
    out
}

/// The newest api-version folder of `service` in `data`.
fn newest_version(data: &Path, service: &str) -> String {
    std::fs::read_dir(data.join(service))
        .expect("service folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .max()
        .expect("a version")
}

/// The service names `inia help` lists.
fn help_services(cli: &Cli, specs: Specs) -> BTreeSet<String> {
    let out = cli.run_with(specs, &["help"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    text.split("services:\n")
        .nth(1)
        .expect("a services section")
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn help_lists_every_service_of_the_folder() {
    let data = data();
    let folder: BTreeSet<String> = services_in(&data)
        .into_iter()
        .map(|s| if s == "s3" { "s3api".into() } else { s })
        .collect();
    assert!(folder.len() > 400, "only {} services", folder.len());
    let cli = Cli {
        home: tempfile::tempdir().expect("home"),
        endpoint: "http://127.0.0.1:9".into(),
        data,
    };
    let embedded = help_services(&cli, Specs::None);
    assert!(!embedded.contains("kms"), "{embedded:?}");
    let listed = help_services(&cli, Specs::Flag);
    let expected: BTreeSet<String> = folder.union(&embedded).cloned().collect();
    assert_eq!(
        listed.symmetric_difference(&expected).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "listed {} services, expected {}",
        listed.len(),
        expected.len()
    );
    eprintln!(
        "inia help: {} services ({} in the botocore folder, {} embedded)",
        listed.len(),
        folder.len(),
        embedded.len()
    );
    // With the folder's documentation, an operation's help carries its text (HTML turned
    // into plain text) and a first sentence per parameter; the embedded specs have none.
    let out = cli.run_with(Specs::Flag, &["kms", "encrypt", "help"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        help.contains("  --key-id <string>  (required)\n      "),
        "{help}"
    );
    assert!(help.contains("KMS key"), "{help}");
    assert!(!help.contains("<p>") && !help.contains("</"), "{help}");
    let out = cli.run_with(Specs::None, &["sts", "get-caller-identity", "help"]);
    let plain = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        plain.starts_with("usage: inia sts get-caller-identity [parameters]\n\nparameters:\n"),
        "{plain}"
    );
    // Without the folder only the embedded services are commands.
    let out = cli.run_with(Specs::None, &["kms", "list-keys"]);
    assert_eq!(out.status.code(), Some(252), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Invalid choice: 'kms'"),
        "{}",
        stderr(&out)
    );
}

/// Every service but the one called is replaced, in a folder earlier on the path, by a
/// model that is not JSON: a command that parsed any other model would fail.
fn only_the_called_model_is_parsed(cli: &Cli) {
    let overlay = tempfile::tempdir().expect("overlay");
    let services = services_in(&cli.data);
    for svc in services.iter().filter(|s| *s != "sts") {
        let dir = overlay
            .path()
            .join(svc)
            .join(newest_version(&cli.data, svc));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("service-2.json"), "not a model").expect("write");
    }
    let ov = overlay.path().to_string_lossy().into_owned();
    let data = cli.data.to_string_lossy().into_owned();
    // Repeated --spec-path folders are searched in order: the overlay wins version ties.
    let first = |args: &[&str]| {
        let mut all = vec!["--spec-path", ov.as_str(), "--spec-path", data.as_str()];
        all.extend_from_slice(args);
        cli.run_with(Specs::None, &all)
    };
    let out = first(&["sts", "get-caller-identity"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let who: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(who["Account"], "123456789012", "{who}");
    // The help listing reads folder names only.
    let out = first(&["help"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = String::from_utf8_lossy(&out.stdout).matches("\n  ").count();
    assert!(listed > services.len(), "{listed}");
    // The overlay is really read: a service it replaces fails, naming the file.
    let out = first(&["kms", "list-keys"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains(&*overlay.path().join("kms").to_string_lossy()),
        "{}",
        stderr(&out)
    );
    // What loading one model from the folder costs (reported, not asserted: timing).
    let time = |specs: Specs| {
        let t = std::time::Instant::now();
        for _ in 0..5 {
            let out = cli.run_with(specs, &["sts", "get-caller-identity"]);
            assert!(out.status.success(), "{}", stderr(&out));
        }
        t.elapsed() / 5
    };
    eprintln!(
        "sts get-caller-identity: {:?} with --spec-path botocore data, {:?} embedded",
        time(Specs::Flag),
        time(Specs::None)
    );
}

#[test]
fn botocore_data_services_against_moto() {
    let moto = Moto::start(&[]);
    let data = data();
    let lib = library(&moto, &data);
    let cli = Cli {
        home: tempfile::tempdir().expect("home"),
        endpoint: moto.endpoint(),
        data: data.clone(),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    type Flow<'a> = Box<dyn Fn() + 'a>;
    let flows: Vec<(&str, Flow)> = vec![
        (
            "lazy loading",
            Box::new(|| only_the_called_model_is_parsed(&cli)),
        ),
        ("ssm", Box::new(|| flows::ssm(&cli, &lib))),
        ("route53", Box::new(|| flows::route53(&cli, &lib))),
        ("lambda", Box::new(|| flows::lambda(&cli, &lib, dir))),
        ("kms", Box::new(|| flows::kms(&cli, &lib, dir))),
        ("logs", Box::new(|| flows::logs(&cli, &lib))),
        (
            "secretsmanager",
            Box::new(|| flows::secretsmanager(&cli, &lib)),
        ),
        ("kinesis", Box::new(|| flows::kinesis(&cli, &lib, dir))),
    ];
    // Each flow runs even when an earlier one failed, so one run shows every failure.
    let failed: Vec<&str> = flows
        .iter()
        .filter(|(_, f)| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err())
        .map(|(name, _)| *name)
        .collect();
    assert!(failed.is_empty(), "failed flows: {failed:?}");
}

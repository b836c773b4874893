//! Parity with the AWS CLI over many services (issue 16's acceptance): one moto seeded
//! with resources in 36 services (`parity_services/seed.rs`, `seed_services.rs`), and about
//! 250 read commands (`parity_services/commands.rs`: list, describe and get, with and without
//! `--query`, in JSON, text and table, with paging options, failures of missing
//! resources and of bad arguments) run by `inia` and by the pinned AWS CLI 1.46.2 in
//! one environment. Each pair is compared on
//!
//! - the exit code, v1's read as v2's: 255 for a service error is 254; 2 (argparse) and
//!   255 for a bad argument are 252;
//! - stdout: as JSON values for JSON (and byte for byte), exactly for text and table;
//! - the error line: the first line of stderr naming the failure (`An error occurred
//!   ...`, or the usage error after the program's `aws: error: ` / `inia: error: `).
//!
//! The AWS CLI runs with `cli_timestamp_format = iso8601` and `TZ=UTC`, so both print v2's
//! timestamps. Services inia does not embed come from botocore's data folder on
//! `INIA_SPEC_PATH`. The differences that remain are listed in [`KNOWN`], each explained
//! in docs/cli.md ("Differences from the AWS CLI, measured"): the test fails on any other
//! difference, and on a listed one that no longer occurs.
//!
//! Owns that comparison. Does not own the handler cases of `parity.rs` or the v2 behaviour
//! of `parity_v2.rs`.

#[path = "parity_services/commands.rs"]
mod commands;
#[path = "parity_services/seed.rs"]
mod seed;
#[path = "parity_services/seed_services.rs"]
mod seed_services;

use inia_test_support::{aws_cli, Moto};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Where two runs of one command may differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Exit,
    Stdout,
    /// The same JSON value printed in other bytes (key order).
    StdoutBytes,
    ErrorLine,
}

/// The differences measured and explained in docs/cli.md, by command (its words joined
/// with spaces, as listed in `commands.rs`) and part.
const KNOWN: &[(&str, Part)] = &[
    // inia's EC2 model (botocore 1.44.5) has `NetworkInfo.InterfaceTypes`; the AWS CLI's
    // bundled botocore 1.43.62 does not, and drops what moto sends.
    (
        "ec2 describe-instance-types --instance-types t2.micro",
        Part::Stdout,
    ),
    // botocore 1.43.62 sends `GET /v2/email/configuration-sets`, which moto 5.2.5 no
    // longer routes (404); botocore 1.44.5's model, inia's, `POST
    // /v2/email/list-configuration-sets`.
    ("sesv2 list-configuration-sets", Part::Exit),
    ("sesv2 list-configuration-sets", Part::Stdout),
    ("sesv2 list-configuration-sets", Part::ErrorLine),
    // A header member (`TransitionDefaultMinimumObjectSize`): botocore prints header
    // members before body members, inia in the shape's order.
    (
        "s3api get-bucket-lifecycle-configuration --bucket ps-bucket",
        Part::StdoutBytes,
    ),
    // moto answers 500 with an HTML page: botocore's query parser gives up on the body at
    // once ("Unable to parse response ..."), inia retries the 500 and names it by its
    // status ("An error occurred (500) ... (reached max retries: 2)").
    (
        "rds describe-db-engine-versions --engine postgres",
        Part::ErrorLine,
    ),
    // A bad operation: inia names it; v1 lists the 700 valid choices.
    ("ec2 describe-nonsense", Part::ErrorLine),
];

/// One environment for both programs: test credentials, a HOME of the test's, a config
/// file with `cli_timestamp_format = iso8601`, UTC, no instance metadata.
struct Env {
    home: tempfile::TempDir,
    endpoint: String,
    data: PathBuf,
    embedded: BTreeSet<String>,
}

/// What one run printed and how it ended.
#[derive(Debug, Clone)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Env {
    fn new(moto: &Moto) -> Env {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join("config"),
            "[default]\ncli_timestamp_format = iso8601\n",
        )
        .unwrap();
        std::fs::write(home.path().join("credentials"), "").unwrap();
        Env {
            home,
            endpoint: moto.endpoint(),
            data: inia_conformance::botocore::wheel_data().expect("botocore data folder"),
            embedded: inia::model::SpecPath::embedded_only().services(),
        }
    }

    fn run(&self, program: &Path, args: &[String]) -> Run {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("AWS_ACCESS_KEY_ID", "AKIDPARITY")
            .env("AWS_SECRET_ACCESS_KEY", "parity-secret")
            .env("AWS_CONFIG_FILE", self.home.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home.path().join("credentials"),
            )
            .env("TZ", "UTC")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        // A service inia does not embed comes from botocore's data folder (the AWS CLI
        // ignores the variable).
        if args.first().is_some_and(|s| !self.embedded.contains(s)) {
            cmd.env("INIA_SPEC_PATH", &self.data);
        }
        cmd.args(["--endpoint-url", &self.endpoint, "--region", "us-east-1"]);
        if !args.iter().any(|a| a == "--output") {
            cmd.args(["--output", "json"]);
        }
        let out = cmd.args(args).output().unwrap();
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    /// A usage error: the AWS CLI prints its usage lines first (v1 then ends with
    /// `aws: error: <reason>`, or only `<reason>` for unknown options); inia prints
    /// `inia: error: <reason>`.
    fn is_usage_error(&self) -> bool {
        self.stderr.starts_with("usage:")
            || self.stderr.lines().any(|l| l.starts_with("inia: error: "))
    }

    /// The line naming the failure: a usage error's reason (after the program's prefix,
    /// or v1's last line), or the first line that is not empty (the AWS CLI starts a
    /// service error with an empty line).
    fn error_line(&self) -> String {
        let mut lines = self.stderr.lines().map(str::trim).filter(|l| !l.is_empty());
        if !self.is_usage_error() {
            return lines.next().unwrap_or_default().to_string();
        }
        let prefixed = self.stderr.lines().find_map(|l| {
            l.strip_prefix("aws: error: ")
                .or_else(|| l.strip_prefix("inia: error: "))
        });
        match prefixed {
            Some(reason) => reason.trim().to_string(),
            None => lines.next_back().unwrap_or_default().to_string(),
        }
    }

    /// The AWS CLI v1's exit code as v2 reports it.
    fn v2_code(&self) -> Option<i32> {
        match (self.code, self.is_usage_error()) {
            (Some(2 | 255), true) => Some(252),
            (Some(255), false) => Some(254),
            (c, _) => c,
        }
    }
}

fn inia_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_inia"))
}

fn json_output(args: &[String]) -> bool {
    match args.iter().position(|a| a == "--output") {
        Some(i) => args.get(i + 1).is_some_and(|f| f == "json"),
        None => true,
    }
}

fn parse(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))
}

/// One command's comparison: the parts that differ, each with what both printed.
fn compare(args: &[String], aws: &Run, inia: &Run) -> Vec<(Part, String)> {
    let mut diffs = Vec::new();
    if aws.v2_code() != inia.code {
        diffs.push((
            Part::Exit,
            format!(
                "exit: AWS CLI {:?} (v2 {:?}) / inia {:?}",
                aws.code,
                aws.v2_code(),
                inia.code
            ),
        ));
    }
    let shown = || format!("-- AWS CLI:\n{}-- inia:\n{}", aws.stdout, inia.stdout);
    if json_output(args) {
        match (parse(&aws.stdout), parse(&inia.stdout)) {
            (Ok(a), Ok(i)) if a == i => {
                if aws.stdout != inia.stdout {
                    diffs.push((
                        Part::StdoutBytes,
                        format!("same JSON, other bytes\n{}", shown()),
                    ));
                }
            }
            (a, i) => diffs.push((
                Part::Stdout,
                format!("JSON: {:?} / {:?}\n{}", a.err(), i.err(), shown()),
            )),
        }
    } else if aws.stdout != inia.stdout {
        diffs.push((Part::Stdout, format!("text\n{}", shown())));
    }
    let (a, i) = (aws.error_line(), inia.error_line());
    if a != i {
        diffs.push((Part::ErrorLine, format!("error line: {a:?} / {i:?}")));
    }
    diffs
}

/// Both programs' runs of each command, in parallel (four at a time: the AWS CLI's start
/// costs about 0.3 s of CPU).
fn run_all(env: &Env, cases: &[Vec<String>]) -> Vec<(Run, Run)> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<(Run, Run)>>> = Mutex::new(vec![None; cases.len()]);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(args) = cases.get(i) else { break };
                let pair = (env.run(&aws_cli(), args), env.run(&inia_exe(), args));
                results.lock().unwrap()[i] = Some(pair);
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(Option::unwrap)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_across_services_print_what_the_aws_cli_prints() {
    let moto = Moto::shared();
    let data = inia_conformance::botocore::wheel_data().expect("botocore data folder");
    let ids = seed::seed(moto, data.to_str().unwrap()).await;
    let env = Env::new(moto);
    let cases = commands::commands(&ids, &env.endpoint);
    let listed = cases.len();
    let runs = tokio::task::block_in_place(|| run_all(&env, &cases));

    // The paging tokens: each `--max-items` listing resumed from the AWS CLI's token.
    let mut resumed = Vec::new();
    for (args, (aws, _)) in cases.iter().zip(&runs) {
        if !args.iter().any(|a| a == "--max-items") || !json_output(args) {
            continue;
        }
        let token = parse(&aws.stdout).unwrap_or_default()["NextToken"]
            .as_str()
            .map(str::to_string);
        if let Some(token) = token {
            let mut next = args.clone();
            next.extend(["--starting-token".to_string(), token]);
            resumed.push(next);
        }
    }
    assert!(resumed.len() >= 5, "few paged cases: {resumed:?}");
    let resumed_runs = tokio::task::block_in_place(|| run_all(&env, &resumed));

    let all: Vec<(Vec<String>, (Run, Run))> = cases
        .into_iter()
        .zip(runs)
        .chain(resumed.into_iter().zip(resumed_runs))
        .collect();
    let mut found = BTreeSet::new();
    let mut report = Vec::new();
    let mut formats = std::collections::BTreeMap::<String, usize>::new();
    let mut services = BTreeSet::new();
    let (mut failing, mut queried, mut paged) = (0, 0, 0);
    for (args, (aws, inia)) in &all {
        let line = args.join(" ");
        let key = match args.iter().position(|a| a == "--starting-token") {
            Some(i) => format!("{} --starting-token <the AWS CLI's>", args[..i].join(" ")),
            None => line.clone(),
        };
        services.insert(args[0].clone());
        let format = args
            .iter()
            .position(|a| a == "--output")
            .and_then(|i| args.get(i + 1))
            .map_or("json", String::as_str);
        *formats.entry(format.to_string()).or_default() += 1;
        failing += usize::from(aws.code != Some(0));
        queried += usize::from(args.iter().any(|a| a == "--query"));
        paged += usize::from(
            args.iter()
                .any(|a| a.starts_with("--max-items") || a == "--page-size"),
        );
        for (part, detail) in compare(args, aws, inia) {
            let known = KNOWN.iter().any(|(c, p)| *c == key && *p == part);
            found.insert((key.clone(), part));
            if !known {
                report.push(format!("== {line} ({part:?})\n{detail}"));
            }
        }
    }
    for (command, part) in KNOWN {
        if !found.contains(&(command.to_string(), *part)) {
            report.push(format!(
                "== {command} ({part:?}): listed as a difference, but both agree"
            ));
        }
    }
    eprintln!(
        "{} commands over {} services ({} resumed from the AWS CLI's token, {} with --query, \
         {} with paging options, {} failing): formats {formats:?}; {} known differences",
        all.len(),
        services.len(),
        all.len() - listed,
        queried,
        paged,
        failing,
        KNOWN.len()
    );
    assert!(
        report.is_empty(),
        "inia and the AWS CLI differ:\n{}",
        report.join("\n")
    );
    assert!(all.len() >= 150 && services.len() >= 20);
}

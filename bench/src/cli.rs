//! The command line, process start to printed result: `sts get-caller-identity` run as a
//! new process by the `inia` release binary, by the AWS CLI v1 (`.cache/awscli-venv`, as
//! `cargo xtask test` installs it) and by curl sending the same signed request
//! (`curl --aws-sigv4 "aws:amz:us-east-1:sts" --user AK:SK -d
//! 'Action=GetCallerIdentity&Version=2011-06-15' URL`), against two local servers: moto
//! (the real thing, whose own time per request is in every figure) and nginx answering
//! one canned response (`sdk::start_nginx`), which leaves mostly the client's cost.
//!
//! Each run: wall time from spawn to the child's exit (after it printed its result), and
//! its peak RSS from `wait4`'s rusage. Every output is checked for the account id. Rounds
//! alternate the programs (inia, curl, then the AWS CLI in the first `AWS_RUNS` rounds)
//! after one warm-up run each; medians are printed.
//!
//! Owns this benchmark. Does not own the servers' launchers (`inia_test_support::Moto`,
//! `sdk::start_nginx`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "AKIDBENCH";
const SECRET: &str = "bench-secret";
const ACCOUNT: &str = "123456789012";
const RUNS: usize = 20;
const AWS_RUNS: usize = 5;

/// The release `inia`: `INIA_BIN`, else the main workspace's `target/release/inia`
/// (`cargo xtask bench` builds it first).
fn inia_binary() -> Result<PathBuf, String> {
    let path = std::env::var_os("INIA_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/inia"));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing: run `cargo build --release -p inia-cli` (cargo xtask bench does)",
            path.display()
        ))
    }
}

fn aws_binary() -> Result<PathBuf, String> {
    let path = inia_test_support::cache_dir().join("awscli-venv/bin/aws");
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing: run `cargo xtask test` once (it installs awscli=={})",
            path.display(),
            inia_test_support::AWSCLI_VERSION
        ))
    }
}

/// One program's command line, run with a clean environment.
struct Program {
    name: &'static str,
    exe: PathBuf,
    args: Vec<String>,
    runs: usize,
    wall: Vec<Duration>,
    rss_kb: Vec<u64>,
}

impl Program {
    fn command(&self, home: &Path) -> Command {
        let mut cmd = Command::new(&self.exe);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("AWS_ACCESS_KEY_ID", KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_CONFIG_FILE", home.join("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("TZ", "UTC")
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// One run: wall time spawn to exit, and peak RSS in KiB.
    fn run_once(&self, home: &Path) -> Result<(Duration, u64), String> {
        let start = Instant::now();
        let mut child = self
            .command(home)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.exe.display()))?;
        let mut out = String::new();
        let mut err = String::new();
        if let Some(mut s) = child.stdout.take() {
            s.read_to_string(&mut out)
                .map_err(|e| format!("{}: stdout: {e}", self.name))?;
        }
        if let Some(mut s) = child.stderr.take() {
            s.read_to_string(&mut err)
                .map_err(|e| format!("{}: stderr: {e}", self.name))?;
        }
        let pid = i32::try_from(child.id()).map_err(|e| e.to_string())?;
        let mut status = 0;
        // SAFETY: wait4 on the PID we spawned and have not reaped; it fills the zeroed
        // rusage we pass.
        let usage = unsafe {
            let mut u: libc::rusage = std::mem::zeroed();
            if libc::wait4(pid, &mut status, 0, &mut u) != pid {
                return Err(format!("{}: wait4 failed", self.name));
            }
            u
        };
        let wall = start.elapsed();
        if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
            return Err(format!(
                "{} failed (wait status {status}): {}",
                self.name,
                err.trim()
            ));
        }
        if !out.contains(ACCOUNT) {
            return Err(format!("{}: unexpected output: {out}", self.name));
        }
        Ok((wall, u64::try_from(usage.ru_maxrss).unwrap_or(0)))
    }
}

fn median<T: Copy + Ord>(v: &[T]) -> Option<T> {
    let mut v = v.to_vec();
    v.sort();
    v.get(v.len() / 2).copied()
}

fn programs(url: &str) -> Result<Vec<Program>, String> {
    let cli_args = |extra: &[&str]| -> Vec<String> {
        [
            "--endpoint-url",
            url,
            "--region",
            "us-east-1",
            "--output",
            "json",
        ]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
    };
    let program = |name, exe, args, runs| Program {
        name,
        exe,
        args,
        runs,
        wall: Vec::new(),
        rss_kb: Vec::new(),
    };
    Ok(vec![
        program(
            "inia",
            inia_binary()?,
            cli_args(&["sts", "get-caller-identity"]),
            RUNS,
        ),
        program(
            "curl",
            PathBuf::from("curl"),
            [
                "-sS",
                "--fail",
                "--aws-sigv4",
                "aws:amz:us-east-1:sts",
                "--user",
                &format!("{KEY}:{SECRET}"),
                "-d",
                "Action=GetCallerIdentity&Version=2011-06-15",
                url,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            RUNS,
        ),
        program(
            "aws",
            aws_binary()?,
            cli_args(&["sts", "get-caller-identity"]),
            AWS_RUNS,
        ),
    ])
}

/// Measure every program against `url`; one Markdown row.
fn measure(server: &str, url: &str, home: &Path) -> Result<(), String> {
    let mut progs = programs(url)?;
    for p in &progs {
        p.run_once(home)?;
    }
    for round in 0..RUNS.max(AWS_RUNS) {
        for p in progs.iter_mut().filter(|p| round < p.runs) {
            let (wall, rss) = p.run_once(home)?;
            p.wall.push(wall);
            p.rss_kb.push(rss);
        }
    }
    let stat = |name: &str| -> Result<(f64, f64), String> {
        let p = progs
            .iter()
            .find(|p| p.name == name)
            .ok_or("no such program")?;
        let wall = median(&p.wall).ok_or("no runs")?;
        let rss = median(&p.rss_kb).ok_or("no runs")?;
        Ok((wall.as_secs_f64() * 1e3, rss as f64 / 1024.0))
    };
    let (i_ms, i_mb) = stat("inia")?;
    let (c_ms, c_mb) = stat("curl")?;
    let (a_ms, a_mb) = stat("aws")?;
    println!(
        "| `sts get-caller-identity`, process start to exit, {server} (median of {RUNS}; AWS CLI {AWS_RUNS}) \
         | {i_ms:.1} ms, {i_mb:.1} MB peak RSS \
         | AWS CLI {}: {a_ms:.0} ms, {a_mb:.1} MB; curl: {c_ms:.1} ms, {c_mb:.1} MB \
         | 1/{:.0} of the AWS CLI (target ≤ 1/50); {:.2}x curl (target ≤ 1.5x) |",
        inia_test_support::AWSCLI_VERSION,
        a_ms / i_ms,
        i_ms / c_ms
    );
    Ok(())
}

pub fn run() -> Result<(), String> {
    let home = std::env::temp_dir().join(format!("inia-bench-cli-{}", std::process::id()));
    std::fs::create_dir_all(&home).map_err(|e| format!("{}: {e}", home.display()))?;
    let write = |name: &str, text: &str| {
        std::fs::write(home.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write("config", "[default]\ncli_timestamp_format = iso8601\n")?;
    write("credentials", "")?;
    let result = (|| {
        if !inia_test_support::Moto::executable().is_file() {
            return Err("moto is not installed: run `cargo xtask test` once".to_string());
        }
        let moto = inia_test_support::Moto::start(&[]);
        measure("local moto", &moto.endpoint(), &home)?;
        drop(moto);
        let nginx = crate::sdk::start_nginx()?;
        measure(
            "local nginx (canned response)",
            &format!("http://127.0.0.1:{}", nginx.port),
            &home,
        )
    })();
    let _ = std::fs::remove_dir_all(&home);
    result
}

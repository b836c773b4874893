//! The harness the `inia s3` comparisons with the AWS CLI share (`s3_aws_sync.rs`,
//! `s3_aws_parity.rs`): two motos of their own (`A` for the AWS CLI, `B` for inia, so
//! that each tool can change its state and be compared with the other, or one of them
//! when both tools must see the same state), one environment for both programs, and the
//! outputs made comparable: the AWS CLI's progress text (`Completed ... remaining`, which
//! it prints on stdout even when it is no terminal) dropped, each tool's working folder
//! written `<dir>`, the lines sorted (files are moved in parallel, in any order).
//!
//! Owns running the two tools the same way. Does not own what is compared (the test
//! files).

#![allow(dead_code)]

use inia::{Credentials, Session};
use inia_test_support::{aws_cli, Moto};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The two motos of one test binary: `.0` serves the AWS CLI, `.1` inia.
pub fn motos() -> &'static (Moto, Moto) {
    static PAIR: OnceLock<(Moto, Moto)> = OnceLock::new();
    PAIR.get_or_init(|| (Moto::start(&[]), Moto::start(&[])))
}

/// Which program runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Aws,
    Inia,
}

impl Tool {
    fn exe(self) -> PathBuf {
        match self {
            Tool::Aws => aws_cli(),
            Tool::Inia => PathBuf::from(env!("CARGO_BIN_EXE_inia")),
        }
    }
}

/// One run's exit code and output, made comparable (see the module doc).
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct Run {
    pub code: Option<i32>,
    pub out: Vec<String>,
    pub err: Vec<String>,
}

/// An empty HOME with a config file (SigV4 for S3 presigning, ISO timestamps) for both
/// programs, the time zone they print in, and whether the times `ls` prints are masked
/// (`<time>`: two motos stamp their objects a second apart now and then).
pub struct Env {
    home: tempfile::TempDir,
    pub tz: String,
    pub mask_times: bool,
}

impl Env {
    pub fn new() -> Env {
        let home = tempfile::tempdir().expect("home");
        std::fs::write(
            home.path().join("config"),
            "[default]\ncli_timestamp_format = iso8601\ns3 =\n    signature_version = s3v4\n",
        )
        .expect("config");
        std::fs::write(home.path().join("credentials"), "").expect("credentials");
        Env {
            home,
            tz: "UTC".into(),
            mask_times: true,
        }
    }

    pub fn command(&self, tool: Tool, endpoint: &str, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(tool.exe());
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("AWS_CONFIG_FILE", self.home.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home.path().join("credentials"),
            )
            .env("AWS_ACCESS_KEY_ID", "AKIDS3CMD")
            .env("AWS_SECRET_ACCESS_KEY", "s3cmd-secret")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("TZ", &self.tz)
            .current_dir(dir)
            .args(["--endpoint-url", endpoint])
            .args(args);
        cmd
    }

    /// Run `tool args...` in `dir` against `endpoint`, `input` on stdin.
    pub fn run(
        &self,
        tool: Tool,
        endpoint: &str,
        dir: &Path,
        args: &[&str],
        input: Option<&[u8]>,
    ) -> Run {
        use std::io::Write;
        let mut child = self
            .command(tool, endpoint, dir, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {tool:?}: {e}"));
        let mut stdin = child.stdin.take().expect("stdin");
        let input = input.unwrap_or_default().to_vec();
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output().expect("wait");
        feeder.join().expect("feeder");
        let shown_dir = dir.display().to_string();
        let mut run = Run {
            code: out.status.code(),
            out: lines(&out.stdout, &shown_dir, self.mask_times),
            err: lines(&out.stderr, &shown_dir, false),
        };
        if tool == Tool::Aws {
            // The one place the AWS CLI names itself in a line both print.
            for l in run.err.iter_mut() {
                *l = l.replace("See aws s3 ", "See inia s3 ");
            }
        }
        run
    }

    /// stdout of a run that must succeed.
    pub fn ok(&self, tool: Tool, endpoint: &str, dir: &Path, args: &[&str]) -> Vec<String> {
        let r = self.run(tool, endpoint, dir, args, None);
        assert_eq!(r.code, Some(0), "{tool:?} {args:?}: {r:?}");
        r.out
    }
}

/// The lines of an output: the last `\r` segment of each (the AWS CLI's progress text
/// is overwritten by the line that follows it), trailing blanks and progress lines
/// dropped, the working folder as `<dir>`, a leading `2026-01-02 03:04:05` as `<time>`
/// when `mask` says so, sorted.
fn lines(bytes: &[u8], dir: &str, mask: bool) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out: Vec<String> = text
        .split('\n')
        .map(|l| l.rsplit('\r').next().unwrap_or(l).trim_end())
        .filter(|l| !l.is_empty() && !l.starts_with("Completed "))
        .map(|l| l.replace(dir, "<dir>"))
        .map(|l| if mask { masked(&l) } else { l })
        .collect();
    out.sort();
    out
}

/// A line starting with a `YYYY-MM-DD HH:MM:SS` time, that time as `<time>`.
fn masked(line: &str) -> String {
    let shape = b"dddd-dd-dd dd:dd:dd";
    let b = line.as_bytes();
    let timed = b.len() >= shape.len()
        && shape.iter().zip(b).all(|(s, c)| match s {
            b'd' => c.is_ascii_digit(),
            other => other == c,
        });
    if timed {
        format!("<time>{}", &line[shape.len()..])
    } else {
        line.to_string()
    }
}

/// An S3 client of the library for `moto`, to seed and check state.
pub fn s3(moto: &Moto) -> inia::Client {
    Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials(Credentials::new(
            "AKIDS3CMD",
            "s3cmd-secret",
            None,
            None,
            "test",
        ))
        .env(inia::auth::config::Env::empty())
        .build()
        .expect("session")
        .client("s3")
        .expect("s3 client")
}

/// Write `files` (relative path, contents) under `dir`, each an hour old, so that a
/// sync right after an upload is not fooled by a file changed in the upload's second.
pub fn write_tree(dir: &Path, files: &[(&str, &str)]) {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for (rel, body) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, body).expect("write");
        let f = std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("open");
        f.set_modified(hour_ago).expect("set time");
    }
}

/// A file's modification time in whole seconds since the epoch.
pub fn mtime(path: &Path) -> i64 {
    let m = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("mtime");
    m.duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// The differences of two runs of one case, as lines for a failure message.
pub fn differences(case: &str, aws: &Run, inia: &Run) -> Option<String> {
    (aws != inia).then(|| {
        format!(
            "== {case}\n-- AWS CLI: exit {:?}\n   out: {:#?}\n   err: {:#?}\n-- inia: exit {:?}\n   out: {:#?}\n   err: {:#?}",
            aws.code, aws.out, aws.err, inia.code, inia.out, inia.err
        )
    })
}

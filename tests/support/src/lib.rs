//! Real servers for end-to-end tests, started on 127.0.0.1 with their own PID and stopped
//! when dropped: moto (here), tinyproxy (`tinyproxy`), Azurite (`azurite`), s3rver
//! (`s3rver`), rclone's S3 server (`rclone`), a fault-injecting proxy (`fault_proxy`)
//! and TLS in front of any of them (`tls_front`). Installation is the test command's job
//! (`cargo xtask test` installs the pinned moto into `.cache/moto-venv`, rclone into
//! `.cache/rclone-venv`, the Node servers into `.cache/node`, tinyproxy with `apt-get`);
//! a test that cannot find a server fails with the command that installs it, rather than
//! passing silently.
//!
//! **Ports.** Where a server can bind port 0 and say which port it got, it does, and the
//! port is read back from its output: moto (werkzeug prints `Running on
//! http://127.0.0.1:PORT`), Azurite (`successfully listens on http://127.0.0.1:PORT`),
//! s3rver (`S3rver listening on 127.0.0.1:PORT`) and rclone (`Starting s3 server on
//! [http://127.0.0.1:PORT/]`). tinyproxy refuses `Port 0`, so it gets a
//! port from [`free_port`] (bound and released) and is started again on a fresh port when
//! it exits without listening (a bind collision), at most five times. The fault proxy binds
//! port 0 itself.
//!
//! **One moto per test binary.** [`Moto::shared`] starts moto once per process; tests that
//! share it use unique names (buckets, queues, users) and never reset it. A test that needs
//! special environment or a clean server calls [`Moto::start`] for its own.
//!
//! **No orphans.** Every server is spawned from one long-lived thread with
//! `PR_SET_PDEATHSIG(SIGKILL)` ([`spawn_tied`]), so it dies with the test process even when
//! it lives in a `static` (never dropped) or the test binary is killed.
//!
//! Owns starting, waiting for and stopping servers. Does not own any assertion.

mod awscli;
pub mod azurite;
mod fault_proxy;
pub mod rclone;
pub mod s3rver;
mod tinyproxy;
pub mod tls_front;

pub use awscli::{aws_cli, AWSCLI_VERSION};
pub use fault_proxy::{Fault, FaultProxy};
pub use tinyproxy::{tinyproxy_path, Tinyproxy};

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The pinned moto release.
pub const MOTO_VERSION: &str = "5.2.5";

/// `<workspace>/.cache`.
pub fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache")
}

/// The digest of `text` in hex as a system tool computes it (`sha1sum`, `sha256sum`): the
/// tests' own source for the cache file names the code under test also computes.
pub fn digest_hex(tool: &str, text: &str) -> String {
    use std::io::Write;
    let mut child = Command::new(tool)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(text.as_bytes())
            .expect("write to the digest tool");
    }
    let out = child.wait_with_output().expect("the digest tool's output");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The checksums of `data` by `alg` (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`,
/// `SHA512`, `XXHASH64`, `XXHASH3`, `XXHASH128`) as Python computes them (zlib, hashlib,
/// and the AWS CRT from the pinned botocore venv):
/// the whole object's, and the composite of parts of `part` bytes (`<base64>-<parts>`,
/// S3's multipart form). The tests' own source for checksums the code under test computes.
pub fn python_checksums(alg: &str, data: &[u8], part: usize) -> (String, String) {
    const SCRIPT: &str = r#"
import base64, hashlib, sys, zlib
from awscrt import checksums
def raw(alg, data):
    if alg == "CRC32": return zlib.crc32(data).to_bytes(4, "big")
    if alg == "CRC32C": return checksums.crc32c(data).to_bytes(4, "big")
    if alg == "CRC64NVME": return checksums.crc64nvme(data).to_bytes(8, "big")
    if alg.startswith("XXHASH"):
        new = {"XXHASH64": checksums.XXHash.new_xxhash64, "XXHASH3": checksums.XXHash.new_xxhash3_64,
               "XXHASH128": checksums.XXHash.new_xxhash3_128}[alg]
        h = new()
        h.update(data)
        return h.finalize()
    return hashlib.new(alg.lower(), data).digest()
alg, part = sys.argv[1], int(sys.argv[2])
data = sys.stdin.buffer.read()
whole = base64.b64encode(raw(alg, data)).decode()
parts = [data[i:i + part] for i in range(0, len(data), part)]
joined = b"".join(raw(alg, p) for p in parts)
print(whole, base64.b64encode(raw(alg, joined)).decode() + "-%d" % len(parts))
"#;
    use std::io::Write;
    let python = cache_dir().join("botocore-venv/bin/python");
    let mut child = Command::new(&python)
        .args(["-c", SCRIPT, alg, &part.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (`cargo xtask test` installs the botocore venv)",
                python.display()
            )
        });
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(data).expect("write to python");
    }
    let out = child.wait_with_output().expect("python's output");
    assert!(
        out.status.success(),
        "python: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let (whole, composite) = text.trim().split_once(' ').expect("two checksums");
    (whole.to_string(), composite.to_string())
}

/// The digest of the file at `path` in hex as a system tool computes it (`md5sum`,
/// `sha256sum`): for comparing what a server stored, or what a test uploaded, with a
/// source independent of the code under test.
pub fn file_digest_hex(tool: &str, path: &Path) -> String {
    let out = Command::new(tool)
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// A TCP port on 127.0.0.1 that nothing listened on a moment ago (bound and released).
/// Another process may take it before it is used: good for "nothing listens here" tests
/// and for tinyproxy's start (which retries), not for servers that can bind port 0.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// The sockets this process holds open (entries of `/proc/self/fd` that are sockets;
/// 0 where there is no `/proc`), for tests and benchmarks that bound them.
pub fn open_sockets() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    std::fs::read_link(e.path())
                        .is_ok_and(|l| l.to_string_lossy().starts_with("socket:"))
                })
                .count()
        })
        .unwrap_or(0)
}

/// Wait until `127.0.0.1:port` accepts connections, at most `limit`.
pub fn wait_for_port(port: u16, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
            .is_ok()
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// The port in `text` right after the first `marker` (`"127.0.0.1:"` in
/// `Running on http://127.0.0.1:40123`).
pub fn port_after(text: &str, marker: &str) -> Option<u16> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok().filter(|p| *p != 0)
}

/// Poll `read()` (a server's output so far) until [`port_after`] finds the port the server
/// reports, at most `limit`; `None` when the child exits first or time runs out.
pub fn wait_for_reported_port(
    child: &mut Child,
    marker: &str,
    limit: Duration,
    read: impl Fn() -> String,
) -> Option<u16> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(port) = port_after(&read(), marker) {
            return Some(port);
        }
        if matches!(child.try_wait(), Ok(Some(_))) {
            return port_after(&read(), marker);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// Start `cmd`, a server told to bind port 0, tied to this process ([`spawn_tied`]) with
/// its standard output and error in the file `log`; wait (at most 30 s) for the port it
/// reports after `marker`, then (10 s) until the port accepts connections. Panics naming
/// `name`, with the server's output, when it does not come up.
pub fn start_logged(name: &str, mut cmd: Command, log: &Path, marker: &str) -> (Child, u16) {
    let out = std::fs::File::create(log)
        .unwrap_or_else(|e| panic!("{name}'s log file {}: {e}", log.display()));
    let err = out
        .try_clone()
        .unwrap_or_else(|e| panic!("{name}'s log file {}: {e}", log.display()));
    cmd.stdin(Stdio::null()).stdout(out).stderr(err);
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = spawn_tied(cmd).unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    let output = || std::fs::read_to_string(log).unwrap_or_default();
    let reported = wait_for_reported_port(&mut child, marker, Duration::from_secs(30), output);
    let Some(port) = reported else {
        let status = child.try_wait().ok().flatten();
        let _ = child.kill();
        panic!(
            "{name} did not report a port within 30 s (exit status: {status:?}); its output:\n{}",
            output()
        );
    };
    if !wait_for_port(port, Duration::from_secs(10)) {
        let _ = child.kill();
        panic!(
            "{name} reported port {port} but does not accept connections: {}",
            output()
        );
    }
    (child, port)
}

type SpawnRequest = (Command, mpsc::Sender<std::io::Result<Child>>);

/// Spawn `cmd` so that it is killed (`SIGKILL`) when this process ends, however it ends.
///
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child exits, and test threads
/// end with their test; so every spawn happens on one thread that lives as long as the
/// process.
pub fn spawn_tied(cmd: Command) -> std::io::Result<Child> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("inia-test-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    tie_to_parent(&mut cmd);
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("a thread to start test servers from");
        Mutex::new(tx)
    });
    let (reply_tx, reply_rx) = mpsc::channel();
    spawner
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send((cmd, reply_tx))
        .map_err(|_| std::io::Error::other("the test-server spawner thread is gone"))?;
    reply_rx
        .recv()
        .map_err(|_| std::io::Error::other("the test-server spawner thread is gone"))?
}

#[cfg(target_os = "linux")]
fn tie_to_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: between fork and exec only async-signal-safe calls are made (prctl, getppid,
    // _exit), touching no memory shared with other threads.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before prctl: then nobody would send the signal.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn tie_to_parent(_cmd: &mut Command) {}

/// A running moto server.
pub struct Moto {
    child: Child,
    pub port: u16,
    /// moto's last lines of output (werkzeug logs each request to stderr).
    output: Arc<Mutex<VecDeque<String>>>,
}

impl Moto {
    /// The moto_server executable installed by `cargo xtask test`.
    pub fn executable() -> PathBuf {
        cache_dir().join("moto-venv/bin/moto_server")
    }

    /// The moto shared by every test of this test binary: started on first use, never
    /// reset, killed when the process ends. Tests that share it must use names no other
    /// test of the binary uses (they run in parallel threads).
    pub fn shared() -> &'static Moto {
        static SHARED: OnceLock<Moto> = OnceLock::new();
        SHARED.get_or_init(|| Moto::start(&[]))
    }

    /// Start a moto of its own on a port it chooses, with the given extra environment
    /// (e.g. `INITIAL_NO_AUTH_ACTION_COUNT`). Panics with the install command when moto is
    /// absent, or with its output when it does not come up within 30 s.
    pub fn start(env: &[(&str, &str)]) -> Moto {
        let exe = Moto::executable();
        assert!(
            exe.is_file(),
            "moto is not installed at {}: run `cargo xtask test` (or `python3 -m venv .cache/moto-venv && \
             .cache/moto-venv/bin/pip install 'moto[server]=={MOTO_VERSION}'`)",
            exe.display()
        );
        let mut cmd = Command::new(&exe);
        cmd.args(["-H", "127.0.0.1", "-p", "0"])
            .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child =
            spawn_tied(cmd).unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
        let output = Arc::new(Mutex::new(VecDeque::new()));
        let (port_tx, port_rx) = mpsc::channel();
        if let Some(stderr) = child.stderr.take() {
            let output = output.clone();
            // Reads until moto exits: werkzeug would block on a full pipe otherwise.
            std::thread::spawn(move || {
                let mut port_tx = Some(port_tx);
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if let Some(port) = port_after(&line, "Running on http://127.0.0.1:") {
                        if let Some(tx) = port_tx.take() {
                            let _ = tx.send(port);
                        }
                    }
                    let mut kept = output.lock().unwrap_or_else(|e| e.into_inner());
                    if kept.len() == 50 {
                        kept.pop_front();
                    }
                    kept.push_back(line);
                }
            });
        }
        let mut moto = Moto {
            child,
            port: 0,
            output,
        };
        match port_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(port) => moto.port = port,
            Err(_) => {
                let status = moto.child.try_wait().ok().flatten();
                panic!(
                    "moto did not report a port within 30 s (exit status: {status:?}); its output:\n{}",
                    moto.output()
                );
            }
        }
        assert!(
            wait_for_port(moto.port, Duration::from_secs(10)),
            "moto reported port {} but does not accept connections; its output:\n{}",
            moto.port,
            moto.output()
        );
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// moto's last lines of output.
    pub fn output(&self) -> String {
        let kept = self.output.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// `POST /moto-api/reset`: forget all state. Only for a moto of one's own
    /// ([`Moto::start`]): on [`Moto::shared`] it would wipe what parallel tests made.
    pub fn reset(&self) {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = s.write_all(b"POST /moto-api/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf);
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

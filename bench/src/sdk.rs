//! Sequential STS GetCallerIdentity calls per second, and the client's CPU time per call,
//! for inia's engine and for the official Rust SDK (`aws-sdk-sts` with `aws-config`) in the
//! same run, against the same local server: nginx, started here from a generated
//! configuration on a free 127.0.0.1 port, answering every request with one canned
//! `GetCallerIdentityResponse` (Content-Type `text/xml`), and stopped by its PID at the end.
//!
//! Both clients: region us-east-1, static credentials, the endpoint URL overridden to
//! nginx, SigV4-signed, response parsed (the account is checked), one call at a time, each
//! on its own thread (`bench-inia`, `bench-sdk`: `perf report --comm` tells them apart)
//! with its own current-thread tokio runtime. Rounds alternate between the two (never at
//! the same time); medians are printed.
//! CPU is this process's user + system time (`getrusage`), so nginx's own work is not
//! counted.
//!
//! Owns this benchmark and the nginx it starts. Needs nginx (`apt-get install -y nginx`).

use std::future::Future;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const ACCOUNT: &str = "123456789012";
const RESPONSE: &str = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/bench</Arn><UserId>AIDAEXAMPLEUSERID</UserId>\
<Account>123456789012</Account></GetCallerIdentityResult>\
<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>\
</GetCallerIdentityResponse>";
const KEY: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// nginx's counters (connections accepted), for checking that both clients keep theirs.
const STATUS_PATH: &str = "/inia-bench-nginx-status";
/// Calls per round, rounds per client.
const CALLS: u32 = 2_000;
const ROUNDS: usize = 7;

/// nginx in the foreground (`daemon off`, one process), killed on drop.
pub(crate) struct Nginx {
    child: Child,
    pub(crate) port: u16,
    dir: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM by PID, then (bounded wait) SIGKILL.
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) with a PID we spawned and have not reaped yet.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        for _ in 0..40 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn nginx_path() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("nginx"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/sbin/nginx")])
        .find(|p| p.is_file())
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

pub(crate) fn start_nginx() -> Result<Nginx, String> {
    start_nginx_with(256)
}

/// nginx as [`start_nginx`] starts it, accepting up to `connections` at once.
pub(crate) fn start_nginx_with(connections: u32) -> Result<Nginx, String> {
    let binary = nginx_path().ok_or("nginx is not installed (apt-get install -y nginx)")?;
    let dir = std::env::temp_dir().join(format!("inia-bench-nginx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let port = free_port()?;
    let d = dir.display();
    let config = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
         error_log {d}/error.log warn;\nevents {{ worker_connections {connections}; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         keepalive_requests 1000000;\n  keepalive_timeout 300s;\n\
         server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      default_type text/xml;\n\
         return 200 '{RESPONSE}';\n    }}\n    location = {STATUS_PATH} {{ stub_status; }}\n  }}\n}}\n"
    );
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, config).map_err(|e| format!("{}: {e}", conf.display()))?;
    let child = Command::new(&binary)
        .arg("-p")
        .arg(&dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(&conf)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let mut nginx = Nginx { child, port, dir };
    // Up to 5 s for it to listen.
    for _ in 0..100 {
        if let Ok(Some(status)) = nginx.child.try_wait() {
            let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default();
            return Err(format!("nginx exited ({status}): {log}"));
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(nginx);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "nginx did not listen on 127.0.0.1:{port} within 5 s"
    ))
}

/// Connections nginx has accepted so far (this probe's own included).
fn accepted(port: u16) -> Result<u64, String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    write!(s, "GET {STATUS_PATH} HTTP/1.0\r\n\r\n").map_err(|e| e.to_string())?;
    let mut text = String::new();
    s.read_to_string(&mut text).map_err(|e| e.to_string())?;
    // "... server accepts handled requests\n A H R"
    text.lines()
        .skip_while(|l| !l.contains("accepts"))
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("unexpected nginx status: {text}"))
}

/// This process's CPU time so far (user + system, all threads).
fn cpu_time() -> Duration {
    // SAFETY: getrusage fills the zeroed struct we pass; RUSAGE_SELF is always valid.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

#[derive(Clone, Copy)]
struct Sample {
    calls_per_s: f64,
    cpu_us_per_call: f64,
}

/// `CALLS` sequential calls of `call`.
async fn round<F, Fut>(mut call: F) -> Result<Sample, String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let (cpu0, t0) = (cpu_time(), Instant::now());
    for _ in 0..CALLS {
        call().await?;
    }
    let (wall, cpu) = (t0.elapsed(), cpu_time().saturating_sub(cpu0));
    Ok(Sample {
        calls_per_s: f64::from(CALLS) / wall.as_secs_f64(),
        cpu_us_per_call: cpu.as_secs_f64() * 1e6 / f64::from(CALLS),
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

pub(crate) async fn inia_client(url: String) -> Result<inia::Client, String> {
    let mut http = inia::connection::HttpConfig::default();
    http.proxy = inia::connection::ProxyConfig::Disabled;
    let session = inia::Session::builder()
        .region("us-east-1")
        .endpoint_url(url)
        .credentials(inia::Credentials::new(KEY, SECRET, None, None, "bench"))
        .http_config(http)
        .env(inia::auth::config::Env::empty())
        .build()
        .map_err(|e| e.to_string())?;
    session.client("sts").map_err(|e| e.to_string())
}

pub(crate) async fn inia_call(client: inia::Client) -> Result<(), String> {
    let out = client
        .call("GetCallerIdentity", inia::json!({}))
        .await
        .map_err(|e| format!("inia: {e}"))?;
    if out["Account"] != ACCOUNT {
        return Err(format!("inia: unexpected answer {out}"));
    }
    Ok(())
}

pub(crate) async fn sdk_client(url: String) -> Result<aws_sdk_sts::Client, String> {
    let credentials = aws_sdk_sts::config::Credentials::new(KEY, SECRET, None, None, "bench");
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(credentials)
        .endpoint_url(url)
        .load()
        .await;
    Ok(aws_sdk_sts::Client::new(&config))
}

pub(crate) async fn sdk_call(client: aws_sdk_sts::Client) -> Result<(), String> {
    let out = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| format!("aws-sdk-sts: {e:?}"))?;
    if out.account() != Some(ACCOUNT) {
        return Err(format!("aws-sdk-sts: unexpected answer {out:?}"));
    }
    Ok(())
}

/// One client on a thread of its own (named, so that `perf report --comm bench-inia`
/// separates the two), with its own current-thread runtime; it runs a round when told.
struct Worker {
    go: mpsc::Sender<()>,
    done: mpsc::Receiver<Result<Sample, String>>,
}

impl Worker {
    /// Starts the thread, makes the client and warms it up (connection open, first-call
    /// costs paid).
    fn start<C, M, MF, K, KF>(name: &str, make: M, call: K) -> Result<Worker, String>
    where
        C: Clone,
        M: FnOnce() -> MF + Send + 'static,
        MF: Future<Output = Result<C, String>>,
        K: Fn(C) -> KF + Send + 'static,
        KF: Future<Output = Result<(), String>>,
    {
        let (go, go_rx) = mpsc::channel::<()>();
        let (done_tx, done) = mpsc::channel();
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => return drop(done_tx.send(Err(format!("tokio runtime: {e}")))),
                };
                runtime.block_on(async move {
                    let warm = async {
                        let client = make().await?;
                        for _ in 0..200 {
                            call(client.clone()).await?;
                        }
                        Ok::<_, String>(client)
                    };
                    let client = match warm.await {
                        Ok(c) => c,
                        Err(e) => return drop(done_tx.send(Err(e))),
                    };
                    let _ = done_tx.send(Ok(Sample {
                        calls_per_s: 0.0,
                        cpu_us_per_call: 0.0,
                    }));
                    // Ends when the main thread drops its sender.
                    while go_rx.recv().is_ok() {
                        let sample = round(|| call(client.clone())).await;
                        if done_tx.send(sample).is_err() {
                            return;
                        }
                    }
                });
            })
            .map_err(|e| format!("thread: {e}"))?;
        let worker = Worker { go, done };
        worker.wait()?;
        Ok(worker)
    }

    fn wait(&self) -> Result<Sample, String> {
        self.done
            .recv()
            .map_err(|_| "a bench thread stopped".to_string())?
    }

    fn round(&self) -> Result<Sample, String> {
        self.go
            .send(())
            .map_err(|_| "a bench thread stopped".to_string())?;
        self.wait()
    }
}

pub fn run() -> Result<(), String> {
    let nginx = start_nginx()?;
    let port = nginx.port;
    let url = format!("http://127.0.0.1:{port}");
    let (u1, u2) = (url.clone(), url);
    let inia_worker = Worker::start("bench-inia", move || inia_client(u1), inia_call)?;
    let sdk_worker = Worker::start("bench-sdk", move || sdk_client(u2), sdk_call)?;
    let (mut inia, mut sdk) = (Vec::new(), Vec::new());
    // New connections each client opened during its rounds: both should keep one.
    let (mut conns_inia, mut conns_sdk) = (0, 0);
    for _ in 0..ROUNDS {
        let before = accepted(port)?;
        inia.push(inia_worker.round()?);
        let middle = accepted(port)?;
        sdk.push(sdk_worker.round()?);
        let after = accepted(port)?;
        conns_inia += middle.saturating_sub(before + 1);
        conns_sdk += after.saturating_sub(middle + 1);
    }
    if conns_inia > 2 || conns_sdk > 2 {
        return Err(format!(
            "a client did not keep its connection (new connections: inia {conns_inia}, sdk {conns_sdk})"
        ));
    }
    drop((inia_worker, sdk_worker));
    drop(nginx);
    let summary = |v: &[Sample]| {
        (
            median(v.iter().map(|s| s.calls_per_s).collect()),
            median(v.iter().map(|s| s.cpu_us_per_call).collect()),
        )
    };
    let ((i_rate, i_cpu), (s_rate, s_cpu)) = (summary(&inia), summary(&sdk));
    println!(
        "| STS GetCallerIdentity, sequential calls to a local nginx (signed, parsed; current-thread runtime) \
         | {i_rate:.0} calls/s, {i_cpu:.1} µs CPU/call | aws-sdk-sts 1.x: {s_rate:.0} calls/s, {s_cpu:.1} µs CPU/call \
         | {:.2}x calls/s, {:.2}x less CPU |",
        i_rate / s_rate,
        s_cpu / i_cpu
    );
    Ok(())
}

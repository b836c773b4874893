//! The engine through a real HTTP proxy: Debian's tinyproxy with Basic authentication, in
//! front of moto, both on 127.0.0.1. A plain-HTTP STS call goes through the proxy (its log
//! shows the forwarded request) and succeeds; `NO_PROXY` sends it direct (the log stays
//! empty); a wrong proxy password is a clear transport error.
//!
//! HTTPS through a `CONNECT` tunnel is covered by inia-http's own proxy tests and not
//! repeated here. tinyproxy is installed by `cargo xtask test`: under `CI` its absence
//! fails the test; elsewhere the test is skipped with a printed reason.
//!
//! Owns these end-to-end checks and the tinyproxy start-up they need (the same approach
//! as inia-http's test support, kept separate on purpose). Every wait is bounded.

use inia::auth::config::Env;
use inia::connection::{HttpConfig, HttpError, ProxyConfig};
use inia::retry::RetryConfig;
use inia::{json, Credentials, Error, Session};
use inia_test_support::{free_port, Moto};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const USER: &str = "inia";
const PASSWORD: &str = "pr0xy-s3cret";

/// Where tinyproxy is: on `PATH`, or where Debian puts it.
fn tinyproxy_path() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("tinyproxy"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([
            PathBuf::from("/usr/bin/tinyproxy"),
            PathBuf::from("/usr/sbin/tinyproxy"),
        ])
        .find(|p| p.is_file())
}

/// A tinyproxy process on 127.0.0.1 with Basic authentication, killed on drop.
struct Tinyproxy {
    port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Tinyproxy {
    /// Starts tinyproxy, or returns `None` (after printing why) when it is not installed
    /// outside CI.
    async fn start() -> Option<Tinyproxy> {
        let Some(binary) = tinyproxy_path() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "tinyproxy is not installed; `cargo xtask test` installs it (apt-get install -y tinyproxy)"
            );
            eprintln!("SKIPPED: tinyproxy is not installed (apt-get install -y tinyproxy)");
            return None;
        };
        // A free port may be taken between our probe and tinyproxy's bind: try a few.
        for _ in 0..5 {
            let port = free_port();
            let dir = tempfile::tempdir().unwrap();
            let config = format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\nAllow 127.0.0.1\n\
                 BasicAuth {USER} {PASSWORD}\nLogLevel Info\nLogFile \"{}\"\n",
                dir.path().join("tinyproxy.log").display()
            );
            let config_path = dir.path().join("tinyproxy.conf");
            std::fs::write(&config_path, config).unwrap();
            let child = Command::new(&binary)
                .arg("-d")
                .arg("-c")
                .arg(&config_path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("tinyproxy is installed but cannot be started");
            let mut proxy = Tinyproxy { port, dir, child };
            // Up to 5 s for it to listen.
            for _ in 0..100 {
                if let Ok(Some(_)) = proxy.child.try_wait() {
                    break;
                }
                if tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_ok()
                {
                    return Some(proxy);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            eprintln!("tinyproxy did not listen on {port}; log: {}", proxy.log());
        }
        panic!("tinyproxy could not be started");
    }

    fn url_with(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("tinyproxy.log")).unwrap_or_default()
    }

    /// The request lines tinyproxy logged (`POST http://127.0.0.1:port/ HTTP/1.1`).
    fn requests(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter(|l| l.contains("Request (file descriptor"))
            .filter_map(|l| l.split_once("): ").map(|(_, r)| r.to_string()))
            .collect()
    }

    /// tinyproxy writes its log as it goes: wait (bounded) for a request line with `needle`.
    async fn wait_for_request(&self, needle: &str) -> bool {
        for _ in 0..40 {
            if self.requests().iter().any(|r| r.contains(needle)) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }
}

fn session(endpoint: &str, proxy: ProxyConfig) -> Session {
    let mut http = HttpConfig::default();
    http.proxy = proxy;
    http.connect_timeout = Duration::from_secs(2);
    http.read_timeout = Duration::from_secs(20);
    Session::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(Credentials::new(
            "AKIDTEST",
            "secret-test",
            None,
            None,
            "test",
        ))
        .http_config(http)
        .env(Env::empty())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sts_goes_through_the_proxy_unless_no_proxy_says_otherwise() {
    let Some(proxy) = Tinyproxy::start().await else {
        return;
    };
    let moto = Moto::start(&[]);
    let endpoint = moto.endpoint();

    // Through the proxy, authenticated.
    let via_proxy = ProxyConfig::all(proxy.url_with(USER, PASSWORD));
    let who = session(&endpoint, via_proxy.clone())
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap();
    assert!(
        who["Account"].as_str().is_some_and(|a| a.len() == 12),
        "{who}"
    );
    assert!(
        proxy
            .wait_for_request(&format!("POST {endpoint}/ HTTP/1.1"))
            .await,
        "tinyproxy should have forwarded the call: {}",
        proxy.log()
    );
    assert!(!proxy.log().contains(PASSWORD), "{}", proxy.log());

    // NO_PROXY names the target: direct, and the proxy sees nothing.
    let Some(untouched) = Tinyproxy::start().await else {
        return;
    };
    let direct = ProxyConfig::all(untouched.url_with(USER, PASSWORD)).with_no_proxy("127.0.0.1");
    let who = session(&endpoint, direct)
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap();
    assert!(who["Account"].is_string(), "{who}");
    // Give a (wrongly) proxied request time to show in the log before concluding.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        untouched.requests().is_empty(),
        "NO_PROXY=127.0.0.1 should bypass the proxy: {}",
        untouched.log()
    );
}

#[tokio::test]
async fn a_wrong_proxy_password_is_a_clear_error() {
    let Some(proxy) = Tinyproxy::start().await else {
        return;
    };
    // The proxy refuses before forwarding anything: no origin is needed behind it.
    let endpoint = format!("http://127.0.0.1:{}", free_port());
    let wrong = ProxyConfig::all(proxy.url_with(USER, "not-the-password"));
    let s = Session::builder()
        .region("us-east-1")
        .endpoint_url(&endpoint)
        .credentials(Credentials::new(
            "AKIDTEST",
            "secret-test",
            None,
            None,
            "test",
        ))
        .http_config({
            let mut http = HttpConfig::default();
            http.proxy = wrong;
            http
        })
        .retry(RetryConfig::default())
        .env(Env::empty())
        .build()
        .unwrap();
    let err = s
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport(HttpError::ProxyAuthRequired { .. })),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains(&format!("proxy 127.0.0.1:{}", proxy.port))
            && text.contains("rejected the proxy credentials"),
        "{text}"
    );
    assert!(!text.contains("not-the-password"), "{text}");
}

//! The session's clock, end to end: requests are signed at its time, and the credentials
//! it fetched are refreshed when its time reaches their refresh window, not the system's.
//! The clock is moved by hand, so nothing here waits; the credentials come from a real
//! `credential_process` (a shell script that counts its runs) named by a config file, and
//! the calls go to `fault_server` on 127.0.0.1, which records what it received.
//!
//! Owns those assertions. Does not own the refresh windows' unit tests
//! (`inia-auth`'s `provider/cache.rs`) or the retry pauses (`faults.rs`).

use inia::auth::config::Env;
use inia::connection::{HttpConfig, ProxyConfig};
use inia::time::Clock;
use inia::{json, Session};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

mod fault_server;
use fault_server::*;

/// A clock that shows what the test sets.
#[derive(Debug)]
struct HandClock(Mutex<SystemTime>);

impl HandClock {
    fn at(rfc3339: &str) -> Arc<HandClock> {
        Arc::new(HandClock(Mutex::new(time(rfc3339))))
    }

    fn set(&self, rfc3339: &str) {
        *self.0.lock().unwrap() = time(rfc3339);
    }
}

impl Clock for HandClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

fn time(rfc3339: &str) -> SystemTime {
    let secs = chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp();
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs as u64)
}

fn session(server: &FaultServer, env: Env, clock: Arc<HandClock>) -> Session {
    let mut http = HttpConfig::default();
    http.proxy = ProxyConfig::Disabled;
    Session::builder()
        .region("us-east-1")
        .endpoint_url(server.url())
        .http_config(http)
        .env(env)
        .clock(clock)
        .sleep(server.pauses.clone())
        .build()
        .unwrap()
}

/// The `Credential=` and `x-amz-date` of each request the server saw.
fn signed_as(server: &FaultServer) -> Vec<(String, String)> {
    server
        .seen()
        .iter()
        .map(|s| {
            let header = |name: &str| s.header(name).unwrap_or_default();
            let auth = header("authorization");
            let credential = auth
                .split("Credential=")
                .nth(1)
                .and_then(|c| c.split(',').next())
                .unwrap_or_default()
                .to_string();
            (credential, header("x-amz-date"))
        })
        .collect()
}

/// A profile whose `credential_process` prints `creds.json` and counts its runs.
fn process_profile(dir: &Path) -> Env {
    let script = dir.join("creds.sh");
    std::fs::write(
        &script,
        format!(
            "echo run >> '{d}/runs'\ncat '{d}/creds.json'\n",
            d = dir.display()
        ),
    )
    .unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        format!("[default]\ncredential_process = sh {}\n", script.display()),
    )
    .unwrap();
    Env::from_vars([
        ("AWS_CONFIG_FILE".to_string(), config.display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_string(),
            dir.join("none").display().to_string(),
        ),
    ])
}

fn write_creds(dir: &Path, key: &str, expiration: &str) {
    let doc = json!({"Version": 1, "AccessKeyId": key, "SecretAccessKey": "s",
        "SessionToken": "t", "Expiration": expiration});
    std::fs::write(dir.join("creds.json"), doc.to_string()).unwrap();
}

fn runs(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("runs"))
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

#[tokio::test]
async fn requests_are_signed_at_the_sessions_time() {
    let server = FaultServer::start(vec![respond(200, WHO)]).await;
    let dir = tempfile::tempdir().unwrap();
    write_creds(dir.path(), "AKIDCLOCK", "2030-01-02T05:00:00Z");
    let clock = HandClock::at("2030-01-02T03:04:05Z");
    let sts = session(&server, process_profile(dir.path()), clock)
        .client("sts")
        .unwrap();
    sts.call("GetCallerIdentity", json!({})).await.unwrap();
    assert_eq!(
        signed_as(&server),
        [(
            "AKIDCLOCK/20300102/us-east-1/sts/aws4_request".to_string(),
            "20300102T030405Z".to_string()
        )]
    );
}

#[tokio::test]
async fn credentials_are_refreshed_when_the_sessions_clock_reaches_their_window() {
    let server = FaultServer::start(vec![respond(200, WHO); 5]).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_creds(d, "AKIDFIRST", "2030-01-02T04:00:00Z");
    let clock = HandClock::at("2030-01-02T03:00:00Z");
    let sts = session(&server, process_profile(d), clock.clone())
        .client("sts")
        .unwrap();
    let call = || sts.call("GetCallerIdentity", json!({}));

    // An hour before expiry: fetched once, then cached.
    call().await.unwrap();
    call().await.unwrap();
    assert_eq!(runs(d), 1);

    // 16 minutes before: outside the advisory window (15 min), still cached.
    clock.set("2030-01-02T03:44:00Z");
    call().await.unwrap();
    assert_eq!(runs(d), 1);

    // 9 minutes before: inside the mandatory window (10 min), so the process runs again
    // and its new keys sign the call.
    write_creds(d, "AKIDSECOND", "2030-01-02T05:00:00Z");
    clock.set("2030-01-02T03:51:00Z");
    call().await.unwrap();
    assert_eq!(runs(d), 2);
    call().await.unwrap();
    assert_eq!(runs(d), 2);

    let keys: Vec<String> = signed_as(&server)
        .into_iter()
        .map(|(c, _)| c.split('/').next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        keys,
        [
            "AKIDFIRST",
            "AKIDFIRST",
            "AKIDFIRST",
            "AKIDSECOND",
            "AKIDSECOND"
        ]
    );
    // No retry, so no pause.
    assert!(server.pauses().is_empty());
}
